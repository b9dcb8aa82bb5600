/*
 * ref_eval.c - the reference evaluator; see ref_eval.h.
 *
 * Written from the language description (spec/language.md and the summary
 * of the newer features), not from vm.c, and kept as simple as possible:
 *
 *   - every expression is evaluated by recursion over the checked tree;
 *   - names are resolved here again, by name (a bare fact name means the
 *     conviction in view: the decided one, or inside `where` the one being
 *     examined; conviction.X always the decided one);
 *   - an aggregate looks at the person's convictions, or for `charge(s)`
 *     at every charge the record lists (the convictions when it lists
 *     none); `other` leaves out, and `in the same case` / `in the same
 *     cycle` compare with, the conviction in view where the aggregate is
 *     written (inside another aggregate's `where`, the one that aggregate
 *     examines); a conviction and a charge are the same entry when they
 *     come from the same input row;
 *   - three-valued logic (Kleene): false and anything is false, true or
 *     anything is true, otherwise unknown wins; an unknown result names the
 *     fact of its first unknown operand;
 *   - an aggregate is a plain loop; a scoped aggregate's condition for a
 *     conviction is "it is in the same case (cycle) and the where
 *     condition holds", both three-valued, so a missing case number
 *     matters only where the condition could hold; case and cycle numbers
 *     compare as text does, without regard to letter case;
 *   - set membership scans the set's entries with citation_covers.
 *
 * Only citation.h (covers, equal) and date.h (calendar arithmetic) are
 * shared with the runtime; both have their own unit tests.
 */
#include "ref_eval.h"

#include <string.h>

#include "opcode.h" /* AGG_* scope bits */

/* ---- values -------------------------------------------------------------- */

struct rv {
    uint8_t type;               /* enum value_type */
    bool unknown;
    uint16_t fact;              /* when unknown: which fact was missing */
    int64_t n;                  /* BOOL (0/1), NUMBER, LEVEL */
    int32_t d;                  /* DATE */
    struct duration dur;        /* DURATION */
    const char *s;              /* TEXT */
    uint32_t slen;
    const struct citation *cit; /* CITATION */
    const struct ptrvec *set;   /* SET: struct expr * of kind EXPR_CITATION */
};

static struct rv rv_unknown(uint8_t type, uint16_t fact)
{
    struct rv v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.unknown = true;
    v.fact = fact;
    return v;
}

static struct rv rv_bool(bool b)
{
    struct rv v;
    memset(&v, 0, sizeof v);
    v.type = TYPE_BOOL;
    v.n = b;
    v.fact = FACT_NONE;
    return v;
}

static struct rv rv_number(int64_t n)
{
    struct rv v = rv_bool(false);
    v.type = TYPE_NUMBER;
    v.n = n;
    return v;
}

static struct rv rv_date(int32_t d)
{
    struct rv v = rv_bool(false);
    v.type = TYPE_DATE;
    v.d = d;
    return v;
}

/* The first unknown of two operands names the fact. */
static struct rv rv_unknown_of(uint8_t type, const struct rv *a, const struct rv *b)
{
    return rv_unknown(type, a->unknown ? a->fact : b->fact);
}

static bool is_false(const struct rv *v)
{
    return !v->unknown && !v->n;
}

static bool is_true(const struct rv *v)
{
    return !v->unknown && v->n;
}

static struct rv and3(struct rv a, struct rv b)
{
    if (is_false(&a) || is_false(&b))
        return rv_bool(false);
    if (a.unknown || b.unknown)
        return rv_unknown_of(TYPE_BOOL, &a, &b);
    return rv_bool(true);
}

static struct rv or3(struct rv a, struct rv b)
{
    if (is_true(&a) || is_true(&b))
        return rv_bool(true);
    if (a.unknown || b.unknown)
        return rv_unknown_of(TYPE_BOOL, &a, &b);
    return rv_bool(false);
}

static struct rv not3(struct rv a)
{
    if (a.unknown)
        return rv_unknown(TYPE_BOOL, a.fact);
    return rv_bool(!a.n);
}

