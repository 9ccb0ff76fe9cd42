"""Shared inputs of the ordinal (WLSMV) and robust (MLR) tests: data sets and R's values.

The data sets and golden JSON files are written by tests/r/golden_ordinal.R (lavaan 0.6,
semTools); tests/fixtures/make_ordinal.py wrote the simulated ordinal data. Comparisons
follow the bar of the issue: 1e-3 absolute, scaled and robust statistics 1e-3 relative.
"""

import math
from functools import cache

import pandas as pd
from psychometric_fixtures import FIXTURES, HS_MODEL, LIKERT_MODEL

from samenspel.datasets import DATASETS, read_dataset

ORDINAL_MODEL = {"A": [f"a{i}" for i in range(1, 6)], "B": [f"b{i}" for i in range(1, 6)]}
BFI_MODEL = {k: [f"{k}{i}" for i in range(1, 6)] for k in "ACENO"}
BFI_BIFACTOR = {
    "g": [f"{k}{i}" for k in "ACE" for i in range(1, 6)],
    **{k: [f"{k}{i}" for i in range(1, 6)] for k in "ACE"},
}
HS_BIFACTOR = {"g": [f"x{i}" for i in range(1, 10)], **HS_MODEL}
LIKERT_PLAIN = {f: [i.lstrip("-") for i in items] for f, items in LIKERT_MODEL.items()}
FILES = {
    "holzinger": "holzinger_swineford.csv",
    "holzinger_missing": "holzinger_swineford_missing.csv",
    "holzinger_ordinal": "holzinger_ordinal.csv",
    "holzinger_ordinal_missing": "holzinger_ordinal_missing.csv",
    "ordinal": "ordinal.csv",
    "likert": "likert.csv",
    "bfi": "bfi.csv",
}
# measures compared with a relative tolerance (scaled and robust statistics)
_RELATIVE = (".scaled", ".robust", "scaling")


@cache
def _read(name: str) -> pd.DataFrame:
    file = FILES[name].removesuffix(".csv")
    if file in DATASETS:  # the public ones ship with samenspel
        return read_dataset(file)
    return pd.read_csv(FIXTURES / "datasets" / FILES[name])


def data(name: str) -> pd.DataFrame:
    """A copy of a data set: a key of FILES, ``holzinger_binary`` (each item split at its
    median into 1/2) or ``likert_3groups`` (group ``g3``: the area's number modulo 3), derived
    as tests/r/golden_ordinal.R derives them."""
    if name == "holzinger_binary":
        frame = _read("holzinger").copy()
        for item in (f"x{i}" for i in range(1, 10)):
            frame[item] = (frame[item] > frame[item].median()).astype(int) + 1
        return frame
    if name == "likert_3groups":
        frame = _read("likert").copy()
        number = pd.Categorical(frame["area"]).codes + 1
        frame["g3"] = [f"g{k % 3}" for k in number]
        return frame
    return _read(name).copy()


@cache
def _golden(name: str) -> dict:
    import json

    return json.loads((FIXTURES / "r" / f"{name}.json").read_text())["cases"]


def ordinal_golden(case: str) -> dict:
    return _golden("ordinal")[case]


def robust_golden(case: str) -> dict:
    return _golden("robust")[case]


def assert_fit(ours: dict, gold: dict) -> None:
    """Every measure we report that lavaan reports agrees (NA in lavaan: NaN here)."""
    compared = 0
    for measure, value in gold.items():
        if measure not in ours:
            continue
        compared += 1
        if value is None:
            assert math.isnan(ours[measure]), measure
            continue
        relative = any(tag in measure for tag in _RELATIVE)
        tolerance = 1e-3 * max(1.0, abs(value)) if relative else 1e-3
        assert abs(ours[measure] - value) <= tolerance, (measure, ours[measure], value)
    assert compared == len(ours), "every measure we report is checked against lavaan"
