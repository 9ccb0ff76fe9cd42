"""Robust ML (MLR), fixed loadings, bifactor models and score tests against lavaan 0.6."""

import numpy as np
import pandas as pd
import pytest
from ordinal_fixtures import (
    HS_BIFACTOR,
    LIKERT_PLAIN,
    assert_fit,
    data,
    robust_golden,
)
from psychometric_fixtures import HS_MODEL, assert_parameters

from samenspel.pipeline.psychometrics.cfa import fit_cfa, fit_measure_names
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError, parse_factor_model

STEPS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
SINGLE = [
    ("hs", "holzinger", HS_MODEL, {}),
    ("hs_fiml", "holzinger_missing", HS_MODEL, {"missing": "fiml"}),
    ("likert_fiml", "likert", LIKERT_PLAIN, {"missing": "fiml"}),
    ("hs_groups", "holzinger", HS_MODEL, {"group": "school"}),
    ("hs_bifactor_mlr", "holzinger_missing", HS_BIFACTOR,
     {"missing": "fiml", "std_lv": True, "orthogonal": True}),
]  # fmt: skip
CHAINS = [
    ("hs_invariance", "holzinger", HS_MODEL, "school", {}),
    ("hs_fiml_invariance", "holzinger_missing", HS_MODEL, "school", {"missing": "fiml"}),
    ("likert_partial", "likert", LIKERT_PLAIN, "side",
     {"missing": "fiml", "group_partial": ["tru2~1", "unf2~1", "dis2~1"]}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "name", "model", "options"), SINGLE, ids=[c[0] for c in SINGLE])
def test_fits_match_lavaan(case, name, model, options):
    gold = robust_golden(case)
    result = fit_cfa(data(name), model, estimator="MLR", **options)
    assert tuple(result.fit) == fit_measure_names("MLR")
    assert_fit(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])


@pytest.mark.parametrize(
    ("case", "name", "model", "group", "options"), CHAINS, ids=[c[0] for c in CHAINS]
)
def test_invariance_steps_with_group_partial_match_lavaan(case, name, model, group, options):
    gold = robust_golden(case)["steps"]
    for step, values in gold.items():
        result = fit_cfa(data(name), model, estimator="MLR", group=group,
                         group_equal=STEPS[step], **options)  # fmt: skip
        assert_fit(result.fit, values["fit"])
        assert_parameters(result, values["params"])


def test_fixed_loading_matches_lavaan():
    gold = robust_golden("hs_fixed")
    model = {**HS_MODEL, "visual": ["x1", "0.6*x2", "x3"]}
    result = fit_cfa(data("holzinger"), model)
    assert_fit(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])
    loading = result.loadings().set_index("rhs").loc["x2"]
    assert loading["est"] == 0.6 and not loading["free"]


def test_fixed_value_syntax():
    parsed = parse_factor_model({"f": ["x1", "0.5*-x2", " -0.25 * x3"]})
    assert parsed.fixed == {("f", "x2"): 0.5, ("f", "x3"): -0.25}
    assert parsed.reverse_keyed == frozenset({"x2"})
    with pytest.raises(PsychometricsError, match="'value\\*item'"):
        parse_factor_model({"f": ["a*x1", "x2", "x3"]})


def test_orthogonal_factors_have_no_covariances():
    result = fit_cfa(data("holzinger"), HS_MODEL, orthogonal=True)
    covariances = result.parameters[
        (result.parameters["op"] == "~~")
        & result.parameters["lhs"].isin(HS_MODEL)
        & (result.parameters["lhs"] != result.parameters["rhs"])
    ]
    assert len(covariances) == 3 and not covariances["free"].any()
    assert (covariances["est"] == 0).all()
    assert result.fit["df"] == 27


def test_score_tests_of_equality_constraints_match_lavtestscore():
    gold = pd.DataFrame(robust_golden("likert_scalar_score"))
    gold["rhs"] = gold["rhs"].fillna("")
    result = fit_cfa(data("likert"), LIKERT_PLAIN, group="side",
                     group_equal=("loadings", "intercepts"))  # fmt: skip
    tests = result.equality_score_tests()
    tests["group"] = tests["group"].map({g: i + 1 for i, g in enumerate(result.groups)})
    merged = gold.merge(tests, on=["lhs", "op", "rhs", "group"])
    assert len(merged) == len(gold) == len(tests)
    np.testing.assert_allclose(merged["x2_y"], merged["x2_x"], atol=1e-3)
    # the simulated data shift item 2 of each scale for informal actors
    assert tests["label"].iloc[0] in {"tru2~1", "unf2~1", "dis2~1"}
