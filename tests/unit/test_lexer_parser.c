/*
 * test_lexer_parser.c - compiler/lexer.l and compiler/parser.y through
 * parse_policy: the header, every declaration, precedence, literals,
 * and the messages (with location and hint) for what a policy writer gets
 * wrong; and that hostile input is refused without crashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "source.h"
#include "value.h"

/* ---- harness ----------------------------------------------------------- */

struct parsed {
    struct arena arena;
    struct diag diag;
    struct source *src;
    FILE *out;
    char *messages;
    size_t messages_len;
    struct policy *policy;
};

static struct policy *parse_len(struct parsed *ps, const char *text, size_t len)
{
    memset(ps, 0, sizeof *ps);
    arena_init(&ps->arena);
    ps->out = open_memstream(&ps->messages, &ps->messages_len);
    assert_non_null(ps->out);
    diag_init(&ps->diag, ps->out);
    ps->src = source_from_text("t.policy", text, len);
    assert_non_null(ps->src);
    ps->policy = parse_policy(ps->src, &ps->arena, &ps->diag);
    fflush(ps->out);
    return ps->policy;
}

static struct policy *parse(struct parsed *ps, const char *text)
{
    return parse_len(ps, text, strlen(text));
}

static void done(struct parsed *ps)
{
    fclose(ps->out);
    free(ps->messages);
    source_free(ps->src);
    arena_free(&ps->arena);
}

/* Parses text that must be free of errors. */
static struct policy *parse_ok(struct parsed *ps, const char *text)
{
    struct policy *p = parse(ps, text);
    if (!p || ps->diag.errors != 0)
        fail_msg("parse failed:\n%s\n--- for ---\n%s", ps->messages, text);
    return p;
}

/* Parses text that must be refused, with `what` in the messages. */
static void parse_refused(struct parsed *ps, const char *text, const char *what)
{
    struct policy *p = parse(ps, text);
    if (p != NULL || ps->diag.errors == 0)
        fail_msg("accepted:\n%s", text);
    if (what && !strstr(ps->messages, what))
        fail_msg("messages lack '%s':\n%s", what, ps->messages);
}

static void assert_says(const struct parsed *ps, const char *what)
{
    if (!strstr(ps->messages, what))
        fail_msg("messages lack '%s':\n%s", what, ps->messages);
}

#define HEADER "policy \"p\" jurisdiction \"X\" authority HS 1 effective 2016-01-01 version \"1\"\n"

static struct decl *decl_at(struct policy *p, size_t i)
{
    assert_true(i < p->decls.len);
    return p->decls.items[i];
}

/* The condition of the first declaration, a rule. */
static struct expr *first_when(struct policy *p)
{
    struct decl *d = decl_at(p, 0);
    assert_int_equal(d->kind, DECL_RULE);
    assert_non_null(d->u.rule->when);
    return d->u.rule->when;
}

/* Parses "rule r when COND then x because "y" citing HS 1" and returns COND. */
static struct expr *parse_cond(struct parsed *ps, const char *cond)
{
    char text[4096];
    snprintf(text, sizeof text, HEADER "rule r when %s then x because \"y\" citing HS 1\n", cond);
    return first_when(parse_ok(ps, text));
}

static void assert_name(const struct expr *e, const char *name)
{
    assert_int_equal(e->kind, EXPR_NAME);
    assert_string_equal(e->u.name, name);
}

/* ---- header and declarations ------------------------------------------ */

static void test_lexer_parser_header_fields(void **state)
{
    (void)state;
    struct parsed ps;
    struct policy *p = parse_ok(&ps,
                                "# a comment before anything\n"
                                "policy \"Prop 64 \\\"as written\\\"\"\n"
                                "  jurisdiction \"California\"   # trailing comment\n"
                                "  authority HS 11361.8(e)\n"
                                "  effective 2016-11-09\n"
                                "  version \"0.1\"\n"
                                "  missing day rounds up\n"
                                "  extends \"ca/prop64.policy\"\n");
    assert_string_equal(p->name, "Prop 64 \"as written\"");
    assert_string_equal(p->jurisdiction, "California");
    assert_non_null(p->authority);
    assert_string_equal(p->authority->text, "HS 11361.8(e)");
    assert_true(p->has_effective);
    int32_t day;
    assert_true(date_from_ymd(2016, 11, 9, &day));
    assert_int_equal(p->effective, day);
    assert_string_equal(p->version, "0.1");
    assert_true(p->has_month_end);
    assert_int_equal(p->month_end, DATE_ROUND_UP);
    assert_string_equal(p->extends, "ca/prop64.policy");
    assert_int_equal(p->extends_loc.line, 8);
    assert_int_equal(p->loc.line, 2);
    assert_int_equal(p->decls.len, 0);
    done(&ps);

    /* any order; fields not given stay empty */
    p = parse_ok(&ps, "policy \"q\" version \"2\" missing day rounds down jurisdiction \"Y\"");
    assert_string_equal(p->name, "q");
    assert_string_equal(p->version, "2");
    assert_string_equal(p->jurisdiction, "Y");
    assert_true(p->has_month_end);
    assert_int_equal(p->month_end, DATE_ROUND_DOWN);
    assert_null(p->authority);
    assert_false(p->has_effective);
    assert_null(p->extends);
    done(&ps);

    p = parse_ok(&ps, "policy \"bare\"");
    assert_false(p->has_month_end);
    assert_null(p->jurisdiction);
    assert_null(p->version);
    done(&ps);
}