/* ---- facts --------------------------------------------------------------- */

enum { OWN_CONVICTION, OWN_PERSON };

static const struct ref_fact {
    const char *name;
    int owner;
    unsigned id;
    uint8_t type;
} ref_facts[] = {
    {"citation", OWN_CONVICTION, FACT_CITATION, TYPE_CITATION},
    {"level", OWN_CONVICTION, FACT_LEVEL, TYPE_LEVEL},
    {"disposition_date", OWN_CONVICTION, FACT_DISPOSITION_DATE, TYPE_DATE},
    {"sentence", OWN_CONVICTION, FACT_SENTENCE, TYPE_DURATION},
    {"county", OWN_CONVICTION, FACT_COUNTY, TYPE_TEXT},
    {"case_id", OWN_CONVICTION, FACT_CASE_ID, TYPE_TEXT},
    {"cycle_id", OWN_CONVICTION, FACT_CYCLE_ID, TYPE_TEXT},
    {"sentence_end", OWN_CONVICTION, FACT_SENTENCE_END, TYPE_DATE},
    {"age_at_conviction", OWN_CONVICTION, FACT_AGE_AT_CONVICTION, TYPE_NUMBER},
    {"offense_text", OWN_CONVICTION, FACT_OFFENSE_TEXT, TYPE_TEXT},
    {"offense_section", OWN_CONVICTION, FACT_OFFENSE_SECTION, TYPE_TEXT},
    {"comment_text", OWN_CONVICTION, FACT_COMMENT_TEXT, TYPE_TEXT},
    {"ofn", OWN_CONVICTION, FACT_OFN, TYPE_TEXT},
    {"step_type", OWN_CONVICTION, FACT_STEP_TYPE, TYPE_TEXT},
    {"class", OWN_CONVICTION, FACT_CLASS, TYPE_TEXT},
    {"substance", OWN_CONVICTION, FACT_SUBSTANCE, TYPE_TEXT},
    {"custody_status", OWN_CONVICTION, FACT_CUSTODY_STATUS, TYPE_TEXT},
    {"id", OWN_PERSON, FACT_ID, TYPE_TEXT},
    {"date_of_birth", OWN_PERSON, FACT_DATE_OF_BIRTH, TYPE_DATE},
    {"deceased", OWN_PERSON, FACT_DECEASED, TYPE_BOOL},
    {"sex_offender_registration", OWN_PERSON, FACT_SEX_OFFENDER_REGISTRATION, TYPE_BOOL},
    {"sex_offender_registration_date", OWN_PERSON, FACT_SEX_OFFENDER_REGISTRATION_DATE, TYPE_DATE},
    {"offense_date", OWN_CONVICTION, FACT_OFFENSE_DATE, TYPE_DATE},
    {"quantity", OWN_CONVICTION, FACT_QUANTITY, TYPE_QUANTITY},
    {"plant_count", OWN_CONVICTION, FACT_PLANT_COUNT, TYPE_QUANTITY},
};

static const struct ref_fact *ref_fact_named(const char *name, int owner)
{
    for (size_t i = 0; i < sizeof ref_facts / sizeof ref_facts[0]; i++)
        if (ref_facts[i].owner == owner && strcmp(ref_facts[i].name, name) == 0)
            return &ref_facts[i];
    return NULL;
}

/* One entry of the record: a conviction, or a charge (the record's list of every charge). */
struct ref_item {
    const struct conviction *c;
    bool charge;                /* c is in person.charges, not person.convictions */
    uint32_t index;             /* in its list */
};

struct ref_ctx {
    const struct merged_policy *m;
    const struct person *p;
    struct ref_item decided;    /* the conviction being decided */
    struct ref_item view;       /* the conviction in view: what a bare fact name means (decided outside `where`) */
    const struct value *params; /* NULL: the policy's own values */
    bool as_of_known;
    int32_t as_of;
    enum date_month_end month_end;
    const char **unsupported;   /* set when the policy uses something this file does not know */
};

