/* mfa.c - TOTP enrolment, verification and recovery codes against the
 * database (see mfa.h). Every function is one short transaction; none
 * holds one open around anything slow (HMAC-SHA-1 is microseconds). */
#include "mfa.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

/* ---- The user's MFA columns ---------------------------------------------- */

struct mfa_row {
    bool    found;
    bool    enabled;
    int64_t last_step;
    int64_t locked_until;
    char    secret[AUTH_TOTP_SECRET_TEXT];
};

static int load_row(store_tx *tx, int64_t practice_id, int64_t user_id,
                    struct mfa_row *r)
{
    memset(r, 0, sizeof *r);
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT totp_secret, totp_enabled, totp_last_step, locked_until "
        "FROM app_user WHERE practice_id = ? AND user_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    rc = store_bind_int64(st, 1, practice_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 2, user_id);
    if (rc == SW_OK)
        rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        r->found = true;
        size_t n = 0;
        const char *sec = store_col_text(st, 0, &n);
        if (n < sizeof r->secret)
            memcpy(r->secret, sec, n + 1);
        r->enabled = store_col_int64(st, 1) != 0;
        r->last_step = store_col_int64(st, 2);
        r->locked_until = store_col_int64(st, 3);
    }
    store_finalize(st);
    return rc;
}

/* The TOTP step code matches for the row's secret, or -1. */
static int64_t totp_step_of(const struct mfa_row *r, const char *code,
                            int64_t now_ms)
{
    char digits[AUTH_TOTP_DIGITS + 1];
    unsigned char key[AUTH_TOTP_SECRET_BYTES + 8];
    size_t klen = 0;
    if (r->secret[0] == '\0' || !auth_totp_code_shape(code, digits)
        || !auth_base32_decode(r->secret, key, sizeof key, &klen) || klen == 0)
        return -1;
    int64_t step = auth_totp_match(key, klen, digits, now_ms, r->last_step);
    sodium_memzero(key, sizeof key);
    return step;
}

/* Records TOTP step as used; *ok false if a parallel request used it (or
 * a later one) first. */
static int take_step(store_tx *tx, int64_t practice_id, int64_t user_id,
                     int64_t step, bool *ok)
{
    int64_t changed = 0;
    int rc = store_exec(tx, &changed,
        "UPDATE app_user SET totp_last_step = ? WHERE practice_id = ? "
        "AND user_id = ? AND totp_last_step < ?",
        "iiii", step, practice_id, user_id, step);
    *ok = rc == SW_OK && changed == 1;
    return rc;
}

/* Marks a recovery code used; *ok false if it is unknown or used. */
static int take_recovery(store_tx *tx, int64_t practice_id, int64_t user_id,
                         const char *code, int64_t now_ms, bool *ok)
{
    *ok = false;
    char hash[65];
    if (!auth_recovery_code_hash(code, hash))
        return SW_OK;
    int64_t changed = 0;
    int rc = store_exec(tx, &changed,
        "UPDATE app_recovery_code SET used_at = ? WHERE practice_id = ? "
        "AND user_id = ? AND code_hash = ? AND used_at = 0",
        "iiit", now_ms > 0 ? now_ms : 1, practice_id, user_id, hash);
    *ok = rc == SW_OK && changed == 1;
    return rc;
}

/* A wrong code outside sign-in counts like a failed sign-in (login.c's
 * rule: the fifth in a row locks the account for lockout_ms). */
static int count_failure(store_tx *tx, const auth_policy *p,
                         int64_t practice_id, int64_t user_id, int64_t now_ms)
{
    int64_t until = now_ms + p->lockout_ms;
    int64_t max = SW_LOGIN_MAX_FAILURES;
    return store_exec(tx, NULL,
        "UPDATE app_user SET "
        "failed_logins = CASE WHEN locked_until > ? THEN failed_logins "
        "  WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END, "
        "locked_until = CASE WHEN locked_until > ? THEN locked_until "
        "  WHEN failed_logins + 1 >= ? THEN ? ELSE 0 END "
        "WHERE practice_id = ? AND user_id = ?",
        "iiiii" "ii", now_ms, max, now_ms, max, until, practice_id, user_id);
}

