/*
 * test_verify.c - one test per verifier rule (each builds a small program
 * that breaks exactly that rule and checks the whole message), and good
 * programs that must pass with the right proven stack depth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bcasm.h"
#include "person.h"
#include "verify.h"

/* Every test starts from the same tables, so indexes below are fixed. */
enum { R0 = 0, R_OTHER = 1 };
enum { K_TRUE, K_NUMBER, K_DATE, K_DURATION, K_TEXT, K_CIT, K_LEVEL, K_SET_TYPED };
enum { P_CUTOFF = 0 };
enum { S_MARIJUANA = 0 };

static void start(struct bcasm *a)
{
    static const char *const marijuana[] = {"HS 11357", "HS 11359"};
    bcasm_init(a);
    bcasm_rule(a, "r0", BCASM_RELIEF, 3);
    bcasm_rule(a, "otherwise", BCASM_NO_RELIEF, 9);
    bcasm_const_bool(a, true);
    bcasm_const_number(a, 7);
    bcasm_const_date(a, 2020, 1, 1);
    bcasm_const_duration(a, 12, 0);
    bcasm_const_text(a, "Los Angeles");
    bcasm_const_citation(a, "HS 11357");
    bcasm_const_level(a, LEVEL_FELONY);
    bcasm_param(a, "cutoff", K_DATE);
    bcasm_set(a, "marijuana", marijuana, 2);
}

/* main: a condition, its TEST_RULE, then `otherwise`. */
static void emit_rule_tail(struct bcasm *a)
{
    bcasm_test_rule(a, R0);
    bcasm_emit(a, OP_DECIDE, 0, R_OTHER, 0);
}

static void assert_rejects(struct bcasm *a, const char *expected)
{
    char err[512];
    struct program *p = &a->p;
    bool ok = verify_program(p, err, sizeof err);
    if (ok) {
        bcasm_free(a);
        fail_msg("the verifier accepted a program it should reject with \"%s\"", expected);
    }
    if (strcmp(err, expected) != 0)
        print_error("got:      %s\nexpected: %s\n", err, expected);
    assert_string_equal(err, expected);
    bcasm_free(a);
}

static void assert_accepts(struct bcasm *a)
{
    char err[512] = "";
    bool ok = verify_program(&a->p, err, sizeof err);
    if (!ok)
        print_error("rejected: %s\n", err);
    assert_true(ok);
}

/* ---- good programs ------------------------------------------------------ */

static void test_verify_accepts_minimal_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    a.p.max_stack = 99;
    assert_accepts(&a);
    assert_int_equal(a.p.max_stack, 0);
    assert_int_equal(a.p.functions[0].max_stack, 0);
    bcasm_free(&a);
}

static void test_verify_records_max_stack_of_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DATE);
    bcasm_emit(&a, OP_PARAM, 0, 0, P_CUTOFF);
    bcasm_emit(&a, OP_LT, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_accepts(&a);
    assert_int_equal(a.p.functions[0].max_stack, 2);
    assert_int_equal(a.p.max_stack, 2);
    bcasm_free(&a);
}

static void test_verify_counts_callee_frames_in_max_stack(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_ANY, AGG_SKIP_DECIDED, 0, 1); /* at depth 1, function 1 needs 2 */
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_CONST, 0, 0, K_LEVEL);
    bcasm_emit(&a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_accepts(&a);
    assert_int_equal(a.p.functions[1].max_stack, 2);
    assert_int_equal(a.p.functions[0].max_stack, 3);
    assert_int_equal(a.p.max_stack, 3);
    bcasm_free(&a);
}

static void test_verify_accepts_stack_exactly_at_limit(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    for (unsigned i = 0; i < PROGRAM_MAX_STACK; i++)
        bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    for (unsigned i = 1; i < PROGRAM_MAX_STACK; i++)
        bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_accepts(&a);
    assert_int_equal(a.p.max_stack, PROGRAM_MAX_STACK);
    bcasm_free(&a);
}

/* Uses every opcode with operands of the right types: the type rules accept
 * what the language needs, and no opcode lacks a verifier case. */
