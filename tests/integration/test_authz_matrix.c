/* test_authz_matrix.c - authorization over real HTTP on each store: every
 * route the server serves, as every role, against the permission table
 * (src/auth/authz.h, docs/security.md), plus the attacks an EHR must
 * shrug off.
 *
 * The route tables are the server's own (server_route_tables), so a route
 * added later is covered without touching this file; {type} is expanded
 * over one resource type of each area and {id} over a resource seeded for
 * it. Where the table denies, the answer must be 403 and nothing may be
 * written (row counts before and after); where it allows, anything but
 * 403. Then: another practice's ids are 404, bad tokens 401, a cookie
 * without its own CSRF token cannot change anything, and SQL injection
 * strings in parameters, ids, headers and JSON bodies get 4xx, never 5xx
 * or data. Every response to a route that needs a session carries
 * Cache-Control: no-store. One server serves all tests of a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/api_token.h"
#include "auth/authz.h"
#include "auth/password.h"
#include "auth/users.h"
#include "core/str.h"
#include "demo/demo.h"
#include "fhir/model.h"
#include "server/app.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"

#define OTHER_PRACTICE 2
#define OTHER_MARK     "Zzyzxother"   /* a family name only practice 2 has */
#define JSON_CT        "Content-Type: application/json"
#define FHIR_CT        "Content-Type: application/fhir+json"
#define FORM_CT        "Content-Type: application/x-www-form-urlencoded"

/* The people who sign in: the demo practice's accounts, one per role,
 * and one made here holding two roles. Their roles are read back from
 * the sign-in, so the oracle uses what the server holds. */
static const char *const people[] = {
    "dr.rivera", "np.chen", "rn.okafor", "ma.jones", "desk.patel",
    "billing.kim", "lead.morgan", "admin.lee", "t.both",
};
#define NPEOPLE (sizeof people / sizeof people[0])
enum { DOC, NP, RN, MA, DESK, BILL, LEAD, ADMIN, BOTH };

/* One type per area, with a body to create it: {P} becomes a patient id,
 * {D} a practitioner id, {X} the id member of a PUT. */
static const struct sample {
    const char *type;
    int         seeder;      /* who may create it */
    const char *body;
} samples[] = {
    { "Patient", DOC,
      "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Matrix\"}]{X}}" },
    { "Appointment", DOC,
      "{\"resourceType\":\"Appointment\",\"status\":\"booked\",\"participant\":"
      "[{\"actor\":{\"reference\":\"Patient/{P}\"},\"status\":\"accepted\"}]{X}}" },
    { "Encounter", DOC,
      "{\"resourceType\":\"Encounter\",\"status\":\"finished\",\"class\":"
      "{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
      "\"code\":\"AMB\"},\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "Practitioner", ADMIN,
      "{\"resourceType\":\"Practitioner\",\"name\":[{\"family\":\"Doc\"}]{X}}" },
    { "Observation", DOC,
      "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":"
      "{\"text\":\"weight\"},\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "Composition", DOC,
      "{\"resourceType\":\"Composition\",\"status\":\"preliminary\",\"type\":"
      "{\"text\":\"note\"},\"subject\":{\"reference\":\"Patient/{P}\"},"
      "\"date\":\"2024-01-01\",\"author\":[{\"reference\":\"Practitioner/{D}\"}],"
      "\"title\":\"Visit note\"{X}}" },
    { "MedicationRequest", DOC,
      "{\"resourceType\":\"MedicationRequest\",\"status\":\"active\",\"intent\":"
      "\"order\",\"medicationCodeableConcept\":{\"text\":\"amoxicillin\"},"
      "\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "MedicationStatement", DOC,
      "{\"resourceType\":\"MedicationStatement\",\"status\":\"active\","
      "\"medicationCodeableConcept\":{\"text\":\"aspirin\"},"
      "\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "ServiceRequest", DOC,
      "{\"resourceType\":\"ServiceRequest\",\"status\":\"active\",\"intent\":"
      "\"order\",\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "DiagnosticReport", DOC,
      "{\"resourceType\":\"DiagnosticReport\",\"status\":\"final\",\"code\":"
      "{\"text\":\"cbc\"},\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "ChargeItem", BILL,
      "{\"resourceType\":\"ChargeItem\",\"status\":\"billable\",\"code\":"
      "{\"text\":\"99213\"},\"subject\":{\"reference\":\"Patient/{P}\"}{X}}" },
    { "AuditEvent", -1, NULL },
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

struct fixture {
    char          *db;
    sw_test_server srv;
    sw_store      *store;
    char           auth[NPEOPLE][512];   /* "Authorization: Bearer …" */
    char           roles[NPEOPLE][256];  /* "physician", as signed in */
    char           ids[NSAMPLES][80];
    char           other_auth[512];
    char           other_patient[80];
    char           other_obs[80];
    int64_t        service_id;           /* t.pms, a scoped service account */
};

/* ---- Helpers ------------------------------------------------------------- */

static void request(struct fixture *f, const char *method, const char *path,
                    const char *auth, const char *ct, const char *body,
                    sw_http_result *r)
{
    const char *h[4] = { 0 };
    int n = 0;
    if (auth)
        h[n++] = auth;
    if (ct)
        h[n++] = ct;
    assert_int_equal(sw_http(&f->srv, method, path, h, body,
                             body ? strlen(body) : 0, r), 0);
}

/* Signs in; 0 and the header, or -1 with the answer printed. */
static int sign_in(struct fixture *f, const char *user, int64_t practice,
                   char *header, size_t cap, json_t **reply)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\","
             "\"practice\":%lld}", user, DEMO_PASSWORD, (long long)practice);
    sw_http_result r;
    request(f, "POST", "/api/session", NULL, JSON_CT, body, &r);
    if (r.status != 201) {
        fprintf(stderr, "sign-in of %s answered %ld: %s\n", user, r.status, r.body);
        sw_http_result_free(&r);
        return -1;
    }
    json_t *doc = json_loads(r.body, 0, NULL);
    sw_http_result_free(&r);
    snprintf(header, cap, "Authorization: Bearer %s",
             json_string_value(json_object_get(doc, "token")));
    if (reply)
        *reply = doc;
    else
        json_decref(doc);
    return 0;
}

