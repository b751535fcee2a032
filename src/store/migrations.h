/* migrations.h - the list of schema migrations (migrations.c) as data.
 * Only src/store/ reads it; other areas see store_schema_* in store.h. */
#ifndef SW_MIGRATIONS_H
#define SW_MIGRATIONS_H

#include <stddef.h>

/* A migration's version is its place in the list, from 1: append new ones
 * at the end, never reorder or edit released ones. */
typedef struct store_migration {
    const char *name;
    const char *sql;           /* both dialects, unless one below is set */
    const char *sqlite_sql;
    const char *postgres_sql;
} store_migration;

const store_migration *store_migrations(size_t *count);

#endif
