/*
 * test_people_seen.c - noticing a person whose rows are not together, with
 * the set of ids seen and, past its limit, the order of the ids.  The limit
 * here is the smallest (4,096 slots: 3,072 people), so the tests cross it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "people_seen.h"

#define SMALL_SET 4096 /* slots: the set holds 3,072 people */

static enum people_seen_answer add(struct people_seen *ps, const char *id)
{
    return people_seen_add(ps, id, strlen(id));
}

static enum people_seen_answer add_number(struct people_seen *ps, unsigned n)
{
    char id[16];
    snprintf(id, sizeof id, "%u", n);
    return add(ps, id);
}

static void test_people_seen_a_person_met_again_is_told(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    assert_int_equal(add(&ps, "B"), PEOPLE_NEW);
    assert_int_equal(add(&ps, "A"), PEOPLE_NEW);
    assert_int_equal(add(&ps, "C"), PEOPLE_NEW);
    assert_int_equal(add(&ps, "B"), PEOPLE_AGAIN);
    assert_int_equal(add(&ps, "D"), PEOPLE_NEW);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    people_seen_free(&ps);
}

static void test_people_seen_the_same_id_twice_in_a_row_is_again(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    assert_int_equal(add(&ps, "P1"), PEOPLE_NEW);
    assert_int_equal(add(&ps, "P1"), PEOPLE_AGAIN);
    people_seen_free(&ps);
}

/* Ids in order by number (9 before 10): checked whole, far past the set's limit, which is freed. */
static void test_people_seen_ids_in_order_by_number_are_checked_past_the_limit(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 20000; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_null(ps.slots);
    assert_null(ps.list);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    people_seen_free(&ps);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Ids in order byte by byte (10 before 9), as `sort` leaves them: the same. */
static void test_people_seen_ids_in_order_by_bytes_are_checked_past_the_limit(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*text)[8] = malloc(N * sizeof *text);
    const char **ids = malloc(N * sizeof *ids);
    assert_non_null(text);
    assert_non_null(ids);
    for (unsigned i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "%u", i + 1);
        ids[i] = text[i];
    }
    qsort(ids, N, sizeof *ids, by_bytes);
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(add(&ps, ids[i]), PEOPLE_NEW);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    people_seen_free(&ps);
    free(ids);
    free(text);
}

/* Past the limit, an id out of order cannot be checked: it is said, with how many were. */
static void test_people_seen_out_of_order_past_the_limit_is_unchecked(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 5000; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_int_equal(add_number(&ps, 17), PEOPLE_UNCHECKED);   /* seen, but the set is gone */
    assert_int_equal(add_number(&ps, 9999), PEOPLE_UNCHECKED); /* the order is lost for good */
    assert_int_equal(people_seen_checked_to(&ps), 5000);
    people_seen_free(&ps);
}

