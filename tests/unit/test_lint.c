/*
 * test_lint.c - the warnings of compiler/lint.c: each one is given when the
 * mistake is there, and only then.  A wrong warning is worse than a missing
 * one, so most tests here are policies that must stay quiet, including
 * every policy shipped under rules/ca/.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compile.h"
#include "program.h"

/* ---- harness ----------------------------------------------------------- */

struct linted {
    bool ok;
    int errors, warnings;
    char *text; /* everything printed */
    size_t len;
};

static void lint_run(struct linted *r, const char *name, const char *text, const struct compile_options *opts,
                     bool werror)
{
    memset(r, 0, sizeof *r);
    FILE *out = open_memstream(&r->text, &r->len);
    assert_non_null(out);
    struct diag diag;
    diag_init(&diag, out);
    diag.warnings_as_errors = werror;
    struct program p;
    program_init(&p);
    r->ok = text ? compile_policy_text(name, text, opts, &diag, &p) : compile_policy(name, opts, &diag, &p);
    fclose(out);
    if (r->ok)
        program_free(&p);
    r->errors = diag.errors;
    r->warnings = diag.warnings;
}

/* Compiles text as l.policy with the default options: it must compile. */
static void lint_ok(struct linted *r, const char *text)
{
    lint_run(r, "l.policy", text, NULL, false);
    if (!r->ok || r->errors)
        fail_msg("the policy did not compile:\n%s\n%s", text, r->text);
}

static void done(struct linted *r)
{
    free(r->text);
    r->text = NULL;
}

static void has(const struct linted *r, const char *what)
{
    if (!strstr(r->text, what))
        fail_msg("the output lacks '%s':\n%s", what, r->text);
}

static void lacks(const struct linted *r, const char *what)
{
    if (strstr(r->text, what))
        fail_msg("the output should not say '%s':\n%s", what, r->text);
}

static void quiet(const struct linted *r)
{
    if (r->warnings != 0 || r->len != 0)
        fail_msg("expected no warning, got %d:\n%s", r->warnings, r->text);
}

static void warns(const struct linted *r, int n)
{
    if (r->warnings != n)
        fail_msg("expected %d warning(s), got %d:\n%s", n, r->warnings, r->text);
}

#define HEAD                                                                                                   \
    "policy \"L\" jurisdiction \"Testland\" authority HS 11361.8 effective 2016-11-09 version \"1\"\n"           \
    "outcome dismiss is relief\n"                                                                              \
    "outcome not_eligible is no relief\n"                                                                      \
    "outcome needs_review is review\n"
#define OTHERWISE "otherwise not_eligible because \"Nothing else.\" citing HS 11361.8\n"
/* A rule giving `outcome` when `cond`. */
#define RULE(name, cond, outcome) "rule " name " when " cond " then " outcome " because \"r\" citing HS 11361.8\n"

/* Two rules, then the final one: the second must (or must not) be reported as never deciding. */
static void two_rules(struct linted *r, const char *first, const char *second)
{
    char text[4096];
    snprintf(text, sizeof text,
             HEAD "set pot = { HS 11357, HS 11358 }\nset wide = { HS 11357, HS 11358, HS 11359 }\n"
                  "parameter local = true\n"
                  "rule first when %s then dismiss because \"r\" citing HS 11361.8\n"
                  "rule second when %s then needs_review because \"r\" citing HS 11361.8\n"
                  "rule uses when citation in pot or citation in wide or local then needs_review because \"r\" citing "
                  "HS 1\n" OTHERWISE,
             first, second);
    lint_ok(r, text);
}

static void never_decides(const char *first, const char *second)
{
    struct linted r;
    two_rules(&r, first, second);
    has(&r, "warning: rule 'second' can never decide: rule 'first' (line 8) comes first");
    has(&r, "hint: if 'second' is an exception to 'first', try it first");
    warns(&r, 1);
    done(&r);
}

static void may_decide(const char *first, const char *second)
{
    struct linted r;
    two_rules(&r, first, second);
    lacks(&r, "can never decide");
    done(&r);
}

/* ---- a rule that can never decide --------------------------------------- */

