"""The `samenspel` command line: one entry point, one subcommand a stage.

Only this module (and the Makefile) reads and writes files; the stages take and return data.
Every command ends with one of these exit statuses (docs/own-data.md lists them too), never
with a traceback:

    0    done
    1    done, but what it found needs attention: `status` found damage, `ingest` accepted
         no row of the file
    2    refused: a mistake in an input, a setting or a flag; nothing was changed
    130  interrupted (Ctrl-C); nothing was changed
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from samenspel.common.files import (
    CSV_DIALECTS,
    MANIFEST_KEY,
    OUTPUT_MANIFEST,
    atomic_folder,
    check_output_folder,
    check_results,
    describe_os_error,
    neutralise_formulas,
    output_kind,
    printable,
    remove_output,
    restore_formulas,
    results_manifest,
    sha256_of,
    write_file_atomically,
)
from samenspel.common.parallel import JOBS_ENV, in_parallel, jobs
from samenspel.common.provenance import provenance
from samenspel.instrument import (
    AreaRegistry,
    InputError,
    Instrument,
    Level,
    ProblemsFound,
    check_instrument,
    load_areas,
    load_instrument,
)
from samenspel.instrument.areas import check_areas
from samenspel.instrument.boundaries import load_boundaries
from samenspel.instrument.model import UNIT_NOT_LISTED, questionnaire_changes
from samenspel.pipeline.index.change import INVARIANCE_COLUMNS
from samenspel.pipeline.index.estimate import SIDES, components_of_answers, hybridisation_index
from samenspel.pipeline.index.plan import plan_areas, plan_per_unit, plan_sample_size
from samenspel.pipeline.index.tables import OUTPUT_COLUMNS, index_tables
from samenspel.pipeline.ingest.exports import (
    REJECT_REASONS,
    ingest_file,
    load_invalid_answers,
    load_rejects,
    load_responses,
    retract_file,
)
from samenspel.pipeline.ingest.pseudonym import (
    DEFAULT_KEY_FILE,
    KEY_FILE_ENV,
    create_key,
    fingerprint,
    key_path,
    read_key,
)
from samenspel.pipeline.ingest.quality import quality_summary, rejects_summary
from samenspel.pipeline.ingest.store import (
    migrate,
    open_store,
    raw_folder_for,
    remove_orphans,
    remove_simulated_store,
    store_status,
)
from samenspel.pipeline.measurement import measurement_tables, psychometric_inputs
from samenspel.pipeline.measurement.language_mode import language_mode_findings
from samenspel.pipeline.methodology import (
    COMPONENTS,
    PSYCHOMETRICS_MISSING_OPTIONS,
    REPLICATES,
    Methodology,
    check_against_instrument,
    load_methodology,
    with_psychometrics,
)
from samenspel.pipeline.psychometrics.cfa import ESTIMATOR_OPTIONS
from samenspel.pipeline.psychometrics.small_waves import steps_table
from samenspel.pipeline.score import clean_answers
from samenspel.pipeline.simulation.simulate import (
    SimulationSettings,
    draw_model,
    simulate_wave,
    to_kobo_csv,
)
from samenspel.pipeline.simulation.truth import component_pool, true_index
from samenspel.pipeline.waves import fieldwork_dates, order_waves
from samenspel.project import (
    PROJECT_ENV,
    PROJECT_FILE,
    Settings,
    create_project,
    resolve_settings,
)
from samenspel.reports.i18n import LANGUAGES
from samenspel.reports.render import (
    Cover,
    ReportInput,
    build_pdf,
    build_site,
    cover_of,
    language_chooser,
    pdf_documents,
    print_sections,
    site_layout,
)
from samenspel.workbook import write_workbook

METADATA = "metadata.json"
EXIT_DONE, EXIT_ATTENTION, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130


def say(message: str) -> None:
    """A message to the user; names taken from files cannot act on the terminal."""
    print(printable(message, keep="\n"), file=sys.stderr)


def settings_for(args: argparse.Namespace, needs: tuple[str, ...], **given) -> Settings:
    """The files of a command from its flags and its project (see samenspel.project)."""
    flags = {
        "questionnaire": getattr(args, "instrument", None),
        "areas": getattr(args, "areas", None),
        "methodology": getattr(args, "methodology", None),
        "store": getattr(args, "store", None),
    }
    return resolve_settings(
        getattr(args, "project", None),
        flags | given,
        needs,
        demo_allowed=args.handler is cmd_simulate,
    )


def announce(args: argparse.Namespace, settings: Settings, instrument=None, areas=None) -> None:
    """The first line of a command: which project, questionnaire, registry and store."""
    parts = []
    if settings.project is not None:
        parts.append(f"project {settings.project.file}")
    elif settings.demo:
        parts.append("the built-in demo questionnaire and areas (no project)")
    if instrument is not None:
        parts.append(
            f"questionnaire {instrument.id} {instrument.version} "
            f"({settings.files['questionnaire']})"
        )
    if areas is not None:
        parts.append(f"registry {settings.files['areas']} ({len(areas.areas)} areas)")
    if "store" in settings.files:
        parts.append(f"store {settings.files['store']}")
    say(f"samenspel {args.command}: {'; '.join(parts)}")


def checked_file(args: argparse.Namespace, setting: str, check: Callable, what: str):
    """What ``check`` makes of ``args.file`` (default: the project's ``setting`` file), its
    problems printed; None (after saying why) when it has errors."""
    if args.file is None:
        args.file = settings_for(args, (setting,)).files[setting]
    loaded, problems = check(args.file)
    for problem in problems:
        say(str(problem))
    if loaded is None:
        errors = sum(p.level is Level.ERROR for p in problems)
        say(f"{args.file}: {errors} error(s); the {what} cannot be used until they are fixed.")
    return loaded, problems


def cmd_instrument_check(args: argparse.Namespace) -> int:
    instrument, problems = checked_file(args, "questionnaire", check_instrument, "instrument")
    if instrument is None:
        return EXIT_REFUSED
    warnings = len(problems)
    print(
        f"{args.file}: instrument {instrument.id} {instrument.version} is valid: "
        f"{len(instrument.items)} answer columns, {len(instrument.constructs)} constructs, "
        f"languages {', '.join(instrument.languages)}, {warnings} warning(s); "
        f"content hash {instrument.content_hash[:12]}."
    )
    return EXIT_DONE


def cmd_areas_check(args: argparse.Namespace) -> int:
    registry, problems = checked_file(args, "areas", check_areas, "registry")
    if registry is None:
        return EXIT_REFUSED
    municipalities = registry.table()["municipality"].nunique()
    print(
        f"{args.file}: area registry is valid: {len(registry.areas)} areas in "
        f"{municipalities} municipalit{'y' if municipalities == 1 else 'ies'}, "
        f"{len(registry.units)} units, {len(problems)} warning(s)."
    )
    return EXIT_DONE


def cmd_init(args: argparse.Namespace) -> int:
    municipalities = {}
    for given in args.municipality:
        code, _, name = given.partition("=")
        code = code.strip().upper()
        if code.isdigit():
            code = f"GM{code.zfill(4)}"
        if not re.fullmatch(r"GM\d{4}", code) or not name.strip():
            raise InputError(
                f"--municipality {given}: write the CBS code and the name, e.g. "
                "--municipality GM0361=Alkmaar"
            )
        municipalities[code] = name.strip()
    path = create_project(args.folder, municipalities, args.name or "")
    say(
        f"project {path}: edit {path.parent / 'areas.yaml'} (your areas and units), then "
        f"`samenspel areas check`; {path.parent / 'README.md'} says what comes next."
    )
    return EXIT_DONE


def load_settings(
    args: argparse.Namespace, settings: Settings
) -> tuple[Instrument, AreaRegistry, Methodology]:
    """The questionnaire, area registry and methodology of a command, checked together; the
    command's first line says which."""
    instrument = load_instrument(settings.files["questionnaire"])
    areas = load_areas(settings.files["areas"])
    method = load_methodology(settings.files["methodology"])
    check_against_instrument(method, instrument)
    announce(args, settings, instrument, areas)
    replicates = getattr(args, "replicates", None)
    if replicates is not None and not REPLICATES[0] <= replicates <= REPLICATES[1]:
        raise InputError(
            f"--replicates must be between {REPLICATES[0]} and {REPLICATES[1]:,}, got "
            f"{replicates}; the methodology file's uncertainty.replicates is the default."
        )
    return instrument, areas, method


def cmd_simulate(args: argparse.Namespace) -> int:
    check_output_folder(args.out, "simulation")
    settings = settings_for(args, ("questionnaire", "areas", "methodology"))
    instrument, areas, method = load_settings(args, settings)
    settings = SimulationSettings(
        waves=tuple(args.waves), per_side=args.per_side, seed=args.seed,
        model_seed=args.model_seed if args.model_seed is not None else args.seed,
        **simulated_answering(args, instrument),
    )  # fmt: skip
    model = draw_model(instrument, areas, settings)
    out = Path(args.out)
    rng = np.random.default_rng(settings.seed)
    files = {}
    with atomic_folder(out, "simulation") as staging:
        for position, wave in enumerate(settings.waves):
            frame = simulate_wave(instrument, areas, model, wave, rng)
            # Alternate Kobo's two header styles: with group prefixes and without.
            text = to_kobo_csv(instrument, frame, group_prefixes=position % 2 == 0)
            path = staging / f"kobo_{wave}.csv"
            path.write_text(text, encoding="utf-8", newline="")
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
            say(f"simulated wave {wave}: {len(frame)} rows -> {out / path.name}")
        with step("the true index, from a large draw per cell"):
            truth = true_index(instrument, model, method, per_cell=args.truth_per_cell)
        truth.to_csv(staging / "truth.csv", index=False)
        (staging / "generating_model.json").write_text(model.to_json())
        manifest = {
            "simulated": True,
            "note": "samenspel simulated demo data; describes no real neighbourhood",
            "files": files,
            "instrument_hash": instrument.content_hash,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (staging / "simulation.json").write_text(json.dumps(manifest, indent=2))
    say(f"true index -> {out / 'truth.csv'}; generating model -> {out / 'generating_model.json'}")
    return EXIT_DONE


def simulated_answering(args: argparse.Namespace, instrument: Instrument) -> dict:
    """The simulator's English share and language and mode effects from ``--english-share``,
    ``--language-effect ITEM=SHIFT`` and ``--mode-effect ITEM=SHIFT``, checked."""
    chosen: dict = {}
    if args.english_share is not None:
        if not 0 <= args.english_share <= 1:
            raise InputError(
                f"--english-share must be a share between 0 and 1, got {args.english_share}; "
                "e.g. --english-share 0.3"
            )
        chosen["english_share"] = args.english_share
    items = [
        item.code
        for construct in instrument.constructs.values()
        if construct.kind == "reflective"
        for item in construct.items
    ]
    for option, field_name in (("language", "language_effects"), ("mode", "mode_effects")):
        effects = {}
        for given in getattr(args, field_name) or ():
            code, _, shift = given.partition("=")
            try:
                value = float(shift)
            except ValueError:
                value = float("nan")
            if code.strip() not in items or value != value or abs(value) > 5:
                raise InputError(
                    f"--{option}-effect {given}: write an agreement item of the questionnaire "
                    f"and a shift of its latent response in SD units (between -5 and 5), e.g. "
                    f"--{option}-effect tru3=0.8; the items are {', '.join(items)}."
                )
            effects[code.strip()] = value
        if effects:
            chosen[field_name] = effects
    return chosen


def ingest_settings(args: argparse.Namespace) -> tuple[Settings, Instrument, AreaRegistry]:
    """The questionnaire, registry and store of a command that writes into the store (ingest,
    pull), announced; ``args.store`` is set to the store."""
    settings = settings_for(args, ("questionnaire", "areas", "store"))
    args.store = settings.files["store"]
    instrument = load_instrument(settings.files["questionnaire"])
    areas = load_areas(settings.files["areas"])
    announce(args, settings, instrument, areas)
    return settings, instrument, areas


def cmd_ingest(args: argparse.Namespace) -> int:
    settings, instrument, areas = ingest_settings(args)
    con = open_store(args.store)
    try:
        report = ingest_file(con, args.file, args.wave, instrument, areas, args.replaces)
        if settings.project is not None and not report.already_ingested:
            for warning in period_warnings(con, report.sha256, args.wave, settings.project):
                say(f"samenspel: {warning}")
    finally:
        con.close()
    for problem in report.problems:
        say(str(problem))
    if report.key_created is not None:
        say(
            f"samenspel: created a new pseudonym key in {report.key_created} (fingerprint "
            f"{fingerprint(read_key(report.key_created))}). Back it up now, apart from the "
            "store: without it respondents cannot be matched across waves, and this store "
            "takes no other key."
        )
    if report.already_ingested:
        replacing = f" (in place of {report.replaced})" if report.replaced else ""
        say(
            f"{args.file} (sha256 {report.sha256[:12]}) is already in {args.store}"
            f"{replacing}; nothing changed."
        )
        return EXIT_DONE
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.rejected.items())) or "none"
    say(
        f"{args.file} ({report.format}, {report.encoding}) -> {args.store}, wave {args.wave}: "
        f"{report.rows_read} rows read, {report.accepted} accepted, "
        f"{report.rejected_total} rejected ({reasons})."
    )
    if report.replaced:
        say(
            f"  in place of {report.replaced}, whose rows left the analysis (its record and raw "
            f"copy stay): {report.matched} accepted rows match one of its rows by submission "
            f"id or respondent code, {report.accepted - report.matched} are new, "
            f"{report.dropped} of its rows have no counterpart."
        )
    for reason in sorted(report.rejected):
        say(f"  {reason}: {REJECT_REASONS[reason]}")
    if report.invalid_answers:
        listed = ", ".join(f"{item}: {n}" for item, n in report.invalid_answers.items())
        say(
            f"  {sum(report.invalid_answers.values())} answers were not a number or not one of "
            f"their item's codes and are stored as missing; their rows are kept ({listed}). "
            f"Where: `samenspel status --store {args.store} --invalid`."
        )
    if report.rejected:
        say(f"  each rejected row and why: `samenspel status --store {args.store} --rejects`")
    if report.accepted == 0:
        say(
            "samenspel: no row of this file was accepted. Check the reasons above (a wrong "
            "--wave, registry or questionnaire?); `samenspel retract` withdraws the file."
        )
        return EXIT_ATTENTION
    return EXIT_DONE


