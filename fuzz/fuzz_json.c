/* fuzz_json.c - libFuzzer target for the JSON parser and writer
 * (sw_json_parse in src/core/json.c, sw_json_write in json_write.c): every
 * FHIR request body from a client goes through them, and stored resources
 * are handed back through the writer.
 *
 * Each input is one JSON text. Besides what ASan and UBSan catch, the target
 * checks the promises of json.h:
 *   - acceptance agrees with a small, slow, independent reference checker
 *     below (RFC 8259 grammar, strict UTF-8, escapes and surrogate pairs,
 *     duplicate names compared after decoding, depth <= SW_JSON_MAX_DEPTH,
 *     a leading BOM), so the fast parser neither lets bad input in nor
 *     turns good input away;
 *   - a refusal is SW_EBADREQUEST with a message that names a line and a
 *     column (SW_ENOMEM cannot happen within the budget);
 *   - an accepted tree is sound: strings valid UTF-8 and NUL-terminated,
 *     number lexemes valid and NUL-terminated, depth within the limit;
 *   - writing round-trips: the output parses to an equal tree, writing that
 *     gives the same bytes, and a clone writes the same bytes too.
 *
 * Run by hand (new inputs go to the first directory, so not the seeds):
 *   build/san/fuzz/fuzz_json -dict=fuzz/json.dict -max_len=9000
 *       /tmp/corpus fuzz/corpus/json */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/utf8.h"

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* ---- The reference checker: obvious rather than fast --------------------- */

typedef struct ref {
    const unsigned char *p, *end;
} ref;

typedef struct key {
    char  *s;
    size_t n;
} key;

static void ref_ws(ref *r)
{
    while (r->p < r->end
           && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int ref_hex4(ref *r)
{
    if (r->end - r->p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = sw_hex_digit(r->p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    r->p += 4;
    return v;
}

static void put_cp(sw_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sw_buf_append(b, u, n);
}

/* A string at r->p (the opening quote), decoded into out. */
static bool ref_string(ref *r, sw_buf *out)
{
    if (r->p >= r->end || *r->p != '"')
        return false;
    r->p++;
    for (;;) {
        if (r->p >= r->end)
            return false;
        unsigned char c = *r->p;
        if (c == '"') {
            r->p++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
            if (len == 0 || (size_t)(r->end - r->p) < len
                || !sw_utf8_valid((const char *)r->p, len))
                return false;
            sw_buf_append(out, r->p, len);
            r->p += len;
            continue;
        }
        if (c != '\\') {
            sw_buf_putc(out, (char)c);
            r->p++;
            continue;
        }
        r->p++;
        if (r->p >= r->end)
            return false;
        c = *r->p++;
        const char *simple = strchr("\"\\/bfnrt", c);
        if (c != 0 && simple != NULL) {
            static const char dec[] = "\"\\/\b\f\n\r\t";
            sw_buf_putc(out, dec[simple - "\"\\/bfnrt"]);
            continue;
        }
        if (c != 'u')
            return false;
        int cp = ref_hex4(r);
        if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
            return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                return false;
            r->p += 2;
            int lo = ref_hex4(r);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        put_cp(out, (uint32_t)cp);
    }
}

static bool ref_digits(ref *r)
{
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > s;
}

static bool ref_number(ref *r)
{
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (r->p >= r->end || *r->p < '1' || *r->p > '9' || !ref_digits(r))
        return false;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!ref_digits(r))
            return false;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!ref_digits(r))
            return false;
    }
    return true;
}

static bool ref_literal(ref *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static bool ref_value(ref *r, int depth);

static bool ref_object(ref *r, int depth)
{
    r->p++;
    ref_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return true;
    }
    key *keys = NULL;
    size_t nkeys = 0;
    bool ok = false;
    for (;;) {
        sw_buf k = SW_BUF_INIT(1 << 20);
        if (!ref_string(r, &k)) {
            sw_buf_free(&k);
            goto out;
        }
        for (size_t i = 0; i < nkeys; i++) {
            if (keys[i].n == k.len && memcmp(keys[i].s, sw_buf_str(&k), k.len) == 0) {
                sw_buf_free(&k);
                goto out;
            }
        }
        keys = realloc(keys, (nkeys + 1) * sizeof *keys);
        CHECK(keys != NULL);
        keys[nkeys].n = k.len;
        keys[nkeys].s = malloc(k.len + 1);
        CHECK(keys[nkeys].s != NULL);
        memcpy(keys[nkeys].s, sw_buf_str(&k), k.len + 1);
        nkeys++;
        sw_buf_free(&k);
        ref_ws(r);
        if (r->p >= r->end || *r->p != ':')
            goto out;
        r->p++;
        ref_ws(r);
        if (!ref_value(r, depth))
            goto out;
        ref_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            ref_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            ok = true;
        }
        goto out;
    }
out:
    for (size_t i = 0; i < nkeys; i++)
        free(keys[i].s);
    free(keys);
    return ok;
}

