"""`samenspel analyse` writes every documented table; `samenspel plan` plans fieldwork."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from ingest_fixtures import ingested_by_the_cli

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.plan import UNIT_TARGET_COLUMNS
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One small two-wave store for the module, ingested by the CLI."""
    with pytest.MonkeyPatch.context() as patch:
        return ingested_by_the_cli(tmp_path_factory.mktemp("analyse"), patch)


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
    # 72 a side: enough for the CFA of the whole model in one group (133 needed), not for
    # the test between the sides (265); the CFA's loadings give the sensitivity analysis
    # its CFA-derived weights
    steps = tables["psychometrics_steps"]
    cfa = steps[(steps.step == "cfa") & steps.fitted.astype(bool)]
    assert set(cfa.model) == {"full"}
    sides = steps[(steps.step == "invariance_sides") & (steps.model == "full")]
    assert not sides.fitted.astype(bool).any()
    assert not any("CFA-derived weights were skipped" in s
                   for s in metadata["sensitivity_statements"])  # fmt: skip
    # Units: how each side was drawn, the ICC by unit; unit codes themselves never leave.
    design = tables["design"]
    assert set(design.interval) <= {"units", "one unit", "individuals", ""}
    assert design.loc[design.status == "suppressed", "design_effect"].isna().all()
    assert set(tables["unit_icc"].measure) >= {"component_TRU", "side_score"}
    unit_codes = {u.code for u in load_areas(DEFAULT_AREAS).units}
    for path in out.iterdir():
        if path.suffix == ".xlsx":  # the workbook: the text of every cell of every sheet
            book = openpyxl.load_workbook(path, read_only=True)
            text = "\n".join(str(v) for sheet in book for row in sheet.values for v in row)
        else:
            text = path.read_text()
        assert not any(code in text for code in unit_codes), path.name


def test_a_store_without_unit_codes_analyses_as_before(tmp_path, capsys):
    """A wave asked without the unit question (an older instrument): the intervals assume
    independent draws, and every output is written."""
    text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    start = text.index("      - code: unit\n")
    end = text.index("      - code: years\n")
    older = tmp_path / "older.yaml"
    older.write_text(text[:start] + text[end:], encoding="utf-8")
    instrument, areas = load_instrument(older), load_areas(DEFAULT_AREAS)
    assert "unit" not in instrument.item_codes
    model = draw_model(instrument, areas, SimulationSettings(waves=("2024",), per_side=12))
    frame = simulate_wave(instrument, areas, model, "2024", np.random.default_rng(3))
    csv, store = tmp_path / "old.csv", tmp_path / "old.duckdb"
    csv.write_text(to_kobo_csv(instrument, frame, group_prefixes=True))
    args = ["--store", str(store), "--instrument", str(older)]  # the wave's own questionnaire
    assert main(["ingest", str(csv), "--wave", "2024", *args]) == 0
    out = tmp_path / "results"
    assert main(["analyse", *args, "--out", str(out), "--replicates", "200"]) == 0
    design = pd.read_csv(out / "design.csv")
    assert set(design.interval) == {"respondents"}
    assert design.design_effect.isna().all()
    assert pd.read_csv(out / "unit_icc.csv").empty
    assert pd.read_csv(out / "index.csv")["ci_low"].notna().any()


def test_plan_from_the_store_and_from_the_simulator(store, tmp_path, capsys):
    assert (
        main(["plan", "--half-width", "3", "--store", str(store), "--out", str(tmp_path / "p")])
        == 0
    )
    printed = capsys.readouterr().out
    assert "earlier waves" in printed and "professionals in" in printed
    assert "ICC by unit" in printed and "wave 2026 in the store" in printed
    plan = pd.read_csv(tmp_path / "p" / "plan.csv", dtype={"spread_wave": str})
    assert list(plan.columns) == list(UNIT_TARGET_COLUMNS)
    registry = load_areas(DEFAULT_AREAS).units_table()
    assert sorted(plan.unit) == sorted(registry.code)  # one row per unit of the registry
    assert (plan.target <= plan.members).all()
    assert set(plan.spread_wave) == {"2026"}  # each area's latest wave
    unreachable = plan[~plan.reachable].area_name.unique()
    for name in unreachable:
        assert name in printed.split("cannot reach it")[1]
    assert main(["plan", "--respondents", "20"]) == 0
    printed = capsys.readouterr().out
    assert "simulator" in printed and "20 respondents per side" in printed


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
