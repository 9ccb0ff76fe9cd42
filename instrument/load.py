"""Load the questionnaire YAML into frozen models, collecting every problem on the way.

    instrument, problems = check_instrument("instrument/samenspel.yaml")
    instrument = load_instrument("instrument/samenspel.yaml")   # raises ProblemsFound

Validation happens here, once, at the edge; everything downstream trusts the model.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from samenspel.common.problems import Level, Problem, ProblemsFound, has_errors, yaml_key
from samenspel.instrument.model import (
    CONSTRUCT_KINDS,
    DEFAULT_ROLES,
    ITEM_KINDS,
    PAIR_SUFFIX,
    PAIR_TARGETS,
    PLACEHOLDER_PATTERN,
    PLACEHOLDERS,
    SCALE_KINDS,
    SIDES,
    AnswerOption,
    AnswerScale,
    Construct,
    Instrument,
    Item,
    Role,
    ScaleItem,
    Section,
    fill_placeholders,
    freeze,
)

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
CONSTRUCT_CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")

# Readability, as warnings. Flesch-Douma (textstat's Dutch mode) per section: 60+ is easy
# text, below 40 is hard for B1 readers.
READABILITY_MIN = 40.0
MAX_WORDS_PER_SENTENCE = 12
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


# Limits that keep a mistaken or hostile file from exhausting the machine. The largest file
# we know of, an area registry of every CBS buurt in the Netherlands with five units each,
# is about 7 MB (PyYAML reads it in some 40 s); the deepest nesting in our files is 6 levels.
# PyYAML builds nested collections recursively: much deeper nesting ends in a RecursionError.
MAX_YAML_BYTES = 16 * 1024 * 1024
MAX_YAML_DEPTH = 64


def kind_of(value: Any) -> str:
    """What a parsed YAML value is, in words, for messages ("found a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with a nesting limit, and values it cannot construct (a date
    such as 2026-02-30, ``!!int abc``) as YAML errors with their place; PyYAML itself raises
    ValueError, KeyError or AttributeError for those."""

    depth = 0

    def compose_sequence_node(self, anchor):
        return self._nested(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor):
        return self._nested(super().compose_mapping_node, anchor)

    def _nested(self, compose, anchor):
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the data is nested more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return compose(anchor)
        finally:
            self.depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            kind = str(node.tag).rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"this value cannot be read as {kind} ({exc}); quote it if it is meant as text",
                node.start_mark,
            ) from None


ITEM_FIELDS = ("code", "kind", "scale", "text", "instruction", "roles", "facet")


class PlacedDict(dict):
    """A YAML mapping that knows its line in the file (1-based) and its keys' lines, for
    messages."""

    line = 0
    key_lines: dict[str, int] = {}  # noqa: RUF012 (set per instance by the loader)

    def line_of(self, key: object) -> int:
        return self.key_lines.get(as_written(key), self.line)


class NumberText(int):
    """A YAML integer that remembers how it was written: ``0361`` is read as the octal
    number 241 by YAML 1.1, but a message must show what the user wrote."""

    text = ""


class _PlacedLoader(_Loader):
    """The safe loader, with each mapping's line and each integer's written form kept."""

    def construct_yaml_map(self, node):
        mapping = PlacedDict()
        mapping.line = node.start_mark.line + 1
        yield mapping
        mapping.update(self.construct_mapping(node))
        mapping.key_lines = {
            str(key.value): key.start_mark.line + 1
            for key, _ in node.value
            if isinstance(key, yaml.ScalarNode)
        }

    def construct_yaml_int(self, node):
        number = NumberText(super().construct_yaml_int(node))
        number.text = str(node.value)
        return number


_PlacedLoader.add_constructor("tag:yaml.org,2002:map", _PlacedLoader.construct_yaml_map)
_PlacedLoader.add_constructor("tag:yaml.org,2002:int", _PlacedLoader.construct_yaml_int)


def as_written(value: object) -> str:
    """A value as the user wrote it in the YAML file (integers keep their leading zeros)."""
    return value.text if isinstance(value, NumberText) and value.text else str(value)


def closest_key(key: object, known: tuple[str, ...]) -> str:
    """The fix for an unknown key: the nearest known key, or the list of known keys."""
    match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else f"use {', '.join(known)}"


def read_yaml(path: str | Path, problems: list[Problem], placed: bool = False) -> dict | None:
    """Read a YAML file whose top level is a mapping; on failure add a problem, return None.

    ``placed``: mappings are :class:`PlacedDict` (with their line) and integers
    :class:`NumberText` (with their written form)."""
    path = Path(path)

    def problem(code: str, where: str, message: str, hint: str) -> None:
        problems.append(Problem(Level.ERROR, code, where, message, hint))

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)  # never more: the path may be a device
    except FileNotFoundError:
        problem("file-not-found", str(path), "the file does not exist", "check the path")
        return None
    except OSError as exc:
        problem(
            "file-not-found", str(path), f"cannot read the file: {exc}", "check the permissions"
        )
        return None
    if len(data) > MAX_YAML_BYTES:
        problem(
            "file-too-large",
            str(path),
            f"the file is larger than {MAX_YAML_BYTES:,} bytes",
            "check that this is the right file; settings, questionnaires and registries are "
            "far smaller",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem(
            "file-not-found", str(path), f"cannot read the file: {exc}", "save it as UTF-8 text"
        )
        return None
    try:
        raw = yaml.load(text, Loader=_PlacedLoader if placed else _Loader)  # safe: plain data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        reason = getattr(exc, "problem", None) or str(exc)
        problem(
            "invalid-yaml",
            where,
            f"not valid YAML: {reason}",
            "check indentation and quoting near this line",
        )
        return None
    if not isinstance(raw, dict):
        found = "an empty file" if raw is None else kind_of(raw)
        problem(
            "wrong-type",
            f"{path}: (top level)",
            f"expected `field: value` lines, found {found}",
            "write the file as a YAML mapping of fields to values, like the built-in one",
        )
        return None
    return raw


class _Checker:
    """Walks the parsed YAML, recording problems with their YAML paths."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, level: Level, code: str, path: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(level, code, f"{self.source}: {path}", message, hint))

    def error(self, code: str, path: str, message: str, hint: str = "") -> None:
        self.add(Level.ERROR, code, path, message, hint)

    def warn(self, code: str, path: str, message: str, hint: str = "") -> None:
        self.add(Level.WARNING, code, path, message, hint)

    def known(self, node: dict, path: str, fields: tuple[str, ...]) -> None:
        """An error for every key of ``node`` that is not one of ``fields``."""
        for key in node:
            if key not in fields:
                where = f"{path}.{yaml_key(key)}" if path != "(top level)" else yaml_key(key)
                self.error("unknown-field", where, f"{str(key)!r} is not a field here",
                           closest_key(str(key), fields))  # fmt: skip

    def mapping(self, node: Any, path: str, required: bool = True) -> dict:
        if node is None and not required:
            return {}
        if not isinstance(node, dict):
            if node is None:
                self.error("missing-field", path, "this field is required", f"add `{path}`")
            else:
                self.error(
                    "wrong-type",
                    path,
                    f"expected a mapping, found {type(node).__name__}",
                    "write `key: value` pairs here",
                )
            return {}
        return node

    def string(self, node: Any, path: str) -> str | None:
        if node is None:
            self.error("missing-field", path, "this field is required", f"add `{path}`")
            return None
        if isinstance(node, bool) or not isinstance(node, str | int | float):
            self.error(
                "wrong-type",
                path,
                f"expected text, found {type(node).__name__}",
                "write a plain value",
            )
            return None
        return str(node)

    def text(self, node: Any, path: str, languages: tuple[str, ...], required: bool = True):
        """A translated text: a mapping with a non-empty string for every language."""
        if node is None and not required:
            return freeze({})
        node = self.mapping(node, path)
        result = {}
        for language in languages:
            value = node.get(language)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.error(
                    "missing-translation",
                    f"{path}.{language}",
                    f"the text has no {language!r} version",
                    f"add `{language}: ...` under {path}; every text needs all of "
                    f"{', '.join(languages)}",
                )
            elif not isinstance(value, str):
                self.error(
                    "wrong-type",
                    f"{path}.{language}",
                    f"expected text, found {type(value).__name__}",
                    "quote the text",
                )
            else:
                result[language] = value.strip()
        for extra in sorted(set(node) - set(languages)):
            self.warn(
                "invalid-value",
                f"{path}.{extra}",
                f"language {extra!r} is not in instrument.languages; it is ignored",
                "add it to instrument.languages or remove it",
            )
        return freeze(result)

    def placeholders(self, text: Any, path: str) -> None:
        for language, value in text.items():
            for name in PLACEHOLDER_PATTERN.findall(value):
                if name not in PLACEHOLDERS:
                    self.error(
                        "unknown-placeholder",
                        f"{path}.{language}",
                        f"unknown placeholder {{{name}}}",
                        f"use one of {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
                    )


