/* adoption.c - local days and the practice's adoption settings (see
 * adoption.h). */
#include "adoption/adoption.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

static const struct setting {
    const char *name;
    int         min, max, dflt;
} settings[] = {
    { "utc_offset_minutes", -720, 840, 0 },
    { "settling_weeks",        0,  52, 6 },
    { "peer_share_percent",   1, 100, 60 },
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static int *field(adoption_settings *s, size_t i)
{
    switch (i) {
    case 0:  return &s->utc_offset_minutes;
    case 1:  return &s->settling_weeks;
    default: return &s->peer_share_percent;
    }
}

void adoption_settings_default(adoption_settings *s)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        *field(s, i) = settings[i].dflt;
}

int adoption_settings_load(store_tx *tx, int64_t practice_id,
                           adoption_settings *out)
{
    adoption_settings_default(out);
    store_stmt *st;
    int rc = store_prepare(tx, "SELECT name, value FROM adoption_setting "
                               "WHERE practice_id = ?", &st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(st, 1, practice_id);
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        const char *name = store_col_text(st, 0, NULL);
        long v = strtol(store_col_text(st, 1, NULL), NULL, 10);
        for (size_t i = 0; i < NSETTINGS; i++)
            if (strcmp(name, settings[i].name) == 0
                && v >= settings[i].min && v <= settings[i].max)
                *field(out, i) = (int)v;
    }
    store_finalize(st);
    return rc;
}

int adoption_setting_set(store_tx *tx, int64_t practice_id, const char *name,
                         int value)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (strcmp(name, settings[i].name) != 0)
            continue;
        if (value < settings[i].min || value > settings[i].max)
            return store_tx_fail(tx, SW_EINVAL, "%s must be between %d and %d",
                                 name, settings[i].min, settings[i].max);
        char text[16];
        snprintf(text, sizeof text, "%d", value);
        return store_exec(tx, NULL,
            "INSERT INTO adoption_setting (practice_id, name, value) "
            "VALUES (?, ?, ?) ON CONFLICT (practice_id, name) "
            "DO UPDATE SET value = excluded.value",
            "itt", practice_id, name, text);
    }
    return store_tx_fail(tx, SW_EINVAL, "unknown adoption setting \"%s\" "
                         "(utc_offset_minutes, settling_weeks or "
                         "peer_share_percent)", name);
}

/* Floor division: days before 1970 stay whole days. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t adoption_day_of(int64_t at_ms, int utc_offset_minutes)
{
    return floor_div(at_ms + (int64_t)utc_offset_minutes * 60000,
                     ADOPTION_DAY_MS);
}

int64_t adoption_day_start_ms(int64_t day, int utc_offset_minutes)
{
    return day * ADOPTION_DAY_MS - (int64_t)utc_offset_minutes * 60000;
}

int adoption_weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (3 counting Monday as 0). */
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int adoption_quarter_of(int64_t at_ms, int utc_offset_minutes)
{
    int64_t local = at_ms + (int64_t)utc_offset_minutes * 60000;
    int64_t in_day = local - floor_div(local, ADOPTION_DAY_MS) * ADOPTION_DAY_MS;
    return (int)(in_day / ADOPTION_QUARTER_MS);
}

void adoption_day_text(int64_t day, char out[11])
{
    char iso[SW_TIME_ISO_MAX];
    sw_time_iso(day * ADOPTION_DAY_MS, iso);
    memcpy(out, iso, 10);
    out[10] = '\0';
}

bool adoption_day_parse(const char *s, int64_t *day)
{
    int y, m, d;
    char tail;
    if (s == NULL || strlen(s) != 10
        || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
        || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1)
        return false;
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    *day = sw_days_from_civil(y, m, d);
    return true;
}

int adoption_today(store_tx *tx, int64_t practice_id, int64_t asked,
                   int64_t *day)
{
    if (asked >= 0) {
        *day = asked;
        return SW_OK;
    }
    adoption_settings set;
    int rc = adoption_settings_load(tx, practice_id, &set);
    if (rc == SW_OK)
        *day = adoption_day_of(sw_now_wall_ms(), set.utc_offset_minutes);
    return rc;
}
