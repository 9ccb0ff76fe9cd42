"""The map of the areas and the sortable tables, in a real headless browser.

Two municipalities: Hoorn's four wijken have CBS codes and outlines in a GeoJSON file (in
longitude/latitude), except one whose code the file lacks; Amsterdam's gebieden have no
codes, so they are tiles. In the latest wave one area is suppressed (3 informal
respondents), one indicative (7) and one not measured at all.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import two_waves, write_results
from samenspel.instrument import load_areas
from samenspel.instrument.boundaries import WGS84, Boundaries, load_boundaries
from samenspel.instrument.problems import Level, ProblemsFound
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports import maps
from samenspel.reports.i18n import TEXT, translator

from samenspel.cli import main

INFORMAL = 2.0  # the role question's code for informal actors
SUPPRESSED, INDICATIVE, ABSENT, NO_OUTLINE = "h-oost", "h-west", "a-zuid", "h-zuid"

REGISTRY = """
municipalities:
  GM0363: Amsterdam
  GM0405: Hoorn
boundaries:
  file: wijken.geojson
  source: Test outlines
areas:
  - {id: a-noord, name: Noord, municipality: GM0363, kind: gebied}
  - {id: a-zuid, name: Zuid, municipality: GM0363, kind: gebied}
  - {id: h-noord, name: Noord, municipality: GM0405, kind: wijk, cbs_wijk: WK040501}
  - {id: h-oost, name: Oost, municipality: GM0405, kind: wijk, cbs_wijk: WK040502}
  - {id: h-west, name: West, municipality: GM0405, kind: wijk, cbs_wijk: WK040503}
  - {id: h-zuid, name: Zuid, municipality: GM0405, kind: wijk, cbs_wijk: WK040599}
