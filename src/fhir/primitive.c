/* primitive.c - the R4 primitive type rules of primitive.h as C logic.
 *
 * Each checker below follows the R4 regex of its type (quoted above it)
 * with small cursor functions instead of a regex engine: the validator
 * runs these on every primitive of every write, and a hand-written scanner
 * is both faster and easier to read against the spec than an embedded
 * regex library would be. */
#include "fhir/primitive.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* FHIRPath/regex \s: the ASCII white space characters. */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Consumes exactly n digits; *val gets their value. */
static bool digits(sw_str *s, size_t n, int *val)
{
    if (s->n < n)
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s->p[i]))
            return false;
        v = v * 10 + (s->p[i] - '0');
    }
    *val = v;
    s->p += n;
    s->n -= n;
    return true;
}

static bool take(sw_str *s, char c)
{
    if (s->n == 0 || s->p[0] != c)
        return false;
    s->p++;
    s->n--;
    return true;
}

/* ---- Numbers -------------------------------------------------------------- */

/* integer: -?([0]|([1-9][0-9]*)), and 32-bit. positiveInt: [1-9][0-9]*
 * (and at most 2^31-1). unsignedInt: [0]|([1-9][0-9]*) (likewise). */
static fhir_prim_result check_integer(sw_str s, bool allow_minus, long long min)
{
    bool neg = false;
    if (allow_minus && s.n > 0 && s.p[0] == '-') {
        neg = true;
        s.p++;
        s.n--;
    }
    if (s.n == 0 || !is_digit(s.p[0]))
        return FHIR_PRIM_BAD_FORMAT;
    if (s.p[0] == '0' && s.n > 1)
        return FHIR_PRIM_BAD_FORMAT;
    long long v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i]))
            return FHIR_PRIM_BAD_FORMAT;
        if (v <= 2147483648LL)        /* stop growing once out of range */
            v = v * 10 + (s.p[i] - '0');
    }
    if (neg)
        v = -v;
    if (v < min || v > 2147483647LL)
        return FHIR_PRIM_OUT_OF_RANGE;
    return FHIR_PRIM_VALID;
}

/* decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? - the lexeme as
 * written; the JSON grammar is the same, but trees built in memory pass
 * through here too. */
static fhir_prim_result check_decimal(sw_str s)
{
    take(&s, '-');
    if (s.n == 0 || !is_digit(s.p[0]))
        return FHIR_PRIM_BAD_FORMAT;
    if (s.p[0] == '0') {
        s.p++;
        s.n--;
    } else {
        while (s.n > 0 && is_digit(s.p[0])) {
            s.p++;
            s.n--;
        }
    }
    if (take(&s, '.')) {
        if (s.n == 0 || !is_digit(s.p[0]))
            return FHIR_PRIM_BAD_FORMAT;
        while (s.n > 0 && is_digit(s.p[0])) {
            s.p++;
            s.n--;
        }
    }
    if (s.n > 0 && (s.p[0] == 'e' || s.p[0] == 'E')) {
        s.p++;
        s.n--;
        if (!take(&s, '+'))
            take(&s, '-');
        if (s.n == 0 || !is_digit(s.p[0]))
            return FHIR_PRIM_BAD_FORMAT;
        while (s.n > 0 && is_digit(s.p[0])) {
            s.p++;
            s.n--;
        }
    }
    return s.n == 0 ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
}

/* ---- Dates and times -------------------------------------------------------- */

/* ([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000): four digits, not 0000. */
static bool year(sw_str *s)
{
    int y;
    return digits(s, 4, &y) && y != 0;
}

/* -(0[1-9]|1[0-2]) */
static bool month(sw_str *s)
{
    int m;
    return take(s, '-') && digits(s, 2, &m) && m >= 1 && m <= 12;
}

/* -(0[1-9]|[1-2][0-9]|3[0-1]); the regex does not look at the month. */
static bool day(sw_str *s)
{
    int d;
    return take(s, '-') && digits(s, 2, &d) && d >= 1 && d <= 31;
}

/* ([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)? */
static bool clock_time(sw_str *s)
{
    int h, m, sec;
    if (!digits(s, 2, &h) || h > 23 || !take(s, ':') || !digits(s, 2, &m) || m > 59 ||
        !take(s, ':') || !digits(s, 2, &sec) || sec > 60)
        return false;
    if (take(s, '.')) {
        if (s->n == 0 || !is_digit(s->p[0]))
            return false;
        while (s->n > 0 && is_digit(s->p[0])) {
            s->p++;
            s->n--;
        }
    }
    return true;
}

