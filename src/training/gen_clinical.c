/* gen_clinical.c - a generated person's record as one transaction Bundle:
 * the Patient, problems (ICD-10-CM) with the medications that treat them
 * (RxNorm), allergies, past visits with vitals plausible for their age,
 * sometimes a lab ordered and not yet resulted, sometimes an appointment
 * this week with one of the training clinicians (Practitioners), and for
 * the master population the patient's Coverage. Allergies and vitals are built by the clinical
 * workflows' own builders (allergies.h, vitals.h) so every screen reads
 * them as it reads a clinician's entries, and problems and medications by
 * those the demo practice uses (clinical/seed_build.h); every id is fixed
 * (derived from the patient's) so writing twice changes nothing. Codes come only from
 * the product's tables (codes_icd10.c, drugs_table.c, orders_catalog.c). */
#include "training/gen_int.h"

#include <stdio.h>
#include <string.h>

#include "clinical/allergies.h"
#include "clinical/orders_catalog.h"
#include "clinical/results.h"
#include "clinical/seed_build.h"
#include "clinical/vitals.h"
#include "core/buf.h"
#include "training/generate.h"

#define RXNORM  "http://www.nlm.nih.gov/research/umls/rxnorm"
#define MRN     "urn:stagewise:mrn"
#define NPI_SYSTEM "http://hl7.org/fhir/sid/us-npi"

json_t *gen_transaction(void)
{
    return seed_transaction();
}

void gen_put(json_t *bundle, json_t *resource)
{
    seed_put(bundle, resource);
}

json_t *gen_patient_ref(const char *id)
{
    return seed_patient_ref(id);
}

/* A resource built as JSON text by a clinical builder, under id. */
static void put_text(json_t *bundle, const char *text, const char *id)
{
    json_t *r = json_loads(text, 0, NULL);
    if (r == NULL)
        return;
    json_object_set_new(r, "id", json_string(id));
    gen_put(bundle, r);
}

static const struct problem_def {
    int bit;
    const char *icd10, *display;
    const char *rxnorm, *drug, *sig;      /* the usual treatment, or NULL */
} PROBLEMS[] = {
    { GEN_HTN, "I10", "Essential (primary) hypertension", "314076",
      "lisinopril 10 MG Oral Tablet", "1 tablet by mouth once daily" },
    { GEN_DM2, "E11.9", "Type 2 diabetes mellitus without complications", "861007",
      "metformin hydrochloride 500 MG Oral Tablet", "1 tablet by mouth twice daily with meals" },
    { GEN_LIPID, "E78.5", "Hyperlipidemia, unspecified", "617310",
      "atorvastatin 20 MG Oral Tablet", "1 tablet by mouth once daily" },
    { GEN_ASTHMA, "J45.909", "Unspecified asthma, uncomplicated", NULL, NULL, NULL },
    { GEN_ANXIETY, "F41.1", "Generalized anxiety disorder", "312941",
      "sertraline 50 MG Oral Tablet", "1 tablet by mouth once daily" },
    { GEN_OBESITY, "E66.9", "Obesity, unspecified", NULL, NULL, NULL },
    { GEN_GERD, "K21.9", "Gastro-esophageal reflux disease without esophagitis", NULL, NULL, NULL },
    { GEN_BACKPAIN, "M54.50", "Low back pain, unspecified", "310965",
      "ibuprofen 200 MG Oral Tablet", "1-2 tablets by mouth every 6 hours as needed for pain" },
};

/* What the patient reports taking (the reconciliation screen's list). */
static json_t *med_statement(const char *id, const char *patient, const char *rxnorm,
                             const char *name, const char *sig, const char *asserted)
{
    return json_pack(
        "{s:s, s:s, s:s, s:{s:[{s:s, s:s, s:s}], s:s}, s:o, s:s, s:[{s:s}]}",
        "resourceType", "MedicationStatement", "id", id, "status", "active",
        "medicationCodeableConcept", "coding", "system", RXNORM, "code", rxnorm,
        "display", name, "text", name, "subject", gen_patient_ref(patient),
        "dateAsserted", asserted, "dosage", "text", sig);
}