/* Creates a resource; its id into id. */
static int create(struct fixture *f, const char *auth, const char *type,
                  const char *body, char *id, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "/fhir/%s", type);
    sw_http_result r;
    request(f, "POST", path, auth, FHIR_CT, body, &r);
    if (r.status != 201) {
        fprintf(stderr, "creating a %s answered %ld: %s\n", type, r.status, r.body);
        sw_http_result_free(&r);
        return -1;
    }
    json_t *doc = json_loads(r.body, 0, NULL);
    snprintf(id, cap, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    sw_http_result_free(&r);
    return 0;
}

/* template with {P}, {D} and {X} replaced. */
static char *sample_body(const struct fixture *f, size_t i, const char *id)
{
    char extra[128] = "";
    if (id)
        snprintf(extra, sizeof extra, ",\"id\":\"%s\"", id);
    const char *t = samples[i].body;
    size_t cap = strlen(t) + 3 * 128 + 1, n = 0;
    char *b = malloc(cap);
    while (*t) {
        const char *v = NULL;
        if (strncmp(t, "{P}", 3) == 0)
            v = f->ids[0];
        else if (strncmp(t, "{D}", 3) == 0)
            v = f->ids[3];      /* samples[3] is the Practitioner */
        else if (strncmp(t, "{X}", 3) == 0)
            v = extra;
        if (v) {
            n += (size_t)snprintf(b + n, cap - n, "%s", v);
            t += 3;
        } else {
            b[n++] = *t++;
        }
    }
    b[n] = '\0';
    return b;
}

struct counts {
    int64_t resources, versions, users;
};

static int count_fn(store_tx *tx, void *arg)
{
    struct counts *c = arg;
    int rc = store_query_int64(tx, &c->resources,
                               "SELECT count(*) FROM fhir_resource", "");
    if (rc == SW_OK)
        rc = store_query_int64(tx, &c->versions,
                               "SELECT count(*) FROM fhir_history", "");
    if (rc == SW_OK)
        rc = store_query_int64(tx, &c->users, "SELECT count(*) FROM app_user", "");
    return rc;
}

static struct counts counts(struct fixture *f)
{
    struct counts c;
    sw_err err;
    if (store_read(f->store, count_fn, &c, &err) != SW_OK)
        fail_msg("counting rows failed: %s", sw_err_text(&err));
    return c;
}

static bool same_counts(struct counts a, struct counts b)
{
    return a.resources == b.resources && a.versions == b.versions
        && a.users == b.users;
}

static void assert_no_store(const sw_http_result *r, const char *what)
{
    char cc[128];
    const char *v = sw_http_header(r, "Cache-Control", cc, sizeof cc);
    if (v == NULL || strcmp(v, "no-store") != 0)
        fail_msg("%s: Cache-Control is %s", what, v ? v : "missing");
}

/* Percent-encodes s for a URL. */
static void enc(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
            || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, cap - n, "%%%02X", *p);
    }
    out[n] = '\0';
}

/* ---- Fixture ------------------------------------------------------------- */

struct seed_ctx {
    const char *hash;
    int64_t     service_id;
};

static int seed_users_fn(store_tx *tx, void *arg)
{
    struct seed_ctx *c = arg;
    bool created;
    int rc = auth_practice_ensure(tx, OTHER_PRACTICE, "Other practice", false,
                                  &created);
    static const struct { int64_t practice; const char *user, *roles; } u[] = {
        { 1, "t.both", "implementation_lead,practice_admin" },
        { 1, "t.expire", "physician" },
        { 1, "t.idle", "physician" },
        { OTHER_PRACTICE, "other.doc", "physician" },
    };
    for (size_t i = 0; rc == SW_OK && i < sizeof u / sizeof u[0]; i++) {
        auth_new_user nu = {
            .practice_id = u[i].practice, .username = u[i].user,
            .display_name = u[i].user, .password_hash = c->hash,
            .roles = u[i].roles,
        };
        rc = auth_user_create(tx, &nu, &created, NULL);
    }
    /* A service account whose roles allow much and whose scope little. */
    auth_new_user svc = {
        .practice_id = 1, .username = "t.pms", .display_name = "PMS",
        .password_hash = c->hash, .roles = "physician",
        .kind = AUTH_KIND_SERVICE,
        .scope = "demographics:read,scheduling:write",
    };
    if (rc == SW_OK)
        rc = auth_user_create(tx, &svc, &created, &c->service_id);
    return rc;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    *state = f;
    f->db = sw_test_fresh_db();
    const char *args[] = { "init", "--db", f->db, "--demo", "--no-history", NULL };
    const char *env[] = { "STAGEWISE_ADMIN_PASSWORD=" SW_TEST_ADMIN_PASSWORD, NULL };
    char *err_text = NULL;
    if (sw_test_run(args, env, NULL, &err_text) != 0) {
        fprintf(stderr, "init --demo failed: %s\n", err_text);
        free(err_text);
        return -1;
    }
    free(err_text);
    sw_err err;
    store_options opt = { 0 };
    if (store_open(f->db, &opt, &f->store, &err) != SW_OK) {
        fprintf(stderr, "opening the store: %s\n", sw_err_text(&err));
        return -1;
    }
    char hash[AUTH_HASH_MAX];
    if (auth_crypto_init() != SW_OK
        || auth_password_hash(DEMO_PASSWORD, hash, &err) != SW_OK)
        return -1;
    struct seed_ctx sc = { .hash = hash };
    if (store_write(f->store, seed_users_fn, &sc, &err) != SW_OK) {
        fprintf(stderr, "seeding users: %s\n", sw_err_text(&err));
        return -1;
    }
    f->service_id = sc.service_id;
    if (sw_test_server_start(&f->srv, f->db, NULL) != 0)
        return -1;
    for (size_t i = 0; i < NPEOPLE; i++) {
        json_t *reply;
        if (sign_in(f, people[i], 1, f->auth[i], sizeof f->auth[i], &reply) != 0)
            return -1;
        json_t *roles = json_object_get(json_object_get(reply, "user"), "roles");
        for (size_t k = 0; k < json_array_size(roles); k++)
            snprintf(f->roles[i] + strlen(f->roles[i]),
                     sizeof f->roles[i] - strlen(f->roles[i]), "%s%s",
                     k ? "," : "", json_string_value(json_array_get(roles, k)));
        json_decref(reply);
    }
    /* The samples, in order (the Patient and Practitioner first). */
    for (size_t i = 0; i < NSAMPLES; i++) {
        if (samples[i].seeder < 0)
            continue;
        char *b = sample_body(f, i, NULL);
        int rc = create(f, f->auth[samples[i].seeder], samples[i].type, b,
                        f->ids[i], sizeof f->ids[i]);
        free(b);
        if (rc != 0)
            return -1;
    }
    /* An AuditEvent: the reads above left some. */
    sw_http_result r;
    request(f, "GET", "/fhir/AuditEvent?_count=1", f->auth[ADMIN], NULL, NULL, &r);
    json_t *doc = json_loads(r.body, 0, NULL);
    const char *aid = json_string_value(json_object_get(json_object_get(
        json_array_get(json_object_get(doc, "entry"), 0), "resource"), "id"));
    if (r.status != 200 || aid == NULL) {
        fprintf(stderr, "no AuditEvent to read (%ld): %s\n", r.status, r.body);
        json_decref(doc);
        sw_http_result_free(&r);
        return -1;
    }
    snprintf(f->ids[NSAMPLES - 1], sizeof f->ids[0], "%s", aid);
    json_decref(doc);
    sw_http_result_free(&r);
    /* Practice 2 with a patient of its own. */
    if (sign_in(f, "other.doc", OTHER_PRACTICE, f->other_auth,
                sizeof f->other_auth, NULL) != 0
        || create(f, f->other_auth, "Patient", "{\"resourceType\":\"Patient\","
                  "\"name\":[{\"family\":\"" OTHER_MARK "\"}]}",
                  f->other_patient, sizeof f->other_patient) != 0)
        return -1;
    char obs[256];
    snprintf(obs, sizeof obs, "{\"resourceType\":\"Observation\",\"status\":"
             "\"final\",\"code\":{\"text\":\"" OTHER_MARK "\"},\"subject\":"
             "{\"reference\":\"Patient/%s\"}}", f->other_patient);
    return create(f, f->other_auth, "Observation", obs, f->other_obs,
                  sizeof f->other_obs);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->srv.pid > 0)
        sw_test_server_stop(&f->srv, SIGTERM, 15);
    store_close(f->store);
    free(f->db);
    free(f);
    return 0;
}

