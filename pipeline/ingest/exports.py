"""Ingest a survey export into the store: every row accepted or rejected with a reason.

    report = ingest_file(con, path, wave, instrument, areas)   # IngestReport

What happens to a file, in order:

1. it is copied into the raw folder while its SHA-256 is computed; a file already in the
   store changes nothing (``already_ingested``, the copy is dropped);
2. the copy is kept byte for byte under its checksum (see :mod:`.store`) and read from
   that copy: the format is detected (:mod:`.readers`) and columns map to item codes by name,
   never by position (group prefixes ``tru/tru1`` and ``tru-tru1`` are stripped, case is
   ignored). Unknown columns and missing items are reported with the closest item codes;
3. a column named like a direct identifier (naam, e-mail, telefoon, adres, ...) that holds
   values, or an e-mail address or phone number in a text cell (respondent code, area, any
   column that is not an item, a record that could not be parsed), refuses the *whole file*:
   the store keeps raw files byte for byte, so a file with identifiers must not enter it
   (docs/data-protection.md). The error lists the rows and columns to clean;
4. every row gets a verdict: accepted, or rejected with the first reason of
   :data:`REJECT_REASONS` that applies; ``accepted + rejected == rows_read`` always;
5. accepted rows, rejects, the file record and the wave's data-quality flags are written in
   one transaction: a failure anywhere leaves the store (and its raw folder) as it was.

Respondent codes are stored only as a keyed hash (HMAC-SHA256) with the key of
:mod:`.pseudonym`; the store records the key's fingerprint at its first ingest and refuses
any other key afterwards. A store without data gets a new key when there is none yet
(``IngestReport.key_created`` says where: back it up).

Rejected rows keep their row number, reason and a detail that names columns and the kind of
problem, never a value from the file: a cell of free text can hold a name, an address or a
case note, and the rejects are exported.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from samenspel.common.files import sha256_of
from samenspel.common.problems import InputError, Level, Problem, ProblemsFound
from samenspel.instrument.model import (
    TEXT_SCALE_KINDS,
    UNIT_NOT_LISTED,
    AreaRegistry,
    Instrument,
    wording_fields,
)
from samenspel.pipeline.ingest.pseudonym import (
    create_key,
    fingerprint,
    key_path,
    pseudonymise,
    read_key,
)
from samenspel.pipeline.ingest.quality import quality_flags
from samenspel.pipeline.ingest.readers import (
    RAW_TABLE,
    ParseReject,
    RawTable,
    column_name,
    drop_quietly,
    load_raw,
    number_sql,
    scan,
)
from samenspel.pipeline.ingest.store import (
    INVALID_ANSWER_COLUMNS,
    META_COLUMNS,
    QUALITY_COLUMNS,
    REJECT_COLUMNS,
    ensure_item_columns,
    forget_file,
    insert_frame,
    kept_path,
    raw_folder,
    record_fingerprint,
    stage_file,
    stored_fingerprint,
)

# Reason codes of rejected rows, in the order they are tested; a row gets the first that applies.
REJECT_REASONS = {
    "malformed-row": "the record has more or fewer fields than the header",
    "no-consent": "consent is not 'yes' (1); nothing else of the row is kept",
    # Counted, but such a file is refused as a whole and nothing of it is stored.
    "identifying-data": "a cell holds an e-mail address or a phone number",
    "wrong-version": "the row was answered on another version of the questionnaire",
    "duplicate-submission": "the submission id is already in the file or the store",
    "duplicate-respondent": "the respondent code is already in this wave (file or store)",
    "invalid-role": "the role answer is missing or not a role code",
    "unknown-area": "the area is not in the area registry",
    "unknown-unit": "the team or organisation is not one of the area's units for the role",
    # Given by stores before schema 4 only: such an answer now becomes missing and is listed
    # as an invalid answer (see INVALID_ANSWER).
    "out-of-range": "an answer is not one of the item's codes (older stores)",
}
INVALID_ANSWER = (
    "invalid-answer: an answer that is not a number or not one of the item's codes (44 on a "
    "1-5 scale, 'zeven', 6.5 for a report grade) is stored as missing; the row is kept"
)

# Metadata fields beside the answers: field -> column names that carry it, preferred first
# (lower case, after stripping a group prefix).
META_FIELDS = {
    "submission_id": ("_uuid", "instanceid", "key", "submission_id", "uuid"),
    "respondent": ("respondent", "respondent_id", "respondent_code", "respnr", "resp_id"),
    "started": ("start", "started"),
    "ended": ("end", "ended"),
    "submitted": ("_submission_time", "submissiondate", "submitted"),
    "version": ("__version__", "formversion", "_version_", "version", "instrument_version"),
}
# Export columns of KoboToolbox and ODK Central that are known and not stored.
SYSTEM_COLUMNS = {
    "_id", "_status", "_index", "_validation_status", "_notes", "_tags", "_submitted_by",
    "_parent_index", "_attachments", "_geolocation", "today", "deviceid", "audit",
    "submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
    "reviewstate", "edits", "instancename", "parent_key", "simserial", "phonenumber",
}  # fmt: skip
# Column names that announce a direct identifier: these short words as whole words of the
# lower-case name, and the longer stems anywhere in it, so that Dutch compounds such as
# `Respondentnaam`, `E-mailadres` or `Telefoonnummer_mobiel` are caught too.
IDENTIFYING_WORDS = {"tel", "telnr", "gsm", "dob", "bsn", "mail"}
IDENTIFYING_STEMS = (
    "naam", "name", "email", "telefoon", "phone", "mobiel", "mobile", "adres", "address",
    "straat", "street", "huisnummer", "postcode", "zipcode", "geboorte", "birth",
)  # fmt: skip
# Personal data in a text cell, as Dutch exports write it (RE2 and Python syntax alike).
IDENTIFYING_PATTERNS = {
    "e-mail address": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
    # Dutch (06-12345678, 020 123 4567) and international (+31 (0)6 2345 6789, 0031 6 ...)
    "phone number": r"(^|[^0-9])(0[1-9]([ .\-]?[0-9]){8}|(\+|00)[1-9][0-9]{0,2}[ .\-]?"
    r"(\(0\)[ .\-]?)?[1-9]([ .\-]?[0-9]){6,11})([^0-9]|$)",
    # a postcode with its house number (1012 AB 15), or a street with one (Kerkstraat 12)
    "address": r"(^|[^0-9A-Za-z])[1-9][0-9]{3} ?[A-Z]{2}[ ,]+[0-9]{1,5}([^0-9]|$)|(?i:[a-z]+"
    r"(straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|steeg|plantsoen)) +[0-9]{1,5}"
    r"([^0-9]|$)",
}
VERSION_PATTERN = re.compile(r"v?\d+(\.\d+)*")
REQUIRED_ITEMS = ("consent", "role", "area")
MAX_LISTED = 10  # locations listed in one problem before "and N more"


@dataclass
class IngestReport:
    """What happened to one file; ``accepted + rejected_total == rows_read`` always."""

    file: str
    sha256: str
    wave: str
    format: str = ""
    encoding: str = ""
    rows_read: int = 0
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    already_ingested: bool = False
    problems: list[Problem] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step
    key_created: Path | None = None  # a new pseudonym key was written here: back it up
    invalid_answers: dict[str, int] = field(default_factory=dict)  # item -> answers made missing
    # With --replaces: the file replaced, and how the new rows match its rows.
    replaced: str = ""
    matched: int = 0  # accepted rows with the submission id (else respondent) of an old row
    dropped: int = 0  # accepted rows of the old file that no new row matches

    def lap(self, step: str, since: float) -> float:
        """Record the seconds of ``step`` since ``since``; return now."""
        now = time.perf_counter()
        self.seconds[step] = round(now - since, 2)
        return now

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass
class ColumnMap:
    """Which file column (position) carries which item code or metadata field."""

    items: dict[str, int] = field(default_factory=dict)
    meta: dict[str, int] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    identifying: list[int] = field(default_factory=list)
    system: list[int] = field(default_factory=list)  # known, not stored, scanned (_notes)


def base_name(column: str) -> str:
    """The item code a column name stands for: lower case, group prefix stripped."""
    name = column.strip().lower()
    if "/" in name:
        return name.rsplit("/", 1)[-1]
    if "-" in name:
        return name.rsplit("-", 1)[-1]
    return name


def looks_identifying(column: str) -> bool:
    lowered = column.strip().lower()
    words = set(re.split(r"[^a-z0-9]+", lowered))
    joined = re.sub(r"[^a-z0-9]+", "", lowered)
    return bool(words & IDENTIFYING_WORDS) or any(stem in joined for stem in IDENTIFYING_STEMS)


def map_columns(
    headers: list[str], instrument: Instrument, name: str
) -> tuple[ColumnMap, list[Problem]]:
    """Map header names to item codes and metadata fields; report what does not map."""
    problems: list[Problem] = []
    mapping = ColumnMap()
    codes = {code.lower(): code for code in instrument.item_codes}
    wording = set(wording_fields(instrument))  # the XLSForm's role-wording calculates
    meta_rank: dict[str, tuple[int, int]] = {}
    seen: dict[str, list[str]] = {}
    for position, header in enumerate(headers):
        lowered = header.strip().lower()
        base = base_name(header)
        code = codes.get(base)
        if code is not None:
            seen.setdefault(code, []).append(header)
            mapping.items[code] = position
            continue
        meta = [
            (f, names.index(n))
            for f, names in META_FIELDS.items()
            for n in (lowered, base)
            if n in names
        ]
        if meta:
            field_name, rank = min(meta, key=lambda m: m[1])
            if field_name not in meta_rank or rank < meta_rank[field_name][0]:
                meta_rank[field_name] = (rank, position)
            continue
        if lowered in SYSTEM_COLUMNS or base in SYSTEM_COLUMNS:
            mapping.system.append(position)
            continue
        if base in wording:
            continue
        if looks_identifying(header) or looks_identifying(base):
            mapping.identifying.append(position)
            continue
        mapping.unknown.append(position)
        if not lowered.startswith("_"):
            close = difflib.get_close_matches(base, sorted(codes), n=3, cutoff=0.6)
            problems.append(
                Problem(
                    Level.WARNING,
                    "unknown-column",
                    f"{name}: column {header!r}",
                    "matches no item code; the column is not stored",
                    f"closest item codes: {', '.join(codes[c] for c in close)}"
                    if close
                    else "rename it to an item code of the instrument, or leave it out",
                )
            )
    mapping.meta = {f: position for f, (_, position) in meta_rank.items()}
    for code, columns in seen.items():
        if len(columns) > 1:
            problems.append(
                Problem(
                    Level.ERROR,
                    "ambiguous-column",
                    f"{name}: columns {', '.join(repr(c) for c in columns)}",
                    f"all map to item {code}",
                    "keep one column per item code and ingest the file again",
                )
            )
    missing = [code for code in instrument.item_codes if code not in mapping.items]
    for code in (c for c in missing if c in REQUIRED_ITEMS):
        close = difflib.get_close_matches(code, [base_name(h) for h in headers], n=3)
        problems.append(
            Problem(
                Level.ERROR,
                "missing-column",
                f"{name}: item {code}",
                "the file has no column for this item, so no row could be accepted",
                f"columns with a similar name: {', '.join(close)}"
                if close
                else f"add a column named {code!r} (export with XML names, not labels)",
            )
        )
    optional = [c for c in missing if c not in REQUIRED_ITEMS]
    if optional:
        problems.append(
            Problem(
                Level.WARNING,
                "missing-column",
                f"{name}: items {', '.join(optional[:MAX_LISTED])}"
                + (f" and {len(optional) - MAX_LISTED} more" if len(optional) > MAX_LISTED else ""),
                "the file has no column for these items; their answers count as missing",
                "check the export settings (XML names, all questions)",
            )
        )
    return mapping, problems


def _sql_text(column: str) -> str:
    return f"nullif(trim({column}), '')"


def _sql_timestamp(column: str, kind: str) -> str:
    text = _sql_text(column)
    formats = "['%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M']"
    return f"coalesce(TRY_CAST({text} AS {kind}), CAST(try_strptime({text}, {formats}) AS {kind}))"


def valid_answers(instrument: Instrument, code: str, values: np.ndarray) -> np.ndarray:
    """True where a number is an answer code of the item (a substantive or a missing code)."""
    scale = instrument.scale_of(code)
    if scale.kind == "role":
        return np.ones(len(values), dtype=bool)  # tested as invalid-role
    missing = np.isin(values, np.array(scale.missing_codes, dtype=float))
    if scale.options:
        return np.isin(values, np.array(scale.valid_codes, dtype=float)) | missing
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (values == np.round(values))
        return (whole & (values >= scale.minimum) & (values <= scale.maximum)) | missing


@dataclass
class Extracted:
    """A scanned file: typed rows, the records that could not be parsed, identifier columns."""

    frame: pd.DataFrame
    parse_rejects: list[ParseReject]
    identifying_counts: dict[int, int]  # column position -> rows with a value
    invalid_answers: pd.DataFrame  # row_number, item, problem: answers that became missing

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.parse_rejects)


def _numbers(values) -> tuple[np.ndarray, np.ndarray]:
    """Float values with NaN for blanks, and where the text itself said nan."""
    data = np.asarray(np.ma.getdata(values), dtype=float)
    blank = np.ma.getmaskarray(values)
    literal_nan = ~blank & np.isnan(data)
    data = data.copy()
    data[blank] = np.nan
    return data, literal_nan


def _texts(values) -> np.ndarray:
    data = np.ma.getdata(values).astype(object)
    data[np.ma.getmaskarray(values)] = ""
    return data


def extract_rows(
    con: duckdb.DuckDBPyConnection, table: RawTable, mapping: ColumnMap, instrument: Instrument
) -> Extracted:
    """The file as typed columns, one row per parsed record, in file order.

    Frame columns: every mapped item code (float; the area item as text), the metadata
    fields of :data:`META_FIELDS`, ``_identifying`` (where an e-mail address or phone number
    was found) and ``row_number``. An answer that is not a number or not one of its item's
    codes is missing in the frame and listed in ``invalid_answers`` (row, item, problem):
    it costs that answer, not the respondent.
    """
    numeric = {
        p for c, p in mapping.items.items() if instrument.scale_of(c).kind not in TEXT_SCALE_KINDS
    }
    select = _select_sql(table, mapping, numeric)
    result, row_numbers, parse_rejects = scan(con, table, select)

    # Columns are collected first and framed once (adding 70 columns one by one to a
    # DataFrame of 1.2 million rows costs seconds).
    columns: dict[str, np.ndarray] = {"row_number": np.asarray(row_numbers)}
    codes = [c for c, p in mapping.items.items() if p in numeric]
    invalid_rows: list[pd.DataFrame] = []
    for code in codes:
        values, literal_nan = _numbers(result[code])
        not_number = np.asarray(np.ma.filled(result[f"_nan_{code}"], False), dtype=bool)
        not_number |= literal_nan | np.isinf(values)
        not_code = ~not_number & ~np.isnan(values) & ~valid_answers(instrument, code, values)
        columns[code] = np.where(not_number | not_code, np.nan, values)
        for mask, problem in ((not_number, "not a number"), (not_code, "not an answer code")):
            if mask.any():
                invalid_rows.append(
                    pd.DataFrame(
                        {"row_number": np.asarray(row_numbers)[mask], "item": code,
                         "problem": problem}
                    )
                )  # fmt: skip
    for code, position in mapping.items.items():
        if position not in numeric:
            columns[code] = _texts(result[code])
    for field_name in ("submission_id", "respondent", "version", "_identifying"):
        columns[field_name] = _texts(result[field_name])
    frame = pd.DataFrame(columns)
    for field_name in ("started", "ended"):
        frame[field_name] = pd.to_datetime(
            np.ma.filled(result[field_name], np.datetime64("NaT", "ns")), utc=True
        )
    frame["submitted"] = pd.to_datetime(
        np.ma.filled(result["submitted"], np.datetime64("NaT", "ns"))
    )
    counts = {
        p: int(np.asarray(np.ma.filled(result[f"_idcol_{p}"], False)).sum())
        for p in mapping.identifying
    }
    invalid = (
        pd.concat(invalid_rows, ignore_index=True).sort_values(["row_number", "item"])
        if invalid_rows
        else pd.DataFrame({"row_number": [], "item": [], "problem": []})
    )
    return Extracted(frame, parse_rejects, counts, invalid.reset_index(drop=True))


def _select_sql(table: RawTable, mapping: ColumnMap, numeric: set[int]) -> list[str]:
    """The SELECT list that types the raw text columns: numbers (with a flag where a cell
    holds text that is not one), texts, the metadata fields, ``_identifying`` (the first
    e-mail address or phone number pattern found in a text cell) and, per column named like
    a direct identifier, whether it holds a value."""
    select, identifying = [], []
    for code, position in mapping.items.items():
        if position in numeric:
            cell = column_name(position)
            number = number_sql(cell, table)
            select.append(f'{number} AS "{code}"')
            select.append(
                f"(nullif(trim({cell}), '') IS NOT NULL AND {number} IS NULL) AS \"_nan_{code}\""
            )
        else:
            select.append(f'{_sql_text(column_name(position))} AS "{code}"')
            identifying.append((table.headers[position], column_name(position)))
    for field_name in META_FIELDS:
        position = mapping.meta.get(field_name)
        if position is None:
            select.append(f"NULL::VARCHAR AS {field_name}")
        elif field_name in ("started", "ended"):
            select.append(f"{_sql_timestamp(column_name(position), 'TIMESTAMPTZ')} AS {field_name}")
        elif field_name == "submitted":
            select.append(f"{_sql_timestamp(column_name(position), 'TIMESTAMP')} AS {field_name}")
        else:
            select.append(f"{_sql_text(column_name(position))} AS {field_name}")
    if "respondent" in mapping.meta:
        position = mapping.meta["respondent"]
        identifying.append((table.headers[position], column_name(position)))
    identifying += [(table.headers[p], column_name(p)) for p in mapping.unknown]
    identifying += [(table.headers[p], column_name(p)) for p in mapping.system]
    checks = [
        "CASE "
        + " ".join(
            f"WHEN regexp_matches({c}, {_quote(pattern)}) THEN {_quote(h + ': ' + kind)}"
            for kind, pattern in IDENTIFYING_PATTERNS.items()
        )
        + " END"
        for h, c in identifying
    ]
    select.append(
        f"nullif(concat_ws('; ', {', '.join(checks)}), '') AS _identifying"
        if checks
        else "NULL::VARCHAR AS _identifying"
    )
    select += [
        f"{_sql_text(column_name(p))} IS NOT NULL AS _idcol_{p}" for p in mapping.identifying
    ]
    return select


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def same_version(value: str, version: str) -> bool:
    """'2026.1', 'v20261' and '20261' name the same version; other text is not a version."""
    normal = lambda v: v.strip().lower().lstrip("v").replace(".", "")  # noqa: E731
    return normal(value) == normal(version)


def classify_rows(
    frame: pd.DataFrame,
    instrument: Instrument,
    areas: AreaRegistry,
    known_submissions: set[str] | pd.Series = frozenset(),
    known_respondents: set[str] | pd.Series = frozenset(),
) -> tuple[pd.Series, pd.Series]:
    """Reason code per row ('' = accepted) and a detail text, from :func:`extract_rows` output.

    ``frame['respondent']`` must already be pseudonymised; ``known_submissions`` are the
    submission ids in the store, ``known_respondents`` the pseudonyms already in this wave.
    """
    index = frame.index
    reason = pd.Series("", index=index, dtype=object)
    detail = pd.Series("", index=index, dtype=object)
    blank = pd.Series("", index=index, dtype=object)
    rows = frame["row_number"]

    def reject(mask: pd.Series, code: str, text) -> None:
        mask = mask & (reason == "")
        if not mask.any():
            return
        reason[mask] = code
        detail[mask] = text(mask) if callable(text) else text

    nan = pd.Series(np.nan, index=index)
    consent = frame.get("consent", nan)
    reject(consent != 1, "no-consent", "consent is not 'yes' (1)")
    identifying = frame.get("_identifying", blank)
    reject(identifying != "", "identifying-data", lambda m: identifying[m])
    version = frame.get("version", blank)
    # Decided once per distinct value: a national file has 1.2 million rows, a few versions.
    verdicts = {
        v: bool(VERSION_PATTERN.fullmatch(v)) and not same_version(v, instrument.version)
        for v in pd.unique(version)
    }
    wrong = version.map(verdicts).astype(bool)
    reject(
        wrong,
        "wrong-version",
        lambda m: (
            "answered on version " + version[m] + f", this instrument is {instrument.version}"
        ),
    )
    # A submission id, then a respondent code, already in the store or earlier in the file.
    duplicates = (
        ("submission_id", known_submissions, "duplicate-submission",
         "the submission id is already in the store", "the submission id is also in row "),
        ("respondent", known_respondents, "duplicate-respondent",
         "respondent code already in this wave in the store", "respondent code also in row "),
    )  # fmt: skip
    for column, known, code, in_store, in_file in duplicates:
        values = frame.get(column, blank)
        given = values != ""
        reject(given & values.isin(known), code, in_store)
        reject(
            given & values.duplicated(),
            code,
            lambda m, values=values, in_file=in_file: in_file + _first_row(rows, values, m),
        )
    role_codes = [r.code for r in instrument.roles.values()]
    role = frame.get("role", nan)
    reject(~role.isin(role_codes), "invalid-role", f"role is missing or not one of {role_codes}")
    area = frame.get("area", blank)
    reject(~area.isin(areas.ids), "unknown-area", "the area is not one of the registry's ids")
    unit = frame.get("unit", blank)
    named = (unit != "") & (unit != UNIT_NOT_LISTED)
    sides = {float(r.code): r.side or "" for r in instrument.roles.values()}
    key = unit + "|" + area.astype(str) + "|" + role.map(sides).fillna("")
    known_unit = key.isin([f"{u.code}|{u.area}|{u.side}" for u in areas.units])
    reject(
        named & ~known_unit,
        "unknown-unit",
        lambda m: (
            "the team or organisation code is not a unit of area '" + area[m] + "' for "
            "this role in the registry"
        ),
    )
    return reason, detail


def _first_row(rows: pd.Series, keys: pd.Series, mask: pd.Series) -> pd.Series:
    """The row number where each masked row's key first occurs, as text."""
    involved = keys.isin(keys[mask])
    first = rows[involved].groupby(keys[involved]).first()
    return keys[mask].map(first).astype(int).astype(str)


