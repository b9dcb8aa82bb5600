/*
 * cadoj.c - streaming reader for the California DOJ criminal-history export
 * (see cadoj.h for the format and what a subject becomes).
 *
 * Blocks are read with read(2) into one buffer, which settles at about two
 * blocks.  A data row is read where it lies: the quick scanner finds the
 * commas, quotes and line ends 64 bytes at a time and only notes where each
 * cell starts and ends, so the cells a subject needs are read in place and
 * the others are never touched again.  Rows the quick scanner does not
 * handle (see "reading" below) are read again, one byte at a time, by the
 * careful scanner, which unquotes the kept cells in place and finds every
 * problem a row can have.  When the buffer runs dry mid-row, the row so far
 * is slid to the front and the next block is read after it.  The row that
 * starts the next subject stays in the buffer until the next call.
 *
 * Continuation rows find their count through a small open-addressing table
 * of the subject's CNT_ORDER values.  Its slots carry a generation number,
 * so forgetting a subject costs nothing.
 *
 * Row numbers count CSV records, not lines (a quoted cell may span lines);
 * the header is row 0.  Blank lines carry no data and are not counted.
 */
#include "cadoj.h"

#include "csv_grammar.h"
#include "doj_offense.h"
#include "memo.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Values quoted in a message are cut here so one bad cell cannot flood a log. */
#define CADOJ_QUOTE_MAX 60
/* Cells stored per data row: the 95 columns and a trailing empty one. */
#define CADOJ_ROW_FIELDS (CADOJ_COLUMNS + 1)
/* Digits read in SENT_LENGTH; more is not a sentence length. */
#define CADOJ_SENT_DIGITS 6
/*
 * Rows longer than this are left to the careful scanner, which keeps only
 * the kept cells of a row in memory (a DOJ row is about 500 bytes).  It is
 * below CADOJ_MAX_FIELD, so no row the quick scanner reads has a cell too long.
 */
#define CADOJ_LONG_ROW (64u << 10)
/* The quick scanner looks at 64 bytes at a time; the buffer has this much room past its data. */
#define CADOJ_SPAN 64
_Static_assert(CADOJ_LONG_ROW < CADOJ_MAX_FIELD, "a quick row cannot hold an oversized cell");

const char *const cadoj_column_names[CADOJ_COLUMNS] = {
    "RECORD_ID", "SUBJECT_STATUS", "SUBJECT_ID", "REQ_SEG_SEP", "REQ_CII_NUMBER", "REQ_NAME",
    "REQ_GENDER", "REQ_DOB", "REQ_CDL", "REQ_SSN", "PII_SEG_SEP", "CII_NUMBER", "PRI_NAME",
    "GENDER", "PRI_DOB", "PRI_SSN", "PRI_CDL", "PRI_IDN", "PRI_INN", "FBI_NUMBER",
    "PDR_SEG_SEP", "RACE_CODE", "RACE_DESCR", "EYE_COLOR_CODE", "EYE_COLOR_DESCR",
    "HAIR_COLOR_CODE", "HAIR_COLOR_DESCR", "HEIGHT", "WEIGHT", "SINGLE_SOURCE", "MULTI_SOURCE",
    "POB_CODE", "POB_NAME", "POB_TYPE", "CITIZENSHIP_LIST", "CYC_SEG_SEP", "CYC_ORDER",
    "CYC_DATE", "STP_SEG_SEP", "STP_ORDER", "STP_EVENT_DATE", "STP_TYPE_CODE",
    "STP_TYPE_DESCR", "STP_ORI_TYPE", "STP_ORI_TYPE_DESCR", "STP_ORI_CODE", "STP_ORI_DESCR",
    "STP_ORI_CNTY_CODE", "STP_ORI_CNTY_NAME", "CNT_SEG_SEP", "CNT_ORDER", "DISP_DATE", "OFN",
    "OFFENSE_CODE", "OFFENSE_DESCR", "OFFENSE_TOC", "OFFENSE_QUAL_LST", "DISP_OFFENSE_CODE",
    "DISP_OFFENSE_DESCR", "DISP_OFFENSE_TOC", "DISP_OFFENSE_QUAL_LST", "CONV_OFFENSE_ORDER",
    "CONV_OFFENSE_CODE", "CONV_OFFENSE_DESCR", "CONV_OFFENSE_TOC", "CONV_OFFENSE_QUAL_LST",
    "FE_NUM_ORDER", "FE_NUM_ARR_AGY", "FE_NUM_BNCH_WARR", "FE_NUM_CITE", "FE_NUM_DOCKET",
    "FE_NUM_INCIDENT", "FE_NUM_BOOKING", "FE_NUM_NUMBER", "FE_NUM_REMAND", "FE_NUM_OOS_INN",
    "FE_NUM_CRT_CASE", "FE_NUM_WARRANT", "DISP_ORDER", "DISP_CODE", "DISP_DESCR",
    "CONV_STAT_CODE", "CONV_STAT_DESCR", "SENT_SEG_SEP", "SENT_ORDER", "SENT_LOC_CODE",
    "SENT_LOC_DESCR", "SENT_LENGTH", "SENT_TIME_CODE", "SENT_TIME_DESCR", "CYC_AGE", "CII_TYPE",
    "CII_TYPE_ALPHA", "COMMENT_TEXT", "END_OF_REC",
};

/* The columns read (0-based, as in the DOJ layout). */
enum {
    C_SUBJECT_ID = 2,
    C_PRI_DOB = 14,
    C_STP_EVENT_DATE = 40,
    C_STP_TYPE_DESCR = 42,
    C_STP_ORI_CNTY_NAME = 48,
    C_CNT_ORDER = 50,
    C_OFN = 52,
    C_OFFENSE_DESCR = 54,
    C_OFFENSE_TOC = 55,
    C_DISP_DESCR = 80,
    C_CONV_STAT_DESCR = 82,
    C_SENT_LENGTH = 87,
    C_SENT_TIME_CODE = 88,
    C_COMMENT_TEXT = 93,
    C_TRAILING = 95 /* the cell after END_OF_REC, which must be empty if present */
};

_Static_assert(CADOJ_COLUMNS == 95, "the column indexes above are the DOJ's 95-column layout");

/* The kept columns, in order. */
static const uint8_t cadoj_kept_columns[] = {
    C_SUBJECT_ID, C_PRI_DOB, C_STP_EVENT_DATE, C_STP_TYPE_DESCR, C_STP_ORI_CNTY_NAME, C_CNT_ORDER, C_OFN,
    C_OFFENSE_DESCR, C_OFFENSE_TOC, C_DISP_DESCR, C_CONV_STAT_DESCR, C_SENT_LENGTH,
    C_SENT_TIME_CODE, C_COMMENT_TEXT, C_TRAILING,
};
#define CADOJ_KEPT (sizeof cadoj_kept_columns / sizeof cadoj_kept_columns[0])

static bool cadoj_kept(uint32_t col)
{
    switch (col) {
    case C_SUBJECT_ID: case C_PRI_DOB: case C_STP_EVENT_DATE: case C_STP_TYPE_DESCR: case C_STP_ORI_CNTY_NAME:
    case C_CNT_ORDER: case C_OFN: case C_OFFENSE_DESCR: case C_OFFENSE_TOC: case C_DISP_DESCR:
    case C_CONV_STAT_DESCR: case C_SENT_LENGTH: case C_SENT_TIME_CODE: case C_COMMENT_TEXT:
    case C_TRAILING:
        return true;
    default:
        return false;
    }
}

struct cadoj_field {
    uint32_t off; /* from the start of the row's text (as read, or unquoted by the careful scanner) */
    uint32_t len;
};

/* A readable data row: its text and the positions of its cells (the kept ones at least). */
struct cadoj_view {
    const char *base;
    const struct cadoj_field *f; /* CADOJ_ROW_FIELDS entries */
    uint64_t row;
};

/* Per conviction of the current subject: what finds its continuation rows and sums its sentence. */
struct cadoj_count {
    uint64_t hash;        /* of the CNT_ORDER text */
    struct text_ref cnt;  /* CNT_ORDER, in the person's strings; len 0 = none */
    int64_t months, days; /* sentence so far */
    bool any_sentence;    /* some row gave a sentence part */
    bool bad_sentence;    /* some row gave one that cannot be read */
};

enum dob_state { DOB_NONE, DOB_SET, DOB_CONFLICT };

/*
 * Offence texts repeat (an export uses a few thousand of them), so the
 * citation read from each is remembered in a small table indexed by a hash
 * of the text, and each distinct text is parsed about once.
 */
/* The last date read from a column: rows of one subject and one step repeat it. */
struct cadoj_date_memo {
    uint8_t len; /* of text; 0: none yet */
    bool ok;
    char text[16];
    int32_t date;
};

struct cadoj_reader {
    struct record_reader base; /* first, so the two pointers convert */
    char *name;                /* for messages: the path, or "standard input" */
    int fd;
    bool own_fd;
    size_t block;

    char *buf;                 /* cap bytes of data and CADOJ_SPAN more that are never data */
    size_t cap, len, pos;      /* [pos, len) not yet scanned */
    size_t row_start, w;       /* the current row's text so far is buf[row_start .. +w) */
    uint64_t end_offset;       /* the file offset of buf[len] */
    bool eof;
    bool skip_lf;              /* the last record ended at a CR: a following LF belongs to it */
    bool careful_only;         /* every row goes to the careful scanner (for tests) */