static bool ref_array(ref *r, int depth)
{
    r->p++;
    ref_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return true;
    }
    for (;;) {
        if (!ref_value(r, depth))
            return false;
        ref_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            ref_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return true;
        }
        return false;
    }
}

/* depth: containers already open around this value */
static bool ref_value(ref *r, int depth)
{
    if (r->p >= r->end)
        return false;
    switch (*r->p) {
    case '{':
        return depth < SW_JSON_MAX_DEPTH && ref_object(r, depth + 1);
    case '[':
        return depth < SW_JSON_MAX_DEPTH && ref_array(r, depth + 1);
    case '"': {
        sw_buf s = SW_BUF_INIT(1 << 20);
        bool ok = ref_string(r, &s);
        sw_buf_free(&s);
        return ok;
    }
    case 't': return ref_literal(r, "true");
    case 'f': return ref_literal(r, "false");
    case 'n': return ref_literal(r, "null");
    default:  return ref_number(r);
    }
}

static bool ref_valid(const uint8_t *data, size_t size)
{
    ref r = { data, data + size };
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    ref_ws(&r);
    if (!ref_value(&r, 0))
        return false;
    ref_ws(&r);
    return r.p == r.end;
}

/* ---- Checks on the fast parser's output ----------------------------------- */

static void check_tree(const sw_json *v, int depth)
{
    CHECK(v != NULL);
    CHECK(v->line >= 1 && v->column >= 1);
    switch (v->kind) {
    case SW_JSON_NULL:
    case SW_JSON_BOOL:
        break;
    case SW_JSON_NUMBER:
        CHECK(sw_json_valid_number(v->text.p, v->text.n));
        CHECK(v->text.p[v->text.n] == '\0');
        break;
    case SW_JSON_STRING:
        CHECK(sw_utf8_valid(v->text.p, v->text.n));
        CHECK(v->text.p[v->text.n] == '\0');
        break;
    case SW_JSON_ARRAY:
        CHECK(depth <= SW_JSON_MAX_DEPTH);
        CHECK(v->count == v->cap);
        for (size_t i = 0; i < v->count; i++)
            check_tree(v->items[i], depth + 1);
        break;
    case SW_JSON_OBJECT:
        CHECK(depth <= SW_JSON_MAX_DEPTH);
        CHECK(v->count == v->cap);
        for (size_t i = 0; i < v->count; i++) {
            const sw_json_member *m = &v->members[i];
            CHECK(sw_utf8_valid(m->key.p, m->key.n));
            CHECK(m->key.p[m->key.n] == '\0');
            check_tree(m->value, depth + 1);
        }
        break;
    default:
        CHECK(!"unknown kind");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_arena *a = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
    CHECK(a != NULL);
    sw_json *v = NULL;
    sw_err err = { 0 };
    int rc = sw_json_parse(a, (const char *)data, size, &v, &err);
    bool expected = ref_valid(data, size);
    if (rc != SW_OK) {
        if (expected)
            fprintf(stderr, "refused valid JSON: %s\n", err.msg);
        CHECK(!expected);
        CHECK(rc == SW_EBADREQUEST);
        CHECK(err.code == SW_EBADREQUEST);
        CHECK(v == NULL);
        CHECK(strstr(err.msg, " at line ") != NULL);
        CHECK(strstr(err.msg, ", column ") != NULL);
        CHECK(sw_utf8_valid(err.msg, strlen(err.msg)));
        sw_arena_destroy(a);
        return 0;
    }
    CHECK(expected);
    check_tree(v, 1);

    sw_buf w1 = SW_BUF_INIT(64 * 1024 * 1024);
    CHECK(sw_json_write(&w1, v) == SW_OK);
    CHECK(w1.len <= 6 * size + 2);
    sw_json *v2 = NULL;
    rc = sw_json_parse(a, w1.data, w1.len, &v2, &err);
    if (rc != SW_OK)
        fprintf(stderr, "refused its own output: %s\n", err.msg);
    CHECK(rc == SW_OK);
    CHECK(sw_json_equal(v, v2));
    sw_buf w2 = SW_BUF_INIT(64 * 1024 * 1024);
    CHECK(sw_json_write(&w2, v2) == SW_OK);
    CHECK(w2.len == w1.len && memcmp(w2.data, w1.data, w1.len) == 0);

    sw_arena *b = sw_arena_create(SW_HTTP_MAX_REQUEST_MEMORY);
    CHECK(b != NULL);
    sw_json *c = sw_json_clone(b, v);
    CHECK(c != NULL && sw_json_equal(v, c));
    sw_buf_reset(&w2);
    CHECK(sw_json_write(&w2, c) == SW_OK);
    CHECK(w2.len == w1.len && memcmp(w2.data, w1.data, w1.len) == 0);
    sw_arena_destroy(b);

    sw_buf_free(&w1);
    sw_buf_free(&w2);
    sw_arena_destroy(a);
    return 0;
}
