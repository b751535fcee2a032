/* clock.c - monotonic and wall clocks (see clock.h). */
#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static _Atomic int64_t fixed_wall_ms;

int64_t sw_now_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sw_now_mono_ms(void)
{
    return sw_now_mono_us() / 1000;
}

int64_t sw_now_wall_ms(void)
{
    int64_t fixed = atomic_load(&fixed_wall_ms);
    if (fixed != 0)
        return fixed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sw_clock_set_fixed(int64_t wall_ms)
{
    atomic_store(&fixed_wall_ms, wall_ms);
}

void sw_time_iso(int64_t wall_ms, char out[SW_TIME_ISO_MAX])
{
    int64_t s = wall_ms / 1000, rem = wall_ms % 1000;
    if (rem < 0) {                 /* before 1970: floor, not truncation */
        rem += 1000;
        s -= 1;
    }
    time_t secs = (time_t)s;
    int ms = (int)rem;
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, SW_TIME_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}
