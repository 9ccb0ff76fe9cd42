"""The report by municipality, on a results folder of 60 areas in 6 municipalities of
different sizes (the index tables only: the structure needs no psychometrics).

Every municipality has an area called Centrum, so names repeat across municipalities.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from report_fixtures import two_waves, write_results

from samenspel.cli import _chosen_pdfs, main
from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.instrument import load_areas
from samenspel.pipeline.index.compare import AREA_SCREENS
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports.i18n import TEXT
from samenspel.reports.render import ReportInput, build_site, site_layout

MUNICIPALITIES = {
    "GM0001": ("Aalsmeer", 2),
    "GM0002": ("Bergen", 4),
    "GM0003": ("Castricum", 7),
    "GM0004": ("Delft", 10),
    "GM0005": ("Enschede", 15),
    "GM0006": ("Zaanstad", 22),
}


AREAS = {  # id -> (municipality, name)
    f"{code.lower()}-{k}": (
        code,
        "Centrum" if k == 0 else f"{name}-{'Noord' if k % 2 else 'Zuid'} {k}",
    )
    for code, (name, size) in MUNICIPALITIES.items()
    for k in range(size)
}


def registry_yaml() -> str:
    lines = ["municipalities:"]
    lines += [f"  {code}: {name}" for code, (name, _) in MUNICIPALITIES.items()]
    lines.append("areas:")
    lines += [
        f"  - {{id: {area}, name: {name}, municipality: {code}, kind: wijk}}"
        for area, (code, name) in AREAS.items()
    ]
    return "\n".join(lines) + "\n"


def areas_of(code: str) -> list[str]:
    """The ids of a municipality's areas, by name as a reader sorts them: "Delft-Noord 3"
    before "Delft-Noord 9" before "Delft-Noord 11"."""

    def by_name(area: str) -> tuple[str, int]:
        text, number = re.fullmatch(r"(.*?)(\d*)", AREAS[area][1]).groups()
        return text.casefold(), int(number or 0)

    return sorted((a for a, (c, _) in AREAS.items() if c == code), key=by_name)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A results folder written as `samenspel analyse` writes it (tables, manifest)."""
    folder = tmp_path_factory.mktemp("municipalities")
    registry = folder / "areas.yaml"
    registry.write_text(registry_yaml(), encoding="utf-8")
    areas, method = load_areas(registry), load_methodology()
    instrument, responses = two_waves(folder, areas, per_side=10, seed=5)
    tables = index_tables(responses, instrument, areas, method, replicates=100, full=True)
    results, metadata = write_results(folder, tables, instrument, method)
    site = folder / "site"
    argv = ["report", "--results", str(results), "--out", str(site), "--areas", str(registry)]
    assert main([*argv, "--language", "en", "--pdf", "gm0001"]) == 0
    data = ReportInput(
        tables, metadata, instrument, method, DEFAULT_METHODOLOGY.read_text(encoding="utf-8")
    )
    return site / "en", data, argv


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"#]+)"', html)


def test_a_page_per_municipality_listing_exactly_its_areas(built):
    site, _, _ = built
    for code in MUNICIPALITIES:
        html = (site / code / "index.html").read_text()
        table = re.search(r'<table id="overview-table".*?</table>', html, re.S).group(0)
        assert re.findall(r'data-area="([^"]+)"', table) == areas_of(code)
        for area in areas_of(code):
            assert (site / code / f"area-{area}.html").exists()
            assert f'href="../{code}/area-{area}.html"' in table
    assert len(list(site.rglob("area-*.html"))) == 60


def test_the_index_lists_every_area_under_its_municipality(built):
    site, _, _ = built
    html = (site / "areas.html").read_text()
    section = r'<section class="municipality" data-municipality="(\w+)">(.*?)</section>'
    sections = re.findall(section, html, re.S)
    assert [code for code, _ in sections] == list(MUNICIPALITIES)  # by name: A ... Z
    for code, section in sections:
        assert links(section) == [f"{code}/index.html"] + [
            f"{code}/area-{area}.html" for area in areas_of(code)
        ]


