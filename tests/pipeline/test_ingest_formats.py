# ruff: noqa: F811  (pytest fixtures imported from ingest_fixtures)
"""Round trips: every supported format, written by the real library or shaped exactly as the
tool exports it, ingests to the same stored answers as the data that went in."""

from __future__ import annotations

import hashlib
import hmac
import zipfile

import numpy as np
import pandas as pd
import pytest
from ingest_fixtures import (
    areas,
    dutch_excel_csv,
    instrument,
    key_file,  # noqa: F401  (autouse fixture)
    kobo_csv,
    kobo_xlsx,
    odk_csv,
    plain_table,
    spss_sav,
    store,  # noqa: F401
    wave_frame,
    xlsx_bytes,
)

from samenspel.instrument import InputError, ProblemsFound
from samenspel.pipeline.ingest.exports import ingest_file, load_responses
from samenspel.pipeline.ingest.pseudonym import read_key
from samenspel.pipeline.ingest.store import raw_folder

ANSWERS = [c for c in instrument().item_codes if c not in ("area", "unit")]


def expected_accepted(frame: pd.DataFrame) -> pd.DataFrame:
    """What the store must hold: consenting rows, the first of each duplicate submission."""
    keep = (frame["consent"] == 1) & ~frame["_uuid"].duplicated()
    return frame[keep]


def check_round_trip(con, frame: pd.DataFrame, report, ids: bool = True) -> pd.DataFrame:
    expected = expected_accepted(frame)
    assert report.rows_read == len(frame)
    assert report.accepted == len(expected)
    assert report.accepted + report.rejected_total == report.rows_read
    stored = load_responses(con)
    assert len(stored) == len(expected)
    got = stored.sort_values("respondent").reset_index(drop=True)
    key = read_key()
    pseudonyms = expected["respondent"].map(
        lambda c: hmac.new(key, c.encode(), hashlib.sha256).hexdigest()[:16]
    )
    want = expected.assign(respondent=pseudonyms).sort_values("respondent")
    want = want.reset_index(drop=True)
    np.testing.assert_array_equal(got["respondent"], want["respondent"])
    np.testing.assert_array_equal(
        got[ANSWERS].to_numpy(dtype=float), want[ANSWERS].to_numpy(dtype=float)
    )
    assert list(got["area"]) == list(want["area"])
    assert list(got["unit"].fillna("")) == list(want["unit"].fillna(""))
    if ids:
        assert set(got["submission_id"].str.replace("uuid:", "")) == set(want["_uuid"])
    return got


@pytest.mark.parametrize("group_prefixes", [True, False])
def test_kobo_csv_round_trip(store, tmp_path, group_prefixes):
    frame = wave_frame()
    path = tmp_path / "kobo.csv"
    path.write_bytes(kobo_csv(frame, group_prefixes))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert (report.format, report.encoding) == ("kobo-csv", "utf-8")
    assert report.rejected == {
        "no-consent": int((frame["consent"] != 1).sum()),
        "duplicate-submission": int(frame["_uuid"].duplicated().sum()),
    }
    got = check_round_trip(store, frame, report)
    assert got["started"].notna().all() and got["ended"].notna().all()
    assert set(got["side"]) == {"professional", "informal", "stakeholder"}


def test_kobo_xlsx_round_trip(store, tmp_path):
    frame = wave_frame()
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(kobo_xlsx(frame))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.format == "kobo-xlsx"
    check_round_trip(store, frame, report)


def test_odk_central_csv_round_trip(store, tmp_path):
    frame = wave_frame()
    path = tmp_path / "odk.csv"
    path.write_bytes(odk_csv(frame))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.format == "odk-csv"
    assert not [p for p in report.problems if p.code == "unknown-column"]
    got = check_round_trip(store, frame, report)
    # ODK's meta-instanceID is the submission id (KEY carries the same value).
    assert got["submission_id"].str.startswith("uuid:").all()
    assert got["submitted"].notna().all()


def test_odk_central_zip_download_is_read(store, tmp_path):
    """ODK Central's standard download: a ZIP with the form's CSV, a repeat group's CSV and
    the media folder; the form's CSV is the one read, and the ZIP is what is kept."""
    frame = wave_frame()
    path = tmp_path / "samenspel.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("samenspel.csv", odk_csv(frame))
        archive.writestr("samenspel-contacts.csv", "PARENT_KEY,KEY,name\n")
        archive.writestr("media/photo.jpg", b"\xff\xd8")
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert (report.format, report.encoding) == ("odk-zip", "utf-8")
    check_round_trip(store, frame, report)
    assert (raw_folder(store) / report.sha256).read_bytes() == path.read_bytes()


def test_a_zip_without_a_table_is_refused_with_a_message(store, tmp_path):
    path = tmp_path / "fotos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("media/photo.jpg", b"\xff\xd8")
    with pytest.raises(InputError, match="no CSV export inside"):
        ingest_file(store, path, "2025", instrument(), areas())


def test_old_mac_line_ends_are_read(store, tmp_path):
    frame = wave_frame()
    table = plain_table(expected_accepted(frame))
    path = tmp_path / "mac.csv"
    path.write_bytes(table.to_csv(sep=";", index=False, lineterminator="\r").encode("utf-8"))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.rows_read == len(table) and report.accepted == len(table)


