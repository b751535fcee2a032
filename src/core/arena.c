/* arena.c - bump allocation over a chain of blocks (see arena.h).
 *
 * Requests are short and allocate many small pieces, so the common case is a
 * pointer bump in the current block. Blocks grow geometrically up to a cap;
 * a piece larger than the standard block gets a block of its own so it does
 * not waste the rest of the current one. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "errors.h"

#define FIRST_BLOCK  (4 * 1024)
#define MAX_BLOCK    (256 * 1024)
#define ALIGNMENT    alignof(max_align_t)

struct block {
    struct block *next;
    size_t        size;   /* usable bytes after the header */
    size_t        used;
    alignas(max_align_t) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void          (*fn)(void *);
    void           *arg;
};

struct sw_arena {
    struct block   *head;       /* current block; older ones follow */
    struct cleanup *cleanups;   /* newest first */
    size_t          max_bytes;  /* 0: unbounded */
    size_t          reserved;   /* sum of block sizes */
    size_t          used;       /* bytes handed out */
    size_t          next_size;  /* size of the next standard block */
};

sw_arena *sw_arena_create(size_t max_bytes)
{
    sw_arena *a = sw_calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->max_bytes = max_bytes;
    a->next_size = FIRST_BLOCK;
    return a;
}

void sw_arena_destroy(sw_arena *a)
{
    if (a == NULL)
        return;
    struct cleanup *c = a->cleanups;
    while (c != NULL) {
        struct cleanup *next = c->next;
        c->fn(c->arg);
        c = next;        /* the cleanup record itself lives in a block */
    }
    struct block *b = a->head;
    while (b != NULL) {
        struct block *next = b->next;
        sw_free(b);
        b = next;
    }
    sw_free(a);
}

static size_t round_up(size_t n)
{
    return (n + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
}

static struct block *add_block(sw_arena *a, size_t need)
{
    size_t size = a->next_size;
    if (a->max_bytes) {
        size_t left = a->max_bytes > a->reserved ? a->max_bytes - a->reserved : 0;
        if (need > left)
            return NULL;
        if (size > left)
            size = left;          /* the last block: what the budget has left */
    }
    int oversized = need > size;
    if (oversized)
        size = need;
    if (size > SIZE_MAX - sizeof(struct block))
        return NULL;
    struct block *b = sw_malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->size = size;
    b->used = 0;
    a->reserved += size;
    if (oversized && a->head != NULL) {
        /* Keep filling the current block; the big piece sits behind it. */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
        if (a->next_size < MAX_BLOCK)
            a->next_size *= 2;
    }
    return b;
}

void *sw_arena_alloc(sw_arena *a, size_t n)
{
    if (n > SIZE_MAX - ALIGNMENT)
        return NULL;
    n = round_up(n ? n : 1);
    struct block *b = a->head;
    if (b == NULL || b->size - b->used < n) {
        b = add_block(a, n);
        if (b == NULL)
            return NULL;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *sw_arena_calloc(sw_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = sw_arena_alloc(a, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

char *sw_arena_strndup(sw_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = sw_arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sw_arena_strdup(sw_arena *a, const char *s)
{
    return sw_arena_strndup(a, s, strlen(s));
}

char *sw_arena_vprintf(sw_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *d = sw_arena_alloc(a, (size_t)n + 1);
    if (d == NULL)
        return NULL;
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *sw_arena_printf(sw_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = sw_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

int sw_arena_on_destroy(sw_arena *a, void (*fn)(void *), void *arg)
{
    struct cleanup *c = sw_arena_alloc(a, sizeof *c);
    if (c == NULL)
        return SW_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return SW_OK;
}

size_t sw_arena_used(const sw_arena *a)
{
    return a->used;
}
