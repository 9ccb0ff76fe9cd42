"""Area outlines from a GeoJSON file, matched to the registry's areas by their CBS codes.

The registry's ``boundaries:`` key names the file and the feature properties that hold the
codes (CBS's "wijk- en buurtkaart" calls them ``wijkcode`` and ``buurtcode``). An area with a
``cbs_buurt`` code is matched on the buurt property, otherwise one with a ``cbs_wijk`` code
on the wijk property; every feature with the code belongs to the area's outline, so a file
of buurten outlines wijk areas too. Coordinates are RD New (EPSG:28992, as CBS publishes
them), WGS84 longitude/latitude (RFC 7946) or ETRS89 (EPSG:4258, which PDOK offers), told by
the file's ``crs`` member or, without one, by their range. They must lie in the Netherlands:
swapped axes, or metres under a longitude/latitude label, are refused with the likely cause.
Whatever the file's system, the outlines are handed on in RD New metres, transformed once for
the whole file with pyproj, so that a map has one projection.

Only the report reads the file. Its problems are reported like the registry's, each with the
file, the feature's place in ``features`` (from 0), what is wrong and how to fix it: errors
stop the report; an area whose code no feature has is a warning (the map draws it as a tile),
naming a feature whose code differs only in case or leading zeros; so is an area whose code
belongs to another municipality than the area's, and a feature without a usable geometry
that no area of the registry uses (it is skipped).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from samenspel.common.problems import Level, Problem, ProblemsFound, has_errors
from samenspel.instrument.model import AreaRegistry

RD_NEW, WGS84, ETRS89 = "EPSG:28992", "EPSG:4326", "EPSG:4258"
NAMES = {RD_NEW: "RD New (EPSG:28992)", WGS84: "WGS84", ETRS89: "ETRS89 (EPSG:4258)"}
# The Netherlands with its territorial sea, (x range, y range): in RD New metres, and in
# longitude/latitude degrees (WGS84 and ETRS89 differ by less than a metre here). They cannot
# be confused: RD's y is never below 289 km, a latitude never above 90.
RD_BOX = ((-7_000.0, 300_000.0), (289_000.0, 629_000.0))
LONLAT_BOX = ((3.0, 7.3), (50.7, 53.7))
# Where the Netherlands lies in Web Mercator (EPSG:3857) metres, a common wrong export.
MERCATOR_BOX = ((330_000.0, 820_000.0), (6_560_000.0, 7_120_000.0))
# The legacy GeoJSON `crs` member names a system as urn:ogc:def:crs:EPSG::28992, EPSG:28992,
# http://www.opengis.net/def/crs/EPSG/0/28992 or urn:ogc:def:crs:OGC:1.3:CRS84.
CRS_NAME = re.compile(r"(?:EPSG:{1,2}|EPSG/\d+/)(\d+)$|(CRS84)$")
CRS_CODES = {"28992": RD_NEW, "4326": WGS84, "CRS84": WGS84, "4258": ETRS89}
REPROJECT = (
    "convert the file to EPSG:28992 or WGS84, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in`"
)
CODE_PARTS = re.compile(r"([A-Z]+)0*(.*)")  # CBS code: letters, then digits (and letters)
# A well-formed CBS code: WK + the municipality's number + 2 for the wijk; BU + 4 + 4
CODE_MUNICIPALITY = re.compile(r"WK(\d{4})[0-9A-Z]{2}|BU(\d{4})[0-9A-Z]{4}")
MAX_GEOJSON_BYTES = 256 * 2**20
MAX_LISTED = 20  # problems of one kind listed one by one; the rest are counted
SHAPES = ("Polygon", "MultiPolygon")

Polygon = tuple[np.ndarray, ...]  # rings as (n, 2) arrays: the outer ring, then its holes


@dataclass(frozen=True)
class Boundaries:
    """The outlines of the registry's areas that the file has.

    ``outlines``: area id -> its polygons (one or more features' rings), in RD New metres
    whatever the file's system. ``crs``: the system the file was in. ``missing``: the areas
    with a CBS code whose outline the map does not draw (the map draws them as tiles).
    ``source``: the registry's attribution of the outlines, if it gives one.
    """

    crs: str
    outlines: dict[str, tuple[Polygon, ...]]
    missing: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class _Wanted:
    """An area to find in the file: its place in the registry, which code, on which key."""

    position: int
    area: str
    key: str  # cbs_wijk or cbs_buurt
    prop: str  # the feature property holding that kind of code
    code: str
    municipality_code: str
    municipality: str


def load_boundaries(registry: AreaRegistry) -> tuple[Boundaries | None, list[Problem]]:
    """The outlines the registry points to (None without ``boundaries:``) and the warnings
    about them; raise :class:`ProblemsFound` when the file cannot be used."""
    spec = registry.boundaries
    if spec is None:
        return None, []
    problems: list[Problem] = []

    def error(where: str, code: str, message: str, hint: str) -> None:
        place = f"{spec.path}: {where}" if where else spec.path
        problems.append(Problem(Level.ERROR, code, place, message, hint))

    wanted = _wanted(registry, spec.wijk_property, spec.buurt_property)
    data = _read_json(Path(spec.path), error)
    features = [] if data is None else _features(data, error)
    declared = None if data is None else _declared_crs(data.get("crs"), error)
    props = sorted({w.prop for w in wanted})
    shapes, codes, unusable = _shapes(features, props, error)
    used = {(w.prop, w.code) for w in wanted}
    for number, (where, message, hint) in unusable.items():
        if any((prop, code) in used for prop, code in codes[number].items()):
            error(where, "invalid-geometry", message, hint)
        else:  # a feature no area uses, e.g. of another municipality in a national file
            problems.append(
                Problem(
                    Level.WARNING, "invalid-geometry", f"{spec.path}: {where}",
                    f"{message}; no area of the registry uses it, so it is skipped", hint,
                )
            )  # fmt: skip
    for prop in props:
        if features and not any(prop in found for found in codes):
            _no_such_property(prop, features, error)
    crs = _crs(declared, shapes, error) if shapes else declared
    if has_errors(problems):
        raise ProblemsFound(_capped(problems))
    shapes = _to_rd_new(shapes, crs or RD_NEW)
    by_code: dict[tuple[str, str], list[int]] = {}
    for number, found in enumerate(codes):
        for prop, code in found.items():
            by_code.setdefault((prop, code), []).append(number)
    outlines, missing = {}, []
    for w in wanted:
        where = f"{registry.source}: areas[{w.position}].{w.key}"
        numbers = by_code.get((w.prop, w.code), [])
        near = None if numbers else _near_match(w.code, {c for p, c in by_code if p == w.prop})
        elsewhere = CODE_MUNICIPALITY.fullmatch(w.code.upper())
        number = elsewhere and (elsewhere.group(1) or elsewhere.group(2))
        if not near and number and f"GM{number}" != w.municipality_code:
            missing.append(w.area)
            problems.append(
                Problem(
                    Level.WARNING, "boundary-other-municipality", where,
                    f"area {w.area!r} is in {w.municipality} ({w.municipality_code}), but "
                    f"{w.code!r} is a code of municipality GM{number}; the map draws the area "
                    "as a tile rather than another municipality's outline",
                    f"write the CBS code of the area in {w.municipality}: it starts with "
                    f"{'WK' if w.key == 'cbs_wijk' else 'BU'}{w.municipality_code[2:]}",
                )
            )  # fmt: skip
            continue
        if numbers:
            outlines[w.area] = tuple(p for number in numbers for p in shapes[number])
            continue
        missing.append(w.area)
        said = f"; {near!r} differs only in case or leading zeros" if near else ""
        problems.append(
            Problem(
                Level.WARNING,
                "boundary-near-match" if near else "boundary-not-found",
                where,
                f"no feature of {Path(spec.path).name} has {w.prop} {w.code!r}{said}; the map "
                f"draws area {w.area!r} as a tile",
                f"write the code as the file has it: {near}"
                if near
                else "check the code, and that the file is the map of the same year (CBS "
                "codes change when municipalities and wijken are redrawn)",
            )
        )
    return Boundaries(crs or RD_NEW, outlines, tuple(missing), spec.source), _capped(problems)


def _near_match(code: str, available: set[str]) -> str | None:
    """A code of the file that is ``code`` after restoring case or leading zeros (a
    spreadsheet drops the zero of WK036201 when it takes 036201 for a number)."""

    def key(text: str) -> str:
        text = re.sub(r"\s", "", text).upper()
        match = CODE_PARTS.fullmatch(text)
        return match.group(1) + match.group(2) if match else text

    wanted = key(code)
    return next((found for found in sorted(available) if key(found) == wanted), None)


def _to_rd_new(shapes: dict[int, tuple[Polygon, ...]], crs: str) -> dict[int, tuple[Polygon, ...]]:
    """Every ring in RD New metres: transformed with pyproj in one call for the whole file
    (always longitude first, as GeoJSON writes it)."""
    if crs == RD_NEW or not shapes:
        return shapes
    rings = [ring for polygons in shapes.values() for polygon in polygons for ring in polygon]
    points = np.concatenate(rings)
    x, y = Transformer.from_crs(crs, RD_NEW, always_xy=True).transform(points[:, 0], points[:, 1])
    moved = iter(np.split(np.column_stack([x, y]), np.cumsum([len(r) for r in rings])[:-1]))
    return {
        number: tuple(tuple(next(moved) for _ in polygon) for polygon in polygons)
        for number, polygons in shapes.items()
    }


def _wanted(registry: AreaRegistry, wijk_property: str, buurt_property: str) -> list[_Wanted]:
    """The areas with a CBS code, each matched on its most detailed one."""
    wanted = []
    for position, area in enumerate(registry.areas):
        if area.cbs_buurt:
            wanted.append(
                _Wanted(position, area.id, "cbs_buurt", buurt_property, area.cbs_buurt,
                        area.municipality_code, area.municipality)
            )  # fmt: skip
        elif area.cbs_wijk:
            wanted.append(
                _Wanted(position, area.id, "cbs_wijk", wijk_property, area.cbs_wijk,
                        area.municipality_code, area.municipality)
            )  # fmt: skip
    return wanted


def _read_json(path: Path, error) -> Any:
    """The file's JSON, or None after reporting why it cannot be read."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_GEOJSON_BYTES + 1)  # never more: the path may be a device
    except OSError as exc:
        reason = "the file does not exist" if isinstance(exc, FileNotFoundError) else str(exc)
        error("", "file-not-found", reason, "check `boundaries.file` in the area registry")
        return None
    if len(data) > MAX_GEOJSON_BYTES:
        error(
            "",
            "file-too-large",
            f"the file is larger than {MAX_GEOJSON_BYTES:,} bytes",
            "use CBS's generalised map (gegeneraliseerd), or keep only your municipalities' "
            "features",
        )
        return None
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        error("", "invalid-geojson", f"the file is not UTF-8 text ({exc})", "save it as UTF-8")
    except json.JSONDecodeError as exc:
        error(
            f"line {exc.lineno}, column {exc.colno}",
            "invalid-geojson",
            f"the file is not valid JSON: {exc.msg}",
            "export the layer again as GeoJSON (QGIS: Export > Save Features As > GeoJSON)",
        )
    except RecursionError:
        error("", "invalid-geojson", "the JSON is nested too deeply", "export it again")
    return None


def _features(data: Any, error) -> list:
    """The features of a FeatureCollection; [] after reporting what the file is instead."""
    kind = data.get("type") if isinstance(data, dict) else None
    if kind != "FeatureCollection" or not isinstance(data.get("features"), list):
        error(
            "type",
            "invalid-geojson",
            f"expected a GeoJSON FeatureCollection, found {kind or type(data).__name__!r}",
            'export the layer as GeoJSON: `{"type": "FeatureCollection", "features": [...]}`',
        )
        return []
    if not data["features"]:
        error("features", "invalid-geojson", "the file has no features", "export the layer again")
    return data["features"]


def _declared_crs(node: Any, error) -> str | None:
    """The system the file's legacy ``crs`` member names (None without one)."""
    if node is None:
        return None
    name = node.get("properties", {}).get("name") if isinstance(node, dict) else None
    match = CRS_NAME.search(str(name))
    crs = CRS_CODES.get(match.group(1) or match.group(2)) if match else None
    if crs is None:
        error("crs", "unsupported-crs", f"the file's coordinates are in {name!r}", REPROJECT)
    return crs


def _shapes(
    features: list, props: list[str], error
) -> tuple[dict[int, tuple[Polygon, ...]], list[dict[str, str]], dict[int, tuple[str, str, str]]]:
    """Each feature's polygons (by its number), its codes under ``props``, and what is wrong
    with each feature whose geometry is not a usable Polygon or MultiPolygon (where, what,
    how to fix: an error if an area uses the feature, else a warning)."""
    shapes: dict[int, tuple[Polygon, ...]] = {}
    codes: list[dict[str, str]] = []
    unusable: dict[int, tuple[str, str, str]] = {}
    for number, feature in enumerate(features):
        where = f"features[{number}]"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        found = {
            prop: str(properties[prop]).strip()
            for prop in props
            if isinstance(properties, dict) and properties.get(prop) is not None
        }
        codes.append(found)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            error(where, "invalid-geojson", "not a GeoJSON Feature", '`{"type": "Feature", ...}`')
            continue
        named = "".join(f" ({prop} {code})" for prop, code in found.items())
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in SHAPES:
            unusable[number] = (
                f"{where}.geometry",
                f"the feature{named} has {'no geometry' if kind is None else f'a {kind}'}; "
                "only a Polygon or MultiPolygon outlines an area",
                "export the areas' polygons (not their centres or borders as lines)",
            )
            continue
        coordinates = geometry.get("coordinates")
        try:
            polygons = [coordinates] if kind == "Polygon" else coordinates
            if not isinstance(polygons, list) or not polygons:
                raise ValueError("it has no polygons")
            shapes[number] = tuple(_polygon(polygon) for polygon in polygons)
        except ValueError as exc:
            unusable[number] = (
                f"{where}.geometry.coordinates",
                f"the feature's {kind}{named} cannot be drawn: {exc}",
                "every ring is a list of at least 4 [x, y] number pairs; repair the geometry "
                "(QGIS: Fix geometries) and export again",
            )
    return shapes, codes, unusable


def _polygon(rings: Any) -> Polygon:
    """A polygon's rings as (n, 2) arrays of finite numbers; ValueError says what is wrong."""
    if not isinstance(rings, list) or not rings:
        raise ValueError("a polygon must be a list of rings")
    arrays = []
    for ring in rings:
        try:
            array = np.asarray(ring)
        except ValueError:
            raise ValueError("a ring mixes positions of different lengths") from None
        if array.ndim != 2 or array.shape[1] < 2 or array.dtype.kind not in "iuf":
            raise ValueError("a ring is not a list of [x, y] number pairs")
        if len(array) < 4:
            raise ValueError(f"a ring has {len(array)} positions (at least 4)")
        if not np.isfinite(array).all():
            raise ValueError("a coordinate is not a finite number")
        arrays.append(array[:, :2].astype(float))
    return tuple(arrays)


def _crs(declared: str | None, shapes: dict[int, tuple[Polygon, ...]], error) -> str | None:
    """The system the coordinates are in: the declared one if they lie in the Netherlands in
    it, else (without a declaration) the one in which they do; None after reporting where
    they lie and the likely cause."""
    points = np.concatenate([ring for polygons in shapes.values() for p in polygons for ring in p])
    low, high = points.min(axis=0), points.max(axis=0)

    def inside(box, swap: bool = False) -> bool:
        (x0, x1), (y0, y1) = box[::-1] if swap else box
        return x0 <= low[0] and high[0] <= x1 and y0 <= low[1] and high[1] <= y1

    rd, lonlat = inside(RD_BOX), inside(LONLAT_BOX)
    if declared is None and (rd or lonlat):
        return RD_NEW if rd else WGS84
    if (declared == RD_NEW and rd) or (declared in (WGS84, ETRS89) and lonlat):
        return declared
    extent = f"x {low[0]:g} to {high[0]:g}, y {low[1]:g} to {high[1]:g}"
    said = f"the file says {NAMES[declared]}, but " if declared else ""
    fix_crs = "correct the file's `crs` member (or remove it: the coordinates tell the system)"
    if inside(LONLAT_BOX, swap=True):
        cause = "latitude and longitude are swapped: GeoJSON writes [longitude, latitude]"
        fix = "swap the axes (QGIS: Processing > Swap X and Y coordinates) and export again"
    elif rd:
        cause = "they are RD New (EPSG:28992) metres"
        fix = fix_crs
    elif lonlat:
        cause = "they are longitude/latitude degrees"
        fix = fix_crs
    elif inside(MERCATOR_BOX):
        cause = "they look like Web Mercator (EPSG:3857) metres, which this report does not read"
        fix = REPROJECT
    else:
        cause = "they are in no system this report reads, or of a place outside the Netherlands"
        fix = REPROJECT
    error(
        "",
        "coordinates-outside-netherlands",
        f"{said}the coordinates ({extent}) do not lie in the Netherlands in "
        f"{NAMES[declared] if declared else 'RD New or longitude/latitude'}; likely cause: "
        f"{cause}",
        fix,
    )
    return None


def _no_such_property(prop: str, features: list, error) -> None:
    first = next((f.get("properties") for f in features if isinstance(f, dict)), None)
    names = ", ".join(map(str, list(first or {})[:8])) or "none"
    error(
        "features[*].properties",
        "missing-field",
        f"no feature has the property {prop!r} that the registry's CBS codes are matched on",
        "name the property that holds the codes in the registry's `boundaries:` "
        f"(wijk_property, buurt_property); the first feature's properties are: {names}",
    )


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most :data:`MAX_LISTED` problems of each code, then the next one saying how many
    more there are: a broken national file must not bury the first, telling, problems."""
    counts: Counter[str] = Counter(p.code for p in problems)
    seen: Counter[str] = Counter()
    kept = []
    for problem in problems:
        seen[problem.code] += 1
        if seen[problem.code] <= MAX_LISTED:
            kept.append(problem)
        elif seen[problem.code] == MAX_LISTED + 1:
            more = counts[problem.code] - MAX_LISTED - 1
            message = f"{problem.message} (and {more} more like it)" if more else problem.message
            kept.append(replace(problem, message=message))
    return kept
