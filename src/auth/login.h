/* login.h - signing in: checking a password and opening a session.
 *
 * The rules (docs/auth.md):
 * - the password is verified with argon2id (password.h);
 * - after SW_LOGIN_MAX_FAILURES consecutive failures an account is locked
 *   for auth_policy.lockout_ms; attempts during the lock fail whatever the
 *   password, and the lock neither grows nor counts them; the first failure
 *   after it ends starts a new count;
 * - disabled accounts never sign in;
 * - a refusal never says why: an unknown user, a wrong password, a locked
 *   and a disabled account all get SW_EUNAUTH with the same sentence, after
 *   the same work (an argon2id verification against a dummy hash when the
 *   user does not exist, and the same UPDATE statement, which then matches
 *   no row);
 * - every success creates a new session with a new token;
 * - a user with MFA on (mfa.h) also needs a one-time code or an unused
 *   recovery code in `totp`; a missing or wrong one is a failure like a
 *   wrong password (it counts towards the lock), reported as
 *   AUTH_LOGIN_MFA_MISSING only when the password was right;
 * - when the practice requires MFA for admin roles and the user holds one
 *   without MFA, the session opened may only enrol (mfa_enrol_only).
 * What happened is written in the same transaction as its effect (the
 * session, or the failure count) through the caller's recorder, so the
 * server's audit trail gets one entry per attempt, known user or not,
 * without this area depending on the audit area.
 * Called by POST /api/session; at most SW_LOGIN_MAX_CONCURRENT password
 * verifications run at once (each takes 64 MiB), others wait their turn.
 * Never logs the password or the token. */
#ifndef SW_AUTH_LOGIN_H
#define SW_AUTH_LOGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/session.h"

/* The one sentence every refused sign-in gets. */
#define AUTH_LOGIN_REFUSED \
    "the username or password is not correct, or this account cannot sign in now"

/* The message of a refusal after a correct password when the second
 * factor was missing or wrong (docs/auth.md). */
#define AUTH_LOGIN_MFA_REQUIRED \
    "this account needs a one-time code from its authenticator app, or a " \
    "recovery code, in \"totp\""

typedef enum auth_login_outcome {
    AUTH_LOGIN_SIGNED_IN = 0,
    AUTH_LOGIN_REFUSED_ANY,      /* unknown user, wrong password, locked, … */
    AUTH_LOGIN_LOCKED_NOW,       /* refused, and this failure set the lock */
    AUTH_LOGIN_MFA_MISSING,      /* password right; code missing or wrong */
} auth_login_outcome;

/* What an attempt came to, handed to the recorder inside the transaction
 * that writes its effect. */
typedef struct auth_login_event {
    auth_login_outcome outcome;
    int64_t     practice_id;
    int64_t     user_id;         /* 0 when no account has the username */
    const char *username;        /* as typed */
    const char *roles;           /* the account's roles when signed in, else "" */
    bool        mfa_enrol_only;  /* the session may only enrol MFA */
} auth_login_event;

/* Called once per attempt inside the write transaction of its outcome
 * (not for a practice that does not exist); a code other than SW_OK undoes
 * the transaction and fails the sign-in with that code. */
typedef int (*auth_login_recorder)(store_tx *tx, const auth_login_event *ev,
                                   void *ctx);

typedef struct auth_login_request {
    int64_t     practice_id;
    const char *username;
    const char *password;
    const char *totp;             /* one-time or recovery code, or NULL */
    const char *client_address;   /* recorded with the session */
    auth_login_recorder record;   /* may be NULL */
    void       *record_ctx;
} auth_login_request;

typedef struct auth_login_result {
    auth_session session;                  /* the user and the new session */
    auth_login_outcome outcome;            /* set on SW_OK and SW_EUNAUTH */
    int64_t      user_id;                  /* 0 when the username is unknown */
    char         token[AUTH_TOKEN_TEXT];   /* shown to the client once */
    char         csrf_token[AUTH_SECRET_TEXT];
} auth_login_result;

/* SW_OK: signed in, *out filled (strings in a). SW_EUNAUTH: refused, err
 * holds AUTH_LOGIN_REFUSED (or AUTH_LOGIN_MFA_REQUIRED), out->outcome says
 * which. SW_ENOMEM, SW_ESTORE, …: the server could not decide (or the
 * recorder failed), and nothing was written. */
int auth_login(sw_store *s, const auth_policy *p, sw_arena *a,
               const auth_login_request *req, auth_login_result *out,
               sw_err *err);

#endif
