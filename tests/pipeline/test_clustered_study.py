"""Simulation study of the index's intervals under clustered recruitment, over many seeds.

Fieldwork reaches respondents through units (wijkteams, organisations), and people in one
unit share an effect. Design: a generating model with 30 areas; each area has its own
intraclass correlation of the general attitude within units, between 0.05 and 0.20 (the
simulator's ``unit_icc``). A unit's effect is one of 21 equally likely quantiles of its
normal distribution, and per area x side x quantile a pool of simulated respondents goes the
estimator's way (nonresponse, 'weet niet', careless respondents, reverse keys, half rule,
goalposts) to components. The population of an area x side is the equal mixture of its
quantile pools, so the true index is the estimator on all pools together: the area's value
over all units that could have been reached.

Each sample reaches 2 to 6 units per side and area with unequal sizes (Dirichlet shares of
30 to 50 respondents, at least 2 a unit) plus about 10% individuals (units of one); a unit
draws its quantile at random and its respondents with replacement from that quantile's pool.

- no true change: both waves are drawn from the same pools, with new units (true change 0);
- true change: the second wave comes from pools whose latent levels are raised by 0.5 and
  1.1 SD, mixed per respondent with the weight that raises the true index by exactly 10
  points in every area (solved by bisection; component means are linear in the weight);
- without clustering: the same design with a unit ICC of 0 (unit codes present).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.instrument import load_instrument
from samenspel.instrument.model import Area, AreaRegistry
from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.estimate import (
    components_of_answers,
    hybridisation_index,
    indices_from_means,
)
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.score import clean_answers
from samenspel.pipeline.simulation.simulate import (
    GENERAL_VARIANCE,
    SimulationSettings,
    add_response_behaviour,
    draw_model,
    generate_cell,
)

AREAS = 30
QUANTILES = stats.norm.ppf((np.arange(21) + 0.5) / 21)
POOL = 120  # respondents per area x side x quantile
REPLICATES = 400
NULL_SEEDS = range(60)
CHANGE_SEEDS = range(100, 130)
TRUE_CHANGE = 10.0
UNITS_PER_SIDE = (2, 6)  # units reached per side and area, fewest and most
INDIVIDUAL_SHARE = 0.1
SIDES = ("professional", "informal")


@dataclass
class Population:
    """Component pools (areas, sides, quantiles, POOL, 7) and the true index per area."""

    pools: np.ndarray
    truth: np.ndarray


def area_iccs(unit_icc: float | None) -> np.ndarray:
    """Per area: the given ICC, or ICCs spread evenly over 0.05-0.20."""
    if unit_icc is not None:
        return np.full(AREAS, unit_icc)
    return np.linspace(0.05, 0.20, AREAS)


def population(instrument, method, model, iccs, seed) -> Population:
    rng = np.random.default_rng(seed)
    frames = []
    levels = model.levels.set_index(["area", "side"])["h"]
    areas = sorted(model.levels["area"].unique())
    for a, area in enumerate(areas):
        sd = np.sqrt(GENERAL_VARIANCE * iccs[a] / (1 - iccs[a]))
        for side in SIDES:
            effects = np.repeat(sd * QUANTILES, POOL)
            cell = generate_cell(
                instrument, model, float(levels[(area, side)]), side, len(effects), rng, effects
            )
            cell, _ = add_response_behaviour(instrument, cell, model.settings, rng)
            frames.append(cell)
    answers = clean_answers(pd.concat(frames, ignore_index=True), instrument)
    components = components_of_answers(answers, instrument, method)[list(COMPONENTS)]
    pools = components.to_numpy().reshape(AREAS, 2, len(QUANTILES), POOL, len(COMPONENTS))
    return Population(pools, true_index(pools, method))


def component_means(pools: np.ndarray) -> np.ndarray:
    """Nan-aware component means per area x side over all quantile pools."""
    return np.nanmean(pools.reshape(AREAS, 2, -1, len(COMPONENTS)), axis=2)


def true_index(pools: np.ndarray, method) -> np.ndarray:
    return indices_from_means(component_means(pools), method)["index"]


def draw(pools: np.ndarray, rng: np.random.Generator, weight=None, other=None):
    """One wave: components, area, side and unit labels of a clustered sample.

    With ``other`` and ``weight`` (per area), each respondent comes from ``other`` with the
    area's weight (a mixture population), keeping the unit's quantile.
    """
    parts, labels = [], []
    for a in range(AREAS):
        for s, side in enumerate(SIDES):
            k = int(rng.integers(UNITS_PER_SIDE[0], UNITS_PER_SIDE[1] + 1))
            n = int(rng.integers(30, 51))
            sizes = np.maximum(2, np.round(rng.dirichlet(np.full(k, 2.0)) * n).astype(int))
            individuals = int(rng.binomial(n, INDIVIDUAL_SHARE))
            unit = np.concatenate([np.repeat(np.arange(k), sizes), -np.ones(individuals, int)])
            quantile = rng.integers(0, len(QUANTILES), k)[np.maximum(unit, 0)]
            quantile[unit < 0] = rng.integers(0, len(QUANTILES), individuals)
            rows = rng.integers(0, POOL, len(unit))
            values = pools[a, s, quantile, rows]
            if other is not None:
                moved = rng.random(len(unit)) < weight[a]
                values[moved] = other[a, s, quantile[moved], rows[moved]]
            parts.append(values)
            codes = np.where(unit >= 0, [f"a{a}-{side}-{u}" for u in unit], "individual")
            labels.append(pd.DataFrame({"area": f"a{a:02d}", "side": side, "unit": codes}))
    frame = pd.concat(labels, ignore_index=True)
    return pd.DataFrame(np.concatenate(parts), columns=list(COMPONENTS)), frame


def estimate(waves, method, seed: int, units: bool = True):
    components = pd.concat([c for c, _ in waves], ignore_index=True)
    labels = pd.concat(
        [lab.assign(wave=f"w{i + 1}") for i, (_, lab) in enumerate(waves)], ignore_index=True
    )
    result = hybridisation_index(
        components,
        labels["area"],
        labels["wave"],
        labels["side"],
        method,
        replicates=REPLICATES,
        seed=seed,
        unit=labels["unit"] if units else None,
    )
    return result, index_change(result, method)


def build_study(unit_icc: float | None):
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    method = load_methodology()
    registry = AreaRegistry(
        tuple(Area(f"a{i:02d}", f"Area {i}", "GM0363", "Amsterdam", "wijk") for i in range(AREAS)),
        "study",
    )
    settings = SimulationSettings(waves=("w1",), model_seed=17, wave_change=0.0)
    model = draw_model(instrument, registry, settings)
    iccs = area_iccs(unit_icc)
    base = population(instrument, method, model, iccs, seed=[17, 1])
    lifted = []
    for position, lift in enumerate((0.5, 1.1)):
        levels = model.levels.assign(h=model.levels["h"] + lift)
        moved = population(
            instrument, method, replace(model, levels=levels), iccs, [17, 2 + position]
        )
        lifted.append(moved.pools)
    means = [component_means(pools) for pools in lifted]
    base_means = component_means(base.pools)

    def true_change(weight: np.ndarray) -> np.ndarray:
        mixed = means[0] + weight[:, None, None] * (means[1] - means[0])
        return indices_from_means(mixed, method)["index"] - base.truth

    low, high = np.zeros(AREAS), np.ones(AREAS)
    assert (true_change(low) < TRUE_CHANGE).all() and (true_change(high) > TRUE_CHANGE).all()
    for _ in range(60):
        middle = (low + high) / 2
        above = true_change(middle) > TRUE_CHANGE
        high, low = np.where(above, middle, high), np.where(above, low, middle)
    weight = (low + high) / 2
    assert np.allclose(true_change(weight), TRUE_CHANGE, atol=1e-6)
    assert np.isfinite(base_means).all()
    return method, base, lifted, weight


def run(study, seeds, changed: bool, units: bool = True):
    method, base, lifted, weight = study
    covered = total = 0
    changes = []
    truth_w1 = pd.Series(base.truth, index=[f"a{a:02d}" for a in range(AREAS)])
    truth_w2 = truth_w1 + (TRUE_CHANGE if changed else 0.0)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        first = draw(base.pools, rng)
        second = draw(lifted[0], rng, weight, lifted[1]) if changed else draw(base.pools, rng)
        result, change = estimate([first, second], method, seed, units)
        table = result.table
        truth = np.where(
            table["wave"] == "w1", table["area"].map(truth_w1), table["area"].map(truth_w2)
        )
        inside = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
        covered += int(inside.sum())
        total += len(inside)
        changes.append(change)
    return covered / total, pd.concat(changes, ignore_index=True)


@pytest.fixture(scope="module")
def clustered():
    return build_study(None)


@pytest.fixture(scope="module")
def clustered_null(clustered):
    return run(clustered, NULL_SEEDS, changed=False)


@pytest.fixture(scope="module")
def clustered_change(clustered):
    return run(clustered, CHANGE_SEEDS, changed=True)


@pytest.mark.slow
def test_clustered_intervals_cover_the_truth(clustered_null, clustered_change):
    coverage = (clustered_null[0] * len(NULL_SEEDS) + clustered_change[0] * len(CHANGE_SEEDS)) / (
        len(NULL_SEEDS) + len(CHANGE_SEEDS)
    )
    print(f"clustered recruitment, ICC 0.05-0.20: coverage of the 95% CI {coverage:.3f}")
    assert abs(coverage - 0.95) <= 0.03


@pytest.mark.slow
def test_clustered_no_true_change_flags_at_most_five_percent(clustered_null):
    change = clustered_null[1]
    flagged = change["significant"].mean()
    covered = ((change.ci_low <= 0) & (change.ci_high >= 0)).mean()
    unadjusted = (change["p"] < 0.05).mean()
    print(
        f"clustered, no true change, {len(change)} area tests: {flagged:.2%} flagged after FDR, "
        f"{unadjusted:.2%} with p < .05; the change CI covers 0 in {covered:.3f}"
    )
    assert flagged <= 0.05
    assert unadjusted <= 0.08
    assert abs(covered - 0.95) <= 0.03


@pytest.mark.slow
def test_clustered_power_for_a_true_change_of_ten_points(clustered_change):
    change = clustered_change[1]
    flagged = change["significant"].mean()
    covered = ((change.ci_low <= TRUE_CHANGE) & (change.ci_high >= TRUE_CHANGE)).mean()
    wrong_way = (change["significant"] & (change["change"] < 0)).mean()
    print(
        f"clustered, true change of 10 points, {len(change)} area tests: power {flagged:.1%} "
        f"after FDR; the change CI covers 10 in {covered:.3f}"
    )
    assert abs(covered - 0.95) <= 0.03
    assert wrong_way == 0
    assert flagged >= 0.3  # stated in the methods page; few units cost power


@pytest.mark.slow
def test_the_same_design_without_clustering_still_passes():
    study = build_study(0.0)
    coverage, change = run(study, range(200, 230), changed=False)
    print(
        f"units without a unit effect: coverage {coverage:.3f}, "
        f"{change['significant'].mean():.2%} flagged"
    )
    assert abs(coverage - 0.95) <= 0.03
    assert change["significant"].mean() <= 0.05


@pytest.mark.slow
def test_resampling_respondents_alone_is_overconfident_under_clustering(clustered):
    """The study has teeth: ignoring the units (the bootstrap without unit codes) covers
    far less than 95% and flags unchanged areas too often."""
    coverage, change = run(clustered, range(300, 320), changed=False, units=False)
    flagged = change["significant"].mean()
    print(f"respondents resampled alone: coverage {coverage:.3f}, {flagged:.2%} flagged")
    assert coverage < 0.88
    assert flagged > 0.05
