/*
 * test_parallel.c - lenity run's decision loop in pieces (parallel.c): with
 * two jobs and pieces of many sizes, from a few rows to the whole file, the
 * output gets every decision, person and rejected row that one job gives,
 * in the same order with the same row numbers, and the same totals.  A
 * quoted value with line breaks that hides where pieces were planned to end
 * makes them be planned again; an output that fails stops the workers.
 * With three and eight workers too.  Run from the repository root (it
 * compiles policies in rules/ca).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cadoj.h"
#include "compile.h"
#include "parallel.h"

#define MAX_REJECTS 1
#define READER_FIXTURE_NAME "parallel"
#include "reader_fixture.h"
#include "doj_rows.h"

/* ---- the export --------------------------------------------------------------------------- */

/*
 * 600 subjects of 1 to 9 rows (arrests, convictions of marijuana and other
 * offences, dismissals), deterministic.  Subject 300's name holds, in quotes,
 * 40 lines that look like rows of other subjects; a few rows are broken (too
 * few cells) and rejected.
 */
static char *make_export(size_t *size)
{
    static const char *const offences[] = {"11357(A) HS-POSSESS MARIJUANA", "11358 HS-CULTIVATE MARIJUANA",
                                           "11359 HS-POSSESS FOR SALE", "11360(A) HS-TRANSPORT/SELL MARIJUANA",
                                           "459 PC-BURGLARY", "23152(A) VC-DUI", "187 PC-MURDER",
                                           "SEE COMMENT FOR CHARGE"};
    struct sbuf b = {0};
    put_header(&b, "\n");
    uint32_t seed = 12345;
    struct sbuf fake = {0};
    for (int k = 0; k < 40; k++) {
        struct spec f = conv("FAKE", "001001001", "11357 HS");
        char id[16];
        snprintf(id, sizeof id, "F%04d", k);
        f.subject = id;
        f.name = "FAKE";
        put_row(&fake, &f, "\n");
    }
    for (int s = 0; s < 600; s++) {
        char id[16], name[32];
        snprintf(id, sizeof id, "S%05d", s);
        snprintf(name, sizeof name, "DOE,%05d", s);
        seed = seed * 1103515245u + 12345u;
        int rows = 1 + (int)(seed >> 16) % 9;
        for (int r = 0; r < rows; r++) {
            seed = seed * 1103515245u + 12345u;
            char cnt[32], date[32];
            snprintf(cnt, sizeof cnt, "%03d%03d%03d", 1 + r / 2, s % 1000, 1 + r % 2);
            snprintf(date, sizeof date, "%04u%02u%02u", 1975 + (seed >> 8) % 45, 1 + (seed >> 4) % 12,
                     1 + (seed >> 12) % 28);
            struct spec row = conv(id, cnt, offences[(seed >> 20) % 8]);
            row.date = date;
            row.name = s == 300 && r == 0 ? fake.s : name;
            if (row.offense[0] == 'S')
                row.comment = ":CHRG 11357(B) HS";
            if ((seed >> 24) % 4 == 0) {
                row.disp = "DISMISSED/FURTHERANCE OF JUSTICE";
                row.conv_stat = row.sent_len = row.sent_unit = NULL;
            } else if ((seed >> 24) % 4 == 1) {
                row.disp = NULL;
                row.conv_stat = row.sent_len = row.sent_unit = NULL;
            }
            put_row(&b, &row, "\n");
        }
        if (s % 97 == 50)
            sb_printf(&b, "broken,row,%d\n", s);
    }
    free(fake.s);
    *size = b.len;
    return b.s;
}

/* The export, written once for every test. */
struct export {
    char *data;
    size_t size;
    char *path;
};

static int export_setup(void **state)
{
    struct export *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->data = make_export(&e->size);
    e->path = write_temp(e->data, e->size);
    *state = e;
    return 0;
}

static int export_teardown(void **state)
{
    struct export *e = *state;
    unlink(e->path);
    free(e->path);
    free(e->data);
    free(e);
    return 0;
}

/* ---- an output that writes down everything it is given ------------------------------------ */

