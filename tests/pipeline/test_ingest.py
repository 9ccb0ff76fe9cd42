# ruff: noqa: F811  (pytest fixtures imported from ingest_fixtures)
"""Ingest rules: every row accepted or rejected with its reason, identifiers refused, the same
file twice changes nothing, an interrupted ingest leaves the store as it was."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import numpy as np
import pandas as pd
import pytest
from ingest_fixtures import (
    areas,
    instrument,
    key_file,  # noqa: F401  (autouse fixture)
    kobo_csv,
    plain_table,
    snapshot,
    store,  # noqa: F401  (fixture)
    wave_frame,
)

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.instrument import ProblemsFound, load_instrument
from samenspel.pipeline.ingest import exports as ingest_module
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.pseudonym import pseudonymise, read_key
from samenspel.pipeline.ingest.store import raw_folder


def valid_rows(n: int) -> pd.DataFrame:
    """``n`` consenting, unique, valid rows as a paper-entry table with ids and a version."""
    frame = wave_frame()
    frame = frame[
        (frame["consent"] == 1) & ~frame["_uuid"].duplicated() & frame["role"].isin([1, 2])
    ].head(n)
    table = plain_table(frame).astype(object)
    table.insert(0, "submission_id", list(frame["_uuid"]))
    table.insert(1, "version", "2026.2")
    return table.reset_index(drop=True)


def write(table: pd.DataFrame, path, extra_lines: str = "") -> None:
    text = table.to_csv(sep=";", index=False, lineterminator="\n") + extra_lines
    path.write_text(text, encoding="utf-8")


def reasons_by_row(con) -> dict[int, str]:
    return dict(con.execute("SELECT row_number, reason FROM rejects").fetchall())


def test_every_row_gets_a_verdict_with_its_reason(store, tmp_path):
    table = valid_rows(12)
    table.loc[1, "consent"] = 2
    table.loc[2, "version"] = "2025.3"
    table.loc[3, "submission_id"] = table.loc[0, "submission_id"]
    table.loc[4, "respondent"] = table.loc[0, "respondent"]
    table.loc[5, "role"] = 7
    table.loc[6, "area"] = "amsterdam-west"
    table.loc[7, "tru1"] = 6
    table.loc[8, "igf1_own"] = "tien"
    table.loc[9, "version"] = "v20262"  # the same version, written as Kobo does
    table.loc[10, "team"] = 3.0  # whole number with a decimal point: a valid code
    # A unit of another area; then the unit answer for "not in the list".
    other_area = next(u for u in areas().units if u.area != table.loc[11, "area"])
    table.loc[11, "unit"] = other_area.code
    table.loc[0, "unit"] = "individual"
    path = tmp_path / "regels.csv"
    too_many = ";".join(["1"] * (len(table.columns) + 2))
    write(table, path, extra_lines=f"x;y;z\n{too_many}\n")
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.rows_read == 14
    assert report.accepted == 5  # a bad answer costs that answer, not the row
    assert report.accepted + report.rejected_total == report.rows_read
    assert report.invalid_answers == {"igf1_own": 1, "tru1": 1}
    # Row numbers as a spreadsheet shows them: the header is row 1.
    assert reasons_by_row(store) == {
        3: "no-consent",
        4: "wrong-version",
        5: "duplicate-submission",
        6: "duplicate-respondent",
        7: "invalid-role",
        8: "unknown-area",
        13: "unknown-unit",
        14: "malformed-row",
        15: "malformed-row",
    }
    details = dict(store.execute("SELECT row_number, detail FROM rejects").fetchall())
    assert details[5] == "the submission id is also in row 2"
    assert details[6] == "respondent code also in row 2"
    assert details[13] == (
        f"the team or organisation code is not a unit of area '{table.loc[11, 'area']}' "
        "for this role in the registry"
    )
    assert details[14] == f"missing columns: expected {len(table.columns)} fields, found 3"
    assert details[15].startswith("too many columns")
    responses = load_responses(store).set_index("row_number")
    assert sorted(responses.index) == [2, 9, 10, 11, 12]
    assert responses.loc[2, "unit"] == "individual"
    # The invalid answer is missing; the row's other answers are kept.
    assert np.isnan(responses.loc[9, "tru1"]) and np.isnan(responses.loc[10, "igf1_own"])
    assert responses.loc[9, "tru2"] == table.loc[7, "tru2"]
    invalid = store.execute(
        "SELECT row_number, item, problem FROM invalid_answers ORDER BY row_number"
    ).fetchall()  # the row, the column and the kind of problem, never the text
    assert invalid == [(9, "tru1", "not an answer code"), (10, "igf1_own", "not a number")]
    counts = store.execute("SELECT rows_read, accepted, rejected FROM files").fetchall()
    assert counts == [(14, 5, 9)]


def test_duplicates_against_the_store_are_per_wave_for_respondents(store, tmp_path):
    first = valid_rows(4)
    write(first, tmp_path / "a.csv")
    ingest_file(store, tmp_path / "a.csv", "2025", instrument(), areas())
    again = valid_rows(8).iloc[4:].reset_index(drop=True)
    again.loc[0, "submission_id"] = first.loc[0, "submission_id"]
    again.loc[1, "respondent"] = first.loc[1, "respondent"]
    write(again, tmp_path / "b.csv")
    report = ingest_file(store, tmp_path / "b.csv", "2025", instrument(), areas())
    assert report.rejected == {"duplicate-submission": 1, "duplicate-respondent": 1}
    # The same respondents in the next wave are a panel, not duplicates.
    panel = first.assign(submission_id=first["submission_id"] + "-w2")
    write(panel, tmp_path / "c.csv")
    report = ingest_file(store, tmp_path / "c.csv", "2026", instrument(), areas())
    assert (report.accepted, report.rejected) == (4, {})


def test_the_same_file_twice_changes_nothing(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_bytes(kobo_csv(wave_frame()))
    ingest_file(store, path, "2025", instrument(), areas())
    before, raw_before = snapshot(store), sorted(os.listdir(raw_folder(store)))
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    report = ingest_file(store, copy, "2025", instrument(), areas())
    assert report.already_ingested and report.accepted == 0
    assert snapshot(store) == before
    assert sorted(os.listdir(raw_folder(store))) == raw_before


def test_raw_file_is_kept_byte_for_byte_and_read_only(store, tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_bytes(kobo_csv(wave_frame()))
    report = ingest_file(store, path, "2025", instrument(), areas())
    kept = raw_folder(store) / report.sha256
    assert kept.read_bytes() == path.read_bytes()
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == report.sha256
    assert not kept.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_ingest_leaves_the_store_as_it_was(
    store, tmp_path, monkeypatch, interruption
):
    write(valid_rows(5), tmp_path / "eerste.csv")
    ingest_file(store, tmp_path / "eerste.csv", "2025", instrument(), areas())
    before, raw_before = snapshot(store), sorted(os.listdir(raw_folder(store)))
    inserted = {}

    def fail_halfway(con, wave, *args, **kwargs):
        # Called after responses, rejects and the file record were written.
        inserted["responses"] = con.execute("SELECT count(*) FROM responses").fetchall()[0][0]
        raise interruption

    original = ingest_module.update_quality
    monkeypatch.setattr(ingest_module, "update_quality", fail_halfway)
    path = tmp_path / "tweede.csv"
    path.write_bytes(kobo_csv(wave_frame()))
    with pytest.raises(type(interruption)):
        ingest_file(store, path, "2026", instrument(), areas())
    assert inserted["responses"] > 5  # the failure really came halfway
    assert snapshot(store) == before
    assert sorted(os.listdir(raw_folder(store))) == raw_before
    monkeypatch.setattr(ingest_module, "update_quality", original)
    report = ingest_file(store, path, "2026", instrument(), areas())
    assert report.accepted > 0 and not report.already_ingested


def test_identifying_column_with_values_refuses_the_whole_file(store, tmp_path):
    table = valid_rows(3)
    table["E-mail"] = ["a@example.nl", "", ""]
    path = tmp_path / "met_email.csv"
    write(table, path)
    before = snapshot(store)
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, path, "2025", instrument(), areas())
    [error] = [p for p in caught.value.problems if p.level == "error"]
    assert (error.code, error.where) == ("identifying-data", "met_email.csv: column 'E-mail'")
    assert "values in 1 rows" in error.message
    assert snapshot(store) == before
    assert not raw_folder(store).exists() or not os.listdir(raw_folder(store))


def test_empty_identifying_column_is_only_a_warning(store, tmp_path):
    table = valid_rows(3)
    table["naam"] = ""
    path = tmp_path / "lege_naam.csv"
    write(table, path)
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.accepted == 3
    assert [(p.level, p.code) for p in report.problems if p.code == "identifying-data"] == [
        ("warning", "identifying-data")
    ]


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("opmerking", "bel me op 06-12345678", "phone number"),
        ("opmerking", "+31 20 123 4567", "phone number"),
        ("respondent", "jan.jansen@example.org", "e-mail address"),
    ],
)
def test_identifying_values_refuse_the_file_and_say_where(store, tmp_path, column, value, kind):
    table = valid_rows(4)
    table["opmerking"] = "geen"
    table.loc[2, column] = value
    path = tmp_path / "waarden.csv"
    write(table, path)
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, path, "2025", instrument(), areas())
    [error] = [p for p in caught.value.problems if p.level == "error"]
    assert error.code == "identifying-data"
    assert error.where == f"waarden.csv: row 4: {column}: {kind}"
    assert store.execute("SELECT count(*) FROM responses").fetchall() == [(0,)]


def test_numbers_that_are_not_phone_numbers_pass(store, tmp_path):
    table = valid_rows(3)
    table["opmerking"] = ["100001", "2025-10-01 09:00", "0"]
    path = tmp_path / "nummers.csv"
    write(table, path)
    assert ingest_file(store, path, "2025", instrument(), areas()).accepted == 3


def test_respondent_codes_are_stored_only_as_keyed_hashes(store, tmp_path, key_file):
    table = valid_rows(3)
    path = tmp_path / "codes.csv"
    write(table, path)
    ingest_file(store, path, "2025", instrument(), areas())
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = read_key()
    expected = {
        hmac.new(key, c.encode(), hashlib.sha256).hexdigest()[:16] for c in table.respondent
    }
    stored = set(load_responses(store)["respondent"])
    assert stored == expected
    assert not stored & set(table["respondent"])
    # Another key gives other pseudonyms: the hash is keyed, not a plain digest.
    plain = {hashlib.sha256(c.encode()).hexdigest()[:16] for c in table.respondent}
    assert not stored & plain


def test_a_wave_is_tied_to_one_instrument_version(store, tmp_path):
    write(valid_rows(3), tmp_path / "a.csv")
    ingest_file(store, tmp_path / "a.csv", "2025", instrument(), areas())
    changed = tmp_path / "samenspel.yaml"
    changed.write_text(
        # another questionnaire: an item reworded (a version label alone changes nothing)
        DEFAULT_INSTRUMENT.read_text(encoding="utf-8").replace(
            "Zij weten goed wat ze doen.", "Zij weten wat ze doen."
        ),
        encoding="utf-8",
    )
    other = load_instrument(changed)
    write(valid_rows(6).iloc[3:], tmp_path / "b.csv")
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, tmp_path / "b.csv", "2025", other, areas())
    assert [p.code for p in caught.value.problems] == ["wrong-wave"]


def test_cli_ingest_and_status(tmp_path, capsys, key_file):
    path = tmp_path / "kobo.csv"
    frame = wave_frame()
    path.write_bytes(kobo_csv(frame))
    store_path = tmp_path / "s.duckdb"
    assert main(["ingest", str(path), "--wave", "2025", "--store", str(store_path)]) == 0
    out = capsys.readouterr()
    declined = int((frame["consent"] != 1).sum())
    duplicates = int(frame["_uuid"].duplicated().sum())
    accepted = len(frame) - declined - duplicates
    assert f"{len(frame)} rows read, {accepted} accepted, {declined + duplicates} rejected" in (
        out.err
    )
    assert f"duplicate-submission: {duplicates}, no-consent: {declined}" in out.err
    assert main(["status", "--store", str(store_path)]) == 0
    status = capsys.readouterr().out
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha in status and " ok" in status
    assert "2026.2" in status
    everything = status + out.err + out.out
    assert key_file.read_text().strip() not in everything
    assert not any(code in everything for code in frame["respondent"])


def test_cli_reports_a_missing_file_without_a_traceback(tmp_path, capsys):
    code = main(
        ["ingest", str(tmp_path / "nope.csv"), "--wave", "1", "--store", str(tmp_path / "s")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_cli_status_flags_a_changed_raw_file(tmp_path, capsys):
    write(valid_rows(3), tmp_path / "a.csv")
    store_path = tmp_path / "s.duckdb"
    main(["ingest", str(tmp_path / "a.csv"), "--wave", "2025", "--store", str(store_path)])
    [kept] = (tmp_path / "s.duckdb.raw").iterdir()
    os.chmod(kept, 0o644)
    kept.write_bytes(b"tampered")
    assert main(["status", "--store", str(store_path)]) == 1
    out = capsys.readouterr()
    assert "changed" in out.out and "restore" in out.err


def test_pseudonyms_are_rfc2104_hmac_sha256():
    key = bytes(range(32))
    codes = pd.Series(["R1", "", "respondent 2", "ë"])
    expected = ["" if c == "" else hmac.new(key, c.encode(), hashlib.sha256).hexdigest()[:16]
                for c in codes]  # fmt: skip
    assert pseudonymise(codes, key).tolist() == expected
