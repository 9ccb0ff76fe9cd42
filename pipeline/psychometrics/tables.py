"""The psychometric stage in one call: every table for one data set and factor model.

>>> tables = psychometric_tables(answers, {"TRU": ["tru1", "tru2", "-tru3"]}, 1, 5,
...                              group="side", cluster="area")          # doctest: +SKIP
>>> sorted(tables)                                                      # doctest: +SKIP

Each value is a tidy DataFrame with the columns documented in its module (names listed in
:data:`TABLE_DESCRIPTIONS`); the pipeline writes them as CSV, the report shows ``checks``
(every figure beside its criterion, meets or not, with the estimator that produced it) and
``criteria``. The CFA and invariance use the ``estimator`` asked for (ML, MLR or WLSMV, see
:func:`.cfa.fit_cfa`); with ``compare_estimator`` the other treatment of
the items (ordinal WLSMV against continuous ML/MLR) is fitted too and its main fit measures
are set beside the chosen one's. Reliability, EFA and HTMT use Pearson (co)variances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from samenspel.pipeline.psychometrics import aggregation as aggregation
from samenspel.pipeline.psychometrics import cfa, criteria, efa, invariance, reliability, validity
from samenspel.pipeline.psychometrics.factor_model import (
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
TABLE_PARTIAL = "partial_invariance"
TABLE_LATENT_MEANS = "latent_means"
TABLE_ESTIMATORS = "estimator_comparison"

#: Every table :func:`psychometric_tables` can return, with what it holds.
TABLE_DESCRIPTIONS: Mapping[str, str] = {
    TABLE_CRITERIA: "criteria.CRITERIA_COLUMNS: the standards of docs/psychometrics.md",
    TABLE_CHECKS: "CHECK_COLUMNS: each figure beside its criterion, meets or not",
    TABLE_ITEMS: "reliability.ITEM_COLUMNS: item statistics per scale (and group)",
    TABLE_RELIABILITY: "reliability.RELIABILITY_COLUMNS: alpha, Feldt CI, omega, ordinal alpha "
    "and omega per scale",
    TABLE_KMO: "efa.KMO_COLUMNS: sampling adequacy per item and overall",
    TABLE_BARTLETT: "chisq, df, pvalue, n of Bartlett's test of sphericity",
    TABLE_PARALLEL: "efa.PARALLEL_COLUMNS: parallel analysis",
    TABLE_EFA_LOADINGS: "item, F1..Fk, communality, uniqueness: rotated EFA loadings",
    TABLE_EFA_CORRELATIONS: "factor, F1..Fk: factor correlations of the rotated EFA",
    TABLE_CFA_FIT: "cfa COL_MEASURE, COL_VALUE, estimator: fit measures named as lavaan's",
    TABLE_CFA_PARAMETERS: "cfa.PARAMETER_COLUMNS, estimator: estimates, SEs, standardised",
    TABLE_VALIDITY: "validity.VALIDITY_COLUMNS, estimator: composite reliability, AVE",
    TABLE_HTMT: "validity.HTMT_COLUMNS: heterotrait-monotrait ratio per factor pair",
    TABLE_MODIFICATION: "cfa.MODIFICATION_COLUMNS, estimator: modification indices",
    TABLE_INVARIANCE: "invariance.INVARIANCE_COLUMNS: configural..strict (with group)",
    TABLE_PARTIAL: "invariance.PARTIAL_SEARCH_COLUMNS: released constraints (partial search)",
    TABLE_LATENT_MEANS: "invariance.LATENT_MEAN_COLUMNS: latent means where scalar holds",
    TABLE_AGGREGATION: "aggregation.ICC_COLUMNS: ICC(1), ICC(2) per scale (with cluster)",
    TABLE_ESTIMATORS: "ESTIMATOR_COMPARISON_COLUMNS: ordinal against continuous fit measures",
}

COL_CHECK = "check"
COL_SUBJECT = "subject"
COL_STATISTIC = "statistic"
COL_VALUE = "value"
COL_CRITERION = "criterion"
COL_MEETS = "meets"
COL_SOURCE = "source"
COL_ESTIMATOR = "estimator"
#: Columns of the ``checks`` table (``subject``: scale, factor, factor pair or step;
#: ``statistic`` the measure judged, e.g. ``cfi.scaled`` under WLSMV; ``estimator`` how the
#: figure was estimated).
CHECK_COLUMNS = (
    COL_CHECK,
    COL_SUBJECT,
    COL_STATISTIC,
    COL_ESTIMATOR,
    COL_VALUE,
    COL_CRITERION,
    COL_MEETS,
    COL_SOURCE,
)
COL_MEASURE = "measure"
COL_ORDINAL_ESTIMATOR = "ordinal_estimator"
COL_ORDINAL = "ordinal"
COL_CONTINUOUS_ESTIMATOR = "continuous_estimator"
COL_CONTINUOUS = "continuous"
COL_DIFFERENCE = "difference"
#: Columns of the ``estimator_comparison`` table: one row per measure (each treatment's
#: version of it: scaled for WLSMV, robust for MLR), the ordinal and the continuous value
#: and their difference (ordinal minus continuous).
ESTIMATOR_COMPARISON_COLUMNS = (
    COL_MEASURE,
    COL_ORDINAL_ESTIMATOR,
    COL_ORDINAL,
    COL_CONTINUOUS_ESTIMATOR,
    COL_CONTINUOUS,
    COL_DIFFERENCE,
)
#: The measures of the ``estimator_comparison`` table (``mean_abs_loading`` is the mean
#: absolute standardised loading).
COMPARED_MEASURES = ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "mean_abs_loading")
# How the figures that do not come from the CFA are estimated.
_METHOD = {
    "alpha": "Pearson covariances",
    "omega_total": "ML (one-factor CFA)",
    "alpha_ordinal": "polychoric correlations",
    "omega_ordinal": "WLSMV (one-factor CFA)",
    "htmt": "Pearson correlations",
    "icc1": "one-way ANOVA",
}


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
    estimator: str = "ML",
    parameterization: str = "delta",
    compare_estimator: str | None = None,
    partial_search: bool = False,
    n_efa_factors: int | None = None,
    efa_method: str = "minres",
    efa_rotation: str = "oblimin",
    mi_minimum: float = 3.84,
    standard_errors: bool = True,
    seed: int = 2026,
    max_sample: int | None = None,
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
    missing : ``"fiml"`` (all answers) or ``"listwise"``: for the CFAs FIML under ML/MLR
        and pairwise under WLSMV, or complete respondents; reliability, KMO, Bartlett,
        parallel analysis, EFA and HTMT then use pairwise covariances / correlations, or
        the complete respondents.
    estimator : ``"ML"``, ``"MLR"`` or ``"WLSMV"`` for the CFA and invariance
        (:data:`.cfa.ESTIMATOR_OPTIONS`); ``parameterization`` for
        WLSMV.
    compare_estimator : the other treatment (WLSMV against ML or MLR) for the
        ``estimator_comparison`` table; None for no comparison.
    partial_search : search for partial invariance when a step fails
        (:func:`.invariance.measurement_invariance`).
    n_efa_factors : factors to extract (default: the number of factors in the model).
    efa_method, efa_rotation : see :func:`.efa.fit_efa`.
    mi_minimum : smallest modification index listed (3.84 = chi-square 1 df at .05).
    standard_errors : compute CFA standard errors (costly under FIML with many items).
    seed : of the parallel analysis and of the subsample.
    max_sample : at most this many respondents per group (per data set without ``group``),
        drawn at random with ``seed``, for every table but ``aggregation``: the item
        statistics, reliability, EFA, CFA and invariance describe the instrument and are
        precise long before a national sample's size (a standardised loading of .7 has a
        standard error of about .007 at 5,000 respondents), while ICC(1) and ICC(2) describe
        the areas and use every respondent. None: everyone everywhere.

    Returns
    -------
    dict from the names in :data:`TABLE_DESCRIPTIONS` to DataFrames (``invariance`` and
    ``partial_invariance`` only with ``group``, ``latent_means`` only where scalar
    invariance holds across the groups, ``aggregation`` only with ``cluster``,
    ``estimator_comparison`` only with ``compare_estimator``).
    """
    parsed = parse_factor_model(model)
    estimator = estimator.upper()
    if compare_estimator is not None:
        compare_estimator = compare_estimator.upper()
        if [estimator, compare_estimator].count("WLSMV") != 1:
            raise PsychometricsError(
                "compare_estimator must set the ordinal treatment (WLSMV) against a "
                f"continuous one (ML or MLR); got {estimator} and {compare_estimator}"
            )
    if missing not in ("fiml", "listwise"):
        raise PsychometricsError(f"missing must be 'fiml' or 'listwise', got {missing!r}")
    reliability_missing = "pairwise" if missing == "fiml" else "listwise"
    items = list(parsed.items)
    everyone, data = data, subsample(data, group, max_sample, seed)
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
    options = {"parameterization": parameterization}
    fit = cfa.fit_cfa(data, parsed, estimator=estimator, missing=_missing(missing, estimator),
                      standard_errors=standard_errors, **options)  # fmt: skip
    # the CFA's tables name their estimator in a last column
    tables[TABLE_CFA_FIT] = fit.fit_table().assign(**{COL_ESTIMATOR: estimator})
    tables[TABLE_CFA_PARAMETERS] = fit.parameters.assign(**{COL_ESTIMATOR: estimator})
    tables[TABLE_VALIDITY] = validity.convergent_validity(fit).assign(**{COL_ESTIMATOR: estimator})
    multi = [f for f in parsed.factors if len(parsed.indicators[f]) >= 2]
    if len(multi) >= 2:
        tables[TABLE_HTMT] = validity.htmt(data, parsed.subset(multi), missing=correlations)
    tables[TABLE_MODIFICATION] = (
        fit.modification_indices(mi_minimum)
        .sort_values(cfa.COL_MI, ascending=False)
        .reset_index(drop=True)
        .assign(**{COL_ESTIMATOR: estimator})
    )
    if group is not None:
        steps = invariance.measurement_invariance(
            data, parsed, group, missing=_missing(missing, estimator), estimator=estimator,
            partial_search=partial_search, **options,
        )  # fmt: skip
        tables[TABLE_INVARIANCE] = steps.table
        tables[TABLE_PARTIAL] = steps.partial_search
        if invariance.scalar_holds(steps):
            tables[TABLE_LATENT_MEANS] = invariance.latent_mean_differences(
                data, parsed, group, steps.fits["scalar"]
            )
    if compare_estimator is not None:
        other = cfa.fit_cfa(data, parsed, estimator=compare_estimator,
                            missing=_missing(missing, compare_estimator),
                            standard_errors=False, **options)  # fmt: skip
        ordinal, continuous = (fit, other) if estimator == "WLSMV" else (other, fit)
        tables[TABLE_ESTIMATORS] = estimator_comparison(ordinal, continuous)
    if cluster is not None:
        tables[TABLE_AGGREGATION] = aggregation.intraclass_correlations(
            everyone, parsed, cluster, scale_min, scale_max
        )
    tables[TABLE_CHECKS] = checks_table(tables, estimator)
    return tables


