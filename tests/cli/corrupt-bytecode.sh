#!/usr/bin/env bash
# A damaged .lbc is refused with exit 3 and a message that says it is
# damaged: one flipped byte in the middle, a truncated file, an empty one.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

clean_records clean.csv
expect_rc 0 out "$LENITYC" "$POLICY" -o good.lbc
expect_rc 0 out "$LENITY" run good.lbc --input clean.csv --output -

# Flip every bit of the byte in the middle of the file.
size=$(stat -c %s good.lbc)
middle=$((size / 2))
byte=$(od -An -tu1 -j "$middle" -N1 good.lbc | tr -d ' ')
cp good.lbc flipped.lbc
printf "\\$(printf '%03o' $((byte ^ 255)))" | dd of=flipped.lbc bs=1 seek="$middle" conv=notrunc status=none
cmp -s good.lbc flipped.lbc && fail "the byte flip did not change the file"
[ "$(stat -c %s flipped.lbc)" = "$size" ] || fail "the byte flip changed the file's size"

expect_rc 3 out "$LENITY" run flipped.lbc --input clean.csv --output decisions.csv
grep -qiE 'damaged|checksum' out || fail "no 'damaged' or 'checksum' in: $(cat out)"
expect_grep "flipped.lbc" out
[ ! -e decisions.csv ] || fail "a refused bytecode file still produced decisions.csv"
expect_rc 3 out "$LENITY" test flipped.lbc
grep -qiE 'damaged|checksum' out || fail "lenity test: no 'damaged' or 'checksum' in: $(cat out)"
expect_rc 3 out "$LENITY" explain flipped.lbc --input clean.csv --person P001
expect_rc 3 out "$LENITYC" --disasm flipped.lbc
grep -qiE 'damaged|checksum' out || fail "lenityc --disasm: no 'damaged' or 'checksum' in: $(cat out)"

# Cut short.
head -c $((size - 7)) good.lbc >truncated.lbc
expect_rc 3 out "$LENITY" run truncated.lbc --input clean.csv --output -
expect_grep "truncated.lbc" out
# Only the first bytes.
head -c 12 good.lbc >stub.lbc
expect_rc 3 out "$LENITY" run stub.lbc --input clean.csv --output -
# One byte too many.
{ cat good.lbc; printf 'x'; } >longer.lbc
expect_rc 3 out "$LENITY" run longer.lbc --input clean.csv --output -
grep -qiE 'damaged|checksum|unexpected' out || fail "no explanation for the extra byte in: $(cat out)"
