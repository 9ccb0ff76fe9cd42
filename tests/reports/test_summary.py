"""The management summary, sentence by sentence, on areas whose figures are worked out by hand:
one that changed clearly, one with a method break, one suppressed, one indicative that
declined, one not measured; and what helps, on the three o's of an area."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from samenspel.reports.i18n import translator
from samenspel.reports.levers import LEVERS, holding_back
from samenspel.reports.summary import MAX_NAMED, Monitor, management_summary, named

NAMES = {"UNF": "Unfamiliarity", "DIS": "Disagreement", "IND": "Indeterminacy"}
NAN = math.nan
COLUMNS = (
    "label", "status", "band", "index_professional", "index_informal", "gap", "gap_ci_low",
    "gap_ci_high", "change", "change_verdict",
)  # fmt: skip


def areas(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


# A rose 7.0 (beyond 5 and significant); B's measurement changed; C had too few people; D is
# indicative and fell 6.5; E was not measured. A's sides differ (interval 4..20 excludes 0);
# D's gap interval -10..4 holds 0, so A is where the sides differ most.
AREAS = areas(
    ("A", "published", "hybridisation", 60.0, 48.0, 12.0, 4.0, 20.0, 7.0, "increase"),
    ("B", "published", "rapprochement", 50.0, 46.0, 4.0, -2.0, 10.0, -2.0, "method break"),
    ("C", "suppressed", None, NAN, NAN, NAN, NAN, NAN, NAN, "suppressed"),
    ("D", "indicative", "co-existence", 30.0, 33.0, -3.0, -10.0, 4.0, -6.5, "decrease"),
    ("E", None, None, NAN, NAN, NAN, NAN, NAN, NAN, None),
)
# the lowest of the three o's: A unfamiliarity (40), B disagreement (45), D unfamiliarity (30);
# C has no figures and does not count
THREE_OS = pd.DataFrame(
    {"label": ["A", "B", "C", "D"], "UNF": [40.0, 55.0, NAN, 30.0],
     "DIS": [50.0, 45.0, NAN, 35.0], "IND": [60.0, 70.0, NAN, 50.0]}
)  # fmt: skip
MONITOR = Monitor("Noord", 51.0, 49.7, 12, differs_from_municipality=["A"], differs_from_all=[])


def summary(language="en", **overrides):
    settings = {"wave": "2026", "previous": "2025", "meaningful": 5.0, "monitor": MONITOR}
    return management_summary(
        overrides.pop("areas", AREAS), overrides.pop("three_os", THREE_OS),
        translator(language), overrides.pop("names", NAMES), **(settings | overrides),
    )  # fmt: skip


def test_every_sentence_of_a_municipality_in_a_larger_monitor():
    assert summary() == [
        "Measured in wave 2026: 3 areas. By band: hybridisation 1, rapprochement 1, "
        "co-existence 1.",
        "Indicative figures, because few people took part: D.",
        "Too few participants to show figures: C.",
        "Not measured in wave 2026: E.",
        "Clearly improved since wave 2025: A (+7.0).",
        "Clearly declined since wave 2025: D (-6.5).",
        "Clearly means: at least 5 points, and not explained by chance.",
        "Change cannot be judged, because the measurement itself changed (method break): B.",
        "Professionals score higher than informal actors in 2 of the 3 areas and lower in 1; "
        "clearly higher (not explained by chance) in 1, clearly lower in 0.",
        "The two sides differ most in A: professionals score 60.0 there, informal actors "
        "48.0. That gap is not explained by chance.",
        "Of the three o's, unfamiliarity holds most areas back: in 2 of the 3 areas it is the "
        "lowest, or less than 5 points above the lowest.",
        "The median of the areas of Noord is 51.0; that of all 12 areas in the monitor is 49.7.",
        "Different from the rest of Noord on at least one component, beyond chance: A.",
        "No area of Noord differs from all areas in the monitor beyond chance.",
    ]


def test_the_same_in_dutch():
    dutch = {"UNF": "Onbekendheid", "DIS": "Onenigheid", "IND": "Onbestemdheid"}
    said = summary("nl", monitor=None, names=dutch)
    assert said[0] == (
        "In meting 2026 zijn 3 wijken gemeten. Per fase: hybridisering 1, toenadering 1, "
        "co-existentie 1."
    )
    # figures in Dutch notation
    assert "Duidelijk vooruitgegaan sinds meting 2025: A (+7,0)." in said
    assert "Duidelijk achteruitgegaan sinds meting 2025: D (-6,5)." in said
    assert any("professionals scoren daar 60,0, informele partijen 48,0" in s for s in said)
    assert (
        "Verandering niet te beoordelen, omdat de meting zelf is veranderd (methodebreuk): B."
    ) in said
    assert said[-1] == (
        "Van de drie o's houdt onbekendheid de meeste wijken tegen: in 2 van de 3 wijken is "
        "dat de laagste, of minder dan 5 punten boven de laagste."
    )


def test_the_first_wave_says_change_cannot_be_shown_yet():
    said = summary(previous=None, monitor=None)
    assert "This is the first wave, so whether areas move up or down cannot be shown yet." in said
    assert not [s for s in said if s.startswith(("Clearly", "Change cannot"))]


def test_no_clear_change_and_no_clear_gap():
    calm = AREAS.assign(
        change_verdict=["no clear change", "small change", "suppressed", "no clear change", None],
        gap_ci_low=-1.0, gap_ci_high=1.0,
    )  # fmt: skip
    said = summary(areas=calm, monitor=None)
    assert "No area has clearly improved or declined since wave 2025." in said
    assert "In no area is the gap between the two sides larger than chance can explain." in said
    assert not [s for s in said if "method break" in s]


def test_the_largest_clear_gap_wins_whatever_its_sign():
    # D's gap of -15 (interval -25..-5) is larger than A's +12
    wider = AREAS.assign(
        gap=[12.0, 4.0, NAN, -15.0, NAN], gap_ci_low=[4.0, -2.0, NAN, -25.0, NAN],
        gap_ci_high=[20.0, 10.0, NAN, -5.0, NAN],
    )  # fmt: skip
    assert any(s.startswith("The two sides differ most in D: professionals score 30.0") for s in
               summary(areas=wider))  # fmt: skip


def test_three_os_tied():
    tied = THREE_OS.assign(UNF=[40.0, 55.0, NAN, 60.0], DIS=[50.0, 45.0, NAN, 65.0],
                           IND=[60.0, 70.0, NAN, 20.0])  # fmt: skip
    assert summary(three_os=tied, monitor=None)[-1] == (
        "Of the three o's, unfamiliarity, disagreement and indeterminacy hold areas back "
        "equally often: in 1 of the 3 areas each is the lowest, or less than 5 points above the "
        "lowest."
    )


def test_three_os_within_the_meaningful_change_are_tied_as_on_the_area_pages():
    # X: disagreement is 3 points above unfamiliarity, so both hold X back (as X's page says);
    # Y: disagreement alone. The lowest alone would tie them, 1 each.
    close = pd.DataFrame({"label": ["A", "D"], "UNF": [40.0, 50.0], "DIS": [43.0, 44.0],
                          "IND": [60.0, 60.0], "COL": [30.0, 70.0]})  # fmt: skip
    two = AREAS[AREAS["label"].isin(["A", "D"])]
    said = summary(areas=two, three_os=close, monitor=None, names=NAMES | {"COL": "Practice"})
    assert said[-2:] == [
        "Of the three o's, disagreement holds most areas back: in 2 of the 2 areas it is the "
        "lowest, or less than 5 points above the lowest.",
        "Lower still than the three o's is practice, in 1 of the 2 areas: A.",
    ]


def test_named_lists_at_most_a_few_names():
    t = translator("en")
    assert named(["A"], t) == "A"
    assert named(["A", "B"], t) == "A and B"
    labels = [f"W{k}" for k in range(MAX_NAMED + 3)]
    assert named(labels, t) == "W0, W1, W2, W3, W4 and 3 more"


def test_holding_back_is_the_lowest_and_whatever_is_close_to_it():
    assert holding_back({"UNF": 40.0, "DIS": 50.0, "IND": 60.0}, close=5) == ["UNF"]
    assert holding_back({"UNF": 44.0, "DIS": 40.0, "IND": 60.0}, close=5) == ["DIS", "UNF"]
    assert holding_back({"UNF": 45.0, "DIS": 40.0, "IND": NAN}, close=5) == ["DIS"]
    assert holding_back({"UNF": NAN}, close=5) == []


@pytest.mark.parametrize("o", ["UNF", "DIS", "IND"])
def test_every_o_has_levers_in_both_languages(o):
    nl, en = LEVERS[o]["nl"], LEVERS[o]["en"]
    assert len(nl) == len(en) >= 1
    assert all(text.endswith((".", "?")) for text in (*nl, *en))
