#!/usr/bin/env bash
# Every documented limit (spec/language.md section 21), just under and just
# over, through the programs: under it works, over it gives a clear message
# and an exit code (never a crash, a hang or a silent truncation).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
PROP64=$ROOT/rules/ca/prop64.policy

# rep TEXT N: TEXT N times.
rep() { awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
# policy CONDITION [DECLARATIONS]: a small policy whose one rule has CONDITION.
policy() {
    cat <<POLICY
policy "Limits"
  jurisdiction "California"
  authority HS 11361.8
  effective 2016-11-09
  version "1.0"

outcome dismiss is relief
outcome needs_review is review
${2:-}
rule r
  when $1
  then dismiss
  because "Test."
  citing HS 11361.8

otherwise needs_review
  because "Review."
  citing HS 11361.8
POLICY
}
# crash_free RC WHAT: an exit code from a signal (128+) or a sanitizer is a crash.
crash_free() {
    [ "$1" -lt 128 ] || fail "$2: exit code $1 (killed by a signal?)"
    ! grep -qE 'Sanitizer|runtime error:|Segmentation|stack overflow' out || fail "$2: crashed: $(head -5 out)"
}
printf 'person_id,citation,level,disposition_date,date_of_birth\nP1,HS 11357(b),felony,2010-01-01,1980-01-01\nP1,HS 11359,misdemeanor,2011-01-01,1980-01-01\n' >records.csv

# --- parentheses nested inside each other: 64 (PARSE_MAX_NESTING) -----------------
policy "$(rep '(' 64)level is felony$(rep ')' 64)" >paren64.policy
policy "$(rep '(' 65)level is felony$(rep ')' 65)" >paren65.policy
policy "$(rep '(' 100000)level is felony$(rep ')' 100000)" >paren100k.policy
expect_rc 0 out "$LENITYC" --check paren64.policy
expect_rc 0 out "$LENITY" run paren64.policy --input records.csv --output -
expect_rc 1 out "$LENITYC" --check paren65.policy
expect_grep "paren65.policy:11:72: error: parentheses are nested more than 64 deep" out
expect_grep "1 error; nothing written" out
expect_rc 1 out "$LENITY" run paren65.policy --input records.csv --output decisions.csv
expect_grep "parentheses are nested more than 64 deep" out
[ ! -e decisions.csv ] || fail "a policy nested too deep still wrote decisions"
expect_rc 1 out "$LENITYC" --check paren100k.policy
expect_grep "parentheses are nested more than 64 deep" out

# --- a condition's depth: 500 levels (CHECK_MAX_DEPTH) ------------------------------
# Every and/or/not, comparison and value is a level: a chain of 498 'and'
# between comparisons is 500 deep, 499 is one too many.
chain() { printf 'level is felony'; rep ' and level is felony' "$1"; }
policy "$(chain 498)" >and498.policy
policy "$(chain 499)" >and499.policy
expect_rc 0 out "$LENITYC" --check and498.policy
expect_rc 0 out "$LENITY" run and498.policy --input records.csv --output -
expect_rc 1 out "$LENITYC" --check and499.policy
expect_grep "and499.policy:11:8: error: this condition is nested more than 500 levels deep" out
expect_grep "hint: split the condition into several rules" out
# 200,000 of them (4 MB): still one message, no stack overflow.
policy "$(chain 200000)" >and200k.policy
rc=0; "$LENITYC" --check and200k.policy >out 2>&1 || rc=$?
crash_free "$rc" "200,000 'and'"
[ "$rc" -eq 1 ] || fail "200,000 'and': exit code $rc, expected 1"
expect_grep "this condition is nested more than 500 levels deep" out
[ "$(grep -c 'error:' out)" -eq 1 ] || fail "200,000 'and' gave more than one error: $(grep -c 'error:' out)"
# 'not' nests to the right: 498 of them are 500 deep.
policy "$(rep 'not ' 498)level is felony" >not498.policy
policy "$(rep 'not ' 499)level is felony" >not499.policy
expect_rc 0 out "$LENITYC" --check not498.policy
expect_rc 1 out "$LENITYC" --check not499.policy
expect_grep "this condition is nested more than 500 levels deep" out
# About 10,000 of them fill the parser's own stack first: a message too.
policy "$(rep 'not ' 20000)level is felony" >not20k.policy
rc=0; "$LENITYC" --check not20k.policy >out 2>&1 || rc=$?
crash_free "$rc" "20,000 'not'"
[ "$rc" -eq 1 ] || fail "20,000 'not': exit code $rc, expected 1"
expect_grep "the policy is too deeply nested to read" out
# Questions inside questions count too.
policy "$(rep 'any other conviction where ' 300)level is felony" >where300.policy
policy "$(rep 'any other conviction where ' 499)level is felony" >where499.policy
expect_rc 0 out "$LENITYC" --check where300.policy
expect_rc 0 out "$LENITY" run where300.policy --input records.csv --output -
expect_rc 1 out "$LENITYC" --check where499.policy
expect_grep "this condition is nested more than 500 levels deep" out

# --- errors reported: 50 (DIAG_MAX_ERRORS), then only the total ---------------------
errors() {
    policy "level is felony" | sed '/^otherwise/,$d'
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
        printf "rule bad%d\n  when level is felony\n  then dismis\n  because \"x\"\n  citing HS 11361.8\n\n", i }'
    printf 'otherwise needs_review\n  because "y"\n  citing HS 11361.8\n'
}
errors 50 >errors50.policy
errors 51 >errors51.policy
errors 1000 >errors1000.policy
expect_rc 1 out "$LENITYC" --check errors50.policy
[ "$(grep -c ': error:' out)" -eq 50 ] || fail "50 errors: $(grep -c ': error:' out) reported"
expect_no_grep "stopping after" out
expect_grep "errors50.policy: 50 errors; nothing written" out
expect_rc 1 out "$LENITYC" --check errors51.policy
[ "$(grep -c ': error:' out)" -eq 50 ] || fail "51 errors: $(grep -c ': error:' out) reported, expected 50"
expect_grep "lenityc: stopping after 50 errors" out
expect_grep "errors51.policy: 51 errors; nothing written" out
expect_rc 1 out "$LENITYC" --check errors1000.policy
[ "$(grep -c ': error:' out)" -eq 50 ] || fail "1000 errors: $(grep -c ': error:' out) reported, expected 50"
expect_grep "errors1000.policy: 1000 errors; nothing written" out

