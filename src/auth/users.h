/* users.h - practices and their user accounts, as stored rows.
 *
 * A practice is the tenant every other row belongs to (practice_id). A user
 * belongs to one practice, has a unique username within it, one or more
 * roles (comma-separated role ids such as "physician,super_user") and may be
 * disabled but is never deleted, since the audit trail keeps referring to
 * it. These functions run inside a store transaction (store_write /
 * store_read); hash passwords before opening one. */
#ifndef SW_AUTH_USERS_H
#define SW_AUTH_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* Creates practice practice_id unless it exists; *created says which. */
int auth_practice_ensure(store_tx *tx, int64_t practice_id, const char *name,
                         bool is_demo, bool *created);
/* Whether the practice is the demo practice (false if it does not exist). */
int auth_practice_is_demo(store_tx *tx, int64_t practice_id, bool *is_demo);

typedef struct auth_new_user {
    int64_t     practice_id;
    const char *username;
    const char *display_name;
    const char *password_hash;
    const char *roles;
} auth_new_user;

/* Inserts the user with the next free user_id unless the username is taken;
 * *created says which, *user_id (may be NULL) gets the new id. */
int auth_user_create(store_tx *tx, const auth_new_user *u, bool *created,
                     int64_t *user_id);
/* SW_OK and *exists. */
int auth_user_exists(store_tx *tx, int64_t practice_id, const char *username,
                     bool *exists);

#endif
