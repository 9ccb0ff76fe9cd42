"""Simulation studies of the index's uncertainty and of change detection, over many seeds.

Design (docs/methodology.md, section 11): a generating model with 30 areas; per area x side x wave a
pool of 2,000 simulated respondents goes the estimator's way (nonresponse, careless
respondents, reverse keys, half rule, goalposts) to components. Each pool is the
population: the true index is the estimator on the whole pool, and every sample draws 40
respondents per side with replacement from it, so samples are exactly i.i.d. from a known
population and many seeds cost little.

- no true change: both waves are drawn from the same pools (true change exactly 0);
- true change: the second wave's population per area is a mixture of two pools whose latent
  levels are raised by 0.5 and 1.1 SD; the component means of a mixture are linear in its
  weight, so the weight that makes the true index rise by exactly 10 points is solved per
  area by bisection.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.instrument import load_instrument
from samenspel.instrument.model import Area, AreaRegistry
from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.estimate import hybridisation_index, indices_from_means
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model
from samenspel.pipeline.simulation.truth import component_pool, index_of_pool

AREAS = 30
PER_SIDE = 40
POOL = 2000
REPLICATES = 400
NULL_SEEDS = range(100)
CHANGE_SEEDS = range(100, 140)
TRUE_CHANGE = 10.0


def study_areas(count: int) -> AreaRegistry:
    return AreaRegistry(
        tuple(Area(f"a{i:02d}", f"Area {i}", "GM0363", "Amsterdam", "wijk") for i in range(count)),
        "study",
    )


def shifted(model, shift: pd.Series):
    """The model with wave w2's levels raised by ``shift`` (per area, latent SD units)."""
    levels = model.levels.copy()
    later = levels.wave == "w2"
    levels.loc[later, "h"] += levels.loc[later, "area"].map(shift).to_numpy()
    return replace(model, levels=levels)


@pytest.fixture(scope="module")
def study():
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    method = load_methodology()
    settings = SimulationSettings(
        waves=("w1", "w2"), per_side=PER_SIDE, model_seed=11, wave_change=0.0, wave_drift=0.0
    )
    model = draw_model(instrument, study_areas(AREAS), settings)
    first = model.levels.wave == "w1"
    base = component_pool(
        instrument, replace(model, levels=model.levels[first]), method, POOL, seed=[11, 1]
    )
    base_truth = index_of_pool(base, method).set_index("area")["index"]
    areas = base_truth.index
    later = []
    for position, lift in enumerate((0.5, 1.1)):
        moved = shifted(model, pd.Series(lift, index=areas))
        later.append(
            component_pool(
                instrument,
                replace(moved, levels=moved.levels[~first]),
                method,
                POOL,
                seed=[11, 2 + position],
            )
        )
    means = [
        pool.groupby(["area", "side"])[list(COMPONENTS)]
        .mean()
        .reindex(pd.MultiIndex.from_product([areas, ["professional", "informal"]]))
        .to_numpy()
        .reshape(len(areas), 2, len(COMPONENTS))
        for pool in later
    ]

    def true_change(weight: np.ndarray) -> np.ndarray:
        mixed = means[0] + weight[:, None, None] * (means[1] - means[0])
        return indices_from_means(mixed, method)["index"] - base_truth.to_numpy()

    low, high = np.zeros(len(areas)), np.ones(len(areas))
    assert (true_change(low) < TRUE_CHANGE).all() and (true_change(high) > TRUE_CHANGE).all()
    for _ in range(60):
        middle = (low + high) / 2
        above = true_change(middle) > TRUE_CHANGE
        high = np.where(above, middle, high)
        low = np.where(above, low, middle)
    weight = pd.Series((low + high) / 2, index=areas)
    change = pd.Series(true_change(weight.to_numpy()), index=areas)
    return method, base, base_truth, (later, weight), change


