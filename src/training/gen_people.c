/* gen_people.c - the people of the training population: names, sexes,
 * birth dates (ages 0-95, weighted to adults), addresses and phones from
 * small tables of our own, and the chronic problems, allergies and body
 * size that go with their age; for the master population also a health
 * plan, a clinician and a kind of visit. Everything is made up; phone
 * numbers are in the 555-01xx range reserved for fiction. */
#include "training/gen_int.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const FAMILY[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
    "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
    "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
    "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
};
static const char *const GIVEN_F[] = {
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
    "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra",
    "Ashley", "Emily", "Michelle", "Amanda", "Melissa", "Olivia", "Emma",
    "Sophia", "Isabella", "Ava", "Grace", "Rosa", "Carmen", "Mei",
};
static const char *const GIVEN_M[] = {
    "James", "Robert", "John", "Michael", "David", "William", "Richard",
    "Joseph", "Thomas", "Charles", "Christopher", "Daniel", "Matthew",
    "Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin",
    "Brian", "Noah", "Liam", "Ethan", "Lucas", "Carlos", "Luis", "Minh",
};
static const char *const STREET[] = {
    "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St",
    "Washington Ave", "Lake Rd", "Hillside Dr", "Park Ave", "River Rd",
    "Sunset Blvd", "Church St", "Highland Ave", "Meadow Ln",
};
static const struct { const char *city, *state, *zip3; } PLACE[] = {
    { "Springfield", "IL", "627" }, { "Riverton", "WY", "825" },
    { "Fairview", "OR", "970" },    { "Madison", "WI", "537" },
    { "Georgetown", "TX", "786" },  { "Franklin", "TN", "370" },
    { "Clinton", "IA", "527" },     { "Salem", "MA", "019" },
};

/* Health plans for the coverage of master patients: made-up plan ids
 * with the names of common US plan types, as a registration desk keys
 * them. */
static const struct { const char *id, *name; } PLAN[] = {
    { "BCBS-PPO", "Blue Cross Blue Shield PPO" },
    { "AETNA-HMO", "Aetna HMO" },
    { "MCR-B", "Medicare Part B" },
    { "UHC-CP", "UnitedHealthcare Choice Plus" },
};

/* Ages weighted to adults, as in an ambulatory practice. */
static int age_of(training_rng *r)
{
    int b = training_rng_pick(r, 100);
    if (b < 12)
        return training_rng_range(r, 0, 17);
    if (b < 40)
        return training_rng_range(r, 18, 44);
    if (b < 75)
        return training_rng_range(r, 45, 64);
    if (b < 95)
        return training_rng_range(r, 65, 84);
    return training_rng_range(r, 85, 95);
}

/* Height in cm by age and sex (adult means, children on a rough curve). */
static double height_of(training_rng *r, int age, bool female)
{
    double adult = female ? 162.0 : 176.0;
    double h = age >= 18 ? adult
             : age == 0 ? 65.0
             : 75.0 + (adult - 75.0) * (age - 1) / 17.0;
    return training_rng_near(r, h, age >= 18 ? 8.0 : 5.0);
}

/* Chronic problems by age, prevalences of the order seen in primary care. */
static int problems_of(training_rng *r, int age, double bmi)
{
    int p = 0;
    if (age >= 5 && training_rng_chance(r, 8))
        p |= GEN_ASTHMA;
    if (age < 18)
        return p;
    int decade = age / 10;
    if (training_rng_chance(r, age >= 65 ? 60 : age >= 45 ? 35 : 10))
        p |= GEN_HTN;
    if (training_rng_chance(r, (age >= 45 ? 18 : 4) + (bmi >= 30 ? 10 : 0)))
        p |= GEN_DM2;
    if (training_rng_chance(r, decade >= 5 ? 35 : 8))
        p |= GEN_LIPID;
    if (training_rng_chance(r, 10))
        p |= GEN_ANXIETY;
    if (bmi >= 30)
        p |= GEN_OBESITY;
    if (training_rng_chance(r, 10))
        p |= GEN_GERD;
    if (training_rng_chance(r, 8))
        p |= GEN_BACKPAIN;
    return p;
}

void gen_date(int64_t ms, char out[11])
{
    int64_t days = ms / GEN_DAY_MS;
    /* Civil from days (Howard Hinnant's algorithm): no time zone involved. */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y + (m <= 2)) % 10000u,
             (unsigned)m % 13u, (unsigned)d % 32u);
}

