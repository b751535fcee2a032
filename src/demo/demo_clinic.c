/* demo_clinic.c - the demo practice's clinical side: its clinicians as FHIR
 * Practitioners, three patients of its own with a history to look at (an
 * allergy worth an alert, problems, medications, a year of vitals), and a
 * clinic day booked for today whenever the demo is served.
 *
 * Everything goes through the same FHIR transaction code as any client's
 * writes, so it is validated, indexed and audited like them (as the
 * operator "demo"). The imported Synthea patients (`make run`) add years
 * of history; today's schedule mixes them with the demo's own. Codes used
 * here are the ones the product's tables ship (RxNorm, ICD-10-CM, LOINC,
 * SNOMED CT); see docs/workflows.md. */
#include "demo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinical/allergies.h"
#include "clinical/inbox.h"
#include "clinical/orders_catalog.h"
#include "clinical/results.h"
#include "clinical/seed_build.h"
#include "clinical/vitals.h"
#include "core/arena.h"
#include "core/clock.h"
#include "fhir/bundle.h"
#include "fhir/resources.h"

#define RXNORM  "http://www.nlm.nih.gov/research/umls/rxnorm"
#define MRN     "urn:stagewise:mrn"
#define USERSYS "urn:stagewise:user"
#define NPI     "http://hl7.org/fhir/sid/us-npi"

/* The clinicians, as demo.c links their accounts. Their NPIs are made up
 * but pass the NPI check digit, so the demo's charges reach the PMS
 * simulator (docs/hl7-interface.md). */
static const struct clinician {
    const char *practitioner, *username, *family, *given, *prefix, *display, *npi;
} clinicians[] = {
    { DEMO_PRACTITIONER_RIVERA, "dr.rivera", "Rivera", "Ana", "Dr.", "Dr. Ana Rivera",
      "1234567893" },
    { DEMO_PRACTITIONER_CHEN,   "np.chen",   "Chen",   "Li",  NULL,  "Li Chen, NP",
      "1987654328" },
    { DEMO_PRACTITIONER_OSEI,   "dr.osei",   "Osei",   "Kwame", "Dr.", "Dr. Kwame Osei",
      "1234567901" },
    { DEMO_PRACTITIONER_BROOKS, "pa.brooks", "Brooks", "Taylor", NULL, "Taylor Brooks, PA-C",
      "1987654310" },
};

static const struct patient {
    const char *id, *family, *given, *gender, *birth, *mrn, *phone;
} patients[] = {
    { "demo-maria", "Lopez",  "Maria", "female", "1958-03-14", "D1001", "5550101" },
    { "demo-james", "Carter", "James", "male",   "1971-07-02", "D1002", "5550102" },
    { "demo-sofia", "Nguyen", "Sofia", "female", "1994-11-20", "D1003", "5550103" },
};

/* Runs one transaction Bundle (JSON text) as the operator "demo", with a
 * hook for rows of the demo's own in the same transaction (may be NULL). */
