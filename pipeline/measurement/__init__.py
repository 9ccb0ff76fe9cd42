"""The instrument's psychometrics in the pipeline: per wave, both sides, and across waves.

The factor model comes from the instrument (its reflective constructs, reverse keys marked),
so a change to the YAML changes the model. This is the application's adapter to the
psychometrics library (:mod:`samenspel.pipeline.psychometrics`), which knows nothing of the
questionnaire or the methodology. Per wave the tables of
:func:`~samenspel.pipeline.psychometrics.tables.psychometric_tables` are computed with the two sides
as groups (reliability per side, invariance between the sides, with a search for partial
invariance where a step fails) and areas as clusters (ICC); across waves, measurement
invariance with the wave as group. The estimator is the methodology file's choice
(``psychometrics: estimator``, WLSMV by default: the five-point items as ordered categories,
missing answers pairwise); the other treatment (``comparison``) is fitted beside it per wave
for the ``estimator_comparison`` table. A wave too small for the whole model at once is
analysed step by step, as far as it carries
(:mod:`~samenspel.pipeline.psychometrics.small_waves`: per pillar, per construct,
or not at all below a documented minimum); ``psychometrics_steps`` says per wave and step
what was fitted and why, and the tables of a model name it in a ``model`` column.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd

from samenspel.common.parallel import in_parallel
from samenspel.instrument.model import SIDES, Instrument
from samenspel.pipeline.measurement.language_mode import language_mode_calls
from samenspel.pipeline.methodology import Methodology, load_methodology
from samenspel.pipeline.psychometrics import invariance as invariance
from samenspel.pipeline.psychometrics import small_waves
from samenspel.pipeline.psychometrics.criteria import criteria_table
from samenspel.pipeline.psychometrics.factor_model import parse_factor_model
from samenspel.pipeline.psychometrics.invariance import COL_GROUP_PARTIAL, measurement_invariance
from samenspel.pipeline.psychometrics.ordinal import PolychoricNotPositiveDefinite
from samenspel.pipeline.psychometrics.tables import (
    TABLE_CFA_FIT,
    TABLE_CFA_PARAMETERS,
    TABLE_CHECKS,
    TABLE_INVARIANCE,
    TABLE_LATENT_MEANS,
    TABLE_MODIFICATION,
    TABLE_PARTIAL,
    TABLE_VALIDITY,
    psychometric_tables,
    subsample,
)
from samenspel.pipeline.score import clean_answers

PREFIX = "psychometrics_"
COL_WAVE = "wave"
COL_COMPARISON = "comparison"
COL_PROBLEM = "problem"
#: Columns of ``psychometrics_latent_means``: per wave and factor, the informal side's latent
#: mean relative to the professionals' (fixed at 0) in the scalar model, raw and in SD units
#: of the professionals' factor, with the omnibus test of equal latent means; computed where
#: scalar invariance between the sides holds, fully or partially (see
#: :func:`.invariance.latent_mean_differences`).
LATENT_MEAN_COLUMNS = (COL_WAVE, small_waves.COL_MODEL, *invariance.LATENT_MEAN_COLUMNS)
#: The tables of a fitted model, which name it in a ``model`` column: ``full`` (every
#: reflective construct), or for a small wave ``pillar <name>`` or ``construct <code>`` (see
#: :mod:`.small_waves`); in ``checks`` empty for the checks of no model (reliability,
#: HTMT, ICC).
MODEL_TABLES = (
    TABLE_CFA_FIT, TABLE_CFA_PARAMETERS, TABLE_VALIDITY, TABLE_MODIFICATION, TABLE_INVARIANCE,
    TABLE_PARTIAL, TABLE_LATENT_MEANS,
)  # fmt: skip
# Index components that are reflective constructs of the factor model, by the same code.
REFLECTIVE_COMPONENTS = ("OGD", "TRU", "UNF", "DIS", "IND")


def instrument_factor_model(instrument: Instrument) -> tuple[dict[str, list[str]], int, int]:
    """``{construct: [item, "-item", ...]}`` of the reflective constructs, and the answer range.

    All reflective items must share one answer range (for reverse keys); otherwise a
    ``ValueError`` names the scales.
    """
    model, ranges = {}, set()
    for construct in instrument.constructs.values():
        if construct.kind != "reflective":
            continue
        model[construct.code] = [("-" if i.reverse else "") + i.code for i in construct.items]
        for item in construct.items:
            scale = instrument.scale_of(item.code)
            ranges.add((scale.low, scale.high))
    if len(ranges) != 1:
        raise ValueError(f"reflective items use different answer ranges {sorted(ranges)}")
    low, high = ranges.pop()
    return model, low, high


def measurement_tables(
    responses: pd.DataFrame,
    instrument: Instrument,
    method: Methodology | None = None,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Psychometric tables per wave (column ``wave``) and invariance across waves, on up to
    ``jobs`` processes (default: every usable core; see :mod:`samenspel.common.parallel`).

    Returns tables named ``psychometrics_<table>``; ``psychometrics_invariance`` and
    ``psychometrics_partial_invariance`` have a ``comparison`` column (``sides`` within a
    wave, ``waves`` across them, ``language`` and ``mode`` within a wave per construct, the
    construct in their ``construct`` column, empty for the others: see
    :mod:`.language_mode`, which also writes ``psychometrics_invariance_language_mode``).
    A wave whose data cannot carry the model gets a row in ``psychometrics_problems``
    instead of a crash. ``method`` gives the estimator (default:
    the methodology file shipped with samenspel). ``progress(done, total)`` is called as
    each wave, and the comparison across waves, is finished (they run on every core).
    """
    method = method or load_methodology()
    model, low, high = instrument_factor_model(instrument)
    in_index = responses[responses["side"].isin(SIDES)]
    answers = clean_answers(in_index, instrument)
    items = [code.lstrip("-") for codes in model.values() for code in codes]
    data = answers[items].copy()
    data["side"] = in_index["side"].to_numpy()
    data["area"] = in_index["area"].to_numpy()
    data["wave"] = in_index["wave"].to_numpy()
    # groups enter in order of first appearance: professionals first, the latent means'
    # reference
    data = data.sort_values("side", key=lambda side: side != SIDES[0], kind="stable")
    # every wave, and the comparison across waves, is a piece of its own: on every core
    calls = [
        (_wave_job, (wave, part.drop(columns="wave"), model, low, high, method))
        for wave, part in data.groupby("wave", sort=True)
    ]
    if data["wave"].nunique() > 1:
        sample = subsample(
            data.drop(columns=["side", "area"]), "wave", method.psychometrics_sample, method.seed
        )
        calls.append((_across_waves_job, (sample, model, low, high, method)))
    # per wave and construct, invariance by language and by mode (see language_mode.py)
    calls += language_mode_calls(in_index, data, model, method)
    collected: dict[str, list[pd.DataFrame]] = {}
    problems = []
    for tables, trouble in in_parallel(calls, progress=progress, workers=jobs):
        problems.extend(trouble)
        for name, table in tables.items():
            collected.setdefault(name, []).append(table)
    result = {}
    for name, tables in collected.items():
        result[PREFIX + name] = (
            tables[0] if name == "criteria" else pd.concat(tables, ignore_index=True)
        )
    if problems:
        result[PREFIX + "problems"] = pd.DataFrame(problems)
    # the checks table first: it is what the report shows beside the criteria
    order = [PREFIX + TABLE_CHECKS] + [k for k in result if k != PREFIX + TABLE_CHECKS]
    return {k: result[k] for k in order if k in result}


