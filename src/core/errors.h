/* errors.h - the one table of error codes every area returns.
 *
 * Functions return an int: 0 (SW_OK) on success, otherwise one of the codes
 * below. Each code carries its HTTP status, the FHIR OperationOutcome issue
 * type and a default message; the HTTP layer, the FHIR layer and the command
 * line all derive what they say from this table, so adding a failure mode
 * means adding one row.
 *
 * A code alone is rarely enough for a person, so calls that can fail in ways
 * a user must act on also fill an sw_err: the code plus one sentence naming
 * what was wrong and what to do ("directory /srv/x does not exist; create it
 * or pick another --db path"). Messages never contain patient data. */
#ifndef SW_ERRORS_H
#define SW_ERRORS_H

#include <stdarg.h>
#include "limits.h"

/*  X(name,           id string,              http, FHIR issue type,  default message) */
#define SW_ERROR_TABLE(X) \
  X(SW_OK,            "ok",                    200, "informational", "Success.") \
  X(SW_ENOMEM,        "out_of_memory",         503, "transient",     "The server ran out of memory.") \
  X(SW_EINVAL,        "invalid",               400, "invalid",       "The input is not valid.") \
  X(SW_EUSAGE,        "usage",                 400, "invalid",       "The command line is not valid.") \
  X(SW_EBADREQUEST,   "bad_request",           400, "structure",     "The request is malformed.") \
  X(SW_EUNAUTH,       "unauthorized",          401, "login",         "Sign in first.") \
  X(SW_EFORBIDDEN,    "forbidden",             403, "forbidden",     "You are not allowed to do this.") \
  X(SW_EBREAKGLASS,   "break_the_glass_required", 403, "forbidden", "This patient's record is restricted: break the glass, stating a reason, to open it.") \
  X(SW_ENOTFOUND,     "not_found",             404, "not-found",     "Not found.") \
  X(SW_EMETHOD,       "method_not_allowed",    405, "not-supported", "This method is not allowed here.") \
  X(SW_ENOTACCEPT,    "not_acceptable",        406, "not-supported", "The requested format is not available.") \
  X(SW_ETIMEOUT,      "request_timeout",       408, "timeout",       "The request did not arrive in time.") \
  X(SW_ECONFLICT,     "conflict",              409, "conflict",      "The request conflicts with the current state.") \
  X(SW_EGONE,         "gone",                  410, "deleted",       "The resource was deleted.") \
  X(SW_ELENGTH,       "length_required",       411, "structure",     "A Content-Length is required.") \
  X(SW_EPRECOND,      "precondition_failed",   412, "conflict",      "A precondition of the request failed.") \
  X(SW_ETOOBIG,       "too_large",             413, "too-costly",    "The request body is too large.") \
  X(SW_EURITOOLONG,   "uri_too_long",          414, "too-costly",    "The request URI is too long.") \
  X(SW_EMEDIA,        "unsupported_media_type",415, "not-supported", "The request body is in a format this server does not read.") \
  X(SW_EUNPROCESSABLE,"unprocessable",         422, "processing",    "The content is well-formed but not acceptable.") \
  X(SW_EHEADERS,      "headers_too_large",     431, "too-costly",    "The request headers are too large.") \
  X(SW_EINTERNAL,     "internal",              500, "exception",     "An internal error occurred.") \
  X(SW_EIO,           "io_error",              500, "exception",     "A storage or file operation failed.") \
  X(SW_ESCHEMA,       "schema_mismatch",       500, "exception",     "The database schema does not match this program.") \
  X(SW_ENOTIMPL,      "not_implemented",       501, "not-supported", "This operation is not supported.") \
  X(SW_ESTORE,        "store_unavailable",     503, "transient",     "The database is not reachable.") \
  X(SW_EBUSY,         "busy",                  503, "transient",     "The server is busy; try again.") \
  X(SW_ECOSTLY,       "too_costly",            503, "too-costly",    "The request needed more work than the server allows; narrow it.") \
  X(SW_ESHUTDOWN,     "shutting_down",         503, "transient",     "The server is shutting down.")

enum sw_code {
#define SW_ERR_ENUM(name, id, http, fhir, msg) name,
    SW_ERROR_TABLE(SW_ERR_ENUM)
#undef SW_ERR_ENUM
    SW_ERR__COUNT
};

/* Lookups by code; an unknown code reads as SW_EINTERNAL. */
const char *sw_code_id(int code);          /* "not_found" */
int         sw_code_http_status(int code); /* 404 */
const char *sw_code_fhir_type(int code);   /* "not-found" */
const char *sw_code_message(int code);     /* "Not found." */
/* Exit status for the command line: 0 ok, 2 usage, 1 everything else. */
int         sw_code_exit_status(int code);

/* A code with a sentence for people. Fill with sw_err_set; all functions
 * taking an sw_err accept NULL when the caller only wants the code. */
typedef struct sw_err {
    int  code;
    char msg[SW_ERR_MSG_MAX];
} sw_err;

/* Sets code and message (printf-style) and returns code, so a caller can
 * write `return sw_err_set(err, SW_EINVAL, "…");`. A NULL fmt uses the
 * table's default message. */
int sw_err_set(sw_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sw_err_vset(sw_err *err, int code, const char *fmt, va_list ap);
void sw_err_clear(sw_err *err);
/* The message if one was set, else the table's default for the code. */
const char *sw_err_text(const sw_err *err);

#endif
