/*
 * test_citation.c - unit tests for runtime/citation.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "citation.h"
#include "memo.h"

static struct citation cite(const char *text)
{
    struct citation c;
    const char *why = "not set";
    memset(&c, 0xAB, sizeof c);
    if (!citation_parse(text, strlen(text), &c, &why))
        fail_msg("\"%s\" rejected: %s", text, why);
    assert_null(why);
    return c;
}

/* The reason text for a rejected citation (never NULL). */
static const char *rejection(const char *text)
{
    struct citation c;
    const char *why = NULL;
    memset(&c, 0x5A, sizeof c);
    struct citation before = c;
    if (citation_parse(text, strlen(text), &c, &why))
        fail_msg("\"%s\" accepted as \"%s\"", text, c.text);
    assert_non_null(why);
    assert_true(strlen(why) > 10);
    /* A rejected parse leaves the output untouched. */
    assert_memory_equal(&c, &before, sizeof c);
    return why;
}

static void assert_canonical(const char *input, const char *expected)
{
    struct citation c = cite(input);
    assert_string_equal(c.text, expected);
    assert_int_equal(c.len, strlen(expected));
    assert_int_equal(c.flags, 0);
}

static bool covers(const char *broad, const char *narrow)
{
    struct citation b = cite(broad), n = cite(narrow);
    return citation_covers(&b, &n);
}

static void test_citation_parse_section_only(void **state)
{
    (void)state;
    struct citation c = cite("HS 11357");
    assert_string_equal(c.text, "HS 11357");
    assert_int_equal(c.len, 8);
    assert_int_equal(c.depth, 1);
    assert_int_equal(c.ends[0], 8);
    assert_int_equal(c.flags, 0);
}

static void test_citation_parse_levels(void **state)
{
    (void)state;
    struct citation c = cite("PC 667(e)(2)(C)(iv)");
    assert_string_equal(c.text, "PC 667(e)(2)(c)(iv)");
    assert_int_equal(c.depth, 5);
    assert_int_equal(c.ends[0], strlen("PC 667"));
    assert_int_equal(c.ends[1], strlen("PC 667(e)"));
    assert_int_equal(c.ends[2], strlen("PC 667(e)(2)"));
    assert_int_equal(c.ends[3], strlen("PC 667(e)(2)(c)"));
    assert_int_equal(c.ends[4], strlen("PC 667(e)(2)(c)(iv)"));
    assert_int_equal(c.len, c.ends[4]);
}

static void test_citation_canonical_forms(void **state)
{
    (void)state;
    assert_canonical("hs 11357(A)", "HS 11357(a)");
    assert_canonical("Hs 11359(B)(1)", "HS 11359(b)(1)");
    assert_canonical("  HS    11357  ", "HS 11357");
    assert_canonical("\tVC\t23152\t", "VC 23152");
    assert_canonical("HS 11360.5", "HS 11360.5");
    assert_canonical("nj 2C:35-10", "NJ 2c:35-10");
    assert_canonical("ilcs 705/5.2", "ILCS 705/5.2");
    assert_canonical("w.i. 602", "W.I. 602");
    assert_canonical("HS 11357(abcdefgh)", "HS 11357(abcdefgh)");
    assert_canonical("HS 11357(a)(b)(c)(d)(e)(f)(g)", "HS 11357(a)(b)(c)(d)(e)(f)(g)");
}

static void test_citation_case_insensitive(void **state)
{
    (void)state;
    struct citation a = cite("hs 11357(b)(2)"), b = cite("HS 11357(B)(2)"), c = cite("Hs 11357(b)(2)");
    assert_true(citation_equal(&a, &b));
    assert_true(citation_equal(&b, &c));
    assert_true(citation_covers(&a, &b));
    struct citation d = cite("HS 11357(b)(3)");
    assert_false(citation_equal(&a, &d));
    assert_int_equal(citation_hash_bytes(a.text, a.len), citation_hash_bytes(b.text, b.len));
}

static void test_citation_parse_only_reads_len(void **state)
{
    (void)state;
    struct citation c;
    const char *text = "HS 11357(a)garbage";
    assert_true(citation_parse(text, strlen("HS 11357(a)"), &c, NULL));
    assert_string_equal(c.text, "HS 11357(a)");
    /* Cut inside the parentheses: the ')' beyond len must not be seen. */
    assert_false(citation_parse(text, strlen("HS 11357(a"), &c, NULL));
    assert_false(citation_parse(NULL, 0, &c, NULL));
    assert_false(citation_parse("HS 11357", 0, &c, NULL));
    /* An embedded NUL is just a bad character. */
    assert_false(citation_parse("HS 11357\0(a)", 12, &c, NULL));
}

