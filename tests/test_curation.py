"""Curated HSH table: parsing, validation (schema, transcript, protein, reference), compile, 5-level matching."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import make_ann

from hshpipe.errors import InputError
from hshpipe.model import CPos, Variant

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "curated"
TABLE = ROOT / "resources" / "curated" / "hsh_variants.tsv"
CLINVAR = DATA / "clinvar_trpm6_GRCh38.vcf"
COLS = ("id", "hgvs_c", "hgvs_p", "exon", "kind", "classification", "evidence_tier", "source", "evidence", "curated_on")


# --- helpers ---------------------------------------------------------------------------------------------------
def write_table(path: Path, *rows: dict, version: str | None = "test-1") -> Path:
    lines = [f"## version: {version}"] if version else []
    lines.append("\t".join(COLS))
    for r in rows:
        full = {
            "id": "T1",
            "hgvs_c": "",
            "hgvs_p": "NP_060132.3:p.Ser141Leu",
            "exon": "",
            "kind": "missense",
            "classification": "pathogenic",
            "evidence_tier": "primary",
            "source": "Test et al., PMID 1",
            "evidence": "test entry",
            "curated_on": "2026-11-27",
            **r,
        }
        lines.append("\t".join(full[c] for c in COLS))
    path.write_text("\n".join(lines) + "\n")
    return path


def codon_bases(cache, codon: int) -> tuple[list[int], str]:
    """Genomic positions (c. order) and transcript-strand bases of a codon on the stand-in."""
    from hshpipe.reference import revcomp

    t = cache.transcript
    gs = [t.genomic_of_c(CPos(3 * codon - 2 + k)) for k in range(3)]
    return gs, "".join(revcomp(cache.fetch(g, g)) for g in gs)


def variant_for_codon(cache, codon: int, new_codon: str) -> Variant:
    """A (possibly multi-base) forward-strand Variant turning a codon into `new_codon` (transcript strand)."""
    from hshpipe.reference import revcomp

    gs, old = codon_bases(cache, codon)
    lo, hi = min(gs), max(gs)
    ref = cache.fetch(lo, hi)
    alt = revcomp(new_codon)  # minus strand: forward = revcomp of the codon
    # trim identical flanks
    pos = lo
    while ref and alt and ref[0] == alt[0] and len(ref) > 1:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    while ref and alt and ref[-1] == alt[-1] and len(ref) > 1:
        ref, alt = ref[:-1], alt[:-1]
    return Variant(cache.contig, pos, ref, alt)


@pytest.fixture(scope="module")
def table():
    from hshpipe.curation import load_curated_table

    return load_curated_table(TABLE)


@pytest.fixture(scope="module")
def compiled38(table, cache38):
    return table.compile(cache38)


@pytest.fixture(scope="module")
def compiled38_cv(table, cache38):
    return table.compile(cache38, clinvar_vcf=CLINVAR)


# --- c./p. parsing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,start,end,kind,ref,alt",
    [
        ("NM_017662.5:c.1638+7T>C", CPos(1638, 7), CPos(1638, 7), "sub", "T", "C"),
        ("c.4287C>A", CPos(4287), CPos(4287), "sub", "C", "A"),
        ("c.-12G>A", CPos(-12), CPos(-12), "sub", "G", "A"),
        ("c.*40del", CPos(40, 0, True), CPos(40, 0, True), "del", "", ""),
        ("c.545-2_545-1delAG", CPos(545, -2), CPos(545, -1), "del", "AG", ""),
        ("c.100_102dup", CPos(100), CPos(102), "dup", "", ""),
        ("c.100_101insAT", CPos(100), CPos(101), "ins", "", "AT"),
        ("c.100delinsGG", CPos(100), CPos(100), "delins", "", "GG"),
        ("c.100_101delACinsT", CPos(100), CPos(101), "delins", "AC", "T"),
    ],
)
def test_parse_c(name, start, end, kind, ref, alt):
    from hshpipe.hgvs_parser import parse_c

    e = parse_c(name)
    assert (e.start, e.end, e.kind, e.ref, e.alt) == (start, end, kind, ref, alt)


@pytest.mark.parametrize(
    "bad", ["c.100A>A", "c.0A>G", "c.100ins", "c.100insA", "c.1638+7T>", "g.100A>G", "c.100_101A>G"]
)
def test_parse_c_refuses(bad):
    from hshpipe.hgvs_parser import parse_c

    with pytest.raises(ValueError):
        parse_c(bad)


@pytest.mark.parametrize(
    "name,kind,start,ref,alt",
    [
        ("NP_060132.3:p.Ser141Leu", "missense", 141, "S", "L"),
        ("p.(Ser141Leu)", "missense", 141, "S", "L"),
        ("p.Cys1429Ter", "nonsense", 1429, "C", "*"),
        ("p.Cys1429*", "nonsense", 1429, "C", "*"),
        ("p.Ser81=", "synonymous", 81, "S", "S"),
        ("p.Arg56GlufsTer12", "frameshift", 56, "R", ""),
        ("p.Lys10_Ala12del", "del", 10, "", ""),
        ("p.?", "unknown", None, "", ""),
        ("p.Met1?", "start_lost", 1, "M", ""),
    ],
)
def test_parse_p(name, kind, start, ref, alt):
    from hshpipe.hgvs_parser import parse_p

    p = parse_p(name)
    assert (p.kind, p.start, p.ref_aa, p.alt_aa) == (kind, start, ref, alt)


@pytest.mark.parametrize("bad", ["p.S141L", "p.Ser141Ser", "p.Ser141", "c.100A>G"])
def test_parse_p_refuses(bad):
    from hshpipe.hgvs_parser import parse_p

    with pytest.raises(ValueError):
        parse_p(bad)


# --- the bundled table -----------------------------------------------------------------------------------------
def test_bundled_table_loads(table):
    assert table.version == "2026-11-27.1"
    by_id = {e.id: e for e in table.entries}
    assert len(by_id) == 7
    s141l = next(e for e in table.entries if e.hgvs_p == "NP_060132.3:p.Ser141Leu")
    assert (s141l.classification, s141l.evidence_tier) == ("pathogenic", "primary")
    assert "PMID 14976260" in s141l.source
    splice = next(e for e in table.entries if e.hgvs_c == "NM_017662.5:c.1638+7T>C")
    assert (splice.classification, splice.evidence_tier) == ("likely_pathogenic", "primary")
    exon6 = next(e for e in table.entries if e.exon)
    assert (exon6.exons, exon6.kind, exon6.classification) == ((6,), "exon_deletion", "pathogenic")
    unconf = {e.hgvs_c for e in table.entries if e.evidence_tier == "unconfirmed"}
    assert unconf == {"NM_017662.5:c.4287C>A", "NM_017662.5:c.1769C>G"}
    benign = {e.hgvs_p: e.classification for e in table.entries if e.evidence_tier == "secondary"}
    assert benign == {"NP_060132.3:p.Val1393Ile": "likely_benign", "NP_060132.3:p.Lys1584Glu": "likely_benign"}


def test_exon_c_ranges_match_the_published_exon_table():
    from hshpipe.curation import exon_c_ranges

    r = exon_c_ranges()
    assert (str(r[6][0]), str(r[6][1])) == ("545", "669")
    assert (str(r[14][1]), str(r[25][0]), str(r[25][1])) == ("1638", "3404", "3536")
    assert (str(r[1][0]), str(r[39][1])) == ("-65", "*2118")


@pytest.mark.parametrize("build_fixture,chrom,pos", [("cache38", "chr9", 74802138), ("cache37", "9", 77417054)])
def test_compile_maps_clinvar_3575_to_its_published_positions(table, request, build_fixture, chrom, pos):
    """c.1769C>G = NC_000009.12:g.74802138G>C = NC_000009.11:g.77417054G>C (ClinVar 3575 mapping record)."""
    cache = request.getfixturevalue(build_fixture)
    ct = table.compile(cache)
    ce = next(c for c in ct.entries if c.entry.hgvs_c == "NM_017662.5:c.1769C>G")
    assert ce.variant == Variant(chrom, pos, "G", "C")
    assert ct.version == "2026-11-27.1" and ct.build == cache.build


def test_compile_keys(compiled38, cache38):
    by_c = {c.entry.hgvs_c: c for c in compiled38.entries if c.entry.hgvs_c}
    t = cache38.transcript
    g = t.genomic_of_c(CPos(1638, 7))
    assert by_c["NM_017662.5:c.1638+7T>C"].variant == Variant("chr9", g, "A", "G")  # minus strand: T>C = A>G
    # c.4287C>A is the 3rd base of the (forced) TGC codon 1429: a nonsense on the stand-in
    assert by_c["NM_017662.5:c.4287C>A"].protein == (1429, "C", "*")
    exon6 = next(c for c in compiled38.entries if c.entry.exon)
    e6 = next(e for e in t.exons if e.number == 6)
    assert exon6.exon_ranges == ((6, e6.start, e6.end),)
    s141l = next(c for c in compiled38.entries if c.entry.hgvs_p == "NP_060132.3:p.Ser141Leu")
    assert s141l.variant is None and s141l.protein == (141, "S", "L") and s141l.codon == 141
    # benign entries never give codon keys (PM5 needs a pathogenic missense)
    assert all(c.codon is None for c in compiled38.entries if c.entry.classification.endswith("benign"))


def _apply(seq: str, start: int, v: Variant) -> str:
    i = v.pos - start
    assert seq[i : i + len(v.ref)] == v.ref
    return seq[:i] + v.alt + seq[i + len(v.ref) :]


@pytest.mark.parametrize(
    "name",
    [
        "c.700del",
        "c.700_702del",
        "c.700dup",
        "c.700_701insGA",
        "c.700_702delinsT",
        "c.545-2_545-1del",
        "c.1638+1_1638+2insT",
        "c.700_701delinsTT",
    ],
)
def test_genomic_of_edit_applies_the_same_change(cache38, name):
    """Applying the compiled genomic allele gives the same transcript-strand sequence as applying the c. edit."""
    from hshpipe.curation import genomic_of_edit, normalise_allele
    from hshpipe.hgvs_parser import parse_c
    from hshpipe.reference import revcomp

    t = cache38.transcript
    e = parse_c(name)
    v = genomic_of_edit(cache38, e)
    lo, hi = v.pos - 60, v.end + 60
    fwd = cache38.fetch(lo, hi)
    got = revcomp(_apply(fwd, lo, v))
    # expected: edit the transcript-strand string directly (index by genomic position)
    gs, ge = t.genomic_of_c(e.start), t.genomic_of_c(e.end)
    tx = revcomp(fwd)  # tx[i] is genomic hi - i
    i, j = hi - gs, hi - ge
    if e.kind == "del":
        exp = tx[:i] + tx[j + 1 :]
    elif e.kind == "dup":
        exp = tx[: j + 1] + tx[i : j + 1] + tx[j + 1 :]
    elif e.kind == "ins":
        exp = tx[: i + 1] + e.alt + tx[j:]
    else:
        exp = tx[:i] + e.alt + tx[j + 1 :]
    assert got == exp
    # and the allele is already normalised (left-aligned, trimmed)
    assert normalise_allele(cache38, v.pos, v.ref, v.alt) == (v.pos, v.ref, v.alt)


def test_normalize_left_aligns_like_bcftools_norm(cache38, tmp_path):
    """Oracle: bcftools norm (bundled in pysam) left-aligns the same way."""
    from pysam import bcftools

    from hshpipe.curation import normalise_allele

    t = cache38.transcript
    seq, start = cache38.seq, cache38.region_start
    # find a homopolymer run of >= 4 inside the transcript span
    i = next(k for k in range(t.start - start, t.end - start) if len(set(seq[k : k + 5])) == 1 and seq[k] != "N")
    run_end = i
    while seq[run_end + 1] == seq[i]:
        run_end += 1
    pos = start + run_end - 1  # delete the last base of the run, anchored on the base before it
    ref, alt = seq[run_end - 1 : run_end + 1], seq[run_end - 1]
    got = normalise_allele(cache38, pos, ref, alt)
    assert got[0] == start + i - 1  # moved to the base before the run
    vcf = tmp_path / "in.vcf"
    vcf.write_text(
        f"##fileformat=VCFv4.2\n##contig=<ID=chr9,length=138394717>\n"
        f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr9\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n"
    )
    out = bcftools.norm("-f", cache38.reference, str(vcf))
    rec = [ln.split("\t") for ln in out.splitlines() if ln and not ln.startswith("#")][0]
    assert (int(rec[1]), rec[3], rec[4]) == got


# --- table validation ------------------------------------------------------------------------------------------
def _rejected_rows() -> list[dict]:
    with (ROOT / "resources/curated/source/rejected_names.tsv").open() as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _as_entry(name: str) -> dict:
    """'c.3208C>T (p.Arg1070Trp)' -> table cells."""
    parts = name.replace("(", " ").replace(")", " ").split()
    c = next((p for p in parts if p.startswith("c.")), "")
    p = next((p for p in parts if p.startswith("p.")), "")
    return {
        "hgvs_c": f"NM_017662.5:{c}" if c else "",
        "hgvs_p": f"NP_060132.3:{p}" if p else "",
        "kind": "missense" if p else "splice",
    }


@pytest.mark.parametrize("row", _rejected_rows(), ids=lambda r: r["name_as_published"])
def test_rejected_names_are_refused(tmp_path, row):
    from hshpipe.curation import load_curated_table

    path = write_table(tmp_path / "t.tsv", {"id": "REJ", **_as_entry(row["name_as_published"])})
    with pytest.raises(InputError) as exc:
        load_curated_table(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}:3: entry REJ: ")
    assert "\n" not in msg
    reason = row["reason_rejected"]
    if "Asn" in reason:
        assert "residue 1070 of NP_060132.3 is Asn, not Arg" in msg
    else:
        assert "c.3408 is not the last base of an exon" in msg and "exon 25 (c.3404..c.3536)" in msg
        assert "+5" in msg


@pytest.mark.parametrize(
    "fname,expect",
    [
        ("bad_residue_Arg1070Trp.tsv", ":4: entry REJ1: residue 1070 of NP_060132.3 is Asn, not Arg"),
        ("bad_offset_3408+5.tsv", ":4: entry REJ2: c.3408 is not the last base of an exon"),
        ("no_version.tsv", "no '## version: …' line"),
    ],
)
def test_bad_table_files(fname, expect):
    from hshpipe.curation import load_curated_table

    with pytest.raises(InputError, match=None) as exc:
        load_curated_table(DATA / fname)
    assert str(DATA / fname) in str(exc.value) and expect in str(exc.value)


@pytest.mark.parametrize(
    "cells,expect",
    [
        ({"classification": "pathogenic?"}, "column classification: 'pathogenic?' is not valid"),
        ({"evidence_tier": "tertiary"}, "column evidence_tier"),
        ({"hgvs_p": "p.Ser141Leu"}, "column hgvs_p"),  # no accession
        ({"hgvs_p": "NP_060132.2:p.Ser141Leu"}, "column hgvs_p"),
        ({"hgvs_c": "NM_017662.4:c.1769C>G", "hgvs_p": ""}, "column hgvs_c"),
        ({"source": "a friend"}, "column source"),
        ({"curated_on": "27/11/2026"}, "column curated_on"),
        ({"curated_on": "2026-02-30"}, "not a calendar date"),
        ({"hgvs_p": "NP_060132.3:p.Ser141Leu", "kind": "nonsense"}, "kind is nonsense but"),
        ({"hgvs_p": "NP_060132.3:p.Ser2100Leu"}, "residue 2100 is outside NP_060132.3 (1..2022)"),
        ({"hgvs_p": "NP_060132.3:p.Ile1393Val"}, "residue 1393 of NP_060132.3 is Val, not Ile"),
        ({"hgvs_p": "NP_060132.3:p.Lys1579Glu"}, "residue 1579 of NP_060132.3 is Asp, not Lys"),
        ({"hgvs_c": "NM_017662.5:c.425C>T", "hgvs_p": "NP_060132.3:p.Ser141Leu"}, "is in codon 142"),
        ({"hgvs_c": "NM_017662.5:c.7000A>G", "hgvs_p": "", "kind": "utr"}, "beyond the stop codon"),
        ({"hgvs_c": "NM_017662.5:c.*3000A>G", "hgvs_p": "", "kind": "utr"}, "beyond the 3' end"),
        ({"hgvs_c": "NM_017662.5:c.-100A>G", "hgvs_p": "", "kind": "utr"}, "before the 5' end"),
        ({"hgvs_c": "NM_017662.5:c.545-3A>G", "hgvs_p": "", "kind": "splice"}, None),  # valid: exon 6 starts at c.545
        ({"hgvs_c": "NM_017662.5:c.546-3A>G", "hgvs_p": "", "kind": "splice"}, "c.546 is not the first base"),
        ({"hgvs_c": "NM_017662.5:c.1638+9000A>G", "hgvs_p": "", "kind": "intronic"}, "beyond intron 14, which is"),
        (
            {"hgvs_c": "NM_017662.5:c.1638+3000A>G", "hgvs_p": "", "kind": "intronic"},
            "names it from the nearer exon as c.1639-1148",
        ),
        ({"hgvs_c": "NM_017662.5:c.2238+3A>G", "hgvs_p": "", "kind": "splice"}, None),
        ({"hgvs_c": "NM_017662.5:c.-65-5A>G", "hgvs_p": "", "kind": "utr"}, "upstream of exon 1"),
        ({"hgvs_c": "NM_017662.5:c.102_100del", "hgvs_p": "", "kind": "frameshift"}, "runs backwards"),
        ({"hgvs_c": "NM_017662.5:c.100_102insA", "hgvs_p": "", "kind": "frameshift"}, "two adjacent positions"),
        ({"hgvs_c": "NM_017662.5:c.100_102delAG", "hgvs_p": "", "kind": "frameshift"}, "do not fit the range"),
        ({"hgvs_p": "", "exon": "6", "kind": "missense"}, "exon-level entries have kind"),
        ({"hgvs_p": "", "exon": "", "kind": "exon_deletion"}, "the exon column is empty"),
        ({"hgvs_p": "", "exon": "40", "kind": "exon_deletion"}, "outside exons 1..39"),
        ({"hgvs_p": "", "exon": "8-6", "kind": "exon_deletion"}, "runs backwards"),
        ({"hgvs_p": ""}, "no hgvs_c, hgvs_p or exon given"),
    ],
)
def test_invalid_entries_are_refused(tmp_path, cells, expect):
    from hshpipe.curation import load_curated_table

    base = {"id": "E1", "hgvs_p": "NP_060132.3:p.Ser141Leu"}
    path = write_table(tmp_path / "t.tsv", {**base, **cells})
    if expect is None:
        assert load_curated_table(path).entries[0].id == "E1"
        return
    with pytest.raises(InputError) as exc:
        load_curated_table(path)
    assert str(exc.value).startswith(f"{path}:3: entry E1: ")
    assert expect in str(exc.value)


def test_structure_errors(tmp_path):
    from hshpipe.curation import load_curated_table

    p = write_table(tmp_path / "dup.tsv", {"id": "A"}, {"id": "A"})
    with pytest.raises(InputError, match=r"dup.tsv:4: entry A: id already used on line 3"):
        load_curated_table(p)
    p = tmp_path / "cols.tsv"
    p.write_text("## version: 1\nid\thgvs_c\n")
    with pytest.raises(InputError, match=r"cols.tsv:2: header lacks column\(s\) hgvs_p"):
        load_curated_table(p)
    p = write_table(tmp_path / "short.tsv", {"id": "A"})
    p.write_text(p.read_text() + "B\tonly two\n")
    with pytest.raises(InputError, match=r"short.tsv:4: 2 tab-separated cells but the header has 10"):
        load_curated_table(p)
    with pytest.raises(InputError, match="curated table not found"):
        load_curated_table(tmp_path / "missing.tsv")


def test_dot_means_empty_and_extra_columns_are_kept_out(tmp_path):
    from hshpipe.curation import load_curated_table

    p = tmp_path / "t.tsv"
    p.write_text(
        "## version: lab-3\n" + "\t".join(COLS + ("lab_note",)) + "\n"
        "L1\t.\tNP_060132.3:p.Ser141Leu\t.\tmissense\tpathogenic\tprimary\tin-house: case 12\tseen twice\t"
        "2026-01-05\tanything\n"
    )
    t = load_curated_table(p)
    assert t.version == "lab-3" and t.entries[0].hgvs_c is None and t.entries[0].exon is None


def test_checked_table_round_trip_and_key(table, tmp_path):
    """The batch jobs read the table as rule curated_table wrote it: the same entries; the key changes with the
    table's bytes and its path (the compiled table names the path), not with reading it again."""
    import shutil

    from hshpipe.curation import CuratedTable, checked_table_key

    assert CuratedTable.from_json(table.to_json()) == table
    key = checked_table_key(TABLE, "1.0")
    assert key == checked_table_key(TABLE, "1.0") != checked_table_key(TABLE, "1.1")
    copy = tmp_path / "t.tsv"
    shutil.copyfile(TABLE, copy)
    assert checked_table_key(copy, "1.0") != key
    before = checked_table_key(copy, "1.0")
    copy.write_text(copy.read_text().replace("2026", "2025", 1))
    assert checked_table_key(copy, "1.0") != before


