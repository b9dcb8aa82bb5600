/*
 * test_doj_offense.c - DOJ offence text to citations, checked on every
 * distinct OFFENSE_DESCR and COMMENT_TEXT value of the gogen fixtures
 * (tests/unit/data/doj_offenses.tsv), plus hand-written and hostile cases.
 * Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "doj_offense.h"

#define TABLE_PATH "tests/unit/data/doj_offenses.tsv"
#define FIXTURES "tests/fixtures/gogen"
#define DOJ_COLUMNS 95
#define COL_OFFENSE_DESCR 54
#define COL_COMMENT_TEXT 93

struct entry {
    char *input;
    char *expected; /* canonical citation or "-" */
    uint8_t flags;
    char *seen_in;  /* OFFENSE_DESCR, COMMENT_TEXT, both joined by '+', or "extra" */
    bool seen_offense, seen_comment; /* found by the coverage walk */
};

struct table {
    struct entry *e;
    size_t n, cap;
    size_t fixture_lines;
};

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static uint8_t parse_flags(const char *s)
{
    if (strcmp(s, "-") == 0)
        return 0;
    uint8_t f = 0;
    if (strstr(s, "attempt"))
        f |= CITATION_ATTEMPT;
    if (strstr(s, "conspiracy"))
        f |= CITATION_CONSPIRACY;
    assert_true(f != 0);
    return f;
}

static void load_table(struct table *t)
{
    memset(t, 0, sizeof *t);
    size_t len;
    char *text = read_file(TABLE_PATH, &len);
    if (!text)
        fail_msg("cannot read %s (run the tests from the repository root)", TABLE_PATH);
    char *line = text;
    while (line < text + len) {
        char *end = strchr(line, '\n');
        if (!end)
            end = text + len;
        *end = '\0';
        if (line[0] != '#') {
            char *cols[4];
            int k = 0;
            char *p = line;
            for (; k < 4; k++) {
                cols[k] = p;
                char *tab = strchr(p, '\t');
                if (!tab) {
                    k++;
                    break;
                }
                *tab = '\0';
                p = tab + 1;
            }
            if (k != 4)
                fail_msg("%s: line '%s' does not have 4 tab-separated columns", TABLE_PATH, line);
            if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 64;
                t->e = realloc(t->e, t->cap * sizeof *t->e);
                assert_non_null(t->e);
            }
            struct entry *e = &t->e[t->n++];
            memset(e, 0, sizeof *e);
            e->input = strdup(cols[0]);
            e->expected = strdup(cols[1]);
            e->flags = parse_flags(cols[2]);
            e->seen_in = strdup(cols[3]);
            assert_non_null(e->input);
            if (strcmp(e->seen_in, "extra") != 0)
                t->fixture_lines++;
        }
        line = end + 1;
    }
    free(text);
}

static void free_table(struct table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].input);
        free(t->e[i].expected);
        free(t->e[i].seen_in);
    }
    free(t->e);
}

/* One result against the table's expectation; `how` names the path taken, for messages. */
static void check_result(const struct entry *e, const char *how, bool ok, const struct citation *c,
                         const char *why)
{
    bool want = strcmp(e->expected, "-") != 0;
    if (ok != want)
        fail_msg("%s '%s': expected %s, got %s (%s)", how, e->input, e->expected,
                 ok ? c->text : "not a citation", ok ? "" : (why ? why : "no reason"));
    if (ok) {
        if (strcmp(c->text, e->expected) != 0 || c->flags != e->flags)
            fail_msg("%s '%s': expected %s flags %u, got %s flags %u", how, e->input, e->expected,
                     (unsigned)e->flags, c->text, (unsigned)c->flags);
        assert_int_equal(c->len, strlen(c->text));
    } else {
        if (!why || !why[0])
            fail_msg("%s '%s': refused without a reason", how, e->input);
    }
}