def _identifying_text(text: str) -> str:
    """The kind of personal data ``text`` holds (:data:`IDENTIFYING_PATTERNS`), else ''."""
    for kind, pattern in IDENTIFYING_PATTERNS.items():
        if re.search(pattern, text):
            return kind
    return ""


def _identifying_problems(table: RawTable, extracted: Extracted, name: str) -> list[Problem]:
    problems = []
    for position, rows in extracted.identifying_counts.items():
        header = table.headers[position]
        if rows:
            problems.append(
                Problem(
                    Level.ERROR,
                    "identifying-data",
                    f"{name}: column {header!r}",
                    f"looks like a direct identifier (name, e-mail, phone, address) and has "
                    f"values in {rows} rows; the file was not stored",
                    "remove the column from the export (or empty it) and ingest the file again",
                )
            )
        else:
            problems.append(
                Problem(
                    Level.WARNING,
                    "identifying-data",
                    f"{name}: column {header!r}",
                    "looks like a direct identifier; it is empty and not stored",
                    "leave such columns out of the export",
                )
            )
    return problems


def _label_problems(table: RawTable, mapping: ColumnMap, instrument: Instrument, name: str):
    """SPSS value labels that contradict the instrument (e.g. a reversed scale)."""
    problems = []
    for code, position in mapping.items.items():
        labels = table.value_labels.get(table.headers[position])
        scale = instrument.scale_of(code)
        if not labels or not (scale.options or scale.missing):
            continue
        ours = {float(o.code): {t.strip().casefold() for t in o.label.values()}
                for o in (*scale.options, *scale.missing)}  # fmt: skip
        wrong = [
            f"{value:g} = {text!r}"
            for value, text in sorted(labels.items())
            if value in ours and text.strip().casefold() not in ours[value]
        ]
        if wrong:
            problems.append(
                Problem(
                    Level.WARNING,
                    "label-mismatch",
                    f"{name}: variable {table.headers[position]!r}",
                    f"value labels differ from item {code} of the instrument: "
                    + "; ".join(wrong[:4]),
                    "check that the codes mean the same; a reversed or recoded scale is "
                    "stored as it is",
                )
            )
    return problems


