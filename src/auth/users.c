/* users.c - practice and user rows: creating them for init and the demo
 * seed, checking account fields, reading accounts (see users.h). Called by
 * `stagewise init`, the demo seed, `stagewise user`, /api/users and the
 * account changes of accounts.c. Reads are an administrator's list or one
 * row by key. */
#include "users.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/authz.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/utf8.h"

/* ---- Rows for init and the demo seed ------------------------------------- */

int auth_practice_ids(store_tx *tx, int64_t *ids, int cap, int *n)
{
    *n = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT practice_id FROM practice "
                               "ORDER BY practice_id", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    while ((rc = store_step(st, &row)) == SW_OK && row && *n < cap)
        ids[(*n)++] = store_col_int64(st, 0);
    store_finalize(st);
    return rc;
}

int auth_practice_ensure(store_tx *tx, int64_t practice_id, const char *name,
                         bool is_demo, bool *created)
{
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    int64_t changes = 0;
    int rc = store_exec(tx, &changes,
        "INSERT INTO practice (practice_id, name, is_demo, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (practice_id) DO NOTHING",
        "itit", practice_id, name, (int64_t)(is_demo ? 1 : 0), now);
    if (rc == SW_OK && created)
        *created = changes > 0;
    return rc;
}

int auth_practice_is_demo(store_tx *tx, int64_t practice_id, bool *is_demo)
{
    int64_t v = 0;
    int rc = store_query_int64(tx, &v,
        "SELECT is_demo FROM practice WHERE practice_id = ?", "i", practice_id);
    if (rc == SW_ENOTFOUND) {
        *is_demo = false;
        return SW_OK;
    }
    *is_demo = v != 0;
    return rc;
}

int auth_user_exists(store_tx *tx, int64_t practice_id, const char *username,
                     bool *exists)
{
    int64_t n = 0;
    int rc = store_query_int64(tx, &n,
        "SELECT count(*) FROM app_user WHERE practice_id = ? AND username = ?",
        "it", practice_id, username);
    *exists = n > 0;
    return rc;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

int auth_user_create(store_tx *tx, const auth_new_user *u, bool *created,
                     int64_t *user_id)
{
    bool exists = false;
    int rc = auth_user_exists(tx, u->practice_id, u->username, &exists);
    if (rc != SW_OK)
        return rc;
    if (exists) {
        *created = false;
        return SW_OK;
    }
    int64_t id = 0;
    rc = store_query_int64(tx, &id,
        "SELECT coalesce(max(user_id), 0) + 1 FROM app_user WHERE practice_id = ?",
        "i", u->practice_id);
    if (rc != SW_OK)
        return rc;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    rc = store_exec(tx, NULL,
        "INSERT INTO app_user (practice_id, user_id, username, display_name, "
        "password_hash, roles, disabled, created_at, kind, scope, "
        "practitioner_id) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
        "iitttt" "tttt", u->practice_id, id, u->username, u->display_name,
        u->password_hash, u->roles, now, u->kind ? u->kind : AUTH_KIND_PERSON,
        or_empty(u->scope), or_empty(u->practitioner_id));
    if (rc != SW_OK)
        return rc;
    *created = true;
    if (user_id)
        *user_id = id;
    return SW_OK;
}

/* ---- Checks -------------------------------------------------------------- */

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9');
}

int auth_username_check(const char *username, sw_err *err)
{
    size_t n = username ? strlen(username) : 0;
    if (n == 0 || n > SW_MAX_USERNAME_BYTES)
        return sw_err_set(err, SW_EINVAL, "a username is 1 to %d characters",
                          SW_MAX_USERNAME_BYTES);
    if (!is_alnum(username[0]))
        return sw_err_set(err, SW_EINVAL, "a username starts with a letter or "
                          "a digit");
    for (size_t i = 0; i < n; i++) {
        char c = username[i];
        if (!is_alnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
            return sw_err_set(err, SW_EINVAL, "a username is made of letters, "
                              "digits, '.', '_', '-' and '@' (no spaces)");
    }
    return SW_OK;
}

int auth_display_name_check(const char *name, sw_err *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > AUTH_DISPLAY_NAME_MAX)
        return sw_err_set(err, SW_EINVAL, "a display name is 1 to %d bytes",
                          AUTH_DISPLAY_NAME_MAX);
    if (!sw_utf8_valid(name, n))
        return sw_err_set(err, SW_EINVAL, "the display name is not valid "
                          "UTF-8 text");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return sw_err_set(err, SW_EINVAL, "the display name contains a "
                              "control character");
    return SW_OK;
}

