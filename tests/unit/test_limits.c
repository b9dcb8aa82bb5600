/*
 * test_limits.c - the loader's limits (spec section 21), each just under
 * and just over: a program built by hand with exactly the limit's count of
 * rules, parameters, sets, constants, texts, citations in the sets or
 * entries in a table is written, loaded and verified as lenity would; one
 * more is refused with the count and the limit.  A file past 1 GiB is
 * refused from its size or its header, before anything is allocated for it.
 * And lenityc's side: compile_within_limits passes a program at each limit
 * and refuses one past it, naming the count, so lenityc never writes a file
 * lenity would refuse.
 *
 * These counts are slow to reach through policies (tests/cli/limits.sh does
 * it for rules, parameters, sets and set citations), and some, such as a
 * million constants, take a policy larger than lenityc reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc_load.h"
#include "bc_write.h"
#include "bcasm.h"
#include "bytecode.h"
#include "checksum.h"
#include "compile.h"
#include "verify.h"

/* Rule r0 (relief) when true, else otherwise (no relief): the smallest program lenity runs. */
static struct program *build_base(struct bcasm *a)
{
    bcasm_init(a);
    bcasm_rule(a, "r0", BCASM_RELIEF, 3);
    bcasm_rule(a, "otherwise", BCASM_NO_RELIEF, 4);
    uint32_t yes = bcasm_const_bool(a, true);
    bcasm_function(a, FUNCTION_MAIN);
    bcasm_emit(a, OP_CONST, 0, 0, yes);
    bcasm_test_rule(a, 0);
    bcasm_emit(a, OP_DECIDE, 0, 1, 0);
    return bcasm_finish(a);
}

/* Grows p->items (n of them, each size bytes) to `want`, each new one a copy of the first. */
static void *grow_copies(void *items, uint32_t *n, uint32_t want, size_t size)
{
    assert_true(*n > 0);
    unsigned char *grown = realloc(items, (size_t)want * size);
    assert_non_null(grown);
    for (uint32_t i = *n; i < want; i++)
        memcpy(grown + (size_t)i * size, grown, size);
    *n = want;
    return grown;
}

/* Distinct citations "A 1" .. "A n", none covering another. */
static struct citation *distinct_citations(uint32_t n)
{
    struct citation *list = calloc(n ? n : 1, sizeof *list);
    assert_non_null(list);
    for (uint32_t i = 0; i < n; i++) {
        char text[16];
        int len = snprintf(text, sizeof text, "A %u", i + 1);
        const char *why = NULL;
        assert_true(citation_parse(text, (size_t)len, &list[i], &why));
    }
    return list;
}

/*
 * Writes p and loads it back.  With `refusal` NULL the load and the verifier
 * must accept it; otherwise the load must fail with a message holding it.
 */
static void round_trip(const struct program *p, const char *refusal)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    assert_true(bc_write_memory(p, &bytes, &len));
    struct program q;
    char err[512];
    bool loaded = bc_load_memory(bytes, len, "limits.lbc", &q, err, sizeof err);
    free(bytes);
    if (refusal == NULL) {
        if (!loaded)
            fail_msg("refused at the limit: %s", err);
        if (!verify_program(&q, err, sizeof err))
            fail_msg("the verifier refused it at the limit: %s", err);
        program_free(&q);
    } else {
        assert_false(loaded);
        if (strstr(err, refusal) == NULL)
            fail_msg("expected '%s' in: %s", refusal, err);
    }
}

/* ---- counts ------------------------------------------------------------------- */

static void rules_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        /* the copies of rule r0 are never tested, which the format allows */
        p->rules = grow_copies(p->rules, &p->nrules, PROGRAM_MAX_RULES + extra, sizeof *p->rules);
        round_trip(p, extra ? "65536 rules are more than the limit of 65535" : NULL);
        bcasm_free(&a);
    }
}

static void parameters_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        bcasm_param(&a, "cutoff", bcasm_const_date(&a, 2016, 11, 9));
        p = bcasm_finish(&a);
        p->params = grow_copies(p->params, &p->nparams, PROGRAM_MAX_PARAMS + extra, sizeof *p->params);
        round_trip(p, extra ? "65536 parameters are more than the limit of 65535" : NULL);
        bcasm_free(&a);
    }
}

