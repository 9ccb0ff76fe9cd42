"""Benchmark: the index with its stratified bootstrap at national scale (DESIGN.md 14).

3,000 areas x 2 sides x 40 respondents x 5 waves (1.2 M respondents, 7 components each,
2 % of component values missing) with 1,000 bootstrap replicates: time and peak memory
of :func:`hybridisation_index`, and the ratio against a plain pandas groupby-apply
bootstrap on the same data in the same run. The baseline is far too slow for 1,000
replicates, so it is timed on a few replicates and extrapolated linearly (said in the
output). Run: ``make bench-index`` (or ``python benchmarks/bench_index.py --areas 300``
for a quick look).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd
from samenspel.pipeline.index import SIDES, hybridisation_index
from samenspel.pipeline.methodology import COMPONENTS, load_methodology


def national_data(areas: int, waves: int, per_side: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = areas * waves * len(SIDES) * per_side
    frame = pd.DataFrame(rng.uniform(0, 100, (rows, len(COMPONENTS))), columns=COMPONENTS)
    frame = frame.mask(rng.random(frame.shape) < 0.02)
    frame["area"] = np.repeat(np.arange(areas), waves * 2 * per_side).astype(str)
    frame["wave"] = np.tile(np.repeat(np.arange(waves), 2 * per_side), areas).astype(str)
    frame["side"] = np.tile(np.repeat(SIDES, per_side), areas * waves)
    return frame


def pandas_bootstrap_replicate(frame: pd.DataFrame, rng: np.random.Generator, method) -> pd.Series:
    """One replicate the plain way: resample each stratum with groupby-apply, then index."""
    means = frame.groupby(["area", "wave", "side"])[list(COMPONENTS)].apply(
        lambda g: g.sample(len(g), replace=True, random_state=rng).mean()
    )
    pillars = pd.DataFrame(
        {p: means[list(members)].mean(axis=1) for p, members in method.pillars.items()}
    )
    side = pillars.mean(axis=1).unstack("side")
    return np.sqrt(side["professional"] * side["informal"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=3000)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--per-side", type=int, default=40)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--baseline-replicates", type=int, default=2)
    args = parser.parse_args()
    method = load_methodology()
    frame = national_data(args.areas, args.waves, args.per_side)
    print(
        f"data: {args.areas} areas x {len(SIDES)} sides x {args.per_side} respondents x "
        f"{args.waves} waves = {len(frame):,} respondents; {args.replicates} replicates"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        method,
        replicates=args.replicates,
    )
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"samenspel index: {elapsed:.1f} s wall ({cpu:.1f} s CPU), peak memory of the call "
        f"(tracemalloc) "
        f"{peak / 1024**3:.2f} GB; process peak RSS {rss:.2f} GB (before the call "
        f"{rss_before:.2f} GB); {len(result.table):,} area-waves"
    )
    rng = np.random.default_rng(2)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.baseline_replicates):
        pandas_bootstrap_replicate(frame, rng, method)
    per_replicate = (time.perf_counter() - start) / args.baseline_replicates
    per_replicate_cpu = (time.process_time() - cpu_start) / args.baseline_replicates
    baseline = per_replicate * args.replicates
    print(
        f"pandas groupby-apply bootstrap: {per_replicate:.1f} s a replicate, timed on "
        f"{args.baseline_replicates} replicates and extrapolated to {args.replicates}: "
        f"{baseline:.0f} s ({baseline / 3600:.1f} h)"
    )
    print(
        f"ratio: samenspel is {baseline / elapsed:.0f} x faster in wall time, "
        f"{per_replicate_cpu * args.replicates / cpu:.0f} x in CPU time"
    )


if __name__ == "__main__":
    main()
