/* immunizations.c - the immunization record's rules and its FHIR (see
 * immunizations.h). The code tables below are copied from the R4 value
 * sets named in the header (hl7.org/fhir/R4/valueset-immunization-*.html),
 * with their displays. */
#include "immunizations.h"

#include <stdio.h>
#include <string.h>

#include "clinical/fhir_read.h"
#include "clinical/problems.h"
#include "clinical/vaccines.h"
#include "fhir/fhirdate.h"
#include "fhir/write.h"

#define ACT_SITE   "http://terminology.hl7.org/CodeSystem/v3-ActSite"
#define ROUTE      "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
#define ACT_REASON "http://terminology.hl7.org/CodeSystem/v3-ActReason"
#define FUNCTION   "http://terminology.hl7.org/CodeSystem/v2-0443"
#define UCUM       "http://unitsofmeasure.org"

static const immunization_code sites[] = {
    { "LA", "left arm" },
    { "RA", "right arm" },
    { NULL, NULL },
};

static const immunization_code routes[] = {
    { "IDINJ",    "Injection, intradermal" },
    { "IM",       "Injection, intramuscular" },
    { "NASINHLC", "Inhalation, nasal" },
    { "IVINJ",    "Injection, intravenous" },
    { "PO",       "Swallow, oral" },
    { "SQ",       "Injection, subcutaneous" },
    { "TRNSDERM", "Transdermal" },
    { NULL, NULL },
};

static const immunization_code reasons[] = {
    { "IMMUNE",  "immunity" },
    { "MEDPREC", "medical precaution" },
    { "OSTOCK",  "product out of stock" },
    { "PATOBJ",  "patient objection" },
    { NULL, NULL },
};

static const immunization_code *find(const immunization_code *t,
                                     const char *code)
{
    for (; code && t->code; t++)
        if (strcmp(t->code, code) == 0)
            return t;
    return NULL;
}

const immunization_code *immunization_site(const char *c) { return find(sites, c); }
const immunization_code *immunization_route(const char *c) { return find(routes, c); }
const immunization_code *immunization_reason(const char *c) { return find(reasons, c); }

int immunization_check(const immunization_input *in, int64_t now_ms,
                       const char *birth_date, sw_err *err)
{
    if (in->cvx == NULL || vaccine_find(in->cvx) == NULL)
        return sw_err_set(err, SW_EINVAL, "\"cvx\" must be the CVX code of a "
                          "vaccine of GET /api/vaccines");
    if (in->status == NULL || (strcmp(in->status, "completed") != 0
                               && strcmp(in->status, "not-done") != 0))
        return sw_err_set(err, SW_EINVAL, "\"status\" must be completed or "
                          "not-done");
    int64_t low;
    if (in->date == NULL || !problem_past_date(in->date, now_ms, &low))
        return sw_err_set(err, SW_EINVAL, "\"date\" must be a date "
                          "(2026-10-01) or date-time with a time zone, not in "
                          "the future");
    int64_t birth_low, birth_high, high;
    if (birth_date && fhir_date_range(birth_date, &birth_low, &birth_high)
        && fhir_date_range(in->date, &low, &high) && high < birth_low)
        return sw_err_set(err, SW_EINVAL, "\"date\" is before the patient's "
                          "birth date (%s)", birth_date);
    bool given = strcmp(in->status, "completed") == 0;
    if (given && in->reason_not_done)
        return sw_err_set(err, SW_EINVAL, "\"reason_not_done\" belongs to "
                          "status not-done");
    if (!given && immunization_reason(in->reason_not_done) == NULL)
        return sw_err_set(err, SW_EINVAL, "\"reason_not_done\" must be IMMUNE, "
                          "MEDPREC, OSTOCK or PATOBJ when the vaccine was not "
                          "given");
    if (!given && (in->lot || in->site || in->route || in->dose_ml > 0))
        return sw_err_set(err, SW_EINVAL, "\"%s\" describes a dose given: "
                          "leave it out with status not-done",
                          in->lot ? "lot" : in->site ? "site"
                          : in->route ? "route" : "dose_ml");
    if (in->lot && !clinical_plain_text(in->lot, IMMUNIZATION_LOT_MAX, false))
        return sw_err_set(err, SW_EINVAL, "\"lot\" must be 1 to %d characters "
                          "on one line", IMMUNIZATION_LOT_MAX);
    if (in->site && immunization_site(in->site) == NULL)
        return sw_err_set(err, SW_EINVAL, "\"site\" must be LA (left arm) or "
                          "RA (right arm)");
    if (in->route && immunization_route(in->route) == NULL)
        return sw_err_set(err, SW_EINVAL, "\"route\" must be one of IDINJ, IM, "
                          "NASINHLC, IVINJ, PO, SQ, TRNSDERM");
    if (in->dose_number < 0 || in->dose_number > IMMUNIZATION_DOSE_NUMBER_MAX)
        return sw_err_set(err, SW_EINVAL, "\"dose_number\" must be a whole "
                          "number from 1 to %d", IMMUNIZATION_DOSE_NUMBER_MAX);
    if (in->dose_ml < 0 || in->dose_ml > IMMUNIZATION_DOSE_ML_MAX)
        return sw_err_set(err, SW_EINVAL, "\"dose_ml\" must be a volume in mL "
                          "above 0 and at most 10");
    if (in->note && !clinical_plain_text(in->note, IMMUNIZATION_NOTE_MAX, true))
        return sw_err_set(err, SW_EINVAL, "\"note\" must be 1 to %d "
                          "characters", IMMUNIZATION_NOTE_MAX);
    return SW_OK;
}