# --- policies extending each other: 8 deep (EXTEND_MAX_DEPTH), and circles ----------
# chain_of N: cN/c0.policy extends c1 ... extends base: N 'extends' in a row.
chain_of() {
    local dir=chain$1 prev=base
    mkdir -p "$dir"
    policy "level is felony" >"$dir/base.policy"
    for ((i = $1 - 1; i >= 0; i--)); do
        printf 'policy "C%d"\n  extends "%s.policy"\n  version "%d"\n' "$i" "$prev" "$i" >"$dir/c$i.policy"
        prev=c$i
    done
}
chain_of 8
chain_of 9
expect_rc 0 out "$LENITYC" --check chain8/c0.policy
expect_rc 0 out "$LENITY" run chain8/c0.policy --input records.csv --output -
expect_rc 1 out "$LENITYC" --check chain9/c0.policy
expect_grep "error: policies extend each other more than 8 deep" out
expect_grep "hint: flatten the chain of policies" out
mkdir -p circle
printf 'policy "Self"\n  extends "self.policy"\n  version "1"\n' >circle/self.policy
printf 'policy "A"\n  extends "b.policy"\n  version "1"\n' >circle/a.policy
printf 'policy "B"\n  extends "c.policy"\n  version "1"\n' >circle/b.policy
printf 'policy "C"\n  extends "a.policy"\n  version "1"\n' >circle/c.policy
expect_rc 1 out "$LENITYC" --check circle/self.policy
expect_grep "circle/self.policy:2:11: error: this policy extends itself" out
expect_rc 1 out "$LENITYC" --check circle/a.policy
expect_grep "error: this 'extends' leads back to a policy that extends this one" out
expect_rc 1 out "$LENITY" run circle/a.policy --input records.csv --output -
expect_grep "extend each other in a circle" out

