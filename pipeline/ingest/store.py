"""The monitor store: one DuckDB file for the tables, one folder beside it for the raw files.

    con = open_store("monitor/samenspel.duckdb")       # creates or migrates the store
    raw = raw_folder(con)                               # monitor/samenspel.duckdb.raw/

Schema version :data:`SCHEMA_VERSION` (4):

``schema_info``    version, created_at: one row per schema version the store has been at
``instruments``    content_hash (key), instrument_id, version, yaml: the exact instrument text
``waves``          wave (key), instrument_hash: a wave is tied to one instrument version
``files``          file_id (key), name, sha256 (unique), size (bytes), format (one of
                   :data:`.readers.FORMATS`), encoding, wave, simulated,
                   ingested_at, rows_read, accepted, rejected, registry_hash, status,
                   status_reason, status_at, replaced_by
``responses``      file_id, row_number, wave, submission_id, respondent (keyed hash), side,
                   started, ended, submitted, then one column per item code (DOUBLE; the
                   area and unit items, which hold registry codes, are VARCHAR)
``rejects``        file_id, row_number, wave, submission_id, reason, detail, area, side; the
                   detail names columns and the kind of problem, never a value from the file
                   (free text typed into a cell can hold a name, an address, a case note)
``pseudonym_key``  fingerprint, recorded_at: the fingerprint of the key the respondent codes
                   were hashed with (:mod:`.pseudonym`), never the key; one row
``quality_flags``  file_id, row_number, wave, area, side, then the measures and flags of
                   :data:`QUALITY_COLUMNS`, explained in :mod:`.quality` (one row per response)
``registries``     content_hash (key), yaml: the exact area-registry text files were
                   ingested with (``files.registry_hash``)
``invalid_answers`` file_id, row_number, wave, item, problem: an answer that was not a
                   number or not one of the item's codes, stored as missing (never the value)

A file's ``status`` is ``active``, ``retracted`` (withdrawn with ``samenspel retract``) or
``replaced`` (by the corrected file ``replaced_by``), with ``status_reason`` and
``status_at``. Withdrawing a file deletes its responses, rejects, invalid answers and
quality rows in one transaction; its file record and kept raw copy stay, as the audit trail.

``row_number`` is the row of the record in its file, the header being row 1 (as a
spreadsheet shows it). ``(file_id, row_number)`` identifies a response or a reject.

Item columns follow the instrument; a new instrument version adds its new codes as columns.

Raw files are kept byte for byte in ``<store>.raw/<sha256>`` (content-addressed, read-only),
not as a BLOB inside the store (schema 1 did that). Why: a national export is hundreds of
megabytes; hashing and copying it in 1 MiB chunks keeps memory flat, DuckDB's CSV reader
parses the kept copy itself (so what is parsed is exactly what is kept), the DuckDB file stays
small and quick to open, and a raw file can be opened by ordinary tools and verified with
``sha256sum``. The price is two things to back up (the ``.duckdb`` file and its ``.raw``
folder); ``samenspel status`` checks every kept file against its checksum.

Migrations: :data:`MIGRATIONS` maps version N to the function that upgrades a store from N to
N + 1 inside one transaction. :func:`open_store` applies them in order when the store is opened
for writing; a store opened read-only at an older version is refused with the command that
upgrades it (``samenspel migrate``).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from samenspel.common.files import sha256_of
from samenspel.common.problems import InputError
from samenspel.instrument.load import meaning_hash
from samenspel.instrument.model import TEXT_SCALE_KINDS, Instrument

SCHEMA_VERSION = 4
RAW_SUFFIX = ".raw"
CHUNK = 1 << 20

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

REJECT_COLUMNS = {
    "file_id": "INTEGER",
    "row_number": "INTEGER",
    "wave": "VARCHAR",
    "submission_id": "VARCHAR",
    "reason": "VARCHAR",
    "detail": "VARCHAR",
    "area": "VARCHAR",
    "side": "VARCHAR",
}

FILE_COLUMNS_V3 = {
    "file_id": "INTEGER PRIMARY KEY",
    "name": "VARCHAR",
    "sha256": "VARCHAR UNIQUE",
    "size": "BIGINT",
    "format": "VARCHAR",
    "encoding": "VARCHAR",
    "wave": "VARCHAR",
    "simulated": "BOOLEAN",
    "ingested_at": "TIMESTAMPTZ",
    "rows_read": "INTEGER",
    "accepted": "INTEGER",
    "rejected": "INTEGER",
}
# Schema 4: the registry a file was ingested with, and whether it still counts.
FILE_STATUS_COLUMNS = {
    "registry_hash": "VARCHAR",
    "status": "VARCHAR DEFAULT 'active'",  # active, retracted or replaced
    "status_reason": "VARCHAR",
    "status_at": "TIMESTAMPTZ",
    "replaced_by": "INTEGER",  # the file_id of the corrected file
}
FILE_COLUMNS = FILE_COLUMNS_V3 | FILE_STATUS_COLUMNS
FILE_STATUSES = ("active", "retracted", "replaced")
# One row per answer that was not valid and became missing (never the value itself).
INVALID_ANSWER_COLUMNS = {
    "file_id": "INTEGER",
    "row_number": "INTEGER",
    "wave": "VARCHAR",
    "item": "VARCHAR",
    "problem": "VARCHAR",  # 'not a number' or 'not an answer code'
}
REGISTRY_COLUMNS = {"content_hash": "VARCHAR PRIMARY KEY", "yaml": "VARCHAR"}

# Data-quality measures per response; samenspel.pipeline.ingest.quality fills them.
QUALITY_COLUMNS = {
    "file_id": "INTEGER",
    "row_number": "INTEGER",
    "wave": "VARCHAR",
    "area": "VARCHAR",
    "side": "VARCHAR",
    "items_applicable": "INTEGER",
    "items_blank": "INTEGER",
    "nonresponse_share": "DOUBLE",
    "longstring": "INTEGER",
    "irv": "DOUBLE",
    "mahalanobis": "DOUBLE",
    "mahalanobis_p": "DOUBLE",
    "duration_s": "DOUBLE",
    "seconds_per_item": "DOUBLE",
    "flag_nonresponse": "BOOLEAN",
    "flag_longstring": "BOOLEAN",
    "flag_irv": "BOOLEAN",
    "flag_mahalanobis": "BOOLEAN",
    "flag_speeder": "BOOLEAN",
    "flag_any": "BOOLEAN",
}


KEY_COLUMNS = {"fingerprint": "VARCHAR NOT NULL", "recorded_at": "TIMESTAMPTZ"}


def _table(name: str, columns: dict[str, str]) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(f'{k} {v}' for k, v in columns.items())});"
    )


SCHEMA = "\n".join(
    [
        _table("schema_info", {"version": "INTEGER NOT NULL", "created_at": "TIMESTAMPTZ"}),
        _table(
            "instruments",
            {
                "content_hash": "VARCHAR PRIMARY KEY",
                "instrument_id": "VARCHAR",
                "version": "VARCHAR",
                "yaml": "VARCHAR",
            },
        ),
        _table("waves", {"wave": "VARCHAR PRIMARY KEY", "instrument_hash": "VARCHAR NOT NULL"}),
        _table("files", FILE_COLUMNS),
        _table("responses", META_COLUMNS),
        _table("rejects", REJECT_COLUMNS),
        _table("quality_flags", QUALITY_COLUMNS),
        _table("pseudonym_key", KEY_COLUMNS),
        _table("registries", REGISTRY_COLUMNS),
        _table("invalid_answers", INVALID_ANSWER_COLUMNS),
    ]
)

# Schema 1, as the walking skeleton created it; kept to document and test the migration.
SCHEMA_V1 = f"""
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


