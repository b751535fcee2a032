/* plan_templates.c - the template table (see plan_templates.h).
 *
 * Every template gives every stage to everyone: a cohort narrower than the
 * practice is a choice only the practice can make (who pilots, which
 * roles), and a template that guessed would trip the prerequisite rule
 * for the people it left out. Gates follow one pattern, explained in
 * docs/rollout.md: each stage waits for its cohort's training (80% for a
 * stage, 90% for Big Bang, where nobody can lean on colleagues who already
 * know the system) and proficiency checks; a stage after the first also
 * waits until 70% of the previous stage's users meet its benchmarks, so a
 * practice does not pile change on people still struggling; charge
 * capture always waits for a passed interface test suite, since untested
 * billing interfaces have cost practices months of revenue. */
#include "plan_templates.h"

#include <stdbool.h>
#include <string.h>

#include "rollout/catalog.h"
#include "rollout/plan.h"

#define MAX_STAGES 4

/* What a stage's gates are, beyond training and proficiency. */
enum {
    G_BENCHMARKS = 1 << 0,     /* previous stage's benchmarks, 70% */
    G_INTERFACE  = 1 << 1,     /* interface test suite passed */
    G_CHECKLIST  = 1 << 2,     /* the go-live checklist below */
    G_BIG_BANG   = 1 << 3,     /* training 90% instead of 80% */
};

typedef struct stage_spec {
    const char *id;
    const char *name;
    int         weeks;         /* target date: start + weeks */
    const char *modules[PLAN_MAX_MODULES];  /* NULL-terminated; "*" = all */
    unsigned    gates;
} stage_spec;

typedef struct template_row {
    plan_template t;
    stage_spec    stages[MAX_STAGES];
} template_row;

static const template_row rows[] = {
    {
        .t = {
            .name = "big-bang", .title = "Big Bang",
            .description = "Every module for everyone on one day. Choose it "
                "when the practice is small, the old system must be switched "
                "off by a fixed date, or the workflows are so intertwined "
                "that any split would leave staff on paper for half of each "
                "visit; expect a deeper but shorter drop in productivity, "
                "and reduce the schedule for the first weeks.",
        },
        .stages = {
            { "go-live", "Go-live", 8, { "*" },
              G_INTERFACE | G_CHECKLIST | G_BIG_BANG },
        },
    },
    {
        .t = {
            .name = "front-office-first", .title = "Front office first",
            .description = "Registration and scheduling first, then the "
                "clinical chart, then prescribing, orders and results, then "
                "billing. Choose it when the front desk can go first without "
                "the clinicians, the practice wants a shallow drop in "
                "productivity, and billing must keep running on the old "
                "system until the interface to the practice-management "
                "system has passed its tests.",
        },
        .stages = {
            { "front-office", "Front office", 4,
              { "registration", "scheduling" }, G_CHECKLIST },
            { "documentation", "Documentation and lists", 8,
              { "documentation", "problems", "allergies", "medications",
                "vitals" }, G_BENCHMARKS },
            { "orders-prescribing", "Prescribing, orders and results", 12,
              { "eprescribing", "orders", "results", "immunizations" },
              G_BENCHMARKS },
            { "billing", "Billing", 16, { "charge_capture" },
              G_BENCHMARKS | G_INTERFACE | G_CHECKLIST },
        },
    },
    {
        .t = {
            .name = "clinical-first", .title = "Clinical first",
            .description = "The chart first (notes, problems, allergies, "
                "medications), then prescribing, orders and results, then "
                "scheduling and billing. Choose it when the practice-"
                "management system keeps registering patients and booking "
                "appointments for now (they arrive over the interface), and "
                "the most pressing problem is the paper chart.",
        },
        .stages = {
            { "chart", "The chart", 4,
              { "registration", "documentation", "problems", "allergies",
                "medications" }, G_CHECKLIST },
            { "orders-prescribing", "Prescribing, orders and results", 10,
              { "eprescribing", "orders", "results", "vitals",
                "immunizations" }, G_BENCHMARKS },
            { "scheduling-billing", "Scheduling and billing", 16,
              { "scheduling", "charge_capture" },
              G_BENCHMARKS | G_INTERFACE | G_CHECKLIST },
        },
    },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The readiness items every go-live checklist starts with; the practice
 * edits them like the rest of the plan. */
static const plan_item checklist[] = {
    { "super-users", "A trained super-user is named for every module of the stage" },
    { "schedule-reduced", "Clinic schedules are reduced for the first two weeks" },
    { "downtime-plan", "Downtime procedures are printed and rehearsed" },
    { "support-on-site", "Support is on site for the first days after go-live" },
    /* Ticked from the operations records, not by hand (checklist.h). */
    { "ops-restore-drill", "A restore drill succeeded in the last 30 days (stagewise restore --drill)" },
    { "ops-downtime-copy", "The downtime copy was tested in the last 30 days (stagewise downtime-check)" },
};

const plan_template *plan_template_at(size_t i)
{
    return i < NROWS ? &rows[i].t : NULL;
}

static const template_row *row_of(const plan_template *t)
{
    for (size_t i = 0; i < NROWS; i++)
        if (&rows[i].t == t)
            return &rows[i];
    return NULL;
}

const plan_template *plan_template_find(const char *name)
{
    for (size_t i = 0; name && i < NROWS; i++)
        if (strcmp(rows[i].t.name, name) == 0)
            return &rows[i].t;
    return NULL;
}

static json_t *modules_json(const stage_spec *s)
{
    json_t *a = json_array();
    if (a && s->modules[0] && strcmp(s->modules[0], "*") == 0) {
        size_t n;
        const catalog_module *m = catalog_modules(&n);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_string(m[i].id));
        return a;
    }
    for (size_t i = 0; a && i < PLAN_MAX_MODULES && s->modules[i]; i++)
        json_array_append_new(a, json_string(s->modules[i]));
    return a;
}

