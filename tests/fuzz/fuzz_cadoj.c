/*
 * fuzz_cadoj.c - fuzz target: bytes -> the California DOJ export reader.
 *
 * The first byte chooses how the rest is read: bit 0 puts the DOJ's own
 * 95-column header in front of the bytes (so the fuzzer spends its time on
 * rows, not on finding the header), bit 1 keeps each person's rows (as
 * --format cadoj does), bit 2 reads in blocks of 7 bytes (rows and quoted
 * values straddle every refill).  The input is then read once by every way
 * this processor has of reading it: the careful scanner, and each build of
 * the quick scanner (portable, AVX2, AVX2 with bit deposit).  Beyond not
 * crashing, every way must hand out exactly the same people, convictions,
 * charges, kept rows and rejections, and each must keep record.h's promise:
 * rows in = convictions + rows that are not convictions + rows rejected.
 * Any difference aborts, naming the two ways.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cadoj.h"
#include "fuzz_input.h"
#include "record.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a way of reading hands out, folded into one number (FNV-1a, 64 bits). */
struct digest {
    uint64_t h;
    uint64_t rejections;
};

static void mix(struct digest *d, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        d->h ^= p[i];
        d->h *= 0x100000001b3ull;
    }
}

static void mix_u64(struct digest *d, uint64_t v)
{
    mix(d, &v, sizeof v);
}

/* A text the person holds (an empty one, such as an unknown fact's, may point anywhere: it is not read). */
static void mix_text(struct digest *d, const struct person *p, struct text_ref t)
{
    mix_u64(d, t.len);
    if (t.len == 0)
        return;
    if ((size_t)t.offset + t.len >= p->strings_len || p->strings[t.offset + t.len] != '\0') {
        fprintf(stderr, "fuzz_cadoj: a text outside the person's buffer\n");
        abort();
    }
    mix(d, p->strings + t.offset, t.len);
}

static void on_reject(void *ctx, uint64_t row, const char *reason)
{
    struct digest *d = ctx;
    if (row == 0 || reason == NULL || reason[0] == '\0') {
        fprintf(stderr, "fuzz_cadoj: a rejection without a row or a reason\n");
        abort();
    }
    mix_u64(d, row);
    mix(d, reason, strlen(reason));
    d->rejections++;
}

static void mix_conviction(struct digest *d, const struct person *p, const struct conviction *c)
{
    mix_u64(d, c->row);
    mix_u64(d, c->known);
    mix(d, c->citation.text, strlen(c->citation.text));
    mix_u64(d, c->level);
    mix_u64(d, (uint64_t)(int64_t)c->disposition_date);
    mix_u64(d, (uint64_t)(int64_t)c->sentence.months);
    mix_u64(d, (uint64_t)(int64_t)c->sentence.days);
    mix_text(d, p, c->county);
    mix_text(d, p, c->case_id);
    mix_text(d, p, c->cycle_id);
    mix_text(d, p, c->key);
}

/*
 * Reads the whole input one way (how: -1 careful, else a scanner build);
 * false when this processor has no such build.
 */
static bool read_all(int how, bool keep_rows, size_t block, struct digest *d)
{
    memset(d, 0, sizeof *d);
    d->h = 0xcbf29ce484222325ull;
    char err[1024] = "";
    struct record_reader *r = block ? cadoj_reader_open_block(input_path, block, on_reject, d, err, sizeof err)
                                    : cadoj_reader_open(input_path, on_reject, d, err, sizeof err);
    if (!r) {
        if (err[0] == '\0')
            abort(); /* a refusal must say why */
        mix(d, err, strlen(err));
        return true;
    }
    if (how < 0)
        cadoj_reader_scan_carefully(r);
    else if (!cadoj_reader_choose_scanner(r, (enum cadoj_scanner)how)) {
        r->close(r);
        return false;
    }
    r->keep_rows = keep_rows;
    struct person person;
    person_init(&person);
    uint64_t convictions = 0;
    enum record_status st;
    while ((st = r->next(r, &person)) == RECORD_PERSON) {
        mix_u64(d, person.known);
        mix_text(d, &person, person.id);
        mix_u64(d, (uint64_t)(int64_t)person.date_of_birth);
        for (uint32_t i = 0; i < person.count; i++)
            mix_conviction(d, &person, &person.convictions[i]);
        for (uint32_t i = 0; i < person.ncharges; i++)
            mix_conviction(d, &person, &person.charges[i]);
        for (uint32_t i = 0; i < person.nrows; i++) {
            mix_u64(d, person.rows[i].row);
            mix_u64(d, person.rows[i].conviction);
            mix_text(d, &person, person.rows[i].text);
        }
        convictions += person.count;
    }
    if (st == RECORD_END) {
        if (r->rows_read != convictions + r->rows_other + r->rows_rejected || d->rejections != r->rows_rejected) {
            fprintf(stderr,
                    "fuzz_cadoj: %llu rows read, but %llu convictions + %llu other rows + %llu rejected "
                    "(%llu rejections reported)\n",
                    (unsigned long long)r->rows_read, (unsigned long long)convictions,
                    (unsigned long long)r->rows_other, (unsigned long long)r->rows_rejected,
                    (unsigned long long)d->rejections);
            abort();
        }
        mix_u64(d, r->rows_read);
        mix_u64(d, r->rows_other);
    } else {
        const char *why = r->error(r);
        if (!why || !why[0])
            abort();
        mix(d, why, strlen(why));
    }
    person_free(&person);
    r->close(r);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    input_clear("fuzz_cadoj");
    unsigned mode = data[0];
    data++;
    size--;
    off_t at = 0;
    if (mode & 1) {
        char header[2048];
        size_t n = 0;
        for (size_t i = 0; i < CADOJ_COLUMNS; i++)
            n += (size_t)snprintf(header + n, sizeof header - n, "%s%s", i ? "," : "", cadoj_column_names[i]);
        header[n++] = '\n';
        input_write(header, n, 0);
        at = (off_t)n;
    }
    input_write(data, size, at);
    bool keep_rows = mode & 2;
    size_t block = mode & 4 ? 7 : 0;

    static const char *const ways[] = {"careful", "portable", "AVX2", "AVX2 with bit deposit"};
    struct digest want, got;
    read_all(-1, keep_rows, block, &want);
    for (int how = CADOJ_SCANNER_PORTABLE; how <= CADOJ_SCANNER_BMI2; how++) {
        if (read_all(how, keep_rows, block, &got) && (got.h != want.h || got.rejections != want.rejections)) {
            fprintf(stderr, "fuzz_cadoj: the %s scanner reads this input differently from the %s one\n",
                    ways[how + 1], ways[0]);
            abort();
        }
    }
    return 0;
}
