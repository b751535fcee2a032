/* test_backup.c - the restore drill (docs/operations.md "Backup and
 * restore"), on either store: a store populated through the running
 * server (patients, an allergy, a signed visit whose charge waits in the
 * HL7 outbox, the audit trail, a training store record) is backed up while
 * the server keeps writing, restored into a fresh database of the same
 * backend, and compared table by table, by the manifest and by counting
 * rows independently; the audit trail verifies. Then: an encrypted round
 * trip that shows nothing in the clear, a drill into a scratch database
 * recorded in the practice's database, a wrong key refused, a flipped
 * byte refused naming the file, a missing manifest, an existing
 * destination, and a restore over a live database refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "store/store.h"
#include "testapi.h"
#include "testdb.h"
#include "testvisits.h"
#include "training/env_store.h"

#define FAMILY "Backupson"

typedef struct drill {
    sw_test_env env;
    char       *dir;            /* scratch directory */
    char        plain[4096];    /* the backup taken while the server wrote */
    long        writes;         /* patients the writer added meanwhile */
} drill;

/* ---- Reading a store straight ------------------------------------------- */

struct q {
    const char *sql;
    const char *arg;
    int64_t     n;
};

static int q_fn(store_tx *tx, void *arg)
{
    struct q *q = arg;
    return q->arg ? store_query_int64(tx, &q->n, q->sql, "t", q->arg)
                  : store_query_int64(tx, &q->n, q->sql, "");
}

/* Column 0 of the first row of sql (one optional text parameter) at url. */
static int64_t query(const char *url, const char *sql, const char *arg)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    sw_err err;
    if (store_open(url, &so, &s, &err) != SW_OK)
        fail_msg("cannot open %s: %s", url, err.msg);
    struct q q = { sql, arg, -1 };
    if (store_read(s, q_fn, &q, &err) != SW_OK)
        fail_msg("%s: %s", sql, err.msg);
    store_close(s);
    return q.n;
}

static char *training_of(const char *url)
{
    char t[SW_STORE_MAX_URL_BYTES];
    sw_err err;
    assert_int_equal(training_store_url(url, t, sizeof t, &err), SW_OK);
    return strdup(t);
}

/* ---- Commands ------------------------------------------------------------ */

static int run(char **out, char **errout, const char *a0, ...)
{
    const char *args[16];
    int n = 0;
    va_list ap;
    va_start(ap, a0);
    for (const char *a = a0; a != NULL && n < 15; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    char *o = NULL, *e = NULL;
    int rc = sw_test_run(args, NULL, &o, &e);
    if (out)
        *out = o;
    else
        free(o);
    if (errout)
        *errout = e;
    else
        free(e);
    return rc;
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
        fail_msg("path too long: %s/%s", dir, name);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = sw_test_slurp(from, &n);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
}

/* The data files a backup of this run's store holds. */
static const char *main_file(bool encrypted)
{
    bool pg = strcmp(sw_test_store(), "postgres") == 0;
    if (pg)
        return encrypted ? "database.dump.enc" : "database.dump";
    return encrypted ? "stagewise.db.enc" : "stagewise.db";
}

/* Copies backup src into a new directory dst, manifest included or not. */
static void copy_backup(const char *src, const char *dst, bool manifest,
                        bool encrypted)
{
    assert_int_equal(mkdir(dst, 0700), 0);
    const char *names[3] = { main_file(encrypted), NULL, NULL };
    if (strcmp(sw_test_store(), "postgres") != 0)
        names[1] = encrypted ? "stagewise.db-training.enc" : "stagewise.db-training";
    if (manifest)
        names[2] = "manifest.json";
    for (int i = 0; i < 3; i++) {
        if (names[i] == NULL)
            continue;
        char a[4096], b[4096];
        path_in(a, sizeof a, src, names[i]);
        path_in(b, sizeof b, dst, names[i]);
        copy_file(a, b);
    }
}

static json_t *manifest_of(const char *dir)
{
    char p[4096];
    path_in(p, sizeof p, dir, "manifest.json");
    json_error_t jerr;
    json_t *m = json_load_file(p, 0, &jerr);
    if (m == NULL)
        fail_msg("%s: %s", p, jerr.text);
    return m;
}

/* ---- The server writing during the backup --------------------------------- */

struct writer {
    sw_test_env *e;
    atomic_bool  stop;
    atomic_long  done;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    for (long i = 0; !atomic_load(&w->stop) && i < 100000; i++) {
        char path[64], body[256];
        snprintf(path, sizeof path, "/fhir/Patient/w-%ld", i);
        snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":"
                 "\"w-%ld\",\"name\":[{\"family\":\"Writer\"}]}", i);
        if (sw_test_request(w->e, w->e->auth, "PUT", path, SW_TEST_FHIR_JSON,
                            body, NULL) == 201)
            atomic_fetch_add(&w->done, 1);
    }
    return NULL;
}