static void test_lexer_parser_outcomes_parameters_sets(void **state)
{
    (void)state;
    struct parsed ps;
    struct policy *p = parse_ok(&ps, HEADER
                                "outcome dismiss is relief\n"
                                "outcome not_eligible is no relief\n"
                                "outcome needs_review is review\n"
                                "parameter cutoff = 2016-11-09\n"
                                "parameter adult_age = 21\n"
                                "parameter wait = 2 years 6 months\n"
                                "parameter county_name = \"Los Angeles\"\n"
                                "parameter law = PC 667(e)(2)(C)(iv)\n"
                                "parameter strict = false\n"
                                "parameter worst = felony\n"
                                "override parameter adult_age = 18\n"
                                "set pot = { HS 11357, HS 11358(b)(2), W.I. 707(b) }\n"
                                "override set pot = { HS 11360 }\n");
    assert_int_equal(p->decls.len, 13);
    static const struct { const char *name; int kind; } outcomes[] = {
        {"dismiss", AST_RELIEF}, {"not_eligible", AST_NO_RELIEF}, {"needs_review", AST_REVIEW}};
    for (size_t i = 0; i < 3; i++) {
        struct decl *d = decl_at(p, i);
        assert_int_equal(d->kind, DECL_OUTCOME);
        assert_string_equal(d->u.outcome->name, outcomes[i].name);
        assert_int_equal(d->u.outcome->kind, outcomes[i].kind);
        assert_int_equal(d->u.outcome->loc.line, 2 + (int)i);
        assert_int_equal(d->u.outcome->loc.col, 9);
    }
    static const struct { const char *name; enum expr_kind kind; } params[] = {
        {"cutoff", EXPR_DATE}, {"adult_age", EXPR_NUMBER}, {"wait", EXPR_DURATION}, {"county_name", EXPR_TEXT},
        {"law", EXPR_CITATION}, {"strict", EXPR_BOOL}, {"worst", EXPR_LEVEL}, {"adult_age", EXPR_NUMBER}};
    for (size_t i = 0; i < 8; i++) {
        struct decl *d = decl_at(p, 3 + i);
        assert_int_equal(d->kind, DECL_PARAM);
        assert_string_equal(d->u.param->name, params[i].name);
        assert_int_equal(d->u.param->value->kind, params[i].kind);
        assert_int_equal(d->u.param->override, i == 7);
    }
    assert_int_equal(decl_at(p, 4)->u.param->value->u.number, 21);
    assert_int_equal(decl_at(p, 5)->u.param->value->u.duration.months, 30);
    assert_int_equal(decl_at(p, 5)->u.param->value->u.duration.days, 0);
    assert_string_equal(decl_at(p, 6)->u.param->value->u.text.ptr, "Los Angeles");
    assert_int_equal(decl_at(p, 6)->u.param->value->u.text.len, 11);
    assert_string_equal(decl_at(p, 7)->u.param->value->u.citation->text, "PC 667(e)(2)(c)(iv)");
    assert_false(decl_at(p, 8)->u.param->value->u.boolean);
    assert_int_equal(decl_at(p, 9)->u.param->value->u.level, LEVEL_FELONY);
    assert_int_equal(decl_at(p, 10)->u.param->value->u.number, 18);

    struct set_decl *set = decl_at(p, 11)->u.set;
    assert_int_equal(decl_at(p, 11)->kind, DECL_SET);
    assert_string_equal(set->name, "pot");
    assert_false(set->override);
    assert_int_equal(set->items.len, 3);
    static const char *const items[] = {"HS 11357", "HS 11358(b)(2)", "W.I. 707(b)"};
    for (size_t i = 0; i < 3; i++) {
        struct expr *e = set->items.items[i];
        assert_int_equal(e->kind, EXPR_CITATION);
        assert_string_equal(e->u.citation->text, items[i]);
    }
    set = decl_at(p, 12)->u.set;
    assert_true(set->override);
    assert_int_equal(set->items.len, 1);
    done(&ps);
}

