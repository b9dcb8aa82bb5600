/*
 * format.c - `lenityc fmt`: reprints a policy's tokens in the canonical
 * layout; see format.h.
 *
 * It works on the token stream, not the tree: the tree forgets parentheses,
 * the spelling of literals ("1 ounce", "HS 11357(b)") and where comments
 * were, and a formatter that rebuilt text from it could change a policy's
 * meaning in ways no test would see.  The grammar is used only to know where
 * declarations and clauses begin.
 *
 * The layout, chosen to be the one most of the policies in rules/ already
 * use:
 *   - the header's items, and a rule's clauses (quote, when, unless, then,
 *     because, citing), one to a line, indented two spaces; an example's
 *     person and convictions likewise;
 *   - a blank line between declarations, except between one-line
 *     declarations of the same kind (outcomes, parameters, sets, ...),
 *     which keep the blank line the author gave them, or its absence;
 *   - a condition longer than FORMAT_WIDTH breaks before each 'and'/'or' of
 *     its top level, the word right-aligned under 'when'; an aggregate too
 *     long breaks before 'where', two spaces in from where it starts, and its
 *     condition breaks the same way under 'where'; a parenthesized condition
 *     too long breaks inside, each 'and'/'or' under its first operand;
 *   - a set or table too long opens its braces on the declaration's line,
 *     fills lines of entries indented two spaces, and closes on a line of
 *     its own;
 *   - one space between tokens, none inside ( ), before ',' or around '.';
 *     spaces inside { }; runs of spaces inside a citation, quantity or
 *     duration become one;
 *   - a comment on its own line stays before what follows it, at that
 *     thing's indentation (a comment indented under a declaration's last
 *     line stays with that declaration); a comment at the end of a line
 *     stays at the end of that line, and the end-of-line comments of
 *     consecutive lines are aligned;
 *   - statute text blocks are copied byte for byte.
 */
#include "format.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parser.h"
#include "lexer.h"

/* A width no line can reach: the range holds a comment or a text block and cannot be printed on one line. */
#define FORMAT_UNFIT (1 << 28)

struct format_comment {
    size_t start, end;  /* the '#' and one past the last non-blank byte */
    int col;            /* 1-based column of the '#' */
    bool blank_before;  /* a blank line separates it from what comes before */
};

struct format_token {
    int kind;           /* the grammar's token kind; 0 for the end of the file */
    const char *text;   /* as printed: the source's bytes, runs of blanks inside a citation made one */
    size_t len;
    size_t lead, nlead; /* comments on their own lines just before it */
    long trail;         /* the comment at the end of its line, or -1 */
    bool blank_before;  /* a blank line just before it (after its comments) */
};

struct format_lexed {
    struct format_token *toks;
    size_t ntoks;       /* the last is the end of the file */
    struct format_comment *coms;
    size_t ncoms;
    const char *text;   /* the source text the comments point into */
};

/* Where an end-of-line comment was put, so that a run of them can be aligned afterwards. */
struct format_mark {
    size_t line_start, code_end;
    size_t line_no;
};

struct format_out {
    const struct format_lexed *lx;
    struct format_token *t;
    char *buf;
    size_t len, cap;
    bool oom;
    int col;            /* bytes on the current line */
    bool bol;           /* nothing but indentation written on the current line */
    int want_indent;    /* indentation to write before the line's first content */
    int cont;           /* indentation of a line a comment forces */
    long pending_trail; /* end-of-line comment to write when the line ends */
    size_t prev;        /* last token written */
    bool any;           /* a token was written */
    size_t line_start, line_no;
    struct format_mark *marks;
    size_t nmarks, capmarks;
};

/* ---- lexing ----------------------------------------------------------- */

static bool format_normalized_kind(int kind)
{
    return kind == CITATION || kind == QUANTITY || kind == DURATION;
}

static void format_lexed_free(struct format_lexed *lx)
{
    for (size_t i = 0; i < lx->ntoks; i++)
        if (format_normalized_kind(lx->toks[i].kind))
            free((char *)lx->toks[i].text);
    free(lx->toks);
    free(lx->coms);
    memset(lx, 0, sizeof *lx);
}

static size_t format_offset(const struct source *src, int line, int col)
{
    if (line < 1)
        return 0;
    if ((size_t)line > src->nlines)
        return src->len;
    return src->line_starts[line - 1] + (size_t)(col - 1);
}

