/* primitive.h - the lexical rules of the FHIR R4 primitive types.
 *
 * Each primitive has a regular expression in the R4 definitions
 * (profiles-types.json, the "regex" extension of <type>.value); these
 * functions implement those expressions as plain C logic, plus the rules
 * the specification states in prose: strings are not empty and free of
 * control characters other than tab, CR and LF, and string, code and
 * markdown values are at most 1 MB; integers are 32-bit. Used by the
 * validator on every primitive of every write, and by search code that
 * needs to know whether a value is a date.
 *
 * Where the spec regex is looser than the calendar, the regex wins: it
 * accepts "2020-02-30" (days are 01-31 whatever the month), and so do we.
 * base64Binary is the one place we differ from the regex: stricter about
 * padding ('=' only at the end; the regex allows "ab=c", which no decoder
 * reads) and more lenient about white space (anywhere, as in MIME line
 * breaks, rather than only between groups of four).
 *
 * All functions are pure; text is a slice (not NUL-terminated). */
#ifndef SW_FHIR_PRIMITIVE_H
#define SW_FHIR_PRIMITIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/json.h"
#include "core/limits.h"
#include "core/str.h"
#include "fhir/model.h"

/* Ids: [A-Za-z0-9\-\.]{1,64}. */
#define FHIR_ID_MAX 64

typedef enum fhir_prim_result {
    FHIR_PRIM_VALID,
    FHIR_PRIM_WRONG_JSON,     /* e.g. a string where JSON true/false is due */
    FHIR_PRIM_EMPTY,          /* "" is never a value in FHIR JSON */
    FHIR_PRIM_TOO_LONG,
    FHIR_PRIM_BAD_FORMAT,
    FHIR_PRIM_OUT_OF_RANGE,   /* integer outside 32 bits, positiveInt 0 */
} fhir_prim_result;

/* The JSON kind a primitive is written as: SW_JSON_BOOL for boolean,
 * SW_JSON_NUMBER for integer, decimal, positiveInt and unsignedInt,
 * SW_JSON_STRING for everything else. */
sw_json_kind fhir_prim_json_kind(fhir_prim p);

/* Checks the text of a primitive: for numbers the JSON lexeme as written
 * ("1.50"), for the rest the decoded string. Booleans are always valid
 * here (their JSON kind is the whole rule). */
fhir_prim_result fhir_prim_check_text(fhir_prim p, sw_str text);

/* Checks a JSON node as a primitive of kind p: its JSON kind, then its
 * text. NULL or null nodes give FHIR_PRIM_WRONG_JSON. */
fhir_prim_result fhir_prim_check(fhir_prim p, const sw_json *v);

/* The FHIR name of a primitive kind ("dateTime"), for messages. */
const char *fhir_prim_name(fhir_prim p);

/* Individual rules, also used by the reference check. */
bool fhir_is_id(sw_str s);
bool fhir_is_uuid_urn(sw_str s);   /* urn:uuid:<lowercase 8-4-4-4-12> */
bool fhir_is_oid_urn(sw_str s);    /* urn:oid:1.2.3 */

#endif
