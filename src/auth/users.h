/* users.h - practices and their user accounts.
 *
 * A practice is the tenant every other row belongs to (practice_id). A user
 * belongs to one practice, has a unique username within it, one or more
 * roles (comma-separated role ids from roles.h, "physician,practice_admin"),
 * may be linked to the Practitioner resource that is this person, and may
 * be disabled but is never deleted, since the audit trail keeps referring
 * to it. A user is a person (kind "person", signs in with a password) or a
 * service account (kind "service": another system such as the PMS
 * interface, which has no usable password, authenticates with API tokens,
 * api_token.h, and is limited to its scope).
 *
 * Two tiers:
 * - auth_practice_* and auth_user_create/exists run inside a store
 *   transaction the caller opened (stagewise init, the demo seed);
 * - the account management calls below (list, get, create, update,
 *   disable, enable, password reset) take the store and run one durable
 *   write each, in which the change and its audit entry (action
 *   permission_change, on behalf of `who`) commit together or not at all.
 *   They check their input first and hash passwords before opening any
 *   transaction (argon2id takes tens of milliseconds).
 * Account management is rare (an admin's clicks); lists are a practice's
 * staff, tens to hundreds of rows, read whole.
 *
 * Ownership: strings in an auth_user live in the arena passed to the call
 * that filled it. Errors are SW_EINVAL (bad input; err names the field),
 * SW_ENOTFOUND (no such user in who's practice), SW_ECONFLICT (username
 * taken, or a change that would leave the practice without an enabled
 * administrator), or a store failure. */
#ifndef SW_AUTH_USERS_H
#define SW_AUTH_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

/* Bounds of account fields (bytes). */
#define AUTH_DISPLAY_NAME_MAX    200
#define AUTH_SCOPE_MAX           512
#define AUTH_PRACTITIONER_ID_MAX 64

#define AUTH_KIND_PERSON  "person"
#define AUTH_KIND_SERVICE "service"

/* Creates practice practice_id unless it exists; *created says which. */
int auth_practice_ensure(store_tx *tx, int64_t practice_id, const char *name,
                         bool is_demo, bool *created);
/* Whether the practice is the demo practice (false if it does not exist). */
int auth_practice_is_demo(store_tx *tx, int64_t practice_id, bool *is_demo);
/* The ids of the deployment's practices in order, at most cap, into ids;
 * *n how many (for the background workers that visit every practice). */
int auth_practice_ids(store_tx *tx, int64_t *ids, int cap, int *n);

typedef struct auth_new_user {
    int64_t     practice_id;
    const char *username;
    const char *display_name;
    const char *password_hash;
    const char *roles;
    const char *kind;             /* NULL: AUTH_KIND_PERSON */
    const char *scope;            /* NULL: "" */
    const char *practitioner_id;  /* NULL: "" */
} auth_new_user;

/* Inserts the user with the next free user_id unless the username is taken;
 * *created says which, *user_id (may be NULL) gets the new id. No checks,
 * no audit entry: for init and the demo seed. */
int auth_user_create(store_tx *tx, const auth_new_user *u, bool *created,
                     int64_t *user_id);
/* SW_OK and *exists. */
int auth_user_exists(store_tx *tx, int64_t practice_id, const char *username,
                     bool *exists);

/* ---- Checks (no database) ------------------------------------------------ */

/* 1 to SW_MAX_USERNAME_BYTES of ASCII letters, digits, '.', '_', '-', '@',
 * starting with a letter or digit. */
int auth_username_check(const char *username, sw_err *err);
/* 1 to AUTH_DISPLAY_NAME_MAX bytes of UTF-8 without control characters. */
int auth_display_name_check(const char *name, sw_err *err);
/* A service account's scope: comma-separated "area:action" items, each
 * part lowercase letters and '_' naming an area and an action of the
 * permission table (authz.h), none repeated, at most AUTH_SCOPE_MAX bytes
 * ("demographics:write,scheduling:write,billing:read"). The authorization
 * filter decides what each item allows. */
int auth_scope_check(const char *scope, sw_err *err);
/* A FHIR id: 1 to 64 of letters, digits, '-' and '.'. */
int auth_practitioner_id_check(const char *id, sw_err *err);

/* ---- Reading accounts ---------------------------------------------------- */

typedef struct auth_user {
    int64_t     practice_id;
    int64_t     user_id;
    const char *username;
    const char *display_name;
    const char *roles;            /* comma-separated role ids */
    const char *kind;             /* AUTH_KIND_PERSON or AUTH_KIND_SERVICE */
    const char *scope;            /* "" for people */
    const char *practitioner_id;  /* "" when not linked */
    const char *created_at;       /* ISO 8601 */
    bool        disabled;
    bool        mfa_enabled;
    int64_t     locked_until_ms;  /* 0 unless a lockout is or was set */
} auth_user;

/* Every user of the practice, by user id; *users in a. */
int auth_user_list(sw_store *s, sw_arena *a, int64_t practice_id,
                   auth_user **users, size_t *n, sw_err *err);
/* One user by id, or by username (SW_ENOTFOUND when there is none). */
int auth_user_get(sw_store *s, sw_arena *a, int64_t practice_id,
                  int64_t user_id, auth_user *out, sw_err *err);
int auth_user_find(sw_store *s, sw_arena *a, int64_t practice_id,
                   const char *username, auth_user *out, sw_err *err);

/* Inside any transaction: one user by id; *found says whether it exists. */
int auth_user_load(store_tx *tx, sw_arena *a, int64_t practice_id,
                   int64_t user_id, auth_user *out, bool *found);

/* ---- Changing accounts (accounts.c; each one durable write with its audit
 * entry) ------------------------------------------------------------------ */

typedef struct auth_account_spec {
    const char *username;
    const char *display_name;
    const char *roles;            /* checked with auth_roles_check */
    const char *practitioner_id;  /* NULL or "": not linked */
    bool        service;          /* a service account (no password) */
    const char *scope;            /* service accounts only; required */
    const char *password;         /* people only; required, checked */
} auth_account_spec;

/* Adds an account to who's practice; *user_id (may be NULL) gets its id.
 * SW_ECONFLICT when the username is taken. */
int auth_account_create(sw_store *s, const audit_who *who,
                        const auth_account_spec *spec, int64_t *user_id,
                        sw_err *err);

/* What to change; NULL members stay as they are. */
typedef struct auth_account_patch {
    const char *display_name;
    const char *roles;
    const char *practitioner_id;  /* "" unlinks */
    const char *scope;            /* service accounts only */
} auth_account_patch;

/* Applies the patch (one audit entry per field that changes). */
int auth_account_update(sw_store *s, const audit_who *who, int64_t user_id,
                        const auth_account_patch *p, sw_err *err);
/* Disables the account and revokes its sessions and API tokens at once, or
 * enables it again (revoked sessions and tokens stay revoked). Disabling
 * one's own account, or the last enabled practice administrator, is
 * SW_ECONFLICT. Doing it twice is not an error (and writes no entry). */
int auth_account_set_disabled(sw_store *s, const audit_who *who,
                              int64_t user_id, bool disabled, sw_err *err);
/* An administrator's password reset: checks and hashes the new password,
 * stores it, clears a lockout and revokes the user's sessions. Service
 * accounts have no password (SW_EINVAL). */
int auth_account_set_password(sw_store *s, const audit_who *who,
                              int64_t user_id, const char *password,
                              sw_err *err);

#endif
