"""Inline SVG charts with text alternatives; no JavaScript, no external files.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that lists the
figures it shows, so a screen reader (and a test) can read what a sighted reader sees. Its
figures, in the picture and in the description, are in the notation of the page's
``language`` (reports/notation.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from samenspel.reports import notation

# Band backgrounds on the 0-100 scale: (lower, upper, colour); colours pass WCAG contrast
# with the dark marks drawn on them.
BAND_COLOURS = {"co-existence": "#f6d5d1", "rapprochement": "#fbe9c4", "hybridisation": "#cfe8d3"}
MARK = "#1f3b57"
SECOND = "#b3541e"
GRID = "#8a8a8a"
# Line colours for a few series (dark enough on the band backgrounds); more series repeat them.
SERIES_COLOURS = ("#1f3b57", "#2f6fb0", "#b3541e", "#5b3f8c", "#2b6e3f", "#8a2d2d")
# Reference lines (colour, dash pattern) told apart without colour too.
REFERENCE_STYLES = ((MARK, "5 3"), (SECOND, "2 2"))
LABEL_SPACING = 12  # minimum vertical distance between end-of-line labels, px


@dataclass(frozen=True)
class Interval:
    label: str
    value: float
    low: float
    high: float


def _ok(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _fmt(x: float | None, language: str = "en") -> str:
    return notation.number(x, language)


def _short(label: str, limit: int = 26) -> str:
    """A label that fits beside the plot; the full text stays in the chart's description."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" class="chart">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )


def _band_background(
    x0: float, scale: float, top: float, height: float, bands: Sequence[tuple[str, float, float]]
) -> list[str]:
    return [
        f'<rect x="{x0 + lo * scale:.1f}" y="{top}" width="{(hi - lo) * scale:.1f}" '
        f'height="{height}" fill="{BAND_COLOURS.get(name, "#eee")}"/>'
        for name, lo, hi in bands
    ]


def _interval_rows(
    body: list[str],
    rows: Sequence[Interval],
    label_w: float,
    origin: float,
    scale: float,
    top: float,
    row_h: float,
    colour: str,
    radius: float,
    language: str,
) -> list[str]:
    """One labelled row per interval: a line from low to high and a dot at the value.

    Draws into ``body``; returns the text description of each row.
    """
    described = []
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append(
            f'<text x="{label_w - 8}" y="{y + 4}" font-size="12" '
            f'text-anchor="end">{escape(_short(row.label))}</text>'
        )
        if _ok(row.value):
            if _ok(row.low) and _ok(row.high):
                body.append(
                    f'<line x1="{origin + row.low * scale:.1f}" y1="{y}" '
                    f'x2="{origin + row.high * scale:.1f}" y2="{y}" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
            body.append(
                f'<circle cx="{origin + row.value * scale:.1f}" cy="{y}" r="{radius}" '
                f'fill="{colour}"/>'
            )
        figures = notation.interval(row.low, row.high, language)
        described.append(f"{row.label}: {_fmt(row.value, language)} ({figures})")
    return described


def forest(
    rows: Sequence[Interval],
    title: str,
    bands: Sequence[tuple[str, float, float]],
    axis_label: str,
    references: Sequence[tuple[str, float]] = (),
    *,
    language: str,
) -> Markup:
    """Index with its interval per row on a 0-100 axis over the band backgrounds.

    ``references`` are values to read the rows against (e.g. the median of a municipality's
    areas and of all areas): dashed vertical lines, named in a legend under the axis.
    """
    label_w, plot_w, row_h, top = 170, 460, 26, 10
    legend_h = 18 * len(references)
    plot_bottom = top + row_h * len(rows)
    height = plot_bottom + 40 + legend_h
    scale = plot_w / 100
    body = _band_background(label_w, scale, top, row_h * len(rows), bands)
    for tick in range(0, 101, 20):
        x = label_w + tick * scale
        body.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{plot_bottom}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
        )
        body.append(
            f'<text x="{x}" y="{plot_bottom + 16}" font-size="11" '
            f'text-anchor="middle">{tick}</text>'
        )
    body.append(
        f'<text x="{label_w + plot_w / 2}" y="{plot_bottom + 32}" font-size="11" '
        f'text-anchor="middle">{escape(axis_label)}</text>'
    )
    described = _interval_rows(body, rows, label_w, label_w, scale, top, row_h, MARK, 5, language)
    for k, (name, value) in enumerate(references):
        if not _ok(value):
            continue
        colour, dash = REFERENCE_STYLES[k % len(REFERENCE_STYLES)]
        figure = _fmt(value, language)
        x, y = label_w + value * scale, plot_bottom + 50 + 18 * k
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
            f'<line x1="{label_w}" y1="{y - 4}" x2="{label_w + 24}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
            f'<text x="{label_w + 30}" y="{y}" font-size="11">{escape(name)} {figure}</text>'
        )
        described.append(f"{name}: {figure}")
    return _svg(label_w + plot_w + 20, height, title, "; ".join(described), body)


