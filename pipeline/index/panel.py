"""Panel-aware change: a joint bootstrap of two waves for the areas whose respondents or
units answered in both (docs/methodology.md, section 7).

The same people (the same pseudonymous respondent code, in the same area and side) and the
same units (the same listed unit code, in the same area and side) often answer again in the
next wave. Their answers are correlated across the waves, so the change of an area's index
varies less (a person's or team's lasting level cancels out of the difference) than two
independent samples would say. Per area and pair of waves, on the two sides:

* **respondents**: the panel respondents are resampled as pairs (a drawn pair counts in both
  waves, each wave's answers with that wave's design weight), the respondents who answered
  in one wave only are resampled within their wave; each of the three groups keeps its size
  and its resample is rescaled by ``sqrt(n / (n - 1))`` (Rao & Wu 1988) about its sample, so
  that splitting a side into three groups does not narrow the interval;
* **units** (waves with unit codes): the two-stage bootstrap of the per-wave estimate
  (:mod:`.estimate`): the respondents' deviation from the side's mean is scaled to the
  within-unit spread and each unit gets an effect, times its share of the side's weight and
  the finite-units factor, on the logit scale of a component mean. Of the panel's part of the
  deviation only its mean over the two waves is scaled: its difference between the waves
  holds no between-unit spread. By default (methodology ``change.panel_units:
  independent``) a unit draws its effect anew in each wave, as if its standing among the
  area's teams could change completely: safe, at worst too wide. With ``carry`` a unit in
  both waves draws one effect from the earlier wave's pool and keeps it in the later wave,
  carried over to that wave's between-unit covariance (``e_b = e_a C_a^{-1/2} C_b^{1/2}``,
  symmetric roots of the pools' covariances): right only where teams keep their standing.
  Units in one wave draw their own.

Everything else (design weights, centres, scales, pools) is the per-wave estimate's, so each
wave's replicates in the joint bootstrap have the same distribution as in its own bootstrap,
apart from keeping the panel's size fixed. A wave's own figures do not use this at all.

The draws come from a stream per area, pair of waves and side (:func:`.estimate.stream`). The
panel pairs are put in an order that does not depend on the pseudonym key: by the earlier
wave's answers, then the later wave's (the per-wave row order, which uses no respondent
code). So the change, too, does not depend on the key, the row order or the other areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samenspel.instrument.model import SIDES
from samenspel.pipeline.index.design import _symmetric_root
from samenspel.pipeline.index.estimate import (
    BOOTSTRAP_CHUNK_ELEMENTS,
    BootstrapInputs,
    indices_from_means,
    shift_on_logit,
    stream,
)
from samenspel.pipeline.methodology import Methodology


@dataclass(frozen=True)
class PanelCounts:
    """Per area of a pair of waves: respondents and units in both waves (both sides)."""

    respondents: np.ndarray  # (areas,) int
    units: np.ndarray  # (areas,) int

    @property
    def any(self) -> np.ndarray:
        return (self.respondents + self.units) > 0


@dataclass(frozen=True)
class _Matches:
    """The strata of the areas' two waves and the respondents and units found in both."""

    strata_from: np.ndarray  # (areas * 2,) stratum of each (area, side) in the earlier wave
    strata_to: np.ndarray
    pairs: pd.DataFrame  # block, row_from, row_to: panel respondents in canonical order
    unit_pairs: pd.DataFrame  # block, unit_from, unit_to: panel units
    counts: PanelCounts


def _strata(inputs: BootstrapInputs, areas, wave: str) -> np.ndarray:
    """Stratum of (area, side) for each area and side, area-major: block = 2 * area + side."""
    grid = inputs.grid
    position = pd.Series(
        np.arange(len(grid)),
        index=pd.MultiIndex.from_arrays([grid["area"], grid["wave"], grid["side"].astype(str)]),
    )
    keys = pd.MultiIndex.from_arrays(
        [np.repeat(areas, len(SIDES)), np.full(2 * len(areas), wave), np.tile(SIDES, len(areas))]
    )
    return position.reindex(keys).to_numpy()


