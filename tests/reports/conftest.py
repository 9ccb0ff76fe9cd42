"""What the report tests share: one headless chromium (Debian's) for every browser test, and
one report written by the command line for the tests of its notation, language and tags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_fixtures import analysed

from samenspel.cli import main

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make system-deps` (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def written_report(tmp_path_factory) -> tuple[Path, Path]:
    """(site, results): `samenspel analyse` on two simulated waves of the demo's areas (with
    the psychometrics and data-quality tables), then `samenspel report` in both languages
    with the PDFs of Hoorn (GM0405) and the overview."""
    folder = tmp_path_factory.mktemp("written")
    results = analysed(folder, per_side=40, seed=21)
    site = folder / "site"
    assert main(["report", "--results", str(results), "--out", str(site), "--pdf", "GM0405"]) == 0
    return site, results