def test_the_front_page_summarises_the_municipalities(built):
    site, _, _ = built
    html = (site / "index.html").read_text()
    table = re.search(r'<table id="municipality-table"[^>]*>.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr data-municipality="(\w+)">(.*?)</tr>', table, re.S)
    assert [code for code, _ in rows] == list(MUNICIPALITIES)
    for code, row in rows:
        assert f'data-field="areas">{MUNICIPALITIES[code][1]}<' in row
    assert not re.search(r"area-gm\d+-\d+\.html", html)  # no row per area on the front page


def test_with_one_municipality_its_overview_is_the_front_page(built):
    _, data, _ = built
    ids = areas_of("GM0003")
    one = {
        name: table[table["area"].isin(ids)] if "area" in table else table
        for name, table in data.tables.items()
    }
    screens = one["comparisons"]["test"].isin(AREA_SCREENS)
    one["comparisons"] = one["comparisons"][~screens | one["comparisons"]["group_a"].isin(ids)]
    pages = build_site(replace(data, tables=one), "en")
    assert set(pages) == {
        "index.html", "areas.html", "comparisons.html", "technical.html", "quality.html",
        "methods.html", *(f"area-{area}.html" for area in areas_of("GM0003")),
    }  # fmt: skip
    front = pages["index.html"]
    assert "municipality-table" not in front and "Castricum: hybridisation index" in front
    assert 'class="breadcrumb"' not in front + pages["area-gm0003-1.html"]
    assert "Median Castricum" not in front  # the municipality is all areas


def test_pdfs_for_the_chosen_municipalities_only(built):
    site, _, _ = built
    assert sorted(p.name for p in site.glob("*.pdf")) == [
        "samenspel-GM0001.pdf",
        "samenspel-overview.pdf",
    ]
    chosen = (site / "GM0001" / "area-gm0001-1.html").read_text()
    assert 'href="../samenspel-GM0001.pdf"' in chosen
    other = (site / "GM0002" / "index.html").read_text()
    assert ".pdf" not in other  # no link to a PDF that was not made
    for name in ("index.html", "areas.html", "methods.html"):
        assert 'href="samenspel-overview.pdf"' in (site / name).read_text()


def test_pdf_choice(built, tmp_path, capsys):
    _, _, argv = built
    argv = [*argv[:4], str(tmp_path / "site"), *argv[5:]]
    assert main([*argv, "--pdf", "GM0001,GM9999"]) == 2
    assert "GM9999 is not a municipality of these results" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
    codes = [f"GM{k:04d}" for k in range(1, 26)]
    assert _chosen_pdfs(None, codes[:20]) == codes[:20]
    assert _chosen_pdfs(None, codes) == []
    assert "`--pdf GM0001,GM0002`" in capsys.readouterr().err
    assert _chosen_pdfs("none", codes) == [] and _chosen_pdfs("all", codes) == codes


def test_charts_stay_within_their_pictures_and_grow_with_one_municipality_at_most(built):
    site, _, _ = built
    largest = max(size for _, size in MUNICIPALITIES.values())
    for path in site.rglob("*.html"):
        for svg in re.findall(r"<svg .*?</svg>", path.read_text(), re.S):
            width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
            assert height <= 26 * largest + 100, path
            for x, y in re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)"', svg):
                assert 0 <= float(x) <= width and 0 <= float(y) <= height, (path, svg[:80])


def test_search_filters_as_you_type(built, browser):
    site, _, _ = built
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "areas.html").as_uri())
    for _ in range(20):  # the field is reached with the keyboard
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "area-search":
            break
    assert page.evaluate("document.activeElement.id") == "area-search"
    visible = page.locator("#area-index li:visible")
    assert visible.count() == 60
    page.keyboard.type("centrum")
    assert visible.all_inner_texts() == [f"Centrum ({name})" for name, _ in MUNICIPALITIES.values()]
    assert page.inner_text("#area-search-status") == "6 areas found"
    page.fill("#area-search", "ZAANSTAD")  # a municipality's name finds all its areas
    assert visible.count() == 22
    assert page.locator("#area-index section:visible").count() == 1
    page.fill("#area-search", "delft-noord 3")
    assert visible.all_inner_texts() == ["Delft-Noord 3"]
    page.fill("#area-search", "nowhere")
    assert visible.count() == 0 and page.inner_text("#area-search-status") == "No area found"
    page.fill("#area-search", "")
    assert visible.count() == 60
    assert errors == []


