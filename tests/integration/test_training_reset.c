/* test_training_reset.c - `stagewise training reset [--user U]` on either
 * store, with the server running: the whole environment goes back to its
 * master population (what a trainee created disappears, the master's
 * count is back), and --user makes only that trainee's exercise patients
 * afresh, leaving the others' and the rest of the environment alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testapi.h"
#include "training/env_reset.h"

#define MASTER "/training/fhir/Patient?identifier=urn:stagewise:training:case%7Cmaster&_count=1000"

/* The ids a training FHIR search found, sorted into one string. */
static size_t found(sw_test_env *e, const char *path, char *ids, size_t cap)
{
    json_t *b = sw_test_get_json(e, e->auth, path);
    json_t *entries = json_object_get(b, "entry");
    size_t n = json_array_size(entries);
    if (ids != NULL) {
        ids[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            const char *id = sw_test_str(json_array_get(entries, i), "resource.id");
            strncat(ids, id ? id : "?", cap - strlen(ids) - 2);
            strncat(ids, ",", cap - strlen(ids) - 1);
        }
    }
    json_decref(b);
    return n;
}

static void reset(sw_test_env *e, const char *user, const char *expect)
{
    const char *whole[] = { "training", "reset", "--db", e->db, NULL };
    const char *one[] = { "training", "reset", "--db", e->db, "--user", user, NULL };
    char *out = NULL, *err = NULL;
    int st = sw_test_run(user ? one : whole, NULL, &out, &err);
    if (st != 0 || strstr(out, expect) == NULL)
        fail_msg("training reset answered %d: %s%s", st, out, err);
    free(out);
    free(err);
}

static long put_patient(sw_test_env *e, const char *id)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/training/fhir/Patient/%s", id);
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"%s\","
             "\"name\":[{\"family\":\"Trainee\",\"given\":[\"Made\"]}]}", id);
    return sw_test_request(e, e->auth, "PUT", path, SW_TEST_FHIR_JSON, body, NULL);
}

static void reset_restores_the_master_population(void **state)
{
    sw_test_env *e = *state;
    /* init wrote it. */
    char before[8192], after[8192];
    assert_int_equal(found(e, MASTER, before, sizeof before),
                     TRAINING_MASTER_PATIENTS);
    assert_int_equal(put_patient(e, "made-by-trainee"), 201);
    assert_int_equal(sw_test_get(e, e->auth, "/training/fhir/Patient/made-by-trainee",
                                 NULL), 200);
    reset(e, NULL, "master patients written");
    long st = sw_test_get(e, e->auth, "/training/fhir/Patient/made-by-trainee", NULL);
    assert_true(st == 404 || st == 410);
    assert_int_equal(found(e, MASTER, after, sizeof after), TRAINING_MASTER_PATIENTS);
    /* Production is untouched: the user is still signed in there. */
    assert_int_equal(sw_test_get(e, e->auth, "/api/me", NULL), 200);
    assert_int_equal(sw_test_get(e, e->auth, "/training/api/me", NULL), 200);
}

#define TRAINEE(u) "/training/fhir/Patient?identifier=urn:stagewise:training:trainee%7C" u "&_count=100"

static void reset_user_remakes_only_theirs(void **state)
{
    sw_test_env *e = *state;
    char a[512], b[512];
    sw_test_sign_in_new_user(e, "alice.t", "physician", a, sizeof a);
    sw_test_sign_in_new_user(e, "bob.t", "physician", b, sizeof b);
    reset(e, "alice.t", "alice.t's exercise patients");
    reset(e, "bob.t", "bob.t's exercise patients");
    char alice1[2048], alice2[2048], bob1[2048], bob2[2048];
    size_t na = found(e, TRAINEE("alice.t"), alice1, sizeof alice1);
    size_t nb = found(e, TRAINEE("bob.t"), bob1, sizeof bob1);
    assert_true(na >= 4);
    assert_int_equal(na, nb);
    assert_int_equal(put_patient(e, "kept-patient"), 201);

    reset(e, "alice.t", "alice.t's exercise patients");
    assert_int_equal(found(e, TRAINEE("alice.t"), alice2, sizeof alice2), na);
    assert_int_equal(found(e, TRAINEE("bob.t"), bob2, sizeof bob2), nb);
    assert_string_equal(bob1, bob2);
    /* Alice's old patients are gone: none of the first ids is there now. */
    char *save = NULL;
    for (char *id = strtok_r(alice1, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        char path[160];
        snprintf(path, sizeof path, "/training/fhir/Patient/%s", id);
        if (strstr(alice2, id) == NULL) {
            long st = sw_test_get(e, e->auth, path, NULL);
            assert_true(st == 404 || st == 410);
        }
    }
    assert_int_equal(sw_test_get(e, e->auth, "/training/fhir/Patient/kept-patient",
                                 NULL), 200);
    assert_int_equal(found(e, MASTER, NULL, 0), TRAINING_MASTER_PATIENTS);

    /* An account production does not have is refused. */
    const char *nobody[] = { "training", "reset", "--db", e->db, "--user",
                             "no.such.user", NULL };
    char *out = NULL, *err = NULL;
    assert_int_not_equal(sw_test_run(nobody, NULL, &out, &err), 0);
    assert_non_null(strstr(err, "no.such.user"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reset_restores_the_master_population,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(reset_user_remakes_only_theirs,
                                        sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
