#!/usr/bin/env bash
# Proof that every QC gate has a unit test of its own: disable each gate in turn (an early `return None`) and
# check that tests/test_qc.py fails. Restores qc.py afterwards. Usage: tools/check_qc_gates.sh
set -euo pipefail
cd "$(dirname "$0")/.."
QC=scripts/hshpipe/qc.py
backup=$(mktemp)
cp "$QC" "$backup"
trap 'cp "$backup" "$QC"; rm -f "$backup"' EXIT
status=0
for gate in gate_filter gate_ft gate_depth gate_gq gate_qual gate_allele_balance gate_assessable; do
  .venv/bin/python - "$gate" "$QC" <<'PY'
import sys
gate, path = sys.argv[1], sys.argv[2]
s = open(path).read()
i = s.index(f"def {gate}(")
k = s.index("\n", s.index("-> str | None:", i)) + 1
open(path, "w").write(s[:k] + "    return None  # disabled by check_qc_gates.sh\n" + s[k:])
PY
  if .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_qc.py >/dev/null 2>&1; then
    echo "FAIL: $gate disabled and tests/test_qc.py still passes"; status=1
  else
    echo "ok: disabling $gate fails tests/test_qc.py"
  fi
  cp "$backup" "$QC"
done
exit $status
