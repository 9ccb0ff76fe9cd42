"""Benchmark: our CFA estimators beside lavaan's on the same simulated data, and the stage.

    .venv/bin/python benchmarks/bench_cfa.py [--respondents 2000] [--stage-respondents 1500]

1. A 7-factor CFA of 45 five-point items (3 reverse-keyed per factor at most) on 2,000
   simulated respondents (seeded), with each estimator: ML and MLR on complete data and with
   3% missing answers under FIML, WLSMV (the items as ordered, missing answers pairwise) on
   both. lavaan's ``cfa()`` is timed on the same CSV in the same run when Rscript is
   installed (only the fit is timed, not R's start-up; best of 3 on complete data under
   ML/MLR, once otherwise: lavaan's FIML and WLSMV on 45 items take long, and a lavaan run
   is given up after ``--lavaan-timeout`` seconds); ours best of 3. The chi-squares (scaled
   where the estimator has one) are printed side by side.
2. The whole psychometric stage of one wave as the pipeline runs it
   (:func:`psychometric_tables` with sides and areas, WLSMV with the MLR comparison and the
   partial-invariance search) on 1,500 simulated respondents; the target is under 10 s.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from samenspel.pipeline.methodology import load_methodology
from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.tables import psychometric_tables

SEED = 20261122
FACTOR_SIZES = {"IGF": 6, "OGD": 5, "TRU": 10, "UNF": 6, "DIS": 10, "IND": 5, "COL": 3}
R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1])
model <- readLines(args[2])
missing <- args[3]
repeats <- as.integer(args[4])
estimator <- args[5]
ordered <- if (estimator == "WLSMV") names(data) else NULL
fit_once <- function() cfa(model, data = data, missing = missing, estimator = estimator,
                           ordered = ordered)
if (repeats > 1) fit <- fit_once()  # warm-up
times <- numeric(repeats)
for (i in seq_len(repeats)) times[i] <- system.time(fit <- fit_once())[["elapsed"]]
measure <- if (estimator == "ML") "chisq" else "chisq.scaled"
cat(sprintf('{"seconds": %.6f, "chisq": %.6f}\n', min(times), fitMeasures(fit, measure)))
"""
# (label, missing share, estimator, our missing option, lavaan's missing option, lavaan repeats)
CASES = (
    ("complete, ML", 0.0, "ML", "listwise", "listwise", 3),
    ("3% missing, ML FIML", 0.03, "ML", "fiml", "ml", 1),
    ("complete, MLR", 0.0, "MLR", "listwise", "listwise", 3),
    ("3% missing, MLR FIML", 0.03, "MLR", "fiml", "ml", 1),
    ("complete, WLSMV", 0.0, "WLSMV", "listwise", "listwise", 1),
    ("3% missing, WLSMV", 0.03, "WLSMV", "pairwise", "pairwise", 1),
)


