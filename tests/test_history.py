"""A history a municipality can trust: waves in time order whatever their names, a
questionnaire known by its content, and every change verdict guarded by an invariance test
that ran (or said that it could not)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.estimate import IndexResult
from samenspel.pipeline.measurement import psychometric_inputs
from samenspel.pipeline.methodology import load_methodology
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)
from samenspel.pipeline.waves import order_waves

SPRING, AUTUMN = "2025-voorjaar", "2025-najaar"


def test_waves_are_ordered_by_their_fieldwork_not_their_names():
    dates = pd.Series(
        {AUTUMN: pd.Timestamp("2025-10-20", tz="UTC"), SPRING: pd.Timestamp("2025-04-10", tz="UTC")}
    )
    by_data = order_waves(dates, {})
    assert list(by_data["wave"]) == [SPRING, AUTUMN]  # by name, najaar would come first
    assert set(by_data["placed_by"]) == {"data"}
    # The project's fieldwork period wins over the data; a wave with neither comes last.
    periods = {SPRING: date(2026, 3, 1), "2024": None}
    by_project = order_waves(dates, periods)
    assert list(by_project["wave"]) == [AUTUMN, SPRING, "2024"]
    assert list(by_project["placed_by"]) == ["data", "project", "name"]


def exports(folder: Path, months: dict[str, str]) -> dict[str, Path]:
    """Two small simulated waves as Kobo exports, fielded in the given months (YYYY-MM)."""
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(DEFAULT_AREAS)
    settings = SimulationSettings(per_side=8, waves=tuple(months), model_seed=3)
    model = draw_model(instrument, areas, settings)
    paths = {}
    for number, (wave, month) in enumerate(months.items()):
        frame = simulate_wave(instrument, areas, model, wave, np.random.default_rng(number))
        for column in ("start", "end", "_submission_time"):
            frame[column] = frame[column].str.replace(r"^\d{4}-\d{2}", month, regex=True)
        paths[wave] = folder / f"{wave}.csv"
        paths[wave].write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
    return paths


@pytest.mark.parametrize("ingest_first", [SPRING, AUTUMN])
def test_spring_before_autumn_in_change_whatever_the_ingest_order(tmp_path, ingest_first, capsys):
    paths = exports(tmp_path, {SPRING: "2025-04", AUTUMN: "2025-10"})
    store = tmp_path / "store.duckdb"
    for wave in sorted(paths, key=lambda w: w != ingest_first):
        assert main(["ingest", str(paths[wave]), "--wave", wave, "--store", str(store)]) == 0
    results = tmp_path / "results"
    argv = ["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"]
    assert main(argv) == 0
    assert f"waves in time order: {SPRING} -> {AUTUMN}" in capsys.readouterr().err
    metadata = json.loads((results / "metadata.json").read_text())
    assert metadata["wave_order"] == [SPRING, AUTUMN]
    change = pd.read_csv(results / "change.csv", dtype={"wave_from": str, "wave_to": str})
    assert set(zip(change["wave_from"], change["wave_to"], strict=True)) == {(SPRING, AUTUMN)}
    waves = pd.read_csv(results / "waves.csv")
    assert list(waves["wave"]) == [SPRING, AUTUMN] and set(waves["placed_by"]) == {"data"}
    index = pd.read_csv(results / "index.csv", dtype={"wave": str}).set_index(["area", "wave"])
    row = change.iloc[0]
    assert row["change"] == pytest.approx(
        index.loc[(row["area"], AUTUMN), "index"] - index.loc[(row["area"], SPRING), "index"]
    )


def test_a_comment_or_windows_line_endings_do_not_change_the_questionnaire(tmp_path):
    text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    copies = {
        "comment": text + "\n# reviewed by the team, December\n",
        "crlf": text.replace("\n", "\r\n"),
        "version": text.replace('version: "2026.2"', 'version: "2026.2.1"'),
        "reworded": text.replace("Zij weten goed wat ze doen.", "Zij weten wat ze doen."),
    }
    original = load_instrument(DEFAULT_INSTRUMENT).content_hash
    hashes = {}
    for name, content in copies.items():
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(content.encode("utf-8"))
        hashes[name] = load_instrument(path).content_hash
    assert hashes["comment"] == hashes["crlf"] == hashes["version"] == original
    assert hashes["reworded"] != original


def test_a_copy_with_a_comment_is_no_method_break(tmp_path):
    paths = exports(tmp_path, {"2025": "2025-10", "2026": "2026-10"})
    copy = tmp_path / "questionnaire.yaml"
    copy.write_bytes(DEFAULT_INSTRUMENT.read_bytes().replace(b"\n", b"\r\n") + b"# reviewed\r\n")
    store = tmp_path / "store.duckdb"
    assert main(["ingest", str(paths["2025"]), "--wave", "2025", "--store", str(store)]) == 0
    argv = ["ingest", str(paths["2026"]), "--wave", "2026", "--store", str(store)]
    assert main([*argv, "--instrument", str(copy)]) == 0
    results = tmp_path / "results"
    argv = ["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"]
    assert main([*argv, "--instrument", str(copy)]) == 0
    change = pd.read_csv(results / "change.csv")
    assert not change["method_break"].any()


def indices(points: dict[tuple[str, str], float]) -> IndexResult:
    rng = np.random.default_rng(0)
    keys = sorted(points)
    table = pd.DataFrame({"area": [k[0] for k in keys], "wave": [k[1] for k in keys]})
    table["status"] = "published"
    point = np.array([points[k] for k in keys])
    replicates = (point + rng.standard_normal((1000, len(keys)))).astype(np.float32)
    return IndexResult(table, table, replicates, point)


def test_every_compared_pair_is_guarded_and_an_untestable_one_says_so():
    method = load_methodology()
    waves = ["w1", "w2", "w3"]
    points = {("a", "w1"): 40.0, ("a", "w2"): 50.0, ("a", "w3"): 60.0}
    # The psychometrics could not fit the test across waves: no 'waves' row.
    invariance_table = pd.DataFrame(
        {"wave": ["w1"], "step": ["scalar"], "comparison": ["sides"], "holds": [True],
         "group_partial": [""]}
    )  # fmt: skip
    across, _, _ = psychometric_inputs({"psychometrics_invariance": invariance_table}, waves)
    assert set(zip(across["wave_from"], across["wave_to"], strict=True)) == {
        ("w1", "w2"), ("w1", "w3"), ("w2", "w3"),
    }  # fmt: skip
    change = index_change(indices(points), method, waves, invariance=across)
    assert set(change["invariance"]) == {"not testable"}
    assert set(change["verdict"]) == {"not testable"}  # a clear rise, not called an increase
    # A test that failed guards the comparison with the first wave too.
    failed = across.assign(holds=False)
    change = index_change(indices(points), method, waves, invariance=failed)
    first = change[change["comparison"] == "first"]
    assert len(first) == 1 and first["verdict"].iloc[0] == "method break"


def test_a_merge_and_a_split_are_boundary_changes_not_trends():
    method = load_methodology()
    waves = ["2025", "2026"]
    points = {
        ("binnenstad", "2025"): 46.0, ("grote-waal", "2025"): 60.0,
        ("binnenstad-2026", "2026"): 56.0,  # the merge of the two
        ("overwhere", "2025"): 50.0,
        ("overwhere-noord", "2026"): 41.0, ("overwhere-zuid", "2026"): 60.0,  # the split
        ("centrum", "2025"): 50.0, ("centrum", "2026"): 51.0,
    }  # fmt: skip
    replaced = {
        "binnenstad-2026": ("2026", ("binnenstad", "grote-waal")),
        "overwhere-noord": ("2026", ("overwhere",)),
        "overwhere-zuid": ("2026", ("overwhere",)),
    }
    change = index_change(indices(points), method, waves, replaced=replaced).set_index("area")
    assert set(change.index) == {"binnenstad-2026", "overwhere-noord", "overwhere-zuid", "centrum"}
    boundary = change.loc[["binnenstad-2026", "overwhere-noord", "overwhere-zuid"]]
    assert set(boundary["verdict"]) == {"boundary change"}
    assert boundary["change"].isna().all() and set(boundary["wave_from"]) == {"2025"}
    assert change.loc["centrum", "verdict"] == "no clear change"


def test_the_registry_records_boundary_history(tmp_path):
    registry = tmp_path / "areas.yaml"
    registry.write_text(
        "municipalities:\n  GM0405: Hoorn\nareas:\n"
        "  - {id: binnenstad, name: Binnenstad, municipality: GM0405, kind: wijk, "
        'valid_to: "2025"}\n'
        "  - {id: grote-waal, name: Grote Waal, municipality: GM0405, kind: wijk, "
        'valid_to: "2025"}\n'
        "  - {id: binnenstad-2026, name: Binnenstad, municipality: GM0405, kind: wijk, "
        'valid_from: "2026", replaces: [binnenstad, grote-waal]}\n',
        encoding="utf-8",
    )
    merged = load_areas(registry).get("binnenstad-2026")
    assert merged.valid_from == "2026" and merged.replaces == ("binnenstad", "grote-waal")
    assert load_areas(registry).get("grote-waal").valid_to == "2025"
    registry.write_text(registry.read_text().replace("grote-waal]", "grote-wall]"))
    with pytest.raises(Exception, match="grote-wall"):
        load_areas(registry)


def revised_questionnaire(path: Path) -> Path:
    """The questionnaire with an item reworded (tru1), one dropped (tru10), one added
    (tru11), and the version raised."""
    text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    start = text.index("      - code: tru10\n")
    end = text.index("      - code:", start + 1)
    text = text[:start] + text[end:]
    added = (
        "      - code: tru11\n        kind: single\n        scale: agree5\n        text:\n"
        "          nl: Op hun afspraken kan ik bouwen.\n"
        "          en: I can build on what they agree.\n      - code: tru2\n"
    )
    for old, new in (
        ('version: "2026.2"', 'version: "2027.1"'),
        ("Zij weten goed wat ze doen.", "Zij weten heel goed wat ze doen."),
        ("      - code: tru2\n", added),
        ("tru9 + tru10\n", "tru9 + tru11\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_wave_is_scored_with_its_own_questionnaire(tmp_path, capsys):
    old = exports(tmp_path, {"2025": "2025-10"})["2025"]
    revised = revised_questionnaire(tmp_path / "q2027.yaml")
    instrument, areas = load_instrument(revised), load_areas(DEFAULT_AREAS)
    settings = SimulationSettings(per_side=8, waves=("2027",), model_seed=4)
    frame = simulate_wave(
        instrument, areas, draw_model(instrument, areas, settings), "2027",
        np.random.default_rng(9),
    )  # fmt: skip
    new = tmp_path / "2027.csv"
    new.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
    store = tmp_path / "store.duckdb"
    assert main(["ingest", str(old), "--wave", "2025", "--store", str(store)]) == 0
    argv = ["ingest", str(new), "--wave", "2027", "--store", str(store), "--instrument"]
    assert main([*argv, str(revised)]) == 0
    runs = {}
    for name, questionnaire in (("old", DEFAULT_INSTRUMENT), ("new", revised)):
        out = tmp_path / f"results-{name}"
        argv = ["analyse", "--store", str(store), "--out", str(out), "--replicates", "100"]
        assert main([*argv, "--instrument", str(questionnaire)]) == 0
        assert "each wave is scored with the questionnaire it was collected with" in (
            capsys.readouterr().err
        )
        runs[name] = pd.read_csv(out / "index.csv", dtype={"wave": str})
        metadata = json.loads((out / "metadata.json").read_text())
        assert metadata["wave_instruments"]["2025"]["version"] == "2026.2"
        assert metadata["wave_instruments"]["2027"]["version"] == "2027.1"
    pd.testing.assert_frame_equal(runs["old"], runs["new"])  # whichever questionnaire is given
    change = pd.read_csv(tmp_path / "results-new" / "change.csv")
    assert set(change["verdict"]) <= {"method break", "suppressed"}
    (changes,) = metadata["questionnaire_changes"]
    assert (changes["added"], changes["dropped"], changes["changed"]) == (
        ["tru11"],
        ["tru10"],
        ["tru1"],
    )
    assert changes["constructs"] == ["TRU"]
    site = tmp_path / "site"
    argv = ["report", "--results", str(tmp_path / "results-new"), "--out", str(site)]
    assert main([*argv, "--instrument", str(revised), "--pdf", "none", "--language", "nl"]) == 0
    methods = (site / "nl" / "methods.html").read_text(encoding="utf-8")
    assert "2027.1" in methods and "2026.2" in methods
    assert "toegevoegd: tru11; vervallen: tru10; gewijzigd: tru1" in methods


def wave_rows(results: Path, wave: str) -> pd.DataFrame:
    """The figures of ``wave`` in index.csv and side_measures.csv, as written."""
    rows = []
    for name in ("index.csv", "side_measures.csv"):
        table = pd.read_csv(results / name, dtype=str, keep_default_na=False)
        keep = table[table["wave"] == wave].drop(
            columns=[c for c in table if c.startswith("change")], errors="ignore"
        )
        rows.append(keep.reset_index(drop=True))
    return pd.concat(rows, keys=["index", "sides"])


def test_earlier_figures_stay_when_a_wave_or_a_late_file_is_added(tmp_path):
    paths = exports(tmp_path, {"2025": "2025-10", "2026": "2026-10"})
    lines = paths["2025"].read_text().splitlines(keepends=True)
    half = len(lines) // 2
    first, late = tmp_path / "2025-a.csv", tmp_path / "2025-b.csv"
    first.write_text("".join(lines[:half]))
    late.write_text("".join(lines[:1] + lines[half:]))

    def analysed(name: str, files: list[tuple[Path, str]]) -> Path:
        store, out = tmp_path / f"{name}.duckdb", tmp_path / name
        for path, wave in files:
            assert main(["ingest", str(path), "--wave", wave, "--store", str(store)]) in (0, 1)
        argv = ["analyse", "--store", str(store), "--out", str(out), "--replicates", "200"]
        assert main(argv) == 0
        return out

    alone = analysed("alone", [(paths["2025"], "2025")])
    later = analysed("later", [(paths["2025"], "2025"), (paths["2026"], "2026")])
    split = analysed("split", [(first, "2025"), (paths["2026"], "2026"), (late, "2025")])
    pd.testing.assert_frame_equal(wave_rows(alone, "2025"), wave_rows(later, "2025"))
    pd.testing.assert_frame_equal(wave_rows(later, "2025"), wave_rows(split, "2025"))
    pd.testing.assert_frame_equal(wave_rows(later, "2026"), wave_rows(split, "2026"))
    change = [pd.read_csv(folder / "change.csv") for folder in (later, split)]
    pd.testing.assert_frame_equal(change[0], change[1])
