/* server.c - the libmicrohttpd adapter: sockets, threads, the request life
 * cycle, limits, the access log and graceful shutdown.
 *
 * Life of a request (libmicrohttpd calls us at each step):
 *   on_uri        the request line has arrived: make the request's arena and
 *                 context, keep the raw target, start its deadline;
 *   on_request #1 the head has arrived: check its size, parse the target,
 *                 route, check Content-Length; an error here is answered at
 *                 once without reading the body;
 *   on_request #n body chunks, appended within SW_HTTP_MAX_BODY_BYTES;
 *   on_request    the body is complete: filters, handler, response;
 *   on_completed  the response is sent (or the client left): access log,
 *                 free the arena.
 * Handlers run on the worker thread that owns the connection; the pool has
 * cfg->threads workers, each with its own event loop (epoll).
 *
 * The listening socket is bound here rather than by the library so that
 * "port already in use" becomes a sentence, not a NULL. */
#include "http.h"
#include "http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/str.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_server_config cfg;
    int                listen_fd;
    int                port;
    http_watch        *watch;
    _Atomic int        inflight;
    _Atomic uint64_t   seq;
    uint32_t           boot_id;
    _Atomic bool       stopping;
    bool               tls;          /* native TLS */
    http_proxies      *proxies;      /* --trust-proxy, or NULL */
    _Atomic bool       starting;     /* keep the library's messages */
    char               start_msg[256];
};

struct http_conn {
    sw_request             req;
    sw_response            res;
    http_server           *srv;
    struct MHD_Connection *mhd;
    http_watch_conn       *watched;
    _Atomic int            phase;
    const char            *raw_uri;
    int64_t                start_us;
    bool                   started;
    int                    early_code;   /* error found before the handler */
    const http_route_table *table;
    const http_mount       *mount;       /* the mount served, or NULL */
    char                   allow[64];
    sw_buf                 body;
    size_t                 received;     /* body bytes, kept or dropped */
    char                   client[INET6_ADDRSTRLEN];
    bool                   forwarded_tls; /* a trusted proxy said https */
    bool                   measured;     /* counted in the metrics */
};

/* ---- Helpers handlers call ----------------------------------------------- */

const char *http_header_get(const sw_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn->mhd, MHD_HEADER_KIND, name);
}

const char *http_client_address(const sw_request *req)
{
    return req->conn->client;
}

bool http_request_is_tls(const sw_request *req)
{
    return req->conn->srv->tls || req->conn->forwarded_tls;
}

static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    (void)kind;
    sw_buf *b = cls;
    if (key == NULL || value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    /* Repeated headers are one list (RFC 9110 §5.3), in order. */
    if ((b->len && sw_buf_puts(b, ",") != SW_OK) || sw_buf_puts(b, value) != SW_OK)
        return MHD_NO;
    return MHD_YES;
}

/* When the peer is a trusted proxy, the client is who it says it is
 * forwarding for, and the scheme is what it says the client used. */
static void apply_forwarded(struct http_conn *c)
{
    if (!http_proxies_has(c->srv->proxies, c->client))
        return;
    sw_buf list;
    sw_buf_init(&list, SW_HTTP_MAX_HEADER_BYTES);
    MHD_get_connection_values(c->mhd, MHD_HEADER_KIND, join_xff, &list);
    if (list.len)
        http_proxies_client(c->srv->proxies, sw_buf_str(&list), c->client,
                            sizeof c->client);
    sw_buf_free(&list);
    const char *proto = MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND,
                                                    "X-Forwarded-Proto");
    c->forwarded_tls = proto != NULL && strcasecmp(proto, "https") == 0;
}

