/* summary.c - the run's statistics as JSON; see summary.h. */
#include "summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"

#define SUMMARY_MAX_SECTIONS 4096
#define SEVEN_YEARS ((struct duration){84, 0})

struct section_count {
    char section[CITATION_MAX_LEN + 1]; /* "HS 11357": code and section, no subsection */
    uint64_t *per_outcome;
};

/* A row of the report's tables: a label and its counts by outcome. */
struct tally {
    char label[SUMMARY_LABEL];
    uint64_t *per_outcome;  /* into summary.counts */
    uint64_t total;
};

#define TALLY_FIRST_YEAR 1900
#define TALLY_YEARS 201          /* 1900 to 2100 */
#define TALLY_MAX_SECTIONS 256
#define TALLY_MAX_COUNTIES 128   /* California has 58 */

struct summary {
    const struct program *p;
    /* every decided conviction, for the report: [0, n) named rows, then "not given", then "other" */
    struct tally by_section[TALLY_MAX_SECTIONS + 2], by_county[TALLY_MAX_COUNTIES + 2], by_year[TALLY_YEARS + 2];
    uint32_t nby_section, nby_county;
    uint64_t *counts;        /* the tallies' per-outcome counts, one block */
    uint64_t *per_rule_relief;       /* [rule]: relief decisions made by it */
    struct section_count *sections;
    uint32_t nsections;
    uint64_t sections_overflow;      /* judged convictions past SUMMARY_MAX_SECTIONS sections */
    uint64_t judged, people_judged, people_with_relief, people_all_felonies_relieved,
        people_all_convictions_relieved, people_no_unrelieved_conviction_in_7_years;
    bool have_earliest;
    int32_t earliest;
};

struct summary *summary_new(const struct program *p)
{
    struct summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    s->per_rule_relief = calloc(p->nrules ? p->nrules : 1, sizeof *s->per_rule_relief);
    s->sections = calloc(SUMMARY_MAX_SECTIONS, sizeof *s->sections);
    size_t ntallies = (TALLY_MAX_SECTIONS + 2) + (TALLY_MAX_COUNTIES + 2) + (TALLY_YEARS + 2);
    size_t noutcomes = p->noutcomes ? p->noutcomes : 1;
    s->counts = calloc(ntallies * noutcomes, sizeof *s->counts);
    if (!s->per_rule_relief || !s->sections || !s->counts) {
        summary_free(s);
        return NULL;
    }
    uint64_t *next = s->counts;
    struct tally *tables[] = {s->by_section, s->by_county, s->by_year};
    size_t sizes[] = {TALLY_MAX_SECTIONS + 2, TALLY_MAX_COUNTIES + 2, TALLY_YEARS + 2};
    for (size_t t = 0; t < 3; t++)
        for (size_t i = 0; i < sizes[t]; i++) {
            tables[t][i].per_outcome = next;
            next += noutcomes;
        }
    snprintf(s->by_section[TALLY_MAX_SECTIONS].label, SUMMARY_LABEL, "(no citation)");
    snprintf(s->by_section[TALLY_MAX_SECTIONS + 1].label, SUMMARY_LABEL, "(other sections)");
    snprintf(s->by_county[TALLY_MAX_COUNTIES].label, SUMMARY_LABEL, "(not given)");
    snprintf(s->by_county[TALLY_MAX_COUNTIES + 1].label, SUMMARY_LABEL, "(other counties)");
    for (int y = 0; y < TALLY_YEARS; y++)
        snprintf(s->by_year[y].label, SUMMARY_LABEL, "%d", TALLY_FIRST_YEAR + y);
    snprintf(s->by_year[TALLY_YEARS].label, SUMMARY_LABEL, "(no date)");
    snprintf(s->by_year[TALLY_YEARS + 1].label, SUMMARY_LABEL, "(before 1900 or after 2100)");
    return s;
}

