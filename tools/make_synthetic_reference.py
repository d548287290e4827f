"""Write the synthetic stand-in references (GRCh38 `chr9`, GRCh37 `9`) used by the demo and the tests.

No real TRPM6 DNA is available offline, so the stand-in is built from real facts only where they exist:
the exon coordinates of NM_017662.5 on each build (resources/trpm6/transcript.*.json) and the protein
(resources/trpm6/NP_060132.3.fa), back-translated with seeded random synonymous codons. UTRs, introns and
flanks are seeded random sequence (with homopolymers and short tandem repeats sprinkled in so that indel
normalisation is exercised); introns start with GTAAGT and end with a pyrimidine tract and CAG. The rest of
the chromosome is N, so the contig has its real length (build detection uses it). A few bases are forced so
that literature variants are consistent with the stand-in (c.1769C, c.4287C in TGC, c.1638+7T).

Everything built on these files is synthetic: not for clinical use.

Usage: python tools/make_synthetic_reference.py [outdir]   (default resources/demo/reference)
Deterministic: the same seed gives byte-identical FASTA.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from hshpipe.model import CPos, Transcript, load_protein
from hshpipe.reference import write_padded_fasta

ROOT = Path(__file__).resolve().parents[1]

SEED = 20261127
PAD = 12_000  # random sequence beyond each transcript end (up/downstream annotation, read mapping)
COMP = str.maketrans("ACGTN", "TGCAN")
CODONS: dict[str, list[str]] = {}
_TABLE = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
for i, codon in enumerate(a + b + c for a in "TCAG" for b in "TCAG" for c in "TCAG"):
    CODONS.setdefault(_TABLE[i], []).append(codon)
FORCED_CODONS = {590: "TCA", 1429: "TGC"}  # c.1769C>G (ClinVar 3575) gives p.(Ser590Ter) as in the
# contract example; c.4287C>A (p.Cys1429Ter) needs TGC


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def random_dna(rng: random.Random, n: int) -> list[str]:
    seq = [rng.choice("ACGT") for _ in range(n)]
    i = 0
    while i < n - 30:  # sprinkle homopolymers and di/tri-nucleotide repeats
        i += rng.randint(40, 160)
        if i >= n - 30:
            break
        unit = "".join(rng.choice("ACGT") for _ in range(rng.choice((1, 1, 2, 3))))
        rep = (unit * 12)[: rng.randint(5, 14)]
        seq[i : i + len(rep)] = list(rep)
    return seq


def transcript_strand_region(t: Transcript, protein: str, rng: random.Random) -> tuple[int, str]:
    """Return (genomic start, forward-strand sequence) of the transcript +/- PAD."""
    lo, hi = t.start - PAD, t.end + PAD
    fwd = random_dna(rng, hi - lo + 1)

    def put(g: int, base_tx_strand: str) -> None:
        fwd[g - lo] = base_tx_strand if t.strand > 0 else base_tx_strand.translate(COMP)

    cds = []
    for k, aa in enumerate(protein, start=1):
        cds.append(FORCED_CODONS.get(k) or rng.choice(CODONS[aa]))
    cds.append(rng.choice(CODONS["*"]))
    utr5 = t.cds_tx_start - 1
    utr3 = t.tx_length - t.cds_tx_end
    five = "".join(random_dna(rng, utr5)).replace("ATG", "ACG")  # no upstream start codon
    mrna = five + "".join(cds) + "".join(random_dna(rng, utr3))
    assert len(mrna) == t.tx_length
    for tx in range(1, t.tx_length + 1):
        put(t.genomic_of_tx(tx), mrna[tx - 1])
    for i in range(len(t.exons) - 1):  # canonical splice sites on each intron
        a, b = t.exons[i], t.exons[i + 1]
        donor = a.start - 1 if t.strand < 0 else a.end + 1
        acceptor = b.end + 1 if t.strand < 0 else b.start - 1
        for k, base in enumerate("GTAAGT"):
            put(donor + t.strand * k, base)
        ppt = "".join(rng.choice("CCCTTT") for _ in range(15)) + "CAG"
        for k, base in enumerate(reversed(ppt)):
            put(acceptor - t.strand * k, base)
    put(t.genomic_of_c(CPos(1638, 7)), "T")  # c.1638+7T>C (Front Pediatr 2022) needs a T there
    return lo, "".join(fwd)


def write_reference(build: str, contig: str, outdir: Path) -> Path:
    t = Transcript.load(build)
    rng = random.Random(SEED)  # same seed: both builds carry the same gene sequence
    lo, region = transcript_strand_region(t, load_protein(), rng)
    return write_padded_fasta(
        outdir / f"{build}_synthetic_{contig}.fa.gz",
        contig,
        t.chrom_length,
        lo,
        region,
        description=f"synthetic stand-in for {build} {contig} (TRPM6 region only; NOT FOR CLINICAL USE)",
    )


def main() -> None:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "demo" / "reference"
    outdir.mkdir(parents=True, exist_ok=True)
    for build, contig in (("GRCh38", "chr9"), ("GRCh37", "9")):
        print(write_reference(build, contig, outdir))


if __name__ == "__main__":
    main()