def _options(wave, low, high, method: Methodology) -> small_waves.Options:
    pillars = (method.pillars, {c["quality"]: name for name, c in method.components.items()
                                if "quality" in c})  # fmt: skip
    return small_waves.Options(
        wave, low, high, method.cfa_estimator, method.cfa_comparison, method.cfa_missing,
        method.cfa_parameterization, pillars,
    )  # fmt: skip


def _wave_job(wave, data, model, low, high, method: Methodology):
    """One wave's tables (with its ``wave`` column) and its problems: every step with the
    full model where the wave carries it (with the estimator, else (WLSMV) with the
    continuous comparison estimator); else step by step as far as the wave carries
    (:mod:`.small_waves`). The ``steps`` table says which."""
    parsed, options = parse_factor_model(model), _options(wave, low, high, method)
    sample = subsample(data, "side", method.psychometrics_sample, options.seed)
    problems, tables, reason, estimator = [], {}, "", method.cfa_estimator
    if small_waves.full_model_fits(sample, parsed, options):
        tables, problems, reason = _full_wave(wave, data, model, low, high, method)
        estimator = method.cfa_comparison if reason else estimator
    if tables:
        steps = small_waves.full_model_steps(tables, sample, parsed, options, estimator, reason)
        for name in MODEL_TABLES:
            if name in tables:
                tables[name] = tables[name].copy()
                tables[name].insert(0, small_waves.COL_MODEL, small_waves.FULL)
        checks = tables[TABLE_CHECKS].copy()
        of_model = checks["check"].isin(("global fit", "convergent validity", "invariance"))
        checks.insert(0, small_waves.COL_MODEL, of_model.map({True: small_waves.FULL, False: ""}))
        tables[TABLE_CHECKS] = checks
    else:
        tables, steps = small_waves.stepwise_tables(data, parsed, options,
                                                    method.psychometrics_sample)  # fmt: skip
        tables[TABLE_CHECKS] = small_waves.checks_by_model(tables, method.cfa_estimator)
    tables[small_waves.TABLE_STEPS] = small_waves.steps_table(steps)
    labelled = {}
    for name, table in tables.items():
        table = table.copy()
        if name in (TABLE_INVARIANCE, TABLE_PARTIAL):
            table.insert(0, COL_COMPARISON, "sides")
        if name not in ("criteria", small_waves.TABLE_STEPS):
            table.insert(0, COL_WAVE, wave)
        labelled[name] = table
    if "criteria" not in labelled:
        labelled["criteria"] = criteria_table()
    return labelled, problems


