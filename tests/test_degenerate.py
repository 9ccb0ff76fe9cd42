"""The whole pipeline on a store built to hold every degenerate cell we could think of.

An area with one respondent on a side, a side where everyone gives the same answers, an area
present in one wave only, a municipality with a single area, and a small last wave: every
output is still written, the report renders, and each figure that cannot be computed says
why instead of stopping the run.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

REGISTRY = {
    "municipalities": {"GM0001": "Grootstad", "GM0002": "Eenwijk"},
    "areas": [
        {"id": "normal", "name": "Gewoon", "municipality": "GM0001", "kind": "wijk"},
        {"id": "lonely", "name": "Eenling", "municipality": "GM0001", "kind": "wijk"},
        {"id": "flat", "name": "Vlak", "municipality": "GM0001", "kind": "wijk"},
        {"id": "once", "name": "Eenmalig", "municipality": "GM0001", "kind": "wijk"},
        {"id": "alone", "name": "Alleen", "municipality": "GM0002", "kind": "wijk"},
    ],
}


@pytest.fixture(scope="module")
def degenerate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("degenerate")
    registry = folder / "areas.yaml"
    registry.write_text(yaml.safe_dump(REGISTRY))
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(registry)
    model = draw_model(instrument, areas, SimulationSettings(per_side=25, waves=("2025", "2026")))
    rng = np.random.default_rng(8)
    store = folder / "store.duckdb"
    agreement = [
        i.code for i in instrument.items if instrument.scale_of(i.code).kind == "agreement"
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        for wave in ("2025", "2026"):
            frame = simulate_wave(instrument, areas, model, wave, rng)
            frame = frame[~frame["_uuid"].duplicated()]
            professional = frame["role"] == 1
            # one professional in "lonely"
            lonely = frame.index[(frame["area"] == "lonely") & professional]
            frame = frame.drop(lonely[1:])
            # the informal actors of "flat" all give the same answers
            flat = (frame["area"] == "flat") & (frame["role"] == 2)
            frame.loc[flat, agreement] = 3.0
            for code in (c for c in frame.columns if c.startswith(("igf", "col_"))):
                frame.loc[flat, code] = frame.loc[flat, code].iloc[0]
            if wave == "2026":
                frame = frame[frame["area"] != "once"]  # present in the first wave only
                frame = frame.groupby(["area", "role"]).head(12)  # a small last wave
            path = folder / f"kobo_{wave}.csv"
            path.write_text(to_kobo_csv(instrument, frame.reset_index(drop=True), True))
            args = ["ingest", str(path), "--wave", wave, "--store", str(store)]
            assert main([*args, "--areas", str(registry)]) == 0
        results, site = folder / "results", folder / "site"
        code = main(
            ["analyse", "--store", str(store), "--out", str(results), "--areas", str(registry),
             "--replicates", "200"]
        )  # fmt: skip
        assert code == 0
        assert main(["report", "--results", str(results), "--out", str(site),
                     "--areas", str(registry), "--language", "en"]) == 0  # fmt: skip
    return results, site


def test_every_documented_output_is_written(degenerate):
    results, site = degenerate
    for name, columns in OUTPUT_COLUMNS.items():
        table = pd.read_csv(results / f"{name}.csv")
        assert list(table.columns) == list(columns), name
    metadata = json.loads((results / "metadata.json").read_text())
    assert set(metadata["files"]) >= {f"{name}.csv" for name in OUTPUT_COLUMNS}
    assert (site / "en" / "index.html").exists() and (site / "en" / "samenspel-GM0001.pdf").exists()
    # The area of the first wave only is listed on its municipality's page, without figures.
    assert "Not measured in wave 2026." in (site / "en" / "GM0001" / "index.html").read_text()


def test_undefined_comparisons_say_why(degenerate):
    results, _ = degenerate
    comparisons = pd.read_csv(results / "comparisons.csv", keep_default_na=False)
    undefined = comparisons[comparisons["p"] == ""]
    assert (undefined["test"] == "latent_means").any() or not undefined.empty
    said = undefined[undefined["test"] != "latent_means"]["note"]
    assert said.str.startswith("not computed:").all()
    alone = comparisons[
        (comparisons["test"] == "area_vs_municipality") & (comparisons["group_a"] == "alone")
    ]
    assert alone["note"].str.startswith("not computed: the only area").all()
    lonely = comparisons[
        (comparisons["test"] == "area_vs_all")
        & (comparisons["group_a"] == "lonely")
        & (comparisons["side"] == "professional")
    ]
    assert lonely["note"].str.startswith("not computed: fewer than").all()
    anova = comparisons[
        (comparisons["test"] == "welch_anova") & (comparisons["side"] == "informal")
    ]
    assert anova["note"].str.contains("everyone gave the same value").any()


def test_small_and_missing_cells_are_suppressed_not_dropped(degenerate):
    results, _ = degenerate
    index = pd.read_csv(results / "index.csv", dtype={"wave": str})
    lonely = index[index["area"] == "lonely"]
    assert (lonely["status"] == "suppressed").all() and lonely["index"].isna().all()
    assert (lonely["n_professional"] == 1).all()
    once = index[index["area"] == "once"]
    assert list(once["wave"]) == ["2025"]  # only where it was surveyed
    change = pd.read_csv(results / "change.csv", dtype={"wave_from": str})
    assert "once" not in set(change["area"])
    design = pd.read_csv(results / "design.csv")
    assert design.loc[design["area"] == "lonely", "design_effect"].isna().any()


def test_psychometric_problems_are_rows_not_crashes(degenerate):
    results, _ = degenerate
    # About 110 respondents a side in 2025 and 60 in 2026: too few for the full factor
    # model, which is said per wave and step (psychometrics_steps); the index and everything
    # else are there regardless.
    steps = pd.read_csv(results / "psychometrics_steps.csv", dtype={"wave": str},
                        keep_default_na=False)  # fmt: skip
    full = steps[(steps["step"] == "cfa") & (steps["model"] == "full")]
    assert set(full["wave"]) >= {"2025", "2026"}
    unfitted = full[~full["fitted"].astype(bool)]
    assert "2026" in set(unfitted["wave"])  # 60 respondents: 133 needed
    assert unfitted["reason"].str.len().gt(20).all()
    sides = steps[steps["step"] == "invariance_sides"]
    for wave in ("2025", "2026"):  # 2 x 50 needed: a fitted model, or why not
        rows = sides[sides["wave"] == wave]
        assert rows["fitted"].astype(bool).any() or rows["reason"].str.len().gt(20).all()
