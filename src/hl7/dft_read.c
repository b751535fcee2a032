/* dft_read.c - what a DFT^P03 says, read from the stored FHIR resources
 * inside the transaction that created or voided the charges (see dft.h):
 * each ChargeItem as src/clinical/visit.c writes it (code, units as
 * quantity, modifiers as extensions, occurrence, performer, reasons), the
 * Patient, the Encounter with its ranked diagnoses, and the rendering
 * provider's Practitioner for the NPI. A message has a handful of lines,
 * so resources are parsed with jansson and read one by one. */
#include "hl7/dft.h"

#include <jansson.h>
#include <string.h>

#include "clinical/codes.h"
#include "clinical/visit.h"
#include "fhir/resources.h"
#include "hl7/outbox.h"

/* The current version of type/id parsed, or *out NULL when it does not
 * exist or was deleted. */
static int read_json(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const char *type, const char *id, json_t **out)
{
    fhir_version v;
    *out = NULL;
    if (id == NULL || id[0] == '\0')
        return SW_OK;
    int rc = fhir_row_read(tx, a, practice_id, type, id, 0, &v);
    if (rc == SW_ENOTFOUND || (rc == SW_OK && v.deleted))
        return SW_OK;
    if (rc != SW_OK)
        return rc;
    *out = json_loadb(v.body, v.body_len, 0, NULL);
    return *out ? SW_OK : SW_ENOMEM;
}

/* A copy in the arena of a string member, or NULL. */
static const char *dup(sw_arena *a, json_t *v)
{
    const char *s = json_string_value(v);
    return s ? sw_arena_strdup(a, s) : NULL;
}

static const char *ref_id(json_t *ref, const char *type)
{
    const char *s = json_string_value(json_object_get(ref, "reference"));
    size_t n = strlen(type);
    if (s && strncmp(s, type, n) == 0 && s[n] == '/')
        return s + n + 1;
    return NULL;
}

static json_t *first_coding(json_t *concept)
{
    return json_array_get(json_object_get(concept, "coding"), 0);
}

static void read_patient(sw_arena *a, const char *patient_id, json_t *p,
                         dft_input *in)
{
    json_t *id;
    size_t i;
    /* The PMS's own numbers first: that is how it finds its account. */
    json_array_foreach(json_object_get(p, "identifier"), i, id) {
        const char *system = json_string_value(json_object_get(id, "system"));
        if (system && strncmp(system, DFT_PMS_SYSTEM, strlen(DFT_PMS_SYSTEM)) == 0
            && json_string_value(json_object_get(id, "value"))
            && in->nids < DFT_MAX_IDS - 2) {
            in->ids[in->nids++] = (dft_id){
                .value = dup(a, json_object_get(id, "value")),
                .authority = sw_arena_strdup(a, system + strlen(DFT_PMS_SYSTEM)),
                .type = "PI" };
        }
    }
    in->ids[in->nids++] = (dft_id){ .value = sw_arena_strdup(a, patient_id),
                                    .authority = "STAGEWISE", .type = "PI" };
    json_array_foreach(json_object_get(p, "identifier"), i, id) {
        const char *system = json_string_value(json_object_get(id, "system"));
        if (system && strcmp(system, DFT_MRN_SYSTEM) == 0
            && json_string_value(json_object_get(id, "value"))) {
            in->ids[in->nids++] = (dft_id){
                .value = dup(a, json_object_get(id, "value")),
                .authority = "STAGEWISE", .type = "MR" };
            break;
        }
    }
    json_t *name = json_array_get(json_object_get(p, "name"), 0);
    json_t *given = json_object_get(name, "given");
    in->family = dup(a, json_object_get(name, "family"));
    in->given = dup(a, json_array_get(given, 0));
    in->middle = dup(a, json_array_get(given, 1));
    in->birth_date = dup(a, json_object_get(p, "birthDate"));
    in->gender = dup(a, json_object_get(p, "gender"));
}

static const char *user_label(sw_arena *a, json_t *ref)
{
    json_t *ident = json_object_get(ref, "identifier");
    const char *system = json_string_value(json_object_get(ident, "system"));
    if (system && strcmp(system, "urn:stagewise:user") == 0
        && json_string_value(json_object_get(ident, "value")))
        return dup(a, json_object_get(ident, "value"));
    return dup(a, json_object_get(ref, "display"));
}

