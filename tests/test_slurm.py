"""The SLURM profile (profiles/slurm) against real one-node SLURM clusters started by tests/slurm_cluster.py.

Every run of the bundled demo (config/config.yaml) is in its own temporary working directory that links the
repository's files (code and config copied once per session, so every run uses the same code; relative paths
in the config and sample sheet resolve as in the repository, and the config, hence its digest in the reports, is
the same in every run; outdir = <workdir>/results). The reference is one local run with --cores 2.

TestNoAccounting, a cluster without an accounting database (accounting_storage/none, sacct installed but
"disabled"), the way small/test clusters run:
  - through SLURM with the profile and --slurm-status-command squeue: every job went through sbatch (squeue,
    slurmctld log, per-job SLURM logs), outputs byte-identical to the local run;
  - a running analyse_batch job cancelled with scancel (--retries 0, so the run fails), then the run repeated:
    outputs identical to the local run, no half-written files, every report.json parseable;
  - without that option (the plugin's default status command, sacct), or with squeue but a first status check
    so late that the plugin goes back to sacct: the run stops before any job is submitted, with one ERROR line
    that names the option to add (the workflow's onstart check, hshpipe.slurm_executor), instead of waiting
    forever.
TestAccounting, a cluster with slurmdbd and MariaDB, as most production sites run it, with the plugin's default
status command (sacct):
  - the demo through the profile with slurm_account/slurm_partition set per run: byte-identical outputs, and
    sacct shows every job of the run COMPLETED under that account and partition;
  - a running analyse_batch job cancelled with scancel: the run (profile: retries 2) resubmits it and ends
    successfully with outputs identical to the local run.
A cluster lives for its test class only. Skips (with the reason) when not root, when the Debian packages
(slurmctld slurmd slurm-client munge; for TestAccounting also slurmdbd mariadb-server) are missing, or when the
demo data are not there; when CI=true, a cluster that does not come up although the packages are installed is a
failure, not a skip. Needs about 4-5 minutes.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from slurm_cluster import SlurmCluster, SlurmPrerequisitesMissing, SlurmUnavailable  # noqa: E402

pytestmark = pytest.mark.slurm

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(ROOT / ".venv/bin/snakemake") if (ROOT / ".venv/bin/snakemake").exists() else "snakemake"
# repository entries not linked into the working directories (outputs, state, tooling)
NOT_LINKED = {".git", ".snakemake", ".venv", ".pytest_cache", ".ci", "results", "test-artifacts", "benchmarks"}
OUTDIR = "results"
RUN_TIMEOUT = 300
# settings for the test cluster: no accounting database (so squeue, not sacct), short first status check
SLURM_ARGS = [
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--slurm-keep-successful-logs",
]
COMPARED = ("samples/*/*.report.json", "samples/*/*.variants.tsv", "summary.tsv")
COMPARED_HTML = ("samples/*/*.report.html", "summary.html")  # carry the date of the run


# the accounting cluster: account and partition every run of TestAccounting sets (not the cluster's defaults)
ACCOUNT, PARTITION = "lab123", "short"
ACCT_ARGS = [
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--slurm-keep-successful-logs",
    "--default-resources",
    f"slurm_account={ACCOUNT}",
    f"slurm_partition={PARTITION}",
    "mem_mb=2000",
    "runtime=60",
    "cpus_per_task=1",
]


# ---- fixtures ----------------------------------------------------------------------------------------
def start_cluster(**kwargs) -> SlurmCluster:
    """A started cluster; skip when root or the Debian packages are missing. When the packages are there but the
    cluster does not come up, skip only outside CI (CI=true: fail, so that CI cannot go green by skipping)."""
    try:
        return SlurmCluster(**kwargs).start()
    except SlurmPrerequisitesMissing as exc:
        pytest.skip(f"no SLURM test cluster: {exc}")
    except SlurmUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the packages are installed, but the SLURM test cluster did not start: {exc}")
        pytest.skip(f"no SLURM test cluster: {exc}")


@pytest.fixture(scope="class")
def slurm_cluster():
    cluster = start_cluster(cpus=2, partition="debug")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="class")
def slurm_acct_cluster():
    cluster = start_cluster(cpus=2, partition="debug", accounting=True, accounts=(ACCOUNT,))
    yield cluster
    cluster.stop()


# HSH_SLURM_TEST_CONFIG=/abs/run.yaml runs these tests on another config (its paths absolute or repo-relative)
CONFIGFILE = os.environ.get("HSH_SLURM_TEST_CONFIG", "config/config.yaml")


@pytest.fixture(scope="session")
def demo_config():
    """The repository's demo config; skip while its inputs are not there yet."""
    import yaml

    cfg = yaml.safe_load((ROOT / CONFIGFILE).read_text())
    missing = [k for k in ("samples", "reference") if not (ROOT / str(cfg.get(k, ""))).exists()]
    if missing:
        pytest.skip(f"demo data not present ({', '.join(f'{k}: {cfg.get(k)}' for k in missing)} missing)")
    return cfg