static void test_lexer_parser_rules_and_otherwise(void **state)
{
    (void)state;
    struct parsed ps;
    struct policy *p = parse_ok(&ps, HEADER
                                "rule small quote \"(e) A person ...\"\n"
                                "  when citation in HS 11357(b)\n"
                                "  unless level is felony\n"
                                "  then dismiss because \"It is lawful now.\" citing HS 11361.8(e)\n"
                                "rule early before small when t then reduce because \"b\" citing HS 1\n"
                                "rule late after small when t then reduce because \"c\" citing HS 2\n"
                                "replace rule small when f then dismiss because \"d\" citing HS 3\n"
                                "otherwise quote \"\"\"\n  statute\n  \"\"\" needs_review because \"e\" citing HS 4\n");
    assert_int_equal(p->decls.len, 5);
    struct rule_decl *r = decl_at(p, 0)->u.rule;
    assert_string_equal(r->name, "small");
    assert_int_equal(r->loc.line, 2);
    assert_int_equal(r->loc.col, 6);
    assert_string_equal(r->quote, "(e) A person ...");
    assert_int_equal(r->when->kind, EXPR_IN);
    assert_false(r->when->u.bin.negated);
    assert_non_null(r->unless);
    assert_int_equal(r->unless->kind, EXPR_COMPARE);
    assert_string_equal(r->outcome, "dismiss");
    assert_int_equal(r->outcome_loc.line, 5);
    assert_string_equal(r->reason, "It is lawful now.");
    assert_string_equal(r->citing->text, "HS 11361.8(e)");
    assert_int_equal(r->placement, PLACE_NONE);
    assert_false(r->is_otherwise);

    r = decl_at(p, 1)->u.rule;
    assert_string_equal(r->name, "early");
    assert_int_equal(r->placement, PLACE_BEFORE);
    assert_string_equal(r->anchor, "small");
    assert_null(r->unless);
    assert_null(r->quote);
    r = decl_at(p, 2)->u.rule;
    assert_int_equal(r->placement, PLACE_AFTER);
    assert_string_equal(r->anchor, "small");
    r = decl_at(p, 3)->u.rule;
    assert_string_equal(r->name, "small");
    assert_int_equal(r->placement, PLACE_REPLACE);
    assert_string_equal(r->anchor, "small");

    r = decl_at(p, 4)->u.rule;
    assert_true(r->is_otherwise);
    assert_string_equal(r->name, "otherwise");
    assert_null(r->when);
    assert_string_equal(r->quote, "statute");
    assert_string_equal(r->outcome, "needs_review");
    assert_string_equal(r->reason, "e");
    assert_string_equal(r->citing->text, "HS 4");
    done(&ps);
}

static void test_lexer_parser_examples(void **state)
{
    (void)state;
    struct parsed ps;
    struct policy *p = parse_ok(&ps, HEADER
                                "example \"adult\"\n"
                                "  person born 1980-01-31\n"
                                "  conviction HS 11357(b) misdemeanor on 2010-05-01 county \"Los Angeles\"\n"
                                "     sentence 6 months case_id \"LA-1\" expect dismiss by rule small\n"
                                "  conviction PC 187 expect otherwise\n"
                                "  conviction HS 11359 felony expect needs_review\n"
                                "example \"no birth date\" person\n"
                                "  conviction HS 11357 expect dismiss\n");
    assert_int_equal(p->decls.len, 2);
    assert_int_equal(decl_at(p, 0)->kind, DECL_EXAMPLE);
    struct example_decl *ex = decl_at(p, 0)->u.example;
    assert_string_equal(ex->name, "adult");
    assert_true(ex->has_birth);
    int32_t dob;
    assert_true(date_from_ymd(1980, 1, 31, &dob));
    assert_int_equal(ex->date_of_birth, dob);
    assert_int_equal(ex->convictions.len, 3);

    struct example_conviction *c = ex->convictions.items[0];
    assert_string_equal(c->citation->text, "HS 11357(b)");
    assert_int_equal(c->loc.line, 4);
    assert_int_equal(c->fields.len, 5);
    static const char *const fields[] = {"level", "disposition_date", "county", "sentence", "case_id"};
    static const enum expr_kind kinds[] = {EXPR_LEVEL, EXPR_DATE, EXPR_TEXT, EXPR_DURATION, EXPR_TEXT};
    for (size_t i = 0; i < 5; i++) {
        struct example_field *f = c->fields.items[i];
        assert_string_equal(f->name, fields[i]);
        assert_int_equal(f->value->kind, kinds[i]);
    }
    assert_string_equal(c->expect, "dismiss");
    assert_string_equal(c->expect_rule, "small");
    assert_int_equal(c->expect_rule_loc.line, 5);

    c = ex->convictions.items[1];
    assert_int_equal(c->fields.len, 0);
    assert_null(c->expect);
    assert_string_equal(c->expect_rule, "otherwise");
    c = ex->convictions.items[2];
    assert_int_equal(c->fields.len, 1);
    assert_string_equal(c->expect, "needs_review");
    assert_null(c->expect_rule);

    ex = decl_at(p, 1)->u.example;
    assert_false(ex->has_birth);
    assert_int_equal(ex->convictions.len, 1);
    done(&ps);
}

/* ---- precedence -------------------------------------------------------- */

