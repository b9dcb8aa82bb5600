/*
 * bc_load.c - reads a .lbc file (bytecode.h) into a struct program.
 *
 * The bytes are hostile until proven otherwise: a checksum only proves
 * the file was not damaged by accident, not that whoever wrote it meant
 * well.  So all reads go through one reader that knows where its section
 * ends; every count is held against its PROGRAM_MAX_* limit and against
 * the bytes actually left before anything is allocated; every index that
 * ends up in a table is checked against that table.  A message names the
 * file, the byte offset and what was wrong, in words a clerk can pass on.
 *
 * Forward references (the header names strings and citations stored
 * after it; functions name code, examples name example convictions) are
 * checked as soon as their target table has been read.
 */
#include "bc_load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytecode.h"
#include "checksum.h"
#include "person.h"

/* Bits of the facts each owner has, from the one fact list. */
#define OWNER_IS_PERSON 1u
#define OWNER_IS_CONVICTION 0u
static const uint32_t person_fact_bits = 0u
#define FACT(id, owner, name, type, words) | (OWNER_IS_##owner ? (1u << FACT_##id) : 0u)
#include "fact_list.h"
#undef FACT
    ;
static const uint32_t conviction_fact_bits = 0u
#define FACT(id, owner, name, type, words) | (OWNER_IS_##owner ? 0u : (1u << FACT_##id))
#include "fact_list.h"
#undef FACT
    ;

static const char *const section_names[BC_SECTION__END] = {
    [BC_SECTION_HEADER] = "policy header",
    [BC_SECTION_STRINGS] = "string table",
    [BC_SECTION_CITATIONS] = "citation table",
    [BC_SECTION_CONSTANTS] = "constant pool",
    [BC_SECTION_SETS] = "set table",
    [BC_SECTION_PARAMS] = "parameter table",
    [BC_SECTION_OUTCOMES] = "outcome table",
    [BC_SECTION_RULES] = "rule table",
    [BC_SECTION_FUNCTIONS] = "function table",
    [BC_SECTION_CODE] = "code",
    [BC_SECTION_LINES] = "line table",
    [BC_SECTION_EXAMPLES] = "example table",
    [BC_SECTION_EXAMPLE_CONVICTIONS] = "example conviction table",
    [BC_SECTION_COLUMNS] = "output column table",
    [BC_SECTION_NOTES] = "explain notes",
    [BC_SECTION_TABLES] = "table of tables",
    [BC_SECTION_PERIODS] = "dated parameter values",
    [BC_SECTION_ACTIONS] = "outcome lists",
};

struct reader {
    const unsigned char *data; /* the whole file */
    size_t size;               /* one past the last byte this reader may read */
    size_t offset;             /* next byte, counted from the start of the file */
};

struct load {
    const char *name;
    char *err;
    size_t errsize;
    const char *what;          /* the part being read, for messages */
    struct program *p;
    int32_t date_min;
    int32_t date_max;
    size_t header_at;          /* payload offsets of sections with forward references */
    size_t functions_at;
    size_t examples_at;
};

static void vmessage(struct load *L, const char *fmt, va_list ap)
{
    if (L->err == NULL || L->errsize == 0)
        return;
    int n = snprintf(L->err, L->errsize, "%s: ", L->name);
    if (n >= 0 && (size_t)n < L->errsize)
        vsnprintf(L->err + n, L->errsize - (size_t)n, fmt, ap);
}

static bool fail(struct load *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(L, fmt, ap);
    va_end(ap);
    return false;
}

/* "bad constant pool at byte 212: ..." */
static bool bad(struct load *L, size_t at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail(L, "bad %s at byte %zu: %s", L->what, at, msg);
}

static bool truncated(struct load *L, size_t at)
{
    return fail(L, "truncated %s at byte %zu", L->what, at);
}

static bool need(struct load *L, const struct reader *r, size_t n)
{
    if (r->size - r->offset < n)
        return truncated(L, r->offset);
    return true;
}

static bool rd_u8(struct load *L, struct reader *r, uint8_t *v)
{
    if (!need(L, r, 1))
        return false;
    *v = r->data[r->offset++];
    return true;
}

static bool rd_u16(struct load *L, struct reader *r, uint16_t *v)
{
    if (!need(L, r, 2))
        return false;
    const unsigned char *b = r->data + r->offset;
    *v = (uint16_t)(b[0] | (b[1] << 8));
    r->offset += 2;
    return true;
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static bool rd_u32(struct load *L, struct reader *r, uint32_t *v)
{
    if (!need(L, r, 4))
        return false;
    *v = get_u32(r->data + r->offset);
    r->offset += 4;
    return true;
}

static bool rd_i32(struct load *L, struct reader *r, int32_t *v)
{
    uint32_t u;
    if (!rd_u32(L, r, &u))
        return false;
    /* Two's complement by arithmetic, not by an implementation-defined cast. */
    *v = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 2147483648u) - INT32_MAX - 1;
    return true;
}

static bool rd_i64(struct load *L, struct reader *r, int64_t *v)
{
    uint32_t lo, hi;
    if (!rd_u32(L, r, &lo) || !rd_u32(L, r, &hi))
        return false;
    uint64_t u = (uint64_t)hi << 32 | lo;
    *v = u <= INT64_MAX ? (int64_t)u : (int64_t)(u - 9223372036854775808u) - INT64_MAX - 1;
    return true;
}

/*
 * A count is held against its limit and against the bytes left (each
 * element takes at least min_size bytes), so a 30-byte file cannot make
 * the loader allocate for a million elements.
 */
