/* gen_hl7.c - the master population as the practice-management system
 * would send it: one ADT^A04 per patient and one SIU^S12 per booked
 * appointment, in one batch file (FHS/BHS ... BTS/FTS), for loading the
 * training environment through the HL7 interface or testing a mapping.
 * Same people, same appointments as training_generate_master for the
 * same seed and day. */
#include "training/generate.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "hl7/writer.h"
#include "training/gen_int.h"

#define APP      "STAGEWISE-TRAINING"
#define FACILITY "TRAINING"

static void msh(hl7_writer *w, const char *type, const char *control, int64_t now_ms)
{
    hl7_w_msh(w, &(hl7_msh){ .sending_app = APP, .sending_facility = FACILITY,
                             .receiving_app = "STAGEWISE", .receiving_facility = "STAGEWISE",
                             .now_ms = now_ms, .type = type, .control_id = control,
                             .processing_id = "T" });
}

static void pid(hl7_writer *w, const gen_person *p)
{
    char dob[9];
    snprintf(dob, sizeof dob, "%.4s%.2s%.2s", p->birth, p->birth + 5, p->birth + 8);
    hl7_w_segment(w, "PID");
    hl7_w_field(w, "1");
    hl7_w_skip(w, 1);
    hl7_w_field(w, p->mrn);                  /* PID-3 */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, FACILITY);
    hl7_w_comp(w, "MR");
    hl7_w_skip(w, 1);
    hl7_w_field(w, p->family);               /* PID-5 */
    hl7_w_comp(w, p->given);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, "L");
    hl7_w_skip(w, 1);
    hl7_w_field(w, dob);                     /* PID-7 */
    hl7_w_field(w, strcmp(p->gender, "female") == 0 ? "F" : "M");
    hl7_w_skip(w, 2);
    hl7_w_field(w, p->street);               /* PID-11 */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, p->city);
    hl7_w_comp(w, p->state);
    hl7_w_comp(w, p->zip);
    hl7_w_comp(w, "USA");
    hl7_w_comp(w, "H");
    hl7_w_skip(w, 1);
    hl7_w_field(w, NULL);                    /* PID-13 */
    hl7_w_comp(w, "PRN");
    hl7_w_comp(w, "PH");
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    char local[8];                           /* 555-01xx as 55501xx */
    snprintf(local, sizeof local, "555%.4s", p->phone + 4);
    hl7_w_comp(w, "555");
    hl7_w_comp(w, local);
}

static void adt(hl7_writer *w, const gen_person *p, int n, int64_t now_ms)
{
    char control[32], when[15];
    snprintf(control, sizeof control, "TRN-ADT-%d", n);
    hl7_time(now_ms, when);
    msh(w, "ADT^A04^ADT_A01", control, now_ms);
    hl7_w_segment(w, "EVN");
    hl7_w_field(w, "A04");
    hl7_w_field(w, when);
    pid(w, p);
    hl7_w_segment(w, "PV1");
    hl7_w_field(w, "1");
    hl7_w_field(w, "O");
}

static void siu(hl7_writer *w, const gen_person *p, int n, int64_t now_ms)
{
    char control[32], id[72], start[20], end[20], t[15];
    snprintf(control, sizeof control, "TRN-SIU-%d", n);
    snprintf(id, sizeof id, "%.56s-appt", p->id);
    int64_t start_ms = (now_ms / GEN_DAY_MS + p->booked_day) * GEN_DAY_MS
                     + (int64_t)p->booked_minute * 60000;
    hl7_time(start_ms, t);
    snprintf(start, sizeof start, "%s+0000", t);
    hl7_time(start_ms + 20 * 60000, t);
    snprintf(end, sizeof end, "%s+0000", t);
    msh(w, "SIU^S12^SIU_S12", control, now_ms);
    hl7_w_segment(w, "SCH");
    hl7_w_field(w, id);
    hl7_w_comp(w, FACILITY);
    hl7_w_field(w, id);
    hl7_w_comp(w, FACILITY);
    hl7_w_skip(w, 4);                        /* SCH-3..6 */
    hl7_w_field(w, "OFFICE");                /* SCH-7 */
    hl7_w_comp(w, "Office visit");
    hl7_w_field(w, "ROUTINE");               /* SCH-8 */
    hl7_w_comp(w, "Routine appointment");
    hl7_w_comp(w, "HL70276");
    hl7_w_field(w, "20");                    /* SCH-9 */
    hl7_w_field(w, "min");
    hl7_w_field(w, NULL);                    /* SCH-11 */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, "20");
    hl7_w_comp(w, start);
    hl7_w_comp(w, end);
    hl7_w_skip(w, 13);
    hl7_w_field(w, "Booked");                /* SCH-25 */
    pid(w, p);
    hl7_w_segment(w, "RGS");
    hl7_w_field(w, "1");
    hl7_w_field(w, "U");
    hl7_w_segment(w, "AIS");
    hl7_w_field(w, "1");
    hl7_w_field(w, "U");
    hl7_w_field(w, "OFFICE");
    hl7_w_comp(w, "Office visit");
    hl7_w_field(w, start);
    hl7_w_skip(w, 2);
    hl7_w_field(w, "20");
    hl7_w_field(w, "min");
}

int training_generate_hl7(uint64_t seed, int npatients, sw_buf *out, sw_err *err)
{
    if (npatients < 0 || npatients > 10000)
        return sw_err_set(err, SW_EINVAL, "the number of patients must be 0-10000");
    int64_t now = sw_now_wall_ms();
    char t[15];
    hl7_time(now, t);
    int rc = sw_buf_printf(out, "FHS|^~\\&|%s|%s|STAGEWISE|STAGEWISE|%s\r"
                           "BHS|^~\\&|%s|%s|STAGEWISE|STAGEWISE|%s\r",
                           APP, FACILITY, t, APP, FACILITY, t);
    int nmsg = 0;
    for (int i = 0; rc == SW_OK && i < npatients; i++) {
        gen_person p;
        training_rng r;
        gen_master_person(seed, i, now, &p, &r);
        hl7_writer w;
        hl7_w_begin(&w, out);
        adt(&w, &p, ++nmsg, now);
        rc = hl7_w_end(&w);
        if (rc == SW_OK && p.booked_day >= 0) {
            hl7_w_begin(&w, out);
            siu(&w, &p, ++nmsg, now);
            rc = hl7_w_end(&w);
        }
    }
    if (rc == SW_OK)
        rc = sw_buf_printf(out, "BTS|%d\rFTS|1\r", nmsg);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, "the HL7 batch could not be written");
}
