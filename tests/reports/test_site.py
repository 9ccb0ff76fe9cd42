"""The report site in a real headless browser (Debian's chromium), both languages.

One demo run with a hostile area registry: a name with a <script> tag and quotes, and a name
that starts like a spreadsheet formula. Screenshots land in build/artifacts/.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.reports.i18n import LANGUAGES, TEXT
from samenspel.reports.notation import interval, number

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts"
SCRIPT_NAME = '<script>alert("x")</script> "Noord" \'West\''
FORMULA_NAME = '=HYPERLINK("http://x") Zuid'

AREAS = f"""
municipalities:
  GM0363: Amsterdam
  GM0405: Hoorn
areas:
  - {{id: a-noord, name: {SCRIPT_NAME!r}, municipality: GM0363, kind: gebied}}
  - {{id: a-zuid, name: {FORMULA_NAME!r}, municipality: GM0363, kind: gebied}}
  - {{id: h-west, name: Grote Waal, municipality: GM0405, kind: wijk}}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    areas = root / "areas.yaml"
    # yaml: single-quoted scalars need doubled single quotes
    areas.write_text(AREAS.replace("\\'", "''"), encoding="utf-8")
    demo, store = root / "demo", root / "store.duckdb"
    common = ["--areas", str(areas)]
    assert (
        main(
            ["simulate", "--out", str(demo), "--per-side", "12", "--truth-per-cell", "500", *common]
        )
        == 0
    )
    for wave in ("2025", "2026"):
        assert (
            main(
                [
                    "ingest",
                    str(demo / f"kobo_{wave}.csv"),
                    "--wave",
                    wave,
                    "--store",
                    str(store),
                    *common,
                ]
            )
            == 0
        )
    results, out = root / "results", root / "site"
    assert (
        main(
            [
                "analyse",
                "--store",
                str(store),
                "--out",
                str(results),
                "--replicates",
                "200",
                *common,
            ]
        )
        == 0
    )
    assert main(["report", "--results", str(results), "--out", str(out), *common]) == 0
    return out, results