static void test_lint_rule_after_a_broader_one(void **state)
{
    (void)state;
    /* the example of the brief, and the plain cases */
    never_decides("citation in HS 11357", "citation in HS 11357(b) and level is felony");
    never_decides("citation in HS 11357", "citation in HS 11357(b)(2)");
    never_decides("level is felony", "level is felony");
    never_decides("citation in HS 11357 and level is felony", "level is felony and citation in HS 11357");
    never_decides("citation in pot", "citation in HS 11358(a)");
    never_decides("citation in wide", "citation in pot");
    never_decides("citation in { HS 11357, HS 11359 }", "citation in HS 11359(b) or citation in HS 11357");
    never_decides("citation in HS 11357", "citation is HS 11357(b)");
    never_decides("citation not in HS 11357(a)", "citation not in HS 11357");
    never_decides("citation not in pot", "citation not in wide and level is felony");
    /* an earlier 'or' is false only when both of its sides are */
    never_decides("citation in HS 11357 or level is felony", "citation in HS 11357(b)");
    never_decides("level is felony or citation in HS 11357", "level is felony and county is \"Kern\"");
    /* an earlier 'and' is false when either side is: both must rule this one out */
    never_decides("citation in HS 11357 and citation in pot", "citation in HS 11357(a) and citation in pot");
    /* the same question about the history, written twice */
    never_decides("any other conviction where level is felony",
                  "(any other conviction where level is felony) and citation in HS 11359");
    /* parameters have one value for the whole run */
    never_decides("local", "local and citation in HS 11357");
}

static void test_lint_rule_that_may_decide_is_not_reported(void **state)
{
    (void)state;
    /* narrower first, broader after: the right order */
    may_decide("citation in HS 11357(b)", "citation in HS 11357");
    may_decide("citation in pot", "citation in wide");
    may_decide("citation is HS 11357(b)", "citation in HS 11357(b)");
    /* an earlier 'and' false for its other side lets the later rule decide */
    may_decide("citation in HS 11357 and level is felony", "citation in HS 11357(b)");
    /* 'or' in the later rule: one side is enough to decide */
    may_decide("citation in HS 11357", "citation in HS 11357(b) or level is felony");
    /* a 'not in' first says nothing about an 'in' after */
    may_decide("citation not in pot", "citation in HS 11357(b)");
    may_decide("citation not in HS 11357", "citation not in HS 11357(a)");
    /* different facts, or the same fact compared differently */
    may_decide("level is felony", "level is misdemeanor");
    may_decide("county is \"Kern\"", "county is \"Fresno\"");
    may_decide("age_at_conviction is at least 21", "age_at_conviction is at least 18");
    /* not: the lint does not reason about it beyond the same words */
    may_decide("not level is felony", "level is misdemeanor");
    /* the fact of another conviction is not the fact of this one */
    may_decide("any other conviction where citation in HS 11357", "citation in HS 11357(b)");
    /* gated by different parameters (rules/ca/configurable.policy) */
    may_decide("local and citation in HS 11357", "citation in HS 11357");
}

static void test_lint_earlier_rule_with_unless_is_no_proof(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD "rule first when citation in HS 11357 unless level is felony then dismiss because \"r\" citing "
                     "HS 1\n" RULE("second", "citation in HS 11357(b)", "needs_review") OTHERWISE);
    quiet(&r);
    done(&r);
}