static bool rd_count(struct load *L, struct reader *r, uint32_t limit, size_t min_size, const char *things,
                     uint32_t *n)
{
    size_t at = r->offset;
    if (!rd_u32(L, r, n))
        return false;
    if (*n > limit)
        return bad(L, at, "%" PRIu32 " %s are more than the limit of %" PRIu32, *n, things, limit);
    if ((uint64_t)*n * min_size > r->size - r->offset)
        return fail(L, "truncated %s at byte %zu: %" PRIu32 " %s need at least %" PRIu64 " bytes, %zu remain",
                    L->what, at, *n, things, (uint64_t)*n * min_size, r->size - r->offset);
    return true;
}

static void *alloc_array(struct load *L, uint32_t n, size_t size)
{
    void *a = calloc(n ? n : 1, size);
    if (a == NULL)
        fail(L, "out of memory reading the %s", L->what);
    return a;
}

static bool check_string(struct load *L, size_t at, uint32_t s, bool optional, const char *field)
{
    if (optional && s == PROGRAM_NO_STRING)
        return true;
    if (s >= L->p->nstrings)
        return bad(L, at, "%s refers to string %" PRIu32 ", but the file has %" PRIu32 " strings", field, s,
                   L->p->nstrings);
    return true;
}

static bool rd_string_ref(struct load *L, struct reader *r, bool optional, const char *field, uint32_t *s)
{
    size_t at = r->offset;
    return rd_u32(L, r, s) && check_string(L, at, *s, optional, field);
}

static bool check_citation(struct load *L, size_t at, uint32_t c, bool optional, const char *field)
{
    if (optional && c == PROGRAM_NO_CONST)
        return true;
    if (c >= L->p->ncitations)
        return bad(L, at, "%s refers to citation %" PRIu32 ", but the file has %" PRIu32 " citations", field, c,
                   L->p->ncitations);
    return true;
}

static bool rd_date(struct load *L, struct reader *r, const char *field, int32_t *d)
{
    size_t at = r->offset;
    if (!rd_i32(L, r, d))
        return false;
    if (*d < L->date_min || *d > L->date_max)
        return bad(L, at, "%s is day %" PRId32 " from 1970, outside the years %d to %d", field, *d, DATE_MIN_YEAR,
                   DATE_MAX_YEAR);
    return true;
}

