/* overrides.c - user_module_override rows (see overrides.h). */
#include "overrides.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

int override_list_tx(store_tx *tx, sw_arena *a, int64_t practice_id,
                     override_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    override_row *out = sw_arena_calloc(a, OVERRIDE_MAX_ROWS, sizeof *out);
    if (out == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT o.user_id, COALESCE(u.username, ''), "
                           "o.module, o.reason, o.set_by, o.set_at FROM "
                           "user_module_override o LEFT JOIN app_user u ON "
                           "u.practice_id = o.practice_id AND u.user_id = "
                           "o.user_id WHERE o.practice_id = ? ORDER BY "
                           "o.user_id, o.module LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, OVERRIDE_MAX_ROWS);
    size_t k = 0;
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        override_row *r = &out[k++];
        r->user_id = store_col_int64(st, 0);
        r->username = sw_arena_strdup(a, store_col_text(st, 1, NULL));
        r->module = sw_arena_strdup(a, store_col_text(st, 2, NULL));
        r->reason = sw_arena_strdup(a, store_col_text(st, 3, NULL));
        r->set_by = store_col_int64(st, 4);
        r->set_at_ms = store_col_int64(st, 5);
        if (!r->username || !r->module || !r->reason)
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
    sw_arena     *a;
    int64_t       practice_id;
    override_row *rows;
    size_t        n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return override_list_tx(tx, c->a, c->practice_id, &c->rows, &c->n);
}

int override_list(sw_store *s, sw_arena *a, int64_t practice_id,
                  override_row **rows, size_t *n, sw_err *err)
{
    struct list_ctx c = { .a = a, .practice_id = practice_id };
    int rc = store_read(s, list_fn, &c, err);
    *rows = c.rows;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

struct set_ctx {
    const audit_who   *who;
    int64_t            user_id;
    const char *const *modules;
    size_t             n;
    const char        *reason;
    bool               clear;
};

static int set_fn(store_tx *tx, void *arg)
{
    struct set_ctx *c = arg;
    int64_t p = c->who->practice_id, gone = 0, now = sw_now_wall_ms();
    int rc = store_exec(tx, &gone, "DELETE FROM user_module_override WHERE "
                        "practice_id = ? AND user_id = ?", "ii", p, c->user_id);
    if (rc != SW_OK)
        return rc;
    if (c->clear && gone == 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "this user has no override");
    char detail[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < c->n && rc == SW_OK; i++) {
        rc = store_exec(tx, NULL, "INSERT INTO user_module_override "
                        "(practice_id, user_id, module, reason, set_by, "
                        "set_at) VALUES (?, ?, ?, ?, ?, ?)", "iittii", p,
                        c->user_id, c->modules[i], c->reason, c->who->user_id,
                        now);
        if (used < sizeof detail)
            used += (size_t)snprintf(detail + used, sizeof detail - used,
                                     "%s%s", i ? "," : "set: ", c->modules[i]);
    }
    if (rc != SW_OK)
        return rc;
    char uid[32];
    snprintf(uid, sizeof uid, "%lld", (long long)c->user_id);
    audit_entry e = {
        .who = c->who, .action = AUDIT_ACCESS_CHANGE,
        .feature = OVERRIDE_FEATURE, .patient_id = "", .res_type = "User",
        .res_id = uid, .outcome = AUDIT_SUCCESS,
        .detail = c->clear ? "cleared" : detail,
    };
    return audit_append(tx, &e);
}

int override_set(sw_store *s, const audit_who *who, int64_t user_id,
                 const char *const *modules, size_t n, const char *reason,
                 sw_err *err)
{
    struct set_ctx c = { who, user_id, modules, n, reason ? reason : "", false };
    return store_write(s, set_fn, &c, err);
}

int override_clear(sw_store *s, const audit_who *who, int64_t user_id,
                   sw_err *err)
{
    struct set_ctx c = { who, user_id, NULL, 0, "", true };
    return store_write(s, set_fn, &c, err);
}