/* ---- The request life cycle ---------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mhd)
{
    http_server *srv = cls;
    sw_arena *a = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
    if (a == NULL)
        return NULL;
    struct http_conn *c = sw_arena_calloc(a, 1, sizeof *c);
    if (c == NULL) {
        sw_arena_destroy(a);
        return NULL;
    }
    c->srv = srv;
    c->mhd = mhd;
    c->start_us = sw_now_mono_us();
    c->raw_uri = sw_arena_strdup(a, uri ? uri : "");
    c->req.arena = a;
    c->req.conn = c;
    c->req.app = srv->cfg.app;
    c->req.mount = "";
    c->req.user_id = NULL;
    snprintf(c->req.request_id, sizeof c->req.request_id, "%08x%08llx",
             srv->boot_id, (unsigned long long)atomic_fetch_add(&srv->seq, 1));
    c->res.arena = a;
    sw_buf_init(&c->res.body, SW_HTTP_MAX_RESPONSE_BYTES);
    sw_buf_init(&c->body, SW_HTTP_MAX_BODY_BYTES);
    atomic_store(&c->phase, HTTP_PHASE_RECEIVING);

    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                      c->client, sizeof c->client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                      c->client, sizeof c->client);
    }
    ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    c->watched = ci ? ci->socket_context : NULL;
    http_watch_begin(srv->watch, c->watched, &c->phase);
    atomic_fetch_add(&srv->inflight, 1);
    return c;
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* The mount whose prefix the raw target begins with (a whole segment:
 * "/training", "/training/…", "/training?…"), or NULL. Matched before
 * decoding, so an encoded prefix ("/tr%61ining") is not a mount. */
static const http_mount *find_mount(const http_server *srv, const char *raw)
{
    for (size_t i = 0; i < srv->cfg.nmounts; i++) {
        const char *p = srv->cfg.mounts[i].prefix;
        size_t n = strlen(p);
        if (strncmp(raw, p, n) == 0
            && (raw[n] == '\0' || raw[n] == '/' || raw[n] == '?'))
            return &srv->cfg.mounts[i];
    }
    return NULL;
}

/* Checks what can be checked once the head has arrived; an error found here
 * is answered without reading the body. */
static int begin(struct http_conn *c, const char *method)
{
    sw_request *req = &c->req;
    c->mount = find_mount(c->srv, c->raw_uri);
    if (c->mount != NULL) {
        req->app = c->mount->app;
        req->mount = c->mount->prefix;
    }
    req->method = sw_arena_strdup(req->arena, method);
    if (req->method == NULL)
        return http_fail(&c->res, SW_ENOMEM, NULL);
    if (c->srv->proxies != NULL)
        apply_forwarded(c);

    /* A declared oversized body is refused whatever its path (and never
     * read); routing still runs first so the refusal speaks the route's
     * language (an OperationOutcome under /fhir). */
    int too_big = SW_OK;
    const char *cl = MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    long length = 0;
    if (cl != NULL) {
        if (!sw_str_to_long(sw_str_of(cl), 0, 0x7fffffffffffffffL, &length))
            return http_fail(&c->res, SW_EBADREQUEST,
                             "the Content-Length header is not a number");
        if (length > SW_HTTP_MAX_BODY_BYTES)
            too_big = http_fail(&c->res, SW_ETOOBIG,
                                "the request body is %ld bytes; the limit is %d",
                                length, SW_HTTP_MAX_BODY_BYTES);
    }
    size_t head = strlen(method) + strlen(c->raw_uri) + 12;
    MHD_get_connection_values(c->mhd, MHD_HEADER_KIND, sum_header, &head);
    if (head > SW_HTTP_MAX_HEADER_BYTES)
        return http_fail(&c->res, SW_EHEADERS,
                         "the request head is %zu bytes; the limit is %d",
                         head, SW_HTTP_MAX_HEADER_BYTES);

    /* Under a mount the target is parsed without its prefix ("/training"
     * alone is the mount's "/"), and routed in the mount's tables. */
    const char *target = c->raw_uri;
    const http_route_table *const *tables = c->srv->cfg.tables;
    size_t ntables = c->srv->cfg.ntables;
    if (c->mount != NULL) {
        target += strlen(c->mount->prefix);
        if (target[0] != '/')
            target = sw_arena_printf(req->arena, "/%s", target);
        if (target == NULL)
            return http_fail(&c->res, SW_ENOMEM, NULL);
        tables = c->mount->tables;
        ntables = c->mount->ntables;
    }
    sw_err target_err;
    int rc = http_parse_target(req->arena, target, strlen(target),
                               &req->target, &target_err);
    if (rc != SW_OK)
        return too_big ? too_big : http_fail(&c->res, rc, "%s", target_err.msg);

    http_match_result m = http_route_match(tables, ntables, req,
                                           &c->table, c->allow,
                                           sizeof c->allow);
    if (too_big)
        return too_big;
    if (m == HTTP_MATCH_NO_MEMORY)
        return http_fail(&c->res, SW_ENOMEM, NULL);
    if (m == HTTP_MATCH_NO_PATH)
        return http_fail(&c->res, SW_ENOTFOUND, "there is nothing at this path");
    if (m == HTTP_MATCH_NO_METHOD)
        return http_fail(&c->res, SW_EMETHOD,
                         "%s is not allowed here; allowed: %s", req->method,
                         c->allow);
    req->ctx = c->table->ctx;
    return SW_OK;
}

