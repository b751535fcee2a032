/* backup.c - `stagewise backup` (docs/operations.md "Backup and restore"):
 * a consistent copy of a running store into a new directory, with the
 * manifest computed from exactly the data copied.
 *
 * SQLite: each database (main, then its training store) is copied with the
 * online backup API into a private work directory, the manifest section is
 * computed from that copy, then the copy is moved (or encrypted) into the
 * backup. PostgreSQL: one REPEATABLE READ transaction exports its
 * snapshot, pg_dump reads the database in that snapshot, and the manifest
 * is computed in the same transaction, so dump and manifest agree even
 * while the server writes. The backup is recorded in ops_record. */
#include "store/backup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "store/backup_pg.h"
#include "store/backup_sqlite.h"
#include "store/store_int.h"

#define WORK_DIR ".work"

int backup_hash_file(const char *path, char sha256[65], uint64_t *size,
                     sw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sw_err_set(err, SW_EIO, "%s cannot be read: %s", path,
                          strerror(errno));
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    static unsigned char buf[BACKUP_CHUNK];
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            close(fd);
            return sw_err_set(err, SW_EIO, "%s cannot be read: %s", path,
                              strerror(errno));
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(sha256, 65, d, sizeof d);
    if (size != NULL)
        *size = total;
    return SW_OK;
}

/* DEST must not exist, or be an empty directory. */
static int make_dest(const char *dest, sw_err *err)
{
    if (mkdir(dest, 0700) == 0)
        return SW_OK;
    if (errno != EEXIST)
        return sw_err_set(err, SW_EIO, "the backup directory %s cannot be "
                          "created: %s", dest, strerror(errno));
    DIR *d = opendir(dest);
    if (d == NULL)
        return sw_err_set(err, SW_ECONFLICT, "%s already exists and is not a "
                          "directory; name a new backup directory", dest);
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = false;
    closedir(d);
    if (!empty)
        return sw_err_set(err, SW_ECONFLICT, "the backup directory %s already "
                          "exists and is not empty; name a new one", dest);
    return SW_OK;
}

/* dir/name into out; a path too long is cut short, and then simply not
 * found or not created, which reports itself. */
static void path_join(char *out, size_t cap, const char *dir, const char *name)
{
    if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
        out[0] = '\0';
}

static void remove_sidecars(const char *path)
{
    char p[PATH_MAX + 8];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", path);
    unlink(p);
}

/* ---- SQLite --------------------------------------------------------------- */

struct section_ctx {
    const char *schema;
    const char *name;
    json_t     *out;
};

static int section_fn(store_tx *tx, void *arg)
{
    struct section_ctx *c = arg;
    json_decref(c->out);
    c->out = NULL;
    return backup_manifest_store(tx, c->schema, c->name, &c->out);
}

/* The manifest section of the SQLite file at path (a copy nobody else
 * has open), and its schema version. */
static int sqlite_section(const char *path, const char *name, json_t *stores,
                          int *schema_version, sw_err *err)
{
    char url[PATH_MAX + 16];
    snprintf(url, sizeof url, "sqlite:%s", path);
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    struct section_ctx c = { NULL, name, NULL };
    rc = store_read(s, section_fn, &c, err);
    if (rc == SW_OK && schema_version != NULL)
        rc = store_schema_version(s, schema_version, err);
    store_close(s);
    remove_sidecars(path);
    if (rc != SW_OK) {
        json_decref(c.out);
        return rc;
    }
    json_array_append_new(stores, c.out);
    return SW_OK;
}

