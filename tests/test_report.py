"""Reports: report.json schema, TSV, HTML (escaping, order, banner, coverage), run summary."""

from __future__ import annotations

import copy
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hshpipe import outputs
from hshpipe import report as rp

ROOT = Path(__file__).resolve().parents[1]

GENERATED_ON = "2025-01-31"
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4
SHA_C = "fedcba9876543210" * 4

# GRCh38 exons of NM_017662.5 that the fixtures place variants in (from resources/trpm6/transcript.GRCh38.json).
EXON4 = (74842166, 74842343)
EXON16_POS = 74797000


# ------------------------------------------------------------------------------------------------
# fixtures: realistic report dicts as the pipeline builds them
# ------------------------------------------------------------------------------------------------


def provenance(alignments: str | None = None) -> dict[str, Any]:
    return {
        "pipeline_version": "0.1.0",
        "reference": {
            "path": "/data/ref/GRCh38_full_analysis_set.fa.gz",
            "build": "GRCh38",
            "contig": "chr9",
            "fingerprint": SHA_A,
        },
        "curated_table_version": "2025.01",
        "config_sha256": SHA_B,
        "inputs_sha256": {"vcf": SHA_C, "alignments": alignments},
        "thresholds": {"min_dp": 10, "min_gq": 20, "min_allele_balance": 0.2, "coverage_threshold": 20},
    }


POINTS = {"very_strong": 8, "strong": 4, "moderate": 2, "supporting": 1, "stand_alone": 0}
# criteria of the example variants, one plausible set per class (the points follow from them)
EXAMPLE_CRITERIA: dict[str, list[dict[str, str]]] = {
    "pathogenic": [
        {"code": "PVS1", "strength": "very_strong", "direction": "pathogenic", "reason": "nonsense, NMD predicted"},
        {
            "code": "PM3",
            "strength": "moderate",
            "direction": "pathogenic",
            "reason": "in trans with a pathogenic allele",
        },
    ],
    "likely_pathogenic": [
        {"code": "PVS1", "strength": "very_strong", "direction": "pathogenic", "reason": "frameshift, NMD predicted"}
    ],
    "uncertain_significance": [],
    "likely_benign": [{"code": "BP4", "strength": "supporting", "direction": "benign", "reason": "REVEL 0.2"}],
    "benign": [{"code": "BA1", "strength": "stand_alone", "direction": "benign", "reason": "faf95 0.11 > 0.05"}],
}


def variant(
    pos: int,
    ref: str,
    alt: str,
    *,
    hgvs_c: str,
    hgvs_p: str | None,
    consequence: list[str],
    impact: str,
    classification: str,
    rule: str,
    zygosity: str = "heterozygous",
    genotype: str = "0/1",
    exon: str | None = None,
    intron: str | None = None,
    curated: dict[str, Any] | None = None,
    qc_pass: bool = True,
    qc_flags: list[str] | None = None,
    filt: str = "PASS",
    dp: int | None = 42,
    gq: int | None = 99,
    ab: float | None = 0.48,
    phased: bool = False,
    phase_set: int | None = None,
    info: dict[str, str] | None = None,
    original: dict[str, Any] | None = None,
) -> dict[str, Any]:
    qualifying = classification in ("pathogenic", "likely_pathogenic") and qc_pass
    return {
        "chrom": "chr9",
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "original": original or {"chrom": "chr9", "pos": pos, "ref": ref, "alt": alt},
        "hgvs_g": f"NC_000009.12:g.{pos}{ref}>{alt}" if len(ref) == len(alt) == 1 else f"NC_000009.12:g.{pos}del",
        "hgvs_c": hgvs_c,
        "hgvs_p": hgvs_p,
        "consequence": consequence,
        "impact": impact,
        "exon": exon,
        "intron": intron,
        "genotype": genotype,
        "zygosity": zygosity,
        "phased": phased,
        "phase_set": phase_set,
        "classification": classification,
        "classification_rule": rule,
        "criteria": EXAMPLE_CRITERIA[classification],
        "points": sum(
            POINTS[c["strength"]] * (1 if c["direction"] == "pathogenic" else -1)
            for c in EXAMPLE_CRITERIA[classification]
        ),
        "criteria_not_assessed": ["PM2, BA1, BS1, BS2: not assessed (no population file given)"],
        "population": None,
        "curated_match": curated,
        "qualifying": qualifying,
        "qc_pass": qc_pass,
        "qc_flags": qc_flags or [],
        "qc": {"filter": filt, "dp": dp, "gq": gq, "allele_balance": ab},
        "haplotype": None,
        "info": info if info is not None else {"DP": str(dp), "MQ": "60"},
    }


