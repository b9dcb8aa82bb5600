/*
 * check.h - name resolution and static type checking of a merged policy.
 *
 * Fills every expression's `type`, `ref` and `ref_index`, finds the
 * review outcome, and reports every independent mistake it finds, each
 * with a hint.  Codegen runs only on a policy that checked cleanly.
 */
#ifndef LENITY_CHECK_H
#define LENITY_CHECK_H

#include <stdbool.h>

#include "diag.h"
#include "extend.h"

/* Deepest expression a rule may hold ("a and b and c ..." counts one level per operator). */
#define CHECK_MAX_DEPTH 500

struct check_result {
    int review_outcome;   /* index into merged->outcomes */
};

bool check_policy(struct merged_policy *m, struct arena *arena, struct diag *diag, struct check_result *out);

/* Index of the fact called `name` of the given owner (0 conviction, 1 person), or -1. */
int check_fact_named(const char *name, int owner);
int check_find_outcome(const struct merged_policy *m, const char *name);
int check_find_rule(const struct merged_policy *m, const char *name);

#endif
