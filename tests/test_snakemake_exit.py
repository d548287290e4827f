"""The exit-timer release (hshpipe.snakemake_exit) against the pinned Snakemake's own scheduler code."""

import threading

from snakemake.scheduling.job_scheduler import JobScheduler

from hshpipe.snakemake_exit import release_scheduler_timers, scheduler_timers


class _Loop:
    """What _schedule_reevalutation touches on the scheduler: the semaphore its timer releases."""

    def __init__(self) -> None:
        self._open_jobs = threading.Semaphore(0)


def test_the_scheduler_timer_is_found_and_released():
    loop = _Loop()
    JobScheduler._schedule_reevalutation(loop, 60)  # the pinned Snakemake's own method: a 60 s timer
    timers = scheduler_timers()
    assert len(timers) == 1, "snakemake's scheduler no longer starts the timer this module releases"
    assert release_scheduler_timers() == 1
    timers[0].join(timeout=5)
    assert not timers[0].is_alive()
    assert not loop._open_jobs.acquire(blocking=False), "a released timer must not re-open the loop"


def test_other_timers_are_left_alone():
    fired = threading.Event()
    other = threading.Timer(0.05, fired.set)
    other.start()
    assert other not in scheduler_timers()
    release_scheduler_timers()
    assert fired.wait(5)


def test_release_at_exit_freezes_the_heap_and_releases_the_timers():
    """In a fresh interpreter with Snakemake loaded (as in onsuccess): the heap is frozen, so the interpreter's
    last collection skips it, and the scheduler's timer is cancelled."""
    import subprocess
    import sys

    code = (
        "import gc, threading, snakemake.cli\n"
        "from snakemake.scheduling.job_scheduler import JobScheduler\n"
        "from hshpipe.snakemake_exit import release_at_exit, scheduler_timers\n"
        "class L:\n    _open_jobs = threading.Semaphore(0)\n"
        "JobScheduler._schedule_reevalutation(L(), 60)\n"
        "assert gc.get_freeze_count() == 0\n"
        "release_at_exit()\n"
        "assert gc.get_freeze_count() > 10000, gc.get_freeze_count()\n"
        "[t.join(5) for t in scheduler_timers()]\n"
        "assert not any(t.is_alive() for t in scheduler_timers())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
