#!/usr/bin/env bash
# lenity run --jobs 2 gives exactly what --jobs 1 gives -- the same decisions file, rejected rows
# and summary on standard error -- on generated DOJ exports of many subjects.  These files are cut
# into pieces of 64 KiB (the least a piece is), so each is cut in ten to twenty places:
#   straddle.csv   one subject's many rows straddle the middle of the file (45% to 55%), one of
#                  them with a quoted name with line breaks, and each half has a rejected row
#   quoted.csv     the middle of the file (45% to 55%) is inside a quoted value holding lines that
#                  look like rows of other subjects: a piece planned to end there ends after it
#                  instead, and the pieces after it are planned again (test_parallel checks that
#                  this happens; here, that the output is still the same)
#   one.csv        a single subject: one piece
# None of them makes the run say anything more than one job says.  An output that runs the policy
# over each person (--summary, also of a policy that looks at each person's charges) is cut too,
# and so are the DOJ copies (--format cadoj...), whose rows the workers write.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

HEADER=$(head -1 "$ROOT/tests/fixtures/gogen/pilots/los_angeles/cadoj_los_angeles.csv" | tr -d '\r')
[ "$(printf '%s' "$HEADER" | awk -F, '{ print NF }')" = 95 ] || fail "the fixture's header is not the DOJ's 95 columns"

# subjects FIRST COUNT [ID [NAME [ROWS]]]: COUNT subjects numbered from FIRST (ids of one width, so
# two runs of the same count are the same size), each with one to three arrest cycles: an arrest
# row, a court row (a conviction or a dismissal), sometimes a sentence continuation row.  ID: every
# row is that subject's instead; NAME: the name cell of every row, as written (default
# "SUBJECT,<id>"); ROWS: at most that many rows.  Deterministic.
subjects() {
    NAME=${4:-} awk -v first="$1" -v count="$2" -v fixed_id="${3:-}" -v rows="${5:-0}" '
    function rnd(n) { seed = (seed * 75 + 74) % 65537; return seed % n }
    function row(id, name, date, step, cnt, off, disp, stat, len, unit,    f, i, s) {
        if (rows && printed++ >= rows) return
        for (i = 1; i <= 95; i++) f[i] = ""
        f[1] = 1; f[3] = id; f[13] = name; f[15] = "19700101"; f[41] = date; f[43] = step
        f[49] = "LOS ANGELES"; f[51] = cnt; f[55] = off; f[81] = disp; f[83] = stat; f[88] = len; f[89] = unit
        if (off == "SEE COMMENT FOR CHARGE") f[94] = ":CHRG 11357(B) HS"
        s = f[1]
        for (i = 2; i <= 95; i++) s = s "," f[i]
        print s
    }
    BEGIN {
        seed = 7
        n = split("11357(A) HS-POSSESS MARIJUANA|11358 HS-CULTIVATE MARIJUANA|11359 HS-POSSESS FOR SALE|" \
                  "11360(A) HS-TRANSPORT/SELL MARIJUANA|459 PC-BURGLARY|23152(A) VC-DUI|SEE COMMENT FOR CHARGE|" \
                  "187 PC-MURDER|266 PC-PIMPING|288(A) PC-LEWD ACT", offences, "|")
        for (k = first; k < first + count; k++) {
            id = fixed_id != "" ? fixed_id : sprintf("%07d", k)
            name = ENVIRON["NAME"] != "" ? ENVIRON["NAME"] : "\"SUBJECT," id "\""
            cycles = 1 + rnd(3)
            for (c = 1; c <= cycles; c++) {
                date = sprintf("%04d%02d%02d", 1975 + rnd(45), 1 + rnd(12), 1 + rnd(28))
                off = offences[1 + rnd(n)]
                cnt = sprintf("%03d%03d001", c, k % 1000)
                row(id, name, date, "ARREST/DETAINED/CITED", cnt, off, "", "", "", "")
                court = sprintf("%03d%03d002", c, k % 1000)
                if (rnd(4) == 0) {
                    row(id, name, date, "COURT ACTION", court, off, "DISMISSED/FURTHERANCE OF JUSTICE", "", "", "")
                } else {
                    row(id, name, date, "COURT ACTION", court, off, "CONVICTED-PROBATION", rnd(2) ? "FELONY" : "MISDEMEANOR", 1 + rnd(24), "M")
                    if (rnd(3) == 0)
                        row(id, name, date, "COURT ACTION", court, off, "CONVICTED-JAIL", "", 10 + rnd(80), "D")
                }
            }
        }
    }'
}