"""


def square(x: float, y: float, size: float = 0.02) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def geojson(features: list, **extra) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra})


def feature(code: str, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"wijkcode": code}, "geometry": geometry}


# Three wijken side by side near Hoorn, in WGS84; WK040599 is not in the file.
OUTLINES = [
    feature(f"WK04050{k}", {"type": "Polygon", "coordinates": square(5.04 + 0.02 * k, 52.64)})
    for k in (1, 2, 3)
]


def write_registry(folder: Path, outlines: str) -> Path:
    (folder / "wijken.geojson").write_text(outlines, encoding="utf-8")
    registry = folder / "areas.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    return registry


def thin(frame: pd.DataFrame, area: str, keep: int) -> pd.DataFrame:
    """``frame`` with only the first ``keep`` informal respondents of ``area``."""
    informal = frame.index[(frame["area"] == area) & (frame["role"] == INFORMAL)]
    return frame.drop(informal[keep:])


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    """The report (English, no PDFs but Hoorn's) of two waves, and the latest wave's index."""
    folder = tmp_path_factory.mktemp("map")
    registry = write_registry(folder, geojson(OUTLINES))
    areas, method = load_areas(registry), load_methodology()

    def fieldwork(wave: str, frame: pd.DataFrame) -> pd.DataFrame:
        if wave == "2025":
            return frame
        frame = thin(thin(frame, SUPPRESSED, 3), INDICATIVE, 7)
        return frame[frame["area"] != ABSENT]

    instrument, responses = two_waves(folder, areas, per_side=14, seed=11, edit=fieldwork)
    tables = index_tables(responses, instrument, areas, method, replicates=100, full=True)
    results, _ = write_results(folder, tables, instrument, method)
    site = folder / "site"
    argv = ["report", "--results", str(results), "--out", str(site), "--areas", str(registry)]
    assert main([*argv, "--language", "en", "--pdf", "GM0405"]) == 0
    index = tables["index"]
    latest = index[index["wave"] == "2026"].set_index("area")
    return site / "en", latest, registry


def open_page(browser, path: Path, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_the_fixture_has_a_suppressed_an_indicative_and_an_absent_area(mapped):
    _, latest, _ = mapped
    assert latest.at[SUPPRESSED, "status"] == "suppressed"
    assert latest.at[INDICATIVE, "status"] == "indicative"
    assert ABSENT not in latest.index
    assert (latest.drop([SUPPRESSED, INDICATIVE])["status"] == "published").all()


@pytest.mark.parametrize(
    ("page_path", "areas"),
    [
        ("index.html", ["a-noord", "a-zuid", "h-noord", "h-oost", "h-west", "h-zuid"]),
        ("GM0405/index.html", ["h-noord", "h-oost", "h-west", "h-zuid"]),
    ],
)
def test_one_shape_per_area_coloured_by_its_band(mapped, browser, page_path, areas):
    site, latest, _ = mapped
    page, errors = open_page(browser, site / page_path)
    shapes = page.query_selector_all("#area-map svg .map-area")
    assert sorted(shape.get_attribute("data-area") for shape in shapes) == sorted(areas)
    for shape in shapes:
        area = shape.get_attribute("data-area")
        drawn = shape.get_attribute("class").split()
        published = area in latest.index and latest.at[area, "status"] != "suppressed"
        if not published:  # suppressed or not measured: no data, and no figure
            assert "no-data" in drawn, area
            figure = shape.query_selector("text.map-index")
            assert figure is None or figure.text_content() == "–"
            assert shape.query_selector("title").text_content().endswith(": –")
            continue
        row = latest.loc[area]
        assert f"band-{row.band}" in drawn, area
        assert shape.query_selector("title").text_content().endswith(f": {row['index']:.1f}")
        figure = shape.query_selector("text.map-index")
        if figure is not None:  # written inside the area where it fits
            assert figure.text_content() == f"{row['index']:.1f}"
            assert (figure.get_attribute("font-style") == "italic") == (area == INDICATIVE)
        # Where the registry's code has an outline, the area is drawn where it lies.
        outlined = area.startswith("h-") and area != NO_OUTLINE
        assert shape.query_selector("path" if outlined else "rect") is not None, area
    assert errors == []
    page.context.close()


def test_the_map_says_in_words_what_it_shows(mapped, browser):
    site, latest, _ = mapped
    page, _ = open_page(browser, site / "GM0405" / "index.html")
    svg = page.query_selector("#area-map svg")
    assert svg.get_attribute("role") == "img"
    desc = svg.query_selector("desc").text_content()
    published = latest.loc["h-noord"]
    band = TEXT["band_" + published.band]["en"]
    assert f"Noord (Hoorn): {published['index']:.1f} ({band})" in desc  # Amsterdam has a Noord
    assert f"Oost: {TEXT['map_no_data']['en']}" in desc
    caption = page.inner_text("#area-map figcaption")
    assert "Zuid" in caption  # its code is not in the file: drawn as a square, and named
    assert "Outlines: Test outlines." in caption
    page.context.close()


def test_the_map_is_in_the_pdf(mapped):
    site, latest, _ = mapped
    pdf = site / "samenspel-GM0405.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    assert TEXT["map_no_data"]["en"] in words  # the legend
    assert "Outlines: Test outlines." in words  # the caption
    assert f"{latest.at['h-noord', 'index']:.1f}" in text


def sort_values(page, table: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{table} tbody tr", "rows => rows.map(r => r.getAttribute('data-area'))"
    )


def test_tables_sort_by_any_column_with_the_keyboard(mapped, browser):
    site, latest, _ = mapped
    page, errors = open_page(browser, site / "GM0405" / "index.html")
    table = "#overview-table"
    as_written = sort_values(page, table)
    assert page.locator(f"{table} thead button.sort").count() >= 7

    def sorted_by() -> list:
        return page.eval_on_selector_all(
            f"{table} thead th[aria-sort]",
            "ths => ths.map(th => [th.textContent.trim(), th.getAttribute('aria-sort')])",
        )

    for _ in range(200):  # the header's button is reached with the keyboard
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('thead') !== null"):
            break
    # Tab on to the index column's button, then sort: ascending, then descending.
    while page.evaluate("document.activeElement.textContent.trim()") != "Index":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    hoorn = latest[latest.index.str.startswith("h-")]
    published = hoorn.drop(SUPPRESSED)["index"].sort_values()
    # Areas without an index (suppressed, not measured) go last, in the order they had.
    without = [a for a in as_written if a not in published.index]
    assert sort_values(page, table) == [*published.index, *without]
    assert sorted_by() == [["Index", "ascending"]]
    page.keyboard.press("Enter")
    assert sort_values(page, table) == [*published.index[::-1], *without]
    assert sorted_by() == [["Index", "descending"]]
    # By the informal respondents' count: ascending puts the suppressed area (3) first.
    page.locator(f"{table} thead th:has-text('n inf.') button.sort").click()
    assert sort_values(page, table)[0] == SUPPRESSED
    assert [name for name, _ in sorted_by()] != ["Index"]
    assert errors == []
    page.context.close()


def test_without_javascript_tables_read_as_written(mapped, browser):
    site, _, _ = mapped
    scripted, _ = open_page(browser, site / "GM0405" / "index.html")
    plain, _ = open_page(browser, site / "GM0405" / "index.html", javascript=False)
    assert plain.locator("button.sort").count() == 0
    assert plain.inner_text("#overview-table").replace("\n", " ").split() == (
        scripted.inner_text("#overview-table").replace("\n", " ").split()
    )
    assert sort_values(plain, "#overview-table") == sort_values(scripted, "#overview-table")
    scripted.context.close()
    plain.context.close()


# --- the boundaries file ------------------------------------------------------------------


def load(tmp_path: Path, outlines: str):
    return load_boundaries(load_areas(write_registry(tmp_path, outlines)))


def test_outlines_are_matched_on_the_cbs_codes(tmp_path):
    boundaries, warnings = load(tmp_path, geojson(OUTLINES))
    assert boundaries.crs == WGS84
    assert sorted(boundaries.outlines) == ["h-noord", "h-oost", "h-west"]
    assert boundaries.missing == ("h-zuid",)
    assert [(w.level, w.code, w.where) for w in warnings] == [
        (Level.WARNING, "boundary-not-found", f"{tmp_path / 'areas.yaml'}: areas[5].cbs_wijk")
    ]


@pytest.mark.parametrize(
    ("outlines", "code", "where", "says"),
    [
        ('{"type": "FeatureCollection",\n "features": [}', "invalid-geojson",
         "wijken.geojson: line 2, column 15", "not valid JSON"),
        (json.dumps({"type": "Feature"}), "invalid-geojson", "wijken.geojson: type",
         "expected a GeoJSON FeatureCollection, found 'Feature'"),
        (geojson([feature("WK040501", {"type": "Point", "coordinates": [5.0, 52.6]})]),
         "invalid-geometry", "wijken.geojson: features[0].geometry",
         "(wijkcode WK040501) has a Point"),
        (geojson([feature("WK040501", {"type": "Polygon", "coordinates": [[[5, 52], [5, 53]]]})]),
         "invalid-geometry", "wijken.geojson: features[0].geometry.coordinates",
         "a ring has 2 positions (at least 4)"),
        (geojson(OUTLINES, crs={"type": "name", "properties": {"name": "EPSG:3857"}}),
         "unsupported-crs", "wijken.geojson: crs", "'EPSG:3857'"),
        (geojson([feature("WK040501", {"type": "Polygon", "coordinates": square(6e5, 6e6, 10)})]),
         "unsupported-crs", "wijken.geojson", "neither RD New"),
        (geojson([{"type": "Feature", "properties": {"code": "x"},
                   "geometry": {"type": "Polygon", "coordinates": square(5, 52)}}]),
         "missing-field", "wijken.geojson: features[*].properties", "'wijkcode'"),
    ],
)  # fmt: skip
def test_an_unusable_boundaries_file_says_where_and_why(tmp_path, outlines, code, where, says):
    with pytest.raises(ProblemsFound) as raised:
        load(tmp_path, outlines)
    problem = raised.value.problems[0]
    assert (problem.level, problem.code) == (Level.ERROR, code)
    assert problem.where == str(tmp_path / where)
    assert says in problem.message
    assert problem.hint


@pytest.mark.parametrize(
    ("entry", "where", "code"),
    [
        ("boundaries: wijken.geojson", "boundaries", "wrong-type"),
        ("boundaries: {wijk_property: code}", "boundaries", "missing-field"),
        ("boundaries: {file: wijken.geojson, fiel: x}", "boundaries.fiel", "unknown-field"),
    ],
)
def test_the_registry_says_what_is_wrong_with_its_boundaries_entry(tmp_path, entry, where, code):
    registry = write_registry(tmp_path, geojson(OUTLINES))
    text = registry.read_text(encoding="utf-8")
    registry.write_text(re.sub(r"boundaries:\n(  .*\n)+", entry + "\n", text), encoding="utf-8")
    with pytest.raises(ProblemsFound) as raised:
        load_areas(registry)
    assert [(p.code, p.where) for p in raised.value.problems] == [(code, f"{registry}: {where}")]


def test_the_report_stops_with_the_problem_not_a_traceback(mapped, tmp_path, capsys):
    _, _, registry = mapped
    broken = tmp_path / "areas.yaml"
    broken.write_text(registry.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "wijken.geojson").write_text("{", encoding="utf-8")
    results = registry.parent / "results"
    argv = ["report", "--results", str(results), "--out", str(tmp_path / "site")]
    assert main([*argv, "--areas", str(broken), "--pdf", "none"]) == 2
    err = capsys.readouterr().err
    assert "invalid-geojson" in err and "wijken.geojson: line 1, column 2" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_the_demo_boundaries_outline_every_hoorn_and_purmerend_wijk():
    from samenspel.paths import DEFAULT_AREAS

    registry = load_areas(DEFAULT_AREAS)
    boundaries, warnings = load_boundaries(registry)
    coded = {a.id for a in registry.areas if a.cbs_wijk}
    assert warnings == [] and set(boundaries.outlines) == coded
    assert {a.municipality for a in registry.areas if a.id in coded} == {"Hoorn", "Purmerend"}


# --- drawing ------------------------------------------------------------------------------


def test_simplify_drops_what_cannot_be_seen_and_keeps_what_can():
    # A square with a point 0.1 off its bottom edge and a spike of 5 on its right edge.
    ring = np.array(
        [[0, 0], [5, 0.1], [10, 0], [10, 4], [15, 5], [10, 6], [10, 10], [0, 10], [0, 0]],
        dtype=float,
    )
    kept = maps.simplify(ring, tolerance=0.5)
    assert kept.tolist() == [[0, 0], [10, 0], [10, 4], [15, 5], [10, 6], [10, 10], [0, 10]]
    # At 6 only the spike's tip and the far corner are further than that from the chords
    # (15.8 and 9.5; (10, 10) is 3.2 from the chord from the tip to (0, 10)).
    assert maps.simplify(ring, tolerance=6).tolist() == [[0, 0], [15, 5], [0, 10]]


def test_longitude_is_shortened_by_the_cosine_of_the_latitude():
    polygon = (np.array(square(5.0, 52.0, 1.0)[0], dtype=float),)
    (projected,) = maps.project([polygon], WGS84)
    width = projected[0][:, 0].max() - projected[0][:, 0].min()
    assert width == pytest.approx(math.cos(math.radians(52.5)))
    assert projected[0][:, 1].max() - projected[0][:, 1].min() == 1.0


def test_a_national_map_draws_cells_one_path_per_band():
    t = translator("en")
    bands = [("co-existence", 0, 40), ("rapprochement", 40, 60), ("hybridisation", 60, 100)]
    rng = np.random.default_rng(3)
    places = [
        maps.Place(f"a{k}", f"Area {k}", v, "rapprochement" if 40 <= v < 60 else
                   "co-existence" if v < 40 else "hybridisation")
        for k, v in enumerate(rng.uniform(0, 100, 700))
    ] + [maps.Place("x", "Suppressed", None, None)]  # fmt: skip
    drawn = maps.area_map([("Land", places)], None, bands, t, "2026")
    assert drawn.svg.count("<path") == 4  # three bands and no data
    assert drawn.svg.count('class="map-area') == 0  # no element per area: a small picture
    assert len(drawn.svg) < 40_000
    counts = {band: sum(p.band == band for p in places) for band, _, _ in bands}
    for band, n in counts.items():
        assert f"{TEXT['band_' + band]['en']} {n}" in drawn.svg
    assert f"{TEXT['map_no_data']['en']} 1" in drawn.svg
    assert drawn.notes == [TEXT["map_cells_note"]["en"]]


def test_without_boundaries_every_area_is_a_tile():
    t = translator("en")
    bands = [("co-existence", 0, 40), ("rapprochement", 40, 60), ("hybridisation", 60, 100)]
    places = [maps.Place("a", "A", 45.0, "rapprochement"), maps.Place("b", "B", None, None)]
    drawn = maps.area_map([("Hoorn", places)], Boundaries(WGS84, {}), bands, t, "2026")
    # two tiles, four legend swatches, and the hatching's pattern
    assert drawn.svg.count("<rect") == 2 + 4 + 1
    assert drawn.notes == [TEXT["map_tiles_note"]["en"]]


def test_a_tall_map_is_pictures_of_whole_rows_that_each_fit_a_page():
    t = translator("en")
    bands = [("co-existence", 0, 40), ("rapprochement", 40, 60), ("hybridisation", 60, 100)]
    # The first area of every municipality has no data.
    groups = [
        (
            f"Gemeente {m}",
            [maps.Place(f"a{m}-0", "W0", None, None)]
            + [maps.Place(f"a{m}-{k}", f"W{k}", 50.0, "rapprochement") for k in range(1, 10)],
        )
        for m in range(300)
    ]
    svg = maps.area_map(groups, None, bands, t, "2026").svg
    pictures = re.findall(r"<svg .*?</svg>", svg, re.S)
    assert len(pictures) > 1
    heights = [float(re.search(r'viewBox="0 0 \S+ (\S+)"', p).group(1)) for p in pictures]
    assert max(heights) <= maps.MAX_PART_HEIGHT
    labels = re.findall(r'font-weight="bold">(Gemeente \d+)</text>', svg)
    assert labels == [name for name, _ in groups]  # each once, in order, none cut off
    assert svg.count(TEXT["map_no_data"]["en"] + "</text>") == 1  # one legend, at the top
    patterns = re.findall(r'<pattern id="([^"]+)"', svg)
    assert len(set(patterns)) == len(pictures)  # ids unique on the page
    for k, picture in enumerate(pictures, start=1):
        assert f"({k}/{len(pictures)})</title>" in picture
        assert f"url(#{patterns[k - 1]})" in picture  # its own hatching for no data