def coverage(source: str = "alignments", gap_exons: tuple[int, ...] = ()) -> dict[str, Any]:
    exons = []
    for n in range(1, 40):
        low = n in gap_exons
        exons.append(
            {
                "exon": n,
                "bases": 140,
                "mean_depth": 12.5 if low else 30.0 + (n * 7) % 25,
                "min_depth": 6 if low else 21 + n % 5,
                "fraction_at_threshold": 0.4 if low else 1.0,
            }
        )
    gaps = [
        {
            "exon": n,
            "start": 74842200,
            "end": 74842260,
            "c_start": "2210",
            "c_end": "2270",
            "min_depth": 6,
            "length": 61,
        }
        for n in gap_exons
    ]
    frac = 1.0 if not gap_exons else 0.9731
    cov: dict[str, Any] = {
        "source": source,
        "threshold": 20,
        "fraction_cds_at_threshold": frac,
        "target_bases": 39 * 140,
        "bases_at_threshold": round(frac * 39 * 140),
        "gaps": gaps,
        "exons": exons,
        "notes": ["Depth counted from reads with MAPQ >= 20 and base quality >= 13."],
    }
    if source == "alignments":
        cov["copy_number_flags"] = [
            {"kind": "half", "exons": [n], "mean_depth": 12.5, "median_exon_depth": 42.0, "ratio": 0.3}
            for n in gap_exons
        ]
    return cov


def provenance_with_sheet(alignments: str | None = None) -> dict[str, Any]:
    return {**provenance(alignments), "sample_sheet": {"line": 2, "sex": "female", "family": "F01"}}


def report(sample: str, verdict: str, verdict_text: str, **fields: Any) -> dict[str, Any]:
    """A report dict, keys in the schema's order: a TRPM6 sample (VCF column of the same name) on GRCh38 with
    nothing reported, nothing filtered, no coverage; `fields` set the other keys."""
    rep: dict[str, Any] = {
        "schema_version": rp.SCHEMA_VERSION,
        "sample": sample,
        "vcf_sample": sample,
        "gene": "TRPM6",
        "genome_build": "GRCh38",
        "transcript": "NM_017662.5",
        "protein": "NP_060132.3",
        "synthetic_reference": False,
        "verdict": verdict,
        "verdict_text": verdict_text,
        "verdict_notes": [],
        "variants": [],
        "filtered": [],
        "sample_qc": None,
        "coverage": None,
        "provenance": provenance(),
    }
    assert rep.keys() >= fields.keys(), f"not report keys: {fields.keys() - rep.keys()}"
    return rep | fields


def biallelic_report(**over: Any) -> dict[str, Any]:
    stop = variant(
        74842250,
        "G",
        "A",
        hgvs_c="NM_017662.5:c.2207C>T",
        hgvs_p="NP_060132.3:p.(Arg736Ter)",
        consequence=["stop_gained"],
        impact="HIGH",
        classification="pathogenic",
        rule="Curated pathogenic (HSH-0007, same genomic allele)",
        zygosity="homozygous",
        genotype="1/1",
        exon="4/39",
        ab=1.0,
        curated={
            "id": "HSH-0007",
            "level": "genomic",
            "classification": "pathogenic",
            "evidence_tier": "A",
            "source": "literature",
            "evidence": "PMID:12032568; Homozygous in two families; doi:10.1038/ng889",
        },
    )
    vus = variant(
        EXON16_POS,
        "C",
        "T",
        hgvs_c="NM_017662.5:c.2993G>A",
        hgvs_p="NP_060132.3:p.(Arg998Gln)",
        consequence=["missense_variant"],
        impact="MODERATE",
        classification="uncertain_significance",
        rule="Novel missense: uncertain significance",
        exon="16/39",
    )
    lowqc = variant(
        74800100,
        "CA",
        "C",
        hgvs_c="NM_017662.5:c.2800del",
        hgvs_p="NP_060132.3:p.(Trp934GlyfsTer12)",
        consequence=["frameshift_variant"],
        impact="HIGH",
        classification="likely_pathogenic",
        rule="Novel null variant (frameshift) in a loss-of-function gene",
        exon="15/39",
        qc_pass=False,
        qc_flags=["low_depth", "low_gq"],
        dp=4,
        gq=9,
        ab=0.25,
        filt="LowQual",
        original={"chrom": "chr9", "pos": 74800100, "ref": "CAA", "alt": "CA,C"},
    )
    benign = variant(
        74722900,
        "T",
        "C",
        hgvs_c="NM_017662.5:c.*1200A>G",
        hgvs_p=None,
        consequence=["3_prime_UTR_variant"],
        impact="MODIFIER",
        classification="benign",
        rule="Common in population (BA1)",
        exon="39/39",
        genotype="0|1",
        phased=True,
        phase_set=74722900,
    )
    rep = report(
        "HSH-001",
        "biallelic",
        "Homozygous pathogenic variant c.2207C>T p.(Arg736Ter): two loss-of-function alleles.",
        vcf_sample="NA12878_HSH001",
        verdict_notes=["Confirm by an orthogonal method before reporting."],
        variants=[benign, vus, stop, lowqc],
        filtered=[
            {
                "chrom": "chr9",
                "pos": 74850000,
                "ref": "A",
                "alt": "G",
                "reason": "genotype 0/0 (reference) in this sample",
            },
            {"chrom": "chr9", "pos": 74810000, "ref": "T", "alt": "TA", "reason": "no call (./.)"},
        ],
        sample_qc={
            "records_in_region": 9,
            "variants_reported": 4,
            "records_filtered": 2,
            "homozygous_reference_records": 3,
            "missing_genotype_records": 1,
        },
        coverage=coverage(gap_exons=(12,)),
        provenance=provenance_with_sheet(alignments=SHA_A),
    )
    return rep | over


