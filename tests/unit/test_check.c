/*
 * test_check.c - what compile_policy_text and compile_policy say about
 * mistakes a policy writer makes (names, types, header, outcomes,
 * examples), and how `extends` merges a policy onto the one it extends,
 * with files written to a temporary folder.
 *
 * Messages are checked for the facts they must carry (the place, the
 * names involved, a hint and what it suggests), not word for word, so that
 * their wording can keep improving.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "compile.h"
#include "diag.h"
#include "examples.h"
#include "person.h"
#include "program.h"
#include "vm.h"

/* ---- harness ----------------------------------------------------------- */

struct compiled {
    struct program p;
    struct diag diag;
    FILE *out;
    char *messages;
    size_t len;
    bool ok;
};

static void begin(struct compiled *c)
{
    memset(c, 0, sizeof *c);
    c->out = open_memstream(&c->messages, &c->len);
    assert_non_null(c->out);
    diag_init(&c->diag, c->out);
    program_init(&c->p);
}

static bool compile_text(struct compiled *c, const char *text)
{
    begin(c);
    c->ok = compile_policy_text("c.policy", text, NULL, &c->diag, &c->p);
    fflush(c->out);
    return c->ok;
}

static bool compile_file(struct compiled *c, const char *path)
{
    begin(c);
    c->ok = compile_policy(path, NULL, &c->diag, &c->p);
    fflush(c->out);
    return c->ok;
}

static void release(struct compiled *c)
{
    fclose(c->out);
    free(c->messages);
    program_free(&c->p);
}

static void says(const struct compiled *c, const char *what)
{
    if (!strstr(c->messages, what))
        fail_msg("the diagnostics lack '%s':\n%s", what, c->messages);
}

static void never_says(const struct compiled *c, const char *what)
{
    if (strstr(c->messages, what))
        fail_msg("the diagnostics should not say '%s':\n%s", what, c->messages);
}

/* The hint printed after the message containing `message`, or fail. */
static void hint_after(const struct compiled *c, const char *message, const char *hint_part)
{
    const char *m = strstr(c->messages, message);
    if (!m)
        fail_msg("the diagnostics lack '%s':\n%s", message, c->messages);
    const char *next_error = strstr(m + 1, ": error: ");
    const char *h = strstr(m, "\nhint: ");
    if (!h || (next_error && h > next_error))
        fail_msg("no hint follows '%s':\n%s", message, c->messages);
    const char *end = strchr(h + 1, '\n');
    size_t n = end ? (size_t)(end - h) : strlen(h);
    char *line = strndup(h, n);
    assert_non_null(line);
    bool found = strstr(line, hint_part) != NULL;
    if (!found) {
        print_error("the hint after '%s' is%s\n", message, line);
        free(line);
        fail_msg("the hint lacks '%s'", hint_part);
    }
    free(line);
}

/* Compiles text that must fail with `message` (and at least one error). */
static void refused(struct compiled *c, const char *text, const char *message)
{
    if (compile_text(c, text))
        fail_msg("compiled without error:\n%s", text);
    assert_true(c->diag.errors > 0);
    says(c, message);
}

#define HEADER "policy \"p\" jurisdiction \"Testland\" authority HS 1 effective 2016-01-01 version \"1\"\n"
#define OUTCOMES                                                                                   \
    "outcome dismiss is relief\n"                                                                  \
    "outcome not_eligible is no relief\n"                                                          \
    "outcome needs_review is review\n"
#define DECLS                                                                                      \
    "parameter cutoff = 2016-11-09\n"                                                              \
    "set pot = { HS 11357, HS 11358 }\n"

/* A policy whose one rule has condition `cond`. */
static char *with_rule(const char *cond)
{
    static char text[4096];
    snprintf(text, sizeof text,
             HEADER OUTCOMES DECLS "rule r when %s then dismiss because \"why\" citing HS 1\n", cond);
    return text;
}

