"""EFA diagnostics against psych::KMO, psych::cortest.bartlett and psych::fa."""

import itertools

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import golden, load

from samenspel.pipeline.psychometrics.efa import (
    KMO_COLUMNS,
    PARALLEL_COLUMNS,
    bartlett_sphericity,
    fit_efa,
    kmo,
    parallel_analysis,
)
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError

HS_ITEMS = [f"x{i}" for i in range(1, 10)]
CASES = [("hs", "holzinger", HS_ITEMS, 3), ("bfi", "bfi", None, 5)]


def _items(name, items):
    return items if items is not None else list(load(name).columns[:25])


@pytest.mark.parametrize(("case", "name", "items", "n_factors"), CASES)
def test_kmo_and_bartlett_match_psych(case, name, items, n_factors):
    gold = golden("efa")[case]
    items = _items(name, items)
    table = kmo(load(name), items)
    assert tuple(table.columns) == KMO_COLUMNS
    assert table.msa.iloc[-1] == pytest.approx(gold["kmo"], abs=1e-6)
    np.testing.assert_allclose(
        table.msa.iloc[:-1], [gold["kmo_items"][i] for i in items], atol=1e-6
    )
    test = bartlett_sphericity(load(name), items)
    assert test.chisq == pytest.approx(gold["bartlett_chisq"], abs=1e-3)
    assert test.df == gold["bartlett_df"]
    assert test.n == gold["n_obs"]


def _match_columns(ours: np.ndarray, gold: np.ndarray) -> tuple[tuple[int, ...], np.ndarray]:
    """psych orders and names factors differently: the column order and signs of ours that
    best match gold."""
    best = min(
        itertools.permutations(range(gold.shape[1])),
        key=lambda perm: np.abs(np.abs(ours[:, perm]) - np.abs(gold)).max(),
    )
    signs = np.sign((ours[:, best] * gold).sum(axis=0))
    return best, signs


@pytest.mark.parametrize(("case", "name", "items", "n_factors"), CASES)
@pytest.mark.parametrize(
    ("method", "rotation", "key"),
    [
        ("ml", "varimax", "ml_varimax"),
        ("minres", "oblimin", "minres_oblimin"),
        ("minres", "promax", "minres_promax"),
    ],
)
def test_loadings_match_psych_fa(case, name, items, n_factors, method, rotation, key):
    gold_case = golden("efa")[case]
    gold = pd.DataFrame(gold_case[f"{key}_loadings"]).set_index("_row").to_numpy()
    items = _items(name, items)
    result = fit_efa(load(name), n_factors, items, method=method, rotation=rotation)
    ours = result.loadings[[f"F{k + 1}" for k in range(n_factors)]]
    assert list(ours.index) == items
    order, signs = _match_columns(ours.to_numpy(), gold)
    np.testing.assert_allclose(ours.to_numpy()[:, order] * signs, gold, atol=1e-3)
    if f"{key}_phi" in gold_case:
        phi = pd.DataFrame(gold_case[f"{key}_phi"]).set_index("_row").to_numpy()
        mine = result.factor_correlations.to_numpy()[np.ix_(order, order)]
        np.testing.assert_allclose(mine * np.outer(signs, signs), phi, atol=1e-3)
    if f"{key}_communality" in gold_case:
        expected = [gold_case[f"{key}_communality"][i] for i in items]
        np.testing.assert_allclose(result.loadings["communality"], expected, atol=1e-3)


def test_pairwise_kmo_and_bartlett_match_psych():
    gold = golden("efa")["bfi_pairwise"]
    data = load("bfi")
    items = list(data.columns[:25])
    table = kmo(data, items, missing="pairwise")
    assert table.msa.iloc[-1] == pytest.approx(gold["kmo"], abs=1e-6)
    np.testing.assert_allclose(
        table.msa.iloc[:-1], [gold["kmo_items"][i] for i in items], atol=1e-6
    )
    test = bartlett_sphericity(data, items, missing="pairwise")
    assert test.n == gold["n_obs"]
    assert test.chisq == pytest.approx(gold["bartlett_chisq"], abs=1e-3)


@pytest.mark.parametrize("rotation", ["oblimin", "promax", "varimax"])
def test_rotations_index_loadings_by_item(rotation):
    result = fit_efa(load("holzinger"), 3, HS_ITEMS, method="minres", rotation=rotation)
    assert list(result.loadings.index) == HS_ITEMS
    assert {"communality", "uniqueness"} <= set(result.loadings.columns)
    assert result.factor_correlations.shape == (3, 3)
    if rotation == "varimax":
        np.testing.assert_allclose(result.factor_correlations, np.eye(3))


def test_parallel_analysis_retains_three_holzinger_factors():
    table = parallel_analysis(load("holzinger"), HS_ITEMS, n_iterations=50)
    assert tuple(table.columns) == PARALLEL_COLUMNS
    assert table.retain.sum() == 3


def test_unknown_rotation_lists_the_choices():
    with pytest.raises(ValueError, match="oblimin"):
        fit_efa(load("holzinger"), 3, HS_ITEMS, rotation="spin")


def test_duplicate_items_give_a_clear_error():
    data = load("holzinger")
    data["x10"] = data["x1"] + data["x2"]
    with pytest.raises(PsychometricsError, match="not positive definite"):
        kmo(data, [*HS_ITEMS, "x10"])
