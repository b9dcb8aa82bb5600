#!/usr/bin/env bash
# bench/run.sh - the `make bench` harness; see bench/README.md.
#
#   bench/run.sh            (make bench runs it after building bin/ and the bench tools)
#
# Settings, from the environment (bench/bench.mk passes them on):
#   BENCH_ROWS=1000000      rows in the generated DOJ export
#   BENCH_REPS=5            repetitions of every timed command; the table shows the median
#   BENCH_SEED=1            generator seed
#   BENCH_LOOKUP_RULES=50   rules in the two policies of the set-lookup comparison
#   BENCH_DIR=build-bench   where generated files are cached and the tools live
#   BIN=bin                 where lenity and lenityc are
#   BENCH_RESULTS=bench/RESULTS.md   where the results are written
#   BENCH_PERF=1            also profile the first lenity run with `perf record` (when perf
#                           works here) and add its top functions to the results
#
# Every timed command runs under build-bench/peakrss (wall time from fork to wait4, peak
# RSS from wait4's rusage).  The commands are interleaved: repetition 1 of every command,
# then repetition 2 of every command, and so on, so a machine that drifts during the run
# moves all of them alike and the ratios (which are what the targets are about) hold.

set -u

ROWS=${BENCH_ROWS:-1000000}
REPS=${BENCH_REPS:-5}
SEED=${BENCH_SEED:-1}
LOOKUP_RULES=${BENCH_LOOKUP_RULES:-50}
DIR=${BENCH_DIR:-build-bench}
BIN=${BIN:-bin}
RESULTS=${BENCH_RESULTS:-bench/RESULTS.md}
GEN=$DIR/gen_doj
PEAK=$DIR/peakrss
SHA=$DIR/sha256_file
# The runs use a copy of the programs taken now: bin/ may be rebuilt while the bench runs
# (make in another shell), and one run must not mix two builds.
LENITY=$DIR/bin/lenity
LENITYC=$DIR/bin/lenityc
T_START=$(date +%s)

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "$*"; NOTES+=("$*"); }
NOTES=()

case $ROWS in '' | *[!0-9]*) die "BENCH_ROWS must be a number of rows (got '$ROWS')" ;; esac
case $REPS in '' | *[!0-9]* | 0) die "BENCH_REPS must be a positive number (got '$REPS')" ;; esac
for f in "$GEN" "$PEAK" "$BIN/lenity" "$BIN/lenityc"; do
    [ -x "$f" ] || die "$f is missing; run 'make bench', which builds it"
