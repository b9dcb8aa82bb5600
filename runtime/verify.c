/*
 * verify.c - proves a program safe before the VM runs it.
 *
 * verify_program() returns true only when all of the following hold; the
 * VM relies on each of them instead of checking at run time (vm.c keeps
 * them as asserts):
 *
 *  1. Tables.  functions[0] exists and is the main function and no other
 *     function is; every function has a known kind and at least one
 *     instruction, and the functions tile the code: every instruction
 *     belongs to exactly one function.  Every constant and parameter has a
 *     type an instruction can consume (true/false, number, text, date,
 *     duration, citation, level), TEXT and CITATION ones with a target.
 *     Every rule leads to an existing outcome, the review outcome exists
 *     and is of kind review, every example names existing example
 *     convictions, outcomes and rules.
 *  2. Instructions.  Every opcode is known and every operand field the
 *     opcode does not use is zero.  Every operand is inside its table:
 *     constant, parameter, set, rule, function, and fact of the right
 *     owner (FACT and EACH_FACT a conviction's, PERSON_FACT the person's).
 *     TEST_RULE and DECIDE appear only in main; RETURN and EACH_FACT only
 *     in aggregate functions.
 *  3. Termination.  Every jump (TEST_RULE's, a column's branches, the
 *     skip of an `and` or an `or`) goes strictly forward and lands inside
 *     its own function; an aggregate calls only a function
 *     with a larger index than its own.  So a run of one function visits
 *     each of its instructions at most once, calls nest fewer than
 *     nfunctions deep, and the VM bounds each aggregate's loop by the
 *     person's number of convictions: every program terminates, and no
 *     loop detection is needed to see it.
 *  4. Every path ends: in main at DECIDE (or at a TEST_RULE that decides),
 *     in an aggregate function at RETURN.  No path runs off the end of its
 *     function and no instruction is unreachable.
 *  5. Stack and types.  Following every path with the type of each stack
 *     slot: no instruction pops more than the stack holds, every operand
 *     has the type its opcode needs, paths that meet agree on the stack,
 *     TEST_RULE finds exactly [true/false], DECIDE an empty stack, RETURN
 *     exactly [true/false] in a condition function and [true/false, date]
 *     in a date-of function.  The stack never grows past PROGRAM_MAX_STACK,
 *     counting the frame of every function an aggregate calls on top of
 *     the caller's slots; each function's max_stack records its own
 *     deepest point including its callees', and p->max_stack the largest.
 *
 * Types are checked, not values: any slot may hold an unknown value of its
 * type at run time, and three-valued logic is the VM's business.
 *
 * Operand types.  CONST pushes its constant's type, PARAM its parameter's,
 * FACT/EACH_FACT/PERSON_FACT the fact's (fact_list.h).  NOT: bool -> bool.
 * AND, OR: bool, bool -> bool.  EQ, NE: a in {bool, number, text, date,
 * duration, citation, level}, a, a -> bool.  LT, LE, GT, GE: a in {number,
 * date, duration}, a, a -> bool.  IS_KNOWN, IS_UNKNOWN: a any value type
 * but nothing or set, a -> bool.  IN_SET: citation -> bool.  IN_CITATION:
 * citation (the item, pushed first), citation (the broad one) -> bool.
 * ADD, SUB: number, number -> number.  DATE_ADD, DATE_SUB: date (pushed
 * first), duration -> date.  YEARS_BETWEEN: date, date -> number.  AGE_AT:
 * date -> number.  ANY -> bool, COUNT -> number, LATEST, EARLIEST -> date,
 * each calling a function of the right kind (ANY, COUNT a condition
 * function; LATEST, EARLIEST a date-of function).  TEST_RULE pops a bool.
 */
#include "verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "person.h"

enum { OWNER_CONVICTION, OWNER_PERSON };

static const struct {
    uint8_t owner;
    uint8_t type;
    const char *name;
} fact_info[FACT__COUNT] = {
#define FACT(id, owner, name, type, words) {OWNER_##owner, TYPE_##type, name},
#include "fact_list.h"
#undef FACT
};

struct stack_state {
    uint32_t depth;
    uint8_t types[PROGRAM_MAX_STACK];
};

/* A path waiting at a jump target further down the function. */
struct pending {
    uint32_t target;
    struct stack_state state;
};

struct verifier {
    struct program *p;
    char *err;
    size_t errsize;
    uint32_t fn;                /* the function being checked */
    struct pending *pending;
    uint32_t npending;
    uint32_t cap_pending;
};

