"""Item analysis and reliability against psych::alpha and semTools::compRelSEM."""

import numpy as np
import pandas as pd
import pytest
from ordinal_fixtures import ORDINAL_MODEL
from ordinal_fixtures import data as ordinal_data
from psychometric_fixtures import BFI_MODEL, HS_MODEL, LIKERT_MODEL, golden, load

from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.reliability import (
    ITEM_COLUMNS,
    RELIABILITY_COLUMNS,
    categorical_omega,
    feldt_interval,
    item_analysis,
    ordinal_reliability,
    scale_reliability,
)

CASES = [
    ("bfi", BFI_MODEL, 1, 6),
    ("likert", LIKERT_MODEL, 1, 5),
]


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize(("name", "model", "low", "high"), CASES)
def test_alpha_matches_psych(name, model, low, high, missing):
    data = load(name)
    golden_reliability = golden("reliability")
    table = scale_reliability(data, model, low, high, missing=missing)
    assert tuple(table.columns) == RELIABILITY_COLUMNS
    for row in table.itertuples():
        gold = golden_reliability[f"{name}_{row.scale}_{missing}"]
        assert row.alpha == pytest.approx(gold["raw_alpha"], abs=1e-4)
        assert row.alpha_std == pytest.approx(gold["std_alpha"], abs=1e-4)
        assert row.average_r == pytest.approx(gold["average_r"], abs=1e-4)
        assert row.n == gold["n_obs"]
        assert row.ci_low == pytest.approx(gold["feldt_lower"], abs=1e-4)
        assert row.ci_high == pytest.approx(gold["feldt_upper"], abs=1e-4)
        if missing == "listwise":
            assert row.omega_total == pytest.approx(gold["omega_total"], abs=1e-4)


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize(("name", "model", "low", "high"), CASES)
def test_item_statistics_match_psych(name, model, low, high, missing):
    data = load(name)
    golden_reliability = golden("reliability")
    table = item_analysis(data, model, low, high, missing=missing)
    assert tuple(table.columns) == ITEM_COLUMNS
    for scale in model:
        gold = pd.DataFrame(golden_reliability[f"{name}_{scale}_{missing}"]["items"])
        ours = table[table.scale == scale].reset_index(drop=True)
        assert list(ours["item"]) == list(gold["item"])
        for ours_col, gold_col in [
            ("item_rest_r", "item_rest_r"),
            ("alpha_if_deleted", "alpha_if_deleted"),
            ("std_alpha_if_deleted", "std_alpha_if_deleted"),
            ("mean", "mean"),
            ("sd", "sd"),
            ("skew", "skew"),
        ]:
            np.testing.assert_allclose(ours[ours_col], gold[gold_col], atol=1e-4)
        np.testing.assert_array_equal(ours["n"], gold["n"])


def test_reverse_keyed_items_are_recoded():
    likert = load("likert")
    table = item_analysis(likert, LIKERT_MODEL, 1, 5)
    tru4 = table[table.item == "tru4"].iloc[0]
    assert tru4.reverse_keyed
    assert tru4["mean"] == pytest.approx(6 - likert["tru4"].mean())
    assert tru4.floor == pytest.approx((likert["tru4"] == 5).sum() / likert["tru4"].notna().sum())


def test_results_per_group():
    likert = load("likert")
    table = scale_reliability(likert, LIKERT_MODEL, 1, 5, group="side")
    assert set(table.group) == {"all", "professional", "informal"}
    informal = table[(table.group == "informal") & (table.scale == "TRU")].iloc[0]
    assert informal.n == (likert.side == "informal").sum()


def test_feldt_interval_contains_alpha():
    low, high = feldt_interval(0.8, 200, 6)
    assert low < 0.8 < high


def test_two_item_scale_has_explained_missing_omega():
    likert = load("likert")
    table = scale_reliability(likert, {"pair": ["tru1", "tru2"]}, 1, 5)
    assert np.isnan(table.omega_total[0])
    assert "three items" in table.note[0]


