/* demo_history_day.c - one working day of the demo practice after stage 1
 * went live, as its people would click it (see demo_history.c): the
 * laboratory files yesterday's results, the front desk registers, books
 * and checks in, the medical assistants and the nurse room the patients
 * (vitals, the allergy question, list reviews, flu shots), the clinicians
 * write, code and sign their notes, keep the lists, prescribe or list
 * medications, order and sign off results; each person's activity is
 * reported at the day's end (demo_history.c posts it). Every habit follows the clinician's
 * learning curve (dh_clinician); every code is one of the product's own
 * verified tables (docs/workflows.md). */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "adoption/adoption.h"
#include "demo_history_int.h"
#include "training/people.h"

#define HOUR (3600 * 1000LL)

/* What a visit of each condition is coded, prescribed and titled. */
static const struct kind {
    const char *template, *visit_type, *dx, *cpt, *drug, *dose, *frequency;
    int quantity;
    const char *subjective, *assessment, *plan;
} kinds[3] = {
    { "acute", "Acute visit", "J06.9", "99213", "308191", "500 mg",
      "three times daily", 30,
      "Sore throat and cough for four days, no fever today.",
      "Upper respiratory infection.", "Fluids, rest; return if not better in a week." },
    { "follow-up", "Follow-up", "I10", "99214", "314076", "10 mg",
      "once daily", 90,
      "Here for blood pressure follow-up; taking medicines as prescribed.",
      "Essential hypertension.", "Continue treatment; recheck in three months." },
    { "follow-up", "Chronic care", "E11.9", "99214", "860975", "500 mg",
      "once daily", 90,
      "Diabetes follow-up; home sugars mostly under 150.",
      "Type 2 diabetes mellitus.", "Diet reviewed; HbA1c ordered; follow up in three months." },
};

static int tok_of(const dh_clinician *c) { return (int)c->who; }

static int64_t days_live(const dh *h, int64_t day0)
{
    return (day0 - h->stage1_day0) / DH_DAY_MS;
}

static bool on_leave(const dh *h, const dh_clinician *c, int64_t day0)
{
    if (c->leave_week <= 0)
        return false;
    int64_t d = h->stage1_day0 / DH_DAY_MS + 7 * (c->leave_week - 1);
    while (adoption_weekday(d) != 0)
        d++;
    int64_t today = day0 / DH_DAY_MS;
    return today >= d && today <= d + 4;
}

/* Visits booked today: the schedule cut to 70% for the first two weeks,
 * then back to full over the clinician's recovery. */
static int visits_today(dh *h, const dh_clinician *c, int64_t day0)
{
    if (adoption_weekday(day0 / DH_DAY_MS) >= c->workdays || on_leave(h, c, day0))
        return 0;
    int64_t live = days_live(h, day0);
    int pct = live < 14 ? 70
            : dh_curve(75, 100, c->recover_weeks > 2 ? c->recover_weeks - 2 : 1,
                       live - 14);
    int n = (c->visits_per_day * pct + 50) / 100 - 1 + dh_rand(h, 3);
    return n < 1 ? 1 : n > 8 ? 8 : n;
}

/* Four visits a session, the same slots for everyone, so that each
 * person's steps come in time order. */
static int64_t slot_start(int64_t day0, int k, int c)
{
    int64_t base = k < 4 ? 8 * 60 + k * 40 : 13 * 60 + (k - 4) * 40;
    return day0 + (base + c * 3) * DH_MIN_MS;
}

struct visit {
    int  patient;
    char appointment[64], encounter[80];
};

