/* adt.c - ADT^A04/A08/A28/A31 (register or update a Patient, with its
 * insurance as Coverage) and ADT^A40 (merge), see adt.h. The field-by-
 * field profile is in docs/hl7-interface.md ("Inbound messages").
 *
 * Update rules, as HL7 v2 has them: a field the message leaves empty
 * leaves the element as it is; the HL7 NULL "" removes it; a field with
 * a value replaces the element (all its repetitions). Members of the
 * Patient we do not map (those the EHR's users added) are kept. */
#include "hl7/adt.h"

#include <stdio.h>
#include <string.h>

#include "fhir/resources.h"

#define V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"

/* ---- Identifiers (CX) ------------------------------------------------------ */

typedef struct cx {
    const char *value, *system, *type;
} cx;

/* The CX at seg-field repetition rep; false when it has no id. */
static bool read_cx(hl7_map *c, const char *seg, size_t occ, size_t field,
                    size_t rep, cx *out)
{
    out->value = hl7_map_get(c, seg, occ, field, rep, 1, 1);
    if (out->value == NULL || out->value == HL7_NULL_TEXT)
        return false;
    out->type = hl7_map_get(c, seg, occ, field, rep, 5, 1);
    if (out->type == HL7_NULL_TEXT)
        out->type = NULL;
    const char *auth = hl7_map_get(c, seg, occ, field, rep, 4, 1);
    if (auth == NULL || auth == HL7_NULL_TEXT)
        auth = hl7_map_get(c, seg, occ, field, rep, 4, 2);
    if (auth == HL7_NULL_TEXT)
        auth = NULL;
    if (out->type && strcmp(out->type, "SS") == 0)
        out->system = HL7_SSN_SYSTEM;
    else
        out->system = sw_arena_printf(c->a, HL7_PMS_SYSTEM "%s",
                                      hl7_map_uri_part(c, auth ? auth : "mrn"));
    if (out->system == NULL)
        c->oom = true;
    return out->system != NULL;
}

/* The Patient that one of the CX repetitions of seg-field names. */
static int find_by_cx(hl7_map *c, const char *seg, size_t field, int *nids,
                      const char **id)
{
    *id = NULL;
    *nids = 0;
    size_t reps = hl7_map_reps(c, seg, 1, field);
    for (size_t r = 1; r <= reps; r++) {
        cx x;
        if (!read_cx(c, seg, 1, field, r, &x))
            continue;
        (*nids)++;
        if (strcmp(x.system, HL7_SSN_SYSTEM) == 0)
            continue;     /* a number shared by mistake must not merge records */
        int rc = hl7_map_find(c, "Patient", "identifier", x.system, x.value, id);
        if (rc != SW_OK || *id != NULL)
            return rc;
    }
    return SW_OK;
}

int hl7_adt_find_patient(hl7_map *c, const char **id)
{
    int nids;
    int rc = find_by_cx(c, "PID", 3, &nids, id);
    if (rc == SW_OK && nids == 0)
        return hl7_map_error(c, "PID", 3, 0, "101", "PID-3 (patient identifier "
                             "list) is required: it names the patient");
    return rc;
}

static bool is_ours(const sw_json *ident)
{
    const char *s = sw_json_get_string(ident, "system");
    return s && (strncmp(s, HL7_PMS_SYSTEM, strlen(HL7_PMS_SYSTEM)) == 0
                 || strcmp(s, HL7_SSN_SYSTEM) == 0);
}

