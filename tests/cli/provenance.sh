#!/usr/bin/env bash
# The provenance stamp: every output names Lenity's version, the policy's file
# and SHA-256, and the input's SHA-256 (checked here against sha256sum), in the
# decisions file's header, on standard output's last line, in the --summary
# JSON, in the stderr summary, and beside the DOJ copies and the rejects file in FILE.provenance.json.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
sha() { sha256sum "$1" | cut -d' ' -f1; }
version=$("$LENITY" --version | cut -d' ' -f2)

# Several MiB, so the hash thread reads many chunks while the run goes on.
awk 'BEGIN { print "person_id,citation,level,disposition_date"
             for (i = 0; i < 120000; i++) printf "P%d,HS 11357(b),misdemeanor,2010-05-%02d\n", i, i % 28 + 1 }' >big.csv
expect_rc 0 err "$LENITY" run "$POLICY" --input big.csv --output big-out.csv --as-of 2024-01-01 \
    --set adult_age=18 --summary sum.json
expect_grep "# input sha256: $(sha big.csv)" big-out.csv
expect_grep "# policy sha256: $(sha "$POLICY")" big-out.csv
expect_grep "# policy file: $POLICY" big-out.csv
expect_grep "# lenity version: $version" big-out.csv
expect_grep "# approved: by A. Deputy" big-out.csv
expect_grep "# parameter: adult_age = 18 (set for this run" big-out.csv
expect_grep "input sha256: $(sha big.csv)" err
# the placeholder is patched where it stood: the header is still the first lines, in order
[ "$(sed -n '1p' big-out.csv)" = "# policy: Prop 64 (golden copy)" ] || fail "the header's first line moved"
[ "$(grep -c '^# input sha256:' big-out.csv)" = 1 ] || fail "the input's checksum is written more than once"
[ "$(grep -vc '^#' big-out.csv)" = 120001 ] || fail "rows were lost around the patched header"
[ "$(stat -c %a big-out.csv)" = 600 ] || fail "the decisions file is not mode 0600"

python3 - "$(sha big.csv)" "$(sha "$POLICY")" "$version" <<'PY' || fail "the --summary JSON's provenance is wrong"
import json, sys
p = json.load(open("sum.json"))["provenance"]
want_input, want_policy, version = sys.argv[1:]
assert p["input_sha256"] == want_input, p
assert p["policy_sha256"] == want_policy, p
assert p["lenity_version"] == version, p
assert p["parameters_set"] == ["adult_age=18"], p
assert p["as_of"] == "2024-01-01" and p["as_of_given"] is True, p
assert p["approved_by"].startswith("A. Deputy") and p["approved_on"] == "2019-05-01", p
PY

# standard output: the header says where the hash is, and the last line gives it
clean_records clean.csv
"$LENITY" run "$POLICY" --input clean.csv --as-of 2024-01-01 2>/dev/null | cat >piped-out.csv
expect_grep "# input sha256: on the last line" piped-out.csv
[ "$(tail -1 piped-out.csv)" = "# input sha256: $(sha clean.csv)" ] || fail "standard output's last line is not the input's checksum"

# records from a pipe cannot be read twice: the stamp says the hash was not computed, and why
cat clean.csv | "$LENITY" run "$POLICY" --input - --output from-pipe.csv --as-of 2024-01-01 2>err
expect_grep "# input sha256: not computed: read from a pipe" from-pipe.csv
expect_grep "input sha256: not computed: read from a pipe" err

# --no-input-hash: the same decisions, and every stamp says the input was not hashed, and why
expect_rc 0 err "$LENITY" run "$POLICY" --input big.csv --output nohash.csv --as-of 2024-01-01 \
    --set adult_age=18 --summary nohash.json --no-input-hash
expect_grep "# input sha256: not computed: --no-input-hash was given" nohash.csv
expect_grep "input sha256: not computed: --no-input-hash was given" err
cmp -s <(grep -v '^#' big-out.csv) <(grep -v '^#' nohash.csv) || fail "--no-input-hash changed the decisions"
python3 - <<'PY' || fail "the --summary JSON of a run with --no-input-hash is wrong"
import json
p = json.load(open("nohash.json"))["provenance"]
assert p["input_sha256"] is None, p
assert p["input_sha256_note"] == "not computed: --no-input-hash was given", p
PY

