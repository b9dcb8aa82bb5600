/*
 * fuzz_literals.c - fuzz target: bytes -> the literal parsers that read
 * record cells, policy literals and --set values: date_parse_iso,
 * date_parse_compact, duration_parse, citation_parse.
 *
 * The whole input goes to each parser, then each of its lines.  Besides
 * not crashing or reading past the given length, what a parser accepts
 * must round-trip:
 *   - an ISO date formats back to exactly the same ten characters, and a
 *     compact date to the same eight digits with the dashes added;
 *   - a duration formats to text that parses back to the same duration
 *     (and formatting into any smaller buffer writes only a prefix);
 *   - a citation's canonical text parses back to the same citation, which
 *     covers itself and is covered by each of its levels.
 * Dates and durations also go through the date arithmetic, and every
 * value through value_format, for the sanitizers to watch.
 * A broken property aborts, naming the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citation.h"
#include "date.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text, size_t len)
{
    fprintf(stderr, "fuzz_literals: %s: input \"", what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, "\" (%zu bytes)\n", len);
    abort();
}

/* value_format into buffers of every size up to the full text, each exactly that large. */
static void check_value_format(const struct value *v, const char *text, size_t len)
{
    char full[256];
    size_t n = value_format(v, full, sizeof full);
    if (n >= sizeof full || strlen(full) != n)
        fail("value_format gave a length that is not the text's", text, len);
    for (size_t size = 0; size <= n + 1; size++) {
        char *buf = malloc(size); /* exactly size bytes, even 0: ASan sees any write past them */
        if (!buf)
            return;
        size_t m = value_format(v, buf, size);
        if (m != n || (size > 0 && (strlen(buf) >= size || strncmp(buf, full, strlen(buf)) != 0)))
            fail("value_format into a small buffer is not a prefix of the full text", text, len);
        free(buf);
    }
}

static void check_date(int32_t date, const char *text, size_t len)
{
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    int32_t again;
    if (!date_from_ymd(y, m, d, &again) || again != date)
        fail("date_to_ymd/date_from_ymd do not round-trip a parsed date", text, len);
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR)
        fail("a date outside DATE_MIN_YEAR..DATE_MAX_YEAR was accepted", text, len);
    struct value v = {.type = TYPE_DATE, .as.date = date};
    check_value_format(&v, text, len);
    /* one year each way, as the rules' "within 10 years" arithmetic does */
    struct duration year = {12, 0};
    for (int rule = DATE_ROUND_DOWN; rule <= DATE_ROUND_UP; rule++) {
        int32_t later = date_add(date, year, (enum date_month_end)rule);
        int32_t earlier = date_sub(date, year, (enum date_month_end)rule);
        if (!(earlier < date && date < later))
            fail("adding or subtracting a year does not move the date", text, len);
        /* from + 1 year is reached, from + 2 years (strictly later) is not */
        if (date_years_between(date, later, (enum date_month_end)rule) != 1)
            fail("a year after a date is not one whole year later", text, len);
        if (date_years_between(later, date, (enum date_month_end)rule) > -1)
            fail("a year before a date is not a negative number of years", text, len);
    }
}

static void check_iso(const char *text, size_t len)
{
    int32_t date;
    if (!date_parse_iso(text, len, &date))
        return;
    char buf[11];
    if (date_format_iso(date, buf) != 10 || len != 10 || memcmp(buf, text, 10) != 0)
        fail("a parsed ISO date does not format back to the same text", text, len);
    check_date(date, text, len);
}

static void check_compact(const char *text, size_t len)
{
    int32_t date;
    if (!date_parse_compact(text, len, &date))
        return;
    char buf[11];
    date_format_iso(date, buf);
    char digits[8];
    memcpy(digits, buf, 4);
    memcpy(digits + 4, buf + 5, 2);
    memcpy(digits + 6, buf + 8, 2);
    if (len != 8 || memcmp(digits, text, 8) != 0)
        fail("a parsed compact date does not format back to the same digits", text, len);
    check_date(date, text, len);
}

