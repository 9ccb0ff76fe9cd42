"""The area page says how many respondents and units answered in both waves of a change."""

from __future__ import annotations

import re

import pandas as pd
from report_fixtures import report_metadata, two_waves

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_METHODOLOGY
from samenspel.instrument import load_areas
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports.render import ReportInput, build_site


def test_the_area_page_shows_the_panel_counts(tmp_path):
    areas, method = load_areas(DEFAULT_AREAS), load_methodology()
    first: dict[str, pd.DataFrame] = {}

    def answer_again(wave: str, frame: pd.DataFrame) -> pd.DataFrame:
        """In 2026 the first four respondents of each area and role of 2025 answer again."""
        at = frame.groupby(["area", "role"]).cumcount()
        if wave == "2025":
            first["frame"] = frame.assign(_at=at)
            return frame
        earlier = first["frame"].set_index(["area", "role", "_at"])["respondent"]
        earlier = earlier[~earlier.index.duplicated()]
        keys = pd.MultiIndex.from_arrays([frame["area"], frame["role"], at])
        again = (at < 4).to_numpy() & keys.isin(earlier.index)
        frame = frame.copy()
        frame.loc[again, "respondent"] = earlier.reindex(keys[again]).to_numpy()
        return frame

    instrument, responses = two_waves(tmp_path, areas, per_side=12, seed=5, edit=answer_again)
    tables = index_tables(responses, instrument, areas, method, replicates=60)
    change = tables["change"].set_index("area")
    # Four per role: every area has four professionals and at least four informal actors
    # (informal actors come in more roles) in both waves.
    assert (change["panel_respondents"] >= 8).all()
    assert (change["panel_units"] > 0).all()
    data = ReportInput(
        tables=tables,
        metadata=report_metadata(instrument, method),
        instrument=instrument,
        method=method,
        methodology_text=DEFAULT_METHODOLOGY.read_text(encoding="utf-8"),
    )
    pages = build_site(data, "nl")
    area = change.index[0]
    page = next(html for path, html in pages.items() if path.endswith(f"area-{area}.html"))
    assert "Respondenten in beide" in page and "Teams in beide" in page
    shown = re.search(r'data-field="panel_respondents">(\d+)<', page).group(1)
    units = re.search(r'data-field="panel_units">(\d+)<', page).group(1)
    assert (int(shown), int(units)) == tuple(change.loc[area, ["panel_respondents", "panel_units"]])