static void test_verify_accepts_every_opcode(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(&a, OP_IN_SET, 0, 0, S_MARIJUANA);
    uint32_t or_skip = bcasm_emit(&a, OP_OR_SKIP, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_CIT);
    bcasm_emit(&a, OP_IN_CITATION, 0, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    a.p.code[or_skip].c = a.p.ncode;
    bcasm_emit(&a, OP_NOT, 0, 0, 0);
    uint32_t and_skip = bcasm_emit(&a, OP_AND_SKIP, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_ADD, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_SUB, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_NE, TYPE_NUMBER, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    a.p.code[and_skip].c = a.p.ncode;
    uint32_t when_skip = bcasm_emit(&a, OP_WHEN_AND_SKIP, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_SENTENCE);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DURATION, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    a.p.code[when_skip].c = a.p.ncode;
    bcasm_emit(&a, OP_PERSON_FACT, 0, 0, FACT_DATE_OF_BIRTH);
    bcasm_emit(&a, OP_AGE_AT, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_LE, TYPE_NUMBER, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DURATION);
    bcasm_emit(&a, OP_DATE_ADD, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DURATION);
    bcasm_emit(&a, OP_DATE_SUB, 0, 0, 0);
    bcasm_emit(&a, OP_PARAM, 0, 0, P_CUTOFF);
    bcasm_emit(&a, OP_YEARS_BETWEEN, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_GT, TYPE_NUMBER, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_RUN_DATE, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_SENTENCE);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DURATION, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_COUNTY);
    bcasm_emit(&a, OP_IS_UNKNOWN, TYPE_TEXT, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_COUNTY);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_EQ, TYPE_TEXT, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    /* table 0: citations to levels */
    a.p.tables = calloc(1, sizeof *a.p.tables);
    a.p.ntables = 1;
    a.p.tables[0].name = bcasm_string(&a, "level_today");
    a.p.tables[0].type = TYPE_LEVEL;
    a.p.tables[0].values = calloc(1, sizeof *a.p.tables[0].values);
    a.p.tables[0].values[0] = K_LEVEL;
    struct citation key = bcasm_parse_citation("HS 11357", 0);
    assert_true(citation_set_build(&a.p.tables[0].keys, &key, 1));
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(&a, OP_TABLE, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_LEVEL);
    bcasm_emit(&a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    /* the cutoff as it was on the disposition date: one period, from 2016-11-09 on */
    a.p.periods = calloc(1, sizeof *a.p.periods);
    a.p.nperiods = 1;
    a.p.periods[0] = (struct program_period){.param = P_CUTOFF, .from = 0, .until = INT32_MAX, .value = K_DATE};
    a.p.params[P_CUTOFF].first_period = 0;
    a.p.params[P_CUTOFF].nperiods = 1;
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_PARAM_AT, 0, 0, P_CUTOFF);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_LT, TYPE_DATE, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_OFFENSE_TEXT);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_STARTS_WITH, 0, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_OFFENSE_TEXT);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_CONTAINS, 0, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    bcasm_emit(&a, OP_EARLIEST, 0, 0, 2);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DATE);
    bcasm_emit(&a, OP_LT, TYPE_DATE, 0, 0);
    bcasm_emit(&a, OP_OR, 0, 0, 0);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_COUNT, AGG_SKIP_DECIDED, 0, 1);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_GE, TYPE_NUMBER, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_LATEST, 0, 0, 2);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DATE);
    bcasm_emit(&a, OP_GE, TYPE_DATE, 0, 0);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_CONST, 0, 0, K_LEVEL);
    bcasm_emit(&a, OP_EQ, TYPE_LEVEL, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_function(&a, FUNCTION_DATE_OF);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    /* function 3: an output column, when/then/otherwise over every column opcode */
    bcasm_function(&a, FUNCTION_COLUMN);
    bcasm_emit(&a, OP_OUTCOME_IS, 0, 0, BCASM_RELIEF);
    uint32_t skip = bcasm_emit(&a, OP_JUMP_IF_FALSE, 0, 0, 0);
    bcasm_emit(&a, OP_REASON, 0, 0, 0);
    uint32_t done1 = bcasm_emit(&a, OP_JUMP, 0, 0, 0);
    a.p.code[skip].c = a.p.ncode;
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_LEVEL, 0, 0);
    uint32_t skip2 = bcasm_emit(&a, OP_JUMP_IF_FALSE, 0, 0, 0);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_FORMAT_DATE, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_CONTAINS, 0, 0, 0);
    bcasm_emit(&a, OP_TO_TEXT, TYPE_BOOL, 0, 0);
    uint32_t done2 = bcasm_emit(&a, OP_JUMP, 0, 0, 0);
    a.p.code[skip2].c = a.p.ncode;
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_RUN_DATE, 0, 0, 0);
    bcasm_emit(&a, OP_DECIMAL_YEARS, 0, 0, 0);
    bcasm_emit(&a, OP_JOIN, AGG_DISTINCT, 0, 4);
    a.p.code[done1].c = a.p.ncode;
    a.p.code[done2].c = a.p.ncode;
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    /* function 4: the texts the join collects */
    bcasm_function(&a, FUNCTION_TEXT_OF);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_COUNTY);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);

    bool used[OP__COUNT] = {false};
    for (uint32_t pc = 0; pc < a.p.ncode; pc++)
        used[a.p.code[pc].op] = true;
    for (unsigned op = 0; op < OP__COUNT; op++) {
        if (!used[op])
            print_error("opcode %s is not exercised\n", opcode_describe(op)->name);
        assert_true(used[op]);
    }
    assert_accepts(&a);
    assert_int_equal(a.p.functions[1].max_stack, 2);
    assert_int_equal(a.p.functions[2].max_stack, 2);
    assert_int_equal(a.p.max_stack, 3);
    bcasm_free(&a);
}

