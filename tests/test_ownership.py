"""samenspel never deletes or overwrites what it did not write.

Every command that writes a folder refuses one holding anything but its own earlier output
(and the working, home and root folders), before it writes anything; its own earlier output
is replaced whole; a kill during the swap leaves the old or the new output and never touches
a foreign file. The Makefile keeps the demo apart from one's own data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samenspel.cli import main
from samenspel.common.files import OUTPUT_MANIFEST, atomic_folder
from samenspel.pipeline.ingest.store import raw_folder_for, remove_simulated_store

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A small store and one output of every command, made once."""
    folder = tmp_path_factory.mktemp("owned")
    store = folder / "store.duckdb"
    outputs = {kind: folder / kind for kind in COMMANDS}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        for kind, argv in COMMANDS.items():
            assert main(argv(store, folder, outputs[kind])) == 0, kind
            if kind == "simulation":  # copied away from the simulator's manifest: real data
                for wave in ("2025", "2026"):
                    export = folder / f"kobo_{wave}.csv"
                    export.write_bytes((outputs[kind] / export.name).read_bytes())
                    assert main(["ingest", str(export), "--wave", wave, "--store", str(store)]) == 0
    return store, folder, outputs


COMMANDS = {
    "simulation": lambda store, folder, out: [
        "simulate", "--out", str(out), "--per-side", "4", "--truth-per-cell", "100",
    ],
    "results": lambda store, folder, out: [
        "analyse", "--store", str(store), "--out", str(out), "--replicates", "100",
    ],
    "site": lambda store, folder, out: [
        "report", "--results", str(folder / "results"), "--out", str(out), "--pdf", "none",
    ],
    "fieldwork": lambda store, folder, out: [
        "fieldwork", "--out", str(out), "--no-pdf", "--no-validate",
    ],
    "plan": lambda store, folder, out: ["plan", "--half-width", "5", "--out", str(out)],
}  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {
        path.relative_to(folder).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


def copy_store(store: Path, to: Path) -> None:
    shutil.copy(store, to)
    shutil.copytree(raw_folder_for(store), raw_folder_for(to))


def users_folder(path: Path) -> Path:
    (path / "sub").mkdir(parents=True)
    (path / "thesis.docx").write_bytes(b"precious")
    (path / "sub" / "data.csv").write_text("x\n1\n")
    return path


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_folder_with_foreign_files_is_refused_and_left_as_it_was(made, tmp_path, capsys, kind):
    store, folder, _ = made
    out = users_folder(tmp_path / "proj")
    before = snapshot(out)
    assert main(COMMANDS[kind](store, folder, out)) == 2
    err = capsys.readouterr().err
    assert "thesis.docx" in err and "sub/data.csv" in err and "Nothing was written" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]  # no staging left behind


@pytest.mark.parametrize("kind", COMMANDS)
def test_an_earlier_output_of_the_same_command_is_replaced_whole(made, tmp_path, kind):
    store, folder, outputs = made
    out = tmp_path / kind
    shutil.copytree(outputs[kind], out)
    (out / "stale-of-an-earlier-run.csv").write_text("old")
    manifest = (out / OUTPUT_MANIFEST).read_text()
    (out / OUTPUT_MANIFEST).write_text(
        manifest.replace('"files": [', '"files": [\n    "stale-of-an-earlier-run.csv",')
    )
    assert main(COMMANDS[kind](store, folder, out)) == 0
    assert not (out / "stale-of-an-earlier-run.csv").exists()
    listed = set(json.loads((out / OUTPUT_MANIFEST).read_text())["files"])
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert present == listed | {OUTPUT_MANIFEST}


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_file_added_to_an_earlier_output_stops_the_command(made, tmp_path, capsys, kind):
    store, folder, outputs = made
    out = tmp_path / kind
    shutil.copytree(outputs[kind], out)
    (out / "my-notes.txt").write_text("mine")
    before = snapshot(out)
    assert main(COMMANDS[kind](store, folder, out)) == 2
    assert "my-notes.txt" in capsys.readouterr().err
    assert snapshot(out) == before


def test_another_commands_output_is_refused(made, capsys):
    store, folder, outputs = made
    before = snapshot(outputs["results"])
    assert main(COMMANDS["site"](store, folder, outputs["results"])) == 2
    assert "holds samenspel's results output" in capsys.readouterr().err
    assert snapshot(outputs["results"]) == before