static int book(dh *h, int64_t day0, struct visit v[4][8], const int n[4])
{
    char date[11];
    adoption_day_text(day0 / DH_DAY_MS, date);
    json_t *entries = json_array();
    for (int c = 0; c < 4; c++) {
        const dh_clinician *cl = &dh_clinicians[c];
        for (int k = 0; k < n[c]; k++) {
            v[c][k].patient = dh_rand(h, DH_PATIENTS / 4) * 4 + c;
            snprintf(v[c][k].appointment, sizeof v[c][k].appointment,
                     "demo-v%s-%d-%d", date, c, k);
            const dh_patient *p = &h->patients[v[c][k].patient];
            char url[96], s1[32], s2[32], pract[64], pref[40];
            snprintf(url, sizeof url, "Appointment/%s", v[c][k].appointment);
            snprintf(pract, sizeof pract, "Practitioner/%s", cl->practitioner);
            snprintf(pref, sizeof pref, "Patient/%s", p->id);
            int64_t start = slot_start(day0, k, c);
            dh_iso(start, s1);
            dh_iso(start + 20 * DH_MIN_MS, s2);
            json_t *a = json_pack(
                "{s:s, s:s, s:s, s:{s:s}, s:[{s:s}], s:s, s:s, s:I,"
                " s:[{s:{s:s}, s:s}, {s:{s:s, s:{s:s, s:s}, s:s}, s:s}]}",
                "resourceType", "Appointment", "id", v[c][k].appointment,
                "status", "booked",
                "appointmentType", "text", kinds[p->condition].visit_type,
                "reasonCode", "text", kinds[p->condition].visit_type,
                "start", s1, "end", s2, "minutesDuration", (json_int_t)20,
                "participant", "actor", "reference", pref, "status", "accepted",
                "actor", "reference", pract, "identifier", "system",
                "urn:stagewise:user", "value", dh_usernames[cl->who],
                "display", cl->display, "status", "accepted");
            json_array_append_new(entries, json_pack("{s:o, s:{s:s, s:s}}",
                "resource", a, "request", "method", "PUT", "url", url));
        }
    }
    if (json_array_size(entries) == 0) {
        json_decref(entries);
        return SW_OK;
    }
    enum dh_person desk = (day0 / DH_DAY_MS) % 2 ? P_SANTOS : P_PATEL;
    dh_at(day0 + 7 * HOUR + 30 * DH_MIN_MS);
    dh_activity_add(h, desk, "scheduling", "schedule", day0 + 7 * HOUR + 15 * DH_MIN_MS,
                    day0 + 7 * HOUR + 30 * DH_MIN_MS, 9 * 60);
    return dh_call(h, h->tokens[desk], "POST", "/fhir",
                   json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle",
                             "type", "transaction", "entry", entries),
                   200, 200, NULL);
}

static int sign(dh *h, int c, const char *encounter, int64_t at)
{
    const dh_clinician *cl = &dh_clinicians[c];
    char path[128];
    snprintf(path, sizeof path, "/api/visits/%s/sign", encounter);
    dh_at(at);
    int rc = dh_call(h, h->tokens[tok_of(cl)], "POST", path, json_object(),
                     200, 200, NULL);
    if (rc == SW_OK)
        h->signed_notes++;
    /* Now and then a call after the visit, added to the signed note. */
    if (rc == SW_OK && dh_rand(h, 100) < 3) {
        snprintf(path, sizeof path, "/api/visits/%s/addenda", encounter);
        dh_at(at + DH_MIN_MS);
        rc = dh_call(h, h->tokens[tok_of(cl)], "POST", path,
                     json_pack("{s:s}", "text", "Spoke with the patient by "
                               "phone: doing better, plan unchanged."),
                     201, 201, NULL);
    }
    return rc;
}

/* Results: the laboratory files what was drawn yesterday (06:30). */
static int file_results(dh *h, int64_t day0)
{
    int64_t today = day0 / DH_DAY_MS;
    int rc = SW_OK;
    for (int i = 0; rc == SW_OK && i < h->npending; i++) {
        dh_pending *p = &h->pending[i];
        if (p->report[0] || p->file_day > today)
            continue;
        const dh_patient *pt = NULL;
        for (int k = 0; k < DH_PATIENTS; k++)
            if (strcmp(h->patients[k].id, p->patient) == 0)
                pt = &h->patients[k];
        double value = pt && pt->condition == 2 ? 6.4 + dh_rand(h, 28) / 10.0
                                                : 5.0 + dh_rand(h, 9) / 10.0;
        dh_at(day0 + 6 * HOUR + 30 * DH_MIN_MS + i % 30 * DH_MIN_MS / 10);
        json_t *reply = NULL;
        rc = dh_call(h, h->lab_token, "POST", "/api/results",
                     json_pack("{s:s, s:s, s:[{s:s, s:s, s:f}]}", "order", p->order,
                               "status", "final", "observations", "code",
                               "4548-4", "display", "Hemoglobin A1c", "value",
                               value), 201, 201, &reply);
        if (rc == SW_OK) {
            snprintf(p->report, sizeof p->report, "%s",
                     dh_str(reply, "report"));
            h->results++;
        }
        json_decref(reply);
    }
    return rc;
}