/* Within the limit the set tells, in order or not; past it, nothing more can be. */
static void test_people_seen_out_of_order_within_the_limit_is_checked(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 100; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_int_equal(add_number(&ps, 50), PEOPLE_AGAIN);
    assert_int_equal(add_number(&ps, 7), PEOPLE_AGAIN);
    /* the set holds 3,072 people: 100 so far, so 2,972 more fit */
    for (unsigned n = 200; n < 200 + 2972; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    assert_int_equal(add_number(&ps, 100000), PEOPLE_UNCHECKED);
    assert_int_equal(people_seen_checked_to(&ps), 3074);
    people_seen_free(&ps);
}

/* Ids in order are only listed; when the order breaks, the list becomes the set and finds the first id. */
static void test_people_seen_the_list_of_ids_in_order_becomes_the_set(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 2000; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_non_null(ps.list);
    assert_null(ps.slots);
    assert_int_equal(add_number(&ps, 1), PEOPLE_AGAIN);
    assert_null(ps.list);
    assert_non_null(ps.slots);
    assert_int_equal(add_number(&ps, 2000), PEOPLE_AGAIN);
    assert_int_equal(add_number(&ps, 5000), PEOPLE_NEW);
    assert_int_equal(add_number(&ps, 5000), PEOPLE_AGAIN);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    people_seen_free(&ps);
}

/* A list at its limit fills the set it becomes: the id that broke the order is still looked up. */
static void test_people_seen_a_full_list_is_still_looked_up(void **state)
{
    (void)state;
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 3072; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_int_equal(add_number(&ps, 3072), PEOPLE_AGAIN);
    assert_int_equal(add_number(&ps, 1), PEOPLE_AGAIN);
    assert_int_equal(people_seen_checked_to(&ps), 0);
    assert_int_equal(add_number(&ps, 4000), PEOPLE_UNCHECKED); /* new, but there is no room to keep it */
    assert_int_equal(people_seen_checked_to(&ps), 3074);
    people_seen_free(&ps);
}

/* An id too long to keep for the order leaves the order unknown past the limit. */
static void test_people_seen_a_very_long_id_ends_the_order(void **state)
{
    (void)state;
    char longest[PEOPLE_SEEN_ID_MAX + 2];
    memset(longest, '9', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    struct people_seen ps;
    people_seen_init(&ps, SMALL_SET);
    for (unsigned n = 1; n <= 4000; n++)
        assert_int_equal(add_number(&ps, n), PEOPLE_NEW);
    assert_int_equal(add(&ps, longest), PEOPLE_UNCHECKED);
    assert_int_equal(people_seen_checked_to(&ps), 4000);
    people_seen_free(&ps);
}

/*
 * Against an exact record of the ids seen, over many generated sequences: runs of ids in
 * order (by number), with repeats and ids out of order mixed in, long enough to cross the
 * small set's limit.  Every answer must be right, PEOPLE_UNCHECKED only once the order is
 * broken past the limit, and people_seen_checked_to the people before the first of those.
 */
static void test_people_seen_agrees_with_an_exact_record(void **state)
{
    (void)state;
    enum { IDS = 20000 };
    unsigned char *seen = malloc(IDS);
    assert_non_null(seen);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    unsigned answers[3] = {0, 0, 0}; /* each kind must come up, or the test tests less than it says */
    for (unsigned sequence = 0; sequence < 300; sequence++) {
        memset(seen, 0, IDS);
        struct people_seen ps;
        people_seen_init(&ps, SMALL_SET);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        unsigned length = 1 + (unsigned)(rng >> 33) % 6000;
        unsigned out_of_order_per_mille = (unsigned)(rng >> 20) % 4 == 0 ? 0 : 1 + (unsigned)(rng >> 40) % 50;
        unsigned next = 1, first_unchecked = 0;
        bool in_order = true;
        for (unsigned i = 1; i <= length; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            unsigned id;
            if ((unsigned)(rng >> 33) % 1000 < out_of_order_per_mille) {
                id = 1 + (unsigned)(rng >> 45) % (next + 10 < IDS ? next + 10 : IDS - 1);
                in_order = in_order && id >= next;
            } else {
                id = next;
            }
            if (id >= next)
                next = id + 1 + (unsigned)(rng >> 60) % 3;
            if (next >= IDS)
                next = IDS - 1;
            enum people_seen_answer got = add_number(&ps, id);
            answers[got]++;
            if (got == PEOPLE_UNCHECKED) {
                assert_false(in_order);
                assert_true(i > 3072);
                if (!first_unchecked)
                    first_unchecked = i;
            } else {
                assert_int_equal(got, seen[id] ? PEOPLE_AGAIN : PEOPLE_NEW);
                assert_int_equal(first_unchecked, 0); /* once unchecked, always */
            }
            seen[id] = 1;
        }
        assert_int_equal(people_seen_checked_to(&ps), first_unchecked ? first_unchecked - 1 : 0);
        people_seen_free(&ps);
    }
    free(seen);
    assert_true(answers[PEOPLE_NEW] > 0 && answers[PEOPLE_AGAIN] > 0 && answers[PEOPLE_UNCHECKED] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_people_seen_a_person_met_again_is_told),
        cmocka_unit_test(test_people_seen_the_same_id_twice_in_a_row_is_again),
        cmocka_unit_test(test_people_seen_ids_in_order_by_number_are_checked_past_the_limit),
        cmocka_unit_test(test_people_seen_ids_in_order_by_bytes_are_checked_past_the_limit),
        cmocka_unit_test(test_people_seen_out_of_order_past_the_limit_is_unchecked),
        cmocka_unit_test(test_people_seen_out_of_order_within_the_limit_is_checked),
        cmocka_unit_test(test_people_seen_the_list_of_ids_in_order_becomes_the_set),
        cmocka_unit_test(test_people_seen_a_full_list_is_still_looked_up),
        cmocka_unit_test(test_people_seen_a_very_long_id_ends_the_order),
        cmocka_unit_test(test_people_seen_agrees_with_an_exact_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
