/* plan.c - implementation plans as data (see plan.h): checking a plan's
 * JSON member by member, building the struct the linter and the diff
 * read, writing the canonical JSON back, and calendar dates.
 *
 * Called by the plan API and CLI on every write (validation) and on reads
 * that lint or diff. Plans are small (a few stages, a dozen modules): the
 * checks are linear scans, which read better than indexes would. */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/roles.h"
#include "auth/users.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "rollout/catalog.h"

/* ---- Names ---------------------------------------------------------------- */

static const char *const gate_names[PLAN_GATE__COUNT] = {
    [PLAN_GATE_TRAINING]    = "training_completion",
    [PLAN_GATE_PROFICIENCY] = "proficiency",
    [PLAN_GATE_INTERFACE]   = "interface_tests",
    [PLAN_GATE_BENCHMARKS]  = "previous_benchmarks",
    [PLAN_GATE_CHECKLIST]   = "checklist",
};

const char *plan_gate_kind_name(plan_gate_kind k)
{
    return (unsigned)k < PLAN_GATE__COUNT ? gate_names[k] : "";
}

static bool gate_has_percent(plan_gate_kind k)
{
    return k == PLAN_GATE_TRAINING || k == PLAN_GATE_PROFICIENCY
        || k == PLAN_GATE_BENCHMARKS;
}

const char *plan_state_name(plan_stage_state s)
{
    switch (s) {
    case PLAN_STAGE_PLANNED:     return "planned";
    case PLAN_STAGE_LIVE:        return "live";
    case PLAN_STAGE_ROLLED_BACK: return "rolled_back";
    }
    return "";
}

const char *plan_cohort_kind_name(plan_cohort_kind k)
{
    switch (k) {
    case PLAN_COHORT_EVERYONE: return "everyone";
    case PLAN_COHORT_ROLES:    return "roles";
    case PLAN_COHORT_USERS:    return "users";
    }
    return "";
}

void plan_cohort_words(const plan_cohort *c, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s", plan_cohort_kind_name(c->kind));
    for (size_t i = 0; i < c->n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : " ",
                              c->members[i]);
}

void plan_gate_words(const plan_gate *g, char *out, size_t cap)
{
    switch (g->kind) {
    case PLAN_GATE_TRAINING:
        snprintf(out, cap, "training completion %d%%", g->percent);
        break;
    case PLAN_GATE_PROFICIENCY:
        snprintf(out, cap, "proficiency %d%%", g->percent);
        break;
    case PLAN_GATE_INTERFACE:
        snprintf(out, cap, "interface tests");
        break;
    case PLAN_GATE_BENCHMARKS:
        snprintf(out, cap, "previous stage's benchmarks %d%%", g->percent);
        break;
    default:
        snprintf(out, cap, "checklist (%zu item%s)", g->nitems,
                 g->nitems == 1 ? "" : "s");
        break;
    }
}

/* ---- Dates ---------------------------------------------------------------- */

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

bool plan_date_parse(const char *s, int64_t *day)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int hi = two_digits(s), lo = two_digits(s + 2);
    int m = two_digits(s + 5), d = two_digits(s + 8);
    if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1)
        return false;
    int64_t y = hi * 100 + lo;
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    if (y < 1900 || d > max)
        return false;
    *day = sw_days_from_civil(y, m, d);
    return true;
}

void plan_date_format(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)(y % 10000), m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int64_t plan_day_of_ms(int64_t wall_ms)
{
    int64_t day = wall_ms / 86400000;
    return wall_ms < 0 && wall_ms % 86400000 ? day - 1 : day;
}

/* ---- Issues --------------------------------------------------------------- */

/* A member's path; a path longer than the buffer is cut, which only ever
 * shortens a message. */
