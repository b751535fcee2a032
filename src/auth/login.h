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
 * - every success creates a new session with a new token.
 * Called by POST /api/session; at most SW_LOGIN_MAX_CONCURRENT password
 * verifications run at once (each takes 64 MiB), others wait their turn.
 * Never logs the password or the token. */
#ifndef SW_AUTH_LOGIN_H
#define SW_AUTH_LOGIN_H

#include <stdint.h>

#include "auth/session.h"

/* The one sentence every refused sign-in gets. */
#define AUTH_LOGIN_REFUSED \
    "the username or password is not correct, or this account cannot sign in now"

typedef struct auth_login_request {
    int64_t     practice_id;
    const char *username;
    const char *password;
    const char *client_address;   /* recorded with the session */
} auth_login_request;

typedef struct auth_login_result {
    auth_session session;                  /* the user and the new session */
    char         token[AUTH_TOKEN_TEXT];   /* shown to the client once */
    char         csrf_token[AUTH_SECRET_TEXT];
} auth_login_result;

/* SW_OK: signed in, *out filled (strings in a). SW_EUNAUTH: refused, err
 * holds AUTH_LOGIN_REFUSED. SW_ENOMEM, SW_ESTORE, …: the server could not
 * decide. */
int auth_login(sw_store *s, const auth_policy *p, sw_arena *a,
               const auth_login_request *req, auth_login_result *out,
               sw_err *err);

#endif
