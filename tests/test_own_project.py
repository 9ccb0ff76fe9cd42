"""One's own project end to end, through the command line, as a municipal analyst works:
`samenspel init`, an own registry of Alkmaar wijken, an adapted questionnaire (an item
reworded, an item added, the version raised), a wave of paper forms typed into XLSX with
typing errors, the corrected file in its place, a file withdrawn, a second wave, then
analyse and report, none of them given --instrument, --areas or --store. Outside any
project the same commands refuse and say how to start one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model, simulate_wave

REGISTRY = """\
municipalities:
  GM0361: Alkmaar
areas:
  - id: centrum
    name: Centrum
    municipality: GM0361
    kind: wijk
    cbs_wijk: "WK036101"
    units:
      professional:
        - {code: centrum-wijkteam, name: Sociaal wijkteam Centrum, members: 12}
      informal:
        - {code: centrum-buurthuis, name: Buurthuis De Brug, members: 20}
        - {code: centrum-voedselbank, name: Voedselbank Centrum, members: 15}
  - id: overdie
    name: Overdie
    municipality: GM0361
    kind: wijk
    units:
      professional:
        - {code: overdie-wijkteam, name: Sociaal wijkteam Overdie, members: 10}
        - {code: overdie-okt, name: Ouder- en kindteam Overdie, members: 8}
      informal:
        - {code: overdie-moskee, name: Moskeevereniging Overdie, members: 30}
  - id: daalmeer
    name: Daalmeer
    municipality: GM0361
    kind: wijk
    units:
      professional:
        - {code: daalmeer-wijkteam, name: Sociaal wijkteam Daalmeer, members: 14}
      informal:
        - {code: daalmeer-bewoners, name: Bewonersgroep Daalmeer, members: 25}
"""

NEW_ITEM = """\
      - code: tru11
        kind: single
        scale: agree5
        text:
          nl: Op hun afspraken kan ik bouwen.
          en: I can build on what they agree.
      - code: tru2
