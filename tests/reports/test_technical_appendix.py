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


def _design_row(area: str, side: str, weighting: str, low: float, high: float, kish: float,
                shift: float) -> dict:  # fmt: skip
    return {
        "area": area, "wave": "2026", "side": side, "n": 20, "units": 3, "individuals": 1,
        "weighting": weighting, "weight_min": low, "weight_max": high, "n_kish": kish,
        "weighting_shift": shift, "interval": "units",
    }  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
def test_weights_per_area_and_side(tables, language):
    design = pd.DataFrame(
        [
            _design_row("a1", "professional", "members", 1.0, 2.5, 17.25, -1.26),
            _design_row("a1", "informal", "equal: members missing", 1, 1, 20, 0.0),
            _design_row("a2", "professional", "equal: no unit codes", 1, 1, 20, 0.0),
        ]
    )
    index = pd.DataFrame(
        {"area": ["a1", "a2"], "wave": "2026", "area_name": ["Oost", "West"],
         "municipality": "Alkmaar"}
    )  # fmt: skip
    data = render.ReportInput({**tables, "design": design, "index": index}, META, None, None, "")
    html = render.render_page(
        render._environment(), "technical.html.j2", "technical.html",
        render.page_common(language, META), page="technical", **render._technical(data, language),
    )  # fmt: skip
    table = re.search(r'<table id="weights">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    assert len(rows) == 1 and "Oost" in rows[0]
    comma = "," if language == "nl" else "."
    assert f"1{comma}00–2{comma}50" in rows[0] and f"17{comma}2" in rows[0]
    assert f"-1{comma}3" in rows[0] or f"−1{comma}3" in rows[0]
    equal = {"nl": ("zonder aantal leden", "geen teamcodes"), "en": ("without members", "no unit")}
    assert all(re.search(rf"{phrase}[^<]*: 1</p>", html) for phrase in equal[language])


def test_no_weights_said_so(tables):
    design = pd.DataFrame([_design_row("a1", "informal", "equal: no unit codes", 1, 1, 20, 0)])
    index = pd.DataFrame(
        {"area": ["a1"], "wave": "2026", "area_name": ["Oost"], "municipality": "X"}
    )
    data = render.ReportInput({**tables, "design": design, "index": index}, META, None, None, "")
    html = render.render_page(
        render._environment(), "technical.html.j2", "technical.html",
        render.page_common("en", META), page="technical", **render._technical(data, "en"),
    )  # fmt: skip
    assert '<table id="weights">' not in html
    assert "No side is weighted" in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_lead_says_when_a_run_used_complete_respondents_only(tables, language):
    """`analyse --missing listwise` is recorded in metadata.json; the lead says it."""
    lead = re.compile(r'<p class="lead">(.*?)</p>', re.S)
    said = {"nl": "(listwise)", "en": "(listwise)"}[language]
    assert said not in lead.search(_page(tables, language)).group(1)
    data = render.ReportInput(tables, {**META, "psychometrics_missing": "listwise"}, None, None, "")
    html = render.render_page(
        render._environment(), "technical.html.j2", "technical.html",
        render.page_common(language, META), page="technical", **render._technical(data, language),
    )  # fmt: skip
    assert said in lead.search(html).group(1)
