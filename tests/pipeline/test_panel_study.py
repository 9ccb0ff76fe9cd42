"""Panel-aware change: a simulation study with its own generating model, and the rules.

The generating model is independent of the package's simulator: per area and side a level
on the logit scale, four listed units with a lasting unit effect (three reached, the same in
both waves), respondents with a lasting person effect and fresh noise per wave, seven
components ``100 expit(offset_j + level + unit + person + noise)`` whose offsets put some of
them near the ceiling (skewed). Half of each unit's respondents answer again in wave 2 (the
same respondent code); the others are new people. A third of the areas has no true change,
a third a moderate one and a third a large one; the true change is the index of the exact
component means (Gauss-Hermite over person and noise, averaged over the four listed units:
the members of the listed units, the estimand of ``uncertainty.units: finite``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from samenspel.pipeline.index.change import CHANGE_COLUMNS, index_change
from samenspel.pipeline.index.estimate import SIDES, hybridisation_index, indices_from_means
from samenspel.pipeline.index.panel import match_panel
from samenspel.pipeline.methodology import COMPONENTS, load_methodology

OFFSETS = np.array([1.5, 0.8, 0.3, 0.0, -0.3, 1.0, 2.0])
WAVES = ["w1", "w2"]


def simulate_panel(areas=300, per_unit=13, panel_share=0.5, seed=1, units_listed=4,
                   units_reached=3, sd_person=0.8, sd_noise=0.6, sd_unit=0.3):  # fmt: skip
    """Responses, the registry's units and the true change per area (see the docstring)."""
    rng = np.random.default_rng(seed)
    k = len(COMPONENTS)
    nodes, node_weights = np.polynomial.hermite_e.hermegauss(40)
    node_weights = node_weights / node_weights.sum()
    spread = np.hypot(sd_person, sd_noise)
    method = load_methodology()
    parts, registry, truth = [], [], []
    for a in range(areas):
        area = f"a{a:03d}"
        kind = a % 3  # 0: no change, 1: moderate, 2: large
        delta = (0.0, rng.uniform(0.25, 0.45), rng.uniform(0.55, 0.9))[kind]
        delta *= rng.choice([-1, 1])
        true_means = np.zeros((len(WAVES), len(SIDES), k))
        for s, side in enumerate(SIDES):
            level = rng.normal(0.3 * (s == 0), 0.5)
            effects = rng.normal(0, sd_unit, units_listed)
            registry += [
                {"code": f"{area}-{s}-{u}", "area": area, "side": side, "members": 25}
                for u in range(units_listed)
            ]
            for w in range(len(WAVES)):
                z = level + w * delta + effects[:, None, None] + OFFSETS + spread * nodes[:, None]
                true_means[w, s] = (100 * expit(z) * node_weights[:, None]).sum(axis=1).mean(axis=0)
            for u in range(units_reached):
                persons = rng.normal(0, sd_person, per_unit)
                codes = np.array([f"{area}-{s}-{u}-{i}" for i in range(per_unit)], dtype=object)
                for w, wave in enumerate(WAVES):
                    if w:
                        new = rng.random(per_unit) >= panel_share
                        persons = np.where(new, rng.normal(0, sd_person, per_unit), persons)
                        codes = np.where(new, codes + "-new", codes)
                    noise = rng.normal(0, sd_noise, (per_unit, k))
                    z = level + w * delta + effects[u] + persons[:, None] + OFFSETS + noise
                    part = pd.DataFrame(100 * expit(z), columns=list(COMPONENTS))
                    part["area"], part["wave"], part["side"] = area, wave, side
                    part["unit"], part["respondent"] = f"{area}-{s}-{u}", codes
                    parts.append(part)
        index = indices_from_means(true_means, method)["index"]
        truth.append({"area": area, "kind": kind, "true_change": index[1] - index[0]})
    return pd.concat(parts, ignore_index=True), pd.DataFrame(registry), pd.DataFrame(truth)


def estimate(frame, registry, replicates=400, respondent=True):
    method = load_methodology()
    return method, hybridisation_index(
        frame[list(COMPONENTS)], frame["area"], frame["wave"], frame["side"], method,
        replicates=replicates, unit=frame["unit"], registry=registry,
        respondent=frame["respondent"] if respondent else None,
    )  # fmt: skip


