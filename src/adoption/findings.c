/* findings.c - neglected features and benchmarks stuck under their floor,
 * turned into retraining (findings.h; docs/adoption-metrics.md
 * "Neglected features").
 *
 * adoption_evaluate runs once a day per practice (`stagewise adoption
 * evaluate`, the demo's history, tests): it computes every
 * user's report (report.h) in one write transaction, derives the
 * conditions (unused, peers, below_floor), and reconciles them with the
 * open findings: new conditions open findings, conditions gone close them
 * ("cleared"), and findings 30 days old are re-measured ("improved" or
 * "not_improved"). A practice has a few dozen users, so the whole
 * evaluation is a few dozen reports; it never reads the audit trail.
 *
 * Findings never hold patient data: they name features, benchmarks,
 * roles and counts. */
#include "adoption/findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/features.h"
#include "adoption/report.h"
#include "auth/roles.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/clock.h"
#include "rollout/catalog.h"
#include "training/course.h"
#include "training/records.h"
#include "training/superusers.h"

#define MAX_USERS         500
#define PEER_MIN          2     /* "most peers" needs at least two peers */
#define REMEASURE_DAYS    30
#define ASSIGN_DUE_DAYS   14
#define USED_TIMES        3     /* "used": 3+ times in 30 days */

/* One condition found this evaluation. */
typedef struct cond {
    int64_t     user_id;
    const char *kind;              /* "unused", "peers", "below_floor" */
    char        module[32];
    char        subject[64];       /* a feature id or a benchmark id */
    char        explanation[480];
    double      value;
    const adoption_user_report *report;
    const char *feature;           /* the feature id, or NULL */
    bool        taken;             /* an open finding covers it */
} cond;

/* One open (or recently not improved) finding of the practice. */
typedef struct open_finding {
    int64_t finding_id, user_id, remeasure_day;
    char    kind[16], subject[64], state[16];
} open_finding;

typedef struct eval_ctx {
    int64_t practice_id, as_of_day;
    const training_courses *courses;
    adoption_eval_counts counts;
    adoption_settings set;
    adoption_user_report *reports;
    size_t nreports, capreports;
    cond   *conds;
    size_t  nconds, capconds;
    open_finding *open;
    size_t  nopen;
} eval_ctx;

/* ---- Conditions --------------------------------------------------------- */

