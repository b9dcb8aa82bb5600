#!/usr/bin/env bash
# Hostile records files (tests/hostile/): each one is run through lenity run
# and must give exactly the counts in the tables of tests/hostile/README.md:
# exit code, rows read / decided / not convictions / rejected (which must add
# up), people, the rejected row numbers and a word of the first reason; a
# file that cannot be read must give its exact message and write nothing.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
HOSTILE=$ROOT/tests/hostile
PROP64=$ROOT/rules/ca/prop64.policy
README=$HOSTILE/README.md
mkdir -p "$WORK/out" "$WORK/gen/csv"

# --- files written here rather than kept in git -------------------------------
gen_one_megabyte_field() {
    awk 'BEGIN {
        x = "x"; while (length(x) < 2000000) x = x x
        m = substr(x, 1, 1000000); big = substr(x, 1, 2000000)
        nl = substr(x, 1, 99) "\n"; while (length(nl) < 1000000) nl = nl nl
        nl = substr(nl, 1, 1000000)
        print "person_id,date_of_birth,citation,level,disposition_date,county,sentence,case_id,notes"
        print "P1,1980-01-15,HS 11357(b),misdemeanor,2010-05-01," m ",,LA-1,"
        print "P2,1990-01-01,HS 11357(b),misdemeanor,2011-01-01,Sacramento,,SAC-1,\"" nl "\""
        print "P3,1985-02-02,HS 11358,felony,2009-09-09," big ",,F-3,"
        print "P4,1970-03-03,HS 11360(a),felony,2005-01-01,Kern,2 years,K-4,"
    }' >"$WORK/gen/csv/one-megabyte-field.csv"
    [ "$(stat -c %s "$WORK/gen/csv/one-megabyte-field.csv")" -gt 4000000 ] || fail "one-megabyte-field.csv came out too small"
}
gen_one_megabyte_field

# --- reading the outputs ------------------------------------------------------------
# Prints the decisions' row numbers (one line, sorted), the rejects' row
# numbers (one line, in file order) and the first rejected row's reason.
# Values with line breaks are not expected in these outputs: a decisions row
# or a rejects row that cannot be split fails the test rather than pass.
read_outputs() {
    LC_ALL=C awk '
        /^#/ { next }
        !header { header = 1; if ($0 !~ /^person_id,row,/) { print "ERROR: no header person_id,row,... in the decisions: " $0; exit 1 }; next }
        {
            line = $0; i = 1
            if (substr(line, 1, 1) == "\"") {
                for (i = 2; i <= length(line); i++)
                    if (substr(line, i, 1) == "\"") { if (substr(line, i + 1, 1) == "\"") i++; else { i++; break } }
            } else {
                while (i <= length(line) && substr(line, i, 1) != ",") i++
            }
            rest = substr(line, i + 1); row = substr(rest, 1, index(rest, ",") - 1)
            if (substr(line, i, 1) != "," || row !~ /^[0-9]+$/) { print "ERROR: cannot read the row number of the decision: " line; exit 1 }
            print row
        }' "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'
    echo
    LC_ALL=C awk '
        NR == 1 { if ($0 != "row,reason") { print "ERROR: no header row,reason in the rejects: " $0; exit 1 }; next }
        {
            row = substr($0, 1, index($0, ",") - 1); reason = substr($0, index($0, ",") + 1)
            if (row !~ /^[0-9]+$/ || reason == "" || reason == "\"\"") { print "ERROR: a rejects row without a row number or a reason: " $0; exit 1 }
            rows = rows (rows == "" ? "" : " ") row
            if (first == "") first = reason
        }
        END { print rows; print (first == "" ? "-" : first) }' "$2"
}