def _migrate_1_to_2(con: duckdb.DuckDBPyConnection, raw: Path) -> None:
    """Schema 1 -> 2: raw bytes move from ``files.content`` to the ``.raw`` folder.

    Also: ``files.encoding``; ``rejects.area`` and ``rejects.side`` (NULL for old rejects);
    the ``quality_flags`` table (filled for a wave when a file of it is next ingested).
    """
    for sha256, content in con.execute("SELECT sha256, content FROM files").fetchall():
        if hashlib.sha256(content).hexdigest() != sha256:
            raise InputError(
                f"A raw file in the store does not match its checksum {sha256[:12]}; "
                "the store is damaged. Restore it from a backup before upgrading."
            )
        keep_bytes(raw, sha256, content)
    # DuckDB cannot drop a column that others depend on in place; rebuild the table.
    con.execute("ALTER TABLE files RENAME TO files_v1")
    con.execute(_table("files", FILE_COLUMNS_V3))
    con.execute(
        "INSERT INTO files SELECT file_id, name, sha256, size, format, NULL, wave, simulated, "
        "ingested_at, rows_read, accepted, rejected FROM files_v1"
    )
    con.execute(
        "UPDATE files SET format = 'kobo-csv', encoding = 'utf-8' WHERE format = 'kobo-csv'"
    )
    con.execute("DROP TABLE files_v1")
    con.execute("ALTER TABLE rejects ADD COLUMN area VARCHAR")
    con.execute("ALTER TABLE rejects ADD COLUMN side VARCHAR")
    con.execute(_table("quality_flags", QUALITY_COLUMNS))


