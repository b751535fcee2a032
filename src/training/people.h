/* people.h - the training population's people, clinicians and kinds of
 * visit as other areas need them: the PMS simulator (src/pmssim/) draws
 * its patients from here, so that interface tests and training share the
 * same data. Patient i of the master population for a seed is the same
 * person (MRN, name, birth date, sex, address, phone, coverage, clinician)
 * wherever it is asked for, on the same day; birth dates are computed
 * back from "today" (now_ms). Everything is pure and deterministic: no
 * store, no clock, no allocation. */
#ifndef SW_TRAINING_PEOPLE_H
#define SW_TRAINING_PEOPLE_H

#include <stdbool.h>
#include <stdint.h>

/* The training clinicians: Practitioner resources of the master
 * population (ids "training-pr-N"), the appointments' actors. Their NPIs
 * are made up but pass the NPI check digit (Luhn over 80840 + the
 * number), so charges and schedules that carry them are accepted. */
typedef struct training_clinician {
    const char *id, *family, *given, *prefix, *display, *npi;
} training_clinician;

/* The kinds of visit the training clinic books (SCH-7/AIS-3 code, text,
 * minutes). */
typedef struct training_visit_kind {
    const char *code, *text;
    int         minutes;
} training_visit_kind;

/* One person of the master population, as a registration system knows
 * them. */
typedef struct training_person {
    char id[80];             /* the Patient id, training-m00001 ... */
    char mrn[24];            /* T000001 ... */
    char family[32], given[32];
    char sex[2];             /* "F" or "M" */
    char birth[11];          /* YYYY-MM-DD */
    char street[64], city[32], state[3], zip[6];
    char phone[16];          /* 555-01xx: reserved for fiction */
    char plan_id[16], plan_name[48], member_id[16];   /* coverage */
    int  clinician;          /* index of training_clinician_at */
    int  visit_kind;         /* index of training_visit_kind_at */
    bool booked;             /* an appointment this week: */
    int64_t booked_start_ms; /*   its start, UTC */
} training_person;

/* Person i (0-based) of the master population of seed, with birth dates
 * relative to now_ms's day. */
void training_person_at(uint64_t seed, int i, int64_t now_ms, training_person *out);

/* The person moved: another street, town and phone from the same tables,
 * chosen by salt (the same salt, the same new address). */
void training_person_move(training_person *p, uint64_t salt);

int training_clinician_count(void);
/* k modulo the count: never NULL. */
const training_clinician *training_clinician_at(int k);

int training_visit_kind_count(void);
/* k modulo the count: never NULL. */
const training_visit_kind *training_visit_kind_at(int k);

#endif
