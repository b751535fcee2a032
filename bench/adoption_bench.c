/* adoption_bench.c - the adoption benchmarks on a large trail (DESIGN.md
 * §9: "adoption benchmarks for 100 users over 1 million audit events:
 * < 1 s"; docs/bench.md "adoption" rows).
 *
 *   adoption_bench DIR [ENTRIES] [POSTGRES_URL]
 *
 * Builds a practice of 100 users (clinicians, nurses, medical assistants,
 * front desk, billers, a lead) with every module live for 100 days, and
 * writes ENTRIES (default 1,000,000) audit entries over the working hours
 * (08:00-17:00 UTC, weekdays) of the last 90 days with audit_record_many
 * (10,000 per transaction): a mix of features by role, about 300 patients
 * per clinician. Then it times, in
 * the same process:
 *   rollup  adoption_rollup_catch_up over the whole trail (entries/s);
 *   report  every one of the 100 users' reports as of today (with their
 *           previous windows and features), in one read transaction with
 *           one report context (report.h), after the catch-up: what the
 *           dashboard and GET /api/adoption/report cost with the roll-ups;
 *   scan    the comparison: the same per-user feature counts for the 30-
 *           and 90-day windows computed by scanning audit_log directly
 *           (GROUP BY user and feature over the user's entries in the
 *           window), what each report would cost without the roll-ups.
 * On SQLite in DIR always; on PostgreSQL too when POSTGRES_URL names an
 * empty database. Prints lines "KEY STORE VALUE" (rollup_rate, rollup_s,
 * report_ms, scan_ms, setup_s) for bench/run.sh.
 *
 * The trail holds no FHIR resources: the entries that make the roller
 * look a record up (signed notes, vitals, reports, patients) still run
 * their queries, which find nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adoption/report.h"
#include "adoption/rollup.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "rollout/plan.h"
#include "rollout/plan_store.h"
#include "store/store.h"

#define PRACTICE  1
#define USERS     100
#define DAYS      90
#define TX_ENTRIES 10000
#define PATIENTS_PER_CLINICIAN 300

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, const sw_err *err)
{
    fprintf(stderr, "adoption_bench: %s: %s\n", what, err ? sw_err_text(err) : "");
    exit(1);
}

/* The users: roles by index. */
static const char *role_of(int i)
{
    if (i < 40) return i % 4 == 3 ? "advanced_practice" : "physician";
    if (i < 60) return "nurse";
    if (i < 75) return "medical_assistant";
    if (i < 90) return "front_desk";
    if (i < 99) return "biller";
    return "implementation_lead,practice_admin";
}

/* What each role does, with weights: features, the resource type the
 * entry names, and the action. */
typedef struct work { const char *feature, *type, *action; int weight; } work;

