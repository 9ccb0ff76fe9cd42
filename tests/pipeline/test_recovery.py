"""Parameter recovery: the estimator against the simulator's truth, over many seeds.

The true index is the estimator's value with unlimited respondents a cell (docs/methodology.md,
section 11); each sample has 40 respondents per side and area and goes the real way: KoboToolbox CSV
-> ingest into a DuckDB store -> scores -> index with its bootstrap interval.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.store import open_store
from samenspel.pipeline.methodology import load_methodology
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)
from samenspel.pipeline.simulation.truth import true_index

SEEDS = range(20)
REPLICATES = 1000


@pytest.fixture(scope="module")
def setup():
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    areas = load_areas(DEFAULT_AREAS)
    # The simulator's truth averages over every unit that could have been reached (a
    # superpopulation of units), so the intervals must carry the whole between-unit
    # variance, not the finite-units correction for the demo's (nearly all) reached units.
    method = replace(load_methodology(), units="superpopulation")
    model = draw_model(instrument, areas, SimulationSettings(per_side=40, model_seed=7))
    truth = true_index(instrument, model, method)
    return instrument, areas, method, model, truth


def estimate(setup, seed: int, tmp_path) -> pd.DataFrame:
    instrument, areas, method, model, _ = setup
    rng = np.random.default_rng(seed)
    con = open_store(tmp_path / f"store{seed}.duckdb")
    for position, wave in enumerate(model.settings.waves):
        frame = simulate_wave(instrument, areas, model, wave, rng)
        path = tmp_path / f"kobo_{seed}_{wave}.csv"
        path.write_text(to_kobo_csv(instrument, frame, group_prefixes=position == 0))
        report = ingest_file(con, path, wave, instrument, areas)
        assert report.accepted + report.rejected_total == report.rows_read
    responses = load_responses(con)
    con.close()
    return index_tables(responses, instrument, areas, method, replicates=REPLICATES)["index"]


@pytest.mark.slow
def test_estimates_order_areas_like_the_truth_and_intervals_cover_it(setup, tmp_path):
    truth = setup[-1]
    covered, total, correlations = 0, 0, []
    for seed in SEEDS:
        estimated = estimate(setup, seed, tmp_path).merge(
            truth, on=["area", "wave"], suffixes=("", "_true")
        )
        assert len(estimated) == 18 and (estimated["status"] == "published").all()
        correlations.append(spearmanr(estimated["index"], estimated["index_true"]).statistic)
        inside = (estimated.ci_low <= estimated.index_true) & (
            estimated.index_true <= estimated.ci_high
        )
        covered += int(inside.sum())
        total += len(estimated)
    coverage = covered / total
    print(
        f"coverage {coverage:.3f} over {total} area-waves; Spearman over the 18 "
        f"area-waves of a seed: min {min(correlations):.3f}, "
        f"median {np.median(correlations):.3f}"
    )
    assert coverage >= 0.90
    assert min(correlations) >= 0.9