@dataclass(frozen=True)
class StoredFile:
    file_id: int
    name: str
    sha256: str
    wave: str
    status: str
    replaced_by: int | None


def find_file(con: duckdb.DuckDBPyConnection, which: str | Path) -> StoredFile:
    """The stored file ``which`` names: an export on disk (by its checksum), a file name as
    ingested, or the start of a SHA-256 (8 characters or more)."""
    rows = con.execute(
        "SELECT file_id, name, sha256, wave, status, replaced_by FROM files ORDER BY file_id"
    ).fetchall()
    files = [StoredFile(*row) for row in rows]
    text = str(which)
    if Path(which).is_file():
        digest = sha256_of(which)
        found = [f for f in files if f.sha256 == digest]
    else:
        found = [f for f in files if f.name == Path(text).name]
        if not found and re.fullmatch(r"[0-9a-fA-F]{8,64}", text):
            found = [f for f in files if f.sha256.startswith(text.lower())]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(f.name for f in files[-5:]) or "none yet"
        raise InputError(
            f"No file {text!r} is in the store (its last files: {known}). Name a file as "
            "`samenspel status` lists it, by name or the start of its SHA-256."
        )
    raise InputError(
        f"{text!r} names {len(found)} files of the store ("
        + ", ".join(f"{f.name} in wave {f.wave}, sha256 {f.sha256[:12]}" for f in found)
        + "): give the start of the SHA-256 of the one you mean."
    )


