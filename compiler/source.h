/*
 * source.h - a policy file in memory, and where its lines begin.
 *
 * Locations are 1-based line and column (columns count bytes) plus the
 * source they belong to: with `extends`, one compilation reads several
 * files, and a diagnostic must name the right one.
 */
#ifndef LENITY_SOURCE_H
#define LENITY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source {
    char *path;          /* as the user named it */
    char *text;          /* NUL-terminated contents */
    size_t len;
    size_t *line_starts; /* offset of each line's first byte */
    size_t nlines;
};

struct loc {
    const struct source *src;
    int line, col;         /* first character */
    int end_line, end_col; /* one past the last character */
};

/* Limit on a policy file's size, so that a wrong path cannot eat memory. */
#define SOURCE_MAX_BYTES (16u * 1024u * 1024u)

/* NULL with a message in err when the file cannot be read. */
struct source *source_load(const char *path, char *err, size_t errsize);
struct source *source_from_text(const char *path, const char *text, size_t len);
void source_free(struct source *s);
/* The text of line `line` (1-based) without its newline; length in *len. */
const char *source_line(const struct source *s, int line, size_t *len);

#endif
