"""Sample sheet checks and batching."""

from __future__ import annotations

import pytest

from hshpipe.errors import InputError
from hshpipe.samplesheet import make_batches, read_sample_sheet


def sheet(tmp_path, text, name="s.tsv"):
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


def test_reads_optional_columns_and_crlf(tmp_path):
    rows = read_sample_sheet(sheet(tmp_path, "sample\tvcf\tvcf_sample\r\nA\ta.vcf\tNA1\r\nB\tb.vcf\t\r\n"))
    assert [(r.sample, r.vcf, r.vcf_sample, r.line) for r in rows] == [("A", "a.vcf", "NA1", 2), ("B", "b.vcf", "", 3)]


@pytest.mark.parametrize(
    "text,msg",
    [
        ("sample\tvcf\n../x\ta.vcf\n", r"line 2: sample id '../x' may only hold"),
        ("sample\tvcf\nA\ta.vcf\nA\tb.vcf\n", r"line 3: sample 'A' is listed twice \(also line 2\)"),
        ("sample vcf\nA a.vcf\n", r"line 1: column `sample` missing .*tab-separated"),
        ("sample\tvcf\n", "no samples listed"),
        ("", "empty sample sheet"),
        ("sample\tvcf\nA\t\n", r"line 2: sample A: empty `vcf`"),
        ("sample\tvcf\tvcf_sample\nA\tc.vcf\tX\nB\tc.vcf\tX\n", "reads the same VCF column as line 2"),
        ("sample\tvcf\n<script>\ta.vcf\n", "may only hold letters"),
    ],
)
def test_bad_sheets(tmp_path, text, msg):
    with pytest.raises(InputError, match=msg):
        read_sample_sheet(sheet(tmp_path, text))


def test_batches_keep_vcf_groups_together(tmp_path):
    text = "sample\tvcf\tvcf_sample\n" + "".join(
        f"S{i}\t{'joint' if i % 2 else f'v{i}'}.vcf\tS{i}\n" for i in range(10)
    )
    rows = read_sample_sheet(sheet(tmp_path, text))
    batches = make_batches(rows, 4)
    assert sorted(r.sample for b in batches for r in b) == sorted(r.sample for r in rows)
    assert all(len(b) <= 4 for b in batches)
    joint = [i for i, b in enumerate(batches) if any(r.vcf == "joint.vcf" for r in b)]
    assert len(joint) == 2  # 5 joint samples: split once at the batch size, never scattered
    assert make_batches(rows, 4) == batches


def test_batch_size_for_splits_by_run_size_not_cores():
    from hshpipe.samplesheet import batch_size_for

    assert batch_size_for(1, 200) == 4
    assert batch_size_for(24, 200) == 4  # 6 jobs: a run of 24-48 samples uses every core it is given
    assert batch_size_for(48, 200) == 6  # 8 jobs
    assert batch_size_for(1000, 200) == 125  # 8 jobs
    assert batch_size_for(10_000, 200) == 200  # the configured limit
    assert batch_size_for(30, 2) == 2