/* Patient.identifier: the EHR's own identifiers, then PID-3's. */
static void map_identifiers(hl7_map *c, sw_json *pt)
{
    sw_json *old = sw_json_get(pt, "identifier"), *list = hl7_j_arr(c);
    for (size_t i = 0; old && old->kind == SW_JSON_ARRAY && i < old->count; i++)
        if (!is_ours(old->items[i]))
            hl7_j_push(c, list, old->items[i]);
    size_t reps = hl7_map_reps(c, "PID", 1, 3);
    for (size_t r = 1; r <= reps; r++) {
        cx x;
        if (!read_cx(c, "PID", 1, 3, r, &x))
            continue;
        sw_json *id = hl7_j_obj(c);
        if (x.type) {
            sw_json *type = hl7_j_obj(c), *codings = hl7_j_arr(c),
                    *coding = hl7_j_obj(c);
            hl7_j_set_str(c, coding, "system", V2_0203);
            hl7_j_set_str(c, coding, "code", x.type);
            hl7_j_push(c, codings, coding);
            hl7_j_set(c, type, "coding", codings);
            hl7_j_set(c, id, "type", type);
        }
        hl7_j_set_str(c, id, "system", x.system);
        hl7_j_set_str(c, id, "value", x.value);
        hl7_j_push(c, list, id);
    }
    hl7_j_set(c, pt, "identifier", list);
}

/* ---- Demographics ---------------------------------------------------------- */

static const char *text(hl7_map *c, const char *seg, size_t occ, size_t field,
                        size_t rep, size_t comp, size_t sub)
{
    const char *t = hl7_map_get(c, seg, occ, field, rep, comp, sub);
    return t == HL7_NULL_TEXT ? NULL : t;
}

static void push_str(hl7_map *c, sw_json *obj, const char *key, const char *s)
{
    if (s == NULL)
        return;
    sw_json *arr = sw_json_get(obj, key);
    if (arr == NULL) {
        arr = hl7_j_arr(c);
        hl7_j_set(c, obj, key, arr);
    }
    hl7_j_push(c, arr, hl7_j_str(c, s));
}

/* What the field means for element key: keep it (empty), remove it (""),
 * or map it (true). */
static bool replaces(hl7_map *c, sw_json *res, const char *seg, size_t field,
                     const char *key)
{
    if (hl7_map_is_null(c, seg, 1, field)) {
        sw_json_remove(res, key);
        return false;
    }
    return !hl7_map_is_empty(c, seg, 1, field);
}

static void map_names(hl7_map *c, sw_json *pt)
{
    if (!replaces(c, pt, "PID", 5, "name"))
        return;
    static const struct { const char *v2, *fhir; } uses[] = {
        { "L", "official" }, { "D", "usual" }, { "M", "maiden" },
        { "B", "maiden" }, { "N", "nickname" }, { "S", "anonymous" },
        { "A", "usual" },
    };
    sw_json *names = hl7_j_arr(c);
    size_t reps = hl7_map_reps(c, "PID", 1, 5);
    for (size_t r = 1; r <= reps; r++) {
        const char *family = text(c, "PID", 1, 5, r, 1, 1);
        const char *given = text(c, "PID", 1, 5, r, 2, 1);
        const char *middle = text(c, "PID", 1, 5, r, 3, 1);
        if (family == NULL && given == NULL)
            continue;
        sw_json *n = hl7_j_obj(c);
        const char *type = text(c, "PID", 1, 5, r, 7, 1);
        for (size_t i = 0; type && i < sizeof uses / sizeof uses[0]; i++)
            if (strcmp(uses[i].v2, type) == 0)
                hl7_j_set_str(c, n, "use", uses[i].fhir);
        if (family)
            hl7_j_set_str(c, n, "family", family);
        push_str(c, n, "given", given);
        push_str(c, n, "given", middle);
        push_str(c, n, "prefix", text(c, "PID", 1, 5, r, 5, 1));
        push_str(c, n, "suffix", text(c, "PID", 1, 5, r, 4, 1));
        push_str(c, n, "suffix", text(c, "PID", 1, 5, r, 6, 1));
        hl7_j_push(c, names, n);
    }
    if (names && names->count)
        hl7_j_set(c, pt, "name", names);
}

static void map_birth_date(hl7_map *c, sw_json *pt)
{
    if (!replaces(c, pt, "PID", 7, "birthDate"))
        return;
    char date[11];
    if (!hl7_map_date(text(c, "PID", 1, 7, 1, 1, 1), date)) {
        hl7_map_error(c, "PID", 7, 0, "102", "PID-7 (date of birth) is not a "
                      "valid date (YYYYMMDD)");
        return;
    }
    hl7_j_set_str(c, pt, "birthDate", date);
}

