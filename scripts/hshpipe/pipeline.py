"""One batch of samples: read each VCF once, annotate, classify, decide, write the per-sample reports.

Per-sample files are written under a temporary name and renamed last, so a killed job never leaves a report
that looks finished; the batch's tracked output (its summary rows) is written only after every report.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from . import report as rp
from .classify import classify
from .consequence import annotate, annotate_haplotype, annotate_sv
from .coverage import coverage_from_alignments, coverage_from_gvcf_blocks, describe_coverage
from .errors import InputError
from .model import Variant
from .qc import (
    call_qc,
    genotype_string,
    info_flags,
    low_confidence_reference,
    phase,
    sample_deletions,
    sv_type,
    sv_zygosity,
    with_deletions,
    zygosity,
    zygosity_flags,
)
from .reference import GeneCache, write_region_fasta
from .samplesheet import SampleRow
from .settings import Thresholds
from .vcfio import (
    Record,
    VcfHeader,
    declare_contig,
    file_sha256,
    inspect_vcf,
    normalise_region,
    read_records,
    readable_copy,
    region_of,
)
from .verdict import SampleCall, decide


@dataclass
class RunContext:
    cache: GeneCache
    region_fastas: dict[str, str]  # contig name -> bgzipped FASTA of the region at true coordinates
    curated: Any  # curation.CompiledTable
    thresholds: Thresholds
    outdir: Path
    config_sha256: str
    tmpdir: Path
    annotations: dict[tuple, Any] = field(default_factory=dict)
    checksums: dict[str, Any] = field(default_factory=dict)  # path -> Future[str] (hashed in a thread)

    def sha256(self, path: str) -> str:
        fut = self.checksums.get(path)
        return fut.result() if fut is not None else file_sha256(path)


# --- one VCF, many samples ------------------------------------------------------------------------------------


def region_fasta_for(ctx: RunContext, contig: str) -> str:
    if contig not in ctx.region_fastas:
        path = ctx.tmpdir / f"region.{contig}.fa.gz"
        ctx.region_fastas[contig] = str(write_region_fasta(ctx.cache, path, contig))
    return ctx.region_fastas[contig]


def check_ref_alleles(records: list[Record], ctx: RunContext, header: VcfHeader) -> set[int]:
    """Indices of records whose REF disagrees with the reference. Many disagreements = another build."""
    bad = set()
    checked = 0
    for i, r in enumerate(records):
        if r.kind not in ("small",):
            continue
        checked += 1
        try:
            expected = ctx.cache.fetch(r.pos, r.pos + len(r.ref) - 1)
        except IndexError:
            continue
        if expected != r.ref.upper():
            bad.add(i)
    if checked >= 3 and len(bad) > max(2, 0.2 * checked):
        raise InputError(
            f"{header.name}: REF alleles disagree with the reference {ctx.cache.reference} at {len(bad)} of "
            f"{checked} records in TRPM6: the VCF was called on another build or reference; use the matching FASTA"
        )
    return bad


def annotate_record(ctx: RunContext, r: Record):
    key = (r.kind, r.pos, r.ref, r.alt, r.end)
    if key not in ctx.annotations:
        if r.kind == "sv":
            svtype = r.info.get("SVTYPE") or r.alt.strip("<>").split(":")[0]
            ann = annotate_sv(ctx.cache.contig, r.pos + 1, r.end, svtype, ctx.cache)
        else:
            ann = annotate(Variant(ctx.cache.contig, r.pos, r.ref.upper(), r.alt.upper()), ctx.cache)
        match = ctx.curated.match(Variant(ctx.cache.contig, r.pos, r.ref.upper(), r.alt.upper()), ann)
        ctx.annotations[key] = (ann, match, classify(ann, match))
    return ctx.annotations[key]


def analyse_vcf(rows: list[SampleRow], ctx: RunContext) -> list[dict]:
    """Reports (dicts) for the samples of one VCF."""
    path = readable_copy(rows[0].vcf, ctx.tmpdir)
    header = inspect_vcf(
        path,
        ctx.cache,
        source=rows[0].vcf if str(path) != rows[0].vcf else None,
        allow_empty=all(row.alignments for row in rows),  # alignments can show a record-less VCF's region covered
    )
    columns = [vcf_column(row, header) for row in rows]
    tmp = ctx.tmpdir / f"norm.{abs(hash(header.path))}.vcf"
    fasta = region_fasta_for(ctx, header.contig)
    if not header.contig_declared:
        header = declare_contig(header, fasta, ctx.tmpdir)
    normalise_region(header, region_of(ctx.cache, header.contig), fasta, tmp)
    records = sorted(read_records(tmp, columns), key=lambda r: (r.pos, r.end, r.ref, r.alt))  # input order may vary
    tmp.unlink(missing_ok=True)
    bad_ref = check_ref_alleles(records, ctx, header)
    vcf_sha = ctx.sha256(rows[0].vcf)
    return [
        sample_report(row, j, col, records, bad_ref, vcf_sha, ctx) for j, (row, col) in enumerate(zip(rows, columns))
    ]


def vcf_column(row: SampleRow, header: VcfHeader) -> str:
    """The sample's column in the VCF: `vcf_sample`, else `sample`, else the only column of a single-sample VCF."""
    col = row.vcf_sample or row.sample
    if col in header.samples:
        return col
    if not row.vcf_sample and len(header.samples) == 1:
        return header.samples[0]
    have = ", ".join(header.samples[:5]) + (" ..." if len(header.samples) > 5 else "")
    what = (
        "set `vcf_sample` to the VCF's column name"
        if header.samples
        else "the VCF has no genotype columns; give a VCF with sample columns"
    )
    raise InputError(
        f"sample sheet line {row.line}: sample {row.sample}: no column {col!r} in "
        f"{header.name} (columns: {have or 'none'}); {what}"
    )


