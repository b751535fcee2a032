/* json_build.c - reading, building, editing and comparing sw_json trees
 * (json.h).
 *
 * The FHIR layer calls these on parsed resources: look up a member, set
 * meta.versionId and meta.lastUpdated in place (keeping member order, so
 * the stored text differs from what the client sent only where it must),
 * drop or move a member, build OperationOutcomes and Bundles. Objects are
 * small (a FHIR resource has tens of members), so lookups are linear.
 *
 * Everything lives in an arena, which cannot grow an allocation: a full
 * items or members array is replaced by one twice the size, and the old one
 * is left to the arena. Parsed containers have cap == count, so the first
 * append to one copies it once. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* ---- Reading -------------------------------------------------------------- */

static sw_json_member *find(const sw_json *obj, const char *key, size_t *pos)
{
    if (obj == NULL || obj->kind != SW_JSON_OBJECT || key == NULL)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->count; i++) {
        sw_json_member *m = &obj->members[i];
        if (m->key.n == n && memcmp(m->key.p, key, n) == 0) {
            if (pos)
                *pos = i;
            return m;
        }
    }
    return NULL;
}

sw_json *sw_json_get(const sw_json *obj, const char *key)
{
    sw_json_member *m = find(obj, key, NULL);
    return m ? m->value : NULL;
}

const char *sw_json_get_string(const sw_json *obj, const char *key)
{
    sw_json *v = sw_json_get(obj, key);
    return v && v->kind == SW_JSON_STRING ? v->text.p : NULL;
}

bool sw_json_number_to_int64(const sw_json *num, int64_t min, int64_t max,
                             int64_t *out)
{
    if (num == NULL || num->kind != SW_JSON_NUMBER || num->text.n == 0)
        return false;
    const char *s = num->text.p;
    size_t n = num->text.n, i = 0;
    bool neg = s[0] == '-';
    if (neg)
        i = 1;
    if (i == n || (s[i] == '0' && n - i > 1))
        return false;
    int64_t v = 0;        /* accumulated with its sign, so INT64_MIN fits */
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (neg ? v < (INT64_MIN + d) / 10 : v > (INT64_MAX - d) / 10)
            return false;
        v = neg ? v * 10 - d : v * 10 + d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9')
        (*i)++;
    return *i > start;
}

bool sw_json_valid_number(const char *s, size_t n)
{
    if (s == NULL)
        return false;
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i >= n || s[i] < '1' || s[i] > '9' || !digits(s, n, &i))
        return false;
    if (i < n && s[i] == '.') {
        i++;
        if (!digits(s, n, &i))
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digits(s, n, &i))
            return false;
    }
    return i == n;
}

static bool equal(const sw_json *a, const sw_json *b, int depth)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->kind != b->kind)
        return false;
    if (a->kind >= SW_JSON_ARRAY && depth > SW_JSON_MAX_DEPTH)
        return false;
    switch (a->kind) {
    case SW_JSON_NULL:
        return true;
    case SW_JSON_BOOL:
        return a->boolean == b->boolean;
    case SW_JSON_NUMBER:
    case SW_JSON_STRING:
        return sw_str_eq(a->text, b->text);
    case SW_JSON_ARRAY:
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i++)
            if (!equal(a->items[i], b->items[i], depth + 1))
                return false;
        return true;
    case SW_JSON_OBJECT:
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i++)
            if (!sw_str_eq(a->members[i].key, b->members[i].key)
                || !equal(a->members[i].value, b->members[i].value, depth + 1))
                return false;
        return true;
    }
    return false;
}

bool sw_json_equal(const sw_json *a, const sw_json *b)
{
    /* a container at the top is depth 1, as in the parser */
    return equal(a, b, 1);
}

/* ---- Building ------------------------------------------------------------- */

static sw_json *new_node(sw_arena *a, sw_json_kind kind)
{
    sw_json *n = sw_arena_alloc(a, sizeof *n);
    if (n != NULL)
        *n = (sw_json){ .kind = kind };
    return n;
}

