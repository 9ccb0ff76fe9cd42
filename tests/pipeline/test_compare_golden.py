"""Group comparisons against R on R's public data sets (tests/r/comparisons.R)."""

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import golden
from samenspel.pipeline.index.compare import COMPARISON_COLUMNS, compare_groups, hedges_g_interval
from samenspel.pipeline.methodology import COMPONENTS, load_methodology

METHOD = load_methodology()
HEDGES = golden("comparisons")["hedges_g"]


def _cohens_d(x: np.ndarray, y: np.ndarray) -> float:
    pooled = ((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1)) / (len(x) + len(y) - 2)
    return float((x.mean() - y.mean()) / np.sqrt(pooled))


@pytest.mark.parametrize("case", sorted(HEDGES))
def test_hedges_g_interval_matches_effectsize(case):
    gold = HEDGES[case]
    x, y = np.array(gold["x"], dtype=float), np.array(gold["y"], dtype=float)
    d = _cohens_d(x, y)
    assert d == pytest.approx(gold["cohens_d"], abs=1e-9)
    low, high = hedges_g_interval(d, len(x), len(y))
    assert low == pytest.approx(gold["ci_low"], abs=1e-3)
    assert high == pytest.approx(gold["ci_high"], abs=1e-3)
    # against the root-finding inversion in R, which effectsize's optimiser only approximates
    assert low == pytest.approx(gold["uniroot_ci_low"], abs=1e-6)
    assert high == pytest.approx(gold["uniroot_ci_high"], abs=1e-6)


def test_between_sides_reports_effectsize_hedges_g_and_interval():
    # groups of 5 and 12 (mtcars' mpg by gear): the large-sample interval was far off here
    gold = HEDGES["mtcars_gear5_gear4"]
    x, y = np.array(gold["x"]), np.array(gold["y"])
    data = pd.DataFrame({c: np.concatenate([x, y]) for c in COMPONENTS})
    side = pd.Series(["professional"] * len(x) + ["informal"] * len(y))
    table = compare_groups(
        data, pd.Series(["a"] * len(data)), pd.Series(["w1"] * len(data)), side, METHOD
    )
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    row = table[(table.test == "welch_t") & (table.construct == COMPONENTS[0])].iloc[0]
    assert row.status != "suppressed"
    assert row.effect_size == pytest.approx(gold["hedges_g"], abs=1e-9)
    assert row.ci_low == pytest.approx(gold["ci_low"], abs=1e-3)
    assert row.ci_high == pytest.approx(gold["ci_high"], abs=1e-3)


def test_hedges_g_interval_at_national_sizes_and_undefined_cases():
    low, high = hedges_g_interval(0.5, 20_000, 30_000)
    # at this size the noncentral-t and the normal interval agree
    se = np.sqrt(50_000 / 6e8 + 0.25 / (2 * 50_000))
    assert (low, high) == pytest.approx((0.5 - 1.96 * se, 0.5 + 1.96 * se), abs=1e-3)
    assert np.isnan(hedges_g_interval(0.3, 1, 1)).all()
    assert np.isnan(hedges_g_interval(np.nan, 10, 10)).all()
