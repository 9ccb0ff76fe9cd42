"""The PDFs as a reader gets them: every page rendered to text and to an image, and checked.

A page's problems are what a council member would see: a page with almost no text, a table
cut at the right edge, a heading alone at the bottom of a page, print that runs into the
right margin or below the text block, a contents entry with the wrong page number. The
check reads the PDF with poppler (pdftotext, pdftoppm, pdfinfo) and what was printed from
the print HTML (the tables' last column headers, the headings, the contents); the page
images land in build/artifacts/pdf/ for a human to look at.

Two reports through the command line, in both languages: the demo's three municipalities
(an overview PDF and one per municipality) and a single municipality of eight areas, one
with a long hostile name (its PDF closes with the methods). The cover, contents and
management summary open each PDF. Then PDFs broken on purpose, to show that the check finds
each problem. About a minute in all, most of it making the two reports.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from report_fixtures import two_waves, write_results

from samenspel.cli import main, read_results
from samenspel.common.paths import DEFAULT_AREAS
from samenspel.instrument import load_areas
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.methodology import load_methodology
from samenspel.reports.i18n import LANGUAGES, TEXT
from samenspel.reports.render import (
    Cover,
    PrintSection,
    ReportInput,
    cover_of,
    pdf_documents,
    print_html,
    print_sections,
    site_layout,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "artifacts" / "pdf"
# The page as print.html.j2's @page sets it: A4, margins top 18, right 15, bottom 20 mm.
PAGE_MM, TOP_MM, RIGHT_MM, BOTTOM_MM = (210, 297), 18, 15, 20
POINTS_PER_MM = 72 / 25.4
DPI = 60  # enough to see a page's layout, and 2.4 pixels a millimetre for the margin check
# Fewer characters than this in a page's body (its running header and page number not
# counted) is a page left nearly empty. The shortest real page is the last page of an area
# (two short sections: about 400 characters); a page holding one row of a table, a
# heading alone or a sentence has fewer than 150.
ALMOST_EMPTY = 150
# The right margin holds no print: content may end at most 1 mm past the text block.
MARGIN_TOLERANCE_MM = 1


# --- what was printed ---------------------------------------------------------------------


@dataclass
class Printed:
    """What the print HTML holds: each table's id and the text of its last column header
    (tables with a header row), the texts of its headings and captions, and the contents'
    entries (text, the id they link to)."""

    tables: dict[str, str] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)
    contents: list[tuple[str, str]] = field(default_factory=list)


class _PrintReader(HTMLParser):
    """Reads :class:`Printed` from the print HTML, skipping what print does not show
    (``screen-only``)."""

    VOID = frozenset(
        ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr")
    )
    HEADINGS = frozenset(("h1", "h2", "h3", "caption"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.printed = Printed()
        self.open: list[tuple[str, dict]] = []  # the elements we are in, with their attributes
        self.text: list[str] | None = None  # the text of the heading, header cell or link
        self.header_row: list[str] = []  # the texts of the header cells of the current row
        self.header_rows: list[list[str]] = []  # the table's header rows so far

    def _inside(self, tag: str) -> dict | None:
        return next((attrs for name, attrs in reversed(self.open) if name == tag), None)

    def _hidden(self) -> bool:
        return any("screen-only" in (a.get("class") or "").split() for _, a in self.open)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self.open.append((tag, dict(attrs)))
        if self._hidden():
            return
        if tag == "table":
            self.header_rows = []
        elif tag == "tr" and self._inside("thead") is not None:
            self.header_row = []
        header_cell = tag in ("th", "td") and self._inside("thead") is not None
        contents_entry = tag == "a" and "toc" in (self._inside("section") or {}).get("class", "")
        if tag in self.HEADINGS or header_cell or contents_entry:
            self.text = []

    def handle_startendtag(self, tag, attrs):
        """``<rect/>`` and the like: nothing to read, nothing opened."""

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if not any(name == tag for name, _ in self.open):
            return
        hidden = self._hidden()
        attrs = self._inside(tag)
        text = " ".join("".join(self.text or []).split())
        if not hidden and self.text is not None:
            if tag in self.HEADINGS:
                self.printed.headings.append(text)
                self.text = None
            elif tag in ("th", "td") and self._inside("thead") is not None:
                self.header_row.append(text)
                self.text = None
            elif tag == "a":
                self.printed.contents.append((text, attrs["href"].removeprefix("#")))
                self.text = None
        if not hidden and tag == "tr" and self._inside("thead") is not None:
            self.header_rows.append(self.header_row)
        if not hidden and tag == "table" and self.header_rows and self.header_rows[-1]:
            self.printed.tables[attrs["id"]] = self.header_rows[-1][-1]
        while self.open and self.open.pop()[0] != tag:
            pass


def read_printed(html: str) -> Printed:
    reader = _PrintReader()
    reader.feed(html)
    return reader.printed


# --- the PDF as a reader sees it ----------------------------------------------------------


def poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed: run `make system-deps` (as root)")
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.M).group(1))


def body_texts(pdf: Path) -> list[str]:
    """The text of each page inside its margins, laid out as on the page (so without the
    running header and the page number, which stand in the margins)."""
    top, height = TOP_MM * POINTS_PER_MM, (PAGE_MM[1] - TOP_MM - BOTTOM_MM) * POINTS_PER_MM
    crop = ["-x", "0", "-y", f"{top:.0f}", "-W", f"{PAGE_MM[0] * POINTS_PER_MM:.0f}"]
    crop += ["-H", f"{height:.0f}"]
    return [
        poppler("pdftotext", "-layout", "-f", str(n), "-l", str(n), *crop, str(pdf), "-")
        for n in range(1, page_count(pdf) + 1)
    ]


def destinations(pdf: Path) -> dict[str, int]:
    """The page of each element the PDF marks by id (WeasyPrint marks every id)."""
    found = re.findall(
        r'^\s*(\d+)\s+\[.*\]\s+"(.*)"$', poppler("pdfinfo", "-dests", str(pdf)), re.M
    )
    return {name: int(page) for page, name in found}


def page_images(pdf: Path, folder: Path) -> list[Path]:
    """Every page as a PNG in ``folder``, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    poppler("pdftoppm", "-png", "-r", str(DPI), str(pdf), str(folder / pdf.stem))
    return sorted(folder.glob(f"{pdf.stem}-*.png"))


