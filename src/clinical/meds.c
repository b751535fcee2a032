/* meds.c - reading a patient's medication (and allergy, problem) records,
 * frequencies as FHIR Timing, and small helpers the medication workflows
 * share (see meds.h). */
#include "meds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USER_SYSTEM "urn:stagewise:user"

static int read_type(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const char *patient_id, const char *type,
                     meds_record *out, size_t *n)
{
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT r.res_id, r.version, r.body FROM fhir_resource r "
        "WHERE r.practice_id = ? AND r.res_type = ? AND r.deleted = 0 "
        "AND r.res_id IN (SELECT x.res_id FROM fhir_idx_ref x "
        "WHERE x.practice_id = ? AND x.res_type = ? "
        "AND x.target_type = 'Patient' AND x.target_id = ?) ORDER BY r.res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, type)) == SW_OK
        && (rc = store_bind_int64(st, 3, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 4, type)) == SW_OK
        && (rc = store_bind_cstr(st, 5, patient_id)) == SW_OK)
        while (*n < MEDS_RECORDS_MAX && (rc = store_step(st, &row)) == SW_OK && row) {
            size_t len;
            const char *body = store_col_text(st, 2, &len);
            meds_record *m = &out[*n];
            m->type = type;
            m->id = sw_arena_strdup(a, store_col_text(st, 0, NULL));
            m->version = store_col_int64(st, 1);
            if (m->id == NULL
                || sw_json_parse(a, body, len, &m->resource, NULL) != SW_OK)
                rc = SW_ENOMEM;
            else
                (*n)++;
        }
    store_finalize(st);
    return rc;
}

int meds_read(store_tx *tx, sw_arena *a, int64_t practice_id,
              const char *patient_id, const char *const *types,
              meds_record **out, size_t *n)
{
    *n = 0;
    *out = sw_arena_calloc(a, MEDS_RECORDS_MAX, sizeof **out);
    if (*out == NULL)
        return SW_ENOMEM;
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && types[i]; i++)
        rc = read_type(tx, a, practice_id, patient_id, types[i], *out, n);
    return rc;
}

static const struct {
    const char *words;
    int         frequency, period;
    const char *unit, *when;
} timings[] = {
    { "once daily at bedtime", 1, 1, "d", "HS" },
    { "at bedtime", 1, 1, "d", "HS" },
    { "once daily", 1, 1, "d", NULL },
    { "daily", 1, 1, "d", NULL },
    { "twice daily", 2, 1, "d", NULL },
    { "three times daily", 3, 1, "d", NULL },
    { "four times daily", 4, 1, "d", NULL },
    { "every 4 hours", 1, 4, "h", NULL },
    { "every 6 hours", 1, 6, "h", NULL },
    { "every 8 hours", 1, 8, "h", NULL },
    { "every 12 hours", 1, 12, "h", NULL },
    { "once weekly", 1, 1, "wk", NULL },
    { "weekly", 1, 1, "wk", NULL },
};

void meds_timing_of(const char *frequency, meds_timing *t)
{
    memset(t, 0, sizeof *t);
    if (frequency == NULL)
        return;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", frequency);
    size_t len = strlen(buf);
    static const char needed[] = " as needed";
    if (strcasecmp(buf, "as needed") == 0) {
        t->as_needed = true;
        return;
    }
    if (len > sizeof needed - 1
        && strcasecmp(buf + len - (sizeof needed - 1), needed) == 0) {
        t->as_needed = true;
        buf[len - (sizeof needed - 1)] = '\0';
    }
    for (size_t i = 0; i < sizeof timings / sizeof timings[0]; i++)
        if (strcasecmp(buf, timings[i].words) == 0) {
            t->known = true;
            t->frequency = timings[i].frequency;
            t->period = timings[i].period;
            t->period_unit = timings[i].unit;
            t->when = timings[i].when;
            return;
        }
}

bool meds_plain_text(const char *s, size_t max, bool multiline)
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
    bool blank = true;
    for (const char *p = s; *p && blank; p++)
        blank = *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t';
    return !blank && chars <= max;
}

void meds_reference_user(const sw_json *ref, const char **username,
                         const char **display)
{
    *username = "";
    *display = ref ? sw_json_get_string(ref, "display") : NULL;
    const sw_json *id = ref ? sw_json_get(ref, "identifier") : NULL;
    const char *system = id ? sw_json_get_string(id, "system") : NULL;
    const char *value = id ? sw_json_get_string(id, "value") : NULL;
    if (system && value && strcmp(system, USER_SYSTEM) == 0)
        *username = value;
    if (*display == NULL)
        *display = *username;
}
