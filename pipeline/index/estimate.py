"""The hybridisation index per area x wave (docs/methodology.md, sections 4-6).

1. components per respondent on 0-100 (100 = hybrid), fixed goalposts;
2. per area x side x wave: component means -> pillars -> side index;
3. area index = geometric mean of the two side indices, with the asymmetry gap;
4. bands;
5. a bootstrap that follows how the sample was drawn, within area x side x wave, with 95%
   percentile intervals:

   * **design weights** (:func:`design_weights`): a respondent of a listed unit stands for
     the unit's ``members`` in the area registry over its respondents in the cell; every
     mean (components, and so pillars, sides, the area index and the gap) is weighted, in
     the point estimate and in every replicate;
   * waves without unit codes: respondents are resampled (stratified bootstrap); it assumes
     independent draws;
   * waves with unit codes (the wijkteam or organisation a respondent was reached through):
     a two-stage residual bootstrap (Carpenter, Goldstein & Rasbash 2003). The respondents'
     resample is scaled down to the within-unit spread (``sqrt(1 - ICC)``) and every unit
     of the cell gets a unit effect resampled from the units of the same wave and side
     (:mod:`.design`), times its share of the cell's weight. The effects are taken on the
     logit scale of a component mean (the values divided by their area's slope
     ``100 p (1 - p)``) and added there (:func:`shift_on_logit`), so that no replicate, and
     no interval, leaves 0-100. With ``uncertainty.units: finite`` (the default) the
     effects of listed units are scaled by ``sqrt(1 - f)``, ``f`` the share of the area's
     listed units reached: the estimand is the members of those units now, so no
     between-unit variance is left when every listed unit answered. A respondent without a
     listed unit is a unit of one and keeps a whole effect. The within-unit part is not
     corrected unless ``uncertainty.members: finite`` (then scaled by ``sqrt(1 - g)``,
     ``g`` the cell's respondents of listed units over those units' members).

   Every random draw of a cell comes from its own stream, keyed by the methodology's seed
   and the cell (area, wave, side; :func:`stream`), and the cell's respondents are put in
   a fixed order (unit, then their values) first: a wave's figures do not move when
   another wave is added, when its rows arrive in another order, or when the store is
   rebuilt with another pseudonym key (the order uses no respondent code). The respondent
   codes are only kept (:class:`BootstrapInputs`) for the change between waves, whose joint
   bootstrap of areas with panel members (:mod:`.panel`) has streams of its own.

The same function (:func:`indices_from_means`) turns component means into indices for the
point estimate, for every bootstrap replicate, for the simulator's truth and for the
sensitivity analysis, so they can never drift apart.

The bootstrap has no loop over replicates (:func:`bootstrap_stratum_means`): strata of equal
size are stacked, every replicate's resample is a vector of draw counts, and the resampled
sums are one batched matrix product, in float32 and in chunks of cells so that memory stays
bounded. At national scale (3,000 areas x 2 sides x 40 respondents x 5 waves, 1,000
replicates) it takes about 23 s of CPU without unit codes and about 70 s with them, under
1 GB (``make bench-index``). The area index replicates are kept in :class:`IndexResult` for
the change between waves.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samenspel.instrument.model import SIDES, Instrument
from samenspel.pipeline.index.design import (
    UnitCovariance,
    clustered_waves,
    listed,
    mean_unit_size,
    unit_codes,
    unit_covariance,
    unit_effect_pool,
)
from samenspel.pipeline.methodology import COMPONENTS, SIDE_AGGREGATIONS, Methodology
from samenspel.pipeline.score import mean_with_rule, score_scales

# Columns of the tidy results, defined once.
INDEX_COLUMNS = (
    "area", "wave", "index", "ci_low", "ci_high", "band",
    "index_professional", "ci_low_professional", "ci_high_professional",
    "index_informal", "ci_low_informal", "ci_high_informal",
    "gap", "gap_ci_low", "gap_ci_high",
    "n_professional", "n_informal", "status",
)  # fmt: skip
SIDE_COLUMNS = ("area", "wave", "side", "measure", "value", "ci_low", "ci_high", "n", "status")
BOOTSTRAP_CHUNK_ELEMENTS = 250_000  # draws per bootstrap chunk: small enough to stay in cache


def rescale(score: pd.Series, low: float, high: float) -> pd.Series:
    """Map a scale score from [low, high] onto 0-100."""
    return 100.0 * (score - low) / (high - low)


def count_goalpost(counts: pd.Series, cap: float) -> pd.Series:
    """0-100 from a count: ``100 * log(1 + min(x, cap)) / log(1 + cap)``."""
    return 100.0 * np.log1p(counts.clip(lower=0, upper=cap)) / np.log1p(cap)


def positive_gap_mapping(gap: pd.Series, max_gap: float) -> pd.Series:
    """IGF default: ``100 * (1 - min(max(d, 0), max_gap) / max_gap)``; favouring the other
    side gives 100, a gap of ``max_gap`` or more gives 0."""
    return 100.0 * (1.0 - gap.clip(lower=0, upper=max_gap) / max_gap)


def symmetric_gap_mapping(gap: pd.Series, max_gap: float) -> pd.Series:
    """IGF alternative (sensitivity): ``50 * (1 - d / max_gap)`` kept within 0-100; equal
    grades give 50."""
    return 50.0 * (1.0 - gap.clip(lower=-max_gap, upper=max_gap) / max_gap)


def respondent_components(
    answers: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument, method: Methodology
) -> pd.DataFrame:
    """The seven components (0-100) for each respondent; NaN where a score is missing."""
    out = {}
    for name in COMPONENTS:
        spec = method.components[name]
        source = spec["from"]
        mapping = spec["mapping"]
        if mapping in ("rescaled", "reversed"):
            first = instrument.constructs[source].items[0].code
            scale = instrument.scale_of(first)
            value = rescale(scores[source], scale.low, scale.high)
            out[name] = value if mapping == "rescaled" else 100.0 - value
        elif mapping == "positive_gap":
            gap = scores[f"{source}_gap"]
            out[name] = positive_gap_mapping(gap, float(spec["max_gap"]))
        elif mapping == "symmetric_gap":
            gap = scores[f"{source}_gap"]
            out[name] = symmetric_gap_mapping(gap, float(spec["max_gap"]))
        elif mapping == "counts_and_quality":
            parts = pd.DataFrame(
                {code: count_goalpost(answers[code], cap) for code, cap in spec["caps"].items()}
            )
            count_part = mean_with_rule(parts, method.min_share_answered)
            quality = spec["quality"]
            q_scale = instrument.scale_of(instrument.constructs[quality].items[0].code)
            quality_part = rescale(scores[quality], q_scale.low, q_scale.high)
            out[name] = pd.concat([count_part, quality_part], axis=1).mean(axis=1)
    return pd.DataFrame(out, index=answers.index)


def components_of_answers(
    answers: pd.DataFrame, instrument: Instrument, method: Methodology
) -> pd.DataFrame:
    """Clean answers (:func:`~samenspel.pipeline.score.clean_answers`) -> scale scores with
    the methodology's half rule -> the seven components per respondent."""
    scores = score_scales(answers, instrument, method.min_share_answered)
    return respondent_components(answers, scores, instrument, method)