def _variant_key(r: Record) -> str:
    return f"{r.chrom}:{r.pos}:{r.ref}:{r.alt}"


def sample_report(
    row: SampleRow, j: int, column: str, records: list[Record], bad_ref: set[int], vcf_sha: str, ctx: RunContext
) -> dict:
    th = ctx.thresholds
    notes = (
        []
        if column == (row.vcf_sample or row.sample)
        else [f"VCF column {column!r} used for sample {row.sample!r} (single-sample VCF)"]
    )
    variants: list[dict] = []
    filtered: list[dict] = []
    calls: list[Any] = []
    blocks: list[tuple[int, int, int]] = []
    n_records = n_homref = n_missing = 0
    seen: set[tuple] = set()
    unsure: list[str] = []  # curated pathogenic sites without a confident call
    ref_mismatch: list[str] = []
    deletions = sample_deletions(records, j)
    for i, r in enumerate(records):
        n_records += 1
        gt = r.genotypes
        if r.kind == "small" and not gt.carrier[j] and not gt.missing[j]:  # fast path: reference call
            n_homref += 1
            unsure.extend(curated_site_not_called(r, gt, j, i in bad_ref, ctx))
            dp = gt.dp[j] if gt.dp is not None else None
            if dp is not None and dp >= 0:
                blocks.append((r.pos, r.pos + len(r.ref) - 1, int(dp)))
            continue
        g = gt[j]
        if r.kind == "cnv" and sv_type(r, g) is not None:  # <CNV> (Delly): a deletion or duplication per sample
            t = sv_type(r, g)
            r = dataclasses.replace(r, kind="sv", alt=f"<{t}>", info={**r.info, "SVTYPE": t})
        if r.kind in ("small", "sv") and any(a == 1 for a in g.alleles):
            ident = (r.pos, r.ref, r.alt, r.end)
            if ident in seen:
                filtered.append(_filtered(r, "duplicate of an earlier record with the same allele; reported once"))
                continue
            seen.add(ident)
        if r.kind == "block":
            depth = g.min_dp if g.min_dp is not None else g.dp
            if depth is not None and all(a in (0, -1) for a in g.alleles):
                blocks.append((r.pos, r.end, depth))
            if all(a == -1 for a in g.alleles):
                n_missing += 1
            continue
        cn_call = r.kind in ("sv", "cnv") and g.cn is not None  # copy-number callers: CN decides, not GT
        if all(a == -1 for a in g.alleles) and not cn_call:
            n_missing += 1
            filtered.append(_filtered(r, "no genotype call for this sample (./.)"))
            unsure.extend(curated_site_not_called(r, gt, j, i in bad_ref, ctx))
            continue
        zyg = sv_zygosity(r, g) if r.kind in ("sv", "cnv") else zygosity(g)
        if zyg is None:
            n_homref += 1
            if g.dp is not None and r.kind == "small":
                blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
            continue
        if r.kind == "symbolic":
            filtered.append(
                _filtered(r, f"symbolic allele {r.alt} is not interpreted by this pipeline; review by hand")
            )
            continue
        if r.kind == "sv" and r.end <= r.pos:
            filtered.append(
                _filtered(r, f"structural variant {r.alt} without END or SVLEN: extent unknown; review by hand")
            )
            continue
        if r.kind == "star":
            filtered.append(
                _filtered(r, "spanning deletion allele (*): the deletion itself is reported at its own record")
            )
            continue
        if i in bad_ref:
            try:
                exp = ctx.cache.fetch(r.pos, r.pos + len(r.ref) - 1)
            except IndexError:
                exp = "?"
            filtered.append(_filtered(r, f"REF {r.ref} does not match the reference ({exp}); not annotated"))
            ref_mismatch.append(f"{r.chrom}:{r.pos} (REF {r.ref}, reference {exp})")
            continue
        if r.kind == "small" and (r.pos < ctx.cache.region_start or r.pos + len(r.ref) - 1 > ctx.cache.region_end):
            filtered.append(_filtered(r, "extends beyond the cached TRPM6 region (+/-10 kb); review by hand"))
            continue
        ann, match, cls = annotate_record(ctx, r)  # an error here is a bug: let it surface
        if g.dp is not None and r.kind == "small":
            blocks.append((r.pos, r.pos + len(r.ref) - 1, g.dp))
        review: tuple[str, ...] = zygosity_flags(g, zyg, r.kind)
        if r.kind == "small":
            zyg, contradictions = with_deletions(zyg, r.pos, r.pos + len(r.ref) - 1, deletions)
            review += contradictions
        qc = call_qc(r, g, zyg, th, review)
        ph = phase(g, f"{r.chrom}:{r.original[1]}")
        v = {
            "chrom": r.chrom,
            "pos": r.pos,
            "ref": r.ref,
            "alt": r.alt,
            "original": {"chrom": r.original[0], "pos": r.original[1], "ref": r.original[2], "alt": r.original[3]},
            "hgvs_g": ann.hgvs_g,
            "hgvs_c": ann.hgvs_c,
            "hgvs_p": ann.hgvs_p,
            "consequence": list(ann.consequences),
            "impact": ann.impact,
            "exon": ann.exon,
            "intron": ann.intron,
            "genotype": genotype_string(g),
            "zygosity": zyg,
            "phased": ph.phased,
            "phase_set": ph.phase_set,
            "phase_source": ph.source,
            "classification": cls.classification,
            "classification_rule": cls.rule,
            "curated_match": _match_dict(match),
            "qc_pass": qc.passed,
            "qc_flags": list(qc.flags) + info_flags(g),
            "qc": {
                "filter": ";".join(r.filters),
                "dp": g.dp,
                "gq": g.gq,
                "allele_balance": qc.allele_balance,
                "state": qc.state,
                "fields_used": list(qc.fields_used),
                "depth": qc.depth,
                "qual": r.qual,
                "ft": g.ft,
                "cn": g.cn,
            },
            "haplotype": None,
            "info": dict(sorted(r.info.items())),
        }
        if ann.exons_affected:
            v["exons_affected"] = list(ann.exons_affected)
        v["qualifying"] = v["qc_pass"] and v["classification"] in ("pathogenic", "likely_pathogenic")
        variants.append(v)
        calls.append(
            SampleCall(
                key=_variant_key(r),
                classification=cls.classification,
                zygosity=zyg,
                phased=ph.phased,
                phase_set=ph.phase_set,
                haplotype=ph.haplotype,
                qc_pass=v["qc_pass"],
                pos=r.pos,
                hgvs_c=ann.hgvs_c,
                hgvs_p=ann.hgvs_p,
                qc_flags=qc.flags,
            )
        )
    apply_haplotypes(variants, calls, records, ctx)
    assessable = not (n_records > 0 and n_missing == n_records)
    coverage = sample_coverage(row, blocks, ctx, had_blocks=any(r.kind == "block" for r in records))
    cov_text = describe_coverage(coverage)
    unique_calls = list({c.key: c for c in reversed(calls)}.values())[::-1]  # one call per cis haplotype
    verdict = decide(unique_calls, assessable=assessable, coverage_note=cov_text)
    verdict = too_little_coverage(verdict, coverage, th)
    verdict = genotype_doubts(verdict, unsure, ref_mismatch)
    if coverage and verdict.verdict in ("monoallelic", "negative", "inconclusive"):
        notes = notes + [n for n in coverage.get("notes", []) if n not in notes]
    if n_records == 0:
        notes.append(
            "The VCF has no records in the TRPM6 region for any sample (variant-only VCF: "
            "absence of records is read as reference)."
        )
    report = {
        "schema_version": rp.SCHEMA_VERSION,
        "sample": row.sample,
        "vcf_sample": column,
        "gene": "TRPM6",
        "genome_build": ctx.cache.build,
        "transcript": ctx.cache.transcript.transcript_id,
        "protein": ctx.cache.transcript.protein_id,
        "synthetic_reference": ctx.cache.synthetic,
        "verdict": verdict.verdict,
        "verdict_text": verdict.text,
        "verdict_notes": list(verdict.notes) + notes,
        "variants": variants,
        "filtered": filtered,
        "sample_qc": {
            "records_in_region": n_records,
            "variants_reported": len(variants),
            "records_filtered": len(filtered),
            "homozygous_reference_records": n_homref,
            "missing_genotype_records": n_missing,
            "curated_sites_not_called": unsure,
            "ref_mismatches": ref_mismatch,
        },
        "coverage": coverage,
        "provenance": {
            "pipeline_version": __version__,
            "reference": {
                "path": ctx.cache.reference,
                "build": ctx.cache.build,
                "contig": ctx.cache.contig,
                "fingerprint": ctx.cache.reference_fingerprint,
            },
            "curated_table_version": ctx.curated.version,
            "config_sha256": ctx.config_sha256,
            "inputs_sha256": {"vcf": vcf_sha, "alignments": ctx.sha256(row.alignments) if row.alignments else None},
            "thresholds": th.as_dict(),
            "sample_sheet": {"line": row.line, **dict(row.extra)},
        },
    }
    return report


