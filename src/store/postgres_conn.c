/* postgres_conn.c - a PostgreSQL connection of the pool: connecting with
 * clear, password-free messages, its session settings, mapping server
 * errors to our codes, and the transaction-control statements. Prepared
 * statements are in postgres_stmt.c, placeholder rewriting in
 * postgres_sql.c. */
#include "postgres_conn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/str.h"

#define CONNECT_TIMEOUT_S "10"

/* Session settings every connection gets: durable commits (also if the
 * server's default was changed), UTF-8 text, and the literal and bytea
 * forms this file parses. */
#define SESSION_SQL \
    "SET synchronous_commit = on; SET client_encoding = 'UTF8'; " \
    "SET standard_conforming_strings = on; SET bytea_output = 'hex'"

/* Copies in to out as one line: runs of whitespace (libpq separates hints
 * with newline and tab) become one space, and ends are trimmed. */
static void one_line(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    bool space = false;
    for (; *in && o + 1 < cap; in++) {
        if (isspace((unsigned char)*in)) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < cap)
            out[o++] = ' ';
        space = false;
        out[o++] = *in;
    }
    out[o] = '\0';
}

/* ---- Keeping the password out of messages -------------------------------- */

/* Replaces every occurrence of secret[0..n) in msg with "***". */
static void redact(char *msg, size_t cap, const char *secret, size_t n)
{
    if (n == 0)
        return;
    char out[SW_ERR_MSG_MAX];
    size_t o = 0, len = strlen(msg);
    for (size_t i = 0; i < len && o + 1 < sizeof out;) {
        if (len - i >= n && memcmp(msg + i, secret, n) == 0) {
            for (int k = 0; k < 3 && o + 1 < sizeof out; k++)
                out[o++] = '*';
            i += n;
        } else {
            out[o++] = msg[i++];
        }
    }
    out[o] = '\0';
    snprintf(msg, cap, "%s", out);
}

/* libpq echoes parts of a malformed URI ("invalid percent-encoded token:
 * …"), which may be the password: remove it, as written and decoded, in
 * user:password@ and in password=…. */
static void redact_password(char *msg, size_t cap, const char *conninfo)
{
    const char *found[2] = { NULL, NULL };
    size_t len[2] = { 0, 0 };
    const char *auth = strstr(conninfo, "://");
    if (auth != NULL) {
        auth += 3;
        const char *end = auth + strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < end; p++)
            if (*p == '@')
                at = p;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon != NULL) {
            found[0] = colon + 1;
            len[0] = (size_t)(at - colon - 1);
        }
    }
    const char *pw = strstr(conninfo, "password=");
    if (pw != NULL) {
        found[1] = pw + strlen("password=");
        len[1] = strcspn(found[1], "&#");
    }
    for (int i = 0; i < 2; i++) {
        if (found[i] == NULL || len[i] == 0)
            continue;
        redact(msg, cap, found[i], len[i]);
        char dec[SW_STORE_MAX_URL_BYTES];
        size_t d = 0;
        for (size_t j = 0; j < len[i] && d < sizeof dec; j++) {
            const char *s = found[i] + j;
            if (*s == '%' && j + 2 < len[i] && sw_hex_digit(s[1]) >= 0
                && sw_hex_digit(s[2]) >= 0) {
                dec[d++] = (char)(sw_hex_digit(s[1]) * 16 + sw_hex_digit(s[2]));
                j += 2;
            } else {
                dec[d++] = *s;
            }
        }
        redact(msg, cap, dec, d);
    }
}

/* ---- Connecting ---------------------------------------------------------- */

int pg_conninfo_check(const char *conninfo, const char *display, sw_err *err)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
    if (opts != NULL) {
        PQconninfoFree(opts);
        return SW_OK;
    }
    if (why == NULL)
        return sw_err_set(err, SW_ENOMEM, NULL);
    char reason[SW_ERR_MSG_MAX];
    one_line(why, reason, sizeof reason);
    PQfreemem(why);
    redact_password(reason, sizeof reason, conninfo);
    return sw_err_set(err, SW_EUSAGE,
                      "the database URL %s is not a valid PostgreSQL URI: %s",
                      display, reason);
}

