/* fhircmp.h - comparing a resource as sent with the resource as stored.
 *
 * A FHIR server may change exactly these things in a resource it stores:
 * the id, meta.versionId and meta.lastUpdated, and references it rewrites
 * (urn:uuid:X to Type/X inside a Bundle, a conditional reference to the
 * Type/id it resolved to). sw_test_normalize removes or rewrites those in
 * place so that what remains can be compared with sw_json_equal. */
#ifndef SW_FHIRCMP_H
#define SW_FHIRCMP_H

#include <stddef.h>

#include "core/arena.h"
#include "core/json.h"

typedef struct sw_test_refmap {
    const char **from;     /* "urn:uuid:…" */
    const char **to;       /* "Patient/…" */
    size_t       n;
} sw_test_refmap;

/* Removes meta.versionId and meta.lastUpdated (and meta when empty) from
 * every resource in v; maps references through map (may be NULL); when
 * conditional is set, cuts conditional references ("Type?…") and
 * references to the types Synthea refers to conditionally down to "Type/"
 * so a resolved reference compares equal to its condition. */
void sw_test_normalize(sw_arena *a, sw_json *v, const sw_test_refmap *map,
                       int conditional);

#endif
