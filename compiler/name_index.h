/*
 * name_index.h - finds a declaration's place in its list by name.
 *
 * A policy may declare tens of thousands of rules, parameters or sets
 * (up to 65,535 each), and every declaration and every use of a name
 * looks one up; a scan of the list would make compiling such a policy
 * quadratic.  This is an open-addressing hash table from a name to a
 * position, kept in the compilation's arena.
 */
#ifndef LENITY_NAME_INDEX_H
#define LENITY_NAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct name_index_slot {
    const char *name;           /* NULL: empty; the caller's string, which must outlive the index */
    size_t pos;
};

struct name_index {
    struct name_index_slot *slots;
    size_t cap;                 /* 0 or a power of two */
    size_t count;
};

/* Records name at pos, replacing the position it had. */
void name_index_put(struct arena *a, struct name_index *ix, const char *name, size_t pos);
/* The position of name, or -1. */
long name_index_get(const struct name_index *ix, const char *name);

#endif