# --- citations: 63 characters, codes of 8 letters, 7 subsections of 8 ---------------
c63='ABCDEFGH 12345678(abcdefgh)(abcdefgh)(abcdefgh)(abcdefgh)(abcd)'
c64='ABCDEFGH 12345678(abcdefgh)(abcdefgh)(abcdefgh)(abcdefgh)(abcde)'
[ "${#c63}" -eq 63 ] && [ "${#c64}" -eq 64 ] || fail "the test's citations have the wrong length"
policy "citation in $c63" >cite63.policy
policy "citation in $c64" >cite64.policy
policy "citation in PC 667(e)(2)(C)(iv)(I)(a)(1)" >sub7.policy
policy "citation in PC 667(e)(2)(C)(iv)(I)(a)(1)(x)" >sub8.policy
policy "citation in ABCDEFGH 1" >code8.policy
policy "citation in ABCDEFGHI 1" >code9.policy
policy "citation in PC 1(abcdefgh)" >subsection8.policy
policy "citation in PC 1(abcdefghi)" >subsection9.policy
expect_rc 0 out "$LENITYC" --check cite63.policy
expect_rc 1 out "$LENITYC" --check cite64.policy
expect_grep "is not a citation: citation is longer than 63 characters" out
expect_rc 0 out "$LENITYC" --check sub7.policy
expect_rc 1 out "$LENITYC" --check sub8.policy
expect_grep "'PC 667(e)(2)(C)(iv)(I)(a)(1)(x)' is not a citation: too many subsections (at most 7)" out
expect_rc 0 out "$LENITYC" --check code8.policy
expect_rc 1 out "$LENITYC" --check code9.policy
expect_grep "'ABCDEFGHI' is neither a name nor a citation" out
expect_rc 0 out "$LENITYC" --check subsection8.policy
expect_rc 1 out "$LENITYC" --check subsection9.policy   # the message is about the syntax, not the limit
# The same in the records: the row is rejected, with the reason.
{
    echo "person_id,citation"
    echo "P1,$c63"
    echo "P1,$c64"
    echo "P1,PC 667(e)(2)(C)(iv)(I)(a)(1)"
    echo "P1,PC 667(e)(2)(C)(iv)(I)(a)(1)(x)"
    echo "P1,ABCDEFGHI 1"
    echo "P1,PC 1(abcdefghi)"
} >citations.csv
expect_rc 4 out "$LENITY" run "$PROP64" --input citations.csv --as-of 2019-11-11 --output - --rejects rejects.csv
expect_grep "rows read 6 = 2 decided + 4 rejected" out
expect_grep '2,citation '"'"'ABCDEFGH 12345678(abcdefgh)' rejects.csv
expect_grep "is not a statute citation: citation is longer than 63 characters" rejects.csv
expect_grep "4,citation 'PC 667(e)(2)(C)(iv)(I)(a)(1)(x)' is not a statute citation: too many subsections (at most 7)" rejects.csv
expect_grep "5,\"citation 'ABCDEFGHI 1' is not a statute citation: a code has at most 8 letters" rejects.csv
expect_grep "6,\"citation 'PC 1(abcdefghi)' is not a statute citation: a subsection holds 1 to 8 letters or digits" rejects.csv

# --- outcomes in a policy: 250 --------------------------------------------------------
outcomes() {
    policy "level is felony" "$(awk -v n="$1" 'BEGIN { for (i = 3; i <= n; i++) printf "outcome extra%d is relief\n", i }')"
}
outcomes 250 >outcomes250.policy
outcomes 251 >outcomes251.policy
expect_rc 0 out "$LENITYC" --check outcomes250.policy
expect_rc 0 out "$LENITY" run outcomes250.policy --input records.csv --output -
expect_grep "extra250" out
expect_rc 1 out "$LENITYC" --check outcomes251.policy
expect_grep "error: the policy declares more than 250 outcomes" out

# --- numbers, durations and dates written in a policy -------------------------------
policy "count of convictions is at least 999999999999999" >num15.policy
policy "count of convictions is at least 1000000000000000" >num16.policy
expect_rc 0 out "$LENITYC" --check num15.policy
expect_rc 1 out "$LENITYC" --check num16.policy
expect_grep "the number 1000000000000000 is too large" out
policy "disposition_date is before 2016-01-01 + 9999 days" >dur4.policy
policy "disposition_date is before 2016-01-01 + 10000 days" >dur5.policy
expect_rc 0 out "$LENITYC" --check dur4.policy
expect_rc 1 out "$LENITYC" --check dur5.policy
expect_grep "'10000 days' is not a duration" out
for d in 1800-01-01 2200-12-31; do
    policy "disposition_date is before $d" >date.policy
    expect_rc 0 out "$LENITYC" --check date.policy