/* ---- Fixture: a populated store and its backup ----------------------------- */

static int drill_setup(void **state)
{
    drill *d = calloc(1, sizeof *d);
    if (d == NULL || sw_test_env_start(&d->env) != 0)
        return -1;
    sw_test_env *e = &d->env;
    d->dir = sw_test_tmpdir();

    sw_test_patient(e, "bk-p1", "Bea", FAMILY, "1961-04-12");
    sw_test_patient(e, "bk-p2", "Bo", FAMILY, "1990-09-30");
    sw_test_fhir_create(e, "/fhir/AllergyIntolerance/bk-a1",
        "{\"resourceType\":\"AllergyIntolerance\",\"id\":\"bk-a1\","
        "\"patient\":{\"reference\":\"Patient/bk-p1\"},"
        "\"code\":{\"text\":\"Penicillin\"}}");
    /* A signed visit queues its charge for the PMS: an outbox row. */
    const char *peer[] = { "interface", "peer", "--db", e->db, "--allow",
                           "127.0.0.1", "--send-to", "127.0.0.1:1", NULL };
    if (sw_test_run(peer, NULL, NULL, NULL) != 0)
        return -1;
    testvisits_link_practitioner(e, SW_TEST_CLINICIAN, "bk-pr", "1234567893");
    char charges[4][80];
    size_t ncharges = 0;
    free(testvisits_sign(e, e->auth, "bk-p1", "{\"diagnoses\":[{\"code\":"
                         "\"I10\"}],\"procedures\":[{\"code\":\"99213\","
                         "\"diagnoses\":[1]}]}", charges, 4, &ncharges));
    /* And a record in the training store. */
    if (sw_test_request(e, e->auth, "PUT", "/training/fhir/Patient/bk-t1",
                        SW_TEST_FHIR_JSON, "{\"resourceType\":\"Patient\","
                        "\"id\":\"bk-t1\",\"name\":[{\"family\":\"Trainee\"}]}",
                        NULL) != 201)
        return -1;

    /* The backup runs while the server keeps writing: the writer has
     * written before it starts and stops only after it finished. */
    struct writer w = { .e = e };
    pthread_t t;
    if (pthread_create(&t, NULL, writer_main, &w) != 0)
        return -1;
    while (atomic_load(&w.done) < 3)
        usleep(10000);
    path_in(d->plain, sizeof d->plain, d->dir, "plain");
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "backup", "--db", e->db, d->plain, NULL);
    atomic_store(&w.stop, true);
    pthread_join(t, NULL);
    d->writes = atomic_load(&w.done);
    if (rc != 0) {
        fprintf(stderr, "backup failed (%d): %s%s\n", rc, out, err);
        return -1;
    }
    free(out);
    free(err);
    *state = d;
    return 0;
}

static int drill_teardown(void **state)
{
    drill *d = *state;
    if (d == NULL)
        return 0;
    sw_test_env_stop(&d->env);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", d->dir);
    free(d->dir);
    free(d);
    return 0;
}

/* ---- The drill ------------------------------------------------------------- */

/* Every table of every store in the manifest, counted in the restored
 * database by a plain SELECT COUNT(*), not by the manifest's code. */
static void counts_match_manifest(json_t *m, const char *db)
{
    char *training = training_of(db);
    size_t i, j;
    json_t *s, *t;
    int tables = 0;
    json_array_foreach(json_object_get(json_object_get(m, "content"), "stores"), i, s) {
        const char *store = json_string_value(json_object_get(s, "name"));
        const char *url = strcmp(store, "training") == 0 ? training : db;
        json_array_foreach(json_object_get(s, "tables"), j, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", name);
            int64_t want = json_integer_value(json_object_get(t, "rows"));
            /* The restore adds its own record after the comparison. */
            if (strcmp(store, "main") == 0 && strcmp(name, "ops_record") == 0)
                want++;
            int64_t got = query(url, sql, NULL);
            if (got != want)
                fail_msg("%s store, table %s: %" PRId64 " rows restored, the "
                         "manifest says %" PRId64, store, name, got, want);
            tables++;
        }
    }
    assert_true(tables > 20);
    free(training);
}

