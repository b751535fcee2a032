/* test_route_modules.c - the route → module map (src/rollout/
 * route_modules.c) is complete and says what it should: every route the
 * server serves has a row (a module, or explicitly none), every row names
 * a served route and a module of the catalog, and the rows that matter to
 * a practice map where docs/rollout.md says. A new route without a row
 * fails here, so nobody adds a function the plan cannot stage by
 * accident. No database: the server's route tables and the map are data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rollout/catalog.h"
#include "rollout/route_modules.h"
#include "server/app.h"

/* Calls fn with the "METHOD pattern" key of every served route. */
static void each_served(void (*fn)(const char *key, const http_route *r, void *),
                        void *arg)
{
    sw_app app = { 0 };
    size_t ntables = server_route_tables(&app);
    for (size_t ti = 0; ti < ntables; ti++) {
        const http_route_table *t = app.tables[ti];
        for (size_t ri = 0; ri < t->count; ri++) {
            const http_route *r = &t->routes[ri];
            char key[256];
            snprintf(key, sizeof key, "%s %s", r->method ? r->method : "*",
                     r->pattern);
            fn(key, r, arg);
        }
    }
}

static void expect_row(const char *key, const http_route *r, void *arg)
{
    size_t *count = arg;
    (*count)++;
    const rollout_route *row = rollout_route_find(r->method, r->pattern);
    if (row == NULL)
        fail_msg("%s has no row in src/rollout/route_modules.c: map it to "
                 "the module whose work it does, or to none (NULL) if it "
                 "must work whatever the plan says", key);
    assert_string_equal(row->route, key);
}

static void test_every_served_route_has_a_row(void **state)
{
    (void)state;
    size_t served = 0;
    each_served(expect_row, &served);
    assert_true(served > 60);
}

struct seen {
    const char *key;
    bool        found;
};

static void mark(const char *key, const http_route *r, void *arg)
{
    (void)r;
    struct seen *s = arg;
    s->found |= strcmp(s->key, key) == 0;
}

static void test_every_row_is_served_once(void **state)
{
    (void)state;
    size_t n;
    const rollout_route *rows = rollout_routes(&n);
    for (size_t i = 0; i < n; i++) {
        struct seen s = { rows[i].route, false };
        each_served(mark, &s);
        if (!s.found)
            fail_msg("src/rollout/route_modules.c maps %s, which the server "
                     "does not serve", rows[i].route);
        for (size_t k = 0; k < i; k++)
            if (strcmp(rows[k].route, rows[i].route) == 0)
                fail_msg("%s has two rows", rows[i].route);
    }
}

static void test_rows_name_catalog_modules(void **state)
{
    (void)state;
    size_t n;
    const rollout_route *rows = rollout_routes(&n);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].module != NULL && !catalog_is_module(rows[i].module))
            fail_msg("%s maps to %s, which is not a module of the catalog",
                     rows[i].route, rows[i].module);
        if (rows[i].by_type && rows[i].module != NULL)
            fail_msg("%s is mapped by type and to %s at once", rows[i].route,
                     rows[i].module);
        /* Only FHIR routes carry a resource type to map by. */
        if (rows[i].by_type && strstr(rows[i].route, " /fhir") == NULL)
            fail_msg("%s is mapped by type but is not a FHIR route",
                     rows[i].route);
    }
}

static void test_workflow_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *pattern, *module;
    } want[] = {
        { "POST", "/api/visits/{id}/sign", "documentation" },
        { "PUT", "/api/visits/{id}/note", "documentation" },
        { "POST", "/api/patients/{id}/prescriptions", "eprescribing" },
        { "POST", "/api/patients/{id}/prescriptions/check", "eprescribing" },
        { "POST", "/api/patients/{id}/orders", "orders" },
        { "POST", "/api/results/{id}/sign-off", "results" },
        { "POST", "/api/patients/{id}/allergies", "allergies" },
        { "POST", "/api/patients/{id}/problems", "problems" },
        { "POST", "/api/patients/{id}/medications", "medications" },
        { "POST", "/api/patients/{id}/vitals", "vitals" },
        { "POST", "/api/patients/{id}/immunizations", "immunizations" },
        /* Check-in opens an Encounter but is the front desk's work. */
        { "POST", "/api/appointments/{id}/check-in", "scheduling" },
        /* Reads map too (the adoption area counts them). */
        { "GET", "/api/schedule", "scheduling" },
        { "GET", "/api/patients/{id}/allergies", "allergies" },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *got = rollout_route_module(want[i].method, want[i].pattern,
                                               NULL, NULL);
        if (got == NULL || strcmp(got, want[i].module) != 0)
            fail_msg("%s %s maps to %s, expected %s", want[i].method,
                     want[i].pattern, got ? got : "none", want[i].module);
    }
}

