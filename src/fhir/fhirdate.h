/* fhirdate.h - FHIR dates as ranges of time, for indexing and searching.
 *
 * A FHIR date, dateTime or instant stands for an interval whose width is
 * its precision: "2020" is all of 2020, "2020-05-01" one day,
 * "2020-05-01T10:00:00+02:00" one second. Search compares such intervals
 * (eq means "the value's range contains the parameter's range", ge and le
 * compare ends), so both stored values and search values become
 * [low, high] in milliseconds since the epoch, both ends included. Values
 * without a time zone (dates, and dateTimes FHIR allows without one) are
 * taken as UTC. */
#ifndef SW_FHIR_FHIRDATE_H
#define SW_FHIR_FHIRDATE_H

#include <stdbool.h>
#include <stdint.h>

/* The bounds used for open ends (a Period without an end). */
#define FHIR_TIME_MIN (-62135596800000LL)   /* 0001-01-01T00:00:00Z */
#define FHIR_TIME_MAX (253402300799999LL)   /* 9999-12-31T23:59:59.999Z */

/* Parses YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fff]] with
 * an optional Z or ±hh:mm, into its range. False when malformed. */
bool fhir_date_range(const char *s, int64_t *low, int64_t *high);

#endif
