/* write.h - pieces of FHIR JSON the server composes itself: the head of a
 * Bundle it answers with (history, searchset, transaction-response, …),
 * the searchset entry that wraps a stored resource, Codings, concepts and
 * notes of the resources the clinical workflows build. Resources clients sent
 * are never re-serialized through here; their stored bytes are embedded. */
#ifndef SW_FHIR_WRITE_H
#define SW_FHIR_WRITE_H

#include <stddef.h>

#include "core/json.h"

/* Opens the Bundle object and writes resourceType, a new id,
 * meta.lastUpdated (now) and type; the caller adds the rest and closes it. */
void fhir_bundle_head(sw_jw *w, const char *type);

/* One entry {fullUrl, resource (the stored bytes), search.mode}. */
void fhir_bundle_search_entry(sw_jw *w, const char *full_url,
                              const char *body, size_t len, const char *mode);

/* A Coding {system, code, display}; display left out when NULL. */
void fhir_write_coding(sw_jw *w, const char *system, const char *code,
                       const char *display);
/* A CodeableConcept of one Coding, {coding: [Coding], text}; text left
 * out when NULL. */
void fhir_write_concept(sw_jw *w, const char *system, const char *code,
                        const char *display, const char *text);
/* The member "note": [{"text": text}] (one Annotation). */
void fhir_write_note(sw_jw *w, const char *text);

#endif
