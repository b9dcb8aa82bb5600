/*
 * codegen.h - checked AST -> program (runtime/program.h).
 *
 * Layout: function 0 is the rules, in deciding order; each rule's code
 * computes its condition (when, and not unless) and ends in TEST_RULE,
 * which decides, jumps to the next rule, or sends to review.  The last
 * rule is `otherwise` (written, or supplied: the review outcome).  Every
 * aggregate's condition becomes a function of its own, numbered after the
 * function that uses it, so calls only go forward and every program ends.
 */
#ifndef LENITY_CODEGEN_H
#define LENITY_CODEGEN_H

#include <stdbool.h>

#include "check.h"
#include "extend.h"
#include "program.h"

bool codegen_program(const struct merged_policy *m, const struct check_result *checked, struct program *out,
                     char *err, size_t errsize);

#endif
