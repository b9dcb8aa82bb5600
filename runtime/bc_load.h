/*
 * bc_load.h - untrusted .lbc bytes to a struct program (format: bytecode.h).
 *
 * The loader checks the format: magic, version, length, checksum, every
 * count against its limit, every index into a table, every tag and flag.
 * It does not check the code: after a successful load the caller must
 * run verify_program (verify.h) before the program goes near the VM.
 */
#ifndef LENITY_BC_LOAD_H
#define LENITY_BC_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

/*
 * Loads len bytes into *out (which it initialises; the caller frees it
 * with program_free after a success).  `name` is the file name messages
 * start with.  On failure *out is left empty and err holds one line:
 * "prop64.lbc: truncated constant pool at byte 212".
 */
bool bc_load_memory(const unsigned char *data, size_t len, const char *name, struct program *out,
                    char *err, size_t errsize);

/* Reads path (at most BC_MAX_FILE_SIZE bytes) and loads it as above. */
bool bc_load_file(const char *path, struct program *out, char *err, size_t errsize);

#endif