/* The Practitioner an account is linked to now: a charge made before its
 * performer's account was linked names only the username, and a biller
 * fixes that by linking the account and resending. */
static int linked_now(store_tx *tx, sw_arena *a, int64_t practice_id,
                      const char *username, const char **out)
{
    store_stmt *q;
    *out = NULL;
    int rc = store_prepare(tx, "SELECT practitioner_id FROM app_user "
                           "WHERE practice_id = ? AND username = ?", &q);
    if (rc != SW_OK)
        return rc;
    bool row = false;
    if ((rc = store_bind_int64(q, 1, practice_id)) == SW_OK)
        rc = store_bind_cstr(q, 2, username);
    if (rc == SW_OK && (rc = store_step(q, &row)) == SW_OK && row) {
        const char *id = store_col_text(q, 0, NULL);
        *out = id[0] ? sw_arena_strdup(a, id) : NULL;
    }
    store_finalize(q);
    return rc;
}

static int read_provider(store_tx *tx, sw_arena *a, int64_t practice_id,
                         json_t *actor, dft_line *l)
{
    if (!json_is_object(actor))
        return SW_OK;
    l->has_provider = true;
    l->provider.label = user_label(a, actor);
    const char *practitioner = ref_id(actor, "Practitioner");
    int rc = SW_OK;
    json_t *pr;
    if (practitioner == NULL && l->provider.label)
        rc = linked_now(tx, a, practice_id, l->provider.label, &practitioner);
    if (rc == SW_OK)
        rc = read_json(tx, a, practice_id, "Practitioner", practitioner, &pr);
    if (rc != SW_OK || pr == NULL)
        return rc;
    l->provider.linked = true;
    json_t *id;
    size_t i;
    json_array_foreach(json_object_get(pr, "identifier"), i, id) {
        const char *system = json_string_value(json_object_get(id, "system"));
        if (system && strcmp(system, DFT_NPI_SYSTEM) == 0) {
            l->provider.npi = dup(a, json_object_get(id, "value"));
            break;
        }
    }
    json_t *name = json_array_get(json_object_get(pr, "name"), 0);
    l->provider.family = dup(a, json_object_get(name, "family"));
    l->provider.given = dup(a, json_array_get(json_object_get(name, "given"), 0));
    if (l->provider.label == NULL)
        l->provider.label = l->provider.family;
    json_decref(pr);
    return SW_OK;
}

static void read_charge(sw_arena *a, json_t *c, dft_line *l)
{
    json_t *coding = first_coding(json_object_get(c, "code"));
    l->code = dup(a, json_object_get(coding, "code"));
    l->display = dup(a, json_object_get(coding, "display"));
    const char *system = json_string_value(json_object_get(coding, "system"));
    l->hcpcs = system && strcmp(system, CODES_HCPCS_SYSTEM) == 0;
    json_int_t units = json_integer_value(json_object_get(json_object_get(c,
                                          "quantity"), "value"));
    l->units = units > 0 ? (int)units : 1;
    l->service_date = dup(a, json_object_get(c, "occurrenceDateTime"));
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(c, "extension"), i, e) {
        const char *url = json_string_value(json_object_get(e, "url"));
        if (url && strcmp(url, VISIT_EXT_MODIFIER) == 0
            && l->nmodifiers < DFT_MAX_MODS
            && json_string_value(json_object_get(e, "valueCode")))
            l->modifiers[l->nmodifiers++] = dup(a, json_object_get(e, "valueCode"));
    }
    json_t *r;
    json_array_foreach(json_object_get(c, "reason"), i, r) {
        json_t *rc = first_coding(r);
        if (json_string_value(json_object_get(rc, "code")) && l->ndx < DFT_MAX_DX)
            l->dx[l->ndx++] = (dft_code){
                .code = dup(a, json_object_get(rc, "code")),
                .display = dup(a, json_object_get(rc, "display")) };
    }
}

