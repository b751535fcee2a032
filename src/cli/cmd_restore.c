/* cmd_restore.c - `stagewise restore`: puts a backup back after checking
 * every file against its manifest, proves the restored data matches it
 * table by table, verifies the audit trail and records the restore
 * (src/store/backup.h, docs/commands/restore.md). */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/verify.h"
#include "core/limits.h"
#include "store/backup.h"
#include "training/env_store.h"

static const char usage[] =
    "Usage: stagewise restore SRC --db URL [--key FILE] [--force]\n"
    "       stagewise restore SRC --drill [--db URL] [--key FILE]\n"
    "\n"
    "Restores the backup in directory SRC (made by `stagewise backup`) into\n"
    "the database URL. Every file is checked against the manifest before the\n"
    "target is touched; afterwards every table's row count and checksum is\n"
    "recomputed and compared, and the audit trail is verified. A database\n"
    "that already holds data is replaced only with --force; an SQLite file\n"
    "a running server has open, never (stop the server first).\n"
    "\n"
    "  --db URL     the target database (required)\n"
    "  --key FILE   the key the backup was encrypted with\n"
    "  --force      replace a database that holds data\n"
    "  --drill      a restore drill: restore into a scratch database of the\n"
    "               same backend, verify, remove it, and record the drill in\n"
    "               the database --db names (default: $STAGEWISE_DB, else\n"
    "               sqlite:stagewise.db); nothing that serves is touched\n";

struct verify_ctx {
    int64_t problems;
};

static void on_problem(const audit_problem *p, void *arg)
{
    struct verify_ctx *c = arg;
    c->problems++;
    fprintf(stderr, "practice %" PRId64 ", entry %" PRId64 ": %s: %s\n",
            p->practice_id, p->seq, p->kind, p->text);
}

/* audit verify on the store at url; *entries gets the entries checked. */
static int verify_audit(const char *url, int64_t *entries, sw_err *err)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    struct verify_ctx c = { 0 };
    audit_verify_stats stats;
    rc = audit_verify(s, 0, NULL, on_problem, &c, &stats, err);
    store_close(s);
    if (rc != SW_OK)
        return rc;
    if (stats.problems > 0)
        return sw_err_set(err, SW_ECONFLICT, "the restored audit trail fails "
                          "verification: %" PRId64 " problem%s", stats.problems,
                          stats.problems == 1 ? "" : "s");
    *entries += stats.entries;
    return SW_OK;
}

static void record(const char *url, const char *kind, bool ok,
                   const char *detail, const char *sha)
{
    store_options so = { .connections = 1 };
    sw_store *s;
    if (store_open(url, &so, &s, NULL) != SW_OK)
        return;
    backup_record(s, kind, ok, detail, sha, NULL);
    store_close(s);
}

/* Restores src into target and verifies it. A drill (record_in set)
 * records kind restore_drill there; otherwise kind restore in target. */
static int restore_into(const char *src, const char *target,
                        const unsigned char *key, bool force,
                        const char *record_in)
{
    const char *kind = record_in ? "restore_drill" : "restore";
    const char *record_db = record_in ? record_in : target;
    sw_err err;
    char training[SW_STORE_MAX_URL_BYTES];
    bool has_training = training_store_url(target, training, sizeof training,
                                           NULL) == SW_OK;
    restore_options o = {
        .src = src,
        .db_url = target,
        .training_url = has_training ? training : NULL,
        .key = key,
        .force = force,
    };
    restore_result r;
    int rc = restore_run(&o, &r, &err);
    if (rc != SW_OK) {
        /* Once the data is in place a failed comparison is on record; a
         * drill's failure always is. */
        if ((rc == SW_ECONFLICT && r.backend[0] != '\0') || record_in != NULL) {
            char detail[SW_ERR_MSG_MAX + 32];
            snprintf(detail, sizeof detail, "failed: %s", sw_err_text(&err));
            record(record_db, kind, false, detail, r.manifest_sha256);
        }
        return cli_fail_err(&err);
    }
    int64_t entries = 0;
    rc = verify_audit(target, &entries, &err);
    if (rc == SW_OK && r.training && has_training)
        rc = verify_audit(training, &entries, &err);
    if (rc != SW_OK) {
        record(record_db, kind, false, "the restored audit trail failed "
               "verification", r.manifest_sha256);
        return cli_fail_err(&err);
    }
    char detail[256];
    snprintf(detail, sizeof detail, "%s: %" PRId64 " tables, %" PRId64 " rows, "
             "%" PRId64 " practice(s), %" PRId64 " audit entries verified, "
             "training store %s", r.backend, r.tables, r.rows, r.practices,
             entries, r.training ? "restored" : "not in the backup");
    record(record_db, kind, true, detail, r.manifest_sha256);
    if (record_in != NULL)
        printf("Restore drill passed: %s restored into a scratch database, "
               "verified and removed.\n", src);
    else
        printf("Restored %s into %s.\n", src, target);
    printf("  tables:                 %" PRId64 " (every row count and checksum matches the manifest)\n"
           "  rows:                   %" PRId64 "\n"
           "  practices:              %" PRId64 "\n"
           "  audit entries verified: %" PRId64 "\n"
           "  training store:         %s\n",
           r.tables, r.rows, r.practices, entries,
           r.training ? "restored" : "not in the backup");
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "key", required_argument, NULL, 'k' },
        { "force", no_argument, NULL, 'f' },
        { "drill", no_argument, NULL, 'r' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL, *key_file = NULL;
    bool force = false, drill = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'k': key_file = optarg; break;
        case 'f': force = true; break;
        case 'r': drill = true; break;
        default: return cli_bad_option("restore", argc, argv);
        }
    }
    if (optind == argc)
        return cli_fail(SW_EUSAGE, "restore: name the backup directory SRC; "
                        "see 'stagewise restore --help'");
    if (optind + 1 != argc)
        return cli_fail(SW_EUSAGE, "restore: unexpected argument '%s'; see "
                        "'stagewise restore --help'", argv[optind + 1]);
    if (drill && force)
        return cli_fail(SW_EUSAGE, "restore: --drill restores into a scratch "
                        "database; --force does not apply");
    /* The target is never implied: a restore replaces a database. */
    if (db == NULL && !drill)
        return cli_fail(SW_EUSAGE, "restore: give the target database with "
                        "--db URL");
    sw_err err;
    unsigned char key[BACKUP_KEY_BYTES];
    if (key_file != NULL && backup_key_read(key_file, key, &err) != SW_OK)
        return cli_fail_err(&err);
    const char *source = drill ? cli_db_url(db) : NULL;
    backup_scratch scratch;
    if (drill && backup_scratch_create(source, &scratch, &err) != SW_OK) {
        sodium_memzero(key, sizeof key);
        return cli_fail_err(&err);
    }
    const char *target = drill ? scratch.url : db;
    int status = restore_into(argv[optind], target, key_file ? key : NULL,
                              force, drill ? source : NULL);
    sodium_memzero(key, sizeof key);
    if (drill)
        backup_scratch_drop(&scratch);
    return status;
}

const cli_command cli_restore = {
    .name = "restore",
    .summary = "restore a backup, verified against its manifest and audit chain",
    .usage = usage,
    .run = run,
};
