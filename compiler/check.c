/*
 * check.c - resolves names and checks types, so that nothing a lawyer can
 * get wrong in a policy reaches the VM as a surprise.  Every message says
 * what is wrong in words and, where it can, what to write instead.
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

#include "person.h"
#include "value.h"

enum { OWNER_CONVICTION = 0, OWNER_PERSON = 1 };

static const struct fact_info {
    const char *name;
    int owner;
    uint8_t type;
} facts[] = {
#define CONVICTION OWNER_CONVICTION
#define PERSON OWNER_PERSON
#define FACT(id, owner, name, type, words) {name, owner, TYPE_##type},
#include "fact_list.h"
#undef FACT
#undef CONVICTION
#undef PERSON
};

int check_fact_named(const char *name, int owner)
{
    for (int i = 0; i < FACT__COUNT; i++)
        if (facts[i].owner == owner && strcmp(facts[i].name, name) == 0)
            return i;
    return -1;
}

/* extend.c keeps each name's place in its list: a lookup costs the same for 5 names as for 65,535. */
int check_find_outcome(const struct merged_policy *m, const char *name)
{
    return (int)name_index_get(&m->outcome_index, name);
}

int check_find_rule(const struct merged_policy *m, const char *name)
{
    return (int)name_index_get(&m->rule_index, name);
}

struct checker {
    struct merged_policy *m;
    struct arena *arena;
    struct diag *diag;
    int aggregate_depth;     /* > 0 inside `where` */
    int depth;               /* expression nesting, bounded so no later pass can exhaust the C stack */
    bool in_column;          /* checking an output column, where `outcome` and `reason` exist */
    bool in_row_column;      /* ... a column `on every row`: a row's charge, with no decision and no sentence */
    bool too_deep;           /* reported once per rule */
};

static const char *type_words(uint8_t t)
{
    return value_type_words((enum value_type)t);
}

/* The type with its article, as a sentence needs it: "a date", "an offence level", "text". */
static const char *a_type(uint8_t t)
{
    switch (t) {
    case TYPE_BOOL: return "a condition (true or false)";
    case TYPE_NUMBER: return "a whole number";
    case TYPE_TEXT: return "text";
    case TYPE_DATE: return "a date";
    case TYPE_DURATION: return "a duration";
    case TYPE_CITATION: return "a citation";
    case TYPE_LEVEL: return "an offence level";
    case TYPE_OUTCOME: return "an outcome";
    case TYPE_SET: return "a set of citations";
    case TYPE_QUANTITY: return "a quantity (a weight or a number of plants)";
    default: return type_words(t);
    }
}

/* The plural: "dates", "offence levels", "pieces of text". */
static const char *type_plural(uint8_t t)
{
    switch (t) {
    case TYPE_BOOL: return "conditions (true or false)";
    case TYPE_NUMBER: return "whole numbers";
    case TYPE_TEXT: return "pieces of text";
    case TYPE_DATE: return "dates";
    case TYPE_DURATION: return "durations";
    case TYPE_CITATION: return "citations";
    case TYPE_LEVEL: return "offence levels";
    case TYPE_OUTCOME: return "outcomes";
    case TYPE_SET: return "sets of citations";
    case TYPE_QUANTITY: return "quantities";
    default: return type_words(t);
    }
}