@pytest.mark.parametrize("where", ["working folder", "home", "root"])
def test_the_working_home_and_root_folders_are_refused(made, tmp_path, monkeypatch, capsys, where):
    store, folder, _ = made
    home = users_folder(tmp_path / "home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    out = {"working folder": Path("."), "home": home, "root": Path("/")}[where]
    for kind in ("results", "fieldwork", "plan"):
        assert main(COMMANDS[kind](store, folder, out)) == 2
        assert "Nothing was written" in capsys.readouterr().err
    assert snapshot(home)["thesis.docx"] == b"precious"


def test_a_kill_during_the_swap_leaves_the_old_output_and_no_foreign_file_is_touched(tmp_path):
    out = tmp_path / "results"
    neighbour = users_folder(tmp_path / "neighbour")
    before = snapshot(neighbour)
    with atomic_folder(out, "results") as staging:
        (staging / "index.csv").write_text("old")
    # Dies after moving the old output aside and before the new one is in place.
    dying = (
        "import os, sys\n"
        "import samenspel.common.files as files\n"
        "real = os.replace\n"
        "def replace(a, b):\n"
        "    real(a, b)\n"
        "    if '.old-' in str(b): os._exit(9)\n"
        "files.os.replace = replace\n"
        "with files.atomic_folder(sys.argv[1], 'results') as staging:\n"
        "    (staging / 'index.csv').write_text('new')\n"
    )
    died = subprocess.run([sys.executable, "-c", dying, str(out)], cwd=REPOSITORY)
    assert died.returncode == 9 and not out.exists()
    with atomic_folder(out, "results") as staging:  # the next run puts the old one back first
        assert (out / "index.csv").read_text() == "old"
        (staging / "index.csv").write_text("newer")
    assert (out / "index.csv").read_text() == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour", "results"]
    assert snapshot(neighbour) == before


def test_a_new_store_beside_a_foreign_raw_folder_is_refused(tmp_path, capsys):
    store = tmp_path / "mine.duckdb"
    raw = raw_folder_for(store)
    raw.mkdir()
    (raw / "something").write_text("mine")
    export = tmp_path / "export.csv"
    export.write_text("a\n1\n")
    assert main(["ingest", str(export), "--wave", "2026", "--store", str(store)]) == 2
    assert "raw folder" in capsys.readouterr().err
    assert not store.exists() and [p.name for p in raw.iterdir()] == ["something"]


def test_clean_removes_demo_outputs_but_never_real_data(made, tmp_path, capsys):
    store, _, outputs = made
    real = tmp_path / "real.duckdb"
    copy_store(store, real)
    mine = users_folder(tmp_path / "mine")
    before = snapshot(tmp_path)
    # The test store was ingested from plain exports, not the simulator's: real data.
    assert main(["clean", str(outputs["fieldwork"]), str(real)]) == 2
    assert "not simulated" in capsys.readouterr().err
    assert main(["clean", str(mine)]) == 2
    assert snapshot(tmp_path) == before and outputs["fieldwork"].exists()
    with pytest.raises(Exception, match="not simulated"):
        remove_simulated_store(real)
    simulated = outputs["simulation"]
    demo_store = tmp_path / "demo.duckdb"
    assert main(["ingest", str(simulated / "kobo_2025.csv"), "--wave", "2025",
                 "--store", str(demo_store)]) == 0  # fmt: skip
    assert main(["clean", str(demo_store), str(tmp_path / "missing")]) == 0
    assert not demo_store.exists() and not raw_folder_for(demo_store).exists()
    assert snapshot(tmp_path) == before


def make(*targets: str, **variables: str) -> subprocess.CompletedProcess:
    venv = Path(sys.executable).parent.parent
    settings = [f"{name}={value}" for name, value in {"VENV": str(venv), **variables}.items()]
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPOSITORY), *targets, *settings],
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(
    not (Path(sys.executable).parent.parent / ".installed").exists(),
    reason="the Makefile story runs inside the virtual environment `make install` built",
)
def test_own_data_through_make_survives_make_reports_and_make_clean(made, tmp_path, monkeypatch):
    """The story of the issue: one's own store through `make ingest`, then the demo's
    `make reports` and `make clean`; also a store of real data put where the demo's goes."""
    monkeypatch.setenv("SAMENSPEL_KEY_FILE", str(tmp_path / "key"))
    _, folder, _ = made
    own = tmp_path / "monitor" / "samenspel.duckdb"
    demo = tmp_path / "demo"
    quick = {
        "DEMO": str(demo),
        "FIELDWORK": str(tmp_path / "fieldwork"),
        "SIMULATE_FLAGS": "--per-side 6 --truth-per-cell 100",
        "ANALYSE_FLAGS": "--replicates 100",
        "REPORT_FLAGS": "--language en --pdf none",
    }
    refused = make("ingest", FILE=str(folder / "kobo_2025.csv"), WAVE="2025")
    assert refused.returncode == 2 and "PROJECT=" in refused.stdout
    inside_demo = make(
        "ingest", FILE=str(folder / "kobo_2025.csv"), WAVE="2025", STORE=str(demo / "x.duckdb"),
        DEMO=str(demo),
    )  # fmt: skip
    assert inside_demo.returncode == 2 and "inside the demo's folder" in inside_demo.stdout
    ingested = make("ingest", FILE=str(folder / "kobo_2025.csv"), WAVE="2025", STORE=str(own))
    assert ingested.returncode == 0, ingested.stderr
    (tmp_path / "monitor" / "notes.docx").write_bytes(b"mine")
    before = snapshot(tmp_path / "monitor")

    built = make("reports", **quick)
    assert built.returncode == 0, built.stderr
    assert (demo / "site" / "index.html").exists()
    (demo / "my-notes.txt").write_text("mine")
    cleaned = make("clean", **quick)
    assert cleaned.returncode == 0, cleaned.stderr
    assert sorted(p.name for p in demo.iterdir()) == ["my-notes.txt"]
    assert snapshot(tmp_path / "monitor") == before

    # Real data where the demo's store goes: `make reports` stops and keeps it.
    demo_store = demo / "samenspel.duckdb"
    copy_store(own, demo_store)
    planted = snapshot(demo)
    stopped = make("reports", **quick)
    assert stopped.returncode != 0 and "not simulated" in stopped.stderr
    assert make("clean", **quick).returncode != 0
    assert {k: v for k, v in snapshot(demo).items() if not k.startswith("exports")} == planted
    assert snapshot(tmp_path / "monitor") == before