def period_warnings(con, sha256: str, wave: str, project) -> list[str]:
    """Where the submission dates of a file just ingested disagree with the fieldwork
    periods of the project file: outside its own wave's period, or inside another's."""
    first, last = con.execute(
        "SELECT min(coalesce(submitted::DATE, started::DATE)), "
        "max(coalesce(submitted::DATE, started::DATE)) FROM responses "
        "WHERE file_id = (SELECT file_id FROM files WHERE sha256 = ?)",
        [sha256],
    ).fetchall()[0]
    periods = {w.id: w for w in project.waves}
    if first is None:
        return []
    if wave not in periods:
        return [
            f"wave {wave} is not listed in {project.file.name}; add it as [[waves]] with its "
            "fieldwork start and end, so that the waves are ordered in time."
        ]
    warnings = []
    own = periods[wave]
    if (own.start and first < own.start) or (own.end and last > own.end):
        warnings.append(
            f"the answers of this file were submitted from {first} to {last}, outside wave "
            f"{wave}'s fieldwork period ({own.start} to {own.end}): is it the right wave?"
        )
    for other in periods.values():
        inside = other.start and other.end and other.start <= first <= last <= other.end
        if other.id != wave and inside:
            warnings.append(
                f"all answers of this file fall in the fieldwork period of wave {other.id} "
                f"({other.start} to {other.end}), not of wave {wave}: is it the right wave? "
                "`samenspel retract` withdraws the file."
            )
    return warnings


def _print_table(title: str, table) -> None:
    print(f"\n{title}")
    if table.empty:
        print("  (none)")
    else:
        shown = table.copy()
        for column in shown.columns:
            shown[column] = shown[column].map(lambda v: printable(v) if isinstance(v, str) else v)
        print(shown.to_string(index=False))