static bool format_push_comment(struct format_lexed *lx, size_t *cap, struct format_comment c)
{
    if (lx->ncoms == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct format_comment *p = realloc(lx->coms, ncap * sizeof *p);
        if (!p)
            return false;
        lx->coms = p;
        *cap = ncap;
    }
    lx->coms[lx->ncoms++] = c;
    return true;
}

/*
 * The comments of the gap [from, to) between two tokens: the scanner skips
 * only blanks and comments, so a '#' in a gap always starts one.  An
 * end-of-line comment becomes the previous token's; the others lead the
 * next token.
 */
static bool format_gap(struct format_lexed *lx, size_t *comcap, const char *text, size_t from, size_t to,
                       long prev_tok, struct format_token *next, size_t *line_begin)
{
    int newlines = 0;
    bool first = true;
    next->lead = lx->ncoms;
    next->nlead = 0;
    for (size_t i = from; i < to; i++) {
        if (text[i] == '\n') {
            newlines++;
            *line_begin = i + 1;
        } else if (text[i] == '#') {
            size_t e = i;
            while (e < to && text[e] != '\n')
                e++;
            size_t end = e;
            while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
                end--;
            struct format_comment c = {i, end, (int)(i - *line_begin) + 1, newlines >= 2};
            if (newlines == 0 && prev_tok >= 0 && first) {
                if (!format_push_comment(lx, comcap, c))
                    return false;
                lx->toks[prev_tok].trail = (long)(lx->ncoms - 1);
                next->lead = lx->ncoms;
            } else {
                if (!format_push_comment(lx, comcap, c))
                    return false;
                next->nlead++;
            }
            first = false;
            newlines = 0;
            i = e - 1;
        }
    }
    next->blank_before = newlines >= 2;
    return true;
}

/* The source's tokens with their comments; false when out of memory. */
static bool format_lex(const struct source *src, struct format_lexed *lx)
{
    memset(lx, 0, sizeof *lx);
    lx->text = src->text;
    struct arena arena;
    arena_init(&arena);
    struct diag quiet;
    diag_init(&quiet, stderr); /* the parser has read the text already: the scanner finds nothing to say */
    struct parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = &arena;
    ps.diag = &quiet;
    ps.src = src;
    ps.line = 1;
    ps.col = 1;
    yyscan_t scanner;
    if (lenity_yylex_init_extra(&ps, &scanner) != 0) {
        arena_free(&arena);
        return false;
    }
    YY_BUFFER_STATE buf = lenity_yy_scan_bytes(src->text, (int)src->len, scanner);
    size_t cap = 0, comcap = 0, prev_end = 0, line_begin = 0;
    bool ok = true;
    for (;;) {
        LENITY_YYSTYPE val;
        struct loc loc;
        memset(&loc, 0, sizeof loc);
        int kind = lenity_yylex(&val, &loc, scanner);
        if (lx->ntoks == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct format_token *p = realloc(lx->toks, ncap * sizeof *p);
            if (!p) {
                ok = false;
                break;
            }
            lx->toks = p;
            cap = ncap;
        }
        struct format_token *t = &lx->toks[lx->ntoks];
        memset(t, 0, sizeof *t);
        t->kind = kind;
        t->trail = -1;
        size_t start = kind == 0 ? src->len : format_offset(src, loc.line, loc.col);
        size_t end = kind == 0 ? src->len : format_offset(src, loc.end_line, loc.end_col);
        if (!format_gap(lx, &comcap, src->text, prev_end, start, (long)lx->ntoks - 1, t, &line_begin)) {
            ok = false;
            break;
        }
        t->text = src->text + start;
        t->len = end - start;
        if (format_normalized_kind(kind)) {
            char *norm = malloc(t->len + 1);
            if (!norm) {
                ok = false;
                break;
            }
            size_t n = 0;
            for (size_t i = 0; i < t->len; i++) {
                char c = t->text[i];
                if (c == ' ' || c == '\t') {
                    if (n == 0 || norm[n - 1] != ' ')
                        norm[n++] = ' ';
                } else {
                    norm[n++] = c;
                }
            }
            norm[n] = '\0';
            t->text = norm;
            t->len = n;
        }
        for (size_t i = start; i < end; i++)
            if (src->text[i] == '\n')
                line_begin = i + 1;
        lx->ntoks++;
        prev_end = end;
        if (kind == 0 || kind == LENITY_YYerror || kind == LENITY_YYUNDEF)
            break;
    }
    lenity_yy_delete_buffer(buf, scanner);
    lenity_yylex_destroy(scanner);
    arena_free(&arena);
    if (ok && lx->toks[lx->ntoks - 1].kind != 0)
        ok = false;
    if (!ok)
        format_lexed_free(lx);
    return ok;
}

