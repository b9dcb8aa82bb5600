/*
 * test_vm.c - the three-valued semantics of every operator and opcode, run
 * end to end: a tiny policy is compiled from text with compile_policy_text,
 * a person is built by hand, and the decision is read back.
 *
 * Every condition is tested through one rule:
 *     rule r when CONDITION then granted ...
 *     otherwise refused ...
 * so "true" is outcome granted by rule r, "false" is outcome refused by
 * `otherwise`, and "unknown" is the review outcome by rule r with the
 * missing fact named.  Each condition is compiled twice, optimized and with
 * -O0, and both programs must agree: the optimizer's constant folding must
 * not change a three-valued answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile.h"
#include "diag.h"
#include "opcode.h"
#include "output.h"
#include "person.h"
#include "program.h"
#include "verify.h"
#include "vm.h"

#include "bcasm.h"

/* ---- policies ---------------------------------------------------------- */

#define HEADER                                                                                   \
    "policy \"vm test\" jurisdiction \"Testland\" authority HS 1 effective 2016-01-01 version \"1\"\n"

#define OUTCOMES                                                                                 \
    "outcome granted is relief\n"                                                                \
    "outcome refused is no relief\n"                                                             \
    "outcome flagged is review\n"

/* Declarations every condition may use: parameters of each kind and a set. */
#define STANDARD_DECLS                                                                           \
    "parameter t = true\n"                                                                       \
    "parameter f = false\n"                                                                      \
    "parameter n = 21\n"                                                                         \
    "parameter big = 999999999999999\n"                                                          \
    "parameter cutoff = 2016-11-09\n"                                                            \
    "parameter span = 1 year\n"                                                                  \
    "parameter law = HS 11357\n"                                                                 \
    "parameter lvl = felony\n"                                                                   \
    "parameter place = \"Los Angeles\"\n"                                                        \
    "parameter age_law = 21 until 2019-12-31, 18 from 2021-01-01\n"                               \
    "parameter lim = 1 ounce, 2 ounces from 2021-07-01\n"                                         \
    "set pot = { HS 11357, HS 11358, HS 11359, HS 11360 }\n"

enum { OUT_GRANTED = 0, OUT_REFUSED = 1, OUT_FLAGGED = 2 };

enum tri { FALSE3, TRUE3, UNKNOWN3 };

static const char *tri_words(enum tri t)
{
    return t == TRUE3 ? "true" : t == FALSE3 ? "false" : "unknown";
}

/* A whole policy around one condition; header_extra goes into the header (e.g. the month-end rule). */
static char *policy_text(const char *header_extra, const char *cond)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fprintf(f, "%s%s\n%s%s", HEADER, header_extra ? header_extra : "", OUTCOMES, STANDARD_DECLS);
    fprintf(f, "rule r when %s\n  then granted because \"the condition holds\" citing HS 1\n", cond);
    fprintf(f, "otherwise refused because \"it does not\" citing HS 1\n");
    fclose(f);
    return text;
}

/* Compiles text or fails the test with the diagnostics. */
static void compile_ok(const char *text, bool no_optimize, struct program *p)
{
    char *msgs = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&msgs, &len);
    assert_non_null(f);
    struct diag d;
    diag_init(&d, f);
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    opts.no_optimize = no_optimize;
    program_init(p);
    bool ok = compile_policy_text("vm_test.policy", text, &opts, &d, p);
    fclose(f);
    if (!ok || d.errors != 0) {
        print_error("policy:\n%s\ndiagnostics:\n%s\n", text, msgs);
        free(msgs);
        fail_msg("the policy did not compile");
    }
    free(msgs);
}

static void decide_ok(const struct program *p, const struct person *person, uint32_t index, struct decision *d)
{
    struct vm vm;
    assert_true(vm_init(&vm, p));
    memset(d, 0xA5, sizeof *d);
    vm_decide(&vm, person, index, d);
    vm_free(&vm);
}

/* What a decision of the one-rule policy says about its condition, checking it is consistent. */
static enum tri classify(const char *file, int line, const char *cond, const struct program *p,
                         const struct decision *d)
{
    uint32_t otherwise = p->nrules - 1;
    if (d->outcome == OUT_GRANTED && d->rule == 0 && !d->unknown && d->missing_fact == FACT_NONE)
        return TRUE3;
    if (d->outcome == OUT_REFUSED && d->rule == otherwise && !d->unknown && d->missing_fact == FACT_NONE)
        return FALSE3;
    if (d->outcome == OUT_FLAGGED && d->rule == 0 && d->unknown)
        return UNKNOWN3;
    fail_msg("%s:%d: '%s': inconsistent decision: rule %u outcome %u unknown %d missing %u", file, line, cond,
             (unsigned)d->rule, (unsigned)d->outcome, (int)d->unknown, (unsigned)d->missing_fact);
    return UNKNOWN3;
}

static void check_cond(const char *file, int line, const char *header_extra, const char *cond,
                       const struct person *person, uint32_t index, enum tri want, uint16_t want_fact)
{
    char *text = policy_text(header_extra, cond);
    for (int pass = 0; pass < 2; pass++) {
        struct program p;
        compile_ok(text, pass == 1, &p);
        assert_int_equal(p.review_outcome, OUT_FLAGGED);
        struct decision d;
        decide_ok(&p, person, index, &d);
        enum tri got = classify(file, line, cond, &p, &d);
        program_free(&p);
        if (got != want) {
            free(text);
            fail_msg("%s:%d: '%s' (%s) is %s, expected %s (missing fact %u)", file, line, cond,
                     pass ? "-O0" : "optimized", tri_words(got), tri_words(want), (unsigned)d.missing_fact);
        }
        if (want == UNKNOWN3 && d.missing_fact != want_fact) {
            free(text);
            fail_msg("%s:%d: '%s' (%s) is unknown naming fact %u (%s), expected %u (%s)", file, line, cond,
                     pass ? "-O0" : "optimized", (unsigned)d.missing_fact, vm_fact_name(d.missing_fact),
                     (unsigned)want_fact, vm_fact_name(want_fact));
        }
    }
    free(text);
}

/* The condition on conviction `i` of `p` is true / false / unknown naming `fact`. */
#define assert_holds(cond, p, i) check_cond(__FILE__, __LINE__, NULL, cond, p, i, TRUE3, FACT_NONE)
#define assert_fails(cond, p, i) check_cond(__FILE__, __LINE__, NULL, cond, p, i, FALSE3, FACT_NONE)
#define assert_unknown(cond, p, i, fact) check_cond(__FILE__, __LINE__, NULL, cond, p, i, UNKNOWN3, fact)
#define assert_cond_with(header, cond, p, i, want) check_cond(__FILE__, __LINE__, header, cond, p, i, want, FACT_NONE)

/* ---- people ------------------------------------------------------------ */

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;
    assert_true(date_from_ymd(y, m, d, &out));
    return out;
}

static void new_person(struct person *p, const char *id)
{
    person_init(p);
    assert_true(person_add_text(p, id, strlen(id), &p->id));
    p->known = 1u << FACT_ID;
}

static void born(struct person *p, int y, int m, int d)
{
    p->date_of_birth = ymd(y, m, d);
    p->known |= 1u << FACT_DATE_OF_BIRTH;
}

/* Adds a conviction that knows only its citation; returns its index. */
static uint32_t add(struct person *p, const char *citation)
{
    struct conviction *c = person_add_conviction(p, UINT32_MAX);
    assert_non_null(c);
    assert_true(citation_parse(citation, strlen(citation), &c->citation, NULL));
    c->known = 1u << FACT_CITATION;
    c->row = p->count;
    return p->count - 1;
}

static void set_level(struct person *p, uint32_t i, uint8_t level)
{
    p->convictions[i].level = level;
    p->convictions[i].known |= 1u << FACT_LEVEL;
}

static void set_date(struct person *p, uint32_t i, int y, int m, int d)
{
    p->convictions[i].disposition_date = ymd(y, m, d);
    p->convictions[i].known |= 1u << FACT_DISPOSITION_DATE;
}

static void set_sentence(struct person *p, uint32_t i, int32_t months, int32_t days)
{
    p->convictions[i].sentence.months = months;
    p->convictions[i].sentence.days = days;
    p->convictions[i].known |= 1u << FACT_SENTENCE;
}

static void set_county(struct person *p, uint32_t i, const char *county)
{
    assert_true(person_add_text(p, county, strlen(county), &p->convictions[i].county));
    p->convictions[i].known |= 1u << FACT_COUNTY;
}

static void set_case_id(struct person *p, uint32_t i, const char *id)
{
    assert_true(person_add_text(p, id, strlen(id), &p->convictions[i].case_id));
    p->convictions[i].known |= 1u << FACT_CASE_ID;
}

static void forget(struct person *p, uint32_t i, unsigned fact)
{
    p->convictions[i].known &= ~(1u << fact);
}

/* One person, one conviction with every fact known:
 * born 1980-01-01; HS 11357(b) felony on 2010-05-01, 6 months, Los Angeles, case CR-1. */
static uint32_t full_person(struct person *p)
{
    new_person(p, "P-1");
    born(p, 1980, 1, 1);
    uint32_t i = add(p, "HS 11357(b)");
    set_level(p, i, LEVEL_FELONY);
    set_date(p, i, 2010, 5, 1);
    set_sentence(p, i, 6, 0);
    set_county(p, i, "Los Angeles");
    set_case_id(p, i, "CR-1");
    return i;
}

