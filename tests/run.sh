#!/usr/bin/env bash
# tests/run.sh BIN BUILD - runs every test of Lenity and ends with one line:
#   N passed, N failed
# Unit tests (cmocka), golden tests (policy in -> diagnostics, disassembly or
# decisions out), and the examples inside every policy under rules/ and examples/.
# Exits non-zero on any failure, and when no test ran at all.
set -u
BIN=${1:-bin}
BUILD=${2:-build}
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()

pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); failures+=("$2"); }

# --- unit tests: cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    pass "${p:-0}"
    if [ "$rc" -ne 0 ] || [ "${f:-0}" -ne 0 ] || [ -z "$p" ]; then
        printf '%s\n' "$out" | grep -E 'FAILED|ERROR|error|Sanitizer' | head -20
        n=${f:-1}; [ "$n" -eq 0 ] && n=1
        fail "$n" "unit: $(basename "$t")"
    fi
done

# --- golden tests: compare a command's output with the file beside the input
golden() { # name expected-file command...
    local name=$1 expected=$2; shift 2
    local actual
    actual=$("$@" 2>&1)
    if [ -f "$expected" ] && [ "$actual" == "$(cat "$expected")" ]; then
        pass 1
    else
        echo "--- golden $name: output differs from $expected"
        if [ -f "$expected" ]; then diff <(printf '%s\n' "$actual") "$expected" | head -20
        else echo "(no expected file; actual output follows)"; printf '%s\n' "$actual" | head -20; fi
        fail 1 "golden: $name"
    fi
}
for p in tests/golden/diag/*.policy; do
    [ -f "$p" ] || continue
    golden "$p" "${p%.policy}.expected" "$BIN/lenityc" --check "$p"
done
for p in tests/golden/disasm/*.policy; do
    [ -f "$p" ] || continue
    golden "$p" "${p%.policy}.opt.expected" "$BIN/lenityc" --disasm "$p"
    golden "$p (-O0)" "${p%.policy}.unopt.expected" "$BIN/lenityc" --disasm -O0 "$p"
done
for d in tests/golden/run/*/; do
    d=${d%/}
    [ -f "$d/policy.policy" ] || continue
    args=()
    [ -f "$d/args" ] && read -r -a args < "$d/args"
    golden "$d" "$d/expected" "$BIN/lenity" run "$d/policy.policy" --input "$d/records.csv" --output - "${args[@]}"
done

# --- shell-level tests of the programs (exit codes, files, modes)
for s in tests/cli/*.sh; do
    [ -f "$s" ] || continue
    if out=$(BIN="$BIN" bash "$s" 2>&1); then
        pass 1
    else
        printf '%s\n' "$out" | tail -20
        fail 1 "cli: $s"
    fi
done

# --- the examples in the language reference: every ```lenity block compiles and
#     passes its examples, every ```lenity-error block gives its ```diagnostic
out=$(BIN="$BIN" bash tests/spec/check_spec.sh 2>&1); rc=$?
p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
pass "${p:-0}"
if [ "$rc" -ne 0 ] || [ -z "$p" ] || [ "${f:-1}" -ne 0 ]; then
    printf '%s\n' "$out" | head -30
    n=${f:-1}; [ "$n" -eq 0 ] && n=1
    fail "$n" "spec: spec/language.md"
fi

# py_suite LABEL SHOWN SCRIPT ARGS...: a python check that ends with its own "N passed, N failed";
# its lines matching SHOWN are printed, and on a failure the others (the first 40) too.
py_suite() {
    local label=$1 shown=$2 out rc p f n
    shift 2
    if out=$(python3 "$@" 2>&1); then rc=0; else rc=$?; fi
    p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
    printf '%s\n' "$out" | grep "$shown"
    pass "${p:-0}"
    if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
        printf '%s\n' "$out" | grep -v "$shown" | head -40
        n=${f:-1}; [ "$n" -eq 0 ] && n=1
        fail "$n" "$label"
    fi
}

# --- conformance with Clear My Record (gogen) on its own fixtures
py_suite "conformance with gogen" '^conformance:' tests/conformance/conformance.py "$BIN"

# --- the JSON summary against gogen's own statistics (gogen.json), figure by figure
py_suite "the JSON summary against gogen.json" '^summary: [0-9]' tests/conformance/summary.py "$BIN"

# --- the departures table of rules/ca/README.md still counts what the policies do
if out=$(python3 tests/conformance/departures.py "$BIN" --check 2>&1); then
    pass 1
else
    printf '%s\n' "$out" | head -20
    fail 1 "rules/ca/README.md departures table"
fi

# --- every state's policy runs over its sample records, as rules/README.md's table says
if out=$(python3 tests/rules/samples.py "$BIN" --check 2>&1); then
    pass 1
else
    printf '%s\n' "$out" | tail -25
    fail 1 "rules/README.md sample runs"
fi

# --- the examples written inside every policy
while IFS= read -r policy; do
    out=$("$BIN/lenity" test "$policy" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
    pass "${p:-0}"
    if [ "$rc" -ne 0 ] || [ -z "$p" ] || [ "${p:-0}" -eq 0 ]; then
        printf '%s\n' "$out" | head -30
        n=${f:-1}; [ "$n" -eq 0 ] && n=1
        fail "$n" "examples: $policy"
    fi
done < <(find rules examples tests/policies -name '*.policy' 2>/dev/null | sort)

if [ "${#failures[@]}" -gt 0 ]; then
    echo "failures:"
    printf '  %s\n' "${failures[@]}"
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no test ran"
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
