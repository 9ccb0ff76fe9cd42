"""The instrument's psychometrics in the pipeline: model from the YAML, tables per wave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.measurement import (
    LATENT_MEAN_COLUMNS,
    PREFIX,
    instrument_factor_model,
    measurement_tables,
    psychometric_inputs,
)
from samenspel.pipeline.methodology import COMPONENTS
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model, simulate_wave

INSTRUMENT = load_instrument(DEFAULT_INSTRUMENT)


def test_factor_model_follows_the_yaml():
    model, low, high = instrument_factor_model(INSTRUMENT)
    assert (low, high) == (1, 5)
    assert set(model) == {"OGD", "TRU", "UNF", "DIS", "IND", "CQ"}
    assert model["OGD"] == ["ogd1", "ogd2", "ogd3", "-ogd4", "-ogd5"]


@pytest.fixture(scope="module")
def responses():
    areas = load_areas(DEFAULT_AREAS)
    # No careless respondents: their straightlining over reverse-keyed items is misfit.
    settings = SimulationSettings(waves=("2025", "2026"), per_side=30, side_gap=0.8,
                                  careless_share=0.0, model_seed=3)  # fmt: skip
    model = draw_model(INSTRUMENT, areas, settings)
    rng = np.random.default_rng(5)
    frames = []
    for wave in settings.waves:
        frame = simulate_wave(INSTRUMENT, areas, model, wave, rng)
        frame = frame[frame.consent == 1].drop_duplicates("_uuid")
        frame["wave"] = wave
        frames.append(frame)
    responses = pd.concat(frames, ignore_index=True)
    sides = {1.0: "professional", 2.0: "informal", 3.0: "stakeholder"}
    responses["side"] = responses["role"].map(sides)
    return responses


@pytest.fixture(scope="module")
def tables(responses):
    return measurement_tables(responses, INSTRUMENT)


def test_tables_per_wave_with_criteria(tables):
    checks = tables[PREFIX + "checks"]
    assert set(checks["wave"]) == {"2025", "2026"}
    assert {"global fit", "reliability"} <= set(checks["check"])
    reliability = tables[PREFIX + "reliability"]
    # reliability per side and for everyone
    assert {"all", "professional", "informal"} <= set(reliability["group"])
    invariance = tables[PREFIX + "invariance"]
    assert set(invariance["comparison"]) == {"sides", "waves", "language", "mode"}
    # the methodology's estimator: WLSMV, so the Wu & Estabrook chain
    assert list(invariance[invariance.comparison == "waves"]["step"]) == [
        "configural",
        "thresholds",
        "metric",
        "scalar",
    ]
    assert set(invariance["estimator"]) == {"WLSMV"}
    fit_checks = checks[checks.check == "global fit"]
    assert set(fit_checks["statistic"]) == {"cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr"}
    assert set(fit_checks["estimator"]) == {"WLSMV"}


def test_latent_means_where_scalar_invariance_holds(tables):
    # The simulator's items have the same parameters for both sides: invariance holds, and
    # the informal side (lower level h by side_gap) trusts less and devalues more.
    latent = tables[PREFIX + "latent_means"]
    assert tuple(latent.columns) == LATENT_MEAN_COLUMNS
    assert set(latent["group"]) == {"informal"}
    assert set(latent["estimator"]) == {"WLSMV"}
    for _, wave in latent.groupby("wave"):
        by_factor = wave.set_index("factor")["std_estimate"]
        assert by_factor["TRU"] < 0 < by_factor["OGD"]
        assert wave["pvalue_diff"].iloc[0] < 0.05


def test_inputs_for_the_index(tables):
    across, weights, between = psychometric_inputs(tables, ["2025", "2026"])
    assert list(across.columns) == ["wave_from", "wave_to", "holds"]
    assert bool(across["holds"].iloc[0]) is True
    assert between == {"2025": True, "2026": True}  # per wave whose test ran
    assert set(weights) == {"OGD", "TRU", "UNF", "DIS", "IND", "IGF", "COL"}
    assert all(0.3 < w < 1 for w in weights.values())


def test_estimator_comparison_per_wave(tables):
    comparison = tables[PREFIX + "estimator_comparison"]
    assert set(comparison["wave"]) == {"2025", "2026"}
    assert set(comparison["ordinal_estimator"]) == {"WLSMV"}
    assert set(comparison["continuous_estimator"]) == {"MLR"}


def test_wave_the_ordinal_model_cannot_carry_gets_the_continuous_treatment(responses):
    """An answer category no professional chose in 2026: that wave falls back to MLR."""
    areas = sorted(responses["area"].unique())[:6]
    changed = responses[(responses["wave"] == "2026") & responses["area"].isin(areas)].copy()
    professional = changed["side"] == "professional"
    changed.loc[professional & (changed["tru1"] == 1), "tru1"] = 2
    tables = measurement_tables(changed, INSTRUMENT)
    problem = tables[PREFIX + "problems"]["problem"].iloc[0]
    assert "'tru1' has empty category [1]" in problem and "analysed with MLR" in problem
    checks = tables[PREFIX + "checks"]
    assert set(checks.loc[checks["check"] == "global fit", "estimator"]) == {"MLR"}


def test_no_claim_for_a_wave_whose_test_between_the_sides_did_not_run():
    from samenspel.pipeline.index.compare import compare_groups
    from samenspel.pipeline.methodology import load_methodology

    rng = np.random.default_rng(1)
    n = 80
    components = pd.DataFrame(rng.uniform(20, 80, (n, 7)), columns=list(COMPONENTS))
    area = pd.Series(np.repeat(["a", "b"], n // 2))
    wave = pd.Series(np.tile(["2025", "2026"], n // 2))
    side = pd.Series(np.tile(["professional", "professional", "informal", "informal"], n // 4))
    table = compare_groups(components, area, wave, side, load_methodology(), {"2025": True})
    notes = table[table["test"] == "latent_means"].set_index("wave")["note"]
    assert notes["2025"].startswith("scalar invariance between the sides holds")
    assert notes["2026"] == "not compared: scalar invariance between the sides has not been tested"
