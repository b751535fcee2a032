/* authorize.h - the authorization filter (authorize.c), which routes.c
 * runs right after authentication on every routed request: SW_OK when the
 * signed-in user's roles (and a service account's scope) allow what the
 * route's access tag asks, else SW_EFORBIDDEN with a sentence for the
 * client. docs/security.md describes the model. */
#ifndef SW_SERVER_AUTHORIZE_H
#define SW_SERVER_AUTHORIZE_H

#include "http/http.h"

int server_authorize(sw_request *req, sw_response *res);

#endif