def test_reference_checks_at_compile_time(tmp_path, cache38):
    from hshpipe.curation import load_curated_table

    # the stand-in has C at c.1769: a table saying A is refused against this reference
    p = write_table(
        tmp_path / "ref.tsv",
        {"id": "R1", "hgvs_c": "NM_017662.5:c.1769A>G", "hgvs_p": "", "kind": "coding_substitution"},
    )
    t = load_curated_table(p)
    with pytest.raises(InputError) as exc:
        t.compile(cache38)
    msg = str(exc.value)
    assert msg.startswith(f"{p}:3: entry R1: c.1769 is C in this reference, not A")
    assert cache38.reference in msg
    # c. and p. that disagree on this reference: c.4287C>A makes Ter, not Trp
    p = write_table(
        tmp_path / "prot.tsv", {"id": "R2", "hgvs_c": "NM_017662.5:c.4287C>A", "hgvs_p": "NP_060132.3:p.Cys1429Trp"}
    )
    with pytest.raises(
        InputError, match=r"R2: NM_017662.5:c.4287C>A gives p.Cys1429Ter .* not NP_060132.3:p.Cys1429Trp"
    ):
        load_curated_table(p).compile(cache38)


def test_bundled_table_validates_against_the_json_schema():
    """Every row of the bundled table passes the JSON-Schema as snakemake.utils.validate would apply it."""
    import pandas as pd
    from snakemake.utils import validate

    df = pd.read_csv(TABLE, sep="\t", comment="#", dtype=str, keep_default_na=False)
    validate(df, str(ROOT / "workflow" / "schemas" / "curated_table.schema.yaml"))
    assert len(df) == 7


