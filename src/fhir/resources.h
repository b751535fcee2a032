/* resources.h - storing FHIR resource versions: read, vread, create,
 * update, delete and history, in the tables of DESIGN.md §3.
 *
 * fhir_resource holds the current version of each resource (a deleted one
 * stays as a tombstone with an empty body), fhir_history every version; the
 * body is the JSON text served to clients, byte for byte, with only id and
 * meta (versionId, lastUpdated) set by the server. Reads return those bytes
 * without parsing them.
 *
 * Two layers. The fhir_row_* functions run inside a store transaction and
 * do nothing but SQL; they are what a transaction Bundle strings together.
 * The fhir_res_* functions are single REST interactions: they parse nothing
 * but do all the CPU work (stamping meta, serializing, extracting search
 * index rows) before the transaction, so that the writer's transaction
 * holds only inserts and group commit stays effective. An update reads the
 * current version first and then writes with a compare-and-swap on that
 * version; losing that race to another writer is a 412 when the client
 * sent If-Match, and otherwise means doing the update again entirely
 * inside the transaction (fhir_row_put), where it cannot lose. */
#ifndef SW_FHIR_RESOURCES_H
#define SW_FHIR_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "audit/audit.h"
#include "fhir/index.h"
#include "store/store.h"

/* What is known of a stored version. */
typedef struct fhir_version {
    int64_t     version;
    int64_t     updated_ms;
    bool        deleted;
    const char *method;        /* history: POST, PUT or DELETE */
    const char *body;          /* arena copy; "" for a tombstone */
    size_t      body_len;
} fhir_version;

/* A new version, ready to be written. */
typedef struct fhir_row {
    int64_t                practice_id;
    const char            *type;
    const char            *id;
    int64_t                version;
    int64_t                updated_ms;
    bool                   deleted;
    const char            *method;
    const char            *body;
    size_t                 body_len;
    const fhir_index_rows *index;     /* NULL for a tombstone */
    const audit_who       *who;       /* who makes it; its audit entry is
                                         written in the same transaction */
} fhir_row;

/* ---- Inside a transaction ------------------------------------------------ */

/* The current version's number and deleted flag; SW_ENOTFOUND if the
 * resource never existed. */
int fhir_row_current(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id, int64_t *version, bool *deleted);
/* Whether type/id exists and is not deleted. */
int fhir_row_exists(store_tx *tx, int64_t practice_id, const char *type,
                    const char *id, bool *exists);
/* Writes row as the next version, with its audit entry (create, update or
 * delete, for the patient the resource belongs to) when row->who is set.
 * expect is the version the caller saw: 0 means "must not exist yet".
 * SW_ECONFLICT when the stored version is not expect (someone else wrote
 * first). */
int fhir_row_write(store_tx *tx, const fhir_row *row, int64_t expect);
/* The patient a stored resource belongs to: its own id for a Patient,
 * else the Patient its compartment parameters reference ("" if none). */
int fhir_row_patient(store_tx *tx, int64_t practice_id, const char *type,
                     const char *id, char out[80]);
/* The distinct patients that n stored resources belong to, in order of
 * first appearance, without "" (resources outside any patient's record). */
/* Whether search parameter param of resource type `type` links it to a
 * Patient by the R4 Patient compartment ("subject" of Observation). */
bool fhir_links_patient(const char *type, const char *param);

typedef struct fhir_ref {
    const char *type;
    const char *id;
} fhir_ref;
int fhir_patients_of(store_tx *tx, sw_arena *a, int64_t practice_id,
                     const fhir_ref *refs, size_t n, const char ***patients,
                     size_t *npatients);
/* The same from a resource's index rows, before it is stored. */
const char *fhir_rows_patient(const char *type, const char *id,
                              const fhir_index_rows *rows);

/* Reads the current version (with body) or a given version (vread). */
int fhir_row_read(store_tx *tx, sw_arena *a, int64_t practice_id,
                  const char *type, const char *id, int64_t version,
                  fhir_version *out);

/* An update done entirely inside the transaction: read the current
 * version, check If-Match, stamp and serialize, write. It cannot lose a
 * race, so it is what an update falls back to under contention, and what a
 * transaction Bundle's PUT is. The result is in out (200 or 201; 200 with
 * the stored version when the content is unchanged, *unchanged set). */
typedef struct fhir_put {
    sw_arena              *a;
    int64_t                practice_id;
    const char            *type;
    const char            *id;
    sw_json               *res;       /* validated; stamped here */
    const fhir_index_rows *index;     /* extracted from res */
    int64_t                if_match;  /* 0: none */
    int64_t                now_ms;
    const audit_who       *who;
} fhir_put;

typedef struct fhir_result fhir_result;

int fhir_row_put(store_tx *tx, const fhir_put *p, fhir_result *out,
                 bool *unchanged);

/* ---- Preparing a version ------------------------------------------------- */

/* A new id: a version 7 UUID (36 characters), time-ordered then random,
 * so that new rows append to the id-keyed indexes. */
void fhir_new_id(char out[37]);
/* Sets id and meta.versionId/meta.lastUpdated on res (keeping its other
 * members and their order; id goes after resourceType and meta after id
 * when they are new) and serializes it into out. */
int fhir_stamp(sw_arena *a, sw_json *res, const char *id, int64_t version,
               int64_t updated_ms, sw_buf *out);

/* ---- Single interactions ------------------------------------------------- */

struct fhir_result {
    int          status;       /* 200 or 201 */
    const char  *id;
    int64_t      version;
    int64_t      updated_ms;
    const char  *body;         /* the stored JSON (arena-owned) */
    size_t       body_len;
};

/* The current version, or SW_ENOTFOUND, or SW_EGONE (with *out filled:
 * version and time of the deletion). version > 0 reads that version.
 * patient (80 bytes) gets the patient the resource belongs to, read in the
 * same snapshot, for the audit entry of the read. */
int fhir_res_read(sw_store *s, sw_arena *a, int64_t practice_id,
                  const char *type, const char *id, int64_t version,
                  fhir_version *out, char *patient, sw_err *err);

/* The writes below run for who (its practice, and its audit entries). */

/* Create with a server-assigned id. res is the validated tree. With
 * if_none_exist (a parsed search, NULL for none) the create is conditional:
 * the search runs in the same transaction as the insert, so concurrent
 * conditional creates make one resource; one match returns it (200), more
 * than one is SW_EPRECOND. */
struct fhir_search;
int fhir_res_create(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, sw_json *res,
                    const struct fhir_search *if_none_exist, fhir_result *out,
                    sw_err *err);
/* Update (or create with the client's id). if_match > 0 requires that
 * version (SW_EPRECOND otherwise). */
int fhir_res_update(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, const char *id, sw_json *res,
                    int64_t if_match, fhir_result *out, sw_err *err);
/* Delete: a new tombstone version. Deleting what does not exist or is
 * already deleted succeeds and writes nothing (*out->version is 0). */
int fhir_res_delete(sw_store *s, sw_arena *a, const audit_who *who,
                    const char *type, const char *id, fhir_result *out,
                    sw_err *err);

/* History: versions newest first. type NULL: the whole practice; id NULL:
 * every resource of the type. since_ms 0: no lower bound. At most count
 * entries from offset. */
typedef struct fhir_history_entry {
    const char  *type;
    const char  *id;
    fhir_version v;
} fhir_history_entry;

int fhir_res_history(sw_store *s, sw_arena *a, int64_t practice_id,
                     const char *type, const char *id, int64_t since_ms,
                     int count, int offset, fhir_history_entry **entries,
                     int *n, int64_t *total, sw_err *err);

#endif
