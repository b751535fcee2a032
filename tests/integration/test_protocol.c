/* test_protocol.c - runs the protocol tests: data files of HTTP exchanges
 * with the expected answers, against the real server, on each store.
 *
 * Each file in tests/protocol/ gets a fresh database and server and a
 * signed-in admin, then runs its exchanges in order. An exchange:
 *
 *   ### what it shows
 *   PUT /fhir/Patient/{pid}          request line; {name} is a saved value
 *   Content-Type: application/fhir+json
 *   If-Match: W/"1"                  headers until a blank line
 *
 *   {"resourceType":"Patient", …}    body until the first '>' line
 *   > status 200
 *   > header ETag W/"2"              exact header value
 *   > header-contains Location /_history/2
 *   > header-absent Location
 *   > header-present Last-Modified
 *   > body-contains "valueDecimal":1.50
 *   > body-lacks Jane
 *   > body-empty
 *   > json meta.versionId "2"        the node at the path, written as JSON
 *   > json-count issue 3             elements (or members) at the path
 *   > json-absent text
 *   > save pid id                    a string node, for later {pid}
 *   > save-path next link[1].url     the path and query of a URL node, so
 *                                    that GET {next} follows a link
 *
 * The header "X-Test-Anonymous: yes" sends the request without the
 * session. Paths are dotted member names with [n] indexes. Nodes are
 * compared as Stagewise writes them, so 1.50 and 1.5 differ, as they
 * must. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "testdb.h"
#include "testserver.h"

#define MAX_VARS    64
#define MAX_HEADERS 32

struct vars {
    char *name[MAX_VARS];
    char *value[MAX_VARS];
    int   n;
};

static void var_set(struct vars *v, const char *name, const char *value)
{
    for (int i = 0; i < v->n; i++) {
        if (strcmp(v->name[i], name) == 0) {
            free(v->value[i]);
            v->value[i] = strdup(value);
            return;
        }
    }
    assert_true(v->n < MAX_VARS);
    v->name[v->n] = strdup(name);
    v->value[v->n++] = strdup(value);
}

/* Replaces {name} with saved values; the caller frees. */
static char *expand(const struct vars *v, const char *s, const char *where)
{
    sw_buf b = SW_BUF_INIT(1 << 24);
    while (*s) {
        const char *open = strchr(s, '{');
        if (open == NULL) {
            sw_buf_puts(&b, s);
            break;
        }
        size_t n = strspn(open + 1, "abcdefghijklmnopqrstuvwxyz"
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        if (n == 0 || open[1 + n] != '}') {       /* JSON, not a variable */
            sw_buf_append(&b, s, (size_t)(open - s) + 1);
            s = open + 1;
            continue;
        }
        sw_buf_append(&b, s, (size_t)(open - s));
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)n, open + 1);
        int i;
        for (i = 0; i < v->n && strcmp(v->name[i], name) != 0; i++)
            ;
        if (i == v->n)
            fail_msg("%s: {%s} was never saved", where, name);
        sw_buf_puts(&b, v->value[i]);
        s = open + n + 2;
    }
    return sw_buf_detach(&b, NULL);
}

/* The node at a dotted path with [n] indexes, or NULL. */
static const sw_json *at_path(const sw_json *root, const char *path)
{
    const sw_json *cur = root;
    const char *p = path;
    while (cur && *p) {
        char name[128];
        size_t n = strcspn(p, ".[");
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        if (n > 0)
            cur = sw_json_get(cur, name);
        p += n;
        while (cur && *p == '[') {
            size_t idx = (size_t)strtoul(p + 1, NULL, 10);
            cur = cur->kind == SW_JSON_ARRAY && idx < cur->count ? cur->items[idx] : NULL;
            p = strchr(p, ']');
            if (p == NULL)
                return NULL;
            p++;
        }
        if (*p == '.')
            p++;
    }
    return cur;
}

static char *node_text(const sw_json *v)
{
    sw_buf b = SW_BUF_INIT(1 << 24);
    sw_json_write(&b, v);
    return sw_buf_detach(&b, NULL);
}

struct exchange {
    const char *file;
    int         line;          /* of the ### line */
    char       *title;
    char       *request_line;
    char       *headers[MAX_HEADERS];
    int         nheaders;
    sw_buf      body;
    char      **expect;        /* the '>' lines */
    int        *expect_line;
    int         nexpect;
};