static void map_gender(hl7_map *c, sw_json *pt)
{
    if (!replaces(c, pt, "PID", 8, "gender"))
        return;
    /* HL7 table 0001. */
    static const struct { const char *v2, *fhir; } sexes[] = {
        { "M", "male" }, { "F", "female" }, { "O", "other" }, { "U", "unknown" },
        { "A", "other" }, { "N", "unknown" },
    };
    const char *s = text(c, "PID", 1, 8, 1, 1, 1);
    for (size_t i = 0; s && i < sizeof sexes / sizeof sexes[0]; i++) {
        if (strcmp(sexes[i].v2, s) == 0) {
            hl7_j_set_str(c, pt, "gender", sexes[i].fhir);
            return;
        }
    }
    hl7_map_error(c, "PID", 8, 0, "103", "PID-8 (administrative sex) is not a "
                  "code of HL7 table 0001 (F, M, O, U, A, N)");
}

static void map_addresses(hl7_map *c, sw_json *pt)
{
    if (!replaces(c, pt, "PID", 11, "address"))
        return;
    sw_json *list = hl7_j_arr(c);
    size_t reps = hl7_map_reps(c, "PID", 1, 11);
    for (size_t r = 1; r <= reps; r++) {
        sw_json *a = hl7_j_obj(c);
        const char *street = text(c, "PID", 1, 11, r, 1, 1);
        const char *other = text(c, "PID", 1, 11, r, 2, 1);
        const char *type = text(c, "PID", 1, 11, r, 7, 1);
        /* HL7 table 0190: H home, B / O office, C current, M mailing, BA bad. */
        if (type && (!strcmp(type, "H") || !strcmp(type, "P")))
            hl7_j_set_str(c, a, "use", "home");
        else if (type && (!strcmp(type, "B") || !strcmp(type, "O")))
            hl7_j_set_str(c, a, "use", "work");
        else if (type && !strcmp(type, "C"))
            hl7_j_set_str(c, a, "use", "temp");
        else if (type && !strcmp(type, "BA"))
            hl7_j_set_str(c, a, "use", "old");
        if (type && !strcmp(type, "M"))
            hl7_j_set_str(c, a, "type", "postal");
        push_str(c, a, "line", street);
        push_str(c, a, "line", other);
        static const struct { size_t comp; const char *key; } parts[] = {
            { 3, "city" }, { 4, "state" }, { 5, "postalCode" }, { 6, "country" },
        };
        size_t n = street || other ? 1 : 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            const char *t = text(c, "PID", 1, 11, r, parts[i].comp, 1);
            if (t) {
                hl7_j_set_str(c, a, parts[i].key, t);
                n++;
            }
        }
        if (n)
            hl7_j_push(c, list, a);
    }
    if (list && list->count)
        hl7_j_set(c, pt, "address", list);
}

/* One XTN as a ContactPoint: the email (component 4) for Internet
 * addresses, else the number as written (component 1, what older senders
 * send) or built from area code, local number and extension (components
 * 6, 7, 8: the v2.5 form). */
static sw_json *contact_point(hl7_map *c, size_t field, size_t r, const char *use)
{
    const char *formatted = text(c, "PID", 1, field, r, 1, 1);
    const char *code = text(c, "PID", 1, field, r, 2, 1);
    const char *equip = text(c, "PID", 1, field, r, 3, 1);
    const char *email = text(c, "PID", 1, field, r, 4, 1);
    const char *area = text(c, "PID", 1, field, r, 6, 1);
    const char *local = text(c, "PID", 1, field, r, 7, 1);
    const char *ext = text(c, "PID", 1, field, r, 8, 1);
    sw_json *cp = hl7_j_obj(c);
    const char *value = NULL;
    if ((code && !strcmp(code, "NET")) || (equip && !strcmp(equip, "Internet"))
        || (email && !formatted && !local)) {
        value = email ? email : formatted;
        hl7_j_set_str(c, cp, "system", "email");
    } else {
        if (formatted) {
            value = formatted;
        } else if (local) {
            size_t n = strlen(local);
            value = sw_arena_printf(c->a, "%s%s%s%.*s%s%.4s%s%s",
                area ? "(" : "", area ? area : "", area ? ") " : "",
                (int)(n == 7 ? 3 : n), local, n == 7 ? "-" : "",
                n == 7 ? local + 3 : "", ext ? " x" : "", ext ? ext : "");
        }
        hl7_j_set_str(c, cp, "system", equip && !strcmp(equip, "FX") ? "fax"
                      : equip && !strcmp(equip, "BP") ? "pager" : "phone");
    }
    if (value == NULL)
        return NULL;
    hl7_j_set_str(c, cp, "value", value);
    hl7_j_set_str(c, cp, "use", equip && !strcmp(equip, "CP") ? "mobile" : use);
    return cp;
}

