"""The map of the areas: inline SVG coloured by band, with the index written in each area.

An area with an outline (from the GeoJSON file the area registry points to) is drawn where it
lies; one without is a square tile, in reading order: a tile's place says nothing about where
the area is, and the caption says so. Each municipality is a labelled block of its own, at its
own scale, the blocks side by side. How much a tile holds depends on how many areas the map
shows: name and index (up to :data:`MAX_NAMED`), the index alone (up to :data:`MAX_NUMBERED`),
beyond that (a national front page) a small cell per area without text, sorted by index within
its municipality, whose figures are on the municipality's page; the cells of a band are one
path, so 3,000 areas stay a small picture. Areas without figures (suppressed, or not measured
in the latest wave) are grey and hatched, and the legend says so. A map taller than a printed
page (a national front page: 300 municipalities) is several pictures of whole rows, one under
the other, so that print can turn the page between them rather than cut or shrink the map.

Like the charts, a map is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it
shows; each area's element carries its band as a class and its id as ``data-area``.
Projection is plain numpy: RD New coordinates are metres on a plane already; longitude and
latitude are drawn equirectangular, longitude shortened by the cosine of the middle latitude.
Outlines are simplified (Douglas-Peucker) to half a pixel of the size they are drawn at.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup, escape
from samenspel.instrument.boundaries import WGS84, Boundaries, Polygon
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
OUTLINE = "#4d4d4d"
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
    count = sum(len(p) for _, p in groups)
    mode = "named" if count <= MAX_NAMED else "numbered" if count <= MAX_NUMBERED else "cells"
    several = len(groups) > 1
    crs = boundaries.crs if boundaries else None
    blocks = [
        _block(name if several else None, group, mode, crs, several) for name, group in groups
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


def _block(
    name: str | None, group: Sequence[Place], mode: str, crs: str | None, several: bool
) -> _Block:
    """A municipality: its name (when beside others), its outlines, then its tiles."""
    outlined = [p for p in group if p.outline] if mode != "cells" else []
    tiled = [p for p in group if not (p.outline and mode != "cells")]
    if mode == "cells":  # the highest first; no data last
        tiled.sort(key=lambda p: -p.index if p.has_data else math.inf)
    box = BOX_BESIDE.get(mode) if several else BOX_ALONE
    shapes = _choropleth(outlined, crs, box, mode == "named") if outlined else None
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
    return (
        f'<g class="map-area {band}" data-area="{escape(place.area)}">'
        f"<title>{escape(place.label)}: {_fmt(place.index)}</title>{shape}{text}</g>"
    )


def _index_text(place: Place, x: float, y: float, size: float, anchor: str = "start") -> str:
    italic = ' font-style="italic"' if place.indicative else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="bold" fill="{MARK}" '
        f'text-anchor="{anchor}" class="map-index"{italic}>{_fmt(place.index)}</text>'
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


def project(polygons: Sequence[Polygon], crs: str) -> list[Polygon]:
    """Plane coordinates, x east and y north in one unit both ways: RD New as it is;
    longitude and latitude equirectangular, longitude times the cosine of the middle
    latitude of what is drawn (true to shape at the scale of a municipality)."""
    if crs != WGS84:
        return [tuple(ring.copy() for ring in polygon) for polygon in polygons]
    latitudes = np.concatenate([ring[:, 1] for polygon in polygons for ring in polygon])
    shrink = math.cos(math.radians((latitudes.min() + latitudes.max()) / 2))
    return [tuple(ring * [shrink, 1.0] for ring in polygon) for polygon in polygons]


def simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: the fewest points of a closed ring such that every dropped point lies
    within ``tolerance`` of the simplified outline. Returned open (the path closes it)."""
    points = ring[:-1] if len(ring) > 1 and np.array_equal(ring[0], ring[-1]) else ring
    points = np.vstack([points, points[:1]])  # first point again: the ring as a closed line
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        chord, offsets = points[b] - points[a], points[a + 1 : b] - points[a]
        length = math.hypot(*chord)
        distance = (
            np.abs(chord[0] * offsets[:, 1] - chord[1] * offsets[:, 0]) / length
            if length
            else np.hypot(offsets[:, 0], offsets[:, 1])
        )
        far = int(np.argmax(distance))
        if distance[far] > tolerance:
            keep[a + 1 + far] = True
            stack += [(a, a + 1 + far), (a + 1 + far, b)]
    return points[keep][:-1]


