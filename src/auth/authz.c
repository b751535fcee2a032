/* authz.c - the permission table and the map of FHIR types to areas (see
 * authz.h). Both are data, meant to be read at a glance and reviewed by a
 * practice; the functions below only look things up. Called once or a few
 * times per request, so plain linear scans over a hundred rows do. */
#include "authz.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auth/roles.h"

/* ---- Names ---------------------------------------------------------------- */

static const char *const action_names[AUTHZ_ACTION__COUNT] = {
    [AUTHZ_READ] = "read",
    [AUTHZ_WRITE] = "write",
    [AUTHZ_SIGN] = "sign",
    [AUTHZ_PRESCRIBE] = "prescribe",
    [AUTHZ_ORDER] = "order",
    [AUTHZ_ADMIN] = "admin",
};

static const struct area_row {
    const char *name;
    const char *title;
} areas[AUTHZ_AREA__COUNT] = {
    [AUTHZ_DEMOGRAPHICS] = { "demographics", "demographics" },
    [AUTHZ_SCHEDULING]   = { "scheduling",   "the schedule" },
    [AUTHZ_VISITS]       = { "visits",       "visits" },
    [AUTHZ_DIRECTORY]    = { "directory",    "the directory" },
    [AUTHZ_CLINICAL]     = { "clinical",     "clinical data" },
    [AUTHZ_NOTES]        = { "notes",        "clinical notes" },
    [AUTHZ_MEDICATIONS]  = { "medications",  "medications" },
    [AUTHZ_ORDERS]       = { "orders",       "orders" },
    [AUTHZ_RESULTS]      = { "results",      "results" },
    [AUTHZ_BILLING]      = { "billing",      "billing" },
    [AUTHZ_AUDIT]        = { "audit",        "the audit trail" },
    [AUTHZ_USERS]        = { "users",        "user accounts" },
    [AUTHZ_PRACTICE]     = { "practice",     "practice settings" },
    [AUTHZ_PLAN]         = { "plan",         "the implementation plan" },
    [AUTHZ_TRAINING]     = { "training",     "training" },
};

/* ---- The permission table ------------------------------------------------- */

#define R (1u << AUTHZ_READ)
#define W (1u << AUTHZ_WRITE)
#define S (1u << AUTHZ_SIGN)
#define P (1u << AUTHZ_PRESCRIBE)
#define O (1u << AUTHZ_ORDER)
#define A (1u << AUTHZ_ADMIN)
#define RW (R | W)

/* One row per role, one column per area: the actions the role may take
 * there. A practice reads it as: physicians and advanced practice
 * clinicians do everything clinical, sign notes, prescribe and order;
 * nurses and medical assistants chart but neither sign, prescribe nor
 * order; front desk and billers never see clinical data or notes; the
 * practice administrator runs accounts, settings and the audit trail and
 * sees no chart; the implementation lead runs the plan and training.
 * Everyone signed in reads the directory (who works here, where). */
static const unsigned char table[AUTH_ROLE__COUNT][AUTHZ_AREA__COUNT] = {
    /*                            demog sched visit  dir  clin  notes     meds      orders    results bill  audit users     practice  plan      training */
    [AUTH_ROLE_PHYSICIAN]         = { RW,   RW,   RW,    R,   RW,   RW | S,   RW | P,   RW | O,   RW,     R,    0,    0,        0,        0,        0 },
    [AUTH_ROLE_ADVANCED_PRACTICE] = { RW,   RW,   RW,    R,   RW,   RW | S,   RW | P,   RW | O,   RW,     R,    0,    0,        0,        0,        0 },
    [AUTH_ROLE_NURSE]             = { RW,   RW,   RW,    R,   RW,   RW,       R,        R,        R,      0,    0,    0,        0,        0,        0 },
    [AUTH_ROLE_MEDICAL_ASSISTANT] = { RW,   RW,   RW,    R,   RW,   R,        R,        R,        R,      0,    0,    0,        0,        0,        0 },
    [AUTH_ROLE_FRONT_DESK]        = { RW,   RW,   RW,    R,   0,    0,        0,        0,        0,      0,    0,    0,        0,        0,        0 },
    [AUTH_ROLE_BILLER]            = { RW,   0,    R,     R,   0,    0,        0,        0,        0,      RW,   0,    0,        0,        0,        0 },
    [AUTH_ROLE_PRACTICE_ADMIN]    = { R,    0,    0,     RW,  0,    0,        0,        0,        0,      0,    R | A, RW | A,  RW | A,   0,        0 },
    [AUTH_ROLE_IMPLEMENTATION_LEAD] = { 0,  0,    0,     R,   0,    0,        0,        0,        0,      0,    R,    R,        0,        RW | A,   RW | A },
};

