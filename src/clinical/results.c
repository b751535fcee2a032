/* results.c - flags, checks and the FHIR resources of orders and results
 * (see results.h). Resources are small (a dozen members), so they are
 * built as jansson trees and written with 15 significant digits, which
 * keeps a value such as 7.2 as 7.2. */
#include "results.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinical/fhir_read.h"

#define OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"

/* ---- Checks ----------------------------------------------------------------- */

int results_order_check(const order_new *o, sw_err *err)
{
    static const char *const priorities[] = { "routine", "urgent", "stat" };
    bool known = false;
    for (size_t i = 0; o->priority && i < 3; i++)
        known = known || strcmp(o->priority, priorities[i]) == 0;
    if (!known)
        return sw_err_set(err, SW_EINVAL, "\"priority\" must be routine, "
                          "urgent or stat");
    if (o->reason && !clinical_visible_text(o->reason, RESULTS_SHORT_MAX, false))
        return sw_err_set(err, SW_EINVAL, "\"reason\" must be 1 to %d "
                          "characters on one line", RESULTS_SHORT_MAX);
    if (o->note && !clinical_visible_text(o->note, RESULTS_TEXT_MAX, true))
        return sw_err_set(err, SW_EINVAL, "\"note\" must be 1 to %d "
                          "characters", RESULTS_TEXT_MAX);
    return SW_OK;
}

bool results_status_ok(const char *status)
{
    static const char *const ok[] = { "final", "preliminary", "corrected", "amended" };
    for (size_t i = 0; status && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(status, ok[i]) == 0)
            return true;
    return false;
}

int results_value_check(const result_value *v, size_t which, sw_err *err)
{
    if (v->code == NULL || !clinical_visible_text(v->code, 64, false) || strpbrk(v->code, " \t"))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].code\" must be "
                          "a code of 1 to 64 characters without spaces", which);
    if (v->system && (!clinical_visible_text(v->system, 200, false) || strpbrk(v->system, " \t")))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].system\" must "
                          "be a URI", which);
    if (!clinical_visible_text(v->display, RESULTS_SHORT_MAX, false))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].display\" must "
                          "be 1 to %d characters on one line", which,
                          RESULTS_SHORT_MAX);
    if (v->is_number && !isfinite(v->number))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].value\" must be "
                          "a finite number", which);
    if (!v->is_number && !clinical_visible_text(v->text, RESULTS_TEXT_MAX, true))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].value\" must be "
                          "a number or 1 to %d characters of text", which,
                          RESULTS_TEXT_MAX);
    if (v->unit && (!clinical_visible_text(v->unit, 40, false) || strpbrk(v->unit, " \t")))
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].unit\" must be "
                          "a UCUM unit of 1 to 40 characters", which);
    if (v->has_low && v->has_high && v->low > v->high)
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].low\" must not "
                          "be above \"high\"", which);
    if (v->has_critical_low && v->has_low && v->critical_low > v->low)
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].critical_low\" "
                          "must not be above \"low\"", which);
    if (v->has_critical_high && v->has_high && v->critical_high < v->high)
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].critical_high\" "
                          "must not be below \"high\"", which);
    if (v->has_critical_low && v->has_critical_high
        && v->critical_low > v->critical_high)
        return sw_err_set(err, SW_EINVAL, "\"observations[%zu].critical_low\" "
                          "must not be above \"critical_high\"", which);
    return SW_OK;
}

/* ---- Flags ------------------------------------------------------------------ */

const char *results_flag(const result_value *v)
{
    if (!v->is_number)
        return "";
    if (v->has_critical_low && v->number < v->critical_low)
        return "LL";
    if (v->has_critical_high && v->number > v->critical_high)
        return "HH";
    if (v->has_low && v->number < v->low)
        return "L";
    if (v->has_high && v->number > v->high)
        return "H";
    if (v->has_low || v->has_high || v->has_critical_low || v->has_critical_high)
        return "N";
    return "";
}

const char *results_flag_display(const char *flag)
{
    static const struct { const char *code, *display; } names[] = {
        { "N", "Normal" }, { "H", "High" }, { "L", "Low" },
        { "HH", "Critical high" }, { "LL", "Critical low" },
    };
    for (size_t i = 0; flag && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, flag) == 0)
            return names[i].display;
    return NULL;
}