def words_of(text: str) -> str:
    """A text as a pattern of its words, wrapped over lines or not (also after a hyphen)."""
    return r"\s+".join(re.escape(word).replace(r"\-", r"-\s*") for word in text.split())


def as_lines(text: str) -> str:
    """A heading as a pattern of whole lines."""
    return r"^[ \t]*" + words_of(text) + r"[ \t]*$"


def has_words(page: str, text: str) -> bool:
    return all(re.search(rf"(?<!\S){re.escape(w)}(?!\S)", page) for w in text.split())


# --- the check ----------------------------------------------------------------------------


def almost_empty(pages: list[str]) -> list[str]:
    return [
        f"page {n}: almost no text ({chars} characters)"
        for n, page in enumerate(pages[1:], start=2)
        if (chars := len(re.sub(r"\s", "", page))) < ALMOST_EMPTY
    ]


def cut_tables(pages: list[str], tables: dict[str, str], starts: dict[str, int]) -> list[str]:
    """A table whose last column header is not on the page it starts on was cut at the
    right edge (pdftotext leaves out what lies beyond the page)."""
    problems = []
    for table, last in tables.items():
        if table not in starts:
            problems.append(f"table {table} is not in the PDF")
        elif not has_words(pages[starts[table] - 1], last):
            problems.append(f"page {starts[table]}: table {table} is cut: no column {last!r}")
    return problems


def orphan_headings(pages: list[str], headings: list[str]) -> list[str]:
    return [
        f"page {n}: ends with the heading {heading!r}"
        for n, page in enumerate(pages[1:], start=2)
        for heading in dict.fromkeys(headings)
        if re.search(as_lines(heading) + r"\s*\Z", page, re.M)
    ]


