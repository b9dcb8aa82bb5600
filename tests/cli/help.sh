#!/usr/bin/env bash
# Each command answers --help and -h with its own usage on standard output and
# exit status 0, and that usage names the command's own options.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# command, then options its help must list
check() {
    local cmd=$1; shift
    for flag in --help -h; do
        rc=0
        "$LENITY" "$cmd" "$flag" >out.txt 2>err.txt || rc=$?
        [ "$rc" -eq 0 ] || fail "lenity $cmd $flag exited $rc: $(cat err.txt)"
        [ ! -s err.txt ] || fail "lenity $cmd $flag wrote to standard error: $(cat err.txt)"
        head -1 out.txt | grep -q "^usage: lenity $cmd " || fail "lenity $cmd $flag does not start with its own usage"
        for opt in "$@"; do
            expect_grep "$opt" out.txt
        done
    done
}
check run --input --output --format --set --as-of --jobs --rejects --quiet --summary --input-format
check test -I
check explain --person --format --as-of --set
check diff --set-old --set-new --as-of

# --help after other arguments still shows help, and runs nothing
rc=0
"$LENITY" run "$POLICY" --input "$RECORDS" --output out.csv --help >out.txt 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "run ... --help exited $rc"
[ ! -e out.csv ] || fail "run ... --help ran the policy"

# the overview and the version
"$LENITY" --help >out.txt
expect_grep "lenity COMMAND --help" out.txt
version=$("$LENITY" --version)
[[ "$version" =~ ^lenity\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "lenity --version printed '$version'"
[ "$("$LENITYC" --version)" = "lenityc ${version#lenity }" ] || fail "lenity and lenityc name different versions"

# an unknown option is still an error, with status 2
rc=0
"$LENITY" run --no-such-option >out.txt 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown option exited $rc, expected 2"
echo "help: run, test, explain and diff answer --help and -h with their own usage"
