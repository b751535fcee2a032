/* authz.h - who may do what: the one permission table.
 *
 * A permission is a role, an area and an action. Areas group what a
 * practice thinks of as one kind of data (demographics, clinical notes,
 * medications, billing, …); every FHIR R4 resource type belongs to exactly
 * one area (authz.c keeps that mapping as a table keyed by type, with
 * "clinical" for clinical types it does not list), and every /api route
 * names its area and action in its route row ("users:admin"). Actions are
 * read, write and the acts a practice restricts further: sign (notes),
 * prescribe (any write of a MedicationRequest), order (any write of a
 * ServiceRequest and the other request types), admin.
 *
 * A user holds one or more roles (auth/roles.h) and may do what any of
 * them allows. A service account's scope ("results:write,demographics:read")
 * narrows that further: allowed when a role allows it AND the scope is
 * empty or lists the area:action. The server's authorization filter
 * (src/server/authorize.c) and the FHIR handlers that touch several types
 * in one request (src/fhir/rest_authz.c) are the only callers; no handler
 * checks roles itself. docs/security.md renders the table as a matrix.
 *
 * Everything here is static read-only data and small lookups: safe from
 * any thread, no allocation. */
#ifndef SW_AUTH_AUTHZ_H
#define SW_AUTH_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

typedef enum authz_action {
    AUTHZ_READ,
    AUTHZ_WRITE,
    AUTHZ_SIGN,
    AUTHZ_PRESCRIBE,
    AUTHZ_ORDER,
    AUTHZ_ADMIN,
    AUTHZ_ACTION__COUNT
} authz_action;

typedef enum authz_area {
    AUTHZ_DEMOGRAPHICS,
    AUTHZ_SCHEDULING,
    AUTHZ_VISITS,
    AUTHZ_DIRECTORY,
    AUTHZ_CLINICAL,
    AUTHZ_NOTES,
    AUTHZ_MEDICATIONS,
    AUTHZ_ORDERS,
    AUTHZ_RESULTS,
    AUTHZ_BILLING,
    AUTHZ_AUDIT,
    AUTHZ_USERS,
    AUTHZ_PRACTICE,
    AUTHZ_PLAN,
    AUTHZ_TRAINING,
    AUTHZ_AREA__COUNT
} authz_area;

/* "read", "demographics"; "" out of range. */
const char *authz_action_name(authz_action a);
const char *authz_area_name(authz_area a);
/* A few words for refusals: "clinical notes", "medications". */
const char *authz_area_title(authz_area a);
/* By name, exactly; false when unknown. */
bool authz_action_find(const char *name, size_t len, authz_action *out);
bool authz_area_find(const char *name, size_t len, authz_area *out);

/* Parses a route's access tag "area:action"; false when malformed. */
bool authz_parse_access(const char *tag, authz_area *area,
                        authz_action *action);

/* The area of a FHIR resource type ("Patient" -> demographics); clinical
 * for any type the table does not list. */
authz_area authz_area_of_type(const char *type);
/* What writing (create, update, delete) a resource of this type is:
 * prescribe for MedicationRequest, order for ServiceRequest and the other
 * request types, write for the rest. */
authz_action authz_write_action_of_type(const char *type);

/* The types the map lists by name (any other is clinical), for tests that
 * check each is an R4 resource type: NULL past the end. */
const char *authz_listed_type(size_t i);

/* Whether one role (auth/roles.h name) allows action on area. */
bool authz_role_allows(const char *role, authz_area area, authz_action action);
/* Whether any role of the comma-separated list allows it and the scope
 * (comma-separated "area:action"; NULL or "" for none) does not narrow it
 * away. */
bool authz_allows(const char *roles, const char *scope, authz_area area,
                  authz_action action);
/* The same for reading a FHIR resource type. */
bool authz_may_read_type(const char *roles, const char *scope,
                         const char *type);

/* The titles of the known roles in the list, lower case and joined
 * ("front desk" or "biller, front desk"), into out (always terminated);
 * for refusals. */
void authz_role_words(const char *roles, char *out, size_t cap);

/* The sentence of a refusal: "your role (front desk) may not read
 * clinical notes", into out (always terminated). */
void authz_refusal(const char *roles, authz_area area, authz_action action,
                   char *out, size_t cap);

#endif