def _withdraw_rows(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """Delete a file's rows from every analysis table (inside the caller's transaction)."""
    for table in ("responses", "rejects", "invalid_answers", "quality_flags"):
        con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])


def _refresh_wave(con: duckdb.DuckDBPyConnection, wave: str, instrument: Instrument) -> None:
    """After a file left ``wave``: its quality flags again, or the wave gone if it is empty
    (so that it can be ingested anew, with another questionnaire if that was the mistake)."""
    active = con.execute(
        "SELECT count(*) FROM files WHERE wave = ? AND status = 'active'", [wave]
    ).fetchall()[0][0]
    if active:
        update_quality(con, wave, instrument)
    else:
        con.execute("DELETE FROM waves WHERE wave = ?", [wave])


def retract_file(
    con: duckdb.DuckDBPyConnection, which: str | Path, reason: str, instrument: Instrument
) -> tuple[StoredFile, bool]:
    """Withdraw an ingested file from every analysis, in one transaction: its rows leave the
    responses, rejects, invalid answers and quality flags; the file record (status
    ``retracted``, ``reason``, time) and the kept raw copy stay. Returns the file and whether
    anything changed (retracting a retracted file changes nothing)."""
    if not reason.strip():
        raise InputError('Say why the file is withdrawn: --reason "..." (kept in the store).')
    stored = find_file(con, which)
    if stored.status != "active":
        return stored, False
    _check_wave_instrument(con, stored.wave, instrument)
    con.execute("BEGIN TRANSACTION")
    try:
        _withdraw_rows(con, stored.file_id)
        con.execute(
            "UPDATE files SET status = 'retracted', status_reason = ?, status_at = ? "
            "WHERE file_id = ?",
            [reason.strip(), datetime.now(UTC), stored.file_id],
        )
        _refresh_wave(con, stored.wave, instrument)
        con.execute("COMMIT")
    except BaseException:
        rollback_quietly(con)
        raise
    return stored, True