def wrong_contents(pages: list[str], contents: list[tuple[str, str]]) -> list[str]:
    """Each entry of the contents names the page its heading is on. The entries are read
    from the contents pages in order: the text, leader dots, the page number."""
    problems, text, position = [], "\n".join(pages[1:]), 0
    for entry, _ in contents:
        found = re.compile(words_of(entry) + r"[\s.]*?\.\s*(\d+)\s*$", re.M).search(text, position)
        if found is None:
            problems.append(f"contents: no page number for {entry!r}")
            continue
        position, page = found.end(), int(found.group(1))
        if not (1 < page <= len(pages) and re.search(as_lines(entry), pages[page - 1], re.M)):
            problems.append(f"contents: {entry!r} is not on page {page}")
    return problems


def into_margins(images: list[Path]) -> list[str]:
    """Print beyond the text block: in the right margin, or below the bottom edge (a figure
    taller than what is left of the page runs over it). The running footer stands lower, in
    the middle of the bottom margin: the 5 mm under the text block hold nothing."""
    problems = []
    for n, path in enumerate(images, start=1):
        image = Image.open(path).convert("L")
        per_mm = image.width / PAGE_MM[0]
        edge = round((PAGE_MM[0] - RIGHT_MM + MARGIN_TOLERANCE_MM) * per_mm)
        darkest, _ = image.crop((edge, 0, image.width, image.height)).getextrema()
        if darkest < 240:
            problems.append(f"page {n}: print reaches into the right margin")
        bottom = PAGE_MM[1] - BOTTOM_MM + MARGIN_TOLERANCE_MM
        below = (0, round(bottom * per_mm), edge, round((bottom + 5) * per_mm))
        darkest, _ = image.crop(below).getextrema()
        if darkest < 240:
            problems.append(f"page {n}: print runs over the bottom of the text block")
    return problems


def pdf_problems(pdf: Path, html: str, images: Path) -> list[str]:
    """Everything a reader would find wrong with the PDF ``pdf`` printed from ``html``;
    its pages are saved as PNG in ``images``. The first page is the cover: it is exempt
    from the checks of text, headings and tables."""
    printed, pages = read_printed(html), body_texts(pdf)
    return [
        *almost_empty(pages),
        *cut_tables(pages, printed.tables, destinations(pdf)),
        *orphan_headings(pages, printed.headings),
        *wrong_contents(pages, printed.contents),
        *into_margins(page_images(pdf, images)),
    ]


# --- the reports ----------------------------------------------------------------------------

COVER = Cover("2026", date(2026, 12, 1), "2026.2", "2026.2", simulated=True)
# One municipality of eight areas; one name is long, hostile and has a word no line can hold.
LONG_NAME = '<b>Oostelijk</b> "Havengebied" & Indische-Buurt-Watergraafsmeer-Betondorp-Noord'
ONE_MUNICIPALITY = "\n".join(
    ["municipalities:", "  GM0479: Zaanstad", "areas:"]
    + [
        f"  - {{id: z-{k}, name: {name!r}, municipality: GM0479, kind: wijk}}"
        for k, name in enumerate([LONG_NAME, *(f"Zaandam-{w}" for w in "ABCDEFG")])
    ]
)


@dataclass
class Report:
    """A report the command line wrote: its site, its results and its area registry."""

    name: str
    site: Path
    results: Path
    areas: Path

    def print_htmls(self) -> dict[tuple[str, str], str]:
        """The print HTML of each PDF, by (language, file name), made again from the written
        pages as `samenspel report` made it."""
        tables, metadata = read_results(self.results)
        registry = load_areas(self.areas).table().set_index("id")
        index = tables["index"]
        index["area_name"] = index["area"].map(registry["name"])
        index["municipality_code"] = index["area"].map(registry["municipality_code"])
        cover = cover_of(ReportInput(tables, metadata, None, None, ""))
        layout = site_layout(index)
        htmls = {}
        for language in LANGUAGES:
            folder = self.site / language
            for document in pdf_documents(layout, list(layout.municipalities["code"])):
                pages = {p: (folder / p).read_text(encoding="utf-8") for p in document.pages}
                sections = print_sections(pages, document)
                htmls[language, document.name] = print_html(
                    sections, language, cover, document.municipality
                )
        return htmls


