/*
 * doj_rows.h - building synthetic California DOJ exports in memory, for the
 * tests of the reader (test_cadoj.c) and of the run in pieces
 * (test_parallel.c): a growable buffer, the DOJ header, and rows that set
 * the cells a test names.  Header-only, test-only; include cmocka.h first.
 */
#ifndef LENITY_TESTS_DOJ_ROWS_H
#define LENITY_TESTS_DOJ_ROWS_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadoj.h"

/* A growable text buffer for building inputs and digests. */
struct sbuf {
    char *s;
    size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static inline void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (b->s && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        assert_non_null(b->s);
        b->cap = cap;
    }
}

static inline void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        assert_non_null(b->s);
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* The DOJ header, with a line ending. */
static inline void put_header(struct sbuf *b, const char *eol)
{
    for (int i = 0; i < CADOJ_COLUMNS; i++)
        sb_printf(b, "%s%s", i ? "," : "", cadoj_column_names[i]);
    sb_printf(b, "%s", eol);
}

/* The cells a synthetic row sets; NULL cells are empty. */
struct spec {
    const char *subject, *dob, *date, *county, *cnt, *offense, *toc, *disp, *conv_stat,
        *sent_len, *sent_unit, *comment, *name;
};

static inline void put_cell(struct sbuf *b, const char *v)
{
    if (!v)
        return;
    if (strpbrk(v, ",\"\r\n")) {
        sb_put(b, "\"", 1);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                sb_put(b, "\"", 1);
            sb_put(b, p, 1);
        }
        sb_put(b, "\"", 1);
    } else {
        sb_put(b, v, strlen(v));
    }
}

static inline void put_row(struct sbuf *b, const struct spec *s, const char *eol)
{
    for (int i = 0; i < CADOJ_COLUMNS; i++) {
        if (i)
            sb_put(b, ",", 1);
        const char *v = NULL;
        switch (i) {
        case 2: v = s->subject; break;
        case 12: v = s->name; break;
        case 14: v = s->dob; break;
        case 40: v = s->date; break;
        case 48: v = s->county; break;
        case 50: v = s->cnt; break;
        case 54: v = s->offense; break;
        case 55: v = s->toc; break;
        case 80: v = s->disp; break;
        case 82: v = s->conv_stat; break;
        case 87: v = s->sent_len; break;
        case 88: v = s->sent_unit; break;
        case 93: v = s->comment; break;
        default: break;
        }
        put_cell(b, v);
    }
    sb_printf(b, "%s", eol);
}

/* A conviction row with the usual cells. */
static inline struct spec conv(const char *subject, const char *cnt, const char *offense)
{
    return (struct spec){.subject = subject, .dob = "19700101", .date = "20100102",
                         .county = "LOS ANGELES", .cnt = cnt, .offense = offense, .toc = "F",
                         .disp = "CONVICTED-PROBATION", .conv_stat = "FELONY", .sent_len = "6",
                         .sent_unit = "M", .name = "DOE,JANE"};
}

#endif