/* ---- writing ---------------------------------------------------------- */

static void format_raw(struct format_out *f, const char *s, size_t n)
{
    if (f->oom)
        return;
    if (f->len + n + 1 > f->cap) {
        size_t ncap = f->cap ? f->cap : 4096;
        while (ncap < f->len + n + 1)
            ncap *= 2;
        char *p = realloc(f->buf, ncap);
        if (!p) {
            f->oom = true;
            return;
        }
        f->buf = p;
        f->cap = ncap;
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
    f->buf[f->len] = '\0';
}

/* Writes content on the current line, indenting it first when it is the line's first. */
static void format_put(struct format_out *f, const char *s, size_t n)
{
    if (f->bol) {
        for (int i = 0; i < f->want_indent; i++)
            format_raw(f, " ", 1);
        f->col = f->want_indent;
        f->bol = false;
    }
    format_raw(f, s, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            f->line_no++;
            f->line_start = f->len - n + i + 1;
            f->col = 0;
        } else {
            f->col++;
        }
    }
}

static void format_put_comment(struct format_out *f, long c)
{
    const struct format_comment *cm = &f->lx->coms[c];
    format_put(f, f->lx->text + cm->start, cm->end - cm->start);
}

/* Ends the line, with its end-of-line comment if one is waiting. */
static void format_newline(struct format_out *f)
{
    if (f->pending_trail >= 0) {
        if (f->nmarks == f->capmarks) {
            size_t ncap = f->capmarks ? f->capmarks * 2 : 64;
            struct format_mark *p = realloc(f->marks, ncap * sizeof *p);
            if (!p) {
                f->oom = true;
                return;
            }
            f->marks = p;
            f->capmarks = ncap;
        }
        f->marks[f->nmarks++] = (struct format_mark){f->line_start, f->len, f->line_no};
        format_raw(f, " ", 1);
        format_put_comment(f, f->pending_trail);
        f->pending_trail = -1;
    }
    format_raw(f, "\n", 1);
    f->line_no++;
    f->line_start = f->len;
    f->col = 0;
    f->bol = true;
    f->want_indent = 0;
}

/* Starts a new line (unless the current one is still empty) at `indent`. */
static void format_line(struct format_out *f, int indent)
{
    if (!f->bol || f->pending_trail >= 0)
        format_newline(f);
    f->want_indent = indent;
    f->cont = indent;
}

static void format_blank(struct format_out *f)
{
    if (!f->bol || f->pending_trail >= 0)
        format_newline(f);
    format_newline(f);
}

static bool format_space_between(const struct format_token *a, const struct format_token *b)
{
    return !(a->kind == '(' || a->kind == '.' || b->kind == ')' || b->kind == ',' || b->kind == '.');
}

/* Writes token i, after the comments that lead it and with the space it needs. */
static void format_tok(struct format_out *f, size_t i)
{
    struct format_token *t = &f->t[i];
    if (t->nlead > 0 || f->pending_trail >= 0) {
        if (!f->bol || f->pending_trail >= 0) {
            format_newline(f);
            f->want_indent = f->cont;
        }
        for (size_t k = 0; k < t->nlead; k++) {
            f->want_indent = f->cont;
            format_put_comment(f, (long)(t->lead + k));
            format_newline(f);
        }
        t->nlead = 0;
        f->want_indent = f->cont;
    }
    if (!f->bol && f->any && format_space_between(&f->t[f->prev], t))
        format_put(f, " ", 1);
    format_put(f, t->text, t->len);
    f->prev = i;
    f->any = true;
    if (t->trail >= 0)
        f->pending_trail = t->trail;
}

static void format_range(struct format_out *f, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        format_tok(f, i);
}

