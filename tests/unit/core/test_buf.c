/* test_buf.c - the bounded growable buffer of core/buf.h.
 *
 * Covers the promises callers build on: contents are always NUL-terminated,
 * the ceiling is exact (max bytes fit, one more is SW_ETOOBIG) and a refused
 * append leaves the buffer as it was without having allocated the oversized
 * input, reserve really reserves, reset keeps memory, detach hands over an
 * allocated string, and allocation failure at any point gives SW_ENOMEM with
 * the earlier contents intact and nothing leaked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/errors.h"
#include "failalloc.h"

static int teardown_allocator(void **state)
{
    (void)state;
    sw_failalloc_uninstall();
    return 0;
}

static void assert_terminated(const sw_buf *b)
{
    assert_non_null(b->data);
    assert_true(b->len < b->cap);
    assert_int_equal(b->data[b->len], '\0');
}

static void test_empty_buffer(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(100);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    assert_string_equal(sw_buf_str(&b), "");
    sw_buf c;
    sw_buf_init(&c, 7);
    assert_null(c.data);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.max, 7);
    sw_buf_free(&b);               /* freeing an empty buffer is fine */
    sw_buf_free(&c);
}

static void test_appends(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(1024);
    assert_int_equal(sw_buf_append(&b, "ab", 2), SW_OK);
    assert_terminated(&b);
    assert_int_equal(sw_buf_puts(&b, "cd"), SW_OK);
    assert_int_equal(sw_buf_putc(&b, 'e'), SW_OK);
    assert_int_equal(sw_buf_printf(&b, "[%d:%s]", 42, "x"), SW_OK);
    assert_int_equal(sw_buf_append(&b, "zzz", 0), SW_OK);
    assert_terminated(&b);
    assert_int_equal(b.len, 11);
    assert_string_equal(sw_buf_str(&b), "abcde[42:x]");
    /* binary data, including NUL bytes, is kept byte for byte */
    assert_int_equal(sw_buf_append(&b, "\0\1\0", 3), SW_OK);
    assert_int_equal(b.len, 14);
    assert_memory_equal(b.data + 11, "\0\1\0", 3);
    assert_terminated(&b);
    sw_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_growth_keeps_contents(void **state)
{
    (void)state;
    enum { N = 200000 };
    sw_buf b = SW_BUF_INIT(N);
    for (int i = 0; i < N; i++)
        assert_int_equal(sw_buf_putc(&b, (char)('a' + i % 26)), SW_OK);
    assert_int_equal(b.len, N);
    assert_terminated(&b);
    for (int i = 0; i < N; i++)
        if (b.data[i] != (char)('a' + i % 26))
            fail_msg("byte %d lost in growth", i);
    sw_buf_free(&b);
}

/* Table of ceilings: what fits exactly, and the first byte that does not. */
static void test_ceiling_is_exact(void **state)
{
    (void)state;
    static const size_t maxes[] = { 0, 1, 255, 256, 257, 1000, 4096 };
    static char src[8192];
    memset(src, 'x', sizeof src);
    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        size_t max = maxes[i];
        sw_buf b = SW_BUF_INIT(max);
        /* all at once, one over: refused without allocating anything */
        assert_int_equal(sw_buf_append(&b, src, max + 1), SW_ETOOBIG);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        /* exactly max: fits, in two pieces */
        assert_int_equal(sw_buf_append(&b, src, max / 2), SW_OK);
        assert_int_equal(sw_buf_append(&b, src, max - max / 2), SW_OK);
        assert_int_equal(b.len, max);
        assert_terminated(&b);
        /* memory never exceeds the ceiling plus the terminator */
        assert_true(b.cap <= max + 1);
        /* one more byte, by any route, is refused and changes nothing */
        assert_int_equal(sw_buf_putc(&b, 'y'), SW_ETOOBIG);
        assert_int_equal(sw_buf_puts(&b, "y"), SW_ETOOBIG);
        assert_int_equal(sw_buf_printf(&b, "%c", 'y'), SW_ETOOBIG);
        assert_int_equal(sw_buf_reserve(&b, 1), SW_ETOOBIG);
        assert_int_equal(b.len, max);
        assert_int_equal(b.data[max], '\0');
        assert_true(max == 0 || b.data[max - 1] == 'x');
        /* appending nothing is always fine */
        assert_int_equal(sw_buf_append(&b, src, 0), SW_OK);
        sw_buf_free(&b);
    }
}

