/*
 * vm.c - the dispatch loop.
 *
 * What the verifier has proven, and this file therefore does not check
 * (each is an assert in debug builds): every opcode is known; every
 * operand indexes its table; every function called has a higher index
 * than its caller, so calls nest at most nfunctions deep and end; jumps
 * go forward inside their function; the stack never underflows and never
 * passes the function's proven max_stack, and every operand has the type
 * its opcode needs.
 *
 * Three-valued logic: every opcode's rule for unknown operands is stated
 * beside its body.  An unknown result carries the fact whose absence made
 * it unknown, so a rule that cannot decide can name what the record lacks.
 */
#include "vm.h"

#include "output.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const uint8_t fact_types[] = {
#define FACT(id, owner, name, type, words) TYPE_##type,
#include "fact_list.h"
#undef FACT
};

static const char *const fact_names[] = {
#define FACT(id, owner, name, type, words) name,
#include "fact_list.h"
#undef FACT
};

bool vm_init(struct vm *vm, const struct program *program)
{
    memset(vm, 0, sizeof *vm);
    vm->program = program;
    vm->steps_per_person = vm->steps_left = VM_STEPS_PER_PERSON;
    uint32_t n = program->nparams ? program->nparams : 1;
    vm->params = calloc(n, sizeof *vm->params);
    vm->param_citations = calloc(n, sizeof *vm->param_citations);
    if (!vm->params || !vm->param_citations) {
        vm_free(vm);
        return false;
    }
    for (uint32_t i = 0; i < program->nparams; i++)
        vm->params[i] = program->params[i].value;
    if (program->ncolumns > 0) {
        vm->scratch = malloc(VM_SCRATCH_SIZE);
        if (!vm->scratch) {
            vm_free(vm);
            return false;
        }
        vm->scratch_size = VM_SCRATCH_SIZE;
    }
    return true;
}

void vm_free(struct vm *vm)
{
    free(vm->params);
    free(vm->param_citations);
    free(vm->scratch);
    vm->params = NULL;
    vm->param_citations = NULL;
    vm->scratch = NULL;
}

static bool parse_level(const char *text, uint8_t *out)
{
    static const char *const words[] = {"", "felony", "misdemeanor", "infraction"};
    for (uint8_t i = 1; i <= 3; i++)
        if (strcasecmp(text, words[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

bool vm_set_param(struct vm *vm, const char *name, const char *text, char *err, size_t errsize)
{
    const struct program *p = vm->program;
    uint32_t i;
    for (i = 0; i < p->nparams; i++)
        if (strcmp(program_str(p, p->params[i].name), name) == 0)
            break;
    if (i < p->nparams && p->params[i].nperiods > 0) {
        snprintf(err, errsize, "the parameter '%s' has different values over time in the policy; "
                               "a run cannot set it (change the policy, or extend it with its own values)", name);
        return false;
    }
    if (i == p->nparams) {
        size_t used = (size_t)snprintf(err, errsize, "the policy has no parameter '%s'", name);
        for (uint32_t j = 0; j < p->nparams && used < errsize; j++)
            used += (size_t)snprintf(err + used, errsize - used, "%s%s", j ? ", " : "; its parameters are: ",
                                     program_str(p, p->params[j].name));
        return false;
    }
    struct value v = p->params[i].value;
    v.unknown = 0;
    size_t len = strlen(text);
    const char *expected = NULL;
    switch (v.type) {
    case TYPE_DATE:
        if (!date_parse_iso(text, len, &v.as.date))
            expected = "a date written YYYY-MM-DD, e.g. 2016-11-09";
        break;
    case TYPE_NUMBER: {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (len == 0 || *end != '\0' || len > 15)
            expected = "a whole number, e.g. 21";
        v.as.number = n;
        break;
    }
    case TYPE_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0)
            v.as.number = 1;
        else if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0)
            v.as.number = 0;
        else
            expected = "true or false";
        break;
    case TYPE_DURATION:
        if (!duration_parse(text, len, &v.as.duration))
            expected = "a duration, e.g. 10 years or 6 months";
        break;
    case TYPE_QUANTITY: {
        uint8_t dim = v.as.quantity.dim;
        if (!quantity_parse(text, len, &v.as.quantity, NULL) || v.as.quantity.dim != dim)
            expected = dim == QUANTITY_PLANTS ? "a number of plants, e.g. 6 plants"
                                              : "a weight, e.g. 28.5 grams or 1 ounce";
        break;
    }
    case TYPE_CITATION:
        if (!citation_parse(text, len, &vm->param_citations[i], NULL))
            expected = "a citation, e.g. HS 11357(b)";
        v.as.citation = &vm->param_citations[i];
        break;
    case TYPE_LEVEL: {
        uint8_t level = 0;
        if (!parse_level(text, &level))
            expected = "felony, misdemeanor or infraction";
        v.as.number = level;
        break;
    }
    case TYPE_TEXT:
        /* The caller's string must outlive the run: it is argv. */
        v.as.text.ptr = text;
        v.as.text.len = (uint32_t)len;
        break;
    default:
        expected = "a value of the parameter's kind";
        break;
    }
    if (expected) {
        snprintf(err, errsize, "the parameter '%s' needs %s, not '%s'", name, expected, text);
        return false;
    }
    vm->params[i] = v;
    return true;
}

/*
 * Values are made where they are kept (a stack slot): a value made in a
 * temporary by narrow stores, then copied as one wide load, stalls the
 * processor's store forwarding on every instruction of the dispatcher.
 */
static inline void set_unknown(struct value *v, uint8_t type, uint16_t fact)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    v->unknown = 1;
    v->fact = fact;
}

static inline void set_known(struct value *v, uint8_t type)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    v->fact = FACT_NONE;
}