done
for d in 1799-12-31 2201-01-01; do
    policy "disposition_date is before $d" >date.policy
    expect_rc 1 out "$LENITYC" --check date.policy
    expect_grep "'$d' is not a date on the calendar" out
done
# Dates in the records: the same years.
printf 'person_id,citation,disposition_date\nP1,HS 11357(b),1800-01-01\nP2,HS 11357(b),2200-12-31\nP3,HS 11357(b),1799-12-31\nP4,HS 11357(b),2201-01-01\n' >years.csv
expect_rc 4 out "$LENITY" run "$PROP64" --input years.csv --as-of 2019-11-11 --output - --rejects rejects.csv
expect_grep "rows read 4 = 2 decided + 2 rejected" out
expect_grep "3,\"disposition_date '1799-12-31' is not a valid date" rejects.csv
expect_grep "4,\"disposition_date '2201-01-01' is not a valid date" rejects.csv
# KNOWN PROBLEM: a date computed from constants past 2200 is accepted by
# lenityc and refused when the program is loaded; checked only not to crash.
policy "disposition_date is before 2200-12-31 + 1 day" >fold.policy
rc=0; "$LENITY" run fold.policy --input records.csv --output - >out 2>&1 || rc=$?
crash_free "$rc" "a folded date past 2200"
[ "$rc" -ne 0 ] || fail "a folded date past 2200 was run"

# --- a policy file: less than 16 MiB ---------------------------------------------------
policy "level is felony" >big.policy
awk 'BEGIN { line = sprintf("#%99s", ""); for (i = 0; i < 170000; i++) print line }' >>big.policy
head -c 16777215 big.policy >max.policy
head -c 16777216 big.policy >over.policy
expect_rc 0 out "$LENITYC" --check max.policy
expect_rc 1 out "$LENITYC" --check over.policy
expect_grep "error: over.policy: the policy file is larger than 16777216 bytes" out
rm -f big.policy max.policy over.policy

# --- -I folders: 8; --set options in one run: 64 --------------------------------------
dirs8=()
for i in 1 2 3 4 5 6 7 8; do mkdir -p "inc$i"; dirs8+=(-I "inc$i"); done
expect_rc 0 out "$LENITYC" --check "$POLICY" "${dirs8[@]}"
expect_rc 2 out "$LENITYC" --check "$POLICY" "${dirs8[@]}" -I inc1
expect_grep "lenityc: at most 8 -I folders" out
expect_rc 0 out "$LENITY" run "$POLICY" --input records.csv --output - "${dirs8[@]}"
expect_rc 2 out "$LENITY" run "$POLICY" --input records.csv --output - "${dirs8[@]}" -I inc1
expect_grep "lenity: at most 8 -I folders" out
expect_rc 2 out "$LENITY" test "$POLICY" "${dirs8[@]}" -I inc1
expect_grep "lenity test: at most 8 -I folders" out
sets=()
for i in $(seq 64); do sets+=(--set "adult_age=$i"); done
expect_rc 0 out "$LENITY" run "$POLICY" --input records.csv --output - "${sets[@]}"
expect_grep "adult_age = 64 (set for this run" out
expect_rc 2 out "$LENITY" run "$POLICY" --input records.csv --output - "${sets[@]}" --set adult_age=65
expect_grep "lenity: at most 64 --set options" out