def cmd_status(args: argparse.Namespace) -> int:
    args.store = store_of(args)
    con = open_store(args.store, read_only=not args.remove_orphans)
    try:
        removed = remove_orphans(con) if args.remove_orphans else []
        tables = store_status(con, verify=not args.no_verify)
        rejects = load_rejects(con) if args.rejects else None
        invalid = load_invalid_answers(con) if args.invalid else None
    finally:
        con.close()
    for name in removed:
        say(f"removed the orphan raw file {printable(name)}")
    print(
        f"store {args.store} (raw files in {raw_folder_for(args.store)}/); pseudonym key "
        f"fingerprint {tables['fingerprint'] or 'not recorded yet'}"
    )
    _print_table("waves", tables["waves"])
    _print_table("files (sha256 of the raw file as received; raw = the kept copy)", tables["files"])
    _print_table("accepted and rejected rows per wave, area and side", tables["counts"])
    _print_table("answers stored as missing (not a number, not an answer code)", tables["invalid"])
    if rejects is not None:
        _print_table("rejected rows", rejects[["file", "row_number", "wave", "reason", "detail"]])
    if invalid is not None:
        _print_table("invalid answers (stored as missing)", invalid)
    found = 0
    damaged = tables["files"][~tables["files"]["raw"].isin(["ok", "unchecked"])]
    if not damaged.empty:
        found += 1
        say(
            f"samenspel: {len(damaged)} kept raw file(s) are missing or changed "
            f"({printable(', '.join(damaged['name']))}); restore {raw_folder_for(args.store)}/ "
            "from a backup."
        )
    short = tables["files"][tables["files"]["rows"] != "ok"]
    if not short.empty:
        found += 1
        say(
            f"samenspel: the store lacks rows of {len(short)} file(s) "
            f"({printable(', '.join(short['name']))}): its tables were changed outside samenspel. "
            "Restore the store from a backup, or ingest the raw files into a new store."
        )
    if not tables["orphans"].empty:
        found += 1
        _print_table("raw files no file record refers to (orphans)", tables["orphans"])
        say(
            f"samenspel: {len(tables['orphans'])} orphan file(s) in {raw_folder_for(args.store)}/ "
            "(an interrupted ingest leaves one). Remove them with `samenspel status --store "
            f"{args.store} --remove-orphans`."
        )
    return EXIT_ATTENTION if found else EXIT_DONE


def cmd_retract(args: argparse.Namespace) -> int:
    settings = settings_for(args, ("questionnaire", "store"))
    instrument = load_instrument(settings.files["questionnaire"])
    announce(args, settings, instrument)
    con = open_store(settings.files["store"])
    try:
        stored, changed = retract_file(con, args.file, args.reason, instrument)
    finally:
        con.close()
    if not changed:
        say(f"{stored.name} is {stored.status} already; nothing changed.")
    else:
        say(
            f"{stored.name} (wave {stored.wave}, sha256 {stored.sha256[:12]}) is retracted: its "
            "rows left every analysis; its record, the reason and its raw copy stay in the store."
        )
    return EXIT_DONE


def cmd_key_init(args: argparse.Namespace) -> int:
    path = create_key()
    print(
        f"created the pseudonym key {path} (fingerprint {fingerprint(read_key(path))}); only "
        "you can read it. Back it up apart from the store, and never share it."
    )
    return EXIT_DONE


def cmd_key_fingerprint(args: argparse.Namespace) -> int:
    path = key_path()
    print(f"{path}: fingerprint {fingerprint(read_key(path))}")
    return EXIT_DONE


def cmd_migrate(args: argparse.Namespace) -> int:
    path = store_of(args)
    if not path.exists():
        raise InputError(f"The store {path} does not exist; there is nothing to upgrade.")
    # An earlier upgrade's copy is kept too: a new copy gets the next free name.
    backup = path.with_name(path.name + ".before-migration")
    number = 1
    while backup.exists():
        number += 1
        backup = path.with_name(f"{path.name}.before-migration-{number}")
    write_file_atomically(backup, path.read_bytes())
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise InputError(f"Cannot open the store {path}: {exc}.") from None
    try:
        steps = migrate(con, raw_folder_for(path))
    finally:
        con.close()
    if not steps:
        backup.unlink()
        say(f"{path} is already at the current schema; nothing changed.")
    else:
        say(f"{path}: upgraded from schema {steps[0]} to {steps[-1] + 1}; copy kept as {backup}.")
    return EXIT_DONE


