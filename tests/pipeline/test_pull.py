"""`samenspel pull kobo|odk` against stand-in servers (tests/pipeline/pull_servers.py, which
answer as KoboToolbox's API v2 data endpoint and ODK Central's OData feed are documented to):
the same accepted rows, rejects and index as ingesting the tool's CSV export; a second pull
adds exactly what is new and replaces what was edited; a pull that fails half-way, is
throttled, times out or finds no server leaves the store as it was; credentials go nowhere."""

from __future__ import annotations

import socket

import duckdb
import pandas as pd
import pull_servers as stand_in
import pytest
from ingest_fixtures import (
    areas,
    instrument,
    key_file,  # noqa: F401  (autouse fixture)
    kobo_csv,
    odk_csv,
    snapshot,
    wave_frame,
)

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_METHODOLOGY
from samenspel.pipeline.index.tables import index_tables
from samenspel.pipeline.ingest import pull
from samenspel.pipeline.ingest.exports import load_rejects, load_responses
from samenspel.pipeline.methodology import load_methodology

HELD_BACK = 10  # submissions that reach the server only after the first pull


@pytest.fixture
def frame():
    """A simulated wave (seed 4, 6 a side) whose last 10 rows are accepted submissions."""
    whole = wave_frame(seed=4, per_side=6)
    single = ~whole._uuid.duplicated(keep=False) & ~whole.respondent.duplicated(keep=False)
    accepted = whole[(whole.consent == 1) & whole.role.isin([1.0, 2.0]) & single]
    late = accepted.index[-HELD_BACK:]
    return pd.concat([whole.drop(index=late), whole.loc[late]]).reset_index(drop=True)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(pull, "PAGE_SIZE", 25)  # several pages for a small wave
    monkeypatch.setenv("KOBO_TOKEN", stand_in.KOBO_TOKEN)
    monkeypatch.setenv("ODK_PASSWORD", stand_in.ODK_PASSWORD)
    monkeypatch.delenv("ODK_TOKEN", raising=False)
    with stand_in.StandIn() as running:
        yield running


def pull_kobo(server, store, *extra) -> int:
    return main(
        ["pull", "kobo", "--server", server.url, "--asset", stand_in.ASSET, "--wave", "2026",
         "--store", str(store), *extra]
    )  # fmt: skip


def pull_odk(server, store, *extra) -> int:
    return main(
        ["pull", "odk", "--server", server.url, "--odk-project", str(stand_in.ODK_PROJECT),
         "--form", stand_in.ODK_FORM, "--email", stand_in.ODK_EMAIL, "--wave", "2026",
         "--store", str(store), *extra]
    )  # fmt: skip


def ingest(path, store, content: bytes, *extra) -> None:
    path.write_bytes(content)
    assert main(["ingest", str(path), "--wave", "2026", "--store", str(store), *extra]) in (0, 1)


def store_tables(store) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        responses = load_responses(con)
        rejects = load_rejects(con)
    finally:
        con.close()
    keep = [c for c in responses.columns if c not in ("file_id",)]
    responses = responses[keep].sort_values("submission_id").reset_index(drop=True)
    rejects = rejects[["row_number", "submission_id", "reason", "detail", "area", "side"]]
    return {"responses": responses, "rejects": rejects.reset_index(drop=True)}


def index_of(responses: pd.DataFrame) -> pd.DataFrame:
    method = load_methodology(DEFAULT_METHODOLOGY)
    return index_tables(responses, instrument(), areas(), method, replicates=200)["index"]


def assert_same_store(pulled, exported) -> None:
    a, b = store_tables(pulled), store_tables(exported)
    pd.testing.assert_frame_equal(a["responses"], b["responses"])
    pd.testing.assert_frame_equal(a["rejects"], b["rejects"])
    pd.testing.assert_frame_equal(index_of(a["responses"]), index_of(b["responses"]))