# --- one file that is read --------------------------------------------------------
# check_read FILE EXIT READ DECIDED NOTCONV REJECTED ROWS PEOPLE REASON
check_read() {
    local file=$1 want_rc=$2 want_read=$3 want_dec=$4 want_other=$5 want_rej=$6 want_rows=$7 want_people=$8 want_reason=$9
    local input=$file dir=$HOSTILE
    [ -f "$HOSTILE/$file" ] || { dir=$WORK/gen; [ -f "$dir/$file" ] || fail "$file: no such file in tests/hostile and not generated"; }
    rm -rf "$WORK/out" && mkdir "$WORK/out"
    local rc=0
    (cd "$dir" && "$LENITY" run "$PROP64" --input "$input" --as-of 2019-11-11 \
        --output "$WORK/out/decisions.csv" --rejects "$WORK/out/rejects.csv") >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq "$want_rc" ] || { sed 's/^/    | /' "$WORK/stderr" >&2; fail "$file: exit code $rc, expected $want_rc"; }

    local line
    line=$(grep -E '^rows read ' "$WORK/stderr" || true)
    [ -n "$line" ] || { sed 's/^/    | /' "$WORK/stderr" >&2; fail "$file: no 'rows read' line in the summary"; }
    local re='^rows read ([0-9]+) = ([0-9]+) decided( \+ ([0-9]+) not convictions)? \+ ([0-9]+) rejected$'
    [[ $line =~ $re ]] || fail "$file: cannot read the summary line: $line"
    local n=${BASH_REMATCH[1]} d=${BASH_REMATCH[2]} o=${BASH_REMATCH[4]:-0} r=${BASH_REMATCH[5]}
    [ "$n" -eq $((d + o + r)) ] || fail "$file: $line: rows read is not decided + not convictions + rejected"
    [ "$n/$d/$o/$r" = "$want_read/$want_dec/$want_other/$want_rej" ] ||
        fail "$file: $line; expected rows read $want_read = $want_dec decided + $want_other not convictions + $want_rej rejected"
    expect_no_grep "ACCOUNTING ERROR" "$WORK/stderr"
    grep -qx "people: $want_people" "$WORK/stderr" || fail "$file: expected the line 'people: $want_people' in the summary"

    [ "$(stat -c %a "$WORK/out/decisions.csv")" = 600 ] || fail "$file: decisions.csv is not mode 0600"
    local parsed decided rejected reason
    parsed=$(read_outputs "$WORK/out/decisions.csv" "$WORK/out/rejects.csv")
    if grep -q 'ERROR:' <<<"$parsed" || [ "$(wc -l <<<"$parsed")" -ne 3 ]; then fail "$file: $parsed"; fi
    decided=$(sed -n 1p <<<"$parsed")
    rejected=$(sed -n 2p <<<"$parsed")
    reason=$(sed -n 3p <<<"$parsed")
    [ "${rejected:--}" = "$want_rows" ] || fail "$file: rejected rows '$rejected', expected '$want_rows'"
    local ndec=0
    [ -z "$decided" ] || ndec=$(wc -w <<<"$decided")
    [ "$ndec" -eq "$d" ] || fail "$file: the decisions file has $ndec rows, the summary says $d decided"
    if [ "$want_reason" != "-" ]; then
        [[ $reason == *"$want_reason"* ]] || fail "$file: the first reason '$reason' does not contain '$want_reason'"
    fi
    # No row both decided and rejected, none outside 1..N; for the records CSV
    # (one row, one conviction) every row is one or the other.
    local all
    all=$(printf '%s\n' $decided $rejected | sort -n)
    [ -z "$(uniq -d <<<"$all")" ] || fail "$file: rows both decided and rejected (or decided twice): $(uniq -d <<<"$all" | tr '\n' ' ')"
    for k in $all; do
        [ "$k" -ge 1 ] && [ "$k" -le "$n" ] || fail "$file: row $k is outside 1..$n"
    done
    if [ "$o" -eq 0 ] && [ "$n" -gt 0 ]; then
        [ "$(tr '\n' ' ' <<<"$all")" = "$(seq -s ' ' 1 "$n") " ] ||
            fail "$file: rows neither decided nor rejected: decided '$decided', rejected '$rejected', read $n"
    fi
    local extra
    extra=$(cd "$WORK/out" && ls -A | grep -vxE 'decisions\.csv|rejects\.csv|rejects\.csv\.provenance\.json' || true)
    [ -z "$extra" ] || fail "$file: files left beside the outputs: $extra"
}

