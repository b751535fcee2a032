/* generate.c - the messages the PMS simulator sends, as a practice-
 * management system does: ADT^A04 when the front desk registers a new
 * patient, ADT^A08 when it changes one, and SIU^S12 / S13 / S15 when it
 * books, reschedules or cancels an appointment for one of them.
 *
 * The people are not made up here: the n-th new patient is person n of
 * the training master population for --seed (training/people.h: MRN,
 * name, birth date, sex, address, phone, coverage, clinician, kind of
 * visit), so interface tests and training share the same data. Slots and
 * moves come from a stream of the same seed, so a demo or a test sees the
 * same messages every run; control ids carry the start time as well, so
 * that a second run against the same EHR is not taken for resends of the
 * first. The segments are written by messages.c, as for the training
 * batch (batch.c). HL7 v2.5.1, processing id T unless told otherwise.
 * Called with the simulator's lock held. */
#include "pmssim/generate.h"

#include <stdio.h>
#include <string.h>

#include "hl7/writer.h"
#include "pmssim/messages.h"

#define SENDING_APP      "PMSSIM"
#define SENDING_FACILITY "SIMCLINIC"
#define AUTHORITY        "SIMPMS"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

void pmssim_generator_init(pmssim_generator *g, uint64_t seed,
                           const char *processing_id, int64_t now_ms)
{
    memset(g, 0, sizeof *g);
    g->processing_id = processing_id;
    g->seed = seed;
    /* Not the population's own streams (gen_people.c): another salt. */
    training_rng_seed(&g->rng, seed ^ 0x51A7ULL);
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t t = (uint64_t)(now_ms / 1000);
    char tmp[sizeof g->run];
    size_t n = 0;
    do {
        tmp[n++] = digits[t % 36];
        t /= 36;
    } while (t > 0 && n < sizeof tmp - 1);
    for (size_t i = 0; i < n; i++)
        g->run[i] = tmp[n - 1 - i];
}

bool pmssim_scenario_known(const char *name)
{
    static const char *const names[] = { "new-patient", "update-patient",
                                         "book", "reschedule", "cancel" };
    for (size_t i = 0; i < COUNT(names); i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static const char *next_control_id(pmssim_generator *g, char control_id[32])
{
    snprintf(control_id, 32, "SIM%s-%d", g->run, ++g->sent);
    return control_id;
}

static void adt(hl7_writer *w, pmssim_generator *g, const char *event,
                const training_person *pt, int64_t now_ms, char control_id[32])
{
    pmssim_sender s = { SENDING_APP, SENDING_FACILITY, AUTHORITY, g->processing_id };
    pmssim_write_adt(w, &s, event, next_control_id(g, control_id), now_ms, pt);
}

static void siu(hl7_writer *w, pmssim_generator *g, const char *event,
                const pmssim_appointment *ap, int64_t now_ms, char control_id[32])
{
    pmssim_sender s = { SENDING_APP, SENDING_FACILITY, AUTHORITY, g->processing_id };
    const training_person *pt = &g->patients[ap->patient];
    pmssim_booking b = { .id = ap->id, .start_ms = ap->start_ms, .minutes = ap->minutes,
                         .kind = training_visit_kind_at(ap->visit),
                         .clinician = training_clinician_at(pt->clinician),
                         .cancelled = ap->cancelled };
    pmssim_write_siu(w, &s, event, next_control_id(g, control_id), now_ms, &b, pt);
}

/* A weekday slot between 8:00 and 16:40 UTC, one to fourteen days out. */
static int64_t slot(pmssim_generator *g, int64_t now_ms)
{
    int64_t day = now_ms / 86400000 + 1 + training_rng_pick(&g->rng, 14);
    while ((day + 4) % 7 >= 5)          /* 1970-01-01 was a Thursday */
        day++;
    return day * 86400000 + (8 * 60 + 20 * training_rng_pick(&g->rng, 27)) * 60000LL;
}

static int last_open_appointment(const pmssim_generator *g)
{
    for (int i = g->nappointments - 1; i >= 0; i--)
        if (!g->appointments[i].cancelled)
            return i;
    return -1;
}

int pmssim_generate(pmssim_generator *g, const char *scenario, int64_t now_ms,
                    sw_buf *out, char control_id[32], sw_err *err)
{
    hl7_writer w;
    hl7_w_begin(&w, out);
    if (strcmp(scenario, "new-patient") == 0) {
        if (g->npatients == PMSSIM_MAX_PATIENTS)
            return sw_err_set(err, SW_ECONFLICT, "the simulator has generated "
                              "its %d patients; restart it", PMSSIM_MAX_PATIENTS);
        training_person *pt = &g->patients[g->npatients];
        training_person_at(g->seed, g->npatients++, now_ms, pt);
        adt(&w, g, "A04", pt, now_ms, control_id);
    } else if (strcmp(scenario, "update-patient") == 0) {
        if (g->npatients == 0)
            return sw_err_set(err, SW_ENOTFOUND, "no patient to update: send "
                              "new-patient first");
        training_person *pt = &g->patients[g->npatients - 1];
        training_person_move(pt, training_rng_next(&g->rng));   /* moved */
        adt(&w, g, "A08", pt, now_ms, control_id);
    } else if (strcmp(scenario, "book") == 0) {
        if (g->npatients == 0)
            return sw_err_set(err, SW_ENOTFOUND, "no patient to book for: "
                              "send new-patient first");
        if (g->nappointments == PMSSIM_MAX_APPOINTMENTS)
            return sw_err_set(err, SW_ECONFLICT, "the simulator has booked "
                              "its %d appointments; restart it",
                              PMSSIM_MAX_APPOINTMENTS);
        pmssim_appointment *ap = &g->appointments[g->nappointments];
        /* The kind of visit the training population books for them. */
        int visit = g->patients[g->npatients - 1].visit_kind;
        *ap = (pmssim_appointment){ .patient = g->npatients - 1,
                                    .start_ms = slot(g, now_ms),
                                    .minutes = training_visit_kind_at(visit)->minutes,
                                    .visit = visit };
        snprintf(ap->id, sizeof ap->id, "A%s%d", g->run, ++g->nappointments);
        siu(&w, g, "S12", ap, now_ms, control_id);
    } else if (strcmp(scenario, "reschedule") == 0
               || strcmp(scenario, "cancel") == 0) {
        int i = last_open_appointment(g);
        if (i < 0)
            return sw_err_set(err, SW_ENOTFOUND, "no booked appointment to "
                              "%s: send book first", scenario);
        pmssim_appointment *ap = &g->appointments[i];
        bool cancel = strcmp(scenario, "cancel") == 0;
        if (cancel)
            ap->cancelled = true;
        else {
            int64_t was = ap->start_ms;
            while (ap->start_ms == was)
                ap->start_ms = slot(g, now_ms);
        }
        siu(&w, g, cancel ? "S15" : "S13", ap, now_ms, control_id);
    } else {
        return sw_err_set(err, SW_EINVAL, "unknown scenario '%s': new-patient, "
                          "update-patient, book, reschedule or cancel", scenario);
    }
    int rc = hl7_w_end(&w);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, "the message does not fit");
}
