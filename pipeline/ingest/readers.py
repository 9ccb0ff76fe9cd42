"""Read a survey export of any supported format, record by record, with DuckDB.

    table = load_raw(con, kept_path, "kobo_2025.csv")         # RawTable: format, header
    columns, row_numbers, rejects = scan(con, table, numeric, select)

Formats (:data:`FORMATS`), detected from the bytes and the header, never from the file name:

``kobo-csv``    KoboToolbox CSV: ``;``, every field quoted, XML names, with or without group
                prefixes (``tru/tru1``), system columns ``_uuid``, ``_submission_time``, ...
``kobo-xlsx``   the same as an Excel workbook (first sheet)
``odk-csv``     ODK Central CSV: ``,``, ``-`` as group separator (``tru-tru1``),
                ``SubmissionDate``, ``meta-instanceID``, ``KEY``
``odk-zip``     ODK Central's standard download: a ZIP holding the form's CSV (read), the
                CSVs of repeat groups and the media folder (both not read)
``spss-sav``    SPSS ``.sav`` (or ``.zsav``) with value labels; user-missing codes are kept
``plain-csv``   paper data entry saved from Excel: ``;`` or ``,`` or tab, decimal comma,
                UTF-8 (with or without BOM), UTF-16 or Windows-1252; Windows, Unix or old
                Mac (CR only) line ends
``plain-xlsx``  paper data entry as an Excel workbook (first sheet)

Reading is two steps: :func:`load_raw` detects the format and reads the header (a
spreadsheet or SPSS file is loaded into a temp table of text cells); :func:`scan` then runs
one SELECT over the records, in file order, with the item columns typed as numbers. Columns
are named ``c0``, ``c1``, ... in file order; :attr:`RawTable.headers` holds the names as
written. CSV files are scanned by DuckDB's own reader straight from the file, which parses
the numbers itself (a national export of 1.2 million rows in seconds, no table of 100
million text cells). The decimal mark is taken from the first rows (',' in a ';'-separated
file that writes 2,5; otherwise '.'). A record that cannot be used as it stands is a *parse
reject* with its row number, never a stop: wrong field count, or text that is not a number
in an item column. Rows without any value in a spreadsheet are not records and are skipped;
in a CSV file a record of only separators is a record (of blanks).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from samenspel.common.problems import InputError

FORMATS = (
    "kobo-csv", "kobo-xlsx", "odk-csv", "odk-zip", "spss-sav", "plain-csv", "plain-xlsx"
)  # fmt: skip
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
class ParseReject:
    """A record the reader could not take apart (a wrong number of fields).

    ``message`` says what kind of problem it is and never quotes the record (see
    :mod:`.ingest` on free text); ``line`` holds the text only to look for identifiers
    before the file is stored.
    """

    row_number: int
    message: str
    line: str = ""  # the record as text, to look for identifiers


@dataclass
class RawTable:
    """A file ready to scan: its header, and where its cells are.

    CSV files are scanned straight from the file by DuckDB's reader (``source``); other
    formats are loaded into the temp table :data:`RAW_TABLE` (one row per record, text cells).
    """

    format: str
    encoding: str
    headers: list[str]
    name: str = "the file"  # the file name shown in messages
    source: Path | None = None
    separator: str = ";"
    decimal: str = "."
    row_numbers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    parse_rejects: list[ParseReject] = field(default_factory=list)
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    # Folders of copies made to read the file (a file unpacked from a ZIP, a UTF-8 copy).
    workdirs: list[tempfile.TemporaryDirectory] = field(default_factory=list)

    def close(self) -> None:
        for workdir in self.workdirs:
            workdir.cleanup()
        self.workdirs = []


def drop_quietly(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop work tables; after a failed statement the rollback removes them instead."""
    for table in tables:
        try:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        except duckdb.TransactionException:
            return


def column_name(position: int) -> str:
    return f"c{position}"