static void check(const struct exchange *x, int line, const char *exp,
                  const sw_http_result *r, struct vars *v)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%d (%s)", x->file, line, x->title);
    char *e = expand(v, exp, where);
    char verb[32] = "", a[512] = "";
    int off = 0;
    sscanf(e, "%31s %n", verb, &off);
    const char *rest = e + off;
    sw_arena *arena = sw_arena_create(0);
    sw_json *doc = NULL;
    sw_err err;
    bool want_json = strncmp(verb, "json", 4) == 0 || strncmp(verb, "save", 4) == 0;
    if (want_json && sw_json_parse(arena, r->body, r->len, &doc, &err) != SW_OK)
        fail_msg("%s: the body is not JSON (%s): %s", where, err.msg, r->body);

    if (strcmp(verb, "status") == 0) {
        if (r->status != atol(rest))
            fail_msg("%s: status %ld, expected %s; body: %s", where, r->status,
                     rest, r->body);
    } else if (strcmp(verb, "header") == 0 || strcmp(verb, "header-contains") == 0
               || strcmp(verb, "header-absent") == 0
               || strcmp(verb, "header-present") == 0) {
        int n = 0;
        sscanf(rest, "%511s %n", a, &n);
        char got[4096];
        const char *h = sw_http_header(r, a, got, sizeof got);
        if (strcmp(verb, "header-absent") == 0) {
            if (h != NULL)
                fail_msg("%s: header %s is present (%s)", where, a, got);
        } else if (h == NULL) {
            fail_msg("%s: no header %s", where, a);
        } else if (strcmp(verb, "header-present") == 0) {
            /* present is all it takes */
        } else if (h == NULL) {
            fail_msg("%s: no header %s", where, a);
        } else if (strcmp(verb, "header") == 0 ? strcmp(got, rest + n) != 0
                                               : strstr(got, rest + n) == NULL) {
            fail_msg("%s: header %s is '%s', expected %s'%s'", where, a, got,
                     strcmp(verb, "header") == 0 ? "" : "it to contain ", rest + n);
        }
    } else if (strcmp(verb, "body-contains") == 0) {
        if (strstr(r->body, rest) == NULL)
            fail_msg("%s: body lacks %s; body: %s", where, rest, r->body);
    } else if (strcmp(verb, "body-lacks") == 0) {
        if (strstr(r->body, rest) != NULL)
            fail_msg("%s: body contains %s", where, rest);
    } else if (strcmp(verb, "body-empty") == 0) {
        if (r->len != 0)
            fail_msg("%s: body is not empty: %s", where, r->body);
    } else if (strcmp(verb, "json") == 0 || strcmp(verb, "json-count") == 0
               || strcmp(verb, "json-absent") == 0 || strcmp(verb, "save") == 0
               || strcmp(verb, "save-path") == 0) {
        int n = 0;
        char path[512] = "";
        if (strncmp(verb, "save", 4) == 0) {
            sscanf(rest, "%511s %511s", a, path);
        } else {
            sscanf(rest, "%511s %n", path, &n);
        }
        const sw_json *node = at_path(doc, path);
        if (strcmp(verb, "json-absent") == 0) {
            if (node != NULL)
                fail_msg("%s: %s is present", where, path);
        } else if (node == NULL) {
            fail_msg("%s: no %s in %s", where, path, r->body);
        } else if (strcmp(verb, "save") == 0) {
            if (node->kind != SW_JSON_STRING)
                fail_msg("%s: %s is not a string", where, path);
            var_set(v, a, node->text.p);
        } else if (strcmp(verb, "save-path") == 0) {
            const char *u = node->kind == SW_JSON_STRING ? strstr(node->text.p, "://") : NULL;
            const char *slash = u ? strchr(u + 3, '/') : NULL;
            if (slash == NULL)
                fail_msg("%s: %s is not an absolute URL", where, path);
            var_set(v, a, slash);
        } else if (strcmp(verb, "json-count") == 0) {
            if (node->count != (size_t)atol(rest + n))
                fail_msg("%s: %s has %zu items, expected %s", where, path,
                         node->count, rest + n);
        } else {
            char *got = node_text(node);
            if (strcmp(got, rest + n) != 0)
                fail_msg("%s: %s is %s, expected %s", where, path, got, rest + n);
            free(got);
        }
    } else {
        fail_msg("%s: unknown expectation '%s'", where, verb);
    }
    sw_arena_destroy(arena);
    free(e);
}

static void run_exchange(const sw_test_server *srv, const char *auth,
                         struct exchange *x, struct vars *v)
{
    char where[512];
    snprintf(where, sizeof where, "%s:%d (%s)", x->file, x->line, x->title);
    char *line = expand(v, x->request_line, where);
    char method[16], path[8192];
    if (sscanf(line, "%15s %8191s", method, path) != 2)
        fail_msg("%s: bad request line '%s'", where, line);
    const char *headers[MAX_HEADERS + 2];
    int nh = 0;
    bool anonymous = false;
    char *expanded[MAX_HEADERS];
    for (int i = 0; i < x->nheaders; i++) {
        expanded[i] = expand(v, x->headers[i], where);
        if (strcmp(expanded[i], "X-Test-Anonymous: yes") == 0)
            anonymous = true;
        else
            headers[nh++] = expanded[i];
    }
    if (!anonymous)
        headers[nh++] = auth;
    headers[nh] = NULL;
    char *body = x->body.len ? expand(v, sw_buf_str(&x->body), where) : NULL;
    sw_http_result r;
    if (sw_http(srv, method, path, headers, body, body ? strlen(body) : 0, &r) != 0)
        fail_msg("%s: the request failed at the transport level", where);
    for (int i = 0; i < x->nexpect; i++)
        check(x, x->expect_line[i], x->expect[i], &r, v);
    sw_http_result_free(&r);
    for (int i = 0; i < x->nheaders; i++)
        free(expanded[i]);
    free(body);
    free(line);
}