/* The width of tokens [a, b) on one line, or FORMAT_UNFIT when a comment or a text block is among them. */
static int format_flat_width(const struct format_out *f, size_t a, size_t b)
{
    long w = 0;
    for (size_t i = a; i < b; i++) {
        const struct format_token *t = &f->t[i];
        if ((i > a && t->nlead > 0) || (i + 1 < b && t->trail >= 0) || t->kind == TEXT_BLOCK)
            return FORMAT_UNFIT;
        if (i > a && format_space_between(&f->t[i - 1], t))
            w++;
        w += (long)t->len;
        if (w >= FORMAT_UNFIT)
            return FORMAT_UNFIT;
    }
    return (int)w;
}

/* Where token a would start if written now. */
static int format_next_col(const struct format_out *f, size_t a)
{
    if (f->bol)
        return f->want_indent;
    return f->col + (f->any && format_space_between(&f->t[f->prev], &f->t[a]) ? 1 : 0);
}

/* Whether tokens [a, b), then `tail` more bytes, fit on the current line. */
static bool format_fits(const struct format_out *f, size_t a, size_t b, int tail)
{
    if (a >= b)
        return true;
    int w = format_flat_width(f, a, b);
    if (w >= FORMAT_UNFIT || f->t[a].nlead > 0 || f->pending_trail >= 0)
        return false;
    return format_next_col(f, a) + w + tail <= FORMAT_WIDTH;
}

/* The ')' or '}' that closes the bracket at a, or b when it is not closed before b. */
static size_t format_match(const struct format_out *f, size_t a, size_t b)
{
    int depth = 0;
    for (size_t i = a; i < b; i++) {
        int k = f->t[i].kind;
        if (k == '(' || k == '{')
            depth++;
        else if ((k == ')' || k == '}') && --depth == 0)
            return i;
    }
    return b;
}

/* ---- conditions ------------------------------------------------------- */

static void format_cond(struct format_out *f, size_t a, size_t b, int tail, bool right, int anchor);

/*
 * The 'and'/'or' that join [a, b) at its top level, up to a 'where' (its
 * condition runs to the end).  The 'and' of 'years between X and Y' and the
 * 'or' of 'is on or after' join no conditions.  Returns how many were stored in out (at most b - a).
 */
static size_t format_splits(const struct format_out *f, size_t a, size_t b, size_t *out)
{
    size_t n = 0;
    int depth = 0, betweens = 0;
    for (size_t i = a; i < b; i++) {
        int k = f->t[i].kind;
        if (k == '(' || k == '{') {
            depth++;
        } else if (k == ')' || k == '}') {
            depth--;
        } else if (depth == 0) {
            if (k == WHERE)
                break;
            if (k == BETWEEN)
                betweens++;
            else if (k == AND && betweens > 0)
                betweens--;
            else if (k == OR && i > a && f->t[i - 1].kind == ON)
                continue; /* is on or before, is on or after: one comparison */
            else if ((k == AND || k == OR) && i > a)
                out[n++] = i;
        }
    }
    return n;
}

/* One operand of a condition: on one line if it fits, else broken inside its parentheses and before 'where'. */
static void format_operand(struct format_out *f, size_t a, size_t b, int tail)
{
    if (format_fits(f, a, b, tail)) {
        format_range(f, a, b);
        return;
    }
    int start_col = format_next_col(f, a);
    for (size_t i = a; i < b;) {
        int k = f->t[i].kind;
        if (k == '(') {
            size_t j = format_match(f, i, b);
            if (j >= b) {
                format_range(f, i, b);
                return;
            }
            int rest = 0;
            if (j + 1 < b) {
                rest = format_flat_width(f, j + 1, b);
                if (rest < FORMAT_UNFIT && format_space_between(&f->t[j], &f->t[j + 1]))
                    rest++;
                if (rest >= FORMAT_UNFIT)
                    rest = 0;
            }
            if (format_fits(f, i, j + 1, rest + tail)) {
                format_range(f, i, j + 1);
            } else {
                format_tok(f, i);
                int inner = f->col;
                int saved = f->cont;
                f->cont = inner;
                format_cond(f, i + 1, j, 1 + rest + tail, false, inner);
                format_tok(f, j);
                f->cont = saved;
            }
            i = j + 1;
        } else if (k == WHERE) {
            if (format_fits(f, i, b, tail)) {
                format_range(f, i, b);
                return;
            }
            format_line(f, start_col + 2);
            format_tok(f, i);
            format_cond(f, i + 1, b, tail, true, f->col);
            return;
        } else {
            format_tok(f, i);
            i++;
        }
    }
}

