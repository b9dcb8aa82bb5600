/*
 * parse.h - policy source text -> AST.  The only caller of yyparse.
 */
#ifndef LENITY_PARSE_H
#define LENITY_PARSE_H

#include <stdbool.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* Shared by the scanner and the grammar actions (the scanner's `extra`). */
struct parse_state {
    struct arena *arena;
    struct diag *diag;
    const struct source *src;
    struct policy *policy;
    int line, col;              /* where the next token starts */
    int nesting;                /* parenthesis depth, bounded */
    struct ptrvec pending_fields; /* fields of the example conviction being read */
    struct ptrvec pending_person; /* fields of the example person being read */
};

/* Nesting beyond this is refused with a diagnostic rather than risking the C stack. */
#define PARSE_MAX_NESTING 64

/* Returns the policy, or NULL when the source has syntax errors (reported). */
struct policy *parse_policy(const struct source *src, struct arena *arena, struct diag *diag);

/* Helpers the scanner uses to report lexical errors. */
void parse_error_at(struct parse_state *ps, int line, int col, int width, const char *hint,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
