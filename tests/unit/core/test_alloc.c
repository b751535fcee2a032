/* test_alloc.c - the replaceable allocator of core/alloc.h.
 *
 * Covers what callers rely on: zero-size requests still give a freeable
 * pointer, sw_calloc zeroes and refuses count*size overflow, sw_realloc keeps
 * contents, the string copies are NUL-terminated, sw_free(NULL) is a no-op,
 * and sw_set_allocator really routes every call (which is what lets the
 * allocation-failure tests elsewhere work at all). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "failalloc.h"

/* Runs fn in a child process, so that a call that corrupts memory cannot take
 * the other tests down with it; returns fn's exit status, or -1 when the
 * child died of a signal (a crash counts as a failure). */
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

static void test_zero_sizes_give_freeable_pointers(void **state)
{
    (void)state;
    void *a = sw_malloc(0);
    void *b = sw_calloc(0, 16);
    void *c = sw_calloc(16, 0);
    void *d = sw_realloc(NULL, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    assert_ptr_not_equal(a, b);
    sw_free(a);
    sw_free(b);
    sw_free(c);
    sw_free(d);
    sw_free(NULL);                 /* no-op */
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    unsigned char *p = sw_calloc(1000, 3);
    assert_non_null(p);
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(p[i], 0);
    sw_free(p);
}

static void test_calloc_overflow_fails_without_allocating(void **state)
{
    (void)state;
    sw_failalloc_install();
    const struct { size_t count, size; } cases[] = {
        { SIZE_MAX, 2 },
        { SIZE_MAX / 2 + 1, 2 },
        { 2, SIZE_MAX / 2 + 1 },
        { (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4) },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        void *p = sw_calloc(cases[i].count, cases[i].size);
        assert_null(p);
    }
    assert_int_equal(sw_failalloc_live(), 0);
}

static void test_realloc_keeps_contents(void **state)
{
    (void)state;
    char *p = sw_malloc(4);
    assert_non_null(p);
    memcpy(p, "abc", 4);
    p = sw_realloc(p, 1 << 20);
    assert_non_null(p);
    assert_string_equal(p, "abc");
    p = sw_realloc(p, 2);
    assert_non_null(p);
    assert_memory_equal(p, "ab", 2);
    sw_free(p);
}

static void test_strdup_and_strndup(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        size_t      n;
        const char *want;
    } cases[] = {
        { "",          0, "" },
        { "abcdef",    3, "abc" },
        { "abcdef",    6, "abcdef" },
        { "h\xc3\xa9", 3, "h\xc3\xa9" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = sw_strndup(cases[i].src, cases[i].n);
        assert_non_null(d);
        assert_string_equal(d, cases[i].want);
        assert_ptr_not_equal(d, cases[i].src);
        sw_free(d);
    }
    char *d = sw_strdup("Stagewise");
    assert_non_null(d);
    assert_string_equal(d, "Stagewise");
    sw_free(d);
}

/* n + 1 wraps to 0 for n == SIZE_MAX: the copy must be refused, as
 * sw_arena_strndup does, not made into a 1-byte block. */
static int strndup_size_max(void)
{
    char *d = sw_strndup("abc", SIZE_MAX);
    return d == NULL ? 0 : 1;
}

static void test_strndup_size_max_is_refused(void **state)
{
    (void)state;
    int rc = run_isolated(strndup_size_max);
    if (rc != 0)
        fail_msg("sw_strndup(s, SIZE_MAX) %s instead of returning NULL",
                 rc < 0 ? "crashed" : "returned a block");
}

static void test_replaced_allocator_sees_every_call(void **state)
{
    (void)state;
    sw_failalloc_install();
    char *a = sw_malloc(10);
    char *b = sw_calloc(2, 10);
    char *c = sw_strdup("x");
    char *d = sw_realloc(NULL, 10);
    assert_int_equal(sw_failalloc_live(), 4);
    d = sw_realloc(d, 100);        /* moving a block does not change the count */
    assert_int_equal(sw_failalloc_live(), 4);
    sw_free(a);
    sw_free(b);
    sw_free(c);
    sw_free(d);
    assert_int_equal(sw_failalloc_live(), 0);

    /* NULL restores the C library: the counter no longer moves. */
    sw_failalloc_uninstall();
    char *e = sw_malloc(10);
    assert_non_null(e);
    sw_free(e);
}

static void test_failures_are_reported_as_null(void **state)
{
    (void)state;
    sw_failalloc_install();

    sw_failalloc_fail_at(1);
    assert_null(sw_malloc(8));
    assert_true(sw_failalloc_failed());

    sw_failalloc_fail_at(1);
    assert_null(sw_calloc(2, 8));

    sw_failalloc_fail_at(1);
    assert_null(sw_strdup("abc"));

    sw_failalloc_fail_at(1);
    assert_null(sw_strndup("abc", 2));

    /* A failed realloc leaves the old block intact and owned by the caller. */
    char *p = sw_strdup("keep");
    assert_non_null(p);
    sw_failalloc_fail_at(1);
    assert_null(sw_realloc(p, 1 << 16));
    assert_string_equal(p, "keep");
    sw_free(p);

    /* The second allocation from now fails, not the first. */
    sw_failalloc_fail_at(2);
    char *q = sw_malloc(1);
    assert_non_null(q);
    assert_false(sw_failalloc_failed());
    assert_null(sw_malloc(1));
    assert_true(sw_failalloc_failed());
    sw_free(q);

    assert_int_equal(sw_failalloc_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_sizes_give_freeable_pointers),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test_teardown(test_calloc_overflow_fails_without_allocating,
                                  teardown_allocator),
        cmocka_unit_test(test_realloc_keeps_contents),
        cmocka_unit_test(test_strdup_and_strndup),
        cmocka_unit_test(test_strndup_size_max_is_refused),
        cmocka_unit_test_teardown(test_replaced_allocator_sees_every_call,
                                  teardown_allocator),
        cmocka_unit_test_teardown(test_failures_are_reported_as_null,
                                  teardown_allocator),
    };
    return cmocka_run_group_tests_name("core/alloc", tests, NULL, NULL);
}