# --- one file that cannot be read -------------------------------------------------
check_refused() {
    local file=$1 want_rc=$2 want_message=$3
    [ -f "$HOSTILE/$file" ] || fail "$file: no such file in tests/hostile"
    rm -rf "$WORK/out" && mkdir "$WORK/out"
    local rc=0
    (cd "$HOSTILE" && "$LENITY" run "$PROP64" --input "$file" --as-of 2019-11-11 \
        --output "$WORK/out/decisions.csv" --rejects "$WORK/out/rejects.csv") >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
    [ "$rc" -eq "$want_rc" ] || { sed 's/^/    | /' "$WORK/stderr" >&2; fail "$file: exit code $rc, expected $want_rc"; }
    [ "$(cat "$WORK/stderr")" = "$want_message" ] || {
        echo "expected: $want_message" >&2
        echo "actual:   $(cat "$WORK/stderr")" >&2
        fail "$file: not the expected message"
    }
    [ ! -s "$WORK/stdout" ] || fail "$file: something was written to standard output"
    [ -z "$(ls -A "$WORK/out")" ] || fail "$file: files were written: $(ls -A "$WORK/out")"
}

# --- the tables of the README ------------------------------------------------------
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
unquote() { local s; s=$(trim "$1"); s=${s#\`}; s=${s%\`}; printf '%s' "$s"; }
listed=()
ran=0
while IFS= read -r line; do
    [[ $line =~ ^\|\ \`(csv|cadoj)/ ]] || continue
    IFS='|' read -r -a cell <<<"${line#|}"
    [[ ${cell[0]} =~ \`([^\`]+)\` ]] || fail "README.md: no file name in: $line"
    file=${BASH_REMATCH[1]}
    listed+=("$file")
    case ${#cell[@]} in
        10) check_read "$file" "$(trim "${cell[2]}")" "$(trim "${cell[3]}")" "$(trim "${cell[4]}")" \
                "$(trim "${cell[5]}")" "$(trim "${cell[6]}")" "$(trim "${cell[7]}")" \
                "$(trim "${cell[8]}")" "$(unquote "${cell[9]}")" ;;
        4) check_refused "$file" "$(trim "${cell[2]}")" "$(unquote "${cell[3]}")" ;;
        *) fail "README.md: a table row with ${#cell[@]} cells: $line" ;;
    esac
    ran=$((ran + 1))
done <"$README"
[ "$ran" -ge 30 ] || fail "only $ran hostile files were run: are the README tables intact?"

# Every file kept under tests/hostile has its expected counts.
while IFS= read -r f; do
    printf '%s\n' "${listed[@]}" | grep -qxF "$f" || fail "tests/hostile/$f has no row in tests/hostile/README.md"
done < <(cd "$HOSTILE" && find csv cadoj -type f | sort)

# --- a person's rows apart: reported in the summary, and the first row named ---------------
for pair in "csv/non-adjacent-rows.csv 1 P1" "cadoj/non-adjacent.csv 2 100"; do
    set -- $pair
    rc=0; "$BIN/lenity" run "$PROP64" --input "$HOSTILE/$1" --output /dev/null --as-of 2024-01-01 >"$WORK/apart" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "$1: exit $rc"
    grep -q "^people whose rows are not together: $2 " "$WORK/apart" || fail "$1: the summary does not say $2 people's rows are apart"
    grep -q "person '$3' appears again at row 3, after other people's rows" "$WORK/apart" || fail "$1: person $3 not named"
done
