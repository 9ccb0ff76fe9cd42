"""The command line: one run from questionnaire to report, and clear messages on mistakes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_METHODOLOGY


@pytest.fixture(autouse=True)
def pseudonym_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(tmp_path / "key" / "pseudonym.key"))


def test_instrument_check_accepts_the_questionnaire(capsys):
    assert main(["instrument", "check"]) == 0
    out = capsys.readouterr().out
    assert "is valid" in out and "2026.2" in out


def test_broken_instrument_gives_messages_not_a_traceback(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("instrument:\n  id: x\n  version: 1\nroles: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "samenspel.cli", "instrument", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}:5:1: not valid YAML" in result.stderr
    assert "fix:" in result.stderr


def test_invalid_instrument_stops_other_commands(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("instrument: {id: x}\n")
    code = main(["simulate", "--out", str(tmp_path / "demo"), "--instrument", str(path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "instrument.version" in err and "stopped" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "nope.csv", "--wave", "2025", "--store", "{tmp}/s.duckdb"], "Cannot read"),
        (["analyse", "--store", "{tmp}/none.duckdb", "--out", "{tmp}/r"], "does not exist"),
        (["report", "--results", "{tmp}/none", "--out", "{tmp}/site"], "No results"),
    ],
)
def test_missing_inputs_get_one_paragraph(tmp_path, capsys, argv, message):
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2
    err = capsys.readouterr().err
    # The command's first line says which files it uses; then one paragraph says what is wrong.
    said = [line for line in err.splitlines() if line.startswith("samenspel:")]
    assert len(said) == 1 and message in said[0] and err.endswith(said[0] + "\n")


def test_from_simulation_to_report(tmp_path, capsys):
    demo, store = tmp_path / "demo", tmp_path / "store.duckdb"
    assert main(["simulate", "--out", str(demo), "--per-side", "12", "--waves", "2025"]) == 0
    csv = demo / "kobo_2025.csv"
    header = csv.read_text().splitlines()[0]
    assert header.startswith('"start";"end";"intro/consent"')  # Kobo: `;`, quoted, groups
    assert '"_uuid";"_submission_time"' in header
    assert main(["ingest", str(csv), "--wave", "2025", "--store", str(store)]) == 0
    first = capsys.readouterr().err
    counts = re.search(r"(\d+) rows read, (\d+) accepted, (\d+) rejected \(", first)
    assert counts and int(counts[1]) == int(counts[2]) + int(counts[3]) and int(counts[3]) >= 1
    raw_bytes = csv.read_bytes()
    # The same file again changes nothing.
    assert main(["ingest", str(csv), "--wave", "2025", "--store", str(store)]) == 0
    assert "already in" in capsys.readouterr().err
    results, site = tmp_path / "results", tmp_path / "site"
    assert (
        main(["analyse", "--store", str(store), "--out", str(results), "--replicates", "200"]) == 0
    )
    # Another methodology file than the one the results were computed with is refused: the
    # methods page would describe rules the numbers did not follow.
    other = tmp_path / "methodology.yaml"
    other.write_text(DEFAULT_METHODOLOGY.read_text() + "# edited\n")
    argv = ["report", "--results", str(results), "--out", str(site)]
    assert main([*argv, "--methodology", str(other)]) == 2
    assert "is not the methodology file these results were computed with" in (
        capsys.readouterr().err
    )
    assert not site.exists()
    assert main(argv) == 0
    index = pd.read_csv(results / "index.csv", dtype={"wave": str})
    assert len(index) == 9 and index["index"].between(0, 100).all()
    assert (index.ci_low <= index["index"]).all() and (index["index"] <= index.ci_high).all()
    assert json.loads((results / "metadata.json").read_text())["simulated"] is True
    assert "Gesimuleerde demodata" in (site / "index.html").read_text()
    assert "Simulated demo data" in (site / "en" / "index.html").read_text()
    # Each area's figures are on its municipality's overview.
    html = "".join(p.read_text() for p in (site / "en").glob("GM*/index.html"))
    assert (site / "nl" / "samenspel-GM0363.pdf").read_bytes().startswith(b"%PDF")
    for row in index.itertuples():
        assert f"{row.index:.1f}" in html
    # The raw file is kept byte for byte beside the store, named by its checksum.
    import hashlib

    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    sha256, rows_read, accepted, rejected = con.execute(
        "SELECT sha256, rows_read, accepted, rejected FROM files"
    ).fetchall()[0]
    con.close()
    assert sha256 == hashlib.sha256(raw_bytes).hexdigest()
    kept = [p for p in (tmp_path / "store.duckdb.raw").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in kept] == [raw_bytes]
    assert accepted + rejected == rows_read


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "export.csv is empty"),
        (b"%PDF-1.7\x00\x01\xff\xfe binary", "export.csv holds binary data"),
        (b"a|b|c\n1|2|3\n", "export.csv: the first line has no ';', ',' or tab"),
    ],
)
def test_unreadable_exports_are_named_and_nothing_is_stored(tmp_path, capsys, content, message):
    export = tmp_path / "export.csv"
    export.write_bytes(content)
    store = tmp_path / "store.duckdb"
    assert main(["ingest", str(export), "--wave", "2025", "--store", str(store)]) == 2
    assert message in capsys.readouterr().err
    # Nothing was stored: no file, no response, no kept raw copy.
    import duckdb

    if store.exists():
        con = duckdb.connect(str(store), read_only=True)
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("files", "responses", "rejects")]  # fmt: skip
        con.close()
        assert counts == [0, 0, 0]
    raw = tmp_path / "store.duckdb.raw"
    assert not raw.exists() or not [p for p in raw.rglob("*") if p.is_file()]
