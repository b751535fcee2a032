/* test_catalog.c - the module catalog (src/rollout/catalog.c) holds
 * together: ids unique, prerequisites and couplings name modules, no
 * prerequisite cycle (a plan could never satisfy it), couplings either
 * go both ways or have a stated reason not to, core features belong to
 * their module, every module governs something (a route or a FHIR type),
 * and every module src/audit/feature.c names is in the catalog. Also the
 * catalog's content that DESIGN.md §4 fixes. No database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/str.h"
#include "fhir/model.h"
#include "rollout/catalog.h"
#include "rollout/route_modules.h"

static bool lists(const char *const *ids, size_t cap, const char *id)
{
    for (size_t i = 0; i < cap && ids[i]; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

static bool needs(const catalog_module *m, const char *id)
{
    return lists(m->needs, CATALOG_MAX_LINKS, id);
}

static const catalog_coupling *coupling(const catalog_module *m, const char *id)
{
    for (size_t i = 0; i < CATALOG_MAX_LINKS && m->goes_with[i].module; i++)
        if (strcmp(m->goes_with[i].module, id) == 0)
            return &m->goes_with[i];
    return NULL;
}

static void test_ids_are_unique_and_findable(void **state)
{
    (void)state;
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(m[i].id);
        assert_non_null(m[i].title);
        assert_non_null(m[i].description);
        assert_non_null(m[i].course);
        assert_true(strlen(m[i].id) > 0 && strlen(m[i].description) > 10);
        /* Ids are lower-case words joined by '_': they appear in feature
         * ids, plan files and URLs. */
        for (const char *c = m[i].id; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
                fail_msg("module id %s has the character '%c'", m[i].id, *c);
        assert_ptr_equal(catalog_find(m[i].id), &m[i]);
        for (size_t k = 0; k < i; k++) {
            assert_string_not_equal(m[k].id, m[i].id);
            assert_string_not_equal(m[k].course, m[i].course);
        }
    }
    assert_null(catalog_find("billing"));
    assert_null(catalog_find(NULL));
    assert_false(catalog_is_module(""));
    assert_true(catalog_is_module("charge_capture"));
}

static void test_links_name_modules(void **state)
{
    (void)state;
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < CATALOG_MAX_LINKS && m[i].needs[k]; k++) {
            if (!catalog_is_module(m[i].needs[k]))
                fail_msg("%s needs %s, which is not a module", m[i].id,
                         m[i].needs[k]);
            assert_string_not_equal(m[i].needs[k], m[i].id);
        }
        for (size_t k = 0; k < CATALOG_MAX_LINKS && m[i].goes_with[k].module; k++) {
            const catalog_coupling *c = &m[i].goes_with[k];
            if (!catalog_is_module(c->module))
                fail_msg("%s goes with %s, which is not a module", m[i].id,
                         c->module);
            assert_string_not_equal(c->module, m[i].id);
            /* The linter's warning quotes it: it must say what happens. */
            if (c->half_paper == NULL || strlen(c->half_paper) < 40)
                fail_msg("%s goes with %s without saying what splitting them "
                         "does", m[i].id, c->module);
        }
    }
}

/* Depth-first search over prerequisites: 0 unvisited, 1 on the path,
 * 2 done. */
static void visit(const catalog_module *m, size_t n, const catalog_module *all,
                  int *mark)
{
    size_t i = (size_t)(m - all);
    if (mark[i] == 2)
        return;
    if (mark[i] == 1)
        fail_msg("the prerequisites of %s go round in a circle", m->id);
    mark[i] = 1;
    for (size_t k = 0; k < CATALOG_MAX_LINKS && m->needs[k]; k++)
        visit(catalog_find(m->needs[k]), n, all, mark);
    mark[i] = 2;
}

static void test_no_prerequisite_cycles(void **state)
{
    (void)state;
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    int mark[32] = { 0 };
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++)
        visit(&m[i], n, m, mark);
    /* And the catalog's order is one a plan can follow: prerequisites
     * come first. */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < CATALOG_MAX_LINKS && m[i].needs[k]; k++)
            if (catalog_find(m[i].needs[k]) > &m[i])
                fail_msg("%s comes before its prerequisite %s", m[i].id,
                         m[i].needs[k]);
}

/* A coupling A → B that B does not list back, and why that is right. */
static const struct {
    const char *from, *to, *why;
} one_way[] = {
    { "eprescribing", "documentation",
      "notes in the EHR with prescriptions still on paper is the usual stage "
      "between the two, not a split workflow; the other way round is" },
};

