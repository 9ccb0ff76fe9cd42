"""Ingest a survey export into the store: every row accepted or rejected with a reason.

    report = ingest_file(con, path, wave, instrument, areas)

The raw bytes are stored unchanged with their SHA-256; the same file twice changes nothing;
the whole file is ingested in one transaction, so a failure leaves the store as it was.
Columns map to item codes by name (KoboToolbox group prefixes such as ``tru/tru1`` are
stripped), never by position.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import io
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from samenspel.instrument.model import AreaRegistry, Instrument
from samenspel.instrument.problems import InputError, Level, Problem, ProblemsFound
from samenspel.pipeline.store import META_COLUMNS, ensure_item_columns

# Export metadata a KoboToolbox CSV carries beside the answers, by column name.
KOBO_METADATA = {
    "start", "end", "respondent", "_id", "_uuid", "_submission_time", "_status", "__version__",
    "_index", "_validation_status", "_notes", "_tags", "_submitted_by", "meta/instanceID",
    "instanceID", "today", "deviceid", "audit", "_parent_index",
}  # fmt: skip
REJECT_REASONS = ("no-consent", "duplicate", "invalid-role", "unknown-area", "out-of-range")
# The key for respondent pseudonyms lives outside the repository (DESIGN.md section 12).
KEY_FILE_ENV = "SAMENSPEL_KEY_FILE"
DEFAULT_KEY_FILE = Path.home() / ".config" / "samenspel" / "pseudonym.key"


@dataclass
class IngestReport:
    """What happened to one file; ``accepted + rejected == rows_read`` always."""

    file: str
    sha256: str
    wave: str
    rows_read: int = 0
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    already_ingested: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def pseudonym_key() -> bytes:
    """The keyed-hash key; created on first use, never printed, never in the repository."""
    path = Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def pseudonymise(codes: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of each respondent code, shortened to 16 hex characters."""
    return codes.map(
        lambda c: "" if c == "" else hmac.new(key, c.encode(), hashlib.sha256).hexdigest()[:16]
    )


def read_kobo_csv(content: bytes, name: str) -> pd.DataFrame:
    """A KoboToolbox CSV export (`;`, quoted fields) as text columns, blanks as ''."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text ({exc}). Export it again from "
            "KoboToolbox as CSV, or save it as UTF-8."
        ) from None
    try:
        return pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"{name} cannot be read as a KoboToolbox CSV export: {exc}. "
            "Export it from KoboToolbox as CSV with ';' as separator."
        ) from None


def map_columns(
    frame: pd.DataFrame, instrument: Instrument, name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename columns to item codes by name, stripping group prefixes; report the rest."""
    problems = []
    codes = set(instrument.item_codes)
    renamed = {}
    for column in frame.columns:
        if column in KOBO_METADATA:
            renamed[column] = column
            continue
        base = column.rsplit("/", 1)[-1]
        if base in codes or base in KOBO_METADATA:
            if base in renamed.values():
                raise InputError(f"{name}: two columns map to {base!r}. Remove one of them.")
            renamed[column] = base
        elif not column.startswith("_"):
            close = difflib.get_close_matches(base, sorted(codes), n=3)
            problems.append(
                Problem(
                    Level.WARNING,
                    "unknown-column",
                    f"{name}: column {column!r}",
                    "matches no item code; the column is not stored",
                    f"closest item codes: {', '.join(close)}" if close else "check the instrument",
                )
            )
    frame = frame[list(renamed)].rename(columns=renamed)
    for code in instrument.item_codes:
        if code not in frame.columns:
            problems.append(
                Problem(
                    Level.WARNING,
                    "missing-column",
                    f"{name}: item {code}",
                    "the file has no column for this item; its answers count as missing",
                    "check the export settings (XML names, all questions)",
                )
            )
    return frame, problems


def _check_values(frame: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, pd.Series]:
    """Parse answer codes; return numeric answers and, per row, the columns out of range."""
    numeric = {}
    bad = pd.Series("", index=frame.index)
    for code in instrument.item_codes:
        scale = instrument.scale_of(code)
        if code not in frame.columns or scale.kind == "area":
            continue
        text = frame[code].str.strip().str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        unparsable = (text != "") & values.isna()
        if scale.options:
            allowed = np.array([*scale.valid_codes, *scale.missing_codes], dtype=float)
            invalid = values.notna() & ~values.isin(allowed)
        else:
            whole = values == np.round(values)
            in_range = values.between(scale.minimum, scale.maximum) | values.isin(
                scale.missing_codes
            )
            invalid = values.notna() & ~(whole & in_range)
        problem = unparsable | invalid
        if problem.any():
            bad = bad.where(~problem, bad + code + "=" + frame[code] + "; ")
        numeric[code] = values.astype(float)
    return pd.DataFrame(numeric, index=frame.index), bad.str.rstrip("; ")


