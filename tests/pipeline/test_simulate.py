"""The simulator: seeded, shaped like a KoboToolbox export, with the flaws real data have."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

INSTRUMENT = load_instrument(DEFAULT_INSTRUMENT)
AREAS = load_areas(DEFAULT_AREAS)


def wave(seed: int, model_seed: int = 1, **settings) -> pd.DataFrame:
    model = draw_model(INSTRUMENT, AREAS, SimulationSettings(model_seed=model_seed, **settings))
    return simulate_wave(INSTRUMENT, AREAS, model, "2025", np.random.default_rng(seed))


def test_same_seed_same_export_other_seed_other_export():
    first = to_kobo_csv(INSTRUMENT, wave(1), group_prefixes=True)
    assert first == to_kobo_csv(INSTRUMENT, wave(1), group_prefixes=True)
    assert first != to_kobo_csv(INSTRUMENT, wave(2), group_prefixes=True)


def test_export_has_the_flaws_of_real_fieldwork():
    frame = wave(3, per_side=40)
    n_people = len(AREAS.ids) * (2 * 40 + 4)
    assert len(frame) == n_people + 1  # one duplicate submission
    assert frame["_uuid"].duplicated().sum() == 1
    declined = frame["consent"] == 2
    assert 0 < declined.sum() < 0.1 * len(frame)
    assert frame.loc[declined, "tru1"].isna().all()
    answered = frame[~declined & frame["role"].isin([1, 2])]
    assert (answered["tru1"] == 8).any()  # weet niet
    assert answered["tru1"].isna().any()  # blank
    assert answered["_careless"].any()
    # Stakeholders answer the goal module only.
    stakeholders = frame[(frame.role == 3) & ~declined]
    assert stakeholders["tru1"].isna().all() and stakeholders["ind1"].notna().any()


def test_kobo_csv_with_and_without_group_prefixes():
    frame = wave(4, per_side=10)
    for prefixes, column in ((True, "tru/tru1"), (False, "tru1")):
        text = to_kobo_csv(INSTRUMENT, frame, group_prefixes=prefixes)
        parsed = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
        assert column in parsed.columns
        assert {"start", "end", "_uuid", "_submission_time", "_id"} <= set(parsed.columns)
        assert text.startswith('"start";"end"')  # every field quoted
        assert len(parsed) == len(frame)


def test_area_levels_span_the_bands():
    model = draw_model(INSTRUMENT, AREAS, SimulationSettings(model_seed=2026))
    levels = model.levels
    assert set(levels.side) == {"professional", "informal"}
    assert levels.groupby(["area", "wave"]).size().eq(2).all()
    assert levels["h"].std() > 0.5


def test_the_truth_from_a_grid_of_levels_equals_a_direct_draw_per_cell():
    """The truth interpolates component means over a grid of latent levels; a direct draw
    of 40,000 respondents per cell gives the same index within Monte Carlo error."""
    from samenspel.pipeline.methodology import load_methodology
    from samenspel.pipeline.simulation.truth import component_pool, index_of_pool, true_index

    method = load_methodology()
    model = draw_model(INSTRUMENT, AREAS, SimulationSettings(waves=("2025",), model_seed=7))
    grid = true_index(INSTRUMENT, model, method, per_cell=20_000)
    direct = index_of_pool(component_pool(INSTRUMENT, model, method, 40_000), method)
    assert list(grid["area"]) == list(direct["area"])
    difference = (grid["index"] - direct["index"]).abs()
    assert difference.max() < 0.3  # each side about 0.1 of Monte Carlo error
    assert difference.mean() < 0.12