static void test_every_table_value(void **state)
{
    (void)state;
    struct table t;
    load_table(&t);
    assert_true(t.fixture_lines >= 40);
    assert_true(t.n > t.fixture_lines);
    for (size_t i = 0; i < t.n; i++) {
        const struct entry *e = &t.e[i];
        size_t len = strlen(e->input);
        struct citation c;
        const char *why;

        /* the text alone */
        memset(&c, 0, sizeof c);
        why = NULL;
        bool ok = doj_offense_parse(e->input, len, &c, &why);
        check_result(e, "parse", ok, &c, why);

        /* as OFFENSE_DESCR with no comment */
        memset(&c, 0, sizeof c);
        why = NULL;
        ok = doj_offense_normalise(e->input, len, NULL, 0, &c, &why);
        check_result(e, "OFFENSE_DESCR", ok, &c, why);

        /* as COMMENT_TEXT behind SEE COMMENT FOR CHARGE */
        memset(&c, 0, sizeof c);
        why = NULL;
        ok = doj_offense_normalise("SEE COMMENT FOR CHARGE", 22, e->input, len, &c, &why);
        check_result(e, "COMMENT_TEXT", ok, &c, why);

        /* as COMMENT_TEXT behind a blank OFFENSE_DESCR */
        memset(&c, 0, sizeof c);
        why = NULL;
        ok = doj_offense_normalise("   ", 3, e->input, len, &c, &why);
        check_result(e, "COMMENT_TEXT (blank offence)", ok, &c, why);

        /* the exact bytes, not NUL-terminated: a copy with no room after it */
        if (len > 0) {
            char *exact = malloc(len);
            assert_non_null(exact);
            memcpy(exact, e->input, len);
            memset(&c, 0, sizeof c);
            why = NULL;
            ok = doj_offense_parse(exact, len, &c, &why);
            check_result(e, "parse (unterminated)", ok, &c, why);
            free(exact);
        }
    }
    free_table(&t);
}

/* ---- coverage: every value of the fixtures is in the table ------------------- */

static struct table *walk_table;
static size_t walk_files, walk_rows;

static struct entry *find_entry(struct table *t, const char *s, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->e[i].seen_in, "extra") != 0 && strlen(t->e[i].input) == len &&
            memcmp(t->e[i].input, s, len) == 0)
            return &t->e[i];
    return NULL;
}

/* A small RFC 4180 splitter for the test: cells unquoted in place into `out`. */
struct cell {
    size_t off, len;
};

static void check_row(const char *path, const char *row, const struct cell *cells, size_t n)
{
    if (!(n == DOJ_COLUMNS || (n == DOJ_COLUMNS + 1 && cells[DOJ_COLUMNS].len == 0)))
        return;
    if (cells[0].len == 9 && memcmp(row + cells[0].off, "RECORD_ID", 9) == 0)
        return;
    walk_rows++;
    const struct cell *o = &cells[COL_OFFENSE_DESCR], *c = &cells[COL_COMMENT_TEXT];
    struct entry *e = find_entry(walk_table, row + o->off, o->len);
    if (!e)
        fail_msg("%s: OFFENSE_DESCR '%.*s' is not in %s", path, (int)o->len, row + o->off,
                 TABLE_PATH);
    e->seen_offense = true;
    e = find_entry(walk_table, row + c->off, c->len);
    if (!e)
        fail_msg("%s: COMMENT_TEXT '%.*s' is not in %s", path, (int)c->len, row + c->off,
                 TABLE_PATH);
    e->seen_comment = true;
}

static void scan_csv(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    assert_non_null(text);
    char *out = malloc(len + 1);
    assert_non_null(out);
    struct cell cells[256];
    size_t ncells = 0, w = 0, start = 0, i = 0;
    bool quoted = false, any = false;
    while (i <= len) {
        char ch = i < len ? text[i] : '\n';
        i++;
        if (quoted) {
            if (ch == '"' && i < len && text[i] == '"') {
                out[w++] = '"';
                i++;
            } else if (ch == '"') {
                quoted = false;
            } else {
                out[w++] = ch;
            }
            continue;
        }
        if (ch == '"') {
            quoted = true;
            any = true;
        } else if (ch == ',' || ch == '\n' || ch == '\r') {
            if (ch == ',' || any || ncells > 0) {
                if (ncells < 256)
                    cells[ncells++] = (struct cell){start, w - start};
            }
            start = w;
            any = false;
            if (ch != ',') {
                if (ch == '\r' && i < len && text[i] == '\n')
                    i++;
                if (ncells > 0)
                    check_row(path, out, cells, ncells);
                ncells = 0;
                w = start = 0;
            }
        } else {
            out[w++] = ch;
            any = true;
        }
    }
    free(out);
    free(text);
}