# --- a value in the records: 1 MiB (CSV_MAX_FIELD, CADOJ_MAX_FIELD) -------------------
# In a column Lenity reads (county), quoted or not, and in one it ignores (notes).
field_rows() {
    awk -v n="$1" 'BEGIN {
        x = "x"; while (length(x) < n) x = x x; x = substr(x, 1, n)
        print "person_id,citation,county,notes"
        print "P1,HS 11357(b)," x ","
        print "P2,HS 11357(b),\"" x "\","
        print "P3,HS 11357(b),Kern," x
    }'
}
field_rows 1048576 >field-max.csv
field_rows 1048577 >field-over.csv
expect_rc 0 out "$LENITY" run "$PROP64" --input field-max.csv --as-of 2019-11-11 --output /dev/null
expect_grep "rows read 3 = 3 decided + 0 rejected" out
expect_rc 4 out "$LENITY" run "$PROP64" --input field-over.csv --as-of 2019-11-11 --output /dev/null --rejects rejects.csv
expect_grep "rows read 3 = 0 decided + 3 rejected" out
expect_grep "1,\"the value in column 'county' is longer than 1 MiB" rejects.csv
expect_grep "2,\"the value in column 'county' is longer than 1 MiB" rejects.csv
expect_grep "3,\"the value in column 'notes' is longer than 1 MiB" rejects.csv
# A header of 1 MiB is read (its last column is ignored); one byte more is not a header.
header_of() { # BYTES: the header row without its newline has this many bytes
    { printf 'person_id,citation,'; head -c $(($1 - 19)) /dev/zero | tr '\0' 'h'; printf '\nP1,HS 11357(b),\n'; }
}
header_of 1048576 >long-header.csv
expect_rc 0 out "$LENITY" run "$PROP64" --input long-header.csv --as-of 2019-11-11 --output /dev/null
expect_grep "rows read 1 = 1 decided + 0 rejected" out
header_of 1048577 >long-header.csv
expect_rc 3 out "$LENITY" run "$PROP64" --input long-header.csv --output decisions.csv
expect_grep "the first row is longer than 1 MiB, so it is not a header of column names" out
[ ! -e decisions.csv ] || fail "a file with a header over 1 MiB wrote decisions"
rm -f field-*.csv long-header.csv

# The DOJ export, in COMMENT_TEXT.
DOJ_HEADER=$(head -1 "$ROOT/tests/hostile/cadoj/header-only.csv")
# doj_row SUBJECT CNT_ORDER COMMENT_LENGTH [arrest]: a row of the export, built
# from the header's names: a conviction of HS 11357 (misdemeanor) or an arrest
# for it, with a COMMENT_TEXT of that many bytes.
doj_row() {
    awk -v h="$DOJ_HEADER" -v subj="$1" -v cnt="$2" -v clen="$3" -v kind="${4:-conviction}" 'BEGIN {
        n = split(h, col, ",")
        c = ""; if (clen > 0) { c = "c"; while (length(c) < clen) c = c c; c = substr(c, 1, clen) }
        v["RECORD_ID"] = "x"; v["SUBJECT_ID"] = subj; v["CII_NUMBER"] = "1" subj
        v["PRI_NAME"] = "DOE JOHN"; v["PRI_DOB"] = "19700101"; v["STP_EVENT_DATE"] = "20100101"
        v["STP_ORI_CNTY_NAME"] = "SACRAMENTO"; v["CNT_ORDER"] = cnt; v["COMMENT_TEXT"] = c
        v["OFFENSE_DESCR"] = "11357 HS-POSSESS MARIJUANA"; v["OFFENSE_TOC"] = "M"
        if (kind == "arrest") {
            v["STP_TYPE_DESCR"] = "ARREST/DETAINED/CITED"; v["DISP_DESCR"] = "REL/TOT OTHER JURIS/AUTH"
        } else {
            v["STP_TYPE_DESCR"] = "COURT ACTION"; v["DISP_DESCR"] = "CONVICTED"; v["CONV_STAT_DESCR"] = "MISDEMEANOR"
        }
        for (i = 1; i <= n; i++) {
            if (col[i] ~ /_SEG_SEP$/ || col[i] == "END_OF_REC") v[col[i]] = "#"
            printf "%s%s", (i > 1 ? "," : ""), v[col[i]]
        }
        print ""
    }'
}
[ "$(doj_row 100 001001001000 0 | awk -F, '{ print NF }')" -eq 95 ] || fail "the test's DOJ row does not have 95 values"
doj_field() {
    echo "$DOJ_HEADER"
    doj_row 100 001001001000 "$1"
    doj_row 200 001001001000 0
}
doj_field 1048576 >doj-max.csv
doj_field 1048577 >doj-over.csv
expect_rc 0 out "$LENITY" run "$PROP64" --input doj-max.csv --as-of 2019-11-11 --output /dev/null
expect_grep "rows read 2 = 2 decided + 0 rejected" out
expect_rc 4 out "$LENITY" run "$PROP64" --input doj-over.csv --as-of 2019-11-11 --output /dev/null --rejects rejects.csv
expect_grep "rows read 2 = 1 decided + 1 rejected" out
grep -qE '^1,.*COMMENT_TEXT.*1 MiB|^1,.*1 MiB.*COMMENT_TEXT' rejects.csv || fail "no reason naming COMMENT_TEXT and 1 MiB: $(cat rejects.csv)"
rm -f doj-*.csv

