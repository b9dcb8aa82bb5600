/*
 * test_date.c - unit tests for runtime/date.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;
    assert_true(date_from_ymd(y, m, d, &out));
    return out;
}

static struct duration dur(int32_t months, int32_t days)
{
    struct duration d = { months, days };
    return d;
}

static void assert_date(int32_t date, int y, int m, int d)
{
    int gy, gm, gd;
    date_to_ymd(date, &gy, &gm, &gd);
    assert_int_equal(gy, y);
    assert_int_equal(gm, m);
    assert_int_equal(gd, d);
}

/* Deterministic so a failure reproduces; rand() differs between libcs. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

static void test_date_epoch_is_day_zero(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1970, 1, 2), 1);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 3, 1), 11017);
    assert_int_equal(ymd(1800, 1, 1), -62091);
}

static void test_date_leap_years(void **state)
{
    (void)state;
    assert_false(date_is_leap_year(1900));
    assert_true(date_is_leap_year(2000));
    assert_true(date_is_leap_year(2016));
    assert_false(date_is_leap_year(2100));
    assert_false(date_is_leap_year(2017));
    assert_true(date_is_leap_year(2400));
    assert_false(date_is_leap_year(1800));
    assert_int_equal(date_days_in_month(1900, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2016, 2), 29);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_false(date_from_ymd(1900, 2, 29, NULL));
    assert_true(date_from_ymd(2000, 2, 29, NULL));
    assert_false(date_from_ymd(2100, 2, 29, NULL));
}

static void test_date_every_month_length(void **state)
{
    (void)state;
    static const int lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int m = 1; m <= 12; m++) {
        assert_int_equal(date_days_in_month(2017, m), lengths[m - 1]);
        assert_true(date_from_ymd(2017, m, lengths[m - 1], NULL));
        assert_false(date_from_ymd(2017, m, lengths[m - 1] + 1, NULL));
        /* The last day of a month is the day before the next month's first. */
        int32_t next = m == 12 ? ymd(2018, 1, 1) : ymd(2017, m + 1, 1);
        assert_int_equal(ymd(2017, m, lengths[m - 1]) + 1, next);
    }
    assert_int_equal(date_days_in_month(2017, 0), 0);
    assert_int_equal(date_days_in_month(2017, 13), 0);
    assert_false(date_from_ymd(2017, 1, 0, NULL));
    assert_false(date_from_ymd(2017, 0, 1, NULL));
    assert_false(date_from_ymd(2017, 13, 1, NULL));
}

static void test_date_year_range_enforced(void **state)
{
    (void)state;
    assert_true(date_from_ymd(DATE_MIN_YEAR, 1, 1, NULL));
    assert_true(date_from_ymd(DATE_MAX_YEAR, 12, 31, NULL));
    assert_false(date_from_ymd(DATE_MIN_YEAR - 1, 12, 31, NULL));
    assert_false(date_from_ymd(DATE_MAX_YEAR + 1, 1, 1, NULL));
}

static void test_date_round_trip_first_of_months(void **state)
{
    (void)state;
    int32_t expected = ymd(1800, 1, 1);
    for (int y = 1800; y <= 2200; y++) {
        for (int m = 1; m <= 12; m++) {
            int32_t d = ymd(y, m, 1);
            /* Consecutive first-of-months are exactly one month length apart. */
            assert_int_equal(d, expected);
            assert_date(d, y, m, 1);
            expected = d + date_days_in_month(y, m);
        }
    }
}

static void test_date_round_trip_every_day(void **state)
{
    (void)state;
    int32_t first = ymd(1800, 1, 1), last = ymd(2200, 12, 31);
    int py = 1799, pm = 12, pd = 31;
    for (int32_t d = first; d <= last; d++) {
        int y, m, dd;
        date_to_ymd(d, &y, &m, &dd);
        /* Each day follows the previous one on the calendar. */
        if (dd == 1) {
            assert_int_equal(pd, date_days_in_month(py, pm));
            assert_int_equal(m, pm == 12 ? 1 : pm + 1);
            assert_int_equal(y, pm == 12 ? py + 1 : py);
        } else {
            assert_int_equal(dd, pd + 1);
            assert_int_equal(m, pm);
            assert_int_equal(y, py);
        }
        int32_t back;
        assert_true(date_from_ymd(y, m, dd, &back));
        assert_int_equal(back, d);
        py = y;
        pm = m;
        pd = dd;
    }
}