/* Each clinician signs off what has waited long enough for their habit
 * (07:45, before clinic). */
static int sign_off_results(dh *h, int64_t day0)
{
    int64_t today = day0 / DH_DAY_MS;
    int rc = SW_OK;
    for (int i = 0; rc == SW_OK && i < h->npending; i++) {
        dh_pending *p = &h->pending[i];
        if (!p->report[0] || p->signoff_day > today || p->signoff_day < 0)
            continue;
        const dh_clinician *cl = &dh_clinicians[p->clinician];
        char path[128];
        /* Read, then signed off. */
        int64_t at = day0 + 7 * HOUR + 45 * DH_MIN_MS + p->clinician * DH_MIN_MS;
        snprintf(path, sizeof path, "/api/results/%s", p->report);
        dh_at(at - DH_MIN_MS);
        rc = dh_call(h, h->tokens[tok_of(cl)], "GET", path, NULL, 200, 200, NULL);
        if (rc != SW_OK)
            break;
        snprintf(path, sizeof path, "/api/results/%s/sign-off", p->report);
        dh_at(at);
        dh_activity_add(h, cl->who, "inbox", "inbox", at - 2 * DH_MIN_MS, at, 100);
        rc = dh_call(h, h->tokens[tok_of(cl)], "POST", path, json_object(),
                     200, 201, NULL);
        p->signoff_day = -1;
    }
    /* Forget what is done, so the list stays short. */
    int kept = 0;
    for (int i = 0; i < h->npending; i++)
        if (h->pending[i].signoff_day >= 0)
            h->pending[kept++] = h->pending[i];
    h->npending = kept;
    return rc;
}

/* The medication of a visit: e-prescribed once prescribing is live and
 * the clinician's habit says so, else added to the medication list. */
static int medication(dh *h, int c, const struct visit *v, dh_patient *p,
                      bool stage2, int64_t at)
{
    const dh_clinician *cl = &dh_clinicians[c];
    const struct kind *k = &kinds[p->condition];
    char path[128];
    dh_at(at);
    if (stage2 && dh_rand(h, 100) < cl->erx_share) {
        snprintf(path, sizeof path, "/api/patients/%s/prescriptions", p->id);
        long st = 0;
        int rc = dh_try(h, h->tokens[tok_of(cl)], "POST", path,
                        json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s}",
                                  "drug", k->drug, "dose", k->dose, "frequency",
                                  k->frequency, "quantity", k->quantity,
                                  "refills", p->condition ? 3 : 0,
                                  "pharmacy", "Main Street Pharmacy",
                                  "encounter", v->encounter), &st, NULL);
        if (rc == SW_OK && st == 201)
            h->prescriptions++;
        /* An alert that needs an override: the clinician thinks again. */
        return rc == SW_OK && st != 201 && st != 409
             ? sw_err_set(h->err, SW_EINTERNAL, "the demo history's "
                          "prescription was answered %ld", st) : rc;
    }
    char dose[48];
    snprintf(dose, sizeof dose, "%s %s", k->dose, k->frequency);
    snprintf(path, sizeof path, "/api/patients/%s/medications", p->id);
    return dh_call(h, h->tokens[tok_of(cl)], "POST", path,
                   json_pack("{s:s, s:s}", "drug", k->drug, "dose", dose),
                   201, 201, NULL);
}

