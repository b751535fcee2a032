/* readonly.h - the downtime copy: `stagewise serve --read-only`
 * (docs/operations.md "Downtime copy"). A server started read-only
 * refuses every write request up front (403, one sentence saying when the
 * copy is from and to use the paper downtime forms) and says so on GET
 * /api/environment, which the web app turns into a banner on every
 * screen. Sign-in and sign-out still work, and reads are still audited:
 * both write their rows (app_session, audit_log) into the copy itself,
 * which is a restored backup, never the production database. */
#ifndef SW_SERVER_READONLY_H
#define SW_SERVER_READONLY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "http/http.h"
#include "store/store.h"

/* Makes this process's server read-only, the copy's data being as of
 * copy_from_ms (0: unknown). Called once, before the server starts. */
void server_read_only_set(int64_t copy_from_ms);

/* Whether the server is read-only; *copy_from_ms when it is. */
bool server_read_only(int64_t *copy_from_ms);

/* The time the copy's data is from: its newest audit entry, the last
 * thing the production server recorded before the backup was taken
 * (0 when the trail is empty). */
int server_read_only_copy_time(sw_store *s, int64_t *out, sw_err *err);

/* Refuses to serve a database that lies inside a backup (an SQLite file
 * with the backup's manifest.json beside it): a read-only server writes
 * its sessions and read audit entries into the database it serves, which
 * would change the backup under its checksums. SW_EINVAL with a sentence
 * saying to restore it first. */
int server_read_only_target_ok(const char *db_url, sw_err *err);

/* The filter (routes.c, first): in a read-only server refuses every
 * request but GET, HEAD, OPTIONS, POST …/_search and sign-in or -out. */
int server_read_only_filter(sw_request *req, sw_response *res);

/* GET /api/environment: {"read_only": bool, "copy_from": ISO time|null}. */
extern const http_route_table readonly_routes;

#endif
