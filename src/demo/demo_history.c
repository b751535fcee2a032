/* demo_history.c - months of the demo practice's life, generated through
 * the server's own routes under a simulated clock (docs/adoption-
 * metrics.md "The demo practice").
 *
 * The real application is served in-process (demo_server.h) and driven by
 * a loopback client (demo_http.h), so every record is validated, indexed,
 * audited and enforced by the rollout plan exactly as a person's clicks
 * would be; only the clock is simulated (sw_clock_set_fixed), moved to
 * the instant of each step. The timeline, ending yesterday:
 *
 *   - 18 weeks ago: the practice-management system registers the
 *     patients (people of the training generator, training/people.h);
 *   - 8 weeks of baseline: the PMS sends each day's completed
 *     appointments (status fulfilled) for the four clinicians;
 *   - the eve of go-live: the implementation lead writes the staged plan,
 *     names super-users, sets the clinicians' weekly schedules and ticks
 *     the readiness checklist;
 *   - 10 weeks ago stage 1 ("Front desk and charting") goes live, 4 weeks
 *     ago stage 2 ("Orders and prescribing"); stage 3 stays planned;
 *   - each working day since: the clinic day of demo_history_day.c.
 *
 * Deterministic (a fixed seed) and idempotent: the adoption setting
 * "demo_history" marks a database that has its history. */
#include "demo.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adoption/adoption.h"
#include "adoption/findings.h"
#include "adoption/rollup.h"
#include "auth/api_token.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "demo_history_int.h"
#include "demo_server.h"
#include "training/course.h"
#include "training/people.h"

#define MARKER  "demo_history"

const char *const dh_usernames[P_PEOPLE] = {
    [P_RIVERA] = "dr.rivera", [P_OSEI] = "dr.osei", [P_CHEN] = "np.chen",
    [P_BROOKS] = "pa.brooks", [P_OKAFOR] = "rn.okafor",
    [P_JONES] = "ma.jones", [P_GARCIA] = "ma.garcia",
    [P_PATEL] = "desk.patel", [P_SANTOS] = "desk.santos",
    [P_MORGAN] = "lead.morgan",
};

/* The four clinicians and the story each tells (docs/adoption-
 * metrics.md "The demo practice"). */
const dh_clinician dh_clinicians[4] = {
    /* Adopts everything quickly: short notes, signs at once, reconciles,
     * e-prescribes. */
    { .who = P_RIVERA, .practitioner = DEMO_PRACTITIONER_RIVERA,
      .display = "Dr. Ana Rivera", .workdays = 5, .visits_per_day = 4,
      .recover_weeks = 3, .note_min_start = 16, .note_min_end = 6,
      .learn_weeks = 4, .sign_same_day_start = 85, .sign_same_day_end = 98,
      .evening_share = 10, .reconcile_start = 70, .reconcile_end = 95,
      .erx_share = 95, .problems_share = 95, .signoff_delay_days = 0 },
    /* Never reconciles medication lists (the neglected feature); a week
     * of leave. */
    { .who = P_OSEI, .practitioner = DEMO_PRACTITIONER_OSEI,
      .display = "Dr. Kwame Osei", .workdays = 5, .visits_per_day = 4,
      .recover_weeks = 5, .note_min_start = 18, .note_min_end = 8,
      .learn_weeks = 6, .sign_same_day_start = 70, .sign_same_day_end = 92,
      .evening_share = 20, .reconcile_start = 0, .reconcile_end = 0,
      .erx_share = 85, .problems_share = 80, .signoff_delay_days = 1,
      .leave_week = 6 },
    /* Keeps adding medications to the list instead of e-prescribing. */
    { .who = P_CHEN, .practitioner = DEMO_PRACTITIONER_CHEN,
      .display = "Li Chen, NP", .workdays = 4, .visits_per_day = 4,
      .recover_weeks = 4, .note_min_start = 17, .note_min_end = 8,
      .learn_weeks = 5, .sign_same_day_start = 75, .sign_same_day_end = 95,
      .evening_share = 15, .reconcile_start = 50, .reconcile_end = 80,
      .erx_share = 15, .problems_share = 70, .signoff_delay_days = 1 },
    /* Lags: long notes, charting in the evening, a slow recovery of
     * visit volume. */
    { .who = P_BROOKS, .practitioner = DEMO_PRACTITIONER_BROOKS,
      .display = "Taylor Brooks, PA-C", .workdays = 5, .visits_per_day = 3,
      .recover_weeks = 10, .note_min_start = 24, .note_min_end = 14,
      .learn_weeks = 12, .sign_same_day_start = 25, .sign_same_day_end = 55,
      .evening_share = 80, .reconcile_start = 20, .reconcile_end = 45,
      .erx_share = 60, .problems_share = 40, .signoff_delay_days = 3 },
};

