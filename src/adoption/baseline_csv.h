/* baseline_csv.h - pre-go-live visit counts imported from the practice
 * management system's export (docs/adoption-metrics.md "Productivity"):
 * POST /api/adoption/baseline and `stagewise adoption baseline import`
 * read the same CSV through this one parser.
 *
 * The file: a header line "username,week_start,visits,sessions", then one
 * line per clinician and week: a username of the practice, the week's
 * first day (YYYY-MM-DD), the completed visits (a whole number, 0 or
 * more) and the scheduled sessions (half-days, a number 0 or more, may
 * have decimals). Blank lines are skipped; CR LF line ends are accepted.
 * Each line replaces that clinician's imported count of that week
 * (productivity.h adoption_baseline_set). All or none: the first bad line
 * fails the whole import with a sentence naming the line. */
#ifndef SW_ADOPTION_BASELINE_CSV_H
#define SW_ADOPTION_BASELINE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "adoption/adoption.h"

#define ADOPTION_BASELINE_MAX_LINES 20000
#define ADOPTION_BASELINE_MAX_BYTES (2 * 1024 * 1024)

/* Imports text[0..len) for practice_id inside the caller's write
 * transaction; *imported gets the number of rows. SW_EINVAL with the
 * sentence on the tx (store_tx_err) for a bad line. */
int adoption_baseline_import_csv(store_tx *tx, int64_t practice_id,
                                 const char *text, size_t len,
                                 int64_t *imported);

#endif
