"""Evidence files (hshpipe.evidence): gnomAD sites VCF (v2/v3/v4 INFO names), SpliceAI VCF and REVEL scores,
written here in their real formats on the synthetic stand-in references."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from hshpipe.acmg import combine
from hshpipe.errors import InputError
from hshpipe.evidence import EvidenceSources, filtering_af
from hshpipe.evidence.files import trim
from hshpipe.evidence.population import PopulationRecord, population_evidence
from hshpipe.evidence.predictors import RevelScore, SpliceScore, predictor_evidence
from hshpipe.model import Variant
from hshpipe.settings import HSH_MAX_CREDIBLE_AF, EvidenceSettings, settings_json
from hshpipe.vocab import BENIGN

LEN38, LEN37 = 138_394_717, 141_213_431
OFFSET37 = 2_614_916  # the GRCh37 stand-in = GRCh38 stand-in + offset over TRPM6
S = EvidenceSettings()

GNOMAD_V4 = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=AC0,Description="Allele count is zero after filtering out low-confidence genotypes">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum allele frequency">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">
##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Maximum filtering allele frequency (using Poisson 95% CI) across genetic ancestry groups">
##INFO=<ID=vep,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP">
##contig=<ID={contig},length={length}>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""
GNOMAD_V3 = GNOMAD_V4.replace("AF_grpmax", "AF_popmax").replace("fafmax_faf95_max", "faf95_popmax")
GNOMAD_V2 = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count for samples">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in samples">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency in samples">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals in samples">
##INFO=<ID=AF_popmax,Number=A,Type=Float,Description="Maximum allele frequency across populations (excluding samples of Ashkenazi, Finnish, and indeterminate ancestry)">
##INFO=<ID=faf95_afr,Number=A,Type=Float,Description="Filtering allele frequency (using Poisson 95% CI) for samples of African-American/African ancestry">
##INFO=<ID=faf95_nfe,Number=A,Type=Float,Description="Filtering allele frequency (using Poisson 95% CI) for samples of Non-Finnish European ancestry">
##contig=<ID={contig},length={length}>
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""
SPLICEAI = """##fileformat=VCFv4.2
##fileDate=20191004
##reference=GRCh38/hg38
##contig=<ID={contig},length={length}>
##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3 variant annotation. These include delta scores (DS) and delta positions (DP) for acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor loss (DL). Format: ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
"""
REVEL_HEADER = "chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid"


def other(base: str) -> str:
    return {"A": "G", "G": "A", "C": "T", "T": "C"}[base]


def site(cache, pos: int) -> tuple[int, str, str]:
    """(pos, REF from the stand-in, a transition ALT)."""
    ref = cache.fetch(pos, pos)
    return pos, ref, other(ref)


def write_bgzip(path: Path, header: str, lines: list[str], *, index: bool = True, preset: str = "vcf", **kw) -> Path:
    import pysam

    plain = path.with_suffix("")
    plain.write_text(header + "".join(line + "\n" for line in lines))
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()
    if index:
        pysam.tabix_index(str(path), preset=preset, force=True, **kw)
    return path


def gnomad(path: Path, records: list[tuple], header: str = GNOMAD_V4, contig="chr9", length=LEN38, **kw) -> str:
    """records: (pos, ref, alt, info[, filter])."""
    recs = sorted(records, key=lambda r: r[0])
    lines = [f"{contig}\t{r[0]}\t.\t{r[1]}\t{r[2]}\t.\t{r[4] if len(r) > 4 else 'PASS'}\t{r[3]}" for r in recs]
    return str(write_bgzip(path, header.format(contig=contig, length=length), lines, **kw))


def spliceai(path: Path, records: list[tuple], contig="9", length=LEN38, **kw) -> str:
    """records: (pos, ref, alt, DS_AG, DS_AL, DS_DG, DS_DL)."""
    lines = [
        f"{contig}\t{p}\t.\t{r}\t{a}\t.\t.\tSpliceAI={a}|TRPM6|{ag:.2f}|{al:.2f}|{dg:.2f}|{dl:.2f}|-12|4|-3|1"
        for p, r, a, ag, al, dg, dl in sorted(records)
    ]
    return str(write_bgzip(path, SPLICEAI.format(contig=contig, length=length), lines, **kw))


def sources(cache, **files) -> EvidenceSources:
    return EvidenceSources.open(EvidenceSettings(**files), cache)


def codes(ev) -> list[str]:
    return sorted(c.label for c in ev.criteria)


# --- population: criteria from typed records -----------------------------------------------------------------


def test_whiffin_threshold_is_documented_value():
    assert HSH_MAX_CREDIBLE_AF == pytest.approx((1e-5) ** 0.5 * 0.5, rel=1e-3)
    assert S.pm2_max_af < S.bs1_max_credible_af < S.ba1_af


def test_filtering_af_matches_poisson_lower_bound():
    assert filtering_af(1, 100_000) == pytest.approx(-__import__("math").log(0.95) / 100_000, rel=1e-6)
    assert filtering_af(0, 1000) == 0.0
    assert filtering_af(199, 10_000) == pytest.approx(filtering_af(201, 10_000), rel=0.03)  # smooth at the switch
    assert filtering_af(5000, 100_000) < 0.05


def rec(**kw) -> PopulationRecord:
    return PopulationRecord("g.vcf.gz", True, **kw)


def test_population_criteria_table():
    def crit(r):
        c, notes = population_evidence(r, 10, S)
        return sorted(x.label for x in c), notes

    assert crit(None) == ([], ["BA1, BS1, BS2, PM2: not assessed (no population file given: set population_vcf)"])
    assert crit(PopulationRecord("g", False))[0] == ["PM2_Supporting"]
    assert population_evidence(PopulationRecord("g", False), 0, S)[0] == []  # the file does not cover TRPM6
    assert crit(rec(af=0.2, af_grpmax=0.3, faf95=0.25, nhomalt=900))[0] == ["BA1", "BS2"]
    assert crit(rec(af=0.01, af_grpmax=0.06, nhomalt=0))[0] == ["BA1"]  # no faf95: AF_grpmax
    assert crit(rec(af=0.002, af_grpmax=0.004, faf95=0.003, nhomalt=0))[0] == ["BS1"]
    assert crit(rec(af=0.0005, af_grpmax=0.001, faf95=0.0008, nhomalt=0))[0] == []  # between PM2 and BS1
    assert crit(rec(af=0.00001, af_grpmax=0.0001, faf95=0.00002, nhomalt=0))[0] == ["PM2_Supporting"]
    assert crit(rec(af=0.0001, af_grpmax=0.0002, faf95=0.0001, nhomalt=1))[0] == ["BS2", "PM2_Supporting"]
    c, notes = crit(rec(af=0.3, faf95=0.3, nhomalt=50, filters=("AC0",)))
    assert c == [] and "fails its filters: AC0" in notes[0]
    c, notes = crit(rec(af=0.0001))
    assert c == ["PM2_Supporting"] and any(n.startswith("BS1: not assessed") for n in notes)
    off = EvidenceSettings(bs2_min_homozygotes=0)
    assert [x.code for x in population_evidence(rec(af=1e-5, nhomalt=3), 5, off)[0]] == ["PM2"]


def test_ba1_is_benign_alone():
    c, _ = population_evidence(rec(af=0.2, af_grpmax=0.3, faf95=0.25, nhomalt=0), 10, S)
    assert combine(c)[0] == BENIGN


# --- population: files -----------------------------------------------------------------------------------------


@pytest.fixture
def v4_file(tmp_path, cache38):
    common, bs1, rare, hom, multi = (site(cache38, p) for p in (74800394, 74762494, 74786094, 74810735, 74842016))
    recs = [
        (*common, "AC=30000;AN=150000;AF=0.2;grpmax=afr;AF_grpmax=0.31;nhomalt=3000;fafmax_faf95_max=0.3;vep=x|y"),
        (*bs1, "AC=300;AN=150000;AF=0.002;AF_grpmax=0.004;nhomalt=0;fafmax_faf95_max=0.0035"),
        (*rare, "AC=2;AN=150000;AF=1.3e-05;AF_grpmax=2.1e-05;nhomalt=0;fafmax_faf95_max=."),
        (*hom, "AC=4;AN=150000;AF=2.6e-05;AF_grpmax=5e-05;nhomalt=2;fafmax_faf95_max=1e-05"),
        (multi[0], multi[1], f"{multi[2]},{other(multi[2])}", "AC=5,9;AN=1000;AF=0.005,0.09;nhomalt=0,1"),
    ]
    return gnomad(tmp_path / "gnomad.v4.vcf.bgz", recs), (common, bs1, rare, hom, multi)


def test_v4_file(v4_file, cache38):
    path, (common, bs1, rare, hom, multi) = v4_file
    src = sources(cache38, population_vcf=path)
    ev, pop = src.evidence(Variant("chr9", *common), ["stop_gained"])
    assert codes(ev) == ["BA1", "BS2"] and ev.not_assessed == ()
    assert pop == {"source": path, "found": True, "af": 0.2, "af_grpmax": 0.31, "faf95": 0.3, "nhomalt": 3000}
    assert codes(src.evidence(Variant("chr9", *bs1), ["missense_variant"])[0]) == ["BS1"]
    ev, pop = src.evidence(Variant("chr9", *rare), ["missense_variant"])
    assert codes(ev) == ["PM2_Supporting"] and pop["faf95"] == pytest.approx(filtering_af(2, 150_000))  # '.': computed
    assert codes(src.evidence(Variant("chr9", *hom), ["intron_variant"])[0]) == ["BS2", "PM2_Supporting"]
    ev, pop = src.evidence(Variant("chr9", 74800400, cache38.fetch(74800400, 74800400), "T"), ["stop_gained"])
    assert codes(ev) == ["PM2_Supporting"] and pop == {
        "source": path,
        "found": False,
        "af": None,
        "af_grpmax": None,
        "faf95": None,
        "nhomalt": None,
    }
    # multiallelic record: Number=A fields per ALT; no faf95 field -> computed from AC/AN
    ev, pop = src.evidence(Variant("chr9", multi[0], multi[1], other(multi[2])), ["intron_variant"])
    assert codes(ev) == ["BA1", "BS2"] and pop["af"] == 0.09
    ev, pop = src.evidence(Variant("chr9", *multi), ["intron_variant"])
    assert pop["af"] == 0.005 and pop["faf95"] == pytest.approx(filtering_af(5, 1000))
    assert "BS1" in codes(ev)  # computed faf95 (0.0021) above 0.00158


def test_v3_and_v2_names_and_chr_naming(tmp_path, cache38, cache37):
    p, r, a = site(cache38, 74762494)
    v3 = gnomad(
        tmp_path / "v3.vcf.gz",
        [(p, r, a, "AC=3000;AN=100000;AF=0.03;AF_popmax=0.07;faf95_popmax=0.065")],
        header=GNOMAD_V3,
    )
    ev, pop = sources(cache38, population_vcf=v3).evidence(Variant("chr9", p, r, a), ["missense_variant"])
    assert codes(ev) == ["BA1"] and pop["af_grpmax"] == 0.07 and pop["faf95"] == 0.065
    # gnomAD v2 (GRCh37, contig `9`) on the GRCh37 stand-in; faf95 = max over the v2 group fields
    info = "AC=40;AN=20000;AF=0.002;AF_popmax=0.003;faf95_afr=0.0012;faf95_nfe=0.0019;nhomalt=0"
    v2 = gnomad(tmp_path / "v2.vcf.gz", [(p + OFFSET37, r, a, info)], header=GNOMAD_V2, contig="9", length=LEN37)
    ev, pop = sources(cache37, population_vcf=v2).evidence(Variant("9", p + OFFSET37, r, a), ["missense_variant"])
    assert codes(ev) == ["BS1"] and pop["faf95"] == 0.0019
    # `9` in the file, `chr9` in the reference: harmonised
    v2_38 = gnomad(tmp_path / "v2on38.vcf.gz", [(p, r, a, info)], header=GNOMAD_V2, contig="9", length=LEN38)
    assert codes(sources(cache38, population_vcf=v2_38).evidence(Variant("chr9", p, r, a), [])[0]) == ["BS1"]


def test_population_file_refusals(tmp_path, cache38):
    p, r, a = site(cache38, 74762494)
    recs = [(p + i, cache38.fetch(p + i, p + i), "A", "AC=1;AN=10;AF=0.1") for i in range(5)]
    no_index = gnomad(tmp_path / "noidx.vcf.gz", recs, index=False)
    with pytest.raises(InputError, match=r"noidx\.vcf\.gz \(population_vcf\): no tabix index"):
        sources(cache38, population_vcf=no_index)
    plain = tmp_path / "plain.vcf"
    plain.write_text(GNOMAD_V4.format(contig="chr9", length=LEN38))
    with pytest.raises(InputError, match=r"plain\.vcf \(population_vcf\): not bgzip-compressed"):
        sources(cache38, population_vcf=str(plain))
    with pytest.raises(InputError, match="not found"):
        sources(cache38, population_vcf=str(tmp_path / "missing.vcf.gz"))
    wrong_len = gnomad(tmp_path / "b37.vcf.gz", recs, length=LEN37)
    with pytest.raises(
        InputError, match=r"b37\.vcf\.gz \(population_vcf\): contig chr9 has length 141,213,431 \(GRCh37\)"
    ):
        sources(cache38, population_vcf=wrong_len)
    # no contig length: the REF alleles tell (these are GRCh37 stand-in bases at GRCh38 positions + 1000)
    hdr = GNOMAD_V4.replace("##contig=<ID={contig},length={length}>\n", "")
    bad = [(p + i, other(cache38.fetch(p + i, p + i)), "A", "AC=1;AN=10;AF=0.1") for i in range(5)]
    with pytest.raises(InputError, match="REF alleles disagree with the reference .* at 5 of 5 records"):
        sources(cache38, population_vcf=gnomad(tmp_path / "nolen.vcf.gz", bad, header=hdr))
    malformed = gnomad(tmp_path / "bad.vcf.gz", [(p, r, a, "AC=1;AN=10;AF=0.1x;nhomalt=0")])
    with pytest.raises(InputError, match=r"bad\.vcf\.gz \(population_vcf\): chr9:\d+: malformed INFO value '0\.1x'"):
        sources(cache38, population_vcf=malformed)
    flag = gnomad(tmp_path / "flag.vcf.gz", [(p, r, a, "AC=1;AN=10;AF;nhomalt=0")])
    with pytest.raises(InputError, match="malformed INFO field 'AF'"):
        sources(cache38, population_vcf=flag)
    not_gnomad = write_bgzip(
        tmp_path / "x.vcf.gz", "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n", []
    )
    with pytest.raises(InputError, match="no INFO AF or AC in the header"):
        sources(cache38, population_vcf=str(not_gnomad))


def test_no_population_file_says_not_assessed(cache38):
    ev, pop = sources(cache38).evidence(Variant("chr9", 74800394, "G", "A"), ["stop_gained"])
    assert pop is None and ev.criteria == ()
    assert ev.not_assessed == ("BA1, BS1, BS2, PM2: not assessed (no population file given: set population_vcf)",)


def test_file_without_trpm6_records(tmp_path, cache38):
    path = gnomad(tmp_path / "chr9_elsewhere.vcf.gz", [(1000, "N", "A", "AC=1;AN=10;AF=0.1")])
    ev, pop = sources(cache38, population_vcf=path).evidence(Variant("chr9", 74800394, "G", "A"), [])
    assert ev.criteria == () and "has no records in the TRPM6 region" in ev.not_assessed[0]
    assert pop is not None and pop["found"] is False


def test_indel_keys_match_untrimmed_records(tmp_path, cache38):
    p = 74796744  # HSH03 c.2387del: TG>T; written here with a shared trailing base (TGA>TA)
    ref3 = cache38.fetch(p, p + 2)
    path = gnomad(tmp_path / "indel.vcf.gz", [(p, ref3, ref3[0] + ref3[2], "AC=9000;AN=100000;AF=0.09;AF_grpmax=0.1")])
    ev, _ = sources(cache38, population_vcf=path).evidence(
        Variant("chr9", p, ref3[:2], ref3[0]), ["frameshift_variant"]
    )
    assert codes(ev) == ["BA1"]
    assert trim(10, "TGA", "TA") == (10, "TG", "T") and trim(10, "CAT", "CGT") == (11, "A", "G")


# --- SpliceAI ----------------------------------------------------------------------------------------------------


def test_spliceai_file(tmp_path, cache38):
    donor, region, deep, mid = (site(cache38, p) for p in (74808027, 74842166, 74810735, 74775683))
    path = spliceai(
        tmp_path / "spliceai_scores.masked.snv.hg38.vcf.gz",
        [
            (*donor, 0.0, 0.0, 0.01, 0.61),
            (*region, 0.02, 0.0, 0.0, 0.05),
            (*deep, 0, 0, 0.03, 0),
            (*mid, 0.15, 0, 0, 0),
        ],
    )  # contig `9` in the file, `chr9` in the reference
    src = sources(cache38, spliceai_vcf=path)
    ev, pop = src.evidence(Variant("chr9", *donor), ["splice_region_variant", "intron_variant"])
    assert codes(ev) == ["PP3"] and "DS_DL 0.61" in ev.criteria[0].reason and pop is None
    assert codes(src.evidence(Variant("chr9", *region), ["splice_region_variant", "synonymous_variant"])[0]) == ["BP4"]
    assert codes(src.evidence(Variant("chr9", *deep), ["intron_variant"])[0]) == ["BP4"]
    assert codes(src.evidence(Variant("chr9", *mid), ["intron_variant"])[0]) == []  # 0.1 < 0.15 < 0.2
    ev, _ = src.evidence(Variant("chr9", 74775700, cache38.fetch(74775700, 74775700), "T"), ["intron_variant"])
    assert "PP3/BP4 (SpliceAI, splicing): not assessed (allele not in" in ev.not_assessed[-1]
    # canonical splice sites are PVS1's: no SpliceAI criterion
    assert codes(src.evidence(Variant("chr9", *donor), ["splice_donor_variant"])[0]) == []


def test_spliceai_refusals(tmp_path, cache38):
    recs = [(*site(cache38, 74808027 + i), 0.1, 0, 0, 0) for i in range(4)]
    with pytest.raises(InputError, match=r"s1\.vcf\.gz \(spliceai_vcf\): no tabix index"):
        sources(cache38, spliceai_vcf=spliceai(tmp_path / "s1.vcf.gz", recs, index=False))
    with pytest.raises(InputError, match=r"s2\.vcf\.gz \(spliceai_vcf\): contig 9 has length 141,213,431 \(GRCh37\)"):
        sources(cache38, spliceai_vcf=spliceai(tmp_path / "s2.vcf.gz", recs, length=LEN37))
    path = spliceai(tmp_path / "s3.vcf.gz", recs)
    bad = tmp_path / "s3.bad.vcf.gz"
    text = gzip.open(path, "rt").read().replace("|-12|4|-3|1\n", "|-12|4\n", 1)
    write_bgzip(bad, "", text.rstrip("\n").split("\n"))
    with pytest.raises(InputError, match=r"s3\.bad\.vcf\.gz \(spliceai_vcf\): 9:\d+: malformed SpliceAI annotation"):
        sources(cache38, spliceai_vcf=str(bad))
    nohdr = write_bgzip(tmp_path / "s4.vcf.gz", GNOMAD_V4.format(contig="9", length=LEN38), [])
    with pytest.raises(InputError, match="no ##INFO SpliceAI header"):
        sources(cache38, spliceai_vcf=str(nohdr))


# --- REVEL ---------------------------------------------------------------------------------------------------------


def revel_rows(cache, scores: dict[int, float], build: str = "GRCh38", grch38_dot: bool = False) -> list[str]:
    rows = []
    for p38, score in sorted(scores.items()):
        p, r, a = site(cache, p38 if build == "GRCh38" else p38 + OFFSET37)
        p37, g38 = (p, p - OFFSET37) if build == "GRCh37" else (p + OFFSET37, p)
        rows.append(f"9,{p37},{'.' if grch38_dot else g38},{r},{a},Q,R,{score},ENST00000360774;ENST00000449912")
    return rows


def test_revel_plain_csv_and_thresholds(tmp_path, cache38):
    pos = {74786094: 0.95, 74786095: 0.80, 74786096: 0.65, 74786097: 0.5, 74786098: 0.25, 74786099: 0.1, 74786100: 0.01}
    csv = tmp_path / "revel_with_transcript_ids"
    csv.write_text(REVEL_HEADER + "\n" + "1,1000,1000,A,G,K,E,0.5,ENST1\n" + "\n".join(revel_rows(cache38, pos)) + "\n")
    src = sources(cache38, missense_scores=str(csv))
    got = [codes(src.evidence(Variant("chr9", *site(cache38, p)), ["missense_variant"])[0]) for p in pos]
    assert got == [["PP3_Strong"], ["PP3_Moderate"], ["PP3"], [], ["BP4"], ["BP4_Moderate"], ["BP4_Strong"]]
    ev, _ = src.evidence(Variant("chr9", 74786094, cache38.fetch(74786094, 74786094), "NN"), ["missense_variant"])
    assert "REVEL scores SNVs" in ev.not_assessed[-1]
    ev, _ = sources(cache38).evidence(Variant("chr9", *site(cache38, 74786094)), ["missense_variant"])
    assert ev.not_assessed[-1] == "PP3/BP4 (REVEL, missense): not assessed (no missense_scores file given)"


def test_revel_tabix_either_index_column_and_builds(tmp_path, cache38, cache37):
    pos = {74786094: 0.95, 74786098: 0.25}
    tsv_rows = [r.replace(",", "\t") for r in revel_rows(cache38, pos)]
    # VEP plugin recipe: tab-separated, header commented, indexed on grch38_pos (-b 3) or on hg19_pos (-b 2)
    for col in (3, 2):
        path = write_bgzip(
            tmp_path / f"revel.{col}.tsv.gz",
            "#" + REVEL_HEADER.replace(",", "\t") + "\n",
            tsv_rows,
            preset=None,
            seq_col=0,
            start_col=col - 1,
            end_col=col - 1,
            meta_char="#",
        )
        for cache, shift in ((cache38, 0), (cache37, OFFSET37)):
            src = sources(cache, missense_scores=str(path))
            v = Variant(cache.contig, *site(cache, 74786094 + shift))
            assert codes(src.evidence(v, ["missense_variant"])[0]) == ["PP3_Strong"], (col, cache.build)
    # grch38_pos '.' (REVEL has hg19-only rows): not found on GRCh38, found on GRCh37
    csv = tmp_path / "revel_dot.csv"
    csv.write_text(REVEL_HEADER + "\n" + "\n".join(revel_rows(cache38, pos, grch38_dot=True)) + "\n")
    assert sources(cache38, missense_scores=str(csv)).revel.scores == {}
    assert len(sources(cache37, missense_scores=str(csv)).revel.scores) == 2


def test_revel_refusals(tmp_path, cache38):
    bad_header = tmp_path / "r1.csv"
    bad_header.write_text("chrom,pos,ref,alt,score\n")
    with pytest.raises(InputError, match=r"r1\.csv \(missense_scores\): header .* is not REVEL's"):
        sources(cache38, missense_scores=str(bad_header))
    rows = revel_rows(cache38, {74786094: 0.5, 74786095: 0.5, 74786096: 0.5})
    bad_score = tmp_path / "r2.csv"
    bad_score.write_text(REVEL_HEADER + "\n" + "\n".join(rows).replace(",0.5,", ",high,", 1) + "\n")
    with pytest.raises(InputError, match=r"r2\.csv \(missense_scores\): 9:74786094 .*REVEL score 'high'"):
        sources(cache38, missense_scores=str(bad_score))
    wrong = tmp_path / "r3.csv"  # the GRCh38 positions of another reference: REF alleles disagree
    wrong.write_text(REVEL_HEADER + "\n" + "\n".join(r.replace(",Q,R,", ",Q,R,") for r in _swap_refs(rows)) + "\n")
    with pytest.raises(InputError, match=r"r3\.csv \(missense_scores\): REF alleles disagree .*GRCh38 needed"):
        sources(cache38, missense_scores=str(wrong))


def _swap_refs(rows: list[str]) -> list[str]:
    out = []
    for r in rows:
        f = r.split(",")
        f[3], f[4] = f[4], f[3]
        out.append(",".join(f))
    return out


# --- predictors combined -------------------------------------------------------------------------------------------


def test_one_pp3_and_missense_bp4_needs_no_splice_effect():
    files = ("s.vcf.gz", "revel.csv")
    both = ["missense_variant", "splice_region_variant"]
    c, _ = predictor_evidence(both, SpliceScore(0.5, "DS_DL"), RevelScore(0.8, "Q>R", True), files, S)
    assert [x.label for x in c] == ["PP3_Moderate"]  # the strongest PP3 only
    c, _ = predictor_evidence(both, SpliceScore(0.5, "DS_DL"), RevelScore(0.01, "Q>R", True), files, S)
    assert [x.label for x in c] == ["PP3"]  # splicing PP3 wins over a missense BP4
    c, _ = predictor_evidence(["missense_variant"], SpliceScore(0.15, "DS_AG"), RevelScore(0.01, "Q>R", True), files, S)
    assert c == []  # SpliceAI 0.15 > 0.1: no missense BP4
    c, _ = predictor_evidence(["missense_variant"], SpliceScore(0.02, "DS_AG"), RevelScore(0.01, "Q>R", True), files, S)
    assert [x.label for x in c] == ["BP4_Strong"]
    c, notes = predictor_evidence(["stop_gained"], None, None, ("", ""), S)
    assert c == [] and notes == []  # no predictor applies to a nonsense variant


def test_memoised_and_settings_json(v4_file, cache38):
    path, (common, *_rest) = v4_file
    src = sources(cache38, population_vcf=path)
    a = src.evidence(Variant("chr9", *common), ["stop_gained"])
    assert src.evidence(Variant("chr9", *common), ["stop_gained"]) is a
    import json

    d = json.loads(settings_json({"population_vcf": path, "evidence": {"ba1_af": 0.1}}))["evidence"]
    assert EvidenceSources.open(d, cache38).settings == EvidenceSettings(population_vcf=path, ba1_af=0.1)
    ev, _ = src.evidence(Variant("chr9", 74833897, "T", "<DEL>"), ["exon_loss_variant"])
    assert ev.criteria == () and "structural or symbolic allele" in ev.not_assessed[0]


def test_schema_defaults_equal_code_defaults():
    import yaml

    from hshpipe.settings import EvidenceSettings as E

    schema = yaml.safe_load((Path(__file__).parents[1] / "workflow/schemas/config.schema.yaml").read_text())
    ev = schema["properties"]["evidence"]["properties"]
    d = E()
    for k in ("ba1_af", "bs1_max_credible_af", "bs2_min_homozygotes", "pm2_max_af", "spliceai_pp3", "spliceai_bp4"):
        assert ev[k]["default"] == getattr(d, k), k
    revel = ev["revel"]["properties"]
    assert tuple(revel[f"pp3_{n}"]["default"] for n in ("strong", "moderate", "supporting")) == d.revel_pp3
    assert tuple(revel[f"bp4_{n}"]["default"] for n in ("strong", "moderate", "supporting")) == d.revel_bp4
    for k in ("population_vcf", "spliceai_vcf", "missense_scores"):
        assert schema["properties"][k]["default"] == ""


# --- the demo population files (tools/make_demo_population.py) ------------------------------------------------------

DEMO_EXPECTED = {  # hgvs_c -> criteria from the synthetic demo population file (same on both builds)
    "c.2387del": ["BA1", "BS2"],  # the planted null allele made common: benign, does not count
    "c.4287C>A": ["PM2_Supporting"],  # qualifying planted variants: absent
    "c.1072dup": ["PM2_Supporting"],
    "c.1443+1G>A": ["PM2_Supporting"],
    "c.1638+7T>C": ["PM2_Supporting"],
    "c.2098C>T": ["PM2_Supporting"],
    "c.2699A>G": ["PM2_Supporting"],  # present, AF_grpmax 2.1e-05
    "c.4177G>A": ["BA1", "BS2"],
    "c.4750A>G": ["BA1", "BS2"],
    "c.3403+200G>A": ["BS1"],
    "c.2238+110A>G": ["BS1", "BS2"],
    "c.5200+60G>A": [],
    "c.4906+90G>A": ["BA1", "BS2"],
    "c.4906+90G>C": ["PM2_Supporting"],
}


@pytest.mark.parametrize("build", ["GRCh38", "GRCh37"])
def test_demo_population_file(build, cache38, cache37):
    import csv

    root = Path(__file__).parents[1]
    cache = cache38 if build == "GRCh38" else cache37
    src = sources(cache, population_vcf=str(root / f"resources/demo/population/demo_population.{build}.vcf.gz"))
    seen = set()
    with open(root / "resources/demo/truth.tsv") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            c = row["hgvs_c"].split(":")[-1]
            if row["build"] != build or c not in DEMO_EXPECTED:
                continue
            ev, pop = src.evidence(Variant(row["chrom"], int(row["pos"]), row["ref"], row["alt"]), [])
            assert codes(ev) == DEMO_EXPECTED[c], c
            seen.add(c)
            if c == "c.2387del":
                assert combine(ev.criteria)[0] == BENIGN and pop["af"] > S.ba1_af
    assert seen == set(DEMO_EXPECTED) if build == "GRCh38" else {"c.4287C>A", "c.1638+7T>C", "c.4177G>A"} <= seen


def test_synthetic_demo_file_refused_with_a_real_reference(cache38):
    from dataclasses import replace

    demo = str(Path(__file__).parents[1] / "resources/demo/population/demo_population.GRCh38.vcf.gz")
    with pytest.raises(InputError, match="a synthetic demo file, not population data"):
        sources(replace(cache38, synthetic=False), population_vcf=demo)
