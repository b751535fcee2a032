/* log.c - timestamped log lines written whole with one write(2). */
#include "log.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#define LINE_MAX_BYTES 2048

static sw_log_level min_level = SW_LOG_INFO;
static int log_fd = 2;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void sw_log_set_level(sw_log_level level) { min_level = level; }
void sw_log_set_fd(int fd) { log_fd = fd; }

static void write_line(char *line, size_t n)
{
    if (n >= LINE_MAX_BYTES - 1)
        n = LINE_MAX_BYTES - 2;
    line[n++] = '\n';
    while (n > 0) {
        ssize_t w = write(log_fd, line, n);
        if (w <= 0)
            return;          /* nowhere to report a failing log */
        line += w;
        n -= (size_t)w;
    }
}

static size_t put_prefix(char *line, const char *level)
{
    char ts[SW_TIME_ISO_MAX];
    sw_time_iso(sw_now_wall_ms(), ts);
    int n = snprintf(line, LINE_MAX_BYTES, "%s %s ", ts, level);
    return n > 0 ? (size_t)n : 0;
}

void sw_log(sw_log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[LINE_MAX_BYTES];
    size_t n = put_prefix(line, level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, LINE_MAX_BYTES - n, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += (size_t)m < LINE_MAX_BYTES - n ? (size_t)m : LINE_MAX_BYTES - n - 1;
    write_line(line, n);
}

void sw_log_access(const char *method, const char *route, int status,
                   double ms, const char *user_id, const char *request_id)
{
    char line[LINE_MAX_BYTES];
    size_t n = put_prefix(line, "access");
    int m = snprintf(line + n, LINE_MAX_BYTES - n,
                     "method=%s route=%s status=%d ms=%.3f user=%s request=%s",
                     method ? method : "-", route ? route : "-", status, ms,
                     user_id ? user_id : "-", request_id ? request_id : "-");
    if (m > 0)
        n += (size_t)m < LINE_MAX_BYTES - n ? (size_t)m : LINE_MAX_BYTES - n - 1;
    write_line(line, n);
}
