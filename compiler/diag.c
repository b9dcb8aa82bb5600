/* diag.c - printing diagnostics with the source line and a caret; see diag.h. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(struct diag *d, FILE *out)
{
    memset(d, 0, sizeof *d);
    d->out = out;
}

static const char *diag_level_word(enum diag_level level)
{
    switch (level) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    default:
        return "note";
    }
}

static void diag_print_caret(FILE *out, const struct loc *loc)
{
    size_t len;
    const char *line = source_line(loc->src, loc->line, &len);
    fprintf(out, "%5d | %.*s\n", loc->line, (int)len, line);
    fputs("      | ", out);
    /* Tabs stay tabs so that the caret lines up under the same bytes. */
    for (int i = 1; i < loc->col && (size_t)(i - 1) < len; i++)
        fputc(line[i - 1] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    int width = loc->end_line == loc->line ? loc->end_col - loc->col : 1;
    if (width > 1 && (size_t)(loc->col - 1 + width) > len)
        width = (int)len - loc->col + 1;
    for (int i = 1; i < width; i++)
        fputc('~', out);
    fputc('\n', out);
}

void diag_vreport(struct diag *d, enum diag_level level, const struct loc *loc, const char *hint,
                  const char *fmt, va_list ap)
{
    if (level == DIAG_WARNING && d->warnings_as_errors)
        level = DIAG_ERROR;
    if (level == DIAG_ERROR) {
        d->errors++;
        if (d->errors > DIAG_MAX_ERRORS) {
            if (!d->suppressed)
                fprintf(d->out, "lenityc: stopping after %d errors\n", DIAG_MAX_ERRORS);
            d->suppressed = true;
            return;
        }
    } else if (level == DIAG_WARNING) {
        d->warnings++;
    }
    if (loc && loc->src)
        fprintf(d->out, "%s:%d:%d: ", loc->src->path, loc->line, loc->col);
    fprintf(d->out, "%s: ", diag_level_word(level));
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    if (loc && loc->src && loc->line > 0)
        diag_print_caret(d->out, loc);
    if (hint)
        fprintf(d->out, "hint: %s\n", hint);
}

void diag_report(struct diag *d, enum diag_level level, const struct loc *loc, const char *hint,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, level, loc, hint, fmt, ap);
    va_end(ap);
}

void diag_plain(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(d, DIAG_ERROR, NULL, NULL, fmt, ap);
    va_end(ap);
}

int diag_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 1000;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag_prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = diag_prev + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag_prev = up;
        }
    }
    return row[lb];
}

const char *diag_closest(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    int best_distance = 1000;
    for (const char *const *c = candidates; *c; c++) {
        int dist = diag_edit_distance(word, *c);
        if (dist < best_distance) {
            best_distance = dist;
            best = *c;
        }
    }
    /* Allow about one typo per three letters, and always at least one. */
    int allowed = (int)strlen(word) / 3;
    if (allowed < 1)
        allowed = 1;
    return best_distance <= allowed ? best : NULL;
}
