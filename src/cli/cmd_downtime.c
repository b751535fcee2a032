/* cmd_downtime.c - `stagewise downtime-check` (docs/commands/downtime-check.md,
 * docs/operations.md "Downtime copy"): proves that the downtime copy would
 * work today. It restores a backup (the newest good one of a scheduled
 * backup directory, or the one named) into a scratch database of the
 * production backend, as `stagewise restore --drill` does; opens the copy
 * as `serve --read-only` would, with its schema checked; reads the time
 * the copy is from (the same function the read-only server uses) and one
 * patient's allergies and medications; removes the copy; and records
 * kind "downtime_copy" in the production database's ops_record, which
 * ticks the readiness checklist item ops-downtime-copy. A failure is
 * recorded too (ok 0), and stops with the reason. Nothing of the
 * patient is printed or recorded: counts only. */
#include "cli.h"

#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "server/backup_worker.h"
#include "server/readonly.h"
#include "store/backup.h"
#include "training/env_store.h"

static const char usage[] =
    "Usage: stagewise downtime-check --backup DIR [--db URL] [--key FILE]\n"
    "\n"
    "Tests the downtime copy: restores the backup DIR (or, when DIR holds\n"
    "scheduled backups, the newest good one) into a scratch database, opens it\n"
    "as 'stagewise serve --read-only' would, reads a patient's allergies and\n"
    "medications, removes it, and records the test (kind downtime_copy) in the\n"
    "database's operations records, which tick the readiness checklist item\n"
    "ops-downtime-copy.\n"
    "\n"
    "  --backup DIR  a backup directory, or a --backup-dir of scheduled backups\n"
    "  --db URL      the production database (default: $STAGEWISE_DB, else\n"
    "                sqlite:stagewise.db); the record goes there\n"
    "  --key FILE    the backups' key, when they are encrypted\n";

/* The backup to test: dir itself when it holds a manifest, else its newest
 * subdirectory (by name: scheduled backups are named by UTC time) that
 * does. */
static bool pick_backup(const char *dir, char *out, size_t cap)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, BACKUP_MANIFEST);
    if (stat(path, &st) == 0) {
        snprintf(out, cap, "%s", dir);
        return true;
    }
    DIR *d = opendir(dir);
    if (d == NULL)
        return false;
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof best
            || strcmp(de->d_name, best) <= 0)
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", dir, de->d_name, BACKUP_MANIFEST);
        if (stat(path, &st) == 0)
            snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    if (best[0] == '\0')
        return false;
    snprintf(out, cap, "%s/%s", dir, best);
    return true;
}

struct reads {
    int64_t patients, allergies, medications;
};

static int reads_fn(store_tx *tx, void *arg)
{
    struct reads *r = arg;
    char pid[256] = "";
    int64_t practice = 0;
    int rc = store_query_int64(tx, &r->patients, "SELECT COUNT(*) FROM "
                               "fhir_resource WHERE res_type = 'Patient' AND "
                               "deleted = 0", "");
    if (rc != SW_OK || r->patients == 0)
        return rc;
    /* The patient the audit trail names most: a chart in use, as a
     * clinician in a downtime would open it. */
    store_stmt *st;
    rc = store_prepare(tx, "SELECT practice_id, patient_id FROM (SELECT "
                       "practice_id, patient_id, COUNT(*) AS n "
                       "FROM audit_log WHERE patient_id <> '' GROUP BY "
                       "practice_id, patient_id) t ORDER BY n DESC LIMIT 1", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        practice = store_col_int64(st, 0);
        snprintf(pid, sizeof pid, "%s", store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    if (rc != SW_OK || pid[0] == '\0')
        return rc;
    char ref[300];
    snprintf(ref, sizeof ref, "%%\"Patient/%s\"%%", pid);
    rc = store_query_int64(tx, &r->allergies, "SELECT COUNT(*) FROM "
                           "fhir_resource WHERE practice_id = ? AND res_type = "
                           "'AllergyIntolerance' AND deleted = 0 AND body LIKE ?",
                           "it", practice, ref);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &r->medications, "SELECT COUNT(*) FROM "
                               "fhir_resource WHERE practice_id = ? AND res_type "
                               "IN ('MedicationStatement', 'MedicationRequest') "
                               "AND deleted = 0 AND body LIKE ?", "it",
                               practice, ref);
    return rc;
}

/* Opens the restored copy as the read-only server does and reads. */
static int read_copy(const char *url, int64_t *copy_from, struct reads *r,
                     sw_err *err)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    rc = store_schema_check(s, err);
    if (rc == SW_OK)
        rc = server_read_only_copy_time(s, copy_from, err);
    if (rc == SW_OK)
        rc = store_read(s, reads_fn, r, err);
    store_close(s);
    return rc;
}

