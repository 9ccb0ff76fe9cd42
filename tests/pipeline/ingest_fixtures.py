"""Shared inputs for the ingest, store and quality tests: a small simulated wave and writers
that shape it exactly as each tool exports it."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.ingest.store import open_store
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

ODK_TRAILER = (
    "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
    "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
)  # fmt: skip


@functools.cache
def instrument():
    return load_instrument(DEFAULT_INSTRUMENT)


@functools.cache
def areas():
    return load_areas(DEFAULT_AREAS)


@functools.cache
def _wave(seed: int, per_side: int) -> pd.DataFrame:
    settings = SimulationSettings(waves=("2025",), per_side=per_side, seed=seed, model_seed=seed)
    model = draw_model(instrument(), areas(), settings)
    frame = simulate_wave(instrument(), areas(), model, "2025", np.random.default_rng(seed))
    return frame.drop(columns="_careless")


def wave_frame(seed: int = 4, per_side: int = 4) -> pd.DataFrame:
    """A simulated wave as the simulator's Kobo export holds it (one duplicate at the end)."""
    return _wave(seed, per_side).copy()


def ingested_by_the_cli(folder: Path, patch: pytest.MonkeyPatch) -> Path:
    """A small two-wave store of the demo areas, each wave exported as KoboToolbox does and
    ingested by `samenspel ingest`; ``patch`` points the key to ``folder``. The exports come
    from the simulator's functions, not `samenspel simulate`, which would also compute the
    true index (slow, and not needed here)."""
    store = folder / "store.duckdb"
    model = draw_model(instrument(), areas(), SimulationSettings(per_side=8))
    rng = np.random.default_rng(5)
    patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key" / "pseudonym.key"))
    for wave in ("2025", "2026"):
        csv = folder / f"kobo_{wave}.csv"
        frame = simulate_wave(instrument(), areas(), model, wave, rng)
        csv.write_text(to_kobo_csv(instrument(), frame, group_prefixes=False))
        assert main(["ingest", str(csv), "--wave", wave, "--store", str(store)]) == 0
    return store


def answer_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return values.fillna("").astype(str)


def kobo_csv(frame: pd.DataFrame, group_prefixes: bool = True) -> bytes:
    return to_kobo_csv(instrument(), frame, group_prefixes).encode("utf-8")


def odk_csv(frame: pd.DataFrame) -> bytes:
    """ODK Central's submissions CSV: ',' separator, '-' group separator, meta at the end."""
    inst = instrument()
    out = pd.DataFrame(index=frame.index)
    submitted = pd.to_datetime(frame["_submission_time"])
    out["SubmissionDate"] = submitted.dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    out["start"] = frame["start"]
    out["end"] = frame["end"]
    for section in inst.sections:
        for code in section.item_codes:
            out[f"{section.id}-{code}"] = answer_text(frame[code])
    out["respondent"] = frame["respondent"]
    out["meta-instanceID"] = "uuid:" + frame["_uuid"]
    out["KEY"] = "uuid:" + frame["_uuid"]
    out["SubmitterID"] = "5"
    out["SubmitterName"] = "tablet-3"
    out["AttachmentsPresent"] = "0"
    out["AttachmentsExpected"] = "0"
    out["Status"] = ""
    out["ReviewState"] = ""
    out["DeviceID"] = "collect:abc123"
    out["Edits"] = "0"
    out["FormVersion"] = inst.version
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Paper data entry: item codes as headers, a respondent number, no system columns."""
    inst = instrument()
    out = pd.DataFrame({"respondent": frame["respondent"]})
    for code in inst.item_codes:
        out[code] = frame[code]
    return out


def dutch_excel_csv(frame: pd.DataFrame, encoding: str = "cp1252") -> bytes:
    """Excel 'CSV (puntkomma)' on a Dutch Windows: ';', decimal comma, cp1252 or UTF-8 BOM."""
    table = plain_table(frame)
    table["opmerking"] = "één café"  # text that only decodes right as cp1252 / UTF-8
    text = table.to_csv(sep=";", index=False, decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)


def xlsx_bytes(table: pd.DataFrame) -> bytes:
    """A workbook written by openpyxl: numbers as numbers, blanks as empty cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False, name=None):
        sheet.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def kobo_xlsx(frame: pd.DataFrame) -> bytes:
    """KoboToolbox's XLSX export: group-prefixed XML names, numbers as numbers."""
    inst = instrument()
    table = pd.DataFrame({"start": frame["start"], "end": frame["end"]})
    for section in inst.sections:
        for code in section.item_codes:
            table[f"{section.id}/{code}"] = frame[code]
    for column in ("respondent", "_id", "_uuid", "_submission_time", "_status", "_index"):
        table[column] = frame[column]
    return xlsx_bytes(table)


def spss_sav(frame: pd.DataFrame, path, reverse_labels: bool = False) -> None:
    """An SPSS file as a research bureau delivers it: codes with value labels, user-missing."""
    import pyreadstat

    inst = instrument()
    table = plain_table(frame)
    labels, missing = {}, {}
    for code in inst.item_codes:
        scale = inst.scale_of(code)
        options = {float(o.code): o.label["nl"] for o in (*scale.options, *scale.missing)}
        if reverse_labels and scale.kind == "agreement":
            codes = [float(o.code) for o in scale.options]
            names = [o.label["nl"] for o in scale.options][::-1]
            options.update(dict(zip(codes, names, strict=True)))
        if options:
            labels[code] = options
        if scale.missing_codes:
            missing[code] = [float(c) for c in scale.missing_codes]
    pyreadstat.write_sav(table, str(path), variable_value_labels=labels, missing_ranges=missing)


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    """Never touch the user's real key: every test gets its own key file."""
    path = tmp_path / "key" / "pseudonym.key"
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(path))
    return path


@pytest.fixture
def store(tmp_path):
    con = open_store(tmp_path / "store.duckdb")
    yield con
    con.close()


def snapshot(con) -> dict[str, list]:
    """Every row of every table, to compare a store before and after."""
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    return {
        t: sorted(map(repr, con.execute(f'SELECT COLUMNS(*)::VARCHAR FROM "{t}"').fetchall()))
        for t in sorted(tables)
    }