static inline void set_bool(struct value *v, bool b)
{
    set_known(v, TYPE_BOOL);
    v->as.number = b;
}

static inline void set_number(struct value *v, int64_t n)
{
    set_known(v, TYPE_NUMBER);
    v->as.number = n;
}

static inline void set_date(struct value *v, int32_t d)
{
    set_known(v, TYPE_DATE);
    v->as.date = d;
}

static inline void set_text(struct value *v, const char *ptr, size_t len)
{
    set_known(v, TYPE_TEXT);
    v->as.text.ptr = ptr;
    v->as.text.len = (uint32_t)len;
}

/* The first unknown operand decides which fact a result names; v may be a or b. */
static inline void set_unknown_of(struct value *v, uint8_t type, const struct value *a, const struct value *b)
{
    set_unknown(v, type, a->unknown ? a->fact : b->fact);
}

static struct value unknown_value(uint8_t type, uint16_t fact)
{
    struct value v;
    set_unknown(&v, type, fact);
    return v;
}

static struct value bool_value(bool b)
{
    struct value v;
    set_bool(&v, b);
    return v;
}

static struct value number_value(int64_t n)
{
    struct value v;
    set_number(&v, n);
    return v;
}

static struct value date_value(int32_t d)
{
    struct value v;
    set_date(&v, d);
    return v;
}

static struct value text_value(const char *ptr, size_t len)
{
    struct value v;
    set_text(&v, ptr, len);
    return v;
}

/* c's level hashes, worked out when c is not the citation asked about last (see struct vm). */
static inline const struct citation_hashes *vm_hashes_of(struct vm *vm, const struct citation *c)
{
    if (c != vm->hashed) {
        citation_hash_levels(c, &vm->hashes);
        vm->hashed = c;
    }
    return &vm->hashes;
}

/* Into v, the fact's value for one conviction; unknown (naming the fact) when the record lacks it. */
static void load_fact(const struct vm *vm, uint32_t fact, const struct conviction *c, struct value *v)
{
    const struct person *person = vm->person;
    if (fact == FACT_AGE_AT_CONVICTION) {
        /* Derived: the record must give both dates; name the one it lacks. */
        if (!(person->known & (1u << FACT_DATE_OF_BIRTH)))
            set_unknown(v, TYPE_NUMBER, FACT_DATE_OF_BIRTH);
        else if (!(c->known & (1u << FACT_DISPOSITION_DATE)))
            set_unknown(v, TYPE_NUMBER, FACT_DISPOSITION_DATE);
        else
            set_number(v, date_years_between(person->date_of_birth, c->disposition_date,
                                             (enum date_month_end)vm->program->month_end));
        return;
    }
    if (!(c->known & (1u << fact))) {
        set_unknown(v, fact_types[fact], (uint16_t)fact);
        return;
    }
    set_known(v, fact_types[fact]);
    switch (fact) {
    case FACT_CITATION:
        v->as.citation = &c->citation;
        break;
    case FACT_LEVEL:
        v->as.number = c->level;
        break;
    case FACT_DISPOSITION_DATE:
        v->as.date = c->disposition_date;
        break;
    case FACT_SENTENCE:
        v->as.duration = c->sentence;
        break;
    case FACT_COUNTY:
        v->as.text.ptr = person_text(person, c->county);
        v->as.text.len = c->county.len;
        break;
    case FACT_CASE_ID:
        v->as.text.ptr = person_text(person, c->case_id);
        v->as.text.len = c->case_id.len;
        break;
    case FACT_CYCLE_ID:
        v->as.text.ptr = person_text(person, c->cycle_id);
        v->as.text.len = c->cycle_id.len;
        break;
    case FACT_SENTENCE_END:
        v->as.date = c->sentence_end;
        break;
    case FACT_OFFENSE_DATE:
        v->as.date = c->offense_date;
        break;
    case FACT_QUANTITY:
        v->as.quantity = c->quantity;
        break;
    case FACT_PLANT_COUNT:
        v->as.quantity = c->plant_count;
        break;
    case FACT_OFFENSE_TEXT:
        v->as.text.ptr = person_text(person, c->key);
        v->as.text.len = c->key.len;
        break;
    case FACT_OFFENSE_SECTION:
    case FACT_COMMENT_TEXT:
    case FACT_OFN:
    case FACT_STEP_TYPE:
    case FACT_CLASS:
    case FACT_SUBSTANCE:
    case FACT_CUSTODY_STATUS: {
        const struct text_ref *r = conviction_record_text(c, fact);
        v->as.text.ptr = person_text(person, *r);
        v->as.text.len = r->len;
        break;
    }
    default:
        set_unknown(v, fact_types[fact], (uint16_t)fact);
        break;
    }
}

