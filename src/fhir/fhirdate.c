/* fhirdate.c - FHIR date strings to [low, high] millisecond ranges (see
 * fhirdate.h). Calendar arithmetic is proleptic Gregorian, by formula. */
#include "fhirdate.h"

#include <stddef.h>

#include "core/clock.h"

static bool num(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

#define MS_DAY 86400000LL

bool fhir_date_range(const char *s, int64_t *low, int64_t *high)
{
    int y, m = 0, d = 0;
    if (!num(s, 4, &y) || y < 1)
        return false;
    const char *p = s + 4;
    if (*p == '\0') {
        *low = sw_days_from_civil(y, 1, 1) * MS_DAY;
        *high = sw_days_from_civil(y + 1, 1, 1) * MS_DAY - 1;
        return true;
    }
    if (*p != '-' || !num(p + 1, 2, &m) || m < 1 || m > 12)
        return false;
    p += 3;
    if (*p == '\0') {
        *low = sw_days_from_civil(y, m, 1) * MS_DAY;
        *high = *low + days_in_month(y, m) * MS_DAY - 1;
        return true;
    }
    if (*p != '-' || !num(p + 1, 2, &d) || d < 1 || d > days_in_month(y, m))
        return false;
    p += 3;
    int64_t day = sw_days_from_civil(y, m, d) * MS_DAY;
    if (*p == '\0') {
        *low = day;
        *high = day + MS_DAY - 1;
        return true;
    }
    int hh, mm, ss = 0, ms = 0;
    if (*p != 'T' || !num(p + 1, 2, &hh) || p[3] != ':' || !num(p + 4, 2, &mm)
        || hh > 23 || mm > 59)
        return false;
    p += 6;
    int64_t width = 60000;                 /* minute precision */
    if (*p == ':') {
        if (!num(p + 1, 2, &ss) || ss > 60)
            return false;
        p += 3;
        width = 1000;
        if (*p == '.') {
            int digits = 0, scale = 100;
            for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
                ms += (*p - '0') * scale;
                scale /= 10;
            }
            if (digits == 0)
                return false;
            width = digits >= 3 ? 1 : (digits == 2 ? 10 : 100);
        }
    }
    int64_t offset_ms = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!num(p + 1, 2, &oh) || p[3] != ':' || !num(p + 4, 2, &om)
            || oh > 14 || om > 59)
            return false;
        offset_ms = (int64_t)(oh * 60 + om) * 60000 * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p != '\0')
        return false;
    *low = day + (int64_t)hh * 3600000 + (int64_t)mm * 60000 + ss * 1000 + ms
         - offset_ms;
    *high = *low + width - 1;
    return true;
}
