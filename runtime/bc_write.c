/*
 * bc_write.c - encodes a struct program in the .lbc format of bytecode.h.
 *
 * The whole file is built in memory, then the length and the CRC are
 * patched into the header: a policy is small, and building first means
 * a failure never leaves half a file behind.
 */
#include "bc_write.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytecode.h"
#include "checksum.h"
#include "person.h"

struct buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    bool oom; /* sticky: once set, further puts are dropped */
};

static void put_bytes(struct buf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (n > cap - b->len) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        unsigned char *data = realloc(b->data, cap);
        if (data == NULL) {
            b->oom = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u8(struct buf *b, uint8_t v)
{
    put_bytes(b, &v, 1);
}

static void put_u16(struct buf *b, uint16_t v)
{
    unsigned char e[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put_bytes(b, e, 2);
}

static void store_u32(unsigned char *at, uint32_t v)
{
    at[0] = (unsigned char)v;
    at[1] = (unsigned char)(v >> 8);
    at[2] = (unsigned char)(v >> 16);
    at[3] = (unsigned char)(v >> 24);
}

static void put_u32(struct buf *b, uint32_t v)
{
    unsigned char e[4];
    store_u32(e, v);
    put_bytes(b, e, 4);
}

static void put_i32(struct buf *b, int32_t v)
{
    put_u32(b, (uint32_t)v);
}

static void put_i64(struct buf *b, int64_t v)
{
    uint64_t u = (uint64_t)v;
    put_u32(b, (uint32_t)u);
    put_u32(b, (uint32_t)(u >> 32));
}

/* Returns where the section's length goes, for end_section to patch. */
static size_t begin_section(struct buf *b, enum bc_section id)
{
    put_u32(b, (uint32_t)id);
    size_t at = b->len;
    put_u32(b, 0);
    return at;
}

static void end_section(struct buf *b, size_t at)
{
    if (!b->oom)
        store_u32(b->data + at, (uint32_t)(b->len - at - 4));
}

/*
 * The format names strings and citations by index, but a struct value
 * holds pointers; these maps turn the pointers back into indices.
 */
struct ptr_index {
    uintptr_t ptr;
    uint32_t index;
};

/*
 * The file's citation table is p->citations followed by any set entry
 * that is not already one of them (same text and flags), so a compiler
 * need not copy set entries into p->citations itself.
 */
struct enc {
    const struct program *p;
    struct buf b;
    struct ptr_index *strings; /* sorted by ptr */
    const struct citation **cits; /* the file's citation table */
    uint32_t ncits;
    uint32_t *slots;           /* hash of cits: index + 1, 0 = empty */
    uint32_t mask;
    char *err;
    size_t errsize;
};

static bool enc_fail(struct enc *e, const char *fmt, ...)
{
    if (e->err != NULL && e->errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err, e->errsize, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int cmp_ptr_index(const void *a, const void *b)
{
    uintptr_t x = ((const struct ptr_index *)a)->ptr;
    uintptr_t y = ((const struct ptr_index *)b)->ptr;
    return (x > y) - (x < y);
}

static bool string_index(const struct enc *e, const char *ptr, uint32_t len, uint32_t *out)
{
    const struct program *p = e->p;
    struct ptr_index key = {(uintptr_t)ptr, 0};
    const struct ptr_index *hit = p->nstrings
        ? bsearch(&key, e->strings, p->nstrings, sizeof *e->strings, cmp_ptr_index)
        : NULL;
    if (hit != NULL && p->strings[hit->index].len == len) {
        *out = hit->index;
        return true;
    }
    /* A TEXT value built from a copy still has a string to name. */
    for (uint32_t i = 0; i < p->nstrings; i++) {
        if (p->strings[i].len == len && (len == 0 || memcmp(p->strings[i].ptr, ptr, len) == 0)) {
            *out = i;
            return true;
        }
    }
    return false;
}

static bool citation_index(const struct enc *e, const struct citation *c, uint32_t *out)
{
    const struct program *p = e->p;
    uintptr_t first = (uintptr_t)p->citations;
    uintptr_t at = (uintptr_t)c;
    if (p->ncitations == 0 || at < first)
        return false;
    uintptr_t off = at - first;
    if (off % sizeof *c != 0 || off / sizeof *c >= p->ncitations)
        return false;
    *out = (uint32_t)(off / sizeof *c);
    return true;
}

static uint64_t cit_hash(const struct citation *c)
{
    size_t len = c->len <= CITATION_MAX_LEN ? c->len : CITATION_MAX_LEN;
    return citation_hash_bytes(c->text, len) ^ ((uint64_t)c->flags * 0x9e3779b97f4a7c15u);
}

static bool cit_same(const struct citation *a, const struct citation *b)
{
    return a->len == b->len && a->flags == b->flags && a->len <= CITATION_MAX_LEN
        && memcmp(a->text, b->text, a->len) == 0;
}

/* Index of c in the file's citation table, adding it when absent. */
static uint32_t cit_intern(struct enc *e, const struct citation *c)
{
    uint32_t i = (uint32_t)cit_hash(c) & e->mask;
    while (e->slots[i] != 0) {
        uint32_t k = e->slots[i] - 1;
        if (cit_same(e->cits[k], c))
            return k;
        i = (i + 1) & e->mask;
    }
    e->cits[e->ncits] = c;
    e->slots[i] = ++e->ncits;
    return e->ncits - 1;
}

static bool build_maps(struct enc *e)
{
    const struct program *p = e->p;
    uint64_t total = p->ncitations;
    for (uint32_t s = 0; s < p->nsets; s++)
        total += p->sets[s].table.count;
    if (total > BC_MAX_CITATIONS)
        return enc_fail(e, "%" PRIu64 " citations are more than the format's limit of %u",
                        total, BC_MAX_CITATIONS);
    uint64_t slots = 16;
    while (slots < 2 * total)
        slots <<= 1;
    e->mask = (uint32_t)(slots - 1);
    e->slots = calloc((size_t)slots, sizeof *e->slots);
    e->cits = malloc((size_t)(total ? total : 1) * sizeof *e->cits);
    e->strings = malloc((size_t)(p->nstrings ? p->nstrings : 1) * sizeof *e->strings);
    if (e->slots == NULL || e->cits == NULL || e->strings == NULL)
        return enc_fail(e, "out of memory");
    for (uint32_t i = 0; i < p->nstrings; i++) {
        e->strings[i].ptr = (uintptr_t)p->strings[i].ptr;
        e->strings[i].index = i;
    }
    if (p->nstrings > 1)
        qsort(e->strings, p->nstrings, sizeof *e->strings, cmp_ptr_index);
    /* p->citations keep their indices even when two are equal.  Only the
     * first of equal ones goes in the hash table, the one cit_intern finds
     * anyway: a statute cited by each of 65,535 rules would otherwise make a
     * run of 65,535 equal entries that every insertion walks to its end. */
    for (uint32_t i = 0; i < p->ncitations; i++) {
        const struct citation *c = &p->citations[i];
        uint32_t h = (uint32_t)cit_hash(c) & e->mask;
        e->cits[e->ncits] = c;
        e->ncits++;
        while (e->slots[h] != 0 && !cit_same(e->cits[e->slots[h] - 1], c))
            h = (h + 1) & e->mask;
        if (e->slots[h] == 0)
            e->slots[h] = e->ncits;
    }
    return true;
}

static void put_citation(struct buf *b, const struct citation *c)
{
    uint8_t len = c->len <= CITATION_MAX_LEN ? c->len : CITATION_MAX_LEN;
    put_u8(b, len);
    put_bytes(b, c->text, len);
    put_u8(b, c->flags);
}

static bool put_value(struct enc *e, const struct value *v, const char *what, uint32_t index)
{
    struct buf *b = &e->b;
    uint32_t ref;
    put_u8(b, v->type);
    put_u8(b, v->unknown ? 1 : 0);
    if (v->unknown)
        return true;
    switch ((enum value_type)v->type) {
    case TYPE_BOOL:
        put_u8(b, v->as.number ? 1 : 0);
        return true;
    case TYPE_NUMBER:
        put_i64(b, v->as.number);
        return true;
    case TYPE_TEXT:
        if (!string_index(e, v->as.text.ptr, v->as.text.len, &ref))
            return enc_fail(e, "%s %" PRIu32 ": its text is not one of the program's strings", what, index);
        put_u32(b, ref);
        return true;
    case TYPE_DATE:
        put_i32(b, v->as.date);
        return true;
    case TYPE_DURATION:
        put_i32(b, v->as.duration.months);
        put_i32(b, v->as.duration.days);
        return true;
    case TYPE_CITATION:
        if (v->as.citation == NULL || !citation_index(e, v->as.citation, &ref))
            return enc_fail(e, "%s %" PRIu32 ": its citation is not in the program's citation table", what, index);
        put_u32(b, ref);
        return true;
    case TYPE_LEVEL:
        put_u8(b, (uint8_t)v->as.number);
        return true;
    case TYPE_QUANTITY:
        put_i64(b, v->as.quantity.amount);
        put_u8(b, v->as.quantity.dim);
        return true;
    case TYPE_NONE:
    case TYPE_OUTCOME:
    case TYPE_SET:
    case TYPE__COUNT:
        break;
    }
    return enc_fail(e, "%s %" PRIu32 " has type %u, which a constant cannot have", what, index, (unsigned)v->type);
}

static bool encode_body(struct enc *e)
{
    const struct program *p = e->p;
    struct buf *b = &e->b;
    size_t at;

    at = begin_section(b, BC_SECTION_HEADER);
    put_u32(b, p->name);
    put_u32(b, p->jurisdiction);
    put_u32(b, p->authority);
    put_u32(b, p->version);
    put_i32(b, p->effective);
    put_u8(b, p->month_end);
    put_u32(b, p->source_name);
    put_u32(b, p->source_hash);
    put_u32(b, p->approved_by);
    put_i32(b, p->approved_on);
    end_section(b, at);

    at = begin_section(b, BC_SECTION_STRINGS);
    put_u32(b, p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++) {
        put_u32(b, p->strings[i].len);
        put_bytes(b, p->strings[i].ptr, p->strings[i].len);
    }
    end_section(b, at);

    /* Intern the set entries first: the citation table must be complete
     * before it is written, and the sets are written after it. */
    uint32_t **set_refs = NULL;
    bool ok = false;
    if (p->nsets > 0) {
        set_refs = calloc(p->nsets, sizeof *set_refs);
        if (set_refs == NULL)
            return enc_fail(e, "out of memory");
    }
    for (uint32_t s = 0; s < p->nsets; s++) {
        const struct citation_set *t = &p->sets[s].table;
        set_refs[s] = malloc((size_t)(t->count ? t->count : 1) * sizeof **set_refs);
        if (set_refs[s] == NULL) {
            enc_fail(e, "out of memory");
            goto out;
        }
        for (uint32_t k = 0; k < t->count; k++)
            set_refs[s][k] = cit_intern(e, &t->entries[k]);
    }

    at = begin_section(b, BC_SECTION_CITATIONS);
    put_u32(b, e->ncits);
    for (uint32_t i = 0; i < e->ncits; i++)
        put_citation(b, e->cits[i]);
    end_section(b, at);

    at = begin_section(b, BC_SECTION_CONSTANTS);
    put_u32(b, p->nconsts);
    for (uint32_t i = 0; i < p->nconsts; i++) {
        if (!put_value(e, &p->consts[i], "constant", i))
            goto out;
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_SETS);
    put_u32(b, p->nsets);
    for (uint32_t s = 0; s < p->nsets; s++) {
        put_u32(b, p->sets[s].name);
        put_u32(b, p->sets[s].table.count);
        for (uint32_t k = 0; k < p->sets[s].table.count; k++)
            put_u32(b, set_refs[s][k]);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_PARAMS);
    put_u32(b, p->nparams);
    for (uint32_t i = 0; i < p->nparams; i++) {
        put_u32(b, p->params[i].name);
        if (!put_value(e, &p->params[i].value, "parameter", i))
            goto out;
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_OUTCOMES);
    put_u32(b, p->noutcomes);
    for (uint32_t i = 0; i < p->noutcomes; i++) {
        put_u32(b, p->outcomes[i].name);
        put_u8(b, p->outcomes[i].kind);
    }
    put_u32(b, p->review_outcome);
    end_section(b, at);

    at = begin_section(b, BC_SECTION_RULES);
    put_u32(b, p->nrules);
    for (uint32_t i = 0; i < p->nrules; i++) {
        const struct program_rule *r = &p->rules[i];
        put_u32(b, r->name);
        put_u32(b, r->outcome);
        put_u32(b, r->reason);
        put_u32(b, r->citation);
        put_u32(b, r->line);
        put_u32(b, r->quote);
        put_u32(b, r->eligible_from);
        put_u32(b, r->first_action);
        put_u32(b, r->nactions);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_FUNCTIONS);
    put_u32(b, p->nfunctions);
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        put_u32(b, p->functions[i].start);
        put_u32(b, p->functions[i].len);
        put_u8(b, p->functions[i].kind);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_CODE);
    put_u32(b, p->ncode);
    for (uint32_t i = 0; i < p->ncode; i++) {
        put_u8(b, p->code[i].op);
        put_u8(b, p->code[i].a);
        put_u16(b, p->code[i].b);
        put_u32(b, p->code[i].c);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_LINES);
    put_u32(b, p->ncode);
    for (uint32_t i = 0; i < p->ncode; i++)
        put_u32(b, p->lines ? p->lines[i] : 0);
    end_section(b, at);

    at = begin_section(b, BC_SECTION_EXAMPLES);
    put_u32(b, p->nexamples);
    for (uint32_t i = 0; i < p->nexamples; i++) {
        const struct program_example *x = &p->examples[i];
        put_u32(b, x->name);
        put_u32(b, x->line);
        put_u32(b, x->known);
        put_i32(b, x->date_of_birth);
        put_u8(b, x->deceased);
        put_u8(b, x->sex_offender_registration);
        put_u8(b, x->has_as_of);
        put_i32(b, x->sex_offender_registration_date);
        put_i32(b, x->as_of);
        put_u32(b, x->first);
        put_u32(b, x->count);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_EXAMPLE_CONVICTIONS);
    put_u32(b, p->nexample_convictions);
    for (uint32_t i = 0; i < p->nexample_convictions; i++) {
        const struct program_example_conviction *c = &p->example_convictions[i];
        put_u32(b, c->line);
        put_u32(b, c->known);
        if (c->known & (1u << FACT_CITATION)) {
            put_citation(b, &c->citation);
        } else {
            put_u8(b, 0);
            put_u8(b, 0);
        }
        put_u8(b, c->level);
        put_i32(b, c->disposition_date);
        put_i32(b, c->sentence.months);
        put_i32(b, c->sentence.days);
        put_u32(b, c->county);
        put_u32(b, c->case_id);
        put_u32(b, c->cycle_id);
        put_u32(b, c->offense_text);
        for (int k = 0; k < PROGRAM_RECORD_TEXTS; k++)
            put_u32(b, c->record_text[k]);
        put_i32(b, c->offense_date);
        put_i64(b, c->quantity.amount);
        put_u8(b, c->quantity.dim);
        put_i64(b, c->plant_count.amount);
        put_u8(b, c->plant_count.dim);
        put_u8(b, c->is_charge);
        put_i32(b, c->sentence_end);
        put_u8(b, c->expect_has_from);
        put_i32(b, c->expect_from);
        put_u32(b, c->expect_outcome);
        put_u32(b, c->expect_first_action);
        put_u32(b, c->expect_nactions);
        put_u32(b, c->expect_rule);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_COLUMNS);
    put_u32(b, p->column_scope);
    put_u32(b, p->ncolumns);
    for (uint32_t i = 0; i < p->ncolumns; i++) {
        put_u32(b, p->columns[i].name);
        put_u32(b, p->columns[i].function);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_NOTES);
    put_u32(b, p->notes ? p->ncode : 0);
    for (uint32_t i = 0; p->notes && i < p->ncode; i++)
        put_u32(b, p->notes[i]);
    end_section(b, at);

    at = begin_section(b, BC_SECTION_TABLES);
    put_u32(b, p->ntables);
    for (uint32_t i = 0; i < p->ntables; i++) {
        const struct program_table *t = &p->tables[i];
        put_u32(b, t->name);
        put_u8(b, t->type);
        put_u32(b, t->keys.count);
        for (uint32_t k = 0; k < t->keys.count; k++) {
            put_citation(b, &t->keys.entries[k]);
            put_u32(b, t->values[k]);
        }
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_PERIODS);
    put_u32(b, p->nperiods);
    for (uint32_t i = 0; i < p->nperiods; i++) {
        put_u32(b, p->periods[i].param);
        put_i32(b, p->periods[i].from);
        put_i32(b, p->periods[i].until);
        put_u32(b, p->periods[i].value);
    }
    end_section(b, at);

    at = begin_section(b, BC_SECTION_ACTIONS);
    put_u32(b, p->nactions);
    for (uint32_t i = 0; i < p->nactions; i++)
        put_u32(b, p->actions[i]);
    end_section(b, at);
    ok = true;

out:
    if (set_refs != NULL) {
        for (uint32_t s = 0; s < p->nsets; s++)
            free(set_refs[s]);
        free(set_refs);
    }
    return ok;
}

static bool encode(const struct program *p, unsigned char **out, size_t *outlen, char *err, size_t errsize)
{
    struct enc e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.err = err;
    e.errsize = errsize;

    bool ok = build_maps(&e);
    if (ok) {
        put_bytes(&e.b, BC_MAGIC, BC_MAGIC_LEN);
        put_u16(&e.b, BC_FORMAT_MAJOR);
        put_u16(&e.b, BC_FORMAT_MINOR);
        put_u32(&e.b, 0); /* length, patched below */
        put_u32(&e.b, 0); /* checksum, patched below */
        ok = encode_body(&e);
    }
    if (ok && (e.b.oom || e.b.len - BC_HEADER_SIZE > UINT32_MAX))
        ok = enc_fail(&e, e.b.oom ? "out of memory" : "the program is too large for the format");
    if (ok) {
        size_t body = e.b.len - BC_HEADER_SIZE;
        store_u32(e.b.data + BC_OFFSET_LENGTH, (uint32_t)body);
        store_u32(e.b.data + BC_OFFSET_CHECKSUM, checksum_crc32(e.b.data + BC_HEADER_SIZE, body));
        *out = e.b.data;
        *outlen = e.b.len;
    } else {
        free(e.b.data);
    }
    free(e.strings);
    free(e.cits);
    free(e.slots);
    return ok;
}

bool bc_write_memory(const struct program *p, unsigned char **out, size_t *outlen)
{
    return encode(p, out, outlen, NULL, 0);
}

static bool write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Best effort: without it a crash right after rename() may forget the rename. */
static void sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? strdup(".") : strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (dir == NULL)
        return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

bool bc_write_file(const struct program *p, const char *path, char *err, size_t errsize)
{
    char why[200];
    unsigned char *data = NULL;
    size_t len = 0;
    if (!encode(p, &data, &len, why, sizeof why)) {
        if (err != NULL && errsize > 0)
            snprintf(err, errsize, "%s: cannot encode the program: %s", path, why);
        return false;
    }

    /* Same directory as path, so the rename cannot cross file systems. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".tmp-XXXXXX");
    if (tmp == NULL) {
        free(data);
        if (err != NULL && errsize > 0)
            snprintf(err, errsize, "%s: out of memory", path);
        return false;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");

    bool ok = false;
    const char *step = "cannot create a temporary file beside it";
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        step = "cannot write";
        if (fchmod(fd, S_IRUSR | S_IWUSR) == 0 && write_all(fd, data, len)) {
            step = "cannot flush to disk";
            if (fsync(fd) == 0) {
                step = "cannot close";
                int rc = close(fd);
                fd = -1;
                if (rc == 0) {
                    step = "cannot rename the temporary file into place";
                    ok = rename(tmp, path) == 0;
                    if (ok)
                        sync_directory_of(path);
                }
            }
        }
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (!ok)
            unlink(tmp);
        errno = saved;
    }
    if (!ok && err != NULL && errsize > 0)
        snprintf(err, errsize, "%s: %s: %s", path, step, strerror(errno));
    free(tmp);
    free(data);
    return ok;
}
