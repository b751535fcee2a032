/* fhir_read.h - reading the parts of stored FHIR resources that the
 * clinical rules share (problems.c, allergies.c, immunizations.c,
 * rx_check.c, meds.c, results.c): CodeableConcepts and their codings, and
 * the text checks of what a clinician types. Resources are parsed with
 * sw_json; nothing here allocates, and every function accepts NULL. */
#ifndef SW_CLINICAL_FHIR_READ_H
#define SW_CLINICAL_FHIR_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"

/* The code of the first coding of the CodeableConcept r[member], and its
 * system when system is not NULL; NULL (and *system NULL) when there is
 * none. */
const char *clinical_first_code(const sw_json *r, const char *member,
                                const char **system);
/* What a CodeableConcept says in words: its text, else the first display
 * among its codings; NULL when it has neither. */
const char *clinical_concept_text(const sw_json *cc);
/* cc's first coding of system, or NULL. */
const sw_json *clinical_coding_of(const sw_json *cc, const char *system);
/* Whether cc has a coding system|code. */
bool clinical_concept_has(const sw_json *cc, const char *system,
                          const char *code);
/* Printable text of 1..max characters (UTF-8 code points): no control
 * characters, except newlines and tabs when multiline. */
bool clinical_plain_text(const char *s, size_t max, bool multiline);
/* Text of 1..max bytes with something visible (not only blanks): no
 * control characters, except newlines and tabs when multiline. */
bool clinical_visible_text(const char *s, size_t max, bool multiline);

#endif
