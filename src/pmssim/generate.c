/* generate.c - the messages the PMS simulator sends, as a practice-
 * management system does: ADT^A04 when the front desk registers a new
 * patient (PID with a medical record number under the PMS's assigning
 * authority, name, birth date, sex, address, phone; IN1 with the
 * insurance), ADT^A08 when it changes one, and SIU^S12 / S13 / S15 when it
 * books, reschedules or cancels an appointment for one of them.
 *
 * People and appointments come from a splitmix64 stream seeded with
 * --seed, so a demo or a test sees the same patients every run; control
 * ids carry the start time as well, so that a second run against the same
 * EHR is not taken for resends of the first. HL7 v2.5.1, processing id T
 * unless told otherwise. Called with the simulator's lock held. */
#include "pmssim/generate.h"

#include <stdio.h>
#include <string.h>

#include "hl7/writer.h"

#define SENDING_APP      "PMSSIM"
#define SENDING_FACILITY "SIMCLINIC"
#define AUTHORITY        "SIMPMS"
/* The scheduled provider: a valid NPI (check digit per the Luhn formula
 * with the 80840 prefix), the same the test practices use. */
#define PROVIDER_NPI     "1234567893"
#define PROVIDER_FAMILY  "Rivera"
#define PROVIDER_GIVEN   "Ana"

