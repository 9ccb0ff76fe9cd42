"""Charts stay readable: every name inside the picture, names apart, sizes bounded."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from samenspel.reports import charts

BANDS = [("co-existence", 0, 40), ("rapprochement", 40, 60), ("hybridisation", 60, 100)]


def size(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups()
    return float(width), float(height)


def texts(svg: str) -> list[tuple[float, float, str]]:
    found = re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>', svg)
    return [(float(x), float(y), text) for x, y, text in found]


def test_trend_names_of_many_close_lines_stay_inside_and_apart():
    rng = np.random.default_rng(1)
    start, step = rng.uniform(45, 55, 30), rng.normal(0, 2, 30)
    series = {f"Area {k}": [("2025", start[k]), ("2026", start[k] + step[k])] for k in range(30)}
    svg = str(charts.trend(series, ["2025", "2026"], "t", BANDS, language="en"))
    width, height = size(svg)
    names = sorted((y, x) for x, y, text in texts(svg) if text.startswith("Area"))
    assert len(names) == 30
    assert all(0 <= x <= width and 0 <= y <= height for y, x in names)
    gaps = np.diff([y for y, _ in names])
    assert gaps.min() >= charts.LABEL_SPACING - 0.11  # positions are rounded to 0.1
    assert svg.count("<line ") == 30  # each name joined to the end of its line


def test_trend_of_a_few_lines_keeps_its_size_and_names_at_their_lines():
    series = {"Index": [("2025", 30.0), ("2026", 50.0)], "Other": [("2025", 80.0)]}
    svg = str(charts.trend(series, ["2025", "2026"], "t", BANDS, language="en"))
    assert size(svg)[1] == 10 + 220 + 26
    (index_y,) = [y for _, y, text in texts(svg) if text == "Index"]
    assert index_y == pytest.approx(10 + (100 - 50) * 2.2 + 4)  # beside its line's end at 50


def test_histogram_size_does_not_grow_with_the_number_of_values():
    few = str(charts.histogram([10, 55, 100], "t", BANDS, "index", "areas", language="en"))
    many = str(
        charts.histogram(
            list(np.linspace(0, 100, 3000)), "t", BANDS, "index", "areas", language="en"
        )
    )
    assert size(few) == size(many)
    assert "areas: 3; 10–15: 1; 55–60: 1; 95–100: 1" in few  # 100 falls in the last bin


def test_forest_names_its_reference_lines():
    rows = [charts.Interval("A", 40, 35, 45), charts.Interval("B", 60, 50, 70)]
    svg = str(
        charts.forest(rows, "t", BANDS, "index", references=[("Median X", 50.0)], language="en")
    )
    assert "Median X: 50.0" in re.search(r"<desc>(.*)</desc>", svg).group(1)
    assert 'stroke-dasharray="5 3"' in svg
    assert all(y <= size(svg)[1] for _, y, _ in texts(svg))


def test_figures_follow_the_language_and_coordinates_do_not():
    rows = [charts.Interval("A", 40.44, 35.06, 45.5), charts.Interval("B", -3.25, -8.0, 1.5)]
    dutch = str(charts.forest(rows[:1], "t", BANDS, "index", [("Mediaan", 50.0)], language="nl"))
    desc = re.search(r"<desc>(.*)</desc>", dutch).group(1)
    assert desc == "A: 40,4 (35,1–45,5); Mediaan: 50,0"
    assert "Mediaan 50,0</text>" in dutch
    assert re.search(r'x1="\d+\.\d"', dutch)  # coordinates keep their decimal point
    gap = str(charts.gap_chart(rows, "t", "verschil", language="nl"))
    assert "B: -3,2 (-8,0–1,5)" in re.search(r"<desc>(.*)</desc>", gap).group(1)
    bars = str(charts.paired_bars(["A"], [40.44], [None], ("P", "I"), "t", language="nl"))
    assert "A: P 40,4, I –" in bars
    trend = str(charts.trend({"A": [("2025", 40.44)]}, ["2025"], "t", BANDS, language="nl"))
    assert "A: 2025 40,4" in trend


# --- long names: measured, wrapped or shortened, never clipped ---------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
# Real wijk names (Amsterdam, CBS 2024) and an English one; one too long for any column.
LONG_NAMES = [
    "Spaarndammerbuurt/Zeeheldenbuurt",
    "Oostelijk Havengebied/Indische Buurt",
    "Burgwallen-Nieuwe Zijde",
    "Kattenburg/Wittenburg/Oostenburg/Kadijken en de Czaar Peterbuurt",
    "Slotermeer-Noordoost en Geuzenveld-Zuid (Ĳsselmonde)",
    "West End and the Wholesale Market Quarter",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "Oost",
]


def all_charts(names: list[str], language: str) -> list[str]:
    rows = [charts.Interval(name, 40.0 + k, 30.0 + k, 50.0 + k) for k, name in enumerate(names)]
    series = {name: [("2025", 40.0 + k), ("2026", 45.0 + k)] for k, name in enumerate(names)}
    return [
        str(charts.forest(rows, "t", BANDS, "index", [("Mediaan", 50.0)], language=language)),
        str(charts.gap_chart(rows, "t", "gap", language=language)),
        str(charts.paired_bars(names, [40.0] * len(names), [50.0] * len(names), ("P", "I"), "t",
                               language=language)),
        str(charts.trend(series, ["2025", "2026"], "t", BANDS, language=language)),
    ]  # fmt: skip


def test_text_width_is_the_fonts_advance_width():
    fontTools = pytest.importorskip("fontTools.ttLib")
    if not DEJAVU.exists():
        pytest.fail("DejaVu Sans is not installed: run `make system-deps` (as root)")
    font = fontTools.TTFont(DEJAVU)
    cmap, advances = font.getBestCmap(), font["hmtx"]
    for name in [*LONG_NAMES, "Één ‘wijk’ – café Ærø, straße", "0123456789 ()/.,-+%"]:
        width = sum(advances[cmap[ord(c)]][0] for c in name) * 12 / 2048
        assert charts.text_width(name, 12) == pytest.approx(width, abs=0.01), name


def test_wrap_breaks_after_a_separator_and_shortens_only_what_cannot_fit():
    assert charts.wrap_text("Oost", 100, 12) == ["Oost"]
    lines = charts.wrap_text("Spaarndammerbuurt/Zeeheldenbuurt", 150, 12)
    assert lines == ["Spaarndammerbuurt/", "Zeeheldenbuurt"]
    lines = charts.wrap_text(LONG_NAMES[3], 150, 12)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(charts.text_width(line, 12) <= 150 for line in lines)
    assert charts.fit_text("W" * 40, 100, 12).endswith("…")
    assert charts.text_width(charts.fit_text("W" * 40, 100, 12), 12) <= 100


def drawn_names(svg: str) -> list[tuple[float, str, float, str]]:
    """(x, anchor, font size, text) of every line of text that names a row or a line: each
    <text> or <tspan> holding letters (the axis ticks hold figures only)."""
    found = []
    for attributes, content in re.findall(r"<text([^>]*)>(.*?)</text>", svg):
        anchor = "end" if 'text-anchor="end"' in attributes else "start"
        font_size = float(re.search(r'font-size="([\d.]+)"', attributes).group(1))
        spans = re.findall(r'<tspan x="([-\d.]+)"[^>]*>([^<]*)</tspan>', content)
        if not spans:
            spans = [(re.search(r'x="([-\d.]+)"', attributes).group(1), content)]
        found += [
            (float(x), anchor, font_size, text) for x, text in spans if re.search("[A-Za-z]", text)
        ]
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_name_lies_inside_its_chart_and_shortened_names_keep_a_title(language):
    for svg in all_charts(LONG_NAMES, language):
        width, _ = size(svg)
        for x, anchor, font_size, text in drawn_names(html.unescape(svg)):
            extent = charts.text_width(text, font_size)
            left, right = (x - extent, x) if anchor == "end" else (x, x + extent)
            assert left >= 0 and right <= width, (text, left, right, width)
        shown = html.unescape(re.sub(r"<title>.*?</title>|<[^>]+>", " ", svg.split("</desc>")[1]))
        for name in LONG_NAMES:
            if name.replace(" ", "") not in shown.replace(" ", ""):  # shortened: full in a title
                assert f"<title>{html.escape(name, quote=False)}</title>" in svg, name
        assert "Spaarndammerbuurt/Zeeheldenbuurt" in shown.replace("/ ", "/")


def test_short_names_keep_the_charts_compact():
    short = all_charts(["Oost", "West"], "en")
    long = all_charts(LONG_NAMES, "en")
    for small, large in zip(short, long, strict=True):
        assert size(small)[0] < size(large)[0] <= 40 + 420 + 22 + charts.LABEL_COLUMN_MAX + 20


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_name_is_clipped_in_the_browser(browser, language):
    """Chromium lays the names out in the report's stylesheet: each one's box lies inside
    its picture (the font measured is the one drawn)."""
    style = (Path(charts.__file__).parent / "templates" / "style.css").read_text()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_content(f"<style>{style}</style><body>{''.join(all_charts(LONG_NAMES, language))}")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg')].flatMap(svg => {
            const box = svg.viewBox.baseVal;
            return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
              .filter(([, b]) => b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5)
              .map(([text, b]) => `${text}: ${b.x.toFixed(1)}..${(b.x + b.width).toFixed(1)}`);
        })"""
    )
    families = page.evaluate("getComputedStyle(document.querySelector('svg text')).fontFamily")
    page.close()
    assert "DejaVu Sans" in families
    assert outside == []


def test_no_name_is_clipped_in_the_pdf(tmp_path):
    """WeasyPrint draws the charts into a PDF; poppler reads back each word and where it
    stands: every word of a name is there, inside the chart's box on the page."""
    from weasyprint import HTML

    svgs = all_charts(LONG_NAMES[:4], "nl")
    pdf = tmp_path / "charts.pdf"
    body = "".join(f'<div style="margin:0;padding:0">{svg}</div>' for svg in svgs)
    pdf.write_bytes(HTML(string=f"<style>@page {{ margin: 0 }}</style>{body}").write_pdf())
    found = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = [(float(x0), float(x1), html.unescape(w)) for x0, x1, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', found
    )]  # fmt: skip
    page_width = float(re.search(r'<page width="([\d.]+)"', found).group(1))
    text = " ".join(w for *_, w in words)
    for piece in ("Spaarndammerbuurt/", "Zeeheldenbuurt", "Havengebied/Indische", "Burgwallen-"):
        assert piece in text
    assert all(x0 >= 0 and x1 <= page_width for x0, x1, _ in words)
