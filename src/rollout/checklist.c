/* checklist.c - plan_checklist_tick rows (see checklist.h). */
#include "checklist.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

/* The reserved items and the ops_record kind that ticks each. */
static const struct {
    const char *item_id;
    const char *kind;
} ops_items[] = {
    { CHECKLIST_OPS_RESTORE_DRILL, "restore_drill" },
    { CHECKLIST_OPS_DOWNTIME_COPY, "downtime_copy" },
};
#define NOPS_ITEMS (sizeof ops_items / sizeof ops_items[0])

bool checklist_item_from_records(const char *item_id)
{
    for (size_t i = 0; i < NOPS_ITEMS; i++)
        if (strcmp(ops_items[i].item_id, item_id) == 0)
            return true;
    return false;
}

struct ticks_ctx {
    sw_arena       *a;
    int64_t         practice_id;
    const char     *stage_id;
    checklist_tick *rows;
    size_t          n;
};

static int ticks_fn(store_tx *tx, void *arg)
{
    struct ticks_ctx *c = arg;
    c->n = 0;
    c->rows = sw_arena_calloc(c->a, CHECKLIST_MAX_TICKS + NOPS_ITEMS,
                              sizeof *c->rows);
    if (c->rows == NULL)
        return SW_ENOMEM;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT t.item_id, COALESCE(u.username, ''), "
                           "t.ticked_at FROM plan_checklist_tick t LEFT JOIN "
                           "app_user u ON u.practice_id = t.practice_id AND "
                           "u.user_id = t.ticked_by WHERE t.practice_id = ? "
                           "AND t.stage_id = ? ORDER BY t.item_id LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    rc = store_bind_int64(st, 1, c->practice_id);
    if (rc == SW_OK)
        rc = store_bind_cstr(st, 2, c->stage_id);
    if (rc == SW_OK)
        rc = store_bind_int64(st, 3, CHECKLIST_MAX_TICKS);
    bool row = true;
    while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row) {
        /* A hand tick of a reserved item (from before it was reserved)
         * does not count: only the records do. */
        if (checklist_item_from_records(store_col_text(st, 0, NULL)))
            continue;
        checklist_tick *t = &c->rows[c->n++];
        t->item_id = sw_arena_strdup(c->a, store_col_text(st, 0, NULL));
        t->username = sw_arena_strdup(c->a, store_col_text(st, 1, NULL));
        t->at_ms = store_col_int64(st, 2);
        if (t->item_id == NULL || t->username == NULL)
            rc = SW_ENOMEM;
    }
    store_finalize(st);
    /* The operations records are the deployment's, not one practice's:
     * every practice on it shares its backups and drills. */
    int64_t since = sw_now_wall_ms()
                    - (int64_t)CHECKLIST_OPS_MAX_AGE_DAYS * 24 * 3600 * 1000;
    for (size_t i = 0; rc == SW_OK && i < NOPS_ITEMS; i++) {
        int64_t at = 0;
        rc = store_query_int64(tx, &at, "SELECT COALESCE(MAX(at_ms), 0) FROM "
                               "ops_record WHERE kind = ? AND ok = 1 AND "
                               "at_ms >= ?", "ti", ops_items[i].kind, since);
        if (rc != SW_OK || at == 0)
            continue;
        checklist_tick *t = &c->rows[c->n++];
        t->item_id = ops_items[i].item_id;
        t->username = CHECKLIST_OPS_TICKED_BY;
        t->at_ms = at;
    }
    return rc;
}

int checklist_ticks(sw_store *s, sw_arena *a, int64_t practice_id,
                    const char *stage_id, checklist_tick **out, size_t *n,
                    sw_err *err)
{
    struct ticks_ctx c = { .a = a, .practice_id = practice_id,
                           .stage_id = stage_id };
    int rc = store_read(s, ticks_fn, &c, err);
    *out = c.rows;
    *n = rc == SW_OK ? c.n : 0;
    return rc;
}

struct set_ctx {
    const audit_who *who;
    const char      *stage_id, *item_id;
    bool             tick;
};

static int set_fn(store_tx *tx, void *arg)
{
    struct set_ctx *c = arg;
    int64_t p = c->who->practice_id, gone = 0, ticked = 0;
    if (checklist_item_from_records(c->item_id))
        return store_tx_fail(tx, SW_ECONFLICT, "item '%s' is ticked from the "
                             "operations records, not by hand: run %s",
                             c->item_id, strcmp(c->item_id,
                             CHECKLIST_OPS_RESTORE_DRILL) == 0
                                 ? "'stagewise restore --drill'"
                                 : "'stagewise downtime-check'");
    /* The first person who vouched for an item stays its name: ticking it
     * again changes nothing (and writes no audit entry). */
    int rc = c->tick ? store_query_int64(tx, &ticked, "SELECT COUNT(*) FROM "
                                         "plan_checklist_tick WHERE practice_id "
                                         "= ? AND stage_id = ? AND item_id = ?",
                                         "itt", p, c->stage_id, c->item_id)
                     : SW_OK;
    if (rc != SW_OK || ticked > 0)
        return rc;
    if (!c->tick)
        rc = store_exec(tx, &gone, "DELETE FROM plan_checklist_tick WHERE "
                        "practice_id = ? AND stage_id = ? AND item_id = ?",
                        "itt", p, c->stage_id, c->item_id);
    if (rc != SW_OK)
        return rc;
    if (!c->tick && gone == 0)
        return store_tx_fail(tx, SW_ENOTFOUND, "item '%s' of stage '%s' is "
                             "not ticked", c->item_id, c->stage_id);
    if (c->tick)
        rc = store_exec(tx, NULL, "INSERT INTO plan_checklist_tick "
                        "(practice_id, stage_id, item_id, ticked_by, "
                        "ticked_at) VALUES (?, ?, ?, ?, ?)", "ittii", p,
                        c->stage_id, c->item_id, c->who->user_id,
                        sw_now_wall_ms());
    if (rc != SW_OK)
        return rc;
    char detail[128];
    snprintf(detail, sizeof detail, "%s %s/%s", c->tick ? "ticked" : "unticked",
             c->stage_id, c->item_id);
    audit_entry e = {
        .who = c->who, .action = AUDIT_PLAN_CHANGE,
        .feature = CHECKLIST_FEATURE, .patient_id = "", .res_type = "",
        .res_id = "", .outcome = AUDIT_SUCCESS, .detail = detail,
    };
    return audit_append(tx, &e);
}

int checklist_set(sw_store *s, const audit_who *who, const char *stage_id,
                  const char *item_id, bool tick, sw_err *err)
{
    struct set_ctx c = { who, stage_id, item_id, tick };
    return store_write(s, set_fn, &c, err);
}