void results_apply_defaults(result_value *v)
{
    if (v->system && strcmp(v->system, ORDERS_LOINC) != 0)
        return;
    const order_item *it = orders_catalog_find(v->code);
    if (it == NULL || it->unit == NULL || !v->is_number)
        return;
    /* A range is the laboratory's as a whole: a partial one is not mixed
     * with the defaults, and a unit other than the catalog's means the
     * defaults do not apply at all. */
    if (v->unit && strcmp(v->unit, it->unit) != 0)
        return;
    if (v->has_low || v->has_high || v->has_critical_low || v->has_critical_high)
        return;
    v->unit = it->unit;
    v->has_low = v->has_high = it->has_range;
    v->low = it->low;
    v->high = it->high;
    v->has_critical_low = it->has_critical_low;
    v->critical_low = it->critical_low;
    v->has_critical_high = it->has_critical_high;
    v->critical_high = it->critical_high;
}

/* ---- Building --------------------------------------------------------------- */

static json_t *number(double d)
{
    /* Whole numbers stay integers in the JSON ("5", not "5.0"). */
    if (d == floor(d) && fabs(d) < 1e15)
        return json_integer((json_int_t)d);
    return json_real(d);
}

static json_t *quantity(double value, const char *unit)
{
    json_t *q = json_pack("{s:o}", "value", number(value));
    if (q && unit) {
        json_object_set_new(q, "unit", json_string(unit));
        json_object_set_new(q, "system", json_string(RESULTS_UCUM));
        json_object_set_new(q, "code", json_string(unit));
    }
    return q;
}

static json_t *coding(const char *system, const char *code, const char *display)
{
    return json_pack("{s:[{s:s, s:s, s:s}]}", "coding", "system", system,
                     "code", code, "display", display);
}

static json_t *reference(const char *type, const char *id)
{
    size_t n = strlen(type) + strlen(id) + 2;
    char *s = malloc(n);
    if (s == NULL)
        return NULL;
    strcpy(s, type);
    strcat(s, "/");
    strcat(s, id);
    json_t *r = json_pack("{s:s}", "reference", s);
    free(s);
    return r;
}

