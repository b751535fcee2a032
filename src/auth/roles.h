/* roles.h - the one table of user roles.
 *
 * Every role a user can hold is one row here: its id (what users.roles
 * stores, comma-separated), a title for people and a one-line description.
 * The account code validates role lists against it; the authorization
 * engine keys its permission table on the same ids. Adding a role means
 * adding a row to roles.c (and its permissions in the authorization table).
 * The table is static and read-only; lookups are linear (a dozen rows). */
#ifndef SW_AUTH_ROLES_H
#define SW_AUTH_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errors.h"

typedef enum auth_role_id {
    AUTH_ROLE_PHYSICIAN,
    AUTH_ROLE_ADVANCED_PRACTICE,
    AUTH_ROLE_NURSE,
    AUTH_ROLE_MEDICAL_ASSISTANT,
    AUTH_ROLE_FRONT_DESK,
    AUTH_ROLE_BILLER,
    AUTH_ROLE_PRACTICE_ADMIN,
    AUTH_ROLE_IMPLEMENTATION_LEAD,
    AUTH_ROLE__COUNT
} auth_role_id;

typedef struct auth_role {
    auth_role_id id;
    const char  *name;         /* "practice_admin": stored in users.roles */
    const char  *title;        /* "Practice administrator" */
    const char  *description;  /* one sentence */
    bool         admin;        /* subject to the "MFA for admin roles" rule */
} auth_role;

/* The table, in enum order; *count gets AUTH_ROLE__COUNT. */
const auth_role *auth_roles(size_t *count);
/* The row whose name matches exactly, or NULL. */
const auth_role *auth_role_find(const char *name);
/* The row whose name matches the first len bytes of name, or NULL. */
const auth_role *auth_role_findn(const char *name, size_t len);

/* Checks a comma-separated role list ("physician,practice_admin"): at
 * least one role, every role known, none repeated, no spaces. SW_OK or
 * SW_EINVAL with a sentence naming the bad role. */
int  auth_roles_check(const char *roles, sw_err *err);
/* Whether the comma-separated list holds role `name`. */
bool auth_roles_has(const char *roles, const char *name);
/* Whether the list holds any role marked admin. */
bool auth_roles_any_admin(const char *roles);

#endif
