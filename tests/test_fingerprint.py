"""The input fingerprint (provenance.inputs_fingerprint): changes with what was read, size or mtime."""

import hashlib
import os
import shutil

from hshpipe.reference import reference_key
from hshpipe.vcfio import file_sha256, input_fingerprint


def test_fingerprint_follows_region_header_index_and_mtime(tmp_path):
    vcf = tmp_path / "a.vcf.gz"
    vcf.write_bytes(b"\x1f\x8b" + b"x" * 1000)
    (tmp_path / "a.vcf.gz.tbi").write_bytes(b"index")
    region = hashlib.sha256(b"tabix\0chr9\t1\n")
    fp = input_fingerprint(vcf, "##h\n", region)
    assert fp == input_fingerprint(vcf, "##h\n", region.copy())
    assert fp != input_fingerprint(vcf, "##other\n", region)
    assert fp != input_fingerprint(vcf, "##h\n", hashlib.sha256(b"tabix\0chr9\t2\n"))
    (tmp_path / "a.vcf.gz.tbi").write_bytes(b"index2")
    assert fp != input_fingerprint(vcf, "##h\n", region)
    st = vcf.stat()
    os.utime(vcf, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert input_fingerprint(vcf, "##h\n", region) != fp


def test_fingerprint_without_index_covers_the_whole_file(tmp_path):
    a, b = tmp_path / "a.vcf", tmp_path / "b.vcf"
    a.write_bytes(b"#h\n" + b"1" * 100_000)
    shutil.copy2(a, b)
    with open(b, "r+b") as fh:  # same size and mtime, a change past the first 64 KiB
        fh.seek(90_000)
        fh.write(b"2")
    os.utime(b, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))
    assert input_fingerprint(a, whole_sha256=file_sha256(a)) != input_fingerprint(b, whole_sha256=file_sha256(b))
    assert file_sha256(a) == hashlib.sha256(a.read_bytes()).hexdigest()


def test_reference_key_changes_with_the_reference(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr9\nACGT\n")
    k = reference_key(fa, "auto", "1.0")
    assert k == reference_key(fa, "auto", "1.0")
    assert k != reference_key(fa, "GRCh38", "1.0") != reference_key(fa, "auto", "1.1")
    (tmp_path / "ref.fa.fai").write_text("chr9\t4\t6\t4\t5\n")
    assert reference_key(fa, "auto", "1.0") != k


def test_auto_identity_hashes_small_inputs_whole_and_large_ones_by_fingerprint(ctx_factory, tmp_path, monkeypatch):
    """input_identity auto (the default): a demo VCF gets its whole-file SHA-256 (the contract's inputs_sha256)
    besides the fingerprint; above the size limit only the fingerprint, and the report says so."""
    from conftest import ROOT, run_inprocess

    from hshpipe import pipeline

    vcf = ROOT / "resources/demo/vcf/HSH01.bcftools.vcf.gz"
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
    rep = run_inprocess(tmp_path / "a", ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]["provenance"]
    assert rep["inputs_sha256"]["vcf"] == file_sha256(vcf) == hashlib.sha256(vcf.read_bytes()).hexdigest()
    assert rep["inputs_identified_by"] == "sha256" and rep["inputs_fingerprint"]["vcf"]
    monkeypatch.setattr(pipeline, "SHA256_AUTO_MAX_BYTES", 100)
    rep = run_inprocess(tmp_path / "b", ctx_factory, f"sample\tvcf\nS1\t{vcf}\n")["S1"]["provenance"]
    assert rep["inputs_sha256"]["vcf"] is None and rep["inputs_identified_by"] == "fingerprint"


def test_auto_identity_is_decided_once_per_input(ctx_factory, tmp_path, monkeypatch):
    """RunContext.hashes looks at an input's size once per batch: the provenance of every sample of one VCF says
    the same, and each further question costs no stat (which hands the GIL to the hashing thread)."""
    import os

    ctx = ctx_factory(tmp_path)
    vcf = tmp_path / "in.vcf.gz"
    vcf.write_bytes(b"x" * 10)
    sizes = []
    real = os.path.getsize
    monkeypatch.setattr(os.path, "getsize", lambda p: sizes.append(p) or real(p))
    assert ctx.hashes(str(vcf)) and ctx.hashes(str(vcf)) and ctx.sha256(str(vcf)) == file_sha256(vcf)
    assert sizes == [str(vcf)]