#undef R
#undef W
#undef S
#undef P
#undef O
#undef A
#undef RW

/* ---- FHIR types to areas -------------------------------------------------- */

/* Types outside the clinical area, and clinical types worth naming; any
 * other type is clinical. Conformance and terminology resources and
 * published definitions (questionnaires, plan definitions) are reference
 * data of the practice, so they sit with the directory. */
static const struct type_row {
    const char  *type;
    authz_area   area;
    authz_action write;   /* what a create, update or delete is */
} types[] = {
    { "Patient",                    AUTHZ_DEMOGRAPHICS, AUTHZ_WRITE },
    { "RelatedPerson",              AUTHZ_DEMOGRAPHICS, AUTHZ_WRITE },
    { "Person",                     AUTHZ_DEMOGRAPHICS, AUTHZ_WRITE },
    { "Coverage",                   AUTHZ_DEMOGRAPHICS, AUTHZ_WRITE },

    { "Appointment",                AUTHZ_SCHEDULING, AUTHZ_WRITE },
    { "AppointmentResponse",        AUTHZ_SCHEDULING, AUTHZ_WRITE },
    { "Schedule",                   AUTHZ_SCHEDULING, AUTHZ_WRITE },
    { "Slot",                       AUTHZ_SCHEDULING, AUTHZ_WRITE },

    { "Encounter",                  AUTHZ_VISITS, AUTHZ_WRITE },
    { "EpisodeOfCare",              AUTHZ_VISITS, AUTHZ_WRITE },

    { "Practitioner",               AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "PractitionerRole",           AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Organization",               AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "OrganizationAffiliation",    AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Location",                   AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "HealthcareService",          AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Endpoint",                   AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "InsurancePlan",              AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "VerificationResult",         AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "CapabilityStatement",        AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "StructureDefinition",        AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "StructureMap",               AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "ImplementationGuide",        AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "SearchParameter",            AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "OperationDefinition",        AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "CompartmentDefinition",      AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "GraphDefinition",            AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "MessageDefinition",          AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "ExampleScenario",            AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "TerminologyCapabilities",    AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "CodeSystem",                 AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "ValueSet",                   AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "ConceptMap",                 AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "NamingSystem",               AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Questionnaire",              AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "PlanDefinition",             AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "ActivityDefinition",         AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Library",                    AUTHZ_DIRECTORY, AUTHZ_WRITE },
    { "Measure",                    AUTHZ_DIRECTORY, AUTHZ_WRITE },

    { "Condition",                  AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "AllergyIntolerance",         AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "Observation",                AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "Procedure",                  AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "Immunization",               AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "FamilyMemberHistory",        AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "CarePlan",                   AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "Goal",                       AUTHZ_CLINICAL, AUTHZ_WRITE },
    { "CareTeam",                   AUTHZ_CLINICAL, AUTHZ_WRITE },

    { "Composition",                AUTHZ_NOTES, AUTHZ_WRITE },
    { "DocumentReference",          AUTHZ_NOTES, AUTHZ_WRITE },
    { "DocumentManifest",           AUTHZ_NOTES, AUTHZ_WRITE },
    { "ClinicalImpression",         AUTHZ_NOTES, AUTHZ_WRITE },
    { "Binary",                     AUTHZ_NOTES, AUTHZ_WRITE },

    { "MedicationRequest",          AUTHZ_MEDICATIONS, AUTHZ_PRESCRIBE },
    { "VisionPrescription",         AUTHZ_MEDICATIONS, AUTHZ_PRESCRIBE },
    { "MedicationStatement",        AUTHZ_MEDICATIONS, AUTHZ_WRITE },
    { "MedicationAdministration",   AUTHZ_MEDICATIONS, AUTHZ_WRITE },
    { "MedicationDispense",         AUTHZ_MEDICATIONS, AUTHZ_WRITE },
    { "Medication",                 AUTHZ_MEDICATIONS, AUTHZ_WRITE },
    { "MedicationKnowledge",        AUTHZ_MEDICATIONS, AUTHZ_WRITE },

    { "ServiceRequest",             AUTHZ_ORDERS, AUTHZ_ORDER },
    { "DeviceRequest",              AUTHZ_ORDERS, AUTHZ_ORDER },
    { "NutritionOrder",             AUTHZ_ORDERS, AUTHZ_ORDER },
    { "RequestGroup",               AUTHZ_ORDERS, AUTHZ_ORDER },

    { "DiagnosticReport",           AUTHZ_RESULTS, AUTHZ_WRITE },
    { "Specimen",                   AUTHZ_RESULTS, AUTHZ_WRITE },
    { "ImagingStudy",               AUTHZ_RESULTS, AUTHZ_WRITE },
    { "Media",                      AUTHZ_RESULTS, AUTHZ_WRITE },
    { "MolecularSequence",          AUTHZ_RESULTS, AUTHZ_WRITE },

    { "ChargeItem",                 AUTHZ_BILLING, AUTHZ_WRITE },
    { "ChargeItemDefinition",       AUTHZ_BILLING, AUTHZ_WRITE },
    { "Claim",                      AUTHZ_BILLING, AUTHZ_WRITE },
    { "ClaimResponse",              AUTHZ_BILLING, AUTHZ_WRITE },
    { "Account",                    AUTHZ_BILLING, AUTHZ_WRITE },
    { "Invoice",                    AUTHZ_BILLING, AUTHZ_WRITE },
    { "ExplanationOfBenefit",       AUTHZ_BILLING, AUTHZ_WRITE },
    { "CoverageEligibilityRequest", AUTHZ_BILLING, AUTHZ_WRITE },
    { "CoverageEligibilityResponse", AUTHZ_BILLING, AUTHZ_WRITE },
    { "PaymentNotice",              AUTHZ_BILLING, AUTHZ_WRITE },
    { "PaymentReconciliation",      AUTHZ_BILLING, AUTHZ_WRITE },
    { "EnrollmentRequest",          AUTHZ_BILLING, AUTHZ_WRITE },
    { "EnrollmentResponse",         AUTHZ_BILLING, AUTHZ_WRITE },
    { "Contract",                   AUTHZ_BILLING, AUTHZ_WRITE },

    { "AuditEvent",                 AUTHZ_AUDIT, AUTHZ_WRITE },
};

static const struct type_row *type_row(const char *type)
{
    if (type == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, type) == 0)
            return &types[i];
    return NULL;
}