/* ---- the rule: true, false, unknown ----------------------------------- */

static void test_vm_rule_true_false_unknown(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    char *text = policy_text(NULL, "level is felony");
    struct program prog;
    compile_ok(text, false, &prog);
    free(text);
    assert_int_equal(prog.nrules, 2);
    assert_string_equal(program_str(&prog, prog.rules[0].name), "r");
    assert_string_equal(program_str(&prog, prog.rules[1].name), "otherwise");
    assert_string_equal(program_str(&prog, prog.outcomes[OUT_FLAGGED].name), "flagged");

    struct decision d;
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.outcome, OUT_GRANTED);
    assert_false(d.unknown);
    assert_int_equal(d.missing_fact, FACT_NONE);

    set_level(&p, i, LEVEL_MISDEMEANOR);
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 1);
    assert_int_equal(d.outcome, OUT_REFUSED);
    assert_false(d.unknown);
    assert_int_equal(d.missing_fact, FACT_NONE);

    forget(&p, i, FACT_LEVEL);
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.outcome, OUT_FLAGGED);
    assert_true(d.unknown);
    assert_int_equal(d.missing_fact, FACT_LEVEL);
    assert_string_equal(vm_fact_name(d.missing_fact), "level");

    program_free(&prog);
    person_free(&p);
}

/* ---- dated parameters: the value in force on a date, at each boundary --- */

static void test_vm_dated_parameter_boundaries(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    /* the last day of the first period, and the first day of the second */
    assert_holds("age_law at 2019-12-31 is 21", &p, i);
    assert_holds("age_law at 1900-01-01 is 21", &p, i); /* no `from`: back for ever */
    assert_holds("age_law at 2021-01-01 is 18", &p, i);
    assert_holds("age_law at 2199-12-31 is 18", &p, i); /* no `until`: forward for ever */
    /* a day in the gap between them has no value: unknown, and the reason says why */
    assert_unknown("age_law at 2020-01-01 is 21", &p, i, FACT_NO_PERIOD);
    assert_unknown("age_law at 2020-12-31 is 18", &p, i, FACT_NO_PERIOD);
    /* an inferred junction: 1 ounce until 2021-06-30, 2 ounces from 2021-07-01 */
    assert_holds("lim at 2021-06-30 is 1 ounce", &p, i);
    assert_holds("lim at 2021-07-01 is 2 ounces", &p, i);
    assert_holds("lim at 2021-07-01 is 56.69904625 grams", &p, i);
    /* the date from the record, and when the record does not give it */
    assert_holds("age_law at disposition_date is known", &p, i);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("age_law at disposition_date is 21", &p, i, FACT_DISPOSITION_DATE);
    person_free(&p);
}

/* ---- not, and, or ------------------------------------------------------ */

static void test_vm_not(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    assert_fails("not t", &p, i);
    assert_holds("not f", &p, i);
    assert_holds("not not t", &p, i);
    assert_fails("not level is felony", &p, i);
    set_level(&p, i, LEVEL_MISDEMEANOR);
    assert_holds("not level is felony", &p, i);
    forget(&p, i, FACT_LEVEL);
    assert_unknown("not level is felony", &p, i, FACT_LEVEL);
    assert_unknown("not not level is felony", &p, i, FACT_LEVEL);
    person_free(&p);
}

static void test_vm_and(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    forget(&p, i, FACT_LEVEL); /* "level is felony" is unknown */
    assert_holds("t and t", &p, i);
    assert_fails("t and f", &p, i);
    assert_fails("f and t", &p, i);
    assert_fails("f and f", &p, i);
    /* false wins over unknown, from either side */
    assert_fails("f and level is felony", &p, i);
    assert_fails("level is felony and f", &p, i);
    assert_fails("false and level is felony", &p, i);
    assert_fails("level is felony and false", &p, i);
    /* otherwise unknown wins over true */
    assert_unknown("t and level is felony", &p, i, FACT_LEVEL);
    assert_unknown("level is felony and t", &p, i, FACT_LEVEL);
    assert_unknown("true and level is felony", &p, i, FACT_LEVEL);
    /* two unknowns: the first names the fact */
    forget(&p, i, FACT_COUNTY);
    assert_unknown("level is felony and county is place", &p, i, FACT_LEVEL);
    assert_unknown("county is place and level is felony", &p, i, FACT_COUNTY);
    person_free(&p);
}

static void test_vm_or(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    forget(&p, i, FACT_LEVEL);
    assert_holds("t or t", &p, i);
    assert_holds("t or f", &p, i);
    assert_holds("f or t", &p, i);
    assert_fails("f or f", &p, i);
    /* true wins over unknown, from either side */
    assert_holds("t or level is felony", &p, i);
    assert_holds("level is felony or t", &p, i);
    assert_holds("level is felony or true", &p, i);
    /* otherwise unknown wins over false */
    assert_unknown("level is felony or f", &p, i, FACT_LEVEL);
    assert_unknown("f or level is felony", &p, i, FACT_LEVEL);
    assert_unknown("false or level is felony", &p, i, FACT_LEVEL);
    forget(&p, i, FACT_COUNTY);
    assert_unknown("level is felony or county is place", &p, i, FACT_LEVEL);
    assert_unknown("county is place or level is felony", &p, i, FACT_COUNTY);
    person_free(&p);
}

/* ---- is, is not -------------------------------------------------------- */

static void test_vm_is_and_is_not_on_every_type(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    assert_holds("level is felony", &p, i);
    assert_holds("level is lvl", &p, i);
    assert_fails("level is misdemeanor", &p, i);
    assert_fails("level is not felony", &p, i);
    assert_holds("level is not infraction", &p, i);
    assert_holds("disposition_date is 2010-05-01", &p, i);
    assert_fails("disposition_date is 2010-05-02", &p, i);
    assert_holds("disposition_date is not 2010-05-02", &p, i);
    assert_holds("sentence is 6 months", &p, i);
    assert_fails("sentence is not 6 months", &p, i);
    assert_fails("sentence is 5 months", &p, i);
    assert_holds("age_at_conviction is 30", &p, i);
    assert_holds("age_at_conviction is not 31", &p, i);
    assert_holds("county is place", &p, i);
    assert_fails("county is not place", &p, i);
    assert_holds("case_id is \"CR-1\"", &p, i);
    assert_fails("case_id is \"CR-10\"", &p, i);
    assert_holds("citation is HS 11357(b)", &p, i);
    assert_holds("citation is not HS 11357(a)", &p, i);
    assert_holds("person.id is \"P-1\"", &p, i);
    assert_holds("person.date_of_birth is 1980-01-01", &p, i);
    assert_holds("t is true", &p, i);
    assert_fails("f is true", &p, i);
    assert_holds("f is not true", &p, i);
    assert_holds("n is 21", &p, i);

    /* an unknown side makes either comparison unknown, naming the fact */
    forget(&p, i, FACT_LEVEL);
    assert_unknown("level is felony", &p, i, FACT_LEVEL);
    assert_unknown("level is not felony", &p, i, FACT_LEVEL);
    assert_unknown("lvl is level", &p, i, FACT_LEVEL);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is 2010-05-01", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is not 2010-05-01", &p, i, FACT_DISPOSITION_DATE);
    forget(&p, i, FACT_SENTENCE);
    assert_unknown("sentence is 6 months", &p, i, FACT_SENTENCE);
    forget(&p, i, FACT_COUNTY);
    assert_unknown("county is place", &p, i, FACT_COUNTY);
    assert_unknown("county is not place", &p, i, FACT_COUNTY);
    forget(&p, i, FACT_CASE_ID);
    assert_unknown("case_id is \"CR-1\"", &p, i, FACT_CASE_ID);
    forget(&p, i, FACT_CITATION);
    assert_unknown("citation is HS 11357(b)", &p, i, FACT_CITATION);
    assert_unknown("citation is not HS 11357(b)", &p, i, FACT_CITATION);
    p.known &= ~(1u << FACT_ID);
    assert_unknown("person.id is \"P-1\"", &p, i, FACT_ID);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("person.date_of_birth is 1980-01-01", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is 30", &p, i, FACT_DATE_OF_BIRTH);
    person_free(&p);
}

static void test_vm_text_comparison_ignores_case(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    forget(&p, i, FACT_COUNTY);
    set_county(&p, i, "LOS ANGELES");
    assert_holds("county is place", &p, i);
    assert_holds("county is \"los angeles\"", &p, i);
    assert_holds("county is \"Los Angeles\"", &p, i);
    assert_fails("county is not \"lOs AnGeLeS\"", &p, i);
    /* case is ignored, nothing else is: a prefix or a longer text differs */
    assert_fails("county is \"Los Angele\"", &p, i);
    assert_fails("county is \"Los Angeles County\"", &p, i);
    assert_fails("county is \"Los  Angeles\"", &p, i);
    set_county(&p, i, "");
    assert_holds("county is \"\"", &p, i);
    assert_fails("county is place", &p, i);
    assert_holds("county is known", &p, i);
    person_free(&p);
}

