/*
 * test_cadoj.c - the California DOJ export reader: the gogen fixtures'
 * subject and conviction counts, what a subject becomes, row accounting,
 * rejected rows, refused files, rows straddling reads, and memory that stays
 * flat on a large generated file.  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cadoj.h"
#include "value.h"

#define FIX "tests/fixtures/gogen/"
#define MAX_REJECTS 64
#define READER_FIXTURE_NAME "cadoj"
#include "reader_fixture.h"
#include "doj_rows.h"

/* ---- helpers ------------------------------------------------------------------- */

static const char *text_of(const struct person *p, struct text_ref r)
{
    return person_text(p, r);
}

static bool known(const struct conviction *c, enum fact_id f)
{
    return (c->known & (1u << f)) != 0;
}

struct run {
    struct record_reader *reader;
    struct person person;
    struct rejected rejected;
    char err[1024];
    char *path; /* a temporary file to remove, or NULL */
    uint64_t persons, convictions;
};

static struct run *open_path(const char *path, size_t block)
{
    struct run *run = calloc(1, sizeof *run);
    assert_non_null(run);
    person_init(&run->person);
    run->reader = block ? cadoj_reader_open_block(path, block, collect, &run->rejected, run->err,
                                                  sizeof run->err)
                        : cadoj_reader_open(path, collect, &run->rejected, run->err,
                                            sizeof run->err);
    return run;
}

static struct run *open_text(const char *text, size_t len)
{
    char *path = write_temp(text, len);
    struct run *run = open_path(path, 0);
    run->path = path;
    return run;
}

static enum record_status next(struct run *run)
{
    enum record_status s = run->reader->next(run->reader, &run->person);
    if (s == RECORD_PERSON) {
        run->persons++;
        run->convictions += run->person.count;
    }
    return s;
}

static void drain(struct run *run)
{
    enum record_status s;
    while ((s = next(run)) == RECORD_PERSON)
        ;
    assert_int_equal(s, RECORD_END);
}

/* rows read = conviction rows + other rows + rejected rows, and the counters agree with what was handed out. */
static void check_accounting(const struct run *run)
{
    struct cadoj_counts k;
    assert_true(cadoj_reader_counts(run->reader, &k));
    assert_int_equal(k.rows_read, run->reader->rows_read);
    assert_int_equal(k.rows_rejected, run->reader->rows_rejected);
    assert_int_equal(k.rows_rejected, run->rejected.count);
    assert_int_equal(k.rows_read, k.rows_conviction + k.rows_other + k.rows_rejected);
    assert_int_equal(k.rows_conviction, run->convictions);
    assert_int_equal(k.subjects, run->persons);
    assert_true(k.rows_continuation <= k.rows_other);
}

static void close_run(struct run *run)
{
    if (run->reader)
        run->reader->close(run->reader);
    person_free(&run->person);
    if (run->path) {
        unlink(run->path);
        free(run->path);
    }
    free(run);
}

/* ---- the fixtures' counts (conformance README, section 1) ------------------------------ */

struct expected_counts {
    const char *path;
    uint64_t rows, subjects, convictions;
};

static const struct expected_counts fixture_counts[] = {
    {FIX "pilots/sacramento_2019-02/cadoj.csv", 31, 9, 24},
    {FIX "pilots/sacramento/cadoj_sacramento.csv", 32, 9, 25},
    {FIX "pilots/san_joaquin/cadoj_san_joaquin.csv", 41, 12, 31},
    {FIX "pilots/san_joaquin/cadoj_san_joaquin_extra_comma.csv", 38, 11, 28},
    {FIX "pilots/contra_costa/cadoj_contra_costa.csv", 39, 11, 29},
    {FIX "pilots/contra_costa/cadoj_contra_costa_condensed_input.csv", 39, 11, 29},
    {FIX "pilots/los_angeles/cadoj_los_angeles.csv", 32, 9, 25},
    {FIX "pilots/misc/extra_comma.csv", 38, 11, 28},
    {FIX "gogen/extra_comma.csv", 38, 11, 28},
    {FIX "extracted/pilots__sacramento__sacramento__xlsx/input.csv", 32, 9, 25},
    {FIX "extracted/pilots__san_joaquin__san_joaquin__xlsx/input.csv", 41, 12, 31},
    {FIX "extracted/pilots__contra_costa__contra_costa__xlsx/input.csv", 39, 11, 29},
    {FIX "extracted/pilots__los_angeles__los_angeles__xlsx/input.csv", 35, 10, 28},
    {FIX "extracted/pilots__los_angeles__isolated_hand_reviews_ba0613b__los_angeles__xlsx/input.csv",
     35, 10, 28},
    {FIX "extracted/pilots__configurable__configurable_flow__xlsx/input.csv", 37, 12, 29},
    {FIX "extracted/gogen__configurable_flow__xlsx/input.csv", 38, 13, 30},
    {FIX "extracted/gogen__related_charges_branch__configurable_flow__xlsx/input.csv", 38, 13, 30},
    {FIX "extracted/gogen__related_charges_branch__related_charges__xlsx/input.csv", 11, 2, 5},
    /* the source workbooks hold the same data as the cadoj_<county>.csv files */
    {FIX "extracted/pilots__sacramento__cadoj_sacramento_source__xlsx/input.csv", 32, 9, 25},
    {FIX "extracted/pilots__san_joaquin__cadoj_san_joaquin_source__xlsx/input.csv", 41, 12, 31},
    {FIX "extracted/pilots__contra_costa__cadoj_contra_costa_source__xlsx/input.csv", 39, 11, 29},
    {FIX "extracted/pilots__los_angeles__cadoj_los_angeles_source__xlsx/input.csv", 32, 9, 25},
};

#define NFIXTURES (sizeof fixture_counts / sizeof fixture_counts[0])

static void test_fixture_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < NFIXTURES; i++) {
        const struct expected_counts *e = &fixture_counts[i];
        struct run *run = open_path(e->path, 0);
        if (!run->reader)
            fail_msg("%s: %s", e->path, run->err);
        uint64_t last_row = 0;
        enum record_status s;
        while ((s = next(run)) == RECORD_PERSON) {
            /* conviction rows are handed out in file order, each once */
            for (uint32_t k = 0; k < run->person.count; k++) {
                assert_true(run->person.convictions[k].row > last_row);
                last_row = run->person.convictions[k].row;
            }
        }
        assert_int_equal(s, RECORD_END);
        if (run->reader->rows_read != e->rows || run->persons != e->subjects ||
            run->convictions != e->convictions)
            fail_msg("%s: %llu rows / %llu subjects / %llu convictions, expected %llu / %llu / %llu",
                     e->path, (unsigned long long)run->reader->rows_read,
                     (unsigned long long)run->persons, (unsigned long long)run->convictions,
                     (unsigned long long)e->rows, (unsigned long long)e->subjects,
                     (unsigned long long)e->convictions);
        assert_int_equal(run->rejected.count, 0);
        check_accounting(run);
        struct cadoj_counts k;
        cadoj_reader_counts(run->reader, &k);
        assert_int_equal(k.citations_unknown, 0);
        close_run(run);
    }
}