int auth_mfa_verify_tx(store_tx *tx, int64_t practice_id, int64_t user_id,
                       const char *code, int64_t now_ms, bool *ok)
{
    *ok = false;
    if (code == NULL || code[0] == '\0' || strlen(code) > AUTH_MFA_CODE_MAX)
        return SW_OK;
    struct mfa_row r;
    int rc = load_row(tx, practice_id, user_id, &r);
    if (rc != SW_OK || !r.found || !r.enabled)
        goto out;
    char digits[AUTH_TOTP_DIGITS + 1];
    if (auth_totp_code_shape(code, digits)) {
        int64_t step = totp_step_of(&r, code, now_ms);
        if (step >= 0)
            rc = take_step(tx, practice_id, user_id, step, ok);
    } else {
        rc = take_recovery(tx, practice_id, user_id, code, now_ms, ok);
    }
out:
    sodium_memzero(&r, sizeof r);
    return rc;
}

/* ---- Enrolment ----------------------------------------------------------- */

struct begin_ctx {
    int64_t practice_id, user_id;
    const char *secret;
    bool already;
    bool found;
};

static int begin_fn(store_tx *tx, void *ctx)
{
    struct begin_ctx *b = ctx;
    struct mfa_row r;
    int rc = load_row(tx, b->practice_id, b->user_id, &r);
    b->found = r.found;
    b->already = r.enabled;
    sodium_memzero(&r, sizeof r);
    if (rc != SW_OK || !b->found || b->already)
        return rc;
    return store_exec(tx, NULL,
        "UPDATE app_user SET totp_secret = ?, totp_enabled = 0 "
        "WHERE practice_id = ? AND user_id = ?",
        "tii", b->secret, b->practice_id, b->user_id);
}

