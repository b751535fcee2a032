/* import.h - loading FHIR data from files: Bundles (transaction, batch,
 * collection), single resources, and NDJSON (one resource per line), such
 * as Synthea output or another system's bulk export.
 *
 * Safe to run again after an interruption: a resource that arrives with an
 * id (or with a urn:uuid fullUrl, which becomes its id) is written with
 * PUT, so loading it again finds identical content and writes nothing;
 * entries with ifNoneExist stay conditional creates. Every resource is
 * validated first; a rejected resource or Bundle is reported with where
 * and why, and the rest goes on. A transaction Bundle is all or nothing.
 * A transaction whose conditional references name resources another file
 * brings (Synthea's patients refer to practitioners by NPI) is retried
 * after the other files, until a pass makes no progress. */
#ifndef SW_FHIR_IMPORT_H
#define SW_FHIR_IMPORT_H

#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* NDJSON lines per transaction. */
#define FHIR_IMPORT_BATCH 500

typedef struct fhir_import_stats {
    int64_t files;
    int64_t resources;     /* seen */
    int64_t created;
    int64_t updated;
    int64_t unchanged;
    int64_t rejected;
    int64_t bytes;         /* of files read so far */
} fhir_import_stats;

typedef struct fhir_import_hooks {
    void *arg;
    /* After each unit of work (a Bundle, a batch of lines). */
    void (*progress)(void *arg, const fhir_import_stats *s);
    /* For each rejection: the file, where in it ("entry 12", "line 40",
     * "the Bundle") and why. */
    void (*reject)(void *arg, const char *file, const char *where,
                   const char *why);
} fhir_import_hooks;

typedef struct fhir_import fhir_import;

int  fhir_import_begin(sw_store *s, int64_t practice_id,
                       const fhir_import_hooks *hooks, fhir_import **out);
/* Loads one file (.json or .ndjson). SW_OK even when some of it was
 * rejected; an error only when the file cannot be read at all. */
int  fhir_import_file(fhir_import *im, const char *path, sw_err *err);
/* Retries deferred transactions and reports what still fails. */
int  fhir_import_finish(fhir_import *im, fhir_import_stats *stats);
void fhir_import_free(fhir_import *im);

#endif