def test_spss_round_trip_keeps_user_missing_codes(store, tmp_path):
    frame = wave_frame()
    frame = frame[~frame["_uuid"].duplicated()]  # SPSS deliveries carry no submission ids
    path = tmp_path / "bureau.sav"
    spss_sav(frame, path)
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.format == "spss-sav"
    assert not [p for p in report.problems if p.code == "label-mismatch"]
    got = check_round_trip(store, frame, report, ids=False)
    # 'weet niet' (8) is declared user-missing in SPSS and must stay 8, not become blank.
    assert (got["tru1"] == 8).sum() == (expected_accepted(frame)["tru1"] == 8).sum() > 0


def test_spss_reversed_value_labels_are_reported(store, tmp_path):
    frame = wave_frame()
    frame = frame[~frame["_uuid"].duplicated()]
    path = tmp_path / "reversed.sav"
    spss_sav(frame, path, reverse_labels=True)
    report = ingest_file(store, path, "2025", instrument(), areas())
    mismatches = [p for p in report.problems if p.code == "label-mismatch"]
    assert len(mismatches) == sum(
        instrument().scale_of(c).kind == "agreement" for c in instrument().item_codes
    )
    assert "Helemaal eens" in mismatches[0].message


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_dutch_excel_csv_round_trip(store, tmp_path, encoding):
    frame = wave_frame()
    frame = frame[~frame["_uuid"].duplicated()]
    path = tmp_path / "papier.csv"
    path.write_bytes(dutch_excel_csv(frame, encoding))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert (report.format, report.encoding) == ("plain-csv", encoding)
    unknown = [p for p in report.problems if p.code == "unknown-column"]
    assert [p.where for p in unknown] == ["papier.csv: column 'opmerking'"]
    check_round_trip(store, frame, report, ids=False)


def test_decimal_comma_is_read_as_a_decimal_point(store, tmp_path):
    frame = wave_frame()
    frame = frame[(frame["consent"] == 1) & ~frame["_uuid"].duplicated()].head(3)
    table = plain_table(frame)
    table["col_contacts"] = [4.0, 2.5, 7.0]  # 2,5 contacts is not a count
    path = tmp_path / "komma.csv"
    # As Excel NL writes it: every number with a decimal comma (3,0), ';' between fields.
    path.write_text(table.to_csv(sep=";", index=False, decimal=","), encoding="utf-8")
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.accepted == 3 and report.rejected == {}
    invalid = store.execute("SELECT row_number, item, problem FROM invalid_answers").fetchall()
    assert invalid == [(3, "col_contacts", "not an answer code")]
    contacts = load_responses(store).set_index("row_number")["col_contacts"]
    assert contacts[2] == 4.0 and np.isnan(contacts[3]) and contacts[4] == 7.0


def test_plain_xlsx_round_trip(store, tmp_path):
    frame = wave_frame()
    frame = frame[~frame["_uuid"].duplicated()]
    path = tmp_path / "papier.xlsx"
    path.write_bytes(xlsx_bytes(plain_table(frame)))
    report = ingest_file(store, path, "2025", instrument(), areas())
    assert report.format == "plain-xlsx"
    check_round_trip(store, frame, report, ids=False)


def test_format_is_detected_from_content_not_name(store, tmp_path):
    frame = wave_frame()
    path = tmp_path / "export.txt"
    path.write_bytes(odk_csv(frame))
    assert ingest_file(store, path, "2025", instrument(), areas()).format == "odk-csv"


def test_unknown_and_missing_columns_name_the_closest_codes(store, tmp_path):
    frame = wave_frame()
    table = plain_table(frame).rename(columns={"tru10": "tru_10", "ogd1": "ogdl"})
    path = tmp_path / "typo.csv"
    path.write_text(table.to_csv(sep=";", index=False), encoding="utf-8")
    report = ingest_file(store, path, "2025", instrument(), areas())
    unknown = {p.where: p.hint for p in report.problems if p.code == "unknown-column"}
    assert "closest item codes: tru10" in unknown["typo.csv: column 'tru_10'"]
    assert unknown["typo.csv: column 'ogdl'"].startswith("closest item codes: ogd")
    missing = [p for p in report.problems if p.code == "missing-column"]
    assert len(missing) == 1 and "tru10" in missing[0].where and "ogd1" in missing[0].where


def test_missing_area_column_stops_with_a_clear_error(store, tmp_path):
    table = plain_table(wave_frame()).rename(columns={"area": "wijk"})
    path = tmp_path / "geen_area.csv"
    path.write_text(table.to_csv(sep=";", index=False), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, path, "2025", instrument(), areas())
    errors = [p for p in caught.value.problems if p.level == "error"]
    assert [(p.code, p.where) for p in errors] == [("missing-column", "geen_area.csv: item area")]


def test_two_columns_for_one_item_are_refused(store, tmp_path):
    table = plain_table(wave_frame())
    table.insert(3, "intro/role", table["role"])
    path = tmp_path / "dubbel.csv"
    path.write_text(table.to_csv(sep=";", index=False), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        ingest_file(store, path, "2025", instrument(), areas())
    assert [p.code for p in caught.value.problems if p.level == "error"] == ["ambiguous-column"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "save it as .xlsx"),
        (b"PK\x03\x04not really a zip", "not a readable Excel workbook"),
        (b"$FL2garbage" + b"\x00" * 50, "cannot be read"),
        (b"just one line without separators\n", "not a table"),
    ],
)
def test_unreadable_files_say_what_to_do(store, tmp_path, content, says):
    path = tmp_path / "bad.bin"
    path.write_bytes(content)
    with pytest.raises(InputError, match=says):
        ingest_file(store, path, "2025", instrument(), areas())
    assert store.execute("SELECT count(*) FROM files").fetchall() == [(0,)]
