#!/usr/bin/env bash
# tests/spec/check_spec.sh - checks every example policy in spec/language.md.
#
#   BIN=bin bash tests/spec/check_spec.sh [SPEC]
#
# A ```lenity block is a complete policy: `lenityc --check` must accept it,
# and when it contains examples, `lenity test` must pass them all.
# A ```lenity-error block is a policy with a mistake: `lenityc --check` must
# exit 1, and print exactly the text of the ```diagnostic block that follows.
# Each block is written to a fresh folder as example.policy and checked from
# there, so messages name the file example.policy.  Policies are looked up
# with -I rules, so examples can write extends "ca/prop64.policy".
#
# Prints one line per failing block, with its line in the spec, then
# "N passed, N failed"; exits non-zero when a block fails or none was found.
# SPEC_VERBOSE=1 also prints the output of each failing block.
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SPEC=${1:-spec/language.md}
BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
RULES=$ROOT/rules

if [ ! -f "$SPEC" ]; then
    echo "$SPEC: no such file"
    echo "0 passed, 1 failed"
    exit 1
fi
for prog in lenityc lenity; do
    if [ ! -x "$BIN/$prog" ]; then
        echo "$BIN/$prog: not built (run make all)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lenity-spec.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# Split the spec into blocks: for block N, $work/N.kind ("lenity" or
# "lenity-error"), $work/N.line (line of the opening fence), $work/N.policy,
# and for lenity-error, $work/N.diag and $work/N.diagline when a diagnostic
# block follows (only blank lines and text may come between).
awk -v dir="$work" '
    function close_block() {
        if (mode == "policy") close(dir "/" n ".policy")
        else if (mode == "diag") close(dir "/" n ".diag")
        mode = ""
    }
    /^```/ {
        if (mode != "") { close_block(); inside = 0; next }
        if (inside) { inside = 0; next }           # end of some other fenced block
        info = $0
        sub(/^```+[ \t]*/, "", info)
        sub(/[ \t]+$/, "", info)
        if (info == "lenity" || info == "lenity-error") {
            n++
            print info > (dir "/" n ".kind"); close(dir "/" n ".kind")
            print NR > (dir "/" n ".line"); close(dir "/" n ".line")
            printf "" > (dir "/" n ".policy")
            mode = "policy"
            want_diag = (info == "lenity-error") ? n : 0
        } else if (info == "diagnostic" && want_diag) {
            n_diag = want_diag
            print NR > (dir "/" n_diag ".diagline"); close(dir "/" n_diag ".diagline")
            printf "" > (dir "/" n_diag ".diag")
            mode = "diag"
            want_diag = 0
        } else {
            inside = 1
            want_diag = 0                          # another block came first
        }
        next
    }
    mode == "policy" { print > (dir "/" n ".policy"); next }
    mode == "diag"   { print > (dir "/" n_diag ".diag"); next }
    END { print n + 0 > (dir "/count") }
' "$SPEC"

count=$(cat "$work/count")
passed=0
failed=0

report() { # line message [output]
    echo "$SPEC:$1: $2"
    if [ "${SPEC_VERBOSE:-0}" = 1 ] && [ -n "${3:-}" ]; then
        printf '%s\n' "$3" | sed 's/^/    /'
    fi
    failed=$((failed + 1))
}

for ((i = 1; i <= count; i++)); do
    kind=$(cat "$work/$i.kind")
    line=$(cat "$work/$i.line")
    dir="$work/block$i"
    mkdir "$dir"
    cp "$work/$i.policy" "$dir/example.policy"
    out=$(cd "$dir" && "$BIN/lenityc" --check -I "$RULES" example.policy 2>&1)
    rc=$?
    if [ "$kind" = lenity ]; then
        if [ "$rc" -ne 0 ]; then
            report "$line" "lenity block: lenityc --check exited $rc (expected 0)" "$out"
            continue
        fi
        if grep -Eq '^[[:space:]]*example[[:space:]]+"' "$dir/example.policy"; then
            out=$(cd "$dir" && "$BIN/lenity" test -I "$RULES" example.policy 2>&1)
            rc=$?
            summary=$(printf '%s\n' "$out" | tail -1)
            if [ "$rc" -ne 0 ]; then
                report "$line" "lenity block: lenity test exited $rc ($summary)" "$out"
                continue
            fi
        fi
        passed=$((passed + 1))
    else
        if [ ! -f "$work/$i.diag" ]; then
            report "$line" "lenity-error block: no \`\`\`diagnostic block follows it" "$out"
            continue
        fi
        if [ "$rc" -ne 1 ]; then
            report "$line" "lenity-error block: lenityc --check exited $rc (expected 1)" "$out"
            continue
        fi
        expected=$(cat "$work/$i.diag")
        if [ "$out" != "$expected" ]; then
            first=$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$out") | grep -m1 '^[<>]')
            report "$line" "lenity-error block: output differs from the diagnostic block at line $(cat "$work/$i.diagline") (first difference: ${first:-whitespace})" \
                "$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$out"))"
            continue
        fi
        passed=$((passed + 1))
    fi
done

if [ "$count" -eq 0 ]; then
    echo "$SPEC: no \`\`\`lenity or \`\`\`lenity-error blocks found"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
