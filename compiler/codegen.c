/* codegen.c - emits the program for a checked policy; see codegen.h. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "person.h"

struct function_buf {
    struct insn *code;
    uint32_t *lines;
    uint32_t *notes;
    uint32_t len, cap;
    uint8_t kind;
};

/* Grows *items to hold at least need elements of size bytes. */
static bool grow(void **items, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return true;
    uint32_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*items, n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

struct cg {
    const struct merged_policy *m;
    struct program *p;
    bool oom;
    uint32_t strings_cap, citations_cap, consts_cap, sets_cap, functions_cap, actions_cap;
    uint32_t *const_ref;        /* TEXT/CITATION constants: index into strings/citations until fixup */
    uint32_t *const_slots;      /* hash table of the constants: index + 1, 0 = empty; at most half full */
    uint32_t const_mask;        /* slots - 1 */
    struct function_buf *fns;
    uint32_t nfns;
    uint32_t current;           /* function being emitted */
    bool in_when;               /* emitting a column's `when`, through its `and`s and `or`s only */
};

static uint32_t add_string(struct cg *g, const char *s)
{
    if (!s)
        return PROGRAM_NO_STRING;
    struct program *p = g->p;
    for (uint32_t i = p->nstrings; i > 0 && i + 64 > p->nstrings; i--)
        if (strcmp(p->strings[i - 1].ptr, s) == 0)
            return i - 1;
    if (!grow((void **)&p->strings, &g->strings_cap, p->nstrings + 1, sizeof *p->strings)) {
        g->oom = true;
        return 0;
    }
    char *copy = strdup(s);
    if (!copy) {
        g->oom = true;
        return 0;
    }
    p->strings[p->nstrings].ptr = copy;
    p->strings[p->nstrings].len = (uint32_t)strlen(s);
    return p->nstrings++;
}

static uint32_t add_citation(struct cg *g, const struct citation *c)
{
    struct program *p = g->p;
    if (!grow((void **)&p->citations, &g->citations_cap, p->ncitations + 1, sizeof *p->citations)) {
        g->oom = true;
        return 0;
    }
    p->citations[p->ncitations] = *c;
    return p->ncitations++;
}

/* A literal as a program value; TEXT and CITATION carry their table index in *ref. */
static struct value literal_value(struct cg *g, const struct expr *e, uint32_t *ref)
{
    struct value v;
    memset(&v, 0, sizeof v);
    v.fact = FACT_NONE;
    *ref = 0;
    switch (e->kind) {
    case EXPR_BOOL:
        v.type = TYPE_BOOL;
        v.as.number = e->u.boolean;
        break;
    case EXPR_NUMBER:
        v.type = TYPE_NUMBER;
        v.as.number = e->u.number;
        break;
    case EXPR_TEXT:
        v.type = TYPE_TEXT;
        *ref = add_string(g, e->u.text.ptr);
        break;
    case EXPR_DATE:
        v.type = TYPE_DATE;
        v.as.date = e->u.date;
        break;
    case EXPR_DURATION:
        v.type = TYPE_DURATION;
        v.as.duration = e->u.duration;
        break;
    case EXPR_CITATION:
        v.type = TYPE_CITATION;
        *ref = add_citation(g, e->u.citation);
        break;
    case EXPR_LEVEL:
        v.type = TYPE_LEVEL;
        v.as.number = e->u.level;
        break;
    case EXPR_QUANTITY:
        v.type = TYPE_QUANTITY;
        v.as.quantity = e->u.quantity;
        break;
    default:
        break;
    }
    return v;
}

/* The same literal written twice in a policy is one constant. */
static bool same_const(const struct program *p, uint32_t i, const struct value *v, uint32_t ref, const uint32_t *refs)
{
    const struct value *c = &p->consts[i];
    if (c->type != v->type)
        return false;
    switch (v->type) {
    case TYPE_DATE:
        return c->as.date == v->as.date;
    case TYPE_DURATION:
        return c->as.duration.months == v->as.duration.months && c->as.duration.days == v->as.duration.days;
    case TYPE_QUANTITY:
        return c->as.quantity.amount == v->as.quantity.amount && c->as.quantity.dim == v->as.quantity.dim;
    case TYPE_TEXT:
        return strcmp(p->strings[refs[i]].ptr, p->strings[ref].ptr) == 0;
    case TYPE_CITATION:
        return citation_equal(&p->citations[refs[i]], &p->citations[ref]) &&
               p->citations[refs[i]].flags == p->citations[ref].flags;
    default:
        return c->as.number == v->as.number;
    }
}

/* A hash of what same_const compares, so equal constants meet in one chain of the table. */
static uint64_t const_hash(const struct program *p, const struct value *v, uint32_t ref)
{
    uint64_t h;
    switch (v->type) {
    case TYPE_DATE:
        h = (uint64_t)(uint32_t)v->as.date;
        break;
    case TYPE_DURATION:
        h = (uint64_t)(uint32_t)v->as.duration.months << 32 ^ (uint32_t)v->as.duration.days;
        break;
    case TYPE_QUANTITY:
        h = (uint64_t)v->as.quantity.amount * 31u + v->as.quantity.dim;
        break;
    case TYPE_TEXT:
        h = citation_hash_bytes(p->strings[ref].ptr, p->strings[ref].len);
        break;
    case TYPE_CITATION:
        h = citation_hash_bytes(p->citations[ref].text, p->citations[ref].len) ^ p->citations[ref].flags;
        break;
    default:
        h = (uint64_t)v->as.number;
        break;
    }
    h ^= (uint64_t)v->type << 56;
    h *= 0x9e3779b97f4a7c15u; /* spreads small numbers and dates over the low bits the table uses */
    return h ^ h >> 32;
}

/* The slot holding a constant equal to v, or the empty slot where it would go. */
static uint32_t *const_slot(struct cg *g, const struct value *v, uint32_t ref)
{
    uint32_t i = (uint32_t)const_hash(g->p, v, ref) & g->const_mask;
    while (g->const_slots[i] != 0 && !same_const(g->p, g->const_slots[i] - 1, v, ref, g->const_ref))
        i = (i + 1) & g->const_mask;
    return &g->const_slots[i];
}

/* Keeps the table at most half full; false when out of memory. */
static bool grow_const_slots(struct cg *g, uint32_t need)
{
    if (g->const_slots && 2 * (uint64_t)need <= (uint64_t)g->const_mask + 1)
        return true;
    uint64_t slots = g->const_slots ? ((uint64_t)g->const_mask + 1) * 2 : 1024;
    while (slots < 2 * (uint64_t)need)
        slots *= 2;
    if (slots > UINT32_MAX)
        return false;
    uint32_t *fresh = calloc((size_t)slots, sizeof *fresh);
    if (!fresh)
        return false;
    free(g->const_slots);
    g->const_slots = fresh;
    g->const_mask = (uint32_t)(slots - 1);
    for (uint32_t i = 0; i < g->p->nconsts; i++)
        *const_slot(g, &g->p->consts[i], g->const_ref[i]) = i + 1;
    return true;
}

/* The same literal written twice in a policy is one constant, found through a hash table of the pool. */
static uint32_t add_const(struct cg *g, const struct expr *e)
{
    struct program *p = g->p;
    uint32_t ref;
    struct value v = literal_value(g, e, &ref);
    if (g->oom || !grow_const_slots(g, p->nconsts + 1)) {
        g->oom = true;
        return 0;
    }
    uint32_t *slot = const_slot(g, &v, ref);
    if (*slot != 0) {
        if (v.type == TYPE_CITATION)
            p->ncitations--; /* the copy literal_value just added is not needed */
        return *slot - 1;
    }
    uint32_t cap = g->consts_cap;
    if (!grow((void **)&p->consts, &g->consts_cap, p->nconsts + 1, sizeof *p->consts) ||
        !grow((void **)&g->const_ref, &cap, p->nconsts + 1, sizeof *g->const_ref)) {
        g->oom = true;
        return 0;
    }
    p->consts[p->nconsts] = v;
    g->const_ref[p->nconsts] = ref;
    *slot = p->nconsts + 1;
    return p->nconsts++;
}

static uint32_t add_set(struct cg *g, const char *name, const struct ptrvec *items)
{
    struct program *p = g->p;
    if (!grow((void **)&p->sets, &g->sets_cap, p->nsets + 1, sizeof *p->sets)) {
        g->oom = true;
        return 0;
    }
    struct citation *list = calloc(items->len ? items->len : 1, sizeof *list);
    if (!list) {
        g->oom = true;
        return 0;
    }
    for (size_t i = 0; i < items->len; i++)
        list[i] = *((const struct expr *)items->items[i])->u.citation;
    struct program_set *s = &p->sets[p->nsets];
    memset(s, 0, sizeof *s);
    s->name = add_string(g, name);
    if (!citation_set_build(&s->table, list, (uint32_t)items->len))
        g->oom = true;
    free(list);
    return p->nsets++;
}

static uint32_t new_function(struct cg *g, uint8_t kind)
{
    uint32_t cap = g->functions_cap;
    if (!grow((void **)&g->fns, &cap, g->nfns + 1, sizeof *g->fns)) {
        g->oom = true;
        return 0;
    }
    g->functions_cap = cap;
    memset(&g->fns[g->nfns], 0, sizeof g->fns[g->nfns]);
    g->fns[g->nfns].kind = kind;
    return g->nfns++;
}

static uint32_t emit(struct cg *g, enum opcode op, uint8_t a, uint16_t b, uint32_t c, const struct loc *loc)
{
    struct function_buf *f = &g->fns[g->current];
    uint32_t cap = f->cap, cap2 = f->cap;
    if (!grow((void **)&f->code, &cap, f->len + 1, sizeof *f->code) ||
        !grow((void **)&f->notes, &cap2, f->len + 1, sizeof *f->notes) ||
        !grow((void **)&f->lines, &f->cap, f->len + 1, sizeof *f->lines)) {
        g->oom = true;
        return 0;
    }
    f->notes[f->len] = PROGRAM_NO_STRING;
    f->code[f->len] = (struct insn){(uint8_t)op, a, b, c};
    f->lines[f->len] = loc ? (uint32_t)loc->line : 0;
    return f->len++;
}

static void gen_expr(struct cg *g, const struct expr *e);

/* The source text an expression was written as (its first line, when it spans several). */
static void source_text(const struct expr *e, char *buf, size_t size)
{
    size_t len;
    const char *line = source_line(e->loc.src, e->loc.line, &len);
    size_t from = e->loc.col > 0 ? (size_t)e->loc.col - 1 : 0;
    size_t to = e->loc.end_line == e->loc.line && e->loc.end_col > 0 ? (size_t)e->loc.end_col - 1 : len;
    if (from > len)
        from = len;
    if (to > len || to < from)
        to = len;
    snprintf(buf, size, "%.*s%s", (int)(to - from), line + from, e->loc.end_line != e->loc.line ? " ..." : "");
}

/*
 * lenity explain prints each test a rule makes with the values it saw:
 * the test's instruction in the rules' function gets a note with the
 * source text of its two sides and the words between them.
 */
static void note(struct cg *g, uint32_t insn, const struct expr *left, const char *words, const struct expr *right)
{
    if (g->current != 0 || !left || !left->loc.src)
        return;
    char l[200], r[200], text[512];
    source_text(left, l, sizeof l);
    if (right && right->loc.src)
        source_text(right, r, sizeof r);
    else
        r[0] = '\0';
    snprintf(text, sizeof text, "%s\001%s\001%s", l, words, r);
    g->fns[0].notes[insn] = add_string(g, text);
}
static void gen_join(struct cg *g, const struct expr *e);

/* Dated parameters: each period's value a constant, the periods in parameter order. */
static void gen_periods(struct cg *g)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    size_t total = 0;
    for (size_t i = 0; i < m->params.len; i++)
        total += ((struct param_decl *)m->params.items[i])->periods.len;
    if (total == 0)
        return;
    p->periods = calloc(total, sizeof *p->periods);
    if (!p->periods) {
        g->oom = true;
        return;
    }
    for (size_t i = 0; i < m->params.len; i++) {
        const struct param_decl *d = m->params.items[i];
        if (d->periods.len)
            p->params[i].first_period = p->nperiods;
        for (size_t k = 0; k < d->periods.len; k++) {
            const struct param_period *per = d->periods.items[k];
            struct program_period *pp = &p->periods[p->nperiods++];
            pp->param = (uint32_t)i;
            pp->from = per->has_from ? per->from : INT32_MIN;
            pp->until = per->has_until ? per->until : INT32_MAX;
            pp->value = add_const(g, per->value);
            p->params[i].nperiods++;
        }
    }
}

