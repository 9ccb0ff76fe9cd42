"""Independent pieces of work on every core, the results in the order asked for.

    results = in_parallel([(function, args), ...], on_done=..., progress=...)

Worker processes are forked, so they start at once with everything the parent has imported.
How many: :func:`jobs` — the cores this process may use (its CPU affinity, as under
``taskset`` or a container's cpuset, not the machine's count), or fewer when asked
(``SAMENSPEL_JOBS``, or ``--jobs`` on `analyse` and `report`). One piece, one core, one job,
or a call from inside a worker process (a daemonic process may not have children: a user's
own process pool calling `analyse`) runs in the calling process, serially.
``on_done(number, result)`` is called in the calling process as each piece finishes (in the
order they finish), so a caller can write a result away: what it returns is kept instead of
the result (None: nothing piles up in memory). Then ``progress(finished, total)`` is
called. An exception in a piece is raised in the caller.

Forking a process that runs threads can deadlock a child that needs a lock one of them held.
Our callers hold no threads when they fork: the store is closed before the psychometrics, and
the PDFs need none. The threads the process does have are OpenBLAS's (numpy's linear algebra),
which stops them before a fork and starts them again after it (its pthread_atfork handlers).
Python 3.12 and later warn about any fork of a process with threads; for that reason the
warning is silenced here, and only here.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

Call = tuple[Callable[..., Any], tuple]
JOBS_ENV = "SAMENSPEL_JOBS"


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system knows it)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def jobs(requested: int | None = None) -> int:
    """How many worker processes to use: ``requested`` (``--jobs``), else ``SAMENSPEL_JOBS``,
    else every usable core; never more than the usable cores, and 1 inside a daemonic
    process. Refuses a value that is not a whole number of at least 1."""
    if requested is None and os.environ.get(JOBS_ENV):
        text = os.environ[JOBS_ENV]
        if not text.strip().isdigit():
            raise ValueError(f"{JOBS_ENV} must be a whole number of at least 1, got {text!r}")
        requested = int(text)
    if requested is not None and requested < 1:
        raise ValueError(f"the number of jobs must be at least 1, got {requested}")
    if multiprocessing.current_process().daemon:
        return 1
    cores = usable_cores()
    return cores if requested is None else min(requested, cores)


def in_parallel(
    calls: Sequence[Call],
    on_done: Callable[[int, Any], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> list[Any]:
    """Run ``calls`` on up to ``workers`` processes (default :func:`jobs`)."""
    results: list[Any] = [None] * len(calls)
    finished = 0

    def finish(number: int, result: Any) -> None:
        nonlocal finished
        results[number] = result if on_done is None else on_done(number, result)
        finished += 1
        if progress is not None:
            progress(finished, len(calls))

    if progress is not None:
        progress(0, len(calls))
    workers = min(len(calls), jobs(workers))
    if workers <= 1:
        for number, (function, args) in enumerate(calls):
            finish(number, function(*args))
        return results
    context = multiprocessing.get_context("fork")
    with (
        warnings.catch_warnings(),
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        running = {pool.submit(function, *args): n for n, (function, args) in enumerate(calls)}
        for future in as_completed(running):
            finish(running.pop(future), future.result())
    return results
