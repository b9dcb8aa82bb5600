/*
 * csv.c - streaming reader for the general conviction CSV.
 *
 * Memory stays flat in the size of the file: input is read with read(2)
 * in 1 MiB blocks into one buffer.  A row without quotes is read where it
 * lies (the quick scanner, csv_scan_row); any other is unquoted in place
 * (the unquoted text is never longer than the quoted text, so the write
 * position never passes the read position).  Only the cells of the
 * columns Lenity uses are kept, so the buffer grows to the longest such
 * row plus one block and no further.  When the buffer runs dry mid-row,
 * the unquoted part is slid to the front and the next block read after it.
 *
 * Row numbers count CSV records, not lines: a quoted cell may span lines.
 * Blank lines carry no data and are neither counted nor rejected.
 */
#include "csv.h"

#include "csv_grammar.h"
#include "memo.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CSV_BLOCK (1u << 20)
/* The longest header name kept for messages; longer ones are cut. */
#define CSV_NAME_MAX 48
/* Header names kept for messages about a column; later columns are named by number. */
#define CSV_NAMED_COLUMNS 1024u
/* Values quoted in a message are cut here so one bad cell cannot flood a log. */
#define CSV_QUOTE_MAX 60

enum csv_column {
    COL_PERSON_ID,
    COL_CITATION,
    COL_LEVEL,
    COL_DISPOSITION_DATE,
    COL_DATE_OF_BIRTH,
    COL_COUNTY,
    COL_SENTENCE,
    COL_CASE_ID,
    COL_OFFENSE_DATE,
    COL_SENTENCE_END,
    COL_QUANTITY,
    COL_PLANT_COUNT,
    COL_CLASS, /* the record's words, kept as text: class, substance, custody status */
    COL_SUBSTANCE,
    COL_CUSTODY_STATUS,
    COL__COUNT
};

#define CSV_WORD_COLUMNS 3 /* COL_CLASS .. COL_CUSTODY_STATUS */
static const unsigned csv_word_facts[CSV_WORD_COLUMNS] = {FACT_CLASS, FACT_SUBSTANCE, FACT_CUSTODY_STATUS};

static const char *const csv_column_names[COL__COUNT] = {
    "person_id", "citation", "level", "disposition_date",
    "date_of_birth", "county", "sentence", "case_id",
    "offense_date", "sentence_end", "quantity", "plant_count",
    "class", "substance", "custody_status",
};

struct csv_field {
    uint32_t off; /* from the start of the row's unquoted text */
    uint32_t len;
};

/* One parsed row, pointing into the buffer (or into the pending person). */
struct csv_row {
    const char *id;
    size_t id_len;
    bool has_dob;
    int32_t dob;
    struct conviction conv; /* text refs not filled yet */
    const char *county, *case_id, *key;
    size_t county_len, case_id_len, key_len;
    const char *words[CSV_WORD_COLUMNS];
    size_t words_len[CSV_WORD_COLUMNS];
};

struct csv_reader {
    struct record_reader base; /* first, so the two pointers convert */
    char *name;                /* for messages: the path, or "standard input" */
    int fd;
    bool own_fd;

    char *buf;
    size_t cap, len, pos;      /* [pos, len) not yet scanned */
    size_t row_start, w;       /* the current row's unquoted text is buf[row_start .. +w) */
    bool eof;
    bool skip_lf;              /* the last record ended at a CR: a following LF belongs to it */
    bool careful_only;         /* every row goes to the careful scanner (for tests) */

    uint32_t ncols;
    int8_t *col_role;          /* per header column: enum csv_column, or -1 = ignored */
    int32_t role_col[COL__COUNT];
    char (*col_name)[CSV_NAME_MAX + 1];
    uint32_t ncol_names;

    struct csv_field *fields;  /* ncols entries for data rows; grows for the header */
    uint32_t fields_cap;
    uint32_t nfields;          /* fields in the row, including ones not stored */

    /* problems found while scanning the current row (column index, or -1) */
    int64_t unterminated_col;
    int64_t oversized_col;
    int64_t bad_quote_col;
    int64_t nul_col;
    struct csv_line_breaks line_breaks; /* inside the row's quoted values */

    uint64_t row;              /* number of the current data row */
    uint64_t dob_row;          /* row that gave the current person's date of birth */
    struct person pending;     /* the row that started the next person */
    uint64_t pending_dob_row;
    bool have_pending;

    struct memo_slot *memo; /* memo.h: the citations parsed so far */

    char errmsg[1024];
    char reason[1024];
    size_t reason_len;
};


static void csv_close(struct record_reader *base);

