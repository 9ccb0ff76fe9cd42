"""Paper forms and show-cards: every code and label of the role and language is in the PDF,
every page carries respondent number, version and page x/y, nothing leaves the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from hashlib import sha256

import pytest
from PIL import Image

from samenspel.instrument.fieldwork import build_fieldwork, paper_name
from samenspel.instrument.model import (
    UNIT_NOT_LISTED,
    Area,
    AreaRegistry,
    Unit,
    fill_placeholders,
)
from samenspel.instrument.paper import (
    MAX_PRINTED_AREAS,
    MAX_PRINTED_UNITS,
    VERSIONS,
    render_paper_html,
    render_show_cards_html,
    show_card_scales,
)
from samenspel.instrument.phrases import phrase

MM = 72 / 25.4
PAGE_MARGIN_X = 15 * MM  # paper.page_css: margin 20mm 15mm 18mm 15mm
PAGE_MARGIN_TOP = 20 * MM
PAGE_MARGIN_BOTTOM = 18 * MM

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install poppler-utils",
)


@pytest.fixture(scope="session")
def fieldwork(instrument, areas, tmp_path_factory):
    """All fieldwork files, built once and written to a temporary folder."""
    files, notes = build_fieldwork(instrument, areas, validate=False, workers=2)
    out = tmp_path_factory.mktemp("fieldwork")
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(content)
    return out, files, notes


def squeeze(text: str) -> str:
    """Text without whitespace and hyphens, NFKC-normalised: robust to line breaks in the
    PDF (pdftotext drops the hyphen of a line that breaks after one: 'Oud-Noord')."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text))


