/* reconcile.c - the lists a visit reconciles and what is current in each
 * (see reconcile.h). */
#include "reconcile.h"

#include <string.h>

#include "clinical/allergies.h"
#include "clinical/rx_check.h"

static const reconcile_list lists[] = {
    { "medications", "10160-0", "History of Medication use Narrative",
      "Medication list reconciled", "medications.reconcile",
      { "MedicationRequest", "MedicationStatement", NULL } },
    { "problems", "11450-4", "Problem list - Reported",
      "Problem list reconciled", "problems.reconcile",
      { "Condition", NULL } },
    { "allergies", "48765-2", "Allergies and adverse reactions Document",
      "Allergy list reconciled", "allergies.reconcile",
      { "AllergyIntolerance", NULL } },
};

const reconcile_list *reconcile_lists(size_t *n)
{
    *n = sizeof lists / sizeof lists[0];
    return lists;
}

const reconcile_list *reconcile_list_named(const char *name)
{
    for (size_t i = 0; name && i < sizeof lists / sizeof lists[0]; i++)
        if (strcmp(lists[i].name, name) == 0)
            return &lists[i];
    return NULL;
}

const reconcile_list *reconcile_list_by_code(const char *loinc)
{
    for (size_t i = 0; loinc && i < sizeof lists / sizeof lists[0]; i++)
        if (strcmp(lists[i].loinc, loinc) == 0)
            return &lists[i];
    return NULL;
}

/* Whether a CodeableConcept (or an array of them) has a coding with code. */
static bool has_code(const sw_json *v, const char *code)
{
    if (v == NULL)
        return false;
    if (v->kind == SW_JSON_ARRAY) {
        for (size_t i = 0; i < v->count; i++)
            if (has_code(v->items[i], code))
                return true;
        return false;
    }
    const sw_json *codings = sw_json_get(v, "coding");
    for (size_t i = 0; codings && codings->kind == SW_JSON_ARRAY && i < codings->count; i++) {
        const char *c = sw_json_get_string(codings->items[i], "code");
        if (c && strcmp(c, code) == 0)
            return true;
    }
    return false;
}

bool reconcile_is_current(const reconcile_list *l, const char *type,
                          const sw_json *r)
{
    bool mine = false;
    for (size_t i = 0; l->types[i]; i++)
        mine = mine || strcmp(l->types[i], type) == 0;
    if (!mine)
        return false;
    if (strcmp(type, "AllergyIntolerance") == 0)
        return allergy_is_active(r);
    if (strcmp(type, "Condition") == 0) {
        const sw_json *status = sw_json_get(r, "clinicalStatus");
        const sw_json *verification = sw_json_get(r, "verificationStatus");
        if (has_code(verification, "entered-in-error")
            || has_code(verification, "refuted"))
            return false;
        return has_code(sw_json_get(r, "category"), "problem-list-item")
               && (status == NULL || has_code(status, "active")
                   || has_code(status, "recurrence")
                   || has_code(status, "relapse"));
    }
    return rx_medication_is_active(r);
}