/* ---- The oracle ---------------------------------------------------------- */

/* What the permission table says about a route, method and type. */
static bool table_allows(const char *roles, const http_route *route,
                         const char *method, const char *type)
{
    if (route->access == NULL)
        return true;
    if (strcmp(route->access, "fhir") == 0) {
        if (type == NULL)
            return true;       /* checked inside: Bundle entries, _history */
        size_t n = strlen(route->pattern);
        bool read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
                 || (n > 8 && strcmp(route->pattern + n - 8, "/_search") == 0);
        return authz_allows(roles, NULL, authz_area_of_type(type),
                            read ? AUTHZ_READ : authz_write_action_of_type(type));
    }
    authz_area area;
    authz_action action;
    assert_true(authz_parse_access(route->access, &area, &action));
    return authz_allows(roles, NULL, area, action);
}

/* Routes open to every signed-in user whose handler then decides by who
 * asks and whom it is about: the adoption figures are the caller's own,
 * a super-user's colleagues' or, for the implementation lead and the
 * administrator (plan:read or users:admin), everyone's; assigning a
 * finding's refresher is the lead's or the module's super-user's
 * (src/server/adoption_access.c; test_adoption_api tests the rules). A
 * 403 there is the rule at work for a role that is neither. */
static bool decided_by_caller(const char *roles, const http_route *route)
{
    static const char *const patterns[] = {
        "/api/adoption/users", "/api/adoption/users/{username}",
        "/api/adoption/dashboard", "/api/adoption/report",
        "/api/adoption/settings", "/api/adoption/productivity",
        "/api/adoption/forecast", "/api/adoption/schedule/{username}",
    };
    if (route->access != NULL)
        return false;
    /* Assigning a refresher is the lead's (plan:write) or the module's
     * super-user's, whatever else the role may see. */
    if (strcmp(route->pattern, "/api/adoption/findings/{id}/assign") == 0)
        return !authz_allows(roles, NULL, AUTHZ_PLAN, AUTHZ_WRITE);
    if (authz_allows(roles, NULL, AUTHZ_PLAN, AUTHZ_READ)
        || authz_allows(roles, NULL, AUTHZ_USERS, AUTHZ_ADMIN))
        return false;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strcmp(route->pattern, patterns[i]) == 0)
            return true;
    return false;
}

/* The path of a route with its {names} filled. */
static void fill(const char *pattern, const char *type, const char *id,
                 char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 1 < cap;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            sw_str name = sw_str_make(p + 1, (size_t)(end - p - 1));
            const char *v = sw_str_eq_cstr(name, "type") ? type
                          : sw_str_eq_cstr(name, "id") ? id : "1";
            n += (size_t)snprintf(out + n, cap - n, "%s", v);
            p = end + 1;
        } else if (*p == '*' && p[1] == '\0') {
            n += (size_t)snprintf(out + n, cap - n, "x");
            p++;
        } else {
            out[n++] = *p++;
        }
    }
    out[n < cap ? n : cap - 1] = '\0';
}

/* ---- The matrix ---------------------------------------------------------- */

struct tally {
    int requests, refused, allowed;
};

