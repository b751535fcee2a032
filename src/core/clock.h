/* clock.h - time, in the two forms Stagewise needs.
 *
 * Monotonic time measures durations (request timing, timeouts, backoff) and
 * never jumps. Wall time stamps records (meta.lastUpdated, audit entries,
 * log lines) and is always UTC. Tests may pin the wall clock with
 * sw_clock_set_fixed so that stored timestamps are predictable. */
#ifndef SW_CLOCK_H
#define SW_CLOCK_H

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

#endif
