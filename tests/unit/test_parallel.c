/*
 * test_parallel.c - lenity run's decision loop in pieces (parallel.c): with
 * two jobs and pieces of many sizes, from a few rows to the whole file, the
 * output gets every decision, person and rejected row that one job gives,
 * in the same order with the same row numbers, and the same totals.  A
 * quoted value with line breaks that hides where pieces were planned to end
 * makes them be planned again; an output that fails stops the workers.
 * Run from the repository root (it compiles policies in rules/ca).
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

/* ---- an output that writes down everything it is given ------------------------------------ */

struct seen {
    struct sbuf text;  /* one line per decision, person done and rejected row, in order */
    uint64_t fail_after; /* nonzero: the output fails at that decision */
    uint64_t decisions;
};

static bool seen_decision(void *ctx, const struct person *p, uint32_t i, const struct decision *d)
{
    struct seen *s = ctx;
    if (s->fail_after && ++s->decisions >= s->fail_after)
        return false;
    const struct conviction *c = &p->convictions[i];
    sb_printf(&s->text, "row %llu %s %s rule %u outcome %u%s from %d\n", (unsigned long long)c->row,
              person_text(p, p->id), c->citation.text, (unsigned)d->rule, (unsigned)d->outcome,
              d->unknown ? " unknown" : "", d->has_eligible_from ? d->eligible_from : 0);
    return true;
}

static bool seen_person_done(void *ctx, const struct person *p)
{
    struct seen *s = ctx;
    sb_printf(&s->text, "person %s dob %d, %u convictions\n", person_text(p, p->id), p->date_of_birth,
              (unsigned)p->count);
    return true;
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

/* One run over path with `jobs` and pieces of piece_bytes; what the output saw goes to *seen. */
static enum record_status run(const char *path, struct loaded *p, int jobs, uint64_t piece_bytes,
                              struct seen *seen, struct run_totals *t, char *err, size_t errsize)
{
    char open_err[1024];
    struct record_reader *reader = cadoj_reader_open(path, seen_reject, seen, open_err, sizeof open_err);
    assert_non_null(reader);
    struct run_job job = {path, reader, &p->vm, {seen_decision, seen_person_done, seen, false}, jobs, piece_bytes};
    enum record_status st = run_decide(&job, t, err, errsize);
    reader->close(reader);
    return st;
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
    (void)state;
    size_t size;
    char *data = make_export(&size);
    char *path = write_temp(data, size);
    static const char *const policies[] = {"rules/ca/prop64.policy", "rules/ca/los_angeles.policy"};
    for (size_t k = 0; k < sizeof policies / sizeof *policies; k++) {
        struct loaded p;
        load_policy(policies[k], &p);
        struct seen one = {0};
        struct run_totals t1;
        char err[1024];
        assert_int_equal(run(path, &p, 1, 0, &one, &t1, err, sizeof err), RECORD_END);
        assert_int_equal(t1.pieces, 0);
        assert_true(t1.people > 500 && t1.rows_rejected == 6 && t1.convictions_decided > 500);
        assert_non_null(strstr(one.text.s, "rejected row "));
        /* pieces of a subject or two, of a few subjects, of many, and of the whole file at once */
        static const uint64_t piece_bytes[] = {1, 700, 5000, 40000, 0, 1u << 20};
        uint64_t redone = 0;
        for (size_t j = 0; j < sizeof piece_bytes / sizeof *piece_bytes; j++) {
            struct seen two = {0};
            struct run_totals t2;
            assert_int_equal(run(path, &p, 2, piece_bytes[j], &two, &t2, err, sizeof err), RECORD_END);
            if (strcmp(one.text.s, two.text.s) != 0) {
                size_t at = 0;
                while (one.text.s[at] == two.text.s[at])
                    at++;
                fail_msg("%s, pieces of %llu bytes: the output differs from one job's at byte %zu:\n"
                         "one job: %.200s\ntwo jobs: %.200s", policies[k], (unsigned long long)piece_bytes[j],
                         at, one.text.s + at, two.text.s + at);
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
            free(two.text.s);
        }
        /* subject 300's quoted name hid the planned end of some piece, and it was planned again */
        assert_true(redone > 0);
        free(one.text.s);
        free_policy(&p);
    }
    unlink(path);
    free(path);
    free(data);
}

static void test_a_failing_output_stops_the_workers(void **state)
{
    (void)state;
    size_t size;
    char *data = make_export(&size);
    char *path = write_temp(data, size);
    struct loaded p;
    load_policy("rules/ca/prop64.policy", &p);
    static const uint64_t fail_after[] = {1, 50, 400};
    for (size_t j = 0; j < sizeof fail_after / sizeof *fail_after; j++) {
        struct seen two = {.fail_after = fail_after[j]};
        struct run_totals t;
        char err[1024] = "x";
        assert_int_equal(run(path, &p, 2, 700, &two, &t, err, sizeof err), RECORD_ERROR);
        assert_string_equal(err, ""); /* writing failed: the caller says so */
        assert_true(t.people < 600);
        free(two.text.s);
    }
    free_policy(&p);
    unlink(path);
    free(path);
    free(data);
}

/* Standard input, or a file of another format, is read as one job. */
static void test_what_cannot_be_cut_is_one_job(void **state)
{
    (void)state;
    size_t size;
    char *data = make_export(&size);
    char *path = write_temp(data, size);
    struct loaded p;
    load_policy("rules/ca/prop64.policy", &p);
    struct seen seen = {0};
    char err[1024];
    struct record_reader *reader = cadoj_reader_open(path, seen_reject, &seen, err, sizeof err);
    assert_non_null(reader);
    /* an output that copies each person's rows cannot have them from another thread */
    reader->keep_rows = true;
    struct run_job job = {path, reader, &p.vm, {seen_decision, seen_person_done, &seen, true}, 2, 700};
    struct run_totals t;
    assert_int_equal(run_decide(&job, &t, err, sizeof err), RECORD_END);
    assert_int_equal(t.pieces, 0);
    assert_true(t.people > 500);
    reader->close(reader);
    free(seen.text.s);
    free_policy(&p);
    unlink(path);
    free(path);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_give_what_one_job_gives),
        cmocka_unit_test(test_a_failing_output_stops_the_workers),
        cmocka_unit_test(test_what_cannot_be_cut_is_one_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