static void test_date_round_trip_random_days(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    int32_t first = ymd(1800, 1, 1);
    int32_t span = ymd(2200, 12, 31) - first + 1;
    for (int i = 0; i < 20000; i++) {
        int32_t d = first + (int32_t)(next_random(&seed) % (uint32_t)span);
        int y, m, dd;
        date_to_ymd(d, &y, &m, &dd);
        assert_int_equal(ymd(y, m, dd), d);
        char buf[11];
        assert_int_equal(date_format_iso(d, buf), 10);
        int32_t parsed;
        assert_true(date_parse_iso(buf, 10, &parsed));
        assert_int_equal(parsed, d);
    }
}

static void test_date_to_ymd_extremes_do_not_crash(void **state)
{
    (void)state;
    int y, m, d;
    date_to_ymd(INT32_MAX, &y, &m, &d);
    assert_true(y > 5000000);
    assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    date_to_ymd(INT32_MIN, &y, &m, &d);
    assert_true(y < -5000000);
    assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    assert_date(-719528, 0, 1, 1);
}

static void test_date_parse_iso_accepts(void **state)
{
    (void)state;
    int32_t d;
    assert_true(date_parse_iso("2016-11-09", 10, &d));
    assert_int_equal(d, ymd(2016, 11, 9));
    assert_true(date_parse_iso("2016-02-29", 10, &d));
    assert_int_equal(d, ymd(2016, 2, 29));
    /* Only `len` bytes are looked at. */
    assert_true(date_parse_iso("1999-12-31trailing", 10, &d));
    assert_int_equal(d, ymd(1999, 12, 31));
}

static void test_date_parse_iso_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2016-02-30", "2016-13-01", "2016-1-01", "2016-00-10", "2016-01-00",
        "2016-02-29x", "", "2016/02/28", "20160228", " 2016-02-28", "2016-02-2 ",
        "+016-02-28", "1799-12-31", "2201-01-01", "2017-02-29", "2016-02-28 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t d = 77;
        assert_false(date_parse_iso(bad[i], strlen(bad[i]), &d));
        assert_int_equal(d, 77);
    }
    assert_false(date_parse_iso(NULL, 0, NULL));
    assert_false(date_parse_iso("2016-02-28", 9, NULL));
}

