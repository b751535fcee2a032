/* backup_sqlite.c - the SQLite half of backup and restore: a copy of a
 * live database with the online backup API, which reads one consistent
 * snapshot while the server keeps writing (WAL readers never block the
 * writer), and the check that no process has a database open before a
 * restore replaces its file. */
#include "store/backup_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int backup_sqlite_copy(const char *from, const char *to, sw_err *err)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        sw_err_set(err, SW_ESTORE, "the database %s cannot be opened: %s", from,
                   src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        sqlite3_close(src);
        return SW_ESTORE;
    }
    sqlite3_busy_timeout(src, 10000);
    rc = sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                         NULL);
    if (rc != SQLITE_OK) {
        sw_err_set(err, SW_EIO, "the copy %s cannot be created: %s", to,
                   dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        sqlite3_close(dst);
        sqlite3_close(src);
        return SW_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        sw_err_set(err, SW_EIO, "the copy of %s could not start: %s", from,
                   sqlite3_errmsg(dst));
        sqlite3_close(dst);
        sqlite3_close(src);
        return SW_EIO;
    }
    /* All pages in one step: one read transaction, so one snapshot. A
     * writer busy at the start is waited for, a little at a time. */
    int tries = 0;
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++tries < 400);
    int frc = sqlite3_backup_finish(b);
    int out = SW_OK;
    if (rc != SQLITE_DONE || frc != SQLITE_OK)
        out = sw_err_set(err, SW_EIO, "the copy of %s failed: %s", from,
                         sqlite3_errstr(rc != SQLITE_DONE ? rc : frc));
    sqlite3_close(dst);
    sqlite3_close(src);
    return out;
}

/* SQLite's WAL index (the -shm file): every connection that has the
 * database open holds a shared lock on its "DMS" byte (offset 120 + 8)
 * for as long as it stays open; an exclusive lock on it is granted only
 * when nobody does. */
#define WAL_DMS_OFFSET 128

int backup_sqlite_in_use(const char *path, bool *in_use, sw_err *err)
{
    *in_use = false;
    char shm[4096];
    if ((size_t)snprintf(shm, sizeof shm, "%s-shm", path) >= sizeof shm)
        return sw_err_set(err, SW_EUSAGE, "the database path is too long");
    int fd = open(shm, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? SW_OK
               : sw_err_set(err, SW_EIO, "%s cannot be read: %s", shm,
                            strerror(errno));
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                        .l_start = WAL_DMS_OFFSET, .l_len = 1 };
    int rc = fcntl(fd, F_GETLK, &fl);
    close(fd);
    if (rc != 0)
        return sw_err_set(err, SW_EIO, "the locks of %s cannot be read: %s",
                          shm, strerror(errno));
    *in_use = fl.l_type != F_UNLCK;
    return SW_OK;
}
