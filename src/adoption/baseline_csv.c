/* baseline_csv.c - the baseline visits CSV (baseline_csv.h): parsed line
 * by line, each line checked and written in the caller's transaction, so
 * a bad line undoes the lines before it. A practice imports a few hundred
 * lines (a dozen clinicians, 8 weeks) once before go-live. */
#include "adoption/baseline_csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adoption/productivity.h"

#define FIELD_MAX 64

/* Splits line (NUL-terminated, modified) at commas into at most 5 fields,
 * each trimmed of spaces; returns how many. */
static int split(char *line, char *fields[5])
{
    int n = 0;
    char *p = line;
    while (n < 5) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *q = p + strlen(p);
        while (q > p && isspace((unsigned char)q[-1]))
            *--q = '\0';
        fields[n++] = p;
        if (!end)
            break;
        p = end + 1;
    }
    return n;
}

static int find_user(store_tx *tx, int64_t practice_id, const char *username,
                     int64_t *user_id)
{
    return store_query_int64(tx, user_id, "SELECT user_id FROM app_user WHERE "
                             "practice_id = ? AND username = ?", "it",
                             practice_id, username);
}

static int import_line(store_tx *tx, int64_t practice_id, size_t lineno,
                       char *line)
{
    char *f[5];
    int n = split(line, f);
    if (n != 4)
        return store_tx_fail(tx, SW_EINVAL, "line %zu: expected 4 fields "
                             "(username,week_start,visits,sessions), found %d",
                             lineno, n);
    int64_t user_id, day;
    int rc = f[0][0] ? find_user(tx, practice_id, f[0], &user_id) : SW_ENOTFOUND;
    if (rc == SW_ENOTFOUND)
        return store_tx_fail(tx, SW_EINVAL, "line %zu: username is not a user "
                             "of this practice", lineno);
    if (rc != SW_OK)
        return rc;
    if (!adoption_day_parse(f[1], &day))
        return store_tx_fail(tx, SW_EINVAL, "line %zu: week_start must be a "
                             "date YYYY-MM-DD", lineno);
    char *end;
    errno = 0;
    long long visits = strtoll(f[2], &end, 10);
    if (f[2][0] == '\0' || *end || errno || visits < 0 || visits > 100000)
        return store_tx_fail(tx, SW_EINVAL, "line %zu: visits must be a whole "
                             "number from 0 to 100000", lineno);
    errno = 0;
    double sessions = strtod(f[3], &end);
    if (f[3][0] == '\0' || *end || errno || !isfinite(sessions)
        || sessions < 0 || sessions > 100)
        return store_tx_fail(tx, SW_EINVAL, "line %zu: sessions must be a "
                             "number from 0 to 100", lineno);
    return adoption_baseline_set(tx, practice_id, user_id, day, visits, sessions);
}

static bool is_header(char *line)
{
    char *f[5];
    int n = split(line, f);
    static const char *const names[4] = { "username", "week_start", "visits",
                                          "sessions" };
    if (n != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(f[i], names[i]) != 0)
            return false;
    return true;
}

int adoption_baseline_import_csv(store_tx *tx, int64_t practice_id,
                                 const char *text, size_t len,
                                 int64_t *imported)
{
    *imported = 0;
    if (len > ADOPTION_BASELINE_MAX_BYTES)
        return store_tx_fail(tx, SW_EINVAL, "the file is larger than %d bytes",
                             ADOPTION_BASELINE_MAX_BYTES);
    size_t lineno = 0, pos = 0;
    bool header = false;
    int rc = SW_OK;
    while (rc == SW_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        const char *start = text + pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (n >= 256)
            return store_tx_fail(tx, SW_EINVAL, "line %zu is longer than 255 "
                                 "characters", lineno);
        char line[256];
        memcpy(line, start, n);
        line[n] = '\0';
        if (memchr(line, '\0', n) != NULL)
            return store_tx_fail(tx, SW_EINVAL, "line %zu holds a NUL byte",
                                 lineno);
        if (strspn(line, " \t") == n)
            continue;
        if (!header) {
            if (!is_header(line))
                return store_tx_fail(tx, SW_EINVAL, "line %zu: the first line "
                                     "must be the header username,week_start,"
                                     "visits,sessions", lineno);
            header = true;
            continue;
        }
        if (*imported >= ADOPTION_BASELINE_MAX_LINES)
            return store_tx_fail(tx, SW_EINVAL, "the file has more than %d "
                                 "lines", ADOPTION_BASELINE_MAX_LINES);
        if ((rc = import_line(tx, practice_id, lineno, line)) == SW_OK)
            (*imported)++;
    }
    if (rc == SW_OK && !header)
        return store_tx_fail(tx, SW_EINVAL, "the file is empty: it needs the "
                             "header username,week_start,visits,sessions");
    return rc;
}
