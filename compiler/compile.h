/*
 * compile.h - the whole pipeline, in order: load and merge (extend.c),
 * parse (parse.c), check (check.c), optimize (optimize.c), generate
 * (codegen.c), and verify the result (runtime verify.c) before anyone
 * may write or run it.
 */
#ifndef LENITY_COMPILE_H
#define LENITY_COMPILE_H

#include <stdbool.h>

#include "diag.h"
#include "extend.h"
#include "check.h"
#include "program.h"

struct compile_options {
    struct extend_options extend;
    bool no_optimize;
    bool no_lint;       /* skip the warnings of lint.c (on by default) */
};

/* Compiles the policy at path into *out; diagnostics go to diag. */
/*
 * The checked tree of a policy, kept for tools that walk it (the reference
 * evaluator of the tests, explain, fmt).  Free with compile_tree_free.
 */
struct compile_tree {
    struct arena arena;
    struct compile_sources sources;
    struct merged_policy merged;
    struct check_result checked;
};

/* Loads, merges and checks (no optimizer, no code); false when anything was reported. */
bool compile_tree(const char *path, const struct compile_options *opts, struct diag *diag, struct compile_tree *out);
void compile_tree_free(struct compile_tree *t);

/*
 * Whether lenity can load *p (spec section 21: the counts of rules, constants,
 * set entries... and the length of each text).  When it cannot, reports the
 * first count past its limit, frees *p and returns false.
 */
bool compile_within_limits(const char *path, struct program *p, struct diag *diag);

bool compile_policy(const char *path, const struct compile_options *opts, struct diag *diag, struct program *out);
/* The same for policy text held in memory, reported under `name` (tests, fuzzing). */
bool compile_policy_text(const char *name, const char *text, const struct compile_options *opts, struct diag *diag,
                         struct program *out);

#endif
