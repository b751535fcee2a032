/* arena.h - region allocation for things that die together.
 *
 * A request, an HL7 message or an import entry allocates everything it needs
 * from one arena and frees it all in one sw_arena_destroy. The arena has a
 * byte budget: past it, allocation fails (NULL) and the caller answers with
 * SW_ENOMEM or SW_ETOOBIG instead of letting one request take the machine.
 * Cleanup callbacks registered on the arena run in reverse order at destroy,
 * which is how statements, files and other handles opened for a request are
 * released whatever path the request takes.
 *
 * Ownership: the arena owns every pointer it returns; callers never free
 * them. An arena is used by one thread at a time. */
#ifndef SW_ARENA_H
#define SW_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sw_arena sw_arena;

/* max_bytes bounds the total of all blocks; 0 means no bound. NULL when out
 * of memory. */
sw_arena *sw_arena_create(size_t max_bytes);
/* Runs the cleanups (last registered first), then frees every block.
 * Accepts NULL. */
void sw_arena_destroy(sw_arena *a);

/* Memory aligned for any type; NULL when out of memory or over budget. */
void *sw_arena_alloc(sw_arena *a, size_t n);
void *sw_arena_calloc(sw_arena *a, size_t count, size_t size);
char *sw_arena_strndup(sw_arena *a, const char *s, size_t n);
char *sw_arena_strdup(sw_arena *a, const char *s);
char *sw_arena_printf(sw_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *sw_arena_vprintf(sw_arena *a, const char *fmt, va_list ap);

/* Registers fn(arg) to run at destroy. Returns 0, or SW_ENOMEM, in which
 * case fn has NOT been registered and the caller must release arg itself. */
int sw_arena_on_destroy(sw_arena *a, void (*fn)(void *arg), void *arg);

/* Bytes handed out so far (for tests and limits). */
size_t sw_arena_used(const sw_arena *a);

#endif