/* ---- tables and functions ----------------------------------------------- */

static void test_verify_rejects_program_without_functions(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: the program has no functions (function 0 must be main)");
}

static void test_verify_rejects_function_0_not_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0 must be the main function, but it is a condition function");
}

static void test_verify_rejects_second_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1 is a second main function (only function 0 may be main)");
}

static void test_verify_rejects_unknown_function_kind(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.functions[1].kind = 8;
    assert_rejects(&a, "verify: function 1 has unknown kind 8");
}

static void test_verify_rejects_empty_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1 is empty");
}

static void test_verify_rejects_function_past_end_of_code(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.functions[1].len = 10;
    assert_rejects(&a, "verify: function 1 has 10 instructions starting at 1, past the end of the code (3 "
                       "instructions)");
}

static void test_verify_rejects_overlapping_functions(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.functions[1].start = 2; /* shares main's DECIDE */
    a.p.functions[1].len = 3;
    assert_rejects(&a, "verify: function 1 overlaps function 0 at instruction 2");
}

static void test_verify_rejects_code_outside_every_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    a.p.functions[0].len = 1;
    assert_rejects(&a, "verify: instruction 1 belongs to no function");
}

static void test_verify_rejects_constant_of_unusable_type(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_const(&a, bcasm_value(TYPE_SET), UINT32_MAX);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: constant 7 has type 9 (set of citations), which no instruction can use");
}

static void test_verify_rejects_rule_with_missing_outcome(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    a.p.rules[R_OTHER].outcome = 3;
    assert_rejects(&a, "verify: rule 1 (otherwise) leads to outcome 3, but there are 3 outcomes");
}

static void test_verify_rejects_review_outcome_not_of_kind_review(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    a.p.review_outcome = BCASM_RELIEF;
    assert_rejects(&a, "verify: the review outcome 0 (relief) is of kind relief, not review");
}

static void test_verify_rejects_example_with_missing_outcome(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_example(&a, "possession", 20);
    struct program_example_conviction c;
    memset(&c, 0, sizeof c);
    c.line = 21;
    c.expect_outcome = 5;
    c.expect_rule = PROGRAM_NO_CONST;
    bcasm_example_conviction(&a, c);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: example conviction 0 (line 21) expects outcome 5, but there are 3 outcomes");
}

static void test_verify_rejects_example_with_missing_rule(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_example(&a, "possession", 20);
    struct program_example_conviction c;
    memset(&c, 0, sizeof c);
    c.line = 21;
    c.expect_rule = 2;
    bcasm_example_conviction(&a, c);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: example conviction 0 (line 21) expects rule 2, but there are 2 rules");
}

static void test_verify_rejects_example_past_its_convictions(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_example(&a, "possession", 20);
    bcasm_finish(&a);
    a.p.examples[0].count = 2;
    assert_rejects(&a, "verify: example 0 (possession) has 2 convictions starting at 0, but there are 0 example "
                       "convictions");
}

/* ---- one instruction at a time ------------------------------------------ */

static void test_verify_rejects_unknown_opcode(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, (enum opcode)200, 0, 0, 0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: unknown opcode 200");
}

static void test_verify_rejects_opcode_one_past_the_last(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP__COUNT, 0, 0, 0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    char expected[96];
    snprintf(expected, sizeof expected, "verify: function 0, instruction 0: unknown opcode %u", (unsigned)OP__COUNT);
    assert_rejects(&a, expected);
}

static void test_verify_rejects_nonzero_unused_operand(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_NOT, 0, 3, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: NOT does not use operand b, which must be 0 (found 3)");
}

static void test_verify_rejects_nonzero_a_on_const(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 1, 0, K_TRUE);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: CONST does not use operand a, which must be 0 (found 1)");
}

static void test_verify_rejects_constant_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, 7);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: constant 7 does not exist (the program has 7 constants)");
}

static void test_verify_rejects_parameter_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_PARAM, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a,
                   "verify: function 0, instruction 0: parameter 1 does not exist (the program has 1 parameters)");
}

static void test_verify_rejects_parameter_at_a_number(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_PARAM_AT, 0, 0, P_CUTOFF);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: PARAM_AT expects date as operand 1, found whole number");
}

static void test_verify_rejects_period_of_another_type(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    a.p.periods = calloc(1, sizeof *a.p.periods);
    a.p.nperiods = 1;
    a.p.periods[0] = (struct program_period){.param = P_CUTOFF, .from = INT32_MIN, .until = INT32_MAX, .value = K_NUMBER};
    a.p.params[P_CUTOFF].nperiods = 1;
    assert_rejects(&a, "verify: period 0 of a dated parameter does not fit its parameter");
}

static void test_verify_rejects_periods_of_another_parameter(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    a.p.params[P_CUTOFF].first_period = 1;
    a.p.params[P_CUTOFF].nperiods = 1;
    assert_rejects(&a, "verify: parameter 0's periods are out of range");
}

