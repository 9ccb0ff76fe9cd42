"""What a wave's sample can carry: the psychometric steps fitted one by one, each as far as
the data allow, and per step what was fitted, what was not, and why.

A wave of a few hundred respondents cannot carry the whole instrument's model at once: 39
ordered items in six factors have 210 free parameters in one group (thresholds, loadings,
factor covariances) and 420 across the two sides. :func:`.tables.psychometric_tables` fits
everything in one go; where that is more than the wave can carry (or fails), the pipeline
comes here and takes the steps one at a time:

* ``reliability`` (item statistics, alpha, omega per scale) needs
  :data:`MIN_RESPONDENTS_DESCRIPTIVE` respondents;
* ``efa`` (KMO, Bartlett, parallel analysis, EFA) needs more respondents than items;
* ``cfa`` and ``invariance_sides`` try the full model, then one model per pillar of the
  index, then one per construct (:func:`model_parts`), each where the wave has at least
  :data:`MIN_RESPONDENTS_MODEL` respondents (per side for invariance) and more than the
  model's free parameters (:func:`free_parameters`, counted before fitting). A model that
  fails with the chosen estimator is tried with the continuous comparison estimator (as a
  wave does when the ordinal model cannot be fitted); with ``missing: listwise`` and too
  few complete respondents, every answer is used instead (FIML, pairwise under WLSMV);
* ``latent_means`` where scalar invariance holds for a model (fully or partially);
* ``estimator_comparison`` only for the full model;
* ``aggregation`` (ICC by area) from everyone.

Every attempt is a row of the ``steps`` table (:data:`STEP_COLUMNS`); ``reason_code`` is one of
:data:`REASON_CODES`, which the report says in words.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from samenspel.pipeline.psychometrics import (
    aggregation,
    cfa,
    criteria,
    efa,
    invariance,
    reliability,
    validity,
)
from samenspel.pipeline.psychometrics.factor_model import FactorModel, PsychometricsError
from samenspel.pipeline.psychometrics.model_spec import build_spec
from samenspel.pipeline.psychometrics.ordinal import PolychoricNotPositiveDefinite
from samenspel.pipeline.psychometrics.tables import (
    TABLE_AGGREGATION,
    TABLE_BARTLETT,
    TABLE_CFA_FIT,
    TABLE_CFA_PARAMETERS,
    TABLE_EFA_CORRELATIONS,
    TABLE_EFA_LOADINGS,
    TABLE_ESTIMATORS,
    TABLE_HTMT,
    TABLE_INVARIANCE,
    TABLE_ITEMS,
    TABLE_KMO,
    TABLE_LATENT_MEANS,
    TABLE_MODIFICATION,
    TABLE_PARALLEL,
    TABLE_PARTIAL,
    TABLE_RELIABILITY,
    TABLE_VALIDITY,
    checks_table,
    estimator_comparison,
    subsample,
)

TABLE_STEPS = "steps"
#: What a fit of a small sample can raise: the engine's refusals, and the arithmetic of an
#: improper solution (a negative variance's square root, a singular matrix).
FIT_FAILURES = (PsychometricsError, PolychoricNotPositiveDefinite, ValueError, ArithmeticError)
#: Fewest respondents in a wave for the item statistics and reliability per scale.
MIN_RESPONDENTS_DESCRIPTIVE = 20
#: Fewest respondents for a CFA of any model, and per group (side) for an invariance test;
#: a model also needs more respondents than free parameters.
MIN_RESPONDENTS_MODEL = 50
#: The steps of a wave (``invariance_waves`` is the comparison across waves, wave ``all``).
STEPS = (
    "reliability",
    "efa",
    "cfa",
    "invariance_sides",
    "latent_means",
    "estimator_comparison",
    "aggregation",
    "invariance_waves",
)
#: Why a step was not fitted, or fitted otherwise than planned ("" when fitted as planned).
REASON_CODES = {
    "too_few_respondents": "fewer respondents than the step needs with this model",
    "too_few_per_side": "a group (side or wave) has fewer respondents than the step needs",
    "not_estimable": "the estimator could not fit the model with these data (reason says how)",
    "smaller_model": "fitted as a smaller model (per pillar or construct): the larger one "
    "could not be fitted",
    "continuous_instead": "fitted with the continuous comparison estimator: the ordinal "
    "model could not be fitted",
    "every_answer": "fitted with every answer (FIML, or pairwise under WLSMV): too few "
    "respondents answered every item for listwise",
    "not_invariant": "latent means not compared: scalar invariance does not hold",
    "no_invariance": "latent means not compared: invariance between the sides was not fitted",
    "full_model_only": "compared only for the full model, which was not fitted",
}
#: Columns of the ``psychometrics_steps`` table: one row per wave, step and model tried.
STEP_COLUMNS = {
    "wave": "survey wave ('all': the comparison across waves)",
    "step": "reliability (item statistics, alpha, omega), efa (KMO, Bartlett, parallel "
    "analysis, EFA), cfa, invariance_sides, invariance_waves, latent_means, "
    "estimator_comparison or aggregation (ICC by area)",
    "model": "full (every reflective construct), pillar <name> or construct <code>: the model "
    "the step tried; empty for a step without a factor model",
    "factors": "the constructs in that model, comma-separated",
    "estimator": "WLSMV, MLR or ML (empty for a step without a CFA)",
    "missing": "how missing answers entered: fiml (every answer; pairwise under WLSMV) or listwise",
    "n": "respondents the step had (after the sample of psychometrics.sample per side)",
    "parameters": "free parameters of the model (empty for a step without one)",
    "minimum": "fewest respondents the step needs with this model (per group for invariance)",
    "fitted": "true: its results are in the psychometrics_* tables (rows with this model); "
    "false: not fitted",
    "reason_code": "empty when fitted as planned, else too_few_respondents, too_few_per_side, "
    "not_estimable, smaller_model, continuous_instead, every_answer, not_invariant, "
    "no_invariance or full_model_only",
    "reason": "why, in English (empty when fitted as planned)",
}
COL_MODEL = "model"
FULL = "full"


def minimum_respondents(model: FactorModel, n_groups: int = 1) -> int:
    """Fewest respondents a model is tried with: :data:`MIN_RESPONDENTS_MODEL` per group
    and more than the free parameters of its continuous version (ML, MLR). Under WLSMV the
    thresholds, estimated first from each item's own answers, are not counted, so the same
    minimum holds for both treatments."""
    return max(MIN_RESPONDENTS_MODEL * n_groups, free_parameters(model, "ML", n_groups) + 1)


def free_parameters(
    model: FactorModel, estimator: str, n_groups: int = 1, n_categories: int = 5
) -> int:
    """Free parameters of ``model``'s configural CFA in ``n_groups`` groups with a mean
    structure (thresholds of ``n_categories`` answer categories under WLSMV), as
    :func:`.cfa.fit_cfa` would fit it."""
    ordinal = estimator == "WLSMV"
    spec = build_spec(
        model,
        n_groups,
        True,
        frozenset(),
        ordinal and n_groups > 1,
        (),
        n_thresholds={i: n_categories - 1 for i in model.items} if ordinal else None,
    )
    return spec.n_free


def model_parts(
    model: FactorModel, pillars: Mapping[str, Sequence[str]], quality: Mapping[str, str]
) -> list[tuple[str, FactorModel]]:
    """The model split by the index's pillars (``pillars``: pillar -> components;
    ``quality``: factor -> the component whose quality scale it is, e.g. CQ -> COL); a
    factor in no pillar is a part of its own."""
    parts, placed = [], set()
    for pillar, components in pillars.items():
        factors = [f for f in model.factors if f in components or quality.get(f) in components]
        if factors:
            parts.append((f"pillar {pillar}", model.subset(factors)))
            placed.update(factors)
    parts += [(f"construct {f}", model.subset([f])) for f in model.factors if f not in placed]
    return parts


def _split(name: str, part: FactorModel, pillars) -> list[tuple[str, FactorModel]]:
    """The next smaller models: the full model by pillar, a pillar by construct."""
    if name == FULL:
        return pillars
    if len(part.factors) > 1:
        return [(f"construct {f}", part.subset([f])) for f in part.factors]
    return []


def step_row(
    wave,
    step,
    model="",
    factors=(),
    estimator="",
    missing="",
    n=0,
    parameters=None,
    minimum=None,
    fitted=True,
    code="",
    reason="",
) -> dict:
    return {
        "wave": wave,
        "step": step,
        "model": model,
        "factors": ", ".join(factors),
        "estimator": estimator,
        "missing": missing,
        "n": int(n),
        "parameters": math.nan if parameters is None else int(parameters),
        "minimum": math.nan if minimum is None else int(minimum),
        "fitted": bool(fitted),
        "reason_code": code,
        "reason": reason,
    }


def problem_text(exc: Exception) -> str:
    """An engine's error as a reason (the polychoric warning shortened)."""
    if isinstance(exc, PolychoricNotPositiveDefinite):
        return (
            str(exc).split(": DWLS")[0] + ": too few respondents for the items (or "
            "near-duplicate items) to analyse them as ordinal"
        )
    return str(exc)