def run(argv: list[str]) -> None:
    assert main(argv) == 0, argv


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Report:
    """The demo's three municipalities, small and quick: an overview PDF and one per
    municipality, in both languages."""
    root = tmp_path_factory.mktemp("demo")
    data, store, results, site = (
        root / "demo",
        root / "store.duckdb",
        root / "results",
        root / "site",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(root / "key"))
        run(["simulate", "--out", str(data), "--per-side", "12", "--truth-per-cell", "200"])
        for wave in ("2025", "2026"):
            run(["ingest", str(data / f"kobo_{wave}.csv"), "--wave", wave, "--store", str(store)])
        run(["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"])
    run(["report", "--results", str(results), "--out", str(site)])
    return Report("demo", site, results, DEFAULT_AREAS)


@pytest.fixture(scope="module")
def one_municipality(tmp_path_factory) -> Report:
    """One municipality of eight areas, without psychometrics (the index tables only): its
    PDF holds its overview, its areas and the methods."""
    root = tmp_path_factory.mktemp("one")
    registry = root / "areas.yaml"
    registry.write_text(ONE_MUNICIPALITY.replace("\\'", "''") + "\n", encoding="utf-8")
    areas, method = load_areas(registry), load_methodology()
    instrument, responses = two_waves(root, areas, per_side=10, seed=14)
    tables = index_tables(responses, instrument, areas, method, replicates=100, full=True)
    results, _ = write_results(root, tables, instrument, method)
    run(
        ["report", "--results", str(results), "--out", str(root / "site"), "--areas", str(registry)]
    )
    return Report("one", root / "site", results, registry)


DEMO_PDFS = [
    "samenspel-overview.pdf",
    *(f"samenspel-{c}.pdf" for c in ("GM0363", "GM0405", "GM0439")),
]


@pytest.fixture(scope="module")
def demo_htmls(demo) -> dict[tuple[str, str], str]:
    return demo.print_htmls()


