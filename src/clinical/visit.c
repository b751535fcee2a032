/* visit.c - the visit's Encounter, its coding as Condition and Procedure,
 * and its ChargeItems (see visit.h). */
#include "visit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CONDITION_CATEGORY "http://terminology.hl7.org/CodeSystem/condition-category"
#define CONDITION_VERIFY   "http://terminology.hl7.org/CodeSystem/condition-ver-status"

static const visit_type types[] = {
    { "new-patient", "New patient visit" },
    { "follow-up",   "Follow-up visit" },
    { "acute",       "Acute (sick) visit" },
    { "wellness",    "Annual wellness / preventive visit" },
};

const visit_type *visit_type_find(const char *code)
{
    for (size_t i = 0; code && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].code, code) == 0)
            return &types[i];
    return NULL;
}

static bool mentions(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++)
        if (strncasecmp(p, word, n) == 0)
            return true;
    return false;
}

const visit_type *visit_type_guess(const char *text)
{
    const visit_type *exact = visit_type_find(text);
    if (exact || text == NULL)
        return exact ? exact : &types[1];
    if (mentions(text, "new"))
        return &types[0];
    if (mentions(text, "well") || mentions(text, "annual") || mentions(text, "physical")
        || mentions(text, "prevent") || mentions(text, "check-up")
        || mentions(text, "checkup"))
        return &types[3];
    if (mentions(text, "acute") || mentions(text, "sick") || mentions(text, "urgent")
        || mentions(text, "same day") || mentions(text, "same-day"))
        return &types[2];
    return &types[1];
}

static json_t *ref(const char *type, const char *id)
{
    char r[160];
    snprintf(r, sizeof r, "%s/%s", type, id);
    return json_pack("{s:s}", "reference", r);
}

json_t *visit_encounter(const visit_encounter_in *in)
{
    json_t *e = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:[{s:s, s:s, s:s}], s:s}], s:o}",
        "resourceType", "Encounter", "status", "arrived",
        "class", "system", VISIT_ACT_CODE, "code", "AMB", "display", "ambulatory",
        "type", "coding", "system", VISIT_TYPE_SYSTEM, "code", in->type->code,
        "display", in->type->display,
        "text", in->type_text ? in->type_text : in->type->display,
        "subject", ref("Patient", in->patient_id));
    if (e == NULL)
        return NULL;
    if (in->clinician)
        json_object_set_new(e, "participant", json_pack("[{s:O}]", "individual",
                                                        in->clinician));
    if (in->appointment_id)
        json_object_set_new(e, "appointment", json_pack("[o]",
                            ref("Appointment", in->appointment_id)));
    json_object_set_new(e, "period", json_pack("{s:s}", "start", in->start));
    if (in->reason && in->reason[0])
        json_object_set_new(e, "reasonCode", json_pack("[{s:s}]", "text", in->reason));
    return e;
}

/* ---- Coding ---------------------------------------------------------------- */

static int fail(sw_err *err, const char *fmt, const char *a, size_t i)
{
    char where[64];
    snprintf(where, sizeof where, "%s[%zu]", a, i + 1);
    return sw_err_set(err, SW_EINVAL, fmt, where);
}

static bool only_members(json_t *o, const char *const *names, const char **stranger)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known) {
            *stranger = key;
            return false;
        }
    }
    return true;
}

static int read_diagnoses(json_t *list, visit_coding *out, sw_err *err)
{
    static const char *const members[] = { "code", "display", "rank", NULL };
    if (list == NULL || json_is_null(list))
        return SW_OK;
    if (!json_is_array(list))
        return sw_err_set(err, SW_EINVAL, "\"diagnoses\" must be a list of "
                          "{\"code\"}");
    if (json_array_size(list) > VISIT_MAX_DIAGNOSES)
        return sw_err_set(err, SW_EINVAL, "\"diagnoses\" has at most %d codes",
                          VISIT_MAX_DIAGNOSES);
    json_t *d;
    size_t i;
    json_array_foreach(list, i, d) {
        const char *stranger;
        const char *code = json_string_value(json_object_get(d, "code"));
        if (!json_is_object(d) || code == NULL)
            return fail(err, "%s needs a \"code\" (ICD-10-CM)", "diagnoses", i);
        if (!only_members(d, members, &stranger))
            return sw_err_set(err, SW_EINVAL, "\"%.32s\" is not a member of a "
                              "diagnosis", stranger);
        const code_entry *e = codes_find(CODES_DIAGNOSES, code);
        if (e == NULL)
            return sw_err_set(err, SW_EINVAL, "diagnoses[%zu]: \"%.16s\" is not "
                              "a known ICD-10-CM code", i + 1, code);
        for (size_t k = 0; k < out->ndiagnoses; k++)
            if (out->diagnoses[k] == e)
                return sw_err_set(err, SW_EINVAL, "diagnoses[%zu]: %s is "
                                  "listed twice", i + 1, e->code);
        out->diagnoses[out->ndiagnoses++] = e;
    }
    return SW_OK;
}

