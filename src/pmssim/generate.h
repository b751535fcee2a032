/* generate.h - the messages a practice-management system sends, made up
 * from a seed (generate.c): ADT^A04 / A08 for a new or changed patient,
 * SIU^S12 / S13 / S15 for an appointment booked, moved or cancelled. The
 * PMS simulator sends them when told to; the go-live suite sends them
 * itself when it has no simulator to ask. Not thread-safe: the caller
 * serialises use of one generator. */
#ifndef SW_PMSSIM_GENERATE_H
#define SW_PMSSIM_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

#define PMSSIM_MAX_PATIENTS     256
#define PMSSIM_MAX_APPOINTMENTS 256

typedef struct pmssim_patient {
    char mrn[16], family[32], given[32], dob[9], sex[2];
    char street[64], city[32], state[3], zip[6], phone[16];
    char plan_id[16], plan_name[48], member_id[16];
} pmssim_patient;

typedef struct pmssim_appointment {
    char    id[32];         /* SCH-1 and SCH-2 */
    int     patient;        /* index into patients */
    int64_t start_ms;
    int     minutes;
    int     visit;          /* the kind of visit (generate.c) */
    bool    cancelled;
} pmssim_appointment;

typedef struct pmssim_generator {
    uint64_t           state;       /* splitmix64 */
    uint64_t           seed;
    char               run[12];     /* makes control ids unique per start */
    const char        *processing_id;   /* MSH-11: "T" or "P" */
    int                sent;        /* messages generated so far */
    pmssim_patient     patients[PMSSIM_MAX_PATIENTS];
    int                npatients;
    pmssim_appointment appointments[PMSSIM_MAX_APPOINTMENTS];
    int                nappointments;
} pmssim_generator;

void pmssim_generator_init(pmssim_generator *g, uint64_t seed,
                           const char *processing_id, int64_t now_ms);
/* Whether name is a scenario of pmssim_generate. */
bool pmssim_scenario_known(const char *name);
/* Composes the message of scenario "new-patient", "update-patient",
 * "book", "reschedule" or "cancel" into out, and its control id into
 * control_id. SW_ENOTFOUND with a sentence when the scenario needs an
 * earlier patient or appointment and there is none; SW_EINVAL for an
 * unknown scenario. */
int pmssim_generate(pmssim_generator *g, const char *scenario, int64_t now_ms,
                    sw_buf *out, char control_id[32], sw_err *err);

#endif
