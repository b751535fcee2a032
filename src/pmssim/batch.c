/* batch.c - the training master population as the practice-management
 * system would send it (pmssim_training_batch, generate.h): one ADT^A04
 * per patient and one SIU^S12 per booked appointment, in one batch file
 * (FHS/BHS ... BTS/FTS). Same people, same appointments (start, kind,
 * clinician) as training_generate_master for the same seed and day, and
 * written by the same code as the simulator's messages (messages.c).
 * It lives with the simulator rather than in src/training because
 * training comes before hl7 in the area order: training owns the people,
 * this area the messages. */
#include "pmssim/generate.h"

#include <stdio.h>

#include "hl7/writer.h"
#include "pmssim/messages.h"
#include "training/people.h"

#define APP      "STAGEWISE-TRAINING"
#define FACILITY "TRAINING"

int pmssim_training_batch(uint64_t seed, int npatients, int64_t now_ms, sw_buf *out,
                          sw_err *err)
{
    if (npatients < 0 || npatients > 10000)
        return sw_err_set(err, SW_EINVAL, "the number of patients must be 0-10000");
    pmssim_sender s = { APP, FACILITY, FACILITY, "T" };
    char t[15];
    hl7_time(now_ms, t);
    int rc = sw_buf_printf(out, "FHS|^~\\&|%s|%s|STAGEWISE|STAGEWISE|%s\r"
                           "BHS|^~\\&|%s|%s|STAGEWISE|STAGEWISE|%s\r",
                           APP, FACILITY, t, APP, FACILITY, t);
    int nmsg = 0;
    for (int i = 0; rc == SW_OK && i < npatients; i++) {
        training_person p;
        training_person_at(seed, i, now_ms, &p);
        char control[32];
        hl7_writer w;
        hl7_w_begin(&w, out);
        snprintf(control, sizeof control, "TRN-ADT-%d", ++nmsg);
        pmssim_write_adt(&w, &s, "A04", control, now_ms, &p);
        rc = hl7_w_end(&w);
        if (rc == SW_OK && p.booked) {
            char id[72];
            snprintf(id, sizeof id, "%.56s-appt", p.id);  /* the Appointment's id */
            const training_visit_kind *kind = training_visit_kind_at(p.visit_kind);
            pmssim_booking b = { .id = id, .start_ms = p.booked_start_ms,
                                 .minutes = kind->minutes, .kind = kind,
                                 .clinician = training_clinician_at(p.clinician) };
            snprintf(control, sizeof control, "TRN-SIU-%d", ++nmsg);
            hl7_w_begin(&w, out);
            pmssim_write_siu(&w, &s, "S12", control, now_ms, &b, &p);
            rc = hl7_w_end(&w);
        }
    }
    if (rc == SW_OK)
        rc = sw_buf_printf(out, "BTS|%d\rFTS|1\r", nmsg);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, "the HL7 batch could not be written");
}
