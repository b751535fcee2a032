/* log.c - timestamped log lines written whole with one write(2), as text
 * or as one JSON object per line (sw_log_set_format). Every line the
 * server logs passes through here, so what a line may hold (never patient
 * data: see log.h) is decided in one place for both shapes. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#define LINE_MAX_BYTES 2048

static sw_log_level min_level = SW_LOG_INFO;
static int log_fd = 2;
static sw_log_format log_format = SW_LOG_TEXT;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void sw_log_set_level(sw_log_level level) { min_level = level; }
void sw_log_set_fd(int fd) { log_fd = fd; }
void sw_log_set_format(sw_log_format format) { log_format = format; }

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
    int n = log_format == SW_LOG_JSON
          ? snprintf(line, LINE_MAX_BYTES, "{\"ts\":\"%s\",\"level\":\"%s\",",
                     ts, level)
          : snprintf(line, LINE_MAX_BYTES, "%s %s ", ts, level);
    return n > 0 ? (size_t)n : 0;
}

/* Appends s as the inside of a JSON string, leaving room for the line's
 * closing characters (reserve); a value cut short is cut before an
 * escape, never inside one. */
static size_t put_json_text(char *line, size_t n, const char *s, size_t reserve)
{
    static const char hex[] = "0123456789abcdef";
    size_t cap = LINE_MAX_BYTES - reserve;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[7];
        size_t k = 0;
        if (*p == '"' || *p == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)*p;
        } else if (*p == '\n' || *p == '\t' || *p == '\r') {
            esc[k++] = '\\';
            esc[k++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
        } else if (*p < 0x20 || *p == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            k = 6;
        } else {
            esc[k++] = (char)*p;
        }
        if (n + k >= cap)
            break;
        memcpy(line + n, esc, k);
        n += k;
    }
    /* A cut may split a UTF-8 sequence: drop its leading bytes. */
    size_t end = n;
    while (end > 0 && ((unsigned char)line[end - 1] & 0xc0) == 0x80)
        end--;
    if (end > 0 && ((unsigned char)line[end - 1] & 0xc0) == 0xc0) {
        unsigned char lead = (unsigned char)line[end - 1];
        size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (n - (end - 1) < want)
            n = end - 1;
    }
    return n;
}

static size_t put_raw(char *line, size_t n, const char *s)
{
    size_t k = strlen(s);
    if (n + k >= LINE_MAX_BYTES - 2)
        k = LINE_MAX_BYTES - 2 > n ? LINE_MAX_BYTES - 2 - n : 0;
    memcpy(line + n, s, k);
    return n + k;
}

void sw_log(sw_log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[LINE_MAX_BYTES];
    size_t n = put_prefix(line, level_names[level]);
    char msg[LINE_MAX_BYTES];
    char *to = log_format == SW_LOG_JSON ? msg : line + n;
    size_t cap = log_format == SW_LOG_JSON ? sizeof msg : LINE_MAX_BYTES - n;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(to, cap, fmt, ap);
    va_end(ap);
    if (log_format == SW_LOG_JSON) {
        if (m < 0)
            msg[0] = '\0';
        n = put_raw(line, n, "\"msg\":\"");
        n = put_json_text(line, n, msg, 4);
        n = put_raw(line, n, "\"}");
    } else if (m > 0) {
        n += (size_t)m < cap ? (size_t)m : cap - 1;
    }
    write_line(line, n);
}

void sw_log_access(const char *method, const char *route, int status,
                   double ms, const char *user_id, const char *request_id)
{
    char line[LINE_MAX_BYTES];
    size_t n = put_prefix(line, "access");
    method = method ? method : "-";
    route = route ? route : "-";
    user_id = user_id ? user_id : "-";
    request_id = request_id ? request_id : "-";
    if (log_format == SW_LOG_JSON) {
        /* Each text field escaped: the method is whatever token a client
         * sent. */
        const char *names[] = { "method", "route", "user", "request" };
        const char *values[] = { method, route, user_id, request_id };
        /* Each field has its own share of the line, so a long one (a
         * method token is whatever a client sent) cannot crowd out the
         * others or the status. */
        static const size_t share[] = { 64, 512, 64, 64 };
        n = put_raw(line, n, "\"msg\":\"request\"");
        for (int i = 0; i < 4; i++) {
            n = put_raw(line, n, ",\"");
            n = put_raw(line, n, names[i]);
            n = put_raw(line, n, "\":\"");
            size_t room = LINE_MAX_BYTES - n > share[i] ? LINE_MAX_BYTES - n - share[i] : 0;
            n = put_json_text(line, n, values[i], room > 256 ? room : 256);
            n = put_raw(line, n, "\"");
        }
        char tail[64];
        snprintf(tail, sizeof tail, ",\"status\":%d,\"ms\":%.3f}", status, ms);
        n = put_raw(line, n, tail);
        write_line(line, n);
        return;
    }
    int m = snprintf(line + n, LINE_MAX_BYTES - n,
                     "method=%s route=%s status=%d ms=%.3f user=%s request=%s",
                     method, route, status, ms, user_id, request_id);
    if (m > 0)
        n += (size_t)m < LINE_MAX_BYTES - n ? (size_t)m : LINE_MAX_BYTES - n - 1;
    write_line(line, n);
}
