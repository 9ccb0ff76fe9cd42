"""Inline SVG charts with text alternatives; no JavaScript, no external files.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that lists the
figures it shows, so a screen reader (and a test) can read what a sighted reader sees. Its
figures, in the picture and in the description, are in the notation of the page's
``language`` (reports/notation.py).

Names are measured in the report's font (:func:`text_width`), so a chart is as wide as its
longest name needs, up to a limit; a longer name wraps onto a second line or is shortened
with "…", and then carries its full text in a ``<title>`` (a tooltip on screen). No name is
clipped at the picture's edge, on screen or in the PDF.
"""

from __future__ import annotations

import math
import unicodedata
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


# Advance widths of DejaVu Sans (the report's first font, also in its PDFs) in 1/2048 em, for
# the printable ASCII characters " " to "~"; read from DejaVuSans.ttf with fontTools. Its
# fallbacks (system-ui, sans-serif) are narrower, so a name measured with it fits in them too.
_ASCII_WIDTHS = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716,
    1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
    1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
    799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186,
    569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716,
)  # fmt: skip
_OTHER_WIDTHS = {"…": 2048, "–": 1024, "—": 2048, "’": 651, "‘": 651, "“": 1061, "”": 1061,
                 "ß": 1290, "æ": 2011, "Æ": 1995, "ø": 1253, "Ø": 1612, "œ": 2095, "Œ": 2191,
                 "ĳ": 1138, "Ĳ": 1208}  # fmt: skip
_WIDEST = 2048  # characters not listed count as wide as "W" or "…": never too narrow
LABEL_SIZE = 12  # font size of the row names of the interval and gap charts, px
LABEL_COLUMN_MAX = 250  # widest column of row names, px; longer names wrap or are shortened
LABEL_GAP = 8  # between a row name and the plot, px
TREND_NAME_SIZE = 11  # font size of the names beside the lines of a trend chart, px


def text_width(text: str, size: float) -> float:
    """The width of ``text`` in DejaVu Sans at ``size`` px, in px (kerning ignored).

    Accented letters count as their base letter (é as e), as the font draws them.
    """
    total = 0
    for character in text:
        base = unicodedata.normalize("NFD", character)[0]
        code = ord(base)
        if character in _OTHER_WIDTHS:
            total += _OTHER_WIDTHS[character]
        elif 32 <= code < 127:
            total += _ASCII_WIDTHS[code - 32]
        else:
            total += _WIDEST
    return total * size / 2048


def fit_text(text: str, width: float, size: float) -> str:
    """``text`` if it fits in ``width`` px at ``size`` px, else its longest beginning that
    fits with "…" after it."""
    if text_width(text, size) <= width:
        return text
    kept = text
    while kept and text_width(kept.rstrip() + "…", size) > width:
        kept = kept[:-1]
    return kept.rstrip() + "…"


