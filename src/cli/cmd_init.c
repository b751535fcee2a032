/* cmd_init.c - `stagewise init`: create or upgrade a database, its practice
 * and the admin account. Safe to run any number of times: migrations apply
 * once, and an existing admin keeps its password. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "auth/password.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/limits.h"
#include "demo/demo.h"
#include "store/backup.h"
#include "store/store.h"
#include "training/env_reset.h"
#include "training/env_store.h"

#define PRACTICE_ID 1

static const char usage[] =
    "Usage: stagewise init [--db URL] [--demo [--no-history]] [--practice NAME]\n"
    "                      [--training-db URL] [--backup-dir DIR | --no-backup]\n"
    "\n"
    "Creates the database if it does not exist (SQLite), applies the schema\n"
    "migrations this version needs, creates the practice and the user 'admin'.\n"
    "Running it again upgrades the schema and changes nothing else.\n"
    "\n"
    "  --db URL         sqlite:PATH or postgresql://… (default: $STAGEWISE_DB,\n"
    "                   else sqlite:stagewise.db)\n"
    "  --demo           seed the demo practice: accounts for each role,\n"
    "                   patients, a staged plan and months of history\n"
    "                   (once; docs/adoption-metrics.md)\n"
    "  --no-history     with --demo: the accounts and records only, no plan\n"
    "                   and no history (every module live, as before a plan)\n"
    "  --practice NAME  the practice's name (default \"My Practice\")\n"
    "  --training-db URL  the training environment's database (default: derived\n"
    "                   from --db; docs/commands/training.md), created with its\n"
    "                   master population of synthetic patients when new\n"
    "  --backup-dir DIR  before upgrading an existing database's schema, back\n"
    "                   it up into a new directory inside DIR (default: the\n"
    "                   SQLite file's directory; PostgreSQL: the current one)\n"
    "  --no-backup      upgrade without that backup: only for a throwaway\n"
    "                   database\n"
    "\n"
    "An upgrade never starts without its backup: when the backup fails, init\n"
    "stops and the database is left as it was (docs/operations.md \"Upgrade\").\n"
    "\n"
    "The admin password is $STAGEWISE_ADMIN_PASSWORD (12 to 128 characters);\n"
    "without it one is generated and printed once.\n";

struct init_ctx {
    const char *practice_name;
    bool        demo;
    bool        no_history;
    const char *admin_hash;   /* NULL: only report whether admin exists */
    bool        practice_created;
    bool        admin_exists;
    bool        admin_created;
};

static int admin_exists_fn(store_tx *tx, void *arg)
{
    struct init_ctx *ic = arg;
    return auth_user_exists(tx, PRACTICE_ID, "admin", &ic->admin_exists);
}

static int init_fn(store_tx *tx, void *arg)
{
    struct init_ctx *ic = arg;
    int rc = auth_practice_ensure(tx, PRACTICE_ID, ic->practice_name, ic->demo,
                                  &ic->practice_created);
    if (rc != SW_OK || ic->admin_hash == NULL)
        return rc;
    auth_new_user admin = {
        .practice_id = PRACTICE_ID,
        .username = "admin",
        .display_name = "Administrator",
        .password_hash = ic->admin_hash,
        .roles = "practice_admin",
    };
    return auth_user_create(tx, &admin, &ic->admin_created, NULL);
}

/* Backs up a database whose schema is behind (version from) before it is
 * migrated, into a new directory in backup_dir (NULL: next to the SQLite
 * file, or the current directory for PostgreSQL), and says where. */
