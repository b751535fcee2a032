/* login.c - the sign-in rules of login.h: password, lockout, new session.
 *
 * Three steps, so that no transaction stays open around argon2id (tens of
 * milliseconds, docs/store.md): read the account, verify the password
 * outside any transaction, then write the outcome: a new session, or one
 * more failure. The write re-reads what it depends on, since another
 * sign-in may have locked the account while this one was hashing.
 * Sign-ins are rare next to other requests; the cost that matters is that
 * every path takes about the same time, so that timing tells an attacker
 * nothing about which usernames exist. */
#include "login.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/mfa.h"
#include "auth/password.h"
#include "auth/roles.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/limits.h"
#include "core/log.h"

/* ---- The dummy hash and the verification gate ---------------------------- */

/* Verified against when the user does not exist, so that path costs one
 * argon2id run with the parameters of real hashes. Made on the first
 * sign-in, whichever path it takes, so even that one reveals nothing. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[AUTH_HASH_MAX];
static bool dummy_ready;

static int dummy_hash_get(const char **out, sw_err *err)
{
    int rc = SW_OK;
    pthread_mutex_lock(&dummy_lock);
    if (!dummy_ready) {
        char pw[20];
        auth_password_generate(pw);
        rc = auth_password_hash(pw, dummy_hash, err);
        sodium_memzero(pw, sizeof pw);
        dummy_ready = rc == SW_OK;
    }
    pthread_mutex_unlock(&dummy_lock);
    *out = dummy_hash;
    return rc;
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_busy;

/* Verifies with at most SW_LOGIN_MAX_CONCURRENT runs at once, bounding the
 * memory a burst of sign-ins can take. */
static bool verify_gated(const char *hash, const char *password)
{
    pthread_mutex_lock(&gate_lock);
    while (gate_busy >= SW_LOGIN_MAX_CONCURRENT)
        pthread_cond_wait(&gate_cond, &gate_lock);
    gate_busy++;
    pthread_mutex_unlock(&gate_lock);
    bool ok = auth_password_verify(hash, password);
    pthread_mutex_lock(&gate_lock);
    gate_busy--;
    pthread_cond_signal(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    return ok;
}

/* ---- Step 1: the account ------------------------------------------------- */

struct fetch {
    const auth_login_request *req;
    bool    found;
    bool    hash_ok;          /* fits the buffer, so it can be one of ours */
    bool    disabled;
    int64_t user_id;
    int64_t locked_until;
    char    hash[AUTH_HASH_MAX];
};

static int fetch_fn(store_tx *tx, void *ctx)
{
    struct fetch *f = ctx;
    f->found = false;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT user_id, password_hash, disabled, locked_until FROM app_user "
        "WHERE practice_id = ? AND username = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, f->req->practice_id);
    if (rc == SW_OK)
        rc = store_bind_cstr(st, 2, f->req->username);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        f->found = true;
        f->user_id = store_col_int64(st, 0);
        size_t n = 0;
        const char *h = store_col_text(st, 1, &n);
        f->hash_ok = n < sizeof f->hash;
        snprintf(f->hash, sizeof f->hash, "%s", f->hash_ok ? h : "");
        f->disabled = store_col_int64(st, 2) != 0;
        f->locked_until = store_col_int64(st, 3);
    }
    store_finalize(st);
    return rc;
}

/* ---- Step 3a: a new session ---------------------------------------------- */

struct open {
    const auth_login_request *req;
    const auth_policy        *policy;
    sw_arena                 *arena;
    const struct fetch       *seen;      /* what step 1 read */
    int64_t                   now_ms;
    const char               *token_hash;
    const char               *csrf_hash;
    auth_session             *out;
    bool                      refused;
    bool                      mfa_failed;  /* password right, code not */
};