/* ---- Shared helpers --------------------------------------------------------- */

int dh_rand(dh *h, int n)
{
    /* splitmix64: small, fast and the same everywhere. */
    uint64_t z = (h->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return n > 0 ? (int)(z % (uint64_t)n) : 0;
}

void dh_at(int64_t ms)
{
    sw_clock_set_fixed(ms);
}

const char *dh_str(json_t *reply, const char *key)
{
    const char *v = json_string_value(json_object_get(reply, key));
    return v ? v : "";
}

void dh_iso(int64_t ms, char out[32])
{
    int64_t day = ms >= 0 ? ms / DH_DAY_MS : (ms - DH_DAY_MS + 1) / DH_DAY_MS;
    char date[11];
    adoption_day_text(day, date);
    int64_t sec = (ms - day * DH_DAY_MS) / 1000;
    snprintf(out, 32, "%sT%02d:%02d:%02dZ", date, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

int dh_curve(int start, int end, int weeks, int64_t days_live)
{
    if (weeks <= 0 || days_live >= (int64_t)weeks * 7)
        return end;
    if (days_live <= 0)
        return start;
    return start + (int)((end - start) * days_live / ((int64_t)weeks * 7));
}

int dh_try(dh *h, const char *token, const char *method, const char *path,
           json_t *body, long *status, json_t **reply)
{
    h->calls++;
    int rc = demo_http_call(h->http, method, path, token, body, status, reply,
                            h->err);
    json_decref(body);
    return rc;
}

int dh_call(dh *h, const char *token, const char *method, const char *path,
            json_t *body, long ok1, long ok2, json_t **reply)
{
    long status = 0;
    json_t *answer = NULL;
    int rc = dh_try(h, token, method, path, body, &status, &answer);
    if (rc != SW_OK)
        return rc;
    if (status != ok1 && status != ok2) {
        /* The /api error's message, or a FHIR OperationOutcome's. */
        const char *why = json_string_value(json_object_get(
            json_object_get(answer, "error"), "message"));
        if (why == NULL)
            why = json_string_value(json_object_get(json_array_get(
                json_object_get(answer, "issue"), 0), "diagnostics"));
        rc = sw_err_set(h->err, SW_EINTERNAL, "the demo history's %s %s was "
                        "answered %ld: %s", method, path, status,
                        why ? why : "no reason given");
        json_decref(answer);
        return rc;
    }
    if (reply)
        *reply = answer;
    else
        json_decref(answer);
    return SW_OK;
}

void dh_activity_add(dh *h, enum dh_person p, const char *area,
                     const char *screen, int64_t from, int64_t to, int active_s)
{
    if (!h->activity_route)
        return;
    /* A report's span is at most 15 minutes: longer work is several. */
    while (from < to && h->activity[p].n < DH_MAX_ACTIVITY) {
        int64_t end = to - from > 15 * DH_MIN_MS ? from + 15 * DH_MIN_MS : to;
        int share = (int)((int64_t)active_s * (end - from) / (to - from));
        dh_activity *a = &h->activity[p];
        a->e[a->n].area = area;
        a->e[a->n].screen = screen;
        a->e[a->n].from = from;
        a->e[a->n].to = end;
        a->e[a->n].active_s = share;
        a->n++;
        active_s -= share;
        from = end;
    }
}

/* ---- The timeline ----------------------------------------------------------- */

static const char *tok(dh *h, enum dh_person p)
{
    return h->tokens[p];
}

static int marker_fn(store_tx *tx, void *arg)
{
    int64_t n = 0;
    int rc = store_query_int64(tx, &n, "SELECT COUNT(*) FROM adoption_setting "
                               "WHERE practice_id = ? AND name = ?", "it",
                               (int64_t)DEMO_PRACTICE_ID, MARKER);
    *(bool *)arg = rc == SW_OK && n > 0;
    return rc;
}

static int marker_set_fn(store_tx *tx, void *arg)
{
    return store_exec(tx, NULL, "INSERT INTO adoption_setting (practice_id, "
                      "name, value) VALUES (?, ?, ?)", "itt",
                      (int64_t)DEMO_PRACTICE_ID, MARKER, (const char *)arg);
}

static int analyze_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, NULL, "ANALYZE fhir_resource, fhir_idx_ref, "
                      "fhir_idx_token, fhir_idx_date, audit_log", "");
}

/* On PostgreSQL the planner's statistics of a new database say its tables
 * are empty until autovacuum catches up, and the look-ups of a growing
 * record are planned as scans meanwhile: the history refreshes them as
 * the record grows, as a database in use long enough has them. */
static int refresh_statistics(dh *h, sw_store *s)
{
    if (store_kind_of(s) != STORE_POSTGRES)
        return SW_OK;
    return store_write(s, analyze_fn, NULL, h->err);
}

static int analyze_all_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, NULL, "ANALYZE", "");
}