/* One visit from check-in to the note, with the clinician's habits. */
static int visit(dh *h, int64_t day0, int c, struct visit *v, int64_t t)
{
    const dh_clinician *cl = &dh_clinicians[c];
    dh_patient *p = &h->patients[v->patient];
    const struct kind *k = &kinds[p->condition];
    int64_t live = days_live(h, day0);
    bool stage2 = day0 >= h->stage2_day0;
    /* The clinician's assistant rooms the patient; the nurse takes one
     * patient in four, and the assistant checks one in five in when the
     * desk is busy. */
    enum dh_person desk = c < 2 ? P_PATEL : P_SANTOS;
    enum dh_person ma = dh_rand(h, 4) == 0 ? P_OKAFOR : c < 2 ? P_JONES : P_GARCIA;
    enum dh_person checker = dh_rand(h, 5) == 0 && ma != P_OKAFOR ? ma : desk;
    const char *me = h->tokens[tok_of(cl)];
    char path[160];

    /* Check-in, the chart found by its MRN now and then. */
    int rc = SW_OK;
    if (dh_rand(h, 5) == 0) {
        dh_at(t - DH_MIN_MS);
        snprintf(path, sizeof path, "/fhir/Patient?identifier="
                 "urn:stagewise:mrn%%7CD%05d", 2000 + v->patient);
        rc = dh_call(h, h->tokens[checker], "GET", path, NULL, 200, 200, NULL);
    }
    dh_at(t);
    snprintf(path, sizeof path, "/api/appointments/%s/check-in", v->appointment);
    json_t *reply = NULL;
    if (rc == SW_OK)
        rc = dh_call(h, h->tokens[checker], "POST", path, NULL, 201, 200, &reply);
    if (rc != SW_OK)
        return rc;
    snprintf(v->encounter, sizeof v->encounter, "%s",
             dh_str(reply, "encounter"));
    json_decref(reply);
    dh_activity_add(h, checker, "scheduling", "schedule", t - 2 * DH_MIN_MS, t, 90);
    h->visits++;

    /* Rooming: vitals, at a first visit the allergy question, and now and
     * then the allergy or medication list reviewed with the patient. */
    dh_at(t + 5 * DH_MIN_MS);
    snprintf(path, sizeof path, "/api/patients/%s/vitals", p->id);
    json_t *vs = json_pack("{s:i, s:i, s:f, s:i, s:s}", "systolic",
                           118 + dh_rand(h, 30) + (p->condition == 1 ? 12 : 0),
                           "diastolic", 72 + dh_rand(h, 14), "weight_kg",
                           58.0 + dh_rand(h, 450) / 10.0, "heart_rate",
                           62 + dh_rand(h, 25), "encounter", v->encounter);
    /* The smoking status, asked once. */
    if (!p->smoking_asked && dh_rand(h, 100) < 75) {
        static const char *const answers[] = { "never", "never", "former",
                                               "current_every_day" };
        p->smoking_asked = true;
        json_object_set_new(vs, "smoking_status", json_string(answers[dh_rand(h, 4)]));
    }
    rc = dh_call(h, h->tokens[ma], "POST", path, vs, 201, 201, NULL);
    dh_activity_add(h, ma, "vitals", "vitals", t + DH_MIN_MS, t + 5 * DH_MIN_MS, 200);
    bool ma_asks = dh_rand(h, 100) < 70;
    if (rc == SW_OK && !p->allergies_asked && ma_asks) {
        p->allergies_asked = true;
        dh_at(t + 6 * DH_MIN_MS);
        snprintf(path, sizeof path, "/api/patients/%s/allergies", p->id);
        rc = dh_call(h, h->tokens[ma], "POST", path,
                     json_pack("{s:b}", "no_known_allergies", 1), 201, 201, NULL);
        dh_activity_add(h, ma, "allergies", "chart", t + 5 * DH_MIN_MS,
                        t + 6 * DH_MIN_MS, 45);
    }
    static const char *const rooming_lists[] = { "allergies", "medications" };
    for (int l = 0; rc == SW_OK && l < 2; l++) {
        if (dh_rand(h, 100) >= (l == 0 ? 35 : 15))
            continue;
        dh_at(t + 7 * DH_MIN_MS + l * 1000);
        snprintf(path, sizeof path, "/api/visits/%s/reconcile", v->encounter);
        rc = dh_call(h, h->tokens[ma], "POST", path,
                     json_pack("{s:s}", "list", rooming_lists[l]), 201, 200, NULL);
    }
    /* The nurse's flu shot, once prescribing and immunizations are live. */
    if (rc == SW_OK && stage2 && !p->vaccinated && dh_rand(h, 100) < 20) {
        p->vaccinated = true;
        char date[11];
        adoption_day_text(day0 / DH_DAY_MS, date);
        dh_at(t + 8 * DH_MIN_MS);
        snprintf(path, sizeof path, "/api/patients/%s/immunizations", p->id);
        rc = dh_call(h, h->tokens[P_OKAFOR], "POST", path,
                     json_pack("{s:s, s:s, s:s, s:s}", "cvx", "150", "date", date,
                               "status", "completed", "route", "IM"),
                     201, 201, NULL);
        dh_activity_add(h, P_OKAFOR, "immunizations", "chart", t + 6 * DH_MIN_MS,
                        t + 8 * DH_MIN_MS, 80);
    }
    if (rc != SW_OK)
        return rc;

    /* The note, shorter with practice. */
    int note_min = dh_curve(cl->note_min_start, cl->note_min_end, cl->learn_weeks, live);
    int64_t n0 = t + 10 * DH_MIN_MS, n1 = n0 + (int64_t)note_min * DH_MIN_MS;
    dh_at(n0 + 2 * DH_MIN_MS);
    snprintf(path, sizeof path, "/api/visits/%s/note", v->encounter);
    rc = dh_call(h, me, "PUT", path,
                 json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "template", k->template,
                           "sections", "subjective", k->subjective, "objective",
                           "Vitals reviewed. Exam as documented.", "assessment",
                           k->assessment, "plan", k->plan), 200, 201, NULL);
    dh_activity_add(h, cl->who, "documentation", "visit", n0, n1, note_min * 60 * 3 / 4);
    if (rc != SW_OK)
        return rc;
    /* The clinician asks about allergies the assistant did not, and
     * rechecks a high blood pressure. */
    if (!p->allergies_asked) {
        p->allergies_asked = true;
        dh_at(n0 + 3 * DH_MIN_MS);
        snprintf(path, sizeof path, "/api/patients/%s/allergies", p->id);
        rc = dh_call(h, me, "POST", path,
                     json_pack("{s:b}", "no_known_allergies", 1), 201, 201, NULL);
    }
    if (rc == SW_OK && p->condition == 1 && dh_rand(h, 100) < 25) {
        dh_at(n0 + 4 * DH_MIN_MS);
        snprintf(path, sizeof path, "/api/patients/%s/vitals", p->id);
        rc = dh_call(h, me, "POST", path,
                     json_pack("{s:i, s:i, s:s}", "systolic", 128 + dh_rand(h, 20),
                               "diastolic", 78 + dh_rand(h, 10), "encounter",
                               v->encounter), 201, 201, NULL);
    }
    if (rc != SW_OK)
        return rc;
    dh_at(n1 - DH_MIN_MS);
    snprintf(path, sizeof path, "/api/visits/%s/coding", v->encounter);
    rc = dh_call(h, me, "PUT", path,
                 json_pack("{s:[{s:s}], s:[{s:s, s:[i]}]}", "diagnoses", "code",
                           k->dx, "procedures", "code", k->cpt, "diagnoses", 1),
                 200, 200, NULL);
    /* The problem list, for a chronic condition not on it yet. */
    if (rc == SW_OK && p->condition && !p->problem_listed
        && dh_rand(h, 100) < cl->problems_share) {
        p->problem_listed = true;
        dh_at(n1 - DH_MIN_MS / 2);
        snprintf(path, sizeof path, "/api/patients/%s/problems", p->id);
        rc = dh_call(h, me, "POST", path,
                     json_pack("{s:s, s:s}", "code", k->dx, "system", "icd10cm"),
                     201, 201, NULL);
    }
    /* Medication reconciliation, the habit some never pick up. */
    int reconcile = dh_curve(cl->reconcile_start, cl->reconcile_end, cl->learn_weeks, live);
    static const char *const lists[] = { "medications", "problems", "allergies" };
    for (int l = 0; rc == SW_OK && l < 3; l++) {
        /* The problem and allergy lists are reviewed less often, but by
         * everyone; medications as the clinician's habit says. */
        if (dh_rand(h, 100) >= (l == 0 ? reconcile : 20))
            continue;
        dh_at(n1 - DH_MIN_MS / 3 + l * 1000);
        snprintf(path, sizeof path, "/api/visits/%s/reconcile", v->encounter);
        rc = dh_call(h, me, "POST", path, json_pack("{s:s}", "list", lists[l]),
                     201, 200, NULL);
    }
    /* A medication: a chronic condition's first, its renewal at a later
     * visit once prescriptions are sent electronically (on paper before,
     * outside the record), an antibiotic at some acute visits (recorded
     * only once it can be e-prescribed). */
    bool needs = p->condition ? !p->med_started || (stage2 && dh_rand(h, 100) < 60)
                              : stage2 && dh_rand(h, 100) < 30;
    if (rc == SW_OK && needs) {
        p->med_started = p->med_started || p->condition;
        rc = medication(h, c, v, p, stage2, n1 - DH_MIN_MS / 4);
    }
    /* An HbA1c for the chronic patients, once orders are live. */
    if (rc == SW_OK && stage2 && p->condition && dh_rand(h, 100) < 35
        && h->npending < DH_MAX_PENDING) {
        dh_at(n1 - DH_MIN_MS / 5);
        snprintf(path, sizeof path, "/api/patients/%s/orders", p->id);
        rc = dh_call(h, me, "POST", path,
                     json_pack("{s:s, s:s, s:s, s:s}", "code", "4548-4",
                               "category", "lab", "reason", k->assessment,
                               "encounter", v->encounter), 201, 201, &reply);
        if (rc == SW_OK) {
            dh_pending *pd = &h->pending[h->npending++];
            memset(pd, 0, sizeof *pd);
            snprintf(pd->order, sizeof pd->order, "%s",
                     dh_str(reply, "order"));
            memcpy(pd->patient, p->id, sizeof pd->patient);
            pd->clinician = c;
            pd->file_day = day0 / DH_DAY_MS + 1;
            pd->signoff_day = pd->file_day + cl->signoff_delay_days;
            h->orders++;
        }
        json_decref(reply);
    }
    if (rc != SW_OK)
        return rc;
    /* Signed at once, tonight, or tomorrow morning. */
    int same = dh_curve(cl->sign_same_day_start, cl->sign_same_day_end,
                        cl->learn_weeks, live);
    if (dh_rand(h, 100) < same)
        return sign(h, c, v->encounter, n1);
    if (h->ndeferred[c] == DH_MAX_DEFERRED)
        return sign(h, c, v->encounter, n1);
    dh_deferred *d = &h->deferred[c][h->ndeferred[c]++];
    snprintf(d->encounter, sizeof d->encounter, "%s", v->encounter);
    d->evening = dh_rand(h, 100) < cl->evening_share;
    return SW_OK;
}

