/* api_token.c - service accounts' API tokens (see api_token.h).
 *
 * Authentication is the hot path (every request of the PMS interface): one
 * read by primary key joined to the account, and a write only when
 * last_used_at is more than SW_SESSION_TOUCH_S old. Creating and revoking
 * are an administrator's rare actions, each one durable write with its
 * audit entry. */
#include "api_token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/users.h"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

#define PREFIX_LEN (sizeof AUTH_API_TOKEN_PREFIX - 1)

bool auth_api_token_is(const char *text, size_t n)
{
    return n >= PREFIX_LEN && memcmp(text, AUTH_API_TOKEN_PREFIX, PREFIX_LEN) == 0;
}

static int audit_token(store_tx *tx, const audit_who *who, const char *detail)
{
    audit_entry e = {
        .who = who, .action = AUDIT_ACCESS_CHANGE, .feature = "",
        .patient_id = "", .res_type = "", .res_id = "",
        .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    return audit_append(tx, &e);
}

/* The account a token is made for or revoked from, read in the write. */
struct account {
    bool    found;
    bool    service;
    bool    disabled;
    char    username[SW_MAX_USERNAME_BYTES + 1];
};

static int load_account(store_tx *tx, int64_t practice_id, int64_t user_id,
                        struct account *a)
{
    memset(a, 0, sizeof *a);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT username, kind, disabled FROM app_user "
                           "WHERE practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, user_id);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        a->found = true;
        snprintf(a->username, sizeof a->username, "%s",
                 store_col_text(st, 0, NULL));
        a->service = strcmp(store_col_text(st, 1, NULL), AUTH_KIND_SERVICE) == 0;
        a->disabled = store_col_int64(st, 2) != 0;
    }
    store_finalize(st);
    if (rc == SW_OK && !a->found)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no user %" PRId64
                             " in practice %" PRId64, user_id, practice_id);
    return rc;
}

/* ---- Create -------------------------------------------------------------- */

struct create_ctx {
    const audit_who *who;
    int64_t          user_id;
    const char      *hash;
    int64_t          now_ms;
    int64_t          token_id;
};

static int create_fn(store_tx *tx, void *arg)
{
    struct create_ctx *c = arg;
    struct account a;
    int64_t pr = c->who->practice_id;
    int rc = load_account(tx, pr, c->user_id, &a);
    if (rc != SW_OK)
        return rc;
    if (!a.service)
        return store_tx_fail(tx, SW_EINVAL, "%s is a person, not a service "
                             "account; only service accounts get API tokens",
                             a.username);
    if (a.disabled)
        return store_tx_fail(tx, SW_ECONFLICT, "%s is disabled; enable it "
                             "before giving it a token", a.username);
    /* The id is the creation time, one past the account's latest if that
     * is not earlier, so ids stay unique per account. */
    int64_t last = 0;
    rc = store_query_int64(tx, &last, "SELECT coalesce(max(created_at), 0) "
                           "FROM app_api_token WHERE practice_id = ? AND "
                           "user_id = ?", "ii", pr, c->user_id);
    if (rc != SW_OK)
        return rc;
    c->token_id = c->now_ms > last ? c->now_ms : last + 1;
    rc = store_exec(tx, NULL, "INSERT INTO app_api_token (practice_id, "
                    "token_hash, user_id, created_at, last_used_at, revoked) "
                    "VALUES (?, ?, ?, ?, 0, 0)", "itii", pr, c->hash,
                    c->user_id, c->token_id);
    if (rc != SW_OK)
        return rc;
    char detail[160];
    snprintf(detail, sizeof detail, "user %" PRId64 " (%s) API token %" PRId64
             " created", c->user_id, a.username, c->token_id);
    return audit_token(tx, c->who, detail);
}

int auth_api_token_create(sw_store *s, const audit_who *who, int64_t user_id,
                          char out[AUTH_API_TOKEN_TEXT], int64_t *token_id,
                          sw_err *err)
{
    out[0] = '\0';
    auth_token t;
    auth_token_new(who->practice_id, &t);
    char hash[AUTH_HASH_HEX];
    auth_secret_hash(t.secret, hash);
    struct create_ctx c = { .who = who, .user_id = user_id, .hash = hash,
                            .now_ms = sw_now_wall_ms() };
    int rc = store_write(s, create_fn, &c, err);
    if (rc == SW_OK) {
        char text[AUTH_TOKEN_TEXT];
        auth_token_format(&t, text);
        snprintf(out, AUTH_API_TOKEN_TEXT, AUTH_API_TOKEN_PREFIX "%s", text);
        sodium_memzero(text, sizeof text);
        if (token_id)
            *token_id = c.token_id;
    }
    sodium_memzero(&t, sizeof t);
    return rc;
}

