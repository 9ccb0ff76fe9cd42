"""Read a survey export of any supported format into a DuckDB table of text columns.

    table = load_raw(con, kept_path, "kobo_2025.csv")   # RawTable; data in table.name

Formats (:data:`FORMATS`), detected from the bytes and the header, never from the file name:

``kobo-csv``    KoboToolbox CSV: ``;``, every field quoted, XML names, with or without group
                prefixes (``tru/tru1``), system columns ``_uuid``, ``_submission_time``, ...
``kobo-xlsx``   the same as an Excel workbook (first sheet)
``odk-csv``     ODK Central CSV: ``,``, ``-`` as group separator (``tru-tru1``),
                ``SubmissionDate``, ``meta-instanceID``, ``KEY``
``spss-sav``    SPSS ``.sav`` (or ``.zsav``) with value labels; user-missing codes are kept
``plain-csv``   paper data entry saved from Excel: ``;`` or ``,`` or tab, decimal comma,
                UTF-8 (with or without BOM), UTF-16 or Windows-1252
``plain-xlsx``  paper data entry as an Excel workbook (first sheet)

Every cell arrives as text (NULL when blank), in columns ``c0``, ``c1``, ... in file order;
:attr:`RawTable.headers` holds the names as written. CSV files are parsed by DuckDB's own
reader (fast enough for a national export); a record with too few or too many fields is kept
as a *parse reject* with its row number instead of stopping the file. Rows without any value
in a spreadsheet are not records and are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from samenspel.instrument.problems import InputError

FORMATS = ("kobo-csv", "kobo-xlsx", "odk-csv", "spss-sav", "plain-csv", "plain-xlsx")
KOBO_SIGNS = {"_uuid", "_submission_time", "_id", "_index", "_status", "__version__"}
ODK_SIGNS = {"submissiondate", "key", "meta-instanceid", "reviewstate", "submitterid"}
SEPARATORS = (";", ",", "\t")
ZIP_MAGIC = b"PK\x03\x04"
SAV_MAGIC = (b"$FL2", b"$FL3")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
RAW_TABLE = "ingest_raw"
REJECT_ERRORS = "ingest_reject_errors"
REJECT_SCANS = "ingest_reject_scans"


@dataclass
class RawTable:
    """A file loaded as text: where the cells are and what the reader learnt on the way."""

    format: str
    encoding: str
    headers: list[str]
    name: str = RAW_TABLE  # DuckDB temp table with columns c0..cN and the record order
    records: int = 0  # records parsed into the table
    row_numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    parse_rejects: list[tuple[int, str]] = field(default_factory=list)  # (row, message)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return self.records + len(self.parse_rejects)


def column_name(position: int) -> str:
    return f"c{position}"


def load_raw(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> RawTable:
    """Detect the format of the file at ``path`` and load it into a temp table of ``con``.

    ``name`` is the file name shown in messages. Raises :class:`InputError` when the file is
    empty, not a table, or of a format samenspel does not read.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise InputError(f"{name} is empty. Export the survey data again; nothing was stored.")
    if head.startswith(ZIP_MAGIC):
        return _load_xlsx(con, path, name)
    if head.startswith(SAV_MAGIC):
        return _load_sav(con, path, name)
    if head.startswith(OLE_MAGIC):
        raise InputError(
            f"{name} is an old Excel .xls workbook. Open it in Excel or LibreOffice and save it "
            "as .xlsx (Excel workbook) or CSV, then ingest that file."
        )
    return _load_csv(con, path, name, head)


def csv_format(headers: list[str]) -> str:
    lowered = {h.strip().lower() for h in headers}
    if lowered & KOBO_SIGNS:
        return "kobo-csv"
    if lowered & ODK_SIGNS:
        return "odk-csv"
    return "plain-csv"


