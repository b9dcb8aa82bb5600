/*
 * fuzz_policy.c - fuzz target: policy text -> the whole compiler
 * (extend, parse, check, optimize, codegen, verify).
 *
 * Whatever the bytes, compile_policy_text must return, with or without
 * diagnostics, and never crash.  When a policy compiles, everything done
 * with a compiled policy must work too: its examples run on the VM
 * (lenity test), it disassembles (lenityc --disasm), and it survives the
 * trip through the bytecode format that `lenity run` makes (write to
 * memory, load, verify).  A compiled policy that the loader or the
 * verifier refuses is a compiler bug: the target aborts.
 *
 * The policy is named "fuzz.policy" in the current folder, so an
 * `extends "rules/ca/prop64.policy"` in the input reads the shipped policy
 * when the fuzzer runs from the repository root (as `make fuzz` does).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc_load.h"
#include "bc_write.h"
#include "compile.h"
#include "disasm.h"
#include "examples.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* Diagnostics and reports go to /dev/null; stdin too, so `extends "/dev/stdin"` cannot block. */
static void setup(void)
{
    if (devnull)
        return;
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && fd != STDIN_FILENO) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
}

/* What `lenity run` does with a compiled policy: to bytes and back. */
static void round_trip(const struct program *compiled)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (!bc_write_memory(compiled, &bytes, &len)) {
        fprintf(stderr, "fuzz_policy: bc_write_memory failed on a compiled policy\n");
        abort();
    }
    struct program loaded;
    char err[1024];
    if (!bc_load_memory(bytes, len, "fuzz.lbc", &loaded, err, sizeof err)) {
        fprintf(stderr, "fuzz_policy: the loader refused the compiler's output: %s\n", err);
        abort();
    }
    free(bytes);
    if (!verify_program(&loaded, err, sizeof err)) {
        fprintf(stderr, "fuzz_policy: the verifier refused a reloaded compiled policy: %s\n", err);
        abort();
    }
    if (loaded.ncode != compiled->ncode || loaded.nrules != compiled->nrules ||
        loaded.nexamples != compiled->nexamples || loaded.max_stack != compiled->max_stack) {
        fprintf(stderr, "fuzz_policy: the reloaded program differs from the compiled one\n");
        abort();
    }
    program_free(&loaded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    /* The compiler takes NUL-terminated text (a NUL byte inside ends it early, as it would in C). */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct diag diag;
    diag_init(&diag, devnull);
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    /* The first byte's low bit picks -O0, so both the optimizer's input and output reach codegen. */
    opts.no_optimize = size > 0 && (data[0] & 1);
    struct program program;
    program_init(&program);
    if (compile_policy_text("fuzz.policy", text, &opts, &diag, &program)) {
        struct examples_result result;
        examples_run(&program, devnull, &result);
        disasm_program(devnull, &program);
        round_trip(&program);
        program_free(&program);
    }
    free(text);
    return 0;
}