int auth_mfa_begin(sw_store *s, int64_t practice_id, int64_t user_id,
                   const char *account, auth_mfa_setup *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    unsigned char key[AUTH_TOTP_SECRET_BYTES];
    auth_totp_secret_new(key);
    bool fits = auth_base32_encode(key, sizeof key, out->secret,
                                   sizeof out->secret);
    sodium_memzero(key, sizeof key);
    if (!fits || !auth_totp_uri(AUTH_MFA_ISSUER, account, out->secret,
                                out->uri, sizeof out->uri)) {
        sodium_memzero(out, sizeof *out);
        return sw_err_set(err, SW_EINVAL, "the username is too long for an "
                          "authenticator app's account name");
    }
    struct begin_ctx b = { .practice_id = practice_id, .user_id = user_id,
                           .secret = out->secret };
    int rc = store_write(s, begin_fn, &b, err);
    if (rc == SW_OK && !b.found)
        rc = sw_err_set(err, SW_ENOTFOUND, "the account no longer exists");
    else if (rc == SW_OK && b.already)
        rc = sw_err_set(err, SW_ECONFLICT, "multi-factor sign-in is already "
                        "on for this account; turn it off first to enrol a "
                        "new authenticator");
    if (rc != SW_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

struct confirm_ctx {
    const auth_policy *policy;
    int64_t practice_id, user_id, now_ms;
    const char *code;
    char (*codes)[AUTH_RECOVERY_TEXT];
    auth_mfa_recorder record;
    void *record_ctx;
    enum { C_OK, C_NONE, C_ALREADY, C_WRONG, C_LOCKED } verdict;
};

static int confirm_fn(store_tx *tx, void *ctx)
{
    struct confirm_ctx *c = ctx;
    struct mfa_row r;
    int rc = load_row(tx, c->practice_id, c->user_id, &r);
    if (rc != SW_OK)
        goto out;
    if (!r.found || r.secret[0] == '\0') {
        c->verdict = C_NONE;
        goto out;
    }
    if (r.enabled) {
        c->verdict = C_ALREADY;
        goto out;
    }
    if (r.locked_until > c->now_ms) {
        c->verdict = C_LOCKED;
        goto out;
    }
    int64_t step = totp_step_of(&r, c->code, c->now_ms);
    if (step < 0) {
        c->verdict = C_WRONG;
        rc = count_failure(tx, c->policy, c->practice_id, c->user_id, c->now_ms);
        goto out;
    }
    c->verdict = C_OK;
    rc = store_exec(tx, NULL,
        "UPDATE app_user SET totp_enabled = 1, totp_last_step = ?, "
        "failed_logins = 0 WHERE practice_id = ? AND user_id = ?",
        "iii", step, c->practice_id, c->user_id);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "DELETE FROM app_recovery_code WHERE "
                        "practice_id = ? AND user_id = ?", "ii",
                        c->practice_id, c->user_id);
    for (int i = 0; rc == SW_OK && i < AUTH_RECOVERY_CODES; i++) {
        char hash[65];
        auth_recovery_code_new(c->codes[i]);
        auth_recovery_code_hash(c->codes[i], hash);
        rc = store_exec(tx, NULL,
            "INSERT INTO app_recovery_code (practice_id, user_id, code_hash, "
            "created_at, used_at) VALUES (?, ?, ?, ?, 0)",
            "iiti", c->practice_id, c->user_id, hash, c->now_ms);
    }
    if (rc == SW_OK && c->record != NULL)
        rc = c->record(tx, "MFA turned on", c->record_ctx);
out:
    sodium_memzero(&r, sizeof r);
    return rc;
}

int auth_mfa_confirm(sw_store *s, const auth_policy *p, int64_t practice_id,
                     int64_t user_id, const char *code,
                     char codes[AUTH_RECOVERY_CODES][AUTH_RECOVERY_TEXT],
                     auth_mfa_recorder record, void *record_ctx, sw_err *err)
{
    struct confirm_ctx c = { .policy = p, .practice_id = practice_id,
                             .user_id = user_id, .now_ms = sw_now_wall_ms(),
                             .code = code ? code : "", .codes = codes,
                             .record = record, .record_ctx = record_ctx };
    int rc = store_write(s, confirm_fn, &c, err);
    if (rc != SW_OK || c.verdict != C_OK)
        sodium_memzero(codes, sizeof(char[AUTH_RECOVERY_TEXT]) * AUTH_RECOVERY_CODES);
    if (rc != SW_OK)
        return rc;
    switch (c.verdict) {
    case C_OK:
        return SW_OK;
    case C_NONE:
        return sw_err_set(err, SW_ECONFLICT, "no enrolment was started; "
                          "POST /api/me/mfa first");
    case C_ALREADY:
        return sw_err_set(err, SW_ECONFLICT, "multi-factor sign-in is "
                          "already on for this account");
    case C_LOCKED:
        return sw_err_set(err, SW_EUNAUTH, "this account is locked after "
                          "too many wrong codes or passwords; try again later");
    case C_WRONG:
        break;
    }
    return sw_err_set(err, SW_EINVAL, "\"code\" is not the current code of "
                      "the authenticator app; check the phone's clock and "
                      "type the code shown now");
}

struct disable_ctx {
    const auth_policy *policy;
    int64_t practice_id, user_id, now_ms;
    const char *code;
    auth_mfa_recorder record;
    void *record_ctx;
    enum { D_OK, D_OFF, D_WRONG, D_LOCKED } verdict;
};

static int disable_fn(store_tx *tx, void *ctx)
{
    struct disable_ctx *d = ctx;
    struct mfa_row r;
    int rc = load_row(tx, d->practice_id, d->user_id, &r);
    bool enabled = r.enabled, locked = r.locked_until > d->now_ms;
    sodium_memzero(&r, sizeof r);
    if (rc != SW_OK)
        return rc;
    if (!enabled) {
        d->verdict = D_OFF;
        return SW_OK;
    }
    if (locked) {
        d->verdict = D_LOCKED;
        return SW_OK;
    }
    bool ok = false;
    rc = auth_mfa_verify_tx(tx, d->practice_id, d->user_id, d->code,
                            d->now_ms, &ok);
    if (rc != SW_OK)
        return rc;
    if (!ok) {
        d->verdict = D_WRONG;
        return count_failure(tx, d->policy, d->practice_id, d->user_id,
                             d->now_ms);
    }
    d->verdict = D_OK;
    rc = store_exec(tx, NULL,
        "UPDATE app_user SET totp_enabled = 0, totp_secret = '', "
        "failed_logins = 0 WHERE practice_id = ? AND user_id = ?",
        "ii", d->practice_id, d->user_id);
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "DELETE FROM app_recovery_code WHERE "
                        "practice_id = ? AND user_id = ?", "ii",
                        d->practice_id, d->user_id);
    if (rc == SW_OK && d->record != NULL)
        rc = d->record(tx, "MFA turned off", d->record_ctx);
    return rc;
}