/* The part of a failed connection's message that says why, as one line:
 * the last line that is not an indented hint, without libpq's "connection
 * to server at …, port … failed:" prefix and the server's "FATAL:". */
static void connect_reason(PGconn *pg, const char *conninfo, char *out,
                           size_t cap)
{
    const char *msg = pg ? PQerrorMessage(pg) : "out of memory";
    const char *best = msg, *line = msg;
    while (*line) {
        size_t n = strcspn(line, "\n");
        if (n > 0 && !isspace((unsigned char)line[0]))
            best = line;
        line += n;
        if (*line == '\n')
            line++;
    }
    size_t n = strcspn(best, "\n");
    char buf[SW_ERR_MSG_MAX];
    snprintf(buf, sizeof buf, "%.*s", (int)n, best);
    const char *why = buf;
    const char *failed = strstr(why, " failed: ");
    if (strncmp(why, "connection to server", 20) == 0 && failed != NULL)
        why = failed + strlen(" failed: ");
    if (strncmp(why, "FATAL:", 6) == 0)
        why += 6;
    one_line(why, out, cap);
    if (out[0] == '\0')
        snprintf(out, cap, "the connection failed");
    redact_password(out, cap, conninfo);
}

static int connect_fail(pg_conn *c, sw_err *err)
{
    char why[SW_ERR_MSG_MAX];
    connect_reason(c->pg, c->conninfo, why, sizeof why);
    const char *host = c->pg ? PQhost(c->pg) : NULL;
    const char *port = c->pg ? PQport(c->pg) : NULL;
    const char *db = c->pg ? PQdb(c->pg) : NULL;
    char where[300];
    snprintf(where, sizeof where, "%s:%s",
             host && *host ? host : "localhost", port && *port ? port : "5432");
    int rc;
    if (c->pg == NULL)
        rc = sw_err_set(err, SW_ENOMEM, NULL);
    else if (strncmp(why, "database \"", 10) == 0 && strstr(why, "does not exist"))
        rc = sw_err_set(err, SW_ENOTFOUND,
                        "the database %s does not exist on the PostgreSQL "
                        "server at %s; run createdb %s or pick another "
                        "database", db ? db : "", where, db ? db : "");
    else if (strstr(why, "authentication failed")
             || strstr(why, "no password supplied")
             || strstr(why, "pg_hba.conf")
             || (strncmp(why, "role \"", 6) == 0 && strstr(why, "does not exist")))
        rc = sw_err_set(err, SW_ESTORE,
                        "the PostgreSQL server at %s refused the login for "
                        "%s (%s); check the user name and password",
                        where, c->display, why);
    else
        rc = sw_err_set(err, SW_ESTORE,
                        "cannot reach the PostgreSQL server at %s (%s): %s",
                        where, c->display, why);
    PQfinish(c->pg);
    c->pg = NULL;
    return rc;
}

/* Server notices ("relation already exists, skipping") are not for
 * operators; libpq would print them on stderr. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

void pg_conn_init(pg_conn *c, const char *conninfo, const char *display)
{
    memset(c, 0, sizeof *c);
    c->conninfo = conninfo;
    c->display = display;
    c->tx.be = &store_postgres_backend;
}

int pg_conn_connect(pg_conn *c, sw_err *err)
{
    if (c->pg != NULL) {
        pg_conn_release_all(c);
        pg_conn_drop_statements(c);
        PQreset(c->pg);
    } else {
        /* Keywords before dbname are defaults the URI may override. */
        static const char *const keys[] = {
            "connect_timeout", "fallback_application_name", "dbname", NULL,
        };
        const char *vals[] = { CONNECT_TIMEOUT_S, "stagewise", c->conninfo, NULL };
        c->pg = PQconnectdbParams(keys, vals, 1);
    }
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK)
        return connect_fail(c, err);
    PQsetNoticeProcessor(c->pg, quiet_notice, NULL);
    PGresult *r = PQexec(c->pg, SESSION_SQL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        char why[SW_ERR_MSG_MAX];
        one_line(r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg), why,
                 sizeof why);
        PQclear(r);
        PQfinish(c->pg);
        c->pg = NULL;
        return sw_err_set(err, SW_EIO, "cannot set up a session on %s: %s",
                          c->display, why);
    }
    PQclear(r);
    c->broken = false;
    return SW_OK;
}

