/* route_modules.c - the route → module map (see route_modules.h).
 *
 * One row per route the server serves, grouped as the route tables are.
 * A route belongs to the module whose work it does, which is not always
 * the module of the FHIR type it happens to write: checking a patient in
 * opens an Encounter (a documentation type) but is the front desk's
 * scheduling work, and must work while notes are still on paper. Reads
 * belong to their module as well (the adoption area counts them; the
 * rollout filter never blocks them). Routes that must work whatever the
 * plan says — signing in, one's own account and inbox, whole-record
 * reads, the audit trail, users, settings, the catalog itself — belong to
 * none. A new route adds a row here, or tests/unit/rollout/
 * test_route_modules.c fails. */
#include "route_modules.h"

#include <string.h>

#include "audit/audit.h"

#define NONE(r)        { r, NULL, false }
#define MODULE(r, m)   { r, m, false }
#define BY_TYPE(r)     { r, NULL, true }

static const rollout_route map[] = {
    /* Health, readiness, metrics (health.c, api_metrics.c), sign-in and
     * one's own account (api_session.c, api_mfa.c). */
    NONE("GET /healthz"),
    NONE("GET /readyz"),
    NONE("GET /metrics"),
    /* Whether this server is a read-only downtime copy (readonly.c). */
    NONE("GET /api/environment"),
    NONE("POST /api/session"),
    NONE("DELETE /api/session"),
    NONE("GET /api/me"),
    NONE("GET /api/me/mfa"),
    NONE("POST /api/me/mfa"),
    NONE("POST /api/me/mfa/confirm"),
    NONE("DELETE /api/me/mfa"),

    /* Administration: settings, accounts, the audit trail, who may open a
     * restricted record. None of it is clinical work a plan stages. */
    NONE("GET /api/practice/settings"),
    NONE("PUT /api/practice/settings"),
    NONE("GET /api/users"),
    NONE("POST /api/users"),
    NONE("GET /api/users/{id}"),
    NONE("PATCH /api/users/{id}"),
    NONE("POST /api/users/{id}/disable"),
    NONE("POST /api/users/{id}/enable"),
    NONE("POST /api/users/{id}/password"),
    NONE("POST /api/users/{id}/tokens"),
    NONE("DELETE /api/users/{id}/tokens"),
    NONE("DELETE /api/users/{id}/tokens/{token_id}"),
    NONE("GET /api/audit"),
    NONE("GET /api/patients/{id}/disclosures"),
    NONE("POST /api/patients/{id}/break-the-glass"),
    NONE("GET /api/break-the-glass"),
    NONE("POST /api/break-the-glass/{grant}/review"),
    NONE("PUT /api/patients/{id}/restriction"),
    NONE("DELETE /api/patients/{id}/restriction"),

    /* The catalog itself: everyone may see what is coming. */
    NONE("GET /api/modules"),

    /* The implementation plan (api_plan.c): the plan cannot stage the
     * means of changing it. */
    NONE("GET /api/plan"),
    NONE("PUT /api/plan"),
    NONE("POST /api/plan/template"),
    NONE("GET /api/plan/templates"),
    NONE("GET /api/plan/lint"),
    NONE("GET /api/plan/history"),
    NONE("GET /api/plan/versions/{n}"),
    NONE("GET /api/plan/diff"),
    /* Going live, rollback, gates and overrides (api_golive.c,
     * api_overrides.c): the plan's own machinery, always on. */
    NONE("POST /api/plan/stages/{id}/go-live"),
    NONE("POST /api/plan/stages/{id}/rollback"),
    NONE("GET /api/plan/stages/{id}/gates"),
    NONE("PUT /api/plan/stages/{id}/checklist/{item}"),
    NONE("DELETE /api/plan/stages/{id}/checklist/{item}"),
    NONE("GET /api/plan/overrides"),
    NONE("PUT /api/plan/overrides/{username}"),
    NONE("DELETE /api/plan/overrides/{username}"),
    NONE("GET /api/plan/live"),

    /* The super-user roster and help requests (api_superusers.c,
     * api_help.c): training's own machinery, always on. */
    NONE("GET /api/superusers"),
    NONE("GET /api/superusers/colleagues"),
    NONE("PUT /api/superusers/{module}/{username}"),
    NONE("DELETE /api/superusers/{module}/{username}"),
    NONE("POST /api/help"),
    NONE("GET /api/help"),
    NONE("POST /api/help/{id}/answer"),
    /* Training courses, records and assignments (api_training.c): always
     * on, so a cohort can train before its stage goes live. */
    NONE("GET /api/training/courses"),
    NONE("GET /api/training/courses/{id}"),
    NONE("POST /api/training/courses/{id}/start"),
    NONE("POST /api/training/courses/{id}/check"),
    NONE("POST /api/training/courses/{id}/proficiency"),
    NONE("GET /api/training/records"),
    NONE("GET /api/training/records.csv"),
    NONE("POST /api/training/assignments"),
    NONE("GET /api/training/assignments"),
    /* Adoption: activity reports and scheduled hours (api_activity.c,
     * api_adoption_schedule.c) measure the plan, whatever is live. */
    NONE("POST /api/activity"),
    NONE("GET /api/adoption/schedule/{username}"),
    NONE("PUT /api/adoption/schedule/{username}"),
    NONE("POST /api/adoption/schedule/{username}/leave"),
    NONE("DELETE /api/adoption/schedule/{username}/leave/{first}"),
    /* Scorecards, the dashboard, the report, targets and settings
     * (api_adoption.c): they measure the plan, whatever is live. */
    NONE("GET /api/adoption/me"),
    NONE("GET /api/adoption/users"),
    NONE("GET /api/adoption/users/{username}"),
    NONE("GET /api/adoption/dashboard"),
    NONE("GET /api/adoption/report"),
    NONE("GET /api/adoption/targets"),
    NONE("PUT /api/adoption/targets"),
    NONE("GET /api/adoption/settings"),
    NONE("PUT /api/adoption/settings"),
    /* Productivity, the forecast and findings (api_adoption_insights.c). */
    NONE("GET /api/adoption/productivity"),
    NONE("GET /api/adoption/forecast"),
    NONE("GET /api/adoption/findings"),
    NONE("POST /api/adoption/findings/{id}/assign"),
    NONE("POST /api/adoption/baseline"),

    /* The inbox and staff messages hold every module's items (results,
     * notes to sign, messages); taking them away would hide work. */
    NONE("GET /api/inbox"),
    NONE("POST /api/inbox/{item}/done"),
    NONE("POST /api/messages"),

    /* Scheduling: the day's schedule and the front desk opening a visit,
     * by check-in or for a walk-in. */
    MODULE("GET /api/schedule", "scheduling"),
    MODULE("POST /api/appointments/{id}/check-in", "scheduling"),
    MODULE("POST /api/patients/{id}/visits", "scheduling"),

    /* Documentation: the note, its coding, signing and addenda, and the
     * lists reviewed at the visit (reconciliation writes a List of the
     * visit; which list was reviewed is the audit entry's feature). */
    MODULE("GET /api/patients/{id}/visits", "documentation"),
    MODULE("GET /api/visits/{id}", "documentation"),
    MODULE("PUT /api/visits/{id}/note", "documentation"),
    MODULE("PUT /api/visits/{id}/coding", "documentation"),
    MODULE("POST /api/visits/{id}/sign", "documentation"),
    MODULE("POST /api/visits/{id}/addenda", "documentation"),
    MODULE("GET /api/codes", "documentation"),
    MODULE("GET /api/note-templates", "documentation"),
    MODULE("POST /api/visits/{id}/reconcile", "documentation"),
    MODULE("GET /api/visits/{id}/reconciliation", "documentation"),

    MODULE("GET /api/patients/{id}/problems", "problems"),
    MODULE("POST /api/patients/{id}/problems", "problems"),
    MODULE("POST /api/patients/{id}/problems/{pid}/resolve", "problems"),
    MODULE("GET /api/problems/{pid}/history", "problems"),

    MODULE("GET /api/patients/{id}/allergies", "allergies"),
    MODULE("POST /api/patients/{id}/allergies", "allergies"),
    MODULE("POST /api/patients/{id}/allergies/{aid}/status", "allergies"),

    MODULE("GET /api/patients/{id}/medications", "medications"),
    MODULE("POST /api/patients/{id}/medications", "medications"),
    MODULE("POST /api/patients/{id}/medications/{type}/{mid}/stop", "medications"),

    MODULE("POST /api/patients/{id}/vitals", "vitals"),

    MODULE("GET /api/drugs", "eprescribing"),
    MODULE("POST /api/patients/{id}/prescriptions/check", "eprescribing"),
    MODULE("POST /api/patients/{id}/prescriptions", "eprescribing"),
    MODULE("GET /api/pharmacy/messages", "eprescribing"),

    MODULE("GET /api/order-catalog", "orders"),
    MODULE("GET /api/patients/{id}/orders", "orders"),
    MODULE("POST /api/patients/{id}/orders", "orders"),

    /* Results arrive (entered from a lab's report) and are signed off. */
    MODULE("POST /api/results", "results"),
    MODULE("GET /api/results/{id}", "results"),
    MODULE("POST /api/results/{id}/sign-off", "results"),

    MODULE("GET /api/vaccines", "immunizations"),
    MODULE("GET /api/patients/{id}/immunizations", "immunizations"),
    MODULE("POST /api/patients/{id}/immunizations", "immunizations"),

    /* FHIR: the module of the type. The server's capabilities, the whole
     * record of a patient and the history of every type are reads of
     * everything and belong to none. */
    NONE("GET /fhir/metadata"),
    BY_TYPE("POST /fhir"),
    NONE("GET /fhir/_history"),
    BY_TYPE("GET /fhir/{type}/_history"),
    BY_TYPE("POST /fhir/{type}"),
    BY_TYPE("GET /fhir/{type}"),
    BY_TYPE("POST /fhir/{type}/_search"),
    BY_TYPE("GET /fhir/{type}/{id}/_history/{vid}"),
    BY_TYPE("GET /fhir/{type}/{id}/_history"),
    NONE("GET /fhir/{type}/{id}/$everything"),
    BY_TYPE("GET /fhir/{type}/{id}"),
    BY_TYPE("PUT /fhir/{type}/{id}"),
    BY_TYPE("DELETE /fhir/{type}/{id}"),

    /* The interface's reconciliation report (api_interface_reconcile.c):
     * reading whether charges reached the PMS is always on. */
    NONE("GET /api/interface/reconcile"),
    /* The go-live interface test reports (api_interface_tests.c): read
     * before anything is live, to decide the interface gate. */
    NONE("GET /api/interface/tests"),
    /* The outbound queue (api_interface.c): its state, its rows and a
     * resend of what a biller fixed are always on, so a queue is worked
     * even after charge capture is rolled back. Changing charges
     * (api_charges.c) makes charges: charge capture. */
    NONE("GET /api/interface/status"),
    NONE("GET /api/interface/outbox"),
    NONE("POST /api/interface/outbox/{seq}/resend"),
    MODULE("POST /api/charges/{id}/void", "charge_capture"),
    MODULE("POST /api/charges/{id}/correct", "charge_capture"),
    MODULE("POST /api/visits/{id}/charges", "charge_capture"),

    /* The web app's page and assets: it hides what is not live itself. */
    NONE("GET /"),
    NONE("GET /static/*"),
};

const rollout_route *rollout_routes(size_t *n)
{
    *n = sizeof map / sizeof map[0];
    return map;
}

const rollout_route *rollout_route_find(const char *method, const char *pattern)
{
    if (pattern == NULL)
        return NULL;
    const char *m = method ? method : "*";
    size_t mlen = strlen(m);
    /* Compares the two halves in place: no key is built per request. */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *r = map[i].route;
        if (strncmp(r, m, mlen) == 0 && r[mlen] == ' '
            && strcmp(r + mlen + 1, pattern) == 0)
            return &map[i];
    }
    return NULL;
}

const char *rollout_route_module(const char *method, const char *pattern,
                                 const char *fhir_type, const char *category)
{
    const rollout_route *r = rollout_route_find(method, pattern);
    if (r == NULL)
        return NULL;
    if (r->by_type)
        return audit_module_of(fhir_type, category);
    return r->module;
}
