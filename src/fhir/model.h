/* model.h - the FHIR R4 model: types, elements, JSON members, required
 * value sets, search parameters and the Patient compartment, as read-only
 * tables generated from the official definitions.
 *
 * Contract. Everything here is static data compiled into the program
 * (src/fhir/gen/, written by tools/fhir-gen/generate.mjs; never edited by
 * hand); no function allocates, fails or needs initialising, and all are
 * safe from any number of threads. Pointers returned point into the tables
 * and live for the whole program. Types are identified by a small integer
 * (fhir_type_id, the index in the type table, also available as the
 * generated constants FHIR_TYPE_Patient, FHIR_TYPE_Reference, ...);
 * FHIR_TYPE_NONE means "no such type".
 *
 * Types cover every R4 resource (146 concrete plus the abstract Resource
 * and DomainResource), datatype and primitive, and every backbone element
 * as a synthesized type named by its path ("Patient.contact",
 * "Bundle.entry.request"); elements defined by contentReference point at
 * the referenced type ("Bundle.entry.link" has type "Bundle.link").
 *
 * Workload: the validator and the search-index extraction call these on
 * every write, several times per JSON member, so lookups are binary
 * searches over sorted tables (member names per type, codes per value set,
 * parameter codes per type) and the rest is indexing. */
#ifndef SW_FHIR_MODEL_H
#define SW_FHIR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"
#include "fhir/gen/fhir_gen.h"

typedef uint16_t fhir_type_id;
#define FHIR_TYPE_NONE ((fhir_type_id)0xFFFF)

typedef enum fhir_kind {
    FHIR_KIND_PRIMITIVE,   /* boolean, string, dateTime, ... */
    FHIR_KIND_DATATYPE,    /* HumanName, Quantity, Reference, ... */
    FHIR_KIND_RESOURCE,    /* Patient, ..., and the abstract Resource, DomainResource */
    FHIR_KIND_BACKBONE,    /* "Patient.contact", "Timing.repeat" */
} fhir_kind;

/* The primitive types; each has its own lexical rules (validate.c). */
typedef enum fhir_prim {
    FHIR_PRIM_NONE,        /* not a primitive */
    FHIR_PRIM_BOOLEAN,
    FHIR_PRIM_INTEGER,
    FHIR_PRIM_POSITIVE_INT,
    FHIR_PRIM_UNSIGNED_INT,
    FHIR_PRIM_DECIMAL,
    FHIR_PRIM_STRING,
    FHIR_PRIM_CODE,
    FHIR_PRIM_ID,
    FHIR_PRIM_MARKDOWN,
    FHIR_PRIM_URI,
    FHIR_PRIM_URL,
    FHIR_PRIM_CANONICAL,
    FHIR_PRIM_OID,
    FHIR_PRIM_UUID,
    FHIR_PRIM_BASE64_BINARY,
    FHIR_PRIM_INSTANT,
    FHIR_PRIM_DATE,
    FHIR_PRIM_DATE_TIME,
    FHIR_PRIM_TIME,
    FHIR_PRIM_XHTML,
    FHIR_PRIM__COUNT
} fhir_prim;

/* Maximum cardinality. R4 base definitions only use 1 and *; 0 comes from
 * the constraint types (SimpleQuantity.comparator) and xhtml.extension. */
typedef enum fhir_max {
    FHIR_MAX_0,
    FHIR_MAX_1,
    FHIR_MAX_MANY,
} fhir_max;

typedef enum fhir_param_type {
    FHIR_PARAM_NUMBER,
    FHIR_PARAM_DATE,
    FHIR_PARAM_STRING,
    FHIR_PARAM_TOKEN,
    FHIR_PARAM_REFERENCE,
    FHIR_PARAM_COMPOSITE,
    FHIR_PARAM_QUANTITY,
    FHIR_PARAM_URI,
    FHIR_PARAM_SPECIAL,
} fhir_param_type;

/* ---- Table rows (read them; the generator writes them) --------------- */

