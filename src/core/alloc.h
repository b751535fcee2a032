/* alloc.h - the one allocator all Stagewise code allocates through.
 *
 * Every allocation in src/ goes through sw_malloc and friends so that a test
 * can replace the allocator (sw_set_allocator) and fail the Nth call, then
 * check that the caller returns SW_ENOMEM cleanly and leaks nothing. Out of
 * memory is an error to return, never a reason to abort.
 *
 * Ownership: memory from sw_malloc/sw_calloc/sw_realloc/sw_strdup belongs to
 * the caller until sw_free. sw_free(NULL) is a no-op. Replace the allocator
 * only while no other thread allocates (at start-up or in a test). */
#ifndef SW_ALLOC_H
#define SW_ALLOC_H

#include <stddef.h>

typedef struct sw_allocator {
    void *(*malloc_fn)(size_t n);
    void *(*realloc_fn)(void *p, size_t n);
    void  (*free_fn)(void *p);
} sw_allocator;

/* NULL restores the C library's allocator. */
void sw_set_allocator(const sw_allocator *a);

void *sw_malloc(size_t n);
void *sw_calloc(size_t count, size_t size);   /* checks count*size overflow */
void *sw_realloc(void *p, size_t n);
void  sw_free(void *p);
char *sw_strdup(const char *s);
char *sw_strndup(const char *s, size_t n);    /* always NUL-terminated */

#endif
