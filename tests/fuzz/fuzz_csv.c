/*
 * fuzz_csv.c - fuzz target: bytes -> the general conviction CSV reader.
 *
 * The bytes go into a memory file (fuzz_input.h).  Every person is read to
 * the end.  Beyond not crashing, the reader must keep record.h's promise,
 * rows in = convictions handed out + rows rejected (one row per
 * conviction: no rows_other), and report each rejection
 * once through the callback; each person handed out must be well formed;
 * and the quick scanner must hand out what the careful one does.  Any
 * broken promise aborts.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "fuzz_input.h"
#include "record.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rejections {
    uint64_t count;
    uint64_t last_row;
};

static void on_reject(void *ctx, uint64_t row, const char *reason)
{
    struct rejections *r = ctx;
    /* rows are rejected in input order, each once, with a reason to show */
    if (row == 0 || row <= r->last_row || reason == NULL || reason[0] == '\0') {
        fprintf(stderr, "fuzz_csv: bad rejection: row %llu after row %llu, reason '%s'\n",
                (unsigned long long)row, (unsigned long long)r->last_row, reason ? reason : "(null)");
        abort();
    }
    /* the reason is printed by lenity: it must be a terminated string */
    (void)strlen(reason);
    r->count++;
    r->last_row = row;
}

static bool text_ok(const struct person *p, struct text_ref t)
{
    return (size_t)t.offset + t.len < p->strings_len && p->strings[t.offset + t.len] == '\0';
}

/* A person as lenity would decide it: one id, rows in order, texts inside the person's buffer. */
static void check_person(const struct person *p, uint64_t *last_row, uint64_t rows_read)
{
    if (p->count == 0 || !(p->known & (1u << FACT_ID)) || !text_ok(p, p->id) || p->id.len == 0) {
        fprintf(stderr, "fuzz_csv: a person was handed out without an id or without convictions\n");
        abort();
    }
    for (uint32_t i = 0; i < p->count; i++) {
        const struct conviction *c = &p->convictions[i];
        if (c->row <= *last_row || c->row > rows_read) {
            fprintf(stderr, "fuzz_csv: conviction row %llu after row %llu (%llu rows read)\n",
                    (unsigned long long)c->row, (unsigned long long)*last_row, (unsigned long long)rows_read);
            abort();
        }
        *last_row = c->row;
        if (!(c->known & (1u << FACT_CITATION)) || c->citation.len != strlen(c->citation.text) ||
            c->citation.depth < 1 || c->citation.depth > CITATION_MAX_DEPTH) {
            fprintf(stderr, "fuzz_csv: row %llu was handed out with a malformed citation\n",
                    (unsigned long long)c->row);
            abort();
        }
        if (!text_ok(p, c->key) || !text_ok(p, c->county) || !text_ok(p, c->case_id)) {
            fprintf(stderr, "fuzz_csv: row %llu has a text outside the person's buffer\n",
                    (unsigned long long)c->row);
            abort();
        }
        if ((c->known & (1u << FACT_LEVEL)) && (c->level < LEVEL_FELONY || c->level > LEVEL_INFRACTION))
            abort();
    }
}

/* Folds bytes into a 64-bit digest of everything a reading handed out (FNV-1a). */
static void fold(uint64_t *h, const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < len; i++) {
        *h ^= b[i];
        *h *= 1099511628211ULL;
    }
}

struct reading {
    struct rejections rejected;
    uint64_t digest;
};

static void on_reject_digest(void *ctx, uint64_t row, const char *reason)
{
    struct reading *rd = ctx;
    on_reject(&rd->rejected, row, reason);
    fold(&rd->digest, &row, sizeof row);
    fold(&rd->digest, reason, strlen(reason) + 1);
}

static void fold_person(uint64_t *h, const struct person *p)
{
    fold(h, person_text(p, p->id), p->id.len + 1);
    fold(h, &p->known, sizeof p->known);
    fold(h, &p->date_of_birth, sizeof p->date_of_birth);
    for (uint32_t i = 0; i < p->count; i++) {
        const struct conviction *c = &p->convictions[i];
        fold(h, &c->row, sizeof c->row);
        fold(h, &c->known, sizeof c->known);
        fold(h, c->citation.text, c->citation.len + 1);
        fold(h, &c->level, sizeof c->level);
        fold(h, &c->disposition_date, sizeof c->disposition_date);
        fold(h, person_text(p, c->county), c->county.len + 1);
        fold(h, person_text(p, c->case_id), c->case_id.len + 1);
        fold(h, person_text(p, c->key), c->key.len + 1);
    }
}

/*
 * Reads the whole input, quickly or (carefully) a byte at a time, checking
 * the reader's promises; returns the digest of what it handed out, or 0
 * when the file was refused.
 */
static uint64_t read_all(bool carefully)
{
    struct reading rd = {{0, 0}, 14695981039346656037ULL};
    char err[1024];
    err[0] = '\0';
    struct record_reader *r = csv_reader_open(input_path, on_reject_digest, &rd, err, sizeof err);
    if (!r) {
        if (err[0] == '\0')
            abort(); /* a refusal must say why */
        return 0;
    }
    if (carefully)
        csv_reader_scan_carefully(r);
    struct person person;
    person_init(&person);
    uint64_t handed_out = 0, last_row = 0;
    enum record_status st;
    while ((st = r->next(r, &person)) == RECORD_PERSON) {
        check_person(&person, &last_row, r->rows_read);
        fold_person(&rd.digest, &person);
        handed_out += person.count;
    }
    if (st == RECORD_END) {
        /* rows_other (record.h) is for formats whose rows are not all convictions: never the CSV's */
        if (r->rows_read != handed_out + r->rows_rejected || r->rows_other != 0 ||
            rd.rejected.count != r->rows_rejected) {
            fprintf(stderr,
                    "fuzz_csv: %llu rows read, but %llu convictions handed out + %llu rows rejected "
                    "(%llu rejections reported)\n",
                    (unsigned long long)r->rows_read, (unsigned long long)handed_out,
                    (unsigned long long)r->rows_rejected, (unsigned long long)rd.rejected.count);
            abort();
        }
    } else {
        const char *why = r->error(r);
        if (!why || !why[0])
            abort();
    }
    fold(&rd.digest, &st, sizeof st);
    fold(&rd.digest, &r->rows_read, sizeof r->rows_read);
    person_free(&person);
    r->close(r);
    return rd.digest | 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input_clear("fuzz_csv");
    input_write(data, size, 0);
    /* the quick scanner must hand out exactly what the careful one does */
    uint64_t quick = read_all(false), careful = read_all(true);
    if (quick != careful) {
        fprintf(stderr, "fuzz_csv: the quick scanner read differently from the careful one\n");
        abort();
    }
    return 0;
}
