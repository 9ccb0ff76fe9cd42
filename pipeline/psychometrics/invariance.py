"""Measurement invariance across groups, for continuous and for ordered items, full or partial.

Each step is a multiple-group CFA (:func:`.cfa.fit_cfa`) with lavaan's
``group.equal`` constraints, compared with the step before by a chi-square difference test
and by the change in CFI, RMSEA and SRMR:

* continuous items (ML, MLR): configural -> metric (equal loadings) -> scalar (+ equal
  intercepts) -> strict (+ equal residual variances), identified by marker items as lavaan's
  ``cfa(group.equal = ...)``;
* ordered items (WLSMV): configural -> thresholds -> metric (+ loadings) -> scalar
  (+ intercepts), and strict (+ residual variances) under the theta parameterisation,
  identified as Wu & Estabrook (2016) with unit factor variances, exactly as
  ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016", ID.fac = "std.lv")``.

The difference test is lavaan's ``lavTestLRT``: the standard likelihood-ratio test (ML), the
Satorra-Bentler (2001) scaled difference (MLR) or Satorra's (2000) scaled-and-shifted
difference (WLSMV). The changes in fit use the estimator's version of each index
(:data:`.criteria.FIT_VERSION`: robust for MLR, scaled for WLSMV) and are
judged against Chen (2007) / Cheung & Rensvold (2002) as listed in
:mod:`.criteria`. The configural model is judged by the global-fit
criteria. The Δχ² test is reported but not part of the verdict: with hundreds of respondents
it flags trivial differences.

Partial invariance (``partial_search=True``): when a step fails, the equality constraints
that step added are released one at a time, each time the one with the largest score test
(lavaan's ``lavTestScore``, univariate), refitting and judging again, until the step holds
(partial invariance, the released parameters listed as lavaan's ``group.partial``) or no
constraint has a significant score test (p < .05), or releasing another would leave a factor
with fewer than two invariant items (Byrne, Shavelson & Muthén 1989; Steenkamp &
Baumgartner 1998). Later steps keep the released parameters free. Latent means may be
compared where scalar invariance holds, fully or partially.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, stats

from samenspel.pipeline.psychometrics import criteria as crit
from samenspel.pipeline.psychometrics import ordinal as ordinal
from samenspel.pipeline.psychometrics import robust
from samenspel.pipeline.psychometrics.cfa import CFAResult, fit_cfa, single_threaded_blas
from samenspel.pipeline.psychometrics.factor_model import (
    FactorModel,
    PsychometricsError,
    parse_factor_model,
)

#: Continuous items: the steps in order, each with its equality constraints (``group.equal``).
INVARIANCE_STEPS: Mapping[str, tuple[str, ...]] = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
#: Ordered items (Wu & Estabrook 2016); ``strict`` only with the theta parameterisation.
ORDINAL_INVARIANCE_STEPS: Mapping[str, tuple[str, ...]] = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
    "strict": ("thresholds", "loadings", "intercepts", "residuals"),
}
# the parameters each constraint class adds, as lavaan operators
_RELEASED_OP = {"loadings": "=~", "intercepts": "~1", "thresholds": "|", "residuals": "~~"}
_ALPHA = 0.05  # a released constraint's score test must be significant

COL_STEP = "step"
COL_GROUP_EQUAL = "group_equal"
COL_GROUP_PARTIAL = "group_partial"
COL_ESTIMATOR = "estimator"
COL_CHISQ_SCALED = "chisq_scaled"
COL_CHISQ_DIFF = "chisq_diff"
COL_DF_DIFF = "df_diff"
COL_PVALUE_DIFF = "pvalue_diff"
COL_DELTA_CFI = "delta_cfi"
COL_DELTA_RMSEA = "delta_rmsea"
COL_DELTA_SRMR = "delta_srmr"
COL_HOLDS = "holds"
COL_VERDICT = "verdict"
#: Fit measures copied per step (lavaan names; ``cfi``, ``tli``, ``rmsea`` and its interval
#: are the estimator's version: robust for MLR, scaled for WLSMV; ``aic``, ``bic`` NaN for
#: WLSMV).
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
#: Columns of :attr:`InvarianceResult.table`: ``chisq_scaled`` is the robust test statistic
#: (NaN for ML); ``group_partial`` the parameters left free across groups (lavaan's
#: ``group.partial``; empty for full invariance); the ``chisq_diff`` ... ``delta_srmr``
#: columns compare a step with the one before (NaN for configural).
INVARIANCE_COLUMNS = (
    COL_STEP,
    COL_GROUP_EQUAL,
    COL_GROUP_PARTIAL,
    COL_ESTIMATOR,
    *STEP_FIT_MEASURES,
    COL_CHISQ_SCALED,
    COL_CHISQ_DIFF,
    COL_DF_DIFF,
    COL_PVALUE_DIFF,
    COL_DELTA_CFI,
    COL_DELTA_RMSEA,
    COL_DELTA_SRMR,
    COL_HOLDS,
    COL_VERDICT,
)
COL_ITERATION = "iteration"
COL_RELEASED = "released"
COL_SCORE_X2 = "score_x2"
COL_SCORE_PVALUE = "score_pvalue"
#: Columns of :attr:`InvarianceResult.partial_search`: one row per released constraint.
PARTIAL_SEARCH_COLUMNS = (
    COL_STEP,
    COL_ITERATION,
    COL_RELEASED,
    COL_SCORE_X2,
    COL_SCORE_PVALUE,
    COL_DELTA_CFI,
    COL_DELTA_RMSEA,
    COL_DELTA_SRMR,
    COL_HOLDS,
)


COL_FACTOR = "factor"
COL_GROUP = "group"
#: Columns of :func:`latent_mean_differences`: per group after the first (the reference,
#: latent means 0) and factor, the latent mean in the scalar model, raw and in SD units of
#: the reference group's factor, with the omnibus test of equal latent means (the
#: estimator's difference test), the estimator and the parameters released for partial
#: invariance (empty under full invariance).
LATENT_MEAN_COLUMNS = (
    COL_FACTOR, COL_GROUP, "estimate", "std_estimate", COL_CHISQ_DIFF, COL_DF_DIFF,
    COL_PVALUE_DIFF, COL_ESTIMATOR, COL_GROUP_PARTIAL,
)  # fmt: skip


@dataclass(frozen=True)
class InvarianceResult:
    """Invariance steps.

    Attributes
    ----------
    table : one row per step, columns :data:`INVARIANCE_COLUMNS`.
    fits : the fitted CFA of each step (with its released parameters).
    highest_level : the last step that holds with all steps before it (fully or partially;
        None if configural fit is not acceptable); latent means may be compared only at
        ``scalar`` or above.
    partial_search : the released constraints of the partial-invariance search, columns
        :data:`PARTIAL_SEARCH_COLUMNS` (empty without a search or when every step holds).
    """

    table: pd.DataFrame
    fits: Mapping[str, CFAResult]
    highest_level: str | None
    partial_search: pd.DataFrame

    def full_invariance(self, step: str) -> bool:
        """Whether ``step`` and every step before it hold without released parameters."""
        table = self.table.set_index(COL_STEP)
        names = list(table.index)
        if step not in names:
            return False
        chain = table.loc[names[: names.index(step) + 1]]
        return bool(chain[COL_HOLDS].astype(bool).all() and (chain[COL_GROUP_PARTIAL] == "").all())


def invariance_steps(estimator: str, parameterization: str = "delta") -> tuple[str, ...]:
    """The steps :func:`measurement_invariance` fits by default for ``estimator``."""
    if estimator.upper() == "WLSMV":
        steps = tuple(ORDINAL_INVARIANCE_STEPS)
        return steps if parameterization == "theta" else steps[:-1]
    return tuple(INVARIANCE_STEPS)


@single_threaded_blas
def measurement_invariance(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    group: str,
    *,
    missing: str | None = None,
    steps: Sequence[str] | None = None,
    estimator: str = "ML",
    parameterization: str = "delta",
    group_partial: Sequence[str] = (),
    partial_search: bool = False,
) -> InvarianceResult:
    """Fit the invariance steps across the groups in column ``group`` and judge each step.

    Parameters
    ----------
    missing, estimator, parameterization : as :func:`.cfa.fit_cfa`.
    steps : a leading part of :func:`invariance_steps` (e.g. up to ``scalar``); default all.
    group_partial : parameters free across groups in every step (lavaan ``group.partial``).
    partial_search : when a step fails, release constraints one by one by their score tests
        until it holds (see the module docstring).
    """
    estimator = estimator.upper()
    available = list(ORDINAL_INVARIANCE_STEPS if estimator == "WLSMV" else INVARIANCE_STEPS)
    steps = list(invariance_steps(estimator, parameterization) if steps is None else steps)
    if steps != available[: len(steps)] or not steps:
        raise PsychometricsError(f"steps must be a leading part of {available}, got {steps}")
    constraints = ORDINAL_INVARIANCE_STEPS if estimator == "WLSMV" else INVARIANCE_STEPS
    if group not in data.columns:
        raise PsychometricsError(f"group column {group!r} is not in the data")
    if data[group].dropna().nunique() < 2:
        raise PsychometricsError(
            f"invariance needs at least two groups in {group!r}; found "
            f"{data[group].dropna().nunique()}"
        )
    parsed = parse_factor_model(model)
    options = {
        "group": group,
        "missing": missing,
        "estimator": estimator,
        "parameterization": parameterization,
        "std_lv": estimator == "WLSMV",
        "standard_errors": False,
    }
    fits: dict[str, CFAResult] = {}
    rows, searched = [], []
    previous: CFAResult | None = None
    highest: str | None = None
    chain_holds = True
    released = list(group_partial)
    for step in steps:
        fit = fit_cfa(data, parsed, group_equal=constraints[step], group_partial=released,
                      start=previous, **options)  # fmt: skip
        row, holds = _judge(step, fit, previous)
        if not holds and partial_search and previous is not None:
            fit, row, holds, log = _search(step, fit, previous, parsed, data, released,
                                           constraints[step], options)  # fmt: skip
            searched += log
            released = sorted(fit.group_partial)
        fits[step] = fit
        row[COL_GROUP_EQUAL] = ", ".join(constraints[step])
        row[COL_GROUP_PARTIAL] = ", ".join(sorted(fit.group_partial))
        chain_holds = chain_holds and holds
        if chain_holds:
            highest = step
        rows.append(row)
        previous = fit
    table = pd.DataFrame(rows, columns=list(INVARIANCE_COLUMNS))
    return InvarianceResult(
        table, fits, highest, pd.DataFrame(searched, columns=list(PARTIAL_SEARCH_COLUMNS))
    )


def _judge(step: str, fit: CFAResult, previous: CFAResult | None) -> tuple[dict, bool]:
    """The table row of a step and whether it holds."""
    row: dict[str, object] = {COL_STEP: step, COL_ESTIMATOR: fit.estimator}
    for measure in STEP_FIT_MEASURES:
        row[measure] = fit.fit.get(crit.measure_name(measure, fit.estimator), math.nan)
    row[COL_CHISQ_SCALED] = fit.fit.get("chisq.scaled", math.nan)
    if previous is None:
        criteria = crit.criteria_for(crit.CHECK_GLOBAL_FIT)
        for column in (COL_CHISQ_DIFF, COL_DF_DIFF, COL_PVALUE_DIFF):
            row[column] = math.nan
        for column in (COL_DELTA_CFI, COL_DELTA_RMSEA, COL_DELTA_SRMR):
            row[column] = math.nan
        values = {c.statistic: row[c.statistic] for c in criteria}
    else:
        criteria = crit.criteria_for(crit.CHECK_INVARIANCE, step)
        diff, df_diff = difference_test(previous, fit)
        row[COL_CHISQ_DIFF] = diff
        row[COL_DF_DIFF] = df_diff
        row[COL_PVALUE_DIFF] = (
            float(stats.chi2.sf(max(diff, 0.0), df_diff)) if df_diff > 0 else math.nan
        )
        for column, measure in (
            (COL_DELTA_CFI, "cfi"),
            (COL_DELTA_RMSEA, "rmsea"),
            (COL_DELTA_SRMR, "srmr"),
        ):
            name = crit.measure_name(measure, fit.estimator)
            row[column] = fit.fit[name] - previous.fit[name]
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
    return row, holds


def _search(step, fit, previous, model, data, released, group_equal, options):
    """Release the step's constraints one by one by their score tests (module docstring)."""
    new = [c for c in group_equal if c not in previous.group_equal]
    ops = {_RELEASED_OP[c] for c in new}
    log = []
    holds = False
    row, _ = _judge(step, fit, previous)
    for iteration in range(1, 1000):
        tests = fit.equality_score_tests()
        tests = tests[tests["op"].isin(ops) & ~tests["label"].isin(released)]
        if "~~" in ops:
            tests = tests[tests["lhs"] == tests["rhs"]]
        tests = tests[[_keeps_two_invariant(model, set(released) | {label}, label)
                       for label in tests["label"]]]  # fmt: skip
        if tests.empty or not tests["pvalue"].iloc[0] < _ALPHA:
            break
        best = tests.iloc[0]
        released = [*released, str(best["label"])]
        fit = fit_cfa(data, model, group_equal=group_equal, group_partial=released, start=fit,
                      **options)  # fmt: skip
        row, holds = _judge(step, fit, previous)
        log.append(
            {
                COL_STEP: step,
                COL_ITERATION: iteration,
                COL_RELEASED: str(best["label"]),
                COL_SCORE_X2: float(best["x2"]),
                COL_SCORE_PVALUE: float(best["pvalue"]),
                COL_DELTA_CFI: row[COL_DELTA_CFI],
                COL_DELTA_RMSEA: row[COL_DELTA_RMSEA],
                COL_DELTA_SRMR: row[COL_DELTA_SRMR],
                COL_HOLDS: holds,
            }
        )
        if holds:
            row[COL_VERDICT] = (
                f"partial {step} invariance holds with {', '.join(released)} free across groups"
            )
            break
    return fit, row, holds, log