def _check_wave_instrument(con, wave: str, instrument: Instrument) -> None:
    registered = con.execute("SELECT instrument_hash FROM waves WHERE wave = ?", [wave]).fetchall()
    if registered and registered[0][0] != instrument.content_hash:
        raise InputError(
            f"Wave {wave} was ingested with another questionnaire (hash {registered[0][0][:12]}) "
            f"than {instrument.source} ({instrument.content_hash[:12]}); give that "
            "questionnaire with --instrument."
        )


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    wave: str,
    instrument: Instrument,
    areas: AreaRegistry,
    replaces: str | Path | None = None,
) -> IngestReport:
    """Ingest one survey export for ``wave`` in one transaction; see the module docstring.

    ``replaces``: an earlier file of the same wave (see :func:`find_file`) that this one
    corrects. In the same transaction the old file's rows leave the analysis (its record and
    raw copy stay, status ``replaced``), so the corrected rows are not duplicates of them.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Cannot read {path}: no such file. Check the path of the export file.")
    check_wave_id(wave)
    old = None
    if replaces is not None:
        old = find_file(con, replaces)
        if old.wave != wave:
            raise InputError(
                f"{old.name} belongs to wave {old.wave}, not {wave}: a corrected file replaces "
                "a file of its own wave."
            )
        if old.status == "replaced" and old.replaced_by is not None:
            newer = con.execute(
                "SELECT sha256 FROM files WHERE file_id = ?", [old.replaced_by]
            ).fetchall()
            if newer and newer[0][0] == sha256_of(path):
                report = IngestReport(str(path), newer[0][0], wave, already_ingested=True)
                report.replaced = old.name
                return report  # the same correction again: nothing to do
        if old.status != "active":
            raise InputError(
                f"{old.name} is {old.status} already; `samenspel status` shows the store's "
                "files. Ingest the corrected file on its own, or replace the active file."
            )
    raw = raw_folder(con)
    clock = time.perf_counter()
    staged = stage_file(raw, path)
    try:
        report = _check_file(con, path, staged.sha256, wave, instrument)
        if not report.already_ingested:
            key, report.key_created = store_key(con)
    except BaseException:
        staged.discard()
        raise
    report.lap("copy and hash", clock)
    if report.already_ingested:
        staged.discard()
        return report
    registered = con.execute("SELECT instrument_hash FROM waves WHERE wave = ?", [wave]).fetchall()
    registered = registered[0][0] if registered else None
    sha256 = staged.sha256
    created = False
    try:
        created = staged.keep()
        con.execute("BEGIN TRANSACTION")
        kept = kept_path(raw, sha256)
        if old is not None:
            old_keys = con.execute(
                "SELECT submission_id, respondent FROM responses WHERE file_id = ?",
                [old.file_id],
            ).df()
            _withdraw_rows(con, old.file_id)
        _ingest_kept(con, kept, path, staged.size, report, registered, instrument, areas, key)
        if old is not None:
            _record_replacement(con, old, report, old_keys)
        if stored_fingerprint(con) is None:
            record_fingerprint(con, fingerprint(key))
        clock = time.perf_counter()
        con.execute("COMMIT")
        report.lap("commit", clock)
    except BaseException as exc:
        rollback_quietly(con)
        staged.discard()
        if created:
            forget_file(raw, sha256)
        if is_disk_full(exc):
            raise InputError(
                f"The disk of the store ({raw.parent}) is full: {path.name} was not ingested and "
                "the store is as it was. Free some space and ingest the file again."
            ) from None
        raise
    return report


def _record_replacement(con, old: StoredFile, report: IngestReport, old_keys) -> None:
    """Mark ``old`` as replaced by the file just ingested, and count how its rows match."""
    (new_id,) = con.execute("SELECT max(file_id) FROM files").fetchall()[0]
    con.execute(
        "UPDATE files SET status = 'replaced', replaced_by = ?, status_reason = ?, "
        "status_at = ? WHERE file_id = ?",
        [new_id, f"corrected by {Path(report.file).name}", datetime.now(UTC), old.file_id],
    )
    new = con.execute(
        "SELECT submission_id, respondent FROM responses WHERE file_id = ?", [new_id]
    ).df()
    by_submission = new["submission_id"].ne("") & new["submission_id"].isin(
        old_keys["submission_id"][old_keys["submission_id"] != ""]
    )
    by_respondent = ~by_submission & new["respondent"].isin(old_keys["respondent"])
    report.replaced = old.name
    report.matched = int((by_submission | by_respondent).sum())
    kept_old = old_keys["submission_id"].isin(new["submission_id"][new["submission_id"] != ""])
    kept_old |= old_keys["respondent"].isin(new["respondent"])
    report.dropped = int((~kept_old).sum())


def store_key(con: duckdb.DuckDBPyConnection) -> tuple[bytes, Path | None]:
    """The pseudonym key to ingest with, and the path of a key created now (else None).

    A store that has recorded a key's fingerprint takes that key only. A new key is created
    only for a store without any data and without a fingerprint, when no key file exists.
    """
    recorded = stored_fingerprint(con)
    path = key_path()
    created = None
    if recorded is None and not path.exists() and not _has_rows(con):
        created = create_key(path)
    key = read_key(path)
    if recorded is not None and fingerprint(key) != recorded:
        raise InputError(
            f"The pseudonym key in {path} (fingerprint {fingerprint(key)}) is not the key this "
            f"store was built with (fingerprint {recorded}): its respondents would all look new. "
            "Restore that key file from your backup (`samenspel key fingerprint` shows a key "
            "file's fingerprint), or ingest into a new store."
        )
    return key, created


def _has_rows(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM files").fetchall()[0][0])


WAVE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def check_wave_id(wave: str) -> None:
    """Wave ids are plain: letters, digits, '.', '_' and '-' (they name files and columns)."""
    if not WAVE_ID_PATTERN.fullmatch(wave):
        raise InputError(
            f"The wave id {wave!r} is not allowed: use letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, at most 40 characters (e.g. 2026 or 2026-spring)."
        )


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back; after a failed COMMIT DuckDB has rolled back already and says so."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def is_disk_full(exc: BaseException) -> bool:
    """True for 'no space left on device', as an OSError or inside a DuckDB error."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return isinstance(exc, duckdb.Error) and "No space left on device" in str(exc)