static void pathf(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void pathf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static void issue(plan_issues *is, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void issue(plan_issues *is, const char *path, const char *fmt, ...)
{
    if (is->n == PLAN_MAX_ISSUES) {
        is->dropped++;
        return;
    }
    plan_issue *it = &is->items[is->n++];
    pathf(it->path, sizeof it->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
}

void plan_issues_first(const plan_issues *is, char *out, size_t cap)
{
    if (is->n == 0)
        snprintf(out, cap, "the plan is not valid");
    else if (is->items[0].path[0] == '\0')
        snprintf(out, cap, "%s", is->items[0].message);
    else
        snprintf(out, cap, "%s: %s", is->items[0].path, is->items[0].message);
}

json_t *plan_issues_json(const plan_issues *is)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < is->n; i++)
        if (json_array_append_new(a, json_pack("{s:s, s:s}", "path",
                is->items[i].path, "message", is->items[i].message)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* ---- Checking members ----------------------------------------------------- */

/* Members of obj not in names get an issue each. */
static void only_members(json_t *obj, const char *path, const char *const *names,
                         plan_issues *is)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known) {
            char p[96];
            pathf(p, sizeof p, "%s%s%.40s", path, path[0] ? "." : "", key);
            issue(is, p, "is not a member of a plan here");
        }
    }
}

/* A slug: 1..PLAN_ID_MAX of a-z, 0-9 and '-', starting with a letter or
 * digit; stable because diffs, gates and the audit trail refer to it. */
static bool is_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PLAN_ID_MAX || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* Text for people: 1..max bytes, no control characters. */
static bool is_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* A string member; NULL (with an issue when required) otherwise. */
static const char *get_string(json_t *obj, const char *name, const char *path,
                              bool required, plan_issues *is)
{
    json_t *v = json_object_get(obj, name);
    char p[96];
    pathf(p, sizeof p, "%s.%s", path, name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            issue(is, p, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        issue(is, p, "must be a string");
        return NULL;
    }
    return json_string_value(v);
}

static void check_cohort(json_t *c, const char *path, plan_cohort *out,
                         plan_issues *is)
{
    static const char *const members[] = { "kind", "roles", "users", NULL };
    if (!json_is_object(c)) {
        issue(is, path, "must be an object such as {\"kind\":\"everyone\"}");
        return;
    }
    only_members(c, path, members, is);
    const char *kind = get_string(c, "kind", path, true, is);
    if (kind == NULL)
        return;
    const char *list = NULL;
    if (strcmp(kind, "everyone") == 0) {
        out->kind = PLAN_COHORT_EVERYONE;
    } else if (strcmp(kind, "roles") == 0) {
        out->kind = PLAN_COHORT_ROLES;
        list = "roles";
    } else if (strcmp(kind, "users") == 0) {
        out->kind = PLAN_COHORT_USERS;
        list = "users";
    } else {
        char p[96];
        pathf(p, sizeof p, "%s.kind", path);
        issue(is, p, "'%.40s' is not a kind of cohort; it is everyone, roles "
              "or users", kind);
        return;
    }
    char p[96];
    static const char *const lists[] = { "roles", "users" };
    for (size_t k = 0; k < 2; k++)
        if (json_object_get(c, lists[k]) != NULL
            && (list == NULL || strcmp(list, lists[k]) != 0)) {
            pathf(p, sizeof p, "%s.%s", path, lists[k]);
            issue(is, p, "does not belong to a cohort of kind %s", kind);
        }
    if (list == NULL)
        return;
    json_t *a = json_object_get(c, list);
    pathf(p, sizeof p, "%s.%s", path, list);
    if (!json_is_array(a) || json_array_size(a) == 0) {
        issue(is, p, "must list at least one %s", out->kind == PLAN_COHORT_ROLES
              ? "role" : "username");
        return;
    }
    if (json_array_size(a) > PLAN_MAX_COHORT) {
        issue(is, p, "lists more than %d entries", PLAN_MAX_COHORT);
        return;
    }
    out->members = sw_calloc(json_array_size(a), sizeof *out->members);
    if (out->members == NULL)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        char ip[96];
        pathf(ip, sizeof ip, "%s[%zu]", p, i);
        const char *s = json_string_value(v);
        if (s == NULL) {
            issue(is, ip, "must be a string");
            continue;
        }
        if (out->kind == PLAN_COHORT_ROLES && auth_role_find(s) == NULL) {
            issue(is, ip, "'%.40s' is not a role; the roles are physician, "
                  "advanced_practice, nurse, medical_assistant, front_desk, "
                  "biller, practice_admin and implementation_lead", s);
            continue;
        }
        sw_err err;
        if (out->kind == PLAN_COHORT_USERS && auth_username_check(s, &err) != SW_OK) {
            issue(is, ip, "'%.40s' is not a username: %s", s, sw_err_text(&err));
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < out->n && !dup; k++)
            dup = strcmp(out->members[k], s) == 0;
        if (dup) {
            issue(is, ip, "'%.40s' is listed twice", s);
            continue;
        }
        out->members[out->n++] = s;
    }
}

static void check_items(json_t *a, const char *path, plan_gate *g,
                        plan_issues *is)
{
    static const char *const members[] = { "id", "text", NULL };
    if (!json_is_array(a) || json_array_size(a) == 0) {
        issue(is, path, "must list at least one item {\"id\",\"text\"}");
        return;
    }
    if (json_array_size(a) > PLAN_MAX_ITEMS) {
        issue(is, path, "lists more than %d items", PLAN_MAX_ITEMS);
        return;
    }
    g->items = sw_calloc(json_array_size(a), sizeof *g->items);
    if (g->items == NULL)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        char p[96];
        pathf(p, sizeof p, "%s[%zu]", path, i);
        if (!json_is_object(v)) {
            issue(is, p, "must be an object {\"id\",\"text\"}");
            continue;
        }
        only_members(v, p, members, is);
        const char *id = get_string(v, "id", p, true, is);
        const char *text = get_string(v, "text", p, true, is);
        char mp[96];
        if (id && !is_slug(id)) {
            pathf(mp, sizeof mp, "%s.id", p);
            issue(is, mp, "must be 1 to %d lower-case letters, digits and "
                  "hyphens", PLAN_ID_MAX);
            id = NULL;
        }
        for (size_t k = 0; id && k < g->nitems; k++)
            if (strcmp(g->items[k].id, id) == 0) {
                pathf(mp, sizeof mp, "%s.id", p);
                issue(is, mp, "'%s' is used by another item of this checklist", id);
                id = NULL;
            }
        if (text && !is_text(text, PLAN_TEXT_MAX)) {
            pathf(mp, sizeof mp, "%s.text", p);
            issue(is, mp, "must be 1 to %d characters on one line", PLAN_TEXT_MAX);
            text = NULL;
        }
        if (id && text)
            g->items[g->nitems++] = (plan_item){ .id = id, .text = text };
    }
}