void summary_free(struct summary *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nsections; i++)
        free(s->sections[i].per_outcome);
    free(s->sections);
    free(s->per_rule_relief);
    free(s->counts);
    free(s);
}

static bool is_relief(const struct program *p, const struct decision *d)
{
    return p->outcomes[d->outcome].kind == OUTCOME_RELIEF;
}

static struct section_count *section_of(struct summary *s, const struct citation *c)
{
    char key[CITATION_MAX_LEN + 1];
    snprintf(key, sizeof key, "%.*s", (int)c->ends[0], c->text);
    for (uint32_t i = 0; i < s->nsections; i++)
        if (strcmp(s->sections[i].section, key) == 0)
            return &s->sections[i];
    if (s->nsections >= SUMMARY_MAX_SECTIONS)
        return NULL;
    struct section_count *x = &s->sections[s->nsections];
    x->per_outcome = calloc(s->p->noutcomes, sizeof *x->per_outcome);
    if (!x->per_outcome)
        return NULL;
    snprintf(x->section, sizeof x->section, "%s", key);
    s->nsections++;
    return x;
}

/* The row named label (len bytes) among the first *n of table, added when there is room; else the "other" row. */
static struct tally *tally_named(struct tally *table, uint32_t *n, uint32_t max, const char *label, size_t len)
{
    if (len >= SUMMARY_LABEL)
        len = SUMMARY_LABEL - 1;
    for (uint32_t i = 0; i < *n; i++)
        if (strncmp(table[i].label, label, len) == 0 && table[i].label[len] == '\0')
            return &table[i];
    if (*n >= max)
        return &table[max + 1];
    struct tally *t = &table[(*n)++];
    memcpy(t->label, label, len);
    t->label[len] = '\0';
    return t;
}

static void tally_add(struct tally *t, uint32_t outcome)
{
    t->per_outcome[outcome]++;
    t->total++;
}

/* One decided conviction into the report's three tables. */
static void summary_tally(struct summary *s, const struct person *person, const struct conviction *c, uint32_t outcome)
{
    if (outcome >= s->p->noutcomes)
        return;
    if (c->known & (1u << FACT_CITATION))
        tally_add(tally_named(s->by_section, &s->nby_section, TALLY_MAX_SECTIONS, c->citation.text,
                              c->citation.ends[0]), outcome);
    else
        tally_add(&s->by_section[TALLY_MAX_SECTIONS], outcome);
    if ((c->known & (1u << FACT_COUNTY)) && c->county.len > 0)
        tally_add(tally_named(s->by_county, &s->nby_county, TALLY_MAX_COUNTIES, person_text(person, c->county),
                              c->county.len), outcome);
    else
        tally_add(&s->by_county[TALLY_MAX_COUNTIES], outcome);
    if (c->known & (1u << FACT_DISPOSITION_DATE)) {
        int y, m, d;
        date_to_ymd(c->disposition_date, &y, &m, &d);
        int k = y - TALLY_FIRST_YEAR;
        tally_add(&s->by_year[k >= 0 && k < TALLY_YEARS ? k : TALLY_YEARS + 1], outcome);
    } else {
        tally_add(&s->by_year[TALLY_YEARS], outcome);
    }
}

bool summary_row(const struct summary *s, enum summary_by by, uint32_t i, struct summary_row *out)
{
    const struct tally *t = NULL;
    if (by == SUMMARY_BY_YEAR) {
        /* the years that have convictions, then the two special rows when used */
        for (uint32_t k = 0; k < TALLY_YEARS + 2; k++)
            if (s->by_year[k].total && i-- == 0) {
                t = &s->by_year[k];
                break;
            }
    } else {
        const struct tally *table = by == SUMMARY_BY_SECTION ? s->by_section : s->by_county;
        uint32_t n = by == SUMMARY_BY_SECTION ? s->nby_section : s->nby_county;
        uint32_t max = by == SUMMARY_BY_SECTION ? TALLY_MAX_SECTIONS : TALLY_MAX_COUNTIES;
        if (i < n)
            t = &table[i];
        else
            for (uint32_t k = max; k < max + 2 && !t; k++)
                if (table[k].total && i-- == n)
                    t = &table[k];
    }
    if (!t)
        return false;
    memcpy(out->label, t->label, SUMMARY_LABEL);
    out->per_outcome = t->per_outcome;
    out->total = t->total;
    return true;
}