def simulate(n: int, seed: int = SEED) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Seeded five-point answers for a 7-factor model; side and area columns included."""
    rng = np.random.default_rng(seed)
    m = len(FACTOR_SIZES)
    base = rng.uniform(0.2, 0.5, (m, m))
    phi = (base + base.T) / 2
    np.fill_diagonal(phi, 1.0)
    eta = rng.multivariate_normal(np.zeros(m), phi, n)
    area = rng.integers(0, 20, n)
    eta += rng.normal(0, 0.3, (20, m))[area]
    side = rng.random(n) < 0.5
    columns, model = {}, {}
    for k, (factor, size) in enumerate(FACTOR_SIZES.items()):
        items = []
        for i in range(size):
            code = f"{factor.lower()}{i + 1}"
            sign = -1.0 if i in (2, 5) and size > 4 else 1.0
            loading = rng.uniform(0.5, 0.85)
            latent = sign * loading * eta[:, k] + rng.normal(0, np.sqrt(1 - loading**2), n)
            cuts = np.sort(rng.normal(0, 0.2, 4) + np.array([-1.5, -0.5, 0.5, 1.5]))
            columns[code] = 1 + np.searchsorted(cuts, latent)
            items.append(f"-{code}" if sign < 0 else code)
        model[factor] = items
    data = pd.DataFrame(columns).astype(float)
    data.insert(0, "area", [f"A{a:02d}" for a in area])
    data.insert(0, "side", np.where(side, "professional", "informal"))
    return data, model


def with_missing(data: pd.DataFrame, share: float, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    items = data.columns[2:]
    out = data.copy()
    out[items] = out[items].mask(rng.random((len(out), len(items))) < share)
    return out


def lavaan_seconds(
    data: pd.DataFrame,
    model: dict[str, list[str]],
    missing: str,
    repeats: int,
    estimator: str,
    timeout: float,
):
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        syntax = Path(tmp) / "model.lav"
        script = Path(tmp) / "fit.R"
        data.drop(columns=["side", "area"]).to_csv(csv, index=False, na_rep="NA")
        syntax.write_text(
            "\n".join(
                f"{f} =~ " + " + ".join(i.lstrip("-") for i in items) for f, items in model.items()
            )
        )
        script.write_text(R_SCRIPT)
        try:
            run = subprocess.run(
                ["Rscript", str(script), str(csv), str(syntax), missing, str(repeats), estimator],
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return {"seconds": math.inf, "chisq": math.nan}
        if run.returncode != 0:
            print("lavaan failed:", run.stderr.strip()[-500:])
            return None
        return json.loads(run.stdout.strip().splitlines()[-1])


def best_of(fn, repeats: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--stage-respondents", type=int, default=1500)
    parser.add_argument(
        "--lavaan-timeout", type=float, default=600, help="seconds before lavaan is given up"
    )
    args = parser.parse_args()
    data, model = simulate(args.respondents)
    n_items = sum(len(v) for v in model.values())
    print(f"CFA: {len(model)} factors, {n_items} items, {len(data)} respondents")
    print(f"{'case':<24}{'ours (s)':>10}{'lavaan (s)':>12}{'chisq ours':>14}{'chisq lavaan':>14}")
    for label, share, estimator, missing, their_missing, repeats in CASES:
        frame = with_missing(data, share) if share else data

        def ours(frame=frame, estimator=estimator, missing=missing):
            return fit_cfa(frame, model, estimator=estimator, missing=missing)

        ours()  # warm-up
        seconds, fit = best_of(ours)
        theirs = lavaan_seconds(
            frame, model, their_missing, repeats, estimator, args.lavaan_timeout
        )
        chisq = fit.fit.get("chisq.scaled", fit.fit["chisq"])
        their_time = "n/a"
        if theirs:
            finished = math.isfinite(theirs["seconds"])
            their_time = f"{theirs['seconds']:.3f}" if finished else f"> {args.lavaan_timeout:.0f}"
        their_chisq = f"{theirs['chisq']:.3f}" if theirs else "n/a"
        print(f"{label:<24}{seconds:>10.3f}{their_time:>12}{chisq:>14.3f}{their_chisq:>14}")
    method = load_methodology()
    stage, stage_model = simulate(args.stage_respondents, SEED + 7)
    stage = with_missing(stage, 0.03)
    start = time.perf_counter()
    tables = psychometric_tables(
        stage, stage_model, 1, 5, group="side", cluster="area", standard_errors=False,
        estimator=method.cfa_estimator, parameterization=method.cfa_parameterization,
        compare_estimator=method.cfa_comparison, partial_search=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    print(
        f"whole psychometric stage of a wave ({len(stage)} respondents, "
        f"{method.cfa_estimator} with {method.cfa_comparison} beside it, invariance by side, "
        f"ICC by area): {elapsed:.2f} s, {len(tables)} tables"
    )


if __name__ == "__main__":
    main()