static int open_fn(store_tx *tx, void *ctx)
{
    struct open *o = ctx;
    o->refused = true;
    o->mfa_failed = false;
    bool totp_on = false;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT password_hash, disabled, locked_until, username, "
        "display_name, roles, totp_enabled FROM app_user "
        "WHERE practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, o->req->practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, o->seen->user_id);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    /* Refuse if the account changed while the password was being
     * verified: locked by a parallel attempt, disabled, or given a new
     * password (the one verified is then not the current one). */
    if (rc == SW_OK && row
        && strcmp(store_col_text(st, 0, NULL), o->seen->hash) == 0
        && store_col_int64(st, 1) == 0
        && store_col_int64(st, 2) <= o->now_ms) {
        o->refused = false;
        auth_session *s = o->out;
        s->username = sw_arena_strdup(o->arena, store_col_text(st, 3, NULL));
        s->display_name = sw_arena_strdup(o->arena, store_col_text(st, 4, NULL));
        s->roles = sw_arena_strdup(o->arena, store_col_text(st, 5, NULL));
        totp_on = store_col_int64(st, 6) != 0;
        if (s->username == NULL || s->display_name == NULL || s->roles == NULL)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    if (rc != SW_OK || o->refused)
        return rc;

    /* The second factor, checked (and consumed) only now that the
     * password is known to be right, so a wrong password never tells
     * whether the account has MFA. */
    bool admin_rule = false;
    if (totp_on) {
        bool ok = false;
        rc = auth_mfa_verify_tx(tx, o->req->practice_id, o->seen->user_id,
                                o->req->totp, o->now_ms, &ok);
        if (rc != SW_OK || !ok) {
            o->refused = true;
            o->mfa_failed = rc == SW_OK;
            return rc;
        }
    } else {
        rc = auth_mfa_admin_required_tx(tx, o->req->practice_id, &admin_rule);
        if (rc != SW_OK)
            return rc;
    }
    o->out->mfa_enrol_only = admin_rule && auth_roles_any_admin(o->out->roles);

    rc = store_exec(tx, NULL,
        "UPDATE app_user SET failed_logins = 0, locked_until = 0 "
        "WHERE practice_id = ? AND user_id = ?",
        "ii", o->req->practice_id, o->seen->user_id);
    if (rc != SW_OK)
        return rc;
    auth_session_new n = {
        .practice_id = o->req->practice_id,
        .user_id = o->seen->user_id,
        .token_hash = o->token_hash,
        .csrf_hash = o->csrf_hash,
        .client_address = o->req->client_address,
        .now_ms = o->now_ms,
        .expires_ms = o->now_ms + o->policy->max_ms,
        .idle_ms = o->policy->idle_ms,
        .mfa_enrol_only = o->out->mfa_enrol_only,
    };
    rc = auth_session_insert(tx, &n);
    if (rc != SW_OK || o->req->record == NULL)
        return rc;
    auth_login_event ev = {
        .outcome = AUTH_LOGIN_SIGNED_IN,
        .practice_id = o->req->practice_id,
        .user_id = o->seen->user_id,
        .username = o->out->username,
        .roles = o->out->roles,
        .mfa_enrol_only = o->out->mfa_enrol_only,
    };
    return o->req->record(tx, &ev, o->req->record_ctx);
}

/* ---- Step 3b: one more failure ------------------------------------------- */

struct failure {
    const auth_login_request *req;
    const auth_policy        *policy;
    int64_t                   now_ms;
    bool                      mfa_failed;   /* the password was right */
    bool                      locked_now;   /* this failure set the lock */
    int64_t                   user_id;
};

static int failure_fn(store_tx *tx, void *ctx)
{
    struct failure *f = ctx;
    f->locked_now = false;
    f->user_id = 0;
    int64_t until = f->now_ms + f->policy->lockout_ms;
    /* One statement for every refusal, keyed by username, so an unknown
     * user runs it too (matching no row). While locked, the row is
     * rewritten unchanged: the lock is not extended by the attempts it
     * refuses. The count restarts when a lock is set. */
    int rc = store_exec(tx, NULL,
        "UPDATE app_user SET "
        "failed_logins = CASE WHEN locked_until > ? THEN failed_logins "
        "  WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END, "
        "locked_until = CASE WHEN locked_until > ? THEN locked_until "
        "  WHEN failed_logins + 1 >= ? THEN ? ELSE 0 END "
        "WHERE practice_id = ? AND username = ?",
        "iiii" "iit", f->now_ms, (int64_t)SW_LOGIN_MAX_FAILURES, f->now_ms,
        (int64_t)SW_LOGIN_MAX_FAILURES, until, f->req->practice_id,
        f->req->username);
    if (rc != SW_OK)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx,
        "SELECT user_id, locked_until FROM app_user "
        "WHERE practice_id = ? AND username = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, f->req->practice_id);
    if (rc == SW_OK)
        rc = store_bind_cstr(st, 2, f->req->username);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        f->user_id = store_col_int64(st, 0);
        f->locked_now = store_col_int64(st, 1) == until;
    }
    store_finalize(st);
    if (rc != SW_OK || f->req->record == NULL)
        return rc;
    /* Recorded whether or not the user exists: the same durable write on
     * both paths. A practice that does not exist gets no entry (its
     * number is no secret: every token carries one), so guessing
     * practice numbers cannot start audit chains for them. */
    int64_t practices = 0;
    rc = store_query_int64(tx, &practices, "SELECT COUNT(*) FROM practice "
                           "WHERE practice_id = ?", "i", f->req->practice_id);
    if (rc != SW_OK || practices == 0)
        return rc;
    auth_login_event ev = {
        .outcome = f->locked_now ? AUTH_LOGIN_LOCKED_NOW
                 : f->mfa_failed ? AUTH_LOGIN_MFA_MISSING
                 : AUTH_LOGIN_REFUSED_ANY,
        .practice_id = f->req->practice_id,
        .user_id = f->user_id,
        .username = f->req->username,
        .roles = "",
    };
    return f->req->record(tx, &ev, f->req->record_ctx);
}