done
mkdir -p "$DIR/out" "$DIR/log" "$DIR/res" "$DIR/bin" || die "cannot create $DIR"
rm -f "$DIR"/res/* "$DIR"/out/* "$DIR"/log/*
cp "$BIN/lenity" "$BIN/lenityc" "$DIR/bin/" || die "cannot copy $BIN/lenity and $BIN/lenityc to $DIR/bin"

# ---- the machine -------------------------------------------------------------------
CPU=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
[ -n "$CPU" ] || CPU=$(uname -m)
NPROC=$(nproc 2>/dev/null || echo '?')
MEM_KB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)
MEM=$(awk -v k="${MEM_KB:-0}" 'BEGIN { printf "%.1f GiB", k / 1048576 }')
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- runtime compiler 2>/dev/null | head -1)" ]; then
    COMMIT="$COMMIT + uncommitted changes in runtime/ or compiler/"
fi
AWK=$(command -v awk)
AWK_NAME=$(basename "$(readlink -f "$AWK")")
echo "make bench: $ROWS rows, $REPS repetitions (median shown), seed $SEED"
echo "machine: $NPROC CPUs, $CPU, $MEM; $(uname -sr); $DATE; lenity at $COMMIT"

# ---- generated files (cached by rows, seed and generator version) ----------------------
GV=$("$GEN" --version) || die "$GEN --version failed"
# Files of another generator version are stale: they can never be used again.
for f in "$DIR"/doj-* "$DIR"/simple-* "$DIR"/policy-*; do
    [ -e "$f" ] || continue
    case $f in *-g"$GV".*) ;; *) rm -f "$f" ;; esac
done

# generate KIND FILE ARGS...: runs the generator into FILE unless FILE is already there.
generate() {
    local what=$1 file=$2
    shift 2
    if [ -s "$file" ]; then
        echo "using cached $file"
        return 0
    fi
    local t0 t1
    t0=$(date +%s.%N)
    "$GEN" "$@" -o "$file.tmp" 2>"$file.stats.tmp" || { rm -f "$file.tmp"; die "generating $file failed"; }
    t1=$(date +%s.%N)
    mv "$file.stats.tmp" "$file.stats" && mv "$file.tmp" "$file" || die "cannot rename $file.tmp"
    echo "generated $file ($what) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}

DOJ=$DIR/doj-r$ROWS-s$SEED-g$GV.csv
generate "DOJ export" "$DOJ" --rows "$ROWS" --seed "$SEED" --stats
DOJ_BYTES=$(stat -c %s "$DOJ")
stat_of() { sed -n "s/.*\\b$2 \\([0-9.]*\\).*/\\1/p" "$1.stats" 2>/dev/null | head -1; }
EXPECT_AWK=$(stat_of "$DOJ" prop64_convicted_rows)
echo "DOJ export: $ROWS rows, $DOJ_BYTES bytes ($(stat_of "$DOJ" bytes_per_row) bytes a row), $(stat_of "$DOJ" subjects) subjects"

# ---- what this lenity can do -----------------------------------------------------------
POLICIES=()
for p in rules/ca/prop64.policy rules/ca/los_angeles.policy; do
    [ -f "$p" ] && POLICIES+=("$p")
