/* test_authz.c - the permission table (src/auth/authz.c) as a practice
 * reads it: who may read, write, sign, prescribe and order what; how a
 * service account's scope narrows its roles; and the map that puts every
 * FHIR R4 resource type in exactly one area; that docs/security.md shows
 * the same table; and that every route of the server's route tables has a
 * permission tag the table knows, or is on the short list of routes open
 * to any signed-in user. No database: these are lookups. The HTTP side (every route, every role) is
 * tests/integration/test_authz_matrix.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authz.h"
#include "auth/roles.h"
#include "core/str.h"
#include "fhir/model.h"
#include "server/app.h"

#define ALLOW(role, area, action) \
    assert_true(authz_allows(role, NULL, AUTHZ_##area, AUTHZ_##action))
#define DENY(role, area, action) \
    assert_false(authz_allows(role, NULL, AUTHZ_##area, AUTHZ_##action))

static const char *const clinical_areas[] = {
    "clinical", "notes", "medications", "orders", "results",
};

static void test_prescribers_do_everything_clinical(void **state)
{
    (void)state;
    const char *roles[] = { "physician", "advanced_practice" };
    for (size_t i = 0; i < 2; i++) {
        const char *r = roles[i];
        ALLOW(r, CLINICAL, READ);    ALLOW(r, CLINICAL, WRITE);
        ALLOW(r, NOTES, READ);       ALLOW(r, NOTES, WRITE);
        ALLOW(r, NOTES, SIGN);
        ALLOW(r, MEDICATIONS, READ); ALLOW(r, MEDICATIONS, PRESCRIBE);
        ALLOW(r, ORDERS, READ);      ALLOW(r, ORDERS, ORDER);
        ALLOW(r, RESULTS, READ);     ALLOW(r, RESULTS, WRITE);
        ALLOW(r, VISITS, WRITE);     ALLOW(r, DEMOGRAPHICS, WRITE);
        ALLOW(r, SCHEDULING, WRITE); ALLOW(r, BILLING, READ);
        DENY(r, BILLING, WRITE);     DENY(r, USERS, ADMIN);
        DENY(r, AUDIT, READ);        DENY(r, PRACTICE, ADMIN);
    }
}

static void test_nurses_and_assistants_chart_but_do_not_sign(void **state)
{
    (void)state;
    const char *roles[] = { "nurse", "medical_assistant" };
    for (size_t i = 0; i < 2; i++) {
        const char *r = roles[i];
        ALLOW(r, CLINICAL, READ);     ALLOW(r, CLINICAL, WRITE);
        ALLOW(r, NOTES, READ);        DENY(r, NOTES, SIGN);
        ALLOW(r, MEDICATIONS, READ);  DENY(r, MEDICATIONS, PRESCRIBE);
        ALLOW(r, ORDERS, READ);       DENY(r, ORDERS, ORDER);
        ALLOW(r, RESULTS, READ);
        ALLOW(r, SCHEDULING, WRITE);  ALLOW(r, VISITS, WRITE);
        ALLOW(r, DEMOGRAPHICS, WRITE);
        DENY(r, BILLING, READ);
    }
    ALLOW("nurse", NOTES, WRITE);
    DENY("medical_assistant", NOTES, WRITE);
}

static void test_front_desk_and_billers_never_see_the_chart(void **state)
{
    (void)state;
    const char *roles[] = { "front_desk", "biller" };
    for (size_t i = 0; i < 2; i++) {
        for (size_t k = 0; k < sizeof clinical_areas / sizeof *clinical_areas; k++) {
            authz_area a;
            assert_true(authz_area_find(clinical_areas[k],
                                        strlen(clinical_areas[k]), &a));
            for (int act = 0; act < AUTHZ_ACTION__COUNT; act++)
                assert_false(authz_allows(roles[i], NULL, a, (authz_action)act));
        }
    }
    ALLOW("front_desk", DEMOGRAPHICS, WRITE);
    ALLOW("front_desk", SCHEDULING, WRITE);
    ALLOW("front_desk", VISITS, WRITE);
    DENY("front_desk", BILLING, READ);
    ALLOW("biller", BILLING, READ);
    ALLOW("biller", BILLING, WRITE);
    ALLOW("biller", DEMOGRAPHICS, WRITE);
    ALLOW("biller", VISITS, READ);
    DENY("biller", VISITS, WRITE);
    DENY("biller", SCHEDULING, READ);
}

static void test_administrators(void **state)
{
    (void)state;
    ALLOW("practice_admin", USERS, ADMIN);
    ALLOW("practice_admin", PRACTICE, ADMIN);
    ALLOW("practice_admin", AUDIT, READ);
    ALLOW("practice_admin", AUDIT, ADMIN);
    ALLOW("practice_admin", DIRECTORY, WRITE);
    ALLOW("practice_admin", DEMOGRAPHICS, READ);
    DENY("practice_admin", DEMOGRAPHICS, WRITE);
    DENY("practice_admin", CLINICAL, READ);
    DENY("practice_admin", NOTES, READ);
    ALLOW("implementation_lead", PLAN, ADMIN);
    ALLOW("implementation_lead", TRAINING, ADMIN);
    ALLOW("implementation_lead", AUDIT, READ);
    ALLOW("implementation_lead", USERS, READ);
    DENY("implementation_lead", USERS, ADMIN);
    DENY("implementation_lead", AUDIT, ADMIN);
    DENY("implementation_lead", CLINICAL, READ);
    DENY("implementation_lead", DEMOGRAPHICS, READ);
}

static void test_everyone_reads_the_directory(void **state)
{
    (void)state;
    size_t n;
    const auth_role *roles = auth_roles(&n);
    for (size_t i = 0; i < n; i++)
        assert_true(authz_role_allows(roles[i].name, AUTHZ_DIRECTORY, AUTHZ_READ));
}

static void test_role_lists_unite_and_unknowns_deny(void **state)
{
    (void)state;
    ALLOW("implementation_lead,practice_admin", USERS, ADMIN);
    ALLOW("implementation_lead,practice_admin", PLAN, ADMIN);
    ALLOW("front_desk,biller", BILLING, WRITE);
    DENY("front_desk,biller", NOTES, READ);
    DENY("surgeon", DIRECTORY, READ);
    DENY("", DIRECTORY, READ);
    DENY("physician ", CLINICAL, READ);
    assert_false(authz_allows(NULL, NULL, AUTHZ_DIRECTORY, AUTHZ_READ));
    assert_false(authz_role_allows("physician", AUTHZ_AREA__COUNT, AUTHZ_READ));
    assert_false(authz_role_allows("physician", AUTHZ_CLINICAL, AUTHZ_ACTION__COUNT));
}

static void test_scope_narrows_never_widens(void **state)
{
    (void)state;
    const char *r = "physician";
    /* Empty scope: the roles decide. */
    assert_true(authz_allows(r, "", AUTHZ_RESULTS, AUTHZ_WRITE));
    assert_true(authz_allows(r, "results:write,demographics:read",
                             AUTHZ_RESULTS, AUTHZ_WRITE));
    assert_true(authz_allows(r, "results:write,demographics:read",
                             AUTHZ_DEMOGRAPHICS, AUTHZ_READ));
    assert_false(authz_allows(r, "results:write,demographics:read",
                              AUTHZ_DEMOGRAPHICS, AUTHZ_WRITE));
    assert_false(authz_allows(r, "results:write", AUTHZ_RESULTS, AUTHZ_READ));
    assert_false(authz_allows(r, "results:write", AUTHZ_NOTES, AUTHZ_READ));
    /* A scope cannot grant what the roles do not. */
    assert_false(authz_allows("front_desk", "notes:read", AUTHZ_NOTES, AUTHZ_READ));
    /* Malformed items match nothing. */
    assert_false(authz_allows(r, "results", AUTHZ_RESULTS, AUTHZ_READ));
    assert_false(authz_allows(r, "results:", AUTHZ_RESULTS, AUTHZ_READ));
    assert_false(authz_allows(r, ":read", AUTHZ_RESULTS, AUTHZ_READ));
    assert_false(authz_allows(r, "results:read ", AUTHZ_RESULTS, AUTHZ_READ));
    assert_false(authz_allows(r, "result:read", AUTHZ_RESULTS, AUTHZ_READ));
    assert_true(authz_allows(r, "x,results:read,", AUTHZ_RESULTS, AUTHZ_READ));
}

