/*
 * test_quantity.c - unit tests for runtime/quantity.c: exact conversion of
 * weights, plant counts, and the boundaries where an amount stops being
 * held exactly or stops fitting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "quantity.h"

#define PICO 1000000000000LL

static struct quantity q(const char *text)
{
    struct quantity out = {0, 0};
    const char *why = "not set";
    if (!quantity_parse(text, strlen(text), &out, &why))
        fail_msg("'%s' was refused: %s", text, why ? why : "(no reason)");
    assert_null(why);
    return out;
}

static const char *refused(const char *text)
{
    struct quantity out = {0, 0};
    const char *why = NULL;
    if (quantity_parse(text, strlen(text), &out, &why))
        fail_msg("'%s' was accepted as %lld (dim %u)", text, (long long)out.amount, (unsigned)out.dim);
    assert_non_null(why);
    return why;
}

static void test_quantity_units_convert_exactly(void **state)
{
    (void)state;
    assert_int_equal(q("1 gram").amount, PICO);
    assert_int_equal(q("1 ounce").amount, 28349523125000LL); /* 28.349523125 g, by definition */
    assert_int_equal(q("1 pound").amount, 453592370000000LL);  /* 453.59237 g, by definition */
    assert_int_equal(q("1 milligram").amount, PICO / 1000);
    assert_int_equal(q("1 kilogram").amount, PICO * 1000);
    assert_int_equal(q("28.5 grams").amount, 28500000000000LL);
    assert_int_equal(q("1 ounce").dim, QUANTITY_MASS);
    /* the same weight written in different units is the same amount */
    assert_int_equal(quantity_compare(q("16 ounces"), q("1 pound")), 0);
    assert_int_equal(quantity_compare(q("1000 milligrams"), q("1 gram")), 0);
    assert_int_equal(quantity_compare(q("1 kilogram"), q("1000 grams")), 0);
    assert_int_equal(quantity_compare(q("2 ounces"), q("56.69904625 grams")), 0);
}

static void test_quantity_compares_at_the_boundary(void **state)
{
    (void)state;
    /* California's 28.5 grams against an ounce and its neighbours */
    assert_true(quantity_compare(q("1 ounce"), q("28.5 grams")) < 0);
    assert_true(quantity_compare(q("1.005 ounces"), q("28.5 grams")) < 0);  /* 28.4912707... g */
    assert_true(quantity_compare(q("1.006 ounces"), q("28.5 grams")) > 0);  /* 28.5196... g */
    /* one picogram apart: the last decimal a gram can be written with */
    assert_true(quantity_compare(q("28.500000000001 grams"), q("28.5 grams")) > 0);
    assert_int_equal(q("28.500000000001 grams").amount - q("28.5 grams").amount, 1);
    assert_int_equal(q("0.000000000001 grams").amount, 1);
}

static void test_quantity_refuses_what_cannot_be_held_exactly(void **state)
{
    (void)state;
    /* 13 decimals of a gram is below a picogram */
    assert_non_null(strstr(refused("0.0000000000001 grams"), "too many decimals"));
    /* 0.0001 ounce is 2834952312.5 picograms: not whole, refused; 0.0002 ounce is whole */
    assert_non_null(strstr(refused("1.0001 ounces"), "more decimals than can be held exactly"));
    assert_int_equal(q("1.0002 ounces").amount, 28349523125000LL + 5669904625LL);
    /* plants are whole */
    assert_non_null(strstr(refused("6.5 plants"), "whole numbers"));
}

static void test_quantity_refuses_amounts_too_large(void **state)
{
    (void)state;
    assert_non_null(strstr(refused("99999999999999 pounds"), "too large"));
    assert_non_null(strstr(refused("999999999999999999999 grams"), "too large"));
    /* the largest whole number of grams that fits in picograms is accepted */
    assert_int_equal(q("9223372 grams").amount, 9223372LL * PICO);
    assert_non_null(strstr(refused("9223373 grams"), "too large"));
}

static void test_quantity_plants(void **state)
{
    (void)state;
    struct quantity p = q("6 plants");
    assert_int_equal(p.amount, 6);
    assert_int_equal(p.dim, QUANTITY_PLANTS);
    assert_int_equal(q("1 plant").amount, 1);
    assert_int_equal(q("0 plants").amount, 0);
    assert_true(quantity_compare(q("7 plants"), q("6 plants")) > 0);
}

static void test_quantity_spelling(void **state)
{
    (void)state;
    assert_int_equal(q("6 Grams").amount, 6 * PICO); /* any case */
    assert_int_equal(q("  6 grams  ").amount, 6 * PICO);
    assert_int_equal(q("6\tgrams").amount, 6 * PICO);
    assert_int_equal(q("1 ounces").amount, q("1 ounce").amount); /* singular or plural */
    assert_non_null(strstr(refused("6grams"), "e.g. 28.5 grams"));  /* a space is needed */
    assert_non_null(strstr(refused("6 bananas"), "not one Lenity knows"));
    assert_non_null(refused(""));
    assert_non_null(refused("grams"));
    assert_non_null(refused("6. grams"));
    assert_non_null(refused(".5 grams"));
    assert_non_null(refused("-1 grams"));
    assert_non_null(refused("6"));
}

static void test_quantity_format(void **state)
{
    (void)state;
    char buf[64];
    quantity_format(q("28.5 grams"), buf, sizeof buf);
    assert_string_equal(buf, "28.5 grams");
    quantity_format(q("1 gram"), buf, sizeof buf);
    assert_string_equal(buf, "1 gram");
    quantity_format(q("1 ounce"), buf, sizeof buf);
    assert_string_equal(buf, "28.349523125 grams");
    quantity_format(q("0.000000000001 grams"), buf, sizeof buf);
    assert_string_equal(buf, "0.000000000001 grams");
    quantity_format(q("1 plant"), buf, sizeof buf);
    assert_string_equal(buf, "1 plant");
    quantity_format(q("6 plants"), buf, sizeof buf);
    assert_string_equal(buf, "6 plants");
    /* what is written reads back as the same amount */
    struct quantity w = q("1.234 pounds");
    size_t n = quantity_format(w, buf, sizeof buf);
    assert_true(n < sizeof buf);
    assert_int_equal(quantity_compare(q(buf), w), 0);
    /* a short buffer is cut, terminated, and the full length reported */
    char small[6];
    assert_int_equal(quantity_format(q("28.5 grams"), small, sizeof small), strlen("28.5 grams"));
    assert_string_equal(small, "28.5 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_units_convert_exactly),
        cmocka_unit_test(test_quantity_compares_at_the_boundary),
        cmocka_unit_test(test_quantity_refuses_what_cannot_be_held_exactly),
        cmocka_unit_test(test_quantity_refuses_amounts_too_large),
        cmocka_unit_test(test_quantity_plants),
        cmocka_unit_test(test_quantity_spelling),
        cmocka_unit_test(test_quantity_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
