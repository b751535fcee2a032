/* test_log_json.c - the JSON shape of core/log.h (serve --log-format json).
 *
 * Log shippers parse each line as one JSON object, so every line must
 * parse whatever the message holds (quotes, backslashes, control
 * characters, a message longer than a line, a method token a client made
 * up), carry ts, level and msg, and the access line its fixed fields with
 * the right types. Lines are parsed with jansson, a parser independent of
 * the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
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
    sw_log_set_format(SW_LOG_JSON);
    sw_clock_set_fixed(1795566225678);     /* 2026-11-25T00:23:45.678Z */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sw_log_set_fd(2);
    sw_log_set_format(SW_LOG_TEXT);
    sw_clock_set_fixed(0);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* The one line written since the last call, parsed; the test fails unless
 * it is exactly one line holding one JSON object. */
static json_t *one_line(void)
{
    static char buf[16384];
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    assert_true(n > 1);
    buf[n] = '\0';
    assert_int_equal(buf[n - 1], '\n');
    assert_null(memchr(buf, '\n', (size_t)n - 1));
    assert_true(n <= 2048);
    json_error_t e;
    json_t *doc = json_loadb(buf, (size_t)n - 1, JSON_REJECT_DUPLICATES, &e);
    if (doc == NULL)
        fail_msg("not JSON (%s): %s", e.text, buf);
    assert_true(json_is_object(doc));
    assert_string_equal(json_string_value(json_object_get(doc, "ts")),
                        "2026-11-25T00:23:45.678Z");
    return doc;
}

static void test_message_line(void **state)
{
    (void)state;
    sw_warn("store: %d of %d connections busy", 3, 8);
    json_t *doc = one_line();
    assert_string_equal(json_string_value(json_object_get(doc, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(doc, "msg")),
                        "store: 3 of 8 connections busy");
    assert_int_equal(json_object_size(doc), 3);
    json_decref(doc);
}

static void test_awkward_text_still_parses(void **state)
{
    (void)state;
    sw_error("quote \" backslash \\ newline \n tab \t bell \x07 del \x7f é");
    json_t *doc = one_line();
    assert_string_equal(json_string_value(json_object_get(doc, "msg")),
                        "quote \" backslash \\ newline \n tab \t bell \x07 del \x7f é");
    json_decref(doc);

    /* Longer than a line: cut, still one object, never inside an escape
     * or a UTF-8 sequence. */
    static char big[6000];
    for (size_t i = 0; i + 2 < sizeof big; i += 2)
        memcpy(big + i, i % 6 ? "\"\"" : "\xc3\xa9", 2);
    big[sizeof big - 1] = '\0';
    sw_info("%s", big);
    doc = one_line();
    assert_true(strlen(json_string_value(json_object_get(doc, "msg"))) > 500);
    json_decref(doc);
}

static void test_access_line(void **state)
{
    (void)state;
    sw_log_access("GET", "/fhir/{type}/{id}", 200, 1.25, "u42", "abc123");
    json_t *doc = one_line();
    assert_string_equal(json_string_value(json_object_get(doc, "level")), "access");
    assert_string_equal(json_string_value(json_object_get(doc, "msg")), "request");
    assert_string_equal(json_string_value(json_object_get(doc, "method")), "GET");
    assert_string_equal(json_string_value(json_object_get(doc, "route")),
                        "/fhir/{type}/{id}");
    assert_string_equal(json_string_value(json_object_get(doc, "user")), "u42");
    assert_string_equal(json_string_value(json_object_get(doc, "request")), "abc123");
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), 200);
    assert_true(json_real_value(json_object_get(doc, "ms")) == 1.25);
    json_decref(doc);

    sw_log_access("BR\"EW", NULL, 499, 0, NULL, NULL);
    doc = one_line();
    assert_string_equal(json_string_value(json_object_get(doc, "method")), "BR\"EW");
    assert_string_equal(json_string_value(json_object_get(doc, "route")), "-");
    json_decref(doc);

    /* A method token as long as a request head allows: cut to its share,
     * and the other fields and the status still follow. */
    static char method[3000];
    memset(method, 'M', sizeof method - 1);
    method[sizeof method - 1] = '\0';
    sw_log_access(method, "/x", 405, 0.5, NULL, "r1");
    doc = one_line();
    size_t kept = strlen(json_string_value(json_object_get(doc, "method")));
    assert_true(kept > 10 && kept <= 64);
    assert_string_equal(json_string_value(json_object_get(doc, "route")), "/x");
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), 405);
    assert_string_equal(json_string_value(json_object_get(doc, "request")), "r1");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_message_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_awkward_text_still_parses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_line, setup, teardown),
    };
    return cmocka_run_group_tests_name("core/log_json", tests, NULL, NULL);
}