@dataclass
class Options:
    """What the steps of one wave share: the methodology's treatment of the items."""

    wave: str
    low: float  # the answer range, for reverse keys
    high: float
    estimator: str  # the methodology's psychometrics.estimator
    comparison: str  # psychometrics.comparison: the other treatment
    missing: str  # psychometrics.missing: fiml or listwise
    parameterization: str
    # (pillar -> components, factor -> the component whose quality scale it is)
    pillars: tuple[Mapping[str, Sequence[str]], Mapping[str, str]]
    seed: int = 2026  # of the EFA's parallel analysis and of the sample


def stepwise_tables(
    data: pd.DataFrame, model: FactorModel, options: Options, max_sample: int | None
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """A wave's psychometric tables step by step (module docstring) and its ``steps`` rows.

    ``data``: the wave's items with ``side`` and ``area``. The CFA family's tables carry a
    ``model`` column (:data:`STEP_COLUMNS`).
    """
    everyone, data = data, subsample(data, "side", max_sample, options.seed)
    wave, n = options.wave, len(data)
    rows: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    pairwise = "pairwise" if options.missing == "fiml" else "listwise"
    # item statistics and reliability per scale
    minimum = MIN_RESPONDENTS_DESCRIPTIVE
    if n < minimum:
        rows.append(
            step_row(
                wave,
                "reliability",
                n=n,
                minimum=minimum,
                fitted=False,
                code="too_few_respondents",
                reason=f"too few respondents: {n}, needs at least {minimum}",
            )
        )
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tables[TABLE_ITEMS] = reliability.item_analysis(
                    data, model, options.low, options.high, group="side", missing=pairwise
                )
                tables[TABLE_RELIABILITY] = reliability.scale_reliability(
                    data, model, options.low, options.high, group="side", missing=pairwise
                )
            rows.append(step_row(wave, "reliability", missing=pairwise, n=n, minimum=minimum))
        except (PsychometricsError, ValueError, PolychoricNotPositiveDefinite) as exc:
            tables.pop(TABLE_ITEMS, None)
            rows.append(
                step_row(
                    wave,
                    "reliability",
                    missing=pairwise,
                    n=n,
                    minimum=minimum,
                    fitted=False,
                    code="not_estimable",
                    reason=problem_text(exc),
                )
            )
    rows.append(_efa(data, model, options, pairwise, tables))
    # the CFA and the invariance between the sides, each as large as the wave carries
    fits: dict[str, tuple] = {}
    for _, _, table_rows in _by_parts(data, model, options, "cfa", fits):
        rows += table_rows
    tables.update(_collect(fits))
    multi = [f for f in model.factors if len(model.indicators[f]) >= 2]
    if len(multi) >= 2 and n >= MIN_RESPONDENTS_DESCRIPTIVE:
        with contextlib.suppress(PsychometricsError, ValueError):  # HTMT is not a step
            tables[TABLE_HTMT] = validity.htmt(data, model.subset(multi), missing=pairwise)
    sides: dict[str, tuple] = {}
    for _, _, table_rows in _by_parts(data, model, options, "invariance_sides", sides):
        rows += table_rows
    if not sides:
        rows.append(
            step_row(
                wave,
                "latent_means",
                n=n,
                fitted=False,
                code="no_invariance",
                reason="invariance between the sides could not be fitted for any "
                "model of this wave",
            )
        )
    rows += _invariance_tables(sides, data, options, "side", tables)
    rows.append(_comparison(data, model, fits.get(FULL), options, tables))
    try:
        tables[TABLE_AGGREGATION] = aggregation.intraclass_correlations(
            everyone, model, "area", options.low, options.high
        )
        rows.append(step_row(wave, "aggregation", n=len(everyone)))
    except (PsychometricsError, ValueError) as exc:
        rows.append(
            step_row(
                wave,
                "aggregation",
                n=len(everyone),
                fitted=False,
                code="not_estimable",
                reason=problem_text(exc),
            )
        )
    return tables, rows


def _comparison(data, model: FactorModel, full, options: Options, tables) -> dict:
    """The ordinal and the continuous treatment of the full model side by side, where the
    wave carried the full model."""
    wave, n = options.wave, len(data)
    if full is None:
        return step_row(
            wave,
            "estimator_comparison",
            FULL,
            model.factors,
            n=n,
            fitted=False,
            code="full_model_only",
            reason="the ordinal and the continuous treatment are compared for the "
            "full model only, which this wave could not carry",
        )
    _, estimator, _, pieces = full
    fit = pieces["fit"]
    other = options.comparison if estimator == options.estimator else options.estimator
    missing = missing_for(other, options.missing)
    base = dict(model=FULL, factors=model.factors, estimator=other, missing=missing, n=n)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PolychoricNotPositiveDefinite)
            second = cfa.fit_cfa(
                data,
                model,
                estimator=other,
                missing=missing,
                parameterization=options.parameterization,
                standard_errors=False,
            )
    except FIT_FAILURES as exc:
        return step_row(
            wave,
            "estimator_comparison",
            **base,
            fitted=False,
            code="not_estimable",
            reason=f"{other}: {problem_text(exc)}",
        )
    ordinal, continuous = (fit, second) if estimator == "WLSMV" else (second, fit)
    tables[TABLE_ESTIMATORS] = estimator_comparison(ordinal, continuous)
    return step_row(wave, "estimator_comparison", **base)