static void sets_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        uint32_t want = PROGRAM_MAX_SETS + extra;
        uint32_t name = bcasm_string(&a, "s");
        p->sets = calloc(want, sizeof *p->sets);
        assert_non_null(p->sets);
        for (uint32_t i = 0; i < want; i++) {
            p->sets[i].name = name;
            assert_true(citation_set_build(&p->sets[i].table, NULL, 0));
        }
        p->nsets = want;
        round_trip(p, extra ? "65536 sets are more than the limit of 65535" : NULL);
        bcasm_free(&a);
    }
}

static void constants_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        uint32_t want = PROGRAM_MAX_CONSTS + extra;
        p->consts = realloc(p->consts, (size_t)want * sizeof *p->consts);
        assert_non_null(p->consts);
        for (uint32_t i = p->nconsts; i < want; i++) {
            p->consts[i] = bcasm_value(TYPE_NUMBER);
            p->consts[i].as.number = i;
        }
        p->nconsts = want;
        round_trip(p, extra ? "1000001 constants are more than the limit of 1000000" : NULL);
        bcasm_free(&a);
    }
}

static void texts_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        uint32_t want = PROGRAM_MAX_STRINGS + extra, have = p->nstrings;
        p->strings = realloc(p->strings, (size_t)want * sizeof *p->strings);
        assert_non_null(p->strings);
        for (uint32_t i = have; i < want; i++) {
            p->strings[i].ptr = strdup("x");
            assert_non_null(p->strings[i].ptr);
            p->strings[i].len = 1;
        }
        p->nstrings = want;
        round_trip(p, extra ? "1000001 strings are more than the limit of 1000000" : NULL);
        bcasm_free(&a);
    }
}

/* Citations in all the sets together: two sets, so the limit is on the sum, not on each. */
static void set_entries_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        uint32_t total = PROGRAM_MAX_SET_ENTRIES + extra, first = total / 2;
        struct citation *list = distinct_citations(total);
        p->sets = calloc(2, sizeof *p->sets);
        assert_non_null(p->sets);
        p->sets[0].name = bcasm_string(&a, "first");
        p->sets[1].name = bcasm_string(&a, "second");
        assert_true(citation_set_build(&p->sets[0].table, list, first));
        assert_true(citation_set_build(&p->sets[1].table, list + first, total - first));
        p->nsets = 2;
        free(list);
        round_trip(p, extra ? "500001 entries in set 1 are more than the limit of 500000" : NULL);
        bcasm_free(&a);
    }
}

static void table_entries_limit(void **state)
{
    (void)state;
    for (uint32_t extra = 0; extra <= 1; extra++) {
        struct bcasm a;
        struct program *p = build_base(&a);
        uint32_t want = PROGRAM_MAX_SET_ENTRIES + extra;
        uint32_t k = bcasm_const_number(&a, 1);
        p = bcasm_finish(&a);
        struct citation *keys = distinct_citations(want);
        p->tables = calloc(1, sizeof *p->tables);
        assert_non_null(p->tables);
        p->ntables = 1;
        p->tables[0].name = bcasm_string(&a, "table");
        p->tables[0].type = TYPE_NUMBER;
        assert_true(citation_set_build(&p->tables[0].keys, keys, want));
        free(keys);
        p->tables[0].values = malloc((size_t)want * sizeof *p->tables[0].values);
        assert_non_null(p->tables[0].values);
        for (uint32_t i = 0; i < want; i++)
            p->tables[0].values[i] = k;
        round_trip(p, extra ? "1000001 table entries are more than the limit of 1000000" : NULL);
        bcasm_free(&a);
    }
}

/* ---- the file's size: 1 GiB ------------------------------------------------------ */

/* A file header whose length field gives the file `total` bytes; only the header is there. */
static void header_claiming(unsigned char out[BC_HEADER_SIZE], uint64_t total)
{
    uint32_t body = (uint32_t)(total - BC_HEADER_SIZE);
    memset(out, 0, BC_HEADER_SIZE);
    memcpy(out, BC_MAGIC, BC_MAGIC_LEN);
    out[BC_OFFSET_MAJOR] = BC_FORMAT_MAJOR;
    for (int i = 0; i < 4; i++)
        out[BC_OFFSET_LENGTH + i] = (unsigned char)(body >> (8 * i));
}

