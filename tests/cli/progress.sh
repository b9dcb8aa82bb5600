#!/usr/bin/env bash
# The progress line: shown on a terminal (rows, rows/s, seconds, time left), cleared before
# the summary; never written when standard error is a file or a pipe, nor with --quiet.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
awk 'BEGIN { print "person_id,citation,level,disposition_date"
             for (i = 0; i < 800000; i++) printf "P%d,HS 11357(b),misdemeanor,2010-05-01\n", i }' >many.csv
RUN=("$LENITY" run "$ROOT/rules/ca/prop64.policy" --input many.csv --output /dev/null --as-of 2024-01-01)

# not a terminal: the summary only
"${RUN[@]}" 2>err.txt
! grep -q $'\r' err.txt || fail "a progress line was written to a file"
grep -q "^rows read 800000 = 800000 decided + 0 rejected" err.txt || fail "no summary"

if ! command -v script >/dev/null 2>&1; then
    echo "progress: 'script' is not installed; the terminal half of this test did not run" >&2
    exit 0
fi
# a terminal: progress lines, then the summary on a clean line
script -qec "${RUN[*]}" /dev/null >tty.txt 2>&1
grep -q "rows/s" tty.txt || fail "no progress line on a terminal"
# the input is a file of known size: the line estimates the time left, and the share read only grows
grep -qE "rows/s, [0-9]+ s, about [0-9]+ (s|min) left \([0-9]+%\)" tty.txt || fail "no estimate of the time left"
tr '\r' '\n' <tty.txt | sed -n 's/.*left (\([0-9]*\)%).*/\1/p' | sort -c -n ||
    fail "the share of the input read went backwards"
grep -q $'\033\[Kas of: 2024-01-01' tty.txt || fail "the progress line was not cleared before the summary"
# a terminal with --quiet: none
script -qec "${RUN[*]} --quiet" /dev/null >quiet.txt 2>&1
! grep -q "rows/s" quiet.txt || fail "--quiet still showed progress"
grep -q "^rows read 800000" <(tr -d '\r' <quiet.txt) || fail "--quiet hid the summary"
echo "progress: shown on a terminal, cleared before the summary, absent in files and with --quiet"