static void test_printf_at_the_ceiling(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(10);
    assert_int_equal(sw_buf_printf(&b, "%05d", 123), SW_OK);
    assert_int_equal(sw_buf_printf(&b, "%s", "abcde"), SW_OK);     /* = 10 */
    assert_string_equal(sw_buf_str(&b), "00123abcde");
    sw_buf_reset(&b);
    assert_int_equal(sw_buf_printf(&b, "%s", "0123456789A"), SW_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_string_equal(sw_buf_str(&b), "");
    sw_buf_free(&b);
}

static void test_printf_encoding_error(void **state)
{
    (void)state;
    /* In the C locale vsnprintf cannot convert this wide character. */
    sw_buf b = SW_BUF_INIT(100);
    assert_int_equal(sw_buf_puts(&b, "keep"), SW_OK);
    static const wchar_t w[] = { 0x20AC, 0 };
    assert_int_equal(sw_buf_printf(&b, "%ls", w), SW_EINVAL);
    assert_string_equal(sw_buf_str(&b), "keep");
    sw_buf_free(&b);
}

static void test_reserve_reserves(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(1 << 20);
    assert_int_equal(sw_buf_puts(&b, "head"), SW_OK);
    assert_int_equal(sw_buf_reserve(&b, 5000), SW_OK);
    assert_true(b.cap >= b.len + 5000 + 1);
    assert_int_equal(b.len, 4);            /* reserving adds no bytes */
    /* within the reservation no allocation happens, so none can fail */
    sw_failalloc_install();
    sw_failalloc_fail_at(1);
    char chunk[1000];
    memset(chunk, 'r', sizeof chunk);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sw_buf_append(&b, chunk, sizeof chunk), SW_OK);
    assert_false(sw_failalloc_failed());
    sw_failalloc_fail_at(0);
    sw_failalloc_uninstall();
    assert_int_equal(b.len, 5004);
    sw_buf_free(&b);
}

/* With max = SIZE_MAX, len + n + 1 wraps to 0; reserve must not report
 * success for room it has not made (an append would then write SIZE_MAX
 * bytes into nothing). */
static void test_reserve_does_not_wrap(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(SIZE_MAX);
    int rc = sw_buf_reserve(&b, SIZE_MAX);
    assert_int_not_equal(rc, SW_OK);
    assert_int_equal(b.len, 0);
    assert_int_equal(sw_buf_puts(&b, "abc"), SW_OK);
    rc = sw_buf_reserve(&b, SIZE_MAX - 3);
    assert_int_not_equal(rc, SW_OK);
    assert_string_equal(sw_buf_str(&b), "abc");
    sw_buf_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(1000);
    assert_int_equal(sw_buf_puts(&b, "some text"), SW_OK);
    char *data = b.data;
    size_t cap = b.cap;
    sw_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(sw_buf_str(&b), "");
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_int_equal(sw_buf_puts(&b, "new"), SW_OK);
    assert_string_equal(sw_buf_str(&b), "new");
    sw_buf_free(&b);
    sw_buf_reset(&b);                      /* on a freed buffer too */
    assert_string_equal(sw_buf_str(&b), "");
}

