"""One's own project: a folder with a ``samenspel.toml`` naming every file a command needs.

    project = find_project(Path.cwd())          # the project file here or in a parent folder
    settings = resolve_settings(args, needs)    # project + flags -> the files of one command
    create_project(folder, {"GM0361": "Alkmaar"})   # `samenspel init`

The project file (paths relative to it)::

    [project]
    name = "Monitor Alkmaar"

    [files]
    questionnaire = "questionnaire.yaml"
    areas = "areas.yaml"
    methodology = "methodology.yaml"
    store = "data/samenspel.duckdb"
    results = "results"
    site = "site"

    [[waves]]                  # one block per wave, as they come
    id = "2026"
    start = 2026-03-01         # the fieldwork period
    end = 2026-05-31

Where the settings of a command come from, first match wins: a flag (``--instrument``,
``--store``, ...), the project given with ``--project``, the project of
``$SAMENSPEL_PROJECT``, the project file in the working folder or a parent. The built-in demo
questionnaire, registry and methodology are used only by the demo (``samenspel simulate``
without a project, and the Makefile's demo targets, which name them); every other command
with neither a project nor the file it needs stops and says how to start a project.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from samenspel.common.paths import DEFAULT_AREAS, DEFAULT_INSTRUMENT, DEFAULT_METHODOLOGY
from samenspel.common.problems import InputError, Level, Problem, ProblemsFound

PROJECT_FILE = "samenspel.toml"
PROJECT_ENV = "SAMENSPEL_PROJECT"
FILES = ("questionnaire", "areas", "methodology", "store", "results", "site")
DEFAULT_FILES = {
    "questionnaire": "questionnaire.yaml",
    "areas": "areas.yaml",
    "methodology": "methodology.yaml",
    "store": "data/samenspel.duckdb",
    "results": "results",
    "site": "site",
}
SECTIONS = {"project": ("name",), "files": FILES, "waves": ("id", "start", "end")}
# What each setting is called on the command line, for the messages.
FLAGS = {
    "questionnaire": "--instrument",
    "areas": "--areas",
    "methodology": "--methodology",
    "store": "--store",
    "results": "--results",
    "site": "--out",
}
BUILT_IN = {
    "questionnaire": DEFAULT_INSTRUMENT,
    "areas": DEFAULT_AREAS,
    "methodology": DEFAULT_METHODOLOGY,
}
START_A_PROJECT = (
    "Start a project with `samenspel init FOLDER --municipality GM0361=Alkmaar` and run the "
    "command inside that folder (or give --project FOLDER)"
)


@dataclass(frozen=True)
class Wave:
    """A survey wave of a project and its fieldwork period (dates may be unknown)."""

    id: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Project:
    """A parsed ``samenspel.toml``: absolute paths of its files, and its waves."""

    file: Path
    name: str
    files: dict[str, Path]
    waves: tuple[Wave, ...] = ()

    @property
    def folder(self) -> Path:
        return self.file.parent


@dataclass(frozen=True)
class Settings:
    """The files one command works with, and where each came from (for its first line)."""

    project: Project | None
    files: dict[str, Path] = field(default_factory=dict)
    demo: bool = False  # the built-in demo files, for the demo only


def _closest(key: str, known: tuple[str, ...]) -> str:
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else f"use {', '.join(known)}"


def load_project(path: str | Path) -> Project:
    """Read and check a project file (or the ``samenspel.toml`` of a folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / PROJECT_FILE
    problems: list[Problem] = []

    def error(where: str, code: str, message: str, hint: str) -> None:
        problems.append(Problem(Level.ERROR, code, f"{path}: {where}", message, hint))

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"There is no project file {path}. {START_A_PROJECT}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the project file {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsFound(
            [Problem(Level.ERROR, "invalid-yaml", str(path), f"not valid TOML: {exc}",
                     "check the quotes and brackets near that line")]
        ) from None  # fmt: skip
    for key in raw:
        if key not in SECTIONS:
            error(key, "unknown-field", f"{key!r} is not a section", _closest(key, tuple(SECTIONS)))
    meta = raw.get("project", {})
    listed = raw.get("files", {})
    waves = raw.get("waves", [])
    for section, value, kind in (("project", meta, dict), ("files", listed, dict),
                                 ("waves", waves, list)):  # fmt: skip
        if not isinstance(value, kind):
            error(section, "wrong-type", f"[{section}] has the wrong form",
                  "write it as in the file `samenspel init` makes")  # fmt: skip
    if problems:
        raise ProblemsFound(problems)
    for key in [*meta, *listed]:
        section = "project" if key in meta else "files"
        if key not in SECTIONS[section]:
            error(f"{section}.{key}", "unknown-field", f"{key!r} is not a field of [{section}]",
                  _closest(key, SECTIONS[section]))  # fmt: skip
    files = {}
    for name in FILES:
        value = listed.get(name, DEFAULT_FILES[name])
        if not isinstance(value, str) or not value.strip():
            error(f"files.{name}", "wrong-type", "expected a path as text",
                  f'write e.g. {name} = "{DEFAULT_FILES[name]}"')  # fmt: skip
            continue
        files[name] = (path.parent / value).resolve()
    read_waves = []
    for position, wave in enumerate(waves):
        where = f"waves[{position}]"
        if not isinstance(wave, dict) or not isinstance(wave.get("id"), str):
            error(where, "missing-field", "a wave needs an id as text", 'write id = "2026"')
            continue
        where = f"waves[{wave['id']}]"
        for key in wave:
            if key not in SECTIONS["waves"]:
                error(f"{where}.{key}", "unknown-field", f"{key!r} is not a field of a wave",
                      _closest(key, SECTIONS["waves"]))  # fmt: skip
        dates = {}
        for key in ("start", "end"):
            value = wave.get(key)
            if value is not None and not isinstance(value, date):
                error(f"{where}.{key}", "wrong-type", f"{key} must be a date",
                      f"write it without quotes, e.g. {key} = 2026-03-01")  # fmt: skip
                value = None
            dates[key] = value
        if dates["start"] and dates["end"] and dates["end"] < dates["start"]:
            error(f"{where}.end", "invalid-value", "the fieldwork ends before it starts",
                  "check the two dates")  # fmt: skip
        read_waves.append(Wave(wave["id"], dates["start"], dates["end"]))
    if len({w.id for w in read_waves}) < len(read_waves):
        error("waves", "duplicate-code", "a wave id is listed twice", "list every wave once")
    if problems:
        raise ProblemsFound(problems)
    name = meta.get("name") if isinstance(meta.get("name"), str) else path.parent.name
    return Project(path.resolve(), name, files, tuple(read_waves))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def find_project(start: Path) -> Path | None:
    """The project file in ``start`` or the nearest parent folder that has one."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder / PROJECT_FILE
    return None


def project_of(given: str | Path | None) -> Project | None:
    """The project a command runs in: ``given`` (``--project``), else
    ``$SAMENSPEL_PROJECT``, else the project file of the working folder or a parent; None
    outside any project."""
    given = given or os.environ.get(PROJECT_ENV)
    if given:
        return load_project(given)
    found = find_project(Path.cwd())
    return load_project(found) if found else None


def resolve_settings(
    project: str | Path | None,
    given: dict[str, str | Path | None],
    needs: tuple[str, ...],
    demo_allowed: bool = False,
    flag_names: dict[str, str] | None = None,
) -> Settings:
    """The files named in ``needs`` (of :data:`FILES`) for one command: from ``given`` (its
    flags, by setting name), else from the project. ``demo_allowed``: without a project, the
    built-in demo questionnaire, registry and methodology stand in (only `simulate` allows
    it). Refuses a needed file that neither gives, saying which flag (``flag_names``
    where a command calls it otherwise than :data:`FLAGS`) or project would."""
    unknown = sorted(set(needs) - set(FILES))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; use {', '.join(FILES)}")
    found = project_of(project)
    files: dict[str, Path] = {}
    demo = False
    for name in needs:
        if given.get(name):
            files[name] = Path(given[name])
        elif found is not None:
            files[name] = found.files[name]
        elif demo_allowed and name in BUILT_IN:
            files[name], demo = BUILT_IN[name], True
    missing = [name for name in needs if name not in files]
    if missing:
        flag = FLAGS | (flag_names or {})
        said = _and([f"the {name} ({flag[name]})" for name in missing])
        raise InputError(
            f"This command needs {said}, and it is not run inside a project. "
            f"{START_A_PROJECT}, or give {_and([flag[n] for n in missing])}."
        )
    return Settings(found, files, demo)


AREAS_SKELETON = """\
# The area registry of {name}: the neighbourhoods the monitor reports on, with the units
# (wijkteams; organisations and initiatives) respondents are recruited through.
# Check it with `samenspel areas check areas.yaml`. Codes are text: write them as CBS does.