/* Copies at most 63 bytes for a message, with anything unprintable as '?'. */
static void printable(char out[CITATION_MAX_LEN + 1], const unsigned char *s, size_t len)
{
    size_t n = len < CITATION_MAX_LEN ? len : CITATION_MAX_LEN;
    for (size_t i = 0; i < n; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
    out[n] = '\0';
}

/* u8 len, text, u8 flags; len 0 only when allow_empty (an unknown citation). */
static bool rd_citation(struct load *L, struct reader *r, bool allow_empty, const char *field,
                        struct citation *out, bool *present)
{
    size_t at = r->offset;
    uint8_t len, flags;
    if (!rd_u8(L, r, &len))
        return false;
    if (len > CITATION_MAX_LEN)
        return bad(L, at, "%s is %u bytes long, more than the limit of %u", field, len, CITATION_MAX_LEN);
    if (len == 0 && !allow_empty)
        return bad(L, at, "%s is empty", field);
    if (!need(L, r, len))
        return false;
    const unsigned char *text = r->data + r->offset;
    r->offset += len;
    size_t flags_at = r->offset;
    if (!rd_u8(L, r, &flags))
        return false;
    memset(out, 0, sizeof *out);
    *present = len > 0;
    if (len == 0) {
        if (flags != 0)
            return bad(L, flags_at, "%s is absent but has flags 0x%02x", field, flags);
        return true;
    }
    const char *why = NULL;
    if (memchr(text, '\0', len) != NULL || !citation_parse((const char *)text, len, out, &why)) {
        char shown[CITATION_MAX_LEN + 1];
        printable(shown, text, len);
        return bad(L, at + 1, "%s \"%s\" is not a citation (%s)", field, shown, why ? why : "it contains a NUL byte");
    }
    if (flags & ~(unsigned)(CITATION_ATTEMPT | CITATION_CONSPIRACY))
        return bad(L, flags_at, "%s has unknown flags 0x%02x", field, flags);
    out->flags = flags;
    return true;
}

/* The value encoding shared by constants and parameter defaults. */
static bool rd_value(struct load *L, struct reader *r, const char *what, uint32_t index, struct value *v)
{
    size_t at = r->offset;
    uint8_t type, unknown, u8;
    uint32_t ref;
    char field[64];

    snprintf(field, sizeof field, "%s %" PRIu32, what, index);
    if (!rd_u8(L, r, &type))
        return false;
    if ((type < TYPE_BOOL || type > TYPE_LEVEL) && type != TYPE_QUANTITY)
        return bad(L, at, "%s has type tag %u, which is not a type a %s can have", field, type, what);
    size_t unknown_at = r->offset;
    if (!rd_u8(L, r, &unknown))
        return false;
    if (unknown > 1)
        return bad(L, unknown_at, "%s has unknown-flag %u (must be 0 or 1)", field, unknown);
    memset(v, 0, sizeof *v);
    v->type = type;
    if (unknown) {
        v->unknown = 1;
        v->fact = FACT_NONE;
        return true;
    }
    size_t payload_at = r->offset;
    switch ((enum value_type)type) {
    case TYPE_BOOL:
        if (!rd_u8(L, r, &u8))
            return false;
        if (u8 > 1)
            return bad(L, payload_at, "%s is a true/false value stored as %u (must be 0 or 1)", field, u8);
        v->as.number = u8;
        return true;
    case TYPE_NUMBER:
        return rd_i64(L, r, &v->as.number);
    case TYPE_TEXT:
        if (!rd_string_ref(L, r, false, field, &ref))
            return false;
        v->as.text.ptr = L->p->strings[ref].ptr;
        v->as.text.len = L->p->strings[ref].len;
        return true;
    case TYPE_DATE:
        return rd_date(L, r, field, &v->as.date);
    case TYPE_DURATION:
        return rd_i32(L, r, &v->as.duration.months) && rd_i32(L, r, &v->as.duration.days);
    case TYPE_CITATION:
        if (!rd_u32(L, r, &ref) || !check_citation(L, payload_at, ref, false, field))
            return false;
        v->as.citation = &L->p->citations[ref];
        return true;
    case TYPE_QUANTITY:
        if (!rd_i64(L, r, &v->as.quantity.amount) || !rd_u8(L, r, &u8))
            return false;
        if (u8 != QUANTITY_MASS && u8 != QUANTITY_PLANTS)
            return bad(L, payload_at, "%s is a quantity of kind %u (must be 1, a weight, or 2, plants)", field, u8);
        v->as.quantity.dim = u8;
        return true;
    case TYPE_LEVEL:
        if (!rd_u8(L, r, &u8))
            return false;
        if (u8 < LEVEL_FELONY || u8 > LEVEL_INFRACTION)
            return bad(L, payload_at, "%s is offence level %u (must be 1, 2 or 3)", field, u8);
        v->as.number = u8;
        return true;
    case TYPE_NONE:
    case TYPE_OUTCOME:
    case TYPE_SET:
    case TYPE__COUNT:
        break;
    }
    return bad(L, at, "%s has an impossible type", field);
}

/* ---- sections, in file order ------------------------------------------ */

static bool load_header(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint8_t month_end;
    L->header_at = r->offset;
    if (!rd_u32(L, r, &p->name) || !rd_u32(L, r, &p->jurisdiction) || !rd_u32(L, r, &p->authority)
        || !rd_u32(L, r, &p->version) || !rd_date(L, r, "the effective date", &p->effective))
        return false;
    size_t at = r->offset;
    if (!rd_u8(L, r, &month_end))
        return false;
    if (month_end > DATE_ROUND_UP)
        return bad(L, at, "month-end rule %u is neither 0 (round down) nor 1 (round up)", month_end);
    p->month_end = month_end;
    if (!rd_u32(L, r, &p->source_name) || !rd_u32(L, r, &p->source_hash) || !rd_u32(L, r, &p->approved_by))
        return false;
    if (p->approved_by == PROGRAM_NO_STRING) {
        size_t at_none = r->offset;
        int32_t none;
        if (!rd_i32(L, r, &none))
            return false;
        if (none != 0)
            return bad(L, at_none, "an approval date is given without who approved");
        return true;
    }
    return rd_date(L, r, "the approval date", &p->approved_on);
}

static bool load_strings(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_STRINGS, 4, "strings", &n))
        return false;
    if ((p->strings = alloc_array(L, n, sizeof *p->strings)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = r->offset;
        uint32_t len;
        if (!rd_u32(L, r, &len))
            return false;
        if (len > PROGRAM_MAX_STRING_LEN)
            return bad(L, at, "string %" PRIu32 " is %" PRIu32 " bytes long, more than the limit of %u", i, len,
                       PROGRAM_MAX_STRING_LEN);
        if (!need(L, r, len))
            return false;
        const unsigned char *text = r->data + r->offset;
        const unsigned char *nul = memchr(text, '\0', len);
        if (nul != NULL)
            return bad(L, r->offset + (size_t)(nul - text), "string %" PRIu32 " contains a NUL byte", i);
        char *s = malloc((size_t)len + 1);
        if (s == NULL)
            return fail(L, "out of memory reading the %s", L->what);
        memcpy(s, text, len);
        s[len] = '\0';
        r->offset += len;
        p->strings[i].ptr = s;
        p->strings[i].len = len;
        p->nstrings = i + 1;
    }

    /* The policy header's strings, now that there is a table to check them against. */
    const char *what = L->what;
    size_t h = L->header_at;
    L->what = section_names[BC_SECTION_HEADER];
    bool ok = check_string(L, h + 0, p->name, false, "the policy name")
        && check_string(L, h + 4, p->jurisdiction, false, "the jurisdiction")
        && check_string(L, h + 12, p->version, false, "the version")
        && check_string(L, h + 21, p->source_name, false, "the source file name")
        && check_string(L, h + 29, p->approved_by, true, "the approval");
    L->what = what;
    return ok;
}

static bool load_citations(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    char field[48];
    bool present;
    if (!rd_count(L, r, BC_MAX_CITATIONS, 3, "citations", &n))
        return false;
    if ((p->citations = alloc_array(L, n, sizeof *p->citations)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(field, sizeof field, "citation %" PRIu32, i);
        if (!rd_citation(L, r, false, field, &p->citations[i], &present))
            return false;
        p->ncitations = i + 1;
    }
    const char *what = L->what;
    L->what = section_names[BC_SECTION_HEADER];
    bool ok = check_citation(L, L->header_at + 8, p->authority, true, "the authority");
    L->what = what;
    return ok;
}

static bool load_constants(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_CONSTS, 2, "constants", &n))
        return false;
    if ((p->consts = alloc_array(L, n, sizeof *p->consts)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!rd_value(L, r, "constant", i, &p->consts[i]))
            return false;
        p->nconsts = i + 1;
    }
    return true;
}

