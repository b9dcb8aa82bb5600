/*
 * citation.c - parsing, canonical text, nesting and hash sets for citation.h.
 *
 * Canonical text: the code in upper case, one space, then everything after
 * the code in lower case -- the section as written ("11360.5", "2c:35-10",
 * "705/5.2") and each subsection in parentheses ("(a)", "(iv)").  Because
 * matching is case-insensitive, lower-casing the whole tail lets every
 * comparison, hash and prefix test work on plain bytes.
 */
#include "citation.h"

#include <stdlib.h>
#include <string.h>

/* The reasons below spell out these limits in words. */
_Static_assert(CITATION_MAX_LEN == 63, "update the 'longer than' reason");
_Static_assert(CITATION_MAX_DEPTH == 8, "update the 'too many subsections' reason");
_Static_assert(CITATION_MAX_CODE == 8, "update the code length reason");
_Static_assert(CITATION_MAX_LEN <= UINT8_MAX, "len and ends are uint8_t");

#define CITATION_MAX_SUB 8 /* characters inside one pair of parentheses */

static const char WHY_NEED[] = "a citation needs a code and a section, like HS 11357";
static const char WHY_CODE_LONG[] = "a code has at most 8 letters, like HS or ILCS";
static const char WHY_CODE_CHARS[] = "a code is made of letters (and dots, as in W.I.), like HS or PC";
static const char WHY_NO_SPACE[] = "put a space between the code and the section, like HS 11357";
static const char WHY_SECTION_DIGIT[] = "a section starts with a digit, like 11357";
static const char WHY_SECTION_END[] = "a section ends with a letter or a digit, like 11360.5";
static const char WHY_TOO_MANY[] = "too many subsections (at most 7)";
static const char WHY_TOO_LONG[] = "citation is longer than 63 characters";
static const char WHY_PAREN[] = "unbalanced parenthesis";
static const char WHY_SUB[] = "a subsection holds 1 to 8 letters or digits, like (a) or (2)";
static const char WHY_SPACE_SUB[] = "no space is allowed before a subsection, like HS 11357(a)";
static const char WHY_TRAILING[] = "unexpected text after the section; subsections go in parentheses, like HS 11357(a)";

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_section_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '/';
}

