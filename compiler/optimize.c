/* optimize.c - constant folding, citation-set pruning, the facts a column checks first; see optimize.h. */
#include "optimize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

static bool is_literal(const struct expr *e)
{
    return e->kind == EXPR_BOOL || e->kind == EXPR_NUMBER || e->kind == EXPR_DATE || e->kind == EXPR_DURATION;
}

static void make_bool(struct expr *e, bool v)
{
    e->kind = EXPR_BOOL;
    e->type = TYPE_BOOL;
    e->u.boolean = v;
}

static int compare_literals(const struct expr *l, const struct expr *r)
{
    switch (l->kind) {
    case EXPR_NUMBER:
        return (l->u.number > r->u.number) - (l->u.number < r->u.number);
    case EXPR_DATE:
        return (l->u.date > r->u.date) - (l->u.date < r->u.date);
    case EXPR_DURATION:
        return duration_compare(l->u.duration, r->u.duration);
    case EXPR_BOOL:
        return (int)l->u.boolean - (int)r->u.boolean;
    default:
        return 2; /* not folded */
    }
}

static void fold(struct expr *e, enum date_month_end month_end)
{
    switch (e->kind) {
    case EXPR_NOT:
        fold(e->u.operand, month_end);
        if (e->u.operand->kind == EXPR_BOOL)
            make_bool(e, !e->u.operand->u.boolean);
        break;
    case EXPR_AND:
    case EXPR_OR: {
        struct expr *l = e->u.bin.left, *r = e->u.bin.right;
        fold(l, month_end);
        fold(r, month_end);
        bool absorbing = e->kind == EXPR_OR; /* true absorbs 'or', false absorbs 'and', even against unknown */
        if ((l->kind == EXPR_BOOL && l->u.boolean == absorbing) || (r->kind == EXPR_BOOL && r->u.boolean == absorbing))
            make_bool(e, absorbing);
        else if (l->kind == EXPR_BOOL)
            *e = *r;
        else if (r->kind == EXPR_BOOL)
            *e = *l;
        break;
    }
    case EXPR_COMPARE: {
        struct expr *l = e->u.bin.left, *r = e->u.bin.right;
        fold(l, month_end);
        fold(r, month_end);
        if (!is_literal(l) || !is_literal(r) || l->kind != r->kind)
            break;
        int c = compare_literals(l, r);
        if (c == 2)
            break;
        bool v = false;
        switch (e->u.bin.op) {
        case CMP_IS: v = c == 0; break;
        case CMP_IS_NOT: v = c != 0; break;
        case CMP_BEFORE: case CMP_LESS: v = c < 0; break;
        case CMP_AFTER: case CMP_MORE: v = c > 0; break;
        case CMP_ON_OR_BEFORE: case CMP_AT_MOST: v = c <= 0; break;
        case CMP_ON_OR_AFTER: case CMP_AT_LEAST: v = c >= 0; break;
        case CMP_STARTS_WITH: case CMP_CONTAINS: return; /* text is never a folded literal here */
        }
        make_bool(e, v);
        break;
    }
    case EXPR_ADD:
    case EXPR_SUB: {
        struct expr *l = e->u.bin.left, *r = e->u.bin.right;
        fold(l, month_end);
        fold(r, month_end);
        if (l->kind == EXPR_NUMBER && r->kind == EXPR_NUMBER) {
            int64_t v = e->kind == EXPR_ADD ? l->u.number + r->u.number : l->u.number - r->u.number;
            e->kind = EXPR_NUMBER;
            e->u.number = v;
        } else if (l->kind == EXPR_DATE && r->kind == EXPR_DURATION) {
            int32_t d = e->kind == EXPR_ADD ? date_add(l->u.date, r->u.duration, month_end)
                                            : date_sub(l->u.date, r->u.duration, month_end);
            e->kind = EXPR_DATE;
            e->u.date = d;
        }
        break;
    }
    case EXPR_IN:
    case EXPR_YEARS_BETWEEN:
        fold(e->u.bin.left, month_end);
        fold(e->u.bin.right, month_end);
        if (e->kind == EXPR_YEARS_BETWEEN && e->u.bin.left->kind == EXPR_DATE && e->u.bin.right->kind == EXPR_DATE) {
            int32_t y = date_years_between(e->u.bin.left->u.date, e->u.bin.right->u.date, month_end);
            e->kind = EXPR_NUMBER;
            e->u.number = y;
        }
        break;
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
    case EXPR_AGE_AT:
        fold(e->u.operand, month_end);
        if (e->kind != EXPR_AGE_AT && is_literal(e->u.operand))
            make_bool(e, e->kind == EXPR_IS_KNOWN);
        break;
    case EXPR_AGGREGATE:
        if (e->u.agg.where)
            fold(e->u.agg.where, month_end);
        break;
    default:
        break;
    }
}

/*
 * Entries that a broader entry of the same set covers add nothing to
 * membership, nor does an entry listed twice (the first copy stays).  The
 * entries go into a citation-set table first, so each one is checked by
 * looking up its ancestors, a few probes, instead of against every other
 * entry: a set of 5,000 entries is 5,000 lookups, not 25 million pairs.
 * Without memory for the table the set is left as written, which matches the
 * same convictions.
 */