/* Into v, like load_fact, a fact of the person. */
static void load_person_fact(const struct vm *vm, uint32_t fact, struct value *v)
{
    const struct person *person = vm->person;
    if (!(person->known & (1u << fact))) {
        set_unknown(v, fact_types[fact], (uint16_t)fact);
        return;
    }
    set_known(v, fact_types[fact]);
    if (fact == FACT_DATE_OF_BIRTH) {
        v->as.date = person->date_of_birth;
    } else if (fact == FACT_DECEASED) {
        v->as.number = person->deceased;
    } else if (fact == FACT_SEX_OFFENDER_REGISTRATION) {
        v->as.number = person->sex_offender_registration;
    } else if (fact == FACT_SEX_OFFENDER_REGISTRATION_DATE) {
        v->as.date = person->sex_offender_registration_date;
    } else {
        v->as.text.ptr = person_text(person, person->id);
        v->as.text.len = person->id.len;
    }
}

/* Text compares without regard to case: "Los Angeles" is "LOS ANGELES" in a DOJ export. */
static int compare_text(const struct value *a, const struct value *b)
{
    uint32_t n = a->as.text.len < b->as.text.len ? a->as.text.len : b->as.text.len;
    for (uint32_t i = 0; i < n; i++) {
        int x = tolower((unsigned char)a->as.text.ptr[i]), y = tolower((unsigned char)b->as.text.ptr[i]);
        if (x != y)
            return x - y;
    }
    return (a->as.text.len > b->as.text.len) - (a->as.text.len < b->as.text.len);
}

/* <0, 0, >0; for citations, 0 means the same canonical text. */
static int compare_values(uint8_t type, const struct value *a, const struct value *b)
{
    switch (type) {
    case TYPE_DATE:
        return (a->as.date > b->as.date) - (a->as.date < b->as.date);
    case TYPE_DURATION:
        return duration_compare(a->as.duration, b->as.duration);
    case TYPE_QUANTITY:
        return quantity_compare(a->as.quantity, b->as.quantity);
    case TYPE_TEXT:
        return compare_text(a, b);
    case TYPE_CITATION:
        return citation_equal(a->as.citation, b->as.citation) ? 0 : 1;
    default:
        return (a->as.number > b->as.number) - (a->as.number < b->as.number);
    }
}

/* Whether the m bytes of needle occur in the n bytes of text: found by their first byte, then compared. */
static bool text_contains(const char *text, uint32_t n, const char *needle, uint32_t m)
{
    if (m == 0)
        return true;
    if (m > n)
        return false;
    const char *last = text + (n - m); /* the last place needle can start */
    for (const char *at = text; at <= last; at++) {
        at = memchr(at, needle[0], (size_t)(last - at) + 1);
        if (!at)
            return false;
        if (memcmp(at + 1, needle + 1, m - 1) == 0)
            return true;
    }
    return false;
}

static void run_function(struct vm *vm, uint32_t fn, struct value *base, const struct conviction *examined,
                         struct decision *out);

/* 1: item b shares the anchor's case (or cycle); 0: it does not; -1: unknown. */
static int same_group(const struct vm *vm, const struct conviction *a, const struct conviction *b, bool is_anchor,
                      unsigned fact)
{
    if (is_anchor)
        return 1;
    const struct person *p = vm->person;
    if (!(a->known & (1u << fact)) || !(b->known & (1u << fact)))
        return -1;
    struct text_ref ra = fact == FACT_CASE_ID ? a->case_id : a->cycle_id;
    struct text_ref rb = fact == FACT_CASE_ID ? b->case_id : b->cycle_id;
    /* Case numbers compare as text does everywhere: without regard to letter case. */
    return ra.len == rb.len && strncasecmp(person_text(p, ra), person_text(p, rb), ra.len) == 0;
}

/*
 * Runs an aggregate's condition over the person's convictions (or charges).
 * The anchor is the conviction in view where the aggregate is written: the
 * one being decided, or, inside another aggregate's condition, the one that
 * aggregate is examining.  "other" leaves the anchor out, and "in the same
 * case" means the anchor's case.
 */
