#!/usr/bin/env bash
# lenity run --summary: the run's statistics as JSON, measured at --as-of.
set -euo pipefail
BIN=${BIN:-bin}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BIN/lenity" run rules/ca/los_angeles.policy \
    --input tests/fixtures/gogen/extracted/pilots__los_angeles__los_angeles__xlsx/input.csv \
    --as-of 2019-11-11 --output "$tmp/d.csv" --summary "$tmp/s.json" 2>/dev/null
[ "$(stat -c %a "$tmp/s.json")" = 600 ] || { echo "summary file is not private"; exit 1; }
if command -v python3 >/dev/null; then python3 -m json.tool "$tmp/s.json" >/dev/null; fi
want() { grep -qF -- "$1" "$tmp/s.json" || { echo "missing: $1"; cat "$tmp/s.json"; exit 1; }; }
want '"rows": {"read": 35, "decided": 28, "not_convictions": 7, "rejected": 0, "balanced": true}'
want '"as_of": "2019-11-11"'
want '"HS 11358": {"dismiss": 5, "not_eligible": 1, "needs_review": 2, "city_attorney": 1}'
want '"50 years or older": 5'
want '"people_with_some_relief": 7'
# the same run twice gives the same file: nothing depends on the wall clock
"$BIN/lenity" run rules/ca/los_angeles.policy \
    --input tests/fixtures/gogen/extracted/pilots__los_angeles__los_angeles__xlsx/input.csv \
    --as-of 2019-11-11 --output "$tmp/d2.csv" --summary "$tmp/s2.json" 2>/dev/null
cmp -s "$tmp/s.json" "$tmp/s2.json" || { echo "two runs gave different summaries"; exit 1; }
exit 0
