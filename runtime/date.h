/*
 * date.h - calendar dates and durations, exact to the day.
 *
 * A date is a count of days since 1970-01-01 in the proleptic Gregorian
 * calendar, so that comparing two dates is comparing two integers.
 * A duration is kept as whole months plus days ("10 years" is 120 months),
 * because "10 years after 2016-02-29" is a calendar question, not a count
 * of days.  When adding months lands on a day that does not exist
 * (2016-02-29 + 1 year, 2021-01-31 + 1 month) the month-end rule decides:
 * DATE_ROUND_DOWN gives the last day of the month (2017-02-28), Lenity's
 * default; DATE_ROUND_UP gives the first day of the next month (2017-03-01).
 */
#ifndef LENITY_DATE_H
#define LENITY_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Years Lenity accepts; outside this range a date is rejected as implausible. */
#define DATE_MIN_YEAR 1800
#define DATE_MAX_YEAR 2200

enum date_month_end {
    DATE_ROUND_DOWN = 0, /* last day of the shorter month (default) */
    DATE_ROUND_UP = 1    /* first day of the following month */
};

struct duration {
    int32_t months;
    int32_t days;
};

/* Build a date from year, month (1-12), day; false if the day does not exist. */
bool date_from_ymd(int year, int month, int day, int32_t *out);
void date_to_ymd(int32_t date, int *year, int *month, int *day);
bool date_is_leap_year(int year);
int date_days_in_month(int year, int month);

/* "2016-11-09" exactly (10 characters). */
bool date_parse_iso(const char *text, size_t len, int32_t *out);
/* "20161109" exactly (8 characters), the DOJ export's format. */
bool date_parse_compact(const char *text, size_t len, int32_t *out);
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes); returns 10. */
size_t date_format_iso(int32_t date, char *buf);

/* date + months, then + days, with the month-end rule above. */
int32_t date_add(int32_t date, struct duration d, enum date_month_end rule);
/* date - duration: months first, then days, each subtracted. */
int32_t date_sub(int32_t date, struct duration d, enum date_month_end rule);

/*
 * Whole years from `from` to `to`: the largest n with from + n years <= to
 * (negative when `to` is before `from`).  A person born on 29 February
 * turns a year older on the day the month-end rule gives.
 */
int32_t date_years_between(int32_t from, int32_t to, enum date_month_end rule);

/*
 * "10 years", "6 months", "30 days", "1 year", "2 years 6 months",
 * "1 year 3 months 10 days" (units in that order, singular or plural).
 * Case-insensitive; single spaces or more between tokens.
 */
bool duration_parse(const char *text, size_t len, struct duration *out);
/* Writes e.g. "2 years 6 months" (or "0 days"); returns the length. */
size_t duration_format(struct duration d, char *buf, size_t size);
/*
 * Orders two durations by where they land when added to 1970-01-01
 * (a fixed, documented anchor: "1 month" equals "31 days", is more than
 * "30 days" and less than "32 days").
 * Returns <0, 0, >0.
 */
int duration_compare(struct duration a, struct duration b);

#endif