/* ---- Revoke -------------------------------------------------------------- */

struct revoke_ctx {
    const audit_who *who;
    int64_t          user_id;
    int64_t          token_id;
    int64_t          revoked;
};

static int revoke_fn(store_tx *tx, void *arg)
{
    struct revoke_ctx *c = arg;
    struct account a;
    int64_t pr = c->who->practice_id;
    c->revoked = 0;
    int rc = load_account(tx, pr, c->user_id, &a);
    if (rc != SW_OK)
        return rc;
    if (c->token_id != 0) {
        int64_t exists = 0;
        rc = store_query_int64(tx, &exists, "SELECT count(*) FROM "
                               "app_api_token WHERE practice_id = ? AND "
                               "user_id = ? AND created_at = ?", "iii", pr,
                               c->user_id, c->token_id);
        if (rc != SW_OK)
            return rc;
        if (exists == 0)
            return store_tx_fail(tx, SW_ENOTFOUND, "%s has no API token %"
                                 PRId64, a.username, c->token_id);
        rc = store_exec(tx, &c->revoked, "UPDATE app_api_token SET revoked = 1 "
                        "WHERE practice_id = ? AND user_id = ? AND "
                        "created_at = ? AND revoked = 0", "iii", pr,
                        c->user_id, c->token_id);
    } else {
        rc = store_exec(tx, &c->revoked, "UPDATE app_api_token SET revoked = 1 "
                        "WHERE practice_id = ? AND user_id = ? AND revoked = 0",
                        "ii", pr, c->user_id);
    }
    if (rc != SW_OK || c->revoked == 0)
        return rc;
    char detail[160];
    if (c->token_id != 0)
        snprintf(detail, sizeof detail, "user %" PRId64 " (%s) API token %"
                 PRId64 " revoked", c->user_id, a.username, c->token_id);
    else
        snprintf(detail, sizeof detail, "user %" PRId64 " (%s) API tokens "
                 "revoked: %" PRId64, c->user_id, a.username, c->revoked);
    return audit_token(tx, c->who, detail);
}

int auth_api_token_revoke(sw_store *s, const audit_who *who, int64_t user_id,
                          int64_t token_id, int64_t *revoked, sw_err *err)
{
    struct revoke_ctx c = { .who = who, .user_id = user_id,
                            .token_id = token_id };
    int rc = store_write(s, revoke_fn, &c, err);
    if (rc == SW_OK && revoked)
        *revoked = c.revoked;
    return rc;
}

/* ---- List ---------------------------------------------------------------- */

struct list_ctx {
    sw_arena            *arena;
    int64_t              practice_id;
    int64_t              user_id;
    auth_api_token_info *items;
    size_t               n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    c->items = NULL;
    c->n = 0;
    int64_t count = 0;
    int rc = store_query_int64(tx, &count, "SELECT count(*) FROM app_api_token "
                               "WHERE practice_id = ? AND user_id = ?", "ii",
                               c->practice_id, c->user_id);
    if (rc != SW_OK)
        return rc;
    c->items = sw_arena_calloc(c->arena, (size_t)count + 1, sizeof *c->items);
    if (c->items == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    rc = store_prepare(tx, "SELECT created_at, last_used_at, revoked FROM "
                       "app_api_token WHERE practice_id = ? AND user_id = ? "
                       "ORDER BY created_at DESC", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, c->practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, c->user_id);
    bool row = false;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row
           && c->n < (size_t)count) {
        auth_api_token_info *t = &c->items[c->n++];
        t->id = store_col_int64(st, 0);
        t->last_used_ms = store_col_int64(st, 1);
        t->revoked = store_col_int64(st, 2) != 0;
    }
    store_finalize(st);
    return rc;
}