def _check_file(con, path: Path, sha256: str, wave: str, instrument: Instrument) -> IngestReport:
    """The report so far: already ingested, or refused for a wave of another instrument."""
    report = IngestReport(str(path), sha256, wave)
    known = con.execute("SELECT wave, name FROM files WHERE sha256 = ?", [sha256]).fetchall()
    if known:
        report.already_ingested = True
        if known[0][0] != wave:
            report.problems.append(
                Problem(
                    Level.WARNING,
                    "wrong-wave",
                    str(path),
                    f"this file is already in the store as wave {known[0][0]} "
                    f"(name {known[0][1]}); nothing changed",
                    "a file belongs to one wave; ingest another file for this wave",
                )
            )
        return report
    registered = con.execute("SELECT instrument_hash FROM waves WHERE wave = ?", [wave]).fetchall()
    if registered and registered[0][0] != instrument.content_hash:
        raise ProblemsFound(
            [
                Problem(
                    Level.ERROR,
                    "wrong-wave",
                    f"{path}",
                    f"wave {wave} was ingested with another instrument version "
                    f"(hash {registered[0][0][:12]}), this one is {instrument.content_hash[:12]}",
                    "ingest with the instrument file of that wave, or use a new wave id",
                )
            ]
        )
    return report


def _ingest_kept(con, kept, path, size, report, registered, instrument, areas, key) -> None:
    """Steps 2-5 of the module docstring for the kept copy ``kept`` of ``path``, inside the
    caller's transaction: read and map the columns, screen for personal data, pseudonymise
    and classify the rows, then write them, the rejects, the file record and the quality."""
    clock = time.perf_counter()
    extracted, problems, (file_format, encoding) = _read_export(
        con, kept, path.name, instrument, report
    )
    clock = report.lap("read", clock)
    frame = extracted.frame
    frame["respondent"] = pseudonymise(frame["respondent"], key)
    known_submissions = con.execute("SELECT DISTINCT submission_id FROM responses").df()
    known_respondents = con.execute(
        "SELECT DISTINCT respondent FROM responses WHERE wave = ?", [report.wave]
    ).df()
    clock = report.lap("pseudonymise", clock)
    reason, detail = classify_rows(
        frame, instrument, areas, known_submissions["submission_id"],
        known_respondents["respondent"],
    )  # fmt: skip
    _screen_rows(frame, extracted, path.name, problems)
    accepted = (reason == "").to_numpy()
    sides = {float(r.code): (r.side or r.id) for r in instrument.roles.values()}
    side = frame["role"].map(sides) if "role" in frame else pd.Series(None, index=frame.index)
    clock = report.lap("classify", clock)
    wave = report.wave
    ensure_item_columns(con, instrument)
    if not registered:
        con.execute(
            "INSERT INTO instruments VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [instrument.content_hash, instrument.id, instrument.version,
             Path(instrument.source).read_text(encoding="utf-8")],
        )  # fmt: skip
        con.execute("INSERT INTO waves VALUES (?, ?)", [wave, instrument.content_hash])
    file_id = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM files").fetchall()[0][0]
    wave_had_rows = bool(
        con.execute("SELECT count(*) FROM responses WHERE wave = ?", [wave]).fetchall()[0][0]
    )
    _write_responses(con, frame, accepted, file_id, wave, sides, instrument)
    rejects = _rejects(frame, accepted, reason, detail, side, extracted, file_id, wave, areas)
    insert_frame(con, "rejects", rejects, REJECT_COLUMNS)
    clock = report.lap("store", clock)
    report.rows_read = extracted.rows_read
    report.accepted = int(accepted.sum())
    report.rejected = {k: int(v) for k, v in rejects["reason"].value_counts().items()}
    if report.accepted + report.rejected_total != report.rows_read:
        raise RuntimeError(
            f"internal error: {report.accepted} accepted + {report.rejected_total} rejected "
            f"!= {report.rows_read} rows read in {path.name}"
        )
    # Invalid answers of accepted rows only: a rejected row is not analysed at all.
    invalid = extracted.invalid_answers
    invalid = invalid[invalid["row_number"].isin(frame["row_number"][accepted])]
    invalid = invalid.assign(file_id=file_id, wave=wave)
    insert_frame(con, "invalid_answers", invalid, INVALID_ANSWER_COLUMNS)
    report.invalid_answers = invalid["item"].value_counts().sort_index().to_dict()
    registry_text = Path(areas.source).read_text(encoding="utf-8")
    registry_hash = hashlib.sha256(registry_text.encode("utf-8")).hexdigest()
    con.execute(
        "INSERT INTO registries VALUES (?, ?) ON CONFLICT DO NOTHING",
        [registry_hash, registry_text],
    )
    values = {
        "file_id": file_id, "name": path.name, "sha256": report.sha256, "size": size,
        "format": file_format, "encoding": encoding, "wave": wave,
        "simulated": _is_simulated(path, report.sha256), "ingested_at": datetime.now(UTC),
        "rows_read": report.rows_read, "accepted": report.accepted,
        "rejected": report.rejected_total, "registry_hash": registry_hash, "status": "active",
    }  # fmt: skip
    insert_frame(con, "files", pd.DataFrame([values]), values)
    if wave_had_rows:
        update_quality(con, wave, instrument)
    else:  # the wave is this file: its rows are in memory already
        rows = frame.loc[accepted, [c for c in frame.columns if not c.startswith("_")]]
        rows["file_id"] = file_id
        rows["wave"] = wave
        rows["side"] = side[accepted]
        update_quality(con, wave, instrument, rows)
    report.lap("quality", clock)