/* Moves (or encrypts) work/name into dest as the backup's file. */
static int place_file(const char *work, const char *dest, const char *name,
                      const unsigned char *key, backup_file *f, sw_err *err)
{
    char from[PATH_MAX], to[PATH_MAX];
    path_join(from, sizeof from, work, name);
    if (key != NULL) {
        char enc[128];
        snprintf(enc, sizeof enc, "%s" BACKUP_ENC_SUFFIX, name);
        path_join(to, sizeof to, dest, enc);
        int rc = backup_encrypt_file(from, to, key, f, err);
        unlink(from);
        return rc;
    }
    path_join(to, sizeof to, dest, name);
    if (rename(from, to) != 0)
        return sw_err_set(err, SW_EIO, "%s cannot be moved into the backup: %s",
                          name, strerror(errno));
    /* Patient data: readable by the backup's owner only. */
    if (chmod(to, 0600) != 0)
        return sw_err_set(err, SW_EIO, "%s cannot be made private: %s", to,
                          strerror(errno));
    snprintf(f->name, sizeof f->name, "%s", name);
    return backup_hash_file(to, f->sha256, &f->size, err);
}

static int sqlite_backup(const backup_options *o, const store_url *u,
                         json_t *stores, int *schema_version,
                         backup_file *files, int *nfiles, sw_err *err)
{
    char work[PATH_MAX];
    path_join(work, sizeof work, o->dest, WORK_DIR);
    if (mkdir(work, 0700) != 0)
        return sw_err_set(err, SW_EIO, "%s cannot be created: %s", work,
                          strerror(errno));
    struct { const char *src; const char *file; const char *name; } dbs[2] = {
        { u->path, BACKUP_SQLITE_MAIN, "main" },
        { NULL, BACKUP_SQLITE_TRAIN, "training" },
    };
    store_url tu;
    int n = 1;
    if (o->training_url != NULL
        && store_url_parse(o->training_url, &tu, NULL) == SW_OK
        && tu.kind == STORE_SQLITE && access(tu.path, F_OK) == 0) {
        dbs[1].src = tu.path;
        n = 2;
    }
    int rc = SW_OK;
    for (int i = 0; i < n && rc == SW_OK; i++) {
        char copy[PATH_MAX];
        path_join(copy, sizeof copy, work, dbs[i].file);
        rc = backup_sqlite_copy(dbs[i].src, copy, err);
        if (rc == SW_OK)
            rc = sqlite_section(copy, dbs[i].name, stores,
                                i == 0 ? schema_version : NULL, err);
        if (rc == SW_OK)
            rc = place_file(work, o->dest, dbs[i].file, o->key,
                            &files[(*nfiles)++], err);
        if (rc != SW_OK) {
            unlink(copy);
            remove_sidecars(copy);
        }
    }
    rmdir(work);
    return rc;
}

/* ---- PostgreSQL ------------------------------------------------------------ */

struct pg_ctx {
    const backup_options *o;
    const char *conninfo;
    char        path[PATH_MAX];
    backup_sink sink;
    bool        sink_open;
    backup_file file;
    json_t     *stores;
    sw_err      err;             /* pg_dump's failure, for the caller */
};

static int pg_fn(store_tx *tx, void *arg)
{
    struct pg_ctx *c = arg;
    /* Fit to run again: a retry starts the dump afresh. */
    if (c->sink_open) {
        backup_sink_abort(&c->sink);
        c->sink_open = false;
    }
    json_array_clear(c->stores);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT pg_export_snapshot()", &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    char snapshot[128] = "";
    rc = store_step(st, &row);
    if (rc == SW_OK && row)
        snprintf(snapshot, sizeof snapshot, "%s", store_col_text(st, 0, NULL));
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    rc = backup_sink_open(&c->sink, c->path, c->o->key, &c->err);
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, "%s", c->err.msg);
    c->sink_open = true;
    /* The transaction stays open (holding the snapshot) while pg_dump
     * reads in it. */
    rc = backup_pg_dump(c->conninfo, snapshot, &c->sink, &c->err);
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, "%s", c->err.msg);
    rc = backup_sink_close(&c->sink, &c->file, &c->err);
    c->sink_open = false;
    if (rc != SW_OK)
        return store_tx_fail(tx, rc, "%s", c->err.msg);
    json_t *main = NULL, *training = NULL;
    rc = backup_manifest_store(tx, "public", "main", &main);
    if (rc != SW_OK)
        return rc;
    json_array_append_new(c->stores, main);
    bool has_training = false;
    rc = backup_pg_schema_exists(tx, "training", &has_training);
    if (rc == SW_OK && has_training) {
        rc = backup_manifest_store(tx, "training", "training", &training);
        if (rc == SW_OK)
            json_array_append_new(c->stores, training);
    }
    return rc;
}

