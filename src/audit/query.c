/* query.c - the audit trail's one filtered reader (see query.h).
 *
 * The WHERE clause is assembled from fixed fragments; every value the
 * caller gives is bound as a parameter, never spliced into the SQL. */
#include "query.h"

#include <stdio.h>
#include <string.h>

static const char *const actions[] = {
    AUDIT_READ, AUDIT_SEARCH, AUDIT_CREATE, AUDIT_UPDATE, AUDIT_DELETE,
    AUDIT_LOGIN, AUDIT_LOGOUT, AUDIT_LOGIN_FAILURE, AUDIT_LOCKOUT,
    AUDIT_EXPORT, AUDIT_BREAK_GLASS, AUDIT_ACCESS_CHANGE, AUDIT_PLAN_CHANGE,
    AUDIT_GO_LIVE, AUDIT_DISCLOSURE,
};

bool audit_action_known(const char *name)
{
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i], name) == 0)
            return true;
    return false;
}

bool audit_outcome_known(const char *name)
{
    return strcmp(name, AUDIT_SUCCESS) == 0 || strcmp(name, AUDIT_FAILURE) == 0
        || strcmp(name, AUDIT_DENIED) == 0;
}

struct query {
    const audit_filter *f;
    audit_row_fn        fn;
    void               *arg;
    bool                more;
};

/* A bound value: text or integer. */
typedef struct bind {
    const char *text;
    int64_t     num;
} bind;

static int query_fn(store_tx *tx, void *arg)
{
    struct query *q = arg;
    const audit_filter *f = q->f;
    char sql[1400];
    bind b[16 + AUDIT_QUERY_MAX_ACTIONS];
    int nb = 0;
    size_t len = (size_t)snprintf(sql, sizeof sql,
        "SELECT " AUDIT_ROW_COLUMNS " FROM audit_log WHERE practice_id = ?");
    b[nb++] = (bind){ NULL, f->practice_id };
#define WHERE(frag, t, n) do { \
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND %s", frag); \
        b[nb++] = (bind){ t, n }; \
    } while (0)
    if (f->from_ms)                        WHERE("at_ms >= ?", NULL, f->from_ms);
    if (f->to_ms)                          WHERE("at_ms < ?", NULL, f->to_ms);
    if (f->user_id)                        WHERE("user_id = ?", NULL, f->user_id);
    if (f->username && f->username[0])     WHERE("username = ?", f->username, 0);
    if (f->patient_id && f->patient_id[0]) WHERE("patient_id = ?", f->patient_id, 0);
    if (f->outcome && f->outcome[0])       WHERE("outcome = ?", f->outcome, 0);
    if (f->res_type && f->res_type[0])     WHERE("res_type = ?", f->res_type, 0);
    if (f->seq)                            WHERE("seq = ?", NULL, f->seq);
    if (f->after_seq)
        WHERE(f->newest_first ? "seq < ?" : "seq > ?", NULL, f->after_seq);
#undef WHERE
    if (f->nactions > 0) {
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND action IN (");
        for (size_t i = 0; i < f->nactions; i++) {
            len += (size_t)snprintf(sql + len, sizeof sql - len, "%s?",
                                    i ? ", " : "");
            b[nb++] = (bind){ f->actions[i], 0 };
        }
        len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
    }
    int limit = f->limit > 0 && f->limit <= AUDIT_PAGE_MAX ? f->limit
                                                           : AUDIT_PAGE_DEFAULT;
    snprintf(sql + len, sizeof sql - len, " ORDER BY seq %s LIMIT ?",
             f->newest_first ? "DESC" : "ASC");
    b[nb++] = (bind){ NULL, limit + 1 };

    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    for (int i = 0; i < nb && rc == SW_OK; i++)
        rc = b[i].text ? store_bind_cstr(st, i + 1, b[i].text)
                       : store_bind_int64(st, i + 1, b[i].num);
    bool row = false;
    int got = 0;
    q->more = false;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        if (got == limit) {
            q->more = true;
            break;
        }
        audit_row r;
        audit_row_read(st, &r);
        rc = q->fn(&r, q->arg);
        got++;
    }
    store_finalize(st);
    return rc;
}

int audit_query(sw_store *s, const audit_filter *f, audit_row_fn fn,
                void *arg, bool *more, sw_err *err)
{
    struct query q = { f, fn, arg, false };
    int rc = store_read(s, query_fn, &q, err);
    if (more)
        *more = rc == SW_OK && q.more;
    return rc;
}