static int sync_commit_fn(store_tx *tx, void *arg)
{
    return store_exec(tx, NULL, strcmp(arg, "on") == 0
                      ? "SET synchronous_commit = on"
                      : "SET synchronous_commit = off", "");
}

struct user_id_q { const char *username; int64_t id; };

static int user_id_fn(store_tx *tx, void *arg)
{
    struct user_id_q *q = arg;
    return store_query_int64(tx, &q->id, "SELECT user_id FROM app_user WHERE "
                             "practice_id = ? AND username = ?", "it",
                             (int64_t)DEMO_PRACTICE_ID, q->username);
}

/* An API token for a service account (what `stagewise user token` does),
 * revoked when the history is done. */
static int service_token(sw_store *s, const char *username, char out[96],
                         int64_t *user_id, sw_err *err)
{
    struct user_id_q q = { .username = username };
    int rc = store_read(s, user_id_fn, &q, err);
    audit_who who;
    audit_cli_who(&who, DEMO_PRACTICE_ID);
    who.username = "demo";
    char text[AUTH_API_TOKEN_TEXT];
    if (rc == SW_OK)
        rc = auth_api_token_create(s, &who, q.id, text, NULL, err);
    if (rc == SW_OK)
        snprintf(out, 96, "%s", text);
    *user_id = q.id;
    return rc;
}

static int sign_in(dh *h, enum dh_person p)
{
    json_t *reply = NULL;
    int rc = dh_call(h, NULL, "POST", "/api/session",
                     json_pack("{s:s, s:s}", "username", dh_usernames[p],
                               "password", DEMO_PASSWORD), 201, 201, &reply);
    if (rc == SW_OK)
        snprintf(h->tokens[p], sizeof h->tokens[p], "%s",
                 dh_str(reply, "token"));
    json_decref(reply);
    return rc;
}

/* Preferred language, and the US Core race and ethnicity extensions that
 * the demographics benchmark looks for, as the PMS registers them; one
 * patient in eight was registered without race and ethnicity. Codes:
 * BCP 47 "en-US" and CDC race and ethnicity (urn:oid:2.16.840.1.113883.
 * 6.238) 2106-3 White, 2054-5 Black or African American, 2186-5 Not
 * Hispanic or Latino (as in tests/data/synthea), 2135-2 Hispanic or
 * Latino (US Core value set omb-ethnicity-category). */
