/*
 * date.c - calendar arithmetic for date.h.
 *
 * All internal arithmetic is done in int64_t on an unbounded proleptic
 * Gregorian calendar, and only the public results are saturated to the
 * int32_t range.  That way no input, however extreme, can overflow: a date
 * is at most about 5.9 million years from 1970 and a duration at most about
 * 179 million years, both far inside what int64_t holds after multiplying
 * by 366.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

/*
 * The conversions count years from 1 March, so that the leap day is the
 * last day of its year and the month lengths before it follow a fixed
 * pattern.  DAYS_0000_03_01_TO_EPOCH is the number of days from
 * 0000-03-01 to 1970-01-01 in that count.
 */
#define DAYS_PER_400_YEARS 146097
#define DAYS_0000_03_01_TO_EPOCH 719468

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool leap64(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

static int days_in_month64(int64_t year, int64_t month)
{
    static const int lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && leap64(year))
        return 29;
    return lengths[month - 1];
}

/* Assumes month is 1..12; day may exceed the month (callers clamp first). */
static int64_t days_from_civil(int64_t year, int64_t month, int64_t day)
{
    /* January and February belong to the previous March-based year. */
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t shifted = month <= 2 ? month + 9 : month - 3; /* March = 0 */
    int64_t era = floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                   /* 0..399 */
    /* (153 m + 2) / 5 reproduces the running total 0, 31, 61, 92, ... of
     * the month lengths 31 30 31 30 31 31 30 31 30 31 31 from March. */
    int64_t day_of_year = (153 * shifted + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * DAYS_PER_400_YEARS + day_of_era - DAYS_0000_03_01_TO_EPOCH;
}

static void civil_from_days(int64_t days, int64_t *year, int64_t *month, int64_t *day)
{
    int64_t z = days + DAYS_0000_03_01_TO_EPOCH;
    int64_t era = floor_div(z, DAYS_PER_400_YEARS);
    int64_t day_of_era = z - era * DAYS_PER_400_YEARS;     /* 0..146096 */
    /* Remove the leap days that precede day_of_era (one every 1460 days,
     * none every 36524, one again at the era's final day) so that what is
     * left divides evenly into 365-day years. */
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / (DAYS_PER_400_YEARS - 1)) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted = (5 * day_of_year + 2) / 153;         /* March = 0 */
    int64_t m = shifted < 10 ? shifted + 3 : shifted - 9;
    *day = day_of_year - (153 * shifted + 2) / 5 + 1;
    *month = m;
    *year = year_of_era + era * 400 + (m <= 2 ? 1 : 0);
}

static int32_t saturate32(int64_t v)
{
    if (v > INT32_MAX)
        return INT32_MAX;
    if (v < INT32_MIN)
        return INT32_MIN;
    return (int32_t)v;
}

/*
 * Adding whole months keeps the day of the month where it can; when the
 * target month is too short the rule picks its last day or the next
 * month's first.  The result is strictly increasing in `months`, which
 * date_years_between relies on.
 */
static int64_t add_months(int64_t date, int64_t months, enum date_month_end rule)
{
    int64_t y, m, d;
    civil_from_days(date, &y, &m, &d);
    int64_t index = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(index, 12);
    int64_t nm = index - ny * 12 + 1;
    int dim = days_in_month64(ny, nm);
    if (d <= dim)
        return days_from_civil(ny, nm, d);
    if (rule == DATE_ROUND_UP)
        return days_from_civil(ny, nm, dim) + 1;
    return days_from_civil(ny, nm, dim);
}

bool date_is_leap_year(int year)
{
    return leap64(year);
}

int date_days_in_month(int year, int month)
{
    return days_in_month64(year, month);
}

/* Years outside DATE_MIN_YEAR..DATE_MAX_YEAR are refused here too, so a
 * date built from parts is held to the same plausibility as a parsed one. */
bool date_from_ymd(int year, int month, int day, int32_t *out)
{
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month64(year, month))
        return false;
    if (out)
        *out = (int32_t)days_from_civil(year, month, day);
    return true;
}

void date_to_ymd(int32_t date, int *year, int *month, int *day)
{
    int64_t y, m, d;
    civil_from_days(date, &y, &m, &d);
    if (year)
        *year = (int)y;
    if (month)
        *month = (int)m;
    if (day)
        *day = (int)d;
}

static bool read_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool date_parse_iso(const char *text, size_t len, int32_t *out)
{
    int y, m, d;
    if (text == NULL || len != 10 || text[4] != '-' || text[7] != '-')
        return false;
    if (!read_digits(text, 4, &y) || !read_digits(text + 5, 2, &m) || !read_digits(text + 8, 2, &d))
        return false;
    return date_from_ymd(y, m, d, out);
}

bool date_parse_compact(const char *text, size_t len, int32_t *out)
{
    int y, m, d;
    if (text == NULL || len != 8)
        return false;
    if (!read_digits(text, 4, &y) || !read_digits(text + 4, 2, &m) || !read_digits(text + 6, 2, &d))
        return false;
    return date_from_ymd(y, m, d, out);
}

