/* users.c - practice and user rows (see users.h). Called by `stagewise
 * init` and the demo seed now; the identity API builds on them. */
#include "users.h"

#include "core/clock.h"

int auth_practice_ensure(store_tx *tx, int64_t practice_id, const char *name,
                         bool is_demo, bool *created)
{
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    int64_t changes = 0;
    int rc = store_exec(tx, &changes,
        "INSERT INTO practice (practice_id, name, is_demo, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (practice_id) DO NOTHING",
        "itit", practice_id, name, (int64_t)(is_demo ? 1 : 0), now);
    if (rc == SW_OK && created)
        *created = changes > 0;
    return rc;
}

int auth_practice_is_demo(store_tx *tx, int64_t practice_id, bool *is_demo)
{
    int64_t v = 0;
    int rc = store_query_int64(tx, &v,
        "SELECT is_demo FROM practice WHERE practice_id = ?", "i", practice_id);
    if (rc == SW_ENOTFOUND) {
        *is_demo = false;
        return SW_OK;
    }
    *is_demo = v != 0;
    return rc;
}

int auth_user_exists(store_tx *tx, int64_t practice_id, const char *username,
                     bool *exists)
{
    int64_t n = 0;
    int rc = store_query_int64(tx, &n,
        "SELECT count(*) FROM app_user WHERE practice_id = ? AND username = ?",
        "it", practice_id, username);
    *exists = n > 0;
    return rc;
}

int auth_user_create(store_tx *tx, const auth_new_user *u, bool *created,
                     int64_t *user_id)
{
    bool exists = false;
    int rc = auth_user_exists(tx, u->practice_id, u->username, &exists);
    if (rc != SW_OK)
        return rc;
    if (exists) {
        *created = false;
        return SW_OK;
    }
    int64_t id = 0;
    rc = store_query_int64(tx, &id,
        "SELECT coalesce(max(user_id), 0) + 1 FROM app_user WHERE practice_id = ?",
        "i", u->practice_id);
    if (rc != SW_OK)
        return rc;
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    rc = store_exec(tx, NULL,
        "INSERT INTO app_user (practice_id, user_id, username, display_name, "
        "password_hash, roles, disabled, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        "iitttt" "t", u->practice_id, id, u->username, u->display_name,
        u->password_hash, u->roles, now);
    if (rc != SW_OK)
        return rc;
    *created = true;
    if (user_id)
        *user_id = id;
    return SW_OK;
}
