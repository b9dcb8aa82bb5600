/*
 * vm.h - runs a verified program over one person's convictions.
 *
 * The VM trusts the verifier: it does not re-check operand ranges, stack
 * depth or operand types (see verify.c for what is proven).  It allocates
 * nothing per person or per conviction: the stack is fixed at
 * PROGRAM_MAX_STACK slots inside struct vm.
 */
#ifndef LENITY_VM_H
#define LENITY_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "person.h"
#include "program.h"

struct decision {
    uint32_t rule;          /* the rule that decided */
    uint32_t outcome;       /* index into the program's outcomes */
    bool unknown;           /* the rule's condition was unknown: outcome is the review outcome */
    uint16_t missing_fact;  /* when unknown: enum fact_id that was missing, or FACT_NONE */
    bool has_eligible_from; /* the rule says `eligible from DATE` and the date is known */
    int32_t eligible_from;
};

/* Called for each TEST_RULE / DECIDE when tracing (lenity explain); may be NULL. */
typedef void (*vm_trace_fn)(void *ctx, uint32_t rule, const struct value *condition);
/*
 * Called, when set, after each test a rule makes that the program has a note
 * for (program.notes): its operands as they were (right may be NULL) and its
 * result.
 */
typedef void (*vm_note_fn)(void *ctx, uint32_t note, const struct value *left, const struct value *right,
                           const struct value *result);

struct vm {
    const struct program *program;
    struct value *params;   /* nparams values: defaults, then --set overrides */
    struct citation *param_citations; /* storage for overridden citation params */
    int32_t as_of;          /* the run date (lenity run --as-of) */
    bool as_of_known;
    const struct person *person;
    /* The conviction being decided, or, for a column on every row, the row's charge: what a fact
     * names outside any `where`, and the anchor of `other` and `in the same case`. */
    const struct conviction *current;
    /* Output columns: the decision they describe (NULL on every row), and room for the text they build. */
    const struct decision *decision;
    char *scratch;
    size_t scratch_size, scratch_used;
    /*
     * Questions about other convictions (any, count, latest, joined) look at
     * each of them: n steps per conviction, n*n for the person, more when
     * nested.  A person gets steps_per_person of them, counted from their
     * first conviction's decision; past that, every such question is unknown
     * (and so the conviction goes to review, unless the rest of the rule
     * settles it), so no history, however long, stops a run.
     */
    uint64_t steps_per_person;
    uint64_t steps_left;
    /*
     * The last citation asked about a set or table, and its level hashes
     * (citation.h): the rules of a policy ask them all about the same
     * conviction.  Keyed by address, which is safe because citations are
     * the program's, the parameters', or the person's, and none changes
     * while the VM runs; every entry point forgets it (vm_enter in vm.c).
     */
    const struct citation *hashed;
    struct citation_hashes hashes;
    vm_trace_fn trace;
    vm_note_fn note;
    void *note_ctx;
    void *trace_ctx;
    struct value stack[PROGRAM_MAX_STACK];
};

/* Prepares a VM for a verified program; false when out of memory. */
bool vm_init(struct vm *vm, const struct program *program);
void vm_free(struct vm *vm);
/*
 * Overrides parameter `name` with `text` parsed as the parameter's type.
 * On failure returns false with a message in err (for a lawyer to act on).
 */
bool vm_set_param(struct vm *vm, const char *name, const char *text, char *err, size_t errsize);
/* The steps a person gets (see struct vm): a second or two of questions on this machine. */
#define VM_STEPS_PER_PERSON 100000000u
/* Decides conviction `index` of `person`; index 0 starts the person's steps afresh. */
void vm_decide(struct vm *vm, const struct person *person, uint32_t index, struct decision *out);
/* The room a column's value may take; a longer value is left empty and reported. */
#define VM_SCRATCH_SIZE (256u * 1024u)

/* Whether conviction `index`, decided as d, gets the policy's output columns. */
bool vm_column_scope(struct vm *vm, const struct person *person, uint32_t index, const struct decision *d);
/*
 * Column `column`'s value for conviction `index`, decided as d: text valid
 * until the next call.  false (and an empty text) when the value does not
 * fit in VM_SCRATCH_SIZE.
 */
bool vm_column(struct vm *vm, const struct person *person, uint32_t index, const struct decision *d,
               uint32_t column, const char **text, size_t *len);
/*
 * Column `column`, a column `on every row`, for one row of the export:
 * charge is the charge the row names (section 13 of the spec), or, for a
 * row that names no offence, a conviction with no fact known and the row's
 * number.  Same results as vm_column.
 */
bool vm_row_column(struct vm *vm, const struct person *person, const struct conviction *charge, uint32_t column,
                   const char **text, size_t *len);
/* The policy name of a fact ("disposition_date"). */
const char *vm_fact_name(unsigned fact);

#endif
