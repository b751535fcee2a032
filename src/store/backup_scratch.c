/* backup_scratch.c - the scratch database of a restore drill (`stagewise
 * restore --drill`, docs/operations.md "The restore drill"): a database of
 * the same backend as the practice's, made empty for the drill and removed
 * after it, so a backup is proven restorable without touching anything
 * that serves patients. SQLite: a file in a new private directory under
 * $TMPDIR (or /tmp). PostgreSQL: a new database on the same server, made
 * and dropped over a connection to the practice's database (the account
 * needs CREATEDB). */
#include "store/backup.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "store/store_int.h"

#define DRILL_FILE "drill.db"

/* Appends s percent-encoded (RFC 3986 unreserved characters as they are). */
static int put_encoded(char *out, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                     || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'
                     || *p == '_' || *p == '~';
        if (*len + 4 >= cap)
            return -1;
        if (plain) {
            out[(*len)++] = (char)*p;
        } else {
            out[(*len)++] = '%';
            out[(*len)++] = hex[*p >> 4];
            out[(*len)++] = hex[*p & 15];
        }
    }
    out[*len] = '\0';
    return 0;
}

/* The practice's connection parameters with dbname replaced, as a URI
 * whose every parameter is in the query string. */
static int scratch_uri(const char *conninfo, const char *dbname, char *out,
                       size_t cap, sw_err *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (opts == NULL) {
        sw_err_set(err, SW_EUSAGE, "the database URL cannot be read: %s",
                   perr ? perr : "out of memory");
        PQfreemem(perr);
        return SW_EUSAGE;
    }
    size_t len = 0;
    int bad = 0;
    const char *lead = "postgresql://?dbname=";
    if (strlen(lead) + 1 >= cap)
        bad = 1;
    else {
        memcpy(out, lead, strlen(lead) + 1);
        len = strlen(lead);
        bad = put_encoded(out, cap, &len, dbname);
    }
    for (PQconninfoOption *o = opts; !bad && o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0' || strcmp(o->keyword, "dbname") == 0)
            continue;
        if (len + strlen(o->keyword) + 3 >= cap) {
            bad = 1;
            break;
        }
        out[len++] = '&';
        memcpy(out + len, o->keyword, strlen(o->keyword));
        len += strlen(o->keyword);
        out[len++] = '=';
        out[len] = '\0';
        bad = put_encoded(out, cap, &len, o->val);
    }
    PQconninfoFree(opts);
    if (bad)
        return sw_err_set(err, SW_EUSAGE, "the database URL is too long to "
                          "derive a scratch database from");
    return SW_OK;
}

static int pg_command(const char *conninfo, const char *sql, sw_err *err)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        sw_err_set(err, SW_ESTORE, "the database server is not reachable for "
                   "the drill's scratch database: %s", PQerrorMessage(c));
        PQfinish(c);
        return SW_ESTORE;
    }
    PGresult *r = PQexec(c, sql);
    int rc = SW_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        msg[strcspn(msg, "\n")] = '\0';
        rc = sw_err_set(err, SW_EIO, "the drill's scratch database could not "
                        "be made or removed (the account needs CREATEDB): %s",
                        msg);
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

int backup_scratch_create(const char *db_url, backup_scratch *out, sw_err *err)
{
    memset(out, 0, sizeof *out);
    store_url u;
    int rc = store_url_parse(db_url, &u, err);
    if (rc != SW_OK)
        return rc;
    out->kind = u.kind;
    if (u.kind == STORE_SQLITE) {
        const char *base = getenv("TMPDIR");
        if ((size_t)snprintf(out->dir, sizeof out->dir, "%s/stagewise-drill-XXXXXX",
                             base && *base ? base : "/tmp") >= sizeof out->dir)
            return sw_err_set(err, SW_EUSAGE, "TMPDIR is too long");
        if (mkdtemp(out->dir) == NULL)
            return sw_err_set(err, SW_EIO, "the drill's scratch directory "
                              "cannot be created in %s", base ? base : "/tmp");
        snprintf(out->url, sizeof out->url, "sqlite:%s/" DRILL_FILE, out->dir);
        return SW_OK;
    }
    snprintf(out->pg_name, sizeof out->pg_name, "stagewise_drill_%ld_%lld",
             (long)getpid(), (long long)sw_now_wall_ms());
    rc = scratch_uri(u.conninfo, out->pg_name, out->url, sizeof out->url, err);
    if (rc != SW_OK)
        return rc;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", out->pg_name);
    rc = pg_command(u.conninfo, sql, err);
    if (rc == SW_OK)
        snprintf(out->admin, sizeof out->admin, "%s", u.conninfo);
    return rc;
}

void backup_scratch_drop(backup_scratch *s)
{
    if (s->kind == STORE_SQLITE && s->dir[0] != '\0') {
        static const char *const names[] = {
            DRILL_FILE, DRILL_FILE "-wal", DRILL_FILE "-shm",
            DRILL_FILE "-training", DRILL_FILE "-training-wal",
            DRILL_FILE "-training-shm",
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char p[sizeof s->dir + 32];
            snprintf(p, sizeof p, "%s/%s", s->dir, names[i]);
            unlink(p);
        }
        rmdir(s->dir);
    } else if (s->kind == STORE_POSTGRES && s->admin[0] != '\0') {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\"", s->pg_name);
        pg_command(s->admin, sql, NULL);
    }
    memset(s, 0, sizeof *s);
}
