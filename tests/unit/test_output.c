/*
 * test_output.c - decision reasons, the decisions file (privacy, refusal
 * to overwrite the input, atomic commit, CSV quoting), the summary and
 * the rejects sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "outfile.h"
#include "output.h"

enum {
    S_NAME, S_VERSION, S_JURISDICTION, S_DISMISS, S_REVIEW, S_POSSESSION, S_REASON,
    S_ODD, S_ODD_REASON, S__COUNT
};

static const char *const strings[S__COUNT] = {
    [S_NAME] = "Prop 64 dismissals",
    [S_VERSION] = "2024.1",
    [S_JURISDICTION] = "California",
    [S_DISMISS] = "dismiss",
    [S_REVIEW] = "review",
    [S_POSSESSION] = "possession",
    [S_REASON] = "Possession of cannabis is no longer a crime (HS 11361.8).",
    [S_ODD] = "odd, rule",
    [S_ODD_REASON] = "Said \"no\",\nthen yes",
};

/* A hand-built policy: two outcomes, two rules, two citations. */
struct fixture {
    struct program p;
    struct program_string str[S__COUNT];
    struct citation cites[2];
    struct program_outcome outcomes[2];
    struct program_rule rules[2];
    struct person person;
    char dir[64];
    char in_path[128];
    char out_path[128];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    for (int i = 0; i < S__COUNT; i++) {
        fx->str[i].ptr = strings[i];
        fx->str[i].len = (uint32_t)strlen(strings[i]);
    }
    assert_true(citation_parse("HS 11361.8", 10, &fx->cites[0], NULL));
    assert_true(citation_parse("HS 11357", 8, &fx->cites[1], NULL));
    fx->outcomes[0] = (struct program_outcome){.name = S_DISMISS, .kind = OUTCOME_RELIEF};
    fx->outcomes[1] = (struct program_outcome){.name = S_REVIEW, .kind = OUTCOME_REVIEW};
    fx->rules[0] = (struct program_rule){.name = S_POSSESSION, .outcome = 0, .reason = S_REASON,
                                         .citation = 0, .line = 3, .quote = PROGRAM_NO_STRING,
                                         .eligible_from = PROGRAM_NO_CONST};
    fx->rules[1] = (struct program_rule){.name = S_ODD, .outcome = 1, .reason = S_ODD_REASON,
                                         .citation = PROGRAM_NO_CONST, .line = 9,
                                         .quote = PROGRAM_NO_STRING, .eligible_from = PROGRAM_NO_CONST};
    struct program *p = &fx->p;
    p->name = S_NAME;
    p->version = S_VERSION;
    p->jurisdiction = S_JURISDICTION;
    p->authority = 0;
    assert_true(date_parse_iso("2016-11-09", 10, &p->effective));
    p->source_name = PROGRAM_NO_STRING;
    p->approved_by = PROGRAM_NO_STRING;
    p->strings = fx->str;
    p->nstrings = S__COUNT;
    p->citations = fx->cites;
    p->ncitations = 2;
    p->outcomes = fx->outcomes;
    p->noutcomes = 2;
    p->review_outcome = 1;
    p->rules = fx->rules;
    p->nrules = 2;

    /* person "A,1" with one fully known and one sparse conviction */
    person_init(&fx->person);
    struct person *per = &fx->person;
    assert_true(person_add_text(per, "A,1", 3, &per->id));
    struct conviction *c = person_add_conviction(per, 10);
    assert_non_null(c);
    c->row = 7;
    c->citation = fx->cites[1];
    c->level = LEVEL_MISDEMEANOR;
    assert_true(date_parse_iso("2015-03-02", 10, &c->disposition_date));
    c->known = (1u << FACT_CITATION) | (1u << FACT_LEVEL) | (1u << FACT_DISPOSITION_DATE);
    c = person_add_conviction(per, 10);
    assert_non_null(c);
    c->row = 8;
    c->citation = fx->cites[1];
    c->known = 1u << FACT_CITATION;