done
[ ${#POLICIES[@]} -gt 0 ] || die "rules/ca/prop64.policy is missing"

# Does `lenity run` read a DOJ export?  Ask it, with ten rows.
PROBE=$DIR/probe-doj10.csv
"$GEN" --rows 10 --seed "$SEED" -o "$PROBE" || die "generating $PROBE failed"
"$LENITY" run rules/ca/prop64.policy --input "$PROBE" --output "$DIR/out/probe.csv" >/dev/null 2>"$DIR/log/probe.err"
PROBE_RC=$?
if [ $PROBE_RC -eq 0 ] || [ $PROBE_RC -eq 4 ]; then
    INPUT=doj
    IN_FILE=$DOJ
    IN_ROWS=$ROWS
    echo "bin/lenity reads DOJ exports: benching lenity on the DOJ export"
    [ $PROBE_RC -eq 4 ] && note "warning: lenity rejected some rows of a 10-row generated export (see $DIR/log/probe.err)"
else
    INPUT=simple
    SIMPLE=$DIR/simple-r$ROWS-s$SEED-g$GV.csv
    generate "simple CSV" "$SIMPLE" --simple --rows "$ROWS" --seed "$SEED" --stats
    IN_FILE=$SIMPLE
    IN_ROWS=$(stat_of "$SIMPLE" convictions)
    why=$(grep -m1 . "$DIR/log/probe.err" | cut -c1-160)
    note "bin/lenity does not read DOJ exports yet (lenity run on a 10-row export: exit $PROBE_RC: $why)"
    note "so lenity is benched on the simple CSV generated from the same $ROWS DOJ rows: $IN_ROWS rows, one per conviction"
fi
IN_BYTES=$(stat -c %s "$IN_FILE")
# The general conviction CSV (spec/records.md) of the same convictions, as a county might hand
# them over: lenity's other reader, benched beside the export.
if [ "$INPUT" = doj ]; then
    SIMPLE=$DIR/simple-r$ROWS-s$SEED-g$GV.csv
    generate "conviction CSV" "$SIMPLE" --simple --rows "$ROWS" --seed "$SEED" --stats
fi
S_ROWS=$(stat_of "$SIMPLE" convictions)
S_BYTES=$(stat -c %s "$SIMPLE")

HELP=$("$LENITY" --help 2>&1)
JOBS=()
if printf '%s\n' "$HELP" | grep -q -- '--jobs'; then
    JOBS=(1 2)
else
    JOBS=(none)
    note "--jobs: not yet supported (bin/lenity --help does not mention it); lenity runs single-threaded"
fi
FORMATS=(decisions)
if printf '%s\n' "$HELP" | grep -qE -- '(^|[^a-z-])--format' && printf '%s\n' "$HELP" | grep -qi 'cadoj'; then
    FORMATS+=(cadoj)
else
    note "--format cadoj: not yet supported (bin/lenity --help does not mention it)"
fi

# A fixed run date, when lenity takes one, so every run does the same work whatever the day.
ASOF=""
if printf '%s\n' "$HELP" | grep -q -- '--as-of'; then
    ASOF="--as-of 2026-01-01"
fi

# Generated policies: one to compile (10,000 rules, sets of 5,000), and two that differ
# only in the size of their sets, compiled once here so the runs time lookups, not compiling.
POL_BIG=$DIR/policy-10000x5000-g$GV.policy
generate "policy" "$POL_BIG" --policy 10000 5000
LOOKUP=()
for size in 5 5000; do
    src=$DIR/policy-lookup-${LOOKUP_RULES}x$size-g$GV.policy
    generate "policy" "$src" --policy "$LOOKUP_RULES" "$size"
    "$LENITYC" "$src" -o "$DIR/lookup-$size.lbc" >/dev/null 2>"$DIR/log/lookup-$size-compile.err" ||
        die "compiling $src failed (see $DIR/log/lookup-$size-compile.err)"
    LOOKUP+=("$DIR/lookup-$size.lbc")
done

# ---- the measurements --------------------------------------------------------------------
# Each: an id, a label, the input it reads (doj or simple or none), where its standard output
# goes, and the command.  Output files are deleted before every repetition (untimed).
IDS=() LABELS=() INS=() OUTS=() CMDS=() KINDS=()
add() { IDS+=("$1"); LABELS+=("$2"); INS+=("$3"); OUTS+=("$4"); KINDS+=("$5"); CMDS+=("$6"); }

add cat_null "cat DOJ >/dev/null (floor)" doj /dev/null tool "cat $DOJ"
add cat_copy "cat DOJ > OUT (floor for a full copy)" doj "$DIR/out/copy.csv" tool "cat $DOJ"
add awk "$AWK_NAME prop64.awk DOJ (simplest Prop 64 row check)" doj "$DIR/out/awk.txt" tool "$AWK -f bench/prop64.awk $DOJ"
add sha256 "SHA-256 of DOJ alone, as lenity hashes its input (bench/sha256_file)" doj "$DIR/out/sha256.txt" tool "$SHA $DOJ"
add cat_null_s "cat SIMPLE >/dev/null (floor for the conviction CSV)" simple /dev/null tool "cat $SIMPLE"
if [ "$INPUT" = simple ]; then
    add cat_copy_s "cat SIMPLE > OUT" simple "$DIR/out/copy-simple.csv" tool "cat $IN_FILE"
fi
for p in "${POLICIES[@]}"; do
    pn=$(basename "$p" .policy)
    for fmt in "${FORMATS[@]}"; do
        # prop64.policy declares no output columns, so it has nothing to add to a DOJ copy
        [ "$fmt" = decisions ] || [ "$pn" != prop64 ] || continue
        for j in "${JOBS[@]}"; do
            id=${pn}_${fmt}_j$j
            fopt="" jopt="" jl=""
            [ "$fmt" = decisions ] || fopt="--format $fmt"
            [ "$j" = none ] || { jopt="--jobs $j"; jl=" --jobs $j"; }
            add "$id" "lenity run $pn, $fmt to a file$jl" "$INPUT" /dev/null lenity \
                "$LENITY run $p --input $IN_FILE --output $DIR/out/$id.csv $fopt $jopt $ASOF"
        done
    done
done
# The conviction CSV reader, on the same convictions.
if [ "$INPUT" = doj ]; then
    add prop64_simple "lenity run prop64, conviction CSV (SIMPLE), decisions to a file" simple /dev/null lenity \
        "$LENITY run rules/ca/prop64.policy --input $SIMPLE --output $DIR/out/prop64_simple.csv $ASOF"
fi
# The prop64 decisions again without the input hash (--no-input-hash), which takes a CPU of
# its own beside the run: what two jobs gain when they have the machine's CPUs to themselves.
NOHASH=no
if [ "${JOBS[0]}" != none ] && "$LENITY" run --help 2>&1 | grep -q -- '--no-input-hash'; then
    NOHASH=yes
    for j in 1 2; do
        add prop64_nohash_j$j "lenity run prop64, decisions to a file --jobs $j --no-input-hash" "$INPUT" /dev/null \
            lenity "$LENITY run rules/ca/prop64.policy --input $IN_FILE --output $DIR/out/prop64_nohash_j$j.csv --jobs $j --no-input-hash $ASOF"
    done
fi
# The same first run, with the decisions on standard output (/dev/null): no file, no fsync.
j1=${JOBS[0]}
jopt=""
[ "$j1" = none ] || jopt="--jobs 1"
add prop64_stdout "lenity run prop64, decisions to /dev/null" "$INPUT" /dev/null lenity \
    "$LENITY run rules/ca/prop64.policy --input $IN_FILE --output - $jopt $ASOF"
add lookup5 "lenity run lookup policy, $LOOKUP_RULES rules, sets of 5" "$INPUT" /dev/null lenity \
    "$LENITY run ${LOOKUP[0]} --input $IN_FILE --output - $jopt $ASOF"
add lookup5000 "lenity run lookup policy, $LOOKUP_RULES rules, sets of 5,000" "$INPUT" /dev/null lenity \
    "$LENITY run ${LOOKUP[1]} --input $IN_FILE --output - $jopt $ASOF"
add compile "lenityc: 10,000 rules, two sets of 5,000" none /dev/null lenity \
    "$LENITYC $POL_BIG -o $DIR/out/big.lbc"

# Warm the page cache so repetition 1 is not a cold read.
cat "$DOJ" >/dev/null
cat "$SIMPLE" >/dev/null

# cpu_jiffies: total and idle (idle + iowait) jiffies of all CPUs, from /proc/stat.
cpu_jiffies() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat 2>/dev/null; }
echo "timing ${#IDS[@]} commands x $REPS repetitions, interleaved ..."
STAT0=$(cpu_jiffies)
T_LOOP0=$(date +%s.%N)
FAILED=()
for ((rep = 1; rep <= REPS; rep++)); do
    for ((i = 0; i < ${#IDS[@]}; i++)); do
        id=${IDS[i]}
        [ "${OUTS[i]}" = /dev/null ] || rm -f "${OUTS[i]}"
        rm -f "$DIR"/out/"$id".csv "$DIR"/out/big.lbc
        # the last command's output goes to disk now, untimed, not during this one
        sync
        read -r -a argv <<<"${CMDS[i]}"
        "$PEAK" -o "${OUTS[i]}" -r "$DIR/res/$id" -- "${argv[@]}" 2>"$DIR/log/$id.err"
        rc=$?
        if [ $rc -ne 0 ] && ! { [ "${KINDS[i]}" = lenity ] && [ $rc -eq 4 ]; }; then
            FAILED+=("$id: exit $rc (see $DIR/log/$id.err)")
        fi
    done
    echo "  repetition $rep of $REPS done ($(($(date +%s) - T_START)) s so far)"
done
STAT1=$(cpu_jiffies)
T_LOOP1=$(date +%s.%N)
rm -f "$DIR"/out/*.csv "$DIR/out/big.lbc"

# ---- results ---------------------------------------------------------------------------------
# median_of ID COLUMN: the median wall time (column 1) or CPU time (column 4);
# maxrss_of ID: the largest peak RSS in KB.
median_of() {
    awk -v c="$2" '{ print $c }' "$DIR/res/$1" | sort -n |
        awk '{ t[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print t[(NR + 1) / 2]; else printf "%.6f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}
maxrss_of() { awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$DIR/res/$1"; }
# range_of ID: the fastest and the slowest repetition's wall time, as "0.480-0.552"
range_of() {
    awk 'NR == 1 { lo = hi = $1 } { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1 }
         END { if (NR) printf "%.3f-%.3f\n", lo, hi; else print "–" }' "$DIR/res/$1"
}
status_of() { awk '$3 != 0 && $3 != 4 { bad = $3 } END { print bad + 0 }' "$DIR/res/$1"; }
declare -A MED CPUT RSS
for id in "${IDS[@]}"; do
    MED[$id]=$(median_of "$id" 1)
    CPUT[$id]=$(median_of "$id" 4)
    RSS[$id]=$(maxrss_of "$id")
done

# How busy the machine was: CPU time used by everything while the timing ran, less the
# bench's own, over the CPUs available.
OURS=$(cat "$DIR"/res/* | awk '{ s += $4 } END { printf "%.3f", s }')
BUSY=$(awk -v a="$STAT0" -v b="$STAT1" -v t0="$T_LOOP0" -v t1="$T_LOOP1" -v ours="$OURS" \
    -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" -v n="$NPROC" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        busy = ((y[1] - x[1]) - (y[2] - x[2])) / hz
        if (t1 <= t0 || n + 0 <= 0 || y[1] == "") { print "unknown"; exit }
        others = (busy - ours) / (t1 - t0); if (others < 0) others = 0
        printf "%.1f of %d", others, n }')
echo "other processes kept $BUSY CPUs busy on average while the bench was timing"

if [ -n "$EXPECT_AWK" ]; then
    got=$(sed -n 's/^prop64_convicted_rows //p' "$DIR/out/awk.txt" 2>/dev/null)
    [ "$got" = "$EXPECT_AWK" ] || note "warning: prop64.awk counted '$got' rows, the generator wrote $EXPECT_AWK"
fi
rm -f "$DIR/out/awk.txt" "$DIR/out/copy.csv" "$DIR/out/copy-simple.csv"
base=prop64_decisions_j${JOBS[0]}
if [ "$INPUT" = simple ] && [ "$(status_of "$base")" = 0 ]; then
    note "for scale: the prop64 run on the simple CSV took $(awk -v t="${MED[$base]}" -v c="${MED[cat_null]}" \
'BEGIN { printf "%.3f s, %.1f", t, t / c }') × cat DOJ >/dev/null, before any reading of 95-column rows"
fi

# Did lenity decide every conviction the generator wrote?  (Its summary says how many.)
if [ "$(status_of "$base")" = 0 ]; then
    decided=$(sed -n 's/^rows read [0-9]* = \([0-9]*\) decided.*/\1/p' "$DIR/log/$base.err" | head -1)
    if [ "$INPUT" = simple ]; then want=$(stat_of "$SIMPLE" convictions); else want=$(stat_of "$DOJ" convictions); fi
    if [ -n "$decided" ] && [ -n "$want" ]; then
        if [ "$decided" = "$want" ]; then
            note "check: lenity decided $decided convictions, as many as the generator wrote"
        else
            note "warning: lenity decided $decided convictions; the generator wrote $want"
        fi
    fi
fi

# The input hash in lenity's stamp is the file's SHA-256, as the bench's own hashing gave it.
if [ "$(status_of "$base")" = 0 ] && [ "$(status_of sha256)" = 0 ]; then
    stamped=$(sed -n 's/^input sha256: \([0-9a-f]\{64\}\)$/\1/p' "$DIR/log/$base.err" | head -1)
    alone=$(awk '{ print $1 }' "$DIR/out/sha256.txt" 2>/dev/null)
    if [ -n "$stamped" ] && [ "$stamped" = "$alone" ]; then
        note "check: lenity's input sha256 is the file's SHA-256 ($alone)"
    else
        note "warning: lenity's input sha256 '${stamped:-none}' is not the file's SHA-256 '$alone'"
    fi
fi
rm -f "$DIR/out/sha256.txt"

# An optional profile of the first lenity run: where its time goes.
PROFILE=""
if [ "${BENCH_PERF:-0}" = 1 ]; then
    if command -v perf >/dev/null 2>&1 && perf record -o "$DIR/perf.data" -F 999 -q -- true >/dev/null 2>&1; then
        for ((i = 0; i < ${#IDS[@]}; i++)); do
            [ "${IDS[i]}" = "$base" ] || continue
            read -r -a argv <<<"${CMDS[i]}"
            perf record -o "$DIR/perf.data" -F 2999 -q -- "${argv[@]}" >/dev/null 2>"$DIR/log/perf.err"
            PROFILE=$(perf report -i "$DIR/perf.data" --no-children --stdio --sort symbol 2>/dev/null |
                grep -E '^ +[0-9.]+%' | head -20 | awk '{ printf "%8s  %s %s\n", $1, $2, $3 }')
            rm -f "$DIR"/out/*.csv "$DIR"/perf.data.old
        done
    else
        note "BENCH_PERF=1: perf is missing or cannot record here; no profile"
    fi
fi

# calc EXPR: awk arithmetic with the variables given as -v.
calc() { awk "BEGIN { $1 }"; }
fmt_int() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }

TABLE=$(mktemp)
{
    echo "| what | input | median s | fastest-slowest s | CPU s | rows/s | MB/s | × cat >/dev/null | peak RSS MB |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for ((i = 0; i < ${#IDS[@]}; i++)); do
        id=${IDS[i]}
        t=${MED[$id]}
        rss=$(calc "printf \"%.1f\", ${RSS[$id]} / 1024")
        case ${INS[i]} in
            doj) rows=$ROWS bytes=$DOJ_BYTES floor=${MED[cat_null]} input="DOJ" ;;
            simple) rows=$S_ROWS bytes=$S_BYTES floor=${MED[cat_null_s]} input="SIMPLE" ;;
            *) rows=0 bytes=0 floor=0 input="–" ;;
        esac
        if [ "$(status_of "$id")" != 0 ]; then
            echo "| ${LABELS[i]} | $input | failed | | | | | | |"
            continue
        fi
        if [ "$rows" -gt 0 ]; then
            rps=$(fmt_int "$(calc "printf \"%.0f\", $rows / $t")")
            mbs=$(calc "printf \"%.0f\", $bytes / $t / 1e6")
            ratio=$(calc "printf \"%.1f\", $t / $floor")
        else
            rps="–" mbs="–" ratio="–"
        fi
        echo "| ${LABELS[i]} | $input | $(calc "printf \"%.3f\", $t") | $(range_of "$id") | $(calc "printf \"%.3f\", ${CPUT[$id]}") | $rps | $mbs | $ratio | $rss |"
    done
} >"$TABLE"

# ---- targets (issue "Fast at state scale") -------------------------------------------------
TARGETS=$(mktemp)
yesno() { if [ "$(calc "print (($1) ? 1 : 0)")" = 1 ]; then echo yes; else echo no; fi; }
MARK=""
[ "$INPUT" = simple ] && MARK=" †"
{
    echo "| target | goal | measured | met |"
    echo "|---|---|---:|---|"
    if [ "$(status_of "$base")" = 0 ]; then
        t=${MED[$base]}
        floor=${MED[cat_null]}
        [ "$INPUT" = simple ] && floor=${MED[cat_null_s]}
        c=${CPUT[$base]}
        cfloor=${CPUT[cat_null]}
        [ "$INPUT" = simple ] && cfloor=${CPUT[cat_null_s]}
        rps=$(calc "printf \"%.0f\", $IN_ROWS / $t")
        crps=$(fmt_int "$(calc "printf \"%.0f\", $IN_ROWS / $c")")
        # the slowest and the fastest repetition, so a target met by the median alone shows as such
        read -r slow fast < <(range_of "$base" | awk -F- -v n="$IN_ROWS" '{ printf "%.0f %.0f\n", n / $2, n / $1 }')
        echo "| decisions CSV, --jobs 1: rows/s | ≥ 2,000,000 | $(fmt_int "$rps")$MARK (repetitions: $(fmt_int "$slow") to $(fmt_int "$fast"); per CPU second: $crps) | $(yesno "$rps >= 2000000")$MARK |"
        r=$(calc "printf \"%.1f\", $t / $floor")
        cr=$(calc "printf \"%.1f\", $c / $cfloor")
        echo "| decisions CSV, --jobs 1: × cat >/dev/null | ≤ 5 | $r$MARK (CPU time: $cr) | $(yesno "$t / $floor <= 5")$MARK |"
    else
        echo "| decisions CSV, --jobs 1 | ≥ 2,000,000 rows/s, ≤ 5 × cat | failed | no |"
    fi
    if [ "${JOBS[0]}" = none ]; then
        echo "| --jobs 2 ÷ --jobs 1 speed-up | ≥ 1.7 | not yet supported | no |"
    else
        s=$(calc "printf \"%.2f\", ${MED[prop64_decisions_j1]} / ${MED[prop64_decisions_j2]}")
        echo "| --jobs 2 ÷ --jobs 1 speed-up | ≥ 1.7 | $s$MARK | $(yesno "$s >= 1.7")$MARK |"
        # --jobs 1 already keeps a second CPU busy with the input hash: two jobs can at best
        # share the same CPU time out over all the CPUs.
        ceil=$(calc "printf \"%.2f\", ${MED[prop64_decisions_j1]} / (${CPUT[prop64_decisions_j1]} / $NPROC)")
        echo "| (the most $NPROC CPUs allow: --jobs 1 wall ÷ (its CPU time ÷ $NPROC); the input hash alone takes $(calc "printf \"%.2f\", ${CPUT[sha256]}") s CPU) | – | $ceil | – |"
        if [ "$NOHASH" = yes ] && [ "$(status_of prop64_nohash_j1)" = 0 ] && [ "$(status_of prop64_nohash_j2)" = 0 ]; then
            s=$(calc "printf \"%.2f\", ${MED[prop64_nohash_j1]} / ${MED[prop64_nohash_j2]}")
            echo "| (the same without the input hash, --no-input-hash: --jobs 2 ÷ --jobs 1) | – | $s | – |"
        fi
    fi
    if [ ${#FORMATS[@]} -gt 1 ]; then
        copy=${MED[cat_copy]}
        [ "$INPUT" = simple ] && copy=${MED[cat_copy_s]}
        for j in "${JOBS[@]}"; do
            cid=los_angeles_cadoj_j$j
            jl=""
            [ "$j" = none ] || jl=", --jobs $j"
            if [ -n "${MED[$cid]:-}" ]; then
                r=$(calc "printf \"%.1f\", ${MED[$cid]} / $copy")
                echo "| --format cadoj ÷ cat > OUT (los_angeles$jl) | ≤ 3 | $r$MARK (repetitions: $(range_of "$cid") s) | $(yesno "$r <= 3")$MARK |"
            else
                echo "| --format cadoj ÷ cat > OUT (los_angeles$jl) | ≤ 3 | failed or not run | no |"
            fi
        done
    else
        echo "| --format cadoj ÷ cat > OUT | ≤ 3 | not yet supported | no |"
    fi
    peak=0
    for ((i = 0; i < ${#IDS[@]}; i++)); do
        [ "${KINDS[i]}" = lenity ] && [ "${IDS[i]}" != compile ] && [ "${RSS[${IDS[i]}]}" -gt $peak ] && peak=${RSS[${IDS[i]}]}
    done
    echo "| peak RSS, largest lenity run | < 64 MB | $(calc "printf \"%.1f\", $peak / 1024") MB$MARK | $(yesno "$peak < 65536")$MARK |"
    if [ "$(status_of compile)" = 0 ]; then
        echo "| compile 10,000 rules, sets of 5,000 | < 1 s | $(calc "printf \"%.2f\", ${MED[compile]}") s (CPU: $(calc "printf \"%.2f\", ${CPUT[compile]}") s) | $(yesno "${MED[compile]} < 1") |"
    else
        echo "| compile 10,000 rules, sets of 5,000 | < 1 s | failed | no |"
    fi
    if [ "$(status_of lookup5)" = 0 ] && [ "$(status_of lookup5000)" = 0 ]; then
        r=$(calc "printf \"%.2f\", ${CPUT[lookup5000]} / ${CPUT[lookup5]}")
        w=$(calc "printf \"%.2f\", ${MED[lookup5000]} / ${MED[lookup5]}")
        echo "| set lookup: CPU time with sets of 5,000 ÷ sets of 5 | 1 (≤ 1.10) | $r (wall: $w) | $(yesno "$r <= 1.10") |"
    else
        echo "| set lookup: sets of 5,000 ÷ sets of 5 | 1 (≤ 1.10) | failed | no |"
    fi
} >"$TARGETS"

T_TOTAL=$(($(date +%s) - T_START))
{
    echo "# make bench results"
    echo
    echo "Generated by \`make bench\` (bench/run.sh); see bench/README.md for what each line means."
    echo
    echo "- date: $DATE"
    echo "- machine: $NPROC CPUs, $CPU, $MEM memory, $(uname -sr)"
    echo "- lenity: $COMMIT"
    echo "- data: $ROWS generated DOJ rows ($DOJ_BYTES bytes, seed $SEED, generator version $GV)"
    echo "  and SIMPLE, the conviction CSV of the same convictions ($S_ROWS rows, $S_BYTES bytes)"
    echo "- $REPS repetitions of each command, interleaved; times are medians of wall time and of"
    echo "  CPU time (user + system); peak RSS is the largest of the repetitions; the bench took $T_TOTAL s"
    echo "- other processes kept $BUSY CPUs busy on average while the bench was timing"
    echo
    echo "## Measurements"
    echo
    cat "$TABLE"
    echo
    echo "## Targets"
    echo
    cat "$TARGETS"
    echo
    if [ "$INPUT" = simple ]; then
        echo "† measured on the simple CSV (one row per conviction, $IN_ROWS rows for $ROWS DOJ rows),"
        echo "because bin/lenity does not read DOJ exports yet; the targets are about DOJ rows."
        echo
    fi
    if [ -n "$PROFILE" ]; then
        echo "## Profile of \`lenity run prop64\` (perf record, cpu-clock samples, top 20 functions)"
        echo
        echo '```'
        printf '%s\n' "$PROFILE"
        echo '```'
        echo
    fi
    if [ ${#NOTES[@]} -gt 0 ] || [ ${#FAILED[@]} -gt 0 ]; then
        echo "## Notes"
        echo
        for n in "${NOTES[@]}"; do echo "- $n"; done
        for n in "${FAILED[@]}"; do echo "- failed: $n"; done
        echo
    fi
} >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"

echo
cat "$TABLE"
echo
cat "$TARGETS"
[ "$INPUT" = simple ] && echo && echo "† measured on the simple CSV: bin/lenity does not read DOJ exports yet"
for n in "${FAILED[@]}"; do echo "failed: $n"; done
rm -f "$TABLE" "$TARGETS"
echo
echo "results written to $RESULTS; the bench took $T_TOTAL s"
[ ${#FAILED[@]} -eq 0 ]