def _read_export(con, kept: Path, name: str, instrument: Instrument, report: IngestReport):
    """Step 2: the kept copy read and its columns mapped to item codes. Returns the extracted
    rows, the problems so far and (format, encoding); raises :class:`ProblemsFound` for a
    file that cannot be mapped or that has a column of direct identifiers."""
    table = load_raw(con, kept, name)
    try:
        report.format, report.encoding = table.format, table.encoding
        mapping, problems = map_columns(table.headers, instrument, name)
        problems += _label_problems(table, mapping, instrument, name)
        report.problems = problems
        if any(p.level is Level.ERROR for p in problems):
            raise ProblemsFound(problems)
        extracted = extract_rows(con, table, mapping, instrument)
    finally:
        table.close()
        drop_quietly(con, RAW_TABLE)
    problems += _identifying_problems(table, extracted, name)
    if any(p.level is Level.ERROR for p in problems):
        raise ProblemsFound(problems)
    return extracted, problems, (table.format, table.encoding)


def _screen_rows(frame: pd.DataFrame, extracted, name: str, problems: list[Problem]) -> None:
    """Step 3 for the cells: an e-mail address or phone number in a text cell of any row, or
    in a record that could not be parsed, refuses the whole file, naming the rows."""
    flagged = frame["_identifying"] != ""
    found = list(
        zip(frame["row_number"][flagged].astype(int), frame["_identifying"][flagged], strict=True)
    )
    found += [
        (reject.row_number, kind)
        for reject in extracted.parse_rejects
        if (kind := _identifying_text(reject.line))
    ]
    if not found:
        return
    listed = [f"row {r}: {w}" for r, w in sorted(found)]
    more = len(listed) - MAX_LISTED
    raise ProblemsFound(
        [
            *problems,
            Problem(
                Level.ERROR,
                "identifying-data",
                f"{name}: " + "; ".join(listed[:MAX_LISTED])
                + (f"; and {more} more rows" if more > 0 else ""),
                f"{len(found)} of {extracted.rows_read} rows hold an e-mail address "
                "or phone number; the file was not stored",
                "remove these values from the export and ingest the file again",
            ),
        ]
    )  # fmt: skip


