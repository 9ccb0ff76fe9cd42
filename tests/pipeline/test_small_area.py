"""The Fay-Herriot estimator against R (tests/r/small_area.R) and in limiting cases."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samenspel.datasets import read_dataset
from samenspel.pipeline.index.small_area import (
    SmallAreaSettings,
    fay_herriot,
    small_area_estimates,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLDEN = json.loads((FIXTURES / "r" / "small_area.json").read_text())


def milk():
    data = read_dataset("milk")
    levels = pd.get_dummies(data["MajorArea"].astype(str), drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(data)), levels.to_numpy()])
    return data["yi"].to_numpy(), data["SD"].to_numpy() ** 2, x


def spacetime():
    data = read_dataset("spacetime")
    x = np.column_stack([np.ones(len(data)), data[["X1", "X2"]].to_numpy()])
    return data["Y"].to_numpy(), data["Var"].to_numpy(), x, data["Area"].to_numpy()


@pytest.mark.parametrize(
    ("method", "golden"), [("reml", "milk_reml"), ("adjusted_reml", "milk_adjusted")]
)
def test_classical_model_matches_r(method, golden):
    """REML: sae::eblupFH and sae::mseFH; adjusted REML: the published formula in R."""
    fit = fay_herriot(*milk(), method=method)
    expected = GOLDEN[golden]
    assert fit.variances["wave"] == pytest.approx(expected["variance"], rel=1e-6)
    np.testing.assert_allclose(fit.coefficients, expected["coefficients"], rtol=1e-6)
    np.testing.assert_allclose(fit.estimate, expected["eblup"], rtol=1e-6)
    np.testing.assert_allclose(fit.mse, expected["mse"], rtol=1e-6)


@pytest.mark.parametrize("method", ["reml", "adjusted_reml"])
def test_model_over_waves_matches_dense_r(method):
    """An area effect persisting over periods: blockwise here, dense matrices in R."""
    y, psi, x, area = spacetime()
    fit = fay_herriot(y, psi, x, area=area, method=method)
    expected = GOLDEN["spacetime_reml" if method == "reml" else "spacetime_adjusted"]
    assert fit.variances["area"] == pytest.approx(expected["variance_area"], rel=1e-4)
    assert fit.variances["wave"] == pytest.approx(expected["variance_wave"], rel=1e-4)
    np.testing.assert_allclose(fit.coefficients, expected["coefficients"], rtol=1e-5)
    np.testing.assert_allclose(fit.estimate, expected["eblup"], rtol=1e-5)
    np.testing.assert_allclose(fit.mse, expected["mse"], rtol=1e-4)


def test_municipality_levels_as_codes_equal_dummies():
    """The levels kept as codes give what the same levels as dummy columns give."""
    y, psi, x = milk()
    major = read_dataset("milk")["MajorArea"].to_numpy()
    fit = fay_herriot(y, psi, np.empty((len(y), 0)), level=major, method="reml")
    expected = GOLDEN["milk_reml"]
    np.testing.assert_allclose(fit.estimate, expected["eblup"], rtol=1e-6)
    np.testing.assert_allclose(fit.mse, expected["mse"], rtol=1e-6)
    # with an area effect over waves as well (spacetime's areas in two made-up regions)
    y, psi, x, area = spacetime()
    region = np.where(area % 2 == 0, "even", "odd")
    dense = np.column_stack([x[:, 1:], region == "odd"])
    one = fay_herriot(y, psi, np.column_stack([np.ones(len(y)), dense]), area=area)
    two = fay_herriot(y, psi, dense[:, :2], area=area, level=region)
    np.testing.assert_allclose(two.estimate, one.estimate, rtol=1e-5)  # two optimisations
    np.testing.assert_allclose(two.mse, one.mse, rtol=1e-4)


def test_equal_direct_estimates_give_that_value_and_a_positive_variance():
    """Zero spread between areas: REML's variance falls to its floor, the adjusted one stays
    positive, and every prediction is the common value with the regression's MSE only."""
    psi = np.linspace(4, 30, 12)
    y = np.full(12, 55.0)
    for method in ("reml", "adjusted_reml"):
        fit = fay_herriot(y, psi, np.ones((12, 1)), method=method)
        np.testing.assert_allclose(fit.estimate, 55.0, atol=1e-9)
        assert fit.variances["wave"] > 0
        assert (fit.mse > fit.g2).all()
    reml = fay_herriot(y, psi, np.ones((12, 1)), method="reml").variances["wave"]
    adjusted = fay_herriot(y, psi, np.ones((12, 1))).variances["wave"]
    assert reml < 1e-6 < 1e-2 < adjusted


