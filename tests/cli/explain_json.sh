#!/usr/bin/env bash
# lenity explain --format json agrees with lenity run on every conviction of the
# sample records and of each state's sample, for every person: outcome, rule,
# reason, citation and eligible-from date, row by row.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
n=0
while read -r policy records; do
    "$LENITY" run "$policy" --input "$records" --output "$WORK/run.csv" --as-of 2024-01-01 2>/dev/null || [ $? -eq 4 ]
    python3 - "$LENITY" "$policy" "$records" "$WORK/run.csv" <<'PY' || fail "explain --format json and run disagree for $policy on $records"
import csv, json, subprocess, sys
lenity, policy, records, decisions = sys.argv[1:]
rows = {}
with open(decisions, newline="") as f:
    for r in csv.DictReader(line for line in f if not line.startswith("#")):
        rows[int(r["row"])] = r
people = sorted({r["person_id"] for r in rows.values()})
seen = 0
for person in people:
    out = subprocess.run([lenity, "explain", policy, "--input", records, "--person", person, "--as-of", "2024-01-01",
                          "--format", "json"], capture_output=True, text=True, check=True).stdout
    doc = json.loads(out.split("\n]}\n")[0] + "\n]}")  # a person split apart gives one document per part
    for c in doc["convictions"]:
        r = rows[c["row"]]
        want = (r["outcome"], r["rule"], r["reason"], r["citing"], r.get("eligible_from") or None)
        got = (" and ".join(c["actions"]), c["rule"], c["reason"], c["citing"] or "", c["eligible_from"])
        if want != got:
            sys.exit("row %d of %s: run says %r, explain says %r" % (c["row"], records, want, got))
        if not c["rules"] or c["rules"][-1]["rule"] != c["rule"]:
            sys.exit("row %d: the last rule tried is not the deciding rule" % c["row"])
        seen += 1
if seen == 0:
    sys.exit("no conviction compared")
print("%s on %s: %d convictions agree" % (policy, records, seen))
PY
    n=$((n + 1))
done <<'LIST'
rules/ca/prop64.policy examples/records.csv
examples/county.policy examples/records.csv
rules/wa/sb5605.policy examples/wa/records.csv
rules/md/maryland.policy examples/md/records.csv
tests/golden/run/several-actions/policy.policy tests/golden/run/several-actions/records.csv
tests/golden/run/eligible-from/policy.policy tests/golden/run/eligible-from/records.csv
LIST
[ "$n" -eq 6 ] || fail "only $n policies compared"