    struct cadoj_field *fields; /* CADOJ_ROW_FIELDS for data rows; grows for the header */
    /* the quick scanner (the build for this processor), and where each cell ends, with
     * room for one span's commas past the last cell */
    enum scan_result (*scan_quick)(struct cadoj_reader *r);
    uint32_t ends[CADOJ_ROW_FIELDS + CADOJ_SPAN];
    /* [k], bit j: the end of cell k + j is needed (a kept cell's, or the one before it) */
    uint64_t needed_ends[CADOJ_ROW_FIELDS];
    uint32_t fields_cap;
    uint32_t nfields;          /* fields in the row, including ones not stored */
    uint32_t header_fields;    /* named columns in the header (trailing empty cell left out) */
    char *header_line;         /* the header as read (without a byte-order mark or line end) */
    size_t header_len;

    /* the current row as read, without its line end: buf[row_start ..] after the quick
     * scanner; copied to `raw` by the careful scanner when rows are kept (row_in_raw) */
    size_t row_len;
    bool row_in_raw;
    char *raw;
    size_t raw_cap;
    uint64_t row_offset;       /* the file offset of the row's first byte */

    /* problems found while scanning the current row (column index, or -1) */
    int64_t unterminated_col, oversized_col, bad_quote_col, nul_col;
    struct csv_line_breaks line_breaks; /* inside the row's quoted values */

    uint64_t row;              /* number of the current data row */

    /* the current subject */
    bool started;              /* some row of it has been applied */
    bool list_charges;         /* charges go into person->charges (cadoj_reader_list_charges) */
    uint32_t charges;          /* the subject's charges, listed or not */
    enum dob_state dob;
    struct cadoj_count *counts; /* parallel to person->convictions */
    uint32_t counts_cap;
    uint64_t *slots;           /* generation << 32 | (index + 1); other generations are empty */
    uint32_t nslots;           /* power of two, or 0 */
    uint32_t generation;

    /* texts that repeat from row to row, and what was read from them */
    struct memo_slot *citations; /* memo.h: MEMO_SLOTS, made at first use */
    struct cadoj_date_memo dob_memo, date_memo;

    /* the scanned row starts the next subject: it is applied at the next call */
    bool have_pending;
    /* cadoj_reader_stop_at: the offset, and whether the reader has stopped there */
    uint64_t stop_at;
    bool stopped;
    uint64_t data_start;       /* the file offset of the first byte after the header */

    struct cadoj_counts counts_total;

    char errmsg[1024];
    char reason[1024];
};


/* ---- small helpers ---------------------------------------------------------- */

/* Copies a value for quoting in a message: control bytes shown as '?', cut at a character boundary. */
static void cadoj_sanitize(char *dst, size_t size, const char *s, size_t len)
{
    if (size < 4) {
        if (size > 0)
            dst[0] = '\0';
        return;
    }
    size_t limit = CADOJ_QUOTE_MAX < size - 4 ? CADOJ_QUOTE_MAX : size - 4;
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

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void cadoj_trim(const char **s, size_t *len)
{
    while (*len > 0 && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_blank((*s)[*len - 1]))
        (*len)--;
}

static inline char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The first n bytes of s and word are the same but for the case of ASCII letters (strncasecmp in C). */
static inline bool same_letters(const char *s, const char *word, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != ascii_lower(word[i]))
            return false;
    return true;
}

static inline bool same_word(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && same_letters(s, word, len);
}

static const char *column_label(int64_t col, char *buf, size_t size)
{
    if (col >= 0 && col < CADOJ_COLUMNS)
        snprintf(buf, size, "column %lld (%s)", (long long)col + 1, cadoj_column_names[col]);
    else
        snprintf(buf, size, "column %lld", (long long)col + 1);
    return buf;
}

__attribute__((format(printf, 2, 3)))
static void cadoj_reject(struct cadoj_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    if (r->line_breaks.first_col >= 0 && n > 0 && (size_t)n + 2 < sizeof r->reason) {
        /* the likeliest cause of a broken row that spans lines: a closing quote left out */
        char label[64];
        bool ended = r->reason[n - 1] == '.' || r->reason[n - 1] == '?';
        n += snprintf(r->reason + n, sizeof r->reason - (size_t)n, "%s", ended ? " " : ". ");
        if (csv_line_breaks_hint(r->reason + n, sizeof r->reason - (size_t)n, &r->line_breaks,
                                 column_label(r->line_breaks.first_col, label, sizeof label)) > 0)
            r->reason[n] = 'T'; /* a sentence of its own */
    }
    r->base.rows_rejected++;
    if (r->base.reject)
        r->base.reject(r->base.reject_ctx, r->row, r->reason);
}


/* ---- reading ------------------------------------------------------------------ */

/* Grows the buffer to hold cap bytes of data, keeping CADOJ_SPAN readable bytes after them. */
static bool cadoj_grow_buffer(struct cadoj_reader *r, size_t cap)
{
    char *grown = realloc(r->buf, cap + CADOJ_SPAN);
    if (!grown)
        return false;
    /* never data, but always defined: the quick scanner's compares may look at them */
    memset(grown + cap, 0, CADOJ_SPAN);
    r->buf = grown;
    r->cap = cap;
    return true;
}

