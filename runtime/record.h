/*
 * record.h - the interface every record reader implements.
 *
 * A reader streams: it hands out one person at a time, with all of that
 * person's convictions (rows of one person are adjacent in the input),
 * and keeps only that person in memory.  Rows it cannot use are rejected
 * with their row number and a reason a clerk can act on, through the
 * reject callback; every row read is either part of a person handed out
 * or rejected, so rows in = rows decided + rows rejected (+ rows_other, the
 * rows of formats such as the DOJ export that describe a person without
 * being a conviction).
 */
#ifndef LENITY_RECORD_H
#define LENITY_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "person.h"

/* row: 1-based data row number (the header is row 0); reason: plain English. */
typedef void (*record_reject_fn)(void *ctx, uint64_t row, const char *reason);

enum record_status {
    RECORD_PERSON = 1,  /* *person holds the next person */
    RECORD_END = 0,     /* no more input */
    RECORD_ERROR = -1   /* the input cannot be read further; message in reader_error() */
};

struct record_reader {
    const char *format_name;
    /* Fill *person with the next person's convictions. */
    enum record_status (*next)(struct record_reader *r, struct person *person);
    const char *(*error)(struct record_reader *r);
    void (*close)(struct record_reader *r);
    record_reject_fn reject;
    void *reject_ctx;
    /*
     * Set by the caller before the first next() to have each person's input
     * rows kept verbatim in person->rows (for writers that copy the input);
     * off, a reader keeps nothing it does not need.  header() then gives the
     * header line as read.  A reader that cannot keep rows leaves them empty.
     */
    bool keep_rows;
    const char *(*header)(struct record_reader *r, size_t *len);
    uint64_t rows_read;       /* data rows seen */
    uint64_t rows_rejected;   /* of which rejected */
    uint64_t rows_other;      /* of which read but not a conviction (an arrest, a continuation row...);
                                 always 0 for formats with one row per conviction */
};

#endif