def _weighted_nanmean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted means over the last axis, ignoring NaN (NaN if all are NaN).

    ``weights`` is (k,) for one mean or (k, m) for m weighted means at once (a membership
    matrix). Column by column rather than as a matrix product: with k = 7 and m = 3, BLAS
    is slower than plain vector operations on the bootstrap's large arrays.
    """
    matrix = weights if weights.ndim == 2 else weights[:, None]
    shape = (*values.shape[:-1], matrix.shape[1])
    sums = np.zeros(shape, dtype=values.dtype)
    totals = np.zeros(shape, dtype=values.dtype)
    for j in range(matrix.shape[0]):
        column = values[..., j]
        ok = ~np.isnan(column)
        filled = np.where(ok, column, 0)
        for m in np.flatnonzero(matrix[j]):
            weight = values.dtype.type(matrix[j, m])
            sums[..., m] += weight * filled
            totals[..., m] += weight * ok
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / totals
    means[totals <= 0] = np.nan
    return means if weights.ndim == 2 else means[..., 0]


def _pillar_means(
    component_means: np.ndarray, method: Methodology, component_weights: np.ndarray | None
) -> np.ndarray:
    """Weighted mean of each pillar's component means (NaN components left out)."""
    weights = np.ones(len(COMPONENTS)) if component_weights is None else component_weights
    membership = np.zeros((len(COMPONENTS), len(method.pillars)))
    for p, members in enumerate(method.pillars.values()):
        for c in members:
            membership[COMPONENTS.index(c), p] = weights[COMPONENTS.index(c)]
    return _weighted_nanmean(component_means, membership)


def aggregate_sides(professional: np.ndarray, informal: np.ndarray, how: str) -> np.ndarray:
    """Area index from the two side indices: ``geometric``, ``arithmetic`` or ``minimum``."""
    if how == "geometric":
        return np.sqrt(np.clip(professional, 0, None) * np.clip(informal, 0, None))
    if how == "arithmetic":
        return (professional + informal) / 2
    if how == "minimum":
        return np.minimum(professional, informal)
    raise ValueError(f"side aggregation must be one of {SIDE_AGGREGATIONS}, got {how!r}")


def indices_from_means(
    component_means: np.ndarray,
    method: Methodology,
    pillar_weights: dict[str, float] | None = None,
    component_weights: np.ndarray | None = None,
    side_aggregation: str | None = None,
) -> dict[str, np.ndarray]:
    """Pillars, side indices, area index and gap from component means.

    ``component_means`` has shape (..., cells, 2 sides, 7 components) in the order of
    :data:`SIDES` and :data:`COMPONENTS`. Returns arrays: ``pillars`` (..., cells, 2, P),
    ``side`` (..., cells, 2), ``index`` and ``gap`` (..., cells). The optional weights and
    aggregation override the methodology (sensitivity analysis); components weigh equally
    within their pillar unless ``component_weights`` (one per component) is given.
    """
    pillar_names = list(method.pillars)
    weights_by_pillar = method.pillar_weights if pillar_weights is None else pillar_weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty cells give NaN, as they should
        pillars = _pillar_means(component_means, method, component_weights)
    weights = np.array([weights_by_pillar[p] for p in pillar_names])
    side = _weighted_nanmean(pillars, weights)
    professional, informal = side[..., 0], side[..., 1]
    how = method.side_aggregation if side_aggregation is None else side_aggregation
    index = aggregate_sides(professional, informal, how)
    return {"pillars": pillars, "side": side, "index": index, "gap": professional - informal}


def respondent_side_scores(components: pd.DataFrame, method: Methodology) -> np.ndarray:
    """Each respondent's side composite: weighted mean of their pillar scores (0-100).

    Without missing components the side index equals the mean of these, so their spread
    and their intraclass correlation describe the side index's sampling variance.
    """
    values = components[list(COMPONENTS)].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pillars = _pillar_means(values, method, None)
    weights = np.array([method.pillar_weights[p] for p in method.pillars])
    return _weighted_nanmean(pillars, weights)


