"""The tree shows the data flow: no module imports from a later stage.

The order is instrument -> pipeline.ingest -> pipeline.score -> pipeline.psychometrics ->
pipeline.index -> reports -> the command line. ``pipeline.methodology`` holds the settings of
the psychometrics and the index, and takes the estimator names from the psychometric engine,
so it ranks with the psychometrics. ``pipeline.simulation`` stands beside the flow (it writes
exports and computes the true index with the index's own estimator); no stage imports it.
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
    ("samenspel.files", 0),
    ("samenspel.datasets", 0),
    (
        "samenspel.templating",
        0,
    ),  # the jinja set-up of every page  # public data sets for the examples
    ("samenspel.workbook", 0),  # the result tables as one XLSX workbook
    ("samenspel.paths", 0),
    ("samenspel.provenance", 0),
    ("samenspel.parallel", 0),
    ("samenspel.project", 0),  # one's own project: which files a command takes
    ("samenspel.pipeline.waves", 2),  # the order of the waves in time
    ("samenspel.instrument", 0),
    ("samenspel.pipeline.ingest", 1),
    ("samenspel.pipeline.score", 2),
    ("samenspel.pipeline.psychometrics", 3),
    ("samenspel.pipeline.methodology", 3),
    ("samenspel.pipeline.index", 4),
    ("samenspel.pipeline.simulation", 5),
    ("samenspel.reports", 6),
    ("samenspel.cli", 7),
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
    assert stage("samenspel.pipeline.index.estimate.hybridisation_index") == 4
    assert any(stage(i) > stage("samenspel.pipeline.ingest.exports") for i in imports(early))
