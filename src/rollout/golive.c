/* golive.c - gate evaluation and the go-live / rollback plan change (see
 * golive.h). Called once per go-live attempt or gate screen. */
#include "golive.h"

#include <stdio.h>
#include <string.h>

static bool ticked(const golive_inputs *in, const char *item)
{
    for (size_t i = 0; i < in->nticked; i++)
        if (strcmp(in->ticked[i], item) == 0)
            return true;
    return false;
}

static void check_list(const plan_gate *g, const golive_inputs *in,
                       golive_check *c)
{
    size_t missing = 0, used = 0;
    char names[300] = "";
    /* The items as the practice wrote them, which is what a practice
     * manager reads, not their ids. */
    for (size_t i = 0; i < g->nitems; i++)
        if (!ticked(in, g->items[i].id)) {
            missing++;
            if (used < sizeof names)
                used += (size_t)snprintf(names + used, sizeof names - used,
                                         "%s\"%s\"", missing > 1 ? "; " : "",
                                         g->items[i].text);
        }
    c->passed = missing == 0;
    if (c->passed)
        snprintf(c->message, sizeof c->message, "All %zu checklist items "
                 "are ticked.", g->nitems);
    else
        snprintf(c->message, sizeof c->message, "%zu of %zu checklist items "
                 "not ticked yet: %s.", missing, g->nitems, names);
}

static void check_data(const plan_gate *g, const gate_data *d, golive_check *c)
{
    char words[80];
    plan_gate_words(g, words, sizeof words);
    c->passed = d->state == GATE_PASSED;
    if (d->state == GATE_NO_DATA)
        snprintf(c->message, sizeof c->message, "Gate %s blocks: %s", words,
                 d->detail);
    else
        snprintf(c->message, sizeof c->message, "Gate %s %s: %s", words,
                 c->passed ? "passed" : "failed", d->detail);
}

size_t golive_evaluate(const sw_plan *p, size_t index, const golive_inputs *in,
                       golive_check *out, size_t *failed)
{
    size_t n = 0;
    *failed = 0;
    const plan_stage *s = &p->stages[index];
    golive_check *c = &out[n++];
    memset(c, 0, sizeof *c);
    c->gate = "earlier_stages";
    c->passed = true;
    snprintf(c->message, sizeof c->message, "Every earlier stage is live.");
    for (size_t i = 0; i < index; i++)
        if (p->stages[i].state != PLAN_STAGE_LIVE) {
            c->passed = false;
            snprintf(c->message, sizeof c->message, "Stage '%s' comes first "
                     "and is %s: stages go live in order.", p->stages[i].name,
                     p->stages[i].state == PLAN_STAGE_ROLLED_BACK
                         ? "rolled back" : "not live yet");
            break;
        }
    c = &out[n++];
    memset(c, 0, sizeof *c);
    c->gate = "lint";
    c->passed = in->lint_errors == 0;
    if (c->passed)
        snprintf(c->message, sizeof c->message, "The plan linter finds no "
                 "errors.");
    else
        snprintf(c->message, sizeof c->message, "The plan linter finds %zu "
                 "error%s: %s", in->lint_errors, in->lint_errors == 1 ? "" : "s",
                 in->lint_first ? in->lint_first : "see GET /api/plan/lint.");
    for (size_t i = 0; i < s->ngates && n < GOLIVE_MAX_CHECKS; i++) {
        const plan_gate *g = &s->gates[i];
        c = &out[n++];
        memset(c, 0, sizeof *c);
        c->gate = plan_gate_kind_name(g->kind);
        if (g->kind == PLAN_GATE_CHECKLIST)
            check_list(g, in, c);
        else
            check_data(g, &in->data[g->kind], c);
    }
    for (size_t i = 0; i < n; i++)
        if (!out[i].passed)
            (*failed)++;
    return n;
}

const plan_stage *golive_later_live(const sw_plan *p, size_t index)
{
    for (size_t i = index + 1; i < p->nstages; i++)
        if (p->stages[i].state == PLAN_STAGE_LIVE)
            return &p->stages[i];
    return NULL;
}

int golive_with_state(const sw_plan *p, const char *stage_id,
                      plan_stage_state state, const char *at, sw_plan **out)
{
    *out = NULL;
    size_t index;
    if (plan_stage_find(p, stage_id, &index) == NULL)
        return SW_ENOTFOUND;
    json_t *doc = plan_to_json(p);
    json_t *st = json_array_get(json_object_get(doc, "stages"), index);
    if (doc == NULL || st == NULL) {
        json_decref(doc);
        return SW_ENOMEM;
    }
    int bad = json_object_set_new(st, "state",
                                  json_string(plan_state_name(state)));
    if (state == PLAN_STAGE_LIVE) {
        bad |= json_object_set_new(st, "live_at", json_string(at));
        json_object_del(st, "rolled_back_at");
    } else {
        bad |= json_object_set_new(st, "rolled_back_at", json_string(at));
    }
    plan_issues issues;
    memset(&issues, 0, sizeof issues);
    int rc = bad ? SW_ENOMEM : plan_from_json(doc, out, &issues);
    json_decref(doc);   /* the plan keeps its own reference */
    return rc;
}
