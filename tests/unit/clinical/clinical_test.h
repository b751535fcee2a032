/* clinical_test.h - what the unit tests of src/clinical share: parsing
 * JSON text in a test, and checking that a resource a clinical builder
 * wrote is valid R4 by the validator of src/fhir/. Each fails the running
 * cmocka test on a problem. Linked into each test of this directory. */
#ifndef SW_TEST_CLINICAL_TEST_H
#define SW_TEST_CLINICAL_TEST_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"

/* text (NUL-terminated) parsed into the arena. */
sw_json *ct_parse(sw_arena *a, const char *text);
/* b's text parsed into the arena and validated as FHIR R4. */
sw_json *ct_valid(sw_arena *a, const sw_buf *b);
/* The same for a resource built with jansson (not consumed). */
void ct_valid_json(json_t *r);

#endif
