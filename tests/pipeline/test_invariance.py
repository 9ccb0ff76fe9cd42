"""Measurement invariance against lavaan (group.equal), semTools (measEq.syntax) and lavTestLRT."""

import numpy as np
import pytest
from ordinal_fixtures import LIKERT_PLAIN, ORDINAL_MODEL, data, ordinal_golden, robust_golden
from psychometric_fixtures import HS_MODEL, LIKERT_MODEL, golden, load

from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.invariance import (
    INVARIANCE_COLUMNS,
    LATENT_MEAN_COLUMNS,
    PARTIAL_SEARCH_COLUMNS,
    invariance_steps,
    latent_mean_differences,
    measurement_invariance,
)

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


# ---- ordered items (WLSMV, Wu & Estabrook) and MLR: chains against lavTestLRT -----------

ROBUST_CHAINS = [
    ("ordinal", "hs_we", "holzinger_ordinal", HS_MODEL, "school",
     {"estimator": "WLSMV", "missing": "listwise"}),
    ("ordinal", "hs_we_theta", "holzinger_ordinal", HS_MODEL, "school",
     {"estimator": "WLSMV", "missing": "listwise", "parameterization": "theta"}),
    ("ordinal", "sim_we", "ordinal", ORDINAL_MODEL, "group", {"estimator": "WLSMV"}),
    ("ordinal", "sim_we_partial", "ordinal", ORDINAL_MODEL, "group",
     {"estimator": "WLSMV", "group_partial": ["a3~1", "b2|t1"]}),
    ("ordinal", "likert_we_3groups", "likert_3groups",
     {"TRU": LIKERT_PLAIN["TRU"], "DIS": LIKERT_PLAIN["DIS"]}, "g3", {"estimator": "WLSMV"}),
    ("robust", "hs_invariance", "holzinger", HS_MODEL, "school", {"estimator": "MLR"}),
    ("robust", "hs_fiml_invariance", "holzinger_missing", HS_MODEL, "school",
     {"estimator": "MLR", "missing": "fiml"}),
    ("robust", "likert_partial", "likert", LIKERT_PLAIN, "side",
     {"estimator": "MLR", "missing": "fiml", "group_partial": ["tru2~1", "unf2~1", "dis2~1"]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "case", "name", "model", "group", "options"),
    ROBUST_CHAINS,
    ids=[c[1] for c in ROBUST_CHAINS],
)
def test_scaled_difference_tests_match_lavtestlrt(source, case, name, model, group, options):
    """Satorra (2000) scaled and shifted for WLSMV, Satorra-Bentler (2001) for MLR."""
    gold = (ordinal_golden if source == "ordinal" else robust_golden)(case)
    result = measurement_invariance(data(name), model, group, **options)
    table = result.table.set_index("step")
    assert list(table.index) == list(gold["steps"])
    version = ".scaled" if options["estimator"] == "WLSMV" else ".robust"
    for step, values in gold["steps"].items():
        fit = values["fit"]
        assert table.loc[step, "chisq"] == pytest.approx(fit["chisq"], abs=1e-3)
        assert table.loc[step, "chisq_scaled"] == pytest.approx(fit["chisq.scaled"], rel=1e-3)
        if fit["cfi" + version] is not None:
            assert table.loc[step, "cfi"] == pytest.approx(fit["cfi" + version], rel=1e-3)
            assert table.loc[step, "rmsea"] == pytest.approx(fit["rmsea" + version], abs=1e-3)
    for step, lrt in gold["lrt"].items():
        assert table.loc[step, "chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=1e-3)
        assert table.loc[step, "df_diff"] == lrt["df_diff"]
        assert table.loc[step, "pvalue_diff"] == pytest.approx(lrt["pvalue"], abs=1e-3)


def test_ordinal_steps_follow_wu_estabrook():
    assert invariance_steps("WLSMV") == ("configural", "thresholds", "metric", "scalar")
    assert invariance_steps("WLSMV", "theta")[-1] == "strict"
    with pytest.raises(PsychometricsError, match="thresholds"):
        measurement_invariance(load("likert"), LIKERT_MODEL, "side", estimator="WLSMV",
                               steps=["configural", "metric"])  # fmt: skip


@pytest.mark.parametrize("estimator", ["ML", "WLSMV"])
def test_partial_search_frees_the_shifted_intercept(estimator):
    """The simulated informal actors answer item 2 of each scale higher: scalar invariance
    fails, and releasing intercepts by their score tests reaches partial invariance."""
    result = measurement_invariance(load("likert"), LIKERT_MODEL, "side", estimator=estimator,
                                    steps=invariance_steps(estimator)[:-1]
                                    if estimator == "ML" else None,
                                    partial_search=True)  # fmt: skip
    table = result.table.set_index("step")
    assert table.loc["scalar", "holds"]
    released = table.loc["scalar", "group_partial"].split(", ")
    assert released[0] in {"tru2~1", "unf2~1", "dis2~1"}
    assert "partial scalar invariance holds" in table.loc["scalar", "verdict"]
    assert tuple(result.partial_search.columns) == PARTIAL_SEARCH_COLUMNS
    assert list(result.partial_search["released"]) == released
    assert result.partial_search["score_pvalue"].max() < 0.05
    assert result.highest_level == "scalar"
    assert not result.full_invariance("scalar") and result.full_invariance("metric")
    latent = latent_mean_differences(load("likert"), LIKERT_MODEL, "side", result.fits["scalar"])
    assert tuple(latent.columns) == LATENT_MEAN_COLUMNS
    assert set(latent["group_partial"]) == {", ".join(sorted(released))}
    # the informal side's simulated trust is 0.3 SD lower
    assert latent.set_index("factor").loc["TRU", "std_estimate"] < 0


def test_partial_search_keeps_two_invariant_items_per_factor():
    model = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}
    frame = data("ordinal")
    for item in ("a1", "a2", "a3"):  # every item of A shifted for one group
        frame.loc[frame["group"] == "informal", item] = np.clip(
            frame.loc[frame["group"] == "informal", item] + 1, 1, 5
        )
    result = measurement_invariance(frame, model, "group", steps=["configural", "metric",
                                    "scalar"], missing="fiml", partial_search=True)  # fmt: skip
    released = [r for r in result.table.set_index("step").loc["scalar", "group_partial"]
                .split(", ") if r.startswith("a")]  # fmt: skip
    assert len(released) <= 1