/* PID-13 (home) and PID-14 (business) as telecom; existing work entries
 * belong to PID-14, the others to PID-13. */
static void map_telecom(hl7_map *c, sw_json *pt)
{
    bool null13 = hl7_map_is_null(c, "PID", 1, 13), null14 = hl7_map_is_null(c, "PID", 1, 14);
    bool set13 = !null13 && !hl7_map_is_empty(c, "PID", 1, 13);
    bool set14 = !null14 && !hl7_map_is_empty(c, "PID", 1, 14);
    if (!(null13 || null14 || set13 || set14))
        return;
    sw_json *old = sw_json_get(pt, "telecom"), *list = hl7_j_arr(c);
    for (size_t i = 0; old && old->kind == SW_JSON_ARRAY && i < old->count; i++) {
        const char *use = sw_json_get_string(old->items[i], "use");
        bool work = use && !strcmp(use, "work");
        if (work ? !(null14 || set14) : !(null13 || set13))
            hl7_j_push(c, list, old->items[i]);
    }
    for (size_t f = 13; f <= 14; f++) {
        if (f == 13 ? !set13 : !set14)
            continue;
        size_t reps = hl7_map_reps(c, "PID", 1, f);
        for (size_t r = 1; r <= reps; r++) {
            sw_json *cp = contact_point(c, f, r, f == 13 ? "home" : "work");
            if (cp)
                hl7_j_push(c, list, cp);
        }
    }
    if (list && list->count)
        hl7_j_set(c, pt, "telecom", list);
    else
        sw_json_remove(pt, "telecom");
}

/* ---- Insurance (IN1 -> Coverage) ------------------------------------------- */

static sw_json *reference(hl7_map *c, const char *type, const char *id)
{
    sw_json *r = hl7_j_obj(c);
    hl7_j_set_str(c, r, "reference", sw_arena_printf(c->a, "%s/%s", type, id));
    return r;
}

static const char *relationship(const char *v2)
{
    /* HL7 table 0063 and the X12 codes some PMSs send. */
    static const struct { const char *v2, *fhir; } t[] = {
        { "SEL", "self" }, { "18", "self" }, { "SPO", "spouse" },
        { "01", "spouse" }, { "CHD", "child" }, { "19", "child" },
        { "PAR", "parent" }, { "DOM", "common" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].v2, v2) == 0)
            return t[i].fhir;
    return "other";
}