struct seen {
    struct sbuf text;  /* one line per decision, person done and rejected row, in order */
    uint64_t fail_after; /* nonzero: the output fails at that decision */
    uint64_t decisions;
    bool charges;      /* as an output that runs the policy over each person: its charges too */
    FILE *copy;        /* copying rows: each person's rows, as a DOJ copy would have them */
    struct decision held[64];
    char *copied;
    size_t copied_len;
};

/* A person's rows, each with its conviction's outcome: what a DOJ copy writes, in short. */
static bool copy_rows(FILE *f, const struct person *p, const struct decision *d)
{
    for (uint32_t r = 0; r < p->nrows; r++) {
        const struct raw_row *row = &p->rows[r];
        fprintf(f, "%s|%.*s|", person_text(p, p->id), (int)row->text.len, person_text(p, row->text));
        if (row->conviction != UINT32_MAX)
            fprintf(f, "%u", (unsigned)d[row->conviction].outcome);
        fputc('\n', f);
    }
    return !ferror(f);
}

static bool seen_rows(void *ctx, FILE *f, struct vm *vm, const struct person *p, const struct decision *d)
{
    (void)ctx;
    (void)vm;
    return copy_rows(f, p, d);
}

static bool seen_copy(void *ctx, const char *bytes, size_t len)
{
    struct seen *s = ctx;
    return fwrite(bytes, 1, len, s->copy) == len;
}

static bool seen_decision(void *ctx, const struct person *p, uint32_t i, const struct decision *d)
{
    struct seen *s = ctx;
    if (s->fail_after && ++s->decisions >= s->fail_after)
        return false;
    assert_true(i < sizeof s->held / sizeof *s->held);
    s->held[i] = *d; /* for the rows, as lenity's own DOJ copy keeps them */
    struct conviction c = p->convictions[i];
    sb_printf(&s->text, "row %llu %s %s rule %u outcome %u%s from %d,", (unsigned long long)c.row,
              person_text(p, p->id), c.citation.text, (unsigned)d->rule, (unsigned)d->outcome,
              d->unknown ? " unknown" : "", d->has_eligible_from ? d->eligible_from : 0);
    /* and every text of the conviction, which two jobs move (parallel.c, held_put_person) */
    struct text_ref *texts[CONVICTION_TEXTS];
    conviction_texts(&c, texts);
    for (int k = 0; k < CONVICTION_TEXTS; k++)
        sb_printf(&s->text, " '%.*s'", (int)texts[k]->len, person_text(p, *texts[k])); /* as outputs read them */
    sb_printf(&s->text, "\n");
    return true;
}

static bool seen_person_done(void *ctx, const struct person *p)
{
    struct seen *s = ctx;
    sb_printf(&s->text, "person %s dob %d, %u convictions\n", person_text(p, p->id), p->date_of_birth,
              (unsigned)p->count);
    for (uint32_t i = 0; s->charges && i < p->ncharges; i++) {
        struct conviction c = p->charges[i];
        sb_printf(&s->text, "  charge row %llu %s", (unsigned long long)c.row, c.citation.text);
        struct text_ref *texts[CONVICTION_TEXTS];
        conviction_texts(&c, texts);
        for (int k = 0; k < CONVICTION_TEXTS; k++)
            sb_printf(&s->text, " '%.*s'", (int)texts[k]->len, person_text(p, *texts[k]));
        sb_printf(&s->text, "\n");
    }
    /* one job: the rows are here; with two, a worker wrote them and they came through seen_copy */
    return !s->copy || copy_rows(s->copy, p, s->held);
}

static void seen_reject(void *ctx, uint64_t row, const char *reason)
{
    struct seen *s = ctx;
    sb_printf(&s->text, "rejected row %llu: %s\n", (unsigned long long)row, reason);
}

/* ---- running it --------------------------------------------------------------------------- */

struct loaded {
    struct program program;
    struct vm vm;
};

static void load_policy(const char *path, struct loaded *p)
{
    struct diag d;
    diag_init(&d, stderr);
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    opts.no_lint = true;
    program_init(&p->program);
    assert_true(compile_policy(path, &opts, &d, &p->program));
    assert_true(vm_init(&p->vm, &p->program));
    assert_true(date_from_ymd(2026, 1, 1, &p->vm.as_of));
    p->vm.as_of_known = true;
}