static int pg_backup(const backup_options *o, const store_url *u, json_t *stores,
                     int *schema_version, backup_file *files, int *nfiles,
                     sw_err *err)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(o->db_url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    rc = store_schema_version(s, schema_version, err);
    struct pg_ctx *c = sw_calloc(1, sizeof *c);
    if (c == NULL) {
        store_close(s);
        return sw_err_set(err, SW_ENOMEM, NULL);
    }
    c->o = o;
    c->conninfo = u->conninfo;
    c->stores = stores;
    char name[128];
    snprintf(name, sizeof name, "%s%s", BACKUP_PG_DUMP,
             o->key ? BACKUP_ENC_SUFFIX : "");
    path_join(c->path, sizeof c->path, o->dest, name);
    if (rc == SW_OK)
        rc = store_read(s, pg_fn, c, err);
    if (c->sink_open)
        backup_sink_abort(&c->sink);
    if (rc == SW_OK)
        files[(*nfiles)++] = c->file;
    else
        unlink(c->path);
    sw_free(c);
    store_close(s);
    return rc;
}

/* ---- The manifest file ------------------------------------------------------ */

static void iso_time(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Writes text to dir/name durably (temporary file, fsync, rename). */
static int write_durably(const char *dir, const char *name, const char *text,
                         sw_err *err)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    path_join(path, sizeof path, dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return sw_err_set(err, SW_EIO, "%s cannot be written: %s", path,
                          strerror(errno));
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return sw_err_set(err, SW_EIO, "%s cannot be written", path);
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return SW_OK;
}

static int write_manifest(const backup_options *o, const char *backend,
                          int64_t created_ms, int schema_version,
                          json_t *stores, const backup_file *files, int nfiles,
                          backup_result *r, sw_err *err)
{
    char created[32];
    iso_time(created_ms, created, sizeof created);
    json_t *clear_files = json_array(), *content_files = json_array();
    for (int i = 0; i < nfiles; i++) {
        json_t *f = json_pack("{s:s, s:I}", "name", files[i].name,
                              "size", (json_int_t)files[i].size);
        if (o->key == NULL)
            json_object_set_new(f, "sha256", json_string(files[i].sha256));
        json_array_append_new(clear_files, f);
        json_array_append_new(content_files, json_pack("{s:s, s:I, s:s}",
            "name", files[i].name, "size", (json_int_t)files[i].size,
            "sha256", files[i].sha256));
    }
    json_t *content = json_pack("{s:i, s:O, s:o}", "schema_version",
                                schema_version, "stores", stores,
                                "files", content_files);
    json_t *m = json_pack("{s:i, s:s, s:I, s:s, s:b, s:o}", "format",
                          BACKUP_FORMAT, "created_at", created, "created_at_ms",
                          (json_int_t)created_ms, "backend", backend,
                          "encrypted", o->key != NULL, "files", clear_files);
    int rc = SW_OK;
    if (o->key != NULL) {
        char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
        char *sealed = text ? backup_seal(text, o->key) : NULL;
        if (text)
            sodium_memzero(text, strlen(text));
        free(text);
        if (sealed == NULL)
            rc = sw_err_set(err, SW_ENOMEM, NULL);
        else
            json_object_set_new(m, "sealed_content", json_string(sealed));
        sw_free(sealed);
        json_decref(content);
    } else {
        json_object_set_new(m, "content", content);
    }
    char *text = rc == SW_OK ? json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS)
                             : NULL;
    json_decref(m);
    if (rc == SW_OK && text == NULL)
        rc = sw_err_set(err, SW_ENOMEM, NULL);
    if (rc == SW_OK) {
        size_t n = strlen(text);
        char *nl = realloc(text, n + 2);
        if (nl != NULL) {
            text = nl;
            memcpy(text + n, "\n", 2);
        }
        rc = write_durably(o->dest, BACKUP_MANIFEST, text, err);
    }
    if (rc == SW_OK) {
        unsigned char d[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
        sodium_bin2hex(r->manifest_sha256, sizeof r->manifest_sha256, d,
                       sizeof d);
    }
    free(text);
    return rc;
}

/* ---- The command ------------------------------------------------------------ */

static void record(const backup_options *o, bool ok, const backup_result *r,
                   const char *why)
{
    store_options so = { .connections = 1 };
    sw_store *s;
    if (store_open(o->db_url, &so, &s, NULL) != SW_OK)
        return;
    char detail[512];
    if (ok)
        snprintf(detail, sizeof detail, "%d store%s, %lld tables, %lld rows, "
                 "%s", r->stores, r->stores == 1 ? "" : "s",
                 (long long)r->tables, (long long)r->rows,
                 o->key ? "encrypted" : "not encrypted");
    else
        snprintf(detail, sizeof detail, "failed: %s", why);
    backup_record(s, "backup", ok, detail, ok ? r->manifest_sha256 : "", NULL);
    store_close(s);
}

/* After a failure: removes what this run wrote, so the same DEST can be
 * used again; the directory goes only if nothing else is in it. */
static void remove_partial(const char *dest)
{
    static const char *const names[] = {
        WORK_DIR "/" BACKUP_SQLITE_MAIN, WORK_DIR "/" BACKUP_SQLITE_TRAIN,
        BACKUP_SQLITE_MAIN, BACKUP_SQLITE_TRAIN, BACKUP_PG_DUMP,
        BACKUP_SQLITE_MAIN BACKUP_ENC_SUFFIX,
        BACKUP_SQLITE_TRAIN BACKUP_ENC_SUFFIX,
        BACKUP_PG_DUMP BACKUP_ENC_SUFFIX, "." BACKUP_MANIFEST ".tmp",
    };
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_join(p, sizeof p, dest, names[i]);
        if (p[0] != '\0') {
            unlink(p);
            remove_sidecars(p);
        }
    }
    path_join(p, sizeof p, dest, WORK_DIR);
    if (p[0] != '\0')
        rmdir(p);
    rmdir(dest);
}

