/* backup_int.h - what the backup files share inside src/store: writing a
 * data file (plain or encrypted) while hashing it, and the manifest. */
#ifndef SW_STORE_BACKUP_INT_H
#define SW_STORE_BACKUP_INT_H

#include <jansson.h>
#include <limits.h>
#include <sodium.h>

#include "store/backup.h"

#define BACKUP_CHUNK (64 * 1024)

/* A file of the backup as the manifest lists it: as stored, so after
 * encryption when there is a key. */
typedef struct backup_file {
    char     name[64];
    uint64_t size;
    char     sha256[65];
} backup_file;

/* A data file being written: plain, or encrypted chunk by chunk. The
 * SHA-256 and size are of the bytes on disk. */
typedef struct backup_sink {
    int      fd;
    char     path[PATH_MAX];
    bool     encrypt;
    crypto_secretstream_xchacha20poly1305_state st;
    crypto_hash_sha256_state sha;
    uint64_t size;
    unsigned char buf[BACKUP_CHUNK];
    size_t   n;
} backup_sink;

int  backup_sink_open(backup_sink *k, const char *path,
                      const unsigned char *key, sw_err *err);
int  backup_sink_write(backup_sink *k, const void *p, size_t n, sw_err *err);
/* Finishes, fsyncs and closes; out (may be NULL) gets name, size, hash. */
int  backup_sink_close(backup_sink *k, backup_file *out, sw_err *err);
/* Closes and removes the file. */
void backup_sink_abort(backup_sink *k);

/* Copies from into the new file to (encrypted with key, or plain). */
int backup_encrypt_file(const char *from, const char *to,
                        const unsigned char *key, backup_file *out, sw_err *err);
/* Writes the plaintext of backup file from (name for messages) to out_fd:
 * decrypted with key, or copied when key is NULL. */
int backup_decrypt_to(const char *from, int out_fd, const unsigned char *key,
                      const char *name, sw_err *err);

/* The manifest's content sealed with key, as hex, and back (the caller
 * frees either with sw_free):
 * NULL with "the key does not decrypt this backup" for a wrong key. */
char *backup_seal(const char *text, const unsigned char *key);
char *backup_unseal(const char *hex, const unsigned char *key, sw_err *err);

/* SHA-256 (hex) and size of a whole file. */
int backup_hash_file(const char *path, char sha256[65], uint64_t *size,
                     sw_err *err);

/* ---- The manifest (backup_manifest.c) ------------------------------------- */

/* One store's section: {"name", "tables": [{"name", "rows", "sha256"}],
 * "audit_heads": [{"practice_id", "seq", "hash"}], "hl7": {…}}, read in
 * tx. pg_schema names the PostgreSQL schema ("public", "training"); NULL
 * on SQLite, where the store is the whole file. */
int backup_manifest_store(store_tx *tx, const char *pg_schema,
                          const char *name, json_t **out);

/* Whether PostgreSQL schema `schema` exists, in tx. */
int backup_pg_schema_exists(store_tx *tx, const char *schema, bool *exists);

/* Compares the stores sections want (from the manifest) and got
 * (recomputed): SW_ECONFLICT naming the first table that differs. */
int backup_manifest_compare(json_t *want, json_t *got, sw_err *err);

/* Totals of a stores array. */
void backup_manifest_totals(json_t *stores, int64_t *tables, int64_t *rows);

/* ---- Processes (backup_pg.c) --------------------------------------------- */

/* The path of a PostgreSQL client program (pg_dump, pg_restore): on PATH,
 * else the newest /usr/lib/postgresql/N/bin. */
int backup_pg_program(const char *name, char *out, size_t cap, sw_err *err);

#endif
