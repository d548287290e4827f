"""The committed transcript models are what their kept public sources give, and agree with the independent
exon table (GENCODE v44 / v24lift37 coordinates with c. ranges) and the ClinVar mapping record."""

from __future__ import annotations

import csv
import importlib.util

from conftest import ROOT

from hshpipe.model import CPos, Transcript

SOURCE = ROOT / "resources/trpm6/source"


def test_rebuild_from_sources_is_identical(tmp_path):
    spec = importlib.util.spec_from_file_location("build_resources", ROOT / "tools/build_resources.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(SOURCE, tmp_path)
    for name in ("transcript.GRCh38.json", "transcript.GRCh37.json", "NP_060132.3.fa"):
        assert (tmp_path / name).read_bytes() == (ROOT / "resources/trpm6" / name).read_bytes(), name


def test_models_match_the_exon_table():
    with open(SOURCE / "exon_table.grch38_grch37.tsv") as fh:
        rows = list(csv.DictReader((l.lstrip("#") for l in fh), delimiter="\t"))
    assert len(rows) == 39
    t38, t37 = Transcript.load("GRCh38"), Transcript.load("GRCh37")
    for row, e38, e37 in zip(rows, t38.exons, t37.exons):
        assert (e38.start, e38.end) == (int(row["GRCh38_start"]), int(row["GRCh38_end"]))
        first, last = (
            t38.genomic_of_c(CPos(int(x[2:])))
            if not x.startswith("c.*")
            else t38.genomic_of_c(CPos(int(x[3:]), utr3=True))
            for x in (row["c_start"], row["c_end"])
        )
        assert (first, last) == (e38.end, e38.start)  # minus strand: c_start is the higher coordinate
        if row["exon"] != "1":  # exon 1: MANE's 98 nt, not GENCODE v24lift37's 271 nt (see PROVENANCE.md)
            assert (e37.start, e37.end) == (int(row["GRCh37_start"]), int(row["GRCh37_end"]))


def test_clinvar_mapping_record():
    text = (SOURCE / "clinvar_3575_mapping_record.tsv").read_text()
    assert "NC_000009.12:g.74802138G>C" in text and "NC_000009.11:g.77417054G>C" in text
    assert Transcript.load("GRCh38").genomic_of_c(CPos(1769)) == 74802138
    assert Transcript.load("GRCh37").genomic_of_c(CPos(1769)) == 77417054
