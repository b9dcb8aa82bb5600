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
# The input's checksum is in the header of a file, and on the last line of a
# stream (it is known only at the end): the same hash, so it is taken out to compare.
unstamp() { grep -v '^# input sha256:' "$1"; }
hash_of() { grep '^# input sha256: [0-9a-f]\{64\}' "$1" | cut -d' ' -f4; }
expect_rc 0 err "$LENITY" run "$POLICY" --input clean.csv --output file.csv

# --output -: decisions on stdout, the summary on stderr.
rc=0
"$LENITY" run "$POLICY" --input clean.csv --output - >stdout.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 0 ] || fail "run --output - exited $rc"
diff <(unstamp file.csv) <(unstamp stdout.csv) || fail "--output - differs from --output FILE"
[ -n "$(hash_of file.csv)" ] && [ "$(hash_of file.csv)" = "$(hash_of stdout.csv)" ] ||
    fail "the file and standard output give different input checksums"
[ "$(tail -1 stdout.csv)" = "# input sha256: $(sha256sum clean.csv | cut -d' ' -f1)" ] ||
    fail "standard output does not end with the input's checksum"
expect_grep "rows read" stderr.txt
expect_no_grep "rows read" stdout.csv
# No --output at all means standard output too.
rc=0
"$LENITY" run "$POLICY" --input clean.csv >default.csv 2>/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "run without --output exited $rc"
diff <(unstamp file.csv) <(unstamp default.csv) || fail "run without --output differs from --output FILE"

# --input -: the same decisions; only the '# input:' line names standard input.
rc=0
"$LENITY" run "$POLICY" --input - --output - <clean.csv >from-stdin.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 0 ] || fail "run --input - exited $rc: $(cat stderr.txt)"
expect_grep "# input: standard input" from-stdin.csv
diff <(unstamp file.csv | grep -v '^# input:') <(unstamp from-stdin.csv | grep -v '^# input:') ||
    fail "--input - decides differently"
# standard input redirected from a file is hashed too (with pread, beside the reader)
[ "$(hash_of from-stdin.csv)" = "$(hash_of file.csv)" ] || fail "--input - <FILE was not hashed as FILE is"

# From a pipe, with a rejected row: exit 4, and the rejected row is reported.
rc=0
cat "$RECORDS" | "$LENITY" run "$POLICY" --input - --output - >piped.csv 2>stderr.txt || rc=$?
[ "$rc" -eq 4 ] || fail "a piped run with a rejected row exited $rc, expected 4"
expect_grep "2016-02-30" stderr.txt
expect_no_grep "P010" piped.csv

# A DOJ export on standard input: recognised from its header when it is a file (< FILE),
# decided as when named; from a pipe, which cannot be peeked at, the message says what to give.
DOJ=$ROOT/tests/fixtures/gogen/pilots/los_angeles/cadoj_los_angeles.csv
LA=$ROOT/rules/ca/los_angeles.policy
expect_rc 0 err "$LENITY" run "$LA" --input "$DOJ" --output doj-named.csv --as-of 2024-01-01
rc=0
"$LENITY" run "$LA" --input - --output doj-redirected.csv --as-of 2024-01-01 <"$DOJ" 2>err || rc=$?
[ "$rc" -eq 0 ] || fail "a DOJ export given as standard input (< FILE) exited $rc: $(head -c 300 err)"
diff <(grep -v '^# input' doj-named.csv) <(grep -v '^# input' doj-redirected.csv) >/dev/null ||
    fail "a DOJ export read from standard input was decided differently from the same file named"
rc=0
cat "$DOJ" | "$LENITY" run "$LA" --input - --output doj-piped.csv --as-of 2024-01-01 2>err || rc=$?
[ "$rc" -eq 3 ] || fail "a DOJ export piped without --input-format exited $rc, expected 3"
expect_grep "looks like a California DOJ criminal-history export" err
expect_grep "give --input-format cadoj" err
cat "$DOJ" | expect_rc 0 err "$LENITY" run "$LA" --input - --input-format cadoj --output doj-piped.csv --as-of 2024-01-01
echo "stdio: a DOJ export on standard input, from a file or a pipe"
