/* restricted.c - restricted patients and break-the-glass grants, as rows
 * (see restricted.h). */
#include "restricted.h"

#include <string.h>

int auth_patient_is_restricted(store_tx *tx, int64_t practice_id,
                               const char *patient_id, bool *restricted)
{
    int64_t one = 0;
    int rc = store_query_int64(tx, &one, "SELECT 1 FROM restricted_patient "
                               "WHERE practice_id = ? AND patient_id = ?",
                               "it", practice_id, patient_id);
    *restricted = rc == SW_OK;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

int auth_patient_access(store_tx *tx, int64_t practice_id, int64_t user_id,
                        const char *patient_id, int64_t now_ms, bool *allowed)
{
    *allowed = true;
    if (user_id == 0 || patient_id == NULL || patient_id[0] == '\0')
        return SW_OK;
    bool restricted;
    int rc = auth_patient_is_restricted(tx, practice_id, patient_id, &restricted);
    if (rc != SW_OK || !restricted)
        return rc;
    int64_t one = 0;
    rc = store_query_int64(tx, &one, "SELECT 1 FROM break_glass WHERE "
                           "practice_id = ? AND user_id = ? AND patient_id = ? "
                           "AND expires_at > ? AND granted_at <= ?",
                           "iitii", practice_id, user_id, patient_id, now_ms,
                           now_ms);
    *allowed = rc == SW_OK;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

int auth_patient_restrict(store_tx *tx, int64_t practice_id,
                          const char *patient_id, const char *reason,
                          int64_t by_user, int64_t now_ms, bool *changed)
{
    bool already;
    int rc = auth_patient_is_restricted(tx, practice_id, patient_id, &already);
    *changed = false;
    if (rc != SW_OK || already)
        return rc;
    rc = store_exec(tx, NULL, "INSERT INTO restricted_patient (practice_id, "
                    "patient_id, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
                    "ittii", practice_id, patient_id, reason, by_user, now_ms);
    *changed = rc == SW_OK;
    return rc;
}

int auth_patient_unrestrict(store_tx *tx, int64_t practice_id,
                            const char *patient_id, bool *changed)
{
    int64_t n = 0;
    int rc = store_exec(tx, &n, "DELETE FROM restricted_patient WHERE "
                        "practice_id = ? AND patient_id = ?", "it",
                        practice_id, patient_id);
    *changed = n > 0;
    return rc;
}

int auth_break_glass(store_tx *tx, int64_t practice_id, int64_t user_id,
                     const char *patient_id, const char *reason,
                     int64_t now_ms, int64_t duration_ms, int64_t *grant_id)
{
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(grant_id), 0) "
                               "FROM break_glass WHERE practice_id = ?", "i",
                               practice_id);
    if (rc != SW_OK)
        return rc;
    *grant_id = last + 1;
    return store_exec(tx, NULL, "INSERT INTO break_glass (practice_id, grant_id, "
                      "user_id, patient_id, reason, granted_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)", "iiittii", practice_id,
                      *grant_id, user_id, patient_id, reason, now_ms,
                      now_ms + duration_ms);
}

int auth_grants_list(store_tx *tx, sw_arena *a, int64_t practice_id,
                     bool unreviewed_only, int limit, auth_grant **out,
                     size_t *n)
{
    *n = 0;
    *out = sw_arena_calloc(a, (size_t)(limit > 0 ? limit : 1), sizeof **out);
    if (*out == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx,
        unreviewed_only
        ? "SELECT g.grant_id, g.user_id, COALESCE(u.username, ''), g.patient_id, "
          "g.reason, g.granted_at, g.expires_at, g.reviewed_by, g.reviewed_at, "
          "g.review_note FROM break_glass g LEFT JOIN app_user u ON "
          "u.practice_id = g.practice_id AND u.user_id = g.user_id "
          "WHERE g.practice_id = ? AND g.reviewed_at = 0 "
          "ORDER BY g.grant_id DESC LIMIT ?"
        : "SELECT g.grant_id, g.user_id, COALESCE(u.username, ''), g.patient_id, "
          "g.reason, g.granted_at, g.expires_at, g.reviewed_by, g.reviewed_at, "
          "g.review_note FROM break_glass g LEFT JOIN app_user u ON "
          "u.practice_id = g.practice_id AND u.user_id = g.user_id "
          "WHERE g.practice_id = ? ORDER BY g.grant_id DESC LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, limit)) == SW_OK) {
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            auth_grant *g = &(*out)[(*n)++];
            g->grant_id = store_col_int64(st, 0);
            g->user_id = store_col_int64(st, 1);
            g->username = sw_arena_strdup(a, store_col_text(st, 2, NULL));
            g->patient_id = sw_arena_strdup(a, store_col_text(st, 3, NULL));
            g->reason = sw_arena_strdup(a, store_col_text(st, 4, NULL));
            g->granted_ms = store_col_int64(st, 5);
            g->expires_ms = store_col_int64(st, 6);
            g->reviewed_by = store_col_int64(st, 7);
            g->reviewed_ms = store_col_int64(st, 8);
            g->review_note = sw_arena_strdup(a, store_col_text(st, 9, NULL));
            if (!g->username || !g->patient_id || !g->reason || !g->review_note) {
                rc = SW_ENOMEM;
                break;
            }
        }
    }
    store_finalize(st);
    return rc;
}

int auth_grant_review(store_tx *tx, int64_t practice_id, int64_t grant_id,
                      int64_t reviewer, const char *note, int64_t now_ms)
{
    int64_t reviewed_at = 0;
    int rc = store_query_int64(tx, &reviewed_at, "SELECT reviewed_at FROM "
                               "break_glass WHERE practice_id = ? AND "
                               "grant_id = ?", "ii", practice_id, grant_id);
    if (rc != SW_OK)
        return rc;
    if (reviewed_at != 0)
        return SW_ECONFLICT;
    return store_exec(tx, NULL, "UPDATE break_glass SET reviewed_by = ?, "
                      "reviewed_at = ?, review_note = ? WHERE practice_id = ? "
                      "AND grant_id = ?", "iitii", reviewer,
                      now_ms, note ? note : "", practice_id, grant_id);
}