def pdf_pages(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def expected_texts(instrument, areas, role_id, language, version) -> dict[str, str]:
    """Every text a respondent of ``role_id`` must find in the form: label -> where from."""
    role = instrument.roles[role_id]
    fill = lambda text: fill_placeholders(text, role, language)  # noqa: E731
    expected = {instrument.title[language]: "title"}
    for section in instrument.sections:
        items = [instrument.item(c) for c in section.item_codes]
        items = [item for item in items if role_id in item.roles]
        if not items:
            continue
        expected[section.title[language]] = f"section {section.id}"
        if section.intro:
            expected[fill(section.intro[language])] = f"intro {section.id}"
        for item in items:
            expected[item.code] = "item code"
            expected[fill(item.text[language])] = item.code
            if item.stem:
                expected[fill(item.stem[language])] = f"stem of {item.code}"
            if version == "interviewer" and item.instruction:
                expected[item.instruction[language]] = f"instruction of {item.code}"
            scale = instrument.answer_scales[item.scale]
            if scale.kind == "area":
                for area in areas.areas:
                    expected[area.name] = f"area {area.id}"
            if scale.kind == "unit":
                for unit in areas.units:
                    if unit.side == role.side:
                        expected[unit.name] = f"unit {unit.code}"
                        expected[unit.code] = f"code of unit {unit.code}"
                expected[phrase("unit_not_listed", language)] = "the last unit choice"
                expected[UNIT_NOT_LISTED] = "its code"
            for option in (*scale.options, *scale.missing):
                expected[option.label[language]] = f"option {option.code} of {scale.id}"
    return expected


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", ["professional", "informal", "stakeholder"])
def test_pdf_holds_every_code_and_label(fieldwork, instrument, areas, role, language, version):
    out, _, _ = fieldwork
    pages = pdf_pages(out / f"{paper_name(role, language, version)}.pdf")
    text = squeeze("\n".join(pages))
    expected = expected_texts(instrument, areas, role, language, version)
    missing = {label: source for label, source in expected.items() if squeeze(label) not in text}
    assert missing == {}
    # Items of other roles stay out: the professional form has no `organisation`.
    other = {"professional": "organisation", "informal": "team", "stakeholder": "tru1"}[role]
    assert f"\n{other}\n" not in "\n".join(pages)
    # Only the units of the form's side: no team on the informal form, and the reverse.
    side = instrument.roles[role].side
    for unit in (u for u in areas.units if u.side != side):
        assert squeeze(unit.name) not in text and unit.code not in text, unit.code
    interviewer_text = squeeze(instrument.item("consent").instruction[language])
    assert (interviewer_text in text) == (version == "interviewer")
    assert squeeze(f"{phrase('go_to', language)} {phrase('end', language)}") in text
    if version == "interviewer" and role != "stakeholder":
        assert squeeze(phrase("show_card", language)) in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_respondent_version_and_page_x_of_y(fieldwork, instrument, language):
    out, files, _ = fieldwork
    names = [n for n in files if n.endswith(f"_{language}_interviewer.pdf")]
    names += [n for n in files if n.endswith(f"_{language}_self.pdf")]
    assert len(names) == 6
    for name in names:
        pages = pdf_pages(out / name)
        assert len(pages) >= 2, name
        for number, page in enumerate(pages, start=1):
            flat = " ".join(page.split())
            assert f"{phrase('page', language)} {number}/{len(pages)}" in flat, (name, number)
            assert phrase("respondent", language) in flat, (name, number)
            assert f"{phrase('version', language)} {instrument.version}" in flat, (name, number)
            # Not an empty page: an item code or the end of the form besides the margins.
            body = set(page.split())
            assert (
                body & set(instrument.item_codes) or phrase("thanks", language).split()[0] in body
            ), (name, number)


def test_show_cards_one_page_per_scale(fieldwork, instrument):
    out, _, _ = fieldwork
    scales = show_card_scales(instrument)
    assert [s.id for s in scales] == [
        "role", "team", "organisation", "years", "mode", "area", "agree5", "grade10", "count",
        "names", "goal",
    ]  # fmt: skip
    assert "unit" not in [s.id for s in scales]  # the list depends on area and side
    for language in instrument.languages:
        pages = pdf_pages(out / f"paper/showcards_{language}.pdf")
        assert len(pages) == len(scales)
        agree = squeeze(pages[[s.id for s in scales].index("agree5")])
        for option in instrument.answer_scales["agree5"].options:
            assert squeeze(option.label[language]) in agree
        assert squeeze(f"{phrase('card', language)} 7") in agree


def words_outside_the_content_box(path) -> list[str]:
    """Words of the page body (between top and bottom margin) left or right of the margins."""
    layout = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    bad = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', layout, re.S):
        width, height, words = float(page[0]), float(page[1]), page[2]
        for x_min, y_min, x_max, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            words,
        ):
            if float(y_min) < PAGE_MARGIN_TOP or float(y_max) > height - PAGE_MARGIN_BOTTOM:
                continue  # running header and footer
            if float(x_min) < PAGE_MARGIN_X - 1 or float(x_max) > width - PAGE_MARGIN_X + 1:
                bad.append(word)
    return bad


def test_no_text_overflows_the_page(fieldwork):
    out, files, _ = fieldwork
    for name in (n for n in files if n.endswith(".pdf")):
        assert words_outside_the_content_box(out / name) == [], name


def test_first_page_of_every_pdf_renders_to_a_png_with_ink(fieldwork, tmp_path):
    out, files, _ = fieldwork
    pdfs = sorted(n for n in files if n.endswith(".pdf"))
    assert len(pdfs) == 14
    for name in pdfs:
        stem = tmp_path / name.replace("/", "_").removesuffix(".pdf")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(out / name), str(stem)],
            check=True,
        )
        (png,) = tmp_path.glob(stem.name + "-*.png")
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:128])
        assert dark / (image.width * image.height) > 0.005, name


def test_manifest_lists_every_file_with_its_hash(fieldwork, instrument):
    _, files, notes = fieldwork
    manifest = json.loads(files["manifest.json"])
    assert manifest["version"] == instrument.version
    assert manifest["instrument_hash"] == instrument.content_hash
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    assert (
        manifest["files"]["templates/samenspel.sav"]
        == sha256(files["templates/samenspel.sav"]).hexdigest()
    )
    assert any("14 PDFs" in note for note in notes)