/* `contains` and `starts with` look at the text exactly as written, at every place in it. */
static void test_vm_contains_and_starts_with(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    forget(&p, i, FACT_COUNTY);
    set_county(&p, i, "AAB 11357(B) HS-11357");
    assert_holds("county contains \"AAB\"", &p, i);        /* at the start */
    assert_holds("county contains \"AB\"", &p, i);         /* after a false start on the same byte */
    assert_holds("county contains \"HS-11357\"", &p, i);   /* at the very end */
    assert_holds("county contains \"(B)\"", &p, i);
    assert_holds("county contains \"\"", &p, i);           /* the empty text is in every text */
    assert_fails("county contains \"(b)\"", &p, i);        /* case counts */
    assert_fails("county contains \"11357-\"", &p, i);     /* would run past the end */
    assert_fails("county contains \"AAB 11357(B) HS-11357X\"", &p, i); /* longer than the text */
    assert_holds("county starts with \"AAB 1\"", &p, i);
    assert_fails("county starts with \"AB\"", &p, i);
    set_county(&p, i, "");
    assert_fails("county contains \"A\"", &p, i);
    assert_holds("county contains \"\"", &p, i);
    person_free(&p);
}

/*
 * A person gets steps_per_person looks at other convictions: past them a
 * question is unknown, so the conviction goes to review saying why, the
 * run never stalls on a long history, and the next person starts afresh.
 */
static void test_vm_steps_per_person(void **state)
{
    (void)state;
    char *text = policy_text(NULL, "any other conviction where citation in HS 11357");
    struct program prog;
    compile_ok(text, false, &prog);
    struct person p;
    new_person(&p, "P1");
    for (int i = 0; i < 10; i++)
        add(&p, "PC 459"); /* none matches: each question looks at all 9 others */
    struct vm vm;
    assert_true(vm_init(&vm, &prog));
    assert_int_equal(vm.steps_per_person, VM_STEPS_PER_PERSON);
    vm.steps_per_person = 25; /* room for two convictions' questions (10 steps each), not three */
    struct decision d;
    for (uint32_t i = 0; i < 10; i++) {
        vm_decide(&vm, &p, i, &d);
        if (i < 2) {
            assert_int_equal(d.outcome, OUT_REFUSED);
            assert_false(d.unknown);
        } else {
            assert_int_equal(d.outcome, OUT_FLAGGED);
            assert_true(d.unknown);
            assert_int_equal(d.missing_fact, FACT_TOO_LONG);
        }
    }
    char reason[512];
    decision_reason(&prog, &d, reason, sizeof reason);
    assert_non_null(strstr(reason, "asks about the person's other convictions, and working that out would take"));
    /* deciding a first conviction starts the steps afresh: the 11th conviction is found in 10 */
    add(&p, "HS 11357");
    vm_decide(&vm, &p, 0, &d);
    assert_int_equal(d.outcome, OUT_GRANTED);
    /* with steps enough, no conviction of the person is left to review */
    vm.steps_per_person = 1000;
    for (uint32_t i = 0; i < p.count; i++) {
        vm_decide(&vm, &p, i, &d);
        assert_false(d.unknown);
    }
    vm_free(&vm);
    person_free(&p);
    program_free(&prog);
    free(text);
}

static void ignore_note(void *ctx, uint32_t note, const struct value *a, const struct value *b,
                        const struct value *result)
{
    (void)ctx, (void)note, (void)a, (void)b, (void)result;
}

/*
 * lenity explain works out the right side of an `and` whose left side is
 * false (to show it), where run skips it.  Near the step limit that must not
 * cost steps run does not spend, or a later rule's question would run out of
 * them in explain only: explain and run give the same decisions.
 */
static void test_vm_explain_spends_the_steps_run_spends(void **state)
{
    (void)state;
    const char *text = HEADER OUTCOMES
        "rule skipped when county is \"nowhere\" and any other conviction where citation in HS 11357\n"
        "  then refused because \"never\" citing HS 1\n"
        "rule asked when any other conviction where citation in PC 459\n"
        "  then granted because \"another burglary\" citing HS 1\n"
        "otherwise refused because \"none\" citing HS 1\n";
    struct program prog;
    compile_ok(text, false, &prog);
    struct person p;
    new_person(&p, "P1");
    for (int i = 0; i < 10; i++)
        set_county(&p, add(&p, "PC 459"), "Los Angeles"); /* the left side is false for each */
    struct vm run, explain;
    assert_true(vm_init(&run, &prog));
    assert_true(vm_init(&explain, &prog));
    run.steps_per_person = explain.steps_per_person = 25; /* two convictions' questions, not three */
    explain.note = ignore_note;
    for (uint32_t i = 0; i < p.count; i++) {
        struct decision a, b;
        vm_decide(&run, &p, i, &a);
        vm_decide(&explain, &p, i, &b);
        assert_int_equal(a.outcome, OUT_GRANTED); /* 1 step a conviction: run has room for all */
        assert_false(a.unknown);
        assert_int_equal(b.outcome, a.outcome);
        assert_int_equal(b.unknown, a.unknown);
        assert_int_equal(b.rule, a.rule);
    }
    vm_free(&run);
    vm_free(&explain);
    person_free(&p);
    program_free(&prog);
}

/* ---- before / after / on or before / on or after ----------------------- */

static void test_vm_date_ordering(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    set_date(&p, i, 2016, 11, 9); /* the cutoff itself */
    assert_fails("disposition_date is before cutoff", &p, i);
    assert_holds("disposition_date is on or before cutoff", &p, i);
    assert_fails("disposition_date is after cutoff", &p, i);
    assert_holds("disposition_date is on or after cutoff", &p, i);
    set_date(&p, i, 2016, 11, 8);
    assert_holds("disposition_date is before cutoff", &p, i);
    assert_holds("disposition_date is on or before cutoff", &p, i);
    assert_fails("disposition_date is after cutoff", &p, i);
    assert_fails("disposition_date is on or after cutoff", &p, i);
    assert_holds("cutoff is after disposition_date", &p, i);
    set_date(&p, i, 2016, 11, 10);
    assert_fails("disposition_date is before cutoff", &p, i);
    assert_fails("disposition_date is on or before cutoff", &p, i);
    assert_holds("disposition_date is after cutoff", &p, i);
    assert_holds("disposition_date is on or after cutoff", &p, i);
    assert_holds("person.date_of_birth is before disposition_date", &p, i);

    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is before cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is on or before cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is after cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is on or after cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("cutoff is before disposition_date", &p, i, FACT_DISPOSITION_DATE);
    person_free(&p);
}