static void test_lint_rule_after_an_always_true_one(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD RULE("everything", "1 is less than 2", "dismiss")
                RULE("late", "disposition_date is after 2016-11-09", "not_eligible") OTHERWISE);
    has(&r, "l.policy:6:6: warning: rule 'late' can never decide: rule 'everything' (line 5) comes first and its "
            "condition is always true, so it decides every conviction");
    has(&r, "hint: give rule 'everything' a condition that can be false, or remove rule 'late'");
    has(&r, "l.policy:7:1: warning: the 'otherwise' rule can never decide: rule 'everything' (line 5)");
    warns(&r, 2);
    done(&r);

    /* with an exception, the always-true rule does not decide everything */
    lint_ok(&r, HEAD "rule everything when true unless level is felony then dismiss because \"r\" citing HS 1\n"
                RULE("felonies", "level is felony", "not_eligible") OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- a condition that is always false ----------------------------------- */

static void test_lint_rule_that_never_applies(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD RULE("young", "citation in HS 11357 and 21 is less than 18", "dismiss")
                RULE("old", "citation in HS 11358", "dismiss") OTHERWISE);
    has(&r, "l.policy:5:17: warning: rule 'young' never applies: this condition is always false");
    has(&r, "hint: as written, no conviction can meet it, so rule 'young' decides nothing");
    warns(&r, 1);
    done(&r);

    lint_ok(&r, HEAD "rule off when citation in HS 11357 unless 2016-11-09 is after 2010-01-01 then dismiss "
                     "because \"r\" citing HS 1\n" RULE("also", "citation in HS 11358", "dismiss") OTHERWISE);
    has(&r, "warning: rule 'off' never applies: this condition after 'unless' is always true");
    warns(&r, 1);
    done(&r);

    /* 'false' written out is seen even without the optimizer */
    struct compile_options o0;
    memset(&o0, 0, sizeof o0);
    o0.no_optimize = true;
    lint_run(&r, "l.policy", HEAD RULE("off", "false", "dismiss") RULE("also", "level is felony", "dismiss") OTHERWISE,
             &o0, false);
    assert_true(r.ok);
    has(&r, "warning: rule 'off' never applies: this condition is always false");
    done(&r);
}

