/* rollup.c - the incremental roll-ups of the audit trail (rollup.h; the
 * rules are in docs/adoption-metrics.md "Computation").
 *
 * Called every few seconds by the adoption worker and before every
 * report, so the usual call finds a handful of entries or none; a rebuild
 * or the first run on an old trail goes through millions, batch after
 * batch. One batch is one write transaction: read the watermark, read up
 * to ADOPTION_ROLLUP_BATCH entries after it, accumulate their counts in
 * memory (one hash table keyed by the roll-up row), then add them to the
 * roll-up tables with one upsert per row and move the watermark. Two
 * rollers never count an entry twice: on SQLite the write transaction is
 * exclusive; on PostgreSQL the batch locks the practice's
 * adoption_rollup_state row first (FOR UPDATE), so a second roller waits
 * and then sees the moved watermark (or is retried by the store).
 *
 * Facts about a record (same-day closure, smoking status, report category,
 * basedOn, demographics) are read from the resource and its index rows as
 * stored when the entry is rolled up, not as they were when the entry was
 * written: the trail does not keep the version an entry touched. A record
 * changed or deleted in between is counted as it is now (documented). */
#include "adoption/rollup.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "adoption/activity.h"
#include "audit/audit.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"

/* ---- The batch's counts: one hash table of roll-up rows ------------------ */

enum cell_kind { CELL_FEATURE, CELL_SEEN, CELL_PATIENT, CELL_ACTIVITY };

/* One roll-up row being added to: the key (which fields mean what depends
 * on the kind) and the amount to add. */
typedef struct cell {
    uint64_t       hash;
    enum cell_kind kind;
    int64_t        user, day, quarter;
    const char    *s1, *s2;    /* feature; patient; patient, flag; area */
    int64_t        add;
} cell;

/* A user's idle-rule state: the last event's time before and after the
 * batch. */
typedef struct user_last {
    int64_t user_id, last_ms, stored_ms;
} user_last;

typedef struct batch {
    sw_arena  *arena;
    cell      *cells;          /* open addressing; hash 0 is an empty slot */
    size_t     cap, used;
    user_last *users;
    size_t     nusers, users_cap;
} batch;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    uint64_t f = 1469598103934665603ULL;            /* FNV-1a */
    for (; s && *s; s++)
        f = (f ^ (unsigned char)*s) * 1099511628211ULL;
    return mix(h, f);
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int grow(batch *b)
{
    size_t cap = b->cap ? b->cap * 2 : 4096;
    cell *cells = sw_calloc(cap, sizeof *cells);
    if (cells == NULL)
        return SW_ENOMEM;
    for (size_t i = 0; i < b->cap; i++) {
        if (b->cells[i].hash == 0)
            continue;
        size_t j = b->cells[i].hash & (cap - 1);
        while (cells[j].hash != 0)
            j = (j + 1) & (cap - 1);
        cells[j] = b->cells[i];
    }
    sw_free(b->cells);
    b->cells = cells;
    b->cap = cap;
    return SW_OK;
}

/* Adds amount to the row (kind, user, day, quarter, s1, s2). */
static int count(batch *b, enum cell_kind kind, int64_t user, int64_t day,
                 int64_t quarter, const char *s1, const char *s2,
                 int64_t amount)
{
    if ((b->used + 1) * 10 > b->cap * 7 && grow(b) != SW_OK)
        return SW_ENOMEM;
    uint64_t h = mix(mix(mix(mix((uint64_t)kind + 1, (uint64_t)user),
                             (uint64_t)day), (uint64_t)quarter), 0);
    h = mix_str(mix_str(h, s1), s2);
    if (h == 0)
        h = 1;
    size_t j = h & (b->cap - 1);
    for (; b->cells[j].hash != 0; j = (j + 1) & (b->cap - 1)) {
        cell *c = &b->cells[j];
        if (c->hash == h && c->kind == kind && c->user == user
            && c->day == day && c->quarter == quarter && same_str(c->s1, s1)
            && same_str(c->s2, s2)) {
            c->add += amount;
            return SW_OK;
        }
    }
    char *k1 = s1 ? sw_arena_strdup(b->arena, s1) : NULL;
    char *k2 = s2 ? sw_arena_strdup(b->arena, s2) : NULL;
    if ((s1 && !k1) || (s2 && !k2))
        return SW_ENOMEM;
    b->cells[j] = (cell){ h, kind, user, day, quarter, k1, k2, amount };
    b->used++;
    return SW_OK;
}

