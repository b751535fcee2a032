/* test_read_only.c - the downtime copy (`stagewise serve --read-only`,
 * docs/operations.md "Downtime copy"), on either store: a backup of a
 * practice's database, restored into a fresh one and served read-only,
 * lets a clinician sign in and read the patient's allergies, refuses
 * every change (through /api and /fhir) with the sentence naming the
 * copy's time and the paper forms, tells the web app through GET
 * /api/environment, audits the reads in the copy, and signs out; the
 * production server answers read_only false. */
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
#include <unistd.h>

#include "store/store.h"
#include "testapi.h"
#include "testdb.h"

#define PEN "{\"substance\":{\"text\":\"Penicillin G\",\"coding\":[{\"system\":" \
            "\"http://snomed.info/sct\",\"code\":\"764146007\",\"display\":" \
            "\"Penicillin\"}]},\"criticality\":\"high\"}"

/* The good downtime_copy records of the database at url. */
static int64_t downtime_records(const char *url)
{
    return sw_test_count_at(url, "SELECT COUNT(*) FROM ops_record "
                                 "WHERE kind = 'downtime_copy' AND ok = 1");
}

/* The read entries of the patient's audit trail. */
static size_t reads_of(sw_test_env *e, const char *patient)
{
    char path[256];
    snprintf(path, sizeof path, "/api/audit?patient=%s&action=read", patient);
    json_t *doc = sw_test_get_json(e, e->auth, path);
    size_t n = json_array_size(json_object_get(doc, "entries"));
    json_decref(doc);
    return n;
}

static void a_restored_copy_serves_reads_and_refuses_changes(void **state)
{
    sw_test_env *e = *state;
    sw_test_patient(e, "ro-p1", "Ana", "Downtime", "1980-02-03");
    assert_int_equal(sw_test_post(e, e->auth, "/api/patients/ro-p1/allergies",
                                  "{\"no_known_allergies\":true}", NULL), 201);
    json_t *env = sw_test_get_json(e, e->auth, "/api/environment");
    assert_false(json_is_true(json_object_get(env, "read_only")));
    assert_true(json_is_null(json_object_get(env, "copy_from")));
    json_decref(env);

    /* The drill of docs/operations.md: back up, restore, serve read-only. */
    char *tmp = sw_test_tmpdir();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/b", tmp);
    const char *backup[] = { "backup", "--db", e->db, dir, NULL };
    free(sw_test_expect_run(0, backup, NULL));
    /* downtime-check finds the backup under tmp, tests it, records it. */
    const char *check[] = { "downtime-check", "--backup", tmp, "--db", e->db, NULL };
    char *out = sw_test_expect_run(0, check, NULL);
    assert_non_null(strstr(out, "Downtime copy tested"));
    assert_non_null(strstr(out, "1 allergy and 0 medication entries read"));
    assert_null(strstr(out, "ro-p1"));     /* counts only, no patient */
    free(out);
    assert_int_equal(downtime_records(e->db), 1);
    const char *nothing[] = { "downtime-check", "--backup", "/nonexistent", "--db",
                              e->db, NULL };
    free(sw_test_expect_run(1, nothing, "holds no backup"));
    sw_test_env ro = { .db = sw_test_fresh_db() };
    const char *restore[] = { "restore", dir, "--db", ro.db, NULL };
    free(sw_test_expect_run(0, restore, NULL));
    const char *extra[] = { "--read-only", NULL };
    /* Starting signs in as the clinician: sign-in works on a copy. */
    assert_int_equal(sw_test_env_serve(&ro, extra), 0);

    env = sw_test_get_json(&ro, ro.auth, "/api/environment");
    assert_true(json_is_true(json_object_get(env, "read_only")));
    const char *from = json_string_value(json_object_get(env, "copy_from"));
    assert_non_null(from);
    char from_copy[64];
    snprintf(from_copy, sizeof from_copy, "%s", from);
    json_decref(env);

    /* Reads. */
    assert_int_equal(sw_test_get(&ro, ro.auth, "/fhir/Patient/ro-p1", NULL), 200);
    char *list = sw_test_get_text(&ro, ro.auth, "/fhir/AllergyIntolerance?patient=ro-p1");
    assert_non_null(strstr(list, "716186003"));
    free(list);

    /* Changes: refused with the sentence, /api and /fhir alike. */
    sw_http_result r;
    assert_int_equal(sw_test_post(&ro, ro.auth, "/api/patients/ro-p1/allergies",
                                  PEN, &r), 403);
    assert_non_null(strstr(r.body, "read-only copy from"));
    assert_non_null(strstr(r.body, from_copy));
    assert_non_null(strstr(r.body, "paper downtime forms"));
    sw_http_result_free(&r);
    assert_int_equal(sw_test_call(&ro, ro.auth, "PUT", "/fhir/Patient/ro-p2",
                                  "{\"resourceType\":\"Patient\",\"id\":\"ro-p2\"}",
                                  NULL), 403);
    assert_int_equal(sw_test_call(&ro, ro.auth, "DELETE", "/fhir/Patient/ro-p1",
                                  NULL, NULL), 403);
    assert_int_equal(sw_test_get(&ro, ro.auth, "/fhir/Patient/ro-p2", NULL), 404);

    /* The reads are audited in the copy (fail closed: DESIGN.md §8): one
     * more read, one more entry. */
    size_t before = reads_of(&ro, "ro-p1");
    assert_true(before >= 1);
    assert_int_equal(sw_test_get(&ro, ro.auth, "/fhir/Patient/ro-p1", NULL), 200);
    assert_int_equal(reads_of(&ro, "ro-p1"), before + 1);

    /* Sign-out works too. */
    long gone = sw_test_call(&ro, ro.auth, "DELETE", "/api/session", NULL, NULL);
    assert_true(gone == 200 || gone == 204);
    assert_int_equal(sw_test_get(&ro, ro.auth, "/fhir/Patient/ro-p1", NULL), 401);
    assert_int_equal(sw_test_env_stop(&ro), 0);
    free(tmp);
}

static void read_only_serves_alone(void **state)
{
    (void)state;
    const char *mllp[] = { "serve", "--read-only", "--mllp", "127.0.0.1:0", NULL };
    free(sw_test_expect_run(2, mllp, "--read-only"));
    /* A database inside a backup is restored first, never served: the
     * server's sign-ins and read audit entries would change the backup. */
    char *tmp = sw_test_tmpdir();
    char manifest[4096], url[4096];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", tmp);
    FILE *f = fopen(manifest, "w");
    assert_non_null(f);
    fputs("{}\n", f);
    fclose(f);
    snprintf(url, sizeof url, "sqlite:%s/stagewise.db", tmp);
    const char *inside[] = { "serve", "--read-only", "--db", url, NULL };
    free(sw_test_expect_run(1, inside, "inside a backup"));
    unlink(manifest);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_restored_copy_serves_reads_and_refuses_changes,
                                        sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test(read_only_serves_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