void dh_demographics(json_t *pt, int k)
{
    json_object_set_new(pt, "communication", json_pack("[{s:{s:[{s:s, s:s, s:s}], s:s}}]",
        "language", "coding", "system", "urn:ietf:bcp:47", "code", "en-US",
        "display", "English (United States)", "text", "English (United States)"));
    if (k % 8 == 7)
        return;
    const char *race = k % 4 == 1 ? "2054-5" : "2106-3";
    const char *race_text = k % 4 == 1 ? "Black or African American" : "White";
    const char *eth = k % 5 == 2 ? "2135-2" : "2186-5";
    const char *eth_text = k % 5 == 2 ? "Hispanic or Latino" : "Not Hispanic or Latino";
    const char *cdc = "urn:oid:2.16.840.1.113883.6.238";
    json_object_set_new(pt, "extension", json_pack(
        "[{s:s, s:[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:s}]},"
        " {s:s, s:[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:s}]}]",
        "url", "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
        "extension", "url", "ombCategory", "valueCoding", "system", cdc,
        "code", race, "display", race_text, "url", "text", "valueString", race_text,
        "url", "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
        "extension", "url", "ombCategory", "valueCoding", "system", cdc,
        "code", eth, "display", eth_text, "url", "text", "valueString", eth_text));
}

/* The patients, registered by the PMS in transaction Bundles of 40. */
static int register_patients(dh *h, int64_t now_ms)
{
    int rc = SW_OK;
    for (int i = 0; rc == SW_OK && i < DH_PATIENTS; i += 40) {
        json_t *entries = json_array();
        for (int k = i; k < i + 40 && k < DH_PATIENTS; k++) {
            training_person tp;
            training_person_at(DH_SEED, k, now_ms, &tp);
            dh_patient *p = &h->patients[k];
            snprintf(p->id, sizeof p->id, "demo-p%04d", k + 1);
            snprintf(p->family, sizeof p->family, "%s", tp.family);
            p->condition = k % 3 == 0 ? 1 : k % 5 == 0 ? 2 : 0;
            char mrn[16], url[48];
            snprintf(mrn, sizeof mrn, "D%05d", 2000 + k);
            snprintf(url, sizeof url, "Patient/%s", p->id);
            json_t *pt = json_pack(
                "{s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s, s:[s]}], s:s, s:s,"
                " s:[{s:s, s:s, s:s}], s:[{s:s, s:[s], s:s, s:s, s:s}]}",
                "resourceType", "Patient", "id", p->id,
                "identifier", "system", "urn:stagewise:mrn", "value", mrn,
                "name", "use", "official", "family", tp.family, "given", tp.given,
                "gender", tp.sex[0] == 'F' ? "female" : "male",
                "birthDate", tp.birth,
                "telecom", "system", "phone", "value", tp.phone, "use", "home",
                "address", "use", "home", "line", tp.street, "city", tp.city,
                "state", tp.state, "postalCode", tp.zip);
            dh_demographics(pt, k);
            json_array_append_new(entries, json_pack("{s:o, s:{s:s, s:s}}",
                "resource", pt, "request", "method", "PUT", "url", url));
        }
        rc = dh_call(h, h->pms_token, "POST", "/fhir",
                     json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle",
                               "type", "transaction", "entry", entries),
                     200, 200, NULL);
    }
    return rc;
}

static bool works_on(const dh_clinician *c, int64_t day0)
{
    int wd = adoption_weekday(day0 / DH_DAY_MS);
    return wd < c->workdays;
}

