"""Per-variant report text (report_rows): the change's text memoised on a key that fully determines it, the
call's cells per sample, escaping; atomic writes."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from test_report import GENERATED_ON, biallelic_report

from hshpipe import outputs
from hshpipe import report as rp
from hshpipe import report_rows as rr


def _vus() -> dict[str, Any]:
    return next(v for v in biallelic_report()["variants"] if v["classification"] == "uncertain_significance")


def test_same_change_in_two_samples_shares_the_change_text_only() -> None:
    a, b = _vus(), _vus()
    b["genotype"], b["zygosity"], b["qc"]["dp"], b["info"] = "1/1", "homozygous", 77, {"DP": "77"}
    assert rr.change_key(a) == rr.change_key(b)
    ta, tb = rr.variant_text(a), rr.variant_text(b)
    assert ta != tb
    assert "(1/1)" in tb.html and "DP 77" in tb.html and "\t1/1\thomozygous\t" in tb.tsv
    assert "(0/1)" in ta.html


def test_change_key_keeps_apart_what_prints_differently() -> None:
    base = _vus()
    keys = set()
    for points in (1, 1.0, True, None):
        v = copy.deepcopy(base)
        v["points"] = points
        keys.add(rr.change_key(v))
    assert len(keys) == 4
    other = copy.deepcopy(base)
    other["classification"] = "likely_benign"
    assert rr.change_key(other) != rr.change_key(base)


def test_call_text_keeps_apart_what_prints_differently() -> None:
    """The call's memoised cells are what a fresh computation gives: values equal in Python but printed
    differently (1 / 1.0 / True, a missing FILTER / None) do not share an entry; the call's own depth, GQ,
    allele balance and INFO are made per call."""
    base = _vus()
    variants = []
    for phase_set in (1, 1.0, True, None):
        v = copy.deepcopy(base)
        v["phased"], v["phase_set"] = True, phase_set
        variants.append(v)
    missing, none = copy.deepcopy(base), copy.deepcopy(base)
    del missing["qc"]["filter"]
    none["qc"]["filter"] = None
    other = copy.deepcopy(base)
    other["qc"]["dp"], other["qc"]["gq"], other["qc"]["allele_balance"], other["info"] = 7, 3, 0.125, {"DP": "7"}
    variants += [missing, none, other, base]
    memoised = [rr.variant_text(v) for v in variants]
    fresh = []
    for v in variants:
        rr.call_text.cache_clear()
        fresh.append(rr.variant_text(v))
    assert memoised == fresh
    assert len({t.html for t in memoised[:4]}) == 4 and memoised[4].html != memoised[5].html
    assert "DP 7 &middot; GQ 3 &middot; AB 0.12" in memoised[6].html and "\t7\t3\t0.125\t" in memoised[6].tsv


def test_variant_strings_are_escaped_once() -> None:
    v = _vus()
    v["info"] = {"X<b>": "a&b"}
    v["qc"]["filter"] = "q<10"
    v["genotype"] = "0/1<i>"
    html = rr.variant_text(v).html
    assert "X&lt;b&gt;=a&amp;b" in html and "q&lt;10" in html and "(0/1&lt;i&gt;)" in html
    assert "&amp;lt;" not in html and "<b>" not in html


def test_sample_files_agree_with_the_standalone_functions() -> None:
    rep = biallelic_report()
    texts = rp.variant_texts(rep)
    assert rp.sample_tsv(rep, texts) == rp.sample_tsv(rep)
    assert rp.sample_html(rep, GENERATED_ON, texts) == rp.sample_html(rep, GENERATED_ON)


def test_atomic_write_mode_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "d" / "x.json"
    stale = target.parent / f".x.json.{os.getpid()}.part"
    target.parent.mkdir()
    stale.write_text("stale")
    stale.chmod(0o600)
    outputs.atomic_write(target, "é\n")
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_bytes() == "é\n".encode()
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_atomic_write_never_writes_through_a_stale_part(tmp_path: Path) -> None:
    """A `.part` left as a symlink (or any stale file) is replaced, never opened: its target stays as it was."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    outside.chmod(0o600)
    target = tmp_path / "d" / "x.json"
    target.parent.mkdir()
    (target.parent / f".x.json.{os.getpid()}.part").symlink_to(outside)
    outputs.atomic_write(target, "new\n")
    assert outside.read_text() == "keep" and outside.stat().st_mode & 0o777 == 0o600
    assert not target.is_symlink() and target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_atomic_write_makes_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.tsv"
    outputs.atomic_write(target, "x\n")
    assert target.read_text() == "x\n"


def test_templates_name_no_dict_method() -> None:
    """report._ViewEnvironment reads a view dict's key before its attribute: the same value only while no template
    writes `x.items`, `x.get`, ... (a dict method's name)."""
    import re

    methods = "|".join(name for name in dir(dict) if not name.startswith("_"))
    pattern = re.compile(rf"\.({methods})\b")
    for path in rp.TEMPLATE_DIR.glob("*.html"):
        for block in re.findall(r"{[{%](.*?)[}%]}", path.read_text(encoding="utf-8"), re.S):
            assert not pattern.search(block), (path.name, block)
