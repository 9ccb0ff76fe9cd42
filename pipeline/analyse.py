"""From accepted responses to the result tables the report and other tools read."""

from __future__ import annotations

import pandas as pd
from samenspel.instrument.model import AreaRegistry, Instrument
from samenspel.pipeline.index import SIDES, hybridisation_index, respondent_components
from samenspel.pipeline.methodology import Methodology
from samenspel.pipeline.score import clean_answers, score_scales


def index_tables(
    responses: pd.DataFrame,
    instrument: Instrument,
    areas: AreaRegistry,
    method: Methodology,
    replicates: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The index per area x wave (``index``) and per side (``side_measures``).

    Only the two sides of the index take part; stakeholders answer the goal module only.
    """
    in_index = responses[responses["side"].isin(SIDES)]
    if in_index.empty:
        raise ValueError("no professional or informal respondents to compute an index from")
    answers = clean_answers(in_index, instrument)
    scores = score_scales(answers, instrument, method.min_share_answered)
    components = respondent_components(answers, scores, instrument, method)
    result = hybridisation_index(
        components, in_index["area"], in_index["wave"], in_index["side"], method, replicates
    )
    index, sides = result.table, result.sides
    registry = areas.table()[["id", "name", "municipality"]].rename(
        columns={"id": "area", "name": "area_name"}
    )
    index = registry.merge(index, on="area", how="right")
    return {"index": index, "side_measures": sides}
