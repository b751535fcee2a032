/* backup_sqlite.h - SQLite's online copy and the in-use check
 * (backup_sqlite.c). */
#ifndef SW_STORE_BACKUP_SQLITE_H
#define SW_STORE_BACKUP_SQLITE_H

#include <stdbool.h>

#include "core/errors.h"

/* Copies the live database file `from` into the new file `to`. */
int backup_sqlite_copy(const char *from, const char *to, sw_err *err);

/* Whether another process has the database at path open (a running
 * `stagewise serve`, for one). */
int backup_sqlite_in_use(const char *path, bool *in_use, sw_err *err);

#endif
