"""One batch of samples: read each VCF once, then per sample the typed path

    records -> calls (calls.sample_records) -> annotate once, group calls in cis, match, classify
    (interpret.Interpreter) -> decide (verdict.decide) -> report dict, built once (assemble.report_dict)

and write the per-sample reports (outputs.write_sample_reports: JSON last, atomic). The batch's tracked output
(its summary rows) is written only after every report.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import report as rp
from .assemble import FamilyParts, Provenance, report_dict
from .calls import RegionChecks, SampleRecords, sample_records
from .coverage import coverage_from_alignments, coverage_from_gvcf_blocks, describe_coverage
from .curation import CompiledTable
from .errors import InputError
from .evidence import EvidenceSources
from .family_calls import member_genotypes
from .family_step import MemberAnalysis, run_family
from .interpret import Interpreted, Interpreter
from .outputs import write_sample_reports
from .pedigree import Pedigree
from .reference import GeneCache, write_region_fasta
from .samplesheet import SampleRow
from .settings import Thresholds
from .vcfio import (
    Record,
    VcfHeader,
    declare_contig,
    file_sha256,
    input_fingerprint,
    inspect_vcf,
    is_bgzf,
    normalise_region,
    normalise_together,
    read_records,
    read_records_by_id,
    readable_copy,
    region_of,
    shared_norm_key,
    tabix_lines,
)
from .verdict import CoverageCheck, GenotypeDoubts, SampleCall, Verdict, decide
from .vocab import INCONCLUSIVE, MONOALLELIC, NEGATIVE

# input_identity auto: the whole-file SHA-256 for inputs of at most this size, where reading every byte (~5 ms at
# 4 MiB) costs no more than analysing the sample; a bigger file is identified by what was read (its fingerprint),
# since hashing a 7 MB VCF alone takes ~8 ms, a 300 MB WGS VCF ~0.3 s and a gVCF seconds (benchmarks/README.md)
SHA256_AUTO_MAX_BYTES = 4 * 1024 * 1024


@dataclass
class RunContext:
    cache: GeneCache
    region_fastas: dict[str, str]  # contig name -> bgzipped FASTA of the region at true coordinates
    curated: CompiledTable
    thresholds: Thresholds
    outdir: Path
    config_sha256: str
    tmpdir: Path
    pedigree: Pedigree | None = None  # family members are analysed together (family_step)
    checksums: dict[str, Future[str]] = field(default_factory=dict)  # path -> sha256 (hashed in a thread)
    identity: str = "auto"  # config input_identity: auto | sha256 | fingerprint (which inputs get a whole-file SHA-256)
    evidence: EvidenceSources | None = None  # population and predictor files, read once per batch
    interpreter: Interpreter = field(init=False)
    provenance: Provenance = field(init=False)
    hashed: dict[str, bool] = field(init=False, default_factory=dict)  # `hashes` per path, decided once

    def __post_init__(self) -> None:
        self.interpreter = Interpreter(self.cache, self.curated, self.evidence)
        self.provenance = Provenance(self.cache, self.curated.version, self.config_sha256, self.thresholds)

    def hashes(self, path: str) -> bool:
        """Whether this input gets a whole-file SHA-256: always with `sha256`, never with `fingerprint`, and with
        `auto` when the file is at most SHA256_AUTO_MAX_BYTES (a whole WGS VCF or a gVCF would cost seconds).
        Decided once per path (asked ~3 times per sample: each stat also hands the GIL to the hashing thread)."""
        got = self.hashed.get(path)
        if got is None:
            auto = self.identity == "auto"
            got = self.hashed[path] = (
                os.path.getsize(path) <= SHA256_AUTO_MAX_BYTES if auto else self.identity == "sha256"
            )
        return got

    def sha256(self, path: str) -> str | None:
        """The whole file's SHA-256 when this input is hashed (`hashes`), else None (not computed)."""
        if not self.hashes(path):
            return None
        fut = self.checksums.get(path)
        return fut.result() if fut is not None else file_sha256(path)

    def inputs(self, row: SampleRow, vcf_fingerprint: str) -> dict[str, Any]:
        """The provenance's input identity: fingerprints always, the whole-file SHA-256 where `hashes` says so."""
        aln = row.alignments
        all_hashed = all(self.hashes(p) for p in (row.vcf, aln) if p)
        return {
            "inputs_sha256": {"vcf": self.sha256(row.vcf), "alignments": self.sha256(aln) if aln else None},
            "inputs_fingerprint": {"vcf": vcf_fingerprint, "alignments": input_fingerprint(aln) if aln else None},
            "inputs_identified_by": "sha256" if all_hashed else "fingerprint",
        }


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


