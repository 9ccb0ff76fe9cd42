"""The true index of a generating model: what our estimator gives with unlimited respondents.

As docs/methodology.md (section 11) explains, the truth is not read off the latent means: it
is the estimator applied to a very large draw per area x side x wave from the same generator
(discretisation, nonresponse, careless respondents, reverse keys, goalposts and aggregation
included). The
target is the area's whole population of units: every respondent of the draw comes from a
unit of its own, with an effect drawn from the units' distribution, so the truth averages
over units as an estimate from many units would (the intervals treat the units reached as a
sample of the units that could have been reached).

A cell's component means depend on its side and its latent level ``h`` only, smoothly, so
:func:`true_index` draws per side on a grid of levels (step :data:`GRID_STEP` over the
model's range) and interpolates each cell's means with a cubic spline: its cost does not grow
with the number of areas (a national model has 30,000 cells). With ``per_cell`` respondents
a grid point the Monte Carlo error of the index is about 1 / sqrt(per_cell) of one
respondent's spread (0.1 index points at the default); the interpolation adds less than
0.01 (checked against a direct draw per cell in the tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline

from samenspel.instrument.model import Instrument
from samenspel.pipeline.index.estimate import SIDES, components_of_answers, indices_from_means
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.pipeline.score import clean_answers
from samenspel.pipeline.simulation.simulate import (
    GeneratingModel,
    add_response_behaviour,
    generate_cell,
)

TRUTH_COLUMNS = ("area", "wave", "index", "index_professional", "index_informal", "gap", "band")


def component_pool(
    instrument: Instrument,
    model: GeneratingModel,
    method: Methodology,
    per_cell: int,
    seed: int | list[int] | None = None,
) -> pd.DataFrame:
    """The seven components of ``per_cell`` simulated respondents per area x side x wave.

    Columns: area, wave, side, then :data:`COMPONENTS`. Answers go the estimator's way
    (nonresponse, careless respondents, 'weet niet', reverse keys, half rule, goalposts).
    The same ``seed`` gives the same draws, so pools of two models that differ only in their
    levels share their random numbers (common random numbers, for calibration).
    """
    rng = np.random.default_rng([model.settings.model_seed, 13] if seed is None else seed)
    frames, labels = [], []
    for level in model.levels.itertuples(index=False):
        if level.side not in SIDES:
            continue
        effects = rng.normal(0.0, model.settings.unit_sd, per_cell)
        frame = generate_cell(instrument, model, float(level.h), level.side, per_cell, rng, effects)
        frame, _ = add_response_behaviour(instrument, frame, model.settings, rng)
        frames.append(frame)
        labels.append(
            pd.DataFrame(
                {"area": level.area, "wave": level.wave, "side": level.side}, index=frame.index
            )
        )
    # Scoring once over all cells: its cost is per column, not per respondent.
    frame = pd.concat(frames, ignore_index=True)
    answers = clean_answers(frame, instrument)
    components = components_of_answers(answers, instrument, method)
    return pd.concat([pd.concat(labels, ignore_index=True), components], axis=1)


def index_of_pool(pool: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """The estimator's value on a whole pool (columns :data:`TRUTH_COLUMNS`)."""
    return _index_of_cell_means(
        pool.groupby(["area", "wave", "side"], sort=False)[list(COMPONENTS)].mean(), method
    )


def _index_of_cell_means(means: pd.DataFrame, method: Methodology) -> pd.DataFrame:
    """The truth table from component means indexed by area, wave and side."""
    cells = means.index.to_frame(index=False)[["area", "wave"]].drop_duplicates()
    cells = cells.sort_values(["area", "wave"]).reset_index(drop=True)
    grid = pd.MultiIndex.from_frame(cells.merge(pd.DataFrame({"side": SIDES}), how="cross"))
    array = means.reindex(grid).to_numpy(dtype=float)
    result = indices_from_means(array.reshape(len(cells), len(SIDES), len(COMPONENTS)), method)
    table = cells.copy()
    table["index"] = result["index"]
    table["index_professional"] = result["side"][:, 0]
    table["index_informal"] = result["side"][:, 1]
    table["gap"] = result["gap"]
    table["band"] = [method.band_of(v) for v in table["index"]]
    return table[list(TRUTH_COLUMNS)]


GRID_STEP = 0.25  # latent SD units between the levels drawn for the truth
GRID_BATCH = 40_000  # respondents scored at once (memory)


def true_index(
    instrument: Instrument, model: GeneratingModel, method: Methodology, per_cell: int = 20_000
) -> pd.DataFrame:
    """True index per area x wave (columns :data:`TRUTH_COLUMNS`), from a grid of levels."""
    levels = model.levels[model.levels["side"].isin(SIDES)]
    rng = np.random.default_rng([model.settings.model_seed, 13])
    low, high = levels["h"].min() - GRID_STEP, levels["h"].max() + GRID_STEP
    grid = np.arange(low, high + GRID_STEP, GRID_STEP)
    if len(grid) < 4:  # a cubic spline needs four points
        grid = np.linspace(low, high, 4)
    means = pd.DataFrame(
        np.nan, index=pd.MultiIndex.from_frame(levels[["area", "wave", "side"]]), columns=COMPONENTS
    )
    for side in SIDES:
        curve = CubicSpline(grid, _grid_means(instrument, model, method, side, grid, per_cell, rng))
        here = (levels["side"] == side).to_numpy()
        means.loc[here, list(COMPONENTS)] = curve(levels.loc[here, "h"].to_numpy())
    return _index_of_cell_means(means, method)


def _grid_means(instrument, model, method, side, grid, per_cell, rng) -> np.ndarray:
    """Component means (grid points, 7) of ``per_cell`` respondents of ``side`` per level."""
    out = np.zeros((len(grid), len(COMPONENTS)))
    per_batch = max(1, GRID_BATCH // per_cell)
    for first in range(0, len(grid), per_batch):
        levels = grid[first : first + per_batch]
        h = np.repeat(levels, per_cell)
        effects = rng.normal(0.0, model.settings.unit_sd, len(h))
        frame = generate_cell(instrument, model, h, side, len(h), rng, effects)
        frame, _ = add_response_behaviour(instrument, frame, model.settings, rng)
        components = components_of_answers(clean_answers(frame, instrument), instrument, method)
        values = components[list(COMPONENTS)].to_numpy().reshape(len(levels), per_cell, -1)
        out[first : first + len(levels)] = np.nanmean(values, axis=1)
    return out