static void test_types_map_to_areas(void **state)
{
    (void)state;
    static const struct { const char *type, *area; } want[] = {
        { "Patient", "demographics" },       { "RelatedPerson", "demographics" },
        { "Person", "demographics" },        { "Coverage", "demographics" },
        { "Appointment", "scheduling" },     { "AppointmentResponse", "scheduling" },
        { "Schedule", "scheduling" },        { "Slot", "scheduling" },
        { "Encounter", "visits" },           { "EpisodeOfCare", "visits" },
        { "Practitioner", "directory" },     { "PractitionerRole", "directory" },
        { "Organization", "directory" },     { "Location", "directory" },
        { "HealthcareService", "directory" },{ "Endpoint", "directory" },
        { "Condition", "clinical" },         { "AllergyIntolerance", "clinical" },
        { "Observation", "clinical" },       { "Procedure", "clinical" },
        { "Immunization", "clinical" },      { "FamilyMemberHistory", "clinical" },
        { "CarePlan", "clinical" },          { "Goal", "clinical" },
        { "CareTeam", "clinical" },          { "QuestionnaireResponse", "clinical" },
        { "Composition", "notes" },          { "DocumentReference", "notes" },
        { "ClinicalImpression", "notes" },
        { "MedicationRequest", "medications" },
        { "MedicationStatement", "medications" },
        { "MedicationAdministration", "medications" },
        { "MedicationDispense", "medications" }, { "Medication", "medications" },
        { "ServiceRequest", "orders" },
        { "DiagnosticReport", "results" },   { "Specimen", "results" },
        { "ImagingStudy", "results" },
        { "ChargeItem", "billing" },         { "Claim", "billing" },
        { "ClaimResponse", "billing" },      { "Account", "billing" },
        { "Invoice", "billing" },            { "ExplanationOfBenefit", "billing" },
        { "AuditEvent", "audit" },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *got = authz_area_name(authz_area_of_type(want[i].type));
        if (strcmp(got, want[i].area) != 0)
            fail_msg("%s is in %s, expected %s", want[i].type, got, want[i].area);
    }
}

