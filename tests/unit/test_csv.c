/*
 * test_csv.c - the general conviction CSV reader: format, rejections,
 * accounting (rows read = convictions handed out + rows rejected) and
 * streaming across block boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "csv.h"
#include "value.h"

#define MAX_REJECTS 16
#define READER_FIXTURE_NAME "csv"
#include "reader_fixture.h"

struct fixture {
    char *path;
    struct record_reader *reader;
    struct person person;
    struct rejected rejected;
    uint64_t handed_out; /* convictions in persons returned so far */
    char err[1024];
};

static struct fixture *open_text(const char *text)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->path = write_temp(text, strlen(text));
    person_init(&fx->person);
    fx->reader = csv_reader_open(fx->path, collect, &fx->rejected, fx->err, sizeof fx->err);
    return fx;
}

static enum record_status next(struct fixture *fx)
{
    enum record_status s = fx->reader->next(fx->reader, &fx->person);
    if (s == RECORD_PERSON)
        fx->handed_out += fx->person.count;
    return s;
}

/* Reads to the end and checks the accounting the whole tool relies on. */
static void drain(struct fixture *fx)
{
    enum record_status s;
    while ((s = next(fx)) == RECORD_PERSON)
        ;
    assert_int_equal(s, RECORD_END);
    assert_int_equal(fx->reader->rows_read, fx->handed_out + fx->reader->rows_rejected);
    assert_int_equal(fx->reader->rows_rejected, fx->rejected.count);
}

static void close_fixture(struct fixture *fx)
{
    if (fx->reader)
        fx->reader->close(fx->reader);
    person_free(&fx->person);
    unlink(fx->path);
    free(fx->path);
    free(fx);
}

static const char *text_of(const struct person *p, struct text_ref r)
{
    return person_text(p, r);
}

static bool knows(const struct conviction *c, enum fact_id f)
{
    return (c->known & (1u << f)) != 0;
}

static void test_csv_two_people_adjacent(void **state)
{
    struct fixture *fx = open_text(
        "person_id,citation,level,disposition_date,date_of_birth,county,sentence,case_id\n"
        "A1,HS 11357(b),misdemeanor,2015-03-02,1990-01-01,Alameda,6 months,C-100\n"
        "A1,hs 11359,F,2012-07-30,,Alameda,2 years,C-101\n"
        "B2,HS 11360(a),Felony,2010-01-15,1985-05-05,Fresno,,C-200\n");
    assert_non_null(fx->reader);

    assert_int_equal(next(fx), RECORD_PERSON);
    struct person *p = &fx->person;
    assert_string_equal(text_of(p, p->id), "A1");
    assert_int_equal(p->count, 2);
    assert_true(p->known & (1u << FACT_DATE_OF_BIRTH));
    int32_t dob;
    assert_true(date_parse_iso("1990-01-01", 10, &dob));
    assert_int_equal(p->date_of_birth, dob);

    struct conviction *c = &p->convictions[0];
    assert_int_equal(c->row, 1);
    assert_string_equal(c->citation.text, "HS 11357(b)");
    assert_int_equal(c->level, LEVEL_MISDEMEANOR);
    int32_t d;
    assert_true(date_parse_iso("2015-03-02", 10, &d));
    assert_int_equal(c->disposition_date, d);
    assert_int_equal(c->sentence.months, 6);
    assert_string_equal(text_of(p, c->county), "Alameda");
    assert_string_equal(text_of(p, c->case_id), "C-100");
    assert_string_equal(text_of(p, c->key), "HS 11357(b)");

    c = &p->convictions[1];
    assert_int_equal(c->row, 2);
    assert_string_equal(c->citation.text, "HS 11359");
    assert_string_equal(text_of(p, c->key), "hs 11359"); /* as written */
    assert_int_equal(c->level, LEVEL_FELONY);
    assert_int_equal(c->sentence.months, 24);

    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "B2");
    assert_int_equal(p->count, 1);
    assert_int_equal(p->convictions[0].row, 3);
    assert_int_equal(p->convictions[0].level, LEVEL_FELONY);
    assert_false(knows(&p->convictions[0], FACT_SENTENCE));

    drain(fx);
    assert_int_equal(fx->reader->rows_read, 3);
    assert_int_equal(fx->reader->rows_rejected, 0);
    close_fixture(fx);
}

