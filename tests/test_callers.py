"""Genotypes as each common caller writes them: small files built from the caller's real header lines and record
style (tool and version named in each case), run through the pipeline, with the expected verdict.

docs/inputs.md holds the table caller -> fields used -> what happens."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import run_inprocess as run
from test_bad_inputs import lof

from hshpipe.errors import InputError

CURATED = (74762384, "G", "T")  # c.4287C>A p.(Cys1429Ter), pathogenic in the curated table (demo HSH01)
BAM04 = ROOT / "resources/demo/bam/HSH04.bam"  # covers TRPM6 (demo HSH04, negative)

GATK4 = """##FILTER=<ID=LowQual,Description="Low quality">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=PGT,Number=1,Type=String,Description="Physical phasing haplotype information, describing how the alternate alleles are phased in relation to one another; will always be heterozygous and is not intended to describe called alleles">
##FORMAT=<ID=PID,Number=1,Type=String,Description="Physical phasing ID information, where each unique ID within a given sample (but not across samples) connects records within a phasing group">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Normalized, Phred-scaled likelihoods for genotypes as defined in the VCF specification">
##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phasing set (typically the position of the first variant in the set)">
##GATKCommandLine=<ID=HaplotypeCaller,CommandLine="HaplotypeCaller --output S1.vcf.gz --input S1.bam --reference Homo_sapiens_assembly38.fasta",Version="4.2.6.1",Date="March 3, 2023 10:12:44 AM GMT">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may have been filtered">
##INFO=<ID=QD,Number=1,Type=Float,Description="Variant Confidence/Quality by Depth">
##source=HaplotypeCaller"""
GATK34_AD = GATK4.replace('Number=R,Type=Integer,Description="Allelic', 'Number=.,Type=Integer,Description="Allelic')
STRELKA2 = """##source=strelka
##source_version=2.9.10
##FILTER=<ID=LowGQX,Description="Locus GQX is below threshold or not present">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=GQX,Number=1,Type=Integer,Description="Empirically calibrated genotype quality score for variant sites, otherwise minimum of {Genotype quality assuming variant position,Genotype quality assuming non-variant position}">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Filtered basecall depth used for site genotyping. In a non-variant multi-site block this value represents the average of all sites in the block.">
##FORMAT=<ID=DPF,Number=1,Type=Integer,Description="Basecalls filtered from input prior to site genotyping. In a non-variant multi-site block this value represents the average of all sites in the block.">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed. For indels this value only includes reads which confidently support each allele (posterior prob 0.51 or higher that read contains indicated allele vs all other intersecting indel alleles)">
##FORMAT=<ID=FT,Number=1,Type=String,Description="Sample filter, 'PASS' indicates that all filters have passed for this sample">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Normalized, Phred-scaled likelihoods for genotypes as defined in the VCF specification">
##INFO=<ID=SNVHPOL,Number=1,Type=Integer,Description="SNV contextual homopolymer length">
##INFO=<ID=MQ,Number=1,Type=Integer,Description="RMS of mapping quality">"""
PLATYPUS = """##source=Platypus_Version_0.8.1
##FILTER=<ID=Q20,Description="Variant quality is below 20.">
##INFO=<ID=TC,Number=1,Type=Integer,Description="Total coverage at this locus">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Unphased genotypes">
##FORMAT=<ID=GQ,Number=.,Type=Integer,Description="Genotype quality as phred score">
##FORMAT=<ID=GOF,Number=.,Type=Float,Description="Goodness of fit value">
##FORMAT=<ID=NR,Number=.,Type=Integer,Description="Number of reads covering variant location in this sample">
##FORMAT=<ID=GL,Number=.,Type=Float,Description="Genotype log10-likelihoods for AA,AB and BB genotypes, where A = ref and B = variant. Only applicable for bi-allelic sites">
##FORMAT=<ID=NV,Number=.,Type=Integer,Description="Number of reads containing variant in this sample">"""
VARSCAN2 = """##source=VarScan2
##INFO=<ID=ADP,Number=1,Type=Integer,Description="Average per-sample depth of bases with Phred score >= 15">
##FILTER=<ID=str10,Description="Less than 10% or more than 90% of variant supporting reads on one strand">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=SDP,Number=1,Type=Integer,Description="Raw Read Depth as reported by SAMtools">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Quality Read Depth of bases with Phred score >= 15">
##FORMAT=<ID=RD,Number=1,Type=Integer,Description="Depth of reference-supporting bases (reads1)">
##FORMAT=<ID=AD,Number=1,Type=Integer,Description="Depth of variant-supporting bases (reads2)">
##FORMAT=<ID=FREQ,Number=1,Type=String,Description="Variant allele frequency">
##FORMAT=<ID=PVAL,Number=1,Type=String,Description="P-value from Fisher's Exact Test">"""
FREEBAYES = """##source=freeBayes v1.3.6
##INFO=<ID=DP,Number=1,Type=Integer,Description="Total read depth at the locus">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GL,Number=G,Type=Float,Description="Genotype Likelihood, log10-scaled likelihoods of the data given the called genotype for each possible genotype generated from the reference and alternate alleles given the sample ploidy">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Number of observation for each allele">
##FORMAT=<ID=RO,Number=1,Type=Integer,Description="Reference allele observation count">
##FORMAT=<ID=QR,Number=1,Type=Integer,Description="Sum of quality of the reference observations">
##FORMAT=<ID=AO,Number=A,Type=Integer,Description="Alternate allele observation count">
##FORMAT=<ID=QA,Number=A,Type=Integer,Description="Sum of quality of the alternate observations">"""
GCNV = """##ALT=<ID=DEL,Description="Deletion">
##ALT=<ID=DUP,Description="Duplication">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Copy number">
##FORMAT=<ID=GT,Number=1,Type=Integer,Description="Genotype">
##FORMAT=<ID=NP,Number=1,Type=Integer,Description="Number of points (i.e. targets or bins) in the segment">
##FORMAT=<ID=QA,Number=1,Type=Integer,Description="Complementary Phred-scaled probability that all points (i.e. targets or bins) in the segment agree with the segment copy-number call">
##FORMAT=<ID=QS,Number=1,Type=Integer,Description="Complementary Phred-scaled probability that at least one point (i.e. target or bin) in the segment agrees with the segment copy-number call">
##FORMAT=<ID=QSE,Number=1,Type=Integer,Description="Complementary Phred-scaled probability that the segment end position is a genuine copy-number changepoint">
##FORMAT=<ID=QSS,Number=1,Type=Integer,Description="Complementary Phred-scaled probability that the segment start position is a genuine copy-number changepoint">
##GATKCommandLine=<ID=PostprocessGermlineCNVCalls,CommandLine="PostprocessGermlineCNVCalls --output-genotyped-segments S1.segments.vcf.gz",Version="4.2.6.1",Date="March 3, 2023">
##INFO=<ID=END,Number=1,Type=Integer,Description="End coordinate of the variant">"""
DELLY = """##source=delly
##ALT=<ID=CNV,Description="copy-number variants">
##FILTER=<ID=LowQual,Description="Poor quality and insufficient number of PEs and SRs.">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the structural variant">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=IMPRECISE,Number=0,Type=Flag,Description="Imprecise structural variation">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=FT,Number=1,Type=String,Description="Per-sample genotype filter">
##FORMAT=<ID=RDCN,Number=1,Type=Integer,Description="Read-depth based copy-number estimate for autosomal sites">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Read-depth based integer copy-number">"""
MANTA = """##source=GenerateSVCandidates 1.6.0
##ALT=<ID=DEL,Description="Deletion">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant described in this record">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">
##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Difference in length between REF and ALT alleles">
##FORMAT=<ID=FT,Number=1,Type=String,Description="Sample filter, 'PASS' indicates that all filters have passed for this sample">
##FORMAT=<ID=PR,Number=.,Type=Integer,Description="Spanning paired-read support for the ref and alt alleles in the order listed">
##FORMAT=<ID=SR,Number=.,Type=Integer,Description="Split reads for the ref and alt alleles in the order listed, for reads where P(allele|read)>0.999">"""
WHATSHAP = """##FORMAT=<ID=HP,Number=.,Type=String,Description="Phasing haplotype identifier">
##commandline="(whatshap 1.7) whatshap phase --tag=HP -o phased.vcf --reference=ref.fa input.vcf S1.bam\""""
PS_STRING = """##FORMAT=<ID=PS,Number=1,Type=String,Description="Phase set">"""


