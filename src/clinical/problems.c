/* problems.c - the problem list's rules and its FHIR (see problems.h). */
#include "problems.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clinical/codes.h"
#include "clinical/fhir_read.h"
#include "fhir/fhirdate.h"
#include "fhir/primitive.h"
#include "fhir/write.h"

/* How far ahead of the server's clock a date may be and still be "today"
 * somewhere (UTC+14), and a dateTime may be (clocks of client machines). */
#define DATE_AHEAD_MS     (14LL * 60 * 60 * 1000)
#define DATETIME_AHEAD_MS (5LL * 60 * 1000)

static const struct {
    const char *name, *uri;
} systems[] = {
    { "icd10cm", PROBLEM_ICD10CM },
    { "snomed",  PROBLEM_SNOMED },
};

const char *problem_system_uri(const char *name)
{
    for (size_t i = 0; name && i < sizeof systems / sizeof systems[0]; i++)
        if (strcmp(systems[i].name, name) == 0)
            return systems[i].uri;
    return NULL;
}

const char *problem_system_name(const char *uri)
{
    for (size_t i = 0; uri && i < sizeof systems / sizeof systems[0]; i++)
        if (strcmp(systems[i].uri, uri) == 0)
            return systems[i].name;
    return "";
}

/* A letter, a digit, a digit or letter; then optionally a dot and one to
 * four digits or letters (the 7th character extensions of chapter S/T). */
bool problem_icd10cm_shape(const char *c)
{
    if (!isupper((unsigned char)c[0]) || !isdigit((unsigned char)c[1])
        || !(isdigit((unsigned char)c[2]) || isupper((unsigned char)c[2])))
        return false;
    if (c[3] == '\0')
        return true;
    if (c[3] != '.')
        return false;
    size_t n = 0;
    for (const char *p = c + 4; *p; p++, n++)
        if (!isdigit((unsigned char)*p) && !isupper((unsigned char)*p))
            return false;
    return n >= 1 && n <= 4;
}

/* The Verhoeff scheme SNOMED CT uses for the last digit of an id. */
static bool verhoeff_ok(const char *digits, size_t n)
{
    static const unsigned char d[10][10] = {
        {0,1,2,3,4,5,6,7,8,9}, {1,2,3,4,0,6,7,8,9,5}, {2,3,4,0,1,7,8,9,5,6},
        {3,4,0,1,2,8,9,5,6,7}, {4,0,1,2,3,9,5,6,7,8}, {5,9,8,7,6,0,4,3,2,1},
        {6,5,9,8,7,1,0,4,3,2}, {7,6,5,9,8,2,1,0,4,3}, {8,7,6,5,9,3,2,1,0,4},
        {9,8,7,6,5,4,3,2,1,0},
    };
    static const unsigned char p[8][10] = {
        {0,1,2,3,4,5,6,7,8,9}, {1,5,7,6,2,8,3,0,9,4}, {5,8,0,3,7,9,6,1,4,2},
        {8,9,1,6,0,4,3,5,2,7}, {9,4,5,3,1,2,6,8,7,0}, {4,2,8,6,5,7,3,9,0,1},
        {2,7,9,3,8,0,6,4,1,5}, {7,0,4,6,9,1,3,2,5,8},
    };
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c = d[c][p[i % 8][digits[n - 1 - i] - '0']];
    return c == 0;
}

bool problem_snomed_concept(const char *code)
{
    size_t n = strlen(code);
    if (n < 6 || n > 18 || code[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)code[i]))
            return false;
    /* The partition: "00" a concept, "10" a concept of an extension. */
    if (!(code[n - 3] == '0' || code[n - 3] == '1') || code[n - 2] != '0')
        return false;
    return verhoeff_ok(code, n);
}

bool problem_past_date(const char *s, int64_t now_ms, int64_t *low_ms)
{
    int64_t low, high;
    size_t n = strlen(s);
    bool is_date = n == 10;
    if (fhir_prim_check_text(FHIR_PRIM_DATE_TIME, sw_str_of(s)) != FHIR_PRIM_VALID
        || n < 10 || (!is_date && (n < 20 || s[10] != 'T'))
        || !fhir_date_range(s, &low, &high))
        return false;
    if (low > now_ms + (is_date ? DATE_AHEAD_MS : DATETIME_AHEAD_MS))
        return false;
    if (low_ms)
        *low_ms = low;
    return true;
}