/* Tables: keys in the order written (the checker refused repeats), values as constants. */
static void gen_tables(struct cg *g)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    if (m->tables.len == 0)
        return;
    p->tables = calloc(m->tables.len, sizeof *p->tables);
    if (!p->tables) {
        g->oom = true;
        return;
    }
    for (size_t i = 0; i < m->tables.len && !g->oom; i++) {
        const struct table_decl *t = m->tables.items[i];
        struct program_table *pt = &p->tables[i];
        p->ntables = (uint32_t)(i + 1);
        pt->name = add_string(g, t->name);
        pt->type = t->type;
        size_t n = t->keys.len;
        struct citation *keys = calloc(n ? n : 1, sizeof *keys);
        pt->values = calloc(n ? n : 1, sizeof *pt->values);
        if (!keys || !pt->values) {
            free(keys);
            g->oom = true;
            return;
        }
        for (size_t k = 0; k < n; k++) {
            keys[k] = *((const struct expr *)t->keys.items[k])->u.citation;
            pt->values[k] = add_const(g, t->values.items[k]);
        }
        if (!citation_set_build(&pt->keys, keys, (uint32_t)n))
            g->oom = true;
        free(keys);
    }
}

/* An aggregate's or a join's `where`, or true when it has none. */
static void gen_where(struct cg *g, const struct expr *e)
{
    if (e->u.agg.where) {
        gen_expr(g, e->u.agg.where);
    } else {
        struct expr yes = {.kind = EXPR_BOOL, .loc = e->loc};
        yes.u.boolean = true;
        emit(g, OP_CONST, 0, 0, add_const(g, &yes), &e->loc);
    }
}

