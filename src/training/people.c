/* people.c - the master population's people as registration systems see
 * them (people.h), and the training clinic's clinicians and kinds of
 * visit. Called by the training generator (the Practitioners and the
 * appointments of training_generate_master) and by the PMS simulator
 * (src/pmssim/generate.c), which is how "interface tests and training
 * share the same data": one person generator (gen_people.c), read here. */
#include "training/people.h"

#include <stdio.h>
#include <string.h>

#include "training/gen_int.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Made-up clinicians; each NPI passes the check digit (Luhn formula over
 * "80840" followed by the ten digits, as the NPI standard defines it),
 * the test dft_npi_valid (src/hl7/dft.h) applies. */
static const training_clinician CLINICIANS[] = {
    { "training-pr-1", "Okafor", "Grace", "Dr.", "Dr. Grace Okafor", "1500000009" },
    { "training-pr-2", "Lindqvist", "Erik", "Dr.", "Dr. Erik Lindqvist", "1600000008" },
    { "training-pr-3", "Morales", "Lucia", NULL, "Lucia Morales, NP", "1700000007" },
};

static const training_visit_kind VISITS[] = {
    { "FOLLOWUP", "Follow-up visit", 20 },
    { "NEWPT", "New patient visit", 40 },
    { "PHYSICAL", "Annual physical", 30 },
    { "SICK", "Sick visit", 15 },
};

int training_clinician_count(void)
{
    return COUNT(CLINICIANS);
}

const training_clinician *training_clinician_at(int k)
{
    int n = COUNT(CLINICIANS);
    return &CLINICIANS[((k % n) + n) % n];
}

int training_visit_kind_count(void)
{
    return COUNT(VISITS);
}

const training_visit_kind *training_visit_kind_at(int k)
{
    int n = COUNT(VISITS);
    return &VISITS[((k % n) + n) % n];
}

void training_person_at(uint64_t seed, int i, int64_t now_ms, training_person *out)
{
    gen_person p;
    training_rng r;
    gen_master_person(seed, i, now_ms, &p, &r);
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", p.id);
    snprintf(out->mrn, sizeof out->mrn, "%s", p.mrn);
    snprintf(out->family, sizeof out->family, "%s", p.family);
    snprintf(out->given, sizeof out->given, "%s", p.given);
    snprintf(out->sex, sizeof out->sex, "%s", strcmp(p.gender, "female") == 0 ? "F" : "M");
    snprintf(out->birth, sizeof out->birth, "%s", p.birth);
    snprintf(out->street, sizeof out->street, "%s", p.street);
    snprintf(out->city, sizeof out->city, "%s", p.city);
    snprintf(out->state, sizeof out->state, "%s", p.state);
    snprintf(out->zip, sizeof out->zip, "%s", p.zip);
    snprintf(out->phone, sizeof out->phone, "%s", p.phone);
    snprintf(out->plan_id, sizeof out->plan_id, "%s", p.plan_id);
    snprintf(out->plan_name, sizeof out->plan_name, "%s", p.plan_name);
    snprintf(out->member_id, sizeof out->member_id, "%s", p.member_id);
    out->clinician = p.clinician;
    out->visit_kind = p.visit_kind;
    out->booked = p.booked_day >= 0;
    if (out->booked)
        out->booked_start_ms = gen_booked_start(&p, now_ms);
}

void training_person_move(training_person *p, uint64_t salt)
{
    training_rng r;
    training_rng_seed(&r, salt);
    char was[64];
    snprintf(was, sizeof was, "%s", p->street);
    /* A move goes somewhere else: draw again on the (rare) same street. */
    do
        gen_address(&r, p->street, p->city, p->state, p->zip, p->phone);
    while (strcmp(was, p->street) == 0);
}