def visit(browser, path: Path):
    """Open a page; return it with the console errors, page errors and dialogs it caused."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = {"console": [], "errors": [], "dialogs": [], "failed": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["errors"].append(str(e)))
    page.on("dialog", lambda d: (problems["dialogs"].append(d.message), d.dismiss()))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_opens_cleanly_with_working_links(site, browser, language):
    out, _ = site
    pages = sorted((out / language).rglob("*.html"))
    # front page, index of areas, comparisons, technical, quality, methods;
    # 2 municipalities and their 3 areas
    assert len(pages) == 6 + 2 + 3
    for path in pages:
        page, problems = visit(browser, path)
        assert problems == {"console": [], "errors": [], "dialogs": [], "failed": []}, path.name
        assert page.evaluate("document.documentElement.lang") == language
        assert page.locator("h1").count() == 1
        assert TEXT["demo_banner"][language] in page.inner_text("body")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlparse(href)
            assert url.scheme == "file", f"{path.name} links outside the site: {href}"
            assert Path(unquote(url.path)).exists(), f"{path.name}: broken link {href}"
        broken_images = page.eval_on_selector_all(
            "img", "els => els.filter(e => !e.complete || e.naturalWidth === 0).length"
        )
        assert broken_images == 0
        # Every chart has a text alternative.
        for svg in page.query_selector_all("svg"):
            assert svg.get_attribute("role") == "img"
            assert svg.query_selector("title") and svg.query_selector("desc")
        page.close()


def read_row(row, fields) -> dict[str, str]:
    return {
        field: row.query_selector(f'[data-field="{field}"]').inner_text().strip()
        for field in fields
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_overview_figures_equal_index_csv(site, browser, language):
    out, results = site
    index = pd.read_csv(results / "index.csv", dtype={"wave": str})
    latest = index[index.wave == index.wave.max()].set_index("area")
    municipality = {"a-noord": "GM0363", "a-zuid": "GM0363", "h-west": "GM0405"}
    for code in ("GM0363", "GM0405"):
        page, _ = visit(browser, out / language / code / "index.html")
        rows = page.query_selector_all("#overview-table tbody tr")
        assert {row.get_attribute("data-area") for row in rows} == {
            area for area, c in municipality.items() if c == code
        }
        for row in rows:
            expected = latest.loc[row.get_attribute("data-area")]
            cells = read_row(row, ("index", "ci", "gap", "n_professional", "n_informal"))
            # the figures of index.csv, in the notation of the page's language; the model's
            # where the direct figure is indicative or suppressed, marked as such
            if expected.estimate_type == "model-based":
                assert cells["index"] == f"{number(expected.index_model, language)} (model)"
                assert cells["ci"] == interval(
                    expected.index_model_ci_low, expected.index_model_ci_high, language
                )
            else:
                assert cells["index"] == number(expected["index"], language)
                assert cells["ci"] == interval(expected.ci_low, expected.ci_high, language)
            assert cells["gap"] == number(expected.gap, language)
            assert cells["n_professional"] == str(expected.n_professional)
            assert cells["n_informal"] == str(expected.n_informal)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"municipality-{code}-{language}.png", full_page=True)
    front, _ = visit(browser, out / language / "index.html")
    latest = latest.assign(code=latest.index.map(municipality))
    for row in front.query_selector_all("#municipality-table tbody tr"):
        areas = latest[latest.code == row.get_attribute("data-municipality")]
        cells = read_row(row, ("areas", "median", "band-hybridisation", "band-co-existence"))
        assert cells["areas"] == str(len(areas))
        assert cells["median"] == number(areas["index"].median(), language)
        assert cells["band-hybridisation"] == str((areas.band == "hybridisation").sum())
        assert cells["band-co-existence"] == str((areas.band == "co-existence").sum())
    front.screenshot(path=ARTIFACTS / f"overview-{language}.png", full_page=True)
    area_page, _ = visit(browser, out / language / "GM0405" / "area-h-west.html")
    area_page.screenshot(path=ARTIFACTS / f"area-{language}.png", full_page=True)


def test_hostile_area_names_render_as_text(site, browser):
    out, _ = site
    page, problems = visit(browser, out / "en" / "GM0363" / "area-a-noord.html")
    assert problems["dialogs"] == []
    # The one script is the tables' sorting, and no name got into it.
    scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent)")
    assert len(scripts) == 1 and "alert" not in scripts[0]
    assert SCRIPT_NAME in page.inner_text("h1")
    zuid, _ = visit(browser, out / "en" / "GM0363" / "area-a-zuid.html")
    assert zuid.inner_text("h1").startswith(FORMULA_NAME)  # the report shows the real name
    overview, problems = visit(browser, out / "en" / "GM0363" / "index.html")
    assert problems["dialogs"] == [] and SCRIPT_NAME in overview.inner_text("#overview-table")
    # The index's own search script and the sorting are the only ones; the name is text,
    # found by the search.
    index, problems = visit(browser, out / "en" / "areas.html")
    assert index.evaluate("document.querySelectorAll('script').length") == 2
    index.fill("#area-search", SCRIPT_NAME)
    assert index.locator("#area-index li:visible").all_inner_texts() == [SCRIPT_NAME]
    assert problems == {"console": [], "errors": [], "dialogs": [], "failed": []}


def test_csv_cells_cannot_become_formulas(site):
    _, results = site
    text = (results / "index.csv").read_text()
    assert "'=HYPERLINK" in text
    assert not re.search(r'(^|,)"?=HYPERLINK', text, flags=re.MULTILINE)
    index = pd.read_csv(results / "index.csv")
    assert index["area_name"].str.startswith("=").sum() == 0
    # Numbers are data, not formulas: negative gaps stay numbers.
    assert pd.api.types.is_float_dtype(index["gap"])


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is not installed: run `make system-deps` (as root)")
    return subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pdf_per_municipality_and_one_of_all(site, language):
    out, _ = site
    pdfs = sorted(p.name for p in (out / language).glob("*.pdf"))
    assert pdfs == ["samenspel-GM0363.pdf", "samenspel-GM0405.pdf", "samenspel-overview.pdf"]


def test_each_pdf_holds_its_municipality_and_the_banner(site):
    out, _ = site
    hoorn = pdf_text(out / "en" / "samenspel-GM0405.pdf")
    assert (
        "Simulated demo data" in hoorn and "Working together in the neighbourhood — Hoorn" in hoorn
    )
    assert "Grote Waal" in hoorn and "Noord" not in hoorn
    amsterdam = pdf_text(out / "en" / "samenspel-GM0363.pdf")
    assert 'alert("x")' in amsterdam and "Grote Waal (Hoorn)" not in amsterdam
    overview = pdf_text(out / "en" / "samenspel-overview.pdf")
    assert "Hybridisation index per municipality" in overview and "Methods" in overview


@pytest.mark.parametrize("language", LANGUAGES)
def test_methods_page_prints_the_provenance(site, browser, language):
    out, results = site
    page, problems = visit(browser, out / language / "methods.html")
    software = page.inner_text("#provenance-software")
    files = page.inner_text("#provenance-files")
    assert f"numpy\t{metadata.version('numpy')}" in software
    assert f"scipy\t{metadata.version('scipy')}" in software
    methodology_sha = hashlib.sha256(Path(DEFAULT_METHODOLOGY).read_bytes()).hexdigest()
    assert methodology_sha in files
    exports = json.loads((results / "metadata.json").read_text())["provenance"]["exports"]
    assert [e["name"] for e in exports] == ["kobo_2025.csv", "kobo_2026.csv"]
    for export in exports:
        assert export["sha256"] in files and export["name"] in files
    assert str(out.parent) not in page.content()  # no absolute path of the machine
    assert not any(problems.values())