def caller_vcf(path: Path, header: str, records: list[str], samples=("S1",)) -> Path:
    """A VCF of one caller's header lines and records (fields separated by spaces in `records`)."""
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=chr9,length=138394717>", header.strip()]
    if "ID=GT," not in header:
        lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]))
    path.write_text("\n".join(lines + ["\t".join(r.split()) for r in records]) + "\n")
    return path


def one(tmp: Path, ctx_factory, vcf: Path, aln: Path | None = None) -> dict:
    sheet = f"sample\tvcf\talignments\nS1\t{vcf}\t{aln or ''}\n"
    return run(tmp, ctx_factory, sheet)["S1"]


def frameshift_site(cache) -> tuple[int, str, str, str]:
    """A coding position where deleting 1 or 2 bases shifts the frame (left-alignment keeps both frameshifts)."""
    t = cache.transcript
    pos = t.exons[15].start + 20
    ref = cache.fetch(pos, pos + 2)
    return pos, ref, ref[0], ref[:2]


# --- small-variant callers ---------------------------------------------------------------------------------


def test_gatk4_1_2_two_frameshifts_are_biallelic(cache38, ctx_factory, tmp_path):
    """GATK HaplotypeCaller 4.2.6.1: GT:AD 1/2:1,17,18 of two frameshifts: in trans by construction."""
    pos, ref, a1, a2 = frameshift_site(cache38)
    rec = (
        f"chr9 {pos} . {ref} {a1},{a2} 812.6 PASS DP=36;QD=22.5 GT:AD:DP:GQ:PL 1/2:1,17,18:36:99:850,420,400,430,0,410"
    )
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "gatk.vcf", GATK4, [rec]))
    assert rep["verdict"] == "biallelic", rep["verdict_text"]
    assert [v["qc"]["allele_balance"] for v in rep["variants"]] == [pytest.approx(17 / 36, abs=1e-3), 0.5]
    assert all(v["qc_pass"] and v["phase_source"].startswith("GT 1/2") for v in rep["variants"])