def curated_site_not_called(r: Record, gt: Any, j: int, bad_ref: bool, ctx: RunContext) -> list[str]:
    """A no-call or low-confidence reference call at a curated pathogenic/likely pathogenic site, in words."""
    if r.kind != "small" or bad_ref or r.pos < ctx.cache.region_start or r.pos + len(r.ref) - 1 > ctx.cache.region_end:
        return []
    how = low_confidence_reference(gt[j], ctx.thresholds)
    if how is None:
        return []
    ann, match, cls = annotate_record(ctx, r)
    if match is None or cls.classification not in ("pathogenic", "likely_pathogenic"):
        return []
    return [f"{ann.hgvs_c or _variant_key(r)} ({match.entry.classification.replace('_', ' ')}): {how}"]


def genotype_doubts(verdict: Any, unsure: list[str], ref_mismatch: list[str]) -> Any:
    """Curated pathogenic sites without a confident call are named in the verdict text; an allele whose REF does not
    match the reference makes the sample inconclusive, naming the position."""
    if unsure:
        text = (
            f"{verdict.text} Not excluded: no confident genotype at curated pathogenic site(s) "
            f"{'; '.join(unsure)}; review these sites before relying on this result."
        )
        verdict = dataclasses.replace(verdict, text=text)
    if ref_mismatch:
        text = (
            f"TRPM6 could not be fully assessed: the sample carries an allele whose REF does not match the reference "
            f"at {'; '.join(ref_mismatch)}; check the VCF against the reference it was called on. {verdict.text}"
        )
        verdict = dataclasses.replace(verdict, verdict="inconclusive", text=text)
    return verdict


