/*
 * lint.c - warnings about a policy that compiles but may not say what its
 * writer meant; see lint.h.  Every warning names the thing, says why it is
 * probably a mistake, and gives a hint the writer can act on.  When it is
 * not certain, lint says nothing: a warning that is wrong teaches people to
 * ignore warnings.
 */
#include "lint.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcode.h"
#include "value.h"

struct lint_finding {
    struct loc loc;
    const char *message;
    const char *hint;   /* may be NULL */
    size_t seq;         /* order found, to keep the sort stable */
};

static void found(struct lint *l, const struct loc *loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void found(struct lint *l, const struct loc *loc, const char *hint, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    struct lint_finding *f = arena_alloc(l->arena, sizeof *f);
    f->loc = *loc;
    f->message = arena_strdup(l->arena, buf);
    f->hint = hint ? arena_strdup(l->arena, hint) : NULL;
    f->seq = l->findings.len;
    ptrvec_push(l->arena, &l->findings, f);
}

static bool in_main(const struct merged_policy *m, const struct loc *loc)
{
    return loc->src && loc->src == m->main_source;
}

/* "line 12", or "line 12 of ca/prop64.policy" when `loc` is in another file than `from`. */
static const char *line_words(struct lint *l, const struct loc *loc, const struct loc *from)
{
    char buf[512];
    if (loc->src == from->src || !loc->src)
        snprintf(buf, sizeof buf, "line %d", loc->line);
    else
        snprintf(buf, sizeof buf, "line %d of %s", loc->line, loc->src->path);
    return arena_strdup(l->arena, buf);
}

/* ---- the source text around a node ------------------------------------- */

static bool text_offset(const struct source *s, int line, int col, size_t *out)
{
    if (!s || line < 1 || (size_t)line > s->nlines || col < 1)
        return false;
    size_t off = s->line_starts[line - 1] + (size_t)(col - 1);
    if (off > s->len)
        return false;
    *out = off;
    return true;
}

static size_t line_end(const struct source *s, size_t li)
{
    return li + 1 < s->nlines ? s->line_starts[li + 1] - 1 : s->len;
}

/* 0-based line holding offset off. */
static size_t line_of(const struct source *s, size_t off)
{
    size_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Where the code of line li ends: at a '#' outside quotes, or at the end of the line. */
static size_t code_end(const struct source *s, size_t li)
{
    size_t end = line_end(s, li);
    bool quoted = false;
    for (size_t i = s->line_starts[li]; i < end; i++) {
        char ch = s->text[i];
        if (quoted) {
            if (ch == '\\' && i + 1 < end)
                i++;
            else if (ch == '"')
                quoted = false;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == '#') {
            return i;
        }
    }
    return end;
}

/* The last character of code before offset off, past spaces, line breaks and comments; 0 at the file's start. */
static char code_before(const struct source *s, size_t off, size_t *at)
{
    size_t li = line_of(s, off);
    for (;;) {
        size_t start = s->line_starts[li];
        while (off > start && isspace((unsigned char)s->text[off - 1]))
            off--;
        if (off > start) {
            *at = off - 1;
            return s->text[off - 1];
        }
        if (li == 0)
            return 0;
        li--;
        off = code_end(s, li);
    }
}

/* The first character of code at or after offset off, past spaces, line breaks and comments; 0 at the end. */
static char code_after(const struct source *s, size_t off, size_t *at)
{
    size_t li = line_of(s, off);
    for (;;) {
        size_t end = code_end(s, li);
        while (off < end && isspace((unsigned char)s->text[off]))
            off++;
        if (off < end) {
            *at = off;
            return s->text[off];
        }
        if (li + 1 >= s->nlines)
            return 0;
        li++;
        off = s->line_starts[li];
    }
}

/* True when e is written inside its own parentheses: "( e )". */
static bool parenthesized(const struct expr *e)
{
    const struct source *s = e->loc.src;
    size_t a, b, at;
    if (!text_offset(s, e->loc.line, e->loc.col, &a) || !text_offset(s, e->loc.end_line, e->loc.end_col, &b))
        return false;
    return code_before(s, a, &at) == '(' && code_after(s, b, &at) == ')';
}

/*
 * The code from offset a to b, with each run of spaces and line breaks
 * outside quotes made one space; NULL when it holds a comment or is too
 * long to quote in a hint.
 */
static char *quote_code(struct lint *l, const struct source *s, size_t a, size_t b)
{
    while (a < b && isspace((unsigned char)s->text[a]))
        a++;
    while (b > a && isspace((unsigned char)s->text[b - 1]))
        b--;
    if (b <= a || b - a > 200)
        return NULL;
    char *out = arena_alloc(l->arena, b - a + 1);
    size_t n = 0;
    bool quoted = false;
    for (size_t i = a; i < b; i++) {
        char ch = s->text[i];
        if (!quoted && ch == '#')
            return NULL;
        if (quoted && ch == '\\' && i + 1 < b) {
            out[n++] = ch;
            out[n++] = s->text[++i];
            continue;
        }
        if (ch == '"')
            quoted = !quoted;
        if (!quoted && isspace((unsigned char)ch)) {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
            continue;
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return out;
}

/* ---- walking conditions ------------------------------------------------- */

static void each_subexpr(const struct expr *e, void (*fn)(void *, const struct expr *), void *ctx)
{
    if (!e)
        return;
    fn(ctx, e);
    switch (e->kind) {
    case EXPR_NOT:
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
    case EXPR_AGE_AT:
        each_subexpr(e->u.operand, fn, ctx);
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COMPARE:
    case EXPR_IN:
    case EXPR_ADD:
    case EXPR_SUB:
    case EXPR_YEARS_BETWEEN:
    case EXPR_DECIMAL_YEARS:
    case EXPR_TABLE:
    case EXPR_PARAM_AT:
        each_subexpr(e->u.bin.left, fn, ctx);
        each_subexpr(e->u.bin.right, fn, ctx);
        break;
    case EXPR_AGGREGATE:
    case EXPR_JOIN:
        each_subexpr(e->u.agg.where, fn, ctx);
        break;
    default:
        break;
    }
}

static void each_rule_subexpr(const struct merged_policy *m, bool main_only,
                              void (*fn)(void *, const struct expr *), void *ctx)
{
    for (size_t i = 0; i < m->rules.len; i++) {
        const struct rule_decl *r = m->rules.items[i];
        if (main_only && !in_main(m, &r->loc))
            continue;
        each_subexpr(r->when, fn, ctx);
        each_subexpr(r->unless, fn, ctx);
    }
}

/* ---- citations listed twice, or covered by a broader entry ------------- */

struct entry_order {
    const char *text;
    size_t index;
};

static int entry_order_cmp(const void *pa, const void *pb)
{
    const struct entry_order *a = pa, *b = pb;
    int c = strcmp(a->text, b->text);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/*
 * The broadest entry of the set that covers c and is not c itself, as a
 * prefix of c (NULL when none does).  A set of 5,000 entries costs a few
 * probes per entry, as a lookup does.
 */
static bool broader_entry(const struct citation_set *set, const struct citation *c, struct citation *out)
{
    for (uint8_t level = 0; level + 1 < c->depth; level++) {
        struct citation prefix;
        memset(&prefix, 0, sizeof prefix);
        prefix.len = c->ends[level];
        memcpy(prefix.text, c->text, prefix.len);
        prefix.depth = (uint8_t)(level + 1);
        memcpy(prefix.ends, c->ends, prefix.depth);
        /* the shorter prefixes are not entries, so a match here is this prefix itself */
        if (citation_set_contains(set, &prefix)) {
            *out = prefix;
            return true;
        }
    }
    return false;
}

static void lint_citation_list(struct lint *l, const struct ptrvec *items, const char *set_name)
{
    size_t n = items->len;
    if (n < 2)
        return;
    char where[160];
    if (set_name)
        snprintf(where, sizeof where, "in the set '%s'", set_name);
    else
        snprintf(where, sizeof where, "in this list");
    struct citation *all = arena_alloc(l->arena, n * sizeof *all);
    struct entry_order *order = arena_alloc(l->arena, n * sizeof *order);
    size_t *first = arena_alloc(l->arena, n * sizeof *first); /* index of the first entry with the same text */
    for (size_t i = 0; i < n; i++) {
        all[i] = *((const struct expr *)items->items[i])->u.citation;
        order[i].text = all[i].text;
        order[i].index = i;
    }
    qsort(order, n, sizeof *order, entry_order_cmp);
    for (size_t k = 0; k < n; k++)
        first[order[k].index] = k > 0 && strcmp(order[k - 1].text, order[k].text) == 0 ? first[order[k - 1].index]
                                                                                      : order[k].index;
    struct citation_set set;
    if (n > UINT32_MAX || !citation_set_build(&set, all, (uint32_t)n))
        return;
    for (size_t i = 0; i < n; i++) {
        const struct expr *e = items->items[i];
        const char *c = all[i].text;
        struct citation broad;
        char hint[512];
        if (broader_entry(&set, &all[i], &broad)) {
            snprintf(hint, sizeof hint,
                     "%s takes in %s and everything inside it, so this entry changes nothing: remove %s "
                     "(or, if only %s was meant, remove %s)",
                     broad.text, c, c, c, broad.text);
            found(l, &e->loc, hint, "%s is already covered by %s %s", c, broad.text, where);
        } else if (first[i] != i) {
            const struct expr *same = items->items[first[i]];
            if (same->loc.line == e->loc.line)
                snprintf(hint, sizeof hint, "remove this one: it is first listed at column %d, and listing it again "
                         "changes nothing", same->loc.col);
            else
                snprintf(hint, sizeof hint, "remove this one: it is first listed on line %d, and listing it again "
                         "changes nothing", same->loc.line);
            found(l, &e->loc, hint, "%s is listed twice %s", c, where);
        }
    }
    citation_set_free(&set);
}

static void lint_literal_list(void *ctx, const struct expr *e)
{
    if (e->kind == EXPR_SET_LITERAL)
        lint_citation_list(ctx, &e->u.items, NULL);
}

static void lint_sets(struct lint *l, const struct merged_policy *m)
{
    for (size_t i = 0; i < m->sets.len; i++) {
        const struct set_decl *s = m->sets.items[i];
        if (in_main(m, &s->loc))
            lint_citation_list(l, &s->items, s->name);
    }
    each_rule_subexpr(m, true, lint_literal_list, l);
}

/* ---- what is declared and never used ------------------------------------ */

struct uses {
    const struct merged_policy *m;
    bool *param_used;
    bool *set_used;
};

static void mark_use(void *ctx, const struct expr *e)
{
    struct uses *u = ctx;
    if (e->ref == REF_PARAM && e->ref_index < u->m->params.len)
        u->param_used[e->ref_index] = true;
    else if (e->ref == REF_SET && e->ref_index < u->m->sets.len)
        u->set_used[e->ref_index] = true;
}

/* A reason can name parameters in braces: "{adult_age} or older". */
static void mark_reason_uses(struct uses *u, const char *reason)
{
    for (const char *s = reason; s && (s = strchr(s, '{')) != NULL; s++) {
        const char *close = strchr(s, '}');
        if (!close)
            return;
        size_t len = (size_t)(close - s - 1);
        for (size_t i = 0; i < u->m->params.len; i++) {
            const char *name = ((const struct param_decl *)u->m->params.items[i])->name;
            if (strlen(name) == len && strncmp(name, s + 1, len) == 0)
                u->param_used[i] = true;
        }
        s = close;
    }
}

static void lint_unused(struct lint *l, const struct merged_policy *m, const struct check_result *checked)
{
    struct uses u = {m, arena_alloc(l->arena, m->params.len + 1), arena_alloc(l->arena, m->sets.len + 1)};
    each_rule_subexpr(m, false, mark_use, &u);
    /* the output columns read parameters and sets too */
    for (size_t i = 0; i < m->columns.len; i++) {
        const struct column_decl *c = m->columns.items[i];
        for (size_t k = 0; k < c->arms.len; k++) {
            const struct column_arm *arm = c->arms.items[k];
            each_subexpr(arm->cond, mark_use, &u);
            each_subexpr(arm->value, mark_use, &u);
        }
    }
    each_subexpr(m->column_scope, mark_use, &u);
    for (size_t i = 0; i < m->rules.len; i++)
        mark_reason_uses(&u, ((const struct rule_decl *)m->rules.items[i])->reason);

    for (size_t i = 0; i < m->outcomes.len; i++) {
        const struct outcome_decl *o = m->outcomes.items[i];
        if (!in_main(m, &o->loc) || (int)i == checked->review_outcome)
            continue;
        bool given = false;
        for (size_t j = 0; j < m->rules.len && !given; j++) {
            const struct rule_decl *r = m->rules.items[j];
            given = strcmp(r->outcome, o->name) == 0;
            for (size_t k = 0; k < r->more_outcomes.len && !given; k++) /* then vacate and seal */
                given = strcmp(((const struct outcome_ref *)r->more_outcomes.items[k])->name, o->name) == 0;
        }
        if (!given) {
            char hint[512];
            snprintf(hint, sizeof hint, "give it in a rule (then %s), or remove the declaration", o->name);
            found(l, &o->loc, hint, "the outcome '%s' is declared, but no rule gives it", o->name);
        }
    }
    for (size_t i = 0; i < m->params.len; i++) {
        const struct param_decl *p = m->params.items[i];
        if (!in_main(m, &p->loc) || u.param_used[i])
            continue;
        char hint[512];
        snprintf(hint, sizeof hint,
                 "use it in a condition or name it in a reason ({%s}), or remove %s: as it is, changing it "
                 "(lenity run --set %s=...) changes no decision",
                 p->name, p->override ? "the override" : "it", p->name);
        if (p->override)
            found(l, &p->loc, hint, "the parameter '%s' is overridden here, but no rule uses it", p->name);
        else
            found(l, &p->loc, hint, "the parameter '%s' is declared, but no rule uses it", p->name);
    }
    for (size_t i = 0; i < m->sets.len; i++) {
        const struct set_decl *s = m->sets.items[i];
        if (!in_main(m, &s->loc) || u.set_used[i])
            continue;
        char hint[512];
        snprintf(hint, sizeof hint, "use it in a condition (citation in %s), or remove %s", s->name,
                 s->override ? "the override" : "it");
        if (s->override)
            found(l, &s->loc, hint, "the set '%s' is overridden here, but no rule uses it", s->name);
        else
            found(l, &s->loc, hint, "the set '%s' is declared, but no rule uses it", s->name);
    }
}

/* ---- "no conviction where A and no conviction where B" ----------------- */

/* The history question inside e that is not inside an 'and'/'or' of its own, or NULL. */
static const struct expr *question_in(const struct expr *e)
{
    switch (e->kind) {
    case EXPR_AGGREGATE:
        return e;
    case EXPR_NOT:
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
    case EXPR_AGE_AT:
        return question_in(e->u.operand);
    case EXPR_COMPARE:
    case EXPR_IN:
    case EXPR_ADD:
    case EXPR_SUB:
    case EXPR_YEARS_BETWEEN: {
        const struct expr *q = question_in(e->u.bin.left);
        return q ? q : question_in(e->u.bin.right);
    }
    default:
        return NULL;
    }
}

/* The parts joined by the unparenthesized 'and'/'or' at the top of a condition, in the order written. */
static void chain_parts(const struct expr *e, bool top, const struct expr **parts, size_t *n, size_t max)
{
    if ((e->kind == EXPR_AND || e->kind == EXPR_OR) && (top || !parenthesized(e))) {
        chain_parts(e->u.bin.left, false, parts, n, max);
        chain_parts(e->u.bin.right, false, parts, n, max);
    } else if (*n < max) {
        parts[(*n)++] = e;
    }
}

static const char *question_words(struct lint *l, const struct expr *q)
{
    bool charges = (q->u.agg.scope & AGG_CHARGES) != 0;
    const char *other = q->u.agg.other ? "other " : "";
    const char *one = charges ? "charge" : "conviction", *many = charges ? "charges" : "convictions";
    char buf[256];
    switch (q->u.agg.op) {
    case AGG_OP_ANY:
        snprintf(buf, sizeof buf, "any %s%s", other, one);
        break;
    case AGG_OP_NO:
        snprintf(buf, sizeof buf, "no %s%s", other, one);
        break;
    case AGG_OP_EVERY:
        snprintf(buf, sizeof buf, "every %s%s", other, one);
        break;
    case AGG_OP_COUNT:
        snprintf(buf, sizeof buf, "count of %s%s", other, many);
        break;
    case AGG_OP_LATEST:
    case AGG_OP_EARLIEST:
        snprintf(buf, sizeof buf, "%s %s of %s%s", q->u.agg.op == AGG_OP_LATEST ? "latest" : "earliest",
                 q->u.agg.value_name ? q->u.agg.value_name : "date", other, many);
        break;
    case AGG_OP_JOIN:
        snprintf(buf, sizeof buf, "joined %s of %s%s", q->u.agg.value_name ? q->u.agg.value_name : "text", other,
                 many);
        break;
    default:
        snprintf(buf, sizeof buf, "question about the %s", many);
        break;
    }
    return arena_strdup(l->arena, buf);
}

/* The hint for `outer`, whose 'where' takes in `part`: the same words with the first question closed. */
static const char *where_hint(struct lint *l, const struct expr *outer, const struct expr *part,
                              const struct expr *question)
{
    /* the second question runs to the end: it can have parentheses of its own */
    bool whole = question->loc.end_line == outer->loc.end_line && question->loc.end_col == outer->loc.end_col;
    const char *generic = "a 'where' takes in everything after it, to the end of the condition; to ask two "
                          "separate questions, put each in parentheses, e.g. (no conviction where level is "
                          "felony) and (no conviction where citation in HS 11359); if the second is meant to be asked "
                          "of each conviction the first looks at, put it alone in parentheses to say so";
    const struct source *s = outer->loc.src;
    size_t start, end, part_start, at;
    if (!text_offset(s, outer->loc.line, outer->loc.col, &start) ||
        !text_offset(s, outer->loc.end_line, outer->loc.end_col, &end) ||
        !text_offset(s, part->loc.line, part->loc.col, &part_start))
        return generic;
    /* back from the part, past its opening parentheses, to the 'and' or 'or' before it */
    size_t off = part_start;
    char ch;
    while ((ch = code_before(s, off, &at)) == '(')
        off = at;
    if (!ch || at < start)
        return generic;
    size_t word_end = at + 1, word_start = word_end;
    while (word_start > start && (isalnum((unsigned char)s->text[word_start - 1]) || s->text[word_start - 1] == '_'))
        word_start--;
    size_t wlen = word_end - word_start;
    const char *joiner = wlen == 3 && strncmp(s->text + word_start, "and", 3) == 0   ? "and"
                         : wlen == 2 && strncmp(s->text + word_start, "or", 2) == 0 ? "or"
                                                                                    : NULL;
    if (!joiner || end < word_end)
        return generic;
    char *first = quote_code(l, s, start, word_start);
    char *rest = quote_code(l, s, word_end, end);
    if (!first || !rest)
        return generic;
    char buf[768];
    snprintf(buf, sizeof buf,
             "a 'where' takes in everything after it, to the end of the condition; to ask two separate "
             "questions, put each in parentheses: (%s) %s %s%s%s; if the second is meant to be asked of each "
             "conviction the first looks at, put it alone in parentheses to say so",
             first, joiner, whole ? "(" : "", rest, whole ? ")" : "");
    return arena_strdup(l->arena, buf);
}

static void lint_where_reach(void *ctx, const struct expr *e)
{
    struct lint *l = ctx;
    if (e->kind != EXPR_AGGREGATE || !e->u.agg.where)
        return;
    const struct expr *w = e->u.agg.where;
    if ((w->kind != EXPR_AND && w->kind != EXPR_OR) || parenthesized(w))
        return;
    const struct expr *parts[64];
    size_t n = 0;
    chain_parts(w, true, parts, &n, sizeof parts / sizeof parts[0]);
    /* A 'where' that opens with a question is not this mistake: the first part is about the conviction seen. */
    if (n < 2 || question_in(parts[0]))
        return;
    for (size_t i = 1; i < n; i++) {
        const struct expr *q = question_in(parts[i]);
        if (!q)
            continue;
        /* "... and (any conviction where ...)": the writer has said where the inner question ends */
        if (parenthesized(q))
            return;
        const char *inner = question_words(l, q), *outer = question_words(l, e);
        char place[64];
        if (e->loc.line == q->loc.line)
            snprintf(place, sizeof place, "column %d", e->loc.col);
        else
            snprintf(place, sizeof place, "line %d", e->loc.line);
        found(l, &q->loc, where_hint(l, e, parts[i], q),
              "this '%s' is read as part of the 'where' condition of the '%s' before it (%s), not as a separate "
              "question",
              inner, outer, place);
        return;
    }
}

/* ---- conditions that are always true or always false -------------------- */

static bool is_bool(const struct expr *e, bool value)
{
    return e && e->kind == EXPR_BOOL && e->u.boolean == value;
}

/* The rule decides every conviction that reaches it. */
static bool always_decides(const struct rule_decl *r)
{
    return r->is_otherwise || (is_bool(r->when, true) && !r->unless);
}

static bool never_applies(const struct rule_decl *r)
{
    return !r->is_otherwise && (is_bool(r->when, false) || is_bool(r->unless, true));
}

/* ---- one condition implying another ------------------------------------- */

/* The named sets as lookup tables, built when first needed. */
struct set_tables {
    struct citation_set *tables;
    uint8_t *state; /* 0 not built, 1 built, 2 could not be built */
    size_t n;
};

struct implier {
    const struct merged_policy *m;
    struct set_tables *sets;
    long budget; /* steps left: give up (and say nothing) on very large conditions */
};

static const struct citation_set *set_table(struct implier *im, size_t index)
{
    struct set_tables *t = im->sets;
    if (index >= t->n)
        return NULL;
    if (t->state[index] == 0) {
        const struct ptrvec *items = &((const struct set_decl *)im->m->sets.items[index])->items;
        struct citation *all = malloc((items->len ? items->len : 1) * sizeof *all);
        bool ok = all != NULL && items->len <= UINT32_MAX;
        for (size_t i = 0; ok && i < items->len; i++)
            all[i] = *((const struct expr *)items->items[i])->u.citation;
        ok = ok && citation_set_build(&t->tables[index], all, (uint32_t)items->len);
        free(all);
        t->state[index] = ok ? 1 : 2;
    }
    return t->state[index] == 1 ? &t->tables[index] : NULL;
}

static bool same_citation_list(const struct ptrvec *a, const struct ptrvec *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const struct ptrvec *x = pass ? b : a, *y = pass ? a : b;
        for (size_t i = 0; i < x->len; i++) {
            bool in = false;
            for (size_t j = 0; j < y->len && !in; j++)
                in = citation_equal(((const struct expr *)x->items[i])->u.citation,
                                    ((const struct expr *)y->items[j])->u.citation);
            if (!in)
                return false;
        }
    }
    return true;
}

static bool is_named(const struct expr *e)
{
    return e->kind == EXPR_NAME || e->kind == EXPR_CONVICTION_FACT || e->kind == EXPR_PERSON_FACT;
}

/* The two expressions are written alike, so that they have the same value for every conviction. */
static bool same_expr(struct implier *im, const struct expr *a, const struct expr *b)
{
    if (!a || !b)
        return a == b;
    if (--im->budget < 0)
        return false;
    if (is_named(a) && is_named(b))
        return a->ref != REF_NONE && a->ref == b->ref && a->ref_index == b->ref_index;
    if (a->kind != b->kind || a->type != b->type)
        return false;
    switch (a->kind) {
    case EXPR_BOOL:
        return a->u.boolean == b->u.boolean;
    case EXPR_NUMBER:
        return a->u.number == b->u.number;
    case EXPR_TEXT:
        return a->u.text.len == b->u.text.len && memcmp(a->u.text.ptr, b->u.text.ptr, a->u.text.len) == 0;
    case EXPR_DATE:
        return a->u.date == b->u.date;
    case EXPR_DURATION:
        return a->u.duration.months == b->u.duration.months && a->u.duration.days == b->u.duration.days;
    case EXPR_CITATION:
        return citation_equal(a->u.citation, b->u.citation);
    case EXPR_LEVEL:
        return a->u.level == b->u.level;
    case EXPR_QUANTITY:
        return a->u.quantity.amount == b->u.quantity.amount && a->u.quantity.dim == b->u.quantity.dim;
    case EXPR_SET_LITERAL:
        return same_citation_list(&a->u.items, &b->u.items);
    case EXPR_NOT:
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
    case EXPR_AGE_AT:
        return same_expr(im, a->u.operand, b->u.operand);
    case EXPR_COMPARE:
        if (a->u.bin.op != b->u.bin.op)
            return false;
        return same_expr(im, a->u.bin.left, b->u.bin.left) && same_expr(im, a->u.bin.right, b->u.bin.right);
    case EXPR_IN:
        if (a->u.bin.negated != b->u.bin.negated)
            return false;
        return same_expr(im, a->u.bin.left, b->u.bin.left) && same_expr(im, a->u.bin.right, b->u.bin.right);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_ADD:
    case EXPR_SUB:
    case EXPR_YEARS_BETWEEN:
        return same_expr(im, a->u.bin.left, b->u.bin.left) && same_expr(im, a->u.bin.right, b->u.bin.right);
    case EXPR_AGGREGATE:
        if (a->u.agg.op != b->u.agg.op || a->u.agg.other != b->u.agg.other || a->u.agg.scope != b->u.agg.scope)
            return false;
        if ((a->u.agg.value_name == NULL) != (b->u.agg.value_name == NULL) ||
            (a->u.agg.value_name && strcmp(a->u.agg.value_name, b->u.agg.value_name) != 0))
            return false;
        return same_expr(im, a->u.agg.where, b->u.agg.where);
    default:
        return false;
    }
}

/*
 * The citations after 'in': one citation, a list, or a set's name.  false
 * for anything else (a parameter holding a citation can change per run).
 */
static bool citations_of(struct implier *im, const struct expr *e, const struct ptrvec **list,
                          const struct citation **one)
{
    *list = NULL;
    *one = NULL;
    if (e->kind == EXPR_CITATION) {
        *one = e->u.citation;
        return true;
    }
    if (e->kind == EXPR_SET_LITERAL) {
        *list = &e->u.items;
        return true;
    }
    if (e->kind == EXPR_NAME && e->ref == REF_SET && e->ref_index < im->m->sets.len) {
        *list = &((const struct set_decl *)im->m->sets.items[e->ref_index])->items;
        return true;
    }
    return false;
}

static size_t citation_count(const struct ptrvec *list, const struct citation *one)
{
    return list ? list->len : (one ? 1 : 0);
}

static const struct citation *citation_at(const struct ptrvec *list, const struct citation *one, size_t i)
{
    return list ? ((const struct expr *)list->items[i])->u.citation : one;
}

/* Every citation of the first 'in' operand is inside some citation of the second. */
static bool all_inside(struct implier *im, const struct expr *narrow, const struct expr *broad)
{
    const struct ptrvec *nl, *bl;
    const struct citation *n1, *b1;
    if (!citations_of(im, narrow, &nl, &n1) || !citations_of(im, broad, &bl, &b1))
        return false;
    size_t nn = citation_count(nl, n1), nb = citation_count(bl, b1);
    if (broad->kind == EXPR_NAME) {
        /* a named set can be long: look each citation up, as the VM does */
        const struct citation_set *table = set_table(im, broad->ref_index);
        im->budget -= (long)nn;
        if (!table || im->budget < 0)
            return false;
        for (size_t i = 0; i < nn; i++)
            if (!citation_set_contains(table, citation_at(nl, n1, i)))
                return false;
        return true;
    }
    im->budget -= (long)(nn * nb);
    if (im->budget < 0)
        return false;
    for (size_t i = 0; i < nn; i++) {
        bool inside = false;
        for (size_t j = 0; j < nb && !inside; j++)
            inside = citation_covers(citation_at(bl, b1, j), citation_at(nl, n1, i));
        if (!inside)
            return false;
    }
    return true;
}

/*
 * false_whenever(a, b): whenever b is false, a is false too (three-valued:
 * "unknown" is not false, so an unknown b proves nothing).  Only what the
 * text shows for certain; false when unsure.
 */
static bool false_whenever(struct implier *im, const struct expr *a, const struct expr *b)
{
    if (--im->budget < 0)
        return false;
    if (is_bool(a, false) || same_expr(im, a, b))
        return true;
    /* a = x and y is false as soon as one side is */
    if (a->kind == EXPR_AND &&
        (false_whenever(im, a->u.bin.left, b) || false_whenever(im, a->u.bin.right, b)))
        return true;
    /* a = x or y is false only when both are */
    if (a->kind == EXPR_OR && false_whenever(im, a->u.bin.left, b) && false_whenever(im, a->u.bin.right, b))
        return true;
    /* b = x or y false: both sides are false */
    if (b->kind == EXPR_OR && (false_whenever(im, a, b->u.bin.left) || false_whenever(im, a, b->u.bin.right)))
        return true;
    /* b = x and y false: one side is, which one is not known */
    if (b->kind == EXPR_AND && false_whenever(im, a, b->u.bin.left) && false_whenever(im, a, b->u.bin.right))
        return true;
    if (b->kind != EXPR_IN || (a->kind != EXPR_IN && a->kind != EXPR_COMPARE) ||
        !same_expr(im, a->u.bin.left, b->u.bin.left))
        return false;
    /* b: "C in S" false means C is known and under no entry of S */
    if (!b->u.bin.negated) {
        /* a: "C in T", every entry of T inside an entry of S */
        if (a->kind == EXPR_IN && !a->u.bin.negated)
            return all_inside(im, a->u.bin.right, b->u.bin.right);
        /* a: "C is X", X inside an entry of S */
        if (a->kind == EXPR_COMPARE && a->u.bin.op == CMP_IS && a->u.bin.right->kind == EXPR_CITATION)
            return all_inside(im, a->u.bin.right, b->u.bin.right);
        return false;
    }
    /* b: "C not in S" false means C is under an entry of S; a: "C not in T", every entry of S inside one of T */
    if (a->kind == EXPR_IN && a->u.bin.negated)
        return all_inside(im, b->u.bin.right, a->u.bin.right);
    return false;
}

/* ---- rules that never apply, or never decide ---------------------------- */

static void lint_rules(struct lint *l, const struct merged_policy *m)
{
    long budget = 20000000; /* steps of comparison for the whole policy */
    long *work = &budget;
    struct set_tables sets = {arena_alloc(l->arena, (m->sets.len + 1) * sizeof *sets.tables),
                              arena_alloc(l->arena, m->sets.len + 1), m->sets.len};
    /*
     * Which earlier rules can shadow a later one, worked out once: with thousands
     * of rules, asking again for every pair made linting quadratic.
     */
    size_t n = m->rules.len;
    bool *can_shadow = arena_alloc(l->arena, n + 1);
    size_t first_always = n; /* the first rule whose condition is always true */
    for (size_t i = 0; i < n; i++) {
        const struct rule_decl *first = m->rules.items[i];
        can_shadow[i] = !first->is_otherwise && !first->unless && !never_applies(first);
        if (can_shadow[i] && first_always == n && always_decides(first))
            first_always = i;
    }
    for (size_t j = 0; j < m->rules.len; j++) {
        const struct rule_decl *r = m->rules.items[j];
        if (never_applies(r)) {
            if (!in_main(m, &r->loc))
                continue;
            char hint[512];
            if (is_bool(r->when, false)) {
                snprintf(hint, sizeof hint, "as written, no conviction can meet it, so rule '%s' decides nothing: "
                         "correct the condition, or remove the rule", r->name);
                found(l, &r->when->loc, hint, "rule '%s' never applies: this condition is always false", r->name);
            } else {
                snprintf(hint, sizeof hint, "as written, every conviction meets the exception, so rule '%s' decides "
                         "nothing: correct the condition after 'unless', or remove the rule", r->name);
                found(l, &r->unless->loc, hint,
                      "rule '%s' never applies: this condition after 'unless' is always true", r->name);
            }
            continue;
        }
        /*
         * Only a rule of this file: a rule this file adds before an inherited
         * one, and decides what the inherited one would have, is how a county
         * says it does more than the state, not a mistake.
         */
        if (!in_main(m, &r->loc))
            continue;
        /* past the first always-true rule, or out of budget, only that rule is worth naming */
        size_t last = j;
        if (first_always < j && (r->is_otherwise || *work <= 0))
            last = first_always + 1;
        else if (r->is_otherwise || *work <= 0)
            last = 0;
        for (size_t i = 0; i < last; i++) {
            const struct rule_decl *first = m->rules.items[i];
            if (!can_shadow[i])
                continue;
            const char *what = r->is_otherwise ? "the 'otherwise' rule" : NULL;
            char name[256], hint[768];
            if (!what) {
                snprintf(name, sizeof name, "rule '%s'", r->name);
                what = name;
            }
            if (i == first_always) {
                snprintf(hint, sizeof hint, "give rule '%s' a condition that can be false, or remove %s",
                         first->name, what);
                found(l, &r->loc, hint,
                      "%s can never decide: rule '%s' (%s) comes first and its condition is always true, so it "
                      "decides every conviction",
                      what, first->name, line_words(l, &first->loc, &r->loc));
                break;
            }
            if (r->is_otherwise)
                continue;
            if (*work <= 0)
                continue; /* a huge policy: say nothing rather than take long */
            struct implier im = {m, &sets, 4000};
            bool shadowed = false_whenever(&im, r->when, first->when);
            *work -= 4000 - (im.budget > 0 ? im.budget : 0);
            if (shadowed) {
                snprintf(hint, sizeof hint,
                         "if '%s' is an exception to '%s', try it first: move it above '%s' (or write: rule %s before "
                         "%s); if not, remove it",
                         r->name, first->name, first->name, r->name, first->name);
                found(l, &r->loc, hint,
                      "rule '%s' can never decide: rule '%s' (%s) comes first and decides every conviction this "
                      "rule could apply to",
                      r->name, first->name, line_words(l, &first->loc, &r->loc));
                break;
            }
        }
    }
    for (size_t i = 0; i < sets.n; i++)
        if (sets.state[i] == 1)
            citation_set_free(&sets.tables[i]);
}

/* ---- a policy without 'otherwise' --------------------------------------- */

static void lint_otherwise(struct lint *l, const struct merged_policy *m, const struct check_result *checked)
{
    for (size_t i = 0; i < m->rules.len; i++)
        if (always_decides(m->rules.items[i]))
            return; /* a written otherwise, or a rule that leaves nothing for one */
    if (checked->review_outcome < 0 || (size_t)checked->review_outcome >= m->outcomes.len)
        return;
    const char *review = ((const struct outcome_decl *)m->outcomes.items[checked->review_outcome])->name;
    char hint[512];
    snprintf(hint, sizeof hint,
             "say what happens to the rest yourself, as the last rule, e.g. otherwise %s because \"No rule of this "
             "policy applies; review by hand.\" citing %s",
             review, m->header.authority ? m->header.authority->text : "HS 11361.8");
    found(l, &m->header.loc, hint,
          "the policy writes no 'otherwise' rule: a conviction that no rule decides gets the built-in one, which "
          "gives the review outcome '%s'",
          review);
}

/* ---- the two calls ------------------------------------------------------ */

void lint_begin(struct lint *l, const struct merged_policy *m, const struct check_result *checked,
                struct arena *arena)
{
    memset(l, 0, sizeof *l);
    l->arena = arena;
    lint_sets(l, m);
    lint_unused(l, m, checked);
    each_rule_subexpr(m, true, lint_where_reach, l);
}

/* Every finding is in the file compiled: they are printed in its order. */
static int finding_order(const void *pa, const void *pb)
{
    const struct lint_finding *a = *(const struct lint_finding *const *)pa;
    const struct lint_finding *b = *(const struct lint_finding *const *)pb;
    if (a->loc.line != b->loc.line)
        return a->loc.line - b->loc.line;
    if (a->loc.col != b->loc.col)
        return a->loc.col - b->loc.col;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

bool lint_end(struct lint *l, const struct merged_policy *m, const struct check_result *checked, struct diag *diag)
{
    lint_rules(l, m);
    lint_otherwise(l, m, checked);
    if (l->findings.len > 1)
        qsort(l->findings.items, l->findings.len, sizeof *l->findings.items, finding_order);
    int before = diag->errors;
    for (size_t i = 0; i < l->findings.len; i++) {
        const struct lint_finding *f = l->findings.items[i];
        diag_report(diag, DIAG_WARNING, &f->loc, f->hint, "%s", f->message);
    }
    l->findings.len = 0;
    return diag->errors == before;
}
