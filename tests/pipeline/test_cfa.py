"""The ML CFA engine against lavaan 0.6 (tests/r/golden.R)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import (
    BFI_MODEL,
    HS_MODEL,
    LIKERT_MODEL,
    assert_modification_indices,
    assert_parameters,
    golden,
    load,
)

from samenspel.pipeline.psychometrics.cfa import (
    FIT_MEASURES,
    MODIFICATION_COLUMNS,
    PARAMETER_COLUMNS,
    fit_cfa,
)
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError

SINGLE = [
    ("hs", "holzinger", HS_MODEL, {}),
    ("hs_meanstructure", "holzinger", HS_MODEL, {"meanstructure": True}),
    ("bfi_listwise", "bfi", BFI_MODEL, {"marker": "first"}),
    ("likert", "likert", LIKERT_MODEL, {}),
    ("hs_fiml", "holzinger_missing", HS_MODEL, {"missing": "fiml"}),
    ("likert_fiml", "likert", LIKERT_MODEL, {"missing": "fiml"}),
]
STEPS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
MULTI = [
    (case, name, model, group, missing, step)
    for case, name, model, group, missing in [
        ("hs_invariance", "holzinger", HS_MODEL, "school", "listwise"),
        ("likert_invariance", "likert", LIKERT_MODEL, "side", "listwise"),
        ("hs_fiml_invariance", "holzinger_missing", HS_MODEL, "school", "fiml"),
    ]
    for step in STEPS
]


def assert_fit_matches(ours: dict, gold: dict) -> None:
    for measure, value in gold.items():
        assert measure in FIT_MEASURES
        if value is None:  # NA in lavaan
            assert np.isnan(ours[measure]), measure
        else:
            assert ours[measure] == pytest.approx(value, abs=1e-3), measure


@pytest.mark.parametrize(("case", "name", "model", "options"), SINGLE)
def test_single_group_matches_lavaan(case, name, model, options):
    gold = golden("cfa")[case]
    result = fit_cfa(load(name), model, **options)
    assert result.n_obs == tuple(gold["n_obs"])
    assert_fit_matches(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])
    assert tuple(result.parameters.columns) == PARAMETER_COLUMNS


@pytest.mark.parametrize(("case", "name", "model", "group", "missing", "step"), MULTI)
def test_multiple_groups_with_constraints_match_lavaan(case, name, model, group, missing, step):
    gold = golden("cfa")[case]["steps"][step]
    result = fit_cfa(load(name), model, group=group, group_equal=STEPS[step], missing=missing)
    assert_fit_matches(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])


@pytest.mark.parametrize(
    ("case", "name", "model"),
    [("hs", "holzinger", HS_MODEL), ("likert", "likert", LIKERT_MODEL)],
)
def test_modification_indices_match_lavaan(case, name, model):
    gold = pd.DataFrame(golden("cfa")[case]["mi"])
    ours = fit_cfa(load(name), model).modification_indices()
    assert tuple(ours.columns) == MODIFICATION_COLUMNS
    assert_modification_indices(ours, gold)


def test_default_marker_is_the_first_keyed_item():
    # lavaan (and marker="first") would fix reverse-keyed A1; we fix A2, so the factor
    # points in the keyed direction; the fit and the |standardised loadings| are the same
    ours = fit_cfa(load("bfi"), BFI_MODEL)
    gold = golden("cfa")["bfi_listwise"]
    assert ours.fit["chisq"] == pytest.approx(gold["fit"]["chisq"], abs=1e-3)
    loadings = ours.loadings().set_index("rhs")
    assert loadings.loc["A2", "est"] == 1.0
    assert loadings.loc["A1", "std_all"] < 0


def test_reverse_keyed_item_gets_a_negative_loading():
    result = fit_cfa(load("likert"), LIKERT_MODEL)
    loadings = result.loadings().set_index("rhs")
    assert loadings.loc["tru4", "std_all"] < 0 < loadings.loc["tru1", "std_all"]


def test_std_lv_gives_the_same_fit():
    marker = fit_cfa(load("holzinger"), HS_MODEL)
    unit = fit_cfa(load("holzinger"), HS_MODEL, std_lv=True)
    assert unit.fit["chisq"] == pytest.approx(marker.fit["chisq"], abs=1e-6)
    np.testing.assert_allclose(unit.loadings()["std_all"], marker.loadings()["std_all"], atol=1e-6)


def test_residual_covariances_match_lavaan_political_democracy():
    gold = golden("cfa")["political_democracy"]
    model = {"dem60": ["y1", "y2", "y3", "y4"], "dem65": ["y5", "y6", "y7", "y8"]}
    pairs = [("y1", "y5"), ("y2", "y4"), ("y2", "y6"), ("y3", "y7"), ("y4", "y8"), ("y6", "y8")]
    result = fit_cfa(load("political_democracy"), model, residual_covariances=pairs)
    assert_fit_matches(result.fit, gold["fit"])
    assert_parameters(result, gold["params"])
    mi = pd.DataFrame(gold["mi"]).merge(
        result.modification_indices(), on=["lhs", "op", "rhs"], suffixes=("_r", "")
    )
    assert len(mi) == len(gold["mi"])
    np.testing.assert_allclose(mi["mi"], mi["mi_r"], atol=1e-3)


def test_residual_covariance_lowers_chisq_by_about_its_mi():
    data = load("holzinger")
    base = fit_cfa(data, HS_MODEL)
    mi = base.modification_indices().set_index(["lhs", "rhs"]).loc[("x7", "x8"), "mi"]
    freed = fit_cfa(data, HS_MODEL, residual_covariances=[("x7", "x8")])
    assert freed.fit["df"] == base.fit["df"] - 1
    assert base.fit["chisq"] - freed.fit["chisq"] == pytest.approx(mi, rel=0.3)


def test_non_positive_definite_covariance_is_refused():
    data = load("holzinger")
    data["x10"] = data["x7"] + data["x8"] - data["x9"]
    with pytest.raises(PsychometricsError, match="not positive definite"):
        fit_cfa(data, {**HS_MODEL, "speed": ["x7", "x8", "x9", "x10"]})


def test_zero_variance_item_is_refused():
    data = load("holzinger")
    data["x1"] = 3.0
    with pytest.raises(PsychometricsError, match="zero variance"):
        fit_cfa(data, HS_MODEL)


def test_too_few_respondents_for_the_parameters():
    with pytest.raises(PsychometricsError, match="too few respondents"):
        fit_cfa(load("holzinger").head(15), HS_MODEL)


def test_group_with_a_single_respondent_is_refused():
    data = load("holzinger")
    data.loc[0, "school"] = "Elsewhere"
    with pytest.raises(PsychometricsError, match="Elsewhere"):
        fit_cfa(data, HS_MODEL, group="school")


def test_non_convergence_is_reported():
    with pytest.raises(PsychometricsError, match="did not converge"):
        fit_cfa(load("holzinger"), HS_MODEL, max_iter=1)


def test_unidentified_model_is_refused():
    with pytest.raises(PsychometricsError, match="not identified"):
        fit_cfa(load("holzinger"), {"a": ["x1", "x2"]})


def test_bad_option_lists_the_choices():
    with pytest.raises(ValueError, match="fiml"):
        fit_cfa(load("holzinger"), HS_MODEL, missing="pairwise")


def test_caller_data_is_not_changed():
    data = load("likert")
    before = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_cfa(data, LIKERT_MODEL, missing="fiml", group="side")
    pd.testing.assert_frame_equal(data, before)


def test_fit_does_not_depend_on_the_scale_of_an_item():
    data = load("holzinger")
    base = fit_cfa(data, HS_MODEL)
    data["x1"] = data["x1"] * 100
    scaled = fit_cfa(data, HS_MODEL)
    assert scaled.fit["chisq"] == pytest.approx(base.fit["chisq"], abs=1e-6)
    np.testing.assert_allclose(scaled.loadings()["std_all"], base.loadings()["std_all"], atol=1e-6)


def test_start_values_from_a_fitted_model_give_the_same_solution():
    data = load("likert")
    configural = fit_cfa(data, LIKERT_MODEL, group="side")
    metric = fit_cfa(data, LIKERT_MODEL, group="side", group_equal=["loadings"])
    warm = fit_cfa(data, LIKERT_MODEL, group="side", group_equal=["loadings"], start=configural)
    assert warm.fit["chisq"] == pytest.approx(metric.fit["chisq"], abs=1e-6)