def _tick_step(maximum: float) -> int:
    """The smallest round step (1, 2 or 5 times a power of ten) that reaches ``maximum`` in
    at most five steps."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if 5 * factor * power >= maximum:
                return factor * power
        power *= 10


def histogram(
    values: Sequence[float],
    title: str,
    bands: Sequence[tuple[str, float, float]],
    axis_label: str,
    count_label: str,
    width: int = 5,
    *,
    language: str,
) -> Markup:
    """How many values fall in each ``width``-point bin of the 0-100 axis, over the band
    backgrounds; the picture's size does not depend on how many values there are."""
    label_w, plot_w, plot_h, top = 50, 500, 160, 10
    edges = list(range(0, 100, width))
    shown = [v for v in values if _ok(v)]
    counts = [0] * len(edges)
    for value in shown:  # 100 falls in the last bin
        counts[min(max(int(value // width), 0), len(edges) - 1)] += 1
    step = _tick_step(max(counts, default=0))
    ceiling = max(step * math.ceil(max(counts, default=0) / step), step)
    scale_x, scale_y = plot_w / 100, plot_h / ceiling
    body = [
        f'<rect x="{label_w + lo * scale_x:.1f}" y="{top}" width="{(hi - lo) * scale_x:.1f}" '
        f'height="{plot_h}" fill="{BAND_COLOURS.get(name, "#eee")}"/>'
        for name, lo, hi in bands
    ]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - tick * scale_y
        body.append(
            f'<line x1="{label_w}" y1="{y:.1f}" x2="{label_w + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end">{tick}</text>'
        )
    for tick in range(0, 101, 20):
        body.append(
            f'<text x="{label_w + tick * scale_x:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{tick}</text>'
        )
    body.append(
        f'<text x="{label_w + plot_w / 2}" y="{top + plot_h + 32}" font-size="11" '
        f'text-anchor="middle">{escape(axis_label)}</text>'
        f'<text x="12" y="{top + plot_h / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">{escape(count_label)}</text>'
    )
    for lo, count in zip(edges, counts, strict=True):
        if count:
            x, bar_w, bar_h = label_w + lo * scale_x + 1, width * scale_x - 2, count * scale_y
            body.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w:.1f}" '
                f'height="{bar_h:.1f}" fill="{MARK}"/>'
            )
    described = [f"{lo}–{lo + width}: {count}" for lo, count in zip(edges, counts, strict=True)
                 if count]  # fmt: skip
    return _svg(
        label_w + plot_w + 20, top + plot_h + 40, title,
        f"{count_label}: {len(shown)}; " + "; ".join(described), body,
    )  # fmt: skip


def _spread(positions: Sequence[float], spacing: float, low: float, high: float) -> list[float]:
    """Sorted label positions moved apart by at least ``spacing`` and kept within
    [``low``, ``high``]; the range must hold them all: ``high - low >= (n - 1) * spacing``."""
    spread = list(positions)
    for k, position in enumerate(spread):
        spread[k] = max(position, low if k == 0 else spread[k - 1] + spacing)
    for k in reversed(range(len(spread))):
        spread[k] = min(spread[k], high if k == len(spread) - 1 else spread[k + 1] - spacing)
    return spread


def trend(
    series: dict[str, list[tuple[str, float]]],
    waves: Sequence[str],
    title: str,
    bands: Sequence[tuple[str, float, float]],
    colour_lines: bool = False,
    *,
    language: str,
) -> Markup:
    """Lines over waves on a 0-100 axis, one per series, named in a column on the right.

    Each name sits as close to the end of its line as the others allow, joined to it by a
    thin line; when the names need more height than the plot, the picture grows downwards
    so that every name stays inside it. ``colour_lines`` gives each series its own colour
    (for a few series, e.g. the index and the two sides); otherwise all lines share one
    colour and the names tell them apart.
    """
    left, plot_w, plot_h, top = 40, 420, 220, 10
    labels_x, right_labels = left + plot_w + 22, 190
    scale_y = plot_h / 100
    step = plot_w / max(len(waves) - 1, 1)
    body = []
    for name, lo, hi in bands:
        body.append(
            f'<rect x="{left}" y="{top + (100 - hi) * scale_y:.1f}" width="{plot_w}" '
            f'height="{(hi - lo) * scale_y:.1f}" fill="{BAND_COLOURS.get(name, "#eee")}"/>'
        )
    for tick in range(0, 101, 20):
        y = top + (100 - tick) * scale_y
        body.append(
            f'<text x="{left - 6}" y="{y + 4}" font-size="11" text-anchor="end">{tick}</text>'
        )
    for i, wave in enumerate(waves):
        x = left + i * step if len(waves) > 1 else left + plot_w / 2
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{escape(wave)}</text>'
        )
    described = []
    ends = []
    for number, (name, points) in enumerate(series.items()):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)] if colour_lines else MARK
        coords = []
        for wave, value in points:
            if wave in waves and _ok(value):
                i = list(waves).index(wave)
                x = left + i * step if len(waves) > 1 else left + plot_w / 2
                coords.append((x, top + (100 - value) * scale_y))
        described.append(f"{name}: " + ", ".join(f"{w} {_fmt(v, language)}" for w, v in points))
        if not coords:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
        ends.append((coords[-1][1], coords[-1][0], name, colour))
    ends.sort(key=lambda end: end[0])
    bottom = max(top + plot_h, top + (len(ends) - 1) * LABEL_SPACING)
    places = _spread([y for y, *_ in ends], LABEL_SPACING, top, bottom)
    for (y, x, name, colour), place in zip(ends, places, strict=True):
        body.append(
            f'<line x1="{x + 4:.1f}" y1="{y:.1f}" x2="{labels_x - 3}" y2="{place:.1f}" '
            f'stroke="{colour}" stroke-width="0.6"/>'
            f'<text x="{labels_x}" y="{place + 4:.1f}" font-size="11" '
            f'fill="{colour}">{escape(_short(name))}</text>'
        )
    height = max(top + plot_h + 26, bottom + 12)
    return _svg(labels_x + right_labels, height, title, "; ".join(described), body)


