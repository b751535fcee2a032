/* messages.c - writing the ADT and SIU messages of messages.h: one PID,
 * one IN1, one SCH..AIP for every sender, HL7 v2.5.1 with the field
 * layout docs/hl7-interface.md "The PMS simulator" lists. Pure: writes
 * into the caller's hl7_writer, nothing else. */
#include "pmssim/messages.h"

#include <stdio.h>
#include <string.h>

static void msh(hl7_writer *w, const pmssim_sender *s, const char *type,
                const char *control_id, int64_t now_ms)
{
    hl7_w_msh(w, &(hl7_msh){ .sending_app = s->app, .sending_facility = s->facility,
                             .receiving_app = "STAGEWISE",
                             .receiving_facility = "STAGEWISE",
                             .now_ms = now_ms, .type = type,
                             .control_id = control_id,
                             .processing_id = s->processing_id });
}

static void pid(hl7_writer *w, const pmssim_sender *s, const training_person *p)
{
    char dob[9], local[8];
    snprintf(dob, sizeof dob, "%.4s%.2s%.2s", p->birth, p->birth + 5, p->birth + 8);
    /* 555-01xx as area code 555, local number 55501xx. */
    snprintf(local, sizeof local, "555%.4s", strlen(p->phone) > 4 ? p->phone + 4 : "");
    hl7_w_segment(w, "PID");
    hl7_w_field(w, "1");                                   /* PID-1 */
    hl7_w_skip(w, 1);                                      /* PID-2 */
    hl7_w_field(w, p->mrn);                                /* PID-3 CX */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, s->authority);
    hl7_w_comp(w, "MR");
    hl7_w_skip(w, 1);                                      /* PID-4 */
    hl7_w_field(w, p->family);                             /* PID-5 XPN */
    hl7_w_comp(w, p->given);
    for (int i = 0; i < 4; i++)
        hl7_w_comp(w, NULL);
    hl7_w_comp(w, "L");
    hl7_w_skip(w, 1);                                      /* PID-6 */
    hl7_w_field(w, dob);                                   /* PID-7 */
    hl7_w_field(w, p->sex);                                /* PID-8 */
    hl7_w_skip(w, 2);                                      /* PID-9, 10 */
    hl7_w_field(w, p->street);                             /* PID-11 XAD */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, p->city);
    hl7_w_comp(w, p->state);
    hl7_w_comp(w, p->zip);
    hl7_w_comp(w, "USA");
    hl7_w_comp(w, "H");
    hl7_w_skip(w, 1);                                      /* PID-12 */
    hl7_w_field(w, NULL);                                  /* PID-13 XTN */
    hl7_w_comp(w, "PRN");
    hl7_w_comp(w, "PH");
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, "555");
    hl7_w_comp(w, local);
}

static void in1(hl7_writer *w, const training_person *p)
{
    hl7_w_segment(w, "IN1");
    hl7_w_field(w, "1");                                   /* IN1-1 */
    hl7_w_field(w, p->plan_id);                            /* IN1-2 plan */
    hl7_w_comp(w, p->plan_name);
    hl7_w_field(w, p->plan_id);                            /* IN1-3 company */
    hl7_w_field(w, p->plan_name);                          /* IN1-4 */
    hl7_w_skip(w, 11);                                     /* IN1-5..15 */
    hl7_w_field(w, p->family);                             /* IN1-16 insured */
    hl7_w_comp(w, p->given);
    hl7_w_field(w, "SEL");                                 /* IN1-17 self */
    hl7_w_comp(w, "Self");
    hl7_w_comp(w, "HL70063");
    hl7_w_skip(w, 18);                                     /* IN1-18..35 */
    hl7_w_field(w, p->member_id);                          /* IN1-36 policy */
}

void pmssim_write_adt(hl7_writer *w, const pmssim_sender *s, const char *event,
                      const char *control_id, int64_t now_ms, const training_person *p)
{
    char type[32], when[15];
    snprintf(type, sizeof type, "ADT^%s^ADT_A01", event);
    hl7_time(now_ms, when);
    msh(w, s, type, control_id, now_ms);
    hl7_w_segment(w, "EVN");
    hl7_w_field(w, event);                                 /* EVN-1 */
    hl7_w_field(w, when);                                  /* EVN-2 */
    pid(w, s, p);
    hl7_w_segment(w, "PV1");
    hl7_w_field(w, "1");
    hl7_w_field(w, "O");                                   /* outpatient */
    if (p->plan_id[0] != '\0')
        in1(w, p);
}