static void test_always_on_is_not_unknown(void **state)
{
    (void)state;
    static const char *const always[][2] = {
        { "POST", "/api/session" }, { "GET", "/api/me" },
        { "GET", "/api/audit" },    { "GET", "/api/users" },
        { "PUT", "/api/practice/settings" }, { "GET", "/api/inbox" },
        { "GET", "/api/modules" },  { "GET", "/fhir/metadata" },
        { "GET", "/fhir/{type}/{id}/$everything" }, { "GET", "/healthz" },
    };
    for (size_t i = 0; i < sizeof always / sizeof *always; i++) {
        const rollout_route *r = rollout_route_find(always[i][0], always[i][1]);
        if (r == NULL)
            fail_msg("%s %s is not in the map", always[i][0], always[i][1]);
        assert_null(r->module);
        assert_false(r->by_type);
        assert_null(rollout_route_module(always[i][0], always[i][1],
                                         "Patient", NULL));
    }
    /* Unknown: not served, or served with another method. */
    assert_null(rollout_route_find("GET", "/api/no-such-route"));
    assert_null(rollout_route_find("DELETE", "/api/schedule"));
    assert_null(rollout_route_find("GET", "/api/schedule/"));
    assert_null(rollout_route_find("GET", NULL));
    assert_null(rollout_route_find(NULL, "/api/schedule"));
    assert_null(rollout_route_find("GE", "T /api/schedule"));
    assert_null(rollout_route_module("GET", "/api/no-such-route", NULL, NULL));
}

static void test_fhir_routes_follow_the_type(void **state)
{
    (void)state;
    static const struct {
        const char *method, *pattern, *type, *category, *module;
    } want[] = {
        { "POST", "/fhir/{type}", "AllergyIntolerance", NULL, "allergies" },
        { "PUT", "/fhir/{type}/{id}", "MedicationRequest", NULL, "eprescribing" },
        { "DELETE", "/fhir/{type}/{id}", "Condition", NULL, "problems" },
        { "PUT", "/fhir/{type}/{id}", "Patient", NULL, "registration" },
        { "POST", "/fhir/{type}", "Appointment", NULL, "scheduling" },
        { "POST", "/fhir/{type}", "ChargeItem", NULL, "charge_capture" },
        { "POST", "/fhir/{type}", "Observation", "laboratory", "results" },
        { "POST", "/fhir/{type}", "Observation", "vital-signs", "vitals" },
        { "POST", "/fhir/{type}", "Observation", NULL, "vitals" },
        { "GET", "/fhir/{type}/{id}", "DiagnosticReport", NULL, "results" },
        { "GET", "/fhir/{type}", "ServiceRequest", NULL, "orders" },
        /* A Bundle's entries, each with its own type. */
        { "POST", "/fhir", "Immunization", NULL, "immunizations" },
        /* Types no module governs: always on. */
        { "POST", "/fhir/{type}", "Practitioner", NULL, NULL },
        { "PUT", "/fhir/{type}/{id}", "Basic", NULL, NULL },
        { "POST", "/fhir/{type}", NULL, NULL, NULL },
        { "POST", "/fhir", NULL, NULL, NULL },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *got = rollout_route_module(want[i].method, want[i].pattern,
                                               want[i].type, want[i].category);
        bool same = got == NULL ? want[i].module == NULL
                  : want[i].module != NULL && strcmp(got, want[i].module) == 0;
        if (!same)
            fail_msg("%s %s of %s maps to %s, expected %s", want[i].method,
                     want[i].pattern, want[i].type ? want[i].type : "no type",
                     got ? got : "none", want[i].module ? want[i].module : "none");
    }
    /* A fixed-module route ignores the type it is given. */
    assert_string_equal(rollout_route_module("POST", "/api/visits/{id}/sign",
                                             "Patient", NULL), "documentation");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_served_route_has_a_row),
        cmocka_unit_test(test_every_row_is_served_once),
        cmocka_unit_test(test_rows_name_catalog_modules),
        cmocka_unit_test(test_workflow_routes),
        cmocka_unit_test(test_always_on_is_not_unknown),
        cmocka_unit_test(test_fhir_routes_follow_the_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
