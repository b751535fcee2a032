/* generate.h - the messages a practice-management system sends, made up
 * from a seed (generate.c): ADT^A04 / A08 for a new or changed patient,
 * SIU^S12 / S13 / S15 for an appointment booked, moved or cancelled. The
 * PMS simulator sends them when told to; the go-live suite sends them
 * itself when it has no simulator to ask. The people are the training
 * master population's (training/people.h): the n-th new patient of a
 * seed is patient n of training_generate_master for that seed, the same
 * day. Not thread-safe: the caller serialises use of one generator. */
#ifndef SW_PMSSIM_GENERATE_H
#define SW_PMSSIM_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "training/people.h"
#include "training/rng.h"

#define PMSSIM_MAX_PATIENTS     256
#define PMSSIM_MAX_APPOINTMENTS 256

typedef struct pmssim_appointment {
    char    id[32];         /* SCH-1 and SCH-2 */
    int     patient;        /* index into patients */
    int64_t start_ms;
    int     minutes;
    int     visit;          /* training_visit_kind_at */
    bool    cancelled;
} pmssim_appointment;

typedef struct pmssim_generator {
    training_rng       rng;         /* slots and moves */
    uint64_t           seed;        /* the population's */
    char               run[12];     /* makes control ids unique per start */
    const char        *processing_id;   /* MSH-11: "T" or "P" */
    int                sent;        /* messages generated so far */
    training_person    patients[PMSSIM_MAX_PATIENTS];
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

/* The master population of seed (npatients, 0-10000, birth dates and
 * appointments relative to now_ms) as the practice-management system
 * would send it: one ADT^A04 per patient and one SIU^S12 per booked
 * appointment, in one batch file (FHS/BHS ... BTS/FTS), processing id T
 * (batch.c). For loading a training environment through the HL7
 * interface or testing a mapping. */
int pmssim_training_batch(uint64_t seed, int npatients, int64_t now_ms, sw_buf *out,
                          sw_err *err);

#endif
