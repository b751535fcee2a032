/* migrations.c - the schema, as an ordered list of migrations.
 *
 * Row N (counting from 1) moves the database from version N-1 to N and is
 * applied in its own transaction by store_migrate (stagewise init). Rows
 * are never edited or reordered once released; a change to the schema is a
 * new row at the end. Where the two dialects agree a row has one script;
 * otherwise one per backend.
 *
 * Every table has practice_id first in its primary key so one database can
 * hold many practices and can be distributed by practice (docs/store.md).
 * schema_migrations is the one exception: it describes the database, not a
 * practice's data. */
#include "migrations.h"

/* Resources: the current version of each in fhir_resource (a deleted one
 * stays as a tombstone with an empty body), every version, the current
 * one included, in fhir_history. body is the JSON served to clients. */
#define FHIR_RESOURCE_TABLES \
    "CREATE TABLE fhir_resource (\n" \
    "  practice_id BIGINT NOT NULL,\n" \
    "  res_type    TEXT NOT NULL,\n" \
    "  res_id      TEXT NOT NULL,\n" \
    "  version     BIGINT NOT NULL,\n" \
    "  updated_ms  BIGINT NOT NULL,\n" \
    "  deleted     INTEGER NOT NULL DEFAULT 0,\n" \
    "  body        TEXT NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id)\n" \
    ");\n" \
    "CREATE INDEX fhir_resource_updated ON fhir_resource " \
    "(practice_id, res_type, updated_ms);\n" \
    "CREATE TABLE fhir_history (\n" \
    "  practice_id BIGINT NOT NULL,\n" \
    "  res_type    TEXT NOT NULL,\n" \
    "  res_id      TEXT NOT NULL,\n" \
    "  version     BIGINT NOT NULL,\n" \
    "  updated_ms  BIGINT NOT NULL,\n" \
    "  deleted     INTEGER NOT NULL DEFAULT 0,\n" \
    "  method      TEXT NOT NULL,\n" \
    "  body        TEXT NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, version)\n" \
    ");\n" \
    "CREATE INDEX fhir_history_updated ON fhir_history " \
    "(practice_id, res_type, updated_ms);\n" \
    "CREATE INDEX fhir_history_all ON fhir_history " \
    "(practice_id, updated_ms);\n"

/* The search index tables: values extracted at write time, ord numbering
 * the values of one parameter of one resource. C is the collation clause
 * for text columns: prefix and range searches need byte order, which
 * SQLite's default (BINARY) already is and PostgreSQL gives with
 * COLLATE "C" whatever the database's locale. (They keep SQLite's rowid:
 * WITHOUT ROWID would cluster rows by the random resource id, and writes
 * measured a third slower.) */
#define FHIR_INDEX_TABLES(C) \
    "CREATE TABLE fhir_idx_string (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  norm TEXT " C " NOT NULL, exact TEXT " C " NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_string_norm ON fhir_idx_string " \
    "(practice_id, res_type, param, norm);\n" \
    "CREATE TABLE fhir_idx_token (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  system TEXT " C " NOT NULL, code TEXT " C " NOT NULL,\n" \
    "  text_norm TEXT " C " NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_token_code ON fhir_idx_token " \
    "(practice_id, res_type, param, code, system);\n" \
    "CREATE TABLE fhir_idx_date (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  low_ms BIGINT NOT NULL, high_ms BIGINT NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_date_low ON fhir_idx_date " \
    "(practice_id, res_type, param, low_ms);\n" \
    "CREATE TABLE fhir_idx_ref (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  target_type TEXT " C " NOT NULL, target_id TEXT " C " NOT NULL,\n" \
    "  url TEXT " C " NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_ref_target ON fhir_idx_ref " \
    "(practice_id, target_id, target_type, param, res_type);\n" \
    "CREATE TABLE fhir_idx_quantity (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  value DOUBLE PRECISION NOT NULL, system TEXT NOT NULL,\n" \
    "  code TEXT NOT NULL, unit TEXT NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_quantity_value ON fhir_idx_quantity " \
    "(practice_id, res_type, param, value);\n" \
    "CREATE TABLE fhir_idx_number (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  value DOUBLE PRECISION NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_number_value ON fhir_idx_number " \
    "(practice_id, res_type, param, value);\n" \
    "CREATE TABLE fhir_idx_uri (\n" \
    "  practice_id BIGINT NOT NULL, res_type TEXT NOT NULL,\n" \
    "  res_id TEXT NOT NULL, param TEXT NOT NULL, ord INTEGER NOT NULL,\n" \
    "  uri TEXT " C " NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, res_type, res_id, param, ord)\n" \
    ");\n" \
    "CREATE INDEX fhir_idx_uri_value ON fhir_idx_uri " \
    "(practice_id, res_type, param, uri);\n"

static const store_migration migrations[] = {
    {
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
    {
        /* Times here are milliseconds since the Unix epoch (UTC) as BIGINT,
         * not ISO text: the session filter compares them on every request.
         * A session is found by (practice_id, token_hash), the practice
         * being the token's routing prefix (docs/auth.md); the user index
         * serves "this user's sessions" (clean-up at sign-in, and revoking
         * them all when an account is disabled). */
        .name = "sessions and sign-in lockout",
        .sql =
            "CREATE TABLE app_session (\n"
            "  practice_id    BIGINT NOT NULL,\n"
            "  token_hash     TEXT NOT NULL,\n"
            "  user_id        BIGINT NOT NULL,\n"
            "  created_at     BIGINT NOT NULL,\n"
            "  last_seen_at   BIGINT NOT NULL,\n"
            "  expires_at     BIGINT NOT NULL,\n"
            "  csrf_hash      TEXT NOT NULL,\n"
            "  client_address TEXT NOT NULL,\n"
            "  revoked        INTEGER NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, token_hash),\n"
            "  FOREIGN KEY (practice_id, user_id)\n"
            "    REFERENCES app_user (practice_id, user_id)\n"
            ");\n"
            "CREATE INDEX app_session_user ON app_session (practice_id, user_id);\n"
            "ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;\n"
            "ALTER TABLE app_user ADD COLUMN locked_until BIGINT NOT NULL DEFAULT 0;\n",
    },
    {
        .name = "FHIR resources, history and search indexes",
        .sqlite_sql = FHIR_RESOURCE_TABLES FHIR_INDEX_TABLES(""),
        .postgres_sql = FHIR_RESOURCE_TABLES FHIR_INDEX_TABLES("COLLATE \"C\""),
    },
    {
        /* Date searches compare either end of a value's range: eq, lt and
         * sa walk fhir_idx_date_low, but gt, eb and the ORs of ge, le and
         * ne need the end too (date=ge2024-12-20 over 300,000
         * observations: 1 s without, 3 ms with; docs/fhir-search.md). */
        .name = "FHIR date search by the end of a range",
        .sql =
            "CREATE INDEX fhir_idx_date_high ON fhir_idx_date "
            "(practice_id, res_type, param, high_ms);\n",
    },
};

const store_migration *store_migrations(size_t *count)
{
    *count = sizeof migrations / sizeof migrations[0];
    return migrations;
}
