/* rx_check.c - allergy, interaction and duplicate checks for a drug about
 * to be prescribed (see rx_check.h). */
#include "rx_check.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clinical/allergies.h"
#include "clinical/fhir_read.h"

#define TERMS_MAX 16

/* What a record is about, in the knowledge base's terms. */
typedef struct terms {
    const drug_ingredient *ing[TERMS_MAX];
    size_t                 n_ing;
    const drug_class      *cls[TERMS_MAX];
    size_t                 n_cls;
} terms;

static void add_ingredient(terms *t, const drug_ingredient *ing)
{
    for (size_t i = 0; i < t->n_ing; i++)
        if (t->ing[i] == ing)
            return;
    if (t->n_ing < TERMS_MAX)
        t->ing[t->n_ing++] = ing;
}

static void add_class(terms *t, const drug_class *c)
{
    for (size_t i = 0; i < t->n_cls; i++)
        if (t->cls[i] == c)
            return;
    if (t->n_cls < TERMS_MAX)
        t->cls[t->n_cls++] = c;
}

static void add_product(const drug_kb *kb, terms *t, const drug_product *p)
{
    for (size_t i = 0; p->ingredients[i]; i++) {
        const drug_ingredient *ing = drug_ingredient_named(kb, p->ingredients[i]);
        if (ing)
            add_ingredient(t, ing);
    }
}

static void add_text(const drug_kb *kb, terms *t, const char *text)
{
    const drug_ingredient *ing[TERMS_MAX];
    const drug_class *cls[TERMS_MAX];
    size_t ni, nc;
    drug_terms_in_text(kb, text, ing, &ni, cls, &nc, TERMS_MAX);
    for (size_t i = 0; i < ni; i++)
        add_ingredient(t, ing[i]);
    for (size_t i = 0; i < nc; i++)
        add_class(t, cls[i]);
}

/* The terms of a CodeableConcept: RxNorm codings (ingredient or product
 * codes), then the words of its text and displays. */
static void concept_terms(const drug_kb *kb, const sw_json *cc, terms *t)
{
    if (cc == NULL || cc->kind != SW_JSON_OBJECT)
        return;
    const sw_json *codings = sw_json_get(cc, "coding");
    for (size_t i = 0; codings && codings->kind == SW_JSON_ARRAY && i < codings->count; i++) {
        const char *system = sw_json_get_string(codings->items[i], "system");
        const char *code = sw_json_get_string(codings->items[i], "code");
        if (system && code && strcmp(system, DRUG_RXNORM_SYSTEM) == 0) {
            const drug_ingredient *ing = drug_ingredient_by_code(kb, code);
            const drug_product *p = drug_product_find(kb, code);
            if (ing)
                add_ingredient(t, ing);
            if (p)
                add_product(kb, t, p);
        }
        add_text(kb, t, sw_json_get_string(codings->items[i], "display"));
    }
    add_text(kb, t, sw_json_get_string(cc, "text"));
}

bool rx_medication_is_active(const sw_json *r)
{
    const char *status = sw_json_get_string(r, "status");
    const char *type = sw_json_get_string(r, "resourceType");
    if (status == NULL)
        return false;
    if (strcmp(status, "active") == 0)
        return true;
    return type && strcmp(type, "MedicationStatement") == 0
           && strcmp(status, "intended") == 0;
}

const char *rx_medication_name(const sw_json *r)
{
    const char *text = clinical_concept_text(sw_json_get(r, "medicationCodeableConcept"));
    if (text)
        return text;
    const sw_json *ref = sw_json_get(r, "medicationReference");
    const char *d = ref ? sw_json_get_string(ref, "display") : NULL;
    return d ? d : "a medication";
}

const char *rx_medication_rxnorm(const sw_json *r)
{
    const sw_json *c = clinical_coding_of(sw_json_get(r, "medicationCodeableConcept"),
                                          DRUG_RXNORM_SYSTEM);
    return c ? sw_json_get_string(c, "code") : NULL;
}

static int rank(const char *severity)
{
    return strcmp(severity, "high") == 0 ? 0
         : strcmp(severity, "moderate") == 0 ? 1 : 2;
}

/* The slot for a new alert; when out is full, the least severe alert
 * gives way to a more severe one, so what is kept is what matters most. */
static rx_alert *next(rx_alert *out, size_t max, size_t *n, const rx_record *rec,
                      const char *name, const char *kind, const char *severity)
{
    rx_alert *a = NULL;
    if (*n < max) {
        a = &out[(*n)++];
    } else {
        for (size_t i = 0; i < max; i++)
            if (rank(out[i].severity) > rank(severity)
                && (a == NULL || rank(out[i].severity) > rank(a->severity)))
                a = &out[i];
        if (a == NULL)
            return NULL;
    }
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->severity = severity;
    if (strcmp(kind, "allergy") == 0) {
        a->code = "ALGY";
        a->code_display = "Allergy Alert";
    } else if (strcmp(kind, "duplicate") == 0) {
        a->code = "DUPTHPY";
        a->code_display = "Duplicate Therapy Alert";
    } else {
        a->code = "DRG";
        a->code_display = "Drug Interaction Alert";
    }
    a->with_type = rec->type;
    a->with_id = rec->id;
    snprintf(a->with_name, sizeof a->with_name, "%s", name);
    return a;
}

static bool terms_have_class(const terms *t, const char *id)
{
    for (size_t i = 0; i < t->n_cls; i++)
        if (strcmp(t->cls[i]->id, id) == 0)
            return true;
    for (size_t i = 0; i < t->n_ing; i++)
        for (size_t k = 0; t->ing[i]->classes[k]; k++)
            if (strcmp(t->ing[i]->classes[k], id) == 0)
                return true;
    return false;
}

