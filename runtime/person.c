/*
 * person.c - the per-person buffers a record reader fills and reuses.
 *
 * Both arrays grow by doubling and are kept by person_clear(), so once the
 * largest history has been seen no further allocation happens.
 */
#include "person.h"

#include <stdlib.h>
#include <string.h>

void person_init(struct person *p)
{
    memset(p, 0, sizeof *p);
}

void person_free(struct person *p)
{
    free(p->convictions);
    free(p->charges);
    free(p->rows);
    free(p->strings);
    memset(p, 0, sizeof *p);
}

void person_clear(struct person *p)
{
    p->known = 0;
    p->id.offset = 0;
    p->id.len = 0;
    p->date_of_birth = 0;
    p->deceased = false;
    p->sex_offender_registration = false;
    p->sex_offender_registration_date = 0;
    p->count = 0;
    p->ncharges = 0;
    p->nrows = 0;
    p->has_charges = false;
    p->strings_len = 0;
}

/* Grows *items (holding *count of *cap) by one zeroed entry. */
static struct conviction *person_grow(struct conviction **items, uint32_t *count, uint32_t *cap, uint32_t limit)
{
    if (*count >= limit || *count == UINT32_MAX)
        return NULL;
    if (*count == *cap) {
        uint32_t n = *cap ? *cap : 16;
        while (n <= *count)
            n = n > UINT32_MAX / 2 ? UINT32_MAX : n * 2;
        struct conviction *grown = realloc(*items, (size_t)n * sizeof *grown);
        if (!grown)
            return NULL;
        *items = grown;
        *cap = n;
    }
    struct conviction *c = &(*items)[(*count)++];
    memset(c, 0, sizeof *c);
    return c;
}

bool person_add_raw_row(struct person *p, const char *text, size_t len, uint64_t row, uint32_t conviction)
{
    if (p->nrows == p->rows_capacity) {
        uint32_t n = p->rows_capacity ? p->rows_capacity * 2 : 16;
        if (n <= p->rows_capacity)
            return false;
        struct raw_row *grown = realloc(p->rows, (size_t)n * sizeof *grown);
        if (!grown)
            return false;
        p->rows = grown;
        p->rows_capacity = n;
    }
    struct raw_row *r = &p->rows[p->nrows];
    if (!person_add_text(p, text, len, &r->text))
        return false;
    r->row = row;
    r->conviction = conviction;
    p->nrows++;
    return true;
}

struct conviction *person_add_charge(struct person *p, uint32_t limit)
{
    p->has_charges = true;
    return person_grow(&p->charges, &p->ncharges, &p->charges_capacity, limit);
}

struct conviction *person_add_conviction(struct person *p, uint32_t limit)
{
    return person_grow(&p->convictions, &p->count, &p->capacity, limit);
}


bool person_add_text(struct person *p, const char *text, size_t len, struct text_ref *out)
{
    /* +1: every text is NUL-terminated so person_text() can be printed as is. */
    if (len >= UINT32_MAX || p->strings_len > UINT32_MAX - len - 1)
        return false;
    size_t need = p->strings_len + len + 1;
    if (need > p->strings_cap) {
        size_t cap = p->strings_cap ? p->strings_cap : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *grown = realloc(p->strings, cap);
        if (!grown)
            return false;
        p->strings = grown;
        p->strings_cap = cap;
    }
    out->offset = (uint32_t)p->strings_len;
    out->len = (uint32_t)len;
    if (len)
        memcpy(p->strings + p->strings_len, text, len);
    p->strings[p->strings_len + len] = '\0';
    p->strings_len = need;
    return true;
}
