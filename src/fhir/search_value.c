/* search_value.c - the values of FHIR search parameters: escaping,
 * comma and bar splitting, comparison prefixes, and the value syntax of
 * each parameter type (https://hl7.org/fhir/R4/search.html), turned into
 * what the SQL of search_sql.c compares with the index rows.
 *
 * Called by search_parse.c once per value of every search; values come
 * from the query string and are untrusted, so every parser here checks
 * its whole input and answers with a phrase naming what is wrong, never
 * echoing the value (it may be a patient's name). */
#include "fhir/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "fhir/fhirdate.h"
#include "fhir/model.h"

/* Digits kept of a number value: more than any double can tell apart. */
#define MAX_NUMBER_DIGITS 40

bool fhir_search_split(const char *value, char sep, sw_str *parts, size_t max,
                       size_t *n)
{
    *n = 0;
    const char *start = value, *p = value;
    for (;; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p == sep || *p == '\0') {
            if (*n == max)
                return false;
            parts[(*n)++] = sw_str_make(start, (size_t)(p - start));
            if (*p == '\0')
                return true;
            start = p + 1;
        }
    }
}

char *fhir_search_unescape(sw_arena *a, sw_str part)
{
    char *out = sw_arena_alloc(a, part.n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < part.n; i++) {
        char c = part.p[i];
        /* Only the four escapes of the spec; any other backslash is kept as
         * written, so "a\b" searches for a backslash. */
        if (c == '\\' && i + 1 < part.n
            && strchr(",|$\\", part.p[i + 1]) != NULL)
            c = part.p[++i];
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* ---- Prefixes ------------------------------------------------------------ */

static const char *const prefix_names[] = {
    [FHIR_PREFIX_EQ] = "eq", [FHIR_PREFIX_NE] = "ne", [FHIR_PREFIX_GT] = "gt",
    [FHIR_PREFIX_LT] = "lt", [FHIR_PREFIX_GE] = "ge", [FHIR_PREFIX_LE] = "le",
    [FHIR_PREFIX_SA] = "sa", [FHIR_PREFIX_EB] = "eb", [FHIR_PREFIX_AP] = "ap",
};

/* Consumes a two-letter prefix followed by the start of a number or date. */
static fhir_search_prefix take_prefix(sw_str *s)
{
    if (s->n > 2 && s->p[0] >= 'a' && s->p[0] <= 'z'
        && !(s->p[2] >= 'a' && s->p[2] <= 'z')) {
        for (size_t i = 0; i < sizeof prefix_names / sizeof prefix_names[0]; i++) {
            if (memcmp(s->p, prefix_names[i], 2) == 0) {
                s->p += 2;
                s->n -= 2;
                return (fhir_search_prefix)i;
            }
        }
    }
    return FHIR_PREFIX_EQ;
}

/* ---- Numbers ------------------------------------------------------------- */

/* Subtracts one from a string of decimal digits without leading zeros
 * (not "0"), in place; the result has no leading zeros either. */
static void decrement(char *d)
{
    size_t n = strlen(d);
    size_t i = n;
    while (i > 0 && d[i - 1] == '0')
        d[--i] = '9';
    if (i == 0)
        return;                       /* "0" has no predecessor here */
    d[i - 1]--;
    if (d[0] == '0' && n > 1)
        memmove(d, d + 1, n);
}

bool fhir_search_number_range(sw_str s, double *value, double *lo, double *hi)
{
    /* [+-]digits[.digits][(e|E)[+-]digits], digits kept in d with scale:
     * value = d * 10^-scale. */
    size_t i = 0;
    bool neg = false;
    if (i < s.n && (s.p[i] == '-' || s.p[i] == '+'))
        neg = s.p[i++] == '-';
    char d[MAX_NUMBER_DIGITS + 2];
    size_t nd = 0, ndigits = 0;
    long scale = 0;
    bool point = false;
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        ndigits++;
        if (point)
            scale++;
        if (nd == 0 && c == '0')
            continue;                    /* leading zeros */
        if (nd == MAX_NUMBER_DIGITS)
            return false;
        d[nd++] = c;
    }
    if (ndigits == 0)
        return false;
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        long e;
        sw_str exp = sw_str_make(s.p + i + 1, s.n - i - 1);
        if (exp.n && exp.p[0] == '+') {
            exp.p++;
            exp.n--;
        }
        if (!sw_str_to_long(exp, -300, 300, &e))
            return false;
        scale -= e;
        i = s.n;
    }
    if (i != s.n)
        return false;
    if (nd == 0)
        d[nd++] = '0';
    d[nd] = '\0';

    /* The value is known to half a unit of its last digit:
     * [(10d - 5), (10d + 5)) * 10^-(scale+1), computed in decimal and
     * rounded once by strtod, so 100.00 gives exactly the doubles of
     * "99.995" and "100.005". */
    char buf[MAX_NUMBER_DIGITS + 32];
    snprintf(buf, sizeof buf, "%se%ld", d, -scale);
    *value = strtod(buf, NULL);
    snprintf(buf, sizeof buf, "%s5e%ld", d, -(scale + 1));
    double upper = strtod(buf, NULL);
    double lower;
    if (strcmp(d, "0") == 0) {
        lower = -upper;
    } else {
        decrement(d);
        snprintf(buf, sizeof buf, "%s5e%ld", strcmp(d, "0") == 0 ? "" : d,
                 -(scale + 1));
        lower = strtod(buf, NULL);
    }
    if (neg) {
        *value = -*value;
        *lo = -upper;
        *hi = -lower;
    } else {
        *lo = lower;
        *hi = upper;
    }
    return isfinite(*value) && isfinite(*lo) && isfinite(*hi);
}

