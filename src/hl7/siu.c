/* siu.c - SIU^S12/S13/S14/S15 as FHIR Appointments (see siu.h).
 *
 * The appointment is known by the PMS's ids (SCH-2 filler, SCH-1 placer),
 * so every message about it updates the same Appointment; one for an
 * appointment we never saw creates it (even a cancellation, which then
 * records that it was cancelled). The patient must be known by PID-3
 * (an SIU does not register patients: the ADT does). The Appointment has
 * the shape the schedule screen reads (api_schedule.c): the Patient and
 * the Practitioner as participants' actors, start and end as instants,
 * appointmentType and reasonCode with text. */
#include "hl7/siu.h"

#include <stdio.h>
#include <string.h>

#include "fhir/resources.h"
#include "hl7/adt.h"
#include "hl7/writer.h"

#define FILLER_SYSTEM HL7_PMS_SYSTEM "appointment-filler"
#define PLACER_SYSTEM HL7_PMS_SYSTEM "appointment-placer"

static const char *text(hl7_map *c, const char *seg, size_t field,
                        size_t comp, size_t sub)
{
    const char *t = hl7_map_get(c, seg, 1, field, 1, comp, sub);
    return t == HL7_NULL_TEXT ? NULL : t;
}

static sw_json *codeable(hl7_map *c, const char *seg, size_t field)
{
    const char *code = text(c, seg, field, 1, 1);
    const char *display = text(c, seg, field, 2, 1);
    if (code == NULL && display == NULL)
        return NULL;
    sw_json *cc = hl7_j_obj(c);
    if (code) {
        sw_json *codings = hl7_j_arr(c), *coding = hl7_j_obj(c);
        hl7_j_set_str(c, coding, "code", code);
        if (display)
            hl7_j_set_str(c, coding, "display", display);
        hl7_j_push(c, codings, coding);
        hl7_j_set(c, cc, "coding", codings);
    }
    hl7_j_set_str(c, cc, "text", display ? display : code);
    return cc;
}

/* Minutes of a duration and its units (ISO+ / ANSI: s, min, h, d). */
static int64_t minutes_of(const char *amount, const char *unit)
{
    long n = 0;
    if (amount == NULL || sscanf(amount, "%ld", &n) != 1 || n <= 0 || n > 100000)
        return 0;
    if (unit == NULL || !strcmp(unit, "min") || !strcmp(unit, "m")
        || !strcmp(unit, "MIN") || !strcmp(unit, "M"))
        return n;
    if (!strcmp(unit, "s") || !strcmp(unit, "S"))
        return n / 60;
    if (!strcmp(unit, "h") || !strcmp(unit, "H") || !strcmp(unit, "hr"))
        return n * 60;
    if (!strcmp(unit, "d") || !strcmp(unit, "D"))
        return n * 24 * 60;
    return 0;
}

/* Start and end: TQ1-7 / TQ1-8 (v2.6+), SCH-11.4 / SCH-11.5, else the
 * first resource's start (AIS-4, AIL-6, AIP-6) and duration; else the
 * end is the start plus SCH-9 (in SCH-10's units). */