def test_zero_variance_item_is_refused():
    data = pd.DataFrame({"a": [3.0] * 6, "b": [1, 2, 3, 4, 5, 2.0], "c": [2, 2, 3, 5, 4, 1.0]})
    with pytest.raises(PsychometricsError, match="zero variance"):
        scale_reliability(data, {"S": ["a", "b", "c"]}, 1, 5)


def test_answers_outside_the_scale_are_refused():
    likert = load("likert")
    with pytest.raises(PsychometricsError, match="outside the range"):
        scale_reliability(likert, LIKERT_MODEL, 1, 4)


def test_single_item_scale_is_refused():
    likert = load("likert")
    with pytest.raises(PsychometricsError, match="at least two items"):
        scale_reliability(likert, {"S": ["tru1"]}, 1, 5)


def test_missing_item_column_is_named():
    likert = load("likert")
    with pytest.raises(PsychometricsError, match="nope"):
        scale_reliability(likert, {"S": ["tru1", "nope"]}, 1, 5)


def test_group_with_a_single_respondent_is_refused():
    likert = load("likert")
    likert.loc[0, "side"] = "stakeholder"
    with pytest.raises(PsychometricsError, match="'stakeholder': only 1 respondent"):
        scale_reliability(likert, LIKERT_MODEL, 1, 5, group="side")


ORDINAL_CASES = [
    ("holzinger_ordinal", HS_MODEL, 1, 4),
    ("ordinal", ORDINAL_MODEL, 1, 5),
    ("bfi", BFI_MODEL, 1, 6),
    ("likert", LIKERT_MODEL, 1, 5),
]


@pytest.mark.parametrize(("name", "model", "low", "high"), ORDINAL_CASES)
def test_ordinal_alpha_and_omega_match_psych_and_semtools(name, model, low, high):
    gold_cases = golden("reliability_ordinal")
    table = scale_reliability(ordinal_data(name), model, low, high, missing="listwise")
    assert tuple(table.columns) == RELIABILITY_COLUMNS
    for row in table.itertuples():
        gold = gold_cases[f"{name}_{row.scale}"]
        assert row.n == gold["n_obs"]
        # psych::polychoric and lavaan's estimator (ours) differ by about 2e-5
        assert row.alpha_ordinal == pytest.approx(gold["alpha_ordinal"], abs=1e-4)
        assert row.alpha_ordinal == pytest.approx(gold["alpha_ordinal_lavaan_rho"], abs=1e-5)
        assert row.omega_ordinal == pytest.approx(gold["omega_ordinal"], abs=1e-4)
        assert row.note == ""


def test_pairwise_ordinal_figures_use_the_complete_respondents():
    bfi = load("bfi")
    pairwise = scale_reliability(bfi, BFI_MODEL, 1, 6, missing="pairwise")
    gold_cases = golden("reliability_ordinal")
    for row in pairwise.itertuples():
        assert row.alpha_ordinal == pytest.approx(
            gold_cases[f"bfi_{row.scale}"]["alpha_ordinal"], abs=1e-4
        )


def test_categorical_omega_of_parallel_binary_items_by_hand():
    # two binary items split at 0 with loadings sqrt(.5) and a polychoric r of .5 (the model
    # reproduces it): the sum's variance is 2 (.25) + 2 cov, cov = Phi2(0, 0, .5) - .25 = 1/12
    omega = categorical_omega(
        np.sqrt([0.5, 0.5]), 1.0, [np.zeros(1)] * 2, np.array([[1, 0.5], [0.5, 1]])
    )
    common = 2 * (1 / 12) + 2 * (1 / 12)  # the factor's part: the covariances, and l^2 = .5 twice
    assert omega == pytest.approx(common / (0.5 + 2 / 12))


def test_ordinal_figures_are_left_out_for_many_categories_and_two_items():
    likert = load("likert")
    table = scale_reliability(likert, {"pair": ["tru1", "tru2"]}, 1, 5)
    assert np.isfinite(table.alpha_ordinal[0]) and np.isnan(table.omega_ordinal[0])
    assert "ordinal omega needs at least three items" in table.note[0]
    scores = load("holzinger")  # test scores, not answer categories
    alpha, omega, note = ordinal_reliability(scores[["x1", "x2", "x3"]])
    assert np.isnan(alpha) and np.isnan(omega) and "distinct answers" in note
