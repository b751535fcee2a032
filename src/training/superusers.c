/* superusers.c - super_user rows (see superusers.h). */
#include "superusers.h"

#include <stdio.h>
#include <string.h>

#include "auth/users.h"
#include "core/clock.h"

int superuser_list_tx(store_tx *tx, sw_arena *a, int64_t practice_id,
                      const char *module, superuser_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    superuser_row *out = sw_arena_calloc(a, SUPERUSER_MAX_ROWS, sizeof *out);
    if (out == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT s.module, s.user_id, u.username, "
                           "u.display_name, u.roles, s.added_at FROM "
                           "super_user s JOIN app_user u ON u.practice_id = "
                           "s.practice_id AND u.user_id = s.user_id WHERE "
                           "s.practice_id = ? AND (? = '' OR s.module = ?) "
                           "AND u.disabled = 0 ORDER BY s.module, u.username "
                           "LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    const char *m = module ? module : "";
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, m)) == SW_OK
        && (rc = store_bind_cstr(st, 3, m)) == SW_OK)
        rc = store_bind_int64(st, 4, SUPERUSER_MAX_ROWS);
    size_t k = 0;
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        superuser_row *r = &out[k++];
        r->module = sw_arena_strdup(a, store_col_text(st, 0, NULL));
        r->user_id = store_col_int64(st, 1);
        r->username = sw_arena_strdup(a, store_col_text(st, 2, NULL));
        r->display_name = sw_arena_strdup(a, store_col_text(st, 3, NULL));
        r->roles = sw_arena_strdup(a, store_col_text(st, 4, NULL));
        r->added_at_ms = store_col_int64(st, 5);
        if (!r->module || !r->username || !r->display_name || !r->roles)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    if (rc == SW_OK) {
        *rows = out;
        *n = k;
    }
    return rc;
}

struct list_ctx {
    sw_arena      *a;
    int64_t        practice_id;
    const char    *module;
    superuser_row *rows;
    size_t         n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return superuser_list_tx(tx, c->a, c->practice_id, c->module, &c->rows,
                             &c->n);
}

int superuser_list(sw_store *s, sw_arena *a, int64_t practice_id,
                   const char *module, superuser_row **rows, size_t *n,
                   sw_err *err)
{
    struct list_ctx c = { .a = a, .practice_id = practice_id, .module = module };
    int rc = store_read(s, list_fn, &c, err);
    *rows = c.rows;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

int superuser_is_tx(store_tx *tx, int64_t practice_id, const char *module,
                    int64_t user_id, bool *yes)
{
    int64_t k = 0;
    int rc = store_query_int64(tx, &k, "SELECT COUNT(*) FROM super_user WHERE "
                               "practice_id = ? AND module = ? AND user_id = ?",
                               "iti", practice_id, module, user_id);
    *yes = rc == SW_OK && k > 0;
    return rc;
}

struct change_ctx {
    const audit_who *who;
    const char      *module;
    const char      *username;
    bool             add;
    bool             changed;
};

/* The account's id, or the transaction failed saying why it cannot be on
 * a roster. */
static int account_of(store_tx *tx, const struct change_ctx *c, int64_t *uid)
{
    int64_t p = c->who->practice_id, id = 0, service = 0, disabled = 0;
    int rc = store_query_int64(tx, &id, "SELECT COALESCE(MAX(user_id), 0) FROM "
                               "app_user WHERE practice_id = ? AND username = ?",
                               "it", p, c->username);
    if (rc != SW_OK)
        return rc;
    if (id == 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no user '%.64s'",
                             c->username);
    *uid = id;
    if (!c->add)
        return SW_OK;
    rc = store_query_int64(tx, &service, "SELECT COUNT(*) FROM app_user WHERE "
                           "practice_id = ? AND user_id = ? AND kind = ?",
                           "iit", p, id, AUTH_KIND_SERVICE);
    if (rc == SW_OK)
        rc = store_query_int64(tx, &disabled, "SELECT COUNT(*) FROM app_user "
                               "WHERE practice_id = ? AND user_id = ? AND "
                               "disabled <> 0", "ii", p, id);
    if (rc != SW_OK)
        return rc;
    if (service)
        return store_tx_fail(tx, SW_EUNPROCESSABLE, "'%.64s' is a service "
                             "account: only people can help colleagues",
                             c->username);
    if (disabled)
        return store_tx_fail(tx, SW_EUNPROCESSABLE, "'%.64s' is disabled: "
                             "enable the account first", c->username);
    return SW_OK;
}

static int change_fn(store_tx *tx, void *arg)
{
    struct change_ctx *c = arg;
    int64_t p = c->who->practice_id, uid = 0, k = 0;
    c->changed = false;
    int rc = account_of(tx, c, &uid);
    if (rc != SW_OK)
        return rc;
    if (c->add) {
        bool already;
        if ((rc = superuser_is_tx(tx, p, c->module, uid, &already)) != SW_OK
            || already)
            return rc;
        rc = store_exec(tx, &k, "INSERT INTO super_user (practice_id, module, "
                        "user_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
                        "itiii", p, c->module, uid, c->who->user_id,
                        sw_now_wall_ms());
    } else {
        rc = store_exec(tx, &k, "DELETE FROM super_user WHERE practice_id = ? "
                        "AND module = ? AND user_id = ?", "iti", p, c->module,
                        uid);
        if (rc == SW_OK && k == 0)
            return store_tx_fail(tx, SW_ENOTFOUND, "'%.64s' is not a "
                                 "super-user of %.40s", c->username, c->module);
    }
    if (rc != SW_OK)
        return rc;
    c->changed = true;
    char id[32], detail[80];
    snprintf(id, sizeof id, "%lld", (long long)uid);
    snprintf(detail, sizeof detail, "%s %s", c->add ? "add" : "remove",
             c->module);
    audit_entry e = {
        .who = c->who, .action = AUDIT_ACCESS_CHANGE,
        .feature = SUPERUSER_FEATURE, .patient_id = "", .res_type = "User",
        .res_id = id, .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    return audit_append(tx, &e);
}

int superuser_add(sw_store *s, const audit_who *who, const char *module,
                  const char *username, bool *added, sw_err *err)
{
    struct change_ctx c = { who, module, username, true, false };
    int rc = store_write(s, change_fn, &c, err);
    if (added != NULL)
        *added = rc == SW_OK && c.changed;
    return rc;
}

int superuser_remove(sw_store *s, const audit_who *who, const char *module,
                     const char *username, sw_err *err)
{
    struct change_ctx c = { who, module, username, false, false };
    return store_write(s, change_fn, &c, err);
}
