"""Thresholds, polychoric correlations and their asymptotic covariance against lavaan."""

import warnings

import numpy as np
import pandas as pd
import pytest
from ordinal_fixtures import data, ordinal_golden
from scipy import integrate, stats

from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.polychoric import (
    THRESHOLD_COLUMNS,
    bivariate_normal_cdf,
    ordered_codes,
    ordinal_sample,
    polychoric_correlations,
    usable_rows,
)

CASES = [
    ("hs", "holzinger_ordinal", "listwise"),
    ("hs_pairwise", "holzinger_ordinal_missing", "pairwise"),
    ("sim_pairwise", "ordinal", "pairwise"),
]


def _items(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("id", "school", "group")]


def _sample(frame: pd.DataFrame, missing: str):
    items = _items(frame)
    codes, levels = ordered_codes(frame, items)
    codes = codes[usable_rows(codes, missing)]
    return ordinal_sample(codes, np.array([len(v) for v in levels]), items)


def test_bivariate_normal_cdf_is_exact():
    rng = np.random.default_rng(7)
    h, k = rng.normal(0, 1.5, (2, 40))
    rho = np.r_[rng.uniform(-0.999, 0.999, 36), 0.95, -0.95, 0.0, 0.999]
    ours = bivariate_normal_cdf(h, k, rho)
    for a, b, r, value in zip(h, k, rho, ours, strict=True):

        def density(x, b=b, r=r):
            return stats.norm.pdf(x) * stats.norm.cdf((b - r * x) / np.sqrt(1 - r * r))

        exact, _ = integrate.quad(density, -np.inf, a, epsabs=1e-14, epsrel=1e-13, limit=200)
        assert value == pytest.approx(exact, abs=1e-12)
    assert bivariate_normal_cdf(np.inf, 0.3, 0.5) == pytest.approx(stats.norm.cdf(0.3))
    assert bivariate_normal_cdf(-np.inf, 0.3, 0.5) == 0.0


@pytest.mark.parametrize(("case", "name", "missing"), CASES)
def test_thresholds_and_polychorics_match_lavaan(case, name, missing):
    gold = ordinal_golden(case)["sample"][0]
    frame = data(name)
    result = polychoric_correlations(frame, _items(frame), missing=missing)
    assert tuple(result.thresholds.columns) == THRESHOLD_COLUMNS
    np.testing.assert_allclose(result.thresholds["value"], list(gold["th"].values()), atol=1e-8)
    assert list(result.thresholds["item"] + "|" + result.thresholds["threshold"]) == list(
        gold["th"]
    )
    np.testing.assert_allclose(result.correlations.to_numpy(), gold["cor"], atol=1e-6)
    sample = _sample(frame, missing)
    np.testing.assert_allclose(np.diag(sample.gamma), list(gold["gamma_diag"].values()), rtol=1e-6)


def test_asymptotic_covariance_matches_lavaans_gamma():
    gold = np.array(ordinal_golden("hs")["gamma"])
    sample = _sample(data("holzinger_ordinal"), "listwise")
    np.testing.assert_allclose(sample.gamma, gold, atol=1e-6)


def test_empty_category_in_one_group_is_refused():
    frame = data("ordinal")
    rows = (frame["group"] == "informal") & (frame["a1"] == 1)
    frame.loc[rows, "a1"] = 2
    items = _items(frame)
    codes, levels = ordered_codes(frame, items)
    informal = codes[(frame["group"] == "informal").to_numpy()]
    with pytest.raises(PsychometricsError, match=r"'a1' has empty category \[1\].*informal"):
        ordinal_sample(informal, np.array([len(v) for v in levels]), items, " in 'informal'")


def test_category_no_one_chose_is_named():
    frame = data("ordinal")
    frame.loc[frame["b3"] == 3, "b3"] = 4
    with pytest.warns(UserWarning, match=r"'b3': answer\(s\) \[3\] were chosen by no one"):
        result = polychoric_correlations(frame, _items(frame))
    assert (result.thresholds["item"] == "b3").sum() == 3


def test_single_category_and_non_numeric_answers_are_refused():
    frame = data("ordinal")
    frame["a2"] = 4.0
    with pytest.raises(PsychometricsError, match="'a2' has 1 answer category"):
        polychoric_correlations(frame, _items(frame))
    frame = data("ordinal")
    frame["a2"] = frame["a2"].astype(object)
    frame.loc[0, "a2"] = "agree"
    with pytest.raises(PsychometricsError, match="non-numeric"):
        polychoric_correlations(frame, _items(frame))


def test_near_duplicate_items_are_flagged():
    frame = data("ordinal").dropna()
    frame["a6"] = frame["a1"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = polychoric_correlations(frame, [*_items(frame)])
    assert result.correlations.loc["a1", "a6"] > 0.99
    assert any("nearly 1" in str(w.message) for w in caught)


def test_unknown_missing_option_lists_the_choices():
    frame = data("ordinal")
    with pytest.raises(PsychometricsError, match="pairwise"):
        polychoric_correlations(frame, _items(frame), missing="fiml")
