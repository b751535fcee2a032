/* test_restricted.c - restricted patients and break-the-glass grants
 * (src/auth/restricted.c) on each store, with times passed in so every
 * boundary is exact: a grant opens the record for its user only, until the
 * millisecond it ends; lifting the restriction opens it for everyone; a
 * grant is reviewed once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "auth/restricted.h"
#include "testdb.h"

#define T0  1795566225000LL
#define MIN (60 * 1000LL)

static sw_store *store;

static int setup(void **state)
{
    (void)state;
    return sw_test_open_migrated(&store);
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    return 0;
}

struct ask {
    int64_t     user;
    const char *patient;
    int64_t     at;
    bool        allowed;
};

static int ask_fn(store_tx *tx, void *arg)
{
    struct ask *a = arg;
    return auth_patient_access(tx, 1, a->user, a->patient, a->at, &a->allowed);
}

static bool may_open(int64_t user, const char *patient, int64_t at)
{
    struct ask a = { user, patient, at, false };
    assert_int_equal(store_read(store, ask_fn, &a, NULL), SW_OK);
    return a.allowed;
}

static int restrict_fn(store_tx *tx, void *arg)
{
    bool changed;
    int rc = auth_patient_restrict(tx, 1, "staff-1", "employee", 9, T0, &changed);
    if (rc == SW_OK && !changed)
        return SW_EINTERNAL;
    /* Twice is not an error, and changes nothing. */
    if (rc == SW_OK)
        rc = auth_patient_restrict(tx, 1, "staff-1", "again", 9, T0, &changed);
    if (rc == SW_OK && changed)
        return SW_EINTERNAL;
    (void)arg;
    return rc;
}

static int grant_fn(store_tx *tx, void *arg)
{
    int64_t *id = arg;
    return auth_break_glass(tx, 1, 5, "staff-1", "covering the ED call",
                            T0 + 10 * MIN, 30 * MIN, id);
}

static int review_fn(store_tx *tx, void *arg)
{
    int64_t *id = arg;
    return auth_grant_review(tx, 1, *id, 9, "appropriate", T0 + 60 * MIN);
}

static int unrestrict_fn(store_tx *tx, void *arg)
{
    bool changed;
    (void)arg;
    int rc = auth_patient_unrestrict(tx, 1, "staff-1", &changed);
    return rc == SW_OK && !changed ? SW_EINTERNAL : rc;
}

struct listing {
    sw_arena   *a;
    bool        unreviewed;
    auth_grant *g;
    size_t      n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct listing *l = arg;
    return auth_grants_list(tx, l->a, 1, l->unreviewed, 10, &l->g, &l->n);
}

static void break_the_glass(void **state)
{
    (void)state;
    /* Nobody is asked before a patient is restricted. */
    assert_true(may_open(5, "staff-1", T0));
    assert_int_equal(store_write(store, restrict_fn, NULL, NULL), SW_OK);
    assert_false(may_open(5, "staff-1", T0));
    assert_true(may_open(5, "someone-else", T0));
    /* The command line (user 0) is the database's operator. */
    assert_true(may_open(0, "staff-1", T0));

    int64_t grant = 0;
    assert_int_equal(store_write(store, grant_fn, &grant, NULL), SW_OK);
    assert_int_equal(grant, 1);
    assert_false(may_open(5, "staff-1", T0 + 10 * MIN - 1));
    assert_true(may_open(5, "staff-1", T0 + 10 * MIN));
    assert_true(may_open(5, "staff-1", T0 + 40 * MIN - 1));
    assert_false(may_open(5, "staff-1", T0 + 40 * MIN));
    /* A grant is its user's alone. */
    assert_false(may_open(6, "staff-1", T0 + 20 * MIN));

    sw_arena *a = sw_arena_create(0);
    struct listing l = { a, true, NULL, 0 };
    assert_int_equal(store_read(store, list_fn, &l, NULL), SW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.g[0].reason, "covering the ED call");
    assert_int_equal(l.g[0].expires_ms, T0 + 40 * MIN);
    assert_int_equal(store_write(store, review_fn, &grant, NULL), SW_OK);
    sw_err err;
    assert_int_equal(store_write(store, review_fn, &grant, &err), SW_ECONFLICT);
    int64_t none = 99;
    assert_int_equal(store_write(store, review_fn, &none, &err), SW_ENOTFOUND);
    assert_int_equal(store_read(store, list_fn, &l, NULL), SW_OK);
    assert_int_equal(l.n, 0);
    l.unreviewed = false;
    assert_int_equal(store_read(store, list_fn, &l, NULL), SW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.g[0].review_note, "appropriate");
    sw_arena_destroy(a);

    assert_int_equal(store_write(store, unrestrict_fn, NULL, NULL), SW_OK);
    assert_true(may_open(6, "staff-1", T0 + 20 * MIN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(break_the_glass, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
