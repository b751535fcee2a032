/* json.c - the strict, exact JSON parser of json.h.
 *
 * Called for every FHIR request body and every resource of a bulk import
 * (tens of thousands a second), so it is built for one pass over the bytes:
 *
 *   - The input is copied once into the arena with zero padding behind it.
 *     The padding is a sentinel (a NUL is never valid where the scanners
 *     stop at it), so the hot loops test no bounds and may read a word at a
 *     time past the last byte.
 *   - String and number text stays in that copy: a string without escapes
 *     is NUL-terminated by overwriting its closing quote, one with escapes
 *     is decoded in place (decoding never lengthens it), and a number is
 *     terminated by overwriting the byte after it, which the state machine
 *     has already read into a variable.
 *   - No recursion: a fixed stack of SW_JSON_MAX_DEPTH frames; children
 *     collect on a scratch stack and move into an exact-size arena array
 *     when their container closes, so nothing is reallocated in the arena.
 *   - Lines are counted in the whitespace skipper (a raw newline anywhere
 *     else is an error), and a column is the byte offset in the line minus
 *     the UTF-8 continuation bytes seen on it, which only the non-ASCII path
 *     in strings adds to. So positions cost nothing on the common path.
 *
 * Duplicate member names are checked as each key arrives against the keys
 * before it while the object is small; past DUP_LINEAR members the object
 * is checked once more when it closes, by sorting, so 100,000 members cost
 * O(n log n) and no input can force a quadratic scan. (So in a large object
 * a syntax error after a duplicate is the one reported; either way the
 * input is refused with a true position.)
 *
 * Building, editing and comparing trees is json_build.c; writing is
 * json_write.c. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Zero bytes after the copy of the input; at least a word, for the word-at-a-
 * time scanners, and the 5 bytes a literal comparison reads. */
#define PAD          16
/* Objects up to this size are checked for duplicates key by key. */
#define DUP_LINEAR   32
/* Nodes are carved from arena chunks of this many. */
#define NODE_CHUNK   64
/* Children on the scratch stacks before the first heap allocation. */
#define LOCAL_ITEMS  128
#define LOCAL_MEMBERS 64

#define STR_(x) #x
#define STR(x)  STR_(x)

/* A member while its object is open: the key's position is kept for the
 * duplicate message. */
typedef struct pmember {
    sw_str   key;
    sw_json *value;
    uint32_t line;
    uint32_t column;
} pmember;

typedef struct frame {
    sw_json *node;
    size_t   base;     /* first child on the items or members stack */
} frame;

typedef struct parser {
    sw_arena   *a;
    sw_err     *err;
    const char *end;          /* the first padding byte */
    const char *line_start;
    uint32_t    line;
    size_t      extra;        /* continuation bytes between line_start and here */
    sw_json    *nodes;        /* the current chunk */
    size_t      nodes_left;
    size_t      chunk;
    sw_json   **items;        /* children of open arrays */
    size_t      nitems, items_cap;
    pmember    *mems;         /* members of open objects */
    size_t      nmems, mems_cap;
    sw_json    *local_items[LOCAL_ITEMS];
    pmember     local_mems[LOCAL_MEMBERS];
} parser;

/* ---- Character classes ----------------------------------------------------- */

/* String bytes the scanner must look at: 1 '"', 2 '\\', 3 control, 4 non-ASCII. */
enum { C_PLAIN, C_QUOTE, C_BSLASH, C_CTRL, C_HIGH };

static const unsigned char str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* What a simple escape decodes to; 0 for an invalid escape, 'u' for \u. */
static const unsigned char esc_value[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
    ['n'] = '\n', ['r'] = '\r', ['t'] = '\t', ['u'] = 'u',
};

