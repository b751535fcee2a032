/* report_measure.c - the counts behind a user's benchmarks (see
 * report_int.h), from the roll-ups (rollup.h), the activity rows
 * (activity.h) and the scheduled hours (schedule.h); never from the audit
 * trail.
 *
 * A report reads each of the user's tables once, for the widest window it
 * needs (the two 90-day ratio windows, the two 30-day time windows), and
 * computes every window's counts from those rows in memory: a report with
 * its previous windows costs the same few indexed queries (activity,
 * feature uses, patients seen, their facts by chunks of patients) and one
 * schedule read however many benchmarks and windows there are. */
#include "adoption/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "adoption/schedule.h"

bool report_pajama_quarter(int64_t day, int quarter)
{
    /* 07:00 is quarter 28, 17:30 quarter 70. */
    return adoption_weekday(day) >= 5 || quarter < 28 || quarter >= 70;
}

/* ---- The rows ------------------------------------------------------------- */

enum area { AREA_OTHER, AREA_NOTE, AREA_RX, AREA_INBOX };

typedef struct activity_row {
    int64_t day, ms;
    int     quarter;
    enum area area;
} activity_row;

typedef struct feature_row {
    int64_t day, uses;
    int     feature;          /* index into names */
} feature_row;

typedef struct seen_row {
    int64_t day, visits;
    int     patient;          /* index into patients */
} seen_row;

/* The patient facts the ratios look at. */
enum flag {
    F_MED_RECORDED, F_MED_ORDERED, F_LAB_ORDERED, F_LAB_UNORDERED,
    F_IMAGING_ORDERED, F_IMAGING_UNORDERED, F_PROBLEMS, F_ALLERGIES,
    F_VITALS, F_SMOKING, F_DEMO_COMPLETE, F_DEMO_PARTIAL, F_COUNT
};
static const char *const flag_names[F_COUNT] = {
    "medications.recorded", "medications.ordered", "lab.ordered",
    "lab.unordered", "imaging.ordered", "imaging.unordered",
    "problems.recorded", "allergies.recorded", "vitals.recorded",
    "smoking.recorded", "demographics.complete", "demographics.partial",
};

typedef struct fact_row {
    int64_t day, n;
    int     patient;
    enum flag flag;
} fact_row;

struct report_rows {
    bool    clinician;
    int64_t time_first, last;          /* activity and schedule days */
    adoption_day_schedule *days;       /* last - time_first + 1 */
    activity_row *act;   size_t nact;
    /* Feature names in sorted order; their uses in the ratio range and,
     * per name, the last use before it. */
    char  (*names)[48];  size_t nnames;
    int64_t *older_last;
    feature_row *feat;   size_t nfeat;
    /* Patients seen in the ratio range (sorted ids), and their facts. */
    char  **patients;    size_t npatients;
    seen_row *seen;      size_t nseen;
    fact_row *facts;     size_t nfacts, cap_facts;
};

/* Appends one element of size sz to *arr (growing it); NULL when out of
 * memory. */
static void *grow(void *arr_ptr, size_t *n, size_t *cap, size_t sz)
{
    void **arr = arr_ptr;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        void *p = realloc(*arr, ncap * sz);
        if (p == NULL)
            return NULL;
        *arr = p;
        *cap = ncap;
    }
    return (char *)*arr + (*n)++ * sz;
}

/* Prepares sql, whose four parameters are the practice, the user and the
 * first and last day of the window, in that order (the form of most reads
 * of a user's roll-ups here). */
static int prepare_window(store_tx *tx, const char *sql, int64_t pid,
                          int64_t uid, int64_t first, int64_t last,
                          store_stmt **st)
{
    int rc = store_prepare(tx, sql, st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(*st, 1, pid);
    store_bind_int64(*st, 2, uid);
    store_bind_int64(*st, 3, first);
    store_bind_int64(*st, 4, last);
    return SW_OK;
}

void report_rows_free(report_rows *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->npatients; i++)
        free(r->patients[i]);
    free(r->patients);
    free(r->days);
    free(r->act);
    free(r->names);
    free(r->older_last);
    free(r->feat);
    free(r->seen);
    free(r->facts);
    free(r);
}

/* Active time per quarter: the web app's client rows when it reported
 * anything in that quarter (they see reading and typing), else the
 * audited requests (API clients and the web app before it reported).
 * The rows come in key order (day, quarter, ...), so each quarter's rows
 * are together and the choice is made here, quarter by quarter, rather
 * than by a subquery per row. */