static bool fail(struct verifier *V, const char *fmt, ...)
{
    if (V->err != NULL && V->errsize > 0) {
        int n = snprintf(V->err, V->errsize, "verify: ");
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < V->errsize)
            vsnprintf(V->err + n, V->errsize - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* "verify: function 0, instruction 12: ..." */
static bool insn_fail(struct verifier *V, uint32_t pc, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail(V, "function %u, instruction %u: %s", (unsigned)V->fn, (unsigned)pc, msg);
}

static const char *kind_words(uint8_t kind)
{
    switch (kind) {
    case FUNCTION_MAIN:
        return "main";
    case FUNCTION_CONDITION:
        return "condition";
    case FUNCTION_DATE_OF:
        return "date-of";
    case FUNCTION_COLUMN:
        return "column";
    case FUNCTION_TEXT_OF:
        return "text-of";
    case FUNCTION_COLUMN_SCOPE:
        return "column-scope";
    case FUNCTION_ELIGIBLE_FROM:
        return "eligible-from";
    case FUNCTION_ROW_COLUMN:
        return "row-column";
    }
    return "unknown";
}

static bool constant_type(uint8_t t)
{
    return (t >= TYPE_BOOL && t <= TYPE_LEVEL) || t == TYPE_QUANTITY;
}

static bool check_value(struct verifier *V, const struct value *v, const char *what, uint32_t i)
{
    if (!constant_type(v->type))
        return fail(V, "%s %u has type %u (%s), which no instruction can use", what, (unsigned)i,
                    (unsigned)v->type, v->type < TYPE__COUNT ? value_type_words(v->type) : "not a type");
    if (!v->unknown && v->type == TYPE_TEXT && v->as.text.ptr == NULL)
        return fail(V, "%s %u is a text with no characters behind it", what, (unsigned)i);
    if (!v->unknown && v->type == TYPE_CITATION && v->as.citation == NULL)
        return fail(V, "%s %u is a citation with no citation behind it", what, (unsigned)i);
    return true;
}

/*
 * A rule's outcome list (`then vacate and seal`), or an example's: none for
 * one outcome (nactions and first 0), else at least two, inside p->actions,
 * beginning with the primary outcome, each an outcome, none twice; a rule's
 * all of the primary outcome's kind.
 */
static bool check_action_list(struct verifier *V, const char *who, uint32_t i, uint32_t outcome, uint32_t first,
                              uint32_t n, bool same_kind)
{
    const struct program *p = V->p;
    if (n == 0) {
        if (first != 0)
            return fail(V, "%s %u has no outcome list but says it starts at %u", who, (unsigned)i, (unsigned)first);
        return true;
    }
    if (n == 1)
        return fail(V, "%s %u has a list of one outcome (one outcome is given without a list)", who, (unsigned)i);
    if (n > p->nactions || first > p->nactions - n)
        return fail(V, "%s %u's %u outcomes starting at %u are out of range (the lists hold %u)", who, (unsigned)i,
                    (unsigned)n, (unsigned)first, (unsigned)p->nactions);
    const uint32_t *list = &p->actions[first];
    if (list[0] != outcome)
        return fail(V, "%s %u's outcome list begins with outcome %u, not its outcome %u", who, (unsigned)i,
                    (unsigned)list[0], (unsigned)outcome);
    for (uint32_t k = 0; k < n; k++) {
        if (list[k] >= p->noutcomes)
            return fail(V, "%s %u's outcome list names outcome %u, but there are %u outcomes", who, (unsigned)i,
                        (unsigned)list[k], (unsigned)p->noutcomes);
        for (uint32_t j = 0; j < k; j++)
            if (list[j] == list[k])
                return fail(V, "%s %u's outcome list names outcome %u twice", who, (unsigned)i, (unsigned)list[k]);
        if (same_kind && outcome < p->noutcomes && p->outcomes[list[k]].kind != p->outcomes[outcome].kind)
            return fail(V, "%s %u gives outcome %u (%s), of kind %s, with outcome %u (%s), of kind %s: a rule's "
                           "outcomes are all of one kind",
                        who, (unsigned)i, (unsigned)list[k], program_str(p, p->outcomes[list[k]].name),
                        outcome_kind_words((enum outcome_kind)p->outcomes[list[k]].kind), (unsigned)outcome,
                        program_str(p, p->outcomes[outcome].name),
                        outcome_kind_words((enum outcome_kind)p->outcomes[outcome].kind));
    }
    return true;
}

/* Pass 1: the tables the code refers to, and how functions cover the code. */
static bool check_tables(struct verifier *V)
{
    struct program *p = V->p;

    if (p->nfunctions == 0)
        return fail(V, "the program has no functions (function 0 must be main)");
    if (p->functions[0].kind != FUNCTION_MAIN)
        return fail(V, "function 0 must be the main function, but it is a %s function",
                    kind_words(p->functions[0].kind));
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        const struct program_function *f = &p->functions[i];
        if (f->kind > FUNCTION_ROW_COLUMN)
            return fail(V, "function %u has unknown kind %u", (unsigned)i, (unsigned)f->kind);
        if (i > 0 && f->kind == FUNCTION_MAIN)
            return fail(V, "function %u is a second main function (only function 0 may be main)", (unsigned)i);
        if (f->len == 0)
            return fail(V, "function %u is empty", (unsigned)i);
        if (f->start > p->ncode || f->len > p->ncode - f->start)
            return fail(V, "function %u has %u instructions starting at %u, past the end of the code (%u instructions)",
                        (unsigned)i, (unsigned)f->len, (unsigned)f->start, (unsigned)p->ncode);
    }

    /* Each instruction's owner, to find overlaps and gaps in one sweep. */
    uint32_t *owner = calloc(p->ncode ? p->ncode : 1, sizeof *owner);
    if (owner == NULL)
        return fail(V, "out of memory");
    bool ok = true;
    for (uint32_t i = 0; i < p->nfunctions && ok; i++) {
        const struct program_function *f = &p->functions[i];
        for (uint32_t k = f->start; k < f->start + f->len; k++) {
            if (owner[k] != 0) {
                ok = fail(V, "function %u overlaps function %u at instruction %u", (unsigned)i,
                          (unsigned)(owner[k] - 1), (unsigned)k);
                break;
            }
            owner[k] = i + 1;
        }
    }
    for (uint32_t k = 0; k < p->ncode && ok; k++) {
        if (owner[k] == 0)
            ok = fail(V, "instruction %u belongs to no function", (unsigned)k);
    }
    free(owner);
    if (!ok)
        return false;

    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (!check_value(V, &p->consts[i], "constant", i))
            return false;
    }
    for (uint32_t i = 0; i < p->nparams; i++) {
        if (!check_value(V, &p->params[i].value, "parameter", i))
            return false;
    }
    for (uint32_t i = 0; i < p->noutcomes; i++) {
        uint8_t kind = p->outcomes[i].kind;
        if (kind < OUTCOME_RELIEF || kind > OUTCOME_REVIEW)
            return fail(V, "outcome %u (%s) has unknown kind %u", (unsigned)i, program_str(p, p->outcomes[i].name),
                        (unsigned)kind);
    }
    if (p->review_outcome >= p->noutcomes)
        return fail(V, "the review outcome is outcome %u, but there are %u outcomes", (unsigned)p->review_outcome,
                    (unsigned)p->noutcomes);
    for (uint32_t i = 0; i < p->nperiods; i++) {
        const struct program_period *d = &p->periods[i];
        if (d->param >= p->nparams || d->value >= p->nconsts || p->consts[d->value].type != p->params[d->param].value.type)
            return fail(V, "period %u of a dated parameter does not fit its parameter", (unsigned)i);
    }
    for (uint32_t i = 0; i < p->nparams; i++)
    {
        const struct program_param *pa = &p->params[i];
        if (pa->nperiods > p->nperiods || pa->first_period > p->nperiods - pa->nperiods)
            return fail(V, "parameter %u's periods are out of range", (unsigned)i);
        for (uint32_t k = 0; k < pa->nperiods; k++)
            if (p->periods[pa->first_period + k].param != i)
                return fail(V, "parameter %u's periods include another parameter's", (unsigned)i);
    }
    for (uint32_t i = 0; i < p->ntables; i++) {
        const struct program_table *t = &p->tables[i];
        if (!constant_type(t->type))
            return fail(V, "table %u has values of type %u, which no instruction can use", (unsigned)i,
                        (unsigned)t->type);
        for (uint32_t k = 0; k < t->keys.count; k++)
            if (t->values[k] >= p->nconsts || p->consts[t->values[k]].type != t->type)
                return fail(V, "table %u's entry %u is not a constant of the table's type", (unsigned)i, (unsigned)k);
    }
    for (uint32_t i = 0; i < p->ncolumns; i++) {
        uint32_t fn = p->columns[i].function;
        if (fn >= p->nfunctions ||
            (p->functions[fn].kind != FUNCTION_COLUMN && p->functions[fn].kind != FUNCTION_ROW_COLUMN))
            return fail(V, "column %u names function %u, which is not a column function", (unsigned)i, (unsigned)fn);
        if (p->columns[i].name >= p->nstrings)
            return fail(V, "column %u has no name", (unsigned)i);
    }
    for (uint32_t i = 0; i < p->nrules; i++) {
        uint32_t fn = p->rules[i].eligible_from;
        if (fn != PROGRAM_NO_CONST && (fn >= p->nfunctions || p->functions[fn].kind != FUNCTION_ELIGIBLE_FROM))
            return fail(V, "rule %u's eligible-from date names function %u, which is not an eligible-from function",
                        (unsigned)i, (unsigned)fn);
    }
    if (p->column_scope != PROGRAM_NO_CONST &&
        (p->column_scope >= p->nfunctions || p->functions[p->column_scope].kind != FUNCTION_COLUMN_SCOPE))
        return fail(V, "the columns' scope names function %u, which is not a condition function",
                    (unsigned)p->column_scope);
    if (p->outcomes[p->review_outcome].kind != OUTCOME_REVIEW)
        return fail(V, "the review outcome %u (%s) is of kind %s, not review", (unsigned)p->review_outcome,
                    program_str(p, p->outcomes[p->review_outcome].name),
                    outcome_kind_words((enum outcome_kind)p->outcomes[p->review_outcome].kind));
    for (uint32_t i = 0; i < p->nrules; i++) {
        const struct program_rule *r = &p->rules[i];
        if (r->outcome >= p->noutcomes)
            return fail(V, "rule %u (%s) leads to outcome %u, but there are %u outcomes", (unsigned)i,
                        program_str(p, r->name), (unsigned)r->outcome, (unsigned)p->noutcomes);
        if (r->citation != PROGRAM_NO_CONST && r->citation >= p->ncitations)
            return fail(V, "rule %u (%s) cites citation %u, but there are %u citations", (unsigned)i,
                        program_str(p, r->name), (unsigned)r->citation, (unsigned)p->ncitations);
        if (!check_action_list(V, "rule", i, r->outcome, r->first_action, r->nactions, true))
            return false;
    }
    for (uint32_t i = 0; i < p->nexamples; i++) {
        const struct program_example *x = &p->examples[i];
        if (x->first > p->nexample_convictions || x->count > p->nexample_convictions - x->first)
            return fail(V, "example %u (%s) has %u convictions starting at %u, but there are %u example convictions",
                        (unsigned)i, program_str(p, x->name), (unsigned)x->count, (unsigned)x->first,
                        (unsigned)p->nexample_convictions);
    }
    for (uint32_t i = 0; i < p->nexample_convictions; i++) {
        const struct program_example_conviction *c = &p->example_convictions[i];
        if (c->expect_outcome >= p->noutcomes)
            return fail(V, "example conviction %u (line %u) expects outcome %u, but there are %u outcomes",
                        (unsigned)i, (unsigned)c->line, (unsigned)c->expect_outcome, (unsigned)p->noutcomes);
        if (c->expect_rule != PROGRAM_NO_CONST && c->expect_rule >= p->nrules)
            return fail(V, "example conviction %u (line %u) expects rule %u, but there are %u rules", (unsigned)i,
                        (unsigned)c->line, (unsigned)c->expect_rule, (unsigned)p->nrules);
        if (!check_action_list(V, "example conviction", i, c->expect_outcome, c->expect_first_action,
                               c->expect_nactions, false))
            return false;
    }
    return true;
}