@dataclass
class ReadVcf:
    """One VCF's header, the sample columns of its rows, and its region's normalised records (input order)."""

    header: VcfHeader
    columns: list[str]
    records: list[Record]
    read: Any  # hashlib object fed with the region's records as read through the index (input_fingerprint)


def analyse_vcf(
    rows: list[SampleRow], ctx: RunContext, pre: ReadVcf | None = None
) -> list[dict[str, Any] | MemberAnalysis]:
    """Reports (dicts) for the samples of one VCF; family members' analyses for the family step. `pre`: the VCF
    as read by read_shared (normalised together with others of the batch), else it is read here."""
    got = pre or read_vcf(rows, ctx)
    header, columns = got.header, got.columns
    records = sorted(got.records, key=lambda r: (r.pos, r.end, r.ref, r.alt))  # input order may vary
    cache = ctx.cache
    checks = RegionChecks(
        cache.contig,
        (cache.region_start, cache.region_end),
        frozenset(check_ref_alleles(records, ctx, header)),
        cache.fetch,
    )
    cut = got.read.digest() != hashlib.sha256().digest()
    whole = None if cut else (ctx.sha256(rows[0].vcf) or file_sha256(rows[0].vcf))  # hashed once per batch
    fingerprint = input_fingerprint(rows[0].vcf, header.header_text, got.read if cut else None, whole)
    return [
        sample_report(row, j, col, records, checks, fingerprint, ctx) for j, (row, col) in enumerate(zip(rows, columns))
    ]


def open_vcf(rows: list[SampleRow], ctx: RunContext) -> tuple[VcfHeader, list[str]]:
    """The VCF's header checked (a plain-gzip VCF decompressed first), and the rows' sample columns."""
    path = readable_copy(rows[0].vcf, ctx.tmpdir)
    header = inspect_vcf(
        path,
        ctx.cache,
        source=rows[0].vcf if str(path) != rows[0].vcf else None,
        allow_empty=all(row.alignments for row in rows),  # alignments can show a record-less VCF's region covered
    )
    return header, [vcf_column(row, header) for row in rows]


def read_vcf(rows: list[SampleRow], ctx: RunContext) -> ReadVcf:
    """One VCF's region normalised on its own (bcftools norm) and read."""
    header, columns = open_vcf(rows, ctx)
    tmp = ctx.tmpdir / f"norm.{abs(hash(header.path))}.vcf"
    fasta = region_fasta_for(ctx, header.contig)
    if not header.contig_declared:
        header = declare_contig(header, fasta, ctx.tmpdir)
    read = hashlib.sha256()  # the region's records as read through the index (the input's fingerprint)
    normalise_region(header, region_of(ctx.cache, header.contig), fasta, tmp, read)
    records = list(read_records(tmp, columns))
    tmp.unlink(missing_ok=True)
    return ReadVcf(header, columns, records, read)


SHARED_NORM_MAX_VCFS = 16  # VCFs read together at most: their records are held until each is analysed


def read_in_groups(
    by_vcf: dict[str, list[SampleRow]], ctx: RunContext
) -> Iterator[tuple[list[SampleRow], ReadVcf | None]]:
    """Each VCF's rows, in order, with the VCF as read_shared read it (None: analyse_vcf reads it alone), for
    SHARED_NORM_MAX_VCFS VCFs at a time (one norm costs less than its records, and memory stays bounded)."""
    items = list(by_vcf.items())
    for start in range(0, len(items), SHARED_NORM_MAX_VCFS):
        chunk = dict(items[start : start + SHARED_NORM_MAX_VCFS])
        shared = read_shared(chunk, ctx)
        for vcf, rows in chunk.items():
            yield rows, shared.pop(vcf, None)