/* One baseline day: the PMS sends the day's completed appointments. */
static int baseline_day(dh *h, int64_t day0)
{
    json_t *entries = json_array();
    char date[11];
    adoption_day_text(day0 / DH_DAY_MS, date);
    for (int c = 0; c < 4; c++) {
        const dh_clinician *cl = &dh_clinicians[c];
        if (!works_on(cl, day0))
            continue;
        int n = cl->visits_per_day - 1 + dh_rand(h, 3);
        for (int k = 0; k < n; k++) {
            int64_t start = day0 + (k < n / 2 ? 8 * 60 : 13 * 60) * DH_MIN_MS
                          + (int64_t)(k < n / 2 ? k : k - n / 2) * 40 * DH_MIN_MS;
            char id[64], url[80], s1[32], s2[32], pract[64];
            snprintf(id, sizeof id, "demo-b%s-%d-%d", date, c, k);
            snprintf(url, sizeof url, "Appointment/%s", id);
            snprintf(pract, sizeof pract, "Practitioner/%s", cl->practitioner);
            dh_iso(start, s1);
            dh_iso(start + 20 * DH_MIN_MS, s2);
            const dh_patient *p = &h->patients[(dh_rand(h, DH_PATIENTS / 4)) * 4 + c];
            char pref[40];
            snprintf(pref, sizeof pref, "Patient/%s", p->id);
            json_t *a = json_pack(
                "{s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:I,"
                " s:[{s:{s:s}, s:s}, {s:{s:s, s:{s:s, s:s}, s:s}, s:s}]}",
                "resourceType", "Appointment", "id", id, "status", "fulfilled",
                "appointmentType", "text", p->condition ? "Follow-up" : "Acute visit",
                "start", s1, "end", s2, "minutesDuration", (json_int_t)20,
                "participant", "actor", "reference", pref, "status", "accepted",
                "actor", "reference", pract, "identifier", "system",
                "urn:stagewise:user", "value", dh_usernames[cl->who],
                "display", cl->display, "status", "accepted");
            json_array_append_new(entries, json_pack("{s:o, s:{s:s, s:s}}",
                "resource", a, "request", "method", "PUT", "url", url));
        }
    }
    dh_at(day0 + 18 * 3600 * 1000LL);
    return dh_call(h, h->pms_token, "POST", "/fhir",
                   json_pack("{s:s, s:s, s:o}", "resourceType", "Bundle",
                             "type", "transaction", "entry", entries),
                   200, 200, NULL);
}

static const char *const stage1_modules[] = {
    "registration", "scheduling", "documentation", "problems", "allergies",
    "medications", "vitals", NULL };
static const char *const stage2_modules[] = {
    "eprescribing", "orders", "results", "immunizations", NULL };

static json_t *modules_json(const char *const *m)
{
    json_t *a = json_array();
    for (; *m; m++)
        json_array_append_new(a, json_string(*m));
    return a;
}

static json_t *plan_json(const dh *h)
{
    char d1[11], d2[11], d3[11];
    adoption_day_text(h->stage1_day0 / DH_DAY_MS, d1);
    adoption_day_text(h->stage2_day0 / DH_DAY_MS, d2);
    adoption_day_text(h->today0 / DH_DAY_MS + 28, d3);
    return json_pack(
        "{s:i, s:i, s:[{s:s, s:s, s:s, s:o, s:{s:s}, s:[{s:s, s:i}, {s:s, s:["
        "{s:s, s:s}, {s:s, s:s}]}]},"
        " {s:s, s:s, s:s, s:o, s:{s:s}, s:[{s:s, s:i}]},"
        " {s:s, s:s, s:s, s:[s], s:{s:s}, s:[{s:s}]}]}",
        "max_modules_per_stage", 7, "max_plan_weeks", 26, "stages",
        "id", "front-desk-charting", "name", "Front desk and charting",
        "target_date", d1, "modules", modules_json(stage1_modules),
        "cohort", "kind", "everyone",
        "gates", "kind", "training_completion", "percent", 80,
        "kind", "checklist", "items",
        "id", "super-users", "text", "Super-users are named for every module",
        "id", "schedules-reduced", "text",
        "Clinic schedules are cut to 70% for the first two weeks",
        "id", "orders-prescribing", "name", "Orders and prescribing",
        "target_date", d2, "modules", modules_json(stage2_modules),
        "cohort", "kind", "everyone",
        "gates", "kind", "previous_benchmarks", "percent", 70,
        "id", "charge-capture", "name", "Charge capture", "target_date", d3,
        "modules", "charge_capture", "cohort", "kind", "everyone",
        "gates", "kind", "interface_tests");
}

static const struct { const char *module; enum dh_person who; } super_users[] = {
    { "registration", P_PATEL }, { "scheduling", P_PATEL },
    { "documentation", P_RIVERA }, { "problems", P_RIVERA },
    { "allergies", P_JONES }, { "medications", P_RIVERA },
    { "vitals", P_JONES }, { "eprescribing", P_RIVERA },
    { "orders", P_OSEI }, { "results", P_OSEI },
    { "immunizations", P_OKAFOR },
};

/* The clinicians' weekly schedules: two four-hour sessions a working day
 * (PUT /api/adoption/schedule/{username}; skipped when it is not served). */
