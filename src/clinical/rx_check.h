/* rx_check.h - the safety checks run before a prescription is sent: the
 * drug against the patient's allergies and current medications.
 *
 * Pure: given a drug (drugs.h), a knowledge base and the patient's stored
 * records (AllergyIntolerance, MedicationRequest, MedicationStatement as
 * parsed FHIR), it returns the alerts; no I/O. The server runs it again
 * when the prescription is sent, whatever a client was shown, so the
 * alerts recorded are those of the moment of sending.
 *
 *   - allergy: an active allergy whose substance is one of the drug's
 *     ingredients (RxNorm ingredient or product code, or the ingredient's
 *     name in the text) is "high"; one to another member of the same
 *     allergy class (a penicillin G allergy and amoxicillin, or the text
 *     "penicillin") takes the class's severity; cross-reacting classes
 *     (penicillins and cephalosporins) are "moderate".
 *   - interaction: an active medication with an ingredient or class the
 *     interaction table pairs with one of the drug's, at the table's
 *     severity.
 *   - duplicate: an active medication with the same ingredient, "moderate".
 * Inactive, resolved, refuted or entered-in-error allergies, "no known
 * allergy" entries, and stopped, completed or cancelled medications are
 * ignored. Alerts come out high first. */
#ifndef SW_CLINICAL_RX_CHECK_H
#define SW_CLINICAL_RX_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "clinical/drugs.h"
#include "core/json.h"

#define RX_ALERTS_MAX  32
#define RX_MESSAGE_MAX 320
#define RX_NAME_MAX    200

/* DetectedIssue.code (v3 ActCode, the R4 detectedissue-category set). */
#define RX_CODE_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ActCode"

typedef struct rx_record {
    const char    *type;       /* "AllergyIntolerance", "MedicationRequest", … */
    const char    *id;
    const sw_json *resource;
} rx_record;

typedef struct rx_alert {
    const char *kind;          /* "allergy", "interaction", "duplicate" */
    const char *severity;      /* "high", "moderate", "low" */
    const char *code;          /* ALGY, DRG, DUPTHPY */
    const char *code_display;
    char        message[RX_MESSAGE_MAX];
    const char *with_type;     /* the record it is about */
    const char *with_id;
    char        with_name[RX_NAME_MAX];
} rx_alert;

/* Checks drug against records; fills at most max alerts and returns how
 * many. */
size_t rx_check(const drug_kb *kb, const drug_product *drug,
                const rx_record *records, size_t n, rx_alert *out, size_t max);

/* Whether any of the alerts is "high". */
bool rx_any_high(const rx_alert *alerts, size_t n);

/* Whether a stored MedicationRequest or MedicationStatement is current
 * (status active, or on-hold / intended for a statement). */
bool rx_medication_is_active(const sw_json *r);
/* The name a person reads for a medication resource
 * (medicationCodeableConcept text, else the first coding's display). */
const char *rx_medication_name(const sw_json *r);
/* Its RxNorm code, or NULL. */
const char *rx_medication_rxnorm(const sw_json *r);

#endif