static void put_digits(char *buf, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        buf[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * Only years 0000..9999 fit the ten-character form, so a date outside them
 * (reachable only through absurd durations) is shown as the nearest one
 * that fits rather than overrunning the caller's 11 bytes.
 */
size_t date_format_iso(int32_t date, char *buf)
{
    static const int64_t first = -719528; /* 0000-01-01 */
    static const int64_t last = 2932896;  /* 9999-12-31 */
    int64_t y, m, d;
    int64_t clamped = date < first ? first : date > last ? last : date;
    civil_from_days(clamped, &y, &m, &d);
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, d, 2);
    buf[10] = '\0';
    return 10;
}

int32_t date_add(int32_t date, struct duration d, enum date_month_end rule)
{
    return saturate32(add_months(date, d.months, rule) + d.days);
}

int32_t date_sub(int32_t date, struct duration d, enum date_month_end rule)
{
    return saturate32(add_months(date, -(int64_t)d.months, rule) - (int64_t)d.days);
}

/*
 * The answer is a floor, in both directions: the largest n (negative
 * allowed) with add_months(from, 12 n) <= to.  So one day before `from`
 * gives -1, not 0, and years_between(a, b) is not simply
 * -years_between(b, a); that keeps "at least n years from X to Y" a
 * single comparison whichever way round the dates are.  The search runs
 * on the unsaturated calendar, so it neither loops nor overflows near
 * INT32_MIN/INT32_MAX, and the result (at most about 11.8 million in
 * magnitude) always fits in int32_t.
 */
int32_t date_years_between(int32_t from, int32_t to, enum date_month_end rule)
{
    int64_t fy, fm, fd, ty, tm, td;
    civil_from_days(from, &fy, &fm, &fd);
    civil_from_days(to, &ty, &tm, &td);
    /* from + (ty - fy) years lands in year ty, so at most one step either
     * way corrects the guess. */
    int64_t n = ty - fy;
    while (add_months(from, 12 * n, rule) > to)
        n--;
    while (add_months(from, 12 * (n + 1), rule) <= to)
        n++;
    return saturate32(n);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool word_is(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word);
    if (n != wl)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower_ascii(s[i]) != word[i])
            return false;
    return true;
}

/* 0 = years, 1 = months, 2 = days, -1 = not a unit.  Singular and plural
 * are both accepted whatever the number, since "2 year" is unambiguous. */
static int unit_of(const char *s, size_t n)
{
    if (word_is(s, n, "year") || word_is(s, n, "years"))
        return 0;
    if (word_is(s, n, "month") || word_is(s, n, "months"))
        return 1;
    if (word_is(s, n, "day") || word_is(s, n, "days"))
        return 2;
    return -1;
}

/*
 * Leading or trailing blanks are refused like any other stray text: the
 * caller hands over exactly the duration's characters.  At most four
 * digits per number keeps the total far from overflow (9999 years is
 * 119988 months).
 */
bool duration_parse(const char *text, size_t len, struct duration *out)
{
    int32_t months = 0, days = 0;
    int next_unit = 0;
    size_t i = 0;
    if (text == NULL || len == 0)
        return false;
    while (i < len) {
        if (i > 0) {
            if (!is_blank(text[i]))
                return false;
            while (i < len && is_blank(text[i]))
                i++;
        }
        size_t start = i;
        int32_t value = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (i - start == 4)
                return false;
            value = value * 10 + (text[i] - '0');
            i++;
        }
        if (i == start || i == len || !is_blank(text[i]))
            return false;
        while (i < len && is_blank(text[i]))
            i++;
        start = i;
        while (i < len && !is_blank(text[i]))
            i++;
        int unit = unit_of(text + start, i - start);
        if (unit < next_unit)
            return false;
        next_unit = unit + 1;
        if (unit == 0)
            months += value * 12;
        else if (unit == 1)
            months += value;
        else
            days = value;
    }
    /* "9999 years 12 months" would be written back as "10000 years", which this parser refuses. */
    if (months > 9999 * 12 + 11)
        return false;
    if (out) {
        out->months = months;
        out->days = days;
    }
    return true;
}

static size_t append_part(char *tmp, size_t at, size_t cap, int32_t n, const char *unit)
{
    int w = snprintf(tmp + at, cap - at, "%s%ld %s%s", at > 0 ? " " : "", (long)n, unit,
                     (n == 1 || n == -1) ? "" : "s");
    return w < 0 ? at : at + (size_t)w;
}

/*
 * Like snprintf: returns the full length even when `size` is too small,
 * and always NUL-terminates when size > 0.  Negative parts, which the
 * parser never produces, are written with their sign ("-2 years -6 months").
 */
size_t duration_format(struct duration d, char *buf, size_t size)
{
    /* Worst case "-178956970 years -8 months -2147483648 days" is 43 bytes. */
    char tmp[64];
    size_t n = 0;
    int32_t years = d.months / 12;
    int32_t months = d.months % 12;
    if (years != 0)
        n = append_part(tmp, n, sizeof tmp, years, "year");
    if (months != 0)
        n = append_part(tmp, n, sizeof tmp, months, "month");
    if (d.days != 0 || n == 0)
        n = append_part(tmp, n, sizeof tmp, d.days, "day");
    if (buf != NULL && size > 0) {
        size_t copy = n < size - 1 ? n : size - 1;
        memcpy(buf, tmp, copy);
        buf[copy] = '\0';
    }
    return n;
}

/*
 * Anchored at 1970-01-01 with DATE_ROUND_DOWN.  January has 31 days, so
 * at this anchor "1 month" lands on the same day as "31 days" and the two
 * compare equal; "1 month" is more than "30 days" and less than "32 days".
 */
int duration_compare(struct duration a, struct duration b)
{
    int64_t la = add_months(0, a.months, DATE_ROUND_DOWN) + a.days;
    int64_t lb = add_months(0, b.months, DATE_ROUND_DOWN) + b.days;
    return (la > lb) - (la < lb);
}