static const work clinician[] = {
    { "registration.read", "Patient", "read", 20 },
    { "documentation.create", "Composition", "create", 6 },
    { "documentation.update", "Composition", "update", 10 },
    { "documentation.sign", "Composition", "update", 6 },
    { "problems.read", "Condition", "read", 8 },
    { "problems.create", "Condition", "create", 2 },
    { "problems.reconcile", "List", "reconcile", 2 },
    { "allergies.read", "AllergyIntolerance", "read", 5 },
    { "allergies.reconcile", "List", "reconcile", 2 },
    { "medications.read", "MedicationStatement", "read", 6 },
    { "medications.reconcile", "List", "reconcile", 2 },
    { "eprescribing.send", "MedicationRequest", "send", 4 },
    { "orders.create", "ServiceRequest", "create", 3 },
    { "results.read", "DiagnosticReport", "read", 6 },
    { "results.sign_off", "DiagnosticReport", "update", 3 },
    { "vitals.read", "Observation", "read", 4 },
    { "charge_capture.create", "ChargeItem", "create", 3 },
};
static const work nursing[] = {
    { "registration.read", "Patient", "read", 20 },
    { "vitals.create", "Observation", "create", 12 },
    { "vitals.read", "Observation", "read", 6 },
    { "allergies.create", "AllergyIntolerance", "create", 3 },
    { "allergies.read", "AllergyIntolerance", "read", 6 },
    { "medications.create", "MedicationStatement", "create", 3 },
    { "medications.read", "MedicationStatement", "read", 6 },
    { "immunizations.create", "Immunization", "create", 2 },
    { "scheduling.read", "Appointment", "read", 6 },
};
static const work desk[] = {
    { "registration.read", "Patient", "read", 20 },
    { "registration.search", "Patient", "search", 10 },
    { "registration.update", "Patient", "update", 4 },
    { "registration.create", "Patient", "create", 1 },
    { "scheduling.read", "Appointment", "read", 12 },
    { "scheduling.create", "Appointment", "create", 6 },
    { "scheduling.update", "Appointment", "update", 4 },
};
static const work billing[] = {
    { "charge_capture.read", "ChargeItem", "read", 10 },
    { "charge_capture.correct", "ChargeItem", "update", 2 },
    { "charge_capture.resend", "ChargeItem", "update", 1 },
    { "registration.read", "Patient", "read", 4 },
};
static const work lead[] = {
    { "audit.review", "", "read", 2 },
    { "registration.read", "Patient", "read", 1 },
};

static const work *pick(int user, uint64_t *rng)
{
    const work *w;
    size_t n;
    const char *r = role_of(user);
    if (strstr(r, "physician") || strstr(r, "advanced"))
        w = clinician, n = sizeof clinician / sizeof *clinician;
    else if (strstr(r, "nurse") || strstr(r, "medical"))
        w = nursing, n = sizeof nursing / sizeof *nursing;
    else if (strstr(r, "front"))
        w = desk, n = sizeof desk / sizeof *desk;
    else if (strstr(r, "biller"))
        w = billing, n = sizeof billing / sizeof *billing;
    else
        w = lead, n = sizeof lead / sizeof *lead;
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i].weight;
    *rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
    int x = (int)((*rng >> 33) % (uint64_t)total);
    for (size_t i = 0; i < n; i++)
        if ((x -= w[i].weight) < 0)
            return &w[i];
    return &w[0];
}

static const char PLAN[] =
    "{\"stages\":[{\"id\":\"all\",\"name\":\"Everything\",\"target_date\":\"%s\","
    "\"modules\":[\"registration\",\"scheduling\",\"documentation\",\"problems\","
    "\"allergies\",\"medications\",\"vitals\",\"eprescribing\",\"orders\",\"results\","
    "\"immunizations\",\"charge_capture\"],\"cohort\":{\"kind\":\"everyone\"},"
    "\"state\":\"live\",\"live_at\":\"%sT08:00:00Z\"}]}";

static int setup_fn(store_tx *tx, void *arg)
{
    (void)arg;
    int rc = store_exec(tx, NULL, "INSERT INTO practice (practice_id, name, "
                        "created_at) VALUES (?, 'Bench practice', '2026-01-01')",
                        "i", (int64_t)PRACTICE);
    for (int i = 0; rc == SW_OK && i < USERS; i++) {
        char name[32];
        snprintf(name, sizeof name, "user%02d", i);
        rc = store_exec(tx, NULL, "INSERT INTO app_user (practice_id, user_id, "
                        "username, display_name, password_hash, roles, created_at) "
                        "VALUES (?, ?, ?, ?, 'x', ?, '2026-01-01')", "iittt",
                        (int64_t)PRACTICE, (int64_t)(i + 1), name, name, role_of(i));
    }
    return rc;
}

