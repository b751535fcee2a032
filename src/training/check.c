/* check.c - the exercise checkers (see check.h): the audit and
 * registration kinds, what the kinds share, and the dispatch. Each check
 * kind starts from the training store's audit trail, which every write and
 * workflow step records with its feature id, the acting user, the patient
 * and the resource; the registration check then reads the Patient the
 * trainee created (the record kinds: check_records.c). */
#include "training/check.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "fhir/resources.h"
#include "training/check_int.h"
#include "training/generate.h"

struct audit_ctx {
    int64_t     practice_id, user_id, since_ms;
    const char *feature, *patient, *detail;
    int64_t     count;
};

static int audit_count_fn(store_tx *tx, void *arg)
{
    struct audit_ctx *c = arg;
    /* The detail's text is matched by the database; "" matches all. */
    return store_query_int64(tx, &c->count,
        "SELECT COUNT(*) FROM audit_log WHERE practice_id = ? AND user_id = ?"
        " AND feature = ? AND outcome = 'success' AND at_ms >= ?"
        " AND (? = '' OR patient_id = ?)"
        " AND (? = '' OR detail LIKE '%' || ? || '%')",
        "iititttt", c->practice_id, c->user_id, c->feature, c->since_ms,
        c->patient, c->patient, c->detail, c->detail);
}

int check_case(sw_store *s, int64_t practice_id, const char *username,
               const course_check *k, char patient[80], bool *found,
               bool *done, char *missing, sw_err *err)
{
    patient[0] = '\0';
    *found = true;
    if (k->case_id[0] == '\0' || strcmp(k->case_id, TRAINING_CASE_REGISTRATION) == 0)
        return SW_OK;
    int rc = training_case_patient(s, practice_id, username, k->case_id,
                                   patient, err);
    if (rc == SW_ENOTFOUND) {
        *found = false;
        *done = false;
        snprintf(missing, CHECK_MISSING_MAX, "Your practice patient for "
                 "'%s' does not exist yet: start the course first.",
                 k->case_id);
        return SW_OK;
    }
    return rc;
}

static int check_audit(sw_store *s, int64_t pid, int64_t uid,
                       const char *username, const course_check *k,
                       int64_t since_ms, bool *done, char *missing,
                       sw_err *err)
{
    char patient[80];
    bool found;
    int rc = check_case(s, pid, username, k, patient, &found, done, missing, err);
    if (rc != SW_OK || !found)
        return rc;
    struct audit_ctx c = { .practice_id = pid, .user_id = uid,
                           .since_ms = since_ms, .feature = k->feature,
                           .patient = patient, .detail = k->detail };
    rc = store_read(s, audit_count_fn, &c, err);
    if (rc != SW_OK)
        return rc;
    *done = c.count >= k->min;
    if (!*done)
        snprintf(missing, CHECK_MISSING_MAX, "The checker found %s of "
                 "yours under %s%s%s%s%s.",
                 c.count ? "too few entries" : "no work", k->feature,
                 k->case_id[0] ? " for your practice patient '" : "",
                 k->case_id[0] ? k->case_id : "",
                 k->case_id[0] ? "'" : "",
                 k->detail[0] ? " with the step this exercise asks for" : "");
    return SW_OK;
}

struct ids_ctx {
    const check_ids_query *q;
    check_ids             *out;
};