static void test_citation_rejects_missing_parts(void **state)
{
    (void)state;
    static const char *const inputs[] = { "", "   ", "HS", "HS   ", "11357", "(a)" };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        assert_string_equal(rejection(inputs[i]),
                            "a citation needs a code and a section, like HS 11357");
}

static void test_citation_rejects_bad_code(void **state)
{
    (void)state;
    assert_non_null(strstr(rejection("ABCDEFGHI 11357"), "at most 8 letters"));
    assert_true(citation_parse("ABCDEFGH 1", 10, NULL, NULL));
    assert_non_null(strstr(rejection("HS11357"), "space between the code and the section"));
    assert_non_null(strstr(rejection("H$ 11357"), "code is made of letters"));
    assert_non_null(strstr(rejection("W..I 602"), "code is made of letters"));
}

static void test_citation_rejects_bad_section(void **state)
{
    (void)state;
    assert_non_null(strstr(rejection("HS a11357"), "section starts with a digit"));
    assert_non_null(strstr(rejection("HS 11357."), "ends with a letter or a digit"));
    assert_non_null(strstr(rejection("HS 11357-"), "ends with a letter or a digit"));
    assert_non_null(strstr(rejection("HS 11357 a"), "unexpected text"));
    assert_non_null(strstr(rejection("HS 11357#"), "unexpected text"));
    assert_non_null(strstr(rejection("HS 11357 (a)"), "no space is allowed before a subsection"));
}

static void test_citation_rejects_bad_subsections(void **state)
{
    (void)state;
    assert_string_equal(rejection("HS 11357(a"), "unbalanced parenthesis");
    assert_string_equal(rejection("HS 11357a)"), "unbalanced parenthesis");
    assert_string_equal(rejection("HS 11357(a))"), "unbalanced parenthesis");
    assert_string_equal(rejection("HS 11357(a(b))"), "unbalanced parenthesis");
    assert_string_equal(rejection("HS 11357("), "unbalanced parenthesis");
    assert_non_null(strstr(rejection("HS 11357()"), "1 to 8 letters or digits"));
    assert_non_null(strstr(rejection("HS 11357(abcdefghi)"), "1 to 8 letters or digits"));
    assert_non_null(strstr(rejection("HS 11357(a.1)"), "1 to 8 letters or digits"));
    assert_non_null(strstr(rejection("HS 11357(a) (b)"), "no space is allowed before a subsection"));
    assert_non_null(strstr(rejection("HS 11357(a)x"), "unexpected text"));
}

static void test_citation_rejects_too_many_subsections(void **state)
{
    (void)state;
    assert_string_equal(rejection("HS 11357(a)(b)(c)(d)(e)(f)(g)(h)"),
                        "too many subsections (at most 7)");
}

static void test_citation_rejects_too_long(void **state)
{
    (void)state;
    char text[128];
    /* "HS " + 60 digits = 63 characters: the longest that fits. */
    memcpy(text, "HS ", 3);
    memset(text + 3, '1', 60);
    text[63] = '\0';
    struct citation c = cite(text);
    assert_int_equal(c.len, 63);
    text[63] = '2';
    text[64] = '\0';
    assert_string_equal(rejection(text), "citation is longer than 63 characters");
    assert_string_equal(rejection("HS 11357(aaaaaaaa)(bbbbbbbb)(cccccccc)(dddddddd)(eeeeeeee)(ffffffff)(gggggggg)"),
                        "citation is longer than 63 characters");
    /* Long runs of outer spaces are fine: they are not part of the text. */
    memset(text, ' ', 100);
    memcpy(text + 100, "HS 11357", 9);
    assert_string_equal(cite(text).text, "HS 11357");
}

static void test_citation_covers_descendants(void **state)
{
    (void)state;
    assert_true(covers("HS 11357", "HS 11357"));
    assert_true(covers("HS 11357", "HS 11357(a)"));
    assert_true(covers("HS 11357", "HS 11357(b)(2)"));
    assert_true(covers("HS 11359(b)", "HS 11359(b)"));
    assert_true(covers("HS 11359(b)", "HS 11359(b)(1)"));
    assert_true(covers("hs 11359(B)", "HS 11359(b)(1)"));
}

