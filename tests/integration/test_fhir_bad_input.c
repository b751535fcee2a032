/* test_fhir_bad_input.c - the bad input the FHIR issue names, over HTTP on
 * each store: every case gets a precise 4xx OperationOutcome and leaves
 * nothing written.
 *
 *   10,000-deep nesting        400 (too deep), no recursion blow-up
 *   a 100 MB body              413 before a byte of it is read
 *   invalid UTF-8 bytes        400
 *   an id of 65 characters     400
 *   a transaction referring to what does not exist   400/412, nothing written */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "testdb.h"
#include "testserver.h"


static long post(sw_test_env *e, const char *path, const char *body, size_t n,
                 char **out)
{
    const char *headers[] = { e->auth, "Content-Type: application/fhir+json", NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "POST", path, headers, body, n, &r), 0);
    long status = r.status;
    *out = strdup(r.body);
    sw_http_result_free(&r);
    return status;
}

/* Nothing of type was stored: its type history is empty. */
static void assert_nothing_stored(sw_test_env *e, const char *type)
{
    char path[128];
    snprintf(path, sizeof path, "/fhir/%s/_history", type);
    const char *headers[] = { e->auth, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&e->srv, "GET", path, headers, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"total\":0"));
    sw_http_result_free(&r);
}

static void deep_nesting(void **state)
{
    sw_test_env *e = *state;
    sw_buf b = SW_BUF_INIT(1 << 20);
    sw_buf_puts(&b, "{\"resourceType\":\"Patient\",\"extension\":");
    for (int i = 0; i < 10000; i++)
        sw_buf_putc(&b, '[');
    for (int i = 0; i < 10000; i++)
        sw_buf_putc(&b, ']');
    sw_buf_putc(&b, '}');
    char *out;
    assert_int_equal(post(e, "/fhir/Patient", sw_buf_str(&b), b.len, &out), 400);
    assert_non_null(strstr(out, "\"resourceType\":\"OperationOutcome\""));
    assert_non_null(strstr(out, "deep"));
    free(out);
    sw_buf_free(&b);
    assert_nothing_stored(e, "Patient");
}

static void huge_body(void **state)
{
    sw_test_env *e = *state;
    int fd = sw_test_connect(e->srv.port);
    assert_true(fd >= 0);
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "POST /fhir/Patient HTTP/1.1\r\nHost: t\r\n%s\r\n"
                     "Content-Type: application/fhir+json\r\n"
                     "Content-Length: %d\r\n\r\n", e->auth, 100 * 1024 * 1024);
    assert_int_equal(send(fd, head, (size_t)n, 0), n);
    int closed;
    char *got = sw_test_read_all(fd, 5000, &closed);
    close(fd);
    assert_int_equal(strncmp(got, "HTTP/1.1 413", 12), 0);
    assert_non_null(strstr(got, "\"resourceType\":\"OperationOutcome\""));
    assert_non_null(strstr(got, "\"code\":\"too-costly\""));
    free(got);
    assert_nothing_stored(e, "Patient");
}

static void invalid_utf8(void **state)
{
    sw_test_env *e = *state;
    static const char body[] = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Ren\xe9\"}]}";
    char *out;
    assert_int_equal(post(e, "/fhir/Patient", body, sizeof body - 1, &out), 400);
    assert_non_null(strstr(out, "UTF-8"));
    free(out);
    assert_nothing_stored(e, "Patient");
}

static void long_id(void **state)
{
    sw_test_env *e = *state;
    char body[256];
    int n = snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"%065d\"}", 0);
    char *out;
    assert_int_equal(post(e, "/fhir/Patient", body, (size_t)n, &out), 400);
    assert_non_null(strstr(out, "Patient.id"));
    free(out);
    assert_nothing_stored(e, "Patient");
}

static void transaction_to_nowhere(void **state)
{
    sw_test_env *e = *state;
    static const char body[] =
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
        "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\"},"
        "\"request\":{\"method\":\"PUT\",\"url\":\"Patient/p1\"}},"
        "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
        "\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":"
        "\"Patient?identifier=http://nowhere|0\"}},"
        "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
    char *out;
    assert_int_equal(post(e, "/fhir", body, sizeof body - 1, &out), 412);
    assert_non_null(strstr(out, "Bundle.entry[1]"));
    free(out);
    assert_nothing_stored(e, "Patient");
    assert_nothing_stored(e, "Observation");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(deep_nesting, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(huge_body, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(invalid_utf8, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(long_id, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(transaction_to_nowhere, sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
