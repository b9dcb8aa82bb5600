#!/usr/bin/env bash
# lenityc writes a .lbc (mode 0600) that lenity run accepts, and it decides
# exactly as the .policy source run directly; -O0 code decides as optimized code.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv
expect_rc 0 out "$LENITYC" "$POLICY" -o p.lbc
[ "$(stat -c %a p.lbc)" = 600 ] || fail "p.lbc has mode $(stat -c %a p.lbc), expected 600"
head -c 4 p.lbc | od -An -c | grep -q 'L   B   C' || fail "p.lbc does not start with the bytecode magic"


expect_rc 0 out "$LENITY" run "$POLICY" --input clean.csv --output from-source.csv
expect_rc 0 out "$LENITY" run p.lbc --input clean.csv --output from-lbc.csv
[ "$(grep -vc '^#' from-source.csv)" -gt 5 ] || fail "the run wrote too few decisions"
# the stamp names the file run and its checksum, which differ; everything else must not
diff <(grep -v "^# policy file:\|^# policy sha256:" from-source.csv) <(grep -v "^# policy file:\|^# policy sha256:" from-lbc.csv) || fail "the .lbc decides differently from its source"

# Folding and set pruning change the code, never the decisions.
FOLDING=$ROOT/tests/golden/disasm/01-folding.policy
expect_rc 0 out "$LENITYC" "$FOLDING" -o folded.lbc
expect_rc 0 out "$LENITYC" -O0 "$FOLDING" -o unfolded.lbc
cmp -s folded.lbc unfolded.lbc && fail "-O0 and the optimizer produced the same bytes for $FOLDING"
expect_rc 0 out "$LENITY" run folded.lbc --input clean.csv --output folded.csv
expect_rc 0 out "$LENITY" run unfolded.lbc --input clean.csv --output unfolded.csv
diff <(grep -v "^# policy file:\|^# policy sha256:" folded.csv) <(grep -v "^# policy file:\|^# policy sha256:" unfolded.csv) || fail "the optimized and the -O0 bytecode decide differently"

# Without -o the bytecode goes beside the policy, named after it.
cp "$POLICY" local.policy
expect_rc 0 out "$LENITYC" local.policy
[ -f local.lbc ] || fail "lenityc local.policy did not write local.lbc"
[ "$(stat -c %a local.lbc)" = 600 ] || fail "local.lbc has mode $(stat -c %a local.lbc), expected 600"
expect_rc 0 out "$LENITY" run local.lbc --input clean.csv --output from-local.csv
diff <(grep -v '^#' from-source.csv) <(grep -v '^#' from-local.csv) || fail "local.lbc decides differently"

# --check and --disasm write no bytecode.
rm -f local.lbc
expect_rc 0 out "$LENITYC" --check local.policy
[ ! -e local.lbc ] || fail "--check wrote local.lbc"
expect_rc 0 out "$LENITYC" --disasm local.policy
[ ! -e local.lbc ] || fail "--disasm wrote local.lbc"
expect_grep "TEST_RULE" out

# The disassembler reads the compiled file back too.
expect_rc 0 out "$LENITYC" --disasm p.lbc
expect_grep "small_possession_adult" out

# A rebuild replaces the old file, and keeps it private.
chmod 644 p.lbc
expect_rc 0 out "$LENITYC" "$POLICY" -o p.lbc
[ "$(stat -c %a p.lbc)" = 600 ] || fail "a rebuilt p.lbc has mode $(stat -c %a p.lbc), expected 600"
