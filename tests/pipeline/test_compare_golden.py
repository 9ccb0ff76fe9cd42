"""Group comparisons against R on R's public data sets (tests/r/comparisons.R)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import golden
from scipy import stats

from samenspel.pipeline.index.compare import (
    COMPARISON_COLUMNS,
    area_moments,
    compare_groups,
    games_howell,
    hedges_g_interval,
)
from samenspel.pipeline.index.studentized_range import (
    studentized_range_ppf,
    studentized_range_sf,
)
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


GAMES_HOWELL = golden("comparisons")["games_howell"]


@pytest.mark.parametrize("case", sorted(GAMES_HOWELL))
def test_games_howell_matches_rstatix(case):
    gold = GAMES_HOWELL[case]
    pairs = pd.DataFrame(gold["pairs"])
    # R's factor levels, in its order: the first group1 and the groups paired with it
    levels = [pairs.group1[0], *pairs.group2[pairs.group1 == pairs.group1[0]]]
    values = pd.Series(gold["y"], dtype=float).groupby(pd.Series(gold["group"]))
    n, mean, var = (values.agg(f).reindex(levels).to_numpy() for f in ("size", "mean", "var"))
    ours = games_howell(n.astype(float), mean, var)
    ours = pd.DataFrame(ours).assign(
        group1=np.array(levels)[ours["i"]], group2=np.array(levels)[ours["j"]]
    )
    both = pairs.merge(ours, on=["group1", "group2"], validate="one_to_one")
    assert len(both) == len(pairs) == len(levels) * (len(levels) - 1) // 2
    # rstatix reports group2 minus group1; the comparisons table group_a minus group_b
    np.testing.assert_allclose(-both.estimate_y, both.estimate_x, atol=1e-9)
    np.testing.assert_allclose(np.abs(both.t), both.statistic, atol=1e-9)
    np.testing.assert_allclose(both.df_y, both.df_x, atol=1e-9)
    np.testing.assert_allclose(both.p_y, both.p_x, atol=1e-6)
    np.testing.assert_allclose(both.p_y, both.p_rstatix, atol=5e-4)  # rstatix rounds
    # qtukey is accurate to about 4 decimals (its documentation): the bounds to 1e-3
    np.testing.assert_allclose(-both.ci_high, both.conf_low, atol=1e-3)
    np.testing.assert_allclose(-both.ci_low, both.conf_high, atol=1e-3)


@pytest.mark.parametrize("k", [2, 3, 7, 30])
def test_studentized_range_matches_scipy(k):
    q = np.array([0.2, 1.5, 3.0, 4.5, 7.0])
    df = np.array([3.5, 12.0, 47.3, 300.0, 5000.0])
    np.testing.assert_allclose(
        studentized_range_sf(q, k, df), stats.studentized_range.sf(q, k, df), atol=1e-7
    )
    assert studentized_range_sf(3.0, k, np.inf) == pytest.approx(
        stats.studentized_range.sf(3.0, k, np.inf), abs=1e-9
    )
    df = np.array([4.0, 9.7, 60.0, 1000.0])
    np.testing.assert_allclose(
        studentized_range_ppf(0.95, k, df), stats.studentized_range.ppf(0.95, k, df), atol=1e-6
    )


def test_games_howell_rows_only_within_small_municipalities():
    rng = np.random.default_rng(11)
    sizes = {"a1": 20, "a2": 25, "a4": 3, "b1": 30, "b2": 12, "b3": 14, "c1": 20}
    municipality = {a: {"a": "GM0001", "b": "GM0002", "c": "GM0003"}[a[0]] for a in sizes}
    parts = []
    for area, n in sizes.items():
        part = pd.DataFrame({c: rng.normal(50 + 4 * (area == "a1"), 10, n) for c in COMPONENTS})
        part["area"], part["side"], part["wave"] = area, "informal", "w1"
        parts.append(part)
    data = pd.concat(parts, ignore_index=True)
    method = dataclasses.replace(METHOD, games_howell_max_areas=2)
    table = compare_groups(
        data[list(COMPONENTS)], data.area, data.wave, data.side, method,
        municipality_of=municipality,
    )  # fmt: skip
    rows = table[(table.test == "games_howell") & (table.construct == COMPONENTS[0])]
    # GM0001 keeps 2 areas (a4 is under the minimum): one pair; GM0002 has 3, more than the
    # maximum of 2: one row that says so; GM0003 has one area: no row
    computed = rows[rows.p.notna()]
    assert list(zip(computed.group_a, computed.group_b, strict=True)) == [("a1", "a2")]
    assert "1 area(s) under 5" in computed.note.iloc[0]
    skipped = rows[rows.p.isna()]
    assert list(skipped.group_a) == ["areas of GM0002"]
    assert skipped.note.iloc[0].startswith("not computed: 3 areas in GM0002, more than 2")
    x = data.loc[data.area == "a1", COMPONENTS[0]]
    y = data.loc[data.area == "a2", COMPONENTS[0]]
    row = computed.iloc[0]
    assert row.estimate == pytest.approx(x.mean() - y.mean())
    assert row.statistic == pytest.approx(stats.ttest_ind(x, y, equal_var=False).statistic)
    # with two groups Games-Howell is Welch's t test
    assert row.p == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue, abs=1e-7)
    assert row.p_adjusted == row.p and row.correction == "studentized_range"
    assert row.ci_low < row.estimate < row.ci_high
    # at the default maximum GM0002's three areas are paired too
    table = compare_groups(
        data[list(COMPONENTS)], data.area, data.wave, data.side, METHOD,
        municipality_of=municipality,
    )  # fmt: skip
    rows = table[(table.test == "games_howell") & (table.construct == COMPONENTS[0])]
    assert rows.p.notna().sum() == 1 + 3


def test_weighted_means_and_tests_match_r_survey():
    """Design-weighted means, their linearised standard errors and the area-against-rest
    t statistic equal R's survey package on the public apistrat sample with its weights
    (tests/r/weighted_comparisons.R): each group a stratum, no finite population correction.
    """
    reference = golden("weighted_comparisons")
    components = pd.DataFrame(np.nan, index=range(len(reference["api00"])), columns=COMPONENTS)
    components[COMPONENTS[0]] = np.asarray(reference["api00"], dtype=float)
    area = pd.Series(reference["stype"])
    data = components.assign(area=area, side="professional", weight=reference["pw"])
    moments = area_moments(data)[COMPONENTS[0]].xs("professional")
    types = reference["types"]
    assert moments.loc[types["group"], "mean"].to_numpy() == pytest.approx(types["mean"], rel=1e-12)
    se = np.sqrt(moments["var"] / moments["n"]).loc[types["group"]].to_numpy()
    assert se == pytest.approx(types["se"], rel=1e-10)

    method = dataclasses.replace(METHOD, indicative_min=2, publish_min=2)
    labels = (area, pd.Series("1", index=area.index), pd.Series("professional", index=area.index))
    weights = pd.Series(reference["pw"], index=area.index)
    table = compare_groups(components, *labels, method, weights=weights)
    row = table[(table.test == "area_vs_all") & (table.construct == COMPONENTS[0])]
    row = row.set_index("group_a").loc["E"]
    expected = reference["elementary_vs_rest"]
    assert row["estimate"] == pytest.approx(expected["estimate"], rel=1e-10)
    assert row["statistic"] == pytest.approx(expected["t"], rel=1e-10)
    # equal weights give the unweighted Welch t (scipy), so the weights are what moved it
    unweighted = compare_groups(components, *labels, method)
    plain = unweighted[(unweighted.test == "area_vs_all") & (unweighted.construct == COMPONENTS[0])]
    plain = plain.set_index("group_a").loc["E"]
    values = components[COMPONENTS[0]]
    welch = stats.ttest_ind(values[area == "E"], values[area != "E"], equal_var=False)
    assert plain["statistic"] == pytest.approx(welch.statistic, rel=1e-10)
    assert abs(plain["statistic"] - row["statistic"]) > 0.05
