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