static const char valid_policy[] =
    "# a complete policy: no errors, no warnings, and its examples pass\n"
    "policy \"Valid\" jurisdiction \"Testland\" authority HS 11361.8 effective 2016-11-09 version \"1.0\"\n"
    "  missing day rounds down\n"
    OUTCOMES
    "parameter cutoff = 2016-11-09\n"
    "parameter adult_age = 21\n"
    "set pot = { HS 11357, HS 11358, HS 11359, HS 11360 }\n"
    "rule after_cutoff when disposition_date is on or after cutoff\n"
    "  then not_eligible because \"Too late.\" citing HS 11361.8(a)\n"
    "rule not_pot when citation not in pot then not_eligible because \"Not cannabis.\" citing HS 11361.8(e)\n"
    "rule adult quote \"\"\"\n    (e) A person ...\n  \"\"\"\n"
    "  when citation in HS 11357(b) and age_at_conviction is at least adult_age\n"
    "  unless any other conviction where citation in { PC 187 }\n"
    "  then dismiss because \"Lawful for an adult.\" citing HS 11361.8(e)\n"
    "otherwise needs_review because \"Check by hand.\" citing HS 11361.8\n"
    "example \"adult\" person born 1980-01-01\n"
    "  conviction HS 11357(b) misdemeanor on 2010-05-01 county \"Kern\" expect dismiss by rule adult\n"
    "  conviction PC 459 on 2001-01-01 expect not_eligible by rule not_pot\n"
    "example \"no birth date\" person\n"
    "  conviction HS 11357(b) on 2010-05-01 expect needs_review by rule adult\n"
    "  conviction HS 11358 on 2010-05-01 expect otherwise\n";

/* ---- a valid policy ---------------------------------------------------- */

static void test_check_valid_policy_compiles_cleanly(void **state)
{
    (void)state;
    struct compiled c;
    if (!compile_text(&c, valid_policy))
        fail_msg("refused:\n%s", c.messages);
    assert_int_equal(c.diag.errors, 0);
    assert_int_equal(c.diag.warnings, 0);
    assert_int_equal(c.len, 0);
    assert_string_equal(program_str(&c.p, c.p.name), "Valid");
    assert_int_equal(c.p.nrules, 4);
    assert_int_equal(c.p.noutcomes, 3);
    assert_int_equal(c.p.review_outcome, 2);
    assert_int_equal(c.p.nexamples, 2);
    char *report = NULL;
    size_t report_len = 0;
    FILE *sink = open_memstream(&report, &report_len);
    assert_non_null(sink);
    struct examples_result result = {0, 0};
    assert_true(examples_run(&c.p, sink, &result));
    fclose(sink);
    if (result.passed != 4 || result.failed != 0)
        fail_msg("%u passed, %u failed:\n%s", (unsigned)result.passed, (unsigned)result.failed, report);
    free(report);
    release(&c);
}

/* ---- names ------------------------------------------------------------- */

static void test_check_misspelled_fact_did_you_mean(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, with_rule("levl is felony"), "c.policy:7:13: error: 'levl' is not a fact, parameter or set");
    hint_after(&c, "'levl'", "did you mean 'level'?");
    assert_int_equal(c.diag.errors, 1);
    release(&c);

    refused(&c, with_rule("conviction.levl is felony"), "'levl'");
    hint_after(&c, "'levl'", "did you mean 'conviction.level'?");
    release(&c);

    refused(&c, with_rule("person.date_of_bith is known"), "'date_of_bith'");
    hint_after(&c, "'date_of_bith'", "did you mean 'person.date_of_birth'?");
    release(&c);

    /* a bare name closest to a person's fact points to person. */
    refused(&c, with_rule("date_of_brith is known"), "'date_of_brith' is not a fact, parameter or set");
    hint_after(&c, "'date_of_brith'", "did you mean 'person.date_of_birth'?");
    release(&c);

    /* a person's fact written bare */
    refused(&c, with_rule("date_of_birth is known"), "'date_of_birth' is a fact about the person");
    hint_after(&c, "'date_of_birth' is a fact", "person.date_of_birth");
    release(&c);

    /* parameters and sets are candidates too */
    refused(&c, with_rule("disposition_date is before cutof"), "'cutof'");
    hint_after(&c, "'cutof'", "did you mean 'cutoff'?");
    release(&c);
    refused(&c, with_rule("citation in pott"), "'pott'");
    hint_after(&c, "'pott'", "did you mean 'pot'?");
    release(&c);

    /* nothing close: say how to declare it */
    refused(&c, with_rule("weight_grams is 3"), "'weight_grams' is not a fact, parameter or set");
    hint_after(&c, "'weight_grams'", "parameter");
    never_says(&c, "did you mean");
    release(&c);

    /* every mistake is reported in one run */
    refused(&c, with_rule("levl is felony and countty is \"Kern\" and citation in pott"), "'levl'");
    says(&c, "'countty'");
    says(&c, "'pott'");
    assert_int_equal(c.diag.errors, 3);
    release(&c);
}