/* Deferred notes: the evening ones at home after 20:30 (pajama time),
 * the rest the next morning before clinic. */
static int sign_deferred(dh *h, int64_t day0, bool evening)
{
    int rc = SW_OK;
    for (int c = 0; rc == SW_OK && c < 4; c++) {
        const dh_clinician *cl = &dh_clinicians[c];
        int64_t at = evening ? day0 + 20 * HOUR + 30 * DH_MIN_MS
                             : day0 + 7 * HOUR;
        int kept = 0;
        int64_t from = at;
        for (int i = 0; rc == SW_OK && i < h->ndeferred[c]; i++) {
            dh_deferred *d = &h->deferred[c][i];
            if (d->evening != evening && evening) {
                h->deferred[c][kept++] = *d;
                continue;
            }
            at += 4 * DH_MIN_MS;
            rc = sign(h, c, d->encounter, at);
        }
        if (at > from)
            dh_activity_add(h, cl->who, "documentation", "visit", from, at,
                            (int)((at - from) / 1000 * 4 / 5));
        h->ndeferred[c] = kept;
    }
    return rc;
}

/* A new patient walks up to the desk each morning and is registered
 * there (the people after the PMS's, from the same generator). */
static int register_new_patient(dh *h, int64_t day0)
{
    int64_t at = day0 + 7 * HOUR + 25 * DH_MIN_MS;
    training_person tp;
    training_person_at(DH_SEED, DH_PATIENTS + h->registered, at, &tp);
    char mrn[16];
    snprintf(mrn, sizeof mrn, "D%05d", 2000 + DH_PATIENTS + h->registered);
    json_t *pt = json_pack(
        "{s:s, s:[{s:s, s:s}], s:[{s:s, s:s, s:[s]}], s:s, s:s,"
        " s:[{s:s, s:s, s:s}]}",
        "resourceType", "Patient",
        "identifier", "system", "urn:stagewise:mrn", "value", mrn,
        "name", "use", "official", "family", tp.family, "given", tp.given,
        "gender", tp.sex[0] == 'F' ? "female" : "male", "birthDate", tp.birth,
        "telecom", "system", "phone", "value", tp.phone, "use", "mobile");
    dh_demographics(pt, DH_PATIENTS + h->registered);
    enum dh_person desk = (day0 / DH_DAY_MS) % 2 ? P_PATEL : P_SANTOS;
    dh_at(at);
    dh_activity_add(h, desk, "registration", "patient", at - 4 * DH_MIN_MS, at, 180);
    h->registered++;
    return dh_call(h, h->tokens[desk], "POST", "/fhir/Patient", pt, 201, 201, NULL);
}

