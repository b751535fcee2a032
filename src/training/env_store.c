/* env_store.c - the training environment's store: deriving its URL,
 * creating and migrating it, mirroring the practice's accounts into it and
 * wiping it for `stagewise training reset` (env_store.h).
 *
 * Called at start-up by `stagewise serve` and `stagewise init`, by the
 * reset command, and (the mirror of one account) by the first training
 * request of an account the training store does not know yet. */
#include "env_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

#define TRAINING_SQLITE_SUFFIX "-training"
/* libpq's options parameter, percent-encoded: -c search_path=training. */
#define TRAINING_PG_OPTIONS "options=-csearch_path%3D" TRAINING_PG_SCHEMA

int training_store_url(const char *db_url, char *out, size_t cap, sw_err *err)
{
    if (db_url == NULL || db_url[0] == '\0')
        return sw_err_set(err, SW_EUSAGE, "the database URL is empty, so the "
                          "training store's cannot be derived; give "
                          "--training-db URL");
    int n;
    if (strncmp(db_url, "sqlite:", 7) == 0) {
        n = snprintf(out, cap, "%s" TRAINING_SQLITE_SUFFIX, db_url);
    } else if (strncmp(db_url, "postgresql://", 13) == 0
               || strncmp(db_url, "postgres://", 11) == 0) {
        const char *q = strchr(db_url, '?');
        if (q != NULL && (strstr(q, "?options=") || strstr(q, "&options=")))
            return sw_err_set(err, SW_EUSAGE, "the database URL sets libpq "
                              "options, so the training schema cannot be "
                              "added to it; give --training-db URL");
        n = snprintf(out, cap, "%s%c%s", db_url, q ? '&' : '?',
                     TRAINING_PG_OPTIONS);
    } else {
        return sw_err_set(err, SW_EUSAGE, "the training store's URL cannot be "
                          "derived from this database URL; give "
                          "--training-db URL");
    }
    if (n < 0 || (size_t)n >= cap)
        return sw_err_set(err, SW_EUSAGE, "the database URL is too long to "
                          "derive the training store's from; give "
                          "--training-db URL");
    return SW_OK;
}

static int create_schema_fn(store_tx *tx, void *arg)
{
    (void)arg;
    return store_exec(tx, NULL, "CREATE SCHEMA IF NOT EXISTS "
                      TRAINING_PG_SCHEMA, "");
}

int training_store_open(sw_store *prod, const char *prod_url, const char *url,
                        int connections, sw_store **out, bool *created,
                        sw_err *err)
{
    *out = NULL;
    char derived[SW_STORE_MAX_URL_BYTES];
    if (url == NULL) {
        int rc = training_store_url(prod_url, derived, sizeof derived, err);
        if (rc != SW_OK)
            return rc;
        url = derived;
        /* The derived schema is made through production's connection:
         * a search_path naming a missing schema leaves nowhere to
         * create tables. */
        if (store_kind_of(prod) == STORE_POSTGRES) {
            rc = store_write(prod, create_schema_fn, NULL, err);
            if (rc != SW_OK)
                return rc;
        }
    }
    store_options so = { .create = true, .connections = connections };
    sw_store *s;
    int rc = store_open(url, &so, &s, err);
    if (rc != SW_OK)
        return rc;
    int from = 0, to = 0;
    rc = store_migrate(s, &from, &to, err);
    if (rc != SW_OK) {
        store_close(s);
        return rc;
    }
    if (created != NULL)
        *created = from == 0;
    *out = s;
    return SW_OK;
}

/* ---- The accounts' mirror ------------------------------------------------ */

typedef struct mirror_practice {
    int64_t id;
    char   *name;
    int64_t is_demo, mfa_admin;
    char   *created_at;
} mirror_practice;

typedef struct mirror_user {
    int64_t practice_id, user_id, disabled;
    char   *username, *display_name, *roles, *created_at, *kind, *scope;
} mirror_user;

typedef struct mirror {
    int64_t          practice_id;    /* 0: all */
    mirror_practice *practices;
    size_t           npractices;
    mirror_user     *users;
    size_t           nusers;
} mirror;

static char *dup_col(store_stmt *st, int col)
{
    size_t n;
    const char *t = store_col_text(st, col, &n);
    char *d = sw_malloc(n + 1);
    if (d != NULL) {
        memcpy(d, t, n);
        d[n] = '\0';
    }
    return d;
}

