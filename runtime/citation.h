/*
 * citation.h - statute citations: parsing, normalising, nested matching,
 * and citation-set tables.
 *
 * A citation is a code, a section and zero or more subsections:
 * "HS 11357", "HS 11359(b)", "PC 667(e)(2)(C)(iv)", "VC 23152".
 * Matching follows the law's nesting: HS 11357 covers HS 11357(a) and
 * HS 11357(b)(2); HS 11359(b) covers HS 11359(b) and deeper, never
 * HS 11359 or HS 11359(a).  Codes compare case-insensitively (stored
 * upper case) and subsections too (stored lower case), so the canonical
 * text of "hs 11357(A)" is "HS 11357(a)".
 *
 * A citation set is an open-addressing hash table of canonical texts.
 * Membership tests each prefix of the citation (section, then each
 * subsection), so a lookup costs one probe per level of the citation,
 * the same for 5 entries as for 5,000.
 */
#ifndef LENITY_CITATION_H
#define LENITY_CITATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CITATION_MAX_LEN 63   /* canonical text, without the NUL */
#define CITATION_MAX_DEPTH 8  /* section + up to 7 subsections */
#define CITATION_MAX_CODE 8   /* letters in a code: HS, PC, VC, ILCS, RCW */

/* Attributes kept beside the citation rather than folded into it. */
enum citation_flag {
    CITATION_ATTEMPT = 1,    /* PC 664: attempt */
    CITATION_CONSPIRACY = 2  /* PC 182: conspiracy */
};

struct citation {
    char text[CITATION_MAX_LEN + 1]; /* canonical, NUL-terminated */
    uint8_t len;                     /* strlen(text) */
    uint8_t depth;                   /* 1 = section only */
    uint8_t ends[CITATION_MAX_DEPTH];/* ends[i]: length of the level-i prefix */
    uint8_t flags;                   /* enum citation_flag bits */
};

/*
 * Parse "CODE SECTION(SUB)(SUB)..." where CODE is 1-8 letters (a dot is
 * allowed inside, as in "W.I."), SECTION starts with a digit and may hold
 * digits, letters, '.', '-', ':', '/' (e.g. 11360.5, 2C:35-10, 705/5.2),
 * and each SUB is 1-8 letters or digits in parentheses.  Whitespace
 * between CODE and SECTION is one or more spaces.  On failure returns
 * false and, if why is not NULL, a plain-English reason.
 */
bool citation_parse(const char *text, size_t len, struct citation *out, const char **why);

/* True when `broad` is `narrow` or one of its ancestors (ignores flags). */
bool citation_covers(const struct citation *broad, const struct citation *narrow);
/* Same canonical text (ignores flags). */
bool citation_equal(const struct citation *a, const struct citation *b);

uint64_t citation_hash_bytes(const char *text, size_t len);

struct citation_set {
    uint32_t count;             /* entries */
    uint32_t mask;              /* slots - 1; slots is a power of two */
    struct citation *entries;   /* count entries, owned */
    uint32_t *slots;            /* index + 1 into entries, 0 = empty; owned */
    uint64_t *slot_hash;        /* hash of the entry in each slot; owned */
};

/* Copies the n entries; false on allocation failure. */
bool citation_set_build(struct citation_set *set, const struct citation *items, uint32_t n);
void citation_set_free(struct citation_set *set);
/* True when some entry of the set covers c. */
bool citation_set_contains(const struct citation_set *set, const struct citation *c);
/* The entry (index into entries) that covers c most closely, its deepest ancestor listed; -1 if none. */
int64_t citation_set_find(const struct citation_set *set, const struct citation *c);

/*
 * The hashes of c's levels (ends[0] .. ends[depth - 1]), worked out once, so
 * that asking many sets about one citation (a policy with dozens of rules
 * asks them all about each conviction) hashes its text once, not once per
 * set and level.  ok is false for a malformed citation, which is in no set.
 */
struct citation_hashes {
    uint64_t level[CITATION_MAX_DEPTH];
    bool ok;
};
void citation_hash_levels(const struct citation *c, struct citation_hashes *out);
/* citation_set_contains and citation_set_find, with c's hashes from citation_hash_levels. */
bool citation_set_contains_hashed(const struct citation_set *set, const struct citation *c,
                                  const struct citation_hashes *h);
int64_t citation_set_find_hashed(const struct citation_set *set, const struct citation *c,
                                 const struct citation_hashes *h);

#endif
