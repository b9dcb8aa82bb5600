#!/usr/bin/env python3
"""Compares `lenity run --summary` with the statistics gogen 0.2.13 printed
(gogen.json) for the configurable flow, on every export gogen was run on.

Usage: summary.py BIN   (from the repository root)

Each figure that both tools measure is compared; the ones that cannot be
compared are named once, with why.  Ends with "N passed, N failed" (one per
export) and exits non-zero on any difference.
"""
import json
import os
import subprocess
import sys
import tempfile

FIXTURES = "tests/fixtures/gogen"
AS_OF = "2019-11-11"
POLICY = "rules/ca/configurable.policy"

# (input under FIXTURES, gogen's folder under FIXTURES/expected, county_name)
RUNS = [
    ("extracted/gogen__configurable_flow__xlsx/input.csv", "gogen__configurable_flow__xlsx", "SACRAMENTO"),
    ("pilots/sacramento/cadoj_sacramento.csv", "pilots__sacramento__cadoj_sacramento", "SACRAMENTO"),
    ("pilots/san_joaquin/cadoj_san_joaquin.csv", "pilots__san_joaquin__cadoj_san_joaquin", "SAN JOAQUIN"),
    ("pilots/contra_costa/cadoj_contra_costa.csv", "pilots__contra_costa__cadoj_contra_costa", "CONTRA COSTA"),
    ("pilots/los_angeles/cadoj_los_angeles.csv", "pilots__los_angeles__cadoj_los_angeles", "LOS ANGELES"),
]

NOT_COMPARED = {
    "processingTimeInSeconds": "a stopwatch",
    "CountSubjectsNoConvictionLast7Years": "gogen measured it to the wall clock, not to --compute-at",
    "reliefWithDismissAllProp64": "a second, hypothetical policy: run lenity diff with it instead",
    "prop64FelonyConvictionsCountInCounty": "Lenity's summary does not split the judged convictions by level",
    "prop64NonFelonyConvictionsCountInCounty": "Lenity's summary does not split the judged convictions by level",
}

# gogen's reason for a choice by code section, as the configurable policy words it
BY_SECTION_REASON = {
    "convictionDismissalCountByCodeSection": "Dismiss all HS %s convictions",
    "convictionReductionCountByCodeSection": "Reduce all HS %s convictions",
}


def figures(ours, theirs):
    """(what, gogen's value, Lenity's value) for every figure both measure."""
    judged = ours["judged"]
    relief = judged["relief_by_reason"]
    current = theirs["reliefWithCurrentEligibilityChoices"]
    yield "rows read (lineCount)", theirs["lineCount"], ours["rows"]["read"]
    yield "earliest conviction", theirs["earliestConviction"][:10], judged["earliest_conviction"]
    yield "people with a judged conviction", theirs["subjectsWithProp64ConvictionCountInCounty"], judged["people"]
    yield "people with some relief", theirs["subjectsWithSomeReliefCount"], judged["people_with_some_relief"]
    yield "people left with no felony", current["CountSubjectsNoFelony"], judged["people_every_felony_relieved"]
    yield "people left with no conviction", current["CountSubjectsNoConviction"], judged["people_every_conviction_relieved"]
    sections = {}
    for section, per_outcome in judged["by_section"].items():
        sections[section.replace("HS ", "")] = sum(per_outcome.values())
    for section in sorted(set(theirs["prop64ConvictionsCountInCountyByCodeSection"]) | set(sections)):
        yield ("judged convictions under HS %s" % section,
               theirs["prop64ConvictionsCountInCountyByCodeSection"].get(section, 0), sections.get(section, 0))
    for key, words in BY_SECTION_REASON.items():
        for section, n in sorted(theirs.get(key, {}).items()):
            reason = words % section
            yield "%r" % reason, n, relief.get(reason, 0)
    for reason, n in sorted(theirs["convictionDismissalCountByAdditionalRelief"].items()):
        yield "%r" % reason, n, relief.get(reason, 0)


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else "bin"
    passed = failed = compared = 0
    for input_rel, folder, county in RUNS:
        with open(os.path.join(FIXTURES, "expected", folder, "gogen", "gogen.json")) as f:
            theirs = json.load(f)
        with tempfile.TemporaryDirectory() as tmp:
            summary = os.path.join(tmp, "summary.json")
            run = subprocess.run(
                [os.path.join(bin_dir, "lenity"), "run", POLICY, "--input", os.path.join(FIXTURES, input_rel),
                 "--as-of", AS_OF, "--set", "county_name=" + county, "--output", os.path.join(tmp, "d.csv"),
                 "--summary", summary], capture_output=True, text=True)
            if run.returncode not in (0, 4):
                print("%s: lenity run failed (exit %d): %s" % (input_rel, run.returncode, run.stderr.strip()))
                failed += 1
                continue
            with open(summary) as f:
                ours = json.load(f)
        problems = []
        n = 0
        for what, want, got in figures(ours, theirs):
            n += 1
            if want != got:
                problems.append("%s: gogen %r, Lenity %r" % (what, want, got))
        compared += n
        print("summary of %s on %s: %d figures compared: %s" % (POLICY, input_rel, n, "DIFFERS" if problems else "ok"))
        for p in problems:
            print("    " + p)
        if problems:
            failed += 1
        else:
            passed += 1
    for what, why in sorted(NOT_COMPARED.items()):
        print("summary: not compared: %s (%s)" % (what, why))
    print("summary: %d figures compared with gogen.json" % compared)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
