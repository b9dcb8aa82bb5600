/*
 * format.h - `lenityc fmt`: the one canonical layout of a policy.
 *
 * The formatter reprints the policy's own tokens, in their order and with
 * their spelling, and changes only the white space between them; comments
 * and statute text blocks are kept as written.  So formatting cannot change
 * what a policy means, and the result is checked to be so before it is
 * given back (the same tokens and comments, and the same declarations to
 * the parser).
 */
#ifndef LENITY_FORMAT_H
#define LENITY_FORMAT_H

#include <stddef.h>

#include "diag.h"
#include "source.h"

/* The longest line the layout aims for; a text, a citation list entry or a name longer than that still overflows. */
#define FORMAT_WIDTH 100

enum format_result {
    FORMAT_OK,       /* *out holds the canonical text */
    FORMAT_SYNTAX,   /* the policy has syntax errors, reported to diag */
    FORMAT_INTERNAL  /* the formatter's own check failed: a bug; err says what */
};

/*
 * Formats src into *out (malloc'ed, NUL-terminated, *outlen bytes).  Only
 * the syntax is checked: a policy that extends a missing file, or names an
 * undeclared rule, can still be formatted.
 */
enum format_result format_policy(const struct source *src, struct diag *diag, char **out, size_t *outlen,
                                 char *err, size_t errsize);

#endif
