"""How the command line writes files: whole or not at all, and errors said plainly.

    with atomic_folder(out) as staging:      # write into staging; swapped in when complete
        ...
    write_file_atomically(path, data)         # a single file, the same way
    manifest = results_manifest(folder)       # checksums of every result file
    check_results(folder, metadata)           # refuse a folder whose files are not one run
    neutralise_formulas(frame)                # text cells a spreadsheet would run, made inert

A command that dies part-way (a full disk, a kill) leaves the previous output as it was:
new content is written to a hidden sibling folder (``.<name>.partial-<pid>``) and renamed
into place only when complete. The next run removes what a dead run left behind, and puts
back a previous output that was moved aside but not yet replaced.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from samenspel.instrument.problems import InputError

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


def check_output_folder(out: str | Path) -> Path:
    """``out`` as a path, refused when it is a file (commands call this before working)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; give a folder here (it is created when missing).")
    return out


@contextlib.contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """A fresh folder to write ``out``'s new content into; it replaces ``out`` on success."""
    out = check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_up_after_dead_runs(out)
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    present = {p.name for p in folder.iterdir() if p.name != leave_out and p.is_file()}
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
