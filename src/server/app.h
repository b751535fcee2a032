/* app.h - the running application as request handlers see it.
 *
 * serve.c builds one sw_app at start-up and hands it to the HTTP layer,
 * which passes it to every handler as req->app. Areas add what their
 * handlers need (the audit writer, the rollout decision cache, …) as
 * members here; nothing in it is per-request. */
#ifndef SW_SERVER_APP_H
#define SW_SERVER_APP_H

#include <stdbool.h>

#include <jansson.h>

#include "audit/audit.h"
#include "auth/session.h"
#include "core/json.h"
#include "fhir/bundle.h"
#include "fhir/rest.h"
#include "http/http.h"
#include "server/web.h"
#include "store/store.h"

#define SERVER_MAX_TABLES 64

typedef struct sw_app {
    /* The store this app serves: production, or for the app mounted at
     * /training the training environment's own store (docs/training.md). */
    sw_store   *store;
    /* The production store whatever the environment: users, sessions,
     * training records, super-users, help requests. Equal to store in
     * production. */
    sw_store   *prod_store;
    /* The training environment's store (NULL when it is not served), and
     * whether this app is the one mounted at /training. */
    sw_store   *training_store;
    bool        training;
    auth_policy auth;      /* session timeouts and lockout (serve options) */
    fhir_env    fhir;
    /* The route tables served, built by server_route_tables. */
    http_route_table        fhir_table;
    web_files               web;          /* the web app (web.h) */
    http_route_table        web_table;
    const http_route_table *tables[SERVER_MAX_TABLES];
    /* The rollout decision tables, per practice and plan version
     * (rollout/decide_cache.h); NULL in tests that build an sw_app by
     * hand, where each request builds its table afresh. */
    struct rollout_cache   *rollout;
    /* The HL7 v2 outbox's delivery worker (hl7/deliver.h), woken when a
     * request queues a message; NULL when it does not run (tests that
     * build an sw_app by hand): the rows wait for the next worker. */
    struct hl7_deliver     *deliver;
    /* The training courses (training/course.h), loaded at start; NULL in
     * tests that build an sw_app by hand (api_training.c loads
     * SW_COURSES_DIR then). */
    struct training_courses *courses;
} sw_app;

/* The production store of app (its own store when prod_store is unset,
 * as in tests that build an sw_app by hand). */
static inline sw_store *server_prod_store(const sw_app *app)
{
    return app->prod_store ? app->prod_store : app->store;
}

/* Fills app's route tables (in matching order) from its store; returns
 * how many (routes.c). */
size_t server_route_tables(sw_app *app);

/* Each area's table. */
extern const http_route_table health_routes;
extern const http_route_table session_routes;
extern const http_route_table mfa_routes;        /* api_mfa.c */
extern const http_route_table practice_routes;   /* api_practice.c */
extern const http_route_table users_routes;      /* api_users.c */
extern const http_route_table audit_routes;      /* api_audit.c */
extern const http_route_table break_glass_routes; /* api_break_glass.c */
extern const http_route_table vitals_routes;    /* api_vitals.c */
extern const http_route_table allergy_routes;   /* api_allergies.c */
extern const http_route_table problems_routes;  /* api_problems.c */
extern const http_route_table immunizations_routes; /* api_immunizations.c */
extern const http_route_table orders_routes;    /* api_orders.c */
extern const http_route_table results_routes;   /* api_results.c */
extern const http_route_table inbox_routes;     /* api_inbox.c */
extern const http_route_table messages_routes;  /* api_messages.c */
extern const http_route_table visit_routes;     /* api_visits.c */
extern const http_route_table schedule_routes;  /* api_schedule.c */
extern const http_route_table codes_routes;     /* api_codes.c */
extern const http_route_table prescribing_routes; /* api_prescribe.c */
extern const http_route_table medication_routes;  /* api_medications.c, api_reconcile.c */
extern const http_route_table plan_routes;        /* api_plan.c */
extern const http_route_table modules_routes;     /* api_modules.c */
extern const http_route_table golive_routes;      /* api_golive.c */
extern const http_route_table override_routes;    /* api_overrides.c */
extern const http_route_table plan_live_routes;   /* api_plan_live.c */
extern const http_route_table interface_reconcile_routes; /* api_interface_reconcile.c */
extern const http_route_table interface_routes;   /* api_interface.c */
extern const http_route_table interface_tests_routes; /* api_interface_tests.c */
extern const http_route_table charges_routes;     /* api_charges.c */
extern const http_route_table superusers_routes;  /* api_superusers.c */
extern const http_route_table help_routes;        /* api_help.c */
extern const http_route_table training_routes;    /* api_training.c */
extern const http_route_table training_records_routes; /* api_training_records.c */
extern const http_route_table activity_routes;    /* api_activity.c */
extern const http_route_table adoption_schedule_routes; /* api_adoption_schedule.c */
extern const http_route_table adoption_insights_routes; /* api_adoption_insights.c */
extern const http_route_table adoption_routes;    /* api_adoption.c */

