/* session.c - session tokens, timeouts and rows (see session.h).
 *
 * Called on every authenticated request by the server's authentication
 * filter, so the common path is one indexed read by primary key and no
 * write; sign-in (login.c) and logout are the rare writers. */
#include "session.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

void auth_policy_default(auth_policy *p)
{
    p->idle_ms = (int64_t)SW_SESSION_IDLE_S * 1000;
    p->max_ms = (int64_t)SW_SESSION_MAX_S * 1000;
    p->lockout_ms = (int64_t)SW_LOGIN_LOCKOUT_S * 1000;
}

/* ---- Secrets and tokens -------------------------------------------------- */

void auth_secret_new(unsigned char secret[AUTH_SECRET_BYTES])
{
    randombytes_buf(secret, AUTH_SECRET_BYTES);
}

void auth_secret_encode(const unsigned char secret[AUTH_SECRET_BYTES],
                        char out[AUTH_SECRET_TEXT])
{
    sodium_bin2base64(out, AUTH_SECRET_TEXT, secret, AUTH_SECRET_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool auth_secret_decode(const char *text, size_t n,
                        unsigned char secret[AUTH_SECRET_BYTES])
{
    if (n != AUTH_SECRET_TEXT - 1)
        return false;
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(secret, AUTH_SECRET_BYTES, text, n, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0
        || got != AUTH_SECRET_BYTES || end != text + n)
        return false;
    /* One text per secret: re-encoding must give the same characters, so
     * no two spellings reach the same row. */
    char again[AUTH_SECRET_TEXT];
    auth_secret_encode(secret, again);
    return memcmp(again, text, n) == 0;
}

void auth_secret_hash(const unsigned char secret[AUTH_SECRET_BYTES],
                      char out[AUTH_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, secret, AUTH_SECRET_BYTES);
    sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

void auth_token_new(int64_t practice_id, auth_token *t)
{
    t->practice_id = practice_id;
    auth_secret_new(t->secret);
}

void auth_token_format(const auth_token *t, char out[AUTH_TOKEN_TEXT])
{
    char secret[AUTH_SECRET_TEXT];
    auth_secret_encode(t->secret, secret);
    snprintf(out, AUTH_TOKEN_TEXT, "%" PRId64 ".%s", t->practice_id, secret);
}

bool auth_token_parse(const char *text, size_t n, auth_token *t)
{
    const char *dot = memchr(text, '.', n);
    if (dot == NULL)
        return false;
    size_t digits = (size_t)(dot - text);
    if (digits == 0 || digits > 18 || text[0] == '0')
        return false;
    int64_t practice = 0;
    for (size_t i = 0; i < digits; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        practice = practice * 10 + (text[i] - '0');
    }
    if (!auth_secret_decode(dot + 1, n - digits - 1, t->secret))
        return false;
    t->practice_id = practice;
    return true;
}

/* ---- Timeouts ------------------------------------------------------------ */

auth_session_state auth_session_state_at(int64_t last_seen_ms,
                                         int64_t expires_ms, bool revoked,
                                         int64_t now_ms, int64_t idle_ms)
{
    if (revoked)
        return AUTH_SESSION_REVOKED;
    if (now_ms >= expires_ms)
        return AUTH_SESSION_EXPIRED;
    if (now_ms > last_seen_ms && now_ms - last_seen_ms >= idle_ms)
        return AUTH_SESSION_IDLE;
    return AUTH_SESSION_LIVE;
}

int64_t auth_session_touch_interval(int64_t idle_ms)
{
    int64_t t = (int64_t)SW_SESSION_TOUCH_S * 1000;
    if (idle_ms / 10 < t)
        t = idle_ms / 10;
    return t > 0 ? t : 1;
}

bool auth_session_touch_due(int64_t last_seen_ms, int64_t now_ms,
                            int64_t idle_ms)
{
    return now_ms - last_seen_ms >= auth_session_touch_interval(idle_ms);
}

const char *auth_session_state_name(auth_session_state s)
{
    switch (s) {
    case AUTH_SESSION_LIVE:    return "live";
    case AUTH_SESSION_REVOKED: return "revoked";
    case AUTH_SESSION_EXPIRED: return "expired";
    case AUTH_SESSION_IDLE:    return "idle";
    }
    return "unknown";
}

/* ---- Rows ---------------------------------------------------------------- */

int auth_session_insert(store_tx *tx, const auth_session_new *n)
{
    int rc = store_exec(tx, NULL,
        "DELETE FROM app_session WHERE practice_id = ? AND user_id = ? "
        "AND (revoked <> 0 OR expires_at <= ? OR last_seen_at <= ?)",
        "iiii", n->practice_id, n->user_id, n->now_ms, n->now_ms - n->idle_ms);
    if (rc != SW_OK)
        return rc;
    return store_exec(tx, NULL,
        "INSERT INTO app_session (practice_id, token_hash, user_id, "
        "created_at, last_seen_at, expires_at, csrf_hash, client_address, "
        "revoked, mfa_enrol_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        "iti" "iii" "tt" "i", n->practice_id, n->token_hash, n->user_id,
        n->now_ms, n->now_ms, n->expires_ms, n->csrf_hash,
        n->client_address ? n->client_address : "",
        (int64_t)(n->mfa_enrol_only ? 1 : 0));
}

struct load {
    sw_arena     *arena;
    auth_session *out;
    bool          found;
    bool          revoked;
    bool          disabled;
};

static int load_fn(store_tx *tx, void *ctx)
{
    struct load *l = ctx;
    auth_session *s = l->out;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT s.user_id, s.created_at, s.last_seen_at, s.expires_at, "
        "s.csrf_hash, s.revoked, u.username, u.display_name, u.roles, "
        "u.disabled, s.mfa_enrol_only FROM app_session s JOIN app_user u "
        "ON u.practice_id = s.practice_id AND u.user_id = s.user_id "
        "WHERE s.practice_id = ? AND s.token_hash = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, s->practice_id);
    if (rc == SW_OK)
        rc = store_bind_cstr(st, 2, s->token_hash);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    l->found = rc == SW_OK && row;
    if (l->found) {
        s->user_id = store_col_int64(st, 0);
        s->created_ms = store_col_int64(st, 1);
        s->last_seen_ms = store_col_int64(st, 2);
        s->expires_ms = store_col_int64(st, 3);
        snprintf(s->csrf_hash, sizeof s->csrf_hash, "%s",
                 store_col_text(st, 4, NULL));
        l->revoked = store_col_int64(st, 5) != 0;
        s->username = sw_arena_strdup(l->arena, store_col_text(st, 6, NULL));
        s->display_name = sw_arena_strdup(l->arena, store_col_text(st, 7, NULL));
        s->roles = sw_arena_strdup(l->arena, store_col_text(st, 8, NULL));
        l->disabled = store_col_int64(st, 9) != 0;
        s->mfa_enrol_only = store_col_int64(st, 10) != 0;
        if (s->username == NULL || s->display_name == NULL || s->roles == NULL)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    return rc;
}

struct touch {
    const auth_session *s;
    int64_t             now_ms;
};

static int touch_fn(store_tx *tx, void *ctx)
{
    struct touch *t = ctx;
    /* Only forward, and never for a session revoked meanwhile. */
    return store_exec(tx, NULL,
        "UPDATE app_session SET last_seen_at = ? WHERE practice_id = ? "
        "AND token_hash = ? AND last_seen_at < ? AND revoked = 0",
        "iiti", t->now_ms, t->s->practice_id, t->s->token_hash, t->now_ms);
}

int auth_session_authenticate(sw_store *s, const auth_policy *p, sw_arena *a,
                              const char *token, size_t n, auth_session *out,
                              sw_err *err)
{
    memset(out, 0, sizeof *out);
    auth_token t;
    if (n > SW_SESSION_MAX_TOKEN_BYTES || !auth_token_parse(token, n, &t))
        return sw_err_set(err, SW_EUNAUTH,
                          "the session token is not valid; sign in again");
    out->practice_id = t.practice_id;
    auth_secret_hash(t.secret, out->token_hash);
    sodium_memzero(&t, sizeof t);

    struct load l = { .arena = a, .out = out };
    int rc = store_read(s, load_fn, &l, err);
    if (rc != SW_OK)
        return rc;
    if (!l.found)
        return sw_err_set(err, SW_EUNAUTH,
                          "the session token is not valid; sign in again");
    if (l.disabled) {
        sw_debug("session refused: user %" PRId64 " of practice %" PRId64
                 " is disabled", out->user_id, out->practice_id);
        return sw_err_set(err, SW_EUNAUTH,
                          "the session has ended; sign in again");
    }
    int64_t now = sw_now_wall_ms();
    auth_session_state st = auth_session_state_at(out->last_seen_ms,
                                                  out->expires_ms, l.revoked,
                                                  now, p->idle_ms);
    if (st != AUTH_SESSION_LIVE) {
        sw_debug("session refused: %s (user %" PRId64 " of practice %" PRId64
                 ")", auth_session_state_name(st), out->user_id,
                 out->practice_id);
        return sw_err_set(err, SW_EUNAUTH,
                          st == AUTH_SESSION_REVOKED
                          ? "the session was ended by signing out; sign in again"
                          : "the session has expired; sign in again");
    }
    if (auth_session_touch_due(out->last_seen_ms, now, p->idle_ms)) {
        struct touch tc = { .s = out, .now_ms = now };
        sw_err terr;
        /* A failed touch only shortens the session; the request itself
         * is still authenticated by the read above. */
        if (store_write(s, touch_fn, &tc, &terr) == SW_OK)
            out->last_seen_ms = now;
        else
            sw_warn("could not record session activity: %s",
                    sw_err_text(&terr));
    }
    return SW_OK;
}

bool auth_session_csrf_ok(const auth_session *s, const char *csrf)
{
    unsigned char secret[AUTH_SECRET_BYTES];
    if (csrf == NULL || !auth_secret_decode(csrf, strlen(csrf), secret))
        return false;
    char hash[AUTH_HASH_HEX];
    auth_secret_hash(secret, hash);
    return sodium_memcmp(hash, s->csrf_hash, AUTH_HASH_HEX - 1) == 0;
}

struct revoke {
    const auth_session *s;
};

int auth_session_revoke_tx(store_tx *tx, const auth_session *sess)
{
    return store_exec(tx, NULL,
        "UPDATE app_session SET revoked = 1 WHERE practice_id = ? "
        "AND token_hash = ?", "it", sess->practice_id, sess->token_hash);
}

static int revoke_fn(store_tx *tx, void *ctx)
{
    struct revoke *r = ctx;
    return auth_session_revoke_tx(tx, r->s);
}

int auth_session_revoke(sw_store *s, const auth_session *sess, sw_err *err)
{
    struct revoke r = { .s = sess };
    return store_write(s, revoke_fn, &r, err);
}
