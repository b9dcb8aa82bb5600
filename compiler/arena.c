/* arena.c - region allocator; see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
};

#define ARENA_BLOCK_SIZE (64u * 1024u)

void arena_init(struct arena *a)
{
    a->head = NULL;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

static void *arena_out_of_memory(void)
{
    fputs("lenity: out of memory\n", stderr);
    abort();
}

void *arena_alloc(struct arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    struct arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t want = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
        b = malloc(sizeof *b + want);
        if (!b)
            return arena_out_of_memory();
        b->size = want;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

static void ptrvec_grow(struct arena *a, struct ptrvec *v)
{
    if (v->len < v->cap)
        return;
    size_t cap = v->cap ? v->cap * 2 : 8;
    void **items = arena_alloc(a, cap * sizeof *items);
    if (v->len)
        memcpy(items, v->items, v->len * sizeof *items);
    v->items = items;
    v->cap = cap;
}

void ptrvec_push(struct arena *a, struct ptrvec *v, void *item)
{
    ptrvec_grow(a, v);
    v->items[v->len++] = item;
}

void ptrvec_insert(struct arena *a, struct ptrvec *v, size_t at, void *item)
{
    ptrvec_grow(a, v);
    if (at > v->len)
        at = v->len;
    memmove(v->items + at + 1, v->items + at, (v->len - at) * sizeof *v->items);
    v->items[at] = item;
    v->len++;
}