def _full_wave(wave, data, model, low, high, method: Methodology):
    """Every table with the full model at once: (tables, problems, why the continuous
    comparison estimator was used instead of WLSMV ('' if it was not)); no tables when
    neither fits."""
    problems = []
    try:
        return _wave_tables(data, model, low, high, method), problems, ""
    except small_waves.FIT_FAILURES as exc:
        problems.append({COL_WAVE: wave, COL_PROBLEM: _problem(exc)})
        if method.cfa_estimator != "WLSMV":
            return {}, problems, ""
        # the ordinal model cannot be fitted (e.g. an answer category that no one on one
        # side chose): the wave gets the continuous treatment, and the problem says so
        try:
            tables = _wave_tables(data, model, low, high, method, fallback=True)
        except small_waves.FIT_FAILURES as again:
            problems.append({COL_WAVE: wave, COL_PROBLEM: _problem(again)})
            return {}, problems, ""
        problems[-1][COL_PROBLEM] += (
            f"; this wave was analysed with {method.cfa_comparison} (continuous) instead"
        )
        return tables, problems, f"WLSMV: {_problem(exc)}; fitted with {method.cfa_comparison}"


def _across_waves_job(sample, model, low, high, method: Methodology):
    """Invariance with the wave as group, on the waves' sample: with the full model (with
    the estimator, else (WLSMV) with the continuous comparison estimator), else as large a
    model as the waves carry (:mod:`.small_waves`); the problems met and the ``steps``
    rows (wave ``all``)."""
    parsed, options = parse_factor_model(model), _options("all", low, high, method)
    tables, problems = {}, []
    if small_waves.full_model_fits(sample, parsed, options, group="wave"):
        tables, problems = _full_across_waves(sample, model, method)
    if tables:
        across = tables[TABLE_INVARIANCE]
        across.insert(2, small_waves.COL_MODEL, small_waves.FULL)
        estimator = str(across["estimator"].iloc[0])
        instead = estimator != method.cfa_estimator
        steps = [small_waves.full_model_row(
            sample, parsed, options, "invariance_waves", "wave", estimator,
            code="continuous_instead" if instead else "",
            reason=f"WLSMV: {problems[0][COL_PROBLEM]}" if instead else "",
        )]  # fmt: skip
    else:
        tried = [  # the full model, tried above: the waves go on with smaller ones
            small_waves.full_model_row(sample, parsed, options, "invariance_waves", "wave",
                                       name, code="not_estimable", reason=problem[COL_PROBLEM])
            for name, problem in zip(_candidates(method), problems, strict=False)
        ]  # fmt: skip
        for row in tried:
            row["fitted"] = False
        found, steps = small_waves.stepwise_across_waves(sample, parsed, options, tried)
        if TABLE_INVARIANCE in found:
            across = found[TABLE_INVARIANCE]
            across.insert(0, COL_COMPARISON, "waves")
            across.insert(0, COL_WAVE, "all")
            tables[TABLE_INVARIANCE] = across
    tables[small_waves.TABLE_STEPS] = small_waves.steps_table(steps)
    return tables, problems