def test_gatk34_legacy_ad_number_dot_with_0_2(cache38, ctx_factory, tmp_path):
    """GATK 3.4 declared AD Number=.: bcftools leaves it whole; allele 2 reads its own count (11 of 23)."""
    pos, ref, alt = CURATED
    other = "A" if alt != "A" else "C"
    rec = f"chr9 {pos} . {ref} {other},{alt} 300 PASS DP=23 GT:AD:DP:GQ:PL 0/2:12,0,11:23:99:300,330,700,0,300,320"
    vcf = caller_vcf(tmp_path / "gatk34.vcf", GATK34_AD.replace("4.2.6.1", "3.4-46-gbc02625"), [rec])
    rep = one(tmp_path, ctx_factory, vcf)
    (v,) = rep["variants"]
    assert v["alt"] == alt and v["qc"]["allele_balance"] == pytest.approx(11 / 23, abs=1e-3) and v["qc_pass"]
    assert rep["verdict"] == "monoallelic"


def test_strelka2_sample_filter_ft_fails_the_call(cache38, ctx_factory, tmp_path):
    """Strelka2 2.9.10: FILTER PASS but FT=LowGQX on a 1/1 call: not biallelic."""
    pos, ref, alt = CURATED
    rec = (
        f"chr9 {pos} . {ref} {alt} 25 PASS SNVHPOL=2;MQ=60 GT:GQ:GQX:DP:DPF:AD:FT:PL 1/1:60:8:30:0:0,30:LowGQX:60,40,0"
    )
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "strelka.vcf", STRELKA2, [rec]))
    assert rep["verdict"] == "inconclusive" and rep["variants"][0]["qc_flags"][0] == "FT:LowGQX"
    assert "FT" in rep["variants"][0]["qc"]["fields_used"]


