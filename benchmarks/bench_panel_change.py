"""Benchmark: the change between waves in process, independent and panel-aware.

    python benchmarks/bench_panel_change.py [--areas 300] [--waves 5] [--panel-share 0.5]

The data of :mod:`bench_index` (40 respondents a side and area, 2-6 units a side, 1,000
replicates) with a panel: in every wave the first ``--panel-share`` of each area x side x
unit's respondents carry the same respondent code. Prints the CPU time of the index, of
the change with the waves' replicates differenced as if independent, and of the
panel-aware change (:mod:`samenspel.pipeline.index.panel`).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd
from bench_index import national_data, unit_codes

from samenspel.pipeline.index.change import index_change
from samenspel.pipeline.index.estimate import hybridisation_index
from samenspel.pipeline.methodology import COMPONENTS, load_methodology


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=300)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--panel-share", type=float, default=0.5)
    args = parser.parse_args()
    method = load_methodology()
    frame = national_data(args.areas, args.waves, 40)
    units = unit_codes(frame)
    cell = [frame["area"], frame["side"], units, frame["wave"]]
    at = frame.groupby(cell).cumcount()
    size = frame.groupby(cell)["wave"].transform("size")
    person = frame["area"] + frame["side"] + units + "-" + at.astype(str)
    code = person.where(at < args.panel_share * size, person + "-" + frame["wave"])
    start = time.process_time()
    result = hybridisation_index(
        frame[list(COMPONENTS)], frame["area"], frame["wave"], frame["side"], method,
        replicates=1000, unit=units, respondent=code,
    )  # fmt: skip
    index_cpu = time.process_time() - start
    waves = [str(w) for w in range(args.waves)]
    start = time.process_time()
    index_change(dataclasses.replace(result, bootstrap=None), method, waves)
    independent_cpu = time.process_time() - start
    start = time.process_time()
    panel = index_change(result, method, waves)
    panel_cpu = time.process_time() - start
    print(
        f"{args.areas} areas x {args.waves} waves, 1,000 replicates: index {index_cpu:.1f} s "
        f"CPU; change, independent {independent_cpu:.1f} s; panel-aware {panel_cpu:.1f} s "
        f"({panel_cpu / len(panel) * 1000:.1f} ms an area and pair of waves, {len(panel):,} "
        f"of them; median {np.median(panel['panel_respondents']):.0f} respondents and "
        f"{pd.Series(panel['panel_units']).median():.0f} units in both waves)"
    )


if __name__ == "__main__":
    main()