def negative_report(**over: Any) -> dict[str, Any]:
    syn = variant(
        74842300,
        "G",
        "A",
        hgvs_c="NM_017662.5:c.2157C>T",
        hgvs_p="NP_060132.3:p.(Ser719=)",
        consequence=["synonymous_variant"],
        impact="LOW",
        classification="likely_benign",
        rule="Synonymous, not near a splice site (BP7)",
        exon="4/39",
    )
    rep = report(
        "HSH-002",
        "negative",
        "No pathogenic or likely pathogenic TRPM6 variant passing QC was found.",
        synthetic_reference=True,
        variants=[syn],
        sample_qc={"records_in_region": 1, "variants_reported": 1, "records_filtered": 0},
        coverage=coverage(source="gvcf", gap_exons=(12, 30)),
    )
    return rep | over


def inconclusive_report(**over: Any) -> dict[str, Any]:
    rep = report(
        "HSH-003",
        "inconclusive",
        "No usable genotype in the TRPM6 region: every record failed QC.",
        genome_build="GRCh37",
        verdict_notes=["Re-sequence or provide alignments."],
        filtered=[{"chrom": "9", "pos": 77412000, "ref": "C", "alt": "T", "reason": "FILTER LowQual"}],
        sample_qc={"records_in_region": 1, "variants_reported": 0, "records_filtered": 1},
        provenance={
            **provenance(),
            "reference": {"path": "/data/hs37d5.fa", "build": "GRCh37", "contig": "9", "fingerprint": SHA_A},
        },
    )
    return rep | over


def evil_report() -> dict[str, Any]:
    """Every input-derived string carries markup."""
    rep = biallelic_report(sample="<script>alert(1)</script>", vcf_sample="<b>x</b>")
    rep["variants"][0]["info"] = {"ANN": '"onmouseover="alert(1)', "<k>": "v&w"}
    rep["variants"][1]["qc"]["filter"] = "<LowQual;q<10"
    rep["variants"][1]["qc_flags"] = ["<img src=x onerror=alert(2)>"]
    rep["variants"][2]["curated_match"]["evidence"] = 'PMID:1 <script>alert(3)</script> doi:10.1/"><svg onload=x>'
    rep["filtered"][0]["reason"] = "<iframe src=javascript:alert(4)>"
    rep["verdict_notes"] = ["</style><script>alert(5)</script>"]
    rep["coverage"]["notes"] = ["<style>body{display:none}</style>"]
    return rep


# ------------------------------------------------------------------------------------------------
# HTML inspection helpers
# ------------------------------------------------------------------------------------------------


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TagCollector:
    p = TagCollector()
    p.feed(html)
    p.close()
    return p


EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def resource_urls(html: str) -> list[str]:
    """URLs the browser would load as resources (not plain <a> hyperlinks)."""
    p = parse(html)
    urls: list[str] = []
    for tag, attrs in p.tags:
        for name in ("src", "srcset", "data", "poster", "background", "xlink:href"):
            if attrs.get(name):
                urls.append(str(attrs[name]))
        if tag in ("link", "image", "use", "use") and attrs.get("href"):
            urls.append(str(attrs["href"]))
    for css in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I) + re.findall(r'style="([^"]*)"', html):
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
        urls += re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\");]+)", css)
    return urls


def no_event_handlers(html: str) -> bool:
    return all(not k.lower().startswith("on") for _, attrs in parse(html).tags for k in attrs)


# ------------------------------------------------------------------------------------------------
# schema
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = rp.load_report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("make", [biallelic_report, negative_report, inconclusive_report])
def test_example_reports_validate(make, validator) -> None:
    rep = make()
    assert list(validator.iter_errors(rep)) == []
    # and the JSON text round-trips to a valid document
    assert list(validator.iter_errors(json.loads(rp.sample_json(rep)))) == []
    rp.validate_report(rep)