def test_platypus_nr_nv_depth(cache38, ctx_factory, tmp_path):
    """Platypus 0.8.1 writes no DP: NR=8 reads is below the depth minimum."""
    pos, ref, alt = CURATED
    rec = f"chr9 {pos} . {ref} {alt} 120 PASS TC=8 GT:GL:GOF:GQ:NR:NV 1/1:-60.0,-5.0,0.0:3:99:8:8"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "platypus.vcf", PLATYPUS, [rec]))
    assert rep["verdict"] == "inconclusive"
    assert "DP<10 (8 reads from NR/NV)" in rep["variants"][0]["qc_flags"]


def test_varscan2_rd_ad_allele_balance(cache38, ctx_factory, tmp_path):
    """VarScan 2.4.4 mpileup2cns: RD + AD (Number=1); 4 of 44 reads is not a heterozygous call."""
    pos, ref, alt = CURATED
    rec = f"chr9 {pos} . {ref} {alt} . PASS ADP=44 GT:GQ:SDP:DP:RD:AD:FREQ:PVAL 0/1:26:44:44:40:4:9.09%:2.2E-3"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "varscan.vcf", VARSCAN2, [rec]))
    assert rep["verdict"] == "inconclusive"
    assert rep["variants"][0]["qc_flags"][0].startswith("AB=0.09")


def test_freebayes_low_qual_without_gq(cache38, ctx_factory, tmp_path):
    """FreeBayes 1.3.6 writes no GQ: QUAL 0.5 and 1.2 calls must not make a possible compound heterozygote."""
    p1, r1, a1 = CURATED
    p2, r2, a2 = lof(cache38)
    recs = [
        f"chr9 {p} . {r} {a} {q} . DP=20 GT:GL:DP:AD:RO:QR:AO:QA 0/1:-1,0,-1:20:10,10:10:380:10:390"
        for p, r, a, q in sorted([(p1, r1, a1, 0.5), (p2, r2, a2, 1.2)])
    ]
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "fb.vcf", FREEBAYES, recs))
    assert rep["verdict"] == "inconclusive"
    assert all(any(f.startswith("QUAL<20") for f in v["qc_flags"]) for v in rep["variants"])


def test_freebayes_floats_are_reported_as_written(cache38, ctx_factory, tmp_path):
    """VCF Floats are 32-bit in htslib: QUAL 264.507 and AF=0.166667 (FreeBayes 1.3.6, as in the demo's joint
    VCF) are reported as the caller wrote them, not as the doubles they widen to (264.50698852539062,
    0.16666699945926666), in report.json and in the TSV."""
    from hshpipe.report import sample_tsv

    pos, ref, alt = CURATED
    header = FREEBAYES + (
        '\n##INFO=<ID=AF,Number=A,Type=Float,Description="Estimated allele frequency in the range (0,1]">'
    )
    rec = f"chr9 {pos} . {ref} {alt} 264.507 . AF=0.166667;DP=47 GT:GL:DP:AD:RO:QR:AO:QA 0/1:-32.8,0,-37.8:47:25,22:25:575:22:520"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "fb.vcf", header, [rec]))
    v = rep["variants"][0]
    assert v["qc"]["qual"] == 264.507
    assert v["info"] == {"AF": "0.166667", "DP": "47"}
    assert "\tAF=0.166667;DP=47\t" in sample_tsv(rep)


def test_gt_only_call_is_review_not_pass(cache38, ctx_factory, tmp_path):
    """GT only, QUAL '.', as left by `bcftools annotate -x ^FORMAT/GT` (bcftools 1.17): review, not biallelic."""
    pos, ref, alt = CURATED
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "gt.vcf", "", [f"chr9 {pos} . {ref} {alt} . . . GT 1/1"]))
    (v,) = rep["variants"]
    assert v["qc"]["state"] == "review" and not v["qc_pass"] and rep["verdict"] == "inconclusive"


# --- copy number and hemizygosity ---------------------------------------------------------------------------


