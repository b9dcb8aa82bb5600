/* compile.c - the compiler pipeline; see compile.h. */
#include "compile.h"

#include <string.h>

#include "check.h"
#include "codegen.h"
#include "lint.h"
#include "optimize.h"
#include "verify.h"

static bool compile_any(const char *path, const char *text, const struct compile_options *opts, struct diag *diag,
                        struct program *out)
{
    struct arena arena;
    arena_init(&arena);
    struct compile_sources sources;
    memset(&sources, 0, sizeof sources);
    struct merged_policy merged;
    struct check_result checked;
    bool ok = extend_load(path, text, opts ? &opts->extend : NULL, &arena, diag, &sources, &merged) &&
              check_policy(&merged, &arena, diag, &checked);
    /* lint reads the policy as written, then as optimized: the optimizer prunes sets and folds conditions */
    bool lint = ok && !(opts && opts->no_lint);
    struct lint lint_state;
    if (lint)
        lint_begin(&lint_state, &merged, &checked, &arena);
    if (ok && !(opts && opts->no_optimize))
        optimize_policy(&merged);
    if (lint)
        ok = lint_end(&lint_state, &merged, &checked, diag);
    if (ok) {
        char err[512];
        ok = codegen_program(&merged, &checked, out, err, sizeof err);
        if (!ok)
            diag_plain(diag, "%s: %s", path, err);
    }
    if (ok) {
        char err[512];
        /* lenityc checks its own output: a rejection here is our bug, never the policy writer's. */
        if (!verify_program(out, err, sizeof err)) {
            diag_plain(diag, "%s: internal compiler error: the generated code failed verification (%s); "
                             "please report this with the policy", path, err);
            program_free(out);
            ok = false;
        }
    }
    extend_free_sources(&sources);
    arena_free(&arena);
    return ok;
}

bool compile_policy(const char *path, const struct compile_options *opts, struct diag *diag, struct program *out)
{
    return compile_any(path, NULL, opts, diag, out);
}

bool compile_policy_text(const char *name, const char *text, const struct compile_options *opts, struct diag *diag,
                         struct program *out)
{
    return compile_any(name, text, opts, diag, out);
}

bool compile_tree(const char *path, const struct compile_options *opts, struct diag *diag, struct compile_tree *out)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->arena);
    bool ok = extend_load(path, NULL, opts ? &opts->extend : NULL, &out->arena, diag, &out->sources, &out->merged) &&
              check_policy(&out->merged, &out->arena, diag, &out->checked);
    if (!ok)
        compile_tree_free(out);
    return ok;
}

void compile_tree_free(struct compile_tree *t)
{
    extend_free_sources(&t->sources);
    arena_free(&t->arena);
}