/* Something newer than this evaluator: say what, so the test can ask for it to be taught. */
static struct rv unsupported(const struct ref_ctx *cx, const char *what)
{
    if (!*cx->unsupported)
        *cx->unsupported = what;
    return rv_unknown(TYPE_NONE, FACT_NONE);
}

static bool person_knows(const struct person *p, unsigned fact)
{
    return (p->known >> fact) & 1u;
}

static bool conviction_knows(const struct conviction *c, unsigned fact)
{
    return (c->known >> fact) & 1u;
}

static struct rv text_of(const struct person *p, struct text_ref r)
{
    struct rv v = rv_bool(false);
    v.type = TYPE_TEXT;
    v.s = person_text(p, r);
    v.slen = r.len;
    return v;
}

static struct rv conviction_fact(const struct ref_ctx *cx, const struct ref_fact *f, const struct conviction *c)
{
    const struct person *p = cx->p;
    if (f->id == FACT_AGE_AT_CONVICTION) {
        /* age at disposition_date: the date of birth comes first, as in "years between born and then" */
        if (!person_knows(p, FACT_DATE_OF_BIRTH))
            return rv_unknown(TYPE_NUMBER, FACT_DATE_OF_BIRTH);
        if (!conviction_knows(c, FACT_DISPOSITION_DATE))
            return rv_unknown(TYPE_NUMBER, FACT_DISPOSITION_DATE);
        return rv_number(date_years_between(p->date_of_birth, c->disposition_date, cx->month_end));
    }
    if (!conviction_knows(c, f->id))
        return rv_unknown(f->type, (uint16_t)f->id);
    struct rv v = rv_bool(false);
    v.type = f->type;
    switch (f->id) {
    case FACT_CITATION: v.cit = &c->citation; break;
    case FACT_LEVEL: v.n = c->level; break;
    case FACT_DISPOSITION_DATE: v.d = c->disposition_date; break;
    case FACT_SENTENCE: v.dur = c->sentence; break;
    case FACT_COUNTY: v = text_of(p, c->county); break;
    case FACT_CASE_ID: v = text_of(p, c->case_id); break;
    case FACT_CYCLE_ID: v = text_of(p, c->cycle_id); break;
    case FACT_SENTENCE_END: v.d = c->sentence_end; break;
    case FACT_OFFENSE_DATE: v.d = c->offense_date; break;
    case FACT_QUANTITY: v.n = c->quantity.amount; break;      /* a quantity is its amount: the checker keeps kinds apart */
    case FACT_PLANT_COUNT: v.n = c->plant_count.amount; break;
    case FACT_OFFENSE_TEXT: v = text_of(p, c->key); break; /* the record's own words for the offence */
    case FACT_OFFENSE_SECTION: v = text_of(p, c->offense_section); break;
    case FACT_COMMENT_TEXT: v = text_of(p, c->comment_text); break;
    case FACT_OFN: v = text_of(p, c->ofn); break;
    case FACT_STEP_TYPE: v = text_of(p, c->step_type); break;
    case FACT_CLASS: v = text_of(p, c->offense_class); break;
    case FACT_SUBSTANCE: v = text_of(p, c->substance); break;
    case FACT_CUSTODY_STATUS: v = text_of(p, c->custody_status); break;
    default: return unsupported(cx, "a fact of the conviction");
    }
    return v;
}

static struct rv person_fact(const struct ref_ctx *cx, const struct ref_fact *f)
{
    const struct person *p = cx->p;
    if (!person_knows(p, f->id))
        return rv_unknown(f->type, (uint16_t)f->id);
    struct rv v = rv_bool(false);
    v.type = f->type;
    switch (f->id) {
    case FACT_ID: v = text_of(p, p->id); break;
    case FACT_DATE_OF_BIRTH: v.d = p->date_of_birth; break;
    case FACT_DECEASED: v.n = p->deceased; break;
    case FACT_SEX_OFFENDER_REGISTRATION: v.n = p->sex_offender_registration; break;
    case FACT_SEX_OFFENDER_REGISTRATION_DATE: v.d = p->sex_offender_registration_date; break;
    default: return unsupported(cx, "a fact of the person");
    }
    return v;
}