static bool load_sets(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    uint32_t entries = 0;
    if (!rd_count(L, r, PROGRAM_MAX_SETS, 8, "sets", &n))
        return false;
    if ((p->sets = alloc_array(L, n, sizeof *p->sets)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        char field[48];
        uint32_t count;
        snprintf(field, sizeof field, "set %" PRIu32 "'s name", i);
        if (!rd_string_ref(L, r, false, field, &p->sets[i].name))
            return false;
        snprintf(field, sizeof field, "entries in set %" PRIu32, i);
        if (!rd_count(L, r, PROGRAM_MAX_SET_ENTRIES - entries, 4, field, &count))
            return false;
        entries += count;
        struct citation *items = alloc_array(L, count, sizeof *items);
        if (items == NULL)
            return false;
        for (uint32_t k = 0; k < count; k++) {
            size_t at = r->offset;
            uint32_t c;
            snprintf(field, sizeof field, "entry %" PRIu32 " of set %" PRIu32, k, i);
            if (!rd_u32(L, r, &c) || !check_citation(L, at, c, false, field)) {
                free(items);
                return false;
            }
            items[k] = p->citations[c];
        }
        bool built = citation_set_build(&p->sets[i].table, items, count);
        free(items);
        if (!built)
            return fail(L, "out of memory building set %" PRIu32, i);
        p->nsets = i + 1;
    }
    return true;
}

static bool load_params(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_PARAMS, 6, "parameters", &n))
        return false;
    if ((p->params = alloc_array(L, n, sizeof *p->params)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!rd_string_ref(L, r, false, "a parameter name", &p->params[i].name)
            || !rd_value(L, r, "parameter", i, &p->params[i].value))
            return false;
        p->nparams = i + 1;
    }
    return true;
}

static bool load_outcomes(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    size_t at = r->offset;
    if (!rd_count(L, r, PROGRAM_MAX_OUTCOMES, 5, "outcomes", &n))
        return false;
    if (n == 0)
        return bad(L, at, "there are no outcomes (a policy needs at least its review outcome)");
    if ((p->outcomes = alloc_array(L, n, sizeof *p->outcomes)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t kind;
        if (!rd_string_ref(L, r, false, "an outcome name", &p->outcomes[i].name))
            return false;
        at = r->offset;
        if (!rd_u8(L, r, &kind))
            return false;
        if (kind < OUTCOME_RELIEF || kind > OUTCOME_REVIEW)
            return bad(L, at, "outcome %" PRIu32 " has kind %u (must be 1 relief, 2 no relief or 3 review)", i, kind);
        p->outcomes[i].kind = kind;
        p->noutcomes = i + 1;
    }
    at = r->offset;
    if (!rd_u32(L, r, &p->review_outcome))
        return false;
    if (p->review_outcome >= n)
        return bad(L, at, "the review outcome is outcome %" PRIu32 ", but there are %" PRIu32 " outcomes",
                   p->review_outcome, n);
    if (p->outcomes[p->review_outcome].kind != OUTCOME_REVIEW)
        return bad(L, at, "the review outcome %" PRIu32 " is of kind %s, not review", p->review_outcome,
                   outcome_kind_words((enum outcome_kind)p->outcomes[p->review_outcome].kind));
    return true;
}

static bool load_rules(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_RULES, 36, "rules", &n))
        return false;
    if ((p->rules = alloc_array(L, n, sizeof *p->rules)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_rule *rule = &p->rules[i];
        char field[48];
        snprintf(field, sizeof field, "rule %" PRIu32, i);
        if (!rd_string_ref(L, r, false, field, &rule->name))
            return false;
        size_t at = r->offset;
        if (!rd_u32(L, r, &rule->outcome))
            return false;
        if (rule->outcome >= p->noutcomes)
            return bad(L, at, "rule %" PRIu32 " leads to outcome %" PRIu32 ", but there are %" PRIu32 " outcomes", i,
                       rule->outcome, p->noutcomes);
        if (!rd_string_ref(L, r, false, field, &rule->reason))
            return false;
        at = r->offset;
        if (!rd_u32(L, r, &rule->citation) || !check_citation(L, at, rule->citation, true, field)
            || !rd_u32(L, r, &rule->line) || !rd_string_ref(L, r, true, field, &rule->quote)
            || !rd_u32(L, r, &rule->eligible_from) || !rd_u32(L, r, &rule->first_action)
            || !rd_u32(L, r, &rule->nactions))
            return false;
        p->nrules = i + 1;
    }
    return true;
}

enum { FUNCTION_RECORD_SIZE = 9, EXAMPLE_RECORD_SIZE = 35, EXAMPLE_CONVICTION_MIN_SIZE = 98 };

static bool load_functions(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_FUNCTIONS, FUNCTION_RECORD_SIZE, "functions", &n))
        return false;
    L->functions_at = r->offset;
    if ((p->functions = alloc_array(L, n, sizeof *p->functions)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_function *f = &p->functions[i];
        uint8_t kind;
        if (!rd_u32(L, r, &f->start) || !rd_u32(L, r, &f->len))
            return false;
        size_t at = r->offset;
        if (!rd_u8(L, r, &kind))
            return false;
        if (kind > FUNCTION_ROW_COLUMN)
            return bad(L, at, "function %" PRIu32 " has kind %u (must be 0 to %u)", i, kind,
                       (unsigned)FUNCTION_ROW_COLUMN);
        f->kind = kind;
        p->nfunctions = i + 1;
    }
    return true;
}

static bool load_code(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_CODE, BC_INSN_SIZE, "instructions", &n))
        return false;
    if ((p->code = alloc_array(L, n, sizeof *p->code)) == NULL)
        return false;
    p->ncode = n;
    for (uint32_t i = 0; i < n; i++) {
        struct insn *in = &p->code[i];
        if (!rd_u8(L, r, &in->op) || !rd_u8(L, r, &in->a) || !rd_u16(L, r, &in->b) || !rd_u32(L, r, &in->c))
            return false;
    }

    const char *what = L->what;
    L->what = section_names[BC_SECTION_FUNCTIONS];
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        const struct program_function *f = &p->functions[i];
        if (f->start > n || f->len > n - f->start) {
            return bad(L, L->functions_at + (size_t)i * FUNCTION_RECORD_SIZE,
                       "function %" PRIu32 " has %" PRIu32 " instructions starting at %" PRIu32
                       ", past the end of the code (%" PRIu32 " instructions)",
                       i, f->len, f->start, n);
        }
    }
    L->what = what;
    return true;
}

