/* api_meds.h - what the medication workflows' /api files share
 * (api_prescribe.c, api_medications.c, api_reconcile.c): reading a
 * patient's chart for a decision with the restricted-patient check, a
 * patient's name for the pharmacy, and the reconciliation handlers, which are
 * served from the medication route table. Implemented in api_meds.c
 * (the reconciliation handlers in api_reconcile.c). Internal to src/server. */
#ifndef SW_SERVER_API_MEDS_H
#define SW_SERVER_API_MEDS_H

#include "app.h"
#include "patient_records.h"

#include "clinical/meds.h"

/* What a workflow reads before deciding. */
typedef struct meds_chart {
    const char  *patient;        /* id */
    sw_json     *patient_res;    /* the Patient */
    const char  *encounter;      /* id, or NULL */
    sw_json     *encounter_res;
    patient_record *records;     /* of the types asked for, parsed */
    size_t       n;
} meds_chart;

/* Reads Patient/patient (404 when there is none), checks that the
 * signed-in user may open the record (403 when restricted and no grant),
 * reads Encounter/encounter when given (400 naming "encounter" when it is
 * missing or about another patient; 404 when encounter_is_route) and the
 * patient's records of types (NULL-terminated, may be NULL). SW_OK, or the
 * error already written to res. */
int meds_chart_load(sw_request *req, sw_response *res, const char *patient,
                    const char *encounter, bool encounter_is_route,
                    const char *const *types, meds_chart *out);

/* The patient an Encounter is about ("" when none), from its subject. */
const char *meds_encounter_patient(const sw_json *encounter);

/* A patient's display name ("Ana María Pérez") from the Patient; NULL if
 * none, in the arena. */
const char *meds_patient_name(sw_arena *a, const sw_json *patient);



/* api_reconcile.c */
int api_reconcile_post(sw_request *req, sw_response *res);
int api_reconciliation_get(sw_request *req, sw_response *res);

#endif
