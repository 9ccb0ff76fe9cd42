# ruff: noqa: F811  (pytest fixtures imported from ingest_fixtures)
"""Free text never leaves the store, and personal data is recognised the way Dutch exports
write it: the file is refused and its raw copy is not kept."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from ingest_fixtures import (
    areas,
    instrument,
    key_file,  # noqa: F401  (a pytest fixture)
    kobo_csv,
    plain_table,
    snapshot,
    store,  # noqa: F401  (a pytest fixture)
    wave_frame,
)

from samenspel.cli import main
from samenspel.instrument import ProblemsFound
from samenspel.pipeline.ingest.exports import ingest_file, load_rejects
from samenspel.pipeline.ingest.quality import quality_summary
from samenspel.pipeline.ingest.store import raw_folder

CASE_NOTE = "Mevr. Jansen heeft schulden bij de woningcorporatie"
PLACE = "achter de moskee bij het station"


def paper_rows(n: int = 6) -> pd.DataFrame:
    frame = wave_frame()
    frame = frame[(frame["consent"] == 1) & frame["role"].isin([1, 2])].head(n)
    return plain_table(frame).astype(object).reset_index(drop=True)


def write(table: pd.DataFrame, path) -> None:
    path.write_text(table.to_csv(sep=";", index=False), encoding="utf-8")


def test_free_text_in_cells_stays_out_of_the_rejects(tmp_path, capsys):
    table = paper_rows()
    table.loc[0, "tru1"] = CASE_NOTE  # a case note typed into an answer
    table.loc[1, "area"] = PLACE  # a description of where someone lives, as the area
    path, store = tmp_path / "papier.csv", tmp_path / "s.duckdb"
    write(table, path)
    assert main(["ingest", str(path), "--wave", "2025", "--store", str(store)]) == 0
    assert main(["status", "--store", str(store), "--rejects"]) == 0
    out = capsys.readouterr()
    results = tmp_path / "results"
    assert main(
        ["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"]
    ) in (
        0,
        2,  # too few respondents for psychometrics is fine; the rejects are what matter
    )
    exported = "".join(p.read_text() for p in results.glob("*.csv")) if results.exists() else ""
    for text in (CASE_NOTE, "Jansen", PLACE, "moskee"):
        assert text not in out.out + out.err
        assert text not in exported
    con = __import__("duckdb").connect(str(store), read_only=True)
    details = dict(con.execute("SELECT row_number, detail FROM rejects").fetchall())
    invalid = con.execute("SELECT row_number, item, problem FROM invalid_answers").fetchall()
    con.close()
    assert details == {3: "the area is not one of the registry's ids"}
    assert invalid == [(2, "tru1", "not a number")]  # the column, never the text


def test_quality_summary_suppresses_small_sides():
    flags = pd.DataFrame(
        {
            "wave": "2025",
            "area": ["a"] * 3 + ["b"] * 12,
            "side": "informal",
            **{f: [True] + [False] * 14 for f in ("flag_nonresponse", "flag_longstring")},
            **{f: False for f in ("flag_irv", "flag_mahalanobis", "flag_speeder")},
        }
    )
    flags["flag_any"] = flags["flag_nonresponse"]
    summary = quality_summary(flags, indicative_min=5, publish_min=10).set_index("area")
    assert summary.loc["a", "n"] == 3 and summary.loc["a", "status"] == "suppressed"
    assert summary.loc["a", ["share_any", "n_any"]].isna().all()
    assert summary.loc["b", "share_any"] == 0.0


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("Respondentnaam", "Fatima el Amrani", "Respondentnaam"),  # a Dutch compound
        ("E-mailadres", "f.elamrani@voorbeeld.nl", "E-mailadres"),
        ("opmerking", "bel haar op +31 (0)6 2345 6789", "phone number"),
        ("opmerking", "tel. 06-23456789", "phone number"),
        ("opmerking", "woont op 1012 AB 15", "address"),
        ("opmerking", "woont in de Kerkstraat 12", "address"),
    ],
)
def test_personal_data_refuses_the_file_and_keeps_no_copy(store, tmp_path, column, value, kind):
    table = paper_rows()
    table[column] = ["", value, "", "", "", ""]
    path = tmp_path / "export.csv"
    write(table, path)
    before = snapshot(store)
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, path, "2025", instrument(), areas())
    assert any(kind in str(p) for p in caught.value.problems)
    assert snapshot(store) == before
    assert os.listdir(raw_folder(store)) == []  # the copy with personal data is gone


@pytest.mark.parametrize("column", ["_notes", "_tags"])
def test_kobo_system_columns_are_scanned_too(store, tmp_path, column):
    frame = wave_frame()
    path = tmp_path / "kobo.csv"
    text = kobo_csv(frame).decode("utf-8").splitlines()
    text[0] += f';"{column}"'
    text[1:] = [line + ';""' for line in text[1:]]
    text[3] = text[3][: -len(';""')] + ';"terugbellen 06 23 45 67 89"'
    path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")
    with pytest.raises(ProblemsFound, match="phone number"):
        ingest_file(store, path, "2025", instrument(), areas())
    assert os.listdir(raw_folder(store)) == []


def test_ordinary_exports_are_not_refused(store, tmp_path):
    """Timestamps, uuids, versions, ids and the answers of the simulator never look personal."""
    path = tmp_path / "kobo.csv"
    path.write_bytes(kobo_csv(wave_frame()))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.accepted > 0
    assert load_rejects(store)["reason"].isin(["no-consent", "duplicate-submission"]).all()