static int run_after(sw_store *s, const char *text, size_t len,
                     int (*after)(store_tx *, void *, const fhir_bundle_written *,
                                  size_t),
                     void *after_arg, sw_err *err)
{
    sw_arena *a = sw_arena_create(64u << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    audit_who who;
    audit_cli_who(&who, DEMO_PRACTICE_ID);
    who.username = "demo";
    fhir_bundle_opts opts = { .practice_id = DEMO_PRACTICE_ID, .who = &who,
                              .base = "urn:stagewise:demo", .minimal = true,
                              .after = after, .after_arg = after_arg };
    fhir_issues *issues = sw_arena_calloc(a, 1, sizeof *issues);
    sw_json *bundle;
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = issues ? sw_json_parse(a, text, len, &bundle, err) : SW_ENOMEM;
    if (rc == SW_OK && (fhir_validate(a, bundle, 0, issues) != SW_OK
                        || issues->errors > 0))
        rc = sw_err_set(err, SW_EINTERNAL, "the demo's FHIR is not valid: %s",
                        issues->count ? issues->items[0].message : "?");
    if (rc == SW_OK) {
        memset(issues, 0, sizeof *issues);
        rc = fhir_bundle_process(s, a, bundle, &opts, &out, issues);
        if (rc != SW_OK)
            sw_err_set(err, rc, "the demo could not be stored: %s",
                       issues->count ? issues->items[0].message : "?");
    }
    sw_buf_free(&out);
    sw_arena_destroy(a);
    return rc;
}

static int run_text(sw_store *s, const char *text, size_t len, sw_err *err)
{
    return run_after(s, text, len, NULL, NULL, err);
}

static int run_json(sw_store *s, json_t *bundle, sw_err *err)
{
    char *text = json_dumps(bundle, JSON_COMPACT);
    json_decref(bundle);
    if (text == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    int rc = run_text(s, text, strlen(text), err);
    free(text);
    return rc;
}

static void post_text(json_t *bundle, const char *text)
{
    json_t *r = json_loads(text, 0, NULL);
    if (r != NULL)
        json_array_append_new(json_object_get(bundle, "entry"),
                              json_pack("{s:o, s:{s:s, s:s}}", "resource", r,
                                        "request", "method", "POST", "url",
                                        json_string_value(json_object_get(r, "resourceType"))));
}

static json_t *clinician_ref(const struct clinician *c)
{
    char ref[96];
    snprintf(ref, sizeof ref, "Practitioner/%s", c->practitioner);
    return json_pack("{s:s, s:{s:s, s:s}, s:s}", "reference", ref,
                     "identifier", "system", USERSYS, "value", c->username,
                     "display", c->display);
}

/* Body weight and blood pressure every quarter for a year, through the
 * vitals workflow's own resource builder, so the chart has a trend. */
static int vitals_history(sw_store *s, const char *patient, double weight0,
                          double step, int systolic0, int64_t now_ms, sw_err *err)
{
    int rc = SW_OK;
    for (int q = 4; rc == SW_OK && q >= 0; q--) {
        vitals_set v = {
            .has_height = true, .height_cm = 172, .has_weight = true,
            .weight_kg = weight0 + step * (4 - q), .has_bp = true,
            .systolic = systolic0 - 3 * (4 - q), .diastolic = 84 - (4 - q),
            .has_heart_rate = true, .heart_rate = 72 + q,
            .smoking = q == 4 ? "former" : NULL,
        };
        char when[SW_TIME_ISO_MAX];
        sw_time_iso(now_ms - (int64_t)q * 91 * 86400000 - 3 * 86400000, when);
        sw_buf b = SW_BUF_INIT(64 * 1024);
        rc = vitals_bundle(&v, patient, NULL, when, &b) == SW_OK
           ? run_text(s, sw_buf_str(&b), b.len, err)
           : sw_err_set(err, SW_ENOMEM, "out of memory");
        sw_buf_free(&b);
    }
    return rc;
}

static int allergy(sw_store *s, const allergy_input *in, const char *patient,
                   sw_err *err)
{
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    sw_buf r = SW_BUF_INIT(16 * 1024);
    int rc = allergy_resource(in, patient, now, &r);
    if (rc == SW_OK) {
        json_t *b = seed_transaction();
        post_text(b, sw_buf_str(&r));
        rc = run_json(s, b, err);
    } else {
        rc = sw_err_set(err, SW_ENOMEM, "out of memory");
    }
    sw_buf_free(&r);
    return rc;
}

/* ---- A result waiting for review ------------------------------------------ */

#define A1C_ORDER  "demo-james-a1c"
#define A1C_VALUE  "demo-james-a1c-1"
#define A1C_REPORT "demo-james-a1c-report"

/* The result's inbox item for Dr. Rivera, who ordered it. */
static int a1c_inbox(store_tx *tx, void *arg, const fhir_bundle_written *w,
                     size_t n)
{
    (void)arg, (void)w, (void)n;
    int64_t user_id = 0;
    int rc = store_query_int64(tx, &user_id, "SELECT user_id FROM app_user "
                               "WHERE practice_id = ? AND username = ?", "it",
                               (int64_t)DEMO_PRACTICE_ID, clinicians[0].username);
    inbox_new item = {
        .practice_id = DEMO_PRACTICE_ID, .user_id = user_id,
        .kind = INBOX_RESULT, .res_type = "DiagnosticReport",
        .res_id = A1C_REPORT, .patient_id = "demo-james", .flag = "abnormal",
        .at_ms = sw_now_wall_ms(),
    };
    return rc == SW_OK ? inbox_add(tx, &item, NULL) : rc;
}

/* Adds the resource built as JSON text under a fixed id, as a PUT. */
static void put_built(json_t *bundle, const sw_buf *text, const char *id)
{
    json_t *r = json_loads(sw_buf_str(text), 0, NULL);
    if (r != NULL) {
        json_object_set_new(r, "id", json_string(id));
        seed_put(bundle, r);
    }
}

/* James's HbA1c, ordered by Dr. Rivera three days ago and back above the
 * reference interval, waiting in her inbox: built by the same code as a
 * result that arrives through POST /api/results. */
static int a1c_result(sw_store *s, int64_t now_ms, sw_err *err)
{
    const order_item *item = orders_catalog_find("4548-4");
    if (item == NULL)
        return SW_OK;
    char authored[SW_TIME_ISO_MAX], issued[SW_TIME_ISO_MAX];
    sw_time_iso(now_ms - 3 * 86400000LL, authored);
    sw_time_iso(now_ms - 2 * 3600000LL, issued);
    json_t *requester = clinician_ref(&clinicians[0]);
    char *requester_json = json_dumps(requester, JSON_COMPACT);
    json_decref(requester);
    order_new o = {
        .item = item, .patient_id = "demo-james", .priority = "routine",
        .reason = "Type 2 diabetes follow-up", .authored = authored,
        .requester_json = requester_json,
    };
    char code_json[256];
    snprintf(code_json, sizeof code_json, "{\"coding\":[{\"system\":"
             "\"http://loinc.org\",\"code\":\"%s\",\"display\":\"%s\"}],"
             "\"text\":\"%s\"}", item->code, item->display, item->display);
    result_report rr = {
        .status = "final", .patient_id = "demo-james", .order_id = A1C_ORDER,
        .code_json = code_json, .issued = issued,
    };
    result_value v = {
        .code = item->code, .display = item->display, .is_number = true,
        .number = 8.1,
    };
    results_apply_defaults(&v);
    const char *value_ref = "Observation/" A1C_VALUE;
    sw_buf order = SW_BUF_INIT(16 * 1024), obs = SW_BUF_INIT(16 * 1024);
    sw_buf report = SW_BUF_INIT(16 * 1024);
    int rc = requester_json == NULL
             || results_order_resource(&o, &order) != SW_OK
             || results_observation_resource(&rr, &v, &obs) != SW_OK
             || results_report_resource(&rr, &value_ref, 1, &report) != SW_OK
           ? sw_err_set(err, SW_ENOMEM, "out of memory") : SW_OK;
    if (rc == SW_OK) {
        json_t *b = seed_transaction();
        put_built(b, &order, A1C_ORDER);
        json_t *entries = json_object_get(b, "entry");
        json_t *sr = json_object_get(json_array_get(entries, 0), "resource");
        json_object_set_new(sr, "status", json_string("completed"));
        put_built(b, &obs, A1C_VALUE);
        put_built(b, &report, A1C_REPORT);
        char *text = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        rc = text ? run_after(s, text, strlen(text), a1c_inbox, NULL, err)
                  : sw_err_set(err, SW_ENOMEM, "out of memory");
        free(text);
    }
    free(requester_json);
    sw_buf_free(&order);
    sw_buf_free(&obs);
    sw_buf_free(&report);
    return rc;
}

static int seeded(store_tx *tx, void *arg)
{
    return fhir_row_exists(tx, DEMO_PRACTICE_ID, "Patient", patients[0].id, arg);
}

int demo_seed_clinic(sw_store *s, sw_err *err)
{
    bool done = false;
    int rc = store_read(s, seeded, &done, err);
    if (rc != SW_OK || done)
        return rc;
    json_t *b = seed_transaction();
    for (size_t i = 0; i < sizeof clinicians / sizeof clinicians[0]; i++) {
        const struct clinician *c = &clinicians[i];
        json_t *name = json_pack("{s:s, s:s, s:[s]}", "use", "official",
                                 "family", c->family, "given", c->given);
        if (c->prefix)
            json_object_set_new(name, "prefix", json_pack("[s]", c->prefix));
        seed_put(b, json_pack("{s:s, s:s, s:b, s:[{s:s, s:s}, {s:s, s:s}], s:[o]}",
                         "resourceType", "Practitioner", "id", c->practitioner,
                         "active", 1, "identifier", "system", USERSYS,
                         "value", c->username, "system", NPI, "value", c->npi,
                         "name", name));
    }
    for (size_t i = 0; i < sizeof patients / sizeof patients[0]; i++) {
        const struct patient *p = &patients[i];
        seed_put(b, json_pack("{s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s, s:[s]}],"
                         " s:s, s:s, s:[{s:s, s:s, s:s}]}",
                         "resourceType", "Patient", "id", p->id,
                         "identifier", "system", MRN, "value", p->mrn,
                         "name", "use", "official", "family", p->family,
                         "given", p->given, "gender", p->gender,
                         "birthDate", p->birth,
                         "telecom", "system", "phone", "value", p->phone,
                         "use", "home"));
    }
    seed_put(b, seed_problem("demo-maria-htn", "demo-maria", "I10",
                             "Essential (primary) hypertension", "2015-04-02"));
    seed_put(b, seed_problem("demo-james-dm2", "demo-james", "E11.9",
                             "Type 2 diabetes mellitus without complications", "2019-09-17"));
    seed_put(b, seed_problem("demo-james-htn", "demo-james", "I10",
                             "Essential (primary) hypertension", "2021-01-12"));
    seed_put(b, seed_medication("demo-maria-amlodipine", "demo-maria", "308136",
                               "amLODIPine 2.5 MG Oral Tablet",
                               "1 tablet by mouth once daily", "2023-05-10",
                               clinician_ref(&clinicians[0])));
    seed_put(b, seed_medication("demo-james-ibuprofen", "demo-james", "310965",
                               "Ibuprofen 200 MG Oral Tablet",
                               "1-2 tablets by mouth every 6 hours as needed for pain",
                               "2025-02-03", clinician_ref(&clinicians[0])));
    rc = run_json(s, b, err);

    /* A penicillin allergy, for the prescribing alert worth practising on;
     * James was asked and has none. */
    allergy_input pen = {
        .system = RXNORM, .code = "7980", .display = "Penicillin G",
        .category = "medication", .criticality = "high",
        .reaction = "Hives", .severity = "moderate",
    };
    allergy_input nka = { .none = true };
    if (rc == SW_OK)
        rc = allergy(s, &pen, "demo-maria", err);
    if (rc == SW_OK)
        rc = allergy(s, &nka, "demo-james", err);
    int64_t now = sw_now_wall_ms();
    if (rc == SW_OK)
        rc = vitals_history(s, "demo-james", 98.0, -1.2, 146, now, err);
    if (rc == SW_OK)
        rc = vitals_history(s, "demo-maria", 70.5, 0.3, 138, now, err);
    if (rc == SW_OK)
        rc = a1c_result(s, now, err);
    return rc;
}

/* ---- Today's clinic -------------------------------------------------------- */

struct today {
    const char *first_id;      /* the day's first appointment */
    bool        booked;
    const char *ids[6];        /* patients to book, demo's and imported */
    size_t      n;
    sw_arena   *a;
};

static int today_fn(store_tx *tx, void *arg)
{
    struct today *t = arg;
    int rc = fhir_row_exists(tx, DEMO_PRACTICE_ID, "Appointment", t->first_id,
                             &t->booked);
    if (rc != SW_OK || t->booked)
        return rc;
    /* The demo's own patients first, then imported ones. */
    store_stmt *st;
    rc = store_prepare(tx, "SELECT res_id FROM fhir_resource WHERE "
                       "practice_id = ? AND res_type = 'Patient' AND deleted = 0 "
                       "ORDER BY CASE res_id WHEN 'demo-maria' THEN 0 "
                       "WHEN 'demo-james' THEN 1 WHEN 'demo-sofia' THEN 2 "
                       "ELSE 3 END, res_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, DEMO_PRACTICE_ID);
    while (rc == SW_OK && t->n < 6 && (rc = store_step(st, &row)) == SW_OK && row)
        if ((t->ids[t->n] = sw_arena_strdup(t->a, store_col_text(st, 0, NULL))) != NULL)
            t->n++;
    store_finalize(st);
    return rc;
}

static const struct slot {
    int         clinician, hour, minute, minutes;
    const char *type_code, *type_text, *reason;
} slots[] = {
    { 0,  9,  0, 20, "FOLLOWUP", "Follow-up",         "Blood pressure follow-up" },
    { 0,  9, 30, 20, "FOLLOWUP", "Chronic care",      "Diabetes check, review labs" },
    { 1,  9, 15, 30, "CHECKUP",  "Annual wellness",   "Annual physical" },
    { 0, 10, 30, 20, "WALKIN",   "Acute visit",       "Cough and fever for three days" },
    { 1, 11,  0, 20, "ROUTINE",  "Follow-up",         "Knee pain" },
    { 0, 14,  0, 40, "ROUTINE",  "New patient",       "New patient visit" },
};

/* An ISO 8601 local time with its offset, for hour:minute of the day that
 * holds now_ms. */
static void local_at(int64_t now_ms, int hour, int minute, char out[64])
{
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t at = mktime(&tm);
    localtime_r(&at, &tm);
    int off = (int)(tm.tm_gmtoff / 60) % (24 * 60);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:00%c%02d:%02d",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
             (off < 0 ? -off : off) % 60);
}

int demo_book_today(sw_store *s, int64_t now_ms, sw_err *err)
{
    char day[16];
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    char first[64];
    snprintf(first, sizeof first, "demo-%s-1", day);
    sw_arena *a = sw_arena_create(1u << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    struct today td = { .first_id = first, .a = a };
    int rc = store_read(s, today_fn, &td, err);
    if (rc != SW_OK || td.booked || td.n == 0) {
        sw_arena_destroy(a);
        return rc;
    }
    json_t *b = seed_transaction();
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        const struct slot *sl = &slots[i];
        char id[64], start[64], end[64];
        snprintf(id, sizeof id, "demo-%s-%zu", day, i + 1);
        local_at(now_ms, sl->hour, sl->minute, start);
        local_at(now_ms, sl->hour, sl->minute + sl->minutes, end);
        const struct clinician *c = &clinicians[sl->clinician];
        seed_put(b, json_pack(
            "{s:s, s:s, s:s, s:{s:[{s:s, s:s}], s:s}, s:[{s:s}], s:s, s:s, s:s,"
            " s:I, s:[{s:o, s:s}, {s:o, s:s}]}",
            "resourceType", "Appointment", "id", id, "status", "booked",
            "appointmentType", "coding", "system",
            "http://terminology.hl7.org/CodeSystem/v2-0276", "code", sl->type_code,
            "text", sl->type_text,
            "reasonCode", "text", sl->reason,
            "description", sl->reason, "start", start, "end", end,
            "minutesDuration", (json_int_t)sl->minutes,
            "participant",
            "actor", seed_patient_ref(td.ids[i % td.n]), "status", "accepted",
            "actor", clinician_ref(c), "status", "accepted"));
    }
    sw_arena_destroy(a);
    return run_json(s, b, err);
}