/* The first unknown operand names the missing fact. */
static void test_vm_comparison_names_first_unknown_operand(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("disposition_date is after person.date_of_birth", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("person.date_of_birth is before disposition_date", &p, i, FACT_DATE_OF_BIRTH);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date is after person.date_of_birth", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("person.date_of_birth is before disposition_date", &p, i, FACT_DATE_OF_BIRTH);
    forget(&p, i, FACT_SENTENCE);
    assert_unknown("sentence is at least span", &p, i, FACT_SENTENCE);
    assert_unknown("span is at most sentence", &p, i, FACT_SENTENCE);
    person_free(&p);
}

/* ---- less than / more than / at least / at most ------------------------ */

static void test_vm_number_ordering(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-2");
    born(&p, 1990, 5, 1);
    uint32_t i = add(&p, "HS 11357(b)");
    set_date(&p, i, 2011, 5, 1); /* 21 that day */
    assert_holds("age_at_conviction is 21", &p, i);
    assert_fails("age_at_conviction is less than n", &p, i);
    assert_holds("age_at_conviction is at most n", &p, i);
    assert_fails("age_at_conviction is more than n", &p, i);
    assert_holds("age_at_conviction is at least n", &p, i);
    set_date(&p, i, 2011, 4, 30); /* still 20 */
    assert_holds("age_at_conviction is less than n", &p, i);
    assert_holds("age_at_conviction is at most n", &p, i);
    assert_fails("age_at_conviction is more than n", &p, i);
    assert_fails("age_at_conviction is at least n", &p, i);
    assert_holds("n is more than age_at_conviction", &p, i);
    set_date(&p, i, 2012, 5, 1); /* 22 */
    assert_fails("age_at_conviction is less than n", &p, i);
    assert_fails("age_at_conviction is at most n", &p, i);
    assert_holds("age_at_conviction is more than n", &p, i);
    assert_holds("age_at_conviction is at least n", &p, i);

    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is less than n", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is more than n", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is at least n", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is at most n", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("n is at most age_at_conviction", &p, i, FACT_DATE_OF_BIRTH);
    person_free(&p);
}

static void test_vm_duration_ordering(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    set_sentence(&p, i, 12, 0);
    assert_holds("sentence is span", &p, i);
    assert_holds("sentence is 12 months", &p, i);
    assert_fails("sentence is less than span", &p, i);
    assert_holds("sentence is at most span", &p, i);
    assert_fails("sentence is more than span", &p, i);
    assert_holds("sentence is at least span", &p, i);
    assert_holds("sentence is less than 2 years 6 months", &p, i);
    assert_holds("sentence is more than 364 days", &p, i);
    assert_holds("sentence is less than 1 year 1 day", &p, i);
    set_sentence(&p, i, 0, 30);
    assert_holds("sentence is less than 6 months", &p, i);
    assert_fails("sentence is at least 1 month", &p, i); /* January, from the 1970-01-01 anchor: 31 days */
    forget(&p, i, FACT_SENTENCE);
    assert_unknown("sentence is less than span", &p, i, FACT_SENTENCE);
    assert_unknown("sentence is more than span", &p, i, FACT_SENTENCE);
    assert_unknown("sentence is at least span", &p, i, FACT_SENTENCE);
    assert_unknown("sentence is at most span", &p, i, FACT_SENTENCE);
    person_free(&p);
}

/* ---- is known, is unknown ---------------------------------------------- */

static void test_vm_is_known_is_never_unknown(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    assert_holds("level is known", &p, i);
    assert_fails("level is unknown", &p, i);
    assert_holds("age_at_conviction is known", &p, i);
    assert_holds("disposition_date + 10 years is known", &p, i);
    assert_holds("2016-01-01 is known", &p, i);
    assert_fails("cutoff is unknown", &p, i);
    assert_holds("person.date_of_birth is known", &p, i);
    forget(&p, i, FACT_LEVEL);
    assert_fails("level is known", &p, i);
    assert_holds("level is unknown", &p, i);
    assert_holds("not level is known", &p, i);
    assert_holds("level is unknown and t", &p, i);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_fails("age_at_conviction is known", &p, i);
    assert_holds("disposition_date + 10 years is unknown", &p, i);
    assert_holds("age at disposition_date is unknown", &p, i);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_holds("person.date_of_birth is unknown", &p, i);
    forget(&p, i, FACT_CITATION);
    assert_holds("citation is unknown", &p, i);
    person_free(&p);
}

/* ---- in set, in citation, not in --------------------------------------- */

static void test_vm_in_set(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-3");
    uint32_t pot = add(&p, "HS 11357(b)(2)");
    uint32_t murder = add(&p, "PC 187");
    assert_holds("citation in pot", &p, pot);
    assert_fails("citation not in pot", &p, pot);
    assert_fails("citation in pot", &p, murder);
    assert_holds("citation not in pot", &p, murder);
    assert_holds("citation in { PC 187, HS 11359 }", &p, murder);
    assert_fails("citation in { PC 187(a), HS 11359 }", &p, murder);
    assert_fails("citation in { PC 187, HS 11359 }", &p, pot);
    assert_holds("citation in { HS 11357(b) }", &p, pot);
    assert_fails("citation in { HS 11357(a) }", &p, pot);
    forget(&p, pot, FACT_CITATION);
    assert_unknown("citation in pot", &p, pot, FACT_CITATION);
    assert_unknown("citation not in pot", &p, pot, FACT_CITATION);
    assert_unknown("citation in { PC 187 }", &p, pot, FACT_CITATION);
    person_free(&p);
}

/*
 * The VM keeps the hashes of the citation it asked a set about last, by its
 * address.  A reader hands the VM one person after another in the same
 * memory, so one VM deciding a conviction rewritten in place must see the
 * new citation, in sets and in tables alike.
 */
static void test_vm_in_set_sees_a_citation_rewritten_in_place(void **state)
{
    (void)state;
    char *text = policy_text(NULL, "citation in pot and citation in { HS 11357 }");
    struct program prog;
    compile_ok(text, false, &prog);
    free(text);
    struct vm vm;
    assert_true(vm_init(&vm, &prog));
    struct person p;
    new_person(&p, "P-3b");
    uint32_t i = add(&p, "PC 187");
    /* a stale hash sends a lookup to the wrong slot: a member after a non-member is the telling case */
    static const char *const seq[] = {"PC 187", "HS 11357(b)(2)", "HS 11358", "HS 11357", "PC 11357", "HS 11357(a)"};
    static const enum tri want[] = {FALSE3, TRUE3, FALSE3, TRUE3, FALSE3, TRUE3};
    for (size_t k = 0; k < sizeof seq / sizeof seq[0]; k++) {
        assert_true(citation_parse(seq[k], strlen(seq[k]), &p.convictions[i].citation, NULL));
        struct decision d;
        vm_decide(&vm, &p, i, &d);
        enum tri got = classify(__FILE__, __LINE__, seq[k], &prog, &d);
        if (got != want[k])
            fail_msg("conviction rewritten to %s: 'citation in pot' is %s, expected %s", seq[k], tri_words(got),
                     tri_words(want[k]));
    }
    vm_free(&vm);
    person_free(&p);
    program_free(&prog);
}

static void test_vm_in_citation_follows_nesting(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-4");
    uint32_t i = add(&p, "HS 11357(b)(2)");
    assert_holds("citation in HS 11357", &p, i);
    assert_holds("citation in HS 11357(b)", &p, i);
    assert_holds("citation in HS 11357(b)(2)", &p, i);
    assert_holds("citation in law", &p, i);
    assert_fails("citation in HS 11357(a)", &p, i);
    assert_fails("citation in HS 11357(b)(2)(A)", &p, i); /* narrower than the conviction */
    assert_fails("citation in HS 1135", &p, i);           /* a byte prefix is not a section */
    assert_fails("citation in PC 11357", &p, i);          /* another code */
    assert_fails("citation not in HS 11357", &p, i);
    assert_holds("citation not in HS 11358", &p, i);
    /* the citation fact on the right: is HS 11357 covered by the conviction's citation? */
    assert_fails("law in citation", &p, i);
    forget(&p, i, FACT_CITATION);
    assert_unknown("citation in HS 11357", &p, i, FACT_CITATION);
    assert_unknown("citation not in HS 11357", &p, i, FACT_CITATION);
    assert_unknown("law in citation", &p, i, FACT_CITATION);
    person_free(&p);
}

/* 'is' is exact-subsection equality; 'in' follows nesting. */
static void test_vm_citation_is_versus_in(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-5");
    uint32_t i = add(&p, "hs 11357(B)"); /* canonical: HS 11357(b) */
    assert_fails("citation is HS 11357", &p, i);
    assert_holds("citation in HS 11357", &p, i);
    assert_holds("citation is HS 11357(b)", &p, i);
    assert_holds("citation is HS 11357(B)", &p, i);
    assert_holds("citation in HS 11357(b)", &p, i);
    assert_fails("citation is law", &p, i);
    assert_holds("citation in law", &p, i);
    uint32_t j = add(&p, "HS 11357");
    assert_holds("citation is law", &p, j);
    assert_holds("citation in law", &p, j);
    assert_fails("citation in HS 11357(b)", &p, j); /* the section is not inside its subsection */
    assert_fails("citation is HS 11357(b)", &p, j);
    person_free(&p);
}

/* ---- arithmetic -------------------------------------------------------- */

static void test_vm_date_plus_and_minus_duration(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* on 2010-05-01, sentence 6 months */
    assert_holds("disposition_date + 10 years is 2020-05-01", &p, i);
    assert_holds("disposition_date + 10 years is after cutoff", &p, i);
    assert_holds("disposition_date + span is 2011-05-01", &p, i);
    assert_holds("disposition_date + 30 days is 2010-05-31", &p, i);
    assert_holds("disposition_date + 2 years 6 months is 2012-11-01", &p, i);
    assert_holds("disposition_date + sentence is 2010-11-01", &p, i);
    assert_holds("disposition_date - 6 months is 2009-11-01", &p, i);
    assert_holds("disposition_date - 1 day is 2010-04-30", &p, i);
    assert_holds("cutoff - span is 2015-11-09", &p, i);
    assert_holds("disposition_date + 1 year - 1 year is disposition_date", &p, i);
    forget(&p, i, FACT_SENTENCE);
    assert_unknown("disposition_date + sentence is before cutoff", &p, i, FACT_SENTENCE);
    assert_unknown("2010-01-01 + sentence is before cutoff", &p, i, FACT_SENTENCE);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date + 10 years is before cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date - 10 years is before cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("disposition_date + sentence is before cutoff", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("cutoff is after disposition_date + span", &p, i, FACT_DISPOSITION_DATE);
    person_free(&p);
}

static void test_vm_number_plus_and_minus_number(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* 30 at conviction */
    assert_holds("age_at_conviction + 1 is 31", &p, i);
    assert_holds("age_at_conviction - 30 is 0", &p, i);
    assert_holds("age_at_conviction - n is 9", &p, i);
    assert_holds("n + n is 42", &p, i);
    assert_holds("n - n + 1 is 1", &p, i);
    assert_holds("1 + 2 is 3", &p, i);
    assert_holds("n - 22 is less than 0", &p, i);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("age_at_conviction + 1 is 31", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("1 + age_at_conviction is 31", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("n - age_at_conviction is at least 0", &p, i, FACT_DISPOSITION_DATE);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction - 1 is 29", &p, i, FACT_DATE_OF_BIRTH);
    person_free(&p);
}

/*
 * A sum too large for 64 bits is unknown, never wrapped around.  A policy
 * cannot reach the limit (numbers have at most 15 digits and expressions
 * are bounded in depth), so this program is assembled by hand.
 */
static struct decision arithmetic(enum opcode op, int64_t a, int64_t b)
{
    struct bcasm as;
    bcasm_init(&as);
    uint32_t yes = bcasm_rule(&as, "positive", BCASM_RELIEF, 1);
    uint32_t no = bcasm_rule(&as, "otherwise", BCASM_NO_RELIEF, 2);
    uint32_t ka = bcasm_const_number(&as, a), kb = bcasm_const_number(&as, b), zero = bcasm_const_number(&as, 0);
    bcasm_function(&as, FUNCTION_MAIN);
    bcasm_emit(&as, OP_CONST, 0, 0, ka);
    bcasm_emit(&as, OP_CONST, 0, 0, kb);
    bcasm_emit(&as, op, 0, 0, 0);
    bcasm_emit(&as, OP_CONST, 0, 0, zero);
    bcasm_emit(&as, OP_GT, TYPE_NUMBER, 0, 0);
    bcasm_test_rule(&as, yes);
    bcasm_emit(&as, OP_DECIDE, 0, (uint16_t)no, 0);
    struct program *prog = bcasm_finish(&as);
    char err[256];
    if (!verify_program(prog, err, sizeof err))
        fail_msg("hand-built program refused: %s", err);
    struct person p;
    new_person(&p, "P-arith");
    add(&p, "HS 11357");
    struct decision d;
    decide_ok(prog, &p, 0, &d);
    person_free(&p);
    bcasm_free(&as);
    return d;
}

static void test_vm_number_overflow_is_unknown(void **state)
{
    (void)state;
    struct decision d = arithmetic(OP_ADD, INT64_MAX - 1, 1);
    assert_int_equal(d.outcome, BCASM_RELIEF);
    assert_false(d.unknown);
    d = arithmetic(OP_ADD, INT64_MAX, 1);
    assert_int_equal(d.outcome, BCASM_REVIEW);
    assert_true(d.unknown);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.missing_fact, FACT_NONE);
    d = arithmetic(OP_SUB, INT64_MIN, 1);
    assert_int_equal(d.outcome, BCASM_REVIEW);
    assert_true(d.unknown);
    d = arithmetic(OP_SUB, 0, INT64_MIN); /* -INT64_MIN does not fit either */
    assert_int_equal(d.outcome, BCASM_REVIEW);
    assert_true(d.unknown);
    d = arithmetic(OP_SUB, 5, 3);
    assert_int_equal(d.outcome, BCASM_RELIEF);
    d = arithmetic(OP_SUB, 3, 5);
    assert_int_equal(d.outcome, BCASM_NO_RELIEF);
    assert_false(d.unknown);
}

static void test_vm_years_between(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* born 1980-01-01, conviction 2010-05-01 */
    assert_holds("years between person.date_of_birth and disposition_date is 30", &p, i);
    assert_holds("years between disposition_date and cutoff is 6", &p, i);
    assert_holds("years between 2010-05-01 and 2011-04-30 is 0", &p, i);
    assert_holds("years between disposition_date and person.date_of_birth is less than 0", &p, i);
    assert_holds("years between disposition_date and disposition_date is 0", &p, i);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("years between person.date_of_birth and disposition_date is 30", &p, i, FACT_DISPOSITION_DATE);
    assert_unknown("years between disposition_date and cutoff is 6", &p, i, FACT_DISPOSITION_DATE);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("years between person.date_of_birth and disposition_date is 30", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("years between disposition_date and person.date_of_birth is 30", &p, i, FACT_DISPOSITION_DATE);
    person_free(&p);
}

static void test_vm_age_at(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* born 1980-01-01 */
    assert_holds("age at disposition_date is 30", &p, i);
    assert_holds("age at 2000-01-01 is 20", &p, i);
    assert_holds("age at 1999-12-31 is 19", &p, i);
    assert_holds("age at cutoff is 36", &p, i);
    assert_holds("age at (disposition_date + 1 year) is 31", &p, i);
    /* the date missing: named */
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("age at disposition_date is 30", &p, i, FACT_DISPOSITION_DATE);
    assert_holds("age at cutoff is 36", &p, i);
    /* the birth date missing: named, whatever the date */
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("age at disposition_date is 30", &p, i, FACT_DATE_OF_BIRTH);
    assert_unknown("age at cutoff is 36", &p, i, FACT_DATE_OF_BIRTH);
    set_date(&p, i, 2010, 5, 1);
    assert_unknown("age at disposition_date is at least 18", &p, i, FACT_DATE_OF_BIRTH);
    person_free(&p);
}

static void test_vm_age_at_conviction_names_the_missing_date(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    assert_holds("age_at_conviction is at least 18", &p, i);
    forget(&p, i, FACT_DISPOSITION_DATE);
    assert_unknown("age_at_conviction is at least 18", &p, i, FACT_DISPOSITION_DATE);
    p.known &= ~(1u << FACT_DATE_OF_BIRTH);
    assert_unknown("age_at_conviction is at least 18", &p, i, FACT_DATE_OF_BIRTH);
    set_date(&p, i, 2010, 5, 1);
    assert_unknown("age_at_conviction is at least 18", &p, i, FACT_DATE_OF_BIRTH);
    person_free(&p);
}

/* ---- the month-end rule on leap days ---------------------------------- */

static void test_vm_leap_day_birthday_age_at(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-6");
    born(&p, 2000, 2, 29);
    uint32_t i = add(&p, "HS 11357(b)");
    set_date(&p, i, 2018, 2, 28);
    const char *down = "missing day rounds down";
    const char *up = "missing day rounds up";
    /* rounds down: 18 on 28 February 2018 */
    assert_cond_with(down, "age at 2018-02-28 is at least 18", &p, i, TRUE3);
    assert_cond_with(down, "age at 2018-02-27 is at least 18", &p, i, FALSE3);
    assert_cond_with(down, "age_at_conviction is 18", &p, i, TRUE3);
    assert_cond_with(down, "years between person.date_of_birth and 2018-02-28 is 18", &p, i, TRUE3);
    /* the default is rounding down */
    assert_cond_with(NULL, "age at 2018-02-28 is 18", &p, i, TRUE3);
    /* rounds up: not until 1 March 2018 */
    assert_cond_with(up, "age at 2018-02-28 is at least 18", &p, i, FALSE3);
    assert_cond_with(up, "age at 2018-02-28 is 17", &p, i, TRUE3);
    assert_cond_with(up, "age at 2018-03-01 is 18", &p, i, TRUE3);
    assert_cond_with(up, "age_at_conviction is 17", &p, i, TRUE3);
    assert_cond_with(up, "years between person.date_of_birth and 2018-02-28 is 17", &p, i, TRUE3);
    /* in a leap year both rules agree */
    assert_cond_with(down, "age at 2020-02-29 is 20", &p, i, TRUE3);
    assert_cond_with(up, "age at 2020-02-29 is 20", &p, i, TRUE3);
    assert_cond_with(up, "age at 2020-02-28 is 19", &p, i, TRUE3);
    person_free(&p);
}

static void test_vm_leap_day_date_plus_one_year(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-7");
    uint32_t i = add(&p, "HS 11357(b)");
    set_date(&p, i, 2016, 2, 29);
    const char *down = "missing day rounds down";
    const char *up = "missing day rounds up";
    /* through the VM (a fact) and through the optimizer's folding (literals) */
    assert_cond_with(down, "disposition_date + 1 year is 2017-02-28", &p, i, TRUE3);
    assert_cond_with(down, "2016-02-29 + 1 year is 2017-02-28", &p, i, TRUE3);
    assert_cond_with(down, "2016-02-29 + 12 months is 2017-02-28", &p, i, TRUE3);
    assert_cond_with(up, "disposition_date + 1 year is 2017-03-01", &p, i, TRUE3);
    assert_cond_with(up, "2016-02-29 + 1 year is 2017-03-01", &p, i, TRUE3);
    assert_cond_with(up, "disposition_date + 1 year is 2017-02-28", &p, i, FALSE3);
    assert_cond_with(NULL, "disposition_date + 1 year is 2017-02-28", &p, i, TRUE3);
    assert_cond_with(down, "disposition_date + 4 years is 2020-02-29", &p, i, TRUE3);
    assert_cond_with(up, "disposition_date + 4 years is 2020-02-29", &p, i, TRUE3);
    assert_cond_with(down, "disposition_date - 1 year is 2015-02-28", &p, i, TRUE3);
    assert_cond_with(up, "disposition_date - 1 year is 2015-03-01", &p, i, TRUE3);
    person_free(&p);
}

/* ---- aggregates -------------------------------------------------------- */

/* Three convictions: 0 the one decided (misdemeanor), 1 with no level, 2 a misdemeanor. */
static void three_convictions(struct person *p)
{
    new_person(p, "P-8");
    born(p, 1970, 1, 1);
    uint32_t a = add(p, "HS 11357(b)");
    set_level(p, a, LEVEL_MISDEMEANOR);
    set_date(p, a, 2010, 1, 1);
    uint32_t b = add(p, "PC 187");
    set_date(p, b, 1995, 3, 4);
    uint32_t c = add(p, "PC 459");
    set_level(p, c, LEVEL_MISDEMEANOR);
    set_date(p, c, 2001, 6, 7);
}

static void test_vm_any_and_no(void **state)
{
    (void)state;
    struct person p;
    three_convictions(&p);
    /* one condition unknown, none true: unknown */
    assert_unknown("any conviction where level is felony", &p, 0, FACT_LEVEL);
    assert_unknown("no conviction where level is felony", &p, 0, FACT_LEVEL);
    /* one true decides, whatever the unknowns */
    assert_holds("any conviction where citation in PC 187", &p, 0);
    assert_fails("no conviction where citation in PC 187", &p, 0);
    set_level(&p, 2, LEVEL_FELONY);
    assert_holds("any conviction where level is felony", &p, 0);
    assert_fails("no conviction where level is felony", &p, 0);
    /* every condition known and false: false */
    set_level(&p, 1, LEVEL_MISDEMEANOR);
    set_level(&p, 2, LEVEL_MISDEMEANOR);
    assert_fails("any conviction where level is felony", &p, 0);
    assert_holds("no conviction where level is felony", &p, 0);
    /* no 'where' clause matches nothing more than it should: this one is true for all */
    assert_holds("any conviction where t", &p, 0);
    assert_fails("any conviction where f", &p, 0);
    person_free(&p);
}

static void test_vm_any_other_skips_the_decided_conviction(void **state)
{
    (void)state;
    struct person p;
    three_convictions(&p);
    /* deciding PC 187 itself: 'other' leaves it out */
    assert_holds("any conviction where citation in PC 187", &p, 1);
    assert_fails("any other conviction where citation in PC 187", &p, 1);
    assert_holds("no other conviction where citation in PC 187", &p, 1);
    /* deciding another conviction: PC 187 is one of the others */
    assert_holds("any other conviction where citation in PC 187", &p, 0);
    assert_fails("no other conviction where citation in PC 187", &p, 0);
    set_level(&p, 0, LEVEL_FELONY);
    assert_unknown("any other conviction where level is felony", &p, 0, FACT_LEVEL); /* #1 unknown, #2 not */
    assert_holds("any other conviction where level is felony", &p, 1);
    /* the decided conviction's own unknown does not count when it is left out */
    set_level(&p, 0, LEVEL_MISDEMEANOR);
    assert_fails("any other conviction where level is felony", &p, 1);
    assert_unknown("any conviction where level is felony", &p, 1, FACT_LEVEL);
    person_free(&p);
}

/* Bare names inside 'where' are the conviction examined; conviction.X is the one decided. */
static void test_vm_where_reads_examined_conviction(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, "P-9");
    uint32_t a = add(&p, "HS 11359");
    set_level(&p, a, LEVEL_FELONY);
    set_county(&p, a, "Orange");
    uint32_t b = add(&p, "PC 459");
    set_level(&p, b, LEVEL_MISDEMEANOR);
    set_county(&p, b, "ORANGE");
    uint32_t c = add(&p, "PC 460");
    set_level(&p, c, LEVEL_FELONY);
    set_county(&p, c, "Kern");
    assert_holds("count of other convictions where level is conviction.level is 1", &p, a);
    assert_holds("count of convictions where level is conviction.level is 2", &p, a);
    assert_holds("count of convictions where level is conviction.level is 1", &p, b);
    assert_holds("any other conviction where county is conviction.county", &p, a);
    assert_fails("any other conviction where county is conviction.county", &p, c);
    assert_holds("any other conviction where citation in HS 11359 and conviction.citation in PC 459", &p, b);
    forget(&p, b, FACT_LEVEL);
    /* conviction.level unknown makes every comparison in the aggregate unknown */
    assert_unknown("any other conviction where level is conviction.level", &p, b, FACT_LEVEL);
    person_free(&p);
}

static void test_vm_count(void **state)
{
    (void)state;
    struct person p;
    three_convictions(&p);
    set_level(&p, 1, LEVEL_FELONY);
    set_level(&p, 2, LEVEL_FELONY);
    assert_holds("count of convictions where level is felony is 2", &p, 0);
    assert_holds("count of convictions where level is felony is at least 2", &p, 0);
    assert_fails("count of convictions where level is felony is more than 2", &p, 0);
    assert_holds("count of other convictions where level is felony is 1", &p, 1);
    assert_holds("count of other convictions where level is felony is 2", &p, 0);
    assert_holds("count of convictions where citation in HS 11360 is 0", &p, 0);
    /* a bare name after 'where' would take 'is 3' into the condition: parenthesize */
    assert_holds("(count of convictions where t) is 3", &p, 0);
    /* 'where' takes the 'and': both conditions count together */
    assert_holds("count of convictions where level is felony and citation in PC 187 is 1", &p, 0);
    /* an unknown condition makes the count unknown: it could be one more */
    forget(&p, 2, FACT_LEVEL);
    assert_unknown("count of convictions where level is felony is 1", &p, 0, FACT_LEVEL);
    assert_unknown("count of convictions where level is felony is at least 1", &p, 0, FACT_LEVEL);
    assert_fails("count of convictions where level is felony is known", &p, 0);
    assert_holds("count of convictions where citation in PC 187 is 1", &p, 0);
    person_free(&p);
}

static void test_vm_latest_and_earliest(void **state)
{
    (void)state;
    struct person p;
    three_convictions(&p); /* dates 2010-01-01, 1995-03-04, 2001-06-07 */
    uint32_t d = add(&p, "PC 459");
    set_level(&p, d, LEVEL_FELONY);
    set_date(&p, d, 1999, 9, 9);
    set_level(&p, 1, LEVEL_FELONY);
    assert_holds("latest disposition_date of convictions is 2010-01-01", &p, 0);
    assert_holds("earliest disposition_date of convictions is 1995-03-04", &p, 0);
    assert_holds("latest disposition_date of other convictions is 2001-06-07", &p, 0);
    assert_holds("earliest disposition_date of other convictions is 1999-09-09", &p, 1);
    assert_holds("latest disposition_date of convictions where level is felony is 1999-09-09", &p, 0);
    assert_holds("earliest disposition_date of convictions where level is felony is 1995-03-04", &p, 0);
    assert_holds("latest disposition_date of convictions where citation in PC 459 is 2001-06-07", &p, 0);
    assert_holds("latest disposition_date of convictions where level is felony is before cutoff", &p, 0);
    /* no match: unknown, which 'is known' can test */
    assert_fails("latest disposition_date of convictions where level is infraction is known", &p, 0);
    assert_unknown("latest disposition_date of convictions where level is infraction is before cutoff", &p, 0,
                   FACT_NONE);
    assert_unknown("earliest disposition_date of other convictions where citation in HS 11357 is before cutoff",
                   &p, 0, FACT_NONE);
    /* a match without a date: unknown, naming the date */
    forget(&p, d, FACT_DISPOSITION_DATE);
    assert_unknown("latest disposition_date of convictions where level is felony is 1995-03-04", &p, 0,
                   FACT_DISPOSITION_DATE);
    assert_unknown("earliest disposition_date of convictions where level is felony is 1995-03-04", &p, 0,
                   FACT_DISPOSITION_DATE);
    set_date(&p, d, 1999, 9, 9);
    /* an unknown condition: unknown, naming its fact */
    forget(&p, 2, FACT_LEVEL);
    assert_unknown("latest disposition_date of convictions where level is misdemeanor is 2010-01-01", &p, 0,
                   FACT_LEVEL);
    person_free(&p);
}

static void test_vm_nested_aggregate(void **state)
{
    (void)state;
    struct person p;
    three_convictions(&p);
    set_level(&p, 1, LEVEL_FELONY);
    assert_holds("any conviction where (count of convictions where level is felony is 1)", &p, 0);
    /*
     * Inside a condition, 'other' leaves out the conviction that condition
     * examines: each conviction but PC 187 itself has another that is PC 187,
     * whichever conviction is being decided.
     */
    assert_holds("(count of convictions where any other conviction where citation in PC 187) is 2", &p, 0);
    assert_holds("(count of convictions where any other conviction where citation in PC 187) is 2", &p, 1);
    forget(&p, 2, FACT_LEVEL);
    assert_unknown("any conviction where (count of convictions where level is felony is 1)", &p, 0, FACT_LEVEL);
    person_free(&p);
}

/* ---- rules: unless, order, review outcome, implicit otherwise ---------- */

static void test_vm_unless(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* felony, Los Angeles */
    const char *cond = "level is felony unless county is place";
    assert_fails(cond, &p, i);
    forget(&p, i, FACT_COUNTY);
    set_county(&p, i, "Orange");
    assert_holds(cond, &p, i);
    forget(&p, i, FACT_COUNTY);
    assert_unknown(cond, &p, i, FACT_COUNTY); /* true unless unknown */
    set_level(&p, i, LEVEL_MISDEMEANOR);
    assert_fails(cond, &p, i); /* false unless unknown */
    forget(&p, i, FACT_LEVEL);
    set_county(&p, i, "Los Angeles");
    assert_fails(cond, &p, i); /* unknown unless true */
    forget(&p, i, FACT_COUNTY);
    set_county(&p, i, "Kern");
    assert_unknown(cond, &p, i, FACT_LEVEL); /* unknown unless false */
    person_free(&p);
}

static const char *const ordered_policy =
    HEADER OUTCOMES STANDARD_DECLS
    "rule first when level is felony then granted because \"a\" citing HS 1\n"
    "rule second when county is place then refused because \"b\" citing HS 1\n"
    "rule third when t then granted because \"c\" citing HS 1\n"
    "otherwise refused because \"d\" citing HS 1\n";

/* Rules decide in order; an unknown one sends the conviction to review at once. */
static void test_vm_rules_decide_in_order(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    struct program prog;
    compile_ok(ordered_policy, false, &prog);
    struct decision d;
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.outcome, OUT_GRANTED);
    set_level(&p, i, LEVEL_MISDEMEANOR);
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 1);
    assert_int_equal(d.outcome, OUT_REFUSED);
    assert_false(d.unknown);
    /* the first rule unknown: review, although the third would grant */
    forget(&p, i, FACT_LEVEL);
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.outcome, OUT_FLAGGED);
    assert_true(d.unknown);
    assert_int_equal(d.missing_fact, FACT_LEVEL);
    /* the first false, the second unknown */
    set_level(&p, i, LEVEL_MISDEMEANOR);
    forget(&p, i, FACT_COUNTY);
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 1);
    assert_int_equal(d.outcome, OUT_FLAGGED);
    assert_true(d.unknown);
    assert_int_equal(d.missing_fact, FACT_COUNTY);
    /* both false: the third decides */
    set_county(&p, i, "Kern");
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 2);
    assert_int_equal(d.outcome, OUT_GRANTED);
    assert_false(d.unknown);
    program_free(&prog);
    person_free(&p);
}

