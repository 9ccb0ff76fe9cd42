"""The map of the areas: inline SVG coloured by band, with the index written in each area.

An area with an outline (from the GeoJSON file the area registry points to, handed on in RD
New metres whatever the file's system) is drawn where it lies, every outline of a map at one
scale; one without is a square tile, in reading order: a tile's place says nothing about where
the area is, and the caption says so. Each municipality is a labelled block of its own, the
blocks side by side, north to south, all at the same scale (the one at which the largest fits)
and each with a scale bar. How much a tile holds depends on how many areas the map
shows: name and index (up to :data:`MAX_NAMED`), the index alone (up to :data:`MAX_NUMBERED`),
beyond that (a national front page) a small cell per area without text, sorted by index within
its municipality, whose figures are on the municipality's page; the cells of a band are one
path, so 3,000 areas stay a small picture. Areas without figures (suppressed, or not measured
in the latest wave) are grey and hatched, and the legend says so. A map taller than a printed
page (a national front page: 300 municipalities) is several pictures of whole rows, one under
the other, so that print can turn the page between them rather than cut or shrink the map.

An outlined map has three layers: the areas' fills, where the thin light lines are the
borders of the features (buurten) an area is made of; each area's own border, heavy; then
the labels, so that no fill covers one. An area's label stands inside it where it fits (its
name and figure, or the figure alone), at its pole of inaccessibility (shapely's
``polylabel``); otherwise a number stands beside the area with a line to it, and the key
under the map gives its name and figure. No label covers another. Outlines are simplified
together to half a pixel (shapely's coverage simplification), so that a border two areas
share stays one line.

Like the charts, a map is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it
shows; each area's element carries its band as a class and its id as ``data-area``, and so
does each of its labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from markupsafe import Markup, escape
from shapely.ops import polylabel

from samenspel.instrument.boundaries import Boundaries, Polygon
from samenspel.reports.charts import BAND_COLOURS, GRID, MARK, _fmt, _ok, _short, _svg

WIDTH = 680
# A map taller than this is drawn as several pictures of whole rows, one under the other: in
# print each fits a page (the text block is 180 x 259 mm; 680 px print 180 mm wide).
MAX_PART_HEIGHT = 820
MAX_NAMED, MAX_NUMBERED = 40, 600  # areas on one map with their name, with their index
GAP, BLOCK_GAP, LABEL_H = 4, 18, 18
# Tiles by how much they hold: (width, height, space between).
TILES = {"named": (104, 38, 4), "numbered": (40, 22, 3), "cells": (9, 9, 2)}
# The box a municipality's outlines are fitted into: alone on its page, or beside others.
BOX_ALONE, BOX_BESIDE = (WIDTH, 380), {"named": (240, 200), "numbered": (170, 140)}
CHAR_W = 0.62  # width of an average character in ems (DejaVu Sans), to fit text
OUTLINE = "#4d4d4d"  # an area's border
INNER = "#9a9a9a"  # the borders of the buurten an area is made of, thinner and lighter
SCALE_H, KEY_ROW, KEY_COLUMN_W, CALLOUT_R = 18, 14, 220, 6.5
NO_DATA_FILL = "url(#map-no-data)"
NO_DATA = (
    '<defs><pattern id="map-no-data" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ececec"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/></pattern></defs>'
)
SIMPLIFY_PX = 0.5


@dataclass(frozen=True)
class Place:
    """An area on the map: its figures in the latest wave (none: no data) and its outline."""

    area: str
    label: str
    index: float | None
    band: str | None
    indicative: bool = False
    outline: tuple[Polygon, ...] | None = None
    language: str = "en"  # of the page: how its figure is written (40,4 or 40.4)

    @property
    def has_data(self) -> bool:
        return self.band is not None and _ok(self.index)


@dataclass(frozen=True)
class AreaMap:
    """The picture and what the caption under it must say."""

    svg: Markup
    notes: list[str]


def places(rows: Sequence[Mapping], boundaries: Boundaries | None) -> list[Place]:
    """The places of a page's areas from their rows of the latest wave (the report's
    ``current`` table: no status where an area was not measured)."""
    outlines = boundaries.outlines if boundaries else {}
    found = []
    for row in rows:
        shown = row["status"] not in (None, "suppressed")
        found.append(
            Place(
                row["area"], row["label"],
                row["index"] if shown else None, row["band"] if shown else None,
                row["status"] == "indicative", outlines.get(row["area"]),
            )
        )  # fmt: skip
    return found


def area_map(
    groups: Sequence[tuple[str, Sequence[Place]]],
    boundaries: Boundaries | None,
    bands: Sequence[tuple[str, float, float]],
    t: Callable[..., str],
    wave: str,
) -> AreaMap:
    """The map of ``groups`` (municipality name, its places), a labelled block each when
    there are several."""
    language = getattr(t, "language", "en")
    groups = [(name, [replace(p, language=language) for p in group]) for name, group in groups]
    count = sum(len(p) for _, p in groups)
    mode = "named" if count <= MAX_NAMED else "numbered" if count <= MAX_NUMBERED else "cells"
    several = len(groups) > 1
    if several:  # north to south, then west to east; municipalities without outlines last
        groups = sorted(groups, key=lambda g: _whereabouts(g[1], mode))
    scale = _common_scale([g for _, g in groups], mode, several)
    blocks = [
        _block(name if several else None, group, mode, scale, several) for name, group in groups
    ]
    legend, legend_h = _legend(bands, t, mode != "cells" and _any_indicative(groups))
    positions = _pack([(b.width, b.height) for b in blocks], legend_h)
    describe = _describe_counts if mode == "cells" else _describe_places
    parts = _parts(positions, [b.height for b in blocks])
    svgs = []
    for number, (top, bottom, members) in enumerate(parts, start=1):
        pattern = f"map-no-data-{number}"  # an id of its own: the parts share a page
        body = [NO_DATA.replace("map-no-data", pattern)] + (legend if number == 1 else [])
        for k in members:
            x, y = positions[k]
            body += blocks[k].draw(x, y - top)
        body = [element.replace(NO_DATA_FILL, f"url(#{pattern})") for element in body]
        desc = "; ".join(
            describe(groups[k][0] if several else None, groups[k][1], [b for b, *_ in bands], t)
            for k in members
        )
        title = t("map_title", wave=wave)
        if len(parts) > 1:
            title += f" ({number}/{len(parts)})"
        svgs.append(_svg(WIDTH, math.ceil(bottom - top + 4), title, desc, body))
    return AreaMap(Markup("".join(svgs)), _notes(groups, boundaries, mode, t))


def _parts(positions: Sequence[tuple[float, float]], heights: Sequence[float]) -> list[tuple]:
    """The blocks in pictures of whole rows, each at most :data:`MAX_PART_HEIGHT` high (a
    row higher than that is a picture of its own): (top, bottom, block numbers) each."""
    rows: dict[float, list[int]] = {}
    for k, (_, y) in enumerate(positions):
        rows.setdefault(y, []).append(k)
    parts: list[tuple] = []
    for y, members in rows.items():
        bottom = y + max(heights[k] for k in members)
        if parts and bottom - parts[-1][0] <= MAX_PART_HEIGHT:
            top, _, earlier = parts[-1]
            parts[-1] = (top, bottom, earlier + members)
        else:
            parts.append((0.0 if not parts else y, bottom, members))
    return parts


@dataclass(frozen=True)
class _Block:
    width: float
    height: float
    draw: Callable[[float, float], list[str]]  # the block's elements with its corner at (x, y)


def _outlined(group: Sequence[Place], mode: str) -> list[Place]:
    return [p for p in group if p.outline] if mode != "cells" else []


def _whereabouts(group: Sequence[Place], mode: str) -> tuple:
    """Where a municipality lies, to order the map's blocks: north to south by rows of
    10 km, then west to east; those without outlines after all others, in their order."""
    outlined = _outlined(group, mode)
    if not outlined:
        return (1, 0.0, 0.0)
    x0, y0, x1, y1 = shapely.total_bounds([_geometry(p.outline) for p in outlined])
    return (0, -round((y0 + y1) / 2 / 10_000), (x0 + x1) / 2)


def _common_scale(groups: Sequence[Sequence[Place]], mode: str, several: bool) -> float:
    """Pixels per metre: one scale for every municipality on the map, at which the largest
    fits its box."""
    box = BOX_BESIDE.get(mode, BOX_BESIDE["numbered"]) if several else BOX_ALONE
    scales = []
    for group in groups:
        outlined = _outlined(group, mode)
        if outlined:
            x0, y0, x1, y1 = shapely.total_bounds([_geometry(p.outline) for p in outlined])
            scales.append(min(box[0] / max(x1 - x0, 1.0), box[1] / max(y1 - y0, 1.0)))
    return min(scales, default=1.0)


def _block(
    name: str | None, group: Sequence[Place], mode: str, scale: float, several: bool
) -> _Block:
    """A municipality: its name (when beside others), its outlines, then its tiles."""
    outlined = _outlined(group, mode)
    tiled = [p for p in group if not (p.outline and mode != "cells")]
    if mode == "cells":  # the highest first; no data last
        tiled.sort(key=lambda p: -p.index if p.has_data else math.inf)
    shapes = _choropleth(outlined, scale, mode == "named") if outlined else None
    grid = _grid(tiled, mode, several) if tiled else None
    parts = [part for part in (shapes, grid) if part]
    top = LABEL_H if name else 0
    width = max([part.width for part in parts] + [110 if name else 0])
    height = top + sum(part.height for part in parts) + GAP * 2 * (len(parts) - 1)

    def draw(x: float, y: float) -> list[str]:
        body = []
        if name:
            fits = max(int(width / (12 * CHAR_W)), 4)
            body.append(
                f'<text x="{x:.1f}" y="{y + 13:.1f}" font-size="12" font-weight="bold">'
                f"{escape(_short(name, fits))}</text>"
            )
        below = y + top
        for part in parts:
            body += part.draw(x, below)
            below += part.height + GAP * 2
        return body

    return _Block(width, height, draw)


def _grid(tiled: Sequence[Place], mode: str, several: bool) -> _Block:
    """Tiles in rows: as many a row as the map is wide when alone; beside other blocks a
    compact rectangle, about twice as wide as high."""
    tile_w, tile_h, space = TILES[mode]
    fit = int((WIDTH + space) // (tile_w + space))
    columns = max(min(3, fit), math.ceil(math.sqrt(2 * len(tiled)))) if several else fit
    columns = min(columns, fit, len(tiled))
    rows = math.ceil(len(tiled) / columns)
    width, height = columns * (tile_w + space) - space, rows * (tile_h + space) - space

    def draw(x: float, y: float) -> list[str]:
        corners = [
            (x + (k % columns) * (tile_w + space), y + (k // columns) * (tile_h + space))
            for k in range(len(tiled))
        ]
        if mode == "cells":
            return _cells(tiled, corners, tile_w)
        return [_tile(place, cx, cy, mode) for place, (cx, cy) in zip(tiled, corners, strict=True)]

    return _Block(width, height, draw)


def _fill(place: Place) -> str:
    return BAND_COLOURS.get(place.band, "#eee") if place.has_data else NO_DATA_FILL


def _area(place: Place, shape: str, text: str) -> str:
    """One area: a group with its band as class, its name and figure as tooltip."""
    band = f"band-{place.band}" if place.has_data else "no-data"
    figure = _fmt(place.index, place.language)
    return (
        f'<g class="map-area {band}" data-area="{escape(place.area)}">'
        f"<title>{escape(place.label)}: {figure}</title>{shape}{text}</g>"
    )


def _index_text(place: Place, x: float, y: float, size: float, anchor: str = "start") -> str:
    italic = ' font-style="italic"' if place.indicative else ""
    figure = _fmt(place.index, place.language)
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="bold" fill="{MARK}" '
        f'text-anchor="{anchor}" class="map-index"{italic}>{figure}</text>'
    )


def _tile(place: Place, x: float, y: float, mode: str) -> str:
    tile_w, tile_h, _ = TILES[mode]
    shape = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{tile_w}" height="{tile_h}" '
        f'fill="{_fill(place)}" stroke="{GRID}" stroke-width="0.5"/>'
    )
    if mode == "named":
        name = _short(place.label, int((tile_w - 8) / (10 * CHAR_W)))
        text = (
            f'<text x="{x + 5:.1f}" y="{y + 14:.1f}" font-size="10">{escape(name)}</text>'
            + _index_text(place, x + 5, y + 31, 12)
        )
    else:
        text = _index_text(place, x + tile_w / 2, y + tile_h / 2 + 3.5, 10, "middle")
    return _area(place, shape, text)


def _cells(tiled: Sequence[Place], corners: list[tuple[float, float]], size: int) -> list[str]:
    """Cells without text, one path per band (and one for no data): a few bytes each."""
    paths: dict[str, list[str]] = {}
    for place, (x, y) in zip(tiled, corners, strict=True):
        paths.setdefault(_fill(place), []).append(f"M{x:.0f},{y:.0f}h{size}v{size}h-{size}z")
    return [
        f'<path class="map-cells" fill="{fill}" d="{"".join(d)}"/>' for fill, d in paths.items()
    ]


def _geometry(polygons: Sequence[Polygon]) -> shapely.Geometry:
    """An area's polygons (RD New metres) as one shapely geometry."""
    return shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in polygons])


