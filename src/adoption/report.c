/* report.c - a user's adoption as of a day (see report.h): every
 * benchmark's value and standing, each module's level and flag, and the
 * uses of their core features; the JSON of it; the users a report
 * covers; and the levels refresh the benchmarks gate reads.
 *
 * The counts come from report_measure.c; which modules are live for the
 * user, and since when, from the rollout decision (rollout/decide.h) built
 * from the practice's plan, overrides and super-users inside the caller's
 * transaction. A report context reads those once for many reports (the
 * dashboard builds one report per user and week). */
#include "adoption/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/report_int.h"
#include "auth/users.h"
#include "core/arena.h"
#include "core/clock.h"
#include "rollout/catalog.h"
#include "rollout/decide.h"
#include "rollout/overrides.h"
#include "rollout/plan_store.h"
#include "training/superusers.h"

struct adoption_report_ctx {
    int64_t           practice_id;
    adoption_settings set;
    adoption_targets  targets;
    sw_plan          *plan;        /* NULL: no plan */
    rollout_table    *table;
};

/* ---- The context ---------------------------------------------------------- */

/* The rollout decision table from the plan, the overrides and the
 * super-user roster, as the rollout cache builds it (decide_cache.c), but
 * inside the caller's transaction. */
static int build_table(store_tx *tx, adoption_report_ctx *c, int64_t version)
{
    sw_arena *a = sw_arena_create(1024 * 1024);
    if (a == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    override_row *rows = NULL;
    superuser_row *su = NULL;
    size_t n = 0, nsu = 0;
    int rc = override_list_tx(tx, a, c->practice_id, &rows, &n);
    if (rc == SW_OK)
        rc = superuser_list_tx(tx, a, c->practice_id, NULL, &su, &nsu);
    rollout_override *ov = sw_arena_calloc(a, n + 1, sizeof *ov);
    rollout_super_users *mods = sw_arena_calloc(a, nsu + 1, sizeof *mods);
    const char **names = sw_arena_calloc(a, nsu + 1, sizeof *names);
    if (rc == SW_OK && (ov == NULL || mods == NULL || names == NULL))
        rc = SW_ENOMEM;
    size_t nmods = 0;
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        ov[i].user_id = rows[i].user_id;
        ov[i].module = rows[i].module;
    }
    /* The roster comes by module: one group per module. */
    for (size_t i = 0; rc == SW_OK && i < nsu; i++) {
        names[i] = su[i].username;
        if (nmods == 0 || strcmp(mods[nmods - 1].module, su[i].module) != 0) {
            mods[nmods].module = su[i].module;
            mods[nmods].usernames = &names[i];
            mods[nmods].n = 0;
            nmods++;
        }
        mods[nmods - 1].n++;
    }
    if (rc == SW_OK) {
        rollout_inputs in = { .overrides = ov, .noverrides = n,
                              .super_users = mods, .nsuper_users = nmods };
        c->table = rollout_table_build(c->plan, version, &in);
        if (c->table == NULL)
            rc = SW_ENOMEM;
    }
    sw_arena_destroy(a);
    return rc == SW_ENOMEM ? store_tx_fail(tx, SW_ENOMEM, NULL) : rc;
}

int adoption_report_ctx_open(store_tx *tx, int64_t practice_id,
                             adoption_report_ctx **out)
{
    *out = NULL;
    adoption_report_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    c->practice_id = practice_id;
    int rc = adoption_settings_load(tx, practice_id, &c->set);
    if (rc == SW_OK)
        rc = adoption_targets_load(tx, practice_id, &c->targets);
    plan_record rec;
    memset(&rec, 0, sizeof rec);
    if (rc == SW_OK)
        rc = plan_store_load_tx(tx, practice_id, 0, &rec);
    if (rc == SW_OK && rec.version > 0) {
        plan_issues issues;
        memset(&issues, 0, sizeof issues);
        if (plan_from_text(rec.body, strlen(rec.body), &c->plan, &issues)
            != SW_OK)
            rc = store_tx_fail(tx, SW_EINTERNAL, "the stored plan version "
                               "does not check; fix it with stagewise plan "
                               "set");
    }
    if (rc == SW_OK)
        rc = build_table(tx, c, rec.version);
    plan_record_free(&rec);
    if (rc != SW_OK) {
        adoption_report_ctx_close(c);
        return rc;
    }
    *out = c;
    return SW_OK;
}