def _efa(data, model: FactorModel, options: Options, pairwise: str, tables) -> dict:
    items = list(model.items)
    n, minimum = len(data), len(items) + 1

    def skipped(code: str, reason: str) -> dict:
        return step_row(options.wave, "efa", missing=pairwise, n=n, minimum=minimum,
                        fitted=False, code=code, reason=reason)  # fmt: skip

    if n < minimum:
        return skipped(
            "too_few_respondents",
            f"too few respondents: {n} for {len(items)} items, needs at least {minimum}",
        )
    try:
        found = {TABLE_KMO: efa.kmo(data, items, missing=pairwise)}
        bartlett = efa.bartlett_sphericity(data, items, missing=pairwise)
        found[TABLE_BARTLETT] = pd.DataFrame(
            [(bartlett.chisq, bartlett.df, bartlett.pvalue, bartlett.n)],
            columns=["chisq", "df", "pvalue", "n"],
        )
        found[TABLE_PARALLEL] = efa.parallel_analysis(
            data, items, seed=options.seed, missing=pairwise
        )
        fitted = efa.fit_efa(data, len(model.factors), items, missing=pairwise)
        found[TABLE_EFA_LOADINGS] = fitted.loadings.reset_index()
        found[TABLE_EFA_CORRELATIONS] = fitted.factor_correlations.rename_axis(
            "factor"
        ).reset_index()
    except (PsychometricsError, ValueError, ArithmeticError) as exc:
        return skipped("not_estimable", problem_text(exc))
    tables.update(found)
    return step_row(options.wave, "efa", missing=pairwise, n=n, minimum=minimum)