def test_panel_study_false_change_power_and_coverage():
    frame, registry, truth = simulate_panel()
    method, result = estimate(frame, registry)
    panel = index_change(result, method, WAVES).merge(truth, on="area")
    carry = dataclasses.replace(method, panel_units="carry")
    carried = index_change(result, carry, WAVES).merge(truth, on="area")
    independent = index_change(dataclasses.replace(result, bootstrap=None), method, WAVES)
    independent = independent.merge(truth, on="area")
    assert (panel["panel_units"] == 6).all()  # three units a side, the same in both waves
    assert panel["panel_respondents"].between(20, 60).all()
    assert (independent["change"] == panel["change"]).all()  # the point change is the same
    size = abs(panel["true_change"])
    moderate, large = size.between(5, 10), size >= 10
    assert moderate.sum() >= 50 and large.sum() >= 30
    figures = {}
    for name, table in (("panel", panel), ("carry", carried), ("independent", independent)):
        null = table["kind"] == 0
        covered = (table["ci_low"] <= table["true_change"]) & (
            table["true_change"] <= table["ci_high"]
        )
        figures[name] = {
            "false change": table.loc[null, "significant"].mean(),
            "power 5-10": table.loc[moderate, "significant"].mean(),
            "power >= 10": table.loc[large, "significant"].mean(),
            "coverage": covered.mean(),
            "median half-width": ((table["ci_high"] - table["ci_low"]) / 2).median(),
        }
    print(f"areas: {len(panel)}, no change {(panel['kind'] == 0).sum()}, 5-10 points "
          f"{moderate.sum()}, >= 10 points {large.sum()}")  # fmt: skip
    print({name: {k: round(float(v), 3) for k, v in f.items()} for name, f in figures.items()})
    # The default (change.panel_units: independent) pairs the respondents and draws the
    # teams' effects anew: in this study the teams keep their standing, so it is
    # conservative (coverage above 98%) but already more powerful than independent waves.
    # `carry` is right here (and only where teams keep their standing: see
    # test_clustered_study, where they do not and the default holds).
    for name in ("panel", "carry"):
        assert figures[name]["false change"] <= 0.05
        assert figures[name]["power 5-10"] > figures["independent"]["power 5-10"]
        assert figures[name]["power >= 10"] >= figures["independent"]["power >= 10"]
        assert figures[name]["median half-width"] < figures["independent"]["median half-width"]
    assert 0.92 <= figures["panel"]["coverage"] <= 0.995
    assert 0.92 <= figures["carry"]["coverage"] <= 0.98
    assert figures["carry"]["power 5-10"] >= figures["panel"]["power 5-10"]


@pytest.fixture(scope="module")
def small():
    frame, registry, _ = simulate_panel(areas=6, per_unit=5, seed=3)
    return frame, registry


def test_wave_figures_do_not_use_the_respondent_codes(small):
    frame, registry = small
    _, with_codes = estimate(frame, registry, replicates=50)
    _, without = estimate(frame, registry, replicates=50, respondent=False)
    pd.testing.assert_frame_equal(with_codes.table, without.table)
    np.testing.assert_array_equal(with_codes.replicates, without.replicates)


def test_change_does_not_depend_on_the_key_or_row_order(small):
    frame, registry = small
    method, result = estimate(frame, registry, replicates=50)
    change = index_change(result, method, WAVES)
    # Another pseudonym key: every code mapped to another, one to one; rows shuffled.
    codes = pd.unique(frame["respondent"])
    renamed = np.random.default_rng(9).permutation(len(codes)).astype(str)
    other = dict(zip(codes, renamed, strict=True))
    shuffled = frame.assign(respondent=frame["respondent"].map(other)).sample(
        frac=1, random_state=4
    )
    _, again = estimate(shuffled.reset_index(drop=True), registry, replicates=50)
    pd.testing.assert_frame_equal(index_change(again, method, WAVES), change)


def test_areas_without_panel_members_keep_the_independent_change(small):
    frame, registry = small
    # Area a000: new respondent codes and other unit codes in wave 2, so nobody is in both.
    moved = (frame["area"] == "a000") & (frame["wave"] == "w2")
    frame = frame.copy()
    frame.loc[moved, "respondent"] += "-moved"
    frame.loc[moved, "unit"] = "individual"
    method, result = estimate(frame, registry, replicates=50)
    change = index_change(result, method, WAVES).set_index("area")
    independent = index_change(dataclasses.replace(result, bootstrap=None), method, WAVES)
    independent = independent.set_index("area")
    assert change.loc["a000", ["panel_respondents", "panel_units"]].tolist() == [0, 0]
    figures = ["ci_low", "ci_high", "p"]
    assert change.loc["a000", figures].tolist() == independent.loc["a000", figures].tolist()
    others = change.index != "a000"
    assert (change.loc[others, "panel_respondents"] > 0).all()
    assert not np.allclose(change.loc[others, "ci_low"], independent.loc[others, "ci_low"])
    assert list(change.reset_index().columns) == list(CHANGE_COLUMNS)


def test_panel_counts_by_hand():
    # Two areas; in x the professionals p1, p2 answer twice (p3 only in wave 1), unit T in
    # both waves; informal actor i1 twice, in another area in wave 2 (not a panel member).
    def row(area, wave, side, unit, respondent):
        return {**dict.fromkeys(COMPONENTS, 50.0), "area": area, "wave": wave, "side": side,
                "unit": unit, "respondent": respondent}  # fmt: skip

    rows = [
        row("x", "w1", "professional", "T", "p1"), row("x", "w1", "professional", "T", "p2"),
        row("x", "w1", "professional", "U", "p3"), row("x", "w2", "professional", "T", "p1"),
        row("x", "w2", "professional", "T", "p2"), row("x", "w1", "informal", "O", "i1"),
        row("x", "w2", "informal", "O", "i9"), row("y", "w2", "informal", "O2", "i1"),
        row("y", "w1", "informal", "O2", "i8"), row("y", "w1", "professional", "V", ""),
        row("y", "w2", "professional", "V", ""),
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    registry = pd.DataFrame(
        {"code": ["T", "U", "O", "O2", "V"], "area": ["x", "x", "x", "y", "y"],
         "side": ["professional", "professional", "informal", "informal", "professional"]}
    )  # fmt: skip
    _, result = estimate(frame, registry, replicates=20)
    matches = match_panel(result.bootstrap, ["x", "y"], "w1", "w2")
    # x: p1 and p2; units T and O. y: no respondent (blank codes never match); O2 and V.
    assert matches.counts.respondents.tolist() == [2, 0]
    assert matches.counts.units.tolist() == [2, 2]
