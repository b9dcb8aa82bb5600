/*
 * lint.h - warnings about a policy that compiles but probably does not say
 * what its writer meant:
 *
 *   - a rule that can never decide, because an earlier rule always decides
 *     first (only when that is certain from the text: an earlier rule with
 *     no 'unless' whose condition is always true, the same as this rule's,
 *     or one this rule's condition plainly implies, such as 'citation in
 *     HS 11357' before 'citation in HS 11357(b) and ...');
 *   - a rule whose condition is always false, or whose 'unless' is always
 *     true, so that it never applies;
 *   - an outcome that no rule gives (the review outcome is always given:
 *     missing facts lead to it);
 *   - a parameter or set that no rule uses (a reason naming a parameter in
 *     braces uses it);
 *   - a citation listed twice in one set, or covered by a broader entry of
 *     the same set;
 *   - a policy that writes no 'otherwise';
 *   - a history question written inside the 'where' of another one
 *     ("no conviction where A and no conviction where B").
 *
 * Only what the compiled file itself declares is warned about: a parent
 * policy's own problems are reported when the parent is compiled.
 *
 * Two calls, around the optimizer (optimize.c), because it rewrites what
 * some checks look at: lint_begin reads the sets and conditions as written
 * (entries the optimizer prunes, parentheses and names it folds away) and
 * lint_end reads the folded conditions (with -O0 nothing is folded, so only
 * a written 'true' or 'false' is always true or false).  lint_end prints every warning,
 * in the order of the source, through diag (as errors under
 * diag->warnings_as_errors).
 */
#ifndef LENITY_LINT_H
#define LENITY_LINT_H

#include <stdbool.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "extend.h"

struct lint {
    struct arena *arena;
    struct ptrvec findings; /* struct lint_finding *, printed by lint_end */
};

/* On the checked policy, before optimize_policy. */
void lint_begin(struct lint *l, const struct merged_policy *m, const struct check_result *checked,
                struct arena *arena);
/* After optimize_policy (or in its place, with -O0).  false when a warning was reported as an error. */
bool lint_end(struct lint *l, const struct merged_policy *m, const struct check_result *checked, struct diag *diag);

#endif