/* The review outcome is the first one of kind review, not the last or one named "review". */
static void test_vm_unknown_gives_first_review_outcome(void **state)
{
    (void)state;
    static const char text[] =
        HEADER
        "outcome granted is relief\n"
        "outcome hand_check is review\n"
        "outcome refused is no relief\n"
        "outcome flagged is review\n"
        "rule r when level is felony then flagged because \"a\" citing HS 1\n"
        "otherwise refused because \"d\" citing HS 1\n";
    struct person p;
    uint32_t i = full_person(&p);
    forget(&p, i, FACT_LEVEL);
    struct program prog;
    compile_ok(text, false, &prog);
    assert_int_equal(prog.review_outcome, 1);
    struct decision d;
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 0);
    assert_int_equal(d.outcome, 1);
    assert_string_equal(program_str(&prog, prog.outcomes[d.outcome].name), "hand_check");
    assert_true(d.unknown);
    assert_int_equal(d.missing_fact, FACT_LEVEL);
    program_free(&prog);
    person_free(&p);
}

/* Without 'otherwise' a conviction no rule decides gets the review outcome, not marked unknown. */
static void test_vm_implicit_otherwise_gives_review(void **state)
{
    (void)state;
    static const char text[] =
        HEADER OUTCOMES
        "rule r when level is felony then granted because \"a\" citing HS 1\n";
    struct person p;
    uint32_t i = full_person(&p);
    set_level(&p, i, LEVEL_INFRACTION);
    struct program prog;
    compile_ok(text, false, &prog);
    assert_int_equal(prog.nrules, 2);
    struct decision d;
    decide_ok(&prog, &p, i, &d);
    assert_int_equal(d.rule, 1);
    assert_string_equal(program_str(&prog, prog.rules[d.rule].name), "otherwise");
    assert_int_equal(d.outcome, OUT_FLAGGED);
    assert_false(d.unknown);
    assert_int_equal(d.missing_fact, FACT_NONE);
    program_free(&prog);
    person_free(&p);
}

