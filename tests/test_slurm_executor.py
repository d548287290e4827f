"""hshpipe.slurm_executor without a cluster: the status-command pre-flight check (fake scontrol/sacct answers) and
the reading of sacct's "CANCELLED by <uid>". The same code against real clusters: tests/test_slurm.py."""

from __future__ import annotations

import asyncio
import types

import pytest

from hshpipe.slurm_executor import (
    ProbeResult,
    effective_status_command,
    min_job_age_seconds,
    normalise_cancelled_states,
    normalise_states,
    parse_scontrol_config,
    status_command_problem,
)

SCONTROL_NONE = """\
Configuration data as of 2026-12-01T09:00:00
AccountingStorageEnforce = none
AccountingStorageHost   = localhost
AccountingStorageType   = accounting_storage/none
ClusterName             = hshtest
MinJobAge               = 300 sec
"""
SCONTROL_DBD = SCONTROL_NONE.replace("accounting_storage/none", "accounting_storage/slurmdbd")


def fake_run(scontrol: str, sacct_rc: int, sacct_out: str = ""):
    calls = []

    def run(argv):
        calls.append(argv[0])
        if argv[0] == "scontrol":
            return ProbeResult(0, scontrol)
        if argv[0] == "sacct":
            return ProbeResult(sacct_rc, sacct_out)
        raise AssertionError(argv)

    run.calls = calls
    return run


def test_parse_scontrol_config():
    conf = parse_scontrol_config(SCONTROL_NONE)
    assert conf["AccountingStorageType"] == "accounting_storage/none"
    assert min_job_age_seconds(conf) == 300
    assert min_job_age_seconds({"MinJobAge": "1h"}) == 3600
    assert min_job_age_seconds({}) is None


@pytest.mark.parametrize(
    "configured, init, min_job_age, sacct, expected",
    [
        (None, None, 300, True, "sacct"),  # the plugin default when sacct is installed
        (None, None, 300, False, "squeue"),
        ("squeue", None, 300, True, "squeue"),  # 300 >= 3 x 40
        ("squeue", 120, 300, True, "sacct"),  # 300 < 3 x 120: the plugin goes back to sacct
        ("squeue", 2, None, True, "sacct"),  # MinJobAge unknown: sacct as well
        ("squeue", 120, 300, False, "squeue"),
        ("sacct", None, 300, False, "squeue"),
    ],
)
def test_effective_status_command(configured, init, min_job_age, sacct, expected):
    assert effective_status_command(configured, init, min_job_age, sacct) == expected


def test_no_accounting_default_sacct_names_the_option():
    run = fake_run(SCONTROL_NONE, 1, "Slurm accounting storage is disabled\n")
    msg = status_command_problem(None, None, run=run, sacct_available=True)
    assert msg and "\n" not in msg
    assert "AccountingStorageType=accounting_storage/none" in msg
    assert "add --slurm-status-command squeue" in msg


def test_no_accounting_with_squeue_is_fine_and_does_not_ask_sacct():
    run = fake_run(SCONTROL_NONE, 1, "Slurm accounting storage is disabled\n")
    assert status_command_problem("squeue", 2, run=run, sacct_available=True) is None
    assert run.calls == ["scontrol"]


def test_squeue_with_late_first_check_names_the_interval():
    run = fake_run(SCONTROL_NONE, 1, "Slurm accounting storage is disabled\n")
    msg = status_command_problem("squeue", 120, run=run, sacct_available=True)
    assert msg and msg.endswith("add --slurm-init-seconds-before-status-checks 100")
    # the value it names is one the plugin keeps squeue with
    assert effective_status_command("squeue", 100, 300, True) == "squeue"


def test_accounting_cluster_with_working_sacct_passes():
    run = fake_run(SCONTROL_DBD, 0, "")
    assert status_command_problem(None, None, run=run, sacct_available=True) is None
    assert run.calls == ["scontrol", "sacct"]


def test_accounting_cluster_with_sacct_down_says_so():
    run = fake_run(SCONTROL_DBD, 1, "sacct: error: Problem talking to the database: Connection refused\n")
    msg = status_command_problem(None, None, run=run, sacct_available=True)
    assert msg.startswith("sacct does not answer (sacct: error: Problem talking to the database")
    assert "add --slurm-status-command squeue" in msg


def test_no_sacct_installed_nothing_to_check():
    run = fake_run(SCONTROL_NONE, 1, "")
    assert status_command_problem(None, None, run=run, sacct_available=False) is None


def test_normalise_states():
    states = {"5": "CANCELLED by 0", "6": "COMPLETED", "7": "CANCELLED", "8": "RUNNING"}
    assert normalise_states(states) == {"5": "CANCELLED", "6": "COMPLETED", "7": "CANCELLED", "8": "RUNNING"}
    assert normalise_states(None) is None


def test_normalise_cancelled_states_wraps_the_plugin_query_once():
    async def query_job_status(command, logger):
        return {"5": "CANCELLED by 1000", "6": "COMPLETED"}, 0.01

    module = types.SimpleNamespace(query_job_status=query_job_status)
    assert normalise_cancelled_states(module) is True
    wrapped = module.query_job_status
    assert normalise_cancelled_states(module) is True and module.query_job_status is wrapped  # idempotent
    states, seconds = asyncio.run(module.query_job_status("sacct ...", None))
    assert states == {"5": "CANCELLED", "6": "COMPLETED"} and seconds == 0.01
    assert normalise_cancelled_states(types.SimpleNamespace()) is False


def test_the_installed_plugin_calls_the_name_we_wrap():
    """The pinned plugin's executor looks up `query_job_status` in its module at call time (so the wrapper is
    used) and compares states with a list that has CANCELLED but not 'CANCELLED by <uid>'."""
    plugin = pytest.importorskip("snakemake_executor_plugin_slurm")
    import inspect

    src = inspect.getsource(plugin.Executor.check_active_jobs)
    assert "await query_job_status(" in src
    assert '"CANCELLED",' in src and "status in fail_stati" in src
