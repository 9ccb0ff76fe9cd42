"""The psychometric stage in one call: every table for one data set and factor model.

>>> tables = psychometric_tables(answers, {"TRU": ["tru1", "tru2", "-tru3"]}, 1, 5,
...                              group="side", cluster="area")          # doctest: +SKIP
>>> sorted(tables)                                                      # doctest: +SKIP

Each value is a tidy DataFrame with the columns documented in its module (names listed in
:data:`TABLE_DESCRIPTIONS`); the pipeline writes them as CSV, the report shows ``checks``
(every figure beside its criterion, meets or not) and ``criteria``. Likert items are treated
as continuous and fitted by maximum likelihood (DESIGN.md section 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from samenspel.pipeline import aggregation, cfa, criteria, efa, invariance, reliability, validity
from samenspel.pipeline.factor_model import (
    FactorModel,
    PsychometricsError,
    parse_factor_model,
)

TABLE_CRITERIA = "criteria"
TABLE_CHECKS = "checks"
TABLE_ITEMS = "items"
TABLE_RELIABILITY = "reliability"
TABLE_KMO = "kmo"
TABLE_BARTLETT = "bartlett"
TABLE_PARALLEL = "parallel_analysis"
TABLE_EFA_LOADINGS = "efa_loadings"
TABLE_EFA_CORRELATIONS = "efa_factor_correlations"
TABLE_CFA_FIT = "cfa_fit"
TABLE_CFA_PARAMETERS = "cfa_parameters"
TABLE_VALIDITY = "validity"
TABLE_HTMT = "htmt"
TABLE_MODIFICATION = "modification_indices"
TABLE_INVARIANCE = "invariance"
TABLE_AGGREGATION = "aggregation"

#: Every table :func:`psychometric_tables` can return, with what it holds.
TABLE_DESCRIPTIONS: Mapping[str, str] = {
    TABLE_CRITERIA: "criteria.CRITERIA_COLUMNS: the standards of DESIGN.md section 7",
    TABLE_CHECKS: "CHECK_COLUMNS: each figure beside its criterion, meets or not",
    TABLE_ITEMS: "reliability.ITEM_COLUMNS: item statistics per scale (and group)",
    TABLE_RELIABILITY: "reliability.RELIABILITY_COLUMNS: alpha, Feldt CI, omega per scale",
    TABLE_KMO: "efa.KMO_COLUMNS: sampling adequacy per item and overall",
    TABLE_BARTLETT: "chisq, df, pvalue, n of Bartlett's test of sphericity",
    TABLE_PARALLEL: "efa.PARALLEL_COLUMNS: parallel analysis",
    TABLE_EFA_LOADINGS: "item, F1..Fk, communality, uniqueness: rotated EFA loadings",
    TABLE_EFA_CORRELATIONS: "factor, F1..Fk: factor correlations of the rotated EFA",
    TABLE_CFA_FIT: "cfa COL_MEASURE, COL_VALUE: fit measures named as lavaan fitMeasures",
    TABLE_CFA_PARAMETERS: "cfa.PARAMETER_COLUMNS: estimates, SEs, standardised solution",
    TABLE_VALIDITY: "validity.VALIDITY_COLUMNS: composite reliability, AVE per factor",
    TABLE_HTMT: "validity.HTMT_COLUMNS: heterotrait-monotrait ratio per factor pair",
    TABLE_MODIFICATION: "cfa.MODIFICATION_COLUMNS: modification indices >= mi_minimum",
    TABLE_INVARIANCE: "invariance.INVARIANCE_COLUMNS: configural..strict (with group)",
    TABLE_AGGREGATION: "aggregation.ICC_COLUMNS: ICC(1), ICC(2) per scale (with cluster)",
}

COL_CHECK = "check"
COL_SUBJECT = "subject"
COL_STATISTIC = "statistic"
COL_VALUE = "value"
COL_CRITERION = "criterion"
COL_MEETS = "meets"
COL_SOURCE = "source"
#: Columns of the ``checks`` table (``subject``: scale, factor, factor pair or step).
CHECK_COLUMNS = (
    COL_CHECK,
    COL_SUBJECT,
    COL_STATISTIC,
    COL_VALUE,
    COL_CRITERION,
    COL_MEETS,
    COL_SOURCE,
)


@cfa.single_threaded_blas
def psychometric_tables(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | FactorModel,
    scale_min: float,
    scale_max: float,
    *,
    group: str | None = None,
    cluster: str | None = None,
    missing: str = "fiml",
    n_efa_factors: int | None = None,
    efa_method: str = "minres",
    efa_rotation: str = "oblimin",
    mi_minimum: float = 3.84,
    standard_errors: bool = True,
    seed: int = 2026,
) -> dict[str, pd.DataFrame]:
    """All psychometric tables of one data set.

    Parameters
    ----------
    data : one row per respondent; numeric item answers (NaN = missing) plus the optional
        ``group`` (e.g. respondent side or wave) and ``cluster`` (e.g. area) columns.
    model : ``{factor: [item, "-item", ...]}``; ``-`` marks a reverse-keyed item.
    scale_min, scale_max : answer range, for recoding reverse-keyed items.
    group : column for reliability per group and measurement invariance.
    cluster : column for ICC(1)/ICC(2) of the scale means.
    missing : ``"fiml"`` or ``"listwise"`` for the CFAs; with FIML, reliability, KMO,
        Bartlett, parallel analysis, EFA and HTMT use pairwise covariances / correlations,
        with listwise they use the complete respondents.
    n_efa_factors : factors to extract (default: the number of factors in the model).
    efa_method, efa_rotation : see :func:`samenspel.pipeline.efa.fit_efa`.
    mi_minimum : smallest modification index listed (3.84 = chi-square 1 df at .05).
    standard_errors : compute CFA standard errors (costly under FIML with many items).
    seed : of the parallel analysis.

    Returns
    -------
    dict from the names in :data:`TABLE_DESCRIPTIONS` to DataFrames (``invariance`` only with
    ``group``, ``aggregation`` only with ``cluster``).
    """
    parsed = parse_factor_model(model)
    reliability_missing = "pairwise" if missing == "fiml" else "listwise"
    items = list(parsed.items)
    tables: dict[str, pd.DataFrame] = {TABLE_CRITERIA: criteria.criteria_table()}
    tables[TABLE_ITEMS] = reliability.item_analysis(
        data, parsed, scale_min, scale_max, group=group, missing=reliability_missing
    )
    tables[TABLE_RELIABILITY] = reliability.scale_reliability(
        data, parsed, scale_min, scale_max, group=group, missing=reliability_missing
    )
    # few respondents answer every item of a long instrument: with FIML, the EFA family uses
    # pairwise correlations
    correlations = "pairwise" if missing == "fiml" else "listwise"
    tables[TABLE_KMO] = efa.kmo(data, items, missing=correlations)
    bartlett = efa.bartlett_sphericity(data, items, missing=correlations)
    tables[TABLE_BARTLETT] = pd.DataFrame(
        [(bartlett.chisq, bartlett.df, bartlett.pvalue, bartlett.n)],
        columns=["chisq", "df", "pvalue", "n"],
    )
    tables[TABLE_PARALLEL] = efa.parallel_analysis(data, items, seed=seed, missing=correlations)
    n_factors = n_efa_factors or len(parsed.factors)
    if n_factors < len(items):
        fitted = efa.fit_efa(
            data,
            n_factors,
            items,
            method=efa_method,
            rotation=efa_rotation,
            missing=correlations,
        )
        tables[TABLE_EFA_LOADINGS] = fitted.loadings.reset_index()
        tables[TABLE_EFA_CORRELATIONS] = fitted.factor_correlations.rename_axis(
            "factor"
        ).reset_index()
    fit = cfa.fit_cfa(data, parsed, missing=missing, standard_errors=standard_errors)
    tables[TABLE_CFA_FIT] = fit.fit_table()
    tables[TABLE_CFA_PARAMETERS] = fit.parameters
    tables[TABLE_VALIDITY] = validity.convergent_validity(fit)
    multi = [f for f in parsed.factors if len(parsed.indicators[f]) >= 2]
    if len(multi) >= 2:
        tables[TABLE_HTMT] = validity.htmt(data, parsed.subset(multi), missing=correlations)
    tables[TABLE_MODIFICATION] = (
        fit.modification_indices(mi_minimum)
        .sort_values(cfa.COL_MI, ascending=False)
        .reset_index(drop=True)
    )
    if group is not None:
        tables[TABLE_INVARIANCE] = invariance.measurement_invariance(
            data, parsed, group, missing=missing
        ).table
    if cluster is not None:
        tables[TABLE_AGGREGATION] = aggregation.intraclass_correlations(
            data, parsed, cluster, scale_min, scale_max
        )
    tables[TABLE_CHECKS] = _checks(tables)
    return tables


def _checks(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []

    def add(check: str, subject: str, statistic: str, value: float, step: str = "") -> None:
        for c in criteria.criteria_for(check, step):
            if c.statistic == statistic:
                rows.append((check, subject, statistic, value, c.text(), c.met(value), c.source))

    fit_table = tables[TABLE_CFA_FIT]
    fit = dict(zip(fit_table[cfa.COL_MEASURE], fit_table[cfa.COL_VALUE], strict=True))
    for c in criteria.criteria_for(criteria.CHECK_GLOBAL_FIT):
        add(c.check, "CFA", c.statistic, fit[c.statistic])
    rel = tables[TABLE_RELIABILITY]
    for r in rel[rel[reliability.COL_GROUP] == reliability.ALL_GROUPS].itertuples():
        add(criteria.CHECK_RELIABILITY, r.scale, "alpha", r.alpha)
        add(criteria.CHECK_RELIABILITY, r.scale, "omega_total", r.omega_total)
    for r in tables[TABLE_VALIDITY].itertuples():
        add(criteria.CHECK_CONVERGENT, r.factor, "ave", r.ave)
        add(criteria.CHECK_CONVERGENT, r.factor, "composite_reliability", r.composite_reliability)
    if TABLE_HTMT in tables:
        for r in tables[TABLE_HTMT].itertuples():
            add(criteria.CHECK_DISCRIMINANT, f"{r.factor_a}-{r.factor_b}", "htmt", r.htmt)
    if TABLE_INVARIANCE in tables:
        for r in tables[TABLE_INVARIANCE].itertuples(index=False):
            row = r._asdict()
            if row[invariance.COL_STEP] == "configural":
                continue
            for statistic in ("delta_cfi", "delta_rmsea", "delta_srmr"):
                add(criteria.CHECK_INVARIANCE, row["step"], statistic, row[statistic], row["step"])
    if TABLE_AGGREGATION in tables:
        for r in tables[TABLE_AGGREGATION].itertuples():
            add(criteria.CHECK_AGGREGATION, r.scale, "icc1", r.icc1)
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


__all__ = [
    "CHECK_COLUMNS",
    "TABLE_DESCRIPTIONS",
    "PsychometricsError",
    "psychometric_tables",
]