/* (Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)) */
static bool timezone(sw_str *s)
{
    if (take(s, 'Z'))
        return true;
    if (!take(s, '+') && !take(s, '-'))
        return false;
    int h, m;
    if (!digits(s, 2, &h) || !take(s, ':') || !digits(s, 2, &m))
        return false;
    if (h == 14)
        return m == 0;
    return h <= 13 && m <= 59;
}

/* date: YYYY(-MM(-DD)?)?; dateTime: the same or a full date with
 * T hh:mm:ss(.f)? and a mandatory zone; instant: only the full form. */
static fhir_prim_result check_date(sw_str s, fhir_prim p)
{
    if (!year(&s))
        return FHIR_PRIM_BAD_FORMAT;
    if (s.n == 0)
        return p == FHIR_PRIM_INSTANT ? FHIR_PRIM_BAD_FORMAT : FHIR_PRIM_VALID;
    if (!month(&s))
        return FHIR_PRIM_BAD_FORMAT;
    if (s.n == 0)
        return p == FHIR_PRIM_INSTANT ? FHIR_PRIM_BAD_FORMAT : FHIR_PRIM_VALID;
    if (!day(&s))
        return FHIR_PRIM_BAD_FORMAT;
    if (s.n == 0)
        return p == FHIR_PRIM_INSTANT ? FHIR_PRIM_BAD_FORMAT : FHIR_PRIM_VALID;
    if (p == FHIR_PRIM_DATE)
        return FHIR_PRIM_BAD_FORMAT;
    if (!take(&s, 'T') || !clock_time(&s) || !timezone(&s))
        return FHIR_PRIM_BAD_FORMAT;
    return s.n == 0 ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
}

/* ---- Strings ---------------------------------------------------------------- */

/* string: [ \r\n\t\S]+, and the prose: no control characters but tab,
 * CR, LF. Shared by every string-based type. */
static bool clean_text(sw_str s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return false;
        if (c == 0x7f)
            return false;
    }
    return true;
}

/* code: [^\s]+(\s[^\s]+)* - no leading, trailing or doubled white space. */
static bool code_ok(sw_str s)
{
    if (s.n == 0 || is_space(s.p[0]) || is_space(s.p[s.n - 1]))
        return false;
    for (size_t i = 1; i < s.n; i++)
        if (is_space(s.p[i]) && is_space(s.p[i - 1]))
            return false;
    return true;
}

/* uri, url, canonical: \S* */
static bool no_space(sw_str s)
{
    for (size_t i = 0; i < s.n; i++)
        if (is_space(s.p[i]))
            return false;
    return true;
}

bool fhir_is_id(sw_str s)
{
    if (s.n == 0 || s.n > FHIR_ID_MAX)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* urn:oid:[0-2](\.(0|[1-9][0-9]*))+ */
bool fhir_is_oid_urn(sw_str s)
{
    if (!sw_str_skip(&s, "urn:oid:"))
        return false;
    if (s.n == 0 || s.p[0] < '0' || s.p[0] > '2')
        return false;
    s.p++;
    s.n--;
    if (s.n == 0)
        return false;
    while (s.n > 0) {
        if (!take(&s, '.') || s.n == 0 || !is_digit(s.p[0]))
            return false;
        if (s.p[0] == '0') {
            s.p++;
            s.n--;
            if (s.n > 0 && is_digit(s.p[0]))
                return false;
        } else {
            while (s.n > 0 && is_digit(s.p[0])) {
                s.p++;
                s.n--;
            }
        }
    }
    return true;
}

/* urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} */
bool fhir_is_uuid_urn(sw_str s)
{
    static const size_t groups[] = { 8, 4, 4, 4, 12 };
    if (!sw_str_skip(&s, "urn:uuid:"))
        return false;
    for (size_t g = 0; g < 5; g++) {
        if (g > 0 && !take(&s, '-'))
            return false;
        if (s.n < groups[g])
            return false;
        for (size_t i = 0; i < groups[g]; i++) {
            char c = s.p[i];
            if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
                return false;
        }
        s.p += groups[g];
        s.n -= groups[g];
    }
    return s.n == 0;
}

/* base64Binary: (\s*([0-9a-zA-Z\+/=]){4}\s*)+ - read as: base64 characters
 * in groups of four, white space allowed between them, '=' only as the
 * padding of the last group. */
static bool base64_ok(sw_str s)
{
    size_t count = 0, pad = 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            pad++;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
                   c == '+' || c == '/') {
            if (pad > 0)
                return false;          /* data after padding */
        } else {
            return false;
        }
        count++;
    }
    return count > 0 && count % 4 == 0 && pad <= 2;
}

/* ---- Dispatch --------------------------------------------------------------- */