/*
 * A condition [a, b): on one line if it fits, else one operand to a line.
 * A continuing line's 'and'/'or' ends at column `anchor` (right) or starts
 * there (not right).
 */
static void format_cond(struct format_out *f, size_t a, size_t b, int tail, bool right, int anchor)
{
    if (a >= b)
        return;
    if (format_fits(f, a, b, tail)) {
        format_range(f, a, b);
        return;
    }
    size_t *splits = malloc((b - a) * sizeof *splits);
    if (!splits) {
        f->oom = true;
        return;
    }
    size_t n = format_splits(f, a, b, splits);
    int saved = f->cont;
    f->cont = format_next_col(f, a);
    int operand_col = f->cont;
    format_operand(f, a, n > 0 ? splits[0] : b, n > 0 ? 0 : tail);
    for (size_t k = 0; k < n; k++) {
        size_t op = splits[k], end = k + 1 < n ? splits[k + 1] : b;
        int col = right ? anchor - (int)f->t[op].len : anchor;
        if (col < 0)
            col = 0;
        format_line(f, col);
        format_tok(f, op);
        f->cont = right ? anchor + 1 : operand_col;
        format_operand(f, op + 1, end, k + 1 == n ? tail : 0);
    }
    f->cont = saved;
    free(splits);
}

/* ---- declarations ----------------------------------------------------- */

/* Whether token i begins a declaration (the policy header counts as one). */
static bool format_decl_start(const struct format_out *f, size_t i, size_t n)
{
    int prev = i > 0 ? f->t[i - 1].kind : 0;
    switch (f->t[i].kind) {
    case POLICY:
    case OVERRIDE:
    case REPLACE:
    case EXAMPLE:
    case COLUMN:
    case COLUMNS:
        return true;
    case OUTCOME: /* `outcome` is also the decision's outcome in an output column: outcome is dismiss */
        return i + 1 < n && f->t[i + 1].kind == IDENT;
    case PARAMETER:
    case SET:
    case TABLE:
        return prev != OVERRIDE;
    case RULE: /* ... by rule NAME; replace rule NAME */
        return prev != BY && prev != REPLACE;
    case OTHERWISE: { /* also: expect otherwise, by rule otherwise, a column's last value */
        if (prev == EXPECT || prev == RULE)
            return false;
        size_t j = i + 1;
        if (j < n && f->t[j].kind == QUOTE)
            return true;
        if (j >= n || f->t[j].kind != IDENT)
            return false;
        j++;
        while (j + 1 < n && f->t[j].kind == AND && f->t[j + 1].kind == IDENT)
            j += 2;
        return j < n && f->t[j].kind == BECAUSE;
    }
    default:
        return false;
    }
}

/* The kind a declaration is grouped by for blank lines: override and replace count as what they change. */
static int format_decl_group(const struct format_out *f, size_t a, size_t b)
{
    int k = f->t[a].kind;
    if ((k == OVERRIDE || k == REPLACE) && a + 1 < b)
        return f->t[a + 1].kind;
    return k;
}

/* Whether a declaration is printed on one line: then it may sit right under one of its kind. */
static bool format_one_line(const struct format_out *f, size_t a, size_t b)
{
    int g = format_decl_group(f, a, b);
    int w = format_flat_width(f, a, b);
    if (w >= FORMAT_UNFIT)
        return false;
    if (g == OUTCOME || g == PARAMETER)
        return true;
    return (g == SET || g == TABLE || g == COLUMN || g == COLUMNS) && w <= FORMAT_WIDTH;
}

/* Tokens [a, b), a new line at `indent` before each token `starts` picks. */
static void format_lines(struct format_out *f, size_t a, size_t b, int indent, bool (*starts)(int kind))
{
    for (size_t i = a; i < b; i++) {
        if (i > a && starts(f->t[i].kind))
            format_line(f, indent);
        format_tok(f, i);
    }
}

static bool format_header_item(int kind)
{
    return kind == JURISDICTION || kind == AUTHORITY || kind == EFFECTIVE || kind == VERSION || kind == MISSING ||
           kind == EXTENDS || kind == APPROVED;
}

static bool format_example_item(int kind)
{
    return kind == PERSON || kind == CONVICTION || kind == CHARGE;
}