@pytest.mark.parametrize("name", DEMO_PDFS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_pdfs_have_no_problems(demo, demo_htmls, language, name):
    assert sorted(p.name for p in (demo.site / language).glob("*.pdf")) == sorted(DEMO_PDFS)
    pdf = demo.site / language / name
    images = ARTIFACTS / demo.name / language
    assert pdf_problems(pdf, demo_htmls[language, name], images) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_municipality_pdf_has_no_problems(one_municipality, language):
    htmls = one_municipality.print_htmls()
    assert list(htmls) == [(language, "samenspel-GM0479.pdf") for language in LANGUAGES]
    pdf = one_municipality.site / language / "samenspel-GM0479.pdf"
    text = poppler("pdftotext", str(pdf), "-")
    assert "Watergraafsmeer" in text and "<b>" in text  # the hostile name, as text
    assert TEXT["methods_components"][language] in text  # the methods close its PDF
    images = ARTIFACTS / one_municipality.name / language
    assert pdf_problems(pdf, htmls[language, pdf.name], images) == []


def first_line(page: str) -> list[str]:
    """The first line of a page's body (its line after the running header), if any."""
    return [line.strip() for line in page.splitlines() if line.strip()][1:2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_cover_contents_and_summary_open_the_pdf(demo, language):
    """The cover states the report, municipality, wave, date, versions and the demo
    warning, without header or page number; then the contents; then the summary on a page
    of its own; every other page has the running header and its number."""
    pdf = demo.site / language / "samenspel-GM0405.pdf"
    pages = [poppler("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-")
             for n in range(1, page_count(pdf) + 1)]  # fmt: skip
    cover = " ".join(pages[0].split())
    expected = [TEXT["site_title"][language], "Hoorn", TEXT["demo_banner"][language], "2026"]
    assert all(text in cover for text in expected), cover
    assert "2026.2" in cover and "1 / " not in cover
    assert first_line(pages[1]) == [TEXT["toc_title"][language]]
    assert first_line(pages[2]) == [TEXT["summary_title"][language]]
    header = f"{TEXT['site_title'][language]} — Hoorn"
    for n, page in enumerate(pages[1:], start=2):
        assert header in page and f"{n} / {len(pages)}" in page, n


# --- the check finds what is wrong ----------------------------------------------------------

PARAGRAPH = "<p>" + "Every area has a page of its own with its index and its sides. " * 8 + "</p>"


def page_of(title: str, *body: str) -> PrintSection:
    return PrintSection(f"<h1>{title}</h1>{PARAGRAPH}{''.join(body)}")


def broken(tmp_path: Path, name: str, *sections: PrintSection) -> list[str]:
    """The problems the check finds in a PDF printed from ``sections``."""
    from weasyprint import HTML

    html = print_html(list(sections), "en", COVER, "Hoorn")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(HTML(string=html).write_pdf())
    return pdf_problems(pdf, html, ARTIFACTS / "broken")


def test_a_sound_pdf_passes(tmp_path):
    table = "<table><thead><tr><th>Area</th><th>Index</th></tr></thead>"
    table += "<tbody><tr><td>Noord</td><td>41.0</td></tr></tbody></table>"
    assert broken(tmp_path, "sound", page_of("Overview", table), page_of("Noord")) == []


def test_the_check_finds_a_table_cut_at_the_right_edge(tmp_path):
    headers = "".join(
        f'<th style="white-space: nowrap">Respondents of the {k}th kind</th>' for k in range(1, 9)
    )
    table = f"<table><thead><tr>{headers}</tr></thead><tbody><tr>"
    table += "<td>1</td>" * 8 + "</tr></tbody></table>"
    problems = broken(tmp_path, "cut-table", page_of("Overview", table))
    assert any("is cut: no column 'Respondents of the 8th kind'" in p for p in problems)
    assert any("print reaches into the right margin" in p for p in problems)


def test_the_check_finds_a_picture_running_over_the_bottom_edge(tmp_path):
    """A picture that cannot be split and is taller than a page (print.html.j2 keeps
    figures to a page; this one is not in a figure)."""
    tall = '<svg viewBox="0 0 100 500" width="300" height="1500">'
    tall += '<rect width="100" height="500"/></svg>'
    problems = broken(tmp_path, "tall", page_of("Overview", PARAGRAPH, tall))
    assert any("print runs over the bottom of the text block" in p for p in problems), problems


def test_the_check_finds_a_heading_alone_at_the_bottom_of_a_page(tmp_path):
    alone = '<h2 style="break-after: page">Gap between the sides</h2>'
    problems = broken(tmp_path, "orphan", page_of("Overview", alone, PARAGRAPH))
    assert any("ends with the heading 'Gap between the sides'" in p for p in problems)


def test_the_check_finds_a_page_with_almost_no_text(tmp_path):
    short = PrintSection("<p>Noord.</p>")
    problems = broken(tmp_path, "empty", page_of("Overview"), short, page_of("Zuid"))
    assert any(re.fullmatch(r"page \d+: almost no text \(\d+ characters\)", p) for p in problems)


def test_the_check_finds_a_contents_entry_with_a_wrong_page_number(tmp_path):
    """Contents that point at the wrong heading: the entry's text is not on its page."""
    from weasyprint import HTML

    html = print_html([page_of("Overview"), page_of("Noord")], "en", COVER, "Hoorn")
    first, second = re.findall(r'<a href="#(h\d+)">', html)[-2:]
    swapped = (
        html.replace(f'href="#{first}"', "href=#X")
        .replace(f'href="#{second}"', f'href="#{first}"')
        .replace("href=#X", f'href="#{second}"')
    )
    pdf = tmp_path / "contents.pdf"
    pdf.write_bytes(HTML(string=swapped).write_pdf())
    problems = pdf_problems(pdf, swapped, ARTIFACTS / "broken")
    assert "contents: 'Overview' is not on page 4" in problems, problems
    assert "contents: 'Noord' is not on page 3" in problems, problems