static void test_lexer_parser_and_binds_tighter_than_or(void **state)
{
    (void)state;
    struct parsed ps;
    struct expr *e = parse_cond(&ps, "a and b or c");
    assert_int_equal(e->kind, EXPR_OR);
    assert_int_equal(e->u.bin.left->kind, EXPR_AND);
    assert_name(e->u.bin.left->u.bin.left, "a");
    assert_name(e->u.bin.left->u.bin.right, "b");
    assert_name(e->u.bin.right, "c");
    done(&ps);

    e = parse_cond(&ps, "a or b and c");
    assert_int_equal(e->kind, EXPR_OR);
    assert_name(e->u.bin.left, "a");
    assert_int_equal(e->u.bin.right->kind, EXPR_AND);
    done(&ps);

    /* left associative */
    e = parse_cond(&ps, "a or b or c");
    assert_int_equal(e->kind, EXPR_OR);
    assert_int_equal(e->u.bin.left->kind, EXPR_OR);
    assert_name(e->u.bin.right, "c");
    done(&ps);

    e = parse_cond(&ps, "a and (b or c)");
    assert_int_equal(e->kind, EXPR_AND);
    assert_int_equal(e->u.bin.right->kind, EXPR_OR);
    done(&ps);
}

static void test_lexer_parser_not_binds_tighter_than_and(void **state)
{
    (void)state;
    struct parsed ps;
    struct expr *e = parse_cond(&ps, "not a and b");
    assert_int_equal(e->kind, EXPR_AND);
    assert_int_equal(e->u.bin.left->kind, EXPR_NOT);
    assert_name(e->u.bin.left->u.operand, "a");
    assert_name(e->u.bin.right, "b");
    done(&ps);

    /* ... but looser than a comparison: not (level is felony) */
    e = parse_cond(&ps, "not level is felony");
    assert_int_equal(e->kind, EXPR_NOT);
    assert_int_equal(e->u.operand->kind, EXPR_COMPARE);
    assert_int_equal(e->u.operand->u.bin.op, CMP_IS);
    done(&ps);

    e = parse_cond(&ps, "not (a and b)");
    assert_int_equal(e->kind, EXPR_NOT);
    assert_int_equal(e->u.operand->kind, EXPR_AND);
    done(&ps);
}

static void test_lexer_parser_comparisons_and_arithmetic(void **state)
{
    (void)state;
    static const struct { const char *text; enum compare_op op; } cases[] = {
        {"x is y", CMP_IS},
        {"x is not y", CMP_IS_NOT},
        {"x is before y", CMP_BEFORE},
        {"x is after y", CMP_AFTER},
        {"x is on or before y", CMP_ON_OR_BEFORE},
        {"x is on or after y", CMP_ON_OR_AFTER},
        {"x is less than y", CMP_LESS},
        {"x is more than y", CMP_MORE},
        {"x is at least y", CMP_AT_LEAST},
        {"x is at most y", CMP_AT_MOST},
    };
    struct parsed ps;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct expr *e = parse_cond(&ps, cases[i].text);
        assert_int_equal(e->kind, EXPR_COMPARE);
        assert_int_equal(e->u.bin.op, cases[i].op);
        assert_name(e->u.bin.left, "x");
        assert_name(e->u.bin.right, "y");
        done(&ps);
    }
    struct expr *e = parse_cond(&ps, "x is known");
    assert_int_equal(e->kind, EXPR_IS_KNOWN);
    done(&ps);
    e = parse_cond(&ps, "x is unknown");
    assert_int_equal(e->kind, EXPR_IS_UNKNOWN);
    done(&ps);
    e = parse_cond(&ps, "citation not in pot");
    assert_int_equal(e->kind, EXPR_IN);
    assert_true(e->u.bin.negated);
    done(&ps);
    e = parse_cond(&ps, "citation in { HS 11357, HS 11358 }");
    assert_int_equal(e->kind, EXPR_IN);
    assert_int_equal(e->u.bin.right->kind, EXPR_SET_LITERAL);
    assert_int_equal(e->u.bin.right->u.items.len, 2);
    done(&ps);

    /* arithmetic binds tighter than comparison and is left associative */
    e = parse_cond(&ps, "disposition_date + 10 years - 1 day is before conviction.disposition_date");
    assert_int_equal(e->kind, EXPR_COMPARE);
    assert_int_equal(e->u.bin.op, CMP_BEFORE);
    struct expr *l = e->u.bin.left;
    assert_int_equal(l->kind, EXPR_SUB);
    assert_int_equal(l->u.bin.left->kind, EXPR_ADD);
    assert_name(l->u.bin.left->u.bin.left, "disposition_date");
    assert_int_equal(l->u.bin.left->u.bin.right->kind, EXPR_DURATION);
    assert_int_equal(l->u.bin.right->kind, EXPR_DURATION);
    assert_int_equal(e->u.bin.right->kind, EXPR_CONVICTION_FACT);
    assert_string_equal(e->u.bin.right->u.name, "disposition_date");
    done(&ps);

    e = parse_cond(&ps, "years between person.date_of_birth and disposition_date is at least 18 and age at 2016-11-09 is 21");
    assert_int_equal(e->kind, EXPR_AND);
    struct expr *yb = e->u.bin.left->u.bin.left;
    assert_int_equal(yb->kind, EXPR_YEARS_BETWEEN);
    assert_int_equal(yb->u.bin.left->kind, EXPR_PERSON_FACT);
    assert_name(yb->u.bin.right, "disposition_date");
    assert_int_equal(e->u.bin.right->u.bin.left->kind, EXPR_AGE_AT);
    assert_int_equal(e->u.bin.right->u.bin.left->u.operand->kind, EXPR_DATE);
    done(&ps);
}