static void prune_set(struct ptrvec *items)
{
    size_t n = items->len;
    if (n < 2 || n > UINT32_MAX)
        return;
    struct citation *all = malloc(n * sizeof *all);
    bool *kept_one = calloc(n, sizeof *kept_one); /* by entry of the table: a copy of it was kept */
    struct citation_set table;
    bool built = all && kept_one;
    if (built) {
        for (size_t i = 0; i < n; i++)
            all[i] = *((struct expr *)items->items[i])->u.citation;
        built = citation_set_build(&table, all, (uint32_t)n);
    }
    if (built) {
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            const struct citation *c = &all[i];
            bool covered = false;
            if (c->depth > 1) {
                struct citation parent = *c; /* its ancestors are its parent and the parent's */
                parent.depth--;
                parent.len = c->ends[parent.depth - 1];
                parent.text[parent.len] = '\0';
                covered = citation_set_contains(&table, &parent);
            }
            if (!covered) {
                /* no ancestor listed, so the closest entry covering c is c itself */
                int64_t self = citation_set_find(&table, c);
                if (self >= 0) {
                    covered = kept_one[self];
                    kept_one[self] = true;
                }
            }
            if (!covered)
                items->items[kept++] = items->items[i];
        }
        items->len = kept;
        citation_set_free(&table);
    }
    free(all);
    free(kept_one);
}

static void prune_literals(struct expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case EXPR_SET_LITERAL:
        prune_set(&e->u.items);
        break;
    case EXPR_NOT: case EXPR_IS_KNOWN: case EXPR_IS_UNKNOWN: case EXPR_AGE_AT:
        prune_literals(e->u.operand);
        break;
    case EXPR_AND: case EXPR_OR: case EXPR_COMPARE: case EXPR_IN: case EXPR_ADD: case EXPR_SUB:
    case EXPR_YEARS_BETWEEN:
        prune_literals(e->u.bin.left);
        prune_literals(e->u.bin.right);
        break;
    case EXPR_AGGREGATE:
        prune_literals(e->u.agg.where);
        break;
    default:
        break;
    }
}

/* The fact of the conviction in view that e is, as a bit; 0 when e is anything else. */
static uint32_t fact_bit(const struct expr *e)
{
    bool fact = (e->kind == EXPR_NAME || e->kind == EXPR_CONVICTION_FACT) && e->ref == REF_FACT_DECIDED;
    return fact && e->ref_index < 32 ? (uint32_t)1 << e->ref_index : 0;
}

/*
 * The facts of the conviction in view that must be known for e to be true:
 * a comparison or `in` with an unknown side is unknown (spec section 11), an
 * `and` is true only when both sides are, an `or` when either is.  Anything
 * else (a `not`, `is known`, an aggregate) claims nothing.
 */
static uint32_t needed_for_true(const struct expr *e, unsigned *tests)
{
    switch (e->kind) {
    case EXPR_AND:
        return needed_for_true(e->u.bin.left, tests) | needed_for_true(e->u.bin.right, tests);
    case EXPR_OR:
        return needed_for_true(e->u.bin.left, tests) & needed_for_true(e->u.bin.right, tests);
    case EXPR_COMPARE:
    case EXPR_IN:
        (*tests)++;
        return fact_bit(e->u.bin.left) | fact_bit(e->u.bin.right);
    default:
        return 0;
    }
}

/*
 * A column's `when` takes its arm only on a known true, so when a fact its
 * condition needs is unknown the arm can be passed over without working the
 * condition out.  Worth it for a condition of several tests on a column of
 * every row, most of whose rows lack the fact (Los Angeles's "Possible Other
 * P64 Charges" reads a comment most rows do not have); a test of one or two
 * comparisons costs no more than the check would.
 */
#define KNOWN_FIRST_MIN_TESTS 3
static void mark_known_first(struct column_decl *col)
{
    for (size_t k = 0; k < col->arms.len; k++) {
        struct column_arm *arm = col->arms.items[k];
        unsigned tests = 0;
        uint32_t needed = arm->cond ? needed_for_true(arm->cond, &tests) : 0;
        arm->known_first = tests >= KNOWN_FIRST_MIN_TESTS ? needed : 0;
    }
}

void optimize_policy(struct merged_policy *m)
{
    enum date_month_end month_end = (enum date_month_end)m->header.month_end;
    for (size_t i = 0; i < m->sets.len; i++)
        prune_set(&((struct set_decl *)m->sets.items[i])->items);
    for (size_t i = 0; i < m->rules.len; i++) {
        struct rule_decl *r = m->rules.items[i];
        if (r->when) {
            fold(r->when, month_end);
            prune_literals(r->when);
        }
        if (r->unless) {
            fold(r->unless, month_end);
            prune_literals(r->unless);
            /* "unless false" is no exception at all */
            if (r->unless->kind == EXPR_BOOL && !r->unless->u.boolean)
                r->unless = NULL;
        }
    }
    for (size_t i = 0; i < m->columns.len; i++)
        mark_known_first(m->columns.items[i]);
}
