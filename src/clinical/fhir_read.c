/* fhir_read.c - CodeableConcepts and plain text for the clinical rules
 * (fhir_read.h). Called for every resource of a listing, so nothing here
 * allocates. */
#include "fhir_read.h"

#include <string.h>

static const sw_json *codings_of(const sw_json *cc)
{
    const sw_json *codings = cc ? sw_json_get(cc, "coding") : NULL;
    return codings && codings->kind == SW_JSON_ARRAY ? codings : NULL;
}

const char *clinical_first_code(const sw_json *r, const char *member,
                                const char **system)
{
    const sw_json *codings = codings_of(r ? sw_json_get(r, member) : NULL);
    const sw_json *first = codings && codings->count ? codings->items[0] : NULL;
    if (system)
        *system = first ? sw_json_get_string(first, "system") : NULL;
    return first ? sw_json_get_string(first, "code") : NULL;
}

const char *clinical_concept_text(const sw_json *cc)
{
    const char *text = cc ? sw_json_get_string(cc, "text") : NULL;
    if (text)
        return text;
    const sw_json *codings = codings_of(cc);
    for (size_t i = 0; codings && i < codings->count; i++) {
        const char *d = sw_json_get_string(codings->items[i], "display");
        if (d)
            return d;
    }
    return NULL;
}

const sw_json *clinical_coding_of(const sw_json *cc, const char *system)
{
    const sw_json *codings = codings_of(cc);
    for (size_t i = 0; system && codings && i < codings->count; i++) {
        const char *s = sw_json_get_string(codings->items[i], "system");
        if (s && strcmp(s, system) == 0)
            return codings->items[i];
    }
    return NULL;
}

bool clinical_concept_has(const sw_json *cc, const char *system,
                          const char *code)
{
    const sw_json *codings = codings_of(cc);
    for (size_t i = 0; system && code && codings && i < codings->count; i++) {
        const char *s = sw_json_get_string(codings->items[i], "system");
        const char *c = sw_json_get_string(codings->items[i], "code");
        if (s && c && strcmp(s, system) == 0 && strcmp(c, code) == 0)
            return true;
    }
    return false;
}

bool clinical_plain_text(const char *s, size_t max, bool multiline)
{
    size_t chars = 0;
    if (s == NULL)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
            || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    return chars >= 1 && chars <= max;
}

bool clinical_visible_text(const char *s, size_t max, bool multiline)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || s[strspn(s, " \t\r\n")] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
            return false;
    return true;
}
