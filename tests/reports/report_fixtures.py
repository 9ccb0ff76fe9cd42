"""Inputs the report tests build alike: two simulated waves ingested into a store, and a
results folder written as `samenspel analyse` writes it (tables, metadata, manifest), or by
`samenspel analyse` itself (with the psychometrics and the data-quality tables)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.common.files import MANIFEST_KEY, neutralise_formulas, results_manifest
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.instrument.model import AreaRegistry, Instrument
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.store import open_store
from samenspel.pipeline.methodology import Methodology
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

WAVES = ("2025", "2026")


def two_waves(
    folder: Path,
    areas: AreaRegistry,
    per_side: int,
    seed: int,
    edit: Callable[[str, pd.DataFrame], pd.DataFrame] = lambda wave, frame: frame,
) -> tuple[Instrument, pd.DataFrame]:
    """The responses of two simulated waves of ``areas`` after ingest into a store in
    ``folder``; ``edit`` may change a wave's export before it is ingested."""
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    model = draw_model(instrument, areas, SimulationSettings(per_side=per_side))
    rng = np.random.default_rng(seed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        con = open_store(folder / "store.duckdb")
        for wave in WAVES:
            csv = folder / f"kobo_{wave}.csv"
            frame = edit(wave, simulate_wave(instrument, areas, model, wave, rng))
            csv.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
            ingest_file(con, csv, wave, instrument, areas)
        responses = load_responses(con)
        con.close()
    return instrument, responses


def report_metadata(instrument: Instrument, method: Methodology) -> dict:
    """The metadata the report reads, for simulated data analysed on 1 December 2026."""
    return {
        "run_id": "test", "simulated": True, "created_at": "2026-12-01T09:00:00+00:00",
        "instrument_version": instrument.version,
        "instrument_hash": instrument.content_hash, "methodology_version": method.version,
        "publish_min": method.publish_min, "indicative_min": method.indicative_min,
        "meaningful_change": method.meaningful_change,
    }  # fmt: skip


def write_results(
    folder: Path, tables: dict[str, pd.DataFrame], instrument: Instrument, method: Methodology
) -> tuple[Path, dict]:
    """``folder``/results as `samenspel analyse` writes it; returns it and its metadata."""
    results = folder / "results"
    results.mkdir()
    for name, table in tables.items():
        neutralise_formulas(table).to_csv(results / f"{name}.csv", index=False)
    metadata = report_metadata(instrument, method)
    metadata[MANIFEST_KEY] = results_manifest(results, "metadata.json")
    (results / "metadata.json").write_text(json.dumps(metadata))
    return results, metadata


def analysed(folder: Path, per_side: int, seed: int, *options: str) -> Path:
    """``folder``/results as `samenspel analyse` writes it (``options`` added to its command
    line) from two simulated waves of the demo's areas (three municipalities, nine areas)."""
    two_waves(folder, load_areas(DEFAULT_AREAS), per_side, seed)
    results = folder / "results"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        command = ["analyse", "--store", str(folder / "store.duckdb"), "--out", str(results)]
        assert main([*command, "--replicates", "100", *options]) == 0
    return results