def store_of(args: argparse.Namespace) -> Path:
    """The store of a command that needs nothing else (status, migrate, retract)."""
    settings = settings_for(args, ("store",))
    announce(args, settings)
    return settings.files["store"]


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove outputs samenspel wrote: every path is checked before anything is removed."""
    removals = []
    for target in args.paths:
        path = Path(target)
        kind = output_kind(path) if path.is_dir() else None
        if kind is not None:
            check_output_folder(path, kind)
            removals.append((path, lambda path=path, kind=kind: remove_output(path, kind)))
        elif path.is_dir():
            raise InputError(
                f"{path} is a folder samenspel did not write (it has no {OUTPUT_MANIFEST}); "
                "nothing was removed."
            )
        elif remove_simulated_store(path, check_only=True):
            removals.append((path, lambda path=path: remove_simulated_store(path)))
    for path, remove in removals:
        remove()
        say(f"removed {path}")
    return EXIT_DONE


def cmd_analyse(args: argparse.Namespace) -> int:
    settings = settings_for(
        args, ("questionnaire", "areas", "methodology", "store", "results"), results=args.out
    )
    args.store, args.out = settings.files["store"], settings.files["results"]
    check_output_folder(args.out, "results")
    workers = jobs_of(args)
    instrument, areas, method = load_settings(args, settings)
    method = with_psychometrics(method, args.estimator, args.missing)
    invariance = None
    if args.invariance:
        try:
            invariance = pd.read_csv(args.invariance, dtype={"wave_from": str, "wave_to": str})
        except (OSError, ValueError) as exc:
            raise InputError(f"Cannot read the invariance file {args.invariance}: {exc}") from None
        missing = [c for c in INVARIANCE_COLUMNS if c not in invariance.columns]
        if missing:
            raise InputError(
                f"{args.invariance}: columns {', '.join(missing)} are missing; the file needs "
                f"{', '.join(INVARIANCE_COLUMNS)} (holds: true/false), one row per pair of waves."
            )
    loadings = None
    if args.loadings:
        try:
            loadings = {
                str(k): float(v) for k, v in json.loads(Path(args.loadings).read_text()).items()
            }
        except (OSError, ValueError, AttributeError) as exc:
            raise InputError(
                f"Cannot read the loadings file {args.loadings}: {exc}. It must be a JSON object "
                'of component code to weight, e.g. {"TRU": 0.78, "OGD": 0.71}.'
            ) from None
        unknown = sorted(set(loadings) - set(COMPONENTS))
        if unknown:
            raise InputError(
                f"{args.loadings}: unknown component(s) {', '.join(unknown)}; "
                f"use {', '.join(COMPONENTS)}."
            )
    con = open_store(args.store, read_only=True)
    try:
        responses = load_responses(con)
        files = con.execute(
            "SELECT name, sha256, wave, simulated, rows_read, accepted, rejected, status, "
            "coalesce(status_reason, '') AS status_reason FROM files ORDER BY file_id"
        ).df()
        invalid_answers = con.execute(
            "SELECT wave, item, problem, count(*) AS answers FROM invalid_answers "
            "GROUP BY ALL ORDER BY wave, item, problem"
        ).df()
        waves = con.execute("SELECT wave, instrument_hash FROM waves").df()
        stored = dict(con.execute("SELECT content_hash, yaml FROM instruments").fetchall())
        flags = con.execute("SELECT * FROM quality_flags").df()
        rejects = load_rejects(con)
    finally:
        con.close()
    if responses.empty:
        raise InputError(
            f"The store {args.store} holds no accepted responses yet. "
            "Ingest a survey export first with `samenspel ingest`."
        )
    check_store_settings(waves, responses, instrument, areas, settings)
    periods = {w.id: w.start for w in settings.project.waves} if settings.project else {}
    order = order_waves(fieldwork_dates(responses), periods)
    order = order[order["wave"].isin(set(responses["wave"]))].reset_index(drop=True)
    order["position"] = range(1, len(order) + 1)
    wave_order = list(order["wave"])
    if len(order) > 1 and (order["placed_by"] == "name").any():
        say(
            "samenspel: waves "
            + ", ".join(order.loc[order["placed_by"] == "name", "wave"])
            + " have no fieldwork period in the project file and no dates in the data; they "
            "are placed by their names, after the others. Add [[waves]] with start and end "
            "dates to samenspel.toml."
        )
    say("waves in time order: " + " -> ".join(wave_order))
    by_wave = questionnaires_of_waves(waves, stored, instrument)
    progress = Progress()
    with step(f"psychometrics per wave and across waves ({method.cfa_estimator})"):
        measurement: dict[str, pd.DataFrame] = {}
        for questionnaire, waves_of_it in group_waves(by_wave):
            part = measurement_tables(
                responses[responses["wave"].isin(waves_of_it)], questionnaire, method,
                progress=lambda done, total: progress("psychometrics: waves", done, total),
                jobs=workers,
            )  # fmt: skip
            for name, table in part.items():
                measurement[name] = (
                    pd.concat([measurement[name], table], ignore_index=True)
                    if name in measurement and name != "psychometrics_criteria"
                    else table
                )
    # every documented table is written: a store without both sides has no steps
    measurement.setdefault("psychometrics_steps", steps_table([]))
    # the methodology file the methods page shows refers to it: there, even when empty
    measurement.setdefault("psychometrics_problems", pd.DataFrame(columns=["wave", "problem"]))
    warn_unfitted_steps(measurement["psychometrics_steps"])
    waves_invariance, cfa_weights, between_sides = psychometric_inputs(measurement, wave_order)
    for line in language_mode_findings(measurement.get("psychometrics_invariance_language_mode")):
        say("samenspel: " + line)
    if invariance is None:
        invariance = waves_invariance
    if loadings is None:
        loadings = cfa_weights
    with step(
        f"index ({args.replicates or method.replicates} bootstrap replicates), comparisons, "
        "sensitivity, goals"
    ):
        tables = index_tables(
            responses,
            instrument,
            areas,
            method,
            args.replicates,
            wave_instruments=dict(zip(waves["wave"], waves["instrument_hash"], strict=True)),
            invariance=invariance,
            full=True,
            wave_order=wave_order,
            instruments_by_wave=by_wave,
            loadings=loadings,
            scalar_invariance_between_sides=between_sides,
            progress=progress,
        )
    tables.update(measurement)
    tables["files"] = files
    tables["waves"] = order
    quality_tables = {
        "quality_summary": quality_summary(flags, method.indicative_min, method.publish_min),
        "rejects_summary": rejects_summary(rejects),
        "rejects": rejects[["file", "row_number", "wave", "area", "side", "reason", "detail"]],
        "invalid_answers": invalid_answers,
    }
    metadata = {
        "run_id": uuid.uuid4().hex,
        "simulated": bool(files["simulated"].any()),
        "instrument_version": instrument.version,
        "wave_order": wave_order,
        "wave_instruments": {
            wave: {"version": q.version, "hash": q.content_hash} for wave, q in by_wave.items()
        },
        # Between consecutive waves collected with different questionnaires: which items and
        # constructs changed (every change between them is a method break of the index).
        "questionnaire_changes": [
            {
                "wave_from": a,
                "wave_to": b,
                "version_from": by_wave[a].version,
                "version_to": by_wave[b].version,
                **questionnaire_changes(by_wave[a], by_wave[b]),
            }
            for a, b in itertools.pairwise(wave_order)
            if by_wave[a].content_hash != by_wave[b].content_hash
        ],
        "instrument_hash": instrument.content_hash,
        "methodology_version": method.version,
        "confidence": method.confidence,
        "replicates": args.replicates or method.replicates,
        "publish_min": method.publish_min,
        "indicative_min": method.indicative_min,
        "false_discovery_rate": method.false_discovery_rate,
        "meaningful_change": method.meaningful_change,
        "panel_units": method.panel_units,
        "comparison_correction": method.correction,
        # the psychometrics' treatment of this run (--estimator, --missing or the file's)
        "psychometrics_estimator": method.cfa_estimator,
        "psychometrics_comparison": method.cfa_comparison,
        "psychometrics_missing": method.cfa_missing,
        "sensitivity_statements": tables["sensitivity"].attrs.get("statements", []),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "csv_dialect": args.csv_dialect,
        "provenance": provenance(
            {
                "instrument": settings.files["questionnaire"],
                "areas": settings.files["areas"],
                "methodology": settings.files["methodology"],
            }
        )
        | {"exports": files[["name", "sha256", "wave"]].to_dict(orient="records")},
    }
    out = Path(args.out)
    # Written beside the old results and swapped in only when complete; metadata.json lists
    # every file with its checksum, so `report` can refuse a folder that mixes runs.
    every = {**tables, **quality_tables}
    with atomic_folder(out, "results") as staging:
        for name, table in every.items():
            neutralise_formulas(table).to_csv(
                staging / f"{name}.csv", index=False, **CSV_DIALECTS[args.csv_dialect]
            )
        (staging / "columns.json").write_text(json.dumps(OUTPUT_COLUMNS, indent=2))
        with step("results.xlsx"):
            write_workbook(every, OUTPUT_COLUMNS, staging / "results.xlsx")
        metadata[MANIFEST_KEY] = results_manifest(staging, METADATA)
        (staging / METADATA).write_text(json.dumps(metadata, indent=2))
    csvs = ", ".join(f"{name}.csv" for name in every)
    say(f"results -> {out}/ ({csvs}, results.xlsx, columns.json, metadata.json)")
    return EXIT_DONE


def warn_unfitted_steps(steps: pd.DataFrame | None) -> None:
    """A warning per wave and psychometric step that was not fitted with any model (and a
    note where a smaller model or another treatment stood in), from psychometrics_steps."""
    if steps is None or steps.empty:
        return
    for (wave, step_name), rows in steps.groupby(["wave", "step"], sort=False):
        fitted = rows[rows["fitted"].astype(bool)]
        where = "across the waves" if wave == "all" else f"wave {wave}"
        if (rows["reason_code"] == "not_invariant").all():
            continue  # a result, not a step the wave could not carry: the report says it
        if fitted.empty:
            say(
                f"samenspel: warning: {where}: {step_name.replace('_', ' ')} not fitted: "
                f"{rows['reason'].iloc[-1]} (psychometrics_steps.csv says more)"
            )
        elif fitted["model"].isin(["", "full"]).all() or step_name == "latent_means":
            continue
        else:
            models = ", ".join(fitted["model"])
            say(
                f"samenspel: warning: {where}: {step_name.replace('_', ' ')} fitted only as "
                f"smaller models ({models}): the wave cannot carry the full model "
                "(psychometrics_steps.csv says why)"
            )


def questionnaires_of_waves(
    waves: pd.DataFrame, stored: dict[str, str], given: Instrument
) -> dict[str, Instrument]:
    """The questionnaire each wave was collected with: ``given`` where it is that one, else
    the text the store kept when the wave was ingested."""
    by_wave, loaded = {}, {given.content_hash: given}
    with tempfile.TemporaryDirectory() as folder:
        for wave, content_hash in zip(waves["wave"], waves["instrument_hash"], strict=True):
            if content_hash not in loaded:
                path = Path(folder) / f"questionnaire-of-wave-{len(loaded)}.yaml"
                path.write_text(stored[content_hash], encoding="utf-8")
                loaded[content_hash] = load_instrument(path)
            by_wave[str(wave)] = loaded[content_hash]
    return by_wave


def group_waves(by_wave: dict[str, Instrument]) -> list[tuple[Instrument, list[str]]]:
    """The waves scored with each questionnaire, in the order first met."""
    groups: dict[str, tuple[Instrument, list[str]]] = {}
    for wave, questionnaire in by_wave.items():
        groups.setdefault(questionnaire.content_hash, (questionnaire, []))[1].append(wave)
    return list(groups.values())


def check_store_settings(
    waves: pd.DataFrame,
    responses: pd.DataFrame,
    instrument: Instrument,
    areas: AreaRegistry,
    settings: Settings,
) -> None:
    """Refuse to analyse a store with a questionnaire no wave was collected with, or with a
    registry that lacks an area or unit the stored answers name; say when some waves were
    collected with another version of the questionnaire."""
    hashes = dict(zip(waves["wave"], waves["instrument_hash"], strict=True))
    same = sorted(w for w, h in hashes.items() if h == instrument.content_hash)
    if not same:
        raise InputError(
            f"No wave of the store was collected with {settings.files['questionnaire']} "
            f"(questionnaire {instrument.id} {instrument.version}, "
            f"{instrument.content_hash[:12]}); its waves were ingested with "
            + ", ".join(f"{h[:12]} (wave {w})" for w, h in sorted(hashes.items()))
            + ". Give the questionnaire the data were collected with (--instrument)."
        )
    other = sorted(set(hashes) - set(same))
    if other:
        say(
            f"samenspel: waves {', '.join(other)} were collected with another questionnaire "
            f"than {instrument.version}: each wave is scored with the questionnaire it was "
            "collected with (kept in the store), and a change between them is a method break."
        )
    used = {"area": set(responses["area"].dropna()) - set(areas.ids)}
    if "unit" in responses:
        units = set(responses["unit"].dropna()) - {u.code for u in areas.units} - {""}
        used["unit"] = units - {UNIT_NOT_LISTED}
    missing = {kind: sorted(codes) for kind, codes in used.items() if codes}
    if missing:
        said = "; ".join(f"{kind}s {', '.join(codes[:5])}" for kind, codes in missing.items())
        raise InputError(
            f"The registry {settings.files['areas']} lacks what the stored answers name "
            f"({said}): it is not the registry the data were ingested with. Give that "
            "registry (--areas), or add these to this one."
        )


def cmd_plan(args: argparse.Namespace) -> int:
    if args.out:
        check_output_folder(args.out, "plan")
    settings = settings_for(args, ("questionnaire", "areas", "methodology"))
    instrument, areas, method = load_settings(args, settings)
    if args.half_width is not None and not args.half_width > 0:
        raise InputError(f"--half-width must be above 0 index points, got {args.half_width}")
    if args.respondents is not None and args.respondents < 1:
        raise InputError(f"--respondents must be at least 1 per side, got {args.respondents}")
    if args.store:
        con = open_store(args.store, read_only=True)
        try:
            responses = load_responses(con)
        finally:
            con.close()
        responses = responses[responses["side"].isin(SIDES)]
        if responses.empty:
            raise InputError(
                f"The store {args.store} holds no professional or informal respondents; "
                "leave out --store to plan from the simulator."
            )
        answers = clean_answers(responses, instrument)
        components = components_of_answers(answers, instrument, method)
        labels = (responses["area"], responses["wave"], responses["side"])
        source = f"earlier waves in {args.store}"
        icc, icc_source = _unit_icc_of_store(components, labels, responses.get("unit"), method)
    else:
        settings = SimulationSettings(waves=("simulated",), model_seed=args.seed)
        model = draw_model(instrument, areas, settings)
        pool = component_pool(instrument, model, method, per_cell=400)
        components = pool
        labels = (pool["area"], pool["wave"], pool["side"])
        source = "the simulator (no data given)"
        icc, icc_source = None, ""
    if icc is None:
        icc, icc_source = method.unit_icc, "the methodology's default (uncertainty.unit_icc)"
    # Any positive half-width serves: the spreads do not depend on it.
    spreads = plan_sample_size(components, *labels, method, 1.0, source=source)
    plan = plan_per_unit(areas, spreads, method, icc, args.half_width, args.respondents)
    if args.out:
        with atomic_folder(args.out, "plan") as staging:
            neutralise_formulas(plan).to_csv(staging / "plan.csv", index=False)
        say(f"plan -> {args.out}/plan.csv (one row per area, side and unit)")
    asked = (
        f"a {method.confidence:.0%} CI of the area index of +-{args.half_width:g} points"
        if args.half_width is not None
        else f"{args.respondents} respondents per side"
    )
    print(
        f"Plan for {asked}, per area and side, spread over the listed units in proportion to "
        f"their members; spreads from {source}, ICC by unit {icc:.2f} (from {icc_source})."
    )
    summary = plan_areas(plan)
    for row in summary.itertuples(index=False):
        print(
            f"  {row.area_name} ({row.area}): {row.target_professional} professionals in "
            f"{row.units_professional} unit(s), {row.target_informal} informal actors in "
            f"{row.units_informal} unit(s) -> +-{row.half_width:.1f}"
            + ("" if row.reachable else "  NOT REACHABLE with the listed members")
        )
    short = summary[~summary["reachable"]]
    if short.empty:
        print("Every area can reach it with the members its registry lists.")
    else:
        print(
            f"{len(short)} area(s) cannot reach it with the listed units (more respondents "
            "than members, or too few units): "
            + "; ".join(
                f"{r.area_name} reaches +-{r.half_width:.1f} with every member"
                if np.isfinite(r.half_width)
                else f"{r.area_name} (no members listed)"
                for r in short.itertuples(index=False)
            )
            + ". Add units to the registry, or accept the wider interval."
        )
    sides = plan.drop_duplicates(["area", "side"])
    print(f"In all: {int(sides['side_target'].sum())} respondents in {len(plan)} units.")
    return EXIT_DONE


def cmd_progress(args: argparse.Namespace) -> int:
    from samenspel.pipeline.index.progress import check_plan, fieldwork_progress, side_summary
    from samenspel.reports.fieldwork import fieldwork_page

    if args.out:
        check_output_folder(args.out, "progress")
    settings = settings_for(args, ("questionnaire", "areas", "methodology", "store"))
    args.store = settings.files["store"]
    instrument, areas, method = load_settings(args, settings)
    plan = None
    if args.plan:
        try:
            plan = pd.read_csv(args.plan, dtype={"area": str, "side": str, "unit": str})
        except (OSError, ValueError) as exc:
            raise InputError(
                f"Cannot read the plan {args.plan}: {exc}. Give the plan.csv that "
                "`samenspel plan --out DIR` wrote."
            ) from None
        missing = check_plan(plan)
        if missing:
            raise InputError(
                f"{args.plan}: columns {', '.join(missing)} are missing; a plan needs area, "
                "side, unit and target, one row per unit (`samenspel plan --out DIR` writes it)."
            )
        plan = restore_formulas(plan)
    con = open_store(args.store, read_only=True)
    try:
        responses = load_responses(con)
        waves = con.execute("SELECT wave, instrument_hash FROM waves").df()
        simulated = bool(
            con.execute("SELECT coalesce(bool_or(simulated), false) FROM files").fetchall()[0][0]
        )
    finally:
        con.close()
    if responses.empty:
        raise InputError(
            f"The store {args.store} holds no accepted responses yet. "
            "Ingest the first submissions with `samenspel ingest` or `samenspel pull`."
        )
    check_store_settings(waves, responses, instrument, areas, settings)
    known = sorted(responses["wave"].astype(str).unique())
    wave = args.wave or known[-1]
    if wave not in known:
        raise InputError(
            f"Wave {wave} has no accepted responses in {args.store}; its waves: {', '.join(known)}."
        )
    in_wave = responses[responses["wave"].astype(str) == wave]
    if not in_wave["side"].isin(SIDES).any():
        raise InputError(
            f"Wave {wave} has no professional or informal respondents in {args.store} yet: "
            "no progress to show."
        )
    replicates = args.replicates or method.replicates
    with step(f"the index's intervals now ({replicates} bootstrap replicates, as analyse)"):
        table = fieldwork_progress(
            responses, instrument, areas, method, wave, plan, args.replicates
        )
    sides = side_summary(table)
    shown = table[
        ["attention", "area", "side", "unit", "accepted", "target", "members", "response_rate"]
    ].copy()
    shown["response_rate"] = shown["response_rate"].map(
        lambda v: "" if pd.isna(v) else f"{100 * v:.0f}%"
    )
    # blanks, not <NA>: no target, no members listed, no interval (a small side)
    shown = shown.astype(object).where(shown.notna(), "")
    _print_table(f"wave {wave}: accepted responses per area, side and unit", shown)
    summary = sides[
        ["area", "side", "side_accepted", "side_target", "side_status", "half_width_side",
         "half_width_index"]
    ].round({"half_width_side": 1, "half_width_index": 1})  # fmt: skip
    summary = summary.astype(object).where(summary.notna(), "")
    _print_table("per area and side: the CI half-width if fieldwork stopped now", summary)
    if args.out:
        page = fieldwork_page(
            table,
            sides,
            args.language,
            wave,
            datetime.now(UTC).date().isoformat(),
            method.publish_min,
            method.indicative_min,
            has_plan=plan is not None,
            simulated=simulated,
        )
        with atomic_folder(args.out, "progress") as staging:
            neutralise_formulas(table).to_csv(staging / "progress.csv", index=False)
            (staging / "fieldwork.html").write_text(page, encoding="utf-8")
        say(f"progress -> {args.out}/progress.csv and fieldwork.html ({args.language})")
    return EXIT_DONE


def cmd_pull(args: argparse.Namespace) -> int:
    from samenspel.pipeline.ingest import pull
    from samenspel.pipeline.ingest.exports import check_wave_id

    _, instrument, areas = ingest_settings(args)
    check_wave_id(args.wave)
    if not re.match(r"^https?://[^/\s]+", args.server):
        raise InputError(
            f"--server {args.server!r} is not a web address; give it as https://host "
            "(e.g. https://kf.kobotoolbox.org or https://central.example.nl)."
        )
    source = pull.KOBO if args.tool == "kobo" else pull.ODK
    form = args.asset if args.tool == "kobo" else f"{args.odk_project}-{args.form}"
    prefix = pull.pull_name(source, form, args.wave)
    previous = None
    if Path(args.store).exists():
        con = open_store(args.store, read_only=True)
        try:
            previous = pull.previous_pull(con, prefix, args.wave)
        finally:
            con.close()
    before = pull.read_pulled(previous[2], source) if previous else None
    session = None
    if args.tool == "kobo":
        token = pull.secret(args.token_file, pull.KOBO_TOKEN_ENV, "token")
        if token is None:
            raise InputError(
                "No KoboToolbox API token: put it in a file and give --token-file FILE, or set "
                f"the environment variable {pull.KOBO_TOKEN_ENV} (account settings, 'API key')."
            )
        client = pull.HttpClient(args.server, {"Authorization": f"Token {token}"}, args.timeout)
        known = {row["_id"]: row.get("_uuid", "") for row in before[1]} if before else None
        with step(f"fetching asset {args.asset} from {client.origin}"):
            records, total = pull.fetch_kobo(client, args.server, args.asset, known)
        fetched = pull.kobo_table(records)
    else:
        token = pull.secret(args.token_file, pull.ODK_TOKEN_ENV, "token")
        client = pull.HttpClient(args.server, timeout=args.timeout)
        if token is None:
            password = pull.secret(args.password_file, pull.ODK_PASSWORD_ENV, "password")
            if not (args.email and password):
                raise InputError(
                    "No ODK Central credentials: give a session or API token with --token-file "
                    f"FILE (or ${pull.ODK_TOKEN_ENV}), or --email and the password in "
                    f"--password-file FILE (or ${pull.ODK_PASSWORD_ENV})."
                )
            token = session = pull.odk_session(client, args.server, args.email, password)
        client.headers["Authorization"] = f"Bearer {token}"
        since = pull.odk_since(before[1]) if before else None
        try:
            what = f"fetching form {args.form} of ODK project {args.odk_project}"
            with step(f"{what} from {client.origin}"):
                records, total = pull.fetch_odk(
                    client, args.server, args.odk_project, args.form, since
                )
        finally:
            if session is not None:
                pull.odk_logout(client, args.server, session)
        fetched = pull.odk_table(records)
    merged = pull.merge_pulled(before, fetched, source)
    say(
        f"{len(records)} submission(s) fetched in {client.requests} request(s): "
        f"{merged.added} new, {merged.edited} edited, {merged.unchanged} unchanged."
    )
    if previous and not merged.added and not merged.edited:
        say(f"Nothing new since the last pull ({previous[0]}); the store is as it was.")
        return EXIT_DONE
    if not merged.rows:
        say(f"The server holds no submissions for this form yet ({total}); nothing to ingest.")
        return EXIT_DONE
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(prefix="samenspel-pull-") as folder:
        path = Path(folder) / f"{prefix}{stamp}.csv"
        path.write_bytes(pull.table_bytes(merged.columns, merged.rows, source))
        con = open_store(args.store)
        try:
            report = ingest_file(
                con, path, args.wave, instrument, areas, previous[1] if previous else None
            )
        finally:
            con.close()
    for problem in report.problems:
        say(str(problem))
    if report.key_created is not None:
        say(
            f"samenspel: created a new pseudonym key in {report.key_created}. Back it up now, "
            "apart from the store."
        )
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.rejected.items())) or "none"
    say(
        f"{path.name} -> {args.store}, wave {args.wave}: the wave as pulled so far, "
        f"{report.rows_read} submissions, {report.accepted} accepted, "
        f"{report.rejected_total} rejected ({reasons})"
        + (f"; in place of {report.replaced}" if report.replaced else "")
        + "."
    )
    if report.rejected:
        say(f"  each rejected row and why: `samenspel status --store {args.store} --rejects`")
    return EXIT_DONE if report.accepted else EXIT_ATTENTION


def _unit_icc_of_store(components, labels, unit, method) -> tuple[float | None, str]:
    """The larger side's ICC by unit of the side score in the latest wave with unit codes
    (None when no wave has them)."""
    result = hybridisation_index(components, *labels, method, replicates=100, unit=unit)
    table = result.unit_icc[result.unit_icc["measure"] == "side_score"]
    if table.empty:
        return None, ""
    latest = table[table["wave"] == table["wave"].max()]
    return float(latest["icc"].max()), f"wave {latest['wave'].iloc[0]} in the store"


def read_results(results: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every CSV table in the results folder by name, and metadata.json."""
    index_path = results / "index.csv"
    if not index_path.exists() or not (results / METADATA).exists():
        raise InputError(
            f"No results in {results}: {index_path} or {METADATA} is missing. "
            "Run `samenspel analyse` first (or `make reports`)."
        )
    try:
        metadata = json.loads((results / METADATA).read_text())
    except ValueError as exc:
        raise InputError(
            f"{results / METADATA} is damaged ({exc}); run `samenspel analyse`."
        ) from None
    check_results(results, metadata, METADATA)
    dialect = CSV_DIALECTS.get(metadata.get("csv_dialect", "en"))  # older runs: "en"
    if dialect is None:
        raise InputError(
            f"{results / METADATA} names the CSV dialect {metadata['csv_dialect']!r}, which "
            f"this version of samenspel does not read ({', '.join(CSV_DIALECTS)}); run "
            "`samenspel analyse` again."
        )
    tables = {
        # low_memory=False: one dtype per column, also where a national table has few notes
        path.stem: restore_formulas(
            pd.read_csv(path, dtype={"area": str, "wave": str}, low_memory=False, **dialect)
        )
        for path in sorted(results.glob("*.csv"))
    }
    return tables, metadata


