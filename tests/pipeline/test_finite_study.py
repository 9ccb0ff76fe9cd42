"""Simulation study of the index for the members of an area's listed units (finite units,
design weights, the 0-100 scale), with a generating model of its own.

Generating model (independent of the pipeline's simulator): per area and side, four listed
units of 10-40 members. A member's answer on component c is ``100 * expit(theta + e)``
with ``theta = level_area + offset_c + unit effect + member effect`` (SDs 0.4 and 0.6 on
the logit scale) and a fresh measurement error ``e`` (SD 0.8) in every survey. The estimand
is the index of the members of the area's listed units now: the components are the means
over all members of their expected answers (Gauss-Hermite quadrature over ``e``), turned
into the index by :func:`indices_from_means` (the index's definition). A third of the
areas sit near the ceiling (levels of about 3 on the logit scale, components around 95).

Scenarios, each over SEEDS populations of AREAS areas:

- all units reached, half the members of each answering;
- two of the four units reached at random, half their members answering;
- all units reached, units with a higher level answering more (a share of 15-85% of their
  members): unweighted means over-represent them, the registry's members weight them back.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from samenspel.pipeline.index.estimate import hybridisation_index, indices_from_means
from samenspel.pipeline.methodology import COMPONENTS, load_methodology

AREAS = 90
SEEDS = range(16)
REPLICATES = 300
UNITS = 4
UNIT_SD, MEMBER_SD, ERROR_SD = 0.4, 0.6, 0.8
SIDES = ("professional", "informal")
OFFSETS = np.array([0.6, -0.3, 0.0, 0.3, -0.6, 0.2, -0.1])  # per component, logit scale
NODES, NODE_WEIGHTS = np.polynomial.hermite_e.hermegauss(30)
NODE_WEIGHTS = NODE_WEIGHTS / NODE_WEIGHTS.sum()


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def population(rng: np.random.Generator) -> dict:
    """Members' true scores and units; the true area index and component means."""
    levels = np.where(np.arange(AREAS) % 3 == 0, 3.0, rng.uniform(-0.8, 1.2, AREAS))
    members = rng.integers(10, 41, (AREAS, 2, UNITS))
    rows = []
    truth_means = np.zeros((AREAS, 2, len(COMPONENTS)))
    for a in range(AREAS):
        for s in range(2):
            unit_effect = UNIT_SD * rng.standard_normal(UNITS)
            unit = np.repeat(np.arange(UNITS), members[a, s])
            theta = (
                levels[a]
                + OFFSETS
                + unit_effect[unit, None]
                + MEMBER_SD * rng.standard_normal((len(unit), len(COMPONENTS)))
            )
            expected = 100 * (expit(theta[..., None] + ERROR_SD * NODES) @ NODE_WEIGHTS)
            truth_means[a, s] = expected.mean(axis=0)
            rows.append((a, s, unit, theta, unit_effect))
    truth = indices_from_means(truth_means, METHOD)
    return {"rows": rows, "members": members, "truth": truth, "means": truth_means}


def sample(pop: dict, rng: np.random.Generator, scenario: str) -> pd.DataFrame:
    frames = []
    for a, s, unit, theta, unit_effect in pop["rows"]:
        reached = np.arange(UNITS)
        if scenario == "two of four":
            reached = rng.choice(UNITS, 2, replace=False)
        share = np.full(UNITS, 0.5)
        if scenario == "unequal response":
            share = 0.15 + 0.7 * expit(3 * unit_effect / UNIT_SD)
        for u in reached:
            mine = np.flatnonzero(unit == u)
            count = max(2, rng.binomial(len(mine), share[u]))
            chosen = rng.choice(mine, count, replace=False)
            error = ERROR_SD * rng.standard_normal((count, len(COMPONENTS)))
            values = 100 * expit(theta[chosen] + error)
            frame = pd.DataFrame(values, columns=list(COMPONENTS))
            frame["area"], frame["side"], frame["unit"] = f"a{a:02d}", SIDES[s], f"a{a}-{s}-{u}"
            frame["respondent"] = [f"a{a}-{s}-m{m}" for m in chosen]
            frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame["wave"] = "w1"
    return frame


def registry(pop: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"code": f"a{a}-{s}-{u}", "area": f"a{a:02d}", "side": side, "members": int(m)}
            for a in range(AREAS)
            for s, side in enumerate(SIDES)
            for u, m in enumerate(pop["members"][a, s])
        ]
    )


def estimate(frame, units: pd.DataFrame | None, method, clustered: bool = True):
    return hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        method,
        replicates=REPLICATES,
        unit=frame["unit"] if clustered else None,
        registry=units,
    )


METHOD = load_methodology()


