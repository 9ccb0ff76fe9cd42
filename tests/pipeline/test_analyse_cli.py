"""`samenspel analyse` writes every documented table; `samenspel plan` plans fieldwork."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from samenspel.pipeline.analyse import OUTPUT_COLUMNS

from samenspel.cli import main


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One small two-wave store for the module (simulating and ingesting take a while)."""
    folder = tmp_path_factory.mktemp("analyse")
    demo, store = folder / "demo", folder / "store.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key" / "pseudonym.key"))
        simulate = ["simulate", "--out", str(demo), "--per-side", "8", "--waves", "2025", "2026"]
        assert main(simulate) == 0
        for wave in ("2025", "2026"):
            csv = str(demo / f"kobo_{wave}.csv")
            assert main(["ingest", csv, "--wave", wave, "--store", str(store)]) == 0
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