static void test_los_angeles_subjects_in_detail(void **state)
{
    (void)state;
    struct run *run = open_path(FIX "pilots/los_angeles/cadoj_los_angeles.csv", 0);
    assert_non_null(run->reader);
    struct person *p = &run->person;

    /* rows 1-6: an arrest, a conviction, an arrest, a DECEASED step, a dismissal, a conviction */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "18675309");
    int32_t d;
    assert_true(date_from_ymd(1960, 3, 14, &d));
    assert_true(p->known & (1u << FACT_DATE_OF_BIRTH));
    assert_int_equal(p->date_of_birth, d);
    assert_int_equal(p->count, 2);
    const struct conviction *c = &p->convictions[0];
    assert_int_equal(c->row, 2);
    assert_string_equal(c->citation.text, "VC 503");
    assert_int_equal(c->level, LEVEL_FELONY);
    assert_true(date_from_ymd(1979, 6, 1, &d));
    assert_int_equal(c->disposition_date, d);
    assert_string_equal(text_of(p, c->county), "LOS ANGELES");
    assert_string_equal(text_of(p, c->case_id), "101001");
    assert_true(known(c, FACT_SENTENCE));
    assert_int_equal(c->sentence.months, 0);
    assert_int_equal(c->sentence.days, 90);
    assert_string_equal(text_of(p, c->key), "503 VC-TAKE CAR W/OUT OWNERS CONSENT");
    c = &p->convictions[1];
    assert_int_equal(c->row, 6);
    assert_string_equal(c->citation.text, "HS 11358");
    assert_int_equal(c->sentence.months, 6);

    /* rows 7-11: a REGISTRATION step (not a conviction) among three convictions */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "17954908");
    assert_int_equal(p->count, 3);
    assert_string_equal(p->convictions[0].citation.text, "HS 11357(c)");
    assert_string_equal(p->convictions[1].citation.text, "HS 11357(b)");
    assert_int_equal(p->convictions[2].sentence.months, 120); /* 10 Y */

    /* row 12: SEE COMMENT FOR CHARGE, the citation comes from COMMENT_TEXT */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "23675654");
    assert_int_equal(p->count, 4);
    c = &p->convictions[0];
    assert_int_equal(c->row, 12);
    assert_string_equal(c->citation.text, "HS 11358");
    assert_string_equal(text_of(p, c->key), "11358 HS-CULTIVATE CANNABIS");
    assert_string_equal(text_of(p, p->convictions[1].county), "YOLO");

    /* row 18: OFFENSE_TOC blank, CONV_STAT_DESCR FELONY; row 20: a misdemeanour */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "90675321");
    assert_int_equal(p->convictions[1].row, 18);
    assert_int_equal(p->convictions[1].level, LEVEL_FELONY);
    assert_int_equal(p->convictions[3].level, LEVEL_MISDEMEANOR);

    /* row 25: "11359HS-INTENT SELL CANNABIS" */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_int_equal(p->count, 5);
    assert_string_equal(p->convictions[4].citation.text, "HS 11359");

    assert_int_equal(next(run), RECORD_PERSON);
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(p->convictions[1].citation.text, "PC 187");

    /* row 31: CONV_STAT_DESCR blank, OFFENSE_TOC F */
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "34499400");
    assert_true(date_from_ymd(2006, 8, 14, &d));
    assert_int_equal(p->date_of_birth, d);
    assert_int_equal(p->convictions[0].row, 31);
    assert_true(known(&p->convictions[0], FACT_LEVEL));
    assert_int_equal(p->convictions[0].level, LEVEL_FELONY);

    assert_int_equal(next(run), RECORD_PERSON);
    assert_int_equal(next(run), RECORD_END);
    assert_int_equal(next(run), RECORD_END);
    check_accounting(run);
    struct cadoj_counts k;
    cadoj_reader_counts(run->reader, &k);
    assert_int_equal(k.rows_conviction, 25);
    assert_int_equal(k.rows_other, 7);
    assert_int_equal(k.rows_continuation, 0);
    close_run(run);
}

static void test_fixture_continuation_row(void **state)
{
    (void)state;
    /* rows 21 and 22 of Contra Costa: two CONVICTED rows of count 101001019000 (a FINE with no length) */
    struct run *run = open_path(FIX "pilots/contra_costa/cadoj_contra_costa.csv", 0);
    assert_non_null(run->reader);
    bool seen = false;
    while (next(run) == RECORD_PERSON) {
        for (uint32_t i = 0; i < run->person.count; i++) {
            const struct conviction *c = &run->person.convictions[i];
            assert_int_not_equal(c->row, 22);
            if (c->row == 21) {
                seen = true;
                assert_string_equal(text_of(&run->person, run->person.id), "90675321");
                assert_int_equal(c->sentence.months, 6);
                assert_int_equal(c->sentence.days, 0);
            }
        }
    }
    assert_true(seen);
    check_accounting(run);
    struct cadoj_counts k;
    cadoj_reader_counts(run->reader, &k);
    assert_int_equal(k.rows_continuation, 1);
    close_run(run);
}

/* ---- rejected rows and refused files ------------------------------------------------- */

static void test_bad_csv_rows_rejected_with_numbers(void **state)
{
    (void)state;
    /* gogen's bad.csv: the header and every row have 94 fields (END_OF_REC is missing) */
    struct run *run = open_path(FIX "gogen/bad.csv", 0);
    if (!run->reader)
        fail_msg("%s", run->err);
    drain(run);
    assert_int_equal(run->persons, 0);
    assert_int_equal(run->reader->rows_read, 37);
    assert_int_equal(run->rejected.count, 37);
    for (uint64_t i = 0; i < 37; i++) {
        assert_int_equal(run->rejected.rows[i], i + 1);
        assert_non_null(strstr(run->rejected.reasons[i], "the row has 94 values"));
        assert_non_null(strstr(run->rejected.reasons[i], "has 95"));
        assert_non_null(strstr(run->rejected.reasons[i], "END_OF_REC and after are missing"));
    }
    check_accounting(run);
    close_run(run);
}

static void expect_refused(const char *path, const char *needle)
{
    struct run *run = open_path(path, 0);
    if (run->reader)
        fail_msg("%s was accepted; expected a refusal mentioning '%s'", path, needle);
    if (!strstr(run->err, needle))
        fail_msg("%s: '%s' does not mention '%s'", path, run->err, needle);
    assert_non_null(strstr(run->err, path));
    close_run(run);
}