static json_t *gates_json(const stage_spec *s)
{
    json_t *a = json_array();
    if (a == NULL)
        return NULL;
    json_array_append_new(a, json_pack("{s:s, s:i}", "kind",
        "training_completion", "percent", s->gates & G_BIG_BANG ? 90 : 80));
    json_array_append_new(a, json_pack("{s:s, s:i}", "kind", "proficiency",
                                       "percent", 80));
    if (s->gates & G_BENCHMARKS)
        json_array_append_new(a, json_pack("{s:s, s:i}", "kind",
                                           "previous_benchmarks", "percent", 70));
    if (s->gates & G_INTERFACE)
        json_array_append_new(a, json_pack("{s:s}", "kind", "interface_tests"));
    if (s->gates & G_CHECKLIST) {
        json_t *items = json_array();
        for (size_t i = 0; items && i < sizeof checklist / sizeof checklist[0]; i++)
            json_array_append_new(items, json_pack("{s:s, s:s}", "id",
                checklist[i].id, "text", checklist[i].text));
        json_array_append_new(a, json_pack("{s:s, s:o*}", "kind", "checklist",
                                           "items", items));
    }
    return a;
}

json_t *plan_template_build(const plan_template *t, int64_t start_day)
{
    const template_row *r = row_of(t);
    if (r == NULL)
        return NULL;
    json_t *stages = json_array();
    for (size_t i = 0; stages && i < MAX_STAGES && r->stages[i].id; i++) {
        const stage_spec *s = &r->stages[i];
        char date[11];
        plan_date_format(start_day + 7 * s->weeks, date);
        json_t *st = json_pack("{s:s, s:s, s:s, s:o*, s:{s:s}, s:o*, s:s}",
            "id", s->id, "name", s->name, "target_date", date,
            "modules", modules_json(s), "cohort", "kind", "everyone",
            "gates", gates_json(s), "state", "planned");
        if (st == NULL || json_array_append_new(stages, st) != 0) {
            json_decref(stages);
            return NULL;
        }
    }
    return json_pack("{s:i, s:i, s:o*}",
                     "max_modules_per_stage", PLAN_DEFAULT_MAX_MODULES_PER_STAGE,
                     "max_plan_weeks", PLAN_DEFAULT_MAX_PLAN_WEEKS,
                     "stages", stages);
}

json_t *plan_templates_json(void)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < NROWS; i++) {
        json_t *stages = json_array();
        for (size_t k = 0; stages && k < MAX_STAGES && rows[i].stages[k].id; k++)
            json_array_append_new(stages, json_pack("{s:s, s:s, s:i, s:o*}",
                "id", rows[i].stages[k].id, "name", rows[i].stages[k].name,
                "weeks", rows[i].stages[k].weeks,
                "modules", modules_json(&rows[i].stages[k])));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o*}",
            "name", rows[i].t.name, "title", rows[i].t.title,
            "description", rows[i].t.description, "stages", stages));
    }
    return list;
}