/* Filters of the assembled server, in the order they run. */
const http_filter *server_filters(size_t *count);

/* The authentication filter (api_session.c): every route without
 * HTTP_ROUTE_PUBLIC needs a live session; it sets req->user_id and
 * req->principal. */
int server_authenticate(sw_request *req, sw_response *res);
/* The signed-in user's session, or NULL on a public route. */
const auth_session *server_principal(const sw_request *req);

/* ---- The training environment (env.c) ------------------------------------ */

/* The header every response of the /training mount carries. */
#define SERVER_ENV_HEADER "X-Stagewise-Environment"
/* "training" or "production", as /api/me says. */
const char *server_environment(const sw_app *app);
/* The training app: a copy of prod (whose training_store is set) serving
 * the training store; its route tables are for server_route_tables. */
void server_training_app(sw_app *prod, sw_app *out);
/* The /training mount of the training app (tables built, ntables of them). */
void server_training_mount(sw_app *training, size_t ntables,
                           const http_filter *filters, size_t nfilters,
                           http_mount *out);
/* For a training request, after authentication: the signed-in account is
 * mirrored into the training store if it is not there yet. SW_OK, or the
 * error written to res. */
int server_training_account(sw_request *req, sw_response *res);

/* ---- The rollout plan's enforcement (rollout_filter.c) -------------------- */

/* The filter after authorization: a write to a module not live for the
 * signed-in user is refused with 403 (docs/rollout.md "Enforcement"). */
int server_rollout_filter(sw_request *req, sw_response *res);
/* The same check for one entry of a Bundle (fhir_env.entry_check). */
int server_rollout_bundle_entry(sw_request *req, const char *type, bool write,
                                char *why, size_t cap);
/* The decision of every catalog module (in the catalog's order) for the
 * signed-in user into out (catalog size); strings in the request's arena.
 * SW_OK, or the error already written to res. */
struct rollout_answer;
int server_rollout_all(sw_request *req, sw_response *res,
                       struct rollout_answer *out);
/* The same for any account u of the signed-in user's practice (who has
 * what live, /api/plan/live); *version (may be NULL) gets the plan version
 * the decisions came from (0: no plan). */
struct rollout_user;
int server_rollout_all_for(sw_request *req, sw_response *res,
                           const struct rollout_user *u,
                           struct rollout_answer *out, int64_t *version);
/* Whether one module is live for the signed-in user, for a workflow step
 * that writes into a second module besides its own (signing a visit
 * writes charges only when charge capture is live). SW_OK, or the error
 * already written to res. */
int server_module_live(sw_request *req, sw_response *res, const char *module,
                       bool *live);
/* The plan or the overrides of the signed-in user's practice changed. */
void server_rollout_changed(sw_request *req);

/* ---- Shared by /api handlers (api_json.c) -------------------------------- */

/* Reads the request body as a JSON object: 415 unless the Content-Type is
 * application/json, 413 past max bytes, 400 for bad JSON (position only,
 * never the text) or a non-object. *out is the caller's to json_decref. */
int server_json_body(sw_request *req, sw_response *res, size_t max,
                     json_t **out);
/* SW_OK when every member of doc is one of names (NULL-terminated), else
 * a 400 naming the first stranger. */
int server_json_only_members(json_t *doc, const char *const *names,
                             sw_response *res);
/* The optional string members names[0..n) of doc into out[0..n) (NULL
 * when absent); a 400 naming the first that is not a string. */
int server_json_strings(json_t *doc, const char *const *names, const char **out,
                        size_t n, sw_response *res);
/* Answers doc (consumed) with Cache-Control: no-store. */
int server_reply_json(sw_response *res, int status, json_t *doc);
/* An error in the /api shape with an id of its own ("mfa_required") and
 * the HTTP status of code; returns code. */
int server_fail_as(sw_response *res, int code, const char *id,
                   const char *msg);
/* The same with extra top-level members (consumed, may be NULL): the
 * prescribing alerts that a 409 asks the prescriber to review. */
int server_fail_with(sw_response *res, int code, const char *id,
                     const char *msg, json_t *extra);
/* A failed store call as the answer: a missing or conflicting record with
 * the store's sentence, out of memory as itself, anything else logged and
 * a 503 saying what ("the plan") could not be read or written. */
int server_store_failed(sw_response *res, int rc, const sw_err *err,
                        const char *what);
/* Who is acting, for audit entries: the signed-in user (or nobody on a
 * public route), the client address and the request id. */
void server_audit_who(const sw_request *req, audit_who *who);

/* ---- Workflows that write FHIR (fhir_tx.c) -------------------------------- */