static void free_policy(struct loaded *p)
{
    vm_free(&p->vm);
    program_free(&p->program);
}

/*
 * One run over path with `jobs` and pieces of piece_bytes; what the output saw goes to *seen.
 * copy: the output copies each person's rows too (into seen->copied), as a DOJ copy does;
 * seen->charges: it runs the policy over each person (whole_persons), as a summary does.
 */
static enum record_status run(const char *path, struct loaded *p, int jobs, uint64_t piece_bytes, bool copy,
                              struct seen *seen, struct run_totals *t, char *err, size_t errsize)
{
    char open_err[1024];
    struct record_reader *reader = cadoj_reader_open(path, seen_reject, seen, open_err, sizeof open_err);
    assert_non_null(reader);
    reader->keep_rows = copy;
    if (copy) {
        seen->copy = open_memstream(&seen->copied, &seen->copied_len);
        assert_non_null(seen->copy);
    }
    struct run_job job = {path, reader, &p->vm,
                          {seen_decision, seen_person_done, seen, seen->charges, copy ? seen_rows : NULL,
                           copy ? seen_copy : NULL},
                          jobs, piece_bytes, false};
    enum record_status st = run_decide(&job, t, err, errsize);
    reader->close(reader);
    if (copy)
        assert_int_equal(fclose(seen->copy), 0);
    return st;
}

static void seen_free(struct seen *s)
{
    free(s->text.s);
    free(s->copied);
}

/* a and b are the same text; where they are not, the test fails showing where. */
static void assert_same_text(const char *a, size_t alen, const char *b, size_t blen, const char *what,
                             const char *policy, uint64_t piece_bytes)
{
    if (alen == blen && memcmp(a, b, alen) == 0)
        return;
    size_t at = 0;
    while (at < alen && at < blen && a[at] == b[at])
        at++;
    fail_msg("%s, pieces of %llu bytes: the %s differs from one job's at byte %zu:\n"
             "one job: %.200s\ntwo jobs: %.200s", policy, (unsigned long long)piece_bytes, what, at, a + at, b + at);
}

static void assert_same_totals(const struct run_totals *a, const struct run_totals *b)
{
    assert_int_equal(a->rows_read, b->rows_read);
    assert_int_equal(a->rows_rejected, b->rows_rejected);
    assert_int_equal(a->rows_other, b->rows_other);
    assert_int_equal(a->convictions_decided, b->convictions_decided);
    assert_int_equal(a->people, b->people);
    assert_int_equal(a->unknown_reviews, b->unknown_reviews);
    assert_memory_equal(a->per_outcome, b->per_outcome, sizeof a->per_outcome);
}

