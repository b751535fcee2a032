/* demo_server.h - the real HTTP application, served in-process on
 * 127.0.0.1 with a port of the system's choosing, for the demo history
 * (demo_history.c) to drive through its routes. It is assembled as
 * `stagewise serve` assembles it (store, rollout decision cache, courses,
 * the route tables and filters) minus what a history does not need: no
 * training environment, no HL7 v2 listener, no delivery worker, no web
 * files. Sessions last a year, so that a simulated clock moving over
 * months does not end them. */
#ifndef SW_DEMO_SERVER_H
#define SW_DEMO_SERVER_H

#include "core/errors.h"
#include "store/store.h"

typedef struct demo_server demo_server;

int  demo_server_start(sw_store *s, demo_server **out, sw_err *err);
int  demo_server_port(const demo_server *d);
/* Stops serving (requests in flight finish) and frees; NULL accepted. */
void demo_server_stop(demo_server *d);

#endif
