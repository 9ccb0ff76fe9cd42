"""The methodology file is checked like the questionnaire: every problem at once, each with
its YAML path, what is wrong and how to fix it; never a traceback."""

from __future__ import annotations

import copy

import pytest
import yaml

from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.common.problems import ProblemsFound
from samenspel.instrument import load_instrument
from samenspel.pipeline.methodology import (
    DEFAULT_METHODOLOGY,
    check_against_instrument,
    load_methodology,
)

REAL = yaml.safe_load(DEFAULT_METHODOLOGY.read_text(encoding="utf-8"))
ABSENT = object()  # the field is deleted


def variant(tmp_path, changes: dict) -> object:
    """The real file with fields replaced (dotted paths; list positions as numbers)."""
    settings = copy.deepcopy(REAL)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = settings
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        key = int(last) if isinstance(node, list) else last
        if value is ABSENT:
            del node[key]
        else:
            node[key] = value
    path = tmp_path / "methodology.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path) -> dict[str, str]:
    """YAML path -> problem code of every problem found."""
    with pytest.raises(ProblemsFound) as caught:
        load_methodology(path)
    found = {}
    for problem in caught.value.problems:
        where = problem.where.removeprefix(f"{path}: ")
        assert where != problem.where, problem  # every problem names the file
        assert problem.message and problem.hint, problem
        found[where] = problem.code
    return found


def test_the_real_file_loads():
    method = load_methodology()
    assert [band.band for band in method.bands] == [
        "co-existence",
        "rapprochement",
        "hybridisation",
    ]
    assert method.replicates == 1000 and method.sensitivity["draws"] == 500


# The findings of issue 11, one each: all used to load (or end in a traceback).
@pytest.mark.parametrize(
    ("changes", "where", "code"),
    [
        (
            {"pillar_weights": {"attitudes": 0, "three_os": 0, "practice": 0}},
            "pillar_weights",
            "invalid-value",
        ),
        ({"bands.2.from": 160}, "bands[2].from", "invalid-value"),
        ({"bands.0.from": -40}, "bands[0].from", "invalid-value"),
        (
            {"components.COL.caps.col_contacts": -24},
            "components.COL.caps.col_contacts",
            "invalid-value",
        ),
        (
            {"sensitivity.min_share_answered": [0.5, "half"]},
            "sensitivity.min_share_answered[1]",
            "wrong-type",
        ),
        ({"components.IGF.max_gap": 0}, "components.IGF.max_gap", "invalid-value"),
        ({"uncertainty.replicates": 10**12}, "uncertainty.replicates", "invalid-value"),
    ],
)
def test_findings_are_problems_with_their_place(tmp_path, changes, where, code):
    assert problems_of(variant(tmp_path, changes)) == {where: code}


def test_games_howell_maximum_is_read_and_has_a_default(tmp_path):
    assert load_methodology().games_howell_max_areas == 30
    changed = variant(tmp_path, {"comparisons.games_howell_max_areas": 12})
    assert load_methodology(changed).games_howell_max_areas == 12
    assert load_methodology(variant(tmp_path, {"comparisons": None})).games_howell_max_areas == 30


def test_an_empty_change_section_takes_the_defaults(tmp_path):
    method = load_methodology(variant(tmp_path, {"change": None}))
    assert (method.change_p_value, method.false_discovery_rate, method.meaningful_change) == (
        "bootstrap_se",
        0.05,
        5.0,
    )


def test_an_empty_psychometric_sample_means_everyone(tmp_path):
    assert load_methodology().psychometrics_sample == 5000
    assert (
        load_methodology(variant(tmp_path, {"psychometrics.sample": None})).psychometrics_sample
        is None
    )
    # other empty fields take their defaults
    method = load_methodology(variant(tmp_path, {"psychometrics.estimator": None}))
    assert method.cfa_estimator == "WLSMV"


def test_optional_sections_may_be_left_out(tmp_path):
    sections = ("change", "comparisons", "sensitivity", "psychometrics")
    method = load_methodology(variant(tmp_path, dict.fromkeys(sections, ABSENT)))
    assert method.correction == "holm" and method.cfa_estimator == "WLSMV"
    assert method.sensitivity == {}


