/*
 * test_bytecode.c - the .lbc writer and loader: a round trip keeps every
 * field; damaged, truncated, foreign, too-new and maliciously crafted
 * files are refused (by the loader, or by the verifier after it) with a
 * message that says where and what, and never crash.  Also the listing
 * (disasm) and value_format, which print what the loader rebuilt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bc_load.h"
#include "bc_write.h"
#include "bcasm.h"
#include "bytecode.h"
#include "checksum.h"
#include "disasm.h"
#include "person.h"
#include "verify.h"

/* ---- programs ------------------------------------------------------------- */

/* Something of every kind the format carries. */
static struct program *build_rich(struct bcasm *a)
{
    static const char *const marijuana[] = {"HS 11357", "HS 11358", "HS 11359", "HS 11360"};
    bcasm_init(a);
    struct program *p = &a->p;
    p->month_end = DATE_ROUND_UP;
    p->authority = bcasm_citation(a, "HS 11361.8", 0);
    p->approved_by = bcasm_string(a, "A. Deputy");
    p->approved_on = bcasm_date(2019, 5, 1);
    bcasm_citation(a, "HS 11359(b)", CITATION_ATTEMPT | CITATION_CONSPIRACY);

    uint32_t k_true = bcasm_const_bool(a, true);
    bcasm_const_bool(a, false);
    uint32_t k_num = bcasm_const_number(a, -42);
    bcasm_const_number(a, INT64_MIN);
    uint32_t k_date = bcasm_const_date(a, 2016, 11, 9);
    uint32_t k_dur = bcasm_const_duration(a, 30, 10);
    uint32_t k_text = bcasm_const_text(a, "Los Angeles \"LA\"");
    uint32_t k_cit = bcasm_const_citation(a, "HS 11357(a)");
    uint32_t k_level = bcasm_const_level(a, LEVEL_MISDEMEANOR);
    bcasm_const_unknown(a, TYPE_DATE);

    bcasm_set(a, "marijuana", marijuana, 4);
    bcasm_set(a, "nothing", NULL, 0);
    uint32_t p_cutoff = bcasm_param(a, "cutoff", k_date);
    bcasm_param(a, "county", k_text);
    bcasm_param(a, "statute", k_cit);
    bcasm_param(a, "limit", k_num);
    bcasm_param(a, "wait", k_dur);
    /* a dated parameter: k_num until 2021-06-30, then the next constant (INT64_MIN) */
    uint32_t p_dated = bcasm_param(a, "limit by date", k_num);
    p->periods = calloc(2, sizeof *p->periods);
    assert_non_null(p->periods);
    p->nperiods = 2;
    p->periods[0] = (struct program_period){p_dated, INT32_MIN, bcasm_date(2021, 6, 30), k_num};
    p->periods[1] = (struct program_period){p_dated, bcasm_date(2021, 7, 1), INT32_MAX, k_num + 1};
    p->params[p_dated].first_period = 0;
    p->params[p_dated].nperiods = 2;

    uint32_t o_seal = bcasm_outcome(a, "seal", OUTCOME_RELIEF);
    uint32_t r_poss = bcasm_rule(a, "possession", BCASM_RELIEF, 10);
    p->rules[r_poss].citation = 1;
    p->rules[r_poss].quote = bcasm_string(a, "Any person ... may petition");
    /* then relief and seal */
    const uint32_t relief_and_seal[] = {BCASM_RELIEF, o_seal};
    bcasm_actions(a, r_poss, relief_and_seal, 2);
    uint32_t r_prior = bcasm_rule(a, "prior felony", BCASM_NO_RELIEF, 14);
    uint32_t r_late = bcasm_rule(a, "too recent", BCASM_NO_RELIEF, 18);
    uint32_t r_other = bcasm_rule(a, "otherwise", BCASM_REVIEW, 22);

