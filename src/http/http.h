/* http.h - the HTTP server as the other areas see it: requests, responses,
 * route tables and filters.
 *
 * An area contributes a route table (one row per method and path pattern)
 * and, if it must check every request (authentication, rollout, audit), a
 * filter. The server parses the request target itself (path segments and
 * query parameters, percent-decoded and UTF-8 checked), matches the route,
 * reads the body within SW_HTTP_MAX_BODY_BYTES, runs the filters in order,
 * then the handler, and writes one access-log line when the response is
 * sent. This layer knows nothing about FHIR, users or modules.
 *
 * Patterns are literal segments, `{name}` for one segment, and a final
 * segment `*` that takes the rest of the path (req->rest); for
 * example "/fhir/{type}/{id}". HEAD is served by GET routes.
 *
 * A handler (or filter) fills the response and returns SW_OK, or returns an
 * error code; when it returns an error without having set a status, the
 * route table's error renderer (JSON by default) writes the body from the
 * code and the message left by http_fail.
 *
 * Ownership: everything in a request, and the response body, lives in the
 * request's arena until the response has been sent. */
#ifndef SW_HTTP_H
#define SW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/limits.h"

typedef struct http_param {
    const char *name;   /* decoded, valid UTF-8, no NUL */
    const char *value;
} http_param;

/* The parsed request target. */
typedef struct http_target {
    const char  *raw_path;      /* as sent, without the query */
    const char **segments;      /* decoded path segments */
    int          nsegments;
    http_param  *params;        /* query parameters in order, repeats kept */
    int          nparams;
} http_target;

/* Parses an origin-form (or absolute-form) request target. SW_EBADREQUEST
 * for bad percent-encoding, invalid UTF-8, NUL bytes or dot segments;
 * SW_EURITOOLONG past SW_HTTP_MAX_URI_BYTES or SW_HTTP_MAX_PATH_SEGMENTS;
 * SW_EBADREQUEST past SW_HTTP_MAX_QUERY_PARAMS. */
int http_parse_target(sw_arena *a, const char *raw, size_t len,
                      http_target *out, sw_err *err);

/* Parses an application/x-www-form-urlencoded body ("a=1&b=x%20y") with
 * the rules of the query string: same decoding and checks, at most
 * SW_HTTP_MAX_QUERY_PARAMS pairs, repeats kept in order. The caller bounds
 * len. SW_OK, SW_EBADREQUEST or SW_ENOMEM. */
int http_parse_form(sw_arena *a, const char *body, size_t len,
                    http_param **params, int *nparams, sw_err *err);
/* "name,birthdate": the names of params, never their values (which may be
 * a patient's name), as audit entries record a query; "" when the arena
 * runs out. */
const char *http_param_names(sw_arena *a, const http_param *params, int n);

typedef struct http_route http_route;
typedef struct http_conn  http_conn;   /* the server's side of a request */

typedef struct sw_request {
    sw_arena         *arena;
    const char       *method;
    http_target       target;
    const http_route *route;
    const char      **route_values;  /* one per {name} in the pattern */
    const char       *rest;          /* what a trailing * matched, decoded */
    const char       *body;          /* NUL-terminated; body_len excludes it */
    size_t            body_len;
    const char       *user_id;       /* set by an authentication filter */
    /* Who is making the request, as the authentication filter found them;
     * opaque to this layer (the application's type, in the arena). */
    void             *principal;
    char              request_id[20];
    void             *app;           /* the application's context */
    /* The mount the request came in under ("/training"), or "" (the
     * server's own tables); the target is parsed without it. */
    const char       *mount;
    void             *ctx;           /* the matched route table's ctx */
    http_conn        *conn;
} sw_request;

typedef struct http_header {
    const char         *name;
    const char         *value;
    struct http_header *next;
} http_header;

typedef struct sw_response {
    int          status;        /* 0 until set */
    const char  *content_type;
    sw_buf       body;          /* bounded by SW_HTTP_MAX_RESPONSE_BYTES */
    http_header *headers;
    sw_err       err;           /* message for the error renderer */
    void        *context;       /* more for the renderer (FHIR issues) */
    sw_arena    *arena;
} sw_response;

typedef int (*http_handler)(sw_request *req, sw_response *res);
/* Writes an error response for code (status, content type, body). */
typedef void (*http_error_renderer)(sw_request *req, sw_response *res, int code);

enum {
    HTTP_ROUTE_PUBLIC = 1u << 0,   /* served without a signed-in user */
    HTTP_ROUTE_BODY   = 1u << 1,   /* reads a request body */
};

struct http_route {
    const char  *method;     /* "GET", "POST", …; NULL for any */
    const char  *pattern;
    http_handler handler;
    unsigned     flags;
    /* A permission tag ("users:admin", …) that the authorization filter
     * interprets; NULL means no check beyond being signed in. */
    const char  *access;
};