static const char *activity_sql =
    "SELECT day, quarter, area, source, active_ms FROM adoption_activity "
    "WHERE practice_id = ? AND user_id = ? AND day BETWEEN ? AND ? "
    "ORDER BY day, quarter";

/* Keeps the rows of the quarter starting at index from: drops its audit
 * rows when it has a client row. */
static void settle_quarter(report_rows *r, size_t from, const bool *client,
                           bool has_client)
{
    if (!has_client)
        return;
    size_t kept = from;
    for (size_t i = from; i < r->nact; i++)
        if (client[i - from])
            r->act[kept++] = r->act[i];
    r->nact = kept;
}

static int read_activity(store_tx *tx, int64_t pid, int64_t uid,
                         report_rows *r)
{
    store_stmt *st;
    int rc = prepare_window(tx, activity_sql, pid, uid, r->time_first,
                            r->last, &st);
    if (rc != SW_OK)
        return rc;
    /* One quarter holds at most a row per area and source. */
    enum { QUARTER_ROWS_MAX = 64 };
    bool client[QUARTER_ROWS_MAX];
    bool has_client = false;
    size_t cap = 0, from = 0;
    int64_t cur_day = -1;
    int cur_q = -1;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        int64_t day = store_col_int64(st, 0);
        int q = (int)store_col_int64(st, 1);
        if (day < r->time_first || day > r->last || q < 0
            || q >= ADOPTION_QUARTERS)
            continue;
        if (day != cur_day || q != cur_q) {
            settle_quarter(r, from, client, has_client);
            from = r->nact;
            cur_day = day;
            cur_q = q;
            has_client = false;
        }
        if (r->nact - from >= QUARTER_ROWS_MAX)
            continue;
        activity_row *a = grow(&r->act, &r->nact, &cap, sizeof *a);
        if (a == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        const char *area = store_col_text(st, 2, NULL);
        bool is_client = strcmp(store_col_text(st, 3, NULL), "client") == 0;
        client[r->nact - 1 - from] = is_client;
        has_client = has_client || is_client;
        a->day = day;
        a->quarter = q;
        a->ms = store_col_int64(st, 4);
        a->area = strcmp(area, "documentation") == 0 ? AREA_NOTE
                : strcmp(area, "eprescribing") == 0 ? AREA_RX
                : strcmp(area, ADOPTION_AREA_INBOX) == 0 ? AREA_INBOX
                : AREA_OTHER;
    }
    if (rc == SW_OK)
        settle_quarter(r, from, client, has_client);
    store_finalize(st);
    return rc;
}

