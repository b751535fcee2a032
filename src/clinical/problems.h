/* problems.h - the problem list: a patient's problems as FHIR Conditions
 * (category problem-list-item), their checks, and how a stored Condition
 * is read back for the list.
 *
 * A problem is coded in ICD-10-CM or SNOMED CT (the code system of the
 * Synthea records the demo imports), or given as text alone. The same
 * problem is not active twice: same system and code, or the same text
 * ignoring ASCII case. Resolving sets clinicalStatus resolved and
 * abatementDateTime; the Condition keeps its id, and its versions are its
 * history. Displays come from the client (one line, 1-200 characters):
 * the server does not own an ICD-10-CM table here.
 *
 * Which Conditions are on the list: every problem-list-item, and active
 * Conditions of any other category (a diagnosis from a visit or from an
 * imported record is a current problem until someone resolves it); a
 * resolved or inactive visit diagnosis is history of that visit, not a
 * problem. Entered-in-error and refuted Conditions are never listed.
 *
 * Everything here is pure (no store); api_problems.c does the HTTP. */
#ifndef SW_CLINICAL_PROBLEMS_H
#define SW_CLINICAL_PROBLEMS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "core/json.h"

#define PROBLEM_ICD10CM  "http://hl7.org/fhir/sid/icd-10-cm"
#define PROBLEM_SNOMED   "http://snomed.info/sct"
#define PROBLEM_CATEGORY "http://terminology.hl7.org/CodeSystem/condition-category"
#define PROBLEM_CLINICAL "http://terminology.hl7.org/CodeSystem/condition-clinical"
#define PROBLEM_VERIFY   "http://terminology.hl7.org/CodeSystem/condition-ver-status"

#define PROBLEM_DISPLAY_MAX 200
#define PROBLEM_NOTE_MAX    2000

typedef struct problem_input {
    const char *system;     /* PROBLEM_ICD10CM or PROBLEM_SNOMED, or NULL */
    const char *code;       /* with system, or NULL for text alone */
    const char *display;    /* the display of the code, or the text */
    const char *onset;      /* FHIR date or dateTime, or NULL */
    const char *note;       /* or NULL */
} problem_input;

/* The code system URI of an API name ("icd10cm", "snomed"), or NULL. */
const char *problem_system_uri(const char *name);
/* The API name of a code system URI ("icd10cm", "snomed"), or "". */
const char *problem_system_name(const char *uri);

/* Whether code is shaped like an ICD-10-CM code (E11.9, I10, S52.501A). */
bool problem_icd10cm_shape(const char *code);
/* Whether code is a SNOMED CT concept id: 6-18 digits, no leading zero,
 * a concept partition and a valid Verhoeff check digit. */
bool problem_snomed_concept(const char *code);

/* Whether s is a FHIR date (YYYY-MM-DD) or a dateTime to the second with
 * a time zone, no later than now_ms (a date of "today" is allowed in any
 * time zone). On success *low_ms is where it starts. */
bool problem_past_date(const char *s, int64_t now_ms, int64_t *low_ms);

/* Checks the values: a coded problem has a known system, a code of that
 * system's shape and a display; text alone has the text; display 1-200
 * characters on one line, note 1-2000 characters, onset a past date.
 * SW_EINVAL with a sentence naming the member. */
int problem_check(const problem_input *in, int64_t now_ms, sw_err *err);
/* An ICD-10-CM code the shipped table knows (src/clinical/codes.h) gets
 * the table's spelling of the code and, when the client sent none, its
 * display; other codes are left as they are. Run before problem_check. */
void problem_fill_from_table(problem_input *in);

/* Writes the new Condition (JSON text) for Patient/patient_id, recorded at
 * `recorded` (ISO instant) by `recorder` (a Reference as JSON text). */
int problem_resource(const problem_input *in, const char *patient_id,
                     const char *recorded, const char *recorder,
                     sw_buf *out);

/* The clinicalStatus code of a stored Condition ("" when absent). */
const char *problem_status(const sw_json *r);
/* Whether it is entered in error or refuted. */
bool problem_is_void(const sw_json *r);
/* Whether it belongs on the problem list (see above). */
bool problem_on_list(const sw_json *r);
/* Whether it is active (clinicalStatus active, recurrence or relapse). */
bool problem_is_active(const sw_json *r);
/* Whether it names the same problem as in (same system and code, or the
 * same text ignoring ASCII case). */
bool problem_same(const sw_json *r, const problem_input *in);
/* Its first coding (system and code may be NULL) and the text a person
 * reads. */
void problem_coding(const sw_json *r, const char **system, const char **code);
const char *problem_text(const sw_json *r);
/* Its onset (onsetDateTime, or onsetPeriod.start) and recordedDate, or
 * NULL. */
const char *problem_onset(const sw_json *r);
const char *problem_recorded(const sw_json *r);

/* Rank for ordering the list: active 0, other statuses 1, resolved 2. */
int problem_rank(const sw_json *r);

/* Marks r (an arena tree) resolved at `abatement` (a FHIR date or
 * dateTime): clinicalStatus resolved, abatementDateTime set, any other
 * abatement[x] removed. SW_ECONFLICT when it is not active; SW_EINVAL
 * when abatement comes before its onset. */
int problem_resolve(sw_arena *a, sw_json *r, const char *abatement,
                    sw_err *err);

#endif