static struct value aggregate(struct vm *vm, const struct insn *in, struct value *base,
                              const struct conviction *anchor)
{
    const struct person *person = vm->person;
    bool skip_decided = in->a & AGG_SKIP_DECIDED;
    bool seen_unknown = false;
    uint16_t unknown_fact = FACT_NONE;
    int64_t count = 0;
    bool found = false;
    int32_t best = 0;
    /* Charges, where the record lists them; otherwise the convictions are all the charges it knows. */
    bool charges = (in->a & AGG_CHARGES) && person->has_charges;
    const struct conviction *items = charges ? person->charges : person->convictions;
    uint32_t nitems = charges ? person->ncharges : person->count;
    /* The anchor may sit in the other list (a conviction among charges): its input row finds it there. */
    bool anchor_in_items = anchor >= items && anchor < items + nitems;
    for (uint32_t i = 0; i < nitems; i++) {
        if (vm->steps_left == 0) /* the answer is not known: what was left unseen could change it */
            return unknown_value(in->op == OP_ANY ? TYPE_BOOL : in->op == OP_COUNT ? TYPE_NUMBER : TYPE_DATE,
                                 FACT_TOO_LONG);
        vm->steps_left--;
        bool is_anchor = anchor_in_items ? &items[i] == anchor : items[i].row == anchor->row;
        if (skip_decided && is_anchor)
            continue;
        if (in->a & (AGG_SAME_CASE | AGG_SAME_CYCLE)) {
            /* Membership in the case is itself three-valued: a missing case number makes it unknown. */
            int same = in->a & AGG_SAME_CASE ? same_group(vm, anchor, &items[i], is_anchor, FACT_CASE_ID) : 1;
            if (same == 1 && (in->a & AGG_SAME_CYCLE))
                same = same_group(vm, anchor, &items[i], is_anchor, FACT_CYCLE_ID);
            if (same == 0)
                continue;
            if (same < 0) {
                /* "in the same case and C": false when C is false, whatever the case (false and unknown is false) */
                run_function(vm, in->c, base, &items[i], NULL);
                if (!base[0].unknown && !base[0].as.number)
                    continue;
                if (!seen_unknown)
                    unknown_fact = in->a & AGG_SAME_CASE ? FACT_CASE_ID : FACT_CYCLE_ID;
                seen_unknown = true;
                continue;
            }
        }
        run_function(vm, in->c, base, &items[i], NULL);
        const struct value *cond = &base[0];
        if (cond->unknown) {
            if (!seen_unknown)
                unknown_fact = cond->fact;
            seen_unknown = true;
            continue;
        }
        if (!cond->as.number)
            continue;
        if (in->op == OP_ANY)
            return bool_value(true); /* true or anything is true, even unknown */
        count++;
        if (in->op == OP_LATEST || in->op == OP_EARLIEST) {
            const struct value *d = &base[1];
            if (d->unknown) {
                if (!seen_unknown)
                    unknown_fact = d->fact;
                seen_unknown = true;
                continue;
            }
            if (!found || (in->op == OP_LATEST ? d->as.date > best : d->as.date < best))
                best = d->as.date;
            found = true;
        }
    }
    switch (in->op) {
    case OP_ANY:
        return seen_unknown ? unknown_value(TYPE_BOOL, unknown_fact) : bool_value(false);
    case OP_COUNT:
        /* One unknown condition makes the count unknown: it could be one more. */
        return seen_unknown ? unknown_value(TYPE_NUMBER, unknown_fact) : number_value(count);
    default:
        /* No match leaves nothing to be latest: unknown, which a rule can test with 'is known'. */
        if (seen_unknown || !found)
            return unknown_value(TYPE_DATE, seen_unknown ? unknown_fact : FACT_NONE);
        return date_value(best);
    }
}

/* Room for n bytes of column text, or NULL when the column's value would not fit. */
static char *scratch_take(struct vm *vm, size_t n)
{
    if (n > vm->scratch_size - vm->scratch_used)
        return NULL;
    char *p = vm->scratch + vm->scratch_used;
    vm->scratch_used += n;
    return p;
}

/* A value as column text: unknown is empty, text is itself, the rest as Lenity writes it. */
static struct value to_text(struct vm *vm, const struct value *v)
{
    if (v->unknown)
        return text_value("", 0);
    if (v->type == TYPE_TEXT)
        return *v;
    char buf[256];
    size_t n = value_format(v, buf, sizeof buf);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    char *p = scratch_take(vm, n);
    if (!p)
        return unknown_value(TYPE_TEXT, FACT_NONE);
    memcpy(p, buf, n);
    return text_value(p, n);
}

/* "MM/DD/YYYY" and the like: YYYY, MM and DD are replaced, everything else is kept. */
static struct value format_date(struct vm *vm, int32_t date, const struct value *pattern)
{
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    const char *s = pattern->as.text.ptr;
    size_t n = pattern->as.text.len;
    char *out = scratch_take(vm, n + 8);
    if (!out)
        return unknown_value(TYPE_TEXT, FACT_NONE);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (i + 4 <= n && memcmp(s + i, "YYYY", 4) == 0) {
            k += (size_t)snprintf(out + k, 5, "%04d", y);
            i += 4;
        } else if (i + 2 <= n && memcmp(s + i, "MM", 2) == 0) {
            k += (size_t)snprintf(out + k, 3, "%02d", m);
            i += 2;
        } else if (i + 2 <= n && memcmp(s + i, "DD", 2) == 0) {
            k += (size_t)snprintf(out + k, 3, "%02d", d);
            i += 2;
        } else {
            out[k++] = s[i++];
        }
    }
    vm->scratch_used -= (n + 8) - k;
    return text_value(out, k);
}

/* Whether `piece` is already one of the separated pieces of the text built so far. */
static bool join_has(const char *text, size_t len, const char *sep, size_t seplen, const char *piece, size_t n)
{
    size_t start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && !(seplen > 0 && end + seplen <= len && memcmp(text + end, sep, seplen) == 0))
            end++;
        if (end - start == n && memcmp(text + start, piece, n) == 0)
            return true;
        if (end >= len)
            break;
        start = end + seplen;
    }
    return false;
}

/*
 * JOIN: the texts of the convictions (or charges) whose condition is true,
 * in record order, separated by `sep`.  Columns describe, they do not
 * decide: a conviction whose condition or text is unknown is left out.
 * The result is built in the scratch area: each item's text, wherever its
 * function put it, is moved down to the end of the result before the next
 * item runs, so the result stays in one piece.
 */