def test_without_javascript_the_index_lists_everything(built, browser):
    site, _, _ = built
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "areas.html").as_uri())
    assert page.locator("#area-index li:visible").count() == 60
    assert not page.locator("#area-search").is_visible()
    context.close()


def test_each_summary_agrees_with_the_index_table(built):
    """The summary of every municipality against index.csv and comparisons.csv directly."""
    site, data, _ = built
    index = data.tables["index"].assign(wave=lambda d: d["wave"].astype(str))
    latest = index[index["wave"] == index["wave"].max()]
    screens = data.tables["comparisons"]
    screens = screens[
        (screens["test"] == "area_vs_municipality")
        & (screens["wave"].astype(str) == latest["wave"].iloc[0])
        & (screens["p_adjusted"] < data.method.false_discovery_rate)
    ]
    for code in MUNICIPALITIES:
        html = (site / code / "index.html").read_text()
        section = re.search(r'<section class="summary".*?</section>', html, re.S).group(0)
        said = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<li>(.*?)</li>", section)]
        own = latest[latest["area"].isin(areas_of(code))]
        shown = own[own["status"].isin(["published", "indicative"])]
        bands = shown["band"].value_counts()
        assert said[0] == (
            f"Measured in wave {own['wave'].iloc[0]}: {len(shown)} areas. By band: "
            f"hybridisation {bands.get('hybridisation', 0)}, rapprochement "
            f"{bands.get('rapprochement', 0)}, co-existence {bands.get('co-existence', 0)}."
        )
        rose = shown[shown["change_verdict"] == "increase"]
        improved = [s for s in said if s.startswith("Clearly improved")]
        assert len(improved) == (len(rose) > 0)
        for area in rose["area_name"]:
            assert area in improved[0]
        median = f"{own['index'].median():.1f}"
        assert f"The median of the areas of {MUNICIPALITIES[code][0]} is {median};" in " ".join(
            said
        )
        differing = set(screens["group_a"]) & set(areas_of(code))
        line = next(s for s in said if "rest of" in s)
        assert line.startswith("No area") == (not differing)


def test_names_sort_as_a_reader_expects():
    """Numbers by value and case aside, for municipalities and for areas."""
    names = {"w10": "Wijk 10", "w2": "wijk 2", "w1": "Wijk 1", "c": "Centrum"}
    index = pd.DataFrame(
        {
            "area": [*names, "x"],
            "area_name": [*names.values(), "Oost"],
            "municipality": ["Gemeente 10"] * 4 + ["Gemeente 9"],
            "municipality_code": ["GM0010"] * 4 + ["GM0009"],
            "wave": "2026",
        }
    )
    layout = site_layout(index)
    assert list(layout.municipalities["municipality"]) == ["Gemeente 9", "Gemeente 10"]
    assert list(layout.areas["area"]) == ["x", "c", "w1", "w2", "w10"]


def banners(pages: dict[str, str]) -> set[str | None]:
    found = (re.search(r'<p class="demo" role="note">(.*?)</p>', html) for html in pages.values())
    return {match.group(1) if match else None for match in found}


def test_the_demo_banner_is_on_the_pages_whose_waves_are_simulated(built):
    _, data, _ = built
    assert banners(build_site(data, "en")) == {TEXT["demo_banner"]["en"]}  # metadata: all
    files = pd.DataFrame({"name": ["a.csv", "b.csv"], "wave": ["2025", "2026"]})
    real = replace(data, tables={**data.tables, "files": files.assign(simulated=False)})
    assert banners(build_site(real, "en")) == {None}
    mixed = replace(data, tables={**data.tables, "files": files.assign(simulated=[True, False])})
    assert banners(build_site(mixed, "nl")) == {
        "Gesimuleerde demodata in meting 2025 — die cijfers beschrijven geen echte wijk."
    }
