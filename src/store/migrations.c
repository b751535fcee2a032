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

/* The audit trail's tables (both dialects). */
#define AUDIT_TABLES \
    "CREATE TABLE audit_log (\n" \
    "  practice_id BIGINT NOT NULL,\n" \
    "  seq         BIGINT NOT NULL,\n" \
    "  at_ms       BIGINT NOT NULL,\n" \
    "  user_id     BIGINT NOT NULL,\n" \
    "  username    TEXT NOT NULL,\n" \
    "  roles       TEXT NOT NULL,\n" \
    "  action      TEXT NOT NULL,\n" \
    "  feature     TEXT NOT NULL,\n" \
    "  patient_id  TEXT NOT NULL,\n" \
    "  res_type    TEXT NOT NULL,\n" \
    "  res_id      TEXT NOT NULL,\n" \
    "  outcome     TEXT NOT NULL,\n" \
    "  client      TEXT NOT NULL,\n" \
    "  request_id  TEXT NOT NULL,\n" \
    "  detail      TEXT NOT NULL,\n" \
    "  prev_hash   TEXT NOT NULL,\n" \
    "  hash        TEXT NOT NULL,\n" \
    "  PRIMARY KEY (practice_id, seq)\n" \
    ");\n" \
    "CREATE INDEX audit_log_time ON audit_log (practice_id, at_ms);\n" \
    "CREATE INDEX audit_log_patient ON audit_log (practice_id, patient_id, at_ms);\n" \
    "CREATE INDEX audit_log_user ON audit_log (practice_id, user_id, at_ms);\n" \
    "CREATE TABLE audit_head (\n" \
    "  practice_id BIGINT NOT NULL PRIMARY KEY,\n" \
    "  seq         BIGINT NOT NULL,\n" \
    "  hash        TEXT NOT NULL\n" \
    ");\n"

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
    {
        /* The audit trail (src/audit/audit.h): append-only, one hash chain
         * per practice, its head in audit_head. The triggers make changing
         * or deleting an entry an error even for someone with SQL access;
         * `stagewise audit verify` catches whoever gets past them. */
        .name = "audit trail",
        .sqlite_sql = AUDIT_TABLES
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
            "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;\n"
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
            "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;\n",
        .postgres_sql = AUDIT_TABLES
            "CREATE FUNCTION audit_log_refuse() RETURNS trigger AS $$\n"
            "BEGIN RAISE EXCEPTION 'audit entries cannot be changed or deleted'; END;\n"
            "$$ LANGUAGE plpgsql;\n"
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log\n"
            "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();\n",
    },
    {
        /* Accounts (docs/auth.md): people and service accounts, the
         * Practitioner a user is, TOTP multi-factor (the secret in base32,
         * enabled once confirmed, the last time step accepted so no code
         * is used twice), one-time recovery codes and service API tokens
         * stored only as SHA-256, the practice's "MFA for admin roles"
         * setting, and sessions that may only enrol MFA. */
        .name = "accounts: service tokens, TOTP, recovery codes",
        .sql =
            "ALTER TABLE app_user ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';\n"
            "ALTER TABLE app_user ADD COLUMN scope TEXT NOT NULL DEFAULT '';\n"
            "ALTER TABLE app_user ADD COLUMN practitioner_id TEXT NOT NULL DEFAULT '';\n"
            "ALTER TABLE app_user ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';\n"
            "ALTER TABLE app_user ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;\n"
            "ALTER TABLE app_user ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;\n"
            "ALTER TABLE practice ADD COLUMN mfa_admin_required INTEGER NOT NULL DEFAULT 0;\n"
            "ALTER TABLE app_session ADD COLUMN mfa_enrol_only INTEGER NOT NULL DEFAULT 0;\n"
            "CREATE TABLE app_recovery_code (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  code_hash   TEXT NOT NULL,\n"
            "  created_at  BIGINT NOT NULL,\n"
            "  used_at     BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, user_id, code_hash),\n"
            "  FOREIGN KEY (practice_id, user_id)\n"
            "    REFERENCES app_user (practice_id, user_id)\n"
            ");\n"
            "CREATE TABLE app_api_token (\n"
            "  practice_id  BIGINT NOT NULL,\n"
            "  token_hash   TEXT NOT NULL,\n"
            "  user_id      BIGINT NOT NULL,\n"
            "  created_at   BIGINT NOT NULL,\n"
            "  last_used_at BIGINT NOT NULL DEFAULT 0,\n"
            "  revoked      INTEGER NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, token_hash),\n"
            "  FOREIGN KEY (practice_id, user_id)\n"
            "    REFERENCES app_user (practice_id, user_id)\n"
            ");\n"
            "CREATE INDEX app_api_token_user ON app_api_token (practice_id, user_id);\n",
    },
    {
        /* Restricted patients and break-the-glass grants (docs/security.md):
         * a restricted patient's record opens only for a user holding a
         * live grant, which states a reason, ends at expires_at and waits
         * in the review queue until someone with audit rights reviews it. */
        .name = "restricted patients and break-the-glass grants",
        .sql =
            "CREATE TABLE restricted_patient (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  reason      TEXT NOT NULL,\n"
            "  set_by      BIGINT NOT NULL,\n"
            "  set_at      BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, patient_id)\n"
            ");\n"
            "CREATE TABLE break_glass (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  grant_id    BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  reason      TEXT NOT NULL,\n"
            "  granted_at  BIGINT NOT NULL,\n"
            "  expires_at  BIGINT NOT NULL,\n"
            "  reviewed_by BIGINT NOT NULL DEFAULT 0,\n"
            "  reviewed_at BIGINT NOT NULL DEFAULT 0,\n"
            "  review_note TEXT NOT NULL DEFAULT '',\n"
            "  PRIMARY KEY (practice_id, grant_id)\n"
            ");\n"
            "CREATE INDEX break_glass_user ON break_glass (practice_id, user_id, patient_id, expires_at);\n",
    },
    {
        /* Each user's inbox (docs/workflows.md): results to review, notes
         * to sign, messages from staff. An item points at the record it is
         * about and is written in the same transaction as that record; it
         * is done when the user signs off, signs or reads, and kept. */
        .name = "the clinician inbox",
        .sql =
            "CREATE TABLE inbox_item (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  item_id     BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  kind        TEXT NOT NULL,\n"
            "  res_type    TEXT NOT NULL,\n"
            "  res_id      TEXT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  flag        TEXT NOT NULL DEFAULT '',\n"
            "  created_at  BIGINT NOT NULL,\n"
            "  done_at     BIGINT NOT NULL DEFAULT 0,\n"
            "  done_by     BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, item_id)\n"
            ");\n"
            "CREATE INDEX inbox_item_user ON inbox_item (practice_id, user_id, done_at);\n"
            "CREATE INDEX inbox_item_record ON inbox_item (practice_id, res_type, res_id);\n",
    },
    {
        /* What the built-in pharmacy gateway sent (docs/workflows.md): the
         * message for each transmitted prescription, so the demo and tests
         * can see exactly what a pharmacy would have received. */
        .name = "the built-in pharmacy gateway's messages",
        .sql =
            "CREATE TABLE pharmacy_message (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  message_id  BIGINT NOT NULL,\n"
            "  res_id      TEXT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  pharmacy    TEXT NOT NULL,\n"
            "  kind        TEXT NOT NULL,\n"
            "  body        TEXT NOT NULL,\n"
            "  status      TEXT NOT NULL,\n"
            "  created_at  BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, message_id)\n"
            ");\n"
            "CREATE INDEX pharmacy_message_record ON pharmacy_message (practice_id, res_id);\n",
    },
    {
        /* The implementation plan's versions (docs/rollout.md): every change
         * is a new row with who made it and why, the plan as its JSON text;
         * the current plan is the highest version. No row: no plan. */
        .name = "implementation plan versions",
        .sql =
            "CREATE TABLE plan_version (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  version     BIGINT NOT NULL,\n"
            "  created_at  BIGINT NOT NULL,\n"
            "  created_by  BIGINT NOT NULL,\n"
            "  username    TEXT NOT NULL,\n"
            "  comment     TEXT NOT NULL DEFAULT '',\n"
            "  body        TEXT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, version)\n"
            ");\n",
    },
    {
        /* Rollout enforcement and go-live (docs/rollout.md): per-user module
         * overrides (a locum who needs every module on day one; module '*'
         * is all of them), and the readiness checklist items of a stage's
         * gate ticked by a named person. */
        .name = "rollout overrides and checklist ticks",
        .sql =
            "CREATE TABLE user_module_override (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  module      TEXT NOT NULL,\n"
            "  reason      TEXT NOT NULL,\n"
            "  set_by      BIGINT NOT NULL,\n"
            "  set_at      BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, module)\n"
            ");\n"
            "CREATE TABLE plan_checklist_tick (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  stage_id    TEXT NOT NULL,\n"
            "  item_id     TEXT NOT NULL,\n"
            "  ticked_by   BIGINT NOT NULL,\n"
            "  ticked_at   BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, stage_id, item_id)\n"
            ");\n",
    },
    {
        /* The HL7 v2 interface with the practice-management system
         * (docs/hl7-interface.md). hl7_peer: the one PMS of a practice -
         * the addresses it may connect from, where its charges go, and the
         * processing id (P, or T for tests). hl7_inbound: every message
         * received, stored before it is acknowledged, once per sender and
         * control id (MSH-10), with the ACK that was sent so a resend gets
         * the same answer. hl7_outbox: every message to send, written in
         * the transaction of what caused it (a signature, a void), with
         * its control id fixed for every retry; status pending, acked,
         * rejected (AE: a biller's work queue), invalid (failed validation
         * before sending: work queue) or resent (replaced by a new row).
         * interface_test_run: the go-live suite's reports, which the plan's
         * interface gate reads. */
        .name = "the HL7 v2 interface: peer, inbound log, outbox, test reports",
        .sql =
            "CREATE TABLE hl7_peer (\n"
            "  practice_id   BIGINT NOT NULL,\n"
            "  addresses     TEXT NOT NULL,\n"
            "  send_host     TEXT NOT NULL DEFAULT '',\n"
            "  send_port     BIGINT NOT NULL DEFAULT 0,\n"
            "  processing_id TEXT NOT NULL DEFAULT 'P',\n"
            "  facility      TEXT NOT NULL DEFAULT '',\n"
            "  updated_at    BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id)\n"
            ");\n"
            "CREATE TABLE hl7_inbound (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  sender      TEXT NOT NULL,\n"
            "  control_id  TEXT NOT NULL,\n"
            "  received_at BIGINT NOT NULL,\n"
            "  peer_addr   TEXT NOT NULL,\n"
            "  msg_type    TEXT NOT NULL,\n"
            "  body        TEXT NOT NULL,\n"
            "  status      TEXT NOT NULL,\n"
            "  ack_code    TEXT NOT NULL,\n"
            "  ack         TEXT NOT NULL,\n"
            "  detail      TEXT NOT NULL DEFAULT '',\n"
            "  PRIMARY KEY (practice_id, sender, control_id)\n"
            ");\n"
            "CREATE INDEX hl7_inbound_time ON hl7_inbound (practice_id, received_at);\n"
            "CREATE TABLE hl7_outbox (\n"
            "  practice_id  BIGINT NOT NULL,\n"
            "  seq          BIGINT NOT NULL,\n"
            "  control_id   TEXT NOT NULL,\n"
            "  patient_id   TEXT NOT NULL,\n"
            "  encounter_id TEXT NOT NULL DEFAULT '',\n"
            "  kind         TEXT NOT NULL,\n"
            "  charge_ids   TEXT NOT NULL DEFAULT '',\n"
            "  body         TEXT NOT NULL,\n"
            "  status       TEXT NOT NULL,\n"
            "  attempts     BIGINT NOT NULL DEFAULT 0,\n"
            "  next_at      BIGINT NOT NULL DEFAULT 0,\n"
            "  last_error   TEXT NOT NULL DEFAULT '',\n"
            "  ack_code     TEXT NOT NULL DEFAULT '',\n"
            "  created_at   BIGINT NOT NULL,\n"
            "  sent_at      BIGINT NOT NULL DEFAULT 0,\n"
            "  acked_at     BIGINT NOT NULL DEFAULT 0,\n"
            "  replaced_by  BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, seq)\n"
            ");\n"
            "CREATE UNIQUE INDEX hl7_outbox_control ON hl7_outbox (practice_id, control_id);\n"
            "CREATE INDEX hl7_outbox_status ON hl7_outbox (practice_id, status, seq);\n"
            "CREATE INDEX hl7_outbox_patient ON hl7_outbox (practice_id, patient_id, seq);\n"
            "CREATE INDEX hl7_outbox_created ON hl7_outbox (practice_id, created_at);\n"
            "CREATE TABLE interface_test_run (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  run_id      BIGINT NOT NULL,\n"
            "  suite       TEXT NOT NULL,\n"
            "  peer        TEXT NOT NULL,\n"
            "  started_at  BIGINT NOT NULL,\n"
            "  finished_at BIGINT NOT NULL,\n"
            "  run_by      TEXT NOT NULL,\n"
            "  passed      INTEGER NOT NULL,\n"
            "  report      TEXT NOT NULL,\n"
            "  digest      TEXT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, run_id)\n"
            ");\n",
    },
    {
        /* Training and super-users (docs/training.md). These live in the
         * production store (the training environment's own store holds
         * only what trainees do there): super_user, the roster per module;
         * training_record, one row per user and course (started,
         * completed, time spent, the proficiency check's result) that the
         * go-live gates read; training_exercise, each exercise a user has
         * done, as the checker found it; training_assignment, a course or
         * exercise assigned to a user with a reason and a due date (the
         * adoption work assigns refreshers through it); help_request, a
         * user's request for help on a module, which reaches the module's
         * super-users' inboxes. */
        .name = "training records, assignments, super-users and help requests",
        .sql =
            "CREATE TABLE super_user (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  module      TEXT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  added_by    BIGINT NOT NULL,\n"
            "  added_at    BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, module, user_id)\n"
            ");\n"
            "CREATE TABLE training_record (\n"
            "  practice_id       BIGINT NOT NULL,\n"
            "  user_id           BIGINT NOT NULL,\n"
            "  course_id         TEXT NOT NULL,\n"
            "  started_at        BIGINT NOT NULL,\n"
            "  completed_at      BIGINT NOT NULL DEFAULT 0,\n"
            "  seconds_spent     BIGINT NOT NULL DEFAULT 0,\n"
            "  proficiency_score BIGINT NOT NULL DEFAULT -1,\n"
            "  proficiency_pass  INTEGER NOT NULL DEFAULT 0,\n"
            "  proficiency_at    BIGINT NOT NULL DEFAULT 0,\n"
            "  proficiency_start BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, user_id, course_id)\n"
            ");\n"
            "CREATE TABLE training_exercise (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  course_id   TEXT NOT NULL,\n"
            "  exercise_id TEXT NOT NULL,\n"
            "  done_at     BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, course_id, exercise_id)\n"
            ");\n"
            "CREATE TABLE training_assignment (\n"
            "  practice_id   BIGINT NOT NULL,\n"
            "  assignment_id BIGINT NOT NULL,\n"
            "  user_id       BIGINT NOT NULL,\n"
            "  course_id     TEXT NOT NULL,\n"
            "  exercise_id   TEXT NOT NULL DEFAULT '',\n"
            "  reason        TEXT NOT NULL,\n"
            "  due_date      TEXT NOT NULL,\n"
            "  assigned_by   BIGINT NOT NULL,\n"
            "  assigned_at   BIGINT NOT NULL,\n"
            "  done_at       BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, assignment_id)\n"
            ");\n"
            "CREATE INDEX training_assignment_user ON training_assignment (practice_id, user_id, done_at);\n"
            "CREATE TABLE help_request (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  request_id  BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  module      TEXT NOT NULL,\n"
            "  screen      TEXT NOT NULL,\n"
            "  text        TEXT NOT NULL,\n"
            "  created_at  BIGINT NOT NULL,\n"
            "  answered_by BIGINT NOT NULL DEFAULT 0,\n"
            "  answered_at BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, request_id)\n"
            ");\n"
            "CREATE INDEX help_request_module ON help_request (practice_id, module, created_at);\n",
    },
    {
        /* Adoption (docs/adoption-metrics.md). adoption_activity, active
         * time per user, local day, quarter-hour and area (a module id,
         * "inbox" or "other"), from the web app's reports (source
         * 'client') or from audited requests under the 5-second idle rule
         * (source 'audit'); the roll-ups of the audit trail that reports
         * read instead of the trail: adoption_feature_day (successful uses
         * of each feature per user and day), adoption_seen (the patients a
         * clinician saw: visits they signed), adoption_patient_day (facts
         * about a patient's record per day: allergies recorded, smoking
         * status, a lab result ordered in Stagewise or not, ...), with the
         * roller's watermark in adoption_rollup_state and the idle rule's
         * last event per user in adoption_user_state; scheduled hours
         * (adoption_schedule_template, user_id 0 the practice's default;
         * adoption_leave); per-practice targets and settings; visit counts
         * imported from the PMS for the baseline; each user's current
         * level per module (adoption_level, which the benchmarks gate
         * reads); and findings (neglected features) with their re-measure. */
        .name = "adoption: activity, roll-ups, schedules, targets, levels and findings",
        .sql =
            "CREATE TABLE adoption_activity (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  day         BIGINT NOT NULL,\n"
            "  quarter     INTEGER NOT NULL,\n"
            "  area        TEXT NOT NULL,\n"
            "  source      TEXT NOT NULL,\n"
            "  active_ms   BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, day, quarter, area, source)\n"
            ");\n"
            "CREATE TABLE adoption_feature_day (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  day         BIGINT NOT NULL,\n"
            "  feature     TEXT NOT NULL,\n"
            "  uses        BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, day, feature)\n"
            ");\n"
            "CREATE TABLE adoption_seen (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  day         BIGINT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  visits      BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, day, patient_id)\n"
            ");\n"
            "CREATE TABLE adoption_patient_day (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  patient_id  TEXT NOT NULL,\n"
            "  flag        TEXT NOT NULL,\n"
            "  day         BIGINT NOT NULL,\n"
            "  n           BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, patient_id, flag, day)\n"
            ");\n"
            "CREATE TABLE adoption_rollup_state (\n"
            "  practice_id BIGINT NOT NULL PRIMARY KEY,\n"
            "  last_seq    BIGINT NOT NULL,\n"
            "  updated_at  BIGINT NOT NULL\n"
            ");\n"
            "CREATE TABLE adoption_user_state (\n"
            "  practice_id   BIGINT NOT NULL,\n"
            "  user_id       BIGINT NOT NULL,\n"
            "  last_event_ms BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id)\n"
            ");\n"
            "CREATE TABLE adoption_schedule_template (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  weekday     INTEGER NOT NULL,\n"
            "  start_min   INTEGER NOT NULL,\n"
            "  end_min     INTEGER NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, weekday, start_min)\n"
            ");\n"
            "CREATE TABLE adoption_leave (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  first_day   BIGINT NOT NULL,\n"
            "  last_day    BIGINT NOT NULL,\n"
            "  reason      TEXT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, first_day)\n"
            ");\n"
            "CREATE TABLE adoption_target (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  benchmark   TEXT NOT NULL,\n"
            "  floor       DOUBLE PRECISION NOT NULL,\n"
            "  goal        DOUBLE PRECISION NOT NULL,\n"
            "  PRIMARY KEY (practice_id, benchmark)\n"
            ");\n"
            "CREATE TABLE adoption_setting (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  name        TEXT NOT NULL,\n"
            "  value       TEXT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, name)\n"
            ");\n"
            "CREATE TABLE adoption_baseline_visits (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  week_day    BIGINT NOT NULL,\n"
            "  visits      BIGINT NOT NULL,\n"
            "  sessions    DOUBLE PRECISION NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, week_day)\n"
            ");\n"
            "CREATE TABLE adoption_level (\n"
            "  practice_id BIGINT NOT NULL,\n"
            "  user_id     BIGINT NOT NULL,\n"
            "  module      TEXT NOT NULL,\n"
            "  level       TEXT NOT NULL,\n"
            "  flagged     INTEGER NOT NULL,\n"
            "  as_of_day   BIGINT NOT NULL,\n"
            "  PRIMARY KEY (practice_id, user_id, module)\n"
            ");\n"
            "CREATE TABLE adoption_finding (\n"
            "  practice_id   BIGINT NOT NULL,\n"
            "  finding_id    BIGINT NOT NULL,\n"
            "  user_id       BIGINT NOT NULL,\n"
            "  module        TEXT NOT NULL,\n"
            "  kind          TEXT NOT NULL,\n"
            "  subject       TEXT NOT NULL,\n"
            "  explanation   TEXT NOT NULL,\n"
            "  recommendation TEXT NOT NULL,\n"
            "  value_then    DOUBLE PRECISION,\n"
            "  found_day     BIGINT NOT NULL,\n"
            "  assignment_id BIGINT NOT NULL DEFAULT 0,\n"
            "  remeasure_day BIGINT NOT NULL,\n"
            "  value_after   DOUBLE PRECISION,\n"
            "  state         TEXT NOT NULL,\n"
            "  closed_day    BIGINT NOT NULL DEFAULT 0,\n"
            "  PRIMARY KEY (practice_id, finding_id)\n"
            ");\n"
            "CREATE INDEX adoption_finding_user ON adoption_finding (practice_id, user_id, state);\n",
    },
    {
        /* Operations (docs/operations.md): each backup, restore, restore
         * drill and downtime-copy run of the deployment, with its outcome
         * and the SHA-256 of its manifest, so that monitoring can tell
         * the age of the last good backup and the readiness checklist can
         * see that a restore drill and a downtime copy were done. */
        .name = "operations: backup, restore and drill records",
        .sql =
            "CREATE TABLE ops_record (\n"
            "  record_id   BIGINT NOT NULL PRIMARY KEY,\n"
            "  kind        TEXT NOT NULL,\n"
            "  at_ms       BIGINT NOT NULL,\n"
            "  ok          INTEGER NOT NULL,\n"
            "  detail      TEXT NOT NULL,\n"
            "  manifest_sha256 TEXT NOT NULL\n"
            ");\n"
            "CREATE INDEX ops_record_kind ON ops_record (kind, at_ms);\n",
    },
    {
        /* Adoption reports (docs/adoption-metrics.md "Computation") read
         * every activity row of a user's 60 days; with active_ms in the
         * index the read is one index range, not a table lookup per row
         * (on SQLite the difference between ~650 ms and ~250 ms for 100
         * users' reports over 1 million audit entries). */
        .name = "adoption: covering index for the reports' activity reads",
        .sql =
            "CREATE INDEX adoption_activity_report ON adoption_activity "
            "(practice_id, user_id, day, quarter, area, source, active_ms);\n",
    },
};

const store_migration *store_migrations(size_t *count)
{
    *count = sizeof migrations / sizeof migrations[0];
    return migrations;
}