/* Slides the current row's text so far to the front and reads the next block after it. */
static bool cadoj_refill(struct cadoj_reader *r)
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
    if (r->cap - r->len < r->block) {
        /* doubling, so a long row costs a few reallocations, not one per block */
        size_t cap = r->len + r->block;
        if (cap < r->cap * 2)
            cap = r->cap * 2;
        if (!cadoj_grow_buffer(r, cap)) {
            snprintf(r->errmsg, sizeof r->errmsg, "%s: out of memory while reading row %llu",
                     r->name, (unsigned long long)r->row + 1);
            return false;
        }
    }
    for (;;) {
        size_t want = r->cap - r->len < r->block ? r->cap - r->len : r->block;
        ssize_t n = read(r->fd, r->buf + r->len, want);
        if (n > 0) {
            r->len += (size_t)n;
            r->end_offset += (uint64_t)n;
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

/* The file offset of buf[at]. */
static uint64_t cadoj_offset(const struct cadoj_reader *r, size_t at)
{
    return r->end_offset - (r->len - at);
}

/* ---- the careful scanner: one byte at a time ---------------------------------------- */


/* Appends a byte of the row as read to r->raw. */
static bool cadoj_raw_put(struct cadoj_reader *r, char c)
{
    if (r->row_len == r->raw_cap) {
        size_t cap = r->raw_cap ? r->raw_cap * 2 : 1024;
        char *grown = realloc(r->raw, cap);
        if (!grown) {
            snprintf(r->errmsg, sizeof r->errmsg, "%s: out of memory while reading row %llu",
                     r->name, (unsigned long long)r->row + 1);
            return false;
        }
        r->raw = grown;
        r->raw_cap = cap;
    }
    r->raw[r->row_len++] = c;
    return true;
}

/* Records where field `col` ended; grow: the header's cells are all kept (until it is too long). */
static bool cadoj_end_field(struct cadoj_reader *r, bool grow, uint32_t col, size_t start)
{
    if (grow && col >= r->fields_cap) {
        uint32_t cap = r->fields_cap ? r->fields_cap * 2 : 128;
        struct cadoj_field *grown = realloc(r->fields, (size_t)cap * sizeof *grown);
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
 * Scans one record from r->pos, unquoting in place.  For the header every
 * cell is kept and the limit is on the whole row; for data rows the limit is
 * per cell and only the kept columns' cells are stored.  The row as read is
 * copied to r->raw for the header, and for data rows when rows are kept
 * (until the row is sure to be rejected: a cell too long, too many cells).
 */
static enum scan_result cadoj_scan_careful(struct cadoj_reader *r, bool header)
{
    r->row_start = r->pos;
    r->w = 0;
    r->nfields = 0;
    r->unterminated_col = r->oversized_col = r->bad_quote_col = r->nul_col = -1;
    r->row_len = 0;
    r->row_in_raw = header || r->base.keep_rows;

    enum scan_state state = S_START;
    uint32_t col = 0;
    size_t field_start = 0, field_len = 0, raw = 0;
    bool keep = header || cadoj_kept(0);
    bool dropping = false;
    unsigned char prev = 0;

    for (;;) {
        if (r->pos == r->len) {
            if (!cadoj_refill(r))
                return SCAN_ERROR;
            if (r->pos == r->len) {
                if (state == S_START && col == 0 && raw == 0)
                    return SCAN_END;
                if (state == S_QUOTED)
                    r->unterminated_col = col;
                return cadoj_end_field(r, header && !dropping, col, field_start) ? SCAN_ROW
                                                                                 : SCAN_ERROR;
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
            return cadoj_end_field(r, header && !dropping, col, field_start) ? SCAN_ROW
                                                                             : SCAN_ERROR;
        }
        raw++;
        if (header && !dropping && raw > CADOJ_MAX_FIELD) {
            r->oversized_col = col;
            dropping = true;
        }
        if (r->row_in_raw && !dropping && (header || col < CADOJ_ROW_FIELDS) &&
            !cadoj_raw_put(r, (char)c))
            return SCAN_ERROR;
        if (end_field) {
            if (!cadoj_end_field(r, header && !dropping, col, field_start))
                return SCAN_ERROR;
            if (col < UINT32_MAX)
                col++;
            state = S_START;
            field_start = r->w;
            field_len = 0;
            keep = header || cadoj_kept(col);
            continue;
        }
        if (!put)
            continue;
        field_len++;
        if (!dropping && !header && field_len > CADOJ_MAX_FIELD) {
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

/* ---- the quick scanner: 64 bytes at a time ------------------------------------------ */

/*
 * Where the bytes that shape a row are in a span of CADOJ_SPAN bytes: bit i
 * of each mask stands for byte i.
 */
struct cadoj_marks {
    uint64_t comma;
    uint64_t stop; /* a line end (CR, LF), a double quote or a NUL byte */
};

/*
 * The scanner comes in two builds of one body (cadoj_scan_quick_with): one
 * for any x86-64 processor (SSE2, 16 bytes a compare, popcount in
 * software), and one for processors with AVX2 (32 bytes a compare, the
 * popcount instruction), chosen once when the reader opens.  Elsewhere one
 * byte at a time.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#define CADOJ_WIDE 1
#include <cpuid.h>
#include <immintrin.h>

#define CADOJ_AVX2 __attribute__((target("avx2,popcnt,bmi")))

static inline uint64_t bits16(__m128i eq, unsigned i)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(eq) << (16 * i);
}

static inline void cadoj_find_marks(const char *p, struct cadoj_marks *m)
{
    m->comma = m->stop = 0;
    for (unsigned i = 0; i < CADOJ_SPAN / 16; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\0'))));
        m->comma |= bits16(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), i);
        m->stop |= bits16(stop, i);
    }
}

static inline CADOJ_AVX2 uint64_t bits32(__m256i eq, unsigned i)
{
    return (uint64_t)(unsigned)_mm256_movemask_epi8(eq) << (32 * i);
}

/*
 * The five bytes that matter have five different low halves (',' 0x2C,
 * '"' 0x22, LF 0x0A, CR 0x0D, NUL 0x00), so one table lookup on the low
 * half and one compare find them all; bytes from 0x80 look up 0 and match
 * nothing, and the table's other rows hold 0xFF, which no byte can match.
 */
static inline CADOJ_AVX2 void cadoj_find_marks_avx2(const char *p, struct cadoj_marks *m)
{
    const char X = (char)0xFF; /* in no row of the table: a byte 0xFF looks up 0 */
    const __m256i table = _mm256_setr_epi8(0, X, '"', X, X, X, X, X, X, X, '\n', X, ',', '\r', X, X,
                                           0, X, '"', X, X, X, X, X, X, X, '\n', X, ',', '\r', X, X);
    m->comma = m->stop = 0;
    for (unsigned i = 0; i < CADOJ_SPAN / 32; i++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
        __m256i special = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v);
        __m256i comma = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(','));
        m->comma |= bits32(comma, i);
        m->stop |= bits32(_mm256_andnot_si256(comma, special), i);
    }
}

static inline CADOJ_AVX2 unsigned count_bits_avx2(uint64_t x)
{
    return (unsigned)__builtin_popcountll(x);
}

/*
 * Notes only the needed ends (bit j of needed: the end at comma j), each
 * found with one bit deposit: where the processor does that quickly, a row
 * costs its 28 needed ends instead of its 95 commas.  Four at a time, as
 * note_commas does eight: a block has four needed ends on average, and a
 * loop that stops at the last one mispredicts its exit on most blocks.
 * Once `needed` runs out, bit 63 stands in for the rest: those writes go
 * to ends[63], which is either that comma's true end (a block of 64
 * commas) or the end of a cell further on, written again when the scanner
 * gets there (ends has CADOJ_SPAN entries to spare).
 */
#define CADOJ_BMI2 __attribute__((target("avx2,popcnt,bmi,bmi2")))
static inline CADOJ_BMI2 void note_needed_commas(uint32_t *ends, uint32_t at, uint64_t commas, unsigned n,
                                                 uint64_t needed)
{
    (void)n;
    do {
#pragma GCC unroll 4
        for (unsigned k = 0; k < 4; k++) {
            unsigned j = (unsigned)_tzcnt_u64(needed | (uint64_t)1 << 63);
            ends[j] = at + (unsigned)_tzcnt_u64(_pdep_u64((uint64_t)1 << j, commas));
            needed &= needed - 1;
        }
    } while (needed);
}
#else
#define CADOJ_WIDE 0
static inline void cadoj_find_marks(const char *p, struct cadoj_marks *m)
{
    m->comma = m->stop = 0;
    for (unsigned i = 0; i < CADOJ_SPAN; i++) {
        uint64_t bit = (uint64_t)1 << i;
        switch (p[i]) {
        case ',': m->comma |= bit; break;
        case '\n': case '\r': case '"': case '\0': m->stop |= bit; break;
        default: break;
        }
    }
}
#endif

_Static_assert(CADOJ_SPAN == 64, "the marks are 64-bit masks");

static inline unsigned lowest_bit(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask);
}

static inline unsigned highest_bit(uint64_t mask)
{
    return 63u - (unsigned)__builtin_clzll(mask);
}

/* The number of bits set, for processors without the popcount instruction. */
static inline unsigned count_bits(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* The bits of mask below its lowest set bit (all of `all` when mask is 0). */
static inline uint64_t below_lowest(uint64_t mask, uint64_t all)
{
    return mask ? (mask & (~mask + 1)) - 1 : all;
}

/*
 * Notes where the n commas of the mask are (at + bit), in ends[0 ..], eight
 * at a time: a row has a comma every few bytes, and a branch per comma
 * costs more than writing up to seven ends too many, which the next cells
 * overwrite (ends has CADOJ_SPAN entries to spare).  The top bit keeps
 * the count of trailing zeros defined once the mask runs out.
 */
static inline __attribute__((always_inline)) void note_commas(uint32_t *ends, uint32_t at, uint64_t commas,
                                                              unsigned n, uint64_t needed)
{
    if (!needed)
        return;
    for (unsigned done = 0; done < n; done += 8, ends += 8) {
#pragma GCC unroll 8
        for (unsigned k = 0; k < 8; k++) {
            ends[k] = at + lowest_bit(commas | (uint64_t)1 << 63);
            commas &= commas - 1;
        }
    }
}

/*
 * A quick row is done: r->ends[k] is where cell k ends (its comma, or the
 * row's end), from the row's start.  Only the kept cells get their place in
 * r->fields, without their quotes: in a quick row a cell that starts with a
 * double quote is a quoted cell that ends with one.
 */
static enum scan_result cadoj_quick_row_end(struct cadoj_reader *r, uint32_t ncells, size_t row_len)
{
    const char *row = r->buf + r->row_start;
    for (uint32_t i = 0; i < CADOJ_KEPT; i++) {
        uint32_t k = cadoj_kept_columns[i];
        if (k >= ncells) {
            r->fields[k].off = r->fields[k].len = 0;
            continue;
        }
        uint32_t start = k == 0 ? 0 : r->ends[k - 1] + 1, end = r->ends[k];
        if (end > start && row[start] == '"') {
            start++;
            end--;
        }
        r->fields[k].off = start;
        r->fields[k].len = end - start;
    }
    r->nfields = ncells;
    r->row_len = row_len;
    r->row_in_raw = false;
    return SCAN_ROW;
}

/* The quick scanner gives the row to the careful one, from its first byte. */
static enum scan_result cadoj_rescan(struct cadoj_reader *r)
{
    r->pos = r->row_start;
    csv_line_breaks_reset(&r->line_breaks);
    return cadoj_scan_careful(r, false);
}

enum quick_state {
    Q_CELL,   /* in an unquoted cell (or at the start of a cell) */
    Q_QUOTED, /* inside a quoted cell */
    Q_CLOSED  /* just past a quote inside a quoted cell: it closed the cell, or a "" follows */
};

/*
 * Scans one data row from r->pos without moving or copying it, noting where
 * each cell ends.  It handles unquoted cells, and quoted cells whose opening
 * quote is the cell's first byte and whose closing quote is right before a
 * comma or the line end ("" inside them is a quote; in a kept column that
 * needs unquoting, so it goes to the careful scanner).  Any other quote, a
 * NUL byte, a quote still open at the end of the file, more than
 * CADOJ_ROW_FIELDS cells, or a row longer than CADOJ_LONG_ROW: the careful
 * scanner reads the row instead.
 */
static inline __attribute__((always_inline)) enum scan_result
cadoj_scan_quick_with(struct cadoj_reader *r, void (*find_marks)(const char *, struct cadoj_marks *),
                      unsigned (*popcount)(uint64_t),
                      void (*note)(uint32_t *ends, uint32_t at, uint64_t commas, unsigned n, uint64_t needed))
{
    enum quick_state state = Q_CELL;
    uint32_t col = 0;
    uint32_t *ends = r->ends;
    for (;;) {
        if (r->pos == r->len) {
            r->w = r->pos - r->row_start; /* the refill keeps the whole row so far */
            if (!cadoj_refill(r))
                return SCAN_ERROR;
            if (r->pos == r->len) {
                /* the end of the file */
                size_t end = r->pos - r->row_start;
                if (state != Q_CELL)
                    return cadoj_rescan(r);
                if (end == 0)
                    return SCAN_END;
                ends[col] = (uint32_t)end;
                return cadoj_quick_row_end(r, col + 1, end);
            }
        }
        size_t at = r->pos - r->row_start; /* where the next byte is in the row */
        if (at > CADOJ_LONG_ROW)
            return cadoj_rescan(r);
        const char *p = r->buf + r->pos;

        if (state == Q_CLOSED) {
            if (*p == '"') {
                if (cadoj_kept(col))
                    return cadoj_rescan(r);
                r->pos++;
                state = Q_QUOTED;
                continue;
            }
            if (*p == ',') {
                if (col + 1 >= CADOJ_ROW_FIELDS)
                    return cadoj_rescan(r);
                ends[col++] = (uint32_t)at;
                r->pos++;
                state = Q_CELL;
                continue;
            }
            if (*p == '\n' || *p == '\r') {
                r->skip_lf = *p == '\r';
                r->pos++;
                ends[col] = (uint32_t)at;
                return cadoj_quick_row_end(r, col + 1, at);
            }
            return cadoj_rescan(r); /* blanks or text after a closing quote */
        }

        size_t avail = r->len - r->pos < CADOJ_SPAN ? r->len - r->pos : CADOJ_SPAN;
        uint64_t in_data = avail == CADOJ_SPAN ? ~(uint64_t)0 : ((uint64_t)1 << avail) - 1;
        struct cadoj_marks m;
        find_marks(p, &m);
        uint64_t stop = m.stop & in_data;

        if (state == Q_QUOTED) {
            /* commas and line ends are text here: only the closing quote (or a NUL) matters */
            for (; stop; stop &= stop - 1) {
                const char *at_stop = p + lowest_bit(stop);
                if (*at_stop == '"' || *at_stop == '\0')
                    break;
                if (*at_stop == '\r' || at_stop[-1] != '\r') /* a CR LF is one break */
                    csv_line_breaks_note(&r->line_breaks, col);
            }
            if (!stop) {
                r->pos += avail;
                continue;
            }
            unsigned i = lowest_bit(stop);
            if (p[i] == '\0')
                return cadoj_rescan(r);
            r->pos += i + 1;
            state = Q_CLOSED;
            continue;
        }

        /* Q_CELL: every comma before the first line end, quote or NUL ends a cell. */
        uint64_t commas = m.comma & below_lowest(stop, in_data);
        if (commas) {
            unsigned n = popcount(commas);
            /* cells that no kept cell needs (most of the row) are only counted */
            uint64_t needed = r->needed_ends[col] & (n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1);
            note(ends + col, (uint32_t)at, commas, n, needed);
            col += n;
            ends[col - 1] = (uint32_t)(at + highest_bit(commas)); /* where the next cell starts */
            if (col >= CADOJ_ROW_FIELDS)
                return cadoj_rescan(r); /* too many cells: the row is rejected, carefully */
        }
        if (!stop) {
            r->pos += avail;
            continue;
        }
        unsigned i = lowest_bit(stop);
        char c = p[i];
        r->pos += i + 1;
        size_t cell = col == 0 ? 0 : ends[col - 1] + 1;
        if (c == '"' && at + i == cell) {
            state = Q_QUOTED;
            continue;
        }
        if (c != '\n' && c != '\r')
            return cadoj_rescan(r); /* a quote inside a cell, or a NUL byte */
        r->skip_lf = c == '\r';
        if (col == 0 && at + i == 0)
            return SCAN_BLANK;
        ends[col] = (uint32_t)(at + i);
        return cadoj_quick_row_end(r, col + 1, at + i);
    }
}

static enum scan_result cadoj_scan_quick(struct cadoj_reader *r)
{
    return cadoj_scan_quick_with(r, cadoj_find_marks, count_bits, note_commas);
}

#if CADOJ_WIDE
static CADOJ_AVX2 enum scan_result cadoj_scan_quick_avx2(struct cadoj_reader *r)
{
    return cadoj_scan_quick_with(r, cadoj_find_marks_avx2, count_bits_avx2, note_commas);
}

static CADOJ_BMI2 enum scan_result cadoj_scan_quick_bmi2(struct cadoj_reader *r)
{
    return cadoj_scan_quick_with(r, cadoj_find_marks_avx2, count_bits_avx2, note_needed_commas);
}

/* AMD processors before Zen 3 (family 25) take a hundred cycles or more over a bit deposit. */
static bool cadoj_slow_deposit(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx) || ebx != 0x68747541 /* "Auth"enticAMD */ ||
        !__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return false;
    return (eax >> 8 & 0xF) + (eax >> 20 & 0xFF) < 25;
}

static bool cadoj_runs(enum cadoj_scanner which)
{
    __builtin_cpu_init();
    switch (which) {
    case CADOJ_SCANNER_PORTABLE: return true;
    case CADOJ_SCANNER_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case CADOJ_SCANNER_BMI2: return cadoj_runs(CADOJ_SCANNER_AVX2) && __builtin_cpu_supports("bmi2");
    }
    return false;
}

/* The build for this processor: the deposit where it is quick, else AVX2, else the portable one. */
static enum cadoj_scanner cadoj_best_scanner(void)
{
    if (cadoj_runs(CADOJ_SCANNER_BMI2) && !cadoj_slow_deposit())
        return CADOJ_SCANNER_BMI2;
    return cadoj_runs(CADOJ_SCANNER_AVX2) ? CADOJ_SCANNER_AVX2 : CADOJ_SCANNER_PORTABLE;
}
#else
static bool cadoj_runs(enum cadoj_scanner which)
{
    return which == CADOJ_SCANNER_PORTABLE;
}

static enum cadoj_scanner cadoj_best_scanner(void)
{
    return CADOJ_SCANNER_PORTABLE;
}
#endif

/* Scans the next data row: quickly when it can, carefully otherwise. */
static enum scan_result cadoj_scan_row(struct cadoj_reader *r)
{
    r->row_start = r->pos;
    r->w = 0;
    if (r->skip_lf) {
        /* a line feed right after a carriage return ends the same row */
        if (r->pos == r->len && !cadoj_refill(r))
            return SCAN_ERROR;
        if (r->pos < r->len) {
            r->skip_lf = false;
            if (r->buf[r->pos] == '\n')
                r->pos++;
        }
        r->row_start = r->pos;
    }
    r->row_offset = cadoj_offset(r, r->pos);
    r->unterminated_col = r->oversized_col = r->bad_quote_col = r->nul_col = -1;
    csv_line_breaks_reset(&r->line_breaks);
    if (r->careful_only)
        return cadoj_scan_careful(r, false);
    return r->scan_quick(r);
}

/* ---- header ----------------------------------------------------------------------- */

bool cadoj_looks_like(const char *first_line, size_t len)
{
    static const char id[] = "RECORD_ID";
    const size_t idlen = sizeof id - 1;
    if (!first_line)
        return false;
    const char *s = first_line;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    bool quoted = len > 0 && s[0] == '"';
    if (quoted) {
        s++;
        len--;
    }
    if (len < idlen || strncasecmp(s, id, idlen) != 0)
        return false;
    if (len == idlen)
        return true;
    char next = s[idlen];
    if (quoted)
        return next == '"';
    return next == ',' || next == '\r' || next == '\n';
}

static bool cadoj_read_header(struct cadoj_reader *r, char *err, size_t errsize)
{
    /* A UTF-8 byte-order mark, as spreadsheet programs write, is not part of the first name. */
    while (r->len - r->pos < 3 && !r->eof)
        if (!cadoj_refill(r)) {
            snprintf(err, errsize, "%s", r->errmsg);
            return false;
        }
    if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
        r->pos += 3;

    enum scan_result s;
    do
        s = cadoj_scan_careful(r, true);
    while (s == SCAN_BLANK);
    if (s == SCAN_ERROR) {
        snprintf(err, errsize, "%s", r->errmsg);
        return false;
    }
    if (s == SCAN_END) {
        snprintf(err, errsize,
                 "%s: the file is empty; a California DOJ export starts with a header row "
                 "(RECORD_ID,SUBJECT_STATUS,SUBJECT_ID,...,END_OF_REC)", r->name);
        return false;
    }
    if (r->unterminated_col >= 0) {
        snprintf(err, errsize,
                 "%s: a quoted name in the first row is not closed before the end of the file; "
                 "this is not a California DOJ export", r->name);
        return false;
    }
    if (r->oversized_col >= 0) {
        snprintf(err, errsize,
                 "%s: the first row is longer than 1 MiB; this is not a California DOJ export "
                 "header", r->name);
        return false;
    }

    const char *row = r->buf + r->row_start;
    uint32_t n = r->nfields < r->fields_cap ? r->nfields : r->fields_cap;
    char q[CADOJ_QUOTE_MAX + 4], q2[CADOJ_QUOTE_MAX + 4];

    const char *first = row + r->fields[0].off;
    size_t first_len = r->fields[0].len;
    cadoj_trim(&first, &first_len);
    if (!same_word(first, first_len, "RECORD_ID")) {
        cadoj_sanitize(q, sizeof q, first, first_len);
        int known_col = -1;
        for (int i = 1; i < CADOJ_COLUMNS && known_col < 0; i++)
            if (same_word(first, first_len, cadoj_column_names[i]))
                known_col = i;
        if (known_col >= 0)
            snprintf(err, errsize,
                     "%s: the header starts with %s, the DOJ's column %d, instead of RECORD_ID: "
                     "a column is missing from the header, so Lenity cannot tell where each "
                     "value is; give the export as the DOJ sent it", r->name, q, known_col + 1);
        else if (r->nfields == CADOJ_COLUMNS || r->nfields == CADOJ_COLUMNS + 1)
            snprintf(err, errsize,
                     "%s: the first row has %u values but does not start with RECORD_ID: it "
                     "looks like a DOJ export without its header row. Lenity needs the header "
                     "(RECORD_ID,SUBJECT_STATUS,SUBJECT_ID,...,END_OF_REC) as the first line, to "
                     "be sure each column is where the DOJ puts it; add it and run again",
                     r->name, (unsigned)r->nfields);
        else
            snprintf(err, errsize,
                     "%s: the first row starts with '%s', not RECORD_ID; this is not a "
                     "California DOJ criminal-history export with its header row", r->name, q);
        return false;
    }

    for (uint32_t i = 0; i < n && i < CADOJ_COLUMNS; i++) {
        const char *name = row + r->fields[i].off;
        size_t len = r->fields[i].len;
        cadoj_trim(&name, &len);
        if (!same_word(name, len, cadoj_column_names[i])) {
            cadoj_sanitize(q, sizeof q, name, len);
            snprintf(err, errsize,
                     "%s: header column %u is '%s' where a California DOJ export has '%s'; "
                     "Lenity reads the DOJ columns by position, so they must be the DOJ's, in "
                     "the DOJ's order", r->name, (unsigned)i + 1, q, cadoj_column_names[i]);
            return false;
        }
    }

    if (r->nfields > CADOJ_COLUMNS) {
        /* One empty cell after END_OF_REC is a trailing comma; anything more is not the export. */
        uint32_t named = 0, first_named = 0;
        for (uint32_t i = CADOJ_COLUMNS; i < n; i++) {
            const char *name = row + r->fields[i].off;
            size_t len = r->fields[i].len;
            cadoj_trim(&name, &len);
            if (len > 0 && named++ == 0)
                first_named = i;
        }
        if (named > 0) {
            const char *name = row + r->fields[first_named].off;
            size_t len = r->fields[first_named].len;
            cadoj_trim(&name, &len);
            cadoj_sanitize(q2, sizeof q2, name, len);
            snprintf(err, errsize,
                     "%s: the header has %u columns, %u more than a California DOJ export, "
                     "starting with '%s' after END_OF_REC; this looks like a results file or a "
                     "spreadsheet with added columns. Give Lenity the export as the DOJ sent it",
                     r->name, (unsigned)r->nfields, (unsigned)(r->nfields - CADOJ_COLUMNS), q2);
            return false;
        }
        if (r->nfields > CADOJ_COLUMNS + 1) {
            snprintf(err, errsize,
                     "%s: the header ends with %u empty columns after END_OF_REC; a California "
                     "DOJ export has none (one trailing comma is tolerated)", r->name,
                     (unsigned)(r->nfields - CADOJ_COLUMNS));
            return false;
        }
    }
    r->header_fields = r->nfields < CADOJ_COLUMNS ? r->nfields : CADOJ_COLUMNS;

    /* The header as read, for writers that copy the input. */
    r->header_line = malloc(r->row_len + 1);
    if (!r->header_line) {
        snprintf(err, errsize, "%s: out of memory reading the header", r->name);
        return false;
    }
    if (r->row_len)
        memcpy(r->header_line, r->raw, r->row_len);
    r->header_line[r->row_len] = '\0';
    r->header_len = r->row_len;
    r->row_len = 0;

    /* From here on only the data row's fields are stored. */
    if (r->fields_cap < CADOJ_ROW_FIELDS) {
        struct cadoj_field *grown = realloc(r->fields, CADOJ_ROW_FIELDS * sizeof *grown);
        if (!grown) {
            snprintf(err, errsize, "%s: out of memory reading the header", r->name);
            return false;
        }
        r->fields = grown;
    }
    r->fields_cap = CADOJ_ROW_FIELDS;
    return true;
}

/* ---- rows ---------------------------------------------------------------------------- */

/* A kept cell of a view, trimmed; false when empty. */
static inline bool view_cell(const struct cadoj_view *v, uint32_t col, const char **s, size_t *len)
{
    *s = v->base + v->f[col].off;
    *len = v->f[col].len;
    if (*len > 0 && (is_blank(**s) || is_blank((*s)[*len - 1])))
        cadoj_trim(s, len);
    return *len > 0;
}

/* A compact date (YYYYMMDD), through the column's memo of the last one read. */
static bool cadoj_date(struct cadoj_date_memo *m, const char *s, size_t len, int32_t *out)
{
    if (len > sizeof m->text)
        return date_parse_compact(s, len, out);
    if (len != m->len || memcmp(m->text, s, len) != 0) {
        m->len = (uint8_t)len;
        memcpy(m->text, s, len);
        m->ok = date_parse_compact(s, len, &m->date);
    }
    if (m->ok)
        *out = m->date;
    return m->ok;
}

/* The citation of an offence text (doj_offense_parse), through the memo. */
static bool cadoj_citation(struct cadoj_reader *r, const char *text, size_t len, struct citation *out)
{
    bool hit;
    struct memo_slot *m = memo_find(&r->citations, text, len, &hit);
    if (!m)
        return doj_offense_parse(text, len, out, NULL);
    if (!hit)
        m->ok = doj_offense_parse(text, len, &m->citation, NULL);
    if (m->ok)
        *out = m->citation;
    return m->ok;
}

/* The structure of the scanned row; false (after rejecting it) when it cannot be read. */
static bool cadoj_check_row(struct cadoj_reader *r)
{
    char label[64];
    if (r->unterminated_col >= 0) {
        cadoj_reject(r, "a quoted value is not closed before the end of the file (the opening "
                        "double quote is in %s; everything after it was read as one value)",
                     column_label(r->unterminated_col, label, sizeof label));
        return false;
    }
    if (r->oversized_col >= 0) {
        cadoj_reject(r, "the value in %s is longer than 1 MiB, the most Lenity reads in one cell",
                     column_label(r->oversized_col, label, sizeof label));
        return false;
    }
    bool trailing_empty = r->nfields == CADOJ_COLUMNS + 1 && r->fields[C_TRAILING].len == 0;
    if (r->nfields != CADOJ_COLUMNS && !trailing_empty) {
        char also[160] = "";
        if (r->header_fields < CADOJ_COLUMNS)
            snprintf(also, sizeof also,
                     "; the header too names only %u columns, so the file may have been cut or "
                     "edited (%s and after are missing)", (unsigned)r->header_fields,
                     cadoj_column_names[r->header_fields]);
        cadoj_reject(r, "the row has %u value%s but a California DOJ export row has %u "
                        "(RECORD_ID to END_OF_REC): is a value missing, or a comma inside a "
                        "value that is not in double quotes?%s",
                     (unsigned)r->nfields, r->nfields == 1 ? "" : "s", (unsigned)CADOJ_COLUMNS,
                     also);
        return false;
    }
    if (r->bad_quote_col >= 0) {
        cadoj_reject(r, "%s has text after the closing double quote of a quoted value (inside "
                        "quotes, a double quote is written \"\")",
                     column_label(r->bad_quote_col, label, sizeof label));
        return false;
    }
    if (r->nul_col >= 0) {
        cadoj_reject(r, "%s contains a NUL byte; the file may not be plain text",
                     column_label(r->nul_col, label, sizeof label));
        return false;
    }
    const struct cadoj_view v = {r->buf + r->row_start, r->fields, r->row};
    const char *s;
    size_t len;
    if (!view_cell(&v, C_SUBJECT_ID, &s, &len)) {
        cadoj_reject(r, "SUBJECT_ID is blank, so the row cannot be given to a person");
        return false;
    }
    return true;
}

static enum record_status cadoj_oom(struct cadoj_reader *r)
{
    snprintf(r->errmsg, sizeof r->errmsg, "%s: out of memory at row %llu", r->name,
             (unsigned long long)r->row);
    return RECORD_ERROR;
}

/* Forgets the current subject's counts table (O(1): a new generation). */
static void cadoj_new_subject(struct cadoj_reader *r)
{
    r->started = false;
    r->charges = 0;
    r->dob = DOB_NONE;
    if (++r->generation == 0) {
        if (r->slots)
            memset(r->slots, 0, (size_t)r->nslots * sizeof *r->slots);
        r->generation = 1;
    }
}

static uint64_t slot_value(const struct cadoj_reader *r, uint32_t index)
{
    return (uint64_t)r->generation << 32 | ((uint64_t)index + 1);
}

static bool slot_live(const struct cadoj_reader *r, uint64_t v)
{
    return (uint32_t)(v >> 32) == r->generation && (uint32_t)v != 0;
}

/* The conviction whose CNT_ORDER is cnt, or -1. */
static int64_t cadoj_find_count(const struct cadoj_reader *r, const struct person *p,
                                const char *cnt, size_t len, uint64_t hash)
{
    if (r->nslots == 0)
        return -1;
    uint32_t mask = r->nslots - 1;
    for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
        uint64_t v = r->slots[i];
        if (!slot_live(r, v))
            return -1;
        uint32_t idx = (uint32_t)v - 1;
        const struct cadoj_count *k = &r->counts[idx];
        if (k->hash == hash && k->cnt.len == len && memcmp(person_text(p, k->cnt), cnt, len) == 0)
            return idx;
    }
}

static void slot_insert(struct cadoj_reader *r, uint32_t index)
{
    uint32_t mask = r->nslots - 1;
    uint32_t i = (uint32_t)r->counts[index].hash & mask;
    while (slot_live(r, r->slots[i]))
        i = (i + 1) & mask;
    r->slots[i] = slot_value(r, index);
}

/* Adds conviction `index` (its CNT_ORDER already stored) to the table, growing it to stay half empty. */
static bool cadoj_index_count(struct cadoj_reader *r, uint32_t index)
{
    if ((uint64_t)(index + 1) * 2 > r->nslots) {
        uint64_t want = r->nslots ? (uint64_t)r->nslots * 2 : 64;
        while ((uint64_t)(index + 1) * 2 > want)
            want *= 2;
        if (want > UINT32_MAX)
            return false;
        uint64_t *grown = calloc((size_t)want, sizeof *grown);
        if (!grown)
            return false;
        free(r->slots);
        r->slots = grown;
        r->nslots = (uint32_t)want;
        for (uint32_t i = 0; i < index; i++)
            if (r->counts[i].cnt.len > 0)
                slot_insert(r, i);
    }
    slot_insert(r, index);
    return true;
}

static bool cadoj_parse_level(const struct cadoj_view *v, uint8_t *out)
{
    const char *s;
    size_t len;
    if (view_cell(v, C_CONV_STAT_DESCR, &s, &len)) {
        if (same_word(s, len, "FELONY")) {
            *out = LEVEL_FELONY;
            return true;
        }
        if (same_word(s, len, "MISDEMEANOR")) {
            *out = LEVEL_MISDEMEANOR;
            return true;
        }
        if (same_word(s, len, "INFRACTION")) {
            *out = LEVEL_INFRACTION;
            return true;
        }
    }
    if (view_cell(v, C_OFFENSE_TOC, &s, &len) && len == 1) {
        switch (s[0]) {
        case 'F': case 'f':
            *out = LEVEL_FELONY;
            return true;
        case 'M': case 'm':
            *out = LEVEL_MISDEMEANOR;
            return true;
        case 'I': case 'i':
            *out = LEVEL_INFRACTION;
            return true;
        default:
            break;
        }
    }
    return false;
}

/* Adds this row's sentence part (SENT_LENGTH, SENT_TIME_CODE) to count k. */
static void cadoj_add_sentence(const struct cadoj_view *v, struct cadoj_count *k)
{
    const char *len_s, *unit;
    size_t len_n, unit_n;
    bool has_len = view_cell(v, C_SENT_LENGTH, &len_s, &len_n);
    bool has_unit = view_cell(v, C_SENT_TIME_CODE, &unit, &unit_n);
    if (!has_len && !has_unit)
        return;
    k->any_sentence = true;
    if (!has_len || !has_unit || len_n > CADOJ_SENT_DIGITS || unit_n != 1) {
        k->bad_sentence = true;
        return;
    }
    int64_t n = 0;
    for (size_t i = 0; i < len_n; i++) {
        if (len_s[i] < '0' || len_s[i] > '9') {
            k->bad_sentence = true;
            return;
        }
        n = n * 10 + (len_s[i] - '0');
    }
    switch (unit[0]) {
    case 'D': case 'd':
        k->days += n;
        break;
    case 'M': case 'm':
        k->months += n;
        break;
    case 'Y': case 'y':
        k->months += 12 * n;
        break;
    default:
        k->bad_sentence = true;
        return;
    }
    /* Many continuation rows could overflow the duration: past this, it is not a sentence. */
    if (k->months > INT32_MAX / 2 || k->days > INT32_MAX / 2)
        k->bad_sentence = true;
}

/* The sentence, and its end: the disposition date plus the sentence, by the calendar. */
static void cadoj_set_sentence(struct conviction *c, const struct cadoj_count *k)
{
    c->known &= ~(1u << FACT_SENTENCE_END);
    if (k->any_sentence && !k->bad_sentence) {
        c->sentence.months = (int32_t)k->months;
        c->sentence.days = (int32_t)k->days;
        c->known |= 1u << FACT_SENTENCE;
        if (c->known & (1u << FACT_DISPOSITION_DATE)) {
            c->sentence_end = date_add(c->disposition_date, c->sentence, DATE_ROUND_DOWN);
            c->known |= 1u << FACT_SENTENCE_END;
        }
    } else {
        c->sentence.months = c->sentence.days = 0;
        c->known &= ~(1u << FACT_SENTENCE);
    }
}

static bool cadoj_is_conviction(const struct cadoj_view *v)
{
    const char *s;
    size_t len;
    return view_cell(v, C_DISP_DESCR, &s, &len) && len >= 9 && same_letters(s, "CONVICTED", 9);
}

/*
 * What a row says about its charge: the offence and its citation, level,
 * date, county, case and cycle.  Used for each conviction and each charge.
 * false only when out of memory.
 */
static bool cadoj_fill_charge(struct cadoj_reader *r, struct person *p, const struct cadoj_view *v,
                              struct conviction *c, const char *cnt, size_t cnt_len, bool conviction)
{
    c->row = v->row;
    const char *off, *com, *s;
    size_t off_len, com_len, len;
    view_cell(v, C_OFFENSE_DESCR, &off, &off_len);
    view_cell(v, C_COMMENT_TEXT, &com, &com_len);
    /* key: the text the citation is read from (as doj_offense_normalise chooses it) */
    const char *key = off;
    size_t key_len = off_len;
    if (doj_offense_refers_to_comment(off, off_len)) {
        key = com;
        key_len = com_len;
    }
    if (key_len > 0 && cadoj_citation(r, key, key_len, &c->citation))
        c->known |= 1u << FACT_CITATION;
    else if (conviction)
        r->counts_total.citations_unknown++;
    if (key_len == 0) {
        key = off; /* SEE COMMENT FOR CHARGE with no comment */
        key_len = off_len;
    }
    if (!person_add_text(p, key, key_len, &c->key))
        return false;
    if (key_len > 0)
        c->known |= 1u << FACT_OFFENSE_TEXT;
    if (cadoj_parse_level(v, &c->level))
        c->known |= 1u << FACT_LEVEL;
    if (view_cell(v, C_STP_EVENT_DATE, &s, &len) && cadoj_date(&r->date_memo, s, len, &c->disposition_date))
        c->known |= 1u << FACT_DISPOSITION_DATE;
    if (view_cell(v, C_STP_ORI_CNTY_NAME, &s, &len)) {
        if (!person_add_text(p, s, len, &c->county))
            return false;
        c->known |= 1u << FACT_COUNTY;
    }
    /* The record's own words, for output columns: the code section is the offence text
     * before its first '-' ("11358 HS-CULTIVATE" -> "11358 HS"), from the text the
     * citation was read from; the OFN as written (gogen lists "NULL  " as it is). */
    if (key_len > 0) {
        const char *dash = memchr(key, '-', key_len);
        const char *sec = key;
        size_t sec_len = dash ? (size_t)(dash - key) : key_len;
        cadoj_trim(&sec, &sec_len);
        if (sec_len > 0) {
            if (!person_add_text(p, sec, sec_len, &c->offense_section))
                return false;
            c->known |= 1u << FACT_OFFENSE_SECTION;
        }
    }
    if (com_len > 0) {
        if (!person_add_text(p, com, com_len, &c->comment_text))
            return false;
        c->known |= 1u << FACT_COMMENT_TEXT;
    }
    if (view_cell(v, C_STP_TYPE_DESCR, &s, &len)) {
        if (!person_add_text(p, s, len, &c->step_type))
            return false;
        c->known |= 1u << FACT_STEP_TYPE;
    }
    if (view_cell(v, C_OFN, &s, &len)) {
        s = v->base + v->f[C_OFN].off;
        len = v->f[C_OFN].len;
        if (!person_add_text(p, s, len, &c->ofn))
            return false;
        c->known |= 1u << FACT_OFN;
    }
    if (cnt_len > 0) {
        /* the case: cycle and step, the first 6 characters */
        if (!person_add_text(p, cnt, cnt_len < 6 ? cnt_len : 6, &c->case_id))
            return false;
        c->known |= 1u << FACT_CASE_ID;
        /* the arrest cycle: the first 3 characters */
        if (!person_add_text(p, cnt, cnt_len < 3 ? cnt_len : 3, &c->cycle_id))
            return false;
        c->known |= 1u << FACT_CYCLE_ID;
    }
    return true;
}

/*
 * A new conviction from row v; charge: the charge just made from the same
 * row, whose facts are the conviction's (NULL when the row names no offence).
 * False when out of memory.
 */
static bool cadoj_add_conviction(struct cadoj_reader *r, struct person *p,
                                 const struct cadoj_view *v, const struct conviction *charge,
                                 const char *cnt, size_t cnt_len, uint64_t hash)
{
    if (p->count >= r->counts_cap) {
        uint32_t cap = r->counts_cap ? r->counts_cap * 2 : 16;
        if (cap > CADOJ_MAX_CONVICTIONS)
            cap = CADOJ_MAX_CONVICTIONS;
        struct cadoj_count *grown = realloc(r->counts, (size_t)cap * sizeof *grown);
        if (!grown)
            return false;
        r->counts = grown;
        r->counts_cap = cap;
    }
    struct conviction *c = person_add_conviction(p, CADOJ_MAX_CONVICTIONS);
    if (!c)
        return false;
    uint32_t index = p->count - 1;
    struct cadoj_count *k = &r->counts[index];
    memset(k, 0, sizeof *k);
    if (charge) {
        *c = *charge;
        if (!(c->known & (1u << FACT_CITATION)))
            r->counts_total.citations_unknown++;
    } else if (!cadoj_fill_charge(r, p, v, c, cnt, cnt_len, true)) {
        return false;
    }
    if (cnt_len > 0) {
        if (!person_add_text(p, cnt, cnt_len, &k->cnt))
            return false;
        k->hash = hash;
        if (!cadoj_index_count(r, index))
            return false;
    }
    cadoj_add_sentence(v, k);
    cadoj_set_sentence(c, k);
    return true;
}

/* What became of a row given to a subject. */
enum cadoj_applied {
    APPLIED_OUT_OF_MEMORY,
    APPLIED_REJECTED,   /* refused here (too many charges or convictions), and rejected */
    APPLIED_OTHER,      /* an arrest, a court step, a continuation row... */
    APPLIED_CONVICTION  /* the subject's last conviction was made from it */
};

/* Gives row v to the current subject (starting it when it is the first). */
static enum cadoj_applied cadoj_apply(struct cadoj_reader *r, struct person *p,
                                      const struct cadoj_view *v)
{
    const char *s;
    size_t len;
    if (!r->started) {
        view_cell(v, C_SUBJECT_ID, &s, &len);
        if (!person_add_text(p, s, len, &p->id))
            return APPLIED_OUT_OF_MEMORY;
        /* The export records deaths and registrations as steps: without one, the answer is no. */
        p->known |= (1u << FACT_ID) | (1u << FACT_DECEASED) | (1u << FACT_SEX_OFFENDER_REGISTRATION);
        r->started = true;
    }
    if (view_cell(v, C_STP_TYPE_DESCR, &s, &len)) {
        if (len == 8 && same_letters(s, "DECEASED", 8)) {
            p->deceased = true;
        } else if (len == 12 && same_letters(s, "REGISTRATION", 12)) {
            const char *off;
            size_t off_len;
            if (view_cell(v, C_OFFENSE_DESCR, &off, &off_len) && off_len >= 3 && strncmp(off, "290", 3) == 0) {
                p->sex_offender_registration = true;
                /* the first registration's date, when the step gives one */
                const char *d;
                size_t dlen;
                int32_t date;
                if (view_cell(v, C_STP_EVENT_DATE, &d, &dlen) && cadoj_date(&r->date_memo, d, dlen, &date) &&
                    (!(p->known & (1u << FACT_SEX_OFFENDER_REGISTRATION_DATE)) ||
                     date < p->sex_offender_registration_date)) {
                    p->sex_offender_registration_date = date;
                    p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION_DATE;
                }
            }
        }
    }
    int32_t dob;
    if (r->dob != DOB_CONFLICT && view_cell(v, C_PRI_DOB, &s, &len) &&
        cadoj_date(&r->dob_memo, s, len, &dob)) {
        if (r->dob == DOB_NONE) {
            p->date_of_birth = dob;
            p->known |= 1u << FACT_DATE_OF_BIRTH;
            r->dob = DOB_SET;
        } else if (dob != p->date_of_birth) {
            /* two dates of birth for one subject: neither is trusted */
            p->date_of_birth = 0;
            p->known &= ~(1u << FACT_DATE_OF_BIRTH);
            r->dob = DOB_CONFLICT;
        }
    }

    /* Every row that names an offence is a charge, convicted or not. */
    const char *off, *com;
    size_t off_len, com_len;
    view_cell(v, C_OFFENSE_DESCR, &off, &off_len);
    view_cell(v, C_COMMENT_TEXT, &com, &com_len);
    struct conviction *charge = NULL;
    if (off_len > 0 || com_len > 0) {
        const char *cnt_text = NULL;
        size_t cnt_text_len = 0;
        if (!view_cell(v, C_CNT_ORDER, &cnt_text, &cnt_text_len))
            cnt_text_len = 0;
        if (r->charges == CADOJ_MAX_CHARGES) {
            char id[CADOJ_QUOTE_MAX + 4];
            cadoj_sanitize(id, sizeof id, person_text(p, p->id), p->id.len);
            uint64_t row = r->row;
            r->row = v->row;
            cadoj_reject(r, "subject '%s' already has %u charges, the most Lenity reads for one person "
                            "(are the SUBJECT_ID values right?)", id, (unsigned)CADOJ_MAX_CHARGES);
            r->row = row;
            return APPLIED_REJECTED;
        }
        r->charges++;
        if (r->list_charges) {
            charge = person_add_charge(p, CADOJ_MAX_CHARGES);
            if (!charge || !cadoj_fill_charge(r, p, v, charge, cnt_text, cnt_text_len, false))
                return APPLIED_OUT_OF_MEMORY;
        }
    }
    if (!cadoj_is_conviction(v)) {
        r->counts_total.rows_other++;
        r->base.rows_other++;
        return APPLIED_OTHER;
    }
    const char *cnt;
    size_t cnt_len;
    uint64_t hash = 0;
    if (view_cell(v, C_CNT_ORDER, &cnt, &cnt_len)) {
        hash = citation_hash_bytes(cnt, cnt_len);
        int64_t idx = cadoj_find_count(r, p, cnt, cnt_len, hash);
        if (idx >= 0) {
            /* a continuation row: its sentence part belongs to its own count */
            struct cadoj_count *k = &r->counts[idx];
            cadoj_add_sentence(v, k);
            cadoj_set_sentence(&p->convictions[idx], k);
            r->counts_total.rows_other++;
            r->base.rows_other++;
            r->counts_total.rows_continuation++;
            return APPLIED_OTHER;
        }
    }
    if (p->count >= CADOJ_MAX_CONVICTIONS) {
        char id[CADOJ_QUOTE_MAX + 4];
        cadoj_sanitize(id, sizeof id, person_text(p, p->id), p->id.len);
        uint64_t row = r->row;
        r->row = v->row;
        cadoj_reject(r, "subject '%s' already has %u convictions, the most Lenity reads for one "
                        "person (are the SUBJECT_ID values right?)", id,
                     (unsigned)CADOJ_MAX_CONVICTIONS);
        r->row = row;
        return APPLIED_REJECTED;
    }
    if (!cadoj_add_conviction(r, p, v, charge, cnt_len > 0 ? cnt : NULL, cnt_len, hash))
        return APPLIED_OUT_OF_MEMORY;
    r->counts_total.rows_conviction++;
    return APPLIED_CONVICTION;
}

/*
 * Gives the scanned row to the current subject and, when rows are kept,
 * keeps its text (a row rejected here is not kept).  False when out of memory.
 */
static bool cadoj_take_row(struct cadoj_reader *r, struct person *p)
{
    const struct cadoj_view v = {r->buf + r->row_start, r->fields, r->row};
    enum cadoj_applied applied = cadoj_apply(r, p, &v);
    if (applied == APPLIED_OUT_OF_MEMORY)
        return false;
    if (!r->base.keep_rows || applied == APPLIED_REJECTED)
        return true;
    const char *text = r->row_in_raw ? r->raw : r->buf + r->row_start;
    uint32_t conviction = applied == APPLIED_CONVICTION ? p->count - 1 : UINT32_MAX;
    /* the empty cell some exports put after END_OF_REC is not a column: a copy leaves it out */
    size_t len = r->row_len;
    if (r->nfields == CADOJ_COLUMNS + 1 && r->fields[C_TRAILING].len == 0 && len > 0 && text[len - 1] == ',')
        len--;
    return person_add_raw_row(p, text, len, r->row, conviction);
}

static enum record_status cadoj_hand_out(struct cadoj_reader *r, const struct person *p)
{
    r->counts_total.subjects++;
    if (p->count == 0)
        r->counts_total.subjects_without_conviction++;
    return RECORD_PERSON;
}

/* True when the scanned row cannot join the current subject: there is none, or its SUBJECT_ID differs. */
static bool cadoj_starts_subject(const struct cadoj_reader *r, const struct person *person)
{
    if (!r->started)
        return true;
    const char *id;
    size_t id_len;
    const struct cadoj_view v = {r->buf + r->row_start, r->fields, r->row};
    view_cell(&v, C_SUBJECT_ID, &id, &id_len);
    return person->id.len != id_len || memcmp(person_text(person, person->id), id, id_len) != 0;
}

static enum record_status cadoj_next(struct record_reader *base, struct person *person)
{
    struct cadoj_reader *r = (struct cadoj_reader *)base;
    if (r->stopped)
        return RECORD_END;
    person_clear(person);
    cadoj_new_subject(r);
    if (r->have_pending) {
        r->have_pending = false;
        if (!cadoj_take_row(r, person))
            return cadoj_oom(r);
    }
    for (;;) {
        enum scan_result s = cadoj_scan_row(r);
        if (s == SCAN_BLANK)
            continue;
        if (s == SCAN_ERROR)
            return RECORD_ERROR;
        if (s == SCAN_END)
            return r->started ? cadoj_hand_out(r, person) : RECORD_END;
        r->row++;
        r->base.rows_read++;
        if (!cadoj_check_row(r))
            continue;
        if (cadoj_starts_subject(r, person)) {
            if (r->row_offset >= r->stop_at) {
                /* The row belongs to the part of the file after the stop (cadoj_reader_stop_at). */
                r->row--;
                r->base.rows_read--;
                r->stopped = true;
                r->have_pending = true;
                return r->started ? cadoj_hand_out(r, person) : RECORD_END;
            }
            if (r->started) {
                r->have_pending = true; /* it starts the next subject */
                return cadoj_hand_out(r, person);
            }
        }
        if (!cadoj_take_row(r, person))
            return cadoj_oom(r);
    }
}

static const char *cadoj_error(struct record_reader *base)
{
    return ((struct cadoj_reader *)base)->errmsg;
}

static const char *cadoj_header(struct record_reader *base, size_t *len)
{
    struct cadoj_reader *r = (struct cadoj_reader *)base;
    *len = r->header_len;
    return r->header_line;
}

static void cadoj_close(struct record_reader *base)
{
    struct cadoj_reader *r = (struct cadoj_reader *)base;
    if (!r)
        return;
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    free(r->buf);
    free(r->fields);
    free(r->header_line);
    free(r->raw);
    free(r->counts);
    free(r->slots);
    free(r->citations);
    free(r->name);
    free(r);
}

/* The reader behind base, or NULL when it is not a DOJ reader. */
static struct cadoj_reader *cadoj_of(const struct record_reader *base)
{
    return base && base->close == cadoj_close ? (struct cadoj_reader *)base : NULL;
}

bool cadoj_reader_counts(const struct record_reader *base, struct cadoj_counts *out)
{
    memset(out, 0, sizeof *out);
    const struct cadoj_reader *r = cadoj_of(base);
    if (!r)
        return false;
    *out = r->counts_total;
    out->rows_read = base->rows_read;
    out->rows_rejected = base->rows_rejected;
    return true;
}

size_t cadoj_reader_footprint(const struct record_reader *base)
{
    const struct cadoj_reader *r = cadoj_of(base);
    if (!r)
        return 0;
    return sizeof *r + r->cap + CADOJ_SPAN + r->raw_cap + r->header_len + 1 +
           (r->citations ? MEMO_SLOTS * sizeof *r->citations : 0) +
           (size_t)r->fields_cap * sizeof *r->fields + (size_t)r->counts_cap * sizeof *r->counts +
           (size_t)r->nslots * sizeof *r->slots;
}

/* Reads on from byte `offset`, which must be where a row starts: what the buffer held is dropped. */
static bool cadoj_lseek(struct cadoj_reader *r, uint64_t offset, char *err, size_t errsize)
{
    if (!r->own_fd) {
        snprintf(err, errsize, "%s: cannot be read from the middle", r->name);
        return false;
    }
    if (offset > (uint64_t)INT64_MAX || lseek(r->fd, (off_t)offset, SEEK_SET) < 0) {
        snprintf(err, errsize, "%s: cannot read from byte %llu: %s", r->name,
                 (unsigned long long)offset, strerror(errno));
        return false;
    }
    r->pos = r->len = r->row_start = r->w = 0;
    r->end_offset = offset;
    r->eof = false;
    r->skip_lf = false;
    return true;
}

static struct record_reader *cadoj_open(const char *path, size_t block, record_reject_fn reject, void *ctx,
                                        char *err, size_t errsize)
{
    struct cadoj_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errsize, "%s: out of memory", path);
        return NULL;
    }
    r->fd = -1;
    r->block = block ? block : 1;
    r->stop_at = UINT64_MAX;
    r->list_charges = true;
    for (uint32_t k = 0; k < CADOJ_ROW_FIELDS; k++)
        for (uint32_t j = 0; j < 64 && k + j < CADOJ_ROW_FIELDS; j++)
            if (cadoj_kept(k + j) || (k + j + 1 < CADOJ_ROW_FIELDS && cadoj_kept(k + j + 1)))
                r->needed_ends[k] |= (uint64_t)1 << j;
    r->base.format_name = "California DOJ criminal-history export";
    r->base.next = cadoj_next;
    r->base.error = cadoj_error;
    r->base.close = cadoj_close;
    cadoj_reader_choose_scanner(&r->base, cadoj_best_scanner());
    r->base.header = cadoj_header;
    r->base.reject = reject;
    r->base.reject_ctx = ctx;

    bool is_stdin = strcmp(path, "-") == 0;
    r->name = strdup(is_stdin ? "standard input" : path);
    if (!r->name || !cadoj_grow_buffer(r, r->block)) {
        snprintf(err, errsize, "%s: out of memory", path);
        cadoj_close(&r->base);
        return NULL;
    }

    if (is_stdin) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            snprintf(err, errsize, "%s: cannot open the file: %s", path, strerror(errno));
            cadoj_close(&r->base);
            return NULL;
        }
        r->own_fd = true;
        struct stat st;
        if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(err, errsize, "%s: is a folder, not a DOJ export file", path);
            cadoj_close(&r->base);
            return NULL;
        }
    }
    if (!cadoj_read_header(r, err, errsize)) {
        cadoj_close(&r->base);
        return NULL;
    }
    r->data_start = cadoj_offset(r, r->pos);
    return &r->base;
}