def _errors(validator, rep) -> list[str]:
    return [e.message for e in validator.iter_errors(rep)]


def test_schema_rejects_contract_violations(validator) -> None:
    assert _errors(validator, biallelic_report(verdict="positive"))
    rep = biallelic_report()
    del rep["provenance"]["config_sha256"]
    assert _errors(validator, rep)
    rep = biallelic_report()
    rep["variants"][0]["zygosity"] = "het"
    assert _errors(validator, rep)
    rep = biallelic_report()
    rep["variants"][2]["curated_match"]["level"] = "gene"
    assert _errors(validator, rep)
    rep = biallelic_report(unexpected_field=1)
    assert _errors(validator, rep)
    rep = negative_report()
    rep["coverage"]["fraction_cds_at_threshold"] = 1.2
    assert _errors(validator, rep)


def test_schema_checks_verdict_consistency(validator) -> None:
    # biallelic without any qualifying variant
    rep = biallelic_report()
    for v in rep["variants"]:
        v["qualifying"] = False
    assert _errors(validator, rep)
    # possible compound het with one heterozygous qualifying variant only
    rep = biallelic_report(verdict="possible_compound_heterozygous")
    rep["variants"][2]["zygosity"], rep["variants"][2]["genotype"] = "heterozygous", "0/1"
    assert _errors(validator, rep)
    rep["verdict"] = "monoallelic"
    assert _errors(validator, rep) == []
    # negative with a qualifying variant
    assert _errors(validator, biallelic_report(verdict="negative"))
    # qualifying although QC failed
    rep = biallelic_report()
    rep["variants"][3]["qualifying"] = True
    assert _errors(validator, rep)


def test_validate_report_names_the_problem() -> None:
    rep = biallelic_report()
    rep["variants"][0]["pos"] = 0
    with pytest.raises(ValueError, match=r"variants/0/pos"):
        rp.validate_report(rep)


# ------------------------------------------------------------------------------------------------
# JSON
# ------------------------------------------------------------------------------------------------


def test_sample_json_format_and_determinism() -> None:
    rep = biallelic_report()
    text = rp.sample_json(rep)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert json.loads(text) == rep
    assert text.count("\n") == 1 and text.index('"coverage"') < text.index('"variants"')  # one line, sorted keys
    shuffled = dict(reversed(list(copy.deepcopy(rep).items())))
    assert rp.sample_json(shuffled).encode() == text.encode()


def test_sample_json_refuses_nan() -> None:
    rep = biallelic_report()
    rep["variants"][0]["qc"]["allele_balance"] = float("nan")
    with pytest.raises(ValueError):
        rp.sample_json(rep)


# ------------------------------------------------------------------------------------------------
# TSV
# ------------------------------------------------------------------------------------------------


def _tsv(text: str) -> list[dict[str, str]]:
    lines = text.rstrip("\n").split("\n")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_sample_tsv_columns_and_rows() -> None:
    rep = biallelic_report()
    text = rp.sample_tsv(rep)
    assert text.endswith("\n")
    assert text.split("\n")[0].split("\t") == list(rp.SAMPLE_TSV_COLUMNS)
    rows = _tsv(text)
    assert len(rows) == len(rep["variants"]) + len(rep["filtered"])
    variants, filtered = rows[:4], rows[4:]
    # variants in genomic order, then filtered records in genomic order
    assert [int(r["pos"]) for r in variants] == sorted(v["pos"] for v in rep["variants"])
    assert [int(r["pos"]) for r in filtered] == [74810000, 74850000]
    stop = next(r for r in variants if r["pos"] == "74842250")
    assert stop["sample"] == "HSH-001" and stop["verdict"] == "biallelic"
    assert stop["hgvs_c"] == "NM_017662.5:c.2207C>T" and stop["hgvs_p"] == "NP_060132.3:p.(Arg736Ter)"
    assert stop["zygosity"] == "homozygous" and stop["classification"] == "pathogenic"
    assert stop["rule"].startswith("Curated pathogenic")
    assert (stop["curated_id"], stop["curated_level"]) == ("HSH-0007", "genomic")
    assert stop["qualifying"] == "true" and stop["qc_pass"] == "true" and stop["allele_balance"] == "1"
    low = next(r for r in variants if r["pos"] == "74800100")
    assert low["qc_pass"] == "false" and low["qualifying"] == "false"
    assert low["qc_flags"] == "low_depth;low_gq" and low["filter"] == "LowQual"
    assert low["original"] == "chr9:74800100:CAA:CA,C"
    utr = next(r for r in variants if r["pos"] == "74722900")
    assert utr["hgvs_p"] == "" and utr["phased"] == "true" and utr["phase_set"] == "74722900"
    assert all(r["classification"] == "filtered" and r["reason"] for r in filtered)
    assert filtered[0]["reason"] == "no call (./.)"