static void test_date_parse_compact(void **state)
{
    (void)state;
    int32_t d;
    assert_true(date_parse_compact("20161109", 8, &d));
    assert_int_equal(d, ymd(2016, 11, 9));
    static const char *const bad[] = {
        "20160230", "00000000", "", "2016022", "201602290", "2016-2-1", "2016022a",
        "17991231", "22010101", "20161301", "20160100", " 2016022",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(date_parse_compact(bad[i], strlen(bad[i]), &d));
    assert_false(date_parse_compact(NULL, 0, &d));
}

static void test_date_format_iso(void **state)
{
    (void)state;
    char buf[11];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(date_format_iso(ymd(2016, 2, 29), buf), 10);
    assert_string_equal(buf, "2016-02-29");
    date_format_iso(ymd(1800, 1, 1), buf);
    assert_string_equal(buf, "1800-01-01");
    /* Dates beyond four-digit years are clamped rather than overrun buf. */
    date_format_iso(INT32_MAX, buf);
    assert_string_equal(buf, "9999-12-31");
    date_format_iso(INT32_MIN, buf);
    assert_string_equal(buf, "0000-01-01");
}

static void test_date_add_leap_day_one_year(void **state)
{
    (void)state;
    int32_t leap = ymd(2016, 2, 29);
    assert_int_equal(date_add(leap, dur(12, 0), DATE_ROUND_DOWN), ymd(2017, 2, 28));
    assert_int_equal(date_add(leap, dur(12, 0), DATE_ROUND_UP), ymd(2017, 3, 1));
}

static void test_date_add_leap_day_four_years(void **state)
{
    (void)state;
    int32_t leap = ymd(2016, 2, 29);
    assert_int_equal(date_add(leap, dur(48, 0), DATE_ROUND_DOWN), ymd(2020, 2, 29));
    assert_int_equal(date_add(leap, dur(48, 0), DATE_ROUND_UP), ymd(2020, 2, 29));
    /* 2096 + 4 = 2100 is not a leap year. */
    assert_int_equal(date_add(ymd(2096, 2, 29), dur(48, 0), DATE_ROUND_DOWN), ymd(2100, 2, 28));
    assert_int_equal(date_add(ymd(2096, 2, 29), dur(48, 0), DATE_ROUND_UP), ymd(2100, 3, 1));
}

static void test_date_add_month_end(void **state)
{
    (void)state;
    assert_int_equal(date_add(ymd(2021, 1, 31), dur(1, 0), DATE_ROUND_DOWN), ymd(2021, 2, 28));
    assert_int_equal(date_add(ymd(2021, 1, 31), dur(1, 0), DATE_ROUND_UP), ymd(2021, 3, 1));
    assert_int_equal(date_add(ymd(2020, 1, 31), dur(1, 0), DATE_ROUND_DOWN), ymd(2020, 2, 29));
    assert_int_equal(date_add(ymd(2020, 1, 31), dur(1, 0), DATE_ROUND_UP), ymd(2020, 3, 1));
    assert_int_equal(date_add(ymd(2021, 3, 31), dur(1, 0), DATE_ROUND_DOWN), ymd(2021, 4, 30));
    assert_int_equal(date_add(ymd(2021, 3, 31), dur(1, 0), DATE_ROUND_UP), ymd(2021, 5, 1));
    /* A day that exists in the target month is kept under both rules. */
    assert_int_equal(date_add(ymd(2021, 1, 28), dur(1, 0), DATE_ROUND_UP), ymd(2021, 2, 28));
}

static void test_date_add_crosses_years_and_adds_days(void **state)
{
    (void)state;
    assert_int_equal(date_add(ymd(2020, 11, 15), dur(3, 0), DATE_ROUND_DOWN), ymd(2021, 2, 15));
    assert_int_equal(date_add(ymd(2016, 11, 9), dur(120, 0), DATE_ROUND_DOWN), ymd(2026, 11, 9));
    /* Months first, then days. */
    assert_int_equal(date_add(ymd(2021, 1, 31), dur(1, 1), DATE_ROUND_DOWN), ymd(2021, 3, 1));
    assert_int_equal(date_add(ymd(2021, 1, 31), dur(1, 1), DATE_ROUND_UP), ymd(2021, 3, 2));
    assert_int_equal(date_add(ymd(2016, 12, 31), dur(0, 1), DATE_ROUND_DOWN), ymd(2017, 1, 1));
    assert_int_equal(date_add(ymd(2016, 1, 1), dur(0, 366), DATE_ROUND_DOWN), ymd(2017, 1, 1));
    assert_int_equal(date_add(ymd(2016, 5, 1), dur(-4, 0), DATE_ROUND_DOWN), ymd(2016, 1, 1));
}

static void test_date_sub_month_end(void **state)
{
    (void)state;
    assert_int_equal(date_sub(ymd(2016, 3, 31), dur(1, 0), DATE_ROUND_DOWN), ymd(2016, 2, 29));
    assert_int_equal(date_sub(ymd(2016, 3, 31), dur(1, 0), DATE_ROUND_UP), ymd(2016, 3, 1));
    assert_int_equal(date_sub(ymd(2017, 3, 31), dur(1, 0), DATE_ROUND_DOWN), ymd(2017, 2, 28));
    assert_int_equal(date_sub(ymd(2017, 1, 15), dur(1, 0), DATE_ROUND_DOWN), ymd(2016, 12, 15));
    assert_int_equal(date_sub(ymd(2016, 11, 9), dur(120, 0), DATE_ROUND_DOWN), ymd(2006, 11, 9));
    /* Months first, then days. */
    assert_int_equal(date_sub(ymd(2016, 3, 31), dur(1, 1), DATE_ROUND_DOWN), ymd(2016, 2, 28));
    assert_int_equal(date_sub(ymd(2017, 1, 1), dur(0, 1), DATE_ROUND_DOWN), ymd(2016, 12, 31));
}

static void test_date_add_saturates(void **state)
{
    (void)state;
    assert_int_equal(date_add(INT32_MAX, dur(INT32_MAX, INT32_MAX), DATE_ROUND_DOWN), INT32_MAX);
    assert_int_equal(date_add(INT32_MIN, dur(INT32_MIN, INT32_MIN), DATE_ROUND_UP), INT32_MIN);
    assert_int_equal(date_sub(INT32_MIN, dur(INT32_MAX, INT32_MAX), DATE_ROUND_DOWN), INT32_MIN);
    assert_int_equal(date_sub(INT32_MAX, dur(INT32_MIN, INT32_MIN), DATE_ROUND_DOWN), INT32_MAX);
    assert_int_equal(date_add(0, dur(0, INT32_MAX), DATE_ROUND_DOWN), INT32_MAX);
}

static void test_date_years_between_birthdays(void **state)
{
    (void)state;
    int32_t born = ymd(1990, 6, 15);
    assert_int_equal(date_years_between(born, ymd(2008, 6, 14), DATE_ROUND_DOWN), 17);
    assert_int_equal(date_years_between(born, ymd(2008, 6, 15), DATE_ROUND_DOWN), 18);
    assert_int_equal(date_years_between(born, ymd(2008, 6, 16), DATE_ROUND_DOWN), 18);
    assert_int_equal(date_years_between(born, ymd(2009, 6, 14), DATE_ROUND_UP), 18);
    assert_int_equal(date_years_between(born, born, DATE_ROUND_DOWN), 0);
    assert_int_equal(date_years_between(born, born + 1, DATE_ROUND_DOWN), 0);
}

static void test_date_years_between_leap_day_birthday(void **state)
{
    (void)state;
    int32_t born = ymd(2000, 2, 29);
    assert_int_equal(date_years_between(born, ymd(2018, 2, 27), DATE_ROUND_DOWN), 17);
    assert_int_equal(date_years_between(born, ymd(2018, 2, 28), DATE_ROUND_DOWN), 18);
    assert_int_equal(date_years_between(born, ymd(2018, 2, 28), DATE_ROUND_UP), 17);
    assert_int_equal(date_years_between(born, ymd(2018, 3, 1), DATE_ROUND_UP), 18);
    /* In a leap year the birthday exists under both rules. */
    assert_int_equal(date_years_between(born, ymd(2016, 2, 28), DATE_ROUND_DOWN), 15);
    assert_int_equal(date_years_between(born, ymd(2016, 2, 29), DATE_ROUND_UP), 16);
}

static void test_date_years_between_negative_is_floor(void **state)
{
    (void)state;
    int32_t from = ymd(2000, 6, 15);
    assert_int_equal(date_years_between(from, ymd(2000, 6, 14), DATE_ROUND_DOWN), -1);
    assert_int_equal(date_years_between(from, ymd(1999, 6, 15), DATE_ROUND_DOWN), -1);
    assert_int_equal(date_years_between(from, ymd(1999, 6, 14), DATE_ROUND_DOWN), -2);
    assert_int_equal(date_years_between(from, ymd(1990, 6, 15), DATE_ROUND_DOWN), -10);
    /* The defining property: from + n years <= to < from + (n + 1) years. */
    uint32_t seed = 99;
    int32_t first = ymd(1800, 1, 1);
    int32_t span = ymd(2200, 12, 31) - first + 1;
    for (int i = 0; i < 5000; i++) {
        int32_t a = first + (int32_t)(next_random(&seed) % (uint32_t)span);
        int32_t b = first + (int32_t)(next_random(&seed) % (uint32_t)span);
        enum date_month_end rule = (i & 1) ? DATE_ROUND_UP : DATE_ROUND_DOWN;
        int32_t n = date_years_between(a, b, rule);
        assert_true(date_add(a, dur(12 * n, 0), rule) <= b);
        assert_true(date_add(a, dur(12 * (n + 1), 0), rule) > b);
    }
}

static void test_date_years_between_extremes(void **state)
{
    (void)state;
    int32_t n = date_years_between(INT32_MIN, INT32_MAX, DATE_ROUND_DOWN);
    assert_true(n > 11000000 && n < 12000000);
    int32_t back = date_years_between(INT32_MAX, INT32_MIN, DATE_ROUND_UP);
    assert_true(back <= -n && back >= -n - 1);
    assert_int_equal(date_years_between(INT32_MAX, INT32_MAX, DATE_ROUND_UP), 0);
}

static void test_date_duration_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int32_t months, days;
    } good[] = {
        { "10 years", 120, 0 },
        { "1 year", 12, 0 },
        { "6 months", 6, 0 },
        { "30 days", 0, 30 },
        { "2 years 6 months", 30, 0 },
        { "1 year 3 months 10 days", 15, 10 },
        { "1 YEAR  3\tMonths 10 DaYs", 15, 10 },
        { "0 days", 0, 0 },
        { "9999 years 11 months 9999 days", 9999 * 12 + 11, 9999 },
        { "2 years 5 days", 24, 5 },
        { "1 month", 1, 0 },
        { "1 day", 0, 1 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct duration d = { -1, -1 };
        assert_true(duration_parse(good[i].text, strlen(good[i].text), &d));
        assert_int_equal(d.months, good[i].months);
        assert_int_equal(d.days, good[i].days);
    }
}

