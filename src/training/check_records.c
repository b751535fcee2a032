/* check_records.c - the checkers that read the clinical data the trainee
 * actually wrote (check.h): `record` (resources of a type in the case
 * patient's record that the trainee created or updated, with a code and a
 * status) and `signed_visit` (a visit the trainee signed, with its
 * diagnoses). Both find the resources through the trainee's own audit
 * entries, then read the current stored version: a record later deleted,
 * moved to another patient or changed to another code no longer counts. */
#include "training/check_int.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "fhir/resources.h"
#include "training/check.h"

/* Whether concept (a CodeableConcept) has a coding matching want:
 * "system|code", or a code alone in any system. */
static bool concept_has(json_t *concept, const char *want)
{
    const char *bar = strchr(want, '|');
    size_t slen = bar ? (size_t)(bar - want) : 0;
    const char *code = bar ? bar + 1 : want;
    size_t i;
    json_t *coding;
    json_array_foreach(json_object_get(concept, "coding"), i, coding) {
        const char *c = json_string_value(json_object_get(coding, "code"));
        const char *sys = json_string_value(json_object_get(coding, "system"));
        if (c == NULL || strcmp(c, code) != 0)
            continue;
        if (bar == NULL || (sys && strlen(sys) == slen
                            && strncmp(sys, want, slen) == 0))
            return true;
    }
    return false;
}

/* The element holding the code is one CodeableConcept or a list of them
 * (Encounter.type, Communication.category). */
static bool element_has(json_t *element, const char *want)
{
    if (!json_is_array(element))
        return concept_has(element, want);
    size_t i;
    json_t *concept;
    json_array_foreach(element, i, concept)
        if (concept_has(concept, want))
            return true;
    return false;
}

static bool record_fits(json_t *doc, const course_record_type *t,
                        const course_check *k)
{
    if (k->code[0] && !element_has(json_object_get(doc, t->code), k->code))
        return false;
    if (k->status[0] == '\0')
        return true;
    json_t *status = json_object_get(doc, t->status);
    if (t->status_is_concept)
        return concept_has(status, k->status);
    return json_is_string(status)
           && strcmp(json_string_value(status), k->status) == 0;
}

/* The current version of type/id as a tree, when it exists and (for a
 * case) still belongs to patient; NULL otherwise. */
static int read_current(sw_store *s, sw_arena *a, int64_t pid, const char *type,
                        const char *id, const char *patient, json_t **out,
                        sw_err *err)
{
    fhir_version v;
    char owner[80];
    *out = NULL;
    int rc = fhir_res_read(s, a, pid, type, id, 0, &v, owner, err);
    if (rc == SW_ENOTFOUND || rc == SW_EGONE)
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    if (v.deleted || (patient[0] && strcmp(owner, patient) != 0))
        return SW_OK;
    *out = json_loadb(v.body, v.body_len, 0, NULL);
    return SW_OK;
}

/* " for your practice patient 'CASE'", or "". */
static const char *for_case(const course_check *k, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (k->case_id[0])
        snprintf(buf, cap, " for your practice patient '%s'", k->case_id);
    return buf;
}

