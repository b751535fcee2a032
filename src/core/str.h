/* str.h - length-carrying string slices and the cursor parsers built on them.
 *
 * Parsers of untrusted input (URLs, headers, HL7 v2, database URLs) walk a
 * slice with small functions that either consume what they expect and
 * advance, or leave the slice untouched and say no. A slice never owns its
 * bytes and is not NUL-terminated; it is valid as long as what it points
 * into. */
#ifndef SW_STR_H
#define SW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct sw_str {
    const char *p;
    size_t      n;
} sw_str;

#define SW_STR_LIT(s) ((sw_str){ (s), sizeof(s) - 1 })

static inline sw_str sw_str_of(const char *s)
{
    return (sw_str){ s, s ? strlen(s) : 0 };
}

static inline sw_str sw_str_make(const char *p, size_t n)
{
    return (sw_str){ p, n };
}

static inline bool sw_str_eq(sw_str a, sw_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline bool sw_str_eq_cstr(sw_str a, const char *b)
{
    return sw_str_eq(a, sw_str_of(b));
}

/* Consumes prefix if s starts with it. */
static inline bool sw_str_skip(sw_str *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (s->n < n || memcmp(s->p, prefix, n) != 0)
        return false;
    s->p += n;
    s->n -= n;
    return true;
}

/* sw_str_skip ignoring ASCII case (URI schemes, header tokens). */
static inline bool sw_str_skip_nocase(sw_str *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (s->n < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s->p[i], b = prefix[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    s->p += n;
    s->n -= n;
    return true;
}

/* Splits s at the first sep: head gets what precedes it, s what follows.
 * Without sep, head gets all of s and s becomes empty; returns whether sep
 * was found. */
static inline bool sw_str_split(sw_str *s, char sep, sw_str *head)
{
    const char *q = s->n ? memchr(s->p, sep, s->n) : NULL;
    if (q == NULL) {
        *head = *s;
        s->p += s->n;
        s->n = 0;
        return false;
    }
    head->p = s->p;
    head->n = (size_t)(q - s->p);
    s->n -= head->n + 1;
    s->p = q + 1;
    return true;
}

/* The value of one hexadecimal digit, or -1. */
static inline int sw_hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s without the spaces and tabs at either end (HTTP's optional
 * whitespace). */
sw_str sw_str_trim(sw_str s);

/* Parses a decimal number in [min, max] that makes up all of s. */
bool sw_str_to_long(sw_str s, long min, long max, long *out);

#endif
