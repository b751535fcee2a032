/* plan_lint.c - the plan linter's rules (see plan_lint.h), one function
 * each, in the order docs/rollout.md lists them.
 *
 * Called when a plan is saved (the answer carries the findings), by GET
 * /api/plan/lint and `stagewise plan lint`, and by go-live (a later
 * slice). Plans are small, so every rule is a plain scan. Rules about gates
 * skip stages that have already gone live: a gate only guards a go-live. */
#include "plan_lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "core/alloc.h"
#include "rollout/catalog.h"

const char *plan_severity_name(plan_severity s)
{
    return s == PLAN_LINT_ERROR ? "error" : "warning";
}

static int add(plan_findings *f, plan_severity sev, const char *code,
               const plan_stage *st, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int add(plan_findings *f, plan_severity sev, const char *code,
               const plan_stage *st, const char *module, const char *fmt, ...)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        plan_finding *items = sw_realloc(f->items, cap * sizeof *items);
        if (items == NULL)
            return SW_ENOMEM;
        f->items = items;
        f->cap = cap;
    }
    plan_finding *it = &f->items[f->n++];
    it->severity = sev;
    it->code = code;
    it->stage = st ? st->id : NULL;
    it->module = module;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
    return SW_OK;
}

static const char *title(const char *module)
{
    const catalog_module *m = catalog_find(module);
    return m ? m->title : module;
}

static bool has(const plan_cohort *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->members[i], name) == 0)
            return true;
    return false;
}

static const plan_lint_user *find_user(const plan_lint_input *in,
                                       const char *username)
{
    for (size_t i = 0; i < in->nusers; i++)
        if (strcmp(in->users[i].username, username) == 0)
            return &in->users[i];
    return NULL;
}

/* Whether any of the cohort's roles is among the user's. */
static bool user_has_a_role(const plan_lint_user *u, const plan_cohort *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (auth_roles_has(u->roles, c->members[i]))
            return true;
    return false;
}

/* Whether everyone in cohort b is also in cohort a. */
static bool covers(const plan_lint_input *in, const plan_cohort *a,
                   const plan_cohort *b)
{
    if (a->kind == PLAN_COHORT_EVERYONE)
        return true;
    if (b->kind == PLAN_COHORT_EVERYONE)
        return false;
    if (a->kind == b->kind) {
        for (size_t i = 0; i < b->n; i++)
            if (!has(a, b->members[i]))
                return false;
        return true;
    }
    if (!in->users_known)
        /* Without the accounts nobody can tell; say nothing rather than
         * raise an error that may be false. */
        return a->kind == PLAN_COHORT_ROLES;
    if (a->kind == PLAN_COHORT_ROLES) {          /* b names users */
        for (size_t i = 0; i < b->n; i++) {
            const plan_lint_user *u = find_user(in, b->members[i]);
            if (u && !user_has_a_role(u, a))
                return false;
        }
        return true;
    }
    for (size_t i = 0; i < in->nusers; i++)      /* a names users, b roles */
        if (user_has_a_role(&in->users[i], b) && !has(a, in->users[i].username))
            return false;
    return true;
}

/* People in a cohort, from the accounts (0 when unknown). */
static size_t cohort_size(const plan_lint_input *in, const plan_cohort *c)
{
    if (c->kind == PLAN_COHORT_USERS)
        return c->n;
    size_t n = 0;
    for (size_t i = 0; i < in->nusers; i++)
        n += c->kind == PLAN_COHORT_EVERYONE || user_has_a_role(&in->users[i], c);
    return n;
}

static int64_t stage_index(const sw_plan *p, const plan_stage *s)
{
    return s - p->stages;
}

/* ---- The rules ------------------------------------------------------------ */

/* A module whose prerequisite is neither live nor turned on in the same or
 * an earlier stage for (at least) the same people. */
