"""The hybridisation index per area x wave (DESIGN.md section 9, steps 1-5).

1. components per respondent on 0-100 (100 = hybrid), fixed goalposts;
2. per area x side x wave: component means -> pillars -> side index;
3. area index = geometric mean of the two side indices, with the asymmetry gap;
4. bands;
5. stratified bootstrap (respondents resampled within area x side x wave), percentile CIs.

The same function (:func:`indices_from_means`) turns component means into indices for the
point estimate, for every bootstrap replicate and for the simulator's truth, so the three can
never drift apart.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from samenspel.instrument.model import Instrument
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.pipeline.score import mean_with_rule

SIDES = ("professional", "informal")
# Columns of the tidy results, defined once.
INDEX_COLUMNS = (
    "area", "wave", "index", "ci_low", "ci_high", "band",
    "index_professional", "ci_low_professional", "ci_high_professional",
    "index_informal", "ci_low_informal", "ci_high_informal",
    "gap", "gap_ci_low", "gap_ci_high",
    "n_professional", "n_informal", "status",
)  # fmt: skip
SIDE_COLUMNS = ("area", "wave", "side", "measure", "value", "ci_low", "ci_high", "n", "status")
BOOTSTRAP_CHUNK_ELEMENTS = 40_000_000  # values per bootstrap chunk (~320 MB of float64)


def rescale(score: pd.Series, low: float, high: float) -> pd.Series:
    """Map a scale score from [low, high] onto 0-100."""
    return 100.0 * (score - low) / (high - low)


def count_goalpost(counts: pd.Series, cap: float) -> pd.Series:
    """0-100 from a count: ``100 * log(1 + min(x, cap)) / log(1 + cap)``."""
    return 100.0 * np.log1p(counts.clip(lower=0, upper=cap)) / np.log1p(cap)


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
            out[name] = 100.0 * (1.0 - gap.clip(lower=0) / float(spec["max_gap"]))
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


def _weighted_nanmean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last axis, ignoring NaN (NaN if all are NaN)."""
    ok = ~np.isnan(values)
    w = np.where(ok, weights, 0.0)
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(values * w, axis=-1) / total, np.nan)


def _pillar_means(component_means: np.ndarray, method: Methodology) -> np.ndarray:
    """Mean of each pillar's component means (NaN components left out)."""
    return np.stack(
        [
            np.nanmean(component_means[..., [COMPONENTS.index(c) for c in members]], axis=-1)
            for members in method.pillars.values()
        ],
        axis=-1,
    )


def indices_from_means(component_means: np.ndarray, method: Methodology) -> dict[str, np.ndarray]:
    """Pillars, side indices, area index and gap from component means.

    ``component_means`` has shape (..., cells, 2 sides, 7 components) in the order of
    :data:`SIDES` and :data:`COMPONENTS`. Returns arrays: ``pillars`` (..., cells, 2, P),
    ``side`` (..., cells, 2), ``index`` and ``gap`` (..., cells).
    """
    pillar_names = list(method.pillars)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty cells give NaN, as they should
        pillars = _pillar_means(component_means, method)
    weights = np.array([method.pillar_weights[p] for p in pillar_names])
    side = _weighted_nanmean(pillars, weights)
    professional, informal = side[..., 0], side[..., 1]
    if method.side_aggregation == "geometric":
        index = np.sqrt(np.clip(professional, 0, None) * np.clip(informal, 0, None))
    elif method.side_aggregation == "arithmetic":
        index = (professional + informal) / 2
    else:
        index = np.minimum(professional, informal)
    return {"pillars": pillars, "side": side, "index": index, "gap": professional - informal}