static void test_check_misspelled_outcome_did_you_mean(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, HEADER OUTCOMES "rule r when level is felony then dismis because \"x\" citing HS 1\n",
            "c.policy:5:34: error: 'dismis' is not an outcome this policy declares");
    hint_after(&c, "'dismis'", "did you mean 'dismiss'?");
    release(&c);

    refused(&c, HEADER OUTCOMES "otherwise needs_reveiw because \"x\" citing HS 1\n", "'needs_reveiw'");
    hint_after(&c, "'needs_reveiw'", "did you mean 'needs_review'?");
    release(&c);

    refused(&c, HEADER OUTCOMES "rule r when level is felony then banana because \"x\" citing HS 1\n",
            "'banana' is not an outcome this policy declares");
    hint_after(&c, "'banana'", "outcome banana is");
    release(&c);
}

/* ---- types ------------------------------------------------------------- */

static void test_check_date_compared_with_number(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, with_rule("disposition_date is before 21"), "c.policy:7:13: error: cannot compare");
    says(&c, "a date with a whole number");
    hint_after(&c, "cannot compare", "2016-11-09");
    release(&c);

    refused(&c, with_rule("age_at_conviction is less than 2016-11-09"), "cannot compare");
    says(&c, "a whole number with a date");
    hint_after(&c, "cannot compare", "age");
    release(&c);

    refused(&c, with_rule("disposition_date is 5"), "cannot compare");
    hint_after(&c, "cannot compare", "date");
    release(&c);

    /* other mixtures are refused too */
    refused(&c, with_rule("citation is \"HS 11357\""), "cannot compare");
    hint_after(&c, "cannot compare", "citation is HS 11357");
    release(&c);
    refused(&c, with_rule("disposition_date is before 10 years"), "cannot compare");
    hint_after(&c, "cannot compare", "disposition_date + 10 years");
    release(&c);
    refused(&c, with_rule("level is \"felony\""), "cannot compare");
    release(&c);
}

static void test_check_before_on_numbers(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, with_rule("age_at_conviction is before 21"), "'is before' compares dates, and these are");
    says(&c, "whole numbers");
    hint_after(&c, "'is before' compares dates", "'is less than'");
    release(&c);

    refused(&c, with_rule("sentence is on or after 6 months"), "'is on or after' compares dates");
    hint_after(&c, "'is on or after' compares dates", "'is at least'");
    release(&c);

    refused(&c, with_rule("disposition_date is less than cutoff"), "'is less than' compares numbers, durations or quantities");
    hint_after(&c, "'is less than' compares", "'is before'");
    release(&c);

    refused(&c, with_rule("level is at least felony"), "'is at least' compares numbers, durations or quantities");
    release(&c);

    refused(&c, with_rule("county is after \"A\""), "'is after' compares dates");
    release(&c);
}

static void test_check_other_type_errors(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, with_rule("level"), "the condition after 'when' must be");
    hint_after(&c, "the condition after 'when'", "level is felony");
    release(&c);
    refused(&c, with_rule("level is felony and 3"), "each side of 'and' must be");
    release(&c);
    refused(&c, with_rule("county in pot"), "what comes before 'in' must be");
    release(&c);
    refused(&c, with_rule("citation in 2016-01-01"), "what comes after 'in' must be a set of citations or a citation");
    release(&c);
    refused(&c, with_rule("disposition_date + 3 is before cutoff"), "cannot add");
    release(&c);
    refused(&c, with_rule("age at 21 is 3"), "what follows 'age at' must be");
    release(&c);
    refused(&c, with_rule("latest county of convictions is known"), "'county' is not a date of a conviction");
    release(&c);
    refused(&c, with_rule("pot is pot"), "a set of citations cannot be compared");
    release(&c);
}