/* ---- parameters overridden at run time --------------------------------- */

struct running {
    struct program prog;
    struct vm vm;
};

static void start(struct running *r, const char *cond)
{
    char *text = policy_text(NULL, cond);
    compile_ok(text, false, &r->prog);
    free(text);
    assert_true(vm_init(&r->vm, &r->prog));
}

static uint32_t outcome_of(struct running *r, const struct person *p, uint32_t i)
{
    struct decision d;
    memset(&d, 0xA5, sizeof d);
    vm_decide(&r->vm, p, i, &d);
    return d.unknown ? OUT_FLAGGED + 100 : d.outcome;
}

static void stop(struct running *r)
{
    vm_free(&r->vm);
    program_free(&r->prog);
}

static void set_ok(struct running *r, const char *name, const char *value)
{
    char err[256] = "";
    if (!vm_set_param(&r->vm, name, value, err, sizeof err))
        fail_msg("--set %s=%s refused: %s", name, value, err);
}

static void test_vm_set_param_overrides_each_kind(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p); /* HS 11357(b) felony on 2010-05-01, 6 months, Los Angeles, age 30 */
    struct running r;

    start(&r, "disposition_date is before cutoff");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "cutoff", "2010-05-01");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "cutoff", "2010-05-02");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);

    start(&r, "age_at_conviction is at least n");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "n", "31");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "n", "30");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);

    start(&r, "sentence is at least span");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "span", "6 months");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "span", "1 year 1 day");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    stop(&r);

    start(&r, "t");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "t", "false");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "t", "yes");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "t", "no");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    stop(&r);

    start(&r, "citation in law");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "law", "HS 11357(a)");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "law", "hs 11357(B)");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);

    start(&r, "level is lvl");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "lvl", "Misdemeanor");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "lvl", "FELONY");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);

    start(&r, "county is place");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    set_ok(&r, "place", "Orange");
    assert_int_equal(outcome_of(&r, &p, i), OUT_REFUSED);
    set_ok(&r, "place", "los angeles");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);

    /* an overridden value is known: no review */
    forget(&p, i, FACT_DISPOSITION_DATE);
    start(&r, "cutoff is known");
    set_ok(&r, "cutoff", "2001-01-01");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    stop(&r);
    person_free(&p);
}

