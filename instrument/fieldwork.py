"""Every fieldwork material in one call: forms, XLSForm, codebook, data templates.

    files, notes = build_fieldwork(instrument, areas)    # {relative path: bytes}, messages

The CLI (``samenspel fieldwork --out DIR``) writes the files; nothing here touches the disk.
Layout of the output folder::

    xlsform/samenspel.xlsx            XLSForm for KoboToolbox / ODK Collect
    xlsform/samenspel.xml             the XForm pyxform made of it (checked by ODK Validate)
    xlsform/samenspel.txt             readable dump of the XLSForm (what the golden test holds)
    paper/<role>_<lang>_<version>.pdf paper questionnaires (+ .html), version: interviewer|self
    paper/showcards_<lang>.pdf        show-cards in large type (+ .html)
    codebook/codebook.html            codebook, both languages
    codebook/datapackage.json         Frictionless data package of a Kobo export
    templates/samenspel.sav           empty SPSS file: labels, value labels, missing codes
    templates/data_entry.xlsx         workbook for typing in paper forms, with drop-downs
    manifest.json                     instrument version and hash, SHA-256 of every file
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor

from samenspel.common.problems import ProblemsFound
from samenspel.instrument.codebook import build_datapackage, render_codebook
from samenspel.instrument.dataentry import data_entry_workbook, sav_template
from samenspel.instrument.model import AreaRegistry, Instrument
from samenspel.instrument.paper import (
    VERSIONS,
    html_to_pdf,
    render_paper_html,
    render_show_cards_html,
)
from samenspel.instrument.xlsform import (
    build_xlsform,
    check_translations,
    convert_xlsform,
    dump_xlsform,
    odk_validate_available,
    xlsform_bytes,
)


def paper_name(role: str, language: str, version: str) -> str:
    return f"paper/{role}_{language}_{version}"


def build_fieldwork(
    instrument: Instrument,
    areas: AreaRegistry,
    pdf: bool = True,
    validate: bool = True,
    workers: int | None = None,
) -> tuple[dict[str, bytes], list[str]]:
    """All fieldwork files as ``{relative path: content}``, and notes for the user.

    ``validate`` runs ODK Validate when Java and the validator are present (a note says so
    when they are not). ``pdf=False`` skips the WeasyPrint step (HTML only). PDFs are
    rendered in ``workers`` processes (default: up to 4, one a CPU).
    """
    notes: list[str] = []
    form = build_xlsform(instrument, areas)
    problems = check_translations(form, instrument.languages)
    if problems:
        raise ProblemsFound(problems)
    content = xlsform_bytes(form)
    reason = odk_validate_available() if validate else "not requested"
    result = convert_xlsform(content, validate=validate and not reason)
    notes.append(
        "XLSForm converted by pyxform"
        + (" and passed ODK Validate" if validate and not reason else f"; ODK Validate: {reason}")
        + (f"; warnings: {'; '.join(result.warnings)}" if result.warnings else "")
    )
    stem = f"xlsform/{instrument.id}"
    files: dict[str, bytes] = {
        f"{stem}.xlsx": content,
        f"{stem}.xml": result.xform.encode("utf-8"),
        f"{stem}.txt": dump_xlsform(form).encode("utf-8"),
        "codebook/codebook.html": render_codebook(instrument, areas).encode("utf-8"),
        "codebook/datapackage.json": json.dumps(
            build_datapackage(instrument, areas, result.xform), indent=2, ensure_ascii=False
        ).encode("utf-8"),
        f"templates/{instrument.id}.sav": sav_template(instrument, areas),
        "templates/data_entry.xlsx": data_entry_workbook(instrument, areas),
    }
    pages: dict[str, str] = {}
    for role in instrument.roles:
        for language in instrument.languages:
            for version in VERSIONS:
                html = render_paper_html(instrument, areas, role, language, version)
                pages[paper_name(role, language, version)] = html
    for language in instrument.languages:
        pages[f"paper/showcards_{language}"] = render_show_cards_html(instrument, areas, language)
    for name, html in pages.items():
        files[f"{name}.html"] = html.encode("utf-8")
    if pdf:
        workers = workers or min(4, os.cpu_count() or 1)
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                rendered = list(pool.map(html_to_pdf, pages.values()))
        else:
            rendered = [html_to_pdf(html) for html in pages.values()]
        for name, document in zip(pages, rendered, strict=True):
            files[f"{name}.pdf"] = document
        notes.append(f"{len(rendered)} PDFs rendered with WeasyPrint")
    manifest = {
        "instrument": instrument.id,
        "version": instrument.version,
        "instrument_hash": instrument.content_hash,
        "note": "generated from the questionnaire YAML by `samenspel fieldwork`; do not edit",
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, indent=2).encode("utf-8")
    return files, notes
