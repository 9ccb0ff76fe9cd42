"""Sensitivity of the area ranking to the index's documented choices.

See docs/methodology.md, section 8.

JRC/OECD composite-indicator practice (COINr as reference): a Monte Carlo over the
alternatives listed in the methodology's ``sensitivity`` section. Each draw picks, at random
and independently:

- weights: ``equal`` (the methodology's pillar weights), ``noise`` (pillar and component
  weights each times uniform(1 - weight_noise, 1 + weight_noise)) or ``cfa`` (component
  weights proportional to the given CFA loadings; skipped, with a statement, without them);
- side aggregation: geometric, arithmetic or minimum;
- IGF mapping: positive_gap or symmetric_gap;
- missing-item rule: the share of a scale's items that must be answered.

Per area x wave the result is the area's rank among the areas of its wave (1 = most hybrid)
under the default and over the draws: median and 5-95% interval, with the index's own
5-95% range. Suppressed cells are not ranked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from samenspel.instrument.model import Instrument
from samenspel.pipeline.index.estimate import (
    SIDES,
    indices_from_means,
    publication_status,
    respondent_components,
    worst_status,
)
from samenspel.pipeline.methodology import COMPONENTS, Methodology
from samenspel.pipeline.score import score_scales

SENSITIVITY_COLUMNS = {
    "area": "area id from the area registry",
    "wave": "survey wave",
    "index": "area index under the methodology's defaults",
    "rank": "rank among the wave's ranked areas under the defaults (1 = most hybrid)",
    "median_rank": "median rank over the Monte Carlo draws",
    "rank_p05": "5th percentile of the rank over the draws",
    "rank_p95": "95th percentile of the rank over the draws",
    "index_p05": "5th percentile of the area index over the draws",
    "index_p95": "95th percentile of the area index over the draws",
    "areas_ranked": "number of areas ranked in this wave",
    "draws": "Monte Carlo draws",
    "status": "published, indicative or suppressed (suppressed areas are not ranked)",
}
WEIGHT_SCHEMES = ("equal", "noise", "cfa")


@dataclass(frozen=True)
class SensitivityResult:
    """The per-area table (:data:`SENSITIVITY_COLUMNS`) and statements for the report."""

    table: pd.DataFrame
    statements: tuple[str, ...]


def _cell_means(components, area, wave, side, cells) -> np.ndarray:
    frame = components[list(COMPONENTS)].copy()
    frame["area"], frame["wave"], frame["side"] = area.astype(str), wave.astype(str), side
    means = frame.groupby(["area", "wave", "side"])[list(COMPONENTS)].mean()
    grid = pd.MultiIndex.from_frame(cells.merge(pd.DataFrame({"side": SIDES}), how="cross"))
    return means.reindex(grid).to_numpy().reshape(len(cells), len(SIDES), len(COMPONENTS))


def _ranks(index: np.ndarray, waves: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Rank (1 = highest, ties averaged) within each wave among ``ranked`` cells; NaN else.

    ``index`` is (cells,) or (draws, cells).
    """
    rows = np.atleast_2d(index)
    out = np.full(rows.shape, np.nan)
    for wave in np.unique(waves):
        at = np.flatnonzero((waves == wave) & ranked)
        if at.size:
            ranks = pd.DataFrame(rows[:, at]).rank(axis=1, ascending=False, method="average")
            out[:, at] = ranks.to_numpy()
    return out if index.ndim > 1 else out[0]


def _cell_status(area, wave, side, cells: pd.DataFrame, method: Methodology) -> np.ndarray:
    """Per area x wave of ``cells`` the publication status of its smaller side."""
    n = (
        pd.DataFrame({"area": area.astype(str), "wave": wave.astype(str), "side": side})
        .groupby(["area", "wave", "side"])
        .size()
        .reindex(
            pd.MultiIndex.from_frame(cells.merge(pd.DataFrame({"side": SIDES}), how="cross")),
            fill_value=0,
        )
        .to_numpy()
        .reshape(len(cells), 2)
    )
    return np.array([worst_status([publication_status(int(k), method) for k in row]) for row in n])


def _draw(means: dict, method: Methodology, rng: np.random.Generator, choices: dict) -> np.ndarray:
    """The area index of every cell under one random draw of weighting scheme, IGF mapping,
    missing-item rule and side aggregation (``choices``)."""
    scheme = choices["schemes"][rng.integers(len(choices["schemes"]))]
    pillar_weights = dict(method.pillar_weights)
    component_weights = None
    if scheme == "noise":
        noise, pillar_names = choices["noise"], list(method.pillars)
        factors = rng.uniform(1 - noise, 1 + noise, len(pillar_names))
        pillar_weights = {
            p: pillar_weights[p] * f for p, f in zip(pillar_names, factors, strict=True)
        }
        component_weights = rng.uniform(1 - noise, 1 + noise, len(COMPONENTS))
    elif scheme == "cfa":
        component_weights = choices["cfa"]
    mappings, rules = choices["mappings"], choices["rules"]
    key = (mappings[rng.integers(len(mappings))], rules[rng.integers(len(rules))])
    aggregation = choices["aggregations"][rng.integers(len(choices["aggregations"]))]
    return indices_from_means(
        means[key],
        method,
        pillar_weights=pillar_weights,
        component_weights=component_weights,
        side_aggregation=aggregation,
    )["index"]


