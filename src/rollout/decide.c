/* decide.c - the per-plan-version table and the per-request decision
 * (see decide.h). Built a handful of times a day (on each plan or
 * override change); looked up on every write request and /api/me, so the
 * look-up is a scan of the catalog's dozen rows and of short lists, with
 * no allocation. */
#include "decide.h"

#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "rollout/catalog.h"

#define TABLE_ARENA_MAX (4u * 1024 * 1024)

typedef struct module_rule {
    const char       *module;       /* the catalog's id */
    bool              staged;       /* some stage turns it on */
    const char       *stage_id, *stage_name, *target_date;
    plan_stage_state  state;
    plan_cohort_kind  kind;
    const char      **members;
    size_t            nmembers;
    const char      **super_users;
    size_t            nsuper;
} module_rule;

struct rollout_table {
    sw_arena         *arena;
    int64_t           version;
    bool              no_plan;
    module_rule      *rules;
    size_t            nrules;
    rollout_override *overrides;
    size_t            noverrides;
};

static const char **copy_list(sw_arena *a, const char *const *src, size_t n,
                              bool *ok)
{
    const char **out = sw_arena_calloc(a, n ? n : 1, sizeof *out);
    if (out == NULL) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if ((out[i] = sw_arena_strdup(a, src[i])) == NULL)
            *ok = false;
    return out;
}

static const char *dup(sw_arena *a, const char *s, bool *ok)
{
    if (s == NULL)
        return NULL;
    char *d = sw_arena_strdup(a, s);
    if (d == NULL)
        *ok = false;
    return d;
}

rollout_table *rollout_table_build(const sw_plan *plan, int64_t version,
                                   const rollout_inputs *in)
{
    sw_arena *a = sw_arena_create(TABLE_ARENA_MAX);
    if (a == NULL)
        return NULL;
    rollout_table *t = sw_arena_calloc(a, 1, sizeof *t);
    size_t n;
    const catalog_module *cat = catalog_modules(&n);
    if (t == NULL || (t->rules = sw_arena_calloc(a, n, sizeof *t->rules)) == NULL) {
        sw_arena_destroy(a);
        return NULL;
    }
    bool ok = true;
    t->arena = a;
    t->version = version;
    t->no_plan = plan == NULL;
    t->nrules = n;
    for (size_t i = 0; i < n; i++) {
        module_rule *r = &t->rules[i];
        r->module = cat[i].id;
        const plan_stage *s = plan ? plan_stage_of_module(plan, cat[i].id) : NULL;
        if (s != NULL) {
            r->staged = true;
            r->stage_id = dup(a, s->id, &ok);
            r->stage_name = dup(a, s->name, &ok);
            r->target_date = dup(a, s->target_date, &ok);
            r->state = s->state;
            r->kind = s->cohort.kind;
            r->members = copy_list(a, s->cohort.members, s->cohort.n, &ok);
            r->nmembers = s->cohort.n;
        }
        for (size_t k = 0; in && k < in->nsuper_users; k++)
            if (strcmp(in->super_users[k].module, cat[i].id) == 0) {
                r->super_users = copy_list(a, in->super_users[k].usernames,
                                           in->super_users[k].n, &ok);
                r->nsuper = in->super_users[k].n;
            }
    }
    if (in && in->noverrides > 0) {
        t->overrides = sw_arena_calloc(a, in->noverrides, sizeof *t->overrides);
        if (t->overrides == NULL)
            ok = false;
        for (size_t i = 0; ok && i < in->noverrides; i++) {
            t->overrides[i].user_id = in->overrides[i].user_id;
            t->overrides[i].module = dup(a, in->overrides[i].module, &ok);
        }
        t->noverrides = in->noverrides;
    }
    if (!ok) {
        sw_arena_destroy(a);
        return NULL;
    }
    return t;
}

void rollout_table_free(rollout_table *t)
{
    if (t != NULL)
        sw_arena_destroy(t->arena);
}

int64_t rollout_table_version(const rollout_table *t)
{
    return t ? t->version : 0;
}