static void check_gate(json_t *gj, const char *path, size_t stage_index,
                       plan_stage *st, plan_issues *is)
{
    static const char *const members[] = { "kind", "percent", "items", NULL };
    if (!json_is_object(gj)) {
        issue(is, path, "must be an object such as {\"kind\":\"interface_tests\"}");
        return;
    }
    only_members(gj, path, members, is);
    const char *kind = get_string(gj, "kind", path, true, is);
    if (kind == NULL)
        return;
    plan_gate g = { .kind = PLAN_GATE__COUNT };
    for (int k = 0; k < PLAN_GATE__COUNT; k++)
        if (strcmp(kind, gate_names[k]) == 0)
            g.kind = (plan_gate_kind)k;
    char p[96];
    pathf(p, sizeof p, "%s.kind", path);
    if (g.kind == PLAN_GATE__COUNT) {
        issue(is, p, "'%.40s' is not a kind of gate; it is training_completion, "
              "proficiency, interface_tests, previous_benchmarks or checklist",
              kind);
        return;
    }
    if (plan_stage_gate(st, g.kind) != NULL) {
        issue(is, p, "this stage already has a %s gate", kind);
        return;
    }
    if (g.kind == PLAN_GATE_BENCHMARKS && stage_index == 0)
        issue(is, p, "the first stage has no previous stage whose benchmarks "
              "could be met");
    json_t *pc = json_object_get(gj, "percent");
    pathf(p, sizeof p, "%s.percent", path);
    if (gate_has_percent(g.kind)) {
        if (!json_is_integer(pc) || json_integer_value(pc) < 1
            || json_integer_value(pc) > 100)
            issue(is, p, "must be a whole number from 1 to 100");
        else
            g.percent = (int)json_integer_value(pc);
    } else if (pc != NULL) {
        issue(is, p, "does not belong to a %s gate", kind);
    }
    json_t *items = json_object_get(gj, "items");
    pathf(p, sizeof p, "%s.items", path);
    if (g.kind == PLAN_GATE_CHECKLIST)
        check_items(items, p, &g, is);
    else if (items != NULL)
        issue(is, p, "belongs only to a checklist gate");
    st->gates[st->ngates++] = g;
}