static void test_citation_covers_not_ancestors_or_siblings(void **state)
{
    (void)state;
    assert_false(covers("HS 11359(b)", "HS 11359"));
    assert_false(covers("HS 11359(b)", "HS 11359(a)"));
    assert_false(covers("HS 11357(a)", "HS 11357(ab)"));
    assert_false(covers("HS 11357(b)(2)", "HS 11357(b)"));
}

static void test_citation_covers_respects_level_boundary(void **state)
{
    (void)state;
    /* "HS 1135" is a byte prefix of "HS 11357" but not a level of it. */
    assert_false(covers("HS 1135", "HS 11357"));
    assert_false(covers("HS 1135", "HS 11357(a)"));
    assert_false(covers("HS 11357", "HS 11357.5"));
    assert_false(covers("PC 11357", "HS 11357"));
    assert_false(covers("H 11357", "HS 11357"));
}

static void test_citation_covers_ignores_flags(void **state)
{
    (void)state;
    struct citation broad = cite("HS 11357"), narrow = cite("HS 11357(a)");
    narrow.flags = CITATION_ATTEMPT | CITATION_CONSPIRACY;
    assert_true(citation_covers(&broad, &narrow));
    broad.flags = CITATION_ATTEMPT;
    struct citation same = cite("HS 11357");
    assert_true(citation_equal(&broad, &same));
}

