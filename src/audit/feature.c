/* feature.c - which feature a FHIR interaction belongs to, for the audit
 * trail and the adoption benchmarks that read it.
 *
 * A feature id is "module.action": the module of DESIGN.md §4 that governs
 * the resource type ("allergies", "eprescribing", …), then the interaction
 * ("create", "read", …). Workflow features with their own names
 * (eprescribing.send, documentation.sign) are recorded by the workflows
 * that perform them. Types no module governs belong to "record". The
 * rollout issue's module catalog will own this table. */
#include "audit.h"

#include <stdbool.h>
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

const char *audit_feature_of(const char *res_type, const char *category,
                             const char *action)
{
    static __thread char id[64];
    for (size_t i = 0; res_type && category
                       && i < sizeof by_category / sizeof by_category[0]; i++)
        if (strcmp(by_category[i].type, res_type) == 0
            && strcmp(by_category[i].category, category) == 0) {
            snprintf(id, sizeof id, "%s.%s", by_category[i].module,
                     action ? action : "");
            return id;
        }
    return audit_feature(res_type, action);
}

const char *audit_feature(const char *res_type, const char *action)
{
    static __thread char id[64];
    const char *module = "record";
    for (size_t i = 0; res_type && i < sizeof governed / sizeof governed[0]; i++)
        if (strcmp(governed[i].type, res_type) == 0)
            module = governed[i].module;
    snprintf(id, sizeof id, "%s.%s", module, action ? action : "");
    return id;
}

size_t audit_modules(const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof governed / sizeof governed[0]; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(out[k], governed[i].module) == 0;
        if (!seen && n < cap)
            out[n++] = governed[i].module;
    }
    return n;
}