/* A number with an optional prefix; ap widens the range by 10 % of the
 * value (the spec's recommendation). */
static const char *number_value(sw_str s, fhir_search_value *out)
{
    out->prefix = take_prefix(&s);
    if (!fhir_search_number_range(s, &out->num, &out->num_lo, &out->num_hi))
        return "is not a number";
    if (out->prefix == FHIR_PREFIX_AP) {
        double margin = fabs(out->num) * 0.1;
        if (out->num - margin < out->num_lo)
            out->num_lo = out->num - margin;
        if (out->num + margin > out->num_hi)
            out->num_hi = out->num + margin;
    }
    return NULL;
}

/* ---- Dates --------------------------------------------------------------- */

static const char *date_value(sw_arena *a, sw_str s, fhir_search_value *out)
{
    out->prefix = take_prefix(&s);
    char *d = sw_arena_strndup(a, s.p, s.n);
    if (d == NULL)
        return "could not be read (out of memory)";
    /* An unencoded '+' of a time zone arrives as a space (form encoding);
     * put it back rather than refuse a date the client meant. */
    char *sp = strchr(d, ' ');
    if (sp != NULL && strchr(d, 'T') != NULL && sp > strchr(d, 'T'))
        *sp = '+';
    if (!fhir_date_range(d, &out->lo, &out->hi))
        return "is not a FHIR date, dateTime or instant";
    if (out->prefix == FHIR_PREFIX_AP) {
        /* 10 % of the distance between now and the date, on both sides. */
        int64_t now = sw_now_wall_ms();
        int64_t mid = out->lo + (out->hi - out->lo) / 2;
        int64_t gap = (now > mid ? now - mid : mid - now) / 10;
        out->lo = out->lo - gap < FHIR_TIME_MIN ? FHIR_TIME_MIN : out->lo - gap;
        out->hi = out->hi + gap > FHIR_TIME_MAX ? FHIR_TIME_MAX : out->hi + gap;
    }
    return NULL;
}

/* ---- Tokens, quantities, references -------------------------------------- */

static const char *token_value(sw_arena *a, fhir_search_modifier mod, sw_str s,
                               fhir_search_value *out)
{
    if (mod == FHIR_MOD_TEXT) {
        char *text = fhir_search_unescape(a, s);
        out->s3 = text ? fhir_index_normalize(a, text, strlen(text)) : NULL;
        return out->s3 ? NULL : "could not be read (out of memory)";
    }
    sw_str parts[3];
    size_t n;
    char *z = sw_arena_strndup(a, s.p, s.n);
    if (z == NULL)
        return "could not be read (out of memory)";
    if (!fhir_search_split(z, '|', parts, 2, &n))
        return "has more than one unescaped '|' (system|code)";
    char *first = fhir_search_unescape(a, parts[0]);
    char *second = n == 2 ? fhir_search_unescape(a, parts[1]) : NULL;
    if (first == NULL || (n == 2 && second == NULL))
        return "could not be read (out of memory)";
    if (n == 1) {
        out->s1 = NULL;                      /* any system */
        out->s2 = first;
    } else {
        out->s1 = first;                     /* "" for |code: no system */
        out->s2 = second[0] ? second : NULL; /* system|: any code */
        if (first[0] == '\0' && out->s2 == NULL)
            return "has neither a system nor a code";
    }
    return NULL;
}