static void the_drill_restores_every_table(void **state)
{
    drill *d = *state;
    sw_test_env *e = &d->env;
    json_t *m = manifest_of(d->plain);
    assert_int_equal(json_integer_value(json_object_get(m, "format")), 1);
    assert_string_equal(json_string_value(json_object_get(m, "backend")),
                        strcmp(sw_test_store(), "postgres") == 0 ? "postgresql"
                                                                 : "sqlite");
    json_t *stores = json_object_get(json_object_get(m, "content"), "stores");
    assert_int_equal(json_array_size(stores), 2);
    json_t *main_store = json_array_get(stores, 0);
    json_t *hl7 = json_object_get(main_store, "hl7");
    assert_true(json_integer_value(json_object_get(hl7, "outbox_pending")) >= 1);
    json_t *head = json_array_get(json_object_get(main_store, "audit_heads"), 0);
    assert_non_null(head);

    char *fresh = sw_test_fresh_db();
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "restore", d->plain, "--db", fresh, NULL);
    if (rc != 0)
        fail_msg("restore failed (%d): %s%s", rc, out, err);
    assert_non_null(strstr(out, "every row count and checksum matches"));
    assert_non_null(strstr(out, "training store:         restored"));
    assert_non_null(strstr(out, "practices:              1"));
    free(out);
    free(err);

    counts_match_manifest(m, fresh);

    /* What was written before the backup is there; what the writer added
     * during it, at most what it wrote. */
    assert_int_equal(query(fresh, "SELECT COUNT(*) FROM fhir_resource WHERE "
                           "res_id LIKE 'bk-%'", NULL),
                     query(e->db, "SELECT COUNT(*) FROM fhir_resource WHERE "
                           "res_id LIKE 'bk-%'", NULL));
    assert_true(query(fresh, "SELECT COUNT(*) FROM fhir_resource WHERE "
                      "res_id LIKE 'w-%'", NULL) <= d->writes);
    assert_int_equal(query(fresh, "SELECT COUNT(*) FROM hl7_outbox WHERE "
                           "status = 'pending'", NULL),
                     json_integer_value(json_object_get(hl7, "outbox_pending")));
    assert_int_equal(query(fresh, "SELECT seq FROM audit_head WHERE "
                           "practice_id = 1", NULL),
                     json_integer_value(json_object_get(head, "seq")));
    char *training = training_of(fresh);
    assert_int_equal(query(training, "SELECT COUNT(*) FROM fhir_resource "
                           "WHERE res_id = ?", "bk-t1"), 1);
    free(training);

    /* The audit trail verifies, and both runs are on record. */
    const char *verify[] = { "audit", "verify", "--db", fresh, NULL };
    assert_int_equal(sw_test_run(verify, NULL, NULL, NULL), 0);
    assert_int_equal(query(fresh, "SELECT COUNT(*) FROM ops_record WHERE "
                           "kind = 'restore' AND ok = 1", NULL), 1);
    assert_true(query(e->db, "SELECT COUNT(*) FROM ops_record WHERE "
                      "kind = 'backup' AND ok = 1", NULL) >= 1);
    json_decref(m);
    free(fresh);
}

static void a_drill_restores_into_scratch_and_records_it(void **state)
{
    drill *d = *state;
    sw_test_env *e = &d->env;
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "restore", d->plain, "--drill", "--db", e->db, NULL);
    if (rc != 0)
        fail_msg("drill failed (%d): %s%s", rc, out, err);
    assert_non_null(strstr(out, "Restore drill passed"));
    assert_non_null(strstr(out, "every row count and checksum matches"));
    free(out);
    free(err);
    /* On record in the practice's database, which is otherwise untouched. */
    assert_int_equal(query(e->db, "SELECT COUNT(*) FROM ops_record WHERE "
                           "kind = 'restore_drill' AND ok = 1", NULL), 1);
    assert_int_equal(query(e->db, "SELECT COUNT(*) FROM ops_record WHERE "
                           "kind = 'restore'", NULL), 0);
    assert_int_equal(sw_test_get(e, e->auth, "/fhir/Patient/bk-p1", NULL), 200);
    /* --force has no place in a drill. */
    assert_int_equal(run(NULL, NULL, "restore", d->plain, "--drill", "--force",
                         "--db", e->db, NULL), 2);
}

