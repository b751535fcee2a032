/* gen_cases.c - the exercise cases, one copy per trainee: the patients the
 * course checkers look for (generate.h names the cases). Each is a
 * generated person made to fit the exercise: an active penicillin allergy
 * and a sore throat booked today; type 2 diabetes on metformin with a
 * year of vitals and HbA1c, booked today; an abnormal result waiting for
 * sign-off; reported medications with a duplicate statin. Ids are derived
 * from a hash of the username so they stay valid FHIR ids whatever the
 * name holds. */
#include "training/gen_int.h"

#include <stdio.h>
#include <string.h>

#include "clinical/orders_catalog.h"
#include "clinical/results.h"
#include "core/buf.h"
#include "training/generate.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

void gen_case_patient_id(const char *username, const char *case_id, char out[80])
{
    snprintf(out, 80, "trn-%016llx-%.24s", (unsigned long long)fnv1a(username), case_id);
}

static void put_text(json_t *bundle, const sw_buf *text, const char *id)
{
    json_t *r = json_loads(sw_buf_str(text), 0, NULL);
    if (r == NULL)
        return;
    json_object_set_new(r, "id", json_string(id));
    gen_put(bundle, r);
}

/* A final lab result (order, value, report) under ids of prefix. */
static void lab_result(json_t *b, const char *patient, const char *prefix,
                       const char *loinc, double value, int64_t at_ms)
{
    const order_item *item = orders_catalog_find(loinc);
    if (item == NULL)
        return;
    char authored[32], issued[32], oid[96], vid[96], rid[96], vref[110];
    gen_iso(at_ms - 2 * GEN_DAY_MS, authored);
    gen_iso(at_ms, issued);
    snprintf(oid, sizeof oid, "%.56s-order", prefix);
    snprintf(vid, sizeof vid, "%.56s-value", prefix);
    snprintf(rid, sizeof rid, "%.56s-report", prefix);
    snprintf(vref, sizeof vref, "Observation/%s", vid);
    order_new o = { .item = item, .patient_id = patient, .priority = "routine",
                    .reason = "Monitoring", .authored = authored,
                    .requester_json = "{\"display\":\"Training clinic\"}" };
    char code_json[256];
    snprintf(code_json, sizeof code_json, "{\"coding\":[{\"system\":"
             "\"http://loinc.org\",\"code\":\"%s\",\"display\":\"%s\"}],"
             "\"text\":\"%s\"}", item->code, item->display, item->display);
    result_report rr = { .status = "final", .patient_id = patient, .order_id = oid,
                         .code_json = code_json, .issued = issued };
    result_value v = { .code = item->code, .display = item->display,
                       .is_number = true, .number = value };
    results_apply_defaults(&v);
    const char *refs[1] = { vref };
    sw_buf ot = SW_BUF_INIT(16 * 1024), vt = SW_BUF_INIT(16 * 1024), rt = SW_BUF_INIT(16 * 1024);
    if (results_order_resource(&o, &ot) == SW_OK
        && results_observation_resource(&rr, &v, &vt) == SW_OK
        && results_report_resource(&rr, refs, 1, &rt) == SW_OK) {
        put_text(b, &ot, oid);
        json_t *entries = json_object_get(b, "entry");
        json_t *sr = json_object_get(json_array_get(entries, json_array_size(entries) - 1), "resource");
        json_object_set_new(sr, "status", json_string("completed"));
        put_text(b, &vt, vid);
        put_text(b, &rt, rid);
    }
    sw_buf_free(&ot);
    sw_buf_free(&vt);
    sw_buf_free(&rt);
}