static void test_fixture_files_refused_at_open(void **state)
{
    (void)state;
    expect_refused(FIX "gogen/no_headers.csv", "without its header row");
    expect_refused(FIX "pilots/misc/no_headers.csv", "without its header row");
    /* the scratch workbook: its header lost the RECORD_ID column */
    expect_refused(FIX "extracted/pilots__contra_costa__cadoj_tests__xlsx/input.csv",
                   "starts with SUBJECT_STATUS");
    expect_refused(FIX "pilots/misc/bad.csv", "starts with SUBJECT_STATUS");
    expect_refused(FIX "pilots/san_joaquin/cadoj_san_joaquin_source.csv", "'Case Number'");
    expect_refused(FIX "pilots/san_joaquin/doj_san_joaquin_results.csv", "107 columns");
    expect_refused(FIX "pilots/sf_2018/unmatched_doj.csv", "108 columns");
    expect_refused(FIX "pilots/sf_2018/felonies_sf.csv", "not RECORD_ID");
    expect_refused("/tmp/lenity-no-such-file.csv", "cannot open");
    expect_refused("tests/fixtures", "is a folder");
}

static void expect_text_refused(const char *text, size_t len, const char *needle)
{
    struct run *run = open_text(text, len);
    if (run->reader)
        fail_msg("accepted; expected a refusal mentioning '%s'", needle);
    if (!strstr(run->err, needle))
        fail_msg("'%s' does not mention '%s'", run->err, needle);
    close_run(run);
}

static void test_bad_headers_refused(void **state)
{
    (void)state;
    expect_text_refused("", 0, "the file is empty");
    expect_text_refused("\n\r\n\n", 4, "the file is empty");
    expect_text_refused("\"RECORD_ID,SUBJECT", 18, "not closed");
    expect_text_refused("\x7f" "ELF\x02\x01\x01", 7, "not RECORD_ID");

    struct sbuf b = {0};
    /* a wrong name in column 51 */
    put_header(&b, "\n");
    char *p = strstr(b.s, "CNT_ORDER");
    memcpy(p, "CNT_ORDRE", 9);
    expect_text_refused(b.s, b.len, "header column 51 is 'CNT_ORDRE' where a California DOJ "
                                    "export has 'CNT_ORDER'");
    /* two trailing commas */
    b.len = 0;
    put_header(&b, ",,\n");
    expect_text_refused(b.s, b.len, "2 empty columns after END_OF_REC");
    /* a header line over 1 MiB */
    b.len = 0;
    sb_printf(&b, "RECORD_ID,");
    char *junk = malloc(CADOJ_MAX_FIELD + 10);
    assert_non_null(junk);
    memset(junk, 'x', CADOJ_MAX_FIELD + 9);
    sb_put(&b, junk, CADOJ_MAX_FIELD + 9);
    free(junk);
    expect_text_refused(b.s, b.len, "longer than 1 MiB");
    free(b.s);
}

static void test_header_variants_accepted(void **state)
{
    (void)state;
    struct sbuf b = {0};
    struct spec s = conv("S1", "001001001", "11358 HS-CULTIVATE");
    /* BOM, quoted names, lower case, spaces around names, trailing comma, CR line ends */
    sb_put(&b, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < CADOJ_COLUMNS; i++) {
        if (i == 0)
            sb_printf(&b, "\"record_id\"");
        else if (i == 5)
            sb_printf(&b, ", %s ", cadoj_column_names[i]);
        else
            sb_printf(&b, ",%s", cadoj_column_names[i]);
    }
    sb_printf(&b, ",\r");
    put_row(&b, &s, "\r");
    s.cnt = "001001002";
    put_row(&b, &s, "");
    struct run *run = open_text(b.s, b.len);
    if (!run->reader)
        fail_msg("%s", run->err);
    assert_int_equal(next(run), RECORD_PERSON);
    assert_int_equal(run->person.count, 2);
    assert_int_equal(run->person.convictions[1].row, 2);
    assert_int_equal(next(run), RECORD_END);
    assert_int_equal(run->rejected.count, 0);
    check_accounting(run);
    close_run(run);
    free(b.s);
}

static void test_hostile_rows_rejected(void **state)
{
    (void)state;
    struct sbuf b = {0};
    put_header(&b, "\r\n");
    struct spec s = conv("S1", "001001001", "11358 HS-CULTIVATE");
    put_row(&b, &s, "\r\n");                          /* row 1: good */
    sb_printf(&b, "only,three,fields\r\n");            /* row 2: 3 fields */
    struct spec blank_id = conv("  ", "001001002", "11358 HS");
    put_row(&b, &blank_id, "\r\n");                   /* row 3: blank SUBJECT_ID */
    struct sbuf row = {0};
    s.cnt = "001001003";
    put_row(&row, &s, "");
    char *at = strstr(row.s, "DOE,JANE\"");           /* text after a closing quote */
    assert_non_null(at);
    sb_put(&b, row.s, (size_t)(at - row.s) + 9);
    sb_put(&b, "x", 1);
    sb_put(&b, at + 9, row.len - (size_t)(at - row.s) - 9);
    sb_printf(&b, "\r\n");                            /* row 4 */
    row.len = 0;
    s.cnt = "001001004";
    s.county = "LOS\001ANGELES";
    put_row(&row, &s, "\r\n");
    char *ctl = strchr(row.s, '\001');
    *ctl = '\0';                                      /* row 5: a NUL byte in a kept cell */
    sb_put(&b, row.s, row.len);
    s.county = "LOS ANGELES";
    sb_printf(&b, "\n\n");                            /* blank lines: not rows */
    /* row 6: a 96th field that is not empty */
    s.cnt = "001001006";
    row.len = 0;
    put_row(&row, &s, "");
    sb_put(&b, row.s, row.len);
    sb_printf(&b, ",extra\n");
    /* row 7: a 96th field that is empty: fine */
    s.cnt = "001001007";
    row.len = 0;
    put_row(&row, &s, "");
    sb_put(&b, row.s, row.len);
    sb_printf(&b, ",\n");
    /* row 8: a cell over 1 MiB in a column not used */
    row.len = 0;
    s.cnt = "001001008";
    put_row(&row, &s, "\n");
    char *big = malloc(CADOJ_MAX_FIELD + 2);
    assert_non_null(big);
    memset(big, 'y', CADOJ_MAX_FIELD + 1);
    sb_put(&b, ",", 1); /* RECORD_ID empty, then SUBJECT_STATUS over 1 MiB, then the rest */
    sb_put(&b, big, CADOJ_MAX_FIELD + 1);
    sb_put(&b, row.s + 1, row.len - 1);
    free(big);
    /* row 9: good; row 10: an unterminated quote that runs to the end of the file */
    s.cnt = "001001009";
    put_row(&b, &s, "\n");
    s.cnt = "001001010";
    s.offense = "11359 HS\"never closed";
    row.len = 0;
    put_row(&row, &s, "\n");
    char *q = strstr(row.s, "\"11359 HS");
    assert_non_null(q);
    sb_put(&b, row.s, (size_t)(q - row.s));
    sb_printf(&b, "\"11359 HS, then more rows\nS1,,,\n");
    free(row.s);

    struct run *run = open_text(b.s, b.len);
    free(b.s);
    if (!run->reader)
        fail_msg("%s", run->err);
    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(&run->person, run->person.id), "S1");
    assert_int_equal(run->person.count, 3);
    assert_int_equal(run->person.convictions[0].row, 1);
    assert_int_equal(run->person.convictions[1].row, 7);
    assert_int_equal(run->person.convictions[2].row, 9);
    assert_int_equal(next(run), RECORD_END);

    const uint64_t want_rows[] = {2, 3, 4, 5, 6, 8, 10};
    const char *want[] = {"the row has 3 values", "SUBJECT_ID is blank",
                          "column 13 (PRI_NAME) has text after the closing double quote",
                          "column 49 (STP_ORI_CNTY_NAME) contains a NUL byte",
                          "the row has 96 values", "column 2 (SUBJECT_STATUS) is longer than 1 MiB",
                          "not closed before the end of the file"};
    assert_int_equal(run->rejected.count, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(run->rejected.rows[i], want_rows[i]);
        if (!strstr(run->rejected.reasons[i], want[i]))
            fail_msg("row %llu: '%s' does not say '%s'", (unsigned long long)want_rows[i],
                     run->rejected.reasons[i], want[i]);
    }
    assert_int_equal(run->reader->rows_read, 10);
    check_accounting(run);
    close_run(run);
}