static struct value join(struct vm *vm, const struct insn *in, struct value *base, const struct conviction *anchor,
                         const struct value *sep)
{
    const struct person *person = vm->person;
    bool charges = (in->a & AGG_CHARGES) && person->has_charges;
    const struct conviction *items = charges ? person->charges : person->convictions;
    uint32_t nitems = charges ? person->ncharges : person->count;
    bool anchor_in_items = anchor >= items && anchor < items + nitems;
    size_t seplen = sep->unknown ? 0 : sep->as.text.len;
    size_t start = vm->scratch_used, end = start;
    bool first = true;
    for (uint32_t i = 0; i < nitems; i++) {
        if (vm->steps_left == 0) {
            vm->scratch_used = start;
            return unknown_value(TYPE_TEXT, FACT_TOO_LONG);
        }
        vm->steps_left--;
        bool is_anchor = anchor_in_items ? &items[i] == anchor : items[i].row == anchor->row;
        if ((in->a & AGG_SKIP_DECIDED) && is_anchor)
            continue;
        if ((in->a & AGG_SAME_CASE) && same_group(vm, anchor, &items[i], is_anchor, FACT_CASE_ID) != 1)
            continue;
        if ((in->a & AGG_SAME_CYCLE) && same_group(vm, anchor, &items[i], is_anchor, FACT_CYCLE_ID) != 1)
            continue;
        vm->scratch_used = end;
        run_function(vm, in->c, base, &items[i], NULL);
        if (base[0].unknown || !base[0].as.number || base[1].unknown)
            continue;
        const char *piece = base[1].as.text.ptr;
        size_t n = base[1].as.text.len;
        if ((in->a & AGG_DISTINCT) && !first &&
            join_has(vm->scratch + start, end - start, sep->as.text.ptr, seplen, piece, n))
            continue;
        size_t add = (first ? 0 : seplen) + n;
        if (add > vm->scratch_size - end) {
            vm->scratch_used = end;
            return unknown_value(TYPE_TEXT, FACT_NONE);
        }
        memmove(vm->scratch + end + (first ? 0 : seplen), piece, n);
        if (!first)
            memcpy(vm->scratch + end, sep->as.text.ptr, seplen);
        end += add;
        first = false;
    }
    vm->scratch_used = end;
    return text_value(vm->scratch + start, end - start);
}

/*
 * Dispatch.  With GCC and clang each instruction ends by jumping straight to
 * the next one's code, through a table made from opcode_list.h: the
 * processor then learns each opcode's likely successor, where one shared
 * switch jump mispredicts more often (in cachegrind's model of the Los
 * Angeles DOJ copy, 38% of these jumps against 55%).  Elsewhere, a switch.  Either
 * way vm_next() ends one instruction (lenity explain's note of a test) and
 * fetches the next.
 */
#if defined(__GNUC__) && !defined(LENITY_VM_SWITCH)
#define VM_THREADED 1
#define vmdispatch(op) goto *vm_jump[op];
#define vmcase(name) L_##name:
#define vmbreak do { vm_next(); goto *vm_jump[in->op]; } while (0)
#else
#define vmdispatch(op) switch (op)
#define vmcase(name) case OP_##name:
#define vmbreak break
#endif

/* lenity explain: when the instruction at in is a test to be noted, its operands are kept to report with its result */
#define vm_keep_noted()                                                                                        \
    do {                                                                                                       \
        noting = p->notes[f->start + pc - 1];                                                                  \
        npopped = noting == PROGRAM_NO_STRING ? 0 : opcode_describe(in->op)->pops;                             \
        for (unsigned kept = 0; kept < npopped && kept < 2; kept++)                                            \
            noted[kept] = sp[(int)kept - (int)npopped];                                                        \
    } while (0)

#define vm_next()                                                                                              \
    do {                                                                                                       \
        if (noting != PROGRAM_NO_STRING)                                                                       \
            vm->note(vm->note_ctx, noting, npopped >= 1 ? &noted[0] : NULL, npopped >= 2 ? &noted[1] : NULL, \
                     &sp[-1]);                                                                                 \
        assert(pc < f->len);                                                                                   \
        in = &code[pc++];                                                                                      \
        if (showing) {                                                                                         \
            while (nrefunds > 0 && refund_at[nrefunds - 1] == pc - 1)                                          \
                vm->steps_left = refund_steps[--nrefunds];                                                     \
            if (noting_on)                                                                                     \
                vm_keep_noted();                                                                               \
        }                                                                                                      \
    } while (0)

/*
 * A skip of an `and` or an `or` (the answer is known from its left side).
 * lenity explain works out the right side all the same, to show it, but
 * gives back the steps it took at the skip's target, so that a person near
 * the step limit gets the same answers from explain as from run.
 */
#define vm_skip(to)                                                                                            \
    do {                                                                                                       \
        if (!showing)                                                                                          \
            pc = (to) - f->start;                                                                              \
        else if (nrefunds < VM_REFUNDS) {                                                                      \
            refund_at[nrefunds] = (to) - f->start;                                                             \
            refund_steps[nrefunds++] = vm->steps_left;                                                         \
        }                                                                                                      \
    } while (0)
