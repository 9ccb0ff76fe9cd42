"""Change between waves: p-values, FDR, verdicts, method breaks and small cells by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from samenspel.pipeline.index.change import bootstrap_p_values, index_change
from samenspel.pipeline.index.estimate import IndexResult
from samenspel.pipeline.methodology import load_methodology

METHOD = load_methodology()


def result(points: dict[tuple[str, str], float], status=None, spread=1.0, seed=0) -> IndexResult:
    """An index result whose replicates are normal around the points with SD ``spread``."""
    rng = np.random.default_rng(seed)
    keys = sorted(points)
    table = pd.DataFrame({"area": [k[0] for k in keys], "wave": [k[1] for k in keys]})
    table["status"] = [(status or {}).get(k, "published") for k in keys]
    point = np.array([points[k] for k in keys])
    replicates = (point + spread * rng.standard_normal((2000, len(keys)))).astype(np.float32)
    return IndexResult(table, table, replicates, point)


def test_bootstrap_se_p_value_by_hand():
    replicates = np.array([[1.0], [3.0], [2.0], [4.0], [0.0]])  # SD 1.5811
    p = bootstrap_p_values(np.array([2.0]), replicates, "bootstrap_se")
    assert p[0] == pytest.approx(2 * norm.sf(2 / np.sqrt(2.5)))


def test_percentile_p_value_by_hand():
    replicates = np.array([[-1.0], [1.0], [2.0], [3.0]])
    # one replicate at or below 0, three above: 2 * (1 + 1) / (4 + 1)
    assert bootstrap_p_values(np.array([1.0]), replicates, "percentile")[0] == pytest.approx(0.8)


def test_verdicts_and_fdr():
    points = {
        ("a", "w1"): 50.0, ("a", "w2"): 60.0,  # +10: increase
        ("b", "w1"): 50.0, ("b", "w2"): 46.0,  # -4 with SD 1.41: significant but small
        ("c", "w1"): 50.0, ("c", "w2"): 50.5,  # no clear change
    }  # fmt: skip
    change = index_change(result(points), METHOD).set_index("area")
    assert change.loc["a", "change"] == pytest.approx(10.0)
    assert change.loc["a", "ci_low"] == pytest.approx(10 - 1.96 * np.sqrt(2), abs=0.2)
    assert change.loc["a", "verdict"] == "increase"
    assert change.loc["b", "verdict"] == "small change"
    assert change.loc["c", "verdict"] == "no clear change"
    # Benjamini-Hochberg by hand: q of the largest p is the p itself
    assert change.loc["c", "q"] == pytest.approx(change.loc["c", "p"])
    ordered = change.sort_values("p")
    assert ordered["q"].iloc[1] == pytest.approx(min(ordered.p.iloc[1] * 3 / 2, ordered.q.iloc[2]))


def test_method_break_from_instrument_or_invariance():
    points = {("a", "w1"): 50.0, ("a", "w2"): 60.0, ("a", "w3"): 70.0}
    change = index_change(
        result(points), METHOD, wave_instruments={"w1": "x", "w2": "x", "w3": "y"}
    )
    verdicts = dict(zip(change.comparison + change.wave_to, change.verdict, strict=True))
    assert verdicts == {
        "previousw2": "increase",
        "previousw3": "method break",
        "firstw3": "method break",
    }
    invariance = pd.DataFrame({"wave_from": ["w1"], "wave_to": ["w2"], "holds": [False]})
    change = index_change(result(points), METHOD, invariance=invariance)
    first = change[(change.wave_from == "w1") & (change.wave_to == "w2")].iloc[0]
    assert first.verdict == "method break" and first.invariance == "fails"
    assert (change[change.wave_from == "w2"].invariance == "not tested").all()


def test_change_involving_a_suppressed_cell_is_suppressed():
    points = {("a", "w1"): 50.0, ("a", "w2"): 60.0, ("b", "w1"): 50.0, ("b", "w2"): 70.0}
    change = index_change(
        result(points, status={("b", "w1"): "suppressed", ("a", "w2"): "indicative"}), METHOD
    ).set_index("area")
    assert change.loc["b", "verdict"] == "suppressed" and np.isnan(change.loc["b", "change"])
    assert not change.loc["b", "significant"]
    assert change.loc["a", "status"] == "indicative" and change.loc["a", "verdict"] == "increase"