def missing_for(estimator: str, missing: str) -> str:
    if missing == "listwise":
        return "listwise"
    return "pairwise" if estimator == "WLSMV" else "fiml"


def _by_parts(
    data, model: FactorModel, options: Options, step: str, fitted: dict, group: str = "side",
    full_failed: list[dict] | None = None,
):  # fmt: skip
    """Try ``step`` (cfa or invariance_*) with the full model, then smaller ones; yields
    (name, model, steps rows) per model tried, and records in ``fitted`` the models that
    fit: name -> (model, estimator, missing, result). ``full_failed``: the rows of a full
    model tried already (in one go, see :mod:`.measurement`): the smaller ones come next."""
    groups = data[group].value_counts() if step != "cfa" else None
    pending = [(FULL, model)]
    smaller = False
    if full_failed:
        full_failed[-1]["reason"] += "; fitted per pillar instead"
        yield FULL, model, full_failed
        pending, smaller = model_parts(model, *options.pillars), True
    while pending:
        name, part = pending.pop(0)
        tried, rows = _try(data, part, name, options, step, groups, group)
        if tried is not None:
            fitted[name] = (part, *tried)
            if smaller:
                rows[-1]["reason_code"] = rows[-1]["reason_code"] or "smaller_model"
                rows[-1]["reason"] = rows[-1]["reason"] or (
                    "the larger model could not be fitted: this one was fitted instead"
                )
        elif rows[-1]["reason_code"] != "too_few_per_side":  # smaller models need as many
            children = _split(name, part, model_parts(part, *options.pillars))
            if children:
                kind = "pillar" if name == FULL else "construct"
                rows[-1]["reason"] += f"; fitted per {kind} instead"
                smaller = True
            pending = children + pending
        yield name, part, rows


