"""The area registry: neighbourhoods a wave reports on, with their municipality."""

from __future__ import annotations

import re
from pathlib import Path

from samenspel.instrument.load import read_yaml
from samenspel.instrument.model import SIDES, UNIT_NOT_LISTED, Area, AreaRegistry, Unit
from samenspel.instrument.problems import Level, Problem, ProblemsFound

AREA_KINDS = ("gebied", "wijk", "buurt")
AREA_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MUNICIPALITY_PATTERN = re.compile(r"^GM\d{4}$")
UNIT_EXAMPLE = "`professional: [{code: on-wijkteam-1, name: Wijkteam Noord, members: 18}]`"


def load_areas(path: str | Path) -> AreaRegistry:
    """Load and validate an area registry; raise :class:`ProblemsFound` on errors."""
    problems: list[Problem] = []
    raw = read_yaml(path, problems)
    if problems:
        raise ProblemsFound(problems)

    def error(where: str, code: str, message: str, hint: str) -> None:
        problems.append(Problem(Level.ERROR, code, f"{path}: {where}", message, hint))

    if not isinstance(raw, dict):
        error(
            "(top level)",
            "wrong-type",
            "expected `municipalities:` and `areas:`",
            "see instrument/areas.yaml for the layout",
        )
        raise ProblemsFound(problems)
    municipalities = raw.get("municipalities") or {}
    if not isinstance(municipalities, dict):
        error(
            "municipalities",
            "wrong-type",
            "expected a mapping of CBS code to name",
            "write e.g. `GM0363: Amsterdam`",
        )
        municipalities = {}
    for code in municipalities:
        if not MUNICIPALITY_PATTERN.match(str(code)):
            error(
                f"municipalities.{code}",
                "invalid-code",
                f"{code!r} is not a CBS municipality code",
                "write GM and four digits, e.g. GM0363",
            )
    nodes = raw.get("areas")
    if not isinstance(nodes, list) or not nodes:
        error(
            "areas",
            "missing-field",
            "a list of areas is required",
            "add `areas:` with `- {id: ..., name: ..., municipality: GM...., kind: wijk}`",
        )
        raise ProblemsFound(problems)
    areas: list[Area] = []
    seen: set[str] = set()
    seen_units: set[str] = set()
    for index, node in enumerate(nodes):
        where = f"areas[{index}]"
        if not isinstance(node, dict):
            error(where, "wrong-type", "expected a mapping", "write `{id: ..., name: ...}`")
            continue
        missing = [f for f in ("id", "name", "municipality", "kind") if not node.get(f)]
        if missing:
            error(
                where,
                "missing-field",
                f"missing {', '.join(missing)}",
                "every area needs id, name, municipality and kind",
            )
            continue
        area_id = str(node["id"])
        if not AREA_ID_PATTERN.match(area_id):
            error(
                f"{where}.id",
                "invalid-code",
                f"area id {area_id!r} is not allowed",
                "use lower-case letters, digits and hyphens",
            )
        if area_id in seen:
            error(
                f"{where}.id",
                "duplicate-code",
                f"area id {area_id!r} is used twice",
                "give every area its own id",
            )
        seen.add(area_id)
        municipality = str(node["municipality"])
        if municipality not in municipalities:
            error(
                f"{where}.municipality",
                "unknown-reference",
                f"municipality {municipality!r} is not listed under municipalities",
                f"add it there or use one of {', '.join(map(str, municipalities))}",
            )
        if node["kind"] not in AREA_KINDS:
            error(
                f"{where}.kind",
                "invalid-value",
                f"kind {node['kind']!r} is not known",
                f"use one of {', '.join(AREA_KINDS)}",
            )
        cbs = {k: node.get(k) for k in ("cbs_wijk", "cbs_buurt")}
        for key, value in cbs.items():
            if value is not None and not isinstance(value, str):
                error(
                    f"{where}.{key}",
                    "wrong-type",
                    f"{key} must be text, found {value!r}",
                    'quote CBS codes so leading zeros survive, e.g. "WK036301"',
                )
        units = _units(node.get("units"), area_id, where, seen_units, error)
        areas.append(
            Area(
                area_id,
                str(node["name"]),
                municipality,
                str(municipalities.get(municipality, "")),
                str(node["kind"]),
                cbs["cbs_wijk"],
                cbs["cbs_buurt"],
                units,
            )
        )
    if problems:
        raise ProblemsFound(problems)
    return AreaRegistry(tuple(areas), str(path))


def _units(node, area_id: str, where: str, seen: set[str], error) -> tuple[Unit, ...]:
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
        at = f"{where}.units.{side}"
        if side not in SIDES:
            error(at, "invalid-value", f"side {side!r} is not known", f"use {' or '.join(SIDES)}")
            continue
        if not isinstance(entries, list):
            error(at, "wrong-type", "expected a list of units", UNIT_EXAMPLE)
            continue
        for position, entry in enumerate(entries):
            here = f"{at}[{position}]"
            if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
                error(here, "missing-field", "a unit needs a code and a name", UNIT_EXAMPLE)
                continue
            code, members = str(entry["code"]), entry.get("members")
            if not AREA_ID_PATTERN.match(code) or code == UNIT_NOT_LISTED:
                error(
                    f"{here}.code",
                    "invalid-code",
                    f"unit code {code!r} is not allowed",
                    "use lower-case letters, digits and hyphens "
                    f"(and not {UNIT_NOT_LISTED!r}, the answer for a unit that is not listed)",
                )
            if code in seen:
                error(
                    f"{here}.code",
                    "duplicate-code",
                    f"unit code {code!r} is used twice",
                    "give every unit its own code, unique in the whole registry",
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
                )
                members = None
            units.append(Unit(code, str(entry["name"]), area_id, side, members))
    return tuple(units)