# --- ClinVar --------------------------------------------------------------------------------------------------
def test_clinvar_records_become_entries(compiled38_cv, cache38):
    cv = {c.entry.id: c for c in compiled38_cv.entries if c.entry.evidence_tier == "clinvar"}
    assert set(cv) == {"ClinVar:900001", "ClinVar:900004", "ClinVar:900005", "ClinVar:900007"}  # 900006 outside
    assert any("900002" in s and "Conflicting" in s for s in compiled38_cv.skipped)
    e1 = cv["ClinVar:900001"]
    assert e1.entry.classification == "pathogenic" and e1.entry.stars == 2
    assert e1.variant.chrom == "chr9"  # ClinVar's '9' on the reference's naming
    assert e1.codon == 200  # a 2-star pathogenic missense gives a PM5 codon key
    assert cv["ClinVar:900005"].entry.stars == 0 and cv["ClinVar:900005"].codon is None  # no assertion criteria
    assert cv["ClinVar:900007"].entry.stars == 3
    # the 1-bp deletion is kept left-aligned
    v7 = cv["ClinVar:900007"].variant
    from hshpipe.curation import normalise_allele

    assert normalise_allele(cache38, v7.pos, v7.ref, v7.alt) == (v7.pos, v7.ref, v7.alt)
    assert str(CLINVAR) in compiled38_cv.sources