# a DOJ copy cannot carry '#' lines: its stamp is OUTPUT.provenance.json, mode 0600
DOJ=$ROOT/tests/fixtures/gogen/pilots/los_angeles/cadoj_los_angeles.csv
LA=$ROOT/rules/ca/los_angeles.policy
expect_rc 0 err "$LENITY" run "$LA" --input "$DOJ" --format cadoj --output la.csv --as-of 2024-01-01
[ -f la.csv.provenance.json ] || fail "no la.csv.provenance.json beside the DOJ copy"
[ "$(stat -c %a la.csv.provenance.json)" = 600 ] || fail "the provenance file is not mode 0600"
! grep -q "^# " la.csv || fail "the DOJ copy has a comment line"
python3 - "$(sha "$DOJ")" "$(sha "$LA")" <<'PY' || fail "la.csv.provenance.json is wrong"
import json, sys
d = json.load(open("la.csv.provenance.json"))
assert d["describes"] == "la.csv", d
assert d["provenance"]["input_sha256"] == sys.argv[1], d
assert d["provenance"]["policy_sha256"] == sys.argv[2], d
PY
# with --no-input-hash (and two jobs) the copy is the same, and its stamp says the input was not hashed
expect_rc 0 err "$LENITY" run "$LA" --input "$DOJ" --format cadoj --output la-nohash.csv --as-of 2024-01-01 \
    --no-input-hash --jobs 2
cmp -s la.csv la-nohash.csv || fail "--no-input-hash changed the DOJ copy"
grep -q '"input_sha256_note": "not computed: --no-input-hash was given"' la-nohash.csv.provenance.json ||
    fail "the DOJ copy's stamp does not say the input was not hashed"
rm la-nohash.csv la-nohash.csv.provenance.json
# to standard output there is nowhere to put it: none is written, the run still succeeds, and it says so
expect_rc 0 err "$LENITY" run "$LA" --input "$DOJ" --format cadoj --output - --as-of 2024-01-01
ls ./*.provenance.json | grep -qv la.csv && fail "a provenance file was written for standard output"
expect_grep "give --stamp FILE to keep the stamp" err
# --stamp FILE keeps it: the stamp of standard output's copy, mode 0600, and no note
expect_rc 0 err "$LENITY" run "$LA" --input "$DOJ" --format cadoj --output - --stamp out-stamp.json --as-of 2024-01-01
! grep -q "give --stamp" err || fail "the note about the missing stamp was shown with --stamp"
[ "$(stat -c %a out-stamp.json)" = 600 ] || fail "the --stamp file is not mode 0600"
python3 - "$(sha "$DOJ")" <<'PY' || fail "the --stamp file is wrong"
import json, sys
d = json.load(open("out-stamp.json"))
assert d["describes"] == "standard output", d
assert d["provenance"]["input_sha256"] == sys.argv[1], d
PY
# with a file, --stamp FILE takes the place of FILE.provenance.json
expect_rc 0 err "$LENITY" run "$POLICY" --input clean.csv --format csv --output plain.csv --stamp plain-stamp.json --as-of 2024-01-01
[ -f plain-stamp.json ] && [ ! -e plain.csv.provenance.json ] || fail "--stamp did not take the place of the file beside the output"
python3 -c 'import json, sys; d = json.load(open("plain-stamp.json")); assert d["describes"] == "plain.csv", d' ||
    fail "the --stamp file does not name the output it describes"
# a stamp never overwrites the input
expect_rc 2 err "$LENITY" run "$POLICY" --input clean.csv --output x.csv --stamp clean.csv
expect_grep "the stamp file 'clean.csv' would overwrite the input" err
# nor another output of the same run
expect_rc 2 err "$LENITY" run "$POLICY" --input clean.csv --output x.csv --summary same.json --stamp same.json
expect_grep "summary and --stamp name the same file 'same.json'" err
[ ! -e same.json ] || fail "a refused run wrote same.json"

# a failed run leaves no provenance file either
rm -f la.csv la.csv.provenance.json
expect_rc 3 err "$LENITY" run "$LA" --input "$DOJ" --format cadoj --output no-such-dir/la.csv
[ ! -e no-such-dir/la.csv.provenance.json ] && [ ! -e la.csv.provenance.json ] || fail "a failed run left a provenance file"
# the rejects file is plain CSV ("row,reason"): its stamp goes beside it too
expect_rc 4 err "$LENITY" run "$POLICY" --input "$RECORDS" --output dec.csv --rejects rej.csv --as-of 2024-01-01
[ -f rej.csv.provenance.json ] || fail "no rej.csv.provenance.json beside the rejects file"
[ "$(stat -c %a rej.csv.provenance.json)" = 600 ] || fail "the rejects file's provenance is not mode 0600"
python3 - "$(sha "$RECORDS")" "$(sha "$POLICY")" <<'PY' || fail "rej.csv.provenance.json is wrong"
import json, sys
d = json.load(open("rej.csv.provenance.json"))
assert d["describes"] == "rej.csv", d
assert d["provenance"]["input_sha256"] == sys.argv[1], d
assert d["provenance"]["policy_sha256"] == sys.argv[2], d
PY
echo "provenance: version, policy and input checksums in the header, on the last line, in the JSON, beside DOJ copies and the rejects file, and in --stamp FILE"
