/* test_log.c - the diagnostic and access logs of core/log.h.
 *
 * Operators (and log shippers) parse these lines, so the tests pin their
 * shape with the wall clock fixed: "<ISO time> <level> <text>\n", one line
 * per call however long the text, levels below the threshold dropped, and
 * the access line carrying exactly its fixed fields with "-" for missing
 * ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

static int fds[2];

static int setup(void **state)
{
    (void)state;
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    sw_log_set_fd(fds[1]);
    sw_log_set_level(SW_LOG_INFO);
    sw_clock_set_fixed(1795566225678);     /* 2026-11-25T00:23:45.678Z */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sw_log_set_fd(2);
    sw_log_set_level(SW_LOG_INFO);
    sw_clock_set_fixed(0);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* Everything written to the log so far. */
static const char *drain(void)
{
    static char buf[16384];
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void test_line_shape(void **state)
{
    (void)state;
    sw_info("store opened: %d connections", 8);
    assert_string_equal(drain(),
                        "2026-11-25T00:23:45.678Z info store opened: 8 connections\n");
    sw_warn("w");
    sw_error("e");
    assert_string_equal(drain(), "2026-11-25T00:23:45.678Z warn w\n"
                                 "2026-11-25T00:23:45.678Z error e\n");
}

static void test_levels_filter(void **state)
{
    (void)state;
    sw_debug("hidden");
    assert_string_equal(drain(), "");
    sw_log_set_level(SW_LOG_DEBUG);
    sw_debug("shown");
    assert_string_equal(drain(), "2026-11-25T00:23:45.678Z debug shown\n");
    sw_log_set_level(SW_LOG_ERROR);
    sw_warn("hidden");
    sw_info("hidden");
    assert_string_equal(drain(), "");
    sw_error("kept");
    assert_string_equal(drain(), "2026-11-25T00:23:45.678Z error kept\n");
}

static void test_long_text_is_one_bounded_line(void **state)
{
    (void)state;
    static char big[10000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sw_info("%s", big);
    const char *out = drain();
    size_t len = strlen(out);
    assert_true(len > 1000);
    assert_true(len <= 2048);
    assert_int_equal(out[len - 1], '\n');
    assert_null(memchr(out, '\n', len - 1));       /* exactly one line */
    assert_true(strncmp(out, "2026-11-25T00:23:45.678Z info xxx", 33) == 0);
}

static void test_access_line(void **state)
{
    (void)state;
    sw_log_access("GET", "/fhir/{type}/{id}", 200, 1.25, "u42", "abc123");
    assert_string_equal(drain(),
        "2026-11-25T00:23:45.678Z access method=GET route=/fhir/{type}/{id} "
        "status=200 ms=1.250 user=u42 request=abc123\n");
    sw_log_access(NULL, NULL, 499, 0, NULL, NULL);
    assert_string_equal(drain(),
        "2026-11-25T00:23:45.678Z access method=- route=- status=499 ms=0.000 "
        "user=- request=-\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_line_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_text_is_one_bounded_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_line, setup, teardown),
    };
    return cmocka_run_group_tests_name("core/log", tests, NULL, NULL);
}