# small code/config entries are copied once per session, so that all runs of a session use the same code
# even while the tree is being edited; the rest (resources with the demo data, ...) is linked
COPIED = ("Snakefile", "workflow", "scripts", "profiles", "config")


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory) -> Path:
    snap = tmp_path_factory.mktemp("snapshot")
    for entry in ROOT.iterdir():
        if entry.name in NOT_LINKED:
            continue
        if entry.name in COPIED:
            if entry.is_dir():
                shutil.copytree(
                    entry, snap / entry.name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            else:
                shutil.copy2(entry, snap / entry.name)
        else:
            (snap / entry.name).symlink_to(entry)
    return snap


def make_workdir(path: Path, snapshot: Path) -> Path:
    """A working directory whose entries link to the session's snapshot (outputs and .snakemake stay local)."""
    path.mkdir(parents=True)
    for entry in snapshot.iterdir():
        (path / entry.name).symlink_to(entry)
    return path


def snakemake(
    workdir: Path,
    args: list[str],
    env: dict | None = None,
    log_name: str = "snakemake.out",
    timeout: float = RUN_TIMEOUT,
) -> subprocess.CompletedProcess:
    # each run its own gene cache (cache_dir), so every run makes one gene_cache job as the tests count
    cmd = [SNAKEMAKE, "--configfile", CONFIGFILE, "--config", f"outdir={OUTDIR}", "cache_dir=gene_cache", *args]
    r = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    (workdir / log_name).write_text(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r


def tail(text: str, n: int = 60) -> str:
    return "\n".join(text.splitlines()[-n:])


def slurm_run_args() -> list[str]:
    return ["--workflow-profile", "profiles/slurm", *SLURM_ARGS]


def outputs(outdir: Path, html: bool) -> dict[str, bytes]:
    pats = COMPARED + (COMPARED_HTML if html else ())
    return {str(p.relative_to(outdir)): p.read_bytes() for pat in pats for p in sorted(outdir.glob(pat))}


def assert_same_outputs(local: Path, other: Path, html: bool) -> None:
    a, b = outputs(local, html), outputs(other, html)
    assert a, f"no outputs in {local}"
    assert sorted(a) == sorted(b), (
        f"different output files: only local {sorted(set(a) - set(b))}, only SLURM {sorted(set(b) - set(a))}"
    )
    differ = [k for k in a if a[k] != b[k]]
    hints = []
    for k in differ:
        for name, root in (("local", local), ("SLURM", other)):
            for needle in (str(root.parent), str(root)):
                if needle.encode() in (a[k] if name == "local" else b[k]):
                    hints.append(f"{k} contains the {name} run's path {needle}")
    assert not differ, f"outputs differ between the local and the SLURM run: {differ}; {hints or ''}"


def assert_clean_outputs(outdir: Path) -> None:
    leftovers = [
        str(p.relative_to(outdir))
        for p in outdir.rglob("*")
        if p.is_file() and (p.name.endswith(".part") or p.name.startswith("."))
    ]
    assert not leftovers, f"half-written files left: {leftovers}"
    reports = sorted(outdir.glob("samples/*/*.report.json"))
    assert reports
    for p in reports:
        json.loads(p.read_text())  # raises on a truncated report


def assert_matches_local_run(local_run: dict, outdir: Path) -> None:
    """Complete outputs (nothing half-written), the same as the local run's (HTML too when rendered the same day)."""
    assert_clean_outputs(outdir)
    assert_same_outputs(local_run["outdir"], outdir, html=datetime.date.today() == local_run["day"])


def run_id(text: str) -> str:
    m = re.search(r"SLURM run ID: (\S+)", text)
    assert m, "no 'SLURM run ID' in the snakemake output: the slurm executor was not used"
    return m.group(1)


def wall_times(cluster: SlurmCluster, job_ids: set[str]) -> dict[str, float]:
    out = {}
    for rec in cluster.finished_jobs():
        if rec.get("JobId") in job_ids and rec.get("StartTime") and rec.get("EndTime"):
            s, e = (datetime.datetime.fromisoformat(rec[k]) for k in ("StartTime", "EndTime"))
            out[rec["JobId"]] = (e - s).total_seconds()
    return out


@pytest.fixture(scope="session")
def local_run(tmp_path_factory, demo_config, snapshot):
    wd = make_workdir(tmp_path_factory.mktemp("local") / "wd", snapshot)
    day = datetime.date.today()
    t0 = time.monotonic()
    r = snakemake(wd, ["--cores", "2"])
    assert r.returncode == 0, f"local demo run failed (not a SLURM problem):\n{tail(r.stdout + r.stderr)}"
    return {"outdir": wd / OUTDIR, "day": day, "seconds": time.monotonic() - t0}


# ---- tests -------------------------------------------------------------------------------------------
class TestNoAccounting:
    """A cluster without an accounting database (accounting_storage/none): squeue, or a fast failure."""

    def test_cluster_runs_a_job(self, slurm_cluster, tmp_path):
        """The harness itself: sbatch + srun inside the job work on the one-node cluster."""
        out = tmp_path / "job.out"
        r = slurm_cluster.run(
            "sbatch", "--parsable", "-o", str(out), "--mem", "100", "-t", "1", "--wrap", "srun -n1 hostname"
        )
        jobid = r.stdout.strip().split(";")[0]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = {j.jobid: j.state for j in slurm_cluster.jobs()}
            if states.get(jobid) in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL"):
                break
            time.sleep(0.5)
        assert states.get(jobid) == "COMPLETED", (
            f"job {jobid}: {states.get(jobid)}; {out.read_text() if out.exists() else ''}"
        )
        assert out.read_text().strip() == slurm_cluster.node
        assert_localhost_only(slurm_cluster, {"slurmctld", "slurmd"})

    def test_demo_through_slurm_matches_local(self, slurm_cluster, local_run, snapshot, tmp_path):
        wd = make_workdir(tmp_path / "wd", snapshot)
        t0 = time.monotonic()
        r = snakemake(wd, slurm_run_args(), env=slurm_cluster.env)
        seconds = time.monotonic() - t0
        text = r.stdout + r.stderr
        assert r.returncode == 0, f"SLURM run failed:\n{tail(text)}\n-- cluster --\n{slurm_cluster.log_tails(10)}"

        # every rule except the target `all` and the light `summary` (a localrule) ran as a SLURM job of this run
        uuid = run_id(text)
        jobs = slurm_cluster.jobs(name=uuid)
        assert jobs, f"squeue knows no job named {uuid}"
        assert {j.state for j in jobs} == {"COMPLETED"}, jobs
        rules = sorted(j.rule for j in jobs)
        n_batches = len(list((wd / OUTDIR / "batches").glob("batch_*.jsonl")))
        assert rules.count("analyse_batch") == n_batches >= 1
        assert rules.count("gene_cache") == 1 and rules.count("summary") == 0, rules
        local = r"^localrule (?!all:|default:|summary:|run_status:|curated_table:)"
        assert not re.search(local, text, re.M), "a rule other than all/summary/run_status/curated_table ran locally"
        submitted = set(slurm_cluster.submitted_job_ids())
        assert {j.jobid for j in jobs} <= submitted, "job ids missing from the slurmctld log"
        # per-job SLURM logs: .snakemake/slurm_logs/rule_<rule>/[<wildcards>/]<jobid>.log
        logs = {p.stem: p for p in (wd / ".snakemake/slurm_logs").rglob("*.log")}
        for j in jobs:
            assert j.jobid in logs, f"no SLURM log for job {j.jobid} ({j.rule})"
            assert logs[j.jobid].parent.relative_to(wd / ".snakemake/slurm_logs").parts[0] == f"rule_{j.rule}"

        assert_matches_local_run(local_run, wd / OUTDIR)

        walls = wall_times(slurm_cluster, {j.jobid for j in jobs})
        print(
            f"\nSLURM demo run: {len(jobs)} jobs ({', '.join(rules)}), snakemake {seconds:.0f} s "
            f"(local --cores 2: {local_run['seconds']:.0f} s); job wall times (s): "
            + ", ".join(f"{j.jobid}:{j.rule}={walls.get(j.jobid, float('nan')):.0f}" for j in jobs)
        )

    def test_cancelled_job_then_rerun(self, slurm_cluster, local_run, snapshot, tmp_path):
        wd = make_workdir(tmp_path / "wd", snapshot)
        rc, victim, before, text = run_and_cancel_a_batch(slurm_cluster, wd, [*slurm_run_args(), "--retries", "0"])
        state = {j.jobid: j.state for j in slurm_cluster.jobs()}.get(victim.jobid)
        assert state == "CANCELLED", f"job {victim.jobid} ended {state}, not CANCELLED"
        assert rc != 0, f"the run with a cancelled job (--retries 0) did not fail:\n{tail(text)}"
        assert "CANCELLED" in text, tail(text)

        # rerun (profile: rerun-incomplete, retries): completes and gives the local run's outputs
        r = snakemake(wd, slurm_run_args(), env=slurm_cluster.env, log_name="rerun.out")
        assert r.returncode == 0, f"rerun after the cancelled job failed:\n{tail(r.stdout + r.stderr)}"
        assert_matches_local_run(local_run, wd / OUTDIR)
        print(
            f"\nfault test: cancelled SLURM job {victim.jobid} (analyse_batch, comment {victim.comment}) "
            f"with {before}; rerun job ids: "
            f"{sorted(j.jobid for j in slurm_cluster.jobs(name=run_id(r.stdout + r.stderr)))}"
        )

    @pytest.mark.parametrize(
        "args, fix",
        [
            # the plugin's default status command: sacct, installed but "accounting storage is disabled"
            (["--slurm-init-seconds-before-status-checks", "2"], "--slurm-status-command squeue"),
            # squeue asked for, but MinJobAge (300 s) < 3 x 120 s: the plugin goes back to sacct on its own
            (
                ["--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "120"],
                "--slurm-init-seconds-before-status-checks 100",
            ),
        ],
        ids=["default-sacct", "squeue-but-late-first-check"],
    )
    def test_without_working_status_command_fails_fast(self, slurm_cluster, demo_config, snapshot, tmp_path, args, fix):
        """No silent wait: the run stops before the first submission, with one ERROR line naming the option."""
        wd = make_workdir(tmp_path / "wd", snapshot)
        submitted_before = len(slurm_cluster.submitted_job_ids())
        t0 = time.monotonic()
        # without the check the run would wait forever: the timeout turns that into a failure of this test
        r = snakemake(wd, ["--workflow-profile", "profiles/slurm", *args], env=slurm_cluster.env, timeout=120)
        seconds = time.monotonic() - t0
        text = r.stdout + r.stderr
        assert r.returncode != 0, f"the run did not fail:\n{tail(text)}"
        errors = [line for line in text.splitlines() if line.startswith("ERROR:")]
        assert len(errors) == 1, f"expected one ERROR line, got {errors}:\n{tail(text)}"
        assert "accounting" in errors[0] and fix in errors[0], errors[0]
        assert "Traceback" not in text, tail(text)
        assert len(slurm_cluster.submitted_job_ids()) == submitted_before, "a job was submitted before the check"
        assert not (wd / OUTDIR / "samples").exists()
        print(f"\nfails fast in {seconds:.1f} s, 0 jobs submitted: {errors[0]}")


class TestAccounting:
    """slurmdbd + MariaDB, as most sites run SLURM: the plugin's default status command (sacct)."""

    def test_cluster_accounts_jobs(self, slurm_acct_cluster, tmp_path):
        """The harness itself: a job with account + partition is recorded by sacct; an unknown account is refused."""
        c = slurm_acct_cluster
        out = tmp_path / "job.out"
        argv = ["sbatch", "--parsable", "-o", str(out), "--mem", "100", "-t", "1", "-J", "hsh-harness"]
        jobid = c.run(*argv, "-A", ACCOUNT, "-p", PARTITION, "--wrap", "srun -n1 hostname").stdout.strip()
        bad = c.run(*argv, "-A", "no-such-account", "--wrap", "true", check=False)
        assert bad.returncode != 0 and "account" in bad.stderr.lower(), (bad.returncode, bad.stderr)
        recs = settled_sacct(c, "JobIDRaw", "Account", "Partition", "State", jobs=[jobid])
        assert recs == [{"JobIDRaw": jobid, "Account": ACCOUNT, "Partition": PARTITION, "State": "COMPLETED"}], recs
        assert out.read_text().strip() == c.node
        assert_localhost_only(c, {"slurmctld", "slurmd", "slurmdbd", "mariadbd"})

    def test_demo_with_sacct_matches_local(self, slurm_acct_cluster, local_run, snapshot, tmp_path):
        c = slurm_acct_cluster
        wd = make_workdir(tmp_path / "wd", snapshot)
        t0 = time.monotonic()
        # --verbose: the plugin names its status command in debug lines ("Status query timing ... command=sacct")
        r = snakemake(wd, ["--workflow-profile", "profiles/slurm", *ACCT_ARGS, "--verbose"], env=c.env)
        seconds = time.monotonic() - t0
        text = r.stdout + r.stderr
        assert r.returncode == 0, f"SLURM run failed:\n{tail(text)}\n-- cluster --\n{c.log_tails(10)}"
        commands = set(re.findall(r"Status query timing \(cycle\): command=(\w+)", text))
        assert commands == {"sacct"}, f"status polled with {commands or 'nothing'}, not sacct (the plugin default)"

        uuid = run_id(text)
        recs = settled_sacct(c, "JobIDRaw", "Account", "Partition", "State", "Comment", name=uuid)
        n_batches = len(list((wd / OUTDIR / "batches").glob("batch_*.jsonl")))
        rules = sorted(re.match(r"rule_(.+?)(?:_wildcards_.*)?$", rec["Comment"]).group(1) for rec in recs)
        assert rules == sorted(["gene_cache"] + ["analyse_batch"] * n_batches), recs
        wrong = [
            rec for rec in recs if (rec["Account"], rec["Partition"], rec["State"]) != (ACCOUNT, PARTITION, "COMPLETED")
        ]
        assert not wrong, f"jobs not COMPLETED under account {ACCOUNT} / partition {PARTITION}: {wrong}"
        assert {rec["JobIDRaw"] for rec in recs} <= set(c.submitted_job_ids())

        assert_matches_local_run(local_run, wd / OUTDIR)
        print(
            f"\nSLURM + slurmdbd demo run: {len(recs)} jobs ({', '.join(rules)}) under {ACCOUNT}/{PARTITION}, "
            f"status by sacct, snakemake {seconds:.0f} s (local --cores 2: {local_run['seconds']:.0f} s)"
        )

    def test_cancelled_job_is_resubmitted(self, slurm_acct_cluster, local_run, snapshot, tmp_path):
        """scancel of a running batch: sacct reports it cancelled, the profile's retries resubmit it, same outputs."""
        c = slurm_acct_cluster
        wd = make_workdir(tmp_path / "wd", snapshot)
        rc, victim, before, text = run_and_cancel_a_batch(c, wd, ["--workflow-profile", "profiles/slurm", *ACCT_ARGS])
        assert rc == 0, (
            f"the run did not recover from the cancelled job:\n{tail(text)}\n-- cluster --\n{c.log_tails(10)}"
        )
        recs = settled_sacct(c, "JobIDRaw", "State", "Comment", name=run_id(text))
        states = {rec["JobIDRaw"]: rec["State"] for rec in recs}
        assert states.get(victim.jobid, "").startswith("CANCELLED"), f"job {victim.jobid}: {states.get(victim.jobid)}"
        again = [rec for rec in recs if rec["Comment"] == victim.comment and rec["JobIDRaw"] != victim.jobid]
        assert [rec["State"] for rec in again] == ["COMPLETED"], f"{victim.comment} not resubmitted once: {recs}"
        assert int(again[0]["JobIDRaw"]) > int(victim.jobid)
        assert_matches_local_run(local_run, wd / OUTDIR)
        print(
            f"\nfault test (sacct): cancelled job {victim.jobid} ({victim.comment}) with {before}, "
            f"resubmitted as {again[0]['JobIDRaw']}; {len(recs)} jobs in the run"
        )


def assert_localhost_only(cluster: SlurmCluster, daemons: set[str]) -> None:
    """The test cluster's daemons listen on TCP, and on 127.0.0.1 only."""
    listening = cluster.listening()
    assert {name for name, addrs in listening.items() if addrs} == daemons, listening
    outside = {name: a for name, addrs in listening.items() for a in addrs if not a.startswith("127.0.0.1:")}
    assert not outside, f"listening beyond localhost: {outside}"


def settled_sacct(cluster: SlurmCluster, *fields: str, timeout: float = 60, **kwargs) -> list[dict[str, str]]:
    """sacct records once every job has ended and every field is filled in: slurmctld sends a job's records to
    slurmdbd in pieces (the partition, for one, arrives after the job has started), so a fresh query can show
    a finished job with an empty Partition."""
    deadline = time.monotonic() + timeout
    while True:
        recs = cluster.sacct(*fields, **kwargs)
        done = recs and all(
            rec.get("State", "") not in ("PENDING", "RUNNING", "COMPLETING", "REQUEUED") and all(rec.values())
            for rec in recs
        )
        if done or time.monotonic() > deadline:
            return recs
        time.sleep(0.5)


def run_and_cancel_a_batch(cluster: SlurmCluster, wd: Path, args: list[str]):
    """Start the demo through SLURM, scancel a running analyse_batch job as soon as it has written its first
    per-sample file (or after 30 s, or when it stops running first), wait for the run to end.
    Returns (exit code, the cancelled SlurmJob, what was written before the cancel, the run's output)."""
    cmd = [SNAKEMAKE, "--configfile", CONFIGFILE, "--config", f"outdir={OUTDIR}", "cache_dir=gene_cache", *args]
    log = wd / "fault.out"
    with open(log, "w") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.Popen(cmd, cwd=wd, env=cluster.env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        victim = None
        deadline = time.monotonic() + 180
        while victim is None and time.monotonic() < deadline and proc.poll() is None:
            uuid = re.search(r"SLURM run ID: (\S+)", log.read_text())
            if uuid:
                running = [j for j in cluster.jobs(states="RUNNING", name=uuid.group(1)) if j.rule == "analyse_batch"]
                if running:
                    victim = running[0]
                    break
            time.sleep(0.2)
        assert victim is not None, f"no analyse_batch job seen running:\n{tail(log.read_text())}"
        samples_dir = wd / OUTDIR / "samples"
        t_run, t_squeue = time.monotonic(), 0.0
        while time.monotonic() - t_run < 30:
            if samples_dir.exists() and any(p.is_file() for p in samples_dir.rglob("*")):
                break
            if time.monotonic() - t_squeue > 0.5:
                t_squeue = time.monotonic()
                if victim.jobid not in {j.jobid for j in cluster.jobs(states="RUNNING")}:
                    break
            time.sleep(0.01)
        cluster.run("scancel", victim.jobid)
        reports_before = len(list((wd / OUTDIR).glob("samples/*/*.report.json")))
        files_before = (
            sorted(str(p.relative_to(wd / OUTDIR)) for p in samples_dir.rglob("*") if p.is_file())
            if samples_dir.exists()
            else []
        )
        rc = proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:  # a run that hangs: SIGTERM waits for "running" jobs, so kill it after 20 s
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
    before = (
        f"{reports_before} report.json and {len(files_before)} per-sample files written "
        f"({', '.join(files_before[-3:])})"
    )
    return rc, victim, before, log.read_text()
