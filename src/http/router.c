/* router.c - matching a request to a row of the route tables.
 *
 * Tables are searched in order and rows within a table in order; the first
 * row whose pattern and method match wins. A path that matches some pattern
 * but none with this method is a 405 with an Allow list, not a 404. Patterns
 * are short, so they are walked segment by segment on each request rather
 * than compiled. */
#include "http.h"

#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* Walks pattern against the target; on a match fills values (one per
 * {name}) and *rest (for a trailing *). values may be NULL to test only. */
static bool pattern_match(const char *pattern, const http_target *t,
                          const char **values, const char **rest,
                          sw_arena *a)
{
    sw_str p = sw_str_of(pattern);
    if (!sw_str_skip(&p, "/"))
        return false;
    int seg = 0, nval = 0;
    while (p.n > 0) {
        sw_str part;
        sw_str_split(&p, '/', &part);
        if (sw_str_eq_cstr(part, "*")) {
            if (rest == NULL)
                return true;
            size_t total = 0;
            for (int i = seg; i < t->nsegments; i++)
                total += strlen(t->segments[i]) + 1;
            char *r = sw_arena_alloc(a, total + 1);
            if (r == NULL)
                return false;
            r[0] = '\0';
            for (int i = seg; i < t->nsegments; i++) {
                if (i > seg)
                    strcat(r, "/");
                strcat(r, t->segments[i]);
            }
            *rest = r;
            return true;
        }
        if (seg >= t->nsegments)
            return false;
        const char *s = t->segments[seg];
        if (part.n >= 2 && part.p[0] == '{' && part.p[part.n - 1] == '}') {
            if (s[0] == '\0')
                return false;          /* {name} never matches an empty segment */
            if (values)
                values[nval] = s;
            nval++;
        } else if (!sw_str_eq_cstr(part, s)) {
            return false;
        }
        seg++;
    }
    return seg == t->nsegments;
}

static int count_values(const char *pattern)
{
    int n = 0;
    for (; *pattern; pattern++)
        n += *pattern == '{';
    return n;
}

static bool method_matches(const char *route_method, const char *method)
{
    if (route_method == NULL)
        return true;
    if (strcmp(route_method, method) == 0)
        return true;
    return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    if (allow == NULL || cap == 0 || method == NULL)
        return;
    size_t len = strlen(allow);
    const char *p = strstr(allow, method);
    size_t mlen = strlen(method);
    if (p != NULL && (p[mlen] == ',' || p[mlen] == '\0')
        && (p == allow || p[-1] == ' '))
        return;
    snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", method);
}

http_match_result http_route_match(const http_route_table *const *tables,
                                   size_t ntables, sw_request *req,
                                   const http_route_table **table,
                                   char *allow, size_t allow_cap)
{
    bool path_seen = false;
    if (allow && allow_cap)
        allow[0] = '\0';
    for (size_t ti = 0; ti < ntables; ti++) {
        const http_route_table *tb = tables[ti];
        for (size_t ri = 0; ri < tb->count; ri++) {
            const http_route *r = &tb->routes[ri];
            if (!pattern_match(r->pattern, &req->target, NULL, NULL, NULL))
                continue;
            if (!method_matches(r->method, req->method)) {
                path_seen = true;
                allow_add(allow, allow_cap, r->method);
                if (r->method && strcmp(r->method, "GET") == 0)
                    allow_add(allow, allow_cap, "HEAD");
                continue;
            }
            int n = count_values(r->pattern);
            req->route_values = n ? sw_arena_calloc(req->arena, (size_t)n,
                                                    sizeof *req->route_values)
                                  : NULL;
            req->rest = NULL;
            if ((n && req->route_values == NULL)
                || !pattern_match(r->pattern, &req->target, req->route_values,
                                  &req->rest, req->arena))
                return HTTP_MATCH_NO_MEMORY;
            req->route = r;
            if (table)
                *table = tb;
            return HTTP_MATCH_OK;
        }
    }
    return path_seen ? HTTP_MATCH_NO_METHOD : HTTP_MATCH_NO_PATH;
}

const char *http_route_value(const sw_request *req, const char *name)
{
    if (req->route == NULL || req->route_values == NULL)
        return NULL;
    size_t nlen = strlen(name);
    int idx = 0;
    for (const char *p = req->route->pattern; *p; p++) {
        if (*p != '{')
            continue;
        if (strncmp(p + 1, name, nlen) == 0 && p[1 + nlen] == '}')
            return req->route_values[idx];
        idx++;
    }
    return NULL;
}

const char *http_query_get(const sw_request *req, const char *name)
{
    for (int i = 0; i < req->target.nparams; i++)
        if (strcmp(req->target.params[i].name, name) == 0)
            return req->target.params[i].value;
    return NULL;
}