static int map_coverage(hl7_map *c, size_t occ)
{
    const char *payer_id = text(c, "IN1", occ, 3, 1, 1, 1);
    const char *payer = text(c, "IN1", occ, 4, 1, 1, 1);
    if (payer_id == NULL && payer == NULL)
        return hl7_map_error(c, "IN1", 3, 0, "101", "IN1-3 (insurance company "
                             "id) or IN1-4 (its name) is required in IN1 %zu", occ);
    char start[11] = "", end[11] = "";
    const char *t12 = text(c, "IN1", occ, 12, 1, 1, 1);
    const char *t13 = text(c, "IN1", occ, 13, 1, 1, 1);
    if (t12 && !hl7_map_date(t12, start))
        hl7_map_error(c, "IN1", 12, 0, "102", "IN1-12 (plan effective date) is "
                      "not a valid date (YYYYMMDD)");
    if (t13 && !hl7_map_date(t13, end))
        hl7_map_error(c, "IN1", 13, 0, "102", "IN1-13 (plan expiration date) is "
                      "not a valid date (YYYYMMDD)");
    if (c->nerr)
        return SW_EINVAL;
    /* One Coverage per IN1 set id, so a resent ADT updates it in place. */
    const char *set = text(c, "IN1", occ, 1, 1, 1, 1);
    bool set_ok = set && strlen(set) <= 4 && strspn(set, "0123456789") == strlen(set);
    const char *id = sw_arena_printf(c->a, "%s-in1-%s", c->patient_id,
                                     set_ok ? set : sw_arena_printf(c->a, "%zu", occ));
    if (id == NULL)
        return store_tx_fail(c->tx, SW_ENOMEM, NULL);
    sw_json *cov;
    int rc = hl7_map_read(c, "Coverage", id, &cov);
    if (rc != SW_OK)
        return rc;
    if (cov == NULL) {
        cov = hl7_j_obj(c);
        hl7_j_set_str(c, cov, "resourceType", "Coverage");
    }
    hl7_j_set_str(c, cov, "status", "active");
    const char *subscriber = text(c, "IN1", occ, 36, 1, 1, 1);
    if (subscriber == NULL)
        subscriber = text(c, "IN1", occ, 49, 1, 1, 1);
    if (subscriber)
        hl7_j_set_str(c, cov, "subscriberId", subscriber);
    hl7_j_set(c, cov, "beneficiary", reference(c, "Patient", c->patient_id));
    const char *rel = text(c, "IN1", occ, 17, 1, 1, 1);
    if (rel) {
        sw_json *cc = hl7_j_obj(c), *codings = hl7_j_arr(c), *coding = hl7_j_obj(c);
        hl7_j_set_str(c, coding, "system",
                      "http://terminology.hl7.org/CodeSystem/subscriber-relationship");
        hl7_j_set_str(c, coding, "code", relationship(rel));
        hl7_j_push(c, codings, coding);
        hl7_j_set(c, cc, "coding", codings);
        hl7_j_set(c, cov, "relationship", cc);
    }
    if (start[0] || end[0]) {
        sw_json *period = hl7_j_obj(c);
        if (start[0])
            hl7_j_set_str(c, period, "start", start);
        if (end[0])
            hl7_j_set_str(c, period, "end", end);
        hl7_j_set(c, cov, "period", period);
    }
    sw_json *payors = hl7_j_arr(c), *p = hl7_j_obj(c);
    if (payer_id) {
        sw_json *ident = hl7_j_obj(c);
        hl7_j_set_str(c, ident, "system", HL7_PMS_SYSTEM "payer");
        hl7_j_set_str(c, ident, "value", payer_id);
        hl7_j_set(c, p, "identifier", ident);
    }
    hl7_j_set_str(c, p, "display", payer ? payer : payer_id);
    hl7_j_push(c, payors, p);
    hl7_j_set(c, cov, "payor", payors);
    const char *plan = text(c, "IN1", occ, 2, 1, 1, 1);
    if (plan) {
        sw_json *classes = hl7_j_arr(c), *cl = hl7_j_obj(c), *type = hl7_j_obj(c),
                *codings = hl7_j_arr(c), *coding = hl7_j_obj(c);
        hl7_j_set_str(c, coding, "system",
                      "http://terminology.hl7.org/CodeSystem/coverage-class");
        hl7_j_set_str(c, coding, "code", "plan");
        hl7_j_push(c, codings, coding);
        hl7_j_set(c, type, "coding", codings);
        hl7_j_set(c, cl, "type", type);
        hl7_j_set_str(c, cl, "value", plan);
        const char *plan_name = text(c, "IN1", occ, 2, 1, 2, 1);
        if (plan_name)
            hl7_j_set_str(c, cl, "name", plan_name);
        hl7_j_push(c, classes, cl);
        hl7_j_set(c, cov, "class", classes);
    }
    return hl7_map_put(c, "Coverage", id, cov);
}

/* ---- Register / update ----------------------------------------------------- */

