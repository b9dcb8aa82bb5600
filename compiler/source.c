/* source.c - policy files in memory and their line map; see source.h. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool source_index_lines(struct source *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            n++;
    s->line_starts = malloc(n * sizeof *s->line_starts);
    if (!s->line_starts)
        return false;
    s->line_starts[0] = 0;
    s->nlines = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            s->line_starts[s->nlines++] = i + 1;
    return true;
}

struct source *source_from_text(const char *path, const char *text, size_t len)
{
    struct source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = strdup(path);
    s->text = malloc(len + 1);
    if (!s->path || !s->text) {
        source_free(s);
        return NULL;
    }
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
    if (!source_index_lines(s)) {
        source_free(s);
        return NULL;
    }
    return s;
}

struct source *source_load(const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot open the policy file: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            if (cap >= SOURCE_MAX_BYTES) {
                snprintf(err, errsize, "%s: the policy file is larger than %u bytes; is this really a policy?",
                         path, SOURCE_MAX_BYTES);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        snprintf(err, errsize, "%s: cannot read the policy file", path);
        free(buf);
        return NULL;
    }
    if (memchr(buf, '\0', len)) {
        snprintf(err, errsize, "%s: the file contains NUL bytes; a policy is plain text", path);
        free(buf);
        return NULL;
    }
    struct source *s = source_from_text(path, buf, len);
    free(buf);
    if (!s)
        snprintf(err, errsize, "%s: out of memory", path);
    return s;
}

void source_free(struct source *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->text);
    free(s->line_starts);
    free(s);
}

const char *source_line(const struct source *s, int line, size_t *len)
{
    if (line < 1 || (size_t)line > s->nlines) {
        *len = 0;
        return "";
    }
    size_t start = s->line_starts[line - 1];
    size_t end = (size_t)line < s->nlines ? s->line_starts[line] - 1 : s->len;
    if (end > start && s->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return s->text + start;
}