/* ---- outcomes, header, declarations ------------------------------------ */

static void test_check_missing_review_outcome(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, HEADER "outcome dismiss is relief\noutcome not_eligible is no relief\n"
                "rule r when level is felony then dismiss because \"x\" citing HS 1\n",
            "c.policy:1:"); /* the header's place */
    says(&c, "error: the policy declares no outcome of kind review");
    hint_after(&c, "no outcome of kind review", "is review");
    assert_int_equal(c.diag.errors, 1);
    release(&c);
}

static void test_check_missing_header_fields(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, "policy \"bare\"\n" OUTCOMES, "the policy does not say its jurisdiction");
    hint_after(&c, "its jurisdiction", "jurisdiction \"");
    hint_after(&c, "the policy does not say the authority", "authority HS");
    hint_after(&c, "the policy does not say its version", "version \"");
    hint_after(&c, "the policy does not say its effective date", "effective 2016-11-09");
    assert_int_equal(c.diag.errors, 4);
    says(&c, "c.policy:1:");
    release(&c);

    /* one missing: only that one */
    refused(&c, "policy \"p\" jurisdiction \"X\" authority HS 1 version \"1\"\n" OUTCOMES,
            "the policy does not say its effective date");
    assert_int_equal(c.diag.errors, 1);
    release(&c);
}

static void test_check_parameter_named_like_a_fact(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, HEADER OUTCOMES "parameter level = felony\n", "c.policy:5:11: error: 'level' is the name of a fact of the record");
    hint_after(&c, "'level' is the name of a fact", "another name");
    release(&c);
    refused(&c, HEADER OUTCOMES "parameter date_of_birth = 1990-01-01\n", "'date_of_birth' is the name of a fact");
    release(&c);
    refused(&c, HEADER OUTCOMES "set county = { HS 1 }\n", "'county' is the name of a fact");
    release(&c);
    refused(&c, HEADER OUTCOMES "set pot = { HS 1 }\nparameter pot = 3\n", "'pot' is also the name of a set");
    release(&c);
    refused(&c, HEADER OUTCOMES "parameter a = 1\nparameter a = 2\n", "the parameter 'a' is already declared (at c.policy:5)");
    release(&c);
    refused(&c, HEADER OUTCOMES "outcome dismiss is review\n", "the outcome 'dismiss' is already declared");
    release(&c);
    refused(&c, HEADER OUTCOMES
            "rule r when level is felony then dismiss because \"x\" citing HS 1\n"
            "rule r when level is misdemeanor then dismiss because \"x\" citing HS 1\n",
            "a rule named 'r' already exists (at c.policy:5)");
    release(&c);
}

static void test_check_override_without_extends(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, HEADER OUTCOMES "override parameter cutoff = 2010-01-01\n",
            "c.policy:5:20: error: there is no parameter 'cutoff' to override");
    hint_after(&c, "there is no parameter 'cutoff'", "'override' is for a policy that extends another");
    release(&c);
    refused(&c, HEADER OUTCOMES "override set pot = { HS 1 }\n", "there is no set 'pot' to override");
    hint_after(&c, "there is no set 'pot'", "'override' is for a policy that extends another");
    release(&c);
    /* even of a parameter or set declared earlier in the same file */
    refused(&c, HEADER OUTCOMES "parameter cutoff = 2016-11-09\noverride parameter cutoff = 2010-01-01\n",
            "c.policy:6:20: error: there is no parameter 'cutoff' to override");
    hint_after(&c, "there is no parameter 'cutoff'", "'override' is for a policy that extends another");
    assert_int_equal(c.diag.errors, 1);
    release(&c);
    refused(&c, HEADER OUTCOMES "set pot = { HS 1 }\noverride set pot = { HS 2 }\n", "there is no set 'pot' to override");
    hint_after(&c, "there is no set 'pot'", "'override' is for a policy that extends another");
    release(&c);
    refused(&c, HEADER OUTCOMES "replace rule r when level is felony then dismiss because \"x\" citing HS 1\n",
            "there is no rule 'r' to replace");
    hint_after(&c, "there is no rule 'r' to replace", "'replace rule' is for a policy that extends another");
    release(&c);
    refused(&c, HEADER OUTCOMES
            "rule r when level is felony then dismiss because \"x\" citing HS 1\n"
            "rule s before q when level is felony then dismiss because \"x\" citing HS 1\n",
            "there is no rule 'q' to place this rule before");
    release(&c);
}

