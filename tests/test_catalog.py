"""Deployable the way Snakemake users deploy workflows: the catalog's `.test/` scenario, a run directory deployed
with snakedeploy (module mode, pinned at a release tag) giving the same reports as a run from the checkout, and
the version shown in every report.

How the deployment test works, and why (snakedeploy 0.17.1, pinned in pyproject.toml):
- The repository is published from a stand-in: the checkout's working tree (tracked and new, not ignored files,
  so that uncommitted edits are what is tested) committed to a fresh git repository and tagged `v<__version__>`.
- A user clones it at the tag (`git clone --branch vX`): the local clone is the pinned workflow.
- `snakedeploy deploy-workflow <clone> <rundir> --tag vX --name hsh_trpm6` writes the run directory: config/ and
  profiles/ copied from the clone, LICENSE, and workflow/Snakefile declaring the module. For a local source
  snakedeploy's provider copies the directory as it is (it checks out --tag only for GitHub/GitLab URLs, which
  it would write as `github(...)`, fetched at run time; no network here) and declares
  `snakefile: "workflow/Snakefile"`, which Snakemake reads relative to the run directory's own workflow/ folder,
  where no such file exists. So the test points the module's snakefile at the clone's workflow/Snakefile, the
  one edit a user makes too (README.md, "Deploying with snakedeploy").
- It writes the run directory's config (the user's own) and runs snakemake there; the same config in a plain
  directory is run with the same checkout's top-level Snakefile (`-s <clone>/Snakefile`). The reports must be
  byte-identical, and the jobs must have run the clone's package (its transcript models, schemas and
  templates), which their log names, not the one snakemake was started with (this checkout's, editable).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hshpipe

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
SNAKEDEPLOY = Path(sys.executable).with_name("snakedeploy")
VERSION = hshpipe.__version__
TAG = f"v{VERSION}"
pytestmark = pytest.mark.integration

GIT = ["git", "-c", "user.name=hshpipe tests", "-c", "user.email=tests@localhost", "-c", "advice.detachedHead=false"]


def run(cmd: list, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{cmd}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    return p


def report_files(outdir: Path) -> dict[str, bytes]:
    files = sorted((outdir / "samples").glob("*/*")) + [outdir / "summary.tsv", outdir / "summary.html"]
    return {str(p.relative_to(outdir)): p.read_bytes() for p in files}


# --- .test/: the scenario the workflow catalog's CI runs ------------------------------------------------------


@pytest.fixture(scope="module")
def test_scenario(tmp_path_factory):
    """`snakemake --directory .test` from the checkout's root; outdir moved to a temporary folder so that the
    checkout stays clean (snakemake's own metadata goes to .test/.snakemake/, ignored by git)."""
    out = tmp_path_factory.mktemp("dot_test") / "results"
    run([*SNAKEMAKE, "--cores", "2", "--directory", ".test", "--config", f"outdir={out}"], cwd=ROOT)
    return out


def test_test_scenario_is_small_and_gives_the_planted_verdicts(test_scenario):
    sheet = list(csv.DictReader(open(ROOT / ".test/config/samples.tsv"), delimiter="\t"))
    assert 2 <= len(sheet) <= 5
    truth = {}
    with open(ROOT / "resources/demo/truth.tsv") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["build"] == "GRCh38":
                truth[row["sample"]] = row["expected_verdict"]
    summary = {r["sample"]: r for r in csv.DictReader(open(test_scenario / "summary.tsv"), delimiter="\t")}
    assert set(summary) == {r["sample"] for r in sheet}
    for sample, row in summary.items():
        assert row["verdict"] == truth[sample], sample
    # the data are the demo's, reused by relative path: nothing large is copied into .test/
    assert (
        sum(
            p.stat().st_size
            for p in (ROOT / ".test").rglob("*")
            if p.is_file() and "results" not in p.parts and ".snakemake" not in p.parts
        )
        < 20_000
    )


def test_every_report_shows_the_pipeline_version(test_scenario):
    """The version lives in one place (hshpipe.__version__); every report names it in its provenance."""
    reports = sorted((test_scenario / "samples").glob("*/*.report.json"))
    assert reports
    for p in reports:
        assert json.loads(p.read_text())["provenance"]["pipeline_version"] == VERSION
        html = p.with_suffix("").with_suffix(".report.html").read_text()
        assert re.search(rf"<th>Pipeline version</th><td[^>]*>{re.escape(VERSION)}</td>", html), p
    assert f"by hshpipe {VERSION}" in (test_scenario / "summary.html").read_text()


def test_version_is_defined_once_and_has_a_changelog_entry():
    init = (ROOT / "scripts/hshpipe/__init__.py").read_text()
    assert re.findall(r'^__version__ = "([^"]+)"$', init, re.M) == [VERSION]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'version = { attr = "hshpipe.__version__" }' in pyproject
    assert re.search(r'^version\s*=\s*"', pyproject, re.M) is None  # no second, static version
    assert re.search(rf"^## \[{re.escape(VERSION)}\]", (ROOT / "CHANGELOG.md").read_text(), re.M)


def test_licence_is_mit_and_named_in_readme_and_package_metadata():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
    assert re.search(r"^## Licen[cs]e\n+MIT", (ROOT / "README.md").read_text(), re.M)


# --- snakedeploy: a run directory of its own, the workflow pinned at a tag ---------------------------------------


def _publish_working_tree(dest: Path) -> None:
    """A git repository holding the checkout's working tree as one commit, tagged like a release."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT).stdout
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():  # tracked but deleted files are listed too
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    run([*GIT, "init", "-q"], cwd=dest)
    run([*GIT, "add", "-A"], cwd=dest)
    run([*GIT, "commit", "-q", "-m", "release"], cwd=dest)
    run([*GIT, "tag", TAG], cwd=dest)


def _write_user_config(rundir: Path, demo: Path) -> None:
    """The user's own config: the demo's samples, by absolute path (they live outside the run directory)."""
    (rundir / "config").mkdir(parents=True, exist_ok=True)
    lines = (ROOT / "config/samples.tsv").read_text().splitlines()
    body = [line.replace("resources/demo/", f"{demo}/") for line in lines[1:]]
    (rundir / "config/samples.tsv").write_text("\n".join([lines[0], *body]) + "\n")
    (rundir / "config/config.yaml").write_text(
        f"samples: config/samples.tsv\nreference: {demo}/reference/GRCh38_synthetic_chr9.fa.gz\noutdir: results\n"
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is needed to clone the workflow at a tag")
    base = tmp_path_factory.mktemp("deploy")
    published = base / "published" / "hsh-trpm6"
    published.mkdir(parents=True)
    _publish_working_tree(published)
    clone = base / "hsh-trpm6"
    run([*GIT, "clone", "-q", "--branch", TAG, published, clone], cwd=base)

    rundir = base / "run"
    run([SNAKEDEPLOY, "deploy-workflow", clone, rundir, "--tag", TAG, "--name", "hsh_trpm6"], cwd=base)
    snakefile = rundir / "workflow/Snakefile"
    text = snakefile.read_text()
    assert re.search(r"module hsh_trpm6:\s+snakefile:\s+\"workflow/Snakefile\"", text), text
    assert "use rule * from hsh_trpm6" in text
    # relative to the run directory's workflow/ folder (snakemake --lint refuses absolute paths)
    to_clone = os.path.relpath(clone / "workflow/Snakefile", snakefile.parent)
    snakefile.write_text(text.replace('"workflow/Snakefile"', f'"{to_clone}"'))
    assert (rundir / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert (rundir / "profiles/default/config.yaml").exists()

    demo = clone / "resources/demo"
    _write_user_config(rundir, demo)
    assert "Congratulations" in run([*SNAKEMAKE, "--lint"], cwd=rundir).stderr
    run([*SNAKEMAKE, "--cores", "2"], cwd=rundir)

    # the same config, run from a plain folder with the top-level Snakefile of the same checkout (the clone: the
    # config digest in every report covers the curated table's resolved path, which names the checkout)
    plain = base / "checkout_run"
    _write_user_config(plain, demo)
    run([*SNAKEMAKE, "-s", clone / "Snakefile", "--cores", "2"], cwd=plain)
    return {"clone": clone, "rundir": rundir, "plain": plain}


def test_deployed_module_gives_the_reports_of_a_run_from_the_checkout(deployed):
    got = report_files(deployed["rundir"] / "results")
    want = report_files(deployed["plain"] / "results")
    assert len(got) >= 8 * 3 + 2
    assert sorted(got) == sorted(want)
    assert [k for k in got if got[k] != want[k]] == []


def test_deployed_module_runs_its_own_package_and_resources(deployed):
    """Transcript models, schemas, templates and the curated table come from the clone (the module's own
    directory), not from the run directory nor from the package snakemake was started with."""
    clone, rundir = deployed["clone"], deployed["rundir"]
    log = (rundir / "results/logs/analyse_batch_0000.log").read_text()
    assert f"hshpipe {VERSION} from {clone / 'scripts' / 'hshpipe'}" in log, log[:500]
    rep = json.loads((rundir / "results/samples/HSH01/HSH01.report.json").read_text())
    assert rep["provenance"]["pipeline_version"] == VERSION
    assert not (rundir / "resources").exists() and not (rundir / "scripts").exists()


def test_deployed_module_refuses_a_package_of_another_version(deployed):
    """snakemake's environment must hold the workflow's own version of the package (checked at parse time)."""
    clone = deployed["clone"]
    init = clone / "scripts/hshpipe/__init__.py"
    original = init.read_text()
    init.write_text(original.replace(f'"{VERSION}"', '"99.0.0"'))
    try:
        p = subprocess.run(
            [*SNAKEMAKE, "-n", "--cores", "1"], cwd=deployed["rundir"], capture_output=True, text=True, timeout=120
        )
    finally:
        init.write_text(original)
    assert p.returncode != 0
    assert f"is version 99.0.0, but snakemake's environment has hshpipe {VERSION}" in p.stderr