static json_t *parsed(const char *text)
{
    return text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

/* Writes doc (consumed) into out; SW_ENOMEM when doc is NULL. */
static int finish(json_t *doc, bool ok, sw_buf *out)
{
    char *text = ok && doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER
                                        | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    if (text == NULL)
        return SW_ENOMEM;
    int rc = sw_buf_append(out, text, strlen(text));
    free(text);
    return rc;
}

int results_order_resource(const order_new *o, sw_buf *out)
{
    bool lab = o->item->category == ORDER_LAB;
    json_t *doc = json_pack("{s:s, s:s, s:s, s:[o], s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:o}",
        "resourceType", "ServiceRequest", "status", "active", "intent", "order",
        "category", coding(RESULTS_SNOMED,
                           lab ? RESULTS_CAT_LAB_CODE : RESULTS_CAT_IMG_CODE,
                           lab ? RESULTS_CAT_LAB_DISPLAY : RESULTS_CAT_IMG_DISPLAY),
        "priority", o->priority,
        "code", "coding", "system", ORDERS_LOINC, "code", o->item->code,
        "display", o->item->display, "text", o->item->display,
        "subject", reference("Patient", o->patient_id));
    bool ok = doc != NULL;
    if (ok && o->encounter_id)
        ok = json_object_set_new(doc, "encounter",
                                 reference("Encounter", o->encounter_id)) == 0;
    if (ok)
        ok = json_object_set_new(doc, "authoredOn", json_string(o->authored)) == 0;
    json_t *req = parsed(o->requester_json);
    if (ok && req)
        ok = json_object_set_new(doc, "requester", req) == 0;
    else
        json_decref(req);
    if (ok && o->reason)
        ok = json_object_set_new(doc, "reasonCode",
                                 json_pack("[{s:s}]", "text", o->reason)) == 0;
    if (ok && o->note)
        ok = json_object_set_new(doc, "note", json_pack("[{s:s, s:s}]", "time",
                                 o->authored, "text", o->note)) == 0;
    return finish(doc, ok, out);
}

/* What an Observation and its DiagnosticReport both carry: the visit,
 * when, and who filed it. */
static bool set_context(json_t *doc, const result_report *r)
{
    bool ok = true;
    if (r->encounter_id)
        ok = json_object_set_new(doc, "encounter",
                                 reference("Encounter", r->encounter_id)) == 0;
    if (ok)
        ok = json_object_set_new(doc, "effectiveDateTime", json_string(r->issued)) == 0
             && json_object_set_new(doc, "issued", json_string(r->issued)) == 0;
    json_t *perf = parsed(r->performer_json);
    if (ok && perf)
        ok = json_object_set_new(doc, "performer", json_pack("[o]", perf)) == 0;
    else
        json_decref(perf);
    return ok;
}

int results_observation_resource(const result_report *r, const result_value *v,
                                 sw_buf *out)
{
    const char *system = v->system ? v->system : ORDERS_LOINC;
    json_t *doc = json_pack("{s:s, s:s, s:[o], s:{s:[{s:s, s:s, s:s}], s:s}, s:o}",
        "resourceType", "Observation", "status", r->status,
        "category", coding(OBS_CATEGORY, r->imaging ? "imaging" : "laboratory",
                           r->imaging ? "Imaging" : "Laboratory"),
        "code", "coding", "system", system, "code", v->code, "display",
        v->display, "text", v->display,
        "subject", reference("Patient", r->patient_id));
    bool ok = doc != NULL && set_context(doc, r);
    if (ok && v->is_number)
        ok = json_object_set_new(doc, "valueQuantity", quantity(v->number, v->unit)) == 0;
    else if (ok)
        ok = json_object_set_new(doc, "valueString", json_string(v->text)) == 0;
    const char *flag = results_flag(v);
    if (ok && flag[0])
        ok = json_object_set_new(doc, "interpretation", json_pack("[o]",
                                 coding(RESULTS_INTERPRETATION, flag,
                                        results_flag_display(flag)))) == 0;
    if (ok && (v->has_low || v->has_high)) {
        json_t *range = json_object();
        if (range && v->has_low)
            json_object_set_new(range, "low", quantity(v->low, v->unit));
        if (range && v->has_high)
            json_object_set_new(range, "high", quantity(v->high, v->unit));
        ok = json_object_set_new(doc, "referenceRange", json_pack("[o]", range)) == 0;
    }
    return finish(doc, ok, out);
}

int results_report_resource(const result_report *r,
                            const char *const *result_refs, size_t n,
                            sw_buf *out)
{
    json_t *code = parsed(r->code_json);
    json_t *doc = json_pack("{s:s, s:[{s:o}], s:s, s:[o], s:o, s:o}",
        "resourceType", "DiagnosticReport",
        "basedOn", "reference", json_pack("s+", "ServiceRequest/", r->order_id),
        "status", r->status,
        "category", coding(RESULTS_V2_0074, r->imaging ? "RAD" : "LAB",
                           r->imaging ? "Radiology" : "Laboratory"),
        "code", code ? code : json_pack("{s:s}", "text", "Result"),
        "subject", reference("Patient", r->patient_id));
    bool ok = doc != NULL && set_context(doc, r);
    if (ok && n > 0) {
        json_t *refs = json_array();
        for (size_t i = 0; refs && i < n; i++)
            json_array_append_new(refs, json_pack("{s:s}", "reference", result_refs[i]));
        ok = json_object_set_new(doc, "result", refs) == 0;
    }
    if (ok && r->conclusion)
        ok = json_object_set_new(doc, "conclusion", json_string(r->conclusion)) == 0;
    return finish(doc, ok, out);
}

/* ---- Reading ---------------------------------------------------------------- */

const char *results_ref_id(json_t *ref, const char *type)
{
    const char *s = json_string_value(json_object_get(ref, "reference"));
    size_t n = strlen(type);
    if (s == NULL || strncmp(s, type, n) != 0 || s[n] != '/')
        return NULL;
    return s + n + 1;
}

const char *results_concept_text(json_t *concept)
{
    const char *text = json_string_value(json_object_get(concept, "text"));
    json_t *c = json_array_get(json_object_get(concept, "coding"), 0);
    if (text == NULL)
        text = json_string_value(json_object_get(c, "display"));
    if (text == NULL)
        text = json_string_value(json_object_get(c, "code"));
    return text ? text : "";
}