"""


def adapt_questionnaire(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ('version: "2026.2"', 'version: "2026.3"'),
        ("nl: Zij weten goed wat ze doen.", "nl: Zij weten heel goed wat ze doen."),
        ("      - code: tru2\n", NEW_ITEM),
        ("tru9 + tru10\n", "tru9 + tru10 + tru11\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def paper_forms(project: Path, wave: str, seed: int) -> pd.DataFrame:
    """A wave as typed in from paper forms: a respondent number and the item codes."""
    instrument = load_instrument(project / "questionnaire.yaml")
    areas = load_areas(project / "areas.yaml")
    settings = SimulationSettings(per_side=50, waves=("2026", "2027"), model_seed=seed)
    model = draw_model(instrument, areas, settings)
    frame = simulate_wave(instrument, areas, model, wave, np.random.default_rng(seed))
    frame = frame.drop_duplicates("respondent")
    frame = frame[frame["consent"] == 1].reset_index(drop=True)
    table = pd.DataFrame({"respondent": frame["respondent"]})
    for code in instrument.item_codes:
        table[code] = frame[code].astype(object)
    return table


def write_xlsx(table: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False, name=None):
        sheet.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
    book.save(path)


def run(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture
def project(outside_any_project, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(outside_any_project / "key"))
    assert run("init", "alkmaar", "--municipality", "GM0361=Alkmaar") == 0
    folder = outside_any_project / "alkmaar"
    (folder / "areas.yaml").write_text(REGISTRY, encoding="utf-8")
    adapt_questionnaire(folder / "questionnaire.yaml")
    monkeypatch.chdir(folder)
    return folder


def store_rows(folder: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(folder / "data" / "samenspel.duckdb"), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_the_first_own_project_from_init_to_report(project, capsys):
    assert run("areas", "check") == 0
    assert run("instrument", "check") == 0
    assert "3 areas" in capsys.readouterr().out

    # Wave 2026, typed in from paper, with three typing errors in three rows.
    forms = paper_forms(project, "2026", seed=11)
    typed = forms.copy()
    typed.loc[0, "tru1"] = 44  # on a 1-5 scale
    typed.loc[1, "igf1_own"] = 6.5  # a report grade is a whole number
    typed.loc[2, "ogd1"] = "zeven"
    write_xlsx(typed, project / "exports" / "invoer_2026.xlsx")
    assert run("ingest", "exports/invoer_2026.xlsx", "--wave", "2026") == 0
    said = capsys.readouterr().err
    assert said.startswith("samenspel ingest: project ")
    assert "questionnaire samenspel 2026.3" in said and "registry" in said
    assert f"{len(forms)} rows read, {len(forms)} accepted, 0 rejected" in said
    assert "3 answers were not a number or not one of their item's codes" in said
    assert store_rows(project, "SELECT item, problem FROM invalid_answers ORDER BY item") == [
        ("igf1_own", "not an answer code"),
        ("ogd1", "not a number"),
        ("tru1", "not an answer code"),
    ]

    # The corrected file takes the place of the first: no duplicate rejects.
    write_xlsx(forms, project / "exports" / "invoer_2026_v2.xlsx")
    argv = ["ingest", "exports/invoer_2026_v2.xlsx", "--wave", "2026"]
    assert run(*argv, "--replaces", "invoer_2026.xlsx") == 0
    said = capsys.readouterr().err
    assert f"{len(forms)} accepted, 0 rejected" in said
    assert f"{len(forms)} accepted rows match one of its rows" in said
    assert run(*argv, "--replaces", "invoer_2026.xlsx") == 0  # again: nothing changes
    assert "nothing changed" in capsys.readouterr().err
    assert store_rows(project, "SELECT count(*) FROM invalid_answers") == [(0,)]

    # A file ingested by mistake, then withdrawn.
    extra = paper_forms(project, "2026", seed=12).head(5)
    extra["respondent"] = [f"test-{i}" for i in range(5)]
    write_xlsx(extra, project / "exports" / "proef.xlsx")
    assert run("ingest", "exports/proef.xlsx", "--wave", "2026") == 0
    assert run("retract", "proef.xlsx", "--reason", "proefbestand, geen echte antwoorden") == 0
    assert run("retract", "proef.xlsx", "--reason", "nog eens") == 0  # idempotent
    assert "retracted already" in capsys.readouterr().err
    assert run("status") == 0
    shown = capsys.readouterr().out
    assert "replaced" in shown and "retracted" in shown and "proefbestand" in shown

    # The second wave, then the analysis and the report, with no file named.
    later = paper_forms(project, "2027", seed=13)
    write_xlsx(later, project / "exports" / "invoer_2027.xlsx")
    assert run("ingest", "exports/invoer_2027.xlsx", "--wave", "2027") == 0
    files = store_rows(project, "SELECT name, status, accepted, rejected FROM files")
    assert files == [
        ("invoer_2026.xlsx", "replaced", len(forms), 0),
        ("invoer_2026_v2.xlsx", "active", len(forms), 0),
        ("proef.xlsx", "retracted", 5, 0),
        ("invoer_2027.xlsx", "active", len(later), 0),
    ]
    counted = store_rows(project, "SELECT wave, count(*) FROM responses GROUP BY 1 ORDER BY 1")
    assert counted == [("2026", len(forms)), ("2027", len(later))]
    assert store_rows(project, "SELECT count(*) FROM rejects") == [(0,)]

    assert run("analyse", "--replicates", "100") == 0
    results = project / "results"
    metadata = json.loads((results / "metadata.json").read_text())
    assert metadata["instrument_version"] == "2026.3"
    items = pd.read_csv(results / "psychometrics_items.csv")
    assert "tru11" in set(items["item"])
    files_csv = pd.read_csv(results / "files.csv")
    assert list(files_csv["status"]) == ["replaced", "active", "retracted", "active"]
    index = pd.read_csv(results / "index.csv", dtype={"wave": str})
    assert set(index["area"]) == {"centrum", "overdie", "daalmeer"}

    assert run("report", "--language", "nl", "--pdf", "none") == 0
    site = (project / "site" / "nl" / "index.html").read_text(encoding="utf-8")
    for name in ("Centrum", "Overdie", "Daalmeer", "Alkmaar"):
        assert name in site
    quality = (project / "site" / "nl" / "quality.html").read_text(encoding="utf-8")
    assert "ingetrokken" in quality and "vervangen" in quality


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "export.csv", "--wave", "2026"],
        ["ingest", "export.csv", "--wave", "2026", "--store", "s.duckdb"],
        ["status"],
        ["analyse"],
        ["analyse", "--store", "s.duckdb", "--out", "r"],
        ["report"],
        ["report", "--results", "r"],
        ["plan", "--half-width", "5"],
        ["fieldwork", "--out", "fw"],
        ["retract", "x.csv", "--reason", "r"],
        ["areas", "check"],
        ["instrument", "check"],
    ],
)
def test_outside_any_project_commands_refuse_and_say_how_to_start(
    outside_any_project, capsys, argv
):
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert "samenspel init" in err and "Traceback" not in err
    assert os.listdir(outside_any_project) == []


def test_simulate_without_a_project_is_the_demo(outside_any_project, capsys):
    argv = ["simulate", "--out", "sim", "--per-side", "4", "--truth-per-cell", "100"]
    assert run(*argv) == 0
    assert "built-in demo questionnaire" in capsys.readouterr().err


def test_a_project_file_with_a_misspelled_key_names_the_nearest(outside_any_project, capsys):
    (outside_any_project / "samenspel.toml").write_text('[files]\nstroe = "x.duckdb"\n')
    assert run("status") == 2
    err = capsys.readouterr().err
    assert "samenspel.toml: files.stroe" in err and "did you mean `store`?" in err


def test_init_never_writes_into_a_folder_that_holds_something(outside_any_project, capsys):
    (outside_any_project / "mine").mkdir()
    (outside_any_project / "mine" / "notes.txt").write_text("mine")
    assert run("init", "mine", "--municipality", "GM0361=Alkmaar") == 2
    assert os.listdir(outside_any_project / "mine") == ["notes.txt"]
    assert run("init", "new", "--municipality", "Alkmaar") == 2
    assert "GM0361=Alkmaar" in capsys.readouterr().err
