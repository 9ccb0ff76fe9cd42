"""The hybridisation index per area and wave, with honest uncertainty.

- :mod:`.design` — the sampling design: respondents reached through recruitment units;
- :mod:`.estimate` — components, the index and its bootstrap intervals, small cells;
- :mod:`.change` — change between waves, method breaks, multiple testing;
- :mod:`.compare` — group comparisons: sides, municipalities, area against the rest;
- :mod:`.goals` — goal agreement per area;
- :mod:`.sensitivity` — the ranking under the index's alternative choices;
- :mod:`.tables` — every result table of the stage in one call;
- :mod:`.plan` — the sample-size planner for the next wave.
"""

from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.compare import compare_groups
from samenspel.pipeline.index.estimate import (
    IndexResult,
    components_of_answers,
    hybridisation_index,
)
from samenspel.pipeline.index.goals import goal_agreement
from samenspel.pipeline.index.plan import plan_sample_size, plan_units
from samenspel.pipeline.index.sensitivity import index_sensitivity
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS, index_tables

__all__ = [
    "OUTPUT_COLUMNS",
    "IndexResult",
    "compare_groups",
    "components_of_answers",
    "goal_agreement",
    "hybridisation_index",
    "index_change",
    "index_sensitivity",
    "index_tables",
    "plan_sample_size",
    "plan_units",
]