void pg_conn_close(pg_conn *c)
{
    pg_conn_release_all(c);
    pg_conn_drop_statements(c);
    PQfinish(c->pg);
    c->pg = NULL;
}

/* ---- Errors -------------------------------------------------------------- */

/* Maps a failed result (or a failure without one) to our code and records
 * it on the tx. A lost connection marks the connection broken; a
 * serialization failure or deadlock marks the tx for a retry. */
int pg_conn_fail(pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                              : NULL;
    char why[SW_ERR_MSG_MAX];
    one_line(primary ? primary : PQerrorMessage(c->pg), why, sizeof why);
    if (why[0] == '\0')
        snprintf(why, sizeof why, "%s", "unknown error");
    if (state == NULL)
        state = "";

    int code;
    if (PQstatus(c->pg) == CONNECTION_BAD || strncmp(state, "08", 2) == 0
        || strncmp(state, "57P0", 4) == 0) {
        c->broken = true;
        code = store_tx_set_err(&c->tx, SW_ESTORE,
                                "lost the connection to PostgreSQL at %s: %s",
                                c->display, why);
    } else {
        const char *schema = res ? PQresultErrorField(res, PG_DIAG_SCHEMA_NAME)
                                 : NULL;
        bool ddl_race = (strcmp(state, "23505") == 0 && schema != NULL
                         && strcmp(schema, "pg_catalog") == 0)
                      || strcmp(state, "42P07") == 0      /* duplicate_table */
                      || strcmp(state, "42701") == 0      /* duplicate_column */
                      || strcmp(state, "42710") == 0;     /* duplicate_object */
        if (ddl_race) {
            /* Two transactions created the same table, index or type at
             * once (two `stagewise init` runs): the loser sees a duplicate
             * in the system catalogs or "already exists", not a
             * serialization failure, but running it again is what resolves
             * it (IF NOT EXISTS, the version check in migrate.c). */
            c->serial_fail = true;
            code = SW_EBUSY;
        } else if (strcmp(state, "23505") == 0)
            code = SW_ECONFLICT;
        else if (strncmp(state, "23", 2) == 0)
            code = SW_EINVAL;
        else if (strcmp(state, "57014") == 0)
            /* query_canceled: the read budget's statement_timeout. */
            return store_tx_set_err(&c->tx, SW_ECOSTLY, "the query ran longer "
                                    "than the server allows and was stopped; "
                                    "narrow it");
        else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
            /* Retried by the backend; if retries run out the caller should
             * try again later, as with any busy database. */
            c->serial_fail = true;
            code = SW_EBUSY;
        } else if (strncmp(state, "53", 2) == 0)
            code = SW_EBUSY;
        else if (res == NULL)
            code = SW_ENOMEM;      /* libpq could not build a result */
        else
            code = SW_EIO;
        store_tx_set_err(&c->tx, code, "postgresql: %s", why);
    }
    if (c->abort_err.code == SW_OK)
        c->abort_err = c->tx.err;
    return code;
}

/* ---- Simple statements --------------------------------------------------- */

void pg_conn_tx_start(pg_conn *c)
{
    sw_err_clear(&c->tx.err);
    sw_err_clear(&c->abort_err);
    c->serial_fail = false;
}

int pg_conn_exec(pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = SW_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_conn_fail(c, r);
    PQclear(r);
    return rc;
}

void pg_conn_exec_quiet(pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    if (r == NULL || PQstatus(c->pg) == CONNECTION_BAD)
        c->broken = true;
    PQclear(r);
}

int pg_conn_commit(pg_conn *c)
{
    PGresult *r = PQexec(c->pg, "COMMIT");
    int rc = SW_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_conn_fail(c, r);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
        /* The server ends an aborted transaction with ROLLBACK and no
         * error; nothing was saved. */
        rc = store_tx_set_err(&c->tx, SW_EIO, "postgresql: the transaction "
                              "was rolled back after an earlier error");
    PQclear(r);
    return rc;
}

pg_conn *pg_conn_of(store_tx *tx)
{
    return (pg_conn *)((char *)tx - offsetof(pg_conn, tx));
}

int pg_exec_script(store_tx *tx, const char *sql)
{
    return pg_conn_exec(pg_conn_of(tx), sql);
}