/* negate: emit the opposite of the aggregate's value (used for `unless`, where "no" then needs no NOT at all). */
static void gen_aggregate(struct cg *g, const struct expr *e, bool negate)
{
    bool dated = e->u.agg.op == AGG_OP_LATEST || e->u.agg.op == AGG_OP_EARLIEST;
    uint32_t fn = new_function(g, dated ? FUNCTION_DATE_OF : FUNCTION_CONDITION);
    if (g->oom)
        return;
    uint32_t caller = g->current;
    g->current = fn;
    gen_where(g, e);
    /* "every ... where C" runs as "not any ... where not C", which keeps three-valued logic */
    if (e->u.agg.op == AGG_OP_EVERY)
        emit(g, OP_NOT, 0, 0, 0, &e->loc);
    if (dated)
        emit(g, OP_EACH_FACT, 0, 0, e->ref_index, &e->u.agg.value_loc);
    emit(g, OP_RETURN, 0, 0, 0, &e->loc);
    g->current = caller;
    uint8_t flags = (uint8_t)((e->u.agg.other ? AGG_SKIP_DECIDED : 0) | e->u.agg.scope);
    static const enum opcode ops[] = {[AGG_OP_ANY] = OP_ANY, [AGG_OP_NO] = OP_ANY, [AGG_OP_EVERY] = OP_ANY,
                                      [AGG_OP_COUNT] = OP_COUNT,
                                      [AGG_OP_LATEST] = OP_LATEST, [AGG_OP_EARLIEST] = OP_EARLIEST};
    uint32_t at = emit(g, ops[e->u.agg.op], flags, 0, fn, &e->loc);
    if (e->u.agg.op != AGG_OP_NO && e->u.agg.op != AGG_OP_EVERY) /* these run as "any", the opposite answer */
        note(g, at, e, "", NULL);
    if ((e->u.agg.op == AGG_OP_NO || e->u.agg.op == AGG_OP_EVERY) != negate)
        emit(g, OP_NOT, 0, 0, 0, &e->loc);
}

/* joined "sep" [distinct] FACT of convictions ...: the separator, then a text-of function per item. */
static void gen_join(struct cg *g, const struct expr *e)
{
    struct expr sep = {.kind = EXPR_TEXT, .loc = e->loc};
    sep.u.text.ptr = e->u.agg.separator;
    sep.u.text.len = (uint32_t)strlen(e->u.agg.separator);
    emit(g, OP_CONST, 0, 0, add_const(g, &sep), &e->loc);
    uint32_t fn = new_function(g, FUNCTION_TEXT_OF);
    if (g->oom)
        return;
    uint32_t caller = g->current;
    g->current = fn;
    gen_where(g, e);
    emit(g, OP_EACH_FACT, 0, 0, e->ref_index, &e->u.agg.value_loc);
    emit(g, OP_RETURN, 0, 0, 0, &e->loc);
    g->current = caller;
    uint8_t flags = (uint8_t)(e->u.agg.scope | (e->u.agg.distinct ? AGG_DISTINCT : 0));
    emit(g, OP_JOIN, flags, 0, fn, &e->loc);
}