def stratum_means(
    values: np.ndarray, starts: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Nan-aware (weighted) means of consecutive row blocks starting at ``starts``.

    ``values`` has shape (..., rows, k) and ``weights`` (rows,) or None for equal weights;
    the result has shape (..., strata, k).
    """
    ok = ~np.isnan(values)
    w = 1.0 if weights is None else weights[:, None]
    sums = np.add.reduceat(np.where(ok, values, 0.0) * w, starts, axis=-2)
    totals = np.add.reduceat(ok * w, starts, axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / totals


def bootstrap_stratum_means(
    values: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    replicates: int,
    rng: np.random.Generator | Sequence[np.random.Generator | None],
    chunk_elements: int = BOOTSTRAP_CHUNK_ELEMENTS,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Nan-aware (weighted) means of ``replicates`` stratified bootstrap resamples, float32.

    ``values`` (rows, k) holds the respondents; stratum ``s`` is the row block
    ``starts[s] : starts[s] + sizes[s]``; ``weights`` (rows,) are their design weights (None:
    equal). ``rng`` is one generator for every stratum, or one per stratum (None where the
    stratum is empty): then a stratum's resamples depend on its own stream only, whatever
    the other strata. Returns (replicates, strata, k); strata with no rows give NaN.
    Vectorised without a loop over replicates: strata of equal size are stacked into one
    (strata, n, k) array, each replicate's resample becomes a vector of draw counts per
    respondent (a bincount of uniform draws), and the resampled weighted sums are one
    batched matrix product ``counts @ (w * values)``. The sum of the weights of non-missing
    values comes from the same product, so a missing component is left out exactly as in
    the point estimate.
    """
    k = values.shape[1]
    out = np.full((replicates, len(sizes), k), np.nan, dtype=np.float32)
    ok = ~np.isnan(values)
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    augmented = np.concatenate([np.where(ok, values, 0.0), ok], axis=1) * w[:, None]
    augmented = augmented.astype(np.float32)
    per_stratum = not isinstance(rng, np.random.Generator)
    for n in np.unique(sizes[sizes > 0]):
        n = int(n)
        strata = np.flatnonzero(sizes == n)
        rows = augmented[starts[strata][:, None] + np.arange(n)]  # (strata, n, 2k)
        per_chunk = max(1, chunk_elements // (replicates * n))
        draw_type = np.uint16 if n <= np.iinfo(np.uint16).max else np.uint32
        for first in range(0, len(strata), per_chunk):
            block = rows[first : first + per_chunk]
            s = len(block)
            if per_stratum:
                draws = np.stack(
                    [
                        rng[j].integers(0, n, size=(replicates, n), dtype=draw_type)
                        for j in strata[first : first + per_chunk]
                    ]
                )
            else:
                draws = rng.integers(0, n, size=(s, replicates, n), dtype=draw_type)
            offsets = (np.arange(s * replicates, dtype=np.int64) * n).reshape(s, replicates, 1)
            counts = np.bincount((draws + offsets).ravel(), minlength=s * replicates * n)
            counts = counts.reshape(s, replicates, n).astype(np.float32)
            sums = np.matmul(counts, block)  # (s, replicates, 2k)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = sums[..., :k] / sums[..., k:]
            out[:, strata[first : first + per_chunk], :] = means.transpose(1, 0, 2)
    return out


def stream(seed: int, *key: str) -> np.random.SeedSequence:
    """The random stream of one key (e.g. ``"cell", area, wave, side``) under ``seed``.

    A stable hash of the key (BLAKE2b; Python's own ``hash`` is salted per process) is
    mixed with the seed, so the draws of a cell depend on the seed and the cell alone: not
    on which other cells, waves or files are in the data, nor on their order.
    """
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    return np.random.SeedSequence([seed, *np.frombuffer(digest, dtype="<u4").tolist()])


def shift_on_logit(mean: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``mean`` (0-100) moved by ``shift`` on the logit scale:
    ``100 * expit(logit(mean / 100) + shift)``.

    Unit effects added on the logit scale keep a mean within 0-100 and shrink near the
    bounds, where units cannot differ as much as in the middle of the scale.
    """
    share = np.clip(mean / 100, 1e-6, 1 - 1e-6)
    return 100 / (1 + np.exp(-(np.log(share / (1 - share)) + shift)))


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the first axis (replicates), ignoring NaN replicates.

    Same numbers as ``numpy.nanquantile(..., method="linear")``, but one vectorised sort
    (NaN sorts last) instead of nanquantile's loop over columns; numpy's SIMD sort is also
    faster than a partial sort here. All-NaN columns give NaN.
    """
    alpha = (1 - confidence) / 2
    flat = samples.reshape(samples.shape[0], -1)
    ordered = np.sort(flat, axis=0)
    valid = (~np.isnan(ordered)).sum(axis=0)
    columns = np.arange(flat.shape[1])
    bounds = []
    for share in (alpha, 1 - alpha):
        position = share * np.maximum(valid - 1, 0)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(valid - 1, 0))
        low_value = ordered[below, columns].astype(float)
        high_value = ordered[above, columns].astype(float)
        value = low_value + (high_value - low_value) * (position - below)
        value[valid == 0] = np.nan
        bounds.append(value.reshape(samples.shape[1:]))
    return bounds[0], bounds[1]


@dataclass(frozen=True)
class IndexResult:
    """The index of a set of responses, with the bootstrap replicates kept for change.

    ``table`` has :data:`INDEX_COLUMNS` (small cells applied); ``sides`` has
    :data:`SIDE_COLUMNS`; ``replicates`` is (replicates, cells) float32 with the bootstrap
    area index of every row of ``table`` (not suppressed: callers apply the status);
    ``point`` the unsuppressed point estimates in the same order; ``design`` one row per
    area x wave x side (:data:`DESIGN_COLUMNS`) and ``unit_icc`` one row per wave x side x
    measure (:data:`UNIT_ICC_COLUMNS`), both empty of values without unit codes; ``weights``
    each respondent's design weight, by the index of ``components``.
    """

    table: pd.DataFrame
    sides: pd.DataFrame
    replicates: np.ndarray
    point: np.ndarray
    design: pd.DataFrame = field(default_factory=pd.DataFrame)
    unit_icc: pd.DataFrame = field(default_factory=pd.DataFrame)
    weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    # (cells, 2): the unsuppressed side indices and their bootstrap variances, for the
    # small-area model (:mod:`.small_area`)
    side_point: np.ndarray | None = None
    side_variance: np.ndarray | None = None
    bootstrap: BootstrapInputs | None = None


@dataclass(frozen=True)
class BootstrapInputs:
    """What the joint bootstrap of change between two waves (:mod:`.panel`) needs from the
    per-wave estimate, so that both resample alike: the respondents in stratum order (rows
    of stratum ``s`` are ``starts[s] : starts[s] + sizes[s]``) with their design weights,
    respondent codes ('' for none) and listed unit codes ('' for none); per stratum the
    point means (the centre of the two-stage bootstrap); the two-stage units, with the
    first row of each of their units; the seed."""

    grid: pd.DataFrame  # (strata,) area, wave, side
    starts: np.ndarray
    sizes: np.ndarray
    values: np.ndarray  # (rows, k) float64
    weight: np.ndarray  # (rows,)
    respondent: np.ndarray  # (rows,) object
    unit: np.ndarray  # (rows,) object: the listed unit in a wave with unit codes, else ''
    centre: np.ndarray  # (strata, k)
    units: _TwoStageUnits | None
    unit_first: np.ndarray  # (units,) the first row of each unit of ``units``
    seed: int


# design.csv: how each side of an area x wave was drawn and what its interval reflects.
DESIGN_COLUMNS = {
    "area": "area id",
    "wave": "survey wave",
    "side": "professional or informal",
    "n": "respondents of this side",
    "units": "listed units (wijkteams, organisations) the respondents were reached through",
    "individuals": "respondents who named no listed unit (each counts as a unit of one)",
    "units_listed": "units the area registry lists for this area and side",
    "share_units_reached": "units reached / units_listed: with uncertainty.units finite the "
    "between-unit variance is scaled by 1 - this share (none left when every unit answered)",
    "weighting": "members (design weights from the registry's members), or equal weights: "
    "'equal: members missing' (a reached unit has no members in the registry), 'equal: no "
    "listed unit' or 'equal: no unit codes'",
    "weight_min": "smallest design weight of a respondent (1 with equal weights)",
    "weight_max": "largest design weight of a respondent",
    "n_kish": "Kish's effective n of the weights, (sum w)^2 / sum w^2 (n with equal weights)",
    "weighting_shift": "weighted minus unweighted side index, in index points",
    "mean_unit_size": "respondent-weighted mean unit size sum(n_i^2) / sum(n_i) (Kish)",
    "icc": "ICC by unit of the side score in this wave and side (see unit_icc.csv)",
    "design_effect": "1 + (mean_unit_size - 1) * icc: variance relative to independent draws",
    "n_effective": "n / design_effect",
    "interval": "units, one unit, individuals or respondents (see the methods page)",
    "status": "published, indicative or suppressed for this side",
}
# unit_icc.csv: the intraclass correlation by unit per wave, side and measure.
UNIT_ICC_COLUMNS = {
    "wave": "survey wave (only waves with unit codes)",
    "side": "professional or informal",
    "measure": "component_<code>, or side_score (a respondent's weighted pillar score)",
    "icc": "share of the variance between units of one area (units nested in areas)",
    "design_effect": "1 + (m - 1) * icc, m the respondent-weighted mean unit size of the side",
    "units": "units in the wave and side, units of one included",
    "areas": "areas in the wave and side",
    "df": "units - areas: the degrees of freedom the between-unit variance rests on",
    "source": "data, or data pooled with the methodology's default ICC "
    "(uncertainty.unit_icc, worth uncertainty.unit_icc_units units)",
}
# design.csv's `weighting`: why a side of an area x wave has the weights it has.
WEIGHTINGS = ("members", "equal: members missing", "equal: no listed unit", "equal: no unit codes")


@dataclass(frozen=True)
class DesignWeights:
    """Per respondent (rows in stratum order) the design weight; per stratum the weighting,
    the listed units of the registry and the shares of units and members reached."""

    weight: np.ndarray  # (rows,)
    weighting: np.ndarray  # (strata,) one of WEIGHTINGS
    units_listed: np.ndarray  # (strata,) units the registry lists for the area and side
    units_reached: np.ndarray  # (strata,) of those, units with a respondent in the stratum
    members_reached: np.ndarray  # (strata,) respondents of listed units / their members


def design_weights(
    frame: pd.DataFrame, stratum: np.ndarray, grid: pd.DataFrame, registry: pd.DataFrame | None
) -> DesignWeights:
    """Design weights within area x side x wave (docs/methodology.md, section 6).

    A respondent of a listed unit stands for ``max(members, r) / r`` people, ``r`` the unit's
    respondents in the stratum (never less than one person: a registry that lists fewer
    members than answered is out of date). A respondent without a listed unit gets the
    mean weight of the stratum's listed respondents, so individuals keep their share of the
    sample. Where a reached unit has no ``members`` (or none answered through a listed unit,
    or the wave has no unit codes) every weight of the stratum is 1. ``registry`` has the
    columns code, area, side, members (:meth:`AreaRegistry.units_table`); None: no units
    listed, equal weights.
    """
    strata = len(grid)
    named = frame["_listed"].to_numpy(dtype=bool)
    unit = frame["_unit"].to_numpy(dtype=object)
    table = registry if registry is not None else pd.DataFrame(columns=["code", "area", "side"])
    members_of = {}
    if "members" in table:
        members_of = dict(zip(table["code"], pd.to_numeric(table["members"]), strict=True))
    listed_per_side = table.groupby(["area", "side"]).size()
    key = pd.MultiIndex.from_arrays([grid["area"], grid["side"].astype(str)])
    units_listed = listed_per_side.reindex(key, fill_value=0).to_numpy()
    # Respondents per (stratum, unit) and the unit's members, for the rows of listed units.
    pairs = pd.DataFrame({"stratum": stratum[named], "unit": unit[named]})
    responding = pairs.groupby(["stratum", "unit"])["unit"].transform("size").to_numpy(float)
    members = pairs["unit"].map(members_of).to_numpy(dtype=float)
    known = ~np.isnan(members)
    own = np.where(known, np.maximum(members, responding) / responding, 1.0)
    listed_rows = np.bincount(stratum[named], minlength=strata)
    unknown_rows = np.bincount(stratum[named][~known], minlength=strata)
    weighted = (listed_rows > 0) & (unknown_rows == 0)
    weight = np.ones(len(frame))
    weight[named] = np.where(weighted[stratum[named]], own, 1.0)
    mean_listed = np.bincount(stratum[named], weights=weight[named], minlength=strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_listed = mean_listed / listed_rows
    individuals = ~named & weighted[stratum]
    weight[individuals] = mean_listed[stratum[individuals]]
    # Units of the registry reached, and the share of their members who answered.
    in_registry = pairs["unit"].isin(members_of.keys() if members_of else table["code"])
    first = ~pairs.duplicated(["stratum", "unit"]).to_numpy() & in_registry.to_numpy()
    units_reached = np.bincount(pairs["stratum"].to_numpy()[first], minlength=strata)
    total_members = np.bincount(
        pairs["stratum"].to_numpy()[first & known], weights=members[first & known], minlength=strata
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        members_reached = np.where(weighted, listed_rows / total_members, 0.0)
    clustered = frame["_clustered"].to_numpy(dtype=bool)
    has_codes = np.bincount(stratum[clustered], minlength=strata) > 0
    weighting = np.select(
        [weighted, (listed_rows > 0) & ~weighted, has_codes],
        ["members", "equal: members missing", "equal: no listed unit"],
        "equal: no unit codes",
    )
    return DesignWeights(
        weight,
        weighting,
        units_listed,
        np.minimum(units_reached, units_listed),
        np.clip(np.nan_to_num(members_reached), 0.0, 1.0),
    )


def hybridisation_index(
    components: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    replicates: int | None = None,
    seed: int | None = None,
    cells_per_chunk: int = 1000,
    unit: pd.Series | None = None,
    progress: Callable[[int, int], None] | None = None,
    registry: pd.DataFrame | None = None,
    respondent: pd.Series | None = None,
) -> IndexResult:
    """Index per area x wave with bootstrap CIs, and the per-side measures.

    ``components`` holds the seven components per respondent; ``area``, ``wave`` and
    ``side`` (professional / informal) label each respondent; ``unit`` (optional) the code
    of the unit (wijkteam, organisation) a respondent was reached through, blank or
    ``individual`` for none; ``registry`` (optional)
    the area registry's units (:meth:`AreaRegistry.units_table`: code, area, side, members)
    for the design weights and the share of units reached; ``respondent`` (optional) the
    pseudonymous respondent codes, kept in :attr:`IndexResult.bootstrap` for the panel-aware
    change between waves (they never touch a wave's own figures). Respondents of other roles must
    be left out by the caller. Small cells (methodology ``small_cells``) are applied:
    suppressed cells have no values, only their n. The bootstrap (see the module docstring)
    runs over chunks of ``cells_per_chunk`` area x wave cells so that memory stays bounded
    at national scale; ``progress(done, total)`` is called after each chunk.
    """
    if not set(side.unique()) <= set(SIDES):
        raise ValueError(f"side must be one of {SIDES}, found {sorted(set(side.unique()))}")
    replicates = method.replicates if replicates is None else replicates
    seed = method.seed if seed is None else seed
    frame = components[list(COMPONENTS)].copy()
    frame["area"], frame["wave"] = area.astype(str).to_numpy(), wave.astype(str).to_numpy()
    frame["side"] = pd.Categorical(np.asarray(side), categories=SIDES)
    clustered = clustered_waves(unit, frame["wave"])
    frame["_clustered"] = frame["wave"].isin(clustered).to_numpy()
    frame["_listed"] = (listed(unit) & frame["_clustered"].to_numpy()) if clustered else False
    frame["_unit"] = (
        np.where(frame["_clustered"], unit.fillna("").astype(str).to_numpy(), "")
        if clustered
        else ""
    )
    frame["_respondent"] = (
        respondent.fillna("").astype(str).to_numpy(dtype=object) if respondent is not None else ""
    )
    # Every area x wave needs both sides as strata, even when one has no respondents.
    cells = frame[["area", "wave"]].drop_duplicates().sort_values(["area", "wave"])
    cells = cells.reset_index(drop=True)
    grid = cells.merge(pd.DataFrame({"side": SIDES}), how="cross")
    # Rows in an order that does not depend on how they arrived: by cell, unit (a unit's
    # respondents contiguous), then the values themselves (rows equal in all of these are
    # interchangeable), so a cell's draws give the same resamples whatever the file order.
    # No respondent code: a pseudonym depends on the key, and the figures must not.
    keys = [frame[c].to_numpy(dtype=float) for c in reversed(COMPONENTS)]
    keys.append(pd.factorize(frame["_unit"].to_numpy(dtype=object), sort=True)[0])
    keys.append(frame["side"].cat.codes.to_numpy())
    keys += [pd.factorize(frame[c].to_numpy(), sort=True)[0] for c in ("wave", "area")]
    order = np.lexsort(keys)
    frame = frame.iloc[order].reset_index(drop=True)
    sizes = (
        frame.groupby(["area", "wave", "side"], observed=False)
        .size()
        .reindex(pd.MultiIndex.from_frame(grid), fill_value=0)
    ).to_numpy()
    values = frame[list(COMPONENTS)].to_numpy(dtype=float)
    n_cells, n_components = len(cells), len(COMPONENTS)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    stratum = np.repeat(np.arange(len(sizes)), sizes)
    weights = design_weights(frame, stratum, grid, registry)

    # Point estimate in float64; empty strata get an all-NaN placeholder row for reduceat.
    empty = np.flatnonzero(sizes == 0)
    padded = np.insert(values, starts[empty], np.nan, axis=0) if empty.size else values
    padded_weight = np.insert(weights.weight, starts[empty], 1.0) if empty.size else weights.weight
    block = np.maximum(sizes, 1)
    block_starts = np.concatenate([[0], np.cumsum(block)[:-1]])
    means = stratum_means(padded, block_starts, padded_weight)
    shape = (n_cells, 2, n_components)
    point = indices_from_means(means.reshape(shape), method)
    point["components"] = means.reshape(shape)
    unweighted = indices_from_means(stratum_means(padded, block_starts).reshape(shape), method)

    units = _two_stage_units(frame, values, stratum, grid, clustered, method, seed, weights, means)

    # Bootstrap, chunk by chunk of cells: means -> indices -> percentile intervals. Each
    # side of an area x wave draws from its own stream, keyed by the seed and the cell
    # (:func:`stream`). (Threads gave no speed-up on the 2-core benchmark machine, so the
    # chunks run one after the other.)
    low = {key: np.full(array.shape, np.nan) for key, array in point.items()}
    high = {key: np.full(array.shape, np.nan) for key, array in point.items()}
    index_replicates = np.full((replicates, n_cells), np.nan, dtype=np.float32)
    side_variance = np.full((n_cells, 2), np.nan)
    cuts = [
        slice(first, min(first + cells_per_chunk, n_cells))
        for first in range(0, n_cells, cells_per_chunk)
    ]
    grid_keys = list(zip(grid["area"], grid["wave"], grid["side"].astype(str), strict=True))

    def run(cut: slice) -> None:
        strata = slice(2 * cut.start, 2 * cut.stop)
        generators = [
            np.random.default_rng(stream(seed, "cell", *grid_keys[s])) if sizes[s] else None
            for s in range(strata.start, strata.stop)
        ]
        first_row = starts[strata][0]
        last_row = starts[strata][-1] + sizes[strata][-1]
        boot_means = bootstrap_stratum_means(
            values[first_row:last_row],
            starts[strata] - first_row,
            sizes[strata],
            replicates,
            generators,
            weights=weights.weight[first_row:last_row],
        )
        if units is not None:
            centre = means[strata].astype(np.float32)
            boot_means = units.resample(boot_means, centre, strata, generators)
        boot_means = boot_means.reshape(replicates, cut.stop - cut.start, 2, n_components)
        result = indices_from_means(boot_means, method)
        result["components"] = boot_means
        for key, samples in result.items():
            low[key][cut], high[key][cut] = percentile_interval(samples, method.confidence)
        index_replicates[:, cut] = result["index"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an empty side: all NaN
            side_variance[cut] = np.nanvar(result["side"].astype(float), axis=0, ddof=1)

    for done, cut in enumerate(cuts):
        if progress is not None:
            progress(done, len(cuts))
        run(cut)
    if progress is not None:
        progress(len(cuts), len(cuts))

    n = sizes.reshape(n_cells, 2)
    side_status = [[publication_status(int(k), method) for k in row] for row in n]
    table = cells.copy()
    table["index"], table["ci_low"], table["ci_high"] = point["index"], low["index"], high["index"]
    for s, name in enumerate(SIDES):
        table[f"index_{name}"] = point["side"][:, s]
        table[f"ci_low_{name}"] = low["side"][:, s]
        table[f"ci_high_{name}"] = high["side"][:, s]
    table["gap"], table["gap_ci_low"], table["gap_ci_high"] = point["gap"], low["gap"], high["gap"]
    table["n_professional"], table["n_informal"] = n[:, 0], n[:, 1]
    table["status"] = [worst_status(statuses) for statuses in side_status]
    table["band"] = [method.band_of(v) for v in table["index"]]
    value_columns = [
        c
        for c in INDEX_COLUMNS
        if c not in ("area", "wave", "n_professional", "n_informal", "status", "band")
    ]
    suppressed = table["status"] == "suppressed"
    table.loc[suppressed, value_columns] = np.nan
    table.loc[suppressed, "band"] = ""
    side_table = _side_table(cells, point, low, high, n, side_status, method)
    shift = (point["side"] - unweighted["side"]).reshape(-1)
    design = _design_table(frame, stratum, grid, sizes, units, side_status, weights, shift)
    unit_icc = (
        units.icc_table() if units is not None else pd.DataFrame(columns=list(UNIT_ICC_COLUMNS))
    )
    unit_first = np.zeros(0, dtype=np.int64)
    if units is not None:
        codes = unit_codes(frame["_unit"].where(frame["_listed"], ""), stratum)
        in_groups = units.group_of_stratum[stratum] >= 0
        unit_first = np.flatnonzero(in_groups & np.r_[True, codes[1:] != codes[:-1]])
    inputs = BootstrapInputs(
        grid, starts, sizes, values, weights.weight,
        frame["_respondent"].to_numpy(dtype=object),
        np.where(frame["_listed"].to_numpy(dtype=bool), frame["_unit"].to_numpy(dtype=object), ""),
        means, units, unit_first, seed,
    )  # fmt: skip
    return IndexResult(
        table[list(INDEX_COLUMNS)],
        side_table,
        index_replicates,
        point["index"],
        design,
        unit_icc,
        weights=pd.Series(weights.weight, index=components.index[order], name="weight"),
        bootstrap=inputs,
        side_point=point["side"],
        side_variance=side_variance,
    )


# A wave x side needs this many units of two or more respondents for their own residuals to
# be resampled; with fewer, unit effects are drawn from a normal with the estimated covariance.
MIN_RESIDUALS = 20


@dataclass(frozen=True)
class _TwoStageUnits:
    """What the two-stage bootstrap needs for the strata of waves with unit codes.

    Per group (a wave x side): the pool of unit effects on the logit scale of a component
    mean to draw from, and the factor that scales the respondents' resampling down to the
    within-unit spread. Per stratum: the finite-members
    factor of the respondents' resampling. Per unit (units of one included, in stratum
    order): its stratum and its scale (its share of the stratum's design weight, times
    ``sqrt(1 - f)`` for a listed unit with ``f`` the share of listed units reached).
    """

    pool: np.ndarray  # (effects, k) float32: the groups' pools one after the other
    pool_start: np.ndarray  # (groups,) first row of each group's pool
    pool_size: np.ndarray  # (groups,)
    respondent_scale: np.ndarray  # (groups, k): sqrt(1 - ICC) per component
    member_scale: np.ndarray  # (strata,) float32: sqrt(1 - share of members reached) or 1
    group_of_stratum: np.ndarray  # (strata,) group or -1 without unit codes
    unit_stratum: np.ndarray  # (units,)
    unit_respondents: np.ndarray  # (units,) respondents of each unit
    unit_weight: np.ndarray  # (units,) float32: share of the stratum's weight
    unit_scale: np.ndarray  # (units,) float32: unit_weight times the finite-units factor
    covariances: dict[tuple[str, str], UnitCovariance]
    sources: dict[tuple[str, str], str]
    unit_sizes: dict[tuple[str, str], np.ndarray]
    side_weights: np.ndarray  # (k,) a respondent's side score as a weighted sum

    def resample(self, boot_means, centre, strata: slice, generators) -> np.ndarray:
        """Replace the respondent resamples of the clustered strata in ``strata`` by
        ``centre + scale * (resample - centre)`` moved by ``sum_i s_i u_i*`` on the logit
        scale (:func:`shift_on_logit`; see :mod:`.design`). ``generators`` holds each
        stratum's own stream, after its respondent draws."""
        groups = self.group_of_stratum[strata]
        clustered = np.flatnonzero(groups >= 0)
        if not clustered.size:
            return boot_means
        out = boot_means  # a fresh array of the caller's: changed in place
        scale = (
            self.respondent_scale[groups[clustered]] * self.member_scale[strata][clustered, None]
        )
        out[:, clustered] = centre[clustered] + scale[None] * (
            out[:, clustered] - centre[clustered]
        )
        first = strata.start
        unit_rows = np.flatnonzero((self.unit_stratum >= first) & (self.unit_stratum < strata.stop))
        local = self.unit_stratum[unit_rows] - first
        replicates, n_local, k = out.shape
        # Each stratum draws its units' effects from its own stream: (replicates, units).
        per_stratum = np.bincount(local, minlength=n_local)
        draws = np.empty((replicates, unit_rows.size), dtype=np.int32)
        at = 0
        for s in np.flatnonzero(per_stratum):
            g, count = groups[s], per_stratum[s]
            draws[:, at : at + count] = generators[s].integers(
                0, self.pool_size[g], size=(replicates, count), dtype=np.int32
            )
            draws[:, at : at + count] += self.pool_start[g]
            at += count
        shift = np.zeros((replicates, n_local, k), dtype=np.float32)
        # Blocks of units small enough that a (replicates, units, k) gather stays small.
        step = max(1, 4_000_000 // (replicates * k))
        for begin in range(0, unit_rows.size, step):
            rows = unit_rows[begin : begin + step]
            where = local[begin : begin + step]
            taken = draws[:, begin : begin + step]
            # One component at a time: gathering single values is several times faster
            # than gathering rows of k.
            effects = np.stack([column[taken] for column in self.pool.T])  # (k, reps, units)
            effects *= self.unit_scale[rows]
            # A stratum's units are contiguous: sum them per stratum, then add.
            first_of_stratum = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])
            sums = np.add.reduceat(effects, first_of_stratum, axis=2)
            shift[:, where[first_of_stratum]] += sums.transpose(1, 2, 0)
        out[:, clustered] = shift_on_logit(out[:, clustered], shift[:, clustered])
        return out

    def icc_table(self) -> pd.DataFrame:
        rows = []
        for (wave, side), covariance in sorted(self.covariances.items()):
            size = mean_unit_size(self.unit_sizes[(wave, side)])
            measures = [(f"component_{c}", covariance.icc()[j]) for j, c in enumerate(COMPONENTS)]
            measures.append(("side_score", covariance.icc(self.side_weights)))
            for measure, icc in measures:
                rows.append(
                    {
                        "wave": wave,
                        "side": side,
                        "measure": measure,
                        "icc": float(icc),
                        "design_effect": 1.0 + (size - 1.0) * float(icc),
                        "units": covariance.units,
                        "areas": covariance.strata,
                        "df": covariance.df,
                        "source": self.sources[(wave, side)],
                    }
                )
        return pd.DataFrame(rows, columns=list(UNIT_ICC_COLUMNS))


def side_score_weights(method: Methodology) -> np.ndarray:
    """The weight of each component in a respondent's side score (no missing components)."""
    total = sum(method.pillar_weights.values())
    weights = np.zeros(len(COMPONENTS))
    for pillar, members in method.pillars.items():
        for c in members:
            weights[COMPONENTS.index(c)] = method.pillar_weights[pillar] / len(members) / total
    return weights


# An area's component mean's share of the scale is kept within these bounds for its logit
# slope, so that an area whose respondents all sit at a bound still has a finite slope.
SLOPE_SHARE = (0.02, 0.98)


def _two_stage_units(
    frame, values, stratum, grid, clustered, method, seed, weights: DesignWeights, centres
) -> _TwoStageUnits | None:
    """Covariances, pools of unit effects and unit scales of the waves with unit codes.

    The ICCs come from the covariance on 0-100. The unit effects come from the covariance
    of the values divided by their area's slope ``100 p (1 - p)`` (``p`` the area's
    component mean / 100): the logit scale of a mean, linearised per area. Pooling raw
    effects across areas near a bound and in the middle would understate the middle areas'
    effects and overstate those near the bound.
    """
    if not clustered:
        return None
    share = np.clip(np.nan_to_num(centres / 100, nan=0.5), *SLOPE_SHARE)
    linear = values / (100 * share * (1 - share))[stratum]
    codes = unit_codes(frame["_unit"].where(frame["_listed"], ""), stratum)
    stratum_wave = grid["wave"].to_numpy()
    stratum_side = grid["side"].astype(str).to_numpy()
    pools, scales, covariances, sources, unit_sizes = [], [], {}, {}, {}
    group_of_stratum = np.full(len(grid), -1)
    for wave in sorted(clustered):
        for side in SIDES:
            strata = np.flatnonzero((stratum_wave == wave) & (stratum_side == side))
            rows = np.flatnonzero(np.isin(stratum, strata))
            if not rows.size:
                continue
            estimate = unit_covariance(values[rows], stratum[rows], codes[rows])
            covariance = estimate.pooled_with(method.unit_icc, method.unit_icc_units)
            group_of_stratum[strata] = len(pools)
            covariances[(wave, side)] = covariance
            sources[(wave, side)] = "data" if estimate.df >= 1 else "default ICC"
            unit_sizes[(wave, side)] = np.bincount(codes[rows])[np.unique(codes[rows])]
            # The group's own stream: its normal draws do not depend on the other groups.
            rng = np.random.default_rng(stream(seed, "unit effects", wave, side))
            on_logit = unit_covariance(linear[rows], stratum[rows], codes[rows])
            on_logit = on_logit.pooled_with(method.unit_icc, method.unit_icc_units)
            pools.append(unit_effect_pool(on_logit, rng, MIN_RESIDUALS))
            with np.errstate(invalid="ignore"):
                scales.append(np.sqrt(np.nan_to_num(1.0 - covariance.icc(), nan=1.0)))
    # Units in stratum order: rows are sorted so that a unit's respondents are contiguous,
    # and a unit's code is its own (units of one included).
    in_groups = group_of_stratum[stratum] >= 0
    unit_first = np.flatnonzero(in_groups & np.r_[True, codes[1:] != codes[:-1]])
    unit_stratum = stratum[unit_first]
    unit_total = np.bincount(codes, weights=weights.weight)[codes[unit_first]]
    stratum_total = np.bincount(stratum, weights=weights.weight, minlength=len(grid))
    weight = unit_total / stratum_total[unit_stratum]
    # Finite units: the between-unit variance of the listed units shrinks by the share of
    # the area's listed units reached; a unit of one stands for people outside the listed
    # units and keeps its effect whole.
    if method.units == "finite":
        with np.errstate(invalid="ignore", divide="ignore"):
            reached = np.where(
                weights.units_listed > 0, weights.units_reached / weights.units_listed, 0.0
            )
        factor = np.sqrt(1.0 - np.clip(reached, 0.0, 1.0))
    else:
        factor = np.ones(len(grid))
    listed_unit = frame["_listed"].to_numpy(dtype=bool)[unit_first]
    unit_scale = weight * np.where(listed_unit, factor[unit_stratum], 1.0)
    members = np.ones(len(grid))
    if method.members == "finite":
        members = np.sqrt(1.0 - weights.members_reached)
    return _TwoStageUnits(
        np.ascontiguousarray(np.concatenate(pools).T).T,  # column-major: fast column reads
        np.cumsum([0] + [len(p) for p in pools[:-1]]),
        np.array([len(p) for p in pools]),
        np.array(scales, dtype=np.float32).reshape(-1, len(COMPONENTS)),
        members.astype(np.float32),
        group_of_stratum,
        unit_stratum,
        np.bincount(codes)[codes[unit_first]].astype(float),
        weight.astype(np.float32),
        unit_scale.astype(np.float32),
        covariances,
        sources,
        unit_sizes,
        side_score_weights(method),
    )


def _design_table(
    frame, stratum, grid, sizes, units, side_status, weights: DesignWeights, shift
) -> pd.DataFrame:
    """Per stratum: units reached, weights, design effect and effective n
    (:data:`DESIGN_COLUMNS`)."""
    design = grid.copy()
    design["side"] = design["side"].astype(str)
    design["n"] = sizes
    named = frame["_listed"].to_numpy(dtype=bool)
    keys = frame["_unit"].to_numpy(dtype=object)
    listed_units = pd.Series(keys[named]).groupby(stratum[named]).nunique()
    design["units"] = listed_units.reindex(range(len(grid)), fill_value=0).to_numpy()
    groups = units.group_of_stratum if units is not None else np.full(len(grid), -1)
    in_clustered = groups[stratum] >= 0
    design["individuals"] = np.bincount(stratum[in_clustered & ~named], minlength=len(grid))
    design["units_listed"] = weights.units_listed
    with np.errstate(invalid="ignore", divide="ignore"):
        design["share_units_reached"] = np.where(
            weights.units_listed > 0, weights.units_reached / weights.units_listed, np.nan
        )
    design["weighting"] = weights.weighting
    w = pd.Series(weights.weight).groupby(stratum)
    design["weight_min"] = w.min().reindex(range(len(grid))).to_numpy()
    design["weight_max"] = w.max().reindex(range(len(grid))).to_numpy()
    total = np.bincount(stratum, weights=weights.weight, minlength=len(grid))
    squares = np.bincount(stratum, weights=weights.weight**2, minlength=len(grid))
    with np.errstate(invalid="ignore", divide="ignore"):
        design["n_kish"] = total**2 / squares
    design["weighting_shift"] = shift
    size = np.full(len(grid), np.nan)
    icc = np.full(len(grid), np.nan)
    if units is not None:
        squares_u = np.bincount(
            units.unit_stratum, weights=units.unit_respondents**2, minlength=len(grid)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            size = np.where(groups >= 0, squares_u / sizes, np.nan)
        side_icc = {key: float(c.icc(units.side_weights)) for key, c in units.covariances.items()}
        keys_of = zip(design["wave"], design["side"], strict=True)
        icc = np.array([side_icc.get(key, np.nan) for key in keys_of])
    design["mean_unit_size"] = size
    design["icc"] = icc
    design["design_effect"] = 1.0 + (size - 1.0) * icc
    design["n_effective"] = design["n"] / design["design_effect"]
    interval = np.select(
        [groups < 0, design["units"] >= 2, design["units"] == 1],
        ["respondents", "units", "one unit"],
        "individuals",
    )
    design["interval"] = np.where(sizes > 0, interval, "")
    design["status"] = np.array(side_status, dtype=object).reshape(-1)
    hidden = (design["status"] == "suppressed").to_numpy()
    hide = ["mean_unit_size", "design_effect", "n_effective", "weighting_shift"]
    design.loc[hidden, hide] = np.nan
    return design[list(DESIGN_COLUMNS)]


def _side_table(cells, point, low, high, n, side_status, method) -> pd.DataFrame:
    """Per side: components, pillars and the side index, long and tidy (vectorised)."""
    n_cells = len(cells)
    parts = []
    measures = [("components", f"component_{c}", j) for j, c in enumerate(COMPONENTS)]
    measures += [("pillars", f"pillar_{p}", j) for j, p in enumerate(method.pillars)]
    measures.append(("side", "side_index", None))
    status = np.array(side_status, dtype=object).reshape(n_cells, 2)
    for s, name in enumerate(SIDES):
        for key, measure, j in measures:
            at = (slice(None), s) if j is None else (slice(None), s, j)
            part = pd.DataFrame(
                {
                    "area": cells["area"].to_numpy(),
                    "wave": cells["wave"].to_numpy(),
                    "side": name,
                    "measure": measure,
                    "value": point[key][at],
                    "ci_low": low[key][at],
                    "ci_high": high[key][at],
                    "n": n[:, s],
                    "status": status[:, s],
                }
            )
            parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table.loc[table["status"] == "suppressed", ["value", "ci_low", "ci_high"]] = np.nan
    order = {m: i for i, (_, m, _) in enumerate(measures)}
    table["_order"] = table["measure"].map(order)
    table["_side"] = table["side"].map({name: s for s, name in enumerate(SIDES)})
    table = table.sort_values(["area", "wave", "_side", "_order"], kind="stable")
    return table.reset_index(drop=True)[list(SIDE_COLUMNS)]


# component_distribution.csv: how each component spreads over the respondents.
DISTRIBUTION_COLUMNS = {
    "wave": "survey wave",
    "side": "professional or informal",
    "component": "component code",
    "n": "respondents of this side in the wave with a value for the component",
    "mean": "mean over those respondents, 0-100",
    "share_at_0": "share of respondents at 0 (the goalpost at the far end)",
    "share_at_100": "share of respondents at 100 (fully hybrid on this component)",
    "p10": "10th percentile",
    "median": "median",
    "p90": "90th percentile",
    "status": "published, indicative or suppressed (small-cell rule on n)",
}


def component_distribution(
    components: pd.DataFrame, wave: pd.Series, side: pd.Series, method: Methodology
) -> pd.DataFrame:
    """Per wave x side x component: the spread over respondents (:data:`DISTRIBUTION_COLUMNS`).

    Shows which components carry the index: one whose respondents sit mostly at 100 (or
    at 0) cannot tell areas apart.
    """
    frame = components[list(COMPONENTS)].copy()
    frame["wave"], frame["side"] = wave.astype(str).to_numpy(), side.to_numpy()
    long = frame.melt(id_vars=["wave", "side"], var_name="component").dropna()
    grouped = long.groupby(["wave", "side", "component"], sort=False)["value"]
    table = grouped.agg(
        n="size",
        mean="mean",
        share_at_0=lambda v: float((v <= 0).mean()),
        share_at_100=lambda v: float((v >= 100).mean()),
        p10=lambda v: float(v.quantile(0.1)),
        median="median",
        p90=lambda v: float(v.quantile(0.9)),
    ).reset_index()
    table["status"] = [publication_status(int(n), method) for n in table["n"]]
    values = ["mean", "share_at_0", "share_at_100", "p10", "median", "p90"]
    table.loc[table["status"] == "suppressed", values] = np.nan
    order = {c: i for i, c in enumerate(COMPONENTS)}
    table = table.sort_values(
        ["wave", "side", "component"],
        key=lambda c: (
            c.map(order) if c.name == "component" else c.map(SIDES.index) if c.name == "side" else c
        ),
        kind="stable",
    )
    return table.reset_index(drop=True)[list(DISTRIBUTION_COLUMNS)]


STATUSES = ("published", "indicative", "suppressed")


def publication_status(n: int, method: Methodology) -> str:
    """Small-cell rule for one side in one area x wave."""
    if n >= method.publish_min:
        return "published"
    if n >= method.indicative_min:
        return "indicative"
    return "suppressed"


def worst_status(statuses: list[str]) -> str:
    """An area is only as publishable as its smallest side."""
    return max(statuses, key=STATUSES.index)
