/* migrations.h - the list of schema migrations (migrations.c) as data.
 * Only src/store/ reads it; other areas see store_schema_* in store.h. */
#ifndef SW_MIGRATIONS_H
#define SW_MIGRATIONS_H

#include <stddef.h>

typedef struct store_migration {
    int         version;       /* 1, 2, 3, … without gaps */
    const char *name;
    const char *sql;           /* both dialects, unless one below is set */
    const char *sqlite_sql;
    const char *postgres_sql;
} store_migration;

const store_migration *store_migrations(size_t *count);

#endif
