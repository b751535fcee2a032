/* cmd_backup.c - `stagewise backup`: a verified copy of a running store,
 * its training store included, optionally encrypted; and `--new-key` to
 * make the key (src/store/backup.h, docs/commands/backup.md). */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "store/backup.h"
#include "training/env_store.h"

static const char usage[] =
    "Usage: stagewise backup [--db URL] DEST [--key FILE]\n"
    "       stagewise backup --new-key FILE\n"
    "\n"
    "Copies the database (and its training store) into the new directory\n"
    "DEST while the server keeps running, with a manifest of every table's\n"
    "row count and checksum, the audit chain heads and the HL7 queue counts.\n"
    "SQLite uses the online backup API; PostgreSQL runs pg_dump in the\n"
    "snapshot the manifest is computed in. Restore with `stagewise restore`.\n"
    "\n"
    "  --db URL        the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --key FILE      encrypt the backup with this key (32 bytes, raw or 64 hex digits)\n"
    "  --new-key FILE  create a new random key file (mode 0600) and stop\n";

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "key", required_argument, NULL, 'k' },
        { "new-key", required_argument, NULL, 'n' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL, *key_file = NULL, *new_key = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'k': key_file = optarg; break;
        case 'n': new_key = optarg; break;
        default: return cli_bad_option("backup", argc, argv);
        }
    }
    sw_err err;
    if (new_key != NULL) {
        if (optind != argc || db != NULL || key_file != NULL)
            return cli_fail(SW_EUSAGE, "backup: --new-key FILE takes no other "
                            "arguments");
        if (backup_key_new(new_key, &err) != SW_OK)
            return cli_fail_err(&err);
        printf("A new backup key is in %s; keep a copy apart from the backups.\n",
               new_key);
        return 0;
    }
    if (optind == argc)
        return cli_fail(SW_EUSAGE, "backup: name the backup directory DEST; see "
                        "'stagewise backup --help'");
    if (optind + 1 != argc)
        return cli_fail(SW_EUSAGE, "backup: unexpected argument '%s'; see "
                        "'stagewise backup --help'", argv[optind + 1]);
    unsigned char key[BACKUP_KEY_BYTES];
    if (key_file != NULL && backup_key_read(key_file, key, &err) != SW_OK)
        return cli_fail_err(&err);

    const char *url = cli_db_url(db);
    char training[SW_STORE_MAX_URL_BYTES];
    bool has_training = training_store_url(url, training, sizeof training,
                                           NULL) == SW_OK;
    backup_options o = {
        .db_url = url,
        .training_url = has_training ? training : NULL,
        .dest = argv[optind],
        .key = key_file ? key : NULL,
    };
    backup_result r;
    int rc = backup_run(&o, &r, &err);
    sodium_memzero(key, sizeof key);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    printf("Backed up %d store%s (%" PRId64 " tables, %" PRId64 " rows) into "
           "%s%s.\nManifest SHA-256: %s\n", r.stores, r.stores == 1 ? "" : "s",
           r.tables, r.rows, o.dest, o.key ? ", encrypted" : "",
           r.manifest_sha256);
    return 0;
}

const cli_command cli_backup = {
    .name = "backup",
    .summary = "copy the running database into a verified, optionally encrypted backup",
    .usage = usage,
    .run = run,
};