static const char *const FAMILY[] = {
    "Garcia", "Johnson", "Nguyen", "Okafor", "Kowalski", "Haddad", "Silva",
    "Tanaka", "O'Brien", "Martinez", "Schmidt", "Patel", "Kim", "Dubois",
    "Andersen", "Rossi",
};
static const char *const GIVEN_F[] = {
    "Maria", "Aisha", "Emily", "Linh", "Sofia", "Grace", "Hannah", "Yuki",
};
static const char *const GIVEN_M[] = {
    "James", "Omar", "Daniel", "Minh", "Lucas", "Samuel", "Pavel", "Kenji",
};
static const char *const STREET[] = {
    "Maple Avenue", "Oak Street", "Cedar Lane", "Elm Drive", "Pine Road",
    "Lakeview Boulevard", "Church Street", "Mill Road",
};
static const struct { const char *city, *state, *zip; } CITY[] = {
    { "Springfield", "IL", "62704" }, { "Madison", "WI", "53703" },
    { "Salem", "OR", "97301" },       { "Dover", "DE", "19901" },
    { "Burlington", "VT", "05401" },  { "Columbia", "SC", "29201" },
};
static const struct { const char *id, *name; } PLAN[] = {
    { "BCBS-PPO", "Blue Cross Blue Shield PPO" },
    { "AETNA-HMO", "Aetna HMO" },
    { "MCR-B", "Medicare Part B" },
    { "UHC-CP", "UnitedHealthcare Choice Plus" },
};
static const struct { const char *code, *text; int minutes; } VISIT[] = {
    { "FOLLOWUP", "Follow-up visit", 20 },
    { "NEWPT", "New patient visit", 40 },
    { "PHYSICAL", "Annual physical", 30 },
    { "SICK", "Sick visit", 15 },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static uint64_t next(pmssim_generator *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int pick(pmssim_generator *g, size_t n)
{
    return (int)(next(g) % n);
}

void pmssim_generator_init(pmssim_generator *g, uint64_t seed,
                           const char *processing_id, int64_t now_ms)
{
    memset(g, 0, sizeof *g);
    g->processing_id = processing_id;
    g->seed = seed;
    g->state = seed;
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t t = (uint64_t)(now_ms / 1000);
    char tmp[sizeof g->run];
    size_t n = 0;
    do {
        tmp[n++] = digits[t % 36];
        t /= 36;
    } while (t > 0 && n < sizeof tmp - 1);
    for (size_t i = 0; i < n; i++)
        g->run[i] = tmp[n - 1 - i];
}

bool pmssim_scenario_known(const char *name)
{
    static const char *const names[] = { "new-patient", "update-patient",
                                         "book", "reschedule", "cancel" };
    for (size_t i = 0; i < COUNT(names); i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static void address(pmssim_generator *g, pmssim_patient *pt)
{
    int c = pick(g, COUNT(CITY));
    snprintf(pt->street, sizeof pt->street, "%d %s", 10 + pick(g, 9000),
             STREET[pick(g, COUNT(STREET))]);
    snprintf(pt->city, sizeof pt->city, "%s", CITY[c].city);
    snprintf(pt->state, sizeof pt->state, "%s", CITY[c].state);
    snprintf(pt->zip, sizeof pt->zip, "%s", CITY[c].zip);
    /* 555-01xx numbers are reserved for fiction. */
    snprintf(pt->phone, sizeof pt->phone, "555%04d", 100 + pick(g, 100));
}

static void new_patient(pmssim_generator *g, pmssim_patient *pt)
{
    memset(pt, 0, sizeof *pt);
    bool taken;
    do {
        snprintf(pt->mrn, sizeof pt->mrn, "M%07d", 1000000 + pick(g, 9000000));
        taken = false;
        for (int i = 0; i < g->npatients; i++)
            taken |= &g->patients[i] != pt
                     && strcmp(g->patients[i].mrn, pt->mrn) == 0;
    } while (taken);
    bool female = pick(g, 2) == 0;
    snprintf(pt->sex, sizeof pt->sex, "%s", female ? "F" : "M");
    snprintf(pt->family, sizeof pt->family, "%s", FAMILY[pick(g, COUNT(FAMILY))]);
    snprintf(pt->given, sizeof pt->given, "%s",
             female ? GIVEN_F[pick(g, COUNT(GIVEN_F))]
                    : GIVEN_M[pick(g, COUNT(GIVEN_M))]);
    snprintf(pt->dob, sizeof pt->dob, "%04d%02d%02d", 1940 + pick(g, 70),
             1 + pick(g, 12), 1 + pick(g, 28));
    address(g, pt);
    int plan = pick(g, COUNT(PLAN));
    snprintf(pt->plan_id, sizeof pt->plan_id, "%s", PLAN[plan].id);
    snprintf(pt->plan_name, sizeof pt->plan_name, "%s", PLAN[plan].name);
    snprintf(pt->member_id, sizeof pt->member_id, "W%09d",
             100000000 + pick(g, 900000000));
}

static void msh(hl7_writer *w, pmssim_generator *g, const char *type,
                int64_t now_ms, char control_id[32])
{
    snprintf(control_id, 32, "SIM%s-%d", g->run, ++g->sent);
    hl7_w_msh(w, &(hl7_msh){ .sending_app = SENDING_APP,
                             .sending_facility = SENDING_FACILITY,
                             .receiving_app = "STAGEWISE",
                             .receiving_facility = "STAGEWISE",
                             .now_ms = now_ms, .type = type,
                             .control_id = control_id,
                             .processing_id = g->processing_id });
}

static void pid(hl7_writer *w, const pmssim_patient *pt)
{
    hl7_w_segment(w, "PID");
    hl7_w_field(w, "1");                                   /* PID-1 */
    hl7_w_skip(w, 1);                                      /* PID-2 */
    hl7_w_field(w, pt->mrn);                               /* PID-3 CX */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, AUTHORITY);
    hl7_w_comp(w, "MR");
    hl7_w_skip(w, 1);                                      /* PID-4 */
    hl7_w_field(w, pt->family);                            /* PID-5 XPN */
    hl7_w_comp(w, pt->given);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, "L");
    hl7_w_skip(w, 1);                                      /* PID-6 */
    hl7_w_field(w, pt->dob);                               /* PID-7 */
    hl7_w_field(w, pt->sex);                               /* PID-8 */
    hl7_w_skip(w, 2);                                      /* PID-9, 10 */
    hl7_w_field(w, pt->street);                            /* PID-11 XAD */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, pt->city);
    hl7_w_comp(w, pt->state);
    hl7_w_comp(w, pt->zip);
    hl7_w_comp(w, "USA");
    hl7_w_comp(w, "H");
    hl7_w_skip(w, 1);                                      /* PID-12 */
    hl7_w_field(w, NULL);                                  /* PID-13 XTN */
    hl7_w_comp(w, "PRN");
    hl7_w_comp(w, "PH");
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, "555");
    hl7_w_comp(w, pt->phone);
}

