/*
 * fuzz_bytecode.c - fuzz target: .lbc bytes -> loader -> verifier -> VM.
 *
 * The bytes are a hostile bytecode file.  bc_load_memory must refuse it or
 * load it, never crash; verify_program must refuse it or prove it; and a
 * program the verifier admits must run on the VM (vm.h trusts the
 * verifier completely) over a fixed set of people (with and without a
 * run date, before and after --set overrides) without crashing,
 * overflowing the VM stack or hanging, decide every conviction with an
 * existing rule and outcome, and disassemble and run its own examples as
 * `lenityc --disasm` and `lenity test` would.
 *
 * A mutated file almost never keeps a valid CRC-32, which would stop the
 * fuzzer at the checksum test.  So each input is loaded twice: as given
 * (the header checks themselves), and with the length and checksum fields
 * rewritten to match the bytes (everything behind the checksum).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_load.h"
#include "bytecode.h"
#include "checksum.h"
#include "disasm.h"
#include "examples.h"
#include "output.h"
#include "person.h"
#include "verify.h"
#include "vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPEOPLE 4

static FILE *devnull;
static struct person people[NPEOPLE];

static void add_text(struct person *p, const char *text, struct text_ref *out)
{
    if (!person_add_text(p, text, strlen(text), out))
        abort();
}

static int32_t ymd(int y, int m, int d)
{
    int32_t out;
    if (!date_from_ymd(y, m, d, &out))
        abort();
    return out;
}

/* Adds a conviction; citation NULL leaves it unknown, level 0 unknown, date_y 0 unknown. */
static struct conviction *add_conviction(struct person *p, const char *citation, uint8_t level, int date_y,
                                         int date_m, int date_d)
{
    struct conviction *c = person_add_conviction(p, UINT32_MAX);
    if (!c)
        abort();
    c->row = p->count;
    if (citation) {
        if (!citation_parse(citation, strlen(citation), &c->citation, NULL))
            abort();
        c->known |= 1u << FACT_CITATION;
        add_text(p, citation, &c->key);
    } else {
        add_text(p, "", &c->key);
    }
    if (level) {
        c->level = level;
        c->known |= 1u << FACT_LEVEL;
    }
    if (date_y) {
        c->disposition_date = ymd(date_y, date_m, date_d);
        c->known |= 1u << FACT_DISPOSITION_DATE;
    }
    return c;
}

static void set_sentence(struct conviction *c, int32_t months, int32_t days)
{
    c->sentence.months = months;
    c->sentence.days = days;
    c->known |= 1u << FACT_SENTENCE;
}

static void set_county(struct person *p, struct conviction *c, const char *county)
{
    add_text(p, county, &c->county);
    c->known |= 1u << FACT_COUNTY;
}

static void set_case(struct person *p, struct conviction *c, const char *case_id)
{
    add_text(p, case_id, &c->case_id);
    c->known |= 1u << FACT_CASE_ID;
}

static void set_cycle(struct person *p, struct conviction *c, const char *cycle_id)
{
    add_text(p, cycle_id, &c->cycle_id);
    c->known |= 1u << FACT_CYCLE_ID;
}

static void set_sentence_end(struct conviction *c, int32_t date)
{
    c->sentence_end = date;
    c->known |= 1u << FACT_SENTENCE_END;
}

/* A charge that copies conviction `i` (every conviction is also a charge), or a fresh one. */
static struct conviction *add_charge(struct person *p, int i)
{
    struct conviction *c = person_add_charge(p, UINT32_MAX);
    if (!c)
        abort();
    if (i >= 0)
        *c = p->convictions[i];
    return c;
}

static void set_id(struct person *p, const char *id)
{
    add_text(p, id, &p->id);
    p->known |= 1u << FACT_ID;
}

/*
 * Few convictions each: the VM's cost grows with convictions to the power
 * of the aggregate nesting depth, and these people exist to reach every
 * instruction with known and unknown operands, not to measure speed.
 */
