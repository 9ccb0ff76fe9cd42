"""Change of the area index between waves (docs/methodology.md, section 7).

Per area, between consecutive waves and against the first wave: the difference of the index
with the percentile interval of its bootstrap differences, a p-value, Benjamini-Hochberg FDR
across the areas of each pair of waves, "meaningful" only beyond the methodology's
threshold, and a method break where the instrument changed between the waves or measurement
invariance across them fails.

The bootstrap differences: where an area has respondents or units in both waves (the same
respondent code or listed unit code, in the same area and side), a joint bootstrap of the two
waves that resamples them together (:mod:`.panel`), so the interval reflects their
correlation; ``panel_respondents`` and ``panel_units`` count them. Elsewhere the waves are
independent samples, and replicate ``r`` of one wave minus replicate ``r`` of the other is a
draw of the difference. Neither changes a wave's own figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, norm

from samenspel.pipeline.index.estimate import IndexResult, percentile_interval, worst_status
from samenspel.pipeline.index.panel import panel_differences
from samenspel.pipeline.methodology import Methodology

# The columns of change.csv, each described once; the report renders these descriptions.
CHANGE_COLUMNS = {
    "area": "area id from the area registry",
    "comparison": "'previous' (the wave before) or 'first' (the first wave with this area)",
    "wave_from": "the earlier wave",
    "wave_to": "the later wave",
    "index_from": "area index in the earlier wave",
    "index_to": "area index in the later wave",
    "change": "index_to - index_from, in index points",
    "ci_low": "lower bound of the percentile bootstrap CI of the change",
    "ci_high": "upper bound of the percentile bootstrap CI of the change",
    "p": "two-sided p-value of 'no change' from the bootstrap (methodology change.p_value)",
    "q": "Benjamini-Hochberg adjusted p across the areas of this pair of waves",
    "significant": "q below the false discovery rate (methodology change.false_discovery_rate)",
    "meaningful": "significant and |change| at least change.meaningful_change index points",
    "method_break": "true when the instrument changed or invariance across the waves fails",
    "invariance": "invariance across the two waves: holds, fails, not testable (the test "
    "could not be fitted) or not tested (no test given)",
    "verdict": "increase, decrease, small change, no clear change, method break, not testable "
    "(a clear change whose invariance test could not run), boundary change (the area took "
    "over other areas' territory in wave_to: no change is computed) or suppressed",
    "status": "published, indicative or suppressed: the smaller of the two waves' statuses",
    "panel_respondents": "respondents in both waves (same respondent code, area and side): "
    "resampled as pairs, so the CI reflects their correlation",
    "panel_units": "listed units (wijkteams, organisations) of the area that respondents were "
    "reached through in both waves: each keeps its unit effect in the bootstrap",
}
VERDICTS = (
    "increase", "decrease", "small change", "no clear change", "method break", "not testable",
    "boundary change", "suppressed",
)  # fmt: skip
# An optional invariance verdict from the psychometrics: one row per pair of waves.
INVARIANCE_COLUMNS = ("wave_from", "wave_to", "holds")


def bootstrap_p_values(point: np.ndarray, replicates: np.ndarray, how: str) -> np.ndarray:
    """Two-sided p-values of 'no difference' from bootstrap differences (replicates, k).

    ``bootstrap_se``: normal p of ``point / sd(replicates)``. ``percentile``: twice the
    smaller share of replicates at or beyond 0, counted as ``(count + 1) / (B + 1)``.
    """
    if how == "bootstrap_se":
        with np.errstate(invalid="ignore", divide="ignore"):
            z = point / np.nanstd(replicates, axis=0, ddof=1)
        return 2 * norm.sf(np.abs(z))
    if how == "percentile":
        valid = (~np.isnan(replicates)).sum(axis=0)
        below = (replicates <= 0).sum(axis=0)
        above = (replicates >= 0).sum(axis=0)
        return np.minimum(1.0, 2 * (np.minimum(below, above) + 1) / (valid + 1))
    raise ValueError(f"p-value method must be bootstrap_se or percentile, got {how!r}")


def _pairs(waves: Sequence[str]) -> list[tuple[str, str, str]]:
    pairs = [("previous", a, b) for a, b in pairwise(waves)]
    pairs += [("first", waves[0], b) for b in waves[2:]]  # wave 2 vs first = previous
    return pairs


def index_change(
    result: IndexResult,
    method: Methodology,
    wave_order: Sequence[str] | None = None,
    wave_instruments: Mapping[str, str] | None = None,
    invariance: pd.DataFrame | None = None,
    replaced: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
) -> pd.DataFrame:
    """Change per area between waves, as a tidy table with :data:`CHANGE_COLUMNS`.

    ``replaced`` maps an area that took over other areas' territory to (the wave it starts
    in, the areas it replaces), from the registry: for such an area the comparison with the
    wave before gets a row of its own with the verdict "boundary change" and no figures (a
    merged area is not the same population as either part). Changes are computed only
    between waves of one area id, so never across a boundary change.

    ``result`` is the index with its bootstrap replicates; ``wave_order`` lists the waves
    from first to last (default: sorted by name); ``wave_instruments`` maps each wave to
    its instrument content hash (the store's ``waves`` table); ``invariance`` is an
    optional verdict with :data:`INVARIANCE_COLUMNS`. Comparisons against the first wave
    are listed from the third wave on (for the second they equal 'previous'). A change
    involving a suppressed cell is suppressed: no values, verdict 'suppressed'.
    """
    table = result.table.reset_index(drop=True)
    waves = list(wave_order) if wave_order is not None else sorted(table["wave"].unique())
    unknown = sorted(set(table["wave"]) - set(waves))
    if unknown:
        raise ValueError(f"waves {unknown} are not in wave_order {waves}")
    verdicts: dict[tuple[str, str], bool | None] = {}  # None: not testable
    if invariance is not None:
        missing = [c for c in INVARIANCE_COLUMNS if c not in invariance.columns]
        if missing:
            raise ValueError(
                f"invariance needs the columns {INVARIANCE_COLUMNS}; {missing} missing"
            )
        for row in invariance.itertuples(index=False):
            holds = None if pd.isna(row.holds) else bool(row.holds)
            verdicts[(str(row.wave_from), str(row.wave_to))] = holds
    position = {
        (a, w): i for i, (a, w) in enumerate(zip(table["area"], table["wave"], strict=True))
    }
    frames = []
    for comparison, wave_from, wave_to in _pairs(waves):
        areas = sorted(
            set(table.loc[table.wave == wave_from, "area"])
            & set(table.loc[table.wave == wave_to, "area"])
        )
        if not areas:
            continue
        i_from = np.array([position[(a, wave_from)] for a in areas])
        i_to = np.array([position[(a, wave_to)] for a in areas])
        change = result.point[i_to] - result.point[i_from]
        differences = result.replicates[:, i_to].astype(float) - result.replicates[:, i_from]
        panel_respondents = np.zeros(len(areas), dtype=np.int64)
        panel_units = np.zeros(len(areas), dtype=np.int64)
        if result.bootstrap is not None:
            joint, counts = panel_differences(
                result.bootstrap, method, areas, wave_from, wave_to, len(result.replicates)
            )
            differences[:, counts.any] = joint[:, counts.any]
            panel_respondents, panel_units = counts.respondents, counts.units
        low, high = percentile_interval(differences, method.confidence)
        p = bootstrap_p_values(change, differences, method.change_p_value)
        status = np.array(
            [
                worst_status([a, b])
                for a, b in zip(table.status.iloc[i_from], table.status.iloc[i_to], strict=True)
            ]
        )
        shown = (status != "suppressed") & ~np.isnan(p)
        q = np.full(len(areas), np.nan)
        if shown.any():
            q[shown] = false_discovery_control(p[shown], method="bh")
        tested = (wave_from, wave_to) in verdicts
        holds = verdicts.get((wave_from, wave_to))
        instrument_changed = (
            wave_instruments is not None
            and wave_from in wave_instruments
            and wave_to in wave_instruments
            and wave_instruments[wave_from] != wave_instruments[wave_to]
        )
        frame = pd.DataFrame(
            {
                "area": areas,
                "comparison": comparison,
                "wave_from": wave_from,
                "wave_to": wave_to,
                "index_from": result.point[i_from],
                "index_to": result.point[i_to],
                "change": change,
                "ci_low": low,
                "ci_high": high,
                "p": p,
                "q": q,
                "significant": q < method.false_discovery_rate,
                "meaningful": (q < method.false_discovery_rate)
                & (np.abs(change) >= method.meaningful_change),
                "method_break": instrument_changed or holds is False,
                "invariance": (
                    ("holds" if holds else "fails")
                    if holds is not None
                    else ("not testable" if tested else "not tested")
                ),
                "status": status,
                "panel_respondents": panel_respondents,
                "panel_units": panel_units,
            }
        )
        frame["verdict"] = [_verdict(row, method) for row in frame.itertuples(index=False)]
        values = ["index_from", "index_to", "change", "ci_low", "ci_high", "p", "q"]
        frame.loc[frame.status == "suppressed", values] = np.nan
        frame.loc[frame.status == "suppressed", ["significant", "meaningful"]] = False
        frames.append(frame)
    frames.append(_boundary_changes(table, waves, replaced or {}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(CHANGE_COLUMNS)]


def _boundary_changes(table: pd.DataFrame, waves: list[str], replaced) -> pd.DataFrame:
    """A "boundary change" row per area that starts in a wave by taking over areas that were
    measured in the wave before it."""
    present = set(zip(table["area"], table["wave"], strict=True))
    rows = []
    for area, (start, parts) in sorted(replaced.items()):
        if start not in waves or waves.index(start) == 0 or (area, start) not in present:
            continue
        before = waves[waves.index(start) - 1]
        if any((part, before) in present for part in parts):
            rows.append(
                {"area": area, "comparison": "previous", "wave_from": before, "wave_to": start,
                 "significant": False, "meaningful": False, "method_break": False,
                 "invariance": "not tested", "verdict": "boundary change",
                 "status": "published", "panel_respondents": 0, "panel_units": 0}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def _verdict(row, method: Methodology) -> str:
    if row.status == "suppressed":
        return "suppressed"
    if row.method_break:
        return "method break"
    if not row.q < method.false_discovery_rate:
        return "no clear change"
    if abs(row.change) < method.meaningful_change:
        return "small change"
    if row.invariance == "not testable":  # a clear change, but is it the same measure?
        return "not testable"
    return "increase" if row.change > 0 else "decrease"