def test_sample_tsv_multiple_consequences_and_sanitising() -> None:
    rep = negative_report()
    rep["variants"][0]["consequence"] = ["splice_region_variant", "synonymous_variant"]
    rep["variants"][0]["info"] = {"NOTE": "a\tb\nc"}
    rows = _tsv(rp.sample_tsv(rep))
    assert rows[0]["consequence"] == "splice_region_variant,synonymous_variant"
    assert rows[0]["info"] == "NOTE=a b c"


def test_sample_tsv_deterministic_and_order_independent() -> None:
    a = biallelic_report()
    b = biallelic_report()
    b["variants"].reverse()
    b["filtered"].reverse()
    assert rp.sample_tsv(a).encode() == rp.sample_tsv(b).encode()


def test_sample_tsv_empty_report_has_header_only() -> None:
    rep = inconclusive_report(filtered=[])
    assert rp.sample_tsv(rep) == "\t".join(rp.SAMPLE_TSV_COLUMNS) + "\n"


# ------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------


def test_html_is_deterministic() -> None:
    a = rp.sample_html(biallelic_report(), GENERATED_ON)
    b = biallelic_report()
    b["variants"].reverse()
    assert a.encode() == rp.sample_html(b, GENERATED_ON).encode()
    assert rp.sample_html(biallelic_report(), "2025-02-01") != a


def test_html_section_order_verdict_first() -> None:
    html = rp.sample_html(biallelic_report(), GENERATED_ON)
    markers = [
        'class="verdict v-biallelic"',
        "Qualifying variants (1)",
        "Other variants in TRPM6 (3)",
        "Filtered records (2)",
        "Coverage of the TRPM6 coding region",
        "Methods and limitations",
        "Provenance",
        "Review and sign-off",
    ]
    positions = [html.index(m) for m in markers]
    assert positions == sorted(positions)
    # the verdict box comes before any variant detail, in words as well as colour
    verdict_box = html[positions[0] : positions[1]]
    assert "Verdict: Biallelic" in verdict_box
    assert "consistent with a diagnosis of HSH" in verdict_box
    assert "Homozygous pathogenic variant c.2207C&gt;T" in verdict_box
    assert "Confirm by an orthogonal method" in verdict_box


def test_html_qualifying_variant_details_and_links() -> None:
    html = rp.sample_html(biallelic_report(), GENERATED_ON)
    q = html[html.index("Qualifying variants (1)") : html.index("Other variants in TRPM6")]
    for expected in (
        "c.2207C&gt;T",
        "p.(Arg736Ter)",
        "stop_gained",
        "Homozygous",
        "GT 1/1",
        "not applicable (homozygous)",
        "Pathogenic",
        "Curated pathogenic (HSH-0007",
        "HSH-0007",
        "same genomic allele",
        "evidence tier A",
        "DP 42",
        "GQ 99",
        "AB 1",
    ):
        assert expected in q, expected
    links = {a.get("href") for tag, a in parse(q).tags if tag == "a"}
    assert "https://pubmed.ncbi.nlm.nih.gov/12032568/" in links
    assert "https://doi.org/10.1038/ng889" in links
    # the QC-failed likely pathogenic frameshift is listed, marked as not counted
    others = html[html.index("Other variants in TRPM6") : html.index("Filtered records")]
    assert "c.2800del" in others and "Not counted toward the verdict: failed QC (low_depth, low_gq)" in others
    assert "chr9:74800100:CAA:CA,C" in others  # the caller's original record
    assert "phased, GT 0|1, phase set 74722900" in others
    # VUS before benign
    assert others.index("Uncertain significance") < others.index(">Benign<")


def test_html_filtered_and_coverage() -> None:
    html = rp.sample_html(biallelic_report(), GENERATED_ON)
    assert "no call (./.)" in html and "genotype 0/0 (reference) in this sample" in html
    cov = html[html.index("Coverage of the TRPM6") : html.index("Methods and limitations")]
    assert "97.3 %" in cov and "read alignments (BAM/CRAM)" in cov
    assert "c.2210_2270" in cov and "74842200-74842260" in cov
    svg = re.search(r"<svg.*?</svg>", cov, re.S)
    assert svg is not None
    assert svg.group(0).count("<rect") == 39
    assert 'class="thr"' in svg.group(0) and ">20x</tspan>" in svg.group(0)
    assert svg.group(0).count('class="bar-low"') == 1