int auth_api_token_list(sw_store *s, sw_arena *a, int64_t practice_id,
                        int64_t user_id, auth_api_token_info **out, size_t *n,
                        sw_err *err)
{
    struct list_ctx c = { .arena = a, .practice_id = practice_id,
                          .user_id = user_id };
    int rc = store_read(s, list_fn, &c, err);
    *out = rc == SW_OK ? c.items : NULL;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

/* ---- Authenticate -------------------------------------------------------- */

struct load {
    sw_arena     *arena;
    auth_session *out;
    bool          found;
    bool          revoked;
    bool          disabled;
    bool          service;
};

static int load_fn(store_tx *tx, void *arg)
{
    struct load *l = arg;
    auth_session *s = l->out;
    l->found = false;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT t.user_id, t.created_at, t.last_used_at, t.revoked, "
        "u.username, u.display_name, u.roles, u.scope, u.kind, u.disabled "
        "FROM app_api_token t JOIN app_user u "
        "ON u.practice_id = t.practice_id AND u.user_id = t.user_id "
        "WHERE t.practice_id = ? AND t.token_hash = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, s->practice_id);
    if (rc == SW_OK)
        rc = store_bind_cstr(st, 2, s->token_hash);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        l->found = true;
        s->user_id = store_col_int64(st, 0);
        s->created_ms = store_col_int64(st, 1);
        s->last_seen_ms = store_col_int64(st, 2);
        l->revoked = store_col_int64(st, 3) != 0;
        s->username = sw_arena_strdup(l->arena, store_col_text(st, 4, NULL));
        s->display_name = sw_arena_strdup(l->arena, store_col_text(st, 5, NULL));
        s->roles = sw_arena_strdup(l->arena, store_col_text(st, 6, NULL));
        s->scope = sw_arena_strdup(l->arena, store_col_text(st, 7, NULL));
        l->service = strcmp(store_col_text(st, 8, NULL), AUTH_KIND_SERVICE) == 0;
        l->disabled = store_col_int64(st, 9) != 0;
        if (!s->username || !s->display_name || !s->roles || !s->scope)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

struct touch {
    const auth_session *s;
    int64_t             now_ms;
};

static int touch_fn(store_tx *tx, void *arg)
{
    struct touch *t = arg;
    return store_exec(tx, NULL, "UPDATE app_api_token SET last_used_at = ? "
                      "WHERE practice_id = ? AND token_hash = ? AND "
                      "last_used_at < ? AND revoked = 0", "iiti", t->now_ms,
                      t->s->practice_id, t->s->token_hash, t->now_ms);
}

int auth_api_token_authenticate(sw_store *s, sw_arena *a, const char *token,
                                size_t n, auth_session *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    auth_token t;
    if (!auth_api_token_is(token, n) || n - PREFIX_LEN > SW_SESSION_MAX_TOKEN_BYTES
        || !auth_token_parse(token + PREFIX_LEN, n - PREFIX_LEN, &t))
        return sw_err_set(err, SW_EUNAUTH, "the API token is not valid");
    out->practice_id = t.practice_id;
    auth_secret_hash(t.secret, out->token_hash);
    sodium_memzero(&t, sizeof t);

    struct load l = { .arena = a, .out = out };
    int rc = store_read(s, load_fn, &l, err);
    if (rc != SW_OK)
        return rc;
    if (!l.found || !l.service)
        return sw_err_set(err, SW_EUNAUTH, "the API token is not valid");
    if (l.revoked || l.disabled) {
        sw_debug("API token refused: %s (user %" PRId64 " of practice %"
                 PRId64 ")", l.revoked ? "revoked" : "account disabled",
                 out->user_id, out->practice_id);
        return sw_err_set(err, SW_EUNAUTH, "the API token has been revoked; "
                          "ask an administrator for a new one");
    }
    out->service = true;
    out->expires_ms = 0;
    int64_t now = sw_now_wall_ms();
    if (now - out->last_seen_ms >= (int64_t)SW_SESSION_TOUCH_S * 1000) {
        struct touch tc = { .s = out, .now_ms = now };
        sw_err terr;
        /* Only bookkeeping: a failed touch does not refuse the request. */
        if (store_write(s, touch_fn, &tc, &terr) == SW_OK)
            out->last_seen_ms = now;
        else
            sw_warn("could not record API token use: %s", sw_err_text(&terr));
    }
    return SW_OK;
}
