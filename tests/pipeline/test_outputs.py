"""Comparisons, goal agreement, sensitivity and the planner on small hand-made data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.compare import COMPARISON_COLUMNS, compare_groups, welch_anova
from samenspel.pipeline.index.estimate import hybridisation_index, symmetric_gap_mapping
from samenspel.pipeline.index.goals import goal_agreement
from samenspel.pipeline.index.plan import (
    index_variance_per_respondent,
    plan_sample_size,
    plan_units,
)
from samenspel.pipeline.index.sensitivity import index_sensitivity
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.score import clean_answers
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model, generate_cell

METHOD = load_methodology()
INSTRUMENT = load_instrument(DEFAULT_INSTRUMENT)


def test_symmetric_gap_mapping_by_hand():
    gaps = pd.Series([-9.0, -3.0, 0.0, 1.5, 3.0, 9.0])
    assert symmetric_gap_mapping(gaps, 9).tolist() == pytest.approx(
        [100, 200 / 3, 50, 50 * (1 - 1.5 / 9), 100 / 3, 0]
    )
    # With the goalpost at 3 points, gaps beyond it stay within 0-100.
    assert symmetric_gap_mapping(gaps, 3).tolist() == pytest.approx([100, 100, 50, 25, 0, 0])


def labelled(values: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    parts = []
    for (area, side), column in values.items():
        part = pd.DataFrame({c: column for c in COMPONENTS})
        part["area"], part["side"], part["wave"] = area, side, "w1"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def test_comparisons_match_scipy_and_hand_values():
    rng = np.random.default_rng(4)
    data = labelled(
        {
            ("a", "professional"): rng.normal(60, 10, 30),
            ("a", "informal"): rng.normal(50, 10, 30),
            ("b", "professional"): rng.normal(55, 10, 30),
            ("b", "informal"): rng.normal(52, 10, 30),
            ("c", "professional"): rng.normal(50, 10, 3),  # suppressed in area tests
            ("c", "informal"): rng.normal(50, 10, 30),
        }
    )
    table = compare_groups(data[list(COMPONENTS)], data.area, data.wave, data.side, METHOD)
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    row = table[(table.test == "welch_t") & (table.construct == "TRU")].iloc[0]
    x = data.loc[data.side == "professional", "TRU"]
    y = data.loc[data.side == "informal", "TRU"]
    welch = stats.ttest_ind(x, y, equal_var=False)
    assert row.statistic == pytest.approx(welch.statistic)
    assert row.p == pytest.approx(welch.pvalue)
    pooled = np.sqrt(((len(x) - 1) * x.var() + (len(y) - 1) * y.var()) / (len(x) + len(y) - 2))
    correction = 1 - 3 / (4 * (len(x) + len(y)) - 9)
    assert row.effect_size == pytest.approx((x.mean() - y.mean()) / pooled * correction, rel=1e-3)
    assert row.ci_low < row.effect_size < row.ci_high
    u = table[(table.test == "mann_whitney") & (table.construct == "TRU")].iloc[0]
    expected = pg.mwu(x, y).iloc[0]
    assert (u.statistic, u.p, u.effect_size) == pytest.approx(
        (expected["U_val"], expected["p_val"], expected["RBC"])
    )
    # Holm over the 7 Welch tests (identical columns: identical p): p_adjusted = min(1, 7p)
    assert row.p_adjusted == pytest.approx(min(1.0, 7 * row.p))
    assert row.correction == "holm"
    anova = table[(table.test == "welch_anova") & (table.side == "professional")].iloc[0]
    assert anova.n_a == 2 and "1 area(s) under 5 left out" in anova.note
    assert (table[table.test == "latent_means"].note.str.contains("not been tested")).all()


def test_welch_anova_matches_pingouin():
    rng = np.random.default_rng(9)
    groups = ((50, 8, 12), (55, 15, 30), (47, 5, 9))
    frame = pd.DataFrame(
        {
            "y": np.concatenate([rng.normal(m, s, n) for m, s, n in groups]),
            "g": np.repeat(["a", "b", "c"], [12, 30, 9]),
        }
    )
    expected = pg.welch_anova(data=frame, dv="y", between="g").iloc[0]
    grouped = frame.groupby("g")["y"]
    got = welch_anova(
        grouped.size().to_numpy(float), grouped.mean().to_numpy(), grouped.var().to_numpy()
    )
    assert got["F"] == pytest.approx(expected["F"])
    assert got["df2"] == pytest.approx(expected["ddof2"])
    assert got["p"] == pytest.approx(expected["p_unc"])
    assert got["np2"] == pytest.approx(expected["np2"])


def test_each_area_against_the_rest_of_its_municipality_by_hand():
    rng = np.random.default_rng(5)
    sizes = {"a1": 20, "a2": 25, "a3": 15, "b1": 30}
    data = labelled(
        {(a, "informal"): rng.normal(50 + 5 * (a == "a1"), 10, n) for a, n in sizes.items()}
    )
    municipality = {"a1": "GM0001", "a2": "GM0001", "a3": "GM0001", "b1": "GM0002"}
    table = compare_groups(
        data[list(COMPONENTS)],
        data.area,
        data.wave,
        data.side,
        METHOD,
        municipality_of=municipality,
    )
    screens = table[(table.test == "area_vs_municipality") & (table.construct == "TRU")]
    row = screens.set_index("group_a").loc["a1"]
    rest = data[data.area.isin(["a2", "a3"]) & (data.side == "informal")]["TRU"]
    own = data[data.area == "a1"]["TRU"]
    welch = stats.ttest_ind(own, rest, equal_var=False)
    assert row.statistic == pytest.approx(welch.statistic)
    assert row.p == pytest.approx(welch.pvalue)
    assert row.group_b == "rest of GM0001" and row.n_b == 40
    fdr = stats.false_discovery_control(screens.p.dropna().to_numpy(), method="bh")
    assert sorted(screens.p_adjusted.dropna()) == pytest.approx(sorted(fdr))
    # b1 is the only area of its municipality: said, not computed.
    alone = screens.set_index("group_a").loc["b1"]
    assert np.isnan(alone.p) and alone.note.startswith("not computed: the only area")
    everyone = table[(table.test == "area_vs_all") & (table.construct == "TRU")]
    row = everyone.set_index("group_a").loc["b1"]
    others = data[data.area != "b1"]["TRU"]
    assert row.statistic == pytest.approx(
        stats.ttest_ind(data[data.area == "b1"]["TRU"], others, equal_var=False).statistic
    )


def test_gap_heterogeneity_by_hand():
    rng = np.random.default_rng(6)
    values = {}
    for area, gap in (("a", 0.0), ("b", 8.0), ("c", 2.0)):
        values[(area, "professional")] = rng.normal(50 + gap, 10, 25)
        values[(area, "informal")] = rng.normal(50, 10, 30)
    data = labelled(values)
    table = compare_groups(data[list(COMPONENTS)], data.area, data.wave, data.side, METHOD)
    row = table[(table.test == "gap_heterogeneity") & (table.construct == "OGD")].iloc[0]
    stats_ = data.groupby(["area", "side"])["OGD"].agg(["mean", "var", "size"]).unstack("side")
    gaps = stats_[("mean", "professional")] - stats_[("mean", "informal")]
    weights = 1 / (stats_[("var", "professional")] / 25 + stats_[("var", "informal")] / 30)
    centre = (weights * gaps).sum() / weights.sum()
    q = (weights * (gaps - centre) ** 2).sum()
    assert row.statistic == pytest.approx(q)
    assert row.p == pytest.approx(stats.chi2.sf(q, 2))
    assert row.effect_size == pytest.approx(max(0, (q - 2) / q))


def test_degenerate_cells_are_said_not_computed_and_the_others_go_on():
    rng = np.random.default_rng(7)
    data = labelled(
        {
            ("flat", "professional"): np.full(12, 40.0),  # everyone the same
            ("flat", "informal"): rng.normal(50, 10, 12),
            ("one", "professional"): np.array([55.0]),  # a group of one
            ("one", "informal"): rng.normal(50, 10, 12),
            ("fine", "professional"): rng.normal(60, 10, 12),
            ("fine", "informal"): rng.normal(45, 10, 12),
            ("also", "professional"): rng.normal(50, 10, 12),
            ("also", "informal"): rng.normal(50, 10, 12),
        }
    )
    table = compare_groups(data[list(COMPONENTS)], data.area, data.wave, data.side, METHOD)
    anova = table[(table.test == "welch_anova") & (table.side == "professional")].iloc[0]
    assert anova.n_a == 2 and "everyone gave the same value" in anova.note
    screens = table[table.test == "area_vs_all"].set_index(["group_a", "side", "construct"])
    assert screens.loc[("one", "professional", "TRU"), "note"].startswith("not computed: fewer")
    assert np.isfinite(screens.loc[("fine", "professional", "TRU"), "p"])
    # A side with no spread at all between the two sides' respondents: not computed.
    flat = labelled({("x", s): np.full(10, 30.0) for s in ("professional", "informal")})
    sides = compare_groups(flat[list(COMPONENTS)], flat.area, flat.wave, flat.side, METHOD)
    assert sides[sides.test == "welch_t"].note.str.startswith("not computed").all()


def test_goal_agreement_by_hand():
    answers = pd.DataFrame(
        {
            # professionals: own view all 'guide' (1); they think informal actors say 'take over'
            # informal actors: own view half 'take over' (2), half 'unclear' (4)
            "ind_goal_own": [1.0] * 10 + [2.0] * 5 + [4.0] * 5,
            "ind_goal_other": [2.0] * 10 + [1.0] * 10,
        }
    )
    side = pd.Series(["professional"] * 10 + ["informal"] * 10)
    area, wave = pd.Series(["a"] * 20), pd.Series(["w1"] * 20)
    table = goal_agreement(answers, area, wave, side, METHOD, replicates=200).set_index("measure")
    assert table.loc["agreement_own_views", "value"] == pytest.approx(0.0)
    assert table.loc["professionals_read_informal", "value"] == pytest.approx(50.0)
    assert table.loc["informal_read_professionals", "value"] == pytest.approx(100.0)
    assert table.loc["unclear_informal", "value"] == pytest.approx(50.0)
    assert table.loc["unclear_professional", "value"] == pytest.approx(0.0)
    assert (table.status == "published").all()


def test_sensitivity_ranks_well_separated_areas_stably():
    areas = load_areas(DEFAULT_AREAS)
    model = draw_model(INSTRUMENT, areas, SimulationSettings(waves=("w1",)))
    rng = np.random.default_rng(3)
    parts = []
    for area, h in (("low", -1.5), ("middle", 0.0), ("high", 1.5), ("tiny", 0.0)):
        for side in ("professional", "informal"):
            cell = generate_cell(INSTRUMENT, model, h, side, 3 if area == "tiny" else 60, rng)
            cell["area"], cell["side"], cell["wave"] = area, side, "w1"
            parts.append(cell)
    frame = pd.concat(parts, ignore_index=True)
    answers = clean_answers(frame, INSTRUMENT)
    result = index_sensitivity(
        answers, frame.area, frame.wave, frame.side, INSTRUMENT, METHOD, draws=100
    )
    table = result.table.set_index("area")
    assert table.loc["high", "rank"] == 1 and table.loc["low", "rank"] == 3
    assert table.loc["high", "rank_p95"] == 1 and table.loc["low", "rank_p05"] == 3
    assert table.loc["tiny", "status"] == "suppressed" and np.isnan(table.loc["tiny", "rank"])
    assert "CFA-derived weights were skipped" in result.statements[1]
    with_loadings = index_sensitivity(
        answers, frame.area, frame.wave, frame.side, INSTRUMENT, METHOD, {"TRU": 0.8}, draws=20
    )
    assert not any("skipped" in s for s in with_loadings.statements)


def test_planner_by_hand_and_against_the_bootstrap():
    # P = F = 50, SD 20 a side: n var(I) = 400 / 4 + 400 / 4 = 200
    assert index_variance_per_respondent(
        np.array([50.0]), np.array([50.0]), np.array([20.0]), np.array([20.0]), "geometric"
    )[0] == pytest.approx(200.0)
    rng = np.random.default_rng(8)
    data = labelled(
        {
            (f"a{i}", side): rng.normal(50, 20, 2000)
            for i in range(10)
            for side in ("professional", "informal")
        }
    )
    plan = plan_sample_size(data[list(COMPONENTS)], data.area, data.wave, data.side, METHOD, 3.0)
    # 1.96^2 * 200 / 9 = 85.4 -> 86, give or take the sample SD
    assert plan.n_per_side.between(80, 92).all()
    n = int(plan.n_per_side.median())
    sample = labelled(
        {
            (f"a{i}", side): rng.normal(50, 20, n)
            for i in range(40)
            for side in ("professional", "informal")
        }
    )
    table = hybridisation_index(
        sample[list(COMPONENTS)], sample.area, sample.wave, sample.side, METHOD, replicates=500
    ).table
    half_width = ((table.ci_high - table.ci_low) / 2).mean()
    assert half_width == pytest.approx(3.0, rel=0.08)


def test_unit_planner_by_hand():
    # n var(I) = 200 as above: 86 respondents drawn independently for +-3 points.
    plan = pd.DataFrame({"n_per_side": [86], "half_width": [3.0]})
    units = plan_units(plan, METHOD, icc=0.1).set_index("units_per_side")
    z2 = 1.959963984540054**2
    per_respondent = 86 * 9 / z2
    # Below z^2 V ICC / h^2 = 8.6 units no number of respondents per unit is enough.
    assert units.loc[2:8, "respondents_per_unit"].isna().all()
    for k in (9, 10):
        m = units.loc[k, "respondents_per_unit"]
        half = lambda m, k=k: np.sqrt(z2 * per_respondent * (1 + (m - 1) * 0.1) / (k * m))  # noqa: E731
        assert half(m) <= 3.0 < half(m - 1)
        assert units.loc[k, "design_effect"] == pytest.approx(1 + (m - 1) * 0.1)
    # Without clustering, k units of m respondents need just the 86 in all.
    free = plan_units(plan, METHOD, icc=0.0).set_index("units_per_side")
    assert (free["respondents_per_side"] >= 86).all()
    assert (free["respondents_per_side"] < 86 + free.index).all()


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("p_value: bootstrap_se", "p_value: exact", "change.p_value"),
        ("false_discovery_rate: 0.05", "false_discovery_rate: 5", "change.false_discovery_rate"),
        ("correction: holm", "correction: bonferroni", "comparisons.correction"),
        (
            "[geometric, arithmetic, minimum]",
            "[geometric, harmonic]",
            "sensitivity.side_aggregations",
        ),
        ("[positive_gap, symmetric_gap]", "[positive_gap, absolute]", "sensitivity.igf_mappings"),
    ],
)
def test_methodology_checks_the_new_sections(tmp_path, old, new, where):
    from samenspel.common.problems import ProblemsFound
    from samenspel.pipeline.methodology import DEFAULT_METHODOLOGY

    text = DEFAULT_METHODOLOGY.read_text()
    assert old in text
    path = tmp_path / "methodology.yaml"
    path.write_text(text.replace(old, new))
    with pytest.raises(ProblemsFound) as caught:
        load_methodology(path)
    assert any(where in str(problem) for problem in caught.value.problems)