static bool modifier_ok(const char *m)
{
    return m && strlen(m) == 2 && isalnum((unsigned char)m[0])
           && isalnum((unsigned char)m[1]);
}

static int read_line(json_t *p, size_t i, size_t ndiagnoses,
                     visit_procedure_line *line, sw_err *err)
{
    static const char *const members[] = { "code", "display", "modifiers",
                                           "units", "diagnoses", NULL };
    const char *stranger;
    const char *code = json_string_value(json_object_get(p, "code"));
    if (!json_is_object(p) || code == NULL)
        return fail(err, "%s needs a \"code\" (CPT or HCPCS)", "procedures", i);
    if (!only_members(p, members, &stranger))
        return sw_err_set(err, SW_EINVAL, "\"%.32s\" is not a member of a "
                          "procedure", stranger);
    line->code = codes_find(CODES_PROCEDURES, code);
    if (line->code == NULL)
        return sw_err_set(err, SW_EINVAL, "procedures[%zu]: \"%.16s\" is not a "
                          "known CPT or HCPCS code", i + 1, code);
    line->system = codes_system(CODES_PROCEDURES, line->code->code);
    json_t *mods = json_object_get(p, "modifiers");
    if (mods && !json_is_null(mods)) {
        if (!json_is_array(mods) || json_array_size(mods) > VISIT_MAX_MODIFIERS)
            return fail(err, "%s: \"modifiers\" must be a list of at most 4 "
                        "codes", "procedures", i);
        json_t *m;
        size_t k;
        json_array_foreach(mods, k, m) {
            const char *s = json_string_value(m);
            if (!modifier_ok(s))
                return fail(err, "%s: a modifier is two letters or digits, "
                            "such as 25", "procedures", i);
            line->modifiers[k][0] = (char)toupper((unsigned char)s[0]);
            line->modifiers[k][1] = (char)toupper((unsigned char)s[1]);
            line->modifiers[k][2] = '\0';
            line->nmodifiers = k + 1;
        }
    }
    json_t *units = json_object_get(p, "units");
    line->units = 1;
    if (units && !json_is_null(units)) {
        if (!json_is_integer(units) || json_integer_value(units) < 1
            || json_integer_value(units) > VISIT_MAX_UNITS)
            return fail(err, "%s: \"units\" must be a whole number from 1 to "
                        "999", "procedures", i);
        line->units = (int)json_integer_value(units);
    }
    json_t *ptrs = json_object_get(p, "diagnoses");
    if (ptrs == NULL || json_is_null(ptrs)) {
        if (ndiagnoses > 0)
            line->pointers[line->npointers++] = 1;
        return SW_OK;
    }
    if (!json_is_array(ptrs) || json_array_size(ptrs) > VISIT_MAX_POINTERS)
        return fail(err, "%s: \"diagnoses\" must be a list of at most 4 "
                    "diagnosis numbers", "procedures", i);
    json_t *v;
    size_t k;
    json_array_foreach(ptrs, k, v) {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        if (n < 1 || (size_t)n > ndiagnoses)
            return fail(err, "%s: \"diagnoses\" points at a diagnosis that is "
                        "not listed (numbers start at 1)", "procedures", i);
        for (size_t j = 0; j < line->npointers; j++)
            if (line->pointers[j] == (int)n)
                return fail(err, "%s: \"diagnoses\" points at the same "
                            "diagnosis twice", "procedures", i);
        line->pointers[line->npointers++] = (int)n;
    }
    return SW_OK;
}