def too_little_coverage(verdict: Any, coverage: dict | None, th: Thresholds) -> Any:
    """A negative resting on too little covered sequence cannot exclude anything: it becomes inconclusive."""
    if verdict.verdict != "negative" or coverage is None:
        return verdict
    frac = coverage.get("fraction_cds_at_threshold")
    if frac is None or frac >= th.min_covered_fraction:
        return verdict
    text = (
        f"TRPM6 could not be assessed: only {100 * frac:.1f}% of the coding sequence (+/-20 bp) reached "
        f"{th.coverage_threshold}x (at least {100 * th.min_covered_fraction:.0f}% is needed for a negative "
        f"result). {verdict.text}"
    )
    return dataclasses.replace(verdict, verdict="inconclusive", text=text)


def _filtered(r: Record, reason: str) -> dict:
    return {"chrom": r.chrom, "pos": r.pos, "ref": r.ref, "alt": r.alt, "reason": reason}


def apply_haplotypes(variants: list[dict], calls: list[Any], records: list[Record], ctx: RunContext) -> None:
    """Variants of one sample that touch the same codon and are known to be in cis (both homozygous, or phased
    het on the same haplotype of one phase set) get one combined protein change (`haplotype`)."""
    coding = [
        (i, v)
        for i, v in enumerate(variants)
        if v["hgvs_p"] and v["hgvs_p"] != f"{ctx.cache.transcript.protein_id}:p.?"
    ]
    used: set[int] = set()
    for a in range(len(coding)):
        ia, va = coding[a]
        if ia in used:
            continue
        group = [ia]
        for b in range(a + 1, len(coding)):
            ib, vb = coding[b]
            if ib in used or abs(vb["pos"] - va["pos"]) > _cis_window(va, vb):
                continue
            if _in_cis(calls[ia], calls[ib]):
                group.append(ib)
            elif calls[ia].zygosity == calls[ib].zygosity == "heterozygous" and not _same_set(calls[ia], calls[ib]):
                for x, y in ((ia, ib), (ib, ia)):
                    variants[x]["qc_flags"].append(
                        f"near {variants[y]['hgvs_c']} (same or adjacent codon), phase unknown: may be one event"
                    )
        if len(group) < 2:
            continue
        vs = [Variant(ctx.cache.contig, variants[k]["pos"], variants[k]["ref"], variants[k]["alt"]) for k in group]
        hap = annotate_haplotype(vs, ctx.cache)
        match = ctx.curated.match(combined_variant(vs, ctx.cache), hap)
        cls = classify(hap, match)
        members = [
            f"{variants[m]['chrom']}:{variants[m]['pos']}:{variants[m]['ref']}:{variants[m]['alt']}" for m in group
        ]
        for k in group:
            used.add(k)
            v = variants[k]
            v["haplotype"] = {
                "hgvs_c": hap.hgvs_c,
                "hgvs_p": hap.hgvs_p,
                "consequence": list(hap.consequences),
                "members": members,
            }
            v["classification"] = cls.classification
            v["classification_rule"] = f"{cls.rule} [combined change in cis: {hap.hgvs_c}, {hap.hgvs_p}]"
            v["curated_match"] = _match_dict(match)
            v["qualifying"] = v["qc_pass"] and cls.classification in ("pathogenic", "likely_pathogenic")
            calls[k] = dataclasses.replace(
                calls[k], classification=cls.classification, key=";".join(members), hgvs_c=hap.hgvs_c, hgvs_p=hap.hgvs_p
            )


