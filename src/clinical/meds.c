/* meds.c - frequencies as FHIR Timing and the free-text check the
 * medication workflows share (see meds.h). */
#include "meds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clinical/fhir_read.h"

static const struct {
    const char *words;
    int         frequency, period;
    const char *unit, *when;
} timings[] = {
    { "once daily at bedtime", 1, 1, "d", "HS" },
    { "at bedtime", 1, 1, "d", "HS" },
    { "once daily", 1, 1, "d", NULL },
    { "daily", 1, 1, "d", NULL },
    { "twice daily", 2, 1, "d", NULL },
    { "three times daily", 3, 1, "d", NULL },
    { "four times daily", 4, 1, "d", NULL },
    { "every 4 hours", 1, 4, "h", NULL },
    { "every 6 hours", 1, 6, "h", NULL },
    { "every 8 hours", 1, 8, "h", NULL },
    { "every 12 hours", 1, 12, "h", NULL },
    { "once weekly", 1, 1, "wk", NULL },
    { "weekly", 1, 1, "wk", NULL },
};

void meds_timing_of(const char *frequency, meds_timing *t)
{
    memset(t, 0, sizeof *t);
    if (frequency == NULL)
        return;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", frequency);
    size_t len = strlen(buf);
    static const char needed[] = " as needed";
    if (strcasecmp(buf, "as needed") == 0) {
        t->as_needed = true;
        return;
    }
    if (len > sizeof needed - 1
        && strcasecmp(buf + len - (sizeof needed - 1), needed) == 0) {
        t->as_needed = true;
        buf[len - (sizeof needed - 1)] = '\0';
    }
    for (size_t i = 0; i < sizeof timings / sizeof timings[0]; i++)
        if (strcasecmp(buf, timings[i].words) == 0) {
            t->known = true;
            t->frequency = timings[i].frequency;
            t->period = timings[i].period;
            t->period_unit = timings[i].unit;
            t->when = timings[i].when;
            return;
        }
}

bool meds_plain_text(const char *s, size_t max, bool multiline)
{
    if (!clinical_plain_text(s, max, multiline))
        return false;
    bool blank = true;
    for (const char *p = s; *p && blank; p++)
        blank = *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t';
    return !blank;
}