static void test_citation_hash_is_fnv1a(void **state)
{
    (void)state;
    /* Published FNV-1a 64-bit test vectors. */
    assert_true(citation_hash_bytes("", 0) == 0xcbf29ce484222325ULL);
    assert_true(citation_hash_bytes("a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(citation_hash_bytes("foobar", 6) == 0x85944171f73967e8ULL);
    assert_true(citation_hash_bytes("HS 11357", 8) != citation_hash_bytes("HS 11358", 8));
}

static struct citation_set make_set(const char *const *texts, uint32_t n)
{
    struct citation items[16];
    assert_true(n <= 16);
    for (uint32_t i = 0; i < n; i++)
        items[i] = cite(texts[i]);
    struct citation_set set;
    assert_true(citation_set_build(&set, items, n));
    return set;
}

static bool set_has(const struct citation_set *set, const char *text)
{
    struct citation c = cite(text);
    return citation_set_contains(set, &c);
}

static void test_citation_set_membership_via_ancestor(void **state)
{
    (void)state;
    static const char *const texts[] = { "HS 11357", "HS 11359(b)", "HS 11360(a)(2)" };
    struct citation_set set = make_set(texts, 3);
    assert_int_equal(set.count, 3);
    assert_true(set.mask + 1 >= 8);
    assert_true(set_has(&set, "HS 11357"));
    assert_true(set_has(&set, "HS 11357(a)"));
    assert_true(set_has(&set, "hs 11357(b)(2)"));
    assert_true(set_has(&set, "HS 11359(b)"));
    assert_true(set_has(&set, "HS 11359(b)(1)(A)"));
    assert_true(set_has(&set, "HS 11360(a)(2)(x)"));
    citation_set_free(&set);
}

static void test_citation_set_non_membership(void **state)
{
    (void)state;
    static const char *const texts[] = { "HS 11357", "HS 11359(b)", "HS 11360(a)(2)" };
    struct citation_set set = make_set(texts, 3);
    assert_false(set_has(&set, "HS 11359"));
    assert_false(set_has(&set, "HS 11359(a)"));
    assert_false(set_has(&set, "HS 11360"));
    assert_false(set_has(&set, "HS 11360(a)"));
    assert_false(set_has(&set, "HS 1135"));
    assert_false(set_has(&set, "HS 113570"));
    assert_false(set_has(&set, "PC 11357"));
    assert_false(set_has(&set, "HS 11358(a)"));
    citation_set_free(&set);
}

/* The level hashes are the hashes of each level's text, and the hashed lookups agree with the plain ones. */
static void test_citation_hash_levels(void **state)
{
    (void)state;
    static const char *const texts[] = { "HS 11357", "HS 11359(b)", "HS 11360(a)(2)" };
    struct citation_set set = make_set(texts, 3);
    static const char *const asked[] = { "HS 11357(b)(2)", "HS 11359", "HS 11359(b)(1)(A)", "HS 11360(a)(2)(x)",
                                         "HS 11360(a)", "PC 187", "HS 1135" };
    for (size_t k = 0; k < sizeof asked / sizeof asked[0]; k++) {
        struct citation c = cite(asked[k]);
        struct citation_hashes h;
        citation_hash_levels(&c, &h);
        assert_true(h.ok);
        for (uint8_t i = 0; i < c.depth; i++)
            assert_true(h.level[i] == citation_hash_bytes(c.text, c.ends[i]));
        assert_int_equal(citation_set_contains_hashed(&set, &c, &h), citation_set_contains(&set, &c));
        assert_int_equal(citation_set_find_hashed(&set, &c, &h), citation_set_find(&set, &c));
    }
    /* a citation whose levels end past its text is in no set, hashed or not */
    struct citation bad = cite("HS 11357(b)");
    bad.ends[1] = (uint8_t)(bad.len + 5);
    struct citation_hashes h;
    citation_hash_levels(&bad, &h);
    assert_false(h.ok);
    assert_false(citation_set_contains_hashed(&set, &bad, &h));
    assert_false(citation_set_contains(&set, &bad));
    citation_set_free(&set);
}

/* The readers' memo keeps two texts that share a pair of slots, and lets the one used longer ago go for a third. */
static void test_memo_keeps_two_texts_that_share_a_pair(void **state)
{
    (void)state;
    /* three texts whose slots fall in one pair (found with a scratch table) */
    struct memo_slot *scratch = NULL;
    char texts[3][16];
    ptrdiff_t pair = -1;
    int found = 0;
    bool hit;
    for (int i = 0; found < 3 && i < 100000; i++) {
        char t[16];
        snprintf(t, sizeof t, "HS %d", 10000 + i);
        struct memo_slot *m = memo_find(&scratch, t, strlen(t), &hit);
        assert_non_null(m);
        ptrdiff_t p = (m - scratch) & ~(ptrdiff_t)1;
        if (found == 0)
            pair = p;
        if (p == pair)
            snprintf(texts[found++], sizeof texts[0], "%s", t);
    }
    free(scratch);
    assert_int_equal(found, 3);

    struct memo_slot *table = NULL;
    struct memo_slot *a = memo_find(&table, texts[0], strlen(texts[0]), &hit);
    assert_false(hit);
    struct memo_slot *b = memo_find(&table, texts[1], strlen(texts[1]), &hit);
    assert_false(hit);
    assert_ptr_not_equal(a, b);
    /* both stay: neither pushes the other out */
    for (int round = 0; round < 3; round++) {
        assert_ptr_equal(memo_find(&table, texts[0], strlen(texts[0]), &hit), a);
        assert_true(hit);
        assert_ptr_equal(memo_find(&table, texts[1], strlen(texts[1]), &hit), b);
        assert_true(hit);
    }
    /* a third takes the slot of the one used longer ago (texts[0]) */
    assert_ptr_equal(memo_find(&table, texts[2], strlen(texts[2]), &hit), a);
    assert_false(hit);
    assert_ptr_equal(memo_find(&table, texts[1], strlen(texts[1]), &hit), b);
    assert_true(hit);
    memo_find(&table, texts[0], strlen(texts[0]), &hit);
    assert_false(hit);
    /* nothing to memoise: an empty text, or one longer than MEMO_TEXT */
    char longer[MEMO_TEXT + 2];
    memset(longer, 'x', sizeof longer);
    assert_null(memo_find(&table, longer, sizeof longer, &hit));
    assert_null(memo_find(&table, "", 0, &hit));
    free(table);
}

static void test_citation_set_duplicates(void **state)
{
    (void)state;
    static const char *const texts[] = { "HS 11357", "hs 11357", "HS 11358", "HS 11357", "HS 11358(a)" };
    struct citation_set set = make_set(texts, 5);
    assert_int_equal(set.count, 3);
    assert_string_equal(set.entries[0].text, "HS 11357");
    assert_string_equal(set.entries[1].text, "HS 11358");
    assert_string_equal(set.entries[2].text, "HS 11358(a)");
    uint32_t used = 0;
    for (uint32_t i = 0; i <= set.mask; i++) {
        if (set.slots[i] != 0) {
            used++;
            const struct citation *e = &set.entries[set.slots[i] - 1];
            assert_true(set.slot_hash[i] == citation_hash_bytes(e->text, e->len));
        }
    }
    assert_int_equal(used, 3);
    assert_true(set_has(&set, "HS 11357(a)"));
    assert_true(set_has(&set, "HS 11358(b)"));
    citation_set_free(&set);
}

static void test_citation_set_empty(void **state)
{
    (void)state;
    struct citation_set set;
    assert_true(citation_set_build(&set, NULL, 0));
    assert_int_equal(set.count, 0);
    assert_false(set_has(&set, "HS 11357"));
    citation_set_free(&set);
    assert_null(set.slots);
    assert_null(set.entries);
    assert_null(set.slot_hash);
    assert_int_equal(set.mask, 0);
    /* A freed (zeroed) set is also empty, not a crash. */
    assert_false(set_has(&set, "HS 11357"));
    citation_set_free(&set);
}

static void test_citation_set_large(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct citation *items = calloc(N, sizeof *items);
    assert_non_null(items);
    char text[64];
    /* Even sections only, each with one subsection level for half of them. */
    for (uint32_t i = 0; i < N; i++) {
        int n = (i % 2) ? snprintf(text, sizeof text, "PC %u(%c)", 2 * i, 'a' + (char)(i % 26))
                        : snprintf(text, sizeof text, "PC %u", 2 * i);
        assert_true(citation_parse(text, (size_t)n, &items[i], NULL));
    }
    struct citation_set set;
    assert_true(citation_set_build(&set, items, N));
    assert_int_equal(set.count, N);
    assert_true(set.mask + 1 >= 2 * N);
    assert_int_equal((set.mask + 1) & set.mask, 0);
    for (uint32_t i = 0; i < N; i++) {
        assert_true(citation_set_contains(&set, &items[i]));
        /* Odd sections were never added. */
        snprintf(text, sizeof text, "PC %u(a)", 2 * i + 1);
        assert_false(set_has(&set, text));
        if (i % 2) {
            /* The section alone is broader than the (x) entry. */
            snprintf(text, sizeof text, "PC %u", 2 * i);
            assert_false(set_has(&set, text));
            snprintf(text, sizeof text, "PC %u(%c)(1)", 2 * i, 'a' + (char)(i % 26));
            assert_true(set_has(&set, text));
        } else {
            snprintf(text, sizeof text, "PC %u(zz)(9)", 2 * i);
            assert_true(set_has(&set, text));
        }
        snprintf(text, sizeof text, "HS %u", 2 * i);
        assert_false(set_has(&set, text));
    }
    citation_set_free(&set);
    free(items);
}

static void test_citation_set_free_zeroes(void **state)
{
    (void)state;
    static const char *const texts[] = { "HS 11357" };
    struct citation_set set = make_set(texts, 1);
    assert_non_null(set.slots);
    citation_set_free(&set);
    assert_null(set.entries);
    assert_null(set.slots);
    assert_null(set.slot_hash);
    assert_int_equal(set.count, 0);
    citation_set_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_citation_parse_section_only),
        cmocka_unit_test(test_citation_parse_levels),
        cmocka_unit_test(test_citation_canonical_forms),
        cmocka_unit_test(test_citation_case_insensitive),
        cmocka_unit_test(test_citation_parse_only_reads_len),
        cmocka_unit_test(test_citation_rejects_missing_parts),
        cmocka_unit_test(test_citation_rejects_bad_code),
        cmocka_unit_test(test_citation_rejects_bad_section),
        cmocka_unit_test(test_citation_rejects_bad_subsections),
        cmocka_unit_test(test_citation_rejects_too_many_subsections),
        cmocka_unit_test(test_citation_rejects_too_long),
        cmocka_unit_test(test_citation_covers_descendants),
        cmocka_unit_test(test_citation_covers_not_ancestors_or_siblings),
        cmocka_unit_test(test_citation_covers_respects_level_boundary),
        cmocka_unit_test(test_citation_covers_ignores_flags),
        cmocka_unit_test(test_citation_hash_is_fnv1a),
        cmocka_unit_test(test_citation_set_membership_via_ancestor),
        cmocka_unit_test(test_citation_set_non_membership),
        cmocka_unit_test(test_citation_hash_levels),
        cmocka_unit_test(test_memo_keeps_two_texts_that_share_a_pair),
        cmocka_unit_test(test_citation_set_duplicates),
        cmocka_unit_test(test_citation_set_empty),
        cmocka_unit_test(test_citation_set_large),
        cmocka_unit_test(test_citation_set_free_zeroes),
    };
    return cmocka_run_group_tests_name("citation", tests, NULL, NULL);
}
