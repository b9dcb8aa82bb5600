#!/usr/bin/env python3
"""Runs each county policy on the gogen fixtures and compares, row by row,
the two eligibility columns gogen wrote (Eligibility Determination and
Eligibility Reason) with Lenity's decision for the same input row.

Usage: conformance.py BIN   (from the repository root)
Ends with "N passed, N failed" (one per pairing) and exits non-zero on any
difference.  What is compared is printed: rows, and cells.
"""
import csv
import os
import subprocess
import sys
import tempfile

FIXTURES = "tests/fixtures/gogen"
AS_OF = "2019-11-11"  # every upstream test and every expected output uses it

# The words gogen printed for each outcome of the California policies.
LABELS = {
    "may2019": {
        "dismiss": "Eligible for Dismissal",
        "reduce": "Eligible for Reduction",
        "not_eligible": "Not eligible",
        "needs_review": "Maybe Eligible - Flag for Review",
        "not_considered": "",
    },
    "configurable": {
        "dismiss": "Eligible for Dismissal",
        "reduce": "Eligible for Reduction",
        "no_determination": "",
        "not_considered": "",
    },
    "la025": {
        "dismiss": "Eligible for Dismissal",
        "not_eligible": "Not eligible",
        "needs_review": "Hand Review",
        "city_attorney": "To be reviewed by City Attorneys",
        "not_considered": "",
    },
}


def read_decisions(path):
    """row number -> (outcome, reason); '#' lines are Lenity's provenance preamble."""
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    decisions = {}
    for rec in csv.DictReader(lines):
        decisions[int(rec["row"])] = (rec["outcome"], rec["reason"])
    return decisions


def set_args(settings):
    """'county_name=LOS ANGELES;x=1' -> ['--set', 'county_name=LOS ANGELES', '--set', 'x=1']"""
    args = []
    for s in filter(None, settings.split(";")):
        args += ["--set", s]
    return args


def compare(bin_dir, policy, input_rel, expected_rel, labels, settings=""):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "decisions.csv")
        run = subprocess.run(
            [os.path.join(bin_dir, "lenity"), "run", policy, "--input", os.path.join(FIXTURES, input_rel),
             "--as-of", AS_OF, "--output", out] + set_args(settings),
            capture_output=True, text=True)
        if run.returncode not in (0, 4):
            return 0, 0, ["lenity run failed (exit %d): %s" % (run.returncode, run.stderr.strip())]
        ours = read_decisions(out)
    with open(os.path.join(FIXTURES, expected_rel), newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    det = header.index("Eligibility Determination")
    why = header.index("Eligibility Reason")
    problems = []
    rows_compared = cells = 0
    for number, row in enumerate(rows[1:], start=1):
        want = (row[det], row[why])
        got = ours.get(number)
        if got is None:
            if want != ("", ""):
                problems.append("row %d: gogen decided %r, Lenity has no conviction on this row" % (number, want))
            continue
        outcome, reason = got
        label = labels.get(outcome)
        if label is None:
            problems.append("row %d: outcome %r has no gogen label" % (number, outcome))
            continue
        mine = (label, reason if label else "")
        rows_compared += 1
        cells += 2
        if mine != want:
            problems.append("row %d: gogen %r, Lenity %r (%s)" % (number, want, mine, outcome))
    return rows_compared, cells, problems


def compare_full(bin_dir, policy, input_rel, expected_rel, fmt, settings=""):
    """Every cell of gogen's output file against lenity run --format FMT."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "full.csv")
        run = subprocess.run(
            [os.path.join(bin_dir, "lenity"), "run", policy, "--input", os.path.join(FIXTURES, input_rel),
             "--as-of", AS_OF, "--format", fmt, "--output", out] + set_args(settings),
            capture_output=True, text=True)
        if run.returncode not in (0, 4):
            return 0, ["lenity run --format %s failed (exit %d): %s" % (fmt, run.returncode, run.stderr.strip())]
        with open(out, newline="") as f:
            ours = list(csv.reader(f))
    with open(os.path.join(FIXTURES, expected_rel), newline="") as f:
        theirs = list(csv.reader(f))
    problems = []
    cells = 0
    if len(ours) != len(theirs):
        problems.append("%d rows written, gogen wrote %d" % (len(ours), len(theirs)))
    for number, (mine, want) in enumerate(zip(ours, theirs)):
        if len(mine) != len(want):
            problems.append("row %d: %d cells, gogen wrote %d" % (number, len(mine), len(want)))
            continue
        for col, (a, b) in enumerate(zip(mine, want)):
            cells += 1
            if a == b:
                continue
            key = (input_rel, theirs[0][col], b, a)
            if key in KNOWN_DEPARTURES:
                departed.setdefault(key, []).append(number)
                continue
            problems.append("row %d, column %r: gogen %r, Lenity %r" % (number, theirs[0][col], b, a))
    return cells, problems


# Cells where Lenity knowingly writes something other than gogen, each with the reason:
# (input, column, what gogen wrote, what Lenity writes) -> reason.  A listed departure
# that no longer occurs fails the test too, so the list stays true.
KNOWN_DEPARTURES = {}
departed = {}


def load_known_departures():
    path = "tests/conformance/full_departures.tsv"
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            input_rel, column, gogen, lenity, reason = line.rstrip("\n").split("\t")
            KNOWN_DEPARTURES[(input_rel, column, gogen, lenity)] = reason


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else "bin"
    passed = failed = total_cells = 0
    with open("tests/conformance/pairings.tsv") as f:
        pairings = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]
    load_known_departures()
    for pairing in pairings:
        policy, input_rel, expected_rel, labels = pairing[:4]
        settings = pairing[4] if len(pairing) > 4 else ""
        shown = policy + (" with " + settings.replace(";", ", ") if settings else "")
        if labels.startswith("full:"):
            cells, problems = compare_full(bin_dir, policy, input_rel, expected_rel, labels[len("full:"):], settings)
            total_cells += cells
            print("%s on %s, --format %s: %d cells compared: %s" % (shown, input_rel, labels[len("full:"):], cells,
                                                                   "ok" if not problems else "DIFFERS"))
            for p in problems[:20]:
                print("    " + p)
            if len(problems) > 20:
                print("    ... and %d more" % (len(problems) - 20))
            if problems:
                failed += 1
            else:
                passed += 1
            continue
        rows, cells, problems = compare(bin_dir, policy, input_rel, expected_rel, LABELS[labels], settings)
        total_cells += cells
        status = "ok" if not problems else "DIFFERS"
        print("%s on %s: %d conviction rows, %d cells compared: %s" % (shown, input_rel, rows, cells, status))
        for p in problems:
            print("    " + p)
        if problems:
            failed += 1
        else:
            passed += 1
    for key, reason in sorted(KNOWN_DEPARTURES.items()):
        rows = departed.get(key)
        if rows:
            print("conformance: known departure, %d cell(s) of %r in %s: gogen %r, Lenity %r (%s)"
                  % (len(rows), key[1], key[0], key[2], key[3], reason))
        else:
            print("known departure no longer seen: %r in %s: gogen %r, Lenity %r; remove it from "
                  "tests/conformance/full_departures.tsv" % (key[1], key[0], key[2], key[3]))
            failed += 1
    print("conformance: %d cells compared with gogen's expected output" % total_cells)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