static bool unused_zero(struct verifier *V, uint32_t pc, const struct insn *in, bool a, bool b, bool c)
{
    const char *name = opcode_describe(in->op)->name;
    if (!a && in->a != 0)
        return insn_fail(V, pc, "%s does not use operand a, which must be 0 (found %u)", name, (unsigned)in->a);
    if (!b && in->b != 0)
        return insn_fail(V, pc, "%s does not use operand b, which must be 0 (found %u)", name, (unsigned)in->b);
    if (!c && in->c != 0)
        return insn_fail(V, pc, "%s does not use operand c, which must be 0 (found %u)", name, (unsigned)in->c);
    return true;
}

/* The types an OPERAND_TYPE opcode may compare or test. */
static bool type_operand_ok(uint8_t op, uint8_t t)
{
    switch (op) {
    case OP_EQ:
    case OP_NE:
        return (t >= TYPE_BOOL && t <= TYPE_LEVEL) || t == TYPE_QUANTITY;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return t == TYPE_NUMBER || t == TYPE_DATE || t == TYPE_DURATION || t == TYPE_QUANTITY;
    case OP_IS_KNOWN:
    case OP_IS_UNKNOWN:
        return t < TYPE__COUNT && t != TYPE_NONE && t != TYPE_SET;
    case OP_TO_TEXT:
        return (t >= TYPE_BOOL && t <= TYPE_LEVEL) || t == TYPE_QUANTITY;
    }
    return false;
}

