/* backup_pg.h - pg_dump and pg_restore run for backup and restore
 * (backup_pg.c). */
#ifndef SW_STORE_BACKUP_PG_H
#define SW_STORE_BACKUP_PG_H

#include "store/backup_int.h"

/* Runs pg_dump --format=custom --snapshot=snapshot of the database at
 * conninfo, its output written to sink. */
int backup_pg_dump(const char *conninfo, const char *snapshot,
                   backup_sink *sink, sw_err *err);

/* Runs pg_restore into conninfo, fed backup file `file` (decrypted with
 * key when not NULL; name for messages). */
int backup_pg_restore(const char *conninfo, const char *file,
                      const unsigned char *key, const char *name, sw_err *err);

#endif
