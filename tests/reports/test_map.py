"""The map of the areas and the sortable tables, in a real headless browser.

Two municipalities: Hoorn's four wijken have CBS codes and outlines in a GeoJSON file (in
longitude/latitude), except one whose code the file lacks; Amsterdam's gebieden have no
codes, so they are tiles. In the latest wave one area is suppressed (3 informal
respondents), one indicative (7) and one not measured at all.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from report_fixtures import two_waves, write_results

from samenspel.cli import main
from samenspel.common.problems import Level, ProblemsFound
from samenspel.instrument import load_areas
from samenspel.instrument.boundaries import ETRS89, RD_NEW, WGS84, Boundaries, load_boundaries
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports import maps
from samenspel.reports.i18n import TEXT, translator

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
    # the figure the table shows: the model-based one where the direct one is not published
    model = hoorn["estimate_type"] == "model-based"
    published = hoorn["index_model"].where(model, hoorn["index"]).dropna().sort_values()
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
         "coordinates-outside-netherlands", "wijken.geojson", "no system this report reads"),
        (geojson([feature("WK040501", {"type": "Polygon", "coordinates": square(5.6e5, 6.9e6)})]),
         "coordinates-outside-netherlands", "wijken.geojson", "Web Mercator (EPSG:3857)"),
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
    errors = [(p.code, p.where) for p in raised.value.problems if p.level is Level.ERROR]
    assert errors == [(code, f"{registry}: {where}")]


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
    from samenspel.common.paths import DEFAULT_AREAS

    registry = load_areas(DEFAULT_AREAS)
    boundaries, warnings = load_boundaries(registry)
    coded = {a.id for a in registry.areas if a.cbs_wijk}
    assert warnings == [] and set(boundaries.outlines) == coded
    assert {a.municipality for a in registry.areas if a.id in coded} == {"Hoorn", "Purmerend"}


# --- drawing ------------------------------------------------------------------------------


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


# --- real outlines (tests/fixtures/maps: CBS wijken and buurten 2023) ---------------------

FIXTURES = Path(__file__).parents[1] / "fixtures" / "maps"
BANDS = [("co-existence", 0, 40), ("rapprochement", 40, 60), ("hybridisation", 60, 100)]
# name: (file, property with the wijk code, municipality code and name)
REAL = {
    "amsterdam-rd": ("wijken-2023-amsterdam-rd.geojson", "statcode", "GM0363", "Amsterdam"),
    "alkmaar-wgs84": ("wijken-2023-alkmaar-amstelveen-wgs84.geojson", "statcode", "GM0361",
                      "Alkmaar"),
    "amstelveen-wgs84": ("wijken-2023-alkmaar-amstelveen-wgs84.geojson", "statcode", "GM0362",
                         "Amstelveen"),
    "beverwijk-buurten-rd": ("buurten-2023-beverwijk-rd.geojson", "wijkcode", "GM0375",
                             "Beverwijk"),
}  # fmt: skip


def real_places(tmp_path: Path, name: str, prefix: str = "w", **changes):
    """A registry of every wijk of one municipality in a real outline file, its boundaries,
    its places (figures drawn at random, one without data) and each area's outline in RD
    New metres as pyproj puts it (the expected geography)."""
    file, prop, code, town = REAL[name]
    data = json.loads((FIXTURES / file).read_text(encoding="utf-8"))
    data.update(changes)
    (tmp_path / "outlines.geojson").write_text(json.dumps(data), encoding="utf-8")
    features = [f for f in data["features"] if f["properties"][prop][2:6] == code[2:]]
    codes = sorted({f["properties"][prop] for f in features})
    lines = [f"municipalities: {{{code}: {town}}}", "boundaries:", "  file: outlines.geojson",
             f"  wijk_property: {prop}", "areas:"]  # fmt: skip
    names = {f["properties"][prop]: f["properties"].get("statnaam") for f in features}
    for k, wijk in enumerate(codes):
        label = json.dumps(names[wijk] or f"Wijk {wijk[-2:]}")
        lines.append(f"  - {{id: {prefix}{k}, name: {label}, municipality: {code}, kind: wijk, "
                     f"cbs_wijk: {wijk}}}")  # fmt: skip
    (tmp_path / "areas.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    boundaries, warnings = load_boundaries(load_areas(tmp_path / "areas.yaml"))
    assert warnings == []
    rng = np.random.default_rng(7)
    places = []
    for k, wijk in enumerate(codes):
        value = round(float(rng.uniform(20, 85)), 1) if k != 1 else None
        band = None if value is None else next(b for b, lo, hi in BANDS if lo <= value < hi)
        label = names[wijk] or f"Wijk {wijk[-2:]}"
        area = f"{prefix}{k}"
        places.append(maps.Place(area, label, value, band, k == 2, boundaries.outlines[area]))
    to_rd = Transformer.from_crs(
        RD_NEW if "-rd" in name else WGS84, RD_NEW, always_xy=True
    ).transform
    expected = {}
    for k, wijk in enumerate(codes):
        points = np.concatenate([np.asarray(ring, dtype=float) for f in features
                                 if f["properties"][prop] == wijk
                                 for ring in f["geometry"]["coordinates"]])  # fmt: skip
        x, y = to_rd(points[:, 0], points[:, 1])
        expected[f"{prefix}{k}"] = (x.min(), y.min(), x.max(), y.max())
    return town, places, expected, boundaries


MEASURE = """svg => {
  const areas = {}, labels = [];
  for (const g of svg.querySelectorAll('g.map-area')) {
    const b = g.querySelector('path').getBBox();
    areas[g.getAttribute('data-area')] = [b.x, b.y, b.x + b.width, b.y + b.height];
  }
  for (const t of svg.querySelectorAll('.map-labels text, .map-labels circle')) {
    const r = t.getBoundingClientRect();
    labels.push({area: t.getAttribute('data-area'), cls: t.getAttribute('class') || t.tagName,
                 text: t.textContent, box: [r.left, r.top, r.right, r.bottom],
                 size: parseFloat(t.getAttribute('font-size') || 0)});
  }
  const stroke = s => parseFloat(svg.querySelector(s).getAttribute('stroke-width'));
  return {areas, labels, border: stroke('.map-borders'), inner: stroke('g.map-area path')};
}"""


def drawn(browser, svg: str) -> dict:
    page = browser.new_page()
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    found = page.eval_on_selector("svg", MEASURE)
    page.close()
    return found


def placement_errors(found: dict, expected: dict) -> tuple[float, dict]:
    """Pixels per metre, and how far (px) each area's drawn box is from where one scale
    and one offset for the whole map put its RD New box."""
    areas = sorted(expected)
    rd = np.array([expected[a] for a in areas])
    px = np.array([found["areas"][a] for a in areas])
    scale = (px[:, 2].max() - px[:, 0].min()) / (rd[:, 2].max() - rd[:, 0].min())
    put = np.column_stack([
        px[:, 0].min() + (rd[:, 0] - rd[:, 0].min()) * scale,
        px[:, 1].min() + (rd[:, 3].max() - rd[:, 3]) * scale,
        px[:, 0].min() + (rd[:, 2] - rd[:, 0].min()) * scale,
        px[:, 1].min() + (rd[:, 3].max() - rd[:, 1]) * scale,
    ])  # fmt: skip
    return scale, dict(zip(areas, np.abs(put - px).max(axis=1), strict=True))


def overlapping(boxes: list[list[float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[:i])
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    ]


@pytest.mark.parametrize("name", list(REAL))
def test_real_outlines_lie_where_rd_new_puts_them_each_with_a_legible_figure(
    tmp_path, browser, name
):
    town, places, expected, _ = real_places(tmp_path, name)
    svg = maps.area_map([(town, places)], None, BANDS, translator("en"), "2026").svg
    found = drawn(browser, svg)
    scale, errors = placement_errors(found, expected)
    assert max(errors.values()) <= 1.0, errors  # one projection, one scale, for the whole map
    y_scale = (
        max(b[3] for b in found["areas"].values()) - min(b[1] for b in found["areas"].values())
    ) / (max(e[3] for e in expected.values()) - min(e[1] for e in expected.values()))
    assert y_scale == pytest.approx(scale, rel=0.005)  # not stretched either way
    labels = found["labels"]
    for place in places:  # every measured area's figure: in the area or in the key
        figures = [lab for lab in labels if lab["area"] == place.area and "map-index" in lab["cls"]]
        if not place.has_data:
            assert figures == [] or all(f["text"] == "–" for f in figures)
            continue
        assert [f["text"] for f in figures] == [f"{place.index:.1f}"], place.label
        assert figures[0]["size"] >= 9
    # Labels never cover one another (inside labels, callout numbers, key entries).
    texts = [lab for lab in labels if lab["cls"] != "circle"]
    same = [(i, j) for i, j in overlapping([t["box"] for t in texts])
            if texts[i]["area"] != texts[j]["area"]]  # fmt: skip
    assert same == []
    circles = [lab["box"] for lab in labels if lab["cls"] == "circle"]
    inside = [t["box"] for t in texts if t["cls"] in ("map-index", "map-name")
              and t["box"][1] < max(b[3] for b in found["areas"].values())]  # fmt: skip
    assert [(i, j) for i, j in overlapping(circles + inside) if i >= len(circles) > j] == []
    assert overlapping(circles) == []
    # A scale bar: its length in metres times the map's scale.
    metres = re.search(r'class="map-scale"><path d="M0,[\d.]+v4h([\d.]+)v-4".*?>([\d.]+) (k?m)<',
                       str(svg))  # fmt: skip
    length = float(metres[2]) * (1000 if metres[3] == "km" else 1)
    assert float(metres[1]) == pytest.approx(length * scale, abs=1.0)


def test_wijken_made_of_buurten_have_heavier_borders_than_their_buurten(tmp_path, browser):
    town, places, _, boundaries = real_places(tmp_path, "beverwijk-buurten-rd")
    assert [len(boundaries.outlines[p.area]) for p in places] == [4, 2, 3, 2, 4, 2, 3, 4]
    svg = str(maps.area_map([(town, places)], None, BANDS, translator("en"), "2026").svg)
    found = drawn(browser, svg)
    assert found["border"] >= 2 * found["inner"]
    fills = re.findall(r'<g class="map-area[^>]*>.*?<path d="([^"]+)"', svg)
    borders = re.findall(r'<path data-area="[^"]+" d="([^"]+)"/>', svg)
    assert [d.count("M") for d in fills] == [4, 2, 3, 2, 4, 2, 3, 4]  # each buurt, thin
    assert [d.count("M") for d in borders] == [1] * 8  # each wijk once, heavy


def test_the_front_page_draws_municipalities_at_one_scale_north_first(tmp_path, browser):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    alkmaar = real_places(tmp_path / "a", "alkmaar-wgs84", prefix="alk")
    amstelveen = real_places(tmp_path / "b", "amstelveen-wgs84", prefix="ams")
    groups = [(amstelveen[0], amstelveen[1]), (alkmaar[0], alkmaar[1])]
    svg = str(maps.area_map(groups, None, BANDS, translator("en"), "2026").svg)
    names = re.findall(r'font-size="12" font-weight="bold">([^<]+)</text>', svg)
    assert names == ["Alkmaar", "Amstelveen"]  # Alkmaar lies north of Amstelveen
    found = drawn(browser, svg)
    scales = []
    for _, _, expected, _ in (alkmaar, amstelveen):
        part = {"areas": {a: found["areas"][a] for a in expected}}
        scale, errors = placement_errors(part, expected)
        assert max(errors.values()) <= 1.0
        scales.append(scale)
    assert scales[0] == pytest.approx(scales[1], rel=0.01)
    assert svg.count('class="map-scale"') == 2  # each with a scale bar of the same length


# --- the boundaries file is questioned ----------------------------------------------------


def test_etrs89_is_read_and_transformed_to_rd_new_like_wgs84(tmp_path):
    etrs = {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4258"}}}
    _, places, expected, boundaries = real_places(tmp_path, "amstelveen-wgs84", **etrs)
    assert boundaries.crs == ETRS89
    for place in places:  # in RD New metres: within a metre of WGS84's (the same here)
        points = np.concatenate([ring for polygon in place.outline for ring in polygon])
        box = (*points.min(axis=0), *points.max(axis=0))
        assert np.allclose(box, expected[place.area], atol=1.0)


def swapped(features: list) -> list:
    return [
        {**f, "geometry": {"type": "Polygon", "coordinates": [
            [[y, x] for x, y in ring] for ring in f["geometry"]["coordinates"]]}}
        for f in features
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "says"),
    [
        ("amstelveen-wgs84", {"swap": True}, "latitude and longitude are swapped"),
        ("amsterdam-rd", {"crs": {"type": "name", "properties": {
            "name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}, "they are RD New (EPSG:28992) metres"),
        ("amstelveen-wgs84", {"crs": {"type": "name", "properties": {"name": "EPSG:28992"}}},
         "they are longitude/latitude degrees"),
    ],
)  # fmt: skip
def test_coordinates_outside_the_netherlands_are_refused_with_the_likely_cause(
    tmp_path, name, change, says
):
    if change.pop("swap", False):
        data = json.loads((FIXTURES / REAL[name][0]).read_text(encoding="utf-8"))
        change = {"features": swapped(data["features"])}
    with pytest.raises(ProblemsFound) as raised:
        real_places(tmp_path, name, **change)
    (problem,) = raised.value.problems
    assert (problem.level, problem.code) == (Level.ERROR, "coordinates-outside-netherlands")
    assert problem.where == str(tmp_path / "outlines.geojson")
    assert says in problem.message and problem.hint


def test_a_code_of_another_municipality_or_a_near_match_is_a_warning_naming_it(tmp_path):
    registry = write_registry(tmp_path, geojson(OUTLINES))
    text = registry.read_text(encoding="utf-8")
    text = text.replace("cbs_wijk: WK040501", "cbs_wijk: WK036201")  # Amstelveen's
    text = text.replace("cbs_wijk: WK040502", "cbs_wijk: wk40502")  # case, lost zero
    registry.write_text(text, encoding="utf-8")
    boundaries, warnings = load_boundaries(load_areas(registry))
    assert set(boundaries.outlines) == {"h-west"}  # neither is drawn: tiles, not guesses
    assert set(boundaries.missing) == {"h-noord", "h-oost", "h-zuid"}
    found = {w.code: w for w in warnings}
    other = found["boundary-other-municipality"]
    assert other.where.endswith("areas[2].cbs_wijk")
    assert "Hoorn (GM0405)" in other.message and "GM0362" in other.message
    assert "WK0405" in other.hint
    near = found["boundary-near-match"]
    assert near.where.endswith("areas[3].cbs_wijk")
    assert "'WK040502' differs only in case or leading zeros" in near.message
    assert near.hint.endswith("WK040502")


@pytest.mark.parametrize("geometry", [None, {"type": "Polygon", "coordinates": []}])
def test_an_unusable_geometry_no_area_uses_is_skipped_with_a_warning(tmp_path, geometry):
    other = {"type": "Feature", "properties": {"wijkcode": "WK036201"}, "geometry": geometry}
    boundaries, warnings = load(tmp_path, geojson([*OUTLINES, other]))
    assert sorted(boundaries.outlines) == ["h-noord", "h-oost", "h-west"]
    skipped = [w for w in warnings if w.code == "invalid-geometry"]
    assert [(w.level, w.where) for w in skipped] == [
        (Level.WARNING, f"{tmp_path / 'wijken.geojson'}: features[3].geometry"
         + ("" if geometry is None else ".coordinates"))
    ]  # fmt: skip
    assert "(wijkcode WK036201)" in skipped[0].message and "skipped" in skipped[0].message
