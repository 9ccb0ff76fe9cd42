"""`samenspel progress`: a wave planned for the demo registry, part of a simulated wave
ingested, and the progress table checked against counts made by hand and the half-widths
against what `samenspel analyse` reports on the same store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ingest_fixtures import areas, instrument

from samenspel.cli import main
from samenspel.instrument.model import UNIT_NOT_LISTED
from samenspel.pipeline.index.progress import PROGRESS_COLUMNS
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

SIDE_OF_ROLE = {1.0: "professional", 2.0: "informal"}


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """Plan 12 a side, then ingest the first 60% of a simulated wave of 12 a side."""
    folder = tmp_path_factory.mktemp("progress")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key" / "pseudonym.key"))
        assert main(["plan", "--respondents", "12", "--out", str(folder / "plan")]) == 0
        settings = SimulationSettings(waves=("2026",), per_side=12, seed=8, model_seed=8)
        model = draw_model(instrument(), areas(), settings)
        frame = simulate_wave(instrument(), areas(), model, "2026", np.random.default_rng(8))
        frame = frame.drop(columns="_careless")
        part = frame.iloc[: int(len(frame) * 0.6)]
        csv = folder / "kobo_2026_part.csv"
        csv.write_text(to_kobo_csv(instrument(), part, group_prefixes=True))
        store = folder / "store.duckdb"
        assert main(["ingest", str(csv), "--wave", "2026", "--store", str(store)]) == 0
        out = folder / "progress"
        args = ["--store", str(store), "--replicates", "200"]
        assert (
            main(["progress", *args, "--plan", str(folder / "plan" / "plan.csv"),
                  "--out", str(out), "--language", "en"])
            == 0
        )  # fmt: skip
        results = folder / "results"
        assert main(["analyse", *args, "--out", str(results)]) == 0
        yield folder, part, out, results


def test_progress_counts_match_counts_made_by_hand(field):
    folder, part, out, _ = field
    table = pd.read_csv(out / "progress.csv", keep_default_na=False, na_values=[""])
    assert list(table.columns) == list(PROGRESS_COLUMNS)
    # By hand: consent yes, a side's role, the first of duplicated submissions.
    kept = part[(part.consent == 1) & part.role.isin(SIDE_OF_ROLE)]
    kept = kept.drop_duplicates("_uuid").drop_duplicates("respondent")
    kept = kept.assign(
        side=kept.role.map(SIDE_OF_ROLE),
        unit=kept.unit.fillna("").replace("", UNIT_NOT_LISTED),
    )
    by_hand = kept.groupby(["area", "side", "unit"]).size()
    counted = table.set_index(["area", "side", "unit"])["accepted"]
    assert counted[counted > 0].sort_index().equals(by_hand.sort_index().rename("accepted"))
    # Every unit of the registry has a row, reached or not, with its members and target.
    registry = areas().units_table()
    assert set(registry.code) <= set(table.unit)
    plan = pd.read_csv(folder / "plan" / "plan.csv")
    merged = table.merge(plan[["area", "side", "unit", "target"]], on=["area", "side", "unit"])
    assert (merged.target_x == merged.target_y).all() and len(merged) == len(plan)
    row = table[table.members.notna() & (table.accepted > 0)].iloc[0]
    assert row.response_rate == pytest.approx(row.accepted / row.members)
    side = table.groupby(["area", "side"])
    assert (side.accepted.transform("sum") == table.side_accepted).all()
    # Units not reached first, then the sides behind target, then the rest.
    order = table.attention.map({"unit not reached": 0, "side behind target": 1, "": 2})
    assert order.is_monotonic_increasing
    assert (table.loc[table.attention == "unit not reached", "accepted"] == 0).all()
    behind = table.side_accepted < table.side_target
    assert (table.loc[table.attention == "", "side_accepted"] >= 0).all()
    assert not (behind & (table.attention == "")).any()


def test_half_widths_are_those_analyse_reports(field):
    _, _, out, results = field
    table = pd.read_csv(out / "progress.csv")
    index = pd.read_csv(results / "index.csv").set_index("area")
    sides = pd.read_csv(results / "side_measures.csv")
    sides = sides[sides.measure == "side_index"].set_index(["area", "side"])
    shown = table.drop_duplicates(["area", "side"])
    for row in shown.itertuples():
        expected = (index.at[row.area, "ci_high"] - index.at[row.area, "ci_low"]) / 2
        if np.isnan(expected):
            assert np.isnan(row.half_width_index)
        else:
            assert row.half_width_index == pytest.approx(expected, abs=1e-9)
        side = sides.loc[(row.area, row.side)]
        assert row.side_status == side.status
        if side.status == "suppressed":
            assert np.isnan(row.half_width_side)
        else:
            assert row.half_width_side == pytest.approx((side.ci_high - side.ci_low) / 2, abs=1e-9)
    assert shown.half_width_index.notna().any() and shown.half_width_side.notna().any()


def test_the_page_holds_counts_not_codes_values_or_answers(field):
    _, _, out, results = field
    page = (out / "fieldwork.html").read_text()
    assert '<html lang="en">' in page and "Fieldwork progress, wave 2026" in page
    assert "Simulated demo data" not in page  # exports of the simulator's functions, not
    # `samenspel simulate`: the store does not mark them simulated
    for unit in areas().units:
        assert unit.code not in page  # names only
    index = pd.read_csv(results / "index.csv")
    # the interim index is not shown (margins stay far below these values)
    for value in index["index"].dropna():
        assert value < 30 or f">{value:.1f}<" not in page
    assert "too few responses" in page or "indicative" in page


def test_progress_in_dutch_without_a_plan_and_refusals(field, tmp_path, capsys):
    folder, _, _, _ = field
    store = str(folder / "store.duckdb")
    out = tmp_path / "nl"
    code = main(["progress", "--store", store, "--replicates", "100", "--out", str(out)])
    assert code == 0
    page = (out / "fieldwork.html").read_text()
    assert '<html lang="nl">' in page and "Zonder veldwerkplan" in page
    assert pd.read_csv(out / "progress.csv").target.isna().all()
    assert main(["progress", "--store", store, "--wave", "1999"]) == 2
    assert "Wave 1999 has no accepted responses" in capsys.readouterr().err
    bad = tmp_path / "plan.csv"
    bad.write_text("area,unit\nx,y\n")
    assert main(["progress", "--store", store, "--plan", str(bad)]) == 2
    assert "side, target" in capsys.readouterr().err
