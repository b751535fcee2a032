/* catalog.h - the module catalog (DESIGN.md §4): the functions of the EHR
 * a practice turns on for a cohort, as one table of data in the code.
 *
 * A module governs the writes of some FHIR resource types (which types is
 * the audit trail's table, src/audit/feature.c, so that the feature ids
 * the audit trail records and the modules the plan stages are one and the
 * same), the /api workflow steps that belong to it (route_modules.c), and
 * its feature ids. It may need other modules live first (hard
 * prerequisites) and goes with others: putting those in different stages
 * leaves a half-paper workflow for a while, which the plan linter names.
 * Its training course and core features are what the training and
 * adoption areas measure. */
#ifndef SW_ROLLOUT_CATALOG_H
#define SW_ROLLOUT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define CATALOG_MAX_LINKS    4
#define CATALOG_MAX_FEATURES 8

/* A coupled module and what splitting them means for the people who work
 * with both. */
typedef struct catalog_coupling {
    const char *module;
    const char *half_paper;   /* a sentence a practice manager understands */
} catalog_coupling;

typedef struct catalog_module {
    const char *id;            /* "eprescribing" */
    const char *title;         /* "E-prescribing" */
    const char *description;
    /* Hard prerequisites: modules that must be live first (or in the same
     * stage) for the cohort. */
    const char *needs[CATALOG_MAX_LINKS];
    /* A prerequisite that is not a module: "a passed interface test
     * suite" for charge_capture; NULL when none. */
    const char *needs_gate;
    catalog_coupling goes_with[CATALOG_MAX_LINKS];
    const char *course;        /* its training course id */
    /* The features the adoption benchmarks count ("eprescribing.send"). */
    const char *core_features[CATALOG_MAX_FEATURES];
} catalog_module;

/* Every module, in the catalog's order (the order of a typical staged
 * plan); *n gets how many. */
const catalog_module *catalog_modules(size_t *n);
/* The module with this id, or NULL. */
const catalog_module *catalog_find(const char *id);
/* Whether id names a module. */
bool catalog_is_module(const char *id);

#endif