def sample(pool, wave: str, rng: np.random.Generator) -> pd.DataFrame:
    """PER_SIDE respondents per area x side, drawn with replacement from the pool.

    ``pool`` is a frame, or (two frames, weight per area) for a mixture: each respondent
    comes from the second frame with the area's weight.
    """
    if isinstance(pool, pd.DataFrame):
        pools, weight = [pool], None
    else:
        pools, weight = pool
    groups = [p.groupby(["area", "side"], sort=True).indices for p in pools]
    parts = []
    for key in groups[0]:
        choice = np.zeros(PER_SIDE, dtype=int)
        if weight is not None:
            choice = (rng.random(PER_SIDE) < weight[key[0]]).astype(int)
        for which, source in enumerate(pools):
            index = groups[which][key]
            rows = index[rng.integers(0, len(index), int((choice == which).sum()))]
            parts.append(source.iloc[rows])
    frame = pd.concat(parts, ignore_index=True)
    frame["wave"] = wave
    return frame


def estimate(frame: pd.DataFrame, method, seed: int):
    result = hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        method,
        replicates=REPLICATES,
        seed=seed,
    )
    return result, index_change(result, method)


def run(study, seeds, later_pool, later_truth):
    method, base, base_truth, _, _ = study
    covered = total = 0
    changes = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        frame = pd.concat([sample(base, "w1", rng), sample(later_pool, "w2", rng)])
        result, change = estimate(frame, method, seed)
        truth = np.where(
            result.table["wave"] == "w1",
            result.table["area"].map(base_truth),
            result.table["area"].map(later_truth),
        )
        inside = (result.table["ci_low"] <= truth) & (truth <= result.table["ci_high"])
        covered += int(inside.sum())
        total += len(inside)
        changes.append(change)
    return covered, total, pd.concat(changes, ignore_index=True)


@pytest.fixture(scope="module")
def null_run(study):
    _, base, base_truth, _, _ = study
    return run(study, NULL_SEEDS, base, base_truth)


@pytest.fixture(scope="module")
def change_run(study):
    _, _, base_truth, pool_b, change_b = study
    return run(study, CHANGE_SEEDS, pool_b, base_truth + change_b)


@pytest.mark.slow
def test_true_change_is_calibrated_to_ten_points(study):
    change_b = study[-1]
    print(f"true change: min {change_b.min():.6f}, max {change_b.max():.6f}")
    assert np.allclose(change_b, TRUE_CHANGE, atol=1e-6)


@pytest.mark.slow
def test_area_index_intervals_cover_the_truth(null_run, change_run):
    covered = null_run[0] + change_run[0]
    total = null_run[1] + change_run[1]
    coverage = covered / total
    print(f"coverage of the 95% CI: {coverage:.3f} over {total} area-waves")
    assert abs(coverage - 0.95) <= 0.03


@pytest.mark.slow
def test_no_true_change_flags_at_most_five_percent(null_run):
    change = null_run[2]
    flagged = change["significant"].mean()
    unadjusted = (change["p"] < 0.05).mean()
    covered = ((change.ci_low <= 0) & (change.ci_high >= 0)).mean()
    print(
        f"no true change, {len(change)} area tests: {flagged:.3%} flagged after FDR, "
        f"{unadjusted:.3%} with p < .05 before it; the change CI covers 0 in {covered:.3f}"
    )
    assert flagged <= 0.05
    assert 0.02 <= unadjusted <= 0.08
    assert abs(covered - 0.95) <= 0.03


@pytest.mark.slow
def test_true_change_of_ten_points_is_flagged_in_most_areas(change_run, study):
    change = change_run[2]
    flagged = change["significant"].mean()
    meaningful = change["meaningful"].mean()
    truth = study[-1]
    covered = (
        (change.ci_low <= change.area.map(truth)) & (change.area.map(truth) <= change.ci_high)
    ).mean()
    print(
        f"true change of 10 points, {len(change)} area tests: {flagged:.1%} flagged, "
        f"{meaningful:.1%} meaningful; the change CI covers the true change in {covered:.3f}"
    )
    assert flagged >= 0.9
    assert (change.loc[change.significant, "verdict"] == "increase").mean() >= 0.9