# --- convictions of one person: 100,000 (CSV_MAX_CONVICTIONS, CADOJ_MAX_CONVICTIONS) ---
# Bounded memory: the peak stays under 200 MB (not measured under AddressSanitizer,
# whose shadow memory is not Lenity's).
TIME=/usr/bin/time
measure=true
if ! [ -x "$TIME" ] || ! "$TIME" -v true >/dev/null 2>&1; then
    echo "note: no /usr/bin/time -v; peak memory not checked" >&2
    measure=false
elif grep -q __asan_init "$LENITY"; then
    measure=false
fi
peak_under_200mb() { # LABEL: reads the report of /usr/bin/time -v in time.txt
    $measure || return 0
    local kb
    kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' time.txt)
    [ -n "$kb" ] || fail "$1: no peak memory in: $(cat time.txt)"
    [ "$kb" -lt 204800 ] || fail "$1: peak memory $kb KB, expected under 200 MB"
}
run_measured() { # RC COMMAND...: like expect_rc, the report of /usr/bin/time -v in time.txt
    local want=$1 rc=0
    shift
    if $measure; then "$TIME" -v -o time.txt "$@" >out 2>&1 || rc=$?; else "$@" >out 2>&1 || rc=$?; fi
    [ "$rc" -eq "$want" ] || { sed 's/^/    | /' out >&2; fail "expected exit code $want, got $rc from: $*"; }
}
# P1 has 100,001 rows (PC 459, decided by the first rules), P2 exactly 100,000.
awk 'BEGIN {
    print "person_id,citation,level,disposition_date"
    for (i = 1; i <= 100001; i++) printf "P1,PC 459,felony,2001-%02d-%02d\n", i % 12 + 1, i % 28 + 1
    for (i = 1; i <= 100000; i++) printf "P2,PC 459,felony,2002-%02d-%02d\n", i % 12 + 1, i % 28 + 1
}' >many.csv
run_measured 4 "$LENITY" run "$PROP64" --input many.csv --as-of 2019-11-11 --output decisions.csv --rejects rejects.csv
expect_grep "rows read 200001 = 200000 decided + 1 rejected" out
expect_grep "people: 2" out
[ "$(wc -l <rejects.csv)" -eq 2 ] || fail "expected one rejected row: $(head -5 rejects.csv)"
expect_grep "100001,\"person 'P1' already has 100000 convictions, the most Lenity reads for one person" rejects.csv
[ "$(grep -c '^P2,' decisions.csv)" -eq 100000 ] || fail "P2's 100,000 convictions were not all decided"
peak_under_200mb "100,001 convictions of one person"
rm -f many.csv decisions.csv

# The DOJ export: subject 100 with 100,001 counts that are convictions, subject 200 with one.
{
    echo "$DOJ_HEADER"
    doj_row 100 CNTORDER 0 | awk '{ split($0, part, "CNTORDER")
        for (i = 1; i <= 100001; i++) printf "%s%06d%06d%s\n", part[1], int(i / 1000), i % 1000, part[2] }'
    doj_row 200 001001001000 0
} >doj-many.csv
run_measured 4 "$LENITY" run "$PROP64" --input doj-many.csv --as-of 2019-11-11 --output /dev/null --rejects rejects.csv
expect_grep "rows read 100002 = 100001 decided + 1 rejected" out
expect_grep "100001,\"subject '100' already has 100000 convictions, the most Lenity reads for one person" rejects.csv
peak_under_200mb "100,001 DOJ convictions of one subject"
rm -f doj-many.csv

