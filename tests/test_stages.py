"""The tree shows the data flow: no module imports from a later stage, no folder from a
later folder.

The order is common (files, processes, provenance, paths, templates) and instrument ->
pipeline.ingest -> pipeline.score -> pipeline.psychometrics (a library of its own) ->
pipeline.methodology and pipeline.measurement (the settings, and the psychometrics applied
to the questionnaire with them) -> pipeline.index -> reports -> the application (the command
line, one's own project, the results workbook). ``pipeline.simulation`` stands beside the
flow (it writes exports and computes the true index with the index's own estimator); no
stage imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FOLDERS = {"samenspel": "samenspel", "instrument": "samenspel.instrument"}
FOLDERS |= {"pipeline": "samenspel.pipeline", "reports": "samenspel.reports"}

# (prefix, rank): the longest matching prefix gives a module's stage
STAGES = [
    ("samenspel.common", 0),  # files, worker processes, provenance, paths, page templates
    ("samenspel.datasets", 0),  # public data sets for the examples
    ("samenspel.instrument", 0),
    ("samenspel.pipeline.ingest", 1),
    ("samenspel.pipeline.waves", 2),  # the order of the waves in time
    ("samenspel.pipeline.score", 2),
    ("samenspel.pipeline.psychometrics", 3),  # a library: see test_psychometrics_is_a_library
    ("samenspel.pipeline.methodology", 4),  # the settings of the psychometrics and the index
    ("samenspel.pipeline.measurement", 4),  # the psychometrics applied to the questionnaire
    ("samenspel.pipeline.index", 5),
    ("samenspel.pipeline.simulation", 6),
    ("samenspel.reports", 7),
    # the application: the command line, one's own project, the results as a workbook
    ("samenspel.cli", 8),
    ("samenspel.project", 8),
    ("samenspel.workbook", 8),
]
BESIDE_THE_FLOW = "samenspel.pipeline.simulation"
PACKAGES_WITHOUT_CODE = ("samenspel", "samenspel.pipeline")  # docstrings only


def stage(module: str) -> int | None:
    if module in PACKAGES_WITHOUT_CODE:
        return 0
    matches = [(len(p), rank) for p, rank in STAGES if module == p or module.startswith(p + ".")]
    return max(matches)[1] if matches else None


def modules():
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            yield name, path


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("samenspel.")}


MODULES = dict(modules())


def test_every_module_has_a_stage():
    assert len(MODULES) > 40
    for name in PACKAGES_WITHOUT_CODE:
        assert imports(MODULES[name]) == set()
    assert [name for name in MODULES if stage(name) is None] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_from_a_later_stage(name):
    later = [
        imported
        for imported in imports(MODULES[name])
        if stage(imported) is not None and stage(imported) > stage(name)
    ]
    assert later == [], f"{name} (stage {stage(name)}) imports from a later stage: {later}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_stage_imports_the_simulator(name):
    if name.startswith(BESIDE_THE_FLOW) or name == "samenspel.cli":
        return
    assert not [i for i in imports(MODULES[name]) if i.startswith(BESIDE_THE_FLOW)]


def test_the_rule_catches_a_later_import(tmp_path):
    early = tmp_path / "early.py"
    early.write_text("from samenspel.pipeline.index.estimate import hybridisation_index\n")
    assert stage("samenspel.pipeline.index.estimate.hybridisation_index") == 5
    assert any(stage(i) > stage("samenspel.pipeline.ingest.exports") for i in imports(early))


def folder(module: str) -> str:
    """The folder a module lives in, as a package name (a package is its own folder)."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def imported_modules(path: Path) -> set[str]:
    """The modules of samenspel a file imports (a name imported from a module: the module)."""
    found = set()
    for name in imports(path):
        if name in MODULES:
            found.add(name)
        elif name.rpartition(".")[0] in MODULES:
            found.add(name.rpartition(".")[0])
    return found


def test_no_two_folders_import_each_other():
    """Folders as a whole follow the flow too: no folder imports from a folder that imports
    from it (no cycle between folders)."""
    edges = {
        (folder(name), folder(imported))
        for name, path in MODULES.items()
        for imported in imported_modules(path)
    }
    cycles = sorted((a, b) for a, b in edges if a < b and (b, a) in edges)
    assert cycles == [], f"folders that import each other: {cycles}"


def test_psychometrics_is_a_library():
    """pipeline.psychometrics works on any data frame and factor model: it imports nothing
    of samenspel outside itself (not the questionnaire, the methodology or the application)."""
    inside = "samenspel.pipeline.psychometrics"
    outside = {
        name: sorted(i for i in imports(path) if not i.startswith(inside))
        for name, path in MODULES.items()
        if name.startswith(inside)
    }
    assert {name: found for name, found in outside.items() if found} == {}