def meaning_hash(raw: dict) -> str:
    """The questionnaire's identity: a SHA-256 of what it means, not of its bytes.

    The parsed YAML (items, wording, answer scales, roles, constructs, keys, routing) is
    written as canonical JSON — keys sorted, every key as text — so comments, key order,
    quoting, indentation and line endings change nothing. The version label is left out: it
    names the content, it is not content (two labels for one content are one questionnaire).
    """

    def canonical(node):
        if isinstance(node, dict):
            return {str(key): canonical(value) for key, value in node.items()}
        if isinstance(node, list):
            return [canonical(value) for value in node]
        return node

    data = canonical(raw)
    if isinstance(data.get("instrument"), dict):
        data["instrument"] = {k: v for k, v in data["instrument"].items() if k != "version"}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_instrument(
    path: str | Path, readability: bool = True
) -> tuple[Instrument | None, list[Problem]]:
    """Load and validate an instrument file.

    Returns the instrument (None when there are errors) and every problem found; with
    ``readability`` also the warnings on hard Dutch and long sentences.
    """
    problems: list[Problem] = []
    raw = read_yaml(path, problems)
    if raw is None and problems:
        return None, problems
    checker = _Checker(str(path))
    instrument = _build(raw, checker, Path(path), readability)
    problems.extend(checker.problems)
    if has_errors(problems):
        return None, problems
    return instrument, problems


