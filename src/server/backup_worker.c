/* backup_worker.c - scheduled backups (backup_worker.h). One thread,
 * asleep between rounds on a sw_waiter (so shutdown is seen at once and a
 * wall clock set back does not stretch the wait). The time of the last
 * good backup comes from ops_record at start, so a restart does not
 * back up again at once, nor forget that the backups are late. A round:
 * backup_run into DIR/<UTC timestamp>/ (it records itself in ops_record,
 * which the gauge stagewise_backup_last_success_age_seconds reads), then
 * the pruning, then the overdue check. The log names directories and
 * counts, never data. */
#include "server/backup_worker.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/waiter.h"
#include "store/backup.h"

#define STEP_MS 60000LL          /* the longest sleep between clock checks */
#define MAX_KEPT_SCAN 4096       /* backups looked at when pruning */

struct backup_worker {
    sw_store      *store;
    char          *db_url, *training_url, *dir;
    int64_t        every_ms, max_age_ms;
    int            keep;
    bool           encrypted;
    unsigned char  key[BACKUP_KEY_BYTES];
    int64_t        last_good_ms;  /* 0: none known */
    pthread_t      thread;
    sw_waiter      waiter;
};

static atomic_bool overdue;

bool backup_worker_overdue(void)
{
    return atomic_load(&overdue);
}

bool backup_worker_parse_duration(const char *s, int64_t *ms)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno != 0 || n <= 0 || n > 24LL * 366)
        return false;
    int64_t unit;
    if (strcmp(end, "") == 0 || strcmp(end, "h") == 0)
        unit = 3600000;
    else if (strcmp(end, "m") == 0)
        unit = 60000;
    else if (strcmp(end, "s") == 0)
        unit = 1000;
    else if (strcmp(end, "d") == 0)
        unit = 86400000;
    else
        return false;
    *ms = (int64_t)n * unit;
    return true;
}

