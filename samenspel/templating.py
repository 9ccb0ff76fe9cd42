"""The one jinja set-up of every page samenspel writes (report, codebook, paper form,
fieldwork progress): HTML is escaped (also in templates made from strings), a name a
template uses but is not given is an error rather than an empty string, and block tags
leave no blank lines behind."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


def template_environment(folder: Path) -> Environment:
    """A jinja environment for the templates in ``folder``."""
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
