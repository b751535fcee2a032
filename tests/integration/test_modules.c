/* test_modules.c - the module catalog as users see it (docs/rollout.md,
 * "Modules"), on each store:
 * - GET /api/modules: the twelve modules of DESIGN.md §4 in the catalog's
 *   order, each with its prerequisites, couplings and half-paper
 *   sentences, course, core features, FHIR types and /api routes, and
 *   "live" for the signed-in user; any signed-in role may read it, nobody
 *   signed out;
 * - /api/me's "modules" names the same modules;
 * - `stagewise modules` prints the catalog as a table, `--json` as the
 *   same JSON without "live", and a bad option is a usage error (2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"

static const char *const module_ids[] = {
    "registration", "scheduling", "documentation", "problems", "allergies",
    "medications", "vitals", "eprescribing", "orders", "results",
    "immunizations", "charge_capture",
};
#define NMODULES (sizeof module_ids / sizeof *module_ids)

/* The module of doc's list with this id; the test fails without one. */
static json_t *module(json_t *doc, const char *id)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(doc, "modules"), i, m)
        if (strcmp(json_string_value(json_object_get(m, "id")), id) == 0)
            return m;
    fail_msg("no module %s", id);
    return NULL;
}

/* Whether array (of strings) holds s. */
static bool holds(json_t *array, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

static void expect_strings(json_t *array)
{
    assert_true(json_is_array(array));
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
        assert_true(json_is_string(v));
}

static void test_api_modules_shape(void **state)
{
    sw_test_env *e = *state;
    json_t *doc = sw_test_get_json(e, e->auth, "/api/modules");
    json_t *list = json_object_get(doc, "modules");
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), NMODULES);
    for (size_t i = 0; i < NMODULES; i++) {
        json_t *m = json_array_get(list, i);
        assert_string_equal(sw_test_str(m, "id"), module_ids[i]);
        assert_non_null(sw_test_str(m, "title"));
        assert_non_null(sw_test_str(m, "description"));
        assert_non_null(sw_test_str(m, "course"));
        expect_strings(json_object_get(m, "needs"));
        expect_strings(json_object_get(m, "core_features"));
        expect_strings(json_object_get(m, "resource_types"));
        expect_strings(json_object_get(m, "routes"));
        json_t *gate = json_object_get(m, "needs_gate");
        assert_true(json_is_null(gate) || json_is_string(gate));
        json_t *goes = json_object_get(m, "goes_with");
        assert_true(json_is_array(goes));
        for (size_t k = 0; k < json_array_size(goes); k++) {
            json_t *c = json_array_get(goes, k);
            assert_non_null(sw_test_str(c, "module"));
            assert_true(strlen(sw_test_str(c, "half_paper")) > 20);
        }
        /* Until the rollout engine decides, every module is live. */
        assert_true(json_is_true(json_object_get(m, "live")));
        /* Every module governs a FHIR type or an /api route. */
        assert_true(json_array_size(json_object_get(m, "resource_types"))
                    + json_array_size(json_object_get(m, "routes")) > 0);
    }
    json_decref(doc);
}

static void test_api_modules_content(void **state)
{
    sw_test_env *e = *state;
    json_t *doc = sw_test_get_json(e, e->auth, "/api/modules");
    json_t *rx = module(doc, "eprescribing");
    assert_int_equal(json_array_size(json_object_get(rx, "needs")), 2);
    assert_true(holds(json_object_get(rx, "needs"), "medications"));
    assert_true(holds(json_object_get(rx, "needs"), "allergies"));
    assert_true(holds(json_object_get(rx, "routes"),
                      "POST /api/patients/{id}/prescriptions"));
    assert_true(holds(json_object_get(rx, "resource_types"), "MedicationRequest"));
    assert_true(holds(json_object_get(rx, "core_features"), "eprescribing.send"));
    assert_true(json_is_null(json_object_get(rx, "needs_gate")));

    json_t *cc = module(doc, "charge_capture");
    assert_string_equal(sw_test_str(cc, "needs_gate"),
                        "a passed interface test suite");
    assert_true(holds(json_object_get(cc, "needs"), "documentation"));
    assert_string_equal(sw_test_str(cc, "goes_with.0.module"), "documentation");

    json_t *doc_m = module(doc, "documentation");
    assert_true(holds(json_object_get(doc_m, "routes"), "POST /api/visits/{id}/sign"));
    assert_true(holds(json_object_get(doc_m, "routes"), "PUT /api/visits/{id}/note"));
    assert_true(holds(json_object_get(doc_m, "resource_types"), "Encounter"));
    /* Routes are /api ones; the FHIR API is described by resource types. */
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc_m, "routes"), i, r)
        assert_null(strstr(json_string_value(r), " /fhir"));

    json_t *res = module(doc, "results");
    assert_int_equal(json_array_size(json_object_get(res, "needs")), 0);
    assert_true(holds(json_object_get(res, "resource_types"), "DiagnosticReport"));
    assert_true(holds(json_object_get(res, "resource_types"), "Observation"));
    assert_string_equal(sw_test_str(module(doc, "orders"), "goes_with.0.module"),
                        "results");
    /* Always-on routes belong to no module. */
    json_t *m;
    json_array_foreach(json_object_get(doc, "modules"), i, m) {
        assert_false(holds(json_object_get(m, "routes"), "GET /api/me"));
        assert_false(holds(json_object_get(m, "routes"), "GET /api/modules"));
    }
    json_decref(doc);
}