def _write_responses(con, frame, accepted, file_id: int, wave: str, sides, instrument) -> None:
    """Step 5 for the accepted rows: inserted straight from the scanned frame (no copy of
    1.2 million rows); file, wave and side are written by SQL."""
    items = [c for c in frame.columns if c in instrument.item_codes]
    side_sql = (
        "CASE role "
        + " ".join(f"WHEN {code} THEN {_quote(name)}" for code, name in sides.items())
        + " END"
        if "role" in frame
        else "NULL"
    )
    frame["_accepted"] = accepted
    item_list = ", ".join(f'"{c}"' for c in items)
    con.register("incoming", frame)
    try:
        con.execute(
            "INSERT INTO responses (file_id, row_number, wave, submission_id, respondent, side, "
            f"started, ended, submitted, {item_list}) "
            f"SELECT {int(file_id)}, row_number, {_quote(wave)}, submission_id, respondent, "
            f"{side_sql}, started, ended, submitted, {item_list} FROM incoming WHERE _accepted"
        )
    finally:
        con.unregister("incoming")


def _rejects(frame, accepted, reason, detail, side, extracted, file_id, wave, areas):
    """Step 4's rejects, unparseable records first, in row order (:data:`REJECT_COLUMNS`)."""
    rejected = ~accepted
    area = frame["area"] if "area" in frame else pd.Series("", index=frame.index)
    classified = pd.DataFrame(
        {
            "file_id": file_id, "row_number": frame["row_number"][rejected], "wave": wave,
            "submission_id": frame["submission_id"][rejected], "reason": reason[rejected],
            "detail": detail[rejected],
            "area": area[rejected].where(area[rejected].isin(areas.ids), None),
            "side": side[rejected],
        }
    )  # fmt: skip
    malformed = pd.DataFrame(
        {
            "file_id": file_id, "row_number": [r.row_number for r in extracted.parse_rejects],
            "wave": wave, "submission_id": "", "reason": "malformed-row",
            "detail": [r.message for r in extracted.parse_rejects], "area": None, "side": None,
        }
    )  # fmt: skip
    rejects = pd.concat([malformed, classified], ignore_index=True)[list(REJECT_COLUMNS)]
    return rejects.sort_values("row_number", kind="stable")


def update_quality(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    instrument: Instrument,
    responses: pd.DataFrame | None = None,
) -> int:
    """Recompute the data-quality flags of ``wave`` (medians and distances are per wave).

    ``responses`` may hold the wave's accepted rows when they are already in memory.
    Returns the number of flagged responses.
    """
    if responses is None:
        responses = con.execute("SELECT * FROM responses WHERE wave = ?", [wave]).df()
    flags = quality_flags(responses, instrument)
    con.execute("DELETE FROM quality_flags WHERE wave = ?", [wave])
    insert_frame(con, "quality_flags", flags, QUALITY_COLUMNS)
    return int(flags["flag_any"].sum())


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


def load_invalid_answers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every answer stored as missing: file name, row, wave, item and the problem."""
    return con.execute(
        "SELECT f.name AS file, i.row_number, i.wave, i.item, i.problem "
        "FROM invalid_answers i JOIN files f USING (file_id) "
        "ORDER BY i.file_id, i.row_number, i.item"
    ).df()


def load_rejects(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every rejected row with its file name, reason and detail."""
    query = (
        "SELECT f.name AS file, r.* FROM rejects r JOIN files f USING (file_id) "
        "ORDER BY r.wave, r.file_id, r.row_number"
    )
    return pd.DataFrame(con.execute(query).fetchnumpy())


__all__ = [
    "META_COLUMNS",
    "REJECT_REASONS",
    "IngestReport",
    "classify_rows",
    "ingest_file",
    "load_rejects",
    "load_responses",
    "map_columns",
    "store_key",
]
