#!/usr/bin/env python3
"""The sample runs table of rules/README.md, recounted.

Each line of rules/samples.tsv pairs a policy with the sample records file of its
state.  This runs each pair at a fixed run date and writes, between the markers in
rules/README.md, one table row per pair: rows read, decided, rejected, and the
decisions by kind.  --check (make test) fails when the README's table is not what
the policies decide today, or when a run fails or its rows do not add up.

    python3 tests/rules/samples.py BIN [--check | --write]
"""
import json
import os
import subprocess
import sys
import tempfile

AS_OF = "2026-01-01"
BEGIN = "<!-- samples:begin (written by tests/rules/samples.py --write) -->"
END = "<!-- samples:end -->"


def run(bin_dir, policy, records):
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, "summary.json")
        p = subprocess.run([os.path.join(bin_dir, "lenity"), "run", policy, "--input", records, "--output",
                            os.path.join(tmp, "out.csv"), "--as-of", AS_OF, "--summary", summary],
                           capture_output=True, text=True)
        if p.returncode not in (0, 4):
            raise SystemExit("%s on %s: lenity run exited %d: %s" % (policy, records, p.returncode, p.stderr.strip()))
        with open(summary) as f:
            s = json.load(f)
    rows = s["rows"]
    if not rows["balanced"] or rows["read"] != rows["decided"] + rows["rejected"] + rows["not_convictions"]:
        raise SystemExit("%s on %s: rows do not add up: %r" % (policy, records, rows))
    if rows["decided"] == 0:
        raise SystemExit("%s on %s: no row was decided" % (policy, records))
    kinds = {"relief": 0, "no relief": 0, "review": 0}
    for o in s["outcomes"].values():
        kinds[o["kind"]] += o["count"]
    return "| [%s](%s) | [%s](../%s) | %d | %d | %d | %d | %d | %d |" % (
        os.path.basename(policy), os.path.relpath(policy, "rules"), records, records, rows["read"],
        rows["decided"], rows["rejected"], kinds["relief"], kinds["no relief"], kinds["review"])


def table(bin_dir):
    lines = ["| Policy | Sample records | Rows read | Decided | Rejected | Relief | No relief | Review |",
             "|---|---|---|---|---|---|---|---|"]
    with open("rules/samples.tsv") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                policy, records = line.split()
                lines.append(run(bin_dir, policy, records))
    return "\n".join(lines)


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else "bin"
    mode = sys.argv[2] if len(sys.argv) > 2 else "--check"
    want = table(bin_dir)
    with open("rules/README.md") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit("rules/README.md has no sample runs table (markers %s ... %s)" % (BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + want + "\n" + END + tail
    if mode == "--write":
        with open("rules/README.md", "w") as f:
            f.write(new)
        print("rules/README.md: %d sample runs written" % (want.count("\n") - 1))
        return 0
    if new != text:
        print("rules/README.md: the sample runs table is not what the policies decide today; "
              "run python3 tests/rules/samples.py bin --write. Today:\n" + want)
        return 1
    print("rules/README.md: %d sample runs agree" % (want.count("\n") - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