static void header_size_limit(void **state)
{
    (void)state;
    unsigned char head[BC_HEADER_SIZE];
    struct program q;
    char err[512];
    /* Exactly 1 GiB is allowed, so the short file is only truncated. */
    header_claiming(head, BC_MAX_FILE_SIZE);
    assert_false(bc_load_memory(head, sizeof head, "big.lbc", &q, err, sizeof err));
    if (strstr(err, "truncated file: 20 bytes, but its header says 1073741824") == NULL)
        fail_msg("1 GiB: %s", err);
    header_claiming(head, (uint64_t)BC_MAX_FILE_SIZE + 1);
    assert_false(bc_load_memory(head, sizeof head, "big.lbc", &q, err, sizeof err));
    if (strstr(err, "its header gives it 1073741825 bytes, more than a Lenity bytecode file can have "
                    "(at most 1 GiB, 1073741824 bytes)") == NULL)
        fail_msg("1 GiB + 1: %s", err);
}

/* A sparse file one byte over 1 GiB: refused from its size, without reading (or allocating) a gigabyte. */
static void file_size_limit(void **state)
{
    (void)state;
    char path[] = "/tmp/lenity-limits-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unsigned char head[BC_HEADER_SIZE];
    header_claiming(head, BC_MAX_FILE_SIZE);
    assert_int_equal(write(fd, head, sizeof head), sizeof head);
    /* The file system may not make sparse files; then there is nothing to test here. */
    bool sparse = ftruncate(fd, (off_t)BC_MAX_FILE_SIZE + 1) == 0;
    close(fd);
    if (sparse) {
        struct program q;
        char err[512];
        assert_false(bc_load_file(path, &q, err, sizeof err));
        if (strstr(err, "cannot read: it is 1073741825 bytes, more than a Lenity bytecode file can have "
                        "(at most 1 GiB, 1073741824 bytes)") == NULL)
            fail_msg("1 GiB + 1: %s", err);
    }
    unlink(path);
}

/* ---- lenityc's side ------------------------------------------------------------- */

enum count {
    RULES, PARAMETERS, SETS, TABLES, OUTCOMES, CONSTANTS, TEXTS, INSTRUCTIONS, FUNCTIONS, EXAMPLES,
    EXAMPLE_CONVICTIONS, COLUMNS, SET_ENTRIES, TABLE_ENTRIES, TEXT_LENGTH
};

/*
 * A program with only this count set to n.  compile_within_limits reads the
 * counts, each set's and table's entry count and each text's length, never
 * the elements of the other arrays, which stay NULL (program_free frees NULL).
 */
static void program_with(struct program *p, enum count what, uint32_t n)
{
    program_init(p);
    switch (what) {
    case RULES: p->nrules = n; break;
    case PARAMETERS: p->nparams = n; break;
    case OUTCOMES: p->noutcomes = n; break;
    case CONSTANTS: p->nconsts = n; break;
    case INSTRUCTIONS: p->ncode = n; break;
    case FUNCTIONS: p->nfunctions = n; break;
    case EXAMPLES: p->nexamples = n; break;
    case EXAMPLE_CONVICTIONS: p->nexample_convictions = n; break;
    case COLUMNS: p->ncolumns = n; break;
    case SETS:
        p->sets = calloc(n, sizeof *p->sets);
        assert_non_null(p->sets);
        p->nsets = n;
        break;
    case TABLES:
        p->tables = calloc(n, sizeof *p->tables);
        assert_non_null(p->tables);
        p->ntables = n;
        break;
    case TEXTS:
        p->strings = calloc(n, sizeof *p->strings);
        assert_non_null(p->strings);
        p->nstrings = n;
        break;
    case SET_ENTRIES: /* in two sets: the limit is on their sum */
        p->sets = calloc(2, sizeof *p->sets);
        assert_non_null(p->sets);
        p->nsets = 2;
        p->sets[0].table.count = n / 2;
        p->sets[1].table.count = n - n / 2;
        break;
    case TABLE_ENTRIES:
    case TEXT_LENGTH:
        p->strings = calloc(1, sizeof *p->strings);
        assert_non_null(p->strings);
        p->nstrings = 1;
        p->strings[0].ptr = strdup("big");
        assert_non_null(p->strings[0].ptr);
        p->strings[0].len = what == TEXT_LENGTH ? n : 3;
        if (what == TABLE_ENTRIES) {
            p->tables = calloc(1, sizeof *p->tables);
            assert_non_null(p->tables);
            p->ntables = 1;
            p->tables[0].keys.count = n; /* its entries are never read */
        }
        break;
    }
}