static cond *new_cond(eval_ctx *c)
{
    if (c->nconds == c->capconds) {
        size_t cap = c->capconds ? 2 * c->capconds : 64;
        cond *p = sw_realloc(c->conds, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        c->conds = p;
        c->capconds = cap;
    }
    cond *k = &c->conds[c->nconds++];
    memset(k, 0, sizeof *k);
    return k;
}

static const adoption_module_state *module_of(const adoption_user_report *r,
                                              const char *module)
{
    for (size_t i = 0; i < r->nmodules; i++)
        if (strcmp(r->modules[i].module, module) == 0)
            return &r->modules[i];
    return NULL;
}

static const adoption_feature_use *use_of(const adoption_user_report *r,
                                          const char *feature)
{
    for (size_t i = 0; i < r->nfeatures; i++)
        if (strcmp(r->features[i].feature->feature, feature) == 0)
            return &r->features[i];
    return NULL;
}

static const char *module_title(const char *module)
{
    const catalog_module *m = catalog_find(module);
    return m ? m->title : module;
}

/* How many peers of r with role (the module live for them) used feature
 * 3+ times in 30 days, out of how many. */
static void count_peers(const eval_ctx *c, const adoption_user_report *r,
                        const char *role, const adoption_feature *f,
                        int *used, int *peers)
{
    *used = *peers = 0;
    for (size_t i = 0; i < c->nreports; i++) {
        const adoption_user_report *o = &c->reports[i];
        if (o->user_id == r->user_id || !auth_roles_has(o->roles, role))
            continue;
        const adoption_module_state *m = module_of(o, f->module);
        if (m == NULL || !m->live)
            continue;
        (*peers)++;
        const adoption_feature_use *u = use_of(o, f->feature);
        if (u && u->uses_30d >= USED_TIMES)
            (*used)++;
    }
}

/* Whether most peers of r in one of r's roles (for which f is core) use
 * f; the role and counts of the first such role. */
static bool peers_use(const eval_ctx *c, const adoption_user_report *r,
                      const adoption_feature *f, char *role_out, size_t cap,
                      int *used, int *peers)
{
    for (const char *p = r->roles; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char role[32];
        if (len > 0 && len < sizeof role) {
            memcpy(role, p, len);
            role[len] = '\0';
            if (auth_roles_has(f->roles, role)) {
                count_peers(c, r, role, f, used, peers);
                if (*peers >= PEER_MIN
                    && *used * 100 >= c->set.peer_share_percent * *peers) {
                    snprintf(role_out, cap, "%s", role);
                    return true;
                }
            }
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool under(const adoption_value *v, double x)
{
    return v->def && v->def->lower_is_better ? x > v->floor : x < v->floor;
}

static int feature_conds(eval_ctx *c, const adoption_user_report *r,
                         const adoption_module_state *ms)
{
    char since[11];
    adoption_day_text(ms->live_since_day, since);
    for (size_t i = 0; i < r->nfeatures; i++) {
        const adoption_feature_use *u = &r->features[i];
        const adoption_feature *f = u->feature;
        if (strcmp(f->module, ms->module) != 0 || u->uses_30d >= USED_TIMES)
            continue;
        char role[32];
        int used = 0, peers = 0;
        bool unused = u->uses_30d == 0;
        if (!unused && !peers_use(c, r, f, role, sizeof role, &used, &peers))
            continue;
        cond *k = new_cond(c);
        if (k == NULL)
            return SW_ENOMEM;
        k->user_id = r->user_id;
        k->report = r;
        k->feature = f->feature;
        k->kind = unused ? "unused" : "peers";
        k->value = (double)u->uses_30d;
        snprintf(k->module, sizeof k->module, "%s", f->module);
        snprintf(k->subject, sizeof k->subject, "%s", f->feature);
        if (unused)
            snprintf(k->explanation, sizeof k->explanation,
                     "You have not used %s in the last 30 days, though %s has "
                     "been live for you since %s.", f->label,
                     module_title(f->module), ms->live_since_day >= 0 ? since
                                                                     : "go-live");
        else
            snprintf(k->explanation, sizeof k->explanation,
                     "%d of %d colleagues with the role %s use %s at least 3 "
                     "times in 30 days; you used it %lld time%s.", used, peers,
                     role, f->label, (long long)u->uses_30d,
                     u->uses_30d == 1 ? "" : "s");
    }
    return SW_OK;
}

static int floor_conds(eval_ctx *c, const adoption_user_report *r,
                       const adoption_module_state *ms)
{
    for (size_t i = 0; i < r->nvalues; i++) {
        const adoption_value *v = &r->values[i];
        if (strcmp(v->module, ms->module) != 0 || !v->has_value
            || !v->has_previous || !under(v, v->value) || !under(v, v->previous))
            continue;
        cond *k = new_cond(c);
        if (k == NULL)
            return SW_ENOMEM;
        k->user_id = r->user_id;
        k->report = r;
        k->kind = "below_floor";
        k->value = v->value;
        snprintf(k->module, sizeof k->module, "%s", ms->module);
        snprintf(k->subject, sizeof k->subject, "%s", v->id);
        char breadth[96];
        const char *label = v->def ? v->def->label : v->id;
        if (v->def && v->def->kind == ADOPTION_KIND_BREADTH) {
            snprintf(breadth, sizeof breadth, "share of %s's core features "
                     "used 3 times or more", module_title(ms->module));
            label = breadth;
        }
        const char *unit = v->def ? v->def->unit : "";
        int window = v->def ? v->def->window_days : 30;
        /* "35.0%" but "2.5 h per 8 h". */
        const char *sep = strcmp(unit, "%") == 0 ? "" : " ";
        snprintf(k->explanation, sizeof k->explanation,
                 "Your %s was %.1f%s%s over the last %d days and %.1f%s%s over "
                 "the %d days before, %s the floor of %.1f%s%s.", label,
                 v->value, sep, unit, window, v->previous, sep, unit, window,
                 v->def && v->def->lower_is_better ? "above" : "under",
                 v->floor, sep, unit);
    }
    return SW_OK;
}

static int find_conditions(eval_ctx *c)
{
    for (size_t i = 0; i < c->nreports; i++) {
        const adoption_user_report *r = &c->reports[i];
        for (size_t m = 0; m < r->nmodules; m++) {
            const adoption_module_state *ms = &r->modules[m];
            if (!ms->live || ms->settling)
                continue;
            int rc = feature_conds(c, r, ms);
            if (rc == SW_OK)
                rc = floor_conds(c, r, ms);
            if (rc != SW_OK)
                return rc;
        }
    }
    return SW_OK;
}

/* ---- Recommendations ----------------------------------------------------- */

/* The refresher for a condition: the exercise whose audit check uses the
 * feature in a course of the module for the user's roles, else a course
 * of the module (for their roles first), else a session with one of the
 * module's super-users. New reference, NULL when out of memory. */
static json_t *recommend(store_tx *tx, eval_ctx *c, const cond *k, int *rc)
{
    const training_course *exact = NULL, *for_roles = NULL, *any = NULL;
    const course_exercise *ex = NULL;
    for (size_t i = 0; c->courses && i < c->courses->n; i++) {
        const training_course *t = &c->courses->items[i];
        if (strcmp(t->module, k->module) != 0)
            continue;
        if (any == NULL)
            any = t;
        if (!training_course_for_roles(t, k->report->roles))
            continue;
        if (for_roles == NULL)
            for_roles = t;
        for (size_t e = 0; k->feature && exact == NULL && e < t->nexercises; e++)
            for (size_t j = 0; j < t->exercises[e].nchecks; j++) {
                const course_check *ch = &t->exercises[e].checks[j];
                if (ch->kind == COURSE_CHECK_AUDIT
                    && strcmp(ch->feature, k->feature) == 0) {
                    exact = t;
                    ex = &t->exercises[e];
                    break;
                }
            }
    }
    char text[400];
    if (exact != NULL) {
        snprintf(text, sizeof text, "Do the refresher exercise '%s' of the "
                 "course '%s'.", ex->title, exact->title);
        return json_pack("{s:s,s:s,s:s,s:s}", "kind", "exercise", "course",
                         exact->id, "exercise", ex->id, "text", text);
    }
    const training_course *course = for_roles ? for_roles : any;
    if (course != NULL) {
        snprintf(text, sizeof text, "Repeat the course '%s'.", course->title);
        return json_pack("{s:s,s:s,s:s}", "kind", "exercise", "course",
                         course->id, "text", text);
    }
    superuser_row *rows = NULL;
    size_t n = 0;
    sw_arena *a = sw_arena_create(64 * 1024);
    if (a == NULL) {
        *rc = store_tx_fail(tx, SW_ENOMEM, "out of memory for a recommendation");
        return NULL;
    }
    if ((*rc = superuser_list_tx(tx, a, c->practice_id, k->module, &rows, &n))
        != SW_OK) {
        sw_arena_destroy(a);
        return NULL;
    }
    json_t *names = json_array();
    char list[200] = "";
    for (size_t i = 0; names && i < n; i++) {
        if (rows[i].user_id == k->user_id)
            continue;
        json_array_append_new(names, json_string(rows[i].username));
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                 rows[i].username);
    }
    sw_arena_destroy(a);
    const catalog_module *m = catalog_find(k->module);
    if (list[0])
        snprintf(text, sizeof text, "Book a session with a super-user of %s "
                 "(%s).", module_title(k->module), list);
    else
        snprintf(text, sizeof text, "Ask the implementation lead for a "
                 "refresher on %s: it has no course or super-user yet.",
                 module_title(k->module));
    return json_pack("{s:s,s:s,s:o,s:s}", "kind", "super_user", "course",
                     m && m->course ? m->course : "", "super_users",
                     names ? names : json_array(), "text", text);
}

/* ---- Reconciling with the stored findings -------------------------------- */

static int load_open(store_tx *tx, eval_ctx *c)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT finding_id, user_id, kind, subject, "
                           "remeasure_day, state FROM adoption_finding WHERE "
                           "practice_id = ? AND (state = 'open' OR (state = "
                           "'not_improved' AND closed_day > ?))", &st);
    if (rc != SW_OK)
        return rc;
    size_t cap = 0;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, c->as_of_day - REMEASURE_DAYS)) == SW_OK)
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            if (c->nopen == cap) {
                cap = cap ? 2 * cap : 64;
                open_finding *p = sw_realloc(c->open, cap * sizeof *p);
                if (p == NULL) {
                    rc = store_tx_fail(tx, SW_ENOMEM, "out of memory for the "
                                       "findings");
                    break;
                }
                c->open = p;
            }
            open_finding *f = &c->open[c->nopen++];
            size_t n;
            const char *t;
            f->finding_id = store_col_int64(st, 0);
            f->user_id = store_col_int64(st, 1);
            t = store_col_text(st, 2, &n);
            snprintf(f->kind, sizeof f->kind, "%.*s", (int)n, t);
            t = store_col_text(st, 3, &n);
            snprintf(f->subject, sizeof f->subject, "%.*s", (int)n, t);
            f->remeasure_day = store_col_int64(st, 4);
            t = store_col_text(st, 5, &n);
            snprintf(f->state, sizeof f->state, "%.*s", (int)n, t);
        }
    store_finalize(st);
    return rc;
}