def index_sensitivity(
    answers: pd.DataFrame,
    area: pd.Series,
    wave: pd.Series,
    side: pd.Series,
    instrument: Instrument,
    method: Methodology,
    loadings: dict[str, float] | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> SensitivityResult:
    """Monte Carlo sensitivity of ranks per area x wave.

    ``answers`` are the cleaned item answers of the two sides' respondents, labelled by
    ``area``, ``wave`` and ``side``. ``loadings`` maps a component to its CFA-derived
    weight (e.g. the mean standardised loading of its items); without it the CFA weights
    are skipped and a statement says so.
    """
    settings = method.sensitivity
    draws = int(settings.get("draws", 500)) if draws is None else draws
    rng = np.random.default_rng(int(settings.get("seed", method.seed)) if seed is None else seed)
    aggregations = list(settings.get("side_aggregations", [method.side_aggregation]))
    mappings = list(settings.get("igf_mappings", [method.components["IGF"]["mapping"]]))
    rules = [float(r) for r in settings.get("min_share_answered", [method.min_share_answered])]
    noise = float(settings.get("weight_noise", 0.25))
    statements = [
        f"{draws} Monte Carlo draws over weights, side aggregation ({', '.join(aggregations)}), "
        f"IGF mapping ({', '.join(mappings)}) and missing-item rule "
        f"({', '.join(f'{r:g}' for r in rules)} of a scale's items answered)."
    ]
    schemes = ["equal", "noise"]
    if loadings:
        unknown = sorted(set(loadings) - set(COMPONENTS))
        if unknown:
            raise ValueError(f"loadings for unknown components {unknown}; use {COMPONENTS}")
        schemes.append("cfa")
        cfa = np.array([float(loadings.get(c, 1.0)) for c in COMPONENTS])
    else:
        cfa = None
        statements.append(
            "CFA-derived weights were skipped: no loadings were given (the psychometrics "
            "module provides them)."
        )

    cells = (
        pd.DataFrame({"area": area.astype(str), "wave": wave.astype(str)})
        .drop_duplicates()
        .sort_values(["area", "wave"])
        .reset_index(drop=True)
    )
    status = _cell_status(area, wave, side, cells, method)
    ranked = status != "suppressed"
    means = {}
    default_key = (method.components["IGF"]["mapping"], method.min_share_answered)
    for mapping, rule in [*((m, r) for m in mappings for r in rules), default_key]:
        if (mapping, rule) in means:
            continue
        components = dict(method.components)
        components["IGF"] = {**components["IGF"], "mapping": mapping}
        variant = replace(method, components=components, min_share_answered=rule)
        scores = score_scales(answers, instrument, rule)
        per_respondent = respondent_components(answers, scores, instrument, variant)
        means[(mapping, rule)] = _cell_means(per_respondent, area, wave, side, cells)
    default_index = indices_from_means(means[default_key], method)["index"]
    waves = cells["wave"].to_numpy()
    choices = {"schemes": schemes, "mappings": mappings, "rules": rules,
               "aggregations": aggregations, "noise": noise, "cfa": cfa}  # fmt: skip
    indices = np.stack([_draw(means, method, rng, choices) for _ in range(draws)])

    ranks = _ranks(indices, waves, ranked)
    table = cells.copy()
    table["index"] = default_index
    table["rank"] = _ranks(default_index, waves, ranked)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # suppressed cells: all-NaN ranks
        table["median_rank"] = np.nanmedian(ranks, axis=0) if ranked.any() else np.nan
        table["rank_p05"] = np.nanquantile(ranks, 0.05, axis=0) if ranked.any() else np.nan
        table["rank_p95"] = np.nanquantile(ranks, 0.95, axis=0) if ranked.any() else np.nan
        table["index_p05"] = np.nanquantile(indices, 0.05, axis=0)
        table["index_p95"] = np.nanquantile(indices, 0.95, axis=0)
    table["areas_ranked"] = table["wave"].map(pd.Series(ranked).groupby(waves).sum())
    table["draws"] = draws
    table["status"] = status
    values = ["index", "rank", "median_rank", "rank_p05", "rank_p95", "index_p05", "index_p95"]
    table.loc[~ranked, values] = np.nan
    return SensitivityResult(table[list(SENSITIVITY_COLUMNS)], tuple(statements))