static void error(struct checker *c, const struct loc *loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error(struct checker *c, const struct loc *loc, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(c->diag, DIAG_ERROR, loc, hint, fmt, ap);
    va_end(ap);
}

static const char *did_you_mean(struct checker *c, const char *word, const char *prefix)
{
    const char *cands[512];
    size_t n = 0;
    for (size_t i = 0; i < c->m->params.len && n < 500; i++)
        cands[n++] = ((struct param_decl *)c->m->params.items[i])->name;
    for (size_t i = 0; i < c->m->sets.len && n < 500; i++)
        cands[n++] = ((struct set_decl *)c->m->sets.items[i])->name;
    for (int i = 0; i < FACT__COUNT && n < 510; i++)
        if (facts[i].owner == OWNER_CONVICTION)
            cands[n++] = facts[i].name;
    cands[n] = NULL;
    const char *best = diag_closest(word, cands);
    if (!best) {
        const char *person_names[FACT__COUNT + 1];
        size_t k = 0;
        for (int i = 0; i < FACT__COUNT; i++)
            if (facts[i].owner == OWNER_PERSON)
                person_names[k++] = facts[i].name;
        person_names[k] = NULL;
        const char *p = diag_closest(word, person_names);
        if (p) {
            char buf[128];
            snprintf(buf, sizeof buf, "did you mean 'person.%s'?", p);
            return arena_strdup(c->arena, buf);
        }
        return prefix;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "did you mean '%s'?", best);
    return arena_strdup(c->arena, buf);
}

static int find_param(const struct merged_policy *m, const char *name)
{
    return (int)name_index_get(&m->param_index, name);
}

static int find_table(const struct merged_policy *m, const char *name)
{
    return (int)name_index_get(&m->table_index, name);
}

static int find_set(const struct merged_policy *m, const char *name)
{
    return (int)name_index_get(&m->set_index, name);
}

static uint8_t literal_type(const struct expr *e)
{
    switch (e->kind) {
    case EXPR_BOOL: return TYPE_BOOL;
    case EXPR_NUMBER: return TYPE_NUMBER;
    case EXPR_TEXT: return TYPE_TEXT;
    case EXPR_DATE: return TYPE_DATE;
    case EXPR_DURATION: return TYPE_DURATION;
    case EXPR_CITATION: return TYPE_CITATION;
    case EXPR_LEVEL: return TYPE_LEVEL;
    case EXPR_QUANTITY: return TYPE_QUANTITY;
    default: return TYPE_NONE;
    }
}

static uint8_t check_expr(struct checker *c, struct expr *e);

static bool expect_type(struct checker *c, struct expr *e, uint8_t want, const char *role, const char *hint)
{
    if (e->type == TYPE_NONE)
        return false; /* already reported */
    if (e->type != want) {
        error(c, &e->loc, hint, "%s must be %s, but this is %s", role, a_type(want), a_type(e->type));
        return false;
    }
    return true;
}

/*
 * In a column on every row, the facts outside `where` are the row's charge's
 * (spec section 13), and a charge has no sentence: the sentence belongs to a
 * conviction's count, over all its rows.  false (reported) for those facts.
 */
static bool row_has_fact(struct checker *c, const struct expr *e, int fact)
{
    if (!c->in_row_column || (fact != FACT_SENTENCE && fact != FACT_SENTENCE_END))
        return true;
    char hint[160];
    snprintf(hint, sizeof hint, "ask about the person's convictions instead, e.g. any conviction where %s is known",
             facts[fact].name);
    error(c, &e->loc, arena_strdup(c->arena, hint),
          "a column on every row sees the charge its row names, and a charge has no '%s': only a conviction has a "
          "sentence", facts[fact].name);
    return false;
}

static uint8_t check_name(struct checker *c, struct expr *e)
{
    const char *name = e->u.name;
    if (strcmp(name, "run_date") == 0) {
        e->ref = REF_RUN_DATE;
        return TYPE_DATE;
    }
    if (strcmp(name, "reason") == 0 && c->in_row_column) {
        error(c, &e->loc, "write this column without 'on every row' to show the reason on the rows of decided "
                          "convictions",
              "a column on every row has no 'reason': most rows of the export are not convictions, and have no "
              "decision");
        return TYPE_NONE;
    }
    if (strcmp(name, "reason") == 0 && c->in_column) {
        e->ref = REF_REASON;
        return TYPE_TEXT;
    }
    int fact = check_fact_named(name, OWNER_CONVICTION);
    if (fact >= 0) {
        e->ref = c->aggregate_depth > 0 ? REF_FACT_EACH : REF_FACT_DECIDED;
        e->ref_index = (uint32_t)fact;
        if (e->ref == REF_FACT_DECIDED && !row_has_fact(c, e, fact))
            return TYPE_NONE;
        return facts[fact].type;
    }
    int p = find_param(c->m, name);
    if (p >= 0) {
        struct param_decl *d = c->m->params.items[p];
        if (d->periods.len > 0) {
            char hint[256];
            snprintf(hint, sizeof hint, "say on which date: %s at offense_date, or %s at disposition_date", name, name);
            error(c, &e->loc, arena_strdup(c->arena, hint), "the parameter '%s' changes over time", name);
            return TYPE_NONE;
        }
        e->ref = REF_PARAM;
        e->ref_index = (uint32_t)p;
        return literal_type(d->value);
    }
    int s = find_set(c->m, name);
    if (s >= 0) {
        e->ref = REF_SET;
        e->ref_index = (uint32_t)s;
        return TYPE_SET;
    }
    if (check_fact_named(name, OWNER_PERSON) >= 0) {
        char hint[128];
        snprintf(hint, sizeof hint, "facts about the person are written with 'person.': person.%s", name);
        error(c, &e->loc, arena_strdup(c->arena, hint), "'%s' is a fact about the person, not the conviction",
              name);
        return TYPE_NONE;
    }
    error(c, &e->loc, did_you_mean(c, name, "declare it first, e.g. parameter cutoff = 2016-11-09"),
          "'%s' is not a fact, parameter or set this policy knows", name);
    return TYPE_NONE;
}

static uint8_t check_fact(struct checker *c, struct expr *e, int owner)
{
    int fact = check_fact_named(e->u.name, owner);
    if (fact < 0) {
        const char *names[FACT__COUNT + 1];
        size_t k = 0;
        for (int i = 0; i < FACT__COUNT; i++)
            if (facts[i].owner == owner)
                names[k++] = facts[i].name;
        names[k] = NULL;
        const char *best = diag_closest(e->u.name, names);
        char hint[256];
        if (best) {
            snprintf(hint, sizeof hint, "did you mean '%s.%s'?", owner == OWNER_PERSON ? "person" : "conviction",
                     best);
        } else {
            size_t used = (size_t)snprintf(hint, sizeof hint, "the facts are:");
            for (size_t i = 0; i < k && used < sizeof hint; i++)
                used += (size_t)snprintf(hint + used, sizeof hint - used, "%s %s", i ? "," : "", names[i]);
        }
        error(c, &e->loc, arena_strdup(c->arena, hint), "a %s has no fact called '%s'",
              owner == OWNER_PERSON ? "person" : "conviction", e->u.name);
        return TYPE_NONE;
    }
    e->ref = owner == OWNER_PERSON ? REF_FACT_PERSON : REF_FACT_DECIDED;
    e->ref_index = (uint32_t)fact;
    if (e->ref == REF_FACT_DECIDED && !row_has_fact(c, e, fact))
        return TYPE_NONE;
    return facts[fact].type;
}

static const char *compare_words(enum compare_op op)
{
    static const char *words[] = {"is", "is not", "is before", "is after", "is on or before", "is on or after",
                                  "is less than", "is more than", "is at least", "is at most", "starts with",
                                  "contains"};
    return words[op];
}

static const char *outcome_hint(struct checker *c, const char *name);

/* `outcome is dismiss`: the right side names an outcome, not a fact or parameter. */
static uint8_t check_outcome_compare(struct checker *c, struct expr *e)
{
    struct expr *right = e->u.bin.right;
    if (e->u.bin.op != CMP_IS && e->u.bin.op != CMP_IS_NOT) {
        error(c, &e->loc, "write: outcome is dismiss, or outcome is not dismiss",
              "an outcome can only be compared with 'is' or 'is not'");
        return TYPE_BOOL;
    }
    int o = right->kind == EXPR_NAME ? check_find_outcome(c->m, right->u.name) : -1;
    if (o < 0) {
        error(c, &right->loc, right->kind == EXPR_NAME ? outcome_hint(c, right->u.name) : NULL,
              "after 'outcome is' comes the name of one of the policy's outcomes");
        return TYPE_BOOL;
    }
    right->ref = REF_OUTCOME;
    right->ref_index = (uint32_t)o;
    right->type = TYPE_OUTCOME;
    return TYPE_BOOL;
}

/* A quantity expression's kind, weight or plants, when the checker can tell; 0 when it cannot. */
static uint8_t quantity_dim(const struct checker *c, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_QUANTITY:
        return e->u.quantity.dim;
    case EXPR_NAME:
    case EXPR_CONVICTION_FACT:
        if (e->ref == REF_PARAM) {
            const struct param_decl *pd = c->m->params.items[e->ref_index];
            return pd->value->kind == EXPR_QUANTITY ? pd->value->u.quantity.dim : 0;
        }
        if (e->ref == REF_FACT_DECIDED || e->ref == REF_FACT_EACH)
            return e->ref_index == FACT_QUANTITY ? QUANTITY_MASS : e->ref_index == FACT_PLANT_COUNT ? QUANTITY_PLANTS : 0;
        return 0;
    case EXPR_TABLE: {
        const struct table_decl *t = c->m->tables.items[e->u.bin.left->ref_index];
        const struct expr *v = t->values.len ? t->values.items[0] : NULL;
        return v && v->kind == EXPR_QUANTITY ? v->u.quantity.dim : 0;
    }
    case EXPR_PARAM_AT:
        return e->u.bin.left->ref == REF_PARAM ? quantity_dim(c, e->u.bin.left) : 0;
    default:
        return 0;
    }
}