static sw_store *prepare(const char *url, int64_t entries, int64_t end_ms)
{
    sw_store *s;
    sw_err err;
    store_options opt = { .create = true, .connections = 2, .read_budget_ms = -1 };
    int from, to;
    if (store_open(url, &opt, &s, &err) != SW_OK)
        die("opening the store", &err);
    if (store_migrate(s, &from, &to, &err) != SW_OK)
        die("creating the schema", &err);
    if (store_write(s, setup_fn, NULL, &err) != SW_OK)
        die("creating the practice", &err);

    /* Every module live since 100 days ago. */
    char day[11], plan[2048];
    plan_date_format(plan_day_of_ms(end_ms) - 100, day);
    snprintf(plan, sizeof plan, PLAN, day, day);
    sw_plan *p;
    plan_issues is;
    memset(&is, 0, sizeof is);
    if (plan_from_text(plan, strlen(plan), &p, &is) != SW_OK)
        die("the bench's plan does not check", NULL);
    json_t *j = plan_to_json(p);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    plan_free(p);
    audit_who who;
    audit_cli_who(&who, PRACTICE);
    plan_save ps = { .who = &who, .expected = 0, .body = body, .comment = "bench" };
    int64_t version;
    if (plan_store_save(s, &ps, &version, &err) != SW_OK)
        die("saving the plan", &err);
    free(body);

    /* The trail: entries spread over working hours of DAYS days ending
     * now, in time order, each by a user picked in turn. */
    audit_who users[USERS];
    char names[USERS][32];
    for (int i = 0; i < USERS; i++) {
        snprintf(names[i], sizeof names[i], "user%02d", i);
        users[i] = (audit_who){ .practice_id = PRACTICE, .user_id = i + 1,
                                .username = names[i], .roles = role_of(i),
                                .client = "10.0.0.7", .request_id = "" };
    }
    audit_entry *e = calloc(TX_ENTRIES, sizeof *e);
    char (*pat)[16] = calloc(TX_ENTRIES, sizeof *pat);
    char (*res)[24] = calloc(TX_ENTRIES, sizeof *res);
    if (e == NULL || pat == NULL || res == NULL)
        die("out of memory", NULL);
    uint64_t rng = 42;
    /* Working time: 08:00 to 17:00 UTC on the weekdays of the last DAYS
     * days before today, entries evenly spaced through it. */
    int64_t today = adoption_day_of(end_ms, 0), workdays[DAYS];
    int nwork = 0;
    for (int64_t d = today - DAYS; d < today; d++)
        if (adoption_weekday(d) < 5)
            workdays[nwork++] = d;
    int64_t shift_ms = 9 * 3600000LL;
    int64_t step = (int64_t)nwork * shift_ms / entries;
    for (int64_t done = 0; done < entries;) {
        size_t n = 0;
        for (; n < TX_ENTRIES && done < entries; n++, done++) {
            int u = (int)(done % USERS);
            const work *w = pick(u, &rng);
            /* A clinician's panel of patients; others see everyone's. */
            int clin = u < 40 ? u : (int)((rng >> 20) % 40);
            int patient = clin * PATIENTS_PER_CLINICIAN
                        + (int)((rng >> 40) % PATIENTS_PER_CLINICIAN);
            snprintf(pat[n], sizeof pat[n], "pt%05d", patient);
            snprintf(res[n], sizeof res[n], "r%07" PRId64, done);
            e[n] = (audit_entry){ .who = &users[u], .action = w->action,
                                  .feature = w->feature,
                                  .patient_id = *w->type ? pat[n] : "",
                                  .res_type = w->type, .res_id = res[n],
                                  .outcome = AUDIT_SUCCESS, .detail = "",
                                  .at_ms = 0 };
            int64_t t = done * step;
            e[n].at_ms = adoption_day_start_ms(workdays[t / shift_ms], 0)
                       + 8 * 3600000LL + t % shift_ms;
        }
        if (audit_record_many(s, e, n, &err) != SW_OK)
            die("writing the trail", &err);
    }
    free(e);
    free(pat);
    free(res);
    return s;
}

/* ---- The comparison: counts straight from the trail ------------------- */

struct scan { int64_t user_id, from_ms, to_ms, rows; };

