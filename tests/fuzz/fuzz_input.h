/*
 * fuzz_input.h - the input file of the reader targets (fuzz_csv, fuzz_cadoj).
 *
 * The readers open a path and read it with read(2), so the fuzzer's bytes go
 * into a memory file (memfd_create; an unlinked temporary file where that is
 * missing), named by its /proc/self/fd/N path, made once and rewritten for
 * each input.  Include it once, in the target's file; define _GNU_SOURCE first.
 */
#ifndef LENITY_FUZZ_INPUT_H
#define LENITY_FUZZ_INPUT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int input_fd = -1;
static char input_path[64];

/* Empties the input file, making it on the first call. */
static void input_clear(const char *name)
{
    if (input_fd < 0) {
        input_fd = memfd_create(name, MFD_CLOEXEC);
        if (input_fd < 0) {
            FILE *f = tmpfile();
            if (!f)
                abort();
            input_fd = fileno(f); /* kept open for the life of the process */
        }
        snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
    if (ftruncate(input_fd, 0) != 0)
        abort();
}

/* Writes size bytes at offset at of the input file. */
static void input_write(const void *data, size_t size, off_t at)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(input_fd, (const char *)data + done, size - done, at + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
}

#endif