static void mirror_free(mirror *m)
{
    for (size_t i = 0; i < m->npractices; i++) {
        sw_free(m->practices[i].name);
        sw_free(m->practices[i].created_at);
    }
    for (size_t i = 0; i < m->nusers; i++) {
        mirror_user *u = &m->users[i];
        sw_free(u->username);
        sw_free(u->display_name);
        sw_free(u->roles);
        sw_free(u->created_at);
        sw_free(u->kind);
        sw_free(u->scope);
    }
    sw_free(m->practices);
    sw_free(m->users);
    m->practices = NULL;
    m->users = NULL;
    m->npractices = m->nusers = 0;
}

/* Grows *arr (of elem bytes) to hold one more than *n. */
static int grow(void **arr, size_t n, size_t elem)
{
    void *p = sw_realloc(*arr, (n + 1) * elem);
    if (p == NULL)
        return SW_ENOMEM;
    memset((char *)p + n * elem, 0, elem);
    *arr = p;
    return SW_OK;
}

static int read_prod_fn(store_tx *tx, void *arg)
{
    mirror *m = arg;
    mirror_free(m);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT practice_id, name, is_demo, "
                           "mfa_admin_required, created_at FROM practice "
                           "WHERE ? = 0 OR practice_id = ? "
                           "ORDER BY practice_id", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, m->practice_id);
    store_bind_int64(st, 2, m->practice_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        if ((rc = grow((void **)&m->practices, m->npractices,
                       sizeof *m->practices)) != SW_OK)
            break;
        mirror_practice *p = &m->practices[m->npractices++];
        p->id = store_col_int64(st, 0);
        p->name = dup_col(st, 1);
        p->is_demo = store_col_int64(st, 2);
        p->mfa_admin = store_col_int64(st, 3);
        p->created_at = dup_col(st, 4);
        if (p->name == NULL || p->created_at == NULL) {
            rc = SW_ENOMEM;
            break;
        }
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc == SW_ENOMEM ? store_tx_fail(tx, rc, "out of memory") : rc;
    rc = store_prepare(tx, "SELECT practice_id, user_id, username, "
                       "display_name, roles, disabled, created_at, kind, "
                       "scope FROM app_user WHERE ? = 0 OR practice_id = ? "
                       "ORDER BY practice_id, user_id", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, m->practice_id);
    store_bind_int64(st, 2, m->practice_id);
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        if ((rc = grow((void **)&m->users, m->nusers, sizeof *m->users)) != SW_OK)
            break;
        mirror_user *u = &m->users[m->nusers++];
        u->practice_id = store_col_int64(st, 0);
        u->user_id = store_col_int64(st, 1);
        u->username = dup_col(st, 2);
        u->display_name = dup_col(st, 3);
        u->roles = dup_col(st, 4);
        u->disabled = store_col_int64(st, 5);
        u->created_at = dup_col(st, 6);
        u->kind = dup_col(st, 7);
        u->scope = dup_col(st, 8);
        if (!u->username || !u->display_name || !u->roles || !u->created_at
            || !u->kind || !u->scope) {
            rc = SW_ENOMEM;
            break;
        }
    }
    store_finalize(st);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, rc, "out of memory");
    return rc;
}