static int schedules(dh *h)
{
    for (int c = 0; c < 4; c++) {
        const dh_clinician *cl = &dh_clinicians[c];
        json_t *t = json_array();
        for (int wd = 0; wd < cl->workdays; wd++) {
            json_array_append_new(t, json_pack("{s:i, s:s, s:s}", "weekday", wd,
                                               "start", "08:00", "end", "12:00"));
            json_array_append_new(t, json_pack("{s:i, s:s, s:s}", "weekday", wd,
                                               "start", "13:00", "end", "17:00"));
        }
        char path[96];
        snprintf(path, sizeof path, "/api/adoption/schedule/%s",
                 dh_usernames[cl->who]);
        long st = 0;
        int rc = dh_try(h, tok(h, P_MORGAN), "PUT", path,
                        json_pack("{s:o}", "template", t), &st, NULL);
        if (rc != SW_OK)
            return rc;
        if (st == 404)
            return SW_OK;          /* the schedules route is not served */
        if (st != 200 && st != 204)
            return sw_err_set(h->err, SW_EINTERNAL, "the demo history's PUT %s "
                              "was answered %ld", path, st);
        if (cl->leave_week > 0) {
            char first[11], last[11];
            int64_t d = h->stage1_day0 / DH_DAY_MS + 7 * (cl->leave_week - 1);
            while (adoption_weekday(d) != 0)
                d++;
            adoption_day_text(d, first);
            adoption_day_text(d + 4, last);
            snprintf(path, sizeof path, "/api/adoption/schedule/%s/leave",
                     dh_usernames[cl->who]);
            rc = dh_call(h, tok(h, P_MORGAN), "POST", path,
                         json_pack("{s:s, s:s, s:s}", "first", first, "last",
                                   last, "reason", "Annual leave"),
                         201, 200, NULL);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

/* The eve of go-live: the plan, super-users, schedules, the checklist. */
static int prepare_go_live(dh *h, int64_t at)
{
    dh_at(at);
    int rc = dh_call(h, tok(h, P_MORGAN), "PUT", "/api/plan",
                     json_pack("{s:o, s:i, s:s}", "plan", plan_json(h),
                               "version", 0, "comment",
                               "Staged plan agreed with the partners"),
                     200, 200, NULL);
    for (size_t i = 0; rc == SW_OK && i < sizeof super_users / sizeof super_users[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/api/superusers/%s/%s",
                 super_users[i].module, dh_usernames[super_users[i].who]);
        rc = dh_call(h, tok(h, P_MORGAN), "PUT", path, NULL, 200, 201, NULL);
    }
    if (rc == SW_OK)
        rc = schedules(h);
    const char *items[] = { "super-users", "schedules-reduced" };
    for (int i = 0; rc == SW_OK && i < 2; i++) {
        char path[96];
        snprintf(path, sizeof path,
                 "/api/plan/stages/front-desk-charting/checklist/%s", items[i]);
        rc = dh_call(h, tok(h, P_MORGAN), "PUT", path, NULL, 200, 201, NULL);
    }
    return rc;
}

/* A stage goes live: with its gates when they pass, else forced with the
 * reason the demo's lead gives (the demo has no training records, so the
 * training gate has no data). */
static int go_live(dh *h, const char *stage, const char *reason)
{
    char path[96];
    snprintf(path, sizeof path, "/api/plan/stages/%s/go-live", stage);
    long st = 0;
    int rc = dh_try(h, tok(h, P_MORGAN), "POST", path, json_object(), &st, NULL);
    if (rc != SW_OK || st == 200)
        return rc;
    return dh_call(h, tok(h, P_MORGAN), "POST", path,
                   json_pack("{s:b, s:s}", "force", 1, "reason", reason),
                   200, 200, NULL);
}

static int post_activity(dh *h, int64_t at)
{
    dh_at(at);
    for (int p = 0; p < P_PEOPLE; p++) {
        dh_activity *a = &h->activity[p];
        if (a->n == 0)
            continue;
        json_t *entries = json_array();
        for (int i = 0; i < a->n; i++) {
            char f[32], t[32];
            dh_iso(a->e[i].from, f);
            dh_iso(a->e[i].to, t);
            json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:s, s:i}",
                "area", a->e[i].area, "screen", a->e[i].screen, "from", f,
                "to", t, "active_seconds", a->e[i].active_s));
        }
        a->n = 0;
        int rc = dh_call(h, tok(h, (enum dh_person)p), "POST", "/api/activity",
                         json_pack("{s:o}", "entries", entries), 204, 200, NULL);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int timeline(dh *h, sw_store *s)
{
    int64_t base0 = h->stage1_day0 - DH_BASELINE_WEEKS * 7 * DH_DAY_MS;
    /* Registration, the week before the baseline starts. */
    dh_at(base0 - 3 * DH_DAY_MS + 9 * 3600 * 1000LL);
    int64_t pms_id = 0, lab_id = 0;
    int rc = service_token(s, DEMO_PMS_USERNAME, h->pms_token, &pms_id, h->err);
    if (rc == SW_OK)
        rc = service_token(s, DEMO_LAB_USERNAME, h->lab_token, &lab_id, h->err);
    for (int p = 0; rc == SW_OK && p < P_PEOPLE; p++)
        rc = sign_in(h, (enum dh_person)p);
    long st = 0;
    if (rc == SW_OK)
        rc = dh_try(h, tok(h, P_RIVERA), "POST", "/api/activity",
                    json_pack("{s:[]}", "entries"), &st, NULL);
    h->activity_route = st != 404;
    if (rc == SW_OK)
        rc = register_patients(h, base0);
    for (int64_t d = base0; rc == SW_OK && d < h->stage1_day0; d += DH_DAY_MS)
        if (adoption_weekday(d / DH_DAY_MS) < 5)
            rc = baseline_day(h, d);
    if (rc == SW_OK)
        rc = refresh_statistics(h, s);
    if (rc == SW_OK)
        rc = prepare_go_live(h, h->stage1_day0 - DH_DAY_MS + 19 * 3600 * 1000LL);
    for (int64_t d = h->stage1_day0; rc == SW_OK && d < h->today0; d += DH_DAY_MS) {
        if (d == h->stage1_day0) {
            dh_at(d + 7 * 3600 * 1000LL);
            rc = go_live(h, "front-desk-charting", "Training ran as classroom "
                         "sessions signed on paper, so the training gate has "
                         "no data; the partners accepted the plan");
        } else if (d == h->stage2_day0) {
            dh_at(d + 7 * 3600 * 1000LL);
            rc = go_live(h, "orders-prescribing", "Agreed at the go/no-go "
                         "meeting: the stragglers get super-user time instead "
                         "of a delay");
        }
        /* The record doubles in the first weeks, then grows slowly. */
        int64_t week = (d - h->stage1_day0) / (7 * DH_DAY_MS);
        if (rc == SW_OK && adoption_weekday(d / DH_DAY_MS) == 0
            && (week == 1 || week == 2 || week == 4 || week == 8))
            rc = refresh_statistics(h, s);
        if (rc == SW_OK && adoption_weekday(d / DH_DAY_MS) < 5) {
            rc = dh_clinic_day(h, d);
            if (rc == SW_OK)
                rc = post_activity(h, d + 21 * 3600 * 1000LL + 30 * DH_MIN_MS);
        }
    }
    /* Everyone signs out at the end of the last day (the sessions would
     * otherwise stay open for the year they were made to last). */
    for (int p = 0; rc == SW_OK && p < P_PEOPLE; p++) {
        dh_at(h->today0 - DH_DAY_MS + 22 * 3600 * 1000LL);
        rc = dh_call(h, tok(h, (enum dh_person)p), "DELETE", "/api/session",
                     NULL, 204, 200, NULL);
    }
    /* The interfaces' tokens end with the history: the published demo has
     * no way in through them. */
    dh_at(0);
    audit_who who;
    audit_cli_who(&who, DEMO_PRACTICE_ID);
    who.username = "demo";
    sw_err ignored;
    if (pms_id)
        auth_api_token_revoke(s, &who, pms_id, 0, NULL, &ignored);
    if (lab_id)
        auth_api_token_revoke(s, &who, lab_id, 0, NULL, &ignored);
    return rc;
}

static int settings_fn(store_tx *tx, void *arg)
{
    return adoption_settings_load(tx, DEMO_PRACTICE_ID, arg);
}

static int evaluate(sw_store *s, int64_t today_ms, adoption_eval_counts *counts,
                    sw_err *err)
{
    adoption_settings set;
    int rc = store_read(s, settings_fn, &set, err);
    if (rc != SW_OK)
        return rc;
    /* Without the courses the recommendations name super-users only. */
    training_courses *courses = NULL;
    sw_err ignored;
    if (training_courses_load(SW_COURSES_DIR, &courses, &ignored) != SW_OK)
        courses = NULL;
    rc = adoption_evaluate(s, DEMO_PRACTICE_ID,
                           adoption_day_of(today_ms, set.utc_offset_minutes),
                           courses, counts, err);
    training_courses_free(courses);
    return rc;
}

int demo_history_build(sw_store *s, int64_t today_ms, bool *built,
                       char *summary, size_t cap, sw_err *err)
{
    *built = false;
    bool done = false;
    int rc = store_read(s, marker_fn, &done, err);
    if (rc != SW_OK || done)
        return rc;
    dh *h = sw_calloc(1, sizeof *h);
    if (h == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    h->rng = DH_SEED;
    h->err = err;
    h->today0 = today_ms / DH_DAY_MS * DH_DAY_MS;
    h->stage1_day0 = h->today0 - DH_STAGE1_DAYS * DH_DAY_MS;
    h->stage2_day0 = h->today0 - DH_STAGE2_DAYS * DH_DAY_MS;
    /* Thousands of requests: their access lines would bury init's output
     * (a failure is reported through err). */
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0)
        sw_log_set_fd(devnull);
    /* On PostgreSQL the history's commits do not wait for the disk: a
     * crash part-way leaves a database to build again anyway (the marker
     * is written last, durably). The setting is the session's, and init's
     * store has one connection. */
    bool pg = store_kind_of(s) == STORE_POSTGRES;
    if (pg)
        rc = store_write(s, sync_commit_fn, (void *)"off", err);
    demo_server *srv = NULL;
    if (rc == SW_OK)
        rc = demo_server_start(s, &srv, err);
    if (rc == SW_OK)
        rc = demo_http_open(demo_server_port(srv), &h->http, err);
    if (rc == SW_OK)
        rc = timeline(h, s);
    sw_clock_set_fixed(0);
    demo_http_close(h->http);
    demo_server_stop(srv);
    if (devnull >= 0) {
        sw_log_set_fd(STDERR_FILENO);
        close(devnull);
    }
    if (pg && rc == SW_OK) {
        rc = store_write(s, sync_commit_fn, (void *)"on", err);
    } else if (pg) {
        sw_err ignored;
        store_write(s, sync_commit_fn, (void *)"on", &ignored);
    }
    if (rc == SW_OK) {
        char date[11];
        adoption_day_text(h->today0 / DH_DAY_MS, date);
        rc = store_write(s, marker_set_fn, date, err);
    }
    /* The roll-ups and findings, as the server's adoption worker would
     * have kept them, as of today. */
    if (rc == SW_OK)
        rc = adoption_rollup_catch_up(s, DEMO_PRACTICE_ID, NULL, err);
    adoption_eval_counts counts = { 0 };
    /* Fresh statistics for the roll-ups just written: without them
     * PostgreSQL plans the evaluation's look-ups as scans (16 s, not
     * 0.1 s, on the demo). */
    if (rc == SW_OK && store_kind_of(s) == STORE_POSTGRES)
        rc = store_write(s, analyze_all_fn, NULL, err);
    if (rc == SW_OK)
        rc = evaluate(s, today_ms, &counts, err);
    if (rc == SW_OK) {
        *built = true;
        if (summary)
            snprintf(summary, cap, "Demo history: %d patients, %d weeks of "
                     "baseline, %d visits since go-live (%d notes signed, %d "
                     "prescriptions, %d orders, %d results), %d requests, "
                     "%d adoption findings.", DH_PATIENTS, DH_BASELINE_WEEKS,
                     h->visits, h->signed_notes, h->prescriptions, h->orders,
                     h->results, h->calls, counts.opened);
    }
    sw_free(h);
    return rc;
}
