"""How the command line writes files: whole or not at all, never over what it did not write.

    with atomic_folder(out, "site") as staging:  # write into staging; swapped in when complete
        ...
    remove_output(out, "site")                # delete a folder only if samenspel wrote it all
    write_file_atomically(path, data)         # a single file, the same way
    manifest = results_manifest(folder)       # checksums of every result file
    check_results(folder, metadata)           # refuse a folder whose files are not one run
    neutralise_formulas(frame)                # text cells a spreadsheet would run, made inert

Ownership: every folder a command writes carries :data:`OUTPUT_MANIFEST`, naming the kind of
output (:data:`OUTPUT_KINDS`) and every file in it. A command writes into a folder only when
it does not exist, is empty, or holds exactly the files of an earlier output of the same kind;
anything else in it (a user's document, a subfolder, a file of another command) makes the
command stop before it writes anything, naming what it found. So replacing the old output
whole can never delete a file samenspel did not write.

A command that dies part-way (a full disk, a kill) leaves the previous output as it was:
new content is written to a hidden sibling folder (``.<name>.partial-<pid>``) and renamed
into place only when complete. The next run removes what a dead run left behind, and puts
back a previous output that was moved aside but not yet replaced.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from samenspel.common.problems import InputError

MANIFEST_KEY = "files"  # in metadata.json: {file name: sha256} of every result file
# How `samenspel analyse --csv-dialect` writes the result CSVs, and how they are read back
# (metadata.json records which): "en", comma-separated with a decimal point, or "nl",
# semicolon-separated with a decimal comma, which Excel with Dutch settings opens as columns.
CSV_DIALECTS = {"en": {"sep": ",", "decimal": "."}, "nl": {"sep": ";", "decimal": ","}}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path, kind: str) -> list[tuple[Path, int]]:
    found = []
    for path in out.parent.glob(f".{out.name}.{kind}-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            found.append((path, int(pid)))
    return found


def _clean_up_after_dead_runs(out: Path) -> None:
    for path, _ in _leftovers(out, "partial"):
        shutil.rmtree(path, ignore_errors=True)
    for path, _ in _leftovers(out, "old"):
        if out.exists():
            shutil.rmtree(path, ignore_errors=True)
        else:  # a run died between moving the old output aside and putting the new in place
            os.replace(path, out)


OUTPUT_MANIFEST = "samenspel-output.json"  # in every folder a command writes
OUTPUT_KINDS = ("results", "site", "fieldwork", "simulation", "plan", "progress")
FOREIGN_SHOWN = 5  # foreign files a refusal names


def _entries(folder: Path) -> list[str]:
    """Every file, folder and link under ``folder`` as a relative POSIX path (links are not
    followed: a link is an entry of its own)."""
    found = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        for name in dirs + files:
            found.append((base / name).as_posix())
    return sorted(found)


def _manifest_of(out: Path) -> dict | None:
    try:
        manifest = json.loads((out / OUTPUT_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    return manifest


def _protected(out: Path) -> str | None:
    """Why ``out`` may never be an output folder (None when it may)."""
    resolved = out.resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    if resolved == Path.home().resolve():
        return "it is your home folder"
    if resolved == Path.cwd().resolve():
        return "it is the folder you are working in"
    return None


def _refuse(out: Path, kind: str, why: str) -> InputError:
    suggestion = out / kind if not (out / kind).exists() else out.with_name(f"{out.name}-{kind}")
    return InputError(
        f"{out} cannot hold the {kind} output: {why}. samenspel replaces its output folder "
        "whole, so it writes only into a folder that is new, empty, or holds nothing but an "
        f"earlier {kind} output of samenspel. Nothing was written; choose a new or empty "
        f"folder, e.g. {suggestion}."
    )


def check_output_folder(out: str | Path, kind: str) -> Path:
    """``out`` as a path, when samenspel may (re)write it whole as an output of ``kind``.

    Allowed: a folder that does not exist, an empty one, or one that holds exactly the files
    listed in its :data:`OUTPUT_MANIFEST` of the same kind. Refused (:class:`InputError`,
    naming a few of the files found): a file, the root or home folder, the working folder,
    and a folder holding anything else. Commands call this before they start working.
    """
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(OUTPUT_KINDS)}, got {kind!r}")
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(
            f"{out} is a file or a link; give a folder here (it is created when missing). "
            "Nothing was written."
        )
    protected = _protected(out)
    if protected:
        raise _refuse(out, kind, protected)
    entries = _entries(out) if out.exists() else []
    if not entries:
        return out
    manifest = _manifest_of(out)
    if manifest is None:
        shown = _listed(entries)
        raise _refuse(out, kind, f"it holds files samenspel did not write ({shown})")
    if manifest.get("kind") != kind:
        raise _refuse(out, kind, f"it holds samenspel's {manifest.get('kind', 'unknown')} output")
    ours = {OUTPUT_MANIFEST}
    for name in manifest["files"]:
        path = Path(str(name))
        ours.add(path.as_posix())
        ours.update(parent.as_posix() for parent in path.parents if parent != Path("."))
    foreign = [entry for entry in entries if entry not in ours]
    if foreign:
        raise _refuse(out, kind, f"besides an earlier {kind} output it holds {_listed(foreign)}")
    return out


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:FOREIGN_SHOWN])
    more = len(names) - FOREIGN_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _write_manifest(staging: Path, kind: str) -> None:
    files = [
        entry
        for entry in _entries(staging)
        if (staging / entry).is_file() or (staging / entry).is_symlink()
    ]
    manifest = {
        "kind": kind,
        "note": "written by samenspel; the whole folder is replaced by its next run",
        "files": files,
    }
    (staging / OUTPUT_MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


@contextlib.contextmanager
def atomic_folder(out: str | Path, kind: str) -> Iterator[Path]:
    """A fresh folder to write ``out``'s new content into; it replaces ``out`` on success.

    ``out`` is checked with :func:`check_output_folder` before anything is written and again
    just before the swap (a file put there meanwhile stops the swap, not the file).
    """
    out = Path(out)
    _clean_up_after_dead_runs(out)
    out = check_output_folder(out, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        _write_manifest(staging, kind)
        check_output_folder(out, kind)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def output_kind(folder: str | Path) -> str | None:
    """The kind of samenspel output ``folder`` holds by its manifest (None: not an output)."""
    manifest = _manifest_of(Path(folder))
    return None if manifest is None else str(manifest.get("kind"))


def remove_output(out: str | Path, kind: str) -> bool:
    """Delete the folder ``out`` if it is samenspel's ``kind`` output and nothing else;
    refuse (:class:`InputError`) when it holds anything samenspel did not write. True when
    something was removed."""
    out = Path(out)
    _clean_up_after_dead_runs(out)
    if not out.exists():
        return False
    check_output_folder(out, kind)
    shutil.rmtree(out)
    return True


def write_file_atomically(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name here.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def sha256_of(path: str | Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB chunks (a national export does not fit twice)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def results_manifest(folder: Path, leave_out: str) -> dict[str, str]:
    """Checksums of every file in ``folder`` but ``leave_out`` (the metadata file itself)."""
    return {p.name: sha256_of(p) for p in sorted(folder.iterdir()) if p.name != leave_out}


def check_results(folder: Path, metadata: Mapping, leave_out: str) -> None:
    """Refuse a results folder whose files are not exactly those of the run in its metadata."""
    listed = metadata.get(MANIFEST_KEY)
    run = metadata.get("run_id", "?")
    again = "Run `samenspel analyse` again to write a complete, consistent results folder."
    if not isinstance(listed, dict):
        raise InputError(f"{folder}/metadata.json lists no result files (an older run?). {again}")
    ignored = (leave_out, OUTPUT_MANIFEST)
    present = {p.name for p in folder.iterdir() if p.name not in ignored and p.is_file()}
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    changed = sorted(n for n in set(listed) & present if sha256_of(folder / n) != listed[n])
    if missing or extra or changed:
        said = "; ".join(
            f"{what}: {', '.join(names[:5])}"
            + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            for what, names in (
                ("missing", missing),
                ("not of this run", extra),
                ("changed", changed),
            )
            if names
        )
        raise InputError(
            f"{folder} does not hold the results of one run (run {run}): {said}. A report from "
            f"it would mix figures. {again}"
        )


def describe_os_error(exc: OSError) -> str:
    """One sentence for a failure of the file system, naming the path and what to do."""
    where = exc.filename or "a file"
    if exc.errno == errno.ENOSPC:
        return (
            f"the disk is full (writing {where}); nothing was left half-written. Free some space "
            "and run the command again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write or read {where}. Choose another place or fix the rights."
    if exc.errno == errno.EISDIR:
        return f"{where} is a folder where a file is needed. Give a file name."
    if exc.errno == errno.ENOTDIR:
        return f"a part of {where} is a file where a folder is needed. Check the path."
    if exc.errno == errno.ENOENT:
        return f"{where} does not exist. Check the path."
    return f"{where}: {exc.strerror or exc}. Check the path and the disk."


# A cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return can hide one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that could start a formula is prefixed with ``'``.

    Numbers are left alone (a negative number is data, not a formula).
    """
    out = frame.copy()
    for column in _text_columns(out):
        text = out[column]
        risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        out[column] = text.where(~risky, "'" + text.astype(str))
    return out


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise_formulas`, for reading a result file back."""
    out = frame.copy()
    for column in _text_columns(out):
        text = out[column]
        guarded = text.map(
            lambda v: isinstance(v, str) and v.startswith("'") and v[1:].startswith(FORMULA_STARTS)
        )
        out[column] = text.where(~guarded, text.astype(str).str[1:])
    return out


def _text_columns(frame: pd.DataFrame) -> list:
    return [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]


def printable(text: str, keep: str = "") -> str:
    """Text safe for a terminal: control characters (escape sequences, carriage returns)
    shown as ``\\x..`` instead of acting on the terminal; ``keep`` lists characters to
    leave as they are (a message's own line breaks)."""
    return "".join(c if c.isprintable() or c in keep else f"\\x{ord(c):02x}" for c in str(text))