/* Runs a transaction Bundle (JSON text) a workflow composed, as the signed-
 * in user; the response Bundle goes to out. SW_OK, or the error already
 * written to res. */
int server_fhir_transaction(sw_request *req, sw_response *res,
                            const sw_buf *bundle_text, sw_buf *out);
/* The same, with a workflow's own rows written inside the transaction
 * after its entries (fhir_bundle_opts.after): all commit or none do. */
int server_fhir_transaction_then(sw_request *req, sw_response *res,
                                 const sw_buf *bundle_text, sw_buf *out,
                                 int (*after)(store_tx *, void *,
                                              const fhir_bundle_written *, size_t),
                                 void *after_arg);
/* The ids of the resources of `type` a transaction response created. */
json_t *server_created_ids(sw_arena *a, const sw_buf *response, const char *type);

/* ---- Shared by clinical workflows (workflow.c) ---------------------------- */

/* The signed-in user as a FHIR Reference, for authors, requesters,
 * performers and attesters: {"reference": "Practitioner/<id>"} when the
 * account is linked to a Practitioner, always {"identifier": {"system":
 * SERVER_USER_SYSTEM, "value": username}} and "display". Workflows find
 * whose inbox a record belongs to through that identifier. NULL when the
 * account cannot be read (the error is then written to res). */
#define SERVER_USER_SYSTEM "urn:stagewise:user"
json_t *server_user_reference(sw_request *req, sw_response *res);
/* The username a Reference made by server_user_reference names, or NULL. */
const char *server_reference_username(json_t *ref);
/* Inside a write transaction: an audit entry for a workflow step under its
 * own feature id ("documentation.sign", "eprescribing.send"), for the
 * signed-in user. detail: short, no patient data (a reason code, counts). */
int server_workflow_audit(store_tx *tx, const sw_request *req,
                          const char *action, const char *feature,
                          const char *patient_id, const char *res_type,
                          const char *res_id, const char *detail);
/* The same for a read of a record (action read), success or denied:
 * "problems.read" of a patient's list, "documentation.read" of a visit. */
int server_read_audit(store_tx *tx, const sw_request *req, const char *feature,
                      const char *patient_id, const char *res_type,
                      const char *res_id, bool allowed, const char *detail);

/* People and patients in the /api shape. A person is {"username",
 * "display"}: the username from the SERVER_USER_SYSTEM identifier (null
 * when there is none), the display falling back to the username; JSON
 * null when neither is known. */
json_t *server_person(const char *username, const char *display);
json_t *server_person_json(json_t *ref);
/* The same for a Reference parsed with sw_json. */
json_t *server_person_sw(const sw_json *ref);
/* A Patient's name as one string ("Ana María Pérez"): its first HumanName's
 * text, else given names then family; "" when it has none. */
json_t *server_patient_name(json_t *patient);
/* {"id", "name", "birthDate"} of a Patient resource (id given). */
json_t *server_patient_json(const char *id, json_t *patient);

/* A transaction Bundle composed entry by entry: resources are JSON text
 * copied as they are (a stored body, a clinical builder's output), so
 * decimals keep their digits. Writer errors stick and are returned by
 * server_bundle_end; the calls in between need no checks. */
#define SERVER_BUNDLE_MAX (16 * 1024 * 1024)
typedef struct server_bundle {
    sw_buf text;
    sw_jw  w;
    int    rc;
    bool   open;   /* the header is written */
    json_t *keep;  /* the jansson resources added, alive until freed */
} server_bundle;
void server_bundle_begin(server_bundle *b);
/* An entry: resource (len bytes) may be NULL for a DELETE, full_url NULL
 * for none, if_match 0 for no If-Match (else W/"<if_match>"). */
void server_bundle_add(server_bundle *b, const char *method, const char *url,
                       const char *resource, size_t len, const char *full_url,
                       int64_t if_match);
/* The same with a jansson resource, which is consumed (may be NULL),
 * written with 15 significant digits; the Bundle keeps it until
 * server_bundle_free. */
void server_bundle_add_json(server_bundle *b, const char *method,
                            const char *url, json_t *resource,
                            const char *full_url, int64_t if_match);
/* A PUT of a stored resource r (parsed from its body and changed by the
 * caller) back to type/id, with If-Match on the version it was read at;
 * the server stamps a new versionId and lastUpdated. */
void server_bundle_put_stored(server_bundle *b, const char *type,
                              const char *id, sw_json *r, int64_t version);
/* Closes the Bundle; its text is then b->text. SW_OK or the first error. */
int server_bundle_end(server_bundle *b);
void server_bundle_free(server_bundle *b);
/* Replaces the error a transaction wrote to res (a stale If-Match, a rule
 * broken meanwhile) with a 409 asking the client to look again: error id
 * `id` in the /api shape, or the standard shape when id is NULL. */
int server_conflict(sw_response *res, const char *id, const char *msg);

#endif