typedef struct fhir_type {
    const char *name;         /* "Patient", "HumanName", "Patient.contact" */
    uint8_t     kind;         /* fhir_kind */
    uint8_t     prim;         /* fhir_prim; FHIR_PRIM_NONE unless primitive */
    uint8_t     abstract;     /* Resource, DomainResource, Element, ... */
    uint16_t    base;         /* the type it specializes, or FHIR_TYPE_NONE */
    uint16_t    elem_first, elem_count;      /* its elements, in definition order */
    uint16_t    member_first, member_count;  /* its JSON members, sorted */
    uint16_t    param_first, param_count;    /* search parameters, sorted by code */
    uint16_t    comp_first, comp_count;      /* Patient compartment parameters */
} fhir_type;

typedef struct fhir_element {
    const char *name;         /* JSON name; a choice without "[x]": "value" */
    uint16_t    owner;        /* the type it belongs to */
    uint8_t     min;          /* 0 or 1 */
    uint8_t     max;          /* fhir_max */
    uint8_t     choice;       /* value[x]: one member per allowed type */
    uint8_t     ntypes;       /* allowed types (1 unless choice) */
    uint16_t    types_first;
    int16_t     binding;      /* required value set index, or -1 */
    uint16_t    ntargets;     /* allowed Reference targets; 0 = any */
    uint16_t    targets_first;
} fhir_element;

/* One JSON member name of a type: "birthDate", or for a choice element
 * one row per allowed type ("valueQuantity" with type Quantity). */
typedef struct fhir_member {
    const char *name;
    uint16_t    element;
    uint16_t    type;
} fhir_member;

typedef struct fhir_valueset {
    const char *url;
    uint16_t    code_first, code_count;  /* codes sorted by code, then system */
    uint16_t    sys_first, sys_count;    /* the code systems it draws from */
} fhir_valueset;

typedef struct fhir_vs_code {
    const char *code;
    uint16_t    system;       /* index into the code system names */
} fhir_vs_code;

/* A SearchParameter definition, shared by the types it applies to. */
typedef struct fhir_search_param {
    const char *code;         /* "birthdate" */
    uint8_t     type;         /* fhir_param_type */
    const char *url;
    const char *expression;   /* the original FHIRPath, or NULL */
    uint16_t    targets_first, ntargets;   /* reference targets */
} fhir_search_param;

/* A search parameter as it applies to one resource type: its expression
 * compiled into member paths for that type, or the reason it was not. */
typedef struct fhir_type_param {
    const char *code;
    uint16_t    param;        /* the fhir_search_param */
    uint16_t    path_first;
    uint16_t    path_count;
    const char *unsupported;  /* NULL when compiled, else why not */
} fhir_type_param;

/* One compiled path: member steps from the resource root. */
typedef struct fhir_search_path {
    uint16_t    step_first;
    uint16_t    step_count;
    uint16_t    type;         /* the FHIR type of what the path selects */
} fhir_search_path;

/* One step of a path: take member `member` (a choice restricted to one
 * type is already spelled "valueQuantity"), keep the nodes whose primitive
 * child where_field equals where_value, or, for a Reference, whose target
 * type is `resolve`. */
typedef struct fhir_search_step {
    const char *member;
    uint16_t    element;
    uint16_t    type;
    uint8_t     many;
    const char *where_field;  /* NULL: no filter */
    const char *where_value;
    uint16_t    resolve;      /* FHIR_TYPE_NONE: no filter */
} fhir_search_step;

/* ---- Types ------------------------------------------------------------ */

/* The row of a type, or NULL when id is out of range. */
const fhir_type *fhir_type_get(fhir_type_id id);
/* "Patient", or "" for FHIR_TYPE_NONE. */
const char *fhir_type_name(fhir_type_id id);
/* Exact, case-sensitive name lookup (binary search); FHIR_TYPE_NONE if
 * unknown. Finds backbone types too ("Patient.contact"). */
