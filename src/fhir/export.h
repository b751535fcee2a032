/* export.h - writing a practice's current resources as NDJSON, one file per
 * resource type (DIR/Patient.ndjson, …), in the FHIR Bulk Data format:
 * one resource per line, exactly as stored. Deleted resources are left
 * out. Each file is written under a temporary name and renamed when
 * complete, so a reader never sees half a file. */
#ifndef SW_FHIR_EXPORT_H
#define SW_FHIR_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* Resources read per query; a type is read in pages of this many. */
#define FHIR_EXPORT_PAGE 1000

typedef void (*fhir_export_progress)(void *arg, const char *type,
                                     int64_t written);

/* Exports the given types (all types present when ntypes is 0) into dir,
 * which is created if missing. *total gets the resources written. */
int fhir_export(sw_store *s, int64_t practice_id, const char *const *types,
                size_t ntypes, const char *dir, fhir_export_progress progress,
                void *arg, int64_t *total, sw_err *err);

/* Records the export in the audit trail before it happens: one entry
 * (action export, detail as given) per patient whose data the given types
 * carry, in one durable transaction. *entries gets how many. */
struct audit_who;
int fhir_export_audit(sw_store *s, int64_t practice_id,
                      const char *const *types, size_t ntypes,
                      const struct audit_who *who, const char *detail,
                      int64_t *entries, sw_err *err);

#endif