static void test_verify_accepts_eligible_from_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    uint32_t fn = bcasm_function(&a, FUNCTION_ELIGIBLE_FROM);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_SENTENCE_END);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DURATION);
    bcasm_emit(&a, OP_DATE_ADD, 0, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.rules[R0].eligible_from = fn;
    assert_accepts(&a);
    bcasm_free(&a);
}

/* A column on every row: a charge's facts and branches, as "Possible Other P64 Charges" needs. */
static uint32_t emit_row_column(struct bcasm *a, enum opcode first)
{
    uint32_t fn = bcasm_function(a, FUNCTION_ROW_COLUMN);
    bcasm_emit(a, first, 0, 0, first == OP_OUTCOME_IS ? BCASM_RELIEF : FACT_COMMENT_TEXT);
    if (first == OP_FACT) {
        bcasm_emit(a, OP_CONST, 0, 0, K_TEXT);
        bcasm_emit(a, OP_CONTAINS, 0, 0, 0);
    }
    uint32_t skip = bcasm_emit(a, OP_JUMP_IF_FALSE, 0, 0, 0);
    bcasm_emit(a, OP_FACT, 0, 0, FACT_COMMENT_TEXT);
    uint32_t done = bcasm_emit(a, OP_JUMP, 0, 0, 0);
    a->p.code[skip].c = a->p.ncode;
    bcasm_emit(a, OP_CONST, 0, 0, K_TEXT);
    a->p.code[done].c = a->p.ncode;
    bcasm_emit(a, OP_RETURN, 0, 0, 0);
    return fn;
}

static void test_verify_accepts_row_column(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    uint32_t fn = emit_row_column(&a, OP_FACT);
    bcasm_finish(&a);
    a.p.columns = calloc(1, sizeof *a.p.columns);
    assert_non_null(a.p.columns);
    a.p.ncolumns = 1;
    a.p.columns[0].function = fn;
    assert_accepts(&a);
    bcasm_free(&a);
}

/* Most rows have no decision: the VM gives a row column none, so it must not read one. */
static void test_verify_rejects_outcome_in_row_column(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    emit_row_column(&a, OP_OUTCOME_IS);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 1: OUTCOME_IS may only appear in the function of an output "
                       "column of decided convictions");
}

static void test_verify_rejects_eligible_from_returning_a_number(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    uint32_t fn = bcasm_function(&a, FUNCTION_ELIGIBLE_FROM);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.rules[R0].eligible_from = fn;
    assert_rejects(&a, "verify: function 1, instruction 4: RETURN from an eligible-from function needs the stack to be "
                       "[date], found [whole number]");
}

static void test_verify_rejects_eligible_from_naming_a_condition(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    uint32_t fn = bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    a.p.rules[R0].eligible_from = fn;
    assert_rejects(&a, "verify: rule 0's eligible-from date names function 1, which is not an eligible-from function");
}

/* `then relief and seal`: a rule with two outcomes of one kind. */
static void start_with_actions(struct bcasm *a, const uint32_t *list, uint32_t n)
{
    start(a);
    bcasm_outcome(a, "seal", OUTCOME_RELIEF); /* outcome 3 */
    bcasm_function(a, FUNCTION_MAIN);
    bcasm_emit(a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(a);
    bcasm_finish(a);
    bcasm_actions(a, R0, list, n);
}

static void test_verify_accepts_two_relief_actions(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, 3};
    start_with_actions(&a, list, 2);
    assert_accepts(&a);
    bcasm_free(&a);
}

static void test_verify_rejects_action_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, 7};
    start_with_actions(&a, list, 2);
    assert_rejects(&a, "verify: rule 0's outcome list names outcome 7, but there are 4 outcomes");
}

static void test_verify_rejects_action_list_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, 3};
    start_with_actions(&a, list, 2);
    a.p.rules[R0].first_action = 1;
    assert_rejects(&a, "verify: rule 0's 2 outcomes starting at 1 are out of range (the lists hold 2)");
}

static void test_verify_rejects_action_of_another_kind(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, BCASM_NO_RELIEF};
    start_with_actions(&a, list, 2);
    assert_rejects(&a, "verify: rule 0 gives outcome 1 (no relief), of kind no relief, with outcome 0 (relief), of "
                       "kind relief: a rule's outcomes are all of one kind");
}

static void test_verify_rejects_action_list_of_one(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF};
    start_with_actions(&a, list, 1);
    assert_rejects(&a, "verify: rule 0 has a list of one outcome (one outcome is given without a list)");
}

static void test_verify_rejects_action_list_not_led_by_the_outcome(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {3, BCASM_RELIEF};
    start_with_actions(&a, list, 2);
    assert_rejects(&a, "verify: rule 0's outcome list begins with outcome 3, not its outcome 0");
}

static void test_verify_rejects_action_named_twice(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, 3, 3};
    start_with_actions(&a, list, 3);
    assert_rejects(&a, "verify: rule 0's outcome list names outcome 3 twice");
}

