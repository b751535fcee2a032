/* gate_training.c - the training and proficiency gates' data (see
 * gate_training.h). The cohort is resolved from the practice's accounts
 * (enabled people only: service accounts do not train); a person counts
 * when, for every module of the stage, some course of that module has a
 * completed record (or a passed proficiency check). */
#include "rollout/gate_training.h"

#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "auth/users.h"
#include "core/arena.h"
#include "rollout/catalog.h"

bool gate_cohort_has(const plan_cohort *c, const auth_user *u)
{
    if (c->kind == PLAN_COHORT_EVERYONE)
        return true;
    for (size_t i = 0; i < c->n; i++)
        if (c->kind == PLAN_COHORT_ROLES ? auth_roles_has(u->roles, c->members[i])
                                         : strcmp(u->username, c->members[i]) == 0)
            return true;
    return false;
}

struct user_ctx {
    int64_t     pid, uid;
    const char *course;         /* the module's catalog course id */
    bool        proficiency;
    int64_t     any, ok;
};

static int user_fn(store_tx *tx, void *arg)
{
    struct user_ctx *c = arg;
    /* The course itself, or a role variant of it ("<id>-…"). */
    int rc = store_query_int64(tx, &c->any, "SELECT COUNT(*) FROM "
                               "training_record WHERE practice_id = ? AND "
                               "user_id = ? AND (course_id = ? OR course_id "
                               "LIKE ? || '-%')", "iitt", c->pid, c->uid,
                               c->course, c->course);
    if (rc != SW_OK)
        return rc;
    return store_query_int64(tx, &c->ok, c->proficiency
        ? "SELECT COUNT(*) FROM training_record WHERE practice_id = ? AND "
          "user_id = ? AND (course_id = ? OR course_id LIKE ? || '-%') AND "
          "proficiency_pass = 1"
        : "SELECT COUNT(*) FROM training_record WHERE practice_id = ? AND "
          "user_id = ? AND (course_id = ? OR course_id LIKE ? || '-%') AND "
          "completed_at > 0", "iitt", c->pid, c->uid, c->course, c->course);
}

int gate_training_data(sw_store *store, int64_t practice_id,
                       const plan_stage *s, const plan_gate *g,
                       bool proficiency, gate_data *out, sw_err *err)
{
    sw_arena *a = sw_arena_create(4 << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    auth_user *users;
    size_t n;
    int rc = auth_user_list(store, a, practice_id, &users, &n, err);
    size_t cohort = 0, done = 0, with_records = 0;
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        const auth_user *u = &users[i];
        if (u->disabled || (u->kind && strcmp(u->kind, AUTH_KIND_PERSON) != 0)
            || !gate_cohort_has(&s->cohort, u))
            continue;
        cohort++;
        bool all = true, any = false;
        for (size_t m = 0; rc == SW_OK && m < s->nmodules; m++) {
            const catalog_module *cm = catalog_find(s->modules[m]);
            if (cm == NULL || cm->course == NULL)
                continue;
            struct user_ctx c = { practice_id, u->user_id, cm->course,
                                  proficiency, 0, 0 };
            rc = store_read(store, user_fn, &c, err);
            any = any || c.any > 0;
            all = all && c.ok > 0;
        }
        with_records += any;
        done += all;
    }
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc;
    const char *what = proficiency ? "passed the proficiency check of every "
                                     "module of the stage"
                                   : "completed the training of every module "
                                     "of the stage";
    if (cohort == 0 || with_records == 0) {
        out->state = GATE_NO_DATA;
        out->percent = -1;
        snprintf(out->detail, sizeof out->detail, "No data yet: %s.",
                 cohort == 0 ? "the stage's cohort has nobody in it"
                             : "nobody in the stage's cohort has started "
                               "its training");
        return SW_OK;
    }
    out->percent = (int)(done * 100 / cohort);
    out->state = out->percent >= g->percent ? GATE_PASSED : GATE_FAILED;
    snprintf(out->detail, sizeof out->detail, "%zu of %zu people in the "
             "cohort (%d%%, %d%% needed) %s.", done, cohort, out->percent,
             g->percent, what);
    return SW_OK;
}
