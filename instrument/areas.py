"""The area registry: neighbourhoods a wave reports on, with their municipality."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path
from typing import Any

from samenspel.common.problems import Level, Problem, ProblemsFound, yaml_key
from samenspel.instrument.load import as_written, closest_key, kind_of, read_yaml
from samenspel.instrument.model import (
    SIDES,
    UNIT_NOT_LISTED,
    Area,
    AreaCovariates,
    AreaRegistry,
    BoundaryFile,
    Unit,
)

AREA_KINDS = ("gebied", "wijk", "buurt")
AREA_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
MUNICIPALITY_PATTERN = re.compile(r"GM\d{4}")
UNIT_EXAMPLE = "`professional: [{code: on-wijkteam-1, name: Wijkteam Noord, members: 18}]`"
BOUNDARY_FIELDS = ("file", "wijk_property", "buurt_property", "source")
TOP_FIELDS = ("municipalities", "areas", "boundaries", "covariates")
AREA_FIELDS = (
    "id", "name", "municipality", "kind", "cbs_wijk", "cbs_buurt", "units",
    "valid_from", "valid_to", "replaces",
)  # fmt: skip
UNIT_FIELDS = ("code", "name", "members")
BOUNDARY_EXAMPLE = "`boundaries: {file: wijken.geojson, wijk_property: wijkcode}`"
COVARIATE_EXAMPLE = (
    "`covariates: wijkcijfers.csv`, a CSV beside the registry with a column `area` (the "
    "registry's area ids) and one numeric column per covariate"
)
# Names (of areas, units, municipalities) end up in forms, CSV files and the report: one line
# of plain text. Refused: control characters (CR, LF, NUL, tab, escape codes), lone
# surrogates (not encodable as UTF-8), line and paragraph separators, and the bidirectional
# controls that silently reorder the text around them.
NAME_MAX_LENGTH = 100
REFUSED_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(value: Any, what: str = "name") -> tuple[str, str, str] | None:
    """What is wrong with a name (or another one-line text: ``what``) as (problem code,
    message, hint); None if it is usable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "missing-field", f"the {what} is empty", f"write the {what}"
    if not isinstance(value, str):
        return (
            "wrong-type",
            f"the {what} must be text, found {kind_of(value)}",
            f"write the {what} as text, in quotes if it looks like a number",
        )
    refused = sorted(
        {c for c in value if unicodedata.category(c) in REFUSED_CATEGORIES or c in BIDI_CONTROLS}
    )
    if refused:
        return (
            "invalid-value",
            f"the {what} contains control characters "
            f"({', '.join(f'U+{ord(c):04X}' for c in refused)})",
            f"write the {what} on one line, as plain text without tabs or escape codes",
        )
    if len(value.strip()) > NAME_MAX_LENGTH:
        return (
            "invalid-value",
            f"the {what} is {len(value.strip())} characters long",
            f"shorten it to at most {NAME_MAX_LENGTH} characters",
        )
    return None


def _same_name(name: str) -> str:
    """Names that differ only in case or Unicode composition look the same in a report."""
    return unicodedata.normalize("NFC", name).casefold()


def load_areas(path: str | Path) -> AreaRegistry:
    """Load and validate an area registry; raise :class:`ProblemsFound` on errors (warnings
    are left out: :func:`check_areas` returns them)."""
    registry, problems = check_areas(path)
    if registry is None:  # the errors first: they are what stops the command
        raise ProblemsFound(sorted(problems, key=lambda p: p.level is not Level.ERROR))
    return registry


