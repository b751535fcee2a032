/* results.h - orders and their results as FHIR: the ServiceRequest of an
 * order, and the DiagnosticReport and Observations of its result, with the
 * abnormal flags computed here rather than trusted from the sender
 * (docs/workflows.md, "Orders" and "Results and sign-off").
 *
 * Flags. A numeric value is compared with its reference interval and its
 * critical limits: below critical_low is LL, above critical_high is HH,
 * below low is L, above high is H, otherwise N; a value exactly at a limit
 * is on the normal side of it. A value with no interval and no limits, or
 * a text value, gets no flag (""), since nothing says what normal is. The
 * flags are written as Observation.interpretation in the HL7 v3
 * ObservationInterpretation code system; the report is "abnormal" when any
 * value is flagged, "critical" when any is HH or LL.
 *
 * Everything here is pure (no database): the /api handlers (api_orders.c,
 * api_results.c) read, decide and write; these functions check values and
 * build resources as JSON text. */
#ifndef SW_CLINICAL_RESULTS_H
#define SW_CLINICAL_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "clinical/orders_catalog.h"
#include "core/buf.h"
#include "core/errors.h"

#define RESULTS_INTERPRETATION \
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define RESULTS_V2_0074 "http://terminology.hl7.org/CodeSystem/v2-0074"
#define RESULTS_SNOMED  "http://snomed.info/sct"
#define RESULTS_UCUM    "http://unitsofmeasure.org"
/* ServiceRequest.category (SNOMED CT, the R4 example value set). */
#define RESULTS_CAT_LAB_CODE     "108252007"
#define RESULTS_CAT_LAB_DISPLAY  "Laboratory procedure"
#define RESULTS_CAT_IMG_CODE     "363679005"
#define RESULTS_CAT_IMG_DISPLAY  "Imaging"

#define RESULTS_MAX_VALUES    60
#define RESULTS_TEXT_MAX      4000   /* conclusion, text values, notes */
#define RESULTS_SHORT_MAX     200    /* displays, subjects, reasons */

/* ---- Orders ---------------------------------------------------------------- */

typedef struct order_new {
    const order_item *item;
    const char *patient_id;
    const char *encounter_id;   /* NULL: none */
    const char *priority;       /* routine, urgent, stat */
    const char *reason;         /* NULL: none */
    const char *note;           /* NULL: none */
    const char *authored;       /* ISO instant */
    const char *requester_json; /* the requester Reference, JSON text */
} order_new;

/* Checks priority, reason and note (SW_EINVAL naming the member). */
int results_order_check(const order_new *o, sw_err *err);
/* The ServiceRequest (status active, intent order) as JSON text. */
int results_order_resource(const order_new *o, sw_buf *out);

/* ---- Results --------------------------------------------------------------- */

typedef struct result_value {
    const char *code;
    const char *system;         /* NULL: LOINC */
    const char *display;
    bool        is_number;
    double      number;
    const char *text;           /* when !is_number */
    const char *unit;           /* NULL: none */
    bool        has_low, has_high, has_critical_low, has_critical_high;
    double      low, high, critical_low, critical_high;
} result_value;

/* "N", "H", "L", "HH", "LL" or "". */
const char *results_flag(const result_value *v);
/* The display of a flag code ("High"), or NULL for "". */
const char *results_flag_display(const char *flag);
/* Fills the unit and reference interval of v from the catalog item with
 * the same code when the sender gave none (the sender's always win). */
void results_apply_defaults(result_value *v);
/* Checks one value: code, display, value, limits in order (low <= high,
 * critical_low <= low, critical_high >= high). which is the value's index,
 * for the message ("observations[2].high"). */
int results_value_check(const result_value *v, size_t which, sw_err *err);
/* Whether a report status is one a result may be filed with: final,
 * preliminary, corrected or amended. */
bool results_status_ok(const char *status);

/* What the report and its observations share. */
typedef struct result_report {
    const char *status;
    bool        imaging;        /* RAD rather than LAB */
    const char *patient_id;
    const char *encounter_id;   /* NULL: none */
    const char *order_id;
    const char *code_json;      /* the order's code, CodeableConcept JSON */
    const char *issued;         /* ISO instant */
    const char *conclusion;     /* NULL: none */
    const char *performer_json; /* who filed it, Reference JSON; NULL: none */
} result_report;

/* One Observation for v (JSON text). */
int results_observation_resource(const result_report *r, const result_value *v,
                                 sw_buf *out);
/* The DiagnosticReport; result_refs are the references of its
 * observations ("urn:uuid:…" in a transaction), n of them. */
int results_report_resource(const result_report *r,
                            const char *const *result_refs, size_t n,
                            sw_buf *out);

/* ---- Reading stored resources for /api answers ------------------------------ */

/* The id of a "Type/id" reference of the given type in ref, or NULL. */
const char *results_ref_id(json_t *ref, const char *type);
/* The display of a CodeableConcept: text, else the first coding's display,
 * else its code, else "". */
const char *results_concept_text(json_t *concept);

#endif