static cond *cond_of(eval_ctx *c, int64_t user_id, const char *kind,
                     const char *subject)
{
    for (size_t i = 0; i < c->nconds; i++)
        if (c->conds[i].user_id == user_id && strcmp(c->conds[i].kind, kind) == 0
            && strcmp(c->conds[i].subject, subject) == 0)
            return &c->conds[i];
    return NULL;
}

/* What a finding measures now: a feature's uses, or a benchmark's value
 * (has false when the user has no report or the benchmark no value). */
static double measure_now(const eval_ctx *c, const open_finding *f, bool *has)
{
    *has = false;
    for (size_t i = 0; i < c->nreports; i++) {
        const adoption_user_report *r = &c->reports[i];
        if (r->user_id != f->user_id)
            continue;
        if (strcmp(f->kind, "below_floor") != 0) {
            const adoption_feature_use *u = use_of(r, f->subject);
            *has = true;
            return u ? (double)u->uses_30d : 0;
        }
        for (size_t k = 0; k < r->nvalues; k++)
            if (strcmp(r->values[k].id, f->subject) == 0 && r->values[k].has_value) {
                *has = true;
                return r->values[k].value;
            }
    }
    return 0;
}

static int close_finding(store_tx *tx, eval_ctx *c, const open_finding *f,
                         const char *state)
{
    bool has;
    double now = measure_now(c, f, &has);
    store_stmt *st;
    int rc = store_prepare(tx, "UPDATE adoption_finding SET state = ?, "
                           "value_after = ?, closed_day = ? WHERE practice_id "
                           "= ? AND finding_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    if ((rc = store_bind_cstr(st, 1, state)) == SW_OK
        && (rc = has ? store_bind_double(st, 2, now) : store_bind_null(st, 2))
           == SW_OK
        && (rc = store_bind_int64(st, 3, c->as_of_day)) == SW_OK
        && (rc = store_bind_int64(st, 4, c->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 5, f->finding_id)) == SW_OK)
        rc = store_step(st, &row);
    store_finalize(st);
    return rc;
}

