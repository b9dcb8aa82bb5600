/*
 * bc_write.h - a struct program to .lbc bytes (bytecode.h), for lenityc.
 * The writer does not verify: lenityc runs verify_program before writing.
 */
#ifndef LENITY_BC_WRITE_H
#define LENITY_BC_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

/*
 * Writes p to path atomically: the bytes go to a new temporary file in
 * the same directory (mode 0600), which is synced and then renamed over
 * path, so a crash leaves either the old file or the new one.  On failure
 * returns false with a message naming path in err (when err is not NULL).
 */
bool bc_write_file(const struct program *p, const char *path, char *err, size_t errsize);

/* Encodes p into a malloc'd buffer the caller frees; false when out of
 * memory or when p holds a pointer the format cannot express (a TEXT value
 * that is not a program string, a CITATION outside p->citations). */
bool bc_write_memory(const struct program *p, unsigned char **out, size_t *outlen);

#endif
