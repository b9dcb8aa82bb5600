#!/usr/bin/env bash
# lenity diff: the outcome changes between two policies, or one policy with
# different parameters, counted by transition, with example people.
set -euo pipefail
BIN=${BIN:-bin}
out=$("$BIN/lenity" diff rules/ca/prop64.policy --input examples/records.csv --set-new cutoff=2012-01-01 \
      --as-of 2019-11-11)
grep -q '^convictions: 13 compared, 2 change outcome$' <<<"$out" || { echo "$out"; exit 1; }
grep -q '^  reduce -> not_eligible: 1 (e.g. P002)$' <<<"$out" || { echo "$out"; exit 1; }
grep -q '^  needs_review -> not_eligible: 1 (e.g. P005)$' <<<"$out" || { echo "$out"; exit 1; }
# the same policy on both sides changes nothing
same=$("$BIN/lenity" diff rules/ca/prop64.policy rules/ca/prop64.policy --input examples/records.csv --as-of 2019-11-11)
grep -q '^convictions: 13 compared, 0 change outcome$' <<<"$same" || { echo "$same"; exit 1; }
grep -q '^transitions:' <<<"$same" && { echo "no transition expected: $same"; exit 1; }
# two county flows on a DOJ fixture
two=$("$BIN/lenity" diff rules/ca/sacramento.policy rules/ca/configurable.policy \
      --input tests/fixtures/gogen/pilots/sacramento/cadoj_sacramento.csv --as-of 2019-11-11)
grep -q '^  reduce -> dismiss: 4 ' <<<"$two" || { echo "$two"; exit 1; }
# a missing input is a usage error, not a crash
if "$BIN/lenity" diff rules/ca/prop64.policy 2>/dev/null; then echo "diff without --input must fail"; exit 1; fi
exit 0