/* Pass 2: one instruction on its own: opcode, operand ranges, placement. */
static bool check_insn(struct verifier *V, uint32_t pc, uint32_t end)
{
    const struct program *p = V->p;
    const struct insn *in = &p->code[pc];
    uint8_t kind = p->functions[V->fn].kind;

    if (in->op >= OP__COUNT)
        return insn_fail(V, pc, "unknown opcode %u", (unsigned)in->op);
    const struct opcode_info *info = opcode_describe(in->op);

    switch (info->operand) {
    case OPERAND_NONE:
        if (!unused_zero(V, pc, in, false, false, false))
            return false;
        break;
    case OPERAND_CONST:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= p->nconsts)
            return insn_fail(V, pc, "constant %u does not exist (the program has %u constants)", (unsigned)in->c,
                             (unsigned)p->nconsts);
        break;
    case OPERAND_PARAM:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= p->nparams)
            return insn_fail(V, pc, "parameter %u does not exist (the program has %u parameters)",
                             (unsigned)in->c, (unsigned)p->nparams);
        break;
    case OPERAND_FACT: {
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= FACT__COUNT)
            return insn_fail(V, pc, "fact %u does not exist (there are %u facts)", (unsigned)in->c,
                             (unsigned)FACT__COUNT);
        bool person = in->op == OP_PERSON_FACT;
        uint8_t owner = fact_info[in->c].owner;
        if (person && owner != OWNER_PERSON)
            return insn_fail(V, pc, "%s needs a fact of the person, but %s is a conviction's", info->name,
                             fact_info[in->c].name);
        if (!person && owner != OWNER_CONVICTION)
            return insn_fail(V, pc, "%s needs a fact of a conviction, but %s is the person's", info->name,
                             fact_info[in->c].name);
        break;
    }
    case OPERAND_TYPE:
        if (!unused_zero(V, pc, in, true, false, false))
            return false;
        if (!type_operand_ok(in->op, in->a))
            return insn_fail(V, pc, "%s does not apply to %s (operand a = %u)", info->name,
                             in->a < TYPE__COUNT ? value_type_words(in->a) : "an unknown type", (unsigned)in->a);
        break;
    case OPERAND_SET:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= p->nsets)
            return insn_fail(V, pc, "set %u does not exist (the program has %u sets)", (unsigned)in->c,
                             (unsigned)p->nsets);
        break;
    case OPERAND_FUNCTION: {
        if (!unused_zero(V, pc, in, true, false, true))
            return false;
        if (in->a & ~AGG_FLAGS)
            return insn_fail(V, pc, "%s has unknown flags 0x%02x in operand a", info->name, (unsigned)in->a);
        if (in->c >= p->nfunctions)
            return insn_fail(V, pc, "function %u does not exist (the program has %u functions)", (unsigned)in->c,
                             (unsigned)p->nfunctions);
        if (in->c <= V->fn)
            return insn_fail(V, pc,
                             "%s calls function %u, which is not after function %u "
                             "(a function may only call later ones, so nothing can recurse)",
                             info->name, (unsigned)in->c, (unsigned)V->fn);
        uint8_t want = in->op == OP_ANY || in->op == OP_COUNT ? FUNCTION_CONDITION
                       : in->op == OP_JOIN                    ? FUNCTION_TEXT_OF
                                                              : FUNCTION_DATE_OF;
        if (p->functions[in->c].kind != want)
            return insn_fail(V, pc, "%s needs a %s function, but function %u is a %s function", info->name,
                             kind_words(want), (unsigned)in->c, kind_words(p->functions[in->c].kind));
        break;
    }
    case OPERAND_RULE:
        if (!unused_zero(V, pc, in, false, true, false))
            return false;
        if (in->b >= p->nrules)
            return insn_fail(V, pc, "rule %u does not exist (the program has %u rules)", (unsigned)in->b,
                             (unsigned)p->nrules);
        break;
    case OPERAND_RULE_JUMP:
        if (!unused_zero(V, pc, in, false, true, true))
            return false;
        if (in->b >= p->nrules)
            return insn_fail(V, pc, "rule %u does not exist (the program has %u rules)", (unsigned)in->b,
                             (unsigned)p->nrules);
        if (in->c <= pc)
            return insn_fail(V, pc, "jump target %u is not after the instruction (jumps go forward only)",
                             (unsigned)in->c);
        if (in->c >= end)
            return insn_fail(V, pc, "jump target %u is past the end of the function", (unsigned)in->c);
        break;
    case OPERAND_JUMP:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c <= pc)
            return insn_fail(V, pc, "jump target %u is not after the instruction (jumps go forward only)",
                             (unsigned)in->c);
        if (in->c >= end)
            return insn_fail(V, pc, "jump target %u is past the end of the function", (unsigned)in->c);
        break;
    case OPERAND_TABLE:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= p->ntables)
            return insn_fail(V, pc, "table %u does not exist (the program has %u tables)", (unsigned)in->c,
                             (unsigned)p->ntables);
        break;
    case OPERAND_OUTCOME:
        if (!unused_zero(V, pc, in, false, false, true))
            return false;
        if (in->c >= p->noutcomes)
            return insn_fail(V, pc, "outcome %u does not exist (the program has %u outcomes)", (unsigned)in->c,
                             (unsigned)p->noutcomes);
        break;
    }

    switch (in->op) {
    case OP_TEST_RULE:
    case OP_DECIDE:
        if (kind != FUNCTION_MAIN)
            return insn_fail(V, pc, "%s may only appear in main (function 0)", info->name);
        break;
    case OP_RETURN:
        if (kind == FUNCTION_MAIN)
            return insn_fail(V, pc, "RETURN may not appear in main (main ends in DECIDE)");
        break;
    case OP_JUMP:
    case OP_JUMP_IF_FALSE:
        /* only columns take branches: `when ... then ... otherwise` */
        if (kind != FUNCTION_COLUMN && kind != FUNCTION_COLUMN_SCOPE && kind != FUNCTION_ROW_COLUMN)
            return insn_fail(V, pc, "%s may only appear in an output column's function", info->name);
        break;
    case OP_OUTCOME_IS:
    case OP_REASON:
        /* only columns of a decided conviction, computed after the decision, have a decision to read;
         * a column on every row has none (the VM gives it no decision) */
        if (kind != FUNCTION_COLUMN && kind != FUNCTION_COLUMN_SCOPE)
            return insn_fail(V, pc, "%s may only appear in the function of an output column of decided "
                                    "convictions", info->name);
        break;
    case OP_FORMAT_DATE:
        if (p->consts[in->c].type != TYPE_TEXT)
            return insn_fail(V, pc, "FORMAT_DATE needs a text constant as its pattern");
        break;
    case OP_EACH_FACT:
        if (kind == FUNCTION_MAIN)
            return insn_fail(V, pc, "EACH_FACT may only appear in an aggregate's function, where there is a "
                                    "conviction being examined");
        break;
    }
    return true;
}