/* ---- message helpers ------------------------------------------------------ */

/* Copies a value for quoting in a message: control bytes shown as '?', cut at a character boundary. */
static void csv_sanitize(char *dst, size_t size, const char *s, size_t len, size_t max)
{
    if (size < 4) {
        if (size > 0)
            dst[0] = '\0';
        return;
    }
    size_t limit = max < size - 4 ? max : size - 4;
    size_t n = len;
    bool cut = false;
    if (n > limit) {
        n = limit;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (cut)
        memcpy(dst + n, "...", 4);
    else
        dst[n] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void csv_reason(struct csv_reader *r, const char *fmt, ...)
{
    size_t size = sizeof r->reason;
    if (r->reason_len > 0 && r->reason_len + 2 < size) {
        memcpy(r->reason + r->reason_len, "; ", 3);
        r->reason_len += 2;
    }
    if (r->reason_len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->reason + r->reason_len, size - r->reason_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->reason_len += (size_t)n < size - r->reason_len ? (size_t)n : size - r->reason_len - 1;
}

static const char *csv_col_label(const struct csv_reader *r, int64_t col, char *buf, size_t size);

static void csv_reject(struct csv_reader *r)
{
    if (r->line_breaks.first_col >= 0) {
        /* the likeliest cause of a broken row that spans lines: a closing quote left out */
        char label[CSV_NAME_MAX + 16], hint[512];
        csv_line_breaks_hint(hint, sizeof hint, &r->line_breaks,
                             csv_col_label(r, r->line_breaks.first_col, label, sizeof label));
        csv_reason(r, "%s", hint);
    }
    r->base.rows_rejected++;
    if (r->base.reject)
        r->base.reject(r->base.reject_ctx, r->row, r->reason);
}

static const char *csv_col_label(const struct csv_reader *r, int64_t col, char *buf, size_t size)
{
    if (col >= 0 && (uint64_t)col < r->ncol_names && r->col_name[col][0])
        snprintf(buf, size, "column '%s'", r->col_name[col]);
    else
        snprintf(buf, size, "column %lld", (long long)col + 1);
    return buf;
}

/* ---- reading -------------------------------------------------------------- */

/* Slides the current row's text to the front and reads the next block after it. */
static bool csv_refill(struct csv_reader *r)
{
    if (r->eof)
        return true;
    size_t unread = r->len - r->pos;
    /* pos > w exactly when there is a gap to close: an earlier row, quotes, or cells not kept */
    if (r->pos > r->w) {
        memmove(r->buf, r->buf + r->row_start, r->w);
        memmove(r->buf + r->w, r->buf + r->pos, unread);
        r->row_start = 0;
        r->pos = r->w;
        r->len = r->w + unread;
    }
    if (r->cap - r->len < CSV_BLOCK) {
        size_t cap = r->len + CSV_BLOCK;
        char *grown = realloc(r->buf, cap);
        if (!grown) {
            snprintf(r->errmsg, sizeof r->errmsg,
                     "%s: out of memory while reading row %llu", r->name,
                     (unsigned long long)r->row + 1);
            return false;
        }
        r->buf = grown;
        r->cap = cap;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n > 0) {
            r->len += (size_t)n;
            return true;
        }
        if (n == 0) {
            r->eof = true;
            return true;
        }
        if (errno != EINTR) {
            snprintf(r->errmsg, sizeof r->errmsg, "%s: cannot read the file: %s", r->name,
                     strerror(errno));
            return false;
        }
    }
}

static bool csv_keeps(const struct csv_reader *r, bool header, uint32_t col)
{
    if (header)
        return true;
    return col < r->ncols && r->col_role[col] >= 0;
}

/* grow: the header's cells are all kept, until the header is known to be too long. */
static bool csv_end_field(struct csv_reader *r, bool grow, uint32_t col, size_t start)
{
    if (grow && col >= r->fields_cap) {
        uint32_t cap = r->fields_cap ? r->fields_cap * 2 : 64;
        struct csv_field *grown = realloc(r->fields, (size_t)cap * sizeof *grown);
        if (!grown) {
            snprintf(r->errmsg, sizeof r->errmsg, "%s: out of memory reading the header",
                     r->name);
            return false;
        }
        r->fields = grown;
        r->fields_cap = cap;
    }
    if (col < r->fields_cap) {
        r->fields[col].off = (uint32_t)start;
        r->fields[col].len = (uint32_t)(r->w - start);
    }
    r->nfields = col == UINT32_MAX ? col : col + 1;
    return true;
}

/*
 * Scans one record.  For the header every cell is kept and the limit is on
 * the whole row (a header that long is not a CSV header); for data rows
 * the limit is per cell and cells of ignored columns are not kept.
 */
static enum scan_result csv_scan(struct csv_reader *r, bool header)
{
    r->row_start = r->pos;
    r->w = 0;
    r->nfields = 0;
    r->unterminated_col = r->oversized_col = r->bad_quote_col = r->nul_col = -1;
    csv_line_breaks_reset(&r->line_breaks);

    enum scan_state state = S_START;
    uint32_t col = 0;
    size_t field_start = 0, field_len = 0, raw = 0;
    bool keep = csv_keeps(r, header, 0);
    bool dropping = false;
    unsigned char prev = 0;

    for (;;) {
        if (r->pos == r->len) {
            if (!csv_refill(r))
                return SCAN_ERROR;
            if (r->pos == r->len) {
                if (state == S_START && col == 0 && raw == 0)
                    return SCAN_END;
                if (state == S_QUOTED)
                    r->unterminated_col = col;
                return csv_end_field(r, header && !dropping, col, field_start) ? SCAN_ROW : SCAN_ERROR;
            }
        }
        unsigned char c = (unsigned char)r->buf[r->pos++], before = prev;
        prev = c;
        if (r->skip_lf) {
            r->skip_lf = false;
            if (c == '\n')
                continue;
        }
        struct csv_step step = csv_grammar_step(&state, c, before);
        bool put = step.put, end_field = step.end_field, end_row = step.end_row;
        if (step.open_quote) {
            r->w = field_start;
            field_len = 0;
        }
        if (step.bad_quote && r->bad_quote_col < 0)
            r->bad_quote_col = col;
        if (step.line_break)
            csv_line_breaks_note(&r->line_breaks, col);
        if (end_row) {
            if (c == '\r')
                r->skip_lf = true;
            if (col == 0 && raw == 0 && state == S_START)
                return SCAN_BLANK;
            return csv_end_field(r, header && !dropping, col, field_start) ? SCAN_ROW : SCAN_ERROR;
        }
        raw++;
        if (header && !dropping && raw > CSV_MAX_FIELD) {
            r->oversized_col = col;
            dropping = true;
        }
        if (end_field) {
            if (!csv_end_field(r, header && !dropping, col, field_start))
                return SCAN_ERROR;
            if (col < UINT32_MAX)
                col++;
            state = S_START;
            field_start = r->w;
            field_len = 0;
            keep = csv_keeps(r, header, col);
            continue;
        }
        if (!put)
            continue;
        field_len++;
        if (!dropping && !header && field_len > CSV_MAX_FIELD) {
            r->oversized_col = col;
            dropping = true; /* keep scanning to the row's end, storing nothing more */
        }
        if (keep && !dropping) {
            if (c == '\0' && r->nul_col < 0)
                r->nul_col = col;
            r->buf[r->row_start + r->w++] = (char)c;
        }
    }
}

/*
 * The quick scanner.  A row with no double quote, CR or NUL byte before its
 * line end (LF or CR LF), which is nearly every row a program writes, is
 * read where it lies: its cells are found by their commas, and nothing is
 * copied or unquoted.  Every other row goes to csv_scan, which reads one
 * byte at a time and knows every problem a row can have; so do a row that
 * runs past the buffer or past CSV_QUICK_ROW, and the row after a lone CR.
 * Both give the same fields (test_csv and fuzz_csv check it).
 */
#define CSV_QUICK_ROW (64u << 10)
_Static_assert(CSV_QUICK_ROW < CSV_MAX_FIELD, "a quick row cannot hold an oversized cell");

enum { QUICK_TEXT, QUICK_COMMA, QUICK_CAREFUL };
static const uint8_t csv_quick_class[256] = {
    [','] = QUICK_COMMA, ['"'] = QUICK_CAREFUL, ['\r'] = QUICK_CAREFUL, ['\0'] = QUICK_CAREFUL,
};

/* Cell `col` of a quick row is buf[row_start + start, row_start + end). */
static inline void csv_quick_cell(struct csv_reader *r, uint32_t col, size_t start, size_t end)
{
    if (col < r->fields_cap) {
        r->fields[col].off = (uint32_t)start;
        r->fields[col].len = (uint32_t)(end - start);
    }
}

static enum scan_result csv_scan_row(struct csv_reader *r)
{
    if (r->careful_only || r->skip_lf)
        return csv_scan(r, false);
    const char *row = r->buf + r->pos;
    size_t avail = r->len - r->pos < CSV_QUICK_ROW ? r->len - r->pos : CSV_QUICK_ROW;
    const char *line_end = memchr(row, '\n', avail);
    if (!line_end)
        return csv_scan(r, false);
    /* the row's text ends before its LF, or before the CR of a CR LF (as spreadsheet programs write) */
    size_t through = (size_t)(line_end - row) + 1;
    size_t n = through - 1;
    if (n > 0 && row[n - 1] == '\r')
        n--;
    uint32_t col = 0;
    size_t cell = 0, i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: a branch per block, not one per comma, whose places no predictor knows */
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
        __m128i careful = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                                       _mm_cmpeq_epi8(v, _mm_setzero_si128()));
        if (_mm_movemask_epi8(careful))
            return csv_scan(r, false);
        for (unsigned commas = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
             commas; commas &= commas - 1) {
            size_t at = i + (unsigned)__builtin_ctz(commas);
            csv_quick_cell(r, col++, cell, at);
            cell = at + 1;
        }
    }
#endif
    for (; i < n; i++) {
        uint8_t k = csv_quick_class[(unsigned char)row[i]];
        if (k == QUICK_TEXT)
            continue;
        if (k == QUICK_CAREFUL)
            return csv_scan(r, false);
        csv_quick_cell(r, col++, cell, i);
        cell = i + 1;
    }
    if (n == 0) {
        r->pos += through;
        return SCAN_BLANK;
    }
    csv_quick_cell(r, col, cell, n);
    r->nfields = col + 1;
    r->row_start = r->pos;
    r->w = n;
    r->unterminated_col = r->oversized_col = r->bad_quote_col = r->nul_col = -1;
    csv_line_breaks_reset(&r->line_breaks);
    r->pos += through;
    return SCAN_ROW;
}