static void record(const char *url, bool ok, const char *detail,
                   const char *sha)
{
    store_options so = { .connections = 1 };
    sw_store *s;
    if (store_open(url, &so, &s, NULL) != SW_OK)
        return;
    backup_record(s, "downtime_copy", ok, detail, sha, NULL);
    store_close(s);
}

static int check(const char *prod, const char *src, const unsigned char *key)
{
    sw_err err;
    backup_scratch scratch;
    if (backup_scratch_create(prod, &scratch, &err) != SW_OK)
        return cli_fail_err(&err);
    char training[SW_STORE_MAX_URL_BYTES];
    bool has_training = training_store_url(scratch.url, training,
                                           sizeof training, NULL) == SW_OK;
    restore_options o = {
        .src = src, .db_url = scratch.url,
        .training_url = has_training ? training : NULL, .key = key,
    };
    restore_result rr;
    memset(&rr, 0, sizeof rr);
    int64_t copy_from = 0;
    struct reads r = { 0, 0, 0 };
    int rc = restore_run(&o, &rr, &err);
    if (rc == SW_OK)
        rc = read_copy(scratch.url, &copy_from, &r, &err);
    backup_scratch_drop(&scratch);
    char detail[SW_ERR_MSG_MAX + 160];
    if (rc != SW_OK) {
        snprintf(detail, sizeof detail, "failed: %s", sw_err_text(&err));
        record(prod, false, detail, rr.manifest_sha256);
        return cli_fail_err(&err);
    }
    char when[SW_TIME_ISO_MAX] = "unknown";
    if (copy_from > 0)
        sw_time_iso(copy_from, when);
    snprintf(detail, sizeof detail, "copy from %s: %" PRId64 " patients; one "
             "chart read: %" PRId64 " allergy and %" PRId64 " medication "
             "entries", when, r.patients, r.allergies, r.medications);
    record(prod, true, detail, rr.manifest_sha256);
    printf("Downtime copy tested: %s restored into a scratch database, opened "
           "read-only and removed.\n"
           "  copy from:   %s\n"
           "  patients:    %" PRId64 "\n"
           "  one chart:   %" PRId64 " allergy and %" PRId64 " medication entries read\n"
           "Recorded as downtime_copy in %s.\n", src, when, r.patients,
           r.allergies, r.medications, prod);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "backup", required_argument, NULL, 'b' },
        { "key", required_argument, NULL, 'k' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL, *dir = NULL, *key_file = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'b': dir = optarg; break;
        case 'k': key_file = optarg; break;
        default: return cli_bad_option("downtime-check", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "downtime-check: unexpected argument '%s'; "
                        "see 'stagewise downtime-check --help'", argv[optind]);
    if (dir == NULL)
        return cli_fail(SW_EUSAGE, "downtime-check: give the backup with "
                        "--backup DIR (a backup or a --backup-dir of scheduled "
                        "backups)");
    char src[4400];
    if (!pick_backup(dir, src, sizeof src))
        return cli_fail(SW_ENOTFOUND, "downtime-check: %s holds no backup "
                        "(no manifest.json in it or in a directory under it)",
                        dir);
    sw_err err;
    unsigned char key[BACKUP_KEY_BYTES];
    if (key_file != NULL && backup_key_read(key_file, key, &err) != SW_OK)
        return cli_fail_err(&err);
    int status = check(cli_db_url(db), src, key_file ? key : NULL);
    sodium_memzero(key, sizeof key);
    return status;
}

const cli_command cli_downtime_check = {
    .name = "downtime-check",
    .summary = "test the read-only downtime copy on the latest backup and record it",
    .usage = usage,
    .run = run,
};
