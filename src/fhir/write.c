/* write.c - Bundle heads and searchset entries (see write.h). */
#include "write.h"

#include "core/clock.h"
#include "fhir/resources.h"

void fhir_bundle_head(sw_jw *w, const char *type)
{
    char id[37], now[SW_TIME_ISO_MAX];
    fhir_new_id(id);
    sw_time_iso(sw_now_wall_ms(), now);
    sw_jw_object_begin(w);
    sw_jw_key(w, "resourceType");
    sw_jw_string(w, "Bundle");
    sw_jw_key(w, "id");
    sw_jw_string(w, id);
    sw_jw_key(w, "meta");
    sw_jw_object_begin(w);
    sw_jw_key(w, "lastUpdated");
    sw_jw_string(w, now);
    sw_jw_object_end(w);
    sw_jw_key(w, "type");
    sw_jw_string(w, type);
}

void fhir_bundle_search_entry(sw_jw *w, const char *full_url,
                              const char *body, size_t len, const char *mode)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "fullUrl");
    sw_jw_string(w, full_url ? full_url : "");
    sw_jw_key(w, "resource");
    sw_jw_raw(w, body, len);
    sw_jw_key(w, "search");
    sw_jw_object_begin(w);
    sw_jw_key(w, "mode");
    sw_jw_string(w, mode);
    sw_jw_object_end(w);
    sw_jw_object_end(w);
}

void fhir_write_coding(sw_jw *w, const char *system, const char *code,
                       const char *display)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "system");
    sw_jw_string(w, system);
    sw_jw_key(w, "code");
    sw_jw_string(w, code);
    if (display) {
        sw_jw_key(w, "display");
        sw_jw_string(w, display);
    }
    sw_jw_object_end(w);
}

void fhir_write_concept(sw_jw *w, const char *system, const char *code,
                        const char *display, const char *text)
{
    sw_jw_object_begin(w);
    sw_jw_key(w, "coding");
    sw_jw_array_begin(w);
    fhir_write_coding(w, system, code, display);
    sw_jw_array_end(w);
    if (text) {
        sw_jw_key(w, "text");
        sw_jw_string(w, text);
    }
    sw_jw_object_end(w);
}

void fhir_write_note(sw_jw *w, const char *text)
{
    sw_jw_key(w, "note");
    sw_jw_array_begin(w);
    sw_jw_object_begin(w);
    sw_jw_key(w, "text");
    sw_jw_string(w, text);
    sw_jw_object_end(w);
    sw_jw_array_end(w);
}