def test_html_form_is_escaped_and_rejects_unknown_choices(instrument, areas):
    html = render_paper_html(instrument, areas, "informal", "en", "self")
    assert "Don&#39;t know" in html
    with pytest.raises(ValueError, match="version 'web' is not one of"):
        render_paper_html(instrument, areas, "informal", "en", "web")
    with pytest.raises(ValueError, match="role 'mayor'"):
        render_paper_html(instrument, areas, "mayor", "en", "self")


def test_a_national_registry_gets_a_write_in_field_instead_of_a_list(instrument):
    many = AreaRegistry(
        tuple(
            Area(f"wijk-{i:04d}", f"Wijk {i}", "GM0363", "Amsterdam", "wijk")
            for i in range(MAX_PRINTED_AREAS + 1)
        ),
        "test",
    )
    html = render_paper_html(instrument, many, "professional", "nl", "interviewer")
    assert "Code van het gebied" in html
    assert "Wijk 7" not in html
    assert "area" not in [s.id for s in show_card_scales(instrument, many)]
    assert "Wijk 7" not in render_show_cards_html(instrument, many, "nl")
    few = AreaRegistry(many.areas[:3], "test")
    assert "Wijk 2 (Amsterdam)" in render_paper_html(instrument, few, "informal", "en", "self")


def test_the_units_of_a_side_are_grouped_by_area_or_written_in_when_too_many(instrument, areas):
    html = render_paper_html(instrument, areas, "professional", "en", "interviewer")
    first = areas.areas[0]
    teams = [u for u in areas.units if u.side == "professional"]
    group = html[html.index(f'<p class="group-title">{first.name} ({first.municipality})</p>') :]
    assert group.index(teams[0].name) < group.index("</ul>") < group.index(teams[-1].name)
    assert html.rindex(teams[-1].name) < html.index(phrase("unit_not_listed", "en"))
    assert phrase("unit_code", "en") not in html

    teams = [
        Unit(f"team-{i}", f"Team {i}", "crowded", "professional")
        for i in range(MAX_PRINTED_UNITS + 1)
    ]
    club = Unit("club-1", "Club 1", "crowded", "informal")
    crowded = Area("crowded", "Crowded", "GM0363", "Amsterdam", "wijk", units=(*teams, club))
    many = AreaRegistry((crowded,), "test")
    html = render_paper_html(instrument, many, "professional", "nl", "self")
    assert phrase("unit_code", "nl") in html and "Team 7" not in html
    assert phrase("unit_not_listed", "nl") in html
    informal = render_paper_html(instrument, many, "informal", "nl", "self")
    assert "Club 1" in informal and phrase("unit_code", "nl") not in informal


def test_every_pdf_is_tagged_with_its_language_and_title(fieldwork):
    """PDF/UA-1: poppler calls each PDF tagged; it names its language (the form's, "nl" for
    the bilingual show-cards' first) and shows its title; its structure tree has a heading."""
    from pypdf import PdfReader

    out, files, _ = fieldwork
    for name in (n for n in files if n.endswith(".pdf")):
        info = subprocess.run(
            ["pdfinfo", str(out / name)], capture_output=True, check=True, text=True
        ).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), name
        assert re.search(r"^Title:\s+\S", info, re.M), name
        root = PdfReader(out / name).trailer["/Root"]
        language = re.search(r"_(nl|en)_", name)
        assert root["/Lang"] == (language.group(1) if language else root["/Lang"]), name
        assert root["/Lang"] in ("nl", "en"), name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"], name
        kinds, todo = set(), [root["/StructTreeRoot"]]
        while todo:
            node = todo.pop().get_object()
            if isinstance(node, list):
                todo.extend(node)
            elif isinstance(node, dict) and "/K" in node:
                kinds.add(node.get("/S"))
                todo.append(node["/K"])
        assert {"/H1", "/H2"} & kinds, name
