/* test_training_generate.c - the training generator writing into a real
 * store (SQLite and PostgreSQL), opened directly: the master population
 * is stored, valid and idempotent, with the training clinicians its
 * appointments name and every patient's coverage; a trainee's cases are all there, the
 * pending result in the trainee's inbox, and writing them again changes
 * nothing; training_case_patient finds each case (and none for
 * new-registration); removing one trainee leaves the other's cases and
 * the master population alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"
#include "core/arena.h"
#include "core/json.h"
#include "fhir/validate.h"
#include "store/store.h"
#include "testdb.h"
#include "testserver.h"
#include "teststore.h"
#include "training/generate.h"
#include "training/people.h"

#define PRACTICE 1

typedef teststore fixture;

struct q {
    const char *sql, *types, *a, *b;
    int64_t     out;
};

static int q_fn(store_tx *tx, void *arg)
{
    struct q *q = arg;
    if (q->b != NULL)
        return store_query_int64(tx, &q->out, q->sql, q->types, (int64_t)PRACTICE, q->a, q->b);
    if (q->a != NULL)
        return store_query_int64(tx, &q->out, q->sql, q->types, (int64_t)PRACTICE, q->a);
    return store_query_int64(tx, &q->out, q->sql, q->types, (int64_t)PRACTICE);
}

static int64_t count(fixture *f, const char *sql, const char *types, const char *a,
                     const char *b)
{
    struct q q = { sql, types, a, b, -1 };
    sw_err err;
    int rc = store_read(f->store, q_fn, &q, &err);
    if (rc != SW_OK)
        fail_msg("%s: %s", sql, sw_err_text(&err));
    return q.out;
}

static int64_t patients(fixture *f)
{
    return count(f, "SELECT count(*) FROM fhir_resource WHERE practice_id = ? "
                 "AND res_type = 'Patient' AND deleted = 0", "i", NULL, NULL);
}

static int64_t all_versions(fixture *f)
{
    return count(f, "SELECT count(*) FROM fhir_history WHERE practice_id = ?", "i", NULL, NULL);
}

struct mkuser {
    const char *username;
    int64_t     user_id;
};

static int user_fn(store_tx *tx, void *arg)
{
    struct mkuser *m = arg;
    auth_new_user u = { .practice_id = PRACTICE, .username = m->username,
                        .display_name = m->username, .password_hash = "x",
                        .roles = "clinician" };
    bool created;
    return auth_user_create(tx, &u, &created, &m->user_id);
}

static int64_t make_user(fixture *f, const char *username)
{
    struct mkuser m = { username, 0 };
    assert_int_equal(store_write(f->store, user_fn, &m, NULL), SW_OK);
    return m.user_id;
}

/* Every current resource body passes the FHIR validator. */
struct valid_arg { int64_t n; };

static int valid_fn(store_tx *tx, void *arg)
{
    struct valid_arg *v = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT body FROM fhir_resource WHERE practice_id = ? "
                           "AND deleted = 0", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    store_bind_int64(st, 1, PRACTICE);
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *body = store_col_text(st, 0, &n);
        sw_arena *a = sw_arena_create(8u << 20);
        sw_json *r;
        assert_int_equal(sw_json_parse(a, body, n, &r, NULL), SW_OK);
        fhir_issues issues = { 0 };
        assert_int_equal(fhir_validate(a, r, 0, &issues), SW_OK);
        if (issues.errors > 0)
            fail_msg("%.*s: %s", (int)n, body, issues.items[0].message);
        sw_arena_destroy(a);
        v->n++;
    }
    store_finalize(st);
    return rc;
}

static void master_population(void **state)
{
    fixture *f = *state;
    sw_err err;
    int rc = training_generate_master(f->store, PRACTICE, 11, 25, &err);
    if (rc != SW_OK)
        fail_msg("%s", sw_err_text(&err));
    assert_int_equal(patients(f), 25);
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_token WHERE practice_id = ? "
                           "AND res_type = 'Patient' AND param = 'identifier' AND system = ? "
                           "AND code = 'master'", "it", TRAINING_CASE_SYSTEM, NULL), 25);
    /* The training clinicians, each master appointment naming one, and
     * every master patient's coverage. */
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_resource WHERE practice_id = ? "
                           "AND res_type = ? AND deleted = 0", "it", "Practitioner", NULL),
                     training_clinician_count());
    int64_t appointments = count(f, "SELECT count(*) FROM fhir_resource WHERE practice_id = ? "
                                 "AND res_type = ? AND deleted = 0", "it", "Appointment", NULL);
    assert_true(appointments > 0);
    assert_int_equal(count(f, "SELECT count(DISTINCT res_id) FROM fhir_idx_ref "
                           "WHERE practice_id = ? AND res_type = 'Appointment' "
                           "AND target_type = ?", "it",
                           "Practitioner", NULL), appointments);
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_resource WHERE practice_id = ? "
                           "AND res_type = ? AND deleted = 0", "it", "Coverage", NULL), 25);
    int64_t versions = all_versions(f);
    assert_true(versions > 25 * 4);
    assert_int_equal(training_generate_master(f->store, PRACTICE, 11, 25, NULL), SW_OK);
    assert_int_equal(all_versions(f), versions);
    assert_true(count(f, "SELECT count(*) FROM audit_log WHERE practice_id = ? "
                      "AND username = ?", "it", "training:generator", NULL) > 0);
    struct valid_arg v = { 0 };
    assert_int_equal(store_read(f->store, valid_fn, &v, NULL), SW_OK);
    assert_true(v.n > 25);
}