static void concept(sw_jw *w, const char *key, const char *system,
                    const char *code, const char *display, const char *text)
{
    sw_jw_key(w, key);
    fhir_write_concept(w, system, code, display, text);
}

int immunization_resource(const immunization_input *in,
                          const char *patient_id, const char *performer,
                          sw_buf *out)
{
    const vaccine *v = vaccine_find(in->cvx);
    bool given = strcmp(in->status, "completed") == 0;
    char ref[96];
    snprintf(ref, sizeof ref, "Patient/%s", patient_id);
    sw_jw w;
    sw_jw_init(&w, out);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "Immunization");
    sw_jw_key(&w, "status");
    sw_jw_string(&w, in->status);
    if (!given) {
        const immunization_code *r = immunization_reason(in->reason_not_done);
        concept(&w, "statusReason", ACT_REASON, r->code, r->display, NULL);
    }
    concept(&w, "vaccineCode", VACCINE_CVX_SYSTEM, v->cvx, v->display,
            v->display);
    sw_jw_key(&w, "patient");
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "reference");
    sw_jw_string(&w, ref);
    sw_jw_object_end(&w);
    sw_jw_key(&w, "occurrenceDateTime");
    sw_jw_string(&w, in->date);
    sw_jw_key(&w, "primarySource");
    sw_jw_bool(&w, true);
    if (in->lot) {
        sw_jw_key(&w, "lotNumber");
        sw_jw_string(&w, in->lot);
    }
    if (in->site) {
        const immunization_code *s = immunization_site(in->site);
        concept(&w, "site", ACT_SITE, s->code, s->display, NULL);
    }
    if (in->route) {
        const immunization_code *r = immunization_route(in->route);
        concept(&w, "route", ROUTE, r->code, r->display, NULL);
    }
    if (in->dose_ml > 0) {
        char num[32];
        snprintf(num, sizeof num, "%.6g", in->dose_ml);
        sw_jw_key(&w, "doseQuantity");
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "value");
        sw_jw_number(&w, num);
        sw_jw_key(&w, "unit");
        sw_jw_string(&w, "mL");
        sw_jw_key(&w, "system");
        sw_jw_string(&w, UCUM);
        sw_jw_key(&w, "code");
        sw_jw_string(&w, "mL");
        sw_jw_object_end(&w);
    }
    sw_jw_key(&w, "performer");
    sw_jw_array_begin(&w);
    sw_jw_object_begin(&w);
    if (given)
        concept(&w, "function", FUNCTION, "AP", "Administering Provider", NULL);
    sw_jw_key(&w, "actor");
    sw_jw_raw(&w, performer, strlen(performer));
    sw_jw_object_end(&w);
    sw_jw_array_end(&w);
    if (in->note)
        fhir_write_note(&w, in->note);
    if (in->dose_number > 0) {
        sw_jw_key(&w, "protocolApplied");
        sw_jw_array_begin(&w);
        sw_jw_object_begin(&w);
        sw_jw_key(&w, "doseNumberPositiveInt");
        sw_jw_int(&w, in->dose_number);
        sw_jw_object_end(&w);
        sw_jw_array_end(&w);
    }
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

void immunization_vaccine(const sw_json *r, const char **cvx,
                          const char **display)
{
    const sw_json *cc = sw_json_get(r, "vaccineCode");
    const sw_json *cvx_coding = clinical_coding_of(cc, VACCINE_CVX_SYSTEM);
    *cvx = cvx_coding ? sw_json_get_string(cvx_coding, "code") : NULL;
    *display = cvx_coding ? sw_json_get_string(cvx_coding, "display") : NULL;
    if (*display == NULL && cc)
        *display = sw_json_get_string(cc, "text");
    if (*display == NULL && *cvx) {
        const vaccine *v = vaccine_find(*cvx);
        *display = v ? v->display : NULL;
    }
}

const char *immunization_date(const sw_json *r)
{
    const char *s = sw_json_get_string(r, "occurrenceDateTime");
    return s ? s : sw_json_get_string(r, "occurrenceString");
}

int64_t immunization_when(const sw_json *r)
{
    const char *s = sw_json_get_string(r, "occurrenceDateTime");
    int64_t low, high;
    if (s && fhir_date_range(s, &low, &high))
        return low;
    return INT64_MIN;
}