/* ---- text and comparison ------------------------------------------------- */

static int ascii_lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Text is equal ignoring the case of A-Z; ordering is never asked of text (the checker refuses it). */
static bool text_equal(const struct rv *a, const struct rv *b)
{
    if (a->slen != b->slen)
        return false;
    for (uint32_t i = 0; i < a->slen; i++)
        if (ascii_lower((unsigned char)a->s[i]) != ascii_lower((unsigned char)b->s[i]))
            return false;
    return true;
}

/* <0, 0, >0 for ordered kinds; for text and citations only 0 (equal) or 1 (different). */
static int compare_known(const struct rv *a, const struct rv *b)
{
    switch (a->type) {
    case TYPE_TEXT:
        return text_equal(a, b) ? 0 : 1;
    case TYPE_CITATION:
        return citation_equal(a->cit, b->cit) ? 0 : 1;
    case TYPE_DATE:
        return a->d < b->d ? -1 : a->d > b->d;
    case TYPE_DURATION:
        return duration_compare(a->dur, b->dur);
    default: /* numbers, levels, true/false */
        return a->n < b->n ? -1 : a->n > b->n;
    }
}

/* ---- literals and parameters --------------------------------------------- */

static struct rv literal(const struct expr *e)
{
    struct rv v = rv_bool(false);
    switch (e->kind) {
    case EXPR_BOOL: v.type = TYPE_BOOL; v.n = e->u.boolean; break;
    case EXPR_NUMBER: v.type = TYPE_NUMBER; v.n = e->u.number; break;
    case EXPR_TEXT: v.type = TYPE_TEXT; v.s = e->u.text.ptr; v.slen = (uint32_t)strlen(e->u.text.ptr); break;
    case EXPR_DATE: v.type = TYPE_DATE; v.d = e->u.date; break;
    case EXPR_DURATION: v.type = TYPE_DURATION; v.dur = e->u.duration; break;
    case EXPR_CITATION: v.type = TYPE_CITATION; v.cit = e->u.citation; break;
    case EXPR_LEVEL: v.type = TYPE_LEVEL; v.n = e->u.level; break;
    case EXPR_QUANTITY: v.type = TYPE_QUANTITY; v.n = e->u.quantity.amount; break;
    default: v = rv_unknown(TYPE_NONE, FACT_NONE); break;
    }
    return v;
}

static struct rv param_value(const struct ref_ctx *cx, size_t i)
{
    const struct param_decl *d = cx->m->params.items[i];
    if (!cx->params)
        return literal(d->value);
    const struct value *pv = &cx->params[i];
    struct rv v = rv_bool(false);
    v.type = pv->type;
    switch (pv->type) {
    case TYPE_DATE: v.d = pv->as.date; break;
    case TYPE_DURATION: v.dur = pv->as.duration; break;
    case TYPE_TEXT: v.s = pv->as.text.ptr; v.slen = pv->as.text.len; break;
    case TYPE_CITATION: v.cit = pv->as.citation; break;
    case TYPE_QUANTITY: v.n = pv->as.quantity.amount; break;
    default: v.n = pv->as.number; break;
    }
    return v;
}

/* ---- expressions --------------------------------------------------------- */

static struct rv eval(const struct ref_ctx *cx, const struct expr *e);

static struct rv eval_name(const struct ref_ctx *cx, const char *name)
{
    if (strcmp(name, "run_date") == 0)
        return cx->as_of_known ? rv_date(cx->as_of) : rv_unknown(TYPE_DATE, FACT_RUN_DATE);
    const struct ref_fact *f = ref_fact_named(name, OWN_CONVICTION);
    if (f)
        return conviction_fact(cx, f, cx->view.c);
    const struct merged_policy *m = cx->m;
    for (size_t i = 0; i < m->params.len; i++)
        if (strcmp(((const struct param_decl *)m->params.items[i])->name, name) == 0)
            return param_value(cx, i);
    for (size_t i = 0; i < m->sets.len; i++) {
        const struct set_decl *s = m->sets.items[i];
        if (strcmp(s->name, name) == 0) {
            struct rv v = rv_bool(false);
            v.type = TYPE_SET;
            v.set = &s->items;
            return v;
        }
    }
    return unsupported(cx, "a name (a fact, parameter or set)"); /* the checker admitted it */
}

