"""fieldwork.html (`samenspel progress --out`): opens in chromium without errors in both
languages, escapes what it shows, and suppresses small sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samenspel.pipeline.index.progress import side_summary
from samenspel.reports.fieldwork import fieldwork_page

HOSTILE = "<script>alert('x')</script> & Co"


def progress_table() -> pd.DataFrame:
    rows = [
        # attention, area, side, unit, name, accepted, target, members, status, hw side, hw
        ("unit not reached", "a1", "professional",
         "code-t2", "Team B", 0, 5, 10, "indicative", 9.1, np.nan),
        ("side behind target", "a1", "professional",
         "code-t1", HOSTILE, 6, 8, 12, "indicative", 9.1, np.nan),
        ("", "a1", "informal", "code-o1", "Buurthuis", 3, 3, 20, "suppressed", np.nan, np.nan),
        ("", "a1", "informal", "individual", "", 1, np.nan, np.nan, "suppressed", np.nan, np.nan),
        ("", "a2", "professional", "code-t3", "Team C", 12, 10, 15, "published", 6.2, 4.8),
        ("", "a2", "informal", "code-o2", "Vrijwilligers", 11, 10, 30, "published", 5.9, 4.8),
    ]  # fmt: skip
    table = pd.DataFrame(
        rows,
        columns=[
            "attention", "area", "side", "unit", "unit_name", "accepted", "target", "members",
            "side_status", "half_width_side", "half_width_index",
        ],
    )  # fmt: skip
    table["area_name"] = table["area"].map({"a1": "Noord", "a2": "Zuid"})
    table["municipality"] = "Ergens"
    table["wave"] = "2026"
    table["response_rate"] = table["accepted"] / table["members"]
    table["of_target"] = table["accepted"] / table["target"]
    sides = table.groupby(["area", "side"])
    table["side_accepted"] = sides["accepted"].transform("sum")
    table["side_target"] = sides["target"].transform(lambda t: t.sum(min_count=1))
    return table


def visit(browser, path):
    page = browser.new_page()
    problems = {"console": [], "errors": [], "dialogs": [], "failed": []}
    page.on("console", lambda m: problems["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["errors"].append(str(e)))
    page.on("dialog", lambda d: (problems["dialogs"].append(d.message), d.dismiss()))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


@pytest.mark.parametrize(
    ("language", "title", "suppressed"),
    [
        ("nl", "Voortgang veldwerk, meting 2026", "te weinig antwoorden (minder dan 5)"),
        ("en", "Fieldwork progress, wave 2026", "too few responses (fewer than 5)"),
    ],
)
def test_the_page_opens_cleanly_in_both_languages(browser, tmp_path, language, title, suppressed):
    table = progress_table()
    html = fieldwork_page(
        table, side_summary(table), language, "2026", "2026-04-01", 10, 5, has_plan=True,
        simulated=True,
    )  # fmt: skip
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "code-" not in html  # unit names, never their codes
    path = tmp_path / "fieldwork.html"
    path.write_text(html, encoding="utf-8")
    page, problems = visit(browser, path)
    assert problems == {"console": [], "errors": [], "dialogs": [], "failed": []}
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("h1").inner_text() == title
    body = page.inner_text("body")
    assert HOSTILE in body  # shown as text, not run
    assert suppressed in body
    assert page.locator("script").count() == 0
    sides = page.locator("table").nth(0).locator("tbody tr")
    assert sides.count() == 4
    # Noord's professionals are behind (6 of 13) and marked; Zuid's are not.
    assert sides.nth(0).get_attribute("class") == "behind"
    assert page.locator("tr.behind").count() == 1
    assert "4.8" in sides.nth(2).inner_text() and "6.2" in sides.nth(2).inner_text()
