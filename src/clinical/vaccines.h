/* vaccines.h - the vaccines a family practice gives, by CVX code (the
 * CDC's "vaccines administered" code system, http://hl7.org/fhir/sid/cvx),
 * for recording immunizations (immunizations.h) and for the picker of
 * GET /api/vaccines.
 *
 * The table is data: one row per vaccine, with the CDC short description
 * as the display. Every row was checked against a source named beside it
 * in vaccines.c (the Synthea records the demo imports, Synthea's own
 * immunization schedule, or the CDC CVX table as published with HL7
 * tooling); nothing is listed from memory. The table is small (a few
 * dozen rows) and read-only, so lookups are linear scans. */
#ifndef SW_CLINICAL_VACCINES_H
#define SW_CLINICAL_VACCINES_H

#include <stddef.h>

#define VACCINE_CVX_SYSTEM "http://hl7.org/fhir/sid/cvx"
/* At most this many results from vaccine_search. */
#define VACCINE_SEARCH_MAX 50

typedef struct vaccine {
    const char *cvx;        /* "140" */
    const char *display;    /* the CDC short description */
    const char *keywords;   /* what people type: "flu influenza" */
} vaccine;

/* The whole table and its length. */
const vaccine *vaccine_table(size_t *count);
/* The row of a CVX code, or NULL. */
const vaccine *vaccine_find(const char *cvx);
/* Rows whose code starts with q, or whose display or keywords contain q
 * (ASCII case ignored), in table order; an empty or NULL q matches all.
 * Fills out (up to cap) and returns how many matched in all. */
size_t vaccine_search(const char *q, const vaccine **out, size_t cap);

#endif