int visit_coding_read(json_t *doc, visit_coding *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = read_diagnoses(json_object_get(doc, "diagnoses"), out, err);
    if (rc != SW_OK)
        return rc;
    json_t *list = json_object_get(doc, "procedures");
    if (list == NULL || json_is_null(list))
        return SW_OK;
    if (!json_is_array(list) || json_array_size(list) > VISIT_MAX_PROCEDURES)
        return sw_err_set(err, SW_EINVAL, "\"procedures\" must be a list of at "
                          "most %d procedures", VISIT_MAX_PROCEDURES);
    json_t *p;
    size_t i;
    json_array_foreach(list, i, p) {
        visit_procedure_line *line = &out->procedures[i];
        if ((rc = read_line(p, i, out->ndiagnoses, line, err)) != SW_OK)
            return rc;
        out->nprocedures = i + 1;
    }
    return SW_OK;
}

json_t *visit_coding_json(const visit_coding *c)
{
    json_t *dx = json_array(), *px = json_array();
    for (size_t i = 0; dx && i < c->ndiagnoses; i++)
        json_array_append_new(dx, json_pack("{s:s, s:s, s:I}", "code",
                              c->diagnoses[i]->code, "display",
                              c->diagnoses[i]->display, "rank", (json_int_t)(i + 1)));
    for (size_t i = 0; px && i < c->nprocedures; i++) {
        const visit_procedure_line *l = &c->procedures[i];
        json_t *mods = json_array(), *ptrs = json_array();
        for (size_t k = 0; mods && k < l->nmodifiers; k++)
            json_array_append_new(mods, json_string(l->modifiers[k]));
        for (size_t k = 0; ptrs && k < l->npointers; k++)
            json_array_append_new(ptrs, json_integer(l->pointers[k]));
        json_array_append_new(px, json_pack("{s:s, s:s, s:s, s:o, s:i, s:o}",
                              "code", l->code->code, "system", l->system,
                              "display", l->code->display, "modifiers", mods,
                              "units", l->units, "diagnoses", ptrs));
    }
    return json_pack("{s:o, s:o}", "diagnoses", dx, "procedures", px);
}

json_t *visit_condition(const code_entry *dx, const char *patient_id,
                        const char *encounter_id, json_t *recorder,
                        const char *at)
{
    /* No clinicalStatus: R4 asks for it on problem-list items only, and
     * without it a visit's diagnosis (an acute bronchitis) does not turn up
     * on the patient's problem list, which keeps its own Conditions. */
    return json_pack("{s:s, s:{s:[{s:s, s:s}]}, "
                     "s:[{s:[{s:s, s:s, s:s}]}], s:{s:[{s:s, s:s, s:s}], s:s}, "
                     "s:o, s:o, s:s, s:O}",
        "resourceType", "Condition",
        "verificationStatus", "coding", "system", CONDITION_VERIFY, "code", "confirmed",
        "category", "coding", "system", CONDITION_CATEGORY, "code",
        "encounter-diagnosis", "display", "Encounter Diagnosis",
        "code", "coding", "system", CODES_ICD10CM_SYSTEM, "code", dx->code,
        "display", dx->display, "text", dx->display,
        "subject", ref("Patient", patient_id),
        "encounter", ref("Encounter", encounter_id),
        "recordedDate", at, "recorder", recorder);
}

/* The billing extensions shared by Procedure and ChargeItem. */
static json_t *billing_extensions(int line_no, const char *const *mods,
                                  size_t nmods, int units)
{
    json_t *ext = json_array();
    if (ext == NULL)
        return NULL;
    if (line_no > 0)
        json_array_append_new(ext, json_pack("{s:s, s:i}", "url", VISIT_EXT_LINE,
                                             "valuePositiveInt", line_no));
    json_array_append_new(ext, json_pack("{s:s, s:i}", "url", VISIT_EXT_UNITS,
                                         "valuePositiveInt", units));
    for (size_t k = 0; k < nmods; k++)
        json_array_append_new(ext, json_pack("{s:s, s:s}", "url",
                              VISIT_EXT_MODIFIER, "valueCode", mods[k]));
    return ext;
}

