/* readonly.c - the downtime copy's refusals and its environment answer
 * (readonly.h). The state is set once before the server starts and never
 * changes, so the request threads read it without a lock. */
#include "server/readonly.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "core/clock.h"

static bool    read_only;
static int64_t copy_from;

void server_read_only_set(int64_t copy_from_ms)
{
    read_only = true;
    copy_from = copy_from_ms;
}

bool server_read_only(int64_t *copy_from_ms)
{
    if (read_only && copy_from_ms != NULL)
        *copy_from_ms = copy_from;
    return read_only;
}

static int copy_time_fn(store_tx *tx, void *arg)
{
    return store_query_int64(tx, arg, "SELECT COALESCE(MAX(at_ms), 0) FROM "
                             "audit_log", "");
}

int server_read_only_copy_time(sw_store *s, int64_t *out, sw_err *err)
{
    *out = 0;
    return store_read(s, copy_time_fn, out, err);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Requests that change nothing but the caller's own session. */
static bool allowed(const sw_request *req)
{
    const char *m = req->method, *p = req->route->pattern;
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0
        || strcmp(m, "OPTIONS") == 0)
        return true;
    if (strcmp(m, "POST") == 0 && ends_with(p, "/_search"))
        return true;
    return strncmp(p, "/api/session", 12) == 0
           || strncmp(p, "/api/me/mfa", 11) == 0;
}

int server_read_only_filter(sw_request *req, sw_response *res)
{
    if (!read_only || allowed(req))
        return SW_OK;
    char when[SW_TIME_ISO_MAX] = "an unknown time";
    if (copy_from > 0)
        sw_time_iso(copy_from, when);
    return http_fail(res, SW_EFORBIDDEN, "This is a read-only copy from %s: "
                     "changes are not possible; use the paper downtime forms",
                     when);
}

static int get_environment(sw_request *req, sw_response *res)
{
    (void)req;
    char when[SW_TIME_ISO_MAX];
    if (read_only && copy_from > 0)
        sw_time_iso(copy_from, when);
    json_t *doc = json_pack("{s:b, s:o}", "read_only", read_only, "copy_from",
                            read_only && copy_from > 0 ? json_string(when)
                                                       : json_null());
    return doc ? server_reply_json(res, 200, doc) : http_fail(res, SW_ENOMEM, NULL);
}

static const http_route routes[] = {
    /* Public: the sign-in page shows the banner too. */
    { "GET", "/api/environment", get_environment, HTTP_ROUTE_PUBLIC, NULL },
};

const http_route_table readonly_routes = {
    .name = "readonly",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};

int server_read_only_target_ok(const char *db_url, sw_err *err)
{
    static const char prefix[] = "sqlite:";
    if (db_url == NULL || strncmp(db_url, prefix, sizeof prefix - 1) != 0)
        return SW_OK;
    const char *path = db_url + sizeof prefix - 1;
    const char *slash = strrchr(path, '/');
    char manifest[4096];
    int n = slash ? snprintf(manifest, sizeof manifest, "%.*s/manifest.json",
                             (int)(slash - path), path)
                  : snprintf(manifest, sizeof manifest, "manifest.json");
    if (n < 0 || (size_t)n >= sizeof manifest || access(manifest, F_OK) != 0)
        return SW_OK;
    return sw_err_set(err, SW_EINVAL, "%s is inside a backup (its "
                      "manifest.json is beside it); restore it first with "
                      "'stagewise restore DIR --db sqlite:COPY' and serve the "
                      "copy: a read-only server records its sign-ins and "
                      "reads in the database it serves", path);
}