def read_shared(by_vcf: dict[str, list[SampleRow]], ctx: RunContext) -> dict[str, ReadVcf]:
    """The batch's single-sample VCFs whose headers agree (vcfio.shared_norm_key), each group normalised by one
    bcftools norm (one call per VCF costs more than the records it normalises); a VCF whose header no other
    shares is a group of one, so no VCF opened and cut here is opened and cut again. Never raises: a VCF left
    out (any error, or a group whose norm fails) is read on its own by analyse_vcf, where its error names it."""
    groups: dict[str, list[tuple[str, VcfHeader, list[str], str, Any]]] = {}
    for vcf, rows in by_vcf.items():
        try:
            if not is_bgzf(vcf):  # cannot be cut through tabix (nor shared): read alone
                continue
            header, columns = open_vcf(rows, ctx)
            key = shared_norm_key(header)
            if key is None:
                continue
            read = hashlib.sha256()
            body = tabix_lines(header, region_of(ctx.cache, header.contig), read)
        except Exception:  # noqa: BLE001 - read again alone, where the error is reported
            continue
        groups.setdefault(key, []).append((vcf, header, columns, body, read))
    out: dict[str, ReadVcf] = {}
    for n, members in enumerate(groups.values()):
        contig = members[0][1].contig
        tmp = ctx.tmpdir / f"shared.{n}.vcf"
        try:
            normalise_together(
                [m[1] for m in members],
                [m[3] for m in members],
                region_of(ctx.cache, contig),
                region_fasta_for(ctx, contig),
                tmp,
            )
            by_id = read_records_by_id(tmp, list(members[0][1].samples))
        except Exception:  # noqa: BLE001 - each VCF of the group is read alone instead
            continue
        finally:
            tmp.unlink(missing_ok=True)
        for k, (vcf, header, columns, _, read) in enumerate(members):
            out[vcf] = ReadVcf(header, columns, by_id.get(str(k), []), read)
    logging.getLogger("hsh").info(
        "%d of %d VCFs normalised together (one bcftools norm per header)", len(out), len(by_vcf)
    )
    return out


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


def sample_report(
    row: SampleRow,
    j: int,
    column: str,
    records: Sequence[Record],
    checks: RegionChecks,
    vcf_fingerprint: str,
    ctx: RunContext,
) -> dict[str, Any] | MemberAnalysis:
    """One sample's report: its calls, interpreted, decided, assembled. A family member's analysis is kept for
    the family step instead (family_step.MemberAnalysis) and assembled after it."""
    recs = sample_records(records, j, checks, ctx.thresholds)
    items = ctx.interpreter.sample(recs.calls)
    unsure = ctx.interpreter.curated_sites(recs.unsure_sites)
    coverage = sample_coverage(row, recs.blocks, ctx, had_blocks=recs.had_blocks)
    redecide = partial(
        decide,
        assessable=recs.assessable,
        coverage_note=describe_coverage(coverage),
        coverage=coverage_check(coverage, ctx.thresholds),
        doubts=GenotypeDoubts(tuple(unsure), tuple(recs.ref_mismatches)),
    )
    calls = verdict_calls(items)
    verdict = redecide(calls)
    sha = ctx.inputs(row, vcf_fingerprint)
    if ctx.pedigree is not None and ctx.pedigree.family_of(row.sample):
        genotypes = member_genotypes(row.sample, records, j, ctx.thresholds)
        return MemberAnalysis(
            row, column, recs, items, coverage, sha, genotypes, calls, redecide, verdict, unsure=tuple(unsure)
        )
    notes = sample_notes(row, column, recs, verdict, coverage)
    return report_dict(row, column, recs, items, unsure, verdict, notes, coverage, sha, ctx.provenance)


def member_report(a: MemberAnalysis, ctx: RunContext) -> dict[str, Any]:
    """A family member's report, after the family step."""
    notes = sample_notes(a.row, a.column, a.recs, a.verdict, a.coverage)
    fam = FamilyParts(a.family, a.inheritance, dict(a.parent_phased))
    return report_dict(
        a.row, a.column, a.recs, a.items, a.unsure, a.verdict, notes, a.coverage, a.sha, ctx.provenance, fam
    )


def verdict_calls(items: Sequence[Interpreted]) -> list[SampleCall]:
    """The verdict's view: one call per change (a cis group counts once, at its last member's place)."""
    calls = [
        SampleCall(
            key=i.change_key,
            classification=i.result.classification.classification,
            zygosity=i.call.zygosity,
            phased=i.call.phase.phased,
            phase_set=i.call.phase.phase_set,
            haplotype=i.call.haplotype,
            qc_pass=i.call.qc_pass,
            pos=i.call.record.pos,
            hgvs_c=i.result.annotation.hgvs_c,
            hgvs_p=i.result.annotation.hgvs_p,
            qc_flags=i.call.qc_flags,
            plausible="BP7" not in i.result.classification.codes,
        )
        for i in items
    ]
    return list({c.key: c for c in reversed(calls)}.values())[::-1]


