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

struct summary {
    const struct program *p;
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
    if (!s->per_rule_relief || !s->sections) {
        summary_free(s);
        return NULL;
    }
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

void summary_person(struct summary *s, struct vm *vm, const struct person *person, const struct decision *decisions)
{
    const struct program *p = s->p;
    bool judged_any = false, relief_any = false, all_felonies = true, all = true, recent_left = false;
    int32_t seven_years_ago = vm->as_of_known ? date_sub(vm->as_of, SEVEN_YEARS, DATE_ROUND_DOWN) : 0;
    for (uint32_t i = 0; i < person->count; i++) {
        const struct conviction *c = &person->convictions[i];
        const struct decision *d = &decisions[i];
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
    bool first = true;
    for (uint32_t r = 0; r < p->nrules; r++) {
        if (!s->per_rule_relief[r])
            continue;
        fputs(first ? "" : ", ", f);
        first = false;
        json_string(f, program_str(p, p->rules[r].reason));
        fprintf(f, ": %" PRIu64, s->per_rule_relief[r]);
    }
    fprintf(f,
            "},\n    \"people_with_some_relief\": %" PRIu64 ",\n    \"people_every_felony_relieved\": %" PRIu64
            ",\n    \"people_every_conviction_relieved\": %" PRIu64
            ",\n    \"people_no_conviction_left_in_last_7_years\": %" PRIu64 "\n  }\n}\n",
            s->people_with_relief, s->people_all_felonies_relieved, s->people_all_convictions_relieved,
            s->people_no_unrelieved_conviction_in_7_years);
    return out_file_commit(&o, err, errsize);
}
