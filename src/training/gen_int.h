/* gen_int.h - what the training generator's files share (not a public
 * interface): a generated person and the resources built for them. The
 * builders are pure (no store) so tests can check determinism and
 * realism without a database. */
#ifndef SW_TRAINING_GEN_INT_H
#define SW_TRAINING_GEN_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "training/people.h"
#include "training/rng.h"

/* Chronic problems a person may have (bits of gen_person.problems). */
enum {
    GEN_HTN = 1 << 0, GEN_DM2 = 1 << 1, GEN_LIPID = 1 << 2,
    GEN_ASTHMA = 1 << 3, GEN_ANXIETY = 1 << 4, GEN_OBESITY = 1 << 5,
    GEN_GERD = 1 << 6, GEN_BACKPAIN = 1 << 7,
};
/* Allergies (bits of gen_person.allergies). */
enum { GEN_ALG_PENICILLIN = 1 << 0, GEN_ALG_SULFA = 1 << 1, GEN_ALG_PEANUT = 1 << 2 };

typedef struct gen_person {
    char id[80], mrn[24], family[32], given[32], gender[8], birth[11];
    char street[64], city[32], state[3], zip[6], phone[16];
    int  age;
    double height_cm, weight_kg;
    int  problems, allergies;
    int  visits;              /* past visits, 1-6 */
    bool pending_lab;         /* an ordered lab not yet resulted */
    int  booked_day;          /* -1: none; else days from today (0-4) */
    int  booked_minute;       /* minutes after midnight, UTC */
    /* Master population only (gen_master_person): the coverage, the
     * clinician (training_clinician_at) and the kind of the booked visit
     * (training_visit_kind_at); plan_id "" for everyone else. */
    char plan_id[16], plan_name[48], member_id[16];
    int  clinician, visit_kind;
} gen_person;

/* A person: index i of a population, birth dates relative to today_ms. */
void gen_person_make(training_rng *r, int64_t today_ms, gen_person *p);

/* The whole record of p as one transaction Bundle (Patient, problems,
 * medications, allergies, past visits with vitals, a pending order, an
 * appointment): deterministic from p, r and now_ms. */
json_t *gen_person_bundle(training_rng *r, const gen_person *p, int64_t now_ms,
                          const char *case_id, const char *trainee);

/* Helpers used across the generator's files. */
json_t *gen_transaction(void);
void gen_put(json_t *bundle, json_t *resource);
json_t *gen_patient_ref(const char *id);
void gen_date(int64_t ms, char out[11]);             /* YYYY-MM-DD, UTC */
void gen_iso(int64_t ms, char out[32]);               /* instant, UTC */

/* An Appointment booked for patient (actor: the clinician, may be NULL). */
json_t *gen_appointment(const char *id, const char *patient, int64_t start_ms,
                        int minutes, const char *reason, json_t *actor);
/* The start of p's booked appointment (booked_day >= 0), UTC. */
int64_t gen_booked_start(const gen_person *p, int64_t now_ms);
/* A Reference to training clinician k (Practitioner/<id> with display). */
json_t *gen_clinician_ref(int k);
/* Training clinician k as a Practitioner resource (with its NPI). */
json_t *gen_practitioner(int k);
/* A MedicationStatement: what the patient reports taking. */
json_t *gen_med_statement(const char *id, const char *patient, const char *rxnorm,
                          const char *name, const char *sig, const char *asserted);

/* A street, town, ZIP and phone from r (the draws of gen_person_make's
 * address, in the same order; training_person_move draws a new one). */
void gen_address(training_rng *r, char street[64], char city[32], char state[3],
                 char zip[6], char phone[16]);

/* The deterministic master population's person i (seeded per index). */
void gen_master_person(uint64_t seed, int i, int64_t now_ms, gen_person *p,
                       training_rng *r);

/* Trainee username's patient id for case_id. */
void gen_case_patient_id(const char *username, const char *case_id, char out[80]);
/* The bundle of one case for username (clinician: the appointment's
 * practitioner Reference, borrowed); report_id gets the result waiting
 * for sign-off, "" when the case has none. */
json_t *gen_case_bundle(const char *username, const char *case_id, uint64_t seed,
                        int64_t now_ms, json_t *clinician, char report_id[96]);

#define GEN_DAY_MS 86400000LL

#endif
