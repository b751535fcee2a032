/* golive_store.c - a stage's gate data gathered from the store, and the
 * plan version of a go-live or rollback written to it (see golive_store.h). */
#include "rollout/golive_store.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "rollout/gates.h"
#include "rollout/plan_lint.h"
#include "rollout/plan_store.h"

int golive_store_evaluate(sw_store *s, sw_arena *a, int64_t practice_id,
                          const sw_plan *p, size_t index, golive_result *out,
                          sw_err *err)
{
    memset(out, 0, sizeof *out);
    const plan_stage *stage = &p->stages[index];
    golive_inputs *in = &out->in;
    int rc = checklist_ticks(s, a, practice_id, stage->id, &out->ticks,
                             &out->nticks, err);
    if (rc != SW_OK)
        return rc;
    const char **ids = sw_arena_calloc(a, out->nticks ? out->nticks : 1,
                                       sizeof *ids);
    if (ids == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    for (size_t i = 0; i < out->nticks; i++)
        ids[i] = out->ticks[i].item_id;
    in->ticked = ids;
    in->nticked = out->nticks;
    for (size_t i = 0; i < stage->ngates; i++) {
        const plan_gate *g = &stage->gates[i];
        if (g->kind == PLAN_GATE_CHECKLIST)
            continue;
        rc = gates_data(s, practice_id, p, stage, g, &in->data[g->kind], err);
        if (rc != SW_OK)
            return rc;
    }
    plan_findings f;
    memset(&f, 0, sizeof f);
    rc = plan_store_lint(s, a, practice_id, p, &f, err);
    if (rc != SW_OK)
        return rc;
    in->lint_errors = plan_findings_count(&f, PLAN_LINT_ERROR);
    for (size_t i = 0; i < f.n && in->lint_first == NULL; i++)
        if (f.items[i].severity == PLAN_LINT_ERROR)
            in->lint_first = sw_arena_strdup(a, f.items[i].message);
    plan_findings_free(&f);
    out->nchecks = golive_evaluate(p, index, in, out->checks, &out->failed);
    return SW_OK;
}

struct transition {
    const audit_who *who;
    int64_t          expected;
    const char      *body;
    const char      *comment;
    const char      *detail;
    const char      *stage_id;
    int64_t          version;
};

static int transition_fn(store_tx *tx, void *arg)
{
    struct transition *t = arg;
    plan_save in = { .who = t->who, .expected = t->expected, .body = t->body,
                     .comment = t->comment };
    int rc = plan_store_save_tx(tx, &in, &t->version);
    if (rc != SW_OK)
        return rc;
    audit_entry e = {
        .who = t->who, .action = AUDIT_GO_LIVE, .feature = GOLIVE_FEATURE,
        .patient_id = "", .res_type = "", .res_id = t->stage_id,
        .outcome = AUDIT_SUCCESS, .detail = t->detail,
    };
    return audit_append(tx, &e);
}

int golive_store_transition(sw_store *s, const audit_who *who,
                            const sw_plan *p, int64_t expected,
                            const char *stage_id, plan_stage_state state,
                            const char *comment, const char *detail,
                            int64_t *version, sw_err *err)
{
    char now[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), now);
    sw_plan *next;
    int rc = golive_with_state(p, stage_id, state, now, &next);
    if (rc != SW_OK)
        return sw_err_set(err, rc == SW_ENOMEM ? rc : SW_EINTERNAL, NULL);
    json_t *doc = plan_to_json(next);
    char *body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    plan_free(next);
    if (body == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    struct transition t = { .who = who, .expected = expected, .body = body,
                            .comment = comment, .detail = detail,
                            .stage_id = stage_id };
    rc = store_write(s, transition_fn, &t, err);
    free(body);
    if (rc == SW_OK)
        *version = t.version;
    return rc;
}
