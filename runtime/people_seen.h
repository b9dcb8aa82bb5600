/*
 * people_seen.h - noticing a person whose rows are not together.
 *
 * The readers take one person's adjacent rows at a time, so a person whose
 * rows come back after other people's is judged twice, each time without
 * the history of the other part.  The run cannot mend that (it streams); it
 * says so.  This module answers, for each person handed out in input order,
 * whether that person's id was handed out before.
 *
 * Two ways to know, so memory stays bounded at state scale:
 *   - the order of the ids: while every id so far comes after the one
 *     before it, by number (shorter first, then byte by byte: 9 < 10) or
 *     byte by byte (10 < 9, as `sort` writes them), no id can have come
 *     before.  A DOJ export sorted by SUBJECT_ID is checked whole, however
 *     large;
 *   - a set of 64-bit hashes of the ids seen (8 bytes a person, for at most
 *     3/4 of max_slots people: 3 million by default, in 32 MiB), for when
 *     the order breaks.  While the ids are in order their hashes are only
 *     listed, one after the other (nothing to look up yet, and a list is
 *     written in order where a set is written all over); the list becomes
 *     the set when the order first breaks.  Past the limit, both are freed.
 * When the set is given up and the ids are not in order, later people cannot
 * be checked: the answer is PEOPLE_UNCHECKED, and people_seen_checked_to
 * says how many were.
 */
#ifndef LENITY_PEOPLE_SEEN_H
#define LENITY_PEOPLE_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default limit of the set: 32 MiB of hashes, 3 million people at 3/4 full. */
#define PEOPLE_SEEN_MAX_SLOTS ((size_t)1 << 22)

/* Ids longer than this are not kept for the order: after one, the order is unknown. */
#define PEOPLE_SEEN_ID_MAX 256

enum people_seen_answer {
    PEOPLE_NEW,      /* not seen before */
    PEOPLE_AGAIN,    /* seen before, with other people's rows between */
    PEOPLE_UNCHECKED /* cannot tell: the set is full and the ids are not in order */
};

struct people_seen {
    uint64_t *list;       /* while the ids are in order: their hashes, n of them */
    size_t list_cap;
    uint64_t *slots;      /* once the order broke: the set, n hashes in cap slots (0: empty) */
    size_t cap, n, max_slots;
    bool given_up;        /* the limit reached (or no memory): list and set freed, only the order tells */
    uint64_t people;      /* ids given so far */
    uint64_t checked_to;  /* nonzero: people after the first this many were not checked */
    bool by_number;       /* every id so far after the one before it, shorter first */
    bool by_bytes;        /* every id so far after the one before it, byte by byte */
    size_t last_len;
    char last[PEOPLE_SEEN_ID_MAX];
};

/* max_slots: the set's limit in slots (a power of two, at least 4096); 0 for the default. */
void people_seen_init(struct people_seen *ps, size_t max_slots);

/* The next person handed out, in input order.  Out of memory, the set is given up, as when full. */
enum people_seen_answer people_seen_add(struct people_seen *ps, const char *id, size_t len);

/* 0 when every person was checked; else how many were, from the first. */
uint64_t people_seen_checked_to(const struct people_seen *ps);

void people_seen_free(struct people_seen *ps);

#endif
