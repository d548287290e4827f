"""Runs with Snakemake's SLURM executor: a pre-flight check of the job-status command, and one fix to its parsing.

Both guard against the same failure: a run that waits forever, without a word, for jobs that have ended.

1. Will the job-status command ever see a job end?

snakemake-executor-plugin-slurm (2.8) polls its jobs with ``sacct`` whenever ``sacct`` is installed, and when a
status query fails it only logs at debug level and keeps the jobs "running". On a cluster without an accounting
database (``AccountingStorageType=accounting_storage/none``) ``sacct`` is usually installed anyway (Debian's
slurm-client) but answers "Slurm accounting storage is disabled", so a run submits its first jobs and then waits
forever without a word. The plugin also switches from ``--slurm-status-command squeue`` back to ``sacct`` on its
own when ``MinJobAge`` is below 3 x ``--slurm-init-seconds-before-status-checks``.

:func:`status_command_problem` mirrors that choice, asks ``sacct`` the plugin's own kind of query when ``sacct``
is the command that will be used, and returns one line saying what is wrong and which option fixes it (or
``None``).

2. ``sacct`` reports a job cancelled with ``scancel`` as ``CANCELLED by <uid>``; the plugin (2.8.0) compares the
state with its list of failure states as it is, so such a job counts as still running, is never resubmitted, and
the run waits for it forever (SIGTERM too: "Will exit after finishing currently running jobs").
:func:`normalise_cancelled_states` wraps the plugin's status query so that ``CANCELLED by <uid>`` reads
``CANCELLED`` (a failure: resubmitted up to ``retries`` times, as with ``squeue``, which prints plain
``CANCELLED``).

The workflow calls :func:`prepare_executor` from ``onstart`` (main Snakemake process only, after the DAG is built
and before the first job is submitted).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PLUGIN_DEFAULT_INIT_SECONDS = 40  # snakemake-executor-plugin-slurm: init_seconds_before_status_checks
PROFILE = "profiles/slurm/config.yaml"
SQUEUE_FIX = "--slurm-status-command squeue"


@dataclass
class ProbeResult:
    returncode: int
    output: str  # stdout + stderr


Runner = Callable[[list[str]], ProbeResult]


def _run(argv: list[str], timeout: float = 30.0) -> ProbeResult:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return ProbeResult(127, f"{argv[0]}: not found")
    except subprocess.TimeoutExpired:
        return ProbeResult(124, f"no answer within {timeout:.0f} s")
    return ProbeResult(r.returncode, (r.stdout + r.stderr).strip())


def parse_scontrol_config(text: str) -> dict[str, str]:
    """``scontrol show config`` -> {key: value} (``Key = value`` lines)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(\w+)\s*=\s*(.*?)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def min_job_age_seconds(conf: dict[str, str]) -> int | None:
    """``MinJobAge`` in seconds ("300 sec", "1h", "300"), as the plugin reads it; None when absent."""
    m = re.match(r"^(\d+)\s*([a-zA-Z]*)", conf.get("MinJobAge", ""))
    if not m:
        return None
    value, unit = int(m.group(1)), m.group(2).lower()
    return value * 3600 if unit in ("h", "hour", "hours") else value


def effective_status_command(
    configured: str | None, init_seconds: int | None, min_job_age: int | None, sacct_available: bool
) -> str:
    """The command the plugin (2.8.0, ``check_active_jobs``) will really poll with."""
    command = configured or ("sacct" if sacct_available else "squeue")
    threshold = 3 * (init_seconds or PLUGIN_DEFAULT_INIT_SECONDS)
    if command == "squeue" and (min_job_age is None or min_job_age < threshold) and sacct_available:
        command = "sacct"
    if command == "sacct" and not sacct_available:
        command = "squeue"
    return command


def sacct_probe_argv() -> list[str]:
    """The same kind of query the plugin polls with (``query_job_status_sacct``), for a name no job has."""
    start = f"{datetime.now() - timedelta(days=2):%Y-%m-%dT%H:00}"
    return [
        "sacct",
        "-X",
        "--parsable2",
        "--clusters",
        "all",
        "--noheader",
        "--format=JobIdRaw,State",
        "--starttime",
        start,
        "--endtime",
        "now",
        "--name",
        "hsh-preflight-probe",
    ]


