#!/usr/bin/env bash
# lenity test runs the examples written in a policy: all passing exits 0; a
# failing example exits 1 and shows the expected and the actual outcome.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

expect_rc 0 out "$LENITY" test "$POLICY"
expect_grep "1 passed, 0 failed" out

cat >failing.policy <<'POLICY'
policy "A policy with a wrong example"
  jurisdiction "California"
  authority HS 11361.8
  effective 2016-11-09
  version "1.0"

outcome dismiss is relief
outcome not_eligible is no relief
outcome needs_review is review

rule after_cutoff
  when disposition_date is on or after 2016-11-09
  then not_eligible
  because "Relief is for convictions entered before Proposition 64 took effect."
  citing HS 11361.8(a)

otherwise dismiss
  because "A marijuana conviction before the cutoff is dismissed."
  citing HS 11361.8(e)

example "the cutoff day itself is not eligible"
  person born 1980-01-01
  conviction HS 11357(b) misdemeanor on 2016-11-09 expect not_eligible by rule after_cutoff

example "a conviction after the cutoff (the writer expected dismissal)"
  person born 1980-01-01
  conviction HS 11357(b) misdemeanor on 2017-01-01 expect dismiss
POLICY
expect_rc 1 out "$LENITY" test failing.policy
expect_grep "FAILED" out
expect_grep "a conviction after the cutoff" out
expect_grep "expected: dismiss" out
expect_grep "actual:   not_eligible by rule after_cutoff" out
expect_grep "1 passed, 1 failed" out
expect_no_grep "the cutoff day itself is not eligible" out   # passing examples are not listed

# Several policies at once: the totals add up, and one failure fails the run.
expect_rc 1 out "$LENITY" test "$POLICY" failing.policy
expect_grep "2 passed, 1 failed" out

# The compiled policy carries its examples.
expect_rc 0 out2 "$LENITYC" failing.policy -o failing.lbc
expect_rc 1 out "$LENITY" test failing.lbc
expect_grep "expected: dismiss" out