/* ---- what a subject becomes ------------------------------------------------------------ */

static void test_subject_facts(void **state)
{
    (void)state;
    struct sbuf b = {0};
    put_header(&b, "\n");
    /* A: arrest row with no DOB, then convictions; a continuation row of the FIRST count after
     * another count; a DECEASED step */
    struct spec s = {.subject = "A", .date = "20000101", .disp = "", .offense = "11358 HS",
                     .cnt = "001001001"};
    put_row(&b, &s, "\n");                                           /* row 1: arrest, no DOB */
    s = conv("A", "001002001", "11359(B) HS-POSSESS FOR SALE");      /* row 2 */
    s.dob = "19800229";
    s.sent_len = "1";
    s.sent_unit = "Y";
    put_row(&b, &s, "\n");
    s = conv("A", "002002001", "POSSESS MARIJUANA");                 /* row 3: not a citation */
    s.dob = "";
    s.conv_stat = "";
    s.toc = "M";
    s.sent_len = "30";
    s.sent_unit = "D";
    s.county = "";
    put_row(&b, &s, "\n");
    s = conv("A", "001002001", "11359(B) HS-POSSESS FOR SALE");      /* row 4: continuation of row 2 */
    s.dob = "19800229";
    s.disp = "CONVICTED-JAIL";
    s.sent_len = "90";
    s.sent_unit = "D";
    s.date = "19990101";
    put_row(&b, &s, "\n");
    s = conv("A", "001002001", "11359(B) HS");                       /* row 5: continuation, 2 M */
    s.dob = "19800229";
    s.sent_len = "2";
    s.sent_unit = "m";
    put_row(&b, &s, "\n");
    s = (struct spec){.subject = "A", .date = "20200101", .disp = ""};
    put_row(&b, &s, "\n");                                           /* row 6: a DECEASED-like step */
    /* B: conflicting dates of birth; sentence unit N; blank date; short CNT_ORDER; comment */
    s = conv("B", "12", "SEE COMMENT FOR CHARGE");                   /* row 7 */
    s.comment = ":CHRG 11360(A) HS";
    s.sent_unit = "N";
    s.date = "";
    s.conv_stat = "INFRACTION";
    put_row(&b, &s, "\n");
    s = conv("B", "", "664/187 PC");                                 /* row 8: blank CNT_ORDER */
    s.dob = "19700102";
    s.sent_len = "";
    s.sent_unit = "";
    s.conv_stat = "UNKNOWN";
    s.toc = "X";
    s.date = "20101301";
    put_row(&b, &s, "\n");
    s = conv("B", "", "664/187 PC");                                 /* row 9: blank CNT_ORDER again */
    s.sent_len = "6";
    s.sent_unit = "";
    put_row(&b, &s, "\n");
    /* C: no conviction at all */
    s = (struct spec){.subject = "C", .dob = "19900101", .disp = "DISMISSED/CHARGE DROPPED",
                      .offense = "11357 HS", .cnt = "001001001"};
    put_row(&b, &s, "\n");                                           /* row 10 */
    put_row(&b, &s, "\n");                                           /* row 11 */
    s = (struct spec){.subject = "D", .dob = "notadate", .disp = "convicted-probation",
                      .offense = "11357(a) hs", .cnt = "001001001", .sent_len = "1234567",
                      .sent_unit = "D"};
    put_row(&b, &s, "\n");                                           /* row 12 */

    struct run *run = open_text(b.s, b.len);
    free(b.s);
    if (!run->reader)
        fail_msg("%s", run->err);
    struct person *p = &run->person;

    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "A");
    int32_t d;
    assert_true(date_from_ymd(1980, 2, 29, &d));
    assert_true(p->known & (1u << FACT_DATE_OF_BIRTH));
    assert_int_equal(p->date_of_birth, d);
    assert_int_equal(p->count, 2);
    const struct conviction *c = &p->convictions[0];
    assert_int_equal(c->row, 2);
    assert_string_equal(c->citation.text, "HS 11359(b)");
    assert_true(known(c, FACT_SENTENCE));
    assert_int_equal(c->sentence.months, 14);  /* 1 Y + 2 M */
    assert_int_equal(c->sentence.days, 90);    /* + 90 D */
    assert_true(date_from_ymd(2010, 1, 2, &d)); /* the first row's date, not the continuation's */
    assert_int_equal(c->disposition_date, d);
    c = &p->convictions[1];
    assert_int_equal(c->row, 3);
    assert_false(known(c, FACT_CITATION));
    assert_string_equal(text_of(p, c->key), "POSSESS MARIJUANA");
    assert_true(known(c, FACT_LEVEL));
    assert_int_equal(c->level, LEVEL_MISDEMEANOR); /* from OFFENSE_TOC */
    assert_false(known(c, FACT_COUNTY));
    assert_int_equal(c->sentence.months, 0);
    assert_int_equal(c->sentence.days, 30);
    assert_string_equal(text_of(p, c->case_id), "002002");

    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "B");
    assert_false(p->known & (1u << FACT_DATE_OF_BIRTH)); /* 1970-01-01 and 1970-01-02 */
    assert_int_equal(p->count, 3);
    c = &p->convictions[0];
    assert_string_equal(c->citation.text, "HS 11360(a)");
    assert_string_equal(text_of(p, c->key), ":CHRG 11360(A) HS");
    assert_false(known(c, FACT_SENTENCE)); /* unit N */
    assert_false(known(c, FACT_DISPOSITION_DATE));
    assert_int_equal(c->level, LEVEL_INFRACTION);
    assert_string_equal(text_of(p, c->case_id), "12");
    c = &p->convictions[1];
    assert_string_equal(c->citation.text, "PC 187");
    assert_int_equal(c->citation.flags, CITATION_ATTEMPT);
    assert_false(known(c, FACT_CASE_ID));
    assert_false(known(c, FACT_LEVEL));            /* UNKNOWN and X */
    assert_false(known(c, FACT_DISPOSITION_DATE)); /* month 13 */
    assert_false(known(c, FACT_SENTENCE));         /* no sentence given: unknown, not zero */
    assert_false(known(&p->convictions[2], FACT_SENTENCE)); /* a length with no unit */
    assert_int_equal(p->convictions[2].row, 9);

    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "C");
    assert_int_equal(p->count, 0);

    assert_int_equal(next(run), RECORD_PERSON);
    assert_string_equal(text_of(p, p->id), "D");
    assert_false(p->known & (1u << FACT_DATE_OF_BIRTH));
    assert_int_equal(p->count, 1);
    assert_string_equal(p->convictions[0].citation.text, "HS 11357(a)");
    assert_false(known(&p->convictions[0], FACT_SENTENCE)); /* 7 digits */

    assert_int_equal(next(run), RECORD_END);
    check_accounting(run);
    struct cadoj_counts k;
    cadoj_reader_counts(run->reader, &k);
    assert_int_equal(k.rows_read, 12);
    assert_int_equal(k.rows_conviction, 6);
    assert_int_equal(k.rows_continuation, 2);
    assert_int_equal(k.rows_other, 6); /* rows 1, 4, 5, 6, 10, 11 */
    assert_int_equal(k.subjects, 4);
    assert_int_equal(k.subjects_without_conviction, 1);
    assert_int_equal(k.citations_unknown, 1);
    close_run(run);
}

