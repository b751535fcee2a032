/* failalloc.c - the counting, failing test allocator (see failalloc.h). */
#include "failalloc.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "core/alloc.h"

static _Atomic long countdown;   /* 0: never fail */
static _Atomic long live;
static _Atomic int failed;

static int should_fail(void)
{
    long left = atomic_load(&countdown);
    if (left <= 0)
        return 0;
    if (atomic_fetch_sub(&countdown, 1) == 1) {
        atomic_store(&failed, 1);
        return 1;
    }
    return 0;
}

static void *fa_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    void *p = malloc(n);
    if (p)
        atomic_fetch_add(&live, 1);
    return p;
}

static void *fa_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    void *q = realloc(p, n);
    if (q && p == NULL)
        atomic_fetch_add(&live, 1);
    return q;
}

static void fa_free(void *p)
{
    if (p) {
        atomic_fetch_sub(&live, 1);
        free(p);
    }
}

void sw_failalloc_install(void)
{
    static const sw_allocator a = {
        .malloc_fn = fa_malloc, .realloc_fn = fa_realloc, .free_fn = fa_free,
    };
    atomic_store(&countdown, 0);
    atomic_store(&live, 0);
    atomic_store(&failed, 0);
    sw_set_allocator(&a);
}

void sw_failalloc_uninstall(void)
{
    sw_set_allocator(NULL);
}

void sw_failalloc_fail_at(long n)
{
    atomic_store(&failed, 0);
    atomic_store(&countdown, n);
}

int sw_failalloc_failed(void) { return atomic_load(&failed); }
long sw_failalloc_live(void) { return atomic_load(&live); }
