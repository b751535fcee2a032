/* plan_store.c - reading and writing plan versions (see plan_store.h).
 * Plain SQL over plan_version, keyed by practice and version; the body is
 * stored as the text it was given (the plan's canonical JSON), so a read
 * returns the bytes that were written. */
#include "plan_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/users.h"
#include "core/alloc.h"
#include "core/clock.h"

void plan_record_free(plan_record *r)
{
    if (r == NULL)
        return;
    sw_free(r->username);
    sw_free(r->comment);
    sw_free(r->body);
    memset(r, 0, sizeof *r);
}

void plan_records_free(plan_record *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        plan_record_free(&r[i]);
    sw_free(r);
}

static char *dup_col(store_stmt *st, int col)
{
    size_t n;
    const char *s = store_col_text(st, col, &n);
    char *out = sw_malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

/* Fills r from a row of (version, created_at, created_by, username,
 * comment[, body]). */
static int read_row(store_stmt *st, plan_record *r, bool body)
{
    r->version = store_col_int64(st, 0);
    r->at_ms = store_col_int64(st, 1);
    r->user_id = store_col_int64(st, 2);
    r->username = dup_col(st, 3);
    r->comment = dup_col(st, 4);
    r->body = body ? dup_col(st, 5) : NULL;
    if (r->username == NULL || r->comment == NULL || (body && r->body == NULL)) {
        plan_record_free(r);
        return SW_ENOMEM;
    }
    return SW_OK;
}

int plan_store_load_tx(store_tx *tx, int64_t practice_id, int64_t version,
                       plan_record *out)
{
    memset(out, 0, sizeof *out);
    store_stmt *st;
    int rc = store_prepare(tx, version > 0
        ? "SELECT version, created_at, created_by, username, comment, body "
          "FROM plan_version WHERE practice_id = ? AND version = ?"
        : "SELECT version, created_at, created_by, username, comment, body "
          "FROM plan_version WHERE practice_id = ? ORDER BY version DESC "
          "LIMIT 1", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, practice_id);
    if (rc == SW_OK && version > 0)
        rc = store_bind_int64(st, 2, version);
    bool row = false;
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row)
        rc = read_row(st, out, true);
    else if (rc == SW_OK && version > 0)
        rc = store_tx_fail(tx, SW_ENOTFOUND, "the plan has no version %" PRId64,
                           version);
    store_finalize(st);
    return rc;
}

struct load_ctx {
    int64_t      practice_id, version;
    plan_record *out;
};

static int load_fn(store_tx *tx, void *arg)
{
    struct load_ctx *c = arg;
    plan_record_free(c->out);
    return plan_store_load_tx(tx, c->practice_id, c->version, c->out);
}

int plan_store_load(sw_store *s, int64_t practice_id, int64_t version,
                    plan_record *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    struct load_ctx c = { practice_id, version, out };
    return store_read(s, load_fn, &c, err);
}

struct history_ctx {
    int64_t      practice_id;
    plan_record *rows;
    size_t       n;
};