def test_clinvar_build_mismatch_is_an_error(tmp_path, table, cache38, cache37):
    bad = tmp_path / "cv.vcf"
    text = CLINVAR.read_text()
    with pytest.raises(InputError, match="use the ClinVar VCF of GRCh37"):
        table.compile(cache37, clinvar_vcf=CLINVAR)
    # same contig length but REF alleles of another reference
    lines = [
        ln if ln.startswith("#") or "900001" not in ln else ln.replace("\tG\tT\t", "\tC\tT\t")
        for ln in text.splitlines()
    ]
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"record 900001 at 9:\d+ has REF C but .* has G"):
        table.compile(cache38, clinvar_vcf=bad)
    notcv = tmp_path / "plain.vcf"
    notcv.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=9,length=138394717>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    )
    with pytest.raises(InputError, match="no INFO/CLNSIG"):
        table.compile(cache38, clinvar_vcf=notcv)


# --- matching at five levels -----------------------------------------------------------------------------------
def test_genomic_match(compiled38, cache38):
    g = cache38.transcript.genomic_of_c(CPos(1638, 7))
    v = Variant("chr9", g, "A", "G")
    m = compiled38.match(
        v,
        make_ann(
            ("splice_region_variant", "intron_variant"), hgvs_c="NM_017662.5:c.1638+7T>C", hgvs_p="NP_060132.3:p.?"
        ),
    )
    assert (m.level, m.entry.hgvs_c) == ("genomic", "NM_017662.5:c.1638+7T>C")
    assert m.id == m.entry.id and m.to_json() == {"id": m.entry.id, "level": "genomic"}
    # without an annotation only the genomic level can match
    assert compiled38.match(v, None).level == "genomic"