static int write_training_fn(store_tx *tx, void *arg)
{
    mirror *m = arg;
    for (size_t i = 0; i < m->npractices; i++) {
        const mirror_practice *p = &m->practices[i];
        int rc = store_exec(tx, NULL,
            "INSERT INTO practice (practice_id, name, is_demo, created_at, "
            "mfa_admin_required) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (practice_id) DO UPDATE SET name = excluded.name, "
            "is_demo = excluded.is_demo, "
            "mfa_admin_required = excluded.mfa_admin_required",
            "ititi", p->id, p->name, p->is_demo, p->created_at, p->mfa_admin);
        if (rc != SW_OK)
            return rc;
    }
    for (size_t i = 0; i < m->nusers; i++) {
        const mirror_user *u = &m->users[i];
        /* A renamed account: its old name may sit on another id here. */
        int rc = store_exec(tx, NULL, "DELETE FROM app_user WHERE "
                            "practice_id = ? AND username = ? AND user_id <> ?",
                            "iti", u->practice_id, u->username, u->user_id);
        if (rc != SW_OK)
            return rc;
        /* No password hash (sign-in is production's), no TOTP secret, no
         * Practitioner link (production's Practitioner is not here). */
        rc = store_exec(tx, NULL,
            "INSERT INTO app_user (practice_id, user_id, username, "
            "display_name, password_hash, roles, disabled, created_at, kind, "
            "scope, practitioner_id) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, '') "
            "ON CONFLICT (practice_id, user_id) DO UPDATE SET "
            "username = excluded.username, "
            "display_name = excluded.display_name, roles = excluded.roles, "
            "disabled = excluded.disabled, kind = excluded.kind, "
            "scope = excluded.scope",
            "iitttittt", u->practice_id, u->user_id, u->username,
            u->display_name, u->roles, u->disabled, u->created_at, u->kind,
            u->scope);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

int training_store_mirror_users(sw_store *prod, sw_store *training,
                                int64_t practice_id, int *count, sw_err *err)
{
    mirror m = { .practice_id = practice_id };
    int rc = store_read(prod, read_prod_fn, &m, err);
    if (rc == SW_OK)
        rc = store_write(training, write_training_fn, &m, err);
    if (rc == SW_OK && count != NULL)
        *count = (int)m.nusers;
    mirror_free(&m);
    return rc;
}

struct has_user {
    int64_t practice_id, user_id;
    bool   *has;
};

static int has_user_fn(store_tx *tx, void *arg)
{
    struct has_user *h = arg;
    int64_t n = 0;
    int rc = store_query_int64(tx, &n, "SELECT count(*) FROM app_user WHERE "
                               "practice_id = ? AND user_id = ?", "ii",
                               h->practice_id, h->user_id);
    *h->has = rc == SW_OK && n > 0;
    return rc;
}

int training_store_has_user(sw_store *training, int64_t practice_id,
                            int64_t user_id, bool *has, sw_err *err)
{
    struct has_user h = { practice_id, user_id, has };
    *has = false;
    return store_read(training, has_user_fn, &h, err);
}

/* ---- Wiping -------------------------------------------------------------- */

#define WIPE_MAX_TABLES 128

struct wipe {
    int64_t practice_id;
    int     tables;
};

/* Tables kept: the practice and its accounts (the mirror refreshes them;
 * sessions and tokens reference them), the audit trail (append-only) and
 * the schema's own record. */
static bool kept(const char *table)
{
    static const char *const keep[] = {
        "practice", "app_user", "audit_log", "audit_head",
        "schema_migrations", NULL,
    };
    for (size_t i = 0; keep[i]; i++)
        if (strcmp(table, keep[i]) == 0)
            return true;
    return false;
}

static int wipe_fn(store_tx *tx, void *arg)
{
    struct wipe *w = arg;
    w->tables = 0;
    store_stmt *st;
    int rc = store_prepare(tx, store_tx_kind(tx) == STORE_SQLITE
        ? "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
          "WHERE m.type = 'table' AND c.name = 'practice_id' ORDER BY m.name"
        : "SELECT table_name FROM information_schema.columns "
          "WHERE table_schema = current_schema() "
          "AND column_name = 'practice_id' ORDER BY table_name", &st);
    if (rc != SW_OK)
        return rc;
    /* The statements, built while reading the catalog: names come from
     * the schema itself, never from a request. */
    char *sqls[WIPE_MAX_TABLES];
    int n = 0;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row && n < WIPE_MAX_TABLES) {
        const char *t = store_col_text(st, 0, NULL);
        if (kept(t))
            continue;
        size_t len = strlen(t) + 40;
        sqls[n] = sw_malloc(len);
        if (sqls[n] == NULL) {
            rc = SW_ENOMEM;
            break;
        }
        snprintf(sqls[n++], len, "DELETE FROM %s WHERE practice_id = ?", t);
    }
    store_finalize(st);
    for (int i = 0; i < n; i++) {
        if (rc == SW_OK) {
            rc = store_exec(tx, NULL, sqls[i], "i", w->practice_id);
            w->tables += rc == SW_OK;
        }
        sw_free(sqls[i]);
    }
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, rc, "out of memory");
    return rc;
}

int training_store_wipe(sw_store *training, int64_t practice_id, int *tables,
                        sw_err *err)
{
    struct wipe w = { .practice_id = practice_id };
    int rc = store_write(training, wipe_fn, &w, err);
    if (rc == SW_OK && tables != NULL)
        *tables = w.tables;
    return rc;
}