static bool scope_word(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
            return false;
    return true;
}

int auth_scope_check(const char *scope, sw_err *err)
{
    size_t n = scope ? strlen(scope) : 0;
    if (n == 0)
        return sw_err_set(err, SW_EINVAL, "a service account needs a scope: "
                          "comma-separated area:action items such as "
                          "\"demographics:write,billing:read\"");
    if (n > AUTH_SCOPE_MAX)
        return sw_err_set(err, SW_EINVAL, "a scope is at most %d bytes",
                          AUTH_SCOPE_MAX);
    const char *p = scope, *end = scope + n;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *colon = memchr(p, ':', (size_t)(stop - p));
        int len = (int)(stop - p) > 40 ? 40 : (int)(stop - p);
        if (colon == NULL || !scope_word(p, (size_t)(colon - p))
            || !scope_word(colon + 1, (size_t)(stop - colon - 1)))
            return sw_err_set(err, SW_EINVAL, "scope item \"%.*s\" is not of "
                              "the form area:action in lowercase letters "
                              "(such as billing:read)", len, p);
        authz_area area;
        authz_action action;
        if (!authz_area_find(p, (size_t)(colon - p), &area)
            || !authz_action_find(colon + 1, (size_t)(stop - colon - 1),
                                  &action)) {
            char names[256] = "";
            for (int i = 0; i < AUTHZ_AREA__COUNT; i++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s",
                         i ? ", " : "", authz_area_name((authz_area)i));
            }
            return sw_err_set(err, SW_EINVAL, "scope item \"%.*s\" names an "
                              "unknown area or action; areas are %s, actions "
                              "read, write, sign, prescribe, order, admin",
                              len, p, names);
        }
        /* The same item earlier in the list? */
        for (const char *q = scope; q < p;) {
            const char *qc = memchr(q, ',', (size_t)(p - q));
            size_t qlen = (size_t)(qc - q);
            if (qlen == (size_t)(stop - p) && memcmp(q, p, qlen) == 0)
                return sw_err_set(err, SW_EINVAL, "scope item \"%.*s\" is "
                                  "listed twice", len, p);
            q = qc + 1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return SW_OK;
}

int auth_practitioner_id_check(const char *id, sw_err *err)
{
    size_t n = id ? strlen(id) : 0;
    bool ok = n >= 1 && n <= AUTH_PRACTITIONER_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = is_alnum(id[i]) || id[i] == '-' || id[i] == '.';
    if (!ok)
        return sw_err_set(err, SW_EINVAL, "a Practitioner id is 1 to %d "
                          "letters, digits, '-' or '.'",
                          AUTH_PRACTITIONER_ID_MAX);
    return SW_OK;
}

/* ---- Reading ------------------------------------------------------------- */

#define USER_COLUMNS \
    "user_id, username, display_name, roles, kind, scope, practitioner_id, " \
    "created_at, disabled, totp_enabled, locked_until"

static int read_row(store_stmt *st, sw_arena *a, int64_t practice_id,
                    auth_user *u)
{
    memset(u, 0, sizeof *u);
    u->practice_id = practice_id;
    u->user_id = store_col_int64(st, 0);
    u->username = sw_arena_strdup(a, store_col_text(st, 1, NULL));
    u->display_name = sw_arena_strdup(a, store_col_text(st, 2, NULL));
    u->roles = sw_arena_strdup(a, store_col_text(st, 3, NULL));
    u->kind = sw_arena_strdup(a, store_col_text(st, 4, NULL));
    u->scope = sw_arena_strdup(a, store_col_text(st, 5, NULL));
    u->practitioner_id = sw_arena_strdup(a, store_col_text(st, 6, NULL));
    u->created_at = sw_arena_strdup(a, store_col_text(st, 7, NULL));
    u->disabled = store_col_int64(st, 8) != 0;
    u->mfa_enabled = store_col_int64(st, 9) != 0;
    u->locked_until_ms = store_col_int64(st, 10);
    if (!u->username || !u->display_name || !u->roles || !u->kind || !u->scope
        || !u->practitioner_id || !u->created_at)
        return SW_ENOMEM;
    return SW_OK;
}