static void check_duration(const char *text, size_t len)
{
    struct duration d;
    if (!duration_parse(text, len, &d))
        return;
    if (d.months < 0 || d.days < 0)
        fail("a parsed duration is negative", text, len);
    char full[64];
    size_t n = duration_format(d, full, sizeof full);
    if (n == 0 || n >= sizeof full || strlen(full) != n)
        fail("duration_format gave a length that is not the text's", text, len);
    struct duration again;
    if (!duration_parse(full, n, &again))
        fail("a parsed duration formats to text that does not parse", text, len);
    if (again.months != d.months || again.days != d.days)
        fail("a parsed duration formats to text that parses to another duration", text, len);
    if (duration_compare(d, again) != 0)
        fail("a duration does not compare equal to itself", text, len);
    for (size_t size = 0; size <= n + 1; size++) {
        char *buf = malloc(size);
        if (!buf)
            return;
        if (duration_format(d, buf, size) != n ||
            (size > 0 && (strlen(buf) >= size || strncmp(buf, full, strlen(buf)) != 0)))
            fail("duration_format into a small buffer is not a prefix of the full text", text, len);
        free(buf);
    }
    struct value v = {.type = TYPE_DURATION, .as.duration = d};
    check_value_format(&v, text, len);
    int32_t start;
    if (date_from_ymd(2016, 2, 29, &start)) {
        for (int rule = DATE_ROUND_DOWN; rule <= DATE_ROUND_UP; rule++) {
            int32_t later = date_add(start, d, (enum date_month_end)rule);
            int32_t earlier = date_sub(start, d, (enum date_month_end)rule);
            if (later < start || earlier > start)
                fail("a duration moves a date the wrong way", text, len);
            date_years_between(earlier, later, (enum date_month_end)rule);
        }
    }
}

static bool same_citation(const struct citation *a, const struct citation *b)
{
    return a->len == b->len && a->depth == b->depth && a->flags == b->flags &&
           memcmp(a->text, b->text, sizeof a->text) == 0 && memcmp(a->ends, b->ends, sizeof a->ends) == 0;
}

static void check_citation(const char *text, size_t len)
{
    struct citation c;
    const char *why = NULL;
    if (!citation_parse(text, len, &c, &why)) {
        if (!why || !why[0])
            fail("citation_parse refused without a reason", text, len);
        return;
    }
    if (why != NULL)
        fail("citation_parse accepted and gave a reason", text, len);
    if (c.len == 0 || c.len > CITATION_MAX_LEN || strlen(c.text) != c.len || c.depth < 1 ||
        c.depth > CITATION_MAX_DEPTH || c.ends[c.depth - 1] != c.len)
        fail("a parsed citation is malformed", text, len);
    for (int i = 1; i < c.depth; i++)
        if (c.ends[i] <= c.ends[i - 1])
            fail("a parsed citation's levels do not nest", text, len);

    struct citation again;
    if (!citation_parse(c.text, c.len, &again, &why))
        fail("a citation's canonical text does not parse", text, len);
    if (!same_citation(&c, &again))
        fail("a citation's canonical text parses to another citation", text, len);
    if (!citation_covers(&c, &c) || !citation_equal(&c, &again))
        fail("a citation does not cover or equal itself", text, len);

    struct citation_set set;
    if (!citation_set_build(&set, &c, 1))
        return;
    if (!citation_set_contains(&set, &again))
        fail("a set of one citation does not contain it", text, len);
    citation_set_free(&set);

    for (int i = 0; i < c.depth; i++) {
        struct citation level;
        if (!citation_parse(c.text, c.ends[i], &level, NULL))
            fail("a level of a citation does not parse", text, len);
        if (!citation_covers(&level, &c))
            fail("a level of a citation does not cover it", text, len);
        if (i + 1 < c.depth && citation_covers(&c, &level))
            fail("a citation covers its own broader level", text, len);
        if (citation_set_build(&set, &level, 1)) {
            if (!citation_set_contains(&set, &c))
                fail("a set holding a level of a citation does not contain the citation", text, len);
            citation_set_free(&set);
        }
    }
    struct value v = {.type = TYPE_CITATION, .as.citation = &c};
    check_value_format(&v, text, len);
}

static void check_all(const char *text, size_t len)
{
    check_iso(text, len);
    check_compact(text, len);
    check_duration(text, len);
    check_citation(text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    check_all(text, size);
    const char *nl = memchr(text, '\n', size);
    if (!nl)
        return 0;
    /* Each line on its own, in a buffer of exactly its length, so that a read past it is caught. */
    const char *line = text, *end = text + size;
    while (line <= end) {
        const char *stop = memchr(line, '\n', (size_t)(end - line));
        size_t n = stop ? (size_t)(stop - line) : (size_t)(end - line);
        char *copy = malloc(n ? n : 1);
        if (!copy)
            return 0;
        memcpy(copy, line, n);
        check_all(copy, n);
        free(copy);
        if (!stop)
            break;
        line = stop + 1;
    }
    return 0;
}
