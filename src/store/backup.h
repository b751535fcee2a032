/* backup.h - `stagewise backup` and `stagewise restore` (docs/operations.md
 * "Backup and restore"): a consistent copy of a running store, its
 * training store included, with a manifest of row counts and checksums,
 * optionally encrypted; and its verified restore.
 *
 * A backup is a directory:
 *   manifest.json      what was copied and what it held (see
 *                      backup_manifest.c for the canonical row text)
 *   stagewise.db       SQLite: the main database, copied with the online
 *   stagewise.db-training   backup API; its training store when it has one
 *   database.dump      PostgreSQL: pg_dump --format=custom of the database
 *                      (schemas public and training), taken in the same
 *                      snapshot as the manifest
 * With a key every data file is encrypted (name + ".enc") and the
 * manifest's content is sealed; only its format, backend, creation time
 * and file names and sizes stay readable.
 *
 * The callers (src/cli) derive the training store's URL and run the audit
 * verification; this area knows only stores, files and the manifest. */
#ifndef SW_STORE_BACKUP_H
#define SW_STORE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/limits.h"
#include "store/store.h"

#define BACKUP_FORMAT        1
#define BACKUP_MANIFEST      "manifest.json"
#define BACKUP_KEY_BYTES     32
#define BACKUP_SQLITE_MAIN   "stagewise.db"
#define BACKUP_SQLITE_TRAIN  "stagewise.db-training"
#define BACKUP_PG_DUMP       "database.dump"
#define BACKUP_ENC_SUFFIX    ".enc"
#define BACKUP_MAX_FILES     4

/* ---- Keys (backup_crypt.c) ---------------------------------------------- */

/* Reads a key file: 32 raw bytes, or 64 hexadecimal digits with optional
 * surrounding white space. */
int backup_key_read(const char *path, unsigned char key[BACKUP_KEY_BYTES],
                    sw_err *err);
/* Creates path (refusing an existing file), mode 0600, holding a new
 * random key as 64 hexadecimal digits and a newline. */
int backup_key_new(const char *path, sw_err *err);

/* ---- Backup (backup.c) -------------------------------------------------- */

typedef struct backup_options {
    const char *db_url;          /* the store to back up */
    const char *training_url;    /* SQLite: its training store's URL; NULL: none */
    const char *dest;            /* the directory to create */
    const unsigned char *key;    /* NULL: no encryption */
} backup_options;

typedef struct backup_result {
    int     stores;              /* 1, or 2 with the training store */
    int64_t tables;
    int64_t rows;
    char    manifest_sha256[65];
} backup_result;

int backup_run(const backup_options *o, backup_result *r, sw_err *err);

/* ---- Restore (backup_restore.c) ----------------------------------------- */

typedef struct restore_options {
    const char *src;             /* a backup directory */
    const char *db_url;          /* the target store */
    const char *training_url;    /* SQLite: the target's training store */
    const unsigned char *key;    /* NULL: the backup must not be encrypted */
    bool        force;           /* overwrite a database holding data */
} restore_options;

typedef struct restore_result {
    char    backend[16];
    bool    training;            /* the backup had a training store */
    int64_t tables;
    int64_t rows;
    int64_t practices;
    char    manifest_sha256[65];
} restore_result;

/* Verifies the backup's files, puts them in place, recomputes the
 * manifest on the restored store and compares. SW_EUSAGE for a refused
 * target, SW_EINVAL for a damaged or undecryptable backup, SW_ECONFLICT
 * when the restored data differs from the manifest (the message names the
 * table). The audit check is the caller's. */
int restore_run(const restore_options *o, restore_result *r, sw_err *err);

/* ---- The drill's scratch database (backup_scratch.c) --------------------- */

typedef struct backup_scratch {
    store_kind kind;
    char url[SW_STORE_MAX_URL_BYTES];    /* where to restore */
    char dir[1024];                      /* SQLite: its private directory */
    char pg_name[96];                    /* PostgreSQL: the database made */
    char admin[SW_STORE_MAX_URL_BYTES];  /* PostgreSQL: how to drop it */
} backup_scratch;

/* Makes an empty database of db_url's backend for a restore drill. */
int  backup_scratch_create(const char *db_url, backup_scratch *out, sw_err *err);
/* Removes it and everything restored into it. */
void backup_scratch_drop(backup_scratch *s);

/* ---- Records (backup_record.c) ------------------------------------------ */

/* Adds a row to ops_record: kind "backup", "restore" or "restore_drill";
 * detail must hold no patient data. */
int backup_record(sw_store *s, const char *kind, bool ok, const char *detail,
                  const char *manifest_sha256, sw_err *err);

#endif
