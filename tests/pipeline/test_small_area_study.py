"""Simulation study of the small-area estimates, with a generating model of its own.

Generating model (independent of the pipeline's simulator and of the Fay-Herriot model):
municipalities of 5-12 small areas, three waves, 3-12 respondents a side in every area x
wave. A cell's level is ``p = expit(base_side + municipality + area + area x wave + wave)``
(SDs 0.25, 0.45 and 0.12 on the logit scale, per side; the area effect persists over the
waves). A respondent's attitude is ``a ~ Beta(12 p, 12 (1 - p))`` and each of the seven
components ``100 * Beta(20 a, 20 (1 - a))``: skewed answers whose expectation is
``100 p`` on every component, so the true side index is ``100 p`` and the true area index
``sqrt(P I)``. The direct estimates and their bootstrap come from
:func:`hybridisation_index` (respondents resampled, 200 replicates), the small-area table
from :func:`small_area_estimates`.

Measured over SEEDS monitors (published figures of all three measures and waves):
coverage of the published figures' 95% intervals and their root mean squared error beside
the direct estimates'. Every small area must get a figure (min_respondents 2).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from samenspel.pipeline.index.estimate import hybridisation_index
from samenspel.pipeline.index.small_area import SmallAreaSettings, small_area_estimates
from samenspel.pipeline.index.tables import small_area_input
from samenspel.pipeline.methodology import COMPONENTS, load_methodology

METHOD = load_methodology()
SEEDS = range(8)
MUNICIPALITIES = 6
WAVES = ("2024", "2025", "2026")
SIDES = ("professional", "informal")
BASE = {"professional": 0.6, "informal": 0.3}
MUNICIPALITY_SD, AREA_SD, AREA_WAVE_SD = 0.25, 0.45, 0.12


def expit(x):
    return 1 / (1 + np.exp(-x))


def simulate(seed: int):
    rng = np.random.default_rng(seed)
    rows, truth, municipality_of = [], [], {}
    for m in range(MUNICIPALITIES):
        municipality = {s: rng.normal(0, MUNICIPALITY_SD) for s in SIDES}
        for a in range(rng.integers(5, 13)):
            area = f"m{m}a{a}"
            municipality_of[area] = f"GM{m}"
            effect = {s: rng.normal(0, AREA_SD) for s in SIDES}
            for t, wave in enumerate(WAVES):
                level = {}
                for side in SIDES:
                    logit = BASE[side] + municipality[side] + effect[side] + 0.05 * t
                    p = expit(logit + rng.normal(0, AREA_WAVE_SD))
                    level[side] = 100 * p
                    n = rng.integers(3, 13)
                    attitude = rng.beta(12 * p, 12 * (1 - p), size=n)
                    values = 100 * rng.beta(
                        20 * attitude[:, None], 20 * (1 - attitude[:, None]), size=(n, 7)
                    )
                    frame = pd.DataFrame(values, columns=list(COMPONENTS))
                    frame["area"], frame["wave"], frame["side"] = area, wave, side
                    rows.append(frame)
                for side in SIDES:
                    truth.append((area, wave, f"index_{side}", level[side]))
                index = np.sqrt(level["professional"] * level["informal"])
                truth.append((area, wave, "index", index))
    data = pd.concat(rows, ignore_index=True)
    truth = pd.DataFrame(truth, columns=["area", "wave", "measure", "truth"])
    return data, truth, municipality_of


def direct_estimates(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The direct estimates of one simulated monitor, and the truth."""
    data, truth, municipality_of = simulate(seed)
    result = hybridisation_index(
        data[list(COMPONENTS)], data["area"], data["wave"], data["side"], METHOD, replicates=200
    )
    return small_area_input(result, municipality_of), truth


def study(monitors, settings: SmallAreaSettings) -> dict[str, float]:
    tables = []
    for direct, truth in monitors:
        table = small_area_estimates(direct, settings, WAVES)
        table = table.merge(truth, on=["area", "wave", "measure"])
        # the direct estimate of every cell, suppressed or not, for its error
        unsuppressed = direct.set_index(["area", "wave", "measure"])["direct"]
        key = pd.MultiIndex.from_frame(table[["area", "wave", "measure"]])
        table["direct_all"] = unsuppressed.reindex(key).to_numpy()
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    published = table["published"]
    covered = (table["published_ci_low"] <= table["truth"]) & (
        table["truth"] <= table["published_ci_high"]
    )
    model = table["estimate_type"] == "model-based"
    return {
        "cells": len(table),
        "without_figure": float(published.isna().mean()),
        "model_based": float(model.mean()),
        "coverage": float(covered[published.notna()].mean()),
        "coverage_model_based": float(covered[model].mean()),
        "rmse_published": float(np.sqrt(((published - table["truth"]) ** 2).mean())),
        "rmse_direct": float(np.sqrt(((table["direct_all"] - table["truth"]) ** 2).mean())),
    }


@pytest.fixture(scope="module")
def monitors():
    return [direct_estimates(seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def default_study(monitors):
    return study(monitors, SmallAreaSettings.of(METHOD))


def test_every_small_area_gets_a_figure(default_study):
    print(default_study)
    assert default_study["without_figure"] == 0


def test_published_intervals_cover(default_study):
    assert 0.92 <= default_study["coverage"] <= 0.98


def test_published_figures_beat_the_direct_estimate(default_study):
    gain = 1 - default_study["rmse_published"] / default_study["rmse_direct"]
    assert gain >= 0.15


def test_earlier_waves_add_to_a_model_per_wave(monitors, default_study):
    """A model per wave alone borrows only from the other areas: it gains less."""
    per_wave = study(monitors, replace(SmallAreaSettings.of(METHOD), waves="current"))
    print("per wave alone:", per_wave)
    gain = 1 - per_wave["rmse_published"] / per_wave["rmse_direct"]
    assert 0 < gain < 1 - default_study["rmse_published"] / default_study["rmse_direct"]


def test_a_wave_is_the_same_whether_or_not_a_later_wave_is_in_the_data():
    """Each wave's model uses that wave and the earlier ones: adding a wave moves nothing."""
    data, _, municipality_of = simulate(0)
    settings = SmallAreaSettings.of(METHOD)

    def tables(frame):
        result = hybridisation_index(
            frame[list(COMPONENTS)], frame["area"], frame["wave"], frame["side"], METHOD,
            replicates=100,
        )  # fmt: skip
        return small_area_estimates(small_area_input(result, municipality_of), settings, WAVES)

    two = tables(data[data["wave"] != WAVES[2]])
    three = tables(data)
    for wave in WAVES[:2]:
        pd.testing.assert_frame_equal(
            two[two["wave"] == wave].reset_index(drop=True),
            three[three["wave"] == wave].reset_index(drop=True),
            check_exact=True,
        )
    assert three[three["wave"] == WAVES[2]]["model"].notna().all()
