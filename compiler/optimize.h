/*
 * optimize.h - rewrites a checked policy into an equivalent, cheaper one:
 * constant folding (literals only, never facts, so unknown values are
 * untouched), citation sets stripped of entries a broader entry of the
 * same set already covers, and, for an output column's `when` of several
 * tests, the facts it cannot be true without (column_arm.known_first), which
 * codegen checks first.  lenityc -O0 skips it.
 */
#ifndef LENITY_OPTIMIZE_H
#define LENITY_OPTIMIZE_H

#include "extend.h"

void optimize_policy(struct merged_policy *m);

#endif
