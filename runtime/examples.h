/*
 * examples.h - runs the examples written inside a policy (lenity test).
 * Each example is a small person; each of its convictions names the
 * outcome (and optionally the rule) it must get.
 */
#ifndef LENITY_EXAMPLES_H
#define LENITY_EXAMPLES_H

#include <stdint.h>
#include <stdio.h>

#include "program.h"

struct examples_result {
    uint32_t passed;
    uint32_t failed;
};

/* Prints each failure (expected vs actual, and the rule that decided) to out. */
bool examples_run(const struct program *p, FILE *out, struct examples_result *result);

#endif
