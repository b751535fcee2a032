/* validate.h - checks a parsed FHIR R4 resource against the R4 definition
 * of its type and reports every problem found, not just the first.
 *
 * Contract. fhir_validate walks a JSON tree (core/json.h) once and appends
 * one fhir_issue per problem to an arena-owned list: severity, an issue
 * type code from the FHIR IssueType value set, a FHIRPath location
 * ("Patient.name[0].given[1]", "Bundle.entry[3].resource.birthDate",
 * "Observation.value.ofType(Quantity).value") and one short sentence. The
 * write handler turns the list into one OperationOutcome. Issues come in
 * document order; at most FHIR_VALIDATE_MAX_ISSUES are kept (then
 * `truncated` is set) so a hostile document cannot make the list huge.
 * Messages name elements, types and codes but never echo other values, so
 * they carry no patient data.
 *
 * What is checked, from the generated tables (model.h):
 *   - JSON shape per element: objects for complex types, and for primitives
 *     JSON true/false (boolean), numbers (integer, decimal, positiveInt,
 *     unsignedInt) or strings (everything else); arrays exactly for
 *     elements that repeat; no empty objects, arrays or strings; null only
 *     inside a primitive array whose "_x" companion has an entry there;
 *   - a known resourceType, placed only on resources; no unknown members;
 *     cardinality (required elements present, 1-vs-many);
 *   - primitive formats (primitive.h), integers within 32 bits;
 *   - required bindings whose value set is enumerable: a code must be in
 *     it; a Coding/CodeableConcept coding whose system is one of the value
 *     set's systems must carry one of its codes;
 *   - choice elements: one variant at most, of an allowed type;
 *   - Reference.reference: "Type/id[/_history/v]" with a known type (one
 *     the element allows) and a valid id, an absolute URI, urn:uuid:,
 *     urn:oid:, or "#id" naming a contained resource; conditional
 *     references ("Patient?identifier=...") only inside transaction and
 *     batch Bundles;
 *   - contained resources: validated as resources, no nested contained,
 *     an id each, unique;
 *   - "_x" primitive companions: objects with id/extension, arrays aligned
 *     with the primitive array;
 *   - Bundle.entry.resource (and Parameters.parameter.resource) validated
 *     recursively.
 * Not checked: FHIRPath invariants (ele-1, dom-3, ...), profiles
 * (meta.profile is not followed), extensions against their definitions,
 * extensible/preferred bindings, and value sets that cannot be enumerated
 * offline (mime types, languages, UCUM, currencies). docs/fhir-definitions.md
 * lists them.
 *
 * Threads: none shared; everything goes in the caller's arena. */
#ifndef SW_FHIR_VALIDATE_H
#define SW_FHIR_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/json.h"
#include "fhir/model.h"


typedef enum fhir_severity {
    FHIR_SEVERITY_FATAL,
    FHIR_SEVERITY_ERROR,
    FHIR_SEVERITY_WARNING,
    FHIR_SEVERITY_INFORMATION,
} fhir_severity;

typedef struct fhir_issue {
    fhir_severity severity;
    const char   *code;       /* IssueType: "structure", "required", "value",
                                 "code-invalid", "invalid", "too-long",
                                 "not-found", "duplicate" */
    const char   *location;   /* FHIRPath */
    const char   *message;    /* one sentence */
    uint32_t      line;       /* the offending JSON node; 0 if built in memory */
    uint32_t      column;
} fhir_issue;

typedef struct fhir_issues {
    fhir_issue *items;        /* in the arena */
    size_t      count;
    size_t      cap;
    size_t      errors;       /* fatal + error issues, including dropped ones */
    bool        truncated;    /* more than FHIR_VALIDATE_MAX_ISSUES were found */
} fhir_issues;

/* Flags for fhir_validate. */
enum {
    /* Accept conditional references ("Patient?identifier=s|v") anywhere,
     * for resources that are entries of a transaction being processed
     * (they are always accepted inside transaction/batch Bundles). */
    FHIR_VALIDATE_CONDITIONAL_REFS = 1u << 0,
};

/* Validates resource (any JSON value; a resource is an object with a
 * resourceType). issues must be zeroed or hold earlier issues, which are
 * kept. Returns SW_OK when the validation ran - the verdict is
 * issues->errors == 0 - or SW_ENOMEM when the arena ran out, in which case
 * the list holds what was found so far. */
int fhir_validate(sw_arena *a, const sw_json *resource, unsigned flags,
                  fhir_issues *issues);

/* "error", "warning", ... as in OperationOutcome.issue.severity. */
const char *fhir_severity_name(fhir_severity s);

#endif