static void test_non_adjacent_subject_handed_out_twice(void **state)
{
    (void)state;
    struct sbuf b = {0};
    put_header(&b, "\n");
    struct spec s = conv("A", "001001001", "11357 HS");
    put_row(&b, &s, "\n");
    s.subject = "B";
    put_row(&b, &s, "\n");
    s.subject = "A";
    s.cnt = "001001001"; /* the same count again: a new person, so a new conviction */
    put_row(&b, &s, "\n");
    struct run *run = open_text(b.s, b.len);
    free(b.s);
    assert_non_null(run->reader);
    drain(run);
    assert_int_equal(run->persons, 3);
    assert_int_equal(run->convictions, 3);
    check_accounting(run);
    close_run(run);
}

/* ---- streaming ------------------------------------------------------------------------- */

/* Everything the reader hands out, as text, to compare runs with different read sizes. */
static void digest(const char *path, size_t block, struct sbuf *out)
{
    struct run *run = open_path(path, block);
    if (!run->reader)
        fail_msg("%s: %s", path, run->err);
    struct person *p = &run->person;
    while (next(run) == RECORD_PERSON) {
        sb_printf(out, "P %s %d %d\n", text_of(p, p->id), (int)p->known, (int)p->date_of_birth);
        for (uint32_t i = 0; i < p->count; i++) {
            const struct conviction *c = &p->convictions[i];
            sb_printf(out, " %u %s %u %d %d %d %d %s %s %llu %s\n", c->known, c->citation.text,
                      c->level, (int)c->disposition_date, (int)c->sentence.months,
                      (int)c->sentence.days, (int)c->citation.flags, text_of(p, c->county),
                      text_of(p, c->case_id), (unsigned long long)c->row, text_of(p, c->key));
        }
    }
    for (uint64_t i = 0; i < run->rejected.count && i < MAX_REJECTS; i++)
        sb_printf(out, "R %llu %s\n", (unsigned long long)run->rejected.rows[i],
                  run->rejected.reasons[i]);
    check_accounting(run);
    close_run(run);
}

static void test_rows_straddle_reads(void **state)
{
    (void)state;
    const size_t blocks[] = {1, 2, 3, 5, 7, 13, 64, 100, 4096};
    const char *extra[] = {FIX "gogen/bad.csv"};
    for (size_t i = 0; i < NFIXTURES + 1; i++) {
        const char *path = i < NFIXTURES ? fixture_counts[i].path : extra[0];
        struct sbuf want = {0};
        digest(path, 0, &want);
        assert_true(want.len > 0);
        for (size_t j = 0; j < sizeof blocks / sizeof blocks[0]; j++) {
            struct sbuf got = {0};
            digest(path, blocks[j], &got);
            if (got.len != want.len || memcmp(got.s, want.s, want.len) != 0)
                fail_msg("%s read %zu bytes at a time differs from one read", path, blocks[j]);
            free(got.s);
        }
        free(want.s);
    }
}

static void test_large_file_memory_flat(void **state)
{
    (void)state;
    /* 100,000 rows, over 10 MB: subjects straddle the 1 MiB reads; quoted names with commas */
    const uint32_t subjects = 20000;
    struct sbuf b = {0};
    put_header(&b, "\r\n");
    char id[32], cnt[32], name[64];
    for (uint32_t i = 0; i < subjects; i++) {
        snprintf(id, sizeof id, "%u", 10000000u + i);
        snprintf(name, sizeof name, "SUBJECT,NUMBER \"%u\"", i);
        struct spec s = {.subject = id, .dob = "19700101", .date = "20100101",
                         .disp = "", .offense = "11358 HS-CULTIVATE", .cnt = "001001001",
                         .name = name};
        put_row(&b, &s, "\r\n"); /* arrest */
        for (int k = 0; k < 3; k++) {
            snprintf(cnt, sizeof cnt, "001002%03d", k);
            s = conv(id, cnt, k == 1 ? "11359(B) HS-POSSESS FOR SALE" : "11358 HS-CULTIVATE");
            s.name = name;
            put_row(&b, &s, "\r\n");
        }
        struct spec cont = conv(id, "001002000", "11358 HS"); /* continuation of the first */
        cont.sent_len = "10";
        cont.sent_unit = "D";
        put_row(&b, &cont, "\r\n");
    }
    char *path = write_temp(b.s, b.len);
    size_t bytes = b.len;
    free(b.s);
    assert_true(bytes > 10u << 20);

    struct run *run = open_path(path, 0);
    assert_non_null(run->reader);
    struct person *p = &run->person;
    const uint32_t warm = 10000; /* past several 1 MiB reads */
    size_t warm_footprint = 0, warm_strings = 0;
    uint32_t warm_capacity = 0;
    uint32_t seen = 0;
    char want[32];
    while (next(run) == RECORD_PERSON) {
        snprintf(want, sizeof want, "%u", 10000000u + seen);
        assert_string_equal(text_of(p, p->id), want);
        assert_int_equal(p->count, 3);
        assert_int_equal(p->convictions[0].sentence.months, 6);
        assert_int_equal(p->convictions[0].sentence.days, 10);
        assert_int_equal(p->convictions[1].row, 5 * (uint64_t)seen + 3);
        assert_string_equal(p->convictions[1].citation.text, "HS 11359(b)");
        seen++;
        if (seen == warm) {
            warm_footprint = cadoj_reader_footprint(run->reader);
            warm_capacity = p->capacity;
            warm_strings = p->strings_cap;
        } else if (seen > warm) {
            /* nothing grows once warm: no allocation per row or per subject */
            assert_int_equal(cadoj_reader_footprint(run->reader), warm_footprint);
            assert_int_equal(p->capacity, warm_capacity);
            assert_int_equal(p->strings_cap, warm_strings);
        }
    }
    assert_int_equal(seen, subjects);
    /* the read buffer is about two blocks and one row, not the file */
    assert_true(warm_footprint < 2 * CADOJ_BLOCK + (256u << 10));
    check_accounting(run);
    struct cadoj_counts k;
    cadoj_reader_counts(run->reader, &k);
    assert_int_equal(k.rows_read, 5 * (uint64_t)subjects);
    assert_int_equal(k.rows_conviction, 3 * (uint64_t)subjects);
    assert_int_equal(k.rows_continuation, subjects);
    close_run(run);
    unlink(path);
    free(path);
}