def _simplified(parts: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    """The polygons of a map simplified together, so that a border two areas share stays
    one line (shapely's coverage simplification); each alone where they do not form a
    coverage (they overlap: a broken file)."""
    if shapely.coverage_is_valid(shapely.GeometryCollection(parts)):
        done = list(shapely.coverage_simplify(parts, tolerance))
        if all(g.is_valid and not g.is_empty for g in done):
            return done
    return [shapely.simplify(g, tolerance, preserve_topology=True) for g in parts]


def _path(geometry: shapely.Geometry) -> str:
    """Path data of a (multi)polygon's rings, in pixels."""
    rings = []
    for polygon in shapely.get_parts(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = np.asarray(ring.coords)[:-1]
            if len(points) >= 3:
                rings.append("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(rings)


def _scale_bar(metres_per_px: float) -> tuple[float, str]:
    """A round length between 40 and 130 pixels long, and how it is written."""
    for metres in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000):
        if metres / metres_per_px >= 40:
            break
    text = f"{metres // 1000:g} km" if metres >= 1000 else f"{metres} m"
    return metres / metres_per_px, text


@dataclass
class _Labels:
    """Text boxes placed on a map so far (x0, y0, x1, y1), so that none covers another."""

    boxes: list[tuple[float, float, float, float]]

    def free(self, box: tuple[float, float, float, float]) -> bool:
        return all(
            box[2] + 1 <= b[0] or b[2] + 1 <= box[0] or box[3] + 1 <= b[1] or b[3] + 1 <= box[1]
            for b in self.boxes
        )


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_W + 2


def _choropleth(outlined: Sequence[Place], scale: float, named: bool) -> _Block:
    """The outlined areas where they lie, RD New metres times ``scale`` pixels, with a scale
    bar. Three layers: the fills (a buurt's borders thin), each area's border (heavy), then
    the labels, so that no fill covers a label: inside an area its name and figure where
    they fit (the figure alone where the name does not), else a number beside the area with
    a line to it, and the name and figure in a key under the map."""
    geometries = [_geometry(place.outline) for place in outlined]
    low_x, low_y, high_x, high_y = shapely.total_bounds(geometries)
    width, height = max((high_x - low_x) * scale, 1.0), max((high_y - low_y) * scale, 1.0)

    def to_px(geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geometry, lambda xy: (xy - [low_x, high_y]) * [scale, -scale])

    # Each feature's polygon on its own, so that buurten keep their borders, simplified
    # together to half a pixel.
    pieces = [shapely.get_parts(to_px(g)) for g in geometries]
    flat = _simplified([p for parts in pieces for p in parts], SIMPLIFY_PX)
    counts = np.cumsum([0] + [len(parts) for parts in pieces])
    areas = [flat[counts[k] : counts[k + 1]] for k in range(len(outlined))]
    shapes = [shapely.union_all(parts) for parts in areas]
    labels, key, callouts = _place_labels(outlined, shapes, width, height, named)
    bar_px, bar_text = _scale_bar(1 / scale)
    key_w = max(width, KEY_COLUMN_W) if key else width  # the key is as wide as the map
    columns = max(1, int(key_w // KEY_COLUMN_W))
    total_h = height + SCALE_H + math.ceil(len(key) / columns) * KEY_ROW

    body = []
    for place, parts in zip(outlined, areas, strict=True):
        shape = (
            f'<path d="{"".join(_path(part) for part in parts)}" fill-rule="evenodd" '
            f'fill="{_fill(place)}" stroke="{INNER}" stroke-width="0.4"/>'
        )
        body.append(_area(place, shape, ""))
    body.append(f'<g class="map-borders" fill="none" stroke="{OUTLINE}" stroke-width="1.1">')
    body += [
        f'<path data-area="{escape(place.area)}" d="{_path(shape)}"/>'
        for place, shape in zip(outlined, shapes, strict=True)
    ]
    body.append('</g><g class="map-labels">')
    for x1, y1, x2, y2 in callouts:
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{MARK}" '
            f'stroke-width="0.7"/><circle cx="{x2:.1f}" cy="{y2:.1f}" r="{CALLOUT_R}" '
            f'fill="#fff" stroke="{MARK}" stroke-width="0.7"/>'
        )
    body += labels
    below = height + SCALE_H
    body.append(
        f'<g class="map-scale"><path d="M0,{below - 12:.1f}v4h{bar_px:.1f}v-4" fill="none" '
        f'stroke="{MARK}" stroke-width="1"/><text x="{bar_px + 4:.1f}" y="{below - 7:.1f}" '
        f'font-size="9">{bar_text}</text></g>'
    )
    column_w = key_w / columns
    fits = int((column_w - 50) / (9 * CHAR_W))
    for k, (number, place) in enumerate(key):
        kx, ky = (k % columns) * column_w, below + (k // columns) * KEY_ROW + 11
        data = f'data-area="{escape(place.area)}"'
        body.append(
            f'<text class="map-key" {data} x="{kx:.1f}" y="{ky:.1f}" font-size="9">'
            f'<tspan font-weight="bold">{number}</tspan> {escape(_short(place.label, fits))}'
            "</text>"
            + _index_text(place, kx + column_w - 14, ky, 9, "end").replace(
                "<text ", f"<text {data} ", 1
            )
        )
    body.append("</g>")

    def draw(x: float, y: float) -> list[str]:
        return [f'<g transform="translate({x:.1f},{y:.1f})">', *body, "</g>"]

    return _Block(float(key_w), float(total_h), draw)


def _place_labels(outlined, shapes, width, height, named):
    """Labels (functions of the block's corner), key entries and callouts (from, to,
    number), no two of them overlapping; larger areas are labelled first."""
    placed = _Labels([])
    labels, pending = [], []
    order = sorted(range(len(outlined)), key=lambda k: -shapes[k].area)
    points = {}
    for k in order:
        place, shape = outlined[k], shapes[k]
        largest = max(shapely.get_parts(shape), key=lambda g: g.area)
        point = polylabel(largest, tolerance=0.5)
        points[k] = (point.x, point.y)
        figure = _fmt(place.index, place.language)
        options = [(place.label, figure)] if named else []
        options.append((None, figure))
        for name, text in options:
            w = max(_text_width(text, 11), _text_width(name, 10) if name else 0)
            h = 24 if name else 12
            box = (point.x - w / 2, point.y - h / 2, point.x + w / 2, point.y + h / 2)
            if shape.contains(shapely.box(*box)) and placed.free(box):
                placed.boxes.append(box)
                labels.append(_inside_label(place, point.x, point.y, name))
                break
        else:
            if place.has_data:
                pending.append(k)
    key, callouts = [], []
    for number, k in enumerate(sorted(pending, key=lambda k: (-points[k][1], points[k][0])), 1):
        place, (px, py) = outlined[k], points[k]
        spot = _callout_spot(placed, px, py, width, height)
        placed.boxes.append(
            (spot[0] - CALLOUT_R, spot[1] - CALLOUT_R, spot[0] + CALLOUT_R, spot[1] + CALLOUT_R)
        )
        callouts.append((px, py, *spot))
        labels.append(_number_label(place, spot[0], spot[1], number))
        key.append((number, place))
    return labels, key, callouts


def _callout_spot(placed: _Labels, px, py, width, height) -> tuple[float, float]:
    """Where a callout's number goes: on the area's label point if free, else the nearest
    free spot around it within the map's box."""
    r = CALLOUT_R
    for distance in (0, 14, 22, 30, 40, 52, 66, 82, 100, 120):
        for step in range(16 if distance else 1):
            angle = 2 * math.pi * step / 16
            cx, cy = px + distance * math.cos(angle), py - distance * math.sin(angle)
            box = (cx - r, cy - r, cx + r, cy + r)
            if r <= cx <= width - r and r <= cy <= height - r and placed.free(box):
                return cx, cy
    return px, py


def _inside_label(place: Place, x: float, y: float, name: str | None) -> str:
    data = f'data-area="{escape(place.area)}"'
    figure = _index_text(place, x, y + (10 if name else 4), 11, "middle")
    figure = figure.replace("<text ", f"<text {data} ", 1)
    if name is None:
        return figure
    return (
        f'<text {data} class="map-name" x="{x:.1f}" y="{y - 2:.1f}" font-size="10" '
        f'text-anchor="middle">{escape(name)}</text>{figure}'
    )


def _number_label(place: Place, x: float, y: float, number: int) -> str:
    return (
        f'<text data-area="{escape(place.area)}" class="map-callout" x="{x:.1f}" '
        f'y="{y + 3:.1f}" font-size="9" font-weight="bold" text-anchor="middle">{number}</text>'
    )


def _pack(sizes: Sequence[tuple[float, float]], top: float) -> list[tuple[float, float]]:
    """Blocks left to right in rows as wide as the map, each row as high as its highest
    block, the first at ``top``; returns each block's corner."""
    positions, x, y, row_h = [], 0.0, top, 0.0
    for width, height in sizes:
        if x > 0 and x + width > WIDTH:
            x, y, row_h = 0.0, y + row_h + BLOCK_GAP, 0.0
        positions.append((x, y))
        x, row_h = x + width + BLOCK_GAP, max(row_h, height)
    return positions


def _legend(bands, t, indicative: bool) -> tuple[list[str], float]:
    """Swatches for the bands and for no data (and how an indicative figure looks), in
    rows across the top; returns the elements and the height they take."""
    entries = [
        (BAND_COLOURS.get(name, "#eee"), f"{t('band_' + name)} ({lo:g}–{hi:g})")
        for name, lo, hi in bands
    ] + [(NO_DATA_FILL, t("map_no_data"))]
    body, x, y = [], 0.0, 0.0
    for fill, label in entries + ([(None, t("map_indicative"))] if indicative else []):
        width = 20 + len(label) * 11 * CHAR_W + 14
        if x > 0 and x + width > WIDTH:
            x, y = 0.0, y + 18
        if fill is None:
            body.append(
                f'<text x="{x:.1f}" y="{y + 12:.1f}" font-size="11" font-style="italic" '
                f'font-weight="bold" fill="{MARK}">{_fmt(57.5, t.language)}</text>'
            )
            x += 30
        else:
            body.append(
                f'<rect x="{x:.1f}" y="{y + 2:.1f}" width="14" height="12" fill="{fill}" '
                f'stroke="{GRID}" stroke-width="0.5"/>'
            )
            x += 20
        body.append(f'<text x="{x:.1f}" y="{y + 12:.1f}" font-size="11">{escape(label)}</text>')
        x += len(label) * 11 * CHAR_W + 14
    return body, y + 18 + 8


def _any_indicative(groups) -> bool:
    return any(p.indicative and p.has_data for _, group in groups for p in group)


def _describe_places(name: str | None, group: Sequence[Place], bands, t) -> str:
    """Every area with its figure and band, as a screen reader reads the picture."""
    said = []
    for p in group:
        if not p.has_data:
            said.append(f"{p.label}: {t('map_no_data')}")
            continue
        status = f", {t('status_indicative')}" if p.indicative else ""
        said.append(f"{p.label}: {_fmt(p.index, p.language)} ({t('band_' + p.band)}{status})")
    return (f"{name}: " if name else "") + "; ".join(said)


def _describe_counts(name: str | None, group: Sequence[Place], bands, t) -> str:
    """How many areas are in each band, and without data (too many to name them all)."""
    found = [p.band if p.has_data else None for p in group]
    said = ", ".join(
        f"{t('band_' + band) if band else t('map_no_data')} {found.count(band)}"
        for band in [*bands, None]
        if band in found
    )
    return f"{name}: {said}" if name else said


def _notes(groups, boundaries: Boundaries | None, mode: str, t) -> list[str]:
    """What the caption says about how the map is drawn."""
    shown = [p for _, group in groups for p in group]
    notes = []
    if mode == "cells":
        notes.append(t("map_cells_note"))
    elif any(p.outline is None for p in shown):
        notes.append(t("map_tiles_note"))
    missing = set(boundaries.missing) if boundaries else set()
    lacking = [p.label for p in shown if p.area in missing]
    if lacking and mode != "cells":
        listed = ", ".join(lacking[:10]) + (f" (+{len(lacking) - 10})" if len(lacking) > 10 else "")
        notes.append(t("map_no_outline", areas=listed))
    if boundaries and boundaries.source and mode != "cells" and any(p.outline for p in shown):
        notes.append(t("map_source", source=boundaries.source))
    return notes