static bool load_lines(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    size_t at = r->offset;
    if (!rd_count(L, r, PROGRAM_MAX_CODE, 4, "lines", &n))
        return false;
    if (n != p->ncode)
        return bad(L, at, "%" PRIu32 " source lines for %" PRIu32 " instructions", n, p->ncode);
    if ((p->lines = alloc_array(L, n, sizeof *p->lines)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!rd_u32(L, r, &p->lines[i]))
            return false;
    }
    return true;
}

static bool load_examples(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_EXAMPLES, EXAMPLE_RECORD_SIZE, "examples", &n))
        return false;
    L->examples_at = r->offset;
    if ((p->examples = alloc_array(L, n, sizeof *p->examples)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_example *x = &p->examples[i];
        if (!rd_string_ref(L, r, false, "an example name", &x->name) || !rd_u32(L, r, &x->line))
            return false;
        size_t at = r->offset;
        if (!rd_u32(L, r, &x->known))
            return false;
        if (x->known & ~person_fact_bits)
            return bad(L, at, "example %" PRIu32 " marks facts 0x%" PRIx32 " known, which are not a person's", i,
                       x->known & ~person_fact_bits);
        at = r->offset;
        if (!rd_i32(L, r, &x->date_of_birth))
            return false;
        if ((x->known & (1u << FACT_DATE_OF_BIRTH))
            && (x->date_of_birth < L->date_min || x->date_of_birth > L->date_max))
            return bad(L, at, "example %" PRIu32 "'s date of birth is outside the years %d to %d", i, DATE_MIN_YEAR,
                       DATE_MAX_YEAR);
        uint8_t deceased, registered, has_as_of;
        at = r->offset;
        if (!rd_u8(L, r, &deceased) || !rd_u8(L, r, &registered) || !rd_u8(L, r, &has_as_of))
            return false;
        if (deceased > 1 || registered > 1 || has_as_of > 1)
            return bad(L, at, "example %" PRIu32 " has a true/false field that is neither", i);
        x->deceased = deceased;
        x->sex_offender_registration = registered;
        x->has_as_of = has_as_of;
        at = r->offset;
        if (!rd_i32(L, r, &x->sex_offender_registration_date))
            return false;
        if ((x->known & (1u << FACT_SEX_OFFENDER_REGISTRATION_DATE))
            && (x->sex_offender_registration_date < L->date_min || x->sex_offender_registration_date > L->date_max))
            return bad(L, at, "example %" PRIu32 "'s registration date is outside the years %d to %d", i,
                       DATE_MIN_YEAR, DATE_MAX_YEAR);
        at = r->offset;
        if (!rd_i32(L, r, &x->as_of))
            return false;
        if (x->has_as_of && (x->as_of < L->date_min || x->as_of > L->date_max))
            return bad(L, at, "example %" PRIu32 "'s run date is outside the years %d to %d", i, DATE_MIN_YEAR,
                       DATE_MAX_YEAR);
        if (!rd_u32(L, r, &x->first) || !rd_u32(L, r, &x->count))
            return false;
        p->nexamples = i + 1;
    }
    return true;
}