static int rule_prerequisites(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    for (size_t s = 0; s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        for (size_t m = 0; m < st->nmodules; m++) {
            const catalog_module *mod = catalog_find(st->modules[m]);
            for (size_t k = 0; mod && k < CATALOG_MAX_LINKS && mod->needs[k]; k++) {
                const char *need = mod->needs[k];
                bool met = false;
                for (size_t o = 0; o < p->nstages && !met; o++) {
                    const plan_stage *other = &p->stages[o];
                    if (o > s && other->state != PLAN_STAGE_LIVE)
                        continue;
                    bool in_it = false;
                    for (size_t x = 0; x < other->nmodules && !in_it; x++)
                        in_it = strcmp(other->modules[x], need) == 0;
                    met = in_it && covers(in, &other->cohort, &st->cohort);
                }
                if (met)
                    continue;
                const plan_stage *where = plan_stage_of_module(p, need);
                int rc;
                if (where == NULL)
                    rc = add(f, PLAN_LINT_ERROR, PLAN_LINT_PREREQUISITE, st,
                             mod->id, "Stage '%s' turns on %s, which needs %s "
                             "first, but no stage of the plan turns on %s.",
                             st->name, mod->title, title(need), title(need));
                else if (stage_index(p, where) > (int64_t)s)
                    rc = add(f, PLAN_LINT_ERROR, PLAN_LINT_PREREQUISITE, st,
                             mod->id, "Stage '%s' turns on %s, which needs %s "
                             "first, but %s comes only later, in stage '%s'.",
                             st->name, mod->title, title(need), title(need),
                             where->name);
                else
                    rc = add(f, PLAN_LINT_ERROR, PLAN_LINT_PREREQUISITE, st,
                             mod->id, "Stage '%s' turns on %s, which needs %s "
                             "first, but stage '%s' turns on %s for other "
                             "people than this stage's cohort.", st->name,
                             mod->title, title(need), where->name, title(need));
                if (rc != SW_OK)
                    return rc;
            }
        }
    }
    return SW_OK;
}

/* A module with a prerequisite that is a gate (charge capture needs a
 * passed interface test suite) in a stage without that gate. */