json_t *gen_case_bundle(const char *username, const char *case_id, uint64_t seed,
                        int64_t now_ms, json_t *clinician, char report_id[96])
{
    training_rng r;
    training_rng_seed(&r, seed ^ fnv1a(username) ^ fnv1a(case_id));
    gen_person p;
    memset(&p, 0, sizeof p);
    gen_person_make(&r, now_ms, &p);
    gen_case_patient_id(username, case_id, p.id);
    snprintf(p.mrn, sizeof p.mrn, "TR%08llx", (unsigned long long)(fnv1a(p.id) & 0xffffffffULL));
    p.allergies = 0;
    p.pending_lab = false;
    p.booked_day = -1;
    p.visits = 2;
    report_id[0] = '\0';
    /* Adults only: the cases are about adult ambulatory care. */
    if (p.age < 25) {
        p.age += 30;
        gen_date(now_ms - ((int64_t)p.age * 36525 / 100 + 100) * GEN_DAY_MS, p.birth);
        p.height_cm = strcmp(p.gender, "female") == 0 ? 163 : 177;
        p.weight_kg = 27.0 * p.height_cm * p.height_cm / 10000.0;
    }
    const char *reason = NULL;
    if (strcmp(case_id, TRAINING_CASE_PENICILLIN) == 0) {
        p.problems = 0;
        p.allergies = GEN_ALG_PENICILLIN;
        reason = "Sore throat for three days";
    } else if (strcmp(case_id, TRAINING_CASE_DIABETES) == 0) {
        p.problems = GEN_DM2 | GEN_HTN;
        p.visits = 5;
        reason = "Diabetes follow-up";
    } else if (strcmp(case_id, TRAINING_CASE_PENDING) == 0) {
        p.problems = GEN_LIPID;
    } else if (strcmp(case_id, TRAINING_CASE_RECONCILE) == 0) {
        p.problems = GEN_HTN | GEN_LIPID;
    }
    json_t *b = gen_person_bundle(&r, &p, now_ms, case_id, username);
    if (strcmp(case_id, TRAINING_CASE_DIABETES) == 0) {
        /* A year of HbA1c, drifting up: the follow-up has something to act on. */
        static const double A1C[] = { 6.9, 7.2, 7.4, 7.8 };
        for (int q = 0; q < 4; q++) {
            char prefix[96];
            snprintf(prefix, sizeof prefix, "%.56s-a1c%d", p.id, q);
            lab_result(b, p.id, prefix, "4548-4", A1C[q],
                       now_ms - (int64_t)(3 - q) * 91 * GEN_DAY_MS - 10 * GEN_DAY_MS);
        }
    } else if (strcmp(case_id, TRAINING_CASE_PENDING) == 0) {
        char prefix[96];
        snprintf(prefix, sizeof prefix, "%.56s-ldl", p.id);
        lab_result(b, p.id, prefix, "2345-7", 212, now_ms - 2 * 3600000LL);
        snprintf(report_id, 96, "%.56s-report", prefix);
    } else if (strcmp(case_id, TRAINING_CASE_RECONCILE) == 0) {
        char when[32], id[96];
        gen_iso(now_ms - 7 * GEN_DAY_MS, when);
        static const struct { const char *tag, *rx, *name, *sig; } REPORTED[] = {
            { "simva", "312961", "simvastatin 20 MG Oral Tablet", "1 tablet by mouth at bedtime" },
            { "asa", "243670", "aspirin 81 MG Oral Tablet", "1 tablet by mouth once daily" },
            { "apap", "313782", "acetaminophen 325 MG Oral Tablet", "2 tablets by mouth as needed" },
            { "hctz", "310798", "hydrochlorothiazide 25 MG Oral Tablet", "1 tablet by mouth once daily" },
        };
        for (size_t i = 0; i < sizeof REPORTED / sizeof REPORTED[0]; i++) {
            snprintf(id, sizeof id, "%.56s-ms-%s", p.id, REPORTED[i].tag);
            gen_put(b, gen_med_statement(id, p.id, REPORTED[i].rx, REPORTED[i].name,
                                         REPORTED[i].sig, when));
        }
    }
    if (reason != NULL) {
        char id[96];
        snprintf(id, sizeof id, "%.56s-appt", p.id);
        /* Today, on the hour after now (or 16:00 when the day is late). */
        int64_t day = now_ms / GEN_DAY_MS * GEN_DAY_MS;
        int64_t hour = (now_ms - day) / 3600000 + 1;
        if (hour > 16)
            hour = 16;
        gen_put(b, gen_appointment(id, p.id, day + hour * 3600000, 20, reason,
                                   json_incref(clinician)));
    }
    return b;
}