def stratum_means(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Nan-aware means of consecutive row blocks starting at ``starts`` (last axis kept).

    ``values`` has shape (..., rows, k); the result has shape (..., strata, k).
    """
    ok = ~np.isnan(values)
    sums = np.add.reduceat(np.where(ok, values, 0.0), starts, axis=-2)
    counts = np.add.reduceat(ok.astype(np.int32), starts, axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def hybridisation_index(
    components: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    method: Methodology,
    replicates: int | None = None,
    seed: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Index per area x wave with stratified-bootstrap CIs, and the per-side measures.

    ``components`` holds the seven components per respondent; ``area``, ``wave`` and
    ``side`` (professional / informal) label each respondent. Respondents of other roles
    must be left out by the caller. Returns (index table, side table) with the columns
    :data:`INDEX_COLUMNS` and :data:`SIDE_COLUMNS`. Small cells (methodology ``small_cells``)
    are applied: suppressed cells have no values, only their n.
    """
    if not set(side.unique()) <= set(SIDES):
        raise ValueError(f"side must be one of {SIDES}, found {sorted(set(side.unique()))}")
    replicates = method.replicates if replicates is None else replicates
    rng = np.random.default_rng(method.seed if seed is None else seed)
    frame = components[list(COMPONENTS)].copy()
    frame["area"], frame["wave"] = area.astype(str), wave.astype(str)
    frame["side"] = pd.Categorical(side, categories=SIDES)
    # Every area x wave needs both sides as strata, even when one has no respondents.
    cells = frame[["area", "wave"]].drop_duplicates().sort_values(["area", "wave"])
    cells = cells.reset_index(drop=True)
    grid = cells.merge(pd.DataFrame({"side": SIDES}), how="cross")
    frame = frame.sort_values(["area", "wave", "side"], kind="stable")
    sizes = (
        frame.groupby(["area", "wave", "side"], observed=False)
        .size()
        .reindex(pd.MultiIndex.from_frame(grid), fill_value=0)
    ).to_numpy()
    values = frame[list(COMPONENTS)].to_numpy(dtype=float)
    n_cells = len(cells)

    # Empty strata get one all-NaN placeholder row so that reduceat keeps their place.
    empty = np.flatnonzero(sizes == 0)
    if empty.size:
        starts_full = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        values = np.insert(values, starts_full[empty], np.nan, axis=0)
    block = np.maximum(sizes, 1)
    starts = np.concatenate([[0], np.cumsum(block)[:-1]])

    means = stratum_means(values, starts)
    point = indices_from_means(means.reshape(n_cells, 2, len(COMPONENTS)), method)

    # Bootstrap: for every row position, draw a row of the same stratum; chunks of replicates.
    stratum_of_row = np.repeat(np.arange(len(block)), block)
    row_start = starts[stratum_of_row]
    row_size = sizes[stratum_of_row]
    chunk = max(1, BOOTSTRAP_CHUNK_ELEMENTS // max(values.size, 1))
    boot: dict[str, list[np.ndarray]] = {
        "components": [],
        "pillars": [],
        "side": [],
        "index": [],
        "gap": [],
    }
    shape = (n_cells, 2, len(COMPONENTS))
    for first in range(0, replicates, chunk):
        b = min(chunk, replicates - first)
        draws = row_start + np.floor(rng.random((b, len(row_start))) * np.maximum(row_size, 1))
        boot_means = stratum_means(values[draws.astype(np.int64)], starts)
        boot_means = boot_means.reshape(b, *shape)
        result = indices_from_means(boot_means, method)
        result["components"] = boot_means
        for key in boot:
            boot[key].append(result[key])
    alpha = (1 - method.confidence) / 2
    low, high = {}, {}
    for key, parts in boot.items():
        samples = np.concatenate(parts, axis=0)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices of empty cells
            low[key] = np.nanquantile(samples, alpha, axis=0)
            high[key] = np.nanquantile(samples, 1 - alpha, axis=0)

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

    # Per side: components, pillars and the side index, long and tidy.
    point["components"] = means.reshape(shape)
    measures = [("components", f"component_{c}", j) for j, c in enumerate(COMPONENTS)]
    measures += [("pillars", f"pillar_{p}", j) for j, p in enumerate(method.pillars)]
    measures.append(("side", "side_index", None))
    rows = []
    for c_index, cell in enumerate(cells.itertuples(index=False)):
        for s, name in enumerate(SIDES):
            status = side_status[c_index][s]
            for key, measure, j in measures:
                at = (c_index, s) if j is None else (c_index, s, j)
                triple = (point[key][at], low[key][at], high[key][at])
                if status == "suppressed":
                    triple = (np.nan, np.nan, np.nan)
                rows.append(
                    (cell.area, cell.wave, name, measure, *triple, int(n[c_index, s]), status)
                )
    side_table = pd.DataFrame(rows, columns=list(SIDE_COLUMNS))
    return table[list(INDEX_COLUMNS)], side_table


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