static void test_check_examples_name_unknown_outcomes_and_rules(void **state)
{
    (void)state;
    struct compiled c;
    refused(&c, HEADER OUTCOMES "rule r when level is felony then dismiss because \"x\" citing HS 1\n"
                "example \"e\" person born 1980-01-01\n"
                "  conviction HS 11357 felony expect dismis by rule r\n",
            "c.policy:7:37: error: 'dismis' is not an outcome this policy declares");
    hint_after(&c, "'dismis'", "did you mean 'dismiss'?");
    release(&c);

    refused(&c, HEADER OUTCOMES "rule r when level is felony then dismiss because \"x\" citing HS 1\n"
                "example \"e\" person\n"
                "  conviction HS 11357 felony expect dismiss by rule nope\n",
            "c.policy:7:53: error: there is no rule 'nope' in this policy");
    release(&c);

    refused(&c, HEADER OUTCOMES "rule r when level is felony then dismiss because \"x\" citing HS 1\n"
                "example \"e\" person\n"
                "  conviction HS 11357 weight 5 county 7 expect dismiss\n",
            "'weight' cannot be given in an example conviction");
    says(&c, "'county' is");
    assert_int_equal(c.diag.errors, 2);
    release(&c);

    refused(&c, HEADER OUTCOMES "example \"empty\" person born 1980-01-01\n", "the example has no convictions");
    release(&c);
}

/* ---- extends ----------------------------------------------------------- */

struct tmpdir {
    char path[64];
    char files[16][128];
    int nfiles;
    char dirs[4][128];
    int ndirs;
};

static struct tmpdir *dir_of(void **state)
{
    return *state;
}

static int make_tmpdir(void **state)
{
    struct tmpdir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->path, sizeof t->path, "/tmp/lenity_check_XXXXXX");
    if (!mkdtemp(t->path)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int remove_tmpdir(void **state)
{
    struct tmpdir *t = *state;
    for (int i = 0; i < t->nfiles; i++)
        unlink(t->files[i]);
    for (int i = t->ndirs - 1; i >= 0; i--)
        rmdir(t->dirs[i]);
    int rc = rmdir(t->path);
    free(t);
    return rc;
}

/* Writes name (relative to the folder) and returns its full path. */
static const char *write_file(struct tmpdir *t, const char *name, const char *text)
{
    assert_true(t->nfiles < 16);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", t->path, name);
    int at = t->nfiles;
    for (int i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i], path) == 0)
            at = i; /* rewritten: already listed */
    if (at == t->nfiles)
        memcpy(t->files[t->nfiles++], path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    return t->files[at];
}

static void make_subdir(struct tmpdir *t, const char *name)
{
    assert_true(t->ndirs < 4);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", t->path, name);
    memcpy(t->dirs[t->ndirs], path, sizeof path);
    assert_int_equal(mkdir(path, 0700), 0);
    t->ndirs++;
}

static const char parent_policy[] =
    "policy \"Parent\" jurisdiction \"Testland\" authority HS 11361.8 effective 2016-11-09 version \"1\"\n"
    "  missing day rounds up\n"
    OUTCOMES
    "parameter cutoff = 2016-11-09\n"
    "set pot = { HS 11357 }\n"
    "rule late when disposition_date is on or after cutoff then not_eligible because \"late\" citing HS 1\n"
    "rule possession when citation in pot then dismiss because \"pot\" citing HS 2\n"
    "otherwise needs_review because \"by hand\" citing HS 3\n"
    "example \"a parent example the child would fail\" person\n"
    "  conviction HS 11357 on 2012-01-01 expect dismiss by rule possession\n";

