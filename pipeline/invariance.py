"""Measurement invariance across groups: configural, metric, scalar, strict.

Each step is a multiple-group CFA (:func:`samenspel.pipeline.cfa.fit_cfa`) with lavaan's
``group.equal`` constraints: metric = equal loadings, scalar = + equal intercepts, strict =
+ equal residual variances. Each step is compared with the previous one by the chi-square
difference test (``lavaan::lavTestLRT``, standard ML test) and by the change in CFI, RMSEA and
SRMR, judged against Chen (2007) / Cheung & Rensvold (2002) as listed in
:mod:`samenspel.pipeline.criteria` (ΔCFI ≥ -.010, ΔRMSEA ≤ .015, ΔSRMR ≤ .030 metric / ≤ .010
scalar and strict). The configural model is judged by the global-fit criteria. The Δχ² test is
reported but not part of the verdict: with hundreds of respondents it flags trivial differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from samenspel.pipeline.cfa import CFAResult, fit_cfa
from samenspel.pipeline.criteria import CHECK_GLOBAL_FIT, CHECK_INVARIANCE, criteria_for
from samenspel.pipeline.factor_model import FactorModel, PsychometricsError
from scipy import stats

#: The steps in order, each with its equality constraints (lavaan ``group.equal``).
INVARIANCE_STEPS: Mapping[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}

COL_STEP = "step"
COL_GROUP_EQUAL = "group_equal"
COL_CHISQ_DIFF = "chisq_diff"
COL_DF_DIFF = "df_diff"
COL_PVALUE_DIFF = "pvalue_diff"
COL_DELTA_CFI = "delta_cfi"
COL_DELTA_RMSEA = "delta_rmsea"
COL_DELTA_SRMR = "delta_srmr"
COL_HOLDS = "holds"
COL_VERDICT = "verdict"
#: Fit measures copied per step (lavaan names).
STEP_FIT_MEASURES = (
    "npar",
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "srmr",
    "aic",
    "bic",
)
#: Columns of :attr:`InvarianceResult.table`.
INVARIANCE_COLUMNS = (
    COL_STEP,
    COL_GROUP_EQUAL,
    *STEP_FIT_MEASURES,
    COL_CHISQ_DIFF,
    COL_DF_DIFF,
    COL_PVALUE_DIFF,
    COL_DELTA_CFI,
    COL_DELTA_RMSEA,
    COL_DELTA_SRMR,
    COL_HOLDS,
    COL_VERDICT,
)


@dataclass(frozen=True)
class InvarianceResult:
    """Invariance steps.

    Attributes
    ----------
    table : one row per step, columns :data:`INVARIANCE_COLUMNS`; the ``chisq_diff`` ...
        ``delta_srmr`` columns compare a step with the one before (NaN for configural).
    fits : the fitted CFA of each step.
    highest_level : the last step that holds with all steps before it (None if configural
        fit is not acceptable); latent means may be compared only at ``scalar`` or above.
    """

    table: pd.DataFrame
    fits: Mapping[str, CFAResult]
    highest_level: str | None


def measurement_invariance(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    group: str,
    *,
    missing: str = "listwise",
    steps: Sequence[str] = tuple(INVARIANCE_STEPS),
) -> InvarianceResult:
    """Fit the invariance steps across the groups in column ``group`` and judge each step.

    ``missing`` as :func:`~samenspel.pipeline.cfa.fit_cfa`; ``steps`` a leading part of
    :data:`INVARIANCE_STEPS` (e.g. up to ``scalar``).
    """
    names = list(INVARIANCE_STEPS)
    if list(steps) != names[: len(steps)] or not steps:
        raise ValueError(f"steps must be a leading part of {names}, got {list(steps)}")
    if group not in data.columns:
        raise PsychometricsError(f"group column {group!r} is not in the data")
    if data[group].dropna().nunique() < 2:
        raise PsychometricsError(
            f"invariance needs at least two groups in {group!r}; found "
            f"{data[group].dropna().nunique()}"
        )
    fits: dict[str, CFAResult] = {}
    rows = []
    previous: CFAResult | None = None
    highest: str | None = None
    chain_holds = True
    for step in steps:
        fit = fit_cfa(
            data,
            model,
            group=group,
            group_equal=INVARIANCE_STEPS[step],
            missing=missing,
            standard_errors=False,
            start=previous,
        )
        fits[step] = fit
        row: dict[str, object] = {
            COL_STEP: step,
            COL_GROUP_EQUAL: ", ".join(INVARIANCE_STEPS[step]),
        }
        row.update({m: fit.fit[m] for m in STEP_FIT_MEASURES})
        if previous is None:
            criteria = criteria_for(CHECK_GLOBAL_FIT)
            for column in (COL_CHISQ_DIFF, COL_DF_DIFF, COL_PVALUE_DIFF):
                row[column] = float("nan")
            for column in (COL_DELTA_CFI, COL_DELTA_RMSEA, COL_DELTA_SRMR):
                row[column] = float("nan")
            values = {c.statistic: fit.fit[c.statistic] for c in criteria}
        else:
            criteria = criteria_for(CHECK_INVARIANCE, step)
            diff = fit.fit["chisq"] - previous.fit["chisq"]
            df_diff = fit.fit["df"] - previous.fit["df"]
            row[COL_CHISQ_DIFF] = diff
            row[COL_DF_DIFF] = df_diff
            row[COL_PVALUE_DIFF] = float(stats.chi2.sf(max(diff, 0.0), df_diff))
            row[COL_DELTA_CFI] = fit.fit["cfi"] - previous.fit["cfi"]
            row[COL_DELTA_RMSEA] = fit.fit["rmsea"] - previous.fit["rmsea"]
            row[COL_DELTA_SRMR] = fit.fit["srmr"] - previous.fit["srmr"]
            values = {c.statistic: row[c.statistic] for c in criteria}
        failed = [c for c in criteria if not c.met(values[c.statistic])]
        holds = not failed
        row[COL_HOLDS] = holds
        if holds:
            row[COL_VERDICT] = f"{step} invariance holds" if previous else "configural fit holds"
        else:
            reasons = "; ".join(
                f"{c.statistic} = {values[c.statistic]:.3f}, needs {c.text()}" for c in failed
            )
            row[COL_VERDICT] = f"{step} does not hold: {reasons}"
        chain_holds = chain_holds and holds
        if chain_holds:
            highest = step
        rows.append(row)
        previous = fit
    table = pd.DataFrame(rows, columns=list(INVARIANCE_COLUMNS))
    return InvarianceResult(table, fits, highest)