authz_area authz_area_of_type(const char *type)
{
    const struct type_row *r = type_row(type);
    return r ? r->area : AUTHZ_CLINICAL;
}

authz_action authz_write_action_of_type(const char *type)
{
    const struct type_row *r = type_row(type);
    return r ? r->write : AUTHZ_WRITE;
}

const char *authz_listed_type(size_t i)
{
    return i < sizeof types / sizeof types[0] ? types[i].type : NULL;
}

/* ---- Lookups -------------------------------------------------------------- */

const char *authz_action_name(authz_action a)
{
    return (unsigned)a < AUTHZ_ACTION__COUNT ? action_names[a] : "";
}

const char *authz_area_name(authz_area a)
{
    return (unsigned)a < AUTHZ_AREA__COUNT ? areas[a].name : "";
}

const char *authz_area_title(authz_area a)
{
    return (unsigned)a < AUTHZ_AREA__COUNT ? areas[a].title : "";
}

bool authz_action_find(const char *name, size_t len, authz_action *out)
{
    for (int i = 0; i < AUTHZ_ACTION__COUNT; i++)
        if (strlen(action_names[i]) == len && memcmp(action_names[i], name, len) == 0) {
            *out = (authz_action)i;
            return true;
        }
    return false;
}

bool authz_area_find(const char *name, size_t len, authz_area *out)
{
    for (int i = 0; i < AUTHZ_AREA__COUNT; i++)
        if (strlen(areas[i].name) == len && memcmp(areas[i].name, name, len) == 0) {
            *out = (authz_area)i;
            return true;
        }
    return false;
}