static void test_lexer_parser_where_absorbs_and(void **state)
{
    (void)state;
    struct parsed ps;
    struct expr *e = parse_cond(&ps, "any other conviction where level is felony and citation in pot");
    assert_int_equal(e->kind, EXPR_AGGREGATE);
    assert_int_equal(e->u.agg.op, AGG_OP_ANY);
    assert_true(e->u.agg.other);
    assert_int_equal(e->u.agg.where->kind, EXPR_AND);
    done(&ps);

    e = parse_cond(&ps, "no conviction where a or b");
    assert_int_equal(e->kind, EXPR_AGGREGATE);
    assert_int_equal(e->u.agg.op, AGG_OP_NO);
    assert_false(e->u.agg.other);
    assert_int_equal(e->u.agg.where->kind, EXPR_OR);
    done(&ps);

    /* parentheses stop it */
    e = parse_cond(&ps, "(any conviction where a) and b");
    assert_int_equal(e->kind, EXPR_AND);
    assert_int_equal(e->u.bin.left->kind, EXPR_AGGREGATE);
    assert_name(e->u.bin.left->u.agg.where, "a");
    assert_name(e->u.bin.right, "b");
    done(&ps);

    /* a where-less latest stops before 'and' */
    e = parse_cond(&ps, "latest disposition_date of other convictions is before cutoff and b");
    assert_int_equal(e->kind, EXPR_AND);
    struct expr *cmp = e->u.bin.left;
    assert_int_equal(cmp->kind, EXPR_COMPARE);
    assert_int_equal(cmp->u.bin.left->kind, EXPR_AGGREGATE);
    assert_int_equal(cmp->u.bin.left->u.agg.op, AGG_OP_LATEST);
    assert_true(cmp->u.bin.left->u.agg.other);
    assert_string_equal(cmp->u.bin.left->u.agg.value_name, "disposition_date");
    assert_null(cmp->u.bin.left->u.agg.where);
    done(&ps);

    e = parse_cond(&ps, "earliest disposition_date of convictions where level is felony is after cutoff");
    assert_int_equal(e->kind, EXPR_COMPARE);
    assert_int_equal(e->u.bin.op, CMP_AFTER);
    assert_int_equal(e->u.bin.left->u.agg.op, AGG_OP_EARLIEST);
    assert_int_equal(e->u.bin.left->u.agg.where->kind, EXPR_COMPARE);
    done(&ps);
}

/* A comparison cannot be compared again, so the count's comparison closes the 'where'. */
static void test_lexer_parser_count_where_compares_the_count(void **state)
{
    (void)state;
    struct parsed ps;
    struct expr *e = parse_cond(&ps, "count of convictions where level is felony is at least 2");
    assert_int_equal(e->kind, EXPR_COMPARE);
    assert_int_equal(e->u.bin.op, CMP_AT_LEAST);
    struct expr *count = e->u.bin.left;
    assert_int_equal(count->kind, EXPR_AGGREGATE);
    assert_int_equal(count->u.agg.op, AGG_OP_COUNT);
    assert_false(count->u.agg.other);
    assert_int_equal(count->u.agg.where->kind, EXPR_COMPARE);
    assert_int_equal(count->u.agg.where->u.bin.op, CMP_IS);
    assert_name(count->u.agg.where->u.bin.left, "level");
    assert_int_equal(count->u.agg.where->u.bin.right->kind, EXPR_LEVEL);
    assert_int_equal(e->u.bin.right->kind, EXPR_NUMBER);
    assert_int_equal(e->u.bin.right->u.number, 2);
    done(&ps);

    e = parse_cond(&ps, "count of other convictions where a and level is felony is 1");
    assert_int_equal(e->kind, EXPR_COMPARE);
    assert_true(e->u.bin.left->u.agg.other);
    assert_int_equal(e->u.bin.left->u.agg.where->kind, EXPR_AND);
    done(&ps);
}

/* ---- literals ---------------------------------------------------------- */

static void test_lexer_parser_citations_with_subsections(void **state)
{
    (void)state;
    static const struct { const char *written, *canonical; uint8_t depth; } cases[] = {
        {"HS 11357", "HS 11357", 1},
        {"HS 11357(b)(2)", "HS 11357(b)(2)", 3},
        {"PC 667(e)(2)(C)(iv)", "PC 667(e)(2)(c)(iv)", 5},
        {"HS 11360.5(a)", "HS 11360.5(a)", 2},
        {"VC 23152(A)", "VC 23152(a)", 2},
        {"W.I. 707(b)", "W.I. 707(b)", 2},
    };
    struct parsed ps;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cond[128];
        snprintf(cond, sizeof cond, "citation in %s", cases[i].written);
        struct expr *e = parse_cond(&ps, cond);
        struct expr *c = e->u.bin.right;
        assert_int_equal(c->kind, EXPR_CITATION);
        assert_string_equal(c->u.citation->text, cases[i].canonical);
        assert_int_equal(c->u.citation->depth, cases[i].depth);
        /* the token's location spans the whole citation */
        assert_int_equal(c->loc.col, (int)strlen("rule r when citation in ") + 1);
        assert_int_equal(c->loc.end_col - c->loc.col, (int)strlen(cases[i].written));
        done(&ps);
    }
    parse_refused(&ps, HEADER "rule r when citation in HS 11357(toolongsub) then x because \"y\" citing HS 1\n", NULL);
    done(&ps);
}