/* ---- The whole ----------------------------------------------------------- */

int auth_login(sw_store *s, const auth_policy *p, sw_arena *a,
               const auth_login_request *req, auth_login_result *out,
               sw_err *err)
{
    memset(out, 0, sizeof *out);
    const char *dummy;
    int rc = dummy_hash_get(&dummy, err);
    if (rc != SW_OK)
        return rc;

    struct fetch f = { .req = req };
    rc = store_read(s, fetch_fn, &f, err);
    if (rc != SW_OK)
        return rc;

    /* Always one verification, whatever the account's state, so that
     * locked, disabled and unknown accounts cost what a wrong password
     * costs. */
    bool real = f.found && f.hash_ok;
    bool password_ok = verify_gated(real ? f.hash : dummy, req->password);
    int64_t now = sw_now_wall_ms();
    bool allowed = real && password_ok && !f.disabled
                && f.locked_until <= now;
    bool mfa_failed = false;

    if (allowed) {
        auth_token t;
        auth_token_new(req->practice_id, &t);
        auth_token_format(&t, out->token);
        char token_hash[AUTH_HASH_HEX], csrf_hash[AUTH_HASH_HEX];
        auth_secret_hash(t.secret, token_hash);
        sodium_memzero(&t, sizeof t);
        unsigned char csrf[AUTH_SECRET_BYTES];
        auth_secret_new(csrf);
        auth_secret_encode(csrf, out->csrf_token);
        auth_secret_hash(csrf, csrf_hash);
        sodium_memzero(csrf, sizeof csrf);

        struct open o = {
            .req = req, .policy = p, .arena = a, .seen = &f, .now_ms = now,
            .token_hash = token_hash, .csrf_hash = csrf_hash, .out = &out->session,
        };
        rc = store_write(s, open_fn, &o, err);
        if (rc != SW_OK) {
            sodium_memzero(out, sizeof *out);
            return rc;
        }
        if (!o.refused) {
            auth_session *sess = &out->session;
            sess->practice_id = req->practice_id;
            sess->user_id = f.user_id;
            sess->created_ms = now;
            sess->last_seen_ms = now;
            sess->expires_ms = now + p->max_ms;
            memcpy(sess->token_hash, token_hash, sizeof token_hash);
            memcpy(sess->csrf_hash, csrf_hash, sizeof csrf_hash);
            out->outcome = AUTH_LOGIN_SIGNED_IN;
            out->user_id = f.user_id;
            sw_metrics_login(1);
            return SW_OK;
        }
        /* The account changed while hashing, or the second factor was
         * missing or wrong: refused like any other, and counted as a
         * failure. */
        mfa_failed = o.mfa_failed;
        sodium_memzero(out, sizeof *out);
    }

    struct failure fl = { .req = req, .policy = p, .now_ms = now,
                          .mfa_failed = mfa_failed };
    rc = store_write(s, failure_fn, &fl, err);
    if (rc != SW_OK)
        return rc;
    out->user_id = fl.user_id;
    sw_metrics_login(0);
    if (fl.locked_now) {
        sw_metrics_lockout();
        out->outcome = AUTH_LOGIN_LOCKED_NOW;
        sw_warn("sign-in: user %" PRId64 " of practice %" PRId64 " locked for "
                "%" PRId64 " s after %d failed attempts", fl.user_id,
                req->practice_id, p->lockout_ms / 1000, SW_LOGIN_MAX_FAILURES);
    } else if (mfa_failed) {
        out->outcome = AUTH_LOGIN_MFA_MISSING;
        return sw_err_set(err, SW_EUNAUTH, AUTH_LOGIN_MFA_REQUIRED);
    } else {
        out->outcome = AUTH_LOGIN_REFUSED_ANY;
    }
    return sw_err_set(err, SW_EUNAUTH, AUTH_LOGIN_REFUSED);
}
