"""The store: schema version, migration from schema 1, refusal of unknown versions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import duckdb
import pytest
from ingest_fixtures import areas, instrument, key_file, kobo_csv, wave_frame  # noqa: F401

from samenspel.cli import main
from samenspel.instrument import InputError
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.pseudonym import create_key, fingerprint, read_key
from samenspel.pipeline.ingest.store import (
    META_COLUMNS,
    SCHEMA_V1,
    SCHEMA_VERSION,
    migrate,
    open_store,
    raw_folder_for,
    store_status,
    stored_fingerprint,
)

RAW = b'"start";"end";"consent"\r\n"2025-10-01T09:00:00";"2025-10-01T09:15:00";"1"\r\n'


def make_v1_store(path) -> str:
    """A store exactly as schema 1 left it: raw bytes in files.content, rejects without area."""
    sha = hashlib.sha256(RAW).hexdigest()
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_V1)
    con.execute("INSERT INTO schema_info VALUES (1, ?)", [datetime(2025, 1, 1, tzinfo=UTC)])
    con.execute("INSERT INTO waves VALUES ('2024', 'abc')")
    con.execute(
        "INSERT INTO files VALUES (1, 'kobo_2024.csv', ?, ?, ?, 'kobo-csv', '2024', false, "
        "now(), 3, 2, 1)",
        [sha, len(RAW), RAW],
    )
    columns = ", ".join(META_COLUMNS)
    con.execute(
        f"INSERT INTO responses ({columns}) VALUES "
        "(1, 2, '2024', 'u1', 'r1', 'informal', NULL, NULL, NULL), "
        "(1, 3, '2024', 'u2', 'r2', 'professional', NULL, NULL, NULL)"
    )
    con.execute("INSERT INTO rejects VALUES (1, 4, '2024', 'u3', 'no-consent', 'consent')")
    con.close()
    return sha


def columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def test_a_new_store_has_the_current_schema(tmp_path):
    con = open_store(tmp_path / "s.duckdb")
    assert con.execute("SELECT version FROM schema_info").fetchall() == [(SCHEMA_VERSION,)]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {
        "schema_info", "instruments", "waves", "files", "responses", "rejects", "quality_flags",
        "pseudonym_key", "registries", "invalid_answers",
    }  # fmt: skip
    assert "content" not in columns(con, "files")


def test_migration_from_schema_1_moves_raw_bytes_out_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.duckdb"
    sha = make_v1_store(path)
    con = open_store(path)
    versions = con.execute("SELECT version FROM schema_info ORDER BY 1").fetchall()
    assert [r[0] for r in versions] == [1, 2, 3, 4]
    assert (raw_folder_for(path) / sha).read_bytes() == RAW
    assert "content" not in columns(con, "files")
    assert columns(con, "rejects")[-2:] == ["area", "side"]
    assert con.execute("SELECT name, sha256, size, format, encoding FROM files").fetchall() == [
        ("kobo_2024.csv", sha, len(RAW), "kobo-csv", "utf-8")
    ]
    assert con.execute("SELECT count(*) FROM responses").fetchall() == [(2,)]
    assert con.execute("SELECT reason, area FROM rejects").fetchall() == [("no-consent", None)]
    assert store_status(con)["files"]["raw"].tolist() == ["ok"]
    con.close()
    # Opening again changes nothing further.
    con = open_store(path)
    assert con.execute("SELECT count(*) FROM schema_info").fetchall() == [(4,)]
    con.close()


def test_a_migrated_store_takes_new_files(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_store(path)
    export = tmp_path / "kobo.csv"
    export.write_bytes(kobo_csv(wave_frame()))
    con = open_store(path)
    # The store holds data already: the key it was built with must be there; none is made.
    with pytest.raises(InputError, match="does not exist"):
        ingest_file(con, export, "2025", instrument(), areas())
    create_key()
    report = ingest_file(con, export, "2025", instrument(), areas())
    assert len(load_responses(con)) == 2 + report.accepted
    assert report.key_created is None
    assert stored_fingerprint(con) == fingerprint(read_key())
    con.close()


def test_migration_from_schema_2_empties_reject_details_and_keeps_every_row(tmp_path):
    """Schema 2 copied values from the files into reject details (free text can name a
    person); schema 3 keeps the reason and drops them."""
    path = tmp_path / "v2.duckdb"
    make_v1_store(path)
    con = duckdb.connect(str(path))
    migrate(con, raw_folder_for(path), until=2)
    con.execute(
        "INSERT INTO rejects VALUES (1, 5, '2024', 'u4', 'unknown-area', "
        "'area ''Kerkstraat 12, mevr. Jansen'' is not in the registry', NULL, NULL)"
    )
    con.close()
    con = open_store(path)
    assert con.execute("SELECT max(version) FROM schema_info").fetchall() == [(4,)]
    assert con.execute("SELECT reason, detail FROM rejects ORDER BY row_number").fetchall() == [
        ("no-consent", ""),
        ("unknown-area", ""),
    ]
    assert con.execute("SELECT count(*) FROM responses").fetchall() == [(2,)]
    assert stored_fingerprint(con) is None
    con.close()


def test_read_only_open_of_an_old_store_says_how_to_upgrade(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_store(path)
    with pytest.raises(InputError, match="samenspel migrate --store"):
        open_store(path, read_only=True)


def test_cli_migrate_keeps_a_copy(tmp_path, capsys):
    path = tmp_path / "old.duckdb"
    make_v1_store(path)
    assert main(["migrate", "--store", str(path)]) == 0
    assert (tmp_path / "old.duckdb.before-migration").exists()
    assert "from schema 1 to 4" in capsys.readouterr().err
    con = open_store(path, read_only=True)
    assert con.execute("SELECT max(version) FROM schema_info").fetchall() == [(4,)]
    con.close()


def test_a_store_from_a_newer_samenspel_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_info VALUES (99, now())")
    con.close()
    with pytest.raises(InputError, match=r"schema version 99.*Upgrade samenspel"):
        open_store(path)


def test_a_damaged_raw_blob_stops_the_migration_and_changes_nothing(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_store(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE files SET content = 'other bytes'::BLOB")
    con.close()
    with pytest.raises(InputError, match="damaged"):
        open_store(path)
    con = duckdb.connect(str(path))
    assert con.execute("SELECT max(version) FROM schema_info").fetchall() == [(1,)]
    assert "content" in columns(con, "files")
    con.close()
