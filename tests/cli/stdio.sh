#!/usr/bin/env bash
# lenity run reads records from standard input with --input - and writes
# decisions to standard output with --output - (or no --output); the
# summary goes to standard error, never into the decisions.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv
expect_rc 0 err "$LENITY" run "$POLICY" --input clean.csv --output file.csv

# --output -: decisions on stdout, the summary on stderr.
rc=0
"$LENITY" run "$POLICY" --input clean.csv --output - >stdout.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 0 ] || fail "run --output - exited $rc"
diff file.csv stdout.csv || fail "--output - differs from --output FILE"
expect_grep "rows read" stderr.txt
expect_no_grep "rows read" stdout.csv
# No --output at all means standard output too.
rc=0
"$LENITY" run "$POLICY" --input clean.csv >default.csv 2>/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "run without --output exited $rc"
diff file.csv default.csv || fail "run without --output differs from --output FILE"

# --input -: the same decisions; only the '# input:' line names standard input.
rc=0
"$LENITY" run "$POLICY" --input - --output - <clean.csv >from-stdin.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 0 ] || fail "run --input - exited $rc: $(cat stderr.txt)"
expect_grep "# input: standard input" from-stdin.csv
diff <(grep -v '^# input:' file.csv) <(grep -v '^# input:' from-stdin.csv) || fail "--input - decides differently"

# From a pipe, with a rejected row: exit 4, and the rejected row is reported.
rc=0
cat "$RECORDS" | "$LENITY" run "$POLICY" --input - --output - >piped.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 4 ] || fail "a piped run with a rejected row exited $rc, expected 4"
expect_grep "2016-02-30" stderr.txt
expect_no_grep "P010" piped.csv
