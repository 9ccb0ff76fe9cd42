"""Benchmark: ingest a national-scale KoboToolbox export (a national monitor: 1.2 million rows).

    python benchmarks/bench_ingest.py [--rows 1200000] [--areas 3000] [--folder DIR]

Builds a registry of ``--areas`` areas and a Kobo CSV export (``;``, every field quoted,
group prefixes, every item column) of ``--rows`` responses by tiling one simulated wave
with new submission ids, respondent codes, areas and times; then ingests it into a new store
in a child process and prints wall time and the child's peak memory (max RSS).
Aim (issue 5): under 60 s and under 6 GB on a 2-core machine.

Measured 2026-11-22 on the 2-core development machine, shared with other jobs (load average
3.5-4.5): 1.2 million rows, 550 MB; ingest 48 s wall when the load was lowest, 64-79 s under
heavier load; 46-49 s CPU time (user + system) every run; peak memory 4.4 GB; store 168 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.instrument.model import Area, AreaRegistry
from samenspel.pipeline.simulation.simulate import SimulationSettings, draw_model, simulate_wave


def national_registry(n: int) -> AreaRegistry:
    return AreaRegistry(
        tuple(
            Area(f"nl-{i:04d}", f"Wijk {i}", f"GM{i % 342:04d}", f"Gemeente {i % 342}", "wijk")
            for i in range(1, n + 1)
        ),
        source="benchmark",
    )


def write_export(path: Path, rows: int, registry: AreaRegistry, seed: int = 2026) -> None:
    """Tile one simulated wave to ``rows`` responses and write it as Kobo writes CSV."""
    instrument = load_instrument(DEFAULT_INSTRUMENT)
    demo_areas = load_areas(DEFAULT_AREAS)
    settings = SimulationSettings(waves=("2025",), per_side=40, seed=seed, model_seed=seed)
    model = draw_model(instrument, demo_areas, settings)
    base = simulate_wave(instrument, demo_areas, model, "2025", np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), rows)
    items = {
        code: base[code].to_numpy(dtype=float)[pick]
        for code in instrument.item_codes
        if code != "area"
    }
    frame = pd.DataFrame(items)
    frame["area_index"] = rng.integers(0, len(registry.areas), rows)
    frame["offset_s"] = rng.uniform(0, 40 * 24 * 3600, rows)
    frame["minutes"] = np.exp(rng.normal(np.log(14), 0.3, rows))
    ids = pd.DataFrame({"area_id": list(registry.ids)})
    con = duckdb.connect()
    con.register("tiled", frame)
    con.register("registry", ids)
    con.execute(
        "CREATE TABLE area_list AS SELECT row_number() OVER () - 1 AS i, area_id FROM registry"
    )
    columns = ["start", "end"]
    select = [
        "strftime(TIMESTAMP '2025-10-01 09:00:00' + to_seconds(offset_s), "
        "'%Y-%m-%dT%H:%M:%S.000+02:00') AS \"start\"",
        "strftime(TIMESTAMP '2025-10-01 09:00:00' + to_seconds(offset_s + 60 * minutes), "
        "'%Y-%m-%dT%H:%M:%S.000+02:00') AS \"end\"",
    ]
    for section in instrument.sections:
        for code in section.item_codes:
            header = f"{section.id}/{code}"
            columns.append(header)
            if code == "area":
                select.append(f'a.area_id AS "{header}"')
            else:
                select.append(
                    f'coalesce(CAST(CAST("{code}" AS BIGINT) AS VARCHAR), \'\') AS "{header}"'
                )
    select += [
        "'R' || CAST(t.rid AS VARCHAR) AS respondent",
        "CAST(t.rid AS VARCHAR) AS _id",
        "CAST(uuid() AS VARCHAR) AS _uuid",
        "strftime(TIMESTAMP '2025-10-01 07:05:00' + to_seconds(offset_s + 60 * minutes), "
        "'%Y-%m-%dT%H:%M:%S') AS _submission_time",
        "'submitted_via_web' AS _status",
        "'v20261' AS __version__",
        "CAST(t.rid AS VARCHAR) AS _index",
    ]
    con.execute(
        f"COPY (SELECT {', '.join(select)} FROM "
        "(SELECT *, row_number() OVER () AS rid FROM tiled) t "
        "JOIN area_list a ON a.i = t.area_index ORDER BY t.rid) "
        f"TO '{path}' (FORMAT csv, DELIMITER ';', QUOTE '\"', FORCE_QUOTE *, HEADER)"
    )
    con.close()


def ingest_child(export: Path, store: Path, areas_n: int) -> None:
    """Run in the child process: ingest and print a JSON line with what happened."""
    from samenspel.pipeline.ingest.exports import ingest_file
    from samenspel.pipeline.ingest.store import open_store

    instrument = load_instrument(DEFAULT_INSTRUMENT)
    registry = national_registry(areas_n)
    start = time.perf_counter()
    con = open_store(store)
    report = ingest_file(con, export, "2025", instrument, registry)
    con.close()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "rows_read": report.rows_read,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "steps": report.seconds,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000)
    parser.add_argument("--areas", type=int, default=3000)
    parser.add_argument("--folder", default=None, help="work folder (default: a temp folder)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ingest_child(Path(args.child[0]), Path(args.child[1]), args.areas)
        return 0
    os.environ.setdefault("SAMENSPEL_KEY_FILE", str(Path(tempfile.gettempdir()) / "bench.key"))
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        export = Path(folder) / "kobo_national.csv"
        start = time.perf_counter()
        write_export(export, args.rows, national_registry(args.areas))
        made = time.perf_counter() - start
        size = export.stat().st_size
        print(f"export: {args.rows:,} rows, {size / 1e6:,.0f} MB, written in {made:.1f} s")
        store = Path(folder) / "store.duckdb"
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--areas",
                str(args.areas),
                "--child",
                str(export),
                str(store),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        result = json.loads(child.stdout.strip().splitlines()[-1])
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_gb = usage.ru_maxrss / 1024**2
        with open("/proc/loadavg") as handle:
            load = handle.read().split()[0]
        store_mb = store.stat().st_size / 1e6
        print(
            f"ingest: {result['rows_read']:,} rows read, {result['accepted']:,} accepted, "
            f"rejected {result['rejected']}"
        )
        print(
            f"ingest time {result['seconds']:.1f} s "
            f"({result['rows_read'] / result['seconds']:,.0f} rows/s), "
            f"peak memory {peak_gb:.2f} GB (max RSS of the ingest process), "
            f"store {store_mb:,.0f} MB"
        )
        print(
            f"CPU time of the ingest process {usage.ru_utime + usage.ru_stime:.1f} s "
            f"(user {usage.ru_utime:.1f}, system {usage.ru_stime:.1f}) on {os.cpu_count()} "
            f"cores; load average at the end {load}"
        )
        print("steps (s): " + ", ".join(f"{k} {v}" for k, v in result["steps"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