static void test_date_duration_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "9999 years 12 months", /* would be written back as 10000 years, which does not parse */
        "", "years", "10", "10years", "10 years ", " 10 years", "10 years 2 years",
        "6 months 1 year", "10 days 1 month", "10000 days", "-1 days", "1.5 years",
        "10 weeks", "10 years,", "10 years and 6 months", "1 year 6", "1 yr", "x 1 year",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct duration d = { 42, 42 };
        assert_false(duration_parse(bad[i], strlen(bad[i]), &d));
        assert_int_equal(d.months, 42);
    }
    assert_false(duration_parse(NULL, 0, NULL));
    /* Only `len` bytes count: a truncated unit is refused. */
    assert_false(duration_parse("10 years", 6, NULL));
}

static void test_date_duration_format(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(duration_format(dur(30, 0), buf, sizeof buf), strlen("2 years 6 months"));
    assert_string_equal(buf, "2 years 6 months");
    duration_format(dur(0, 0), buf, sizeof buf);
    assert_string_equal(buf, "0 days");
    duration_format(dur(12, 0), buf, sizeof buf);
    assert_string_equal(buf, "1 year");
    duration_format(dur(13, 1), buf, sizeof buf);
    assert_string_equal(buf, "1 year 1 month 1 day");
    duration_format(dur(120, 30), buf, sizeof buf);
    assert_string_equal(buf, "10 years 30 days");
    duration_format(dur(6, 0), buf, sizeof buf);
    assert_string_equal(buf, "6 months");
    duration_format(dur(-30, 0), buf, sizeof buf);
    assert_string_equal(buf, "-2 years -6 months");
    duration_format(dur(INT32_MIN, INT32_MIN), buf, sizeof buf);
    assert_string_equal(buf, "-178956970 years -8 months -2147483648 days");
}

