/*
 * csv_grammar.h - the one reading of CSV's quoting rules, byte by byte,
 * shared by the careful scanners of both record readers (csv.c for the
 * records CSV, cadoj.c for the DOJ export).  Each reader keeps its own
 * buffers, limits and field storage; what a byte means is decided here.
 *
 * The rules (RFC 4180, plus what real exports do): a cell that starts
 * with a double quote (after blanks, which are then layout) runs to the
 * next double quote not doubled; inside it, commas and line ends are text
 * and "" is a quote.  Blanks after the closing quote are layout; any other
 * text there is kept, and noted as a badly quoted cell.  A line end (LF,
 * CR, or CR LF) outside quotes ends the row.
 */
#ifndef LENITY_CSV_GRAMMAR_H
#define LENITY_CSV_GRAMMAR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum scan_result { SCAN_ERROR = -1, SCAN_END = 0, SCAN_ROW = 1, SCAN_BLANK = 2 };

enum scan_state {
    S_START,      /* at the start of a cell, or in its leading blanks */
    S_UNQUOTED,   /* in a cell that is not quoted */
    S_QUOTED,     /* inside a quoted cell */
    S_QUOTE,      /* just past a quote inside a quoted cell: it closed the cell, or a "" follows */
    S_AFTER_QUOTE /* in the blanks after a quoted cell's closing quote */
};

/* What one byte does. */
struct csv_step {
    bool put;        /* the byte is part of the cell's text */
    bool end_field;  /* a comma that ends the cell */
    bool end_row;    /* a line end that ends the row (a CR: skip an LF right after it) */
    bool open_quote; /* an opening quote: the blanks before it were layout, not text */
    bool bad_quote;  /* text after a closing quote (kept, as the cell's text goes on unquoted) */
    bool line_break; /* a line break inside a quoted cell (a CR LF counts once) */
};

/* The step for byte c, before being the byte read just before it; moves *state on. */
static inline struct csv_step csv_grammar_step(enum scan_state *state, unsigned char c, unsigned char before)
{
    struct csv_step s = {false, false, false, false, false, false};
    switch (*state) {
    case S_START:
        if (c == '"') {
            s.open_quote = true;
            *state = S_QUOTED;
            break;
        }
        if (c == ' ' || c == '\t') {
            s.put = true;
            break;
        }
        /* fall through */
    case S_UNQUOTED:
        if (c == ',') {
            s.end_field = true;
        } else if (c == '\n' || c == '\r') {
            s.end_row = true;
        } else {
            s.put = true;
            *state = S_UNQUOTED;
        }
        break;
    case S_QUOTED:
        if (c == '"')
            *state = S_QUOTE;
        else
            s.put = true;
        s.line_break = c == '\r' || (c == '\n' && before != '\r');
        break;
    case S_QUOTE:
        if (c == '"') {
            s.put = true;
            *state = S_QUOTED;
            break;
        }
        /* fall through */
    case S_AFTER_QUOTE:
        if (c == ',') {
            s.end_field = true;
        } else if (c == '\n' || c == '\r') {
            s.end_row = true;
        } else if (c == ' ' || c == '\t') {
            *state = S_AFTER_QUOTE;
        } else {
            s.bad_quote = true;
            s.put = true;
            *state = S_UNQUOTED;
        }
        break;
    }
    return s;
}

/*
 * Line breaks inside a row's quoted values: legitimate in a name, but after a
 * closing quote left out they are other rows, read into this one.  A reader
 * notes them while it scans, and names them when it rejects the row.
 */
struct csv_line_breaks {
    int64_t first_col; /* the column of the first quoted value with one, or -1 */
    uint32_t count;
};

static inline void csv_line_breaks_reset(struct csv_line_breaks *lb)
{
    lb->first_col = -1;
    lb->count = 0;
}

static inline void csv_line_breaks_note(struct csv_line_breaks *lb, uint32_t col)
{
    if (lb->first_col < 0)
        lb->first_col = col;
    if (lb->count < UINT32_MAX)
        lb->count++;
}

/*
 * "the row runs over N line breaks inside a quoted value that starts in
 * COLUMN: ..." into buf, for a rejection's reason; nothing when the row had
 * none.  Returns what snprintf returns (0 when nothing is written).
 */
static inline int csv_line_breaks_hint(char *buf, size_t size, const struct csv_line_breaks *lb, const char *column)
{
    if (lb->first_col < 0 || size == 0)
        return 0;
    unsigned k = lb->count;
    char next[64] = "line of the file (perhaps another person's row) was";
    if (k != 1)
        snprintf(next, sizeof next, "%u lines of the file (perhaps other people's rows) were", k);
    return snprintf(buf, size,
                    "the row runs over %u line break%s inside a quoted value that starts in %s: if that "
                    "value's closing double quote is missing, the next %s read into this row and rejected "
                    "with it",
                    k, k == 1 ? "" : "s", column, next);
}

#endif