static void adt(hl7_writer *w, pmssim_generator *g, const char *event,
                const pmssim_patient *pt, int64_t now_ms, char control_id[32])
{
    char type[32], when[15];
    snprintf(type, sizeof type, "ADT^%s^ADT_A01", event);
    hl7_time(now_ms, when);
    msh(w, g, type, now_ms, control_id);
    hl7_w_segment(w, "EVN");
    hl7_w_field(w, event);                                 /* EVN-1 */
    hl7_w_field(w, when);                                  /* EVN-2 */
    pid(w, pt);
    hl7_w_segment(w, "PV1");
    hl7_w_field(w, "1");
    hl7_w_field(w, "O");                                   /* outpatient */
    hl7_w_segment(w, "IN1");
    hl7_w_field(w, "1");                                   /* IN1-1 */
    hl7_w_field(w, pt->plan_id);                           /* IN1-2 plan */
    hl7_w_comp(w, pt->plan_name);
    hl7_w_field(w, pt->plan_id);                           /* IN1-3 company */
    hl7_w_field(w, pt->plan_name);                         /* IN1-4 */
    hl7_w_skip(w, 11);                                     /* IN1-5..15 */
    hl7_w_field(w, pt->family);                            /* IN1-16 insured */
    hl7_w_comp(w, pt->given);
    hl7_w_field(w, "SEL");                                 /* IN1-17 self */
    hl7_w_comp(w, "Self");
    hl7_w_comp(w, "HL70063");
    hl7_w_skip(w, 18);                                     /* IN1-18..35 */
    hl7_w_field(w, pt->member_id);                         /* IN1-36 policy */
}

