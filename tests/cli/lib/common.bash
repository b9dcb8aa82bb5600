# Sourced by the tests in tests/cli/*.sh (this file is not a test itself:
# tests/run.sh only runs the *.sh files directly in tests/cli/).
#
# Provides LENITYC, LENITY, ROOT, the fixtures below, and small checks that
# print what went wrong and exit 1.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
# BIN is relative to the folder the test was started from (tests/run.sh starts at the root).
BIN=$(cd "${BIN:-$ROOT/bin}" && pwd)
LENITYC=$BIN/lenityc
LENITY=$BIN/lenity

# Fixtures owned by the golden tests: a compact Prop 64 policy, and records
# with one row (P010, 2016-02-30) that is rejected.
POLICY=$ROOT/tests/golden/run/happy-path/policy.policy
RECORDS=$ROOT/tests/golden/run/happy-path/records.csv

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_rc WANT OUT COMMAND...: run COMMAND with stdout and stderr in OUT; its exit code must be WANT.
expect_rc() {
    local want=$1 out=$2 rc=0
    shift 2
    "$@" >"$out" 2>&1 || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: expected exit code $want, got $rc from: $*" >&2
        sed 's/^/    | /' "$out" >&2
        exit 1
    fi
}

# expect_grep TEXT FILE: FILE must contain TEXT (a fixed string).
expect_grep() {
    if ! grep -qF -- "$1" "$2"; then
        echo "FAIL: '$1' not found in $2:" >&2
        sed 's/^/    | /' "$2" >&2
        exit 1
    fi
}

# expect_no_grep TEXT FILE: FILE must not contain TEXT.
expect_no_grep() {
    if grep -qF -- "$1" "$2"; then
        echo "FAIL: '$1' unexpectedly found in $2:" >&2
        sed 's/^/    | /' "$2" >&2
        exit 1
    fi
}

# clean_records OUT: the fixture records without the rejected row, so that a run exits 0.
clean_records() {
    grep -v '^P010,' "$RECORDS" >"$1"
}