/* Every *.csv under dir, in any order; inputs only (the expected results have more columns). */
static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s (run the tests from the repository root)", dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path);
            continue;
        }
        size_t n = strlen(path);
        if (!S_ISREG(st.st_mode) || n < 4 || strcmp(path + n - 4, ".csv") != 0 ||
            strstr(path, "expected_full_results"))
            continue;
        walk_files++;
        scan_csv(path);
    }
    closedir(d);
}

static void test_table_covers_every_fixture_value(void **state)
{
    (void)state;
    struct table t;
    load_table(&t);
    walk_table = &t;
    walk_files = walk_rows = 0;
    const char *dirs[] = {FIXTURES "/pilots", FIXTURES "/gogen", FIXTURES "/extracted"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        walk(dirs[i]);
    assert_true(walk_files >= 30);
    assert_true(walk_rows >= 800);
    /* and the table holds nothing the fixtures do not, in the columns it says */
    for (size_t i = 0; i < t.n; i++) {
        const struct entry *e = &t.e[i];
        if (strcmp(e->seen_in, "extra") == 0)
            continue;
        bool says_o = strstr(e->seen_in, "OFFENSE_DESCR") != NULL;
        bool says_c = strstr(e->seen_in, "COMMENT_TEXT") != NULL;
        if (says_o != e->seen_offense || says_c != e->seen_comment)
            fail_msg("%s: '%s' says %s but was seen in%s%s", TABLE_PATH, e->input, e->seen_in,
                     e->seen_offense ? " OFFENSE_DESCR" : "",
                     e->seen_comment ? " COMMENT_TEXT" : (e->seen_offense ? "" : " neither"));
    }
    free_table(&t);
}

/* ---- specific behaviour --------------------------------------------------------- */

static void test_comment_used_only_when_offence_refers_to_it(void **state)
{
    (void)state;
    struct citation c;
    const char *why = NULL;
    const char *off = "11357(B) HS-POSSESS MARIJUANA";
    const char *com = "11358 HS-CULTIVATE CANNABIS";
    assert_true(doj_offense_normalise(off, strlen(off), com, strlen(com), &c, &why));
    assert_string_equal(c.text, "HS 11357(b)");
    assert_null(why);

    assert_true(doj_offense_normalise("see comment for charge", 22, com, strlen(com), &c, &why));
    assert_string_equal(c.text, "HS 11358");
    assert_true(doj_offense_normalise(NULL, 0, com, strlen(com), &c, &why));
    assert_string_equal(c.text, "HS 11358");
    assert_true(doj_offense_normalise("  SEE COMMENT FOR CHARGE \r", 26, com, strlen(com), &c, &why));

    /* a non-citation offence does not fall back to the comment */
    assert_false(doj_offense_normalise("POSSESS MARIJUANA", 17, com, strlen(com), &c, &why));
    assert_non_null(strstr(why, "section number"));

    assert_false(doj_offense_normalise("SEE COMMENT FOR CHARGE", 22, "  ", 2, &c, &why));
    assert_non_null(strstr(why, "COMMENT_TEXT is blank"));
    assert_false(doj_offense_normalise("", 0, NULL, 0, &c, &why));
    assert_non_null(strstr(why, "both blank"));
    assert_false(doj_offense_normalise(NULL, 0, NULL, 0, NULL, NULL));

    assert_true(doj_offense_refers_to_comment("", 0));
    assert_true(doj_offense_refers_to_comment(NULL, 0));
    assert_true(doj_offense_refers_to_comment(" SEE COMMENT FOR CHARGE ", 24));
    assert_false(doj_offense_refers_to_comment("SEE COMMENT", 11));
    assert_false(doj_offense_refers_to_comment("SEE COMMENT FOR CHARGES", 23));
}

static void test_out_untouched_on_failure(void **state)
{
    (void)state;
    struct citation c;
    memset(&c, 0x5a, sizeof c);
    struct citation before = c;
    assert_false(doj_offense_parse("11358 - no code", 15, &c, NULL));
    assert_memory_equal(&c, &before, sizeof c);
}

static void test_flags_are_beside_the_citation(void **state)
{
    (void)state;
    struct citation attempt, plain;
    assert_true(doj_offense_parse("664/187 PC", 10, &attempt, NULL));
    assert_true(doj_offense_parse("187 PC-MURDER", 13, &plain, NULL));
    assert_int_equal(attempt.flags, CITATION_ATTEMPT);
    assert_int_equal(plain.flags, 0);
    /* matching ignores flags: a policy that wants to treat attempts apart must ask for them */
    assert_true(citation_equal(&attempt, &plain));
    assert_int_equal(attempt.depth, 1);

    struct citation both;
    assert_true(doj_offense_parse("664/182/11359 HS", 16, &both, NULL));
    assert_int_equal(both.flags, CITATION_ATTEMPT | CITATION_CONSPIRACY);
    assert_string_equal(both.text, "HS 11359");
}

static void test_section_letters_versus_subsection(void **state)
{
    (void)state;
    struct citation a, b, parent;
    assert_true(doj_offense_parse("288A PC", 7, &a, NULL));
    assert_true(doj_offense_parse("288(A) PC", 9, &b, NULL));
    assert_true(citation_parse("PC 288", 6, &parent, NULL));
    assert_string_equal(a.text, "PC 288a");
    assert_string_equal(b.text, "PC 288(a)");
    /* PC 288 covers its subsection (a) but not the distinct section 288a */
    assert_true(citation_covers(&parent, &b));
    assert_false(citation_covers(&parent, &a));
}

static void test_hostile_input(void **state)
{
    (void)state;
    struct citation c;
    const char *why = NULL;

    /* a NUL inside the section, in the description, and at the start */
    assert_false(doj_offense_parse("113\0" "58 HS", 9, &c, &why));
    assert_non_null(why);
    assert_true(doj_offense_parse("11358 HS-\0CULT", 14, &c, &why));
    assert_string_equal(c.text, "HS 11358");
    assert_false(doj_offense_parse("\0" "11358 HS", 9, &c, &why));
    assert_false(doj_offense_parse("11358\0HS", 8, &c, &why));

    /* bytes above 0x7f, control bytes */
    assert_false(doj_offense_parse("\xc3\xa9\xff 11358 HS", 12, &c, &why));
    assert_true(doj_offense_parse("11358 HS-\xc3\xa9t\xc3\xa9", 14, &c, &why));
    assert_false(doj_offense_parse("11358 H\x01S", 9, &c, &why));

    /* very long inputs: a long number, many subsections, many prefixes */
    size_t n = 100000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '1', n);
    assert_false(doj_offense_parse(big, n, &c, &why));
    assert_non_null(why);
    memcpy(big + n - 3, " HS", 3);
    assert_false(doj_offense_parse(big, n, &c, &why));
    assert_non_null(strstr(why, "63"));
    size_t k = 0;
    memcpy(big, "11357", 5);
    k = 5;
    while (k + 3 <= n - 3) {
        memcpy(big + k, "(A)", 3);
        k += 3;
    }
    memcpy(big + k, " HS", 3);
    assert_false(doj_offense_parse(big, k + 3, &c, &why));
    k = 0;
    while (k + 4 <= n - 9) {
        memcpy(big + k, "664/", 4);
        k += 4;
    }
    memcpy(big + k, "11357 HS", 8);
    assert_true(doj_offense_parse(big, k + 8, &c, &why));
    assert_string_equal(c.text, "HS 11357");
    assert_int_equal(c.flags, CITATION_ATTEMPT);
    memset(big, '(', n);
    assert_false(doj_offense_parse(big, n, &c, &why));
    memset(big, ' ', n);
    assert_false(doj_offense_parse(big, n, &c, &why));
    free(big);

    /* every single byte value alone, and after a section */
    for (int b = 0; b < 256; b++) {
        char one = (char)b;
        (void)doj_offense_parse(&one, 1, &c, &why);
        char two[8] = {'1', '1', '3', '5', '8', ' ', (char)b, 'S'};
        (void)doj_offense_parse(two, sizeof two, &c, &why);
    }
    assert_false(doj_offense_parse(NULL, 5, &c, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_value),
        cmocka_unit_test(test_table_covers_every_fixture_value),
        cmocka_unit_test(test_comment_used_only_when_offence_refers_to_it),
        cmocka_unit_test(test_out_untouched_on_failure),
        cmocka_unit_test(test_flags_are_beside_the_citation),
        cmocka_unit_test(test_section_letters_versus_subsection),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests_name("doj_offense", tests, NULL, NULL);
}