static void test_conviction_cap_and_big_subject(void **state)
{
    (void)state;
    /* one subject with more convictions than Lenity keeps, then continuations of early counts */
    const uint32_t n = CADOJ_MAX_CONVICTIONS + 2;
    struct sbuf b = {0};
    put_header(&b, "\n");
    char cnt[32];
    struct spec s = conv("BIG", NULL, "11358 HS");
    s.sent_len = "1";
    s.sent_unit = "D";
    for (uint32_t i = 0; i < n; i++) {
        snprintf(cnt, sizeof cnt, "%09u", i);
        s.cnt = cnt;
        put_row(&b, &s, "\n");
    }
    s.cnt = "000000007"; /* a continuation row of the 8th count, after the rejected rows */
    s.sent_len = "2";
    put_row(&b, &s, "\n");
    struct run *run = open_text(b.s, b.len);
    free(b.s);
    assert_non_null(run->reader);
    assert_int_equal(next(run), RECORD_PERSON);
    assert_int_equal(run->person.count, CADOJ_MAX_CONVICTIONS);
    assert_int_equal(run->person.convictions[7].sentence.days, 3);
    assert_int_equal(run->person.convictions[8].sentence.days, 1);
    assert_int_equal(next(run), RECORD_END);
    assert_int_equal(run->rejected.count, 2);
    assert_int_equal(run->rejected.rows[0], CADOJ_MAX_CONVICTIONS + 1);
    assert_non_null(strstr(run->rejected.reasons[0], "already has 100000 convictions"));
    check_accounting(run);
    close_run(run);
}

/* ---- kept rows, and the quick and careful scanners --------------------------------------- */

/* The input rows a test expects a person to keep. */
struct kept {
    const char *text;
    uint64_t row;
    uint32_t conviction;
};

static void expect_kept(const struct person *p, const struct kept *want, uint32_t n)
{
    if (p->nrows != n)
        fail_msg("person %s kept %u rows, expected %u", text_of(p, p->id), p->nrows, n);
    for (uint32_t i = 0; i < n; i++) {
        const struct raw_row *r = &p->rows[i];
        size_t len = strlen(want[i].text);
        if (r->text.len != len || memcmp(text_of(p, r->text), want[i].text, len) != 0)
            fail_msg("person %s, kept row %u: '%.*s', expected '%s'", text_of(p, p->id), i,
                     (int)r->text.len, text_of(p, r->text), want[i].text);
        assert_int_equal(r->row, want[i].row);
        assert_int_equal(r->conviction, want[i].conviction);
    }
}

/* Row text with the 95 cells of a spec, as put_row writes them, without a line end. */
static char *row_text(const struct spec *s)
{
    struct sbuf b = {0};
    put_row(&b, s, "");
    return b.s;
}

static void test_keep_rows(void **state)
{
    (void)state;
    struct sbuf b = {0};
    /* a byte-order mark and a quoted name in the header: the header line is given as read, without them */
    sb_put(&b, "\xEF\xBB\xBF", 3);
    struct sbuf header = {0};
    for (int i = 0; i < CADOJ_COLUMNS; i++)
        sb_printf(&header, i == 1 ? ",\"%s\"" : i ? ",%s" : "%s", cadoj_column_names[i]);
    sb_put(&b, header.s, header.len);
    sb_printf(&b, "\r\n");

    /* A: an arrest, a conviction with a name holding a comma, a quote and a line break, and
     * its continuation row; a blank line between them */
    struct spec arrest = {.subject = "A", .offense = "11357 HS", .cnt = "001001001", .disp = "",
                          .name = "DOE,\"JJ\"\nJANE"};
    char *a1 = row_text(&arrest);
    sb_printf(&b, "%s\r\n\r\n", a1);
    struct spec c = conv("A", "001002001", "11358 HS-CULTIVATE");
    c.comment = "SAID \"NO\"";                       /* a doubled quote in a kept cell */
    char *a2 = row_text(&c);
    sb_printf(&b, "%s\n", a2);
    c.comment = NULL;
    c.sent_len = "10";
    c.sent_unit = "D";
    char *a3 = row_text(&c);                         /* continuation: no conviction made from it */
    sb_printf(&b, "%s\r", a3);                       /* a bare CR ends it */
    /* a rejected row of A's (3 cells): not kept */
    sb_printf(&b, "x,y,A\n");
    /* B: a row over 64 KiB (read by the careful scanner), then a last row without a line end */
    struct spec big = conv("B", "001001001", "11360(A) HS");
    char *name = malloc(70000);
    assert_non_null(name);
    memset(name, 'N', 69999);
    name[69999] = '\0';
    big.name = name;
    char *b1 = row_text(&big);
    sb_printf(&b, "%s\n", b1);
    struct spec last = conv("B", "001001002", "11357(B) HS");
    last.county = "  LOS ANGELES  ";                  /* blanks kept as read */
    char *b2 = row_text(&last);
    sb_printf(&b, "%s", b2);
    char *path = write_temp(b.s, b.len);

    const size_t blocks[] = {0, 1, 7, 4096};
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        for (int careful = 0; careful < 2; careful++) {
            struct run *run = open_path(path, blocks[k]);
            if (!run->reader)
                fail_msg("%s", run->err);
            run->reader->keep_rows = true;
            if (careful)
                cadoj_reader_scan_carefully(run->reader);
            size_t hlen = 0;
            const char *h = run->reader->header(run->reader, &hlen);
            assert_int_equal(hlen, header.len);
            assert_memory_equal(h, header.s, hlen);

            assert_int_equal(next(run), RECORD_PERSON);
            const struct kept want_a[] = {{a1, 1, UINT32_MAX}, {a2, 2, 0}, {a3, 3, UINT32_MAX}};
            expect_kept(&run->person, want_a, 3);
            assert_int_equal(run->person.count, 1);
            assert_string_equal(text_of(&run->person, run->person.convictions[0].key), "11358 HS-CULTIVATE");

            assert_int_equal(next(run), RECORD_PERSON);
            const struct kept want_b[] = {{b1, 5, 0}, {b2, 6, 1}};
            expect_kept(&run->person, want_b, 2);
            assert_string_equal(text_of(&run->person, run->person.convictions[1].county), "LOS ANGELES");

            assert_int_equal(next(run), RECORD_END);
            assert_int_equal(run->rejected.count, 1);
            assert_int_equal(run->rejected.rows[0], 4);
            check_accounting(run);
            close_run(run);
        }
    }
    /* not asked for: nothing kept */
    struct run *run = open_path(path, 0);
    assert_non_null(run->reader);
    while (next(run) == RECORD_PERSON)
        assert_int_equal(run->person.nrows, 0);
    close_run(run);

    unlink(path);
    free(path);
    free(name);
    free(a1);
    free(a2);
    free(a3);
    free(b1);
    free(b2);
    free(header.s);
    free(b.s);
}

