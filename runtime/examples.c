/* examples.c - lenity test: a policy's own examples, run on the VM; see examples.h. */
#include "examples.h"

#include <string.h>

#include "output.h"
#include "person.h"
#include "vm.h"

/* One example line as a record entry: a conviction, or (is_charge) a charge. */
static bool fill_entry(const struct program *p, const struct program_example_conviction *pc, struct person *person,
                       struct conviction *c)
{
    c->known = pc->known;
    c->citation = pc->citation;
    c->level = pc->level;
    c->disposition_date = pc->disposition_date;
    c->sentence = pc->sentence;
    c->sentence_end = pc->sentence_end;
    c->offense_date = pc->offense_date;
    c->quantity = pc->quantity;
    c->plant_count = pc->plant_count;
    c->row = pc->line;
    if (pc->county != PROGRAM_NO_STRING &&
        !person_add_text(person, program_str(p, pc->county), p->strings[pc->county].len, &c->county))
        return false;
    if (pc->case_id != PROGRAM_NO_STRING &&
        !person_add_text(person, program_str(p, pc->case_id), p->strings[pc->case_id].len, &c->case_id))
        return false;
    if (pc->cycle_id != PROGRAM_NO_STRING &&
        !person_add_text(person, program_str(p, pc->cycle_id), p->strings[pc->cycle_id].len, &c->cycle_id))
        return false;
    /* An example's offence is written as its citation unless it says otherwise. */
    if (pc->offense_text != PROGRAM_NO_STRING) {
        if (!person_add_text(person, program_str(p, pc->offense_text), p->strings[pc->offense_text].len, &c->key))
            return false;
    } else if (!person_add_text(person, pc->citation.text, pc->citation.len, &c->key)) {
        return false;
    }
    c->known |= 1u << FACT_OFFENSE_TEXT;
    for (int k = 0; k < PROGRAM_RECORD_TEXTS; k++) {
        uint32_t s = pc->record_text[k];
        struct text_ref *to = (struct text_ref *)conviction_record_text(c, program_record_text_facts[k]);
        if (s != PROGRAM_NO_STRING && !person_add_text(person, program_str(p, s), p->strings[s].len, to))
            return false;
    }
    return true;
}

/*
 * The example as a person.  Its convictions are decided; when it also lists
 * charges, the person's charges are all its lines, convictions included, as a
 * DOJ export lists them.
 */
static bool build_person(const struct program *p, const struct program_example *ex, struct person *person)
{
    person_clear(person);
    const char *name = program_str(p, ex->name);
    if (!person_add_text(person, name, strlen(name), &person->id))
        return false;
    person->known = (1u << FACT_ID) | ex->known;
    person->date_of_birth = ex->date_of_birth;
    person->deceased = ex->deceased;
    person->sex_offender_registration = ex->sex_offender_registration;
    person->sex_offender_registration_date = ex->sex_offender_registration_date;
    bool any_charge = false;
    for (uint32_t i = 0; i < ex->count; i++)
        any_charge |= p->example_convictions[ex->first + i].is_charge;
    for (uint32_t i = 0; i < ex->count; i++) {
        const struct program_example_conviction *pc = &p->example_convictions[ex->first + i];
        if (!pc->is_charge) {
            struct conviction *c = person_add_conviction(person, UINT32_MAX);
            if (!c || !fill_entry(p, pc, person, c))
                return false;
        }
        if (any_charge) {
            struct conviction *c = person_add_charge(person, UINT32_MAX);
            if (!c || !fill_entry(p, pc, person, c))
                return false;
        }
    }
    return true;
}

/* "vacate and seal" */
static void print_actions(FILE *out, const struct program *p, const uint32_t *list, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i > 0 ? " and " : "", program_str(p, p->outcomes[list[i]].name));
}

bool examples_run(const struct program *p, FILE *out, struct examples_result *result)
{
    memset(result, 0, sizeof *result);
    struct vm vm;
    if (!vm_init(&vm, p))
        return false;
    struct person person;
    person_init(&person);
    bool ok = true;
    const char *source = program_str(p, p->source_name);
    for (uint32_t e = 0; e < p->nexamples && ok; e++) {
        const struct program_example *ex = &p->examples[e];
        if (!build_person(p, ex, &person)) {
            ok = false;
            break;
        }
        vm.as_of_known = ex->has_as_of;
        vm.as_of = ex->as_of;
        uint32_t decided = 0; /* index among the person's convictions: charges are not decided */
        for (uint32_t i = 0; i < ex->count; i++) {
            const struct program_example_conviction *pc = &p->example_convictions[ex->first + i];
            if (pc->is_charge)
                continue;
            struct decision d;
            vm_decide(&vm, &person, decided++, &d);
            /* `expect vacate and seal`: the deciding rule's whole list, or the review outcome for a missing fact */
            uint32_t nexpected, nactual = 1;
            const uint32_t *expected = program_expected_actions(p, pc, &nexpected);
            const uint32_t *actual = d.unknown ? &d.outcome : program_rule_actions(p, &p->rules[d.rule], &nactual);
            bool outcome_ok = d.outcome == pc->expect_outcome && nexpected == nactual &&
                              memcmp(expected, actual, nactual * sizeof *actual) == 0;
            bool rule_ok = pc->expect_rule == PROGRAM_NO_CONST || pc->expect_rule == d.rule;
            bool from_ok = !pc->expect_has_from || (d.has_eligible_from && d.eligible_from == pc->expect_from);
            if (outcome_ok && rule_ok && from_ok) {
                result->passed++;
                continue;
            }
            result->failed++;
            char reason[1024];
            decision_reason_with(p, vm.params, &d, reason, sizeof reason);
            fprintf(out, "%s:%u: example \"%s\", conviction %s (line %u) FAILED\n", source, pc->line,
                    program_str(p, ex->name), pc->citation.text, pc->line);
            fputs("    expected: ", out);
            print_actions(out, p, expected, nexpected);
            char day[16];
            if (pc->expect_has_from) {
                date_format_iso(pc->expect_from, day);
                fprintf(out, " eligible from %s", day);
            }
            if (pc->expect_rule != PROGRAM_NO_CONST)
                fprintf(out, " by rule %s", program_str(p, p->rules[pc->expect_rule].name));
            fputs("\n    actual:   ", out);
            print_actions(out, p, actual, nactual);
            if (d.has_eligible_from) {
                date_format_iso(d.eligible_from, day);
                fprintf(out, " eligible from %s", day);
            } else if (pc->expect_has_from) {
                fprintf(out, " (no eligible-from date)");
            }
            fprintf(out, " by rule %s (line %u)\n    reason:   %s\n", program_str(p, p->rules[d.rule].name),
                    p->rules[d.rule].line, reason);
        }
    }
    person_free(&person);
    vm_free(&vm);
    return ok;
}
