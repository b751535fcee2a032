/* features.c - the core features of each module by role (see features.h).
 * A feature is core for a role when the role's daily work in that module
 * needs it; each id is one the audit trail records (docs/audit.md): a
 * module's create/update of the records it governs, or a named workflow
 * step (documentation.sign, eprescribing.send, results.sign_off, the
 * list reconciliations, charge corrections). */
#include "adoption/features.h"

#include <string.h>

#include "auth/roles.h"

#define CLIN   "physician,advanced_practice"
#define NURSES "nurse,medical_assistant"
#define CARE   CLIN "," NURSES

static const adoption_feature table[] = {
    { "registration",   "registration.create",     "front_desk",           "registering a new patient" },
    { "registration",   "registration.update",     "front_desk",           "updating a patient's demographics and coverage" },
    { "registration",   "registration.search",     "front_desk," NURSES,   "finding a patient" },
    { "scheduling",     "scheduling.create",       "front_desk",           "booking an appointment" },
    { "scheduling",     "scheduling.update",       "front_desk," NURSES,   "checking a patient in or changing an appointment" },
    { "scheduling",     "scheduling.read",         CARE ",front_desk",     "opening the day's schedule" },
    { "documentation",  "documentation.create",    CLIN,                   "starting a visit note" },
    { "documentation",  "documentation.update",    CLIN,                   "writing and coding the visit note" },
    { "documentation",  "documentation.sign",      CLIN,                   "signing the visit note" },
    { "documentation",  "documentation.addendum",  CLIN,                   "adding an addendum to a signed note" },
    { "problems",       "problems.create",         CLIN,                   "adding a problem to the problem list" },
    { "problems",       "problems.update",         CLIN,                   "updating or resolving a problem" },
    { "problems",       "problems.reconcile",      CLIN,                   "reconciling the problem list" },
    { "allergies",      "allergies.create",        CARE,                   "recording an allergy" },
    { "allergies",      "allergies.update",        CARE,                   "updating or inactivating an allergy" },
    { "allergies",      "allergies.reconcile",     CARE,                   "reconciling the allergy list" },
    { "medications",    "medications.create",      CARE,                   "adding a medication to the list" },
    { "medications",    "medications.update",      CARE,                   "stopping or changing a listed medication" },
    { "medications",    "medications.reconcile",   CARE,                   "reconciling the medication list" },
    { "vitals",         "vitals.create",           NURSES,                 "recording vital signs" },
    { "eprescribing",   "eprescribing.send",       CLIN,                   "sending a prescription to the pharmacy" },
    { "orders",         "orders.create",           CLIN,                   "ordering a lab test or imaging" },
    { "results",        "results.read",            CLIN "," NURSES,        "reviewing a result" },
    { "results",        "results.sign_off",        CLIN,                   "signing off a result" },
    { "immunizations",  "immunizations.create",    CARE,                   "recording an immunization" },
    { "charge_capture", "charge_capture.create",   CLIN ",biller",         "capturing charges for a visit" },
    { "charge_capture", "charge_capture.correct",  "biller",               "correcting a charge" },
    { "charge_capture", "charge_capture.void",     "biller",               "voiding a charge" },
    { "charge_capture", "charge_capture.resend",   "biller",               "resending a charge the PMS refused" },
};
#define NTABLE (sizeof table / sizeof table[0])

const adoption_feature *adoption_features(size_t *n)
{
    *n = NTABLE;
    return table;
}

static bool share_role(const char *a, const char *b)
{
    for (const char *p = a; p && *p; ) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char role[64];
        if (len < sizeof role) {
            memcpy(role, p, len);
            role[len] = '\0';
            if (auth_roles_has(b, role))
                return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

size_t adoption_core_features(const char *module, const char *roles,
                              const adoption_feature **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < NTABLE && n < cap; i++)
        if (strcmp(table[i].module, module) == 0
            && share_role(table[i].roles, roles ? roles : ""))
            out[n++] = &table[i];
    return n;
}

const adoption_feature *adoption_feature_find(const char *feature)
{
    for (size_t i = 0; feature && i < NTABLE; i++)
        if (strcmp(table[i].feature, feature) == 0)
            return &table[i];
    return NULL;
}

bool adoption_is_clinician(const char *roles)
{
    return auth_roles_has(roles, "physician")
        || auth_roles_has(roles, "advanced_practice");
}