static void siu(hl7_writer *w, pmssim_generator *g, const char *event,
                const pmssim_appointment *ap, int visit, int64_t now_ms,
                char control_id[32])
{
    char type[32], start[20], end[20], minutes[8], t[15];
    snprintf(type, sizeof type, "SIU^%s^SIU_S12", event);
    /* With the offset: a receiver must not read the time as its own. */
    hl7_time(ap->start_ms, t);
    snprintf(start, sizeof start, "%s+0000", t);
    hl7_time(ap->start_ms + (int64_t)ap->minutes * 60000, t);
    snprintf(end, sizeof end, "%s+0000", t);
    snprintf(minutes, sizeof minutes, "%d", ap->minutes);
    msh(w, g, type, now_ms, control_id);
    hl7_w_segment(w, "SCH");
    hl7_w_field(w, ap->id);                                /* SCH-1 placer */
    hl7_w_comp(w, AUTHORITY);
    hl7_w_field(w, ap->id);                                /* SCH-2 filler */
    hl7_w_comp(w, AUTHORITY);
    hl7_w_skip(w, 3);                                      /* SCH-3..5 */
    hl7_w_field(w, ap->cancelled ? "CANCEL" : NULL);       /* SCH-6 reason */
    if (ap->cancelled)
        hl7_w_comp(w, "Cancelled by the patient");
    hl7_w_field(w, VISIT[visit].code);                     /* SCH-7 */
    hl7_w_comp(w, VISIT[visit].text);
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
    hl7_w_field(w, ap->cancelled ? "Cancelled" : "Booked");  /* SCH-25 */
    pid(w, &g->patients[ap->patient]);
    hl7_w_segment(w, "RGS");
    hl7_w_field(w, "1");
    hl7_w_field(w, ap->cancelled ? "D" : "U");
    hl7_w_segment(w, "AIS");
    hl7_w_field(w, "1");
    hl7_w_field(w, ap->cancelled ? "D" : "U");
    hl7_w_field(w, VISIT[visit].code);                     /* AIS-3 service */
    hl7_w_comp(w, VISIT[visit].text);
    hl7_w_field(w, start);                                 /* AIS-4 */
    hl7_w_skip(w, 2);                                      /* AIS-5, 6 */
    hl7_w_field(w, minutes);                               /* AIS-7 */
    hl7_w_field(w, "min");                                 /* AIS-8 */
    hl7_w_segment(w, "AIP");
    hl7_w_field(w, "1");
    hl7_w_field(w, ap->cancelled ? "D" : "U");
    hl7_w_field(w, PROVIDER_NPI);                          /* AIP-3 XCN */
    hl7_w_comp(w, PROVIDER_FAMILY);
    hl7_w_comp(w, PROVIDER_GIVEN);
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

/* A weekday slot between 8:00 and 16:40 UTC, one to fourteen days out. */
static int64_t slot(pmssim_generator *g, int64_t now_ms)
{
    int64_t day = now_ms / 86400000 + 1 + pick(g, 14);
    while ((day + 4) % 7 >= 5)          /* 1970-01-01 was a Thursday */
        day++;
    return day * 86400000 + (8 * 60 + 20 * pick(g, 27)) * 60000LL;
}

static int last_open_appointment(const pmssim_generator *g)
{
    for (int i = g->nappointments - 1; i >= 0; i--)
        if (!g->appointments[i].cancelled)
            return i;
    return -1;
}

int pmssim_generate(pmssim_generator *g, const char *scenario, int64_t now_ms,
                    sw_buf *out, char control_id[32], sw_err *err)
{
    hl7_writer w;
    hl7_w_begin(&w, out);
    if (strcmp(scenario, "new-patient") == 0) {
        if (g->npatients == PMSSIM_MAX_PATIENTS)
            return sw_err_set(err, SW_ECONFLICT, "the simulator has generated "
                              "its %d patients; restart it", PMSSIM_MAX_PATIENTS);
        pmssim_patient *pt = &g->patients[g->npatients++];
        new_patient(g, pt);
        adt(&w, g, "A04", pt, now_ms, control_id);
    } else if (strcmp(scenario, "update-patient") == 0) {
        if (g->npatients == 0)
            return sw_err_set(err, SW_ENOTFOUND, "no patient to update: send "
                              "new-patient first");
        pmssim_patient *pt = &g->patients[g->npatients - 1];
        address(g, pt);                 /* the patient moved */
        adt(&w, g, "A08", pt, now_ms, control_id);
    } else if (strcmp(scenario, "book") == 0) {
        if (g->npatients == 0)
            return sw_err_set(err, SW_ENOTFOUND, "no patient to book for: "
                              "send new-patient first");
        if (g->nappointments == PMSSIM_MAX_APPOINTMENTS)
            return sw_err_set(err, SW_ECONFLICT, "the simulator has booked "
                              "its %d appointments; restart it",
                              PMSSIM_MAX_APPOINTMENTS);
        pmssim_appointment *ap = &g->appointments[g->nappointments];
        int visit = pick(g, COUNT(VISIT));
        *ap = (pmssim_appointment){ .patient = g->npatients - 1,
                                    .start_ms = slot(g, now_ms),
                                    .minutes = VISIT[visit].minutes };
        snprintf(ap->id, sizeof ap->id, "A%s%d", g->run, ++g->nappointments);
        ap->visit = visit;
        siu(&w, g, "S12", ap, visit, now_ms, control_id);
    } else if (strcmp(scenario, "reschedule") == 0
               || strcmp(scenario, "cancel") == 0) {
        int i = last_open_appointment(g);
        if (i < 0)
            return sw_err_set(err, SW_ENOTFOUND, "no booked appointment to "
                              "%s: send book first", scenario);
        pmssim_appointment *ap = &g->appointments[i];
        bool cancel = strcmp(scenario, "cancel") == 0;
        if (cancel)
            ap->cancelled = true;
        else {
            int64_t was = ap->start_ms;
            while (ap->start_ms == was)
                ap->start_ms = slot(g, now_ms);
        }
        siu(&w, g, cancel ? "S15" : "S13", ap, ap->visit, now_ms, control_id);
    } else {
        return sw_err_set(err, SW_EINVAL, "unknown scenario '%s': new-patient, "
                          "update-patient, book, reschedule or cancel", scenario);
    }
    int rc = hl7_w_end(&w);
    return rc == SW_OK ? SW_OK : sw_err_set(err, rc, "the message does not fit");
}