def test_cdna_match_for_another_representation(compiled38, cache38):
    """The same c. change written as an untrimmed MNV: no genomic key, the c. name matches."""
    g = cache38.transcript.genomic_of_c(CPos(1638, 7))
    nxt = cache38.fetch(g + 1, g + 1)
    v = Variant("chr9", g, "A" + nxt, "G" + nxt)
    from hshpipe.consequence import annotate

    ann = annotate(v, cache38)  # the annotation's typed c. change, not its display name, is matched
    assert ann.hgvs_c == "NM_017662.5:c.1638+7T>C"
    m = compiled38.match(v, ann)
    assert m.level == "cdna" and m.entry.hgvs_c == "NM_017662.5:c.1638+7T>C"
    # c. comparison ignores the optional stated bases: c.700delX == c.700del
    from hshpipe.hgvs_parser import parse_c

    assert parse_c("NM_017662.5:c.700delG").key() == parse_c("NM_017662.5:c.700del").key()
    assert parse_c("c.700delG").key() != parse_c("c.701del").key()


def test_protein_match_homozygous_s141l_by_another_codon(compiled38, cache38):
    from hshpipe.reference import GENETIC_CODE

    _, old = codon_bases(cache38, 141)
    assert GENETIC_CODE[old] == "S"
    leu = next(c for c in ("TTA", "TTG", "CTT", "CTC", "CTA", "CTG") if c != old)
    v = variant_for_codon(cache38, 141, leu)
    ann = make_ann(("missense_variant",), hgvs_p="NP_060132.3:p.(Ser141Leu)", protein_start=141, ref_aa="S", alt_aa="L")
    m = compiled38.match(v, ann)
    assert m.level == "protein" and m.entry.hgvs_p == "NP_060132.3:p.Ser141Leu"