    bcasm_function(a, FUNCTION_MAIN);
    a->line = 10;
    bcasm_emit(a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(a, OP_IN_SET, 0, 0, 0);
    bcasm_test_rule(a, r_poss);
    a->line = 14;
    bcasm_emit(a, OP_ANY, AGG_SKIP_DECIDED, 0, 1);
    bcasm_test_rule(a, r_prior);
    a->line = 18;
    bcasm_emit(a, OP_LATEST, 0, 0, 2);
    bcasm_emit(a, OP_PARAM, 0, 0, p_cutoff);
    bcasm_emit(a, OP_GT, TYPE_DATE, 0, 0);
    bcasm_test_rule(a, r_late);
    a->line = 22;
    bcasm_emit(a, OP_DECIDE, 0, (uint16_t)r_other, 0);
    bcasm_function(a, FUNCTION_CONDITION);
    a->line = 15;
    bcasm_emit(a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(a, OP_CONST, 0, 0, k_level);
    bcasm_emit(a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(a, OP_RETURN, 0, 0, 0);
    bcasm_function(a, FUNCTION_DATE_OF);
    a->line = 19;
    bcasm_emit(a, OP_CONST, 0, 0, k_true);
    bcasm_emit(a, OP_EACH_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(a, OP_RETURN, 0, 0, 0);

    struct program_example_conviction c;
    bcasm_example(a, "young adult", 40);
    p->examples[0].known = 1u << FACT_DATE_OF_BIRTH;
    p->examples[0].date_of_birth = bcasm_date(1990, 2, 28);
    memset(&c, 0, sizeof c);
    c.line = 41;
    c.known = 1u << FACT_CITATION | 1u << FACT_LEVEL | 1u << FACT_DISPOSITION_DATE | 1u << FACT_SENTENCE
        | 1u << FACT_COUNTY | 1u << FACT_CASE_ID;
    c.citation = bcasm_parse_citation("HS 11357(a)", CITATION_ATTEMPT);
    c.level = LEVEL_MISDEMEANOR;
    c.disposition_date = bcasm_date(2012, 2, 29);
    c.sentence.months = 6;
    c.sentence.days = 3;
    c.county = bcasm_string(a, "Alameda");
    c.case_id = bcasm_string(a, "12-CR-0001");
    c.expect_outcome = BCASM_RELIEF;
    c.expect_first_action = p->rules[r_poss].first_action; /* expect relief and seal */
    c.expect_nactions = p->rules[r_poss].nactions;
    c.expect_rule = r_poss;
    bcasm_example_conviction(a, c);
    memset(&c, 0, sizeof c);
    c.line = 42;
    c.county = PROGRAM_NO_STRING;
    c.case_id = PROGRAM_NO_STRING;
    c.expect_outcome = BCASM_REVIEW;
    c.expect_rule = PROGRAM_NO_CONST;
    bcasm_example_conviction(a, c);
    bcasm_example(a, "no birth date", 50);
    memset(&c, 0, sizeof c);
    c.line = 51;
    c.known = 1u << FACT_LEVEL;
    c.level = LEVEL_FELONY;
    c.county = PROGRAM_NO_STRING;
    c.case_id = PROGRAM_NO_STRING;
    c.expect_outcome = BCASM_NO_RELIEF;
    c.expect_rule = r_prior;
    bcasm_example_conviction(a, c);
    return bcasm_finish(a);
}

/*
 * Small program with fixed instruction addresses, for tampering:
 *   0 CONST true   1 ANY f1   2 AND   3 TEST_RULE r0 -> 4   4 DECIDE r1
 *   f1:  5 EACH_FACT level  6 CONST felony  7 EQ level  8 ANY f2  9 AND  10 RETURN
 *   f2: 11 CONST true, then (CONST true, AND) x 256 at 12..523, 524 RETURN
 */
enum { T_K_TRUE = 0, T_K_NUMBER = 1, T_K_FELONY = 2 };
enum { T_PC_FIRST_AND_OF_F2 = 13, T_PC_LAST_OF_F2 = 524 };

static struct program *build_tamper_base(struct bcasm *a)
{
    bcasm_init(a);
    bcasm_rule(a, "r0", BCASM_RELIEF, 3);
    bcasm_rule(a, "otherwise", BCASM_NO_RELIEF, 4);
    bcasm_const_bool(a, true);
    bcasm_const_number(a, 7);
    bcasm_const_level(a, LEVEL_FELONY);
    bcasm_function(a, FUNCTION_MAIN);
    bcasm_emit(a, OP_CONST, 0, 0, T_K_TRUE);
    bcasm_emit(a, OP_ANY, 0, 0, 1);
    bcasm_emit(a, OP_AND, 0, 0, 0);
    bcasm_test_rule(a, 0);
    bcasm_emit(a, OP_DECIDE, 0, 1, 0);
    bcasm_function(a, FUNCTION_CONDITION);
    bcasm_emit(a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(a, OP_CONST, 0, 0, T_K_FELONY);
    bcasm_emit(a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(a, OP_ANY, 0, 0, 2);
    bcasm_emit(a, OP_AND, 0, 0, 0);
    bcasm_emit(a, OP_RETURN, 0, 0, 0);
    bcasm_function(a, FUNCTION_CONDITION);
    bcasm_emit(a, OP_CONST, 0, 0, T_K_TRUE);
    for (unsigned i = 0; i < PROGRAM_MAX_STACK; i++) {
        bcasm_emit(a, OP_CONST, 0, 0, T_K_TRUE);
        bcasm_emit(a, OP_AND, 0, 0, 0);
    }
    bcasm_emit(a, OP_RETURN, 0, 0, 0);
    return bcasm_finish(a);
}

static unsigned char *encode(struct program *p, size_t *len)
{
    unsigned char *data = NULL;
    assert_true(bc_write_memory(p, &data, len));
    assert_non_null(data);
    return data;
}

/* ---- byte surgery ---------------------------------------------------------- */

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void set32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

/* Offset of a section's payload, by walking the section headers. */
static size_t section_at(const unsigned char *d, size_t len, enum bc_section id)
{
    size_t at = BC_HEADER_SIZE;
    while (at + BC_SECTION_HEADER_SIZE <= len) {
        if (get32(d + at) == (uint32_t)id)
            return at + BC_SECTION_HEADER_SIZE;
        at += BC_SECTION_HEADER_SIZE + get32(d + at + 4);
    }
    fail_msg("section %d not found", (int)id);
    return 0;
}

/* Offset of instruction pc inside the code section. */
static size_t insn_at(const unsigned char *d, size_t len, uint32_t pc)
{
    return section_at(d, len, BC_SECTION_CODE) + 4 + (size_t)pc * BC_INSN_SIZE;
}

/* What an attacker does after editing: make the checksum agree again. */
static void reseal(unsigned char *d, size_t len)
{
    set32(d + BC_OFFSET_LENGTH, (uint32_t)(len - BC_HEADER_SIZE));
    set32(d + BC_OFFSET_CHECKSUM, checksum_crc32(d + BC_HEADER_SIZE, len - BC_HEADER_SIZE));
}

static void assert_load_fails_with(const unsigned char *d, size_t len, const char *expected)
{
    struct program p;
    char err[512] = "";
    bool ok = bc_load_memory(d, len, "prop64.lbc", &p, err, sizeof err);
    if (ok) {
        program_free(&p);
        fail_msg("loaded a file that should fail with \"%s\"", expected);
    }
    if (strstr(err, expected) == NULL)
        print_error("got:      %s\nexpected: %s\n", err, expected);
    assert_non_null(strstr(err, expected));
    /* A failed load leaves nothing behind to free or to use. */
    assert_null(p.strings);
    assert_null(p.code);
    assert_int_equal(p.nfunctions, 0);
}

/* Loader or verifier must refuse; the message must say why. */
static void assert_refused(const unsigned char *d, size_t len, const char *expected)
{
    struct program p;
    char err[512] = "";
    if (bc_load_memory(d, len, "prop64.lbc", &p, err, sizeof err)) {
        bool ok = verify_program(&p, err, sizeof err);
        program_free(&p);
        if (ok)
            fail_msg("a tampered file passed the loader and the verifier; expected \"%s\"", expected);
    }
    if (strstr(err, expected) == NULL)
        print_error("got:      %s\nexpected: %s\n", err, expected);
    assert_non_null(strstr(err, expected));
}

/* ---- equality, field by field --------------------------------------------- */

static void assert_citation_equal(const struct citation *x, const struct citation *y)
{
    assert_string_equal(x->text, y->text);
    assert_int_equal(x->len, y->len);
    assert_int_equal(x->depth, y->depth);
    assert_memory_equal(x->ends, y->ends, sizeof x->ends);
    assert_int_equal(x->flags, y->flags);
}

static void assert_value_equal(const struct program *px, const struct value *x, const struct program *py,
                               const struct value *y)
{
    assert_int_equal(x->type, y->type);
    assert_int_equal(x->unknown, y->unknown);
    if (x->unknown) {
        assert_int_equal(x->fact, y->fact);
        return;
    }
    switch (x->type) {
    case TYPE_BOOL:
    case TYPE_NUMBER:
    case TYPE_LEVEL:
        assert_true(x->as.number == y->as.number);
        break;
    case TYPE_DATE:
        assert_int_equal(x->as.date, y->as.date);
        break;
    case TYPE_DURATION:
        assert_int_equal(x->as.duration.months, y->as.duration.months);
        assert_int_equal(x->as.duration.days, y->as.duration.days);
        break;
    case TYPE_TEXT: {
        assert_int_equal(x->as.text.len, y->as.text.len);
        assert_memory_equal(x->as.text.ptr, y->as.text.ptr, x->as.text.len);
        /* The loaded text is one of the loaded program's own strings. */
        bool owned = false;
        for (uint32_t i = 0; i < py->nstrings; i++)
            owned = owned || py->strings[i].ptr == y->as.text.ptr;
        assert_true(owned);
        break;
    }
    case TYPE_CITATION:
        assert_int_equal(x->as.citation - px->citations, y->as.citation - py->citations);
        assert_citation_equal(x->as.citation, y->as.citation);
        break;
    default:
        fail_msg("unexpected type %u", (unsigned)x->type);
    }
}

static void assert_programs_equal(const struct program *x, const struct program *y)
{
    assert_int_equal(x->name, y->name);
    assert_int_equal(x->jurisdiction, y->jurisdiction);
    assert_int_equal(x->authority, y->authority);
    assert_int_equal(x->version, y->version);
    assert_int_equal(x->effective, y->effective);
    assert_int_equal(x->approved_by, y->approved_by);
    assert_int_equal(x->approved_on, y->approved_on);
    assert_int_equal(x->month_end, y->month_end);
    assert_int_equal(x->source_name, y->source_name);
    assert_int_equal(x->source_hash, y->source_hash);

    assert_int_equal(x->nstrings, y->nstrings);
    for (uint32_t i = 0; i < x->nstrings; i++) {
        assert_int_equal(x->strings[i].len, y->strings[i].len);
        assert_string_equal(x->strings[i].ptr, y->strings[i].ptr);
    }
    assert_int_equal(x->ncitations, y->ncitations);
    for (uint32_t i = 0; i < x->ncitations; i++)
        assert_citation_equal(&x->citations[i], &y->citations[i]);
    assert_int_equal(x->nconsts, y->nconsts);
    for (uint32_t i = 0; i < x->nconsts; i++)
        assert_value_equal(x, &x->consts[i], y, &y->consts[i]);
    assert_int_equal(x->nsets, y->nsets);
    for (uint32_t i = 0; i < x->nsets; i++) {
        assert_int_equal(x->sets[i].name, y->sets[i].name);
        assert_int_equal(x->sets[i].table.count, y->sets[i].table.count);
        for (uint32_t k = 0; k < x->sets[i].table.count; k++)
            assert_citation_equal(&x->sets[i].table.entries[k], &y->sets[i].table.entries[k]);
    }
    assert_int_equal(x->nparams, y->nparams);
    for (uint32_t i = 0; i < x->nparams; i++) {
        assert_int_equal(x->params[i].name, y->params[i].name);
        assert_value_equal(x, &x->params[i].value, y, &y->params[i].value);
        assert_int_equal(x->params[i].first_period, y->params[i].first_period);
        assert_int_equal(x->params[i].nperiods, y->params[i].nperiods);
    }
    assert_int_equal(x->nperiods, y->nperiods);
    for (uint32_t i = 0; i < x->nperiods; i++) {
        assert_int_equal(x->periods[i].param, y->periods[i].param);
        assert_int_equal(x->periods[i].from, y->periods[i].from);
        assert_int_equal(x->periods[i].until, y->periods[i].until);
        assert_int_equal(x->periods[i].value, y->periods[i].value);
    }
    assert_int_equal(x->ntables, y->ntables);
    for (uint32_t i = 0; i < x->ntables; i++) {
        assert_int_equal(x->tables[i].name, y->tables[i].name);
        assert_int_equal(x->tables[i].type, y->tables[i].type);
        assert_int_equal(x->tables[i].keys.count, y->tables[i].keys.count);
        for (uint32_t k = 0; k < x->tables[i].keys.count; k++) {
            assert_citation_equal(&x->tables[i].keys.entries[k], &y->tables[i].keys.entries[k]);
            assert_int_equal(x->tables[i].values[k], y->tables[i].values[k]);
        }
    }
    assert_int_equal(x->noutcomes, y->noutcomes);
    for (uint32_t i = 0; i < x->noutcomes; i++) {
        assert_int_equal(x->outcomes[i].name, y->outcomes[i].name);
        assert_int_equal(x->outcomes[i].kind, y->outcomes[i].kind);
    }
    assert_int_equal(x->review_outcome, y->review_outcome);
    assert_int_equal(x->nrules, y->nrules);
    for (uint32_t i = 0; i < x->nrules; i++) {
        assert_int_equal(x->rules[i].name, y->rules[i].name);
        assert_int_equal(x->rules[i].outcome, y->rules[i].outcome);
        assert_int_equal(x->rules[i].reason, y->rules[i].reason);
        assert_int_equal(x->rules[i].citation, y->rules[i].citation);
        assert_int_equal(x->rules[i].line, y->rules[i].line);
        assert_int_equal(x->rules[i].quote, y->rules[i].quote);
        assert_int_equal(x->rules[i].eligible_from, y->rules[i].eligible_from);
        assert_int_equal(x->rules[i].first_action, y->rules[i].first_action);
        assert_int_equal(x->rules[i].nactions, y->rules[i].nactions);
    }
    assert_int_equal(x->nactions, y->nactions);
    for (uint32_t i = 0; i < x->nactions; i++)
        assert_int_equal(x->actions[i], y->actions[i]);
    assert_int_equal(x->nfunctions, y->nfunctions);
    for (uint32_t i = 0; i < x->nfunctions; i++) {
        assert_int_equal(x->functions[i].start, y->functions[i].start);
        assert_int_equal(x->functions[i].len, y->functions[i].len);
        assert_int_equal(x->functions[i].kind, y->functions[i].kind);
        assert_int_equal(x->functions[i].max_stack, y->functions[i].max_stack);
    }
    assert_int_equal(x->ncode, y->ncode);
    for (uint32_t i = 0; i < x->ncode; i++) {
        assert_int_equal(x->code[i].op, y->code[i].op);
        assert_int_equal(x->code[i].a, y->code[i].a);
        assert_int_equal(x->code[i].b, y->code[i].b);
        assert_int_equal(x->code[i].c, y->code[i].c);
        assert_int_equal(x->lines[i], y->lines[i]);
    }
    assert_int_equal(x->nexamples, y->nexamples);
    for (uint32_t i = 0; i < x->nexamples; i++) {
        const struct program_example *ex = &x->examples[i], *ey = &y->examples[i];
        assert_int_equal(ex->name, ey->name);
        assert_int_equal(ex->line, ey->line);
        assert_int_equal(ex->known, ey->known);
        assert_int_equal(ex->date_of_birth, ey->date_of_birth);
        assert_int_equal(ex->first, ey->first);
        assert_int_equal(ex->count, ey->count);
    }
    assert_int_equal(x->nexample_convictions, y->nexample_convictions);
    for (uint32_t i = 0; i < x->nexample_convictions; i++) {
        const struct program_example_conviction *cx = &x->example_convictions[i], *cy = &y->example_convictions[i];
        assert_int_equal(cx->line, cy->line);
        assert_int_equal(cx->known, cy->known);
        if (cx->known & (1u << FACT_CITATION))
            assert_citation_equal(&cx->citation, &cy->citation);
        assert_int_equal(cx->level, cy->level);
        assert_int_equal(cx->disposition_date, cy->disposition_date);
        assert_int_equal(cx->sentence.months, cy->sentence.months);
        assert_int_equal(cx->sentence.days, cy->sentence.days);
        assert_int_equal(cx->county, cy->county);
        assert_int_equal(cx->case_id, cy->case_id);
        assert_int_equal(cx->expect_outcome, cy->expect_outcome);
        assert_int_equal(cx->expect_first_action, cy->expect_first_action);
        assert_int_equal(cx->expect_nactions, cy->expect_nactions);
        assert_int_equal(cx->expect_rule, cy->expect_rule);
    }
    assert_int_equal(x->max_stack, y->max_stack);
}

/* ---- round trip ------------------------------------------------------------ */

static void test_bytecode_round_trip_keeps_every_field(void **state)
{
    (void)state;
    struct bcasm a;
    struct program *p = build_rich(&a);
    char err[512];
    assert_true(verify_program(p, err, sizeof err));

    size_t len;
    unsigned char *data = encode(p, &len);
    assert_memory_equal(data, BC_MAGIC, BC_MAGIC_LEN);
    assert_int_equal(get32(data + BC_OFFSET_LENGTH), len - BC_HEADER_SIZE);

    struct program q;
    if (!bc_load_memory(data, len, "rich.lbc", &q, err, sizeof err))
        fail_msg("%s", err);
    if (!verify_program(&q, err, sizeof err))
        fail_msg("%s", err);
    assert_programs_equal(p, &q);

    /* Writing what was loaded gives the same bytes. */
    size_t len2;
    unsigned char *data2 = encode(&q, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(data2, data, len);

    free(data2);
    free(data);
    program_free(&q);
    bcasm_free(&a);
}

static void test_bytecode_round_trip_of_citation_sets_still_matches(void **state)
{
    (void)state;
    struct bcasm a;
    struct program *p = build_rich(&a);
    size_t len;
    unsigned char *data = encode(p, &len);
    struct program q;
    char err[512];
    assert_true(bc_load_memory(data, len, "rich.lbc", &q, err, sizeof err));
    struct citation narrow = bcasm_parse_citation("HS 11359(b)(2)", 0);
    struct citation other = bcasm_parse_citation("HS 11361", 0);
    assert_true(citation_set_contains(&q.sets[0].table, &narrow));
    assert_false(citation_set_contains(&q.sets[0].table, &other));
    assert_int_equal(q.sets[1].table.count, 0);
    assert_false(citation_set_contains(&q.sets[1].table, &narrow));
    program_free(&q);
    free(data);
    bcasm_free(&a);
}

/* A set entry the compiler did not also put in p->citations is still written. */
static void test_bytecode_writer_adds_set_entries_missing_from_citations(void **state)
{
    (void)state;
    struct bcasm a;
    struct program *p = build_tamper_base(&a);
    struct citation items[2] = {bcasm_parse_citation("PC 182", 0), bcasm_parse_citation("VC 23152", 0)};
    p->sets = bcasm_grow(p->sets, p->nsets, sizeof *p->sets);
    memset(&p->sets[0], 0, sizeof p->sets[0]);
    p->sets[0].name = bcasm_string(&a, "extra");
    assert_true(citation_set_build(&p->sets[0].table, items, 2));
    p->nsets = 1;
    size_t len;
    unsigned char *data = encode(p, &len);
    struct program q;
    char err[512];
    if (!bc_load_memory(data, len, "x.lbc", &q, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(q.ncitations, 2);
    assert_string_equal(q.sets[0].table.entries[1].text, "VC 23152");
    assert_true(citation_set_contains(&q.sets[0].table, &items[0]));
    program_free(&q);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_writer_refuses_text_that_is_not_a_program_string(void **state)
{
    (void)state;
    struct bcasm a;
    struct program *p = build_tamper_base(&a);
    struct value v = bcasm_value(TYPE_TEXT);
    v.as.text.ptr = "not in the string table";
    v.as.text.len = 23;
    bcasm_const(&a, v, UINT32_MAX);
    unsigned char *data = NULL;
    size_t len = 0;
    assert_false(bc_write_memory(p, &data, &len));
    assert_null(data);
    bcasm_free(&a);
}

/* ---- files ------------------------------------------------------------------ */

static void test_bytecode_write_file_is_private_and_atomic(void **state)
{
    (void)state;
    char dir[] = "/tmp/lenity-bc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/prop64.lbc", dir);

    struct bcasm a;
    struct program *p = build_rich(&a);
    char err[512];
    assert_true(verify_program(p, err, sizeof err));
    if (!bc_write_file(p, path, err, sizeof err))
        fail_msg("%s", err);
    /* Again, over the existing file. */
    if (!bc_write_file(p, path, err, sizeof err))
        fail_msg("%s", err);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* No temporary file is left beside it. */
    DIR *d = opendir(dir);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            entries++;
    }
    closedir(d);
    assert_int_equal(entries, 1);

    struct program q;
    if (!bc_load_file(path, &q, err, sizeof err))
        fail_msg("%s", err);
    assert_true(verify_program(&q, err, sizeof err));
    assert_programs_equal(p, &q);

    program_free(&q);
    bcasm_free(&a);
    unlink(path);
    rmdir(dir);
}

static void test_bytecode_write_file_reports_unwritable_directory(void **state)
{
    (void)state;
    struct bcasm a;
    struct program *p = build_tamper_base(&a);
    char err[512] = "";
    assert_false(bc_write_file(p, "/nonexistent-lenity-dir/prop64.lbc", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-lenity-dir/prop64.lbc: cannot create a temporary file beside it"));
    bcasm_free(&a);
}

static void test_bytecode_load_file_reports_missing_file(void **state)
{
    (void)state;
    struct program q;
    char err[512] = "";
    assert_false(bc_load_file("/nonexistent-lenity-dir/prop64.lbc", &q, err, sizeof err));
    assert_string_equal(err, "/nonexistent-lenity-dir/prop64.lbc: cannot open: No such file or directory");
    assert_null(q.strings);
}

/* ---- the file header ------------------------------------------------------------ */

static void test_bytecode_refuses_bad_magic(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    data[1] = 'X';
    assert_load_fails_with(data, len, "prop64.lbc: not a Lenity bytecode file (bad magic)");
    const char text[] = "policy \"prop64\" {}\n";
    assert_load_fails_with((const unsigned char *)text, sizeof text - 1,
                           "prop64.lbc: not a Lenity bytecode file (bad magic)");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_refuses_text_mode_copy(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    /* CR LF -> LF, as a text-mode transfer does. */
    memmove(data + 4, data + 5, len - 5);
    assert_load_fails_with(data, len - 1,
                           "prop64.lbc: not a Lenity bytecode file (bad magic: the file looks copied in text mode)");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_refuses_empty_file(void **state)
{
    (void)state;
    assert_load_fails_with((const unsigned char *)"", 0, "prop64.lbc: empty file, not a Lenity bytecode file");
}

static void test_bytecode_refuses_newer_major(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    data[BC_OFFSET_MAJOR] = 2;
    data[BC_OFFSET_MINOR] = 0;
    assert_load_fails_with(data, len,
                           "prop64.lbc: compiled for bytecode format 2.0; this lenity reads format 1.x: recompile the "
                           "policy with lenityc");
    data[BC_OFFSET_MAJOR] = 0;
    assert_load_fails_with(data, len, "prop64.lbc: compiled for bytecode format 0.0; this lenity reads format 1.x");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_refuses_newer_minor(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    data[BC_OFFSET_MINOR] = BC_FORMAT_MINOR + 1;
    char want[256];
    snprintf(want, sizeof want,
             "prop64.lbc: compiled for bytecode format 1.%u; this lenity reads format 1.x up to 1.%u: "
             "recompile the policy with lenityc", BC_FORMAT_MINOR + 1, BC_FORMAT_MINOR);
    assert_load_fails_with(data, len, want);
    free(data);
    bcasm_free(&a);
}

/* A file of an older minor (1.0, before the skip opcodes) is still read. */
static void test_bytecode_reads_older_minor(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    data[BC_OFFSET_MINOR] = 0;
    char err[512] = "";
    struct program p;
    if (!bc_load_memory(data, len, "prop64.lbc", &p, err, sizeof err))
        fail_msg("a format 1.0 file was refused: %s", err);
    program_free(&p);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_reports_checksum_mismatch(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    uint32_t stored = get32(data + BC_OFFSET_CHECKSUM);
    data[len - 1] ^= 0x40;
    uint32_t found = checksum_crc32(data + BC_HEADER_SIZE, len - BC_HEADER_SIZE);
    char expected[160];
    snprintf(expected, sizeof expected,
             "prop64.lbc: damaged file: checksum mismatch (expected 0x%08x, found 0x%08x)", stored, found);
    assert_load_fails_with(data, len, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_reports_truncation(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    assert_load_fails_with(data, 12, "prop64.lbc: truncated file header at byte 12");
    char expected[160];
    snprintf(expected, sizeof expected, "prop64.lbc: truncated file: %zu bytes, but its header says %zu", len - 7,
             len);
    assert_load_fails_with(data, len - 7, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_refuses_every_truncation(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_rich(&a), &len);
    for (size_t n = 0; n < len; n++) {
        /* A copy of exactly n bytes, so ASan sees any read past the end. */
        unsigned char *cut = malloc(n ? n : 1);
        assert_non_null(cut);
        memcpy(cut, data, n);
        struct program q;
        char err[256] = "";
        if (bc_load_memory(cut, n, "prop64.lbc", &q, err, sizeof err)) {
            program_free(&q);
            fail_msg("loaded a file cut to %zu of %zu bytes", n, len);
        }
        assert_true(strncmp(err, "prop64.lbc: ", 12) == 0);
        assert_null(q.strings);
        free(cut);
    }
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_refuses_every_single_bit_flip(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_rich(&a), &len);
    for (size_t i = 0; i < len; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            /* a flip that makes the minor version an older one gives a file of that version, which is read */
            unsigned minor = (data[BC_OFFSET_MINOR] | data[BC_OFFSET_MINOR + 1] << 8);
            if ((i == BC_OFFSET_MINOR || i == BC_OFFSET_MINOR + 1) &&
                (minor ^ (1u << (bit + 8 * (i - BC_OFFSET_MINOR)))) < minor)
                continue;
            data[i] ^= (unsigned char)(1u << bit);
            struct program q;
            char err[256] = "";
            if (bc_load_memory(data, len, "prop64.lbc", &q, err, sizeof err)) {
                program_free(&q);
                fail_msg("loaded a file with bit %u of byte %zu flipped", bit, i);
            }
            assert_true(err[0] != '\0');
            data[i] ^= (unsigned char)(1u << bit);
        }
    }
    free(data);
    bcasm_free(&a);
}

/* ---- tampered, then resealed: the loader or the verifier must say no ----------- */

static void test_bytecode_tampered_base_is_valid(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    struct program q;
    char err[512];
    if (!bc_load_memory(data, len, "prop64.lbc", &q, err, sizeof err))
        fail_msg("%s", err);
    if (!verify_program(&q, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(q.functions[2].max_stack, 2);
    assert_int_equal(q.functions[1].max_stack, 3);
    assert_int_equal(q.max_stack, 4);
    assert_int_equal(q.ncode, T_PC_LAST_OF_F2 + 1);
    assert_int_equal(q.code[T_PC_FIRST_AND_OF_F2].op, OP_AND);
    program_free(&q);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_jump_out_of_range_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    set32(data + insn_at(data, len, 3) + 4, 1000);
    reseal(data, len);
    assert_refused(data, len, "verify: function 0, instruction 3: jump target 1000 is past the end of the function");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_constant_operand_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    set32(data + insn_at(data, len, 0) + 4, 999);
    reseal(data, len);
    assert_refused(data, len,
                   "verify: function 0, instruction 0: constant 999 does not exist (the program has 3 constants)");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_unknown_opcode_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    data[insn_at(data, len, 2)] = 0xEE;
    reseal(data, len);
    assert_refused(data, len, "verify: function 0, instruction 2: unknown opcode 238");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_stack_overflow_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    /* Every AND of function 2 becomes CONST true: 257 pushes in a row. */
    for (uint32_t pc = T_PC_FIRST_AND_OF_F2; pc < T_PC_LAST_OF_F2; pc += 2) {
        size_t at = insn_at(data, len, pc);
        assert_int_equal(data[at], OP_AND);
        data[at] = OP_CONST;
    }
    reseal(data, len);
    assert_refused(data, len, "verify: function 2, instruction 267: stack overflow: CONST would make the stack 257 "
                              "deep (the VM has 256)");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_type_mismatch_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    set32(data + insn_at(data, len, 0) + 4, T_K_NUMBER);
    reseal(data, len);
    assert_refused(data, len, "verify: function 0, instruction 2: AND expects true/false as operand 1, found whole "
                              "number");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_recursion_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    set32(data + insn_at(data, len, 8) + 4, 1); /* function 1 calls itself */
    reseal(data, len);
    assert_refused(data, len, "verify: function 1, instruction 8: ANY calls function 1, which is not after function 1");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_count_past_limit_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    char expected[160];

    size_t at = section_at(data, len, BC_SECTION_STRINGS);
    set32(data + at, PROGRAM_MAX_STRINGS + 1);
    reseal(data, len);
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad string table at byte %zu: 1000001 strings are more than the limit of 1000000", at);
    assert_refused(data, len, expected);
    free(data);

    data = encode(&a.p, &len);
    at = section_at(data, len, BC_SECTION_CODE);
    set32(data + at, PROGRAM_MAX_CODE + 1);
    reseal(data, len);
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad code at byte %zu: 4000001 instructions are more than the limit of 4000000", at);
    assert_refused(data, len, expected);
    free(data);

    /* Under the limit, but more than the bytes that follow could hold. */
    data = encode(&a.p, &len);
    at = section_at(data, len, BC_SECTION_CONSTANTS);
    set32(data + at, 999999);
    reseal(data, len);
    snprintf(expected, sizeof expected, "prop64.lbc: truncated constant pool at byte %zu: 999999 constants need at "
                                        "least 1999998 bytes",
             at);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_string_with_nul_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    size_t at = section_at(data, len, BC_SECTION_STRINGS) + 4 + 4 + 2; /* third byte of string 0 */
    data[at] = 0;
    reseal(data, len);
    char expected[128];
    snprintf(expected, sizeof expected, "prop64.lbc: bad string table at byte %zu: string 0 contains a NUL byte", at);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_section_order_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    set32(data + BC_HEADER_SIZE, BC_SECTION_STRINGS);
    reseal(data, len);
    assert_refused(data, len, "prop64.lbc: bad file layout at byte 20: expected the policy header (section 1), found "
                              "section 2");
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_trailing_bytes_are_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    unsigned char *longer = malloc(len + 4);
    assert_non_null(longer);
    memcpy(longer, data, len);
    memset(longer + len, 0xAB, 4);
    reseal(longer, len + 4);
    char expected[160];
    snprintf(expected, sizeof expected,
             "prop64.lbc: damaged file: 4 unexpected bytes after the last section at byte %zu", len);
    assert_refused(longer, len + 4, expected);
    free(longer);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_review_outcome_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    size_t at = section_at(data, len, BC_SECTION_OUTCOMES) + 4 + 3 * 5; /* after three {name, kind} */
    assert_int_equal(get32(data + at), BCASM_REVIEW);
    set32(data + at, BCASM_RELIEF);
    reseal(data, len);
    char expected[160];
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad outcome table at byte %zu: the review outcome 0 is of kind relief, not review", at);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

/* `then relief and seal`: the loader checks each entry is an outcome and each rule's range is inside the lists. */
static void test_bytecode_tampered_outcome_lists_are_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_rich(&a), &len);
    char expected[200];
    size_t at = section_at(data, len, BC_SECTION_ACTIONS);
    assert_int_equal(get32(data + at), 2);
    assert_int_equal(get32(data + at + 8), 3); /* seal */
    set32(data + at + 8, 9);
    reseal(data, len);
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad outcome lists at byte %zu: outcome list entry 1 is outcome 9, but there are 4 outcomes",
             at + 8);
    assert_refused(data, len, expected);
    free(data);

    data = encode(&a.p, &len);
    size_t rule0 = section_at(data, len, BC_SECTION_RULES) + 4;
    assert_int_equal(get32(data + rule0 + 8 * 4), 2); /* nactions, the last of the rule's nine fields */
    set32(data + rule0 + 8 * 4, 5);
    reseal(data, len);
    at = section_at(data, len, BC_SECTION_ACTIONS);
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad outcome lists at byte %zu: rule 0 names 5 outcomes starting at 0, but the lists hold 2", at);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_constant_type_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    size_t at = section_at(data, len, BC_SECTION_CONSTANTS) + 4;
    data[at] = TYPE_SET;
    reseal(data, len);
    char expected[160];
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad constant pool at byte %zu: constant 0 has type tag 9, which is not a type a constant "
             "can have",
             at);
    assert_refused(data, len, expected);
    free(data);

    data = encode(&a.p, &len);
    data[at + 2] = 2; /* constant 0 is true: its payload byte */
    reseal(data, len);
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad constant pool at byte %zu: constant 0 is a true/false value stored as 2", at + 2);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

static void test_bytecode_tampered_function_range_is_refused(void **state)
{
    (void)state;
    struct bcasm a;
    size_t len;
    unsigned char *data = encode(build_tamper_base(&a), &len);
    size_t at = section_at(data, len, BC_SECTION_FUNCTIONS) + 4 + 2 * 9; /* function 2 */
    set32(data + at + 4, 0xFFFFFFF0u);                                     /* its len */
    reseal(data, len);
    char expected[200];
    snprintf(expected, sizeof expected,
             "prop64.lbc: bad function table at byte %zu: function 2 has 4294967280 instructions starting at 11, "
             "past the end of the code (525 instructions)",
             at);
    assert_refused(data, len, expected);
    free(data);
    bcasm_free(&a);
}

/* ---- listing and values ----------------------------------------------------------- */

static void test_bytecode_disasm_listing(void **state)
{
    (void)state;
    struct bcasm a;
    bcasm_init(&a);
    static const char *const marijuana[] = {"HS 11357", "HS 11359"};
    uint32_t r0 = bcasm_rule(&a, "possession", BCASM_RELIEF, 3);
    uint32_t r_prior = bcasm_rule(&a, "no prior felony", BCASM_NO_RELIEF, 5);
    uint32_t r1 = bcasm_rule(&a, "otherwise", BCASM_REVIEW, 7);
    uint32_t k_level = bcasm_const_level(&a, LEVEL_FELONY);
    uint32_t k_date = bcasm_const_date(&a, 2016, 11, 9);
    bcasm_set(&a, "marijuana", marijuana, 2);
    bcasm_param(&a, "cutoff", k_date);
    bcasm_function(&a, FUNCTION_MAIN);
    a.line = 3;
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(&a, OP_IN_SET, 0, 0, 0);
    bcasm_test_rule(&a, r0);
    a.line = 5;
    bcasm_emit(&a, OP_ANY, AGG_SKIP_DECIDED, 0, 1);
    bcasm_emit(&a, OP_NOT, 0, 0, 0);
    bcasm_test_rule(&a, r_prior);
    a.line = 7;
    bcasm_emit(&a, OP_DECIDE, 0, (uint16_t)r1, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    a.line = 5;
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_CONST, 0, 0, k_level);
    bcasm_emit(&a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    struct program *p = bcasm_finish(&a);
    char err[256];
    assert_true(verify_program(p, err, sizeof err));

    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    disasm_program(out, p);
    fclose(out);
    const char *expected =
        "policy        test policy\n"
        "version       1\n"
        "approved      none recorded\n"
        "jurisdiction  Testland\n"
        "authority     none\n"
        "effective     2016-11-09\n"
        "month end     round down (a day the month lacks becomes its last day)\n"
        "source        test.policy (crc32 0x12345678)\n"
        "\n"
        "outcomes\n"
        "  0   relief     relief\n"
        "  1   no relief  no relief\n"
        "  2   review     review (when a condition is unknown)\n"
        "\n"
        "parameters\n"
        "  0   cutoff  date = 2016-11-09\n"
        "\n"
        "sets\n"
        "  0   marijuana (2 entries)\n"
        "        HS 11357\n"
        "        HS 11359\n"
        "\n"
        "rules\n"
        "  0   possession       line 3     -> relief\n"
        "  1   no prior felony  line 5     -> no relief\n"
        "  2   otherwise        line 7     -> review\n"
        "\n"
        "addr  opcode        a   b   c      comment\n"
        "-- function 0 (main)\n"
        "-- rule possession (line 3) -> relief\n"
        "0000  FACT          0   0   0      push conviction.citation (the conviction being decided)  ; line 3\n"
        "0001  IN_SET        0   0   0      citation in set marijuana  ; line 3\n"
        "0002  TEST_RULE     0   0   3      rule possession applies: true decides, false jumps, unknown reviews; "
        "else jump to 0003  ; line 3\n"
        "-- rule no prior felony (line 5) -> no relief\n"
        "0003  ANY           1   0   1      any conviction where function 1, leaving out the conviction being "
        "decided  ; line 5\n"
        "0004  NOT           0   0   0      not  ; line 5\n"
        "0005  TEST_RULE     0   1   6      rule no prior felony applies: true decides, false jumps, unknown reviews; "
        "else jump to 0006  ; line 5\n"
        "-- rule otherwise (line 7) -> review\n"
        "0006  DECIDE        0   2   0      decide by rule otherwise  ; line 7\n"
        "-- function 1 (condition of any/count)\n"
        "0007  EACH_FACT     0   0   1      push level of the conviction being examined  ; line 5\n"
        "0008  CONST         0   0   0      push felony  ; line 5\n"
        "0009  EQ            7   0   0      offence level is equal  ; line 5\n"
        "0010  RETURN        0   0   0      return from condition  ; line 5\n";
    if (strcmp(text, expected) != 0)
        print_error("got:\n%s", text);
    assert_string_equal(text, expected);
    free(text);
    bcasm_free(&a);
}

static void test_bytecode_disasm_survives_unverified_program(void **state)
{
    (void)state;
    struct bcasm a;
    bcasm_init(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, 99);
    bcasm_emit(&a, (enum opcode)250, 1, 2, 3);
    bcasm_emit(&a, OP_DECIDE, 0, 7, 0);
    struct program *p = bcasm_finish(&a);
    p->functions[0].len = 1000;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    disasm_program(out, p);
    fclose(out);
    assert_non_null(strstr(text, "0000  CONST         0   0   99     push constant 99 (no such constant)"));
    assert_non_null(strstr(text, "0001  INVALID       1   2   3      invalid opcode"));
    assert_non_null(strstr(text, "-- rule 7 (no such rule)\n"));
    free(text);
    bcasm_free(&a);
}

static void test_value_format_each_type(void **state)
{
    (void)state;
    struct bcasm a;
    bcasm_init(&a);
    char buf[64];
    struct {
        uint32_t k;
        const char *text;
    } cases[] = {
        {bcasm_const_bool(&a, true), "true"},
        {bcasm_const_bool(&a, false), "false"},
        {bcasm_const_number(&a, -1234567890123), "-1234567890123"},
        {bcasm_const_date(&a, 2016, 2, 29), "2016-02-29"},
        {bcasm_const_duration(&a, 30, 0), "2 years 6 months"},
        {bcasm_const_text(&a, "say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\""},
        {bcasm_const_citation(&a, "hs 11357(A)"), "HS 11357(a)"},
        {bcasm_const_level(&a, LEVEL_MISDEMEANOR), "misdemeanor"},
        {bcasm_const_unknown(&a, TYPE_DATE), "unknown"},
    };
    struct program *p = bcasm_finish(&a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = value_format(&p->consts[cases[i].k], buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
    bcasm_free(&a);
}

static void test_value_format_cuts_and_terminates(void **state)
{
    (void)state;
    struct bcasm a;
    bcasm_init(&a);
    uint32_t k = bcasm_const_text(&a, "Los Angeles");
    struct program *p = bcasm_finish(&a);
    char buf[8];
    memset(buf, 'x', sizeof buf);
    size_t n = value_format(&p->consts[k], buf, 6);
    assert_int_equal(n, 13); /* the whole text would need 13 */
    assert_string_equal(buf, "\"Los ");
    assert_int_equal(buf[6], 'x'); /* nothing written past size */
    assert_int_equal(value_format(&p->consts[k], NULL, 0), 13);
    bcasm_free(&a);
}

static void test_value_words(void **state)
{
    (void)state;
    assert_string_equal(level_words(LEVEL_FELONY), "felony");
    assert_string_equal(level_words(LEVEL_INFRACTION), "infraction");
    assert_string_equal(outcome_kind_words(OUTCOME_NO_RELIEF), "no relief");
    assert_string_equal(outcome_kind_words(OUTCOME_REVIEW), "review");
    assert_string_equal(value_type_words(TYPE_DURATION), "duration");
    assert_string_equal(value_type_words((enum value_type)77), "invalid type");
    assert_string_equal(opcode_describe(OP_TEST_RULE)->name, "TEST_RULE");
    assert_int_equal(opcode_describe(OP_AND)->pops, 2);
    assert_string_equal(opcode_describe(OP__COUNT)->name, "INVALID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytecode_round_trip_keeps_every_field),
        cmocka_unit_test(test_bytecode_round_trip_of_citation_sets_still_matches),
        cmocka_unit_test(test_bytecode_writer_adds_set_entries_missing_from_citations),
        cmocka_unit_test(test_bytecode_writer_refuses_text_that_is_not_a_program_string),
        cmocka_unit_test(test_bytecode_write_file_is_private_and_atomic),
        cmocka_unit_test(test_bytecode_write_file_reports_unwritable_directory),
        cmocka_unit_test(test_bytecode_load_file_reports_missing_file),
        cmocka_unit_test(test_bytecode_refuses_bad_magic),
        cmocka_unit_test(test_bytecode_refuses_text_mode_copy),
        cmocka_unit_test(test_bytecode_refuses_empty_file),
        cmocka_unit_test(test_bytecode_refuses_newer_major),
        cmocka_unit_test(test_bytecode_refuses_newer_minor),
        cmocka_unit_test(test_bytecode_reads_older_minor),
        cmocka_unit_test(test_bytecode_reports_checksum_mismatch),
        cmocka_unit_test(test_bytecode_reports_truncation),
        cmocka_unit_test(test_bytecode_refuses_every_truncation),
        cmocka_unit_test(test_bytecode_refuses_every_single_bit_flip),
        cmocka_unit_test(test_bytecode_tampered_base_is_valid),
        cmocka_unit_test(test_bytecode_tampered_jump_out_of_range_is_refused),
        cmocka_unit_test(test_bytecode_tampered_constant_operand_is_refused),
        cmocka_unit_test(test_bytecode_tampered_unknown_opcode_is_refused),
        cmocka_unit_test(test_bytecode_tampered_stack_overflow_is_refused),
        cmocka_unit_test(test_bytecode_tampered_type_mismatch_is_refused),
        cmocka_unit_test(test_bytecode_tampered_recursion_is_refused),
        cmocka_unit_test(test_bytecode_tampered_count_past_limit_is_refused),
        cmocka_unit_test(test_bytecode_tampered_string_with_nul_is_refused),
        cmocka_unit_test(test_bytecode_tampered_section_order_is_refused),
        cmocka_unit_test(test_bytecode_tampered_trailing_bytes_are_refused),
        cmocka_unit_test(test_bytecode_tampered_review_outcome_is_refused),
        cmocka_unit_test(test_bytecode_tampered_outcome_lists_are_refused),
        cmocka_unit_test(test_bytecode_tampered_constant_type_is_refused),
        cmocka_unit_test(test_bytecode_tampered_function_range_is_refused),
        cmocka_unit_test(test_bytecode_disasm_listing),
        cmocka_unit_test(test_bytecode_disasm_survives_unverified_program),
        cmocka_unit_test(test_value_format_each_type),
        cmocka_unit_test(test_value_format_cuts_and_terminates),
        cmocka_unit_test(test_value_words),
    };
    return cmocka_run_group_tests_name("bytecode", tests, NULL, NULL);
}
