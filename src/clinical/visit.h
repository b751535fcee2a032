/* visit.h - the ambulatory visit as FHIR R4: the Encounter a check-in or a
 * walk-in opens, the coding of the visit (ICD-10-CM diagnoses as Condition,
 * CPT / HCPCS procedures and visit levels as Procedure) and the ChargeItems
 * signing creates for billing (docs/workflows.md, "Coding", "Signing and
 * addenda").
 *
 * Where R4 has no element for a billing detail it is an extension of our
 * own, the same on Procedure and on ChargeItem: VISIT_EXT_MODIFIER (a CPT
 * or HCPCS modifier, valueCode, one per modifier in order), VISIT_EXT_UNITS
 * (units billed, valuePositiveInt; the ChargeItem also has it as quantity)
 * and VISIT_EXT_LINE (the procedure's line on the visit, valuePositiveInt,
 * to keep their order). Diagnosis pointers are Procedure.reasonReference,
 * in pointer order, to the visit's Conditions; the Encounter ranks those
 * Conditions in Encounter.diagnosis (rank 1 is the first diagnosis), and a
 * ChargeItem carries the pointed diagnoses' codes as ChargeItem.reason. */
#ifndef SW_CLINICAL_VISIT_H
#define SW_CLINICAL_VISIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "clinical/codes.h"
#include "core/errors.h"

#define VISIT_TYPE_SYSTEM   "urn:stagewise:visit-type"
#define VISIT_EXT_MODIFIER  "urn:stagewise:billing-modifier"
#define VISIT_EXT_UNITS     "urn:stagewise:billing-units"
#define VISIT_EXT_LINE      "urn:stagewise:billing-line"
#define VISIT_ACT_CODE      "http://terminology.hl7.org/CodeSystem/v3-ActCode"

/* Bounds of a visit's coding: a claim's twelve diagnoses and four pointers
 * and modifiers per line. */
#define VISIT_MAX_DIAGNOSES 12
#define VISIT_MAX_PROCEDURES 20
#define VISIT_MAX_POINTERS 4
#define VISIT_MAX_MODIFIERS 4
#define VISIT_MAX_UNITS 999

typedef struct visit_type {
    const char *code;     /* "follow-up" */
    const char *display;  /* "Follow-up visit" */
} visit_type;

/* The visit type of this code, or NULL. */
const visit_type *visit_type_find(const char *code);
/* The visit type an appointment's free text names ("Annual physical" is
 * wellness, "New patient" new-patient, "Sick visit" acute), follow-up
 * when nothing matches. */
const visit_type *visit_type_guess(const char *text);

typedef struct visit_encounter_in {
    const char *patient_id;
    const char *appointment_id;   /* NULL for a walk-in */
    const visit_type *type;
    const char *type_text;        /* the appointment's words, or NULL */
    const char *reason;           /* NULL for none */
    json_t     *clinician;        /* Reference (borrowed), or NULL */
    const char *start;            /* ISO instant */
} visit_encounter_in;

/* A new Encounter, status arrived, class AMB (the caller decrefs). */
json_t *visit_encounter(const visit_encounter_in *in);

/* ---- Coding ---------------------------------------------------------------- */

typedef struct visit_procedure_line {
    const code_entry *code;
    const char *system;
    char        modifiers[VISIT_MAX_MODIFIERS][3];
    size_t      nmodifiers;
    int         units;
    int         pointers[VISIT_MAX_POINTERS];   /* 1-based into diagnoses */
    size_t      npointers;
} visit_procedure_line;

typedef struct visit_coding {
    const code_entry    *diagnoses[VISIT_MAX_DIAGNOSES];
    size_t               ndiagnoses;
    visit_procedure_line procedures[VISIT_MAX_PROCEDURES];
    size_t               nprocedures;
} visit_coding;

/* Reads and checks the /api coding body {"diagnoses": [{"code"}],
 * "procedures": [{"code", "modifiers", "units", "diagnoses"}]}: known
 * codes (a 400 names the unknown one), no code twice, modifiers of two
 * letters or digits, units 1-999 (default 1), pointers to listed diagnoses
 * (default [1] when there are diagnoses). SW_EINVAL with a sentence. */
int visit_coding_read(json_t *doc, visit_coding *out, sw_err *err);

/* The /api form of a coding: {"diagnoses": [{"code","display","rank"}],
 * "procedures": [{"code","display","modifiers","units","diagnoses"}]}. */
json_t *visit_coding_json(const visit_coding *c);

/* Condition (encounter-diagnosis) for diagnosis dx, recorded at `at`. */
json_t *visit_condition(const code_entry *dx, const char *patient_id,
                        const char *encounter_id, json_t *recorder,
                        const char *at);
/* Procedure for line; reasons are references ("Condition/x" or
 * "urn:uuid:…") of the pointed diagnoses, in pointer order. */
json_t *visit_procedure(const visit_procedure_line *line, int line_no,
                        const char *patient_id, const char *encounter_id,
                        json_t *performer, const char *at,
                        const char *const *reasons, size_t nreasons);

/* Reads back a stored Procedure's billing details: code, system, display
 * (from the table when known), modifiers, units and line number; the
 * Condition ids it points at go to reason_ids (up to VISIT_MAX_POINTERS,
 * *nreasons). false when it has no code. */
typedef struct visit_stored_procedure {
    const char *code, *system, *display;
    const char *modifiers[VISIT_MAX_MODIFIERS];
    size_t      nmodifiers;
    int         units, line;
    const char *reason_ids[VISIT_MAX_POINTERS];
    size_t      nreasons;
} visit_stored_procedure;
bool visit_procedure_read(json_t *procedure, visit_stored_procedure *out);

/* ---- Charges --------------------------------------------------------------- */

typedef struct visit_charge_in {
    const visit_stored_procedure *procedure;
    const char *procedure_id;
    const char *patient_id;
    const char *encounter_id;
    const char *occurred;         /* the visit's date-time */
    const char *entered;          /* now */
    json_t     *performer;        /* Reference (borrowed) */
    json_t     *enterer;          /* Reference (borrowed) */
    const code_entry *const *reasons;   /* the pointed diagnoses */
    size_t      nreasons;
} visit_charge_in;

/* A billable ChargeItem for one procedure line. */
json_t *visit_charge_item(const visit_charge_in *in);

#endif