@pytest.mark.parametrize(
    ("changes", "where", "code"),
    [
        # sections and keys
        ({"scoring": ABSENT}, "scoring", "missing-field"),
        ({"uncertainty": [1000, 0.95]}, "uncertainty", "wrong-type"),
        ({"change": "bootstrap_se"}, "change", "wrong-type"),
        ({"pillar_wieghts": {"attitudes": 1}}, "pillar_wieghts", "unknown-field"),
        ({"uncertainty.replicate": 100}, "uncertainty.replicate", "unknown-field"),
        ({"uncertainty.re\x1b[2Jplicates": 1}, "uncertainty.'re\\x1b[2Jplicates'", "unknown-field"),
        ({"components.IGF.caps": {"x": 1}}, "components.IGF.caps", "unknown-field"),
        ({"version": {"major": 2026}}, "version", "wrong-type"),
        ({"version": "2026\r2"}, "version", "invalid-value"),
        # numbers: type, range, finite
        ({"scoring.min_share_answered": 0}, "scoring.min_share_answered", "invalid-value"),
        ({"scoring.min_share_answered": "half"}, "scoring.min_share_answered", "wrong-type"),
        ({"scoring.min_share_answered": True}, "scoring.min_share_answered", "wrong-type"),
        ({"uncertainty.confidence": float("nan")}, "uncertainty.confidence", "invalid-value"),
        ({"uncertainty.replicates": 99}, "uncertainty.replicates", "invalid-value"),
        ({"uncertainty.replicates": 1000.5}, "uncertainty.replicates", "wrong-type"),
        ({"uncertainty.seed": -1}, "uncertainty.seed", "invalid-value"),
        ({"uncertainty.unit_icc": 1}, "uncertainty.unit_icc", "invalid-value"),
        ({"uncertainty.unit_icc_units": -1}, "uncertainty.unit_icc_units", "invalid-value"),
        ({"uncertainty.unit_icc_units": 10**400}, "uncertainty.unit_icc_units", "invalid-value"),
        ({"small_cells.indicative": 0}, "small_cells.indicative", "invalid-value"),
        ({"small_cells.indicative": 20}, "small_cells", "invalid-value"),
        ({"change.false_discovery_rate": 1}, "change.false_discovery_rate", "invalid-value"),
        ({"change.meaningful_change": -5}, "change.meaningful_change", "invalid-value"),
        ({"change.p_value": "exact"}, "change.p_value", "invalid-value"),
        ({"comparisons.correction": "bonferroni"}, "comparisons.correction", "invalid-value"),
        (
            {"comparisons.games_howell_max_areas": 1},
            "comparisons.games_howell_max_areas",
            "invalid-value",
        ),
        (
            {"comparisons.games_howell_max_areas": 30.5},
            "comparisons.games_howell_max_areas",
            "wrong-type",
        ),
        (
            {"comparisons.pairwise_max_areas": 12},  # no longer a setting: all areas compared
            "comparisons.pairwise_max_areas",
            "unknown-field",
        ),
        ({"sensitivity.draws": 10**9}, "sensitivity.draws", "invalid-value"),
        ({"sensitivity.seed": "x"}, "sensitivity.seed", "wrong-type"),
        ({"sensitivity.weight_noise": 1}, "sensitivity.weight_noise", "invalid-value"),
        ({"sensitivity.side_aggregations": []}, "sensitivity.side_aggregations", "missing-field"),
        (
            {"sensitivity.side_aggregations": "geometric"},
            "sensitivity.side_aggregations",
            "wrong-type",
        ),
        (
            {"sensitivity.igf_mappings": ["absolute"]},
            "sensitivity.igf_mappings[0]",
            "invalid-value",
        ),
        (
            {"sensitivity.min_share_answered": [0.5] * 11},
            "sensitivity.min_share_answered",
            "invalid-value",
        ),
        ({"psychometrics": "WLSMV"}, "psychometrics", "wrong-type"),
        ({"psychometrics.estimatr": "MLR"}, "psychometrics.estimatr", "unknown-field"),
        (
            {"psychometrics.parameterization": "gamma"},
            "psychometrics.parameterization",
            "invalid-value",
        ),
        ({"psychometrics.comparison": "WLSMV"}, "psychometrics.comparison", "invalid-value"),
        ({"psychometrics.sample": 50}, "psychometrics.sample", "invalid-value"),
        ({"psychometrics.sample": "all"}, "psychometrics.sample", "wrong-type"),
        # components
        ({"components.OGD": ABSENT}, "components.OGD", "missing-field"),
        (
            {"components.XYZ": {"from": "XYZ", "mapping": "rescaled"}},
            "components.XYZ",
            "unknown-field",
        ),
        ({"components.TRU": "rescaled"}, "components.TRU", "wrong-type"),
        ({"components.TRU.mapping": "positive_gap"}, "components.TRU.mapping", "invalid-value"),
        ({"components.TRU.from": "tru"}, "components.TRU.from", "invalid-code"),
        ({"components.IGF.max_gap": ABSENT}, "components.IGF.max_gap", "missing-field"),
        ({"components.IGF.max_gap": float("inf")}, "components.IGF.max_gap", "invalid-value"),
        ({"components.COL.caps": {}}, "components.COL.caps", "missing-field"),
        (
            {"components.COL.caps.col_contacts": "24"},
            "components.COL.caps.col_contacts",
            "wrong-type",
        ),
        (
            {"components.COL.caps": {"Col Contacts": 24}},
            "components.COL.caps.Col Contacts",
            "invalid-code",
        ),
        # pillars and their weights
        ({"pillars.attitudes": ["IGF", "OGD"]}, "pillars", "missing-field"),
        ({"pillars.practice": ["COL", "TRU"]}, "pillars.practice[1]", "duplicate-code"),
        ({"pillars.practice": ["COL", "XYZ"]}, "pillars.practice[1]", "unknown-reference"),
        ({"pillars.practice": "COL"}, "pillars.practice", "wrong-type"),
        ({"pillars.other": []}, "pillars.other", "unknown-field"),
        ({"pillar_weights.practice": ABSENT}, "pillar_weights.practice", "missing-field"),
        ({"pillar_weights.practice": -1}, "pillar_weights.practice", "invalid-value"),
        ({"pillar_weights.practice": 10**308}, "pillar_weights.practice", "invalid-value"),
        ({"side_aggregation": "harmonic"}, "side_aggregation", "invalid-value"),
        # bands
        ({"bands": []}, "bands", "invalid-value"),
        ({"bands.1.from": 70}, "bands[2].from", "invalid-value"),
        ({"bands.0.from": 10}, "bands[0].from", "invalid-value"),
        ({"bands.1.band": "toenadering"}, "bands[1].band", "invalid-value"),
        ({"bands.1.nl": ""}, "bands[1].nl", "missing-field"),
        ({"bands.1.nl": "toe\x00nadering"}, "bands[1].nl", "invalid-value"),
        ({"bands.1": "rapprochement"}, "bands[1]", "wrong-type"),
    ],
)
def test_every_field_is_checked(tmp_path, changes, where, code):
    assert problems_of(variant(tmp_path, changes)) == {where: code}