static void allergy(json_t *b, const gen_person *p, const char *tag,
                    const allergy_input *in, const char *when)
{
    char id[96];
    snprintf(id, sizeof id, "%.56s-alg-%s", p->id, tag);
    sw_buf t = SW_BUF_INIT(16 * 1024);
    if (allergy_resource(in, p->id, when, &t) == SW_OK)
        put_text(b, sw_buf_str(&t), id);
    sw_buf_free(&t);
}

static void allergies(json_t *b, const gen_person *p, const char *when)
{
    if (p->allergies & GEN_ALG_PENICILLIN) {
        /* Penicillin G (RxNorm 7980) is the class member rx_check.c maps to
         * "penicillin": amoxicillin raises the allergy alert, cephalexin
         * the cross-reaction. */
        allergy_input in = { .system = RXNORM, .code = "7980", .display = "Penicillin G",
                             .category = "medication", .criticality = "high",
                             .reaction = "Hives", .severity = "moderate" };
        allergy(b, p, "pen", &in, when);
    }
    if (p->allergies & GEN_ALG_SULFA) {
        allergy_input in = { .system = RXNORM, .code = "10180", .display = "Sulfamethoxazole",
                             .category = "medication", .criticality = "low",
                             .reaction = "Rash", .severity = "mild" };
        allergy(b, p, "sulfa", &in, when);
    }
    if (p->allergies & GEN_ALG_PEANUT) {
        allergy_input in = { .display = "Peanut", .category = "food",
                             .criticality = "high", .reaction = "Throat swelling",
                             .severity = "severe" };
        allergy(b, p, "peanut", &in, when);
    }
    if (p->allergies == 0) {
        allergy_input in = { .none = true };
        allergy(b, p, "nka", &in, when);
    }
}

/* One visit's vitals, plausible for age and problems, by the vitals
 * workflow's builder; its entries become PUTs under fixed ids. */
static void visit_vitals(json_t *b, training_rng *r, const gen_person *p, int k,
                         const char *when)
{
    bool adult = p->age >= 18;
    vitals_set v = { .has_height = true, .height_cm = p->height_cm,
                     .has_weight = true,
                     .weight_kg = p->weight_kg + training_rng_near(r, 0, 1.5) };
    if (p->age >= 3) {
        int sys = adult ? 112 + p->age / 3 : 100 + p->age;
        if (p->problems & GEN_HTN)
            sys += 14;
        v.has_bp = true;
        v.systolic = (int)training_rng_near(r, sys, 10);
        v.diastolic = (int)training_rng_near(r, adult ? 76 + ((p->problems & GEN_HTN) ? 8 : 0) : 64, 7);
    }
    v.has_heart_rate = true;
    v.heart_rate = (int)training_rng_near(r, p->age < 2 ? 125 : p->age < 12 ? 95 : 74, 10);
    if (adult && k == 0)
        v.smoking = training_rng_chance(r, 15) ? "current_every_day"
                  : training_rng_chance(r, 25) ? "former" : "never";
    sw_buf t = SW_BUF_INIT(64 * 1024);
    if (vitals_bundle(&v, p->id, NULL, when, &t) == SW_OK) {
        json_t *vb = json_loads(sw_buf_str(&t), 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(vb, "entry"), i, e) {
            char id[96];
            snprintf(id, sizeof id, "%.56s-v%d-%zu", p->id, k, i);
            json_t *res = json_object_get(e, "resource");
            json_object_set_new(res, "id", json_string(id));
            gen_put(b, json_incref(res));
        }
        json_decref(vb);
    }
    sw_buf_free(&t);
}

