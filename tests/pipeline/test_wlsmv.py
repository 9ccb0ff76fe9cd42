"""Ordinal CFA (WLSMV) against lavaan 0.6 and semTools (tests/r/golden_ordinal.R)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from ordinal_fixtures import (
    BFI_BIFACTOR,
    BFI_MODEL,
    LIKERT_PLAIN,
    ORDINAL_MODEL,
    assert_fit,
    data,
    ordinal_golden,
)
from psychometric_fixtures import HS_MODEL, assert_modification_indices, assert_parameters

from samenspel.pipeline.psychometrics.cfa import (
    MODIFICATION_COLUMNS,
    ROBUST_FIT_MEASURES,
    SCORE_TEST_COLUMNS,
    fit_cfa,
    fit_measure_names,
)
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError

WE_STEPS = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
    "strict": ("thresholds", "loadings", "intercepts", "residuals"),
}
TRU_DIS = {"TRU": LIKERT_PLAIN["TRU"], "DIS": LIKERT_PLAIN["DIS"]}
SINGLE = [
    ("hs", "holzinger_ordinal", HS_MODEL, {"missing": "listwise", "marker": "first"}),
    ("hs_theta", "holzinger_ordinal", HS_MODEL,
     {"missing": "listwise", "marker": "first", "parameterization": "theta"}),
    ("hs_std_lv", "holzinger_ordinal", HS_MODEL, {"missing": "listwise", "std_lv": True}),
    ("hs_pairwise", "holzinger_ordinal_missing", HS_MODEL, {"marker": "first"}),
    ("sim_pairwise", "ordinal", ORDINAL_MODEL, {"marker": "first"}),
    ("bfi_pairwise", "bfi", BFI_MODEL, {"marker": "first"}),
    ("bfi_bifactor", "bfi", BFI_BIFACTOR, {"std_lv": True, "orthogonal": True}),
    ("hs_groups", "holzinger_ordinal", HS_MODEL,
     {"missing": "listwise", "marker": "first", "group": "school"}),
    ("hs_groups_theta", "holzinger_ordinal", HS_MODEL,
     {"missing": "listwise", "marker": "first", "group": "school", "parameterization": "theta"}),
    ("hs_binary", "holzinger_binary", HS_MODEL,
     {"missing": "listwise", "marker": "first", "residual_covariances": [("x7", "x8")]}),
]  # fmt: skip
CHAINS = [
    ("hs_we", "holzinger_ordinal", HS_MODEL, "school", {"missing": "listwise"}),
    ("hs_we_theta", "holzinger_ordinal", HS_MODEL, "school",
     {"missing": "listwise", "parameterization": "theta"}),
    ("sim_we", "ordinal", ORDINAL_MODEL, "group", {}),
    ("sim_we_partial", "ordinal", ORDINAL_MODEL, "group", {"group_partial": ["a3~1", "b2|t1"]}),
    ("likert_we_3groups", "likert_3groups", TRU_DIS, "g3", {}),
]  # fmt: skip


def fit(name, model, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # near-Heywood residual variances, as lavaan warns
        return fit_cfa(data(name), model, estimator="WLSMV", **options)


@pytest.mark.parametrize(("case", "name", "model", "options"), SINGLE, ids=[c[0] for c in SINGLE])
def test_fits_match_lavaan(case, name, model, options):
    gold = ordinal_golden(case)
    result = fit(name, model, **options)
    assert result.n_obs == tuple(gold["n_obs"])
    assert tuple(result.fit) == fit_measure_names("WLSMV")
    assert set(ROBUST_FIT_MEASURES) <= set(result.fit)
    assert_fit(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])


@pytest.mark.parametrize(
    ("case", "name", "model", "group", "options"), CHAINS, ids=[c[0] for c in CHAINS]
)
def test_wu_estabrook_steps_match_semtools(case, name, model, group, options):
    """Each step as semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016") fitted by lavaan."""
    gold = ordinal_golden(case)["steps"]
    for step, values in gold.items():
        result = fit(name, model, group=group, group_equal=WE_STEPS[step], std_lv=True, **options)
        assert_fit(result.fit, values["fit"])
        assert_parameters(result, values["params"])


def test_modification_indices_match_lavaan():
    gold = pd.DataFrame(ordinal_golden("hs")["mi"])
    ours = fit("holzinger_ordinal", HS_MODEL, missing="listwise", marker="first")
    table = ours.modification_indices()
    assert tuple(table.columns) == MODIFICATION_COLUMNS
    assert_modification_indices(table, gold)


def test_score_tests_of_equality_constraints_match_lavtestscore():
    gold = pd.DataFrame(ordinal_golden("sim_we_scalar_score"))
    result = fit("ordinal", ORDINAL_MODEL, group="group", std_lv=True,
                 group_equal=WE_STEPS["scalar"])  # fmt: skip
    tests = result.equality_score_tests()
    assert tuple(tests.columns) == SCORE_TEST_COLUMNS
    tests["group"] = tests["group"].map({g: i + 1 for i, g in enumerate(result.groups)})
    merged = gold.merge(tests, on=["lhs", "op", "rhs", "group"])
    assert len(merged) == len(gold)
    np.testing.assert_allclose(merged["x2_y"], merged["x2_x"], atol=1e-3)
    # the intercepts, equal by being 0 in both groups, are tested as modification indices
    assert set(tests.loc[tests["op"] == "~1", "label"]) == {f"{i}~1" for i in result.items}


