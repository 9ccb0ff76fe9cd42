"""The monitor store: one DuckDB file holding raw files, accepted responses and rejects.

Schema (version :data:`SCHEMA_VERSION`):

``schema_info``   version, created_at
``instruments``   content_hash (key), instrument_id, version, yaml: the exact instrument text
``waves``         wave (key), instrument_hash: a wave is tied to one instrument version
``files``         file_id, name, sha256 (unique), size, content (the raw bytes, unchanged),
                  format, wave, simulated, ingested_at, rows_read, accepted, rejected
``responses``     file_id, row_number, wave, submission_id, respondent (keyed hash),
                  side, started, ended, submitted, then one column per item code
                  (DOUBLE; the area item is VARCHAR)
``rejects``       file_id, row_number, wave, submission_id, reason, detail

Item columns follow the instrument; a new instrument version adds its new codes as columns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
from samenspel.instrument.model import Instrument
from samenspel.instrument.problems import InputError

SCHEMA_VERSION = 1

META_COLUMNS = {
    "file_id": "INTEGER",
    "row_number": "INTEGER",
    "wave": "VARCHAR",
    "submission_id": "VARCHAR",
    "respondent": "VARCHAR",
    "side": "VARCHAR",
    "started": "TIMESTAMPTZ",
    "ended": "TIMESTAMPTZ",
    "submitted": "TIMESTAMP",
}

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL, created_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS instruments (
    content_hash VARCHAR PRIMARY KEY, instrument_id VARCHAR, version VARCHAR, yaml VARCHAR);
CREATE TABLE IF NOT EXISTS waves (wave VARCHAR PRIMARY KEY, instrument_hash VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY, name VARCHAR, sha256 VARCHAR UNIQUE, size BIGINT,
    content BLOB, format VARCHAR, wave VARCHAR, simulated BOOLEAN, ingested_at TIMESTAMPTZ,
    rows_read INTEGER, accepted INTEGER, rejected INTEGER);
CREATE TABLE IF NOT EXISTS responses ({", ".join(f"{k} {v}" for k, v in META_COLUMNS.items())});
CREATE TABLE IF NOT EXISTS rejects (
    file_id INTEGER, row_number INTEGER, wave VARCHAR, submission_id VARCHAR,
    reason VARCHAR, detail VARCHAR);
"""


def open_store(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and on first use create) the store; refuse a store of another schema version."""
    path = Path(path)
    if read_only and not path.exists():
        raise InputError(
            f"The store {path} does not exist. Ingest a survey export first, e.g. "
            f"`samenspel ingest data/demo/kobo_2025.csv --wave 2025 --store {path}`, "
            "or run `make reports` to build the demo store."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(
            f"Cannot open the store {path}: {exc}. Is it a samenspel DuckDB "
            "file, and is no other program using it?"
        ) from None
    if not read_only:
        con.execute(SCHEMA)
        if con.execute("SELECT count(*) FROM schema_info").fetchall()[0][0] == 0:
            con.execute(
                "INSERT INTO schema_info VALUES (?, ?)", [SCHEMA_VERSION, datetime.now(UTC)]
            )
    version = con.execute("SELECT max(version) FROM schema_info").fetchall()[0][0]
    if version != SCHEMA_VERSION:
        con.close()
        raise InputError(
            f"The store {path} has schema version {version}; this samenspel uses "
            f"{SCHEMA_VERSION}. Upgrade samenspel, or ingest the raw files into a new store."
        )
    return con


def ensure_item_columns(con: duckdb.DuckDBPyConnection, instrument: Instrument) -> None:
    """Add a column for every item code the responses table does not have yet."""
    existing = {row[0] for row in con.execute("DESCRIBE responses").fetchall()}
    for code in instrument.item_codes:
        if code not in existing:
            kind = "VARCHAR" if instrument.scale_of(code).kind == "area" else "DOUBLE"
            con.execute(f'ALTER TABLE responses ADD COLUMN "{code}" {kind}')