void adoption_report_ctx_close(adoption_report_ctx *c)
{
    if (c == NULL)
        return;
    rollout_table_free(c->table);
    plan_free(c->plan);
    free(c);
}

/* ---- Modules: live, since when, settling ------------------------------- */

static int64_t stage_live_day(const adoption_report_ctx *c, const char *id)
{
    for (size_t i = 0; c->plan && id && i < c->plan->nstages; i++) {
        const plan_stage *s = &c->plan->stages[i];
        int64_t ms;
        if (strcmp(s->id, id) == 0 && s->live_at
            && sw_time_parse_iso(s->live_at, &ms))
            return adoption_day_of(ms, c->set.utc_offset_minutes);
    }
    return -1;
}

static void modules_of(const adoption_report_ctx *c,
                       adoption_user_report *r)
{
    size_t n;
    const catalog_module *mods = catalog_modules(&n);
    rollout_user u = { r->user_id, r->username, r->roles };
    r->nmodules = 0;
    for (size_t i = 0; i < n && r->nmodules < ADOPTION_MAX_MODULES; i++) {
        adoption_module_state *m = &r->modules[r->nmodules++];
        memset(m, 0, sizeof *m);
        snprintf(m->module, sizeof m->module, "%s", mods[i].id);
        rollout_answer ans;
        rollout_decide(c->table, mods[i].id, &u, &ans);
        m->live = ans.live;
        m->live_since_day = ans.live ? stage_live_day(c, ans.stage_id) : -1;
        /* A module a stage brought later than the report's day was not
         * live then. */
        if (m->live && m->live_since_day > r->as_of_day)
            m->live = false, m->live_since_day = -1;
        m->settling = m->live && m->live_since_day >= 0
            && r->as_of_day < m->live_since_day + 7LL * c->set.settling_weeks;
        m->level = m->live ? "learning" : "not_live";
    }
}

static adoption_module_state *module_state(adoption_user_report *r,
                                           const char *id)
{
    for (size_t i = 0; i < r->nmodules; i++)
        if (strcmp(r->modules[i].module, id) == 0)
            return &r->modules[i];
    return NULL;
}

/* ---- Values --------------------------------------------------------------- */

/* The value of benchmark b (not breadth) from counts k; false with why. */
static bool value_of(const adoption_benchmark *b, const report_counts *k,
                     int64_t *num, int64_t *den, double *v, const char **why)
{
    const char *id = b->id;
    *why = "no patients seen in the window";
    if (b->kind == ADOPTION_KIND_TIME && strcmp(id, "pajama") != 0) {
        *num = strcmp(id, "ehr_time") == 0 ? k->active_ms
             : strcmp(id, "outside_time") == 0 ? k->outside_ms
             : strcmp(id, "note_time") == 0 ? k->note_ms
             : strcmp(id, "rx_time") == 0 ? k->rx_ms : k->inbox_ms;
        *den = k->scheduled_min;
        *why = "no scheduled hours in the window";
        return adoption_per_8h(*num, *den, v);
    }
    if (strcmp(id, "pajama") == 0) {
        *num = k->pajama_ms;
        *den = k->visits_signed;
        *why = "no visits signed in the window";
        if (*den <= 0)
            return false;
        *v = (double)*num / 60000.0 / (double)*den;
        return true;
    }
    if (strcmp(id, "same_day_closure") == 0) {
        *num = k->signed_same_day, *den = k->signed_all;
        *why = "no visits signed in the window";
    } else if (strcmp(id, "erx") == 0) {
        *num = k->erx_sent, *den = k->erx_sent + k->meds_added;
        *why = "no prescriptions sent or medications added in the window";
    } else if (strcmp(id, "med_cpoe") == 0) {
        *num = k->medication_ordered, *den = k->with_medication;
        *why = k->seen ? "no patients seen with a medication recorded" : *why;
    } else if (strcmp(id, "lab_cpoe") == 0) {
        *num = k->lab_ordered, *den = k->lab_all;
        *why = k->seen ? "no lab results for the patients seen" : *why;
    } else if (strcmp(id, "imaging_cpoe") == 0) {
        *num = k->imaging_ordered, *den = k->imaging_all;
        *why = k->seen ? "no imaging reports for the patients seen" : *why;
    } else {
        *den = k->seen;
        *num = strcmp(id, "problem_list") == 0 ? k->problems
             : strcmp(id, "med_list") == 0 ? k->medications
             : strcmp(id, "allergy_list") == 0 ? k->allergies
             : strcmp(id, "demographics") == 0 ? k->demographics
             : strcmp(id, "vitals") == 0 ? k->vitals : k->smoking;
    }
    return adoption_percent(*num, *den, v);
}