/* At limit the program passes, silently; at limit + 1 lenityc refuses it with `message`. */
static void compiler_refuses_past(enum count what, uint32_t limit, const char *message)
{
    for (uint32_t extra = 0; extra <= 1; extra++) {
        char *said = NULL;
        size_t said_len = 0;
        FILE *f = open_memstream(&said, &said_len);
        assert_non_null(f);
        struct diag d;
        diag_init(&d, f);
        struct program p;
        program_with(&p, what, limit + extra);
        bool ok = compile_within_limits("big.policy", &p, &d);
        program_free(&p);
        fclose(f);
        if (extra == 0 && (!ok || said_len > 0))
            fail_msg("refused at the limit %u: %s", limit, said);
        if (extra == 1 && (ok || strstr(said, message) == NULL))
            fail_msg("at %u, expected '%s' in: %s", limit + 1, message, said);
        free(said);
    }
}

static void compiler_limits(void **state)
{
    (void)state;
    compiler_refuses_past(RULES, PROGRAM_MAX_RULES,
                          "big.policy: the policy has 65536 rules, more than Lenity can run (at most 65535); "
                          "split it into policies that extend one another");
    compiler_refuses_past(PARAMETERS, PROGRAM_MAX_PARAMS,
                          "the policy has 65536 parameters, more than Lenity can run (at most 65535)");
    compiler_refuses_past(SETS, PROGRAM_MAX_SETS, "the policy has 65536 sets, more than Lenity can run (at most 65535)");
    compiler_refuses_past(TABLES, PROGRAM_MAX_TABLES,
                          "the policy has 65536 tables, more than Lenity can run (at most 65535)");
    compiler_refuses_past(OUTCOMES, PROGRAM_MAX_OUTCOMES,
                          "the policy has 256 outcomes, more than Lenity can run (at most 255)");
    compiler_refuses_past(CONSTANTS, PROGRAM_MAX_CONSTS,
                          "the policy has 1000001 constants, more than Lenity can run (at most 1000000)");
    compiler_refuses_past(TEXTS, PROGRAM_MAX_STRINGS,
                          "the policy has 1000001 texts, more than Lenity can run (at most 1000000)");
    compiler_refuses_past(INSTRUCTIONS, PROGRAM_MAX_CODE,
                          "the policy has 4000001 instructions, more than Lenity can run (at most 4000000)");
    compiler_refuses_past(FUNCTIONS, PROGRAM_MAX_FUNCTIONS,
                          "the policy has 1000001 functions, more than Lenity can run (at most 1000000)");
    compiler_refuses_past(EXAMPLES, PROGRAM_MAX_EXAMPLES,
                          "the policy has 100001 examples, more than Lenity can run (at most 100000)");
    compiler_refuses_past(EXAMPLE_CONVICTIONS, BC_MAX_EXAMPLE_CONVICTIONS,
                          "the policy has 1000001 example convictions, more than Lenity can run (at most 1000000)");
    compiler_refuses_past(COLUMNS, PROGRAM_MAX_COLUMNS,
                          "the policy has 1001 output columns, more than Lenity can run (at most 1000)");
    compiler_refuses_past(SET_ENTRIES, PROGRAM_MAX_SET_ENTRIES,
                          "the policy's sets list 1000001 citations in all, more than Lenity can run (at most 1000000)");
    compiler_refuses_past(TABLE_ENTRIES, PROGRAM_MAX_SET_ENTRIES,
                          "the table 'big' lists 1000001 citations, more than Lenity can run (at most 1000000); "
                          "split it into several tables");
    compiler_refuses_past(TEXT_LENGTH, PROGRAM_MAX_STRING_LEN,
                          "a text of the policy is 1048577 bytes long, more than Lenity can run (at most 1048576)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_limit),
        cmocka_unit_test(parameters_limit),
        cmocka_unit_test(sets_limit),
        cmocka_unit_test(constants_limit),
        cmocka_unit_test(texts_limit),
        cmocka_unit_test(set_entries_limit),
        cmocka_unit_test(table_entries_limit),
        cmocka_unit_test(header_size_limit),
        cmocka_unit_test(file_size_limit),
        cmocka_unit_test(compiler_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