def combined_variant(vs: list[Variant], cache: GeneCache) -> Variant:
    """One VCF-style allele for substitutions in cis (an MNV), so the curated table can match it genomically."""
    if any(len(v.ref) != len(v.alt) for v in vs):
        return vs[0]
    lo, hi = min(v.pos for v in vs), max(v.end for v in vs)
    alt = list(cache.fetch(lo, hi))
    for v in vs:
        alt[v.pos - lo : v.end - lo + 1] = list(v.alt)
    return Variant(vs[0].chrom, lo, cache.fetch(lo, hi), "".join(alt))


def _match_dict(match: Any) -> dict | None:
    if match is None:
        return None
    d = {
        "id": match.id,
        "level": match.level,
        "classification": match.entry.classification,
        "evidence_tier": match.entry.evidence_tier,
        "source": match.entry.source,
        "evidence": match.entry.evidence,
    }
    if getattr(match.entry, "review_status", None):
        d["review_status"] = match.entry.review_status
    return d


FRAME_RESTORE_WINDOW = 60  # bp: two frameshifts this close may restore the frame together


def _cis_window(a: dict, b: dict) -> int:
    """How far apart two variants may be to be read as one change: the same or adjacent codon, or, for two
    frameshifts, a window in which the second may restore the frame."""
    if "frameshift_variant" in a["consequence"] and "frameshift_variant" in b["consequence"]:
        return FRAME_RESTORE_WINDOW
    return 2 + len(a["ref"]) + len(b["ref"])