def _encoding(path: Path, head: bytes) -> str:
    """utf-8 (also with BOM), utf-16 (with BOM) or cp1252: the first that decodes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        if b"\x00" in head:
            raise InputError(
                f"{os.path.basename(path)} holds binary data, not text. Export the survey as "
                "CSV, XLSX or SPSS .sav."
            ) from None
        return "cp1252"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _cp1252(data: bytes) -> str:
    # Five byte values are undefined in Windows-1252; then read the file as Latin-1.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _header(text: str, name: str) -> tuple[list[str], str]:
    first = text.splitlines()[0] if text.splitlines() else ""
    counts = {}
    for separator in SEPARATORS:
        inside = False
        count = 0
        for char in first:
            if char == '"':
                inside = not inside
            elif char == separator and not inside:
                count += 1
        counts[separator] = count
    separator = max(SEPARATORS, key=lambda s: counts[s])
    if counts[separator] == 0:
        raise InputError(
            f"{name}: the first line has no ';', ',' or tab between column names, so it is not a "
            "table samenspel can read. Export the survey as CSV with a header row of item codes."
        )
    try:
        headers = next(csv.reader(io.StringIO(text), delimiter=separator, quotechar='"'))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"{name}: the header row cannot be read ({exc}).") from None
    return [h.strip() for h in headers], separator


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, head: bytes) -> RawTable:
    encoding = _encoding(path, head)
    source = path
    tmpdir = None
    try:
        if encoding in ("utf-8", "utf-8-sig"):
            text_head = head.decode("utf-8-sig", errors="ignore")
        else:
            # DuckDB reads UTF-8; write a UTF-8 copy of the (small, hand-made) file to parse.
            data = path.read_bytes()
            text = data.decode("utf-16") if encoding == "utf-16" else _cp1252(data)
            tmpdir = tempfile.TemporaryDirectory(prefix="samenspel-")
            source = Path(tmpdir.name) / "utf8.csv"
            source.write_text(text, encoding="utf-8", newline="")
            text_head = text[: 1 << 16]
        headers, separator = _header(text_head, name)
        columns = {column_name(i): "VARCHAR" for i in range(len(headers))}
        for table in (REJECT_ERRORS, REJECT_SCANS):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        try:
            con.execute(
                f"CREATE TEMP TABLE {RAW_TABLE} AS SELECT * FROM read_csv(?, delim = ?, "
                "quote = '\"', escape = '\"', header = true, auto_detect = false, "
                "columns = ?, store_rejects = true, "
                f"rejects_table = '{REJECT_ERRORS}', rejects_scan = '{REJECT_SCANS}', "
                "strict_mode = true, null_padding = false, max_line_size = 4194304)",
                [str(source), separator, columns],
            )
        except duckdb.Error as exc:
            raise InputError(
                f"{name} cannot be read as a CSV table: {str(exc).splitlines()[0]}. Check that "
                f"it is a CSV export with '{separator}' between fields and '\"' around text."
            ) from None
        # DuckDB may log several errors for one record (one per missing column): one each.
        rejects = con.execute(
            f"SELECT line, first(error_type ORDER BY column_idx), "
            f"first(error_message ORDER BY column_idx) FROM {REJECT_ERRORS} "
            "GROUP BY line ORDER BY line"
        ).fetchall()
        for table in (REJECT_ERRORS, REJECT_SCANS):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()
    records = con.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchall()[0][0]
    parse_rejects = [(int(line), f"{kind.lower()}: {message}") for line, kind, message in rejects]
    # Parse rejects are skipped records: the good records are the remaining ordinals.
    rejected_ordinals = np.array([line - 1 for line, _ in parse_rejects], dtype=np.int64)
    ordinals = np.setdiff1d(
        np.arange(1, records + len(parse_rejects) + 1, dtype=np.int64), rejected_ordinals
    )[:records]
    return RawTable(
        format=csv_format(headers),
        encoding=encoding,
        headers=headers,
        records=records,
        row_numbers=ordinals + 1,  # the header is row 1
        parse_rejects=parse_rejects,
    )


def cell_text(value) -> str | None:
    """A spreadsheet or SPSS cell as export text: whole numbers without '.0', ISO dates."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, datetime | date | time | pd.Timestamp):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _load_frame(
    con: duckdb.DuckDBPyConnection, rows: list[list], headers: list[str], row_numbers: list[int]
) -> int:
    columns = [column_name(i) for i in range(len(headers))]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    select = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
    con.register("ingest_frame", frame)
    try:
        con.execute(f"CREATE TEMP TABLE {RAW_TABLE} AS SELECT {select} FROM ingest_frame")
    finally:
        con.unregister("ingest_frame")
    return len(frame)


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> RawTable:
    from openpyxl import load_workbook  # imported here: only spreadsheet files need it

    # A file object: given a path, openpyxl insists on an .xlsx file name.
    handle = open(path, "rb")  # noqa: SIM115  (closed in the finally below)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:
        handle.close()  # openpyxl raises many types for a damaged workbook
        raise InputError(
            f"{name} is a ZIP file but not a readable Excel workbook ({type(exc).__name__}: "
            f"{exc}). Save it again from Excel as .xlsx, or export CSV."
        ) from None
    try:
        sheet = book.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header_row = next(iterator, None)
        if header_row is None or all(cell_text(v) is None for v in header_row):
            raise InputError(
                f"{name}: the first sheet has no header row. Put the item codes in row 1 of "
                "the first sheet."
            )
        headers = [cell_text(v) or "" for v in header_row]
        while headers and headers[-1] == "":
            headers.pop()
        width = len(headers)
        rows, numbers, parse_rejects = [], [], []
        for number, row in enumerate(iterator, start=2):
            cells = [cell_text(v) for v in row]
            if all(c is None for c in cells):
                continue
            extra = [c for c in cells[width:] if c is not None]
            if extra:
                parse_rejects.append(
                    (number, f"too many columns: {len(cells)} cells, header has {width}")
                )
                continue
            cells = (cells + [None] * width)[:width]
            rows.append(cells)
            numbers.append(number)
    finally:
        book.close()
        handle.close()
    records = _load_frame(con, rows, headers, numbers)
    lowered = {h.strip().lower() for h in headers}
    return RawTable(
        format="kobo-xlsx" if lowered & KOBO_SIGNS else "plain-xlsx",
        encoding="xlsx",
        headers=[h.strip() for h in headers],
        records=records,
        row_numbers=np.array(numbers, dtype=np.int64),
        parse_rejects=parse_rejects,
    )


def _load_sav(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> RawTable:
    import pyreadstat  # imported here: only SPSS files need it

    try:
        # user_missing keeps 'weet niet' (8, 98, 998) as codes instead of turning them blank.
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own error types for damaged files
        raise InputError(
            f"{name} looks like an SPSS file but cannot be read ({exc}). Save it again from "
            "SPSS as .sav."
        ) from None
    headers = [str(c) for c in frame.columns]
    rows = [[cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    numbers = list(range(2, len(rows) + 2))
    records = _load_frame(con, rows, headers, numbers)
    labels = {
        str(k): {float(code): str(text) for code, text in v.items() if _is_number(code)}
        for k, v in (meta.variable_value_labels or {}).items()
    }
    return RawTable(
        format="spss-sav",
        encoding=meta.file_encoding or "sav",
        headers=headers,
        records=records,
        row_numbers=np.array(numbers, dtype=np.int64),
        value_labels=labels,
    )


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