int check_record(sw_store *s, int64_t pid, int64_t uid, const char *username,
                 const course_check *k, int64_t since_ms, bool *done,
                 char *missing, sw_err *err)
{
    const course_record_type *t = course_record_type_find(k->res_type);
    if (t == NULL)      /* course.c refuses such a file */
        return sw_err_set(err, SW_EINVAL, "a record check of an unknown type");
    char patient[80];
    bool found;
    int rc = check_case(s, pid, username, k, patient, &found, done, missing, err);
    if (rc != SW_OK || !found)
        return rc;
    check_ids_query q = { .practice_id = pid, .user_id = uid,
                          .since_ms = since_ms, .res_type = k->res_type,
                          .feature = "", .patient = patient };
    check_ids ids;
    if ((rc = check_trainee_ids(s, &q, &ids, err)) != SW_OK)
        return rc;
    sw_arena *a = sw_arena_create(1 << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    int count = 0;
    for (size_t i = 0; i < ids.n && count < k->min; i++) {
        json_t *doc;
        rc = read_current(s, a, pid, k->res_type, ids.ids[i], patient, &doc, err);
        if (rc != SW_OK)
            break;
        count += doc && record_fits(doc, t, k);
        json_decref(doc);
    }
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc;
    *done = count >= k->min;
    if (!*done) {
        char c[80], line[512];
        const char *bar = strchr(k->code, '|');
        snprintf(line, sizeof line, "The checker found %s %s of yours%s%s%s%s%s.",
                 count ? "too few" : "no", k->res_type, for_case(k, c, sizeof c),
                 k->code[0] ? " with code " : "", bar ? bar + 1 : k->code,
                 !k->status[0] ? "" : k->code[0] ? " and status " : " with status ",
                 k->status);
        /* A long code shortens the sentence, never overflows it. */
        snprintf(missing, CHECK_MISSING_MAX, "%.*s", CHECK_MISSING_MAX - 1, line);
    }
    return SW_OK;
}

/* The number of diagnoses Encounter.diagnosis ranks on the visit of a
 * signed note (Composition.encounter); 0 when it cannot be read. */
static int visit_diagnoses(sw_store *s, sw_arena *a, int64_t pid,
                           const char *note_id, const char *patient,
                           int *n, sw_err *err)
{
    json_t *note;
    *n = 0;
    int rc = read_current(s, a, pid, "Composition", note_id, patient, &note, err);
    if (rc != SW_OK || note == NULL)
        return rc;
    const char *ref = json_string_value(json_object_get(json_object_get(note,
                                        "encounter"), "reference"));
    if (ref && strncmp(ref, "Encounter/", 10) == 0) {
        json_t *enc;
        rc = read_current(s, a, pid, "Encounter", ref + 10, patient, &enc, err);
        if (rc == SW_OK && enc)
            *n = (int)json_array_size(json_object_get(enc, "diagnosis"));
        json_decref(enc);
    }
    json_decref(note);
    return rc;
}

int check_signed_visit(sw_store *s, int64_t pid, int64_t uid,
                       const char *username, const course_check *k,
                       int64_t since_ms, bool *done, char *missing,
                       sw_err *err)
{
    char patient[80];
    bool found;
    int rc = check_case(s, pid, username, k, patient, &found, done, missing, err);
    if (rc != SW_OK || !found)
        return rc;
    /* The signing's own audit entry names the note it signed. */
    check_ids_query q = { .practice_id = pid, .user_id = uid,
                          .since_ms = since_ms, .res_type = "Composition",
                          .feature = "documentation.sign", .patient = patient };
    check_ids ids;
    if ((rc = check_trainee_ids(s, &q, &ids, err)) != SW_OK)
        return rc;
    sw_arena *a = sw_arena_create(1 << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    int most = 0;
    for (size_t i = 0; i < ids.n && most < k->min_diagnoses; i++) {
        int n;
        if ((rc = visit_diagnoses(s, a, pid, ids.ids[i], patient, &n, err)) != SW_OK)
            break;
        most = n > most ? n : most;
    }
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc;
    *done = ids.n > 0 && most >= k->min_diagnoses;
    if (!*done) {
        char c[80];
        if (ids.n == 0)
            snprintf(missing, CHECK_MISSING_MAX, "The checker found no visit "
                     "you signed%s (documentation.sign).",
                     for_case(k, c, sizeof c));
        else
            snprintf(missing, CHECK_MISSING_MAX, "The checker found no visit "
                     "you signed%s with at least %d diagnoses: the most on "
                     "one was %d.", for_case(k, c, sizeof c),
                     k->min_diagnoses, most);
    }
    return SW_OK;
}
