"""The index's estimates: random streams keyed by cell (stable past figures), design weights
from the registry's members, finite units, and intervals that stay on the 0-100 scale."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.estimate import hybridisation_index, stream
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.store import open_store
from samenspel.pipeline.methodology import COMPONENTS, load_methodology
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

METHOD = load_methodology()
AREAS = 6
UNITS = 3  # listed units per area and side


def registry(members: int | None = 20) -> pd.DataFrame:
    """UNITS units per area and side, ``members`` each (None: not given)."""
    rows = [
        {"code": f"a{a}-{side}-{u}", "area": f"a{a}", "side": side, "members": members}
        for a in range(AREAS)
        for side in ("professional", "informal")
        for u in range(UNITS)
    ]
    return pd.DataFrame(rows)


def wave_data(wave: str, seed: int, reached: int = 2) -> pd.DataFrame:
    """A clustered wave: ``reached`` of the UNITS units per area and side, 4-9 respondents
    each, plus two individuals; unit effects of about 8 points."""
    rng = np.random.default_rng(seed)
    frames = []
    for a in range(AREAS):
        for side in ("professional", "informal"):
            for u in range(reached):
                n = int(rng.integers(4, 10))
                level = 55 + 8 * rng.standard_normal() + 3 * a
                values = np.clip(level + 15 * rng.standard_normal((n, len(COMPONENTS))), 0, 100)
                frames.append(
                    pd.DataFrame(values, columns=list(COMPONENTS)).assign(unit=f"a{a}-{side}-{u}")
                )
                frames[-1]["area"], frames[-1]["side"] = f"a{a}", side
            alone = np.clip(55 + 15 * rng.standard_normal((2, len(COMPONENTS))), 0, 100)
            frames.append(
                pd.DataFrame(alone, columns=list(COMPONENTS)).assign(
                    unit="individual", area=f"a{a}", side=side
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    frame["wave"] = wave
    frame["respondent"] = [f"{wave}-r{i:04d}" for i in rng.permutation(len(frame))]
    return frame


def run(frame: pd.DataFrame, method=METHOD, replicates: int = 200, members: int | None = 20):
    return hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        method,
        replicates=replicates,
        unit=frame["unit"],
        registry=registry(members),
        cells_per_chunk=2,  # several chunks, so that a chunk's make-up cannot matter
    )


def rows_of(result, wave: str):
    """The tables and replicates of one wave, as bytes-comparable frames."""
    table = result.table[result.table["wave"] == wave].reset_index(drop=True)
    sides = result.sides[result.sides["wave"] == wave].reset_index(drop=True)
    design = result.design[result.design["wave"] == wave].reset_index(drop=True)
    columns = np.flatnonzero(result.table["wave"].to_numpy() == wave)
    return table, sides, design, result.replicates[:, columns].tobytes()


def assert_same(first, second) -> None:
    for a, b in zip(first[:3], second[:3], strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert first[3] == second[3]


@pytest.fixture(scope="module")
def waves():
    return wave_data("2025", 1), wave_data("2026", 2)


def test_a_wave_is_the_same_whether_or_not_a_later_wave_is_in_the_data(waves):
    alone = run(waves[0])
    both = run(pd.concat(waves, ignore_index=True))
    assert_same(rows_of(alone, "2025"), rows_of(both, "2025"))


def test_a_wave_is_the_same_whatever_the_order_of_its_rows(waves):
    one_file = run(pd.concat(waves, ignore_index=True))
    shuffled = waves[0].sample(frac=1.0, random_state=5)
    # wave 2026 ingested as two files, the second before the first
    later = waves[1].iloc[len(waves[1]) // 2 :], waves[1].iloc[: len(waves[1]) // 2]
    two_files = run(pd.concat([later[0], shuffled, later[1]], ignore_index=True))
    for wave in ("2025", "2026"):
        assert_same(rows_of(one_file, wave), rows_of(two_files, wave))
    change = [index_change(r, METHOD) for r in (one_file, two_files)]
    pd.testing.assert_frame_equal(change[0], change[1], check_exact=True)


def test_another_pseudonym_key_gives_the_same_figures(waves):
    """The rows are ordered by unit and values, never by respondent code: a store rebuilt
    with another pseudonym key (other codes, in another order) publishes the same figures."""
    frame = waves[0]
    rekeyed = frame.assign(respondent=frame["respondent"].map(lambda r: f"x{hash(r) % 997}"))
    shuffled = rekeyed.sample(frac=1.0, random_state=8)
    assert_same(rows_of(run(frame), "2025"), rows_of(run(shuffled), "2025"))


def test_streams_depend_on_the_key_and_the_seed_only():
    draw = lambda *key: np.random.default_rng(stream(*key)).integers(0, 1 << 30, 4)  # noqa: E731
    assert (
        draw(1, "cell", "a", "2025", "informal") == draw(1, "cell", "a", "2025", "informal")
    ).all()
    assert (
        draw(1, "cell", "a", "2025", "informal") != draw(2, "cell", "a", "2025", "informal")
    ).any()
    assert (
        draw(1, "cell", "a", "2025", "informal") != draw(1, "cell", "a", "2026", "informal")
    ).any()


def hand_cell() -> pd.DataFrame:
    """One area x side: unit u1 (10 members, 2 answer), u2 (30 members, 3 answer), one
    individual. Weights 5, 10 and the listed respondents' mean (2 * 5 + 3 * 10) / 5 = 8."""
    values = np.array([10.0, 20, 40, 50, 60, 90])
    frame = pd.DataFrame(np.repeat(values[:, None], len(COMPONENTS), axis=1), columns=COMPONENTS)
    frame["unit"] = ["u1", "u1", "u2", "u2", "u2", "individual"]
    frame["area"], frame["wave"] = "a", "w"
    frame["side"] = "professional"
    other = frame.assign(side="informal", unit=["v1", "v1", "v1", "v2", "v2", "v2"])
    frame = pd.concat([frame, other], ignore_index=True)
    frame["respondent"] = [f"r{i}" for i in range(len(frame))]
    return frame


