#!/usr/bin/env python3
"""For each switchable departure from the statute in the county policies,
counts the fixture convictions whose outcome changes when it is switched off.

Usage: departures.py BIN   (from the repository root)
Prints a Markdown table; rules/ca/README.md quotes it, and --check compares
the README's table with a fresh count.
"""
import csv
import os
import subprocess
import sys
import tempfile

FIXTURES = "tests/fixtures/gogen"
AS_OF = "2019-11-11"

# policy, fixture input, parameter, value that follows the statute instead
DEPARTURES = [
    ("rules/ca/sacramento.policy", "pilots/sacramento/cadoj_sacramento.csv", "gogen_lowercase_11357b", "false"),
    ("rules/ca/sacramento.policy", "pilots/sacramento/cadoj_sacramento.csv", "blank_level_is_not_felony", "false"),
    ("rules/ca/sacramento.policy", "pilots/sacramento/cadoj_sacramento.csv", "unknown_sentence_is_served", "false"),
    ("rules/ca/san_joaquin.policy", "pilots/san_joaquin/cadoj_san_joaquin.csv", "blank_level_is_not_felony", "false"),
    ("rules/ca/san_joaquin.policy", "pilots/san_joaquin/cadoj_san_joaquin.csv", "unknown_sentence_is_served", "false"),
    ("rules/ca/contra_costa.policy", "pilots/contra_costa/cadoj_contra_costa.csv", "blank_level_is_not_felony", "false"),
    ("rules/ca/contra_costa.policy", "pilots/contra_costa/cadoj_contra_costa.csv", "unknown_sentence_is_served", "false"),
    ("rules/ca/los_angeles_2019_05.policy", "pilots/los_angeles/cadoj_los_angeles.csv",
     "gogen_superstrike_any_time", "false"),
    ("rules/ca/los_angeles_2019_05.policy", "pilots/los_angeles/cadoj_los_angeles.csv",
     "blank_level_is_not_felony", "false"),
    ("rules/ca/los_angeles_2019_05.policy", "pilots/los_angeles/cadoj_los_angeles.csv",
     "unknown_sentence_is_served", "false"),
    ("rules/ca/los_angeles.policy", "extracted/pilots__los_angeles__los_angeles__xlsx/input.csv",
     "gogen_age_at_run_date", "false"),
    ("rules/ca/los_angeles.policy", "extracted/pilots__los_angeles__los_angeles__xlsx/input.csv",
     "blank_level_is_not_felony", "false"),
    ("rules/ca/configurable.policy", "extracted/gogen__configurable_flow__xlsx/input.csv",
     "gogen_ignores_cutoff", "false"),
    ("rules/ca/configurable.policy", "extracted/gogen__configurable_flow__xlsx/input.csv",
     "blank_level_is_not_felony", "false"),
]


def decide(bin_dir, policy, input_rel, extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "d.csv")
        subprocess.run([os.path.join(bin_dir, "lenity"), "run", policy, "--input", os.path.join(FIXTURES, input_rel),
                        "--as-of", AS_OF, "--output", out] + extra, capture_output=True, check=False)
        with open(out, newline="") as f:
            lines = [line for line in f if not line.startswith("#")]
    return {rec["row"]: (rec["outcome"], rec["rule"]) for rec in csv.DictReader(lines)}


def table(bin_dir):
    rows = ["| policy | departure (parameter) | fixture | outcomes that change when it is switched off | "
            "decisions (outcome or deciding rule) that change |",
            "|---|---|---|---|---|"]
    for policy, input_rel, param, value in DEPARTURES:
        base = decide(bin_dir, policy, input_rel, [])
        flipped = decide(bin_dir, policy, input_rel, ["--set", "%s=%s" % (param, value)])
        changed = sum(1 for row, d in base.items() if flipped.get(row, (None,))[0] != d[0])
        moved = sum(1 for row, d in base.items() if flipped.get(row) != d)
        rows.append("| %s | `%s` | %s | %d | %d |" % (os.path.basename(policy), param, os.path.basename(input_rel),
                                                      changed, moved))
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    bin_dir = args[0] if args else "bin"
    rows = table(bin_dir)
    if "--check" in sys.argv:
        with open("rules/ca/README.md") as f:
            readme = f.read()
        missing = [r for r in rows if r not in readme]
        for r in missing:
            print("rules/ca/README.md lacks or has a stale line; a fresh count gives:\n  " + r)
        print("%d passed, %d failed" % (len(rows) - len(missing), len(missing)))
        return 1 if missing else 0
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