def test_codon_match_other_missense_at_pathogenic_codon(compiled38, cache38):
    v = variant_for_codon(cache38, 141, "TGG")  # Ser141Trp
    ann = make_ann(("missense_variant",), protein_start=141, ref_aa="S", alt_aa="W")
    m = compiled38.match(v, ann)
    assert m.level == "codon" and m.entry.hgvs_p == "NP_060132.3:p.Ser141Leu"
    # a nonsense at that codon is not PM5; a missense at a benign-entry codon is not either
    assert compiled38.match(v, make_ann(("stop_gained",), protein_start=141, ref_aa="S", alt_aa="*")) is None
    assert compiled38.match(v, make_ann(("missense_variant",), protein_start=1393, ref_aa="V", alt_aa="L")) is None


def test_protein_match_for_benign_polymorphism(compiled38):
    v = Variant("chr9", 74750000, "A", "G")
    m = compiled38.match(v, make_ann(("missense_variant",), protein_start=1584, ref_aa="K", alt_aa="E"))
    assert m.level == "protein" and m.entry.classification == "likely_benign"


def test_exon_match(compiled38, cache38):
    e6 = next(e for e in cache38.transcript.exons if e.number == 6)
    sv = Variant("chr9", e6.start - 200, "N", "<DEL>")
    m = compiled38.match(sv, make_ann(("exon_loss_variant", "feature_truncation"), exons_affected=(6,)))
    assert m.level == "exon" and m.entry.exons == (6,)
    big = compiled38.match(sv, make_ann(("exon_loss_variant",), exons_affected=(5, 6, 7)))
    assert big.level == "exon"
    dup = Variant("chr9", e6.start - 200, "N", "<DUP>")
    assert compiled38.match(dup, make_ann(("feature_elongation",), exons_affected=(6,))) is None
    assert compiled38.match(sv, make_ann(("exon_loss_variant",), exons_affected=(7,))) is None