static bool set_covers(const struct ptrvec *items, const struct citation *c)
{
    for (size_t i = 0; i < items->len; i++)
        if (citation_covers(((const struct expr *)items->items[i])->u.citation, c))
            return true;
    return false;
}

/* `starts with` and `contains` look at text exactly as written, case and all. */
static bool text_starts_with(const struct rv *a, const struct rv *b)
{
    if (b->slen > a->slen)
        return false;
    for (uint32_t k = 0; k < b->slen; k++)
        if (a->s[k] != b->s[k])
            return false;
    return true;
}

static bool text_contains(const struct rv *a, const struct rv *b)
{
    for (uint32_t at = 0; at + b->slen <= a->slen; at++) {
        uint32_t k = 0;
        while (k < b->slen && a->s[at + k] == b->s[k])
            k++;
        if (k == b->slen)
            return true;
    }
    return false;
}

static struct rv eval_compare(const struct ref_ctx *cx, const struct expr *e)
{
    struct rv a = eval(cx, e->u.bin.left);
    struct rv b = eval(cx, e->u.bin.right);
    if (a.unknown || b.unknown)
        return rv_unknown_of(TYPE_BOOL, &a, &b);
    if (e->u.bin.op == CMP_STARTS_WITH)
        return rv_bool(text_starts_with(&a, &b));
    if (e->u.bin.op == CMP_CONTAINS)
        return rv_bool(text_contains(&a, &b));
    int c = compare_known(&a, &b);
    switch (e->u.bin.op) {
    case CMP_IS: return rv_bool(c == 0);
    case CMP_IS_NOT: return rv_bool(c != 0);
    case CMP_BEFORE: case CMP_LESS: return rv_bool(c < 0);
    case CMP_AFTER: case CMP_MORE: return rv_bool(c > 0);
    case CMP_ON_OR_BEFORE: case CMP_AT_MOST: return rv_bool(c <= 0);
    case CMP_ON_OR_AFTER: case CMP_AT_LEAST: return rv_bool(c >= 0);
    case CMP_STARTS_WITH: case CMP_CONTAINS: break; /* above */
    default: break;
    }
    return unsupported(cx, "a comparison");
}

/* A table: scan every key; the covering key of greatest depth gives the value. */
static struct rv eval_table(const struct ref_ctx *cx, const struct expr *e)
{
    const struct table_decl *t = cx->m->tables.items[e->u.bin.left->ref_index];
    struct rv a = eval(cx, e->u.bin.right);
    if (a.unknown) {
        a.type = t->type;
        return a;
    }
    int best = -1;
    uint8_t best_depth = 0;
    for (size_t k = 0; k < t->keys.len; k++) {
        const struct citation *key = ((const struct expr *)t->keys.items[k])->u.citation;
        if (citation_covers(key, a.cit) && key->depth > best_depth) {
            best = (int)k;
            best_depth = key->depth;
        }
    }
    if (best >= 0)
        return literal(t->values.items[best]);
    if (t->type == TYPE_CITATION)
        return a; /* a table of citations leaves an unlisted one as it is */
    return rv_unknown(t->type, FACT_NOT_IN_TABLE);
}

static struct rv eval_in(const struct ref_ctx *cx, const struct expr *e)
{
    struct rv a = eval(cx, e->u.bin.left);
    struct rv b = eval(cx, e->u.bin.right);
    struct rv r;
    if (a.unknown || b.unknown)
        r = rv_unknown_of(TYPE_BOOL, &a, &b);
    else if (b.type == TYPE_SET)
        r = rv_bool(set_covers(b.set, a.cit));
    else
        r = rv_bool(citation_covers(b.cit, a.cit));
    return e->u.bin.negated ? not3(r) : r;
}

