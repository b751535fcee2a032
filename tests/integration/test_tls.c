/* test_tls.c - native TLS and trusted reverse proxies (docs/tls.md).
 *
 * Native: the test makes a throw-away self-signed certificate with
 * openssl, starts `stagewise serve --tls-cert --tls-key`, signs in over
 * HTTPS with libcurl trusting that certificate, and checks that the
 * session cookie is Secure and that plain HTTP to the same port gets no
 * answer. Unreadable or mismatched files stop the server at start with a
 * sentence and a non-zero exit. Proxies: with --trust-proxy naming the
 * peer, X-Forwarded-Proto: https makes the cookie Secure and the audit
 * trail records the rightmost untrusted X-Forwarded-For address; from any
 * other peer both headers are ignored. One store is enough: nothing here
 * depends on it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define LOGIN_BODY \
    "{\"username\":\"admin\",\"password\":\"" SW_TEST_ADMIN_PASSWORD "\"}"

struct fixture {
    char          *dir;
    char          *db;
    char           cert[4200], key[4200], other_key[4200];
    sw_test_server srv;
};

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    f->dir = sw_test_tmpdir();
    f->db = sw_test_fresh_db();
    sw_test_init_db(f->db);
    snprintf(f->cert, sizeof f->cert, "%s/cert.pem", f->dir);
    snprintf(f->key, sizeof f->key, "%s/key.pem", f->dir);
    snprintf(f->other_key, sizeof f->other_key, "%s/other.pem", f->dir);
    char cmd[13000];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
             "-nodes -days 1 -subj /CN=localhost -keyout '%s' -out '%s' "
             ">/dev/null 2>&1 && openssl req -x509 -newkey ec -pkeyopt "
             "ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost "
             "-keyout '%s' -out '%s/other-cert.pem' >/dev/null 2>&1",
             f->key, f->cert, f->other_key, f->dir);
    if (sh(cmd) != 0) {
        fprintf(stderr, "openssl could not make a test certificate; install "
                "openssl (scripts/deps.sh)\n");
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->srv.pid > 0)
        sw_test_server_stop(&f->srv, SIGTERM, 15);
    free(f->dir);
    free(f->db);
    free(f);
    return 0;
}

/* Starts serve with TLS; f->srv's base is then https://localhost:PORT. */
static int start_tls(struct fixture *f)
{
    const char *extra[] = { "--tls-cert", f->cert, "--tls-key", f->key, NULL };
    return sw_test_server_start(&f->srv, f->db, extra);
}

struct grow {
    char  *p;
    size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct grow *g = ctx;
    size_t k = size * nmemb;
    g->p = realloc(g->p, g->n + k + 1);
    memcpy(g->p + g->n, data, k);
    g->n += k;
    g->p[g->n] = '\0';
    return k;
}

/* One request over HTTPS (url is https://localhost:PORT/…, resolved to
 * 127.0.0.1, trusting cert) or plain HTTP. Returns the curl code; *status
 * and *head filled when it got an answer. */
static CURLcode request(const char *url, int port, const char *cert,
                        const char *body, const char *auth, long *status,
                        char **head)
{
    CURL *c = curl_easy_init();
    struct grow b = { calloc(1, 1), 0 }, h = { calloc(1, 1), 0 };
    char resolve[64];
    snprintf(resolve, sizeof resolve, "localhost:%d:127.0.0.1", port);
    struct curl_slist *res = curl_slist_append(NULL, resolve);
    struct curl_slist *hl = curl_slist_append(NULL,
                                              "Content-Type: application/json");
    if (auth)
        hl = curl_slist_append(hl, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, res);
    curl_easy_setopt(c, CURLOPT_CAINFO, cert);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hl);
    curl_slist_free_all(res);
    curl_easy_cleanup(c);
    free(b.p);
    if (head)
        *head = h.p;
    else
        free(h.p);
    return rc;
}

/* The Set-Cookie line of a response head, or NULL. */
static const char *set_cookie(const char *head)
{
    const char *p = strcasestr(head, "\nSet-Cookie:");
    return p ? p + 1 : NULL;
}

static bool cookie_is_secure(const char *head)
{
    const char *c = set_cookie(head);
    assert_non_null(c);
    const char *end = strchr(c, '\n');
    const char *sec = strstr(c, "; Secure");
    return sec != NULL && (end == NULL || sec < end);
}

/* ---- Native TLS ---------------------------------------------------------- */

static void https_sign_in_gets_a_secure_cookie(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(start_tls(f), 0);
    char url[128], *head = NULL;
    long status;
    snprintf(url, sizeof url, "%s/api/session", f->srv.base);
    CURLcode rc = request(url, f->srv.port, f->cert, LOGIN_BODY, NULL, &status,
                          &head);
    if (rc != CURLE_OK)
        fail_msg("HTTPS sign-in failed: %s", curl_easy_strerror(rc));
    assert_int_equal(status, 201);
    assert_true(cookie_is_secure(head));
    /* The cookie still has its other attributes. */
    assert_non_null(strstr(set_cookie(head), "HttpOnly; SameSite=Strict"));
    free(head);

    snprintf(url, sizeof url, "%s/healthz", f->srv.base);
    assert_int_equal(request(url, f->srv.port, f->cert, NULL, NULL, &status,
                             NULL), CURLE_OK);
    assert_int_equal(status, 200);

    /* Plain HTTP to the TLS port: no HTTP answer. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", f->srv.port);
    rc = request(url, f->srv.port, f->cert, NULL, NULL, &status, NULL);
    assert_true(rc != CURLE_OK || status == 0);
    /* A client that does not trust the certificate refuses it. */
    snprintf(url, sizeof url, "%s/healthz", f->srv.base);
    rc = request(url, f->srv.port, "/dev/null", NULL, NULL, &status, NULL);
    assert_int_not_equal(rc, CURLE_OK);
}

