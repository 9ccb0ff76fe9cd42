"""What a small wave can carry: the free parameters counted before fitting equal the
engine's, the model splits by the index's pillars, and the estimator and the missing-data
treatment can be chosen on the command line and in the methodology file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from samenspel.cli import build_parser, main
from samenspel.common.paths import DEFAULT_INSTRUMENT
from samenspel.common.problems import ProblemsFound
from samenspel.instrument import load_instrument
from samenspel.pipeline.measurement import _options, instrument_factor_model
from samenspel.pipeline.methodology import (
    DEFAULT_METHODOLOGY,
    load_methodology,
    with_psychometrics,
)
from samenspel.pipeline.psychometrics.cfa import fit_cfa
from samenspel.pipeline.psychometrics.factor_model import PsychometricsError, parse_factor_model
from samenspel.pipeline.psychometrics.small_waves import (
    free_parameters,
    minimum_respondents,
    model_parts,
    stepwise_tables,
)

MODEL, LOW, HIGH = instrument_factor_model(load_instrument(DEFAULT_INSTRUMENT))
PARSED = parse_factor_model(MODEL)


def answers(n: int, seed: int = 1, groups: int = 1) -> pd.DataFrame:
    """Five-point answers to the instrument's items from one factor per construct, every
    category used."""
    rng = np.random.default_rng(seed)
    columns = {}
    for items in PARSED.indicators.values():
        latent = rng.normal(size=n)
        for item in items:
            sign = -1 if item in PARSED.reverse_keyed else 1
            raw = 0.75 * sign * latent + 0.66 * rng.normal(size=n)
            columns[item] = np.digitize(raw, [-1.2, -0.4, 0.4, 1.2]) + 1.0
    data = pd.DataFrame(columns)
    data["side"] = np.where(np.arange(n) % groups == 0, "professional", "informal")
    data["area"] = np.arange(n) % 3
    return data


@pytest.mark.parametrize("estimator", ["MLR", "WLSMV"])
def test_free_parameters_are_the_engines(estimator):
    """Counted before fitting, as the fit counts them (npar), for a construct in one group
    and a pillar in two, with every answer as the pipeline fits them (FIML: a mean
    structure)."""
    data = answers(400, groups=2)
    for part, group in ((PARSED.subset(["OGD"]), None), (PARSED.subset(["UNF", "IND"]), "side")):
        fit = fit_cfa(data, part, group=group, estimator=estimator, standard_errors=False,
                      missing="pairwise" if estimator == "WLSMV" else "fiml",
                      std_lv=estimator == "WLSMV" and group is not None)  # fmt: skip
        n_groups = 1 if group is None else 2
        assert free_parameters(part, estimator, n_groups) == fit.fit["npar"]
    # and the whole model: the engine refuses it with the same count
    with pytest.raises(PsychometricsError, match="120 for 132 free parameters"):
        fit_cfa(data.head(120), PARSED, estimator="MLR", missing="fiml")
    assert free_parameters(PARSED, "MLR") == 132
    assert minimum_respondents(PARSED) == 133
    assert minimum_respondents(PARSED.subset(["OGD"])) == 50  # the floor
    assert minimum_respondents(PARSED, 2) == 265


def test_the_model_splits_by_the_pillars_of_the_index():
    options = _options("2026", LOW, HIGH, load_methodology())
    parts = dict(model_parts(PARSED, *options.pillars))
    assert {name: part.factors for name, part in parts.items()} == {
        "pillar attitudes": ("OGD", "TRU"),
        "pillar three_os": ("UNF", "DIS", "IND"),
        "pillar practice": ("CQ",),  # the contact-quality scale of COL
    }


def test_a_wave_of_sixty_gets_constructs_and_no_invariance_test():
    """60 respondents, 30 a side: every construct's CFA, no test between the sides, and a
    reason for each model not fitted."""
    options = _options("2024", LOW, HIGH, load_methodology())
    tables, rows = stepwise_tables(answers(60, groups=2), PARSED, options, None)
    steps = pd.DataFrame(rows)
    cfa = steps[steps.step == "cfa"]
    fitted = set(cfa.loc[cfa.fitted, "factors"].str.split(", ").explode())
    assert fitted == set(PARSED.factors)
    assert not cfa.loc[cfa.model == "full", "fitted"].any()
    assert cfa.loc[~cfa.fitted, "reason"].str.len().gt(0).all()
    assert set(tables["cfa_fit"]["model"]) == set(cfa.loc[cfa.fitted, "model"])
    sides = steps[steps.step == "invariance_sides"]
    assert list(sides.reason_code) == ["too_few_per_side"] and "invariance" not in tables
    assert steps.loc[steps.step == "latent_means", "reason_code"].tolist() == ["no_invariance"]


def test_listwise_falls_back_to_every_answer_where_too_few_answered_everything():
    options = _options("2025", LOW, HIGH, load_methodology())
    options.missing = "listwise"
    data = answers(150, seed=2, groups=2)
    data.loc[data.index % 3 == 0, "ogd1"] = np.nan  # a third skipped one item
    _, rows = stepwise_tables(data, PARSED.subset(["OGD"]), options, None)
    cfa = pd.DataFrame(rows).query("step == 'cfa'")
    assert cfa.fitted.any()
    row = cfa[cfa.fitted].iloc[0]
    assert row.reason_code == "" and row.missing == "listwise"  # 100 complete: enough
    data.loc[data.index % 3 == 1, "ogd2"] = np.nan
    data.loc[data.index % 6 == 2, "ogd3"] = np.nan  # 25 complete, 50 needed
    _, rows = stepwise_tables(data, PARSED.subset(["OGD"]), options, None)
    row = pd.DataFrame(rows).query("step == 'cfa' and fitted").iloc[0]
    assert row.reason_code == "every_answer" and row.missing in ("pairwise", "fiml")
    assert "answered every item" in row.reason


def test_estimator_and_missing_for_one_run():
    method = load_methodology()
    assert (method.cfa_estimator, method.cfa_comparison, method.cfa_missing) == (
        "WLSMV", "MLR", "fiml",
    )  # fmt: skip
    mlr = with_psychometrics(method, "MLR", "listwise")
    assert (mlr.cfa_estimator, mlr.cfa_comparison, mlr.cfa_missing) == ("MLR", "WLSMV", "listwise")
    back = with_psychometrics(mlr, "WLSMV")  # beside it the continuous one the run had
    assert (back.cfa_estimator, back.cfa_comparison) == ("WLSMV", "MLR")
    with pytest.raises(ValueError, match="fiml"):
        with_psychometrics(method, missing="pairwise")
    args = build_parser().parse_args(["analyse", "--estimator", "MLR", "--missing", "listwise"])
    assert (args.estimator, args.missing) == ("MLR", "listwise")


def test_a_wrong_option_names_the_choices(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["analyse", "--missing", "pairwise"])
    assert refused.value.code == 2
    assert "choose from 'fiml', 'listwise'" in capsys.readouterr().err


def test_methodology_file_takes_missing(tmp_path):
    settings = yaml.safe_load(DEFAULT_METHODOLOGY.read_text(encoding="utf-8"))
    settings["psychometrics"]["missing"] = "listwise"
    path = tmp_path / "methodology.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert load_methodology(path).cfa_missing == "listwise"
    settings["psychometrics"]["missing"] = "pairwise"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        load_methodology(path)
    (problem,) = caught.value.problems
    assert "psychometrics.missing" in problem.where and "fiml" in problem.hint + problem.message


def test_the_advice_names_the_option_only_where_it_helps():
    data = answers(80)  # fewer than the 93 (listwise, no means) or 132 (FIML) parameters
    with pytest.raises(PsychometricsError) as listwise:
        fit_cfa(data, PARSED, estimator="MLR", missing="listwise")
    assert "samenspel analyse --missing fiml" in str(listwise.value)
    assert "psychometrics.missing: fiml" in str(listwise.value)
    with pytest.raises(PsychometricsError) as every:
        fit_cfa(data, PARSED, estimator="MLR", missing="fiml")
    assert "--missing" not in str(every.value)  # FIML already: the advice would not help


def test_inputs_of_a_wave_fitted_in_parts_claim_only_what_every_part_holds():
    """Latent means between the sides count as compared in a wave only where every model
    tested has them; a trend counts as invariant only where every construct was tested
    across the waves and holds fully."""
    from samenspel.pipeline.measurement import PREFIX, psychometric_inputs

    def invariance(rows):
        return pd.DataFrame(rows, columns=["wave", "comparison", "model", "step", "holds",
                                           "group_partial"])  # fmt: skip

    sides = [("w1", "sides", "pillar attitudes", "scalar", True, ""),
             ("w1", "sides", "pillar three_os", "scalar", True, ""),
             ("w2", "sides", "pillar attitudes", "scalar", True, "")]  # fmt: skip
    waves = [("all", "waves", "pillar attitudes", "scalar", True, "")]
    latent = pd.DataFrame({"wave": ["w1", "w2"], "model": ["pillar attitudes"] * 2})
    steps = pd.DataFrame(
        {"wave": ["w1", "all"], "step": ["cfa", "invariance_waves"],
         "model": ["full", "pillar attitudes"],
         "factors": [", ".join(PARSED.factors), "OGD, TRU"], "fitted": [True, True]}
    )  # fmt: skip
    tables = {PREFIX + "invariance": invariance(sides + waves),
              PREFIX + "latent_means": latent, PREFIX + "steps": steps}  # fmt: skip
    across, _, between = psychometric_inputs(tables, ["w1", "w2"])
    # w1: the three o's held its scalar step, yet has no latent means (its chain failed)
    assert between == {"w1": False, "w2": True}
    assert across["holds"].isna().all()  # only OGD and TRU were compared across the waves
    steps.loc[1, "factors"] = ", ".join(PARSED.factors)
    across, _, _ = psychometric_inputs(tables, ["w1", "w2"])
    assert across["holds"].tolist() == [True]
