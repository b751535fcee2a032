/* searchpath.h - evaluates a search parameter's compiled paths against a
 * resource: "which nodes of this Patient does `birthdate` select?".
 *
 * Contract. The generator compiled each R4 SearchParameter expression, per
 * resource type, into member paths (model.h fhir_search_path/step): choice
 * restrictions are already spelled as members ("valueQuantity"), and a
 * step may keep only nodes whose primitive child equals a literal
 * (telecom.where(system='phone')) or References whose target is a given
 * type (subject.where(resolve() is Patient)). fhir_search_eval walks those
 * paths over a parsed resource and calls back once per selected node with
 * its FHIR datatype ("HumanName", "date", "CodeableConcept", "Reference",
 * "Period", "Quantity", "SimpleQuantity", ...), in document order per
 * path. Parameters the generator marked unsupported select nothing.
 *
 * Index extraction calls this on every write for every supported
 * parameter of the written type, so nothing here allocates: the walk is a
 * recursion over at most a few steps using sw_json lookups.
 *
 * The resource must already be valid (validate.h); on other input the
 * walk skips what does not have the expected shape. */
#ifndef SW_FHIR_SEARCHPATH_H
#define SW_FHIR_SEARCHPATH_H

#include "core/json.h"
#include "core/str.h"
#include "fhir/model.h"

/* Called per selected node; a nonzero return stops the walk and is
 * returned by fhir_search_eval. */
typedef int (*fhir_search_cb)(void *arg, const fhir_type_param *tp, const sw_json *node,
                              fhir_type_id type);

/* Evaluates tp (a parameter of resource's type) over resource, the root
 * object of a resource. Returns 0, or the callback's nonzero return. */
int fhir_search_eval(const fhir_type_param *tp, const sw_json *resource, fhir_search_cb cb,
                     void *arg);

/* Evaluates every supported parameter of resource's type, in code order;
 * SW_EINVAL when resource has no known resourceType. */
int fhir_search_eval_all(const sw_json *resource, fhir_search_cb cb, void *arg);

/* Whether tp was compiled (false: tp->unsupported says why). */
bool fhir_search_supported(const fhir_type_param *tp);

/* The type of resource a Reference object points at: from its reference
 * ("Patient/1", "Patient/1/_history/2", "https://x/fhir/Patient/1", or
 * "#id" looked up in container's contained resources when container is
 * not NULL), else from its `type` element ("Patient" or the
 * StructureDefinition URL). FHIR_TYPE_NONE when it cannot be told
 * (urn:uuid:, identifier-only, unknown type). */
fhir_type_id fhir_reference_target_type(const sw_json *reference, const sw_json *container);

#endif
