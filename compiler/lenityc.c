/*
 * lenityc.c - the policy compiler's command line: policy source ->
 * verified bytecode, diagnostics, disassembly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_load.h"
#include "bc_write.h"
#include "compile.h"
#include "disasm.h"
#include "verify.h"
#include "version.h"


enum exit_code { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_INTERNAL = 70 };

static void usage(FILE *f)
{
    fputs("usage: lenityc POLICY.policy [-o OUT.lbc] [--disasm] [-O0] [-I DIR] [--check | --lint]\n"
          "               [--no-lint] [--Werror]\n"
          "       lenityc --disasm FILE.lbc\n"
          "\n"
          "Compiles a Lenity policy into verified bytecode for `lenity run`.\n"
          "\n"
          "  -o FILE     where to write the bytecode (default: the policy's name with .lbc)\n"
          "  --check     check the policy and report problems; write nothing\n"
          "  --lint      the same: check the policy and report its errors and warnings\n"
          "  --no-lint   leave out the warnings (a rule that can never decide, an outcome,\n"
          "              parameter or set never used, a citation listed twice, ...)\n"
          "  --Werror    treat warnings as errors (also: -W error)\n"
          "  --disasm    print the compiled program, rule by rule, with source lines\n"
          "  -O0         do not optimize (constant folding, set pruning)\n"
          "  -I DIR      also look in DIR for policies named by 'extends'\n"
          "  --version   print the version\n"
          "\n"
          "exit codes: 0 success; 1 the policy has errors; 2 usage error;\n"
          "            3 a bytecode file is unreadable or refused; 70 internal error\n",
          f);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    bool disasm = false, check_only = false, lint_only = false, werror = false;
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            output = argv[++i];
        } else if (strcmp(a, "--disasm") == 0) {
            disasm = true;
        } else if (strcmp(a, "--check") == 0) {
            check_only = true;
        } else if (strcmp(a, "--lint") == 0) {
            lint_only = check_only = true;
        } else if (strcmp(a, "--no-lint") == 0) {
            opts.no_lint = true;
        } else if (strcmp(a, "--Werror") == 0 || strcmp(a, "-Werror") == 0) {
            werror = true;
        } else if (strcmp(a, "-W") == 0 && i + 1 < argc && strcmp(argv[i + 1], "error") == 0) {
            werror = true;
            i++;
        } else if (strcmp(a, "-O0") == 0) {
            opts.no_optimize = true;
        } else if (strcmp(a, "-I") == 0 && i + 1 < argc) {
            if (opts.extend.ninclude_dirs >= EXTEND_MAX_INCLUDE_DIRS) {
                fprintf(stderr, "lenityc: at most %d -I folders\n", EXTEND_MAX_INCLUDE_DIRS);
                return EXIT_USAGE;
            }
            opts.extend.include_dirs[opts.extend.ninclude_dirs++] = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("lenityc %s\n", LENITY_VERSION);
            return EXIT_OK;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lenityc: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!input) {
            input = a;
        } else {
            fprintf(stderr, "lenityc: one policy at a time ('%s' and '%s' given)\n", input, a);
            return EXIT_USAGE;
        }
    }
    if (!input) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (lint_only && opts.no_lint) {
        fprintf(stderr, "lenityc: --lint and --no-lint ask for opposite things; give one\n");
        return EXIT_USAGE;
    }

    struct program program;
    program_init(&program);
    char err[1024];
    if (ends_with(input, ".lbc")) {
        if (!disasm) {
            fprintf(stderr, "lenityc: '%s' is already compiled; use --disasm to read it\n", input);
            return EXIT_USAGE;
        }
        if (!bc_load_file(input, &program, err, sizeof err)) {
            fprintf(stderr, "lenityc: %s\n", err);
            return EXIT_INPUT;
        }
        if (!verify_program(&program, err, sizeof err)) {
            fprintf(stderr, "lenityc: %s: refused: %s\n", input, err);
            program_free(&program);
            return EXIT_INPUT;
        }
        disasm_program(stdout, &program);
        program_free(&program);
        return EXIT_OK;
    }

    struct diag diag;
    diag_init(&diag, stderr);
    diag.warnings_as_errors = werror;
    if (!compile_policy(input, &opts, &diag, &program)) {
        if (diag.errors > 0)
            fprintf(stderr, "%s: %d error%s; nothing written\n", input, diag.errors, diag.errors == 1 ? "" : "s");
        return EXIT_POLICY;
    }
    int rc = EXIT_OK;
    if (disasm)
        disasm_program(stdout, &program);
    if (!check_only && !(disasm && !output)) {
        char defname[4096];
        if (!output) {
            size_t n = strlen(input);
            if (ends_with(input, ".policy"))
                n -= strlen(".policy");
            snprintf(defname, sizeof defname, "%.*s.lbc", (int)n, input);
            output = defname;
        }
        if (!bc_write_file(&program, output, err, sizeof err)) {
            fprintf(stderr, "lenityc: %s\n", err);
            rc = EXIT_INPUT;
        }
    }
    program_free(&program);
    return rc;
}