void csv_reader_scan_carefully(struct record_reader *base)
{
    if (base && base->close == csv_close)
        ((struct csv_reader *)base)->careful_only = true;
}

/* ---- header ----------------------------------------------------------------- */

static void csv_trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static void csv_append(char *buf, size_t size, size_t *len, const char *text)
{
    if (*len + 1 >= size)
        return;
    int n = snprintf(buf + *len, size - *len, "%s", text);
    if (n > 0)
        *len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

static bool csv_read_header(struct csv_reader *r, char *err, size_t errsize)
{
    /* A UTF-8 byte-order mark, as spreadsheet programs write, is not part of the first name. */
    while (r->len - r->pos < 3 && !r->eof)
        if (!csv_refill(r)) {
            snprintf(err, errsize, "%s", r->errmsg);
            return false;
        }
    if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
        r->pos += 3;

    enum scan_result s;
    do
        s = csv_scan(r, true);
    while (s == SCAN_BLANK);
    if (s == SCAN_ERROR) {
        snprintf(err, errsize, "%s", r->errmsg);
        return false;
    }
    if (s == SCAN_END) {
        snprintf(err, errsize,
                 "%s: the file is empty; it needs a header row naming the columns "
                 "(at least person_id and citation), then one row per conviction", r->name);
        return false;
    }
    if (r->unterminated_col >= 0) {
        snprintf(err, errsize,
                 "%s: a quoted column name in the header is not closed before the end of the file",
                 r->name);
        return false;
    }
    if (r->oversized_col >= 0) {
        snprintf(err, errsize,
                 "%s: the first row is longer than 1 MiB, so it is not a header of column names; "
                 "is this a CSV file?", r->name);
        return false;
    }

    r->ncols = r->nfields;
    r->col_role = malloc(r->ncols);
    r->ncol_names = r->ncols < CSV_NAMED_COLUMNS ? r->ncols : CSV_NAMED_COLUMNS;
    r->col_name = malloc((size_t)(r->ncol_names ? r->ncol_names : 1) * sizeof *r->col_name);
    if (!r->col_role || !r->col_name) {
        snprintf(err, errsize, "%s: out of memory reading the header", r->name);
        return false;
    }
    for (int i = 0; i < COL__COUNT; i++)
        r->role_col[i] = -1;
    const char *row = r->buf + r->row_start;
    for (uint32_t i = 0; i < r->ncols; i++) {
        const char *name = row + r->fields[i].off;
        size_t len = r->fields[i].len;
        csv_trim(&name, &len);
        if (i < r->ncol_names)
            csv_sanitize(r->col_name[i], sizeof r->col_name[i], name, len, CSV_NAME_MAX - 3);
        r->col_role[i] = -1;
        for (int k = 0; k < COL__COUNT; k++) {
            if (strlen(csv_column_names[k]) != len || strncasecmp(name, csv_column_names[k], len) != 0)
                continue;
            if (r->role_col[k] >= 0) {
                snprintf(err, errsize,
                         "%s: the header names the column '%s' twice (columns %d and %u); "
                         "Lenity cannot tell which one to use", r->name, csv_column_names[k],
                         (int)r->role_col[k] + 1, (unsigned)i + 1);
                return false;
            }
            r->role_col[k] = (int32_t)i;
            r->col_role[i] = (int8_t)k;
        }
    }

    if (r->role_col[COL_PERSON_ID] < 0 || r->role_col[COL_CITATION] < 0) {
        if (r->ncol_names > 1 && strcasecmp(r->col_name[0], "RECORD_ID") == 0) {
            /* its 95 column names would not fit in a message, and would not say what to do */
            snprintf(err, errsize,
                     "%s: this looks like a California DOJ criminal-history export (its header starts "
                     "with RECORD_ID), not the one-row-per-conviction CSV: give --input-format cadoj "
                     "to read it as an export", r->name);
            return false;
        }
        size_t n = 0;
        int m = snprintf(err, errsize, "%s: the header has no ", r->name);
        n = m > 0 ? (size_t)m : 0;
        if (n >= errsize)
            return false;
        if (r->role_col[COL_PERSON_ID] < 0 && r->role_col[COL_CITATION] < 0)
            csv_append(err, errsize, &n, "'person_id' column and no 'citation' column");
        else if (r->role_col[COL_PERSON_ID] < 0)
            csv_append(err, errsize, &n, "'person_id' column");
        else
            csv_append(err, errsize, &n, "'citation' column");
        csv_append(err, errsize, &n, " (columns found: ");
        bool any = false;
        for (uint32_t i = 0; i < r->ncol_names; i++) {
            if (!r->col_name[i][0])
                continue;
            if (any)
                csv_append(err, errsize, &n, ", ");
            csv_append(err, errsize, &n, r->col_name[i]);
            any = true;
        }
        if (!any)
            csv_append(err, errsize, &n, "none");
        csv_append(err, errsize, &n, ")");
        if (r->ncol_names == 1 && strchr(r->col_name[0], ';'))
            csv_append(err, errsize, &n,
                       "; the columns seem to be separated by ';': save the file as "
                       "comma-separated values");
        else if (r->ncols == 1 && r->fields[0].len > 0 && memchr(row + r->fields[0].off, '\t', r->fields[0].len))
            csv_append(err, errsize, &n,
                       "; the columns seem to be separated by tabs: save the file as "
                       "comma-separated values");
        return false;
    }

    /* From here on only the used columns' positions are stored. */
    if (r->ncols > r->fields_cap) {
        struct csv_field *grown = realloc(r->fields, (size_t)r->ncols * sizeof *grown);
        if (!grown) {
            snprintf(err, errsize, "%s: out of memory reading the header", r->name);
            return false;
        }
        r->fields = grown;
    }
    r->fields_cap = r->ncols;
    return true;
}

/* ---- rows ------------------------------------------------------------------- */

static bool csv_cell(const struct csv_reader *r, enum csv_column k, const char **s, size_t *len,
                     bool trim)
{
    int32_t col = r->role_col[k];
    if (col < 0)
        return false;
    *s = r->buf + r->row_start + r->fields[col].off;
    *len = r->fields[col].len;
    if (trim)
        csv_trim(s, len);
    return *len > 0;
}

static bool csv_parse_level(const char *s, size_t len, uint8_t *out)
{
    static const struct {
        const char *word;
        uint8_t level;
    } words[] = {
        {"felony", LEVEL_FELONY}, {"misdemeanor", LEVEL_MISDEMEANOR},
        {"infraction", LEVEL_INFRACTION}, {"f", LEVEL_FELONY},
        {"m", LEVEL_MISDEMEANOR}, {"i", LEVEL_INFRACTION},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].word) == len && strncasecmp(s, words[i].word, len) == 0) {
            *out = words[i].level;
            return true;
        }
    }
    return false;
}