static void test_lexer_parser_durations(void **state)
{
    (void)state;
    static const struct { const char *text; int32_t months, days; } cases[] = {
        {"2 years 6 months", 30, 0},
        {"1 year", 12, 0},
        {"6 months", 6, 0},
        {"30 days", 0, 30},
        {"1 year 3 months 10 days", 15, 10},
        {"10 years  2 days", 120, 2},
    };
    struct parsed ps;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, HEADER "parameter d = %s\n", cases[i].text);
        struct policy *p = parse_ok(&ps, text);
        struct expr *v = decl_at(p, 0)->u.param->value;
        assert_int_equal(v->kind, EXPR_DURATION);
        assert_int_equal(v->u.duration.months, cases[i].months);
        assert_int_equal(v->u.duration.days, cases[i].days);
        done(&ps);
    }
    /* units out of order: one duration token that is not a duration */
    parse_refused(&ps, HEADER "parameter d = 6 months 2 years\n", "is not a duration");
    assert_says(&ps, "hint: write durations largest unit first");
    done(&ps);
    /* a date that is not on the calendar; a number too large */
    parse_refused(&ps, HEADER "parameter d = 2017-02-29\n", "'2017-02-29' is not a date on the calendar");
    done(&ps);
    parse_refused(&ps, HEADER "parameter d = 1234567890123456\n", "is too large");
    done(&ps);
}

static void test_lexer_parser_text_block_is_dedented(void **state)
{
    (void)state;
    struct parsed ps;
    struct policy *p = parse_ok(&ps, HEADER
                                "rule r quote \"\"\"\n"
                                "      (e) A person who has completed\n"
                                "        his or her sentence ...\n"
                                "\n"
                                "      may file an \"application\".\n"
                                "    \"\"\"\n"
                                "  when t then x because \"y\" citing HS 1\n");
    assert_string_equal(decl_at(p, 0)->u.rule->quote,
                        "(e) A person who has completed\n"
                        "  his or her sentence ...\n"
                        "\n"
                        "may file an \"application\".");
    /* the lines after the block are counted: the rule's 'when' is on line 8 */
    assert_int_equal(decl_at(p, 0)->u.rule->when->loc.line, 8);
    done(&ps);

    /* CRLF line ends are dropped */
    p = parse_ok(&ps, HEADER "rule r quote \"\"\"\r\n   one\r\n     two\r\n   \"\"\" when t then x because \"y\" citing HS 1\r\n");
    assert_string_equal(decl_at(p, 0)->u.rule->quote, "one\n  two");
    done(&ps);

    /* text on the opening line is kept, and counts as not indented */
    p = parse_ok(&ps, HEADER "rule r quote \"\"\"one\n   two\n\"\"\" when t then x because \"y\" citing HS 1\n");
    assert_string_equal(decl_at(p, 0)->u.rule->quote, "one\n   two");
    done(&ps);
}

static void test_lexer_parser_unterminated_text(void **state)
{
    (void)state;
    struct parsed ps;
    parse_refused(&ps, HEADER "rule r quote \"\"\"\n  statute text\n  when t then x because \"y\" citing HS 1\n",
                  "this block of quoted text is never closed");
    assert_says(&ps, "t.policy:2:14: error:");
    assert_says(&ps, "hint: close the quoted statute text with \"\"\"");
    done(&ps);

    parse_refused(&ps, HEADER "rule r when county is \"Los Angeles then x because \"y\" citing HS 1\n",
                  "this text is never closed");
    assert_says(&ps, "hint: end the text with a closing \"");
    done(&ps);

    parse_refused(&ps, HEADER "parameter p = \"a\\tb\"\n", "unknown escape '\\t'");
    done(&ps);
}

/* ---- errors ------------------------------------------------------------ */

/*
 * The wording of syntax messages is tuned over time; what must hold is the
 * place (file:line:col, the source line, a caret under the token), one
 * error per mistake, a hint, and no policy.
 */
