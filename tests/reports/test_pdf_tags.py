"""The report's PDFs are tagged for assistive technology (PDF/UA-1): poppler calls them
tagged; they name their language and show their title in the window; their structure tree
holds the print's h1 and h2 headings in order, its tables with header cells, and every
chart as a figure whose alternative text is its title and the figures it shows.

One municipality's PDF and the overview, both languages, written by `samenspel report`
from results `samenspel analyse` made of two simulated waves of the demo's areas.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from pdf_tags import read_structure
from test_pdf import Report

from samenspel.common.paths import DEFAULT_AREAS
from samenspel.reports.i18n import LANGUAGES

HEADING = re.compile(r"<(h[12])\b[^>]*>(.*?)</\1>", re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
FIGURE = {"nl": re.compile(r"\d,\d"), "en": re.compile(r"\d\.\d")}


@pytest.fixture(scope="module")
def report(written_report) -> Report:
    site, results = written_report
    return Report("tags", site, results, DEFAULT_AREAS)


def squeezed(text: str) -> str:
    """Text without white space: the PDF's text runs break and space words as they fall."""
    return "".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pdf_is_tagged_with_its_language_title_and_headings(report, language):
    printed = report.print_htmls()
    pdfs = sorted((report.site / language).glob("*.pdf"))
    assert [pdf.name for pdf in pdfs] == ["samenspel-GM0405.pdf", "samenspel-overview.pdf"]
    for pdf in pdfs:
        source = printed[language, pdf.name]
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), pdf.name
        title = html.unescape(TITLE.search(source).group(1))
        assert re.search(rf"^Title:\s+{re.escape(title)}$", info.stdout, re.M), pdf.name
        structure = read_structure(pdf)
        assert structure.language == language and structure.title_shown, pdf.name
        tagged = [(e.kind, squeezed(e.text)) for e in structure.of("H1", "H2")]
        expected = [(tag.upper(), squeezed(text)) for tag, text in HEADING.findall(source)]
        assert tagged == expected, pdf.name
        assert structure.of("Table") and structure.of("TH"), pdf.name
        figures = structure.of("Figure")
        assert figures and all(figure.alt for figure in figures), pdf.name


def test_a_charts_alternative_text_holds_its_figures(report):
    for language in LANGUAGES:
        structure = read_structure(report.site / language / "samenspel-GM0405.pdf")
        alts = [figure.alt for figure in structure.of("Figure")]
        assert any(": " in alt and FIGURE[language].search(alt) for alt in alts), alts


def test_the_tag_reader_sees_an_untagged_pdf_as_such(tmp_path: Path):
    from weasyprint import HTML

    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(HTML(string="<html lang='nl'><h1>Kop</h1></html>").write_pdf())
    assert read_structure(pdf).elements == []