static bool format_rule_clause(int kind)
{
    return kind == QUOTE || kind == WHEN || kind == UNLESS || kind == THEN || kind == BECAUSE || kind == CITING;
}

/* rule, replace rule, otherwise: the name line, then one clause to a line. */
static void format_rule(struct format_out *f, size_t a, size_t b)
{
    size_t i = a;
    bool otherwise = f->t[a].kind == OTHERWISE;
    while (i < b && !format_rule_clause(f->t[i].kind))
        format_tok(f, i++);
    while (i < b) {
        size_t end = i + 1;
        while (end < b && !format_rule_clause(f->t[end].kind))
            end++;
        int k = f->t[i].kind;
        format_line(f, 2);
        format_tok(f, i);
        if (k == WHEN || k == UNLESS) {
            format_cond(f, i + 1, end, 0, true, f->col);
        } else if (k == QUOTE && otherwise && i + 2 < end) {
            /* otherwise quote """...""" OUTCOME: the outcome after the text, on a line of its own */
            format_tok(f, i + 1);
            format_line(f, 2);
            format_range(f, i + 2, end);
        } else {
            format_range(f, i + 1, end);
        }
        i = end;
    }
}

/* set / table NAME = { ... }: on one line, or entries filling lines between braces on lines of their own. */
static void format_braces(struct format_out *f, size_t a, size_t b)
{
    if (format_fits(f, a, b, 0)) {
        format_range(f, a, b);
        return;
    }
    size_t open = a;
    while (open < b && f->t[open].kind != '{')
        open++;
    size_t close = format_match(f, open, b);
    if (open >= b || close >= b) {
        format_range(f, a, b);
        return;
    }
    format_range(f, a, open + 1);
    format_line(f, 2);
    for (size_t i = open + 1; i < close;) {
        size_t end = i;
        while (end < close && f->t[end].kind != ',')
            end++;
        size_t stop = end < close ? end + 1 : end; /* the entry with its comma */
        if (!f->bol && !format_fits(f, i, stop, 0))
            format_line(f, 2);
        format_range(f, i, stop);
        i = stop;
    }
    format_line(f, 0);
    format_range(f, close, b);
}

/* column "Name" = VALUE, or = when C then V ... otherwise V, one arm to a line. */
static void format_column(struct format_out *f, size_t a, size_t b)
{
    if (format_fits(f, a, b, 0)) {
        format_range(f, a, b);
        return;
    }
    size_t eq = a;
    while (eq < b && f->t[eq].kind != '=')
        eq++;
    if (eq >= b) {
        format_range(f, a, b);
        return;
    }
    format_range(f, a, eq + 1);
    size_t i = eq + 1;
    if (i < b && f->t[i].kind != WHEN) {
        format_line(f, 2);
        format_cond(f, i, b, 0, false, 2);
        return;
    }
    while (i < b) {
        size_t end = i + 1;
        while (end < b && f->t[end].kind != WHEN && f->t[end].kind != OTHERWISE)
            end++;
        format_line(f, 2);
        if (format_fits(f, i, end, 0)) {
            format_range(f, i, end);
        } else if (f->t[i].kind == WHEN) {
            size_t then = i + 1;
            while (then < end && f->t[then].kind != THEN)
                then++;
            format_tok(f, i);
            format_cond(f, i + 1, then, 0, true, f->col);
            if (then < end) {
                format_line(f, 4);
                format_tok(f, then);
                format_cond(f, then + 1, end, 0, true, f->col);
            }
        } else {
            format_tok(f, i);
            format_cond(f, i + 1, end, 0, true, f->col);
        }
        i = end;
    }
}

static void format_decl(struct format_out *f, size_t a, size_t b)
{
    f->cont = 2;
    switch (format_decl_group(f, a, b)) {
    case POLICY:
        format_lines(f, a, b, 2, format_header_item);
        break;
    case EXAMPLE:
        format_lines(f, a, b, 2, format_example_item);
        break;
    case RULE:
    case OTHERWISE:
        format_rule(f, a, b);
        break;
    case SET:
    case TABLE:
        format_braces(f, a, b);
        break;
    case COLUMN:
        format_column(f, a, b);
        break;
    case COLUMNS: {
        size_t i = a;
        while (i < b && f->t[i].kind != WHEN)
            format_tok(f, i++);
        if (i < b) {
            format_tok(f, i);
            format_cond(f, i + 1, b, 0, true, f->col);
        }
        break;
    }
    default: /* outcome, parameter: one line */
        format_range(f, a, b);
        break;
    }
}

