/* meds.h - the medication list and what prescribing and reconciliation
 * read of a patient's record.
 *
 * The medication list is the patient's MedicationRequests (prescribed
 * here) and MedicationStatements (what the patient reports taking); an
 * entry is current while its status is active (rx_check.h) and history
 * once stopped, completed, cancelled or entered in error. Stopping one
 * writes a new version with status "stopped" and a statusReason, sent
 * with If-Match on the version the clinician saw.
 *
 * meds_read runs inside a store transaction; the rest is pure. */
#ifndef SW_CLINICAL_MEDS_H
#define SW_CLINICAL_MEDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/json.h"
#include "store/store.h"

#define MEDS_RECORDS_MAX 500

/* A current resource of the patient's record. */
typedef struct meds_record {
    const char *type;
    const char *id;
    int64_t     version;
    sw_json    *resource;         /* parsed, in the arena */
} meds_record;

/* Inside a transaction: the patient's current (not deleted) resources of
 * the given types (NULL-terminated), by type then id; at most
 * MEDS_RECORDS_MAX in all. */
int meds_read(store_tx *tx, sw_arena *a, int64_t practice_id,
              const char *patient_id, const char *const *types,
              meds_record **out, size_t *n);

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

/* Whether text is acceptable free text: 1..max characters (code points),
 * no control characters except newlines when multiline. */
bool meds_plain_text(const char *s, size_t max, bool multiline);

/* The user a stored Reference names, as the /api shows users:
 * {"username", "display"}; username is "" when the reference has no
 * urn:stagewise:user identifier. */
void meds_reference_user(const sw_json *ref, const char **username,
                         const char **display);

#endif
