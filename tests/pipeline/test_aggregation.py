"""ICC(1) and ICC(2) against the one-way ANOVA definitions (multilevel::ICC1/ICC2) in R."""

import pandas as pd
import pytest
from psychometric_fixtures import LIKERT_MODEL, golden, load

from samenspel.pipeline.psychometrics.aggregation import ICC_COLUMNS, intraclass_correlations
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError


def test_icc_matches_r():
    table = intraclass_correlations(load("likert"), LIKERT_MODEL, "area", 1, 5)
    assert tuple(table.columns) == ICC_COLUMNS
    for row in table.itertuples():
        gold = golden("aggregation")[row.scale]
        assert row.icc1 == pytest.approx(gold["icc1"], abs=1e-6)
        assert row.icc2 == pytest.approx(gold["icc2"], abs=1e-6)
        assert row.f == pytest.approx(gold["f"], abs=1e-6)
        assert row.n == gold["n"]
        assert row.n_clusters == gold["n_clusters"]


def test_one_cluster_is_refused():
    data = load("likert")
    data["area"] = "A01"
    with pytest.raises(PsychometricsError, match="at least two"):
        intraclass_correlations(data, LIKERT_MODEL, "area", 1, 5)


def test_constant_scores_are_refused():
    data = pd.DataFrame({"a": [3.0] * 6, "b": [3.0] * 6, "area": list("xxyyzz")})
    with pytest.raises(PsychometricsError, match="zero variance"):
        intraclass_correlations(data, {"S": ["a", "b"]}, "area", 1, 5)