PDF_ALL_UP_TO = 20  # municipalities that get a PDF without --pdf; beyond, none (and why)


def _chosen_pdfs(choice: str | None, codes: list[str]) -> list[str]:
    """The municipalities whose PDF `--pdf` asks for: all, none, or a list of codes."""
    if choice is None:
        if len(codes) <= PDF_ALL_UP_TO:
            return codes
        say(
            f"No PDFs: with more than {PDF_ALL_UP_TO} municipalities ({len(codes)} here) they "
            "take long (WeasyPrint makes a few pages a second). Add "
            f"`--pdf {codes[0]},{codes[1]}` for some municipalities or `--pdf all` for all."
        )
        return []
    if choice in ("all", "none"):
        return codes if choice == "all" else []
    wanted = [code.strip().upper() for code in choice.split(",") if code.strip()]
    unknown = [code for code in wanted if code not in codes]
    if unknown or not wanted:
        raise InputError(
            f"--pdf {choice}: {', '.join(unknown) or 'no municipality'} is not a municipality "
            f"of these results; give all, none or codes such as {', '.join(codes[:3])}."
        )
    return list(dict.fromkeys(wanted))


def check_same_settings(metadata: dict, instrument: Instrument, settings: Settings) -> None:
    """Refuse to report results with another questionnaire, registry or methodology file than
    the one that computed them: the methods page would describe rules the numbers did not
    follow, and areas would be named from another registry."""
    inputs = metadata.get("provenance", {}).get("inputs", {})
    for role, setting, flag in (
        ("methodology", "methodology", "--methodology"),
        ("areas", "areas", "--areas"),
    ):
        recorded, given = inputs.get(role, {}), settings.files[setting]
        if recorded and recorded.get("sha256") != sha256_of(given):
            raise InputError(
                f"{printable(str(given))} is not the {setting} file these results were "
                f"computed with ({printable(recorded.get('name', '?'))}, SHA-256 "
                f"{recorded.get('sha256', '?')[:12]}...): pass that file with {flag}, or "
                "run `samenspel analyse` again with this one"
            )
    if metadata.get("instrument_hash", instrument.content_hash) != instrument.content_hash:
        raise InputError(
            f"the questionnaire is version {instrument.version}, not the one these results "
            f"were computed with (version {metadata.get('instrument_version', '?')}): pass "
            "that file with --instrument, or run `samenspel analyse` again"
        )