# straddle.csv: the middle subject has many rows, and names with a line break and a quote
{ echo "$HEADER"; subjects 1000000 600; echo "broken,row,one"
  subjects 9000000 90 9999999; subjects 9000000 1 9999999 '"JANE
Q ""DOE"""'; subjects 9000000 90 9999999
  subjects 2000000 600; echo "broken,row,two"; } >straddle.csv
# covers FILE FIRST LAST: bytes FIRST to LAST cover the middle of FILE, 45% to 55%
covers() {
    local size
    size=$(stat -c %s "$1")
    [ "$2" -lt $((size * 45 / 100)) ] && [ "$3" -gt $((size * 55 / 100)) ] ||
        fail "$1: bytes $2 to $3 do not cover the middle of its $size bytes"
}
covers straddle.csv "$(grep -b -m1 ',9999999,' straddle.csv | cut -d: -f1)" \
    "$(grep -b ',9999999,' straddle.csv | tail -1 | cut -d: -f1)"

# quoted.csv: two halves of one size around a row whose quoted name holds rows without quotes
fake=$(subjects 8000000 60 | sed 's/"SUBJECT,\([0-9]*\)"/FAKE\1/')
{ echo "$HEADER"; subjects 1000000 250; subjects 7000000 1 7777777 "\"X
$fake
Y\"" 1; subjects 3000000 250; } >quoted.csv
covers quoted.csv "$(grep -b -m1 ',7777777,' quoted.csv | cut -d: -f1)" "$(grep -b -m1 '^Y"' quoted.csv | cut -d: -f1)"

# one.csv: a single subject
{ echo "$HEADER"; subjects 4000000 3 4444444; } >one.csv

# run NAME FILE JOBS ARGS...: lenity run, its exit code (0 or 4), decisions, rejects and stderr kept
run() {
    local name=$1 file=$2 jobs=$3 rc=0
    shift 3
    "$LENITY" run "$@" --input "$file" --output "$name-j$jobs.out" --rejects "$name-j$jobs.rej" \
        --as-of 2026-01-01 --jobs "$jobs" 2>"$name-j$jobs.err" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || { cat "$name-j$jobs.err" >&2; fail "$name --jobs $jobs exited $rc"; }
    echo "$rc" >"$name-j$jobs.rc"
}

# same NAME: --jobs 2 wrote what --jobs 1 wrote, and said the same on stderr but for the notice
same() {
    local name=$1
    cmp "$name-j1.out" "$name-j2.out" || fail "$name: the --jobs 2 output differs from --jobs 1"
    cmp "$name-j1.rej" "$name-j2.rej" || fail "$name: the --jobs 2 rejects differ from --jobs 1"
    cmp "$name-j1.rc" "$name-j2.rc" || fail "$name: the exit codes differ"
    diff <(cat "$name-j1.err") <(grep -v '^lenity: --jobs 2: ' "$name-j2.err") ||
        fail "$name: the --jobs 2 summary differs from --jobs 1"
    expect_grep "rows read" "$name-j2.err"
}

for policy in prop64 los_angeles; do
    for f in straddle quoted one; do
        run "$f-$policy" "$f.csv" 1 "$ROOT/rules/ca/$policy.policy"
        run "$f-$policy" "$f.csv" 2 "$ROOT/rules/ca/$policy.policy"
        same "$f-$policy"
    done
    # no notice: every line of stderr the same
    for f in straddle quoted one; do
        cmp "$f-$policy-j1.err" "$f-$policy-j2.err" || fail "$f.csv: --jobs 2 said more than --jobs 1 ($policy)"
    done
done
expect_grep "2 rejected" straddle-prop64-j2.err
[ "$(grep -c '^[0-9]' straddle-prop64-j2.rej)" = 2 ] || fail "straddle.csv: expected 2 rejected rows"

# the summary sees the second half's persons as the first half's
run summary straddle.csv 1 "$ROOT/rules/ca/prop64.policy" --summary summary-j1.json
run summary straddle.csv 2 "$ROOT/rules/ca/prop64.policy" --summary summary-j2.json
same summary
cmp summary-j1.err summary-j2.err || fail "straddle.csv was not split (--summary)"
cmp summary-j1.json summary-j2.json || fail "the --jobs 2 summary file differs from --jobs 1"

# copying every row, in each of the three forms, with the policies' columns: the same copy, cut
for policy in california los_angeles; do
    for fmt in cadoj cadoj-convictions cadoj-condensed; do
        for f in straddle quoted; do
            run "$fmt-$f-$policy" "$f.csv" 1 "$ROOT/rules/ca/$policy.policy" --format "$fmt"
            run "$fmt-$f-$policy" "$f.csv" 2 "$ROOT/rules/ca/$policy.policy" --format "$fmt"
            same "$fmt-$f-$policy"
            cmp "$fmt-$f-$policy-j1.err" "$fmt-$f-$policy-j2.err" || fail "$fmt $f.csv: --jobs 2 said more ($policy)"
        done
    done
done
# every line of the file but its two broken rows (rejected), in the DOJ copy
[ "$(wc -l <cadoj-straddle-los_angeles-j2.out)" -eq $(($(wc -l <straddle.csv) - 2)) ] ||
    fail "the DOJ copy of straddle.csv has $(wc -l <cadoj-straddle-los_angeles-j2.out) lines, not $(($(wc -l <straddle.csv) - 2))"

# a summary and a DOJ copy of a policy that looks at charges: cut too, and the same
run la-summary straddle.csv 1 "$ROOT/rules/ca/los_angeles.policy" --format cadoj --summary la-summary-j1.json
run la-summary straddle.csv 2 "$ROOT/rules/ca/los_angeles.policy" --format cadoj --summary la-summary-j2.json
same la-summary
cmp la-summary-j1.err la-summary-j2.err || fail "straddle.csv was not cut (los_angeles, --summary)"
cmp la-summary-j1.json la-summary-j2.json || fail "the --jobs 2 summary (los_angeles) differs from --jobs 1"

# without --jobs: two jobs on this machine (two CPUs or more), the same output, and on input that
# cannot be cut, one job without a word
if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
    "$LENITY" run "$ROOT/rules/ca/los_angeles.policy" --input straddle.csv --output default.out \
        --rejects default.rej --as-of 2026-01-01 2>default.err || [ $? -eq 4 ] || fail "a run without --jobs failed"
    cmp straddle-los_angeles-j1.out default.out || fail "without --jobs: not what one job wrote"
    cmp straddle-los_angeles-j1.rej default.rej || fail "without --jobs: not the rejects one job wrote"
    cmp straddle-los_angeles-j1.err default.err || fail "without --jobs: the summary differs"
    "$LENITY" run "$ROOT/rules/ca/prop64.policy" --input - --input-format cadoj --output default-stdin.out \
        --as-of 2026-01-01 <straddle.csv 2>default-stdin.err || [ $? -eq 4 ] || fail "standard input without --jobs failed"
    ! grep -q "one job" default-stdin.err || fail "without --jobs, standard input made the run say it runs one job"
fi

# what cannot be read from the middle is read as one job, and the run says why
"$LENITY" run "$ROOT/rules/ca/prop64.policy" --input - --input-format cadoj --output stdin-j2.out --jobs 2 \
    --as-of 2026-01-01 <straddle.csv 2>stdin-j2.err || [ $? -eq 4 ] || fail "--jobs 2 on standard input failed"
expect_grep "standard input cannot be split" stdin-j2.err
expect_grep "reading it as one job" stdin-j2.err
# the same decisions; the '#' lines name the input
cmp <(grep -v '^#' straddle-prop64-j1.out) <(grep -v '^#' stdin-j2.out) ||
    fail "standard input with --jobs 2: not what one job wrote"
"$LENITY" run "$POLICY" --input "$RECORDS" --output csv-j2.out --jobs 2 --as-of 2026-01-01 2>csv-j2.err ||
    [ $? -eq 4 ] || fail "--jobs 2 on a conviction CSV failed"
expect_grep "only a California DOJ export is split" csv-j2.err

# more jobs than this machine has CPUs: the same output
run straddle-los_angeles straddle.csv 8 "$ROOT/rules/ca/los_angeles.policy"
cmp straddle-los_angeles-j1.out straddle-los_angeles-j8.out || fail "--jobs 8: not what one job wrote"
cmp straddle-los_angeles-j1.err straddle-los_angeles-j8.err || fail "--jobs 8: the summary differs"
run cadoj-quoted-los_angeles quoted.csv 5 "$ROOT/rules/ca/los_angeles.policy" --format cadoj
cmp cadoj-quoted-los_angeles-j1.out cadoj-quoted-los_angeles-j5.out || fail "--jobs 5: not the copy one job wrote"

# --jobs takes 1 to 8
expect_rc 2 out "$LENITY" run "$ROOT/rules/ca/prop64.policy" --input one.csv --jobs 9
expect_grep "--jobs is a number from 1 to 8" out
expect_rc 2 out "$LENITY" run "$ROOT/rules/ca/prop64.policy" --input one.csv --jobs 0
expect_grep "--jobs is a number from 1 to 8" out
"$LENITY" --help | grep -q -- '--jobs' || fail "--help does not mention --jobs"

# A write that fails while the run goes on -- a full disk (/dev/full), a file-size limit -- is
# named with its reason, with one job and with two (whose pieces go out with write(2)), and no
# file is left behind.  The copy is about 1 MB: it fails long before the run ends.
LA=$ROOT/rules/ca/los_angeles.policy
for j in 1 2; do
    expect_rc 3 full.err bash -c 'exec "$0" "$@" >/dev/full' "$LENITY" run "$LA" --input straddle.csv \
        --format cadoj --output - --as-of 2026-01-01 --jobs "$j"
    expect_grep "lenity: standard output: writing failed (No space left on device); what reached standard output is incomplete" full.err
    expect_rc 3 limit.err bash -c 'trap "" XFSZ; ulimit -f 64; exec "$0" "$@"' "$LENITY" run "$LA" \
        --input straddle.csv --format cadoj --output copy.csv --as-of 2026-01-01 --jobs "$j"
    expect_grep "lenity: copy.csv: writing failed (File too large); the file was not written" limit.err
    [ ! -e copy.csv ] || fail "a copy that could not be written was left behind (--jobs $j)"
    leftovers=$(find . -name 'copy.csv*' | head -3)
    [ -z "$leftovers" ] || fail "temporary files left behind (--jobs $j): $leftovers"
done
