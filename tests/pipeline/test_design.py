"""Units nested in areas: between- and within-unit covariance against R, design effects by
hand, and the two-stage bootstrap's variance against Kish's formula."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import FIXTURES, LIKERT_MODEL, load

from samenspel.pipeline.index.design import (
    design_effect,
    mean_unit_size,
    unit_codes,
    unit_covariance,
    unit_effect_pool,
)
from samenspel.pipeline.index.estimate import hybridisation_index, side_score_weights
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.psychometrics.aggregation import intraclass_correlations, scale_means

METHOD = load_methodology()
GOLDEN = json.loads((FIXTURES / "r" / "design.json").read_text())


def units_data(name: str = "units") -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    data = pd.read_csv(FIXTURES / "datasets" / f"{name}.csv")
    return data, pd.factorize(data["stratum"])[0], pd.factorize(data["unit"])[0]


def test_between_and_within_unit_covariance_match_r_aov():
    data, stratum, unit = units_data()
    covariance = unit_covariance(data[["y1", "y2"]].to_numpy(), stratum, unit)
    assert covariance.units - covariance.strata == GOLDEN["y1"]["df_between"]
    for j, y in enumerate(("y1", "y2")):
        assert covariance.within[j, j] == pytest.approx(GOLDEN[y]["msw"], rel=1e-9)
        assert covariance.between[j, j] == pytest.approx(GOLDEN[y]["between"], rel=1e-6)
        assert covariance.icc()[j] == pytest.approx(GOLDEN[y]["icc"], abs=1e-6)
    # The covariance from var(y1 + y2) = var(y1) + var(y2) + 2 cov(y1, y2).
    cov12 = (GOLDEN["sum"]["between"] - GOLDEN["y1"]["between"] - GOLDEN["y2"]["between"]) / 2
    assert covariance.between[0, 1] == pytest.approx(cov12, rel=1e-6)
    assert covariance.icc(np.array([1.0, 1.0])) == pytest.approx(GOLDEN["sum"]["icc"], abs=1e-6)


def test_balanced_units_match_lme4_reml():
    data, stratum, unit = units_data("units_balanced")
    covariance = unit_covariance(data[["y1", "y2"]].to_numpy(), stratum, unit)
    for j, y in enumerate(("y1", "y2")):
        reml = GOLDEN[f"reml_{y}"]
        assert covariance.between[j, j] == pytest.approx(reml["between"], rel=1e-4)
        assert covariance.within[j, j] == pytest.approx(reml["within"], rel=1e-4)


def test_one_stratum_agrees_with_the_r_checked_one_way_anova():
    """With a single stratum the mean squares are those of the one-way ANOVA behind ICC(1)
    (checked against R in tests/r/golden.R); the ICC uses Searle's n0 for unequal cluster
    sizes where ICC(1) uses the mean size."""
    data = load("likert")
    scores = scale_means(data, LIKERT_MODEL, 1, 5).dropna()
    area = data.loc[scores.index, "area"]
    covariance = unit_covariance(
        scores.to_numpy(), np.zeros(len(scores), int), pd.factorize(area)[0]
    )
    expected = intraclass_correlations(data.loc[scores.index], LIKERT_MODEL, "area", 1, 5)
    sizes = area.value_counts().to_numpy()
    n0 = (sizes.sum() - (sizes**2).sum() / sizes.sum()) / (len(sizes) - 1)
    f = expected["f"].to_numpy()  # MSB / MSW
    assert covariance.icc() == pytest.approx((f - 1) / (f + n0 - 1), abs=1e-9)


def test_stratum_differences_do_not_count_as_unit_differences():
    data, stratum, unit = units_data()
    shifted = data[["y1", "y2"]].to_numpy() + 100.0 * stratum[:, None]
    assert unit_covariance(shifted, stratum, unit).icc() == pytest.approx(
        unit_covariance(data[["y1", "y2"]].to_numpy(), stratum, unit).icc()
    )


def test_without_two_units_in_a_stratum_nothing_is_estimated():
    values = np.arange(12, dtype=float).reshape(6, 2)
    covariance = unit_covariance(values, np.arange(6) // 2, np.arange(6) // 2)
    assert covariance.df == 0
    assert (covariance.between == 0).all()
    pooled = covariance.pooled_with(0.2, 10)
    assert np.diag(pooled.between) == pytest.approx(0.25 * np.diag(covariance.within))


def test_design_effect_by_hand():
    # units of 10, 10 and 1 (an individual): m = (100 + 100 + 1) / 21
    assert mean_unit_size(np.array([10, 10, 1])) == pytest.approx(201 / 21)
    assert design_effect(np.array([10, 10, 1]), 0.1) == pytest.approx(1 + (201 / 21 - 1) * 0.1)
    assert design_effect(np.array([1, 1, 1]), 0.5) == 1.0


def test_unit_codes_make_every_unlisted_respondent_a_unit_of_one():
    unit = pd.Series(["t1", "t1", "individual", "", None, "t1", "t2"])
    stratum = np.array([0, 0, 0, 0, 0, 1, 1])
    codes = unit_codes(unit, stratum)
    assert codes[0] == codes[1]  # one unit
    assert codes[5] != codes[0]  # the same code in another stratum is another unit
    assert len(set(codes[2:5])) == 3  # individuals and blanks: each their own


def test_effect_pool_has_the_between_unit_covariance():
    data, stratum, unit = units_data()
    covariance = unit_covariance(data[["y1", "y2"]].to_numpy(), stratum, unit)
    rng = np.random.default_rng(1)
    for minimum in (5, 1000):  # the units' own residuals, then normal draws
        pool = unit_effect_pool(covariance, rng, minimum=minimum).astype(float)
        spread = np.cov(pool.T, ddof=1 if minimum == 5 else 0)
        tolerance = 1e-4 if minimum == 5 else 0.1
        assert spread == pytest.approx(covariance.between, rel=tolerance, abs=tolerance)


def test_two_stage_bootstrap_variance_is_kish_design_effect_times_srs():
    """One component, units of unequal size: the bootstrap SD of a side's mean equals
    sqrt(deff * within-stratum variance / n) with the estimated ICC."""
    rng = np.random.default_rng(4)
    sizes = [12, 7, 4, 9, 2, 1, 1]
    rows, units, areas = [], [], []
    for area in range(40):
        for u, size in enumerate(sizes):
            rows.append(rng.normal(50 + rng.normal(0, 6), 15, size))
            units += [f"a{area}-{u}" if size > 1 else "individual"] * size
            areas += [f"a{area:02d}"] * size
    values = np.concatenate(rows)
    components = pd.DataFrame({c: values for c in COMPONENTS})
    n = len(values)
    labels = dict(area=pd.Series(areas), wave=pd.Series(["w"] * n))
    side = pd.Series(["professional"] * n)
    result = hybridisation_index(
        components, labels["area"], labels["wave"], side, METHOD, replicates=2000,
        unit=pd.Series(units),
    )  # fmt: skip
    design = result.design[result.design.side == "professional"]
    icc = design["icc"].iloc[0]
    assert 0.05 < icc < 0.3
    measures = result.sides[
        (result.sides.side == "professional") & (result.sides.measure == "side_index")
    ]
    width = (measures.ci_high - measures.ci_low).to_numpy()
    frame = pd.DataFrame({"y": values, "area": areas})
    variance = frame.groupby("area")["y"].var(ddof=0).to_numpy()
    expected = 2 * 1.96 * np.sqrt(design["design_effect"].to_numpy() * variance / 36)
    assert np.median(width / expected) == pytest.approx(1.0, abs=0.05)
    assert (design["interval"] == "units").all()
    assert design["units"].iloc[0] == 5 and design["individuals"].iloc[0] == 2


def test_without_unit_codes_results_are_exactly_as_before():
    rng = np.random.default_rng(2)
    n = 400
    components = pd.DataFrame(rng.uniform(0, 100, (n, len(COMPONENTS))), columns=COMPONENTS)
    area = pd.Series(np.repeat([f"a{i}" for i in range(5)], n // 5))
    wave = pd.Series(["w1"] * n)
    side = pd.Series(np.tile(["professional", "informal"], n // 2))
    plain = hybridisation_index(components, area, wave, side, METHOD, replicates=300)
    blank = hybridisation_index(
        components, area, wave, side, METHOD, replicates=300,
        unit=pd.Series([""] * (n // 2) + ["individual"] * (n // 2)),
    )  # fmt: skip
    pd.testing.assert_frame_equal(plain.table, blank.table)
    assert set(blank.design["interval"]) == {"respondents"}
    assert blank.unit_icc.empty


def test_side_score_weights_follow_the_pillars():
    weights = side_score_weights(METHOD)
    assert weights.sum() == pytest.approx(1.0)
    # three pillars weighing 1 each: attitudes has 3 components, practice 1
    assert weights[COMPONENTS.index("TRU")] == pytest.approx(1 / 9)
    assert weights[COMPONENTS.index("COL")] == pytest.approx(1 / 3)
