/*
 * reader_fixture.h - what the record readers' tests (test_csv.c,
 * test_cadoj.c) share: a file in /tmp holding the bytes a test gives, and a
 * collector for the rows a reader rejects.  Header-only, test-only.
 *
 * Before including it, a test defines READER_FIXTURE_NAME (its temporary
 * files are /tmp/lenity_test_NAME_XXXXXX, so a leftover names its test) and
 * MAX_REJECTS (how many rejections it keeps the row and reason of).
 */
#ifndef LENITY_TESTS_READER_FIXTURE_H
#define LENITY_TESTS_READER_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if !defined(READER_FIXTURE_NAME) || !defined(MAX_REJECTS)
#error "define READER_FIXTURE_NAME and MAX_REJECTS before including reader_fixture.h"
#endif

struct rejected {
    uint64_t count; /* every rejection, also past MAX_REJECTS */
    uint64_t rows[MAX_REJECTS];
    char reasons[MAX_REJECTS][1024];
};

/* The readers' on_reject callback: ctx is a struct rejected. */
static inline void collect(void *ctx, uint64_t row, const char *reason)
{
    struct rejected *r = ctx;
    if (r->count < MAX_REJECTS) {
        r->rows[r->count] = row;
        snprintf(r->reasons[r->count], sizeof r->reasons[0], "%s", reason);
    }
    r->count++;
}

/* A test input file in /tmp holding data[0..len); the caller unlinks and frees the path. */
static inline char *write_temp(const char *data, size_t len)
{
    char *path = strdup("/tmp/lenity_test_" READER_FIXTURE_NAME "_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        assert_true(n > 0);
        done += (size_t)n;
    }
    close(fd);
    return path;
}

#endif