/* The one most severe allergy alert for this allergy, if any. */
static void check_allergy(const drug_kb *kb, const drug_product *drug,
                          const terms *drug_terms, const rx_record *rec,
                          rx_alert *out, size_t max, size_t *n)
{
    terms allergy = { 0 };
    concept_terms(kb, sw_json_get(rec->resource, "code"), &allergy);
    const char *substance = allergy_substance_text(rec->resource);
    /* The same ingredient. */
    for (size_t i = 0; i < drug_terms->n_ing; i++)
        for (size_t k = 0; k < allergy.n_ing; k++)
            if (drug_terms->ing[i] == allergy.ing[k]) {
                rx_alert *a = next(out, max, n, rec, substance, "allergy", "high");
                if (a)
                    snprintf(a->message, sizeof a->message, "Allergy to %s: "
                             "%s contains %s.", substance, drug->name,
                             drug_terms->ing[i]->name);
                return;
            }
    /* The same allergy class. */
    for (size_t i = 0; i < drug_terms->n_ing; i++)
        for (size_t k = 0; drug_terms->ing[i]->classes[k]; k++) {
            const drug_class *c = drug_class_find(kb, drug_terms->ing[i]->classes[k]);
            if (c == NULL || c->allergy_severity == NULL
                || !terms_have_class(&allergy, c->id))
                continue;
            rx_alert *a = next(out, max, n, rec, substance, "allergy",
                               c->allergy_severity);
            if (a)
                snprintf(a->message, sizeof a->message, "Allergy to %s: %s "
                         "is one of the %s, like it.", substance,
                         drug_terms->ing[i]->name, c->name);
            return;
        }
    /* Cross-reacting classes. */
    for (size_t x = 0; x < kb->ncross; x++) {
        const drug_cross_reaction *cr = &kb->cross[x];
        if (!terms_have_class(&allergy, cr->allergy)
            || !terms_have_class(drug_terms, cr->drug))
            continue;
        rx_alert *a = next(out, max, n, rec, substance, "allergy", cr->severity);
        if (a)
            snprintf(a->message, sizeof a->message, "%s (allergy to %s)",
                     cr->message, substance);
        return;
    }
}

static bool terms_match(const terms *t, const char *term)
{
    for (size_t i = 0; i < t->n_ing; i++)
        if (drug_ingredient_is(t->ing[i], term))
            return true;
    for (size_t i = 0; i < t->n_cls; i++)
        if (strcmp(t->cls[i]->id, term) == 0)
            return true;
    return false;
}

static void check_medication(const drug_kb *kb, const drug_product *drug,
                             const terms *drug_terms, const rx_record *rec,
                             rx_alert *out, size_t max, size_t *n)
{
    terms med = { 0 };
    concept_terms(kb, sw_json_get(rec->resource, "medicationCodeableConcept"), &med);
    const sw_json *ref = sw_json_get(rec->resource, "medicationReference");
    if (ref)
        add_text(kb, &med, sw_json_get_string(ref, "display"));
    const char *name = rx_medication_name(rec->resource);
    for (size_t i = 0; i < drug_terms->n_ing; i++)
        for (size_t k = 0; k < med.n_ing; k++)
            if (drug_terms->ing[i] == med.ing[k]) {
                rx_alert *a = next(out, max, n, rec, name, "duplicate", "moderate");
                if (a)
                    snprintf(a->message, sizeof a->message, "Duplicate "
                             "therapy: %s is already taken as %s.",
                             drug_terms->ing[i]->name, name);
                i = drug_terms->n_ing;
                break;
            }
    for (size_t x = 0; x < kb->ninteractions; x++) {
        const drug_interaction *it = &kb->interactions[x];
        if ((terms_match(drug_terms, it->a) && terms_match(&med, it->b))
            || (terms_match(drug_terms, it->b) && terms_match(&med, it->a))) {
            rx_alert *a = next(out, max, n, rec, name, "interaction", it->severity);
            if (a)
                snprintf(a->message, sizeof a->message, "%s (with %s)",
                         it->message, name);
        }
    }
}

size_t rx_check(const drug_kb *kb, const drug_product *drug,
                const rx_record *records, size_t n, rx_alert *out, size_t max)
{
    terms drug_terms = { 0 };
    add_product(kb, &drug_terms, drug);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const rx_record *rec = &records[i];
        if (rec->resource == NULL || rec->type == NULL)
            continue;
        if (strcmp(rec->type, "AllergyIntolerance") == 0) {
            if (allergy_is_active(rec->resource) && !allergy_is_none(rec->resource))
                check_allergy(kb, drug, &drug_terms, rec, out, max, &count);
        } else if (strcmp(rec->type, "MedicationRequest") == 0
                   || strcmp(rec->type, "MedicationStatement") == 0) {
            if (rx_medication_is_active(rec->resource))
                check_medication(kb, drug, &drug_terms, rec, out, max, &count);
        }
    }
    /* High first, stable otherwise (insertion sort: a handful of alerts). */
    for (size_t i = 1; i < count; i++) {
        rx_alert tmp = out[i];
        size_t j = i;
        while (j > 0 && rank(out[j - 1].severity) > rank(tmp.severity)) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = tmp;
    }
    return count;
}

bool rx_any_high(const rx_alert *alerts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(alerts[i].severity, "high") == 0)
            return true;
    return false;
}