def test_reverse_keyed_item_points_the_factor():
    frame = data("ordinal")
    model = {"A": ["a1", "a2", "a3", "-a4", "a5"], "B": ["b1", "b2", "b3", "b4", "-b5"]}
    result = fit_cfa(frame, model, estimator="WLSMV")
    loadings = result.loadings().set_index("rhs")["std_all"]
    assert loadings["a4"] < 0 < loadings["a1"]


def test_strict_needs_the_theta_parameterisation():
    with pytest.raises(PsychometricsError, match="parameterization='theta'"):
        fit("ordinal", ORDINAL_MODEL, group="group", group_equal=WE_STEPS["strict"])


def test_options_are_checked():
    frame = data("ordinal")
    with pytest.raises(PsychometricsError, match="WLSMV"):
        fit_cfa(frame, ORDINAL_MODEL, ordered=["a1"], estimator="ML")
    with pytest.raises(PsychometricsError, match="mix of ordered and continuous"):
        fit_cfa(frame, ORDINAL_MODEL, ordered=["a1"], estimator="WLSMV")
    with pytest.raises(PsychometricsError, match="ordered items"):
        fit_cfa(frame, ORDINAL_MODEL, group="group", group_equal=["thresholds"])
    with pytest.raises(PsychometricsError, match="'ML', 'MLR', 'WLSMV'"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="ULS")
    with pytest.raises(PsychometricsError, match="pairwise"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="WLSMV", missing="fiml")
    with pytest.raises(PsychometricsError, match="'delta', 'theta'"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="WLSMV", parameterization="gamma")
    with pytest.raises(PsychometricsError, match=r"\['a1~2'\] are not parameters"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="WLSMV", group="group",
                group_equal=["thresholds"], group_partial=["a1~2"])  # fmt: skip
    with pytest.raises(PsychometricsError, match="list of parameter names"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="WLSMV", group="group", group_partial="a1~1")


def test_empty_category_in_one_group_names_item_and_group():
    frame = data("ordinal")
    frame.loc[(frame["group"] == "informal") & (frame["b4"] == 1), "b4"] = 2
    with pytest.raises(PsychometricsError, match=r"'b4' has empty category \[1\].*'informal'"):
        fit_cfa(frame, ORDINAL_MODEL, estimator="WLSMV", group="group")


def test_polychoric_matrix_not_positive_definite_is_reported():
    """Pairwise missing answers: a6 and a7 both copy a1, except where they are answered
    together, where a7 reverses it; no single data set gives these three correlations."""
    frame = data("ordinal").dropna().reset_index(drop=True)
    first, second, both = slice(0, 150), slice(150, 300), slice(300, 380)
    for column in ("a6", "a7"):
        frame[column] = np.nan
    frame.loc[first, "a6"] = frame.loc[first, "a1"]
    frame.loc[second, "a7"] = frame.loc[second, "a1"]
    frame.loc[both, "a6"] = frame.loc[both, "a1"]
    frame.loc[both, "a7"] = 6 - frame.loc[both, "a1"]
    model = {"A": [*ORDINAL_MODEL["A"], "a6", "a7"], "B": ORDINAL_MODEL["B"]}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(nearly 1|Heywood)")
        with pytest.warns(UserWarning, match="not positive definite"):
            result = fit_cfa(frame, model, estimator="WLSMV")
    assert np.isnan(result.fit["cfi.robust"])
    assert np.isfinite(result.fit["cfi.scaled"])


def test_non_convergence_is_reported():
    with pytest.raises(PsychometricsError, match="did not converge"):
        fit_cfa(data("ordinal"), ORDINAL_MODEL, estimator="WLSMV", max_iter=1)


def test_missing_answers_are_used_pairwise_by_default_and_stated():
    result = fit_cfa(data("ordinal"), ORDINAL_MODEL, estimator="WLSMV")
    assert result.missing == "pairwise"
    assert result.estimator == "WLSMV"
    assert result.parameterization == "delta"
    listwise = fit_cfa(data("ordinal"), ORDINAL_MODEL, estimator="WLSMV", missing="listwise")
    assert listwise.n_total < result.n_total


def test_saturated_one_factor_model_of_three_items_fits():
    # df = 0 (ordinal omega of a three-item scale): the robust (catML) correction has nothing
    # to correct; lavaan 0.6.14 reports cfi.robust = tli.robust = 1, rmsea.robust and its CI 0
    fit = fit_cfa(data("holzinger_ordinal"), {"f": ["x1", "x2", "x3"]}, estimator="WLSMV")
    assert fit.fit["df"] == 0
    assert fit.fit["chisq"] == pytest.approx(0, abs=1e-8)
    assert (fit.fit["cfi.robust"], fit.fit["tli.robust"], fit.fit["rni.robust"]) == (1, 1, 1)
    assert fit.fit["rmsea.robust"] == fit.fit["rmsea.ci.upper.robust"] == 0
    assert np.isnan(fit.fit["rmsea.pvalue.robust"])
    loadings = fit.parameters[fit.parameters.op == "=~"]
    assert (loadings.std_all > 0.4).all()