def _candidates(method: Methodology) -> list[str]:
    """The estimator, then (WLSMV) the continuous comparison estimator."""
    estimator = method.cfa_estimator
    return [estimator] + ([method.cfa_comparison] if estimator == "WLSMV" else [])


def _full_across_waves(sample, model, method: Methodology):
    problems = []
    for number, name in enumerate(_candidates(method)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PolychoricNotPositiveDefinite)
                across = measurement_invariance(
                    sample, model, "wave", estimator=name,
                    missing=small_waves.missing_for(name, method.cfa_missing),
                    parameterization=method.cfa_parameterization,
                ).table.copy()  # fmt: skip
        except small_waves.FIT_FAILURES as exc:
            problems.append({COL_WAVE: "all", COL_PROBLEM: _problem(exc)})
            continue
        if number:
            problems[-1][COL_PROBLEM] += f"; the waves were compared with {name} instead"
        across.insert(0, COL_COMPARISON, "waves")
        across.insert(0, COL_WAVE, "all")
        return {TABLE_INVARIANCE: across}, problems
    return {}, problems


def _problem(exc: Exception) -> str:
    """The text of a problems row."""
    if isinstance(exc, PolychoricNotPositiveDefinite):
        return (
            str(exc).split(": DWLS")[0] + ": too few respondents for the items (or "
            "near-duplicate items) to analyse them as ordinal"
        )
    return str(exc)


def _wave_tables(data, model, low, high, method: Methodology, fallback: bool = False):
    """One wave's psychometric tables with the methodology's estimator (or, as the
    fallback, with its continuous comparison estimator and no comparison)."""
    estimator = method.cfa_comparison if fallback else method.cfa_estimator
    with warnings.catch_warnings():
        # a polychoric matrix that is not positive definite: too few respondents for the
        # items (or near-duplicate items); the wave is not analysed ordinally
        warnings.simplefilter("error", PolychoricNotPositiveDefinite)
        return psychometric_tables(
            data, model, low, high, group="side", cluster="area", standard_errors=False,
            estimator=estimator, parameterization=method.cfa_parameterization,
            compare_estimator=None if fallback else method.cfa_comparison,
            partial_search=True, max_sample=method.psychometrics_sample,
            missing=method.cfa_missing,
        )  # fmt: skip