static void test_date_duration_format_truncates(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(duration_format(dur(30, 0), buf, sizeof buf), 16);
    assert_string_equal(buf, "2 years");
    assert_int_equal(duration_format(dur(30, 0), NULL, 0), 16);
}

static void test_date_duration_format_parse_round_trip(void **state)
{
    (void)state;
    char buf[64];
    for (int32_t m = 0; m < 40; m++) {
        for (int32_t d = 0; d < 40; d += 3) {
            size_t n = duration_format(dur(m, d), buf, sizeof buf);
            struct duration back;
            assert_true(duration_parse(buf, n, &back));
            assert_int_equal(back.months, m);
            assert_int_equal(back.days, d);
        }
    }
}

static void test_date_duration_compare(void **state)
{
    (void)state;
    /* Anchored at 1970-01-01, and January has 31 days. */
    assert_int_equal(duration_compare(dur(1, 0), dur(0, 31)), 0);
    assert_true(duration_compare(dur(1, 0), dur(0, 32)) < 0);
    assert_true(duration_compare(dur(1, 0), dur(0, 30)) > 0);
    assert_int_equal(duration_compare(dur(12, 0), dur(12, 0)), 0);
    assert_true(duration_compare(dur(18, 0), dur(12, 0)) > 0);
    assert_true(duration_compare(dur(12, 0), dur(18, 0)) < 0);
    /* 1970 is not a leap year; 1972 is. */
    assert_int_equal(duration_compare(dur(12, 0), dur(0, 365)), 0);
    assert_int_equal(duration_compare(dur(36, 0), dur(0, 365 * 3 + 1)), 0);
    assert_true(duration_compare(dur(0, 180), dur(6, 0)) < 0);
    assert_int_equal(duration_compare(dur(0, 181), dur(6, 0)), 0);
    assert_true(duration_compare(dur(INT32_MAX, INT32_MAX), dur(INT32_MAX, INT32_MAX - 1)) > 0);
    assert_true(duration_compare(dur(INT32_MIN, 0), dur(INT32_MIN + 1, 0)) < 0);
}