def hand_registry(members_v2: int | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["u1", "u2", "u3", "v1", "v2"],
            "area": "a",
            "side": ["professional"] * 3 + ["informal"] * 2,
            "members": [10, 30, 5, 12, members_v2],
        }
    )


def run_hand(members_v2: int | None = 6, method=METHOD):
    frame = hand_cell()
    return hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        replace(method, publish_min=1, indicative_min=1),
        replicates=200,
        unit=frame["unit"],
        registry=hand_registry(members_v2),
    )


def test_design_weights_by_hand():
    result = run_hand()
    value = result.sides.set_index(["side", "measure"])["value"]
    weighted = (5 * (10 + 20) + 10 * (40 + 50 + 60) + 8 * 90) / (5 * 2 + 10 * 3 + 8)
    assert value[("professional", "side_index")] == pytest.approx(weighted)
    # informal: v1 12 members / 3 answering = 4, v2 6 / 3 = 2
    informal = (4 * (10 + 20 + 40) + 2 * (50 + 60 + 90)) / 18
    assert value[("informal", "side_index")] == pytest.approx(informal)
    design = result.design.set_index("side")
    assert design.loc["professional", "weighting"] == "members"
    assert design.loc["professional", "weight_min"] == 5
    assert design.loc["professional", "weight_max"] == 10
    weights = np.array([5, 5, 10, 10, 10, 8.0])
    assert design.loc["professional", "n_kish"] == pytest.approx(
        weights.sum() ** 2 / (weights**2).sum()
    )
    assert design.loc["professional", "weighting_shift"] == pytest.approx(weighted - 45)
    assert design.loc["professional", "units_listed"] == 3
    assert design.loc["professional", "share_units_reached"] == pytest.approx(2 / 3)
    assert design.loc["informal", "share_units_reached"] == 1


def test_a_unit_without_members_leaves_its_cell_unweighted_and_says_so():
    result = run_hand(members_v2=None)
    value = result.sides.set_index(["side", "measure"])["value"]
    assert value[("informal", "side_index")] == pytest.approx(45)
    design = result.design.set_index("side")
    assert design.loc["informal", "weighting"] == "equal: members missing"
    assert design.loc["informal", "n_kish"] == pytest.approx(6)
    assert design.loc["professional", "weighting"] == "members"


