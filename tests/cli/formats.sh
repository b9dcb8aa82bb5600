#!/usr/bin/env bash
# --format csv (plain RFC 4180, CRLF, no '#' lines, the stamp beside it in
# FILE.provenance.json) and --format jsonl (a provenance line, then one object
# per conviction) carry the same rows as the decisions file, field for field,
# over several policies and records, awkward characters included.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# quotes, commas, a newline inside a quoted id, a tab, a backslash: each must survive both formats
printf '%s\r\n' 'person_id,citation,level,disposition_date' \
    '"Q ""quoted"", with comma",HS 11357(b),misdemeanor,2010-05-01' \
    '"line' 'break",HS 11359,felony,2005-09-09' \
    'back\slash	tab,HS 11357(b),,2012-04-05' >awkward.csv

pairs=(
    "$ROOT/rules/ca/prop64.policy:$ROOT/examples/records.csv"
    "$ROOT/examples/county.policy:$ROOT/examples/records.csv"
    "$POLICY:awkward.csv"
    "$ROOT/rules/ca/prop64.policy:$ROOT/tests/hostile/csv/quoted-commas-and-newlines.csv"
)
for d in "$ROOT"/tests/golden/run/*/; do
    [ -f "$d/policy.policy" ] && [ -f "$d/records.csv" ] && pairs+=("$d/policy.policy:$d/records.csv")
done

n=0
for pair in "${pairs[@]}"; do
    policy=${pair%%:*} records=${pair#*:}
    rc=0
    "$LENITY" run "$policy" --input "$records" --output dec.csv --as-of 2024-01-01 2>/dev/null || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || continue # a pair this test cannot run (e.g. a missing column) is not its business
    "$LENITY" run "$policy" --input "$records" --output plain.csv --format csv --as-of 2024-01-01 2>/dev/null || true
    "$LENITY" run "$policy" --input "$records" --output rows.jsonl --format jsonl --as-of 2024-01-01 2>/dev/null || true
    "$LENITY" run "$policy" --input "$records" --format jsonl --as-of 2024-01-01 2>/dev/null >stream.jsonl || true
    python3 - "$records" <<'PY' || { cp stream.jsonl /tmp/out/stream.dbg; fail "$policy on $records: the formats disagree"; }
import csv, hashlib, io, json, sys
want_hash = hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()
text = open("dec.csv", newline="").read()
body = "".join(l for l in text.splitlines(keepends=True) if not l.startswith("#"))
decisions = list(csv.reader(io.StringIO(body, newline="")))
raw = open("plain.csv", "rb").read()
assert not raw.startswith(b"#") and b"\n#" not in raw.replace(b'"\n#', b""), "plain csv has a '#' line"
assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"), "plain csv lines do not end with CRLF"
plain = list(csv.reader(io.StringIO(raw.decode(), newline="")))
assert plain == decisions, ("csv rows differ", plain[:3], decisions[:3])
header = decisions[0]
lines = open("rows.jsonl").read().splitlines()
stamp = json.loads(lines[0])["provenance"]
assert stamp["input_sha256"] == want_hash, stamp
rows = [json.loads(l) for l in lines[1:]]
assert len(rows) == len(decisions) - 1, (len(rows), len(decisions))
for obj, row in zip(rows, decisions[1:]):
    assert list(obj) == header, (list(obj), header)
    as_text = [str(obj[k]) for k in header]
    assert as_text == row, (as_text, row)
    assert isinstance(obj["row"], int)
# to standard output: the stamp says where the hash is, the last line gives it
stream = open("stream.jsonl").read().splitlines()
assert json.loads(stream[0])["provenance"]["input_sha256"] is None
assert json.loads(stream[-1]) == {"input_sha256": want_hash}, stream[-1]
assert [json.loads(l) for l in stream[1:-1]] == rows
side = json.load(open("plain.csv.provenance.json"))
assert side["provenance"]["input_sha256"] == want_hash and side["describes"] == "plain.csv", side
PY
    [ "$(stat -c %a plain.csv.provenance.json)" = 600 ] || fail "plain.csv.provenance.json is not mode 0600"
    rm -f dec.csv plain.csv plain.csv.provenance.json rows.jsonl stream.jsonl
    n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n policy/records pairs ran"

# an unknown format is refused with the list of formats
expect_rc 2 out "$LENITY" run "$POLICY" --input "$RECORDS" --format xml
expect_grep "decisions, csv, jsonl" out
echo "formats: csv and jsonl agree with the decisions file row for row on $n policy/records pairs"