def _try(data, part: FactorModel, name: str, options: Options, step: str, groups, group):
    """One model: (estimator, missing, result) when it fits, else None; its steps rows."""
    wave, items = options.wave, list(part.items)
    n_groups = 1 if groups is None else len(groups)
    complete = int(data[items].notna().all(axis=1).sum())
    rows = []
    for number, estimator in enumerate(_estimators(options)):
        missing = missing_for(estimator, options.missing)
        parameters = free_parameters(part, estimator, n_groups, options.high - options.low + 1)
        minimum = minimum_respondents(part, n_groups)
        code, reason = "", ""
        n = len(data)
        if missing == "listwise" and complete < minimum <= n:
            missing = missing_for(estimator, "fiml")
            code = "every_answer"
            reason = (
                f"only {complete} respondents answered every item, needs at least "
                f"{minimum} for listwise: every answer was used"
            )
        elif missing == "listwise":
            n = complete
        base = dict(
            model=name,
            factors=part.factors,
            estimator=estimator,
            missing=missing,
            n=n,
            parameters=parameters,
            minimum=minimum,
        )
        if groups is not None and groups.min() < MIN_RESPONDENTS_MODEL:
            counts = ", ".join(f"{g} {c}" for g, c in groups.items())
            rows.append(
                step_row(
                    wave,
                    step,
                    **base,
                    fitted=False,
                    code="too_few_per_side",
                    reason=f"too few respondents per group ({counts}), needs at least "
                    f"{MIN_RESPONDENTS_MODEL} in each",
                )
            )
            return None, rows
        if n < minimum:
            rows.append(
                step_row(
                    wave,
                    step,
                    **base,
                    fitted=False,
                    code="too_few_respondents",
                    reason=f"too few respondents: {n} for a model with {parameters} "
                    f"free parameters, needs at least {minimum}",
                )
            )
            return None, rows
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PolychoricNotPositiveDefinite)
                result = _fit(data, part, estimator, missing, options, step, group)
        except FIT_FAILURES as exc:
            rows.append(
                step_row(
                    wave,
                    step,
                    **base,
                    fitted=False,
                    code="not_estimable",
                    reason=f"{estimator}: {problem_text(exc)}",
                )
            )
            continue
        if number:
            code = code or "continuous_instead"
            reason = reason or (
                f"{options.estimator} could not be fitted: fitted with {estimator} instead"
            )
        rows.append(step_row(wave, step, **base, code=code, reason=reason))
        return (estimator, missing, result), rows
    return None, rows


def _estimators(options: Options) -> list[str]:
    """The estimator, then (when it is ordinal) the continuous comparison."""
    if options.estimator == "WLSMV":
        return ["WLSMV", options.comparison]
    return [options.estimator]


def _fit(data, part, estimator, missing, options: Options, step, group):
    """Fit a model for ``step``: its CFA, or its invariance steps across ``group``."""
    common = dict(estimator=estimator, missing=missing, parameterization=options.parameterization)
    if step != "cfa":
        return invariance.measurement_invariance(data, part, group, partial_search=True, **common)
    fit = cfa.fit_cfa(data, part, standard_errors=False, **common)
    # the tables now: a table that cannot be made is a model that was not fitted
    return {
        TABLE_CFA_FIT: fit.fit_table(),
        TABLE_CFA_PARAMETERS: fit.parameters,
        TABLE_VALIDITY: validity.convergent_validity(fit),
        TABLE_MODIFICATION: fit.modification_indices(3.84)
        .sort_values(cfa.COL_MI, ascending=False)
        .reset_index(drop=True),
        "fit": fit,
    }