def test_no_match_for_a_novel_variant(compiled38):
    v = Variant("chr9", 74760000, "C", "T")
    assert compiled38.match(v, make_ann(("synonymous_variant",), protein_start=1500, ref_aa="L", alt_aa="L")) is None


def test_level_precedence_and_table_before_clinvar(tmp_path, cache38):
    """genomic beats protein for the same change; a table entry beats a ClinVar record at the same level."""
    from hshpipe.curation import load_curated_table
    from hshpipe.reference import GENETIC_CODE, revcomp

    gs, old = codon_bases(cache38, 200)
    # the ClinVar test record 900001 is a missense at codon 200 base 1: make the same change a table entry too
    cv = [ln.split("\t") for ln in CLINVAR.read_text().splitlines() if "900001" in ln][0]
    pos, ref, alt = int(cv[1]), cv[3], cv[4]
    k = gs.index(pos)
    new = old[:k] + revcomp(alt) + old[k + 1 :]
    aa_old, aa_new = GENETIC_CODE[old], GENETIC_CODE[new]
    from hshpipe.hgvs_parser import AA1_TO_3

    c_name = f"NM_017662.5:c.{3 * 200 - 2 + k}{old[k]}>{new[k]}"
    p_name = f"NP_060132.3:p.{AA1_TO_3[aa_old]}200{AA1_TO_3[aa_new]}"
    path = write_table(
        tmp_path / "t.tsv", {"id": "P_ONLY", "hgvs_p": p_name}, {"id": "C_AND_P", "hgvs_c": c_name, "hgvs_p": p_name}
    )
    ct = load_curated_table(path).compile(cache38, clinvar_vcf=CLINVAR)
    v = Variant("chr9", pos, ref, alt)
    ann = make_ann(("missense_variant",), hgvs_c=c_name, protein_start=200, ref_aa=aa_old, alt_aa=aa_new)
    ms = ct.matches(v, ann)
    assert [(m.id, m.level) for m in ms] == [
        ("C_AND_P", "genomic"),
        ("ClinVar:900001", "genomic"),
        ("P_ONLY", "protein"),
    ]
    assert ct.match(v, ann).id == "C_AND_P"


def test_indexed_clinvar_vcf_is_read_through_the_index(tmp_path, table, cache38, compiled38_cv):
    import pysam

    gz = tmp_path / "clinvar.vcf.gz"
    pysam.tabix_compress(str(CLINVAR), str(gz), force=True)
    pysam.tabix_index(str(gz), preset="vcf", force=True)
    ct = table.compile(cache38, clinvar_vcf=gz)
    got = {(c.entry.id, c.variant) for c in ct.entries if c.entry.evidence_tier == "clinvar"}
    want = {(c.entry.id, c.variant) for c in compiled38_cv.entries if c.entry.evidence_tier == "clinvar"}
    assert got == want and len(got) == 4
    assert ct.provenance() == {
        "curated_table_version": "2026-11-27.1",
        "sources": [str(TABLE), str(gz)],
        "entries": 7,
        "clinvar_entries": 4,
        "clinvar_skipped": 1,
    }