static bool map_times(hl7_map *c, sw_json *ap)
{
    static const struct { const char *seg; size_t start, comp, end, dur, unit; } src[] = {
        { "TQ1", 7, 1, 8, 0, 0 }, { "SCH", 11, 4, 11, 0, 0 },
        { "AIS", 4, 1, 0, 7, 8 }, { "AIL", 6, 1, 0, 9, 10 },
        { "AIP", 6, 1, 0, 9, 10 },
    };
    char start[32] = "", end[32] = "";
    int64_t start_ms = 0, end_ms = 0, minutes = 0;
    for (size_t i = 0; i < sizeof src / sizeof src[0] && !start[0]; i++) {
        const char *s = text(c, src[i].seg, src[i].start, src[i].comp, 1);
        if (s == NULL)
            continue;
        if (!hl7_map_instant(s, start, &start_ms)) {
            hl7_map_error(c, src[i].seg, (int)src[i].start, src[i].comp > 1
                          ? (int)src[i].comp : 0, "102", "%s-%zu (the "
                          "appointment's start) is not a valid date and time",
                          src[i].seg, src[i].start);
            return false;
        }
        const char *e = src[i].end ? text(c, src[i].seg, src[i].end,
                                          src[i].comp > 1 ? 5 : 1, 1) : NULL;
        if (e && !hl7_map_instant(e, end, &end_ms)) {
            hl7_map_error(c, src[i].seg, (int)src[i].end, src[i].comp > 1 ? 5 : 0,
                          "102", "%s-%zu (the appointment's end) is not a valid "
                          "date and time", src[i].seg, src[i].end);
            return false;
        }
        if (src[i].dur)
            minutes = minutes_of(text(c, src[i].seg, src[i].dur, 1, 1),
                                 text(c, src[i].seg, src[i].unit, 1, 1));
    }
    if (!start[0]) {
        hl7_map_error(c, "SCH", 11, 4, "101", "the appointment's start is "
                      "required (TQ1-7, SCH-11.4 or AIS-4)");
        return false;
    }
    if (minutes == 0)
        minutes = minutes_of(text(c, "SCH", 9, 1, 1), text(c, "SCH", 10, 1, 1));
    hl7_j_set_str(c, ap, "start", start);
    if (!end[0] && minutes > 0) {
        /* The end in the start's own offset. */
        end_ms = start_ms + minutes * 60000;
        char dtm[40];
        int off = 0;
        size_t n = strlen(start);
        if (n >= 25) {
            off = ((start[n - 5] - '0') * 10 + (start[n - 4] - '0')) * 60
                  + (start[n - 2] - '0') * 10 + (start[n - 1] - '0');
            if (start[n - 6] == '-')
                off = -off;
        }
        char when[15];
        hl7_time(end_ms + (int64_t)off * 60000, when);
        int a = off < 0 ? -off : off;
        snprintf(dtm, sizeof dtm, "%.14s%c%02d%02d", when, off < 0 ? '-' : '+',
                 (a / 60) % 100, a % 60);
        hl7_map_instant(dtm, end, &end_ms);
    }
    if (end[0]) {
        if (end_ms < start_ms) {
            hl7_map_error(c, "TQ1", 8, 0, "102", "the appointment ends before "
                          "it starts");
            return false;
        }
        hl7_j_set_str(c, ap, "end", end);
        if (end_ms > start_ms)
            hl7_j_set(c, ap, "minutesDuration",
                      sw_json_new_int(c->a, (end_ms - start_ms) / 60000));
    }
    return true;
}

static sw_json *participant(hl7_map *c, sw_json *actor)
{
    sw_json *p = hl7_j_obj(c);
    hl7_j_set(c, p, "actor", actor);
    hl7_j_set_str(c, p, "status", "accepted");
    return p;
}

/* The practitioner of each AIP: a reference when a Practitioner has the
 * AIP-3 id as its NPI (or any identifier), else its name as display. */
static int map_practitioners(hl7_map *c, sw_json *list)
{
    for (size_t occ = 1; hl7_segment_find(c->m, "AIP", occ) != NULL; occ++) {
        const char *pid = hl7_map_get(c, "AIP", occ, 3, 1, 1, 1);
        const char *family = hl7_map_get(c, "AIP", occ, 3, 1, 2, 1);
        const char *given = hl7_map_get(c, "AIP", occ, 3, 1, 3, 1);
        if (pid == HL7_NULL_TEXT)
            pid = NULL;
        if (family == HL7_NULL_TEXT)
            family = NULL;
        if (given == HL7_NULL_TEXT)
            given = NULL;
        if (pid == NULL && family == NULL)
            continue;
        const char *found = NULL;
        int rc = SW_OK;
        if (pid && (rc = hl7_map_find(c, "Practitioner", "identifier",
                                      HL7_NPI_SYSTEM, pid, &found)) == SW_OK
            && found == NULL)
            rc = hl7_map_find(c, "Practitioner", "identifier", NULL, pid, &found);
        if (rc != SW_OK)
            return rc;
        sw_json *actor = hl7_j_obj(c);
        if (found)
            hl7_j_set_str(c, actor, "reference",
                          sw_arena_printf(c->a, "Practitioner/%s", found));
        const char *display = sw_arena_printf(c->a, "%s%s%s", given ? given : "",
                                              given && family ? " " : "",
                                              family ? family : "");
        if (display && display[0])
            hl7_j_set_str(c, actor, "display", display);
        else if (!found)
            hl7_j_set_str(c, actor, "display", pid);
        hl7_j_push(c, list, participant(c, actor));
    }
    return SW_OK;
}

/* AIL-3 (a PL) as the location's display: its description (AIL-3.9), or
 * point of care, room and facility. */
