/*
 * lenityc.c - the policy compiler's command line: policy source ->
 * verified bytecode, diagnostics, disassembly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bc_load.h"
#include "bc_write.h"
#include "compile.h"
#include "disasm.h"
#include "format.h"
#include "verify.h"
#include "version.h"


enum exit_code { EXIT_OK = 0, EXIT_POLICY = 1, EXIT_USAGE = 2, EXIT_INPUT = 3, EXIT_INTERNAL = 70 };

static void usage(FILE *f)
{
    fputs("usage: lenityc POLICY.policy [-o OUT.lbc] [--disasm] [-O0] [-I DIR] [--check | --lint]\n"
          "               [--no-lint] [--Werror]\n"
          "       lenityc --disasm FILE.lbc\n"
          "       lenityc fmt [--write | --check] POLICY.policy...\n"
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
          "  -O0         do not optimize (constant folding, set pruning, column checks)\n"
          "  -I DIR      also look in DIR for policies named by 'extends'\n"
          "  --version   print the version\n"
          "  fmt         print the policy in the canonical layout (see lenityc fmt --help)\n"
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

static void fmt_usage(FILE *f)
{
    fputs("usage: lenityc fmt [--write | --check] POLICY.policy...\n"
          "\n"
          "Prints each policy in the one canonical layout: clauses one to a line,\n"
          "long conditions broken before 'and'/'or', comments and statute text kept.\n"
          "Only the white space changes; the compiled program stays the same.\n"
          "\n"
          "  --write   rewrite each file that is not in the layout, in place\n"
          "            (a new file renamed over the old one, with the old one's mode)\n"
          "  --check   write nothing; print the name of each file not in the layout\n"
          "\n"
          "A policy with syntax errors is reported and never rewritten.\n"
          "exit codes: 0 success (with --check: every file is in the layout);\n"
          "            1 a policy has errors, or with --check is not in the layout;\n"
          "            2 usage error; 3 a file cannot be read or written; 70 internal error\n",
          f);
}

/* Replaces path with text: written beside it and renamed over it, so a reader sees the old file or the new. */
static bool fmt_replace_at(const char *path, const char *text, size_t len, char *err, size_t errsize);

/* A policy reached through a symbolic link is rewritten where it lives; the link stays a link. */
static bool fmt_replace(const char *path, const char *text, size_t len, char *err, size_t errsize)
{
    char *real = realpath(path, NULL);
    bool ok = fmt_replace_at(real ? real : path, text, len, err, errsize);
    free(real);
    return ok;
}

static bool fmt_replace_at(const char *path, const char *text, size_t len, char *err, size_t errsize)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errsize, "%s: cannot read its mode: %s", path, strerror(errno));
        return false;
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.fmt-XXXXXX", path) >= (int)sizeof tmp) {
        snprintf(err, errsize, "%s: the path is too long", path);
        return false;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errsize, "%s: cannot create a file beside it: %s", path, strerror(errno));
        return false;
    }
    bool ok = fchmod(fd, st.st_mode & 07777) == 0;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            done += (size_t)n;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        snprintf(err, errsize, "%s: cannot write the formatted policy: %s; the file is unchanged", path,
                 strerror(saved));
    }
    return ok;
}

static int fmt_main(int argc, char **argv)
{
    bool write = false, check = false;
    int first = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--write") == 0 || strcmp(a, "-w") == 0) {
            write = true;
        } else if (strcmp(a, "--check") == 0) {
            check = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fmt_usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--") == 0) {
            first = i + 1;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "lenityc fmt: unknown option '%s'\n", a);
            fmt_usage(stderr);
            return EXIT_USAGE;
        } else if (first == argc) {
            first = i;
        }
    }
    if (write && check) {
        fprintf(stderr, "lenityc fmt: --write and --check ask for opposite things; give one\n");
        return EXIT_USAGE;
    }
    int rc = EXIT_OK, nfiles = 0;
    for (int i = first; i < argc; i++) {
        const char *path = argv[i];
        if (i > first && path[0] == '-' && strcmp(argv[i - 1], "--") != 0 && first != i)
            continue; /* an option given after the first file */
        nfiles++;
        char err[1024];
        struct source *src = source_load(path, err, sizeof err);
        if (!src) {
            fprintf(stderr, "lenityc: %s\n", err);
            if (rc == EXIT_OK || rc == EXIT_POLICY)
                rc = EXIT_INPUT;
            continue;
        }
        struct diag diag;
        diag_init(&diag, stderr);
        char *text = NULL;
        size_t len = 0;
        enum format_result r = format_policy(src, &diag, &text, &len, err, sizeof err);
        if (r == FORMAT_SYNTAX) {
            fprintf(stderr, "%s: %d error%s; not formatted\n", path, diag.errors, diag.errors == 1 ? "" : "s");
            if (rc == EXIT_OK)
                rc = EXIT_POLICY;
        } else if (r == FORMAT_INTERNAL) {
            fprintf(stderr, "lenityc fmt: internal error on %s: %s; the file is unchanged, please report this "
                            "with the policy\n", path, err);
            rc = EXIT_INTERNAL;
        } else {
            bool same = len == src->len && memcmp(text, src->text, len) == 0;
            if (check) {
                if (!same) {
                    printf("%s\n", path);
                    if (rc == EXIT_OK)
                        rc = EXIT_POLICY;
                }
            } else if (write) {
                if (!same && !fmt_replace(path, text, len, err, sizeof err)) {
                    fprintf(stderr, "lenityc: %s\n", err);
                    if (rc == EXIT_OK || rc == EXIT_POLICY)
                        rc = EXIT_INPUT;
                }
            } else {
                fwrite(text, 1, len, stdout);
            }
        }
        free(text);
        source_free(src);
    }
    if (nfiles == 0) {
        fmt_usage(stderr);
        return EXIT_USAGE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "lenityc fmt: cannot write the output: %s\n", strerror(errno));
        return EXIT_INPUT;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fmt") == 0)
        return fmt_main(argc - 1, argv + 1);
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
