/* model_int.h - the generated tables behind model.h, for the files of
 * src/fhir/ that walk them directly (the generated files themselves,
 * model.c, validate.c, searchpath.c). Other areas use the accessors of
 * model.h; the layout of these arrays is the generator's business and may
 * change with it. All arrays are const and indexed by the uint16_t fields
 * of the rows in model.h. */
#ifndef SW_FHIR_MODEL_INT_H
#define SW_FHIR_MODEL_INT_H

#include "fhir/model.h"

extern const fhir_type          fhir_types[FHIR_TYPE_COUNT];
extern const uint16_t           fhir_resource_type_list[FHIR_RESOURCE_TYPE_COUNT];
extern const fhir_element       fhir_elements[FHIR_ELEMENT_COUNT];
extern const uint16_t           fhir_element_types[];
extern const uint16_t           fhir_reference_targets[];
extern const fhir_member        fhir_members[FHIR_MEMBER_COUNT];

extern const char *const        fhir_code_systems[];
extern const fhir_vs_code       fhir_vs_codes[];
extern const uint16_t           fhir_vs_systems[];
extern const fhir_valueset      fhir_valuesets[FHIR_VALUESET_COUNT];

extern const uint16_t           fhir_search_param_targets[];
extern const fhir_search_param  fhir_search_params[FHIR_SEARCH_PARAM_COUNT];
extern const fhir_type_param    fhir_type_params[FHIR_TYPE_PARAM_COUNT];
extern const fhir_search_path   fhir_search_paths[];
extern const fhir_search_step   fhir_search_steps[];

extern const uint16_t           fhir_compartment_params[];

#endif
