/*
 * replay.c - runs one fuzz target's LLVMFuzzerTestOneInput over files,
 * without libFuzzer, so that `make fuzz-replay` (and CI) exercises the
 * seed corpora and the saved regressions with any C compiler.
 *
 *   replay DIR|FILE...
 *
 * Every regular file of each directory (not recursive; names starting
 * with '.' and README files are skipped) is read whole and handed to the
 * target once, in name order so that runs are repeatable.  A crash is
 * the sanitizers' to report; replay itself exits non-zero when an
 * argument cannot be read or when it ran no input at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* libFuzzer calls this first when a target defines it; replay does the same. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Reads the whole file; NULL on failure (message printed). */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!buf || failed) {
        fprintf(stderr, "replay: %s: cannot read the file\n", path);
        free(buf);
        return NULL;
    }
    *size = len;
    return buf;
}

/* Runs one file; false when it could not be read. */
static bool run_file(const char *path, unsigned long *runs)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return false;
    /* An exact-size copy, so that ASan sees a read one past the end of the input. */
    uint8_t *exact = malloc(size ? size : 1);
    if (!exact) {
        free(data);
        fprintf(stderr, "replay: %s: out of memory\n", path);
        return false;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    (*runs)++;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool skipped(const char *name)
{
    return name[0] == '.' || strncmp(name, "README", 6) == 0;
}

/* Runs every regular file of dir in name order; false when something could not be read. */
static bool run_dir(const char *dir, unsigned long *runs)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (skipped(e->d_name))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            names = grown;
            cap = ncap;
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[n] = malloc(len);
        if (!names[n]) {
            ok = false;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (!ok)
        fprintf(stderr, "replay: %s: out of memory\n", dir);
    if (n > 0)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (ok && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && !run_file(names[i], runs))
            ok = false;
        free(names[i]);
    }
    free(names);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    unsigned long runs = 0;
    bool ok = true;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = run_dir(argv[i], &runs) && ok;
        } else {
            ok = run_file(argv[i], &runs) && ok;
        }
    }
    printf("replay: %s: %lu input%s run\n", argv[0], runs, runs == 1 ? "" : "s");
    if (runs == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return ok ? 0 : 1;
}