static void one_case(struct fixture *f, struct tally *t, size_t who,
                     const http_route *route, const char *method,
                     size_t sample)
{
    const char *type = sample < NSAMPLES ? samples[sample].type : NULL;
    const char *id = sample < NSAMPLES ? f->ids[sample] : "1";
    bool fhir = route->access && strcmp(route->access, "fhir") == 0;
    char path[512];
    fill(route->pattern, type ? type : "Patient", id, path, sizeof path);
    const char *auth = f->auth[who];
    char fresh[512];
    if (strcmp(route->pattern, "/api/session") == 0 && strcmp(method, "DELETE") == 0) {
        /* Signing out ends the session used: use one of its own. */
        assert_int_equal(sign_in(f, people[who], 1, fresh, sizeof fresh,
                                 NULL), 0);
        auth = fresh;
    }
    char *body = NULL;
    const char *ct = NULL;
    bool writes = strcmp(method, "GET") && strcmp(method, "HEAD");
    if (fhir && strstr(route->pattern, "_search")) {
        ct = FORM_CT;
        body = strdup("");
    } else if (fhir && type && (!strcmp(method, "POST") || !strcmp(method, "PUT"))) {
        ct = FHIR_CT;
        body = samples[sample].body
             ? sample_body(f, sample, strcmp(method, "PUT") == 0 ? id : NULL)
             : strdup("{\"resourceType\":\"AuditEvent\"}");
    } else if (!fhir && writes) {
        ct = JSON_CT;
        body = strdup("{}");
    }
    bool allow = table_allows(f->roles[who], route, method,
                              fhir ? type : NULL);
    struct counts before = counts(f);
    sw_http_result r;
    request(f, method, path, auth, ct, body, &r);
    t->requests++;
    char what[700];
    snprintf(what, sizeof what, "%s %s as %s (%s)", method, path,
             people[who], f->roles[who]);
    assert_no_store(&r, what);
    if (!allow) {
        if (r.status != 403)
            fail_msg("%s: the table denies it, the server answered %ld: %.300s",
                     what, r.status, r.body);
        if (!same_counts(before, counts(f)))
            fail_msg("%s: refused, yet rows changed", what);
        if (fhir && strstr(r.body, "\"forbidden\"") == NULL)
            fail_msg("%s: the 403 is no OperationOutcome forbidden: %s", what, r.body);
        if (!fhir && strstr(r.body, "\"code\":\"forbidden\"") == NULL)
            fail_msg("%s: the 403 is not the JSON error shape: %s", what, r.body);
        t->refused++;
    } else {
        if (r.status == 403 && !decided_by_caller(f->roles[who], route))
            fail_msg("%s: the table allows it, the server answered 403: %.300s",
                     what, r.body);
        if (r.status >= 500)
            fail_msg("%s: answered %ld: %.300s", what, r.status, r.body);
        t->allowed++;
    }
    sw_http_result_free(&r);
    free(body);
}

/* POST /fhir passes the filter; each entry is checked with its own type
 * and action: a transaction fails whole with 403, a batch entry gets its
 * own 403. */
static void bundle_cases(struct fixture *f, struct tally *t, size_t who)
{
    for (size_t i = 0; i + 1 < NSAMPLES; i++) {
        char *res = sample_body(f, i, NULL);
        for (int batch = 0; batch < 2; batch++) {
            size_t cap = strlen(res) + 512;
            char *b = malloc(cap);
            snprintf(b, cap, "{\"resourceType\":\"Bundle\",\"type\":\"%s\","
                     "\"entry\":[{\"resource\":%s,\"request\":{\"method\":"
                     "\"POST\",\"url\":\"%s\"}},{\"request\":{\"method\":\"GET\","
                     "\"url\":\"%s/%s\"}}]}", batch ? "batch" : "transaction",
                     res, samples[i].type, samples[i].type, f->ids[i]);
            bool may_write = authz_allows(f->roles[who], NULL,
                                          authz_area_of_type(samples[i].type),
                                          authz_write_action_of_type(samples[i].type));
            bool may_read = authz_allows(f->roles[who], NULL,
                                         authz_area_of_type(samples[i].type),
                                         AUTHZ_READ);
            struct counts before = counts(f);
            sw_http_result r;
            request(f, "POST", "/fhir", f->auth[who], FHIR_CT, b, &r);
            t->requests++;
            char what[256];
            snprintf(what, sizeof what, "%s of %s as %s", batch ? "batch"
                     : "transaction", samples[i].type, people[who]);
            assert_no_store(&r, what);
            if (!batch) {
                if (may_write && may_read) {
                    if (r.status != 200)
                        fail_msg("%s: answered %ld: %.300s", what, r.status, r.body);
                } else {
                    if (r.status != 403)
                        fail_msg("%s: answered %ld, not 403: %.300s", what,
                                 r.status, r.body);
                    if (!same_counts(before, counts(f)))
                        fail_msg("%s: refused, yet rows changed", what);
                }
            } else {
                if (r.status != 200)
                    fail_msg("%s: answered %ld: %.300s", what, r.status, r.body);
                json_t *doc = json_loads(r.body, 0, NULL);
                json_t *e = json_object_get(doc, "entry");
                const char *s0 = json_string_value(json_object_get(json_object_get(
                    json_array_get(e, 0), "response"), "status"));
                const char *s1 = json_string_value(json_object_get(json_object_get(
                    json_array_get(e, 1), "response"), "status"));
                assert_non_null(s0);
                assert_non_null(s1);
                if ((strncmp(s0, "403", 3) == 0) == may_write)
                    fail_msg("%s: the POST entry answered %s", what, s0);
                if ((strncmp(s1, "403", 3) == 0) == may_read)
                    fail_msg("%s: the GET entry answered %s", what, s1);
                if (!may_write && counts(f).resources != before.resources)
                    fail_msg("%s: a refused entry was written", what);
                json_decref(doc);
            }
            sw_http_result_free(&r);
            free(b);
        }
        free(res);
    }
}

/* GET /fhir/_history lists only types the user may read. */
static void system_history_case(struct fixture *f, size_t who)
{
    sw_http_result r;
    request(f, "GET", "/fhir/_history?_count=500", f->auth[who], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *entries = json_object_get(doc, "entry");
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const char *url = json_string_value(json_object_get(
            json_object_get(json_array_get(entries, i), "request"), "url"));
        char type[80];
        snprintf(type, sizeof type, "%s", url ? url : "");
        char *slash = strchr(type, '/');
        if (slash)
            *slash = '\0';
        if (!authz_may_read_type(f->roles[who], NULL, type))
            fail_msg("the system history showed %s a %s", people[who],
                     type);
    }
    json_decref(doc);
    sw_http_result_free(&r);
}

