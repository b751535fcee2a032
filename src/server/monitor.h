/* monitor.h - what GET /metrics and GET /readyz need to know about the
 * running server beyond its sw_app: the scrape token, the HL7 listener,
 * and whether it is shutting down (docs/operations.md "Monitoring").
 *
 * One server runs per process, so this is process-wide state, set by
 * serve.c before the HTTP server starts (and server_monitor_stopping when
 * a stop signal arrives); handlers only read it. */
#ifndef SW_SERVER_MONITOR_H
#define SW_SERVER_MONITOR_H

#include <stdbool.h>

#include "http/http.h"

struct hl7_interface;

/* metrics_token: with it, /metrics needs "Authorization: Bearer TOKEN"
 * from every client; without it (NULL), /metrics answers loopback clients
 * only. The string is kept, not copied. mllp_configured: serve --mllp was
 * given, so /readyz requires the listener (hl7, may be NULL) to run. */
void server_monitor_configure(const char *metrics_token, bool mllp_configured,
                              const struct hl7_interface *hl7);
/* From now on /readyz answers 503 "shutting_down". */
void server_monitor_stopping(void);

/* For /readyz (health.c): a stop signal has arrived; serve --mllp was
 * given and its listener does not run. */
bool server_monitor_is_stopping(void);
bool server_monitor_mllp_down(void);

/* GET /metrics (api_metrics.c), served from health.c's table. */
int server_get_metrics(sw_request *req, sw_response *res);

#endif
