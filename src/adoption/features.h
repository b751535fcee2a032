/* features.h - the core features of each module, by role: what breadth
 * counts and what a neglected feature is (docs/adoption-metrics.md
 * "Breadth" and "Neglected features").
 *
 * A feature is an audit feature id ("problems.reconcile"): the audit trail
 * records each use, and the roll-ups count them per user and day. The
 * table is data in the code, like the module catalog; each row says who
 * the feature is core for, in plain words for the finding that names it. */
#ifndef SW_ADOPTION_FEATURES_H
#define SW_ADOPTION_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct adoption_feature {
    const char *module;     /* catalog id */
    const char *feature;    /* audit feature id */
    const char *roles;      /* comma-separated role ids it is core for */
    const char *label;      /* "reconciling the problem list" */
} adoption_feature;

/* The whole table (in module order), and its size. */
const adoption_feature *adoption_features(size_t *n);
/* The core features of module for a user with roles (comma-separated):
 * those whose roles share one with the user's, each once, into out (at
 * most cap); returns how many. */
size_t adoption_core_features(const char *module, const char *roles,
                              const adoption_feature **out, size_t cap);
/* The row of a feature id, or NULL. */
const adoption_feature *adoption_feature_find(const char *feature);
/* Whether roles hold a clinician role that sees patients (physician,
 * advanced_practice): the ratios and time metrics are theirs. */
bool adoption_is_clinician(const char *roles);

#endif
