/* messages.h - the one writer of the ADT and SIU messages a practice-
 * management system sends about a person of the training population
 * (training/people.h): MSH, EVN, PID, PV1, IN1 for ADT^A04/A08 and MSH,
 * SCH, PID, RGS, AIS, AIP for SIU^S12/S13/S15. Both senders use it: the
 * PMS simulator's scenarios (generate.c) and the master population's
 * batch file (batch.c), so the two never differ in how a person is
 * written.
 *
 * Why here and not in src/training: training comes before hl7 in the area
 * order (docs/architecture.md), so it owns the people and knows nothing of
 * HL7; the simulator, above both, owns the messages. */
#ifndef SW_PMSSIM_MESSAGES_H
#define SW_PMSSIM_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "hl7/writer.h"
#include "training/people.h"

/* Who sends: MSH-3, MSH-4, the assigning authority of PID-3 and of the
 * appointment ids (SCH-1/2), MSH-11. */
typedef struct pmssim_sender {
    const char *app, *facility, *authority, *processing_id;
} pmssim_sender;

/* An appointment as SCH/AIS/AIP carry it. */
typedef struct pmssim_booking {
    const char                *id;          /* SCH-1 and SCH-2 */
    int64_t                    start_ms;
    int                        minutes;
    const training_visit_kind *kind;        /* SCH-7, AIS-3 */
    const training_clinician  *clinician;   /* AIP-3 */
    bool                       cancelled;
} pmssim_booking;

/* ADT^<event>^ADT_A01 for p (event "A04" or "A08"), IN1 when p has a
 * plan. */
void pmssim_write_adt(hl7_writer *w, const pmssim_sender *s, const char *event,
                      const char *control_id, int64_t now_ms, const training_person *p);

/* SIU^<event>^SIU_S12 for booking b of p (event "S12", "S13" or "S15"). */
void pmssim_write_siu(hl7_writer *w, const pmssim_sender *s, const char *event,
                      const char *control_id, int64_t now_ms, const pmssim_booking *b,
                      const training_person *p);

#endif