@pytest.mark.parametrize("tool", ["kobo", "odk"])
def test_a_pull_gives_what_the_csv_export_gives_and_a_second_adds_the_new_and_the_edited(
    tool, frame, server, tmp_path, capsys
):
    first, later = frame.iloc[:-HELD_BACK], frame
    export = kobo_csv if tool == "kobo" else odk_csv
    records = stand_in.kobo_records if tool == "kobo" else stand_in.odk_records
    do_pull = pull_kobo if tool == "kobo" else pull_odk
    store, reference = tmp_path / "pulled.duckdb", tmp_path / "exported.duckdb"

    # First pull: all submissions so far, over several pages.
    if tool == "kobo":
        server.state.kobo = records(export(first))
    else:
        server.state.odk = records(export(first))
    assert do_pull(server, store) == 0
    ingest(tmp_path / f"{tool}.csv", reference, export(first))
    assert_same_store(store, reference)
    assert len(store_tables(store)["rejects"]) > 0  # refusals and the duplicate are rejected

    # Second pull: 10 new submissions and 2 edited ones reach the server, which stamps the
    # new ones with the time they arrive.
    every = records(export(later))
    for i, record in enumerate(every[-HELD_BACK:]):
        arrived = f"2098-06-01T10:00:{i:02d}.000Z"
        if tool == "kobo":
            record["_submission_time"] = arrived[:19]
        else:
            record["__system"]["submissionDate"] = arrived
    accepted = store_tables(store)["responses"]
    edited_ids = [accepted.submission_id.iloc[3], accepted.submission_id.iloc[8]]
    if tool == "kobo":
        old = [r for r in every if r["_uuid"] in edited_ids]
        changes = {
            r["_id"]: stand_in.kobo_edit(r, "tru/tru1", "1", f"edit-{r['_id']}") for r in old
        }
        server.state.kobo = [changes.get(r["_id"], r) for r in every]
    else:
        old = [r for r in every if r["meta"]["instanceID"] in edited_ids]
        changes = {
            r["__id"]: stand_in.odk_edit(
                r, "tru", "tru1", 1, f"edit-{i}", "2099-01-01T00:00:00.000Z"
            )
            for i, r in enumerate(old)
        }
        server.state.odk = [changes.get(r["__id"], r) for r in every]
    assert len(changes) == 2
    server.state.requests.clear()
    capsys.readouterr()
    assert do_pull(server, store) == 0
    err = capsys.readouterr().err
    assert "10 new, 2 edited" in err, err
    after = store_tables(store)["responses"]
    assert len(after) == len(accepted) + HELD_BACK
    # an edit is a new instance of the same submission: its old version left
    assert set(accepted.submission_id) - set(after.submission_id) == set(edited_ids)
    edited = after[after.submission_id.str.contains("edit-")]
    assert len(edited) == 2 and (edited.tru1 == 1).all()
    assert set(after.submission_id) - set(accepted.submission_id) - set(edited.submission_id)
    # Only the new and edited submissions came in full (Kobo: after a listing of the ids).
    if tool == "odk":
        data = [r for r in server.state.requests if "Submissions" in r]
        assert len(data) == 1 and "updatedAt" in data[0]
    con = duckdb.connect(str(store), read_only=True)
    statuses = con.execute("SELECT status FROM files ORDER BY file_id").fetchall()
    con.close()
    assert [s for (s,) in statuses] == ["replaced", "active"]

    # ... and the store now equals one made from the export of the whole edited wave.
    reference2 = tmp_path / "exported2.duckdb"
    if tool == "kobo":
        table = pull.kobo_table(server.state.kobo)
        content = pull.table_bytes(*table, pull.KOBO)
    else:
        content = pull.table_bytes(*pull.odk_table(server.state.odk), pull.ODK)
    ingest(tmp_path / "whole.csv", reference2, content)
    a, b = store_tables(store), store_tables(reference2)
    pd.testing.assert_frame_equal(
        a["responses"].drop(columns="row_number"), b["responses"].drop(columns="row_number")
    )

    # A third pull finds nothing new and changes nothing.
    before = snapshot(duckdb.connect(str(store), read_only=True))
    assert do_pull(server, store) == 0
    assert "Nothing new" in capsys.readouterr().err
    assert snapshot(duckdb.connect(str(store), read_only=True)) == before


