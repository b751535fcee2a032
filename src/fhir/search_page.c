/* search_page.c - the _page tokens of search paging links.
 *
 * Paging is by key (seek), not by offset: a token holds the position of a
 * boundary row in the result order - its sort key values and its res_id -
 * and the next page is "the rows after it". Rows added or removed before
 * that position therefore never shift a page (docs/fhir-search.md states
 * the guarantee). The token is that position in a small binary layout,
 * base64url without padding, opaque to clients:
 *
 *   version 1 | flags (1 backward, 2 inclusive) | hash of the sort order
 *   (4 bytes) | key count | per key: tag (0 null, 1 int64, 2 double,
 *   3 text with a 2-byte length) and its bytes | id length | id
 *
 * The hash ties a token to the type and sort order it was made for, so a
 * token pasted into another search is refused rather than misread. A token
 * carries the boundary row's sort values (a family name, say) much as the
 * search's own parameters do; it is not encrypted.
 *
 * Called by search_sql.c (encode, for the links of a page) and by
 * search_parse.c (decode, when a request carries _page). Tokens come from
 * clients, so decoding checks every length and value. */
#include "fhir/search.h"

#include <sodium.h>
#include <string.h>

#include "core/utf8.h"

#define TOKEN_VERSION   1
#define MAX_TOKEN_BYTES 4096      /* decoded; text keys are at most 512 bytes */
#define MAX_KEY_TEXT    2048

fhir_search_key_type fhir_search_key_type_of(const fhir_search_sort *so)
{
    if (so->column == FHIR_COL_ID)
        return FHIR_KEY_TEXT;
    if (so->column == FHIR_COL_UPDATED)
        return FHIR_KEY_INT;
    switch (so->kind) {
    case FHIR_IDX_DATE:
        return FHIR_KEY_INT;
    case FHIR_IDX_QUANTITY:
    case FHIR_IDX_NUMBER:
        return FHIR_KEY_REAL;
    default:
        return FHIR_KEY_TEXT;
    }
}

