"""Every test runs inside a project whose files are the built-in demo questionnaire, area
registry and methodology (``$SAMENSPEL_PROJECT``), as a user's project made from the demo
would: commands given no --instrument, --areas or --methodology take these. Tests of what
happens outside any project remove the variable (``outside_any_project``)."""

from __future__ import annotations

import os

import pytest

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT, DEFAULT_METHODOLOGY
from samenspel.project import PROJECT_ENV, PROJECT_FILE


@pytest.fixture(scope="session", autouse=True)
def demo_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-project")
    (folder / PROJECT_FILE).write_text(
        '[project]\nname = "demo for the tests"\n\n[files]\n'
        f'questionnaire = "{DEFAULT_INSTRUMENT}"\nareas = "{DEFAULT_AREAS}"\n'
        f'methodology = "{DEFAULT_METHODOLOGY}"\n',
        encoding="utf-8",
    )
    before = os.environ.get(PROJECT_ENV)
    os.environ[PROJECT_ENV] = str(folder)
    yield folder
    if before is None:
        del os.environ[PROJECT_ENV]
    else:
        os.environ[PROJECT_ENV] = before


@pytest.fixture
def outside_any_project(monkeypatch, tmp_path):
    """No project: no variable, and a working folder with no project file above it."""
    monkeypatch.delenv(PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path