/* A table's ctx is what its handlers need (the FHIR handlers' store, …);
 * the server hands it to them as req->ctx, so an area's handlers depend on
 * that area's own context type, not on the assembled application. */
typedef struct http_route_table {
    const char          *name;       /* "health", "fhir", … */
    const http_route    *routes;
    size_t               count;
    http_error_renderer  render_error; /* NULL: JSON errors */
    void                *ctx;
} http_route_table;

/* A check run on every routed request before its handler. SW_OK lets the
 * request through; anything else stops it with that error. */
typedef struct http_filter {
    const char *name;
    int (*run)(sw_request *req, sw_response *res);
} http_filter;

/* ---- Reading a request --------------------------------------------------- */

/* A header value (case-insensitive name), or NULL. */
const char *http_header_get(const sw_request *req, const char *name);
/* The value of a {name} in the route pattern, or NULL. */
const char *http_route_value(const sw_request *req, const char *name);
/* The first query parameter with this name, or NULL. */
const char *http_query_get(const sw_request *req, const char *name);
/* The client address as text ("127.0.0.1"), for logs and audit: the
 * peer's, or, when the peer is a trusted proxy (trusted_proxies), the
 * rightmost address of X-Forwarded-For that is not a trusted proxy. */
const char *http_client_address(const sw_request *req);
/* Whether the client's request came over TLS: served with native TLS, or
 * forwarded by a trusted proxy with X-Forwarded-Proto: https. */
bool        http_request_is_tls(const sw_request *req);

/* ---- Writing a response -------------------------------------------------- */

int  http_set_header(sw_response *res, const char *name, const char *value);
/* Sets status and content type and appends body bytes. */
int  http_reply(sw_response *res, int status, const char *content_type,
                const void *body, size_t n);
/* Records an error message for the renderer and returns code. */
int  http_fail(sw_response *res, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The default renderer: {"error":{"code","message","details":[]}}. */
void http_render_json_error(sw_request *req, sw_response *res, int code);

/* ---- Routing (router.c) -------------------------------------------------- */

typedef enum {
    HTTP_MATCH_OK,
    HTTP_MATCH_NO_PATH,      /* 404 */
    HTTP_MATCH_NO_METHOD,    /* 405; allow lists the methods */
    HTTP_MATCH_NO_MEMORY,    /* 503 */
} http_match_result;

/* Finds the route for method and target among tables, filling
 * req->route, route_values and rest, and *table. */
http_match_result http_route_match(const http_route_table *const *tables,
                                   size_t ntables, sw_request *req,
                                   const http_route_table **table,
                                   char *allow, size_t allow_cap);

/* ---- The server (server.c) ----------------------------------------------- */

typedef struct http_server http_server;

/* A mount: every request whose path is prefix or starts with prefix and a
 * '/' (literally, before any decoding) is served as if the prefix were not
 * there, by its own application pointer, route tables and filters, and
 * each of its responses (errors too) carries its headers. One server can
 * so serve a second copy of an application under a path ("/training/api/
 * me" is "/api/me" of the other copy) without its handlers knowing. */
typedef struct http_mount {
    const char                    *prefix;   /* "/training": one segment */
    const http_route_table *const *tables;
    size_t                         ntables;
    const http_filter             *filters;
    size_t                         nfilters;
    void                          *app;
    const http_header             *headers;  /* a list; may be NULL */
} http_mount;

typedef struct http_server_config {
    const char  *host;             /* "127.0.0.1", "::1", "0.0.0.0" */
    int          port;             /* 0: pick a free one */
    int          threads;
    int          request_timeout_s;
    int          idle_timeout_s;
    const http_route_table *const *tables;
    size_t       ntables;
    const http_filter *filters;
    size_t       nfilters;
    void        *app;
    /* Native TLS: the certificate (chain) and private key as PEM text,
     * kept by the caller until http_server_stop; NULL for plain HTTP. */
    const char  *tls_cert_pem;
    const char  *tls_key_pem;
    /* Peers whose X-Forwarded-For and X-Forwarded-Proto are believed
     * (numeric IPv4 or IPv6 addresses); the headers of anyone else are
     * ignored. */
    const char *const *trusted_proxies;
    size_t       ntrusted_proxies;
    /* Mounts, checked before the tables above (kept by the caller until
     * http_server_stop); none when nmounts is 0. */
    const http_mount *mounts;
    size_t       nmounts;
} http_server_config;

/* Binds and starts serving. On failure one sentence in err (port in use,
 * address not available, a TLS key that does not fit its certificate, …). */
int  http_server_start(const http_server_config *cfg, http_server **out,
                       sw_err *err);
/* The port actually bound (useful with port 0). */
int  http_server_port(const http_server *s);
/* Stops accepting, lets requests in flight finish (up to grace_s), stops. */
void http_server_stop(http_server *s, int grace_s);
/* Requests received and not yet completed. */
int  http_server_inflight(const http_server *s);

#endif