static void test_every_resource_type_has_an_area(void **state)
{
    (void)state;
    size_t n = fhir_resource_type_count();
    assert_true(n > 140);
    for (size_t i = 0; i < n; i++) {
        const char *t = fhir_type_name(fhir_resource_type_at(i));
        authz_area a = authz_area_of_type(t);
        assert_true((unsigned)a < AUTHZ_AREA__COUNT);
        assert_string_not_equal(authz_area_name(a), "");
        authz_action w = authz_write_action_of_type(t);
        assert_true(w == AUTHZ_WRITE || w == AUTHZ_PRESCRIBE || w == AUTHZ_ORDER);
    }
    /* And every name the map lists is an R4 resource type (a typo would
     * silently fall back to clinical), listed once. */
    for (size_t i = 0; authz_listed_type(i) != NULL; i++) {
        const char *t = authz_listed_type(i);
        if (!fhir_is_resource_type(sw_str_of(t)))
            fail_msg("%s is not an R4 resource type", t);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(authz_listed_type(k), t);
    }
}

static void test_write_actions(void **state)
{
    (void)state;
    assert_int_equal(authz_write_action_of_type("MedicationRequest"), AUTHZ_PRESCRIBE);
    assert_int_equal(authz_write_action_of_type("ServiceRequest"), AUTHZ_ORDER);
    assert_int_equal(authz_write_action_of_type("Patient"), AUTHZ_WRITE);
    assert_int_equal(authz_write_action_of_type("Observation"), AUTHZ_WRITE);
    assert_int_equal(authz_write_action_of_type("NoSuchType"), AUTHZ_WRITE);
    /* Only prescribers write MedicationRequests. */
    size_t n;
    const auth_role *roles = auth_roles(&n);
    for (size_t i = 0; i < n; i++) {
        bool prescriber = roles[i].id == AUTH_ROLE_PHYSICIAN
                       || roles[i].id == AUTH_ROLE_ADVANCED_PRACTICE;
        assert_int_equal(authz_role_allows(roles[i].name, AUTHZ_MEDICATIONS,
                                           AUTHZ_PRESCRIBE), prescriber);
        assert_int_equal(authz_role_allows(roles[i].name, AUTHZ_ORDERS,
                                           AUTHZ_ORDER), prescriber);
        assert_int_equal(authz_role_allows(roles[i].name, AUTHZ_NOTES,
                                           AUTHZ_SIGN), prescriber);
    }
}