struct list_ctx {
    sw_arena  *arena;
    int64_t    practice_id;
    auth_user *users;
    size_t     n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    c->users = NULL;
    c->n = 0;
    int64_t count = 0;
    int rc = store_query_int64(tx, &count, "SELECT count(*) FROM app_user "
                               "WHERE practice_id = ?", "i", c->practice_id);
    if (rc != SW_OK)
        return rc;
    c->users = sw_arena_calloc(c->arena, (size_t)count + 1, sizeof *c->users);
    if (c->users == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    rc = store_prepare(tx, "SELECT " USER_COLUMNS " FROM app_user "
                       "WHERE practice_id = ? ORDER BY user_id", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, c->practice_id);
    bool row = false;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
           && c->n < (size_t)count)
        rc = read_row(st, c->arena, c->practice_id, &c->users[c->n++]);
    store_finalize(st);
    return rc;
}

int auth_user_list(sw_store *s, sw_arena *a, int64_t practice_id,
                   auth_user **users, size_t *n, sw_err *err)
{
    struct list_ctx c = { .arena = a, .practice_id = practice_id };
    int rc = store_read(s, list_fn, &c, err);
    *users = rc == SW_OK ? c.users : NULL;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

struct get_ctx {
    sw_arena   *arena;
    int64_t     practice_id;
    int64_t     user_id;      /* or 0 to look up by username */
    const char *username;
    auth_user  *out;
    bool        found;
};

/* Reads one user inside any transaction (the writes below use it too). */
static int get_fn(store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    c->found = false;
    store_stmt *st;
    int rc = store_prepare(tx, c->username
        ? "SELECT " USER_COLUMNS " FROM app_user WHERE practice_id = ? "
          "AND username = ?"
        : "SELECT " USER_COLUMNS " FROM app_user WHERE practice_id = ? "
          "AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, c->practice_id);
    if (rc == SW_OK)
        rc = c->username ? store_bind_cstr(st, 2, c->username)
                         : store_bind_int64(st, 2, c->user_id);
    bool row = false;
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        c->found = true;
        rc = read_row(st, c->arena, c->practice_id, c->out);
    }
    store_finalize(st);
    return rc;
}

static int get_common(sw_store *s, struct get_ctx *c, sw_err *err)
{
    int rc = store_read(s, get_fn, c, err);
    if (rc != SW_OK)
        return rc;
    if (!c->found)
        return c->username
            ? sw_err_set(err, SW_ENOTFOUND, "there is no user '%.64s' in "
                         "practice %" PRId64, c->username, c->practice_id)
            : sw_err_set(err, SW_ENOTFOUND, "there is no user %" PRId64
                         " in practice %" PRId64, c->user_id, c->practice_id);
    return SW_OK;
}

int auth_user_get(sw_store *s, sw_arena *a, int64_t practice_id,
                  int64_t user_id, auth_user *out, sw_err *err)
{
    struct get_ctx c = { .arena = a, .practice_id = practice_id,
                         .user_id = user_id, .out = out };
    return get_common(s, &c, err);
}

int auth_user_find(sw_store *s, sw_arena *a, int64_t practice_id,
                   const char *username, auth_user *out, sw_err *err)
{
    struct get_ctx c = { .arena = a, .practice_id = practice_id,
                         .username = username, .out = out };
    return get_common(s, &c, err);
}

int auth_user_load(store_tx *tx, sw_arena *a, int64_t practice_id,
                   int64_t user_id, auth_user *out, bool *found)
{
    struct get_ctx c = { .arena = a, .practice_id = practice_id,
                         .user_id = user_id, .out = out };
    int rc = get_fn(tx, &c);
    *found = rc == SW_OK && c.found;
    return rc;
}
