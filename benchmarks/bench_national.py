"""Benchmark: the whole pipeline for a national monitor, step by step, at two sizes.

    python benchmarks/bench_national.py [--areas 300 3000] [--waves 5] [--per-side 40]

For each size: a registry of that many areas (10 per municipality; 3 wijkteams and 4
organisations per area, with their members, so the design weights differ), `samenspel
simulate` of the waves (40 respondents a side and area), then `samenspel ingest` of every
wave, `samenspel analyse` and `samenspel report`, each in its own process as a user runs
them. Prints wall time and peak memory (max RSS) per step, side by side for the sizes, and
how each step grows from the smaller size to the larger.
At 3,000 areas x 5 waves the store holds 1.2 million responses.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TIME = "/usr/bin/time"


def registry(path: Path, areas: int) -> None:
    municipalities = {f"GM{m + 1:04d}": f"Gemeente {m + 1}" for m in range((areas + 9) // 10)}
    rows = []
    for i in range(areas):
        code = f"GM{i // 10 + 1:04d}"
        # members of 8 to 40, so that the design weights are not all equal
        units = {
            "professional": [
                {"code": f"w{i}-t{u}", "name": f"Wijkteam {u}", "members": 8 + (7 * i + 5 * u) % 33}
                for u in range(3)
            ],
            "informal": [
                {
                    "code": f"w{i}-o{u}",
                    "name": f"Organisatie {u}",
                    "members": 8 + (3 * i + 11 * u) % 33,
                }
                for u in range(4)
            ],
        }
        rows.append(
            {"id": f"w{i:04d}", "name": f"Wijk {i}", "municipality": code, "kind": "wijk",
             "units": units}
        )  # fmt: skip
    path.write_text(yaml.safe_dump({"municipalities": municipalities, "areas": rows}))


def run(step: str, args: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak GB of one command (GNU time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        started = time.perf_counter()
        done = subprocess.run(
            [TIME, "-f", "%M", "-o", out.name, sys.executable, "-m", "samenspel.cli", *args],
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
        peak = int(out.read().split()[-1]) / 1024**2
    print(f"  {step:<22} {wall:8.1f} s {peak:6.2f} GB", flush=True)
    return wall, peak


def pipeline(areas: int, waves: list[str], per_side: int, folder: Path) -> dict:
    env = dict(os.environ, SAMENSPEL_KEY_FILE=str(folder / "pseudonym.key"))
    reg = folder / "areas.yaml"
    registry(reg, areas)
    demo, store = folder / "demo", folder / "store.duckdb"
    print(f"{areas} areas x {len(waves)} waves x 2 sides x {per_side} respondents", flush=True)
    steps = {}
    steps["simulate"] = run(
        "simulate",
        ["simulate", "--out", str(demo), "--areas", str(reg), "--waves", *waves,
         "--per-side", str(per_side), "--truth-per-cell", "2000"],
        env,
    )  # fmt: skip
    ingests = [
        run(f"ingest {wave}", ["ingest", str(demo / f"kobo_{wave}.csv"), "--wave", wave,
                               "--store", str(store), "--areas", str(reg)], env)
        for wave in waves
    ]  # fmt: skip
    steps["ingest (each wave)"] = (
        sum(w for w, _ in ingests) / len(ingests),
        max(p for _, p in ingests),
    )
    results, site = folder / "results", folder / "site"
    steps["analyse"] = run(
        "analyse",
        ["analyse", "--store", str(store), "--out", str(results), "--areas", str(reg)],
        env,
    )
    steps["report"] = run(
        "report",
        ["report", "--results", str(results), "--out", str(site), "--areas", str(reg)],
        env,
    )
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--per-side", type=int, default=40)
    args = parser.parse_args()
    waves = [str(2022 + w) for w in range(args.waves)]
    results = {}
    for areas in args.areas:
        with tempfile.TemporaryDirectory(prefix=f"samenspel-national-{areas}-") as folder:
            results[areas] = pipeline(areas, waves, args.per_side, Path(folder))
    sizes = args.areas
    print("\nstep                    " + "".join(f"{n:>8} areas      " for n in sizes), end="")
    print("   growth" if len(sizes) > 1 else "")
    for step in results[sizes[0]]:
        cells = "".join(
            f"{results[n][step][0]:8.1f} s {results[n][step][1]:5.2f} GB " for n in sizes
        )
        growth = ""
        if len(sizes) > 1:
            ratio = results[sizes[-1]][step][0] / max(results[sizes[0]][step][0], 1e-9)
            growth = f"   x{ratio:.1f} time for x{sizes[-1] / sizes[0]:.0f} areas"
        print(f"{step:<22} {cells}{growth}")


if __name__ == "__main__":
    main()