static void test_verify_rejects_example_expecting_a_list_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    const uint32_t list[] = {BCASM_RELIEF, 3};
    start_with_actions(&a, list, 2);
    bcasm_example(&a, "e", 20);
    struct program_example_conviction c;
    memset(&c, 0, sizeof c);
    c.line = 21;
    c.county = c.case_id = c.cycle_id = c.offense_text = PROGRAM_NO_STRING;
    c.expect_outcome = BCASM_RELIEF;
    c.expect_rule = PROGRAM_NO_CONST;
    c.expect_first_action = 1;
    c.expect_nactions = 2;
    bcasm_example_conviction(&a, c);
    assert_rejects(&a, "verify: example conviction 0's 2 outcomes starting at 1 are out of range (the lists hold 2)");
}

static void test_verify_rejects_fact_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT__COUNT);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    char expected[128];
    snprintf(expected, sizeof expected,
             "verify: function 0, instruction 0: fact %u does not exist (there are %u facts)", (unsigned)FACT__COUNT,
             (unsigned)FACT__COUNT);
    assert_rejects(&a, expected);
}

static void test_verify_rejects_fact_of_the_person(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DATE_OF_BIRTH);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a,
                   "verify: function 0, instruction 0: FACT needs a fact of a conviction, but date_of_birth is the "
                   "person's");
}

static void test_verify_rejects_person_fact_of_a_conviction(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_PERSON_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_LEVEL, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a,
                   "verify: function 0, instruction 0: PERSON_FACT needs a fact of the person, but level is a "
                   "conviction's");
}

static void test_verify_rejects_each_fact_of_the_person(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_ID);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_TEXT, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 3: EACH_FACT needs a fact of a conviction, but id is the "
                       "person's");
}

static void test_verify_rejects_each_fact_in_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_LEVEL, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: EACH_FACT may only appear in an aggregate's function, "
                       "where there is a conviction being examined");
}

static void test_verify_rejects_set_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(&a, OP_IN_SET, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: set 1 does not exist (the program has 1 sets)");
}

static void test_verify_rejects_decide_by_missing_rule(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, 2, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: rule 2 does not exist (the program has 2 rules)");
}

static void test_verify_rejects_test_of_missing_rule(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_test_rule(&a, 9);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: rule 9 does not exist (the program has 2 rules)");
}

static void test_verify_rejects_function_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: function 1 does not exist (the program has 1 functions)");
}

static void test_verify_rejects_recursion(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_ANY, 0, 0, 1); /* calls itself */
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 3: ANY calls function 1, which is not after function 1 "
                       "(a function may only call later ones, so nothing can recurse)");
}

static void test_verify_rejects_call_to_an_earlier_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 2);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_ANY, 0, 0, 1); /* 2 -> 1: a cycle would need this */
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 2, instruction 5: ANY calls function 1, which is not after function 2 "
                       "(a function may only call later ones, so nothing can recurse)");
}

static void test_verify_rejects_aggregate_of_wrong_function_kind(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_LATEST, 0, 0, 1);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: LATEST needs a date-of function, but function 1 is a "
                       "condition function");
}

static void test_verify_rejects_unknown_aggregate_flag(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0x80, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: ANY has unknown flags 0x80 in operand a");
}

static void test_verify_rejects_backward_jump(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t pc = bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    bcasm_patch_c(&a, pc, 0);
    assert_rejects(&a, "verify: function 0, instruction 1: jump target 0 is not after the instruction (jumps go "
                       "forward only)");
}

static void test_verify_rejects_jump_to_itself(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t pc = bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    bcasm_patch_c(&a, pc, pc);
    assert_rejects(&a, "verify: function 0, instruction 1: jump target 1 is not after the instruction (jumps go "
                       "forward only)");
}

static void test_verify_rejects_jump_past_end_of_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t pc = bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    bcasm_patch_c(&a, pc, 40);
    assert_rejects(&a, "verify: function 0, instruction 1: jump target 40 is past the end of the function");
}

static void test_verify_rejects_jump_into_another_function(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t pc = bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    bcasm_patch_c(&a, pc, 3); /* function 1's first instruction */
    assert_rejects(&a, "verify: function 0, instruction 1: jump target 3 is past the end of the function");
}

static void test_verify_rejects_test_rule_outside_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 4: TEST_RULE may only appear in main (function 0)");
}

static void test_verify_rejects_decide_outside_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 3: DECIDE may only appear in main (function 0)");
}

static void test_verify_rejects_return_in_main(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: RETURN may not appear in main (main ends in DECIDE)");
}

/* ---- paths ---------------------------------------------------------------- */

static void test_verify_rejects_main_running_off_its_end(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: execution runs past the end of the function without "
                       "DECIDE");
}

static void test_verify_rejects_condition_running_off_its_end(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 3: execution runs past the end of the function without "
                       "RETURN");
}

