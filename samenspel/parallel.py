"""Independent pieces of work on every core, the results in the order asked for.

    results = in_parallel([(function, args), ...], on_done=..., progress=...)

Worker processes are forked, so they start at once with everything the parent has imported.
One piece, or one core, runs in the calling process. ``on_done(number, result)`` is called in
the calling process as each piece finishes (in the order they finish), so a caller can write
a result away: what it returns is kept instead of the result (None: nothing piles up in
memory). Then ``progress(finished, total)`` is called. An exception in a piece is raised in the
caller.

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


def in_parallel(
    calls: Sequence[Call],
    on_done: Callable[[int, Any], Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
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
    workers = min(len(calls), os.cpu_count() or 1)
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
