"""Write the TRPM6 transcript model as an Ensembl-style GFF3 (bcftools csq) and a GTF 2.2 (SnpEff build).

Both come from the shipped transcript model only (hshpipe.model.Transcript), never from the code under
test. `offset` shifts coordinates (SnpEff runs on a small contig cut from the gene cache).
"""

from __future__ import annotations

from pathlib import Path

from hshpipe.model import Transcript


def _cds_segments(t: Transcript) -> list[tuple[int, int, int]]:
    """(start, end, phase) of each CDS piece in transcript order, stop codon included (Ensembl style)."""
    out, done = [], 0
    for e in t.exons:
        lo, hi = max(e.start, t.cds_start), min(e.end, t.cds_end)
        if lo > hi:
            continue
        out.append((lo, hi, (3 - done % 3) % 3))
        done += hi - lo + 1
    return out


def _utrs(t: Transcript) -> list[tuple[str, int, int]]:
    out = []
    for e in t.exons:
        for lo, hi in ((e.start, min(e.end, t.cds_start - 1)), (max(e.start, t.cds_end + 1), e.end)):
            if lo <= hi:
                five = (lo > t.cds_end) if t.strand < 0 else (hi < t.cds_start)
                out.append(("five_prime_UTR" if five else "three_prime_UTR", lo, hi))
    return out


def write_gff3(t: Transcript, path: Path, chrom: str | None = None, offset: int = 0) -> Path:
    chrom = chrom or t.chrom
    sd = "-" if t.strand < 0 else "+"
    tid = t.ensembl_transcript_id.split(".")[0]
    gid = "ENSG00000119121"
    pid = "ENSP00000354006"
    o = offset
    rows = [
        f"{chrom}\tensembl\tgene\t{t.start - o}\t{t.end - o}\t.\t{sd}\t.\tID=gene:{gid};Name={t.gene};"
        f"biotype=protein_coding;gene_id={gid}",
        f"{chrom}\tensembl\tmRNA\t{t.start - o}\t{t.end - o}\t.\t{sd}\t.\tID=transcript:{tid};Parent=gene:{gid};"
        f"Name={t.gene}-201;biotype=protein_coding;transcript_id={tid};tag=MANE_Select",
    ]
    for e in t.exons:
        rows.append(
            f"{chrom}\tensembl\texon\t{e.start - o}\t{e.end - o}\t.\t{sd}\t.\tParent=transcript:{tid};"
            f"Name={tid}.exon{e.number};rank={e.number}"
        )
    for lo, hi, ph in _cds_segments(t):
        rows.append(f"{chrom}\tensembl\tCDS\t{lo - o}\t{hi - o}\t.\t{sd}\t{ph}\tID=CDS:{pid};Parent=transcript:{tid}")
    for kind, lo, hi in _utrs(t):
        rows.append(f"{chrom}\tensembl\t{kind}\t{lo - o}\t{hi - o}\t.\t{sd}\t.\tParent=transcript:{tid}")
    path.write_text("##gff-version 3\n" + "\n".join(rows) + "\n")
    return path


def write_gtf(t: Transcript, path: Path, chrom: str | None = None, offset: int = 0) -> Path:
    """GTF 2.2: CDS without the stop codon, stop_codon/start_codon features."""
    chrom = chrom or t.chrom
    sd = "-" if t.strand < 0 else "+"
    attr = f'gene_id "{t.gene}"; transcript_id "{t.transcript_id}"; gene_name "{t.gene}"; gene_biotype "protein_coding"; transcript_biotype "protein_coding";'
    o = offset
    rows = [
        f"{chrom}\tsynthetic\t{kind}\t{t.start - o}\t{t.end - o}\t.\t{sd}\t.\t{attr}" for kind in ("gene", "transcript")
    ]  # SnpEff needs both for a coding transcript (else n.)
    for e in t.exons:
        rows.append(
            f'{chrom}\tsynthetic\texon\t{e.start - o}\t{e.end - o}\t.\t{sd}\t.\t{attr} exon_number "{e.number}";'
        )
    # stop codon = last 3 CDS bases in transcript order
    stop = (t.cds_start, t.cds_start + 2) if t.strand < 0 else (t.cds_end - 2, t.cds_end)
    start = (t.cds_end - 2, t.cds_end) if t.strand < 0 else (t.cds_start, t.cds_start + 2)
    done = 0
    for e in t.exons:
        lo, hi = max(e.start, t.cds_start), min(e.end, t.cds_end)
        if t.strand < 0:
            lo = max(lo, stop[1] + 1)
        else:
            hi = min(hi, stop[0] - 1)
        if lo > hi:
            continue
        rows.append(f"{chrom}\tsynthetic\tCDS\t{lo - o}\t{hi - o}\t.\t{sd}\t{(3 - done % 3) % 3}\t{attr}")
        done += hi - lo + 1
    rows.append(f"{chrom}\tsynthetic\tstart_codon\t{start[0] - o}\t{start[1] - o}\t.\t{sd}\t0\t{attr}")
    rows.append(f"{chrom}\tsynthetic\tstop_codon\t{stop[0] - o}\t{stop[1] - o}\t.\t{sd}\t0\t{attr}")
    path.write_text("\n".join(rows) + "\n")
    return path