static void free_exchange(struct exchange *x)
{
    free(x->title);
    free(x->request_line);
    for (int i = 0; i < x->nheaders; i++)
        free(x->headers[i]);
    sw_buf_free(&x->body);
    for (int i = 0; i < x->nexpect; i++)
        free(x->expect[i]);
    free(x->expect);
    free(x->expect_line);
    memset(x, 0, sizeof *x);
}

/* The server of the file being run, stopped by teardown when an assertion
 * jumps out of run_file. */
static sw_test_server current;

/* Runs one file: a fresh database and server, then every exchange. */
static void run_file(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    assert_int_equal(sw_test_add_user(db, SW_TEST_CLINICIAN,
                                      "physician,practice_admin"), 0);
    sw_test_server *srvp = &current;
    assert_int_equal(sw_test_server_start(srvp, db, NULL), 0);
    const sw_test_server srv = *srvp;
    char auth[512];
    assert_int_equal(sw_test_sign_in_as(&srv, SW_TEST_CLINICIAN, auth, sizeof auth), 0);
    struct vars v = { .n = 0 };

    struct exchange x = { 0 };
    enum { NONE, HEAD, BODY, EXPECT } state = NONE;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    for (;;) {
        len = getline(&line, &cap, f);
        lineno++;
        if (len >= 0)
            line[strcspn(line, "\r\n")] = '\0';
        bool starts = len >= 0 && strncmp(line, "###", 3) == 0;
        if ((starts || len < 0) && state != NONE) {
            run_exchange(&srv, auth, &x, &v);
            free_exchange(&x);
            state = NONE;
        }
        if (len < 0)
            break;
        if (starts) {
            x.file = name;
            x.line = lineno;
            x.title = strdup(line + 3 + strspn(line + 3, " "));
            sw_buf_init(&x.body, 1 << 24);
            state = HEAD;
            continue;
        }
        if (state == NONE)
            continue;                  /* comments before the first ### */
        if (line[0] == '>') {
            state = EXPECT;
            x.expect = realloc(x.expect, (size_t)(x.nexpect + 1) * sizeof *x.expect);
            x.expect_line = realloc(x.expect_line, (size_t)(x.nexpect + 1) * sizeof *x.expect_line);
            x.expect[x.nexpect] = strdup(line + 1 + strspn(line + 1, " "));
            x.expect_line[x.nexpect++] = lineno;
        } else if (state == HEAD && x.request_line == NULL) {
            if (line[0] != '\0')
                x.request_line = strdup(line);
        } else if (state == HEAD) {
            if (line[0] == '\0')
                state = BODY;
            else if (x.nheaders < MAX_HEADERS)
                x.headers[x.nheaders++] = strdup(line);
        } else if (state == BODY) {
            if (line[0] == '\0' && x.body.len == 0)
                continue;
            if (x.body.len)
                sw_buf_putc(&x.body, '\n');
            sw_buf_puts(&x.body, line);
        } else if (line[0] != '\0') {
            /* After the expectations only blank lines may come before the
             * next ###: anything else is a request that would not run. */
            fail_msg("%s:%d: a line after the expectations; start a new "
                     "exchange with ###", name, lineno);
        }
    }
    free(line);
    fclose(f);
    for (int i = 0; i < v.n; i++) {
        free(v.name[i]);
        free(v.value[i]);
    }
    assert_int_equal(sw_test_server_stop(srvp, SIGTERM, 15), 0);
    free(db);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static const char *protocol_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/../protocol", getenv("STAGEWISE_TEST_DATA"));
    return dir;
}

static void protocol_files(void **state)
{
    (void)state;
    struct dirent **names;
    int n = scandir(protocol_dir(), &names, NULL, by_name);
    assert_true(n > 0);
    int ran = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t len = strlen(nm);
        if (len > 5 && strcmp(nm + len - 5, ".http") == 0) {
            fprintf(stderr, "protocol: %s\n", nm);
            run_file(protocol_dir(), nm);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    assert_true(ran > 0);
}

static int stop_current(void **state)
{
    (void)state;
    if (current.pid > 0)
        sw_test_server_stop(&current, SIGKILL, 5);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(protocol_files, stop_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