def test_html_copy_number_flags_and_haplotype() -> None:
    rep = biallelic_report()
    rep["variants"][1]["haplotype"] = {
        "hgvs_c": "NM_017662.5:c.[2993G>A;2994C>T]",
        "hgvs_p": "NP_060132.3:p.(Arg998Ter)",
        "consequence": ["stop_gained"],
        "members": ["chr9:74797000:C:T", "chr9:74796999:G:A"],
    }
    rp.validate_report(rep)
    html = rp.sample_html(rep, GENERATED_ON)
    assert "Possible exon copy-number change" in html
    assert "Exon 12: about half the depth of the other exons: possible heterozygous deletion" in html
    assert "ratio 0.3" in html
    assert "c.[2993G&gt;A;2994C&gt;T] p.(Arg998Ter)" in html
    assert "5,313 of 5,460 bases" in html
    gvcf = rp.sample_html(negative_report(), GENERATED_ON)
    assert "Possible exon copy-number change" not in gvcf


def test_html_coverage_not_assessed() -> None:
    html = rp.sample_html(inconclusive_report(), GENERATED_ON)
    assert "Coverage not assessed" in html and "<svg" not in html
    assert "Verdict: Inconclusive" in html


def test_html_banner_iff_synthetic() -> None:
    for make, synthetic in ((biallelic_report, False), (negative_report, True), (inconclusive_report, False)):
        html = rp.sample_html(make(), GENERATED_ON)
        assert (rp.SYNTHETIC_BANNER in html) is synthetic
        assert ('class="banner"' in html) is synthetic
        # the banner precedes the verdict
        if synthetic:
            assert html.index('class="banner"') < html.index('class="verdict')
    flipped = rp.sample_html(biallelic_report(synthetic_reference=True), GENERATED_ON)
    assert rp.SYNTHETIC_BANNER in flipped


def test_html_self_contained_no_scripts() -> None:
    for make in (biallelic_report, negative_report, inconclusive_report):
        html = rp.sample_html(make(), GENERATED_ON)
        assert resource_urls(html) == []
        assert "<script" not in html.lower()
        assert "@media print" in html and "@page" in html
        hrefs = [a.get("href") or "" for tag, a in parse(html).tags if tag == "a"]
        assert all(h.startswith(("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/")) for h in hrefs)


def test_html_header_has_sample_and_date() -> None:
    html = rp.sample_html(negative_report(), GENERATED_ON)
    header = html[html.index('<header class="report-header">') : html.index("</header>")]
    assert "HSH-002" in header and GENERATED_ON in header
    # running print header (CSS escapes: letters and digits stay literal)
    assert "sample" in html[html.index("@top-left") : html.index("@top-right")]
    assert "Generated" in html[html.index("@top-right") : html.index("@bottom-left")]
    assert "Reviewed by" in html and "Signature" in html and ">Date<" in html


def test_unknown_verdict_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown verdict"):
        rp.sample_html(biallelic_report(verdict="maybe"), GENERATED_ON)


# ------------------------------------------------------------------------------------------------
# escaping (XSS)
# ------------------------------------------------------------------------------------------------


def test_html_escapes_every_input_string() -> None:
    html = rp.sample_html(evil_report(), GENERATED_ON)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"onmouseover="' not in html
    assert "&#34;onmouseover=&#34;alert(1)" in html
    assert "<LowQual" not in html and "&lt;LowQual;q&lt;10" in html
    assert "<img" not in lowered and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<iframe" not in lowered and "<svg onload" not in lowered
    assert "</style><script>" not in lowered
    assert lowered.count("</style>") == 1 and lowered.count("<style") == 1
    assert "<b>x</b>" not in html
    assert no_event_handlers(html)
    assert resource_urls(html) == []
    # the escaped text reads back as the original strings
    text = "".join(parse(html).text)
    assert "<script>alert(1)</script>" in text and '"onmouseover="alert(1)' in text
    # the evidence link is built from the DOI only and stays a doi.org URL
    hrefs = [a.get("href") or "" for tag, a in parse(html).tags if tag == "a"]
    assert all(h.startswith(("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/")) for h in hrefs)
    assert not any('"' in h or "<" in h or " " in h for h in hrefs)


def test_print_header_css_is_escaped() -> None:
    html = rp.sample_html(evil_report(), GENERATED_ON)
    style = re.search(r"<style>(.*)</style>", html, re.S).group(1)  # type: ignore[union-attr]
    top_left = style[style.index("@top-left") : style.index("@top-right")]
    assert "<" not in top_left and "script" in top_left
    assert re.fullmatch(r'@top-left \{ content: "[A-Za-z0-9\\]*"; [^"]*\}\s*', top_left)


def test_summary_escapes_sample_names() -> None:
    row = rp.summary_row(evil_report())
    html = rp.summary_html([row], GENERATED_ON, synthetic=False)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    links = [a.get("href") for tag, a in parse(html).tags if tag == "a"]
    assert links == [
        "samples/%3Cscript%3Ealert%281%29%3C%2Fscript%3E/%3Cscript%3Ealert%281%29%3C%2Fscript%3E.report.html"
    ]
    assert lowered_script_count(html) == 1  # only the sorting script
    assert no_event_handlers(html)