int hl7_adt_register(hl7_map *c)
{
    if (hl7_segment_find(c->m, "PID", 1) == NULL)
        return hl7_map_error(c, "PID", 0, 0, "100", "the message has no PID "
                             "segment");
    const char *id;
    int rc = hl7_adt_find_patient(c, &id);
    if (rc != SW_OK)
        return rc;
    sw_json *pt = NULL;
    if (id != NULL && (rc = hl7_map_read(c, "Patient", id, &pt)) != SW_OK)
        return rc;
    char fresh[37];
    if (pt == NULL) {
        /* A08 / A31 for a patient we never saw creates it, as PMSs expect
         * of a receiver that joined after the registration. */
        fhir_new_id(fresh);
        id = fresh;
        pt = hl7_j_obj(c);
        hl7_j_set_str(c, pt, "resourceType", "Patient");
        hl7_j_set(c, pt, "active", sw_json_new_bool(c->a, true));
    }
    snprintf(c->patient_id, sizeof c->patient_id, "%s", id);
    map_identifiers(c, pt);
    map_names(c, pt);
    map_birth_date(c, pt);
    map_gender(c, pt);
    map_addresses(c, pt);
    map_telecom(c, pt);
    if (c->nerr)
        return SW_EINVAL;
    if ((rc = hl7_map_put(c, "Patient", c->patient_id, pt)) != SW_OK)
        return rc;
    for (size_t occ = 1; hl7_segment_find(c->m, "IN1", occ) != NULL; occ++)
        if ((rc = map_coverage(c, occ)) != SW_OK)
            return rc;
    return SW_OK;
}

/* ---- Merge ----------------------------------------------------------------- */

/* Adds {other: Patient/other, type} to pt's links unless it is there. */
static void add_link(hl7_map *c, sw_json *pt, const char *other, const char *type)
{
    sw_json *links = sw_json_get(pt, "link");
    const char *want = sw_arena_printf(c->a, "Patient/%s", other);
    for (size_t i = 0; links && want && i < links->count; i++) {
        const char *r = sw_json_get_string(sw_json_get(links->items[i], "other"),
                                           "reference");
        const char *t = sw_json_get_string(links->items[i], "type");
        if (r && t && !strcmp(r, want) && !strcmp(t, type))
            return;
    }
    if (links == NULL) {
        links = hl7_j_arr(c);
        hl7_j_set(c, pt, "link", links);
    }
    sw_json *l = hl7_j_obj(c);
    hl7_j_set(c, l, "other", reference(c, "Patient", other));
    hl7_j_set_str(c, l, "type", type);
    hl7_j_push(c, links, l);
}

int hl7_adt_merge(hl7_map *c)
{
    const char *survivor, *merged;
    int nids;
    int rc = hl7_adt_find_patient(c, &survivor);
    if (rc != SW_OK)
        return rc;
    if (survivor == NULL)
        hl7_map_error(c, "PID", 3, 0, "204", "PID-3 names no patient the EHR "
                      "knows: the surviving patient must be registered first");
    if ((rc = find_by_cx(c, "MRG", 1, &nids, &merged)) != SW_OK)
        return rc;
    if (nids == 0)
        return hl7_map_error(c, "MRG", 1, 0, "101", "MRG-1 (prior patient "
                             "identifier list) is required");
    if (merged == NULL)
        return hl7_map_error(c, "MRG", 1, 0, "204", "MRG-1 names no patient the "
                             "EHR knows");
    if (survivor == NULL)
        return SW_EINVAL;
    if (strcmp(survivor, merged) == 0)
        return hl7_map_error(c, "MRG", 1, 0, "205", "MRG-1 names the same "
                             "patient as PID-3");
    sw_json *keep, *gone;
    if ((rc = hl7_map_read(c, "Patient", survivor, &keep)) != SW_OK
        || (rc = hl7_map_read(c, "Patient", merged, &gone)) != SW_OK)
        return rc;
    hl7_j_set(c, gone, "active", sw_json_new_bool(c->a, false));
    add_link(c, gone, survivor, "replaced-by");
    add_link(c, keep, merged, "replaces");
    snprintf(c->patient_id, sizeof c->patient_id, "%s", survivor);
    if ((rc = hl7_map_put(c, "Patient", merged, gone)) != SW_OK)
        return rc;
    return hl7_map_put(c, "Patient", survivor, keep);
}
