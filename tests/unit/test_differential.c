/*
 * test_differential.c - the VM against a reference evaluator, on random
 * records.
 *
 * For every policy under rules/, examples/ and tests/policies/ (found at run
 * time; the tests run from the repository root), the policy is compiled
 * twice: once to its checked tree, which the reference evaluator of
 * tests/reference walks, and once to bytecode for the VM (optimized, and
 * again with -O0).  Then random people are made up from what the policy
 * talks about: its citations and their neighbours, its dates and the days
 * around them, its texts in other letter cases, plus unrelated citations,
 * month ends, case and cycle numbers shared in varied letter case, charges
 * that ended without a conviction, and every fact unknown now and then.
 * Every conviction of every person is decided by all three, which must
 * give the same rule, outcome, unknown flag and missing fact.  Four runs
 * per policy also override every parameter with random valid values
 * (vm_set_param on the VM's side, the same values handed to the reference).
 *
 * A policy that uses something the reference does not know yet (a new
 * fact, expression or operator) fails with a message saying so: teach
 * tests/reference/ref_eval.c from the language description, never from vm.c.
 *
 * The generator is seeded per policy (1 + the policy's position in sorted
 * order), so a failure is reproducible; it prints the policy, the person
 * with every fact, and both answers.
 *
 * The reference evaluator is compiled into this test directly, since the
 * Makefile links unit tests with the compiler and runtime libraries only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "compile.h"
#include "diag.h"
#include "person.h"
#include "program.h"
#include "value.h"
#include "vm.h"

#include "../reference/ref_eval.c"

/* Convictions compared per policy: with the policy's parameters, then with overridden ones. */
#define DEFAULT_CONVICTIONS 20000u
#define OVERRIDE_ROUNDS 4u
#define OVERRIDE_CONVICTIONS 5000u /* per round */
#define MAX_CONVICTIONS_PER_PERSON 8u
#define MAX_REPORTED 3             /* disagreements printed in full per policy */

/* ---- random numbers (xorshift64, seeded per policy) ---------------------- */

struct rng {
    uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    /* spread a small seed over the word so that the first draws are not all small */
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    r->s = (z ^ (z >> 31)) | 1u;
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return r->s = x;
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static bool rng_percent(struct rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

/* ---- what the policy talks about ------------------------------------------ */

#define MAX_CITATIONS 600
#define MAX_TEXTS 200
#define MAX_DATES 600
#define MAX_DURATIONS 64
#define MAX_NUMBERS 64

struct pools {
    /*
     * Citations come in groups: the parameters, each set, each rule, the
     * examples, the unrelated ones.  A draw picks a group first, so a set
     * of 40 super strikes does not drown a rule's single citation.
     */
    struct citation citations[MAX_CITATIONS];
    uint16_t group[MAX_CITATIONS];
    size_t ncitations;
    uint16_t ngroups;
    struct citation base[MAX_CITATIONS]; /* written in the policy, before neighbours are added */
    uint16_t base_group[MAX_CITATIONS];
    size_t nbase;
    uint16_t current_group;
    char *texts[MAX_TEXTS];
    bool policy_text[MAX_TEXTS];         /* written in the policy (or a case variant of it) */
    size_t ntexts;
    int32_t dates[MAX_DATES];
    size_t ndates;
    int32_t base_dates[MAX_DATES];
    size_t nbase_dates;
    struct duration durations[MAX_DURATIONS];
    size_t ndurations;
    int64_t numbers[MAX_NUMBERS];
    size_t nnumbers;
};

static void pool_citation(struct pools *P, const char *text, uint16_t group)
{
    struct citation c;
    if (P->ncitations >= MAX_CITATIONS || !citation_parse(text, strlen(text), &c, NULL))
        return;
    for (size_t i = 0; i < P->ncitations; i++)
        if (citation_equal(&P->citations[i], &c))
            return;
    P->group[P->ncitations] = group;
    P->citations[P->ncitations++] = c;
    if (group >= P->ngroups)
        P->ngroups = (uint16_t)(group + 1);
}

static void pool_base_citation(struct pools *P, const struct citation *c)
{
    for (size_t i = 0; i < P->nbase; i++)
        if (citation_equal(&P->base[i], c) && P->base_group[i] == P->current_group)
            return;
    if (P->nbase < MAX_CITATIONS) {
        P->base_group[P->nbase] = P->current_group;
        P->base[P->nbase++] = *c;
    }
}

static const struct citation *random_citation(struct rng *r, const struct pools *P)
{
    for (;;) {
        uint16_t g = (uint16_t)rng_below(r, P->ngroups);
        size_t n = 0;
        for (size_t i = 0; i < P->ncitations; i++)
            n += P->group[i] == g;
        if (n == 0)
            continue; /* every citation of this group was already in an earlier one */
        size_t k = rng_below(r, (uint32_t)n);
        for (size_t i = 0; i < P->ncitations; i++)
            if (P->group[i] == g && k-- == 0)
                return &P->citations[i];
    }
}

static bool text_from_policy;

static void pool_text(struct pools *P, const char *text)
{
    if (P->ntexts >= MAX_TEXTS || strlen(text) > 200)
        return;
    for (size_t i = 0; i < P->ntexts; i++)
        if (strcmp(P->texts[i], text) == 0)
            return;
    P->texts[P->ntexts] = strdup(text);
    assert_non_null(P->texts[P->ntexts]);
    P->policy_text[P->ntexts] = text_from_policy;
    P->ntexts++;
}

/* Half the time a text the policy writes (in some letter case), if it writes any. */
static const char *random_text(struct rng *r, const struct pools *P)
{
    size_t n = 0;
    for (size_t i = 0; i < P->ntexts; i++)
        n += P->policy_text[i];
    if (n && rng_percent(r, 50)) {
        size_t k = rng_below(r, (uint32_t)n);
        for (size_t i = 0; i < P->ntexts; i++)
            if (P->policy_text[i] && k-- == 0)
                return P->texts[i];
    }
    return P->texts[rng_below(r, (uint32_t)P->ntexts)];
}

/* The text as written, in capitals and in small letters. */
static void pool_text_cases(struct pools *P, const char *text)
{
    pool_text(P, text);
    char buf[256];
    size_t n = strlen(text) < sizeof buf - 1 ? strlen(text) : sizeof buf - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 'a' + 'A') : text[i];
    buf[n] = '\0';
    pool_text(P, buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = text[i] >= 'A' && text[i] <= 'Z' ? (char)(text[i] - 'A' + 'a') : text[i];
    pool_text(P, buf);
}

static void pool_date(struct pools *P, int32_t d)
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    if (y < 1900 || y > 2100 || P->ndates >= MAX_DATES)
        return;
    for (size_t i = 0; i < P->ndates; i++)
        if (P->dates[i] == d)
            return;
    P->dates[P->ndates++] = d;
}

static void pool_base_date(struct pools *P, int32_t d)
{
    for (size_t i = 0; i < P->nbase_dates; i++)
        if (P->base_dates[i] == d)
            return;
    if (P->nbase_dates < MAX_DATES)
        P->base_dates[P->nbase_dates++] = d;
}

static void pool_duration(struct pools *P, struct duration d)
{
    for (size_t i = 0; i < P->ndurations; i++)
        if (P->durations[i].months == d.months && P->durations[i].days == d.days)
            return;
    if (P->ndurations < MAX_DURATIONS)
        P->durations[P->ndurations++] = d;
}

static void pool_number(struct pools *P, int64_t n)
{
    for (size_t i = 0; i < P->nnumbers; i++)
        if (P->numbers[i] == n)
            return;
    if (P->nnumbers < MAX_NUMBERS)
        P->numbers[P->nnumbers++] = n;
}

static void collect_literal(struct pools *P, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_NUMBER: pool_number(P, e->u.number); break;
    case EXPR_TEXT:
        text_from_policy = true;
        pool_text_cases(P, e->u.text.ptr);
        text_from_policy = false;
        break;
    case EXPR_DATE: pool_base_date(P, e->u.date); break;
    case EXPR_DURATION: pool_duration(P, e->u.duration); break;
    case EXPR_CITATION: pool_base_citation(P, e->u.citation); break;
    default: break;
    }
}

