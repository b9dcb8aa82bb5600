/* name_index.c - see name_index.h. */
#include "name_index.h"

#include <stdint.h>
#include <string.h>

static size_t name_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* The slot holding name, or the empty slot where it would go; the table is never full. */
static struct name_index_slot *name_index_slot(const struct name_index *ix, const char *name)
{
    size_t i = name_hash(name) & (ix->cap - 1);
    while (ix->slots[i].name && strcmp(ix->slots[i].name, name) != 0)
        i = (i + 1) & (ix->cap - 1);
    return &ix->slots[i];
}

void name_index_put(struct arena *a, struct name_index *ix, const char *name, size_t pos)
{
    /* At most half full, so probe runs stay short; the old table is left to the arena. */
    if (2 * (ix->count + 1) > ix->cap) {
        struct name_index old = *ix;
        ix->cap = old.cap ? 2 * old.cap : 16;
        ix->slots = arena_alloc(a, ix->cap * sizeof *ix->slots);
        ix->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].name) {
                *name_index_slot(ix, old.slots[i].name) = old.slots[i];
                ix->count++;
            }
    }
    struct name_index_slot *s = name_index_slot(ix, name);
    if (!s->name)
        ix->count++;
    s->name = name;
    s->pos = pos;
}

long name_index_get(const struct name_index *ix, const char *name)
{
    if (ix->cap == 0)
        return -1;
    const struct name_index_slot *s = name_index_slot(ix, name);
    return s->name ? (long)s->pos : -1;
}
