#!/usr/bin/env bash
# --set NAME=VALUE overrides a parameter for one run; a value of the wrong
# kind, an unknown name or a malformed option is refused with exit 2 and a
# message that says what to write.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv
expect_rc 0 out "$LENITYC" "$POLICY" -o p.lbc

# A date where a date is wanted works, and changes the decision of P001 (2010-05-01).
expect_rc 0 before.csv "$LENITY" run p.lbc --input clean.csv --output -
expect_grep "P001,1,HS 11357(b),misdemeanor,2010-05-01,dismiss" before.csv
expect_rc 0 after.csv "$LENITY" run p.lbc --input clean.csv --output - --set cutoff=2010-01-01
expect_grep "P001,1,HS 11357(b),misdemeanor,2010-05-01,not_eligible" after.csv
expect_grep "parameter override: cutoff=2010-01-01" after.csv
# So does a number where a number is wanted, on the source policy too.
expect_rc 0 out "$LENITY" run "$POLICY" --input clean.csv --output - --set adult_age=18

# A number for a date parameter.
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set cutoff=21
expect_grep "cutoff" out
expect_grep "date" out
expect_grep "2016-11-09" out        # an example of what to write
expect_no_grep "P001," out          # nothing was decided
# A date for a number parameter.
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set adult_age=2016-01-01
expect_grep "adult_age" out
expect_grep "whole number" out
# A date that does not exist.
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set cutoff=2016-02-30
expect_grep "cutoff" out
# A parameter the policy does not have: the message lists the ones it has.
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set cutof=2016-01-01
expect_grep "cutof" out
expect_grep "adult_age" out
# Not NAME=VALUE at all.
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set cutoff
expect_grep "NAME=VALUE" out
expect_rc 2 out "$LENITY" run p.lbc --input clean.csv --output - --set =2016-01-01
# explain takes --set too, and refuses the same way.
expect_rc 2 out "$LENITY" explain p.lbc --input clean.csv --person P001 --set cutoff=21
expect_grep "cutoff" out
