/* benchmarks.c - the benchmark table and the practice's targets (see
 * benchmarks.h; docs/adoption-metrics.md "Benchmarks" has each row's
 * formula, source and defaults in prose).
 *
 * The rows are data: adding a benchmark adds a row here and its
 * computation in report.c. Defaults for the ratios follow DESIGN.md §6,
 * which starts from the Meaningful Use Stage 1 thresholds (42 CFR
 * 495.6(d)) and raises the goals; the time metrics' defaults were chosen
 * by Stagewise against the published figures cited in the doc. Workload:
 * read per report; targets written a few times a year. */
#include "adoption/benchmarks.h"

#include <math.h>
#include <string.h>

#define MU1 "Meaningful Use Stage 1 measure (42 CFR 495.6(d)); "
#define LOG_METRIC "EHR time per 8 hours of scheduled patient time, as in " \
    "Melnick et al., JAMIA 2021 (median 5.23 h); "

static const adoption_benchmark table[] = {
    /* ---- Time (30 days, clinicians, lower is better) ------------------- */
    { "ehr_time", "EHR time", "", ADOPTION_KIND_TIME, "h per 8 h", true,
      6.0, 5.0, ADOPTION_TIME_WINDOW_DAYS,
      "Active time in Stagewise per 8 hours of scheduled patient time.",
      LOG_METRIC "floor and goal chosen by Stagewise" },
    { "outside_time", "Work outside scheduled hours", "", ADOPTION_KIND_TIME,
      "h per 8 h", true, 1.5, 1.0, ADOPTION_TIME_WINDOW_DAYS,
      "Active time in quarter-hours with no scheduled time, per 8 hours of "
      "scheduled patient time.",
      "Arndt et al., Ann Fam Med 2017 (1.4 h a weekday after clinic hours); "
      "floor and goal chosen by Stagewise" },
    { "note_time", "Note time", "documentation", ADOPTION_KIND_TIME,
      "h per 8 h", true, 2.0, 1.5, ADOPTION_TIME_WINDOW_DAYS,
      "Active time in visit documentation per 8 hours of scheduled patient "
      "time.",
      "Arndt et al., Ann Fam Med 2017 (documentation, order entry, billing "
      "and security 44% of EHR time); floor and goal chosen by Stagewise" },
    { "rx_time", "Prescription time", "eprescribing", ADOPTION_KIND_TIME,
      "h per 8 h", true, 0.75, 0.5, ADOPTION_TIME_WINDOW_DAYS,
      "Active time in e-prescribing per 8 hours of scheduled patient time.",
      "Floor and goal chosen by Stagewise" },
    { "inbox_time", "Inbox time", "", ADOPTION_KIND_TIME, "h per 8 h", true,
      1.5, 1.0, ADOPTION_TIME_WINDOW_DAYS,
      "Active time in the inbox per 8 hours of scheduled patient time.",
      "Arndt et al., Ann Fam Med 2017 (inbox 85 minutes a weekday, 24% of "
      "EHR time); floor and goal chosen by Stagewise" },
    { "pajama", "Pajama time", "", ADOPTION_KIND_TIME, "min per visit", true,
      10.0, 5.0, ADOPTION_TIME_WINDOW_DAYS,
      "Active time outside scheduled hours on weekdays before 07:00 or from "
      "17:30, and all weekend, in minutes per visit signed.",
      "Floor and goal chosen by Stagewise" },
    /* ---- Closure (30 days, clinicians) --------------------------------- */
    { "same_day_closure", "Same-day visit closure", "documentation",
      ADOPTION_KIND_CLOSURE, "%", false, 60.0, 90.0,
      ADOPTION_TIME_WINDOW_DAYS,
      "Visit notes signed the day the visit began, as a share of visit "
      "notes signed.",
      "Floor and goal chosen by Stagewise" },
    /* ---- Ratios (90 days, clinicians) ---------------------------------- */
    { "erx", "E-prescribing", "eprescribing", ADOPTION_KIND_RATIO, "%",
      false, 50.0, 60.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Prescriptions sent / (prescriptions sent + medications the user "
      "added to a list without sending them).",
      MU1 "more than 40%; DESIGN.md raises it to 50/60" },
    { "med_cpoe", "Medication orders", "eprescribing", ADOPTION_KIND_RATIO,
      "%", false, 60.0, 90.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with a medication recorded who had a prescription sent "
      "in the window / patients seen with a medication recorded.",
      MU1 "more than 30%; DESIGN.md raises it to 60/90" },
    { "lab_cpoe", "Lab orders", "orders", ADOPTION_KIND_RATIO, "%", false,
      30.0, 60.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Lab results of patients seen that answer an order placed in "
      "Stagewise / all their lab results, in the window.",
      "DESIGN.md §6 (30/60), after the Meaningful Use CPOE measures; "
      "the computerized order entry criterion of 45 CFR 170.304(a) names "
      "laboratory orders" },
    { "imaging_cpoe", "Imaging orders", "orders", ADOPTION_KIND_RATIO, "%",
      false, 30.0, 60.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Imaging reports of patients seen that answer an order placed in "
      "Stagewise / all their imaging reports, in the window.",
      "DESIGN.md §6 (30/60), after the Meaningful Use CPOE measures; "
      "the computerized order entry criterion of 45 CFR 170.304(a) names "
      "radiology/imaging orders" },
    { "problem_list", "Problem list", "problems", ADOPTION_KIND_RATIO, "%",
      false, 80.0, 95.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with a problem (or \"no known problems\") recorded / "
      "patients seen.",
      MU1 "more than 80%; goal 95 chosen by Stagewise" },
    { "med_list", "Medication list", "medications", ADOPTION_KIND_RATIO, "%",
      false, 80.0, 95.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with a medication (or \"no medications\") recorded / "
      "patients seen.",
      MU1 "more than 80%; goal 95 chosen by Stagewise" },
    { "allergy_list", "Allergy list", "allergies", ADOPTION_KIND_RATIO, "%",
      false, 80.0, 95.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with an allergy (or \"no known allergies\") recorded / "
      "patients seen.",
      MU1 "more than 80%; goal 95 chosen by Stagewise" },
    { "demographics", "Demographics", "registration", ADOPTION_KIND_RATIO,
      "%", false, 50.0, 80.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen whose latest registration holds birth date, gender, "
      "preferred language, race and ethnicity / patients seen.",
      MU1 "more than 50%; DESIGN.md goal 80" },
    { "vitals", "Vital signs", "vitals", ADOPTION_KIND_RATIO, "%", false,
      50.0, 80.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with vital signs recorded in the window / patients "
      "seen.",
      MU1 "more than 50%; DESIGN.md goal 80" },
    { "smoking", "Smoking status", "vitals", ADOPTION_KIND_RATIO, "%", false,
      50.0, 80.0, ADOPTION_RATIO_WINDOW_DAYS,
      "Patients seen with a smoking status (LOINC 72166-2) ever recorded / "
      "patients seen.",
      MU1 "more than 50%; DESIGN.md goal 80" },
    /* ---- Breadth (30 days, everyone with core features) ---------------- */
    { "breadth", "Breadth", "*", ADOPTION_KIND_BREADTH, "%", false,
      50.0, 75.0, ADOPTION_TIME_WINDOW_DAYS,
      "Core features of the module for the user's roles used at least 3 "
      "times in 30 days / the module's core features for those roles.",
      "DESIGN.md §6 (goal 75); floor 50 chosen by Stagewise" },
};
#define NTABLE (sizeof table / sizeof table[0])

_Static_assert(NTABLE <= 32, "adoption_targets holds 32 benchmarks");

const adoption_benchmark *adoption_benchmarks(size_t *n)
{
    *n = NTABLE;
    return table;
}

const adoption_benchmark *adoption_benchmark_find(const char *id)
{
    for (size_t i = 0; id && i < NTABLE; i++)
        if (strcmp(table[i].id, id) == 0)
            return &table[i];
    return NULL;
}

int adoption_targets_load(store_tx *tx, int64_t practice_id,
                          adoption_targets *out)
{
    out->n = NTABLE;
    for (size_t i = 0; i < NTABLE; i++) {
        out->floor[i] = table[i].floor;
        out->goal[i] = table[i].goal;
    }
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT benchmark, floor, goal FROM "
                           "adoption_target WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        const adoption_benchmark *b =
            adoption_benchmark_find(store_col_text(st, 0, NULL));
        if (b == NULL)
            continue;      /* a benchmark since retired */
        size_t i = (size_t)(b - table);
        out->floor[i] = store_col_double(st, 1);
        out->goal[i] = store_col_double(st, 2);
    }
    store_finalize(st);
    return rc;
}

int adoption_target_set(store_tx *tx, int64_t practice_id, const char *id,
                        double floor, double goal)
{
    const adoption_benchmark *b = adoption_benchmark_find(id);
    if (b == NULL)
        return store_tx_fail(tx, SW_EINVAL, "there is no benchmark \"%.40s\"",
                             id ? id : "");
    if (!isfinite(floor) || !isfinite(goal))
        return store_tx_fail(tx, SW_EINVAL, "%s: floor and goal must be "
                             "numbers", b->id);
    if (strcmp(b->unit, "%") == 0
        && (floor < 0 || floor > 100 || goal < 0 || goal > 100))
        return store_tx_fail(tx, SW_EINVAL, "%s: floor and goal are percents "
                             "between 0 and 100", b->id);
    if (floor < 0 || goal < 0)
        return store_tx_fail(tx, SW_EINVAL, "%s: floor and goal may not be "
                             "negative", b->id);
    if (b->lower_is_better ? goal > floor : goal < floor)
        return store_tx_fail(tx, SW_EINVAL, "%s: the goal must be at least as "
                             "good as the floor (%s)", b->id,
                             b->lower_is_better ? "at most the floor: less "
                                                  "time is better"
                                                : "at least the floor");
    int rc = store_exec(tx, NULL, "DELETE FROM adoption_target WHERE "
                        "practice_id = ? AND benchmark = ?", "it",
                        practice_id, b->id);
    if (rc != SW_OK)
        return rc;
    store_stmt *st;
    rc = store_prepare(tx, "INSERT INTO adoption_target (practice_id, "
                       "benchmark, floor, goal) VALUES (?, ?, ?, ?)", &st);
    if (rc != SW_OK)
        return rc;
    if ((rc = store_bind_int64(st, 1, practice_id)) == SW_OK
        && (rc = store_bind_cstr(st, 2, b->id)) == SW_OK
        && (rc = store_bind_double(st, 3, floor)) == SW_OK
        && (rc = store_bind_double(st, 4, goal)) == SW_OK) {
        bool row;
        rc = store_step(st, &row);
    }
    store_finalize(st);
    return rc;
}

const char *adoption_standing(const adoption_benchmark *b, double floor,
                              double goal, double value)
{
    bool goal_met = b->lower_is_better ? value <= goal : value >= goal;
    bool floor_met = b->lower_is_better ? value <= floor : value >= floor;
    return goal_met ? "goal_met" : floor_met ? "floor_met" : "below_floor";
}

bool adoption_per_8h(int64_t active_ms, int64_t scheduled_minutes,
                     double *hours)
{
    if (scheduled_minutes <= 0)
        return false;
    /* active hours / (scheduled hours / 8) */
    *hours = ((double)active_ms / 3600000.0) * 480.0 / (double)scheduled_minutes;
    return true;
}

bool adoption_percent(int64_t numerator, int64_t denominator, double *pct)
{
    if (denominator <= 0)
        return false;
    *pct = 100.0 * (double)numerator / (double)denominator;
    return true;
}
