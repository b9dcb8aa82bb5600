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
    ps->slots = NULL;
    ps->cap = ps->n = 0;
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

/* Room for one more hash; false when the set has to be given up (its limit, or no memory). */
static bool people_seen_room(struct people_seen *ps)
{
    if (ps->n * 4 < ps->cap * 3)
        return true;
    size_t cap = ps->cap ? ps->cap * 2 : 4096;
    uint64_t *slots = cap <= ps->max_slots ? calloc(cap, sizeof *slots) : NULL;
    if (!slots)
        return false;
    for (size_t i = 0; i < ps->cap; i++)
        if (ps->slots[i]) {
            size_t k = ps->slots[i] & (cap - 1);
            while (slots[k])
                k = (k + 1) & (cap - 1);
            slots[k] = ps->slots[i];
        }
    free(ps->slots);
    ps->slots = slots;
    ps->cap = cap;
    return true;
}

enum people_seen_answer people_seen_add(struct people_seen *ps, const char *id, size_t len)
{
    people_seen_order(ps, id, len);
    ps->people++;
    if (!ps->set_dropped && !people_seen_room(ps)) {
        /* the set no longer holds everyone: the order alone can tell from here on */
        people_seen_free(ps);
        ps->set_dropped = true;
    }
    if (!ps->set_dropped) {
        uint64_t h = people_seen_hash(id, len);
        size_t k = h & (ps->cap - 1);
        while (ps->slots[k]) {
            if (ps->slots[k] == h)
                return PEOPLE_AGAIN;
            k = (k + 1) & (ps->cap - 1);
        }
        ps->slots[k] = h;
        ps->n++;
        return PEOPLE_NEW;
    }
    if (ps->by_number || ps->by_bytes)
        return PEOPLE_NEW; /* after every id before it, so none of them */
    if (!ps->checked_to)
        ps->checked_to = ps->people - 1;
    return PEOPLE_UNCHECKED;
}

uint64_t people_seen_checked_to(const struct people_seen *ps)
{
    return ps->checked_to;
}
