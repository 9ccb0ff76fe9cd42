"""The hybridisation index per area x wave (DESIGN.md section 9, steps 1-5).

1. components per respondent on 0-100 (100 = hybrid), fixed goalposts;
2. per area x side x wave: component means -> pillars -> side index;
3. area index = geometric mean of the two side indices, with the asymmetry gap;
4. bands;
5. a bootstrap that follows how the sample was drawn, within area x side x wave:

   * waves without unit codes: respondents are resampled (stratified bootstrap) and the
     interval is the percentile interval; it assumes independent draws;
   * waves with unit codes (the wijkteam or organisation a respondent was reached through):
     units are resampled with the Rao-Wu rescaling bootstrap (Rao & Wu 1988; Rao, Wu &
     Yue 1992): k - 1 of a stratum's k units are drawn with replacement and their
     respondents weighted by the number of draws (the rescaling factor k / (k - 1)
     cancels in a mean). Its variance is unbiased for the with-replacement two-stage
     variance, because the spread of unit means already holds the within-unit spread;
     resampling respondents inside the drawn units as well would count that spread twice.
     With few units a variance estimate has few degrees of freedom and the bootstrap
     distribution of a handful of units is lumpy, so the interval is
     ``estimate +- t(df) * bootstrap SE`` with the design's degrees of freedom (the sum over
     the two sides of :func:`~samenspel.pipeline.design.satterthwaite_df`), as survey
     practice does for stratified cluster samples (Korn & Graubard 1999, section 5.2).
     A respondent without a listed unit is a unit of one; a side reached through a single
     unit has its respondents resampled and is marked (see :mod:`.design`).

The same function (:func:`indices_from_means`) turns component means into indices for the
point estimate, for every bootstrap replicate, for the simulator's truth and for the
sensitivity analysis, so they can never drift apart.

The bootstrap has no loop over replicates (:func:`bootstrap_stratum_means`): strata of equal
size are stacked, every replicate's resample is a vector of draw counts, and the resampled
sums are one batched matrix product, in float32 and in chunks of cells so that memory stays
bounded. At national scale (3,000 areas x 2 sides x 40 respondents x 5 waves, 1,000
replicates) it takes about 19 s of CPU and under 1 GB (``make bench-index``). The area
index replicates are kept in :class:`IndexResult` for the change between waves.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from samenspel.instrument.model import SIDES, Instrument
from samenspel.pipeline.design import (
    clustered_waves,
    listed,
    nested_icc,
    satterthwaite_df,
    stratum_unit_sizes,
    unit_keys,
)
from samenspel.pipeline.methodology import COMPONENTS, SIDE_AGGREGATIONS, Methodology
from samenspel.pipeline.score import mean_with_rule, score_scales
from scipy.stats import t as student_t

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
    """IGF default: ``100 * (1 - max(d, 0) / max_gap)``; favouring the other side gives 100."""
    return 100.0 * (1.0 - gap.clip(lower=0) / max_gap)


def symmetric_gap_mapping(gap: pd.Series, max_gap: float) -> pd.Series:
    """IGF alternative (sensitivity): ``50 * (1 - d / max_gap)``; equal grades give 50."""
    return 50.0 * (1.0 - gap / max_gap)


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


def stratum_means(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Nan-aware means of consecutive row blocks starting at ``starts`` (last axis kept).

    ``values`` has shape (..., rows, k); the result has shape (..., strata, k).
    """
    ok = ~np.isnan(values)
    sums = np.add.reduceat(np.where(ok, values, 0.0), starts, axis=-2)
    counts = np.add.reduceat(ok.astype(np.int32), starts, axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def totals(values: np.ndarray) -> np.ndarray:
    """Rows of ``values`` (rows, k) as ``[values with NaN as 0, 1 where not NaN]`` (rows, 2k):
    sums of these rows give the sums and the counts a nan-aware mean needs."""
    ok = ~np.isnan(values)
    return np.concatenate([np.where(ok, values, 0.0), ok], axis=1).astype(np.float32)


def bootstrap_stratum_means(
    values: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    chunk_elements: int = BOOTSTRAP_CHUNK_ELEMENTS,
) -> np.ndarray:
    """Nan-aware means of ``replicates`` stratified bootstrap resamples, as float32.

    ``values`` (rows, k) holds the respondents; stratum ``s`` is the row block
    ``starts[s] : starts[s] + sizes[s]``. Returns (replicates, strata, k); strata with no
    rows give NaN. Each replicate draws a stratum's n respondents with replacement.
    """
    return _resampled_means(totals(values), starts, sizes, replicates, rng, 0, chunk_elements)


def bootstrap_unit_means(
    unit_totals: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    chunk_elements: int = BOOTSTRAP_CHUNK_ELEMENTS,
) -> np.ndarray:
    """Nan-aware means of ``replicates`` Rao-Wu resamples of units, as float32.

    ``unit_totals`` (units, 2k) holds each unit's sums and counts (:func:`totals` summed
    over its respondents); stratum ``s`` is the unit block ``starts[s] : starts[s] +
    sizes[s]`` and needs at least two units. Each replicate draws k - 1 of the stratum's k
    units with replacement (Rao & Wu 1988); the rescaling factor k / (k - 1) cancels in
    the ratio of sums. Returns (replicates, strata, k).
    """
    if (sizes[sizes > 0] < 2).any():
        raise ValueError("the Rao-Wu bootstrap needs at least two units in every stratum")
    return _resampled_means(unit_totals, starts, sizes, replicates, rng, 1, chunk_elements)


def _resampled_means(
    rows_totals: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    fewer_draws: int,
    chunk_elements: int,
) -> np.ndarray:
    """Means of resamples that draw ``size - fewer_draws`` rows per stratum with replacement.

    Vectorised without a loop over replicates: strata of equal size are stacked into one
    (strata, n, 2k) array, each replicate's resample becomes a vector of draw counts per row
    (a bincount of uniform draws), and the resampled sums are one batched matrix product
    ``counts @ rows``. The counts of non-missing values come from the same product, so a
    missing component is left out exactly as in the point estimate.
    """
    k = rows_totals.shape[1] // 2
    out = np.full((replicates, len(sizes), k), np.nan, dtype=np.float32)
    for n in np.unique(sizes[sizes > 0]):
        n = int(n)
        draws_per_replicate = n - fewer_draws
        strata = np.flatnonzero(sizes == n)
        rows = rows_totals[starts[strata][:, None] + np.arange(n)]  # (strata, n, 2k)
        per_chunk = max(1, chunk_elements // (replicates * n))
        draw_type = np.uint16 if n <= np.iinfo(np.uint16).max else np.uint32
        for first in range(0, len(strata), per_chunk):
            block = rows[first : first + per_chunk]
            s = len(block)
            draws = rng.integers(0, n, size=(s, replicates, draws_per_replicate), dtype=draw_type)
            offsets = (np.arange(s * replicates, dtype=np.int64) * n).reshape(s, replicates, 1)
            counts = np.bincount((draws + offsets).ravel(), minlength=s * replicates * n)
            counts = counts.reshape(s, replicates, n).astype(np.float32)
            sums = np.matmul(counts, block)  # (s, replicates, 2k)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = sums[..., :k] / sums[..., k:]
            out[:, strata[first : first + per_chunk], :] = means.transpose(1, 0, 2)
    return out


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


def t_interval(
    point: np.ndarray, samples: np.ndarray, df: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """``point +- t(df) * SE`` with SE the standard deviation of the bootstrap ``samples``
    (replicates first, NaN replicates ignored); ``df`` broadcasts against ``point``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells give NaN
        se = np.nanstd(samples.astype(float), axis=0, ddof=1)
        half = student_t.ppf(0.5 + confidence / 2, df) * se
    return point - half, point + half


@dataclass(frozen=True)
class IndexResult:
    """The index of a set of responses, with the bootstrap replicates kept for change.

    ``table`` has :data:`INDEX_COLUMNS` (small cells applied); ``sides`` has
    :data:`SIDE_COLUMNS`; ``replicates`` is (replicates, cells) float32 with the bootstrap
    area index of every row of ``table`` (not suppressed: callers apply the status);
    ``point`` the unsuppressed point estimates in the same order; ``df`` the degrees of
    freedom of each row's interval (``inf`` where respondents were resampled without unit
    codes: a percentile interval); ``design`` one row per area x wave x side with
    :data:`DESIGN_COLUMNS`.
    """

    table: pd.DataFrame
    sides: pd.DataFrame
    replicates: np.ndarray
    point: np.ndarray
    df: np.ndarray
    design: pd.DataFrame


# design.csv: how each side of an area x wave was drawn and what its interval can reflect.
DESIGN_COLUMNS = {
    "area": "area id",
    "wave": "survey wave",
    "side": "professional or informal",
    "n": "respondents of this side",
    "units": "listed units (wijkteams, organisations) the respondents were reached through",
    "individuals": "respondents who named no listed unit (each counts as a unit of one)",
    "mean_unit_size": "respondent-weighted mean unit size sum(n_i^2) / sum(n_i) (Kish)",
    "design_effect": "1 + (mean_unit_size - 1) * ICC, the wave's ICC by unit of the side score",
    "n_effective": "n / design_effect",
    "df": "degrees of freedom of the interval (empty: percentile interval without units)",
    "interval": "units, one unit or respondents (see the methods page)",
    "status": "published, indicative or suppressed for this side",
}


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
) -> IndexResult:
    """Index per area x wave with bootstrap CIs, and the per-side measures.

    ``components`` holds the seven components per respondent; ``area``, ``wave`` and
    ``side`` (professional / informal) label each respondent; ``unit`` (optional) the code
    of the unit (wijkteam, organisation) a respondent was reached through, blank or
    ``individual`` for none. Respondents of other roles must be left out by the caller.
    Small cells (methodology ``small_cells``) are applied: suppressed cells have no values,
    only their n. The bootstrap (see the module docstring) runs over chunks of
    ``cells_per_chunk`` area x wave cells so that memory stays bounded at national scale.
    """
    if not set(side.unique()) <= set(SIDES):
        raise ValueError(f"side must be one of {SIDES}, found {sorted(set(side.unique()))}")
    replicates = method.replicates if replicates is None else replicates
    frame = components[list(COMPONENTS)].copy()
    frame["area"], frame["wave"] = area.astype(str), wave.astype(str)
    frame["side"] = pd.Categorical(side, categories=SIDES)
    clustered = clustered_waves(unit, frame["wave"])
    # Units are contiguous within a stratum of a wave with unit codes; elsewhere the order
    # of the respondents is kept (so results without unit codes do not move).
    in_clustered = frame["wave"].isin(clustered).to_numpy()
    keys = unit_keys(unit) if clustered else np.full(len(frame), "", dtype=object)
    frame["_unit"] = np.where(in_clustered, keys, "")
    frame["_listed"] = in_clustered & listed(unit) if clustered else False
    # Every area x wave needs both sides as strata, even when one has no respondents.
    cells = frame[["area", "wave"]].drop_duplicates().sort_values(["area", "wave"])
    cells = cells.reset_index(drop=True)
    grid = cells.merge(pd.DataFrame({"side": SIDES}), how="cross")
    frame = frame.sort_values(["area", "wave", "side", "_unit"], kind="stable")
    sizes = (
        frame.groupby(["area", "wave", "side"], observed=False)
        .size()
        .reindex(pd.MultiIndex.from_frame(grid), fill_value=0)
    ).to_numpy()
    values = frame[list(COMPONENTS)].to_numpy(dtype=float)
    n_cells, n_components = len(cells), len(COMPONENTS)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    stratum = np.repeat(np.arange(len(sizes)), sizes)

    # Point estimate in float64; empty strata get an all-NaN placeholder row for reduceat.
    empty = np.flatnonzero(sizes == 0)
    padded = np.insert(values, starts[empty], np.nan, axis=0) if empty.size else values
    block = np.maximum(sizes, 1)
    means = stratum_means(padded, np.concatenate([[0], np.cumsum(block)[:-1]]))
    shape = (n_cells, 2, n_components)
    point = indices_from_means(means.reshape(shape), method)
    point["components"] = means.reshape(shape)

    design = _stratum_design(frame, stratum, sizes, grid, clustered, method)
    by_units = design["scheme"].to_numpy() == "units"
    side_df = design["df"].to_numpy(dtype=float).reshape(n_cells, 2)
    units = _unit_blocks(values, frame["_unit"].to_numpy(), stratum, by_units, len(sizes))

    # Bootstrap, chunk by chunk of cells: means -> indices -> intervals. Each chunk has its
    # own random stream spawned from the seed. (Threads gave no speed-up on the 2-core
    # benchmark machine, so the chunks run one after the other.)
    low = {key: np.full(array.shape, np.nan) for key, array in point.items()}
    high = {key: np.full(array.shape, np.nan) for key, array in point.items()}
    index_replicates = np.full((replicates, n_cells), np.nan, dtype=np.float32)
    cuts = [
        slice(first, min(first + cells_per_chunk, n_cells))
        for first in range(0, n_cells, cells_per_chunk)
    ]
    streams = np.random.SeedSequence(method.seed if seed is None else seed).spawn(len(cuts))
    cell_df = side_df.sum(axis=1)
    # The degrees of freedom of each result: a side's measures have its side's, the index
    # and the gap the sum over both sides; inf marks a percentile interval.
    df_of = {"components": side_df[..., None], "pillars": side_df[..., None], "side": side_df}
    df_of |= {"index": cell_df, "gap": cell_df}

    def run(cut: slice, stream: np.random.SeedSequence) -> None:
        strata = slice(2 * cut.start, 2 * cut.stop)
        rng = np.random.default_rng(stream)
        first_row = starts[strata][0]
        rows = values[first_row : starts[strata][-1] + sizes[strata][-1]]
        boot_means = bootstrap_stratum_means(
            rows,
            starts[strata] - first_row,
            np.where(by_units[strata], 0, sizes[strata]),
            replicates,
            rng,
        )
        if by_units[strata].any():
            first_unit = units.starts[strata][0]
            unit_means = bootstrap_unit_means(
                units.totals[first_unit : units.starts[strata][-1] + units.sizes[strata][-1]],
                units.starts[strata] - first_unit,
                units.sizes[strata],
                replicates,
                rng,
            )
            boot_means = np.where(by_units[strata][None, :, None], unit_means, boot_means)
        boot_means = boot_means.reshape(replicates, cut.stop - cut.start, 2, n_components)
        result = indices_from_means(boot_means, method)
        result["components"] = boot_means
        for key, samples in result.items():
            low[key][cut], high[key][cut] = percentile_interval(samples, method.confidence)
            df = np.broadcast_to(df_of[key][cut], point[key][cut].shape)
            finite = np.isfinite(df)
            if finite.any():
                t_low, t_high = t_interval(point[key][cut], samples, df, method.confidence)
                low[key][cut] = np.where(finite, t_low, low[key][cut])
                high[key][cut] = np.where(finite, t_high, high[key][cut])
        index_replicates[:, cut] = result["index"]

    for cut, stream in zip(cuts, streams, strict=True):
        run(cut, stream)

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
    design["status"] = np.array(side_status, dtype=object).reshape(-1)
    hidden = design["status"] == "suppressed"
    design.loc[hidden, ["mean_unit_size", "design_effect", "n_effective", "df"]] = np.nan
    design["df"] = design["df"].where(np.isfinite(design["df"]))
    return IndexResult(
        table[list(INDEX_COLUMNS)],
        side_table,
        index_replicates,
        point["index"],
        cell_df,
        design[list(DESIGN_COLUMNS)],
    )


@dataclass(frozen=True)
class _UnitBlocks:
    """Unit totals (:func:`totals` summed per unit) of the strata resampled by unit."""

    totals: np.ndarray  # (units, 2k)
    starts: np.ndarray  # per stratum: first unit row
    sizes: np.ndarray  # per stratum: units (0 for strata resampled by respondent)


def _unit_blocks(values, unit_key, stratum, by_units, n_strata) -> _UnitBlocks:
    """Sum the respondents of each unit of the strata in ``by_units`` (rows sorted so that
    a unit's respondents are contiguous within its stratum)."""
    rows = np.flatnonzero(by_units[stratum])
    if not rows.size:
        zeros = np.zeros(n_strata, dtype=np.int64)
        return _UnitBlocks(np.zeros((0, 2 * values.shape[1]), np.float32), zeros, zeros)
    key, strat = unit_key[rows], stratum[rows]
    new_unit = np.ones(rows.size, dtype=bool)
    new_unit[1:] = (key[1:] != key[:-1]) | (strat[1:] != strat[:-1])
    first = np.flatnonzero(new_unit)
    unit_totals = np.add.reduceat(totals(values[rows]), first, axis=0)
    per_stratum = np.bincount(strat[first], minlength=n_strata)
    return _UnitBlocks(
        unit_totals, np.concatenate([[0], np.cumsum(per_stratum)[:-1]]), per_stratum
    )


def _stratum_design(frame, stratum, sizes, grid, clustered, method) -> pd.DataFrame:
    """Per stratum (area x wave x side): units, design effect, degrees of freedom, scheme.

    The ICC by unit of the respondents' side score is estimated per wave with units nested
    in the strata (:func:`~samenspel.pipeline.design.nested_icc`); a wave where it cannot be
    estimated uses the methodology's ``uncertainty.unit_icc``.
    """
    design = grid.copy()
    design["n"] = sizes
    unit_key = frame["_unit"].to_numpy()
    named = frame["_listed"].to_numpy()
    listed_units = pd.Series(unit_key[named]).groupby(stratum[named]).nunique()
    design["units"] = listed_units.reindex(range(len(sizes)), fill_value=0).to_numpy()
    in_clustered = frame["wave"].isin(clustered).to_numpy()
    singles = np.bincount(stratum[in_clustered & ~named], minlength=len(sizes))
    design["individuals"] = singles
    design["clustered"] = design["wave"].isin(clustered).to_numpy()
    scores = respondent_side_scores(frame, method)
    icc_of_wave = {}
    for name in clustered:
        rows = np.flatnonzero(frame["wave"].to_numpy() == name)
        codes = pd.factorize(pd.Series(unit_key[rows]) + "|" + stratum[rows].astype(str))[0]
        icc = nested_icc(scores[rows], stratum[rows], codes)["icc"]
        icc_of_wave[name] = method.unit_icc if np.isnan(icc) else icc
    unit_sizes = stratum_unit_sizes(stratum, unit_key, len(sizes))
    rho = design["wave"].map(icc_of_wave).to_numpy(dtype=float)
    mean_size, deff, df, scheme = [], [], [], []
    for s, row in enumerate(design.itertuples(index=False)):
        units = unit_sizes[s]
        if not row.clustered or row.n == 0:
            mean_size.append(np.nan)
            deff.append(np.nan)
            df.append(np.inf if row.n else np.nan)
            scheme.append("respondents")
            continue
        size = float((units**2).sum() / units.sum())
        mean_size.append(size)
        deff.append(1.0 + (size - 1.0) * rho[s])
        df.append(satterthwaite_df(units, rho[s]))
        scheme.append("units" if len(units) >= 2 else "one unit")
    design["mean_unit_size"] = mean_size
    design["design_effect"] = deff
    design["n_effective"] = design["n"] / design["design_effect"]
    design["df"] = df
    design["scheme"] = scheme
    design["interval"] = np.where(
        design["units"] == 1, "one unit", np.where(design["clustered"], "units", "respondents")
    )
    design.loc[design["n"] == 0, "interval"] = ""
    return design


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