static void test_any_signed_in_user_and_nobody_else(void **state)
{
    sw_test_env *e = *state;
    char fd[512];
    sw_test_sign_in_new_user(e, "fd.modules", "front_desk", fd, sizeof fd);
    json_t *doc = sw_test_get_json(e, fd, "/api/modules");
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), NMODULES);
    json_decref(doc);

    json_t *err = NULL;
    assert_int_equal(sw_test_call(e, NULL, "GET", "/api/modules", NULL, &err), 401);
    assert_non_null(sw_test_str(err, "error.code"));
    json_decref(err);
    assert_int_equal(sw_test_call(e, "Authorization: Bearer not-a-token", "GET",
                                  "/api/modules", NULL, NULL), 401);
}

static void test_me_lists_the_catalog(void **state)
{
    sw_test_env *e = *state;
    json_t *me = sw_test_get_json(e, e->auth, "/api/me");
    json_t *list = json_object_get(me, "modules");
    assert_int_equal(json_array_size(list), NMODULES);
    for (size_t i = 0; i < NMODULES; i++)
        assert_string_equal(json_string_value(json_array_get(list, i)),
                            module_ids[i]);
    json_decref(me);
}

/* ---- The command line ---------------------------------------------------- */

static void test_cli_table(void **state)
{
    (void)state;
    const char *args[] = { "modules", NULL };
    char *out = sw_test_expect_run(0, args, NULL);
    for (size_t i = 0; i < NMODULES; i++)
        assert_non_null(strstr(out, module_ids[i]));
    assert_non_null(strstr(out, "MODULE"));
    assert_non_null(strstr(out, "medications, allergies"));
    assert_non_null(strstr(out, "a passed interface test suite"));
    assert_non_null(strstr(out, "E-prescribing"));
    free(out);

    const char *help[] = { "modules", "--help", NULL };
    out = sw_test_expect_run(0, help, NULL);
    assert_non_null(strstr(out, "--json"));
    free(out);
    const char *all_help[] = { "--help", NULL };
    out = sw_test_expect_run(0, all_help, NULL);
    assert_non_null(strstr(out, "modules"));
    free(out);
}

static void test_cli_json_is_the_api_without_live(void **state)
{
    sw_test_env *e = *state;
    const char *args[] = { "modules", "--json", NULL };
    char *out = sw_test_expect_run(0, args, NULL);
    json_error_t jerr;
    json_t *cli = json_loads(out, 0, &jerr);
    if (cli == NULL)
        fail_msg("not JSON (%s): %s", jerr.text, out);
    free(out);
    json_t *api = sw_test_get_json(e, e->auth, "/api/modules");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(cli, "modules"), i, m)
        assert_null(json_object_get(m, "live"));
    json_array_foreach(json_object_get(api, "modules"), i, m)
        json_object_del(m, "live");
    assert_true(json_equal(cli, api));
    json_decref(cli);
    json_decref(api);
}

static void test_cli_usage_errors(void **state)
{
    (void)state;
    const char *bad[] = { "modules", "--no-such-option", NULL };
    free(sw_test_expect_run(2, bad, "--no-such-option"));
    const char *extra[] = { "modules", "eprescribing", NULL };
    free(sw_test_expect_run(2, extra, "eprescribing"));
    const char *json_value[] = { "modules", "--json=yes", NULL };
    free(sw_test_expect_run(2, json_value, "--json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_modules_shape),
        cmocka_unit_test(test_api_modules_content),
        cmocka_unit_test(test_any_signed_in_user_and_nobody_else),
        cmocka_unit_test(test_me_lists_the_catalog),
        cmocka_unit_test(test_cli_table),
        cmocka_unit_test(test_cli_json_is_the_api_without_live),
        cmocka_unit_test(test_cli_usage_errors),
    };
    return cmocka_run_group_tests(tests, sw_test_env_setup, sw_test_env_teardown);
}