static void collect_expr(struct pools *P, const struct expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case EXPR_SET_LITERAL:
        for (size_t i = 0; i < e->u.items.len; i++)
            collect_literal(P, e->u.items.items[i]);
        break;
    case EXPR_NOT:
    case EXPR_IS_KNOWN:
    case EXPR_IS_UNKNOWN:
    case EXPR_AGE_AT:
        collect_expr(P, e->u.operand);
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COMPARE:
    case EXPR_IN:
    case EXPR_ADD:
    case EXPR_SUB:
    case EXPR_YEARS_BETWEEN:
        collect_expr(P, e->u.bin.left);
        collect_expr(P, e->u.bin.right);
        break;
    case EXPR_AGGREGATE:
        collect_expr(P, e->u.agg.where);
        break;
    default:
        collect_literal(P, e);
        break;
    }
}

static void build_pools(struct pools *P, const struct merged_policy *m)
{
    memset(P, 0, sizeof *P);
    P->current_group = 0;
    for (size_t i = 0; i < m->params.len; i++)
        collect_literal(P, ((const struct param_decl *)m->params.items[i])->value);
    for (size_t i = 0; i < m->sets.len; i++) {
        const struct set_decl *s = m->sets.items[i];
        P->current_group++;
        for (size_t j = 0; j < s->items.len; j++)
            collect_literal(P, s->items.items[j]);
    }
    for (size_t i = 0; i < m->rules.len; i++) {
        const struct rule_decl *r = m->rules.items[i];
        P->current_group++;
        collect_expr(P, r->when);
        collect_expr(P, r->unless);
    }
    P->current_group++;
    for (size_t i = 0; i < m->examples.len; i++) {
        const struct example_decl *ex = m->examples.items[i];
        if (ex->has_as_of)
            pool_base_date(P, ex->as_of);
        for (size_t k = 0; k < ex->person_fields.len; k++)
            collect_literal(P, ((const struct example_field *)ex->person_fields.items[k])->value);
        for (size_t j = 0; j < ex->convictions.len; j++) {
            const struct example_conviction *c = ex->convictions.items[j];
            pool_base_citation(P, c->citation);
            for (size_t k = 0; k < c->fields.len; k++)
                collect_literal(P, ((const struct example_field *)c->fields.items[k])->value);
        }
    }

    /* citations: each one written, its section, two subsections of it, and a sibling */
    for (size_t i = 0; i < P->nbase; i++) {
        const struct citation *c = &P->base[i];
        uint16_t g = P->base_group[i];
        char buf[160];
        pool_citation(P, c->text, g);
        snprintf(buf, sizeof buf, "%.*s", (int)c->ends[0], c->text);
        pool_citation(P, buf, g);
        snprintf(buf, sizeof buf, "%s(a)", c->text);
        pool_citation(P, buf, g);
        snprintf(buf, sizeof buf, "%s(b)(2)", c->text);
        pool_citation(P, buf, g);
        if (c->depth > 1) {
            snprintf(buf, sizeof buf, "%.*s(zz)", (int)c->ends[c->depth - 2], c->text);
            pool_citation(P, buf, g);
        }
    }
    uint16_t unrelated_group = (uint16_t)(P->current_group + 1);
    static const char *const unrelated[] = {"PC 459", "VC 23152(a)", "PC 148", "HS 11357.5", "HS 1135",
                                            "PC 187", "HS 11360(a)(2)", "PC 245(d)(2)", "VC 10851"};
    for (size_t i = 0; i < sizeof unrelated / sizeof unrelated[0]; i++)
        pool_citation(P, unrelated[i], unrelated_group);

    static const char *const counties[] = {"Los Angeles", "LOS ANGELES", "los angeles", "Orange",
                                           "Kern", "KERN", "Fresno", "San Diego", "Los Angeles County"};
    for (size_t i = 0; i < sizeof counties / sizeof counties[0]; i++)
        pool_text(P, counties[i]);

    pool_number(P, 0);
    pool_number(P, 18);
    pool_number(P, 21);
    pool_duration(P, (struct duration){12, 0});
    pool_duration(P, (struct duration){6, 0});
    pool_duration(P, (struct duration){0, 30});

    /* dates: each one written, the days either side, and each moved by each duration written */
    for (size_t i = 0; i < P->nbase_dates; i++) {
        int32_t d = P->base_dates[i];
        pool_date(P, d);
        pool_date(P, d - 1);
        pool_date(P, d + 1);
    }
    for (size_t i = 0; i < P->nbase_dates; i++)
        for (size_t j = 0; j < P->ndurations; j++)
            for (int rule = DATE_ROUND_DOWN; rule <= DATE_ROUND_UP; rule++) {
                int32_t back = date_sub(P->base_dates[i], P->durations[j], (enum date_month_end)rule);
                int32_t on = date_add(P->base_dates[i], P->durations[j], (enum date_month_end)rule);
                pool_date(P, back);
                pool_date(P, back - 1);
                pool_date(P, on);
                pool_date(P, on + 1);
            }
}