static void test_every_route_every_role(void **state)
{
    struct fixture *f = *state;
    sw_app app = { 0 };
    size_t ntables = server_route_tables(&app);
    struct tally t = { 0 };
    static const char *const any[] = { "GET", "POST", "PUT", "DELETE" };
    /* Bundles first: they read the samples, which the routes below may
     * delete. */
    for (size_t who = 0; who < NPEOPLE; who++) {
        bundle_cases(f, &t, who);
        system_history_case(f, who);
    }
    for (size_t who = 0; who < NPEOPLE; who++) {
        for (size_t ti = 0; ti < ntables; ti++) {
            const http_route_table *table = app.tables[ti];
            for (size_t ri = 0; ri < table->count; ri++) {
                const http_route *route = &table->routes[ri];
                if (route->flags & HTTP_ROUTE_PUBLIC)
                    continue;
                bool typed = strstr(route->pattern, "{type}") != NULL;
                size_t nm = route->method ? 1 : 4;
                for (size_t m = 0; m < nm; m++) {
                    const char *method = route->method ? route->method : any[m];
                    if (!typed) {
                        one_case(f, &t, who, route, method, NSAMPLES);
                        continue;
                    }
                    for (size_t s = 0; s < NSAMPLES; s++)
                        one_case(f, &t, who, route, method, s);
                }
            }
        }
    }
    /* The table must have said no, and yes, often. */
    assert_true(t.refused > 100);
    assert_true(t.allowed > 100);
    print_message("%d requests: %d refused, %d allowed\n", t.requests,
                  t.refused, t.allowed);
}

static void test_unknown_methods(void **state)
{
    struct fixture *f = *state;
    sw_app app = { 0 };
    size_t ntables = server_route_tables(&app);
    static const char *const odd[] = { "PATCH", "OPTIONS", "TRACE", "FROB" };
    for (size_t ti = 0; ti < ntables; ti++) {
        const http_route_table *table = app.tables[ti];
        for (size_t ri = 0; ri < table->count; ri++) {
            char path[512];
            fill(table->routes[ri].pattern, "Patient", f->ids[0], path, sizeof path);
            for (size_t m = 0; m < sizeof odd / sizeof *odd; m++) {
                sw_http_result r;
                request(f, odd[m], path, f->auth[DOC], NULL, NULL, &r);
                if (r.status < 400 || r.status >= 500)
                    fail_msg("%s %s answered %ld", odd[m], path, r.status);
                sw_http_result_free(&r);
            }
        }
    }
}

/* ---- Another practice ---------------------------------------------------- */

static void test_other_practice_ids_are_not_found(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *method, *fmt;
    } reqs[] = {
        { "GET", "/fhir/Patient/%s" },
        { "GET", "/fhir/Patient/%s/_history" },
        { "GET", "/fhir/Patient/%s/_history/1" },
        { "GET", "/fhir/Patient/%s/$everything" },
        { "DELETE", "/fhir/Patient/%s" },
        { "GET", "/fhir/Patient?_id=%s" },
        { "GET", "/fhir/Observation?subject=Patient/%s" },
        { "GET", "/fhir/Observation?patient=%s&_include=Observation:patient" },
    };
    struct counts before = counts(f);
    for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
        char path[256];
        snprintf(path, sizeof path, reqs[i].fmt, f->other_patient);
        for (size_t who = 0; who < NPEOPLE; who++) {
            sw_http_result r;
            request(f, reqs[i].method, path, f->auth[who], NULL, NULL, &r);
            if (strstr(r.body, OTHER_MARK) != NULL)
                fail_msg("%s %s as %s showed practice 2's data", reqs[i].method,
                         path, people[who]);
            /* A DELETE of what does not exist may succeed: it touches
             * nothing (checked below). */
            bool gone_ok = strcmp(reqs[i].method, "DELETE") == 0
                        && (r.status == 204 || r.status == 200);
            if (strchr(path, '?') == NULL && r.status != 404 && r.status != 403
                && !gone_ok)
                fail_msg("%s %s as %s answered %ld, not 404", reqs[i].method,
                         path, people[who], r.status);
            if (r.status >= 500)
                fail_msg("%s %s answered %ld", reqs[i].method, path, r.status);
            sw_http_result_free(&r);
        }
    }
    struct counts after = counts(f);
    assert_int_equal(after.resources, before.resources);
    /* And practice 2 still has its patient, unchanged. */
    char path[128];
    snprintf(path, sizeof path, "/fhir/Patient/%s", f->other_patient);
    sw_http_result r;
    request(f, "GET", path, f->other_auth, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, OTHER_MARK));
    char etag[64];
    assert_string_equal(sw_http_header(&r, "ETag", etag, sizeof etag), "W/\"1\"");
    sw_http_result_free(&r);
}

/* ---- Tokens -------------------------------------------------------------- */

static int expire_fn(store_tx *tx, void *arg)
{
    const char *sql = arg;
    return store_exec(tx, NULL, sql, "");
}

static void expect_401(struct fixture *f, const char *header, const char *what)
{
    static const char *const paths[] = { "/api/me", "/fhir/Patient",
                                         "/fhir/_history" };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        sw_http_result r;
        request(f, "GET", paths[i], header, NULL, NULL, &r);
        if (r.status != 401)
            fail_msg("%s: GET %s answered %ld", what, paths[i], r.status);
        assert_no_store(&r, what);
        sw_http_result_free(&r);
    }
    sw_http_result r;
    request(f, "POST", "/fhir/Patient", header, FHIR_CT,
            "{\"resourceType\":\"Patient\"}", &r);
    if (r.status != 401)
        fail_msg("%s: POST answered %ld", what, r.status);
    sw_http_result_free(&r);
}