static struct rv eval_arith(const struct ref_ctx *cx, const struct expr *e)
{
    struct rv a = eval(cx, e->u.bin.left);
    struct rv b = eval(cx, e->u.bin.right);
    bool add = e->kind == EXPR_ADD;
    if (a.unknown || b.unknown)
        return rv_unknown_of(a.type, &a, &b);
    if (a.type == TYPE_DATE)
        return rv_date(add ? date_add(a.d, b.dur, cx->month_end) : date_sub(a.d, b.dur, cx->month_end));
    int64_t r;
    bool overflow = add ? __builtin_add_overflow(a.n, b.n, &r) : __builtin_sub_overflow(a.n, b.n, &r);
    if (overflow)
        return rv_unknown(TYPE_NUMBER, FACT_NONE); /* too large to hold: unknown, never wrapped */
    return rv_number(r);
}

/* The same entry of the record: the same list and place, or a conviction and its charge (one input row). */
static bool same_item(const struct ref_item *a, const struct ref_item *b)
{
    if (a->charge == b->charge)
        return a->index == b->index;
    return a->c->row == b->c->row;
}

/* Is item in the anchor's case (fact FACT_CASE_ID) or cycle (FACT_CYCLE_ID)? */
static struct rv same_group(const struct ref_ctx *cx, unsigned fact, const struct ref_item *anchor,
                            const struct ref_item *item)
{
    if (same_item(anchor, item))
        return rv_bool(true); /* a conviction is always in its own case */
    const struct ref_fact *f = ref_fact_named(fact == FACT_CASE_ID ? "case_id" : "cycle_id", OWN_CONVICTION);
    struct rv mine = conviction_fact(cx, f, anchor->c);
    struct rv theirs = conviction_fact(cx, f, item->c);
    if (mine.unknown || theirs.unknown)
        return rv_unknown(TYPE_BOOL, (uint16_t)fact);
    return rv_bool(text_equal(&mine, &theirs)); /* case numbers are text: letter case does not count */
}

static struct rv eval_aggregate(const struct ref_ctx *cx, const struct expr *e)
{
    const struct person *p = cx->p;
    enum aggregate_op op = e->u.agg.op;
    bool dated = op == AGG_OP_LATEST || op == AGG_OP_EARLIEST;
    const struct ref_fact *date_fact = dated ? ref_fact_named(e->u.agg.value_name, OWN_CONVICTION) : NULL;
    if (dated && !date_fact)
        return unsupported(cx, "a date fact of the conviction");
    /* `charges` where the record lists them; a record that lists none has only its convictions */
    bool charges = (e->u.agg.scope & AGG_CHARGES) && p->has_charges;
    const struct conviction *list = charges ? p->charges : p->convictions;
    uint32_t n = charges ? p->ncharges : p->count;
    const struct ref_item anchor = cx->view;
    bool any_true = false, any_unknown = false, found = false;
    uint16_t unknown_fact = FACT_NONE;
    int64_t count = 0;
    int32_t best = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct ref_item item = {&list[i], charges, i};
        if (e->u.agg.other && same_item(&anchor, &item))
            continue;
        struct ref_ctx inner = *cx;
        inner.view = item;
        struct rv cond = e->u.agg.where ? eval(&inner, e->u.agg.where) : rv_bool(true);
        if (op == AGG_OP_EVERY)
            cond = not3(cond); /* every item satisfies C: no item fails it */
        if (e->u.agg.scope & AGG_SAME_CASE)
            cond = and3(same_group(cx, FACT_CASE_ID, &anchor, &item), cond);
        if (e->u.agg.scope & AGG_SAME_CYCLE)
            cond = and3(same_group(cx, FACT_CYCLE_ID, &anchor, &item), cond);
        struct rv date = dated && is_true(&cond) ? conviction_fact(&inner, date_fact, item.c) : rv_bool(false);
        if (cond.unknown || date.unknown) {
            if (!any_unknown)
                unknown_fact = cond.unknown ? cond.fact : date.fact;
            any_unknown = true;
            continue;
        }
        if (!cond.n)
            continue;
        any_true = true;
        count++;
        if (dated) {
            if (!found || (op == AGG_OP_LATEST ? date.d > best : date.d < best))
                best = date.d;
            found = true;
        }
    }
    switch (op) {
    case AGG_OP_ANY:
    case AGG_OP_NO:
    case AGG_OP_EVERY: {
        struct rv any = any_true ? rv_bool(true) : any_unknown ? rv_unknown(TYPE_BOOL, unknown_fact) : rv_bool(false);
        return op == AGG_OP_ANY ? any : not3(any);
    }
    case AGG_OP_COUNT:
        return any_unknown ? rv_unknown(TYPE_NUMBER, unknown_fact) : rv_number(count);
    case AGG_OP_LATEST:
    case AGG_OP_EARLIEST:
        if (any_unknown)
            return rv_unknown(TYPE_DATE, unknown_fact);
        if (!found)
            return rv_unknown(TYPE_DATE, FACT_NONE); /* nothing matched: nothing is latest */
        return rv_date(best);
    default:
        break;
    }
    return unsupported(cx, "an aggregate");
}

