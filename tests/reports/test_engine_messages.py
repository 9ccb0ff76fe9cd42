"""The notes, verdicts and problems the index and psychometrics engines write in English
reach a Dutch page in Dutch (reports/i18n.py, PIPELINE_MESSAGES_NL), and an English page as
written.

The messages are the engines' own: the psychometric ones raised by the engines on data made
to fail, the comparisons' notes as pipeline/index/compare.py writes them (their figures
filled in). A Dutch site made from results that carry all of them holds none.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_language import ENGLISH

from samenspel.cli import read_results
from samenspel.common.paths import DEFAULT_INSTRUMENT, DEFAULT_METHODOLOGY
from samenspel.instrument import load_instrument
from samenspel.pipeline.measurement import _problem
from samenspel.pipeline.methodology import load_methodology
from samenspel.pipeline.psychometrics import ordinal
from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.reliability import scale_reliability
from samenspel.pipeline.psychometrics.tables import _METHOD
from samenspel.reports.render import ReportInput, build_site, pipeline_message

# pipeline/index/compare.py's notes, as it writes them for a methodology whose indicative
# minimum is 10 and whose Games-Howell limit is 40 areas
INDEX_NOTES = [
    "not computed: too few respondents on a side",
    "not computed: every respondent of both sides has the same value",
    "3 area(s) under 10 left out; 1 area(s) where everyone gave the same value left out",
    "not computed: fewer than 2 areas with enough respondents and spread",
    "2 area(s) under 10 or without spread left out",
    "not computed: 45 areas in GM0363, more than 40 (pairs grow with the square of the areas)",
    "not computed: 45 areas in the municipality, more than 40 (pairs grow with the square of "
    "the areas); 2 area(s) under 10 or without spread left out",
    "not computed: the only area of its municipality with enough respondents",
    "not computed: no other area with enough respondents",
    "not computed: fewer than 10 respondents",
    "not computed: no spread in the area or in the rest",
    "2 area(s) with a side under 10; areas without spread on both sides left out",
    "not computed: fewer than 2 areas with both sides and spread",
    "not compared: scalar invariance between the sides has not been tested",
    "not compared: scalar invariance between the sides does not hold",
]


def engine_problems() -> list[str]:
    """Problems the psychometric engines report on data they cannot analyse, each as the
    pipeline's problems table holds it (pipeline/measurement/__init__.py)."""
    rng = np.random.default_rng(1)
    factor = rng.normal(size=60)
    data = pd.DataFrame({f"x{k}": np.clip(np.round(3 + factor + rng.normal(size=60)), 1, 5)
                         for k in range(1, 5)})  # fmt: skip
    model = {"F": ["x1", "x2", "x3", "x4"]}
    found = []
    for frame, options in (
        (data.assign(g=["a"] * 59 + ["b"]), {"group": "g"}),  # one respondent in a group
        (data.assign(x3=3.0), {}),  # an item everyone answered alike
    ):
        with pytest.raises(PsychometricsError) as raised:
            fit_cfa(frame, model, estimator="WLSMV", **options)
        found.append(_problem(raised.value))
    with pytest.raises(PsychometricsError) as raised:
        scale_reliability(data.assign(x3=3.0), model, 1, 5)
    found.append(_problem(raised.value))
    near_duplicates = np.array([[1, 0.99, 0.2], [0.99, 1, 0.99], [0.2, 0.99, 1]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ordinal.warn_not_positive_definite(
            [
                SimpleNamespace(correlations=np.eye(3)),
                SimpleNamespace(correlations=near_duplicates),
            ],
            ["professional", "informal"],
        )
    (warning,) = caught
    found.append(_problem(warning.message) + "; this wave was analysed with MLR (continuous) "
                 "instead")  # fmt: skip
    return found


def english_words(text: str) -> list[str]:
    words = [w for w in re.findall(r"[\w.']+", text) if not re.search(r"[_.\d']", w)]
    return [w for w in words if w.lower() in ENGLISH]


@pytest.fixture(scope="module")
def messages() -> list[str]:
    return [*INDEX_NOTES, *engine_problems(), *_METHOD.values()]


def test_every_engine_message_has_dutch_wording(messages):
    assert len(messages) > 20
    for message in messages:
        dutch = pipeline_message(message, "nl")
        for part in message.split("; "):
            assert part not in dutch, part
        assert english_words(dutch) == [], (message, dutch)
        assert pipeline_message(message, "en") == message


@pytest.fixture(scope="module")
def sites(written_report, messages) -> dict[str, dict[str, str]]:
    """The sites of conftest's written report with the messages in the tables they come
    in: comparisons' notes, the psychometric problems, the checks' estimators."""
    _, results = written_report
    tables, metadata = read_results(results)
    tables = dict(tables)
    comparisons = tables["comparisons"].copy()
    comparisons["note"] = [INDEX_NOTES[k % len(INDEX_NOTES)] for k in range(len(comparisons))]
    tables["comparisons"] = comparisons
    problems = [m for m in messages if m not in INDEX_NOTES and m not in _METHOD.values()]
    tables["psychometrics_problems"] = pd.DataFrame({"wave": "2026", "problem": problems})
    data = ReportInput(
        tables, metadata, load_instrument(DEFAULT_INSTRUMENT), load_methodology(),
        DEFAULT_METHODOLOGY.read_text(encoding="utf-8"),
    )  # fmt: skip
    return {language: build_site(replace(data), language) for language in ("nl", "en")}


def test_a_dutch_site_holds_none_of_the_engines_english_messages(sites, messages):
    english = "\n".join(sites["en"].values())
    # less what a Dutch page marks as English on purpose: the methodology file as it is,
    # the English citations, the link to the English site
    quoted = re.compile(r'<(pre|li|a)\b[^>]*lang="en"[^>]*>.*?</\1>', re.S)
    dutch = quoted.sub("", "\n".join(sites["nl"].values()))
    shown = [m for m in messages if m.split("; ")[0] in english.replace("&#39;", "'")]
    assert len(shown) >= len(messages) - 3  # the English site shows (almost) all of them
    for message in shown:
        for part in message.split("; "):
            assert part not in dutch.replace("&#39;", "'"), part
    assert 'lang="en"' not in dutch  # no problem is left untranslated
