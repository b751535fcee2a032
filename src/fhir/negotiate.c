/* negotiate.c - Accept, _format, Content-Type and Prefer (see negotiate.h).
 * Header values are short and parsed by hand: media ranges separated by
 * commas, parameters by semicolons, a q of 0 meaning "not acceptable". */
#include "negotiate.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

static bool json_media(sw_str type)
{
    static const char *const ok[] = {
        "application/fhir+json", "application/json", "application/json+fhir",
        "application/*", "*/*", "text/json",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (type.n == strlen(ok[i]) && strncasecmp(type.p, ok[i], type.n) == 0)
            return true;
    return false;
}

/* Whether a media range's parameters say q=0. */
static bool q_is_zero(sw_str params)
{
    sw_str p;
    while (params.n) {
        sw_str_split(&params, ';', &p);
        p = sw_str_trim(p);
        if (p.n >= 2 && (p.p[0] == 'q' || p.p[0] == 'Q') && p.p[1] == '=') {
            bool zero = true;
            for (size_t i = 2; i < p.n; i++)
                if (p.p[i] != '0' && p.p[i] != '.')
                    zero = false;
            return zero;
        }
    }
    return false;
}

static bool accept_allows_json(const char *accept)
{
    sw_str rest = sw_str_of(accept), range;
    while (rest.n) {
        sw_str_split(&rest, ',', &range);
        sw_str params = range, type;
        sw_str_split(&params, ';', &type);
        if (json_media(sw_str_trim(type)) && !q_is_zero(params))
            return true;
    }
    return false;
}

int fhir_check_accept(const sw_request *req, sw_response *res)
{
    const char *format = http_query_get(req, "_format");
    if (format != NULL) {
        static const char *const ok[] = {
            "json", "application/json", "application/fhir+json",
            "application/json+fhir",
        };
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            if (strcasecmp(format, ok[i]) == 0)
                return SW_OK;
        return http_fail(res, SW_ENOTACCEPT, "this _format is not available; "
                         "this server speaks FHIR JSON only (_format=json)");
    }
    const char *accept = http_header_get(req, "Accept");
    if (accept == NULL || accept[0] == '\0' || accept_allows_json(accept))
        return SW_OK;
    return http_fail(res, SW_ENOTACCEPT, "this server answers in FHIR JSON "
                     "only; send Accept: application/fhir+json");
}

int fhir_check_content_type(const sw_request *req, sw_response *res)
{
    const char *ct = http_header_get(req, "Content-Type");
    if (ct == NULL)
        return http_fail(res, SW_EMEDIA, "the request has no Content-Type; "
                         "send Content-Type: application/fhir+json");
    sw_str params = sw_str_of(ct), type;
    sw_str_split(&params, ';', &type);
    type = sw_str_trim(type);
    bool ok = false;
    static const char *const types[] = {
        "application/fhir+json", "application/json", "application/json+fhir",
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (type.n == strlen(types[i]) && strncasecmp(type.p, types[i], type.n) == 0)
            ok = true;
    if (!ok)
        return http_fail(res, SW_EMEDIA, "the body must be FHIR JSON; send "
                         "Content-Type: application/fhir+json");
    sw_str p;
    while (params.n) {
        sw_str_split(&params, ';', &p);
        p = sw_str_trim(p);
        if (p.n > 8 && strncasecmp(p.p, "charset=", 8) == 0) {
            sw_str cs = sw_str_make(p.p + 8, p.n - 8);
            if (!(cs.n == 5 && strncasecmp(cs.p, "utf-8", 5) == 0)
                && !(cs.n == 7 && strncasecmp(cs.p, "\"utf-8\"", 7) == 0))
                return http_fail(res, SW_EMEDIA, "the body must be UTF-8 "
                                 "(charset=utf-8)");
        }
    }
    return SW_OK;
}

/* The value of one Prefer preference ("return", "handling"), or NULL. */
static bool prefer_has(const sw_request *req, const char *name, const char *value)
{
    const char *prefer = http_header_get(req, "Prefer");
    if (prefer == NULL)
        return false;
    sw_str rest = sw_str_of(prefer), item;
    while (rest.n) {
        sw_str_split(&rest, ',', &item);
        sw_str pref = item, kv;
        sw_str_split(&pref, ';', &kv);
        kv = sw_str_trim(kv);
        sw_str key;
        if (!sw_str_split(&kv, '=', &key))
            continue;
        key = sw_str_trim(key);
        kv = sw_str_trim(kv);
        if (kv.n >= 2 && kv.p[0] == '"' && kv.p[kv.n - 1] == '"') {
            kv.p++;
            kv.n -= 2;
        }
        if (key.n == strlen(name) && strncasecmp(key.p, name, key.n) == 0
            && kv.n == strlen(value) && strncasecmp(kv.p, value, kv.n) == 0)
            return true;
    }
    return false;
}

fhir_return fhir_prefer_return(const sw_request *req)
{
    if (prefer_has(req, "return", "minimal"))
        return FHIR_RETURN_MINIMAL;
    if (prefer_has(req, "return", "OperationOutcome"))
        return FHIR_RETURN_OUTCOME;
    return FHIR_RETURN_REPRESENTATION;
}

bool fhir_prefer_lenient(const sw_request *req)
{
    return prefer_has(req, "handling", "lenient");
}

const char *fhir_base_url(const sw_request *req)
{
    const char *host = http_header_get(req, "Host");
    if (host == NULL || host[0] == '\0' || strpbrk(host, " /\\\"<>") != NULL)
        host = "localhost";
    /* Under a mount (/training) the FHIR base is the mount's. */
    return sw_arena_printf(req->arena, "http://%s%s/fhir", host,
                           req->mount ? req->mount : "");
}
