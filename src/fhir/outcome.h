/* outcome.h - OperationOutcome: how the FHIR API reports what went wrong.
 *
 * Every error under /fhir is answered with an OperationOutcome rather than
 * the /api JSON error shape: one issue per problem, each with a severity,
 * an IssueType code (from the error table, or from the validator), a
 * sentence in `diagnostics` and, when the problem is inside a resource,
 * its FHIRPath location in `expression`. Validators collect every problem
 * into an fhir_issues list and the handler turns the whole list into one
 * response, so a client fixes everything in one round.
 *
 * The issue list is the validator's (validate.h); handlers add their own
 * issues to it with fhir_issue_add. Ownership: the list and its strings
 * live in the request's arena. */
#ifndef SW_FHIR_OUTCOME_H
#define SW_FHIR_OUTCOME_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/errors.h"
#include "fhir/validate.h"
#include "http/http.h"

/* Adds an issue to a list (the validator's fhir_issues, validate.h); the
 * strings are copied into a. SW_OK or SW_ENOMEM. */
int  fhir_issue_add(sw_arena *a, fhir_issues *list, fhir_severity sev,
                    const char *code, const char *location, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Writes {"resourceType":"OperationOutcome","issue":[…]}. */
int  fhir_outcome_write(sw_buf *out, const fhir_issues *list);
/* One-issue outcome for an error code and its message. */
int  fhir_outcome_write_error(sw_buf *out, int code, const char *message);

/* The renderer of the FHIR route table: the response's error message (or
 * the issues attached with fhir_fail_issues) as an OperationOutcome with
 * the table's HTTP status for code. */
void fhir_render_error(sw_request *req, sw_response *res, int code);

/* Attaches a list of issues to the response and returns code, so a handler
 * can `return fhir_fail_issues(req, res, SW_EINVAL, &issues);`. */
int  fhir_fail_issues(sw_request *req, sw_response *res, int code,
                      const fhir_issues *list);

#endif
