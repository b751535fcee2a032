/* seed_build.h - building FHIR for data a program writes itself rather
 * than a person through a screen: the demo practice (src/demo/) and the
 * training generator (src/training/). A transaction Bundle of PUTs under
 * fixed ids (so writing twice changes nothing), and the chart's problem
 * list entries and medication orders shaped as the clinical workflows
 * store them, so every screen reads them alike. Built with jansson; each
 * function returns a new reference (NULL only when out of memory). */
#ifndef SW_CLINICAL_SEED_BUILD_H
#define SW_CLINICAL_SEED_BUILD_H

#include <jansson.h>

/* An empty transaction Bundle. */
json_t *seed_transaction(void);
/* Appends resource (taken) as a PUT to its Type/id. */
void seed_put(json_t *bundle, json_t *resource);
/* {"reference": "Patient/id"} */
json_t *seed_patient_ref(const char *id);
/* An active, confirmed problem-list Condition coded in ICD-10-CM. */
json_t *seed_problem(const char *id, const char *patient, const char *icd10,
                     const char *display, const char *onset);
/* An active MedicationRequest coded in RxNorm with its sig; requester
 * (taken) may be NULL. */
json_t *seed_medication(const char *id, const char *patient, const char *rxnorm,
                        const char *name, const char *sig, const char *since,
                        json_t *requester);

#endif