def _keeps_two_invariant(model: FactorModel, released: set[str], label: str) -> bool:
    """Whether every factor of the released parameter's item keeps two invariant items."""
    item = label.split("=~")[-1] if "=~" in label else label.split("~")[0].split("|")[0]
    for factor in model.factors:
        indicators = model.indicators[factor]
        if item not in indicators:
            continue
        free_items = {
            i
            for i in indicators
            if any(r == f"{factor}=~{i}" or r.startswith((f"{i}~", f"{i}|")) for r in released)
        }
        if len(indicators) - len(free_items) < 2:
            return False
    return True


def scalar_holds(result: InvarianceResult) -> bool:
    """Whether the chain holds up to scalar invariance (fully or partially): the condition
    for comparing latent means."""
    steps = list(result.table[COL_STEP])
    if result.highest_level is None or "scalar" not in steps:
        return False
    return steps.index(result.highest_level) >= steps.index("scalar")


@single_threaded_blas
def latent_mean_differences(
    data: pd.DataFrame, model: Mapping[str, Sequence[str]] | FactorModel, group: str,
    scalar: CFAResult,
) -> pd.DataFrame:  # fmt: skip
    """Latent means of each group against the first group's in the ``scalar`` model (from
    :func:`measurement_invariance`, fitted on ``data`` with groups ``group``).

    Only meaningful where scalar invariance holds, fully or partially (see
    :func:`scalar_holds`). The test compares the scalar model with one that also fixes the
    latent means equal (lavaan ``group.equal = c(..., "means")``) by the estimator's
    difference test. Columns :data:`LATENT_MEAN_COLUMNS`.
    """
    equal = fit_cfa(
        data, model, group=group, group_equal=(*scalar.group_equal, "means"),
        group_partial=sorted(scalar.group_partial), missing=scalar.missing,
        estimator=scalar.estimator, parameterization=scalar.parameterization or "delta",
        std_lv=scalar.estimator == "WLSMV", start=scalar, standard_errors=False,
    )  # fmt: skip
    chisq, df = difference_test(scalar, equal)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    table = scalar.parameters
    reference = scalar.groups[0]
    rows = []
    for other in scalar.groups[1:]:
        for factor in scalar.factors:
            mean = table[(table["group"] == other) & (table["lhs"] == factor)
                         & (table["op"] == "~1")]  # fmt: skip
            variance = table[(table["group"] == reference) & (table["lhs"] == factor)
                             & (table["op"] == "~~") & (table["rhs"] == factor)]  # fmt: skip
            estimate = float(mean["est"].iloc[0]) if not mean.empty else math.nan
            scale = math.sqrt(float(variance["est"].iloc[0])) if not variance.empty else math.nan
            rows.append((factor, other, estimate, estimate / scale, chisq, df, pvalue,
                         scalar.estimator, ", ".join(sorted(scalar.group_partial))))  # fmt: skip
    return pd.DataFrame(rows, columns=list(LATENT_MEAN_COLUMNS))