def load_instrument(path: str | Path) -> Instrument:
    """Load a valid instrument or raise :class:`ProblemsFound` listing every problem.

    The readability warnings are left to ``samenspel instrument check``: a command that only
    uses the questionnaire would not show them (and textstat takes a second to load).
    """
    instrument, problems = check_instrument(path, readability=False)
    if instrument is None:
        raise ProblemsFound(problems)
    return instrument


def _build(raw: Any, c: _Checker, path: Path, readability: bool) -> Instrument | None:
    root = c.mapping(raw, "(top level)")
    c.known(root, "(top level)", ("instrument", "roles", "answer_scales", "sections", "constructs"))
    head = c.mapping(root.get("instrument"), "instrument")
    c.known(head, "instrument", ("id", "version", "languages", "default_language", "title"))
    instrument_id = c.string(head.get("id"), "instrument.id") or ""
    version = c.string(head.get("version"), "instrument.version") or ""
    languages_node = head.get("languages")
    if not isinstance(languages_node, list) or not languages_node:
        c.error(
            "missing-field",
            "instrument.languages",
            "a list of language codes is required",
            "write e.g. `languages: [nl, en]`",
        )
        languages: tuple[str, ...] = ("nl",)
    else:
        languages = tuple(str(x) for x in languages_node)
    default_language = c.string(head.get("default_language"), "instrument.default_language")
    if default_language is not None and default_language not in languages:
        c.error(
            "invalid-value",
            "instrument.default_language",
            f"{default_language!r} is not one of the languages {list(languages)}",
            "pick one of instrument.languages",
        )
    title = c.text(head.get("title"), "instrument.title", languages)

    roles = _roles(root.get("roles"), c, languages)
    scales = _answer_scales(root.get("answer_scales"), c, languages, roles)
    sections, items = _sections(root.get("sections"), c, languages, roles, scales)
    constructs = _constructs(root.get("constructs"), c, languages, items, scales)
    _check_consent_first(items, c)
    if has_errors(c.problems):
        return None
    if readability:
        _check_readability(sections, items, roles, c)
    content_hash = meaning_hash(raw)
    return Instrument(
        id=instrument_id,
        version=version,
        languages=languages,
        default_language=default_language or languages[0],
        title=title,
        roles=freeze(roles),
        answer_scales=freeze(scales),
        sections=tuple(sections),
        items=tuple(items),
        constructs=freeze(constructs),
        content_hash=content_hash,
        source=str(path),
    )


