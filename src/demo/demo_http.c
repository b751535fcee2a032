/* demo_http.c - the demo's loopback HTTP/1.1 client (see demo_http.h).
 * Requests go one at a time on one connection; the answer is read whole
 * (head up to the blank line, then exactly Content-Length bytes). */
#include "demo_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"

struct demo_http {
    int    port;
    int    fd;
    sw_buf in;          /* bytes read and not yet consumed */
};

static int connect_to(demo_http *c, sw_err *err)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return sw_err_set(err, SW_EIO, "cannot open a socket: %s",
                          strerror(errno));
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t)c->port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(c->fd);
        c->fd = -1;
        return sw_err_set(err, SW_EIO, "cannot connect to the demo server "
                          "on port %d: %s", c->port, strerror(e));
    }
    sw_buf_reset(&c->in);
    return SW_OK;
}

int demo_http_open(int port, demo_http **out, sw_err *err)
{
    demo_http *c = sw_calloc(1, sizeof *c);
    if (c == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    c->port = port;
    c->fd = -1;
    c->in = (sw_buf)SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = connect_to(c, err);
    if (rc != SW_OK) {
        demo_http_close(c);
        return rc;
    }
    *out = c;
    return SW_OK;
}

void demo_http_close(demo_http *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    sw_buf_free(&c->in);
    sw_free(c);
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads more into c->in; false at end of stream or on error. */
static bool read_more(demo_http *c)
{
    char chunk[16384];
    for (;;) {
        ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        return sw_buf_append(&c->in, chunk, (size_t)r) == SW_OK;
    }
}

/* The value of header name in head (len bytes), or NULL. */
static const char *header_value(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line != NULL;
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            h += n + 1;
            while (*h == ' ')
                h++;
            return h;
        }
    }
    return NULL;
}

/* Reads one answer; false when the connection broke before a whole one. */
static bool read_answer(demo_http *c, long *status, char **body,
                        size_t *body_len, bool *close_after)
{
    char *end;
    for (;;) {
        end = c->in.len ? memmem(c->in.data, c->in.len, "\r\n\r\n", 4) : NULL;
        if (end != NULL)
            break;
        if (!read_more(c))
            return false;
    }
    size_t head_len = (size_t)(end - c->in.data) + 4;
    char *head = sw_malloc(head_len + 1);
    if (head == NULL)
        return false;
    memcpy(head, c->in.data, head_len);
    head[head_len] = '\0';
    *status = strncmp(head, "HTTP/1.", 7) == 0 ? strtol(head + 9, NULL, 10) : 0;
    const char *cl = header_value(head, "Content-Length");
    const char *conn = header_value(head, "Connection");
    size_t need = cl ? (size_t)strtoull(cl, NULL, 10) : 0;
    *close_after = conn != NULL && strncasecmp(conn, "close", 5) == 0;
    sw_free(head);
    while (c->in.len < head_len + need)
        if (!read_more(c))
            return false;
    *body = sw_malloc(need + 1);
    if (*body == NULL)
        return false;
    memcpy(*body, c->in.data + head_len, need);
    (*body)[need] = '\0';
    *body_len = need;
    size_t rest = c->in.len - head_len - need;
    memmove(c->in.data, c->in.data + head_len + need, rest);
    c->in.len = rest;
    return true;
}

static bool exchange(demo_http *c, const sw_buf *req, long *status,
                     char **body, size_t *len)
{
    bool close_after = false;
    if (!send_all(c->fd, req->data, req->len)
        || !read_answer(c, status, body, len, &close_after))
        return false;
    if (close_after) {
        close(c->fd);
        c->fd = -1;
    }
    return true;
}

int demo_http_call(demo_http *c, const char *method, const char *path,
                   const char *bearer, json_t *body, long *status,
                   json_t **reply, sw_err *err)
{
    if (reply)
        *reply = NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (body && text == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    size_t text_len = text ? strlen(text) : 0;
    sw_buf req = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = sw_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Accept: application/json\r\n"
                           "Content-Length: %zu\r\n", method, path, text_len);
    if (rc == SW_OK && text)
        rc = sw_buf_printf(&req, "Content-Type: application/json\r\n");
    if (rc == SW_OK && bearer)
        rc = sw_buf_printf(&req, "Authorization: Bearer %s\r\n", bearer);
    if (rc == SW_OK)
        rc = sw_buf_append(&req, "\r\n", 2);
    if (rc == SW_OK && text)
        rc = sw_buf_append(&req, text, text_len);
    free(text);
    if (rc != SW_OK) {
        sw_buf_free(&req);
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    }
    char *answer = NULL;
    size_t len = 0;
    bool ok = c->fd >= 0 && exchange(c, &req, status, &answer, &len);
    if (!ok) {
        /* The server closed an idle keep-alive connection: once more. */
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        rc = connect_to(c, err);
        ok = rc == SW_OK && exchange(c, &req, status, &answer, &len);
        if (rc == SW_OK && !ok)
            rc = sw_err_set(err, SW_EIO, "the demo server did not answer "
                            "%s %s", method, path);
    }
    sw_buf_free(&req);
    if (ok && reply && len > 0)
        *reply = json_loadb(answer, len, 0, NULL);
    sw_free(answer);
    return ok ? SW_OK : rc;
}