/* 1: a date; 0: no date given; -1: not a date (the reason says so). */
static int csv_parse_date(struct csv_reader *r, enum csv_column k, int32_t *out)
{
    const char *s;
    size_t len;
    if (!csv_cell(r, k, &s, &len, true))
        return 0;
    if (date_parse_iso(s, len, out))
        return 1;
    char q[CSV_QUOTE_MAX + 4];
    csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
    csv_reason(r, "%s '%s' is not a valid date (expected YYYY-MM-DD, e.g. 2016-11-09)",
               csv_column_names[k], q);
    return -1;
}

/* citation_parse, through the memo (memo.h). */
static bool csv_citation(struct csv_reader *r, const char *s, size_t len, struct citation *out, const char **why)
{
    bool hit;
    struct memo_slot *m = memo_find(&r->memo, s, len, &hit);
    if (!m)
        return citation_parse(s, len, out, why);
    if (!hit)
        m->ok = citation_parse(s, len, &m->citation, &m->why);
    if (m->ok)
        *out = m->citation;
    *why = m->why;
    return m->ok;
}

/* Checks the scanned row and reads its values; false (with r->reason) when it must be rejected. */
static bool csv_parse_row(struct csv_reader *r, struct csv_row *row)
{
    char label[CSV_NAME_MAX + 16];
    r->reason_len = 0;
    r->reason[0] = '\0';

    if (r->unterminated_col >= 0) {
        csv_reason(r, "a quoted field is not closed before the end of the file (the opening "
                      "double quote is in %s; everything after it was read as one value)",
                   csv_col_label(r, r->unterminated_col, label, sizeof label));
        return false;
    }
    if (r->oversized_col >= 0) {
        csv_reason(r, "the value in %s is longer than 1 MiB, the most Lenity reads in one cell",
                   csv_col_label(r, r->oversized_col, label, sizeof label));
        return false;
    }
    if (r->nfields != r->ncols) {
        csv_reason(r, "the row has %u value%s but the header names %u columns (is there a comma "
                      "inside a value that is not in double quotes, or a value missing?)",
                   (unsigned)r->nfields, r->nfields == 1 ? "" : "s", (unsigned)r->ncols);
        return false;
    }
    if (r->bad_quote_col >= 0) {
        csv_reason(r, "%s has text after the closing double quote of a quoted value (inside "
                      "quotes, write a double quote as \"\")",
                   csv_col_label(r, r->bad_quote_col, label, sizeof label));
        return false;
    }
    if (r->nul_col >= 0) {
        csv_reason(r, "%s contains a NUL byte; the file may not be plain text",
                   csv_col_label(r, r->nul_col, label, sizeof label));
        return false;
    }

    memset(row, 0, sizeof *row);
    struct conviction *c = &row->conv;
    c->row = r->row;
    bool ok = true;
    const char *s;
    size_t len;
    char q[CSV_QUOTE_MAX + 4];

    if (!csv_cell(r, COL_PERSON_ID, &row->id, &row->id_len, true)) {
        csv_reason(r, "person_id is empty; every row must say whose conviction it is");
        ok = false;
    }
    if (!csv_cell(r, COL_CITATION, &s, &len, true)) {
        csv_reason(r, "citation is empty; every row must give the statute of conviction "
                      "(e.g. HS 11357(b))");
        ok = false;
    } else {
        const char *why = NULL;
        csv_cell(r, COL_CITATION, &row->key, &row->key_len, false);
        if (csv_citation(r, s, len, &c->citation, &why)) {
            c->known |= 1u << FACT_CITATION;
        } else {
            csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
            if (why)
                csv_reason(r, "citation '%s' is not a statute citation: %s", q, why);
            else
                csv_reason(r, "citation '%s' is not a statute citation (expected a code and a "
                              "section, e.g. HS 11357(b))", q);
            ok = false;
        }
    }
    if (csv_cell(r, COL_LEVEL, &s, &len, true)) {
        if (csv_parse_level(s, len, &c->level)) {
            c->known |= 1u << FACT_LEVEL;
        } else {
            csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
            csv_reason(r, "level '%s' is not an offence level (expected felony, misdemeanor or "
                          "infraction, or F, M or I)", q);
            ok = false;
        }
    }
    int got = csv_parse_date(r, COL_DISPOSITION_DATE, &c->disposition_date);
    if (got > 0)
        c->known |= 1u << FACT_DISPOSITION_DATE;
    ok = ok && got >= 0;
    got = csv_parse_date(r, COL_DATE_OF_BIRTH, &row->dob);
    row->has_dob = got > 0;
    ok = ok && got >= 0;
    if (csv_cell(r, COL_SENTENCE, &s, &len, true)) {
        if (duration_parse(s, len, &c->sentence)) {
            c->known |= 1u << FACT_SENTENCE;
        } else {
            csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
            csv_reason(r, "sentence '%s' is not a length of time (expected e.g. 6 months, "
                          "2 years, 1 year 3 months, 30 days)", q);
            ok = false;
        }
    }
    if (csv_cell(r, COL_COUNTY, &row->county, &row->county_len, true))
        c->known |= 1u << FACT_COUNTY;
    if (csv_cell(r, COL_CASE_ID, &row->case_id, &row->case_id_len, true))
        c->known |= 1u << FACT_CASE_ID;
    got = csv_parse_date(r, COL_OFFENSE_DATE, &c->offense_date);
    if (got > 0)
        c->known |= 1u << FACT_OFFENSE_DATE;
    ok = ok && got >= 0;
    got = csv_parse_date(r, COL_SENTENCE_END, &c->sentence_end);
    if (got > 0)
        c->known |= 1u << FACT_SENTENCE_END;
    ok = ok && got >= 0;
    if (csv_cell(r, COL_QUANTITY, &s, &len, true)) {
        const char *why = NULL;
        if (quantity_parse(s, len, &c->quantity, &why) && c->quantity.dim == QUANTITY_MASS) {
            c->known |= 1u << FACT_QUANTITY;
        } else {
            csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
            csv_reason(r, "quantity '%s' is not a weight (expected e.g. 28.5 grams, 2 ounces, 1 pound)%s%s", q,
                       why ? ": " : "", why ? why : "");
            ok = false;
        }
    }
    if (csv_cell(r, COL_PLANT_COUNT, &s, &len, true)) {
        /* "6 plants", or a bare whole number of plants */
        char with_unit[64];
        bool bare = len < 20 && strspn(s, "0123456789") == len;
        if (bare) {
            snprintf(with_unit, sizeof with_unit, "%.*s plants", (int)len, s);
            s = with_unit;
            len = strlen(with_unit);
        }
        const char *why = NULL;
        if (quantity_parse(s, len, &c->plant_count, &why) && c->plant_count.dim == QUANTITY_PLANTS) {
            c->known |= 1u << FACT_PLANT_COUNT;
        } else {
            csv_sanitize(q, sizeof q, s, len, CSV_QUOTE_MAX);
            csv_reason(r, "plant_count '%s' is not a number of plants (expected e.g. 6 plants, or 6)", q);
            ok = false;
        }
    }
    for (int k = 0; k < CSV_WORD_COLUMNS; k++)
        if (csv_cell(r, (enum csv_column)(COL_CLASS + k), &row->words[k], &row->words_len[k], true))
            c->known |= 1u << csv_word_facts[k];
    return ok;
}