static int ids_fn(store_tx *tx, void *arg)
{
    struct ids_ctx *c = arg;
    const check_ids_query *q = c->q;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT res_id FROM audit_log WHERE "
                           "practice_id = ? AND user_id = ? AND res_type = ? "
                           "AND action IN ('create', 'update') "
                           "AND outcome = 'success' AND at_ms >= ? "
                           "AND (? = '' OR feature = ?) "
                           "AND (? = '' OR patient_id = ?) "
                           "ORDER BY seq DESC", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, q->practice_id);
    store_bind_int64(st, 2, q->user_id);
    store_bind_cstr(st, 3, q->res_type);
    store_bind_int64(st, 4, q->since_ms);
    store_bind_cstr(st, 5, q->feature);
    store_bind_cstr(st, 6, q->feature);
    store_bind_cstr(st, 7, q->patient);
    store_bind_cstr(st, 8, q->patient);
    bool row;
    c->out->n = 0;
    while ((rc = store_step(st, &row)) == SW_OK && row
           && c->out->n < CHECK_MAX_IDS) {
        size_t len;
        const char *id = store_col_text(st, 0, &len);
        if (len == 0 || len >= sizeof c->out->ids[0])
            continue;
        bool seen = false;
        for (size_t i = 0; i < c->out->n && !seen; i++)
            seen = strlen(c->out->ids[i]) == len
                   && memcmp(c->out->ids[i], id, len) == 0;
        if (seen)
            continue;
        memcpy(c->out->ids[c->out->n], id, len);
        c->out->ids[c->out->n++][len] = '\0';
    }
    store_finalize(st);
    return rc;
}

int check_trainee_ids(sw_store *s, const check_ids_query *q, check_ids *out,
                      sw_err *err)
{
    struct ids_ctx c = { q, out };
    return store_read(s, ids_fn, &c, err);
}

static bool starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether a Patient's names (text, family or a given name) start with
 * prefix. */
static bool name_fits(const char *body, size_t len, const char *prefix)
{
    json_t *doc = json_loadb(body, len, 0, NULL);
    bool ok = false;
    size_t i, j;
    json_t *name, *given;
    json_array_foreach(json_object_get(doc, "name"), i, name) {
        ok = ok || starts(json_string_value(json_object_get(name, "text")), prefix)
             || starts(json_string_value(json_object_get(name, "family")), prefix);
        json_array_foreach(json_object_get(name, "given"), j, given)
            ok = ok || starts(json_string_value(given), prefix);
    }
    json_decref(doc);
    return ok;
}

static int check_registered(sw_store *s, int64_t pid, int64_t uid,
                            const course_check *k, int64_t since_ms,
                            bool *done, char *missing, sw_err *err)
{
    check_ids_query q = { .practice_id = pid, .user_id = uid,
                          .since_ms = since_ms, .res_type = "Patient",
                          .feature = "registration.create", .patient = "" };
    check_ids c;
    int rc = check_trainee_ids(s, &q, &c, err);
    if (rc != SW_OK)
        return rc;
    *done = false;
    sw_arena *a = sw_arena_create(1 << 20);
    if (a == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    for (size_t i = 0; i < c.n && !*done; i++) {
        fhir_version v;
        char owner[80];
        rc = fhir_res_read(s, a, pid, "Patient", c.ids[i], 0, &v, owner, err);
        if (rc == SW_ENOTFOUND || rc == SW_EGONE) {
            rc = SW_OK;
            continue;
        }
        if (rc != SW_OK)
            break;
        *done = !v.deleted && name_fits(v.body, v.body_len, k->name_prefix);
    }
    sw_arena_destroy(a);
    if (rc == SW_OK && !*done)
        snprintf(missing, CHECK_MISSING_MAX, "The checker found no patient "
                 "you registered whose name starts with '%s'.", k->name_prefix);
    return rc;
}

int training_check_exercise(sw_store *store, int64_t practice_id,
                            int64_t user_id, const char *username,
                            const course_exercise *e, int64_t since_ms,
                            bool *done, char missing[CHECK_MISSING_MAX],
                            sw_err *err)
{
    missing[0] = '\0';
    *done = true;
    for (size_t i = 0; i < e->nchecks && *done; i++) {
        const course_check *k = &e->checks[i];
        int rc;
        switch (k->kind) {
        case COURSE_CHECK_AUDIT:
            rc = check_audit(store, practice_id, user_id, username, k,
                             since_ms, done, missing, err);
            break;
        case COURSE_CHECK_RECORD:
            rc = check_record(store, practice_id, user_id, username, k,
                              since_ms, done, missing, err);
            break;
        case COURSE_CHECK_SIGNED_VISIT:
            rc = check_signed_visit(store, practice_id, user_id, username, k,
                                    since_ms, done, missing, err);
            break;
        default:
            rc = check_registered(store, practice_id, user_id, k, since_ms,
                                  done, missing, err);
            break;
        }
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}