#define VM_REFUNDS 64

static void run_function(struct vm *vm, uint32_t fn, struct value *base, const struct conviction *examined,
                         struct decision *out)
{
    const struct program *p = vm->program;
    const struct program_function *f = &p->functions[fn];
    const struct insn *code = p->code + f->start;
    const struct conviction *decided = vm->current;
    enum date_month_end month_end = (enum date_month_end)p->month_end;
    struct value *sp = base; /* next free slot */
    uint32_t pc = 0;
#ifdef VM_THREADED
    static const void *const vm_jump[OP__COUNT] = {
#define OP(name, operand, pops, pushes, synopsis) [OP_##name] = &&L_##name,
#include "opcode_list.h"
#undef OP
    };
#endif
    bool showing = vm->note || vm->trace;             /* lenity explain */
    bool noting_on = showing && fn == 0 && p->notes; /* its notes of tests, in the main function */
    uint32_t noting = PROGRAM_NO_STRING;
    struct value noted[2];
    unsigned npopped = 0;
    uint32_t refund_at[VM_REFUNDS]; /* vm_skip: where a skipped right side ends, and the steps then */
    uint64_t refund_steps[VM_REFUNDS];
    unsigned nrefunds = 0;
    const struct insn *in = &code[pc++];
    if (noting_on)
        vm_keep_noted();
    for (;;) {
        vmdispatch(in->op) {
            vmcase(CONST) { *sp++ = p->consts[in->c]; vmbreak; }
            vmcase(PARAM) { *sp++ = vm->params[in->c]; vmbreak; }
            vmcase(PARAM_AT) {
                /* the first period holding the date; a parameter with no periods is its one value */
                const struct program_param *pa = &p->params[in->c];
                if (pa->nperiods == 0) {
                    if (!sp[-1].unknown)
                        sp[-1] = vm->params[in->c];
                    else
                        sp[-1].type = pa->value.type;
                    vmbreak;
                }
                if (sp[-1].unknown) {
                    sp[-1].type = pa->value.type;
                    vmbreak;
                }
                int32_t d = sp[-1].as.date;
                struct value r = unknown_value(pa->value.type, FACT_NO_PERIOD);
                for (uint32_t k = 0; k < pa->nperiods; k++) {
                    const struct program_period *per = &p->periods[pa->first_period + k];
                    if (per->from <= d && d <= per->until) {
                        r = p->consts[per->value];
                        break;
                    }
                }
                sp[-1] = r;
                vmbreak;
            }
            vmcase(FACT) { load_fact(vm, in->c, decided, sp++); vmbreak; }
            vmcase(EACH_FACT) { load_fact(vm, in->c, examined, sp++); vmbreak; }
            vmcase(PERSON_FACT) { load_person_fact(vm, in->c, sp++); vmbreak; }
            vmcase(NOT) {
                /* not unknown is unknown */
                if (!sp[-1].unknown)
                    sp[-1].as.number = !sp[-1].as.number;
                vmbreak;
            }
            vmcase(AND) {
                /* false wins over unknown; otherwise unknown wins over true */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if ((!a->unknown && !a->as.number) || (!b->unknown && !b->as.number))
                    set_bool(a, false);
                else if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_BOOL, a, b);
                else
                    set_bool(a, true);
                vmbreak;
            }
            vmcase(OR) {
                /* true wins over unknown; otherwise unknown wins over false */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if ((!a->unknown && a->as.number) || (!b->unknown && b->as.number))
                    set_bool(a, true);
                else if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_BOOL, a, b);
                else
                    set_bool(a, false);
                vmbreak;
            }
            vmcase(EQ) vmcase(NE) vmcase(LT) vmcase(LE) vmcase(GT) vmcase(GE) {
                /* a comparison with an unknown side is unknown */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown) {
                    set_unknown_of(a, TYPE_BOOL, a, b);
                    vmbreak;
                }
                int c = compare_values(in->a, a, b);
                bool r = in->op == OP_EQ   ? c == 0
                         : in->op == OP_NE ? c != 0
                         : in->op == OP_LT ? c < 0
                         : in->op == OP_LE ? c <= 0
                         : in->op == OP_GT ? c > 0
                                           : c >= 0;
                set_bool(a, r);
                vmbreak;
            }
            vmcase(IS_KNOWN) { set_bool(&sp[-1], !sp[-1].unknown); vmbreak; }
            vmcase(IS_UNKNOWN) { set_bool(&sp[-1], sp[-1].unknown); vmbreak; }
            vmcase(STARTS_WITH) vmcase(CONTAINS) {
                /* exactly as written, case and all: these test raw record text */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown) {
                    set_unknown_of(a, TYPE_BOOL, a, b);
                    vmbreak;
                }
                bool r = false;
                uint32_t n = a->as.text.len, m = b->as.text.len;
                if (in->op == OP_STARTS_WITH) {
                    r = m <= n && memcmp(a->as.text.ptr, b->as.text.ptr, m) == 0;
                } else {
                    r = text_contains(a->as.text.ptr, n, b->as.text.ptr, m);
                }
                set_bool(a, r);
                vmbreak;
            }
            vmcase(IN_SET) {
                /* an unknown citation is in no set we can name: unknown */
                if (!sp[-1].unknown)
                    set_bool(&sp[-1], citation_set_contains_hashed(&p->sets[in->c].table, sp[-1].as.citation,
                                                                   vm_hashes_of(vm, sp[-1].as.citation)));
                else
                    sp[-1].type = TYPE_BOOL;
                vmbreak;
            }
            vmcase(TABLE) {
                /*
                 * The most closely listed ancestor's value.  A table of citations leaves a
                 * citation it does not list as it is; any other table knows nothing of it.
                 */
                const struct program_table *t = &p->tables[in->c];
                if (sp[-1].unknown) {
                    sp[-1].type = t->type;
                    vmbreak;
                }
                int64_t k = citation_set_find_hashed(&t->keys, sp[-1].as.citation,
                                                     vm_hashes_of(vm, sp[-1].as.citation));
                if (k >= 0)
                    sp[-1] = p->consts[t->values[k]];
                else if (t->type != TYPE_CITATION)
                    set_unknown(&sp[-1], t->type, FACT_NOT_IN_TABLE);
                vmbreak;
            }
            vmcase(IN_CITATION) {
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_BOOL, a, b);
                else
                    set_bool(a, citation_covers(b->as.citation, a->as.citation));
                vmbreak;
            }
            vmcase(ADD) vmcase(SUB) {
                /* unknown in, unknown out; a result too large to hold is unknown, never wrapped */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                int64_t r;
                if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_NUMBER, a, b);
                else if (in->op == OP_ADD ? __builtin_add_overflow(a->as.number, b->as.number, &r)
                                          : __builtin_sub_overflow(a->as.number, b->as.number, &r))
                    set_unknown(a, TYPE_NUMBER, FACT_NONE);
                else
                    set_number(a, r);
                vmbreak;
            }
            vmcase(DATE_ADD) vmcase(DATE_SUB) {
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_DATE, a, b);
                else
                    set_date(a, in->op == OP_DATE_ADD ? date_add(a->as.date, b->as.duration, month_end)
                                                      : date_sub(a->as.date, b->as.duration, month_end));
                vmbreak;
            }
            vmcase(YEARS_BETWEEN) {
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown)
                    set_unknown_of(a, TYPE_NUMBER, a, b);
                else
                    set_number(a, date_years_between(a->as.date, b->as.date, month_end));
                vmbreak;
            }
            vmcase(AGE_AT) {
                /* needs the date of birth: without it the age is unknown, and says so */
                struct value *a = &sp[-1];
                if (!(vm->person->known & (1u << FACT_DATE_OF_BIRTH)))
                    set_unknown(a, TYPE_NUMBER, FACT_DATE_OF_BIRTH);
                else if (a->unknown)
                    set_unknown(a, TYPE_NUMBER, a->fact);
                else
                    set_number(a, date_years_between(vm->person->date_of_birth, a->as.date, month_end));
                vmbreak;
            }
            vmcase(RUN_DATE) {
                /* a run with no date cannot measure "years since": unknown, and the reason says why */
                if (vm->as_of_known)
                    set_date(sp++, vm->as_of);
                else
                    set_unknown(sp++, TYPE_DATE, FACT_RUN_DATE);
                vmbreak;
            }
            vmcase(ANY) vmcase(COUNT) vmcase(LATEST) vmcase(EARLIEST) {
                struct value r = aggregate(vm, in, sp, examined);
                *sp++ = r;
                vmbreak;
            }
            vmcase(TEST_RULE) {
                struct value *cond = &sp[-1];
                sp--;
                if (vm->trace)
                    vm->trace(vm->trace_ctx, in->b, cond);
                if (cond->unknown) {
                    /* A rule that can neither decide nor be skipped sends the conviction to review. */
                    out->rule = in->b;
                    out->outcome = p->review_outcome;
                    out->unknown = true;
                    out->missing_fact = cond->fact;
                    return;
                }
                if (cond->as.number) {
                    out->rule = in->b;
                    out->outcome = p->rules[in->b].outcome;
                    out->unknown = false;
                    out->missing_fact = FACT_NONE;
                    return;
                }
                pc = in->c - f->start;
                vmbreak;
            }
            vmcase(DECIDE) {
                if (vm->trace)
                    vm->trace(vm->trace_ctx, in->b, NULL);
                out->rule = in->b;
                out->outcome = p->rules[in->b].outcome;
                out->unknown = false;
                out->missing_fact = FACT_NONE;
                return;
            }
            vmcase(JOIN) {
                sp[-1] = join(vm, in, sp, examined, &sp[-1]);
                vmbreak;
            }
            vmcase(OUTCOME_IS) { set_bool(sp++, vm->decision->outcome == in->c); vmbreak; }
            vmcase(REASON) {
                char *buf = vm->scratch + vm->scratch_used;
                size_t room = vm->scratch_size - vm->scratch_used;
                size_t n = decision_reason_with(p, vm->params, vm->decision, buf, room);
                if (n + 1 >= room) {
                    set_unknown(sp++, TYPE_TEXT, FACT_NONE);
                } else {
                    vm->scratch_used += n;
                    set_text(sp++, buf, n);
                }
                vmbreak;
            }
            vmcase(TO_TEXT) { sp[-1] = to_text(vm, &sp[-1]); vmbreak; }
            vmcase(FORMAT_DATE) {
                if (!sp[-1].unknown)
                    sp[-1] = format_date(vm, sp[-1].as.date, &p->consts[in->c]);
                else
                    set_text(&sp[-1], "", 0);
                vmbreak;
            }
            vmcase(DECIMAL_YEARS) {
                /* gogen's "years since": days over 365.25, to one decimal */
                struct value *a = &sp[-2], *b = &sp[-1];
                sp--;
                if (a->unknown || b->unknown) {
                    set_text(a, "", 0);
                    vmbreak;
                }
                char buf[32];
                int n = snprintf(buf, sizeof buf, "%.1f", (double)(b->as.date - a->as.date) / 365.25);
                char *dst = scratch_take(vm, (size_t)n);
                if (dst) {
                    memcpy(dst, buf, (size_t)n);
                    set_text(a, dst, (size_t)n);
                } else {
                    set_unknown(a, TYPE_TEXT, FACT_NONE);
                }
                vmbreak;
            }
            vmcase(JUMP) { pc = in->c - f->start; vmbreak; }
            vmcase(JUMP_IF_FALSE) {
                /* a column's "when": only a known true takes the branch */
                sp--;
                if (sp->unknown || !sp->as.number)
                    pc = in->c - f->start;
                vmbreak;
            }
            vmcase(RETURN) { return; }
            vmcase(AND_SKIP) {
                /* a known false is the answer of the `and` */
                if (!sp[-1].unknown && !sp[-1].as.number)
                    vm_skip(in->c);
                vmbreak;
            }
            vmcase(WHEN_AND_SKIP) {
                /*
                 * A `when` asks only whether its condition is a known true, and whether an `and` or
                 * an `or` is one depends only on whether its sides are: A's false or unknown stands
                 * for the whole `and`.
                 */
                if (sp[-1].unknown || !sp[-1].as.number)
                    vm_skip(in->c);
                vmbreak;
            }
            vmcase(OR_SKIP) {
                if (!sp[-1].unknown && sp[-1].as.number)
                    vm_skip(in->c);
                vmbreak;
            }
