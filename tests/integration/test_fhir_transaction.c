/* test_fhir_transaction.c - a transaction Bundle is all or nothing, on
 * each store: with a failure placed at every entry in turn, nothing of the
 * other entries may remain (no created resource, no update, no delete).
 *
 * The failure is real, not injected by a hook: the failing entry is a PUT
 * whose ifMatch names a version that is not current, which the server
 * discovers only inside the transaction, after it has processed the
 * entries before it. Entries mix POST, PUT and DELETE so that every kind
 * of write must be undone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "testdb.h"
#include "testserver.h"

#define ENTRIES 6


static long request(sw_test_env *f, const char *method, const char *path,
                    const char *body, char **out)
{
    const char *headers[] = { f->auth, "Content-Type: application/fhir+json", NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, method, path, headers, body,
                             body ? strlen(body) : 0, &r), 0);
    long status = r.status;
    if (out)
        *out = strdup(r.body);
    sw_http_result_free(&r);
    return status;
}

/* Entry k of a transaction whose failing entry is `fail`. */
static void entry(sw_buf *b, int k, int fail, int round)
{
    if (k > 0)
        sw_buf_putc(b, ',');
    if (k == fail) {
        sw_buf_puts(b, "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"keep\","
                       "\"active\":false},\"request\":{\"method\":\"PUT\","
                       "\"url\":\"Patient/keep\",\"ifMatch\":\"W/\\\"99\\\"\"}}");
    } else if (k % 3 == 0) {
        sw_buf_printf(b, "{\"fullUrl\":\"urn:uuid:00000000-0000-4000-8000-%012d\","
                      "\"resource\":{\"resourceType\":\"Observation\",\"status\":"
                      "\"final\",\"code\":{\"text\":\"r%d-e%d\"},\"subject\":"
                      "{\"reference\":\"Patient/keep\"}},\"request\":{\"method\":"
                      "\"POST\",\"url\":\"Observation\"}}", k, round, k);
    } else if (k % 3 == 1) {
        sw_buf_printf(b, "{\"resource\":{\"resourceType\":\"Patient\",\"id\":"
                      "\"new-%d-%d\"},\"request\":{\"method\":\"PUT\",\"url\":"
                      "\"Patient/new-%d-%d\"}}", round, k, round, k);
    } else {
        sw_buf_printf(b, "{\"request\":{\"method\":\"DELETE\",\"url\":"
                      "\"Patient/victim-%d\"}}", k);
    }
}

static void failure_at_every_entry_undoes_everything(void **state)
{
    sw_test_env *f = *state;
    assert_int_equal(request(f, "PUT", "/fhir/Patient/keep",
                             "{\"resourceType\":\"Patient\",\"id\":\"keep\"}", NULL), 201);
    for (int k = 0; k < ENTRIES; k++) {
        char path[64], body[128];
        snprintf(path, sizeof path, "/fhir/Patient/victim-%d", k);
        snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"victim-%d\"}", k);
        assert_int_equal(request(f, "PUT", path, body, NULL), 201);
    }
    for (int fail = 0; fail < ENTRIES; fail++) {
        sw_buf b = SW_BUF_INIT(1 << 20);
        sw_buf_puts(&b, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        for (int k = 0; k < ENTRIES; k++)
            entry(&b, k, fail, fail);
        sw_buf_puts(&b, "]}");
        char *resp;
        long status = request(f, "POST", "/fhir", sw_buf_str(&b), &resp);
        sw_buf_free(&b);
        if (status != 412)
            fail_msg("failure at entry %d: status %ld: %s", fail, status, resp);
        char want[64];
        snprintf(want, sizeof want, "Bundle.entry[%d]", fail);
        assert_non_null(strstr(resp, want));
        free(resp);

        /* Nothing of any other entry happened. */
        for (int k = 0; k < ENTRIES; k++) {
            char path[64];
            if (k == fail)
                continue;
            if (k % 3 == 1) {
                snprintf(path, sizeof path, "/fhir/Patient/new-%d-%d", fail, k);
                assert_int_equal(request(f, "GET", path, NULL, NULL), 404);
            } else if (k % 3 == 2) {
                snprintf(path, sizeof path, "/fhir/Patient/victim-%d", k);
                assert_int_equal(request(f, "GET", path, NULL, NULL), 200);
            }
        }
        char *hist;
        assert_int_equal(request(f, "GET", "/fhir/Observation/_history", NULL, &hist), 200);
        assert_non_null(strstr(hist, "\"total\":0"));
        free(hist);
        assert_int_equal(request(f, "GET", "/fhir/Patient/keep/_history/2", NULL, NULL), 404);
    }
    /* And without the failure, the same transaction does everything. */
    sw_buf b = SW_BUF_INIT(1 << 20);
    sw_buf_puts(&b, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
    for (int k = 0; k < ENTRIES; k++)
        entry(&b, k, -1, 99);
    sw_buf_puts(&b, "]}");
    assert_int_equal(request(f, "POST", "/fhir", sw_buf_str(&b), NULL), 200);
    sw_buf_free(&b);
    assert_int_equal(request(f, "GET", "/fhir/Patient/new-99-1", NULL, NULL), 200);
    assert_int_equal(request(f, "GET", "/fhir/Patient/victim-2", NULL, NULL), 410);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(failure_at_every_entry_undoes_everything,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