static int open_new(store_tx *tx, eval_ctx *c, cond *k, int64_t id)
{
    int rc = SW_OK;
    json_t *rec = recommend(tx, c, k, &rc);
    if (rec == NULL)
        return rc != SW_OK ? rc : store_tx_fail(tx, SW_ENOMEM, "out of memory "
                                                "for a recommendation");
    char *text = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    if (text == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory for a recommendation");
    store_stmt *st;
    rc = store_prepare(tx, "INSERT INTO adoption_finding (practice_id, "
                       "finding_id, user_id, module, kind, subject, explanation, "
                       "recommendation, value_then, found_day, remeasure_day, "
                       "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
                       &st);
    if (rc == SW_OK) {
        bool row;
        if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK
            && (rc = store_bind_int64(st, 2, id)) == SW_OK
            && (rc = store_bind_int64(st, 3, k->user_id)) == SW_OK
            && (rc = store_bind_cstr(st, 4, k->module)) == SW_OK
            && (rc = store_bind_cstr(st, 5, k->kind)) == SW_OK
            && (rc = store_bind_cstr(st, 6, k->subject)) == SW_OK
            && (rc = store_bind_cstr(st, 7, k->explanation)) == SW_OK
            && (rc = store_bind_cstr(st, 8, text)) == SW_OK
            && (rc = store_bind_double(st, 9, k->value)) == SW_OK
            && (rc = store_bind_int64(st, 10, c->as_of_day)) == SW_OK
            && (rc = store_bind_int64(st, 11, c->as_of_day + REMEASURE_DAYS))
               == SW_OK)
            rc = store_step(st, &row);
        store_finalize(st);
    }
    free(text);
    return rc;
}