/* Hex digit values plus one (0: not a hex digit). */
static const unsigned char hex_value[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
    ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Nonzero when one of the 8 bytes is '"', '\\', a control character or
 * non-ASCII. Without such a byte no subtraction borrows, so a clean word
 * gives exactly 0; the lowest flagged byte is always a real one. */
static inline uint64_t str_special(uint64_t w)
{
    return ((w - 0x20 * ONES) | ((w ^ ('"' * ONES)) - ONES)
            | ((w ^ ('\\' * ONES)) - ONES) | w) & HIGHS;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(t) ((size_t)__builtin_ctzll(t) >> 3)
#endif

static inline bool is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10;
}

/* The length of the valid UTF-8 sequence at s (s[0] >= 0x80), or 0.
 * Mirrors core/utf8.c with the ranges of RFC 3629 table 3-7, which refuse
 * overlong forms, surrogates and code points past U+10FFFF by the second
 * byte. The padding makes reading 3 bytes ahead safe, and NUL is never a
 * continuation byte, so a sequence cut by the end of input fails. */
static inline size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0xF0) {
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80
               && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* ---- Positions and errors -------------------------------------------------- */

static inline uint32_t column_at(const parser *ps, const char *p)
{
    size_t c = (size_t)(p - ps->line_start) - ps->extra + 1;
    return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* "unexpected X at line L, column C (hint)": X names the one character at p,
 * which is all of the input an error message shows. */
static int fail_unexpected(parser *ps, const char *p, unsigned char c,
                           const char *hint)
{
    char what[32];
    if (c == 0 && p >= ps->end)
        snprintf(what, sizeof what, "end of input");
    else if (c > 0x20 && c < 0x7F)
        snprintf(what, sizeof what, "'%c'", c);
    else if (c < 0x80)
        snprintf(what, sizeof what, "control character U+%04X", c);
    else
        snprintf(what, sizeof what, "non-ASCII byte 0x%02X", c);
    return sw_err_set(ps->err, SW_EBADREQUEST,
                      "unexpected %s at line %u, column %u (%s)", what,
                      (unsigned)ps->line, (unsigned)column_at(ps, p), hint);
}

/* "<what> at line L, column C" and an optional "(hint)" */
static int fail_hint(parser *ps, const char *p, const char *what,
                     const char *hint)
{
    return sw_err_set(ps->err, SW_EBADREQUEST, "%s at line %u, column %u%s%s%s",
                      what, (unsigned)ps->line, (unsigned)column_at(ps, p),
                      hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

static int fail_at(parser *ps, const char *p, const char *what)
{
    return fail_hint(ps, p, what, NULL);
}

static int fail_nomem(parser *ps)
{
    return sw_err_set(ps->err, SW_ENOMEM,
                      "out of memory while parsing JSON at line %u",
                      (unsigned)ps->line);
}

/* ---- Allocation ------------------------------------------------------------ */

static inline sw_json *new_node(parser *ps, sw_json_kind kind, const char *p)
{
    if (ps->nodes_left == 0) {
        ps->nodes = sw_arena_alloc(ps->a, ps->chunk * sizeof(sw_json));
        if (ps->nodes == NULL)
            return NULL;
        ps->nodes_left = ps->chunk;
        ps->chunk = NODE_CHUNK;
    }
    ps->nodes_left--;
    sw_json *n = ps->nodes++;
    *n = (sw_json){ .kind = kind, .line = ps->line, .column = column_at(ps, p) };
    return n;
}

/* Doubles a scratch stack, which starts in the parser itself (local);
 * returns the new one, or NULL with the old one untouched. */
static void *grow(void *stack, size_t *cap, size_t size, const void *local)
{
    size_t ncap = *cap * 2;
    if (ncap > SIZE_MAX / size)
        return NULL;
    void *p;
    if (stack == local) {
        p = sw_malloc(ncap * size);
        if (p != NULL)
            memcpy(p, local, *cap * size);
    } else {
        p = sw_realloc(stack, ncap * size);
    }
    if (p != NULL)
        *cap = ncap;
    return p;
}

/* ---- Whitespace -------------------------------------------------------------- */

/* Skips whitespace from p, where c = *p (already read, since for numbers the
 * byte itself has been overwritten); returns the next byte and leaves *pp at
 * it. Pretty-printed FHIR indents with spaces, hence the 8-space step. */
static inline unsigned char skip_ws(parser *ps, char **pp, unsigned char c)
{
    char *p = *pp;
    for (;;) {
        if (c > ' ') {
            break;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            c = (unsigned char)*++p;
        } else if (c == '\n') {
            p++;
            ps->line++;
            ps->line_start = p;
            ps->extra = 0;
            while (load64(p) == ' ' * ONES)
                p += 8;
            c = (unsigned char)*p;
        } else {
            break;
        }
    }
    *pp = p;
    return c;
}

/* ---- Strings ------------------------------------------------------------------ */

/* Decodes \uXXXX at s (s[0] == '\\', s[1] == 'u'); returns the code point
 * or -1. */
static inline long hex4(const char *s)
{
    const unsigned char *u = (const unsigned char *)s + 2;
    unsigned a = hex_value[u[0]], b, c, d;
    if (!a || !(b = hex_value[u[1]]) || !(c = hex_value[u[2]])
        || !(d = hex_value[u[3]]))
        return -1;
    return (long)((a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1));
}

static inline char *put_utf8(char *w, uint32_t cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* The byte that stopped a string scan is a control character: either the
 * end of input or a raw one that should have been escaped. */
static int fail_string_ctrl(parser *ps, const char *s, const char *open)
{
    if (s >= ps->end) {
        /* report where the string began: its end is the end of input */
        return sw_err_set(ps->err, SW_EBADREQUEST,
                          "unterminated string at line %u, column %u",
                          (unsigned)ps->line, (unsigned)column_at(ps, open));
    }
    return sw_err_set(ps->err, SW_EBADREQUEST,
                      "control character U+%04X in a string at line %u, "
                      "column %u (write it as an escape)", (unsigned char)*s,
                      (unsigned)ps->line, (unsigned)column_at(ps, s));
}

/* Scans the string whose opening quote is at open. On success sets *out to
 * the decoded, NUL-terminated text and returns the byte after the closing
 * quote; on failure sets the error and returns NULL. */
static char *scan_string(parser *ps, char *open, sw_str *out)
{
    char *start = open + 1;
    char *s = start;
    char *w;
    for (;;) {
#ifdef FIRST_FLAGGED
        uint64_t t;
        while ((t = str_special(load64(s))) == 0)
            s += 8;
        s += FIRST_FLAGGED(t);
#endif
        while (str_class[(unsigned char)*s] == C_PLAIN)
            s++;
        switch (str_class[(unsigned char)*s]) {
        case C_QUOTE:
            *s = '\0';
            *out = (sw_str){ start, (size_t)(s - start) };
            return s + 1;
        case C_HIGH: {
            size_t k = utf8_seq((const unsigned char *)s);
            if (k == 0) {
                fail_at(ps, s, "invalid UTF-8 in a string");
                return NULL;
            }
            ps->extra += k - 1;
            s += k;
            continue;
        }
        case C_CTRL:
            fail_string_ctrl(ps, s, open);
            return NULL;
        default:           /* C_BSLASH: decode the rest in place */
            break;
        }
        break;
    }
    w = s;
    for (;;) {
        unsigned char c = (unsigned char)*s;
        switch (str_class[c]) {
        case C_PLAIN: {
            /* a word is loaded before it is stored, and w < s, so the store
             * never clobbers bytes not yet read */
            uint64_t v = load64(s);
            if (str_special(v) == 0) {
                memcpy(w, &v, 8);
                w += 8;
                s += 8;
            } else {
                *w++ = (char)c;
                s++;
            }
            continue;
        }
        case C_QUOTE:
            *w = '\0';
            *out = (sw_str){ start, (size_t)(w - start) };
            return s + 1;
        case C_HIGH: {
            size_t k = utf8_seq((const unsigned char *)s);
            if (k == 0) {
                fail_at(ps, s, "invalid UTF-8 in a string");
                return NULL;
            }
            ps->extra += k - 1;
            memmove(w, s, k);
            w += k;
            s += k;
            continue;
        }
        case C_CTRL:
            fail_string_ctrl(ps, s, open);
            return NULL;
        default:
            break;
        }
        /* an escape */
        unsigned char e = esc_value[(unsigned char)s[1]];
        if (e == 0) {
            fail_hint(ps, s, "invalid escape in a string",
                      "a backslash starts one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
            return NULL;
        }
        if (e != 'u') {
            *w++ = (char)e;
            s += 2;
            continue;
        }
        long cp = hex4(s);
        if (cp < 0) {
            fail_hint(ps, s, "invalid \\u escape in a string",
                      "four hex digits must follow \\u");
            return NULL;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            long lo = -1;
            if (cp <= 0xDBFF && s[6] == '\\' && s[7] == 'u')
                lo = hex4(s + 6);
            if (lo < 0xDC00 || lo > 0xDFFF) {
                fail_hint(ps, s, "lone surrogate in a \\u escape",
                          "UTF-16 surrogates come in high-low pairs");
                return NULL;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            s += 6;
        }
        w = put_utf8(w, (uint32_t)cp);
        s += 6;
    }
}

/* ---- Numbers ------------------------------------------------------------------ */

/* Scans the number at p against the RFC 8259 grammar; returns the byte after
 * it, or NULL with the error set. */
static char *scan_number(parser *ps, char *p)
{
    char *q = p;
    if (*q == '-')
        q++;
    if (*q == '0') {
        q++;
        if (is_digit((unsigned char)*q)) {
            fail_hint(ps, q, "invalid number", "leading zero");
            return NULL;
        }
    } else if (is_digit((unsigned char)*q)) {
        while (is_digit((unsigned char)*++q))
            ;
    } else {
        fail_hint(ps, q, "invalid number", "a digit must follow '-'");
        return NULL;
    }
    if (*q == '.') {
        q++;
        if (!is_digit((unsigned char)*q)) {
            fail_hint(ps, q, "invalid number", "a digit must follow '.'");
            return NULL;
        }
        while (is_digit((unsigned char)*++q))
            ;
    }
    if ((*q | 0x20) == 'e') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!is_digit((unsigned char)*q)) {
            fail_hint(ps, q, "invalid number", "the exponent needs a digit");
            return NULL;
        }
        while (is_digit((unsigned char)*++q))
            ;
    }
    /* "0x10", "1.2.3", "1e5e5": say "number" rather than "unexpected 'x'" */
    unsigned char c = (unsigned char)*q;
    if (c == '.' || c == '+' || c == '-' || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')) {
        fail_at(ps, q, "invalid number");
        return NULL;
    }
    return q;
}

/* ---- Duplicates ---------------------------------------------------------------- */

static inline bool key_eq(sw_str a, sw_str b)
{
    return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static int fail_duplicate(parser *ps, const pmember *m)
{
    return sw_err_set(ps->err, SW_EBADREQUEST,
                      "duplicate member name at line %u, column %u",
                      (unsigned)m->line, (unsigned)m->column);
}

static int cmp_member(const void *x, const void *y)
{
    const pmember *a = *(const pmember *const *)x;
    const pmember *b = *(const pmember *const *)y;
    size_t n = a->key.n < b->key.n ? a->key.n : b->key.n;
    int c = memcmp(a->key.p, b->key.p, n);
    if (c == 0)
        c = (a->key.n > b->key.n) - (a->key.n < b->key.n);
    if (c == 0)
        c = (a > b) - (a < b);          /* document order among equals */
    return c;
}

/* The whole-object check for objects past DUP_LINEAR members: sort, then the
 * earliest second occurrence is reported, as the key-by-key check would. */
static int check_duplicates_sorted(parser *ps, pmember *m, size_t count)
{
    pmember **v = sw_malloc(count * sizeof *v);
    if (v == NULL)
        return fail_nomem(ps);
    for (size_t i = 0; i < count; i++)
        v[i] = &m[i];
    qsort(v, count, sizeof *v, cmp_member);
    const pmember *dup = NULL;
    for (size_t i = 1; i < count; i++) {
        if (key_eq(v[i - 1]->key, v[i]->key)
            && (i < 2 || !key_eq(v[i - 2]->key, v[i]->key))
            && (dup == NULL || v[i] < dup))
            dup = v[i];
    }
    sw_free(v);
    return dup ? fail_duplicate(ps, dup) : SW_OK;
}

/* ---- The state machine ---------------------------------------------------------- */

static int parse(parser *ps, char *p, sw_json **out)
{
    frame stack[SW_JSON_MAX_DEPTH];
    int depth = 0;                    /* open containers */
    sw_json *node;
    unsigned char c;

    c = skip_ws(ps, &p, (unsigned char)*p);
    if (c == 0 && p >= ps->end)
        return sw_err_set(ps->err, SW_EBADREQUEST,
                          "empty JSON text at line %u, column %u (expected a "
                          "value)", (unsigned)ps->line,
                          (unsigned)column_at(ps, p));

value:        /* c = *p, the first byte of a value */
    switch (c) {
    case '"': {
        node = new_node(ps, SW_JSON_STRING, p);
        if (node == NULL)
            return fail_nomem(ps);
        p = scan_string(ps, p, &node->text);
        if (p == NULL)
            return SW_EBADREQUEST;
        c = (unsigned char)*p;
        goto after_value;
    }
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        node = new_node(ps, SW_JSON_NUMBER, p);
        if (node == NULL)
            return fail_nomem(ps);
        char *q = scan_number(ps, p);
        if (q == NULL)
            return SW_EBADREQUEST;
        node->text = (sw_str){ p, (size_t)(q - p) };
        p = q;
        c = (unsigned char)*p;
        *p = '\0';               /* c carries the byte on */
        goto after_value;
    }
    case '{':
    case '[':
        if (depth == SW_JSON_MAX_DEPTH)
            return fail_at(ps, p, "nesting deeper than "
                           STR(SW_JSON_MAX_DEPTH) " levels");
        node = new_node(ps, c == '{' ? SW_JSON_OBJECT : SW_JSON_ARRAY, p);
        if (node == NULL)
            return fail_nomem(ps);
        stack[depth].node = node;
        stack[depth].base = c == '{' ? ps->nmems : ps->nitems;
        depth++;
        p++;
        c = skip_ws(ps, &p, (unsigned char)*p);
        if (node->kind == SW_JSON_ARRAY) {
            if (c == ']')
                goto close;
            goto value;
        }
        if (c == '}')
            goto close;
        goto key;
    case 't':
        if (memcmp(p, "true", 4) != 0)
            goto bad_literal;
        node = new_node(ps, SW_JSON_BOOL, p);
        if (node == NULL)
            return fail_nomem(ps);
        node->boolean = true;
        p += 4;
        c = (unsigned char)*p;
        goto after_value;
    case 'f':
        if (memcmp(p, "false", 5) != 0)
            goto bad_literal;
        node = new_node(ps, SW_JSON_BOOL, p);
        if (node == NULL)
            return fail_nomem(ps);
        p += 5;
        c = (unsigned char)*p;
        goto after_value;
    case 'n':
        if (memcmp(p, "null", 4) != 0)
            goto bad_literal;
        node = new_node(ps, SW_JSON_NULL, p);
        if (node == NULL)
            return fail_nomem(ps);
        p += 4;
        c = (unsigned char)*p;
        goto after_value;
    default:
        return fail_unexpected(ps, p, c, "expected a value");
    }

bad_literal:
    return fail_hint(ps, p, "invalid literal", "expected true, false or null");

key:          /* c = *p, where a member name must start */
    if (c != '"')
        return fail_unexpected(ps, p, c,
                               "expected a member name in double quotes");
    {
        if (ps->nmems == ps->mems_cap) {
            pmember *g = grow(ps->mems, &ps->mems_cap, sizeof *g, ps->local_mems);
            if (g == NULL)
                return fail_nomem(ps);
            ps->mems = g;
        }
        pmember *m = &ps->mems[ps->nmems];
        m->line = ps->line;
        m->column = column_at(ps, p);
        m->value = NULL;
        p = scan_string(ps, p, &m->key);
        if (p == NULL)
            return SW_EBADREQUEST;
        size_t base = stack[depth - 1].base;
        if (ps->nmems - base < DUP_LINEAR) {
            for (size_t i = base; i < ps->nmems; i++)
                if (key_eq(ps->mems[i].key, m->key))
                    return fail_duplicate(ps, m);
        }
        ps->nmems++;
        c = skip_ws(ps, &p, (unsigned char)*p);
        if (c != ':')
            return fail_unexpected(ps, p, c, "expected ':' after a member name");
        p++;
        c = skip_ws(ps, &p, (unsigned char)*p);
        goto value;
    }

after_value:  /* node is complete; c is the byte at p (p itself may be 0) */
    if (depth == 0) {
        c = skip_ws(ps, &p, c);
        if (c == 0 && p >= ps->end)
            goto done;
        return fail_unexpected(ps, p, c, "expected the end after the JSON value");
    }
    if (stack[depth - 1].node->kind == SW_JSON_ARRAY) {
        if (ps->nitems == ps->items_cap) {
            sw_json **g = grow(ps->items, &ps->items_cap, sizeof *g,
                               ps->local_items);
            if (g == NULL)
                return fail_nomem(ps);
            ps->items = g;
        }
        ps->items[ps->nitems++] = node;
        c = skip_ws(ps, &p, c);
        if (c == ',') {
            p++;
            c = skip_ws(ps, &p, (unsigned char)*p);
            goto value;
        }
        if (c == ']')
            goto close;
        return fail_unexpected(ps, p, c, "expected ',' or ']'");
    }
    ps->mems[ps->nmems - 1].value = node;
    c = skip_ws(ps, &p, c);
    if (c == ',') {
        p++;
        c = skip_ws(ps, &p, (unsigned char)*p);
        goto key;
    }
    if (c == '}')
        goto close;
    return fail_unexpected(ps, p, c, "expected ',' or '}'");

close:        /* c = *p is the closing bracket of stack[depth - 1] */
    {
        frame *f = &stack[--depth];
        node = f->node;
        if (node->kind == SW_JSON_ARRAY) {
            size_t count = ps->nitems - f->base;
            if (count > 0) {
                node->items = sw_arena_alloc(ps->a, count * sizeof(sw_json *));
                if (node->items == NULL)
                    return fail_nomem(ps);
                memcpy(node->items, ps->items + f->base,
                       count * sizeof(sw_json *));
            }
            node->count = node->cap = count;
            ps->nitems = f->base;
        } else {
            size_t count = ps->nmems - f->base;
            pmember *m = ps->mems + f->base;
            if (count > DUP_LINEAR) {
                int rc = check_duplicates_sorted(ps, m, count);
                if (rc != SW_OK)
                    return rc;
            }
            if (count > 0) {
                node->members = sw_arena_alloc(ps->a,
                                               count * sizeof(sw_json_member));
                if (node->members == NULL)
                    return fail_nomem(ps);
                for (size_t i = 0; i < count; i++) {
                    node->members[i].key = m[i].key;
                    node->members[i].value = m[i].value;
                }
            }
            node->count = node->cap = count;
            ps->nmems = f->base;
        }
        p++;
        c = (unsigned char)*p;
        goto after_value;
    }

done:
    *out = node;
    return SW_OK;
}

int sw_json_parse(sw_arena *a, const char *text, size_t n, sw_json **out,
                  sw_err *err)
{
    *out = NULL;
    if (n > SIZE_MAX - PAD)
        return sw_err_set(err, SW_ENOMEM, "the JSON text is too large to parse");
    char *copy = sw_arena_alloc(a, n + PAD);
    if (copy == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory while parsing JSON");
    if (n > 0)
        memcpy(copy, text, n);
    memset(copy + n, 0, PAD);

    parser pstate, *ps = &pstate;
    ps->a = a;
    ps->err = err;
    ps->end = copy + n;
    ps->line = 1;
    ps->extra = 0;
    ps->nodes = NULL;
    ps->nodes_left = 0;
    /* a small document should not take a whole chunk of nodes */
    ps->chunk = n / 4 + 1 < NODE_CHUNK ? n / 4 + 1 : NODE_CHUNK;
    ps->items = ps->local_items;
    ps->nitems = 0;
    ps->items_cap = LOCAL_ITEMS;
    ps->mems = ps->local_mems;
    ps->nmems = 0;
    ps->mems_cap = LOCAL_MEMBERS;

    char *p = copy;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;                       /* the BOM is not a column */
    ps->line_start = p;

    sw_json *root = NULL;
    int rc = parse(ps, p, &root);
    if (ps->items != ps->local_items)
        sw_free(ps->items);
    if (ps->mems != ps->local_mems)
        sw_free(ps->mems);
    if (rc == SW_OK)
        *out = root;
    return rc;
}