def subsample(data: pd.DataFrame, group: str | None, limit: int | None, seed: int):
    """At most ``limit`` rows per ``group`` value (of all rows without a group), drawn at
    random with ``seed``, in the data's order; the data itself when it is small enough."""
    if limit is None:
        return data
    if limit < 1:
        raise PsychometricsError(f"max_sample must be at least 1, got {limit}")
    groups = data[group] if group is not None else pd.Series(0, index=data.index)
    sizes = groups.value_counts()
    if (sizes <= limit).all():
        return data
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(data), dtype=bool)
    for value in sizes.index:
        rows = np.flatnonzero((groups == value).to_numpy())
        keep[rng.choice(rows, min(limit, len(rows)), replace=False)] = True
    return data[keep]


def _missing(missing: str, estimator: str) -> str:
    """The CFA's missing-data option: all answers (FIML, or pairwise for WLSMV) or listwise."""
    if missing == "listwise":
        return "listwise"
    return "pairwise" if estimator == "WLSMV" else "fiml"


def estimator_comparison(ordinal: cfa.CFAResult, continuous: cfa.CFAResult) -> pd.DataFrame:
    """The main fit measures of the ordinal and the continuous treatment side by side
    (columns :data:`ESTIMATOR_COMPARISON_COLUMNS`, rows :data:`COMPARED_MEASURES`)."""
    rows = []
    for measure in COMPARED_MEASURES:
        values = []
        for fit in (ordinal, continuous):
            if measure == "mean_abs_loading":
                values.append(float(fit.loadings()[cfa.COL_STD_ALL].abs().mean()))
            elif measure == "chisq" and "chisq.scaled" in fit.fit:
                values.append(fit.fit["chisq.scaled"])
            else:
                values.append(fit.fit[criteria.measure_name(measure, fit.estimator)])
        rows.append(
            (measure, ordinal.estimator, values[0], continuous.estimator, values[1],
             values[0] - values[1])
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(ESTIMATOR_COMPARISON_COLUMNS))


