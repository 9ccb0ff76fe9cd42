"""`samenspel analyse` writes every documented table; `samenspel plan` plans fieldwork."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.analyse import OUTPUT_COLUMNS
from samenspel.pipeline.simulate import SimulationSettings, draw_model, simulate_wave, to_kobo_csv

from samenspel.cli import main
from samenspel.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One small two-wave store for the module: simulated exports ingested by the CLI.

    The exports come from the simulator's functions, not `samenspel simulate`, which would
    also compute the true index (slow, and not needed here).
    """
    folder = tmp_path_factory.mktemp("analyse")
    store = folder / "store.duckdb"
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(DEFAULT_AREAS)
    model = draw_model(instrument, areas, SimulationSettings(per_side=8))
    rng = np.random.default_rng(5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key" / "pseudonym.key"))
        for wave in ("2025", "2026"):
            csv = folder / f"kobo_{wave}.csv"
            frame = simulate_wave(instrument, areas, model, wave, rng)
            csv.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
            assert main(["ingest", str(csv), "--wave", wave, "--store", str(store)]) == 0
    return store


def test_analyse_writes_documented_tables_with_small_cells_applied(tmp_path, store, capsys):
    out = tmp_path / "results"
    assert main(["analyse", "--store", str(store), "--out", str(out), "--replicates", "200"]) == 0
    documented = json.loads((out / "columns.json").read_text())
    assert documented == OUTPUT_COLUMNS
    tables = {name: pd.read_csv(out / f"{name}.csv") for name in OUTPUT_COLUMNS}
    for name, table in tables.items():
        assert list(table.columns) == list(OUTPUT_COLUMNS[name]), name
    index = tables["index"]
    # 8 a side minus refusals: indicative or suppressed, never published
    assert set(index.status) <= {"indicative", "suppressed"}
    assert index.loc[index.status == "suppressed", "index"].isna().all()
    assert index.loc[index.status == "indicative", "index"].notna().all()
    change = tables["change"]
    assert change.loc[change.status == "suppressed", "change"].isna().all()
    assert (change.loc[change.status == "suppressed", "verdict"] == "suppressed").all()
    goals = tables["goals"]
    assert goals.loc[goals.status == "suppressed", "value"].isna().all()
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["comparison_correction"] == "holm"
    assert "CFA-derived weights were skipped" in metadata["sensitivity_statements"][1]


def test_plan_from_the_store_and_from_the_simulator(store, tmp_path, capsys):
    assert (
        main(["plan", "--half-width", "3", "--store", str(store), "--out", str(tmp_path / "p.csv")])
        == 0
    )
    printed = capsys.readouterr().out
    assert "earlier waves" in printed and "respondents per side" in printed
    assert len(pd.read_csv(tmp_path / "p.csv")) == 18
    assert main(["plan", "--half-width", "4"]) == 0
    assert "simulator" in capsys.readouterr().out


def test_plan_and_analyse_refuse_bad_input_with_a_message(store, tmp_path, capsys):
    assert main(["plan", "--half-width", "0"]) == 2
    assert "--half-width must be above 0" in capsys.readouterr().err
    bad = tmp_path / "invariance.csv"
    bad.write_text("wave_from,wave_to\n2025,2026\n")
    code = main(
        ["analyse", "--store", str(store), "--out", str(tmp_path / "r"), "--invariance", str(bad)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "holds" in err and str(bad) in err


def test_loadings_file_is_checked(store, tmp_path, capsys):
    bad = tmp_path / "loadings.json"
    bad.write_text('{"XYZ": 0.7}')
    code = main(
        ["analyse", "--store", str(store), "--out", str(tmp_path / "r"), "--loadings", str(bad)]
    )
    assert code == 2
    assert "unknown component(s) XYZ" in capsys.readouterr().err