void pmssim_write_siu(hl7_writer *w, const pmssim_sender *s, const char *event,
                      const char *control_id, int64_t now_ms, const pmssim_booking *b,
                      const training_person *p)
{
    char type[32], start[20], end[20], minutes[8], t[15];
    snprintf(type, sizeof type, "SIU^%s^SIU_S12", event);
    /* With the offset: a receiver must not read the time as its own. */
    hl7_time(b->start_ms, t);
    snprintf(start, sizeof start, "%s+0000", t);
    hl7_time(b->start_ms + (int64_t)b->minutes * 60000, t);
    snprintf(end, sizeof end, "%s+0000", t);
    snprintf(minutes, sizeof minutes, "%d", b->minutes);
    const char *action = b->cancelled ? "D" : "U";
    msh(w, s, type, control_id, now_ms);
    hl7_w_segment(w, "SCH");
    hl7_w_field(w, b->id);                                 /* SCH-1 placer */
    hl7_w_comp(w, s->authority);
    hl7_w_field(w, b->id);                                 /* SCH-2 filler */
    hl7_w_comp(w, s->authority);
    hl7_w_skip(w, 3);                                      /* SCH-3..5 */
    hl7_w_field(w, b->cancelled ? "CANCEL" : NULL);        /* SCH-6 reason */
    if (b->cancelled)
        hl7_w_comp(w, "Cancelled by the patient");
    hl7_w_field(w, b->kind->code);                         /* SCH-7 */
    hl7_w_comp(w, b->kind->text);
    hl7_w_field(w, "ROUTINE");                             /* SCH-8 type */
    hl7_w_comp(w, "Routine appointment");
    hl7_w_comp(w, "HL70276");
    hl7_w_field(w, minutes);                               /* SCH-9 */
    hl7_w_field(w, "min");                                 /* SCH-10 */
    hl7_w_field(w, NULL);                                  /* SCH-11 TQ */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, minutes);
    hl7_w_comp(w, start);
    hl7_w_comp(w, end);
    hl7_w_skip(w, 13);                                     /* SCH-12..24 */
    hl7_w_field(w, b->cancelled ? "Cancelled" : "Booked"); /* SCH-25 */
    pid(w, s, p);
    hl7_w_segment(w, "RGS");
    hl7_w_field(w, "1");
    hl7_w_field(w, action);
    hl7_w_segment(w, "AIS");
    hl7_w_field(w, "1");
    hl7_w_field(w, action);
    hl7_w_field(w, b->kind->code);                         /* AIS-3 service */
    hl7_w_comp(w, b->kind->text);
    hl7_w_field(w, start);                                 /* AIS-4 */
    hl7_w_skip(w, 2);                                      /* AIS-5, 6 */
    hl7_w_field(w, minutes);                               /* AIS-7 */
    hl7_w_field(w, "min");                                 /* AIS-8 */
    hl7_w_segment(w, "AIP");
    hl7_w_field(w, "1");
    hl7_w_field(w, action);
    hl7_w_field(w, b->clinician->npi);                     /* AIP-3 XCN */
    hl7_w_comp(w, b->clinician->family);
    hl7_w_comp(w, b->clinician->given);
    for (int i = 0; i < 5; i++)
        hl7_w_comp(w, NULL);
    hl7_w_comp(w, "NPI");                                  /* XCN-9 */
    hl7_w_field(w, "D");                                   /* AIP-4 */
    hl7_w_comp(w, "Doctor");
    hl7_w_skip(w, 1);                                      /* AIP-5 */
    hl7_w_field(w, start);                                 /* AIP-6 */
    hl7_w_skip(w, 2);                                      /* AIP-7, 8 */
    hl7_w_field(w, minutes);                               /* AIP-9 */
    hl7_w_field(w, "min");                                 /* AIP-10 */
}
