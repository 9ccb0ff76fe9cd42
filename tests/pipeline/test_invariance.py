"""Measurement invariance against lavaan (group.equal) and lavTestLRT."""

import numpy as np
import pytest
from psychometric_fixtures import HS_MODEL, LIKERT_MODEL, golden, load
from samenspel.pipeline.factor_model import PsychometricsError
from samenspel.pipeline.invariance import INVARIANCE_COLUMNS, measurement_invariance

CASES = [
    ("hs_invariance", "holzinger", HS_MODEL, "school", "listwise"),
    ("likert_invariance", "likert", LIKERT_MODEL, "side", "listwise"),
    ("hs_fiml_invariance", "holzinger_missing", HS_MODEL, "school", "fiml"),
]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    name, data, model, group, missing = request.param
    return name, measurement_invariance(load(data), model, group, missing=missing)


def test_steps_match_lavaan(case):
    name, result = case
    gold = golden("cfa")[name]
    table = result.table.set_index("step")
    assert tuple(result.table.columns) == INVARIANCE_COLUMNS
    for step, values in gold["steps"].items():
        for measure in ("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
            assert table.loc[step, measure] == pytest.approx(values["fit"][measure], abs=1e-3)
        assert table.loc[step, "rmsea.ci.lower"] == pytest.approx(
            values["fit"]["rmsea.ci.lower"], abs=1e-3
        )
    for step, lrt in gold["lrt"].items():
        assert table.loc[step, "chisq_diff"] == pytest.approx(lrt["chisq_diff"], abs=1e-3)
        assert table.loc[step, "df_diff"] == lrt["df_diff"]
        assert table.loc[step, "pvalue_diff"] == pytest.approx(lrt["pvalue"], abs=1e-4)


def test_deltas_are_differences_with_the_previous_step(case):
    _, result = case
    table = result.table
    np.testing.assert_allclose(table["delta_cfi"].iloc[1:], np.diff(table["cfi"]))
    np.testing.assert_allclose(table["delta_rmsea"].iloc[1:], np.diff(table["rmsea"]))
    assert np.isnan(table["delta_cfi"].iloc[0])


def test_verdicts_follow_the_criteria():
    result = measurement_invariance(load("likert"), LIKERT_MODEL, "side")
    table = result.table.set_index("step")
    # the simulated data shift one intercept per scale for informal actors
    assert table.loc["configural", "holds"]
    assert table.loc["metric", "holds"]
    assert not table.loc["scalar", "holds"]
    assert "delta_cfi" in table.loc["scalar", "verdict"]
    assert result.highest_level == "metric"


def test_holzinger_configural_fit_fails_hu_bentler():
    result = measurement_invariance(load("holzinger"), HS_MODEL, "school", steps=["configural"])
    assert result.highest_level is None
    assert "cfi" in result.table.verdict[0]


def test_one_group_is_refused():
    data = load("likert")
    data["side"] = "professional"
    with pytest.raises(PsychometricsError, match="at least two groups"):
        measurement_invariance(data, LIKERT_MODEL, "side")


def test_steps_must_be_a_leading_part():
    with pytest.raises(ValueError, match="configural"):
        measurement_invariance(load("likert"), LIKERT_MODEL, "side", steps=["metric"])
