/* log.h - the server's diagnostic log and its access log.
 *
 * Lines go to stderr (or a file chosen at start-up), one event per line,
 * prefixed with a UTC timestamp and a level. They are for operators, so they
 * must never contain patient data: callers log identifiers that mean nothing
 * outside Stagewise (route patterns, user ids, request ids, counts), never
 * names, query values or resource contents. The access log has its own
 * function so that what it may contain is fixed in one place.
 *
 * Thread-safe: each line is written with a single write(2). */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdio.h>

typedef enum { SW_LOG_DEBUG, SW_LOG_INFO, SW_LOG_WARN, SW_LOG_ERROR } sw_log_level;

/* Lines below level are dropped; default SW_LOG_INFO. */
void sw_log_set_level(sw_log_level level);
/* Where lines go: a file descriptor (default 2, stderr). */
void sw_log_set_fd(int fd);

/* The shape of a line. Text (the default): "<ISO time> <level> <message>".
 * JSON, for log shippers: one object per line, {"ts":"<ISO time>",
 * "level":"info","msg":"<message>"}; an access line has level "access",
 * msg "request" and the fields method, route, status, ms, user and
 * request. Set once at start-up, before threads log. */
typedef enum { SW_LOG_TEXT, SW_LOG_JSON } sw_log_format;
void sw_log_set_format(sw_log_format format);

void sw_log(sw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define sw_debug(...) sw_log(SW_LOG_DEBUG, __VA_ARGS__)
#define sw_info(...)  sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_warn(...)  sw_log(SW_LOG_WARN, __VA_ARGS__)
#define sw_error(...) sw_log(SW_LOG_ERROR, __VA_ARGS__)

/* One line per HTTP request: method, the matched route *pattern* (not the
 * path, which may carry identifiers), status, duration, the signed-in user
 * id or "-", and the request id. */
void sw_log_access(const char *method, const char *route, int status,
                   double ms, const char *user_id, const char *request_id);

#endif