def coverage_check(coverage: dict[str, Any] | None, th: Thresholds) -> CoverageCheck | None:
    frac = coverage.get("fraction_cds_at_threshold") if coverage else None
    if frac is None:
        return None
    return CoverageCheck(frac, th.coverage_threshold, th.min_covered_fraction)


def sample_notes(
    row: SampleRow, column: str, recs: SampleRecords, verdict: Verdict, coverage: dict[str, Any] | None
) -> list[str]:
    """Notes beside the verdict: the VCF column used, coverage notes, a region without records."""
    notes = []
    if column != (row.vcf_sample or row.sample):
        notes.append(f"VCF column {column!r} used for sample {row.sample!r} (single-sample VCF)")
    if coverage and verdict.verdict in (MONOALLELIC, NEGATIVE, INCONCLUSIVE):
        notes += [n for n in coverage.get("notes", []) if n not in notes]
    if recs.n_records == 0:
        notes.append(
            "The VCF has no records in the TRPM6 region for any sample (variant-only VCF: "
            "absence of records is read as reference)."
        )
    return notes


def sample_coverage(
    row: SampleRow, blocks: list[tuple[int, int, int]], ctx: RunContext, had_blocks: bool
) -> dict | None:
    th = ctx.thresholds.coverage_threshold
    if row.alignments:
        return coverage_from_alignments(row.alignments, ctx.cache, threshold=th, reference=ctx.cache.reference)
    if had_blocks:
        return coverage_from_gvcf_blocks(blocks, ctx.cache, threshold=th)
    return None


def run_batch(rows: list[SampleRow], ctx: RunContext, generated_on: str) -> list[dict[str, Any]]:
    """Analyse the batch; returns one summary row per sample, in sheet order. A VCF that cannot be analysed costs
    only its own samples their reports: they get a `failed` summary row with the one-line reason."""
    from concurrent.futures import ThreadPoolExecutor

    by_vcf: dict[str, list[SampleRow]] = {}
    for r in rows:
        by_vcf.setdefault(r.vcf, []).append(r)
    summary: dict[str, dict[str, Any]] = {}
    kept: dict[str, MemberAnalysis] = {}

    def write(rep: dict[str, Any]) -> None:
        write_sample_reports(rep, ctx.outdir / "samples" / rep["sample"], generated_on)
        summary[rep["sample"]] = rp.summary_row(rep)

    # input checksums for the provenance are computed in a thread (hashlib releases the GIL) while the
    # main thread reads and annotates
    with ThreadPoolExecutor(max_workers=1) as pool:
        for path in sorted(p for p in {p for r in rows for p in (r.vcf, r.alignments) if p} if ctx.hashes(p)):
            ctx.checksums[path] = pool.submit(file_sha256, path)
        for vcf_rows, pre in read_in_groups(by_vcf, ctx):
            try:
                reports = analyse_vcf(vcf_rows, ctx, pre)
            except Exception as exc:  # isolation: this VCF's samples fail, every other sample is reported
                for r in vcf_rows:
                    family = ctx.pedigree.family_of(r.sample) if ctx.pedigree else None
                    summary[r.sample] = rp.failed_row(r.sample, r.vcf_sample or r.sample, failure_reason(exc), family)
                continue
            for rep in reports:
                if isinstance(rep, MemberAnalysis):
                    kept[rep.row.sample] = rep
                else:
                    write(rep)
        if kept and ctx.pedigree is not None:  # every member of a family is in this batch (make_batches)
            for fid in dict.fromkeys(ctx.pedigree.family_of(s) or "" for s in kept):
                run_family(fid, ctx.pedigree, kept)
            for a in kept.values():
                write(member_report(a, ctx))
    return [summary[r.sample] for r in rows]


def failure_reason(exc: Exception) -> str:
    """One line: an input problem as the InputError says it; anything else is a bug, logged with its traceback."""
    if isinstance(exc, InputError):
        return str(exc)
    logging.getLogger("hsh").exception("internal error")
    return f"internal error (a bug; the traceback is in the batch log): {type(exc).__name__}: {exc}"
