"""The order of survey waves in time: from their fieldwork periods, never from their names.

    order = order_waves(dates, periods)   # wave ids, first to last, and how each was placed

A wave id is a name a person chose (``2025-voorjaar``, ``2025-najaar``, ``2026-spring``);
sorted as text, autumn comes before spring. So each wave is placed by its fieldwork period:
the start date the project file gives (``[[waves]]`` in ``samenspel.toml``), else the median
date its respondents submitted (or started) in the data. Only a wave with neither is placed
by its name, after the dated ones, and the order says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

ORDER_COLUMNS = {
    "wave": "survey wave id",
    "position": "1 for the first wave in time",
    "date": "the date the wave is placed by (ISO)",
    "placed_by": "project (fieldwork start in samenspel.toml), data (median submission date) "
    "or name (no date known)",
}


def fieldwork_dates(responses: pd.DataFrame) -> pd.Series:
    """Per wave, the median date of its responses: submitted, else started (NaT if none)."""
    when = pd.to_datetime(responses.get("submitted"), errors="coerce", utc=True)
    started = pd.to_datetime(responses.get("started"), errors="coerce", utc=True)
    if when is None:
        when = started
    elif started is not None:
        when = when.fillna(started)
    if when is None:
        return pd.Series(pd.NaT, index=pd.unique(responses["wave"]))
    frame = pd.DataFrame({"wave": responses["wave"].to_numpy(), "when": when.to_numpy()})
    return frame.groupby("wave", sort=False)["when"].median()


def order_waves(dates: pd.Series, periods: Mapping[str, date | None]) -> pd.DataFrame:
    """The waves of ``dates`` (wave -> median date in the data) and of ``periods`` (wave ->
    fieldwork start from the project) in time order, with :data:`ORDER_COLUMNS`."""
    rows = []
    for wave in sorted(set(dates.index) | set(periods)):
        start = periods.get(wave)
        if start is not None:
            rows.append((wave, pd.Timestamp(start, tz="UTC"), "project"))
        elif wave in dates.index and pd.notna(dates[wave]):
            rows.append((wave, pd.Timestamp(dates[wave]), "data"))
        else:
            rows.append((wave, pd.NaT, "name"))
    table = pd.DataFrame(rows, columns=["wave", "when", "placed_by"])
    dated = table[table["when"].notna()].sort_values(["when", "wave"], kind="stable")
    undated = table[table["when"].isna()].sort_values("wave", kind="stable")
    table = pd.concat([dated, undated], ignore_index=True)
    table["position"] = range(1, len(table) + 1)
    table["date"] = [w.date().isoformat() if pd.notna(w) else "" for w in table["when"]]
    return table[list(ORDER_COLUMNS)]