def _collect(fits) -> dict[str, pd.DataFrame]:
    """The CFA tables of the fitted models, each with its ``model`` column."""
    collected: dict[str, list[pd.DataFrame]] = {}
    for name, (_, estimator, _, pieces) in fits.items():
        for table_name, frame in pieces.items():
            if table_name == "fit":
                continue
            frame = frame.assign(estimator=estimator)
            frame.insert(0, COL_MODEL, name)
            collected.setdefault(table_name, []).append(frame)
    return {k: pd.concat(v, ignore_index=True) for k, v in collected.items()}


def _invariance_tables(fits, data, options: Options, group: str, tables) -> list[dict]:
    """The invariance tables of the fitted models (with ``model``) and the latent means'
    steps rows."""
    rows = []
    collected: dict[str, list[pd.DataFrame]] = {}
    for name, (part, estimator, _, result) in fits.items():
        pieces = {TABLE_INVARIANCE: result.table, TABLE_PARTIAL: result.partial_search}
        base = dict(model=name, factors=part.factors, estimator=estimator, n=len(data))
        if group == "side" and invariance.scalar_holds(result):
            try:
                pieces[TABLE_LATENT_MEANS] = invariance.latent_mean_differences(
                    data, part, group, result.fits["scalar"]
                )
                rows.append(step_row(options.wave, "latent_means", **base))
            except FIT_FAILURES as exc:
                rows.append(
                    step_row(
                        options.wave,
                        "latent_means",
                        **base,
                        fitted=False,
                        code="not_estimable",
                        reason=problem_text(exc),
                    )
                )
        elif group == "side":
            rows.append(
                step_row(
                    options.wave,
                    "latent_means",
                    **base,
                    fitted=False,
                    code="not_invariant",
                    reason="scalar invariance between the sides does not hold for "
                    f"this model (highest level: {result.highest_level or 'none'})",
                )
            )
        for table_name, frame in pieces.items():
            frame = frame.copy()
            frame.insert(0, COL_MODEL, name)
            collected.setdefault(table_name, []).append(frame)
    for table_name, frames in collected.items():
        tables[table_name] = pd.concat(frames, ignore_index=True)
    return rows


def full_model_steps(
    tables: Mapping[str, pd.DataFrame],
    data: pd.DataFrame,
    model: FactorModel,
    options: Options,
    estimator: str,
    reason: str = "",
) -> list[dict]:
    """The steps rows of a wave whose full model was fitted in one go (by
    :func:`.tables.psychometric_tables`), with ``estimator`` (the continuous one where the
    ordinal model failed: ``reason`` says why)."""
    wave, n = options.wave, len(data)
    missing = missing_for(estimator, options.missing)
    pairwise = "pairwise" if options.missing == "fiml" else "listwise"
    code = "continuous_instead" if reason else ""
    k = options.high - options.low + 1
    one, two = free_parameters(model, estimator, 1, k), free_parameters(model, estimator, 2, k)
    base = dict(model=FULL, factors=model.factors, estimator=estimator, missing=missing, n=n)
    rows = [
        step_row(wave, "reliability", missing=pairwise, n=n, minimum=MIN_RESPONDENTS_DESCRIPTIVE),
        step_row(wave, "efa", missing=pairwise, n=n, minimum=len(model.items) + 1),
        step_row(
            wave,
            "cfa",
            **base,
            parameters=one,
            minimum=minimum_respondents(model, 1),
            code=code,
            reason=reason,
        ),
        step_row(
            wave,
            "invariance_sides",
            **base,
            parameters=two,
            minimum=minimum_respondents(model, 2),
            code=code,
            reason=reason,
        ),
    ]
    if TABLE_LATENT_MEANS in tables:
        rows.append(step_row(wave, "latent_means", **base))
    else:
        rows.append(
            step_row(
                wave,
                "latent_means",
                **base,
                fitted=False,
                code="not_invariant",
                reason="scalar invariance between the sides does not hold",
            )
        )
    if reason:
        rows.append(
            step_row(
                wave,
                "estimator_comparison",
                **base,
                fitted=False,
                code="not_estimable",
                reason=reason,
            )
        )
    else:
        rows.append(step_row(wave, "estimator_comparison", **base))
    rows.append(step_row(wave, "aggregation", n=n))
    return rows