fhir_type_id fhir_type_by_name(sw_str name);
/* Whether name is a concrete resource type, i.e. a valid resourceType
 * ("Patient" yes; "Resource", "DomainResource", "HumanName" no). */
bool fhir_is_resource_type(sw_str name);
/* The concrete resource types in name order: i in [0, count). */
size_t fhir_resource_type_count(void);
fhir_type_id fhir_resource_type_at(size_t i);
/* Whether t is base or specializes it (Age -> Quantity -> Element). */
bool fhir_type_derives_from(fhir_type_id t, fhir_type_id base);

/* ---- Elements and JSON members ---------------------------------------- */

/* The elements of a type in definition order; *count gets their number. */
const fhir_element *fhir_type_elements(fhir_type_id t, size_t *count);
/* The element named name ("value" or "value[x]" for a choice), or NULL. */
const fhir_element *fhir_element_by_name(fhir_type_id owner, sw_str name);
/* Index of an element row (for per-element bookkeeping). */
size_t fhir_element_index(const fhir_element *e);
/* The i-th allowed type of an element. */
fhir_type_id fhir_element_type(const fhir_element *e, size_t i);
/* Whether a Reference in e may point at resource type rt (true when the
 * element allows any target). */
bool fhir_element_allows_target(const fhir_element *e, fhir_type_id rt);
fhir_type_id fhir_element_target(const fhir_element *e, size_t i);

/* What a JSON member name of an object of type owner means. */
typedef struct fhir_member_info {
    const fhir_element *element;
    fhir_type_id        type;       /* the member's type (the chosen type for a choice) */
    bool                companion;  /* "_birthDate": the id/extension of a primitive */
} fhir_member_info;

/* Looks up a JSON member: "birthDate", "valueQuantity" (element value[x]
 * with type Quantity), "_birthDate" (companion of a primitive member).
 * False when owner has no such member, or when "_x" names a member that
 * is not primitive. */
bool fhir_member_lookup(fhir_type_id owner, sw_str name, fhir_member_info *out);

/* ---- Value sets (required bindings) ----------------------------------- */

size_t fhir_valueset_count(void);
const fhir_valueset *fhir_valueset_get(int vs);
/* Index of the value set with this canonical URL (no version), or -1. */
int fhir_valueset_by_url(sw_str url);
/* Whether code is in value set vs; with system.n > 0 the code must also
 * come from that system. */
bool fhir_valueset_has_code(int vs, sw_str system, sw_str code);
/* Whether the value set draws codes from system. */
bool fhir_valueset_has_system(int vs, sw_str system);
/* Its i-th code system URL, i < the row's sys_count. */
const char *fhir_valueset_system(int vs, size_t i);

/* ---- Search parameters ------------------------------------------------ */

/* The parameters of a resource type, sorted by code. */
const fhir_type_param *fhir_search_params_of(fhir_type_id rt, size_t *count);
/* The parameter code of type rt ("birthdate"), or NULL. */
const fhir_type_param *fhir_search_param_find(fhir_type_id rt, sw_str code);
/* Its shared definition (code, type, url, expression, targets). */
const fhir_search_param *fhir_type_param_def(const fhir_type_param *tp);
fhir_param_type fhir_type_param_type(const fhir_type_param *tp);
/* The resource types a reference parameter may point at. */
size_t fhir_search_param_target_count(const fhir_search_param *p);
fhir_type_id fhir_search_param_target(const fhir_search_param *p, size_t i);
/* "number", "date", ... for a fhir_param_type. */
const char *fhir_param_type_name(fhir_param_type t);

/* ---- Patient compartment ---------------------------------------------- */

/* The parameters that put a resource of type rt in a Patient's
 * compartment (Observation: subject, performer). None for types outside
 * the compartment; Patient itself is in its own compartment by id. */
size_t fhir_compartment_param_count(fhir_type_id rt);
const fhir_type_param *fhir_compartment_param(fhir_type_id rt, size_t i);

#endif
