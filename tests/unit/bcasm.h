/*
 * bcasm.h - a tiny assembler for building programs by hand in unit tests,
 * good ones and deliberately broken ones.  Header-only, test-only.
 *
 *     struct bcasm a;
 *     bcasm_init(&a);                          header, outcomes relief/no relief/review
 *     uint32_t yes = bcasm_rule(&a, "r0", BCASM_RELIEF, 3);
 *     uint32_t no = bcasm_rule(&a, "otherwise", BCASM_NO_RELIEF, 4);
 *     uint32_t t = bcasm_const_bool(&a, true);
 *     bcasm_function(&a, FUNCTION_MAIN);
 *     bcasm_emit(&a, OP_CONST, 0, 0, t);
 *     uint32_t pc = bcasm_emit(&a, OP_TEST_RULE, 0, yes, 0);
 *     bcasm_patch_c(&a, pc, bcasm_here(&a)); jump to the next instruction
 *     bcasm_emit(&a, OP_DECIDE, 0, no, 0);
 *     struct program *p = bcasm_finish(&a);    ready to verify or write
 *     ...
 *     bcasm_free(&a);
 *
 * Nothing here checks what it builds: that is the verifier's job, and the
 * tests need to build what the verifier must refuse.  Out of memory
 * aborts, since it is a test.
 */
#ifndef LENITY_TESTS_BCASM_H
#define LENITY_TESTS_BCASM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citation.h"
#include "date.h"
#include "opcode.h"
#include "program.h"
#include "value.h"

/* The outcomes bcasm_init creates. */
#define BCASM_RELIEF 0u
#define BCASM_NO_RELIEF 1u
#define BCASM_REVIEW 2u

struct bcasm {
    struct program p;
    /* Citation values are resolved to pointers only in bcasm_finish,
     * because p.citations moves while it grows. */
    uint32_t *const_cit;  /* per constant: citation index, or UINT32_MAX */
    uint32_t *param_cit;  /* per parameter: the same */
    uint32_t line;        /* source line given to the next emitted instructions */
    bool open_function;   /* the last function's len still grows */
};

static inline void *bcasm_grow(void *ptr, uint32_t n, size_t size)
{
    void *np = realloc(ptr, ((size_t)n + 1) * size);
    if (np == NULL) {
        fprintf(stderr, "bcasm: out of memory\n");
        abort();
    }
    return np;
}

static inline uint32_t bcasm_string(struct bcasm *a, const char *s)
{
    struct program *p = &a->p;
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        abort();
    memcpy(copy, s, len + 1);
    p->strings = bcasm_grow(p->strings, p->nstrings, sizeof *p->strings);
    p->strings[p->nstrings].ptr = copy;
    p->strings[p->nstrings].len = (uint32_t)len;
    return p->nstrings++;
}

static inline struct citation bcasm_parse_citation(const char *text, uint8_t flags)
{
    struct citation c;
    const char *why = NULL;
    if (!citation_parse(text, strlen(text), &c, &why)) {
        fprintf(stderr, "bcasm: bad citation \"%s\": %s\n", text, why ? why : "?");
        abort();
    }
    c.flags = flags;
    return c;
}

static inline uint32_t bcasm_citation(struct bcasm *a, const char *text, uint8_t flags)
{
    struct program *p = &a->p;
    p->citations = bcasm_grow(p->citations, p->ncitations, sizeof *p->citations);
    p->citations[p->ncitations] = bcasm_parse_citation(text, flags);
    return p->ncitations++;
}

static inline int32_t bcasm_date(int year, int month, int day)
{
    int32_t d = 0;
    if (!date_from_ymd(year, month, day, &d))
        abort();
    return d;
}

/* Any value; a CITATION's pointer is ignored in favour of cit (an index). */
static inline uint32_t bcasm_const(struct bcasm *a, struct value v, uint32_t cit)
{
    struct program *p = &a->p;
    p->consts = bcasm_grow(p->consts, p->nconsts, sizeof *p->consts);
    a->const_cit = bcasm_grow(a->const_cit, p->nconsts, sizeof *a->const_cit);
    p->consts[p->nconsts] = v;
    a->const_cit[p->nconsts] = cit;
    return p->nconsts++;
}

static inline struct value bcasm_value(uint8_t type)
{
    struct value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    return v;
}

static inline uint32_t bcasm_const_bool(struct bcasm *a, bool b)
{
    struct value v = bcasm_value(TYPE_BOOL);
    v.as.number = b;
    return bcasm_const(a, v, UINT32_MAX);
}

static inline uint32_t bcasm_const_number(struct bcasm *a, int64_t n)
{
    struct value v = bcasm_value(TYPE_NUMBER);
    v.as.number = n;
    return bcasm_const(a, v, UINT32_MAX);
}

