/* people_seen.c - has this person's id come before?  See people_seen.h. */
#include "people_seen.h"

#include <stdlib.h>
#include <string.h>

void people_seen_init(struct people_seen *ps, size_t max_slots)
{
    memset(ps, 0, sizeof *ps);
    ps->max_slots = max_slots ? max_slots : PEOPLE_SEEN_MAX_SLOTS;
    ps->by_number = ps->by_bytes = true;
}

void people_seen_free(struct people_seen *ps)
{
    free(ps->slots);
    free(ps->list);
    ps->slots = NULL;
    ps->list = NULL;
    ps->cap = ps->n = ps->list_cap = 0;
}

static uint64_t people_seen_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ? h : 1;
}

/* Keeps the ids' order up to date with this one. */
static void people_seen_order(struct people_seen *ps, const char *id, size_t len)
{
    if (len > PEOPLE_SEEN_ID_MAX) {
        ps->by_number = ps->by_bytes = false;
        return;
    }
    if (ps->people > 0) {
        size_t shorter = len < ps->last_len ? len : ps->last_len;
        int c = memcmp(id, ps->last, shorter);
        if (ps->by_number)
            ps->by_number = len > ps->last_len || (len == ps->last_len && c > 0);
        if (ps->by_bytes)
            ps->by_bytes = c > 0 || (c == 0 && len > ps->last_len);
    }
    memcpy(ps->last, id, len);
    ps->last_len = len;
}

/* How many hashes the set holds at most: 3/4 of its slots. */
static size_t people_seen_limit(const struct people_seen *ps)
{
    return ps->max_slots / 4 * 3;
}

/* Puts h in the set, which has room for it. */
static void people_seen_put(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t k = h & (cap - 1);
    while (slots[k])
        k = (k + 1) & (cap - 1);
    slots[k] = h;
}

/* Room in the set for one more hash; false when it has to be given up (its limit, or no memory). */
static bool people_seen_room(struct people_seen *ps)
{
    if (ps->n * 4 < ps->cap * 3)
        return true;
    size_t cap = ps->cap ? ps->cap * 2 : 4096;
    uint64_t *slots = cap <= ps->max_slots ? calloc(cap, sizeof *slots) : NULL;
    if (!slots)
        return false;
    for (size_t i = 0; i < ps->cap; i++)
        if (ps->slots[i])
            people_seen_put(slots, cap, ps->slots[i]);
    free(ps->slots);
    ps->slots = slots;
    ps->cap = cap;
    return true;
}

/* Appends h to the list kept while the ids are in order; false when it has to be given up. */
static bool people_seen_append(struct people_seen *ps, uint64_t h)
{
    if (ps->n == ps->list_cap) {
        size_t limit = people_seen_limit(ps);
        size_t cap = ps->list_cap ? ps->list_cap * 2 : 1024;
        if (cap > limit)
            cap = limit;
        uint64_t *grown = cap > ps->n ? realloc(ps->list, cap * sizeof *grown) : NULL;
        if (!grown)
            return false;
        ps->list = grown;
        ps->list_cap = cap;
    }
    ps->list[ps->n++] = h;
    return true;
}

/* The order just broke: the list becomes the set; false when it cannot (no memory). */
static bool people_seen_list_to_set(struct people_seen *ps)
{
    size_t cap = 4096;
    while (ps->n * 4 >= cap * 3 && cap < ps->max_slots)
        cap *= 2; /* at max_slots a list at its limit fills the set: it is looked up, not added to */
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < ps->n; i++)
        people_seen_put(slots, cap, ps->list[i]);
    free(ps->list);
    ps->list = NULL;
    ps->list_cap = 0;
    ps->slots = slots;
    ps->cap = cap;
    return true;
}

enum people_seen_answer people_seen_add(struct people_seen *ps, const char *id, size_t len)
{
    people_seen_order(ps, id, len);
    ps->people++;
    bool in_order = ps->by_number || ps->by_bytes;
    if (!ps->given_up && !ps->slots) {
        /* in order so far: nobody can come again yet, and the hashes only need keeping */
        if (in_order) {
            if (!people_seen_append(ps, people_seen_hash(id, len))) {
                people_seen_free(ps);
                ps->given_up = true;
            }
            return PEOPLE_NEW;
        }
        if (!people_seen_list_to_set(ps)) {
            people_seen_free(ps);
            ps->given_up = true;
        }
    }
    if (!ps->given_up) {
        uint64_t h = people_seen_hash(id, len);
        for (size_t k = h & (ps->cap - 1); ps->slots[k]; k = (k + 1) & (ps->cap - 1))
            if (ps->slots[k] == h)
                return PEOPLE_AGAIN;
        if (people_seen_room(ps)) {
            people_seen_put(ps->slots, ps->cap, h);
            ps->n++;
            return PEOPLE_NEW;
        }
        /* the set cannot hold everyone: the order alone can tell from here on */
        people_seen_free(ps);
        ps->given_up = true;
    }
    if (in_order)
        return PEOPLE_NEW; /* after every id before it, so none of them */
    if (!ps->checked_to)
        ps->checked_to = ps->people - 1;
    return PEOPLE_UNCHECKED;
}

uint64_t people_seen_checked_to(const struct people_seen *ps)
{
    return ps->checked_to;
}
