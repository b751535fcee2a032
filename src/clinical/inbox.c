/* inbox.c - adding inbox items and marking them done (see inbox.h). */
#include "inbox.h"

int inbox_add(store_tx *tx, const inbox_new *n, int64_t *item_id)
{
    int64_t id = 0;
    int rc = store_query_int64(tx, &id, "SELECT COALESCE(MAX(item_id), 0) "
                               "FROM inbox_item WHERE practice_id = ? "
                               "AND user_id = ? AND kind = ? AND res_type = ? "
                               "AND res_id = ? AND done_at = 0", "iittt",
                               n->practice_id, n->user_id, n->kind,
                               n->res_type, n->res_id);
    if (rc == SW_OK && id == 0) {
        rc = store_query_int64(tx, &id, "SELECT COALESCE(MAX(item_id), 0) + 1 "
                               "FROM inbox_item WHERE practice_id = ?", "i",
                               n->practice_id);
        if (rc == SW_OK)
            rc = store_exec(tx, NULL, "INSERT INTO inbox_item (practice_id, "
                            "item_id, user_id, kind, res_type, res_id, "
                            "patient_id, flag, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiittttti",
                            n->practice_id, id, n->user_id, n->kind,
                            n->res_type, n->res_id,
                            n->patient_id ? n->patient_id : "",
                            n->flag ? n->flag : "", n->at_ms);
    }
    if (rc == SW_OK && item_id != NULL)
        *item_id = id;
    return rc;
}

int inbox_done_for(store_tx *tx, int64_t practice_id, const char *kind,
                   const char *res_type, const char *res_id, int64_t by,
                   int64_t at_ms, int64_t *count)
{
    return store_exec(tx, count, "UPDATE inbox_item SET done_at = ?, done_by = ? "
                      "WHERE practice_id = ? AND kind = ? AND res_type = ? "
                      "AND res_id = ? AND done_at = 0", "iiittt", at_ms, by,
                      practice_id, kind, res_type, res_id);
}

int inbox_done(store_tx *tx, int64_t practice_id, int64_t item_id,
               int64_t user_id, int64_t at_ms, bool *was_open)
{
    int64_t done_at = -1;
    int rc = store_query_int64(tx, &done_at, "SELECT COALESCE(MAX(done_at), -1) "
                               "FROM inbox_item WHERE practice_id = ? AND "
                               "item_id = ? AND user_id = ?", "iii",
                               practice_id, item_id, user_id);
    if (rc != SW_OK)
        return rc;
    if (done_at < 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no item %lld in your "
                             "inbox", (long long)item_id);
    *was_open = done_at == 0;
    if (!*was_open)
        return SW_OK;
    return store_exec(tx, NULL, "UPDATE inbox_item SET done_at = ?, done_by = ? "
                      "WHERE practice_id = ? AND item_id = ?", "iiii", at_ms,
                      user_id, practice_id, item_id);
}