/* Adds a parsed row to p, as its first row when p is empty. */
static bool csv_add_row(struct person *p, const struct csv_row *row)
{
    if (p->count == 0) {
        if (!person_add_text(p, row->id, row->id_len, &p->id))
            return false;
        p->known |= 1u << FACT_ID;
    }
    if (row->has_dob && !(p->known & (1u << FACT_DATE_OF_BIRTH))) {
        p->date_of_birth = row->dob;
        p->known |= 1u << FACT_DATE_OF_BIRTH;
    }
    struct conviction *c = person_add_conviction(p, CSV_MAX_CONVICTIONS);
    if (!c)
        return false;
    *c = row->conv;
    c->known |= 1u << FACT_OFFENSE_TEXT;
    for (int k = 0; k < CSV_WORD_COLUMNS; k++)
        if (row->words_len[k] > 0 &&
            !person_add_text(p, row->words[k], row->words_len[k],
                             (struct text_ref *)conviction_record_text(c, csv_word_facts[k])))
            return false;
    return person_add_text(p, row->key, row->key_len, &c->key) &&
           person_add_text(p, row->county, row->county_len, &c->county) &&
           person_add_text(p, row->case_id, row->case_id_len, &c->case_id);
}

static void csv_pending_row(const struct person *p, struct csv_row *row)
{
    const struct conviction *c = &p->convictions[0];
    memset(row, 0, sizeof *row);
    row->id = person_text(p, p->id);
    row->id_len = p->id.len;
    row->has_dob = (p->known & (1u << FACT_DATE_OF_BIRTH)) != 0;
    row->dob = p->date_of_birth;
    row->conv = *c;
    row->key = person_text(p, c->key);
    row->key_len = c->key.len;
    row->county = person_text(p, c->county);
    row->county_len = c->county.len;
    row->case_id = person_text(p, c->case_id);
    row->case_id_len = c->case_id.len;
    for (int k = 0; k < CSV_WORD_COLUMNS; k++) {
        const struct text_ref *t = conviction_record_text(c, csv_word_facts[k]);
        row->words[k] = person_text(p, *t);
        row->words_len[k] = t->len;
    }
}

