"""Benchmark: `samenspel analyse` of a national monitor with a panel, with and without the
panel-aware change.

    python benchmarks/bench_panel.py [--areas 3000] [--waves 5] [--panel-share 0.5]
        [--baseline PYTHON]

The registry and `samenspel simulate` of :mod:`bench_national` (10 areas a municipality, 3
wijkteams and 4 organisations an area, 40 respondents a side); then, in every wave after the
first, ``--panel-share`` of the respondents of each area, side and unit take the respondent
code of one of the wave before (the simulator draws new people every wave, so their answers
stay independent: this times the computation, it says nothing about the figures). Every wave
is ingested into one store, and `samenspel analyse` runs on it twice, each in its own
process: with this checkout (the joint bootstrap of the change for every area with panel
members) and with ``--baseline``, the Python of a checkout without it (default: none, then
only this checkout is timed). Prints wall time, CPU time (user + system, children
included) and peak memory of each, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_national import TIME, registry

from samenspel.common.paths import DEFAULT_INSTRUMENT, DEFAULT_METHODOLOGY


def run(step: str, python: str, args: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak GB of one command (GNU time), run in ``cwd`` (outside any
    checkout: ``python -m`` would import the samenspel of the folder it starts in)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        started = time.perf_counter()
        done = subprocess.run(
            [TIME, "-f", "%M %U %S", "-o", out.name, python, "-m", "samenspel.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=cwd,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
        memory, user, system = out.read().split()[-3:]
        peak, cpu = int(memory) / 1024**2, float(user) + float(system)
    print(f"  {step:<40} {wall:8.1f} s wall {cpu:8.1f} s CPU {peak:6.2f} GB", flush=True)
    return wall, peak


def add_panel(exports: list[Path], share: float) -> None:
    """Give ``share`` of each area x role x unit's respondents of a wave the code of a
    respondent of the wave before (rewrites the exports in place, in the same format)."""
    previous = None
    for path in exports:
        wave = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        keys = ["_area", "_role", "_unit"]  # the headers may carry a group prefix
        for key in keys:
            wave[key] = wave[next(c for c in wave.columns if c.split("/")[-1] == key[1:])]
        wave["_at"] = wave.groupby(keys).cumcount()
        wave["_size"] = wave.groupby(keys)["_at"].transform("size")
        if previous is not None:
            earlier = previous[[*keys, "_at", "respondent"]].rename(
                columns={"respondent": "_earlier"}
            )
            wave = wave.merge(earlier, on=[*keys, "_at"], how="left")
            again = (wave["_at"] < share * wave["_size"]) & wave["_earlier"].notna()
            wave.loc[again, "respondent"] = wave.loc[again, "_earlier"]
            wave = wave.drop(columns="_earlier")
        previous = wave
        wave.drop(columns=["_at", "_size", *keys]).to_csv(
            path, sep=";", index=False, quoting=1, lineterminator="\r\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=3000)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--per-side", type=int, default=40)
    parser.add_argument("--panel-share", type=float, default=0.5)
    parser.add_argument("--baseline", help="python of a checkout without panel-aware change")
    args = parser.parse_args()
    waves = [str(2022 + w) for w in range(args.waves)]
    with tempfile.TemporaryDirectory(prefix="samenspel-panel-") as name:
        folder = Path(name)
        env = dict(os.environ, SAMENSPEL_KEY_FILE=str(folder / "pseudonym.key"))
        reg, demo, store = folder / "areas.yaml", folder / "demo", folder / "store.duckdb"
        registry(reg, args.areas)
        print(
            f"{args.areas} areas x {len(waves)} waves x 2 sides x {args.per_side} respondents, "
            f"panel share {args.panel_share:.0%}",
            flush=True,
        )
        run("simulate", sys.executable,
            ["simulate", "--out", str(demo), "--areas", str(reg), "--waves", *waves,
             "--per-side", str(args.per_side), "--truth-per-cell", "200"], env, folder)  # fmt: skip
        # Outside a project every command is told the built-in questionnaire.
        settings = ["--instrument", str(DEFAULT_INSTRUMENT)]
        add_panel([demo / f"kobo_{wave}.csv" for wave in waves], args.panel_share)
        for wave in waves:
            run(f"ingest {wave}", sys.executable,
                ["ingest", str(demo / f"kobo_{wave}.csv"), "--wave", wave, "--store",
                 str(store), "--areas", str(reg), *settings], env, folder)  # fmt: skip
        timings = {}
        pythons = {"analyse, panel-aware change": sys.executable}
        if args.baseline:
            pythons["analyse, baseline"] = args.baseline
        for step, python in pythons.items():
            results = folder / f"results-{len(timings)}"
            timings[step] = run(step, python,
                                ["analyse", "--store", str(store), "--out", str(results),
                                 "--areas", str(reg), *settings, "--methodology",
                                 str(DEFAULT_METHODOLOGY)], env, folder)  # fmt: skip
            change = pd.read_csv(results / "change.csv")
            if "panel_respondents" in change:
                print(
                    f"    change.csv: {len(change):,} rows; median panel respondents "
                    f"{change['panel_respondents'].median():.0f}, panel units "
                    f"{change['panel_units'].median():.0f} per area and pair of waves",
                    flush=True,
                )
        if args.baseline:
            ratio = timings["analyse, panel-aware change"][0] / timings["analyse, baseline"][0]
            print(f"panel-aware analyse / baseline analyse: x{ratio:.2f} wall time")


if __name__ == "__main__":
    main()