static void test_lexer_parser_syntax_error_has_location_and_hint(void **state)
{
    (void)state;
    struct parsed ps;
    parse_refused(&ps, HEADER "rule r when level is felony dismiss because \"y\" citing HS 1\n",
                  "t.policy:2:29: error: ");
    assert_says(&ps, "dismiss");
    assert_says(&ps, "\nhint: ");
    assert_says(&ps, "'then'");
    /* the source line and a caret under the token */
    assert_says(&ps, "    2 | rule r when level is felony dismiss because");
    assert_says(&ps, "      |                             ^~~~~~~\n");
    assert_int_equal(ps.diag.errors, 1);
    done(&ps);

    parse_refused(&ps, HEADER "rule r when t then x because \"y\"\noutcome x is relief\n", "t.policy:");
    assert_says(&ps, "\nhint: ");
    assert_says(&ps, "citing");
    assert_int_equal(ps.diag.errors, 1);
    done(&ps);

    parse_refused(&ps, HEADER "rule r when level is felony is felony then x because \"y\" citing HS 1\n",
                  "t.policy:2:29: error: ");
    assert_says(&ps, "\nhint: ");
    done(&ps);

    parse_refused(&ps, "outcome x is relief\n", "t.policy:1:1: error: ");
    assert_says(&ps, "hint: a policy file starts with: policy \"");
    done(&ps);

    parse_refused(&ps, HEADER "rule r when\n", "t.policy:");
    assert_int_equal(ps.diag.errors, 1);
    done(&ps);

    /* keywords are not names */
    parse_refused(&ps, HEADER "outcome no is no relief\n", "t.policy:2:9: error: ");
    done(&ps);
}

/* Several independent mistakes are all reported in one run. */
static void test_lexer_parser_recovers_to_report_more_errors(void **state)
{
    (void)state;
    struct parsed ps;
    parse_refused(&ps, HEADER
                  "outcome a is relief\n"
                  "rule r when level < 3 then a because \"y\" citing HS 1\n"
                  "outcome b is relief\n"
                  "outcome c is relief\n"
                  "outcome d is relief\n"
                  "rule s when Level is felony then a because \"y\" citing HS 1\n",
                  "t.policy:3:19: error: Lenity does not use the symbol '<'");
    assert_says(&ps, "t.policy:7:13: error: 'Level' is neither a name nor a citation");
    assert_int_equal(ps.diag.errors, 2);
    done(&ps);
}

static void test_lexer_parser_refuses_symbols_with_hints(void **state)
{
    (void)state;
    static const struct { const char *sym, *hint; } cases[] = {
        {"<", "write 'is less than' (numbers) or 'is before' (dates)"},
        {"<=", "write 'is at most' (numbers) or 'is on or before' (dates)"},
        {">", "write 'is more than' (numbers) or 'is after' (dates)"},
        {">=", "write 'is at least' (numbers) or 'is on or after' (dates)"},
        {"==", "write 'is' to compare two values"},
        {"!=", "write 'is not' to compare two values"},
        {"&&", "write 'and'"},
        {"||", "write 'or'"},
        {"!", "write 'not'"},
    };
    struct parsed ps;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256], what[128], hint[160];
        snprintf(text, sizeof text, HEADER "rule r when a %s b then x because \"y\" citing HS 1\n", cases[i].sym);
        snprintf(what, sizeof what, "t.policy:2:15: error: Lenity does not use the symbol '%s'", cases[i].sym);
        snprintf(hint, sizeof hint, "hint: %s\n", cases[i].hint);
        parse_refused(&ps, text, what);
        assert_says(&ps, hint);
        done(&ps);
    }
    parse_refused(&ps, HEADER "rule r: when a then x because \"y\" citing HS 1\n", "the symbol ':'");
    assert_says(&ps, "hint: no colon is needed");
    done(&ps);
}

static void test_lexer_parser_upper_case_name_gets_hint(void **state)
{
    (void)state;
    struct parsed ps;
    parse_refused(&ps, HEADER "rule Possession when t then x because \"y\" citing HS 1\n",
                  "t.policy:2:6: error: 'Possession' is neither a name nor a citation");
    assert_says(&ps, "\nhint: ");
    assert_says(&ps, "lower");
    done(&ps);
    parse_refused(&ps, HEADER "outcome Dismiss is relief\n", "'Dismiss' is neither a name nor a citation");
    done(&ps);
    /* a stray character outside quotes */
    parse_refused(&ps, HEADER "rule r when a ; b then x because \"y\" citing HS 1\n", "the character ';' has no meaning here");
    done(&ps);
    parse_refused(&ps, HEADER "rule r when caf\xc3\xa9 then x because \"y\" citing HS 1\n",
                  "unexpected character outside quotes");
    done(&ps);
}

static char *nested_parens(int depth)
{
    size_t cap = (size_t)depth * 2 + 512;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, HEADER "rule r when ");
    for (int i = 0; i < depth; i++)
        text[n++] = '(';
    text[n++] = 't';
    for (int i = 0; i < depth; i++)
        text[n++] = ')';
    snprintf(text + n, cap - n, " then x because \"y\" citing HS 1\n");
    return text;
}

static void test_lexer_parser_refuses_deep_nesting(void **state)
{
    (void)state;
    struct parsed ps;
    char *text = nested_parens(PARSE_MAX_NESTING);
    struct policy *p = parse_ok(&ps, text);
    assert_name(first_when(p), "t");
    done(&ps);
    free(text);

    text = nested_parens(PARSE_MAX_NESTING + 1);
    parse_refused(&ps, text, "parentheses are nested more than 64 deep");
    done(&ps);
    free(text);

    text = nested_parens(100);
    parse_refused(&ps, text, "parentheses are nested more than 64 deep");
    /* reported at the first parenthesis too many */
    assert_says(&ps, "t.policy:2:77: error:");
    assert_says(&ps, "hint: split the condition");
    done(&ps);
    free(text);

    text = nested_parens(100000);
    parse_refused(&ps, text, "parentheses are nested more than 64 deep");
    done(&ps);
    free(text);
}

