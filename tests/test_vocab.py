"""The schemas' enums and patterns are the vocabulary module's word lists (one list per concept)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from hshpipe import vocab

ROOT = Path(__file__).resolve().parents[1]
REPORT_SCHEMA = json.loads((ROOT / "workflow/schemas/report.schema.json").read_text())
DEFS = REPORT_SCHEMA["$defs"]


def test_report_schema_verdicts_are_the_vocabulary():
    assert tuple(DEFS["verdict"]["enum"]) == vocab.VERDICTS


def test_report_schema_classes_are_the_vocabulary():
    assert tuple(DEFS["classification"]["enum"]) == vocab.CLASSES


def test_report_schema_zygosities_are_the_vocabulary():
    assert tuple(DEFS["variant"]["properties"]["zygosity"]["enum"]) == vocab.ZYGOSITIES


def test_report_schema_impacts_are_the_vocabulary():
    assert tuple(DEFS["variant"]["properties"]["impact"]["enum"]) == vocab.IMPACTS
    assert set(vocab.IMPACT.values()) < set(vocab.IMPACTS)


def test_qualifying_classes_in_schema_are_plp():
    then = DEFS["variant"]["allOf"][0]["then"]["properties"]["classification"]["enum"]
    assert set(then) == vocab.PLP


def test_sample_id_pattern_is_shared():
    sheet = yaml.safe_load((ROOT / "workflow/schemas/samples.schema.yaml").read_text())
    assert sheet["properties"]["sample"]["pattern"] == vocab.SAMPLE_ID_PATTERN
    assert REPORT_SCHEMA["properties"]["sample"]["pattern"] == vocab.SAMPLE_ID_PATTERN


def test_every_impact_term_is_ranked():
    assert set(vocab.IMPACT) <= set(vocab.SO_RANKING)
    assert set(vocab.CANONICAL_SPLICE) | set(vocab.SPLICE_REGION_TERMS) <= set(vocab.SO_RANKING)
