/* meds.h - the medication list and what prescribing and reconciliation
 * read of a patient's record.
 *
 * The medication list is the patient's MedicationRequests (prescribed
 * here) and MedicationStatements (what the patient reports taking); an
 * entry is current while its status is active (rx_check.h) and history
 * once stopped, completed, cancelled or entered in error. Stopping one
 * writes a new version with status "stopped" and a statusReason, sent
 * with If-Match on the version the clinician saw. The chart itself is
 * read by the server (src/server/patient_records.h), at most
 * MEDS_RECORDS_MAX resources; what is here is pure. */
#ifndef SW_CLINICAL_MEDS_H
#define SW_CLINICAL_MEDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"

#define MEDS_RECORDS_MAX 500

/* A frequency as the prescriber writes it ("three times daily", "every 6
 * hours as needed", "once daily at bedtime") as FHIR Timing.repeat. known
 * is false for a frequency the table does not know: it is then kept as
 * Timing.code.text only. */
typedef struct meds_timing {
    bool        known;
    int         frequency;        /* times per period */
    int         period;
    const char *period_unit;      /* UCUM: "h", "d", "wk" */
    const char *when;             /* EventTiming ("HS"), or NULL */
    bool        as_needed;
} meds_timing;
void meds_timing_of(const char *frequency, meds_timing *t);

/* Whether text is acceptable free text: clinical_plain_text (1..max
 * characters, no control characters except newlines when multiline) and
 * not only blanks. */
bool meds_plain_text(const char *s, size_t max, bool multiline);

#endif