sw_json_kind fhir_prim_json_kind(fhir_prim p)
{
    switch (p) {
    case FHIR_PRIM_BOOLEAN:
        return SW_JSON_BOOL;
    case FHIR_PRIM_INTEGER:
    case FHIR_PRIM_POSITIVE_INT:
    case FHIR_PRIM_UNSIGNED_INT:
    case FHIR_PRIM_DECIMAL:
        return SW_JSON_NUMBER;
    default:
        return SW_JSON_STRING;
    }
}

fhir_prim_result fhir_prim_check_text(fhir_prim p, sw_str s)
{
    switch (p) {
    case FHIR_PRIM_BOOLEAN:
        return FHIR_PRIM_VALID;
    case FHIR_PRIM_INTEGER:
        return check_integer(s, true, -2147483648LL);
    case FHIR_PRIM_POSITIVE_INT:
        return check_integer(s, false, 1);
    case FHIR_PRIM_UNSIGNED_INT:
        return check_integer(s, false, 0);
    case FHIR_PRIM_DECIMAL:
        return check_decimal(s);
    default:
        break;
    }
    /* string-based types */
    if (s.n == 0)
        return FHIR_PRIM_EMPTY;
    /* the 1 MB rule is string's, so it binds its specializations (code,
     * id, markdown) but not base64Binary or xhtml: narratives of big code
     * systems run past 1 MB in the R4 examples themselves */
    if ((p == FHIR_PRIM_STRING || p == FHIR_PRIM_CODE || p == FHIR_PRIM_MARKDOWN) &&
        s.n > FHIR_STRING_MAX_BYTES)
        return FHIR_PRIM_TOO_LONG;
    if (!clean_text(s))
        return FHIR_PRIM_BAD_FORMAT;
    switch (p) {
    case FHIR_PRIM_STRING:
    case FHIR_PRIM_MARKDOWN:
    case FHIR_PRIM_XHTML:
        return FHIR_PRIM_VALID;
    case FHIR_PRIM_CODE:
        return code_ok(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_ID:
        if (s.n > FHIR_ID_MAX)
            return FHIR_PRIM_TOO_LONG;
        return fhir_is_id(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_URI:
    case FHIR_PRIM_URL:
    case FHIR_PRIM_CANONICAL:
        return no_space(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_OID:
        return fhir_is_oid_urn(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_UUID:
        return fhir_is_uuid_urn(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_BASE64_BINARY:
        return base64_ok(s) ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    case FHIR_PRIM_DATE:
    case FHIR_PRIM_DATE_TIME:
    case FHIR_PRIM_INSTANT:
        return check_date(s, p);
    case FHIR_PRIM_TIME: {
        sw_str t = s;
        return clock_time(&t) && t.n == 0 ? FHIR_PRIM_VALID : FHIR_PRIM_BAD_FORMAT;
    }
    default:
        return FHIR_PRIM_BAD_FORMAT;
    }
}

fhir_prim_result fhir_prim_check(fhir_prim p, const sw_json *v)
{
    if (v == NULL || p == FHIR_PRIM_NONE || p >= FHIR_PRIM__COUNT)
        return FHIR_PRIM_WRONG_JSON;
    if (v->kind != fhir_prim_json_kind(p))
        return FHIR_PRIM_WRONG_JSON;
    return fhir_prim_check_text(p, v->text);
}

const char *fhir_prim_name(fhir_prim p)
{
    static const char *const names[FHIR_PRIM__COUNT] = {
        [FHIR_PRIM_NONE] = "",
        [FHIR_PRIM_BOOLEAN] = "boolean",        [FHIR_PRIM_INTEGER] = "integer",
        [FHIR_PRIM_POSITIVE_INT] = "positiveInt", [FHIR_PRIM_UNSIGNED_INT] = "unsignedInt",
        [FHIR_PRIM_DECIMAL] = "decimal",        [FHIR_PRIM_STRING] = "string",
        [FHIR_PRIM_CODE] = "code",              [FHIR_PRIM_ID] = "id",
        [FHIR_PRIM_MARKDOWN] = "markdown",      [FHIR_PRIM_URI] = "uri",
        [FHIR_PRIM_URL] = "url",                [FHIR_PRIM_CANONICAL] = "canonical",
        [FHIR_PRIM_OID] = "oid",                [FHIR_PRIM_UUID] = "uuid",
        [FHIR_PRIM_BASE64_BINARY] = "base64Binary", [FHIR_PRIM_INSTANT] = "instant",
        [FHIR_PRIM_DATE] = "date",              [FHIR_PRIM_DATE_TIME] = "dateTime",
        [FHIR_PRIM_TIME] = "time",              [FHIR_PRIM_XHTML] = "xhtml",
    };
    if ((unsigned)p >= FHIR_PRIM__COUNT)
        return "";
    return names[p];
}
