# ruff: noqa: F811  (pytest fixtures imported from ingest_fixtures)
"""The pseudonym key is created once, checked, and never silently replaced: an empty, short,
damaged, missing or changed key is refused with a message, and nothing is stored."""

from __future__ import annotations

import os

import pytest
from ingest_fixtures import (
    areas,
    instrument,
    key_file,  # noqa: F401  (a pytest fixture)
    kobo_csv,
    snapshot,
    wave_frame,
)

from samenspel.cli import main
from samenspel.instrument import InputError
from samenspel.pipeline.ingest.exports import ingest_file
from samenspel.pipeline.ingest.pseudonym import create_key, fingerprint, read_key
from samenspel.pipeline.ingest.store import open_store, raw_folder, stored_fingerprint


def export(tmp_path, name="kobo.csv", seed=4):
    path = tmp_path / name
    path.write_bytes(kobo_csv(wave_frame(seed)))
    return path


def test_first_ingest_into_a_new_store_creates_the_key_and_says_where(tmp_path, key_file, capsys):
    store = tmp_path / "s.duckdb"
    assert main(["ingest", str(export(tmp_path)), "--wave", "2025", "--store", str(store)]) == 0
    err = capsys.readouterr().err
    assert f"created a new pseudonym key in {key_file}" in err and "Back it up" in err
    assert len(read_key(key_file)) == 32
    con = open_store(store, read_only=True)
    assert stored_fingerprint(con) == fingerprint(read_key(key_file))
    con.close()
    # The store holds the fingerprint, never the key.
    assert key_file.read_text().strip().encode() not in store.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "is empty"), ("abc123", "too short"), ("not hex at all\n", "damaged")],
)
def test_an_empty_short_or_damaged_key_is_refused(tmp_path, key_file, content, message):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(content)
    con = open_store(tmp_path / "s.duckdb")
    before = snapshot(con)
    with pytest.raises(InputError, match=message):
        ingest_file(con, export(tmp_path), "2025", instrument(), areas())
    assert snapshot(con) == before
    assert not [p for p in os.listdir(raw_folder(con))]
    con.close()


def test_a_lost_key_is_not_silently_replaced(tmp_path, key_file, capsys):
    store = tmp_path / "s.duckdb"
    first = export(tmp_path, "wave1.csv", seed=4)
    assert main(["ingest", str(first), "--wave", "2025", "--store", str(store)]) == 0
    key_file.unlink()
    capsys.readouterr()
    second = export(tmp_path, "wave2.csv", seed=5)
    assert main(["ingest", str(second), "--wave", "2026", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Restore the key file" in err
    assert "Traceback" not in err
    assert not key_file.exists()  # no new key behind the user's back


def test_another_key_is_refused_with_both_fingerprints(tmp_path, key_file, capsys):
    store = tmp_path / "s.duckdb"
    assert main(["ingest", str(export(tmp_path)), "--wave", "2025", "--store", str(store)]) == 0
    recorded = fingerprint(read_key(key_file))
    key_file.unlink()
    create_key(key_file)
    capsys.readouterr()
    again = export(tmp_path, "wave2.csv", seed=5)
    assert main(["ingest", str(again), "--wave", "2025", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert recorded in err and fingerprint(read_key(key_file)) in err
    con = open_store(store, read_only=True)
    assert con.execute("SELECT count(*) FROM files").fetchall() == [(1,)]
    con.close()


def test_a_key_path_that_is_a_folder_is_refused(tmp_path, key_file, capsys):
    key_file.mkdir(parents=True)
    store = tmp_path / "s.duckdb"
    assert main(["ingest", str(export(tmp_path)), "--wave", "2025", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err


def test_key_init_creates_once_and_key_fingerprint_shows_it(tmp_path, key_file, capsys):
    assert main(["key", "init"]) == 0
    out = capsys.readouterr().out
    assert str(key_file) in out and fingerprint(read_key(key_file)) in out
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    before = key_file.read_text()
    assert main(["key", "init"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert key_file.read_text() == before
    assert main(["key", "fingerprint"]) == 0
    assert fingerprint(read_key(key_file)) in capsys.readouterr().out