municipalities:
{municipalities}

areas: []
# One entry per area, for example:
#
#  - id: centrum                  # lower-case letters, digits and hyphens; never reused
#    name: Centrum
#    municipality: {first}
#    kind: wijk                   # gebied, wijk or buurt
#    cbs_wijk: "{wijk}"            # optional; the CBS wijk code, for the map
#    units:
#      professional:
#        - {{code: centrum-wijkteam, name: Sociaal wijkteam Centrum, members: 14}}
#      informal:
#        - {{code: centrum-buurthuis, name: Buurthuis De Brug, members: 25}}
#
# The map: point to CBS's wijk- en buurtkaart (GeoJSON, RD New or WGS84):
# boundaries: {{file: wijken.geojson, wijk_property: wijkcode}}
"""

PROJECT_TEMPLATE = """\
# samenspel project file: every command run in this folder (or below it) takes its files
# from here. Paths are relative to this file. `samenspel --help` lists the commands.

[project]
name = "{name}"

[files]
questionnaire = "questionnaire.yaml"   # your copy of the questionnaire; edit, then
                                       # `samenspel instrument check`
areas = "areas.yaml"                   # your area registry: `samenspel areas check`
methodology = "methodology.yaml"       # the index's settings
store = "data/samenspel.duckdb"        # the store; back it up with data/samenspel.duckdb.raw/
results = "results"                    # written by `samenspel analyse`
site = "site"                          # written by `samenspel report`

