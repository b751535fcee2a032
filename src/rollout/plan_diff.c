/* plan_diff.c - readable differences between two plan versions (see
 * plan_diff.h). Each kind of change is one sentence; the order follows
 * the newer plan so the list reads like the plan itself. */
#include "plan_diff.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define LINE_MAX_BYTES 600

static int add(plan_changes *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int add(plan_changes *c, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        char **items = sw_realloc(c->items, cap * sizeof *items);
        if (items == NULL)
            return SW_ENOMEM;
        c->items = items;
        c->cap = cap;
    }
    char *s = sw_strdup(line);
    if (s == NULL)
        return SW_ENOMEM;
    c->items[c->n++] = s;
    return SW_OK;
}

static bool has_module(const plan_stage *s, const char *m)
{
    for (size_t i = 0; i < s->nmodules; i++)
        if (strcmp(s->modules[i], m) == 0)
            return true;
    return false;
}

static void module_list(const plan_stage *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->nmodules && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "",
                              s->modules[i]);
}

static const plan_item *find_item(const plan_gate *g, const char *id)
{
    for (size_t i = 0; g && i < g->nitems; i++)
        if (strcmp(g->items[i].id, id) == 0)
            return &g->items[i];
    return NULL;
}

static int diff_checklist(const plan_stage *b, const plan_gate *ga,
                          const plan_gate *gb, plan_changes *c)
{
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < gb->nitems; i++) {
        const plan_item *old = find_item(ga, gb->items[i].id);
        if (old == NULL)
            rc = add(c, "stage '%s': added checklist item \"%s\"", b->name,
                     gb->items[i].text);
        else if (strcmp(old->text, gb->items[i].text) != 0)
            rc = add(c, "stage '%s': checklist item \"%s\" now reads \"%s\"",
                     b->name, old->text, gb->items[i].text);
    }
    for (size_t i = 0; rc == SW_OK && i < ga->nitems; i++)
        if (find_item(gb, ga->items[i].id) == NULL)
            rc = add(c, "stage '%s': removed checklist item \"%s\"", b->name,
                     ga->items[i].text);
    return rc;
}

static int diff_gates(const plan_stage *a, const plan_stage *b, plan_changes *c)
{
    int rc = SW_OK;
    char wa[120], wb[120];
    for (int k = 0; rc == SW_OK && k < PLAN_GATE__COUNT; k++) {
        const plan_gate *ga = plan_stage_gate(a, (plan_gate_kind)k);
        const plan_gate *gb = plan_stage_gate(b, (plan_gate_kind)k);
        if (ga == NULL && gb == NULL)
            continue;
        if (ga == NULL) {
            plan_gate_words(gb, wb, sizeof wb);
            rc = add(c, "stage '%s': added gate %s", b->name, wb);
        } else if (gb == NULL) {
            plan_gate_words(ga, wa, sizeof wa);
            rc = add(c, "stage '%s': removed gate %s", b->name, wa);
        } else if (ga->percent != gb->percent) {
            plan_gate_words(gb, wb, sizeof wb);
            rc = add(c, "stage '%s': gate %s (was %d%%)", b->name, wb,
                     ga->percent);
        } else if (k == PLAN_GATE_CHECKLIST) {
            rc = diff_checklist(b, ga, gb, c);
        }
    }
    return rc;
}

static bool same_cohort(const plan_cohort *a, const plan_cohort *b)
{
    if (a->kind != b->kind || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->members[i], b->members[i]) != 0)
            return false;
    return true;
}

/* How many stages before x's stage i also exist in y. */
static size_t common_rank(const sw_plan *x, size_t i, const sw_plan *y)
{
    size_t n = 0;
    for (size_t k = 0; k < i; k++)
        n += plan_stage_find(y, x->stages[k].id, NULL) != NULL;
    return n;
}

static int diff_stage(const sw_plan *pa, size_t ia, const plan_stage *a,
                      const sw_plan *pb, size_t ib, const plan_stage *b,
                      plan_changes *c)
{
    int rc = SW_OK;
    if (strcmp(a->name, b->name) != 0)
        rc = add(c, "stage '%s' renamed to '%s'", a->name, b->name);
    /* Only a move relative to the other stages is news: adding or removing
     * a stage shifts the positions of the rest without moving them. */
    if (rc == SW_OK && common_rank(pa, ia, pb) != common_rank(pb, ib, pa))
        rc = add(c, "stage '%s' moved from position %zu to %zu", b->name,
                 ia + 1, ib + 1);
    if (rc == SW_OK && a->target_day != b->target_day)
        rc = add(c, "target date of '%s' moved from %s to %s", b->name,
                 a->target_date, b->target_date);
    for (size_t i = 0; rc == SW_OK && i < b->nmodules; i++)
        if (!has_module(a, b->modules[i]))
            rc = add(c, "stage '%s': added module %s", b->name, b->modules[i]);
    for (size_t i = 0; rc == SW_OK && i < a->nmodules; i++)
        if (!has_module(b, a->modules[i]))
            rc = add(c, "stage '%s': removed module %s", b->name, a->modules[i]);
    if (rc == SW_OK && !same_cohort(&a->cohort, &b->cohort)) {
        char wa[200], wb[200];
        plan_cohort_words(&a->cohort, wa, sizeof wa);
        plan_cohort_words(&b->cohort, wb, sizeof wb);
        rc = add(c, "cohort of '%s' changed from %s to %s", b->name, wa, wb);
    }
    if (rc == SW_OK)
        rc = diff_gates(a, b, c);
    if (rc == SW_OK && a->state != b->state)
        rc = add(c, "state of '%s' changed from %s to %s", b->name,
                 plan_state_name(a->state), plan_state_name(b->state));
    return rc;
}

int plan_diff(const sw_plan *a, const sw_plan *b, plan_changes *out)
{
    memset(out, 0, sizeof *out);
    int rc = SW_OK;
    if (a && a->max_modules_per_stage != b->max_modules_per_stage)
        rc = add(out, "max_modules_per_stage changed from %d to %d",
                 a->max_modules_per_stage, b->max_modules_per_stage);
    if (rc == SW_OK && a && a->max_plan_weeks != b->max_plan_weeks)
        rc = add(out, "max_plan_weeks changed from %d to %d",
                 a->max_plan_weeks, b->max_plan_weeks);
    for (size_t ib = 0; rc == SW_OK && ib < b->nstages; ib++) {
        const plan_stage *sb = &b->stages[ib];
        size_t ia = 0;
        const plan_stage *sa = a ? plan_stage_find(a, sb->id, &ia) : NULL;
        if (sa == NULL) {
            char mods[400];
            module_list(sb, mods, sizeof mods);
            rc = add(out, "stage '%s' added (target date %s, modules %s)",
                     sb->name, sb->target_date, mods);
        } else {
            rc = diff_stage(a, ia, sa, b, ib, sb, out);
        }
    }
    for (size_t ia = 0; rc == SW_OK && a && ia < a->nstages; ia++)
        if (plan_stage_find(b, a->stages[ia].id, NULL) == NULL)
            rc = add(out, "stage '%s' removed", a->stages[ia].name);
    return rc;
}

void plan_changes_free(plan_changes *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        sw_free(c->items[i]);
    sw_free(c->items);
    memset(c, 0, sizeof *c);
}

json_t *plan_changes_json(const plan_changes *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < c->n; i++)
        if (json_array_append_new(a, json_string(c->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}