def _migrate_2_to_3(con: duckdb.DuckDBPyConnection, raw: Path) -> None:
    """Schema 2 -> 3: the ``pseudonym_key`` table (the fingerprint is recorded at the next
    ingest: schema 2 did not know which key was used), and reject details emptied: schema 2
    copied values from the files into them (free text can name a person); the reason
    code stays."""
    con.execute(_table("pseudonym_key", KEY_COLUMNS))
    con.execute("UPDATE rejects SET detail = ''")


def _migrate_3_to_4(con: duckdb.DuckDBPyConnection, raw: Path) -> None:
    """Schema 3 -> 4: files record the registry they were ingested with (unknown for older
    files) and their status (every older file is active); the ``registries`` table keeps
    each registry's text; ``invalid_answers`` lists answers that became missing (older
    files rejected such rows instead, as ``out-of-range``). A questionnaire's hash becomes
    the hash of its meaning (:func:`samenspel.instrument.load.meaning_hash`), recomputed
    from the text the store kept, so that a copy with another comment or line ending is
    the same questionnaire; versions whose meaning is the same become one."""
    for column, kind in FILE_STATUS_COLUMNS.items():
        con.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
    con.execute("UPDATE files SET status = 'active'")
    rows = con.execute(
        "SELECT content_hash, instrument_id, version, yaml FROM instruments"
    ).fetchall()
    meanings = {old: meaning_hash(yaml.safe_load(text)) for old, _, _, text in rows}
    con.execute("DELETE FROM instruments")
    for old, instrument_id, version, text in rows:
        con.execute(
            "INSERT INTO instruments VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [meanings[old], instrument_id, version, text],
        )
    for old, new in meanings.items():
        con.execute("UPDATE waves SET instrument_hash = ? WHERE instrument_hash = ?", [new, old])
    con.execute(_table("registries", REGISTRY_COLUMNS))
    con.execute(_table("invalid_answers", INVALID_ANSWER_COLUMNS))


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection, Path], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
}


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the pseudonym key the store's codes were hashed with, if known."""
    row = con.execute("SELECT fingerprint FROM pseudonym_key LIMIT 1").fetchall()
    return row[0][0] if row else None