static void check_time(json_t *sj, const char *name, const char *path,
                       const char **out, plan_issues *is)
{
    const char *s = get_string(sj, name, path, false, is);
    int64_t ms;
    if (s && !sw_time_parse_iso(s, &ms)) {
        char p[96];
        pathf(p, sizeof p, "%s.%s", path, name);
        issue(is, p, "must be an instant such as 2026-11-25T08:00:00Z");
        return;
    }
    *out = s;
}

static void check_stage(json_t *sj, size_t index, sw_plan *plan,
                        plan_issues *is)
{
    static const char *const members[] = {
        "id", "name", "target_date", "modules", "cohort", "gates", "state",
        "live_at", "rolled_back_at", NULL,
    };
    plan_stage *st = &plan->stages[index];
    char path[64], p[96];
    pathf(path, sizeof path, "stages[%zu]", index);
    if (!json_is_object(sj)) {
        issue(is, path, "must be an object");
        return;
    }
    only_members(sj, path, members, is);

    const char *id = get_string(sj, "id", path, true, is);
    pathf(p, sizeof p, "%s.id", path);
    if (id && !is_slug(id))
        issue(is, p, "must be 1 to %d lower-case letters, digits and hyphens "
              "(such as \"front-office\")", PLAN_ID_MAX);
    else if (id && plan_stage_find(plan, id, NULL))
        issue(is, p, "'%s' is the id of an earlier stage; ids are unique", id);
    else
        st->id = id;

    const char *name = get_string(sj, "name", path, true, is);
    pathf(p, sizeof p, "%s.name", path);
    if (name && !is_text(name, PLAN_NAME_MAX))
        issue(is, p, "must be 1 to %d characters on one line", PLAN_NAME_MAX);
    else if (name) {
        for (size_t k = 0; k < index; k++)
            if (plan->stages[k].name && strcasecmp(plan->stages[k].name, name) == 0) {
                issue(is, p, "'%.60s' is the name of an earlier stage; names "
                      "are unique", name);
                name = NULL;
                break;
            }
        st->name = name;
    }

    const char *date = get_string(sj, "target_date", path, true, is);
    pathf(p, sizeof p, "%s.target_date", path);
    if (date && !plan_date_parse(date, &st->target_day))
        issue(is, p, "'%.20s' is not a date YYYY-MM-DD", date);
    else
        st->target_date = date;

    json_t *mods = json_object_get(sj, "modules");
    pathf(p, sizeof p, "%s.modules", path);
    if (!json_is_array(mods) || json_array_size(mods) == 0) {
        issue(is, p, "must list at least one module");
    } else if (json_array_size(mods) > PLAN_MAX_MODULES) {
        issue(is, p, "lists more than %d modules", PLAN_MAX_MODULES);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(mods, i, v) {
            char mp[96];
            pathf(mp, sizeof mp, "%s[%zu]", p, i);
            const catalog_module *m = catalog_find(json_string_value(v));
            if (!json_is_string(v)) {
                issue(is, mp, "must be a module id");
                continue;
            }
            if (m == NULL) {
                issue(is, mp, "'%.40s' is not a module; see GET /api/modules "
                      "or 'stagewise modules'", json_string_value(v));
                continue;
            }
            const plan_stage *other = plan_stage_of_module(plan, m->id);
            if (other == st) {
                issue(is, mp, "'%s' is listed twice in this stage", m->id);
                continue;
            }
            if (other != NULL) {
                issue(is, mp, "'%s' is already in stage '%s'; a module goes "
                      "live in one stage only", m->id,
                      other->id ? other->id : "?");
                continue;
            }
            st->modules[st->nmodules++] = m->id;
        }
    }

    pathf(p, sizeof p, "%s.cohort", path);
    json_t *cohort = json_object_get(sj, "cohort");
    if (cohort == NULL)
        issue(is, p, "is required: {\"kind\":\"everyone\"}, roles or users");
    else
        check_cohort(cohort, p, &st->cohort, is);

    json_t *gates = json_object_get(sj, "gates");
    pathf(p, sizeof p, "%s.gates", path);
    if (gates != NULL && !json_is_array(gates)) {
        issue(is, p, "must be a list of gates");
    } else if (json_array_size(gates) > PLAN_MAX_GATES) {
        issue(is, p, "lists more than %d gates", PLAN_MAX_GATES);
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(gates, i, v) {
            char gp[96];
            pathf(gp, sizeof gp, "%s[%zu]", p, i);
            check_gate(v, gp, index, st, is);
        }
    }

    const char *state = get_string(sj, "state", path, false, is);
    pathf(p, sizeof p, "%s.state", path);
    if (state == NULL || strcmp(state, "planned") == 0)
        st->state = PLAN_STAGE_PLANNED;
    else if (strcmp(state, "live") == 0)
        st->state = PLAN_STAGE_LIVE;
    else if (strcmp(state, "rolled_back") == 0)
        st->state = PLAN_STAGE_ROLLED_BACK;
    else
        issue(is, p, "'%.40s' is not a state; it is planned, live or "
              "rolled_back", state);
    check_time(sj, "live_at", path, &st->live_at, is);
    check_time(sj, "rolled_back_at", path, &st->rolled_back_at, is);
}