static void test_detach(void **state)
{
    (void)state;
    sw_buf b = SW_BUF_INIT(1000);
    assert_int_equal(sw_buf_puts(&b, "owned"), SW_OK);
    size_t len = 0;
    char *s = sw_buf_detach(&b, &len);
    assert_string_equal(s, "owned");
    assert_int_equal(len, 5);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(sw_buf_str(&b), "");
    /* the buffer is reusable with its ceiling */
    assert_int_equal(sw_buf_puts(&b, "again"), SW_OK);
    assert_string_equal(sw_buf_str(&b), "again");
    sw_buf_free(&b);
    sw_free(s);

    /* an empty buffer detaches to an allocated "" */
    sw_buf e = SW_BUF_INIT(10);
    len = 99;
    char *z = sw_buf_detach(&e, &len);
    assert_non_null(z);
    assert_string_equal(z, "");
    assert_int_equal(len, 0);
    sw_free(z);
    /* len may be NULL */
    assert_int_equal(sw_buf_puts(&e, "x"), SW_OK);
    z = sw_buf_detach(&e, NULL);
    assert_string_equal(z, "x");
    sw_free(z);
}

/* ---- Allocation failure ---------------------------------------------------- */

/* Builds a 20000-byte text through every kind of append, checking after
 * each refusal that the buffer still holds exactly what was appended. */
static int op_build(void)
{
    sw_buf b = SW_BUF_INIT(1 << 20);
    size_t want = 0;
    int rc = SW_OK;
    for (int i = 0; i < 1000 && rc == SW_OK; i++) {
        switch (i % 3) {
        case 0:  rc = sw_buf_printf(&b, "%08d", i); break;
        case 1:  rc = sw_buf_puts(&b, "--------"); break;
        default: rc = sw_buf_append(&b, "........", 8); break;
        }
        if (rc == SW_OK)
            want += 8;
        if (rc == SW_OK && i % 3 == 2) {
            rc = sw_buf_putc(&b, '\n');
            if (rc == SW_OK)
                want++;
        }
        if (b.len != want || (b.data && b.data[b.len] != '\0'))
            rc = SW_EINTERNAL;
    }
    if (rc == SW_OK) {
        char *s = sw_buf_detach(&b, NULL);
        if (s == NULL)
            rc = SW_ENOMEM;
        sw_free(s);
    }
    sw_buf_free(&b);
    return rc;
}

static void test_failures_leave_contents_and_leak_nothing(void **state)
{
    (void)state;
    sw_failalloc_install();
    long n;
    for (n = 1; n < 1000; n++) {
        sw_failalloc_fail_at(n);
        int rc = op_build();
        bool failed = sw_failalloc_failed();
        if (sw_failalloc_live() != 0)
            fail_msg("allocation %ld failing leaves %ld blocks", n,
                     sw_failalloc_live());
        if (!failed) {
            assert_int_equal(rc, SW_OK);
            break;
        }
        if (rc != SW_ENOMEM)
            fail_msg("allocation %ld failing gave %d, not SW_ENOMEM", n, rc);
    }
    assert_true(n > 3);      /* the buffer grew several times */
    sw_failalloc_fail_at(0);

    /* detaching an empty buffer needs memory too */
    sw_buf e = SW_BUF_INIT(10);
    sw_failalloc_fail_at(1);
    assert_null(sw_buf_detach(&e, NULL));
    sw_failalloc_fail_at(0);
    assert_int_equal(sw_failalloc_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_growth_keeps_contents),
        cmocka_unit_test(test_ceiling_is_exact),
        cmocka_unit_test(test_printf_at_the_ceiling),
        cmocka_unit_test(test_printf_encoding_error),
        cmocka_unit_test_teardown(test_reserve_reserves, teardown_allocator),
        cmocka_unit_test(test_reserve_does_not_wrap),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_detach),
        cmocka_unit_test_teardown(test_failures_leave_contents_and_leak_nothing,
                                  teardown_allocator),
    };
    return cmocka_run_group_tests_name("core/buf", tests, NULL, NULL);
}
