"""The technical appendix names the estimator beside every figure and compares treatments."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from samenspel.pipeline.psychometrics.tables import psychometric_tables
from samenspel.reports import render

LIKERT = Path(__file__).parents[1] / "fixtures" / "datasets" / "likert.csv"
LIKERT_MODEL = {
    "TRU": ["tru1", "tru2", "tru3", "-tru4", "tru5"],
    "UNF": ["unf1", "unf2", "-unf3", "unf4", "unf5"],
    "DIS": ["dis1", "dis2", "dis3", "dis4", "dis5"],
}

META = {"simulated": True, "publish_min": 10, "indicative_min": 5, "instrument_version": "1",
        "instrument_hash": "0" * 12, "methodology_version": "2026.1"}  # fmt: skip


@pytest.fixture(scope="module")
def tables():
    result = psychometric_tables(
        pd.read_csv(LIKERT), LIKERT_MODEL, 1, 5, group="side", cluster="area",
        estimator="WLSMV", compare_estimator="MLR", standard_errors=False,
    )  # fmt: skip
    out = {}
    for name, table in result.items():
        table = table.copy()
        if name in ("invariance", "partial_invariance"):
            table.insert(0, "comparison", "sides")
        if name != "criteria":
            table.insert(0, "wave", "2026")
        out["psychometrics_" + name] = table
    return out


def _page(tables, language: str) -> str:
    data = render.ReportInput(tables, META, None, None, "")
    context = render._technical(data, language)
    common = render.page_common(language, META)
    return render.render_page(
        render._environment(), "technical.html.j2", "technical.html", common, page="technical",
        **context,
    )  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
def test_estimator_beside_every_figure(tables, language):
    html = _page(tables, language)
    assert "WLSMV" in re.search(r'<p class="lead">(.*?)</p>', html, re.S).group(1)
    checks = re.search(r'<table id="checks">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><td>2026</td>(.*?)</tr>", checks, re.S)
    named = r"WLSMV|Pearson|polychori|ML \(|ANOVA"  # the estimators in either language
    assert rows and all(re.search(named, r) for r in rows)
    assert "cfi.scaled" in checks


@pytest.mark.parametrize("language", ["nl", "en"])
def test_ordinal_against_continuous_table(tables, language):
    html = _page(tables, language)
    table = re.search(r'<table id="estimators">(.*?)</table>', html, re.S).group(1)
    for measure in ("cfi", "tli", "rmsea", "srmr"):
        assert f'<th scope="row" translate="no">{measure}</th>' in table
    assert "(WLSMV)" in table and "(MLR)" in table