def _roles(node: Any, c: _Checker, languages: tuple[str, ...]) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for role_id, spec in c.mapping(node, "roles").items():
        path = f"roles.{role_id}"
        spec = c.mapping(spec, path)
        c.known(spec, path, ("side", "code", "label", "placeholders"))
        side = spec.get("side")
        if side not in (*SIDES, "none"):
            c.error(
                "invalid-value",
                f"{path}.side",
                f"side {side!r} is not allowed",
                f"use one of {', '.join((*SIDES, 'none'))}",
            )
        code = spec.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            c.error(
                "missing-field",
                f"{path}.code",
                "a role needs a whole-number answer code",
                "add e.g. `code: 1`; it is the answer to the role question",
            )
            code = -1
        elif code in {r.code for r in roles.values()}:
            c.error(
                "duplicate-code",
                f"{path}.code",
                f"role code {code} is used twice",
                "give every role its own code",
            )
        label = c.text(spec.get("label"), f"{path}.label", languages)
        holders_node = c.mapping(spec.get("placeholders"), f"{path}.placeholders")
        holders = {}
        for name in PLACEHOLDERS:
            holders[name] = c.text(holders_node.get(name), f"{path}.placeholders.{name}", languages)
        for name in sorted(set(holders_node) - set(PLACEHOLDERS)):
            c.error(
                "unknown-placeholder",
                f"{path}.placeholders.{name}",
                f"placeholder {name!r} is not one the forms can fill in",
                f"use {', '.join(PLACEHOLDERS)}",
            )
        roles[str(role_id)] = Role(
            str(role_id), code, None if side == "none" else side, label, freeze(holders)
        )
    for side in SIDES:
        if roles and not any(r.side == side for r in roles.values()):
            c.error(
                "missing-field",
                "roles",
                f"no role is on the {side} side of the index",
                f"give one role `side: {side}`",
            )
    return roles


def _options(node: Any, path: str, c: _Checker, languages) -> tuple[AnswerOption, ...]:
    options = []
    for code, label in c.mapping(node, path, required=False).items():
        if isinstance(code, bool) or not isinstance(code, int):
            c.error(
                "wrong-type",
                f"{path}.{code}",
                f"answer code {code!r} is not a whole number",
                "use whole numbers as answer codes",
            )
            continue
        options.append(AnswerOption(code, c.text(label, f"{path}.{code}", languages)))
    return tuple(options)


