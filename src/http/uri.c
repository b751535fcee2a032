/* uri.c - parsing a request target into decoded path segments and query
 * parameters (and naming the parameters for audit entries).
 *
 * The HTTP library hands us the raw target; we decode it ourselves so that
 * an encoded slash stays inside its segment (/fhir/Binary/a%2Fb is one id,
 * not two segments) and so that every byte a handler sees has been checked:
 * well-formed percent escapes, valid UTF-8, no NUL, no dot segments. Query
 * parameters keep their order and repeats, which FHIR search needs (a
 * repeated parameter means AND). '+' in the query is a space, as in HTML
 * forms; a literal plus is %2B.
 *
 * Untrusted input, so this file has a libFuzzer target (fuzz/). */
#include "http.h"

#include <string.h>

#include "core/str.h"
#include "core/utf8.h"

/* Decodes s into a new arena string; plus_is_space for query parts. */
static int decode(sw_arena *a, sw_str s, bool plus_is_space, const char *what,
                  const char **out, sw_err *err)
{
    char *d = sw_arena_alloc(a, s.n + 1);
    if (d == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (c == '%') {
            int hi = i + 2 < s.n ? sw_hex_digit(s.p[i + 1]) : -1;
            int lo = i + 2 < s.n ? sw_hex_digit(s.p[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return sw_err_set(err, SW_EBADREQUEST,
                                  "the %s has a malformed percent-escape", what);
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if ((unsigned char)c <= 0x20 || c == 0x7f) {
            return sw_err_set(err, SW_EBADREQUEST,
                              "the %s contains a space or control character; "
                              "percent-encode it", what);
        }
        if (c == '\0')
            return sw_err_set(err, SW_EBADREQUEST,
                              "the %s contains an encoded NUL byte", what);
        d[n++] = c;
    }
    d[n] = '\0';
    if (!sw_utf8_valid(d, n))
        return sw_err_set(err, SW_EBADREQUEST,
                          "the %s is not valid UTF-8 once decoded", what);
    *out = d;
    return SW_OK;
}

/* True when s, split at '/', has a "." or ".." part: a dot segment, or one
 * brought in with encoded slashes (a%2F..%2Fb) that would surface when the
 * segments are joined again (req->rest). */
static bool has_dot_part(const char *s)
{
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return true;
        if (slash == NULL)
            return false;
        s = slash + 1;
    }
}

static int parse_path(sw_arena *a, sw_str path, http_target *out, sw_err *err)
{
    out->raw_path = sw_arena_strndup(a, path.p, path.n);
    out->segments = sw_arena_calloc(a, SW_HTTP_MAX_PATH_SEGMENTS,
                                    sizeof *out->segments);
    if (out->raw_path == NULL || out->segments == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    out->nsegments = 0;
    sw_str rest = path;
    rest.p++;                      /* the leading '/' */
    rest.n--;
    while (rest.n > 0) {
        sw_str seg;
        bool more = sw_str_split(&rest, '/', &seg);
        if (!more && seg.n == 0)
            break;
        if (out->nsegments == SW_HTTP_MAX_PATH_SEGMENTS)
            return sw_err_set(err, SW_EURITOOLONG,
                              "the path has more than %d segments",
                              SW_HTTP_MAX_PATH_SEGMENTS);
        const char *d;
        int rc = decode(a, seg, false, "path", &d, err);
        if (rc != SW_OK)
            return rc;
        if (has_dot_part(d))
            return sw_err_set(err, SW_EBADREQUEST,
                              "the path contains a '.' or '..' segment");
        out->segments[out->nsegments++] = d;
        if (more && rest.n == 0)
            break;                 /* a trailing slash ends the path */
    }
    return SW_OK;
}

static int parse_query(sw_arena *a, sw_str q, http_target *out, sw_err *err)
{
    out->nparams = 0;
    out->params = NULL;
    if (q.n == 0)
        return SW_OK;
    int count = 0;                 /* non-empty pairs: empty ones are skipped */
    for (size_t i = 0; i < q.n; i++)
        count += q.p[i] != '&' && (i == 0 || q.p[i - 1] == '&');
    if (count == 0)
        return SW_OK;
    if (count > SW_HTTP_MAX_QUERY_PARAMS)
        return sw_err_set(err, SW_EBADREQUEST,
                          "the query has more than %d parameters",
                          SW_HTTP_MAX_QUERY_PARAMS);
    out->params = sw_arena_calloc(a, (size_t)count, sizeof *out->params);
    if (out->params == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    while (q.n > 0) {
        sw_str pair, name;
        sw_str_split(&q, '&', &pair);
        if (pair.n == 0)
            continue;
        bool has_value = sw_str_split(&pair, '=', &name);
        if (name.n == 0)
            return sw_err_set(err, SW_EBADREQUEST,
                              "the query has a parameter without a name");
        http_param *p = &out->params[out->nparams];
        int rc = decode(a, name, true, "query", &p->name, err);
        if (rc == SW_OK)
            rc = decode(a, has_value ? pair : sw_str_make("", 0), true,
                        "query", &p->value, err);
        if (rc != SW_OK)
            return rc;
        out->nparams++;
    }
    return SW_OK;
}

int http_parse_target(sw_arena *a, const char *raw, size_t len,
                      http_target *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > SW_HTTP_MAX_URI_BYTES)
        return sw_err_set(err, SW_EURITOOLONG,
                          "the request URI is longer than %d bytes",
                          SW_HTTP_MAX_URI_BYTES);
    sw_str s = sw_str_make(raw, len);
    /* absolute-form: http://host/path — keep the path. */
    if (sw_str_skip_nocase(&s, "http://") || sw_str_skip_nocase(&s, "https://")) {
        const char *slash = s.n ? memchr(s.p, '/', s.n) : NULL;
        const char *qmark = s.n ? memchr(s.p, '?', s.n) : NULL;
        if (slash == NULL || (qmark != NULL && qmark < slash))
            return sw_err_set(err, SW_EBADREQUEST,
                              "the request URI has no path");
        s.n -= (size_t)(slash - s.p);
        s.p = slash;
    }
    if (s.n == 0 || s.p[0] != '/')
        return sw_err_set(err, SW_EBADREQUEST,
                          "the request target must start with '/'");
    const char *hash = memchr(s.p, '#', s.n);
    if (hash != NULL)
        s.n = (size_t)(hash - s.p);
    sw_str path;
    sw_str_split(&s, '?', &path);
    int rc = parse_path(a, path, out, err);
    if (rc == SW_OK)
        rc = parse_query(a, s, out, err);
    return rc;
}

int http_parse_form(sw_arena *a, const char *body, size_t len,
                    http_param **params, int *nparams, sw_err *err)
{
    http_target t;
    memset(&t, 0, sizeof t);
    int rc = parse_query(a, sw_str_make(body, len), &t, err);
    *params = t.params;
    *nparams = t.nparams;
    return rc;
}

const char *http_param_names(sw_arena *a, const http_param *params, int n)
{
    sw_buf b = SW_BUF_INIT(SW_HTTP_MAX_URI_BYTES);
    for (int i = 0; i < n; i++) {
        if (i)
            sw_buf_putc(&b, ',');
        sw_buf_puts(&b, params[i].name);
    }
    const char *s = sw_arena_strndup(a, sw_buf_str(&b), b.len);
    sw_buf_free(&b);
    return s ? s : "";
}