static bool load_example_convictions(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, BC_MAX_EXAMPLE_CONVICTIONS, EXAMPLE_CONVICTION_MIN_SIZE, "example convictions", &n))
        return false;
    if ((p->example_convictions = alloc_array(L, n, sizeof *p->example_convictions)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_example_conviction *c = &p->example_convictions[i];
        char field[64];
        bool present;
        uint8_t level;
        snprintf(field, sizeof field, "example conviction %" PRIu32, i);
        if (!rd_u32(L, r, &c->line))
            return false;
        size_t at = r->offset;
        if (!rd_u32(L, r, &c->known))
            return false;
        if (c->known & ~conviction_fact_bits)
            return bad(L, at, "%s marks facts 0x%" PRIx32 " known, which are not a conviction's", field,
                       c->known & ~conviction_fact_bits);
        at = r->offset;
        if (!rd_citation(L, r, true, field, &c->citation, &present))
            return false;
        if (present != ((c->known & (1u << FACT_CITATION)) != 0))
            return bad(L, at, "%s %s a citation but marks it %s", field, present ? "has" : "has no",
                       present ? "unknown" : "known");
        at = r->offset;
        if (!rd_u8(L, r, &level))
            return false;
        if (level > LEVEL_INFRACTION || ((c->known & (1u << FACT_LEVEL)) && level < LEVEL_FELONY))
            return bad(L, at, "%s has offence level %u", field, level);
        c->level = level;
        at = r->offset;
        if (!rd_i32(L, r, &c->disposition_date))
            return false;
        if ((c->known & (1u << FACT_DISPOSITION_DATE))
            && (c->disposition_date < L->date_min || c->disposition_date > L->date_max))
            return bad(L, at, "%s's disposition date is outside the years %d to %d", field, DATE_MIN_YEAR,
                       DATE_MAX_YEAR);
        if (!rd_i32(L, r, &c->sentence.months) || !rd_i32(L, r, &c->sentence.days)
            || !rd_string_ref(L, r, true, field, &c->county) || !rd_string_ref(L, r, true, field, &c->case_id)
            || !rd_string_ref(L, r, true, field, &c->cycle_id)
            || !rd_string_ref(L, r, true, field, &c->offense_text))
            return false;
        for (int k = 0; k < PROGRAM_RECORD_TEXTS; k++)
            if (!rd_string_ref(L, r, true, field, &c->record_text[k]))
                return false;
        at = r->offset;
        if (!rd_i32(L, r, &c->offense_date) || !rd_i64(L, r, &c->quantity.amount) || !rd_u8(L, r, &c->quantity.dim) ||
            !rd_i64(L, r, &c->plant_count.amount) || !rd_u8(L, r, &c->plant_count.dim))
            return false;
        if (((c->known & (1u << FACT_QUANTITY)) && c->quantity.dim != QUANTITY_MASS) ||
            ((c->known & (1u << FACT_PLANT_COUNT)) && c->plant_count.dim != QUANTITY_PLANTS))
            return bad(L, at, "%s has a quantity of the wrong kind", field);
        uint8_t is_charge;
        at = r->offset;
        if (!rd_u8(L, r, &is_charge))
            return false;
        if (is_charge > 1)
            return bad(L, at, "%s has a charge flag that is neither true nor false", field);
        c->is_charge = is_charge;
        at = r->offset;
        if (!rd_i32(L, r, &c->sentence_end))
            return false;
        if ((c->known & (1u << FACT_SENTENCE_END))
            && (c->sentence_end < L->date_min || c->sentence_end > L->date_max))
            return bad(L, at, "%s's sentence end is outside the years %d to %d", field, DATE_MIN_YEAR,
                       DATE_MAX_YEAR);
        uint8_t has_from;
        at = r->offset;
        if (!rd_u8(L, r, &has_from) || !rd_i32(L, r, &c->expect_from))
            return false;
        if (has_from > 1 || (has_from && (c->expect_from < L->date_min || c->expect_from > L->date_max)))
            return bad(L, at, "%s expects an eligible-from date that is not a date", field);
        c->expect_has_from = has_from;
        at = r->offset;
        if (!rd_u32(L, r, &c->expect_outcome))
            return false;
        if (c->expect_outcome >= p->noutcomes)
            return bad(L, at, "%s expects outcome %" PRIu32 ", but there are %" PRIu32 " outcomes", field,
                       c->expect_outcome, p->noutcomes);
        if (!rd_u32(L, r, &c->expect_first_action) || !rd_u32(L, r, &c->expect_nactions))
            return false;
        at = r->offset;
        if (!rd_u32(L, r, &c->expect_rule))
            return false;
        if (c->expect_rule != PROGRAM_NO_CONST && c->expect_rule >= p->nrules)
            return bad(L, at, "%s expects rule %" PRIu32 ", but there are %" PRIu32 " rules", field, c->expect_rule,
                       p->nrules);
        p->nexample_convictions = i + 1;
    }

    L->what = section_names[BC_SECTION_EXAMPLES];
    for (uint32_t i = 0; i < p->nexamples; i++) {
        const struct program_example *x = &p->examples[i];
        if (x->first > n || x->count > n - x->first)
            return bad(L, L->examples_at + (size_t)i * EXAMPLE_RECORD_SIZE + 27,
                       "example %" PRIu32 " has %" PRIu32 " convictions starting at %" PRIu32
                       ", but there are %" PRIu32 " example convictions",
                       i, x->count, x->first, n);
    }
    return true;
}

/* The columns a policy adds to outputs that copy the input; the verifier checks their functions' kinds. */
static bool load_columns(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    size_t at = r->offset;
    if (!rd_u32(L, r, &p->column_scope))
        return false;
    if (p->column_scope != PROGRAM_NO_CONST && p->column_scope >= p->nfunctions)
        return bad(L, at, "the columns' scope is function %" PRIu32 ", but there are %" PRIu32 " functions",
                   p->column_scope, p->nfunctions);
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_COLUMNS, 8, "output columns", &n))
        return false;
    if ((p->columns = alloc_array(L, n, sizeof *p->columns)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_column *c = &p->columns[i];
        if (!rd_string_ref(L, r, false, "an output column's name", &c->name))
            return false;
        at = r->offset;
        if (!rd_u32(L, r, &c->function))
            return false;
        if (c->function >= p->nfunctions)
            return bad(L, at, "output column %" PRIu32 " is function %" PRIu32 ", but there are %" PRIu32
                              " functions", i, c->function, p->nfunctions);
        p->ncolumns = i + 1;
    }
    return true;
}

/* What lenity explain prints for each test: optional, one string or none per instruction. */
static bool load_notes(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    size_t at = r->offset;
    uint32_t n;
    if (!rd_u32(L, r, &n))
        return false;
    if (n == 0)
        return true;
    if (n != p->ncode)
        return bad(L, at, "%" PRIu32 " notes for %" PRIu32 " instructions", n, p->ncode);
    if ((p->notes = alloc_array(L, n, sizeof *p->notes)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!rd_string_ref(L, r, true, "a note", &p->notes[i]))
            return false;
    return true;
}

/* Tables: their keys are re-parsed citations, each listed once, their values constants. */
static bool load_tables(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_TABLES, 9, "tables", &n))
        return false;
    if ((p->tables = alloc_array(L, n, sizeof *p->tables)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_table *t = &p->tables[i];
        uint32_t count;
        if (!rd_string_ref(L, r, false, "a table's name", &t->name) || !rd_u8(L, r, &t->type) ||
            !rd_count(L, r, PROGRAM_MAX_SET_ENTRIES, 6, "table entries", &count))
            return false;
        p->ntables = i + 1;
        struct citation *keys = alloc_array(L, count, sizeof *keys);
        t->values = alloc_array(L, count ? count : 1, sizeof *t->values);
        if ((count > 0 && !keys) || !t->values) {
            free(keys);
            return false;
        }
        for (uint32_t k = 0; k < count; k++) {
            bool present;
            size_t at = r->offset;
            if (!rd_citation(L, r, false, "a table key", &keys[k], &present) || !rd_u32(L, r, &t->values[k])) {
                free(keys);
                return false;
            }
            if (t->values[k] >= p->nconsts) {
                free(keys);
                return bad(L, at, "table %" PRIu32 "'s entry %" PRIu32 " names constant %" PRIu32
                                  ", but there are %" PRIu32, i, k, t->values[k], p->nconsts);
            }
        }
        bool built = citation_set_build(&t->keys, keys, count);
        free(keys);
        if (!built)
            return bad(L, r->offset, "out of memory building table %" PRIu32, i);
        if (t->keys.count != count)
            return bad(L, r->offset, "table %" PRIu32 " lists a citation twice", i);
    }
    return true;
}

