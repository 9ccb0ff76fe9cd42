"""The documentation stands on its own: every relative link resolves, every problem code and
reject reason is explained, and nothing points outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from samenspel.common.problems import CATALOGUE
from samenspel.pipeline.ingest.exports import REJECT_REASONS

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: link to {target} does not resolve"
        if anchor and resolved.suffix == ".md":
            headings = {
                re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", resolved.read_text(encoding="utf-8"), re.M)
            }
            assert anchor in headings, f"{page.name}: no heading #{anchor} in {path}"


def test_every_problem_code_and_reject_reason_is_explained():
    text = (ROOT / "docs" / "own-data.md").read_text(encoding="utf-8")
    for code in [*CATALOGUE, *REJECT_REASONS]:
        assert f"`{code}`" in text, f"{code} is not explained in docs/own-data.md"


def test_nothing_points_outside_the_repository():
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".py", ".md", ".yaml", ".j2", ".R", ".toml") or name == "Makefile":
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert "DESIGN" + ".md" not in text, name
            assert "../" + "shared" not in text, name


def test_the_lock_file_pins_every_dependency_with_hashes():
    import tomllib

    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {
        re.sub(r"[-_.]+", "-", m.group(1).lower())
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==\S+", lock, re.M)
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    for requirement in wanted:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower())
        assert name in pinned, f"{name} is not in requirements.lock; run `make lock`"
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.strip()):
        if not block.startswith("#"):
            assert "--hash=sha256:" in block, block.splitlines()[0]


EXAMPLE = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_run(page, capsys):
    """Every Python example of the documentation runs as written, on the data sets that
    ship with samenspel, and prints what it promises."""
    for code in EXAMPLE.findall(page.read_text(encoding="utf-8")):
        exec(compile(code, f"{page.name} example", "exec"), {})
        assert capsys.readouterr().out.strip(), f"{page.name}: an example printed nothing"


def test_datasets_module_example():
    import doctest

    import samenspel.datasets

    assert doctest.testmod(samenspel.datasets).failed == 0
