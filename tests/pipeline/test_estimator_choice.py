"""The methodology file's psychometrics section: which estimator the pipeline uses."""

from pathlib import Path

import pytest

from samenspel.instrument import ProblemsFound
from samenspel.pipeline.methodology import DEFAULT_METHODOLOGY, load_methodology


def _variant(tmp_path: Path, section: str) -> Path:
    text = DEFAULT_METHODOLOGY.read_text(encoding="utf-8")
    text = text[: text.index("psychometrics:")] + section
    path = tmp_path / "methodology.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_ordinal_compared_with_robust_ml():
    method = load_methodology()
    assert (method.cfa_estimator, method.cfa_parameterization, method.cfa_comparison) == (
        "WLSMV",
        "delta",
        "MLR",
    )


def test_continuous_choice_is_accepted(tmp_path):
    path = _variant(tmp_path, "psychometrics: {estimator: MLR, comparison: WLSMV}\n")
    method = load_methodology(path)
    assert (method.cfa_estimator, method.cfa_comparison) == ("MLR", "WLSMV")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("psychometrics: {estimator: ULS, comparison: MLR}\n", "'ULS' is not known"),
        ("psychometrics: {estimator: ML, comparison: MLR}\n", "must be WLSMV"),
        ("psychometrics: {estimator: WLSMV, parameterization: gamma}\n", "'gamma'"),
    ],
)
def test_bad_choices_are_reported(tmp_path, section, message):
    with pytest.raises(ProblemsFound, match=message):
        load_methodology(_variant(tmp_path, section))