/* A patient phones the desk with a new number (the whole resource read
 * and written back, as the web app's Edit details does). */
static int update_phone(dh *h, int64_t day0)
{
    const dh_patient *p = &h->patients[dh_rand(h, DH_PATIENTS)];
    enum dh_person desk = (day0 / DH_DAY_MS) % 2 ? P_SANTOS : P_PATEL;
    char path[64], phone[16];
    snprintf(path, sizeof path, "/fhir/Patient/%s", p->id);
    snprintf(phone, sizeof phone, "555-01%02d", dh_rand(h, 100));
    dh_at(day0 + 11 * HOUR + 5 * DH_MIN_MS);
    json_t *pt = NULL;
    int rc = dh_call(h, h->tokens[desk], "GET", path, NULL, 200, 200, &pt);
    if (rc != SW_OK)
        return rc;
    json_object_del(pt, "meta");
    json_object_set_new(pt, "telecom", json_pack("[{s:s, s:s, s:s}]", "system",
                        "phone", "value", phone, "use", "mobile"));
    dh_at(day0 + 11 * HOUR + 7 * DH_MIN_MS);
    dh_activity_add(h, desk, "registration", "patient",
                    day0 + 11 * HOUR + 5 * DH_MIN_MS,
                    day0 + 11 * HOUR + 7 * DH_MIN_MS, 90);
    return dh_call(h, h->tokens[desk], "PUT", path, pt, 200, 200, NULL);
}