/* The rank the Encounter gives diagnosis code, 0 when it ranks none. */
static int rank_of(store_tx *tx, sw_arena *a, int64_t practice_id,
                   json_t *encounter, const char *code, int *rank)
{
    json_t *d;
    size_t i;
    *rank = 0;
    json_array_foreach(json_object_get(encounter, "diagnosis"), i, d) {
        json_t *cond;
        int rc = read_json(tx, a, practice_id, "Condition",
                           ref_id(json_object_get(d, "condition"), "Condition"),
                           &cond);
        if (rc != SW_OK)
            return rc;
        const char *c = json_string_value(json_object_get(first_coding(
                                          json_object_get(cond, "code")), "code"));
        bool same = c && strcmp(c, code) == 0;
        json_decref(cond);
        if (same) {
            *rank = (int)json_integer_value(json_object_get(d, "rank"));
            return SW_OK;
        }
    }
    return SW_OK;
}

/* The lines' distinct diagnoses, ranked ones first in rank order. */
static int collect_diagnoses(store_tx *tx, sw_arena *a, int64_t practice_id,
                             json_t *encounter, dft_input *in)
{
    for (size_t i = 0; i < in->nlines; i++)
        for (size_t k = 0; k < in->lines[i].ndx; k++) {
            const dft_code *c = &in->lines[i].dx[k];
            bool seen = false;
            for (size_t j = 0; j < in->ndx && !seen; j++)
                seen = strcmp(in->dx[j].code.code, c->code) == 0;
            if (seen || in->ndx == DFT_MAX_DIAGNOSES)
                continue;
            int rank;
            int rc = rank_of(tx, a, practice_id, encounter, c->code, &rank);
            if (rc != SW_OK)
                return rc;
            in->dx[in->ndx++] = (dft_diagnosis){ .code = *c, .rank = rank };
        }
    for (size_t i = 1; i < in->ndx; i++)   /* insertion sort, stable */
        for (size_t k = i; k > 0; k--) {
            int x = in->dx[k - 1].rank, y = in->dx[k].rank;
            if (!(y > 0 && (x == 0 || y < x)))
                break;
            dft_diagnosis t = in->dx[k];
            in->dx[k] = in->dx[k - 1];
            in->dx[k - 1] = t;
        }
    return SW_OK;
}

int dft_read(store_tx *tx, sw_arena *a, int64_t practice_id,
             const char *patient_id, const char *encounter_id,
             const hl7_charge_line *lines, size_t n, dft_input *in)
{
    json_t *patient = NULL, *encounter = NULL;
    memset(in, 0, sizeof *in);
    int rc = read_json(tx, a, practice_id, "Patient", patient_id, &patient);
    if (rc == SW_OK)
        rc = read_json(tx, a, practice_id, "Encounter", encounter_id, &encounter);
    if (rc != SW_OK)
        goto out;
    read_patient(a, patient_id, patient, in);
    in->encounter_id = sw_arena_strdup(a, encounter_id ? encounter_id : "");
    json_t *period = json_object_get(encounter, "period");
    in->encounter_start = dup(a, json_object_get(period, "start"));
    in->encounter_class = dup(a, json_object_get(json_object_get(encounter,
                                                 "class"), "code"));
    for (size_t i = 0; i < n && i < DFT_MAX_LINES && rc == SW_OK; i++) {
        dft_line *l = &in->lines[in->nlines++];
        l->charge_id = sw_arena_strdup(a, lines[i].charge_id);
        l->credit = lines[i].credit;
        l->units = 1;
        json_t *c;
        rc = read_json(tx, a, practice_id, "ChargeItem", lines[i].charge_id, &c);
        if (rc != SW_OK || c == NULL)
            continue;
        l->found = true;
        read_charge(a, c, l);
        rc = read_provider(tx, a, practice_id,
                           json_object_get(json_array_get(json_object_get(c,
                                           "performer"), 0), "actor"), l);
        json_decref(c);
    }
    for (size_t i = 0; i < in->nlines && in->attending == NULL; i++)
        if (in->lines[i].has_provider)
            in->attending = &in->lines[i].provider;
    if (rc == SW_OK)
        rc = collect_diagnoses(tx, a, practice_id, encounter, in);
out:
    json_decref(patient);
    json_decref(encounter);
    return rc;
}