static int history_fn(store_tx *tx, void *arg)
{
    struct history_ctx *c = arg;
    plan_records_free(c->rows, c->n);
    c->rows = NULL;
    c->n = 0;
    c->rows = sw_calloc(PLAN_HISTORY_MAX, sizeof *c->rows);
    if (c->rows == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT version, created_at, created_by, "
                           "username, comment FROM plan_version WHERE "
                           "practice_id = ? ORDER BY version DESC LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, c->practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, PLAN_HISTORY_MAX);
    bool row = true;
    while (rc == SW_OK && c->n < PLAN_HISTORY_MAX) {
        rc = store_step(st, &row);
        if (rc != SW_OK || !row)
            break;
        rc = read_row(st, &c->rows[c->n], false);
        if (rc == SW_OK)
            c->n++;
    }
    store_finalize(st);
    return rc;
}

int plan_store_history(sw_store *s, int64_t practice_id, plan_record **out,
                       size_t *n, sw_err *err)
{
    struct history_ctx c = { .practice_id = practice_id };
    int rc = store_read(s, history_fn, &c, err);
    if (rc != SW_OK) {
        plan_records_free(c.rows, c.n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    *out = c.rows;
    *n = c.n;
    return SW_OK;
}

int plan_store_save_tx(store_tx *tx, const plan_save *in, int64_t *version)
{
    int64_t practice_id = in->who->practice_id, current = 0;
    int rc = store_query_int64(tx, &current, "SELECT coalesce(max(version), 0) "
                               "FROM plan_version WHERE practice_id = ?", "i",
                               practice_id);
    if (rc != SW_OK)
        return rc;
    if (current != in->expected)
        return store_tx_fail(tx, SW_ECONFLICT, "the plan changed meanwhile "
                             "(it is now version %" PRId64 ", not %" PRId64
                             "); load it again and redo the change", current,
                             in->expected);
    int64_t next = current + 1;
    rc = store_exec(tx, NULL, "INSERT INTO plan_version (practice_id, version, "
                    "created_at, created_by, username, comment, body) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?)", "iiiittt", practice_id, next,
                    sw_now_wall_ms(), in->who->user_id,
                    in->who->username ? in->who->username : "",
                    in->comment ? in->comment : "", in->body);
    if (rc != SW_OK)
        return rc;
    char detail[40];
    snprintf(detail, sizeof detail, "version %" PRId64, next);
    audit_entry e = {
        .who = in->who,
        .action = AUDIT_PLAN_CHANGE,
        .feature = PLAN_FEATURE,
        .patient_id = "",
        .res_type = "",
        .res_id = "",
        .outcome = AUDIT_SUCCESS,
        .detail = detail,
    };
    rc = audit_append(tx, &e);
    if (rc == SW_OK)
        *version = next;
    return rc;
}

struct save_ctx {
    const plan_save *in;
    int64_t          version;
};

static int save_fn(store_tx *tx, void *arg)
{
    struct save_ctx *c = arg;
    return plan_store_save_tx(tx, c->in, &c->version);
}

int plan_store_save(sw_store *s, const plan_save *in, int64_t *version,
                    sw_err *err)
{
    struct save_ctx c = { .in = in };
    int rc = store_write(s, save_fn, &c, err);
    if (rc == SW_OK)
        *version = c.version;
    return rc;
}

/* ---- Edits and lint ------------------------------------------------------- */

struct change_ctx {
    const audit_who *who;
    int64_t          expected;
    const char      *body;
    const sw_plan   *next;
    const char      *comment;
    int64_t          version;
    bool             stale;
};

static int change_fn(store_tx *tx, void *arg)
{
    struct change_ctx *c = arg;
    c->stale = false;
    plan_record cur;
    int rc = plan_store_load_tx(tx, c->who->practice_id, 0, &cur);
    if (rc != SW_OK)
        return rc;
    if (c->expected >= 0 && cur.version != c->expected) {
        c->stale = true;
        rc = store_tx_fail(tx, SW_ECONFLICT, "the plan changed meanwhile (it "
                           "is now version %" PRId64 ", not %" PRId64 "); load "
                           "it again and redo the change", cur.version,
                           c->expected);
        plan_record_free(&cur);
        return rc;
    }
    /* A current plan that no longer reads (a module since removed from the
     * catalog) protects nothing: the edit that repairs it must pass. */
    sw_plan *now = NULL;
    plan_issues issues;
    if (cur.body)
        plan_from_text(cur.body, strlen(cur.body), &now, &issues);
    sw_err err;
    rc = plan_check_change(now, c->next, &err);
    plan_free(now);
    if (rc != SW_OK) {
        plan_record_free(&cur);
        return store_tx_fail(tx, rc, "%s", sw_err_text(&err));
    }
    plan_save in = { .who = c->who, .expected = cur.version, .body = c->body,
                     .comment = c->comment };
    plan_record_free(&cur);
    return plan_store_save_tx(tx, &in, &c->version);
}

int plan_store_change(sw_store *s, const audit_who *who, int64_t expected,
                      const sw_plan *next, const char *comment,
                      int64_t *version, bool *stale, sw_err *err)
{
    *stale = false;
    json_t *doc = plan_to_json(next);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (body == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    struct change_ctx c = { .who = who, .expected = expected, .body = body,
                            .next = next, .comment = comment };
    int rc = store_write(s, change_fn, &c, err);
    free(body);
    *stale = c.stale;
    if (rc == SW_OK)
        *version = c.version;
    return rc;
}

int plan_store_lint(sw_store *s, sw_arena *a, int64_t practice_id,
                    const sw_plan *p, plan_findings *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    auth_user *users;
    size_t n;
    int rc = auth_user_list(s, a, practice_id, &users, &n, err);
    if (rc != SW_OK)
        return rc;
    plan_lint_user *people = sw_arena_calloc(a, n ? n : 1, sizeof *people);
    if (people == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (users[i].disabled || (users[i].kind
                                  && strcmp(users[i].kind, AUTH_KIND_SERVICE) == 0))
            continue;
        people[k++] = (plan_lint_user){ users[i].username, users[i].roles };
    }
    plan_lint_input in = { .plan = p, .users = people, .nusers = k,
                           .users_known = true };
    rc = plan_lint(&in, out);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, NULL);
}