def test_weights_never_fall_below_one_person():
    """A registry listing fewer members than answered is out of date: weight 1, not less."""
    result = run_hand(members_v2=1)
    assert result.design.set_index("side").loc["informal", "weight_min"] == 1


def half_width(result, side="professional") -> float:
    row = result.table.iloc[0]
    return float(row[f"ci_high_{side}"] - row[f"ci_low_{side}"]) / 2


def test_no_between_unit_variance_left_when_every_listed_unit_answered():
    """The informal side reached both its listed units: with finite units its interval has
    the within-unit part only; as a superpopulation it also has the between-unit part."""
    method = replace(METHOD, unit_icc=0.3, unit_icc_units=1000)
    finite = run_hand(method=method)
    superpopulation = run_hand(method=replace(method, units="superpopulation"))
    assert half_width(finite, "informal") < 0.85 * half_width(superpopulation, "informal")
    # the professional side reached 2 of 3 units and keeps a third of the between part
    ratio = half_width(finite) / half_width(superpopulation)
    assert 0.85 < ratio < 1.0


def test_finite_members_shrink_the_within_unit_part_only_when_asked():
    method = replace(METHOD, unit_icc=0.05, unit_icc_units=1000)
    default = run_hand(method=method)
    members = run_hand(method=replace(method, members="finite"))
    # informal: 6 of 18 members answered, so the within part shrinks by sqrt(1 - 1/3)
    assert half_width(members, "informal") < 0.9 * half_width(default, "informal")


def test_intervals_stay_on_the_scale_near_the_ceiling():
    """A component near 100 in a clustered cell: additive unit effects took its interval
    above 100; on the logit scale every interval stays within 0-100."""
    rng = np.random.default_rng(4)
    frame = wave_data("2025", 3, reached=3)
    near = rng.random(len(frame)) < 0.9
    frame.loc[near, "TRU"] = 100.0
    frame.loc[rng.random(len(frame)) < 0.9, "OGD"] = 0.0
    result = run(frame, replace(METHOD, unit_icc=0.2, unit_icc_units=1000), members=None)
    sides = result.sides.dropna(subset=["ci_low"])
    assert (sides["ci_low"] >= 0).all() and (sides["ci_high"] <= 100).all()
    tru = sides[sides["measure"] == "component_TRU"]
    assert (tru["ci_high"] > tru["ci_low"]).all()
    table = result.table.dropna(subset=["ci_low"])
    for column in ("ci_low", "ci_high", "ci_low_professional", "ci_high_informal"):
        assert table[column].between(0, 100).all()


def test_demo_intervals_stay_on_the_scale_and_its_cells_are_weighted(tmp_path):
    """The demo (registry with members for every unit): no interval of a component, pillar,
    side or area index leaves 0-100, and every side with listed units is weighted."""
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(DEFAULT_AREAS)
    model = draw_model(instrument, areas, SimulationSettings(per_side=40, model_seed=2026))
    rng = np.random.default_rng(2026)
    con = open_store(tmp_path / "store.duckdb")
    for wave in model.settings.waves:
        path = tmp_path / f"kobo_{wave}.csv"
        frame = simulate_wave(instrument, areas, model, wave, rng)
        path.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
        ingest_file(con, path, wave, instrument, areas)
    responses = load_responses(con)
    con.close()
    tables = index_tables(responses, instrument, areas, METHOD, replicates=200)
    sides = tables["side_measures"].dropna(subset=["ci_low"])
    assert (sides["ci_low"] >= 0).all() and (sides["ci_high"] <= 100).all()
    index = tables["index"].dropna(subset=["ci_low"])
    assert (index["ci_low"] >= 0).all() and (index["ci_high"] <= 100).all()
    design = tables["design"]
    assert set(design.loc[design["units"] > 0, "weighting"]) == {"members"}
    assert (design["n_kish"] <= design["n"] + 1e-9).all()
    print(
        f"demo: component intervals within {sides['ci_low'].min():.1f}-"
        f"{sides['ci_high'].max():.1f}; weighted minus unweighted side index "
        f"{design['weighting_shift'].abs().max():.2f} points at most"
    )
