/* received.c - the PMS simulator's log of what it received: one entry per
 * sender and control id (MSH-10), with the details a test or a trainer
 * looks for (the patient, each FT1's code, type and provider NPI), how it
 * was answered, and how many times it came again. Optionally every receipt
 * is appended to a record file as one JSON line, flushed at once, so a
 * demo leaves a trace even if the simulator is killed.
 *
 * Called with the simulator's lock held. A few hundred entries in a demo
 * or a test run: a linear search is enough. */
#include "pmssim/pmssim_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

static const char *or_empty(const char *s)
{
    return s && s != HL7_NULL_TEXT ? s : "";
}

static char *join_ft1(const hl7_message *m, size_t field)
{
    sw_buf b = SW_BUF_INIT(64 * 1024);
    for (size_t i = 1; hl7_segment_find(m, "FT1", i) != NULL; i++) {
        if (i > 1)
            sw_buf_putc(&b, ',');
        sw_buf_puts(&b, or_empty(hl7_get(m, "FT1", i, field, 1, 1, 1)));
    }
    size_t n;
    char *s = sw_buf_detach(&b, &n);
    return s ? s : sw_strdup("");
}

/* What fill() gives an entry: a refresh replaces just these. */
static void details_free(pmssim_received *r)
{
    sw_free(r->type);
    sw_free(r->patient_id);
    sw_free(r->codes);
    sw_free(r->npis);
    sw_free(r->kinds);
    sw_free(r->text);
}

static void entry_free(pmssim_received *r)
{
    sw_free(r->control_id);
    sw_free(r->sender);
    details_free(r);
}

static char *sender_of(const hl7_message *m)
{
    const char *app = or_empty(hl7_get(m, "MSH", 1, 3, 1, 1, 1));
    const char *fac = or_empty(hl7_get(m, "MSH", 1, 4, 1, 1, 1));
    size_t n = strlen(app) + strlen(fac) + 2;
    char *s = sw_malloc(n);
    if (s)
        snprintf(s, n, "%s^%s", app, fac);
    return s;
}

/* Fills r's details from m; false when out of memory (r half-filled is
 * freed by the caller). */
static bool fill(pmssim_received *r, const hl7_message *m, const char *text,
                 size_t len)
{
    const char *t1 = or_empty(hl7_get(m, "MSH", 1, 9, 1, 1, 1));
    const char *t2 = or_empty(hl7_get(m, "MSH", 1, 9, 1, 2, 1));
    size_t tn = strlen(t1) + strlen(t2) + 2;
    r->type = sw_malloc(tn);
    if (r->type)
        snprintf(r->type, tn, "%s%s%s", t1, t2[0] ? "^" : "", t2);
    r->patient_id = sw_strdup(or_empty(hl7_get(m, "PID", 1, 3, 1, 1, 1)));
    r->codes = join_ft1(m, 7);
    r->npis = join_ft1(m, 20);
    r->kinds = join_ft1(m, 6);
    r->text = sw_malloc(len + 1);
    if (r->text) {
        memcpy(r->text, text, len);
        r->text[len] = '\0';
    }
    return r->type && r->patient_id && r->codes && r->npis && r->kinds && r->text;
}

pmssim_received *pmssim_log_find(pmssim_log *l, const char *sender,
                                 const char *control_id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].control_id, control_id) == 0
            && strcmp(l->items[i].sender, sender) == 0)
            return &l->items[i];
    return NULL;
}

pmssim_received *pmssim_log_add(pmssim_log *l, const hl7_message *m,
                                const char *text, size_t len, int64_t now_ms)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        pmssim_received *items = sw_realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            return NULL;
        l->items = items;
        l->cap = cap;
    }
    pmssim_received *r = &l->items[l->n];
    memset(r, 0, sizeof *r);
    r->control_id = sw_strdup(or_empty(hl7_get(m, "MSH", 1, 10, 1, 1, 1)));
    r->sender = sender_of(m);
    if (r->control_id == NULL || r->sender == NULL || !fill(r, m, text, len)) {
        entry_free(r);
        return NULL;
    }
    r->received_at = now_ms;
    r->attempts = 1;
    l->n++;
    return r;
}

int pmssim_log_refresh(pmssim_received *r, const hl7_message *m,
                       const char *text, size_t len)
{
    pmssim_received fresh = *r;
    fresh.type = fresh.patient_id = fresh.codes = fresh.npis = NULL;
    fresh.kinds = fresh.text = NULL;
    if (!fill(&fresh, m, text, len)) {
        details_free(&fresh);
        return SW_ENOMEM;
    }
    details_free(r);
    *r = fresh;
    return SW_OK;
}

void pmssim_log_record(pmssim_log *l, const char *control_id, const char *type,
                       const char *text, size_t len, int64_t now_ms)
{
    if (l->record == NULL)
        return;
    char when[SW_TIME_ISO_MAX];
    sw_time_iso(now_ms, when);
    json_t *line = json_pack("{s:s, s:s, s:s, s:s%}", "time", when,
                             "control_id", control_id, "type", type,
                             "text", text, len);
    char *s = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (s) {
        fputs(s, l->record);
        fputc('\n', l->record);
        fflush(l->record);
    }
    free(s);
    json_decref(line);
}

void pmssim_log_clear(pmssim_log *l)
{
    for (size_t i = 0; i < l->n; i++)
        entry_free(&l->items[i]);
    l->n = 0;
}

static json_t *split(const char *list)
{
    json_t *a = json_array();
    const char *p = list;
    while (a && *p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (comma != NULL);
    }
    return a;
}

static const char *outcome_name(pmssim_outcome o)
{
    switch (o) {
    case PMSSIM_KEPT:     return "kept";
    case PMSSIM_REJECTED: return "rejected";
    case PMSSIM_REFUSED:  return "refused";
    }
    return "";
}

json_t *pmssim_received_json(const pmssim_received *r)
{
    char when[SW_TIME_ISO_MAX];
    sw_time_iso(r->received_at, when);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, "
                     "s:i, s:i}",
                     "control_id", r->control_id, "sender", r->sender,
                     "type", r->type, "patient_id", r->patient_id,
                     "ft1_codes", split(r->codes), "ft1_types", split(r->kinds),
                     "npi", split(r->npis), "answer", r->answer,
                     "outcome", outcome_name(r->outcome), "received_at", when,
                     "attempts", r->attempts, "duplicates", r->duplicates);
}

json_t *pmssim_log_json(const pmssim_log *l)
{
    json_t *list = json_array();
    int duplicates = 0;
    for (size_t i = 0; list && i < l->n; i++) {
        json_array_append_new(list, pmssim_received_json(&l->items[i]));
        duplicates += l->items[i].duplicates;
    }
    return json_pack("{s:o, s:I, s:i}", "received", list,
                     "count", (json_int_t)l->n, "duplicates", duplicates);
}