/* Comments on their own lines before token i, at column 0, keeping the author's blank lines between them. */
static void format_leading_top(struct format_out *f, size_t i, bool blank_first)
{
    struct format_token *t = &f->t[i];
    for (size_t k = 0; k < t->nlead; k++) {
        const struct format_comment *c = &f->lx->coms[t->lead + k];
        if ((k == 0 && blank_first) || (k > 0 && c->blank_before))
            format_blank(f);
        else
            format_line(f, 0);
        f->want_indent = 0;
        format_put_comment(f, (long)(t->lead + k));
        format_newline(f);
    }
    if (t->nlead > 0 && t->blank_before)
        format_newline(f);
    t->nlead = 0;
}

/* Lines of a run of end-of-line comments get their comments aligned, two spaces after the longest code. */
static char *format_align(struct format_out *f, size_t *outlen)
{
    size_t extra = 0;
    int *widths = calloc(f->nmarks + 1, sizeof *widths);
    if (!widths)
        return NULL;
    for (size_t k = 0; k < f->nmarks;) {
        size_t e = k + 1;
        while (e < f->nmarks && f->marks[e].line_no == f->marks[e - 1].line_no + 1)
            e++;
        size_t most = 0;
        for (size_t m = k; m < e; m++)
            if (f->marks[m].code_end - f->marks[m].line_start > most)
                most = f->marks[m].code_end - f->marks[m].line_start;
        for (size_t m = k; m < e; m++) {
            widths[m] = (int)(most - (f->marks[m].code_end - f->marks[m].line_start)) + 2;
            extra += (size_t)widths[m];
        }
        k = e;
    }
    char *out = malloc(f->len + extra + 1);
    if (!out) {
        free(widths);
        return NULL;
    }
    size_t n = 0, from = 0;
    for (size_t m = 0; m < f->nmarks; m++) {
        size_t at = f->marks[m].code_end;
        memcpy(out + n, f->buf + from, at - from);
        n += at - from;
        memset(out + n, ' ', (size_t)widths[m]);
        n += (size_t)widths[m];
        from = at + 1; /* the single space written before the comment */
    }
    memcpy(out + n, f->buf + from, f->len - from);
    n += f->len - from;
    out[n] = '\0';
    *outlen = n;
    free(widths);
    return out;
}

/* The whole policy, in the canonical layout; *ndecls gets how many declarations were found. */
static char *format_tokens(const struct format_lexed *lx, size_t *outlen, size_t *ndecls)
{
    struct format_out f;
    memset(&f, 0, sizeof f);
    f.lx = lx;
    f.pending_trail = -1;
    f.bol = true;
    /* The layout consumes comments as it writes them: work on a copy. */
    f.t = malloc(lx->ntoks * sizeof *f.t);
    if (!f.t)
        return NULL;
    memcpy(f.t, lx->toks, lx->ntoks * sizeof *f.t);
    size_t n = lx->ntoks - 1; /* the end-of-file token is not printed */
    *ndecls = 0;
    size_t a = 0;
    bool prev_one = false;
    int prev_group = -1;
    while (a < n) {
        size_t b = a + 1;
        while (b < n && !format_decl_start(&f, b, n))
            b++;
        bool one = format_one_line(&f, a, b);
        int group = format_decl_group(&f, a, b);
        if (a > 0) {
            bool forced = !(one && prev_one && group == prev_group);
            struct format_token *t = &f.t[a];
            bool source_blank = t->nlead > 0 ? f.lx->coms[t->lead].blank_before : t->blank_before;
            if (forced || source_blank)
                format_blank(&f);
            else
                format_line(&f, 0);
            format_leading_top(&f, a, false);
            (*ndecls)++;
        } else {
            format_leading_top(&f, a, false);
        }
        format_line(&f, 0);
        format_decl(&f, a, b);
        /* Comments indented under the declaration's last line, with no blank line before, stay with it. */
        struct format_token *next = &f.t[b];
        while (next->nlead > 0) {
            const struct format_comment *c = &f.lx->coms[next->lead];
            if (c->col == 1 || c->blank_before)
                break;
            format_line(&f, 2);
            format_put_comment(&f, (long)next->lead);
            next->lead++;
            next->nlead--;
        }
        prev_one = one;
        prev_group = group;
        a = b;
    }
    /* Comments after the last declaration. */
    struct format_token *eof = &f.t[n];
    for (size_t k = 0; k < eof->nlead; k++) {
        const struct format_comment *c = &f.lx->coms[eof->lead + k];
        if (c->blank_before && f.len > 0)
            format_blank(&f);
        else
            format_line(&f, 0);
        f.want_indent = 0;
        format_put_comment(&f, (long)(eof->lead + k));
    }
    if (!f.bol || f.pending_trail >= 0)
        format_newline(&f);
    char *out = f.oom ? NULL : format_align(&f, outlen);
    free(f.buf);
    free(f.marks);
    free(f.t);
    return out;
}

