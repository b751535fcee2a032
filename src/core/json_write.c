/* json_write.c - compact JSON output: sw_json trees and the streaming
 * writer sw_jw (json.h).
 *
 * Every FHIR read, search page and history entry goes out through here, so
 * stored resources are written with no per-byte function calls: tokens are
 * copied straight into the buffer when it has room, and string bodies are
 * scanned a word at a time for the few bytes that need escaping (quote,
 * backslash, controls). The output is the minimal escaping json.c reads
 * back to the same bytes, which is what makes write(parse(x)) == x for
 * compact, minimally escaped input: Stagewise hands back stored resources
 * unchanged.
 *
 * Called by the FHIR and API layers; sw_jw builds documents whose parts are
 * already JSON text (a search Bundle around stored resources). */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(t) ((size_t)__builtin_ctzll(t) >> 3)
#endif

/* What each byte becomes inside a string: 0 itself, 'u' \u00XX, else the
 * letter of its short escape. */
static const unsigned char escape_of[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Nonzero when one of the 8 bytes needs escaping. Bytes >= 0x80 are masked
 * out by ~w and never borrow, so the lowest flagged byte is a real one. */
static inline uint64_t needs_escape(uint64_t w)
{
    return ((w - 0x20 * ONES) | ((w ^ ('"' * ONES)) - ONES)
            | ((w ^ ('\\' * ONES)) - ONES)) & ~w & HIGHS;
}

/* ---- Buffer primitives ----------------------------------------------------- */

/* sw_buf_append without the call when there is room; keeps the NUL that
 * sw_buf promises after the contents. cap <= max + 1 always (buf.c), so
 * room within cap is also within the ceiling. */
static inline int put(sw_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len > n) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return SW_OK;
    }
    return sw_buf_append(b, s, n);
}

static inline int put1(sw_buf *b, char c)
{
    if (b->cap - b->len > 1) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return SW_OK;
    }
    return sw_buf_append(b, &c, 1);
}

static int put_string(sw_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n > SIZE_MAX - 8)
        return SW_ETOOBIG;
    int rc = sw_buf_reserve(b, n + 2);    /* the whole string if nothing is escaped */
    if (rc != SW_OK)
        return rc;
    char *d = b->data + b->len;
    *d++ = '"';
    size_t i = 0;
    for (;;) {
        size_t j = i;
#ifdef FIRST_FLAGGED
        while (j + 8 <= n) {
            uint64_t t = needs_escape(load64(s + j));
            if (t != 0) {
                j += FIRST_FLAGGED(t);
                break;
            }
            j += 8;
        }
#endif
        while (j < n && escape_of[(unsigned char)s[j]] == 0)
            j++;
        memcpy(d, s + i, j - i);
        d += j - i;
        if (j == n)
            break;
        /* room for exactly this escape, the rest unescaped and the closing
         * quote: output that fits the ceiling must not be refused */
        unsigned char c = (unsigned char)s[j];
        unsigned char e = escape_of[c];
        b->len = (size_t)(d - b->data);
        rc = sw_buf_reserve(b, (e == 'u' ? 6 : 2) + (n - j - 1) + 1);
        if (rc != SW_OK)
            return rc;
        d = b->data + b->len;
        *d++ = '\\';
        if (e == 'u') {
            memcpy(d, "u00", 3);
            d[3] = hex[c >> 4];
            d[4] = hex[c & 15];
            d += 5;
        } else {
            *d++ = (char)e;
        }
        i = j + 1;
    }
    *d++ = '"';
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
    return SW_OK;
}

/* ---- Trees ------------------------------------------------------------------ */

static int write_value(sw_buf *b, const sw_json *v, int depth)
{
    int rc;
    if (v == NULL)
        return SW_EINVAL;
    switch (v->kind) {
    case SW_JSON_NULL:
        return put(b, "null", 4);
    case SW_JSON_BOOL:
        return v->boolean ? put(b, "true", 4) : put(b, "false", 5);
    case SW_JSON_NUMBER:
        if (v->text.n == 0)           /* a node not made by this API */
            return SW_EINVAL;
        return put(b, v->text.p, v->text.n);
    case SW_JSON_STRING:
        return put_string(b, v->text.p, v->text.n);
    case SW_JSON_ARRAY:
        if (depth > SW_JSON_MAX_DEPTH)
            return SW_EINVAL;
        if ((rc = put1(b, '[')) != SW_OK)
            return rc;
        for (size_t i = 0; i < v->count; i++) {
            if (i > 0 && (rc = put1(b, ',')) != SW_OK)
                return rc;
            if ((rc = write_value(b, v->items[i], depth + 1)) != SW_OK)
                return rc;
        }
        return put1(b, ']');
    case SW_JSON_OBJECT:
        if (depth > SW_JSON_MAX_DEPTH)
            return SW_EINVAL;
        if ((rc = put1(b, '{')) != SW_OK)
            return rc;
        for (size_t i = 0; i < v->count; i++) {
            const sw_json_member *m = &v->members[i];
            if (i > 0 && (rc = put1(b, ',')) != SW_OK)
                return rc;
            if ((rc = put_string(b, m->key.p, m->key.n)) != SW_OK
                || (rc = put1(b, ':')) != SW_OK
                || (rc = write_value(b, m->value, depth + 1)) != SW_OK)
                return rc;
        }
        return put1(b, '}');
    }
    return SW_EINVAL;
}

/* Drops a partial write so that a failed call leaves out as it was. */
static int settle(sw_buf *b, size_t start, int rc)
{
    if (rc != SW_OK) {
        b->len = start;
        if (b->data != NULL)
            b->data[start] = '\0';
    }
    return rc;
}

int sw_json_write(sw_buf *out, const sw_json *v)
{
    size_t start = out->len;
    return settle(out, start, write_value(out, v, 1));
}

