/* generate.c - writing generated patients into a store: the master
 * population (with the training clinicians its appointments name) and
 * each trainee's exercise cases, through the same FHIR
 * transaction code as any client's writes (validated, indexed, audited as
 * "training:generator"); removing a trainee's cases; finding them. Each
 * patient's record is one transaction, so nothing is half-written. */
#include "training/generate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "clinical/inbox.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/json.h"
#include "fhir/bundle.h"
#include "fhir/resources.h"
#include "fhir/validate.h"
#include "training/gen_int.h"

#define USERSYS "urn:stagewise:user"

static const char *const CASES[] = {
    TRAINING_CASE_PENICILLIN, TRAINING_CASE_DIABETES, TRAINING_CASE_PENDING,
    TRAINING_CASE_RECONCILE,
};
#define NCASES (sizeof CASES / sizeof CASES[0])

struct inbox_arg {
    int64_t     practice_id, user_id, at_ms;
    const char *report_id, *patient_id;
};

/* The pending result's inbox item for the trainee, in the same transaction. */
static int pending_inbox(store_tx *tx, void *arg, const fhir_bundle_written *w, size_t n)
{
    (void)w, (void)n;
    const struct inbox_arg *ia = arg;
    if (ia == NULL || ia->user_id == 0)
        return SW_OK;
    inbox_new item = { .practice_id = ia->practice_id, .user_id = ia->user_id,
                       .kind = INBOX_RESULT, .res_type = "DiagnosticReport",
                       .res_id = ia->report_id, .patient_id = ia->patient_id,
                       .flag = "abnormal", .at_ms = ia->at_ms };
    return inbox_add(tx, &item, NULL);
}

/* Validates every resource of bundle, then runs it as one transaction as
 * "training:generator". Takes bundle. */