static int rule_needs_gate(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    for (size_t s = 0; s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        if (plan_stage_started(st) || plan_stage_gate(st, PLAN_GATE_INTERFACE))
            continue;
        for (size_t m = 0; m < st->nmodules; m++) {
            const catalog_module *mod = catalog_find(st->modules[m]);
            if (mod == NULL || mod->needs_gate == NULL)
                continue;
            int rc = add(f, PLAN_LINT_ERROR, PLAN_LINT_CHARGE_INTERFACE, st,
                         mod->id, "Stage '%s' turns on %s without an interface "
                         "tests gate: charges must not reach the practice-"
                         "management system before %s; add the gate.",
                         st->name, mod->title, mod->needs_gate);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

/* Whether module b lists a as a module it goes with. */
static bool couples_back(const catalog_module *b, const char *a)
{
    for (size_t k = 0; k < CATALOG_MAX_LINKS && b->goes_with[k].module; k++)
        if (strcmp(b->goes_with[k].module, a) == 0)
            return true;
    return false;
}

/* Coupled modules in different stages, once per pair, with the sentence
 * of the module that goes live first (it describes the gap that opens). */
static int rule_couplings(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    size_t n;
    const catalog_module *mods = catalog_modules(&n);
    for (size_t i = 0; i < n; i++) {
        const catalog_module *a = &mods[i];
        const plan_stage *sa = plan_stage_of_module(p, a->id);
        for (size_t k = 0; sa && k < CATALOG_MAX_LINKS && a->goes_with[k].module; k++) {
            const catalog_module *b = catalog_find(a->goes_with[k].module);
            const plan_stage *sb = b ? plan_stage_of_module(p, b->id) : NULL;
            if (sb == NULL || sb == sa)
                continue;
            bool a_first = stage_index(p, sa) < stage_index(p, sb);
            if (!a_first && couples_back(b, a->id))
                continue;        /* reported from b's side */
            const catalog_module *first = a_first ? a : b;
            const catalog_module *second = a_first ? b : a;
            int rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_COUPLING,
                         a_first ? sa : sb, first->id, "%s goes live in stage "
                         "'%s' but %s only in stage '%s'; in between, %s.",
                         first->title, (a_first ? sa : sb)->name, second->title,
                         (a_first ? sb : sa)->name, a->goes_with[k].half_paper);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

static int rule_too_much_change(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    for (size_t s = 0; s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        if (st->nmodules <= (size_t)p->max_modules_per_stage)
            continue;
        char who[160];
        plan_cohort_words(&st->cohort, who, sizeof who);
        int rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_TOO_MUCH_CHANGE, st, NULL,
                     "Stage '%s' changes %zu modules at once for %s, more than "
                     "the %d this plan allows per stage: people absorb only so "
                     "much change at a time, so split the stage or accept a "
                     "deeper drop in productivity.", st->name, st->nmodules,
                     who, p->max_modules_per_stage);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int rule_fatigue(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    if (p->nstages < 2)
        return SW_OK;
    int64_t first = p->stages[0].target_day, last = first;
    for (size_t s = 1; s < p->nstages; s++) {
        if (p->stages[s].target_day < first)
            first = p->stages[s].target_day;
        if (p->stages[s].target_day > last)
            last = p->stages[s].target_day;
    }
    int64_t days = last - first;
    if (days <= 7 * (int64_t)p->max_plan_weeks)
        return SW_OK;
    return add(f, PLAN_LINT_WARNING, PLAN_LINT_FATIGUE, NULL, NULL,
               "The plan runs %lld weeks from its first to its last target "
               "date, more than %d: staff tire of constant change and of "
               "half-paper workflows that long, so merge stages or bring the "
               "dates closer.", (long long)((days + 6) / 7), p->max_plan_weeks);
}

static int rule_big_bang(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    size_t n;
    catalog_modules(&n);
    if (p->nstages != 1 || p->stages[0].nmodules != n
        || plan_stage_started(&p->stages[0]))
        return SW_OK;
    const plan_stage *st = &p->stages[0];
    int rc = SW_OK;
    if (!plan_stage_gate(st, PLAN_GATE_INTERFACE))
        rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_BB_INTERFACE, st, NULL,
                 "This Big Bang plan has no interface tests gate: from day one "
                 "every visit's charges go to the practice-management system, "
                 "so run the full interface test suite before going live.");
    if (rc == SW_OK && !plan_stage_gate(st, PLAN_GATE_TRAINING))
        rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_BB_TRAINING, st, NULL,
                 "This Big Bang plan has no training completion gate: everyone "
                 "changes everything on one day, with no colleague who already "
                 "knows the system, so make sure they are trained first.");
    return rc;
}

static int rule_dates(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    for (size_t s = 1; s < p->nstages; s++) {
        const plan_stage *prev = &p->stages[s - 1], *st = &p->stages[s];
        if (st->target_day >= prev->target_day)
            continue;
        int rc = add(f, PLAN_LINT_ERROR, PLAN_LINT_DATES_BACKWARDS, st, NULL,
                     "Stage '%s' is due on %s, before stage '%s' (%s) that "
                     "comes before it: put the stages in date order or fix the "
                     "dates.", st->name, st->target_date, prev->name,
                     prev->target_date);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int rule_super_users(const plan_lint_input *in, plan_findings *f)
{
    const sw_plan *p = in->plan;
    for (size_t s = 0; s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        for (size_t m = 0; m < st->nmodules; m++) {
            const char *mod = st->modules[m];
            int rc = SW_OK;
            if (in->super_users == NULL) {
                rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_NO_SUPER_USERS, st, mod,
                         "No super-users designated yet for %s: name at least "
                         "one per ten people of its cohort, trained early, so "
                         "colleagues have someone nearby to ask.", title(mod));
                if (rc != SW_OK)
                    return rc;
                continue;
            }
            size_t have = 0;
            for (size_t k = 0; k < in->nsuper_users; k++)
                if (strcmp(in->super_users[k].module, mod) == 0)
                    have = in->super_users[k].n;
            size_t people = cohort_size(in, &st->cohort);
            if (have == 0)
                rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_NO_SUPER_USERS, st, mod,
                         "%s has no super-user: name at least one per ten "
                         "people in the cohort of stage '%s', so colleagues "
                         "have someone nearby to ask.", title(mod), st->name);
            else if (in->users_known && have * 10 < people)
                rc = add(f, PLAN_LINT_WARNING, PLAN_LINT_FEW_SUPER_USERS, st, mod,
                         "%s has %zu super-user%s for the %zu people in the "
                         "cohort of stage '%s': plan at least one per ten.", title(mod),
                         have, have == 1 ? "" : "s", people, st->name);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

/* Errors first, each group in the order the rules found them. */
static int errors_first(plan_findings *f)
{
    if (f->n < 2)
        return SW_OK;
    plan_finding *sorted = sw_calloc(f->n, sizeof *sorted);
    if (sorted == NULL)
        return SW_ENOMEM;
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < f->n; i++)
            if ((f->items[i].severity == PLAN_LINT_ERROR) == (pass == 0))
                sorted[k++] = f->items[i];
    memcpy(f->items, sorted, f->n * sizeof *sorted);
    sw_free(sorted);
    return SW_OK;
}

int plan_lint(const plan_lint_input *in, plan_findings *out)
{
    static int (*const rules[])(const plan_lint_input *, plan_findings *) = {
        rule_prerequisites, rule_needs_gate, rule_couplings,
        rule_too_much_change, rule_fatigue, rule_big_bang, rule_dates,
        rule_super_users,
    };
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        int rc = rules[i](in, out);
        if (rc != SW_OK)
            return rc;
    }
    return errors_first(out);
}

void plan_findings_free(plan_findings *f)
{
    if (f == NULL)
        return;
    sw_free(f->items);
    memset(f, 0, sizeof *f);
}

size_t plan_findings_count(const plan_findings *f, plan_severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->items[i].severity == s;
    return n;
}

json_t *plan_findings_json(const plan_findings *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < f->n; i++) {
        const plan_finding *it = &f->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s}",
            "severity", plan_severity_name(it->severity), "code", it->code,
            "stage", it->stage, "module", it->module, "message", it->message);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
