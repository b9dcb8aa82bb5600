/*
 * arena.h - a region allocator for one compilation.
 *
 * Every AST node, string and list of a compilation is carved from one
 * arena and released at once when the compilation ends, so no error path
 * can leak and no node has an owner to track.  Allocation failure aborts
 * with a message: a compiler that ran out of memory has nothing better to do.
 */
#ifndef LENITY_ARENA_H
#define LENITY_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
/* Zeroed, aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);

/* A growable array of pointers whose storage lives in the arena. */
struct ptrvec {
    void **items;
    size_t len;
    size_t cap;
};
void ptrvec_push(struct arena *a, struct ptrvec *v, void *item);
void ptrvec_insert(struct arena *a, struct ptrvec *v, size_t at, void *item);

#endif