static void test_verify_rejects_code_after_last_decide(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_emit(&a, OP_DECIDE, 0, R0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: unreachable instruction (no path from the start of the "
                       "function reaches it)");
}

static void test_verify_rejects_code_after_return(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 5: unreachable instruction (no path from the start of the "
                       "function reaches it)");
}

static void test_verify_rejects_code_a_jump_skips(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t pc = bcasm_test_rule(&a, R0);
    bcasm_emit(&a, OP_DECIDE, 0, R0, 0);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    bcasm_patch_c(&a, pc, 3);
    assert_rejects(&a, "verify: function 0, instruction 2: unreachable instruction (no path from the start of the "
                       "function reaches it)");
}

/*
 * An `and`'s skip carries the first operand's value to its target, so the
 * target must be where the `and` has left one value: just after the AND.
 * Landing on the AND itself would meet the path that pushed the second
 * operand with one value fewer.
 */
static void emit_skipping_and(struct bcasm *a, enum opcode skip_op, bool land_on_the_and)
{
    bcasm_function(a, FUNCTION_MAIN);
    bcasm_emit(a, OP_FACT, 0, 0, FACT_CITATION);
    bcasm_emit(a, OP_IN_SET, 0, 0, S_MARIJUANA);
    uint32_t skip = bcasm_emit(a, skip_op, 0, 0, 0);
    bcasm_emit(a, OP_FACT, 0, 0, FACT_COUNTY);
    bcasm_emit(a, OP_IS_KNOWN, TYPE_TEXT, 0, 0);
    uint32_t and = bcasm_emit(a, OP_AND, 0, 0, 0);
    a->p.code[skip].c = land_on_the_and ? and : and + 1;
    emit_rule_tail(a);
    bcasm_finish(a);
}

static void test_verify_and_skip_lands_after_the_and(void **state)
{
    (void)state;
    enum opcode skips[] = {OP_AND_SKIP, OP_WHEN_AND_SKIP};
    for (size_t i = 0; i < sizeof skips / sizeof *skips; i++) {
        struct bcasm a;
        start(&a);
        emit_skipping_and(&a, skips[i], false);
        assert_accepts(&a);
        bcasm_free(&a);

        start(&a);
        emit_skipping_and(&a, skips[i], true);
        assert_rejects(&a, "verify: function 0, instruction 5: paths meet here with different stacks");
    }
}

static void test_verify_rejects_a_skip_that_is_not_given_a_condition(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_COUNTY);
    uint32_t skip = bcasm_emit(&a, OP_OR_SKIP, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_TEXT, 0, 0);
    a.p.code[skip].c = a.p.ncode;
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: OR_SKIP expects true/false as operand 1, found text");

    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_COUNTY);
    skip = bcasm_emit(&a, OP_WHEN_AND_SKIP, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_TEXT, 0, 0);
    a.p.code[skip].c = a.p.ncode;
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: WHEN_AND_SKIP expects true/false as operand 1, found text");
}

/* ---- stack and types ------------------------------------------------------ */

static void test_verify_rejects_stack_underflow(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_NOT, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 0: stack underflow: NOT needs 1 values, the stack holds 0");
}

static void test_verify_rejects_stack_overflow(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    for (unsigned i = 0; i < PROGRAM_MAX_STACK + 1; i++)
        bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    for (unsigned i = 0; i < PROGRAM_MAX_STACK; i++)
        bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 256: stack overflow: CONST would make the stack 257 deep "
                       "(the VM has 256)");
}

static void test_verify_rejects_overflow_through_a_callee(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    for (unsigned i = 0; i < PROGRAM_MAX_STACK - 1; i++)
        bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    uint32_t call = bcasm_emit(&a, OP_ANY, 0, 0, 1); /* 255 slots + a callee needing 2 */
    for (unsigned i = 0; i < PROGRAM_MAX_STACK - 1; i++)
        bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_LEVEL);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_LEVEL, 0, 0);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    char expected[200];
    snprintf(expected, sizeof expected,
             "verify: function 0, instruction %u: stack overflow: ANY at depth 255 calls function 1, which needs 2 "
             "more (the VM has 256)",
             (unsigned)call);
    assert_rejects(&a, expected);
}

static void test_verify_rejects_type_mismatch(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_AND, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: AND expects true/false as operand 2, found whole number");
}

static void test_verify_rejects_comparison_of_mixed_types(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_EQ, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: EQ expects date as operand 2, found text");
}

static void test_verify_rejects_equality_on_sets(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_EQ, TYPE_SET, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: EQ does not apply to set of citations (operand a = 9)");
}

static void test_verify_rejects_ordering_of_text(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_LT, TYPE_TEXT, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: LT does not apply to text (operand a = 3)");
}

static void test_verify_rejects_is_known_of_nothing(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_NONE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: IS_KNOWN does not apply to nothing (operand a = 0)");
}

static void test_verify_rejects_type_operand_out_of_range(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_IS_UNKNOWN, 200, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a,
                   "verify: function 0, instruction 1: IS_UNKNOWN does not apply to an unknown type (operand a = 200)");
}