static void test_access_tags(void **state)
{
    (void)state;
    authz_area a;
    authz_action x;
    assert_true(authz_parse_access("users:admin", &a, &x));
    assert_int_equal(a, AUTHZ_USERS);
    assert_int_equal(x, AUTHZ_ADMIN);
    assert_true(authz_parse_access("audit:read", &a, &x));
    assert_int_equal(a, AUTHZ_AUDIT);
    assert_int_equal(x, AUTHZ_READ);
    assert_false(authz_parse_access("users", &a, &x));
    assert_false(authz_parse_access("users:", &a, &x));
    assert_false(authz_parse_access(":admin", &a, &x));
    assert_false(authz_parse_access("users:fly", &a, &x));
    assert_false(authz_parse_access("fhir", &a, &x));
    assert_false(authz_parse_access(NULL, &a, &x));
    for (int i = 0; i < AUTHZ_AREA__COUNT; i++)
        for (int k = 0; k < AUTHZ_ACTION__COUNT; k++) {
            char tag[64];
            snprintf(tag, sizeof tag, "%s:%s", authz_area_name((authz_area)i),
                     authz_action_name((authz_action)k));
            assert_true(authz_parse_access(tag, &a, &x));
            assert_int_equal(a, i);
            assert_int_equal(x, k);
        }
}

static void test_refusals_read_well(void **state)
{
    (void)state;
    char m[256];
    authz_refusal("front_desk", AUTHZ_NOTES, AUTHZ_READ, m, sizeof m);
    assert_string_equal(m, "your role (front desk) may not read clinical notes");
    authz_refusal("nurse", AUTHZ_MEDICATIONS, AUTHZ_PRESCRIBE, m, sizeof m);
    assert_string_equal(m, "your role (nurse) may not prescribe");
    authz_refusal("biller,front_desk", AUTHZ_USERS, AUTHZ_ADMIN, m, sizeof m);
    assert_string_equal(m, "your roles (biller, front desk) may not administer "
                           "user accounts");
    authz_refusal("", AUTHZ_CLINICAL, AUTHZ_WRITE, m, sizeof m);
    assert_string_equal(m, "your role (none) may not write clinical data");
    char small[8];
    authz_role_words("practice_admin", small, sizeof small);
    assert_string_equal(small, "practic");
}

/* docs/security.md renders the table as a matrix; it must say what the
 * code does. Each role row: "| role | RW | R | — | … |" in area order. */
static void test_documented_matrix_matches(void **state)
{
    (void)state;
    const char *data = getenv("STAGEWISE_TEST_DATA");
    assert_non_null(data);
    char path[4096];
    snprintf(path, sizeof path, "%s/../../docs/security.md", data);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s", path);
    char line[1024];
    size_t rows = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] != '|')
            continue;
        char *cells[AUTHZ_AREA__COUNT + 2];
        size_t n = 0;
        for (char *c = strtok(line + 1, "|"); c && n < AUTHZ_AREA__COUNT + 2;
             c = strtok(NULL, "|")) {
            while (*c == ' ')
                c++;
            char *end = c + strlen(c);
            while (end > c && (end[-1] == ' ' || end[-1] == '\n'))
                *--end = '\0';
            cells[n++] = c;
        }
        if (n == AUTHZ_AREA__COUNT + 1 && strcmp(cells[0], "role") == 0)
            for (int a = 0; a < AUTHZ_AREA__COUNT; a++)
                assert_string_equal(cells[a + 1], authz_area_name((authz_area)a));
        if (n < AUTHZ_AREA__COUNT + 1 || auth_role_find(cells[0]) == NULL)
            continue;
        rows++;
        for (int a = 0; a < AUTHZ_AREA__COUNT; a++) {
            const char *cell = cells[a + 1];
            static const char letters[AUTHZ_ACTION__COUNT] = { 'R', 'W', 'S', 'P', 'O', 'A' };
            for (int k = 0; k < AUTHZ_ACTION__COUNT; k++) {
                bool doc = strchr(cell, letters[k]) != NULL;
                bool code = authz_role_allows(cells[0], (authz_area)a, (authz_action)k);
                if (doc != code)
                    fail_msg("docs/security.md says %s %s %s on %s; the table "
                             "says otherwise", cells[0], doc ? "may" : "may not",
                             authz_action_name((authz_action)k),
                             authz_area_name((authz_area)a));
            }
        }
    }
    fclose(fp);
    assert_int_equal(rows, AUTH_ROLE__COUNT);
}

