"""Charts stay readable: every name inside the picture, names apart, sizes bounded."""

from __future__ import annotations

import re

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
