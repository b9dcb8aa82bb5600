/*
 * diag.h - diagnostics a lawyer can act on.
 *
 * Each one prints as
 *     file:line:col: error: what is wrong
 *        12 |   when levl is felony
 *           |        ^~~~
 *     hint: did you mean 'level'?
 * Errors are counted, not fatal, so one run reports every independent
 * mistake it can find.
 */
#ifndef LENITY_DIAG_H
#define LENITY_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "source.h"

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

#define DIAG_MAX_ERRORS 50

struct diag {
    FILE *out;
    int errors;
    int warnings;
    bool warnings_as_errors;
    bool suppressed; /* true once DIAG_MAX_ERRORS errors were printed */
};

void diag_init(struct diag *d, FILE *out);
/* hint may be NULL. */
void diag_report(struct diag *d, enum diag_level level, const struct loc *loc, const char *hint,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_vreport(struct diag *d, enum diag_level level, const struct loc *loc, const char *hint,
                  const char *fmt, va_list ap);
/* An error with no location (a file that cannot be opened). */
void diag_plain(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Edit distance, for did-you-mean. */
int diag_edit_distance(const char *a, const char *b);
/*
 * Returns the candidate closest to `word` if it is close enough to be a
 * plausible misspelling, else NULL.  candidates is NULL-terminated.
 */
const char *diag_closest(const char *word, const char *const *candidates);

#endif
