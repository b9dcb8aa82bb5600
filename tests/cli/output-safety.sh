#!/usr/bin/env bash
# Decisions and rejects files are private (0600); lenity never writes its
# output over its input, by the same name, a hard link or a symbolic link;
# a failed run leaves no half-written decisions file.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

cp "$RECORDS" input.csv
cp input.csv pristine.csv
expect_rc 4 out "$LENITY" run "$POLICY" --input input.csv --output decisions.csv --rejects rejects.csv
[ "$(stat -c %a decisions.csv)" = 600 ] || fail "decisions.csv has mode $(stat -c %a decisions.csv), expected 600"
[ "$(stat -c %a rejects.csv)" = 600 ] || fail "rejects.csv has mode $(stat -c %a rejects.csv), expected 600"
expect_grep "2016-02-30" rejects.csv
expect_grep "P001,1,HS 11357(b)" decisions.csv

# An existing, readable-by-all decisions file is replaced by a private one.
chmod 644 decisions.csv
expect_rc 4 out "$LENITY" run "$POLICY" --input input.csv --output decisions.csv
[ "$(stat -c %a decisions.csv)" = 600 ] || fail "a replaced decisions.csv has mode $(stat -c %a decisions.csv)"

# A run that replaces a file leaves the old one's bytes as they were (another name still reaches
# them), and takes its pages out of the page cache before writing the new one (runtime/outfile.c).
head -c 2000000 /dev/urandom | base64 >old.csv
cp old.csv old-pristine.csv
ln old.csv old-link.csv
sync old.csv # as lenity leaves its outputs: on disk, so their cached pages are clean
cat old-link.csv >/dev/null
expect_rc 4 out "$LENITY" run "$POLICY" --input input.csv --output old.csv
if command -v fincore >/dev/null && [ "$(stat -f -c %T .)" != tmpfs ]; then
    cached=$(fincore --noheadings --bytes --output RES old-link.csv | tr -d ' ')
    [ "$cached" = 0 ] || fail "the replaced file still holds $cached bytes of page cache"
else
    echo "output-safety: the page-cache check needs fincore and a disk file system; skipped"
fi
cmp -s old-link.csv old-pristine.csv || fail "the replaced file's bytes changed before the rename"
expect_grep "P001,1,HS 11357(b)" old.csv

# The output over the input: refused with exit 2, and the input is untouched.
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output input.csv
expect_grep "input.csv" out
cmp -s input.csv pristine.csv || fail "the input was changed by a refused run"
ln input.csv hardlink.csv
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output hardlink.csv
cmp -s input.csv pristine.csv || fail "the input was changed through a hard link"
ln -s input.csv symlink.csv
expect_rc 2 out "$LENITY" run "$POLICY" --input symlink.csv --output input.csv
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output symlink.csv
cmp -s input.csv pristine.csv || fail "the input was changed through a symbolic link"
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output "$WORK/./input.csv"
cmp -s input.csv pristine.csv || fail "the input was changed through another spelling of its path"

# The rejects file may not overwrite the input or the decisions either.
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output d2.csv --rejects input.csv
expect_rc 2 out "$LENITY" run "$POLICY" --input input.csv --output d2.csv --rejects d2.csv
cmp -s input.csv pristine.csv || fail "the input was changed by a refused rejects file"
[ ! -e d2.csv ] || fail "a refused run created d2.csv"

# A run that cannot read its input writes nothing, and leaves an old decisions file alone.
cp decisions.csv old-decisions.csv
expect_rc 3 out "$LENITY" run "$POLICY" --input no-such.csv --output decisions.csv
cmp -s decisions.csv old-decisions.csv || fail "a failed run changed the old decisions file"
# A policy with errors writes nothing either.
printf 'policy "Broken"\n' >broken.policy
expect_rc 1 out "$LENITY" run broken.policy --input input.csv --output d3.csv
[ ! -e d3.csv ] || fail "a run of a broken policy created d3.csv"
# No temporary files are left behind.
leftovers=$(find . -name '*.tmp*' -o -name '.*.csv*' | head -5)
[ -z "$leftovers" ] || fail "temporary files left behind: $leftovers"