    snprintf(fx->dir, sizeof fx->dir, "/tmp/lenity_test_out_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->in_path, sizeof fx->in_path, "%s/records.csv", fx->dir);
    snprintf(fx->out_path, sizeof fx->out_path, "%s/decisions.csv", fx->dir);
    FILE *f = fopen(fx->in_path, "w");
    assert_non_null(f);
    fputs("person_id,citation\nA,HS 11357\n", f);
    fclose(f);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", fx->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(fx->dir);
    person_free(&fx->person);
    free(fx);
    return 0;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_output_reason_for_a_decision(void **state)
{
    struct fixture *fx = *state;
    struct decision d = {.rule = 0, .outcome = 0};
    char buf[256];
    size_t n = decision_reason(&fx->p, &d, buf, sizeof buf);
    assert_string_equal(buf, strings[S_REASON]);
    assert_int_equal(n, strlen(strings[S_REASON]));
}

static void test_output_reason_names_the_missing_fact(void **state)
{
    struct fixture *fx = *state;
    struct decision d = {.rule = 0, .outcome = 1, .unknown = true, .missing_fact = FACT_LEVEL};
    char buf[256];
    decision_reason(&fx->p, &d, buf, sizeof buf);
    assert_string_equal(buf, "Needs review: rule 'possession' depends on the conviction's offence "
                             "level (felony, misdemeanor or infraction), which the record does "
                             "not give.");
    d.missing_fact = FACT_NONE;
    decision_reason(&fx->p, &d, buf, sizeof buf);
    assert_string_equal(buf, "Needs review: rule 'possession' depends on a value the record does "
                             "not give.");
}

static void test_output_reason_truncates_within_buffer(void **state)
{
    struct fixture *fx = *state;
    struct decision d = {.rule = 0, .outcome = 1, .unknown = true, .missing_fact = FACT_SENTENCE};
    char buf[16];
    memset(buf, 'z', sizeof buf);
    size_t n = decision_reason(&fx->p, &d, buf, sizeof buf);
    assert_int_equal(n, 15);
    assert_int_equal(buf[15], '\0');
    assert_memory_equal(buf, "Needs review: r", 15);
}

static void test_output_decisions_file_private_and_complete(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    struct decisions_writer *w = decisions_open(fx->out_path, fx->in_path, &fx->p, NULL, err, sizeof err);
    assert_non_null(w);
    /* nothing under the final name until commit */
    struct stat st;
    assert_int_not_equal(stat(fx->out_path, &st), 0);
    struct decision d = {.rule = 0, .outcome = 0};
    assert_true(decisions_write(w, &fx->person, 0, &d));
    assert_true(decisions_commit(w, err, sizeof err));

    assert_int_equal(stat(fx->out_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(count_files(fx->dir), 2); /* input + decisions, no temporary left */
    const char *text = slurp(fx->out_path);
    char want[1024];
    snprintf(want, sizeof want,
             "# policy: Prop 64 dismissals\n"
             "# version: 2024.1\n"
             "# jurisdiction: California\n"
             "# authority: HS 11361.8\n"
             "# effective: 2016-11-09\n"
             "# approved: none recorded (the policy has no 'approved by' line)\n"
             "# month end: a day the month lacks becomes its last day\n"
             "# input: %s\n"
             "person_id,row,citation,level,disposition_date,outcome,outcome_kind,reason,citing,rule\n"
             "\"A,1\",7,HS 11357,misdemeanor,2015-03-02,dismiss,relief,"
             "Possession of cannabis is no longer a crime (HS 11361.8).,HS 11361.8,possession\n",
             fx->in_path);
    assert_string_equal(text, want);
}

static void test_output_csv_quoting_and_unknowns(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    struct decisions_writer *w = decisions_open(fx->out_path, "-", &fx->p, NULL, err, sizeof err);
    assert_non_null(w);
    struct decision d = {.rule = 1, .outcome = 1};
    assert_true(decisions_write(w, &fx->person, 1, &d));
    struct decision u = {.rule = 0, .outcome = 1, .unknown = true,
                         .missing_fact = FACT_DISPOSITION_DATE};
    assert_true(decisions_write(w, &fx->person, 1, &u));
    assert_false(decisions_write(w, &fx->person, 2, &u)); /* no such conviction */
    assert_true(decisions_commit(w, err, sizeof err));

    const char *text = slurp(fx->out_path);
    assert_non_null(strstr(text, "# input: standard input\n"));
    /* unknown level and date are empty cells; quotes doubled; the newline kept inside quotes */
    assert_non_null(strstr(text, "\n\"A,1\",8,HS 11357,,,review,review,"
                                 "\"Said \"\"no\"\",\nthen yes\",,\"odd, rule\"\n"));
    assert_non_null(strstr(text, "\n\"A,1\",8,HS 11357,,,review,review,\"Needs review: rule "
                                 "'possession' depends on the conviction's disposition date, "
                                 "which the record does not give.\",HS 11361.8,possession\n"));
}

static void test_output_refuses_to_overwrite_input(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    assert_null(decisions_open(fx->in_path, fx->in_path, &fx->p, NULL, err, sizeof err));
    assert_non_null(strstr(err, "refusing to write the decisions over the input"));

    /* the same file by another name */
    char other[256];
    snprintf(other, sizeof other, "%s/../%s/records.csv", fx->dir, strrchr(fx->dir, '/') + 1);
    err[0] = '\0';
    assert_null(decisions_open(other, fx->in_path, &fx->p, NULL, err, sizeof err));
    assert_non_null(strstr(err, "refusing"));
    char alias[256];
    snprintf(alias, sizeof alias, "%s/hardlink.csv", fx->dir);
    assert_int_equal(link(fx->in_path, alias), 0);
    assert_null(decisions_open(alias, fx->in_path, &fx->p, NULL, err, sizeof err));
    assert_string_equal(slurp(fx->in_path), "person_id,citation\nA,HS 11357\n");
    assert_true(output_is_same_file(alias, fx->in_path));
    assert_false(output_is_same_file(fx->out_path, fx->in_path));
    assert_false(output_is_same_file("-", "-"));
}

static void test_output_abort_leaves_no_file(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    struct decisions_writer *w = decisions_open(fx->out_path, fx->in_path, &fx->p, NULL, err, sizeof err);
    assert_non_null(w);
    struct decision d = {.rule = 0, .outcome = 0};
    assert_true(decisions_write(w, &fx->person, 0, &d));
    assert_int_equal(count_files(fx->dir), 2); /* input + temporary */
    decisions_abort(w);
    assert_int_equal(count_files(fx->dir), 1);
    struct stat st;
    assert_int_not_equal(stat(fx->out_path, &st), 0);
}

/* A long output is sent on to the disk as it goes, every OUT_WRITE_BACK bytes, and the file is whole. */
static void test_output_writes_back_as_it_goes(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    struct out_file o;
    assert_true(out_file_open(&o, fx->out_path, err, sizeof err));
    static char block[64 << 10];
    memset(block, 'x', sizeof block);
    size_t written = 0;
    out_file_write_back(&o);
    assert_int_equal(o.written_back, 0); /* nothing to send yet */
    while (written < 3 * (size_t)OUT_WRITE_BACK) {
        assert_int_equal(fwrite(block, 1, sizeof block, o.f), sizeof block);
        written += sizeof block;
        out_file_write_back(&o);
        /* sent in steps of at least OUT_WRITE_BACK, never past what was written (stdio may
         * still hold up to OUT_BUFFER of it) */
        assert_true(o.written_back <= (long long)written);
        assert_true((long long)written - o.written_back < OUT_WRITE_BACK + OUT_BUFFER);
    }
    assert_true(o.written_back >= 2 * OUT_WRITE_BACK);
    assert_true(out_file_commit(&o, err, sizeof err));
    struct stat st;
    assert_int_equal(stat(fx->out_path, &st), 0);
    assert_int_equal(st.st_size, (off_t)written);

    /* standard output is not ours to sync */
    assert_true(out_file_open(&o, "-", err, sizeof err));
    o.written_back = 0;
    out_file_write_back(&o);
    assert_int_equal(o.written_back, 0);
    assert_true(out_file_commit(&o, err, sizeof err));
}

static void test_output_refuses_a_folder_or_missing_folder(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    assert_null(decisions_open(fx->dir, fx->in_path, &fx->p, NULL, err, sizeof err));
    assert_non_null(strstr(err, "is a folder"));
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no/such/out.csv", fx->dir);
    assert_null(decisions_open(missing, fx->in_path, &fx->p, NULL, err, sizeof err));
    assert_non_null(strstr(err, "cannot create a file in that folder"));
}

static char *print_totals(const struct program *p, const struct run_totals *t)
{
    static char buf[4096];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    totals_print(f, p, t, "records.csv");
    fclose(f);
    return buf;
}

static void test_output_totals_summary(void **state)
{
    struct fixture *fx = *state;
    struct run_totals t = {.rows_read = 12, .rows_rejected = 1, .convictions_decided = 11,
                           .people = 5, .unknown_reviews = 2};
    t.per_outcome[0] = 8;
    t.per_outcome[1] = 3;
    const char *text = print_totals(&fx->p, &t);
    assert_non_null(strstr(text, "Prop 64 dismissals"));
    assert_non_null(strstr(text, "2024.1"));
    assert_non_null(strstr(text, "California"));
    assert_non_null(strstr(text, "HS 11361.8"));
    assert_non_null(strstr(text, "2016-11-09"));
    assert_non_null(strstr(text, "input: records.csv\n"));
    assert_non_null(strstr(text, "rows read 12 = 11 decided + 1 rejected\n"));
    assert_non_null(strstr(text, "people: 5\n"));
    assert_non_null(strstr(text, "  dismiss  relief     8\n"));
    assert_non_null(strstr(text, "  review   review     3\n"));
    assert_non_null(strstr(text, "reviews caused by missing facts: 2\n"));
    assert_null(strstr(text, "ACCOUNTING ERROR"));

    t.convictions_decided = 10; /* one row neither decided nor rejected */
    t.per_outcome[0] = 7;
    t.per_outcome[1] = 0; /* zero counts are still listed */
    text = print_totals(&fx->p, &t);
    assert_non_null(strstr(text, "ACCOUNTING ERROR"));
    assert_non_null(strstr(text, "rows read 12 != 10 decided + 1 rejected\n"));
    assert_non_null(strstr(text, "  review   review     0\n"));
}

static void test_output_totals_outcome_sum_checked(void **state)
{
    struct fixture *fx = *state;
    struct run_totals t = {.rows_read = 2, .convictions_decided = 2, .people = 1};
    t.per_outcome[0] = 1;
    const char *text = print_totals(&fx->p, &t);
    assert_non_null(strstr(text, "ACCOUNTING ERROR: the outcome counts add up to 1"));
}

static void test_output_rejects_file(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/rejects.csv", fx->dir);
    struct rejects *r = rejects_open(path, err, sizeof err);
    assert_non_null(r);
    rejects_set_input(r, "records.csv");
    record_reject_fn fn = rejects_add; /* usable as the reader's callback */
    fn(r, 7, "disposition_date '2016-02-30' is not a valid date");
    fn(r, 9, "plain");
    assert_int_equal(rejects_count(r), 2);
    assert_true(rejects_close(r, true, err, sizeof err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_string_equal(slurp(path), "row,reason\n"
                                     "7,disposition_date '2016-02-30' is not a valid date\n"
                                     "9,plain\n");

    /* not committed: nothing left behind */
    unlink(path);
    r = rejects_open(path, err, sizeof err);
    assert_non_null(r);
    rejects_add(r, 1, "x, y");
    assert_true(rejects_close(r, false, err, sizeof err));
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_equal(count_files(fx->dir), 1);
}

static void test_output_rejects_on_stderr_are_capped(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/stderr.txt", fx->dir);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_non_null(freopen(path, "w", stderr));

    struct rejects *r = rejects_open(NULL, err, sizeof err);
    assert_non_null(r);
    rejects_set_input(r, "records.csv");
    for (uint64_t i = 1; i <= REJECTS_SHOWN + 5; i++)
        rejects_add(r, i, "bad row");
    assert_int_equal(rejects_count(r), REJECTS_SHOWN + 5);
    assert_true(rejects_close(r, true, err, sizeof err));

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    const char *text = slurp(path);
    assert_non_null(strstr(text, "records.csv row 7: bad row\n"));
    assert_non_null(strstr(text, "records.csv row 20: bad row\n"));
    assert_null(strstr(text, "row 21:"));
    assert_non_null(strstr(text, "25 rows rejected in all"));
    assert_non_null(strstr(text, "the 5 not shown"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_output_reason_for_a_decision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_reason_names_the_missing_fact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_reason_truncates_within_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_decisions_file_private_and_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_output_csv_quoting_and_unknowns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_refuses_to_overwrite_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_abort_leaves_no_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_writes_back_as_it_goes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_refuses_a_folder_or_missing_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_output_totals_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_totals_outcome_sum_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_rejects_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_rejects_on_stderr_are_capped, setup, teardown),
    };
    return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
