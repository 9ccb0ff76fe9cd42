"""Work on every core: results in the order asked for, whatever order the pieces finish in."""

from __future__ import annotations

import os
import time

import pytest

from samenspel.common.parallel import in_parallel


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


def run_in_a_pool_worker(x: int) -> list:
    # A daemonic worker of the user's own pool: no children of its own, so serially.
    return in_parallel([(slow_square, (x, 0.0)), (slow_square, (x + 1, 0.0))])


# The user's own pool forks a process that has threads (Python 3.12+ warns; see parallel.py)
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_inside_a_users_process_pool_the_pieces_run_serially():
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        (results,) = pool.map(run_in_a_pool_worker, [2])
    assert [square for square, _ in results] == [4, 9]
    assert len({pid for _, pid in results}) == 1  # the worker itself, no grandchildren


def test_jobs_follow_the_request_the_environment_and_the_usable_cores(monkeypatch):
    from samenspel.common.parallel import JOBS_ENV, jobs, usable_cores

    monkeypatch.delenv(JOBS_ENV, raising=False)
    assert jobs() == usable_cores() <= (os.cpu_count() or 1)
    assert jobs(1) == 1 and jobs(10_000) == usable_cores()
    monkeypatch.setenv(JOBS_ENV, "1")
    assert jobs() == 1
    assert {pid for _, pid in in_parallel([(slow_square, (x, 0.0)) for x in range(3)])} == {
        os.getpid()
    }
    for wrong in ("0", "two"):
        monkeypatch.setenv(JOBS_ENV, wrong)
        with pytest.raises(ValueError, match="at least 1"):
            jobs()