def _answer_scales(node: Any, c: _Checker, languages, roles) -> dict[str, AnswerScale]:
    scales: dict[str, AnswerScale] = {}
    for scale_id, spec in c.mapping(node, "answer_scales").items():
        path = f"answer_scales.{scale_id}"
        spec = c.mapping(spec, path)
        c.known(spec, path, ("kind", "options", "missing", "minimum", "maximum"))
        kind = spec.get("kind")
        if kind not in SCALE_KINDS:
            c.error(
                "invalid-value",
                f"{path}.kind",
                f"kind {kind!r} is not known",
                f"use one of {', '.join(SCALE_KINDS)}",
            )
        options = _options(spec.get("options"), f"{path}.options", c, languages)
        if kind == "role":
            options = tuple(AnswerOption(r.code, r.label) for r in roles.values())
        missing = _options(spec.get("missing"), f"{path}.missing", c, languages)
        minimum, maximum = spec.get("minimum"), spec.get("maximum")
        if kind in ("grade", "count"):
            if not isinstance(minimum, int) or not isinstance(maximum, int) or minimum >= maximum:
                c.error(
                    "missing-field",
                    path,
                    f"a {kind} scale needs whole numbers `minimum` < `maximum`",
                    "add e.g. `minimum: 1` and `maximum: 10`",
                )
                minimum = maximum = None
        elif kind in ("agreement", "ordinal", "categorical") and not options:
            c.error(
                "missing-field",
                f"{path}.options",
                f"a {kind} scale needs answer options",
                "add `options:` with `code: {nl: ..., en: ...}` lines",
            )
        valid = {o.code for o in options}
        for m in missing:
            inside_range = (
                minimum is not None and maximum is not None and minimum <= m.code <= maximum
            )
            if m.code in valid or inside_range:
                c.error(
                    "missing-code-overlap",
                    f"{path}.missing.{m.code}",
                    f"missing-value code {m.code} is also a valid answer",
                    "pick a code outside the answer range, e.g. 8/9 or 98/998",
                )
        scales[str(scale_id)] = AnswerScale(
            str(scale_id), str(kind), options, missing, minimum, maximum
        )
    return scales


def _item_roles(node: Any, path: str, c: _Checker, roles: dict[str, Role]) -> tuple[str, ...]:
    if node is None:
        return DEFAULT_ROLES
    if node == "all":
        return tuple(roles)
    if not isinstance(node, list):
        c.error(
            "wrong-type",
            path,
            "roles must be a list or `all`",
            "write e.g. `roles: [professional, informal]`",
        )
        return ()
    for role in node:
        if role not in roles:
            c.error(
                "unknown-reference",
                path,
                f"role {role!r} is not defined under roles",
                f"use one of {', '.join(roles)}",
            )
    return tuple(str(r) for r in node)


def _sections(node, c: _Checker, languages, roles, scales) -> tuple[list[Section], list[Item]]:
    sections: list[Section] = []
    items: list[Item] = []
    seen_codes: dict[str, str] = {}
    seen_sections: set[str] = set()
    if not isinstance(node, list):
        c.error(
            "missing-field",
            "sections",
            "a list of sections is required",
            "add `sections:` with `- id: ...` entries",
        )
        return sections, items
    for s_index, s_node in enumerate(node):
        s_path = f"sections[{s_index}]"
        s_node = c.mapping(s_node, s_path)
        c.known(s_node, s_path, ("id", "title", "intro", "pair_stems", "items"))
        section_id = c.string(s_node.get("id"), f"{s_path}.id") or f"section{s_index}"
        if section_id in seen_sections:
            c.error(
                "duplicate-code",
                f"{s_path}.id",
                f"section id {section_id!r} is used twice",
                "give every section its own id",
            )
        seen_sections.add(section_id)
        title = c.text(s_node.get("title"), f"{s_path}.title", languages)
        intro = c.text(s_node.get("intro"), f"{s_path}.intro", languages, required=False)
        c.placeholders(intro, f"{s_path}.intro")
        stems_node = s_node.get("pair_stems")
        stems = {}
        if stems_node is not None:
            stems_node = c.mapping(stems_node, f"{s_path}.pair_stems")
            for target in PAIR_TARGETS:
                stems[target] = c.text(
                    stems_node.get(target), f"{s_path}.pair_stems.{target}", languages
                )
                c.placeholders(stems[target], f"{s_path}.pair_stems.{target}")
        item_nodes = s_node.get("items")
        if not isinstance(item_nodes, list) or not item_nodes:
            c.error(
                "missing-field",
                f"{s_path}.items",
                "a section needs a list of items",
                "add `items:` with `- code: ...` entries",
            )
            item_nodes = []
        codes: list[str] = []
        for i_index, i_node in enumerate(item_nodes):
            path = f"{s_path}.items[{i_index}]"
            for item in _items(i_node, path, section_id, stems, c, languages, roles, scales):
                if item.code in seen_codes:
                    c.error(
                        "duplicate-code",
                        f"{path}.code",
                        f"item code {item.code!r} is already used at {seen_codes[item.code]}",
                        "give every item its own code",
                    )
                    continue
                seen_codes[item.code] = path
                codes.append(item.code)
                items.append(item)
        sections.append(Section(section_id, title, intro, tuple(codes)))
    return sections, items