static inline uint32_t bcasm_const_level(struct bcasm *a, enum level l)
{
    struct value v = bcasm_value(TYPE_LEVEL);
    v.as.number = l;
    return bcasm_const(a, v, UINT32_MAX);
}

static inline uint32_t bcasm_const_date(struct bcasm *a, int year, int month, int day)
{
    struct value v = bcasm_value(TYPE_DATE);
    v.as.date = bcasm_date(year, month, day);
    return bcasm_const(a, v, UINT32_MAX);
}

static inline uint32_t bcasm_const_duration(struct bcasm *a, int32_t months, int32_t days)
{
    struct value v = bcasm_value(TYPE_DURATION);
    v.as.duration.months = months;
    v.as.duration.days = days;
    return bcasm_const(a, v, UINT32_MAX);
}

/* The text becomes a program string, as the contract in program.h asks. */
static inline uint32_t bcasm_const_text(struct bcasm *a, const char *s)
{
    uint32_t str = bcasm_string(a, s);
    struct value v = bcasm_value(TYPE_TEXT);
    v.as.text.ptr = a->p.strings[str].ptr;
    v.as.text.len = a->p.strings[str].len;
    return bcasm_const(a, v, UINT32_MAX);
}

static inline uint32_t bcasm_const_citation(struct bcasm *a, const char *text)
{
    uint32_t cit = bcasm_citation(a, text, 0);
    return bcasm_const(a, bcasm_value(TYPE_CITATION), cit);
}

static inline uint32_t bcasm_const_unknown(struct bcasm *a, uint8_t type)
{
    struct value v = bcasm_value(type);
    v.unknown = 1;
    v.fact = FACT_NONE;
    return bcasm_const(a, v, UINT32_MAX);
}

/* A parameter whose default is a copy of constant k. */
static inline uint32_t bcasm_param(struct bcasm *a, const char *name, uint32_t k)
{
    struct program *p = &a->p;
    uint32_t n = bcasm_string(a, name);
    p->params = bcasm_grow(p->params, p->nparams, sizeof *p->params);
    a->param_cit = bcasm_grow(a->param_cit, p->nparams, sizeof *a->param_cit);
    p->params[p->nparams] = (struct program_param){.name = n, .value = p->consts[k]};
    a->param_cit[p->nparams] = a->const_cit[k];
    return p->nparams++;
}

static inline uint32_t bcasm_outcome(struct bcasm *a, const char *name, enum outcome_kind kind)
{
    struct program *p = &a->p;
    uint32_t n = bcasm_string(a, name);
    p->outcomes = bcasm_grow(p->outcomes, p->noutcomes, sizeof *p->outcomes);
    p->outcomes[p->noutcomes].name = n;
    p->outcomes[p->noutcomes].kind = (uint8_t)kind;
    return p->noutcomes++;
}

static inline uint32_t bcasm_rule(struct bcasm *a, const char *name, uint32_t outcome, uint32_t line)
{
    struct program *p = &a->p;
    struct program_rule r;
    r.name = bcasm_string(a, name);
    r.outcome = outcome;
    r.reason = bcasm_string(a, "because the test says so");
    r.citation = PROGRAM_NO_CONST;
    r.line = line;
    r.quote = PROGRAM_NO_STRING;
    r.eligible_from = PROGRAM_NO_CONST;
    r.first_action = 0; /* one outcome: no list (bcasm_actions gives several) */
    r.nactions = 0;
    p->rules = bcasm_grow(p->rules, p->nrules, sizeof *p->rules);
    p->rules[p->nrules] = r;
    return p->nrules++;
}

/* Gives rule its n outcomes (`then vacate and seal`), appended to p->actions; list[0] should be its outcome. */
static inline void bcasm_actions(struct bcasm *a, uint32_t rule, const uint32_t *list, uint32_t n)
{
    struct program *p = &a->p;
    p->rules[rule].first_action = p->nactions;
    p->rules[rule].nactions = n;
    for (uint32_t i = 0; i < n; i++) {
        p->actions = bcasm_grow(p->actions, p->nactions, sizeof *p->actions);
        p->actions[p->nactions++] = list[i];
    }
}

/* A set of n citations; each entry also goes into p->citations, as lenityc does. */
static inline uint32_t bcasm_set(struct bcasm *a, const char *name, const char *const *texts, uint32_t n)
{
    struct program *p = &a->p;
    struct citation *items = calloc(n ? n : 1, sizeof *items);
    if (items == NULL)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        items[i] = bcasm_parse_citation(texts[i], 0);
        bcasm_citation(a, texts[i], 0);
    }
    p->sets = bcasm_grow(p->sets, p->nsets, sizeof *p->sets);
    memset(&p->sets[p->nsets], 0, sizeof p->sets[p->nsets]);
    p->sets[p->nsets].name = bcasm_string(a, name);
    if (!citation_set_build(&p->sets[p->nsets].table, items, n))
        abort();
    free(items);
    return p->nsets++;
}