void summary_person(struct summary *s, struct vm *vm, const struct person *person, const struct decision *decisions)
{
    const struct program *p = s->p;
    bool judged_any = false, relief_any = false, all_felonies = true, all = true, recent_left = false;
    int32_t seven_years_ago = vm->as_of_known ? date_sub(vm->as_of, SEVEN_YEARS, DATE_ROUND_DOWN) : 0;
    for (uint32_t i = 0; i < person->count; i++) {
        const struct conviction *c = &person->convictions[i];
        const struct decision *d = &decisions[i];
        summary_tally(s, person, c, d->outcome);
        bool relief = is_relief(p, d);
        if (!relief) {
            all = false;
            if ((c->known & (1u << FACT_LEVEL)) && c->level == LEVEL_FELONY)
                all_felonies = false;
            if (vm->as_of_known && (!(c->known & (1u << FACT_DISPOSITION_DATE)) ||
                                    c->disposition_date >= seven_years_ago))
                recent_left = true;
        }
        if (!vm_column_scope(vm, person, i, d))
            continue;
        judged_any = true;
        s->judged++;
        if (relief) {
            relief_any = true;
            s->per_rule_relief[d->rule]++;
        }
        if ((c->known & (1u << FACT_DISPOSITION_DATE)) && (!s->have_earliest || c->disposition_date < s->earliest)) {
            s->earliest = c->disposition_date;
            s->have_earliest = true;
        }
        struct section_count *x = (c->known & (1u << FACT_CITATION)) ? section_of(s, &c->citation) : NULL;
        if (x)
            x->per_outcome[d->outcome]++;
        else
            s->sections_overflow++;
    }
    if (!judged_any)
        return;
    s->people_judged++;
    s->people_with_relief += relief_any;
    s->people_all_felonies_relieved += all_felonies;
    s->people_all_convictions_relieved += all;
    s->people_no_unrelieved_conviction_in_7_years += !recent_left;
}

void json_string(FILE *f, const char *s)
{
    putc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            putc(c, f);
    }
    putc('"', f);
}