static void test_verify_rejects_set_membership_of_a_date(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_IN_SET, 0, 0, S_MARIJUANA);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: IN_SET expects citation as operand 1, found date");
}

static void test_verify_rejects_citation_cover_of_text(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TEXT);
    bcasm_emit(&a, OP_CONST, 0, 0, K_CIT);
    bcasm_emit(&a, OP_IN_CITATION, 0, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: IN_CITATION expects citation as operand 1, found text");
}

static void test_verify_rejects_duration_plus_date(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DURATION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DATE);
    bcasm_emit(&a, OP_DATE_ADD, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: DATE_ADD expects date as operand 1, found duration");
}

static void test_verify_rejects_sum_of_levels(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_LEVEL);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_ADD, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_NUMBER, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: ADD expects whole number as operand 1, found offence "
                       "level");
}

static void test_verify_rejects_age_at_a_number(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_AGE_AT, 0, 0, 0);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_NUMBER, 0, 0);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: AGE_AT expects date as operand 1, found whole number");
}

static void test_verify_rejects_rule_condition_not_bool(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_COUNT, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: TEST_RULE expects true/false as operand 1, found whole "
                       "number");
}

static void test_verify_rejects_leftover_values_at_test_rule(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_DATE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    emit_rule_tail(&a);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 2: TEST_RULE needs the stack to be [true/false], found [date, "
                       "true/false]");
}

static void test_verify_rejects_leftover_values_at_decide(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_DECIDE, 0, R_OTHER, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 0, instruction 1: DECIDE needs an empty stack, found [whole number]");
}

static void test_verify_rejects_condition_returning_a_number(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_ANY, 0, 0, 1);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_CONDITION);
    bcasm_emit(&a, OP_CONST, 0, 0, K_NUMBER);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 4: RETURN from a condition function needs the stack to be "
                       "[true/false], found [whole number]");
}

static void test_verify_rejects_date_of_returning_only_a_date(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_EARLIEST, 0, 0, 1);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_DATE_OF);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 5: RETURN from a date-of function needs the stack to be "
                       "[true/false, date], found [date]");
}