static void trainee_cases(void **state)
{
    fixture *f = *state;
    int64_t uid = make_user(f, "trainee.ann");
    make_user(f, "trainee.bob");
    sw_err err;
    int rc = training_generate_trainee(f->store, PRACTICE, "trainee.ann", 11, &err);
    if (rc != SW_OK)
        fail_msg("%s", sw_err_text(&err));
    assert_int_equal(training_generate_trainee(f->store, PRACTICE, "trainee.bob", 11, NULL), SW_OK);
    assert_int_equal(patients(f), 8);

    static const char *const cases[] = {
        TRAINING_CASE_PENICILLIN, TRAINING_CASE_DIABETES, TRAINING_CASE_PENDING,
        TRAINING_CASE_RECONCILE,
    };
    char ann[4][80], bob[80];
    for (int c = 0; c < 4; c++) {
        assert_int_equal(training_case_patient(f->store, PRACTICE, "trainee.ann", cases[c],
                                               ann[c], NULL), SW_OK);
        assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_token WHERE practice_id = ? "
                               "AND res_type = 'Patient' AND res_id = ? AND param = 'identifier' "
                               "AND code = ?", "itt", ann[c], "trainee.ann"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_token WHERE practice_id = ? "
                               "AND res_type = 'Patient' AND res_id = ? AND param = 'identifier' "
                               "AND code = ?", "itt", ann[c], cases[c]), 1);
    }
    assert_int_equal(training_case_patient(f->store, PRACTICE, "trainee.ann",
                                           TRAINING_CASE_REGISTRATION, bob, NULL), SW_ENOTFOUND);
    assert_int_equal(training_case_patient(f->store, PRACTICE, "nobody",
                                           TRAINING_CASE_PENICILLIN, bob, NULL), SW_ENOTFOUND);
    /* The pending result waits in Ann's inbox, for her patient. */
    char uidtext[32];
    snprintf(uidtext, sizeof uidtext, "%lld", (long long)uid);
    assert_int_equal(count(f, "SELECT count(*) FROM inbox_item WHERE practice_id = ? "
                           "AND patient_id = ? AND kind = 'result' AND res_type = 'DiagnosticReport' "
                           "AND CAST(user_id AS TEXT) = ?", "itt", ann[2], uidtext), 1);
    /* The penicillin allergy and the booked visits are stored. */
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_ref WHERE practice_id = ? "
                           "AND res_type = 'AllergyIntolerance' AND target_id = ?", "it", ann[0], NULL) > 0, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_ref WHERE practice_id = ? "
                           "AND res_type = 'Appointment' AND target_id = ?", "it", ann[0], NULL) >= 1, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_ref WHERE practice_id = ? "
                           "AND res_type = 'MedicationStatement' AND target_id = ?", "it", ann[3], NULL) >= 4, 1);

    /* Idempotent. */
    int64_t versions = all_versions(f);
    assert_int_equal(training_generate_trainee(f->store, PRACTICE, "trainee.ann", 11, NULL), SW_OK);
    assert_int_equal(all_versions(f), versions);

    /* Removing Ann leaves Bob and the master population. */
    assert_int_equal(training_generate_master(f->store, PRACTICE, 11, 5, NULL), SW_OK);
    assert_int_equal(patients(f), 13);
    assert_int_equal(training_remove_trainee(f->store, PRACTICE, "trainee.ann", NULL), SW_OK);
    assert_int_equal(patients(f), 9);
    for (int c = 0; c < 4; c++) {
        assert_int_equal(training_case_patient(f->store, PRACTICE, "trainee.ann", cases[c],
                                               bob, NULL), SW_ENOTFOUND);
        assert_int_equal(count(f, "SELECT count(*) FROM fhir_idx_ref WHERE practice_id = ? "
                               "AND target_id = ?", "it", ann[c], NULL), 0);
        assert_int_equal(training_case_patient(f->store, PRACTICE, "trainee.bob", cases[c],
                                               bob, NULL), SW_OK);
    }
    assert_int_equal(count(f, "SELECT count(*) FROM inbox_item WHERE practice_id = ? "
                           "AND patient_id = ?", "it", ann[2], NULL), 0);
    /* And Ann can start again. */
    assert_int_equal(training_generate_trainee(f->store, PRACTICE, "trainee.ann", 11, NULL), SW_OK);
    assert_int_equal(patients(f), 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(master_population, teststore_setup, teststore_teardown),
        cmocka_unit_test_setup_teardown(trainee_cases, teststore_setup, teststore_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
