"""Benchmark: the index with its bootstrap at national scale (docs/methodology.md, section 6).

3,000 areas x 2 sides x 40 respondents x 5 waves (1.2 M respondents, 7 components each,
2 % of component values missing) with 1,000 bootstrap replicates: time and peak memory
of :func:`hybridisation_index` without unit codes (respondents resampled) and with them
(2-6 units a side and area plus 10% individuals: the two-stage bootstrap), side by side,
the small-area step on its result (:func:`small_area_estimates`), and the ratio against
a plain pandas groupby-apply bootstrap on the same data in the same
run. The baseline is far too slow for 1,000
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

from samenspel.pipeline.index.estimate import SIDES, hybridisation_index
from samenspel.pipeline.index.small_area import SmallAreaSettings, small_area_estimates
from samenspel.pipeline.index.tables import small_area_input
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


def unit_codes(frame: pd.DataFrame, seed: int = 3) -> pd.Series:
    """2-6 units per area x side x wave of unequal size, 10% of respondents in none."""
    rng = np.random.default_rng(seed)
    strata = frame.groupby(["area", "wave", "side"], sort=False).ngroup().to_numpy()
    units = rng.integers(2, 7, strata.max() + 1)[strata]
    pick = np.floor(rng.random(len(frame)) ** 1.5 * units).astype(int)  # unequal sizes
    codes = frame["area"] + "-" + frame["side"].str[0] + "-" + pd.Series(pick).astype(str)
    return codes.where(rng.random(len(frame)) >= 0.1, "individual")


def timed_index(frame, method, replicates, unit=None):
    """(result, wall s, CPU s, tracemalloc peak GB) of one call."""
    tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = hybridisation_index(
        frame[list(COMPONENTS)],
        frame["area"],
        frame["wave"],
        frame["side"],
        method,
        replicates=replicates,
        unit=unit,
    )
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, cpu, peak / 1024**3


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
    result, elapsed, cpu, peak = timed_index(frame, method, args.replicates)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"samenspel index, no unit codes: {elapsed:.1f} s wall ({cpu:.1f} s CPU), peak memory "
        f"of the call (tracemalloc) {peak:.2f} GB; process peak RSS {rss:.2f} GB (before "
        f"the call {rss_before:.2f} GB); {len(result.table):,} area-waves"
    )
    # The small-area step on this index: 10 areas a municipality, every wave's model on
    # that wave and the earlier ones, three measures.
    start, cpu_start = time.perf_counter(), time.process_time()
    municipality_of = {str(a): f"GM{a // 10:04d}" for a in range(args.areas)}
    small_area = small_area_estimates(
        small_area_input(result, municipality_of),
        SmallAreaSettings.of(method),
        [str(w) for w in range(args.waves)],
    )
    print(
        f"small-area estimates (Fay-Herriot, {len(small_area):,} area-wave-measures): "
        f"{time.perf_counter() - start:.1f} s wall ({time.process_time() - cpu_start:.1f} s CPU)"
    )
    units = unit_codes(frame)
    clustered, elapsed_units, cpu_units, peak_units = timed_index(
        frame, method, args.replicates, units
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    counted = clustered.design["units"] + clustered.design["individuals"]
    print(
        f"samenspel index, with unit codes ({int(counted.sum()):,} units, individuals "
        f"included): {elapsed_units:.1f} s wall ({cpu_units:.1f} s CPU), peak memory of the "
        f"call {peak_units:.2f} GB; process peak RSS {rss:.2f} GB"
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