def _items(node, path: str, section_id: str, stems, c: _Checker, languages, roles, scales):
    """The items one entry of a section's ``items:`` defines: one, or two for a paired
    item (the question about one's own side and about the other); none when it has no
    code or is paired in a section without ``pair_stems``."""
    node = c.mapping(node, path)
    c.known(node, path, ITEM_FIELDS)
    code = c.string(node.get("code"), f"{path}.code")
    if code is None:
        return []
    if not CODE_PATTERN.fullmatch(code):
        c.error(
            "invalid-code",
            f"{path}.code",
            f"item code {code!r} is not allowed",
            "use lower-case letters, digits and _ , starting with a letter",
        )
    kind = node.get("kind", "single")
    if kind not in ITEM_KINDS:
        c.error(
            "invalid-value",
            f"{path}.kind",
            f"item kind {kind!r} is not known",
            f"use one of {', '.join(ITEM_KINDS)}",
        )
    scale = c.string(node.get("scale"), f"{path}.scale") or ""
    if scale and scale not in scales:
        c.error(
            "undefined-answer-scale",
            f"{path}.scale",
            f"answer scale {scale!r} is not defined",
            f"define it under answer_scales or use one of {', '.join(scales)}",
        )
    text = c.text(node.get("text"), f"{path}.text", languages)
    c.placeholders(text, f"{path}.text")
    instruction = c.text(node.get("instruction"), f"{path}.instruction", languages, required=False)
    item_roles = _item_roles(node.get("roles"), f"{path}.roles", c, roles)
    if kind == "paired":
        if not stems:
            section_path = path.rsplit(".items[", 1)[0]
            c.error(
                "missing-field",
                f"{section_path}.pair_stems",
                f"item {code} is paired but its section has no pair_stems",
                "add `pair_stems:` with an `own` and an `other` question",
            )
            return []
        variants = [(code + PAIR_SUFFIX[t], code, t, stems[t]) for t in PAIR_TARGETS]
    else:
        variants = [(code, None, None, freeze({}))]
    return [
        Item(flat_code, section_id, kind, scale, text, item_roles, instruction,
             node.get("facet"), base, target, stem, path)
        for flat_code, base, target, stem in variants
    ]  # fmt: skip


def _parse_scale_line(line: str) -> list[tuple[str, bool]]:
    """`a + b + -c` -> [("a", False), ("b", False), ("c", True)]."""
    terms = [t.strip() for t in line.replace("\n", " ").split("+")]
    return [(t[1:].strip(), True) if t.startswith("-") else (t, False) for t in terms]


