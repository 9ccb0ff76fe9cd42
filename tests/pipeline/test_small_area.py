"""The Fay-Herriot estimator against R (tests/r/small_area.R) and in limiting cases."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from samenspel.pipeline.index.small_area import fay_herriot

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLDEN = json.loads((FIXTURES / "r" / "small_area.json").read_text())


def milk():
    data = pd.read_csv(FIXTURES / "datasets" / "milk.csv")
    levels = pd.get_dummies(data["MajorArea"].astype(str), drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(data)), levels.to_numpy()])
    return data["yi"].to_numpy(), data["SD"].to_numpy() ** 2, x


def spacetime():
    data = pd.read_csv(FIXTURES / "datasets" / "spacetime.csv")
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
    major = pd.read_csv(FIXTURES / "datasets" / "milk.csv")["MajorArea"].to_numpy()
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