/* FNV-1a over the type and each key as "code:-" or "code:+". */
static uint32_t order_hash(const fhir_search *s)
{
    uint32_t h = 2166136261u;
    const char *type = s->type;
    for (const char *c = type; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    for (size_t i = 0; i < s->nsorts; i++) {
        for (const char *c = s->sorts[i].code; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
        h = (h ^ (unsigned char)(s->sorts[i].desc ? '-' : '+')) * 16777619u;
    }
    return h;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

char *fhir_search_page_encode(sw_arena *a, const fhir_search *s,
                              const fhir_search_cursor *c)
{
    size_t cap = 8 + 1 + 65;
    for (size_t i = 0; i < s->nsorts; i++)
        cap += 3 + (c->keys[i].s ? strlen(c->keys[i].s) : 8);
    unsigned char *b = sw_arena_alloc(a, cap);
    if (b == NULL)
        return NULL;
    size_t n = 0;
    b[n++] = TOKEN_VERSION;
    b[n++] = (unsigned char)((c->backward ? 1 : 0) | (c->inclusive ? 2 : 0));
    uint32_t h = order_hash(s);
    for (int i = 3; i >= 0; i--)
        b[n++] = (unsigned char)(h >> (i * 8));
    b[n++] = (unsigned char)s->nsorts;
    for (size_t i = 0; i < s->nsorts; i++) {
        const fhir_search_key *k = &c->keys[i];
        if (k->null) {
            b[n++] = 0;
            continue;
        }
        switch (fhir_search_key_type_of(&s->sorts[i])) {
        case FHIR_KEY_INT:
            b[n++] = 1;
            put_u64(b + n, (uint64_t)k->i);
            n += 8;
            break;
        case FHIR_KEY_REAL: {
            uint64_t bits;
            memcpy(&bits, &k->d, sizeof bits);
            b[n++] = 2;
            put_u64(b + n, bits);
            n += 8;
            break;
        }
        case FHIR_KEY_TEXT: {
            size_t len = strlen(k->s);
            if (len > MAX_KEY_TEXT)
                return NULL;
            b[n++] = 3;
            b[n++] = (unsigned char)(len >> 8);
            b[n++] = (unsigned char)(len & 0xff);
            memcpy(b + n, k->s, len);
            n += len;
            break;
        }
        }
    }
    size_t idlen = strlen(c->id);
    if (idlen > 64)
        return NULL;
    b[n++] = (unsigned char)idlen;
    memcpy(b + n, c->id, idlen);
    n += idlen;
    size_t outlen = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = sw_arena_alloc(a, outlen);
    if (out == NULL)
        return NULL;
    sodium_bin2base64(out, outlen, b, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static bool valid_id(const char *p, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    }
    return true;
}

int fhir_search_page_decode(sw_arena *a, fhir_search *s, const char *token)
{
    size_t tlen = strlen(token);
    if (tlen == 0 || tlen > MAX_TOKEN_BYTES * 4 / 3 + 4)
        return SW_EBADREQUEST;
    unsigned char *b = sw_arena_alloc(a, MAX_TOKEN_BYTES);
    if (b == NULL)
        return SW_ENOMEM;
    size_t n;
    const char *end;
    if (sodium_base642bin(b, MAX_TOKEN_BYTES, token, tlen, NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0
        || end != token + tlen)
        return SW_EBADREQUEST;
    fhir_search_cursor c;
    memset(&c, 0, sizeof c);
    size_t i = 0;
    if (n < 8 || b[0] != TOKEN_VERSION || (b[1] & ~3u) != 0)
        return SW_EBADREQUEST;
    c.backward = (b[1] & 1) != 0;
    c.inclusive = (b[1] & 2) != 0;
    uint32_t h = ((uint32_t)b[2] << 24) | ((uint32_t)b[3] << 16)
               | ((uint32_t)b[4] << 8) | b[5];
    if (h != order_hash(s) || b[6] != s->nsorts)
        return SW_EBADREQUEST;
    i = 7;
    for (size_t k = 0; k < s->nsorts; k++) {
        fhir_search_key *key = &c.keys[k];
        if (i >= n)
            return SW_EBADREQUEST;
        unsigned tag = b[i++];
        if (tag == 0) {
            key->null = true;
            continue;
        }
        fhir_search_key_type kt = fhir_search_key_type_of(&s->sorts[k]);
        if (kt == FHIR_KEY_INT && tag == 1 && i + 8 <= n) {
            key->i = (int64_t)get_u64(b + i);
            i += 8;
        } else if (kt == FHIR_KEY_REAL && tag == 2 && i + 8 <= n) {
            uint64_t bits = get_u64(b + i);
            memcpy(&key->d, &bits, sizeof bits);
            i += 8;
            if (key->d != key->d)
                return SW_EBADREQUEST;  /* NaN never comes from the store */
        } else if (kt == FHIR_KEY_TEXT && tag == 3 && i + 2 <= n) {
            size_t len = ((size_t)b[i] << 8) | b[i + 1];
            i += 2;
            if (len > MAX_KEY_TEXT || i + len > n
                || memchr(b + i, '\0', len) != NULL
                || !sw_utf8_valid((const char *)b + i, len))
                return SW_EBADREQUEST;
            key->s = sw_arena_strndup(a, (const char *)b + i, len);
            if (key->s == NULL)
                return SW_ENOMEM;
            i += len;
        } else {
            return SW_EBADREQUEST;
        }
    }
    if (i >= n)
        return SW_EBADREQUEST;
    size_t idlen = b[i++];
    if (i + idlen != n || !valid_id((const char *)b + i, idlen))
        return SW_EBADREQUEST;
    c.id = sw_arena_strndup(a, (const char *)b + i, idlen);
    if (c.id == NULL)
        return SW_ENOMEM;
    c.set = true;
    s->cursor = c;
    return SW_OK;
}
