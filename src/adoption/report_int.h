/* report_int.h - what report.c asks report_measure.c: the raw counts of
 * one user's windows, read from the roll-ups, the activity rows and the
 * scheduled hours (docs/adoption-metrics.md "Benchmarks"). Internal to
 * the report. */
#ifndef SW_ADOPTION_REPORT_INT_H
#define SW_ADOPTION_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "adoption/adoption.h"

/* The counts behind every benchmark but breadth, for the time window
 * ending time_last (30 days) and the ratio window ending ratio_last (90
 * days). */
typedef struct report_counts {
    /* Time window. */
    int64_t scheduled_min;
    int64_t active_ms, outside_ms, note_ms, rx_ms, inbox_ms, pajama_ms;
    int64_t visits_signed;
    int64_t signed_same_day, signed_all;
    /* Ratio window. */
    int64_t erx_sent, meds_added;
    int64_t seen;                       /* distinct patients seen */
    int64_t with_medication, medication_ordered;
    int64_t lab_ordered, lab_all, imaging_ordered, imaging_all;
    int64_t problems, medications, allergies, demographics, vitals, smoking;
} report_counts;

/* One user's rows for a report, read once (one query per table: the
 * activity rows and scheduled hours of the time windows, the feature
 * uses, the patients seen and those patients' facts of the ratio
 * windows), from which the counts of each window are computed in
 * memory. */
typedef struct report_rows report_rows;

/* Reads user_id's rows for the windows ending as_of_day and, when
 * previous, the windows before them too. Scheduled and active time are
 * read for everyone; the patients only for clinicians (others count
 * zeros). */
int report_rows_read(store_tx *tx, int64_t practice_id, int64_t user_id,
                     const adoption_settings *set, bool clinician,
                     int64_t as_of_day, bool previous, report_rows **out);
void report_rows_free(report_rows *r);   /* NULL accepted */

/* Fills c from rows for the time window ending time_last (30 days) and
 * the ratio window ending ratio_last (90 days), both inside what rows
 * holds. */
void report_counts_of(const report_rows *rows, int64_t time_last,
                      int64_t ratio_last, report_counts *c);

/* One feature's uses: in the 30 days ending last_day, and the last day it
 * was used on or before last_day (-1: never). */
typedef struct report_feature_count {
    char    feature[48];
    int64_t uses;
    int64_t last_day;
} report_feature_count;

#define REPORT_MAX_FEATURE_ROWS 96

/* Every feature the user used on or before last_day, in feature order,
 * into out (at most REPORT_MAX_FEATURE_ROWS). */
void report_feature_counts_of(const report_rows *rows, int64_t last_day,
                              report_feature_count *out, size_t *n);

/* Whether a local quarter-hour is in the hours of "pajama time":
 * weekdays before 07:00 or from 17:30, and all weekend (the report counts
 * only such quarters that are not scheduled). */
bool report_pajama_quarter(int64_t day, int quarter);

#endif