def jobs_of(args: argparse.Namespace) -> int:
    """The worker processes of `analyse` and `report`: --jobs, else $SAMENSPEL_JOBS, else
    every core this process may use (see samenspel.common.parallel)."""
    try:
        return jobs(args.jobs)
    except ValueError as exc:
        raise InputError(f"{exc}; give --jobs 1 to run serially.") from None


def cmd_report(args: argparse.Namespace) -> int:
    settings = settings_for(
        args,
        ("questionnaire", "areas", "methodology", "results", "site"),
        results=args.results,
        site=args.out,
    )
    args.results, args.out = settings.files["results"], settings.files["site"]
    check_output_folder(args.out, "site")
    workers = jobs_of(args)
    tables, metadata = read_results(Path(args.results))
    instrument, areas, method = load_settings(args, settings)
    check_same_settings(metadata, instrument, settings)
    boundaries, warnings = load_boundaries(areas)  # the outlines of the map, if any
    for problem in warnings:
        say(str(problem))
    # Names from the registry, not from the CSV: the CSV's text cells are made formula-safe.
    registry = areas.table().set_index("id")
    for table in tables.values():
        if {"area", "area_name"} <= set(table.columns):
            table["area_name"] = table["area"].map(registry["name"]).fillna(table["area_name"])
    # The municipality's CBS code (the CSV has its name) names its folder and PDF.
    tables["index"]["municipality_code"] = tables["index"]["area"].map(
        registry["municipality_code"]
    )
    report_input = ReportInput(
        tables=tables,
        metadata=metadata,
        instrument=instrument,
        method=method,
        methodology_text=settings.files["methodology"].read_text(encoding="utf-8"),
        boundaries=boundaries,
    )
    layout = site_layout(tables["index"])
    documents = pdf_documents(layout, _chosen_pdfs(args.pdf, list(layout.municipalities["code"])))
    out = Path(args.out)
    languages = LANGUAGES if args.language == "both" else (args.language,)
    pages = {}
    with atomic_folder(out, "site") as staging:
        for language in languages:
            with step(f"writing the {language} site ({len(layout.areas)} areas)"):
                pages[language] = build_site(report_input, language, documents)
                for path, html in pages[language].items():
                    (staging / language / path).parent.mkdir(parents=True, exist_ok=True)
                    (staging / language / path).write_text(html, encoding="utf-8")
        if documents:
            with step(f"writing {len(documents) * len(languages)} PDFs"):
                _write_pdfs(staging, pages, documents, cover_of(report_input), workers)
        demo = bool(metadata.get("simulated"))
        (staging / "index.html").write_text(language_chooser(languages, demo), encoding="utf-8")
    say(f"report -> {out}/index.html ({', '.join(f'{lang}/' for lang in languages)})")
    return EXIT_DONE


