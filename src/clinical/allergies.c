/* allergies.c - the allergy list's rules and its FHIR (see allergies.h). */
#include "allergies.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fhir/write.h"

#define CLINICAL_STATUS "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
#define VERIFICATION    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
#define SNOMED          "http://snomed.info/sct"

static bool one_of(const char *v, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

static bool plain_text(const char *s, size_t max)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            chars++;
    }
    return chars >= 1 && chars <= max;
}

int allergy_check(const allergy_input *in, sw_err *err)
{
    static const char *const categories[] = { "food", "medication", "environment", "biologic", NULL };
    static const char *const criticalities[] = { "low", "high", "unable-to-assess", NULL };
    static const char *const severities[] = { "mild", "moderate", "severe", NULL };
    if (in->none) {
        if (in->code || in->display || in->category || in->criticality
            || in->reaction || in->severity)
            return sw_err_set(err, SW_EINVAL, "\"no_known_allergies\" goes "
                              "alone: leave out the substance and its details");
        return SW_OK;
    }
    if (in->display == NULL || !plain_text(in->display, 200))
        return sw_err_set(err, SW_EINVAL, "\"substance\" needs a display or "
                          "text of 1 to 200 characters on one line");
    if ((in->system == NULL) != (in->code == NULL))
        return sw_err_set(err, SW_EINVAL, "\"substance\" needs system and "
                          "code together, or neither");
    if (in->code && (!plain_text(in->code, 64) || !plain_text(in->system, 200)))
        return sw_err_set(err, SW_EINVAL, "\"substance\" has a malformed "
                          "system or code");
    if (in->category && !one_of(in->category, categories))
        return sw_err_set(err, SW_EINVAL, "\"category\" must be food, "
                          "medication, environment or biologic");
    if (in->criticality && !one_of(in->criticality, criticalities))
        return sw_err_set(err, SW_EINVAL, "\"criticality\" must be low, high "
                          "or unable-to-assess");
    if (in->severity && !one_of(in->severity, severities))
        return sw_err_set(err, SW_EINVAL, "\"severity\" must be mild, moderate "
                          "or severe");
    if (in->severity && !in->reaction)
        return sw_err_set(err, SW_EINVAL, "\"severity\" belongs to a "
                          "\"reaction\": give the reaction too");
    if (in->reaction && !plain_text(in->reaction, 200))
        return sw_err_set(err, SW_EINVAL, "\"reaction\" must be 1 to 200 "
                          "characters on one line");
    return SW_OK;
}

static void status(sw_jw *w, const char *key, const char *system,
                   const char *code)
{
    sw_jw_key(w, key);
    sw_jw_object_begin(w);
    sw_jw_key(w, "coding");
    sw_jw_array_begin(w);
    fhir_write_coding(w, system, code, NULL);
    sw_jw_array_end(w);
    sw_jw_object_end(w);
}

int allergy_resource(const allergy_input *in, const char *patient_id,
                     const char *recorded, sw_buf *out)
{
    sw_jw w;
    sw_jw_init(&w, out);
    char ref[160];
    snprintf(ref, sizeof ref, "Patient/%s", patient_id);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "AllergyIntolerance");
    status(&w, "clinicalStatus", CLINICAL_STATUS, "active");
    status(&w, "verificationStatus", VERIFICATION, "confirmed");
    if (in->category) {
        sw_jw_key(&w, "category");
        sw_jw_array_begin(&w);
        sw_jw_string(&w, in->category);
        sw_jw_array_end(&w);
    }
    if (in->criticality) {
        sw_jw_key(&w, "criticality");
        sw_jw_string(&w, in->criticality);
    }
    sw_jw_key(&w, "code");
    sw_jw_object_begin(&w);
    if (in->none || in->code) {
        sw_jw_key(&w, "coding");
        sw_jw_array_begin(&w);
        if (in->none)
            fhir_write_coding(&w, SNOMED, ALLERGY_NKA_CODE, ALLERGY_NKA_DISPLAY);
        else
            fhir_write_coding(&w, in->system, in->code, in->display);
        sw_jw_array_end(&w);
    }
    sw_jw_key(&w, "text");
    sw_jw_string(&w, in->none ? ALLERGY_NKA_DISPLAY : in->display);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "patient");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "reference");
    sw_jw_string(&w, ref);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "recordedDate");
    sw_jw_string(&w, recorded);
    if (in->reaction) {
        sw_jw_key(&w, "reaction");
        sw_jw_array_begin(&w);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "manifestation");
        sw_jw_array_begin(&w);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "text");
        sw_jw_string(&w, in->reaction);
        sw_jw_object_end(&w);
        sw_jw_array_end(&w);
        if (in->severity) {
            sw_jw_key(&w, "severity");
            sw_jw_string(&w, in->severity);
        }
        sw_jw_object_end(&w);
        sw_jw_array_end(&w);
    }
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

