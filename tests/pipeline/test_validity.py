"""CR, AVE and HTMT against lavaan's standardised solution and semTools::htmt."""

import numpy as np
import pandas as pd
import pytest
from psychometric_fixtures import BFI_MODEL, HS_MODEL, LIKERT_MODEL, golden, load

from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError
from samenspel.pipeline.psychometrics.validity import (
    HTMT_COLUMNS,
    VALIDITY_COLUMNS,
    convergent_validity,
    htmt,
)

CASES = [
    ("hs", "holzinger", HS_MODEL),
    ("likert", "likert", LIKERT_MODEL),
    ("bfi_listwise", "bfi", BFI_MODEL),
]


@pytest.mark.parametrize(("case", "name", "model"), CASES)
def test_composite_reliability_and_ave(case, name, model):
    gold = pd.DataFrame(golden("cfa")[case]["validity"]).set_index("factor")
    table = convergent_validity(fit_cfa(load(name), model)).set_index("factor")
    assert tuple(table.reset_index().columns) == VALIDITY_COLUMNS
    np.testing.assert_allclose(table.loc[gold.index, "composite_reliability"], gold.cr, atol=1e-3)
    np.testing.assert_allclose(table.loc[gold.index, "ave"], gold.ave, atol=1e-3)


@pytest.mark.parametrize(("case", "name", "model"), CASES)
@pytest.mark.parametrize(("method", "key"), [("arithmetic", "htmt"), ("geometric", "htmt2")])
def test_htmt_matches_semtools(case, name, model, method, key):
    gold = pd.DataFrame(golden("cfa")[case][key]).set_index("_row")
    table = htmt(load(name), model, method=method)
    assert tuple(table.columns) == HTMT_COLUMNS
    for row in table.itertuples():
        assert row.htmt == pytest.approx(gold.loc[row.factor_a, row.factor_b], abs=1e-4)


def test_pairwise_htmt_matches_semtools():
    gold = pd.DataFrame(golden("cfa")["bfi_listwise"]["htmt_pairwise"]).set_index("_row")
    table = htmt(load("bfi"), BFI_MODEL, missing="pairwise")
    for row in table.itertuples():
        assert row.htmt == pytest.approx(gold.loc[row.factor_a, row.factor_b], abs=1e-4)


def test_htmt_needs_two_items_per_factor():
    with pytest.raises(PsychometricsError, match="two items"):
        htmt(load("holzinger"), {"a": ["x1"], "b": ["x2", "x3"]})
