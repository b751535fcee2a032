/* outcome.c - building OperationOutcome resources (see outcome.h). */
#include "outcome.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"

int fhir_issue_add(sw_arena *a, fhir_issues *list, fhir_severity sev,
                   const char *code, const char *location, const char *fmt, ...)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        fhir_issue *items = sw_arena_alloc(a, cap * sizeof *items);
        if (items == NULL)
            return SW_ENOMEM;
        if (list->count)
            memcpy(items, list->items, list->count * sizeof *items);
        list->items = items;
        list->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = sw_arena_vprintf(a, fmt, ap);
    va_end(ap);
    fhir_issue *it = &list->items[list->count];
    memset(it, 0, sizeof *it);
    it->severity = sev;
    it->code = sw_arena_strdup(a, code);
    it->location = location ? sw_arena_strdup(a, location) : NULL;
    it->message = msg;
    if (msg == NULL || it->code == NULL || (location && it->location == NULL))
        return SW_ENOMEM;
    list->count++;
    if (sev == FHIR_SEVERITY_ERROR || sev == FHIR_SEVERITY_FATAL)
        list->errors++;
    return SW_OK;
}

static void write_issue(sw_jw *w, fhir_severity sev, const char *code,
                        const char *location, const char *message)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "severity");
    sw_jw_string(w, fhir_severity_name(sev));
    sw_jw_key(w, "code");
    sw_jw_string(w, code);
    if (message && message[0]) {
        sw_jw_key(w, "diagnostics");
        sw_jw_string(w, message);
    }
    if (location && location[0]) {
        sw_jw_key(w, "expression");
        sw_jw_array_begin(w);
        sw_jw_string(w, location);
        sw_jw_array_end(w);
    }
    sw_jw_object_end(w);
}

int fhir_outcome_write(sw_buf *out, const fhir_issues *list)
{
    sw_jw w;
    sw_jw_init(&w, out);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "OperationOutcome");
    sw_jw_key(&w, "issue");
    sw_jw_array_begin(&w);
    for (size_t i = 0; i < list->count; i++) {
        const fhir_issue *it = &list->items[i];
        write_issue(&w, it->severity, it->code, it->location, it->message);
    }
    if (list->count == 0)
        write_issue(&w, FHIR_SEVERITY_INFORMATION, "informational", NULL, "All OK");
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

int fhir_outcome_write_error(sw_buf *out, int code, const char *message)
{
    sw_jw w;
    sw_jw_init(&w, out);
    sw_jw_object_begin(&w);
    sw_jw_key(&w, "resourceType");
    sw_jw_string(&w, "OperationOutcome");
    sw_jw_key(&w, "issue");
    sw_jw_array_begin(&w);
    write_issue(&w, code == SW_OK ? FHIR_SEVERITY_INFORMATION : FHIR_SEVERITY_ERROR,
                sw_code_fhir_type(code), NULL, message);
    sw_jw_array_end(&w);
    sw_jw_object_end(&w);
    return sw_jw_finish(&w);
}

/* Issues attached to a response wait here until the renderer runs; the
 * request arena owns them. */
struct attached {
    const fhir_issues *issues;
};

int fhir_fail_issues(sw_request *req, sw_response *res, int code,
                     const fhir_issues *list)
{
    struct attached *at = sw_arena_alloc(req->arena, sizeof *at);
    if (at == NULL)
        return http_fail(res, SW_ENOMEM, NULL);
    at->issues = list;
    res->context = at;
    const char *first = list->count ? list->items[0].message : NULL;
    return http_fail(res, code, "%s", first ? first : sw_code_message(code));
}

void fhir_render_error(sw_request *req, sw_response *res, int code)
{
    (void)req;
    const struct attached *at = res->context;
    sw_buf_reset(&res->body);
    res->status = sw_code_http_status(code);
    res->content_type = "application/fhir+json; charset=utf-8";
    int rc;
    if (at != NULL && at->issues->count > 0) {
        rc = fhir_outcome_write(&res->body, at->issues);
    } else {
        const char *msg = res->err.code == code && res->err.msg[0]
                        ? res->err.msg : sw_code_message(code);
        rc = fhir_outcome_write_error(&res->body, code, msg);
    }
    if (rc != SW_OK) {
        sw_buf_reset(&res->body);
        fhir_outcome_write_error(&res->body, code, sw_code_message(code));
    }
    http_set_header(res, "Cache-Control", "no-store");
}
