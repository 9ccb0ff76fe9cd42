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
