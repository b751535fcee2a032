/* test_arena.c - the region allocator of core/arena.h.
 *
 * Covers: alignment and independence of pieces across block boundaries and
 * oversized pieces, calloc/strdup/printf, the byte budget (refusals and what
 * stays usable), cleanup callbacks (reverse order, run before the memory
 * goes, the on_destroy failure contract), sizes near SIZE_MAX, and
 * allocation failure: every Nth allocation failing in turn must give NULL or
 * SW_ENOMEM and leave nothing live once the arena is destroyed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "core/errors.h"
#include "failalloc.h"

/* Runs fn in a child process, so that a call that corrupts memory cannot take
 * the other tests down with it; returns fn's exit status, or -1 when the
 * child died of a signal. */
static int run_isolated(int (*fn)(void))
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn());
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

/* ---- Allocation ---------------------------------------------------------- */

static void test_pieces_are_aligned_and_independent(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    assert_non_null(a);
    /* Sizes chosen to cross many block boundaries, with odd lengths. */
    enum { N = 3000 };
    static unsigned char *p[N];
    static size_t len[N];
    for (int i = 0; i < N; i++) {
        len[i] = (size_t)(i % 97) * 7 + (i % 5 == 0 ? 0 : 1);
        if (i % 500 == 499)
            len[i] = 300 * 1024;         /* larger than any standard block */
        p[i] = sw_arena_alloc(a, len[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % alignof(max_align_t), 0);
        memset(p[i], i & 0xff, len[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < len[i]; j++)
            if (p[i][j] != (unsigned char)(i & 0xff))
                fail_msg("piece %d byte %zu was overwritten", i, j);
    sw_arena_destroy(a);
}

static void test_zero_size_gives_distinct_pointers(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    void *x = sw_arena_alloc(a, 0);
    void *y = sw_arena_alloc(a, 0);
    assert_non_null(x);
    assert_non_null(y);
    assert_ptr_not_equal(x, y);
    sw_arena_destroy(a);
}

static void test_used_counts_what_was_handed_out(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    assert_int_equal(sw_arena_used(a), 0);
    size_t asked = 0;
    for (size_t n = 1; n < 5000; n += 331) {
        size_t before = sw_arena_used(a);
        assert_non_null(sw_arena_alloc(a, n));
        asked += n;
        assert_true(sw_arena_used(a) >= before + n);
        /* rounding to the alignment is the only overhead per piece */
        assert_true(sw_arena_used(a) - before < n + alignof(max_align_t));
    }
    assert_true(sw_arena_used(a) >= asked);
    sw_arena_destroy(a);
}

static void test_calloc_zeroes_and_refuses_overflow(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    /* dirty the first block so a calloc'd piece cannot be zero by accident */
    unsigned char *dirty = sw_arena_alloc(a, 1000);
    memset(dirty, 0xAA, 1000);
    unsigned char *z = sw_arena_calloc(a, 250, 4);
    assert_non_null(z);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(z[i], 0);
    assert_null(sw_arena_calloc(a, SIZE_MAX / 2 + 1, 2));
    assert_null(sw_arena_calloc(a, (size_t)1 << (sizeof(size_t) * 4),
                                (size_t)1 << (sizeof(size_t) * 4)));
    sw_arena_destroy(a);
}

static void test_strdup_strndup(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    const char *src = "Patient/123";
    char *d = sw_arena_strdup(a, src);
    assert_string_equal(d, src);
    assert_ptr_not_equal(d, src);
    char *n = sw_arena_strndup(a, src, 7);
    assert_string_equal(n, "Patient");
    char *e = sw_arena_strndup(a, src, 0);
    assert_string_equal(e, "");
    assert_null(sw_arena_strndup(a, src, SIZE_MAX));
    sw_arena_destroy(a);
}

static void test_printf(void **state)
{
    (void)state;
    sw_arena *a = sw_arena_create(0);
    char *s = sw_arena_printf(a, "%s/%d?%s=%.2f", "Observation", 42, "value", 1.5);
    assert_string_equal(s, "Observation/42?value=1.50");
    assert_string_equal(sw_arena_printf(a, "%s", ""), "");

    /* Output longer than a standard block. */
    enum { BIG = 300 * 1024 };
    static char big[BIG + 1];
    memset(big, 'q', BIG);
    big[BIG] = '\0';
    char *l = sw_arena_printf(a, "<%s>", big);
    assert_non_null(l);
    assert_int_equal(strlen(l), BIG + 2);
    assert_int_equal(l[0], '<');
    assert_int_equal(l[BIG + 1], '>');
    assert_memory_equal(l + 1, big, BIG);
    sw_arena_destroy(a);
}

static void test_printf_encoding_error_gives_null(void **state)
{
    (void)state;
    /* In the C locale a wide character above 0x7f cannot be converted, so
     * vsnprintf fails; the arena must say NULL, not hand out garbage. */
    sw_arena *a = sw_arena_create(0);
    static const wchar_t w[] = { 0x20AC, 0 };
    assert_null(sw_arena_printf(a, "%ls", w));
    sw_arena_destroy(a);
}

/* ---- Sizes near SIZE_MAX -------------------------------------------------- */

/* An unbounded arena asked for nearly SIZE_MAX bytes must refuse. The block
 * header plus the rounded size can wrap around, so a naive sw_malloc(header
 * + size) asks for a few bytes and "succeeds". The allocator installed here
 * refuses anything over 1 GiB, as a real one would, so what is left to
 * catch is exactly a wrapped request. */
static void *capped_malloc(size_t n)
{
    return n > ((size_t)1 << 30) ? NULL : malloc(n);
}

static void *capped_realloc(void *p, size_t n)
{
    return n > ((size_t)1 << 30) ? NULL : realloc(p, n);
}

static int alloc_near_size_max(void)
{
    static const sw_allocator capped = {
        .malloc_fn = capped_malloc, .realloc_fn = capped_realloc, .free_fn = free,
    };
    sw_set_allocator(&capped);
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return 2;
    int bad = 0;
    for (size_t k = 0; k <= 4 * alignof(max_align_t) + 64; k++) {
        void *p = sw_arena_alloc(a, SIZE_MAX - k);
        if (p != NULL)
            bad = 1;
    }
    sw_arena_destroy(a);
    sw_set_allocator(NULL);
    return bad;
}

static void test_alloc_near_size_max_fails(void **state)
{
    (void)state;
    int rc = run_isolated(alloc_near_size_max);
    if (rc != 0)
        fail_msg("sw_arena_alloc(a, SIZE_MAX - k) %s",
                 rc < 0 ? "crashed" : "returned a pointer for some k");
}

/* ---- The budget ------------------------------------------------------------ */

static void test_budget_refuses_and_stays_usable(void **state)
{
    (void)state;
    const size_t max = 64 * 1024;
    sw_arena *a = sw_arena_create(max);
    assert_non_null(a);
    /* One piece larger than the whole budget is refused outright... */
    assert_null(sw_arena_alloc(a, max + 1));
    /* ...and the arena still serves small pieces afterwards. */
    assert_non_null(sw_arena_alloc(a, 16));

    size_t got = 16;
    while (sw_arena_alloc(a, 1024) != NULL) {
        got += 1024;
        assert_true(got <= max);
    }
    assert_true(sw_arena_used(a) <= max);
    /* the budget is not merely nominal: most of it can be used */
    assert_true(got >= max / 2);
    sw_arena_destroy(a);
}

/* A budget is a promise of that much memory, however small: an arena made
 * for a 1000-byte job must serve a 100-byte piece. */
static void test_small_budget_serves_small_pieces(void **state)
{
    (void)state;
    const size_t budgets[] = { 256, 1000, 4095 };
    for (size_t i = 0; i < sizeof budgets / sizeof *budgets; i++) {
        sw_arena *a = sw_arena_create(budgets[i]);
        assert_non_null(a);
        void *p = sw_arena_alloc(a, 100);
        void *over = sw_arena_alloc(a, budgets[i] + 1);
        sw_arena_destroy(a);
        if (p == NULL)
            fail_msg("an arena with a %zu-byte budget refused 100 bytes",
                     budgets[i]);
        assert_null(over);
    }
}

/* ---- Cleanups -------------------------------------------------------------- */

static int order[16];
static int norder;

static void record(void *arg)
{
    order[norder++] = *(int *)arg;   /* arg lives in the arena: still readable */
}

static void test_cleanups_run_in_reverse_before_memory_goes(void **state)
{
    (void)state;
    norder = 0;
    sw_arena *a = sw_arena_create(0);
    for (int i = 0; i < 5; i++) {
        int *arg = sw_arena_alloc(a, sizeof *arg);
        *arg = i;
        assert_int_equal(sw_arena_on_destroy(a, record, arg), SW_OK);
        /* allocate between registrations so records span blocks */
        assert_non_null(sw_arena_alloc(a, 3000));
    }
    assert_int_equal(norder, 0);     /* nothing runs before destroy */
    sw_arena_destroy(a);
    assert_int_equal(norder, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(order[i], 4 - i);
}

static void test_destroy_null(void **state)
{
    (void)state;
    sw_arena_destroy(NULL);
}

/* ---- Allocation failure ---------------------------------------------------- */

/* Runs op with the Nth allocation failing for N = 1, 2, ... until op
 * succeeds without the planned failure having happened. op returns SW_OK or
 * SW_ENOMEM and must have released everything it allocated by then. */
static void each_failure(int (*op)(void), long *runs)
{
    sw_failalloc_install();
    for (long n = 1;; n++) {
        assert_true(n < 1000);
        sw_failalloc_fail_at(n);
        int rc = op();
        bool failed = sw_failalloc_failed();
        if (sw_failalloc_live() != 0)
            fail_msg("allocation %ld failing leaves %ld blocks live", n,
                     sw_failalloc_live());
        if (!failed) {
            assert_int_equal(rc, SW_OK);
            *runs = n;
            break;
        }
        if (rc != SW_ENOMEM)
            fail_msg("allocation %ld failing gave %d, not SW_ENOMEM", n, rc);
    }
    sw_failalloc_fail_at(0);
    sw_failalloc_uninstall();
}

static int op_create(void)
{
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    sw_arena_destroy(a);
    return SW_OK;
}

/* Small pieces, a second standard block, an oversized piece, then more small
 * pieces: every kind of block the arena makes. After a failure the arena must
 * still work (a failed alloc changes nothing). */
static int op_alloc(void)
{
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    static const size_t sizes[] = { 10, 3000, 2000, 500 * 1024, 100, 9000, 1 };
    int rc = SW_OK;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        unsigned char *p = sw_arena_alloc(a, sizes[i]);
        if (p == NULL) {
            rc = SW_ENOMEM;
            /* the planned failure has happened, so memory is back: the same
             * request must now succeed */
            p = sw_arena_alloc(a, sizes[i]);
            if (p == NULL)
                rc = SW_EINTERNAL;
            else
                memset(p, 1, sizes[i]);
            break;
        }
        memset(p, 1, sizes[i]);
    }
    sw_arena_destroy(a);
    return rc;
}

static int op_printf(void)
{
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    int rc = SW_OK;
    for (int i = 0; i < 200 && rc == SW_OK; i++) {
        char *s = sw_arena_printf(a, "Observation/%d/_history/%d", i, i * 7);
        if (s == NULL)
            rc = SW_ENOMEM;
    }
    if (rc == SW_OK) {
        char *s = sw_arena_printf(a, "%*s", 100000, "x");
        if (s == NULL)
            rc = SW_ENOMEM;
        else if (strlen(s) != 100000)
            rc = SW_EINTERNAL;
    }
    sw_arena_destroy(a);
    return rc;
}

static int cleanup_calls;
static int refused_registrations;

static void free_arg(void *arg)
{
    cleanup_calls++;
    sw_free(arg);
}

/* The documented contract: on SW_ENOMEM, fn has not been registered and the
 * caller releases arg itself; on SW_OK, destroy releases it. Either way
 * nothing leaks and fn runs exactly once or never. The fillers are sized so
 * that each block is full when a registration comes, which then needs a new
 * block (4096, 8192, ... bytes; a record takes 32 on LP64). */
static int op_on_destroy(void)
{
    static const size_t fill[] = { 4096, 8192 - 32, 16384 - 32 };
    cleanup_calls = 0;
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    int rc = SW_OK;
    for (size_t i = 0; i < sizeof fill / sizeof *fill && rc == SW_OK; i++) {
        if (sw_arena_alloc(a, fill[i]) == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        char *arg = sw_strdup("statement handle");
        if (arg == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        int r = sw_arena_on_destroy(a, free_arg, arg);
        if (r != SW_OK) {
            rc = r == SW_ENOMEM ? SW_ENOMEM : SW_EINTERNAL;
            refused_registrations++;
            sw_free(arg);      /* not registered: ours to release */
        }
    }
    int early = cleanup_calls;     /* nothing may run before destroy */
    sw_arena_destroy(a);
    if (early != 0)
        return SW_EINTERNAL;
    return rc;
}

static void test_create_fails_cleanly(void **state)
{
    (void)state;
    long runs;
    each_failure(op_create, &runs);
    assert_int_equal(runs, 2);
}

static void test_alloc_fails_cleanly(void **state)
{
    (void)state;
    long runs;
    each_failure(op_alloc, &runs);
    assert_true(runs > 3);       /* several blocks were exercised */
}

static void test_printf_fails_cleanly(void **state)
{
    (void)state;
    long runs;
    each_failure(op_printf, &runs);
    assert_true(runs > 2);
}

static void test_on_destroy_fails_cleanly(void **state)
{
    (void)state;
    long runs;
    refused_registrations = 0;
    each_failure(op_on_destroy, &runs);
    assert_true(runs > 4);
    assert_true(refused_registrations > 0);  /* the registration itself failed */
    assert_int_equal(cleanup_calls, 3);   /* the final run registered all three */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces_are_aligned_and_independent),
        cmocka_unit_test(test_zero_size_gives_distinct_pointers),
        cmocka_unit_test(test_used_counts_what_was_handed_out),
        cmocka_unit_test(test_calloc_zeroes_and_refuses_overflow),
        cmocka_unit_test(test_strdup_strndup),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_printf_encoding_error_gives_null),
        cmocka_unit_test(test_alloc_near_size_max_fails),
        cmocka_unit_test(test_budget_refuses_and_stays_usable),
        cmocka_unit_test(test_small_budget_serves_small_pieces),
        cmocka_unit_test(test_cleanups_run_in_reverse_before_memory_goes),
        cmocka_unit_test(test_destroy_null),
        cmocka_unit_test_teardown(test_create_fails_cleanly, teardown_allocator),
        cmocka_unit_test_teardown(test_alloc_fails_cleanly, teardown_allocator),
        cmocka_unit_test_teardown(test_printf_fails_cleanly, teardown_allocator),
        cmocka_unit_test_teardown(test_on_destroy_fails_cleanly, teardown_allocator),
    };
    return cmocka_run_group_tests_name("core/arena", tests, NULL, NULL);
}