static void assert_rule_order(const struct program *p, const char *const *names, uint32_t n)
{
    if (p->nrules != n) {
        for (uint32_t i = 0; i < p->nrules; i++)
            print_error("rule %u: %s\n", (unsigned)i, program_str(p, p->rules[i].name));
        fail_msg("%u rules, expected %u", (unsigned)p->nrules, (unsigned)n);
    }
    for (uint32_t i = 0; i < n; i++)
        assert_string_equal(program_str(p, p->rules[i].name), names[i]);
}

/* Decides one conviction (citation on date) and returns the deciding rule's name. */
static const char *decide_rule(const struct program *p, const char *citation, int y, int m, int d)
{
    struct person person;
    person_init(&person);
    struct conviction *c = person_add_conviction(&person, 10);
    assert_non_null(c);
    assert_true(citation_parse(citation, strlen(citation), &c->citation, NULL));
    assert_true(date_from_ymd(y, m, d, &c->disposition_date));
    c->known = (1u << FACT_CITATION) | (1u << FACT_DISPOSITION_DATE);
    struct vm vm;
    assert_true(vm_init(&vm, p));
    struct decision dec;
    vm_decide(&vm, &person, 0, &dec);
    vm_free(&vm);
    person_free(&person);
    assert_true(dec.rule < p->nrules);
    return program_str(p, p->rules[dec.rule].name);
}

static void test_check_extends_override_parameter(void **state)
{
    struct tmpdir *t = dir_of(state);
    write_file(t, "parent.policy", parent_policy);
    const char *child = write_file(t, "child.policy",
                                   "policy \"Child\" extends \"parent.policy\" version \"2\"\n"
                                   "override parameter cutoff = 2010-01-01\n");
    struct compiled c;
    if (!compile_file(&c, child))
        fail_msg("refused:\n%s", c.messages);
    assert_int_equal(c.diag.errors, 0);
    /* the header: the child's name and version, the rest inherited */
    assert_string_equal(program_str(&c.p, c.p.name), "Child");
    assert_string_equal(program_str(&c.p, c.p.version), "2");
    assert_string_equal(program_str(&c.p, c.p.jurisdiction), "Testland");
    assert_int_equal(c.p.month_end, DATE_ROUND_UP);
    assert_int_equal(c.p.nparams, 1);
    int32_t day;
    assert_true(date_from_ymd(2010, 1, 1, &day));
    assert_int_equal(c.p.params[0].value.as.date, day);
    /* the override changes the decision */
    assert_string_equal(decide_rule(&c.p, "HS 11357", 2012, 1, 1), "late");
    /* the parent's examples test the parent, not the child */
    assert_int_equal(c.p.nexamples, 0);
    release(&c);

    struct compiled parent;
    if (!compile_file(&parent, t->files[0]))
        fail_msg("refused:\n%s", parent.messages);
    assert_string_equal(decide_rule(&parent.p, "HS 11357", 2012, 1, 1), "possession");
    assert_int_equal(parent.p.nexamples, 1);
    release(&parent);

    /* an override keeps the parameter's kind */
    child = write_file(t, "child.policy", "policy \"Child\" extends \"parent.policy\"\noverride parameter cutoff = 21\n");
    if (compile_file(&c, child))
        fail_msg("an override of another kind was accepted");
    says(&c, "child.policy:2:29: error: the parameter 'cutoff' holds a different kind of value");
    release(&c);

    /* only what the parent has can be overridden */
    child = write_file(t, "child.policy", "policy \"Child\" extends \"parent.policy\"\noverride parameter cutof = 2010-01-01\n");
    if (compile_file(&c, child))
        fail_msg("an override of a missing parameter was accepted");
    says(&c, "there is no parameter 'cutof' to override");
    release(&c);

    /* and a set */
    child = write_file(t, "child.policy", "policy \"Child\" extends \"parent.policy\"\noverride set pot = { HS 11360 }\n");
    if (!compile_file(&c, child))
        fail_msg("refused:\n%s", c.messages);
    assert_string_equal(decide_rule(&c.p, "HS 11357", 2012, 1, 1), "otherwise");
    assert_string_equal(decide_rule(&c.p, "HS 11360(a)", 2012, 1, 1), "possession");
    release(&c);

    /* a plain re-declaration is refused with the way to override it */
    child = write_file(t, "child.policy", "policy \"Child\" extends \"parent.policy\"\nparameter cutoff = 2010-01-01\n");
    if (compile_file(&c, child))
        fail_msg("a re-declared parameter was accepted");
    says(&c, "the parameter 'cutoff' is already declared");
    hint_after(&c, "already declared", "override parameter cutoff");
    release(&c);
}

