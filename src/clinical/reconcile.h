/* reconcile.h - reconciliation at a visit: the clinician reviews one of
 * the patient's lists (medications, problems, allergies) and the server
 * records that review as a FHIR List (status current, mode snapshot) of
 * the entries as they stood, with the encounter, the date and the
 * clinician as source.
 *
 * Each list has a LOINC code (verified against the FHIR R4 value sets
 * doc-section-codes and c80-doc-typecodes, and the DICOM mapping of
 * 11450-4): medications 10160-0 "History of Medication use Narrative",
 * problems 11450-4 "Problem list - Reported", allergies 48765-2
 * "Allergies and adverse reactions Document". The audit feature is
 * "<module>.reconcile" with the module that governs the list. Pure. */
#ifndef SW_CLINICAL_RECONCILE_H
#define SW_CLINICAL_RECONCILE_H

#include <stdbool.h>

#include "core/json.h"

#define RECONCILE_LOINC "http://loinc.org"

typedef struct reconcile_list {
    const char *name;             /* "medications": the /api name */
    const char *loinc;
    const char *loinc_display;
    const char *title;            /* List.title */
    const char *feature;          /* audit feature id */
    const char *types[3];         /* the resource types it holds */
} reconcile_list;

/* The list named name, or NULL. */
const reconcile_list *reconcile_list_named(const char *name);
/* The list whose LOINC code is loinc, or NULL. */
const reconcile_list *reconcile_list_by_code(const char *loinc);
/* All of them (3). */
const reconcile_list *reconcile_lists(size_t *n);

/* Whether a stored resource of `type` is a current entry of the list:
 * an active MedicationRequest or MedicationStatement; an active problem-
 * list-item Condition; an active, not refuted AllergyIntolerance (a "no
 * known allergies" entry counts: it is what was reviewed). */
bool reconcile_is_current(const reconcile_list *l, const char *type,
                          const sw_json *resource);

#endif
