#!/usr/bin/env bash
# lenity explain shows, for one person, the rules tried for each conviction
# and the one that decided, with the outcome, the reason and the citation.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv

# P003: a PC 187 prior (not a marijuana offense) and an HS 11359 felony kept a felony by it.
expect_rc 0 out "$LENITY" explain "$POLICY" --input clean.csv --person P003
expect_grep "person P003: 2 convictions" out
expect_grep "PC 187" out
expect_grep "HS 11359" out
grep -qE 'rule not_marijuana +\(line [0-9]+\): applies' out || fail "not_marijuana is not shown deciding PC 187: $(cat out)"
grep -qE 'rule sale_with_prior +\(line [0-9]+\): applies' out || fail "sale_with_prior is not shown deciding: $(cat out)"
grep -qE 'rule after_cutoff +\(line [0-9]+\): does not apply' out || fail "the rules tried first are not shown: $(cat out)"
expect_grep "outcome: not_eligible" out
expect_grep "A prior super strike keeps this offense a felony." out
expect_grep "citing:  HS 11359(c)" out
expect_no_grep "rule sale_felony" out      # rules after the deciding one are not tried

# P005: the level is blank, so the rule that needs it cannot tell.
expect_rc 0 out "$LENITY" explain "$POLICY" --input clean.csv --person P005
expect_grep "cannot tell" out
expect_grep "outcome: needs_review" out
expect_grep "offence level" out

# The same from the compiled policy.
expect_rc 0 out "$LENITYC" "$POLICY" -o p.lbc
expect_rc 0 from-source "$LENITY" explain "$POLICY" --input clean.csv --person P003
expect_rc 0 from-lbc "$LENITY" explain p.lbc --input clean.csv --person P003
diff from-source from-lbc || fail "explain differs between the source and the bytecode"

# Someone who is not in the records.
expect_rc 3 out "$LENITY" explain "$POLICY" --input clean.csv --person P999
expect_grep "P999" out

# A rule that gives several outcomes (`then vacate and seal`): all of them, joined by "and";
# a missing fact still gives the review outcome alone.
SEVERAL=$ROOT/tests/golden/run/several-actions
expect_rc 0 out "$LENITY" explain "$SEVERAL/policy.policy" --input "$SEVERAL/records.csv" --person B
expect_grep "outcome: vacate and seal" out
expect_grep "outcome: check" out
expect_no_grep "outcome: check and" out
