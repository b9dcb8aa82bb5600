/*
 * fuzz_parallel.c - fuzz target: bytes -> lenity run's decision loop, with
 * one job and with two to eight in pieces (parallel.c).
 *
 * The bytes follow the DOJ's 95-column header and are decided by a small
 * policy that looks at each person's history and charges.  The first byte
 * chooses the size of the pieces (1 to 249 bytes, so a few rows are cut in
 * many places, inside quoted values too) and what the output asks for:
 * bit 0 each person's rows copied (as --format cadoj), bit 1 the policy run
 * over each person as it is given out (as --summary, which has the charges
 * carried over), bit 2 a header as a spreadsheet program saves it (a UTF-8
 * byte-order mark before it, CR LF after it).  The last byte chooses how
 * many jobs: 2 to 8.  Both runs must give the output the same decisions,
 * persons, charges, rows and rejected rows, in the same order, with the
 * same row numbers, and the same totals; a difference aborts.
 */
#define _GNU_SOURCE /* memfd_create, open_memstream */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cadoj.h"
#include "compile.h"
#include "fuzz_input.h"
#include "parallel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char policy_text[] =
    "policy \"fuzz: pieces\"\n"
    "  jurisdiction \"Nowhere\"\n"
    "  authority HS 11361.8\n"
    "  effective 2016-11-09\n"
    "  version \"1\"\n"
    "outcome dismiss is relief\n"
    "outcome none is no relief\n"
    "outcome flag is review\n"
    "rule many_charges\n"
    "  when count of charges where citation in HS 11357 is at least 2\n"
    "  then flag\n"
    "  because \"More than one possession charge.\"\n"
    "  citing HS 11361.8(a)\n"
    "rule possession\n"
    "  when citation in HS 11357 and no other conviction where citation in PC 187\n"
    "  then dismiss\n"
    "  because \"Possession.\"\n"
    "  citing HS 11361.8(e)\n"
    "otherwise none\n"
    "  because \"Anything else.\"\n"
    "  citing HS 11361.8(a)\n";

/* What an output was given, folded into numbers (FNV-1a, 64 bits): events in order, and the copy. */
struct seen {
    uint64_t events, copy;
    bool charges;
    struct decision held[4096];
    bool too_many;
};

static void mix(uint64_t *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= 0x100000001b3ull;
    }
}

static void mix_u64(uint64_t *h, uint64_t v)
{
    mix(h, &v, sizeof v);
}

static void mix_text(uint64_t *h, const struct person *p, struct text_ref t)
{
    mix_u64(h, t.len);
    if (t.len)
        mix(h, person_text(p, t), t.len);
}

/* A conviction or charge: its row, citation and every text, as an output reads them. */
static void mix_conviction(uint64_t *h, const struct person *p, const struct conviction *c)
{
    mix_u64(h, c->row);
    mix_u64(h, c->known);
    mix(h, c->citation.text, c->citation.len);
    struct conviction copy = *c;
    struct text_ref *texts[CONVICTION_TEXTS];
    conviction_texts(&copy, texts);
    for (int k = 0; k < CONVICTION_TEXTS; k++)
        mix_text(h, p, *texts[k]);
}

static bool seen_decision(void *ctx, const struct person *p, uint32_t i, const struct decision *d)
{
    struct seen *s = ctx;
    mix_text(&s->events, p, p->id);
    mix_conviction(&s->events, p, &p->convictions[i]);
    mix_u64(&s->events, (uint64_t)d->rule << 32 | d->outcome);
    mix_u64(&s->events, d->unknown);
    if (i < sizeof s->held / sizeof *s->held)
        s->held[i] = *d;
    else
        s->too_many = true;
    return true;
}

/* A person's rows, each with its conviction's outcome, as a DOJ copy writes them. */
static bool copy_rows(FILE *f, const struct person *p, const struct decision *d)
{
    for (uint32_t r = 0; r < p->nrows; r++) {
        const struct raw_row *row = &p->rows[r];
        fwrite(person_text(p, row->text), 1, row->text.len, f);
        if (row->conviction != UINT32_MAX)
            fprintf(f, ",%u", (unsigned)d[row->conviction].outcome);
        fputc('\n', f);
    }
    return !ferror(f);
}