/* ---- checking --------------------------------------------------------- */

/* The formatted text must hold the same tokens and comments as the source. */
static bool format_same(const struct format_lexed *x, const struct format_lexed *y, char *err, size_t errsize)
{
    if (x->ntoks != y->ntoks) {
        snprintf(err, errsize, "the formatted policy has %zu tokens, the source %zu", y->ntoks, x->ntoks);
        return false;
    }
    for (size_t i = 0; i < x->ntoks; i++) {
        const struct format_token *a = &x->toks[i], *b = &y->toks[i];
        if (a->kind != b->kind || a->len != b->len || memcmp(a->text, b->text, a->len) != 0) {
            snprintf(err, errsize, "token %zu changed from '%.*s' to '%.*s'", i + 1, (int)(a->len > 60 ? 60 : a->len),
                     a->text, (int)(b->len > 60 ? 60 : b->len), b->text);
            return false;
        }
    }
    if (x->ncoms != y->ncoms) {
        snprintf(err, errsize, "the formatted policy has %zu comments, the source %zu", y->ncoms, x->ncoms);
        return false;
    }
    for (size_t i = 0; i < x->ncoms; i++) {
        const struct format_comment *a = &x->coms[i], *b = &y->coms[i];
        if (a->end - a->start != b->end - b->start ||
            memcmp(x->text + a->start, y->text + b->start, a->end - a->start) != 0) {
            snprintf(err, errsize, "comment %zu changed", i + 1);
            return false;
        }
    }
    return true;
}

enum format_result format_policy(const struct source *src, struct diag *diag, char **out, size_t *outlen,
                                 char *err, size_t errsize)
{
    *out = NULL;
    *outlen = 0;
    struct arena arena;
    arena_init(&arena);
    struct policy *policy = parse_policy(src, &arena, diag);
    if (!policy) {
        arena_free(&arena);
        return FORMAT_SYNTAX;
    }
    size_t parsed = policy->decls.len;
    arena_free(&arena);

    struct format_lexed lx;
    if (!format_lex(src, &lx)) {
        snprintf(err, errsize, "out of memory, or the scanner disagrees with the parser");
        return FORMAT_INTERNAL;
    }
    size_t ndecls = 0, len = 0;
    char *text = format_tokens(&lx, &len, &ndecls);
    if (!text) {
        format_lexed_free(&lx);
        snprintf(err, errsize, "out of memory");
        return FORMAT_INTERNAL;
    }
    enum format_result rc = FORMAT_OK;
    /* A declaration the grammar has and this file does not know would be glued to the one before it. */
    if (ndecls != parsed) {
        snprintf(err, errsize, "found %zu declarations where the parser found %zu: a construct of the grammar "
                 "the formatter does not know", ndecls, parsed);
        rc = FORMAT_INTERNAL;
    }
    struct source *again = rc == FORMAT_OK ? source_from_text(src->path, text, len) : NULL;
    if (rc == FORMAT_OK && !again) {
        snprintf(err, errsize, "out of memory");
        rc = FORMAT_INTERNAL;
    }
    if (rc == FORMAT_OK) {
        struct format_lexed ly;
        if (!format_lex(again, &ly)) {
            snprintf(err, errsize, "the formatted policy does not scan");
            rc = FORMAT_INTERNAL;
        } else {
            if (!format_same(&lx, &ly, err, errsize))
                rc = FORMAT_INTERNAL;
            format_lexed_free(&ly);
        }
    }
    source_free(again);
    format_lexed_free(&lx);
    if (rc != FORMAT_OK) {
        free(text);
        return rc;
    }
    *out = text;
    *outlen = len;
    return FORMAT_OK;
}