def _covers_every_factor(tables: dict[str, pd.DataFrame], rows: pd.DataFrame) -> bool:
    """Whether the models of these invariance rows across waves hold every factor: the
    full model, or (a small wave, see :mod:`.small_waves`) parts that together do."""
    models = set(rows.get(small_waves.COL_MODEL, pd.Series([small_waves.FULL])))
    if small_waves.FULL in models:
        return True
    steps = tables.get(PREFIX + small_waves.TABLE_STEPS)
    if steps is None:
        return False
    every = steps.loc[steps["step"] == "cfa", "factors"].str.split(", ").explode()
    fitted = steps[(steps["step"] == "invariance_waves") & steps["fitted"].astype(bool)
                   & steps["model"].isin(models)]  # fmt: skip
    covered = set(fitted["factors"].str.split(", ").explode())
    return set(every.dropna()) <= covered


def psychometric_inputs(
    tables: dict[str, pd.DataFrame], waves: list[str]
) -> tuple[pd.DataFrame | None, dict[str, float] | None, bool | None]:
    """What the index takes from the psychometrics.

    Returns (invariance across waves as ``wave_from, wave_to, holds`` rows for every pair
    of waves, in the order ``waves`` gives; ``holds`` is missing (not testable) when the test
    across waves could not be fitted; CFA-derived component weights; per wave whose test
    ran, whether scalar invariance between the sides holds, fully or partially: what latent
    means need). Trends of the index, which
    averages observed answers, need full scalar invariance across waves (configural fit,
    then equal loadings (and thresholds) and intercepts, nothing released); the test pools
    all waves, so one verdict covers every pair. Component
    weights are the mean absolute standardised loading of each reflective construct in the
    latest wave; IGF and COL are not in the factor model and get the mean of the others.
    """
    invariance = tables.get(PREFIX + TABLE_INVARIANCE)
    across, between = None, None
    if invariance is not None:
        scalar = invariance[invariance["step"] == "scalar"]
        waves_rows = scalar[scalar[COL_COMPARISON] == "waves"]
        holds = pd.NA  # the test across waves did not run: every pair is not testable
        if not waves_rows.empty and _covers_every_factor(tables, waves_rows):
            full = (waves_rows[COL_GROUP_PARTIAL].fillna("") == "").all()
            holds = bool(waves_rows["holds"].astype(bool).all()) and bool(full)
        pairs = [(a, b) for i, a in enumerate(waves) for b in waves[i + 1 :]]
        if pairs:
            across = pd.DataFrame(pairs, columns=["wave_from", "wave_to"]).assign(holds=holds)
        # per wave: only a wave whose test between the sides ran has a verdict, and it holds
        # only where every model tested has its latent means (the chain held up to scalar)
        sides = invariance[invariance[COL_COMPARISON] == "sides"]
        latent = tables.get(PREFIX + TABLE_LATENT_MEANS)
        if COL_WAVE in sides:
            between = {}
            for wave, rows in sides.groupby(COL_WAVE):
                tested = set(rows.get(small_waves.COL_MODEL, pd.Series([small_waves.FULL])))
                compared = set()
                if latent is not None and COL_WAVE in latent:
                    of_wave = latent[latent[COL_WAVE].astype(str) == str(wave)]
                    compared = set(of_wave.get(small_waves.COL_MODEL, pd.Series(
                        [small_waves.FULL] * len(of_wave), dtype=object)))  # fmt: skip
                between[str(wave)] = tested <= compared
    parameters = tables.get(PREFIX + "cfa_parameters")
    weights = None
    if parameters is not None and not parameters.empty:
        fitted = [w for w in waves if w in set(parameters[COL_WAVE].astype(str))]
        last = fitted[-1] if fitted else parameters[COL_WAVE].max()
        latest = parameters[parameters[COL_WAVE].astype(str) == str(last)]
        loadings = latest[latest["op"] == "=~"]
        by_construct = loadings.groupby("lhs")["std_all"].apply(lambda v: v.abs().mean())
        weights = {c: float(by_construct[c]) for c in REFLECTIVE_COMPONENTS if c in by_construct}
        if weights:
            fallback = float(sum(weights.values()) / len(weights))
            weights.update({c: fallback for c in ("IGF", "COL")})
    return across, weights, between