static void test_bad_tokens_are_401(void **state)
{
    struct fixture *f = *state;
    struct counts before = counts(f);
    expect_401(f, NULL, "no token");
    expect_401(f, "Authorization: Bearer", "empty bearer");
    expect_401(f, "Authorization: Basic YWRtaW46YWRtaW4=", "basic");
    expect_401(f, "Authorization: Bearer 1.AAAAAAAAAAAAAAAAAAAAAA", "forged");
    expect_401(f, "Authorization: Bearer 1.not-a-token", "malformed");
    expect_401(f, "Cookie: stagewise_session=1.AAAAAAAAAAAAAAAAAAAAAA", "forged cookie");
    /* A real secret with another practice number finds no session. */
    char moved[512];
    const char *tok = strstr(f->auth[DOC], "Bearer ") + 7;
    snprintf(moved, sizeof moved, "Authorization: Bearer 2%s", strchr(tok, '.'));
    expect_401(f, moved, "another practice's prefix");
    /* Revoked. */
    char h[512];
    assert_int_equal(sign_in(f, "dr.rivera", 1, h, sizeof h, NULL), 0);
    sw_http_result r;
    request(f, "DELETE", "/api/session", h, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    sw_http_result_free(&r);
    expect_401(f, h, "revoked");
    /* Expired and idle: the rows say so (no waiting). */
    char he[512], hi[512];
    assert_int_equal(sign_in(f, "t.expire", 1, he, sizeof he, NULL), 0);
    assert_int_equal(sign_in(f, "t.idle", 1, hi, sizeof hi, NULL), 0);
    sw_err err;
    assert_int_equal(store_write(f->store, expire_fn,
        "UPDATE app_session SET expires_at = 1 WHERE practice_id = 1 AND "
        "user_id = (SELECT user_id FROM app_user WHERE practice_id = 1 AND "
        "username = 't.expire')", &err), SW_OK);
    assert_int_equal(store_write(f->store, expire_fn,
        "UPDATE app_session SET last_seen_at = 1 WHERE practice_id = 1 AND "
        "user_id = (SELECT user_id FROM app_user WHERE practice_id = 1 AND "
        "username = 't.idle')", &err), SW_OK);
    expect_401(f, he, "expired");
    expect_401(f, hi, "idle");
    assert_true(same_counts(before, counts(f)));
}

/* ---- CSRF ---------------------------------------------------------------- */

static void cookie_of(json_t *reply, char *out, size_t cap)
{
    snprintf(out, cap, "Cookie: stagewise_session=%s",
             json_string_value(json_object_get(reply, "token")));
}

static void test_csrf_replay_is_refused(void **state)
{
    struct fixture *f = *state;
    char ha[512], hb[512], cookie[512], csrf_b[256], csrf_a[256];
    json_t *a, *b;
    assert_int_equal(sign_in(f, "dr.rivera", 1, ha, sizeof ha, &a), 0);
    assert_int_equal(sign_in(f, "dr.rivera", 1, hb, sizeof hb, &b), 0);
    cookie_of(a, cookie, sizeof cookie);
    snprintf(csrf_a, sizeof csrf_a, "X-CSRF-Token: %s",
             json_string_value(json_object_get(a, "csrf_token")));
    snprintf(csrf_b, sizeof csrf_b, "X-CSRF-Token: %s",
             json_string_value(json_object_get(b, "csrf_token")));
    const char *body = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Csrf\"}]}";
    struct counts before = counts(f);
    const char *none[] = { cookie, FHIR_CT, NULL };
    const char *other[] = { cookie, FHIR_CT, csrf_b, NULL };
    const char *junk[] = { cookie, FHIR_CT, "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAA", NULL };
    const char *const *bad[] = { none, other, junk };
    for (size_t i = 0; i < 3; i++) {
        sw_http_result r;
        assert_int_equal(sw_http(&f->srv, "POST", "/fhir/Patient", bad[i], body,
                                 strlen(body), &r), 0);
        if (r.status != 401 && r.status != 403)
            fail_msg("a cookie request with CSRF case %zu answered %ld", i, r.status);
        sw_http_result_free(&r);
        const char *del[] = { bad[i][0], bad[i][2], NULL };
        assert_int_equal(sw_http(&f->srv, "DELETE", "/api/session", del, NULL, 0,
                                 &r), 0);
        assert_true(r.status == 401 || r.status == 403);
        sw_http_result_free(&r);
    }
    assert_true(same_counts(before, counts(f)));
    /* The session survived the attempts to end it, and its own token works. */
    const char *me[] = { cookie, NULL };
    sw_http_result r;
    assert_int_equal(sw_http(&f->srv, "GET", "/api/me", me, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    const char *good[] = { cookie, FHIR_CT, csrf_a, NULL };
    assert_int_equal(sw_http(&f->srv, "POST", "/fhir/Patient", good, body,
                             strlen(body), &r), 0);
    assert_int_equal(r.status, 201);
    sw_http_result_free(&r);
    json_decref(a);
    json_decref(b);
}

/* ---- SQL injection ------------------------------------------------------- */

static const char *const evil[] = {
    "' OR 1=1--",
    "\"; DROP TABLE fhir_resource;--",
    "%27",
    "1' UNION SELECT body FROM fhir_resource WHERE practice_id=2--",
    "Robert'); DROP TABLE app_user;--",
    "\\' OR '1'='1",
    "*",
    "a\001b",
};
#define NEVIL (sizeof evil / sizeof evil[0])

static void no_harm(struct fixture *f, const sw_http_result *r, const char *what)
{
    (void)f;
    if (r->status >= 500)
        fail_msg("%s answered %ld: %.300s", what, r->status, r->body);
    if (r->body && strstr(r->body, OTHER_MARK))
        fail_msg("%s showed practice 2's data", what);
}

static void test_sql_injection(void **state)
{
    struct fixture *f = *state;
    struct counts before = counts(f);
    char e[512], path[2048], what[2300];
    /* Every search parameter of each sample type, as someone who reads it. */
    for (size_t s = 0; s < NSAMPLES; s++) {
        const char *type = samples[s].type;
        size_t who = authz_may_read_type("physician", NULL, type) ? DOC
                   : authz_may_read_type("biller", NULL, type) ? BILL : ADMIN;
        size_t np;
        const fhir_type_param *tp = fhir_search_params_of(
            fhir_type_by_name(sw_str_of(type)), &np);
        static const char *const special[] = { "_id", "_sort", "_include",
            "_revinclude", "_elements", "_count", "_lastUpdated", "_summary",
            "_total", "_page" };
        size_t total = np + sizeof special / sizeof *special;
        for (size_t p = 0; p < total; p++) {
            const char *code = p < np ? tp[p].code : special[p - np];
            for (size_t k = 0; k < NEVIL + 1; k++) {
                if (k < NEVIL)
                    enc(evil[k], e, sizeof e);
                else
                    snprintf(e, sizeof e, "x%%00y");   /* a NUL byte */
                snprintf(path, sizeof path, "/fhir/%s?%s=%s", type, code, e);
                sw_http_result r;
                request(f, "GET", path, f->auth[who], NULL, NULL, &r);
                snprintf(what, sizeof what, "GET %s", path);
                no_harm(f, &r, what);
                sw_http_result_free(&r);
            }
        }
    }
    /* Ids in the path, for every interaction that takes one. */
    static const char *const id_routes[] = {
        "GET /fhir/Patient/%s", "PUT /fhir/Patient/%s", "DELETE /fhir/Patient/%s",
        "GET /fhir/Patient/%s/_history", "GET /fhir/Patient/%s/_history/%s",
        "GET /fhir/Patient/%s/$everything", "GET /fhir/%s",
    };
    for (size_t i = 0; i < sizeof id_routes / sizeof *id_routes; i++) {
        for (size_t k = 0; k < NEVIL + 1; k++) {
            if (k < NEVIL)
                enc(evil[k], e, sizeof e);
            else
                snprintf(e, sizeof e, "x%%00y");
            char method[8];
            const char *fmt = strchr(id_routes[i], ' ') + 1;
            snprintf(method, sizeof method, "%.*s",
                     (int)(fmt - id_routes[i] - 1), id_routes[i]);
            snprintf(path, sizeof path, fmt, e, e);
            sw_http_result r;
            request(f, method, path, f->auth[DOC],
                    strcmp(method, "PUT") == 0 ? FHIR_CT : NULL,
                    strcmp(method, "PUT") == 0 ? "{\"resourceType\":\"Patient\"}" : NULL,
                    &r);
            snprintf(what, sizeof what, "%s %s", method, path);
            no_harm(f, &r, what);
            if (r.status < 400)
                fail_msg("%s answered %ld", what, r.status);
            sw_http_result_free(&r);
        }
    }
    struct counts mid = counts(f);
    assert_true(same_counts(before, mid));
    /* Headers: the POSTs may create patients (a header the server ignores
     * does not stop them); what matters is no 5xx and no leak. */
    static const char *const headers[] = {
        "If-Match", "If-None-Match", "If-None-Exist", "Accept", "Prefer",
        "X-CSRF-Token", "Content-Type", "Cookie", "X-Forwarded-For",
        "Authorization",
    };
    for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
        for (size_t k = 0; k < NEVIL; k++) {
            if (strchr(evil[k], '\001'))
                continue;          /* not a valid header byte */
            char h[600];
            snprintf(h, sizeof h, "%s: %s%s", headers[i],
                     strcmp(headers[i], "Authorization") == 0 ? "Bearer " : "",
                     evil[k]);
            const char *hl[] = { strcmp(headers[i], "Authorization") ? f->auth[DOC]
                                 : h, h, FHIR_CT, NULL };
            static const char *const body = "{\"resourceType\":\"Patient\"}";
            const char *methods[] = { "GET", "POST" };
            for (size_t m = 0; m < 2; m++) {
                sw_http_result r;
                const char *target = m ? "/fhir/Patient" : "/fhir/Patient?name=x";
                assert_int_equal(sw_http(&f->srv, methods[m], target, hl,
                                         m ? body : NULL, m ? strlen(body) : 0,
                                         &r), 0);
                snprintf(what, sizeof what, "%s with %s", methods[m], h);
                no_harm(f, &r, what);
                sw_http_result_free(&r);
            }
        }
    }
    /* JSON members of the /api routes that take a body. */
    static const char *const members[] = { "username", "password", "practice",
        "totp", "display_name", "roles", "reason", "scope", "name" };
    sw_app app = { 0 };
    size_t ntables = server_route_tables(&app);
    for (size_t ti = 0; ti < ntables; ti++) {
        const http_route_table *table = app.tables[ti];
        for (size_t ri = 0; ri < table->count; ri++) {
            const http_route *route = &table->routes[ri];
            if (!(route->flags & HTTP_ROUTE_BODY)
                || strncmp(route->pattern, "/api/", 5) != 0)
                continue;
            fill(route->pattern, "Patient", "1", path, sizeof path);
            for (size_t mi = 0; mi < sizeof members / sizeof *members; mi++) {
                for (size_t k = 0; k < NEVIL + 1; k++) {
                    json_t *doc = json_object();
                    json_object_set_new(doc, "username", json_string("admin"));
                    json_object_set_new(doc, "password", json_string("x-long-password"));
                    json_t *v = k < NEVIL ? json_string(evil[k])
                                          : json_stringn("a\0b", 3);
                    json_object_set_new(doc, members[mi], v);
                    char *body = json_dumps(doc, JSON_COMPACT);
                    json_decref(doc);
                    sw_http_result r;
                    request(f, route->method ? route->method : "POST", path,
                            (route->flags & HTTP_ROUTE_PUBLIC) ? NULL : f->auth[BOTH],
                            JSON_CT, body, &r);
                    snprintf(what, sizeof what, "%s %s with %s", route->method,
                             path, body);
                    no_harm(f, &r, what);
                    sw_http_result_free(&r);
                    free(body);
                }
            }
        }
    }
    /* The tables are intact: nothing dropped, nothing lost. The JSON
     * section may have created accounts through an /api route that
     * creates them, so users may only grow. */
    struct counts after = counts(f);
    assert_true(after.resources >= mid.resources);
    assert_true(after.versions >= mid.versions);
    assert_true(after.users >= mid.users);
    sw_http_result r;
    request(f, "GET", "/fhir/Patient?_count=1", f->auth[DOC], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
}

/* ---- Across types inside one request ------------------------------------- */

static void test_includes_and_everything(void **state)
{
    struct fixture *f = *state;
    char path[256];
    sw_http_result r;
    /* Front desk may search patients, never pull notes in with them. */
    request(f, "GET", "/fhir/Patient?_revinclude=Composition:subject",
            f->auth[DESK], NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "Composition"));
    assert_non_null(strstr(r.body, "front desk"));
    sw_http_result_free(&r);
    /* A biller may read charges but not include the observations... */
    request(f, "GET", "/fhir/Patient?_revinclude=Observation:subject",
            f->auth[BILL], NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    sw_http_result_free(&r);
    /* ...nor reach them through a chain. */
    request(f, "GET", "/fhir/Patient?_has:Observation:subject:status=final",
            f->auth[BILL], NULL, NULL, &r);
    assert_true(r.status == 403 || r.status == 400);
    sw_http_result_free(&r);
    /* The physician gets them. */
    request(f, "GET", "/fhir/Patient?_revinclude=Composition:subject",
            f->auth[DOC], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    /* An _include whose target could be several types: what may not be
     * read is dropped with a warning. A nurse reading charge items cannot;
     * a biller including the patient of a charge item can. */
    request(f, "GET", "/fhir/ChargeItem?_include=ChargeItem:subject",
            f->auth[BILL], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"Patient\""));
    sw_http_result_free(&r);
    request(f, "GET", "/fhir/Observation?_include=Observation:subject&_include=Observation:performer",
            f->auth[DOC], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    sw_http_result_free(&r);
    /* An encounter whose reason is an observation: front desk reads the
     * encounter, and the observation an _include brings is left out with
     * a warning. */
    char enc_id[80], body[512];
    snprintf(body, sizeof body, "{\"resourceType\":\"Encounter\",\"status\":"
             "\"finished\",\"class\":{\"code\":\"AMB\"},\"subject\":"
             "{\"reference\":\"Patient/%s\"},\"reasonReference\":[{\"reference\":"
             "\"Observation/%s\"}]}", f->ids[0], f->ids[4]);
    assert_int_equal(create(f, f->auth[DOC], "Encounter", body, enc_id,
                            sizeof enc_id), 0);
    snprintf(path, sizeof path, "/fhir/Encounter?_id=%s&_include="
             "Encounter:reason-reference", enc_id);
    request(f, "GET", path, f->auth[DOC], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"resourceType\":\"Observation\""));
    sw_http_result_free(&r);
    request(f, "GET", path, f->auth[DESK], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "\"resourceType\":\"Observation\""));
    assert_non_null(strstr(r.body, "\"resourceType\":\"Encounter\""));
    assert_non_null(strstr(r.body, "left out"));
    sw_http_result_free(&r);
    /* $everything leaves out what the role may not read. */
    snprintf(path, sizeof path, "/fhir/Patient/%s/$everything", f->ids[0]);
    request(f, "GET", path, f->auth[DESK], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *entries = json_object_get(doc, "entry");
    assert_true(json_array_size(entries) >= 1);
    for (size_t i = 0; i < json_array_size(entries); i++) {
        const char *rt = json_string_value(json_object_get(json_object_get(
            json_array_get(entries, i), "resource"), "resourceType"));
        if (!authz_may_read_type("front_desk", NULL, rt))
            fail_msg("front desk's $everything holds a %s", rt);
    }
    json_decref(doc);
    sw_http_result_free(&r);
    request(f, "GET", path, f->auth[DOC], NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"Composition\""));
    assert_non_null(strstr(r.body, "\"Observation\""));
    sw_http_result_free(&r);
}

/* ---- A service account's scope ------------------------------------------ */

static void test_scope_narrows_a_service_account(void **state)
{
    struct fixture *f = *state;
    audit_who who;
    audit_cli_who(&who, 1);
    char tok[AUTH_API_TOKEN_TEXT], auth[AUTH_API_TOKEN_TEXT + 32];
    sw_err err;
    assert_int_equal(auth_api_token_create(f->store, &who, f->service_id, tok,
                                           NULL, &err), SW_OK);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    char *appt = sample_body(f, 1, NULL);
    struct {
        const char *method, *path, *body;
        bool allowed;
    } cases[] = {
        { "GET",  "/fhir/Patient", NULL, true },              /* in scope */
        { "POST", "/fhir/Patient",
          "{\"resourceType\":\"Patient\"}", false },        /* write not in scope */
        { "GET",  "/fhir/Observation", NULL, false },         /* role yes, scope no */
        { "POST", "/fhir/Appointment", appt, true },          /* in scope */
        { "GET",  "/fhir/Appointment", NULL, false },         /* read not in scope */
        { "GET",  "/api/users", NULL, false },                /* role no */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct counts before = counts(f);
        sw_http_result r;
        request(f, cases[i].method, cases[i].path, auth,
                cases[i].body ? FHIR_CT : NULL, cases[i].body, &r);
        if (cases[i].allowed ? (r.status == 403 || r.status >= 500)
                             : r.status != 403)
            fail_msg("%s %s with a scoped token answered %ld: %.300s",
                     cases[i].method, cases[i].path, r.status, r.body);
        if (!cases[i].allowed)
            assert_true(same_counts(before, counts(f)));
        sw_http_result_free(&r);
    }
    free(appt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_includes_and_everything),
        cmocka_unit_test(test_other_practice_ids_are_not_found),
        cmocka_unit_test(test_bad_tokens_are_401),
        cmocka_unit_test(test_csrf_replay_is_refused),
        cmocka_unit_test(test_scope_narrows_a_service_account),
        cmocka_unit_test(test_sql_injection),
        cmocka_unit_test(test_unknown_methods),
        /* Last: it writes and deletes the samples. */
        cmocka_unit_test(test_every_route_every_role),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