void gen_iso(int64_t ms, char out[32])
{
    char d[11];
    gen_date(ms, d);
    int64_t s = (ms % GEN_DAY_MS) / 1000;
    snprintf(out, 32, "%sT%02d:%02d:%02dZ", d, (int)(s / 3600),
             (int)(s / 60 % 60), (int)(s % 60));
}

void gen_address(training_rng *r, char street[64], char city[32], char state[3],
                 char zip[6], char phone[16])
{
    snprintf(street, 64, "%d %s", training_rng_range(r, 10, 9899),
             STREET[training_rng_pick(r, COUNT(STREET))]);
    int pl = training_rng_pick(r, COUNT(PLACE));
    snprintf(city, 32, "%s", PLACE[pl].city);
    snprintf(state, 3, "%s", PLACE[pl].state);
    snprintf(zip, 6, "%s%02d", PLACE[pl].zip3, training_rng_pick(r, 100));
    snprintf(phone, 16, "555-01%02d", training_rng_pick(r, 100));
}

void gen_person_make(training_rng *r, int64_t today_ms, gen_person *p)
{
    bool female = training_rng_chance(r, 52);
    snprintf(p->gender, sizeof p->gender, "%s", female ? "female" : "male");
    snprintf(p->family, sizeof p->family, "%s", FAMILY[training_rng_pick(r, COUNT(FAMILY))]);
    snprintf(p->given, sizeof p->given, "%s",
             female ? GIVEN_F[training_rng_pick(r, COUNT(GIVEN_F))]
                    : GIVEN_M[training_rng_pick(r, COUNT(GIVEN_M))]);
    p->age = age_of(r);
    /* Born age years and 0-364 days before today. */
    int64_t born = today_ms - ((int64_t)p->age * 36525 / 100 + training_rng_pick(r, 364)) * GEN_DAY_MS;
    gen_date(born, p->birth);
    gen_address(r, p->street, p->city, p->state, p->zip, p->phone);
    p->height_cm = height_of(r, p->age, female);
    double m = p->height_cm / 100.0;
    double bmi = p->age >= 18 ? training_rng_near(r, 28.0, 9.0)
               : training_rng_near(r, 18.0, 4.0);
    p->weight_kg = bmi * m * m;
    p->problems = problems_of(r, p->age, bmi);
    p->allergies = 0;
    int na = training_rng_pick(r, 100);   /* 0-3 allergies, most have none */
    int nall = na < 70 ? 0 : na < 88 ? 1 : na < 97 ? 2 : 3;
    static const int ALG[] = { GEN_ALG_PENICILLIN, GEN_ALG_SULFA, GEN_ALG_PEANUT };
    for (int k = 0; k < nall; k++)
        p->allergies |= ALG[(k + training_rng_pick(r, 3)) % 3];
    p->visits = training_rng_range(r, 1, 6);
    p->pending_lab = training_rng_chance(r, 10);
    p->booked_day = training_rng_chance(r, 30) ? training_rng_pick(r, 5) : -1;
    p->booked_minute = 8 * 60 + 20 * training_rng_pick(r, 27);
}

void gen_master_person(uint64_t seed, int i, int64_t now_ms, gen_person *p,
                       training_rng *r)
{
    training_rng_seed(r, seed ^ (0x5157ULL + (uint64_t)i * 0x9e3779b97f4a7c15ULL));
    memset(p, 0, sizeof *p);
    gen_person_make(r, now_ms, p);
    snprintf(p->id, sizeof p->id, "training-m%05d", i + 1);
    snprintf(p->mrn, sizeof p->mrn, "T%06d", i + 1);
    /* Coverage, clinician and kind of visit from a stream of their own,
     * so that r goes on to the record exactly as before. */
    training_rng c;
    training_rng_seed(&c, seed ^ (0xC0DEULL + (uint64_t)i * 0xbf58476d1ce4e5b9ULL));
    int plan = training_rng_pick(&c, COUNT(PLAN));
    snprintf(p->plan_id, sizeof p->plan_id, "%s", PLAN[plan].id);
    snprintf(p->plan_name, sizeof p->plan_name, "%s", PLAN[plan].name);
    snprintf(p->member_id, sizeof p->member_id, "W%09d",
             training_rng_range(&c, 100000000, 999999999));
    p->clinician = training_rng_pick(&c, training_clinician_count());
    p->visit_kind = training_rng_pick(&c, training_visit_kind_count());
}