def paired_bars(
    labels: Sequence[str],
    first: Sequence[float],
    second: Sequence[float],
    names: tuple[str, str],
    title: str,
    *,
    language: str,
) -> Markup:
    """Two bars per label (e.g. professionals and informal actors) on a 0-100 axis."""
    label_w, plot_w, bar_h, gap, top = 190, 380, 9, 8, 24
    scale = plot_w / 100
    group_h = 2 * bar_h + gap
    height = top + group_h * len(labels) + 24
    body = [
        f'<rect x="{label_w}" y="4" width="10" height="10" fill="{MARK}"/>'
        f'<text x="{label_w + 14}" y="13" font-size="11">{escape(names[0])}</text>'
        f'<rect x="{label_w + 160}" y="4" width="10" height="10" fill="{SECOND}"/>'
        f'<text x="{label_w + 174}" y="13" font-size="11">{escape(names[1])}</text>'
    ]
    for tick in range(0, 101, 25):
        x = label_w + tick * scale
        body.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - 20}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
        )
        body.append(
            f'<text x="{x}" y="{height - 6}" font-size="11" text-anchor="middle">{tick}</text>'
        )
    described = []
    for i, label in enumerate(labels):
        y = top + i * group_h
        body.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 3}" font-size="12" '
            f'text-anchor="end">{escape(_short(label, 30))}</text>'
        )
        for j, (values, colour) in enumerate(((first, MARK), (second, SECOND))):
            value = values[i]
            if _ok(value):
                body.append(
                    f'<rect x="{label_w}" y="{y + j * bar_h}" '
                    f'width="{max(value, 0) * scale:.1f}" height="{bar_h - 1}" '
                    f'fill="{colour}"/>'
                )
        one, other = _fmt(first[i], language), _fmt(second[i], language)
        described.append(f"{label}: {names[0]} {one}, {names[1]} {other}")
    return _svg(label_w + plot_w + 30, height, title, "; ".join(described), body)


def gap_chart(rows: Sequence[Interval], title: str, axis_label: str, *, language: str) -> Markup:
    """Signed differences with intervals around a zero line (e.g. the asymmetry gap)."""
    values = [abs(v) for r in rows for v in (r.value, r.low, r.high) if _ok(v)]
    limit = max(10.0, math.ceil(max(values, default=10) / 10) * 10)
    label_w, plot_w, row_h, top = 170, 400, 24, 10
    scale = plot_w / (2 * limit)
    zero = label_w + plot_w / 2
    height = top + row_h * len(rows) + 40
    body = [
        f'<line x1="{zero}" y1="{top}" x2="{zero}" y2="{top + row_h * len(rows)}" '
        f'stroke="{MARK}" stroke-width="1"/>'
    ]
    for tick in (-limit, -limit / 2, 0, limit / 2, limit):
        x = zero + tick * scale
        body.append(
            f'<text x="{x:.1f}" y="{top + row_h * len(rows) + 16}" font-size="11" '
            f'text-anchor="middle">{notation.signed(tick, language, 0)}</text>'
        )
    body.append(
        f'<text x="{zero}" y="{height - 4}" font-size="11" text-anchor="middle">'
        f"{escape(axis_label)}</text>"
    )
    described = _interval_rows(body, rows, label_w, zero, scale, top, row_h, SECOND, 4.5, language)
    return _svg(label_w + plot_w + 20, height, title, "; ".join(described), body)
