"""The technical appendix names an item that works differently by language or mode, says
which comparisons it affects, and says why a comparison was not made: each sentence from its
row of psychometrics_invariance_language_mode."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from samenspel.pipeline.measurement.language_mode import LANGUAGE_MODE_COLUMNS
from samenspel.reports import render

META = {"simulated": True, "publish_min": 10, "indicative_min": 5, "instrument_version": "1",
        "instrument_hash": "0" * 12, "methodology_version": "2026.1"}  # fmt: skip
BASE = dict.fromkeys(LANGUAGE_MODE_COLUMNS, "")
ROWS = [
    {**BASE, "wave": "2026", "comparison": "mode", "construct": "TRU", "tested": True,
     "groups": "interviewer 370; online 197; paper 137", "min_group": 100, "estimator": "ML",
     "highest_level": "scalar", "non_invariant_items": "tru3", "released": "tru3~1"},
    {**BASE, "wave": "2026", "comparison": "language", "construct": "DIS", "tested": True,
     "groups": "nl 562; en 142", "min_group": 100, "estimator": "ML",
     "highest_level": "scalar"},
    {**BASE, "wave": "2026", "comparison": "language", "construct": "TRU", "tested": False,
     "groups": "nl 231", "left_out": "en 23", "min_group": 100,
     "note": "not tested: fewer than two language groups with at least 100 respondents "
     "(found: nl 231; en 23)"},
]  # fmt: skip
EXPECTED = {
    "en": [
        "tru3 works differently by mode (read out by an interviewer 370, self-completed online "
        "197, self-completed on paper 137). This affects every comparison of TRU between "
        "areas, between the sides and between waves whose mix of modes differs",
        "Invariance by language holds up to scalar (Dutch 562, English 142)",
        "Not tested by language: fewer than two groups with at least 100 respondents (Dutch "
        "231, English 23).",
    ],
    "nl": [
        "tru3 werkt anders naar afnamewijze (voorgelezen door een interviewer 370, zelf "
        "ingevuld online 197, zelf ingevuld op papier 137). Dit raakt elke vergelijking van "
        "TRU tussen wijken, tussen de kanten en tussen metingen waarvan de mix van "
        "afnamewijzen verschilt",
        "Invariantie naar taal houdt stand tot en met scalair (Nederlands 562, Engels 142)",
        "Niet getoetst naar taal: minder dan twee groepen met minstens 100 respondenten "
        "(Nederlands 231, Engels 23).",
    ],
}


def _page(tables, language: str) -> str:
    data = render.ReportInput(tables, META, None, None, "")
    common = render.page_common(language, META)
    return render.render_page(
        render._environment(), "technical.html.j2", "technical.html", common, page="technical",
        **render._technical(data, language),
    )  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
def test_items_named_and_the_comparisons_they_affect(language):
    tables = {
        "psychometrics_checks": pd.DataFrame(columns=["check", "estimator"]),
        "psychometrics_invariance_language_mode": pd.DataFrame(ROWS),
    }
    html = _page(tables, language)
    table = re.search(r'<table id="language-mode">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr.*?</tr>", table, re.S)[1:]
    assert len(rows) == len(ROWS)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in rows]
    for sentence, row in zip(EXPECTED[language], text, strict=True):
        assert sentence in row
    assert 'class="fails"' in rows[0] and 'class="fails"' not in "".join(rows[1:])


def test_no_section_without_its_table():
    html = _page({"psychometrics_checks": pd.DataFrame(columns=["check", "estimator"])}, "en")
    assert 'id="language-mode"' not in html
