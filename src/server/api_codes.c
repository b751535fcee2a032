/* api_codes.c - what the note editor looks up as the clinician types
 * (docs/workflows.md, "The visit note", "Coding"):
 *
 *   GET /api/codes?system=icd10cm|cpt&q=TEXT   at most 20 codes
 *   GET /api/note-templates                    the SOAP templates
 *
 * Both answer from tables compiled into the server (src/clinical/codes.h,
 * notes.h): no database, so search-as-you-type stays fast. */
#include "app.h"

#include <string.h>

#include "clinical/codes.h"
#include "clinical/notes.h"

#define CODES_QUERY_MAX 100

static int get_codes(sw_request *req, sw_response *res)
{
    const char *system = http_query_get(req, "system");
    const char *q = http_query_get(req, "q");
    codes_table t;
    if (system && strcmp(system, "icd10cm") == 0)
        t = CODES_DIAGNOSES;
    else if (system && (strcmp(system, "cpt") == 0 || strcmp(system, "hcpcs") == 0))
        t = CODES_PROCEDURES;
    else
        return http_fail(res, SW_EINVAL, "\"system\" must be icd10cm or cpt");
    if (q == NULL || strlen(q) > CODES_QUERY_MAX)
        return http_fail(res, SW_EINVAL, "\"q\" must be 1 to %d characters",
                         CODES_QUERY_MAX);
    const code_entry *found[CODES_SEARCH_MAX];
    size_t n = codes_search(t, q, found, CODES_SEARCH_MAX);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        const char *s = codes_system(t, found[i]->code);
        const char *name = strcmp(s, CODES_ICD10CM_SYSTEM) == 0 ? "icd10cm"
                         : strcmp(s, CODES_HCPCS_SYSTEM) == 0 ? "hcpcs" : "cpt";
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "system",
                              name, "uri", s, "code", found[i]->code,
                              "display", found[i]->display));
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "codes", list));
}

static int get_templates(sw_request *req, sw_response *res)
{
    (void)req;
    size_t n;
    const note_template *t = note_templates(&n);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *sections = json_object();
        for (int k = 0; sections && k < NOTE_SECTIONS; k++)
            json_object_set_new(sections, note_sections[k].name,
                                json_string(t[i].sections[k]));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "id",
                              t[i].id, "title", t[i].title, "visit_type",
                              t[i].visit_type, "sections", sections));
    }
    return server_reply_json(res, 200, json_pack("{s:o}", "templates", list));
}

static const http_route routes[] = {
    { "GET", "/api/codes", get_codes, 0, "notes:read" },
    { "GET", "/api/note-templates", get_templates, 0, "notes:read" },
};

const http_route_table codes_routes = {
    .name = "codes",
    .routes = routes,
    .count = sizeof routes / sizeof routes[0],
};