static inline uint32_t bcasm_here(const struct bcasm *a)
{
    return a->p.ncode;
}

static inline void bcasm_close_function(struct bcasm *a)
{
    if (a->open_function) {
        struct program_function *f = &a->p.functions[a->p.nfunctions - 1];
        f->len = a->p.ncode - f->start;
    }
}

/* Starts a function at the current end of the code; later emits belong to it. */
static inline uint32_t bcasm_function(struct bcasm *a, enum function_kind kind)
{
    struct program *p = &a->p;
    bcasm_close_function(a);
    p->functions = bcasm_grow(p->functions, p->nfunctions, sizeof *p->functions);
    memset(&p->functions[p->nfunctions], 0, sizeof p->functions[p->nfunctions]);
    p->functions[p->nfunctions].start = p->ncode;
    p->functions[p->nfunctions].kind = (uint8_t)kind;
    a->open_function = true;
    return p->nfunctions++;
}

static inline uint32_t bcasm_emit(struct bcasm *a, enum opcode op, uint8_t oa, uint16_t ob, uint32_t oc)
{
    struct program *p = &a->p;
    p->code = bcasm_grow(p->code, p->ncode, sizeof *p->code);
    p->lines = bcasm_grow(p->lines, p->ncode, sizeof *p->lines);
    p->code[p->ncode].op = (uint8_t)op;
    p->code[p->ncode].a = oa;
    p->code[p->ncode].b = ob;
    p->code[p->ncode].c = oc;
    p->lines[p->ncode] = a->line;
    return p->ncode++;
}

static inline void bcasm_patch_c(struct bcasm *a, uint32_t pc, uint32_t c)
{
    a->p.code[pc].c = c;
}

/* `TEST_RULE rule` jumping to the next instruction, the shape lenityc emits. */
static inline uint32_t bcasm_test_rule(struct bcasm *a, uint32_t rule)
{
    uint32_t pc = bcasm_emit(a, OP_TEST_RULE, 0, (uint16_t)rule, 0);
    bcasm_patch_c(a, pc, pc + 1);
    return pc;
}

static inline uint32_t bcasm_example(struct bcasm *a, const char *name, uint32_t line)
{
    struct program *p = &a->p;
    p->examples = bcasm_grow(p->examples, p->nexamples, sizeof *p->examples);
    memset(&p->examples[p->nexamples], 0, sizeof p->examples[p->nexamples]);
    p->examples[p->nexamples].name = bcasm_string(a, name);
    p->examples[p->nexamples].line = line;
    p->examples[p->nexamples].first = p->nexample_convictions;
    return p->nexamples++;
}

/* Appends c to the last example's convictions. */
static inline uint32_t bcasm_example_conviction(struct bcasm *a, struct program_example_conviction c)
{
    struct program *p = &a->p;
    p->example_convictions = bcasm_grow(p->example_convictions, p->nexample_convictions,
                                        sizeof *p->example_convictions);
    p->example_convictions[p->nexample_convictions] = c;
    if (p->nexamples > 0)
        p->examples[p->nexamples - 1].count++;
    return p->nexample_convictions++;
}

/* A program with a header and the three standard outcomes, no code yet. */
static inline void bcasm_init(struct bcasm *a)
{
    memset(a, 0, sizeof *a);
    program_init(&a->p);
    a->line = 1;
    a->p.name = bcasm_string(a, "test policy");
    a->p.jurisdiction = bcasm_string(a, "Testland");
    a->p.version = bcasm_string(a, "1");
    a->p.source_name = bcasm_string(a, "test.policy");
    a->p.source_hash = 0x12345678u;
    a->p.effective = bcasm_date(2016, 11, 9);
    a->p.month_end = DATE_ROUND_DOWN;
    bcasm_outcome(a, "relief", OUTCOME_RELIEF);
    bcasm_outcome(a, "no relief", OUTCOME_NO_RELIEF);
    bcasm_outcome(a, "review", OUTCOME_REVIEW);
    a->p.review_outcome = BCASM_REVIEW;
}

/* Closes the last function and points citation values into p.citations. */
static inline struct program *bcasm_finish(struct bcasm *a)
{
    struct program *p = &a->p;
    bcasm_close_function(a);
    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (a->const_cit[i] != UINT32_MAX)
            p->consts[i].as.citation = &p->citations[a->const_cit[i]];
    }
    for (uint32_t i = 0; i < p->nparams; i++) {
        if (a->param_cit[i] != UINT32_MAX)
            p->params[i].value.as.citation = &p->citations[a->param_cit[i]];
    }
    return p;
}

static inline void bcasm_free(struct bcasm *a)
{
    program_free(&a->p);
    free(a->const_cit);
    free(a->param_cit);
    memset(a, 0, sizeof *a);
}

#endif