/* How digest_with reads: carefully, with the reader's own choice, or with a build of the quick scanner. */
enum { READ_CAREFULLY = -2, READ_AS_CHOSEN = -1 };

/*
 * Everything a reader hands out, kept rows included, read as `how` says
 * (false when the processor cannot run that build of the quick scanner).
 */
static bool digest_with(const char *path, size_t block, int how, struct sbuf *out)
{
    struct run *run = open_path(path, block);
    if (!run->reader)
        fail_msg("%s: %s", path, run->err);
    run->reader->keep_rows = true;
    if (how == READ_CAREFULLY)
        cadoj_reader_scan_carefully(run->reader);
    else if (how != READ_AS_CHOSEN && !cadoj_reader_choose_scanner(run->reader, (enum cadoj_scanner)how)) {
        close_run(run);
        return false;
    }
    struct person *p = &run->person;
    while (next(run) == RECORD_PERSON) {
        sb_printf(out, "P %s %d %d\n", text_of(p, p->id), (int)p->known, (int)p->date_of_birth);
        for (uint32_t i = 0; i < p->count; i++) {
            const struct conviction *c = &p->convictions[i];
            sb_printf(out, " %u %s %u %d %d %d %s|%s|%s|%s %llu\n", c->known, c->citation.text, c->level,
                      (int)c->disposition_date, (int)c->sentence.months, (int)c->sentence.days,
                      text_of(p, c->county), text_of(p, c->case_id), text_of(p, c->cycle_id),
                      text_of(p, c->key), (unsigned long long)c->row);
        }
        for (uint32_t i = 0; i < p->ncharges; i++)
            sb_printf(out, " charge %llu %s\n", (unsigned long long)p->charges[i].row,
                      text_of(p, p->charges[i].key));
        for (uint32_t i = 0; i < p->nrows; i++) {
            sb_printf(out, " row %llu %u ", (unsigned long long)p->rows[i].row, p->rows[i].conviction);
            sb_put(out, text_of(p, p->rows[i].text), p->rows[i].text.len);
            sb_put(out, "\n", 1);
        }
    }
    for (uint64_t i = 0; i < run->rejected.count && i < MAX_REJECTS; i++)
        sb_printf(out, "R %llu %s\n", (unsigned long long)run->rejected.rows[i], run->rejected.reasons[i]);
    check_accounting(run);
    close_run(run);
    return true;
}

static void digest_all(const char *path, size_t block, bool careful, struct sbuf *out)
{
    digest_with(path, block, careful ? READ_CAREFULLY : READ_AS_CHOSEN, out);
}

/* A deterministic stream of numbers for the synthetic rows below. */
static uint32_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

static void test_quick_and_careful_scanners_agree(void **state)
{
    (void)state;
    /* the fixtures, hostile rows included */
    for (size_t i = 0; i < NFIXTURES + 1; i++) {
        const char *path = i < NFIXTURES ? fixture_counts[i].path : FIX "gogen/bad.csv";
        struct sbuf quick = {0}, careful = {0};
        digest_all(path, 0, false, &quick);
        digest_all(path, 0, true, &careful);
        if (quick.len != careful.len || memcmp(quick.s, careful.s, quick.len) != 0)
            fail_msg("%s: the quick and the careful scanner read it differently", path);
        free(quick.s);
        free(careful.s);
    }
    /* rows made of cells of every shape: quotes in every place, blanks, NULs, line ends, commas */
    static const char *const shapes[] = {
        "", "A", "  A ", "\"A\"", "\"A,B\"", "\"A\"\"B\"", " \"A\"", "\"A\" ", "\"A\"x", "A\"B",
        "\"", "\"\"", "\"\"\"\"", "\"A\nB\"", "\"A\rB\"", "\"A\r\nB\"", "x\ty", "\"a\0b\"", "a\0b",
        "11357 HS", "CONVICTED", "20100101", "001001001",
        "A LONG CELL OF TEXT THAT RUNS PAST ONE SPAN OF SIXTY-FOUR BYTES, AND THEN SOME MORE",
        "\"A LONG QUOTED CELL, WITH COMMAS, THAT RUNS PAST ONE SPAN OF SIXTY-FOUR BYTES\"",
        ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", /* 70 more cells */
    };
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    uint64_t seed = 42;
    struct sbuf b = {0};
    put_header(&b, "\n");
    for (int row = 0; row < 3000; row++) {
        uint32_t kind = next_random(&seed) % 10;
        int cells = kind == 0 ? 94 + (int)(next_random(&seed) % 4) : CADOJ_COLUMNS;
        for (int i = 0; i < cells; i++) {
            if (i)
                sb_put(&b, ",", 1);
            const char *v;
            if (i == 2)
                v = (next_random(&seed) % 7 == 0) ? shapes[next_random(&seed) % nshapes]
                                                  : (row / 5 % 2 ? "S1" : "S2");
            else if (i == 80)
                v = next_random(&seed) % 3 ? "CONVICTED-JAIL" : "DISMISSED";
            else if (next_random(&seed) % (kind == 1 ? 3 : 40) == 0)
                v = shapes[next_random(&seed) % nshapes];
            else
                v = "";
            /* shapes with a NUL are written with it */
            size_t len = strlen(v);
            if (v == shapes[17] || v == shapes[18])
                len = strlen(v) + 2;
            sb_put(&b, v, len);
        }
        uint32_t eol = next_random(&seed) % 4;
        sb_printf(&b, "%s", eol == 0 ? "\r\n" : eol == 1 ? "\r" : "\n");
    }
    char *path = write_temp(b.s, b.len);
    free(b.s);
    const size_t blocks[] = {0, 1, 3, 64, 100};
    struct sbuf want = {0};
    digest_all(path, 0, true, &want);
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        struct sbuf got = {0};
        digest_all(path, blocks[k], false, &got);
        if (got.len != want.len || memcmp(got.s, want.s, want.len) != 0)
            fail_msg("synthetic rows read %zu bytes at a time: the quick scanner differs", blocks[k]);
        free(got.s);
    }
    /* every build of the quick scanner this processor runs (the portable one always) */
    static const char *const builds[] = {"portable", "AVX2", "AVX2 with bit deposit"};
    for (int how = CADOJ_SCANNER_PORTABLE; how <= CADOJ_SCANNER_BMI2; how++) {
        struct sbuf got = {0};
        if (digest_with(path, 0, how, &got) && (got.len != want.len || memcmp(got.s, want.s, want.len) != 0))
            fail_msg("synthetic rows: the %s quick scanner differs from the careful one", builds[how]);
        free(got.s);
    }
    free(want.s);
    unlink(path);
    free(path);
}

/* ---- one export in parts ------------------------------------------------------------------- */