/* A refused value says what was expected, and leaves the parameter as it was. */
static void expect_refused(struct running *r, const char *name, const char *value, const char *message)
{
    char err[512];
    memset(err, 'x', sizeof err);
    err[sizeof err - 1] = '\0';
    if (vm_set_param(&r->vm, name, value, err, sizeof err))
        fail_msg("--set %s=%s was accepted", name, value);
    if (strcmp(err, message) != 0)
        fail_msg("--set %s=%s: message\n  '%s'\nexpected\n  '%s'", name, value, err, message);
}

static void test_vm_set_param_refuses_bad_values(void **state)
{
    (void)state;
    struct person p;
    uint32_t i = full_person(&p);
    struct running r;
    start(&r, "disposition_date is before cutoff and age_at_conviction is at least n and sentence is at most span "
              "and t and citation in law and level is lvl and county is place");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    expect_refused(&r, "cutoff", "2016-13-01",
                   "the parameter 'cutoff' needs a date written YYYY-MM-DD, e.g. 2016-11-09, not '2016-13-01'");
    expect_refused(&r, "cutoff", "11/09/2016",
                   "the parameter 'cutoff' needs a date written YYYY-MM-DD, e.g. 2016-11-09, not '11/09/2016'");
    expect_refused(&r, "n", "21x", "the parameter 'n' needs a whole number, e.g. 21, not '21x'");
    expect_refused(&r, "n", "", "the parameter 'n' needs a whole number, e.g. 21, not ''");
    expect_refused(&r, "n", "1234567890123456", "the parameter 'n' needs a whole number, e.g. 21, not '1234567890123456'");
    expect_refused(&r, "span", "ten years", "the parameter 'span' needs a duration, e.g. 10 years or 6 months, not 'ten years'");
    expect_refused(&r, "t", "maybe", "the parameter 't' needs true or false, not 'maybe'");
    expect_refused(&r, "law", "11357", "the parameter 'law' needs a citation, e.g. HS 11357(b), not '11357'");
    expect_refused(&r, "lvl", "felon", "the parameter 'lvl' needs felony, misdemeanor or infraction, not 'felon'");
    expect_refused(&r, "cutof", "2016-01-01",
                   "the policy has no parameter 'cutof'; its parameters are: t, f, n, big, cutoff, span, law, lvl, "
                   "place, age_law, lim");
    expect_refused(&r, "age_law", "18",
                   "the parameter 'age_law' has different values over time in the policy; a run cannot set it "
                   "(change the policy, or extend it with its own values)");
    /* nothing changed */
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    /* a failed citation after a good one keeps the good one */
    set_ok(&r, "law", "HS 11357(b)");
    expect_refused(&r, "law", "HS", "the parameter 'law' needs a citation, e.g. HS 11357(b), not 'HS'");
    assert_int_equal(outcome_of(&r, &p, i), OUT_GRANTED);
    /* a short error buffer is cut, never overrun */
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    assert_false(vm_set_param(&r.vm, "nope", "1", tiny, sizeof tiny));
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    stop(&r);
    person_free(&p);
}

/* ---- many convictions, one fixed VM ------------------------------------ */

static void test_vm_decides_ten_thousand_convictions_with_one_vm(void **state)
{
    (void)state;
    enum { N = 10000 };
    struct person p;
    new_person(&p, "P-many");
    born(&p, 1980, 1, 1);
    for (uint32_t k = 0; k < N; k++) {
        uint32_t i = add(&p, k % 3 == 0 ? "HS 11357(b)" : k % 3 == 1 ? "HS 11359" : "PC 459");
        if (k % 5 != 0)
            set_level(&p, i, k % 2 ? LEVEL_FELONY : LEVEL_MISDEMEANOR);
        set_date(&p, i, 2000 + (int)(k % 20), 1 + (int)(k % 12), 1 + (int)(k % 28));
    }
    assert_int_equal(p.count, N);
    struct running r;
    start(&r, "citation in pot and disposition_date is before cutoff and level is felony");
    const struct value *params = r.vm.params;
    uint32_t counts[3] = {0, 0, 0};
    for (uint32_t k = 0; k < N; k++) {
        struct decision d;
        memset(&d, 0xA5, sizeof d);
        vm_decide(&r.vm, &p, k, &d);
        const struct conviction *c = &p.convictions[k];
        bool pot = k % 3 != 2;
        bool early = c->disposition_date < ymd(2016, 11, 9);
        bool level_known = k % 5 != 0;
        bool felony = level_known && c->level == LEVEL_FELONY;
        if (pot && early && level_known && felony) {
            assert_int_equal(d.outcome, OUT_GRANTED);
            counts[0]++;
        } else if (!pot || !early || (level_known && !felony)) {
            assert_int_equal(d.outcome, OUT_REFUSED);
            assert_false(d.unknown);
            counts[1]++;
        } else {
            assert_int_equal(d.outcome, OUT_FLAGGED);
            assert_true(d.unknown);
            assert_int_equal(d.missing_fact, FACT_LEVEL);
            counts[2]++;
        }
    }
    assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
    assert_int_equal(counts[0] + counts[1] + counts[2], N);
    /* the VM did not move: same program, same parameter storage */
    assert_ptr_equal(r.vm.program, &r.prog);
    assert_ptr_equal(r.vm.params, params);
    stop(&r);

    /* an aggregate over all 10,000 */
    start(&r, "count of other convictions where citation in HS 11359 is 3333");
    assert_int_equal(outcome_of(&r, &p, 0), OUT_GRANTED); /* k % 3 == 1: 3,333 of them */
    assert_int_equal(outcome_of(&r, &p, 1), OUT_REFUSED); /* itself left out */
    stop(&r);
    person_free(&p);
}

