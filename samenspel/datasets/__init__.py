"""Public data sets shipped with samenspel, for the examples in the documentation and for
trying the psychometric functions on data whose results are published (as pingouin's
``read_dataset``). Their sources and licences are in this folder's README.md.

>>> from samenspel.datasets import read_dataset
>>> read_dataset("holzinger_ordinal").shape
(301, 11)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).parent
# name -> what it is; the file is FOLDER / f"{name}.csv"
DATASETS = {
    "holzinger_swineford": "Holzinger & Swineford (1939): nine mental-ability tests of 301 "
    "pupils of two schools (lavaan's HolzingerSwineford1939: id, school, x1-x9)",
    "holzinger_swineford_missing": "the same with 12% of the x answers deleted at random",
    "holzinger_ordinal": "the same nine tests cut into four ordered categories at their "
    "quartiles (1-4), for ordinal (WLSMV) models",
    "holzinger_ordinal_missing": "the ordinal version with 12% of the answers deleted at random",
    "bfi": "the first 800 respondents of psych's bfi: 25 six-point personality items "
    "(A1-O5) and gender, from the SAPA project",
    "political_democracy": "Bollen (1989): industrialisation and political democracy in 75 "
    "developing countries (lavaan's PoliticalDemocracy: y1-y8, x1-x3)",
}


def list_datasets() -> dict[str, str]:
    """The data sets by name, with what each one is."""
    return dict(DATASETS)


def read_dataset(name: str) -> pd.DataFrame:
    """One of :data:`DATASETS` as a data frame (a fresh copy on every call)."""
    if name not in DATASETS:
        raise ValueError(f"no data set {name!r}; there are: {', '.join(DATASETS)}")
    return pd.read_csv(FOLDER / f"{name}.csv", index_col=0 if name == "bfi" else None)