static int run_bundle(sw_store *s, int64_t practice_id, json_t *bundle,
                      struct inbox_arg *ia, sw_err *err)
{
    char *text = json_dumps(bundle, JSON_COMPACT);
    json_decref(bundle);
    if (text == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    sw_arena *a = sw_arena_create(64u << 20);
    if (a == NULL) {
        free(text);
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    }
    audit_who who;
    audit_cli_who(&who, practice_id);
    who.username = "training:generator";
    fhir_bundle_opts opts = { .practice_id = practice_id, .who = &who,
                              .base = "urn:stagewise:training", .minimal = true,
                              .after = ia ? pending_inbox : NULL, .after_arg = ia };
    fhir_issues *issues = sw_arena_calloc(a, 1, sizeof *issues);
    sw_json *b;
    sw_buf out = SW_BUF_INIT(SW_HTTP_MAX_RESPONSE_BYTES);
    int rc = issues ? sw_json_parse(a, text, strlen(text), &b, err) : SW_ENOMEM;
    if (rc == SW_OK && (fhir_validate(a, b, 0, issues) != SW_OK || issues->errors > 0))
        rc = sw_err_set(err, SW_EINTERNAL, "the generated FHIR is not valid: %s",
                        issues->count ? issues->items[0].message : "?");
    if (rc == SW_OK) {
        memset(issues, 0, sizeof *issues);
        rc = fhir_bundle_process(s, a, b, &opts, &out, issues);
        if (rc != SW_OK)
            sw_err_set(err, rc, "the generated patients could not be stored: %s",
                       issues->count ? issues->items[0].message : "?");
    }
    sw_buf_free(&out);
    sw_arena_destroy(a);
    free(text);
    return rc;
}

struct exists_arg {
    int64_t     practice_id;
    const char *id;
    bool        found;
    const char *type;           /* NULL: Patient */
};

static int exists_fn(store_tx *tx, void *arg)
{
    struct exists_arg *e = arg;
    return fhir_row_exists(tx, e->practice_id, e->type ? e->type : "Patient", e->id,
                           &e->found);
}

/* The training clinicians the master appointments name, as Practitioners
 * (one transaction; there already: nothing written). */
static int write_clinicians(sw_store *s, int64_t practice_id, sw_err *err)
{
    json_t *b = gen_transaction();
    int rc = SW_OK;
    for (int k = 0; rc == SW_OK && k < training_clinician_count(); k++) {
        struct exists_arg e = { practice_id, training_clinician_at(k)->id, false,
                                "Practitioner" };
        if ((rc = store_read(s, exists_fn, &e, err)) == SW_OK && !e.found)
            gen_put(b, gen_practitioner(k));
    }
    if (rc != SW_OK || json_array_size(json_object_get(b, "entry")) == 0) {
        json_decref(b);
        return rc;
    }
    return run_bundle(s, practice_id, b, NULL, err);
}

int training_generate_master(sw_store *s, int64_t practice_id, uint64_t seed,
                             int npatients, sw_err *err)
{
    if (npatients < 0 || npatients > 100000)
        return sw_err_set(err, SW_EINVAL, "the number of patients must be 0-100000");
    int64_t now = sw_now_wall_ms();
    int rc = npatients > 0 ? write_clinicians(s, practice_id, err) : SW_OK;
    for (int i = 0; rc == SW_OK && i < npatients; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(seed, i, now, &p, &r);
        struct exists_arg e = { practice_id, p.id, false, NULL };
        if ((rc = store_read(s, exists_fn, &e, err)) != SW_OK || e.found)
            continue;                       /* already written: idempotent */
        rc = run_bundle(s, practice_id, gen_person_bundle(&r, &p, now, "master", NULL),
                        NULL, err);
    }
    return rc;
}

struct trainee_arg {
    int64_t     practice_id;
    const char *username;
    int64_t     user_id;
    char        practitioner[80];
};

/* The trainee's account and the Practitioner it is linked to
 * (app_user.practitioner_id, "" when none). Sessions and users come from
 * production, but the training store carries the same rows. */
static int trainee_fn(store_tx *tx, void *arg)
{
    struct trainee_arg *t = arg;
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT user_id, practitioner_id FROM app_user "
                           "WHERE practice_id = ? AND username = ?", &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, t->practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, t->username)) == SW_OK
        && (rc = store_step(st, &row)) == SW_OK && row) {
        t->user_id = store_col_int64(st, 0);
        snprintf(t->practitioner, sizeof t->practitioner, "%s", store_col_text(st, 1, NULL));
    }
    store_finalize(st);
    /* Only a Practitioner that is in this store can be referred to. */
    bool there = false;
    if (rc == SW_OK && t->practitioner[0] != '\0'
        && (rc = fhir_row_exists(tx, t->practice_id, "Practitioner", t->practitioner,
                                 &there)) == SW_OK && !there)
        t->practitioner[0] = '\0';
    return rc;
}

int training_generate_trainee(sw_store *s, int64_t practice_id, const char *username,
                              uint64_t seed, sw_err *err)
{
    if (username == NULL || username[0] == '\0')
        return sw_err_set(err, SW_EINVAL, "a trainee username is required");
    struct trainee_arg t = { .practice_id = practice_id, .username = username };
    int rc = store_read(s, trainee_fn, &t, err);
    if (rc != SW_OK)
        return rc;
    json_t *clinician = json_pack("{s:{s:s, s:s}, s:s}", "identifier", "system", USERSYS,
                                  "value", username, "display", username);
    if (t.practitioner[0] != '\0') {
        char ref[100];
        snprintf(ref, sizeof ref, "Practitioner/%s", t.practitioner);
        json_object_set_new(clinician, "reference", json_string(ref));
    }
    int64_t now = sw_now_wall_ms();
    /* One transaction for all the cases: a trainee has all or none. */
    json_t *all = gen_transaction();
    struct inbox_arg ia = { .practice_id = practice_id, .user_id = t.user_id, .at_ms = now };
    char report[96] = "", pending_patient[80] = "";
    bool any = false;
    for (size_t c = 0; rc == SW_OK && c < NCASES; c++) {
        char id[80], rep[96];
        gen_case_patient_id(username, CASES[c], id);
        struct exists_arg e = { practice_id, id, false, NULL };
        if ((rc = store_read(s, exists_fn, &e, err)) != SW_OK || e.found)
            continue;
        json_t *b = gen_case_bundle(username, CASES[c], seed, now, clinician, rep);
        json_array_extend(json_object_get(all, "entry"), json_object_get(b, "entry"));
        json_decref(b);
        if (rep[0] != '\0') {
            snprintf(report, sizeof report, "%s", rep);
            snprintf(pending_patient, sizeof pending_patient, "%s", id);
        }
        any = true;
    }
    json_decref(clinician);
    if (rc != SW_OK || !any) {
        json_decref(all);
        return rc;
    }
    ia.report_id = report;
    ia.patient_id = pending_patient;
    return run_bundle(s, practice_id, all, report[0] ? &ia : NULL, err);
}

