/* allergies.h - the allergy list: recording an allergy or "no known
 * allergies" as FHIR AllergyIntolerance, and keeping the two consistent.
 *
 * A real allergy and an active "no known allergies" entry contradict each
 * other, and a prescriber trusts the banner: so recording an allergy
 * retires any active no-known-allergies entry (clinicalStatus inactive) in
 * the same transaction, and "no known allergies" is refused while a real
 * allergy is active. The same substance is not recorded twice. No-known-
 * allergy entries use SNOMED CT 716186003 "No known allergy". */
#ifndef SW_CLINICAL_ALLERGIES_H
#define SW_CLINICAL_ALLERGIES_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/json.h"

#define ALLERGY_NKA_CODE    "716186003"
#define ALLERGY_NKA_DISPLAY "No known allergy"

typedef struct allergy_input {
    bool        none;           /* "no known allergies" */
    const char *system;         /* the substance's coding, or NULL */
    const char *code;
    const char *display;        /* or the text when uncoded */
    const char *category;       /* food, medication, environment, biologic */
    const char *criticality;    /* low, high, unable-to-assess, or NULL */
    const char *reaction;       /* free text manifestation, or NULL */
    const char *severity;       /* mild, moderate, severe, or NULL */
    const char *recorder;       /* JSON text of a Reference, or NULL */
} allergy_input;

/* Checks the values (known category, criticality and severity codes; a
 * substance with a display or text of 1-200 characters; nothing else with
 * "none"). SW_EINVAL with a sentence naming the member. */
int allergy_check(const allergy_input *in, sw_err *err);

/* Writes the new AllergyIntolerance (JSON text) for Patient/patient_id,
 * recorded at `recorded` (ISO instant), by in->recorder when given. */
int allergy_resource(const allergy_input *in, const char *patient_id,
                     const char *recorded, sw_buf *out);

/* Whether a stored AllergyIntolerance is active (clinicalStatus active, or
 * absent) and not refuted or entered in error. */
bool allergy_is_active(const sw_json *r);
/* Whether it is a no-known-allergies entry. */
bool allergy_is_none(const sw_json *r);
/* Whether it is about the same substance as in (same system and code, or
 * the same text ignoring ASCII case). */
bool allergy_same_substance(const sw_json *r, const allergy_input *in);
/* The name a person reads for its substance. */
const char *allergy_substance_text(const sw_json *r);
/* Sets clinicalStatus to inactive (an arena copy is changed in place). */
int allergy_make_inactive(sw_arena *a, sw_json *r);

/* ---- Status changes ------------------------------------------------------ */

/* Where an entry stands on the list, in one word: "entered-in-error" or
 * "refuted" (its verificationStatus), else its clinicalStatus code
 * ("active", "inactive", "resolved"), "active" when it has none. */
const char *allergy_status(const sw_json *r);
/* Its verificationStatus code ("confirmed", …), or NULL. */
const char *allergy_verification(const sw_json *r);
/* The reason given when it was taken off the list (the text of its last
 * note), or NULL when it is active or has none. */
const char *allergy_reason(const sw_json *r);

/* What an active entry can become, and its FHIR R4 form:
 *   inactive, resolved   clinicalStatus inactive or resolved
 *                        (allergyintolerance-clinical);
 *   refuted              verificationStatus refuted, clinicalStatus
 *                        inactive (ait-1 wants one; the patient is not at
 *                        risk);
 *   entered-in-error     verificationStatus entered-in-error and no
 *                        clinicalStatus (ait-2).
 * Whether status is one of the four. */
bool allergy_change_known(const char *status);
/* Checks a requested change: a known status, and a reason of 1 to 500
 * characters with something visible (lines allowed). SW_EINVAL with a
 * sentence naming "status" or "reason". */
int allergy_change_check(const char *status, const char *reason, sw_err *err);
/* Applies a checked change to a stored entry r (an arena copy, changed in
 * place): the statuses above, and the reason appended to note as an
 * Annotation with authorReference (author, a Reference, may be NULL) and
 * time `at` (ISO instant). SW_ECONFLICT when r is not active (nothing is
 * changed), SW_ENOMEM. */
int allergy_change(sw_arena *a, sw_json *r, const char *status,
                   const char *reason, const char *at, const sw_json *author,
                   sw_err *err);

#endif
