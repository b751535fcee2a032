/* api_json.c - the small pieces every /api handler that takes or gives
 * JSON shares: reading a bounded JSON body, answering JSON that must not
 * be cached, an error with a code of its own beyond the error table
 * ("mfa_required"), and the audit actor of a request. Bodies here are
 * small (a few members); jansson is fine for them (DESIGN.md §3). */
#include "app.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"

static bool is_json_media_type(const char *ct)
{
    sw_str s = sw_str_trim(sw_str_of(ct));
    if (!sw_str_skip_nocase(&s, "application/json"))
        return false;
    s = sw_str_trim(s);
    return s.n == 0 || s.p[0] == ';';
}

int server_json_body(sw_request *req, sw_response *res, size_t max,
                     json_t **out)
{
    *out = NULL;
    if (!is_json_media_type(http_header_get(req, "Content-Type")))
        return http_fail(res, SW_EMEDIA, "send the body as JSON with "
                         "Content-Type: application/json");
    if (req->body_len > max)
        return http_fail(res, SW_ETOOBIG, "this request's body is at most "
                         "%zu bytes", max);
    json_error_t je;
    json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                             &je);
    if (doc == NULL)
        /* The parser's text may quote the body (a code, a password): only
         * the position is passed on. */
        return http_fail(res, SW_EBADREQUEST, "the body is not valid JSON "
                         "(line %d, column %d)", je.line, je.column);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return http_fail(res, SW_EINVAL, "the body must be a JSON object");
    }
    *out = doc;
    return SW_OK;
}

int server_json_only_members(json_t *doc, const char *const *names,
                             sw_response *res)
{
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known)
            return http_fail(res, SW_EINVAL, "\"%.64s\" is not a member of "
                             "this request", key);
    }
    return SW_OK;
}

int server_json_strings(json_t *doc, const char *const *names, const char **out,
                        size_t n, sw_response *res)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(doc, names[i]);
        if (v && !json_is_string(v))
            return http_fail(res, SW_EINVAL, "\"%s\" must be a string", names[i]);
        out[i] = json_string_value(v);
    }
    return SW_OK;
}

int server_reply_json(sw_response *res, int status, json_t *doc)
{
    /* 15 significant digits: a BMI of 24.2 is sent as 24.2, not as the
     * nearest double's 17 digits. */
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    if (text == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    int rc = http_set_header(res, "Cache-Control", "no-store");
    if (rc == SW_OK)
        rc = http_reply(res, status, "application/json", text, strlen(text));
    /* The text may hold a secret (a session token, a TOTP secret, recovery
     * codes): wipe it before giving the memory back. */
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}

int server_fail_as(sw_response *res, int code, const char *id,
                   const char *msg)
{
    return server_fail_with(res, code, id, msg, NULL);
}

int server_fail_with(sw_response *res, int code, const char *id,
                     const char *msg, json_t *extra)
{
    json_t *doc = json_pack("{s:{s:s, s:s, s:[]}}", "error", "code", id,
                            "message", msg, "details");
    if (doc && extra)
        json_object_update(doc, extra);
    json_decref(extra);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    sw_buf_reset(&res->body);
    int rc = http_reply(res, sw_code_http_status(code), "application/json",
                        text, strlen(text));
    free(text);
    /* A status is set, so the server sends this body as it is. */
    return rc == SW_OK ? code : rc;
}

void server_audit_who(const sw_request *req, audit_who *who)
{
    const auth_session *s = server_principal(req);
    memset(who, 0, sizeof *who);
    who->practice_id = s ? s->practice_id : 0;
    who->user_id = s ? s->user_id : 0;
    who->username = s ? s->username : "";
    who->roles = s ? s->roles : "";
    who->client = http_client_address(req);
    who->request_id = req->request_id;
}

int server_store_failed(sw_response *res, int rc, const sw_err *err,
                        const char *what)
{
    if (rc == SW_ENOMEM)
        return http_fail(res, rc, NULL);
    if (rc == SW_ENOTFOUND || rc == SW_ECONFLICT)
        return http_fail(res, rc, "%s", sw_err_text(err));
    sw_warn("%s: %s", what, sw_err_text(err));
    return http_fail(res, SW_ESTORE, "%s could not be read or written; try "
                     "again", what);
}