/* Dated parameters: periods sorted by parameter, so each parameter's are one run. */
static bool load_periods(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_CONSTS, 16, "parameter periods", &n))
        return false;
    if (n == 0)
        return true;
    if ((p->periods = alloc_array(L, n, sizeof *p->periods)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        struct program_period *d = &p->periods[i];
        size_t at = r->offset;
        if (!rd_u32(L, r, &d->param) || !rd_i32(L, r, &d->from) || !rd_i32(L, r, &d->until) || !rd_u32(L, r, &d->value))
            return false;
        if (d->param >= p->nparams || d->value >= p->nconsts)
            return bad(L, at, "period %" PRIu32 " names parameter %" PRIu32 " or constant %" PRIu32
                              ", which do not exist", i, d->param, d->value);
        if (i > 0 && d->param < p->periods[i - 1].param)
            return bad(L, at, "the parameter periods are not in parameter order");
        p->nperiods = i + 1;
        struct program_param *pa = &p->params[d->param];
        if (pa->nperiods == 0)
            pa->first_period = i;
        else if (pa->first_period + pa->nperiods != i)
            return bad(L, at, "parameter %" PRIu32 "'s periods are not together", d->param);
        pa->nperiods++;
    }
    return true;
}

/* Outcome lists (`then vacate and seal`): every entry an outcome, every range the rules and examples name inside. */
static bool check_action_range(struct load *L, size_t at, const char *who, uint32_t i, uint32_t first, uint32_t n)
{
    if (n > L->p->nactions || first > L->p->nactions - n)
        return bad(L, at, "%s %" PRIu32 " names %" PRIu32 " outcomes starting at %" PRIu32 ", but the lists hold %" PRIu32,
                   who, i, n, first, L->p->nactions);
    return true;
}

static bool load_actions(struct load *L, struct reader *r)
{
    struct program *p = L->p;
    size_t at = r->offset;
    uint32_t n;
    if (!rd_count(L, r, PROGRAM_MAX_ACTIONS, 4, "outcome list entries", &n))
        return false;
    if (n > 0 && (p->actions = alloc_array(L, n, sizeof *p->actions)) == NULL)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        size_t here = r->offset;
        if (!rd_u32(L, r, &p->actions[i]))
            return false;
        if (p->actions[i] >= p->noutcomes)
            return bad(L, here, "outcome list entry %" PRIu32 " is outcome %" PRIu32 ", but there are %" PRIu32
                                " outcomes", i, p->actions[i], p->noutcomes);
        p->nactions = i + 1;
    }
    for (uint32_t i = 0; i < p->nrules; i++)
        if (!check_action_range(L, at, "rule", i, p->rules[i].first_action, p->rules[i].nactions))
            return false;
    for (uint32_t i = 0; i < p->nexample_convictions; i++) {
        const struct program_example_conviction *c = &p->example_convictions[i];
        if (!check_action_range(L, at, "example conviction", i, c->expect_first_action, c->expect_nactions))
            return false;
    }
    return true;
}

typedef bool (*section_loader)(struct load *L, struct reader *r);

static const section_loader section_loaders[BC_SECTION__END] = {
    [BC_SECTION_HEADER] = load_header,
    [BC_SECTION_STRINGS] = load_strings,
    [BC_SECTION_CITATIONS] = load_citations,
    [BC_SECTION_CONSTANTS] = load_constants,
    [BC_SECTION_SETS] = load_sets,
    [BC_SECTION_PARAMS] = load_params,
    [BC_SECTION_OUTCOMES] = load_outcomes,
    [BC_SECTION_RULES] = load_rules,
    [BC_SECTION_FUNCTIONS] = load_functions,
    [BC_SECTION_CODE] = load_code,
    [BC_SECTION_LINES] = load_lines,
    [BC_SECTION_EXAMPLES] = load_examples,
    [BC_SECTION_EXAMPLE_CONVICTIONS] = load_example_convictions,
    [BC_SECTION_COLUMNS] = load_columns,
    [BC_SECTION_NOTES] = load_notes,
    [BC_SECTION_TABLES] = load_tables,
    [BC_SECTION_PERIODS] = load_periods,
    [BC_SECTION_ACTIONS] = load_actions,
};

