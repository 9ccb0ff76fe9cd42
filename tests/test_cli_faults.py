"""Faults around the store, tried as an unlucky user would: damaged files, paths of the wrong
kind, a full disk, a kill, a closed pipe. Each ends in one clear sentence and a non-zero exit,
never a traceback, and leaves nothing half-written."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.ingest.store import raw_folder_for
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

SAMENSPEL = [sys.executable, "-m", "samenspel.cli"]


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "key" / "pseudonym.key"
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(path))
    return path


def simulated_exports(folder: Path, per_side: int = 8) -> list[Path]:
    instrument, areas = load_instrument(DEFAULT_INSTRUMENT), load_areas(DEFAULT_AREAS)
    model = draw_model(instrument, areas, SimulationSettings(per_side=per_side))
    rng = np.random.default_rng(5)
    paths = []
    for wave in ("2025", "2026"):
        path = folder / f"kobo_{wave}.csv"
        frame = simulate_wave(instrument, areas, model, wave, rng)
        path.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A two-wave store and its results, made once; tests work on copies."""
    folder = tmp_path_factory.mktemp("faults")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key" / "pseudonym.key"))
        store = folder / "store.duckdb"
        for path, wave in zip(simulated_exports(folder), ("2025", "2026"), strict=True):
            assert main(["ingest", str(path), "--wave", wave, "--store", str(store)]) == 0
        results = folder / "results"
        assert (
            main(["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"])
            == 0
        )
    return folder


def copy_store(built: Path, to: Path) -> Path:
    shutil.copy(built / "store.duckdb", to / "store.duckdb")
    shutil.copytree(raw_folder_for(built / "store.duckdb"), raw_folder_for(to / "store.duckdb"))
    for path in raw_folder_for(to / "store.duckdb").iterdir():
        path.chmod(0o644)
    return to / "store.duckdb"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*SAMENSPEL, *args], capture_output=True, text=True, **kwargs)


def damaged_copies(store: Path, folder: Path) -> list[Path]:
    data = store.read_bytes()
    copies = []
    for share in (2, 3):
        path = folder / f"cut{share}.duckdb"
        path.write_bytes(data[: len(data) * (share - 1) // share])
        copies.append(path)
    for seed in range(3):
        flipped = bytearray(data)
        rng = random.Random(seed)
        for _ in range(60):
            flipped[rng.randrange(len(flipped))] ^= 0xFF
        path = folder / f"flipped{seed}.duckdb"
        path.write_bytes(bytes(flipped))
        copies.append(path)
    return copies


def test_a_damaged_store_gives_a_message_for_every_command(built, tmp_path, capsys):
    export = built / "kobo_2025.csv"
    for damaged in damaged_copies(built / "store.duckdb", tmp_path):
        for args in (
            ["status", "--store", str(damaged)],
            [
                "analyse",
                "--store",
                str(damaged),
                "--out",
                str(tmp_path / "r"),
                "--replicates",
                "100",
            ],
            ["ingest", str(export), "--wave", "2027", "--store", str(damaged)],
            ["plan", "--half-width", "3", "--store", str(damaged)],
        ):
            code = main(args)
            err = capsys.readouterr().err
            assert code != 0, (damaged.name, args[0])
            assert "Traceback" not in err and err.strip(), (damaged.name, args[0])
            assert "samenspel:" in err
        assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["analyse", "--store", "{store}", "--out", "{file}"],
        ["report", "--results", "{results}", "--out", "{file}"],
        ["simulate", "--out", "{file}", "--waves", "2025", "--truth-per-cell", "100"],
        ["fieldwork", "--out", "{file}", "--no-pdf", "--no-validate"],
    ],
)
def test_out_pointing_at_a_file_is_refused(built, tmp_path, capsys, args):
    target = tmp_path / "a-file.txt"
    target.write_text("keep me")
    values = {"store": built / "store.duckdb", "file": target, "results": built / "results"}
    code = main([a.format(**values) for a in args])
    err = capsys.readouterr().err
    assert code == 2 and "is a file" in err and "Traceback" not in err
    assert target.read_text() == "keep me"


