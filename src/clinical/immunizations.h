/* immunizations.h - recording a vaccine given (or not given) as a FHIR
 * Immunization, and reading stored ones back for the list.
 *
 * The vaccine is a CVX code of vaccines.h. A dose given is status
 * completed with the date it was given (not in the future, not before the
 * patient's birth), and optionally its lot, site, route, dose number in
 * the series and volume. A dose not given is status not-done with the
 * reason, from the R4 value set immunization-status-reason (codes of
 * v3-ActReason): IMMUNE immunity, MEDPREC medical precaution, OSTOCK
 * product out of stock, PATOBJ patient objection; it carries no lot, site,
 * route or volume, since nothing was administered. Sites are the R4
 * immunization-site codes of v3-ActSite (LA left arm, RA right arm);
 * routes the R4 immunization-route codes of v3-RouteOfAdministration
 * (IDINJ, IM, NASINHLC, IVINJ, PO, SQ, TRNSDERM). The signed-in user is
 * the performer (function AP, administering provider, for a dose given);
 * primarySource is true: it is recorded by who gave it.
 *
 * Everything here is pure (no store); api_immunizations.c does the HTTP. */
#ifndef SW_CLINICAL_IMMUNIZATIONS_H
#define SW_CLINICAL_IMMUNIZATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "core/json.h"

#define IMMUNIZATION_LOT_MAX  40
#define IMMUNIZATION_NOTE_MAX 2000
#define IMMUNIZATION_DOSE_NUMBER_MAX 20
#define IMMUNIZATION_DOSE_ML_MAX 10.0

typedef struct immunization_input {
    const char *cvx;
    const char *date;            /* FHIR date or dateTime */
    const char *status;          /* completed | not-done */
    const char *lot;             /* or NULL */
    const char *site;            /* LA | RA, or NULL */
    const char *route;           /* a route code, or NULL */
    int         dose_number;     /* 0: not given */
    double      dose_ml;         /* 0: not given */
    const char *reason_not_done; /* IMMUNE | MEDPREC | OSTOCK | PATOBJ */
    const char *note;            /* or NULL */
} immunization_input;

/* A code with its display, for the small tables above. */
typedef struct immunization_code {
    const char *code;
    const char *display;
} immunization_code;

const immunization_code *immunization_site(const char *code);
const immunization_code *immunization_route(const char *code);
const immunization_code *immunization_reason(const char *code);

/* Checks the values against the rules above; birth_date is the patient's
 * (a FHIR date) or NULL when unknown. SW_EINVAL with a sentence naming
 * the member. */
int immunization_check(const immunization_input *in, int64_t now_ms,
                       const char *birth_date, sw_err *err);

/* Writes the new Immunization (JSON text) for Patient/patient_id, with
 * performer (a Reference as JSON text). */
int immunization_resource(const immunization_input *in,
                          const char *patient_id, const char *performer,
                          sw_buf *out);

/* From a stored Immunization: its CVX code and display (first coding of
 * vaccineCode, or its text), its date (occurrenceDateTime, or
 * occurrenceString), and where that date starts in ms (INT64_MIN when it
 * has none, to sort it last). */
void immunization_vaccine(const sw_json *r, const char **cvx,
                          const char **display);
const char *immunization_date(const sw_json *r);
int64_t immunization_when(const sw_json *r);

#endif
