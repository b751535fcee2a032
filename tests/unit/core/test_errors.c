/* test_errors.c - the error table of core/errors.h and the sw_err helpers.
 *
 * Every area answers clients, the FHIR layer and the command line from this
 * one table, so these tests check each row is usable as it stands: an id a
 * client can test, an HTTP status, a FHIR R4 IssueType code, a message, and
 * the exit status the command line derives. They also check that sw_err keeps
 * a message that is safe to put into JSON (valid UTF-8 even when cut short). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "core/errors.h"
#include "core/utf8.h"

/* The FHIR R4 IssueType value set (http://hl7.org/fhir/R4/valueset-issue-type.html). */
static const char *const fhir_issue_types[] = {
    "invalid", "structure", "required", "value", "invariant", "security",
    "login", "unknown", "expired", "forbidden", "suppressed", "processing",
    "not-supported", "duplicate", "multiple-matches", "not-found", "deleted",
    "too-long", "code-invalid", "extension", "too-costly", "business-rule",
    "conflict", "transient", "lock-error", "no-store", "exception", "timeout",
    "incomplete", "throttled", "informational",
};

static bool is_fhir_issue_type(const char *s)
{
    for (size_t i = 0; i < sizeof fhir_issue_types / sizeof *fhir_issue_types; i++)
        if (strcmp(s, fhir_issue_types[i]) == 0)
            return true;
    return false;
}

static void test_every_code_has_a_complete_row(void **state)
{
    (void)state;
    for (int code = 0; code < SW_ERR__COUNT; code++) {
        const char *id = sw_code_id(code);
        assert_non_null(id);
        assert_true(strlen(id) > 0);
        /* ids are what clients compare: lower-case snake_case only */
        assert_true(strspn(id, "abcdefghijklmnopqrstuvwxyz_") == strlen(id));

        int status = sw_code_http_status(code);
        assert_in_range(status, 100, 599);
        if (code != SW_OK)
            assert_in_range(status, 400, 599);   /* an error is never a 2xx */

        const char *fhir = sw_code_fhir_type(code);
        assert_non_null(fhir);
        if (!is_fhir_issue_type(fhir))
            fail_msg("code %d (%s): '%s' is not a FHIR R4 IssueType", code, id, fhir);

        const char *msg = sw_code_message(code);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_true(strlen(msg) < SW_ERR_MSG_MAX);
        assert_true(sw_utf8_valid(msg, strlen(msg)));
    }
}

static void test_ids_are_unique(void **state)
{
    (void)state;
    for (int i = 0; i < SW_ERR__COUNT; i++)
        for (int j = i + 1; j < SW_ERR__COUNT; j++)
            if (strcmp(sw_code_id(i), sw_code_id(j)) == 0)
                fail_msg("codes %d and %d share the id '%s'", i, j, sw_code_id(i));
}

/* The rows clients and the server depend on by number. */
static const struct {
    int         code;
    const char *id;
    int         http;
    const char *fhir;
} known_rows[] = {
    { SW_OK,           "ok",                 200, "informational" },
    { SW_ENOMEM,       "out_of_memory",      503, "transient" },
    { SW_EBADREQUEST,  "bad_request",        400, "structure" },
    { SW_EUNAUTH,      "unauthorized",       401, "login" },
    { SW_EFORBIDDEN,   "forbidden",          403, "forbidden" },
    { SW_ENOTFOUND,    "not_found",          404, "not-found" },
    { SW_EMETHOD,      "method_not_allowed", 405, "not-supported" },
    { SW_ETIMEOUT,     "request_timeout",    408, "timeout" },
    { SW_EGONE,        "gone",               410, "deleted" },
    { SW_ETOOBIG,      "too_large",          413, "too-costly" },
    { SW_EURITOOLONG,  "uri_too_long",       414, "too-costly" },
    { SW_EHEADERS,     "headers_too_large",  431, "too-costly" },
    { SW_EINTERNAL,    "internal",           500, "exception" },
    { SW_ESHUTDOWN,    "shutting_down",      503, "transient" },
};

static void test_known_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof known_rows / sizeof *known_rows; i++) {
        assert_string_equal(sw_code_id(known_rows[i].code), known_rows[i].id);
        assert_int_equal(sw_code_http_status(known_rows[i].code), known_rows[i].http);
        assert_string_equal(sw_code_fhir_type(known_rows[i].code), known_rows[i].fhir);
    }
}

