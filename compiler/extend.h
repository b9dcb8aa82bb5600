/*
 * extend.h - loads a policy and the policies it extends, and merges them
 * into one list of declarations: the parent's, with the child's
 * parameter and set overrides, rule replacements and insertions applied.
 */
#ifndef LENITY_EXTEND_H
#define LENITY_EXTEND_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "name_index.h"

#define EXTEND_MAX_DEPTH 8
#define EXTEND_MAX_INCLUDE_DIRS 8

struct merged_policy {
    struct policy header;       /* merged header fields; loc is the top file's */
    const struct source *main_source;
    struct ptrvec outcomes;     /* struct outcome_decl * */
    struct ptrvec params;       /* struct param_decl * */
    struct ptrvec sets;         /* struct set_decl * */
    struct ptrvec tables;       /* struct table_decl * */
    struct ptrvec rules;        /* struct rule_decl *, in deciding order; otherwise last */
    struct ptrvec examples;     /* struct example_decl *, the top file's only */
    struct ptrvec columns;      /* struct column_decl *, output columns in order */
    struct expr *column_scope;  /* `columns when ...`, the nearest file's; NULL: every conviction */
    /* Each name's place in the list above, kept by extend.c as it merges and read by check.c's lookups;
     * column_index holds only during the merge (check.c then moves placed columns). */
    struct name_index outcome_index, param_index, set_index, table_index, rule_index, column_index;
};

struct compile_sources {
    struct source *items[EXTEND_MAX_DEPTH + 1];
    int count;
};

struct extend_options {
    const char *include_dirs[EXTEND_MAX_INCLUDE_DIRS];
    int ninclude_dirs;
};

/*
 * Loads the policy at path (or, when text is not NULL, the policy text as if
 * it were that file) and everything it extends.  false when anything was
 * reported.  Sources stay alive in *sources until freed.
 */
bool extend_load(const char *path, const char *text, const struct extend_options *opts, struct arena *arena,
                 struct diag *diag, struct compile_sources *sources, struct merged_policy *out);
void extend_free_sources(struct compile_sources *sources);

#endif