static int scan_fn(store_tx *tx, void *arg)
{
    struct scan *c = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT feature, COUNT(*) FROM audit_log "
        "WHERE practice_id = ? AND user_id = ? AND at_ms >= ? AND at_ms < ? "
        "AND outcome = 'success' GROUP BY feature", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, PRACTICE);
    store_bind_int64(st, 2, c->user_id);
    store_bind_int64(st, 3, c->from_ms);
    store_bind_int64(st, 4, c->to_ms);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row)
        c->rows += store_col_int64(st, 1);
    store_finalize(st);
    return rc;
}

struct report { int64_t day; adoption_user_report *r; };

/* Every user's report in one read transaction with one report context
 * (the settings, targets, plan and rollout table read once), as the
 * dashboard and the report endpoints build them. */
static int report_fn(store_tx *tx, void *arg)
{
    struct report *c = arg;
    adoption_report_ctx *ctx;
    int rc = adoption_report_ctx_open(tx, PRACTICE, &ctx);
    for (int u = 1; rc == SW_OK && u <= USERS; u++)
        rc = adoption_report_user_ctx(tx, ctx, u, c->day, false, c->r);
    adoption_report_ctx_close(ctx);
    return rc;
}

static void run(const char *store_name, const char *url, int64_t entries)
{
    int64_t end_ms = sw_now_wall_ms();
    double t0 = now_s();
    sw_store *s = prepare(url, entries, end_ms);
    printf("setup_s %s %.1f\n", store_name, now_s() - t0);
    fflush(stdout);

    sw_err err;
    int64_t rolled = 0;
    t0 = now_s();
    if (adoption_rollup_catch_up(s, PRACTICE, &rolled, &err) != SW_OK)
        die("rolling up", &err);
    double secs = now_s() - t0;
    printf("rollup_s %s %.2f\nrollup_rate %s %.0f\n", store_name, secs,
           store_name, (double)rolled / secs);

    /* Every user's report as of today, as a dashboard asks for them. */
    adoption_settings set;
    adoption_settings_default(&set);
    int64_t today = adoption_day_of(end_ms, set.utc_offset_minutes);
    adoption_user_report *r = malloc(sizeof *r);
    if (r == NULL)
        die("out of memory", NULL);
    t0 = now_s();
    struct report rep = { today, r };
    if (store_read(s, report_fn, &rep, &err) != SW_OK)
        die("reporting", &err);
    printf("report_ms %s %.0f\n", store_name, (now_s() - t0) * 1000);
    free(r);

    /* The same users' feature counts for 30 and 90 days, from the trail. */
    int64_t day_start = adoption_day_start_ms(today + 1, set.utc_offset_minutes);
    int64_t counted = 0;
    t0 = now_s();
    for (int u = 1; u <= USERS; u++) {
        for (int w = 0; w < 2; w++) {
            int days = w ? ADOPTION_RATIO_WINDOW_DAYS : ADOPTION_TIME_WINDOW_DAYS;
            struct scan c = { u, day_start - (int64_t)days * 86400000LL, day_start, 0 };
            if (store_read(s, scan_fn, &c, &err) != SW_OK)
                die("scanning the trail", &err);
            counted += c.rows;
        }
    }
    printf("scan_ms %s %.0f\n", store_name, (now_s() - t0) * 1000);
    if (counted <= 0)
        die("the trail scan counted nothing", NULL);
    store_close(s);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: adoption_bench DIR [ENTRIES] [POSTGRES_URL]\n");
        return 2;
    }
    int64_t entries = argc > 2 ? strtoll(argv[2], NULL, 10) : 1000000;
    if (entries < USERS)
        entries = USERS;
    char url[4200];
    snprintf(url, sizeof url, "sqlite:%s/adoption.db", argv[1]);
    run("sqlite", url, entries);
    if (argc > 3 && argv[3][0] != '\0')
        run("postgres", argv[3], entries);
    return 0;
}
