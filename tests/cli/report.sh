#!/usr/bin/env bash
# lenity run --report FILE.html: a self-contained page (mode 0600, nothing
# fetched, no scripts) that headless Chromium renders with the run's figures:
# each outcome's count, the row accounting, the counts by section, year and
# county, and the input's SHA-256.  Text from the policy and the records is
# escaped.  Chromium is installed by `make deps`; without it this test fails,
# unless LENITY_SKIP_BROWSER=1 is set on purpose (then only the file is checked).
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# A policy and records whose words would be markup if they were not escaped.
sed 's/^policy "Prop 64 (golden copy)"/policy "Prop 64 <b>\&amp; \x27quoted\x27<\/b>"/' "$POLICY" >policy.policy
grep -q '<b>' policy.policy || fail "the test policy was not made"
cat >records.csv <<'CSV'
person_id,date_of_birth,citation,level,disposition_date,county,sentence
P1,1980-01-15,HS 11357(b),misdemeanor,2010-05-01,<script>alert(1)</script>,
P1,1980-01-15,PC 459,felony,2001-03-12,Los Angeles,
P2,1995-06-15,HS 11357(b),misdemeanor,2014-01-10,San Francisco,
P3,1970-07-04,HS 11359,felony,2005-09-09,Los Angeles,
P4,1970-07-04,HS 11359(a),felony,2004-08-20,,
P5,1970-07-04,HS 11360,felony,2004-08-20,Kern & Tulare,
P6,1970-07-04,HS 11357(b),misdemeanor,2016-02-30,Kern,
CSV
rc=0
"$LENITY" run policy.policy --input records.csv --output dec.csv --as-of 2019-11-11 --report report.html \
    --summary sum.json 2>err || rc=$?
[ "$rc" -eq 4 ] || fail "the run exited $rc, expected 4 (one row rejected): $(cat err)"
[ -f report.html ] || fail "no report written"
[ "$(stat -c %a report.html)" = 600 ] || fail "report.html has mode $(stat -c %a report.html), expected 600"

# self-contained: nothing from elsewhere, no script at all
for bad in 'http://' 'https://' '<script' '<link' '@import' 'url('; do
    ! grep -qiF -- "$bad" report.html || fail "report.html contains '$bad'"
done
expect_grep '&lt;script&gt;alert(1)&lt;/script&gt;' report.html
expect_grep 'Prop 64 &lt;b&gt;&amp;amp; &#39;quoted&#39;&lt;/b&gt;' report.html
expect_grep 'Kern &amp; Tulare' report.html

# The tables are bounded: 200 counties give 128 named rows and one "(other counties)" row with the rest,
# and a year past 2100 goes to its own row; nothing is lost from the totals.
awk 'BEGIN { print "person_id,date_of_birth,citation,level,disposition_date,county"
             for (i = 0; i < 200; i++) printf "C%d,1980-01-15,HS 11357(b),misdemeanor,2010-05-01,County %03d\n", i, i
             print "Y1,1980-01-15,HS 11357(b),misdemeanor,2150-05-01,Far" }' >many.csv
expect_rc 0 err "$LENITY" run policy.policy --input many.csv --output /dev/null --as-of 2019-11-11 --report many.html
python3 - <<'PY' || fail "the bounded tables of many.html are wrong"
import re
page = open("many.html").read()
county = page[page.index("<h2>By county</h2>"):]
county = county[:county.index("</table>")]
rows = re.findall(r'<tr><th scope="row">([^<]*)</th>.*?<td class="n">(\d+)</td></tr>', county)
named = [r for r in rows if r[0].startswith("County ")]
assert len(named) == 128, len(named)
other = dict(rows)["(other counties)"]
assert int(other) == 200 - 128 + 1, (other, rows[-3:])  # the 72 counties past the 128th, and "Far"
years = page[page.index("<h2>By year of disposition</h2>"):]
assert "(before 1900 or after 2100)" in years[:years.index("</table>")]
PY

if ! command -v chromium >/dev/null 2>&1; then
    [ "${LENITY_SKIP_BROWSER:-}" = 1 ] || fail "chromium is not installed (run 'make deps'); set LENITY_SKIP_BROWSER=1 to skip rendering"
    echo "report: file checked; rendering skipped (LENITY_SKIP_BROWSER=1)"
    exit 0
fi
# Rendered by a browser, the page's text must carry the run's figures.
timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$WORK/profile" \
    --dump-dom "file://$WORK/report.html" >dom.html 2>chromium.err || fail "chromium failed: $(tail -5 chromium.err)"
grep -q '</html>' dom.html || fail "chromium rendered no page: $(tail -5 chromium.err)"
python3 - "$(sha256sum records.csv | cut -d' ' -f1)" <<'PY' || fail "the rendered report's figures are wrong"
import html.parser, json, sys
want_hash = sys.argv[1]

class Tables(html.parser.HTMLParser):
    """Every table as rows of cell texts, every SVG counted, and the page's text."""
    def __init__(self):
        super().__init__()
        self.tables, self.svgs, self.text, self.cell, self.ids = [], 0, [], None, {}
        self.id_stack = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self.ids[a.get("id")] = self.tables[-1]
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "svg":
            self.svgs += 1
        elif tag == "script":
            raise AssertionError("a script element in the rendered page")
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None
    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)

page = open("dom.html").read()
t = Tables()
t.feed(page)
text = " ".join(" ".join(t.text).split())
summary = json.load(open("sum.json"))
# every outcome's count, as the JSON summary gives it
outcomes = {row[0]: row[2] for row in t.ids["outcomes"][1:]}
for name, o in summary["outcomes"].items():
    assert outcomes[name] == str(o["count"]), (name, outcomes, o)
# the row accounting
rows = {r[0]: r[1] for r in t.ids["rows"]}
assert rows["rows read"] == "7" and rows["convictions decided"] == "6" and rows["rows rejected"] == "1", rows
assert rows["people"] == str(summary["people"]), rows
assert "rows read 7 = 6 decided + 1 rejected" in text, text
assert want_hash in text, "no input hash"
# by section, year and county: the first column's labels and each row's total
def table_after(heading):
    i = [k for k, tb in enumerate(t.tables) if tb and tb[0] and tb[0][-1] == "total" and tb[0][0] == heading]
    assert i, heading
    return {r[0]: int(r[-1]) for r in t.tables[i[0]][1:]}
sections = table_after("section")
assert sections == {"HS 11357": 2, "PC 459": 1, "HS 11359": 2, "HS 11360": 1}, sections
years = table_after("year")
assert years == {"2001": 1, "2004": 2, "2005": 1, "2010": 1, "2014": 1}, years
counties = table_after("county")
assert counties == {"<script>alert(1)</script>": 1, "Los Angeles": 2, "San Francisco": 1, "(not given)": 1,
                    "Kern & Tulare": 1}, counties
assert sum(counties.values()) == 6
assert t.svgs == 4, t.svgs  # outcomes, sections, years, counties
assert "Prop 64 <b>&amp; 'quoted'</b>" in text, "the policy's name was not shown as text"
assert "A. Deputy, for the District Attorney" in text and "2019-05-01" in text, "no approval"
assert "adult_age" in text and "cutoff" in text, "no parameters"
PY
echo "report: rendered by chromium with every outcome, the accounting, sections, years, counties and the input hash"