@pytest.mark.parametrize("cn,verdict", [(1, "monoallelic"), (0, "biallelic")])
def test_gcnv_integer_gt_and_haploid_cn(cn, verdict, cache38, ctx_factory, tmp_path):
    """GATK gCNV 4.2.6.1 (PostprocessGermlineCNVCalls): GT Type=Integer, haploid GT 1 with CN: CN=1 is one copy
    lost (heterozygous deletion), CN=0 both."""
    t = cache38.transcript
    s, e = t.start - 1000, t.end + 1000
    rec = f"chr9 {s} CNV_chr9_{s}_{e} N <DEL>,<DUP> . . END={e} GT:CN:NP:QA:QS:QSE:QSS 1:{cn}:80:90:300:60:70"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "gcnv.vcf", GCNV, [rec]))
    assert rep["verdict"] == verdict, rep["verdict_text"]
    assert rep["variants"][0]["qc"]["cn"] == cn and "QS" in rep["variants"][0]["qc"]["fields_used"]


def test_delly_cnv_copy_number_zero(cache38, ctx_factory, tmp_path):
    """Delly 1.1.6 `delly cnv`: <CNV> with CN=0 is a homozygous deletion."""
    t = cache38.transcript
    s, e = t.start - 1000, t.end + 1000
    rec = f"chr9 {s} CNV00000001 N <CNV> 10000 PASS SVTYPE=CNV;END={e};IMPRECISE GT:GQ:FT:RDCN:CN 1/1:140:PASS:0:0"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "delly.vcf", DELLY, [rec]))
    assert rep["verdict"] == "biallelic" and rep["variants"][0]["alt"] == "<DEL>"


@pytest.mark.parametrize("snv_gt,zygosity,state", [("1/1", "hemizygous", "pass"), ("0/1", "heterozygous", "review")])
def test_snv_inside_manta_deletion(snv_gt, zygosity, state, cache38, ctx_factory, tmp_path):
    """GATK 4.2.6.1 SNV + Manta 1.6.0 heterozygous <DEL> of the same sample (bcftools concat of both): a
    homozygous SNV there is hemizygous; a heterozygous one contradicts the deletion."""
    pos, ref, alt = CURATED
    ad = "0,30" if snv_gt == "1/1" else "15,15"
    recs = [
        f"chr9 {pos - 400} MantaDEL:1:0:1:0:0:0 N <DEL> 300 PASS END={pos + 400};SVTYPE=DEL;SVLEN=-800 "
        "GT:FT:GQ:PL:PR:SR 0/1:PASS:300:350,0,400:20,15:10,8",
        f"chr9 {pos} . {ref} {alt} 900 PASS DP=30 GT:AD:DP:GQ:PL {snv_gt}:{ad}:30:90:900,90,0",
    ]
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "merged.vcf", GATK4 + "\n" + MANTA, recs))
    snv = next(v for v in rep["variants"] if v["alt"] == alt)
    assert (snv["zygosity"], snv["qc"]["state"]) == (zygosity, state)
    if state == "pass":
        assert rep["verdict"] == "biallelic" and "hemizygous" in rep["verdict_text"]


# --- phase --------------------------------------------------------------------------------------------------


def _pair(cache) -> list[tuple[int, str, str]]:
    return sorted([CURATED, lof(cache)])


def test_whatshap_hp_cis_pair_is_monoallelic(cache38, ctx_factory, tmp_path):
    """WhatsHap 1.7 `--tag=HP`: both ALTs on haplotype 2 of block 74700000: in cis."""
    recs = [
        f"chr9 {p} . {r} {a} 500 PASS DP=30 GT:AD:DP:GQ:HP 0/1:15,15:30:99:74700000-1,74700000-2"
        for p, r, a in _pair(cache38)
    ]
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "wh.vcf", GATK4 + "\n" + WHATSHAP, recs))
    assert rep["verdict"] == "monoallelic" and all(v["phase_source"] == "HP (WhatsHap)" for v in rep["variants"])


def test_ps_declared_string_trans_pair(cache38, ctx_factory, tmp_path):
    """PS declared Type=String (a read-backed phaser's output): no internal error, the pair is in trans."""
    (p1, r1, a1), (p2, r2, a2) = _pair(cache38)
    recs = [
        f"chr9 {p1} . {r1} {a1} 500 PASS . GT:AD:DP:GQ:PS 0|1:15,15:30:99:block7",
        f"chr9 {p2} . {r2} {a2} 500 PASS . GT:AD:DP:GQ:PS 1|0:15,15:30:99:block7",
    ]
    header = GATK4.replace(
        '##FORMAT=<ID=PS,Number=1,Type=Integer,Description="Phasing set (typically the position of the first variant in the set)">',
        PS_STRING,
    )
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "ps.vcf", header, recs))
    assert rep["verdict"] == "biallelic" and {v["phase_set"] for v in rep["variants"]} == {"block7"}