int dh_clinic_day(dh *h, int64_t day0)
{
    bool stage2 = day0 >= h->stage2_day0;
    int rc = stage2 ? file_results(h, day0) : SW_OK;
    if (rc == SW_OK)
        rc = sign_deferred(h, day0, false);
    struct visit v[4][8];
    int n[4], most = 0;
    for (int c = 0; c < 4; c++) {
        n[c] = visits_today(h, &dh_clinicians[c], day0);
        most = n[c] > most ? n[c] : most;
    }
    if (rc == SW_OK)
        rc = register_new_patient(h, day0);
    if (rc == SW_OK)
        rc = book(h, day0, v, n);
    /* The clinic's staff open the whole day's schedule, each clinician at
     * work their own. */
    static const enum dh_person staff[] = { P_PATEL, P_SANTOS, P_JONES,
                                            P_GARCIA, P_OKAFOR };
    for (size_t i = 0; rc == SW_OK && i < sizeof staff / sizeof staff[0]; i++) {
        dh_at(day0 + 7 * HOUR + 35 * DH_MIN_MS + (int64_t)i * 1000);
        rc = dh_call(h, h->tokens[staff[i]], "GET", "/api/schedule?all=true",
                     NULL, 200, 200, NULL);
    }
    for (int c = 0; rc == SW_OK && c < 4; c++)
        if (n[c] > 0) {
            dh_at(day0 + 7 * HOUR + 40 * DH_MIN_MS + c * DH_MIN_MS / 4);
            rc = dh_call(h, h->tokens[tok_of(&dh_clinicians[c])], "GET",
                         "/api/schedule", NULL, 200, 200, NULL);
        }
    if (rc == SW_OK)
        rc = update_phone(h, day0);
    if (rc == SW_OK && stage2)
        rc = sign_off_results(h, day0);
    for (int k = 0; rc == SW_OK && k < most; k++)
        for (int c = 0; rc == SW_OK && c < 4; c++)
            if (k < n[c])
                rc = visit(h, day0, c, &v[c][k], slot_start(day0, k, c));
    /* The inbox over lunch. */
    for (int c = 0; rc == SW_OK && c < 4; c++)
        if (n[c] > 0)
            dh_activity_add(h, dh_clinicians[c].who, "inbox", "inbox",
                            day0 + 12 * HOUR + 15 * DH_MIN_MS,
                            day0 + 12 * HOUR + 30 * DH_MIN_MS, 6 * 60);
    if (rc == SW_OK)
        rc = sign_deferred(h, day0, true);
    return rc;
}