# One block per survey wave, with its fieldwork period, as the waves come:
# [[waves]]
# id = "2026"
# start = 2026-03-01
# end = 2026-05-31
"""

TEAM_README = """\
# {name}

A samenspel project: the questionnaire, the area registry, the store and the results of one
monitor. Work inside this folder; every command finds `samenspel.toml` itself.

1. Fill in `areas.yaml` (your areas and the units you recruit through), then
   `samenspel areas check`.
2. Adapt `questionnaire.yaml` if you must (raise its version), then
   `samenspel instrument check`; `samenspel fieldwork --out fieldwork` writes the forms.
3. Each wave: add it to `samenspel.toml` with its fieldwork period, then
   `samenspel ingest exports/<file> --wave <id>` and `samenspel status --rejects`.
   A corrected file: `samenspel ingest <new> --wave <id> --replaces <old>`;
   a file ingested by mistake: `samenspel retract <file> --reason "..."`.
4. `samenspel analyse`, then `samenspel report`: the report is in `site/index.html`.

Back up `data/` (the store and its `.raw` folder) and the pseudonym key
(`samenspel key fingerprint` says where it is) apart from each other.
"""


def create_project(folder: str | Path, municipalities: dict[str, str], name: str = "") -> Path:
    """Make a new project folder: project file, editable copies of the questionnaire and
    methodology, an area-registry skeleton and a short README. Refuses a folder that exists
    and is not empty (nothing is overwritten). Returns the project file."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(
            f"{folder} exists and is not empty; `samenspel init` writes only into a new or "
            "empty folder, so nothing of yours is overwritten. Choose another folder."
        )
    if not municipalities:
        raise InputError(
            "Name at least one municipality: --municipality GM0361=Alkmaar (CBS code=name), "
            "once for each municipality of the monitor."
        )
    name = name or f"Monitor {', '.join(municipalities.values())}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_INSTRUMENT, folder / DEFAULT_FILES["questionnaire"])
    shutil.copyfile(DEFAULT_METHODOLOGY, folder / DEFAULT_FILES["methodology"])
    listed = "\n".join(f"  {code}: {json.dumps(label)}" for code, label in municipalities.items())
    first = next(iter(municipalities))
    (folder / DEFAULT_FILES["areas"]).write_text(
        AREAS_SKELETON.format(
            name=name, municipalities=listed, first=first, wijk=f"WK{first[2:]}00"
        ),
        encoding="utf-8",
    )
    # A JSON string is a valid TOML basic string: quotes and backslashes in a name survive.
    (folder / PROJECT_FILE).write_text(
        PROJECT_TEMPLATE.format(name=json.dumps(name)[1:-1]), encoding="utf-8"
    )
    (folder / "README.md").write_text(TEAM_README.format(name=name), encoding="utf-8")
    (folder / "exports").mkdir()
    return folder / PROJECT_FILE