static const char *quantity_value(sw_arena *a, sw_str s, fhir_search_value *out)
{
    sw_str parts[4];
    size_t n;
    char *z = sw_arena_strndup(a, s.p, s.n);
    if (z == NULL)
        return "could not be read (out of memory)";
    if (!fhir_search_split(z, '|', parts, 3, &n) || n == 2)
        return "is not [prefix]number, number|system|code or number||code";
    const char *why = number_value(parts[0], out);
    if (why != NULL)
        return why;
    if (n == 3) {
        char *system = fhir_search_unescape(a, parts[1]);
        char *code = fhir_search_unescape(a, parts[2]);
        if (system == NULL || code == NULL)
            return "could not be read (out of memory)";
        out->s1 = system[0] ? system : NULL;
        out->s2 = code[0] ? code : NULL;
    }
    return NULL;
}

/* Type/id, Type/id/_history/v, id, or an absolute URL. */
static const char *reference_value(sw_arena *a, sw_str s, fhir_search_value *out)
{
    char *v = fhir_search_unescape(a, s);
    if (v == NULL)
        return "could not be read (out of memory)";
    if (strstr(v, "://") != NULL || strncmp(v, "urn:", 4) == 0) {
        out->s3 = v;
        return NULL;
    }
    char *hist = strstr(v, "/_history/");
    if (hist != NULL)
        *hist = '\0';
    char *slash = strchr(v, '/');
    if (slash == NULL) {
        out->s2 = v;
        return NULL;
    }
    *slash = '\0';
    if (!fhir_is_resource_type(sw_str_of(v)) || slash[1] == '\0'
        || strchr(slash + 1, '/') != NULL)
        return "is not a reference (Type/id, id or an absolute URL)";
    out->s1 = v;
    out->s2 = slash + 1;
    return NULL;
}

const char *fhir_search_value_parse(sw_arena *a, fhir_param_type t,
                                    fhir_search_modifier mod, sw_str raw,
                                    fhir_search_value *out)
{
    memset(out, 0, sizeof *out);
    if (mod == FHIR_MOD_MISSING) {
        if (sw_str_eq_cstr(raw, "true"))
            out->missing = true;
        else if (!sw_str_eq_cstr(raw, "false"))
            return "must be true or false with :missing";
        return NULL;
    }
    switch (t) {
    case FHIR_PARAM_STRING: {
        char *v = fhir_search_unescape(a, raw);
        out->s2 = v;
        out->s1 = v ? fhir_index_normalize(a, v, strlen(v)) : NULL;
        return out->s1 ? NULL : "could not be read (out of memory)";
    }
    case FHIR_PARAM_TOKEN:
        return token_value(a, mod, raw, out);
    case FHIR_PARAM_DATE:
        return date_value(a, raw, out);
    case FHIR_PARAM_REFERENCE:
        return reference_value(a, raw, out);
    case FHIR_PARAM_QUANTITY:
        return quantity_value(a, raw, out);
    case FHIR_PARAM_NUMBER:
        return number_value(raw, out);
    case FHIR_PARAM_URI:
        out->s1 = fhir_search_unescape(a, raw);
        return out->s1 ? NULL : "could not be read (out of memory)";
    case FHIR_PARAM_COMPOSITE:
    case FHIR_PARAM_SPECIAL:
        break;
    }
    return "is of a parameter type this server does not search";
}

/* ---- Prefix ranges ------------------------------------------------------- */

/* Writes code point c as UTF-8 at out; returns the length. */
static size_t put_utf8(char *out, unsigned c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

char *fhir_search_prefix_end(sw_arena *a, const char *prefix)
{
    /* UTF-8 byte order is code point order, so "every string starting
     * with p" is [p, p with its last code point incremented). */
    size_t n = strlen(prefix);
    while (n > 0) {
        size_t start = n - 1;
        while (start > 0 && ((unsigned char)prefix[start] & 0xC0) == 0x80)
            start--;
        const unsigned char *u = (const unsigned char *)prefix + start;
        size_t len = n - start;
        unsigned c;
        if (len == 1)
            c = u[0];
        else if (len == 2)
            c = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
        else if (len == 3)
            c = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        else
            c = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12)
              | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
        c++;
        if (c == 0xD800)
            c = 0xE000;                 /* surrogates are not characters */
        if (c <= 0x10FFFF) {
            char *out = sw_arena_alloc(a, start + 5);
            if (out == NULL)
                return NULL;
            memcpy(out, prefix, start);
            size_t k = put_utf8(out + start, c);
            out[start + k] = '\0';
            return out;
        }
        n = start;                      /* U+10FFFF: carry to the one before */
    }
    return NULL;
}