def _write_pdfs(
    staging: Path, pages: dict, documents: list, cover: Cover, workers: int | None
) -> None:
    """Every document in every language, on every core (WeasyPrint is the slow part); each
    PDF is written as soon as it is done. ``cover``: what every PDF's cover states."""
    jobs = [(lang, doc) for lang in pages for doc in documents]
    jobs.sort(key=lambda job: -len(job[1].pages))  # the longest first: the workers end together
    calls = [
        (build_pdf, (print_sections(pages[lang], doc), lang, cover, doc.municipality))
        for lang, doc in jobs
    ]

    def write(number: int, pdf: bytes) -> None:
        lang, doc = jobs[number]
        (staging / lang / doc.name).write_bytes(pdf)

    progress = Progress()
    in_parallel(calls, write, lambda done, total: progress("PDFs", done, total), workers)


class Progress:
    """Tells how far the parts of a long step are and about how long each has left.

    Called as ``progress(what, done, total)``; prints at the end of a part and otherwise at
    most every :attr:`every` seconds, the time left extrapolated from the part so far.
    """

    every = 10.0

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.last = 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.perf_counter()
        first = self.started.setdefault(what, now)
        if 0 < done < total and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - first
        if done >= total:
            counted = f"{total} of {total} " if total > 1 else ""
            say(f"  {what}: {counted}done in {elapsed:.1f} s")
        elif done:
            left = elapsed / done * (total - done)
            say(f"  {what}: {done} of {total} after {elapsed:.0f} s, about {left:.0f} s left")
        else:
            say(f"  {what} ...")


@contextmanager
def step(what: str):
    """Progress for steps that take more than a moment: what runs, then how long it took."""
    say(f"{what} ...")
    started = time.perf_counter()
    yield
    say(f"{what}: done in {time.perf_counter() - started:.1f} s")


