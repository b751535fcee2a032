/* routes.c - which route tables the server serves, in matching order, and
 * which filters every routed request passes first, in order. An area that
 * adds routes adds its table here; one that checks every request (rollout,
 * audit) adds its filter after authentication, which they depend on. */
#include "app.h"
#include "authorize.h"
#include "readonly.h"

size_t server_route_tables(sw_app *app)
{
    size_t n = 0;
    app->fhir.store = app->store;
    app->fhir.entry_check = server_rollout_bundle_entry;
    app->fhir_table = fhir_route_table(&app->fhir);
    app->tables[n++] = &health_routes;
    app->tables[n++] = &readonly_routes;
    app->tables[n++] = &session_routes;
    app->tables[n++] = &mfa_routes;
    app->tables[n++] = &practice_routes;
    app->tables[n++] = &users_routes;
    app->tables[n++] = &audit_routes;
    app->tables[n++] = &break_glass_routes;
    app->tables[n++] = &vitals_routes;
    app->tables[n++] = &allergy_routes;
    app->tables[n++] = &problems_routes;
    app->tables[n++] = &immunizations_routes;
    app->tables[n++] = &orders_routes;
    app->tables[n++] = &results_routes;
    app->tables[n++] = &inbox_routes;
    app->tables[n++] = &messages_routes;
    app->tables[n++] = &visit_routes;
    app->tables[n++] = &schedule_routes;
    app->tables[n++] = &codes_routes;
    app->tables[n++] = &prescribing_routes;
    app->tables[n++] = &medication_routes;
    app->tables[n++] = &plan_routes;
    app->tables[n++] = &golive_routes;
    app->tables[n++] = &override_routes;
    app->tables[n++] = &plan_live_routes;
    app->tables[n++] = &interface_reconcile_routes;
    app->tables[n++] = &interface_routes;
    app->tables[n++] = &interface_tests_routes;
    app->tables[n++] = &charges_routes;
    app->tables[n++] = &superusers_routes;
    app->tables[n++] = &help_routes;
    app->tables[n++] = &training_routes;
    app->tables[n++] = &training_records_routes;
    app->tables[n++] = &modules_routes;
    app->tables[n++] = &activity_routes;
    app->tables[n++] = &adoption_schedule_routes;
    app->tables[n++] = &adoption_insights_routes;
    app->tables[n++] = &adoption_routes;
    app->tables[n++] = &app->fhir_table;
    app->web_table = web_route_table(&app->web);
    app->tables[n++] = &app->web_table;
    return n;
}

static const http_filter filters[] = {
    /* First: a downtime copy (serve --read-only) refuses every write,
     * whoever asks (readonly.c). */
    { "read_only", server_read_only_filter },
    { "auth", server_authenticate },
    { "authorize", server_authorize },
    /* After authorize: the rollout plan refuses writes to modules not
     * live for the user (rollout_filter.c). */
    { "rollout", server_rollout_filter },
};

const http_filter *server_filters(size_t *count)
{
    *count = sizeof filters / sizeof filters[0];
    return filters;
}