def test_gatk_pgt_pid_trans_pair(cache38, ctx_factory, tmp_path):
    """GATK HaplotypeCaller 4.2.6.1 physical phasing: unphased GT, PGT 0|1 and 1|0 in one PID: in trans."""
    (p1, r1, a1), (p2, r2, a2) = _pair(cache38)
    pid = f"{p1}_{r1}_{a1}"
    recs = [
        f"chr9 {p1} . {r1} {a1} 500 PASS DP=30 GT:AD:DP:GQ:PGT:PID:PL 0/1:15,15:30:99:0|1:{pid}:500,0,500",
        f"chr9 {p2} . {r2} {a2} 500 PASS DP=30 GT:AD:DP:GQ:PGT:PID:PL 0/1:15,15:30:99:1|0:{pid}:500,0,500",
    ]
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "pgt.vcf", GATK4, recs))
    assert rep["verdict"] == "biallelic" and all(v["phase_source"] == "PGT/PID (GATK)" for v in rep["variants"])


# --- absence at curated sites, REF mismatch, undeclared keys, empty VCFs ------------------------------------


@pytest.mark.parametrize("call", ["./.:.:.:.", "0/0:3,0:3:9"])
def test_unsure_call_at_curated_site_is_named(call, cache38, ctx_factory, tmp_path):
    """GATK 4.2.6.1 all-sites output: a no-call, or 0/0 at depth 3, at c.4287C>A is not a negative."""
    pos, ref, alt = CURATED
    p2, r2, a2 = lof(cache38)
    recs = sorted(
        [
            f"chr9 {pos} . {ref} {alt} 50 PASS . GT:AD:DP:GQ {call}",
            f"chr9 {p2} . {r2} {a2} 50 PASS . GT:AD:DP:GQ 0/0:30,0:30:90",
        ],
        key=lambda r: int(r.split()[1]),
    )
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "site.vcf", GATK4, recs))
    assert rep["verdict"] == "negative" and "c.4287C>A" in rep["verdict_text"]
    assert rep["sample_qc"]["curated_sites_not_called"]
    from hshpipe.report import summary_row

    assert summary_row(rep)["qc_state"] == "review"


def test_ref_mismatch_makes_the_sample_inconclusive(cache38, ctx_factory, tmp_path):
    pos, ref, alt = lof(cache38)
    wrong = "G" if ref != "G" else "T"
    rec = f"chr9 {pos} . {wrong} {alt if alt != wrong else 'C'} 500 PASS . GT:AD:DP:GQ 0/1:15,15:30:99"
    rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "ref.vcf", GATK4, [rec]))
    assert rep["verdict"] == "inconclusive" and f"chr9:{pos}" in rep["verdict_text"]


def test_undeclared_info_and_format_keys_are_read_with_a_warning(cache38, ctx_factory, tmp_path, caplog):
    pos, ref, alt = CURATED
    rec = f"chr9 {pos} . {ref} {alt} 500 PASS DP=30;FOO=1 GT:AD:DP:GQ:XX 0/1:15,15:30:99:7"
    with caplog.at_level(logging.WARNING):
        rep = one(tmp_path, ctx_factory, caller_vcf(tmp_path / "undecl.vcf", GATK4, [rec]))
    assert rep["verdict"] == "monoallelic"
    assert "INFO/FOO" in caplog.text and "FORMAT/XX" in caplog.text


def test_empty_vcf_with_alignments_is_a_valid_negative(cache38, ctx_factory, tmp_path):
    """A variant-only VCF with no records, and the sample's alignments covering TRPM6."""
    vcf = caller_vcf(tmp_path / "empty.vcf", GATK4, [])
    rep = one(tmp_path, ctx_factory, vcf, BAM04)
    assert rep["verdict"] == "negative" and rep["coverage"] is not None
    (tmp_path / "b").mkdir()
    with pytest.raises(InputError, match="empty.vcf: the VCF has a header but no records"):
        one(tmp_path / "b", ctx_factory, vcf)
