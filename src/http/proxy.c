/* proxy.c - which peers are trusted reverse proxies, and the client
 * address behind them (stagewise serve --trust-proxy; docs/tls.md).
 *
 * X-Forwarded-For is a list each proxy appends the address it saw to, so
 * only its right end is trustworthy: walking from the right, every address
 * that is one of our trusted proxies is a hop we know, and the first one
 * that is not is the client. Anything left of it may be forged by the
 * client and is never looked at. A value that is not an IP address stops
 * the walk at the last trusted hop. The list is a handful of addresses,
 * compared as binary; a request pays for this only when its peer is a
 * trusted proxy. */
#include "http_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

struct proxy_addr {
    int           family;
    unsigned char bytes[16];
};

struct http_proxies {
    size_t            n;
    struct proxy_addr a[];
};

static bool parse_addr(const char *text, size_t n, struct proxy_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 2];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    /* "[::1]" as well as "::1". */
    char *p = buf;
    if (p[0] == '[' && n > 2 && p[n - 1] == ']') {
        p[n - 1] = '\0';
        p++;
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, p, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, p, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

int http_proxies_parse(const char *const *list, size_t n, http_proxies **out,
                       sw_err *err)
{
    *out = NULL;
    if (n == 0)
        return SW_OK;
    http_proxies *p = sw_calloc(1, sizeof *p + n * sizeof p->a[0]);
    if (p == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!parse_addr(list[i], strlen(list[i]), &p->a[i])) {
            sw_free(p);
            return sw_err_set(err, SW_EUSAGE, "--trust-proxy '%.64s' is not "
                              "an IP address; give the proxy's address as "
                              "it connects to us, such as 127.0.0.1",
                              list[i]);
        }
    }
    p->n = n;
    *out = p;
    return SW_OK;
}

void http_proxies_free(http_proxies *p)
{
    sw_free(p);
}

static bool has(const http_proxies *p, const struct proxy_addr *a)
{
    for (size_t i = 0; p && i < p->n; i++) {
        size_t len = a->family == AF_INET ? 4 : 16;
        if (p->a[i].family == a->family
            && memcmp(p->a[i].bytes, a->bytes, len) == 0)
            return true;
    }
    return false;
}

bool http_proxies_has(const http_proxies *p, const char *addr)
{
    struct proxy_addr a;
    return p && addr && parse_addr(addr, strlen(addr), &a) && has(p, &a);
}

void http_proxies_client(const http_proxies *p, const char *xff, char *client,
                         size_t cap)
{
    if (xff == NULL)
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
            a++;
        while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
            b--;
        struct proxy_addr addr;
        if (!parse_addr(xff + a, b - a, &addr))
            return;                 /* garbage: keep the last trusted hop */
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(addr.family, addr.bytes, text, sizeof text) == NULL)
            return;
        /* Each hop is taken as it comes, so if every entry is a trusted
         * proxy the client is the leftmost one. */
        snprintf(client, cap, "%s", text);
        if (!has(p, &addr))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}
