/* compile.c - the compiler pipeline; see compile.h. */
#include "compile.h"

#include <string.h>

#include "bytecode.h"
#include "check.h"
#include "codegen.h"
#include "lint.h"
#include "optimize.h"
#include "verify.h"

/*
 * Checked here so that a policy too large is refused when it is compiled, with
 * the count and the limit, and never written as a file that lenity would refuse.
 */
bool compile_within_limits(const char *path, struct program *p, struct diag *diag)
{
    const struct {
        const char *what;
        uint64_t have, most;
    } limits[] = {
        {"rules", p->nrules, PROGRAM_MAX_RULES},
        {"parameters", p->nparams, PROGRAM_MAX_PARAMS},
        {"sets", p->nsets, PROGRAM_MAX_SETS},
        {"tables", p->ntables, PROGRAM_MAX_TABLES},
        {"outcomes", p->noutcomes, PROGRAM_MAX_OUTCOMES},
        {"constants", p->nconsts, PROGRAM_MAX_CONSTS},
        {"texts", p->nstrings, PROGRAM_MAX_STRINGS},
        {"instructions", p->ncode, PROGRAM_MAX_CODE},
        {"functions", p->nfunctions, PROGRAM_MAX_FUNCTIONS},
        {"examples", p->nexamples, PROGRAM_MAX_EXAMPLES},
        {"example convictions", p->nexample_convictions, BC_MAX_EXAMPLE_CONVICTIONS},
        {"output columns", p->ncolumns, PROGRAM_MAX_COLUMNS},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (limits[i].have > limits[i].most) {
            diag_plain(diag, "%s: the policy has %llu %s, more than Lenity can run (at most %llu); split it into "
                             "policies that extend one another",
                       path, (unsigned long long)limits[i].have, limits[i].what, (unsigned long long)limits[i].most);
            program_free(p);
            return false;
        }
    uint64_t entries = 0;
    for (uint32_t i = 0; i < p->nsets; i++)
        entries += p->sets[i].table.count;
    if (entries > PROGRAM_MAX_SET_ENTRIES) {
        diag_plain(diag, "%s: the policy's sets list %llu citations in all, more than Lenity can run (at most %llu)",
                   path, (unsigned long long)entries, (unsigned long long)PROGRAM_MAX_SET_ENTRIES);
        program_free(p);
        return false;
    }
    for (uint32_t i = 0; i < p->ntables; i++)
        if (p->tables[i].keys.count > PROGRAM_MAX_SET_ENTRIES) {
            diag_plain(diag, "%s: the table '%s' lists %llu citations, more than Lenity can run (at most %llu); "
                             "split it into several tables",
                       path, p->strings[p->tables[i].name].ptr, (unsigned long long)p->tables[i].keys.count,
                       (unsigned long long)PROGRAM_MAX_SET_ENTRIES);
            program_free(p);
            return false;
        }
    for (uint32_t i = 0; i < p->nstrings; i++)
        if (p->strings[i].len > PROGRAM_MAX_STRING_LEN) {
            diag_plain(diag, "%s: a text of the policy is %u bytes long, more than Lenity can run (at most %u); "
                             "shorten it",
                       path, (unsigned)p->strings[i].len, (unsigned)PROGRAM_MAX_STRING_LEN);
            program_free(p);
            return false;
        }
    return true;
}

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
    if (ok)
        ok = compile_within_limits(path, out, diag);
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