def full_model_fits(
    data: pd.DataFrame, model: FactorModel, options: Options, group: str = "side"
) -> bool:
    """Whether the data have the respondents to try every step with the full model at once:
    :func:`minimum_respondents` of the multi-group model, and the minimum in each group."""
    groups = data[group].value_counts()
    return (
        len(groups) >= 2
        and groups.min() >= MIN_RESPONDENTS_MODEL
        and len(data) >= minimum_respondents(model, len(groups))
    )


def full_model_row(
    data,
    model: FactorModel,
    options: Options,
    step: str,
    group: str | None,
    estimator: str,
    code: str = "",
    reason: str = "",
) -> dict:
    """The steps row of ``step`` fitted with the full model (across ``group``'s values)."""
    n_groups = 1 if group is None else data[group].nunique()
    parameters = free_parameters(model, estimator, n_groups, options.high - options.low + 1)
    return step_row(
        options.wave,
        step,
        FULL,
        model.factors,
        estimator,
        missing_for(estimator, options.missing),
        len(data),
        parameters,
        minimum_respondents(model, n_groups),
        code=code,
        reason=reason,
    )


def checks_by_model(tables: Mapping[str, pd.DataFrame], estimator: str) -> pd.DataFrame:
    """The ``checks`` table of a wave fitted step by step: the checks of each fitted model
    (global fit, convergent validity, invariance) with its ``model`` and estimator, and
    those of no model (reliability, HTMT, ICC) with an empty ``model``; in the order of the
    criteria."""
    plain = {
        k: tables[k] for k in (TABLE_RELIABILITY, TABLE_HTMT, TABLE_AGGREGATION) if k in tables
    }
    frames = [checks_table(plain, estimator).assign(**{COL_MODEL: ""})]
    names = []
    for name in (TABLE_CFA_FIT, TABLE_INVARIANCE):
        if name in tables:
            names += [m for m in tables[name][COL_MODEL].unique() if m not in names]
    for model_name in names:
        part, used = {}, estimator
        for name in (TABLE_CFA_FIT, TABLE_VALIDITY, TABLE_INVARIANCE):
            if name in tables:
                rows = tables[name][tables[name][COL_MODEL] == model_name]
                if not rows.empty:
                    part[name] = rows
                    used = str(rows["estimator"].iloc[0])
        frames.append(checks_table(part, used).assign(**{COL_MODEL: model_name}))
    checks = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    order = {c.check: i for i, c in enumerate(criteria.CRITERIA)}
    checks = checks.sort_values("check", key=lambda c: c.map(order), kind="stable")
    model_column = checks.pop(COL_MODEL)
    checks.insert(0, COL_MODEL, model_column)
    return checks.reset_index(drop=True)


def stepwise_across_waves(
    sample: pd.DataFrame, model: FactorModel, options: Options, full_failed: list[dict] = ()
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Invariance with the wave as group, as large a model as the waves carry: the
    ``invariance`` table (with ``model``) and the ``invariance_waves`` steps rows;
    ``full_failed``: the rows of the full model, tried already."""
    fitted: dict[str, tuple] = {}
    rows: list[dict] = []
    for _, _, table_rows in _by_parts(
        sample, model, options, "invariance_waves", fitted, group="wave",
        full_failed=list(full_failed),
    ):  # fmt: skip
        rows += table_rows
    tables: dict[str, pd.DataFrame] = {}
    _invariance_tables(fitted, sample, options, "wave", tables)
    return tables, rows


def steps_table(rows: Sequence[dict]) -> pd.DataFrame:
    """The ``steps`` rows as a table with :data:`STEP_COLUMNS`."""
    return pd.DataFrame(list(rows), columns=list(STEP_COLUMNS))


__all__ = [
    "MIN_RESPONDENTS_DESCRIPTIVE",
    "MIN_RESPONDENTS_MODEL",
    "REASON_CODES",
    "STEP_COLUMNS",
    "free_parameters",
    "model_parts",
    "stepwise_tables",
]
