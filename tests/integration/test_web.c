/* test_web.c - the web app's files as the server serves them: the page at
 * / with its security headers, static files with their types, ETags that
 * answer 304, unknown and escaping paths refused, and a server that will
 * not start without its web directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"
#include "testserver.h"


static void page_and_files(void **state)
{
    sw_test_env *e = *state;
    sw_http_result r;
    char v[512];
    assert_int_equal(sw_http(&e->srv, "GET", "/", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<!doctype html>"));
    assert_non_null(sw_http_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/html; charset=utf-8");
    assert_non_null(sw_http_header(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(strstr(v, "script-src 'self'"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_non_null(sw_http_header(&r, "X-Content-Type-Options", v, sizeof v));
    assert_string_equal(v, "nosniff");
    sw_http_result_free(&r);

    assert_int_equal(sw_http(&e->srv, "GET", "/static/app.js", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(sw_http_header(&r, "Content-Type", v, sizeof v));
    assert_string_equal(v, "text/javascript; charset=utf-8");
    char etag[64], inm[96];
    assert_non_null(sw_http_header(&r, "ETag", etag, sizeof etag));
    assert_non_null(sw_http_header(&r, "Cache-Control", v, sizeof v));
    assert_string_equal(v, "no-cache");
    sw_http_result_free(&r);

    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *h[] = { inm, NULL };
    assert_int_equal(sw_http(&e->srv, "GET", "/static/app.js", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.len, 0);
    sw_http_result_free(&r);

    assert_int_equal(sw_http(&e->srv, "GET", "/static/app.css", NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);

    static const char *const refused[] = {
        "/static/nope.js", "/static/", "/static/%2e%2e/index.html",
        "/static/../../etc/passwd", "/index.html", "/static/dom.js%00.txt",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(sw_http(&e->srv, "GET", refused[i], NULL, NULL, 0, &r), 0);
        if (r.status != 404 && r.status != 400)
            fail_msg("%s answered %ld", refused[i], r.status);
        sw_http_result_free(&r);
    }
}

static void no_web_directory_no_server(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    const char *args[] = { "serve", "--db", db, "--listen", "127.0.0.1:0",
                           "--web", "/nonexistent/web", NULL };
    char *out = NULL, *err = NULL;
    int status = sw_test_run(args, NULL, &out, &err);
    assert_int_not_equal(status, 0);
    assert_non_null(strstr(err, "--web DIR"));
    free(out);
    free(err);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(page_and_files, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test(no_web_directory_no_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
