/* backup_worker.h - scheduled backups from `stagewise serve --backup-dir
 * DIR --backup-every DURATION` (docs/operations.md "Backup and restore",
 * "Scheduled backups"): one thread that runs backup_run, the code of
 * `stagewise backup`, into DIR/<UTC timestamp>/ every DURATION, keeps the
 * newest `keep` good backups (deleting older ones), logs a line for each,
 * and warns while the last good backup is older than max_age. */
#ifndef SW_SERVER_BACKUP_WORKER_H
#define SW_SERVER_BACKUP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

#define BACKUP_WORKER_DEFAULT_KEEP 7
#define BACKUP_WORKER_STAMP_LEN    16     /* "20261125T145400Z" */

typedef struct backup_schedule {
    const char *dir;           /* created when missing */
    int64_t     every_ms;      /* > 0 */
    int         keep;          /* 0: BACKUP_WORKER_DEFAULT_KEEP */
    const char *key_file;      /* NULL: unencrypted */
    int64_t     max_age_ms;    /* 0: twice every_ms */
} backup_schedule;

typedef struct backup_worker backup_worker;

/* "1h", "30m", "45s", "2d", or a bare number of hours ("6"): a whole
 * positive count with one unit. False for anything else. */
bool backup_worker_parse_duration(const char *s, int64_t *ms);

/* Checks the schedule (the key file is read now, so a bad one stops the
 * start), makes DIR, and starts the thread backing up db_url (its
 * training store training_url, NULL: none). store is the served store
 * (for the time of the last good backup); it must outlive the stop. */
int backup_worker_start(sw_store *store, const char *db_url,
                        const char *training_url, const backup_schedule *s,
                        backup_worker **out, sw_err *err);

/* Stops the thread (waiting for a backup in progress) and frees; NULL is
 * allowed. */
void backup_worker_stop(backup_worker *w);

/* Deletes DIR's timestamped backups older than the newest keep good ones
 * (a good one holds its manifest); returns how many it deleted. */
int backup_worker_prune(const char *dir, int keep);

/* Whether the last good backup is older than the schedule allows: the
 * stagewise_backup_overdue flag (0 before the first round ends). */
bool backup_worker_overdue(void);

#endif