def test_few_areas_keep_a_between_area_variance():
    """Five areas whose REML variance is 0: the adjusted likelihood keeps it positive, so
    areas are not all shrunk to the mean."""
    y = np.array([50.0, 52.0, 48.0, 51.0, 49.0])
    psi = np.full(5, 25.0)
    reml = fay_herriot(y, psi, np.ones((5, 1)), method="reml")
    adjusted = fay_herriot(y, psi, np.ones((5, 1)))
    assert reml.variances["wave"] < 1e-6
    assert adjusted.variances["wave"] > 0.1
    assert np.ptp(adjusted.estimate) > np.ptp(reml.estimate)


def test_precise_direct_estimates_are_kept():
    """All areas large (tiny sampling variances): the model is the direct estimate."""
    rng = np.random.default_rng(3)
    y = rng.normal(50, 10, 40)
    psi = np.full(40, 0.01)
    fit = fay_herriot(y, psi, np.ones((40, 1)))
    np.testing.assert_allclose(fit.estimate, y, atol=0.02)
    np.testing.assert_allclose(fit.mse, psi, rtol=0.05)
    assert (fit.direct_weight > 0.99).all()


def test_one_municipality_and_a_model_over_waves():
    """One municipality's areas over three waves: the area effect is estimated, an area's
    earlier waves pull its prediction, and the MSE is below the sampling variance."""
    rng = np.random.default_rng(7)
    areas = np.repeat(np.arange(8), 3)
    wave = np.tile(np.arange(3), 8)
    truth = 50 + np.repeat(rng.normal(0, 6, 8), 3) + rng.normal(0, 1, 24)
    psi = rng.uniform(10, 40, 24)
    y = truth + rng.normal(0, np.sqrt(psi))
    x = np.column_stack([np.ones(24), wave == 1, wave == 2]).astype(float)
    fit = fay_herriot(y, psi, x, area=areas)
    assert fit.variances["area"] > fit.variances["wave"] > 0
    assert (fit.mse < psi).all()
    assert (fit.direct_weight < 1).all()


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        fay_herriot(np.ones(5), np.ones(5), np.ones((5, 1)), method="ml")
    with pytest.raises(ValueError, match="sampling variances positive"):
        fay_herriot(np.ones(5), np.zeros(5), np.ones((5, 1)))
    with pytest.raises(ValueError, match="full column rank"):
        fay_herriot(np.arange(5.0), np.ones(5), np.ones((5, 2)))


def direct_table(
    areas: int, seed: int, covariate_noise: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Direct estimates of ``areas`` small areas over two waves (10 a municipality), and a
    covariate that knows the area effect up to ``covariate_noise``."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, 8, areas)
    ids = [f"a{i:03d}" for i in range(areas)]
    rows = []
    for measure in ("index", "index_professional", "index_informal"):
        for wave in ("2025", "2026"):
            n = rng.integers(3, 13, areas)
            rows.append(
                pd.DataFrame(
                    {
                        "area": ids, "wave": wave, "measure": measure, "n": n,
                        "status": np.where(n >= 10, "published", "indicative"),
                        "direct": 55 + effect + rng.normal(0, np.sqrt(200 / n)),
                        "variance": 200 / n, "ci_low": 0.0, "ci_high": 100.0,
                        "municipality": [f"GM{i // 10}" for i in range(areas)],
                    }
                )
            )  # fmt: skip
    covariates = pd.DataFrame(
        {
            "area": ids,
            "known": effect + rng.normal(0, covariate_noise, areas),
            "constant": 1.0,  # adds nothing: left out, no error
        }
    )
    return pd.concat(rows, ignore_index=True), covariates


def test_an_informative_covariate_lowers_the_error():
    direct, covariates = direct_table(60, 4, covariate_noise=1.0)
    settings = SmallAreaSettings()
    without = small_area_estimates(direct, settings, ["2025", "2026"])
    with_covariate = small_area_estimates(direct, settings, ["2025", "2026"], covariates)
    assert with_covariate["model_rmse"].mean() < 0.8 * without["model_rmse"].mean()
    assert (without["estimate_type"] != "suppressed").all()
    # a covariate that misses an area of the results is a mistake, said so
    with pytest.raises(ValueError, match="a001"):
        small_area_estimates(direct, settings, None, covariates[covariates["area"] != "a001"])