void problem_fill_from_table(problem_input *in)
{
    if (in->code == NULL || in->system == NULL
        || strcmp(in->system, PROBLEM_ICD10CM) != 0)
        return;
    const code_entry *e = codes_find(CODES_DIAGNOSES, in->code);
    if (e == NULL)
        return;
    in->code = e->code;
    if (in->display == NULL)
        in->display = e->display;
}

int problem_check(const problem_input *in, int64_t now_ms, sw_err *err)
{
    if (in->code != NULL) {
        if (in->system == NULL)
            return sw_err_set(err, SW_EINVAL, "\"system\" must be icd10cm or "
                              "snomed");
        if (strcmp(in->system, PROBLEM_ICD10CM) == 0
            && !problem_icd10cm_shape(in->code))
            return sw_err_set(err, SW_EINVAL, "\"code\" is not an ICD-10-CM "
                              "code (a letter, two digits, then an optional "
                              "dot and up to four characters, as E11.9)");
        if (strcmp(in->system, PROBLEM_SNOMED) == 0
            && !problem_snomed_concept(in->code))
            return sw_err_set(err, SW_EINVAL, "\"code\" is not a SNOMED CT "
                              "concept id");
        if (in->display == NULL)
            return sw_err_set(err, SW_EINVAL, "\"display\" is required with a "
                              "code: the words a reader sees");
    } else if (in->display == NULL) {
        return sw_err_set(err, SW_EINVAL, "give \"code\" with \"display\", or "
                          "\"text\"");
    }
    if (!clinical_plain_text(in->display, PROBLEM_DISPLAY_MAX, false))
        return sw_err_set(err, SW_EINVAL, "\"%s\" must be 1 to %d characters "
                          "on one line", in->code ? "display" : "text",
                          PROBLEM_DISPLAY_MAX);
    if (in->note && !clinical_plain_text(in->note, PROBLEM_NOTE_MAX, true))
        return sw_err_set(err, SW_EINVAL, "\"note\" must be 1 to %d "
                          "characters", PROBLEM_NOTE_MAX);
    if (in->onset && !problem_past_date(in->onset, now_ms, NULL))
        return sw_err_set(err, SW_EINVAL, "\"onset\" must be a date "
                          "(2024-03-01) or date-time with a time zone, not in "
                          "the future");
    return SW_OK;
}

static void concept(sw_jw *w, const char *key, const char *system,
                    const char *code, const char *display)
{
    sw_jw_key(w, key);
    fhir_write_concept(w, system, code, display, NULL);
}

int problem_resource(const problem_input *in, const char *patient_id,
                     const char *recorded, const char *recorder, sw_buf *out)
{
    sw_jw w;
    sw_jw_init(&w, out);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Condition");
    concept(&w, "clinicalStatus", PROBLEM_CLINICAL, "active", NULL);
    concept(&w, "verificationStatus", PROBLEM_VERIFY, "confirmed", NULL);
    sw_jw_key(&w, "category");
    sw_jw_array_begin(&w);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "coding");
    sw_jw_array_begin(&w);
    fhir_write_coding(&w, PROBLEM_CATEGORY, "problem-list-item",
                      "Problem List Item");
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    sw_jw_array_end(&w);
    sw_jw_key(&w, "code");
    sw_jw_object_begin(&w);
    if (in->code) {
        sw_jw_key(&w, "coding");
        sw_jw_array_begin(&w);
        fhir_write_coding(&w, in->system, in->code, in->display);
        sw_jw_array_end(&w);
    }
    sw_jw_key(&w, "text");
    sw_jw_string(&w, in->display);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "subject");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "reference");
    char ref[96];
    snprintf(ref, sizeof ref, "Patient/%s", patient_id);
    sw_jw_string(&w, ref);
    sw_jw_object_end(&w);
    if (in->onset) {
        sw_jw_key(&w, "onsetDateTime");
        sw_jw_string(&w, in->onset);
    }
    sw_jw_key(&w, "recordedDate");
    sw_jw_string(&w, recorded);
    sw_jw_key(&w, "recorder");
    sw_jw_raw(&w, recorder, strlen(recorder));
    if (in->note)
        fhir_write_note(&w, in->note);
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