/* PARAMETER at DATE, read straight from the declaration's periods: the period whose
 * from..until holds the date (both ends inclusive, an open end unbounded), else unknown. */
static struct rv eval_param_at(const struct ref_ctx *cx, const struct expr *e)
{
    const char *name = e->u.bin.left->u.name;
    const struct param_decl *d = NULL;
    size_t index = 0;
    for (size_t i = 0; i < cx->m->params.len; i++)
        if (strcmp(((const struct param_decl *)cx->m->params.items[i])->name, name) == 0) {
            d = cx->m->params.items[i];
            index = i;
        }
    if (!d)
        return unsupported(cx, "a dated parameter");
    struct rv at = eval(cx, e->u.bin.right);
    uint8_t type = literal(d->value).type;
    if (at.unknown)
        return rv_unknown(type, at.fact);
    if (d->periods.len == 0)
        return param_value(cx, index);
    for (size_t k = 0; k < d->periods.len; k++) {
        const struct param_period *per = d->periods.items[k];
        if ((!per->has_from || per->from <= at.d) && (!per->has_until || at.d <= per->until))
            return literal(per->value);
    }
    return rv_unknown(type, FACT_NO_PERIOD);
}

static struct rv eval(const struct ref_ctx *cx, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_BOOL:
    case EXPR_NUMBER:
    case EXPR_TEXT:
    case EXPR_DATE:
    case EXPR_DURATION:
    case EXPR_CITATION:
    case EXPR_LEVEL:
    case EXPR_QUANTITY:
        return literal(e);
    case EXPR_NAME:
        return eval_name(cx, e->u.name);
    case EXPR_CONVICTION_FACT: {
        const struct ref_fact *f = ref_fact_named(e->u.name, OWN_CONVICTION);
        return f ? conviction_fact(cx, f, cx->decided.c) : unsupported(cx, "a fact of the conviction");
    }
    case EXPR_PERSON_FACT: {
        const struct ref_fact *f = ref_fact_named(e->u.name, OWN_PERSON);
        return f ? person_fact(cx, f) : unsupported(cx, "a fact of the person");
    }
    case EXPR_SET_LITERAL: {
        struct rv v = rv_bool(false);
        v.type = TYPE_SET;
        v.set = &e->u.items;
        return v;
    }
    case EXPR_NOT:
        return not3(eval(cx, e->u.operand));
    case EXPR_AND:
        return and3(eval(cx, e->u.bin.left), eval(cx, e->u.bin.right));
    case EXPR_OR:
        return or3(eval(cx, e->u.bin.left), eval(cx, e->u.bin.right));
    case EXPR_COMPARE:
        return eval_compare(cx, e);
    case EXPR_TABLE:
        return eval_table(cx, e);
    case EXPR_PARAM_AT:
        return eval_param_at(cx, e);
    case EXPR_IN:
        return eval_in(cx, e);
    case EXPR_IS_KNOWN:
        return rv_bool(!eval(cx, e->u.operand).unknown);
    case EXPR_IS_UNKNOWN:
        return rv_bool(eval(cx, e->u.operand).unknown);
    case EXPR_ADD:
    case EXPR_SUB:
        return eval_arith(cx, e);
    case EXPR_YEARS_BETWEEN: {
        struct rv a = eval(cx, e->u.bin.left);
        struct rv b = eval(cx, e->u.bin.right);
        if (a.unknown || b.unknown)
            return rv_unknown_of(TYPE_NUMBER, &a, &b);
        return rv_number(date_years_between(a.d, b.d, cx->month_end));
    }
    case EXPR_AGE_AT: {
        /* age at X = years between person.date_of_birth and X */
        struct rv born = person_fact(cx, ref_fact_named("date_of_birth", OWN_PERSON));
        struct rv at = eval(cx, e->u.operand);
        if (born.unknown || at.unknown)
            return rv_unknown_of(TYPE_NUMBER, &born, &at);
        return rv_number(date_years_between(born.d, at.d, cx->month_end));
    }
    case EXPR_AGGREGATE:
        return eval_aggregate(cx, e);
    default:
        break;
    }
    return unsupported(cx, "a kind of expression");
}

