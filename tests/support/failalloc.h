/* failalloc.h - an allocator for tests that counts, and fails on demand.
 *
 * Installed with sw_set_allocator, it counts allocations and live blocks,
 * and can make the Nth allocation from now return NULL. A test runs an
 * operation with N = 1, 2, 3, … until it succeeds, checking each time that
 * the operation reported SW_ENOMEM cleanly and that no block is left live. */
#ifndef SW_FAILALLOC_H
#define SW_FAILALLOC_H

void sw_failalloc_install(void);
void sw_failalloc_uninstall(void);
/* The nth allocation from now fails (1 = the next one); 0 fails none. */
void sw_failalloc_fail_at(long n);
/* Whether the planned failure has happened. */
int  sw_failalloc_failed(void);
/* Blocks allocated and not yet freed since install. */
long sw_failalloc_live(void);

#endif