/* ---- a column's when: only a known true takes the arm -------------------- */

/* The column's text for conviction 0 of a person with the county and case given (NULL: unknown). */
static void column_for(const struct program *p, const char *county, const char *case_id, char *out, size_t size)
{
    struct person person;
    new_person(&person, "P-1");
    uint32_t i = add(&person, "HS 11357");
    if (county)
        set_county(&person, i, county);
    if (case_id)
        set_case_id(&person, i, case_id);
    struct decision d;
    decide_ok(p, &person, i, &d);
    struct vm vm;
    assert_true(vm_init(&vm, p));
    const char *text = NULL;
    size_t len = 0;
    (void)vm_column(&vm, &person, i, &d, 0, &text, &len);
    snprintf(out, size, "%.*s", (int)len, text);
    vm_free(&vm);
    person_free(&person);
}

/*
 * Under a when's ands and ors an and stops once its left side is not a known
 * true (WHEN_AND_SKIP), leaving an unknown where the whole and may be false:
 * the arm is the same either way.  Under a not it must not: not (unknown and
 * false) is true.  Every case, optimized and not.
 */
static void test_vm_column_when_takes_only_a_known_true(void **state)
{
    (void)state;
    const char *text = HEADER OUTCOMES
        "rule r when county is \"never\" then refused because \"no\" citing HS 1\n"
        "otherwise granted because \"yes\" citing HS 1\n"
        "column \"c\" =\n"
        "  when (county is \"A\" and case_id is \"1\") or case_id is \"9\" then \"hit\"\n"
        "  when not (county is \"A\" and case_id is \"1\") then \"not-and\"\n"
        "  otherwise \"none\"\n";
    static const struct {
        const char *county, *case_id, *want;
    } cases[] = {
        {"A", "1", "hit"},        /* true and true */
        {NULL, "9", "hit"},       /* (unknown and false) or true */
        {NULL, "1", "none"},      /* (unknown and true) or false: unknown; not unknown: unknown */
        {"A", NULL, "none"},      /* (true and unknown) or unknown; not unknown */
        {NULL, "2", "not-and"},   /* (unknown and false) is false, so not ... is true */
        {"B", "1", "not-and"},    /* (false and true) or false; not false */
    };
    for (int opt = 0; opt < 2; opt++) {
        struct program p;
        compile_ok(text, opt == 0, &p);
        bool when_skip = false, and_skip = false;
        for (uint32_t k = 0; k < p.ncode; k++) {
            when_skip |= p.code[k].op == OP_WHEN_AND_SKIP;
            and_skip |= p.code[k].op == OP_AND_SKIP;
        }
        assert_true(when_skip); /* the first when's and */
        assert_true(and_skip);  /* the and under the not */
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            char got[32];
            column_for(&p, cases[c].county, cases[c].case_id, got, sizeof got);
            if (strcmp(got, cases[c].want) != 0)
                fail_msg("county %s, case %s (%s): got \"%s\", want \"%s\"", cases[c].county ? cases[c].county : "unknown",
                         cases[c].case_id ? cases[c].case_id : "unknown", opt ? "optimized" : "-O0", got,
                         cases[c].want);
        }
        program_free(&p);
    }
}

/*
 * A when of three tests or more that needs a fact to be true is passed over
 * at once when the fact is unknown (optimize.c's known_first): a check of the
 * fact, then the condition.  The columns must read the same with and without
 * it, for every mix of known and unknown facts; an `or` with a side that
 * needs nothing (here `county is unknown`), and a `not`, claim nothing.
 */
static void test_vm_column_checks_needed_facts_first(void **state)
{
    (void)state;
    const char *text = HEADER OUTCOMES
        "rule r when county is \"never\" then refused because \"no\" citing HS 1\n"
        "otherwise granted because \"yes\" citing HS 1\n"
        "column \"c\" =\n"
        "  when (county is \"A\" and case_id contains \"1\") or (county is \"B\" and case_id starts with \"2\")\n"
        "       or county contains \"Z\" then \"county\"\n"
        "  when case_id is \"5\" or case_id is \"6\" or case_id is \"7\" or county is unknown then \"or-unknown\"\n"
        "  when not (county is \"A\") and case_id is \"1\" and case_id is not \"2\" then \"not\"\n"
        "  when case_id is \"9\" and county is \"A\" and county is not \"B\" then \"both\"\n"
        "  otherwise \"none\"\n";
    static const char *const counties[] = {NULL, "A", "B", "Z1", "C"};
    static const char *const case_ids[] = {NULL, "1", "12", "2", "5", "9"};
    char got[2][sizeof counties / sizeof counties[0]][sizeof case_ids / sizeof case_ids[0]][32];
    for (int opt = 0; opt < 2; opt++) {
        struct program p;
        compile_ok(text, opt == 0, &p);
        /* the checks: county before the first arm; case_id and county before the last; none elsewhere */
        unsigned checks = 0;
        for (uint32_t k = 0; k < p.ncode; k++)
            checks += p.code[k].op == OP_IS_KNOWN;
        assert_int_equal(checks, opt ? 3 : 0);
        for (size_t c = 0; c < sizeof counties / sizeof counties[0]; c++)
            for (size_t k = 0; k < sizeof case_ids / sizeof case_ids[0]; k++)
                column_for(&p, counties[c], case_ids[k], got[opt][c][k], sizeof got[opt][c][k]);
        program_free(&p);
    }
    for (size_t c = 0; c < sizeof counties / sizeof counties[0]; c++)
        for (size_t k = 0; k < sizeof case_ids / sizeof case_ids[0]; k++)
            if (strcmp(got[0][c][k], got[1][c][k]) != 0)
                fail_msg("county %s, case %s: \"%s\" with -O0, \"%s\" optimized", counties[c] ? counties[c] : "unknown",
                         case_ids[k] ? case_ids[k] : "unknown", got[0][c][k], got[1][c][k]);
    assert_string_equal(got[1][1][1], "county");     /* A, 1 */
    assert_string_equal(got[1][0][1], "or-unknown"); /* unknown county: the second arm, by its last test */
    assert_string_equal(got[1][2][4], "or-unknown"); /* B, 5 */
    assert_string_equal(got[1][4][1], "not");        /* C, 1 */
    assert_string_equal(got[1][1][5], "both");       /* A, 9 */
    assert_string_equal(got[1][4][0], "none");       /* C, unknown case */
    assert_string_equal(got[1][3][0], "county");     /* Z1, unknown case: the first arm needs only the county */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm_rule_true_false_unknown),
        cmocka_unit_test(test_vm_dated_parameter_boundaries),
        cmocka_unit_test(test_vm_not),
        cmocka_unit_test(test_vm_and),
        cmocka_unit_test(test_vm_or),
        cmocka_unit_test(test_vm_is_and_is_not_on_every_type),
        cmocka_unit_test(test_vm_text_comparison_ignores_case),
        cmocka_unit_test(test_vm_contains_and_starts_with),
        cmocka_unit_test(test_vm_steps_per_person),
        cmocka_unit_test(test_vm_explain_spends_the_steps_run_spends),
        cmocka_unit_test(test_vm_date_ordering),
        cmocka_unit_test(test_vm_comparison_names_first_unknown_operand),
        cmocka_unit_test(test_vm_number_ordering),
        cmocka_unit_test(test_vm_duration_ordering),
        cmocka_unit_test(test_vm_is_known_is_never_unknown),
        cmocka_unit_test(test_vm_in_set),
        cmocka_unit_test(test_vm_in_set_sees_a_citation_rewritten_in_place),
        cmocka_unit_test(test_vm_in_citation_follows_nesting),
        cmocka_unit_test(test_vm_citation_is_versus_in),
        cmocka_unit_test(test_vm_date_plus_and_minus_duration),
        cmocka_unit_test(test_vm_number_plus_and_minus_number),
        cmocka_unit_test(test_vm_number_overflow_is_unknown),
        cmocka_unit_test(test_vm_years_between),
        cmocka_unit_test(test_vm_age_at),
        cmocka_unit_test(test_vm_age_at_conviction_names_the_missing_date),
        cmocka_unit_test(test_vm_leap_day_birthday_age_at),
        cmocka_unit_test(test_vm_leap_day_date_plus_one_year),
        cmocka_unit_test(test_vm_any_and_no),
        cmocka_unit_test(test_vm_any_other_skips_the_decided_conviction),
        cmocka_unit_test(test_vm_where_reads_examined_conviction),
        cmocka_unit_test(test_vm_count),
        cmocka_unit_test(test_vm_latest_and_earliest),
        cmocka_unit_test(test_vm_nested_aggregate),
        cmocka_unit_test(test_vm_unless),
        cmocka_unit_test(test_vm_rules_decide_in_order),
        cmocka_unit_test(test_vm_unknown_gives_first_review_outcome),
        cmocka_unit_test(test_vm_implicit_otherwise_gives_review),
        cmocka_unit_test(test_vm_set_param_overrides_each_kind),
        cmocka_unit_test(test_vm_set_param_refuses_bad_values),
        cmocka_unit_test(test_vm_decides_ten_thousand_convictions_with_one_vm),
        cmocka_unit_test(test_vm_column_when_takes_only_a_known_true),
        cmocka_unit_test(test_vm_column_checks_needed_facts_first),
    };
    return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