json_t *visit_procedure(const visit_procedure_line *line, int line_no,
                        const char *patient_id, const char *encounter_id,
                        json_t *performer, const char *at,
                        const char *const *reasons, size_t nreasons)
{
    const char *mods[VISIT_MAX_MODIFIERS];
    for (size_t k = 0; k < line->nmodifiers; k++)
        mods[k] = line->modifiers[k];
    json_t *p = json_pack("{s:s, s:o, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:o, "
                          "s:o, s:s, s:[{s:O}]}",
        "resourceType", "Procedure",
        "extension", billing_extensions(line_no, mods, line->nmodifiers, line->units),
        "status", "completed",
        "code", "coding", "system", line->system, "code", line->code->code,
        "display", line->code->display, "text", line->code->display,
        "subject", ref("Patient", patient_id),
        "encounter", ref("Encounter", encounter_id),
        "performedDateTime", at, "performer", "actor", performer);
    if (p && nreasons > 0) {
        json_t *rs = json_array();
        for (size_t k = 0; rs && k < nreasons; k++)
            json_array_append_new(rs, json_pack("{s:s}", "reference", reasons[k]));
        json_object_set_new(p, "reasonReference", rs);
    }
    return p;
}

bool visit_procedure_read(json_t *procedure, visit_stored_procedure *out)
{
    memset(out, 0, sizeof *out);
    out->units = 1;
    json_t *coding = json_array_get(json_object_get(json_object_get(procedure,
                                    "code"), "coding"), 0);
    out->code = json_string_value(json_object_get(coding, "code"));
    out->system = json_string_value(json_object_get(coding, "system"));
    if (out->code == NULL || out->system == NULL)
        return false;
    const code_entry *known = codes_find(CODES_PROCEDURES, out->code);
    out->display = known ? known->display
                         : json_string_value(json_object_get(coding, "display"));
    if (out->display == NULL)
        out->display = out->code;
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(procedure, "extension"), i, e) {
        const char *url = json_string_value(json_object_get(e, "url"));
        if (url == NULL)
            continue;
        if (strcmp(url, VISIT_EXT_UNITS) == 0)
            out->units = (int)json_integer_value(json_object_get(e, "valuePositiveInt"));
        else if (strcmp(url, VISIT_EXT_LINE) == 0)
            out->line = (int)json_integer_value(json_object_get(e, "valuePositiveInt"));
        else if (strcmp(url, VISIT_EXT_MODIFIER) == 0 && out->nmodifiers < VISIT_MAX_MODIFIERS
                 && json_string_value(json_object_get(e, "valueCode")))
            out->modifiers[out->nmodifiers++] = json_string_value(json_object_get(e, "valueCode"));
    }
    if (out->units < 1)
        out->units = 1;
    json_t *r;
    json_array_foreach(json_object_get(procedure, "reasonReference"), i, r) {
        const char *s = json_string_value(json_object_get(r, "reference"));
        if (s && strncmp(s, "Condition/", 10) == 0 && out->nreasons < VISIT_MAX_POINTERS)
            out->reason_ids[out->nreasons++] = s + 10;
    }
    return true;
}

json_t *visit_charge_item(const visit_charge_in *in)
{
    const visit_stored_procedure *p = in->procedure;
    char service[160];
    snprintf(service, sizeof service, "Procedure/%s", in->procedure_id);
    json_t *c = json_pack("{s:s, s:o, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:o, "
                          "s:o, s:s, s:[{s:O}], s:O, s:s, s:{s:i}, s:[{s:s}]}",
        "resourceType", "ChargeItem",
        "extension", billing_extensions(0, p->modifiers, p->nmodifiers, p->units),
        "status", "billable",
        "code", "coding", "system", p->system, "code", p->code,
        "display", p->display, "text", p->display,
        "subject", ref("Patient", in->patient_id),
        "context", ref("Encounter", in->encounter_id),
        "occurrenceDateTime", in->occurred,
        "performer", "actor", in->performer,
        "enterer", in->enterer, "enteredDate", in->entered,
        "quantity", "value", p->units,
        "service", "reference", service);
    if (c && in->nreasons > 0) {
        json_t *rs = json_array();
        for (size_t k = 0; rs && k < in->nreasons; k++)
            json_array_append_new(rs, json_pack("{s:[{s:s, s:s, s:s}], s:s}",
                                  "coding", "system", CODES_ICD10CM_SYSTEM,
                                  "code", in->reasons[k]->code, "display",
                                  in->reasons[k]->display, "text",
                                  in->reasons[k]->display));
        json_object_set_new(c, "reason", rs);
    }
    return c;
}
