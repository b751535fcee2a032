/* catalog.c - the default module catalog (see catalog.h), DESIGN.md §4.
 * The order is that of a typical staged plan: the front office, the note,
 * the lists, then prescribing, orders and results, then billing. */
#include "catalog.h"

#include <string.h>

static const catalog_module modules[] = {
    {
        .id = "registration", .title = "Registration",
        .description = "Registering patients and keeping their demographics, "
                       "insurance and contacts up to date.",
        .goes_with = {
            { "scheduling", "the front desk books appointments on paper for "
              "patients it registers in the EHR, and copies them across" },
        },
        .course = "course-registration",
        .core_features = { "registration.create", "registration.update",
                           "registration.search" },
    },
    {
        .id = "scheduling", .title = "Scheduling",
        .description = "Appointments, the day's schedule and checking "
                       "patients in.",
        .needs = { "registration" },
        .course = "course-scheduling",
        .core_features = { "scheduling.create", "scheduling.update",
                           "scheduling.read" },
    },
    {
        .id = "documentation", .title = "Visit documentation",
        .description = "Visits, notes with templates, diagnosis and visit-"
                       "level coding, signing and addenda.",
        .needs = { "registration" },
        .goes_with = {
            { "problems", "clinicians write diagnoses into notes in the EHR "
              "but keep the problem list on paper, so the two drift apart" },
            { "charge_capture", "signed notes do not produce charges: the "
              "billing staff key each visit's codes from the note by hand" },
        },
        .course = "course-documentation",
        .core_features = { "documentation.create", "documentation.update",
                           "documentation.sign", "documentation.addendum" },
    },
    {
        .id = "problems", .title = "Problem list",
        .description = "Each patient's problem list, with its history and "
                       "review at a visit.",
        .needs = { "documentation" },
        .course = "course-problems",
        .core_features = { "problems.create", "problems.update",
                           "problems.reconcile" },
    },
    {
        .id = "allergies", .title = "Allergy list",
        .description = "Allergies and intolerances, including \"no known "
                       "allergies\", with their history.",
        .needs = { "registration" },
        .goes_with = {
            { "eprescribing", "prescriptions are checked against allergies "
              "kept on paper, which nobody can check automatically" },
        },
        .course = "course-allergies",
        .core_features = { "allergies.create", "allergies.update",
                           "allergies.reconcile" },
    },
    {
        .id = "medications", .title = "Medication list",
        .description = "What each patient takes, reported or prescribed, "
                       "with its history and reconciliation at a visit.",
        .needs = { "registration" },
        .goes_with = {
            { "eprescribing", "new prescriptions are sent electronically "
              "while the medication list stays on paper, so interaction "
              "checks miss what the patient already takes" },
        },
        .course = "course-medications",
        .core_features = { "medications.create", "medications.update",
                           "medications.reconcile" },
    },
    {
        .id = "vitals", .title = "Vital signs",
        .description = "Vital signs and smoking status, with BMI and trends.",
        .needs = { "documentation" },
        .course = "course-vitals",
        .core_features = { "vitals.create" },
    },
    {
        .id = "eprescribing", .title = "E-prescribing",
        .description = "Prescriptions with allergy and interaction checks, "
                       "sent to the pharmacy.",
        .needs = { "medications", "allergies" },
        .goes_with = {
            { "documentation", "prescriptions are sent from the EHR while "
              "the visit note that explains them is written on paper" },
        },
        .course = "course-eprescribing",
        .core_features = { "eprescribing.send" },
    },
    {
        .id = "orders", .title = "Orders",
        .description = "Laboratory and imaging orders.",
        .needs = { "documentation" },
        .goes_with = {
            { "results", "orders leave electronically but their results come "
              "back on paper, so nobody's inbox shows what is still missing" },
        },
        .course = "course-orders",
        .core_features = { "orders.create" },
    },
    {
        .id = "results", .title = "Results review",
        .description = "Results arriving in the ordering clinician's inbox, "
                       "abnormal values flagged, and their sign-off.",
        .goes_with = {
            { "orders", "results arrive electronically for orders written on "
              "paper, so they cannot find the clinician who ordered them" },
        },
        .course = "course-results",
        .core_features = { "results.read", "results.sign_off" },
    },
    {
        .id = "immunizations", .title = "Immunizations",
        .description = "Vaccines given or declined.",
        .needs = { "registration" },
        .course = "course-immunizations",
        .core_features = { "immunizations.create" },
    },
    {
        .id = "charge_capture", .title = "Charge capture",
        .description = "Charges from signed visits, sent to the practice-"
                       "management system for billing.",
        .needs = { "documentation" },
        .needs_gate = "a passed interface test suite",
        .goes_with = {
            { "documentation", "charges are keyed in by hand from notes "
              "signed on paper" },
        },
        .course = "course-charge-capture",
        .core_features = { "charge_capture.create" },
    },
};

const catalog_module *catalog_modules(size_t *n)
{
    *n = sizeof modules / sizeof modules[0];
    return modules;
}

const catalog_module *catalog_find(const char *id)
{
    for (size_t i = 0; id && i < sizeof modules / sizeof modules[0]; i++)
        if (strcmp(modules[i].id, id) == 0)
            return &modules[i];
    return NULL;
}

bool catalog_is_module(const char *id)
{
    return catalog_find(id) != NULL;
}