def _constructs(node, c: _Checker, languages, items: list[Item], scales) -> dict[str, Construct]:
    by_code = {item.code: item for item in items}
    paired_bases = {item.pair_base for item in items if item.pair_base}
    constructs: dict[str, Construct] = {}
    used: dict[str, str] = {}
    for code, spec in c.mapping(node, "constructs").items():
        path = f"constructs.{code}"
        if not CONSTRUCT_CODE_PATTERN.fullmatch(str(code)):
            c.error(
                "invalid-code",
                path,
                f"construct code {code!r} is not allowed",
                "use upper-case letters and digits, e.g. TRU",
            )
        spec = c.mapping(spec, path)
        c.known(spec, path, ("kind", "name", "items"))
        kind = spec.get("kind")
        if kind not in CONSTRUCT_KINDS:
            c.error(
                "invalid-value",
                f"{path}.kind",
                f"construct kind {kind!r} is not known",
                f"use one of {', '.join(CONSTRUCT_KINDS)}",
            )
        name = c.text(spec.get("name"), f"{path}.name", languages)
        line = c.string(spec.get("items"), f"{path}.items") or ""
        scale_items = []
        for item_code, reverse in _parse_scale_line(line) if line else []:
            if kind == "paired":
                known = item_code in paired_bases
            else:
                known = item_code in by_code and by_code[item_code].kind != "paired"
            if not known:
                hint = (
                    f"{item_code}_own/_other are answer columns; list the paired item "
                    f"{item_code!r} itself"
                    if kind == "paired"
                    else "list codes of items defined under sections"
                )
                c.error(
                    "unknown-reference",
                    f"{path}.items",
                    f"item {item_code!r} is not a{' paired' if kind == 'paired' else 'n'} "
                    "item of this instrument",
                    hint,
                )
                continue
            if item_code in used:
                c.error(
                    "duplicate-code",
                    f"{path}.items",
                    f"item {item_code!r} is already scored in {used[item_code]}",
                    "score every item in one construct only",
                )
            used[item_code] = str(code)
            if reverse:
                column = item_code + PAIR_SUFFIX["own"] if kind == "paired" else item_code
                scale_kind = scales.get(by_code[column].scale)
                if scale_kind is None or scale_kind.kind != "agreement":
                    c.error(
                        "reverse-non-agreement",
                        f"{path}.items",
                        f"-{item_code} is reverse-keyed but its answer scale is not an "
                        "agreement scale",
                        "reverse keys apply to agreement items only; remove the minus sign",
                    )
            scale_items.append(ScaleItem(item_code, reverse))
        if kind == "reflective" and len(scale_items) < 3:
            c.error(
                "scale-too-short",
                f"{path}.items",
                f"a reflective scale needs at least 3 items, {code} has {len(scale_items)}",
                "add items, or make the construct formative",
            )
        constructs[str(code)] = Construct(str(code), str(kind), name, tuple(scale_items))
    return constructs


def _check_consent_first(items: list[Item], c: _Checker) -> None:
    consent = [i for i, item in enumerate(items) if item.kind == "consent"]
    if consent != [0]:
        c.error(
            "consent-not-first",
            "sections[0].items[0]",
            "the first item must be the one consent item (kind: consent); "
            f"found consent at positions {[i + 1 for i in consent] or 'none'}",
            "put exactly one item with `kind: consent` first; nothing is asked without it",
        )


def _check_readability(
    sections: list[Section], items: list[Item], roles: dict[str, Role], c: _Checker
) -> None:
    """Warnings on the Dutch wording as a respondent reads it (placeholders filled in).

    Sentence length is checked per item. Flesch-Douma is computed per section: the formula
    averages over words and sentences and gives meaningless values on one short item.
    """
    import textstat  # loads nltk: only when readability is asked for

    textstat.set_lang("nl")
    by_code = {item.code: item for item in items}
    for s_index, section in enumerate(sections):
        for role_id, role in roles.items():
            texts = []
            for code in section.item_codes:
                item = by_code[code]
                if role_id not in item.roles or item.pair_target == "other":
                    continue
                text = fill_placeholders(item.text["nl"], role, "nl")
                texts.append(text)
                for sentence in SENTENCE_SPLIT.split(text):
                    words = len(sentence.split())
                    if words > MAX_WORDS_PER_SENTENCE:
                        c.warn(
                            "long-sentence",
                            f"{item.yaml_path}.text.nl (as {role_id})",
                            f"sentence of {words} words (house limit "
                            f"{MAX_WORDS_PER_SENTENCE}): {sentence!r}",
                            "split it, or shorten it",
                        )
            if len(texts) < 2:
                continue
            score = textstat.flesch_reading_ease(" ".join(texts))
            if score < READABILITY_MIN:
                c.warn(
                    "readability",
                    f"sections[{s_index}] ({section.id}, as {role_id})",
                    f"Flesch-Douma {score:.0f} over the section's items, below "
                    f"{READABILITY_MIN:.0f}",
                    "use shorter, more common words",
                )
