/*
 * optimize.h - rewrites a checked policy into an equivalent, cheaper one:
 * constant folding (literals only, never facts, so unknown values are
 * untouched) and citation sets stripped of entries a broader entry of the
 * same set already covers.  lenityc -O0 skips it.
 */
#ifndef LENITY_OPTIMIZE_H
#define LENITY_OPTIMIZE_H

#include "extend.h"

void optimize_policy(struct merged_policy *m);

#endif