static void batch_free(batch *b)
{
    sw_free(b->cells);
    sw_free(b->users);
    sw_arena_destroy(b->arena);
    memset(b, 0, sizeof *b);
}

/* ---- The entries of one batch, copied out of the statement --------------- */

typedef struct entry {
    int64_t     seq, at_ms, user_id;
    const char *action, *feature, *patient, *res_type, *res_id;
    bool        success;
} entry;

typedef struct roll {
    int64_t  practice_id;
    int64_t  rolled;            /* entries taken by this batch */
    int64_t  last_seq;
    adoption_settings set;
    batch    b;
} roll;

static int read_entries(store_tx *tx, roll *r, int64_t after, entry **out,
                        size_t *n)
{
    *n = 0;
    entry *e = sw_calloc(ADOPTION_ROLLUP_BATCH, sizeof *e);
    if (e == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    *out = e;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT seq, at_ms, user_id, action, feature, "
        "patient_id, res_type, res_id, outcome FROM audit_log "
        "WHERE practice_id = ? AND seq > ? ORDER BY seq LIMIT ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, r->practice_id);
    store_bind_int64(st, 2, after);
    store_bind_int64(st, 3, ADOPTION_ROLLUP_BATCH);
    bool row;
    sw_arena *a = r->b.arena;
    while ((rc = store_step(st, &row)) == SW_OK && row
           && *n < ADOPTION_ROLLUP_BATCH) {
        entry *x = &e[*n];
        x->seq = store_col_int64(st, 0);
        x->at_ms = store_col_int64(st, 1);
        x->user_id = store_col_int64(st, 2);
        x->action = sw_arena_strdup(a, store_col_text(st, 3, NULL));
        x->feature = sw_arena_strdup(a, store_col_text(st, 4, NULL));
        x->patient = sw_arena_strdup(a, store_col_text(st, 5, NULL));
        x->res_type = sw_arena_strdup(a, store_col_text(st, 6, NULL));
        x->res_id = sw_arena_strdup(a, store_col_text(st, 7, NULL));
        x->success = strcmp(store_col_text(st, 8, NULL), AUDIT_SUCCESS) == 0;
        if (!x->action || !x->feature || !x->patient || !x->res_type
            || !x->res_id) {
            rc = SW_ENOMEM;
            break;
        }
        (*n)++;
    }
    store_finalize(st);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    return rc;
}

/* ---- Facts about records -------------------------------------------------- */

/* Whether a query with the bound (practice, type, id) returns a row. */
static int exists(store_tx *tx, const char *sql, int64_t practice_id,
                  const char *res_id, bool *yes)
{
    int64_t one;
    int rc = store_query_int64(tx, &one, sql, "it", practice_id, res_id);
    *yes = rc == SW_OK;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

/* The start of the Encounter a Composition documents (its period.start,
 * as the index holds it); *found false when there is none. */
static int encounter_start(store_tx *tx, int64_t practice_id,
                           const char *composition, int64_t *start_ms,
                           bool *found)
{
    int rc = store_query_int64(tx, start_ms,
        "SELECT d.low_ms FROM fhir_idx_ref r JOIN fhir_idx_date d "
        "ON d.practice_id = r.practice_id AND d.res_type = 'Encounter' "
        "AND d.res_id = r.target_id AND d.param = 'date' "
        "WHERE r.practice_id = ? AND r.res_type = 'Composition' "
        "AND r.res_id = ? AND r.param = 'encounter' "
        "AND r.target_type = 'Encounter' ORDER BY d.low_ms LIMIT 1",
        "it", practice_id, composition);
    *found = rc == SW_OK;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

/* A DiagnosticReport's kind: 'L' laboratory (HL7 v2 table 0074 "LAB"),
 * 'I' imaging (v2 0074 "RAD", which src/clinical/results.c writes, or the
 * observation-category code "imaging"), 0 neither. */
static int report_kind(store_tx *tx, int64_t practice_id, const char *id,
                       char *kind)
{
    *kind = 0;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT system, code FROM fhir_idx_token "
        "WHERE practice_id = ? AND res_type = 'DiagnosticReport' "
        "AND res_id = ? AND param = 'category' ORDER BY ord", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_cstr(st, 2, id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row && *kind == 0) {
        const char *system = store_col_text(st, 0, NULL);
        const char *code = store_col_text(st, 1, NULL);
        bool v2 = strcmp(system, "http://terminology.hl7.org/CodeSystem/v2-0074") == 0;
        if (v2 && strcmp(code, "LAB") == 0)
            *kind = 'L';
        else if ((v2 && strcmp(code, "RAD") == 0) || strcmp(code, "imaging") == 0)
            *kind = 'I';
    }
    store_finalize(st);
    return rc;
}

/* Whether a Patient resource holds structured demographics: birth date,
 * gender, a preferred language and the US Core race and ethnicity
 * extensions. *found false when the Patient is gone. */
static bool has_extension(json_t *patient, const char *url)
{
    json_t *x;
    size_t i;
    json_array_foreach(json_object_get(patient, "extension"), i, x) {
        const char *u = json_string_value(json_object_get(x, "url"));
        if (u && strcmp(u, url) == 0)
            return true;
    }
    return false;
}

static bool has_language(json_t *patient)
{
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(patient, "communication"), i, c) {
        json_t *lang = json_object_get(c, "language");
        if (json_array_size(json_object_get(lang, "coding")) > 0
            || json_string_length(json_object_get(lang, "text")) > 0)
            return true;
    }
    return false;
}

static int demographics(store_tx *tx, int64_t practice_id, const char *id,
                        bool *complete, bool *found)
{
    *complete = *found = false;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT body FROM fhir_resource WHERE "
        "practice_id = ? AND res_type = 'Patient' AND res_id = ? "
        "AND deleted = 0", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    store_bind_cstr(st, 2, id);
    bool row;
    rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        size_t n;
        const char *body = store_col_text(st, 0, &n);
        json_t *p = json_loadb(body, n, 0, NULL);
        *found = p != NULL;
        *complete = p
            && json_string_length(json_object_get(p, "birthDate")) > 0
            && json_string_length(json_object_get(p, "gender")) > 0
            && has_language(p)
            && has_extension(p, "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race")
            && has_extension(p, "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
        json_decref(p);
    }
    store_finalize(st);
    return rc;
}

/* ---- One entry ------------------------------------------------------------ */

static bool is(const char *s, const char *want) { return strcmp(s, want) == 0; }

/* The activity area of an entry: the module of its feature ("results" for
 * "results.sign_off"), or for an entry without a feature the module that
 * governs its resource type; "other" for features of no module
 * ("record.read", "audit.review", "training.help") and for the rest. */
static const char *area_of(const entry *e)
{
    const char *modules[32];
    size_t nmod = audit_modules(modules, 32);
    const char *dot = strchr(e->feature, '.');
    if (e->feature[0] != '\0') {
        size_t len = dot ? (size_t)(dot - e->feature) : strlen(e->feature);
        for (size_t i = 0; i < nmod; i++)
            if (strlen(modules[i]) == len
                && strncmp(modules[i], e->feature, len) == 0)
                return modules[i];
        return ADOPTION_AREA_OTHER;
    }
    const char *m = audit_module_of(e->res_type, NULL);
    return m ? m : ADOPTION_AREA_OTHER;
}

/* Adds a user to the batch's list with the last event time stored for
 * them (stored_ms -1: none). */
static user_last *add_user(batch *b, int64_t user_id, int64_t stored_ms)
{
    if (b->nusers == b->users_cap) {
        size_t cap = b->users_cap ? b->users_cap * 2 : 64;
        user_last *u = sw_realloc(b->users, cap * sizeof *u);
        if (u == NULL)
            return NULL;
        b->users = u;
        b->users_cap = cap;
    }
    user_last *u = &b->users[b->nusers++];
    *u = (user_last){ user_id, stored_ms < 0 ? 0 : stored_ms, stored_ms };
    return u;
}

/* Every user's last event time, read once per batch: a practice has tens
 * or hundreds of users, and most of them act in every batch. */
static int load_users(store_tx *tx, roll *r)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, last_event_ms FROM "
        "adoption_user_state WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, r->practice_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row)
        if (add_user(&r->b, store_col_int64(st, 0), store_col_int64(st, 1)) == NULL) {
            rc = SW_ENOMEM;
            break;
        }
    store_finalize(st);
    return rc == SW_ENOMEM ? store_tx_fail(tx, rc, "out of memory") : rc;
}

static user_last *user_of(batch *b, int64_t user_id)
{
    for (size_t i = 0; i < b->nusers; i++)
        if (b->users[i].user_id == user_id)
            return &b->users[i];
    return add_user(b, user_id, -1);
}

/* The patient facts an entry adds (adoption_patient_day flags). */
static int patient_facts(store_tx *tx, roll *r, const entry *e, int64_t day)
{
    const char *f = e->feature;
    const char *flag = NULL;
    if (is(f, "allergies.create") || is(f, "allergies.reconcile"))
        flag = "allergies.recorded";
    else if (is(f, "problems.create") || is(f, "problems.reconcile"))
        flag = "problems.recorded";
    else if (is(f, "medications.create") || is(f, "medications.reconcile"))
        flag = "medications.recorded";
    else if (is(f, "eprescribing.send"))
        flag = "medications.ordered";
    int rc = SW_OK;
    if (flag)
        return count(&r->b, CELL_PATIENT, 0, day, 0, e->patient, flag, 1);

    if (is(f, "vitals.create")) {
        rc = count(&r->b, CELL_PATIENT, 0, day, 0, e->patient,
                   "vitals.recorded", 1);
        bool smoking = false;
        if (rc == SW_OK && is(e->res_type, "Observation"))
            rc = exists(tx, "SELECT 1 FROM fhir_idx_token WHERE practice_id = ? "
                "AND res_type = 'Observation' AND res_id = ? AND param = 'code' "
                "AND code = '72166-2' AND system = 'http://loinc.org'",
                r->practice_id, e->res_id, &smoking);
        if (rc == SW_OK && smoking)
            rc = count(&r->b, CELL_PATIENT, 0, day, 0, e->patient,
                       "smoking.recorded", 1);
        return rc;
    }
    if (is(e->res_type, "Patient")
        && (is(e->action, AUDIT_CREATE) || is(e->action, AUDIT_UPDATE))) {
        bool complete, found;
        rc = demographics(tx, r->practice_id, e->res_id, &complete, &found);
        if (rc == SW_OK && found)
            rc = count(&r->b, CELL_PATIENT, 0, day, 0, e->patient,
                       complete ? "demographics.complete"
                                : "demographics.partial", 1);
        return rc;
    }
    if (is(e->res_type, "DiagnosticReport") && is(e->action, AUDIT_CREATE)) {
        char kind;
        bool based_on = false;
        rc = report_kind(tx, r->practice_id, e->res_id, &kind);
        if (rc == SW_OK && kind != 0)
            rc = exists(tx, "SELECT 1 FROM fhir_idx_ref WHERE practice_id = ? "
                "AND res_type = 'DiagnosticReport' AND res_id = ? "
                "AND param = 'based-on' AND target_type = 'ServiceRequest'",
                r->practice_id, e->res_id, &based_on);
        if (rc == SW_OK && kind != 0)
            rc = count(&r->b, CELL_PATIENT, 0, day, 0, e->patient,
                       kind == 'L' ? (based_on ? "lab.ordered" : "lab.unordered")
                       : (based_on ? "imaging.ordered" : "imaging.unordered"), 1);
    }
    return rc;
}

static int roll_entry(store_tx *tx, roll *r, const entry *e)
{
    if (!e->success)
        return SW_OK;
    int off = r->set.utc_offset_minutes;
    int64_t day = adoption_day_of(e->at_ms, off);
    int rc = SW_OK;
    if (e->patient[0] != '\0')
        rc = patient_facts(tx, r, e, day);
    if (rc == SW_ENOMEM)
        return store_tx_fail(tx, rc, "out of memory");
    if (rc != SW_OK || e->user_id == 0)
        return rc;

    if (e->feature[0] != '\0')
        rc = count(&r->b, CELL_FEATURE, e->user_id, day, 0, e->feature, NULL, 1);
    if (rc == SW_OK && is(e->feature, "documentation.sign")) {
        int64_t start;
        bool found = false;
        if (is(e->res_type, "Composition"))
            rc = encounter_start(tx, r->practice_id, e->res_id, &start, &found);
        if (rc == SW_OK && found && adoption_day_of(start, off) == day)
            rc = count(&r->b, CELL_FEATURE, e->user_id, day, 0,
                       "documentation.sign_same_day", NULL, 1);
        if (rc == SW_OK && e->patient[0] != '\0')
            rc = count(&r->b, CELL_SEEN, e->user_id, day, 0, e->patient, NULL, 1);
    }
    if (rc != SW_OK)
        return rc == SW_ENOMEM ? store_tx_fail(tx, rc, "out of memory") : rc;

    user_last *u = user_of(&r->b, e->user_id);
    if (u == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    int64_t credit = adoption_idle_credit(u->last_ms, e->at_ms);
    if (e->at_ms > u->last_ms)
        u->last_ms = e->at_ms;
    if (credit > 0)
        rc = count(&r->b, CELL_ACTIVITY, e->user_id, day,
                   adoption_quarter_of(e->at_ms, off), area_of(e), NULL, credit);
    return rc == SW_ENOMEM ? store_tx_fail(tx, rc, "out of memory") : rc;
}

/* ---- Writing the batch ---------------------------------------------------- */

/* Rows are added many to a statement (one round trip to PostgreSQL for up
 * to UPSERT_ROWS rows). Chunks are UPSERT_ROWS, 10 or 1 rows, so that
 * few distinct statement texts reach the statement caches. A batch's
 * cells have distinct keys, so no statement touches a row twice (which
 * PostgreSQL refuses). */
#define UPSERT_ROWS 100

typedef struct upsert {
    const char *head, *row, *tail;
} upsert;

static const upsert upserts[] = {
    [CELL_FEATURE] = {
        "INSERT INTO adoption_feature_day (practice_id, user_id, day, "
        "feature, uses) VALUES ", "(?, ?, ?, ?, ?)",
        " ON CONFLICT (practice_id, user_id, day, feature) DO UPDATE SET "
        "uses = adoption_feature_day.uses + excluded.uses" },
    [CELL_SEEN] = {
        "INSERT INTO adoption_seen (practice_id, user_id, day, patient_id, "
        "visits) VALUES ", "(?, ?, ?, ?, ?)",
        " ON CONFLICT (practice_id, user_id, day, patient_id) DO UPDATE SET "
        "visits = adoption_seen.visits + excluded.visits" },
    [CELL_PATIENT] = {
        "INSERT INTO adoption_patient_day (practice_id, patient_id, flag, "
        "day, n) VALUES ", "(?, ?, ?, ?, ?)",
        " ON CONFLICT (practice_id, patient_id, flag, day) DO UPDATE SET "
        "n = adoption_patient_day.n + excluded.n" },
    [CELL_ACTIVITY] = {
        "INSERT INTO adoption_activity (practice_id, user_id, day, quarter, "
        "area, source, active_ms) VALUES ", "(?, ?, ?, ?, ?, 'audit', ?)",
        " ON CONFLICT (practice_id, user_id, day, quarter, area, source) "
        "DO UPDATE SET active_ms = adoption_activity.active_ms "
        "+ excluded.active_ms" },
};

static void bind_cell(store_stmt *st, int *i, int64_t practice_id,
                      const cell *c)
{
    store_bind_int64(st, (*i)++, practice_id);
    switch (c->kind) {
    case CELL_FEATURE:
    case CELL_SEEN:
        store_bind_int64(st, (*i)++, c->user);
        store_bind_int64(st, (*i)++, c->day);
        store_bind_cstr(st, (*i)++, c->s1);
        break;
    case CELL_PATIENT:
        store_bind_cstr(st, (*i)++, c->s1);
        store_bind_cstr(st, (*i)++, c->s2);
        store_bind_int64(st, (*i)++, c->day);
        break;
    case CELL_ACTIVITY:
        store_bind_int64(st, (*i)++, c->user);
        store_bind_int64(st, (*i)++, c->day);
        store_bind_int64(st, (*i)++, c->quarter);
        store_bind_cstr(st, (*i)++, c->s1);
        break;
    }
    store_bind_int64(st, (*i)++, c->add);
}

/* One statement adding cells[0..n). */
static int upsert_rows(store_tx *tx, int64_t practice_id, const upsert *u,
                       const cell *const *cells, size_t n)
{
    sw_buf sql;
    sw_buf_init(&sql, 1 << 20);
    int rc = sw_buf_puts(&sql, u->head);
    for (size_t k = 0; rc == SW_OK && k < n; k++) {
        if (k > 0)
            rc = sw_buf_puts(&sql, ", ");
        if (rc == SW_OK)
            rc = sw_buf_puts(&sql, u->row);
    }
    if (rc == SW_OK)
        rc = sw_buf_puts(&sql, u->tail);
    if (rc != SW_OK) {
        sw_buf_free(&sql);
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    }
    store_stmt *st;
    rc = store_prepare(tx, sw_buf_str(&sql), &st);
    sw_buf_free(&sql);
    if (rc != SW_OK)
        return rc;
    int i = 1;
    for (size_t k = 0; k < n; k++)
        bind_cell(st, &i, practice_id, cells[k]);
    bool row;
    rc = store_step(st, &row);
    store_finalize(st);
    return rc;
}

static int write_cells(store_tx *tx, roll *r)
{
    const cell **list = sw_calloc(r->b.used ? r->b.used : 1, sizeof *list);
    if (list == NULL)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    int rc = SW_OK;
    for (int kind = CELL_FEATURE; rc == SW_OK && kind <= CELL_ACTIVITY; kind++) {
        size_t n = 0;
        for (size_t i = 0; i < r->b.cap; i++)
            if (r->b.cells[i].hash != 0 && (int)r->b.cells[i].kind == kind)
                list[n++] = &r->b.cells[i];
        for (size_t at = 0; rc == SW_OK && at < n;) {
            size_t chunk = n - at >= UPSERT_ROWS ? UPSERT_ROWS : n - at >= 10 ? 10 : 1;
            rc = upsert_rows(tx, r->practice_id, &upserts[kind], list + at, chunk);
            at += chunk;
        }
    }
    sw_free(list);
    return rc;
}

static int write_batch(store_tx *tx, roll *r)
{
    int rc = write_cells(tx, r);
    for (size_t i = 0; rc == SW_OK && i < r->b.nusers; i++) {
        const user_last *u = &r->b.users[i];
        if (u->last_ms != u->stored_ms)
            rc = store_exec(tx, NULL, "INSERT INTO adoption_user_state "
                "(practice_id, user_id, last_event_ms) VALUES (?, ?, ?) "
                "ON CONFLICT (practice_id, user_id) DO UPDATE SET "
                "last_event_ms = excluded.last_event_ms", "iii",
                r->practice_id, u->user_id, u->last_ms);
    }
    if (rc == SW_OK)
        rc = store_exec(tx, NULL, "UPDATE adoption_rollup_state SET last_seq = ?, "
            "updated_at = ? WHERE practice_id = ?", "iii", r->last_seq,
            sw_now_wall_ms(), r->practice_id);
    return rc;
}

/* The watermark, its row created when missing and, on PostgreSQL, locked
 * for the rest of the transaction. */
static int watermark(store_tx *tx, int64_t practice_id, int64_t *last_seq)
{
    int rc = store_exec(tx, NULL, "INSERT INTO adoption_rollup_state "
        "(practice_id, last_seq, updated_at) VALUES (?, 0, ?) "
        "ON CONFLICT (practice_id) DO NOTHING", "ii", practice_id,
        sw_now_wall_ms());
    if (rc != SW_OK)
        return rc;
    return store_query_int64(tx, last_seq, store_tx_kind(tx) == STORE_POSTGRES
        ? "SELECT last_seq FROM adoption_rollup_state WHERE practice_id = ? FOR UPDATE"
        : "SELECT last_seq FROM adoption_rollup_state WHERE practice_id = ?",
        "i", practice_id);
}

/* One batch, one transaction. The store may run it more than once: it
 * starts from nothing each time. */
static int batch_fn(store_tx *tx, void *arg)
{
    roll *r = arg;
    batch_free(&r->b);
    r->rolled = 0;
    r->b.arena = sw_arena_create(0);
    if (r->b.arena == NULL || grow(&r->b) != SW_OK)
        return store_tx_fail(tx, SW_ENOMEM, "out of memory");
    int64_t after = 0;
    int rc = watermark(tx, r->practice_id, &after);
    if (rc == SW_OK)
        rc = adoption_settings_load(tx, r->practice_id, &r->set);
    if (rc == SW_OK)
        rc = load_users(tx, r);
    entry *e = NULL;
    size_t n = 0;
    if (rc == SW_OK)
        rc = read_entries(tx, r, after, &e, &n);
    for (size_t i = 0; rc == SW_OK && i < n; i++)
        rc = roll_entry(tx, r, &e[i]);
    r->last_seq = n > 0 ? e[n - 1].seq : after;
    sw_free(e);
    if (rc == SW_OK && n > 0)
        rc = write_batch(tx, r);
    if (rc == SW_OK)
        r->rolled = (int64_t)n;
    return rc;
}

int adoption_rollup_catch_up(sw_store *s, int64_t practice_id,
                             int64_t *rolled, sw_err *err)
{
    roll r = { .practice_id = practice_id };
    int64_t total = 0;
    int rc;
    do {
        rc = store_write(s, batch_fn, &r, err);
        if (rc == SW_OK)
            total += r.rolled;
    } while (rc == SW_OK && r.rolled == ADOPTION_ROLLUP_BATCH);
    batch_free(&r.b);
    if (rolled != NULL)
        *rolled = total;
    return rc;
}

/* Empties the practice's roll-ups (the web app's own activity reports,
 * source 'client', are not roll-ups and stay) and puts the watermark back
 * to the start of the trail. */
static int reset_fn(store_tx *tx, void *arg)
{
    int64_t p = *(const int64_t *)arg;
    static const char *const sql[] = {
        "DELETE FROM adoption_feature_day WHERE practice_id = ?",
        "DELETE FROM adoption_seen WHERE practice_id = ?",
        "DELETE FROM adoption_patient_day WHERE practice_id = ?",
        "DELETE FROM adoption_activity WHERE practice_id = ? AND source = 'audit'",
        "DELETE FROM adoption_user_state WHERE practice_id = ?",
        "DELETE FROM adoption_rollup_state WHERE practice_id = ?",
    };
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < sizeof sql / sizeof sql[0]; i++)
        rc = store_exec(tx, NULL, sql[i], "i", p);
    return rc;
}

int adoption_rollup_rebuild(sw_store *s, int64_t practice_id, sw_err *err)
{
    int rc = store_write(s, reset_fn, &practice_id, err);
    if (rc == SW_OK)
        rc = adoption_rollup_catch_up(s, practice_id, NULL, err);
    return rc;
}