static void build_people(void)
{
    struct person *p = &people[0];
    struct conviction *c;
    /* Everything known, Proposition 64's cases. */
    person_init(p);
    set_id(p, "P001");
    p->date_of_birth = ymd(1980, 1, 15);
    p->known |= 1u << FACT_DATE_OF_BIRTH;
    c = add_conviction(p, "HS 11357(b)", LEVEL_MISDEMEANOR, 2010, 5, 1);
    set_county(p, c, "Los Angeles");
    set_case(p, c, "LA-2010-001");
    set_sentence(c, 0, 30);
    c = add_conviction(p, "PC 187", LEVEL_FELONY, 1998, 2, 28);
    set_county(p, c, "Sacramento");
    set_case(p, c, "SAC-1998-007");
    set_sentence(c, 300, 0);
    c = add_conviction(p, "HS 11359(c)(1)", LEVEL_FELONY, 2016, 11, 9);
    set_county(p, c, "Los Angeles");
    set_case(p, c, "LA-2016-404");
    set_sentence(c, 16, 0);
    set_cycle(p, c, "C-2016-1");
    set_sentence_end(c, ymd(2018, 3, 9));
    set_cycle(p, &p->convictions[0], "C-2010-1");
    set_sentence_end(&p->convictions[0], ymd(2010, 5, 31));
    p->deceased = false;
    p->known |= 1u << FACT_DECEASED;
    p->sex_offender_registration = false;
    p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION;
    /* The record's charges: each conviction, and an arrest in the last cycle that was dismissed. */
    for (uint32_t i = 0; i < p->count; i++)
        add_charge(p, (int)i);
    c = add_charge(p, -1);
    if (!citation_parse("HS 11360(a)", 11, &c->citation, NULL))
        abort();
    c->known |= 1u << FACT_CITATION;
    c->row = 4;
    add_text(p, "HS 11360(a)", &c->key);
    set_cycle(p, c, "C-2016-1");

    /* Facts missing everywhere: no date of birth, unknown citation, level, date. */
    p = &people[1];
    person_init(p);
    set_id(p, "P002");
    add_conviction(p, "HS 11360(a)", 0, 0, 0, 0);
    c = add_conviction(p, NULL, LEVEL_INFRACTION, 2001, 1, 1);
    set_county(p, c, "");
    add_conviction(p, "HS 11357", LEVEL_MISDEMEANOR, 0, 0, 0);
    c = add_conviction(p, "PC 664", 0, 2016, 11, 8);
    c->citation.flags = CITATION_ATTEMPT;

    /* The edges: born on 29 February, dates at the ends of the accepted range, a deep citation. */
    p = &people[2];
    person_init(p);
    set_id(p, "P003");
    p->date_of_birth = ymd(2000, 2, 29);
    p->known |= 1u << FACT_DATE_OF_BIRTH;
    c = add_conviction(p, "PC 667(e)(2)(c)(iv)(a)(1)(x)", LEVEL_FELONY, DATE_MAX_YEAR, 12, 31);
    set_sentence(c, 119988, 9999);
    c = add_conviction(p, "W.I. 707/5.2-a:b", LEVEL_MISDEMEANOR, DATE_MIN_YEAR, 1, 1);
    set_sentence(c, 0, 0);
    set_case(p, c, "\"quoted\", with a comma");
    c = add_conviction(p, "HS 11357(b)", LEVEL_MISDEMEANOR, 2021, 2, 28);
    c->citation.flags = CITATION_CONSPIRACY;
    set_sentence_end(c, ymd(DATE_MAX_YEAR, 12, 31));
    set_cycle(p, c, "");
    p->deceased = true;
    p->known |= 1u << FACT_DECEASED;
    p->sex_offender_registration = true;
    p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION;
    p->sex_offender_registration_date = ymd(2000, 2, 29);
    p->known |= 1u << FACT_SEX_OFFENDER_REGISTRATION_DATE;

    /* One conviction, only its citation known; the date of birth is known. */
    p = &people[3];
    person_init(p);
    set_id(p, "P004");
    p->date_of_birth = ymd(1800, 1, 1);
    p->known |= 1u << FACT_DATE_OF_BIRTH;
    add_conviction(p, "VC 23152(a)", 0, 0, 0, 0);
}

