/* capability.h - GET /fhir/metadata: the CapabilityStatement.
 *
 * It must say exactly what works, so it is built from the same facts the
 * server acts on: the stored resource types (every R4 type but Parameters
 * and OperationOutcome), the interactions the REST layer implements for
 * them, and, per type, the search parameters the generated tables compiled
 * and the search engine answers. */
#ifndef SW_FHIR_CAPABILITY_H
#define SW_FHIR_CAPABILITY_H

#include "core/buf.h"

int fhir_capability_write(sw_buf *out, const char *base_url);

#endif
