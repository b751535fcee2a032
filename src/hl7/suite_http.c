/* suite_http.c - the few HTTP requests the go-live suite makes to the PMS
 * simulator's control interface (POST /send/{scenario}, GET /received):
 * plain HTTP/1.1 to a loopback or LAN address, one request per
 * connection, the whole answer read until the server closes. The library
 * has no HTTP client otherwise, and this is all the suite needs. Answers
 * are bounded by SW_HL7_MAX_MESSAGE_BYTES times four. */
#include "hl7/suite_int.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/limits.h"

#define REPLY_MAX (4 * (size_t)SW_HL7_MAX_MESSAGE_BYTES)

void suite_reply_free(suite_reply *r)
{
    json_decref(r->doc);
    r->doc = NULL;
}

/* "http://host:port" into its parts. */
static int parse_base(const char *url, char *host, size_t cap, char *port,
                      size_t pcap)
{
    if (strncmp(url, "http://", 7) != 0)
        return SW_EINVAL;
    const char *h = url + 7, *end = h + strcspn(h, "/");
    const char *colon = NULL;
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (close == NULL)
            return SW_EINVAL;
        colon = close[1] == ':' ? close + 1 : NULL;
        snprintf(host, cap, "%.*s", (int)(close - h - 1), h + 1);
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        snprintf(host, cap, "%.*s", (int)((colon ? colon : end) - h), h);
    }
    snprintf(port, pcap, "%.*s", colon ? (int)(end - colon - 1) : 2,
             colon ? colon + 1 : "80");
    return host[0] ? SW_OK : SW_EINVAL;
}

static int connect_to(const char *host, const char *port, int timeout_ms,
                      int *fd, sw_err *err)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0)
        return sw_err_set(err, SW_EIO, "cannot resolve %s: %s", host,
                          gai_strerror(g));
    int rc = SW_EIO;
    for (struct addrinfo *ai = res; ai && rc != SW_OK; ai = ai->ai_next) {
        int s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s < 0)
            continue;
        struct timeval tv = { .tv_sec = timeout_ms / 1000,
                              .tv_usec = (timeout_ms % 1000) * 1000 };
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) {
            *fd = s;
            rc = SW_OK;
        } else {
            close(s);
        }
    }
    freeaddrinfo(res);
    if (rc != SW_OK)
        sw_err_set(err, SW_EIO, "cannot connect to %s:%s: %s", host, port,
                   strerror(errno));
    return rc;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return SW_EIO;
        p += w;
        n -= (size_t)w;
    }
    return SW_OK;
}

/* Decodes a chunked body in place; false when it is malformed. */
static bool dechunk(char *body, size_t *len)
{
    char *in = body, *out = body, *end = body + *len;
    for (;;) {
        char *nl = memchr(in, '\n', (size_t)(end - in));
        if (nl == NULL)
            return false;
        size_t n = strtoul(in, NULL, 16);
        in = nl + 1;
        if (n == 0)
            break;
        if ((size_t)(end - in) < n)
            return false;
        memmove(out, in, n);
        out += n;
        in += n;
        if (in < end && *in == '\r')
            in++;
        if (in < end && *in == '\n')
            in++;
    }
    *len = (size_t)(out - body);
    return true;
}

int suite_http(const char *base_url, const char *method, const char *path,
               json_t *body, int timeout_ms, suite_reply *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    char host[256], port[16];
    if (parse_base(base_url, host, sizeof host, port, sizeof port) != SW_OK)
        return sw_err_set(err, SW_EINVAL, "the peer control URL must be "
                          "http://HOST:PORT, not %s", base_url);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    sw_buf req = SW_BUF_INIT(REPLY_MAX), reply = SW_BUF_INIT(REPLY_MAX);
    bool v6 = strchr(host, ':') != NULL;
    sw_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
                  "Accept: application/json\r\nConnection: close\r\n",
                  method, path, v6 ? "[" : "", host, v6 ? "]" : "", port);
    if (text)
        sw_buf_printf(&req, "Content-Type: application/json\r\n"
                      "Content-Length: %zu\r\n", strlen(text));
    else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
        sw_buf_puts(&req, "Content-Length: 0\r\n");
    sw_buf_puts(&req, "\r\n");
    if (text)
        sw_buf_puts(&req, text);
    free(text);

    int fd = -1;
    int rc = connect_to(host, port, timeout_ms, &fd, err);
    if (rc == SW_OK && send_all(fd, req.data, req.len) != SW_OK)
        rc = sw_err_set(err, SW_EIO, "%s: the request could not be sent",
                        base_url);
    char chunk[8192];
    while (rc == SW_OK) {
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r == 0)
            break;
        if (r < 0)
            rc = sw_err_set(err, errno == EAGAIN ? SW_ETIMEOUT : SW_EIO,
                            "%s did not answer %s %s in time", base_url,
                            method, path);
        else if (sw_buf_append(&reply, chunk, (size_t)r) != SW_OK)
            rc = sw_err_set(err, SW_ETOOBIG, "%s answered more than %zu bytes",
                            base_url, REPLY_MAX);
    }
    if (fd >= 0)
        close(fd);
    char *head_end = rc == SW_OK && reply.data ? strstr(reply.data, "\r\n\r\n") : NULL;
    if (rc == SW_OK && (head_end == NULL
                        || sscanf(reply.data, "HTTP/1.%*d %d", &out->status) != 1))
        rc = sw_err_set(err, SW_EIO, "%s did not answer with HTTP", base_url);
    if (rc == SW_OK) {
        *head_end = '\0';
        char *b = head_end + 4;
        size_t blen = reply.len - (size_t)(b - reply.data);
        bool chunked = strcasestr(reply.data, "transfer-encoding: chunked") != NULL;
        if (chunked && !dechunk(b, &blen))
            rc = sw_err_set(err, SW_EIO, "%s sent a malformed chunked answer",
                            base_url);
        else
            out->doc = json_loadb(b, blen, 0, NULL);
    }
    sw_buf_free(&req);
    sw_buf_free(&reply);
    return rc;
}