static void test_unknown_codes_read_as_internal(void **state)
{
    (void)state;
    const int unknown[] = { -1, -1000, SW_ERR__COUNT, SW_ERR__COUNT + 1, 1 << 30 };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        assert_string_equal(sw_code_id(unknown[i]), "internal");
        assert_int_equal(sw_code_http_status(unknown[i]), 500);
        assert_string_equal(sw_code_fhir_type(unknown[i]), "exception");
        assert_string_equal(sw_code_message(unknown[i]),
                            sw_code_message(SW_EINTERNAL));
        assert_int_equal(sw_code_exit_status(unknown[i]), 1);
    }
}

static void test_exit_status(void **state)
{
    (void)state;
    for (int code = 0; code < SW_ERR__COUNT; code++) {
        int want = code == SW_OK ? 0 : code == SW_EUSAGE ? 2 : 1;
        assert_int_equal(sw_code_exit_status(code), want);
    }
}

static void test_err_set_formats_and_returns_code(void **state)
{
    (void)state;
    sw_err err;
    sw_err_clear(&err);
    int rc = sw_err_set(&err, SW_EINVAL, "port %d is not in 1..%d", 70000, 65535);
    assert_int_equal(rc, SW_EINVAL);
    assert_int_equal(err.code, SW_EINVAL);
    assert_string_equal(err.msg, "port 70000 is not in 1..65535");
    assert_string_equal(sw_err_text(&err), "port 70000 is not in 1..65535");

    /* A NULL format takes the table's message. */
    rc = sw_err_set(&err, SW_ENOTFOUND, NULL);
    assert_int_equal(rc, SW_ENOTFOUND);
    assert_int_equal(err.code, SW_ENOTFOUND);
    assert_string_equal(err.msg, sw_code_message(SW_ENOTFOUND));
}

static void test_err_null_is_accepted(void **state)
{
    (void)state;
    assert_int_equal(sw_err_set(NULL, SW_EIO, "disk %s", "full"), SW_EIO);
    sw_err_clear(NULL);
    assert_string_equal(sw_err_text(NULL), sw_code_message(SW_EINTERNAL));
}

static void test_err_clear_and_text(void **state)
{
    (void)state;
    sw_err err;
    sw_err_set(&err, SW_EIO, "cannot open %s", "/srv/x");
    sw_err_clear(&err);
    assert_int_equal(err.code, SW_OK);
    assert_string_equal(err.msg, "");
    /* Without a message, the text is the table's message for the code. */
    err.code = SW_ECONFLICT;
    assert_string_equal(sw_err_text(&err), sw_code_message(SW_ECONFLICT));
}

static void test_err_long_message_is_cut_and_terminated(void **state)
{
    (void)state;
    char big[SW_ERR_MSG_MAX * 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sw_err err;
    sw_err_set(&err, SW_EINVAL, "%s", big);
    assert_int_equal(strlen(err.msg), SW_ERR_MSG_MAX - 1);
    assert_memory_equal(err.msg, big, SW_ERR_MSG_MAX - 1);
}

/* Messages end up in JSON bodies (http_render_json_error) and
 * OperationOutcomes, which must be UTF-8: cutting a long message must not
 * split a character. Each 'é' is two bytes, so a plain byte cut at
 * SW_ERR_MSG_MAX - 1 (odd) lands in the middle of one. */
static void test_err_cut_message_stays_valid_utf8(void **state)
{
    (void)state;
    char big[SW_ERR_MSG_MAX * 2 + 1];
    size_t n = 0;
    while (n + 2 < sizeof big) {
        big[n++] = (char)0xC3;
        big[n++] = (char)0xA9;
    }
    big[n] = '\0';
    sw_err err;
    sw_err_set(&err, SW_EINVAL, "%s", big);
    size_t len = strlen(err.msg);
    assert_true(len < SW_ERR_MSG_MAX);
    assert_true(len >= SW_ERR_MSG_MAX - 4);   /* cut at a boundary, not emptied */
    if (!sw_utf8_valid(err.msg, len))
        fail_msg("a message cut to %zu bytes ends in the middle of a UTF-8 "
                 "character", len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_complete_row),
        cmocka_unit_test(test_ids_are_unique),
        cmocka_unit_test(test_known_rows),
        cmocka_unit_test(test_unknown_codes_read_as_internal),
        cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_err_set_formats_and_returns_code),
        cmocka_unit_test(test_err_null_is_accepted),
        cmocka_unit_test(test_err_clear_and_text),
        cmocka_unit_test(test_err_long_message_is_cut_and_terminated),
        cmocka_unit_test(test_err_cut_message_stays_valid_utf8),
    };
    return cmocka_run_group_tests_name("core/errors", tests, NULL, NULL);
}