static int reconcile(store_tx *tx, eval_ctx *c)
{
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < c->nopen; i++) {
        const open_finding *f = &c->open[i];
        cond *k = cond_of(c, f->user_id, f->kind, f->subject);
        if (strcmp(f->state, "open") != 0) {
            /* Re-measured without improvement lately: no new finding for
             * the same thing until 30 days after. */
            if (k)
                k->taken = true;
            continue;
        }
        if (c->as_of_day >= f->remeasure_day) {
            rc = close_finding(tx, c, f, k ? "not_improved" : "improved");
            c->counts.remeasured++;
            if (k)
                k->taken = true;
        } else if (k == NULL) {
            rc = close_finding(tx, c, f, "cleared");
            c->counts.cleared++;
        } else {
            k->taken = true;
        }
    }
    int64_t last = 0;
    if (rc == SW_OK)
        rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(finding_id), 0) "
                               "FROM adoption_finding WHERE practice_id = ?",
                               "i", c->practice_id);
    for (size_t i = 0; rc == SW_OK && i < c->nconds; i++) {
        if (c->conds[i].taken)
            continue;
        rc = open_new(tx, c, &c->conds[i], ++last);
        c->counts.opened++;
    }
    return rc;
}

static void eval_reset(eval_ctx *c)
{
    memset(&c->counts, 0, sizeof c->counts);
    c->nreports = c->nconds = c->nopen = 0;
}

static int eval_fn(store_tx *tx, void *arg)
{
    eval_ctx *c = arg;
    eval_reset(c);
    int rc = adoption_settings_load(tx, c->practice_id, &c->set);
    if (rc == SW_OK)
        rc = adoption_levels_refresh(tx, c->practice_id, c->as_of_day);
    int64_t ids[MAX_USERS];
    size_t n = 0;
    if (rc == SW_OK)
        rc = adoption_report_users(tx, c->practice_id, ids, MAX_USERS, &n);
    if (rc == SW_OK && n > c->capreports) {
        /* A report is some 15 kB: room for the practice's users only. */
        adoption_user_report *r = sw_realloc(c->reports, n * sizeof *r);
        if (r == NULL)
            return store_tx_fail(tx, SW_ENOMEM, "out of memory for the "
                                 "adoption reports");
        c->reports = r;
        c->capreports = n;
    }
    /* One report context for every user: the plan and the rollout
     * table are read once, not once per user. */
    adoption_report_ctx *rctx = NULL;
    if (rc == SW_OK && n > 0)
        rc = adoption_report_ctx_open(tx, c->practice_id, &rctx);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        rc = adoption_report_user_ctx(tx, rctx, ids[i], c->as_of_day, false,
                                      &c->reports[c->nreports]);
        if (rc == SW_OK)
            c->nreports++;
    }
    adoption_report_ctx_close(rctx);
    if (rc == SW_OK)
        rc = find_conditions(c);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, rc, "out of memory for the findings");
    if (rc == SW_OK)
        rc = load_open(tx, c);
    if (rc == SW_OK)
        rc = reconcile(tx, c);
    return rc;
}

