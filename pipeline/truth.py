"""The true index of a generating model: what our estimator gives with unlimited respondents.

Per DESIGN.md section 13 the truth is not read off the latent means: it is the estimator
applied to a very large draw per area x side x wave from the same generator (discretisation,
nonresponse, careless respondents, reverse keys, goalposts and aggregation included). With
``per_cell`` respondents a cell, the Monte Carlo error of the index is about
1 / sqrt(per_cell) of one respondent's spread: 0.1 index points at the default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from samenspel.instrument.model import Instrument
from samenspel.pipeline.index import SIDES, indices_from_means, respondent_components
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.pipeline.score import clean_answers, score_scales
from samenspel.pipeline.simulate import GeneratingModel, add_response_behaviour, generate_cell

TRUTH_COLUMNS = ("area", "wave", "index", "index_professional", "index_informal", "gap", "band")


def true_index(
    instrument: Instrument, model: GeneratingModel, method: Methodology, per_cell: int = 20_000
) -> pd.DataFrame:
    """True index per area x wave (columns :data:`TRUTH_COLUMNS`)."""
    rng = np.random.default_rng([model.settings.model_seed, 13])
    cells = model.levels[["area", "wave"]].drop_duplicates().reset_index(drop=True)
    means = np.full((len(cells), len(SIDES), len(COMPONENTS)), np.nan)
    for c_index, cell in cells.iterrows():
        for s, side in enumerate(SIDES):
            level = model.levels[
                (model.levels.area == cell.area)
                & (model.levels.wave == cell.wave)
                & (model.levels.side == side)
            ]
            frame = generate_cell(instrument, model, float(level.h.iloc[0]), side, per_cell, rng)
            frame, _ = add_response_behaviour(instrument, frame, model.settings, rng)
            answers = clean_answers(frame, instrument)
            scores = score_scales(answers, instrument, method.min_share_answered)
            components = respondent_components(answers, scores, instrument, method)
            means[c_index, s] = components[list(COMPONENTS)].mean().to_numpy()
    result = indices_from_means(means, method)
    table = cells.copy()
    table["index"] = result["index"]
    table["index_professional"] = result["side"][:, 0]
    table["index_informal"] = result["side"][:, 1]
    table["gap"] = result["gap"]
    table["band"] = [method.band_of(v) for v in table["index"]]
    return table[list(TRUTH_COLUMNS)]
