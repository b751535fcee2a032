/* api_token.h - API tokens of service accounts (the PMS interface and
 * other systems that call Stagewise on their own).
 *
 * A service account (users.h, kind "service") never signs in with a
 * password; an administrator creates a token for it (`stagewise user
 * token`, POST /api/users/{id}/tokens) and configures the other system
 * with it. The token is "swt_<practice>.<secret>": the prefix tells the
 * authentication filter it is not a session token, the practice id routes
 * the lookup as in session tokens (session.h), and the secret is 128
 * random bits in URL-safe base64 without padding. It is shown once: only
 * the SHA-256 of the secret is stored, in app_api_token. Tokens do not
 * expire; they end when revoked or when their account is disabled. They
 * come only as `Authorization: Bearer`, never in a cookie, so they need no
 * CSRF token. What a token may do is its account's roles narrowed by the
 * account's scope, which the authorization filter enforces.
 *
 * A token is named by its id: the millisecond of its creation, made
 * unique per account when it is created, so an administrator can list and
 * revoke tokens without ever seeing their secrets or hashes.
 *
 * Authentication runs on every request of a service; like sessions it is
 * one read by primary key, and last_used_at is rewritten at most once a
 * minute (SW_SESSION_TOUCH_S). Creating and revoking append an audit entry
 * (permission_change) in the same transaction. Never logs a token. */
#ifndef SW_AUTH_API_TOKEN_H
#define SW_AUTH_API_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/session.h"

#define AUTH_API_TOKEN_PREFIX "swt_"
/* "swt_", the practice, a dot, 22 characters, NUL. */
#define AUTH_API_TOKEN_TEXT   (4 + AUTH_TOKEN_TEXT)

/* Whether a credential is meant as an API token (starts with "swt_"). */
bool auth_api_token_is(const char *text, size_t n);

/* Creates a token for service account user_id of who's practice, writes
 * its text into out (to be shown once) and its id into *token_id (may be
 * NULL). SW_ENOTFOUND for no such user; SW_EINVAL for a person;
 * SW_ECONFLICT for a disabled account. */
int auth_api_token_create(sw_store *s, const audit_who *who, int64_t user_id,
                          char out[AUTH_API_TOKEN_TEXT], int64_t *token_id,
                          sw_err *err);

/* Revokes token token_id of user_id, or every live token of the user when
 * token_id is 0; *revoked (may be NULL) gets how many were live. A token
 * already revoked is not an error; an unknown token_id is SW_ENOTFOUND. */
int auth_api_token_revoke(sw_store *s, const audit_who *who, int64_t user_id,
                          int64_t token_id, int64_t *revoked, sw_err *err);

typedef struct auth_api_token_info {
    int64_t id;               /* its creation time, ms */
    int64_t last_used_ms;     /* 0: never used */
    bool    revoked;
} auth_api_token_info;

/* The tokens of a user, newest first; *out in a. */
int auth_api_token_list(sw_store *s, sw_arena *a, int64_t practice_id,
                        int64_t user_id, auth_api_token_info **out, size_t *n,
                        sw_err *err);

/* Checks a token from a request: SW_OK with *out filled as a principal
 * (practice, user, username, display name, roles, scope, service = true;
 * strings in a; expires_ms 0, since tokens do not expire) when the token
 * is live and its service account enabled; SW_EUNAUTH (err says why, fit
 * for the client) otherwise; another code when the database failed. */
int auth_api_token_authenticate(sw_store *s, sw_arena *a, const char *token,
                                size_t n, auth_session *out, sw_err *err);

#endif