bool authz_parse_access(const char *tag, authz_area *area,
                        authz_action *action)
{
    const char *colon = tag ? strchr(tag, ':') : NULL;
    return colon != NULL
        && authz_area_find(tag, (size_t)(colon - tag), area)
        && authz_action_find(colon + 1, strlen(colon + 1), action);
}

bool authz_role_allows(const char *role, authz_area area, authz_action action)
{
    const auth_role *r = auth_role_find(role);
    if (r == NULL || (unsigned)area >= AUTHZ_AREA__COUNT
        || (unsigned)action >= AUTHZ_ACTION__COUNT)
        return false;
    return (table[r->id][area] >> action) & 1u;
}

/* Whether the scope lists exactly "area:action". */
static bool scope_lists(const char *scope, authz_area area, authz_action action)
{
    for (const char *p = scope; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        authz_area ar;
        authz_action ac;
        if (colon != NULL
            && authz_area_find(p, (size_t)(colon - p), &ar)
            && authz_action_find(colon + 1, len - (size_t)(colon - p) - 1, &ac)
            && ar == area && ac == action)
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

bool authz_allows(const char *roles, const char *scope, authz_area area,
                  authz_action action)
{
    if (roles == NULL)
        return false;
    bool role_ok = false;
    for (const char *p = roles; *p && !role_ok;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const auth_role *r = auth_role_findn(p, len);
        if (r != NULL && (unsigned)area < AUTHZ_AREA__COUNT
            && (unsigned)action < AUTHZ_ACTION__COUNT)
            role_ok = (table[r->id][area] >> action) & 1u;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!role_ok)
        return false;
    return scope == NULL || scope[0] == '\0' || scope_lists(scope, area, action);
}

bool authz_may_read_type(const char *roles, const char *scope,
                         const char *type)
{
    return authz_allows(roles, scope, authz_area_of_type(type), AUTHZ_READ);
}

void authz_role_words(const char *roles, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = '\0';
    size_t n = 0;
    for (const char *p = roles ? roles : ""; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const auth_role *r = auth_role_findn(p, len);
        if (r != NULL) {
            if (n > 0 && n + 2 < cap) {
                out[n++] = ',';
                out[n++] = ' ';
            }
            for (const char *t = r->title; *t && n + 1 < cap; t++)
                out[n++] = (char)tolower((unsigned char)*t);
            out[n] = '\0';
        }
        if (!comma)
            break;
        p = comma + 1;
    }
}

void authz_refusal(const char *roles, authz_area area, authz_action action,
                   char *out, size_t cap)
{
    char who[160];
    authz_role_words(roles, who, sizeof who);
    const char *plural = strchr(who, ',') ? "s" : "";
    const char *name = who[0] ? who : "none";
    switch (action) {
    case AUTHZ_PRESCRIBE:
        snprintf(out, cap, "your role%s (%s) may not prescribe", plural, name);
        break;
    case AUTHZ_ORDER:
        snprintf(out, cap, "your role%s (%s) may not place orders", plural, name);
        break;
    case AUTHZ_ADMIN:
        snprintf(out, cap, "your role%s (%s) may not administer %s", plural,
                 name, authz_area_title(area));
        break;
    default:
        snprintf(out, cap, "your role%s (%s) may not %s %s", plural, name,
                 authz_action_name(action), authz_area_title(area));
        break;
    }
}
