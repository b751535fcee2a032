/* demo_history_int.h - what the demo history's files share: the people
 * and their habits, the patients, and the client calls (demo_history.c
 * runs the timeline, demo_history_day.c one clinic day). */
#ifndef SW_DEMO_HISTORY_INT_H
#define SW_DEMO_HISTORY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "demo_http.h"

#define DH_DAY_MS       (24LL * 3600 * 1000)
#define DH_MIN_MS       (60LL * 1000)
#define DH_PATIENTS     320
#define DH_SEED         20261125u
#define DH_BASELINE_WEEKS 8
#define DH_STAGE1_DAYS  70      /* stage 1 went live this many days ago */
#define DH_STAGE2_DAYS  28

/* The people who sign in (index into dh.tokens). */
enum dh_person {
    P_RIVERA, P_OSEI, P_CHEN, P_BROOKS, P_OKAFOR, P_JONES, P_GARCIA,
    P_PATEL, P_SANTOS, P_MORGAN, P_PEOPLE
};

/* A clinician and the habits that shape their curves. Probabilities are
 * per visit, in percent; "start" applies on go-live day, "end" after
 * learn_weeks, linearly in between. */
typedef struct dh_clinician {
    enum dh_person who;
    const char *practitioner, *display;
    int  workdays;              /* 5: Monday-Friday, 4: Monday-Thursday */
    int  visits_per_day;        /* before go-live */
    int  recover_weeks;         /* back to the full schedule after this */
    int  note_min_start, note_min_end, learn_weeks;
    int  sign_same_day_start, sign_same_day_end;
    int  evening_share;         /* of the notes not signed at once, % signed in the evening */
    int  reconcile_start, reconcile_end;
    int  erx_share;             /* of new medications, % e-prescribed (else listed) */
    int  problems_share;        /* of new chronic diagnoses, % put on the problem list */
    int  signoff_delay_days;    /* results signed off after this many days */
    int  leave_week;            /* a week of leave (weeks after go-live; 0 none) */
} dh_clinician;

typedef struct dh_patient {
    char id[24];
    char family[32];
    int  condition;             /* 0 acute, 1 hypertension, 2 diabetes */
    bool problem_listed, allergies_asked, smoking_asked, med_started, vaccinated;
} dh_patient;

/* A result waiting to be filed, then signed off. */
typedef struct dh_pending {
    char order[80], report[80], patient[24];
    int  clinician;
    int64_t file_day, signoff_day;
} dh_pending;

#define DH_MAX_PENDING 4096
#define DH_MAX_DEFERRED 64

typedef struct dh_deferred {
    char encounter[80];
    bool evening;               /* signed tonight, else tomorrow morning */
} dh_deferred;

/* The activity of one user-day, posted at the day's end. */
#define DH_MAX_ACTIVITY 190
typedef struct dh_activity {
    int n;
    struct { const char *area, *screen; int64_t from, to; int active_s; } e[DH_MAX_ACTIVITY];
} dh_activity;

typedef struct dh {
    demo_http *http;
    char   tokens[P_PEOPLE][96];
    char   pms_token[96], lab_token[96];
    uint64_t rng;
    int64_t today0;             /* today's midnight UTC, ms */
    int64_t stage1_day0, stage2_day0;   /* the go-live days' midnights */
    dh_patient patients[DH_PATIENTS];
    dh_pending pending[DH_MAX_PENDING];
    int    npending;
    dh_deferred deferred[4][DH_MAX_DEFERRED];
    int    ndeferred[4];
    dh_activity activity[P_PEOPLE];
    bool   activity_route;      /* POST /api/activity answers (not 404) */
    /* What was built, for the summary line. */
    int    visits, signed_notes, prescriptions, orders, results, calls;
    int    registered;          /* patients the desk registered since go-live */
    sw_err *err;
} dh;

extern const dh_clinician dh_clinicians[4];
extern const char *const dh_usernames[P_PEOPLE];

/* A number in [0, n) from the history's own generator (deterministic). */
int  dh_rand(dh *h, int n);
/* Pins the simulated clock. */
void dh_at(int64_t ms);
/* One call as person p (P_PEOPLE: no token; token given: that one). Fails
 * (SW_EINTERNAL with the route and the answer) when the status is not
 * one of ok1, ok2; *reply (may be NULL) gets the answer. */
int  dh_call(dh *h, const char *token, const char *method, const char *path,
             json_t *body, long ok1, long ok2, json_t **reply);
/* The same, returning the status instead of failing on it. */
int  dh_try(dh *h, const char *token, const char *method, const char *path,
            json_t *body, long *status, json_t **reply);
/* A span of activity for person p. */
void dh_activity_add(dh *h, enum dh_person p, const char *area,
                     const char *screen, int64_t from, int64_t to, int active_s);
/* The string member key of an answer, "" when there is none. */
const char *dh_str(json_t *reply, const char *key);
/* "2026-11-25T09:30:00Z" for ms. */
void dh_iso(int64_t ms, char out[32]);

/* Preferred language, race and ethnicity on a Patient being registered
 * (k: which person; one in eight has no race and ethnicity). */
void dh_demographics(json_t *patient, int k);
/* One working day (its midnight day0) after stage 1 went live. */
int  dh_clinic_day(dh *h, int64_t day0);
/* Percent along a learning curve from start to end over weeks. */
int  dh_curve(int start, int end, int weeks, int64_t days_live);

#endif
