"""The area registry: neighbourhoods a wave reports on, with their municipality."""

from __future__ import annotations

import re
from pathlib import Path

from samenspel.instrument.load import read_yaml
from samenspel.instrument.model import Area, AreaRegistry
from samenspel.instrument.problems import Level, Problem, ProblemsFound

AREA_KINDS = ("gebied", "wijk", "buurt")
AREA_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MUNICIPALITY_PATTERN = re.compile(r"^GM\d{4}$")


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
        areas.append(
            Area(
                area_id,
                str(node["name"]),
                municipality,
                str(municipalities.get(municipality, "")),
                str(node["kind"]),
                cbs["cbs_wijk"],
                cbs["cbs_buurt"],
            )
        )
    if problems:
        raise ProblemsFound(problems)
    return AreaRegistry(tuple(areas), str(path))
