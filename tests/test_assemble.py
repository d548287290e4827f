"""assemble: a change's report fields are made once per change and shared by the reports of a batch."""

from __future__ import annotations


def test_change_fields_follow_the_change_not_the_allele(cache38, ctx_factory, tmp_path):
    """The same two alleles, in cis in one sample (one in-frame change) and unphased in another of the same batch
    (two frameshifts): each sample's variants carry their own change's rule, criteria and haplotype."""
    from conftest import run_inprocess, write_vcf

    e = cache38.transcript.exons[25]  # exon 26, coding
    d = e.start + 400
    i = d + 9
    alleles = [(d, cache38.fetch(d, d + 1), cache38.fetch(d, d)), (i, cache38.fetch(i, i), cache38.fetch(i, i) + "A")]
    recs = [f"chr9 {p} . {r} {a} 50 PASS . GT:DP:GQ:PS 0|1:30:60:7 0/1:31:61:." for p, r, a in alleles]
    vcf = write_vcf(tmp_path / "two.vcf", recs, samples=("CIS", "APART"))
    reps = run_inprocess(tmp_path, ctx_factory, f"sample\tvcf\nCIS\t{vcf}\nAPART\t{vcf}\n")
    cis, apart = reps["CIS"]["variants"], reps["APART"]["variants"]
    assert [v["pos"] for v in cis] == [v["pos"] for v in apart]
    for v in cis:
        assert v["haplotype"]["members"] == [f"chr9:{p}:{r}:{a}" for p, r, a in alleles]
        assert "[combined change in cis: " in v["classification_rule"]
        assert "PVS1" not in [c["code"] for c in v["criteria"]]
    for v in apart:
        assert v["haplotype"] is None and "combined change in cis" not in v["classification_rule"]
        assert "PVS1" in [c["code"] for c in v["criteria"]] and v["classification"] != cis[0]["classification"]
    assert reps["CIS"]["verdict"] == "negative" and reps["APART"]["verdict"] == "possible_compound_heterozygous"