static void gen_compare(struct cg *g, const struct expr *e)
{
    static const enum opcode ops[] = {
        [CMP_IS] = OP_EQ,           [CMP_IS_NOT] = OP_NE,        [CMP_BEFORE] = OP_LT, [CMP_AFTER] = OP_GT,
        [CMP_ON_OR_BEFORE] = OP_LE, [CMP_ON_OR_AFTER] = OP_GE,   [CMP_LESS] = OP_LT,   [CMP_MORE] = OP_GT,
        [CMP_AT_LEAST] = OP_GE,     [CMP_AT_MOST] = OP_LE,       [CMP_STARTS_WITH] = OP_STARTS_WITH,
        [CMP_CONTAINS] = OP_CONTAINS,
    };
    if (e->u.bin.left->type == TYPE_OUTCOME) {
        emit(g, OP_OUTCOME_IS, 0, 0, e->u.bin.right->ref_index, &e->loc);
        if (e->u.bin.op == CMP_IS_NOT)
            emit(g, OP_NOT, 0, 0, 0, &e->loc);
        return;
    }
    static const char *const words[] = {
        [CMP_IS] = "is", [CMP_IS_NOT] = "is not", [CMP_BEFORE] = "is before", [CMP_AFTER] = "is after",
        [CMP_ON_OR_BEFORE] = "is on or before", [CMP_ON_OR_AFTER] = "is on or after", [CMP_LESS] = "is less than",
        [CMP_MORE] = "is more than", [CMP_AT_LEAST] = "is at least", [CMP_AT_MOST] = "is at most",
        [CMP_STARTS_WITH] = "starts with", [CMP_CONTAINS] = "contains",
    };
    gen_expr(g, e->u.bin.left);
    gen_expr(g, e->u.bin.right);
    bool typed = e->u.bin.op != CMP_STARTS_WITH && e->u.bin.op != CMP_CONTAINS;
    uint32_t at = emit(g, ops[e->u.bin.op], typed ? e->u.bin.left->type : 0, 0, 0, &e->loc);
    note(g, at, e->u.bin.left, words[e->u.bin.op], e->u.bin.right);
}

static void gen_in(struct cg *g, const struct expr *e)
{
    const struct expr *right = e->u.bin.right;
    gen_expr(g, e->u.bin.left);
    if (right->kind == EXPR_NAME && right->ref == REF_SET) {
        note(g, emit(g, OP_IN_SET, 0, 0, right->ref_index, &e->loc), e->u.bin.left, "in", right);
    } else if (right->kind == EXPR_SET_LITERAL) {
        char name[96];
        size_t used = (size_t)snprintf(name, sizeof name, "{");
        for (size_t i = 0; i < right->u.items.len && used < sizeof name; i++)
            used += (size_t)snprintf(name + used, sizeof name - used, "%s%s", i ? ", " : " ",
                                     ((const struct expr *)right->u.items.items[i])->u.citation->text);
        if (used >= sizeof name - 6)
            snprintf(name + sizeof name - 6, 6, " ...}");
        else
            snprintf(name + used, sizeof name - used, " }");
        note(g, emit(g, OP_IN_SET, 0, 0, add_set(g, name, &right->u.items), &e->loc), e->u.bin.left, "in", right);
    } else {
        gen_expr(g, right);
        note(g, emit(g, OP_IN_CITATION, 0, 0, 0, &e->loc), e->u.bin.left, "in", right);
    }
    if (e->u.bin.negated)
        emit(g, OP_NOT, 0, 0, 0, &e->loc);
}

static void gen_expr_kind(struct cg *g, const struct expr *e);

/*
 * A column's `when` takes its arm only on a known true, so below its `and`s
 * and `or`s an `and` may stop as soon as its left side is not a known true
 * (WHEN_AND_SKIP).  Anything else (a `not`, a comparison of truths) needs its
 * operands' exact values, so the `when` ends there.
 */
static void gen_expr(struct cg *g, const struct expr *e)
{
    bool in_when = g->in_when;
    if (e->kind != EXPR_AND && e->kind != EXPR_OR)
        g->in_when = false;
    gen_expr_kind(g, e);
    g->in_when = in_when;
}

