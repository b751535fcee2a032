/* response.c - building responses: headers, bodies, and the JSON error shape
 * that every non-FHIR route answers with:
 *
 *   {"error":{"code":"not_found","message":"…","details":[]}}
 *
 * `code` is the id from the error table (core/errors.h), stable for clients
 * to test; `message` is one sentence for people. */
#include "http.h"

#include <jansson.h>
#include <stdarg.h>
#include <string.h>

int http_set_header(sw_response *res, const char *name, const char *value)
{
    http_header *h = sw_arena_alloc(res->arena, sizeof *h);
    if (h == NULL)
        return SW_ENOMEM;
    h->name = sw_arena_strdup(res->arena, name);
    h->value = sw_arena_strdup(res->arena, value);
    if (h->name == NULL || h->value == NULL)
        return SW_ENOMEM;
    h->next = res->headers;
    res->headers = h;
    return SW_OK;
}

int http_reply(sw_response *res, int status, const char *content_type,
               const void *body, size_t n)
{
    res->status = status;
    res->content_type = content_type;
    return sw_buf_append(&res->body, body, n);
}

int http_fail(sw_response *res, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sw_err_vset(&res->err, code, fmt, ap);
    va_end(ap);
    return code;
}

void http_render_json_error(sw_request *req, sw_response *res, int code)
{
    (void)req;
    const char *msg = res->err.code == code && res->err.msg[0]
                    ? res->err.msg : sw_code_message(code);
    json_t *doc = json_pack("{s:{s:s, s:s, s:[]}}", "error",
                            "code", sw_code_id(code),
                            "message", msg,
                            "details");
    if (doc == NULL && msg != sw_code_message(code))   /* e.g. not UTF-8 */
        doc = json_pack("{s:{s:s, s:s, s:[]}}", "error",
                        "code", sw_code_id(code),
                        "message", sw_code_message(code),
                        "details");
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    sw_buf_reset(&res->body);
    res->status = sw_code_http_status(code);
    res->content_type = "application/json";
    if (text != NULL) {
        sw_buf_puts(&res->body, text);
    } else {
        /* Out of memory: still answer with the right shape. */
        sw_buf_puts(&res->body, "{\"error\":{\"code\":\"out_of_memory\","
                    "\"message\":\"The server ran out of memory.\",\"details\":[]}}");
    }
    free(text);
    json_decref(doc);
}
