"""Work on every core: results in the order asked for, whatever order the pieces finish in."""

from __future__ import annotations

import os
import time

import pytest

from samenspel.parallel import in_parallel


def slow_square(x: int, delay: float) -> tuple[int, int]:
    time.sleep(delay)
    return x * x, os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def test_results_in_the_order_asked_for_from_other_processes():
    seen, progress = [], []
    calls = [(slow_square, (x, 0.3 if x == 0 else 0.0)) for x in range(5)]
    results = in_parallel(calls, progress=lambda done, total: progress.append((done, total)))
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    if (os.cpu_count() or 1) > 1:
        assert {pid for _, pid in results} - {os.getpid()}  # pieces ran in worker processes
    assert progress == [(n, 5) for n in range(6)]
    seen = in_parallel(calls, on_done=lambda number, result: number)
    assert seen == [0, 1, 2, 3, 4]  # what on_done returns is kept


def test_one_piece_runs_in_the_calling_process():
    assert in_parallel([(slow_square, (3, 0.0))]) == [(9, os.getpid())]


def test_an_error_in_a_piece_reaches_the_caller():
    with pytest.raises(ValueError, match="piece two"):
        in_parallel([(slow_square, (1, 0.0)), (fail, ("piece two",))])
