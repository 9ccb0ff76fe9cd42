"""A small wave still gets its psychometrics, and the report claims no result it lacks.

Three simulated waves of 60, 120 and 240 respondents in three areas go through `samenspel
ingest`, `samenspel analyse` and `samenspel report`: every wave has, per psychometric step,
a fitted model or a stated reason (psychometrics_steps.csv); `analyse` warns on the terminal
for each step not fitted; and every verdict sentence on the pages (the invariance steps of
the technical appendix, the latent-means sentences of the comparisons page, the steps table)
is checked against the results tables, for this small store and for the demo-sized report
of conftest.py (``written_report``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT
from samenspel.instrument import load_areas, load_instrument
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS
from samenspel.pipeline.psychometrics.small_waves import MIN_RESPONDENTS_MODEL, STEPS
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)

# respondents per side and area: 3 areas x 2 sides -> 60, 120 and 240 respondents a wave
WAVES = {"2024": 10, "2025": 20, "2026": 40}
WAVE_STEPS = [s for s in STEPS if s != "invariance_waves"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(results, site, what analyse printed) of the three small waves."""
    folder = tmp_path_factory.mktemp("small-waves")
    raw = yaml.safe_load(DEFAULT_AREAS.read_text(encoding="utf-8"))
    raw["areas"] = [a for a in raw["areas"] if a["municipality"] == "GM0405"][:3]
    raw["municipalities"] = {"GM0405": raw["municipalities"]["GM0405"]}
    raw.pop("boundaries", None)
    registry = folder / "areas.yaml"
    registry.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    areas, instrument = load_areas(registry), load_instrument(DEFAULT_INSTRUMENT)
    settings = SimulationSettings(waves=tuple(WAVES), careless_share=0.0, no_consent_share=0.0,
                                  duplicates_per_wave=0)  # fmt: skip
    model = draw_model(instrument, areas, settings)
    rng = np.random.default_rng(7)
    store, results, site = folder / "store.duckdb", folder / "results", folder / "site"
    common = ["--store", str(store), "--areas", str(registry)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAMENSPEL_KEY_FILE", str(folder / "key"))
        for wave, per_side in WAVES.items():
            sized = dataclasses.replace(
                model, settings=dataclasses.replace(model.settings, per_side=per_side)
            )
            frame = simulate_wave(instrument, areas, sized, wave, rng)
            csv = folder / f"kobo_{wave}.csv"
            csv.write_text(to_kobo_csv(instrument, frame, group_prefixes=False))
            assert main(["ingest", str(csv), "--wave", wave, *common]) == 0
        printed = io.StringIO()  # what analyse says on the terminal
        with contextlib.redirect_stderr(printed):
            code = main(["analyse", *common, "--out", str(results), "--replicates", "100"])
        assert code == 0, printed.getvalue()
        assert main(["report", "--results", str(results), "--out", str(site), "--areas",
                     str(registry), "--pdf", "none"]) == 0  # fmt: skip
    return results, site, printed.getvalue()


def read(results: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(results / f"{name}.csv", dtype={"wave": str}, keep_default_na=False,
                       na_values=[""])  # fmt: skip


def test_every_wave_has_a_fitted_model_or_a_reason_per_step(small):
    results, _, printed = small
    steps = read(results, "psychometrics_steps")
    assert list(steps.columns) == list(OUTPUT_COLUMNS["psychometrics_steps"])
    index = read(results, "index")
    assert set(index["wave"]) == set(WAVES)
    sizes = {w: int(index.loc[index.wave == w, ["n_professional", "n_informal"]].sum().sum())
             for w in WAVES}  # fmt: skip
    assert sizes == {"2024": 60, "2025": 120, "2026": 240}
    for wave in WAVES:
        of_wave = steps[steps.wave == wave]
        assert set(of_wave.step) == set(WAVE_STEPS), wave
        for step, rows in of_wave.groupby("step"):
            if not rows.fitted.any():  # nothing fitted: each row says why, and so does analyse
                assert rows.reason.notna().all() and rows.reason_code.notna().all(), (wave, step)
                assert f"warning: wave {wave}: {step.replace('_', ' ')} not fitted" in printed
        # the CFA of every wave: the full model does not fit 60 or 120 respondents (133
        # needed), so these get smaller models, each with its rows in cfa_fit
        cfa = of_wave[of_wave.step == "cfa"]
        assert cfa.fitted.any(), wave
        fit = read(results, "psychometrics_cfa_fit")
        for model in cfa.loc[cfa.fitted, "model"]:
            assert not fit[(fit.wave == wave) & (fit.model == model)].empty, (wave, model)
        for model in cfa.loc[~cfa.fitted, "model"]:
            if model not in set(cfa.loc[cfa.fitted, "model"]):
                assert fit[(fit.wave == wave) & (fit.model == model)].empty, (wave, model)
    full = steps[(steps.step == "cfa") & (steps.model == "full")]
    assert not full[full.wave.isin(["2024", "2025"])].fitted.any()
    too_few = full[full.wave == "2024"].iloc[0]
    assert too_few.reason_code == "too_few_respondents" and too_few.n == 60
    assert too_few.minimum > 60 and too_few.parameters > 60
    # 30 a side cannot carry an invariance test: the minimum per side is stated
    sides = steps[(steps.wave == "2024") & (steps.step == "invariance_sides")]
    assert list(sides.reason_code) == ["too_few_per_side"]
    assert f"needs at least {MIN_RESPONDENTS_MODEL} in each" in sides.reason.iloc[0]
    # the invariance table holds exactly the models the steps say were fitted
    invariance = read(results, "psychometrics_invariance")
    fitted = steps[(steps.step == "invariance_sides") & steps.fitted]
    assert set(zip(fitted.wave, fitted.model, strict=True)) == set(
        zip(*invariance[invariance.comparison == "sides"][["wave", "model"]].T.to_numpy(),
            strict=True)
    )  # fmt: skip


SENTENCE = re.compile(r"<li>(?P<wave>[^:<]+): (?P<text>.*?)</li>", re.S)


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def check_claims(results: Path, site: Path) -> int:
    """Every verdict sentence of the report's pages against the results tables; returns the
    number of sentences checked."""
    checked = 0
    invariance = read(results, "psychometrics_invariance")
    latent_path = results / "psychometrics_latent_means.csv"
    latent = read(results, "psychometrics_latent_means") if latent_path.exists() else None
    steps = read(results, "psychometrics_steps")
    for language in ("en", "nl"):
        pages = {p.name: p.read_text(encoding="utf-8") for p in (site / language).rglob("*.html")}
        # no page names a result file that is not there
        for name, text in pages.items():
            for file in set(re.findall(r"psychometrics_[a-z_]+", text)):
                assert (results / f"{file}.csv").exists(), (language, name, file)
                checked += 1
        comparisons = pages["comparisons.html"]
        latent_list = comparisons[comparisons.rfind("<h2>") :]
        for found in SENTENCE.finditer(latent_list):
            wave, text = found["wave"].strip(), _text(found["text"])
            sides = invariance[(invariance.comparison == "sides") & (invariance.wave == wave)]
            has_latent = latent is not None and (latent.wave == wave).any()
            holds = {
                "en": "scalar invariance between the sides holds",
                "nl": "scalaire invariantie tussen de kanten houdt stand",
            }[language]
            untested = {"en": "has not been tested", "nl": "is niet getoetst"}[language]
            fails = {"en": "does not hold", "nl": "houdt geen stand"}[language]
            if holds in text:
                assert has_latent and not sides.empty, (language, wave, text)
            elif untested in text:
                assert sides.empty, (language, wave, text)
                rows = steps[(steps.wave == wave) & (steps.step == "invariance_sides")]
                assert not rows.fitted.any()
                why = {
                    "en": "Measurement invariance between the sides: not fitted",
                    "nl": "Meetinvariantie tussen de kanten: niet geschat",
                }[language]
                assert why in text, (language, wave, text)  # and it says why
            else:
                assert fails in text and not sides.empty, (language, wave, text)
                scalar = sides[sides.step == "scalar"]
                models = set(sides.model)
                compared = set(latent.loc[latent.wave == wave, "model"]) if has_latent else set()
                assert not scalar.holds.all() or not models <= compared, (language, wave)
            checked += 1
        # the technical appendix: each invariance verdict is a row of the table
        technical = pages["technical.html"]
        table = next(part for part in technical.split("<h2>") if "ΔCFI" in part)
        shown = re.findall(r"<tr><td>.*?</tr>", table, re.S)
        assert len(shown) == len(invariance), language
        for row, (_, expected) in zip(shown, invariance.iterrows(), strict=True):
            cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
            if language == "en":
                assert _text(cells[-1]) == expected.verdict
            wave_shown = _text(cells[1])
            assert wave_shown == expected.wave or expected.wave == "all"
            checked += 1
        # the steps the wave could not carry are said in words, one row each
        said = re.search(r'<table id="steps">(.*?)</table>', technical, re.S)
        deviations = steps[steps.reason_code.notna()]
        if deviations.empty:
            assert said is None
        else:
            assert len(re.findall(r"<tr><td>", said.group(1))) == len(deviations)
            checked += len(deviations)
    return checked


def test_small_waves_report_claims_only_what_the_tables_hold(small):
    results, site, _ = small
    assert check_claims(results, site) > 20
    steps = read(results, "psychometrics_steps")
    technical = (site / "en" / "technical.html").read_text(encoding="utf-8")
    assert "What each wave could carry" in technical
    assert "not fitted: each group needs at least 50 respondents" in _text(technical)
    dutch = _text((site / "nl" / "technical.html").read_text(encoding="utf-8"))
    assert "Wat elke meting kon dragen" in dutch
    assert "niet geschat: 60 respondenten, en het volledige model heeft er minstens" in dutch
    assert (steps.reason_code == "too_few_respondents").any()


def test_demo_report_claims_only_what_the_tables_hold(written_report):
    site, results = written_report
    assert check_claims(results, site) > 20
    steps = read(results, "psychometrics_steps")
    # demo-sized waves carry the full model in every step
    assert set(steps.loc[steps.step == "cfa", "model"]) == {"full"}
    assert steps.loc[steps.step.isin(["cfa", "invariance_sides"]), "fitted"].all()