static int backup_before_upgrade(sw_store *s, const char *url,
                                 const char *backup_dir, int from, sw_err *err)
{
    char parent[1024] = ".";
    if (backup_dir != NULL) {
        snprintf(parent, sizeof parent, "%s", backup_dir);
    } else {
        if (strncmp(url, "sqlite:", 7) == 0) {
            snprintf(parent, sizeof parent, "%s", url + 7);
            char *slash = strrchr(parent, '/');
            if (slash == NULL)
                snprintf(parent, sizeof parent, ".");
            else if (slash == parent)
                parent[1] = '\0';
            else
                *slash = '\0';
        }
    }
    struct stat st;
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        return sw_err_set(err, SW_EUSAGE, "init: the backup directory %s does "
                          "not exist; create it, or give --backup-dir", parent);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    char dest[1200];
    snprintf(dest, sizeof dest, "%s/stagewise-before-upgrade-v%d-%s", parent,
             from, stamp);
    char training[SW_STORE_MAX_URL_BYTES];
    bool has_training = training_store_url(url, training, sizeof training,
                                           NULL) == SW_OK;
    backup_options o = {
        .db_url = url,
        .training_url = has_training ? training : NULL,
        .dest = dest,
    };
    backup_result r;
    int rc = backup_run(&o, &r, err);
    if (rc != SW_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", sw_err_text(err));
        return sw_err_set(err, rc, "init: the backup before the upgrade "
                          "failed, so the schema was not upgraded: %s; fix it, "
                          "or give --no-backup for a throwaway database", why);
    }
    printf("Database %s: schema version %d is behind %d; backed up first "
           "into %s (%" PRId64 " tables, %" PRId64 " rows; restore with "
           "'stagewise restore %s').\n", store_display(s), from,
           store_schema_latest(), dest, r.tables, r.rows, dest);
    return SW_OK;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "demo", no_argument, NULL, 'D' },
        { "no-history", no_argument, NULL, 'H' },
        { "practice", required_argument, NULL, 'p' },
        { "training-db", required_argument, NULL, 't' },
        { "backup-dir", required_argument, NULL, 'b' },
        { "no-backup", no_argument, NULL, 'N' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL, *training_db = NULL, *backup_dir = NULL;
    bool no_backup = false;
    struct init_ctx ic = { .practice_name = NULL };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'D': ic.demo = true; break;
        case 'H': ic.no_history = true; break;
        case 'p': ic.practice_name = optarg; break;
        case 't': training_db = optarg; break;
        case 'b': backup_dir = optarg; break;
        case 'N': no_backup = true; break;
        default:  return cli_bad_option("init", argc, argv);
        }
    }
    if (optind < argc)
        return cli_fail(SW_EUSAGE, "init: unexpected argument '%s'; see "
                        "'stagewise init --help'", argv[optind]);
    if (backup_dir != NULL && no_backup)
        return cli_fail(SW_EUSAGE, "init: --backup-dir and --no-backup exclude "
                        "each other");
    if (ic.no_history && !ic.demo)
        return cli_fail(SW_EUSAGE, "init: --no-history goes with --demo");
    if (ic.practice_name == NULL)
        ic.practice_name = ic.demo ? DEMO_PRACTICE_NAME : "My Practice";
    size_t name_len = strlen(ic.practice_name);
    if (name_len == 0 || name_len > SW_MAX_PRACTICE_NAME_BYTES)
        return cli_fail(SW_EUSAGE, "init: --practice must be 1 to %d bytes",
                        SW_MAX_PRACTICE_NAME_BYTES);

    const char *env_pw = getenv("STAGEWISE_ADMIN_PASSWORD");
    sw_err err;
    if (env_pw != NULL && auth_password_check(env_pw, &err) != SW_OK)
        return cli_fail(SW_EUSAGE, "init: STAGEWISE_ADMIN_PASSWORD is not "
                        "acceptable: %s", sw_err_text(&err));

    const char *url = cli_db_url(db);
    sw_store *s;
    store_options so = { .create = true, .connections = 1 };
    if (store_open(url, &so, &s, &err) != SW_OK)
        return cli_fail_err(&err);

    int from = 0, to = 0;
    int rc = store_schema_version(s, &from, &err);
    if (rc != SW_OK)
        goto fail;
    if (from > 0 && from < store_schema_latest() && !no_backup) {
        rc = backup_before_upgrade(s, url, backup_dir, from, &err);
        if (rc != SW_OK)
            goto fail;
    }
    rc = store_migrate(s, &from, &to, &err);
    if (rc != SW_OK)
        goto fail;
    if (from == to)
        printf("Database %s: schema version %d is current.\n", store_display(s), to);
    else if (from == 0)
        printf("Database %s: created at schema version %d.\n", store_display(s), to);
    else
        printf("Database %s: upgraded from schema version %d to %d.\n",
               store_display(s), from, to);

    /* Hash outside any transaction: argon2id takes tens of milliseconds. */
    rc = store_read(s, admin_exists_fn, &ic, &err);
    if (rc != SW_OK)
        goto fail;
    char generated[20] = "";
    char hash[AUTH_HASH_MAX];
    if (!ic.admin_exists) {
        if (env_pw == NULL)
            auth_password_generate(generated);
        rc = auth_password_hash(env_pw ? env_pw : generated, hash, &err);
        if (rc != SW_OK)
            goto fail;
        ic.admin_hash = hash;
    }
    rc = store_write(s, init_fn, &ic, &err);
    if (rc != SW_OK)
        goto fail;
    /* The training environment: its store, the accounts, and when new
     * its master population (docs/training.md). Said before the admin's
     * password, which stays the last thing on its line and in the output. */
    training_env_report tr;
    rc = training_env_init(s, url, training_db, PRACTICE_ID,
                           TRAINING_DEFAULT_SEED, &tr, &err);
    if (rc != SW_OK)
        goto fail;
    if (ic.practice_created)
        printf("Practice \"%s\" created.\n", ic.practice_name);
    printf("Training environment: %s, %d accounts mirrored%s.\n",
           tr.created ? "created" : "current", tr.accounts,
           tr.populated ? ", master population written" : "");
    if (ic.admin_created && generated[0])
        printf("User admin created. Its password, shown only this once: %s\n",
               generated);
    else if (ic.admin_created)
        printf("User admin created with the password from STAGEWISE_ADMIN_PASSWORD.\n");
    else
        printf("User admin already exists; its password is unchanged.\n");

    if (ic.demo) {
        rc = demo_seed(s, &err);
        if (rc != SW_OK)
            goto fail;
        /* Months of history through the server's own routes, once. */
        bool built = false;
        char summary[512];
        if (!ic.no_history) {
            rc = demo_history_build(s, sw_now_wall_ms(), &built, summary,
                                    sizeof summary, &err);
            if (rc != SW_OK)
                goto fail;
            printf("%s\n", built ? summary : "Demo history: already built.");
        }
        demo_print_logins(stdout);
    }
    store_close(s);
    return 0;

fail:
    store_close(s);
    return cli_fail_err(&err);
}

const cli_command cli_init = {
    .name = "init",
    .summary = "create or upgrade the database, its practice and the admin user",
    .usage = usage,
    .run = run,
};