static void bad_tls_files_stop_the_start(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    /* A key that is not the certificate's. */
    const char *mismatch[] = { "serve", "--db", f->db, "--listen", "127.0.0.1:0",
                               "--tls-cert", f->cert, "--tls-key", f->other_key,
                               NULL };
    int rc = sw_test_run(mismatch, NULL, NULL, &err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "TLS certificate and key could not be used"));
    free(err);
    /* A file that is not there. */
    const char *missing[] = { "serve", "--db", f->db, "--listen", "127.0.0.1:0",
                              "--tls-cert", "/nonexistent/cert.pem",
                              "--tls-key", f->key, NULL };
    rc = sw_test_run(missing, NULL, NULL, &err);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(err, "cannot read the TLS certificate"));
    free(err);
    /* Not PEM at all. */
    const char *garbage[] = { "serve", "--db", f->db, "--listen", "127.0.0.1:0",
                              "--tls-cert", f->cert, "--tls-key", "/etc/hostname",
                              NULL };
    rc = sw_test_run(garbage, NULL, NULL, &err);
    assert_int_not_equal(rc, 0);
    free(err);
    /* One without the other. */
    const char *half[] = { "serve", "--db", f->db, "--tls-cert", f->cert, NULL };
    assert_int_equal(sw_test_run(half, NULL, NULL, &err), 2);
    assert_non_null(strstr(err, "--tls-cert and --tls-key go together"));
    free(err);
    const char *proxy[] = { "serve", "--db", f->db, "--trust-proxy",
                            "nginx.local", NULL };
    assert_int_equal(sw_test_run(proxy, NULL, NULL, &err), 2);
    assert_non_null(strstr(err, "is not an IP address"));
    free(err);
}

/* ---- Behind a reverse proxy ---------------------------------------------- */

struct one {
    const char *sql;
    char        text[128];
};

static int one_fn(store_tx *tx, void *ctx)
{
    struct one *o = ctx;
    store_stmt *st;
    int rc = store_prepare(tx, o->sql, &st);
    bool row = false;
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row)
        snprintf(o->text, sizeof o->text, "%s", store_col_text(st, 0, NULL));
    if (rc == SW_OK)
        store_finalize(st);
    return rc;
}

/* The client address of the latest sign-in in the audit trail. */
static void last_login_client(struct fixture *f, char *out, size_t cap)
{
    sw_store *s;
    sw_err err;
    store_options so = { 0 };
    assert_int_equal(store_open(f->db, &so, &s, &err), SW_OK);
    struct one o = { "SELECT client FROM audit_log WHERE action = 'login' "
                     "ORDER BY seq DESC", "" };
    assert_int_equal(store_read(s, one_fn, &o, &err), SW_OK);
    store_close(s);
    snprintf(out, cap, "%s", o.text);
}

static void forwarded_sign_in(struct fixture *f, long *status, char **head)
{
    static const char *const h[] = {
        "Content-Type: application/json",
        "X-Forwarded-Proto: https",
        "X-Forwarded-For: 198.51.100.7, 203.0.113.9",
        NULL,
    };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "POST", "/api/session", h, LOGIN_BODY,
                             strlen(LOGIN_BODY), &r), 0);
    *status = r.status;
    *head = strdup(r.headers);
    sw_http_result_free(&r);
}

static void trusted_proxy_headers_are_believed(void **state)
{
    struct fixture *f = *state;
    static const char *const extra[] = { "--trust-proxy", "10.9.9.9,127.0.0.1",
                                         NULL };
    assert_int_equal(sw_test_server_start(&f->srv, f->db, extra), 0);
    long status;
    char *head, client[128];
    forwarded_sign_in(f, &status, &head);
    assert_int_equal(status, 201);
    assert_true(cookie_is_secure(head));
    free(head);
    last_login_client(f, client, sizeof client);
    assert_string_equal(client, "203.0.113.9");
}

static void untrusted_peers_headers_are_ignored(void **state)
{
    struct fixture *f = *state;
    static const char *const extra[] = { "--trust-proxy", "10.9.9.9", NULL };
    assert_int_equal(sw_test_server_start(&f->srv, f->db, extra), 0);
    long status;
    char *head, client[128];
    forwarded_sign_in(f, &status, &head);
    assert_int_equal(status, 201);
    assert_false(cookie_is_secure(head));
    free(head);
    last_login_client(f, client, sizeof client);
    assert_string_equal(client, "127.0.0.1");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(https_sign_in_gets_a_secure_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_tls_files_stop_the_start, setup, teardown),
        cmocka_unit_test_setup_teardown(trusted_proxy_headers_are_believed, setup, teardown),
        cmocka_unit_test_setup_teardown(untrusted_peers_headers_are_ignored, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
