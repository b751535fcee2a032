/* alloc.c - the replaceable allocator behind sw_malloc (see alloc.h). */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const sw_allocator libc_allocator = {
    .malloc_fn  = malloc,
    .realloc_fn = realloc,
    .free_fn    = free,
};

static sw_allocator current = {
    .malloc_fn  = malloc,
    .realloc_fn = realloc,
    .free_fn    = free,
};

void sw_set_allocator(const sw_allocator *a)
{
    current = a ? *a : libc_allocator;
}

void *sw_malloc(size_t n)
{
    return current.malloc_fn(n ? n : 1);
}

void *sw_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    size_t n = count * size;
    void *p = sw_malloc(n);
    if (p != NULL)
        memset(p, 0, n ? n : 1);
    return p;
}

void *sw_realloc(void *p, size_t n)
{
    return current.realloc_fn(p, n ? n : 1);
}

void sw_free(void *p)
{
    if (p != NULL)
        current.free_fn(p);
}

char *sw_strndup(const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = sw_malloc(n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sw_strdup(const char *s)
{
    return sw_strndup(s, strlen(s));
}