static int name_index(const report_rows *r, const char *name)
{
    size_t lo = 0, hi = r->nnames;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(r->names[mid], name);
        if (cmp == 0)
            return (int)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The names of every feature the user used on or before the last day
 * with the last use before first (one grouped query: the roll-up's key
 * starts with the user, so it reads only their rows), then the uses in
 * [first, last]. */
static int read_features(store_tx *tx, int64_t pid, int64_t uid,
                         int64_t first, report_rows *r)
{
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT feature, MAX(CASE WHEN day < ? THEN "
                           "day ELSE -1 END) FROM adoption_feature_day WHERE "
                           "practice_id = ? AND user_id = ? AND day <= ? "
                           "GROUP BY feature ORDER BY feature", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, first);
    store_bind_int64(st, 2, pid);
    store_bind_int64(st, 3, uid);
    store_bind_int64(st, 4, r->last);
    size_t cap = 0, cap_last = 0, nlast = 0;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        const char *f = store_col_text(st, 0, NULL);
        if (strlen(f) >= sizeof r->names[0])
            continue;
        char *slot = grow(&r->names, &r->nnames, &cap, sizeof r->names[0]);
        int64_t *older = slot ? grow(&r->older_last, &nlast, &cap_last,
                                     sizeof *older) : NULL;
        if (older == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        strcpy(slot, f);
        *older = store_col_int64(st, 1);
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;
    /* The ORDER BY above compares as the database collates; the lookups
     * below compare bytes, so sort the same way they search. */
    for (size_t i = 1; i < r->nnames; i++)
        for (size_t j = i; j > 0 && strcmp(r->names[j - 1], r->names[j]) > 0;
             j--) {
            char t[48];
            int64_t o = r->older_last[j];
            memcpy(t, r->names[j], sizeof t);
            memcpy(r->names[j], r->names[j - 1], sizeof t);
            memcpy(r->names[j - 1], t, sizeof t);
            r->older_last[j] = r->older_last[j - 1];
            r->older_last[j - 1] = o;
        }
    rc = prepare_window(tx, "SELECT feature, day, uses FROM "
                        "adoption_feature_day WHERE practice_id = ? AND "
                        "user_id = ? AND day BETWEEN ? AND ?", pid, uid,
                        first, r->last, &st);
    if (rc != SW_OK)
        return rc;
    cap = 0;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        int fi = name_index(r, store_col_text(st, 0, NULL));
        if (fi < 0)
            continue;
        feature_row *f = grow(&r->feat, &r->nfeat, &cap, sizeof *f);
        if (f == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        f->feature = fi;
        f->day = store_col_int64(st, 1);
        f->uses = store_col_int64(st, 2);
    }
    store_finalize(st);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int patient_index(const report_rows *r, const char *id)
{
    char *const *hit = bsearch(&id, r->patients, r->npatients,
                               sizeof *r->patients, cmp_str);
    return hit ? (int)(hit - r->patients) : -1;
}

/* Patients asked for by id per query in read_facts. */
#define FACT_CHUNK 100

/* The facts recorded on or before the last day for patients[at ..
 * at + n - 1]. */
static int read_facts(store_tx *tx, int64_t pid, report_rows *r, size_t at,
                      size_t n)
{
    static const char head[] = "SELECT patient_id, flag, day, n FROM "
        "adoption_patient_day WHERE practice_id = ? AND day <= ? AND "
        "patient_id IN (";
    char sql[sizeof head + 3 * FACT_CHUNK + 2];
    size_t len = sizeof head - 1;
    memcpy(sql, head, len);
    for (size_t i = 0; i < n; i++) {
        memcpy(sql + len, i ? ", ?" : "?", i ? 3 : 1);
        len += i ? 3 : 1;
    }
    memcpy(sql + len, ")", 2);
    store_stmt *st;
    int rc = store_prepare(tx, sql, &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, pid);
    store_bind_int64(st, 2, r->last);
    for (size_t i = 0; i < n; i++)
        store_bind_cstr(st, 3 + (int)i, r->patients[at + i]);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        const char *flag = store_col_text(st, 1, NULL);
        int fl = -1;
        for (int i = 0; i < F_COUNT && fl < 0; i++)
            if (strcmp(flag, flag_names[i]) == 0)
                fl = i;
        int p = fl < 0 ? -1 : patient_index(r, store_col_text(st, 0, NULL));
        if (p < 0)
            continue;
        fact_row *f = grow(&r->facts, &r->nfacts, &r->cap_facts, sizeof *f);
        if (f == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        f->patient = p;
        f->flag = (enum flag)fl;
        f->day = store_col_int64(st, 2);
        f->n = store_col_int64(st, 3);
    }
    store_finalize(st);
    return rc;
}

/* The visits the user signed in [first, last] (the patients seen), then
 * every fact recorded on or before the last day for those patients. */
static int read_patients(store_tx *tx, int64_t pid, int64_t uid,
                         int64_t first, report_rows *r)
{
    store_stmt *st;
    int rc = prepare_window(tx, "SELECT DISTINCT patient_id FROM "
                            "adoption_seen WHERE practice_id = ? AND "
                            "user_id = ? AND day BETWEEN ? AND ?", pid, uid,
                            first, r->last, &st);
    if (rc != SW_OK)
        return rc;
    size_t cap = 0;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        char **slot = grow(&r->patients, &r->npatients, &cap, sizeof *slot);
        if (slot == NULL || (*slot = strdup(store_col_text(st, 0, NULL)))
                            == NULL) {
            if (slot != NULL)
                r->npatients--;
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
    }
    store_finalize(st);
    if (rc != SW_OK || r->npatients == 0)
        return rc;
    qsort(r->patients, r->npatients, sizeof *r->patients, cmp_str);

    rc = prepare_window(tx, "SELECT day, patient_id, visits FROM "
                        "adoption_seen WHERE practice_id = ? AND user_id = ? "
                        "AND day BETWEEN ? AND ?", pid, uid, first, r->last,
                        &st);
    if (rc != SW_OK)
        return rc;
    cap = 0;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        int p = patient_index(r, store_col_text(st, 1, NULL));
        if (p < 0)
            continue;
        seen_row *s = grow(&r->seen, &r->nseen, &cap, sizeof *s);
        if (s == NULL) {
            rc = store_tx_fail(tx, SW_ENOMEM, NULL);
            break;
        }
        s->day = store_col_int64(st, 0);
        s->patient = p;
        s->visits = store_col_int64(st, 2);
    }
    store_finalize(st);
    if (rc != SW_OK)
        return rc;

    /* The facts' key starts with the patient: one index range each,
     * asked for by the patients' ids in chunks. Not as a subquery over
     * adoption_seen: PostgreSQL plans that as a hash join over every
     * patient's facts of the practice (20 ms a clinician on the bench's
     * trail, against 4 ms this way). */
    for (size_t at = 0; rc == SW_OK && at < r->npatients;
         at += FACT_CHUNK)
        rc = read_facts(tx, pid, r, at,
                        r->npatients - at < FACT_CHUNK ? r->npatients - at
                                                        : FACT_CHUNK);
    return rc;
}

int report_rows_read(store_tx *tx, int64_t practice_id, int64_t user_id,
                     const adoption_settings *set, bool clinician,
                     int64_t as_of_day, bool previous, report_rows **out)
{
    *out = NULL;
    report_rows *r = calloc(1, sizeof *r);
    int windows = previous ? 2 : 1;
    if (r == NULL)
        return store_tx_fail(tx, SW_ENOMEM, NULL);
    r->clinician = clinician;
    r->last = as_of_day;
    r->time_first = as_of_day - (int64_t)windows * ADOPTION_TIME_WINDOW_DAYS + 1;
    int64_t ratio_first = as_of_day
                          - (int64_t)windows * ADOPTION_RATIO_WINDOW_DAYS + 1;
    size_t ndays = (size_t)(r->last - r->time_first + 1);
    r->days = calloc(ndays, sizeof *r->days);
    int rc = r->days ? SW_OK : store_tx_fail(tx, SW_ENOMEM, NULL);
    if (rc == SW_OK)
        rc = adoption_schedule_days(tx, practice_id, user_id, set,
                                    r->time_first, r->last, r->days);
    if (rc == SW_OK)
        rc = read_activity(tx, practice_id, user_id, r);
    if (rc == SW_OK)
        rc = read_features(tx, practice_id, user_id, ratio_first, r);
    if (rc == SW_OK && clinician)
        rc = read_patients(tx, practice_id, user_id, ratio_first, r);
    if (rc != SW_OK) {
        report_rows_free(r);
        return rc;
    }
    *out = r;
    return SW_OK;
}

/* ---- Counts of one window ------------------------------------------------ */

static void time_counts(const report_rows *r, int64_t last, report_counts *c)
{
    int64_t first = last - ADOPTION_TIME_WINDOW_DAYS + 1;
    for (int64_t d = first; d <= last; d++)
        if (d >= r->time_first && d <= r->last)
            c->scheduled_min += r->days[d - r->time_first].minutes;
    for (size_t i = 0; i < r->nact; i++) {
        const activity_row *a = &r->act[i];
        if (a->day < first || a->day > last)
            continue;
        c->active_ms += a->ms;
        bool scheduled = r->days[a->day - r->time_first]
                             .quarter_scheduled[a->quarter];
        if (!scheduled)
            c->outside_ms += a->ms;
        /* Pajama time: unscheduled work at night or at the weekend (a
         * Saturday clinic is not pajama time). */
        if (!scheduled && report_pajama_quarter(a->day, a->quarter))
            c->pajama_ms += a->ms;
        if (a->area == AREA_NOTE)
            c->note_ms += a->ms;
        else if (a->area == AREA_RX)
            c->rx_ms += a->ms;
        else if (a->area == AREA_INBOX)
            c->inbox_ms += a->ms;
    }
}

static int64_t feature_sum(const report_rows *r, const char *feature,
                           int64_t first, int64_t last)
{
    int fi = name_index(r, feature);
    int64_t sum = 0;
    for (size_t i = 0; fi >= 0 && i < r->nfeat; i++)
        if (r->feat[i].feature == fi && r->feat[i].day >= first
            && r->feat[i].day <= last)
            sum += r->feat[i].uses;
    return sum;
}

/* Per patient seen in the window: which facts hold (bit per flag, "on or
 * before the last day" or "in the window" as each ratio asks), and the
 * last complete and partial registrations. */
typedef struct patient_facts {
    unsigned ever, in_window;
    int64_t  last_complete, last_partial;
} patient_facts;

static void ratio_counts(const report_rows *r, int64_t last, report_counts *c)
{
    int64_t first = last - ADOPTION_RATIO_WINDOW_DAYS + 1;
    c->erx_sent = feature_sum(r, "eprescribing.send", first, last);
    c->meds_added = feature_sum(r, "medications.create", first, last);
    if (r->npatients == 0)
        return;
    bool *seen = calloc(r->npatients, sizeof *seen);
    patient_facts *pf = calloc(r->npatients, sizeof *pf);
    if (seen == NULL || pf == NULL) {
        /* Nothing to count with: the ratios read as no patients seen. */
        free(seen);
        free(pf);
        return;
    }
    for (size_t i = 0; i < r->nseen; i++)
        if (r->seen[i].day >= first && r->seen[i].day <= last)
            seen[r->seen[i].patient] = true;
    for (size_t p = 0; p < r->npatients; p++) {
        c->seen += seen[p];
        pf[p].last_complete = pf[p].last_partial = INT64_MIN;
    }
    int64_t lab_unordered = 0, imaging_unordered = 0;
    for (size_t i = 0; i < r->nfacts; i++) {
        const fact_row *f = &r->facts[i];
        if (!seen[f->patient] || f->day > last)
            continue;
        patient_facts *p = &pf[f->patient];
        p->ever |= 1u << f->flag;
        bool in = f->day >= first;
        if (in)
            p->in_window |= 1u << f->flag;
        if (f->flag == F_DEMO_COMPLETE && f->day > p->last_complete)
            p->last_complete = f->day;
        if (f->flag == F_DEMO_PARTIAL && f->day > p->last_partial)
            p->last_partial = f->day;
        /* Results answer the patients seen then: summed, not distinct. */
        if (in && f->flag == F_LAB_ORDERED)
            c->lab_ordered += f->n;
        if (in && f->flag == F_LAB_UNORDERED)
            lab_unordered += f->n;
        if (in && f->flag == F_IMAGING_ORDERED)
            c->imaging_ordered += f->n;
        if (in && f->flag == F_IMAGING_UNORDERED)
            imaging_unordered += f->n;
    }
    c->lab_all = c->lab_ordered + lab_unordered;
    c->imaging_all = c->imaging_ordered + imaging_unordered;
    for (size_t i = 0; i < r->npatients; i++) {
        const patient_facts *p = &pf[i];
        if (!seen[i])
            continue;
        /* A prescription sent puts the medication on the list too. */
        c->with_medication += (p->ever & (1u << F_MED_RECORDED
                                          | 1u << F_MED_ORDERED)) != 0;
        c->medication_ordered += (p->in_window >> F_MED_ORDERED) & 1;
        c->problems += (p->ever >> F_PROBLEMS) & 1;
        c->medications += (p->ever >> F_MED_RECORDED) & 1;
        c->allergies += (p->ever >> F_ALLERGIES) & 1;
        c->vitals += (p->in_window >> F_VITALS) & 1;
        c->smoking += (p->ever >> F_SMOKING) & 1;
        /* Demographics: the latest registration on or before the
         * window's end was complete (no partial one after the last
         * complete one; one the same day does not undo it). */
        c->demographics += p->last_complete != INT64_MIN
                           && p->last_partial <= p->last_complete;
    }
    free(seen);
    free(pf);
}

void report_counts_of(const report_rows *r, int64_t time_last,
                      int64_t ratio_last, report_counts *c)
{
    memset(c, 0, sizeof *c);
    /* Everyone's hours show on their scorecard; the benchmarks built on
     * them are clinicians'. */
    time_counts(r, time_last, c);
    if (!r->clinician)
        return;
    int64_t first = time_last - ADOPTION_TIME_WINDOW_DAYS + 1;
    for (size_t i = 0; i < r->nseen; i++)
        if (r->seen[i].day >= first && r->seen[i].day <= time_last)
            c->visits_signed += r->seen[i].visits;
    c->signed_same_day = feature_sum(r, "documentation.sign_same_day", first,
                                     time_last);
    c->signed_all = feature_sum(r, "documentation.sign", first, time_last);
    ratio_counts(r, ratio_last, c);
}

void report_feature_counts_of(const report_rows *r, int64_t last_day,
                              report_feature_count *out, size_t *n)
{
    *n = 0;
    int64_t first = last_day - ADOPTION_TIME_WINDOW_DAYS + 1;
    for (size_t fi = 0; fi < r->nnames; fi++) {
        int64_t uses = 0, last = r->older_last[fi] <= last_day
                                 ? r->older_last[fi] : -1;
        for (size_t i = 0; i < r->nfeat; i++) {
            const feature_row *f = &r->feat[i];
            if ((size_t)f->feature != fi || f->day > last_day)
                continue;
            if (f->day >= first)
                uses += f->uses;
            if (f->day > last)
                last = f->day;
        }
        if (last < 0 || *n >= REPORT_MAX_FEATURE_ROWS)
            continue;     /* not used on or before last_day */
        report_feature_count *o = &out[(*n)++];
        strcpy(o->feature, r->names[fi]);
        o->uses = uses;
        o->last_day = last;
    }
}