static void render_error(struct http_conn *c, int code)
{
    if (code == SW_EMETHOD && c->allow[0])
        http_set_header(&c->res, "Allow", c->allow);
    if (c->table && c->table->render_error)
        c->table->render_error(&c->req, &c->res, code);
    else
        http_render_json_error(&c->req, &c->res, code);
}

/* A route that needs a signed-in user answers with someone's private data
 * (or a refusal about it): no browser or proxy may keep a copy. Applied
 * here, once, to every such response, whatever the handler or filter set;
 * public routes keep their own caching. */
static void private_no_store(struct http_conn *c)
{
    const http_route *route = c->req.route;
    if (route == NULL || (route->flags & HTTP_ROUTE_PUBLIC))
        return;
    /* Drop whatever Cache-Control was set (once or more), then add ours. */
    for (http_header **h = &c->res.headers; *h != NULL;) {
        if (strcasecmp((*h)->name, "Cache-Control") == 0)
            *h = (*h)->next;
        else
            h = &(*h)->next;
    }
    http_set_header(&c->res, "Cache-Control", "no-store");
}

static int run_handler(struct http_conn *c)
{
    sw_request *req = &c->req;
    req->body = sw_buf_str(&c->body);
    req->body_len = c->body.len;
    const http_filter *filters = c->mount ? c->mount->filters
                                          : c->srv->cfg.filters;
    size_t nfilters = c->mount ? c->mount->nfilters : c->srv->cfg.nfilters;
    for (size_t i = 0; i < nfilters; i++) {
        int rc = filters[i].run(req, &c->res);
        if (rc != SW_OK)
            return rc;
    }
    return req->route->handler(req, &c->res);
}

/* Counts the request in the metrics (core/metrics.h) by route pattern.
 * Done when the response is queued, so that a client that has its answer
 * finds it counted in the next scrape; requests never answered (408, 499)
 * are counted when they end. */
static void measure(struct http_conn *c, int status)
{
    c->measured = true;
    sw_metrics_http_request(c->req.method,
                            c->req.route ? c->req.route->pattern : NULL, status,
                            (double)(sw_now_mono_us() - c->start_us) / 1e6);
}

static enum MHD_Result respond(struct http_conn *c)
{
    int expect = HTTP_PHASE_RECEIVING;
    if (!atomic_compare_exchange_strong(&c->phase, &expect, HTTP_PHASE_RESPONDING))
        return MHD_NO;            /* the watchdog has answered 408 */

    int code = c->early_code;
    if (code == SW_OK) {
        code = run_handler(c);
        if (code == SW_OK && c->res.status == 0)
            code = http_fail(&c->res, SW_EINTERNAL, "the handler gave no response");
    }
    if (code != SW_OK && (c->res.status == 0 || c->early_code != SW_OK))
        render_error(c, code);

    private_no_store(c);

