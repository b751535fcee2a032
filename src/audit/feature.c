/* feature.c - which feature a FHIR interaction belongs to, for the audit
 * trail and the adoption benchmarks that read it.
 *
 * A feature id is "module.action": the module of DESIGN.md §4 that governs
 * the resource type ("allergies", "eprescribing", …), then the interaction
 * ("create", "read", …). Workflow features with their own names
 * (eprescribing.send, documentation.sign) are recorded by the workflows
 * that perform them. Types no module governs belong to "record".
 *
 * This table stays the one place that says which module governs a type:
 * the module catalog (src/rollout/catalog.c) describes the modules, and
 * the rollout area reads this table (through audit_module_of and
 * audit_module_types) to map FHIR routes to modules, because audit sits
 * below rollout and must not depend on it (DESIGN.md §3). */
#include "audit.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *type;
    const char *module;
} governed[] = {
    { "Patient",            "registration" },
    { "RelatedPerson",      "registration" },
    { "Coverage",           "registration" },
    { "Appointment",        "scheduling" },
    { "Schedule",           "scheduling" },
    { "Slot",               "scheduling" },
    { "Encounter",          "documentation" },
    { "Composition",        "documentation" },
    { "DocumentReference",  "documentation" },
    { "Condition",          "problems" },
    { "AllergyIntolerance", "allergies" },
    { "MedicationStatement","medications" },
    { "Observation",        "vitals" },
    { "MedicationRequest",  "eprescribing" },
    { "ServiceRequest",     "orders" },
    { "DiagnosticReport",   "results" },
    { "Immunization",       "immunizations" },
    { "ChargeItem",         "charge_capture" },
};

/* Types whose module depends on the resource's category: an Observation
 * is a vital sign or smoking status (vitals) unless it is a laboratory or
 * imaging result, which belongs with the results it came in. */
static const struct {
    const char *type;
    const char *category;
    const char *module;
} by_category[] = {
    { "Observation", "laboratory", "results" },
    { "Observation", "imaging",    "results" },
};

const char *audit_module_of(const char *res_type, const char *category)
{
    for (size_t i = 0; res_type && category
                       && i < sizeof by_category / sizeof by_category[0]; i++)
        if (strcmp(by_category[i].type, res_type) == 0
            && strcmp(by_category[i].category, category) == 0)
            return by_category[i].module;
    for (size_t i = 0; res_type && i < sizeof governed / sizeof governed[0]; i++)
        if (strcmp(governed[i].type, res_type) == 0)
            return governed[i].module;
    return NULL;
}

const char *audit_feature_of(const char *res_type, const char *category,
                             const char *action)
{
    static __thread char id[64];
    const char *module = audit_module_of(res_type, category);
    snprintf(id, sizeof id, "%s.%s", module ? module : "record",
             action ? action : "");
    return id;
}

const char *audit_feature(const char *res_type, const char *action)
{
    return audit_feature_of(res_type, NULL, action);
}

/* Adds s to out[0..*n) unless it is there already. */
static void add_once(const char **out, size_t cap, size_t *n, const char *s)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp(out[k], s) == 0)
            return;
    if (*n < cap)
        out[(*n)++] = s;
}

size_t audit_modules(const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof governed / sizeof governed[0]; i++)
        add_once(out, cap, &n, governed[i].module);
    for (size_t i = 0; i < sizeof by_category / sizeof by_category[0]; i++)
        add_once(out, cap, &n, by_category[i].module);
    return n;
}

size_t audit_module_types(const char *module, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; module && i < sizeof governed / sizeof governed[0]; i++)
        if (strcmp(governed[i].module, module) == 0)
            add_once(out, cap, &n, governed[i].type);
    for (size_t i = 0; module && i < sizeof by_category / sizeof by_category[0]; i++)
        if (strcmp(by_category[i].module, module) == 0)
            add_once(out, cap, &n, by_category[i].type);
    return n;
}