int backup_run(const backup_options *o, backup_result *r, sw_err *err)
{
    memset(r, 0, sizeof *r);
    store_url u;
    int rc = store_url_parse(o->db_url, &u, err);
    if (rc != SW_OK)
        return rc;
    if (u.kind == STORE_SQLITE && access(u.path, F_OK) != 0)
        return sw_err_set(err, SW_ENOTFOUND, "the database %s does not exist",
                          u.display);
    rc = make_dest(o->dest, err);
    if (rc != SW_OK)
        return rc;
    int64_t created_ms = sw_now_wall_ms();
    json_t *stores = json_array();
    backup_file files[BACKUP_MAX_FILES];
    int nfiles = 0, schema_version = 0;
    rc = u.kind == STORE_SQLITE
        ? sqlite_backup(o, &u, stores, &schema_version, files, &nfiles, err)
        : pg_backup(o, &u, stores, &schema_version, files, &nfiles, err);
    if (rc == SW_OK) {
        r->stores = (int)json_array_size(stores);
        backup_manifest_totals(stores, &r->tables, &r->rows);
        rc = write_manifest(o, u.kind == STORE_SQLITE ? "sqlite" : "postgresql",
                            created_ms, schema_version, stores, files, nfiles,
                            r, err);
    }
    json_decref(stores);
    if (rc != SW_OK)
        remove_partial(o->dest);
    record(o, rc == SW_OK, r, rc == SW_OK ? "" : sw_err_text(err));
    return rc;
}