static uint8_t check_compare(struct checker *c, struct expr *e)
{
    uint8_t l = check_expr(c, e->u.bin.left);
    if (l == TYPE_OUTCOME)
        return check_outcome_compare(c, e);
    uint8_t r = check_expr(c, e->u.bin.right);
    if (l == TYPE_NONE || r == TYPE_NONE)
        return TYPE_BOOL;
    enum compare_op op = e->u.bin.op;
    if (l == TYPE_SET || r == TYPE_SET) {
        error(c, &e->loc, "to ask whether a citation belongs to a set, write: citation in marijuana_offenses",
              "a set of citations cannot be compared with '%s'", compare_words(op));
        return TYPE_BOOL;
    }
    if (l != r) {
        const char *hint = NULL;
        bool date_words = op == CMP_BEFORE || op == CMP_AFTER || op == CMP_ON_OR_BEFORE || op == CMP_ON_OR_AFTER;
        bool number_words = op == CMP_LESS || op == CMP_MORE || op == CMP_AT_LEAST || op == CMP_AT_MOST;
        if ((l == TYPE_DATE && r == TYPE_NUMBER) || (l == TYPE_NUMBER && r == TYPE_DATE)) {
            if (date_words)
                hint = "a date is written in full, year-month-day, e.g. disposition_date is before 2016-11-09";
            else if (number_words)
                hint = "to compare an age, write e.g. age_at_conviction is less than 21, or age at 2016-11-09 is "
                       "less than 21; a date is compared with a date, e.g. person.date_of_birth is after 1995-11-09";
            else
                hint = "a date is compared with a date written in full, e.g. disposition_date is 2016-11-09; "
                       "to compare an age, write e.g. age_at_conviction is at least 21";
        } else if ((l == TYPE_DATE && r == TYPE_DURATION) || (l == TYPE_DURATION && r == TYPE_DATE)) {
            hint = "add the duration to a date first, e.g. disposition_date + 10 years is before cutoff";
        } else if ((l == TYPE_CITATION && r == TYPE_TEXT) || (l == TYPE_TEXT && r == TYPE_CITATION)) {
            hint = "write the citation without quotes, e.g. citation is HS 11357";
        } else if ((l == TYPE_LEVEL && r == TYPE_TEXT) || (l == TYPE_TEXT && r == TYPE_LEVEL)) {
            hint = "write the level without quotes: level is felony (or misdemeanor, or infraction)";
        } else if ((l == TYPE_DURATION && r == TYPE_NUMBER) || (l == TYPE_NUMBER && r == TYPE_DURATION)) {
            hint = "give the number its unit, e.g. sentence is at least 6 months";
        }
        error(c, &e->loc, hint, "cannot compare %s with %s", a_type(l), a_type(r));
        return TYPE_BOOL;
    }
    if (l == TYPE_QUANTITY) {
        uint8_t dl = quantity_dim(c, e->u.bin.left), dr = quantity_dim(c, e->u.bin.right);
        if (dl && dr && dl != dr)
            error(c, &e->loc, "compare weights with weights (quantity is more than 28.5 grams) and plants with "
                              "plants (plant_count is more than 6 plants)",
                  "cannot compare a weight with a number of plants");
    }
    switch (op) {
    case CMP_IS:
    case CMP_IS_NOT:
        break;
    case CMP_BEFORE:
    case CMP_AFTER:
    case CMP_ON_OR_BEFORE:
    case CMP_ON_OR_AFTER:
        if (l != TYPE_DATE)
            error(c, &e->loc,
                  l == TYPE_NUMBER || l == TYPE_DURATION
                      ? "numbers and durations are compared with 'is less than', 'is more than', 'is at least', 'is at most'"
                      : NULL,
                  "'%s' compares dates, and these are %s", compare_words(op), type_plural(l));
        break;
    case CMP_LESS:
    case CMP_MORE:
    case CMP_AT_LEAST:
    case CMP_AT_MOST:
        if (l != TYPE_NUMBER && l != TYPE_DURATION && l != TYPE_QUANTITY)
            error(c, &e->loc,
                  l == TYPE_DATE ? "dates are compared with 'is before', 'is after', 'is on or before', 'is on or after'"
                                 : NULL,
                  "'%s' compares numbers, durations or quantities, and these are %s", compare_words(op),
                  type_plural(l));
        break;
    case CMP_STARTS_WITH:
    case CMP_CONTAINS:
        if (l != TYPE_TEXT)
            error(c, &e->loc,
                  l == TYPE_CITATION ? "to ask whether a citation falls under a section, write: citation in HS 11357"
                                     : NULL,
                  "'%s' compares text, and these are %s", compare_words(op), type_plural(l));
        break;
    }
    return TYPE_BOOL;
}

