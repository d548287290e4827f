"""Reports in a real browser (headless Debian chromium): they render, run no failing script, load nothing
from the network, the summary sorts, and they print. Screenshots land in test-artifacts/ for review."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import replicated_rows, require_tool
from test_report import (
    GENERATED_ON,
    biallelic_report,
    evil_report,
    inconclusive_report,
    negative_report,
    resource_urls,
)

from hshpipe import outputs
from hshpipe import report as rp

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.chromium


@pytest.fixture(autouse=True)
def _chromium_installed():
    """Skips locally without chromium; fails in CI (CI=true), where .ci/run installs it."""
    require_tool(CHROMIUM is not None, "chromium (Debian package `chromium`)")


BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


@dataclass(frozen=True)
class BrowserRun:
    dom: str
    console: list[str]  # console messages of the page (errors, uncaught exceptions, logs)
    page_requests: list[str]  # non-file URLs requested on behalf of a page (not by the browser itself)
    all_urls: list[str]  # every URL in the net log (including the browser's own background requests)


def run_chromium(url: str, tmp: Path, extra: Sequence[str] = ()) -> BrowserRun:
    """Load `url` with a fresh profile, console logging to stderr and a net log; return what happened."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp))
    netlog = tmp / f"netlog-{profile.name}.json"
    cmd = [
        CHROMIUM,
        *BASE_FLAGS,
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={netlog}",
        "--virtual-time-budget=3000",
        *extra,
        "--dump-dom",
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    page_requests, all_urls = parse_netlog(netlog)
    return BrowserRun(proc.stdout, console, page_requests, all_urls)


def parse_netlog(path: Path) -> tuple[list[str], list[str]]:
    text = path.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # chromium killed before closing the file
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    page, everything = [], []
    for event in log.get("events", []):
        params = event.get("params") or {}
        url = params.get("url")
        if not isinstance(url, str):
            continue
        everything.append(url)
        # browser-internal requests (update checks, sign-in) have no origin; page requests do
        if (
            names.get(event["type"]) == "URL_REQUEST_START_JOB"
            and not url.startswith("file://")
            and params.get("initiator") != "not an origin"
        ):
            page.append(url)
    return page, everything


def screenshot(url: str, out: Path, tmp: Path, size: str = "1280,2000") -> None:
    profile = Path(tempfile.mkdtemp(prefix="shot-", dir=tmp))
    cmd = [CHROMIUM, *BASE_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", f"--screenshot={out}", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def print_pdf(url: str, out: Path, tmp: Path) -> bytes:
    profile = Path(tempfile.mkdtemp(prefix="pdf-", dir=tmp))
    cmd = [CHROMIUM, *BASE_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={out}", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run folder as the pipeline writes it: summary at the top, reports under samples/<s>/."""
    out = tmp_path_factory.mktemp("run")
    reports = {"biallelic": biallelic_report(), "negative": negative_report(), "inconclusive": inconclusive_report()}
    paths: dict[str, Path] = {}
    for name, rep in reports.items():
        written = outputs.write_sample_reports(rep, out / "samples" / rep["sample"], GENERATED_ON)
        paths[name] = written["html"]
    paths["evil"] = out / "evil.report.html"  # its sample name is not a file name: written by hand
    outputs.atomic_write(paths["evil"], rp.sample_html(evil_report(), GENERATED_ON))
    rows = [rp.summary_row(r) for r in reports.values()]
    paths["summary"] = out / "summary.html"
    outputs.write_summary(rows, out / "summary.tsv", paths["summary"], GENERATED_ON)
    ARTIFACTS.mkdir(exist_ok=True)
    return paths


def assert_clean(run: BrowserRun, html: str) -> None:
    assert not [c for c in run.console if re.search(r"uncaught|error", c, re.I)], run.console
    assert run.page_requests == [], run.page_requests
    referenced = ("pubmed.ncbi.nlm.nih.gov", "doi.org")
    assert not [u for u in run.all_urls if any(h in u for h in referenced)], "a citation link was fetched"
    assert resource_urls(html) == []


def test_detectors_see_errors_and_requests(tmp_path: Path) -> None:
    """Control: the console and net-log checks do catch a script error and an external resource."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><style>body{background:url(https://bg.example.org/a.png)}"
        '</style></head><body><img src="http://img.example.org/x.png">'
        "<script>undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    run = run_chromium(bad.as_uri(), tmp_path)
    assert any("Uncaught ReferenceError" in c for c in run.console)
    assert "http://img.example.org/x.png" in run.page_requests
    assert "https://bg.example.org/a.png" in run.page_requests
    assert len(resource_urls(bad.read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize("name", ["biallelic", "negative", "inconclusive"])
def test_sample_report_renders_offline(name: str, rendered: dict[str, Path], tmp_path: Path) -> None:
    path = rendered[name]
    html = path.read_text(encoding="utf-8")
    run = run_chromium(path.as_uri(), tmp_path)
    assert_clean(run, html)
    assert 'class="verdict v-' in run.dom and "Review and sign-off" in run.dom
    assert (rp.SYNTHETIC_BANNER in run.dom) is (name == "negative")
    screenshot(path.as_uri(), ARTIFACTS / f"report_{name}.png", tmp_path)


def test_evil_report_runs_nothing(rendered: dict[str, Path], tmp_path: Path) -> None:
    path = rendered["evil"]
    html = path.read_text(encoding="utf-8")
    run = run_chromium(path.as_uri(), tmp_path)
    assert_clean(run, html)
    assert run.console == []  # alert() would have needed a script; none ran
    assert "<script" not in run.dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in run.dom
    screenshot(path.as_uri(), ARTIFACTS / "report_escaping.png", tmp_path)


def test_summary_renders_and_script_runs(rendered: dict[str, Path], tmp_path: Path) -> None:
    path = rendered["summary"]
    html = path.read_text(encoding="utf-8")
    run = run_chromium(path.as_uri(), tmp_path)
    assert_clean(run, html)
    assert run.console == []
    # the inline script ran to its end: it reveals the filter toolbar
    toolbar = re.search(r'<div class="toolbar no-print" id="toolbar"[^>]*>', run.dom)
    assert toolbar is not None and "hidden" not in toolbar.group(0)
    assert rp.SYNTHETIC_BANNER in run.dom
    screenshot(path.as_uri(), ARTIFACTS / "summary.png", tmp_path, size="1280,900")


def test_summary_sorts_in_the_browser(rendered: dict[str, Path], tmp_path: Path) -> None:
    """A test harness page frames the summary, clicks headings and records the resulting order."""
    harness = rendered["summary"].parent / "sort-harness.html"
    harness.write_text(
        """<!DOCTYPE html><html><body><pre id="out"></pre>
<iframe id="f" src="summary.html"></iframe>
<script>
window.addEventListener("load", function () {
  var doc = document.getElementById("f").contentDocument;
  var heads = doc.querySelectorAll("#samples thead th");
  function order() {
    return Array.prototype.map.call(doc.querySelectorAll("#samples tbody tr"),
      function (r) { return r.cells[0].textContent; }).join(",");
  }
  var out = [order()];
  heads[1].click(); out.push(order());   // verdict, ascending (biallelic first)
  heads[1].click(); out.push(order());   // verdict, descending
  heads[5].click(); out.push(order());   // coverage, ascending (n/a first)
  document.getElementById("out").textContent = "ORDER:" + out.join("|") + ":END";
});
</script></body></html>""",
        encoding="utf-8",
    )
    run = run_chromium(harness.as_uri(), tmp_path, extra=("--allow-file-access-from-files",))
    m = re.search(r"ORDER:(.*?):END", run.dom)
    assert m is not None, run.console
    initial, verdict_asc, verdict_desc, coverage_asc = m.group(1).split("|")
    assert initial == "HSH-001,HSH-002,HSH-003"
    assert verdict_asc == "HSH-001,HSH-002,HSH-003"  # biallelic < negative < inconclusive
    assert verdict_desc == "HSH-003,HSH-002,HSH-001"
    assert coverage_asc == "HSH-003,HSH-002,HSH-001"  # n/a, 97.3 % (two gaps), 97.3 %: stable order
    assert not [c for c in run.console if re.search(r"uncaught|error", c, re.I)]


PWNED = {  # markup that would log PWNED if it ever became a tag or a script
    "qualifying": [{"hgvs_c": '</script><script>console.log("PWNED")</script>', "hgvs_p": None, "zygosity": None}],
    "family": '<img src=x onerror=console.log("PWNED")>',
}


@pytest.fixture(scope="module")
def large_summary(demo_summary_rows: list[dict], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """summary.html of 10,000 samples (the demo's real rows with new ids); two carry hostile texts, one on
    the server-rendered first page, one only in the JSON island."""
    rows = replicated_rows(demo_summary_rows, 10_000)
    rows[3] |= PWNED
    rows[9000] |= PWNED
    out = tmp_path_factory.mktemp("large")
    outputs.write_summary(rows, out / "summary.tsv", out / "summary.html", GENERATED_ON)
    return out / "summary.html", [rp.summary_cells(r) for r in sorted(rows, key=lambda r: r["sample"])]


def test_large_summary_loads_one_page(large_summary: tuple[Path, list], tmp_path: Path) -> None:
    path, cells = large_summary
    html = path.read_text(encoding="utf-8")
    run = run_chromium(path.as_uri(), tmp_path)
    assert_clean(run, html)
    assert run.console == []
    body = re.search(r"<tbody>(.*)</tbody>", run.dom, re.S)
    assert body is not None and body.group(1).count("<tr>") == rp.PAGE_ROWS
    assert f"Rows 1\u2013{rp.PAGE_ROWS} of 10000" in run.dom
    assert re.search(r'<div class="pager" id="pager">', run.dom)  # the script ran: pager shown
    screenshot(path.as_uri(), ARTIFACTS / "summary_10000.png", tmp_path, size="1280,900")


LARGE_HARNESS = """<!DOCTYPE html><html><body><pre id="out"></pre>
<iframe id="f" src="summary.html"></iframe>
<script>
window.addEventListener("load", function () {
  var doc = document.getElementById("f").contentDocument;
  function el(id) { return doc.getElementById(id); }
  function column(i) {
    return Array.prototype.map.call(doc.querySelectorAll("#samples tbody tr"), function (r) {
      return r.cells[i].getAttribute("data-v") !== null ? r.cells[i].getAttribute("data-v") : r.cells[i].textContent;
    });
  }
  function state() { return {range: el("page-range").textContent, samples: column(0)}; }
  function filter(text) { el("filter").value = text; el("filter").dispatchEvent(new Event("input")); }
  var out = {initial: state()};
  el("page-next").click(); out.next = state();
  filter("X07777-"); out.found = state();
  filter("pwned"); out.hostile = state(); out.hostile.texts = column(2).concat(column(7));
  out.hostile.links = Array.prototype.map.call(doc.querySelectorAll("#samples tbody a"), function (a) {
    return a.getAttribute("href"); });
  out.hostile.elements = doc.querySelectorAll("#samples img, #samples script, #samples tbody *[onerror]").length;
  filter("");
  doc.querySelectorAll("#samples thead th")[1].click();  // verdict
  out.verdicts = []; out.pages = 0;
  for (;;) {
    out.verdicts = out.verdicts.concat(column(1)); out.pages++;
    if (el("page-next").disabled) { break; }
    el("page-next").click();
  }
  out.last = el("page-range").textContent;
  document.getElementById("out").textContent = "RESULT:" + JSON.stringify(out) + ":END";
});
</script></body></html>"""


def test_large_summary_pages_filters_and_sorts_all_rows(large_summary: tuple[Path, list], tmp_path: Path) -> None:
    """A harness page frames the 10,000-sample summary, pages, filters and sorts it, and records the table."""
    path, cells = large_summary
    samples = [c[0].text for c in cells]
    harness = path.parent / "large-harness.html"
    harness.write_text(LARGE_HARNESS, encoding="utf-8")
    run = run_chromium(harness.as_uri(), tmp_path, extra=("--allow-file-access-from-files",))
    m = re.search(r"RESULT:(.*?):END", run.dom, re.S)
    assert m is not None, run.console
    out = json.loads(htmllib.unescape(m.group(1)))
    assert out["initial"] == {"range": f"Rows 1\u2013{rp.PAGE_ROWS} of 10000", "samples": samples[: rp.PAGE_ROWS]}
    assert out["next"] == {"range": "Rows 501\u20131000 of 10000", "samples": samples[500:1000]}
    assert out["found"] == {"range": "Rows 1\u20131 of 1", "samples": [samples[7777]]}  # found from page 2
    hostile = out["hostile"]
    assert hostile["samples"] == [samples[3], samples[9000]] and hostile["range"] == "Rows 1\u20132 of 2"
    assert hostile["texts"] == [PWNED["qualifying"][0]["hgvs_c"]] * 2 + [PWNED["family"]] * 2  # text, inert
    assert hostile["links"] == [rp.report_href(samples[3]), rp.report_href(samples[9000])]
    assert hostile["elements"] == 0
    assert out["pages"] == 20 and out["last"] == "Rows 9501\u201310000 of 10000"
    ranks = [int(v) for v in out["verdicts"]]
    assert ranks == sorted(int(c[1].key) for c in cells)  # sorted across all 10,000 rows, not one page
    assert not [c for c in run.console if "PWNED" in c or re.search(r"uncaught|error", c, re.I)], run.console


def test_sample_report_prints(rendered: dict[str, Path], tmp_path: Path) -> None:
    pdf = print_pdf(rendered["biallelic"].as_uri(), ARTIFACTS / "report_biallelic.pdf", tmp_path)
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    assert len(pages) >= 2  # a real multi-page A4 document, not one long screen page


def test_artifacts_dir_is_ignored() -> None:
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/test-artifacts/" in gitignore.split() or "test-artifacts/" in gitignore.split()