/* A lab ordered at the last visit and not yet resulted. */
static void pending_order(json_t *b, const gen_person *p, const char *when)
{
    const order_item *item = orders_catalog_find(p->problems & GEN_DM2 ? "4548-4" : "2345-7");
    if (item == NULL)
        return;
    order_new o = { .item = item, .patient_id = p->id, .priority = "routine",
                    .reason = "Routine monitoring", .authored = when,
                    .requester_json = "{\"display\":\"Training clinic\"}" };
    sw_buf t = SW_BUF_INIT(16 * 1024);
    char id[96];
    snprintf(id, sizeof id, "%.56s-order", p->id);
    if (results_order_resource(&o, &t) == SW_OK)
        put_text(b, sw_buf_str(&t), id);
    sw_buf_free(&t);
}

json_t *gen_appointment(const char *id, const char *patient, int64_t start_ms,
                        int minutes, const char *reason, json_t *actor)
{
    char start[32], end[32];
    gen_iso(start_ms, start);
    gen_iso(start_ms + (int64_t)minutes * 60000, end);
    json_t *a = json_pack(
        "{s:s, s:s, s:s, s:{s:[{s:s, s:s}], s:s}, s:[{s:s}], s:s, s:s, s:s,"
        " s:I, s:[{s:o, s:s}]}",
        "resourceType", "Appointment", "id", id, "status", "booked",
        "appointmentType", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/v2-0276", "code", "ROUTINE",
        "text", "Office visit", "reasonCode", "text", reason,
        "description", reason, "start", start, "end", end,
        "minutesDuration", (json_int_t)minutes,
        "participant", "actor", gen_patient_ref(patient), "status", "accepted");
    if (actor != NULL)
        json_array_append_new(json_object_get(a, "participant"),
                              json_pack("{s:o, s:s}", "actor", actor, "status", "accepted"));
    return a;
}

/* The patient's health plan, the patient being the subscriber (the
 * insurance a registration desk keys, and the PMS sends as IN1). */
static json_t *coverage(const gen_person *p)
{
    char id[96];
    snprintf(id, sizeof id, "%.56s-coverage", p->id);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:{s:[{s:s, s:s, s:s}]}, s:[{s:s}],"
        " s:[{s:{s:[{s:s, s:s, s:s}]}, s:s, s:s}]}",
        "resourceType", "Coverage", "id", id, "status", "active",
        "subscriberId", p->member_id, "beneficiary", gen_patient_ref(p->id),
        "relationship", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
        "code", "self", "display", "Self",
        "payor", "display", p->plan_name,
        "class", "type", "coding", "system",
        "http://terminology.hl7.org/CodeSystem/coverage-class", "code", "plan",
        "display", "Plan", "value", p->plan_id, "name", p->plan_name);
}

static const char *const REASONS[] = {
    "Follow-up", "Annual physical", "Cough for a week", "Medication review",
    "Knee pain", "Blood pressure check", "Rash", "Headaches",
};

