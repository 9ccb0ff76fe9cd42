"""Fieldwork progress: accepted responses per area, side and unit against the plan, and the
precision the index would have if fieldwork stopped now.

    table = fieldwork_progress(responses, instrument, areas, method, wave, plan)

The half-widths come from :func:`~samenspel.pipeline.index.tables.index_tables`, the very
call `samenspel analyse` makes on the whole store, so they are the intervals `analyse` would
report now (same bootstrap, seed and replicates): half the width of the percentile interval,
``(ci_high - ci_low) / 2``. Small cells follow the methodology: a side below
``small_cells.indicative`` has no half-width, only its count.

Nothing here reads files; the plan is a frame with at least ``area``, ``side``, ``unit``
and ``target`` (``samenspel plan``'s ``plan.csv``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from samenspel.instrument.model import UNIT_NOT_LISTED, AreaRegistry, Instrument
from samenspel.pipeline.index.estimate import SIDES, publication_status
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import Methodology

PLAN_NEEDS = ("area", "side", "unit", "target")

PROGRESS_COLUMNS = {
    "attention": "unit not reached (no response yet), side behind target, or '' (on track)",
    "area": "area id from the area registry",
    "area_name": "area name from the registry",
    "municipality": "municipality name from the registry",
    "wave": "the wave in the field",
    "side": "professional or informal",
    "unit": "unit code from the registry; 'individual' for respondents who named no listed unit",
    "unit_name": "unit name from the registry",
    "accepted": "accepted responses of the unit so far",
    "target": "the unit's target from the plan ('' without a plan or not in it)",
    "members": "the unit's members as the registry lists them ('' when not listed)",
    "response_rate": "accepted / members",
    "of_target": "accepted / target",
    "side_accepted": "accepted responses of the side in the area so far",
    "side_target": "the side's target: the sum of its units' targets in the plan",
    "side_status": "small-cell status of the side now: published, indicative or suppressed",
    "half_width_side": "half-width of the side index's CI if fieldwork stopped now "
    "('' when suppressed)",
    "half_width_index": "half-width of the area index's CI if fieldwork stopped now "
    "('' when a side is suppressed)",
}
ATTENTION = ("unit not reached", "side behind target", "")


def _unit_of(unit: pd.Series) -> pd.Series:
    text = unit.fillna("").astype(str).str.strip()
    return text.where(text != "", UNIT_NOT_LISTED)


def check_plan(plan: pd.DataFrame) -> list[str]:
    """The columns a plan lacks (empty when it can be used)."""
    return [column for column in PLAN_NEEDS if column not in plan.columns]


def fieldwork_progress(
    responses: pd.DataFrame,
    instrument: Instrument,
    areas: AreaRegistry,
    method: Methodology,
    wave: str,
    plan: pd.DataFrame | None = None,
    replicates: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> pd.DataFrame:
    """Progress of ``wave`` per area x side x unit (columns :data:`PROGRESS_COLUMNS`), units
    not reached first, then the units of sides behind target, then the rest.

    ``responses`` are the store's accepted responses of every wave (as `analyse` reads
    them), so that the bootstrap is the one `analyse` runs. Every unit of the registry gets
    a row, reached or not; so does every unit of the plan and every group of respondents
    who named no listed unit.
    """
    wave = str(wave)
    in_index = responses[responses["side"].isin(SIDES)]
    now = in_index[in_index["wave"].astype(str) == wave]
    if now.empty:
        raise ValueError(f"no professional or informal respondents in wave {wave}")
    tables = index_tables(responses, instrument, areas, method, replicates, progress=progress)
    index = tables["index"]
    index = index[index["wave"].astype(str) == wave].set_index("area")
    # The side index's interval with the side's own small-cell status (index.csv blanks
    # both sides when either is small).
    side_index = tables["side_measures"]
    side_index = side_index[
        (side_index["measure"] == "side_index") & (side_index["wave"].astype(str) == wave)
    ].set_index(["area", "side"])

    counts = (
        now.assign(unit=_unit_of(now["unit"]) if "unit" in now else UNIT_NOT_LISTED)
        .groupby(["area", "side", "unit"])
        .size()
        .rename("accepted")
    )
    registry = areas.units_table().rename(columns={"code": "unit", "name": "unit_name"})
    rows = registry.set_index(["area", "side", "unit"])[["unit_name", "members"]]
    if plan is not None:
        planned = (
            plan.assign(
                area=plan["area"].astype(str),
                side=plan["side"].astype(str),
                unit=_unit_of(plan["unit"]),
                target=pd.to_numeric(plan["target"], errors="coerce"),
            )
            .groupby(["area", "side", "unit"])["target"]
            .sum(min_count=1)
        )
    else:
        empty = pd.MultiIndex.from_tuples([], names=["area", "side", "unit"])
        planned = pd.Series(index=empty, dtype=float, name="target")
    keys = rows.index.union(counts.index).union(planned.index)
    table = rows.reindex(keys).join(counts).join(planned.rename("target")).reset_index()
    table = table[table["side"].isin(SIDES)]
    table["accepted"] = table["accepted"].fillna(0).astype(int)
    table["unit_name"] = table["unit_name"].fillna("")
    names = areas.table().set_index("id")
    table["area_name"] = table["area"].map(names["name"]).fillna("")
    table["municipality"] = table["area"].map(names["municipality"]).fillna("")
    table["wave"] = wave
    members = pd.to_numeric(table["members"], errors="coerce")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["response_rate"] = table["accepted"] / members
        table["of_target"] = table["accepted"] / table["target"]
    sides = table.groupby(["area", "side"])
    table["side_accepted"] = sides["accepted"].transform("sum")
    table["side_target"] = sides["target"].transform(lambda t: t.sum(min_count=1))
    table["side_status"] = [publication_status(int(n), method) for n in table["side_accepted"]]

    def half_width(area: str, low: str, high: str) -> float:
        if area not in index.index:
            return np.nan
        return float((index.at[area, high] - index.at[area, low]) / 2)

    def side_half_width(area: str, side: str) -> float:
        if (area, side) not in side_index.index:
            return np.nan
        row = side_index.loc[(area, side)]
        return float((row["ci_high"] - row["ci_low"]) / 2)

    table["half_width_side"] = [
        side_half_width(area, side) for area, side in zip(table["area"], table["side"], strict=True)
    ]
    table["half_width_index"] = [half_width(area, "ci_low", "ci_high") for area in table["area"]]
    behind = table["side_target"].notna() & (table["side_accepted"] < table["side_target"])
    not_reached = (table["accepted"] == 0) & (table["unit"] != UNIT_NOT_LISTED)
    not_reached &= table["target"].isna() | (table["target"] > 0)
    table["attention"] = np.select([not_reached, behind], ATTENTION[:2], default="")
    table["_rank"] = table["attention"].map(ATTENTION.index)
    table["_order"] = table["area"].map({a: i for i, a in enumerate(areas.ids)})
    table = table.sort_values(["_rank", "_order", "area", "side", "unit"], kind="stable")
    for column in ("target", "members", "side_target"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    return table.reset_index(drop=True)[list(PROGRESS_COLUMNS)]


def side_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per area x side of :func:`fieldwork_progress`'s table, in its order."""
    first = table.drop_duplicates(["area", "side"])
    units = table.groupby(["area", "side"]).agg(
        units=("unit", lambda u: int((u != UNIT_NOT_LISTED).sum())),
        units_reached=(
            "accepted",
            lambda a: int(((a > 0) & (table.loc[a.index, "unit"] != UNIT_NOT_LISTED)).sum()),
        ),
    )
    keep = [
        "area", "area_name", "municipality", "side", "side_accepted", "side_target",
        "side_status", "half_width_side", "half_width_index",
    ]  # fmt: skip
    return first[keep].merge(units.reset_index(), on=["area", "side"], how="left")
