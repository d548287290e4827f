"""Build resources/trpm6/{transcript.GRCh38.json, transcript.GRCh37.json, NP_060132.3.fa} from the public
source files kept in resources/trpm6/source/ (provenance: resources/trpm6/source/SOURCES.md).

Usage: python tools/build_resources.py [source folder]   (default resources/trpm6/source; outputs are committed)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GRCH37_OFFSET = 2_614_916  # every MANE exon boundary: GRCh37 = GRCh38 + offset (see SOURCES.md)


def read_gtf(path: Path) -> dict:
    exons, cds, stop = {}, [], None
    for line in path.read_text().splitlines():
        f = line.split("\t")
        if len(f) < 9:
            continue
        start, end = int(f[3]), int(f[4])
        attrs = dict(
            (kv.strip().split(" ", 1)[0], kv.strip().split(" ", 1)[1].strip('"'))
            for kv in f[8].split(";")
            if kv.strip()
        )
        if f[2] == "exon":
            exons[int(attrs["exon_number"])] = (start, end)
        elif f[2] == "CDS":
            cds.append((start, end))
        elif f[2] == "stop_codon":
            stop = (start, end)
    return {"exons": exons, "cds": cds, "stop": stop}


ROOT = Path(__file__).resolve().parent.parent


def main(source: Path, out: Path = ROOT / "resources" / "trpm6") -> None:
    out.mkdir(parents=True, exist_ok=True)
    g38 = read_gtf(source / "grch38_mane.derived.gtf")
    cds_lo = min(min(s for s, _ in g38["cds"]), g38["stop"][0])
    cds_hi = max(e for _, e in g38["cds"])
    for build, offset, chrom in (("GRCh38", 0, "chr9"), ("GRCh37", GRCH37_OFFSET, "chr9")):
        model = {
            "gene": "TRPM6",
            "hgnc_id": "HGNC:17995",
            "transcript_id": "NM_017662.5",
            "ensembl_transcript_id": "ENST00000360774.6",
            "protein_id": "NP_060132.3",
            "build": build,
            "chrom": chrom,
            "refseq_chrom": {"GRCh38": "NC_000009.12", "GRCh37": "NC_000009.11"}[build],
            "chrom_length": {"GRCh38": 138_394_717, "GRCh37": 141_213_431}[build],
            "strand": -1,
            "exons": [
                {"number": n, "start": s + offset, "end": e + offset} for n, (s, e) in sorted(g38["exons"].items())
            ],
            "cds_start": cds_lo + offset,
            "cds_end": cds_hi + offset,
        }
        (out / f"transcript.{build}.json").write_text(json.dumps(model, indent=1) + "\n")
    seq = "".join(l.strip() for l in (source / "protein_Q9BX84.fa").read_text().splitlines() if not l.startswith(">"))
    assert len(seq) == 2022 and seq[0] == "M"
    lines = [seq[i : i + 60] for i in range(0, len(seq), 60)]
    (out / "NP_060132.3.fa").write_text(
        ">NP_060132.3 TRPM6 (sequence of UniProtKB Q9BX84, Swiss-Prot 2014_01; 2022 aa)\n" + "\n".join(lines) + "\n"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "trpm6" / "source")