static void gen_expr_kind(struct cg *g, const struct expr *e)
{
    if (g->oom)
        return;
    switch (e->kind) {
    case EXPR_BOOL:
    case EXPR_NUMBER:
    case EXPR_TEXT:
    case EXPR_DATE:
    case EXPR_DURATION:
    case EXPR_CITATION:
    case EXPR_LEVEL:
    case EXPR_QUANTITY:
        emit(g, OP_CONST, 0, 0, add_const(g, e), &e->loc);
        break;
    case EXPR_NAME:
    case EXPR_CONVICTION_FACT:
    case EXPR_PERSON_FACT:
        switch (e->ref) {
        case REF_PARAM:
            emit(g, OP_PARAM, 0, 0, e->ref_index, &e->loc);
            break;
        case REF_FACT_DECIDED:
            emit(g, OP_FACT, 0, 0, e->ref_index, &e->loc);
            break;
        case REF_FACT_EACH:
            emit(g, OP_EACH_FACT, 0, 0, e->ref_index, &e->loc);
            break;
        case REF_FACT_PERSON:
            emit(g, OP_PERSON_FACT, 0, 0, e->ref_index, &e->loc);
            break;
        case REF_RUN_DATE:
            emit(g, OP_RUN_DATE, 0, 0, 0, &e->loc);
            break;
        case REF_REASON:
            emit(g, OP_REASON, 0, 0, 0, &e->loc);
            break;
        default:
            break; /* sets only appear after 'in' (checked) */
        }
        break;
    case EXPR_SET_LITERAL:
        break;
    case EXPR_NOT:
        gen_expr(g, e->u.operand);
        emit(g, OP_NOT, 0, 0, 0, &e->loc);
        break;
    case EXPR_AND:
    case EXPR_OR: {
        /* A's value alone decides when it is a known false (and) or a known true (or): B is skipped */
        gen_expr(g, e->u.bin.left);
        enum opcode op = e->kind == EXPR_OR ? OP_OR_SKIP : g->in_when ? OP_WHEN_AND_SKIP : OP_AND_SKIP;
        uint32_t skip = emit(g, op, 0, 0, 0, &e->loc);
        gen_expr(g, e->u.bin.right);
        emit(g, e->kind == EXPR_AND ? OP_AND : OP_OR, 0, 0, 0, &e->loc);
        if (!g->oom)
            g->fns[g->current].code[skip].c = g->fns[g->current].len;
        break;
    }
    case EXPR_COMPARE:
        gen_compare(g, e);
        break;
    case EXPR_IN:
        gen_in(g, e);
        break;
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
        gen_expr(g, e->u.operand);
        note(g, emit(g, e->kind == EXPR_IS_KNOWN ? OP_IS_KNOWN : OP_IS_UNKNOWN, e->u.operand->type, 0, 0, &e->loc),
             e->u.operand, e->kind == EXPR_IS_KNOWN ? "is known" : "is unknown", NULL);
        break;
    case EXPR_ADD:
    case EXPR_SUB: {
        gen_expr(g, e->u.bin.left);
        gen_expr(g, e->u.bin.right);
        bool date = e->u.bin.left->type == TYPE_DATE;
        enum opcode op = e->kind == EXPR_ADD ? (date ? OP_DATE_ADD : OP_ADD) : (date ? OP_DATE_SUB : OP_SUB);
        emit(g, op, 0, 0, 0, &e->loc);
        break;
    }
    case EXPR_YEARS_BETWEEN:
        gen_expr(g, e->u.bin.left);
        gen_expr(g, e->u.bin.right);
        emit(g, OP_YEARS_BETWEEN, 0, 0, 0, &e->loc);
        break;
    case EXPR_AGE_AT:
        gen_expr(g, e->u.operand);
        emit(g, OP_AGE_AT, 0, 0, 0, &e->loc);
        break;
    case EXPR_AGGREGATE:
        gen_aggregate(g, e, false);
        break;
    case EXPR_OUTCOME:
        break; /* only ever the left side of a comparison (checked), handled there */
    case EXPR_DECIMAL_YEARS:
        gen_expr(g, e->u.bin.left);
        gen_expr(g, e->u.bin.right);
        emit(g, OP_DECIMAL_YEARS, 0, 0, 0, &e->loc);
        break;
    case EXPR_JOIN:
        gen_join(g, e);
        break;
    case EXPR_TABLE:
        gen_expr(g, e->u.bin.right);
        emit(g, OP_TABLE, 0, 0, e->u.bin.left->ref_index, &e->loc);
        break;
    case EXPR_PARAM_AT:
        gen_expr(g, e->u.bin.right);
        emit(g, OP_PARAM_AT, 0, 0, e->u.bin.left->ref_index, &e->loc);
        break;
    }
}

/*
 * `then vacate and seal`: the outcomes in p->actions, the first the primary
 * outcome.  A single outcome stores nothing (*first and *n are 0).
 */
static void add_actions(struct cg *g, const char *first, const struct ptrvec *more, uint32_t *at, uint32_t *n)
{
    struct program *p = g->p;
    *at = 0;
    *n = 0;
    if (more->len == 0)
        return;
    uint32_t count = (uint32_t)more->len + 1;
    if (!grow((void **)&p->actions, &g->actions_cap, p->nactions + count, sizeof *p->actions)) {
        g->oom = true;
        return;
    }
    *at = p->nactions;
    *n = count;
    p->actions[p->nactions++] = (uint32_t)check_find_outcome(g->m, first);
    for (size_t i = 0; i < more->len; i++)
        p->actions[p->nactions++] = (uint32_t)check_find_outcome(g->m, ((const struct outcome_ref *)more->items[i])->name);
}

static void gen_rules(struct cg *g, const struct check_result *checked)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    size_t nrules = m->rules.len;
    bool has_otherwise = nrules > 0 && ((struct rule_decl *)m->rules.items[nrules - 1])->is_otherwise;
    p->nrules = (uint32_t)(nrules + (has_otherwise ? 0 : 1));
    p->rules = calloc(p->nrules, sizeof *p->rules);
    uint32_t *jumps = calloc(p->nrules, sizeof *jumps);
    if (!p->rules || !jumps) {
        free(jumps);
        g->oom = true;
        return;
    }
    uint32_t njumps = 0;
    for (size_t i = 0; i < nrules; i++) {
        const struct rule_decl *r = m->rules.items[i];
        struct program_rule *pr = &p->rules[i];
        pr->name = add_string(g, r->name);
        pr->outcome = (uint32_t)check_find_outcome(m, r->outcome);
        pr->reason = add_string(g, r->reason);
        pr->citation = r->citing ? add_citation(g, r->citing) : PROGRAM_NO_CONST;
        pr->line = (uint32_t)r->loc.line;
        pr->quote = add_string(g, r->quote);
        pr->eligible_from = PROGRAM_NO_CONST;
        add_actions(g, r->outcome, &r->more_outcomes, &pr->first_action, &pr->nactions);
        uint32_t start = g->fns[0].len;
        (void)start;
        while (njumps > 0)
            g->fns[0].code[jumps[--njumps]].c = g->fns[0].len;
        if (r->is_otherwise) {
            emit(g, OP_DECIDE, 0, (uint16_t)i, 0, &r->loc);
            continue;
        }
        gen_expr(g, r->when);
        if (r->unless) {
            if (r->unless->kind == EXPR_AGGREGATE && r->unless->u.agg.op == AGG_OP_NO) {
                gen_aggregate(g, r->unless, true);
            } else {
                gen_expr(g, r->unless);
                emit(g, OP_NOT, 0, 0, 0, &r->unless->loc);
            }
            emit(g, OP_AND, 0, 0, 0, &r->unless->loc);
        }
        jumps[njumps++] = emit(g, OP_TEST_RULE, 0, (uint16_t)i, 0, &r->loc);
    }
    if (!has_otherwise) {
        struct program_rule *pr = &p->rules[nrules];
        pr->name = add_string(g, "otherwise");
        pr->outcome = (uint32_t)checked->review_outcome;
        pr->reason = add_string(g, "No rule of this policy applies to this conviction, so it needs review by hand.");
        pr->citation = m->header.authority ? add_citation(g, m->header.authority) : PROGRAM_NO_CONST;
        pr->line = (uint32_t)m->header.loc.line;
        pr->quote = PROGRAM_NO_STRING;
        pr->eligible_from = PROGRAM_NO_CONST;
        while (njumps > 0)
            g->fns[0].code[jumps[--njumps]].c = g->fns[0].len;
        emit(g, OP_DECIDE, 0, (uint16_t)nrules, 0, &m->header.loc);
    }
    free(jumps);
}

