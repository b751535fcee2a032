/* session.h - sign-in sessions: their tokens, their timeouts, their rows.
 *
 * A session is a row of app_session found by the hash of a secret the
 * client holds. Signing in (login.h) creates one; every authenticated
 * request looks one up (auth_session_authenticate, called by the server's
 * authentication filter); logging out revokes it. Lookups happen on every
 * request, writes rarely: last_seen_at is rewritten only when it has moved
 * by auth_session_touch_interval, so a busy client costs one read per
 * request and about one write a minute.
 *
 * The token a client receives is "<practice>.<secret>": the practice id in
 * decimal, so the row is found by its whole primary key (practice_id first,
 * as every table; docs/store.md), then 128 random bits from libsodium in
 * URL-safe base64 without padding (22 characters). Only the SHA-256 of the
 * secret's 16 bytes is stored (hex), so a copy of the database holds no
 * usable token. The CSRF token of a cookie session is a second secret of
 * the same form without the practice, also stored only as its hash.
 *
 * A session ends at the first of: its absolute expiry (fixed at sign-in,
 * auth_policy.max_ms after it), auth_policy.idle_ms without a request, a
 * logout, or its user being disabled. Times are wall-clock milliseconds
 * from core/clock.h, so tests can pin them.
 *
 * Ownership: strings in an auth_session live in the arena passed to the
 * function that filled it. */
#ifndef SW_AUTH_SESSION_H
#define SW_AUTH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

/* What the operator chose (stagewise serve options); all in milliseconds. */
typedef struct auth_policy {
    int64_t idle_ms;      /* a session unused this long ends */
    int64_t max_ms;       /* a session ends this long after sign-in */
    int64_t lockout_ms;   /* an account locked by failures stays locked */
} auth_policy;

/* The defaults of core/limits.h: 15 minutes, 12 hours, 15 minutes. */
void auth_policy_default(auth_policy *p);

/* ---- Secrets and tokens (no database) ------------------------------------ */

#define AUTH_SECRET_BYTES 16                     /* 128 bits */
#define AUTH_SECRET_TEXT  23                     /* 22 characters and NUL */
#define AUTH_HASH_HEX     65                     /* SHA-256 in hex and NUL */
/* "<practice>.<secret>": up to 18 digits, a dot, 22 characters, NUL. */
#define AUTH_TOKEN_TEXT   (18 + 1 + 22 + 1)
/* Practice ids a token can carry: 1 to 10^18 - 1. */
#define AUTH_MAX_PRACTICE_ID 999999999999999999LL

/* 16 random bytes from libsodium (auth_crypto_init must have run). */
void auth_secret_new(unsigned char secret[AUTH_SECRET_BYTES]);
/* URL-safe base64 without padding. */
void auth_secret_encode(const unsigned char secret[AUTH_SECRET_BYTES],
                        char out[AUTH_SECRET_TEXT]);
/* Accepts exactly the canonical 22-character form; false for anything
 * else (wrong length or alphabet, non-zero trailing bits). */
bool auth_secret_decode(const char *text, size_t n,
                        unsigned char secret[AUTH_SECRET_BYTES]);
/* SHA-256 of the 16 bytes, lowercase hex: what the database stores. */
void auth_secret_hash(const unsigned char secret[AUTH_SECRET_BYTES],
                      char out[AUTH_HASH_HEX]);

typedef struct auth_token {
    int64_t       practice_id;
    unsigned char secret[AUTH_SECRET_BYTES];
} auth_token;

/* A new token for a session in practice_id. */
void auth_token_new(int64_t practice_id, auth_token *t);
void auth_token_format(const auth_token *t, char out[AUTH_TOKEN_TEXT]);
/* Parses "<practice>.<secret>" (practice without sign or leading zeros);
 * false for anything else. */
bool auth_token_parse(const char *text, size_t n, auth_token *t);

/* ---- Timeouts (no database) ---------------------------------------------- */

typedef enum auth_session_state {
    AUTH_SESSION_LIVE = 0,
    AUTH_SESSION_REVOKED,    /* logged out */
    AUTH_SESSION_EXPIRED,    /* past its absolute lifetime */
    AUTH_SESSION_IDLE,       /* unused for idle_ms or longer */
} auth_session_state;

/* The state of a session at now_ms. A clock that went back (now before
 * last_seen) leaves the session live rather than ending it early. */
auth_session_state auth_session_state_at(int64_t last_seen_ms,
                                         int64_t expires_ms, bool revoked,
                                         int64_t now_ms, int64_t idle_ms);
/* How stale last_seen_at may get before a request rewrites it: the shorter
 * of SW_SESSION_TOUCH_S and a tenth of the idle timeout (at least 1 ms).
 * A session therefore never ends more than that much early. */
int64_t auth_session_touch_interval(int64_t idle_ms);
/* Whether a request at now_ms should rewrite last_seen_at. */
bool auth_session_touch_due(int64_t last_seen_ms, int64_t now_ms,
                            int64_t idle_ms);
/* A short name of the state for log lines ("idle"). */
const char *auth_session_state_name(auth_session_state s);

/* ---- Rows ---------------------------------------------------------------- */

/* A live session and its user, as the authentication filter hands it to
 * handlers (the request's principal). */
typedef struct auth_session {
    int64_t     practice_id;
    int64_t     user_id;
    const char *username;
    const char *display_name;
    const char *roles;         /* comma-separated role ids */
    /* A service account's scope ("area:action,…", api_token.h), which
     * narrows what its roles allow; "" for people (the authentication
     * filter sets it; NULL before that). */
    const char *scope;
    bool        service;       /* authenticated by an API token */
    int64_t     created_ms;
    int64_t     last_seen_ms;
    int64_t     expires_ms;    /* the absolute end */
    char        token_hash[AUTH_HASH_HEX];
    char        csrf_hash[AUTH_HASH_HEX];
    /* Opened for an admin who must enrol in MFA first (docs/auth.md): it
     * reaches only /api/me, /api/me/mfa* and DELETE /api/session. */
    bool        mfa_enrol_only;
} auth_session;

typedef struct auth_session_new {
    int64_t     practice_id;
    int64_t     user_id;
    const char *token_hash;
    const char *csrf_hash;
    const char *client_address;   /* "127.0.0.1"; "" when unknown */
    int64_t     now_ms;
    int64_t     expires_ms;
    int64_t     idle_ms;          /* sessions idle this long are pruned */
    bool        mfa_enrol_only;   /* see auth_session */
} auth_session_new;

/* Inside a write transaction: inserts the session and deletes the user's
 * sessions that can no longer be used (revoked, expired or idle), so rows
 * do not pile up. */
int auth_session_insert(store_tx *tx, const auth_session_new *n);

/* Checks a token from a request: SW_OK with *out filled (strings in a) when
 * its session is live and its user enabled, rewriting last_seen_at when
 * due; SW_EUNAUTH (err says why, in words fit for the client) otherwise;
 * another code when the database failed. Never logs the token. */
int auth_session_authenticate(sw_store *s, const auth_policy *p, sw_arena *a,
                              const char *token, size_t n, auth_session *out,
                              sw_err *err);
/* Whether csrf (the X-CSRF-Token header) belongs to session s; compared in
 * constant time. */
bool auth_session_csrf_ok(const auth_session *s, const char *csrf);
/* Revokes the session: logout. A session already revoked is not an error. */
int auth_session_revoke(sw_store *s, const auth_session *sess, sw_err *err);
/* The same inside a write transaction, so the caller can record the logout
 * in the same commit. */
int auth_session_revoke_tx(store_tx *tx, const auth_session *sess);

#endif
