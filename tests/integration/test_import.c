/* test_import.c - `stagewise import` and `export` with real Synthea output,
 * on each store: the round trip of every bundle in tests/data/synthea.
 *
 * - Importing the five files (patients before the hospital and practitioner
 *   files they refer to, as the directory order has it) loads every
 *   resource; importing again writes nothing.
 * - Every resource of the patient bundles reads back over the API as
 *   Synthea wrote it, apart from what a server must change: id and
 *   meta.versionId/lastUpdated, urn:uuid references turned into Type/id,
 *   and conditional references resolved to Type/id.
 * - Exporting, importing the export into an empty database and exporting
 *   again gives the same resources.
 * - A bad NDJSON line is rejected with its line number and the rest loads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "fhircmp.h"
#include "testdb.h"
#include "testserver.h"

#define SYNTHEA_RESOURCES 2611

static char *synthea_dir(void)
{
    char *d = malloc(4096);
    snprintf(d, 4096, "%s/synthea", getenv("STAGEWISE_TEST_DATA"));
    return d;
}


static int import(const char *db, const char *path, char **out, char **err)
{
    const char *args[] = { "import", "--db", db, path, NULL };
    return sw_test_run(args, NULL, out, err);
}

struct env {
    char          *db;
    sw_test_server srv;
    char           auth[512];
};

static void round_trip_of_patient_bundles(struct env *e)
{
    char *dir = synthea_dir();
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    int compared = 0;
    while ((de = readdir(d)) != NULL) {
        if (strstr(de->d_name, ".json") == NULL || de->d_name[0] == 'h'
            || de->d_name[0] == 'p')
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *text = sw_test_slurp(path, &len);
        sw_arena *a = sw_arena_create(0);
        sw_json *bundle;
        sw_err err;
        assert_int_equal(sw_json_parse(a, text, len, &bundle, &err), SW_OK);
        sw_json *entries = sw_json_get(bundle, "entry");
        sw_test_refmap m = { calloc(entries->count, sizeof(char *)),
                             calloc(entries->count, sizeof(char *)), 0 };
        for (size_t i = 0; i < entries->count; i++) {
            const char *full = sw_json_get_string(entries->items[i], "fullUrl");
            sw_json *res = sw_json_get(entries->items[i], "resource");
            m.from[m.n] = full;
            m.to[m.n++] = sw_arena_printf(a, "%s/%s",
                sw_json_get_string(res, "resourceType"), full + strlen("urn:uuid:"));
        }
        for (size_t i = 0; i < entries->count; i++) {
            sw_json *res = sw_json_get(entries->items[i], "resource");
            const char *type = sw_json_get_string(res, "resourceType");
            const char *full = sw_json_get_string(entries->items[i], "fullUrl");
            const char *id = full + strlen("urn:uuid:");
            char url[512];
            snprintf(url, sizeof url, "/fhir/%s/%s", type, id);
            const char *headers[] = { e->auth, NULL };
            sw_http_result r;
            assert_int_equal(sw_http(&e->srv, "GET", url, headers, NULL, 0, &r), 0);
            if (r.status != 200)
                fail_msg("%s: %ld", url, r.status);
            sw_json *got;
            assert_int_equal(sw_json_parse(a, r.body, r.len, &got, &err), SW_OK);
            sw_json *want = sw_json_clone(a, res);
            assert_int_equal(sw_json_set_at(a, want, 1, "id", sw_json_new_cstring(a, id)), SW_OK);
            sw_test_normalize(a, want, &m, 1);
            sw_test_normalize(a, got, NULL, 1);
            if (!sw_json_equal(want, got)) {
                sw_buf wb = SW_BUF_INIT(1 << 24), gb = SW_BUF_INIT(1 << 24);
                sw_json_write(&wb, want);
                sw_json_write(&gb, got);
                fail_msg("%s differs\nwant %.600s\ngot  %.600s", url,
                         sw_buf_str(&wb), sw_buf_str(&gb));
            }
            compared++;
            sw_http_result_free(&r);
        }
        free(m.from);
        free(m.to);
        sw_arena_destroy(a);
        free(text);
    }
    closedir(d);
    free(dir);
    assert_int_equal(compared, 613 + 596 + 781);
}

static void synthea_round_trip(void **state)
{
    (void)state;
    struct env e = { .db = sw_test_fresh_db() };
    sw_test_init_db(e.db);
    char *dir = synthea_dir();
    char *out, *err;
    int rc = import(e.db, dir, &out, &err);
    if (rc != 0)
        fail_msg("import exited %d: %s", rc, err);
    char want[128];
    snprintf(want, sizeof want, "%d created, 0 updated, 0 unchanged, 0 rejected",
             SYNTHEA_RESOURCES);
    assert_non_null(strstr(out, want));
    free(out);
    free(err);

    /* Again: nothing new. */
    assert_int_equal(import(e.db, dir, &out, &err), 0);
    snprintf(want, sizeof want, "0 created, 0 updated, %d unchanged, 0 rejected",
             SYNTHEA_RESOURCES);
    assert_non_null(strstr(out, want));
    free(out);
    free(err);

    assert_int_equal(sw_test_add_user(e.db, SW_TEST_CLINICIAN,
                                      "physician,practice_admin"), 0);
    assert_int_equal(sw_test_server_start(&e.srv, e.db, NULL), 0);
    assert_int_equal(sw_test_sign_in_as(&e.srv, SW_TEST_CLINICIAN, e.auth,
                                        sizeof e.auth), 0);
    round_trip_of_patient_bundles(&e);
    assert_int_equal(sw_test_server_stop(&e.srv, SIGTERM, 15), 0);

    /* Export, import the export elsewhere, export again: the same. */
    char *tmp = sw_test_tmpdir();
    char one[4200], two[4200];
    snprintf(one, sizeof one, "%s/one", tmp);
    snprintf(two, sizeof two, "%s/two", tmp);
    const char *exp1[] = { "export", "--db", e.db, one, NULL };
    assert_int_equal(sw_test_run(exp1, NULL, &out, NULL), 0);
    snprintf(want, sizeof want, "Exported %d resources", SYNTHEA_RESOURCES);
    assert_non_null(strstr(out, want));
    free(out);
    char *db2 = sw_test_fresh_db();
    sw_test_init_db(db2);
    assert_int_equal(import(db2, one, &out, &err), 0);
    free(out);
    free(err);
    const char *exp2[] = { "export", "--db", db2, two, NULL };
    assert_int_equal(sw_test_run(exp2, NULL, NULL, NULL), 0);
    DIR *d = opendir(one);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p1[8400], p2[8400];
        snprintf(p1, sizeof p1, "%s/%s", one, de->d_name);
        snprintf(p2, sizeof p2, "%s/%s", two, de->d_name);
        size_t n1, n2;
        char *t1 = sw_test_slurp(p1, &n1), *t2 = sw_test_slurp(p2, &n2);
        /* Line by line; only meta.lastUpdated may differ (import time). */
        sw_arena *a = sw_arena_create(0);
        char *s1 = t1, *s2 = t2;
        while (*s1 && *s2) {
            char *e1 = strchr(s1, '\n'), *e2 = strchr(s2, '\n');
            assert_non_null(e1);
            assert_non_null(e2);
            sw_json *j1, *j2;
            sw_err perr;
            assert_int_equal(sw_json_parse(a, s1, (size_t)(e1 - s1), &j1, &perr), SW_OK);
            assert_int_equal(sw_json_parse(a, s2, (size_t)(e2 - s2), &j2, &perr), SW_OK);
            sw_json_remove(sw_json_get(j1, "meta"), "lastUpdated");
            sw_json_remove(sw_json_get(j2, "meta"), "lastUpdated");
            assert_true(sw_json_equal(j1, j2));
            s1 = e1 + 1;
            s2 = e2 + 1;
        }
        assert_true(*s1 == '\0' && *s2 == '\0');
        sw_arena_destroy(a);
        free(t1);
        free(t2);
        files++;
    }
    closedir(d);
    assert_true(files >= 15);
    free(db2);
    free(tmp);
    free(dir);
    free(e.db);
}

static void bad_lines_are_reported(void **state)
{
    (void)state;
    char *db = sw_test_fresh_db();
    sw_test_init_db(db);
    char *tmp = sw_test_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/some.ndjson", tmp);
    FILE *f = fopen(path, "w");
    fputs("{\"resourceType\":\"Patient\",\"id\":\"good-1\"}\n"
          "{\"resourceType\":\"Patient\",\"gender\":\"nope\"}\n"
          "not json at all\n"
          "{\"resourceType\":\"Patient\",\"id\":\"good-2\",\"birthDate\":\"1999-01-01\"}\n", f);
    fclose(f);
    char *out, *err;
    assert_int_equal(import(db, path, &out, &err), 1);
    assert_non_null(strstr(err, "(line 2)"));
    assert_non_null(strstr(err, "Patient.gender"));
    assert_non_null(strstr(err, "(line 3)"));
    assert_non_null(strstr(out, "2 created, 0 updated, 0 unchanged, 2 rejected"));
    assert_non_null(strstr(err, "stagewise: 2 resources were rejected"));
    free(out);
    free(err);
    free(tmp);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(synthea_round_trip),
        cmocka_unit_test(bad_lines_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