def test_store_pointing_at_a_csv_is_refused(built, capsys):
    for command in ("status", "analyse"):
        args = [command, "--store", str(built / "kobo_2025.csv")]
        code = main(args + (["--out", str(built / "x")] if command == "analyse" else []))
        err = capsys.readouterr().err
        assert code == 2 and "not a valid DuckDB database" in err and "Traceback" not in err


def test_a_closed_pipe_ends_quietly(built):
    shell = subprocess.run(
        f"{' '.join(SAMENSPEL)} status --store {built / 'store.duckdb'} --rejects | head -n 2",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr
    assert len(shell.stdout.splitlines()) == 2


def test_a_killed_analyse_leaves_the_old_results(built, tmp_path):
    store = copy_store(built, tmp_path)
    results = tmp_path / "results"
    shutil.copytree(built / "results", results)
    before = {p.name: p.read_bytes() for p in results.iterdir()}
    process = subprocess.Popen(
        [
            *SAMENSPEL,
            "analyse",
            "--store",
            str(store),
            "--out",
            str(results),
            "--replicates",
            "10000",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    # Kill it while it computes (after the psychometrics, inside the bootstrap).
    for line in process.stderr:
        if "the index and its bootstrap ..." in line:
            break
    else:
        pytest.fail("analyse ended before its bootstrap started")
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert {p.name: p.read_bytes() for p in results.iterdir()} == before
    site = tmp_path / "site"
    report = run(["report", "--results", str(results), "--out", str(site), "--language", "en"])
    assert report.returncode == 0, report.stderr


def test_a_run_killed_while_writing_leaves_the_old_folder_and_the_next_run_cleans_up(tmp_path):
    from samenspel.common.files import OUTPUT_MANIFEST, atomic_folder

    out = tmp_path / "results"
    with atomic_folder(out, "results") as staging:
        (staging / "old.csv").write_text("old")
    writer = (
        "import signal, sys\n"
        "from samenspel.common.files import atomic_folder\n"
        "with atomic_folder(sys.argv[1], 'results') as staging:\n"
        "    (staging / 'new.csv').write_text('half')\n"
        "    print('writing', flush=True)\n"
        "    signal.pause()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", writer, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "writing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert sorted(p.name for p in out.iterdir()) == ["old.csv", OUTPUT_MANIFEST]
    partial = [p for p in tmp_path.iterdir() if p.name.startswith(".results.partial-")]
    assert len(partial) == 1

    with atomic_folder(out, "results") as staging:
        (staging / "new.csv").write_text("whole")
    assert sorted(p.name for p in out.iterdir()) == ["new.csv", OUTPUT_MANIFEST]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results.")]


def test_report_refuses_results_that_mix_runs(built, tmp_path, capsys):
    results = tmp_path / "results"
    shutil.copytree(built / "results", results)
    index = results / "index.csv"
    index.write_text(index.read_text().replace("co-existence", "hybridisation", 1))
    code = main(["report", "--results", str(results), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 2 and "does not hold the results of one run" in err and "index.csv" in err
    assert not (tmp_path / "site").exists()
    (results / "stale.csv").write_text("a\n1\n")
    index.write_bytes((built / "results" / "index.csv").read_bytes())
    assert main(["report", "--results", str(results), "--out", str(tmp_path / "site")]) == 2
    assert "not of this run: stale.csv" in capsys.readouterr().err


@pytest.fixture
def tiny_disk(tmp_path):
    """A 600 KB file system, or a skip where this process may not mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_during_ingest_changes_nothing_and_blames_the_disk(built, tiny_disk, capsys):
    store = tiny_disk / "store.duckdb"
    big = tiny_disk.parent / "big.csv"
    frame_text = (built / "kobo_2025.csv").read_text()
    header, *rows = frame_text.splitlines()
    big.write_text("\n".join([header, *rows * 8]) + "\n")  # larger than the disk
    code = main(["ingest", str(big), "--wave", "2025", "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and "disk" in err and "full" in err and "Traceback" not in err
    assert "Check the file" not in err  # the input is fine; the disk is not
    raw = raw_folder_for(store)
    assert not raw.exists() or not list(raw.iterdir())  # no orphan copy
    if store.exists():
        con = duckdb.connect(str(store), read_only=True)
        assert con.execute("SELECT count(*) FROM files").fetchall() == [(0,)]
        con.close()


def test_a_full_disk_during_analyse_leaves_no_half_results(built, tiny_disk, capsys):
    filler = tiny_disk / "filler"
    filler.write_bytes(b"\0" * 400_000)  # leave less room than the results need
    out = tiny_disk / "results"
    code = main(
        [
            "analyse",
            "--store",
            str(built / "store.duckdb"),
            "--out",
            str(out),
            "--replicates",
            "100",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "disk is full" in err and "Traceback" not in err
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def test_status_finds_orphan_raw_files_and_removes_them(built, tmp_path, capsys):
    store = copy_store(built, tmp_path)
    orphan = raw_folder_for(store) / ".incoming-abc123"
    orphan.write_bytes(b"half a copy")
    assert main(["status", "--store", str(store)]) == 1
    captured = capsys.readouterr()
    assert ".incoming-abc123" in captured.out and "--remove-orphans" in captured.err
    assert main(["status", "--store", str(store), "--remove-orphans"]) == 0
    assert not orphan.exists()
    assert "removed the orphan raw file .incoming-abc123" in capsys.readouterr().err


def test_status_notices_rows_deleted_from_the_store(built, tmp_path, capsys):
    store = copy_store(built, tmp_path)
    con = duckdb.connect(str(store))
    con.execute("DELETE FROM responses WHERE row_number < 10 AND file_id = 1")
    con.close()
    assert main(["status", "--store", str(store)]) == 1
    assert "lacks rows of 1 file(s)" in capsys.readouterr().err


def test_terminal_escapes_in_names_are_shown_not_run(built, tmp_path, capsys, monkeypatch):
    store = copy_store(built, tmp_path)
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(built / "key" / "pseudonym.key"))
    odd = tmp_path / "wave\x1b[31mred.csv"
    rows = (built / "kobo_2025.csv").read_text().splitlines()
    odd.write_text("\n".join(rows[:1] + [r.replace('"1";', '"2";', 1) for r in rows[1:4]]) + "\n")
    assert main(["ingest", str(odd), "--wave", "2027", "--store", str(store)]) == 1  # none accepted
    capsys.readouterr()
    assert "\x1b" not in capsys.readouterr().err
    main(["status", "--store", str(store), "--rejects"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


def test_a_wave_id_that_is_not_plain_is_refused(built, tmp_path, capsys):
    store = copy_store(built, tmp_path)
    for wave in ("@w2026", "=1+1", "2026\r", "2026\n", ""):
        code = main(["ingest", str(built / "kobo_2025.csv"), "--wave", wave, "--store", str(store)])
        assert code == 2 and "is not allowed" in capsys.readouterr().err


def test_cells_that_look_like_formulas_are_guarded_in_plan_and_shown_plainly_in_reports(
    built, tmp_path, capsys
):
    store = copy_store(built, tmp_path)
    con = duckdb.connect(str(store))
    for table in ("responses", "waves", "files", "rejects", "quality_flags"):
        con.execute(f"UPDATE {table} SET wave = '=HYPERLINK(1)' WHERE wave = '2026'")
    con.close()
    plan = tmp_path / "plan"
    assert main(["plan", "--half-width", "3", "--store", str(store), "--out", str(plan)]) == 0
    assert "'=HYPERLINK(1)" in (plan / "plan.csv").read_text()
    results, site = tmp_path / "results", tmp_path / "site"
    assert (
        main(["analyse", "--store", str(store), "--out", str(results), "--replicates", "100"]) == 0
    )
    assert "'=HYPERLINK(1)" in (results / "index.csv").read_text()
    assert main(["report", "--results", str(results), "--out", str(site), "--language", "en"]) == 0
    page = (site / "en" / "index.html").read_text()
    assert "=HYPERLINK(1)" in page and "'=HYPERLINK(1)" not in page
    assert json.loads((results / "metadata.json").read_text())["run_id"]
    assert os.listdir(results)