static void check_setting(json_t *doc, const char *name, int min, int max,
                          int *out, plan_issues *is)
{
    json_t *v = json_object_get(doc, name);
    if (v == NULL)
        return;
    if (!json_is_integer(v) || json_integer_value(v) < min
        || json_integer_value(v) > max) {
        issue(is, name, "must be a whole number from %d to %d", min, max);
        return;
    }
    *out = (int)json_integer_value(v);
}

int plan_from_json(json_t *doc, sw_plan **out, plan_issues *is)
{
    static const char *const members[] = {
        "max_modules_per_stage", "max_plan_weeks", "stages", NULL,
    };
    *out = NULL;
    memset(is, 0, sizeof *is);
    if (!json_is_object(doc)) {
        issue(is, "", "a plan is a JSON object with \"stages\"");
        return SW_EINVAL;
    }
    sw_plan *p = sw_calloc(1, sizeof *p);
    if (p == NULL)
        return SW_ENOMEM;
    p->doc = json_incref(doc);
    p->max_modules_per_stage = PLAN_DEFAULT_MAX_MODULES_PER_STAGE;
    p->max_plan_weeks = PLAN_DEFAULT_MAX_PLAN_WEEKS;
    only_members(doc, "", members, is);
    size_t ncat;
    catalog_modules(&ncat);
    check_setting(doc, "max_modules_per_stage", 1, (int)ncat,
                  &p->max_modules_per_stage, is);
    check_setting(doc, "max_plan_weeks", 1, PLAN_MAX_PLAN_WEEKS_LIMIT,
                  &p->max_plan_weeks, is);
    json_t *stages = json_object_get(doc, "stages");
    if (!json_is_array(stages) || json_array_size(stages) == 0) {
        issue(is, "stages", "must list at least one stage");
    } else if (json_array_size(stages) > PLAN_MAX_STAGES) {
        issue(is, "stages", "lists more than %d stages", PLAN_MAX_STAGES);
    } else {
        p->stages = sw_calloc(json_array_size(stages), sizeof *p->stages);
        if (p->stages == NULL) {
            plan_free(p);
            return SW_ENOMEM;
        }
        size_t i;
        json_t *v;
        json_array_foreach(stages, i, v) {
            p->nstages = i + 1;
            check_stage(v, i, p, is);
        }
    }
    /* An allocation that failed inside a check left a list short: report
     * it as such rather than as a valid plan. */
    for (size_t i = 0; i < p->nstages && is->n == 0; i++) {
        const plan_stage *st = &p->stages[i];
        bool short_list = st->cohort.kind != PLAN_COHORT_EVERYONE
                       && st->cohort.members == NULL;
        for (size_t g = 0; g < st->ngates; g++)
            short_list |= st->gates[g].kind == PLAN_GATE_CHECKLIST
                       && st->gates[g].items == NULL;
        if (short_list) {
            plan_free(p);
            return SW_ENOMEM;
        }
    }
    if (is->n > 0) {
        plan_free(p);
        return SW_EINVAL;
    }
    *out = p;
    return SW_OK;
}