static uint8_t check_aggregate(struct checker *c, struct expr *e)
{
    c->aggregate_depth++;
    if (e->u.agg.where) {
        uint8_t t = check_expr(c, e->u.agg.where);
        if (t != TYPE_NONE)
            expect_type(c, e->u.agg.where, TYPE_BOOL, "the condition after 'where'",
                        "write a condition about the conviction examined, e.g. where level is felony");
    }
    c->aggregate_depth--;
    switch (e->u.agg.op) {
    case AGG_OP_ANY:
    case AGG_OP_NO:
    case AGG_OP_EVERY:
        return TYPE_BOOL;
    case AGG_OP_COUNT:
        return TYPE_NUMBER;
    case AGG_OP_JOIN: /* checked as EXPR_JOIN */
        return TYPE_TEXT;
    case AGG_OP_LATEST:
    case AGG_OP_EARLIEST: {
        int fact = check_fact_named(e->u.agg.value_name, OWNER_CONVICTION);
        if (fact < 0 || facts[fact].type != TYPE_DATE) {
            error(c, &e->u.agg.value_loc, "write e.g. latest disposition_date of convictions where ...",
                  "'%s' is not a date of a conviction", e->u.agg.value_name);
            return TYPE_NONE;
        }
        e->ref = REF_FACT_EACH;
        e->ref_index = (uint32_t)fact;
        return TYPE_DATE;
    }
    }
    return TYPE_NONE;
}

/* `WORDS DATE and DATE`: both values must be dates (one already found wrong is not reported again). */
static void check_two_dates(struct checker *c, struct expr *e, const char *words)
{
    uint8_t l = check_expr(c, e->u.bin.left);
    uint8_t r = check_expr(c, e->u.bin.right);
    char role[64];
    snprintf(role, sizeof role, "the first value of '%s'", words);
    if (l != TYPE_NONE)
        expect_type(c, e->u.bin.left, TYPE_DATE, role, NULL);
    snprintf(role, sizeof role, "the second value of '%s'", words);
    if (r != TYPE_NONE)
        expect_type(c, e->u.bin.right, TYPE_DATE, role, NULL);
}

static uint8_t check_expr_kind(struct checker *c, struct expr *e)
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
        return literal_type(e);
    case EXPR_NAME:
        return check_name(c, e);
    case EXPR_CONVICTION_FACT:
        return check_fact(c, e, OWNER_CONVICTION);
    case EXPR_PERSON_FACT:
        return check_fact(c, e, OWNER_PERSON);
    case EXPR_SET_LITERAL:
        return TYPE_SET;
    case EXPR_NOT:
        if (check_expr(c, e->u.operand) != TYPE_NONE)
            expect_type(c, e->u.operand, TYPE_BOOL, "what follows 'not'", NULL);
        return TYPE_BOOL;
    case EXPR_AND:
    case EXPR_OR: {
        const char *word = e->kind == EXPR_AND ? "'and'" : "'or'";
        char role[64];
        if (check_expr(c, e->u.bin.left) != TYPE_NONE) {
            snprintf(role, sizeof role, "each side of %s", word);
            expect_type(c, e->u.bin.left, TYPE_BOOL, role, "join whole conditions, e.g. level is felony or level is misdemeanor");
        }
        if (check_expr(c, e->u.bin.right) != TYPE_NONE) {
            snprintf(role, sizeof role, "each side of %s", word);
            expect_type(c, e->u.bin.right, TYPE_BOOL, role, "join whole conditions, e.g. level is felony or level is misdemeanor");
        }
        return TYPE_BOOL;
    }
    case EXPR_COMPARE:
        return check_compare(c, e);
    case EXPR_IN: {
        uint8_t l = check_expr(c, e->u.bin.left);
        uint8_t r = check_expr(c, e->u.bin.right);
        if (l != TYPE_NONE)
            expect_type(c, e->u.bin.left, TYPE_CITATION, "what comes before 'in'",
                        "'in' asks whether a citation falls under a set or a section: citation in HS 11357");
        if (r != TYPE_NONE && r != TYPE_SET && r != TYPE_CITATION)
            error(c, &e->u.bin.right->loc, "write a set's name, { HS 11357, HS 11358 } or a citation such as HS 11357",
                  "what comes after 'in' must be a set of citations or a citation, but this is %s", a_type(r));
        return TYPE_BOOL;
    }
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN: {
        uint8_t t = check_expr(c, e->u.operand);
        if (t == TYPE_SET)
            error(c, &e->loc, NULL, "a set is always known");
        return TYPE_BOOL;
    }
    case EXPR_ADD:
    case EXPR_SUB: {
        uint8_t l = check_expr(c, e->u.bin.left);
        uint8_t r = check_expr(c, e->u.bin.right);
        if (l == TYPE_NONE || r == TYPE_NONE)
            return TYPE_NONE;
        if (l == TYPE_NUMBER && r == TYPE_NUMBER)
            return TYPE_NUMBER;
        if (l == TYPE_DATE && r == TYPE_DURATION)
            return TYPE_DATE;
        error(c, &e->loc,
              "a duration can be added to or taken from a date (disposition_date + 10 years), "
              "and a number to or from a number",
              "cannot %s %s %s %s", e->kind == EXPR_ADD ? "add" : "subtract", a_type(r),
              e->kind == EXPR_ADD ? "to" : "from", a_type(l));
        return TYPE_NONE;
    }
    case EXPR_YEARS_BETWEEN:
        check_two_dates(c, e, "years between");
        return TYPE_NUMBER;
    case EXPR_AGE_AT:
        if (check_expr(c, e->u.operand) != TYPE_NONE)
            expect_type(c, e->u.operand, TYPE_DATE, "what follows 'age at'", "write e.g. age at disposition_date");
        return TYPE_NUMBER;
    case EXPR_AGGREGATE:
        return check_aggregate(c, e);
    case EXPR_PARAM_AT: {
        struct expr *name = e->u.bin.left;
        int pi = find_param(c->m, name->u.name);
        if (check_expr(c, e->u.bin.right) != TYPE_NONE)
            expect_type(c, e->u.bin.right, TYPE_DATE, "what follows 'at'", "write e.g. limit at offense_date");
        if (pi < 0) {
            error(c, &name->loc, "declare it: parameter limit = 1 ounce until 2021-06-30, 2 ounces from 2021-07-01",
                  "'%s' is not a parameter of this policy", name->u.name);
            return TYPE_NONE;
        }
        name->ref = REF_PARAM;
        name->ref_index = (uint32_t)pi;
        return literal_type(((struct param_decl *)c->m->params.items[pi])->value);
    }
    case EXPR_TABLE: {
        struct expr *name = e->u.bin.left;
        int t = find_table(c->m, name->u.name);
        if (t < 0) {
            error(c, &name->loc, "declare it: table renumbered = { RCW 69.50.401(d) -> RCW 69.50.4013 }",
                  "'%s' is not a table this policy declares", name->u.name);
            check_expr(c, e->u.bin.right);
            return TYPE_NONE;
        }
        name->ref = REF_TABLE;
        name->ref_index = (uint32_t)t;
        if (check_expr(c, e->u.bin.right) != TYPE_NONE)
            expect_type(c, e->u.bin.right, TYPE_CITATION, "what a table looks up", "write e.g. today of citation");
        return ((struct table_decl *)c->m->tables.items[t])->type;
    }
    case EXPR_OUTCOME:
        if (!c->in_column) {
            error(c, &e->loc, "a rule decides the outcome; 'outcome' can be read in an output column",
                  "'outcome' is only known once a conviction is decided");
            return TYPE_NONE;
        }
        if (c->in_row_column) {
            error(c, &e->loc, "write this column without 'on every row' to show the outcome on the rows of decided "
                              "convictions",
                  "a column on every row has no 'outcome': most rows of the export are not convictions, and have "
                  "no decision");
            /* still an outcome, so that `outcome is NAME` is not read as a second mistake */
        }
        return TYPE_OUTCOME;
    case EXPR_DECIMAL_YEARS:
        check_two_dates(c, e, "decimal years between");
        return TYPE_TEXT;
    case EXPR_JOIN: {
        c->aggregate_depth++;
        if (e->u.agg.where && check_expr(c, e->u.agg.where) != TYPE_NONE)
            expect_type(c, e->u.agg.where, TYPE_BOOL, "the condition after 'where'", NULL);
        c->aggregate_depth--;
        int fact = check_fact_named(e->u.agg.value_name, OWNER_CONVICTION);
        if (fact < 0 || facts[fact].type != TYPE_TEXT) {
            error(c, &e->u.agg.value_loc, "write e.g. joined \";\" offense_section of convictions where ...",
                  "'%s' is not a text fact of a conviction", e->u.agg.value_name);
            return TYPE_NONE;
        }
        e->ref = REF_FACT_EACH;
        e->ref_index = (uint32_t)fact;
        return TYPE_TEXT;
    }
    }
    return TYPE_NONE;
}