static void test_lint_conditions_on_facts_are_not_constant(void **state)
{
    (void)state;
    struct linted r;
    /* unknown facts are never folded, and a false part does not make an 'or' false */
    lint_ok(&r, HEAD RULE("a", "level is felony or 1 is 2", "dismiss")
                RULE("b", "disposition_date + 10 years is before 2016-11-09", "dismiss")
                RULE("c", "age at 2016-11-09 is at least 21", "not_eligible") OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- an outcome no rule gives ------------------------------------------- */

static void test_lint_outcome_never_given(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD "outcome reduce is relief\noutcome hand_check is review\n"
                RULE("a", "citation in HS 11357", "dismiss") OTHERWISE);
    has(&r, "l.policy:5:9: warning: the outcome 'reduce' is declared, but no rule gives it");
    has(&r, "hint: give it in a rule (then reduce), or remove the declaration");
    /* a second review outcome is not given by missing facts */
    has(&r, "l.policy:6:9: warning: the outcome 'hand_check' is declared, but no rule gives it");
    /* the review outcome is, even when no rule names it */
    lacks(&r, "'needs_review'");
    warns(&r, 2);
    done(&r);

    /* given by the otherwise rule only */
    lint_ok(&r, HEAD RULE("a", "citation in HS 11357", "dismiss") OTHERWISE);
    quiet(&r);
    done(&r);

    /* given only after the first in a list: then dismiss and seal */
    lint_ok(&r, HEAD "outcome seal is relief\n" RULE("a", "citation in HS 11357", "dismiss and seal") OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- parameters and sets no rule uses ----------------------------------- */

static void test_lint_unused_parameter_and_set(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD "parameter cutoff = 2016-11-09\nset strikes = { PC 187 }\n"
                RULE("late", "disposition_date is after 2016-11-09", "dismiss") OTHERWISE);
    has(&r, "l.policy:5:11: warning: the parameter 'cutoff' is declared, but no rule uses it");
    has(&r, "hint: use it in a condition or name it in a reason ({cutoff}), or remove it");
    has(&r, "l.policy:6:5: warning: the set 'strikes' is declared, but no rule uses it");
    has(&r, "hint: use it in a condition (citation in strikes), or remove it");
    warns(&r, 2);
    done(&r);
}

static void test_lint_every_use_counts(void **state)
{
    (void)state;
    struct linted r;
    /* in 'unless', inside a history question, in a list, and named in a reason */
    lint_ok(&r, HEAD "parameter cutoff = 2016-11-09\nparameter adult_age = 21\nparameter limit = 3\nparameter local = true\n"
                     "set strikes = { PC 187 }\nset pot = { HS 11357 }\n"
                     "rule a when citation in pot unless any other conviction where citation in strikes\n"
                     "  then dismiss because \"Older than {adult_age}.\" citing HS 1\n"
                     "rule b when count of convictions where disposition_date is after cutoff is at least limit\n"
                     "  then not_eligible because \"r\" citing HS 1\n"
                     "rule c when local and level is felony then needs_review because \"r\" citing HS 1\n" OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- a citation twice, or inside a broader one -------------------------- */

static void test_lint_citation_listed_twice_or_covered(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD "set pot = { HS 11357(b), HS 11358, HS 11357, HS 11358 }\n"
                RULE("a", "citation in pot", "dismiss") RULE("b", "citation in { PC 187(a), PC 211, PC 187 }", "dismiss")
                    OTHERWISE);
    has(&r, "l.policy:5:13: warning: HS 11357(b) is already covered by HS 11357 in the set 'pot'");
    has(&r, "hint: HS 11357 takes in HS 11357(b) and everything inside it, so this entry changes nothing: remove "
            "HS 11357(b)");
    has(&r, "l.policy:5:46: warning: HS 11358 is listed twice in the set 'pot'");
    has(&r, "hint: remove this one: it is first listed at column 26");
    has(&r, "warning: PC 187(a) is already covered by PC 187 in this list");
    warns(&r, 3);
    done(&r);

    /* the same citation in other letters is the same citation */
    lint_ok(&r, HEAD "set pot = { HS 11357(B), HS 11357(b) }\n" RULE("a", "citation in pot", "dismiss") OTHERWISE);
    has(&r, "warning: HS 11357(b) is listed twice in the set 'pot'");
    warns(&r, 1);
    done(&r);

    /* neighbours that are not inside each other: HS 11360 does not take in HS 11360.5 */
    lint_ok(&r, HEAD "set pot = { HS 11360, HS 11360.5, HS 11359(a), HS 11359(b) }\n"
                RULE("a", "citation in pot", "dismiss") OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- no otherwise ------------------------------------------------------- */

static void test_lint_no_otherwise(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD RULE("a", "citation in HS 11357", "dismiss") RULE("b", "citation in HS 11358", "not_eligible"));
    has(&r, "l.policy:1:1: warning: the policy writes no 'otherwise' rule: a conviction that no rule decides gets "
            "the built-in one, which gives the review outcome 'needs_review'");
    has(&r, "hint: say what happens to the rest yourself, as the last rule, e.g. otherwise needs_review because");
    has(&r, "citing HS 11361.8");
    warns(&r, 1);
    done(&r);

    /* a last rule that always decides leaves nothing for an otherwise */
    lint_ok(&r, HEAD RULE("a", "citation in HS 11357", "dismiss") RULE("rest", "true", "not_eligible"));
    quiet(&r);
    done(&r);
}

/* ---- 'where' runs to the end -------------------------------------------- */

static void test_lint_where_runs_to_the_end(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD "rule clean when no other conviction where level is felony and no other conviction where "
                     "county is \"Kern\"\n  then dismiss because \"r\" citing HS 1\n" OTHERWISE);
    has(&r, "l.policy:5:63: warning: this 'no other conviction' is read as part of the 'where' condition of the "
            "'no other conviction' before it (column 17), not as a separate question");
    has(&r, "put each in parentheses: (no other conviction where level is felony) and (no other conviction where "
            "county is \"Kern\")");
    warns(&r, 1);
    done(&r);

    /* over lines, with 'or', a count compared: the first question is closed, the rest stays as written */
    lint_ok(&r, HEAD "rule busy when any conviction where level is felony\n"
                     "   or count of other convictions where level is misdemeanor is at least 3 and level is felony\n"
                     "  then dismiss because \"r\" citing HS 1\n" OTHERWISE);
    has(&r, "l.policy:6:7: warning: this 'count of other convictions' is read as part of the 'where' condition of "
            "the 'any conviction' before it (line 5)");
    has(&r, "(any conviction where level is felony) or count of other convictions where level is misdemeanor is at "
            "least 3 and level is felony;");
    warns(&r, 1);
    done(&r);

    /* a comment in the way: the hint does not quote the policy */
    lint_ok(&r, HEAD "rule clean when no conviction where level is felony # felonies\n"
                     "   and no conviction where county is \"Kern\"\n"
                     "  then dismiss because \"r\" citing HS 1\n" OTHERWISE);
    has(&r, "e.g. (no conviction where level is felony) and (no conviction where citation in HS 11359)");
    warns(&r, 1);
    done(&r);
}

static void test_lint_where_with_parentheses_is_quiet(void **state)
{
    (void)state;
    struct linted r;
    lint_ok(&r, HEAD
            /* each question closed */
            "rule a when (no other conviction where level is felony) and (no other conviction where county is "
            "\"Kern\")\n  then dismiss because \"r\" citing HS 1\n"
            /* the whole condition of the first in parentheses: a nested question on purpose */
            "rule b when any other conviction where (level is felony and any conviction in the same case where "
            "county is \"Kern\")\n  then dismiss because \"r\" citing HS 1\n"
            /* the inner question in parentheses: nested on purpose (tests/policies/history_aggregates.policy) */
            "rule c when any other conviction where level is felony\n"
            "   and (any conviction where county is \"Kern\")\n  then dismiss because \"r\" citing HS 1\n"
            "rule d when any other conviction where citation in HS 11357\n"
            "   and (count of other convictions in the same case where level is felony) is at least 1\n"
            "  then dismiss because \"r\" citing HS 1\n"
            /* a question first, a condition about the decided conviction after: nothing nested */
            "rule e when citation in HS 11357 and no other conviction where level is felony\n"
            "  then dismiss because \"r\" citing HS 1\n"
            /* the comparison ends the count's condition */
            "rule f when count of convictions where citation in HS 11357 is at least 3 and citation in HS 11357\n"
            "  then needs_review because \"r\" citing HS 1\n" OTHERWISE);
    quiet(&r);
    done(&r);
}

/* ---- warnings never stop a compile, unless asked ------------------------- */

static const char three_warnings[] = HEAD "parameter unused = 3\n" RULE("a", "citation in HS 11357", "dismiss")
    RULE("b", "citation in HS 11357(b)", "not_eligible");

static void test_lint_warnings_do_not_stop_the_compile(void **state)
{
    (void)state;
    struct linted r;
    lint_run(&r, "l.policy", three_warnings, NULL, false);
    assert_true(r.ok);
    assert_int_equal(r.errors, 0);
    warns(&r, 3);
    /* in the order of the source */
    const char *otherwise = strstr(r.text, "l.policy:1:1: warning");
    const char *param = strstr(r.text, "l.policy:5:11: warning");
    const char *rule = strstr(r.text, "l.policy:7:6: warning");
    assert_non_null(otherwise);
    assert_non_null(param);
    assert_non_null(rule);
    assert_true(otherwise < param && param < rule);
    done(&r);
}

static void test_lint_warnings_as_errors(void **state)
{
    (void)state;
    struct linted r;
    lint_run(&r, "l.policy", three_warnings, NULL, true);
    assert_false(r.ok);
    assert_int_equal(r.errors, 3);
    assert_int_equal(r.warnings, 0);
    has(&r, "l.policy:5:11: error: the parameter 'unused' is declared, but no rule uses it");
    lacks(&r, "warning:");
    done(&r);

    /* a clean policy still compiles */
    lint_run(&r, "l.policy", HEAD RULE("a", "citation in HS 11357", "dismiss") OTHERWISE, NULL, true);
    assert_true(r.ok);
    quiet(&r);
    done(&r);
}

static void test_lint_can_be_turned_off(void **state)
{
    (void)state;
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    opts.no_lint = true;
    struct linted r;
    lint_run(&r, "l.policy", three_warnings, &opts, true);
    assert_true(r.ok);
    quiet(&r);
    done(&r);
}

/* ---- a policy that extends another -------------------------------------- */

struct tmp {
    char dir[64];
    char path[4][128];
    int n;
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/lenity_lint_XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    for (int i = 0; i < t->n; i++)
        unlink(t->path[i]);
    rmdir(t->dir);
    free(t);
    return 0;
}

static void tmp_write(struct tmp *t, const char *name, const char *text)
{
    assert_true(t->n < 4);
    char dir[sizeof t->dir];
    memcpy(dir, t->dir, sizeof dir);
    char *path = t->path[t->n++];
    snprintf(path, sizeof t->path[0], "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A parent that is clean on its own. */
static const char parent[] =
    HEAD "parameter cutoff = 2016-11-09\nparameter adult_age = 21\n"
    "set pot = { HS 11357, HS 11358, HS 11359, HS 11360 }\n"                                   /* line 7 */
    RULE("after_cutoff", "disposition_date is on or after cutoff", "not_eligible")             /* line 8 */
    RULE("not_pot", "citation not in pot", "not_eligible")                                     /* line 9 */
    RULE("adult", "citation in HS 11357(b) and age_at_conviction is at least adult_age", "dismiss")
    RULE("cultivation", "citation in HS 11358", "needs_review")                                /* line 11 */
    RULE("young", "citation in HS 11357(b) and level is misdemeanor", "dismiss") OTHERWISE;

static void lint_child(struct tmp *t, struct linted *r, const char *child)
{
    char name[160];
    snprintf(name, sizeof name, "%s/child.policy", t->dir);
    lint_run(r, name, child, NULL, false);
    if (!r->ok)
        fail_msg("the child did not compile:\n%s", r->text);
}

static void test_lint_extends(void **state)
{
    struct tmp *t = *state;
    tmp_write(t, "parent.policy", parent);
    struct linted r;
    lint_run(&r, t->path[0], NULL, NULL, false);
    assert_true(r.ok);
    quiet(&r);
    done(&r);

    /* inherits everything, adds nothing: the parent's sets, parameters, outcomes and otherwise are its own */
    lint_child(t, &r, "policy \"C\" extends \"parent.policy\" version \"c1\"\n");
    quiet(&r);
    done(&r);

    /* overrides that the parent's rules use are used */
    lint_child(t, &r, "policy \"C\" extends \"parent.policy\"\noverride parameter adult_age = 18\n"
                      "override set pot = { HS 11357, HS 11358 }\n");
    quiet(&r);
    done(&r);

    /*
     * A broader rule placed before inherited ones is how a county does more than
     * the state: the inherited rules it shadows are not this file's mistake.
     */
    lint_child(t, &r, "policy \"C\" extends \"parent.policy\"\n"
                      "rule misdemeanors after not_pot when level is misdemeanor then dismiss because \"r\" citing HS 1\n");
    quiet(&r);
    done(&r);

    /* A new rule, placed after the parent's, that a parent's rule shadows: reported, naming the parent's file. */
    lint_child(t, &r, "policy \"C\" extends \"parent.policy\"\n"
                      "rule small_cultivation when citation in HS 11358(a) and level is misdemeanor\n"
                      "  then dismiss because \"r\" citing HS 1\n");
    char want[512];
    snprintf(want, sizeof want,
             "child.policy:2:6: warning: rule 'small_cultivation' can never decide: rule 'cultivation' (line 11 of "
             "%s/parent.policy) comes first",
             t->dir);
    has(&r, want);
    has(&r, "rule small_cultivation before cultivation");
    warns(&r, 1);
    done(&r);

    /* what the child itself declares and leaves unused */
    lint_child(t, &r, "policy \"C\" extends \"parent.policy\"\noutcome reduce is relief\n"
                      "parameter county_name = \"Kern\"\noverride parameter adult_age = 18\n"
                      "replace rule adult when citation in HS 11357(b) then dismiss because \"r\" citing HS 1\n");
    has(&r, "child.policy:2:9: warning: the outcome 'reduce' is declared, but no rule gives it");
    has(&r, "child.policy:3:11: warning: the parameter 'county_name' is declared, but no rule uses it");
    has(&r, "child.policy:4:20: warning: the parameter 'adult_age' is overridden here, but no rule uses it");
    has(&r, "remove the override");
    /* the replaced rule now decides what the parent's 'young' did: the parent's rule, not this file's mistake */
    lacks(&r, "'young'");
    lacks(&r, "child.policy:5");
    warns(&r, 3);
    done(&r);
}

static void test_lint_extends_without_otherwise(void **state)
{
    struct tmp *t = *state;
    tmp_write(t, "base.policy", HEAD RULE("a", "citation in HS 11357", "dismiss") RULE("b", "level is felony",
                                                                                       "not_eligible"));
    char name[160];
    snprintf(name, sizeof name, "%s/child.policy", t->dir);
    struct linted r;
    lint_run(&r, name, "policy \"C\" extends \"base.policy\"\n", NULL, false);
    assert_true(r.ok);
    has(&r, "child.policy:1:1: warning: the policy writes no 'otherwise' rule");
    warns(&r, 1);
    done(&r);

    lint_run(&r, name,
             "policy \"C\" extends \"base.policy\"\n"
             "otherwise needs_review because \"r\" citing HS 1\n",
             NULL, false);
    assert_true(r.ok);
    quiet(&r);
    done(&r);
}

/* ---- the shipped policies ------------------------------------------------ */

struct expected_warning {
    const char *policy;  /* path ending */
    const char *message; /* part of the message */
};

/*
 * rules/ca/california.policy holds the definitions its county policies
 * share: outcomes and a parameter that only the policies extending it use.
 * Said of the file alone, each warning is true.
 */
static const struct expected_warning shipped_warnings[] = {
    {"rules/ca/california.policy", "17:9: warning: the outcome 'dismiss' is declared, but no rule gives it"},
    {"rules/ca/california.policy", "18:9: warning: the outcome 'reduce' is declared, but no rule gives it"},
    {"rules/ca/california.policy", "19:9: warning: the outcome 'not_eligible' is declared, but no rule gives it"},
    {"rules/ca/california.policy", "24:11: warning: the parameter 'cutoff' is declared, but no rule uses it"},
};

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static void lint_shipped(const char *pattern)
{
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc > 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        struct linted r;
        lint_run(&r, path, NULL, NULL, false);
        if (!r.ok)
            fail_msg("%s did not compile:\n%s", path, r.text);
        int expected = 0;
        for (size_t k = 0; k < sizeof shipped_warnings / sizeof shipped_warnings[0]; k++) {
            if (!ends_with(path, shipped_warnings[k].policy))
                continue;
            expected++;
            has(&r, shipped_warnings[k].message);
        }
        if (r.warnings != expected)
            fail_msg("%s: expected %d warning(s), got %d:\n%s", path, expected, r.warnings, r.text);
        done(&r);
    }
    globfree(&g);
}

static void test_lint_shipped_rules(void **state)
{
    (void)state;
    lint_shipped("rules/ca/*.policy");
}

static void test_lint_shipped_examples(void **state)
{
    (void)state;
    lint_shipped("examples/*.policy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lint_rule_after_a_broader_one),
        cmocka_unit_test(test_lint_rule_that_may_decide_is_not_reported),
        cmocka_unit_test(test_lint_earlier_rule_with_unless_is_no_proof),
        cmocka_unit_test(test_lint_rule_after_an_always_true_one),
        cmocka_unit_test(test_lint_rule_that_never_applies),
        cmocka_unit_test(test_lint_conditions_on_facts_are_not_constant),
        cmocka_unit_test(test_lint_outcome_never_given),
        cmocka_unit_test(test_lint_unused_parameter_and_set),
        cmocka_unit_test(test_lint_every_use_counts),
        cmocka_unit_test(test_lint_citation_listed_twice_or_covered),
        cmocka_unit_test(test_lint_no_otherwise),
        cmocka_unit_test(test_lint_where_runs_to_the_end),
        cmocka_unit_test(test_lint_where_with_parentheses_is_quiet),
        cmocka_unit_test(test_lint_warnings_do_not_stop_the_compile),
        cmocka_unit_test(test_lint_warnings_as_errors),
        cmocka_unit_test(test_lint_can_be_turned_off),
        cmocka_unit_test_setup_teardown(test_lint_extends, tmp_setup, tmp_teardown),
        cmocka_unit_test_setup_teardown(test_lint_extends_without_otherwise, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_lint_shipped_rules),
        cmocka_unit_test(test_lint_shipped_examples),
    };
    return cmocka_run_group_tests_name("lint", tests, NULL, NULL);
}
