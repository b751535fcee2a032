/* report_csv.h - the adoption report as the exports give it, one writer
 * for every place that offers it: GET /api/adoption/report and `stagewise
 * adoption report` both call these, so the two never drift apart
 * (docs/adoption-metrics.md "API"): the CSV, and the JSON narrowed to one
 * module.
 *
 * One row per user and benchmark:
 *   username,module,benchmark,value,unit,floor,goal,standing,level
 * value is empty when the benchmark has no value (no scheduled hours, no
 * patients seen); level is the user's level in the benchmark's module
 * ("" for a benchmark that counts toward none). Fields are quoted when
 * they hold a comma, a quote or a line break, and a text field starting
 * with = + - @ gets a leading apostrophe so a spreadsheet never runs it
 * as a formula. */
#ifndef SW_ADOPTION_REPORT_CSV_H
#define SW_ADOPTION_REPORT_CSV_H

#include <stddef.h>

#include <jansson.h>

#include "adoption/report.h"
#include "core/buf.h"

/* The header line and the rows of r[0..n), only the benchmarks of module
 * when module is not NULL, appended to out. SW_OK, SW_ETOOBIG (past
 * the buffer's ceiling) or SW_ENOMEM. */
int adoption_report_csv(const adoption_user_report *r, size_t n,
                        const char *module, sw_buf *out);

/* Narrows a report's JSON (adoption_report_json) to module's benchmarks,
 * module state and features, in place; doc is returned (NULL stays NULL;
 * module NULL changes nothing). */
json_t *adoption_report_json_module(json_t *doc, const char *module);

#endif