static void test_split_at_a_subject(void **state)
{
    (void)state;
    /* subjects of 3 rows, S0 S1 ...; S5's name cell spans lines with what looks like rows */
    struct sbuf b = {0};
    put_header(&b, "\n");
    size_t starts[12];
    for (int i = 0; i < 12; i++) {
        char id[16];
        snprintf(id, sizeof id, "S%d", i);
        starts[i] = b.len;
        for (int k = 0; k < 3; k++) {
            char cnt[16];
            snprintf(cnt, sizeof cnt, "00100%d00%d", k, k);
            struct spec s = conv(id, cnt, "11357 HS");
            if (i == 5 && k == 1)
                s.name = "DOE\nX,Y,S99,\nJANE";
            put_row(&b, &s, "\n");
        }
    }
    char *path = write_temp(b.s, b.len);
    char err[1024];

    /* the first subject to begin after a byte in S3's rows is S4 */
    uint64_t at = 0;
    struct run *finder = open_path(path, 0);
    assert_non_null(finder->reader);
    struct person scratch;
    person_init(&scratch);
    assert_true(cadoj_reader_find_subject_start(finder->reader, starts[3] + 10, &scratch, &at, err, sizeof err));
    assert_int_equal(at, starts[4]);
    /* from inside S5's quoted name the guess may be wrong; the stop shows it */
    assert_false(cadoj_reader_find_subject_start(finder->reader, b.len - 10, &scratch, &at, err, sizeof err));
    assert_non_null(strstr(err, "no subject starts after byte"));
    person_free(&scratch);
    close_run(finder);

    /* a reader from the start stops where S4 begins; a reader restarted there reads the rest */
    struct run *first = open_path(path, 0);
    assert_non_null(first->reader);
    cadoj_reader_stop_at(first->reader, starts[4]);
    drain(first);
    uint64_t stopped = 0;
    assert_true(cadoj_reader_stopped(first->reader, &stopped));
    assert_int_equal(stopped, starts[4]);
    assert_int_equal(first->persons, 4);
    assert_int_equal(first->reader->rows_read, 12);
    check_accounting(first);

    struct run *second = open_path(path, 0);
    assert_non_null(second->reader);
    assert_true(cadoj_reader_restart_at(second->reader, starts[4], err, sizeof err));
    assert_int_equal(next(second), RECORD_PERSON);
    assert_string_equal(text_of(&second->person, second->person.id), "S4");
    assert_int_equal(second->person.convictions[0].row, 1); /* rows count from the part's start */
    drain(second);
    assert_int_equal(second->persons, 8);
    assert_int_equal(second->reader->rows_read, 24);
    check_accounting(second);
    close_run(second);

    /* the first reader, after its stop, restarted where S4 begins: the same, rows from 1 again */
    assert_true(cadoj_reader_restart_at(first->reader, starts[4], err, sizeof err));
    first->persons = first->convictions = 0;
    assert_int_equal(next(first), RECORD_PERSON);
    assert_string_equal(text_of(&first->person, first->person.id), "S4");
    assert_int_equal(first->person.convictions[0].row, 1);
    drain(first);
    assert_int_equal(first->persons, 8);
    assert_int_equal(first->reader->rows_read, 24);
    assert_false(cadoj_reader_stopped(first->reader, &stopped)); /* a restart forgets the stop */
    /* and from 0, the whole file from its first data row */
    assert_true(cadoj_reader_restart_at(first->reader, 0, err, sizeof err));
    first->persons = first->convictions = 0;
    first->rejected.count = 0;
    drain(first);
    assert_int_equal(first->persons, 12);
    assert_int_equal(first->reader->rows_read, 36);
    check_accounting(first);
    close_run(first);

    /* a stop that is not where a subject begins: the reader stops at the next subject */
    first = open_path(path, 0);
    cadoj_reader_stop_at(first->reader, starts[2] + 1);
    drain(first);
    assert_true(cadoj_reader_stopped(first->reader, &stopped));
    assert_int_equal(stopped, starts[3]);
    close_run(first);

    unlink(path);
    free(path);
    free(b.s);
}

/* ---- format detection -------------------------------------------------------------------- */

static void test_looks_like(void **state)
{
    (void)state;
    const char *yes[] = {"RECORD_ID,SUBJECT_STATUS", "RECORD_ID", "RECORD_ID\r\n", "record_id,x",
                         "\xEF\xBB\xBFRECORD_ID,", "\"RECORD_ID\",\"SUBJECT_STATUS\""};
    const char *no[] = {"", "RECORD", "RECORD_IDX,", ",,18675309,", "person_id,citation",
                        "SUBJECT_STATUS,SUBJECT_ID", " RECORD_ID,", "\"RECORD_ID,", "\xEF\xBB"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!cadoj_looks_like(yes[i], strlen(yes[i])))
            fail_msg("'%s' should look like a DOJ export", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (cadoj_looks_like(no[i], strlen(no[i])))
            fail_msg("'%s' should not look like a DOJ export", no[i]);
    assert_false(cadoj_looks_like(NULL, 10));
    /* exactly the bytes given: no read past len */
    char *exact = malloc(9);
    assert_non_null(exact);
    memcpy(exact, "RECORD_ID", 9);
    assert_true(cadoj_looks_like(exact, 9));
    assert_false(cadoj_looks_like(exact, 8));
    free(exact);
    /* every fixture that the reader accepts is detected, and the headerless ones are not */
    for (size_t i = 0; i < NFIXTURES; i++) {
        FILE *f = fopen(fixture_counts[i].path, "rb");
        assert_non_null(f);
        char buf[256];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        assert_true(cadoj_looks_like(buf, n));
    }
    FILE *f = fopen(FIX "gogen/no_headers.csv", "rb");
    assert_non_null(f);
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_false(cadoj_looks_like(buf, n));
    struct cadoj_counts k;
    assert_false(cadoj_reader_counts(NULL, &k));
    assert_int_equal(cadoj_reader_footprint(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_counts),
        cmocka_unit_test(test_los_angeles_subjects_in_detail),
        cmocka_unit_test(test_fixture_continuation_row),
        cmocka_unit_test(test_bad_csv_rows_rejected_with_numbers),
        cmocka_unit_test(test_fixture_files_refused_at_open),
        cmocka_unit_test(test_bad_headers_refused),
        cmocka_unit_test(test_header_variants_accepted),
        cmocka_unit_test(test_hostile_rows_rejected),
        cmocka_unit_test(test_subject_facts),
        cmocka_unit_test(test_non_adjacent_subject_handed_out_twice),
        cmocka_unit_test(test_rows_straddle_reads),
        cmocka_unit_test(test_large_file_memory_flat),
        cmocka_unit_test(test_conviction_cap_and_big_subject),
        cmocka_unit_test(test_looks_like),
        cmocka_unit_test(test_keep_rows),
        cmocka_unit_test(test_quick_and_careful_scanners_agree),
        cmocka_unit_test(test_split_at_a_subject),
    };
    return cmocka_run_group_tests_name("cadoj", tests, NULL, NULL);
}
