"""Shared inputs of the psychometrics tests: public data sets and R's golden values.

Plain cached loaders rather than conftest fixtures, so this file cannot collide with
another conftest.py. The data sets and golden JSON files are written by
tests/r/golden.R (R, lavaan, psych, semTools): the public ones ship with the package
(samenspel/datasets/); tests/fixtures/make_likert.py wrote the simulated Likert data.
"""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from samenspel.datasets import DATASETS, read_dataset

FIXTURES = Path(__file__).parents[1] / "fixtures"

HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
LIKERT_MODEL = {
    "TRU": ["tru1", "tru2", "tru3", "-tru4", "tru5"],
    "UNF": ["unf1", "unf2", "-unf3", "unf4", "unf5"],
    "DIS": ["dis1", "dis2", "dis3", "dis4", "dis5"],
}
BFI_MODEL = {
    "A": ["-A1", "A2", "A3", "A4", "A5"],
    "C": ["C1", "C2", "C3", "-C4", "-C5"],
    "E": ["-E1", "-E2", "E3", "E4", "E5"],
    "N": ["N1", "N2", "N3", "N4", "N5"],
    "O": ["O1", "-O2", "O3", "O4", "-O5"],
}


DATA_FILES = {
    "holzinger": "holzinger_swineford.csv",
    "holzinger_missing": "holzinger_swineford_missing.csv",
    "likert": "likert.csv",
    "bfi": "bfi.csv",
    "political_democracy": "political_democracy.csv",
}


@cache
def _read(name: str) -> pd.DataFrame:
    file = DATA_FILES[name]
    if file.removesuffix(".csv") in DATASETS:  # the public ones ship with samenspel
        return read_dataset(file.removesuffix(".csv"))
    return pd.read_csv(FIXTURES / "datasets" / file)


def load(name: str) -> pd.DataFrame:
    """A copy of a fixture data set (a key of DATA_FILES)."""
    return _read(name).copy()


@cache
def golden(name: str) -> dict:
    """R's golden values (tests/fixtures/r/<name>.json), keyed by case."""
    return json.loads((FIXTURES / "r" / f"{name}.json").read_text())["cases"]


def assert_parameters(result, rows) -> pd.DataFrame:
    """Estimates, SEs and standardised values of every parameter row agree."""
    gold = pd.DataFrame(rows)
    gold["rhs"] = gold["rhs"].fillna("")
    ours = result.parameters.copy()
    ours["group"] = ours["group"].map({g: i + 1 for i, g in enumerate(result.groups)})
    merged = gold.merge(ours, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""))
    assert len(merged) == len(gold) == len(ours)
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-3)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-3)
    return merged


def assert_modification_indices(table: pd.DataFrame, gold: pd.DataFrame) -> None:
    """Our modification indices and expected parameter changes agree with lavaan's rows."""
    merged = gold.merge(table, on=["lhs", "op", "rhs"], suffixes=("_r", ""))
    assert len(merged) == len(gold) == len(table)
    np.testing.assert_allclose(merged["mi"], merged["mi_r"], atol=1e-3)
    np.testing.assert_allclose(merged["epc"], merged["epc_r"], atol=1e-3)
    np.testing.assert_allclose(merged["sepc_all"], merged["sepc.all"], atol=1e-3)