def classify_rows(
    frame: pd.DataFrame, instrument: Instrument, areas: AreaRegistry, known_ids: set[str]
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Reason code per row ('' = accepted), a detail text, and the numeric answers."""
    numeric, out_of_range = _check_values(frame, instrument)
    reason = pd.Series("", index=frame.index)
    detail = pd.Series("", index=frame.index)

    def reject(mask: pd.Series, code: str, text: pd.Series | str) -> None:
        mask = mask & (reason == "")
        reason[mask] = code
        detail[mask] = text[mask] if isinstance(text, pd.Series) else text

    consent = numeric.get("consent", pd.Series(np.nan, index=frame.index))
    reject(consent != 1, "no-consent", "consent is not 'yes' (1)")
    ids = frame.get("_uuid", pd.Series("", index=frame.index))
    duplicate = (ids != "") & (ids.duplicated() | ids.isin(known_ids))
    reject(duplicate, "duplicate", "submission " + ids + " is already in the file or store")
    role_codes = [r.code for r in instrument.roles.values()]
    role = numeric.get("role", pd.Series(np.nan, index=frame.index))
    reject(~role.isin(role_codes), "invalid-role", f"role is missing or not one of {role_codes}")
    area = frame.get("area", pd.Series("", index=frame.index))
    reject(~area.isin(areas.ids), "unknown-area", "area '" + area + "' is not in the registry")
    reject(out_of_range != "", "out-of-range", "not an answer code: " + out_of_range)
    return reason, detail, numeric


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    wave: str,
    instrument: Instrument,
    areas: AreaRegistry,
) -> IngestReport:
    """Ingest one KoboToolbox CSV export for ``wave`` in one transaction."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"Cannot read {path}: {exc.strerror}. Check the path of the export file."
        ) from None
    sha256 = hashlib.sha256(content).hexdigest()
    report = IngestReport(str(path), sha256, wave)
    if con.execute("SELECT 1 FROM files WHERE sha256 = ?", [sha256]).fetchall():
        report.already_ingested = True
        return report
    registered = con.execute("SELECT instrument_hash FROM waves WHERE wave = ?", [wave]).fetchall()
    registered = registered[0] if registered else None
    if registered and registered[0] != instrument.content_hash:
        raise ProblemsFound(
            [
                Problem(
                    Level.ERROR,
                    "wrong-wave",
                    f"{path}",
                    f"wave {wave} was ingested with another instrument version "
                    f"(hash {registered[0][:12]}), this one is {instrument.content_hash[:12]}",
                    "ingest with the instrument file of that wave, or use a new wave id",
                )
            ]
        )
    frame = read_kobo_csv(content, path.name)
    frame, report.problems = map_columns(frame, instrument, path.name)
    report.rows_read = len(frame)
    known = {r[0] for r in con.execute("SELECT submission_id FROM responses").fetchall()}
    reason, detail, numeric = classify_rows(frame, instrument, areas, known)

    accepted = reason == ""
    simulated = _is_simulated(path, sha256)
    con.execute("BEGIN TRANSACTION")
    try:
        ensure_item_columns(con, instrument)
        if not registered:
            con.execute(
                "INSERT INTO instruments VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [
                    instrument.content_hash,
                    instrument.id,
                    instrument.version,
                    Path(instrument.source).read_text(encoding="utf-8"),
                ],
            )
            con.execute("INSERT INTO waves VALUES (?, ?)", [wave, instrument.content_hash])
        file_id = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchall()[0][0]
        rows = _response_rows(frame[accepted], numeric[accepted], instrument, file_id, wave)
        con.register("incoming", rows)
        columns = ", ".join(f'"{c}"' for c in rows.columns)
        con.execute(f"INSERT INTO responses ({columns}) SELECT {columns} FROM incoming")
        con.unregister("incoming")
        rejects = pd.DataFrame(
            {
                "file_id": file_id,
                "row_number": frame.index[~accepted] + 2,  # header is line 1
                "wave": wave,
                "submission_id": frame.get("_uuid", pd.Series("", index=frame.index))[~accepted],
                "reason": reason[~accepted],
                "detail": detail[~accepted],
            }
        )
        con.register("incoming_rejects", rejects)
        con.execute("INSERT INTO rejects SELECT * FROM incoming_rejects")
        con.unregister("incoming_rejects")
        report.accepted = int(accepted.sum())
        report.rejected = {k: int(v) for k, v in reason[~accepted].value_counts().items()}
        con.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, 'kobo-csv', ?, ?, ?, ?, ?, ?)",
            [
                file_id,
                path.name,
                sha256,
                len(content),
                content,
                wave,
                simulated,
                datetime.now(UTC),
                report.rows_read,
                report.accepted,
                report.rejected_total,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _response_rows(frame, numeric, instrument: Instrument, file_id: int, wave: str):
    sides = {float(r.code): (r.side or r.id) for r in instrument.roles.values()}
    get = lambda name: frame[name] if name in frame.columns else pd.Series("", index=frame.index)  # noqa: E731
    rows = pd.DataFrame(
        {
            "file_id": file_id,
            "row_number": frame.index + 2,
            "wave": wave,
            "submission_id": get("_uuid"),
            "respondent": pseudonymise(get("respondent"), pseudonym_key()),
            "side": numeric["role"].map(sides),
            "started": pd.to_datetime(get("start").replace("", None), utc=True, format="ISO8601"),
            "ended": pd.to_datetime(get("end").replace("", None), utc=True, format="ISO8601"),
            "submitted": pd.to_datetime(
                get("_submission_time").replace("", None), format="ISO8601"
            ),
        }
    )
    for code in instrument.item_codes:
        if code in numeric.columns:
            rows[code] = numeric[code]
        elif code in frame.columns:
            rows[code] = frame[code]
    return rows[[c for c in rows.columns if c in META_COLUMNS or c in instrument.item_codes]]


def _is_simulated(path: Path, sha256: str) -> bool:
    """True when the simulator's manifest beside the file lists this exact file."""
    manifest = path.with_name("simulation.json")
    if not manifest.exists():
        return False
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError, TypeError):
        return False
    return sha256 in files.values()


def load_responses(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All accepted responses, one row each, item columns as stored (NULL -> NaN)."""
    # fetchnumpy, not .df(): DuckDB's pandas conversion trips pandas 3 deprecations.
    query = "SELECT * FROM responses ORDER BY wave, file_id, row_number"
    return pd.DataFrame(con.execute(query).fetchnumpy())