def lowered_script_count(html: str) -> int:
    return html.lower().count("<script")


def test_citation_segments() -> None:
    segs = rp.citation_segments(["PMID: 12032570", "see doi:10.1038/ng889."])
    assert [s["href"] for s in segs if s["href"]] == [
        "https://pubmed.ncbi.nlm.nih.gov/12032570/",
        "https://doi.org/10.1038/ng889",
    ]
    assert "".join(s["text"] or "" for s in segs).endswith("ng889.")
    assert rp.citation_segments(None) == []
    assert rp.citation_segments("no citation") == [{"text": "no citation", "href": None}]
    pubmed = rp.citation_segments("https://pubmed.ncbi.nlm.nih.gov/25741868/")
    assert pubmed == [{"text": "PMID:25741868", "href": "https://pubmed.ncbi.nlm.nih.gov/25741868/"}]


@pytest.mark.parametrize(
    ("values", "threshold", "expected"),
    [
        ([37.0, 55.0], 20, (60, 20)),
        ([12.0], 20, (30, 10)),
        ([], 20, (30, 10)),
        ([480.0], 20, (500, 100)),
        ([0.0], 1, (2, 1)),
        ([3100.0], 30, (4000, 1000)),
    ],
)
def test_depth_axis_round_ticks(values, threshold, expected) -> None:
    ymax, step = rp.depth_axis(values, threshold)
    assert (ymax, step) == expected
    assert ymax >= max([threshold * 1.5, *values]) and ymax // step <= 5 and ymax % step == 0


def test_percent_never_rounds_up_to_complete() -> None:
    assert rp.format_percent(0.99999) == "99.9 %"
    assert rp.format_percent(1.0) == "100.0 %"
    assert rp.format_percent(0.0) == "0.0 %"
    assert rp.format_percent(None) == "not assessed"


# ------------------------------------------------------------------------------------------------
# summary
# ------------------------------------------------------------------------------------------------


def test_summary_row() -> None:
    row = rp.summary_row(biallelic_report())
    assert row["sample"] == "HSH-001" and row["verdict"] == "biallelic"
    assert row["qualifying"] == [
        {"hgvs_c": "NM_017662.5:c.2207C>T", "hgvs_p": "NP_060132.3:p.(Arg736Ter)", "zygosity": "homozygous"}
    ]
    assert (row["n_variants"], row["n_qualifying"], row["n_qc_fail"], row["n_filtered"]) == (4, 1, 1, 2)
    assert row["qc_state"] == "review"
    assert row["coverage_fraction"] == 0.9731 and row["n_coverage_gaps"] == 1
    assert row["report_html"] == "samples/HSH-001/HSH-001.report.html"
    json.dumps(row)  # rows are plain JSON-able data
    assert rp.summary_row(inconclusive_report())["qc_state"] == "fail"
    assert rp.summary_row(inconclusive_report())["coverage_fraction"] is None
    clean = negative_report(coverage=coverage())
    assert rp.summary_row(clean)["qc_state"] == "pass"


def test_summary_tsv() -> None:
    rows = [rp.summary_row(r) for r in (negative_report(), inconclusive_report(), biallelic_report())]
    text = rp.summary_tsv(rows)
    assert text.split("\n")[0].split("\t") == list(rp.SUMMARY_TSV_COLUMNS)
    parsed = _tsv(text)
    assert [r["sample"] for r in parsed] == ["HSH-001", "HSH-002", "HSH-003"]
    assert parsed[0]["qualifying_hgvs_c"] == "NM_017662.5:c.2207C>T"
    assert parsed[0]["qualifying_hgvs_p"] == "NP_060132.3:p.(Arg736Ter)"
    assert parsed[0]["coverage_fraction"] == "0.9731" and parsed[2]["coverage_fraction"] == ""
    assert parsed[1]["synthetic_reference"] == "true"
    assert text == rp.summary_tsv(list(reversed(rows)))


def test_summary_html_counts_links_and_banner() -> None:
    reports = (negative_report(), inconclusive_report(), biallelic_report())
    rows = [rp.summary_row(r) for r in reports]
    html = rp.summary_html(rows, GENERATED_ON, synthetic=True)
    assert rp.SYNTHETIC_BANNER in html
    assert rp.SYNTHETIC_BANNER not in rp.summary_html(rows, GENERATED_ON, synthetic=False)
    counts = re.findall(r'<div class="count c-([a-z_]+)"><div class="n">(\d+)</div>', html)
    assert dict(counts) == {
        "biallelic": "1",
        "possible_compound_heterozygous": "0",
        "monoallelic": "0",
        "uncertain": "0",
        "negative": "1",
        "inconclusive": "1",
    }
    links = [a.get("href") for tag, a in parse(html).tags if tag == "a"]
    assert links == [f"samples/{s}/{s}.report.html" for s in ("HSH-001", "HSH-002", "HSH-003")]
    assert "c.2207C&gt;T p.(Arg736Ter) (hom)" in html
    assert "97.3 %" in html and "n/a" in html
    assert html == rp.summary_html(list(reversed(rows)), GENERATED_ON, synthetic=True)
    assert resource_urls(html) == []