/* The first coding's code of a CodeableConcept member, or NULL. */
const char *problem_status(const sw_json *r)
{
    const char *s = clinical_first_code(r, "clinicalStatus", NULL);
    return s ? s : "";
}

bool problem_is_void(const sw_json *r)
{
    const char *v = clinical_first_code(r, "verificationStatus", NULL);
    return v && (strcmp(v, "entered-in-error") == 0 || strcmp(v, "refuted") == 0);
}

bool problem_is_active(const sw_json *r)
{
    const char *s = problem_status(r);
    return !problem_is_void(r) && (strcmp(s, "active") == 0
                                   || strcmp(s, "recurrence") == 0
                                   || strcmp(s, "relapse") == 0);
}

static bool is_list_item(const sw_json *r)
{
    const sw_json *cats = sw_json_get(r, "category");
    for (size_t i = 0; cats && cats->kind == SW_JSON_ARRAY && i < cats->count; i++) {
        const sw_json *codings = sw_json_get(cats->items[i], "coding");
        for (size_t k = 0; codings && codings->kind == SW_JSON_ARRAY && k < codings->count; k++) {
            const char *code = sw_json_get_string(codings->items[k], "code");
            if (code && strcmp(code, "problem-list-item") == 0)
                return true;
        }
    }
    return false;
}

bool problem_on_list(const sw_json *r)
{
    if (problem_is_void(r))
        return false;
    return is_list_item(r) || problem_is_active(r);
}

void problem_coding(const sw_json *r, const char **system, const char **code)
{
    *code = clinical_first_code(r, "code", system);
}

const char *problem_text(const sw_json *r)
{
    const char *text = clinical_concept_text(sw_json_get(r, "code"));
    return text ? text : "";
}

bool problem_same(const sw_json *r, const problem_input *in)
{
    if (in->code && clinical_concept_has(sw_json_get(r, "code"), in->system,
                                         in->code))
        return true;
    return in->display && strcasecmp(problem_text(r), in->display) == 0;
}

const char *problem_onset(const sw_json *r)
{
    const char *s = sw_json_get_string(r, "onsetDateTime");
    if (s == NULL)
        s = sw_json_get_string(sw_json_get(r, "onsetPeriod"), "start");
    return s;
}

const char *problem_recorded(const sw_json *r)
{
    return sw_json_get_string(r, "recordedDate");
}

int problem_rank(const sw_json *r)
{
    if (problem_is_active(r))
        return 0;
    return strcmp(problem_status(r), "resolved") == 0 ? 2 : 1;
}

int problem_resolve(sw_arena *a, sw_json *r, const char *abatement,
                    sw_err *err)
{
    if (!problem_is_active(r))
        return sw_err_set(err, SW_ECONFLICT, "this problem is not active "
                          "(it is %s)", problem_status(r)[0]
                          ? problem_status(r) : "without a status");
    int64_t onset_low, onset_high, ab_low, ab_high;
    const char *onset = problem_onset(r);
    if (onset && fhir_date_range(onset, &onset_low, &onset_high)
        && fhir_date_range(abatement, &ab_low, &ab_high) && ab_high < onset_low)
        return sw_err_set(err, SW_EINVAL, "\"abatement\" comes before the "
                          "problem's onset (%s)", onset);
    sw_json *coding = sw_json_new_object(a);
    sw_json *codings = sw_json_new_array(a);
    sw_json *cc = sw_json_new_object(a);
    if (!coding || !codings || !cc
        || sw_json_set(a, coding, "system", sw_json_new_cstring(a, PROBLEM_CLINICAL)) != SW_OK
        || sw_json_set(a, coding, "code", sw_json_new_cstring(a, "resolved")) != SW_OK
        || sw_json_append(a, codings, coding) != SW_OK
        || sw_json_set(a, cc, "coding", codings) != SW_OK
        || sw_json_set(a, r, "clinicalStatus", cc) != SW_OK)
        return sw_err_set(err, SW_ENOMEM, NULL);
    static const char *const others[] = {
        "abatementAge", "abatementPeriod", "abatementRange", "abatementString",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        sw_json_remove(r, others[i]);
    if (sw_json_set(a, r, "abatementDateTime", sw_json_new_cstring(a, abatement)) != SW_OK)
        return sw_err_set(err, SW_ENOMEM, NULL);
    return SW_OK;
}