def study(scenario: str, compare: bool = False) -> dict:
    """Coverage, half-widths and bias over the seeds; with ``compare`` also the respondent
    bootstrap's half-width and the unweighted estimate's bias."""
    found = {"covered": [], "half": [], "error": [], "near": [], "bounds": [], "plain_error": []}
    found["respondent_half"], found["ceiling"] = [], []
    for seed in SEEDS:
        rng = np.random.default_rng([2026, seed, len(scenario)])
        pop = population(rng)
        frame = sample(pop, rng, scenario)
        result = estimate(frame, registry(pop), METHOD)
        table = result.table
        truth = pop["truth"]["index"]
        inside_index = (table.ci_low <= truth) & (truth <= table.ci_high)
        found["covered"] += list(inside_index)
        found["ceiling"] += list(inside_index[np.arange(AREAS) % 3 == 0])
        found["half"] += list((table.ci_high - table.ci_low) / 2)
        found["error"] += list(table["index"] - truth)
        sides = result.sides
        found["bounds"] += [sides["ci_low"].min(), sides["ci_high"].max()]
        parts = sides[sides.measure.str.startswith("component_")].copy()
        c = parts.measure.str.removeprefix("component_").map(COMPONENTS.index).to_numpy()
        a = parts.area.str[1:].astype(int).to_numpy()
        s = parts.side.map(SIDES.index).to_numpy()
        true_value = pop["means"][a, s, c]
        near = true_value >= 90
        inside = (parts.ci_low <= true_value) & (true_value <= parts.ci_high)
        found["near"] += list(inside[near])
        if compare:
            plain = estimate(frame, None, METHOD)  # no weights
            found["plain_error"] += list(plain.table["index"] - truth)
            respondents = estimate(frame, None, METHOD, clustered=False)
            half = (respondents.table.ci_high - respondents.table.ci_low) / 2
            found["respondent_half"] += list(half)
    return {key: np.asarray(value, dtype=float) for key, value in found.items()}


@pytest.fixture(scope="module")
def all_reached():
    return study("all reached", compare=True)


@pytest.fixture(scope="module")
def two_of_four():
    return study("two of four")


@pytest.fixture(scope="module")
def unequal_response():
    return study("unequal response", compare=True)


def describe(name: str, found: dict) -> None:
    print(
        f"{name}: coverage {found['covered'].mean():.3f} of {found['covered'].size} area "
        f"indices (areas near the ceiling {found['ceiling'].mean():.3f}), mean half-width "
        f"{found['half'].mean():.2f}; components with truth >= 90: "
        f"coverage {found['near'].mean():.3f} of {found['near'].size}; bias "
        f"{found['error'].mean():+.2f}; intervals within "
        f"{np.nanmin(found['bounds']):.1f}-{np.nanmax(found['bounds']):.1f}"
    )


@pytest.mark.slow
def test_all_units_reached(all_reached):
    describe("all units reached", all_reached)
    print(
        f"  respondent bootstrap (no units, no weights): mean half-width "
        f"{all_reached['respondent_half'].mean():.2f}"
    )
    assert 0.92 <= all_reached["covered"].mean() <= 0.98
    # Components near the ceiling: the percentile interval of a skewed mean of about 50
    # respondents falls somewhat short (measured 0.92); see the methods page.
    assert 0.90 <= all_reached["near"].mean() <= 0.99
    assert np.nanmin(all_reached["bounds"]) >= 0 and np.nanmax(all_reached["bounds"]) <= 100


@pytest.mark.slow
def test_two_of_four_units_reached(two_of_four):
    describe("two of four units reached", two_of_four)
    assert 0.92 <= two_of_four["covered"].mean() <= 0.98
    # Near the ceiling this model's unit effects are larger on the logit scale than in the
    # middle, and the interval, which pools them, falls short (measured 0.91-0.92).
    assert two_of_four["ceiling"].mean() >= 0.88
    assert two_of_four["near"].mean() >= 0.90
    assert np.nanmin(two_of_four["bounds"]) >= 0 and np.nanmax(two_of_four["bounds"]) <= 100


@pytest.mark.slow
def test_weights_remove_the_bias_of_unequal_response(unequal_response):
    describe("unequal response by level", unequal_response)
    weighted = unequal_response["error"].mean()
    plain = unequal_response["plain_error"].mean()
    print(f"  bias of the area index: weighted {weighted:+.2f}, unweighted {plain:+.2f}")
    assert abs(weighted) <= 0.5
    assert plain > 1.0  # the study has teeth: without weights the index is too high
    assert 0.92 <= unequal_response["covered"].mean() <= 0.98
    assert unequal_response["near"].mean() >= 0.87  # measured 0.885; see the methods page


def test_superpopulation_keeps_todays_wider_intervals():
    """uncertainty.units: superpopulation adds the between-unit variance back when every
    unit answered (today's behaviour); finite leaves it out."""
    rng = np.random.default_rng([2026, 99])
    pop = population(rng)
    frame = sample(pop, rng, "all reached")
    units = registry(pop)
    finite = estimate(frame, units, METHOD).table
    superpopulation = estimate(frame, units, replace(METHOD, units="superpopulation")).table
    ratio = (finite.ci_high - finite.ci_low) / (superpopulation.ci_high - superpopulation.ci_low)
    print(f"finite / superpopulation half-width when every unit answered: {ratio.mean():.2f}")
    assert ratio.mean() < 0.9