def _same_set(a: Any, b: Any) -> bool:
    return a.phased and b.phased and a.phase_set is not None and a.phase_set == b.phase_set


def _in_cis(a: Any, b: Any) -> bool:
    if a.zygosity == "homozygous" and b.zygosity == "homozygous":
        return True
    return (
        a.phased
        and b.phased
        and a.phase_set is not None
        and a.phase_set == b.phase_set
        and a.haplotype is not None
        and a.haplotype == b.haplotype
    )


def sample_coverage(
    row: SampleRow, blocks: list[tuple[int, int, int]], ctx: RunContext, had_blocks: bool
) -> dict | None:
    th = ctx.thresholds.coverage_threshold
    if row.alignments:
        return coverage_from_alignments(row.alignments, ctx.cache, threshold=th, reference=ctx.cache.reference)
    if had_blocks:
        return coverage_from_gvcf_blocks(blocks, ctx.cache, threshold=th)
    return None


# --- writing ---------------------------------------------------------------------------------------------------


def _file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it: once per process, put back at once
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; reviewers in the group must read the reports
    os.replace(tmp, path)


def write_sample_outputs(report: dict, outdir: Path, generated_on: str) -> None:
    d = outdir / "samples" / report["sample"]
    s = report["sample"]
    # JSON last: its presence marks a finished sample
    atomic_write(d / f"{s}.variants.tsv", rp.sample_tsv(report))
    atomic_write(d / f"{s}.report.html", rp.sample_html(report, generated_on))
    atomic_write(d / f"{s}.report.json", rp.sample_json(report))


def run_batch(rows: list[SampleRow], ctx: RunContext, generated_on: str) -> list[dict]:
    """Analyse the batch; returns one summary row per sample, in sheet order."""
    from concurrent.futures import ThreadPoolExecutor

    by_vcf: dict[str, list[SampleRow]] = {}
    for r in rows:
        by_vcf.setdefault(r.vcf, []).append(r)
    summary: dict[str, dict] = {}
    # input checksums for the provenance are computed in a thread (hashlib releases the GIL) while the
    # main thread reads and annotates
    with ThreadPoolExecutor(max_workers=1) as pool:
        for path in sorted({p for r in rows for p in (r.vcf, r.alignments) if p}):
            ctx.checksums[path] = pool.submit(file_sha256, path)
        for vcf_rows in by_vcf.values():
            try:
                reports = analyse_vcf(vcf_rows, ctx)
            except Exception as exc:  # isolation: this VCF's samples fail, every other sample is reported
                for r in vcf_rows:
                    summary[r.sample] = rp.failed_row(r.sample, r.vcf_sample or r.sample, failure_reason(exc))
                continue
            for rep in reports:
                write_sample_outputs(rep, ctx.outdir, generated_on)
                summary[rep["sample"]] = rp.summary_row(rep)
    return [summary[r.sample] for r in rows]


def failure_reason(exc: Exception) -> str:
    """One line: an input problem as the InputError says it; anything else is a bug, logged with its traceback."""
    import logging

    if isinstance(exc, InputError):
        return str(exc)
    logging.getLogger("hsh").exception("internal error")
    return f"internal error (a bug; the traceback is in the batch log): {type(exc).__name__}: {exc}"