struct remove_arg {
    int64_t     practice_id;
    const char *username;
};

static const char *const TABLES[] = {
    "fhir_idx_string", "fhir_idx_token", "fhir_idx_date", "fhir_idx_ref",
    "fhir_idx_quantity", "fhir_idx_number", "fhir_idx_uri", "fhir_history",
    "fhir_resource",
};

/* Deletes one resource's rows everywhere (the audit trail stays: it is
 * append-only and holds no clinical content). */
static int delete_resource(store_tx *tx, int64_t practice_id, const char *type, const char *id)
{
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE practice_id = ? AND res_type = ? "
                 "AND res_id = ?", TABLES[i]);
        int rc = store_exec(tx, NULL, sql, "itt", practice_id, type, id);
        if (rc != SW_OK)
            return rc;
    }
    return SW_OK;
}

static int remove_fn(store_tx *tx, void *arg)
{
    struct remove_arg *ra = arg;
    int rc = SW_OK;
    for (size_t c = 0; rc == SW_OK && c < NCASES; c++) {
        char pid[80];
        gen_case_patient_id(ra->username, CASES[c], pid);
        /* Everything that refers to the patient (the trainee's own work
         * included), collected first, then deleted. */
        store_stmt *st;
        if ((rc = store_prepare(tx, "SELECT DISTINCT res_type, res_id FROM fhir_idx_ref "
                                "WHERE practice_id = ? AND target_type = 'Patient' "
                                "AND target_id = ?", &st)) != SW_OK)
            return rc;
        json_t *list = json_array();
        bool row = false;
        if ((rc = store_bind_int64(st, 1, ra->practice_id)) == SW_OK
            && (rc = store_bind_cstr(st, 2, pid)) == SW_OK)
            while ((rc = store_step(st, &row)) == SW_OK && row)
                json_array_append_new(list, json_pack("[s, s]", store_col_text(st, 0, NULL),
                                                      store_col_text(st, 1, NULL)));
        store_finalize(st);
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
            if (rc == SW_OK)
                rc = delete_resource(tx, ra->practice_id,
                                     json_string_value(json_array_get(e, 0)),
                                     json_string_value(json_array_get(e, 1)));
        }
        json_decref(list);
        if (rc == SW_OK)
            rc = delete_resource(tx, ra->practice_id, "Patient", pid);
        if (rc == SW_OK)
            rc = store_exec(tx, NULL, "DELETE FROM inbox_item WHERE practice_id = ? "
                            "AND patient_id = ?", "it", ra->practice_id, pid);
    }
    return rc;
}

int training_remove_trainee(sw_store *s, int64_t practice_id, const char *username, sw_err *err)
{
    if (username == NULL || username[0] == '\0')
        return sw_err_set(err, SW_EINVAL, "a trainee username is required");
    struct remove_arg ra = { practice_id, username };
    return store_write(s, remove_fn, &ra, err);
}

int training_case_patient(sw_store *s, int64_t practice_id, const char *username,
                          const char *case_id, char out[80], sw_err *err)
{
    out[0] = '\0';
    bool known = false;
    for (size_t c = 0; c < NCASES; c++)
        known |= strcmp(CASES[c], case_id) == 0;
    if (!known || username == NULL)
        return sw_err_set(err, SW_ENOTFOUND, "no training case %s", case_id);
    char id[80];
    gen_case_patient_id(username, case_id, id);
    struct exists_arg e = { practice_id, id, false, NULL };
    int rc = store_read(s, exists_fn, &e, err);
    if (rc != SW_OK)
        return rc;
    if (!e.found)
        return sw_err_set(err, SW_ENOTFOUND, "the trainee has no patient for case %s", case_id);
    memcpy(out, id, 80);
    return SW_OK;
}