/* A directory name the worker made: YYYYMMDDTHHMMSSZ. */
static bool is_stamp(const char *name)
{
    if (strlen(name) != BACKUP_WORKER_STAMP_LEN || name[8] != 'T' || name[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (name[i] < '0' || name[i] > '9'))
            return false;
    return true;
}

static int by_name_desc(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

int backup_worker_prune(const char *dir, int keep)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    char **names = sw_calloc(MAX_KEPT_SCAN, sizeof *names);
    size_t n = 0;
    struct dirent *de;
    while (names && n < MAX_KEPT_SCAN && (de = readdir(d)) != NULL)
        if (is_stamp(de->d_name))
            names[n++] = strdup(de->d_name);
    closedir(d);
    if (names == NULL)
        return 0;
    /* Timestamps sort as text: newest first. */
    qsort(names, n, sizeof *names, by_name_desc);
    int good = 0, deleted = 0;
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL)
            continue;
        char path[4096], manifest[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(manifest, sizeof manifest, "%s/%s", path, BACKUP_MANIFEST);
        struct stat st;
        bool is_good = stat(manifest, &st) == 0;
        /* Everything older than the keep-th good backup goes, failed
         * leftovers included; nothing newer does. */
        if (good >= keep) {
            if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0) {
                deleted++;
                sw_info("scheduled backup: deleted %s (keeping the newest %d)",
                        path, keep);
            } else {
                sw_warn("scheduled backup: could not delete %s: %s", path,
                        strerror(errno));
            }
        } else if (is_good) {
            good++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    sw_free(names);
    return deleted;
}

static int last_good_fn(store_tx *tx, void *arg)
{
    return store_query_int64(tx, arg, "SELECT COALESCE(MAX(at_ms), 0) FROM "
                             "ops_record WHERE kind = 'backup' AND ok = 1", "");
}

static void round_once(backup_worker *w)
{
    char stamp[32], dest[4096];
    time_t now = (time_t)(sw_now_wall_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(dest, sizeof dest, "%s/%s", w->dir, stamp);
    backup_options o = {
        .db_url = w->db_url, .training_url = w->training_url, .dest = dest,
        .key = w->encrypted ? w->key : NULL,
    };
    backup_result r;
    sw_err err;
    int64_t t0 = sw_now_mono_us();
    if (backup_run(&o, &r, &err) == SW_OK) {
        w->last_good_ms = sw_now_wall_ms();
        sw_info("scheduled backup: %s (%d store%s, %" PRId64 " tables, %" PRId64
                " rows%s) in %.1f s", dest, r.stores, r.stores == 1 ? "" : "s",
                r.tables, r.rows, w->encrypted ? ", encrypted" : "",
                (double)(sw_now_mono_us() - t0) / 1e6);
        backup_worker_prune(w->dir, w->keep);
    } else {
        sw_error("scheduled backup into %s failed: %s", dest, sw_err_text(&err));
    }
}

static void check_overdue(backup_worker *w)
{
    int64_t age = w->last_good_ms > 0 ? sw_now_wall_ms() - w->last_good_ms : -1;
    bool late = age < 0 || age > w->max_age_ms;
    if (late && !atomic_load(&overdue)) {
        if (age < 0)
            sw_warn("scheduled backup: no good backup yet; see docs/operations.md "
                    "\"Backup and restore\"");
        else
            sw_warn("scheduled backup: the last good backup is %" PRId64 " min "
                    "old, more than the %" PRId64 " min allowed",
                    age / 60000, w->max_age_ms / 60000);
    }
    atomic_store(&overdue, late);
}

static void *worker_main(void *arg)
{
    backup_worker *w = arg;
    /* The first round comes a period after the last good backup: at once
     * when there is none or it is due. After a round, failed or not, the
     * next comes a full period later (a failing disk is not hammered; the
     * overdue warning says the backups are late). */
    int64_t next = w->last_good_ms + w->every_ms;
    for (;;) {
        if (sw_now_wall_ms() >= next) {
            round_once(w);
            next = sw_now_wall_ms() + w->every_ms;
        }
        check_overdue(w);
        int64_t wait = next - sw_now_wall_ms();
        if (wait > STEP_MS)
            wait = STEP_MS;
        if (wait < 1)
            wait = 1;
        if (sw_waiter_sleep(&w->waiter, wait))
            break;
    }
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void worker_free(backup_worker *w)
{
    sodium_memzero(w->key, sizeof w->key);
    free(w->db_url);
    free(w->training_url);
    free(w->dir);
    sw_free(w);
}

int backup_worker_start(sw_store *store, const char *db_url,
                        const char *training_url, const backup_schedule *s,
                        backup_worker **out, sw_err *err)
{
    *out = NULL;
    if (s->dir == NULL || s->every_ms <= 0 || s->keep < 0 || s->max_age_ms < 0)
        return sw_err_set(err, SW_EUSAGE, "scheduled backups need --backup-dir "
                          "DIR and --backup-every DURATION (such as 6h)");
    if (mkdir(s->dir, 0700) != 0 && errno != EEXIST)
        return sw_err_set(err, SW_EIO, "the backup directory %s cannot be made: "
                          "%s", s->dir, strerror(errno));
    struct stat st;
    if (stat(s->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return sw_err_set(err, SW_EUSAGE, "--backup-dir %s is not a directory",
                          s->dir);
    backup_worker *w = sw_calloc(1, sizeof *w);
    if (w == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    w->store = store;
    w->db_url = dup_or_null(db_url);
    w->training_url = dup_or_null(training_url);
    w->dir = dup_or_null(s->dir);
    w->every_ms = s->every_ms;
    w->keep = s->keep > 0 ? s->keep : BACKUP_WORKER_DEFAULT_KEEP;
    w->max_age_ms = s->max_age_ms > 0 ? s->max_age_ms : 2 * s->every_ms;
    int rc = SW_OK;
    if (w->db_url == NULL || w->dir == NULL
        || (training_url != NULL && w->training_url == NULL))
        rc = sw_err_set(err, SW_ENOMEM, NULL);
    if (rc == SW_OK && s->key_file != NULL) {
        rc = backup_key_read(s->key_file, w->key, err);
        w->encrypted = rc == SW_OK;
    }
    if (rc == SW_OK)
        rc = store_read(store, last_good_fn, &w->last_good_ms, err);
    if (rc != SW_OK) {
        worker_free(w);
        return rc;
    }
    atomic_store(&overdue, false);
    sw_waiter_init(&w->waiter);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        sw_waiter_destroy(&w->waiter);
        worker_free(w);
        return sw_err_set(err, SW_EINTERNAL, "the backup thread could not start");
    }
    sw_info("scheduled backups into %s every %" PRId64 " s, keeping %d%s",
            w->dir, w->every_ms / 1000, w->keep,
            w->encrypted ? ", encrypted" : "");
    *out = w;
    return SW_OK;
}

void backup_worker_stop(backup_worker *w)
{
    if (w == NULL)
        return;
    sw_waiter_stop(&w->waiter);
    pthread_join(w->thread, NULL);
    sw_waiter_destroy(&w->waiter);
    worker_free(w);
}
