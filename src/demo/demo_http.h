/* demo_http.h - the smallest HTTP/1.1 client that can drive the server
 * the demo history runs in-process (demo_server.h): one keep-alive
 * connection over loopback, JSON bodies with Content-Length, a Bearer
 * token. It exists so the demo's history is written by the same routes,
 * filters and workflow code as a browser's clicks, not by rows written
 * directly; it is not a general client (no TLS, no chunked bodies, no
 * redirects). */
#ifndef SW_DEMO_HTTP_H
#define SW_DEMO_HTTP_H

#include <jansson.h>

#include "core/errors.h"

typedef struct demo_http demo_http;

/* Connects to 127.0.0.1:port. */
int  demo_http_open(int port, demo_http **out, sw_err *err);
void demo_http_close(demo_http *c);

/* One request. bearer (may be NULL) is the token sent as "Authorization:
 * Bearer"; body (may be NULL, not consumed) is sent as application/json,
 * or text with content_type when body_text is given instead. *status gets
 * the HTTP status; *reply (may be NULL) the parsed JSON answer (NULL for
 * an empty or non-JSON body), the caller's to json_decref. SW_OK whenever
 * an answer arrived, whatever its status; an error only when the
 * connection failed (a dropped keep-alive connection is reopened once). */
int  demo_http_call(demo_http *c, const char *method, const char *path,
                    const char *bearer, json_t *body, long *status,
                    json_t **reply, sw_err *err);

#endif