class _RegistryChecker:
    """The problems of one registry file, each placed by line (when the node knows it) and
    by the YAML path or area id."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def _add(self, level: Level, where, code, message, hint, node=None) -> None:
        line = getattr(node, "line", 0)
        place = f"{self.path}:{line}: {where}" if line else f"{self.path}: {where}"
        self.problems.append(Problem(level, code, place, message, hint))

    def error(self, where: str, code: str, message: str, hint: str, node=None) -> None:
        self._add(Level.ERROR, where, code, message, hint, node)

    def warn(self, where: str, code: str, message: str, hint: str, node=None) -> None:
        self._add(Level.WARNING, where, code, message, hint, node)

    def unknown_keys(self, node: dict, where: str, known: tuple[str, ...]) -> None:
        """An error for every key of ``node`` that is not one of ``known``."""
        for key in node:
            if key not in known:
                written = as_written(key)
                place = f"{self.path}:{node.line_of(key)}: {where + '.' if where else ''}"
                self.problems.append(Problem(Level.ERROR, "unknown-field",
                                             place + yaml_key(written),
                                             f"{written!r} is not a field here",
                                             closest_key(written, known)))  # fmt: skip

    def name(self, value: Any, where: str) -> str | None:
        """A plain-text name, stripped; None (and an error) for anything else."""
        problem = name_problem(value)
        if problem:
            self.error(where, *problem)
            return None
        return value.strip()

    @property
    def failed(self) -> bool:
        return any(p.level is Level.ERROR for p in self.problems)


def check_areas(path: str | Path) -> tuple[AreaRegistry | None, list[Problem]]:
    """Validate an area registry: the registry (None when there are errors) and every
    problem found, each placed by line and area id.

    Names must be plain text; area names unique within their municipality (the same name in
    two municipalities is two areas: everything downstream is keyed by the area id). Every
    key must be one the registry knows (a misspelling is an error naming the nearest known
    key); codes are read as written (``0361`` stays ``0361``, not the octal number 241).
    """
    check = _RegistryChecker(path)
    raw = read_yaml(path, check.problems, placed=True)
    if check.problems:
        return None, check.problems
    check.unknown_keys(raw, "", TOP_FIELDS)
    municipalities = _municipalities(raw.get("municipalities") or {}, check)
    nodes = raw.get("areas")
    if not isinstance(nodes, list) or not nodes:
        check.error(
            "areas",
            "missing-field",
            "a list of areas is required",
            "add `areas:` with `- {id: ..., name: ..., municipality: GM...., kind: wijk}`",
        )
        return None, check.problems
    areas: list[Area] = []
    seen: set[str] = set()
    seen_units: set[str] = set()
    place_of_name: dict[tuple[str, str], str] = {}  # (municipality, name) -> first area
    for index, node in enumerate(nodes):
        area = _area(node, index, municipalities, check, seen, seen_units, place_of_name)
        if area is not None:
            areas.append(area)
    for area in areas:
        for other in area.replaces:
            if other == area.id or other not in seen:
                check.error(
                    f"area {area.id}.replaces",
                    "unknown-reference",
                    f"{other!r} is not another area of the registry",
                    "list the ids of the areas whose territory this one took over; keep "
                    "those areas in the registry with their valid_to wave, so their history "
                    "stays",
                )
    boundaries = _boundary_file(raw.get("boundaries"), Path(path), check.error)
    covariates = _covariate_file(
        raw.get("covariates"), Path(path), [a.id for a in areas], check.error
    )
    if check.failed:
        return None, check.problems
    return AreaRegistry(tuple(areas), str(path), boundaries, covariates), check.problems


def _municipalities(listed, check: _RegistryChecker) -> dict[str, str]:
    """``municipalities:`` as CBS code -> name (a code written without GM is an error that
    suggests it, and is read with GM so that its areas are still checked)."""
    if not isinstance(listed, dict):
        check.error(
            "municipalities",
            "wrong-type",
            "expected a mapping of CBS code to name",
            "write e.g. `GM0363: Amsterdam`",
        )
        return {}
    municipalities: dict[str, str] = {}
    code_of_name: dict[str, str] = {}
    for code, value in listed.items():
        written = as_written(code)
        where = f"municipalities.{yaml_key(written)}"
        if not isinstance(code, str) or not MUNICIPALITY_PATTERN.fullmatch(code):
            digits = written.isdigit() and len(written) == 4
            check.error(
                where,
                "invalid-code",
                f"{written} is not a CBS municipality code",
                f"write GM{written}" if digits else "write GM and four digits, e.g. GM0363",
                listed,
            )
            code = f"GM{written}" if digits else written
        label = check.name(value, where)
        municipalities[str(code)] = label or ""
        first = code_of_name.setdefault(_same_name(label or ""), str(code))
        if label is not None and first != str(code):
            check.error(
                where,
                "duplicate-code",
                f"the name {label!r} is already used for {first}",
                "give every municipality its own name",
            )
    return municipalities


def _area(node, index: int, municipalities, check, seen, seen_units, place_of_name):
    """One entry of ``areas:`` as an :class:`Area` (None when it cannot be read at all);
    ``seen``, ``seen_units`` and ``place_of_name`` collect the ids, unit codes and names of
    the areas so far, to find the ones used twice."""
    where = f"areas[{index}]"
    if not isinstance(node, dict):
        check.error(where, "wrong-type", "expected a mapping", "write `{id: ..., name: ...}`")
        return None
    if node.get("id"):
        where = f"area {yaml_key(as_written(node['id']))}"
    check.unknown_keys(node, where, AREA_FIELDS)
    missing = [f for f in ("id", "name", "municipality", "kind") if not node.get(f)]
    if missing:
        check.error(
            where,
            "missing-field",
            f"missing {', '.join(missing)}",
            "every area needs id, name, municipality and kind",
            node,
        )
        return None
    area_id = as_written(node["id"])
    if not AREA_ID_PATTERN.fullmatch(area_id):
        check.error(
            f"{where}.id",
            "invalid-code",
            f"area id {area_id!r} is not allowed",
            "use lower-case letters, digits and hyphens",
        )
    if area_id in seen:
        check.error(
            f"{where}.id",
            "duplicate-code",
            f"area id {area_id!r} is used twice",
            "give every area its own id",
            node,
        )
    seen.add(area_id)
    municipality = as_written(node["municipality"])
    if municipality not in municipalities:
        check.error(
            f"{where}.municipality",
            "unknown-reference",
            f"municipality {municipality!r} is not listed under municipalities",
            f"add it there or use one of {', '.join(map(str, municipalities))}",
            node,
        )
    area_name = check.name(node["name"], f"{where}.name")
    first = place_of_name.setdefault((municipality, _same_name(area_name or "")), where)
    # The same name for an area and its successor (one ends, the other starts) is fine.
    successive = node.get("valid_from") is not None or node.get("valid_to") is not None
    if area_name is not None and first != where and not successive:
        check.error(
            f"{where}.name",
            "duplicate-code",
            f"the name {area_name!r} is already used for {first} in "
            f"{municipalities.get(municipality) or municipality}",
            "give every area of a municipality its own name",
            node,
        )
    if node["kind"] not in AREA_KINDS:
        check.error(
            f"{where}.kind",
            "invalid-value",
            f"kind {node['kind']!r} is not known",
            f"use one of {', '.join(AREA_KINDS)}",
            node,
        )
    cbs = {k: node.get(k) for k in ("cbs_wijk", "cbs_buurt")}
    for key, value in cbs.items():
        if value is not None and not isinstance(value, str):
            check.error(
                f"{where}.{key}",
                "wrong-type",
                f"{key} must be text, found {as_written(value)}",
                'quote CBS codes so leading zeros survive, e.g. "WK036301"',
                node,
            )
    units = _units(
        node.get("units"), area_id, where, seen_units, check.error, check.name, check.unknown_keys
    )
    for side in SIDES:
        if not any(unit.side == side for unit in units):
            check.warn(
                f"{where}.units.{side}",
                "missing-field",
                f"no {side} units are listed",
                "list the teams or organisations you recruit through, with their "
                "members: without them every respondent of this side counts as not "
                "listed and the intervals assume independent draws",
                node,
            )
    return Area(
        area_id,
        area_name or "",
        municipality,
        municipalities.get(municipality, ""),
        str(node["kind"]),
        cbs["cbs_wijk"],
        cbs["cbs_buurt"],
        units,
        **_history(node, where, check.error),
    )


def _covariate_file(node, path: Path, ids: list[str], error) -> AreaCovariates | None:
    """The optional ``covariates:`` key: a CSV (relative to the registry) with one row per
    area of the registry (column ``area``) and numeric columns, such as CBS neighbourhood
    statistics, that the small-area model of the index uses (docs/methodology.md, 5.1)."""
    if node is None:
        return None
    if not isinstance(node, str) or not node.strip():
        error("covariates", "wrong-type", "expected the name of a CSV file", COVARIATE_EXAMPLE)
        return None
    file = path.parent / node.strip()
    try:
        with open(file, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        error("covariates", "file-not-found", f"{file} cannot be read ({exc})", COVARIATE_EXAMPLE)
        return None
    header = [h.strip() for h in rows[0]] if rows else []
    if "area" not in header or len(header) < 2:
        error(
            "covariates",
            "missing-column",
            f"{file} needs a column `area` and at least one covariate column (found "
            f"{', '.join(header) or 'nothing'})",
            COVARIATE_EXAMPLE,
        )
        return None
    at = header.index("area")
    names = tuple(h for i, h in enumerate(header) if i != at)
    values: dict[str, tuple[float, ...]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        area = cells[at]
        figures = []
        for i, name in enumerate(header):
            if i == at:
                continue
            try:
                figures.append(float(cells[i]))
            except ValueError:
                figures.append(float("nan"))
            if figures[-1] != figures[-1]:
                error(
                    "covariates",
                    "invalid-value",
                    f"{file}, row {number}, column {name}: {cells[i]!r} is not a number",
                    "give every area a number in every covariate column (a decimal point, "
                    "no blanks)",
                )
        if area in values:
            error(
                "covariates",
                "duplicate-code",
                f"{file}, row {number}: area {area!r} has a second row",
                "give each area one row",
            )
        values[area] = tuple(figures)
    unknown = [a for a in values if a not in set(ids)]
    missing = [a for a in ids if a not in values]
    if unknown:
        error(
            "covariates",
            "unknown-reference",
            f"{file}: {', '.join(map(repr, unknown[:5]))} are not areas of the registry",
            "use the registry's area ids in the column `area`",
        )
    if missing:
        error(
            "covariates",
            "missing-field",
            f"{file} has no row for {len(missing)} areas of the registry "
            f"({', '.join(map(repr, missing[:5]))})",
            "give every area of the registry a row: the model needs every area's values",
        )
    return AreaCovariates(str(file), names, tuple(values.items()))


def _history(node: dict, where: str, error) -> dict:
    """``valid_from`` / ``valid_to`` (wave ids) and ``replaces`` (area ids) of one area."""
    history: dict = {}
    for key in ("valid_from", "valid_to"):
        if node.get(key) is not None:
            history[key] = as_written(node[key])
    replaces = node.get("replaces", [])
    if isinstance(replaces, str):
        replaces = [replaces]
    if not isinstance(replaces, list) or not all(isinstance(r, str) for r in replaces):
        error(f"{where}.replaces", "wrong-type", "expected a list of area ids",
              "write e.g. `replaces: [binnenstad, grote-waal]`", node)  # fmt: skip
        replaces = []
    if replaces and "valid_from" not in history:
        error(f"{where}.valid_from", "missing-field",
              "an area that replaces others needs the wave it starts in",
              'add e.g. `valid_from: "2026"`', node)  # fmt: skip
    history["replaces"] = tuple(replaces)
    return history


def _boundary_file(node, path: Path, error) -> BoundaryFile | None:
    """The optional ``boundaries:`` key: a GeoJSON file (relative to the registry) with the
    areas' outlines, and which feature properties hold the CBS codes. The file itself is
    read by the report only (:func:`samenspel.instrument.boundaries.load_boundaries`): the
    other commands have no use for it."""
    if node is None:
        return None
    if not isinstance(node, dict):
        error("boundaries", "wrong-type", "expected a mapping", f"write {BOUNDARY_EXAMPLE}")
        return None
    for key in node:
        if key not in BOUNDARY_FIELDS:
            error(
                f"boundaries.{yaml_key(key)}",
                "unknown-field",
                f"{key!r} is not a field here",
                closest_key(key, BOUNDARY_FIELDS),
            )
    if not node.get("file"):
        error("boundaries", "missing-field", "the GeoJSON file is missing", BOUNDARY_EXAMPLE)
        return None
    texts = {key: node[key] for key in BOUNDARY_FIELDS if key in node}
    found = {key: name_problem(value, key.replace("_", " ")) for key, value in texts.items()}
    for key, problem in found.items():
        if problem:
            error(f"boundaries.{key}", *problem)
    if any(found.values()):
        return None
    texts = {key: value.strip() for key, value in texts.items()}
    return BoundaryFile(str(path.parent / texts.pop("file")), **texts)


def _units(
    node, area_id: str, where: str, seen: set[str], error, name_of, unknown_keys
) -> tuple[Unit, ...]:
    """The recruitment units of one area: ``units: {professional: [...], informal: [...]}``.

    Unit codes are unique in the whole registry (the questionnaire stores the code alone).
    """
    if node is None:
        return ()
    if not isinstance(node, dict):
        error(f"{where}.units", "wrong-type", "expected the two sides as keys", UNIT_EXAMPLE)
        return ()
    units = []
    for side, entries in node.items():
        names: dict[str, str] = {}  # the same name twice would be one choice on the forms
        at = f"{where}.units.{yaml_key(side)}"
        if side not in SIDES:
            error(
                at, "invalid-value", f"side {side!r} is not known", closest_key(side, SIDES), node
            )
            continue
        if not isinstance(entries, list):
            error(at, "wrong-type", "expected a list of units", UNIT_EXAMPLE)
            continue
        for position, entry in enumerate(entries):
            here = f"{at}[{position}]"
            if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
                error(here, "missing-field", "a unit needs a code and a name", UNIT_EXAMPLE, entry)
                continue
            code, members = as_written(entry["code"]), entry.get("members")
            here = f"{at}[{yaml_key(code)}]"
            unknown_keys(entry, here, UNIT_FIELDS)
            unit_name = name_of(entry["name"], f"{here}.name")
            first = names.setdefault(_same_name(unit_name or ""), here)
            if unit_name is not None and first != here:
                error(
                    f"{here}.name",
                    "duplicate-code",
                    f"the name {unit_name!r} is already used for {first}",
                    "give every unit of an area and side its own name",
                    entry,
                )
            if not AREA_ID_PATTERN.fullmatch(code) or code == UNIT_NOT_LISTED:
                error(
                    f"{here}.code",
                    "invalid-code",
                    f"unit code {code!r} is not allowed",
                    "use lower-case letters, digits and hyphens "
                    f"(and not {UNIT_NOT_LISTED!r}, the answer for a unit that is not listed)",
                    entry,
                )
            if code in seen:
                error(
                    f"{here}.code",
                    "duplicate-code",
                    f"unit code {code!r} is used twice",
                    "give every unit its own code, unique in the whole registry",
                    entry,
                )
            seen.add(code)
            if members is not None and (
                isinstance(members, bool) or not isinstance(members, int) or members < 1
            ):
                error(
                    f"{here}.members",
                    "invalid-value",
                    f"members must be a whole number above 0, found {members!r}",
                    "give the number of people in the unit, or leave `members` out",
                    entry,
                )
                members = None
            units.append(Unit(code, unit_name or "", area_id, side, members))
    return tuple(units)