static void test_pieces_give_what_one_job_gives(void **state)
{
    const struct export *e = *state;
    const char *path = e->path;
    size_t size = e->size;
    static const char *const policies[] = {"rules/ca/prop64.policy", "rules/ca/los_angeles.policy"};
    for (size_t k = 0; k < 4 * sizeof policies / sizeof *policies; k++) {
        const char *policy = policies[k / 4];
        bool copy = k % 2, charges = k % 4 >= 2; /* and the same copying rows, with charges, both */
        struct loaded p;
        load_policy(policy, &p);
        struct seen one = {.charges = charges};
        struct run_totals t1;
        char err[1024];
        assert_int_equal(run(path, &p, 1, 0, copy, &one, &t1, err, sizeof err), RECORD_END);
        assert_int_equal(t1.pieces, 0);
        assert_true(t1.people > 500 && t1.rows_rejected == 6 && t1.convictions_decided > 500);
        assert_non_null(strstr(one.text.s, "rejected row "));
        /* the Los Angeles policy looks at charges (a column on every row): they are listed */
        if (charges && strstr(policy, "los_angeles"))
            assert_non_null(strstr(one.text.s, "  charge row "));
        /* pieces of a subject or two, of a few subjects, of many, and of the whole file at once */
        static const uint64_t piece_bytes[] = {1, 700, 5000, 40000, 0, 1u << 20};
        uint64_t redone = 0;
        for (size_t j = 0; j < sizeof piece_bytes / sizeof *piece_bytes; j++) {
            struct seen two = {.charges = charges};
            struct run_totals t2;
            assert_int_equal(run(path, &p, 2, piece_bytes[j], copy, &two, &t2, err, sizeof err), RECORD_END);
            assert_same_text(one.text.s, one.text.len, two.text.s, two.text.len, "output", policy, piece_bytes[j]);
            if (copy) {
                assert_true(one.copied_len > size / 2); /* every row, with its person and outcome */
                assert_same_text(one.copied, one.copied_len, two.copied, two.copied_len, "copy", policy,
                                 piece_bytes[j]);
            }
            assert_same_totals(&t1, &t2);
            assert_int_equal(t2.bytes_given, UINT64_MAX);
            /* cut where asked: a subject or two a piece at 1 byte; otherwise pieces of at least
             * piece_bytes and at most that and a subject or two (0: chosen, here 64 KiB, the least) */
            uint64_t bytes = piece_bytes[j] ? piece_bytes[j] : 64u << 10;
            if (bytes == 1)
                assert_true(t2.pieces >= 300);
            else
                assert_true(t2.pieces <= size / bytes + 1 && t2.pieces >= size / (bytes + 10000));
            redone += t2.pieces_redone;
            seen_free(&two);
        }
        /* subject 300's quoted name hid the planned end of some piece, and it was planned again */
        assert_true(redone > 0);
        /* more workers than pieces in flight at two jobs, and more than this machine's CPUs */
        for (int jobs = 3; jobs <= RUN_MAX_JOBS; jobs += RUN_MAX_JOBS - 3) {
            struct seen many = {.charges = charges};
            struct run_totals tn;
            assert_int_equal(run(path, &p, jobs, 700, copy, &many, &tn, err, sizeof err), RECORD_END);
            assert_same_text(one.text.s, one.text.len, many.text.s, many.text.len, "output", policy, 700);
            if (copy)
                assert_same_text(one.copied, one.copied_len, many.copied, many.copied_len, "copy", policy, 700);
            assert_same_totals(&t1, &tn);
            seen_free(&many);
        }
        seen_free(&one);
        free_policy(&p);
    }
}

static void test_a_failing_output_stops_the_workers(void **state)
{
    const char *path = ((const struct export *)*state)->path;
    struct loaded p;
    load_policy("rules/ca/prop64.policy", &p);
    static const uint64_t fail_after[] = {1, 50, 400};
    for (size_t j = 0; j < sizeof fail_after / sizeof *fail_after; j++) {
        struct seen two = {.fail_after = fail_after[j]};
        struct run_totals t;
        char err[1024] = "x";
        assert_int_equal(run(path, &p, 2, 700, j == 1, &two, &t, err, sizeof err), RECORD_ERROR);
        assert_string_equal(err, ""); /* writing failed: the caller says so */
        assert_true(t.people < 600);
        seen_free(&two);
    }
    free_policy(&p);
}

/* An output that needs each person's rows, with no way for the workers to write them: one job.
 * (Standard input and the conviction CSV: jobs.sh.) */
static void test_what_cannot_be_cut_is_one_job(void **state)
{
    const char *path = ((const struct export *)*state)->path;
    struct loaded p;
    load_policy("rules/ca/prop64.policy", &p);
    struct seen seen = {0};
    char err[1024];
    struct record_reader *reader = cadoj_reader_open(path, seen_reject, &seen, err, sizeof err);
    assert_non_null(reader);
    /* an output that needs each person's rows, but cannot have them written by the workers */
    reader->keep_rows = true;
    struct run_job job = {path, reader, &p.vm, {seen_decision, seen_person_done, &seen, false, NULL, NULL}, 2, 700, false};
    struct run_totals t;
    assert_int_equal(run_decide(&job, &t, err, sizeof err), RECORD_END);
    assert_int_equal(t.pieces, 0);
    assert_true(t.people > 500);
    reader->close(reader);
    free(seen.text.s);
    free_policy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_give_what_one_job_gives),
        cmocka_unit_test(test_a_failing_output_stops_the_workers),
        cmocka_unit_test(test_what_cannot_be_cut_is_one_job),
    };
    return cmocka_run_group_tests(tests, export_setup, export_teardown);
}
