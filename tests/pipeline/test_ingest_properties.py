"""Property-based tests over generated malformed files: never an unhandled exception; each
file either stops with a clear message and leaves the store untouched, or ends with
accepted + rejected = rows read, and the store holds exactly those rows."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from ingest_fixtures import areas, instrument, xlsx_bytes
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from samenspel.instrument import InputError, ProblemsFound
from samenspel.pipeline.ingest.exports import ingest_file
from samenspel.pipeline.ingest.store import open_store, raw_folder

CODES = list(instrument().item_codes)
HEADERS = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda c: f"groep/{c}"),
    st.sampled_from(CODES).map(lambda c: f"groep-{c}"),
    st.sampled_from(["_uuid", "respondent", "start", "end", "__version__", "KEY", "opmerking"]),
    st.text(max_size=6),
)
CELLS = st.one_of(
    st.sampled_from(["", "1", "2", "3", "5", "8", "9", "98", "998", "0", "-1", "11", "3,5"]),
    st.sampled_from(["2.0", "abc", "1e3", "NaN", "inf", " 4 ", "v20262", "2026.2"]),
    st.sampled_from([*areas().ids, "nergens", "AMS-OUD-NOORD"]),
    st.text(max_size=8),
)
REQUIRED = ["consent", "role", "area"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw):
    headers = draw(st.lists(HEADERS, min_size=1, max_size=10))
    if draw(st.booleans()):
        headers = REQUIRED + headers  # often a file that can be read at all
    width = len(headers)
    rows = draw(
        st.lists(
            st.integers(-2, 2).flatmap(
                lambda d: st.lists(CELLS, min_size=max(1, width + d), max_size=max(1, width + d))
            ),
            max_size=8,
        )
    )
    return headers, rows


# One store for all examples (opening a new DuckDB file each time triples the run time);
# each example is checked by what it changed.
FOLDER = tempfile.TemporaryDirectory(prefix="samenspel-properties-")
STORE = {}


@pytest.fixture(autouse=True, scope="module")
def key_file(tmp_path_factory):
    """Never touch the user's real key (module scope: hypothesis reruns the test body)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
        yield
    if "con" in STORE:
        STORE.pop("con").close()


def shared_store():
    if "con" not in STORE:
        STORE["con"] = open_store(Path(FOLDER.name) / "store.duckdb")
    return STORE["con"]


def counts(con) -> tuple[int, int, int, int]:
    raw = raw_folder(con)
    kept = len(list(raw.iterdir())) if raw.exists() else 0
    tables = ("files", "responses", "rejects")
    return (*(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables), kept)


def valid_cell(code: str) -> st.SearchStrategy[str]:
    if code == "area":
        return st.sampled_from(areas().ids)
    if code == "consent":
        return st.just("1")
    if code == "role":
        return st.sampled_from(["1", "2", "3"])
    scale = instrument().scale_of(code)
    choices = scale.valid_codes or (scale.minimum, scale.maximum)
    return st.sampled_from([str(c) for c in (*choices, *scale.missing_codes)] + [""])


@st.composite
def plausible_tables(draw):
    """Mostly valid exports with some cells, columns and rows broken."""
    items = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=12))
    headers = [*REQUIRED, *[c for c in items if c not in REQUIRED]]
    if draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), draw(HEADERS))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        row = [
            draw(CELLS)
            if draw(st.integers(0, 9)) == 0
            else draw(valid_cell(h))
            if h in CODES
            else draw(CELLS)
            for h in headers
        ]
        change = draw(st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1]))
        rows.append(row[:-1] if change < 0 else [*row, "9"] if change > 0 else row)
    return headers, rows


def check(content: bytes, name: str, expected_rows: int | None) -> None:
    con = shared_store()
    path = Path(FOLDER.name) / name
    path.write_bytes(content)
    before = counts(con)
    try:
        report = ingest_file(con, path, "2025", instrument(), areas())
    except (InputError, ProblemsFound) as exc:
        event(f"refused: {type(exc).__name__}")
        assert str(exc).strip()
        assert counts(con) == before
        return
    if report.already_ingested:  # hypothesis drew the same bytes twice
        assert counts(con) == before
        return
    event("ingested, rows accepted" if report.accepted else "ingested, all rows rejected")
    assert report.accepted + report.rejected_total == report.rows_read
    if expected_rows is not None:
        assert report.rows_read == expected_rows
    files, responses, rejects, kept = counts(con)
    assert (files, kept) == (before[0] + 1, before[3] + 1)
    assert responses - before[1] == report.accepted
    assert rejects - before[2] == report.rejected_total


@SETTINGS
@given(
    table=st.one_of(tables(), plausible_tables()),
    separator=st.sampled_from([";", ",", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    encoding=st.sampled_from(ENCODINGS),
)
@example(  # found by hypothesis: an end time of 'inf' (DuckDB's infinity, year 294247)
    table=(
        ["consent", "role", "area", "end", "tru9", "tru7"],
        [
            ["1", "3", "ams-oud-noord", "2.0", "3", "2"],
            ["1", "2", "hrn-grote-waal", "inf", "5", ""],
        ],
    ),
    separator=";",
    quoting=csv.QUOTE_ALL,
    encoding="utf-8-sig",
)
def test_generated_csv_files(table, separator, quoting, encoding):
    headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, quoting=quoting, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    content = buffer.getvalue().encode(encoding, errors="replace")
    check(content, "export.csv", None)


@SETTINGS
@given(table=st.one_of(tables(), plausible_tables()))
def test_generated_well_formed_csv_counts_every_row(table):
    headers, rows = table
    width = len(headers)
    rows = [(r + [""] * width)[:width] for r in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        [headers, *rows]
    )
    check(buffer.getvalue().encode("utf-8"), "export.csv", len(rows))


@settings(max_examples=10, deadline=None)
@given(table=st.one_of(tables(), plausible_tables()))
def test_generated_xlsx_files(table):
    headers, rows = table
    width = len(headers)
    rows = [(r + [""] * width)[:width] for r in rows]
    # openpyxl cannot write control characters; a real workbook cannot hold them either.
    rows = [[ILLEGAL_CHARACTERS_RE.sub("", c) for c in r] for r in rows]
    headers = [ILLEGAL_CHARACTERS_RE.sub("", h) for h in headers]
    frame = pd.DataFrame(rows, columns=[f"x{i}" for i in range(width)], dtype=object)
    content = xlsx_bytes(frame.set_axis(headers, axis=1)) if rows else None
    if content is None:
        return
    nonblank = sum(any(str(c).strip() for c in r) for r in rows)
    check(content, "export.xlsx", nonblank)


@settings(max_examples=20, deadline=None)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=200).map(lambda b: b"$FL2" + b),
        st.binary(max_size=200).map(lambda b: b'"consent";"role";"area"\r\n' + b),
    )
)
def test_generated_binary_garbage(content):
    check(content, "export.bin", None)