/* Breadth of module for roles from feature counts: core features used at
 * least 3 times in the window / core features. */
#define BREADTH_MIN_USES 3
static bool breadth_of(const char *module, const char *roles,
                       const report_feature_count *fc, size_t nfc,
                       int64_t *num, int64_t *den, double *v)
{
    const adoption_feature *core[ADOPTION_MAX_FEATURES];
    size_t n = adoption_core_features(module, roles, core,
                                      ADOPTION_MAX_FEATURES);
    *num = 0;
    *den = (int64_t)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nfc; j++)
            if (strcmp(fc[j].feature, core[i]->feature) == 0
                && fc[j].uses >= BREADTH_MIN_USES)
                (*num)++;
    return adoption_percent(*num, *den, v);
}

static adoption_value *add_value(adoption_user_report *r,
                                 const adoption_benchmark *b, size_t index,
                                 const adoption_report_ctx *c,
                                 const char *module)
{
    if (r->nvalues >= ADOPTION_MAX_VALUES)
        return NULL;
    adoption_value *v = &r->values[r->nvalues++];
    memset(v, 0, sizeof *v);
    v->def = b;
    if (b->kind == ADOPTION_KIND_BREADTH)
        snprintf(v->id, sizeof v->id, "%s.%s", b->id, module);
    else
        snprintf(v->id, sizeof v->id, "%s", b->id);
    snprintf(v->module, sizeof v->module, "%s", module);
    v->floor = c->targets.floor[index];
    v->goal = c->targets.goal[index];
    v->standing = "no_value";
    return v;
}

static void set_value(adoption_value *v, bool has, double value,
                      const char *why)
{
    v->has_value = has;
    if (has) {
        v->value = value;
        v->standing = adoption_standing(v->def, v->floor, v->goal, value);
    } else {
        snprintf(v->why_none, sizeof v->why_none, "%s", why);
    }
}

/* The value the previous window's pass fills next: the passes add values
 * in the same order. */
static adoption_value *previous_slot(adoption_user_report *r, size_t *slot)
{
    return *slot < r->nvalues ? &r->values[(*slot)++] : NULL;
}

/* The values of the window ending as_of (previous false) or of the window
 * before it (previous true: into has_previous/previous of the values
 * already there). */
