/* course_checks.c - the checks of a course file (course.h, check.h):
 * each kind's members, read and validated with one sentence naming the
 * file and the member, and the table of FHIR types a `record` check may
 * name with the elements that hold their code and status. */
#include "training/course_int.h"

#include <stdio.h>
#include <string.h>

#include "rollout/catalog.h"
#include "training/generate.h"

#define BAD(...) sw_err_set(err, SW_EBADREQUEST, __VA_ARGS__)

/* The types a record check may name, in alphabetical order, with the R4
 * elements holding their code and status: where a resource's code lives
 * differs by type (Immunization.vaccineCode, MedicationStatement.
 * medicationCodeableConcept), and Condition and AllergyIntolerance carry
 * their status as the CodeableConcept clinicalStatus. */
static const course_record_type record_types[] = {
    { "AllergyIntolerance",  "code",                      "clinicalStatus", true },
    { "ChargeItem",          "code",                      "status",         false },
    { "Communication",       "category",                  "status",         false },
    { "Composition",         "type",                      "status",         false },
    { "Condition",           "code",                      "clinicalStatus", true },
    { "DiagnosticReport",    "code",                      "status",         false },
    { "Encounter",           "type",                      "status",         false },
    { "Immunization",        "vaccineCode",               "status",         false },
    { "MedicationRequest",   "medicationCodeableConcept", "status",         false },
    { "MedicationStatement", "medicationCodeableConcept", "status",         false },
    { "Observation",         "code",                      "status",         false },
    { "Procedure",           "code",                      "status",         false },
    { "ServiceRequest",      "code",                      "status",         false },
};

const course_record_type *course_record_type_find(const char *type)
{
    for (size_t i = 0; type && i < sizeof record_types / sizeof record_types[0]; i++)
        if (strcmp(record_types[i].type, type) == 0)
            return &record_types[i];
    return NULL;
}

/* The cases a check may name: the trainee's practice patients
 * (training/generate.h). */
static bool known_case(const char *c)
{
    static const char *const cases[] = {
        TRAINING_CASE_PENICILLIN, TRAINING_CASE_DIABETES, TRAINING_CASE_PENDING,
        TRAINING_CASE_RECONCILE, TRAINING_CASE_REGISTRATION, NULL };
    for (size_t i = 0; cases[i]; i++)
        if (strcmp(cases[i], c) == 0)
            return true;
    return false;
}

/* Member `key` of o, when present, a whole number from lo to hi into *out
 * (left as it is when absent). */
static int get_count(const char *file, const char *path, json_t *o,
                     const char *key, int lo, int hi, int *out, sw_err *err)
{
    json_t *m = json_object_get(o, key);
    if (m == NULL)
        return SW_OK;
    if (!json_is_integer(m) || json_integer_value(m) < lo
        || json_integer_value(m) > hi)
        return BAD("%s: %s%s must be a whole number from %d to %d", file,
                   path, key, lo, hi);
    *out = (int)json_integer_value(m);
    return SW_OK;
}

/* The members each kind takes: another kind's member is a mistake the
 * author should see, not something silently ignored. */
static const char *const audit_members[] = { "kind", "feature", "case", "detail", "min", NULL };
static const char *const registered_members[] = { "kind", "name_prefix", NULL };
static const char *const record_members[] = { "kind", "type", "case", "code", "status", "min", NULL };
static const char *const signed_members[] = { "kind", "case", "min_diagnoses", NULL };

static int parse_audit(const char *file, const char *path, json_t *o,
                       course_check *c, sw_err *err)
{
    int rc;
    c->kind = COURSE_CHECK_AUDIT;
    if ((rc = course_get_str(file, path, o, "feature", true, c->feature, sizeof c->feature, err)) != SW_OK
        || (rc = course_get_str(file, path, o, "detail", false, c->detail, sizeof c->detail, err)) != SW_OK)
        return rc;
    char module[32];
    const char *dot = strchr(c->feature, '.');
    size_t ml = dot ? (size_t)(dot - c->feature) : 0;
    if (dot == NULL || ml >= sizeof module || dot[1] == '\0')
        return BAD("%s: %sfeature must be \"module.action\"", file, path);
    memcpy(module, c->feature, ml);
    module[ml] = '\0';
    if (!catalog_is_module(module))
        return BAD("%s: %sfeature names no module of the catalog", file, path);
    return get_count(file, path, o, "min", 1, 100, &c->min, err);
}

