/* export_audit.c - recording a bulk export in the audit trail before any
 * file is written (see export.h).
 *
 * An export is a disclosure: the records leave the server. Each patient
 * whose data the export carries gets an entry of its own (action export),
 * so the patient's accounting of disclosures lists it; the entries are one
 * durable transaction, written before the first file, so an export that
 * cannot be audited does not happen. */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

struct patients {
    char  **ids;
    size_t  n, cap;
};

/* Collected with repeats; unique_patients sorts and drops them. */
static int add_patient(struct patients *p, const char *id)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 64;
        char **grown = realloc(p->ids, ncap * sizeof *grown);
        if (grown == NULL)
            return SW_ENOMEM;
        p->ids = grown;
        p->cap = ncap;
    }
    if ((p->ids[p->n] = strdup(id)) == NULL)
        return SW_ENOMEM;
    p->n++;
    return SW_OK;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void unique_patients(struct patients *p)
{
    if (p->n == 0)
        return;
    qsort(p->ids, p->n, sizeof *p->ids, by_id);
    size_t out = 1;
    for (size_t i = 1; i < p->n; i++) {
        if (strcmp(p->ids[i], p->ids[out - 1]) == 0)
            free(p->ids[i]);
        else
            p->ids[out++] = p->ids[i];
    }
    p->n = out;
}

static void free_patients(struct patients *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->ids[i]);
    free(p->ids);
}

/* Adds the first column of every row of sql (bound to practice and, when
 * not NULL, type). */
static int collect(store_tx *tx, struct patients *p, const char *sql,
                   int64_t practice, const char *type)
{
    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(st, 1, practice)) == SW_OK
        && (type == NULL || (rc = store_bind_cstr(st, 2, type)) == SW_OK))
        while (rc == SW_OK && (rc = store_step(st, &row)) == SW_OK && row)
            rc = add_patient(p, store_col_text(st, 0, NULL));
    store_finalize(st);
    return rc;
}

struct export_audit {
    int64_t             practice_id;
    const char *const  *types;
    size_t              ntypes;
    const audit_who    *who;
    const char         *detail;
    int64_t             entries;
};

static const char patients_sql[] =
    "SELECT res_id FROM fhir_resource WHERE practice_id = ? "
    "AND res_type = 'Patient' AND deleted = 0";
static const char referenced_sql[] =
    "SELECT DISTINCT target_id FROM fhir_idx_ref WHERE practice_id = ? "
    "AND target_type = 'Patient'";
static const char referenced_by_type_sql[] =
    "SELECT DISTINCT target_id FROM fhir_idx_ref WHERE practice_id = ? "
    "AND res_type = ? AND target_type = 'Patient'";

static int export_audit_fn(store_tx *tx, void *arg)
{
    struct export_audit *x = arg;
    struct patients p = { 0 };
    int rc = SW_OK;
    if (x->ntypes == 0) {
        rc = collect(tx, &p, patients_sql, x->practice_id, NULL);
        if (rc == SW_OK)
            rc = collect(tx, &p, referenced_sql, x->practice_id, NULL);
    }
    for (size_t i = 0; i < x->ntypes && rc == SW_OK; i++)
        rc = strcmp(x->types[i], "Patient") == 0
           ? collect(tx, &p, patients_sql, x->practice_id, NULL)
           : collect(tx, &p, referenced_by_type_sql, x->practice_id, x->types[i]);
    if (rc == SW_OK)
        unique_patients(&p);
    audit_entry e = {
        .who = x->who, .action = AUDIT_EXPORT, .feature = "records.export",
        .outcome = AUDIT_SUCCESS, .detail = x->detail,
    };
    x->entries = 0;
    for (size_t i = 0; i < p.n && rc == SW_OK; i++) {
        e.patient_id = p.ids[i];
        rc = audit_append(tx, &e);
        x->entries++;
    }
    if (rc == SW_OK && p.n == 0) {
        e.patient_id = "";
        rc = audit_append(tx, &e);
        x->entries++;
    }
    free_patients(&p);
    return rc;
}

int fhir_export_audit(sw_store *s, int64_t practice_id,
                      const char *const *types, size_t ntypes,
                      const audit_who *who, const char *detail,
                      int64_t *entries, sw_err *err)
{
    struct export_audit x = { practice_id, types, ntypes, who, detail, 0 };
    int rc = store_write(s, export_audit_fn, &x, err);
    if (rc != SW_OK && err != NULL)
        sw_err_set(err, rc, "the export could not be recorded in the audit "
                   "trail (%s); nothing was exported", sw_err_text(err));
    if (entries)
        *entries = rc == SW_OK ? x.entries : 0;
    return rc;
}