static int fill_values(store_tx *tx, const adoption_report_ctx *c,
                       const report_rows *rows, adoption_user_report *r,
                       bool previous)
{
    size_t nb;
    const adoption_benchmark *table = adoption_benchmarks(&nb);
    int64_t time_last = r->as_of_day, ratio_last = r->as_of_day;
    if (previous) {
        time_last -= ADOPTION_TIME_WINDOW_DAYS;
        ratio_last -= ADOPTION_RATIO_WINDOW_DAYS;
    }
    report_counts k;
    report_counts_of(rows, time_last, ratio_last, &k);
    report_feature_count *fc = calloc(REPORT_MAX_FEATURE_ROWS, sizeof *fc);
    size_t nfc = 0;
    if (fc == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    report_feature_counts_of(rows, time_last, fc, &nfc);
    if (!previous) {
        r->scheduled_minutes_30d = k.scheduled_min;
        r->active_ms_30d = k.active_ms;
        r->visits_signed_30d = k.visits_signed;
    }
    size_t slot = 0;
    for (size_t i = 0; i < nb; i++) {
        const adoption_benchmark *b = &table[i];
        int64_t num = 0, den = 0;
        double v = 0;
        const char *why = "";
        if (b->kind == ADOPTION_KIND_BREADTH) {
            for (size_t m = 0; m < r->nmodules; m++) {
                adoption_module_state *ms = &r->modules[m];
                const adoption_feature *core[ADOPTION_MAX_FEATURES];
                if (!ms->live || adoption_core_features(ms->module, r->roles,
                        core, ADOPTION_MAX_FEATURES) == 0)
                    continue;
                bool has = breadth_of(ms->module, r->roles, fc, nfc, &num,
                                      &den, &v);
                adoption_value *val = previous ? previous_slot(r, &slot)
                                               : add_value(r, b, i, c,
                                                           ms->module);
                if (val == NULL)
                    continue;
                if (previous) {
                    val->has_previous = has;
                    val->previous = v;
                    continue;
                }
                val->numerator = num;
                val->denominator = den;
                ms->core_used = (int)num;
                ms->core_total = (int)den;
                set_value(val, has, v, "");
            }
            continue;
        }
        if (!r->clinician)
            continue;     /* time, closure and ratios are clinicians' */
        adoption_value *val = previous ? previous_slot(r, &slot)
                                       : add_value(r, b, i, c, b->module);
        if (val == NULL)
            continue;
        const adoption_module_state *ms = *b->module
            ? module_state(r, b->module) : NULL;
        bool live = *b->module == '\0' || (ms && ms->live);
        bool has = live && value_of(b, &k, &num, &den, &v, &why);
        if (previous) {
            val->has_previous = has;
            val->previous = v;
            continue;
        }
        val->numerator = num;
        val->denominator = den;
        set_value(val, has, v, live ? why : "the module is not live for "
                                            "the user");
    }
    if (!previous) {
        /* The core features of the user's roles, with their uses. */
        size_t nf;
        const adoption_feature *all = adoption_features(&nf);
        r->nfeatures = 0;
        for (size_t i = 0; i < nf && r->nfeatures < ADOPTION_MAX_FEATURES; i++) {
            const adoption_feature *core[ADOPTION_MAX_FEATURES];
            size_t nc = adoption_core_features(all[i].module, r->roles, core,
                                               ADOPTION_MAX_FEATURES);
            bool mine = false;
            for (size_t j = 0; j < nc; j++)
                mine = mine || core[j] == &all[i];
            if (!mine)
                continue;
            adoption_feature_use *u = &r->features[r->nfeatures++];
            u->feature = &all[i];
            u->uses_30d = 0;
            u->last_used_day = -1;
            for (size_t j = 0; j < nfc; j++)
                if (strcmp(fc[j].feature, all[i].feature) == 0) {
                    u->uses_30d = fc[j].uses;
                    u->last_used_day = fc[j].last_day;
                }
        }
    }
    free(fc);
    return SW_OK;
}

/* ---- Levels ------------------------------------------------------------- */

static void levels_of(adoption_user_report *r)
{
    for (size_t m = 0; m < r->nmodules; m++) {
        adoption_module_state *ms = &r->modules[m];
        if (!ms->live) {
            ms->level = "not_live";
            ms->flagged = false;
            continue;
        }
        size_t with = 0, floors = 0, goals = 0;
        for (size_t i = 0; i < r->nvalues; i++) {
            const adoption_value *v = &r->values[i];
            if (strcmp(v->module, ms->module) != 0 || !v->has_value)
                continue;
            with++;
            floors += strcmp(v->standing, "below_floor") != 0;
            goals += strcmp(v->standing, "goal_met") == 0;
        }
        ms->level = with == 0 || floors < with ? "learning"
                  : goals == with ? "proficient" : "adopted";
        ms->flagged = with > 0 && floors < with && !ms->settling;
    }
}

/* ---- The report ------------------------------------------------------------ */

int adoption_report_user_ctx(store_tx *tx, adoption_report_ctx *c,
                             int64_t user_id, int64_t as_of_day,
                             bool levels_only, adoption_user_report *out)
{
    memset(out, 0, sizeof *out);
    sw_arena *a = sw_arena_create(64 * 1024);
    if (a == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    auth_user u;
    bool found = false;
    int rc = auth_user_load(tx, a, c->practice_id, user_id, &u, &found);
    if (rc == SW_OK && !found)
        rc = store_tx_fail(tx, SW_ENOTFOUND, "there is no such user");
    if (rc == SW_OK) {
        out->practice_id = c->practice_id;
        out->user_id = user_id;
        snprintf(out->username, sizeof out->username, "%s", u.username);
        snprintf(out->display_name, sizeof out->display_name, "%s",
                 u.display_name);
        snprintf(out->roles, sizeof out->roles, "%s", u.roles);
        out->clinician = adoption_is_clinician(u.roles);
        out->as_of_day = as_of_day;
    }
    sw_arena_destroy(a);
    if (rc != SW_OK)
        return rc;
    modules_of(c, out);
    /* The user's rows for every window the report shows, read once. */
    report_rows *rows = NULL;
    rc = report_rows_read(tx, c->practice_id, user_id, &c->set,
                          out->clinician, as_of_day, !levels_only, &rows);
    if (rc == SW_OK)
        rc = fill_values(tx, c, rows, out, false);
    if (rc == SW_OK && !levels_only)
        rc = fill_values(tx, c, rows, out, true);
    report_rows_free(rows);
    if (rc == SW_OK)
        levels_of(out);
    if (levels_only)
        out->nfeatures = 0;
    return rc;
}

int adoption_report_user(store_tx *tx, int64_t practice_id, int64_t user_id,
                         int64_t as_of_day, adoption_user_report *out)
{
    adoption_report_ctx *c;
    int rc = adoption_report_ctx_open(tx, practice_id, &c);
    if (rc != SW_OK)
        return rc;
    rc = adoption_report_user_ctx(tx, c, user_id, as_of_day, false, out);
    adoption_report_ctx_close(c);
    return rc;
}

int adoption_report_users(store_tx *tx, int64_t practice_id, int64_t *ids,
                          size_t cap, size_t *n)
{
    *n = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id FROM app_user WHERE "
                           "practice_id = ? AND disabled = 0 AND kind = ? "
                           "ORDER BY username", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_cstr(st, 2, AUTH_KIND_PERSON);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row)
        if (*n < cap)
            ids[(*n)++] = store_col_int64(st, 0);
    store_finalize(st);
    return rc;
}

int adoption_levels_refresh(store_tx *tx, int64_t practice_id,
                            int64_t as_of_day)
{
    enum { MAX_USERS = 2000 };
    int64_t *ids = calloc(MAX_USERS, sizeof *ids);
    adoption_user_report *r = malloc(sizeof *r);
    adoption_report_ctx *c = NULL;
    size_t n = 0;
    int rc = ids && r ? SW_OK : store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = adoption_report_users(tx, practice_id, ids, MAX_USERS, &n);
    if (rc == SW_OK)
        rc = adoption_report_ctx_open(tx, practice_id, &c);
    /* The whole practice's rows are replaced: a user since disabled keeps
     * no stale level. */
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "DELETE FROM adoption_level WHERE "
                        "practice_id = ?", "i", practice_id);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        rc = adoption_report_user_ctx(tx, c, ids[i], as_of_day, true, r);
        for (size_t m = 0; rc == SW_OK && m < r->nmodules; m++)
            rc = store_exec(tx, NULL, "INSERT INTO adoption_level "
                            "(practice_id, user_id, module, level, flagged, "
                            "as_of_day) VALUES (?, ?, ?, ?, ?, ?)", "iittii",
                            practice_id, ids[i], r->modules[m].module,
                            r->modules[m].level,
                            (int64_t)(r->modules[m].flagged ? 1 : 0),
                            as_of_day);
    }
    adoption_report_ctx_close(c);
    free(r);
    free(ids);
    return rc;
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *number(double v)
{
    return json_real(round(v * 100.0) / 100.0);
}