int adoption_evaluate(sw_store *s, int64_t practice_id, int64_t as_of_day,
                      const training_courses *courses,
                      adoption_eval_counts *counts, sw_err *err)
{
    eval_ctx c;
    memset(&c, 0, sizeof c);
    c.practice_id = practice_id;
    c.as_of_day = as_of_day;
    c.courses = courses;
    int rc = store_write(s, eval_fn, &c, err);
    if (counts != NULL)
        *counts = c.counts;
    sw_free(c.reports);
    sw_free(c.conds);
    sw_free(c.open);
    return rc;
}

/* ---- Listing and assigning ------------------------------------------------ */

static json_t *num_or_null(store_stmt *st, int col)
{
    return store_col_null(st, col) ? json_null()
                                   : json_real(store_col_double(st, col));
}

static json_t *day_json(int64_t day)
{
    char text[11];
    adoption_day_text(day, text);
    return json_string(text);
}

static json_t *text_json(store_stmt *st, int col)
{
    size_t n;
    const char *t = store_col_text(st, col, &n);
    return json_stringn(t, n);
}

int adoption_findings_json(store_tx *tx, int64_t practice_id, int64_t user_id,
                           bool open_only, json_t **out)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(tx,
        "SELECT f.finding_id, u.username, f.module, f.kind, f.subject, "
        "f.explanation, f.recommendation, f.value_then, f.found_day, "
        "f.assignment_id, f.remeasure_day, f.value_after, f.state "
        "FROM adoption_finding f JOIN app_user u ON u.practice_id = "
        "f.practice_id AND u.user_id = f.user_id WHERE f.practice_id = ? "
        "AND (? = 0 OR f.user_id = ?) AND (? = 0 OR f.state = 'open') "
        "ORDER BY CASE WHEN f.state = 'open' THEN 0 ELSE 1 END, "
        "f.found_day DESC, f.finding_id DESC", &st);
    if (rc != SW_OK)
        return rc;
    json_t *list = json_array();
    bool row = false;
    if (list == NULL)
        rc = store_tx_fail(tx, SW_ENOMEM, "out of memory for the findings");
    else if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, user_id)) == SW_OK
        && (rc = store_bind_int64(st, 3, user_id)) == SW_OK
        && (rc = store_bind_int64(st, 4, open_only ? 1 : 0)) == SW_OK)
        while ((rc = store_step(st, &row)) == SW_OK && row) {
            size_t n;
            const char *t = store_col_text(st, 6, &n);
            json_t *rec = json_loadb(t, n, 0, NULL);
            int64_t assignment = store_col_int64(st, 9);
            json_t *f = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
                                  "s:o,s:o}",
                "id", (json_int_t)store_col_int64(st, 0),
                "user", text_json(st, 1), "module", text_json(st, 2),
                "kind", text_json(st, 3), "subject", text_json(st, 4),
                "explanation", text_json(st, 5),
                "recommendation", rec ? rec : json_object(),
                "value_then", num_or_null(st, 7),
                "found", day_json(store_col_int64(st, 8)),
                "assignment", assignment ? json_integer(assignment) : json_null(),
                "remeasure_on", day_json(store_col_int64(st, 10)),
                "value_after", num_or_null(st, 11), "state", text_json(st, 12));
            if (f == NULL || json_array_append_new(list, f) != 0) {
                rc = store_tx_fail(tx, SW_ENOMEM, "out of memory for the "
                                   "findings");
                break;
            }
        }
    store_finalize(st);
    if (rc != SW_OK)
        json_decref(list);
    else
        *out = list;
    return rc;
}

typedef struct assign_ctx {
    int64_t practice_id, finding_id, assignment_id, today;
    int64_t user_id, assigned;
    char    state[16], module[32], explanation[480], course[64], exercise[48];
} assign_ctx;