def _store_state(store):
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = snapshot(con)
    finally:
        con.close()
    raw = sorted(p.name for p in store.with_name(store.name + ".raw").iterdir())
    return tables, raw


@pytest.mark.parametrize("tool", ["kobo", "odk"])
def test_a_pull_cut_off_half_way_leaves_the_store_unchanged(tool, frame, server, tmp_path, capsys):
    store = tmp_path / "store.duckdb"
    do_pull = pull_kobo if tool == "kobo" else pull_odk
    first = frame.iloc[:40]
    if tool == "kobo":
        server.state.kobo = stand_in.kobo_records(kobo_csv(first))
    else:
        server.state.odk = stand_in.odk_records(odk_csv(first))
    assert do_pull(server, store) == 0
    before = _store_state(store)
    if tool == "kobo":
        server.state.kobo = stand_in.kobo_records(kobo_csv(frame))
    else:
        server.state.odk = stand_in.odk_records(odk_csv(frame))
    server.faults(drop_from_page=1)  # the second page comes half, then the line is dead
    capsys.readouterr()
    assert do_pull(server, store) == 2
    err = capsys.readouterr().err
    assert "connection" in err and "was lost" in err and "store is as it was" in err
    assert _store_state(store) == before


def test_throttling_is_waited_out_and_persistent_throttling_refused(
    frame, server, tmp_path, capsys
):
    store = tmp_path / "store.duckdb"
    server.state.kobo = stand_in.kobo_records(kobo_csv(frame.iloc[:30]))
    server.faults(too_many=2, retry_after="0")
    assert pull_kobo(server, store) == 0
    server.state.kobo = stand_in.kobo_records(kobo_csv(frame.iloc[:35]))
    before = _store_state(store)
    server.faults(too_many=50, retry_after="0")
    capsys.readouterr()
    assert pull_kobo(server, store) == 2
    assert "HTTP 429" in capsys.readouterr().err
    assert _store_state(store) == before


def test_a_slow_or_absent_server_and_a_wrong_token_are_clear_refusals(
    frame, server, tmp_path, capsys, monkeypatch
):
    store = tmp_path / "store.duckdb"
    server.state.kobo = stand_in.kobo_records(kobo_csv(frame.iloc[:10]))
    server.faults(slow=1.5)
    assert pull_kobo(server, store, "--timeout", "0.3") == 2
    assert "did not answer within 0.3 s" in capsys.readouterr().err
    server.faults()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code = main(
        ["pull", "kobo", "--server", f"http://127.0.0.1:{port}", "--asset", stand_in.ASSET,
         "--wave", "2026", "--store", str(store)]
    )  # fmt: skip
    assert code == 2 and "Cannot reach" in capsys.readouterr().err
    monkeypatch.setenv("KOBO_TOKEN", "wrong")
    assert pull_kobo(server, store) == 2
    assert "refused the credentials (HTTP 401)" in capsys.readouterr().err
    monkeypatch.delenv("KOBO_TOKEN")
    assert pull_kobo(server, store) == 2
    assert "--token-file" in capsys.readouterr().err
    assert not store.exists()  # nothing was made


def test_credentials_reach_neither_the_store_nor_the_output(frame, server, tmp_path, capsys):
    store = tmp_path / "store.duckdb"
    token_file = tmp_path / "kobo.token"
    token_file.write_text(stand_in.KOBO_TOKEN + "\n")
    server.state.kobo = stand_in.kobo_records(kobo_csv(frame.iloc[:20]))
    server.state.odk = stand_in.odk_records(odk_csv(frame.iloc[:20]))
    assert pull_kobo(server, store, "--token-file", str(token_file)) == 0
    other = tmp_path / "odk.duckdb"
    assert pull_odk(server, other) == 0  # a session from e-mail and password, logged out after
    assert any(r.startswith("DELETE /v1/sessions/") for r in server.state.requests)
    printed = capsys.readouterr()
    secrets = [stand_in.KOBO_TOKEN, stand_in.ODK_PASSWORD, stand_in.ODK_SESSION]
    kept = [p.read_bytes() for s in (store, other) for p in s.with_name(s.name + ".raw").iterdir()]
    everything = [
        printed.out.encode(),
        printed.err.encode(),
        store.read_bytes(),
        other.read_bytes(),
        *kept,
    ]
    for secret in secrets:
        assert not any(secret.encode() in blob for blob in everything), secret
    # nor who submitted, nor the attachments' addresses
    for blob in kept:
        assert b"enumerator-anna" not in blob and b"tablet-3" not in blob
        assert b"download_url" not in blob and b".jpg" not in blob