static void an_encrypted_backup_shows_nothing_and_needs_its_key(void **state)
{
    drill *d = *state;
    sw_test_env *e = &d->env;
    char key[4096], other[4096], enc[4096], p[4096];
    path_in(key, sizeof key, d->dir, "backup.key");
    path_in(other, sizeof other, d->dir, "other.key");
    path_in(enc, sizeof enc, d->dir, "encrypted");
    assert_int_equal(run(NULL, NULL, "backup", "--new-key", key, NULL), 0);
    assert_int_equal(run(NULL, NULL, "backup", "--new-key", other, NULL), 0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* A key is never replaced. */
    assert_int_equal(run(NULL, NULL, "backup", "--new-key", key, NULL), 1);

    assert_int_equal(run(NULL, NULL, "backup", "--db", e->db, enc, "--key",
                         key, NULL), 0);
    json_t *m = manifest_of(enc);
    assert_true(json_is_true(json_object_get(m, "encrypted")));
    assert_null(json_object_get(m, "content"));
    assert_non_null(json_object_get(m, "sealed_content"));
    json_decref(m);
    path_in(p, sizeof p, enc, "manifest.json");
    size_t n;
    char *text = sw_test_slurp(p, &n);
    assert_null(strstr(text, "fhir_resource"));
    free(text);
    /* The patient's name is in the plain SQLite copy, not in the
     * encrypted one (pg_dump's custom format compresses either way). */
    char plain_file[4096];
    path_in(plain_file, sizeof plain_file, d->plain, main_file(false));
    char *data = sw_test_slurp(plain_file, &n);
    if (strcmp(sw_test_store(), "postgres") != 0)
        assert_non_null(memmem(data, n, FAMILY, strlen(FAMILY)));
    free(data);
    path_in(p, sizeof p, enc, main_file(true));
    data = sw_test_slurp(p, &n);
    assert_null(memmem(data, n, FAMILY, strlen(FAMILY)));
    free(data);

    /* Without the key, with the wrong one: refused, the target untouched. */
    char *fresh = sw_test_fresh_db();
    char *err = NULL;
    assert_int_equal(run(NULL, &err, "restore", enc, "--db", fresh, NULL), 2);
    assert_non_null(strstr(err, "give its key with --key"));
    free(err);
    assert_int_equal(run(NULL, &err, "restore", enc, "--db", fresh, "--key",
                         other, NULL), 1);
    assert_non_null(strstr(err, "the key does not decrypt this backup"));
    free(err);

    char *out = NULL;
    int rc = run(&out, &err, "restore", enc, "--db", fresh, "--key", key, NULL);
    if (rc != 0)
        fail_msg("restore failed (%d): %s%s", rc, out, err);
    free(out);
    free(err);
    assert_int_equal(query(fresh, "SELECT COUNT(*) FROM fhir_resource WHERE "
                           "res_id = ?", "bk-a1"), 1);
    free(fresh);
}

static bool target_is_empty(const char *url)
{
    if (strncmp(url, "sqlite:", 7) == 0)
        return access(url + 7, F_OK) != 0;
    return query(url, "SELECT COUNT(*) FROM information_schema.tables WHERE "
                 "table_name = 'practice'", NULL) == 0;
}

static void a_damaged_backup_is_refused_before_the_target_is_touched(void **state)
{
    drill *d = *state;
    char bad[4096], p[4096];
    path_in(bad, sizeof bad, d->dir, "flipped");
    copy_backup(d->plain, bad, true, false);
    path_in(p, sizeof p, bad, main_file(false));
    size_t n;
    char *data = sw_test_slurp(p, &n);
    data[n / 2] ^= 0x01;
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);

    char *fresh = sw_test_fresh_db();
    char *err = NULL;
    assert_int_equal(run(NULL, &err, "restore", bad, "--db", fresh, NULL), 1);
    char want[128];
    snprintf(want, sizeof want, "the backup file %s does not match its manifest",
             main_file(false));
    if (strstr(err, want) == NULL)
        fail_msg("expected '%s', got: %s", want, err);
    free(err);
    assert_true(target_is_empty(fresh));

    /* A manifest whose checksum of a table differs from the data: the
     * restore puts the files in place, recomputes, and names the table. */
    char edited[4096];
    path_in(edited, sizeof edited, d->dir, "edited");
    copy_backup(d->plain, edited, true, false);
    json_t *m = manifest_of(edited);
    json_t *tables = json_object_get(json_array_get(json_object_get(
        json_object_get(m, "content"), "stores"), 0), "tables");
    json_t *t;
    size_t i;
    json_array_foreach(tables, i, t)
        if (strcmp(json_string_value(json_object_get(t, "name")),
                   "fhir_resource") == 0)
            json_object_set_new(t, "sha256", json_string("00"));
    path_in(p, sizeof p, edited, "manifest.json");
    assert_int_equal(json_dump_file(m, p, 0), 0);
    json_decref(m);
    char *other = sw_test_fresh_db();
    assert_int_equal(run(NULL, &err, "restore", edited, "--db", other, NULL), 1);
    assert_non_null(strstr(err, "table fhir_resource of the main store differs"));
    free(err);
    assert_int_equal(query(other, "SELECT COUNT(*) FROM ops_record WHERE "
                           "kind = 'restore' AND ok = 0", NULL), 1);
    free(other);

    /* No manifest: not a backup. */
    char none[4096];
    path_in(none, sizeof none, d->dir, "no-manifest");
    copy_backup(d->plain, none, false, false);
    assert_int_equal(run(NULL, &err, "restore", none, "--db", fresh, NULL), 1);
    assert_non_null(strstr(err, "has no manifest.json"));
    free(err);
    assert_true(target_is_empty(fresh));
    free(fresh);
}