def status_command_problem(
    configured: str | None,
    init_seconds: int | None,
    run: Runner = _run,
    sacct_available: bool | None = None,
) -> str | None:
    """One line (no "ERROR:" prefix) when the run would wait forever for its jobs; None when status polling works.

    ``run`` executes a command (argv) and returns a :class:`ProbeResult`; tests pass a fake.
    """
    if sacct_available is None:
        sacct_available = shutil.which("sacct") is not None
    scontrol = run(["scontrol", "show", "config"])
    conf = parse_scontrol_config(scontrol.output) if scontrol.returncode == 0 else {}
    min_job_age = min_job_age_seconds(conf)
    init = init_seconds or PLUGIN_DEFAULT_INIT_SECONDS
    command = effective_status_command(configured, init_seconds, min_job_age, sacct_available)
    if command != "sacct":
        return None
    probe = run(sacct_probe_argv())
    if probe.returncode == 0:
        return None
    answer = " ".join(probe.output.split()) or f"exit code {probe.returncode}"
    storage = conf.get("AccountingStorageType", "")
    if storage == "accounting_storage/none" or "accounting storage is disabled" in answer.lower():
        what = f"SLURM accounting is disabled on this cluster (AccountingStorageType={storage or 'accounting_storage/none'})"
    else:
        what = f"sacct does not answer ({answer[:200]})"
    if configured == "squeue":
        # squeue was asked for, but the plugin goes back to sacct because MinJobAge is too short for its interval
        why = (
            f"{what}, and the executor polls with sacct although {SQUEUE_FIX} is set, because MinJobAge "
            f"({conf.get('MinJobAge') or 'unknown'}) is below 3 x the first status-check delay ({init} s), so the run "
            "would wait forever"
        )
        if min_job_age is not None and min_job_age >= 3:
            return f"{why}; add --slurm-init-seconds-before-status-checks {min_job_age // 3}"
        return f"{why}; ask the cluster admins for accounting (slurmdbd) or a MinJobAge of at least 120 s"
    return (
        f"{what}, so the job-status command sacct never sees a job end and the run would wait forever; "
        f"add {SQUEUE_FIX} (or set slurm-status-command: squeue in {PROFILE})"
    )


def normalise_states(states: dict[str, str] | None) -> dict[str, str] | None:
    """{job id: state} with ``CANCELLED by <uid>`` (sacct) read as ``CANCELLED``; other states unchanged."""
    if not states:
        return states
    return {jobid: ("CANCELLED" if st.startswith("CANCELLED by ") else st) for jobid, st in states.items()}


def normalise_cancelled_states(plugin_module: Any = None) -> bool:
    """Wrap the SLURM plugin's ``query_job_status`` (the name its executor calls) with :func:`normalise_states`.
    Idempotent; returns whether the wrapper is in place (False: the plugin has no such function any more)."""
    if plugin_module is None:
        import snakemake_executor_plugin_slurm

        plugin_module = snakemake_executor_plugin_slurm
    original = getattr(plugin_module, "query_job_status", None)
    if original is None:
        return False
    if getattr(original, "_hsh_normalises_cancelled", False):
        return True

    async def query_job_status(command: Any, logger: Any) -> Any:
        states, seconds = await original(command, logger)
        return normalise_states(states), seconds

    wrapper: Any = query_job_status  # marked so a second call leaves it alone
    wrapper._hsh_normalises_cancelled = True
    wrapper.__wrapped__ = original
    plugin_module.query_job_status = wrapper
    return True


def prepare_executor(workflow) -> str | None:
    """For the ``slurm`` executor (nothing to do otherwise): the status-state fix, then the pre-flight check.
    Returns the problem line for this run, or None."""
    plugin = getattr(workflow, "executor_plugin", None)
    if plugin is None or getattr(plugin, "name", None) != "slurm":
        return None
    normalise_cancelled_states()
    settings = workflow.executor_settings
    return status_command_problem(
        getattr(settings, "status_command", None),
        getattr(settings, "init_seconds_before_status_checks", None),
    )