def test_paging_by_count_and_start_and_an_odk_api_token(frame, server, tmp_path, monkeypatch):
    """Kobo pages without `next` links are paged by `count` and `start`; an ODK token from
    the environment is used as it is, without a session."""
    server.state.kobo = stand_in.kobo_records(kobo_csv(frame.iloc[:60]))
    server.state.odk = stand_in.odk_records(odk_csv(frame.iloc[60:120]))
    server.faults(no_next=True)
    assert pull_kobo(server, tmp_path / "kobo.duckdb") == 0
    pages = [r for r in server.state.requests if "/data/" in r]
    assert len(pages) == 3  # 25 + 25 + 10
    monkeypatch.setenv("ODK_TOKEN", stand_in.ODK_TOKEN)
    monkeypatch.delenv("ODK_PASSWORD")
    server.state.requests.clear()
    code = main(
        ["pull", "odk", "--server", server.url, "--odk-project", str(stand_in.ODK_PROJECT),
         "--form", stand_in.ODK_FORM, "--wave", "2026", "--store", str(tmp_path / "odk.duckdb")]
    )  # fmt: skip
    assert code == 0
    assert not any("sessions" in r for r in server.state.requests)
    assert len(server.state.requests) == 3  # 60 submissions in pages of 25
    for store, rows in (
        (tmp_path / "kobo.duckdb", frame.iloc[:60]),
        (tmp_path / "odk.duckdb", frame.iloc[60:120]),
    ):
        tables = store_tables(store)
        assert len(tables["responses"]) + len(tables["rejects"]) == len(rows)


def test_the_token_goes_to_the_server_given_only():
    client = pull.HttpClient("https://kobo.example.nl", {"Authorization": "Token t"})
    with pytest.raises(pull.InputError, match="sends your credentials to the server you gave"):
        client.request("https://elsewhere.example.com/api/v2/assets/x/data/?start=25")
    assert client.requests == 0


def test_json_becomes_the_export_table():
    """Group paths, system fields and what is left out, on one record of each tool."""
    columns, rows = pull.kobo_table(
        [{"_id": 7, "intro/consent": "1", "tru/tru1": "4", "_uuid": "u-1",
          "meta/instanceID": "uuid:u-1", "_attachments": [{"filename": "a.jpg"}],
          "_submitted_by": "anna", "formhub/uuid": "f", "rep": [{"rep/x": "1"}]}]
    )  # fmt: skip
    assert columns == ["_id", "intro/consent", "tru/tru1", "_uuid"]
    assert rows == [{"_id": "7", "intro/consent": "1", "tru/tru1": "4", "_uuid": "u-1"}]
    columns, rows = pull.odk_table(
        [{"__id": "uuid:k", "intro": {"consent": 1, "area": "ams-slotervaart"},
          "tru": {"tru1": 4.0}, "meta": {"instanceID": "uuid:v2"}, "rep@odata.navigationLink": "x",
          "__system": {"submissionDate": "2026-03-01T10:00:00.000Z", "updatedAt": None,
                       "submitterName": "anna", "formVersion": "2026.2", "edits": 1}}]
    )  # fmt: skip
    row = rows[0]
    assert row["intro-consent"] == "1" and row["tru-tru1"] == "4"
    assert row["meta-instanceID"] == "uuid:v2" and row["KEY"] == "uuid:k"
    assert row["SubmissionDate"] == "2026-03-01T10:00:00.000Z" and row["FormVersion"] == "2026.2"
    assert row["Edits"] == "1" and row["_updatedAt"] == ""
    assert "anna" not in row.values() and not any("odata" in c for c in columns)
