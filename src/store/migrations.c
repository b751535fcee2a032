/* migrations.c - the schema, as an ordered list of migrations.
 *
 * Each row moves the database from version N-1 to N and is applied in its
 * own transaction by store_migrate (stagewise init). Rows are never edited
 * once released; a change to the schema is a new row. Where the two
 * dialects agree a row has one script; otherwise one per backend.
 *
 * Every table has practice_id first in its primary key so one database can
 * hold many practices and can be distributed by practice (docs/store.md).
 * schema_migrations is the one exception: it describes the database, not a
 * practice's data. */
#include "migrations.h"

static const store_migration migrations[] = {
    {
        .version = 1,
        .name = "practice and users",
        .sql =
            "CREATE TABLE practice (\n"
            "  practice_id  BIGINT NOT NULL PRIMARY KEY,\n"
            "  name         TEXT NOT NULL,\n"
            "  is_demo      INTEGER NOT NULL DEFAULT 0,\n"
            "  created_at   TEXT NOT NULL\n"
            ");\n"
            "CREATE TABLE app_user (\n"
            "  practice_id   BIGINT NOT NULL REFERENCES practice (practice_id),\n"
            "  user_id       BIGINT NOT NULL,\n"
            "  username      TEXT NOT NULL,\n"
            "  display_name  TEXT NOT NULL,\n"
            "  password_hash TEXT NOT NULL,\n"
            "  roles         TEXT NOT NULL,\n"
            "  disabled      INTEGER NOT NULL DEFAULT 0,\n"
            "  created_at    TEXT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id),\n"
            "  UNIQUE (practice_id, username)\n"
            ");\n",
    },
};

const store_migration *store_migrations(size_t *count)
{
    *count = sizeof migrations / sizeof migrations[0];
    return migrations;
}