static void test_csv_empty_cell_is_unknown(void **state)
{
    struct fixture *fx = open_text(
        "person_id,citation,level,disposition_date,date_of_birth,county,sentence,case_id\n"
        "A1,HS 11357,,,,,,\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    struct conviction *c = &fx->person.convictions[0];
    assert_true(knows(c, FACT_CITATION));
    assert_false(knows(c, FACT_LEVEL));
    assert_false(knows(c, FACT_DISPOSITION_DATE));
    assert_false(knows(c, FACT_SENTENCE));
    assert_false(knows(c, FACT_COUNTY));
    assert_false(knows(c, FACT_CASE_ID));
    assert_false(fx->person.known & (1u << FACT_DATE_OF_BIRTH));
    assert_true(fx->person.known & (1u << FACT_ID));
    drain(fx);
    close_fixture(fx);
}

static void test_csv_missing_column_named_in_error(void **state)
{
    struct fixture *fx = open_text("person_id,level,disposition_date\nA1,F,2015-01-01\n");
    assert_null(fx->reader);
    assert_non_null(strstr(fx->err, fx->path));
    assert_non_null(strstr(fx->err, "the header has no 'citation' column"));
    assert_non_null(strstr(fx->err, "columns found: person_id, level, disposition_date"));
    close_fixture(fx);

    fx = open_text("Citation,county\nHS 11357,Kern\n");
    assert_null(fx->reader);
    assert_non_null(strstr(fx->err, "no 'person_id' column"));
    close_fixture(fx);
}

static void test_csv_semicolon_header_explained(void **state)
{
    struct fixture *fx = open_text("person_id;citation\nA1;HS 11357\n");
    assert_null(fx->reader);
    assert_non_null(strstr(fx->err, "separated by ';'"));
    close_fixture(fx);
}

static void test_csv_columns_any_order_and_case(void **state)
{
    struct fixture *fx = open_text(" Level ,CITATION,\tPerson_ID \nm,HS 11357(a),P9\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(text_of(&fx->person, fx->person.id), "P9");
    assert_string_equal(fx->person.convictions[0].citation.text, "HS 11357(a)");
    assert_int_equal(fx->person.convictions[0].level, LEVEL_MISDEMEANOR);
    drain(fx);
    close_fixture(fx);
}

static void test_csv_extra_columns_ignored(void **state)
{
    struct fixture *fx = open_text("notes,person_id,arresting_agency,citation,\n"
                                   "\"anything, at all\",A1,not-a-date,HS 11357,\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 1);
    assert_string_equal(fx->person.convictions[0].citation.text, "HS 11357");
    drain(fx);
    assert_int_equal(fx->reader->rows_rejected, 0);
    close_fixture(fx);
}

static void test_csv_quoted_commas_newlines_quotes(void **state)
{
    struct fixture *fx = open_text("person_id,citation,county,case_id\n"
                                   "\"A,1\",\"HS 11357\",\"San\nBenito\",\"say \"\"hi\"\"\"\n"
                                   "\"A,1\", \"HS 11359\" ,\"\",x\n"
                                   "B,HS 11360,Kern,y\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    struct person *p = &fx->person;
    assert_string_equal(text_of(p, p->id), "A,1");
    assert_int_equal(p->count, 2);
    assert_string_equal(text_of(p, p->convictions[0].county), "San\nBenito");
    assert_string_equal(text_of(p, p->convictions[0].case_id), "say \"hi\"");
    /* blanks around a quoted value are layout */
    assert_string_equal(p->convictions[1].citation.text, "HS 11359");
    assert_false(knows(&p->convictions[1], FACT_COUNTY));
    assert_int_equal(next(fx), RECORD_PERSON);
    /* a row spanning two lines is still one row */
    assert_int_equal(p->convictions[0].row, 3);
    drain(fx);
    close_fixture(fx);
}

static void test_csv_crlf_and_bare_cr(void **state)
{
    struct fixture *fx = open_text("person_id,citation,county\r\n"
                                   "A1,HS 11357,Kern\r\n"
                                   "A1,HS 11359,Inyo\r"
                                   "B1,HS 11360,\r\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 2);
    assert_string_equal(text_of(&fx->person, fx->person.convictions[0].county), "Kern");
    assert_string_equal(text_of(&fx->person, fx->person.convictions[1].county), "Inyo");
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(text_of(&fx->person, fx->person.id), "B1");
    assert_false(knows(&fx->person.convictions[0], FACT_COUNTY));
    drain(fx);
    assert_int_equal(fx->reader->rows_read, 3);
    close_fixture(fx);
}

static void test_csv_bom_skipped(void **state)
{
    struct fixture *fx = open_text("\xEF\xBB\xBFperson_id,citation\nA1,HS 11357\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(text_of(&fx->person, fx->person.id), "A1");
    drain(fx);
    close_fixture(fx);
}

/* The general format's columns (spec/records.md): dates, quantities and the record's words. */
static void test_csv_general_format_columns(void **state)
{
    (void)state;
    struct fixture *fx = open_text(
        "person_id,offense_date,sentence_end,quantity,plant_count,class,substance,custody_status,citation\n"
        "A1,2015-01-02,2016-03-04,1 ounce,,Class 4 felony,cannabis,parole,HS 11357\n"
        "A1,,,,7,,,,HS 11358\n"
        "B2,,,,12 plants,, cannabis concentrate ,,HS 11358\n"
        "B2,,,2 bananas,,,,,HS 11357\n"
        "B2,,,,six,,,,HS 11358\n"
        "B2,,,6 plants,,,,,HS 11358\n"
        "B2,2015-02-30,,,,,,,HS 11358\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    struct person *p = &fx->person;
    assert_int_equal(p->count, 2);
    struct conviction *c = &p->convictions[0];
    int32_t d;
    assert_true(date_parse_iso("2015-01-02", 10, &d));
    assert_int_equal(c->offense_date, d);
    assert_true(date_parse_iso("2016-03-04", 10, &d));
    assert_int_equal(c->sentence_end, d);
    assert_true(knows(c, FACT_QUANTITY));
    assert_int_equal(c->quantity.dim, QUANTITY_MASS);
    assert_int_equal(c->quantity.amount, 28349523125000LL); /* picograms in an ounce, exactly */
    assert_false(knows(c, FACT_PLANT_COUNT));
    assert_string_equal(text_of(p, c->offense_class), "Class 4 felony");
    assert_string_equal(text_of(p, c->substance), "cannabis");
    assert_string_equal(text_of(p, c->custody_status), "parole");
    assert_true(knows(c, FACT_CLASS) && knows(c, FACT_SUBSTANCE) && knows(c, FACT_CUSTODY_STATUS));
    c = &p->convictions[1];
    assert_true(knows(c, FACT_PLANT_COUNT)); /* a bare number is a number of plants */
    assert_int_equal(c->plant_count.dim, QUANTITY_PLANTS);
    assert_int_equal(c->plant_count.amount, 7);
    assert_false(knows(c, FACT_QUANTITY) || knows(c, FACT_OFFENSE_DATE) || knows(c, FACT_SENTENCE_END) ||
                 knows(c, FACT_CLASS) || knows(c, FACT_SUBSTANCE) || knows(c, FACT_CUSTODY_STATUS));

    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(p->count, 1);
    c = &p->convictions[0];
    assert_int_equal(c->plant_count.amount, 12);
    assert_string_equal(text_of(p, c->substance), "cannabis concentrate"); /* spaces around dropped */
    drain(fx);
    struct rejected *r = &fx->rejected;
    assert_int_equal(r->count, 4);
    assert_int_equal(r->rows[0], 4);
    assert_non_null(strstr(r->reasons[0], "quantity '2 bananas' is not a weight"));
    assert_int_equal(r->rows[1], 5);
    assert_non_null(strstr(r->reasons[1], "plant_count 'six' is not a number of plants"));
    assert_int_equal(r->rows[2], 6);
    assert_non_null(strstr(r->reasons[2], "quantity '6 plants' is not a weight"));
    assert_int_equal(r->rows[3], 7);
    assert_non_null(strstr(r->reasons[3], "offense_date '2015-02-30' is not a valid date"));
    close_fixture(fx);
}

static void test_csv_bad_values_rejected_with_reasons(void **state)
{
    struct fixture *fx = open_text(
        "person_id,citation,level,disposition_date,sentence\n"
        "A1,HS 11357,M,2016-11-09,\n"         /* 1 ok */
        "A1,HS 11357,M,2016-02-30,\n"         /* 2 bad date */
        "A1,HS 11357,felon,2016-01-01,\n"     /* 3 bad level */
        "A1,11357 HS,M,2016-01-01,\n"         /* 4 bad citation */
        ",HS 11357,M,2016-01-01,\n"           /* 5 no person */
        "A1,,M,2016-01-01,\n"                 /* 6 no citation */
        "A1,HS 11357,M,2016-01-01,six months\n" /* 7 bad sentence */
        "A1,HS 11359,F,2016-01-01,1 year\n");  /* 8 ok */
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 2);
    assert_int_equal(fx->person.convictions[1].row, 8);
    drain(fx);

    struct rejected *r = &fx->rejected;
    assert_int_equal(r->count, 6);
    assert_int_equal(r->rows[0], 2);
    assert_string_equal(r->reasons[0], "disposition_date '2016-02-30' is not a valid date "
                                       "(expected YYYY-MM-DD, e.g. 2016-11-09)");
    assert_int_equal(r->rows[1], 3);
    assert_non_null(strstr(r->reasons[1], "level 'felon' is not an offence level"));
    assert_int_equal(r->rows[2], 4);
    assert_non_null(strstr(r->reasons[2], "citation '11357 HS'"));
    assert_int_equal(r->rows[3], 5);
    assert_non_null(strstr(r->reasons[3], "person_id is empty"));
    assert_int_equal(r->rows[4], 6);
    assert_non_null(strstr(r->reasons[4], "citation is empty"));
    assert_int_equal(r->rows[5], 7);
    assert_non_null(strstr(r->reasons[5], "sentence 'six months'"));
    assert_int_equal(fx->reader->rows_read, 8);
    assert_int_equal(fx->reader->rows_rejected, 6);
    close_fixture(fx);
}

static void test_csv_every_problem_in_a_row_is_reported(void **state)
{
    struct fixture *fx = open_text("person_id,citation,level,disposition_date\n"
                                   "A1,HS 11357,X,2016-13-01\n");
    assert_non_null(fx->reader);
    drain(fx);
    assert_int_equal(fx->rejected.count, 1);
    assert_non_null(strstr(fx->rejected.reasons[0], "level 'X'"));
    assert_non_null(strstr(fx->rejected.reasons[0], "disposition_date '2016-13-01'"));
    close_fixture(fx);
}

static void test_csv_wrong_field_count_rejected(void **state)
{
    struct fixture *fx = open_text("person_id,citation,county\n"
                                   "A1,HS 11357,Kern,extra\n"
                                   "A1,HS 11357\n"
                                   "A1,HS 11359,Kern\n");
    assert_non_null(fx->reader);
    drain(fx);
    assert_int_equal(fx->rejected.count, 2);
    assert_int_equal(fx->rejected.rows[0], 1);
    assert_non_null(strstr(fx->rejected.reasons[0], "has 4 values but the header names 3"));
    assert_int_equal(fx->rejected.rows[1], 2);
    assert_non_null(strstr(fx->rejected.reasons[1], "has 2 values"));
    assert_int_equal(fx->handed_out, 1);
    close_fixture(fx);
}

static void test_csv_last_line_without_newline_is_a_row(void **state)
{
    struct fixture *fx = open_text("person_id,citation\nA1,HS 11357\nB1,HS 11359");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(fx->person.convictions[0].citation.text, "HS 11359");
    drain(fx);
    assert_int_equal(fx->reader->rows_read, 2);
    close_fixture(fx);
}

static void test_csv_unterminated_quote_rejected(void **state)
{
    struct fixture *fx = open_text("person_id,citation,county\n"
                                   "A1,HS 11357,Kern\n"
                                   "A1,HS 11359,\"Kern\nB1,HS 11360,Inyo\n");
    assert_non_null(fx->reader);
    drain(fx);
    assert_int_equal(fx->handed_out, 1);
    assert_int_equal(fx->rejected.count, 1);
    assert_int_equal(fx->rejected.rows[0], 2);
    assert_non_null(strstr(fx->rejected.reasons[0],
                           "a quoted field is not closed before the end of the file"));
    assert_non_null(strstr(fx->rejected.reasons[0], "'county'"));
    close_fixture(fx);
}

static void test_csv_text_after_closing_quote_rejected(void **state)
{
    struct fixture *fx = open_text("person_id,citation\n\"A1\"x,HS 11357\n");
    assert_non_null(fx->reader);
    drain(fx);
    assert_int_equal(fx->rejected.count, 1);
    assert_non_null(strstr(fx->rejected.reasons[0], "after the closing double quote"));
    close_fixture(fx);
}

static void test_csv_empty_file_is_an_error(void **state)
{
    struct fixture *fx = open_text("");
    assert_null(fx->reader);
    assert_non_null(strstr(fx->err, "the file is empty"));
    close_fixture(fx);
}

static void test_csv_header_only_has_no_rows(void **state)
{
    struct fixture *fx = open_text("person_id,citation\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_END);
    assert_int_equal(fx->reader->rows_read, 0);
    assert_int_equal(next(fx), RECORD_END); /* and stays at the end */
    close_fixture(fx);
}

static void test_csv_blank_lines_are_not_rows(void **state)
{
    struct fixture *fx = open_text("person_id,citation\n\nA1,HS 11357\n\r\n\nA1,HS 11359\n\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 2);
    assert_int_equal(fx->person.convictions[1].row, 2);
    drain(fx);
    assert_int_equal(fx->reader->rows_read, 2);
    close_fixture(fx);
}

static void test_csv_huge_field_rejected_next_row_read(void **state)
{
    const char *head = "person_id,citation,county,notes\nA1,HS 11357,\"";
    const char *tail = "\",\nA1,HS 11359,Kern,\nA1,HS 11360,Kern,";
    size_t big = 2u << 20;
    size_t hl = strlen(head), tl = strlen(tail);
    /* the second huge cell is in an ignored column: still over the limit */
    char *data = malloc(hl + big + tl + big + 2);
    assert_non_null(data);
    memcpy(data, head, hl);
    memset(data + hl, 'x', big);
    memcpy(data + hl + big, tail, tl);
    memset(data + hl + big + tl, 'y', big);
    memcpy(data + hl + big + tl + big, "\n", 2);

    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->path = write_temp(data, strlen(data));
    free(data);
    person_init(&fx->person);
    fx->reader = csv_reader_open(fx->path, collect, &fx->rejected, fx->err, sizeof fx->err);
    assert_non_null(fx->reader);

    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 1);
    assert_int_equal(fx->person.convictions[0].row, 2);
    assert_string_equal(fx->person.convictions[0].citation.text, "HS 11359");
    drain(fx);
    assert_int_equal(fx->rejected.count, 2);
    assert_int_equal(fx->rejected.rows[0], 1);
    assert_non_null(strstr(fx->rejected.reasons[0], "column 'county' is longer than 1 MiB"));
    assert_int_equal(fx->rejected.rows[1], 3);
    assert_non_null(strstr(fx->rejected.reasons[1], "column 'notes'"));
    close_fixture(fx);
}

static void test_csv_date_of_birth_conflict_rejected(void **state)
{
    struct fixture *fx = open_text("person_id,citation,date_of_birth\n"
                                   "A1,HS 11357,\n"
                                   "A1,HS 11359,1990-01-01\n"
                                   "A1,HS 11360,1990-01-02\n"
                                   "A1,HS 11357(a),1990-01-01\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(fx->person.count, 3);
    int32_t dob;
    assert_true(date_parse_iso("1990-01-01", 10, &dob));
    assert_int_equal(fx->person.date_of_birth, dob);
    drain(fx);
    assert_int_equal(fx->rejected.count, 1);
    assert_int_equal(fx->rejected.rows[0], 3);
    assert_non_null(strstr(fx->rejected.reasons[0], "1990-01-02"));
    assert_non_null(strstr(fx->rejected.reasons[0], "1990-01-01"));
    assert_non_null(strstr(fx->rejected.reasons[0], "row 2"));
    close_fixture(fx);
}

static void test_csv_date_of_birth_kept_across_pending_row(void **state)
{
    /* B's first row is held while A is handed out; its date of birth must survive */
    struct fixture *fx = open_text("person_id,citation,date_of_birth\n"
                                   "A1,HS 11357,1980-02-02\n"
                                   "B1,HS 11359,1990-01-01\n"
                                   "B1,HS 11360,1991-01-01\n");
    assert_non_null(fx->reader);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_int_equal(next(fx), RECORD_PERSON);
    assert_string_equal(text_of(&fx->person, fx->person.id), "B1");
    assert_int_equal(fx->person.count, 1);
    drain(fx);
    assert_int_equal(fx->rejected.count, 1);
    assert_non_null(strstr(fx->rejected.reasons[0], "row 2"));
    close_fixture(fx);
}

static void test_csv_overlong_header_is_an_error(void **state)
{
    /* commas only: the header must not grow a column list without bound */
    size_t n = 2u << 20;
    char *data = malloc(n + 1);
    assert_non_null(data);
    memset(data, ',', n);
    data[n] = '\n';
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->path = write_temp(data, n + 1);
    free(data);
    person_init(&fx->person);
    fx->reader = csv_reader_open(fx->path, collect, &fx->rejected, fx->err, sizeof fx->err);
    assert_null(fx->reader);
    assert_non_null(strstr(fx->err, "longer than 1 MiB"));
    close_fixture(fx);
}

static void test_csv_missing_file_is_an_error(void **state)
{
    char err[512];
    struct record_reader *r = csv_reader_open("/tmp/lenity-no-such-file.csv", collect, NULL, err,
                                              sizeof err);
    assert_null(r);
    assert_non_null(strstr(err, "/tmp/lenity-no-such-file.csv: cannot open"));
}

static void test_csv_streams_across_blocks(void **state)
{
    /* ~6 MiB: rows and quoted cells straddle the 1 MiB read blocks */
    const uint32_t people = 60000;
    size_t cap = 8u << 20, len = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    len += (size_t)snprintf(data, cap, "person_id,notes,citation,county\r\n");
    for (uint32_t i = 0; i < people; i++)
        for (int k = 0; k < 2; k++)
            len += (size_t)snprintf(data + len, cap - len,
                                    "P%u,\"filler, \"\"quoted\"\" text %u\",HS 1135%d,\"C%u\"\r\n",
                                    i, i * 7, 7 + 2 * k, i);
    assert_true(len < cap);
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->path = write_temp(data, len);
    free(data);
    person_init(&fx->person);
    fx->reader = csv_reader_open(fx->path, collect, &fx->rejected, fx->err, sizeof fx->err);
    assert_non_null(fx->reader);

    uint32_t seen = 0;
    char want[32];
    while (next(fx) == RECORD_PERSON) {
        struct person *p = &fx->person;
        snprintf(want, sizeof want, "P%u", seen);
        assert_string_equal(text_of(p, p->id), want);
        assert_int_equal(p->count, 2);
        assert_string_equal(p->convictions[1].citation.text, "HS 11359");
        snprintf(want, sizeof want, "C%u", seen);
        assert_string_equal(text_of(p, p->convictions[1].county), want);
        assert_int_equal(p->convictions[1].row, 2 * (uint64_t)seen + 2);
        seen++;
    }
    assert_int_equal(seen, people);
    assert_int_equal(fx->reader->rows_read, 2 * (uint64_t)people);
    assert_int_equal(fx->rejected.count, 0);
    close_fixture(fx);
}

/* ---- the quick scanner reads as the careful one does ------------------------------------ */

static void digest_reject(void *ctx, uint64_t row, const char *reason)
{
    fprintf((FILE *)ctx, "reject %llu: %s\n", (unsigned long long)row, reason);
}

/* Everything a reader hands out for the file at path, as text: every person, conviction and rejection. */
static char *digest_file(const char *path, bool carefully, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    char err[1024];
    struct record_reader *r = csv_reader_open(path, digest_reject, f, err, sizeof err);
    assert_non_null(r);
    if (carefully)
        csv_reader_scan_carefully(r);
    struct person p;
    person_init(&p);
    enum record_status st;
    while ((st = r->next(r, &p)) == RECORD_PERSON) {
        fprintf(f, "person %s known %x dob %d\n", person_text(&p, p.id), (unsigned)p.known, (int)p.date_of_birth);
        for (uint32_t i = 0; i < p.count; i++) {
            const struct conviction *c = &p.convictions[i];
            fprintf(f, "  row %llu known %llx %s level %u date %d county '%s' key '%s'\n",
                    (unsigned long long)c->row, (unsigned long long)c->known, c->citation.text,
                    (unsigned)c->level, (int)c->disposition_date, person_text(&p, c->county),
                    person_text(&p, c->key));
        }
    }
    fprintf(f, "end %d read %llu rejected %llu\n", (int)st, (unsigned long long)r->rows_read,
            (unsigned long long)r->rows_rejected);
    person_free(&p);
    r->close(r);
    fclose(f);
    return text;
}

static uint64_t next_random(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    return *seed >> 33;
}

static void test_csv_quick_and_careful_read_the_same(void **state)
{
    (void)state;
    /* cells of every shape the quick scanner must hand to the careful one, or read as it would */
    static const char *const shapes[] = {
        "HS 11357(b)", " HS 11358 ", "\"HS 11359, quoted\"", "\"say \"\"HS 11360\"\"\"", "\"two\nlines\"",
        "text\"after", "\"closed\"x", "", "  ", "M", "felony", "2016-11-09", "2016-02-30", "LOS ANGELES",
        "a\rb", "nul\0here",
    };
    const size_t nshapes = sizeof shapes / sizeof shapes[0];
    size_t cap = 4u << 20, len = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    len += (size_t)snprintf(data, cap, "person_id,citation,level,disposition_date,county,notes\n");
    uint64_t seed = 7;
    for (uint32_t row = 0; len < (3u << 20); row++) {
        uint64_t kind = next_random(&seed) % 20;
        if (kind == 0) { /* a blank line, or one of blanks */
            len += (size_t)snprintf(data + len, cap - len, "%s", next_random(&seed) % 2 ? "\n" : "   \n");
            continue;
        }
        uint32_t cells = kind == 1 ? 4 + (uint32_t)(next_random(&seed) % 4) : 6;
        for (uint32_t c = 0; c < cells; c++) {
            if (c)
                data[len++] = ',';
            const char *v;
            char own[64];
            if (c == 0) {
                snprintf(own, sizeof own, "P%u", row / 3);
                v = own;
            } else if (c == 1 && next_random(&seed) % 4) {
                v = next_random(&seed) % 2 ? "HS 11357(b)" : "PC 187";
            } else if (next_random(&seed) % (kind == 2 ? 2 : 12) == 0) {
                v = shapes[next_random(&seed) % nshapes];
            } else if (c == 2) {
                v = "misdemeanor";
            } else if (c == 3) {
                v = "2016-11-09";
            } else if (c == 4) {
                v = "SAN DIEGO";
            } else {
                v = "";
            }
            size_t n = strlen(v);
            if (v == shapes[15])
                n = 8; /* "nul\0here" with its NUL */
            memcpy(data + len, v, n);
            len += n;
        }
        if (row % 2000 == 1000) { /* a row longer than the quick scanner takes */
            memset(data + len, 'x', 70000);
            len += 70000;
        }
        uint64_t eol = next_random(&seed) % 8;
        len += (size_t)snprintf(data + len, cap - len, "%s", eol == 0 ? "\r\n" : eol == 1 ? "\r" : "\n");
        assert_true(len + 80000 < cap);
    }
    memcpy(data + len, "P9,HS 11357,M,2016-01-01,X,last row without a line end", 55);
    len += 54;
    char *path = write_temp(data, len);
    free(data);
    size_t quick_len = 0, careful_len = 0;
    char *quick = digest_file(path, false, &quick_len);
    char *careful = digest_file(path, true, &careful_len);
    if (quick_len != careful_len || memcmp(quick, careful, quick_len) != 0) {
        size_t at = 0;
        while (at < quick_len && at < careful_len && quick[at] == careful[at])
            at++;
        size_t from = at > 200 ? at - 200 : 0;
        fail_msg("the quick scanner read differently from byte %zu of the digest:\nquick:   %.300s\ncareful: %.300s",
                 at, quick + from, careful + from);
    }
    /* the mix reaches every branch: rejections, several people, rows past 64 KiB */
    assert_non_null(strstr(quick, "reject "));
    assert_non_null(strstr(quick, "LOS ANGELES"));
    assert_true(quick_len > 1000000);
    free(quick);
    free(careful);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_two_people_adjacent),
        cmocka_unit_test(test_csv_quick_and_careful_read_the_same),
        cmocka_unit_test(test_csv_empty_cell_is_unknown),
        cmocka_unit_test(test_csv_missing_column_named_in_error),
        cmocka_unit_test(test_csv_semicolon_header_explained),
        cmocka_unit_test(test_csv_columns_any_order_and_case),
        cmocka_unit_test(test_csv_extra_columns_ignored),
        cmocka_unit_test(test_csv_quoted_commas_newlines_quotes),
        cmocka_unit_test(test_csv_crlf_and_bare_cr),
        cmocka_unit_test(test_csv_bom_skipped),
        cmocka_unit_test(test_csv_general_format_columns),
        cmocka_unit_test(test_csv_bad_values_rejected_with_reasons),
        cmocka_unit_test(test_csv_every_problem_in_a_row_is_reported),
        cmocka_unit_test(test_csv_wrong_field_count_rejected),
        cmocka_unit_test(test_csv_last_line_without_newline_is_a_row),
        cmocka_unit_test(test_csv_unterminated_quote_rejected),
        cmocka_unit_test(test_csv_text_after_closing_quote_rejected),
        cmocka_unit_test(test_csv_empty_file_is_an_error),
        cmocka_unit_test(test_csv_header_only_has_no_rows),
        cmocka_unit_test(test_csv_blank_lines_are_not_rows),
        cmocka_unit_test(test_csv_huge_field_rejected_next_row_read),
        cmocka_unit_test(test_csv_date_of_birth_conflict_rejected),
        cmocka_unit_test(test_csv_date_of_birth_kept_across_pending_row),
        cmocka_unit_test(test_csv_overlong_header_is_an_error),
        cmocka_unit_test(test_csv_missing_file_is_an_error),
        cmocka_unit_test(test_csv_streams_across_blocks),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