def test_every_problem_is_reported_at_once(tmp_path):
    path = variant(
        tmp_path,
        {
            "pillar_weights": {"attitudes": 0, "three_os": 0, "practice": 0},
            "bands.2.from": 160,
            "components.IGF.max_gap": 0,
            "uncertainty.replicates": 10**12,
            "change": {"p_value": "exact", "false_discovery_rate": "5%"},
            "sensitivity.min_share_answered": [0.5, "half"],
        },
    )
    assert problems_of(path) == {
        "pillar_weights": "invalid-value",
        "bands[2].from": "invalid-value",
        "components.IGF.max_gap": "invalid-value",
        "uncertainty.replicates": "invalid-value",
        "change.p_value": "invalid-value",
        "change.false_discovery_rate": "wrong-type",
        "sensitivity.min_share_answered[1]": "wrong-type",
    }


def test_messages_say_what_is_wrong_and_how_to_fix_it(tmp_path):
    path = variant(tmp_path, {"uncertainty.replicates": 10**12, "side_aggregation": "harmonic"})
    with pytest.raises(ProblemsFound) as caught:
        load_methodology(path)
    text = str(caught.value)
    assert "uncertainty.replicates" in text and "10000" in text.replace(",", "")
    assert "geometric, arithmetic, minimum" in text


@pytest.mark.parametrize("body", ["", "- 1\n- 2\n", "[[[[", "replicates: 100\n"])
def test_files_that_are_not_a_methodology(tmp_path, body):
    path = tmp_path / "methodology.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        load_methodology(path)
    assert caught.value.problems


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"components.TRU.from": "XYZ"}, "components.TRU.from"),
        ({"components.TRU.from": "IGF"}, "components.TRU.from"),  # paired: no single score
        ({"components.IGF.from": "TRU"}, "components.IGF.from"),  # a gap needs a pair
        ({"components.COL.quality": "IGF"}, "components.COL.quality"),
        ({"components.COL.caps.tru1": 5}, "components.COL.caps.tru1"),  # not a count
        ({"components.COL.caps.col_visits": 5}, "components.COL.caps.col_visits"),
    ],
)
def test_references_to_the_questionnaire_are_checked(tmp_path, changes, where):
    """Constructs and items named by the methodology must be in the questionnaire a run
    uses, and fit their mapping; the file alone cannot tell."""
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    check_against_instrument(load_methodology(), instrument)
    path = variant(tmp_path, changes)
    with pytest.raises(ProblemsFound) as caught:
        check_against_instrument(load_methodology(path), instrument)
    assert [(p.where, p.code) for p in caught.value.problems] == [
        (f"{path}: {where}", "unknown-reference")
    ]


@pytest.mark.parametrize(
    ("changes", "where", "code"),
    [
        ({"small_area.model": "bayes"}, "small_area.model", "invalid-value"),
        ({"small_area.variance": "ml"}, "small_area.variance", "invalid-value"),
        ({"small_area.waves": "all"}, "small_area.waves", "invalid-value"),
        ({"small_area.min_respondents": 1}, "small_area.min_respondents", "invalid-value"),
        ({"small_area.min_areas": 1}, "small_area.min_areas", "invalid-value"),
        ({"small_area.max_rmse": 0}, "small_area.max_rmse", "invalid-value"),
    ],
)
def test_small_area_settings_are_checked(tmp_path, changes, where, code):
    assert problems_of(variant(tmp_path, changes)) == {where: code}


def test_small_area_section_may_be_left_out(tmp_path):
    method = load_methodology(variant(tmp_path, {"small_area": ABSENT}))
    assert method.small_area_model == "fay_herriot"
    assert method.small_area_variance == "adjusted_reml"
    assert method.small_area_min_respondents == 2
