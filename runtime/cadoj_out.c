/* cadoj_out.c - the DOJ export with the policy's columns added; see cadoj_out.h. */
#include "cadoj_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#include "outfile.h"

/* The input columns gogen kept in its condensed output, in its order. */
static const char *const condensed_columns[] = {
    "CII_NUMBER", "PRI_NAME", "GENDER", "PRI_DOB", "RACE_DESCR", "CYC_DATE", "STP_EVENT_DATE",
    "STP_ORI_DESCR", "STP_ORI_CNTY_NAME", "DISP_DATE", "OFN", "OFFENSE_DESCR", "DISP_DESCR",
    "CONV_STAT_DESCR", "SENT_LOC_DESCR", "SENT_LENGTH", "SENT_TIME_CODE", "CYC_AGE", "COMMENT_TEXT",
    "END_OF_REC",
};
#define NCONDENSED (sizeof condensed_columns / sizeof condensed_columns[0])
#define MAX_FIELDS 256

struct cadoj_out {
    struct out_file out;
    enum cadoj_out_variant variant;
    const struct program *p;
    struct vm *vm;
    int condensed_index[NCONDENSED]; /* input field of each condensed column, or -1 */
    uint64_t persons;                /* written by cadoj_out_person, for out_file_write_back */
};

/* One CSV cell, quoted when a reader could otherwise misread it. */
static void put_cell(FILE *f, const char *s, size_t len)
{
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite_unlocked(s, 1, len, f);
        return;
    }
    putc_unlocked('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc_unlocked('"', f);
        putc_unlocked(s[i], f);
    }
    putc_unlocked('"', f);
}

/*
 * Splits one CSV row into fields: start and length of each, quotes still in
 * place (the field is copied as read).  Returns the number of fields.
 */
static size_t split_row(const char *row, size_t len, size_t *start, size_t *flen, size_t max)
{
    size_t n = 0, i = 0;
    while (n < max) {
        size_t s = i;
        bool quoted = false;
        while (i < len && (quoted || row[i] != ',')) {
            if (row[i] == '"')
                quoted = !quoted;
            i++;
        }
        start[n] = s;
        flen[n] = i - s;
        n++;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    return n;
}

/* A field as its text: quotes removed and doubled quotes undone, into buf. */
static size_t unquote(const char *s, size_t len, char *buf, size_t size)
{
    size_t k = 0;
    bool quoted = false;
    for (size_t i = 0; i < len && k + 1 < size; i++) {
        if (s[i] == '"') {
            if (quoted && i + 1 < len && s[i + 1] == '"') {
                buf[k++] = '"';
                i++;
            } else {
                quoted = !quoted;
            }
        } else {
            buf[k++] = s[i];
        }
    }
    buf[k] = '\0';
    return k;
}

struct cadoj_out *cadoj_out_open(const char *path, enum cadoj_out_variant variant, const struct program *p,
                                 struct vm *vm, const char *header, size_t header_len, char *err, size_t errsize)
{
    struct cadoj_out *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errsize, "%s: out of memory", out_display(path));
        return NULL;
    }
    w->variant = variant;
    w->p = p;
    w->vm = vm;
    if (!out_file_open(&w->out, path, err, errsize)) {
        free(w);
        return NULL;
    }
    FILE *f = w->out.f;
#ifdef __GLIBC__
    /* one thread writes it: no lock per character, and the _unlocked calls below */
    __fsetlocking(f, FSETLOCKING_BYCALLER);
#endif
    size_t start[MAX_FIELDS], flen[MAX_FIELDS];
    size_t n = split_row(header, header_len, start, flen, MAX_FIELDS);
    /* A header ending in a comma (gogen's fixtures have one) does not make an extra column. */
    if (n > 1 && flen[n - 1] == 0)
        n--;
    if (variant == CADOJ_OUT_CONDENSED) {
        for (size_t c = 0; c < NCONDENSED; c++) {
            w->condensed_index[c] = -1;
            for (size_t k = 0; k < n; k++) {
                char name[64];
                unquote(header + start[k], flen[k], name, sizeof name);
                if (strcmp(name, condensed_columns[c]) == 0)
                    w->condensed_index[c] = (int)k;
            }
            fputs(c ? "," : "", f);
            fputs(condensed_columns[c], f);
        }
    } else {
        fwrite_unlocked(header, 1, start[n - 1] + flen[n - 1], f);
    }
    for (uint32_t c = 0; c < p->ncolumns; c++) {
        putc_unlocked(',', f);
        const char *name = program_str(p, p->columns[c].name);
        put_cell(f, name, strlen(name));
    }
    putc_unlocked('\n', f);
    return w;
}