static enum record_status csv_oom(struct csv_reader *r)
{
    snprintf(r->errmsg, sizeof r->errmsg, "%s: out of memory at row %llu", r->name,
             (unsigned long long)r->row);
    return RECORD_ERROR;
}

static enum record_status csv_next(struct record_reader *base, struct person *person)
{
    struct csv_reader *r = (struct csv_reader *)base;
    person_clear(person);
    if (r->have_pending) {
        struct csv_row row;
        csv_pending_row(&r->pending, &row);
        if (!csv_add_row(person, &row))
            return csv_oom(r);
        r->dob_row = r->pending_dob_row;
        r->have_pending = false;
    }
    for (;;) {
        enum scan_result s = csv_scan_row(r);
        if (s == SCAN_BLANK)
            continue;
        if (s == SCAN_ERROR)
            return RECORD_ERROR;
        if (s == SCAN_END)
            return person->count ? RECORD_PERSON : RECORD_END;
        r->row++;
        r->base.rows_read++;

        struct csv_row row;
        if (!csv_parse_row(r, &row)) {
            csv_reject(r);
            continue;
        }
        if (person->count == 0) {
            if (!csv_add_row(person, &row))
                return csv_oom(r);
            r->dob_row = row.has_dob ? r->row : 0;
            continue;
        }
        if (person->id.len != row.id_len ||
            memcmp(person_text(person, person->id), row.id, row.id_len) != 0) {
            /* The next person's first row: kept aside, since the buffer will be reused. */
            person_clear(&r->pending);
            if (!csv_add_row(&r->pending, &row))
                return csv_oom(r);
            r->pending_dob_row = row.has_dob ? r->row : 0;
            r->have_pending = true;
            return RECORD_PERSON;
        }
        if (row.has_dob && (person->known & (1u << FACT_DATE_OF_BIRTH)) &&
            row.dob != person->date_of_birth) {
            char mine[11], theirs[11], id[CSV_QUOTE_MAX + 4];
            date_format_iso(row.dob, mine);
            date_format_iso(person->date_of_birth, theirs);
            csv_sanitize(id, sizeof id, row.id, row.id_len, CSV_QUOTE_MAX);
            csv_reason(r, "date_of_birth %s contradicts the date of birth %s given for person "
                          "'%s' on row %llu; correct one of them", mine, theirs, id,
                       (unsigned long long)r->dob_row);
            csv_reject(r);
            continue;
        }
        if (person->count >= CSV_MAX_CONVICTIONS) {
            char id[CSV_QUOTE_MAX + 4];
            csv_sanitize(id, sizeof id, row.id, row.id_len, CSV_QUOTE_MAX);
            csv_reason(r, "person '%s' already has %u convictions, the most Lenity reads for one "
                          "person (are the person_id values right?)", id,
                       (unsigned)CSV_MAX_CONVICTIONS);
            csv_reject(r);
            continue;
        }
        bool had_dob = (person->known & (1u << FACT_DATE_OF_BIRTH)) != 0;
        if (!csv_add_row(person, &row))
            return csv_oom(r);
        if (!had_dob && row.has_dob)
            r->dob_row = r->row;
    }
}