def wrap_text(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """``text`` on at most ``lines`` lines of at most ``width`` px, broken after a space, "/"
    or "-" where it can be; a last line that does not fit is shortened with "…"."""
    if lines <= 1 or text_width(text, size) <= width:
        return [fit_text(text, width, size)]
    breaks = [k + 1 for k, character in enumerate(text[:-1]) if character in " /-"]
    fitting = [k for k in breaks if text_width(text[:k].rstrip(), size) <= width]
    if not fitting:
        return [fit_text(text, width, size)]
    first = max(fitting)
    return [text[:first].rstrip(), *wrap_text(text[first:].lstrip(), width, size, lines - 1)]


@dataclass(frozen=True)
class _RowNames:
    """The row names of a chart laid out in a column left of its plot: the column's width
    (names, gap and margin), each name's lines, and the row height they need."""

    width: float
    lines: list[list[str]]
    row_height: float


def _row_names(labels: Sequence[str], row_height: float) -> _RowNames:
    """A column as wide as the widest name needs, up to ``LABEL_COLUMN_MAX``; longer names
    wrap onto a second line (the rows grow to hold two lines) or are shortened."""
    widest = max((text_width(label, LABEL_SIZE) for label in labels), default=0)
    room = min(widest, LABEL_COLUMN_MAX)
    lines = [wrap_text(label, room, LABEL_SIZE) for label in labels]
    two = any(len(name) > 1 for name in lines)
    height = max(row_height, 2 * LABEL_SIZE + 8) if two else row_height
    return _RowNames(math.ceil(room) + LABEL_GAP + 6, lines, height)


def _row_name(label: str, lines: list[str], right: float, middle: float) -> str:
    """A row's name, right-aligned at ``right`` and centred on ``middle``; a name shown
    shortened carries its full text in a ``<title>`` (a tooltip on screen)."""
    if len(lines) == 1:
        text = (
            f'<text x="{right}" y="{middle + 4:.1f}" font-size="{LABEL_SIZE}" '
            f'text-anchor="end">{escape(lines[0])}</text>'
        )
    else:
        first = middle + 4 - (len(lines) - 1) / 2 * (LABEL_SIZE + 1)
        spans = "".join(
            f'<tspan x="{right}" y="{first + k * (LABEL_SIZE + 1):.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        text = f'<text font-size="{LABEL_SIZE}" text-anchor="end">{spans}</text>'
    if "".join(lines).replace(" ", "") == label.replace(" ", ""):
        return text
    return _shown_name(label, text, shortened=True)


def _shown_name(name: str, text: str, shortened: bool) -> str:
    """``text`` (a drawn name) as is, or, where it shows ``name`` shortened, in a group whose
    ``<title>`` holds the full name."""
    return f"<g><title>{escape(name)}</title>{text}</g>" if shortened else text


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
    names: _RowNames,
    origin: float,
    scale: float,
    top: float,
    colour: str,
    radius: float,
    language: str,
) -> list[str]:
    """One named row per interval: a line from low to high and a dot at the value.

    Draws into ``body``; returns the text description of each row.
    """
    described = []
    row_h = names.row_height
    for i, row in enumerate(rows):
        y = top + row_h * i + row_h / 2
        body.append(_row_name(row.label, names.lines[i], names.width - LABEL_GAP, y))
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
    names = _row_names([row.label for row in rows], 26)
    label_w, plot_w, row_h, top = names.width, 460, names.row_height, 10
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
    described = _interval_rows(body, rows, names, label_w, scale, top, MARK, 5, language)
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
    widest = max((text_width(name, TREND_NAME_SIZE) for name in series), default=0)
    room = min(widest, LABEL_COLUMN_MAX)
    labels_x, right_labels = left + plot_w + 22, math.ceil(room) + 8
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
        shown = fit_text(name, room, TREND_NAME_SIZE)
        body.append(
            f'<line x1="{x + 4:.1f}" y1="{y:.1f}" x2="{labels_x - 3}" y2="{place:.1f}" '
            f'stroke="{colour}" stroke-width="0.6"/>'
        )
        text = (
            f'<text x="{labels_x}" y="{place + 4:.1f}" font-size="{TREND_NAME_SIZE}" '
            f'fill="{colour}">{escape(shown)}</text>'
        )
        body.append(_shown_name(name, text, shown != name))
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
    room = min(max((text_width(label, LABEL_SIZE) for label in labels), default=0),
               LABEL_COLUMN_MAX)  # fmt: skip
    label_w, plot_w, bar_h, gap, top = math.ceil(room) + LABEL_GAP + 6, 380, 9, 8, 24
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
        shown = [fit_text(label, room, LABEL_SIZE)]
        body.append(_row_name(label, shown, label_w - LABEL_GAP, y + bar_h - 1))
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
    names = _row_names([row.label for row in rows], 24)
    label_w, plot_w, row_h, top = names.width, 400, names.row_height, 10
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
            f'text-anchor="middle">{notation.signed(tick, language, 0) if tick else 0}</text>'
        )
    body.append(
        f'<text x="{zero}" y="{height - 4}" font-size="11" text-anchor="middle">'
        f"{escape(axis_label)}</text>"
    )
    described = _interval_rows(body, rows, names, zero, scale, top, SECOND, 4.5, language)
    return _svg(label_w + plot_w + 20, height, title, "; ".join(described), body)