static uint8_t check_expr(struct checker *c, struct expr *e)
{
    if (c->depth >= CHECK_MAX_DEPTH) {
        if (!c->too_deep)
            error(c, &e->loc, "split the condition into several rules, or list citations in a set",
                  "this condition is nested more than %d levels deep", CHECK_MAX_DEPTH);
        c->too_deep = true;
        e->type = TYPE_NONE;
        return TYPE_NONE;
    }
    c->depth++;
    e->type = check_expr_kind(c, e);
    c->depth--;
    return e->type;
}

static void check_condition(struct checker *c, struct expr *e, const char *role)
{
    if (check_expr(c, e) == TYPE_NONE)
        return;
    if (e->type != TYPE_BOOL)
        error(c, &e->loc, "a condition is something true or false, e.g. level is felony",
              "%s must be a condition, but this is %s", role, a_type(e->type));
}

/* "did you mean 'X'?" for the candidate (NULL-terminated) closest to name, X in quote marks; else fallback. */
static const char *closest_hint(struct checker *c, const char *name, const char **cands, const char *quote,
                                const char *fallback)
{
    const char *best = diag_closest(name, cands);
    if (!best)
        return fallback;
    char buf[320];
    snprintf(buf, sizeof buf, "did you mean %s%s%s?", quote, best, quote);
    return arena_strdup(c->arena, buf);
}

static const char *outcome_hint(struct checker *c, const char *name)
{
    const char *cands[260];
    size_t n = 0;
    for (size_t i = 0; i < c->m->outcomes.len && n + 1 < 260; i++)
        cands[n++] = ((struct outcome_decl *)c->m->outcomes.items[i])->name;
    cands[n] = NULL;
    char fallback[160];
    snprintf(fallback, sizeof fallback, "declare it first, e.g. outcome %s is relief", name);
    const char *hint = closest_hint(c, name, cands, "'", fallback);
    return hint == fallback ? arena_strdup(c->arena, fallback) : hint;
}

static const char *kind_name(int kind)
{
    return kind == AST_RELIEF ? "relief" : kind == AST_NO_RELIEF ? "no relief" : "review";
}

/*
 * `then vacate and seal` (after `then`) or `expect vacate and seal` (after
 * `expect`): every name is a declared outcome, all of one kind, none twice.
 */
static void check_outcome_list(struct checker *c, const char *first, const struct loc *first_loc,
                               const struct ptrvec *more, const char *after)
{
    int o0 = check_find_outcome(c->m, first);
    if (o0 < 0)
        error(c, first_loc, outcome_hint(c, first), "'%s' is not an outcome this policy declares", first);
    for (size_t i = 0; i < more->len; i++) {
        const struct outcome_ref *ref = more->items[i];
        int o = check_find_outcome(c->m, ref->name);
        if (o < 0) {
            error(c, &ref->loc, outcome_hint(c, ref->name), "'%s' is not an outcome this policy declares", ref->name);
            continue;
        }
        bool twice = strcmp(ref->name, first) == 0;
        for (size_t k = 0; k < i && !twice; k++)
            twice = strcmp(((const struct outcome_ref *)more->items[k])->name, ref->name) == 0;
        if (twice) {
            char hint[160];
            snprintf(hint, sizeof hint, "name each outcome once: remove this '%s'", ref->name);
            error(c, &ref->loc, arena_strdup(c->arena, hint), "'%s' is named twice after '%s'", ref->name, after);
            continue;
        }
        if (o0 < 0)
            continue;
        int k0 = ((const struct outcome_decl *)c->m->outcomes.items[o0])->kind;
        int k = ((const struct outcome_decl *)c->m->outcomes.items[o])->kind;
        if (k != k0)
            error(c, &ref->loc,
                  "one decision gives relief, or no relief, or sends the conviction to review: "
                  "give this outcome in a rule of its own",
                  "'%s' is an outcome of kind %s, but '%s' is of kind %s; the outcomes named after '%s' must all be "
                  "of one kind",
                  ref->name, kind_name(k), first, kind_name(k0), after);
    }
}