int plan_from_text(const char *text, size_t len, sw_plan **out,
                   plan_issues *is)
{
    *out = NULL;
    memset(is, 0, sizeof *is);
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        issue(is, "", "the plan is not valid JSON (line %d, column %d)",
              je.line, je.column);
        return SW_EINVAL;
    }
    int rc = plan_from_json(doc, out, is);
    json_decref(doc);
    return rc;
}

void plan_free(sw_plan *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nstages; i++) {
        plan_stage *st = &p->stages[i];
        sw_free(st->cohort.members);
        for (size_t g = 0; g < st->ngates; g++)
            sw_free(st->gates[g].items);
    }
    sw_free(p->stages);
    json_decref(p->doc);
    sw_free(p);
}

/* ---- Writing -------------------------------------------------------------- */

static json_t *gate_json(const plan_gate *g)
{
    json_t *o = json_pack("{s:s}", "kind", plan_gate_kind_name(g->kind));
    if (o && gate_has_percent(g->kind))
        json_object_set_new(o, "percent", json_integer(g->percent));
    if (o && g->kind == PLAN_GATE_CHECKLIST) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < g->nitems; i++)
            json_array_append_new(a, json_pack("{s:s, s:s}", "id",
                g->items[i].id, "text", g->items[i].text));
        json_object_set_new(o, "items", a);
    }
    return o;
}

static json_t *stage_json(const plan_stage *st)
{
    json_t *mods = json_array(), *gates = json_array();
    for (size_t i = 0; mods && i < st->nmodules; i++)
        json_array_append_new(mods, json_string(st->modules[i]));
    for (size_t i = 0; gates && i < st->ngates; i++)
        json_array_append_new(gates, gate_json(&st->gates[i]));
    json_t *cohort = json_pack("{s:s}", "kind",
                               plan_cohort_kind_name(st->cohort.kind));
    if (cohort && st->cohort.kind != PLAN_COHORT_EVERYONE) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < st->cohort.n; i++)
            json_array_append_new(a, json_string(st->cohort.members[i]));
        json_object_set_new(cohort, st->cohort.kind == PLAN_COHORT_ROLES
                            ? "roles" : "users", a);
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:o*, s:o*, s:o*, s:s}",
        "id", st->id, "name", st->name, "target_date", st->target_date,
        "modules", mods, "cohort", cohort, "gates", gates,
        "state", plan_state_name(st->state));
    if (o && st->live_at)
        json_object_set_new(o, "live_at", json_string(st->live_at));
    if (o && st->rolled_back_at)
        json_object_set_new(o, "rolled_back_at", json_string(st->rolled_back_at));
    return o;
}