static void free_pools(struct pools *P)
{
    for (size_t i = 0; i < P->ntexts; i++)
        free(P->texts[i]);
    P->ntexts = 0;
}

/* ---- random people ------------------------------------------------------ */

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;
    bool ok = date_from_ymd(y, m, d, &out);
    assert_true(ok);
    return out;
}

static int32_t uniform_date(struct rng *r, int from_year, int to_year)
{
    int32_t lo = ymd(from_year, 1, 1), hi = ymd(to_year, 12, 31);
    return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* A month end, a leap day, or the first of a month: where the month-end rule matters. */
static int32_t month_end_date(struct rng *r)
{
    int y = 1960 + (int)rng_below(r, 66);
    int m = 1 + (int)rng_below(r, 12);
    switch (rng_below(r, 4)) {
    case 0: return ymd(y - y % 4, 2, 29); /* 1960..2024: every fourth year is a leap year */
    case 1: return ymd(y, m, 1);
    default: return ymd(y, m, date_days_in_month(y, m));
    }
}

static int32_t random_date(struct rng *r, const struct pools *P)
{
    uint32_t k = rng_below(r, 10);
    if (k < 4 || P->ndates == 0)
        return uniform_date(r, 1960, 2025);
    if (k < 6)
        return month_end_date(r);
    return P->dates[rng_below(r, (uint32_t)P->ndates)];
}

static struct duration random_duration(struct rng *r, const struct pools *P)
{
    if (P->ndurations && rng_percent(r, 40))
        return P->durations[rng_below(r, (uint32_t)P->ndurations)];
    struct duration d = {0, 0};
    switch (rng_below(r, 4)) {
    case 0: d.months = 12 * (int32_t)rng_below(r, 12); break;
    case 1: d.months = (int32_t)rng_below(r, 40); break;
    case 2: d.days = (int32_t)rng_below(r, 400); break;
    default: d.months = (int32_t)rng_below(r, 120); d.days = (int32_t)rng_below(r, 31); break;
    }
    return d;
}

static int64_t random_number(struct rng *r, const struct pools *P)
{
    if (P->nnumbers && rng_percent(r, 70)) {
        int64_t n = P->numbers[rng_below(r, (uint32_t)P->nnumbers)];
        int64_t near = n + (int64_t)rng_below(r, 3) - 1; /* the number, or one either side */
        return near < 0 ? n : near;
    }
    return (int64_t)rng_below(r, 100);
}

static void add_text(struct person *p, const char *text, struct text_ref *out)
{
    bool ok = person_add_text(p, text, strlen(text), out);
    assert_true(ok);
}

/*
 * The offence as a record writes it: a text of the policy, alone or with the
 * DOJ's words after it, or the citation's section and subsections in either
 * letter case ("11357(b)HS-POSSESS MARIJUANA", "11357(B)HS-...").
 */
static void random_offense_text(struct rng *r, const struct pools *P, struct conviction *c, struct person *p)
{
    static const char *const tails[] = {"", "HS-POSSESS MARIJUANA", " HS-SELL/ETC MARIJUANA", "-CULTIVATE"};
    char buf[320];
    const char *tail = tails[rng_below(r, 4)];
    if (rng_percent(r, 50)) {
        snprintf(buf, sizeof buf, "%s%s", random_text(r, P), tail);
    } else {
        const struct citation *cit = random_citation(r, P);
        const char *section = strchr(cit->text, ' ');
        snprintf(buf, sizeof buf, "%s%s", section ? section + 1 : cit->text, tail);
        if (rng_percent(r, 50))
            for (char *q = buf; *q; q++)
                if (*q >= 'a' && *q <= 'z')
                    *q = (char)(*q - 'a' + 'A');
    }
    add_text(p, buf, &c->key);
}

struct run_date {
    bool known;
    int32_t date;
};

/* What a person's records share: a few case and cycle numbers, mostly one county. */
struct person_style {
    uint32_t ncase, ncycle, case_base, cycle_base;
    const char *home_county;
};

static void random_record(struct rng *r, const struct pools *P, const struct person_style *st, struct person *p,
                          struct conviction *c)
{
    static const char *const case_ids[] = {"A", "B", "C", "a", "CR-1", "cr-1"};
    static const char *const cycle_ids[] = {"1", "2", "3", "x", "X"};
    if (rng_percent(r, 98)) {
        c->citation = *random_citation(r, P);
        c->known |= 1u << FACT_CITATION;
    }
    if (rng_percent(r, 85)) {
        c->level = (uint8_t)(1 + rng_below(r, 3));
        c->known |= 1u << FACT_LEVEL;
    }
    if (rng_percent(r, 85)) {
        c->disposition_date = random_date(r, P);
        c->known |= 1u << FACT_DISPOSITION_DATE;
    }
    if (rng_percent(r, 85)) {
        c->sentence = random_duration(r, P);
        c->known |= 1u << FACT_SENTENCE;
    }
    if (rng_percent(r, 85)) {
        add_text(p, rng_percent(r, 70) ? st->home_county : random_text(r, P), &c->county);
        c->known |= 1u << FACT_COUNTY;
    }
    if (rng_percent(r, 85)) {
        add_text(p, case_ids[(st->case_base + rng_below(r, st->ncase)) % 6], &c->case_id);
        c->known |= 1u << FACT_CASE_ID;
    }
    if (rng_percent(r, 85)) {
        add_text(p, cycle_ids[(st->cycle_base + rng_below(r, st->ncycle)) % 5], &c->cycle_id);
        c->known |= 1u << FACT_CYCLE_ID;
    }
    if (rng_percent(r, 85)) {
        random_offense_text(r, P, c, p);
        c->known |= 1u << FACT_OFFENSE_TEXT;
    }
    /* the record's other words, as written: texts of the policy (or a case variant) or any */
    const struct { unsigned fact; struct text_ref *ref; } words[] = {
        {FACT_OFFENSE_SECTION, &c->offense_section}, {FACT_COMMENT_TEXT, &c->comment_text},
        {FACT_OFN, &c->ofn}, {FACT_STEP_TYPE, &c->step_type}, {FACT_CLASS, &c->offense_class},
        {FACT_SUBSTANCE, &c->substance}, {FACT_CUSTODY_STATUS, &c->custody_status}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (rng_percent(r, 70)) {
            add_text(p, random_text(r, P), words[k].ref);
            c->known |= 1u << words[k].fact;
        }
    if (rng_percent(r, 85)) {
        bool follows = (c->known & (1u << FACT_DISPOSITION_DATE)) && (c->known & (1u << FACT_SENTENCE)) &&
                       rng_percent(r, 50);
        c->sentence_end = follows ? date_add(c->disposition_date, c->sentence, DATE_ROUND_DOWN) : random_date(r, P);
        c->known |= 1u << FACT_SENTENCE_END;
    }
    if (rng_percent(r, 85)) {
        c->offense_date = random_date(r, P);
        c->known |= 1u << FACT_OFFENSE_DATE;
    }
    /* weights around the limits laws draw (28.5 g, an ounce, 8 g), and plant counts around six */
    static const int64_t grams_thousandths[] = {500, 8000, 28349, 28350, 28500, 28501, 56699, 100000, 453592};
    if (rng_percent(r, 70)) {
        c->quantity.amount = grams_thousandths[rng_below(r, 9)] * 1000000000LL;
        c->quantity.dim = QUANTITY_MASS;
        c->known |= 1u << FACT_QUANTITY;
    }
    if (rng_percent(r, 70)) {
        c->plant_count.amount = (int64_t)rng_below(r, 13);
        c->plant_count.dim = QUANTITY_PLANTS;
        c->known |= 1u << FACT_PLANT_COUNT;
    }
}

/*
 * Half the people's records also list their charges: each conviction's own
 * charge (the same input row; now and then one is missing), and a few charges
 * that ended without a conviction, in any order.
 */
static void random_charges(struct rng *r, const struct pools *P, const struct person_style *st, struct person *p)
{
    if (!rng_percent(r, 50))
        return;
    for (uint32_t i = 0; i < p->count; i++) {
        if (!rng_percent(r, 90))
            continue;
        struct conviction *c = person_add_charge(p, 1000);
        assert_non_null(c);
        *c = p->convictions[i];
    }
    uint32_t extra = rng_below(r, 4);
    for (uint32_t k = 0; k < extra; k++) {
        struct conviction *c = person_add_charge(p, 1000);
        assert_non_null(c);
        c->row = 1000 + k;
        random_record(r, P, st, p, c);
    }
    p->has_charges = true; /* even when every one was left out: then there are none */
    for (uint32_t i = p->ncharges; i > 1; i--) {
        uint32_t j = rng_below(r, i);
        struct conviction t = p->charges[i - 1];
        p->charges[i - 1] = p->charges[j];
        p->charges[j] = t;
    }
}

static void random_person(struct rng *r, const struct pools *P, uint32_t serial, struct person *p,
                          struct run_date *run)
{
    person_clear(p);
    p->deceased = false;
    p->sex_offender_registration = false;
    if (rng_percent(r, 90)) {
        char id[32];
        snprintf(id, sizeof id, "P%u", serial);
        add_text(p, id, &p->id);
        p->known |= 1u << FACT_ID;
    }
    /* Most people use a few case and cycle numbers, so "in the same case" finds something. */
    struct person_style st = {
        .ncase = 1 + rng_below(r, 3),
        .ncycle = 1 + rng_below(r, 3),
        .case_base = rng_below(r, 6),
        .cycle_base = rng_below(r, 5),
        .home_county = random_text(r, P),
    };
    uint32_t n = 1 + rng_below(r, MAX_CONVICTIONS_PER_PERSON);
    for (uint32_t i = 0; i < n; i++) {
        struct conviction *c = person_add_conviction(p, 1000);
        assert_non_null(c);
        c->row = i + 1;
        random_record(r, P, &st, p, c);
    }
    random_charges(r, P, &st, p);
    /* Born some whole number of years before a disposition date (give or take a day), or anywhen. */
    if (rng_percent(r, 85)) {
        const struct conviction *c = &p->convictions[rng_below(r, n)];
        if ((c->known & (1u << FACT_DISPOSITION_DATE)) && rng_percent(r, 60)) {
            int64_t years = random_number(r, P);
            if (years < 0 || years > 90)
                years = 21;
            int32_t born = date_sub(c->disposition_date, (struct duration){(int32_t)years * 12, 0},
                                    rng_percent(r, 50) ? DATE_ROUND_DOWN : DATE_ROUND_UP);
            p->date_of_birth = born + (int32_t)rng_below(r, 3) - 1;
        } else if (P->ndates && rng_percent(r, 40)) {
            p->date_of_birth = P->dates[rng_below(r, (uint32_t)P->ndates)]; /* a date the policy names, 2000-02-29 */
        } else {
            p->date_of_birth = rng_percent(r, 15) ? month_end_date(r) : uniform_date(r, 1935, 2010);
        }
        p->known |= 1u << FACT_DATE_OF_BIRTH;
    }
    if (rng_percent(r, 85)) {
        p->deceased = rng_percent(r, 30);
        p->known |= 1u << FACT_DECEASED;
    }
    if (rng_percent(r, 85)) {
        p->sex_offender_registration = rng_percent(r, 30);
        p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION;
    }
    if (rng_percent(r, 50)) {
        p->sex_offender_registration_date = random_date(r, P);
        p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION_DATE;
    }
    run->known = rng_percent(r, 75);
    run->date = 0;
    if (run->known) {
        const struct conviction *c = &p->convictions[rng_below(r, n)];
        if ((c->known & (1u << FACT_DISPOSITION_DATE)) && rng_percent(r, 50)) {
            /* some years, or a duration the policy names, after a disposition date, give or take a day */
            struct duration later = {0, 0};
            if (P->ndurations && rng_percent(r, 50)) {
                later = P->durations[rng_below(r, (uint32_t)P->ndurations)];
            } else {
                int64_t years = random_number(r, P);
                later.months = (int32_t)(years < 0 || years > 90 ? 10 : years) * 12;
            }
            run->date = date_add(c->disposition_date, later, rng_percent(r, 50) ? DATE_ROUND_DOWN : DATE_ROUND_UP) +
                        (int32_t)rng_below(r, 3) - 1;
        } else {
            run->date = rng_percent(r, 50) ? random_date(r, P) : uniform_date(r, 2000, 2030);
        }
    }
}

/* ---- parameters --------------------------------------------------------- */

struct override {
    struct value values[64];        /* for the reference */
    char texts[64][96];             /* what vm_set_param was given; TEXT values point into the pools */
    struct citation citations[64];
    uint32_t n;
};

/* A random valid value for every parameter, set on each VM and recorded for the reference. */
static void override_params(struct rng *r, const struct pools *P, const struct merged_policy *m, struct vm **vms,
                            size_t nvms, struct override *o)
{
    static const char *const level_words_any_case[] = {"", "felony", "MISDEMEANOR", "Infraction"};
    assert_true(m->params.len <= 64);
    o->n = (uint32_t)m->params.len;
    for (uint32_t i = 0; i < o->n; i++) {
        const struct param_decl *d = m->params.items[i];
        if (d->periods.len > 0)
            continue; /* a dated parameter's values are the policy's own: lenity run cannot set them */
        struct value *v = &o->values[i];
        char *text = o->texts[i];
        memset(v, 0, sizeof *v);
        v->fact = FACT_NONE;
        switch (d->value->kind) {
        case EXPR_BOOL: {
            static const char *const words[] = {"false", "true", "no", "yes"};
            uint32_t k = rng_below(r, 4);
            v->type = TYPE_BOOL;
            v->as.number = k & 1u;
            snprintf(text, 96, "%s", words[k]);
            break;
        }
        case EXPR_NUMBER:
            v->type = TYPE_NUMBER;
            v->as.number = random_number(r, P);
            snprintf(text, 96, "%lld", (long long)v->as.number);
            break;
        case EXPR_TEXT: {
            const char *t = random_text(r, P);
            v->type = TYPE_TEXT;
            v->as.text.ptr = t;
            v->as.text.len = (uint32_t)strlen(t);
            snprintf(text, 96, "%s", t);
            break;
        }
        case EXPR_DATE:
            v->type = TYPE_DATE;
            v->as.date = random_date(r, P);
            date_format_iso(v->as.date, text);
            break;
        case EXPR_DURATION: {
            int32_t years = (int32_t)rng_below(r, 12), months = (int32_t)rng_below(r, 12),
                    days = (int32_t)rng_below(r, 40);
            size_t used = 0;
            text[0] = '\0';
            if (years)
                used += (size_t)snprintf(text + used, 96 - used, "%d year%s", years, years == 1 ? "" : "s");
            if (months)
                used += (size_t)snprintf(text + used, 96 - used, "%s%d month%s", used ? " " : "", months,
                                         months == 1 ? "" : "s");
            if (days || used == 0)
                used += (size_t)snprintf(text + used, 96 - used, "%s%d day%s", used ? " " : "", days,
                                         days == 1 ? "" : "s");
            v->type = TYPE_DURATION;
            v->as.duration = (struct duration){years * 12 + months, days};
            break;
        }
        case EXPR_CITATION:
            o->citations[i] = *random_citation(r, P);
            v->type = TYPE_CITATION;
            v->as.citation = &o->citations[i];
            {
                /* not snprintf: gcc cannot see that the texts and the citations never overlap */
                size_t n = strnlen(o->citations[i].text, 95);
                memcpy(text, o->citations[i].text, n);
                text[n] = '\0';
            }
            break;
        case EXPR_LEVEL:
            v->type = TYPE_LEVEL;
            v->as.number = 1 + rng_below(r, 3);
            snprintf(text, 96, "%s", level_words_any_case[v->as.number]);
            break;
        case EXPR_QUANTITY:
            v->type = TYPE_QUANTITY;
            v->as.quantity.dim = d->value->u.quantity.dim;
            if (v->as.quantity.dim == QUANTITY_PLANTS) {
                v->as.quantity.amount = (int64_t)rng_below(r, 13);
                snprintf(text, 96, "%lld plants", (long long)v->as.quantity.amount);
            } else {
                int64_t tenths = (int64_t)rng_below(r, 600);
                v->as.quantity.amount = tenths * 100000000000LL;
                snprintf(text, 96, "%lld.%lld grams", (long long)(tenths / 10), (long long)(tenths % 10));
            }
            break;
        default:
            fail_msg("parameter '%s' has a value of no known kind", d->name);
        }
        for (size_t k = 0; k < nvms; k++) {
            char err[512];
            if (!vm_set_param(vms[k], d->name, text, err, sizeof err))
                fail_msg("vm_set_param %s=%s: %s", d->name, text, err);
        }
    }
}

/* ---- printing a disagreement -------------------------------------------- */

static const char *fact_words(uint16_t fact)
{
    if (fact == FACT_NONE)
        return "(none)";
    if (fact == FACT_RUN_DATE)
        return "run_date";
    if (fact == FACT_NO_PERIOD)
        return "(a dated parameter with no value on the date)";
    if (fact == FACT_NOT_IN_TABLE)
        return "(a citation the table does not list)";
    return vm_fact_name(fact);
}

static void print_date(FILE *f, int32_t d)
{
    char buf[16];
    date_format_iso(d, buf);
    fputs(buf, f);
}

static void print_record(FILE *f, const struct person *p, const struct conviction *c)
{
    char buf[64];
    fprintf(f, "row %llu: citation %s", (unsigned long long)c->row,
            c->known & (1u << FACT_CITATION) ? c->citation.text : "unknown");
    fprintf(f, ", level %s", c->known & (1u << FACT_LEVEL) ? level_words((enum level)c->level) : "unknown");
    fputs(", disposition_date ", f);
    if (c->known & (1u << FACT_DISPOSITION_DATE))
        print_date(f, c->disposition_date);
    else
        fputs("unknown", f);
    if (c->known & (1u << FACT_SENTENCE)) {
        duration_format(c->sentence, buf, sizeof buf);
        fprintf(f, ", sentence %s (%d months %d days)", buf, c->sentence.months, c->sentence.days);
    } else {
        fputs(", sentence unknown", f);
    }
    fputs(", sentence_end ", f);
    if (c->known & (1u << FACT_SENTENCE_END))
        print_date(f, c->sentence_end);
    else
        fputs("unknown", f);
    const struct { unsigned fact; struct text_ref ref; const char *name; } texts[] = {
        {FACT_COUNTY, c->county, "county"}, {FACT_CASE_ID, c->case_id, "case_id"},
        {FACT_CYCLE_ID, c->cycle_id, "cycle_id"}, {FACT_OFFENSE_TEXT, c->key, "offense_text"},
        {FACT_OFFENSE_SECTION, c->offense_section, "offense_section"},
        {FACT_COMMENT_TEXT, c->comment_text, "comment_text"}, {FACT_OFN, c->ofn, "ofn"},
        {FACT_STEP_TYPE, c->step_type, "step_type"}, {FACT_CLASS, c->offense_class, "class"},
        {FACT_SUBSTANCE, c->substance, "substance"}, {FACT_CUSTODY_STATUS, c->custody_status, "custody_status"}};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        if (c->known & (1u << texts[k].fact))
            fprintf(f, ", %s \"%s\"", texts[k].name, person_text(p, texts[k].ref));
        else
            fprintf(f, ", %s unknown", texts[k].name);
    }
    fputc('\n', f);
}

static void print_person(FILE *f, const struct person *p, uint32_t decided, const struct run_date *run)
{
    fprintf(f, "  run date: ");
    if (run->known)
        print_date(f, run->date);
    else
        fputs("unknown", f);
    fprintf(f, "\n  person: id ");
    if (p->known & (1u << FACT_ID))
        fprintf(f, "\"%s\"", person_text(p, p->id));
    else
        fputs("unknown", f);
    fputs(", born ", f);
    if (p->known & (1u << FACT_DATE_OF_BIRTH))
        print_date(f, p->date_of_birth);
    else
        fputs("unknown", f);
    fprintf(f, ", deceased %s", p->known & (1u << FACT_DECEASED) ? (p->deceased ? "true" : "false") : "unknown");
    fprintf(f, ", sex_offender_registration %s",
            p->known & (1u << FACT_SEX_OFFENDER_REGISTRATION) ? (p->sex_offender_registration ? "true" : "false")
                                                              : "unknown");
    fputs(", sex_offender_registration_date ", f);
    if (p->known & (1u << FACT_SEX_OFFENDER_REGISTRATION_DATE))
        print_date(f, p->sex_offender_registration_date);
    else
        fputs("unknown", f);
    fputc('\n', f);
    for (uint32_t i = 0; i < p->count; i++) {
        fprintf(f, "  conviction %u%s, ", i, i == decided ? " (decided)" : "");
        print_record(f, p, &p->convictions[i]);
    }
    if (!p->has_charges)
        fprintf(f, "  (the record lists no charges)\n");
    for (uint32_t i = 0; i < p->ncharges; i++) {
        fprintf(f, "  charge %u, ", i);
        print_record(f, p, &p->charges[i]);
    }
}

static void print_answer(FILE *f, const char *who, const struct merged_policy *m, uint32_t rule, uint32_t outcome,
                         bool unknown, uint16_t fact)
{
    const char *rule_name = rule < m->rules.len ? ((const struct rule_decl *)m->rules.items[rule])->name
                            : rule == m->rules.len ? "otherwise (built in)"
                                                   : "?";
    const char *outcome_name =
        outcome < m->outcomes.len ? ((const struct outcome_decl *)m->outcomes.items[outcome])->name : "?";
    fprintf(f, "  %-10s rule %u '%s', outcome %u '%s', unknown %s, missing fact %s\n", who, rule, rule_name, outcome,
            outcome_name, unknown ? "yes" : "no", fact_words(unknown ? fact : FACT_NONE));
    if (!unknown && fact != FACT_NONE)
        fprintf(f, "  %-10s (and a missing fact %s although the condition was known)\n", who, fact_words(fact));
}

/* ---- one policy ---------------------------------------------------------- */

struct policy_case {
    char *path;
    uint64_t seed;
};

struct stats {
    uint64_t compared, compared_default, compared_override;
    uint64_t disagreements;
    const char *unsupported; /* what the reference evaluator met and does not know */
    uint64_t *decided_by;   /* per rule (program numbering): conditions true */
    uint64_t *unknown_at;   /* per rule: conditions unknown */
};

static bool same_answer(const struct ref_decision *r, const struct decision *v)
{
    return r->rule == v->rule && r->outcome == v->outcome && r->unknown == v->unknown &&
           r->missing_fact == v->missing_fact && r->has_eligible_from == v->has_eligible_from &&
           r->eligible_from == v->eligible_from;
}

static void compare_person(const struct policy_case *pc, const struct compile_tree *tree, struct vm **vms,
                           const char *const *vm_names, size_t nvms, const struct person *p,
                           const struct run_date *run, const struct override *o, struct stats *st)
{
    const struct merged_policy *m = &tree->merged;
    for (uint32_t i = 0; i < p->count; i++) {
        struct ref_decision rd;
        ref_decide(tree, p, i, o ? o->values : NULL, run->known, run->date, &rd);
        if (rd.unsupported) {
            st->unsupported = rd.unsupported; /* no answer to compare: the test fails at the end */
            continue;
        }
        bool agree = true;
        struct decision vd[4];
        for (size_t k = 0; k < nvms; k++) {
            vms[k]->as_of_known = run->known;
            vms[k]->as_of = run->date;
            vm_decide(vms[k], p, i, &vd[k]);
            if (!same_answer(&rd, &vd[k]))
                agree = false;
        }
        st->compared++;
        if (o)
            st->compared_override++;
        else
            st->compared_default++;
        if (rd.rule <= m->rules.len)
            (rd.unknown ? st->unknown_at : st->decided_by)[rd.rule]++;
        if (agree)
            continue;
        st->disagreements++;
        if (st->disagreements > MAX_REPORTED)
            continue;
        fprintf(stderr, "\nDISAGREEMENT in %s (seed %llu), conviction %u of person %llu\n", pc->path,
                (unsigned long long)pc->seed, i, (unsigned long long)st->compared);
        if (o) {
            fprintf(stderr, "  parameters overridden:");
            for (uint32_t k = 0; k < o->n; k++)
                fprintf(stderr, " %s=%s", ((const struct param_decl *)m->params.items[k])->name, o->texts[k]);
            fputc('\n', stderr);
        } else {
            fprintf(stderr, "  parameters: the policy's own\n");
        }
        print_person(stderr, p, i, run);
        print_answer(stderr, "reference", m, rd.rule, rd.outcome, rd.unknown, rd.missing_fact);
        for (size_t k = 0; k < nvms; k++)
            print_answer(stderr, vm_names[k], m, vd[k].rule, vd[k].outcome, vd[k].unknown, vd[k].missing_fact);
    }
}

static void test_policy(void **state)
{
    const struct policy_case *pc = *state;
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    opts.extend.include_dirs[0] = "rules";
    opts.extend.ninclude_dirs = 1;
    struct diag diag;
    diag_init(&diag, stderr);

    struct compile_tree tree;
    if (!compile_tree(pc->path, &opts, &diag, &tree)) {
        fprintf(stderr, "%s: does not compile; skipped\n", pc->path);
        skip();
    }
    struct program prog, prog_o0;
    bool ok = compile_policy(pc->path, &opts, &diag, &prog);
    assert_true(ok);
    struct compile_options o0 = opts;
    o0.no_optimize = true;
    ok = compile_policy(pc->path, &o0, &diag, &prog_o0);
    assert_true(ok);
    /* The two compilations must agree on the rules' numbering, or the comparison means nothing. */
    bool has_otherwise = tree.merged.rules.len > 0 &&
                         ((const struct rule_decl *)tree.merged.rules.items[tree.merged.rules.len - 1])->is_otherwise;
    assert_int_equal(prog.nrules, tree.merged.rules.len + (has_otherwise ? 0 : 1));
    assert_int_equal(prog.noutcomes, tree.merged.outcomes.len);

    struct vm vm, vm_o0;
    assert_true(vm_init(&vm, &prog));
    assert_true(vm_init(&vm_o0, &prog_o0));
    struct vm *vms[] = {&vm, &vm_o0};
    const char *const vm_names[] = {"vm", "vm -O0"};

    struct pools *P = calloc(1, sizeof *P);
    assert_non_null(P);
    build_pools(P, &tree.merged);
    struct stats st;
    memset(&st, 0, sizeof st);
    st.decided_by = calloc(prog.nrules + 1, sizeof *st.decided_by);
    st.unknown_at = calloc(prog.nrules + 1, sizeof *st.unknown_at);
    assert_non_null(st.decided_by);
    assert_non_null(st.unknown_at);

    struct rng r;
    rng_seed(&r, pc->seed);
    struct person person;
    person_init(&person);
    struct run_date run;
    uint32_t serial = 0;
    while (st.compared_default < DEFAULT_CONVICTIONS) {
        random_person(&r, P, serial++, &person, &run);
        compare_person(pc, &tree, vms, vm_names, 2, &person, &run, NULL, &st);
    }
    struct override *o = calloc(1, sizeof *o);
    assert_non_null(o);
    for (uint32_t round = 0; round < OVERRIDE_ROUNDS && tree.merged.params.len > 0; round++) {
        override_params(&r, P, &tree.merged, vms, 2, o);
        uint64_t until = st.compared_override + OVERRIDE_CONVICTIONS;
        while (st.compared_override < until) {
            random_person(&r, P, serial++, &person, &run);
            compare_person(pc, &tree, vms, vm_names, 2, &person, &run, o, &st);
        }
    }

    printf("%s: %llu convictions compared (%llu with the policy's parameters, %llu with %u random overrides of "
           "its %zu parameters), %llu disagreements\n",
           pc->path, (unsigned long long)st.compared, (unsigned long long)st.compared_default,
           (unsigned long long)st.compared_override, tree.merged.params.len ? OVERRIDE_ROUNDS : 0,
           tree.merged.params.len, (unsigned long long)st.disagreements);
    printf("  decided by rule (true / unknown):");
    for (uint32_t i = 0; i < prog.nrules; i++)
        printf(" %s %llu/%llu", program_str(&prog, prog.rules[i].name), (unsigned long long)st.decided_by[i],
               (unsigned long long)st.unknown_at[i]);
    printf("\n");
    fflush(stdout);

    uint64_t disagreements = st.disagreements;
    const char *unsupported = st.unsupported;
    free(o);
    free(st.decided_by);
    free(st.unknown_at);
    person_free(&person);
    free_pools(P);
    free(P);
    vm_free(&vm);
    vm_free(&vm_o0);
    program_free(&prog);
    program_free(&prog_o0);
    compile_tree_free(&tree);
    if (unsupported)
        fail_msg("%s uses %s that tests/reference/ref_eval.c does not know yet: teach it there (from the "
                 "language description, not from vm.c), so that this test can compare it",
                 pc->path, unsupported);
    if (disagreements)
        fail_msg("%s: the VM and the reference evaluator disagree on %llu convictions (the first %d are above)",
                 pc->path, (unsigned long long)disagreements, MAX_REPORTED);
}

/* ---- finding the policies ------------------------------------------------- */

struct path_list {
    char **items;
    size_t len, cap;
};

static void find_policies(const char *dir, struct path_list *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(ent->d_name) + 2;
        char *path = malloc(len);
        if (!path)
            abort();
        snprintf(path, len, "%s/%s", dir, ent->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            find_policies(path, out);
            free(path);
            continue;
        }
        size_t n = strlen(ent->d_name);
        if (!S_ISREG(sb.st_mode) || n < 8 || strcmp(ent->d_name + n - 7, ".policy") != 0) {
            free(path);
            continue;
        }
        if (out->len == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 16;
            out->items = realloc(out->items, out->cap * sizeof *out->items);
            if (!out->items)
                abort();
        }
        out->items[out->len++] = path;
    }
    closedir(d);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_policies_found(void **state)
{
    const struct path_list *list = *state;
    /* rules/ca/prop64.policy, examples/county.policy and tests/policies/: run from the repository root */
    if (list->len < 3)
        fail_msg("found %zu policies under rules/, examples/ and tests/policies/; run the test from the "
                 "repository root", list->len);
}

/* A fact added to fact_list.h must be taught to the reference evaluator too. */
static void test_reference_knows_every_fact(void **state)
{
    (void)state;
    for (unsigned f = 0; f < FACT__COUNT; f++)
        if (!ref_fact_named(vm_fact_name(f), OWN_CONVICTION) && !ref_fact_named(vm_fact_name(f), OWN_PERSON))
            fail_msg("the fact '%s' is new: add it to tests/reference/ref_eval.c (ref_facts, conviction_fact or "
                     "person_fact) and to the generator here (random_record or random_person)",
                     vm_fact_name(f));
}

int main(void)
{
    struct path_list list = {0};
    find_policies("rules", &list);
    find_policies("examples", &list);
    find_policies("tests/policies", &list);
    qsort(list.items, list.len, sizeof *list.items, compare_paths);

    size_t n = list.len + 2;
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    struct policy_case *cases = calloc(list.len ? list.len : 1, sizeof *cases);
    if (!tests || !cases)
        abort();
    tests[0].name = "policies found";
    tests[0].test_func = test_policies_found;
    tests[0].initial_state = &list;
    tests[1].name = "the reference knows every fact";
    tests[1].test_func = test_reference_knows_every_fact;
    for (size_t i = 0; i < list.len; i++) {
        cases[i].path = list.items[i];
        cases[i].seed = 1 + i;
        tests[i + 2].name = list.items[i];
        tests[i + 2].test_func = test_policy;
        tests[i + 2].initial_state = &cases[i];
    }
    clock_t start = clock();
    int failed = _cmocka_run_group_tests("differential", tests, n, NULL, NULL);
    fprintf(stderr, "differential: %zu policies in %.1f s of CPU\n", list.len,
            (double)(clock() - start) / CLOCKS_PER_SEC);
    for (size_t i = 0; i < list.len; i++)
        free(list.items[i]);
    free(list.items);
    free(cases);
    free(tests);
    return failed;
}