# Charges of one subject (rows naming an offence): 400,000 (CADOJ_MAX_CHARGES).
{
    echo "$DOJ_HEADER"
    doj_row 100 CNTORDER 0 arrest | awk '{ split($0, part, "CNTORDER")
            for (i = 1; i <= 400001; i++) printf "%s%06d%06d%s\n", part[1], int(i / 1000), i % 1000, part[2] }'
    doj_row 200 001001001000 0
} >doj-charges.csv
run_measured 4 "$LENITY" run "$PROP64" --input doj-charges.csv --as-of 2019-11-11 --output /dev/null --rejects rejects.csv
expect_grep "rows read 400002 = 1 decided + 400000 not convictions + 1 rejected" out
expect_grep "400001,\"subject '100' already has 400000 charges" rejects.csv
peak_under_200mb "400,001 DOJ charges of one subject"
rm -f doj-charges.csv

# --- rules, parameters and sets: 65,535 each; citations in all sets: 1,000,000 -----
# (PROGRAM_MAX_RULES, _PARAMS, _SETS, _SET_ENTRIES), refused by lenityc with the
# count.  Just under, the compiled file is loaded and run by lenity.  Lint is
# left out: it is not what is tested, and compiling stays about a second.
# many KIND N: the small policy with N rules (counting its own rule and
# 'otherwise'), N parameters, N sets of one citation, or one set of N citations.
many() {
    policy "level is felony" | sed '/^rule r$/,$d'
    awk -v kind="$1" -v n="$2" 'BEGIN {
        if (kind == "rules")
            for (i = 1; i <= n - 2; i++)
                printf "rule x%d\n  when citation in HS %d\n  then dismiss\n  because \"X.\"\n  citing HS 11361.8\n\n", i, i
        else if (kind == "parameters")
            for (i = 1; i <= n; i++) printf "parameter p%d = %d\n", i, i
        else if (kind == "sets")
            for (i = 1; i <= n; i++) printf "set s%d = {A %d}\n", i, i
        else {
            printf "set big = {"
            for (i = 1; i <= n; i++) printf "%sA %d", (i == 1 ? "" : i % 16 == 1 ? ",\n  " : ", "), i
            print "}"
        }
        print ""
    }'
    policy "level is felony" | sed -n '/^rule r$/,$p'
}
# at_limit KIND LIMIT MESSAGE: LIMIT of them compile and run; one more is refused with MESSAGE.
at_limit() {
    many "$1" "$2" >under.policy
    expect_rc 0 out "$LENITYC" --no-lint under.policy -o under.lbc
    expect_rc 0 out "$LENITY" run under.lbc --input records.csv --output decisions.csv
    [ "$(wc -l <decisions.csv)" -ge 3 ] || fail "$2 $1: the decisions are missing: $(head -3 decisions.csv)"
    many "$1" $(($2 + 1)) >over.policy
    expect_rc 1 out "$LENITYC" --no-lint over.policy -o over.lbc
    expect_grep "over.policy: $3" out
    expect_grep "1 error; nothing written" out
    [ ! -e over.lbc ] || fail "$(($2 + 1)) $1: lenityc wrote a file past the limit"
    rm -f under.policy under.lbc over.policy decisions.csv
}
at_limit rules 65535 "the policy has 65536 rules, more than Lenity can run (at most 65535); split it into policies that extend one another"
at_limit parameters 65535 "the policy has 65536 parameters, more than Lenity can run (at most 65535)"
at_limit sets 65535 "the policy has 65536 sets, more than Lenity can run (at most 65535)"
at_limit citations 1000000 "the policy's sets list 1000001 citations in all, more than Lenity can run (at most 1000000)"

# --- a text in a policy: 1 MiB (PROGRAM_MAX_STRING_LEN), refused by lenityc ---------
for n in 1048576 1048577; do
    policy "level is felony" | awk -v n=$n '/because "Test."/ {
        t = "a"; while (length(t) < n) t = t t
        print "  because \"" substr(t, 1, n) "\""; next } { print }' >longtext.policy
    if [ $n = 1048576 ]; then
        expect_rc 0 out "$LENITYC" --no-lint longtext.policy -o longtext.lbc
        expect_rc 0 out "$LENITY" run longtext.lbc --input records.csv --output /dev/null
    else
        expect_rc 1 out "$LENITYC" longtext.policy -o longtext.lbc
        expect_grep "a text of the policy is 1048577 bytes long, more than Lenity can run (at most 1048576)" out
        expect_rc 1 out "$LENITY" run longtext.policy --input records.csv --output -
    fi
done
