"""The text a reader of a report page sees (or hears), for the language tests.

A page's visible text is every text node but those of scripts and styles; the text of an SVG
chart (its labels, and its title and description, which a screen reader reads) counts, its
coordinates (attributes) do not. Left out, because they are the same in every language:

- what the page marks ``translate="no"`` (versions, codes, identifiers, file names), the
  HTML way to tell translators, and these tests, to leave it as it is;
- what the page marks as written in another language (``lang="en"`` on a Dutch page: the
  citations of the references, the methodology file as its author wrote it, the link to
  the other language's site).

:func:`kept_as_is` gives those texts, so that a test of a PDF (printed from the same HTML)
can leave them out of the PDF's text too.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr")
)
SKIPPED = frozenset(("script", "style"))


@dataclass(frozen=True)
class Text:
    """A text node: its text and the tags it sits in, outermost first."""

    text: str
    path: tuple[str, ...]


class _Reader(HTMLParser):
    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.open: list[tuple[str, dict]] = []
        self.seen: list[Text] = []
        self.as_is: list[Text] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        """``<rect .../>`` and the like hold no text."""

    def handle_endtag(self, tag):
        for k in range(len(self.open) - 1, -1, -1):
            if self.open[k][0] == tag:
                del self.open[k:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or any(tag in SKIPPED for tag, _ in self.open):
            return
        node = Text(text, tuple(tag for tag, _ in self.open))
        same = all(
            attrs.get("translate") != "no" and attrs.get("lang", self.language) == self.language
            for _, attrs in self.open
        )
        (self.seen if same else self.as_is).append(node)


def _read(html: str, language: str) -> _Reader:
    reader = _Reader(language)
    reader.feed(html)
    reader.close()
    return reader


def visible_texts(html: str, language: str) -> list[Text]:
    """The text nodes of a page in ``language`` that are written in that language."""
    return _read(html, language).seen


def kept_as_is(html: str, language: str) -> list[str]:
    """The texts the page marks as the same in every language or as in another language."""
    return [node.text for node in _read(html, language).as_is]