# ----------------------------------------------------------------------------- difference tests


def difference_test(less: CFAResult, more: CFAResult) -> tuple[float, float]:
    """Chi-square difference of nested fits (``more`` restricted): (statistic, df), as
    lavaan's ``lavTestLRT(less, more)`` for the estimator (standard for ML,
    Satorra-Bentler 2001 for MLR, Satorra 2000 scaled and shifted for WLSMV)."""
    if less.estimator != more.estimator:
        raise PsychometricsError("a difference test needs two fits with the same estimator")
    t1, df1 = less.fit["chisq"], less.fit["df"]
    t0, df0 = more.fit["chisq"], more.fit["df"]
    if less.estimator == "MLR":
        return robust.satorra_bentler_2001(
            t0, df0, more.fit["chisq.scaling.factor"], t1, df1, less.fit["chisq.scaling.factor"]
        )
    if less.estimator == "WLSMV":
        return satorra_2000(less, more)
    return t0 - t1, df0 - df1


def satorra_2000(less: CFAResult, more: CFAResult) -> tuple[float, float]:
    """Satorra's (2000) scaled-and-shifted difference test of two WLSMV fits (lavaan's
    ``lav_test_diff_Satorra2000(m1, m0, scaled.shifted = TRUE, A.method = "delta")``)."""
    e1 = less._engine
    e0 = more._engine
    m = more.fit["df"] - less.fit["df"]
    diff = more.fit["chisq"] - less.fit["chisq"]
    if m == 0:
        return diff, 0.0
    parts = ordinal.robust_parts(e1, less._x)
    jac1 = np.vstack([parts.full(g) for g in range(e1.spec.n_groups)])
    jac0 = np.vstack([e0.jacobian(more._x, g) for g in range(e0.spec.n_groups)])
    # H = pinv(Delta1) Delta0 (Delta1 has full column rank: the model is identified); with A
    # spanning the complement of H's columns (A H = 0), lavaan's
    # P^-1 A'(A P^-1 A')^- A P^-1 equals P^-1 - H (H' P H)^- H'
    h = linalg.solve(jac1.T @ jac1, jac1.T @ jac0, assume_a="pos")
    hph = h.T @ parts.info @ h
    try:
        inner = linalg.inv(hph)
    except linalg.LinAlgError:
        inner = linalg.pinv(hph)
    middle = parts.info_inv - h @ inner @ h.T
    mc = middle @ parts.meat
    trace_ug = float(np.trace(mc))
    trace_ug2 = float(np.sum(mc * mc.T))
    scale = math.sqrt(m / trace_ug2)
    shift = m - scale * trace_ug
    return diff * scale + shift, m
