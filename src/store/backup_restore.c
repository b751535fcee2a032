/* backup_restore.c - `stagewise restore` (docs/operations.md "Backup and
 * restore"): nothing in the target is touched until the backup's every
 * file has matched its manifest; then the files go into place (SQLite: a
 * temporary file renamed over the database; PostgreSQL: pg_restore), and
 * the manifest is recomputed on the restored store and compared table by
 * table. A database that holds data is overwritten only with --force, and
 * an SQLite file another process has open (a running server) never. */
#include "store/backup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/backup_pg.h"
#include "store/backup_sqlite.h"
#include "store/store_int.h"

/* ---- Reading the backup ----------------------------------------------------- */

typedef struct backup_src {
    json_t *manifest;
    json_t *content;             /* owned */
    const char *backend;
    bool    encrypted;
} backup_src;

static void src_free(backup_src *b)
{
    json_decref(b->manifest);
    json_decref(b->content);
}

static bool known_file(const char *name)
{
    static const char *const names[] = {
        BACKUP_SQLITE_MAIN, BACKUP_SQLITE_TRAIN, BACKUP_PG_DUMP,
        BACKUP_SQLITE_MAIN BACKUP_ENC_SUFFIX, BACKUP_SQLITE_TRAIN BACKUP_ENC_SUFFIX,
        BACKUP_PG_DUMP BACKUP_ENC_SUFFIX,
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static int read_manifest(const restore_options *o, backup_src *b, sw_err *err)
{
    memset(b, 0, sizeof *b);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", o->src, BACKUP_MANIFEST);
    struct stat st;
    if (stat(o->src, &st) != 0 || !S_ISDIR(st.st_mode))
        return sw_err_set(err, SW_ENOTFOUND, "the backup directory %s does not "
                          "exist", o->src);
    if (access(path, F_OK) != 0)
        return sw_err_set(err, SW_EINVAL, "%s has no %s, so it is not a "
                          "Stagewise backup", o->src, BACKUP_MANIFEST);
    json_error_t jerr;
    b->manifest = json_load_file(path, 0, &jerr);
    if (b->manifest == NULL || !json_is_object(b->manifest))
        return sw_err_set(err, SW_EINVAL, "the backup's %s is not valid JSON "
                          "(line %d)", BACKUP_MANIFEST, jerr.line);
    json_int_t format = json_integer_value(json_object_get(b->manifest, "format"));
    if (format != BACKUP_FORMAT)
        return sw_err_set(err, SW_EINVAL, "the backup's manifest has format "
                          "%lld; this program reads format %d",
                          (long long)format, BACKUP_FORMAT);
    b->backend = json_string_value(json_object_get(b->manifest, "backend"));
    b->encrypted = json_is_true(json_object_get(b->manifest, "encrypted"));
    if (b->backend == NULL)
        return sw_err_set(err, SW_EINVAL, "the backup's manifest names no backend");
    if (b->encrypted && o->key == NULL)
        return sw_err_set(err, SW_EUSAGE, "the backup is encrypted; give its "
                          "key with --key FILE");
    if (!b->encrypted && o->key != NULL)
        return sw_err_set(err, SW_EUSAGE, "the backup is not encrypted; leave "
                          "out --key");
    if (b->encrypted) {
        const char *sealed = json_string_value(json_object_get(b->manifest,
                                                               "sealed_content"));
        if (sealed == NULL)
            return sw_err_set(err, SW_EINVAL, "the backup's manifest lacks its "
                              "sealed content");
        char *text = backup_unseal(sealed, o->key, err);
        if (text == NULL)
            return err ? err->code : SW_EINVAL;
        b->content = json_loads(text, 0, &jerr);
        sodium_memzero(text, strlen(text));
        sw_free(text);
    } else {
        b->content = json_incref(json_object_get(b->manifest, "content"));
    }
    if (!json_is_object(b->content)
        || !json_is_array(json_object_get(b->content, "stores"))
        || !json_is_array(json_object_get(b->content, "files")))
        return sw_err_set(err, SW_EINVAL, "the backup's manifest lacks its "
                          "content (stores and files)");
    return SW_OK;
}

/* Every listed file: a known name, present, its size and SHA-256 as the
 * manifest says. Nothing of the target is touched before this passes. */
static int verify_files(const restore_options *o, backup_src *b, sw_err *err)
{
    size_t i;
    json_t *f;
    json_t *files = json_object_get(b->content, "files");
    if (json_array_size(files) == 0)
        return sw_err_set(err, SW_EINVAL, "the backup's manifest lists no files");
    json_array_foreach(files, i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *want = json_string_value(json_object_get(f, "sha256"));
        json_int_t size = json_integer_value(json_object_get(f, "size"));
        if (name == NULL || want == NULL || !known_file(name))
            return sw_err_set(err, SW_EINVAL, "the backup's manifest lists a "
                              "file this program does not know (%s)",
                              name ? name : "no name");
        char path[PATH_MAX], got[65];
        uint64_t got_size = 0;
        snprintf(path, sizeof path, "%s/%s", o->src, name);
        if (access(path, F_OK) != 0)
            return sw_err_set(err, SW_EINVAL, "the backup file %s is missing",
                              name);
        int rc = backup_hash_file(path, got, &got_size, err);
        if (rc != SW_OK)
            return rc;
        if ((json_int_t)got_size != size || strcmp(got, want) != 0)
            return sw_err_set(err, SW_EINVAL, "the backup file %s does not "
                              "match its manifest (%s); it was changed or "
                              "damaged", name, (json_int_t)got_size != size
                              ? "size" : "SHA-256");
    }
    return SW_OK;
}

static bool has_file(backup_src *b, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(b->content, "files"), i, f) {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* ---- The target ------------------------------------------------------------- */

struct count_ctx {
    bool    pg;
    int64_t practices;
};

static int practices_fn(store_tx *tx, void *arg)
{
    struct count_ctx *c = arg;
    c->practices = 0;
    int64_t has = 0;
    static const char *const schemas[] = { "public", "training" };
    for (int i = 0; i < (c->pg ? 2 : 1); i++) {
        int rc = c->pg
            ? store_query_int64(tx, &has, "SELECT COUNT(*) FROM "
                                "information_schema.tables WHERE table_schema = ? "
                                "AND table_name = 'practice'", "t", schemas[i])
            : store_query_int64(tx, &has, "SELECT COUNT(*) FROM sqlite_master "
                                "WHERE type = 'table' AND name = 'practice'", "");
        if (rc != SW_OK)
            return rc;
        if (has == 0)
            continue;
        int64_t n = 0;
        rc = store_query_int64(tx, &n, i == 0 ? "SELECT COUNT(*) FROM practice"
                               : "SELECT COUNT(*) FROM training.practice", "");
        if (rc != SW_OK)
            return rc;
        c->practices += n;
    }
    return SW_OK;
}

/* How many practices the store at url holds (0 for a file that does not
 * exist). */
static int count_practices(const char *url, const store_url *u, int64_t *n,
                           sw_err *err)
{
    *n = 0;
    if (u->kind == STORE_SQLITE && access(u->path, F_OK) != 0)
        return SW_OK;
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    struct count_ctx c = { u->kind == STORE_POSTGRES, 0 };
    rc = store_read(s, practices_fn, &c, err);
    store_close(s);
    *n = c.practices;
    return rc;
}

static int check_target(const restore_options *o, const store_url *u,
                        const store_url *tu, sw_err *err)
{
    int64_t n = 0;
    sw_err why;
    if (count_practices(o->db_url, u, &n, &why) != SW_OK) {
        if (!o->force)
            return sw_err_set(err, SW_ECONFLICT, "the target database %s could "
                              "not be checked for data (%s); give --force to "
                              "overwrite it anyway", u->display, why.msg);
        n = 0;
    }
    if (n > 0 && !o->force)
        return sw_err_set(err, SW_ECONFLICT, "the target database %s already "
                          "holds data (%lld practice%s); restore into an empty "
                          "database or give --force to replace it",
                          u->display, (long long)n, n == 1 ? "" : "s");
    if (u->kind == STORE_SQLITE) {
        const char *paths[2] = { u->path, tu ? tu->path : NULL };
        for (int i = 0; i < 2; i++) {
            bool in_use = false;
            if (paths[i] == NULL)
                continue;
            int rc = backup_sqlite_in_use(paths[i], &in_use, err);
            if (rc != SW_OK)
                return rc;
            if (in_use)
                return sw_err_set(err, SW_ECONFLICT, "the database %s is open "
                                  "in another process (a running server?); "
                                  "stop it before restoring", paths[i]);
        }
    }
    return SW_OK;
}

/* ---- Putting the files in place --------------------------------------------- */

static void remove_sidecars(const char *path)
{
    char p[PATH_MAX + 16];
    static const char *const ext[] = { "-wal", "-shm", "-journal" };
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

/* Writes backup file `name` (decrypted) next to target, then renames it
 * over target: a crash leaves the old database or the new one. */
static int sqlite_place(const restore_options *o, const char *name,
                        const char *target, sw_err *err)
{
    char from[PATH_MAX], tmp[PATH_MAX + 32];
    snprintf(from, sizeof from, "%s/%s", o->src, name);
    snprintf(tmp, sizeof tmp, "%s.restoring-XXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return sw_err_set(err, SW_EIO, "a temporary file beside %s cannot be "
                          "created: %s", target, strerror(errno));
    int rc = backup_decrypt_to(from, fd, o->key, name, err);
    if (rc == SW_OK && fsync(fd) != 0)
        rc = sw_err_set(err, SW_EIO, "%s cannot be written: %s", tmp,
                        strerror(errno));
    if (close(fd) != 0 && rc == SW_OK)
        rc = sw_err_set(err, SW_EIO, "%s cannot be written", tmp);
    if (rc == SW_OK) {
        /* The old database's WAL must not be replayed into the new file. */
        remove_sidecars(target);
        if (rename(tmp, target) != 0)
            rc = sw_err_set(err, SW_EIO, "%s cannot be replaced: %s", target,
                            strerror(errno));
    }
    if (rc != SW_OK) {
        unlink(tmp);
        return rc;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", target);
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return SW_OK;
}

static const char *stored_name(backup_src *b, const char *base, char *buf,
                               size_t cap)
{
    snprintf(buf, cap, "%s%s", base, b->encrypted ? BACKUP_ENC_SUFFIX : "");
    return buf;
}

/* ---- Checking the restored store ---------------------------------------------- */

struct section_ctx {
    bool    pg;
    const char *name;            /* SQLite: the section's name */
    json_t *stores;
    int64_t practices;
};

static int recompute_fn(store_tx *tx, void *arg)
{
    struct section_ctx *c = arg;
    json_array_clear(c->stores);
    json_t *sec = NULL;
    int rc = backup_manifest_store(tx, c->pg ? "public" : NULL,
                                   c->pg ? "main" : c->name, &sec);
    if (rc != SW_OK)
        return rc;
    json_array_append_new(c->stores, sec);
    if (c->pg) {
        bool has = false;
        rc = backup_pg_schema_exists(tx, "training", &has);
        if (rc == SW_OK && has) {
            rc = backup_manifest_store(tx, "training", "training", &sec);
            if (rc == SW_OK)
                json_array_append_new(c->stores, sec);
        }
    }
    if (rc == SW_OK && strcmp(c->pg ? "main" : c->name, "main") == 0)
        rc = store_query_int64(tx, &c->practices,
                               "SELECT COUNT(*) FROM practice", "");
    return rc;
}

static int recompute(const char *url, bool pg, const char *name, json_t *stores,
                     int64_t *practices, sw_err *err)
{
    store_options so = { .connections = 1, .read_budget_ms = -1 };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    struct section_ctx c = { pg, name, json_array(), 0 };
    rc = store_read(s, recompute_fn, &c, err);
    store_close(s);
    if (rc == SW_OK) {
        json_array_extend(stores, c.stores);
        if (practices != NULL && c.practices > 0)
            *practices = c.practices;
    }
    json_decref(c.stores);
    return rc;
}

/* ---- The command ---------------------------------------------------------------- */

int restore_run(const restore_options *o, restore_result *r, sw_err *err)
{
    memset(r, 0, sizeof *r);
    store_url u, tu;
    int rc = store_url_parse(o->db_url, &u, err);
    if (rc != SW_OK)
        return rc;
    bool have_tu = o->training_url != NULL
                   && store_url_parse(o->training_url, &tu, NULL) == SW_OK
                   && tu.kind == STORE_SQLITE;
    backup_src b;
    rc = read_manifest(o, &b, err);
    if (rc == SW_OK) {
        const char *want = u.kind == STORE_SQLITE ? "sqlite" : "postgresql";
        if (strcmp(b.backend, want) != 0)
            rc = sw_err_set(err, SW_EUSAGE, "the backup is of a %s database "
                            "and cannot be restored into %s; give a --db of "
                            "the same kind", b.backend, u.display);
    }
    if (rc == SW_OK)
        rc = verify_files(o, &b, err);
    if (rc == SW_OK)
        rc = check_target(o, &u, have_tu ? &tu : NULL, err);
    if (rc != SW_OK) {
        src_free(&b);
        return rc;
    }
    snprintf(r->backend, sizeof r->backend, "%s", b.backend);
    char name[128];
    json_t *got = json_array();
    if (u.kind == STORE_SQLITE) {
        r->training = has_file(&b, stored_name(&b, BACKUP_SQLITE_TRAIN, name,
                                               sizeof name));
        if (r->training && !have_tu)
            rc = sw_err_set(err, SW_EUSAGE, "the backup holds a training store "
                            "but its place cannot be derived from %s",
                            u.display);
        if (rc == SW_OK)
            rc = sqlite_place(o, stored_name(&b, BACKUP_SQLITE_MAIN, name,
                                             sizeof name), u.path, err);
        if (rc == SW_OK && r->training)
            rc = sqlite_place(o, stored_name(&b, BACKUP_SQLITE_TRAIN, name,
                                             sizeof name), tu.path, err);
        /* A training store left from the database just replaced would be
         * paired with data it never belonged to; serve makes a new one. */
        if (rc == SW_OK && !r->training && have_tu) {
            unlink(tu.path);
            remove_sidecars(tu.path);
        }
        if (rc == SW_OK)
            rc = recompute(o->db_url, false, "main", got, &r->practices, err);
        if (rc == SW_OK && r->training)
            rc = recompute(o->training_url, false, "training", got, NULL, err);
    } else {
        char path[PATH_MAX];
        stored_name(&b, BACKUP_PG_DUMP, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", o->src, name);
        rc = backup_pg_restore(u.conninfo, path, o->key, name, err);
        if (rc == SW_OK)
            rc = recompute(o->db_url, true, NULL, got, &r->practices, err);
        r->training = json_array_size(got) > 1;
    }
    json_t *want = json_object_get(b.content, "stores");
    if (rc == SW_OK)
        rc = backup_manifest_compare(want, got, err);
    if (rc == SW_OK)
        backup_manifest_totals(got, &r->tables, &r->rows);
    /* The manifest's own hash names this backup in the restore record. */
    char mpath[PATH_MAX];
    snprintf(mpath, sizeof mpath, "%s/%s", o->src, BACKUP_MANIFEST);
    backup_hash_file(mpath, r->manifest_sha256, NULL, NULL);
    json_decref(got);
    src_free(&b);
    return rc;
}