static char upper_ascii(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Appends one byte, refusing to grow past CITATION_MAX_LEN. */
static bool put(struct citation *c, char ch)
{
    if (c->len >= CITATION_MAX_LEN)
        return false;
    c->text[c->len++] = ch;
    c->text[c->len] = '\0';
    return true;
}

/* Reads the citation from text[i..end), already stripped of outer blanks. */
static const char *parse_trimmed(const char *text, size_t i, size_t end, struct citation *c)
{
    if (i == end || !is_alpha(text[i]))
        return WHY_NEED;

    /* A dot may only follow a letter, so "W.I." passes and "W..I" does not;
     * that also bounds the code at 16 characters. */
    size_t letters = 0;
    while (i < end && (is_alpha(text[i]) || text[i] == '.')) {
        if (text[i] == '.') {
            if (text[i - 1] == '.')
                return WHY_CODE_CHARS;
        } else if (++letters > CITATION_MAX_CODE) {
            return WHY_CODE_LONG;
        }
        if (!put(c, upper_ascii(text[i])))
            return WHY_TOO_LONG;
        i++;
    }
    if (i == end)
        return WHY_NEED;
    if (is_digit(text[i]))
        return WHY_NO_SPACE;
    if (!is_blank(text[i]))
        return WHY_CODE_CHARS;
    while (i < end && is_blank(text[i]))
        i++;
    if (!put(c, ' '))
        return WHY_TOO_LONG;

    if (i == end)
        return WHY_NEED;
    if (!is_digit(text[i]))
        return WHY_SECTION_DIGIT;
    while (i < end && is_section_char(text[i])) {
        if (!put(c, lower_ascii(text[i])))
            return WHY_TOO_LONG;
        i++;
    }
    /* "HS 11357." would silently differ from "HS 11357", so refuse it. */
    if (!is_alnum(text[i - 1]))
        return WHY_SECTION_END;
    c->ends[0] = c->len;
    c->depth = 1;

    while (i < end) {
        if (text[i] == ')')
            return WHY_PAREN;
        if (is_blank(text[i])) {
            while (i < end && is_blank(text[i]))
                i++;
            return (i < end && text[i] == '(') ? WHY_SPACE_SUB : WHY_TRAILING;
        }
        if (text[i] != '(')
            return WHY_TRAILING;
        size_t start = ++i;
        while (i < end && is_alnum(text[i]))
            i++;
        if (i == end || text[i] == '(')
            return WHY_PAREN;
        if (text[i] != ')' || i == start || i - start > CITATION_MAX_SUB)
            return WHY_SUB;
        if (c->depth == CITATION_MAX_DEPTH)
            return WHY_TOO_MANY;
        if (!put(c, '('))
            return WHY_TOO_LONG;
        for (size_t k = start; k < i; k++)
            if (!put(c, lower_ascii(text[k])))
                return WHY_TOO_LONG;
        if (!put(c, ')'))
            return WHY_TOO_LONG;
        c->ends[c->depth++] = c->len;
        i++;
    }
    return NULL;
}

bool citation_parse(const char *text, size_t len, struct citation *out, const char **why)
{
    struct citation c;
    memset(&c, 0, sizeof c);
    if (text == NULL)
        len = 0;
    size_t i = 0, end = len;
    while (i < end && is_blank(text[i]))
        i++;
    while (end > i && is_blank(text[end - 1]))
        end--;
    const char *reason = parse_trimmed(text, i, end, &c);
    if (why)
        *why = reason;
    if (reason != NULL)
        return false;
    if (out)
        *out = c;
    return true;
}

/* A citation whose stored lengths could not have come from citation_parse
 * is never matched, rather than read out of bounds. */
static bool well_formed(const struct citation *c)
{
    return c->len <= CITATION_MAX_LEN && c->depth >= 1 && c->depth <= CITATION_MAX_DEPTH;
}

bool citation_covers(const struct citation *broad, const struct citation *narrow)
{
    if (!well_formed(broad) || !well_formed(narrow) || broad->len > narrow->len)
        return false;
    /* Comparing at a level boundary is what keeps HS 1135 from covering
     * HS 11357: "HS 1135" is a byte prefix but not one of its ends[]. */
    for (uint8_t i = 0; i < narrow->depth; i++)
        if (narrow->ends[i] == broad->len)
            return memcmp(broad->text, narrow->text, broad->len) == 0;
    return false;
}

bool citation_equal(const struct citation *a, const struct citation *b)
{
    return a->len == b->len && a->len <= CITATION_MAX_LEN && memcmp(a->text, b->text, a->len) == 0;
}

#define FNV_OFFSET 14695981039346656037ULL

/* FNV-1a of text[from, to), going on from h, the hash of text[0, from). */
static inline uint64_t fnv_continue(uint64_t h, const char *text, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        h ^= (unsigned char)text[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* 64-bit FNV-1a. */
uint64_t citation_hash_bytes(const char *text, size_t len)
{
    return fnv_continue(FNV_OFFSET, text, 0, len);
}

void citation_hash_levels(const struct citation *c, struct citation_hashes *out)
{
    out->ok = false;
    if (c == NULL || !well_formed(c))
        return;
    uint64_t h = FNV_OFFSET;
    size_t done = 0;
    for (uint8_t i = 0; i < c->depth; i++) {
        size_t plen = c->ends[i];
        if (plen > c->len)
            return;
        if (plen < done) { /* levels out of order (never from the parser): start again */
            h = FNV_OFFSET;
            done = 0;
        }
        h = fnv_continue(h, c->text, done, plen);
        done = plen;
        out->level[i] = h;
    }
    out->ok = true;
}

void citation_set_free(struct citation_set *set)
{
    if (set == NULL)
        return;
    free(set->entries);
    free(set->slots);
    free(set->slot_hash);
    memset(set, 0, sizeof *set);
}

/* Slot holding text[0..len), or the empty slot where it would go. */
static uint32_t find_slot(const struct citation_set *set, const char *text, size_t len, uint64_t h)
{
    uint32_t idx = (uint32_t)h & set->mask;
    for (;;) {
        uint32_t s = set->slots[idx];
        if (s == 0)
            return idx;
        const struct citation *e = &set->entries[s - 1];
        if (set->slot_hash[idx] == h && e->len == len && memcmp(e->text, text, len) == 0)
            return idx;
        idx = (idx + 1) & set->mask;
    }
}

/*
 * Keeping the table at most half full bounds the probe runs, and also
 * guarantees an empty slot so every probe loop ends.  Entries with
 * impossible lengths make the build fail like an allocation failure would.
 */
bool citation_set_build(struct citation_set *set, const struct citation *items, uint32_t n)
{
    if (set == NULL)
        return false;
    memset(set, 0, sizeof *set);
    if (n > 0 && items == NULL)
        return false;

    uint64_t slots = 8;
    while (slots < 2 * (uint64_t)n)
        slots <<= 1;
    if (slots > (uint64_t)UINT32_MAX + 1 || slots > SIZE_MAX / sizeof(uint64_t))
        return false;

    set->mask = (uint32_t)(slots - 1);
    set->slots = calloc((size_t)slots, sizeof *set->slots);
    set->slot_hash = calloc((size_t)slots, sizeof *set->slot_hash);
    /* calloc checks n * size for overflow, which matters where size_t is 32 bits. */
    set->entries = n > 0 ? calloc(n, sizeof *set->entries) : NULL;
    if (set->slots == NULL || set->slot_hash == NULL || (n > 0 && set->entries == NULL)) {
        citation_set_free(set);
        return false;
    }

    for (uint32_t k = 0; k < n; k++) {
        const struct citation *item = &items[k];
        if (item->len > CITATION_MAX_LEN) {
            citation_set_free(set);
            return false;
        }
        uint64_t h = citation_hash_bytes(item->text, item->len);
        uint32_t idx = find_slot(set, item->text, item->len, h);
        if (set->slots[idx] != 0)
            continue; /* duplicate: the first copy stays */
        set->entries[set->count] = *item;
        set->count++;
        set->slots[idx] = set->count;
        set->slot_hash[idx] = h;
    }
    return true;
}

bool citation_set_contains_hashed(const struct citation_set *set, const struct citation *c,
                                  const struct citation_hashes *h)
{
    if (set == NULL || c == NULL || !h->ok || set->count == 0 || set->slots == NULL)
        return false;
    for (uint8_t i = 0; i < c->depth; i++)
        if (set->slots[find_slot(set, c->text, c->ends[i], h->level[i])] != 0)
            return true;
    return false;
}

bool citation_set_contains(const struct citation_set *set, const struct citation *c)
{
    struct citation_hashes h;
    citation_hash_levels(c, &h);
    return citation_set_contains_hashed(set, c, &h);
}

int64_t citation_set_find_hashed(const struct citation_set *set, const struct citation *c,
                                 const struct citation_hashes *h)
{
    if (set == NULL || c == NULL || !h->ok || set->count == 0 || set->slots == NULL)
        return -1;
    for (uint8_t i = c->depth; i > 0; i--) {
        uint32_t slot = set->slots[find_slot(set, c->text, c->ends[i - 1], h->level[i - 1])];
        if (slot != 0)
            return (int64_t)slot - 1;
    }
    return -1;
}

int64_t citation_set_find(const struct citation_set *set, const struct citation *c)
{
    struct citation_hashes h;
    citation_hash_levels(c, &h);
    return citation_set_find_hashed(set, c, &h);
}
