"""What a tagged PDF tells assistive technology, read with pypdf: its language, whether its
title is shown in the window, and its structure tree (each element's kind, its text, and a
figure's alternative text)."""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject


@dataclass(frozen=True)
class Element:
    kind: str  # "H1", "H2", "Table", "TH", "Figure", ...
    text: str  # the text it holds, its content's marked text joined
    alt: str | None  # a figure's alternative text


@dataclass(frozen=True)
class Structure:
    language: str | None
    title_shown: bool
    elements: list[Element]

    def of(self, *kinds: str) -> list[Element]:
        return [element for element in self.elements if element.kind in kinds]


def _marked_texts(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence: (page number, MCID) -> text."""
    texts: dict[tuple[int, int], str] = {}
    for number, page in enumerate(reader.pages):
        open_ids: list[int | None] = []

        def operator(op, args, cm, tm, open_ids=open_ids):
            if op == b"BDC":
                properties = args[1]
                open_ids.append(properties.get("/MCID") if isinstance(properties, dict) else None)
            elif op == b"BMC":
                open_ids.append(None)
            elif op == b"EMC" and open_ids:
                open_ids.pop()

        def text(said, cm, tm, font, size, number=number, open_ids=open_ids):
            mcid = next((m for m in reversed(open_ids) if m is not None), None)
            if mcid is not None:
                key = (number, int(mcid))
                texts[key] = texts.get(key, "") + said

        page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return texts


def read_structure(path) -> Structure:
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    pages = {page.indirect_reference.idnum: k for k, page in enumerate(reader.pages)}
    texts = _marked_texts(reader)
    elements: list[Element] = []

    def walk(node, page: int | None) -> str:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            return "".join(walk(child, page) for child in node)
        if isinstance(node, NumberObject):
            return texts.get((page, int(node)), "")
        if not isinstance(node, DictionaryObject):
            return ""
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        if node.get("/Type") == "/MCR":
            return texts.get((page, int(node["/MCID"])), "")
        if node.get("/Type") == "/OBJR":
            return ""
        at = len(elements)
        elements.append(Element("", "", None))  # in document order: the parent first
        inner = walk(node["/K"], page) if "/K" in node else ""
        alt = node.get("/Alt")
        elements[at] = Element(str(node.get("/S", "")).lstrip("/"), " ".join(inner.split()),
                               None if alt is None else str(alt))  # fmt: skip
        return inner

    tree = root.get("/StructTreeRoot")
    if tree is not None:
        walk(tree["/K"], None)
    preferences = root.get("/ViewerPreferences", {})
    language = root.get("/Lang")
    return Structure(
        None if language is None else str(language),
        bool(preferences.get("/DisplayDocTitle")),
        elements,
    )