/* A reason may name parameters in braces: "{age_threshold} years or older". */
static void check_reason(struct checker *c, struct rule_decl *r)
{
    for (const char *s = r->reason; s && (s = strchr(s, '{')) != NULL; s++) {
        const char *close = strchr(s, '}');
        if (!close) {
            error(c, &r->loc, "write {parameter_name} to put a parameter's value in the reason, or remove the '{'",
                  "the reason of rule '%s' opens a '{' that is never closed", r->name);
            return;
        }
        char name[128];
        size_t len = (size_t)(close - s - 1);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), s + 1);
        int pi = find_param(c->m, name);
        if (pi < 0)
            error(c, &r->loc, did_you_mean(c, name, "only parameters can be named in a reason"),
                  "the reason of rule '%s' names '{%s}', which is not a parameter", r->name, name);
        else if (((struct param_decl *)c->m->params.items[pi])->periods.len > 0)
            error(c, &r->loc, "write the values and their dates in the words of the reason",
                  "the reason of rule '%s' names '{%s}', a parameter that changes over time, so it would not say "
                  "which of its values was applied",
                  r->name, name);
        s = close;
    }
}

static void check_rule(struct checker *c, struct rule_decl *r)
{
    c->too_deep = false;
    check_reason(c, r);
    if (r->when)
        check_condition(c, r->when, "the condition after 'when'");
    if (r->unless)
        check_condition(c, r->unless, "the condition after 'unless'");
    if (r->eligible_from) {
        c->too_deep = false;
        if (check_expr(c, r->eligible_from) != TYPE_NONE)
            expect_type(c, r->eligible_from, TYPE_DATE, "what follows 'eligible from'",
                        "write a date, e.g. eligible from sentence_end + 5 years");
    }
    check_outcome_list(c, r->outcome, &r->outcome_loc, &r->more_outcomes, "then");
}

static const char *rule_hint(struct checker *c, const char *name)
{
    const char *cands[260];
    size_t n = 0;
    for (size_t i = 0; i < c->m->rules.len && n + 1 < 260; i++)
        cands[n++] = ((struct rule_decl *)c->m->rules.items[i])->name;
    cands[n] = NULL;
    return closest_hint(c, name, cands, "'", "name a rule this policy has, or leave out 'by rule ...'");
}

static void check_example_person(struct checker *c, struct example_decl *ex)
{
    uint32_t seen = 0;
    for (size_t j = 0; j < ex->person_fields.len; j++) {
        struct example_field *f = ex->person_fields.items[j];
        int fact = check_fact_named(f->name, OWNER_PERSON);
        if (fact < 0 || fact == FACT_ID) {
            error(c, &f->loc, "an example person can give: born DATE, deceased true, sex_offender_registration true",
                  "'%s' cannot be given for an example person", f->name);
            continue;
        }
        if (seen & (1u << fact)) {
            error(c, &f->loc, NULL, "'%s' is given twice for this person", f->name);
            continue;
        }
        seen |= 1u << fact;
        uint8_t t = literal_type(f->value);
        f->value->type = t;
        if (t != facts[fact].type)
            error(c, &f->value->loc, NULL, "'%s' is %s, but this is %s", f->name, a_type(facts[fact].type),
                  a_type(t));
    }
}

static void check_example(struct checker *c, struct example_decl *ex)
{
    check_example_person(c, ex);
    if (ex->convictions.len == 0)
        error(c, &ex->loc, "add at least one line: conviction HS 11357(a) misdemeanor on 2010-05-01 expect dismiss",
              "the example has no convictions");
    for (size_t i = 0; i < ex->convictions.len; i++) {
        struct example_conviction *conv = ex->convictions.items[i];
        uint32_t seen = 0;
        for (size_t j = 0; j < conv->fields.len; j++) {
            struct example_field *f = conv->fields.items[j];
            int fact = check_fact_named(f->name, OWNER_CONVICTION);
            if (fact < 0 || fact == FACT_CITATION || fact == FACT_AGE_AT_CONVICTION) {
                error(c, &f->loc, "an example conviction can give: a level, on DATE, county \"...\", sentence DURATION, case_id \"...\"",
                      "'%s' cannot be given in an example conviction", f->name);
                continue;
            }
            if (seen & (1u << fact)) {
                error(c, &f->loc, NULL, "'%s' is given twice for this conviction", f->name);
                continue;
            }
            seen |= 1u << fact;
            uint8_t t = literal_type(f->value);
            f->value->type = t;
            if (t != facts[fact].type)
                error(c, &f->value->loc,
                      "an example conviction gives e.g. misdemeanor on 2010-05-01 county \"Los Angeles\" "
                      "sentence 6 months case_id \"LA-2010-001\"",
                      "'%s' is %s, but this is %s", f->name, a_type(facts[fact].type), a_type(t));
        }
        if (!conv->is_charge && conv->expect)
            check_outcome_list(c, conv->expect, &conv->expect_loc, &conv->expect_more, "expect");
        /* "otherwise" names the final rule, written or supplied by the compiler */
        if (conv->expect_rule && strcmp(conv->expect_rule, "otherwise") != 0 &&
            check_find_rule(c->m, conv->expect_rule) < 0)
            error(c, &conv->expect_rule_loc, rule_hint(c, conv->expect_rule), "there is no rule '%s' in this policy",
                  conv->expect_rule);
    }
}