/* Deterministic, so that a failure reproduces. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

static void test_lexer_parser_survives_a_megabyte_of_garbage(void **state)
{
    (void)state;
    enum { SIZE = 1 << 20 };
    char *text = malloc(SIZE + 1);
    assert_non_null(text);
    uint32_t seed = 12345;
    /* after a good header (so that recovery goes on through the whole input):
     * printable bytes, newlines, and bytes above 0x7f, anything but NUL */
    static const char start[] = HEADER "outcome a is relief\n";
    size_t header = strlen(start);
    memcpy(text, start, header);
    for (size_t i = header; i < SIZE; i++) {
        uint32_t r = next_random(&seed);
        text[i] = r % 23 == 0 ? '\n' : r % 31 == 0 ? (char)(0x80 + r % 0x80) : (char)(' ' + r % 95);
    }
    text[SIZE] = '\0';
    struct parsed ps;
    assert_null(parse_len(&ps, text, SIZE));
    assert_true(ps.diag.errors > 0);
    assert_true(ps.diag.errors > 100);
    assert_true(ps.diag.suppressed);
    assert_says(&ps, "t.policy:3:");
    done(&ps);

    /* the language's own words in random order reach far deeper into the grammar */
    static const char *const words[] = {
        "policy", "\"p\"", "rule", "r", "when", "then", "because", "citing", "HS 11357(b)", "and", "or", "not",
        "is", "before", "on", "after", "(", ")", "{", "}", ",", "any", "other", "conviction", "convictions",
        "where", "count", "of", "latest", "disposition_date", "2016-11-09", "10 years", "21", "+", "-",
        "years", "between", "age", "at", "otherwise", "quote", "\"\"\"", "example", "person", "born", "expect",
        "outcome", "relief", "no", "review", "parameter", "=", "set", "override", "replace", "less", "than",
        "more", "least", "most", "known", "unknown", "in", "\n", "# comment\n", "felony", "\"text\"", "unless",
    };
    size_t nwords = sizeof words / sizeof words[0];
    size_t n = (size_t)snprintf(text, SIZE, "%s", start);
    while (n < SIZE - 64) {
        const char *w = words[next_random(&seed) % nwords];
        size_t len = strlen(w);
        memcpy(text + n, w, len);
        n += len;
        text[n++] = ' ';
    }
    text[n] = '\0';
    assert_null(parse_len(&ps, text, n));
    /* recovery reports again only after three good tokens, which soup seldom has */
    assert_true(ps.diag.errors > 10);
    done(&ps);
    free(text);
}

static void test_lexer_parser_empty_and_comment_only_input(void **state)
{
    (void)state;
    struct parsed ps;
    parse_refused(&ps, "", "t.policy:1:1: error: ");
    assert_says(&ps, "hint: a policy file starts with");
    assert_int_equal(ps.diag.errors, 1);
    done(&ps);
    parse_refused(&ps, "# nothing but a comment\n\n   \t\n", "error: ");
    assert_says(&ps, "hint: a policy file starts with");
    done(&ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexer_parser_header_fields),
        cmocka_unit_test(test_lexer_parser_outcomes_parameters_sets),
        cmocka_unit_test(test_lexer_parser_rules_and_otherwise),
        cmocka_unit_test(test_lexer_parser_examples),
        cmocka_unit_test(test_lexer_parser_and_binds_tighter_than_or),
        cmocka_unit_test(test_lexer_parser_not_binds_tighter_than_and),
        cmocka_unit_test(test_lexer_parser_comparisons_and_arithmetic),
        cmocka_unit_test(test_lexer_parser_where_absorbs_and),
        cmocka_unit_test(test_lexer_parser_count_where_compares_the_count),
        cmocka_unit_test(test_lexer_parser_citations_with_subsections),
        cmocka_unit_test(test_lexer_parser_durations),
        cmocka_unit_test(test_lexer_parser_text_block_is_dedented),
        cmocka_unit_test(test_lexer_parser_unterminated_text),
        cmocka_unit_test(test_lexer_parser_syntax_error_has_location_and_hint),
        cmocka_unit_test(test_lexer_parser_recovers_to_report_more_errors),
        cmocka_unit_test(test_lexer_parser_refuses_symbols_with_hints),
        cmocka_unit_test(test_lexer_parser_upper_case_name_gets_hint),
        cmocka_unit_test(test_lexer_parser_refuses_deep_nesting),
        cmocka_unit_test(test_lexer_parser_survives_a_megabyte_of_garbage),
        cmocka_unit_test(test_lexer_parser_empty_and_comment_only_input),
    };
    return cmocka_run_group_tests_name("lexer_parser", tests, NULL, NULL);
}
