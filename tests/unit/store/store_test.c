/* store_test.c - the helpers of store_test.h. */
#include "store_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testdb.h"

sw_store *st_open(const char *url, int connections)
{
    store_options opt = { .create = true, .connections = connections };
    sw_store *s = NULL;
    sw_err err = { 0 };
    int rc = store_open(url, &opt, &s, &err);
    if (rc != SW_OK)
        fail_msg("store_open(%s): %s", url, sw_err_text(&err));
    return s;
}

sw_store *st_open_fresh(char **url_out, int connections)
{
    char *url = sw_test_fresh_db();
    sw_store *s = st_open(url, connections);
    if (url_out)
        *url_out = url;
    else
        free(url);
    return s;
}

static int script_fn(store_tx *tx, void *ctx)
{
    return store_exec_script(tx, ctx);
}

void st_script(sw_store *s, const char *sql)
{
    sw_err err = { 0 };
    if (store_write(s, script_fn, (void *)sql, &err) != SW_OK)
        fail_msg("script failed: %s\n%s", sw_err_text(&err), sql);
}

struct int_query { const char *sql; int64_t v; };

static int int_fn(store_tx *tx, void *ctx)
{
    struct int_query *q = ctx;
    return store_query_int64(tx, &q->v, q->sql, NULL);
}

int64_t st_int(sw_store *s, const char *sql)
{
    struct int_query q = { .sql = sql };
    sw_err err = { 0 };
    if (store_read(s, int_fn, &q, &err) != SW_OK)
        fail_msg("query failed: %s\n%s", sw_err_text(&err), sql);
    return q.v;
}

const char *st_blob_type(const sw_store *s)
{
    return store_kind_of(s) == STORE_SQLITE ? "BLOB" : "BYTEA";
}

int st_is_pg(void)
{
    return strcmp(sw_test_store(), "postgres") == 0;
}

char *st_with_password(const char *url, const char *password)
{
    const char *user = strstr(url, "://");
    const char *at = user ? strchr(user + 3, '@') : NULL;
    if (at == NULL)
        fail_msg("no user@ in %s", url);
    size_t head = (size_t)(at - url);
    char *out = malloc(strlen(url) + strlen(password) + 2);
    sprintf(out, "%.*s:%s%s", (int)head, url, password, at);
    return out;
}

int st_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0
        || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        fail_msg("cannot find a free port");
    close(fd);              /* bound but never listened: now refused */
    return ntohs(a.sin_port);
}

void st_assert_words(const char *msg, const char *const *words)
{
    if (strchr(msg, '\n') != NULL)
        fail_msg("message is not one line: '%s'", msg);
    for (size_t i = 0; words && words[i]; i++)
        if (strstr(msg, words[i]) == NULL)
            fail_msg("message lacks '%s': '%s'", words[i], msg);
}

int st_fail_rc(store_tx *tx, int rc, const char *file, int line,
               const char *expr)
{
    char why[SW_ERR_MSG_MAX];
    snprintf(why, sizeof why, "%s", store_tx_err(tx)->msg);
    return store_tx_fail(tx, rc, "%s:%d: %s: %s", file, line, expr, why);
}

void st_assert_rc(int rc, int want, const sw_err *err)
{
    if (rc != want)
        fail_msg("got code %d (%s), want %d: %s", rc, sw_code_id(rc), want,
                 err ? sw_err_text(err) : "");
}