/* Every route the server serves either carries a permission tag the table
 * knows, or is open to any signed-in user; the open ones are a conscious
 * choice: this is the list, and a new one must be added here on purpose. */
static void test_routes_open_to_every_user(void **state)
{
    (void)state;
    static const char *const open[] = {
        "DELETE /api/session",     /* signing out */
        "GET /api/me",             /* who am I */
        "GET /api/me/mfa",         /* one's own second factor */
        "POST /api/me/mfa",
        "POST /api/me/mfa/confirm",
        "DELETE /api/me/mfa",
        "GET /api/inbox",          /* one's own inbox */
        "POST /api/inbox/{item}/done",
        "POST /api/messages",      /* a message to a colleague */
        "GET /api/modules",        /* the module catalog: what is coming */
        /* Everyone trains (api_training.c): one's own courses, checks and
         * proficiency; records and assignments decide who sees what. */
        "GET /api/training/courses",
        "GET /api/training/courses/{id}",
        "POST /api/training/courses/{id}/start",
        "POST /api/training/courses/{id}/check",
        "POST /api/training/courses/{id}/proficiency",
        "GET /api/training/records",
        "GET /api/training/records.csv",
        "GET /api/training/assignments",
        /* Everyone may see who can help and ask for help (api_superusers.c,
         * api_help.c); a super-user sees their own colleagues and answers
         * requests sent to them. */
        "GET /api/superusers",
        "GET /api/superusers/colleagues",
        "POST /api/help",
        "GET /api/help",
        "POST /api/help/{id}/answer",
        /* Adoption (api_activity.c, api_adoption*.c): one's own activity
         * reports and figures; who sees whose scorecard, the practice's
         * figures and schedules is decided by adoption_access.c. */
        "POST /api/activity",
        "GET /api/adoption/me",
        "GET /api/adoption/users",
        "GET /api/adoption/users/{username}",
        "GET /api/adoption/dashboard",
        "GET /api/adoption/report",
        "GET /api/adoption/targets",
        "GET /api/adoption/settings",
        "GET /api/adoption/productivity",
        "GET /api/adoption/forecast",
        "GET /api/adoption/findings",
        "POST /api/adoption/findings/{id}/assign",
        "GET /api/adoption/schedule/{username}",
    };
    sw_app app = { 0 };
    size_t ntables = server_route_tables(&app);
    for (size_t ti = 0; ti < ntables; ti++) {
        const http_route_table *table = app.tables[ti];
        for (size_t ri = 0; ri < table->count; ri++) {
            const http_route *route = &table->routes[ri];
            if (route->flags & HTTP_ROUTE_PUBLIC)
                continue;
            if (route->access != NULL) {
                authz_area a;
                authz_action x;
                if (strcmp(route->access, "fhir") != 0
                    && !authz_parse_access(route->access, &a, &x))
                    fail_msg("%s %s has the unknown access tag %s",
                             route->method ? route->method : "*",
                             route->pattern, route->access);
                continue;
            }
            char key[256];
            snprintf(key, sizeof key, "%s %s", route->method ? route->method : "*",
                     route->pattern);
            bool listed = false;
            for (size_t k = 0; k < sizeof open / sizeof *open; k++)
                listed |= strcmp(open[k], key) == 0;
            if (!listed)
                fail_msg("%s is open to every signed-in user; tag it with a "
                         "permission or list it here", key);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prescribers_do_everything_clinical),
        cmocka_unit_test(test_nurses_and_assistants_chart_but_do_not_sign),
        cmocka_unit_test(test_front_desk_and_billers_never_see_the_chart),
        cmocka_unit_test(test_administrators),
        cmocka_unit_test(test_everyone_reads_the_directory),
        cmocka_unit_test(test_role_lists_unite_and_unknowns_deny),
        cmocka_unit_test(test_scope_narrows_never_widens),
        cmocka_unit_test(test_types_map_to_areas),
        cmocka_unit_test(test_every_resource_type_has_an_area),
        cmocka_unit_test(test_write_actions),
        cmocka_unit_test(test_access_tags),
        cmocka_unit_test(test_refusals_read_well),
        cmocka_unit_test(test_documented_matrix_matches),
        cmocka_unit_test(test_routes_open_to_every_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