#ifndef VM_THREADED
        default:
            assert(!"the verifier admitted an unknown opcode");
            return;
#endif
        }
        vm_next();
    }
}

/*
 * Every entry point starts here: the person and the conviction (or charge) a
 * function is about, and the citation hashes of the last call forgotten, as
 * a reader hands out the next person in the same memory (see struct vm).
 */
static void vm_enter(struct vm *vm, const struct person *person, const struct conviction *current)
{
    vm->hashed = NULL;
    vm->person = person;
    vm->current = current;
}

void vm_decide(struct vm *vm, const struct person *person, uint32_t index, struct decision *out)
{
    if (index == 0)
        vm->steps_left = vm->steps_per_person;
    vm_enter(vm, person, &person->convictions[index]);
    run_function(vm, 0, vm->stack, &person->convictions[index], out);
    out->has_eligible_from = false;
    out->eligible_from = 0;
    const struct program_rule *r = &vm->program->rules[out->rule];
    if (!out->unknown && r->eligible_from != PROGRAM_NO_CONST) {
        vm->decision = out;
        run_function(vm, r->eligible_from, vm->stack, &person->convictions[index], NULL);
        if (!vm->stack[0].unknown) {
            out->has_eligible_from = true;
            out->eligible_from = vm->stack[0].as.date;
        }
    }
}

