/* codes.c - looking up and searching the code tables of codes.h. A search
 * runs as the clinician types, so it scans the few hundred rows in memory
 * and allocates nothing. */
#include "codes.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const code_entry *table_of(codes_table t, size_t *n)
{
    if (t == CODES_DIAGNOSES) {
        *n = codes_icd10cm_count;
        return codes_icd10cm;
    }
    *n = codes_procedure_count;
    return codes_procedure;
}

const code_entry *codes_find(codes_table t, const char *code)
{
    size_t n;
    const code_entry *rows = table_of(t, &n);
    for (size_t i = 0; code && i < n; i++)
        if (strcasecmp(rows[i].code, code) == 0)
            return &rows[i];
    return NULL;
}

const char *codes_system(codes_table t, const char *code)
{
    if (t == CODES_DIAGNOSES)
        return CODES_ICD10CM_SYSTEM;
    return code && isalpha((unsigned char)code[0]) ? CODES_HCPCS_SYSTEM
                                                   : CODES_CPT_SYSTEM;
}

/* Whether code starts with q, ignoring case and dots on both sides. */
static bool code_prefix(const char *code, const char *q)
{
    while (*q) {
        if (*q == '.') {
            q++;
            continue;
        }
        if (*code == '.') {
            code++;
            continue;
        }
        if (*code == '\0' || toupper((unsigned char)*code) != toupper((unsigned char)*q))
            return false;
        code++;
        q++;
    }
    return true;
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) != 0;
}

/* Whether some word of text starts with the n characters at w. */
static bool has_word(const char *text, const char *w, size_t n)
{
    for (const char *p = text; *p; p++) {
        if (!word_char(*p) || (p > text && word_char(p[-1])))
            continue;
        if (strncasecmp(p, w, n) == 0)
            return true;
    }
    return false;
}

/* Whether every word of q starts a word of text; false when q has none. */
static bool words_match(const char *text, const char *q)
{
    size_t words = 0;
    const char *p = q;
    while (*p) {
        while (*p && !word_char(*p))
            p++;
        const char *w = p;
        while (*p && word_char(*p))
            p++;
        if (p == w)
            break;
        words++;
        if (!has_word(text, w, (size_t)(p - w)))
            return false;
    }
    return words > 0;
}

size_t codes_search(codes_table t, const char *q, const code_entry **out,
                    size_t max)
{
    size_t n, found = 0;
    const code_entry *rows = table_of(t, &n);
    if (max > CODES_SEARCH_MAX)
        max = CODES_SEARCH_MAX;
    while (q && isspace((unsigned char)*q))
        q++;
    if (q == NULL || *q == '\0')
        return 0;
    bool code_like = strchr(q, ' ') == NULL;
    for (size_t i = 0; code_like && i < n && found < max; i++)
        if (code_prefix(rows[i].code, q))
            out[found++] = &rows[i];
    size_t by_code = found;
    for (size_t i = 0; i < n && found < max; i++) {
        bool seen = false;
        for (size_t k = 0; k < by_code && !seen; k++)
            seen = out[k] == &rows[i];
        if (!seen && words_match(rows[i].display, q))
            out[found++] = &rows[i];
    }
    return found;
}
