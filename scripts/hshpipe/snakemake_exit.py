"""Snakemake (9.x) waits up to a second at exit for a timer it no longer needs; release it when the run is over.

The job scheduler applies `--max-jobs-per-timespan` (default 100/1s) by starting, on every pass of its loop, a
non-daemon ``threading.Timer`` of one timespan that re-opens the loop (``JobScheduler._schedule_reevalutation``).
When the last job ends the loop returns, but the interpreter joins the pending timer before the process exits:
every run ends ~1 s after its last job (measured: demo 3.8 s -> 2.7 s with the timer released). The timespan
cannot be set below 1 s (the option's pattern reads "100ms" as 100 minutes).

:func:`release_scheduler_timers` cancels only those timers, and is called from ``onsuccess``/``onerror``: the
scheduler has returned by then, so nothing waits on them. If Snakemake renames the function, nothing matches and
the run simply ends a second later (tests/test_snakemake_exit.py checks the pinned version still matches).

:func:`release_at_exit` also spares the interpreter's last garbage collection: at exit Python walks every object
the process made (Snakemake with its ~1,100 modules: ~0.25 s, a tenth of a small run); objects frozen with
``gc.freeze()`` are skipped. Nothing is lost: finalizers that matter run from ``atexit`` (logging, weakref.finalize)
or by reference counting, and the operating system takes the memory back.

Both freezes (here and when common.smk is parsed) assume one run per process, as with the `snakemake` command and
cluster jobs. A program that runs this workflow repeatedly through Snakemake's Python API in one process would keep
each run's cyclic garbage (its DAG and jobs) for the life of that process.
"""

from __future__ import annotations

import threading

SCHEDULER_TIMER = "JobScheduler._schedule_reevalutation."  # qualname prefix of the timer's callback (sic)


def scheduler_timers() -> list[threading.Timer]:
    """The pending timers started by Snakemake's job scheduler to re-run its loop."""
    return [
        t
        for t in threading.enumerate()
        if isinstance(t, threading.Timer)
        and getattr(t.function, "__module__", "") == "snakemake.scheduling.job_scheduler"
        and getattr(t.function, "__qualname__", "").startswith(SCHEDULER_TIMER)
    ]


def release_scheduler_timers() -> int:
    """Cancel the scheduler's pending timers (the run is over); returns how many."""
    timers = scheduler_timers()
    for t in timers:
        t.cancel()
    return len(timers)


def release_at_exit() -> None:
    """The run is over (onsuccess/onerror): release the scheduler's timers and freeze the heap for a quick exit."""
    import gc

    release_scheduler_timers()
    gc.freeze()