static bool seen_person_done(void *ctx, const struct person *p)
{
    struct seen *s = ctx;
    mix_text(&s->events, p, p->id);
    mix_u64(&s->events, p->count);
    if (s->charges) {
        mix_u64(&s->events, p->ncharges);
        for (uint32_t i = 0; i < p->ncharges; i++)
            mix_conviction(&s->events, p, &p->charges[i]);
    }
    if (p->nrows == 0 || s->too_many)
        return true;
    /* one job: the rows are here (with two, a worker wrote them and they came through seen_copy) */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    bool ok = copy_rows(f, p, s->held);
    if (fclose(f) != 0 || !ok)
        abort();
    mix(&s->copy, buf, len);
    free(buf);
    return true;
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
    mix(&s->copy, bytes, len);
    return true;
}

static void seen_reject(void *ctx, uint64_t row, const char *reason)
{
    struct seen *s = ctx;
    mix_u64(&s->events, row);
    mix(&s->events, reason, strlen(reason));
}

static struct program program;
static struct vm vm;

static void load_policy(void)
{
    static bool loaded;
    if (loaded)
        return;
    struct diag d;
    diag_init(&d, stderr);
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    opts.no_lint = true;
    program_init(&program);
    if (!compile_policy_text("fuzz_parallel.policy", policy_text, &opts, &d, &program) || !vm_init(&vm, &program) ||
        !date_from_ymd(2026, 1, 1, &vm.as_of))
        abort();
    vm.as_of_known = true;
    loaded = true;
}

/* One run over the input; false when the input cannot be read as an export at all. */
static bool run(int jobs, uint64_t piece_bytes, bool copy, bool charges, struct seen *s, struct run_totals *t,
                enum record_status *st)
{
    memset(s, 0, sizeof *s);
    s->events = s->copy = 0xcbf29ce484222325ull;
    s->charges = charges;
    char err[1024];
    struct record_reader *reader = cadoj_reader_open(input_path, seen_reject, s, err, sizeof err);
    if (!reader)
        return false;
    reader->keep_rows = copy;
    struct run_job job = {input_path, reader, &vm,
                          {seen_decision, seen_person_done, s, charges, copy ? seen_rows : NULL,
                           copy ? seen_copy : NULL},
                          jobs, piece_bytes, false};
    *st = run_decide(&job, t, err, sizeof err);
    reader->close(reader);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    load_policy();
    unsigned mode = data[0];
    data++;
    size--;
    input_clear("fuzz_parallel");
    char header[2048];
    size_t n = 0;
    if (mode & 4)
        n += (size_t)snprintf(header, sizeof header, "\xEF\xBB\xBF");
    for (size_t i = 0; i < CADOJ_COLUMNS; i++)
        n += (size_t)snprintf(header + n, sizeof header - n, "%s%s", i ? "," : "", cadoj_column_names[i]);
    n += (size_t)snprintf(header + n, sizeof header - n, "%s", mode & 4 ? "\r\n" : "\n");
    input_write(header, n, 0);
    input_write(data, size, (off_t)n);

    uint64_t piece_bytes = 1 + (mode >> 3) * 8; /* 1 to 249 */
    bool copy = mode & 1, charges = mode & 2;
    static struct seen one, two;
    struct run_totals t1, t2;
    enum record_status st1, st2;
    if (!run(1, 0, copy, charges, &one, &t1, &st1))
        return 0;
    int jobs = 2 + (size ? data[size - 1] % (RUN_MAX_JOBS - 1) : 0);
    if (!run(jobs, piece_bytes, copy, charges, &two, &t2, &st2))
        abort();
    if (one.too_many || two.too_many)
        return 0; /* a person of more convictions than the copy keeps decisions for: not compared */
    if (st1 != st2 || one.events != two.events || one.copy != two.copy || t1.rows_read != t2.rows_read ||
        t1.rows_rejected != t2.rows_rejected || t1.rows_other != t2.rows_other || t1.people != t2.people ||
        t1.convictions_decided != t2.convictions_decided) {
        fprintf(stderr, "fuzz_parallel: %d jobs in pieces of %llu bytes (copy %d, charges %d) differ from one: "
                        "status %d/%d, rows %llu/%llu, rejected %llu/%llu, people %llu/%llu, %s%s\n",
                jobs, (unsigned long long)piece_bytes, copy, charges, st1, st2, (unsigned long long)t1.rows_read,
                (unsigned long long)t2.rows_read, (unsigned long long)t1.rows_rejected,
                (unsigned long long)t2.rows_rejected, (unsigned long long)t1.people, (unsigned long long)t2.people,
                one.events != two.events ? "events differ " : "", one.copy != two.copy ? "copies differ" : "");
        abort();
    }
    return 0;
}
