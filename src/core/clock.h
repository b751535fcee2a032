/* clock.h - time, in the two forms Stagewise needs.
 *
 * Monotonic time measures durations (request timing, timeouts, backoff) and
 * never jumps. Wall time stamps records (meta.lastUpdated, audit entries,
 * log lines) and is always UTC. Tests may pin the wall clock with
 * sw_clock_set_fixed so that stored timestamps are predictable. */
#ifndef SW_CLOCK_H
#define SW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Milliseconds since an arbitrary start; only differences mean anything. */
int64_t sw_now_mono_ms(void);
/* Microseconds, same clock, for sub-millisecond durations. */
int64_t sw_now_mono_us(void);
/* Milliseconds since the Unix epoch, UTC. */
int64_t sw_now_wall_ms(void);

/* Pins sw_now_wall_ms to a value (tests only); 0 unpins. */
void sw_clock_set_fixed(int64_t wall_ms);

/* "2026-11-25T01:23:45.678Z" plus NUL, with room to spare. */
#define SW_TIME_ISO_MAX 64
void sw_time_iso(int64_t wall_ms, char out[SW_TIME_ISO_MAX]);
/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (negative before it). */
int64_t sw_days_from_civil(int64_t y, int m, int d);

/* "Wed, 25 Nov 2026 01:23:45 GMT" (RFC 9110 IMF-fixdate) plus NUL. */
#define SW_TIME_HTTP_MAX 40
void sw_time_http(int64_t wall_ms, char out[SW_TIME_HTTP_MAX]);

/* Parses an ISO 8601 / FHIR instant or dateTime with a time zone
 * ("2026-11-25T01:23:45.678Z", "…+01:00") into ms since the epoch. */
bool sw_time_parse_iso(const char *s, int64_t *wall_ms);

#endif