static void gen_examples(struct cg *g)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    size_t total = 0;
    for (size_t i = 0; i < m->examples.len; i++)
        total += ((struct example_decl *)m->examples.items[i])->convictions.len;
    p->examples = calloc(m->examples.len ? m->examples.len : 1, sizeof *p->examples);
    p->example_convictions = calloc(total ? total : 1, sizeof *p->example_convictions);
    if (!p->examples || !p->example_convictions) {
        g->oom = true;
        return;
    }
    p->nexamples = (uint32_t)m->examples.len;
    uint32_t otherwise = p->nrules - 1;
    for (size_t i = 0; i < m->examples.len; i++) {
        const struct example_decl *ex = m->examples.items[i];
        struct program_example *pe = &p->examples[i];
        pe->name = add_string(g, ex->name);
        pe->line = (uint32_t)ex->loc.line;
        pe->known = 0;
        pe->has_as_of = ex->has_as_of;
        pe->as_of = ex->as_of;
        for (size_t k = 0; k < ex->person_fields.len; k++) {
            const struct example_field *f = ex->person_fields.items[k];
            int fact = check_fact_named(f->name, 1);
            pe->known |= 1u << fact;
            if (fact == FACT_DATE_OF_BIRTH)
                pe->date_of_birth = f->value->u.date;
            else if (fact == FACT_DECEASED)
                pe->deceased = f->value->u.boolean;
            else if (fact == FACT_SEX_OFFENDER_REGISTRATION)
                pe->sex_offender_registration = f->value->u.boolean;
            else if (fact == FACT_SEX_OFFENDER_REGISTRATION_DATE)
                pe->sex_offender_registration_date = f->value->u.date;
        }
        pe->first = p->nexample_convictions;
        pe->count = (uint32_t)ex->convictions.len;
        for (size_t j = 0; j < ex->convictions.len; j++) {
            const struct example_conviction *c = ex->convictions.items[j];
            struct program_example_conviction *pc = &p->example_convictions[p->nexample_convictions++];
            pc->line = (uint32_t)c->loc.line;
            pc->citation = *c->citation;
            pc->known = 1u << FACT_CITATION;
            pc->county = PROGRAM_NO_STRING;
            pc->case_id = PROGRAM_NO_STRING;
            pc->cycle_id = PROGRAM_NO_STRING;
            pc->offense_text = PROGRAM_NO_STRING;
            for (int k = 0; k < PROGRAM_RECORD_TEXTS; k++)
                pc->record_text[k] = PROGRAM_NO_STRING;
            for (size_t k = 0; k < c->fields.len; k++) {
                const struct example_field *f = c->fields.items[k];
                int fact = check_fact_named(f->name, 0);
                pc->known |= 1u << fact;
                switch (fact) {
                case FACT_LEVEL: pc->level = f->value->u.level; break;
                case FACT_DISPOSITION_DATE: pc->disposition_date = f->value->u.date; break;
                case FACT_SENTENCE: pc->sentence = f->value->u.duration; break;
                case FACT_COUNTY: pc->county = add_string(g, f->value->u.text.ptr); break;
                case FACT_CASE_ID: pc->case_id = add_string(g, f->value->u.text.ptr); break;
                case FACT_CYCLE_ID: pc->cycle_id = add_string(g, f->value->u.text.ptr); break;
                case FACT_OFFENSE_TEXT: pc->offense_text = add_string(g, f->value->u.text.ptr); break;
                case FACT_OFFENSE_DATE: pc->offense_date = f->value->u.date; break;
                case FACT_QUANTITY: pc->quantity = f->value->u.quantity; break;
                case FACT_PLANT_COUNT: pc->plant_count = f->value->u.quantity; break;
                case FACT_SENTENCE_END: pc->sentence_end = f->value->u.date; break;
                default:
                    for (int t = 0; t < PROGRAM_RECORD_TEXTS; t++)
                        if ((unsigned)fact == program_record_text_facts[t])
                            pc->record_text[t] = add_string(g, f->value->u.text.ptr);
                    break;
                }
            }
            pc->is_charge = c->is_charge;
            pc->expect_has_from = c->has_expect_from;
            pc->expect_from = c->expect_from;
            pc->expect_outcome = c->is_charge ? 0
                                 : c->expect ? (uint32_t)check_find_outcome(m, c->expect)
                                             : p->rules[otherwise].outcome;
            if (c->is_charge) {
                pc->expect_first_action = pc->expect_nactions = 0;
            } else if (c->expect) {
                add_actions(g, c->expect, &c->expect_more, &pc->expect_first_action, &pc->expect_nactions);
            } else { /* expect otherwise: whatever the otherwise rule gives */
                pc->expect_first_action = p->rules[otherwise].first_action;
                pc->expect_nactions = p->rules[otherwise].nactions;
            }
            if (c->expect_rule)
                pc->expect_rule = strcmp(c->expect_rule, "otherwise") == 0
                                      ? otherwise
                                      : (uint32_t)check_find_rule(m, c->expect_rule);
            else
                pc->expect_rule = PROGRAM_NO_CONST;
        }
    }
}