def _choropleth(
    outlined: Sequence[Place], crs: str, box: tuple[float, float], named: bool
) -> _Block:
    """The outlined areas where they lie, fitted into ``box`` (keeping their shape), each
    with its figure (and its name, if ``named``) where they fit inside it."""
    planes = [project(place.outline, crs) for place in outlined]
    points = np.concatenate([ring for plane in planes for polygon in plane for ring in polygon])
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1e-9)
    scale = min(box[0] / extent[0], box[1] / extent[1])
    width, height = extent * scale

    def draw(x: float, y: float) -> list[str]:
        body = []
        for place, plane in zip(outlined, planes, strict=True):
            polygons = [
                [(ring - low) * [scale, -scale] + [x, y + height] for ring in polygon]
                for polygon in plane
            ]
            path = "".join(_ring_path(ring, k == 0) for p in polygons for k, ring in enumerate(p))
            shape = (
                f'<path d="{path}" fill-rule="evenodd" fill="{_fill(place)}" '
                f'stroke="{OUTLINE}" stroke-width="0.7"/>'
            )
            body.append(_area(place, shape, _shape_text(place, polygons, named)))
        return body

    return _Block(float(width), float(height), draw)


def _shape_text(place: Place, polygons: list[list[np.ndarray]], named: bool) -> str:
    """The figure inside an outline, with the name above it when asked for and there is
    room: shortened to the width inside the shape, and left out below four characters."""
    x, y, room = _label_point(polygons)
    if room < len(_fmt(place.index)) * 11 * CHAR_W + 4:
        return ""
    fits = int((room - 6) / (10 * CHAR_W))
    if not named or fits < 4:
        return _index_text(place, x, y + 4, 11, "middle")
    return (
        f'<text x="{x:.1f}" y="{y - 2:.1f}" font-size="10" text-anchor="middle">'
        f"{escape(_short(place.label, fits))}</text>" + _index_text(place, x, y + 11, 11, "middle")
    )


def _ring_path(ring: np.ndarray, outer: bool) -> str:
    """A ring as path data; a hole too small to see is left out, an outer ring never."""
    points = simplify(ring, SIMPLIFY_PX)
    if len(points) < 3:
        if not outer:
            return ""
        points = ring
    return "M" + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + "Z"


def _label_point(polygons: list[list[np.ndarray]]) -> tuple[float, float, float]:
    """Where to write an area's figure: the middle of the widest stretch inside its largest
    polygon along a horizontal line through its centroid or its middle (a centroid can lie
    outside a bent shape; a stretch cannot). Returns x, y and the stretch's length."""
    largest = max(polygons, key=lambda rings: abs(_area_of(rings[0])))
    outer = largest[0]
    lines = [_centroid(outer)[1], (outer[:, 1].min() + outer[:, 1].max()) / 2]
    best = (float(outer[:, 0].mean()), float(lines[0]), 0.0)
    for y in lines:
        crossings = []
        for ring in largest:
            start, end = ring, np.roll(ring, -1, axis=0)
            crosses = (start[:, 1] <= y) != (end[:, 1] <= y)
            s, e = start[crosses], end[crosses]
            crossings += list(s[:, 0] + (y - s[:, 1]) * (e[:, 0] - s[:, 0]) / (e[:, 1] - s[:, 1]))
        crossings.sort()
        for left, right in zip(crossings[::2], crossings[1::2], strict=False):
            if right - left > best[2]:
                best = ((left + right) / 2, float(y), right - left)
    return best


def _area_of(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2


def _centroid(ring: np.ndarray) -> tuple[float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return float(x.mean()), float(y.mean())
    return (
        float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)),
        float(((y + np.roll(y, -1)) * cross).sum() / (6 * area)),
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
                f'font-weight="bold" fill="{MARK}">{_fmt(57.5)}</text>'
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
        said.append(f"{p.label}: {_fmt(p.index)} ({t('band_' + p.band)}{status})")
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