/* ---- rules --------------------------------------------------------------- */

static uint32_t outcome_named(const struct merged_policy *m, const char *name)
{
    for (size_t i = 0; i < m->outcomes.len; i++)
        if (strcmp(((const struct outcome_decl *)m->outcomes.items[i])->name, name) == 0)
            return (uint32_t)i;
    return UINT32_MAX;
}

/* The first outcome declared of kind review. */
static uint32_t review_outcome(const struct merged_policy *m)
{
    for (size_t i = 0; i < m->outcomes.len; i++)
        if (((const struct outcome_decl *)m->outcomes.items[i])->kind == AST_REVIEW)
            return (uint32_t)i;
    return UINT32_MAX;
}

void ref_decide(const struct compile_tree *t, const struct person *p, uint32_t index, const struct value *params,
                bool as_of_known, int32_t as_of, struct ref_decision *out)
{
    const struct merged_policy *m = &t->merged;
    struct ref_ctx cx = {
        .m = m,
        .p = p,
        .decided = {&p->convictions[index], false, index},
        .view = {&p->convictions[index], false, index},
        .params = params,
        .as_of_known = as_of_known,
        .as_of = as_of,
        .month_end = m->header.month_end == DATE_ROUND_UP ? DATE_ROUND_UP : DATE_ROUND_DOWN,
        .unsupported = &out->unsupported,
    };
    out->unsupported = NULL;
    out->has_eligible_from = false;
    out->eligible_from = 0;
    for (size_t i = 0; i < m->rules.len; i++) {
        const struct rule_decl *r = m->rules.items[i];
        if (r->is_otherwise) {
            out->rule = (uint32_t)i;
            out->outcome = outcome_named(m, r->outcome);
            out->unknown = false;
            out->missing_fact = FACT_NONE;
            return;
        }
        /* when C unless U  ==  C and not U */
        struct rv cond = eval(&cx, r->when);
        if (r->unless)
            cond = and3(cond, not3(eval(&cx, r->unless)));
        if (cond.unknown) {
            out->rule = (uint32_t)i;
            out->outcome = review_outcome(m);
            out->unknown = true;
            out->missing_fact = cond.fact;
            return;
        }
        if (cond.n) {
            out->rule = (uint32_t)i;
            out->outcome = outcome_named(m, r->outcome);
            out->unknown = false;
            out->missing_fact = FACT_NONE;
            if (r->eligible_from) {
                struct rv from = eval(&cx, r->eligible_from);
                out->has_eligible_from = !from.unknown;
                out->eligible_from = from.unknown ? 0 : from.d;
            }
            return;
        }
    }
    /* no otherwise written: the built-in one, after every rule, gives the review outcome */
    out->rule = (uint32_t)m->rules.len;
    out->outcome = review_outcome(m);
    out->unknown = false;
    out->missing_fact = FACT_NONE;
}