static void test_check_extends_replace_and_place_rules(void **state)
{
    struct tmpdir *t = dir_of(state);
    write_file(t, "parent.policy", parent_policy);
    struct compiled c;

    /* replace keeps the place */
    const char *child = write_file(t, "child.policy",
                                   "policy \"Child\" extends \"parent.policy\"\n"
                                   "replace rule late when disposition_date is after cutoff\n"
                                   "  then needs_review because \"replaced\" citing HS 9\n");
    if (!compile_file(&c, child))
        fail_msg("refused:\n%s", c.messages);
    static const char *const replaced[] = {"late", "possession", "otherwise"};
    assert_rule_order(&c.p, replaced, 3);
    assert_string_equal(program_str(&c.p, c.p.rules[0].reason), "replaced");
    assert_string_equal(program_str(&c.p, c.p.outcomes[c.p.rules[0].outcome].name), "needs_review");
    /* on the cutoff itself the replaced rule no longer applies */
    assert_string_equal(decide_rule(&c.p, "HS 11357", 2016, 11, 9), "possession");
    release(&c);

    /* before, after, and a new rule before otherwise */
    child = write_file(t, "child.policy",
                       "policy \"Child\" extends \"parent.policy\"\n"
                       "rule appended when citation in PC 1 then dismiss because \"e\" citing HS 9\n"
                       "rule first before late when citation in PC 2 then dismiss because \"f\" citing HS 9\n"
                       "rule second after late when citation in PC 3 then dismiss because \"s\" citing HS 9\n"
                       "rule last after possession when citation in PC 4 then dismiss because \"l\" citing HS 9\n");
    if (!compile_file(&c, child))
        fail_msg("refused:\n%s", c.messages);
    static const char *const placed[] = {"first", "late", "second", "possession", "last", "appended", "otherwise"};
    assert_rule_order(&c.p, placed, 7);
    assert_string_equal(decide_rule(&c.p, "PC 2", 2020, 1, 1), "first"); /* before 'late' decides */
    assert_string_equal(decide_rule(&c.p, "PC 3", 2020, 1, 1), "late");
    assert_string_equal(decide_rule(&c.p, "PC 1", 2012, 1, 1), "appended");
    release(&c);

    /* the child's otherwise replaces the parent's */
    child = write_file(t, "child.policy",
                       "policy \"Child\" extends \"parent.policy\"\n"
                       "otherwise not_eligible because \"child's\" citing HS 9\n"
                       "rule added when citation in PC 1 then dismiss because \"a\" citing HS 9\n");
    if (!compile_file(&c, child))
        fail_msg("refused:\n%s", c.messages);
    static const char *const other[] = {"late", "possession", "added", "otherwise"};
    assert_rule_order(&c.p, other, 4);
    assert_string_equal(program_str(&c.p, c.p.rules[3].reason), "child's");
    release(&c);

    /* mistakes */
    child = write_file(t, "child.policy",
                       "policy \"Child\" extends \"parent.policy\"\n"
                       "replace rule lat when t then dismiss because \"x\" citing HS 9\n"
                       "rule x before nowhere when t then dismiss because \"x\" citing HS 9\n"
                       "rule possession when t then dismiss because \"x\" citing HS 9\n");
    if (compile_file(&c, child))
        fail_msg("accepted");
    says(&c, "child.policy:2:14: error: there is no rule 'lat' to replace");
    says(&c, "child.policy:3:15: error: there is no rule 'nowhere' to place this rule before");
    says(&c, "child.policy:4:6: error: a rule named 'possession' already exists");
    says(&c, "parent.policy:");
    hint_after(&c, "a rule named 'possession' already exists", "replace rule");
    release(&c);
}

