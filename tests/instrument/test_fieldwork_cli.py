"""`samenspel fieldwork`: writes the materials; an invalid instrument stops it with the
validator's messages and exit status 2."""

from __future__ import annotations

import json
import re

from samenspel.cli import main
from samenspel.common.paths import DEFAULT_INSTRUMENT


def test_writes_the_materials(tmp_path, capsys):
    out = tmp_path / "fieldwork"
    assert main(["fieldwork", "--out", str(out), "--no-pdf", "--no-validate"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == "2026.2"
    for name in (
        "xlsform/samenspel.xlsx",
        "codebook/datapackage.json",
        "templates/samenspel.sav",
        "templates/data_entry.xlsx",
        "paper/informal_nl_interviewer.html",
        "paper/showcards_en.html",
    ):
        assert (out / name).stat().st_size > 1000, name
    assert not list(out.glob("paper/*.pdf"))
    err = capsys.readouterr().err
    assert "ODK Validate: not requested" in err
    assert f"{len(manifest['files']) + 1} files" in err


def test_an_invalid_instrument_stops_with_the_validator_messages(tmp_path, capsys):
    text = DEFAULT_INSTRUMENT.read_text(encoding="utf-8")
    broken = re.sub(r"\n +en: They are honest with me\.", "", text, count=1)
    assert broken != text
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    out = tmp_path / "fieldwork"
    assert main(["fieldwork", "--out", str(out), "--instrument", str(path), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "[missing-translation]" in err
    assert "sections[3].items[7].text.en" in err
    assert "samenspel: stopped; 1 error(s) to fix first." in err
    assert not out.exists()


def test_a_language_without_form_texts_is_an_error_not_a_blank():
    import pytest

    from samenspel.common.problems import ProblemsFound
    from samenspel.instrument.phrases import phrase

    assert phrase("number_hint", "en", low=0, high=500, code=998) == (
        "Enter 0 to 500. Don't know: 998."
    )
    with pytest.raises(ProblemsFound) as caught:
        phrase("respondent", "fr")
    (problem,) = caught.value.problems
    assert problem.code == "missing-translation"
    assert "PHRASES['respondent']" in problem.where
    assert "'fr'" in problem.hint
