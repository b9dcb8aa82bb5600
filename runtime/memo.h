/*
 * memo.h - a reader's memo of the citations it parsed: a file names a few
 * hundred statutes (or offence texts) over millions of rows, so each text is
 * parsed once and then found here.
 *
 * Two slots for each hash value, the one used last kept when a third text
 * comes: with one slot, two frequent texts that happen to share it would
 * push each other out on every row (seen: 7,434 parses for 48 texts in a
 * 1M-row export).
 */
#ifndef LENITY_MEMO_H
#define LENITY_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "citation.h"

#define MEMO_BITS 10
#define MEMO_SLOTS (1u << MEMO_BITS)
#define MEMO_TEXT 96 /* longer texts are parsed every time */

struct memo_slot {
    uint8_t len;     /* of text; 0: the slot is empty */
    bool ok;         /* the text is a citation */
    bool used_last;  /* of the pair of slots, this one was used last */
    const char *why; /* the parser's reason when not ok (a constant string), or NULL */
    char text[MEMO_TEXT];
    struct citation citation;
};

/*
 * The slot holding s[0, len) (*hit true), or the one to parse it into
 * (*hit false: its text is set, the caller fills ok, why and citation).
 * NULL when s is empty or too long, or no memory: parse it unmemoised.
 * *table is made at the first call; free() it when done.
 */
static inline struct memo_slot *memo_find(struct memo_slot **table, const char *s, size_t len, bool *hit)
{
    if (len == 0 || len > MEMO_TEXT)
        return NULL;
    if (!*table && !(*table = calloc(MEMO_SLOTS, sizeof **table)))
        return NULL;
    uint64_t head = 0, tail = 0;
    size_t n = len < 8 ? len : 8;
    memcpy(&head, s, n);
    memcpy(&tail, s + len - n, n);
    uint64_t h = (head ^ (tail * 0x9E3779B97F4A7C15ull) ^ len) * 0xFF51AFD7ED558CCDull;
    /* the top bits: a product's low bits never see its factors' high bytes */
    struct memo_slot *pair = &(*table)[(h >> (64 - MEMO_BITS)) & ~1u];
    for (int k = 0; k < 2; k++)
        if (pair[k].len == len && memcmp(pair[k].text, s, len) == 0) {
            pair[k].used_last = true;
            pair[1 - k].used_last = false;
            *hit = true;
            return &pair[k];
        }
    struct memo_slot *m = pair[0].used_last ? &pair[1] : &pair[0];
    m->used_last = true;
    (m == pair ? &pair[1] : &pair[0])->used_last = false;
    m->len = (uint8_t)len;
    memcpy(m->text, s, len);
    *hit = false;
    return m;
}

#endif