/* Magic, version, length and checksum: the 20 bytes before the body. */
static bool check_file_header(struct load *L, const unsigned char *data, size_t len)
{
    if (len == 0)
        return fail(L, "empty file, not a Lenity bytecode file");
    size_t head = len < BC_MAGIC_LEN ? len : BC_MAGIC_LEN;
    if (memcmp(data, BC_MAGIC, head) != 0) {
        /* "\x89LBC" intact but the line-ending bytes changed: a text-mode copy. */
        if (head == BC_MAGIC_LEN && memcmp(data, BC_MAGIC, 4) == 0)
            return fail(L, "not a Lenity bytecode file (bad magic: the file looks copied in text mode)");
        return fail(L, "not a Lenity bytecode file (bad magic)");
    }
    if (len < BC_HEADER_SIZE)
        return fail(L, "truncated file header at byte %zu", len);

    unsigned major = data[BC_OFFSET_MAJOR] | data[BC_OFFSET_MAJOR + 1] << 8;
    unsigned minor = data[BC_OFFSET_MINOR] | data[BC_OFFSET_MINOR + 1] << 8;
    if (major != BC_FORMAT_MAJOR)
        return fail(L,
                    "compiled for bytecode format %u.%u; this lenity reads format %u.x: "
                    "recompile the policy with lenityc",
                    major, minor, BC_FORMAT_MAJOR);
    if (minor > BC_FORMAT_MINOR)
        return fail(L,
                    "compiled for bytecode format %u.%u; this lenity reads format %u.x up to %u.%u: "
                    "recompile the policy with lenityc",
                    major, minor, BC_FORMAT_MAJOR, BC_FORMAT_MAJOR, BC_FORMAT_MINOR);

    uint32_t body = get_u32(data + BC_OFFSET_LENGTH);
    if ((uint64_t)body + BC_HEADER_SIZE > BC_MAX_FILE_SIZE)
        return fail(L, "its header gives it %" PRIu64 " bytes, more than a Lenity bytecode file can have "
                       "(at most 1 GiB, %u bytes)", (uint64_t)body + BC_HEADER_SIZE, BC_MAX_FILE_SIZE);
    size_t have = len - BC_HEADER_SIZE;
    if (have < body)
        return fail(L, "truncated file: %zu bytes, but its header says %" PRIu64, len, (uint64_t)body + BC_HEADER_SIZE);
    if (have > body)
        return fail(L, "damaged file: %zu unexpected bytes after the end at byte %" PRIu64, have - body,
                    (uint64_t)body + BC_HEADER_SIZE);
    uint32_t expected = get_u32(data + BC_OFFSET_CHECKSUM);
    uint32_t found = checksum_crc32(data + BC_HEADER_SIZE, body);
    if (expected != found)
        return fail(L, "damaged file: checksum mismatch (expected 0x%08" PRIx32 ", found 0x%08" PRIx32 ")", expected,
                    found);
    return true;
}

bool bc_load_memory(const unsigned char *data, size_t len, const char *name, struct program *out, char *err,
                    size_t errsize)
{
    struct load L;
    memset(&L, 0, sizeof L);
    L.name = name != NULL ? name : "bytecode";
    L.err = err;
    L.errsize = errsize;
    L.p = out;
    L.what = "file";
    program_init(out);
    if (err != NULL && errsize > 0)
        err[0] = '\0';
    if (data == NULL)
        len = 0;
    if (!date_from_ymd(DATE_MIN_YEAR, 1, 1, &L.date_min) || !date_from_ymd(DATE_MAX_YEAR, 12, 31, &L.date_max))
        return fail(&L, "internal error: the date range does not exist");
    if (!check_file_header(&L, data, len))
        return false;

    struct reader body = {data, len, BC_HEADER_SIZE};
    for (unsigned id = BC_SECTION_HEADER; id < BC_SECTION__END; id++) {
        uint32_t got, size;
        size_t at = body.offset;
        L.what = section_names[id];
        if (!rd_u32(&L, &body, &got) || !rd_u32(&L, &body, &size))
            goto fail;
        if (got != id) {
            fail(&L, "bad file layout at byte %zu: expected the %s (section %u), found section %" PRIu32, at,
                 section_names[id], id, got);
            goto fail;
        }
        if (size > body.size - body.offset) {
            fail(&L, "truncated %s at byte %zu: the section is %" PRIu32 " bytes, %zu remain", L.what, at + 4, size,
                 body.size - body.offset);
            goto fail;
        }
        struct reader section = {data, body.offset + size, body.offset};
        body.offset += size;
        if (!section_loaders[id](&L, &section))
            goto fail;
        if (section.offset != section.size) {
            L.what = section_names[id];
            bad(&L, section.offset, "%zu unexpected bytes at the end of the section", section.size - section.offset);
            goto fail;
        }
    }
    if (body.offset != len) {
        fail(&L, "damaged file: %zu unexpected bytes after the last section at byte %zu", len - body.offset,
             body.offset);
        goto fail;
    }
    return true;

fail:
    program_free(out);
    return false;
}

bool bc_load_file(const char *path, struct program *out, char *err, size_t errsize)
{
    program_init(out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (err != NULL && errsize > 0)
            snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    /* A regular file past the limit is refused before a byte of it is read. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > BC_MAX_FILE_SIZE) {
        fclose(f);
        if (err != NULL && errsize > 0)
            snprintf(err, errsize, "%s: cannot read: it is %" PRIu64 " bytes, more than a Lenity bytecode file can "
                     "have (at most 1 GiB, %u bytes)", path, (uint64_t)st.st_size, BC_MAX_FILE_SIZE);
        return false;
    }
    /* Otherwise read to the end rather than trust a size from stat: the file may be a pipe. */
    unsigned char *data = NULL;
    size_t len = 0, cap = 0;
    const char *problem = NULL;
    for (;;) {
        if (len == cap) {
            if (cap > BC_MAX_FILE_SIZE) {
                problem = "too large for a Lenity bytecode file";
                break;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > (size_t)BC_MAX_FILE_SIZE + 1)
                ncap = (size_t)BC_MAX_FILE_SIZE + 1;
            unsigned char *nd = realloc(data, ncap);
            if (nd == NULL) {
                problem = "out of memory reading the file";
                break;
            }
            data = nd;
            cap = ncap;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (problem == NULL && ferror(f))
        problem = strerror(errno);
    fclose(f);
    bool ok = false;
    if (problem != NULL) {
        if (err != NULL && errsize > 0)
            snprintf(err, errsize, "%s: cannot read: %s", path, problem);
    } else {
        ok = bc_load_memory(data, len, path, out, err, errsize);
    }
    free(data);
    return ok;
}
