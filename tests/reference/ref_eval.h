/*
 * ref_eval.h - a reference evaluator for differential testing.
 *
 * A deliberately plain tree-walking interpreter of a checked policy (the
 * tree compile_tree gives), written from the language description and not
 * from the VM: recursion over expressions, its own small value type, set
 * membership by scanning every entry.  It is slow on purpose and used only
 * by tests (tests/unit/test_differential.c), which run it beside the VM on
 * random records and require the same answer for every conviction.
 */
#ifndef LENITY_REF_EVAL_H
#define LENITY_REF_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "compile.h"
#include "person.h"
#include "value.h"

struct ref_decision {
    uint32_t rule;          /* the program's numbering: merged rules, then the built-in otherwise */
    uint32_t outcome;       /* index into the merged outcomes */
    bool unknown;           /* the rule's condition was unknown: the review outcome */
    uint16_t missing_fact;  /* when unknown: enum fact_id, FACT_RUN_DATE or FACT_NONE */
    bool has_eligible_from; /* the deciding rule's `eligible from` date, when it has one and it is known */
    int32_t eligible_from;
    const char *unsupported;/* NULL, or what the policy uses that the reference does not know yet
                               (a new expression, comparison, aggregate or fact): the answer is void */
};

/*
 * Decides conviction `index` of person p under the checked policy t.
 * params: one value per merged parameter (as vm_set_param would leave them),
 * or NULL for the policy's own values.  The run date is as_of when
 * as_of_known, and unknown otherwise.
 */
void ref_decide(const struct compile_tree *t, const struct person *p, uint32_t index, const struct value *params,
                bool as_of_known, int32_t as_of, struct ref_decision *out);

#endif
