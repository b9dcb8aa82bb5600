#!/usr/bin/env bash
# An interrupted run never leaves a partial file under the final name: a run
# over 2,000,000 rows is killed part way (SIGKILL, then SIGINT and SIGTERM)
# while it writes its decisions and rejects; the final names must not exist,
# or keep the previous run's files untouched, and the temporary files must
# be private (0600).
#
# SIGKILL cannot be caught, so it leaves the temporary files (DECISIONS.tmp.XXXXXX
# in the output's folder), which must be private (0600). SIGINT and SIGTERM are
# caught: the run removes its temporary files and ends as the signal would.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
PROP64=$ROOT/rules/ca/prop64.policy

# A background job of a script ignores SIGINT; run lenity with the default action.
if env --default-signal=INT true 2>/dev/null; then
    DEFAULT_SIGNALS=(env --default-signal=INT,TERM)
else
    DEFAULT_SIGNALS=(python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])')
fi

# 2,000,000 rows (about 160 MB), 3 per person; every 100,000th has an impossible date.
awk 'BEGIN {
    print "person_id,date_of_birth,citation,level,disposition_date,county,sentence,case_id"
    for (i = 1; i <= 2000000; i++)
        printf "P%07d,1980-01-15,HS 11357(b),misdemeanor,%s,Los Angeles,,LA-%d\n", int(i / 3),
               (i % 100000 == 0 ? "2016-02-30" : "2010-05-01"), i
}' >big.csv

# interrupt SIGNAL: starts the run writing into out/, waits until its
# temporary decisions file holds at least 8 MiB, sends SIGNAL, and waits for
# it to end.  Sets rc, and temps (the files in out/ that are not final names).
interrupt() {
    local sig=$1 biggest=0 size f
    "${DEFAULT_SIGNALS[@]}" "$LENITY" run "$PROP64" --input big.csv --as-of 2019-11-11 \
        --output out/decisions.csv --rejects out/rejects.csv >stdout 2>stderr &
    pid=$!
    for ((tries = 0; tries < 1500; tries++)); do   # 30 s at most
        biggest=0
        for f in out/*; do
            [ -f "$f" ] || continue
            case ${f#out/} in decisions.csv | rejects.csv) continue ;; esac
            size=$(stat -c %s "$f" 2>/dev/null || echo 0)
            [ "$size" -le "$biggest" ] || biggest=$size
        done
        [ "$biggest" -lt $((8 << 20)) ] || break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    if ! kill -"$sig" "$pid" 2>/dev/null; then
        wait "$pid" || true
        pid=
        fail "the run ended before it could be sent $sig (largest temporary file: $biggest bytes): $(cat stderr)"
    fi
    [ "$biggest" -ge $((8 << 20)) ] || fail "no temporary decisions file grew to 8 MiB within 30 s"
    rc=0
    { wait "$pid"; } 2>/dev/null || rc=$?   # without the shell's "Killed" notice
    pid=
    temps=()
    for f in out/*; do
        [ -e "$f" ] || continue
        case ${f#out/} in decisions.csv | rejects.csv) ;; *) temps+=("$f") ;; esac
    done
}

# check_temps SIGNAL: every temporary file left is private, and is what the run was writing.
check_temps() {
    local f found=false
    for f in "${temps[@]}"; do
        [ "$(stat -c %a "$f")" = 600 ] || fail "after $1, the temporary file $f has mode $(stat -c %a "$f"), expected 600"
        if head -1 "$f" | grep -q '^# policy: '; then found=true; fi
    done
    $found || fail "after $1, no temporary decisions file was found among: ${temps[*]:-(none)}"
}

# --- SIGKILL, no earlier output ----------------------------------------------------
mkdir out
interrupt KILL
[ "$rc" -eq 137 ] || fail "the run killed with SIGKILL exited $rc, expected 137: $(cat stderr)"
[ ! -e out/decisions.csv ] || fail "a run killed with SIGKILL left out/decisions.csv ($(stat -c %s out/decisions.csv) bytes)"
[ ! -e out/rejects.csv ] || fail "a run killed with SIGKILL left out/rejects.csv"
[ "${#temps[@]}" -ge 1 ] || fail "SIGKILL cannot be caught, yet no temporary file was left: where did the run write?"
check_temps SIGKILL
expect_no_grep "rows read" stderr

# A later run into the same folder is not disturbed by the files left behind.
clean_records clean.csv
expect_rc 0 out.txt "$LENITY" run "$POLICY" --input clean.csv --output out/decisions.csv --rejects out/rejects.csv
expect_grep "P001,1,HS 11357(b)" out/decisions.csv
for f in "${temps[@]}"; do
    [ -e "$f" ] || fail "a later run removed $f, a file it did not create"
done

# --- SIGKILL over the files of an earlier run: they stay exactly as they were --------
rm -rf out && mkdir out
printf 'decisions of an earlier run\n' >out/decisions.csv
printf 'row,reason\n7,rejects of an earlier run\n' >out/rejects.csv
chmod 640 out/decisions.csv out/rejects.csv
cp -p out/decisions.csv earlier-decisions.csv
cp -p out/rejects.csv earlier-rejects.csv
inode=$(stat -c %i out/decisions.csv)
interrupt KILL
[ "$rc" -eq 137 ] || fail "the run killed with SIGKILL exited $rc, expected 137"
cmp -s out/decisions.csv earlier-decisions.csv || fail "a killed run changed the earlier decisions file"
cmp -s out/rejects.csv earlier-rejects.csv || fail "a killed run changed the earlier rejects file"
[ "$(stat -c %i out/decisions.csv)" = "$inode" ] || fail "a killed run replaced the earlier decisions file"
[ "$(stat -c %a out/decisions.csv)" = 640 ] || fail "a killed run changed the earlier decisions file's mode"
check_temps SIGKILL

# --- SIGINT and SIGTERM ---------------------------------------------------------------
for sig in INT TERM; do
    rm -rf out && mkdir out
    printf 'decisions of an earlier run\n' >out/decisions.csv
    interrupt "$sig"
    [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] || fail "the run interrupted by SIG$sig exited $rc, as if it had finished"
    cmp -s out/decisions.csv earlier-decisions.csv || fail "a run interrupted by SIG$sig changed the earlier decisions file"
    [ ! -e out/rejects.csv ] || fail "a run interrupted by SIG$sig left out/rejects.csv"
    if [ "${#temps[@]}" -gt 0 ]; then
        check_temps "SIG$sig"
        fail "a run interrupted by SIG$sig (exit $rc) left its temporary files: ${temps[*]#out/}"
    fi
    [ "$rc" -eq $((128 + $(kill -l "$sig"))) ] || fail "a run interrupted by SIG$sig exited $rc, not as the signal would"
done