static void test_verify_rejects_date_of_returning_in_wrong_order(void **state)
{
    (void)state;
    struct bcasm a;
    start(&a);
    bcasm_function(&a, FUNCTION_MAIN);
    bcasm_emit(&a, OP_EARLIEST, 0, 0, 1);
    bcasm_emit(&a, OP_IS_KNOWN, TYPE_DATE, 0, 0);
    emit_rule_tail(&a);
    bcasm_function(&a, FUNCTION_DATE_OF);
    bcasm_emit(&a, OP_EACH_FACT, 0, 0, FACT_DISPOSITION_DATE);
    bcasm_emit(&a, OP_CONST, 0, 0, K_TRUE);
    bcasm_emit(&a, OP_RETURN, 0, 0, 0);
    bcasm_finish(&a);
    assert_rejects(&a, "verify: function 1, instruction 6: RETURN from a date-of function needs the stack to be "
                       "[true/false, date], found [date, true/false]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_accepts_minimal_main),
        cmocka_unit_test(test_verify_records_max_stack_of_main),
        cmocka_unit_test(test_verify_counts_callee_frames_in_max_stack),
        cmocka_unit_test(test_verify_accepts_stack_exactly_at_limit),
        cmocka_unit_test(test_verify_accepts_every_opcode),
        cmocka_unit_test(test_verify_and_skip_lands_after_the_and),
        cmocka_unit_test(test_verify_rejects_a_skip_that_is_not_given_a_condition),
        cmocka_unit_test(test_verify_rejects_program_without_functions),
        cmocka_unit_test(test_verify_rejects_function_0_not_main),
        cmocka_unit_test(test_verify_rejects_second_main),
        cmocka_unit_test(test_verify_rejects_unknown_function_kind),
        cmocka_unit_test(test_verify_rejects_empty_function),
        cmocka_unit_test(test_verify_rejects_function_past_end_of_code),
        cmocka_unit_test(test_verify_rejects_overlapping_functions),
        cmocka_unit_test(test_verify_rejects_code_outside_every_function),
        cmocka_unit_test(test_verify_rejects_constant_of_unusable_type),
        cmocka_unit_test(test_verify_rejects_rule_with_missing_outcome),
        cmocka_unit_test(test_verify_rejects_review_outcome_not_of_kind_review),
        cmocka_unit_test(test_verify_rejects_example_with_missing_outcome),
        cmocka_unit_test(test_verify_rejects_example_with_missing_rule),
        cmocka_unit_test(test_verify_rejects_example_past_its_convictions),
        cmocka_unit_test(test_verify_rejects_unknown_opcode),
        cmocka_unit_test(test_verify_rejects_opcode_one_past_the_last),
        cmocka_unit_test(test_verify_rejects_nonzero_unused_operand),
        cmocka_unit_test(test_verify_rejects_nonzero_a_on_const),
        cmocka_unit_test(test_verify_rejects_constant_out_of_range),
        cmocka_unit_test(test_verify_rejects_parameter_out_of_range),
        cmocka_unit_test(test_verify_rejects_parameter_at_a_number),
        cmocka_unit_test(test_verify_rejects_period_of_another_type),
        cmocka_unit_test(test_verify_rejects_periods_of_another_parameter),
        cmocka_unit_test(test_verify_accepts_eligible_from_function),
        cmocka_unit_test(test_verify_rejects_eligible_from_returning_a_number),
        cmocka_unit_test(test_verify_rejects_eligible_from_naming_a_condition),
        cmocka_unit_test(test_verify_accepts_row_column),
        cmocka_unit_test(test_verify_rejects_outcome_in_row_column),
        cmocka_unit_test(test_verify_accepts_two_relief_actions),
        cmocka_unit_test(test_verify_rejects_action_out_of_range),
        cmocka_unit_test(test_verify_rejects_action_list_out_of_range),
        cmocka_unit_test(test_verify_rejects_action_of_another_kind),
        cmocka_unit_test(test_verify_rejects_action_list_of_one),
        cmocka_unit_test(test_verify_rejects_action_list_not_led_by_the_outcome),
        cmocka_unit_test(test_verify_rejects_action_named_twice),
        cmocka_unit_test(test_verify_rejects_example_expecting_a_list_out_of_range),
        cmocka_unit_test(test_verify_rejects_fact_out_of_range),
        cmocka_unit_test(test_verify_rejects_fact_of_the_person),
        cmocka_unit_test(test_verify_rejects_person_fact_of_a_conviction),
        cmocka_unit_test(test_verify_rejects_each_fact_of_the_person),
        cmocka_unit_test(test_verify_rejects_each_fact_in_main),
        cmocka_unit_test(test_verify_rejects_set_out_of_range),
        cmocka_unit_test(test_verify_rejects_decide_by_missing_rule),
        cmocka_unit_test(test_verify_rejects_test_of_missing_rule),
        cmocka_unit_test(test_verify_rejects_function_out_of_range),
        cmocka_unit_test(test_verify_rejects_recursion),
        cmocka_unit_test(test_verify_rejects_call_to_an_earlier_function),
        cmocka_unit_test(test_verify_rejects_aggregate_of_wrong_function_kind),
        cmocka_unit_test(test_verify_rejects_unknown_aggregate_flag),
        cmocka_unit_test(test_verify_rejects_backward_jump),
        cmocka_unit_test(test_verify_rejects_jump_to_itself),
        cmocka_unit_test(test_verify_rejects_jump_past_end_of_function),
        cmocka_unit_test(test_verify_rejects_jump_into_another_function),
        cmocka_unit_test(test_verify_rejects_test_rule_outside_main),
        cmocka_unit_test(test_verify_rejects_decide_outside_main),
        cmocka_unit_test(test_verify_rejects_return_in_main),
        cmocka_unit_test(test_verify_rejects_main_running_off_its_end),
        cmocka_unit_test(test_verify_rejects_condition_running_off_its_end),
        cmocka_unit_test(test_verify_rejects_code_after_last_decide),
        cmocka_unit_test(test_verify_rejects_code_after_return),
        cmocka_unit_test(test_verify_rejects_code_a_jump_skips),
        cmocka_unit_test(test_verify_rejects_stack_underflow),
        cmocka_unit_test(test_verify_rejects_stack_overflow),
        cmocka_unit_test(test_verify_rejects_overflow_through_a_callee),
        cmocka_unit_test(test_verify_rejects_type_mismatch),
        cmocka_unit_test(test_verify_rejects_comparison_of_mixed_types),
        cmocka_unit_test(test_verify_rejects_equality_on_sets),
        cmocka_unit_test(test_verify_rejects_ordering_of_text),
        cmocka_unit_test(test_verify_rejects_is_known_of_nothing),
        cmocka_unit_test(test_verify_rejects_type_operand_out_of_range),
        cmocka_unit_test(test_verify_rejects_set_membership_of_a_date),
        cmocka_unit_test(test_verify_rejects_citation_cover_of_text),
        cmocka_unit_test(test_verify_rejects_duration_plus_date),
        cmocka_unit_test(test_verify_rejects_sum_of_levels),
        cmocka_unit_test(test_verify_rejects_age_at_a_number),
        cmocka_unit_test(test_verify_rejects_rule_condition_not_bool),
        cmocka_unit_test(test_verify_rejects_leftover_values_at_test_rule),
        cmocka_unit_test(test_verify_rejects_leftover_values_at_decide),
        cmocka_unit_test(test_verify_rejects_condition_returning_a_number),
        cmocka_unit_test(test_verify_rejects_date_of_returning_only_a_date),
        cmocka_unit_test(test_verify_rejects_date_of_returning_in_wrong_order),
    };
    return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