def _rows(inputs: BootstrapInputs, strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``strata`` and the position (block) of their stratum in ``strata``."""
    sizes = inputs.sizes[strata]
    block = np.repeat(np.arange(len(strata)), sizes)
    offset = np.arange(block.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return inputs.starts[strata][block] + offset, block


def _canonical_rank(inputs: BootstrapInputs) -> np.ndarray:
    """Per row, a rank that is equal for rows alike in stratum, unit and values and grows
    with the per-wave row order (which uses no respondent code)."""
    values = inputs.values
    same = np.ones(len(values), dtype=bool)
    if len(values):
        a, b = values[1:], values[:-1]
        alike = (a == b) | (np.isnan(a) & np.isnan(b))
        same[1:] = alike.all(axis=1) & (inputs.unit[1:] == inputs.unit[:-1])
        same[0] = False
    boundary = np.zeros(len(values), dtype=bool)
    boundary[inputs.starts[inputs.sizes > 0]] = True
    return np.cumsum(~same | boundary)


def match_panel(
    inputs: BootstrapInputs, areas: list[str], wave_from: str, wave_to: str
) -> _Matches:
    """The respondents and units of ``areas`` present in both waves, side by side."""
    strata_from = _strata(inputs, areas, wave_from)
    strata_to = _strata(inputs, areas, wave_to)
    rows_from, block_from = _rows(inputs, strata_from)
    rows_to, block_to = _rows(inputs, strata_to)

    def coded(rows, block, name):
        frame = pd.DataFrame({"block": block, name: rows, "code": inputs.respondent[rows]})
        frame = frame[frame["code"] != ""]
        return frame.drop_duplicates(["block", "code"], keep=False)  # a code twice: no panel

    pairs = coded(rows_from, block_from, "row_from").merge(
        coded(rows_to, block_to, "row_to"), on=["block", "code"]
    )
    rank = _canonical_rank(inputs)
    pairs = pairs.assign(rank_from=rank[pairs["row_from"]], rank_to=rank[pairs["row_to"]])
    pairs = pairs.sort_values(["block", "rank_from", "rank_to"], kind="stable")
    pairs = pairs[["block", "row_from", "row_to"]].reset_index(drop=True)

    unit_pairs = pd.DataFrame(columns=["block", "unit_from", "unit_to"], dtype=np.int64)
    units = inputs.units
    if units is not None and len(inputs.unit_first):

        def listed_units(strata, name):
            block_of = np.full(len(inputs.grid), -1)
            block_of[strata] = np.arange(len(strata))
            block = block_of[units.unit_stratum]
            code = inputs.unit[inputs.unit_first]
            keep = (block >= 0) & (code != "")
            return pd.DataFrame(
                {"block": block[keep], name: np.flatnonzero(keep), "code": code[keep]}
            )

        unit_pairs = listed_units(strata_from, "unit_from").merge(
            listed_units(strata_to, "unit_to"), on=["block", "code"]
        )[["block", "unit_from", "unit_to"]]
    per_area = np.arange(len(areas))
    counts = PanelCounts(
        np.bincount(pairs["block"] // 2, minlength=len(areas))[per_area],
        np.bincount(unit_pairs["block"].to_numpy(dtype=np.int64) // 2, minlength=len(areas))[
            per_area
        ],
    )
    return _Matches(strata_from, strata_to, pairs, unit_pairs, counts)


def _carry_over(pool_from: np.ndarray, pool_to: np.ndarray) -> np.ndarray:
    """``C_from^{-1/2} C_to^{1/2}``: a draw from ``pool_from`` times this has the covariance
    of ``pool_to`` (second moments: the pools' effects are centred)."""
    moment_from = pool_from.T.astype(float) @ pool_from / len(pool_from)
    moment_to = pool_to.T.astype(float) @ pool_to / len(pool_to)
    return (_symmetric_root(moment_from, inverse=True) @ _symmetric_root(moment_to)).astype(
        np.float32
    )


def panel_differences(
    inputs: BootstrapInputs,
    method: Methodology,
    areas: list[str],
    wave_from: str,
    wave_to: str,
    replicates: int,
    areas_per_chunk: int = 250,
) -> tuple[np.ndarray, PanelCounts]:
    """Bootstrap replicates of ``index_to - index_from`` per area from the joint bootstrap
    (see the module docstring): (replicates, areas) float32, NaN for the areas with no
    respondent or unit in both waves (their change keeps the independent bootstrap), and
    the panel counts of every area."""
    matches = match_panel(inputs, areas, wave_from, wave_to)
    differences = np.full((replicates, len(areas)), np.nan, dtype=np.float32)
    chosen = np.flatnonzero(matches.counts.any)
    if not chosen.size:
        return differences, matches.counts
    # Per row: its weighted values and the weights of its answered components.
    ok = ~np.isnan(inputs.values)
    rows = np.hstack([np.where(ok, inputs.values, 0.0), ok]) * inputs.weight[:, None]
    # Per block (area x side) its slice of the pairs and of the unit pairs, and the rows
    # that belong to a pair.
    pairs = matches.pairs[["block", "row_from", "row_to"]].to_numpy(dtype=np.int64)
    unit_pairs = matches.unit_pairs.sort_values("block", kind="stable")
    unit_pairs = unit_pairs[["block", "unit_from", "unit_to"]].to_numpy(dtype=np.int64)
    edges = np.arange(2 * len(areas) + 1)
    pairs_of = (pairs[:, 1:], np.searchsorted(pairs[:, 0], edges))
    unit_pairs_of = (unit_pairs[:, 1:], np.searchsorted(unit_pairs[:, 0], edges))
    in_pair = np.zeros(len(inputs.values), dtype=bool)
    in_pair[pairs[:, 1]] = in_pair[pairs[:, 2]] = True
    for first in range(0, len(chosen), areas_per_chunk):
        part = chosen[first : first + areas_per_chunk]
        differences[:, part] = _joint_chunk(
            inputs, method, matches, rows, in_pair, pairs_of, unit_pairs_of, areas, part,
            (wave_from, wave_to), replicates,
        )  # fmt: skip
    return differences, matches.counts


def _joint_chunk(
    inputs, method, matches, rows, in_pair, pairs_of, unit_pairs_of, areas, part, waves,
    replicates,
):  # fmt: skip
    """Joint replicates of the change of the areas ``part`` (positions in ``areas``)."""
    wave_from, wave_to = waves
    k = inputs.values.shape[1]
    units = inputs.units
    blocks = (2 * part[:, None] + np.arange(len(SIDES))).ravel()
    n_blocks = len(blocks)
    # Per group of draws (a panel, or one wave's other respondents): its rows' weighted
    # values in the columns of its wave(s): [from: w v, w ok | to: w v, w ok].
    groups_matrix, groups_block, groups_draws = [], [], []
    shift = np.zeros((2, replicates, n_blocks, k), dtype=np.float32)
    carry_over: dict[tuple[int, int], np.ndarray] = {}
    for b, block in enumerate(blocks):
        area, side = areas[block // 2], SIDES[block % 2]
        rng = np.random.default_rng(
            stream(inputs.seed, "panel change", area, wave_from, wave_to, side)
        )
        s_from, s_to = matches.strata_from[block], matches.strata_to[block]
        pairs = pairs_of[0][pairs_of[1][block] : pairs_of[1][block + 1]]
        row_from, row_to = pairs[:, 0], pairs[:, 1]
        own_from = _stratum_rows(inputs, s_from)
        own_from = own_from[~in_pair[own_from]]
        own_to = _stratum_rows(inputs, s_to)
        own_to = own_to[~in_pair[own_to]]
        for kind, (rows_from, rows_to) in enumerate(
            ((row_from, row_to), (own_from, None), (None, own_to))
        ):
            n = len(rows_from) if rows_from is not None else len(rows_to)
            if n == 0:
                continue
            columns = [
                rows[chosen] if chosen is not None else np.zeros((n, 2 * k))
                for chosen in (rows_from, rows_to)
            ]
            groups_matrix.append(np.hstack(columns).astype(np.float32))
            groups_block.append((kind, b))
            draw_type = np.uint16 if n <= np.iinfo(np.uint16).max else np.uint32
            groups_draws.append(rng.integers(0, n, size=(replicates, n), dtype=draw_type))
        if units is not None:
            _unit_shifts(
                inputs,
                rng,
                s_from,
                s_to,
                unit_pairs_of[0][unit_pairs_of[1][block] : unit_pairs_of[1][block + 1]],
                replicates,
                shift,
                b,
                carry_over,
                method.panel_units == "carry",
            )
    # Resampled sums per kind of group (panel, earlier wave's others, later wave's others).
    sums = np.zeros((3, replicates, n_blocks, 4 * k), dtype=np.float32)
    sizes = np.array([len(m) for m in groups_matrix])
    kind_of, block_of = np.array(groups_block, dtype=np.int64).reshape(-1, 2).T
    for n in np.unique(sizes):
        alike = np.flatnonzero(sizes == n)
        # As in the per-wave bootstrap: groups of one size stacked, each replicate's draws
        # a vector of counts, in chunks small enough for the counts to stay in cache.
        per_chunk = max(1, BOOTSTRAP_CHUNK_ELEMENTS // (replicates * n))
        for start in range(0, len(alike), per_chunk):
            chosen = alike[start : start + per_chunk]
            stacked = np.stack([groups_matrix[g] for g in chosen])  # (groups, n, 4k)
            draws = np.stack([groups_draws[g] for g in chosen])  # (groups, replicates, n)
            s = len(chosen)
            offsets = (np.arange(s * replicates, dtype=np.int64) * n).reshape(s, replicates, 1)
            counts = np.bincount((draws + offsets).ravel(), minlength=s * replicates * n)
            counts = counts.reshape(s, replicates, n).astype(np.float32)
            if n > 1:  # Rao & Wu's rescaling: each group's resample has its sample's variance
                counts -= 1.0  # about the expected count of each row, 1
                counts *= np.float32(np.sqrt(n / (n - 1)))
                counts += 1.0
            group_sums = np.matmul(counts, stacked)  # (groups, replicates, 4k)
            sums[kind_of[chosen], :, block_of[chosen]] = group_sums  # one per kind and block
    strata = (matches.strata_from[blocks], matches.strata_to[blocks])
    scale = [_respondent_scale(inputs, strata[w]) for w in range(2)]
    centre = [inputs.centre[strata[w]].astype(np.float32) for w in range(2)]
    # Each wave's deviation from its centre, split into the panel's part and the others'
    # (exactly: both over the resample's total weight).
    panel, others = [], []
    for w in range(2):
        columns = slice(2 * k * w, 2 * k * w + k), slice(2 * k * w + k, 2 * k * (w + 1))
        total = sums[0][..., columns[1]] + sums[1 + w][..., columns[1]]
        with np.errstate(invalid="ignore", divide="ignore"):
            panel.append((sums[0][..., columns[0]] - centre[w] * sums[0][..., columns[1]]) / total)
            others.append(
                (sums[1 + w][..., columns[0]] - centre[w] * sums[1 + w][..., columns[1]]) / total
            )
    # The second stage scales a wave's respondents to the within-unit spread; the panel's
    # difference between the waves holds no between-unit spread (a person stays in a unit,
    # whose effect is shared), so only the panel's mean over the waves is scaled.
    common, difference = (panel[0] + panel[1]) / 2, panel[1] - panel[0]
    indices = []
    for w in range(2):
        sign = -0.5 if w == 0 else 0.5
        means = centre[w] + scale[w] * (others[w] + common) + sign * difference
        if units is not None:
            clustered = units.group_of_stratum[strata[w]] >= 0
            means[:, clustered] = shift_on_logit(means[:, clustered], shift[w][:, clustered])
        means = means.reshape(replicates, len(part), len(SIDES), k)
        indices.append(indices_from_means(means, method)["index"])
    return indices[1] - indices[0]


def _stratum_rows(inputs: BootstrapInputs, stratum: int) -> np.ndarray:
    return inputs.starts[stratum] + np.arange(inputs.sizes[stratum])


def _respondent_scale(inputs: BootstrapInputs, strata: np.ndarray) -> np.ndarray:
    """(strata, k): the per-wave estimate's first-stage factor, ``sqrt(1 - ICC)`` times the
    finite-members factor, in waves with unit codes; 1 elsewhere."""
    k = inputs.values.shape[1]
    scale = np.ones((len(strata), k), dtype=np.float32)
    units = inputs.units
    if units is None:
        return scale
    groups = units.group_of_stratum[strata]
    clustered = groups >= 0
    scale[clustered] = (
        units.respondent_scale[groups[clustered]] * units.member_scale[strata[clustered], None]
    )
    return scale


def _unit_shifts(
    inputs, rng, s_from, s_to, unit_pairs, replicates, shift, b, carry_over, carry: bool
) -> None:
    """Add the unit effects of one (area, side) in both waves to ``shift[:, :, b]``; with
    ``carry`` a unit in both waves keeps its earlier effect (methodology change.panel_units)."""
    units = inputs.units
    first_unit = np.searchsorted(units.unit_stratum, [s_from, s_from + 1, s_to, s_to + 1])
    from_units = np.arange(first_unit[0], first_unit[1])
    to_units = np.arange(first_unit[2], first_unit[3])
    g_from, g_to = units.group_of_stratum[s_from], units.group_of_stratum[s_to]
    effects_from = None
    if g_from >= 0 and from_units.size:
        draws = rng.integers(0, units.pool_size[g_from], size=(replicates, from_units.size))
        effects_from = units.pool[units.pool_start[g_from] + draws]  # (replicates, units, k)
        shift[0, :, b] = (effects_from * units.unit_scale[from_units, None]).sum(axis=1)
    if g_to < 0 or not to_units.size:
        return
    carried = np.zeros(to_units.size, dtype=bool)
    effects_to = np.zeros((replicates, to_units.size, shift.shape[-1]), dtype=np.float32)
    if carry and len(unit_pairs) and effects_from is not None:
        if (g_from, g_to) not in carry_over:
            carry_over[(g_from, g_to)] = _carry_over(_pool(units, g_from), _pool(units, g_to))
        keep = carry_over[(g_from, g_to)]
        at_from = unit_pairs[:, 0] - first_unit[0]
        at_to = unit_pairs[:, 1] - first_unit[2]
        effects_to[:, at_to] = effects_from[:, at_from] @ keep
        carried[at_to] = True
    own = np.flatnonzero(~carried)
    if own.size:
        draws = rng.integers(0, units.pool_size[g_to], size=(replicates, own.size))
        effects_to[:, own] = units.pool[units.pool_start[g_to] + draws]
    shift[1, :, b] = (effects_to * units.unit_scale[to_units, None]).sum(axis=1)


def _pool(units, group: int) -> np.ndarray:
    return units.pool[units.pool_start[group] : units.pool_start[group] + units.pool_size[group]]
