/* allergies.c - the allergy list's rules and its FHIR (see allergies.h). */
#include "allergies.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clinical/fhir_read.h"
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
    if (in->display == NULL || !clinical_plain_text(in->display, 200, false))
        return sw_err_set(err, SW_EINVAL, "\"substance\" needs a display or "
                          "text of 1 to 200 characters on one line");
    if ((in->system == NULL) != (in->code == NULL))
        return sw_err_set(err, SW_EINVAL, "\"substance\" needs system and "
                          "code together, or neither");
    if (in->code && (!clinical_plain_text(in->code, 64, false) || !clinical_plain_text(in->system, 200, false)))
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
    if (in->reaction && !clinical_plain_text(in->reaction, 200, false))
        return sw_err_set(err, SW_EINVAL, "\"reaction\" must be 1 to 200 "
                          "characters on one line");
    return SW_OK;
}

static void status(sw_jw *w, const char *key, const char *system,
                   const char *code)
{
    sw_jw_key(w, key);
    fhir_write_concept(w, system, code, NULL, NULL);
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
    if (in->recorder) {
        sw_jw_key(&w, "recorder");
        sw_jw_raw(&w, in->recorder, strlen(in->recorder));
    }
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
bool allergy_is_active(const sw_json *r)
{
    const char *clinical = clinical_first_code(r, "clinicalStatus", NULL);
    const char *verified = clinical_first_code(r, "verificationStatus", NULL);
    if (verified && (strcmp(verified, "refuted") == 0
                     || strcmp(verified, "entered-in-error") == 0))
        return false;
    return clinical == NULL || strcmp(clinical, "active") == 0;
}

bool allergy_is_none(const sw_json *r)
{
    static const char *const none[] = {
        ALLERGY_NKA_CODE,
        "409137002",   /* no known drug allergy */
        "428607008",   /* no known environmental allergy */
        "429625007",   /* no known food allergy */
    };
    const sw_json *cc = sw_json_get(r, "code");
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (clinical_concept_has(cc, SNOMED, none[i]))
            return true;
    return false;
}

const char *allergy_substance_text(const sw_json *r)
{
    const char *text = clinical_concept_text(sw_json_get(r, "code"));
    return text ? text : "an allergy";
}

bool allergy_same_substance(const sw_json *r, const allergy_input *in)
{
    if (in->code && clinical_concept_has(sw_json_get(r, "code"), in->system,
                                         in->code))
        return true;
    return strcasecmp(allergy_substance_text(r), in->display) == 0;
}

/* A CodeableConcept with one coding system|code, or NULL. */
static sw_json *status_concept(sw_arena *a, const char *system, const char *code)
{
    sw_json *coding = sw_json_new_object(a);
    sw_json *codings = sw_json_new_array(a);
    sw_json *cc = sw_json_new_object(a);
    if (!coding || !codings || !cc
        || sw_json_set(a, coding, "system", sw_json_new_cstring(a, system)) != SW_OK
        || sw_json_set(a, coding, "code", sw_json_new_cstring(a, code)) != SW_OK
        || sw_json_append(a, codings, coding) != SW_OK
        || sw_json_set(a, cc, "coding", codings) != SW_OK)
        return NULL;
    return cc;
}

int allergy_make_inactive(sw_arena *a, sw_json *r)
{
    sw_json *cc = status_concept(a, CLINICAL_STATUS, "inactive");
    return cc ? sw_json_set(a, r, "clinicalStatus", cc) : SW_ENOMEM;
}

/* ---- Status changes ------------------------------------------------------ */

static const char *const changes[] = {
    "inactive", "resolved", "refuted", "entered-in-error", NULL,
};

const char *allergy_verification(const sw_json *r)
{
    return clinical_first_code(r, "verificationStatus", NULL);
}

const char *allergy_status(const sw_json *r)
{
    const char *verified = allergy_verification(r);
    if (verified && (strcmp(verified, "refuted") == 0
                     || strcmp(verified, "entered-in-error") == 0))
        return verified;
    const char *clinical = clinical_first_code(r, "clinicalStatus", NULL);
    return clinical ? clinical : "active";
}

const char *allergy_reason(const sw_json *r)
{
    if (allergy_is_active(r))
        return NULL;
    const sw_json *notes = sw_json_get(r, "note");
    if (notes == NULL || notes->kind != SW_JSON_ARRAY || notes->count == 0)
        return NULL;
    return sw_json_get_string(notes->items[notes->count - 1], "text");
}

bool allergy_change_known(const char *status)
{
    return status && one_of(status, changes);
}

int allergy_change_check(const char *status, const char *reason, sw_err *err)
{
    if (!allergy_change_known(status))
        return sw_err_set(err, SW_EINVAL, "\"status\" must be inactive, "
                          "resolved, refuted or entered-in-error");
    if (!clinical_plain_text(reason, 500, true)
        || !clinical_visible_text(reason, 4 * 500, true))
        return sw_err_set(err, SW_EINVAL, "\"reason\" must be 1 to 500 "
                          "characters (why it comes off the list)");
    return SW_OK;
}

/* The reason as an Annotation appended to r.note. */
static int add_note(sw_arena *a, sw_json *r, const char *reason,
                    const char *at, const sw_json *author)
{
    sw_json *note = sw_json_new_object(a);
    sw_json *who = author ? sw_json_clone(a, author) : NULL;
    sw_json *notes = sw_json_get(r, "note");
    if (note == NULL || (author && who == NULL))
        return SW_ENOMEM;
    if (notes == NULL || notes->kind != SW_JSON_ARRAY) {
        if ((notes = sw_json_new_array(a)) == NULL
            || sw_json_set(a, r, "note", notes) != SW_OK)
            return SW_ENOMEM;
    }
    if ((who && sw_json_set(a, note, "authorReference", who) != SW_OK)
        || sw_json_set(a, note, "time", sw_json_new_cstring(a, at)) != SW_OK
        || sw_json_set(a, note, "text", sw_json_new_cstring(a, reason)) != SW_OK
        || sw_json_append(a, notes, note) != SW_OK)
        return SW_ENOMEM;
    return SW_OK;
}

int allergy_change(sw_arena *a, sw_json *r, const char *status,
                   const char *reason, const char *at, const sw_json *author,
                   sw_err *err)
{
    if (!allergy_is_active(r))
        return sw_err_set(err, SW_ECONFLICT, "the allergy to %s is not active "
                          "(%s): only an active one can be taken off the list",
                          allergy_substance_text(r), allergy_status(r));
    if (!allergy_change_known(status))
        return sw_err_set(err, SW_EINVAL, "\"status\" must be inactive, "
                          "resolved, refuted or entered-in-error");
    bool verification = strcmp(status, "refuted") == 0
                        || strcmp(status, "entered-in-error") == 0;
    int rc = SW_OK;
    if (verification) {
        sw_json *cc = status_concept(a, VERIFICATION, status);
        rc = cc ? sw_json_set(a, r, "verificationStatus", cc) : SW_ENOMEM;
    }
    if (rc == SW_OK && strcmp(status, "entered-in-error") == 0) {
        sw_json_remove(r, "clinicalStatus");          /* ait-2 */
    } else if (rc == SW_OK) {
        /* Placed where the writer of allergy_resource puts it, first
         * after resourceType, when the entry had none. */
        sw_json *cc = status_concept(a, CLINICAL_STATUS,
                                     verification ? "inactive" : status);
        if (cc == NULL)
            rc = SW_ENOMEM;
        else if (sw_json_get(r, "clinicalStatus"))
            rc = sw_json_set(a, r, "clinicalStatus", cc);
        else
            rc = sw_json_set_at(a, r, sw_json_get(r, "resourceType") ? 1 : 0,
                                "clinicalStatus", cc);
    }
    if (rc == SW_OK)
        rc = add_note(a, r, reason, at, author);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, "out of memory");
}