/* text copied and NUL-terminated, as parsed text is */
static sw_json *new_text(sw_arena *a, sw_json_kind kind, const char *s, size_t n)
{
    sw_json *v = new_node(a, kind);
    if (v == NULL)
        return NULL;
    char *p = sw_arena_strndup(a, n ? s : "", n);
    if (p == NULL)
        return NULL;
    v->text = (sw_str){ p, n };
    return v;
}

sw_json *sw_json_new_null(sw_arena *a)
{
    return new_node(a, SW_JSON_NULL);
}

sw_json *sw_json_new_bool(sw_arena *a, bool b)
{
    sw_json *v = new_node(a, SW_JSON_BOOL);
    if (v != NULL)
        v->boolean = b;
    return v;
}

sw_json *sw_json_new_number(sw_arena *a, const char *lexeme, size_t n)
{
    if (!sw_json_valid_number(lexeme, n))
        return NULL;
    return new_text(a, SW_JSON_NUMBER, lexeme, n);
}

sw_json *sw_json_new_int(sw_arena *a, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return new_text(a, SW_JSON_NUMBER, tmp, (size_t)n);
}

sw_json *sw_json_new_string(sw_arena *a, const char *s, size_t n)
{
    if ((s == NULL && n > 0) || (n > 0 && !sw_utf8_valid(s, n)))
        return NULL;
    return new_text(a, SW_JSON_STRING, s, n);
}

sw_json *sw_json_new_cstring(sw_arena *a, const char *s)
{
    return s ? sw_json_new_string(a, s, strlen(s)) : NULL;
}

sw_json *sw_json_new_array(sw_arena *a)
{
    return new_node(a, SW_JSON_ARRAY);
}

sw_json *sw_json_new_object(sw_arena *a)
{
    return new_node(a, SW_JSON_OBJECT);
}

/* ---- Editing -------------------------------------------------------------- */

/* Makes room for one more item or member. */
static int reserve_one(sw_arena *a, sw_json *c)
{
    if (c->count < c->cap)
        return SW_OK;
    size_t size = c->kind == SW_JSON_ARRAY ? sizeof(sw_json *)
                                           : sizeof(sw_json_member);
    size_t ncap = c->cap < 4 ? 4 : c->cap * 2;
    if (ncap > SIZE_MAX / size)
        return SW_ENOMEM;
    void *p = sw_arena_alloc(a, ncap * size);
    if (p == NULL)
        return SW_ENOMEM;
    void *old = c->kind == SW_JSON_ARRAY ? (void *)c->items : (void *)c->members;
    if (c->count > 0)
        memcpy(p, old, c->count * size);
    if (c->kind == SW_JSON_ARRAY)
        c->items = p;
    else
        c->members = p;
    c->cap = ncap;
    return SW_OK;
}

int sw_json_append(sw_arena *a, sw_json *array, sw_json *value)
{
    if (array == NULL || array->kind != SW_JSON_ARRAY || value == NULL)
        return SW_EINVAL;
    int rc = reserve_one(a, array);
    if (rc != SW_OK)
        return rc;
    array->items[array->count++] = value;
    return SW_OK;
}

/* Inserts a new member at pos (<= count); the key is copied. */
static int insert(sw_arena *a, sw_json *obj, size_t pos, const char *key,
                  sw_json *value)
{
    size_t n = strlen(key);
    char *k = sw_arena_strndup(a, key, n);
    if (k == NULL)
        return SW_ENOMEM;
    int rc = reserve_one(a, obj);
    if (rc != SW_OK)
        return rc;
    memmove(&obj->members[pos + 1], &obj->members[pos],
            (obj->count - pos) * sizeof(sw_json_member));
    obj->members[pos] = (sw_json_member){ { k, n }, value };
    obj->count++;
    return SW_OK;
}