static void test_date_duration_compare_parsed(void **state)
{
    (void)state;
    struct duration a, b;
    assert_true(duration_parse("12 months", 9, &a));
    assert_true(duration_parse("1 year", 6, &b));
    assert_int_equal(duration_compare(a, b), 0);
    assert_true(duration_parse("1 year 6 months", 15, &a));
    assert_true(duration_compare(a, b) > 0);
    assert_true(duration_compare(b, a) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_epoch_is_day_zero),
        cmocka_unit_test(test_date_leap_years),
        cmocka_unit_test(test_date_every_month_length),
        cmocka_unit_test(test_date_year_range_enforced),
        cmocka_unit_test(test_date_round_trip_first_of_months),
        cmocka_unit_test(test_date_round_trip_every_day),
        cmocka_unit_test(test_date_round_trip_random_days),
        cmocka_unit_test(test_date_to_ymd_extremes_do_not_crash),
        cmocka_unit_test(test_date_parse_iso_accepts),
        cmocka_unit_test(test_date_parse_iso_rejects),
        cmocka_unit_test(test_date_parse_compact),
        cmocka_unit_test(test_date_format_iso),
        cmocka_unit_test(test_date_add_leap_day_one_year),
        cmocka_unit_test(test_date_add_leap_day_four_years),
        cmocka_unit_test(test_date_add_month_end),
        cmocka_unit_test(test_date_add_crosses_years_and_adds_days),
        cmocka_unit_test(test_date_sub_month_end),
        cmocka_unit_test(test_date_add_saturates),
        cmocka_unit_test(test_date_years_between_birthdays),
        cmocka_unit_test(test_date_years_between_leap_day_birthday),
        cmocka_unit_test(test_date_years_between_negative_is_floor),
        cmocka_unit_test(test_date_years_between_extremes),
        cmocka_unit_test(test_date_duration_parse),
        cmocka_unit_test(test_date_duration_parse_rejects),
        cmocka_unit_test(test_date_duration_format),
        cmocka_unit_test(test_date_duration_format_truncates),
        cmocka_unit_test(test_date_duration_format_parse_round_trip),
        cmocka_unit_test(test_date_duration_compare),
        cmocka_unit_test(test_date_duration_compare_parsed),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