/* A column arm's value as text: dates in their pattern, other kinds as Lenity writes them. */
static void gen_column_value(struct cg *g, const struct column_arm *arm)
{
    gen_expr(g, arm->value);
    uint8_t t = arm->value->type;
    if (arm->pattern) {
        struct expr pattern = {.kind = EXPR_TEXT, .loc = arm->pattern_loc};
        pattern.u.text.ptr = arm->pattern;
        pattern.u.text.len = (uint32_t)strlen(arm->pattern);
        emit(g, OP_FORMAT_DATE, 0, 0, add_const(g, &pattern), &arm->pattern_loc);
    } else if (t != TYPE_TEXT) {
        emit(g, OP_TO_TEXT, t, 0, 0, &arm->value->loc);
    }
}

/*
 * Each column is a function: its arms in order, the first true condition
 * jumping past the rest.  Jump targets are function-relative here and made
 * absolute once the functions are laid out (finish).
 */
/* A function of one expression, returning its value (the caller sets it where it is used). */
static uint32_t gen_expr_function(struct cg *g, uint8_t kind, const struct expr *e)
{
    uint32_t fn = new_function(g, kind);
    if (g->oom)
        return 0;
    g->current = fn;
    gen_expr(g, e);
    emit(g, OP_RETURN, 0, 0, 0, &e->loc);
    return fn;
}

/* Each `eligible from DATE` is a function the VM runs once its rule has decided. */
static void gen_eligible_from(struct cg *g)
{
    const struct merged_policy *m = g->m;
    for (size_t i = 0; i < m->rules.len; i++) {
        const struct rule_decl *r = m->rules.items[i];
        if (!r->eligible_from)
            continue;
        uint32_t fn = gen_expr_function(g, FUNCTION_ELIGIBLE_FROM, r->eligible_from);
        if (g->oom)
            return;
        g->p->rules[i].eligible_from = fn;
    }
}

/* The type of each fact's value, for IS_KNOWN's operand. */
static const uint8_t fact_types[FACT__COUNT] = {
#define FACT(id, owner, name, type, words) TYPE_##type,
#include "fact_list.h"
#undef FACT
};

/*
 * Before an arm's condition, a check of each fact it cannot be true without
 * (column_arm.known_first, from optimize.c): when one is unknown the arm is
 * passed over at once, as the condition itself would be.
 */
static void gen_known_first(struct cg *g, const struct column_arm *arm, uint32_t *skips, uint32_t *nskips)
{
    for (uint32_t f = 0; f < FACT__COUNT && !g->oom; f++) {
        if (!(arm->known_first & (uint32_t)1 << f))
            continue;
        emit(g, OP_FACT, 0, 0, f, &arm->cond->loc);
        emit(g, OP_IS_KNOWN, fact_types[f], 0, 0, &arm->cond->loc);
        skips[(*nskips)++] = emit(g, OP_JUMP_IF_FALSE, 0, 0, 0, &arm->cond->loc);
    }
}

static void gen_columns(struct cg *g)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    p->column_scope = PROGRAM_NO_CONST;
    if (m->column_scope) {
        uint32_t fn = gen_expr_function(g, FUNCTION_COLUMN_SCOPE, m->column_scope);
        if (g->oom)
            return;
        p->column_scope = fn;
    }
    if (m->columns.len == 0)
        return;
    size_t most_arms = 1;
    for (size_t i = 0; i < m->columns.len; i++)
        if (((struct column_decl *)m->columns.items[i])->arms.len > most_arms)
            most_arms = ((struct column_decl *)m->columns.items[i])->arms.len;
    p->columns = calloc(m->columns.len, sizeof *p->columns);
    uint32_t *exits = calloc(most_arms, sizeof *exits);
    if (!p->columns || !exits) {
        free(exits);
        g->oom = true;
        return;
    }
    for (size_t i = 0; i < m->columns.len && !g->oom; i++) {
        const struct column_decl *col = m->columns.items[i];
        uint32_t fn = new_function(g, col->every_row ? FUNCTION_ROW_COLUMN : FUNCTION_COLUMN);
        if (g->oom)
            break;
        g->current = fn;
        p->columns[i].name = add_string(g, col->name);
        p->columns[i].function = fn;
        uint32_t nexits = 0, nskips = 0;
        uint32_t skips[FACT__COUNT + 1]; /* the jumps to the next arm: one a fact checked first, and the condition's */
        for (size_t k = 0; k < col->arms.len; k++) {
            const struct column_arm *arm = col->arms.items[k];
            for (uint32_t j = 0; j < nskips && !g->oom; j++)
                g->fns[fn].code[skips[j]].c = g->fns[fn].len;
            nskips = 0;
            if (arm->cond) {
                gen_known_first(g, arm, skips, &nskips);
                g->in_when = true;
                gen_expr(g, arm->cond);
                g->in_when = false;
                skips[nskips++] = emit(g, OP_JUMP_IF_FALSE, 0, 0, 0, &arm->cond->loc);
            }
            gen_column_value(g, arm);
            if (arm->cond)
                exits[nexits++] = emit(g, OP_JUMP, 0, 0, 0, &arm->value->loc);
        }
        uint32_t end = g->fns[fn].len;
        emit(g, OP_RETURN, 0, 0, 0, &col->loc);
        for (uint32_t k = 0; k < nexits && !g->oom; k++)
            g->fns[fn].code[exits[k]].c = end;
        p->ncolumns = (uint32_t)(i + 1);
    }
    free(exits);
    g->current = 0;
}