static bool valid_member(const sw_json *obj, const char *key,
                         const sw_json *value)
{
    return obj != NULL && obj->kind == SW_JSON_OBJECT && key != NULL
           && value != NULL && sw_utf8_valid(key, strlen(key));
}

int sw_json_set(sw_arena *a, sw_json *obj, const char *key, sw_json *value)
{
    if (!valid_member(obj, key, value))
        return SW_EINVAL;
    sw_json_member *m = find(obj, key, NULL);
    if (m != NULL) {
        m->value = value;
        return SW_OK;
    }
    return insert(a, obj, obj->count, key, value);
}

int sw_json_set_at(sw_arena *a, sw_json *obj, size_t pos, const char *key,
                   sw_json *value)
{
    if (!valid_member(obj, key, value))
        return SW_EINVAL;
    size_t at;
    sw_json_member *m = find(obj, key, &at);
    if (m == NULL)
        return insert(a, obj, pos < obj->count ? pos : obj->count, key, value);
    /* move within the array; no allocation, so it cannot fail halfway */
    sw_json_member keep = { m->key, value };
    if (pos >= obj->count)
        pos = obj->count - 1;
    if (pos < at)
        memmove(&obj->members[pos + 1], &obj->members[pos],
                (at - pos) * sizeof(sw_json_member));
    else if (pos > at)
        memmove(&obj->members[at], &obj->members[at + 1],
                (pos - at) * sizeof(sw_json_member));
    obj->members[pos] = keep;
    return SW_OK;
}

bool sw_json_remove(sw_json *obj, const char *key)
{
    size_t at;
    if (find(obj, key, &at) == NULL)
        return false;
    memmove(&obj->members[at], &obj->members[at + 1],
            (obj->count - at - 1) * sizeof(sw_json_member));
    obj->count--;
    return true;
}

static sw_json *clone(sw_arena *a, const sw_json *v, int depth)
{
    if (v == NULL || (v->kind >= SW_JSON_ARRAY && depth > SW_JSON_MAX_DEPTH))
        return NULL;
    sw_json *c = sw_arena_alloc(a, sizeof *c);
    if (c == NULL)
        return NULL;
    *c = (sw_json){ .kind = v->kind, .boolean = v->boolean, .line = v->line,
                    .column = v->column };
    switch (v->kind) {
    case SW_JSON_NULL:
    case SW_JSON_BOOL:
        break;
    case SW_JSON_NUMBER:
    case SW_JSON_STRING: {
        char *p = sw_arena_strndup(a, v->text.n ? v->text.p : "", v->text.n);
        if (p == NULL)
            return NULL;
        c->text = (sw_str){ p, v->text.n };
        break;
    }
    case SW_JSON_ARRAY:
        if (v->count > 0) {
            c->items = sw_arena_alloc(a, v->count * sizeof(sw_json *));
            if (c->items == NULL)
                return NULL;
            for (size_t i = 0; i < v->count; i++)
                if ((c->items[i] = clone(a, v->items[i], depth + 1)) == NULL)
                    return NULL;
        }
        c->count = c->cap = v->count;
        break;
    case SW_JSON_OBJECT:
        if (v->count > 0) {
            c->members = sw_arena_alloc(a, v->count * sizeof(sw_json_member));
            if (c->members == NULL)
                return NULL;
            for (size_t i = 0; i < v->count; i++) {
                const sw_json_member *m = &v->members[i];
                char *k = sw_arena_strndup(a, m->key.n ? m->key.p : "", m->key.n);
                if (k == NULL)
                    return NULL;
                c->members[i].key = (sw_str){ k, m->key.n };
                if ((c->members[i].value = clone(a, m->value, depth + 1)) == NULL)
                    return NULL;
            }
        }
        c->count = c->cap = v->count;
        break;
    }
    return c;
}

sw_json *sw_json_clone(sw_arena *a, const sw_json *v)
{
    return clone(a, v, 1);
}