bool vm_column_scope(struct vm *vm, const struct person *person, uint32_t index, const struct decision *d)
{
    const struct program *p = vm->program;
    if (p->column_scope == PROGRAM_NO_CONST)
        return true;
    vm_enter(vm, person, &person->convictions[index]);
    vm->decision = d;
    run_function(vm, p->column_scope, vm->stack, &person->convictions[index], NULL);
    return !vm->stack[0].unknown && vm->stack[0].as.number;
}

/* The column's function has run: its text, or empty when it did not fit. */
static bool column_result(struct vm *vm, const char **text, size_t *len)
{
    const struct value *v = &vm->stack[0];
    if (v->unknown) {
        *text = "";
        *len = 0;
        return false;
    }
    *text = v->as.text.ptr;
    *len = v->as.text.len;
    return true;
}

bool vm_column(struct vm *vm, const struct person *person, uint32_t index, const struct decision *d,
               uint32_t column, const char **text, size_t *len)
{
    const struct program *p = vm->program;
    vm_enter(vm, person, &person->convictions[index]);
    vm->decision = d;
    vm->scratch_used = 0;
    run_function(vm, p->columns[column].function, vm->stack, vm->current, NULL);
    return column_result(vm, text, len);
}

bool vm_row_column(struct vm *vm, const struct person *person, const struct conviction *charge, uint32_t column,
                   const char **text, size_t *len)
{
    const struct program *p = vm->program;
    vm_enter(vm, person, charge);
    /* the verifier lets no row column read the outcome or the reason */
    vm->decision = NULL;
    vm->scratch_used = 0;
    run_function(vm, p->columns[column].function, vm->stack, charge, NULL);
    return column_result(vm, text, len);
}

const char *vm_fact_name(unsigned fact)
{
    return fact < FACT__COUNT ? fact_names[fact] : "?";
}