static void check_header(struct checker *c)
{
    struct policy *h = &c->m->header;
    struct { const void *value; const char *what, *hint; } need[] = {
        {h->jurisdiction, "its jurisdiction", "add after the policy line: jurisdiction \"California\""},
        {h->authority, "the authority it implements", "add after the policy line: authority HS 11361.8"},
        {h->version, "its version", "add after the policy line: version \"1.0\""},
        {h->has_effective ? "" : NULL, "its effective date", "add after the policy line: effective 2016-11-09"},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!need[i].value)
            error(c, &h->loc, need[i].hint, "the policy does not say %s", need[i].what);
}

/*
 * A dated parameter's periods are written in date order. Where two meet, one of
 * them must say the date (the first's `until` or the second's `from`); the other
 * is inferred, so "1 ounce, 2 ounces from 2021-07-01" means 1 ounce until
 * 2021-06-30. The first period without a `from` reaches back for ever and the last
 * without an `until` forward; a date between periods that leave a gap has no value.
 */
static void check_periods(struct checker *c, struct param_decl *p)
{
    size_t n = p->periods.len;
    for (size_t k = 0; k < n; k++) {
        struct param_period *per = p->periods.items[k];
        per->value->type = literal_type(per->value);
        if (per->value->kind != p->value->kind)
            error(c, &per->loc, "every value of a parameter is of one kind",
                  "this value is %s, but the parameter's first value is %s", a_type(literal_type(per->value)),
                  a_type(literal_type(p->value)));
        else if (per->value->kind == EXPR_QUANTITY && per->value->u.quantity.dim != p->value->u.quantity.dim)
            error(c, &per->loc, "every value of a parameter is of one kind: all weights, or all plant counts",
                  "this value is a %s, but the parameter's first value is a %s",
                  per->value->u.quantity.dim == QUANTITY_PLANTS ? "number of plants" : "weight",
                  p->value->u.quantity.dim == QUANTITY_PLANTS ? "number of plants" : "weight");
    }
    for (size_t k = 0; k + 1 < n; k++) {
        struct param_period *a = p->periods.items[k], *b = p->periods.items[k + 1];
        if (!a->has_until && !b->has_from) {
            error(c, &b->loc, "write when the one before ends (VALUE until DATE) or when this one begins (VALUE from DATE)",
                  "the parameter '%s' does not say where one of its values ends and the next begins", p->name);
            return;
        }
        if (!a->has_until && b->from == INT32_MIN) {
            error(c, &b->loc, NULL, "this period begins before any other could end");
            return;
        }
        if (!b->has_from && a->until == INT32_MAX) {
            error(c, &a->loc, NULL, "this period ends after every other could begin");
            return;
        }
        if (!a->has_until) {
            a->until = b->from - 1;
            a->has_until = true;
        } else if (!b->has_from) {
            b->from = a->until + 1;
            b->has_from = true;
        }
    }
    if (n > 0) {
        struct param_period *first = p->periods.items[0], *last = p->periods.items[n - 1];
        if (!first->has_from) {
            first->from = INT32_MIN;
            first->has_from = true;
        }
        if (!last->has_until) {
            last->until = INT32_MAX;
            last->has_until = true;
        }
    }
    for (size_t k = 0; k < n; k++) {
        struct param_period *per = p->periods.items[k];
        if (per->from > per->until) {
            error(c, &per->loc, "a period's dates are both included: from 2021-07-01 until 2021-07-01 is one day",
                  "this period of '%s' ends before it begins", p->name);
            return;
        }
        if (k + 1 < n) {
            struct param_period *next = p->periods.items[k + 1];
            if (next->from <= per->until) {
                char day[16];
                date_format_iso(next->from, day);
                error(c, &next->loc, "write the periods in date order, each beginning after the one before ends",
                      "this period of '%s' overlaps the one before it: on %s both would apply", p->name, day);
                return;
            }
        }
    }
}

static void check_param(struct checker *c, struct param_decl *p)
{
    check_periods(c, p);
    if (strcmp(p->name, "run_date") == 0)
        error(c, &p->loc, "run_date is the date of the run (lenity run --as-of); choose another name",
              "'run_date' is a name Lenity reserves");
    if (check_fact_named(p->name, OWNER_CONVICTION) >= 0 || check_fact_named(p->name, OWNER_PERSON) >= 0)
        error(c, &p->loc, "choose another name, e.g. cutoff_date", "'%s' is the name of a fact of the record", p->name);
    if (find_set(c->m, p->name) >= 0)
        error(c, &p->loc, NULL, "'%s' is also the name of a set", p->name);
    p->value->type = literal_type(p->value);
}

static void check_column(struct checker *c, struct column_decl *col)
{
    c->in_column = true;
    c->in_row_column = col->every_row;
    for (size_t i = 0; i < col->arms.len; i++) {
        struct column_arm *arm = col->arms.items[i];
        c->too_deep = false;
        if (arm->cond)
            check_condition(c, arm->cond, "the condition after 'when'");
        uint8_t t = check_expr(c, arm->value);
        if (t == TYPE_SET || t == TYPE_OUTCOME)
            error(c, &arm->value->loc, "write the text the column should show, e.g. when outcome is dismiss then \"Yes\"",
                  "a column cannot show a %s directly", type_words(t));
        if (arm->pattern && t != TYPE_NONE && t != TYPE_DATE)
            error(c, &arm->pattern_loc, NULL, "'written as' is for dates, and this is %s", a_type(t));
    }
    c->in_column = false;
    c->in_row_column = false;
}

/* The place of the column named `name` in the list, or -1. */
static long column_at(const struct ptrvec *cols, const char *name)
{
    for (size_t i = 0; i < cols->len; i++)
        if (strcmp(((const struct column_decl *)cols->items[i])->name, name) == 0)
            return (long)i;
    return -1;
}

