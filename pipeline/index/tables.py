"""From accepted responses to the result tables the report and other tools read.

Every table's columns are described once, in :data:`OUTPUT_COLUMNS` (table -> column ->
description); the report renders these descriptions and the CLI writes them beside the
CSV files as ``columns.json``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from samenspel.instrument.model import AreaRegistry, Instrument
from samenspel.pipeline.index.change import CHANGE_COLUMNS, index_change
from samenspel.pipeline.index.compare import COMPARISON_COLUMNS, compare_groups
from samenspel.pipeline.index.estimate import (
    DESIGN_COLUMNS,
    DISTRIBUTION_COLUMNS,
    SIDES,
    UNIT_ICC_COLUMNS,
    IndexResult,
    component_distribution,
    components_of_answers,
    hybridisation_index,
)
from samenspel.pipeline.index.goals import GOAL_COLUMNS, goal_agreement
from samenspel.pipeline.index.sensitivity import SENSITIVITY_COLUMNS, index_sensitivity
from samenspel.pipeline.index.small_area import (
    SMALL_AREA_COLUMNS,
    SmallAreaSettings,
    small_area_estimates,
)
from samenspel.pipeline.methodology import Methodology
from samenspel.pipeline.psychometrics.small_waves import STEP_COLUMNS
from samenspel.pipeline.score import clean_answers

# index.csv: one row per area x wave, for dashboards.
INDEX_CSV_COLUMNS = {
    "area": "area id from the area registry (kept when names or boundaries change)",
    "area_name": "area name from the registry",
    "municipality": "municipality name from the registry",
    "wave": "survey wave",
    "index": "hybridisation index 0-100: geometric mean of the two side indices",
    "ci_low": "lower bound of the 95% stratified-bootstrap percentile CI of the index",
    "ci_high": "upper bound of that CI",
    "band": "co-existence (< 40), rapprochement (40-60) or hybridisation (>= 60)",
    "index_professional": "side index of the professionals (mean of the three pillars)",
    "ci_low_professional": "lower bound of its 95% CI",
    "ci_high_professional": "upper bound of its 95% CI",
    "index_informal": "side index of the informal actors",
    "ci_low_informal": "lower bound of its 95% CI",
    "ci_high_informal": "upper bound of its 95% CI",
    "gap": "asymmetry gap: index_professional - index_informal",
    "gap_ci_low": "lower bound of the gap's 95% CI",
    "gap_ci_high": "upper bound of the gap's 95% CI",
    "n_professional": "professionals in the area x wave (shown even when suppressed)",
    "n_informal": "informal actors in the area x wave (shown even when suppressed)",
    "status": "published (both sides n >= 10), indicative (5-9) or suppressed (< 5: no values)",
    "change_from_wave": "the previous wave the change is measured from ('' in the first wave)",
    "change": "index - index in change_from_wave, in index points",
    "change_ci_low": "lower bound of the change's 95% bootstrap CI",
    "change_ci_high": "upper bound of the change's 95% bootstrap CI",
    "change_verdict": "increase, decrease, small change, no clear change, method break or "
    "suppressed (see change.csv)",
    "estimate_type": "direct (status published: the direct index is the figure), model-based "
    "(the direct index is indicative or suppressed and the small-area model's index_model is "
    "published instead) or suppressed (no figure; see small_area.csv)",
    "index_model": "model-based (Fay-Herriot) area index, borrowing strength from the other "
    "areas and the area's earlier waves; empty with fewer than small_area.min_respondents "
    "on a side",
    "index_model_ci_low": "lower bound of its 95% interval (index_model +- 1.96 rmse)",
    "index_model_ci_high": "upper bound of that interval",
    "index_model_rmse": "root mean squared error of index_model (Prasad-Rao)",
}
SIDE_MEASURE_COLUMNS = {
    "area": "area id",
    "wave": "survey wave",
    "side": "professional or informal",
    "measure": "component_<code>, pillar_<name> or side_index",
    "value": "0-100, 100 = hybrid",
    "ci_low": "lower bound of the 95% bootstrap CI",
    "ci_high": "upper bound of the 95% bootstrap CI",
    "n": "respondents of this side",
    "status": "published, indicative or suppressed for this side",
}
OUTPUT_COLUMNS = {
    "index": INDEX_CSV_COLUMNS,
    "side_measures": SIDE_MEASURE_COLUMNS,
    "change": CHANGE_COLUMNS,
    "design": DESIGN_COLUMNS,
    "unit_icc": UNIT_ICC_COLUMNS,
    "component_distribution": DISTRIBUTION_COLUMNS,
    "comparisons": COMPARISON_COLUMNS,
    "sensitivity": SENSITIVITY_COLUMNS,
    "goals": GOAL_COLUMNS,
    "psychometrics_steps": STEP_COLUMNS,
    "small_area": SMALL_AREA_COLUMNS,
}


def _by_questionnaire(
    rows: pd.DataFrame, instrument: Instrument, by_wave: Mapping[str, Instrument]
) -> list[tuple[Instrument, pd.DataFrame]]:
    """The rows grouped by the questionnaire their wave is scored with."""
    chosen = rows["wave"].map(lambda w: by_wave.get(str(w), instrument).content_hash)
    known = {i.content_hash: i for i in [instrument, *by_wave.values()]}
    return [(known[h], rows[chosen == h]) for h in dict.fromkeys(chosen)]


def small_area_input(result: IndexResult, municipality_of: Mapping[str, str]) -> pd.DataFrame:
    """The direct estimates of every area x wave x measure (the area index and the two side
    indices), unsuppressed, with their bootstrap variances and intervals, as
    :func:`~samenspel.pipeline.index.small_area.small_area_estimates` takes them."""
    table = result.table
    n = table[["n_professional", "n_informal"]].to_numpy()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        index_variance = np.nanvar(result.replicates.astype(float), axis=0, ddof=1)
    parts = [
        pd.DataFrame(
            {
                "area": table["area"].to_numpy(),
                "wave": table["wave"].to_numpy(),
                "measure": "index",
                "n": n.min(axis=1),
                "status": table["status"].to_numpy(),
                "direct": result.point,
                "variance": index_variance,
                "ci_low": table["ci_low"].to_numpy(),
                "ci_high": table["ci_high"].to_numpy(),
            }
        )
    ]
    sides = result.sides[result.sides["measure"] == "side_index"].set_index(
        ["area", "wave", "side"]
    )
    for s, side in enumerate(SIDES):
        key = pd.MultiIndex.from_arrays([table["area"], table["wave"], np.repeat(side, len(table))])
        rows = sides.reindex(key)
        parts.append(
            pd.DataFrame(
                {
                    "area": table["area"].to_numpy(),
                    "wave": table["wave"].to_numpy(),
                    "measure": f"index_{side}",
                    "n": n[:, s],
                    "status": rows["status"].to_numpy(),
                    "direct": result.side_point[:, s],
                    "variance": result.side_variance[:, s],
                    "ci_low": rows["ci_low"].to_numpy(),
                    "ci_high": rows["ci_high"].to_numpy(),
                }
            )
        )
    direct = pd.concat(parts, ignore_index=True)
    direct["municipality"] = direct["area"].map(municipality_of).fillna("").astype(str)
    return direct


def index_tables(
    responses: pd.DataFrame,
    instrument: Instrument,
    areas: AreaRegistry,
    method: Methodology,
    replicates: int | None = None,
    wave_order: Sequence[str] | None = None,
    wave_instruments: Mapping[str, str] | None = None,
    invariance: pd.DataFrame | None = None,
    full: bool = False,
    loadings: dict[str, float] | None = None,
    scalar_invariance_between_sides: bool | Mapping[str, bool] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    instruments_by_wave: Mapping[str, Instrument] | None = None,
    small_area_covariates: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The result tables: ``index``, ``side_measures``, ``change``, ``design``, ``unit_icc``,
    ``component_distribution`` and ``small_area``; with ``full`` also ``comparisons``,
    ``sensitivity`` and ``goals``. Columns: :data:`OUTPUT_COLUMNS`.

    Only the two sides of the index take part; stakeholders answer the goal module only.
    ``wave_instruments`` (wave -> instrument hash) and ``invariance`` mark method breaks;
    ``loadings`` (component -> CFA-derived weight) and ``scalar_invariance_between_sides``
    come from the psychometrics when available.
    Sensitivity statements go into ``tables.attrs["statements"]`` of the sensitivity table.
    ``progress(what, done, total)`` is told as each part starts (``done`` 0) and ends
    (``done == total``), and the bootstrap chunk by chunk. ``instruments_by_wave`` scores
    each wave with the questionnaire it was collected with (default: ``instrument`` for all).
    ``small_area`` holds the small-area estimates (:mod:`.small_area`) of every area x wave
    x measure; ``small_area_covariates`` (one row per area, column ``area`` and numeric
    covariates; default: the registry's ``covariates:`` file, if any) enter its model.
    """
    report = progress or (lambda what, done, total: None)
    in_index = responses[responses["side"].isin(SIDES)]
    if in_index.empty:
        raise ValueError("no professional or informal respondents to compute an index from")
    groups = _by_questionnaire(in_index, instrument, instruments_by_wave or {})
    scored = [(inst, clean_answers(rows, inst)) for inst, rows in groups]
    answers = pd.concat([a for _, a in scored]).loc[in_index.index]
    components = pd.concat([components_of_answers(a, inst, method) for inst, a in scored]).loc[
        in_index.index
    ]
    labels = (in_index["area"], in_index["wave"], in_index["side"])
    unit = in_index.get("unit")
    # the registry's units give the design weights
    result = hybridisation_index(
        components, *labels, method, replicates, unit=unit,
        registry=areas.units_table(), respondent=in_index.get("respondent"),
        progress=lambda done, total: report("the index and its bootstrap", done, total),
    )  # fmt: skip
    replaced = {a.id: (a.valid_from, a.replaces) for a in areas.areas if a.replaces}
    change = index_change(result, method, wave_order, wave_instruments, invariance, replaced)
    registry = areas.table()[["id", "name", "municipality"]].rename(
        columns={"id": "area", "name": "area_name"}
    )
    index = registry.merge(result.table, on="area", how="right")
    previous = change[change.comparison == "previous"].rename(
        columns={
            "wave_from": "change_from_wave",
            "wave_to": "wave",
            "ci_low": "change_ci_low",
            "ci_high": "change_ci_high",
            "verdict": "change_verdict",
        }
    )
    keep = ["area", "wave", "change_from_wave", "change", "change_ci_low", "change_ci_high"]
    index = index.merge(previous[[*keep, "change_verdict"]], on=["area", "wave"], how="left")
    index["change_from_wave"] = index["change_from_wave"].fillna("")
    index["change_verdict"] = index["change_verdict"].fillna("")
    report("small-area estimates", 0, 1)
    municipality_of = {a.id: a.municipality_code for a in areas.areas}
    small_area = small_area_estimates(
        small_area_input(result, municipality_of),
        SmallAreaSettings.of(method),
        wave_order,
        covariates=(
            small_area_covariates
            if small_area_covariates is not None or areas.covariates is None
            else areas.covariates.table()
        ),
    )
    report("small-area estimates", 1, 1)
    model = small_area[small_area["measure"] == "index"].rename(
        columns={
            "model": "index_model",
            "model_ci_low": "index_model_ci_low",
            "model_ci_high": "index_model_ci_high",
            "model_rmse": "index_model_rmse",
        }
    )
    keep = ["area", "wave", "estimate_type", "index_model", "index_model_ci_low"]
    keep += ["index_model_ci_high", "index_model_rmse"]
    index = index.merge(model[keep], on=["area", "wave"], how="left")
    tables = {
        "index": index[list(INDEX_CSV_COLUMNS)],
        "side_measures": result.sides,
        "change": change,
        "design": result.design,
        "unit_icc": result.unit_icc,
        "component_distribution": component_distribution(
            components, in_index["wave"], in_index["side"], method
        ),
        "small_area": small_area,
    }
    if full:
        report("group comparisons", 0, 1)
        tables["comparisons"] = compare_groups(
            components,
            *labels,
            method,
            scalar_invariance_between_sides,
            municipality_of={a.id: a.municipality_code for a in areas.areas},
            weights=result.weights,
        )
        report("group comparisons", 1, 1)
        report("sensitivity of the ranks", 0, 1)
        parts = [
            index_sensitivity(a, *(label.loc[a.index] for label in labels), inst, method, loadings)
            for inst, a in scored
        ]
        tables["sensitivity"] = pd.concat([part.table for part in parts], ignore_index=True)
        statements = [line for part in parts for line in part.statements]
        tables["sensitivity"].attrs["statements"] = list(dict.fromkeys(statements))
        report("sensitivity of the ranks", 1, 1)
        report("goal agreement", 0, 1)
        tables["goals"] = goal_agreement(answers, *labels, method, replicates)
        report("goal agreement", 1, 1)
    return tables


def check_documented(tables: Mapping[str, pd.DataFrame]) -> None:
    """Raise ``ValueError`` when a table's columns differ from :data:`OUTPUT_COLUMNS`."""
    for name, table in tables.items():
        documented = list(OUTPUT_COLUMNS[name])
        if list(table.columns) != documented:
            raise ValueError(f"{name}: columns {list(table.columns)} != documented {documented}")