static void map_location(hl7_map *c, sw_json *list)
{
    const char *desc = text(c, "AIL", 3, 9, 1);
    const char *parts[3] = { text(c, "AIL", 3, 1, 1), text(c, "AIL", 3, 2, 1),
                             text(c, "AIL", 3, 4, 1) };
    char buf[300] = "";
    if (desc)
        snprintf(buf, sizeof buf, "%s", desc);
    for (size_t i = 0; !desc && i < 3; i++)
        if (parts[i]) {
            size_t n = strlen(buf);
            snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", parts[i]);
        }
    if (!buf[0])
        return;
    sw_json *actor = hl7_j_obj(c);
    hl7_j_set_str(c, actor, "type", "Location");
    hl7_j_set_str(c, actor, "display", buf);
    hl7_j_push(c, list, participant(c, actor));
}

int hl7_siu_apply(hl7_map *c, const char *trigger)
{
    if (hl7_segment_find(c->m, "SCH", 1) == NULL)
        return hl7_map_error(c, "SCH", 0, 0, "100", "the message has no SCH "
                             "segment");
    const char *filler = text(c, "SCH", 2, 1, 1), *placer = text(c, "SCH", 1, 1, 1);
    if (filler == NULL && placer == NULL)
        return hl7_map_error(c, "SCH", 2, 0, "101", "SCH-2 (filler appointment "
                             "id) or SCH-1 (placer appointment id) is required");
    if (hl7_segment_find(c->m, "PID", 1) == NULL)
        return hl7_map_error(c, "PID", 0, 0, "100", "the message has no PID "
                             "segment: it names the patient");
    const char *patient, *id = NULL;
    int rc = hl7_adt_find_patient(c, &patient);
    if (rc != SW_OK)
        return rc;
    if (patient == NULL)
        return hl7_map_error(c, "PID", 3, 0, "204", "PID-3 names no patient the "
                             "EHR knows: send the patient's ADT first");
    snprintf(c->patient_id, sizeof c->patient_id, "%s", patient);
    if (filler && (rc = hl7_map_find(c, "Appointment", "identifier",
                                     FILLER_SYSTEM, filler, &id)) != SW_OK)
        return rc;
    if (id == NULL && placer && (rc = hl7_map_find(c, "Appointment",
                     "identifier", PLACER_SYSTEM, placer, &id)) != SW_OK)
        return rc;
    sw_json *ap = NULL;
    if (id && (rc = hl7_map_read(c, "Appointment", id, &ap)) != SW_OK)
        return rc;
    char fresh[37];
    const char *old_status = ap ? sw_json_get_string(ap, "status") : NULL;
    if (ap == NULL) {
        fhir_new_id(fresh);
        id = fresh;
        ap = hl7_j_obj(c);
        hl7_j_set_str(c, ap, "resourceType", "Appointment");
    }
    sw_json *idents = hl7_j_arr(c);
    const char *sys[2] = { FILLER_SYSTEM, PLACER_SYSTEM };
    const char *val[2] = { filler, placer };
    for (int i = 0; i < 2; i++) {
        if (val[i] == NULL)
            continue;
        sw_json *x = hl7_j_obj(c);
        hl7_j_set_str(c, x, "system", sys[i]);
        hl7_j_set_str(c, x, "value", val[i]);
        hl7_j_push(c, idents, x);
    }
    hl7_j_set(c, ap, "identifier", idents);
    /* S15 cancels; S14 changes details but not where the visit stands
     * (an arrived patient stays arrived); S12 and S13 book. */
    const char *status = !strcmp(trigger, "S15") ? "cancelled"
                       : !strcmp(trigger, "S14") && old_status ? old_status
                       : "booked";
    hl7_j_set_str(c, ap, "status", status);
    sw_json *type = codeable(c, "SCH", 8), *reason = codeable(c, "SCH", 7);
    if (type)
        hl7_j_set(c, ap, "appointmentType", type);
    if (reason) {
        sw_json *list = hl7_j_arr(c);
        hl7_j_push(c, list, reason);
        hl7_j_set(c, ap, "reasonCode", list);
    }
    if (!map_times(c, ap))
        return SW_EINVAL;
    sw_json *parts = hl7_j_arr(c), *pt = hl7_j_obj(c);
    hl7_j_set_str(c, pt, "reference", sw_arena_printf(c->a, "Patient/%s", patient));
    hl7_j_push(c, parts, participant(c, pt));
    if ((rc = map_practitioners(c, parts)) != SW_OK)
        return rc;
    map_location(c, parts);
    hl7_j_set(c, ap, "participant", parts);
    return hl7_map_put(c, "Appointment", id, ap);
}