struct record_reader *cadoj_reader_open_block(const char *path, size_t block,
                                              record_reject_fn reject, void *ctx, char *err,
                                              size_t errsize)
{
    return cadoj_open(path, block, reject, ctx, err, errsize);
}

struct record_reader *cadoj_reader_open(const char *path, record_reject_fn reject, void *ctx,
                                        char *err, size_t errsize)
{
    return cadoj_open(path, CADOJ_BLOCK, reject, ctx, err, errsize);
}

/* ---- one export in parts (lenity run --jobs) ---------------------------------------------- */

bool cadoj_reader_restart_at(struct record_reader *base, uint64_t offset, char *err, size_t errsize)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (!r || !cadoj_lseek(r, offset < r->data_start ? r->data_start : offset, err, errsize))
        return false;
    r->row = 0;
    r->base.rows_read = r->base.rows_rejected = r->base.rows_other = 0;
    memset(&r->counts_total, 0, sizeof r->counts_total);
    r->started = false;
    r->have_pending = false;
    r->stop_at = UINT64_MAX;
    r->stopped = false;
    r->errmsg[0] = '\0';
    return true;
}

bool cadoj_reader_find_subject_start(struct record_reader *base, uint64_t near, struct person *scratch,
                                     uint64_t *offset, char *err, size_t errsize)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (!r || !cadoj_reader_restart_at(base, near, err, errsize))
        return false;
    /*
     * Read from `near`, the first person is the end of one that began before
     * it (after a piece of a row): the row that ends it starts the next.
     */
    bool found = cadoj_next(base, scratch) == RECORD_PERSON && r->have_pending;
    if (found)
        *offset = r->row_offset;
    else if (!r->errmsg[0])
        snprintf(err, errsize, "%s: no subject starts after byte %llu", r->name,
                 (unsigned long long)near);
    else
        snprintf(err, errsize, "%s", r->errmsg);
    return found;
}

void cadoj_reader_stop_at(struct record_reader *base, uint64_t offset)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (r)
        r->stop_at = offset;
}

bool cadoj_reader_stopped(const struct record_reader *base, uint64_t *offset)
{
    const struct cadoj_reader *r = cadoj_of(base);
    if (!r || !r->stopped)
        return false;
    *offset = r->row_offset;
    return true;
}

void cadoj_reader_list_charges(struct record_reader *base, bool list)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (r)
        r->list_charges = list;
}

void cadoj_reader_scan_carefully(struct record_reader *base)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (r)
        r->careful_only = true;
}

bool cadoj_reader_choose_scanner(struct record_reader *base, enum cadoj_scanner which)
{
    struct cadoj_reader *r = cadoj_of(base);
    if (!r || !cadoj_runs(which))
        return false;
    switch (which) {
    case CADOJ_SCANNER_PORTABLE: r->scan_quick = cadoj_scan_quick; break;
#if CADOJ_WIDE
    case CADOJ_SCANNER_AVX2: r->scan_quick = cadoj_scan_quick_avx2; break;
    case CADOJ_SCANNER_BMI2: r->scan_quick = cadoj_scan_quick_bmi2; break;
#else
    default: return false;
#endif
    }
    return true;
}