/* "did you mean "X"?" among the policy's columns, or NULL. */
static const char *closest_column(struct checker *c, const char *name)
{
    const char *cands[256];
    size_t n = 0;
    for (size_t i = 0; i < c->m->columns.len && n < 255; i++)
        cands[n++] = ((const struct column_decl *)c->m->columns.items[i])->name;
    cands[n] = NULL;
    return closest_hint(c, name, cands, "\"", "name one of the policy's columns, as its heading is written");
}

/*
 * `column "X" after "Y"`: a county's file format can put a column of its own
 * among the inherited ones.  The merge (extend.c) appends a new column and
 * keeps a replaced one in its place; here each placed column, in the order
 * of the merged list, moves beside the column it names.  The order is what
 * `--format cadoj` writes, so it is fixed before anything else reads the list.
 */
static void place_columns(struct checker *c)
{
    struct ptrvec *cols = &c->m->columns;
    size_t n = cols->len;
    struct column_decl **placed = n ? arena_alloc(c->arena, n * sizeof *placed) : NULL;
    size_t nplaced = 0;
    for (size_t i = 0; i < n; i++)
        if (((struct column_decl *)cols->items[i])->placement != PLACE_NONE)
            placed[nplaced++] = cols->items[i];
    for (size_t k = 0; k < nplaced; k++) {
        struct column_decl *col = placed[k];
        const char *where = col->placement == PLACE_BEFORE ? "before" : "after";
        if (strcmp(col->anchor, col->name) == 0) {
            error(c, &col->anchor_loc, "name another column", "a column cannot be placed %s itself", where);
            continue;
        }
        if (column_at(cols, col->anchor) < 0) {
            error(c, &col->anchor_loc, closest_column(c, col->anchor),
                  "there is no column \"%s\" to place this one %s", col->anchor, where);
            continue;
        }
        size_t i = (size_t)column_at(cols, col->name);
        memmove(&cols->items[i], &cols->items[i + 1], (cols->len - i - 1) * sizeof cols->items[0]);
        cols->len--;
        size_t at = (size_t)column_at(cols, col->anchor);
        ptrvec_insert(c->arena, cols, col->placement == PLACE_AFTER ? at + 1 : at, col);
    }
}

/*
 * Each citation is a key of a table once.  The keys go in a citation-set
 * table, which keeps the first of equal ones, so a later copy is found with
 * one lookup instead of a comparison with every key before it (a table of
 * 100,000 keys would otherwise take 5 billion comparisons).
 */
static void check_table_keys(struct checker *c, const struct table_decl *t)
{
    size_t n = t->keys.len;
    if (n < 2)
        return;
    struct citation *keys = arena_alloc(c->arena, n * sizeof *keys);
    bool *seen = arena_alloc(c->arena, n * sizeof *seen); /* by entry of the set: its first copy was met */
    for (size_t k = 0; k < n; k++)
        keys[k] = *((struct expr *)t->keys.items[k])->u.citation;
    struct citation_set set;
    if (n > UINT32_MAX || !citation_set_build(&set, keys, (uint32_t)n)) {
        error(c, &t->loc, NULL, "out of memory checking the keys of the table '%s'", t->name);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        /* the key itself is listed, so it is the closest entry covering it */
        int64_t first = citation_set_find(&set, &keys[k]);
        if (first < 0)
            continue;
        if (seen[first])
            error(c, &((struct expr *)t->keys.items[k])->loc, "list each citation once",
                  "%s is already in the table '%s'", keys[k].text, t->name);
        seen[first] = true;
    }
    citation_set_free(&set);
}

bool check_policy(struct merged_policy *m, struct arena *arena, struct diag *diag, struct check_result *out)
{
    struct checker c = {.m = m, .arena = arena, .diag = diag};
    int before = diag->errors;
    check_header(&c);
    out->review_outcome = -1;
    for (size_t i = 0; i < m->outcomes.len; i++) {
        struct outcome_decl *o = m->outcomes.items[i];
        if (o->kind == AST_REVIEW && out->review_outcome < 0)
            out->review_outcome = (int)i;
    }
    if (out->review_outcome < 0)
        error(&c, &m->header.loc, "add: outcome needs_review is review",
              "the policy declares no outcome of kind review, which a conviction gets when its record lacks a "
              "fact that a rule needs");
    if (m->outcomes.len > 250)
        error(&c, &m->header.loc, NULL, "the policy declares more than 250 outcomes");
    for (size_t i = 0; i < m->params.len; i++)
        check_param(&c, m->params.items[i]);
    for (size_t i = 0; i < m->sets.len; i++) {
        struct set_decl *s = m->sets.items[i];
        if (check_fact_named(s->name, OWNER_CONVICTION) >= 0)
            error(&c, &s->loc, "choose another name", "'%s' is the name of a fact of the record", s->name);
    }
    for (size_t i = 0; i < m->tables.len; i++) {
        struct table_decl *t = m->tables.items[i];
        if (find_param(m, t->name) >= 0 || find_set(m, t->name) >= 0 || check_fact_named(t->name, OWNER_CONVICTION) >= 0)
            error(&c, &t->loc, "give the table a name of its own", "'%s' is already the name of something else",
                  t->name);
        t->type = TYPE_NONE;
        for (size_t k = 0; k < t->keys.len; k++) {
            struct expr *v = t->values.items[k];
            uint8_t vt = literal_type(v);
            v->type = vt;
            if (k == 0)
                t->type = vt;
            else if (vt != t->type)
                error(&c, &v->loc, "every value of a table is of one kind: all citations, all levels, all text...",
                      "this value is %s, but the table's first value is %s", a_type(vt), a_type(t->type));
        }
        check_table_keys(&c, t);
    }
    for (size_t i = 0; i < m->rules.len; i++)
        check_rule(&c, m->rules.items[i]);
    for (size_t i = 0; i < m->examples.len; i++)
        check_example(&c, m->examples.items[i]);
    place_columns(&c);
    for (size_t i = 0; i < m->columns.len; i++)
        check_column(&c, m->columns.items[i]);
    if (m->column_scope) {
        c.in_column = true;
        check_condition(&c, m->column_scope, "the condition after 'columns when'");
        c.in_column = false;
    }
    return diag->errors == before;
}