def cmd_fieldwork(args: argparse.Namespace) -> int:
    from samenspel.instrument.fieldwork import build_fieldwork

    check_output_folder(args.out, "fieldwork")
    settings = settings_for(args, ("questionnaire", "areas"))
    instrument = load_instrument(settings.files["questionnaire"])
    areas = load_areas(settings.files["areas"])
    announce(args, settings, instrument, areas)
    files, notes = build_fieldwork(
        instrument, areas, pdf=not args.no_pdf, validate=not args.no_validate
    )
    out = Path(args.out)
    with atomic_folder(out, "fieldwork") as staging:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for note in notes:
        say(note)
    say(
        f"fieldwork materials for {instrument.id} {instrument.version}: {len(files)} files "
        f"-> {out}/ (see {out / 'manifest.json'})"
    )
    return EXIT_DONE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samenspel", description="Measure hybridisation in the social domain."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable, help_text: str, parent=sub) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    def project(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--project",
            default=None,
            help=f"the project folder (default: ${PROJECT_ENV}, else the {PROJECT_FILE} "
            "of this folder or a parent)",
        )

    def inputs(command: argparse.ArgumentParser, methodology: bool = False) -> None:
        project(command)
        command.add_argument(
            "--instrument", default=None, help="questionnaire YAML (default: the project's)"
        )
        command.add_argument(
            "--areas", default=None, help="area registry YAML (default: the project's)"
        )
        if methodology:
            command.add_argument(
                "--methodology",
                default=None,
                help="index methodology YAML (default: the project's)",
            )

    def workers(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--jobs",
            type=int,
            default=None,
            help=f"worker processes (default: ${JOBS_ENV}, else every core this process may "
            "use; 1 runs serially)",
        )

    def store(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--store", default=None, help="the DuckDB store file (default: the project's)"
        )

    instrument = sub.add_parser("instrument", help="work with the questionnaire YAML")
    instrument_sub = instrument.add_subparsers(dest="instrument_command", required=True)
    check = add("check", cmd_instrument_check, "validate a questionnaire YAML file", instrument_sub)
    check.add_argument("file", nargs="?", default=None, help="default: the project's")
    project(check)

    areas_command = sub.add_parser("areas", help="work with the area registry YAML")
    areas_sub = areas_command.add_subparsers(dest="areas_command", required=True)
    areas_check = add("check", cmd_areas_check, "validate an area registry YAML file", areas_sub)
    areas_check.add_argument("file", nargs="?", default=None, help="default: the project's")
    project(areas_check)

    init = add("init", cmd_init, "start a project folder with its samenspel.toml")
    init.add_argument("folder", help="a new or empty folder")
    init.add_argument(
        "--municipality",
        action="append",
        default=[],
        metavar="GM0361=Alkmaar",
        help="a municipality of the monitor, by CBS code and name (repeat for more)",
    )
    init.add_argument("--name", default=None, help="the monitor's name (default: from them)")

    simulate = add("simulate", cmd_simulate, "simulate demo fieldwork (KoboToolbox CSV exports)")
    simulate.add_argument("--out", required=True, help="folder for the exports and the truth")
    simulate.add_argument("--seed", type=int, default=2026, help="seed for the respondents")
    simulate.add_argument(
        "--model-seed",
        type=int,
        default=None,
        help="seed for the generating model (default: --seed)",
    )
    simulate.add_argument(
        "--per-side", type=int, default=40, help="respondents per side and area (default 40)"
    )
    simulate.add_argument("--waves", nargs="+", default=["2025", "2026"])
    simulate.add_argument(
        "--english-share",
        type=float,
        default=None,
        help="share of respondents who answer in English (default 0.2)",
    )
    simulate.add_argument(
        "--language-effect",
        dest="language_effects",
        action="append",
        metavar="ITEM=SHIFT",
        help="the item works differently in English: its latent response shifts by SHIFT SD "
        "(repeat for more items)",
    )
    simulate.add_argument(
        "--mode-effect",
        dest="mode_effects",
        action="append",
        metavar="ITEM=SHIFT",
        help="the item works differently when read out by an interviewer: its latent response "
        "shifts by SHIFT SD (repeat for more items)",
    )
    simulate.add_argument(
        "--truth-per-cell",
        type=int,
        default=10_000,
        help="respondents per cell in the draw that gives the true index",
    )
    inputs(simulate, methodology=True)

    ingest = add(
        "ingest",
        cmd_ingest,
        "ingest a survey export (KoboToolbox/ODK CSV, XLSX, SPSS .sav, CSV) into the store",
    )
    ingest.add_argument("file")
    ingest.add_argument("--wave", required=True, help="the survey wave the file belongs to")
    ingest.add_argument(
        "--replaces",
        default=None,
        metavar="OLD",
        help="an ingested file of the wave this one corrects (name or SHA-256 start)",
    )
    store(ingest)
    inputs(ingest)

    status = add("status", cmd_status, "show waves, files, checksums and row counts of a store")
    store(status)
    project(status)
    status.add_argument("--rejects", action="store_true", help="also list every rejected row")
    status.add_argument(
        "--invalid", action="store_true", help="also list every answer stored as missing"
    )
    status.add_argument(
        "--no-verify", action="store_true", help="do not re-hash the kept raw files"
    )
    status.add_argument(
        "--remove-orphans",
        action="store_true",
        help="delete raw files that no file record refers to (left by an interrupted ingest)",
    )

    key = sub.add_parser("key", help="the pseudonym key for respondent codes")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    add(
        "init",
        cmd_key_init,
        f"create the pseudonym key (in ${KEY_FILE_ENV} or {DEFAULT_KEY_FILE})",
        key_sub,
    )
    add("fingerprint", cmd_key_fingerprint, "show the fingerprint of the key file", key_sub)

    clean = add(
        "clean",
        cmd_clean,
        "remove output folders samenspel wrote, and stores of simulated data only",
    )
    clean.add_argument("paths", nargs="+", help="output folders or demo store files")

    retract = add("retract", cmd_retract, "withdraw an ingested file from every analysis")
    retract.add_argument("file", help="the file: its path, its name or the start of its SHA-256")
    retract.add_argument("--reason", required=True, help="why (kept in the store)")
    store(retract)
    inputs(retract)

    migrate_command = add("migrate", cmd_migrate, "upgrade a store to the current schema")
    store(migrate_command)
    project(migrate_command)

    analyse = add("analyse", cmd_analyse, "compute the index and write the result tables")
    store(analyse)
    workers(analyse)
    analyse.add_argument(
        "--out", default=None, help="folder for the CSV/JSON results (default: the project's)"
    )
    analyse.add_argument(
        "--replicates",
        type=int,
        default=None,
        help="bootstrap replicates (default: the methodology file)",
    )
    inputs(analyse, methodology=True)

    analyse.add_argument(
        "--invariance",
        default=None,
        help="CSV with wave_from, wave_to, holds: invariance across waves (marks method breaks)",
    )

    analyse.add_argument(
        "--loadings",
        default=None,
        help="JSON of component -> CFA-derived weight, for the sensitivity analysis",
    )
    analyse.add_argument(
        "--estimator",
        choices=ESTIMATOR_OPTIONS,
        default=None,
        help="the CFA and invariance estimator for this run: WLSMV (items as ordered "
        "categories), MLR or ML (continuous); default: the methodology file's "
        "psychometrics.estimator. The other treatment is fitted beside it",
    )
    analyse.add_argument(
        "--missing",
        choices=PSYCHOMETRICS_MISSING_OPTIONS,
        default=None,
        help="fiml: every answer (full-information ML, or pairwise under WLSMV); listwise: "
        "only respondents who answered every item; default: the methodology file's "
        "psychometrics.missing",
    )
    analyse.add_argument(
        "--csv-dialect",
        choices=sorted(CSV_DIALECTS),
        default="en",
        help="en: comma-separated CSVs with a decimal point (default); nl: semicolon-separated "
        "with a decimal comma, as Excel with Dutch settings opens them",
    )

    plan = add(
        "plan",
        cmd_plan,
        "respondents to reach per area, side and unit for a CI half-width (or per side count)",
    )
    aim = plan.add_mutually_exclusive_group(required=True)
    aim.add_argument(
        "--half-width", type=float, default=None, help="target CI half-width, index points"
    )
    aim.add_argument(
        "--respondents",
        type=int,
        default=None,
        metavar="N",
        help="respondents per side and area: the half-width they give",
    )
    plan.add_argument("--store", default=None, help="plan from earlier waves in this store")
    plan.add_argument("--seed", type=int, default=2026, help="simulator seed without --store")
    plan.add_argument("--out", default=None, help="folder for plan.csv (per area, side and unit)")
    inputs(plan, methodology=True)

    progress = add(
        "progress",
        cmd_progress,
        "accepted responses per area, side and unit against the plan; the CI half-width now",
    )
    progress.add_argument("--plan", default=None, help="the plan.csv of `samenspel plan`")
    progress.add_argument(
        "--wave", default=None, help="the wave in the field (default: the store's latest)"
    )
    progress.add_argument("--out", default=None, help="folder for progress.csv and fieldwork.html")
    progress.add_argument(
        "--language", choices=LANGUAGES, default="nl", help="of fieldwork.html (default nl)"
    )
    progress.add_argument(
        "--replicates",
        type=int,
        default=None,
        help="bootstrap replicates (default: the methodology file, as analyse)",
    )
    store(progress)
    inputs(progress, methodology=True)

    pull_command = sub.add_parser(
        "pull", help="fetch submissions from KoboToolbox or ODK Central and ingest them"
    )
    pull_sub = pull_command.add_subparsers(dest="tool", required=True)
    kobo = add("kobo", cmd_pull, "pull a KoboToolbox form's submissions (API v2)", pull_sub)
    kobo.add_argument("--asset", required=True, help="the form's asset uid")
    kobo.add_argument(
        "--token-file",
        default=None,
        help="file holding the API token (default: $KOBO_TOKEN)",
    )
    odk = add("odk", cmd_pull, "pull an ODK Central form's submissions (OData)", pull_sub)
    # --project names samenspel's project folder in every command, so ODK's is --odk-project
    odk.add_argument(
        "--odk-project", type=int, required=True, metavar="N", help="ODK's project number"
    )
    odk.add_argument("--form", required=True, help="the form's id (xmlFormId)")
    odk.add_argument(
        "--token-file",
        default=None,
        help="file holding a session or API token (default: $ODK_TOKEN)",
    )
    odk.add_argument("--email", default=None, help="log in with this account instead")
    odk.add_argument(
        "--password-file",
        default=None,
        help="file holding the account's password (default: $ODK_PASSWORD)",
    )
    for command in (kobo, odk):
        command.add_argument("--server", required=True, help="the server, e.g. https://host")
        command.add_argument("--wave", required=True, help="the survey wave they belong to")
        command.add_argument(
            "--timeout", type=float, default=60.0, help="seconds to wait for an answer"
        )
        store(command)
        inputs(command)

    fieldwork = add(
        "fieldwork",
        cmd_fieldwork,
        "write paper forms, show-cards, XLSForm, codebook and data templates",
    )
    fieldwork.add_argument("--out", required=True, help="folder for the fieldwork materials")
    fieldwork.add_argument("--no-pdf", action="store_true", help="HTML forms only (faster)")
    fieldwork.add_argument(
        "--no-validate", action="store_true", help="skip ODK Validate (Java) on the XLSForm"
    )
    inputs(fieldwork)

    report = add("report", cmd_report, "render the HTML site and the PDFs from the results")
    report.add_argument(
        "--results", default=None, help="the results folder (default: the project's)"
    )
    workers(report)
    report.add_argument("--out", default=None, help="folder for the site (default: the project's)")
    report.add_argument(
        "--language",
        choices=[*LANGUAGES, "both"],
        default="both",
        help="nl, en or both (default): one folder per language",
    )
    report.add_argument(
        "--pdf",
        default=None,
        metavar="all|none|GM0363,GM0405",
        help=f"which municipalities get a PDF (default: all when there are at most "
        f"{PDF_ALL_UP_TO}, otherwise none)",
    )
    inputs(report, methodology=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ProblemsFound as exc:
        for problem in exc.problems:
            say(str(problem))
        errors = sum(p.level is Level.ERROR for p in exc.problems)
        say(f"samenspel: stopped; {errors} error(s) to fix first.")
        return EXIT_REFUSED
    except InputError as exc:
        say(f"samenspel: {exc}")
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader of our output went away (`samenspel status | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        say(f"samenspel: {describe_os_error(exc)}")
        return EXIT_REFUSED
    except duckdb.Error as exc:
        store = getattr(args, "store", None) or "the store"
        say(
            f"samenspel: {store} cannot be read or written ({str(exc).splitlines()[0]}). It may "
            "be damaged: restore it and its .raw folder from a backup, or ingest the raw files "
            "into a new store. Nothing was changed."
        )
        return EXIT_REFUSED
    except MemoryError:
        say("samenspel: not enough memory for this command; nothing was changed.")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        say("samenspel: interrupted; nothing was changed.")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