json_t *plan_to_json(const sw_plan *p)
{
    json_t *stages = json_array();
    for (size_t i = 0; stages && i < p->nstages; i++) {
        json_t *s = stage_json(&p->stages[i]);
        if (s == NULL || json_array_append_new(stages, s) != 0) {
            json_decref(stages);
            return NULL;
        }
    }
    return json_pack("{s:i, s:i, s:o*}", "max_modules_per_stage",
                     p->max_modules_per_stage, "max_plan_weeks",
                     p->max_plan_weeks, "stages", stages);
}

/* ---- Lookups -------------------------------------------------------------- */

const plan_stage *plan_stage_find(const sw_plan *p, const char *id,
                                  size_t *index)
{
    for (size_t i = 0; id && i < p->nstages; i++)
        if (p->stages[i].id && strcmp(p->stages[i].id, id) == 0) {
            if (index)
                *index = i;
            return &p->stages[i];
        }
    return NULL;
}

const plan_stage *plan_stage_of_module(const sw_plan *p, const char *module)
{
    for (size_t i = 0; module && i < p->nstages; i++)
        for (size_t m = 0; m < p->stages[i].nmodules; m++)
            if (strcmp(p->stages[i].modules[m], module) == 0)
                return &p->stages[i];
    return NULL;
}

const plan_gate *plan_stage_gate(const plan_stage *s, plan_gate_kind kind)
{
    for (size_t i = 0; i < s->ngates; i++)
        if (s->gates[i].kind == kind)
            return &s->gates[i];
    return NULL;
}

bool plan_stage_started(const plan_stage *s)
{
    return s->state != PLAN_STAGE_PLANNED || s->live_at != NULL;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool same_modules(const plan_stage *a, const plan_stage *b)
{
    if (a->nmodules != b->nmodules)
        return false;
    for (size_t i = 0; i < a->nmodules; i++) {
        bool found = false;
        for (size_t k = 0; k < b->nmodules && !found; k++)
            found = strcmp(a->modules[i], b->modules[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

static bool same_cohort(const plan_cohort *a, const plan_cohort *b)
{
    if (a->kind != b->kind || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        bool found = false;
        for (size_t k = 0; k < b->n && !found; k++)
            found = strcmp(a->members[i], b->members[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

int plan_check_change(const sw_plan *cur, const sw_plan *next, sw_err *err)
{
    for (size_t i = 0; cur && i < cur->nstages; i++) {
        const plan_stage *c = &cur->stages[i];
        if (!plan_stage_started(c))
            continue;
        const plan_stage *n = plan_stage_find(next, c->id, NULL);
        if (n == NULL)
            return sw_err_set(err, SW_ECONFLICT, "stage '%s' has gone live; "
                              "it stays in the plan (roll it back instead)",
                              c->id);
        if (n->state != c->state || !same_str(n->live_at, c->live_at)
            || !same_str(n->rolled_back_at, c->rolled_back_at))
            return sw_err_set(err, SW_ECONFLICT, "the state of stage '%s' "
                              "changes only by going live or rolling back",
                              c->id);
        if (!same_modules(c, n))
            return sw_err_set(err, SW_ECONFLICT, "stage '%s' has gone live; "
                              "its modules can no longer change (add them to "
                              "a later stage)", c->id);
        /* Widening the cohort would turn its modules on for people no gate
         * was checked for. */
        if (!same_cohort(&c->cohort, &n->cohort))
            return sw_err_set(err, SW_ECONFLICT, "stage '%s' has gone live; "
                              "its cohort can no longer change (give the "
                              "others a later stage)", c->id);
    }
    for (size_t i = 0; i < next->nstages; i++) {
        const plan_stage *n = &next->stages[i];
        const plan_stage *c = cur ? plan_stage_find(cur, n->id, NULL) : NULL;
        if (c == NULL && plan_stage_started(n))
            return sw_err_set(err, SW_ECONFLICT, "stage '%s' is new, so it "
                              "starts planned: a stage goes live only through "
                              "its go-live", n->id);
        if (c != NULL && !plan_stage_started(c) && plan_stage_started(n))
            return sw_err_set(err, SW_ECONFLICT, "the state of stage '%s' "
                              "changes only by going live or rolling back",
                              n->id);
    }
    return SW_OK;
}