int sw_json_write_string(sw_buf *out, const char *s, size_t n)
{
    if (s == NULL && n > 0)
        return SW_EINVAL;
    size_t start = out->len;
    return settle(out, start, put_string(out, n ? s : "", n));
}

/* ---- The streaming writer ------------------------------------------------------ */

/* has_items and in_object have a bit per depth, the top level being bit 0. */
#define JW_MAX_DEPTH 63

void sw_jw_init(sw_jw *w, sw_buf *out)
{
    *w = (sw_jw){ .out = out };
}

static void jw_fail(sw_jw *w, int rc)
{
    if (w->rc == SW_OK)
        w->rc = rc;
}

static void jw_check(sw_jw *w, int rc)
{
    if (rc != SW_OK)
        jw_fail(w, rc);
}

/* The bookkeeping before any value: a key must precede it in an object, a
 * comma separates it from the previous item of an array, and the top level
 * takes one value. False when the writer is (now) in error. */
static bool jw_value_begins(sw_jw *w)
{
    if (w->rc != SW_OK)
        return false;
    uint64_t bit = 1ULL << w->depth;
    if (w->in_object & bit) {
        if (!w->after_key) {
            jw_fail(w, SW_EINTERNAL);
            return false;
        }
        w->after_key = false;
        return true;
    }
    if (w->has_items & bit) {
        if (w->depth == 0) {
            jw_fail(w, SW_EINTERNAL);
            return false;
        }
        int rc = put1(w->out, ',');
        if (rc != SW_OK) {
            jw_fail(w, rc);
            return false;
        }
    }
    w->has_items |= bit;
    return true;
}

static void jw_begin(sw_jw *w, char open, bool object)
{
    if (!jw_value_begins(w))
        return;
    if (w->depth >= JW_MAX_DEPTH) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    int rc = put1(w->out, open);
    if (rc != SW_OK) {
        jw_fail(w, rc);
        return;
    }
    w->depth++;
    uint64_t bit = 1ULL << w->depth;
    w->has_items &= ~bit;
    if (object)
        w->in_object |= bit;
    else
        w->in_object &= ~bit;
}

static void jw_end(sw_jw *w, char close, bool object)
{
    if (w->rc != SW_OK)
        return;
    uint64_t bit = 1ULL << w->depth;
    if (w->depth == 0 || !(w->in_object & bit) != !object || w->after_key) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    int rc = put1(w->out, close);
    if (rc != SW_OK) {
        jw_fail(w, rc);
        return;
    }
    w->in_object &= ~bit;
    w->has_items &= ~bit;
    w->depth--;
}

void sw_jw_object_begin(sw_jw *w) { jw_begin(w, '{', true); }
void sw_jw_object_end(sw_jw *w)   { jw_end(w, '}', true); }
void sw_jw_array_begin(sw_jw *w)  { jw_begin(w, '[', false); }
void sw_jw_array_end(sw_jw *w)    { jw_end(w, ']', false); }

void sw_jw_key(sw_jw *w, const char *key)
{
    if (w->rc != SW_OK)
        return;
    uint64_t bit = 1ULL << w->depth;
    if (key == NULL || !(w->in_object & bit) || w->after_key) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    size_t start = w->out->len;
    int rc = SW_OK;
    if (w->has_items & bit)
        rc = put1(w->out, ',');
    if (rc == SW_OK)
        rc = put_string(w->out, key, strlen(key));
    if (rc == SW_OK)
        rc = put1(w->out, ':');
    if (rc != SW_OK) {
        jw_fail(w, settle(w->out, start, rc));
        return;
    }
    w->has_items |= bit;
    w->after_key = true;
}

void sw_jw_string(sw_jw *w, const char *s)
{
    if (s == NULL)
        sw_jw_null(w);
    else
        sw_jw_string_n(w, s, strlen(s));
}

void sw_jw_string_n(sw_jw *w, const char *s, size_t n)
{
    if (s == NULL && n > 0) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    if (s == NULL) {
        sw_jw_null(w);
        return;
    }
    if (jw_value_begins(w))
        jw_check(w, put_string(w->out, s, n));
}

void sw_jw_int(sw_jw *w, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    if (jw_value_begins(w))
        jw_check(w, put(w->out, tmp, (size_t)n));
}

void sw_jw_number(sw_jw *w, const char *lexeme)
{
    size_t n = lexeme ? strlen(lexeme) : 0;
    if (!sw_json_valid_number(lexeme, n)) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    if (jw_value_begins(w))
        jw_check(w, put(w->out, lexeme, n));
}

void sw_jw_bool(sw_jw *w, bool b)
{
    if (jw_value_begins(w))
        jw_check(w, b ? put(w->out, "true", 4) : put(w->out, "false", 5));
}

void sw_jw_null(sw_jw *w)
{
    if (jw_value_begins(w))
        jw_check(w, put(w->out, "null", 4));
}

void sw_jw_raw(sw_jw *w, const char *json, size_t n)
{
    if (json == NULL || n == 0) {
        jw_fail(w, SW_EINTERNAL);     /* an empty value is no JSON value */
        return;
    }
    if (jw_value_begins(w))
        jw_check(w, put(w->out, json, n));
}

void sw_jw_value(sw_jw *w, const sw_json *v)
{
    if (v == NULL) {
        jw_fail(w, SW_EINTERNAL);
        return;
    }
    if (jw_value_begins(w))
        jw_check(w, sw_json_write(w->out, v));
}

int sw_jw_finish(sw_jw *w)
{
    if (w->rc == SW_OK && (w->depth != 0 || w->after_key || !(w->has_items & 1)))
        w->rc = SW_EINTERNAL;
    return w->rc;
}