static json_t *day_or_null(int64_t day)
{
    if (day < 0)
        return json_null();
    char text[11];
    adoption_day_text(day, text);
    return json_string(text);
}

static const char *kind_name(adoption_kind k)
{
    switch (k) {
    case ADOPTION_KIND_TIME:    return "time";
    case ADOPTION_KIND_RATIO:   return "ratio";
    case ADOPTION_KIND_CLOSURE: return "closure";
    case ADOPTION_KIND_BREADTH: return "breadth";
    }
    return "";
}

json_t *adoption_report_json(const adoption_user_report *r)
{
    json_t *benchmarks = json_array(), *modules = json_array(),
           *features = json_array();
    for (size_t i = 0; benchmarks && i < r->nvalues; i++) {
        const adoption_value *v = &r->values[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:o, "
                              "s:o, s:s, s:o}",
            "id", v->id, "label", v->def->label, "module", v->module,
            "kind", kind_name(v->def->kind), "unit", v->def->unit,
            "value", v->has_value ? number(v->value) : json_null(),
            "numerator", (json_int_t)v->numerator,
            "denominator", (json_int_t)v->denominator,
            "floor", number(v->floor), "goal", number(v->goal),
            "standing", v->standing,
            "previous", v->has_previous ? number(v->previous) : json_null());
        if (o && !v->has_value)
            json_object_set_new(o, "why_none", json_string(v->why_none));
        json_array_append_new(benchmarks, o);
    }
    for (size_t i = 0; modules && i < r->nmodules; i++) {
        const adoption_module_state *m = &r->modules[i];
        const catalog_module *cm = catalog_find(m->module);
        json_array_append_new(modules, json_pack("{s:s, s:s, s:b, s:o, s:b, "
                                                 "s:s, s:b, s:i, s:i}",
            "module", m->module, "title", cm ? cm->title : m->module,
            "live", m->live, "live_since", day_or_null(m->live_since_day),
            "settling", m->settling, "level", m->level, "flagged", m->flagged,
            "core_used", m->core_used, "core_total", m->core_total));
    }
    for (size_t i = 0; features && i < r->nfeatures; i++) {
        const adoption_feature_use *f = &r->features[i];
        json_array_append_new(features, json_pack("{s:s, s:s, s:s, s:I, s:o}",
            "feature", f->feature->feature, "module", f->feature->module,
            "label", f->feature->label, "uses_30d", (json_int_t)f->uses_30d,
            "last_used", day_or_null(f->last_used_day)));
    }
    char as_of[11];
    adoption_day_text(r->as_of_day, as_of);
    json_t *doc = benchmarks && modules && features
        ? json_pack("{s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:I, s:o, s:o, s:o}",
            "user", "username", r->username, "display_name", r->display_name,
            "roles", r->roles, "as_of", as_of,
            "scheduled_hours_30d", number(r->scheduled_minutes_30d / 60.0),
            "active_hours_30d", number(r->active_ms_30d / 3600000.0),
            "visits_signed_30d", (json_int_t)r->visits_signed_30d,
            "benchmarks", benchmarks, "modules", modules,
            "features", features)
        : NULL;
    if (doc == NULL) {
        json_decref(benchmarks);
        json_decref(modules);
        json_decref(features);
    }
    return doc;
}