static void live_databases_and_existing_backups_are_refused(void **state)
{
    drill *d = *state;
    sw_test_env *e = &d->env;
    char *err = NULL;
    /* The backup directory exists already. */
    assert_int_equal(run(NULL, &err, "backup", "--db", e->db, d->plain, NULL), 1);
    assert_non_null(strstr(err, "already exists and is not empty"));
    free(err);

    /* The live database holds data: refused without --force. */
    assert_int_equal(run(NULL, &err, "restore", d->plain, "--db", e->db, NULL), 1);
    assert_non_null(strstr(err, "already holds data"));
    free(err);
    /* SQLite: a file the running server has open, even with --force. */
    if (strcmp(sw_test_store(), "postgres") != 0) {
        assert_int_equal(run(NULL, &err, "restore", d->plain, "--db", e->db,
                             "--force", NULL), 1);
        assert_non_null(strstr(err, "open in another process"));
        free(err);
    }
    /* The server still serves what it had. */
    assert_int_equal(sw_test_get(e, e->auth, "/fhir/Patient/bk-p2", NULL), 200);

    /* --force replaces a stopped database that holds data. */
    char *fresh = sw_test_fresh_db();
    assert_int_equal(run(NULL, NULL, "restore", d->plain, "--db", fresh, NULL), 0);
    assert_int_equal(run(NULL, &err, "restore", d->plain, "--db", fresh, NULL), 1);
    free(err);
    char *out = NULL;
    int rc = run(&out, &err, "restore", d->plain, "--db", fresh, "--force", NULL);
    if (rc != 0)
        fail_msg("restore --force failed (%d): %s%s", rc, out, err);
    free(out);
    free(err);
    assert_int_equal(query(fresh, "SELECT COUNT(*) FROM ops_record WHERE "
                           "kind = 'restore' AND ok = 1", NULL), 1);
    free(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_drill_restores_every_table),
        cmocka_unit_test(a_drill_restores_into_scratch_and_records_it),
        cmocka_unit_test(an_encrypted_backup_shows_nothing_and_needs_its_key),
        cmocka_unit_test(a_damaged_backup_is_refused_before_the_target_is_touched),
        cmocka_unit_test(live_databases_and_existing_backups_are_refused),
    };
    return cmocka_run_group_tests(tests, drill_setup, drill_teardown);
}