static bool listed(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool in_cohort(const module_rule *r, const rollout_user *u)
{
    switch (r->kind) {
    case PLAN_COHORT_EVERYONE:
        return true;
    case PLAN_COHORT_ROLES:
        for (size_t i = 0; i < r->nmembers; i++)
            if (auth_roles_has(u->roles, r->members[i]))
                return true;
        return false;
    case PLAN_COHORT_USERS:
        return listed(r->members, r->nmembers, u->username);
    }
    return false;
}

void rollout_decide(const rollout_table *t, const char *module,
                    const rollout_user *u, rollout_answer *out)
{
    memset(out, 0, sizeof *out);
    out->live = true;
    out->reason = ROLLOUT_NO_PLAN;
    if (t == NULL || t->no_plan)
        return;
    const module_rule *r = NULL;
    for (size_t i = 0; i < t->nrules && r == NULL; i++)
        if (strcmp(t->rules[i].module, module) == 0)
            r = &t->rules[i];
    if (r == NULL)          /* not a module: nothing to enforce */
        return;
    if (r->staged) {
        out->stage_id = r->stage_id;
        out->stage_name = r->stage_name;
    }
    for (size_t i = 0; i < t->noverrides; i++)
        if (t->overrides[i].user_id == u->user_id
            && (strcmp(t->overrides[i].module, ROLLOUT_ALL_MODULES) == 0
                || strcmp(t->overrides[i].module, module) == 0)) {
            out->reason = ROLLOUT_OVERRIDE;
            return;
        }
    if (listed(r->super_users, r->nsuper, u->username)) {
        out->reason = ROLLOUT_SUPER_USER;
        return;
    }
    out->live = false;
    if (!r->staged) {
        out->reason = ROLLOUT_NO_STAGE;
        return;
    }
    bool member = in_cohort(r, u);
    if (r->state == PLAN_STAGE_ROLLED_BACK) {
        out->reason = member ? ROLLOUT_ROLLED_BACK : ROLLOUT_NOT_IN_COHORT;
        return;
    }
    if (!member) {
        out->reason = ROLLOUT_NOT_IN_COHORT;
        return;
    }
    if (r->state == PLAN_STAGE_LIVE) {
        out->live = true;
        out->reason = ROLLOUT_IN_COHORT;
        return;
    }
    out->reason = ROLLOUT_PLANNED;
    out->live_from = r->target_date;
}

void rollout_answer_words(const char *module, const rollout_answer *a,
                          char *out, size_t cap)
{
    const catalog_module *m = catalog_find(module);
    const char *title = m ? m->title : module;
    switch (a->reason) {
    case ROLLOUT_PLANNED:
        snprintf(out, cap, "%s is not live for you yet: it goes live on %s "
                 "with stage '%s'.", title, a->live_from ? a->live_from : "?",
                 a->stage_name ? a->stage_name : "?");
        return;
    case ROLLOUT_ROLLED_BACK:
        snprintf(out, cap, "%s is not live for you: stage '%s' was rolled "
                 "back, so it is read-only until the stage goes live again.",
                 title, a->stage_name ? a->stage_name : "?");
        return;
    case ROLLOUT_NOT_IN_COHORT:
        snprintf(out, cap, "%s is not live for you: stage '%s' turns it on "
                 "for other people, and no stage includes you yet.", title,
                 a->stage_name ? a->stage_name : "?");
        return;
    case ROLLOUT_NO_STAGE:
        snprintf(out, cap, "%s is not live for you: no stage includes it "
                 "yet.", title);
        return;
    default:
        snprintf(out, cap, "%s is live for you.", title);
        return;
    }
}

const char *rollout_reason_id(rollout_reason reason)
{
    switch (reason) {
    case ROLLOUT_NO_PLAN:       return "no_plan";
    case ROLLOUT_IN_COHORT:     return "in_cohort";
    case ROLLOUT_SUPER_USER:    return "super_user";
    case ROLLOUT_OVERRIDE:      return "override";
    case ROLLOUT_PLANNED:       return "planned";
    case ROLLOUT_ROLLED_BACK:   return "rolled_back";
    case ROLLOUT_NOT_IN_COHORT: return "not_in_cohort";
    case ROLLOUT_NO_STAGE:      return "no_stage";
    }
    return "unknown";
}