static int assign_read(store_tx *tx, void *arg)
{
    assign_ctx *c = arg;
    adoption_settings set;
    int rc = adoption_settings_load(tx, c->practice_id, &set);
    if (rc != SW_OK)
        return rc;
    c->today = adoption_day_of(sw_now_wall_ms(), set.utc_offset_minutes);
    store_stmt *st;
    if ((rc = store_prepare(tx, "SELECT user_id, state, assignment_id, module, "
                            "explanation, recommendation FROM adoption_finding "
                            "WHERE practice_id = ? AND finding_id = ?", &st))
        != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, c->practice_id)) == SW_OK
        && (rc = store_bind_int64(st, 2, c->finding_id)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        size_t n;
        const char *t;
        c->user_id = store_col_int64(st, 0);
        t = store_col_text(st, 1, &n);
        snprintf(c->state, sizeof c->state, "%.*s", (int)n, t);
        c->assigned = store_col_int64(st, 2);
        t = store_col_text(st, 3, &n);
        snprintf(c->module, sizeof c->module, "%.*s", (int)n, t);
        t = store_col_text(st, 4, &n);
        snprintf(c->explanation, sizeof c->explanation, "%.*s", (int)n, t);
        t = store_col_text(st, 5, &n);
        json_t *rec = json_loadb(t, n, 0, NULL);
        const char *course = json_string_value(json_object_get(rec, "course"));
        const char *ex = json_string_value(json_object_get(rec, "exercise"));
        snprintf(c->course, sizeof c->course, "%s", course ? course : "");
        snprintf(c->exercise, sizeof c->exercise, "%s", ex ? ex : "");
        json_decref(rec);
    }
    store_finalize(st);
    if (rc == SW_OK && !row)
        return store_tx_fail(tx, SW_ENOTFOUND, "finding %lld does not exist",
                             (long long)c->finding_id);
    return rc;
}

static int assign_link(store_tx *tx, void *arg)
{
    assign_ctx *c = arg;
    int64_t changed = 0;
    int rc = store_exec(tx, &changed, "UPDATE adoption_finding SET "
                        "assignment_id = ?, remeasure_day = ? WHERE practice_id"
                        " = ? AND finding_id = ? AND assignment_id = 0 AND "
                        "state = 'open'", "iiii", c->assignment_id,
                        c->today + REMEASURE_DAYS, c->practice_id, c->finding_id);
    if (rc == SW_OK && changed == 0)
        return store_tx_fail(tx, SW_ECONFLICT, "finding %lld was assigned or "
                             "closed meanwhile", (long long)c->finding_id);
    return rc;
}

int adoption_finding_assign(sw_store *s, int64_t practice_id,
                            int64_t finding_id, int64_t by_user_id,
                            int64_t *assignment_id, sw_err *err)
{
    assign_ctx c;
    memset(&c, 0, sizeof c);
    c.practice_id = practice_id;
    c.finding_id = finding_id;
    *assignment_id = 0;
    int rc = store_read(s, assign_read, &c, err);
    if (rc != SW_OK)
        return rc;
    if (strcmp(c.state, "open") != 0)
        return sw_err_set(err, SW_ECONFLICT, "finding %lld is %s, not open",
                          (long long)finding_id, c.state);
    if (c.assigned != 0)
        return sw_err_set(err, SW_ECONFLICT, "finding %lld is already assigned "
                          "(assignment %lld)", (long long)finding_id,
                          (long long)c.assigned);
    char due[11];
    adoption_day_text(c.today + ASSIGN_DUE_DAYS, due);
    training_assign a = {
        .user_id = c.user_id, .assigned_by = by_user_id,
        .assigned_at = sw_now_wall_ms(), .course_id = c.course,
        .exercise_id = c.exercise, .reason = c.explanation, .due_date = due,
    };
    /* The assignment is the training area's own write; the finding is
     * linked to it right after. Should the link lose a race with another
     * assign, the second assignment stays as an ordinary one. */
    if ((rc = training_assign_add(s, practice_id, &a, &c.assignment_id, err))
        != SW_OK)
        return rc;
    if ((rc = store_write(s, assign_link, &c, err)) != SW_OK)
        return rc;
    *assignment_id = c.assignment_id;
    return SW_OK;
}