def checks_table(tables: Mapping[str, pd.DataFrame], estimator: str) -> pd.DataFrame:
    """The ``checks`` table (:data:`CHECK_COLUMNS`) of the tables at hand."""
    rows = []

    def add(check: str, subject: str, statistic: str, value: float, step: str = "",
            measure: str = "", method: str = estimator) -> None:  # fmt: skip
        for c in criteria.criteria_for(check, step):
            if c.statistic == statistic:
                rows.append((check, subject, measure or statistic, _METHOD.get(statistic, method),
                             value, c.text(), c.met(value), c.source))  # fmt: skip

    # a small wave's steps come one by one (see .small_waves): each check where its table is
    fit_table = tables.get(TABLE_CFA_FIT, pd.DataFrame(columns=[cfa.COL_MEASURE, cfa.COL_VALUE]))
    fit = dict(zip(fit_table[cfa.COL_MEASURE], fit_table[cfa.COL_VALUE], strict=True))
    for c in criteria.criteria_for(criteria.CHECK_GLOBAL_FIT) if fit else ():
        name = criteria.measure_name(c.statistic, estimator)
        add(c.check, "CFA", c.statistic, fit[name], measure=name)
    rel = tables.get(TABLE_RELIABILITY, pd.DataFrame(columns=[reliability.COL_GROUP]))
    for r in rel[rel[reliability.COL_GROUP] == reliability.ALL_GROUPS].itertuples():
        add(criteria.CHECK_RELIABILITY, r.scale, "alpha", r.alpha)
        add(criteria.CHECK_RELIABILITY, r.scale, "omega_total", r.omega_total)
        add(criteria.CHECK_RELIABILITY, r.scale, "alpha_ordinal", r.alpha_ordinal)
        add(criteria.CHECK_RELIABILITY, r.scale, "omega_ordinal", r.omega_ordinal)
    for r in tables.get(TABLE_VALIDITY, pd.DataFrame()).itertuples():
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
                measure = "delta_" + criteria.measure_name(statistic[6:], estimator)
                add(criteria.CHECK_INVARIANCE, row["step"], statistic, row[statistic],
                    row["step"], measure)  # fmt: skip
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