static int parse_record(const char *file, const char *path, json_t *o,
                        course_check *c, sw_err *err)
{
    int rc;
    c->kind = COURSE_CHECK_RECORD;
    if ((rc = course_get_str(file, path, o, "type", true, c->res_type, sizeof c->res_type, err)) != SW_OK
        || (rc = course_get_str(file, path, o, "code", false, c->code, sizeof c->code, err)) != SW_OK
        || (rc = course_get_str(file, path, o, "status", false, c->status, sizeof c->status, err)) != SW_OK)
        return rc;
    if (course_record_type_find(c->res_type) == NULL) {
        char list[400] = "";
        size_t n = 0;
        for (size_t i = 0; i < sizeof record_types / sizeof record_types[0]
                           && n < sizeof list; i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                                  i ? ", " : "", record_types[i].type);
        return BAD("%s: %stype '%s' is not a type a record check reads (%s)",
                   file, path, c->res_type, list);
    }
    const char *bar = strchr(c->code, '|');
    if (bar && (bar == c->code || bar[1] == '\0' || strchr(bar + 1, '|')))
        return BAD("%s: %scode must be \"system|code\" or a code alone", file, path);
    return get_count(file, path, o, "min", 1, 100, &c->min, err);
}

int course_parse_check(const char *file, const char *path, json_t *o,
                       course_check *c, sw_err *err)
{
    char kind[32];
    int rc;
    if (!json_is_object(o))
        return BAD("%s: %s must be an object", file, path);
    memset(c, 0, sizeof *c);
    c->min = 1;
    c->min_diagnoses = 1;
    if ((rc = course_get_str(file, path, o, "kind", true, kind, sizeof kind, err)) != SW_OK)
        return rc;
    const char *const *names = strcmp(kind, "audit") == 0 ? audit_members
        : strcmp(kind, "registered_patient") == 0 ? registered_members
        : strcmp(kind, "record") == 0 ? record_members
        : strcmp(kind, "signed_visit") == 0 ? signed_members : NULL;
    if (names == NULL)
        return BAD("%s: %skind must be \"audit\", \"registered_patient\", "
                   "\"record\" or \"signed_visit\"", file, path);
    /* kind is one of the four above, so what always fits. */
    char what[48];
    snprintf(what, sizeof what, "%s \"%s\" check",
             kind[0] == 'a' ? "an" : "a", kind);
    if ((rc = course_only_members(file, path, o, names, what, err)) != SW_OK
        || (rc = course_get_str(file, path, o, "case", false, c->case_id,
                         sizeof c->case_id, err)) != SW_OK)
        return rc;
    if (c->case_id[0] && !known_case(c->case_id))
        return BAD("%s: %scase '%s' is not a practice case (%s, %s, %s, %s, %s)",
                   file, path, c->case_id, TRAINING_CASE_PENICILLIN,
                   TRAINING_CASE_DIABETES, TRAINING_CASE_PENDING,
                   TRAINING_CASE_RECONCILE, TRAINING_CASE_REGISTRATION);
    if (names == audit_members)
        return parse_audit(file, path, o, c, err);
    if (names == record_members)
        return parse_record(file, path, o, c, err);
    if (names == signed_members) {
        c->kind = COURSE_CHECK_SIGNED_VISIT;
        return get_count(file, path, o, "min_diagnoses", 1, 12,
                         &c->min_diagnoses, err);
    }
    c->kind = COURSE_CHECK_REGISTERED_PATIENT;
    return course_get_str(file, path, o, "name_prefix", true, c->name_prefix,
                   sizeof c->name_prefix, err);
}
