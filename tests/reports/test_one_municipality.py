"""A monitor of one municipality: its areas' "rest of the municipality" is "all other
areas", so each comparison is shown once, not in two identical columns."""

from __future__ import annotations

import re

import pytest
from report_fixtures import two_waves, write_results

from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.instrument import load_areas
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports.i18n import LANGUAGES, TEXT
from samenspel.reports.render import FRONT, ReportInput, area_page, build_site, site_layout

REGISTRY = """municipalities:
  GM0405: Hoorn
  GM0439: Purmerend
areas:
  - {id: h-1, name: Grote Waal, municipality: GM0405, kind: wijk}
  - {id: h-2, name: Kersenboogerd, municipality: GM0405, kind: wijk}
  - {id: h-3, name: Risdam, municipality: GM0405, kind: wijk}
  - {id: p-1, name: Weidevenne, municipality: GM0439, kind: wijk}
  - {id: p-2, name: Overwhere, municipality: GM0439, kind: wijk}
"""


def report_input(folder, registry_text: str) -> ReportInput:
    registry = folder / "areas.yaml"
    registry.write_text(registry_text, encoding="utf-8")
    areas, method = load_areas(registry), load_methodology()
    instrument, responses = two_waves(folder, areas, per_side=10, seed=8)
    tables = index_tables(responses, instrument, areas, method, replicates=50, full=True)
    _, metadata = write_results(folder, tables, instrument, method)
    text = DEFAULT_METHODOLOGY.read_text(encoding="utf-8")
    return ReportInput(tables, metadata, instrument, method, text)


@pytest.fixture(scope="module")
def monitors(tmp_path_factory) -> dict[str, ReportInput]:
    """The same kind of data analysed as a monitor of Hoorn alone and of two municipalities."""
    one = REGISTRY.replace("  GM0439: Purmerend\n", "")
    one = "\n".join(line for line in one.splitlines() if "GM0439" not in line) + "\n"
    return {
        "one": report_input(tmp_path_factory.mktemp("one"), one),
        "two": report_input(tmp_path_factory.mktemp("two"), REGISTRY),
    }


def header_cells(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}".*?</thead>', html, re.S).group(0)
    cells = re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_with_one_municipality_the_two_comparisons_are_the_same(monitors):
    """The premise: the pipeline's two screens agree when there is one municipality."""
    comparisons = monitors["one"].tables["comparisons"]
    screens = comparisons[comparisons["test"].isin(("area_vs_municipality", "area_vs_all"))]
    wide = screens.pivot_table(
        index=["wave", "group_a", "construct", "side"], columns="test", values="estimate"
    )
    assert len(wide) > 0
    assert wide["area_vs_municipality"].to_numpy() == pytest.approx(
        wide["area_vs_all"].to_numpy(), nan_ok=True
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_municipality_shows_each_comparison_once(monitors, language):
    pages = build_site(monitors["one"], language)
    vs_all = TEXT["col_vs_all"][language]
    vs_municipality = TEXT["col_vs_municipality"][language]
    assert header_cells(pages[FRONT], "differences") == [
        TEXT["col_area"][language], vs_municipality,
    ]  # fmt: skip
    area = pages[area_page("h-1")]
    assert header_cells(area, "area-differences").count(vs_municipality) == 1
    assert header_cells(area, "area-differences").count(TEXT["col_difference"][language]) == 1
    cells = re.search(r'<tr data-construct="[^"]+" data-side="[^"]+">(.*?)</tr>', area, re.S)
    assert len(re.findall(r"<td", cells.group(1))) == 1 + 2 + 1  # side, difference, p, note
    assert TEXT["area_differences_one"][language].format(name="Hoorn") in area
    assert TEXT["area_differences"][language].format(name="Hoorn") not in area
    for path, html in pages.items():
        assert vs_all not in html, path


@pytest.mark.parametrize("language", LANGUAGES)
def test_several_municipalities_show_both_comparisons(monitors, language):
    data = monitors["two"]
    pages = build_site(data, language)
    layout = site_layout(data.tables["index"])
    hoorn = layout.municipalities.set_index("municipality").at["Hoorn", "path"]
    area = layout.areas.set_index("area").at["h-1", "path"]
    vs_all = TEXT["col_vs_all"][language]
    vs_municipality = TEXT["col_vs_municipality"][language]
    assert header_cells(pages[hoorn], "differences") == [
        TEXT["col_area"][language], vs_municipality, vs_all,
    ]  # fmt: skip
    cells = header_cells(pages[area], "area-differences")
    assert cells.count(TEXT["col_difference"][language]) == 2