/* The first coding's code of a CodeableConcept member, or NULL. */
static const char *first_code(const sw_json *r, const char *member,
                              const char **system)
{
    const sw_json *cc = sw_json_get(r, member);
    const sw_json *codings = cc ? sw_json_get(cc, "coding") : NULL;
    if (codings == NULL || codings->kind != SW_JSON_ARRAY || codings->count == 0)
        return NULL;
    if (system)
        *system = sw_json_get_string(codings->items[0], "system");
    return sw_json_get_string(codings->items[0], "code");
}

bool allergy_is_active(const sw_json *r)
{
    const char *clinical = first_code(r, "clinicalStatus", NULL);
    const char *verified = first_code(r, "verificationStatus", NULL);
    if (verified && (strcmp(verified, "refuted") == 0
                     || strcmp(verified, "entered-in-error") == 0))
        return false;
    return clinical == NULL || strcmp(clinical, "active") == 0;
}

bool allergy_is_none(const sw_json *r)
{
    const sw_json *codings = sw_json_get(sw_json_get(r, "code"), "coding");
    for (size_t i = 0; codings && codings->kind == SW_JSON_ARRAY && i < codings->count; i++) {
        const char *system = sw_json_get_string(codings->items[i], "system");
        const char *code = sw_json_get_string(codings->items[i], "code");
        if (system && code && strcmp(system, SNOMED) == 0
            && (strcmp(code, ALLERGY_NKA_CODE) == 0
                || strcmp(code, "409137002") == 0     /* no known drug allergy */
                || strcmp(code, "428607008") == 0     /* no known environmental allergy */
                || strcmp(code, "429625007") == 0))   /* no known food allergy */
            return true;
    }
    return false;
}

const char *allergy_substance_text(const sw_json *r)
{
    const sw_json *cc = sw_json_get(r, "code");
    const char *text = cc ? sw_json_get_string(cc, "text") : NULL;
    if (text)
        return text;
    const sw_json *codings = cc ? sw_json_get(cc, "coding") : NULL;
    for (size_t i = 0; codings && codings->kind == SW_JSON_ARRAY && i < codings->count; i++) {
        const char *d = sw_json_get_string(codings->items[i], "display");
        if (d)
            return d;
    }
    return "an allergy";
}

bool allergy_same_substance(const sw_json *r, const allergy_input *in)
{
    const sw_json *codings = sw_json_get(sw_json_get(r, "code"), "coding");
    for (size_t i = 0; in->code && codings && codings->kind == SW_JSON_ARRAY
                       && i < codings->count; i++) {
        const char *system = sw_json_get_string(codings->items[i], "system");
        const char *code = sw_json_get_string(codings->items[i], "code");
        if (system && code && strcmp(system, in->system) == 0
            && strcmp(code, in->code) == 0)
            return true;
    }
    return strcasecmp(allergy_substance_text(r), in->display) == 0;
}

int allergy_make_inactive(sw_arena *a, sw_json *r)
{
    sw_json *coding = sw_json_new_object(a);
    sw_json *codings = sw_json_new_array(a);
    sw_json *cc = sw_json_new_object(a);
    if (!coding || !codings || !cc
        || sw_json_set(a, coding, "system", sw_json_new_cstring(a, CLINICAL_STATUS)) != SW_OK
        || sw_json_set(a, coding, "code", sw_json_new_cstring(a, "inactive")) != SW_OK
        || sw_json_append(a, codings, coding) != SW_OK
        || sw_json_set(a, cc, "coding", codings) != SW_OK)
        return SW_ENOMEM;
    return sw_json_set(a, r, "clinicalStatus", cc);
}