def record_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    con.execute("INSERT INTO pseudonym_key VALUES (?, ?)", [fingerprint, datetime.now(UTC)])


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_info" not in tables:
        return None
    return con.execute("SELECT max(version) FROM schema_info").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection, raw: Path, until: int = SCHEMA_VERSION) -> list[int]:
    """Upgrade the store to :data:`SCHEMA_VERSION` (or ``until``), one transaction per step.

    Returns the versions the store went through (empty when it was current).
    """
    done = []
    version = schema_version(con)
    while version is not None and version < until:
        step = MIGRATIONS.get(version)
        if step is None:
            raise InputError(f"No migration from store schema {version}; ingest into a new store.")
        con.execute("BEGIN TRANSACTION")
        try:
            step(con, raw)
            con.execute("INSERT INTO schema_info VALUES (?, ?)", [version + 1, datetime.now(UTC)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        done.append(version)
        version += 1
    return done


def raw_folder_for(path: str | Path) -> Path:
    """The folder that keeps the raw files of the store at ``path``."""
    path = Path(path)
    return path.with_name(path.name + RAW_SUFFIX)


def store_path(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not row or not row[0][0]:
        raise ValueError("the store must be a DuckDB file, not an in-memory database")
    return Path(row[0][0])


def raw_folder(con: duckdb.DuckDBPyConnection) -> Path:
    return raw_folder_for(store_path(con))


def open_store(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and on first use create) the store; upgrade an older schema when writable."""
    path = Path(path)
    if read_only and not path.exists():
        raise InputError(
            f"The store {path} does not exist. Ingest a survey export first, e.g. "
            f"`samenspel ingest export.csv --wave 2026 --store {path}`, "
            "or run `make reports` to build the demo store."
        )
    check_store_file(path)
    raw = raw_folder_for(path)
    if not path.exists() and raw.exists() and any(raw.iterdir()):
        raise InputError(
            f"There is no store at {path}, but its raw folder {raw} exists and holds files. "
            "A new store there would adopt files it did not keep. Restore the store file "
            "from a backup, or give another --store path. Nothing was written."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError(
            f"Cannot open the store {path}: {exc}. Is it a samenspel DuckDB "
            "file, and is no other program using it?"
        ) from None
    try:
        con.execute("SET enable_progress_bar = false")  # messages go through the CLI only
        version = schema_version(con)
        if not read_only:
            if version is None:
                con.execute(SCHEMA)
                con.execute(
                    "INSERT INTO schema_info VALUES (?, ?)", [SCHEMA_VERSION, datetime.now(UTC)]
                )
            else:
                migrate(con, raw_folder_for(path))
            version = schema_version(con)
        if version != SCHEMA_VERSION:
            newer = version is not None and version > SCHEMA_VERSION
            raise InputError(
                f"The store {path} has schema version {version}; this samenspel uses "
                f"{SCHEMA_VERSION}. "
                + (
                    "Upgrade samenspel, or ingest the raw files into a new store."
                    if newer or version is None
                    else f"Upgrade the store with `samenspel migrate --store {path}`."
                )
            )
    except BaseException:
        con.close()
        raise
    return con


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def check_store_file(path: Path) -> None:
    """Refuse a path that is not a DuckDB file (a folder, an export given by mistake)."""
    if path.is_dir():
        raise InputError(f"{path} is a folder; --store needs the store's .duckdb file.")
    if path.exists() and path.stat().st_size:
        with open(path, "rb") as handle:
            head = handle.read(12)
        if head[8:12] != DUCKDB_MAGIC:
            raise InputError(
                f"{path} is not a valid DuckDB database file, so not a samenspel store (is it an "
                "export? ingest it with `samenspel ingest FILE --store STORE`). Give the path "
                "of the store, e.g. monitor/samenspel.duckdb."
            )


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns) -> None:
    """Insert the ``columns`` of ``frame`` into the store's ``table``, by name (a column of the
    table not named gets its default); the one way rows from a data frame enter the store."""
    names = ", ".join(f'"{c}"' for c in columns)
    view = f"incoming_{table}"
    con.register(view, frame)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
    finally:
        con.unregister(view)


def ensure_item_columns(con: duckdb.DuckDBPyConnection, instrument: Instrument) -> None:
    """Add a column for every item code the responses table does not have yet."""
    existing = {row[0] for row in con.execute("DESCRIBE responses").fetchall()}
    for code in instrument.item_codes:
        if code not in existing:
            kind = "VARCHAR" if instrument.scale_of(code).kind in TEXT_SCALE_KINDS else "DOUBLE"
            con.execute(f'ALTER TABLE responses ADD COLUMN "{code}" {kind}')


def kept_path(raw: Path, sha256: str) -> Path:
    return raw / sha256


@dataclass
class StagedFile:
    """A copy of an input file in the raw folder under a temporary name, with its checksum."""

    raw: Path
    sha256: str
    size: int
    temporary: Path

    def keep(self) -> bool:
        """Give the copy its content address (read-only); True when it was not there yet."""
        target = kept_path(self.raw, self.sha256)
        if target.exists():
            self.discard()
            return False
        os.chmod(self.temporary, 0o444)
        os.replace(self.temporary, target)
        return True

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


STAGING_PREFIX = ".incoming-"


def stage_file(raw: Path, source: Path) -> StagedFile:
    """Copy ``source`` into the raw folder while hashing it: one read of a large file.

    Raises :class:`InputError` naming the culprit: the input when it cannot be read, the
    store's folder when it cannot be written (a full disk, no permission).
    """
    try:
        handle = open(source, "rb")  # noqa: SIM115  (closed below, after the copy)
    except OSError as exc:
        raise InputError(f"Cannot read {source}: {exc.strerror}. Check the file.") from None
    try:
        raw.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=raw, prefix=STAGING_PREFIX)
    except OSError as exc:
        handle.close()
        raise _store_write_error(raw, exc) from None
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out, handle:
            while True:
                try:
                    chunk = handle.read(CHUNK)
                except OSError as exc:
                    raise InputError(f"Cannot read {source}: {exc.strerror}.") from None
                if not chunk:
                    break
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _store_write_error(raw, exc) from None
                size += len(chunk)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return StagedFile(raw, digest.hexdigest(), size, Path(tmp))


def _store_write_error(raw: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ENOSPC:
        return InputError(
            f"The disk of the store is full (no room in {raw}): nothing was stored. Free some "
            "space and run the command again."
        )
    return InputError(f"Cannot write to {raw}: {exc.strerror}. Nothing was stored.")


def keep_bytes(raw: Path, sha256: str, content: bytes) -> bool:
    target = kept_path(raw, sha256)
    if target.exists():
        return False
    raw.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=raw, prefix=".incoming-")
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)
    return True


def forget_file(raw: Path, sha256: str) -> None:
    """Remove a kept file that no committed row refers to (after a failed ingest)."""
    target = kept_path(raw, sha256)
    if target.exists():
        os.chmod(target, 0o644)
        target.unlink()


def verify_kept(raw: Path, sha256: str) -> str:
    """'ok', 'missing' or 'changed': the kept raw file against its checksum."""
    path = kept_path(raw, sha256)
    if not path.exists():
        return "missing"
    return "ok" if sha256_of(path) == sha256 else "changed"


def store_status(con: duckdb.DuckDBPyConnection, verify: bool = True) -> dict[str, pd.DataFrame]:
    """What the store holds, as tables, and the pseudonym key's ``fingerprint``.

    ``waves``   wave, instrument_id, instrument_version, instrument_hash, files, rows_read,
                accepted, rejected, flagged (responses with a data-quality flag)
    ``files``   file_id, name, wave, format, encoding, size, sha256, rows_read, accepted,
                rejected, status (active, retracted, replaced), status_reason, raw ('ok',
                'missing' or 'changed' when ``verify``, else 'unchecked'), rows ('ok', or
                how many accepted or rejected rows of the file are gone)
    ``counts``  wave, area, side, accepted, rejected (area/side '' when the row had none)
    ``invalid`` wave, item, problem, answers: answers stored as missing because they were
                not a number or not one of the item's codes
    """
    waves = con.execute(
        """
        SELECT w.wave, i.instrument_id, i.version AS instrument_version,
               left(w.instrument_hash, 12) AS instrument_hash,
               count(DISTINCT f.file_id) AS files,
               coalesce(sum(f.rows_read), 0)::BIGINT AS rows_read,
               coalesce(sum(f.accepted), 0)::BIGINT AS accepted,
               coalesce(sum(f.rejected), 0)::BIGINT AS rejected,
               (SELECT count(*) FROM quality_flags q WHERE q.wave = w.wave AND q.flag_any)
                   AS flagged
        FROM waves w LEFT JOIN instruments i ON i.content_hash = w.instrument_hash
        LEFT JOIN files f ON f.wave = w.wave AND f.status = 'active'
        GROUP BY ALL ORDER BY w.wave
        """
    ).df()
    files = con.execute(
        "SELECT file_id, name, wave, format, encoding, size, sha256, rows_read, accepted, "
        "rejected, status, coalesce(status_reason, '') AS status_reason FROM files "
        "ORDER BY file_id"
    ).df()
    raw = raw_folder(con)
    files["raw"] = [verify_kept(raw, s) if verify else "unchecked" for s in files["sha256"]]
    stored = con.execute(
        "SELECT f.file_id, "
        "(SELECT count(*) FROM responses r WHERE r.file_id = f.file_id) AS accepted_rows, "
        "(SELECT count(*) FROM rejects j WHERE j.file_id = f.file_id) AS rejected_rows "
        "FROM files f ORDER BY f.file_id"
    ).df()
    # A withdrawn (retracted or replaced) file keeps its counts but none of its rows.
    active = (files["status"] == "active").to_numpy()
    gone_accepted = files["accepted"].to_numpy() * active - stored["accepted_rows"].to_numpy()
    gone_rejected = files["rejected"].to_numpy() * active - stored["rejected_rows"].to_numpy()
    files["rows"] = [
        "ok" if (a, r) == (0, 0) else f"{a} accepted and {r} rejected rows differ from the record"
        for a, r in zip(gone_accepted, gone_rejected, strict=True)
    ]
    has_area = "area" in {r[0] for r in con.execute("DESCRIBE responses").fetchall()}
    area = "area" if has_area else "NULL"
    counts = con.execute(
        f"""
        WITH rows AS (
            SELECT wave, coalesce({area}, '') AS area, coalesce(side, '') AS side,
                   1 AS accepted, 0 AS rejected FROM responses
            UNION ALL
            SELECT wave, coalesce(area, ''), coalesce(side, ''), 0, 1 FROM rejects)
        SELECT wave, area, side, sum(accepted)::BIGINT AS accepted,
               sum(rejected)::BIGINT AS rejected
        FROM rows GROUP BY ALL ORDER BY wave, area, side
        """
    ).df()
    invalid = con.execute(
        "SELECT wave, item, problem, count(*) AS answers FROM invalid_answers "
        "GROUP BY ALL ORDER BY wave, item, problem"
    ).df()
    return {
        "waves": waves, "files": files, "counts": counts, "fingerprint": stored_fingerprint(con),
        "orphans": orphans(con, files["sha256"]), "invalid": invalid,
    }  # fmt: skip


def orphans(con: duckdb.DuckDBPyConnection, known: pd.Series | None = None) -> pd.DataFrame:
    """Files in the raw folder that no file record refers to: copies left by an ingest that
    was killed (``.incoming-*``) or files put there by hand. Columns: name, size."""
    if known is None:
        known = con.execute("SELECT sha256 FROM files").df()["sha256"]
    raw = raw_folder(con)
    names = set(known)
    found = (
        [p for p in sorted(raw.iterdir()) if p.is_file() and p.name not in names]
        if raw.is_dir()
        else []
    )
    return pd.DataFrame(
        {"name": [p.name for p in found], "size": [p.stat().st_size for p in found]}
    )


def remove_orphans(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Delete the raw folder's orphans (:func:`orphans`); needs the store open for writing,
    so that no ingest into it is running. Returns the names removed."""
    raw = raw_folder(con)
    removed = orphans(con)["name"].tolist()
    for name in removed:
        path = raw / name
        os.chmod(path, 0o644)
        path.unlink()
    return removed


def remove_simulated_store(path: str | Path, check_only: bool = False) -> bool:
    """Delete the store at ``path`` and its raw folder when it holds simulated data only.

    A store of real data is never deleted by samenspel: one with a file that is not the
    simulator's (or that cannot be read as a store), or a raw folder holding anything but the
    store's own files, is refused with :class:`InputError` and left as it was. True when
    something was removed (or, with ``check_only``, would be); False when there is no store.
    """
    path = Path(path)
    raw = raw_folder_for(path)
    if not path.exists() and not raw.exists():
        return False
    keep = (
        "samenspel deletes only a store of simulated demo data; it leaves this one as it was. "
        "Delete it yourself if you are sure, or point the demo elsewhere."
    )
    if not path.is_file():
        raise InputError(f"{path} is not a store file (or is missing beside {raw}). {keep}")
    check_store_file(path)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise InputError(f"{path} cannot be opened ({exc}). {keep}") from None
    try:
        files = con.execute("SELECT name, sha256, simulated FROM files").df()
    except duckdb.Error:
        raise InputError(f"{path} is not a samenspel store. {keep}") from None
    finally:
        con.close()
    real = files.loc[~files["simulated"].fillna(False).astype(bool), "name"].tolist()
    if real:
        raise InputError(f"{path} holds data that is not simulated ({', '.join(real[:5])}). {keep}")
    kept = set(files["sha256"])
    foreign = sorted(p.name for p in raw.iterdir() if p.name not in kept) if raw.is_dir() else []
    if foreign:
        shown = ", ".join(foreign[:5])
        raise InputError(f"{raw} holds files the store did not keep ({shown}). {keep}")
    if check_only:
        return True
    if raw.is_dir():
        shutil.rmtree(raw)
    path.unlink()
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    return True