json_t *gen_person_bundle(training_rng *r, const gen_person *p, int64_t now_ms,
                          const char *case_id, const char *trainee)
{
    json_t *b = gen_transaction();
    json_t *ids = json_pack("[{s:s, s:s}, {s:s, s:s}]", "system", MRN, "value", p->mrn,
                            "system", TRAINING_CASE_SYSTEM, "value", case_id);
    if (trainee != NULL)
        json_array_append_new(ids, json_pack("{s:s, s:s}", "system",
                                             TRAINING_TRAINEE_SYSTEM, "value", trainee));
    gen_put(b, json_pack(
        "{s:s, s:s, s:o, s:[{s:s, s:s, s:[s]}], s:s, s:s,"
        " s:[{s:s, s:s, s:s}], s:[{s:s, s:[s], s:s, s:s, s:s, s:s}]}",
        "resourceType", "Patient", "id", p->id, "identifier", ids,
        "name", "use", "official", "family", p->family, "given", p->given,
        "gender", p->gender, "birthDate", p->birth,
        "telecom", "system", "phone", "value", p->phone, "use", "home",
        "address", "use", "home", "line", p->street, "city", p->city,
        "state", p->state, "postalCode", p->zip, "country", "US"));
    /* Problems began some years ago, never before birth. */
    int64_t born = now_ms - (int64_t)p->age * 365 * GEN_DAY_MS;
    for (size_t i = 0; i < sizeof PROBLEMS / sizeof PROBLEMS[0]; i++) {
        const struct problem_def *d = &PROBLEMS[i];
        if (!(p->problems & d->bit))
            continue;
        int64_t onset_ms = now_ms - (int64_t)training_rng_range(r, 200, 3650) * GEN_DAY_MS;
        if (onset_ms < born)
            onset_ms = born + 365 * GEN_DAY_MS;
        char onset[11], id[96];
        gen_date(onset_ms, onset);
        snprintf(id, sizeof id, "%.56s-%s", p->id, d->icd10);
        for (char *c = id; *c; c++)
            if (*c == '.')
                *c = '-';
        gen_put(b, seed_problem(id, p->id, d->icd10, d->display, onset));
        if (d->rxnorm != NULL) {
            char mid[96];
            snprintf(mid, sizeof mid, "%.56s-rx", id);
            gen_put(b, seed_medication(mid, p->id, d->rxnorm, d->drug, d->sig, onset, NULL));
        }
    }
    char when[32];
    gen_iso(now_ms - 400 * GEN_DAY_MS, when);
    allergies(b, p, when);
    /* Past visits, the last a few days to a month ago, spread over up to
     * two years. */
    int64_t last = now_ms - (int64_t)training_rng_range(r, 3, 30) * GEN_DAY_MS;
    for (int k = 0; k < p->visits; k++) {
        int64_t at = last - (int64_t)k * training_rng_range(r, 60, 120) * GEN_DAY_MS;
        at = at / GEN_DAY_MS * GEN_DAY_MS + (int64_t)(9 * 60 + 15 * training_rng_pick(r, 28)) * 60000;
        char vwhen[32];
        gen_iso(at, vwhen);
        visit_vitals(b, r, p, k, vwhen);
    }
    if (p->pending_lab) {
        gen_iso(last, when);
        pending_order(b, p, when);
    }
    if (p->plan_id[0] != '\0')
        gen_put(b, coverage(p));
    if (p->booked_day >= 0) {
        char id[96];
        snprintf(id, sizeof id, "%.56s-appt", p->id);
        const training_visit_kind *kind = training_visit_kind_at(p->visit_kind);
        json_t *a = gen_appointment(id, p->id, gen_booked_start(p, now_ms), kind->minutes,
                                    REASONS[training_rng_pick(r, 8)],
                                    gen_clinician_ref(p->clinician));
        /* The kind of visit, as the PMS books it (SCH-7, AIS-3). */
        json_object_set_new(a, "serviceType", json_pack("[{s:s}]", "text", kind->text));
        gen_put(b, a);
    }
    return b;
}

int64_t gen_booked_start(const gen_person *p, int64_t now_ms)
{
    return (now_ms / GEN_DAY_MS + p->booked_day) * GEN_DAY_MS
           + (int64_t)p->booked_minute * 60000;
}

json_t *gen_clinician_ref(int k)
{
    const training_clinician *c = training_clinician_at(k);
    char ref[64];
    snprintf(ref, sizeof ref, "Practitioner/%s", c->id);
    return json_pack("{s:s, s:s}", "reference", ref, "display", c->display);
}

json_t *gen_practitioner(int k)
{
    const training_clinician *c = training_clinician_at(k);
    json_t *name = json_pack("{s:s, s:s, s:[s]}", "use", "official", "family", c->family,
                             "given", c->given);
    if (c->prefix != NULL)
        json_object_set_new(name, "prefix", json_pack("[s]", c->prefix));
    return json_pack("{s:s, s:s, s:b, s:[{s:s, s:s}], s:[o]}", "resourceType", "Practitioner",
                     "id", c->id, "active", 1, "identifier", "system", NPI_SYSTEM,
                     "value", c->npi, "name", name);
}

json_t *gen_med_statement(const char *id, const char *patient, const char *rxnorm,
                          const char *name, const char *sig, const char *asserted)
{
    return med_statement(id, patient, rxnorm, name, sig, asserted);
}
