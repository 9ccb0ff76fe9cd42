"""The one-call psychometric stage: tables, documented columns, checks against criteria."""

import time

import pytest
from psychometric_fixtures import LIKERT_MODEL, load

from samenspel.pipeline.psychometrics import aggregation as aggregation
from samenspel.pipeline.psychometrics import cfa, efa, invariance, reliability, validity
from samenspel.pipeline.psychometrics.criteria import CRITERIA, CRITERIA_COLUMNS
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.tables import (
    CHECK_COLUMNS,
    COL_ESTIMATOR,
    COMPARED_MEASURES,
    ESTIMATOR_COMPARISON_COLUMNS,
    TABLE_DESCRIPTIONS,
    psychometric_tables,
)


@pytest.fixture(scope="module")
def tables():
    start = time.perf_counter()
    result = psychometric_tables(
        load("likert"), LIKERT_MODEL, 1, 5, group="side", cluster="area", compare_estimator="WLSMV"
    )
    result["_seconds"] = time.perf_counter() - start
    return result


def test_every_documented_table_is_returned(tables):
    # latent means only where scalar invariance holds: not between these sides
    assert set(TABLE_DESCRIPTIONS) - {"latent_means"} <= set(tables)


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("criteria", CRITERIA_COLUMNS),
        ("checks", CHECK_COLUMNS),
        ("items", reliability.ITEM_COLUMNS),
        ("reliability", reliability.RELIABILITY_COLUMNS),
        ("kmo", efa.KMO_COLUMNS),
        ("parallel_analysis", efa.PARALLEL_COLUMNS),
        ("cfa_fit", (cfa.COL_MEASURE, cfa.COL_VALUE, COL_ESTIMATOR)),
        ("cfa_parameters", (*cfa.PARAMETER_COLUMNS, COL_ESTIMATOR)),
        ("validity", (*validity.VALIDITY_COLUMNS, COL_ESTIMATOR)),
        ("htmt", validity.HTMT_COLUMNS),
        ("modification_indices", (*cfa.MODIFICATION_COLUMNS, COL_ESTIMATOR)),
        ("invariance", invariance.INVARIANCE_COLUMNS),
        ("aggregation", aggregation.ICC_COLUMNS),
    ],
)
def test_columns_are_the_documented_constants(tables, name, columns):
    assert tuple(tables[name].columns) == columns


def test_fit_measures_carry_lavaan_names(tables):
    assert tuple(tables["cfa_fit"]["measure"]) == cfa.FIT_MEASURES


def test_checks_put_each_figure_beside_its_criterion(tables):
    checks = tables["checks"]
    assert set(checks["check"]) == {c.check for c in CRITERIA}
    scalar = checks[(checks.subject == "scalar") & (checks.statistic == "delta_cfi")]
    assert not scalar.meets.iloc[0]
    alpha = checks[(checks.subject == "TRU") & (checks.statistic == "alpha")].iloc[0]
    assert alpha.meets == (alpha.value >= 0.70)
    assert checks.meets.notna().all()


def test_efa_loadings_are_indexed_by_item(tables):
    assert list(tables["efa_loadings"]["item"]) == [
        i.lstrip("-") for items in LIKERT_MODEL.values() for i in items
    ]


def test_stage_is_fast(tables):
    assert tables["_seconds"] < 20


def test_degenerate_data_give_a_psychometrics_error():
    data = load("likert").head(3)
    with pytest.raises(PsychometricsError):
        psychometric_tables(data, LIKERT_MODEL, 1, 5)


def test_ordinal_and_continuous_treatments_side_by_side(tables):
    comparison = tables["estimator_comparison"]
    assert tuple(comparison.columns) == ESTIMATOR_COMPARISON_COLUMNS
    assert list(comparison["measure"]) == list(COMPARED_MEASURES)
    assert set(comparison["ordinal_estimator"]) == {"WLSMV"}
    assert set(comparison["continuous_estimator"]) == {"ML"}
    row = comparison.set_index("measure")
    assert row.loc["cfi", "continuous"] == pytest.approx(
        tables["cfa_fit"].set_index("measure").loc["cfi", "value"]
    )
    # thresholds and polychorics: standardised loadings are larger than from Pearson covariances
    assert row.loc["mean_abs_loading", "difference"] > 0


def test_checks_name_estimator_and_measure():
    ordinal = psychometric_tables(load("likert"), LIKERT_MODEL, 1, 5, estimator="WLSMV")
    checks = ordinal["checks"]
    fit = checks[checks.check == "global fit"].set_index("statistic")
    assert set(fit.index) == {"cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr"}
    assert set(fit["estimator"]) == {"WLSMV"}
    assert fit.loc["cfi.scaled", "value"] == pytest.approx(
        ordinal["cfa_fit"].set_index("measure").loc["cfi.scaled", "value"]
    )
    alpha = checks[checks.statistic == "alpha"]
    assert set(alpha["estimator"]) == {"Pearson covariances"}


def test_comparison_needs_one_ordinal_treatment():
    with pytest.raises(PsychometricsError, match="WLSMV"):
        psychometric_tables(load("likert"), LIKERT_MODEL, 1, 5, compare_estimator="MLR")
