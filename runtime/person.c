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
    p->count = 0;
    p->strings_len = 0;
}

struct conviction *person_add_conviction(struct person *p, uint32_t limit)
{
    if (p->count >= limit || p->count == UINT32_MAX)
        return NULL;
    if (p->count == p->capacity) {
        uint32_t cap = p->capacity ? p->capacity : 16;
        while (cap <= p->count)
            cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
        struct conviction *grown = realloc(p->convictions, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        p->convictions = grown;
        p->capacity = cap;
    }
    struct conviction *c = &p->convictions[p->count++];
    memset(c, 0, sizeof *c);
    return c;
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