def test_two_entries_for_one_allele_are_refused_at_compile_time(tmp_path, cache38):
    from hshpipe.curation import load_curated_table

    p = write_table(
        tmp_path / "t.tsv",
        {"id": "A1", "hgvs_c": "NM_017662.5:c.1769C>G", "hgvs_p": "", "kind": "coding_substitution"},
        {
            "id": "A2",
            "hgvs_c": "NM_017662.5:c.1769C>G",
            "hgvs_p": "",
            "kind": "coding_substitution",
            "classification": "benign",
        },
    )
    with pytest.raises(
        InputError,
        match=r"t.tsv:4: entry A2: the same allele as entry A1 \(line 3\) on GRCh38 "
        r"\(chr9:74802138 G>C after normalisation\); merge the two entries",
    ):
        load_curated_table(p).compile(cache38)


def test_deletion_written_at_either_end_of_a_repeat_is_one_allele(tmp_path, cache38):
    """A 1-bp deletion inside a homopolymer named at its first or last base compiles to the same left-aligned
    allele; as two entries they are refused, as one entry a VCF allele anywhere in the run matches it."""
    from hshpipe.curation import genomic_of_edit, load_curated_table
    from hshpipe.hgvs_parser import parse_c

    t = cache38.transcript
    # a run of >= 3 identical transcript-strand bases inside the CDS
    for c in range(10, t.cds_length - 10):
        g = [t.genomic_of_c(CPos(c + k)) for k in range(3)]
        if abs(g[2] - g[0]) == 2 and len(set(cache38.fetch(min(g), max(g)))) == 1:
            break
    a = genomic_of_edit(cache38, parse_c(f"c.{c}del"))
    b = genomic_of_edit(cache38, parse_c(f"c.{c + 2}del"))
    assert a == b
    p = write_table(
        tmp_path / "t.tsv",
        {"id": "D1", "hgvs_c": f"NM_017662.5:c.{c}del", "hgvs_p": "", "kind": "frameshift"},
        {"id": "D2", "hgvs_c": f"NM_017662.5:c.{c + 2}del", "hgvs_p": "", "kind": "frameshift"},
    )
    with pytest.raises(InputError, match="entry D2: the same allele as entry D1"):
        load_curated_table(p).compile(cache38)


def test_clinvar_multiallelic_and_out_of_cache_records(tmp_path, table, cache38):
    """A record with two ALTs gives two entries (ids carry the allele); one reaching past the gene cache is
    listed as skipped, not an error."""
    t = cache38.transcript
    g = t.genomic_of_c(CPos(1000))
    ref = cache38.fetch(g, g)
    alts = [b for b in "ACGT" if b != ref][:2]
    far = cache38.region_end - 5  # a 20-bp deletion running off the end of the cached region
    text = CLINVAR.read_text().splitlines()
    head = [ln for ln in text if ln.startswith("#")]
    recs = [
        f"9\t{g}\t900100\t{ref}\t{','.join(alts)}\t.\t.\tCLNSIG=Likely_pathogenic;"
        "CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts",
        f"9\t{far}\t900101\t{'A' * 20}\tA\t.\t.\tCLNSIG=Benign;CLNREVSTAT=criteria_provided,_single_submitter",
    ]
    vcf = tmp_path / "cv.vcf"
    vcf.write_text("\n".join(head + recs) + "\n")
    from hshpipe.curation.clinvar import load_clinvar_vcf

    with pytest.MonkeyPatch.context() as mp:
        # widen the TRPM6 span (for this test only) so that the far record counts as inside the gene
        mp.setattr(type(t), "end", property(lambda self: far + 100))
        entries, skipped = load_clinvar_vcf(vcf, cache38)
    ids = sorted(e.id for e, _ in entries)
    assert ids == [f"ClinVar:900100:{alts[0]}", f"ClinVar:900100:{alts[1]}"]
    assert all(e.classification == "likely_pathogenic" and e.stars == 2 for e, _ in entries)
    assert any("900101" in s and "beyond the TRPM6 region" in s for s in skipped)


def test_same_table_compiles_on_grch37(table, compiled38, cache37):
    """Exons 2-39 sit at GRCh37 = GRCh38 + 2,614,916 (SOURCES.md): every exon-level and intronic key moves by it."""
    ct37 = table.compile(cache37)
    off = 2_614_916
    for a, b in zip(compiled38.entries, ct37.entries):
        assert a.entry.id == b.entry.id
        if a.variant is not None:
            assert (b.variant.chrom, b.variant.pos, b.variant.ref, b.variant.alt) == (
                "9",
                a.variant.pos + off,
                a.variant.ref,
                a.variant.alt,
            )
        assert [(n, s + off, e + off) for n, s, e in a.exon_ranges] == list(b.exon_ranges)
        assert a.protein == b.protein
