#!/usr/bin/env bash
# lenityc fmt: the canonical layout is a fixed point (fmt of fmt changes
# nothing), changes only white space (comments, statute text and every
# token survive, and the compiled program is the same), matches the golden
# pairs under tests/golden/fmt/, and every policy shipped in rules/ and
# examples/ is already in it.  --check and --write do what they say: exit
# codes, the file's mode kept, a new file renamed over the old one, nothing
# left behind, and a policy with a syntax error never rewritten.
set -euo pipefail
BIN=${BIN:-bin}
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "fmt.sh: $*"; exit 1; }

# The compiled program without what depends on layout: line numbers and the source's checksum.
program() {
    "$BIN/lenityc" --disasm "$1" 2>/dev/null | sed -e '/^source /d' -e 's/line [0-9]*//g' -e 's/  */ /g'
}
# The lines of the statute text blocks, from the one after the opening """ to the closing one.
blocks() {
    awk '{ n = gsub(/"""/, "&"); if (inside) print; if (n % 2 == 1) inside = !inside }' "$1"
}

# --- every policy of the repository: idempotent, only white space changes, same program.
# The formatted copies live in a copy of the tree, so that 'extends' finds formatted parents.
tree="$tmp/tree"
mkdir -p "$tree/tests"
cp -r rules examples "$tree/"
cp -r tests/policies "$tree/tests/"
checked=0
while IFS= read -r p; do
    once="$tree/$p"
    "$BIN/lenityc" fmt "$p" > "$once" || fail "$p: lenityc fmt failed"
    "$BIN/lenityc" fmt "$once" > "$tmp/twice.policy" || fail "$p: lenityc fmt of its own output failed"
    cmp -s "$once" "$tmp/twice.policy" || { diff "$once" "$tmp/twice.policy" | head; fail "$p: fmt of fmt changes it"; }
    # Trailing blanks of comments go; nothing else but white space may change.
    [ "$(sed 's/[[:space:]]*$//' "$p" | tr -d ' \t\r\n')" == "$(tr -d ' \t\r\n' < "$once")" ] ||
        fail "$p: formatting changed more than white space"
    [ "$(grep -o '#' "$p" | wc -l)" -eq "$(grep -o '#' "$once" | wc -l)" ] || fail "$p: a comment was lost"
    [ "$(grep -o '"""' "$p" | wc -l)" -eq "$(grep -o '"""' "$once" | wc -l)" ] || fail "$p: a text block was lost"
    cmp -s <(blocks "$p") <(blocks "$once") || fail "$p: a statute text block changed"
    checked=$((checked + 1))
done < <(find rules examples tests/policies -name '*.policy' | sort)
# The same compiled program, parents formatted too; a policy that does not compile (a test of errors) is skipped.
compiled=0
while IFS= read -r p; do
    "$BIN/lenityc" --check --no-lint "$p" >/dev/null 2>&1 || continue
    cmp -s <(program "$p") <(program "$tree/$p") ||
        { diff <(program "$p") <(program "$tree/$p") | head; fail "$p: the program changed"; }
    compiled=$((compiled + 1))
done < <(find rules examples tests/policies -name '*.policy' | sort)
[ "$compiled" -ge 30 ] || fail "only $compiled programs were compared"
[ "$checked" -ge 30 ] || fail "only $checked policies were checked"

# --- the golden pairs: messy input -> the canonical layout, which is its own layout
for p in tests/golden/fmt/*.policy; do
    want=${p%.policy}.expected
    [ -f "$want" ] || fail "$p has no $want"
    cmp -s <("$BIN/lenityc" fmt "$p") "$want" || { diff <("$BIN/lenityc" fmt "$p") "$want" | head -20; fail "$p"; }
    cmp -s <("$BIN/lenityc" fmt "$want") "$want" || fail "$want is not in the canonical layout itself"
    "$BIN/lenityc" fmt --check "$p" >/dev/null && fail "--check passes the messy $p"
done

# --- every policy shipped is formatted
mapfile -t shipped < <(find rules examples -name '*.policy' | sort)
[ "${#shipped[@]}" -ge 15 ] || fail "only ${#shipped[@]} shipped policies found"
out=$("$BIN/lenityc" fmt --check "${shipped[@]}") || fail "not formatted (run lenityc fmt --write on them): $out"
[ -z "$out" ] || fail "--check printed '$out' but exited 0"

# --- --check: the names of the files not in the layout, exit 1
cp tests/golden/fmt/layout.expected "$tmp/good.policy"
cp tests/golden/fmt/layout.policy "$tmp/bad.policy"
set +e
out=$("$BIN/lenityc" fmt --check "$tmp/good.policy" "$tmp/bad.policy"); rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--check with an unformatted file exits $rc, not 1"
[ "$out" == "$tmp/bad.policy" ] || fail "--check printed '$out', not the unformatted file's name"
"$BIN/lenityc" fmt --check "$tmp/good.policy" || fail "--check fails a formatted file"

# --- --write: rewritten in place with its mode, by rename, nothing left beside it; a formatted file is untouched
chmod 640 "$tmp/bad.policy"
inode=$(stat -c %i "$tmp/bad.policy")
"$BIN/lenityc" fmt --write "$tmp/bad.policy" "$tmp/good.policy" || fail "--write failed"
cmp -s "$tmp/bad.policy" tests/golden/fmt/layout.expected || fail "--write wrote something else than fmt prints"
[ "$(stat -c %a "$tmp/bad.policy")" == 640 ] || fail "--write changed the mode to $(stat -c %a "$tmp/bad.policy")"
[ "$(stat -c %i "$tmp/bad.policy")" != "$inode" ] || fail "--write rewrote the file in place instead of renaming a new one"
ls "$tmp" | grep -q 'fmt-' && fail "--write left a temporary file: $(ls "$tmp")"
touch -d 2001-01-01 "$tmp/good.policy"
"$BIN/lenityc" fmt --write "$tmp/good.policy" || fail "--write on a formatted file failed"
[ "$(stat -c %Y "$tmp/good.policy")" == "$(date -d 2001-01-01 +%s)" ] || fail "--write touched a formatted file"
# Through a symbolic link: the file it points to is rewritten, the link stays a link.
cp tests/golden/fmt/layout.policy "$tmp/target.policy"
ln -s target.policy "$tmp/link.policy"
"$BIN/lenityc" fmt --write "$tmp/link.policy" || fail "--write through a link failed"
[ -L "$tmp/link.policy" ] || fail "--write replaced the symbolic link with a file"
cmp -s "$tmp/target.policy" tests/golden/fmt/layout.expected || fail "--write through a link did not format its target"
# A folder it cannot write into: the file stays as it was, exit 3 (root can write anywhere: skip then).
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/ro" && cp tests/golden/fmt/layout.policy "$tmp/ro/p.policy" && chmod 555 "$tmp/ro"
    set +e; "$BIN/lenityc" fmt --write "$tmp/ro/p.policy" 2>"$tmp/err"; rc=$?; set -e
    chmod 755 "$tmp/ro"
    [ "$rc" -eq 3 ] || fail "--write into a read-only folder exits $rc, not 3"
    cmp -s "$tmp/ro/p.policy" tests/golden/fmt/layout.policy || fail "a failed --write changed the file"
fi

# --- a syntax error: the usual diagnostic, exit 1, and the file is never rewritten
printf 'policy "Broken"\n  version "1"\noutcome dismiss is relief\nrule r\n  when level < 2\n  then dismiss because "x" citing HS 1\n' \
    > "$tmp/broken.policy"
cp "$tmp/broken.policy" "$tmp/broken.orig"
for mode in "" --write --check; do
    set +e; "$BIN/lenityc" fmt $mode "$tmp/broken.policy" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
    [ "$rc" -eq 1 ] || fail "fmt $mode of a broken policy exits $rc, not 1"
    grep -q "broken.policy:5:14: error: Lenity does not use the symbol '<'" "$tmp/err" || { cat "$tmp/err"; fail "no diagnostic"; }
    grep -q "hint: " "$tmp/err" || fail "the diagnostic has no hint"
    cmp -s "$tmp/broken.policy" "$tmp/broken.orig" || fail "fmt $mode changed a broken policy"
done

# --- usage
"$BIN/lenityc" fmt --help | grep -q -- '--check' || fail "fmt --help does not list --check"
"$BIN/lenityc" --help | grep -q 'fmt' || fail "lenityc --help does not mention fmt"
set +e
"$BIN/lenityc" fmt >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "fmt without a file exits $rc, not 2"
"$BIN/lenityc" fmt --write --check "$tmp/good.policy" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "fmt --write --check exits $rc, not 2"
"$BIN/lenityc" fmt "$tmp/missing.policy" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 3 ] || fail "fmt of a missing file exits $rc, not 3"
set -e
exit 0
