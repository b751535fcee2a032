/* test_ops_checklist.c - the readiness checklist items ticked from the
 * operations records (docs/rollout.md "Go-live, rollback and gates",
 * src/rollout/checklist.h), on either store: the front-office-first
 * template lists ops-restore-drill and ops-downtime-copy; nobody can tick
 * them by hand; a successful record of their kind from the last 30 days
 * ticks them, a failed or older one does not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/store.h"
#include "testapi.h"

#define DAY_MS (24LL * 3600 * 1000)

struct rec {
    const char *kind;
    int64_t     ok, at;
};

static int rec_fn(store_tx *tx, void *arg)
{
    struct rec *r = arg;
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(record_id), 0) "
                               "FROM ops_record", "");
    if (rc != SW_OK)
        return rc;
    return store_exec(tx, NULL, "INSERT INTO ops_record (record_id, kind, at_ms, "
                      "ok, detail, manifest_sha256) VALUES (?, ?, ?, ?, '', '')",
                      "itii", last + 1, r->kind, r->at, r->ok);
}

/* Adds an ops_record row of kind, age_days old, straight into the store. */
static void record(const char *url, const char *kind, bool ok, int age_days)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    sw_err err;
    if (store_open(url, &so, &s, &err) != SW_OK)
        fail_msg("cannot open %s: %s", url, err.msg);
    struct rec r = { kind, ok ? 1 : 0, sw_now_wall_ms() - age_days * DAY_MS };
    if (store_write(s, rec_fn, &r, &err) != SW_OK)
        fail_msg("ops_record: %s", err.msg);
    store_close(s);
}

/* The item of the stage's checklist gate, from GET .../gates (a new
 * reference the caller decrefs), or NULL. */
static json_t *item_of(sw_test_env *e, const char *auth, const char *id)
{
    json_t *doc = sw_test_get_json(e, auth, "/api/plan/stages/front-office/gates");
    json_t *found = NULL, *g, *it;
    size_t i, k;
    json_array_foreach(json_object_get(doc, "gates"), i, g)
        json_array_foreach(json_object_get(g, "items"), k, it)
            if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
                found = json_incref(it);
    json_decref(doc);
    return found;
}

static bool ticked(sw_test_env *e, const char *auth, const char *id)
{
    json_t *it = item_of(e, auth, id);
    if (it == NULL)
        fail_msg("the checklist has no item %s", id);
    bool t = json_is_true(json_object_get(it, "ticked"));
    if (t)
        assert_string_equal(json_string_value(json_object_get(it, "ticked_by")),
                            "operations record");
    json_decref(it);
    return t;
}

static void ops_items_are_ticked_from_the_records(void **state)
{
    sw_test_env *e = *state;
    char lead[512];
    sw_test_sign_in_new_user(e, "lead.o", "implementation_lead", lead, sizeof lead);
    sw_test_staged_plan(e, lead, "front-office", "front_desk", NULL);

    assert_false(ticked(e, lead, "ops-restore-drill"));
    assert_false(ticked(e, lead, "ops-downtime-copy"));

    /* By hand: refused, naming the command that ticks it. */
    json_t *doc;
    assert_int_equal(sw_test_call(e, lead, "PUT",
                                  "/api/plan/stages/front-office/checklist/ops-restore-drill",
                                  NULL, &doc), 409);
    assert_non_null(strstr(sw_test_str(doc, "error.message"), "restore --drill"));
    json_decref(doc);
    assert_false(ticked(e, lead, "ops-restore-drill"));

    /* A failed drill, and a good one 40 days old: still not ticked. */
    record(e->db, "restore_drill", false, 0);
    record(e->db, "restore_drill", true, 40);
    record(e->db, "downtime_copy", true, 31);
    assert_false(ticked(e, lead, "ops-restore-drill"));
    assert_false(ticked(e, lead, "ops-downtime-copy"));

    /* A good drill 2 days ago ticks its item, and only its item. */
    record(e->db, "restore_drill", true, 2);
    assert_true(ticked(e, lead, "ops-restore-drill"));
    assert_false(ticked(e, lead, "ops-downtime-copy"));
    record(e->db, "downtime_copy", true, 0);
    assert_true(ticked(e, lead, "ops-downtime-copy"));

    /* Unticking by hand is refused too: the records decide. */
    assert_int_equal(sw_test_call(e, lead, "DELETE",
                                  "/api/plan/stages/front-office/checklist/ops-downtime-copy",
                                  NULL, NULL), 409);
    assert_true(ticked(e, lead, "ops-downtime-copy"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ops_items_are_ticked_from_the_records,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