/*
 * The charge row `row` names, for a column on every row: the reader lists
 * charges in the order of their rows, so `*next` walks them beside the rows.
 * A row that names no offence gets `none`, with no fact known.
 */
static const struct conviction *row_charge(const struct person *person, const struct raw_row *row, uint32_t *next,
                                           struct conviction *none)
{
    while (*next < person->ncharges && person->charges[*next].row < row->row)
        (*next)++;
    if (*next < person->ncharges && person->charges[*next].row == row->row)
        return &person->charges[*next];
    memset(none, 0, sizeof *none);
    none->row = row->row;
    return none;
}

bool cadoj_out_person(struct cadoj_out *w, const struct person *person, const struct decision *decisions)
{
    if ((++w->persons & 1023) == 0)
        out_file_write_back(&w->out);
    return cadoj_out_person_to(w, w->out.f, w->vm, person, decisions);
}

bool cadoj_out_bytes(struct cadoj_out *w, const char *bytes, size_t len)
{
    /* straight to the file, in writes of OUT_BUFFER, not through stdio's buffer (a copy less);
     * what stdio holds goes first */
    FILE *f = w->out.f;
    if (fflush(f) != 0)
        return false;
    int fd = fileno(f);
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, bytes + done, len - done < OUT_BUFFER ? len - done : OUT_BUFFER);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    out_file_write_back(&w->out);
    return true;
}

bool cadoj_out_person_to(const struct cadoj_out *w, FILE *f, struct vm *vm, const struct person *person,
                         const struct decision *decisions)
{
    const struct program *p = w->p;
    uint32_t next_charge = 0;
    struct conviction none;
    for (uint32_t r = 0; r < person->nrows; r++) {
        const struct raw_row *row = &person->rows[r];
        const char *text = person_text(person, row->text);
        bool filled = row->conviction != UINT32_MAX &&
                      vm_column_scope(vm, person, row->conviction, &decisions[row->conviction]);
        if (w->variant == CADOJ_OUT_CONVICTIONS && !filled)
            continue;
        if (w->variant == CADOJ_OUT_CONDENSED) {
            size_t start[MAX_FIELDS], flen[MAX_FIELDS];
            size_t n = split_row(text, row->text.len, start, flen, MAX_FIELDS);
            for (size_t c = 0; c < NCONDENSED; c++) {
                if (c)
                    putc_unlocked(',', f);
                int k = w->condensed_index[c];
                if (k >= 0 && (size_t)k < n)
                    fwrite_unlocked(text + start[k], 1, flen[k], f);
            }
        } else {
            fwrite_unlocked(text, 1, row->text.len, f); /* the reader left out an empty cell after END_OF_REC */
        }
        const struct conviction *charge = NULL;
        for (uint32_t c = 0; c < p->ncolumns; c++) {
            putc_unlocked(',', f);
            const char *value;
            size_t vlen;
            if (p->functions[p->columns[c].function].kind == FUNCTION_ROW_COLUMN) {
                if (!charge)
                    charge = row_charge(person, row, &next_charge, &none);
                vm_row_column(vm, person, charge, c, &value, &vlen);
            } else if (filled) {
                vm_column(vm, person, row->conviction, &decisions[row->conviction], c, &value, &vlen);
            } else {
                continue;
            }
            put_cell(f, value, vlen);
        }
        putc_unlocked('\n', f);
    }
    return !ferror(f);
}

bool cadoj_out_commit(struct cadoj_out *w, char *err, size_t errsize)
{
    bool ok = out_file_commit(&w->out, err, errsize);
    free(w);
    return ok;
}

void cadoj_out_abort(struct cadoj_out *w)
{
    out_file_abort(&w->out);
    free(w);
}