/* "[true/false, date]" */
static void describe_stack(const struct stack_state *s, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (uint32_t i = 0; i < s->depth && n < size; i++) {
        if (i == 4 && s->depth > 5) {
            n += (size_t)snprintf(buf + n, size - n, ", ... %u more", (unsigned)(s->depth - 4));
            break;
        }
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", value_type_words(s->types[i]));
    }
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

static bool same_stack(const struct stack_state *a, const struct stack_state *b)
{
    return a->depth == b->depth && memcmp(a->types, b->types, a->depth) == 0;
}

static bool add_pending(struct verifier *V, uint32_t pc, uint32_t target, const struct stack_state *s)
{
    for (uint32_t i = 0; i < V->npending; i++) {
        if (V->pending[i].target == target) {
            if (!same_stack(&V->pending[i].state, s))
                return insn_fail(V, pc, "paths meet at instruction %u with different stacks", (unsigned)target);
            return true;
        }
    }
    if (V->npending == V->cap_pending) {
        uint32_t cap = V->cap_pending ? V->cap_pending * 2 : 8;
        struct pending *np = realloc(V->pending, (size_t)cap * sizeof *np);
        if (np == NULL)
            return fail(V, "out of memory");
        V->pending = np;
        V->cap_pending = cap;
    }
    V->pending[V->npending].target = target;
    V->pending[V->npending].state = *s;
    V->npending++;
    return true;
}

/*
 * The operand types opcode `in` pops (want[0] deepest) and the type it
 * pushes (TYPE_NONE: nothing).  The switch has no default, so a new opcode
 * without a case here fails to compile (-Wswitch) rather than slipping by.
 */
static void signature(const struct program *p, const struct insn *in, uint8_t want[2], unsigned *nwant,
                      uint8_t *push)
{
    *nwant = 0;
    *push = TYPE_NONE;
    switch ((enum opcode)in->op) {
    case OP_CONST:
        *push = p->consts[in->c].type;
        return;
    case OP_PARAM:
        *push = p->params[in->c].value.type;
        return;
    case OP_PARAM_AT:
        want[0] = TYPE_DATE;
        *nwant = 1;
        *push = p->params[in->c].value.type;
        return;
    case OP_FACT:
    case OP_EACH_FACT:
    case OP_PERSON_FACT:
        *push = fact_info[in->c].type;
        return;
    case OP_NOT:
        want[0] = TYPE_BOOL;
        *nwant = 1;
        *push = TYPE_BOOL;
        return;
    case OP_AND:
    case OP_OR:
        want[0] = want[1] = TYPE_BOOL;
        *nwant = 2;
        *push = TYPE_BOOL;
        return;
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        want[0] = want[1] = in->a;
        *nwant = 2;
        *push = TYPE_BOOL;
        return;
    case OP_IS_KNOWN:
    case OP_IS_UNKNOWN:
        want[0] = in->a;
        *nwant = 1;
        *push = TYPE_BOOL;
        return;
    case OP_STARTS_WITH:
    case OP_CONTAINS:
        want[0] = want[1] = TYPE_TEXT;
        *nwant = 2;
        *push = TYPE_BOOL;
        return;
    case OP_IN_SET:
        want[0] = TYPE_CITATION;
        *nwant = 1;
        *push = TYPE_BOOL;
        return;
    case OP_TABLE:
        want[0] = TYPE_CITATION;
        *nwant = 1;
        *push = p->tables[in->c].type;
        return;
    case OP_IN_CITATION:
        want[0] = want[1] = TYPE_CITATION;
        *nwant = 2;
        *push = TYPE_BOOL;
        return;
    case OP_ADD:
    case OP_SUB:
        want[0] = want[1] = TYPE_NUMBER;
        *nwant = 2;
        *push = TYPE_NUMBER;
        return;
    case OP_DATE_ADD:
    case OP_DATE_SUB:
        want[0] = TYPE_DATE;
        want[1] = TYPE_DURATION;
        *nwant = 2;
        *push = TYPE_DATE;
        return;
    case OP_YEARS_BETWEEN:
        want[0] = want[1] = TYPE_DATE;
        *nwant = 2;
        *push = TYPE_NUMBER;
        return;
    case OP_AGE_AT:
        want[0] = TYPE_DATE;
        *nwant = 1;
        *push = TYPE_NUMBER;
        return;
    case OP_RUN_DATE:
        *push = TYPE_DATE;
        return;
    case OP_ANY:
        *push = TYPE_BOOL;
        return;
    case OP_COUNT:
        *push = TYPE_NUMBER;
        return;
    case OP_LATEST:
    case OP_EARLIEST:
        *push = TYPE_DATE;
        return;
    case OP_TEST_RULE:
        want[0] = TYPE_BOOL;
        *nwant = 1;
        return;
    case OP_JOIN:
        want[0] = TYPE_TEXT;
        *nwant = 1;
        *push = TYPE_TEXT;
        return;
    case OP_OUTCOME_IS:
        *push = TYPE_BOOL;
        return;
    case OP_REASON:
        *push = TYPE_TEXT;
        return;
    case OP_TO_TEXT:
        want[0] = in->a;
        *nwant = 1;
        *push = TYPE_TEXT;
        return;
    case OP_FORMAT_DATE:
        want[0] = TYPE_DATE;
        *nwant = 1;
        *push = TYPE_TEXT;
        return;
    case OP_DECIMAL_YEARS:
        want[0] = want[1] = TYPE_DATE;
        *nwant = 2;
        *push = TYPE_TEXT;
        return;
    case OP_JUMP_IF_FALSE:
        want[0] = TYPE_BOOL;
        *nwant = 1;
        return;
    case OP_AND_SKIP:
    case OP_OR_SKIP:
    case OP_WHEN_AND_SKIP:
        want[0] = TYPE_BOOL;
        *nwant = 1;
        *push = TYPE_BOOL;
        return;
    case OP_JUMP:
        return;
    case OP_DECIDE:
    case OP_RETURN:
    case OP__COUNT:
        return;
    }
}

/*
 * Pass 3 for one function: follows every path from the function's first
 * instruction in address order.  Jumps only go forward, so by the time an
 * instruction is reached every path into it has been seen: one sweep
 * settles the function, with no fixpoint iteration.
 */
static bool interpret(struct verifier *V)
{
    struct program *p = V->p;
    struct program_function *f = &p->functions[V->fn];
    uint32_t end = f->start + f->len;
    struct stack_state cur;
    bool have = true; /* a path falls through into pc */
    uint32_t deepest = 0;
    char shape[128];

    cur.depth = 0;
    V->npending = 0;
    for (uint32_t pc = f->start; pc < end; pc++) {
        const struct insn *in = &p->code[pc];
        const struct opcode_info *info = opcode_describe(in->op);

        for (uint32_t i = 0; i < V->npending; i++) {
            if (V->pending[i].target != pc)
                continue;
            if (have && !same_stack(&cur, &V->pending[i].state))
                return insn_fail(V, pc, "paths meet here with different stacks");
            cur = V->pending[i].state;
            have = true;
            V->pending[i] = V->pending[--V->npending];
            i--;
        }
        if (!have)
            return insn_fail(V, pc, "unreachable instruction (no path from the start of the function reaches it)");

        uint8_t want[2];
        unsigned nwant;
        uint8_t push;
        signature(p, in, want, &nwant, &push);
        if (in->op == OP_RETURN) {
            static const char *const needs_by_kind[] = {"", "[true/false]", "[true/false, date]", "[text]",
                                                        "[true/false, text]", "[true/false]", "[date]", "[text]"};
            const char *needs = needs_by_kind[f->kind];
            bool ok = f->kind == FUNCTION_CONDITION || f->kind == FUNCTION_COLUMN_SCOPE
                          ? cur.depth == 1 && cur.types[0] == TYPE_BOOL
                      : f->kind == FUNCTION_COLUMN || f->kind == FUNCTION_ROW_COLUMN
                          ? cur.depth == 1 && cur.types[0] == TYPE_TEXT
                      : f->kind == FUNCTION_ELIGIBLE_FROM ? cur.depth == 1 && cur.types[0] == TYPE_DATE
                      : f->kind == FUNCTION_TEXT_OF
                          ? cur.depth == 2 && cur.types[0] == TYPE_BOOL && cur.types[1] == TYPE_TEXT
                          : cur.depth == 2 && cur.types[0] == TYPE_BOOL && cur.types[1] == TYPE_DATE;
            if (!ok) {
                describe_stack(&cur, shape, sizeof shape);
                return insn_fail(V, pc, "RETURN from %s %s function needs the stack to be %s, found %s",
                                 strchr("aeiou", kind_words(f->kind)[0]) ? "an" : "a", kind_words(f->kind), needs,
                                 shape);
            }
            have = false;
            continue;
        }
        if (cur.depth < nwant)
            return insn_fail(V, pc, "stack underflow: %s needs %u values, the stack holds %u", info->name, nwant,
                             (unsigned)cur.depth);
        for (unsigned k = 0; k < nwant; k++) {
            uint8_t found = cur.types[cur.depth - nwant + k];
            if (found != want[k])
                return insn_fail(V, pc, "%s expects %s as operand %u, found %s", info->name,
                                 value_type_words(want[k]), k + 1, value_type_words(found));
        }
        if (in->op == OP_TEST_RULE && cur.depth != 1) {
            describe_stack(&cur, shape, sizeof shape);
            return insn_fail(V, pc, "TEST_RULE needs the stack to be [true/false], found %s", shape);
        }
        if (in->op == OP_DECIDE && cur.depth != 0) {
            describe_stack(&cur, shape, sizeof shape);
            return insn_fail(V, pc, "DECIDE needs an empty stack, found %s", shape);
        }
        cur.depth -= nwant;

        if (info->operand == OPERAND_FUNCTION) {
            /* The callee's frame sits on top of the caller's slots. */
            uint32_t callee = p->functions[in->c].max_stack;
            if (cur.depth + callee > PROGRAM_MAX_STACK)
                return insn_fail(V, pc,
                                 "stack overflow: %s at depth %u calls function %u, which needs %u more "
                                 "(the VM has %u)",
                                 info->name, (unsigned)cur.depth, (unsigned)in->c, (unsigned)callee,
                                 (unsigned)PROGRAM_MAX_STACK);
            if (cur.depth + callee > deepest)
                deepest = cur.depth + callee;
        }
        if (push != TYPE_NONE) {
            if (cur.depth + 1 > PROGRAM_MAX_STACK)
                return insn_fail(V, pc, "stack overflow: %s would make the stack %u deep (the VM has %u)",
                                 info->name, (unsigned)cur.depth + 1, (unsigned)PROGRAM_MAX_STACK);
            cur.types[cur.depth++] = push;
            if (cur.depth > deepest)
                deepest = cur.depth;
        }

        if (in->op == OP_DECIDE) {
            have = false;
        } else if (in->op == OP_TEST_RULE || in->op == OP_JUMP) {
            if (!add_pending(V, pc, in->c, &cur))
                return false;
            have = false;
        } else if (in->op == OP_JUMP_IF_FALSE || in->op == OP_AND_SKIP || in->op == OP_OR_SKIP ||
                   in->op == OP_WHEN_AND_SKIP) {
            /* both ways on: the jump's path waits at its target with the same stack
             * (for a skip, with the condition's value still on it, which is the `and`'s or `or`'s) */
            if (!add_pending(V, pc, in->c, &cur))
                return false;
        }
    }
    if (have)
        return insn_fail(V, end - 1, "execution runs past the end of the function without %s",
                         f->kind == FUNCTION_MAIN ? "DECIDE" : "RETURN");
    f->max_stack = (uint16_t)deepest;
    return true;
}

bool verify_program(struct program *p, char *err, size_t errsize)
{
    struct verifier V;
    memset(&V, 0, sizeof V);
    V.p = p;
    V.err = err;
    V.errsize = errsize;
    if (err != NULL && errsize > 0)
        err[0] = '\0';

    if (!check_tables(&V))
        return false;
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        const struct program_function *f = &p->functions[i];
        V.fn = i;
        for (uint32_t pc = f->start; pc < f->start + f->len; pc++) {
            if (!check_insn(&V, pc, f->start + f->len))
                return false;
        }
    }
    /* Callees have larger indexes: going backwards, each callee's depth is known before its callers need it. */
    bool ok = true;
    uint16_t overall = 0;
    for (uint32_t i = p->nfunctions; i-- > 0 && ok;) {
        V.fn = i;
        ok = interpret(&V);
        if (ok && p->functions[i].max_stack > overall)
            overall = p->functions[i].max_stack;
    }
    free(V.pending);
    if (ok)
        p->max_stack = overall;
    return ok;
}
