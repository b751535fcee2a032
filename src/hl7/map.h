/* map.h - what the inbound mappings (adt.c, siu.c) share: the context of
 * one message being applied inside the inbound transaction, content errors
 * collected as ERR segments, building FHIR JSON from HL7 text, HL7 dates
 * as FHIR dates, finding a resource by an identifier, and writing a
 * resource with its search index and audit entry.
 *
 * A mapping first checks the message and records every content error it
 * finds (hl7_map_error); it writes only when there is none, so a message
 * with a content error changes nothing. Ownership: every node and string
 * is in c->a, the message's arena. */
#ifndef SW_HL7_MAP_H
#define SW_HL7_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/json.h"
#include "hl7/ack.h"
#include "hl7/message.h"
#include "store/store.h"

#define HL7_MAP_MAX_ERRORS 16

/* Where the identifiers the PMS assigns live: Patient.identifier systems
 * are HL7_PMS_SYSTEM "<assigning authority>" ("mrn" when PID-3 names
 * none); a US social security number (identifier type SS) is
 * HL7_SSN_SYSTEM. Appointments carry the PMS's appointment ids under
 * HL7_PMS_SYSTEM "appointment-filler" / "appointment-placer". */
#define HL7_PMS_SYSTEM "urn:stagewise:pms:"
#define HL7_SSN_SYSTEM "http://hl7.org/fhir/sid/us-ssn"
#define HL7_NPI_SYSTEM "http://hl7.org/fhir/sid/us-npi"

typedef struct hl7_map {
    store_tx          *tx;
    sw_arena          *a;
    int64_t            practice_id;
    const hl7_message *m;
    const audit_who   *who;
    int64_t            now_ms;
    hl7_ack_error      errs[HL7_MAP_MAX_ERRORS];
    size_t             nerr;
    bool               oom;          /* a JSON node could not be made */
    char               patient_id[64];
} hl7_map;

/* Records a content error (ERR-2 segment-field.component, 0357 code, a
 * sentence without patient data) and returns SW_EINVAL. */
int hl7_map_error(hl7_map *c, const char *segment, int field, int component,
                  const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* hl7_get on c->m, with spaces around the text trimmed (NULL when only
 * spaces are left). */
const char *hl7_map_get(const hl7_map *c, const char *seg, size_t occ,
                        size_t field, size_t rep, size_t comp, size_t sub);
/* Whether the field is the HL7 NULL "" (remove) or absent/empty (keep). */
bool hl7_map_is_null(const hl7_map *c, const char *seg, size_t occ, size_t field);
bool hl7_map_is_empty(const hl7_map *c, const char *seg, size_t occ, size_t field);
/* Repetitions of a field (0 when absent). */
size_t hl7_map_reps(const hl7_map *c, const char *seg, size_t occ, size_t field);

/* Text both stores and JSON take: NUL and bytes that are not UTF-8 (an
 * old sender's Latin-1) become U+FFFD. s itself when it is fine, else an
 * arena copy (NULL when out of memory); its length in *out_n. */
const char *hl7_text_storable(sw_arena *a, const char *s, size_t n,
                              size_t *out_n);

/* JSON nodes; a failure sets c->oom (checked once before writing). Text
 * goes through hl7_text_storable. */
sw_json *hl7_j_str(hl7_map *c, const char *s);
sw_json *hl7_j_obj(hl7_map *c);
sw_json *hl7_j_arr(hl7_map *c);
void hl7_j_set(hl7_map *c, sw_json *obj, const char *key, sw_json *v);
void hl7_j_set_str(hl7_map *c, sw_json *obj, const char *key, const char *s);
void hl7_j_push(hl7_map *c, sw_json *arr, sw_json *v);

/* An HL7 DT/DTM ("19850101", "198808181126+0215") as a FHIR date
 * ("1985-01-01"; "1985-01" and "1985" for shorter ones); false when it is
 * not a valid date. */
bool hl7_map_date(const char *dtm, char out[11]);
/* An HL7 DTM with at least minutes as a FHIR instant
 * ("2021-09-24T09:30:00+02:15"; without an offset the server's local
 * offset at that time), and its ms since the epoch; false when invalid. */
bool hl7_map_instant(const char *dtm, char out[32], int64_t *ms);

/* The current, undeleted resource of type whose search parameter param
 * (a token) has system|value (any system when system is NULL); *id NULL
 * when none. */
int hl7_map_find(hl7_map *c, const char *type, const char *param,
                 const char *system, const char *value, const char **id);
/* The current version of type/id parsed; *res NULL when there is none (or
 * it is deleted). */
int hl7_map_read(hl7_map *c, const char *type, const char *id, sw_json **res);
/* Validates res, extracts its index rows and writes it as type/id (a new
 * version, or nothing when unchanged) with its audit entry. A resource
 * that does not validate is a content error (ERR with 102 naming the FHIR
 * element), recorded on c, and nothing is written. */
int hl7_map_put(hl7_map *c, const char *type, const char *id, sw_json *res);

/* Percent-encodes what is not [A-Za-z0-9._~-] so that text can end a URI. */
const char *hl7_map_uri_part(hl7_map *c, const char *s);

#endif