def load_raw(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> RawTable:
    """Detect the format of the file at ``path``; load a spreadsheet or SPSS file into a temp
    table of ``con``, or get a CSV file ready to scan (see :func:`scan`).

    ``name`` is the file name shown in messages. Raises :class:`InputError` when the file is
    empty, not a table, or of a format samenspel does not read.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip():
        raise InputError(f"{name} is empty. Export the survey data again; nothing was stored.")
    if head.startswith(ZIP_MAGIC):
        if _is_workbook(path):
            return _load_xlsx(con, path, name)
        return _open_zipped_csv(path, name)
    if head.startswith(SAV_MAGIC):
        return _load_sav(con, path, name)
    if head.startswith(OLE_MAGIC):
        raise InputError(
            f"{name} is an old Excel .xls workbook. Open it in Excel or LibreOffice and save it "
            "as .xlsx (Excel workbook) or CSV, then ingest that file."
        )
    return _open_csv(path, name, head)


def csv_format(headers: list[str]) -> str:
    lowered = {h.strip().lower() for h in headers}
    if lowered & KOBO_SIGNS:
        return "kobo-csv"
    if lowered & ODK_SIGNS:
        return "odk-csv"
    return "plain-csv"


def _encoding(path: Path, head: bytes, name: str) -> str:
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
                f"{name} holds binary data, not text. Export the survey as CSV, XLSX or SPSS .sav."
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


def _is_workbook(path: Path) -> bool:
    """An .xlsx workbook is a ZIP with a content-types part; ODK's download is not."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return True  # let the workbook reader say what is wrong with it


def _open_zipped_csv(path: Path, name: str) -> RawTable:
    """The form's CSV in ODK Central's ZIP download: the CSV at the top of the archive whose
    name the other CSVs (repeat groups, ``<form>-<group>.csv``) start with."""
    try:
        with zipfile.ZipFile(path) as archive:
            tables = [n for n in archive.namelist() if n.lower().endswith(".csv") and "/" not in n]
            main = [n for n in tables if all(t.startswith(n[:-4]) for t in tables)]
            if not main:
                raise InputError(
                    f"{name} is a ZIP file with no CSV export inside"
                    + (f" that the others belong to (found {', '.join(tables)})" if tables else "")
                    + ". Ingest ODK Central's download as it is, or the CSV export itself."
                )
            workdir = tempfile.TemporaryDirectory(prefix="samenspel-")
            source = Path(workdir.name) / "export.csv"
            source.write_bytes(archive.read(main[0]))
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{name} is a damaged ZIP file ({exc}); download it again.") from None
    table = _open_csv(source, name, source.read_bytes()[: 1 << 16])
    table.workdirs.append(workdir)
    table.format = "odk-zip"
    return table


def _open_csv(path: Path, name: str, head: bytes) -> RawTable:
    encoding = _encoding(path, head, name)
    if b"\r" in head and b"\n" not in head:  # old Mac line ends (CR only)
        return _utf8_copy(path, name, encoding, old_mac=True)
    if encoding in ("utf-8", "utf-8-sig"):
        text = head.decode("utf-8-sig", errors="ignore")
        headers, separator = _header(text, name)
        return RawTable(
            csv_format(headers), encoding, headers, name, source=path, separator=separator,
            decimal=_decimal_mark(text, separator),
        )  # fmt: skip
    return _utf8_copy(path, name, encoding)


def _utf8_copy(path: Path, name: str, encoding: str, old_mac: bool = False) -> RawTable:
    """DuckDB reads UTF-8 with LF or CRLF line ends: a converted copy of a (small, hand-made)
    file to parse."""
    data = path.read_bytes()
    if encoding == "utf-16":
        text = data.decode("utf-16")
    elif encoding in ("utf-8", "utf-8-sig"):
        text = data.decode("utf-8-sig")
    else:
        text = _cp1252(data)
    if old_mac:
        text = text.replace("\r", "\n")
    workdir = tempfile.TemporaryDirectory(prefix="samenspel-")
    source = Path(workdir.name) / "utf8.csv"
    source.write_text(text, encoding="utf-8", newline="")
    headers, separator = _header(text[: 1 << 16], name)
    return RawTable(
        csv_format(headers), encoding, headers, name, source=source, separator=separator,
        decimal=_decimal_mark(text[: 1 << 16], separator), workdirs=[workdir],
    )  # fmt: skip


COMMA_NUMBER = re.compile(r"^-?\d+,\d+$")
POINT_NUMBER = re.compile(r"^-?\d+\.\d+$")


def _decimal_mark(text: str, separator: str) -> str:
    """',' when the file's first rows write numbers with a decimal comma (Dutch Excel)."""
    if separator == ",":
        return "."
    try:
        fields = [f.strip() for row in csv.reader(io.StringIO(text), delimiter=separator)
                  for f in row]  # fmt: skip
    except csv.Error:
        return "."
    commas = sum(bool(COMMA_NUMBER.match(f)) for f in fields)
    points = sum(bool(POINT_NUMBER.match(f)) for f in fields)
    return "," if commas > points else "."


COLUMN_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def number_sql(column: str, table: RawTable) -> str:
    """SQL for the number in a text cell, NULL where it holds none. In a CSV file a number
    written with the other decimal mark than the file's is not a number; cells of other
    formats (XLSX, SPSS) are numbers already and take either mark."""
    text = f"trim({column})"
    if table.source is None:
        return f"TRY_CAST(replace({text}, ',', '.') AS DOUBLE)"
    other = "." if table.decimal == "," else ","
    number = f"replace({text}, ',', '.')" if table.decimal == "," else text
    return f"CASE WHEN contains({text}, '{other}') THEN NULL ELSE TRY_CAST({number} AS DOUBLE) END"


def scan(
    con: duckdb.DuckDBPyConnection, table: RawTable, select: list[str]
) -> tuple[dict[str, np.ndarray], np.ndarray, list[ParseReject]]:
    """Run ``SELECT select`` over the file's records, in file order, as numpy arrays.

    Columns are named ``c0``, ``c1``, ...; every cell is text (:func:`number_sql` reads a
    number). A record whose field count is wrong is not in the result but in the returned
    parse rejects. Also returns the row number (header = row 1) of every result row.
    """
    if table.source is not None:
        return _scan_csv(con, table, select)
    return _scan_loaded(con, table, select)


def _scan_csv(con, table: RawTable, select: list[str]):
    columns = {column_name(i): "VARCHAR" for i in range(len(table.headers))}
    for name in (REJECT_ERRORS, REJECT_SCANS):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    try:
        result = con.execute(
            f"SELECT {', '.join(select)} FROM read_csv(?, delim = ?, quote = '\"', "
            "escape = '\"', header = true, auto_detect = false, columns = ?, "
            f"decimal_separator = ?, store_rejects = true, rejects_table = '{REJECT_ERRORS}', "
            f"rejects_scan = '{REJECT_SCANS}', strict_mode = true, null_padding = false, "
            "max_line_size = 4194304)",
            [str(table.source), table.separator, columns, table.decimal],
        ).fetchnumpy()
        errors = con.execute(
            f"SELECT line, error_type, column_idx, error_message, csv_line FROM {REJECT_ERRORS} "
            "ORDER BY line, column_idx"
        ).fetchall()
    except duckdb.Error as exc:
        raise InputError(
            f"{table.name} cannot be read as a CSV "
            f"table: {str(exc).splitlines()[0]}. Check that it is a CSV export with "
            f"'{table.separator}' between fields and '\"' around text."
        ) from None
    finally:
        drop_quietly(con, REJECT_ERRORS, REJECT_SCANS)
    rejects: dict[int, ParseReject] = {}
    for line, kind, _column, message, text in errors:
        if line in rejects:
            continue  # DuckDB may log several errors for one record; the first says enough
        counts = COLUMN_COUNTS.search(message or "")
        said = f": expected {counts[1]} fields, found {counts[2]}" if counts else ""
        rejects[line] = ParseReject(int(line), kind.lower() + said, line=text or "")
    parse_rejects = list(rejects.values())
    records = len(next(iter(result.values()))) if result else 0
    # Rejected records are skipped: the good records are the remaining ordinals.
    rejected_ordinals = np.array([r.row_number - 1 for r in parse_rejects], dtype=np.int64)
    ordinals = np.setdiff1d(
        np.arange(1, records + len(parse_rejects) + 1, dtype=np.int64), rejected_ordinals
    )[:records]
    return result, ordinals + 1, [*table.parse_rejects, *parse_rejects]


def _scan_loaded(con, table: RawTable, select: list[str]):
    result = con.execute(
        f"SELECT _rid, {', '.join(select)} FROM (SELECT _pos AS _rid, * FROM {RAW_TABLE}) "
        "ORDER BY _rid"
    ).fetchnumpy()
    rids = result.pop("_rid")
    row_numbers = table.row_numbers[np.asarray(rids, dtype=np.int64)]
    return result, row_numbers, list(table.parse_rejects)


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


def _load_frame(con: duckdb.DuckDBPyConnection, rows: list[list], headers: list[str]) -> None:
    columns = [column_name(i) for i in range(len(headers))]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    # An explicit position: rowids inside a transaction are not 0, 1, 2, ...
    frame["_pos"] = np.arange(len(frame), dtype=np.int64)
    select = ", ".join([*(f"CAST({c} AS VARCHAR) AS {c}" for c in columns), "_pos"])
    con.register("ingest_frame", frame)
    try:
        con.execute(f"CREATE TEMP TABLE {RAW_TABLE} AS SELECT {select} FROM ingest_frame")
    finally:
        con.unregister("ingest_frame")


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
                    ParseReject(
                        number,
                        f"too many columns: {len(cells)} cells, header has {width}",
                        line=";".join(c or "" for c in cells),
                    )
                )
                continue
            cells = (cells + [None] * width)[:width]
            rows.append(cells)
            numbers.append(number)
    finally:
        book.close()
        handle.close()
    _load_frame(con, rows, headers)
    lowered = {h.strip().lower() for h in headers}
    return RawTable(
        format="kobo-xlsx" if lowered & KOBO_SIGNS else "plain-xlsx",
        encoding="xlsx",
        headers=[h.strip() for h in headers],
        name=name,
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
    _load_frame(con, rows, headers)
    labels = {
        str(k): {float(code): str(text) for code, text in v.items() if _is_number(code)}
        for k, v in (meta.variable_value_labels or {}).items()
    }
    return RawTable(
        format="spss-sav",
        encoding=meta.file_encoding or "sav",
        headers=headers,
        name=name,
        row_numbers=np.array(numbers, dtype=np.int64),
        value_labels=labels,
    )


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