bool summary_write(const struct summary *s, const char *path, const struct run_totals *t, const char *input,
                   const struct vm *vm, const struct provenance *pv, char *err, size_t errsize)
{
    const struct program *p = s->p;
    struct out_file o;
    if (!out_file_open(&o, path, err, errsize))
        return false;
    FILE *f = o.f;
    char date[16];
    fputs("{\n", f);
    if (pv) {
        fputs("  \"provenance\": ", f);
        provenance_json(f, pv, NULL, false, NULL);
        fputs(",\n", f);
    }
    fputs("  \"policy\": {\"name\": ", f);
    json_string(f, program_str(p, p->name));
    fputs(", \"version\": ", f);
    json_string(f, program_str(p, p->version));
    fputs(", \"approved_by\": ", f);
    const char *approved_by;
    char day[16];
    if (program_approval(p, &approved_by, day)) {
        json_string(f, approved_by);
        fputs(", \"approved_on\": ", f);
        json_string(f, day);
    } else {
        fputs("null, \"approved_on\": null", f);
    }
    fputs(", \"jurisdiction\": ", f);
    json_string(f, program_str(p, p->jurisdiction));
    date_format_iso(p->effective, date);
    fprintf(f, ", \"effective\": \"%s\"},\n", date);
    fputs("  \"input\": ", f);
    json_string(f, input);
    if (vm->as_of_known) {
        date_format_iso(vm->as_of, date);
        fprintf(f, ",\n  \"as_of\": \"%s\",\n", date);
    } else {
        fputs(",\n  \"as_of\": null,\n", f);
    }
    uint64_t accounted = t->convictions_decided + t->rows_other + t->rows_rejected;
    fprintf(f,
            "  \"rows\": {\"read\": %" PRIu64 ", \"decided\": %" PRIu64 ", \"not_convictions\": %" PRIu64
            ", \"rejected\": %" PRIu64 ", \"balanced\": %s},\n",
            t->rows_read, t->convictions_decided, t->rows_other, t->rows_rejected,
            accounted == t->rows_read ? "true" : "false");
    fprintf(f, "  \"people\": %" PRIu64 ",\n  \"outcomes\": {", t->people);
    for (uint32_t o2 = 0; o2 < p->noutcomes; o2++) {
        fputs(o2 ? ", " : "", f);
        json_string(f, program_str(p, p->outcomes[o2].name));
        fprintf(f, ": {\"kind\": \"%s\", \"count\": %" PRIu64 "}",
                outcome_kind_words((enum outcome_kind)p->outcomes[o2].kind), t->per_outcome[o2]);
    }
    fprintf(f, "},\n  \"judged\": {\n    \"convictions\": %" PRIu64 ",\n    \"people\": %" PRIu64 ",\n", s->judged,
            s->people_judged);
    if (s->have_earliest) {
        date_format_iso(s->earliest, date);
        fprintf(f, "    \"earliest_conviction\": \"%s\",\n", date);
    }
    fputs("    \"by_section\": {", f);
    for (uint32_t i = 0; i < s->nsections; i++) {
        fputs(i ? ", " : "", f);
        json_string(f, s->sections[i].section);
        fputs(": {", f);
        bool first = true;
        for (uint32_t o2 = 0; o2 < p->noutcomes; o2++) {
            if (!s->sections[i].per_outcome[o2])
                continue;
            fputs(first ? "" : ", ", f);
            first = false;
            json_string(f, program_str(p, p->outcomes[o2].name));
            fprintf(f, ": %" PRIu64, s->sections[i].per_outcome[o2]);
        }
        fputs("}", f);
    }
    fprintf(f, "},\n    \"outside_listed_sections\": %" PRIu64 ",\n    \"relief_by_reason\": {", s->sections_overflow);
    /*
     * Keyed by the reason as the decisions give it ("{age_threshold} years or
     * older" with its value); rules that give the same reason are one key.
     */
    bool first = true;
    for (uint32_t r = 0; r < p->nrules; r++) {
        if (!s->per_rule_relief[r])
            continue;
        char reason[1024], other[1024];
        rule_reason_with(p, vm->params, r, reason, sizeof reason);
        bool seen = false;
        uint64_t n = s->per_rule_relief[r];
        for (uint32_t r2 = 0; r2 < p->nrules && !seen; r2++) {
            if (r2 == r || !s->per_rule_relief[r2])
                continue;
            rule_reason_with(p, vm->params, r2, other, sizeof other);
            if (strcmp(reason, other) != 0)
                continue;
            if (r2 < r)
                seen = true; /* written with the first rule that gives it */
            else
                n += s->per_rule_relief[r2];
        }
        if (seen)
            continue;
        fputs(first ? "" : ", ", f);
        first = false;
        json_string(f, reason);
        fprintf(f, ": %" PRIu64, n);
    }
    fprintf(f,
            "},\n    \"people_with_some_relief\": %" PRIu64 ",\n    \"people_every_felony_relieved\": %" PRIu64
            ",\n    \"people_every_conviction_relieved\": %" PRIu64
            ",\n    \"people_no_conviction_left_in_last_7_years\": %" PRIu64 "\n  }\n}\n",
            s->people_with_relief, s->people_all_felonies_relieved, s->people_all_convictions_relieved,
            s->people_no_unrelieved_conviction_in_7_years);
    return out_file_commit(&o, err, errsize);
}