static void test_check_extends_cycle_and_missing_parent(void **state)
{
    struct tmpdir *t = dir_of(state);
    struct compiled c;
    const char *a = write_file(t, "a.policy", "policy \"A\" extends \"b.policy\"\n");
    write_file(t, "b.policy", "policy \"B\" extends \"a.policy\"\n");
    if (compile_file(&c, a))
        fail_msg("a cycle was accepted");
    says(&c, "b.policy:1:");
    says(&c, "circle");
    release(&c);

    const char *self = write_file(t, "self.policy", "policy \"S\" extends \"self.policy\"\n" OUTCOMES);
    if (compile_file(&c, self))
        fail_msg("a policy extending itself was accepted");
    says(&c, "self.policy:1:20: error: ");
    says(&c, "itself");
    release(&c);

    const char *orphan = write_file(t, "orphan.policy", "policy \"O\"\n  extends \"nope.policy\"\n" OUTCOMES);
    if (compile_file(&c, orphan))
        fail_msg("a missing parent was accepted");
    says(&c, "orphan.policy:2:11: error: cannot find the policy 'nope.policy' that this policy extends");
    hint_after(&c, "cannot find the policy", "folder");
    release(&c);

    /* a policy file that does not exist at all */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/absent.policy", t->path);
    if (compile_file(&c, missing))
        fail_msg("a missing file was accepted");
    says(&c, "absent.policy");
    release(&c);

    /* the parent is looked for in the folders above too */
    make_subdir(t, "county");
    write_file(t, "parent.policy", parent_policy);
    const char *nested = write_file(t, "county/kern.policy",
                                    "policy \"Kern\" extends \"parent.policy\"\noverride parameter cutoff = 2001-01-01\n");
    if (!compile_file(&c, nested))
        fail_msg("refused:\n%s", c.messages);
    assert_string_equal(program_str(&c.p, c.p.name), "Kern");
    release(&c);
}

/* compile_policy_text resolves 'extends' relative to the name it is given. */
static void test_check_extends_from_text(void **state)
{
    struct tmpdir *t = dir_of(state);
    write_file(t, "parent.policy", parent_policy);
    char name[128];
    snprintf(name, sizeof name, "%s/in-memory.policy", t->path);
    struct compiled c;
    begin(&c);
    c.ok = compile_policy_text(name, "policy \"M\" extends \"parent.policy\"\noverride parameter cutoff = 2000-01-01\n",
                               NULL, &c.diag, &c.p);
    fflush(c.out);
    if (!c.ok)
        fail_msg("refused:\n%s", c.messages);
    assert_string_equal(decide_rule(&c.p, "HS 11357", 2001, 1, 1), "late");
    release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_valid_policy_compiles_cleanly),
        cmocka_unit_test(test_check_misspelled_fact_did_you_mean),
        cmocka_unit_test(test_check_misspelled_outcome_did_you_mean),
        cmocka_unit_test(test_check_date_compared_with_number),
        cmocka_unit_test(test_check_before_on_numbers),
        cmocka_unit_test(test_check_other_type_errors),
        cmocka_unit_test(test_check_missing_review_outcome),
        cmocka_unit_test(test_check_missing_header_fields),
        cmocka_unit_test(test_check_parameter_named_like_a_fact),
        cmocka_unit_test(test_check_override_without_extends),
        cmocka_unit_test(test_check_examples_name_unknown_outcomes_and_rules),
        cmocka_unit_test_setup_teardown(test_check_extends_override_parameter, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_check_extends_replace_and_place_rules, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_check_extends_cycle_and_missing_parent, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_check_extends_from_text, make_tmpdir, remove_tmpdir),
    };
    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