int auth_mfa_disable(sw_store *s, const auth_policy *p, int64_t practice_id,
                     int64_t user_id, const char *code,
                     auth_mfa_recorder record, void *record_ctx, sw_err *err)
{
    struct disable_ctx d = { .policy = p, .practice_id = practice_id,
                             .user_id = user_id, .now_ms = sw_now_wall_ms(),
                             .code = code ? code : "", .record = record,
                             .record_ctx = record_ctx };
    int rc = store_write(s, disable_fn, &d, err);
    if (rc != SW_OK)
        return rc;
    switch (d.verdict) {
    case D_OK:
        return SW_OK;
    case D_OFF:
        return sw_err_set(err, SW_ECONFLICT, "multi-factor sign-in is not on "
                          "for this account");
    case D_LOCKED:
        return sw_err_set(err, SW_EUNAUTH, "this account is locked after "
                          "too many wrong codes or passwords; try again later");
    case D_WRONG:
        break;
    }
    return sw_err_set(err, SW_EINVAL, "\"code\" is neither the current code of "
                      "the authenticator app nor an unused recovery code");
}

struct status_ctx {
    int64_t practice_id, user_id;
    auth_mfa_status *out;
};

static int status_fn(store_tx *tx, void *ctx)
{
    struct status_ctx *c = ctx;
    struct mfa_row r;
    int rc = load_row(tx, c->practice_id, c->user_id, &r);
    c->out->enabled = r.enabled;
    c->out->pending = !r.enabled && r.secret[0] != '\0';
    sodium_memzero(&r, sizeof r);
    if (rc == SW_OK && c->out->enabled)
        rc = store_query_int64(tx, &c->out->recovery_left,
            "SELECT COUNT(*) FROM app_recovery_code WHERE practice_id = ? "
            "AND user_id = ? AND used_at = 0", "ii", c->practice_id,
            c->user_id);
    return rc;
}

int auth_mfa_get_status(sw_store *s, int64_t practice_id, int64_t user_id,
                        auth_mfa_status *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    struct status_ctx c = { practice_id, user_id, out };
    return store_read(s, status_fn, &c, err);
}

/* ---- The practice setting ------------------------------------------------ */

int auth_mfa_admin_required_tx(store_tx *tx, int64_t practice_id, bool *on)
{
    int64_t v = 0;
    int rc = store_query_int64(tx, &v, "SELECT mfa_admin_required FROM "
                               "practice WHERE practice_id = ?", "i",
                               practice_id);
    *on = rc == SW_OK && v != 0;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

int auth_mfa_set_admin_required_tx(store_tx *tx, int64_t practice_id, bool on)
{
    int64_t changed = 0;
    int rc = store_exec(tx, &changed, "UPDATE practice SET mfa_admin_required "
                        "= ? WHERE practice_id = ?", "ii",
                        (int64_t)(on ? 1 : 0), practice_id);
    if (rc == SW_OK && changed == 0)
        rc = SW_ENOTFOUND;
    return rc;
}
