"""Report wording: complete in both languages."""

import pytest

from samenspel.pipeline.methodology import COMPONENT_MAPPINGS
from samenspel.reports.i18n import LANGUAGES, MAPPING_DESCRIPTIONS, TEXT, translator


def test_every_text_has_every_language():
    for key, texts in TEXT.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(t.strip() for t in texts.values()), key


def test_every_component_mapping_is_described():
    assert set(MAPPING_DESCRIPTIONS) == set(COMPONENT_MAPPINGS)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="nl"):
        translator("de")


def test_every_reject_reason_and_result_column_has_dutch_wording():
    from samenspel.pipeline.index.tables import OUTPUT_COLUMNS
    from samenspel.pipeline.ingest.exports import REJECT_REASONS
    from samenspel.reports.i18n import COLUMN_DESCRIPTIONS_NL

    assert all(f"reason_{code}" in TEXT for code in REJECT_REASONS)
    assert {t: set(c) for t, c in COLUMN_DESCRIPTIONS_NL.items()} == {
        t: set(c) for t, c in OUTPUT_COLUMNS.items()
    }


@pytest.mark.parametrize(
    ("message", "dutch"),
    [
        (
            "scalar does not hold: delta_cfi = -0.012, needs delta_cfi ≥ -0.01; "
            "delta_rmsea = 0.020, needs delta_rmsea ≤ 0.015",
            "houdt geen stand (scalair): delta_cfi = -0,012, nodig is delta_cfi ≥ -0,01; "
            "delta_rmsea = 0,020, nodig is delta_rmsea ≤ 0,015",
        ),
        (
            "partial metric invariance holds with l1, l2 free across groups",
            "gedeeltelijke invariantie houdt stand (metrisch), met l1, l2 vrij tussen de groepen",
        ),
        (
            "3 area(s) under 5 left out; areas without spread on both sides left out",
            "3 wijk(en) onder 5 weggelaten; wijken zonder spreiding aan beide kanten weggelaten",
        ),
        ("an unknown message", "an unknown message"),  # as written: the language tests see it
    ],
)
def test_the_pipelines_messages_in_dutch(message, dutch):
    from samenspel.reports.render import pipeline_message

    assert pipeline_message(message, "nl") == dutch
    assert pipeline_message(message, "en") == message
    assert pipeline_message(None, "nl") == pipeline_message(float("nan"), "en") == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_how_to_read_quotes_the_neutral_answer_the_questionnaire_offers(language):
    """The reading guide says where 50 lies on a statement by quoting the agreement scale's
    middle answer; the quote stays the questionnaire's own wording."""
    from samenspel.common.paths import DEFAULT_INSTRUMENT
    from samenspel.instrument import load_instrument

    scales = load_instrument(DEFAULT_INSTRUMENT).answer_scales.values()
    (agreement,) = [scale for scale in scales if scale.kind == "agreement"]
    middle = agreement.options[len(agreement.options) // 2].label[language]
    assert f"'{middle.lower()}'" in TEXT["how_to_read_text"][language].lower()
