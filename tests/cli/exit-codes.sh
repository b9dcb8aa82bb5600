#!/usr/bin/env bash
# Every documented exit code of lenityc (0, 1, 2, 3) and lenity (0, 1, 2, 3, 4).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv
printf 'policy "Broken"\n  jurisdiction "California"\n' >broken.policy

# --- lenityc
expect_rc 0 out "$LENITYC" "$POLICY" -o good.lbc
[ -s good.lbc ] || fail "lenityc exited 0 but wrote no good.lbc"
expect_rc 0 out "$LENITYC" --check "$POLICY"
expect_rc 0 out "$LENITYC" --version
expect_rc 1 out "$LENITYC" --check broken.policy
expect_grep "broken.policy:" out
expect_rc 1 out "$LENITYC" broken.policy -o broken.lbc
[ ! -e broken.lbc ] || fail "lenityc wrote broken.lbc for a policy with errors"
expect_rc 2 out "$LENITYC"
expect_rc 2 out "$LENITYC" --no-such-option "$POLICY"
expect_rc 2 out "$LENITYC" "$POLICY" "$POLICY"
expect_rc 2 out "$LENITYC" good.lbc                 # already compiled: only --disasm reads it
expect_rc 3 out "$LENITYC" "$POLICY" -o "$WORK/no/such/folder/out.lbc"
head -c 40 good.lbc >short.lbc
expect_rc 3 out "$LENITYC" --disasm short.lbc

# --- lenity
expect_rc 0 out "$LENITY" run good.lbc --input clean.csv --output decisions.csv
expect_rc 0 out "$LENITY" run "$POLICY" --input clean.csv --output -
expect_rc 0 out "$LENITY" test "$POLICY"
expect_rc 1 out "$LENITY" run broken.policy --input clean.csv --output -
expect_rc 1 out "$LENITY" test broken.policy
expect_rc 2 out "$LENITY"
expect_rc 2 out "$LENITY" frobnicate
expect_rc 2 out "$LENITY" run good.lbc                  # no --input
expect_rc 2 out "$LENITY" run good.lbc --input clean.csv --no-such-option
expect_rc 2 out "$LENITY" explain good.lbc --input clean.csv   # no --person
expect_rc 3 out "$LENITY" run good.lbc --input no-such-file.csv --output -
expect_grep "no-such-file.csv" out
expect_rc 3 out "$LENITY" run short.lbc --input clean.csv --output -
expect_rc 3 out "$LENITY" run good.lbc --input clean.csv --output "$WORK/no/such/folder/decisions.csv"
expect_rc 4 out "$LENITY" run good.lbc --input "$RECORDS" --output decisions.csv
expect_grep "1 rejected" out