    struct MHD_Response *r = MHD_create_response_from_buffer(
        c->res.body.len, (void *)sw_buf_str(&c->res.body), MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    if (c->res.content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, c->res.content_type);
    MHD_add_response_header(r, "X-Request-Id", c->req.request_id);
    for (http_header *h = c->res.headers; h != NULL; h = h->next)
        MHD_add_response_header(r, h->name, h->value);
    for (const http_header *h = c->mount ? c->mount->headers : NULL; h != NULL;
         h = h->next)
        MHD_add_response_header(r, h->name, h->value);
    if (atomic_load(&c->srv->stopping))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    measure(c, c->res.status);
    enum MHD_Result ok = MHD_queue_response(c->mhd, (unsigned)c->res.status, r);
    MHD_destroy_response(r);
    return ok;
}

/* libmicrohttpd's accept policy: while the server stops, a new connection
 * is closed at once, unanswered. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
                                 socklen_t len)
{
    (void)addr, (void)len;
    const http_server *srv = cls;
    return atomic_load(&srv->stopping) ? MHD_NO : MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct http_conn *c = *con_cls;
    if (c == NULL)
        return MHD_NO;             /* no memory for the request: drop it */
    if (atomic_load(&c->phase) == HTTP_PHASE_TIMED_OUT)
        return MHD_NO;
    if (!c->started) {
        c->started = true;
        c->early_code = begin(c, method);
        /* Refuse an oversized request before reading it (the library then
         * closes the connection); any other error waits for the end of the
         * request so the connection can be kept alive. */
        if (c->early_code == SW_ETOOBIG || c->early_code == SW_EHEADERS)
            return respond(c);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        /* After an early error the body is read and dropped, but still
         * counted: an oversized body is refused first, whatever the path. */
        c->received += *upload_size;
        if (c->received > SW_HTTP_MAX_BODY_BYTES && c->early_code != SW_ETOOBIG) {
            sw_buf_free(&c->body);
            c->early_code = http_fail(&c->res, SW_ETOOBIG,
                "the request body is larger than the limit of %d bytes",
                SW_HTTP_MAX_BODY_BYTES);
        } else if (c->early_code == SW_OK) {
            int rc = sw_buf_append(&c->body, upload, *upload_size);
            if (rc != SW_OK) {
                sw_buf_free(&c->body);
                c->early_code = http_fail(&c->res, rc, NULL);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return respond(c);
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *srv = cls;
    struct http_conn *c = *con_cls;
    if (c == NULL)
        return;
    *con_cls = NULL;
    http_watch_end(srv->watch, c->watched);
    int status = c->res.status;
    int phase = atomic_load(&c->phase);
    if (phase == HTTP_PHASE_TIMED_OUT)
        status = 408;
    else if (status == 0 || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        status = status ? status : 499;  /* the client left before an answer */
    double ms = (double)(sw_now_mono_us() - c->start_us) / 1000.0;
    sw_log_access(c->req.method ? c->req.method : "-",
                  c->req.route ? c->req.route->pattern : "-", status, ms,
                  c->req.user_id, c->req.request_id);
    if (!c->measured)
        measure(c, status);
    sw_buf_free(&c->body);
    sw_buf_free(&c->res.body);
    sw_arena_destroy(c->req.arena);
    atomic_fetch_sub(&srv->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *mhd,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? http_watch_open(srv->watch, ci->connect_fd) : NULL;
    } else {
        http_watch_close(srv->watch, *socket_context);
        *socket_context = NULL;
    }
}

static void on_library_message(void *cls, const char *fmt, va_list ap)
{
    http_server *srv = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    /* While starting, the last message says why a start failed (a key
     * that does not fit its certificate, …). */
    if (atomic_load(&srv->starting))
        snprintf(srv->start_msg, sizeof srv->start_msg, "%.200s", msg);
    sw_debug("http library: %s", msg);
}

/* ---- Start and stop ------------------------------------------------------ */

static int bind_listener(const http_server_config *cfg, int *fd_out,
                         int *port_out, sw_err *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
                                        | AI_PASSIVE };
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(cfg->host, port, &hints, &ai);
    if (gai != 0)
        return sw_err_set(err, SW_EUSAGE,
                          "'%s' is not an IP address to listen on; use for "
                          "example 127.0.0.1, 0.0.0.0 or [::1]", cfg->host);
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return sw_err_set(err, SW_EIO, "cannot create a socket: %s",
                          strerror(errno));
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        int e = errno;
        freeaddrinfo(ai);
        close(fd);
        if (e == EADDRINUSE)
            return sw_err_set(err, SW_EIO,
                              "port %d on %s is already in use; stop the other "
                              "server or choose another with --listen",
                              cfg->port, cfg->host);
        if (e == EADDRNOTAVAIL)
            return sw_err_set(err, SW_EIO,
                              "%s is not an address of this machine", cfg->host);
        if (e == EACCES)
            return sw_err_set(err, SW_EIO,
                              "not allowed to listen on port %d; ports below "
                              "1024 need privileges", cfg->port);
        return sw_err_set(err, SW_EIO, "cannot listen on %s:%d: %s",
                          cfg->host, cfg->port, strerror(e));
    }
    freeaddrinfo(ai);
    if (listen(fd, 1024) != 0) {
        close(fd);
        return sw_err_set(err, SW_EIO, "cannot listen: %s", strerror(errno));
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ntohs(ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return SW_OK;
}

int http_server_start(const http_server_config *cfg, http_server **out,
                      sw_err *err)
{
    *out = NULL;
    http_server *srv = sw_calloc(1, sizeof *srv);
    if (srv == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    srv->cfg = *cfg;
    if (srv->cfg.threads <= 0)
        srv->cfg.threads = SW_HTTP_DEFAULT_THREADS;
    if (srv->cfg.request_timeout_s <= 0)
        srv->cfg.request_timeout_s = SW_HTTP_REQUEST_TIMEOUT_S;
    if (srv->cfg.idle_timeout_s <= 0)
        srv->cfg.idle_timeout_s = SW_HTTP_IDLE_TIMEOUT_S;
    if (getrandom(&srv->boot_id, sizeof srv->boot_id, 0) != sizeof srv->boot_id)
        srv->boot_id = (uint32_t)time(NULL);

    srv->tls = srv->cfg.tls_cert_pem != NULL;
    if (srv->tls && (srv->cfg.tls_key_pem == NULL
                     || MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)) {
        bool no_key = srv->cfg.tls_key_pem == NULL;
        sw_free(srv);
        return sw_err_set(err, SW_EUSAGE, no_key
                          ? "TLS needs both a certificate and its key"
                          : "this build of libmicrohttpd has no TLS support; "
                            "install one built with GnuTLS or serve behind "
                            "a reverse proxy (docs/tls.md)");
    }
    int rc = http_proxies_parse(srv->cfg.trusted_proxies,
                                srv->cfg.ntrusted_proxies, &srv->proxies, err);
    if (rc != SW_OK)
        goto fail_free;
    rc = bind_listener(&srv->cfg, &srv->listen_fd, &srv->port, err);
    if (rc != SW_OK)
        goto fail_free;
    rc = http_watch_start(srv->cfg.request_timeout_s, srv->cfg.idle_timeout_s,
                          &srv->watch);
    if (rc != SW_OK) {
        sw_err_set(err, rc, "cannot start the connection watchdog");
        goto fail_socket;
    }
    if (srv->tls)
        http_watch_no_timeout_response(srv->watch);
    struct MHD_OptionItem tls_opts[] = {
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)srv->cfg.tls_cert_pem },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)srv->cfg.tls_key_pem },
        { MHD_OPTION_END, 0, NULL },
    };
    atomic_store(&srv->starting, true);
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC
        | (srv->tls ? MHD_USE_TLS : 0),
        0, on_accept, srv, on_request, srv,
        MHD_OPTION_ARRAY, srv->tls ? tls_opts : tls_opts + 2,
        MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SW_HTTP_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SW_HTTP_MAX_CONNECTIONS_PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(srv->cfg.idle_timeout_s
                                                  + srv->cfg.request_timeout_s),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SW_HTTP_CONNECTION_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_library_message, srv,
        MHD_OPTION_END);
    atomic_store(&srv->starting, false);
    if (srv->daemon == NULL && srv->tls) {
        rc = sw_err_set(err, SW_EINVAL, "the TLS certificate and key could not "
                        "be used%s%s%s; check that both are PEM files and that "
                        "the key belongs to the certificate",
                        srv->start_msg[0] ? " (" : "", srv->start_msg,
                        srv->start_msg[0] ? ")" : "");
        goto fail_watch;
    }
    if (srv->daemon == NULL) {
        rc = sw_err_set(err, SW_EIO, "the HTTP server could not start its "
                        "%d worker threads", srv->cfg.threads);
        goto fail_watch;
    }
    *out = srv;
    return SW_OK;

fail_watch:
    http_watch_stop(srv->watch);
fail_socket:
    close(srv->listen_fd);
fail_free:
    http_proxies_free(srv->proxies);
    sw_free(srv);
    return rc;
}

int http_server_port(const http_server *s) { return s->port; }
int http_server_inflight(const http_server *s) { return atomic_load(&s->inflight); }

void http_server_stop(http_server *s, int grace_s)
{
    if (s == NULL)
        return;
    /* From now on a new connection is closed as soon as it is accepted
     * (on_accept), while requests in flight finish. Not with
     * MHD_quiesce_daemon: with a pool of epoll threads it races a worker
     * taking the listening socket out of its own epoll set, and
     * libmicrohttpd aborts the process when it loses that race. The
     * daemon closes the listening socket when it stops. */
    atomic_store(&s->stopping, true);
    int64_t deadline = sw_now_mono_ms() + (int64_t)grace_s * 1000;
    while (atomic_load(&s->inflight) > 0 && sw_now_mono_ms() < deadline) {
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->inflight) > 0)
        sw_warn("http: %d requests still running after %d s; stopping anyway",
                atomic_load(&s->inflight), grace_s);
    MHD_stop_daemon(s->daemon);
    http_watch_stop(s->watch);
    http_proxies_free(s->proxies);
    sw_free(s);
}
