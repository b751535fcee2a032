/* help.c - help requests and their inbox items (see help.h). */
#include "help.h"

#include <stdio.h>
#include <string.h>

#include "clinical/inbox.h"
#include "core/clock.h"
#include "training/superusers.h"

/* ---- Asking ---------------------------------------------------------------- */

struct create_ctx {
    const audit_who *who;
    const char      *module, *screen, *text;
    int64_t          request_id, recipients;
};

static int create_fn(store_tx *tx, void *arg)
{
    struct create_ctx *c = arg;
    int64_t p = c->who->practice_id, now = sw_now_wall_ms();
    c->recipients = 0;
    int rc = store_query_int64(tx, &c->request_id, "SELECT COALESCE(MAX("
                               "request_id), 0) + 1 FROM help_request WHERE "
                               "practice_id = ?", "i", p);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "INSERT INTO help_request (practice_id, "
                        "request_id, user_id, module, screen, text, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "iiittti",
                        p, c->request_id, c->who->user_id, c->module,
                        c->screen, c->text, now);
    if (rc != SW_OK)
        return rc;
    /* The super-users' arena lives as long as this transaction. */
    sw_arena *a = sw_arena_create(SUPERUSER_MAX_ROWS * sizeof(superuser_row)
                                  + 64 * 1024);
    superuser_row *rows = NULL;
    size_t n = 0;
    rc = a ? superuser_list_tx(tx, a, p, c->module, &rows, &n) : SW_ENOMEM;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)c->request_id);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        if (rows[i].user_id == c->who->user_id)
            continue;
        inbox_new item = {
            .practice_id = p, .user_id = rows[i].user_id, .kind = INBOX_HELP,
            .res_type = HELP_RES_TYPE, .res_id = id, .patient_id = "",
            .flag = "", .at_ms = now,
        };
        rc = inbox_add(tx, &item, NULL);
        c->recipients++;
    }
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc == SW_ENOMEM ? store_tx_fail(tx, rc, NULL) : rc;
    if (c->recipients == 0)
        return store_tx_fail(tx, SW_ECONFLICT, "%.40s has no super-user who "
                             "could answer yet: ask the implementation lead "
                             "to name one", c->module);
    audit_entry e = {
        .who = c->who, .action = AUDIT_CREATE, .feature = HELP_FEATURE,
        .patient_id = "", .res_type = HELP_RES_TYPE, .res_id = id,
        .outcome = AUDIT_SUCCESS, .detail = c->module,
    };
    return audit_append(tx, &e);
}

int help_create(sw_store *s, const audit_who *who, const char *module,
                const char *screen, const char *text, int64_t *request_id,
                int64_t *recipients, sw_err *err)
{
    struct create_ctx c = { .who = who, .module = module, .screen = screen,
                            .text = text ? text : "" };
    int rc = store_write(s, create_fn, &c, err);
    *request_id = rc == SW_OK ? c.request_id : 0;
    *recipients = rc == SW_OK ? c.recipients : 0;
    return rc;
}

/* ---- Reading --------------------------------------------------------------- */

#define HELP_SELECT \
    "SELECT h.request_id, h.user_id, COALESCE(u.username, ''), " \
    "COALESCE(u.display_name, ''), h.module, h.screen, h.text, h.created_at, " \
    "h.answered_by, COALESCE(b.username, ''), COALESCE(b.display_name, ''), " \
    "h.answered_at FROM help_request h " \
    "LEFT JOIN app_user u ON u.practice_id = h.practice_id AND u.user_id = h.user_id " \
    "LEFT JOIN app_user b ON b.practice_id = h.practice_id AND b.user_id = h.answered_by "

static int read_row(store_stmt *st, sw_arena *a, int64_t me, help_row *r)
{
    r->request_id = store_col_int64(st, 0);
    r->user_id = store_col_int64(st, 1);
    r->username = sw_arena_strdup(a, store_col_text(st, 2, NULL));
    r->display_name = sw_arena_strdup(a, store_col_text(st, 3, NULL));
    r->module = sw_arena_strdup(a, store_col_text(st, 4, NULL));
    r->screen = sw_arena_strdup(a, store_col_text(st, 5, NULL));
    r->text = sw_arena_strdup(a, store_col_text(st, 6, NULL));
    r->created_at_ms = store_col_int64(st, 7);
    r->answered_by = store_col_int64(st, 8);
    r->answered_by_username = sw_arena_strdup(a, store_col_text(st, 9, NULL));
    r->answered_by_name = sw_arena_strdup(a, store_col_text(st, 10, NULL));
    r->answered_at_ms = store_col_int64(st, 11);
    r->mine = r->user_id == me;
    bool ok = r->username && r->display_name && r->module && r->screen
        && r->text && r->answered_by_username && r->answered_by_name;
    return ok ? SW_OK : SW_ENOMEM;
}

