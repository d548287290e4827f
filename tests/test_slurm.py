"""The SLURM profile (profiles/slurm) against a real one-node SLURM cluster started by tests/slurm_cluster.py.

Runs the bundled demo (config/config.yaml) three times, each in its own temporary working directory that links
the repository's files (code and config copied once per session, so every run uses the same code; relative paths
in the config and sample sheet resolve as in the repository, and the config, hence its digest in the reports, is
the same in every run; outdir = <workdir>/results):
  1. locally with --cores 2 (the reference outputs),
  2. through SLURM with the slurm profile: every job must have gone through sbatch (squeue, slurmctld log,
     per-job SLURM logs) and the outputs must be byte-identical to the local run,
  3. through SLURM with a fault: a running analyse_batch job is cancelled with scancel (--retries 0, so the
     run fails), then the run is repeated; the outputs must be identical to the local run, with no
     half-written files left and every report.json parseable.
Skips (with the reason) when not root, when Debian's slurmctld/slurmd/slurm-client/munge are missing, when the
daemons do not come up, or when the demo data are not there. Needs about 2-3 minutes.
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
from slurm_cluster import SlurmCluster, SlurmUnavailable  # noqa: E402

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


# ---- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def slurm_cluster():
    try:
        cluster = SlurmCluster(cpus=2, partition="debug").start()
    except SlurmUnavailable as exc:
        pytest.skip(f"no SLURM test cluster: {exc}")
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
    cmd = [SNAKEMAKE, "--configfile", CONFIGFILE, "--config", f"outdir={OUTDIR}", *args]
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
def test_cluster_runs_a_job(slurm_cluster, tmp_path):
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


def test_demo_through_slurm_matches_local(slurm_cluster, local_run, snapshot, tmp_path):
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
    assert not re.search(r"^localrule (?!all:|summary:)", text, re.M), "a rule other than all/summary ran locally"
    submitted = set(slurm_cluster.submitted_job_ids())
    assert {j.jobid for j in jobs} <= submitted, "job ids missing from the slurmctld log"
    # per-job SLURM logs: .snakemake/slurm_logs/rule_<rule>/[<wildcards>/]<jobid>.log
    logs = {p.stem: p for p in (wd / ".snakemake/slurm_logs").rglob("*.log")}
    for j in jobs:
        assert j.jobid in logs, f"no SLURM log for job {j.jobid} ({j.rule})"
        assert logs[j.jobid].parent.relative_to(wd / ".snakemake/slurm_logs").parts[0] == f"rule_{j.rule}"

    html = datetime.date.today() == local_run["day"]
    assert_same_outputs(local_run["outdir"], wd / OUTDIR, html=html)
    assert_clean_outputs(wd / OUTDIR)

    walls = wall_times(slurm_cluster, {j.jobid for j in jobs})
    print(
        f"\nSLURM demo run: {len(jobs)} jobs ({', '.join(rules)}), snakemake {seconds:.0f} s "
        f"(local --cores 2: {local_run['seconds']:.0f} s); job wall times (s): "
        + ", ".join(f"{j.jobid}:{j.rule}={walls.get(j.jobid, float('nan')):.0f}" for j in jobs)
    )


def test_cancelled_job_then_rerun(slurm_cluster, local_run, snapshot, tmp_path):
    wd = make_workdir(tmp_path / "wd", snapshot)
    cmd = [SNAKEMAKE, "--configfile", CONFIGFILE, "--config", f"outdir={OUTDIR}", *slurm_run_args(), "--retries", "0"]
    log = wd / "fault.out"
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=wd, env=slurm_cluster.env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        victim = None
        deadline = time.monotonic() + 180
        while victim is None and time.monotonic() < deadline and proc.poll() is None:
            uuid = re.search(r"SLURM run ID: (\S+)", log.read_text())
            if uuid:
                running = [
                    j for j in slurm_cluster.jobs(states="RUNNING", name=uuid.group(1)) if j.rule == "analyse_batch"
                ]
                if running:
                    victim = running[0]
                    break
            time.sleep(0.2)
        assert victim is not None, f"no analyse_batch job seen running:\n{tail(log.read_text())}"
        # cancel mid-batch: as soon as the batch writes its first per-sample file (or after 30 s, or when the
        # job stops running first)
        samples_dir = wd / OUTDIR / "samples"
        t_run, t_squeue = time.monotonic(), 0.0
        while time.monotonic() - t_run < 30:
            if samples_dir.exists() and any(p.is_file() for p in samples_dir.rglob("*")):
                break
            if time.monotonic() - t_squeue > 0.5:
                t_squeue = time.monotonic()
                if victim.jobid not in {j.jobid for j in slurm_cluster.jobs(states="RUNNING")}:
                    break
            time.sleep(0.01)
        slurm_cluster.run("scancel", victim.jobid)
        reports_before = len(list((wd / OUTDIR).glob("samples/*/*.report.json")))
        files_before = (
            sorted(str(p.relative_to(wd / OUTDIR)) for p in samples_dir.rglob("*") if p.is_file())
            if samples_dir.exists()
            else []
        )
        rc = proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
    text = log.read_text()
    state = {j.jobid: j.state for j in slurm_cluster.jobs()}.get(victim.jobid)
    assert state == "CANCELLED", f"job {victim.jobid} ended {state}, not CANCELLED"
    assert rc != 0, f"the run with a cancelled job (--retries 0) did not fail:\n{tail(text)}"
    assert "CANCELLED" in text, tail(text)

    # rerun (profile: rerun-incomplete, retries): completes and gives the local run's outputs
    r = snakemake(wd, slurm_run_args(), env=slurm_cluster.env, log_name="rerun.out")
    assert r.returncode == 0, f"rerun after the cancelled job failed:\n{tail(r.stdout + r.stderr)}"
    assert_clean_outputs(wd / OUTDIR)
    html = datetime.date.today() == local_run["day"]
    assert_same_outputs(local_run["outdir"], wd / OUTDIR, html=html)
    print(
        f"\nfault test: cancelled SLURM job {victim.jobid} (analyse_batch, comment {victim.comment}) "
        f"with {reports_before} report.json and {len(files_before)} per-sample files written "
        f"({', '.join(files_before[-3:])}); rerun job ids: "
        f"{sorted(j.jobid for j in slurm_cluster.jobs(name=run_id(r.stdout + r.stderr)))}"
    )