/* Tables are final now: point TEXT and CITATION values at their storage, lay the functions end to end. */
static void finish(struct cg *g)
{
    struct program *p = g->p;
    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (p->consts[i].type == TYPE_TEXT) {
            p->consts[i].as.text.ptr = p->strings[g->const_ref[i]].ptr;
            p->consts[i].as.text.len = p->strings[g->const_ref[i]].len;
        } else if (p->consts[i].type == TYPE_CITATION) {
            p->consts[i].as.citation = &p->citations[g->const_ref[i]];
        }
    }
    uint32_t total = 0;
    for (uint32_t f = 0; f < g->nfns; f++)
        total += g->fns[f].len;
    p->code = calloc(total ? total : 1, sizeof *p->code);
    p->lines = calloc(total ? total : 1, sizeof *p->lines);
    p->notes = calloc(total ? total : 1, sizeof *p->notes);
    p->functions = calloc(g->nfns, sizeof *p->functions);
    if (!p->code || !p->lines || !p->notes || !p->functions) {
        g->oom = true;
        return;
    }
    uint32_t at = 0;
    for (uint32_t f = 0; f < g->nfns; f++) {
        p->functions[f].start = at;
        p->functions[f].len = g->fns[f].len;
        p->functions[f].kind = g->fns[f].kind;
        memcpy(p->code + at, g->fns[f].code, g->fns[f].len * sizeof *p->code);
        /* jumps were function-relative (TEST_RULE's are in main, which starts at 0) */
        for (uint32_t k = 0; k < g->fns[f].len; k++)
            if (opcode_describe(p->code[at + k].op)->operand == OPERAND_JUMP)
                p->code[at + k].c += at;
        memcpy(p->lines + at, g->fns[f].lines, g->fns[f].len * sizeof *p->lines);
        memcpy(p->notes + at, g->fns[f].notes, g->fns[f].len * sizeof *p->notes);
        at += g->fns[f].len;
    }
    p->ncode = total;
    p->nfunctions = g->nfns;
}

static void gen_params(struct cg *g)
{
    const struct merged_policy *m = g->m;
    struct program *p = g->p;
    p->params = calloc(m->params.len ? m->params.len : 1, sizeof *p->params);
    uint32_t *refs = calloc(m->params.len ? m->params.len : 1, sizeof *refs);
    if (!p->params || !refs) {
        free(refs);
        g->oom = true;
        return;
    }
    p->nparams = (uint32_t)m->params.len;
    for (size_t i = 0; i < m->params.len; i++) {
        const struct param_decl *d = m->params.items[i];
        p->params[i].name = add_string(g, d->name);
        p->params[i].value = literal_value(g, d->value, &refs[i]);
    }
    /* Citations and strings may still move (realloc): TEXT and CITATION values are fixed up at the end. */
    for (size_t i = 0; i < m->params.len; i++) {
        uint8_t t = p->params[i].value.type;
        if (t == TYPE_TEXT || t == TYPE_CITATION)
            p->params[i].value.as.set = refs[i]; /* temporary: table index, fixed up in fix_params */
    }
    free(refs);
}

static void fix_params(struct cg *g)
{
    struct program *p = g->p;
    for (uint32_t i = 0; i < p->nparams; i++) {
        struct value *v = &p->params[i].value;
        uint32_t ref = v->as.set;
        if (v->type == TYPE_TEXT) {
            v->as.text.ptr = p->strings[ref].ptr;
            v->as.text.len = p->strings[ref].len;
        } else if (v->type == TYPE_CITATION) {
            v->as.citation = &p->citations[ref];
        }
    }
}

bool codegen_program(const struct merged_policy *m, const struct check_result *checked, struct program *out,
                     char *err, size_t errsize)
{
    struct cg g;
    memset(&g, 0, sizeof g);
    g.m = m;
    g.p = out;
    program_init(out);
    const struct policy *h = &m->header;
    out->name = add_string(&g, h->name);
    out->jurisdiction = add_string(&g, h->jurisdiction);
    out->version = add_string(&g, h->version);
    out->approved_by = h->approved_by ? add_string(&g, h->approved_by) : PROGRAM_NO_STRING;
    out->approved_on = h->approved_by ? h->approved_on : 0;
    out->authority = h->authority ? add_citation(&g, h->authority) : PROGRAM_NO_CONST;
    out->effective = h->effective;
    out->month_end = h->month_end;
    out->source_name = add_string(&g, m->main_source->path);
    out->source_hash = checksum_crc32(m->main_source->text, m->main_source->len);

    for (size_t i = 0; i < m->outcomes.len; i++) {
        const struct outcome_decl *o = m->outcomes.items[i];
        uint32_t cap = out->noutcomes;
        if (!grow((void **)&out->outcomes, &cap, out->noutcomes + 1, sizeof *out->outcomes)) {
            g.oom = true;
            break;
        }
        out->outcomes[out->noutcomes].name = add_string(&g, o->name);
        out->outcomes[out->noutcomes].kind = (uint8_t)o->kind;
        out->noutcomes++;
    }
    out->review_outcome = (uint32_t)checked->review_outcome;
    gen_params(&g);
    for (size_t i = 0; i < m->sets.len; i++) {
        const struct set_decl *s = m->sets.items[i];
        add_set(&g, s->name, &s->items);
    }
    gen_tables(&g);
    gen_periods(&g);
    new_function(&g, FUNCTION_MAIN);
    g.current = 0;
    gen_rules(&g, checked);
    gen_examples(&g);
    gen_eligible_from(&g);
    gen_columns(&g);
    if (!g.oom) {
        fix_params(&g);
        finish(&g);
    }
    for (uint32_t f = 0; f < g.nfns; f++) {
        free(g.fns[f].code);
        free(g.fns[f].notes);
        free(g.fns[f].lines);
    }
    free(g.fns);
    free(g.const_ref);
    free(g.const_slots);
    if (g.oom) {
        snprintf(err, errsize, "out of memory while generating code");
        program_free(out);
        return false;
    }
    return true;
}