static void test_couplings_are_symmetric_or_explained(void **state)
{
    (void)state;
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < CATALOG_MAX_LINKS && m[i].goes_with[k].module; k++) {
            const catalog_coupling *c = &m[i].goes_with[k];
            const catalog_module *other = catalog_find(c->module);
            const catalog_coupling *back = coupling(other, m[i].id);
            if (back != NULL) {
                /* Each side says what happens when it goes first. */
                assert_string_not_equal(back->half_paper, c->half_paper);
                continue;
            }
            /* The other side cannot go live first: it needs this one. */
            if (needs(other, m[i].id))
                continue;
            bool explained = false;
            for (size_t e = 0; e < sizeof one_way / sizeof *one_way; e++)
                explained |= strcmp(one_way[e].from, m[i].id) == 0
                          && strcmp(one_way[e].to, c->module) == 0;
            if (!explained)
                fail_msg("%s goes with %s but not the other way round: couple "
                         "them both ways or explain why in test_catalog.c",
                         m[i].id, c->module);
        }
    }
    /* The explanations name couplings that exist. */
    for (size_t e = 0; e < sizeof one_way / sizeof *one_way; e++) {
        const catalog_module *from = catalog_find(one_way[e].from);
        assert_non_null(from);
        assert_non_null(coupling(from, one_way[e].to));
    }
}

static void test_core_features_belong_to_their_module(void **state)
{
    (void)state;
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(m[i].id);
        assert_non_null(m[i].core_features[0]);
        for (size_t k = 0; k < CATALOG_MAX_FEATURES && m[i].core_features[k]; k++) {
            const char *f = m[i].core_features[k];
            if (strncmp(f, m[i].id, len) != 0 || f[len] != '.' || f[len + 1] == '\0')
                fail_msg("%s lists the core feature %s, which is not "
                         "\"%s.action\"", m[i].id, f, m[i].id);
            for (size_t j = 0; j < k; j++)
                assert_string_not_equal(m[i].core_features[j], f);
        }
    }
}

static void test_every_module_governs_something(void **state)
{
    (void)state;
    size_t n, nr;
    const catalog_module *m = catalog_modules(&n);
    const rollout_route *routes = rollout_routes(&nr);
    for (size_t i = 0; i < n; i++) {
        const char *types[16];
        size_t nt = audit_module_types(m[i].id, types, 16);
        for (size_t k = 0; k < nt; k++)
            if (!fhir_is_resource_type(sw_str_of(types[k])))
                fail_msg("%s governs %s, which is not an R4 resource type",
                         m[i].id, types[k]);
        size_t nroutes = 0;
        for (size_t k = 0; k < nr; k++)
            nroutes += routes[k].module && strcmp(routes[k].module, m[i].id) == 0;
        if (nt == 0 && nroutes == 0)
            fail_msg("%s governs no FHIR type and no route: staging it would "
                     "change nothing", m[i].id);
    }
}

static void test_feature_table_names_catalog_modules(void **state)
{
    (void)state;
    const char *ids[64];
    size_t n = audit_modules(ids, 64);
    assert_true(n > 0 && n < 64);
    for (size_t i = 0; i < n; i++)
        if (!catalog_is_module(ids[i]))
            fail_msg("src/audit/feature.c gives types to %s, which is not a "
                     "module of the catalog", ids[i]);
    /* The type → module table and the lookup agree. */
    size_t nm;
    const catalog_module *m = catalog_modules(&nm);
    for (size_t i = 0; i < nm; i++) {
        const char *types[16];
        size_t nt = audit_module_types(m[i].id, types, 16);
        for (size_t k = 0; k < nt; k++) {
            const char *plain = audit_module_of(types[k], NULL);
            /* Observation is vitals, or results in the laboratory
             * category. */
            if (strcmp(plain, m[i].id) != 0)
                assert_string_equal(audit_module_of(types[k], "laboratory"),
                                    m[i].id);
        }
    }
    assert_null(audit_module_of("Practitioner", NULL));
    assert_null(audit_module_of(NULL, NULL));
    assert_string_equal(audit_feature("Practitioner", "create"), "record.create");
    assert_string_equal(audit_feature_of("Observation", "laboratory", "read"),
                        "results.read");
}

/* What DESIGN.md §4 fixes and the linter relies on. */
static void test_design_prerequisites(void **state)
{
    (void)state;
    const catalog_module *e = catalog_find("eprescribing");
    assert_true(needs(e, "medications") && needs(e, "allergies"));
    const catalog_module *c = catalog_find("charge_capture");
    assert_true(needs(c, "documentation"));
    assert_non_null(c->needs_gate);
    assert_non_null(coupling(c, "documentation"));
    const catalog_module *o = catalog_find("orders");
    assert_non_null(coupling(o, "results"));
    assert_null(catalog_find("results")->needs[0]);
    assert_null(catalog_find("registration")->needs[0]);
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    for (size_t i = 0; i < n; i++)
        if (&m[i] != c)
            assert_null(m[i].needs_gate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_unique_and_findable),
        cmocka_unit_test(test_links_name_modules),
        cmocka_unit_test(test_no_prerequisite_cycles),
        cmocka_unit_test(test_couplings_are_symmetric_or_explained),
        cmocka_unit_test(test_core_features_belong_to_their_module),
        cmocka_unit_test(test_every_module_governs_something),
        cmocka_unit_test(test_feature_table_names_catalog_modules),
        cmocka_unit_test(test_design_prerequisites),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