static const char *csv_error(struct record_reader *base)
{
    return ((struct csv_reader *)base)->errmsg;
}

static void csv_close(struct record_reader *base)
{
    struct csv_reader *r = (struct csv_reader *)base;
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    person_free(&r->pending);
    free(r->memo);
    free(r->buf);
    free(r->fields);
    free(r->col_role);
    free(r->col_name);
    free(r->name);
    free(r);
}

struct record_reader *csv_reader_open(const char *path, record_reject_fn reject, void *ctx,
                                      char *err, size_t errsize)
{
    struct csv_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errsize, "%s: out of memory", path);
        return NULL;
    }
    r->fd = -1;
    r->base.format_name = "general conviction CSV";
    r->base.next = csv_next;
    r->base.error = csv_error;
    r->base.close = csv_close;
    r->base.reject = reject;
    r->base.reject_ctx = ctx;
    person_init(&r->pending);

    bool is_stdin = strcmp(path, "-") == 0;
    r->name = strdup(is_stdin ? "standard input" : path);
    r->buf = malloc(CSV_BLOCK);
    if (!r->name || !r->buf) {
        snprintf(err, errsize, "%s: out of memory", path);
        csv_close(&r->base);
        return NULL;
    }
    r->cap = CSV_BLOCK;

    if (is_stdin) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            snprintf(err, errsize, "%s: cannot open the file: %s", path, strerror(errno));
            csv_close(&r->base);
            return NULL;
        }
        r->own_fd = true;
        struct stat st;
        if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(err, errsize, "%s: is a folder, not a CSV file", path);
            csv_close(&r->base);
            return NULL;
        }
    }
    if (!csv_read_header(r, err, errsize)) {
        csv_close(&r->base);
        return NULL;
    }
    return &r->base;
}