struct list_ctx {
    sw_arena *a;
    int64_t   practice_id, user_id;
    help_row *rows;
    size_t    n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    c->n = 0;
    c->rows = sw_arena_calloc(c->a, HELP_LIST_MAX, sizeof *c->rows);
    if (c->rows == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    store_stmt *st;
    int rc = store_prepare(tx, HELP_SELECT "WHERE h.practice_id = ? AND "
                           "(h.user_id = ? OR EXISTS (SELECT 1 FROM inbox_item "
                           "i WHERE i.practice_id = h.practice_id AND i.kind = ? "
                           "AND i.res_type = ? AND i.res_id = CAST(h.request_id "
                           "AS TEXT) AND i.user_id = ?)) ORDER BY h.created_at "
                           "DESC, h.request_id DESC LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, c->user_id)) == SW_OK
        && (rc = store_bind_cstr(st, 3, INBOX_HELP)) == SW_OK
        && (rc = store_bind_cstr(st, 4, HELP_RES_TYPE)) == SW_OK
        && (rc = store_bind_int64(st, 5, c->user_id)) == SW_OK)
        rc = store_bind_int64(st, 6, HELP_LIST_MAX);
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
           && c->n < HELP_LIST_MAX)
        rc = read_row(st, c->a, c->user_id, &c->rows[c->n++]);
    store_finalize(st);
    return rc;
}

int help_list(sw_store *s, sw_arena *a, int64_t practice_id, int64_t user_id,
              help_row **rows, size_t *n, sw_err *err)
{
    struct list_ctx c = { .a = a, .practice_id = practice_id,
                          .user_id = user_id };
    int rc = store_read(s, list_fn, &c, err);
    *rows = rc == SW_OK ? c.rows : NULL;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

/* ---- Answering ------------------------------------------------------------- */

struct answer_ctx {
    sw_arena        *a;
    const audit_who *who;
    int64_t          request_id;
    help_row         row;
};

static int load_one(store_tx *tx, struct answer_ctx *c, bool *found)
{
    store_stmt *st;
    int rc = store_prepare(tx, HELP_SELECT "WHERE h.practice_id = ? AND "
                           "h.request_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    *found = false;
    if ((rc = store_bind_int64(st, 1, c->who->practice_id)) == SW_OK)
        rc = store_bind_int64(st, 2, c->request_id);
    if (rc == SW_OK && (rc = store_step(st, found)) == SW_OK && *found)
        rc = read_row(st, c->a, c->who->user_id, &c->row);
    store_finalize(st);
    return rc;
}

static int answer_fn(store_tx *tx, void *arg)
{
    struct answer_ctx *c = arg;
    int64_t p = c->who->practice_id, now = sw_now_wall_ms(), sent = 0;
    bool found, super;
    int rc = load_one(tx, c, &found);
    if (rc != SW_OK)
        return rc;
    if (!found)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no help request %lld",
                             (long long)c->request_id);
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)c->request_id);
    rc = store_query_int64(tx, &sent, "SELECT COUNT(*) FROM inbox_item WHERE "
                           "practice_id = ? AND kind = ? AND res_type = ? AND "
                           "res_id = ? AND user_id = ?", "ittti", p,
                           INBOX_HELP, HELP_RES_TYPE, id, c->who->user_id);
    if (rc == SW_OK)
        rc = superuser_is_tx(tx, p, c->row.module, c->who->user_id, &super);
    if (rc != SW_OK)
        return rc;
    if (sent == 0 && !super)
        return store_tx_fail(tx, SW_EFORBIDDEN, "only the super-users of "
                             "%.40s answer its help requests", c->row.module);
    if (c->row.answered_by != 0)
        return SW_OK;
    rc = store_exec(tx, NULL, "UPDATE help_request SET answered_by = ?, "
                    "answered_at = ? WHERE practice_id = ? AND request_id = ?",
                    "iiii", c->who->user_id, now, p, c->request_id);
    if (rc == SW_OK)
        rc = inbox_done_for(tx, p, INBOX_HELP, HELP_RES_TYPE, id,
                            c->who->user_id, now, NULL);
    audit_entry e = {
        .who = c->who, .action = AUDIT_UPDATE, .feature = HELP_FEATURE,
        .patient_id = "", .res_type = HELP_RES_TYPE, .res_id = id,
        .outcome = AUDIT_SUCCESS, .detail = "answered",
    };
    if (rc == SW_OK)
        rc = audit_append(tx, &e);
    if (rc == SW_OK) {
        bool again;
        rc = load_one(tx, c, &again);
    }
    return rc;
}

int help_answer(sw_store *s, sw_arena *a, const audit_who *who,
                int64_t request_id, help_row *row, sw_err *err)
{
    struct answer_ctx c = { .a = a, .who = who, .request_id = request_id };
    int rc = store_write(s, answer_fn, &c, err);
    if (rc == SW_OK && row != NULL)
        *row = c.row;
    return rc;
}