def test_summary_stays_light_at_10000_samples() -> None:
    base = [rp.summary_row(r) for r in (negative_report(), inconclusive_report(), biallelic_report())]
    rows = []
    for i in range(10_000):
        r = dict(base[i % 3])
        r["sample"] = f"S{i:05d}"
        r["report_html"] = rp.report_href(r["sample"])
        rows.append(r)
    t0 = time.perf_counter()
    html = rp.summary_html(rows, GENERATED_ON, synthetic=False)
    tsv = rp.summary_tsv(rows)
    elapsed = time.perf_counter() - t0
    assert elapsed < 10, elapsed
    assert html.count("<tr>") == rp.PAGE_ROWS + 1  # one page server-rendered, every row in the JSON island
    assert html.count('null,"samples/S') == 10_000  # each sample's link in the island
    assert len(html.encode()) < 200 * 10_000  # < 200 bytes per sample (3.1 MB with every row in the DOM)
    assert len(tsv.split("\n")) == 10_002
    counts = dict(re.findall(r'<div class="count c-([a-z_]+)"><div class="n">(\d+)</div>', html))
    assert counts["negative"] == "3334" and counts["biallelic"] == "3333"


# ------------------------------------------------------------------------------------------------
# writers
# ------------------------------------------------------------------------------------------------


def test_write_sample_reports_refuses_unsafe_names(tmp_path: Path) -> None:
    for bad in ("../x", "a/b", "..", "<script>"):
        with pytest.raises(ValueError, match="file name"):
            outputs.write_sample_reports(biallelic_report(sample=bad), tmp_path, GENERATED_ON)
    assert list(tmp_path.iterdir()) == []


def test_write_sample_reports_and_summary(tmp_path: Path) -> None:
    rep = biallelic_report()
    paths = outputs.write_sample_reports(rep, tmp_path / "samples" / "HSH-001", GENERATED_ON)
    assert sorted(p.name for p in paths.values()) == [
        "HSH-001.report.html",
        "HSH-001.report.json",
        "HSH-001.variants.tsv",
    ]
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == rep
    assert paths["html"].read_bytes() == rp.sample_html(rep, GENERATED_ON).encode("utf-8")
    outputs.write_summary([rp.summary_row(rep)], tmp_path / "summary.tsv", tmp_path / "summary.html", GENERATED_ON)
    assert (tmp_path / "summary.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert b"\r\n" not in (tmp_path / "summary.tsv").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary files left


# ------------------------------------------------------------------------------------------------
# documentation and snakemake report captions stay in step with the code
# ------------------------------------------------------------------------------------------------


def test_outputs_doc_lists_every_tsv_column() -> None:
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for column in (*rp.SAMPLE_TSV_COLUMNS, *rp.SUMMARY_TSV_COLUMNS):
        assert f"`{column}`" in doc, column
    for field in rp.load_report_schema()["required"]:
        assert f"`{field}`" in doc or f"`{field}[]`" in doc, field


@pytest.mark.parametrize("caption", sorted((ROOT / "workflow" / "report").glob("*.rst")), ids=lambda p: p.name)
def test_report_captions_are_valid_rst(caption: Path) -> None:
    import docutils.core
    import docutils.utils

    text = caption.read_text(encoding="utf-8")
    assert text.strip() and "{{" not in text and "{%" not in text  # snakemake renders captions with jinja
    docutils.core.publish_doctree(
        text, settings_overrides={"halt_level": docutils.utils.Reporter.WARNING_LEVEL, "report_level": 5}
    )


def test_caption_files_referenced_by_rules_exist() -> None:
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        for ref in re.findall(r'caption="\.\./report/([^"]+)"', smk.read_text(encoding="utf-8")):
            assert (ROOT / "workflow" / "report" / ref).is_file(), f"{smk.name}: {ref}"


def test_the_summary_job_imports_no_numpy():
    """Rule summary runs at the end of every run, on its critical path: the report code it imports (outputs,
    report) must not pull in numpy (~65 ms of its ~150 ms of imports before coverage was left out of it)."""
    import subprocess
    import sys

    code = "import sys, hshpipe.outputs\nassert 'numpy' not in sys.modules, 'numpy imported'\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