static void setup(void)
{
    if (devnull)
        return;
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    build_people();
}

static void check_decision(const struct program *p, const struct decision *d)
{
    if (d->rule >= p->nrules || d->outcome >= p->noutcomes) {
        fprintf(stderr, "fuzz_bytecode: the VM decided rule %u outcome %u of %u rules, %u outcomes\n",
                (unsigned)d->rule, (unsigned)d->outcome, (unsigned)p->nrules, (unsigned)p->noutcomes);
        abort();
    }
    if (d->unknown && d->outcome != p->review_outcome) {
        fprintf(stderr, "fuzz_bytecode: an unknown condition did not lead to the review outcome\n");
        abort();
    }
    char reason[1024];
    decision_reason(p, d, reason, sizeof reason);
}

static void decide_everyone(struct vm *vm, const struct program *p)
{
    for (int i = 0; i < NPEOPLE; i++) {
        for (uint32_t k = 0; k < people[i].count; k++) {
            struct decision d;
            memset(&d, 0xA5, sizeof d);
            vm_decide(vm, &people[i], k, &d);
            check_decision(p, &d);
        }
    }
}

/* Texts for --set: each parameter gets the ones its type parses, and some it does not. */
static const char *const overrides[] = {
    "2016-11-09", "21", "-999999999999999", "HS 11357(b)", "felony", "10 years", "true", "Los Angeles", "",
};

static void run_program(struct program *p)
{
    char err[1024];
    if (!verify_program(p, err, sizeof err))
        return;
    disasm_program(devnull, p);
    struct examples_result result;
    examples_run(p, devnull, &result);

    struct vm vm;
    if (!vm_init(&vm, p))
        return;
    decide_everyone(&vm, p);
    /* with a run date (lenity run --as-of), then without one as above */
    vm.as_of = ymd(2024, 2, 29);
    vm.as_of_known = true;
    decide_everyone(&vm, p);
    size_t n = sizeof overrides / sizeof overrides[0];
    uint32_t nparams = p->nparams < 16 ? p->nparams : 16;
    if (nparams > 0) {
        for (uint32_t i = 0; i < nparams; i++)
            for (size_t k = 0; k < n; k++)
                vm_set_param(&vm, program_str(p, p->params[i].name), overrides[(i + k) % n], err, sizeof err);
        decide_everyone(&vm, p);
    }
    vm_set_param(&vm, "no such parameter", "1", err, sizeof err);
    vm_free(&vm);
}

static void load_and_run(const uint8_t *data, size_t size)
{
    struct program p;
    char err[1024];
    if (bc_load_memory(data, size, "fuzz.lbc", &p, err, sizeof err)) {
        run_program(&p);
        program_free(&p);
    }
}

static void put_u32(uint8_t *at, uint32_t v)
{
    at[0] = (uint8_t)v;
    at[1] = (uint8_t)(v >> 8);
    at[2] = (uint8_t)(v >> 16);
    at[3] = (uint8_t)(v >> 24);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    load_and_run(data, size);

    if (size < BC_HEADER_SIZE || size - BC_HEADER_SIZE > UINT32_MAX)
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    put_u32(fixed + BC_OFFSET_LENGTH, (uint32_t)(size - BC_HEADER_SIZE));
    put_u32(fixed + BC_OFFSET_CHECKSUM, checksum_crc32(fixed + BC_HEADER_SIZE, size - BC_HEADER_SIZE));
    if (memcmp(fixed, data, BC_HEADER_SIZE) != 0)
        load_and_run(fixed, size);
    free(fixed);
    return 0;
}
