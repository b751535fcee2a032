/* cmd_serve.c - `stagewise serve`: parse options, then run the server. */
#include "cli.h"
#include "cli/config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/str.h"
#include "server/backup_worker.h"
#include "server/serve.h"
#include "server/training_nightly.h"

static const char usage[] =
    "Usage: stagewise serve [--config FILE] [--db URL] [--listen HOST:PORT]\n"
    "                       [--threads N]\n"
    "                       [--request-timeout SECONDS] [--idle-timeout SECONDS]\n"
    "                       [--session-idle DURATION] [--session-max DURATION]\n"
    "                       [--lockout DURATION]\n"
    "                       [--tls-cert FILE --tls-key FILE] [--trust-proxy ADDR[,ADDR]]\n"
    "                       [--web DIR] [--courses DIR]\n"
    "                       [--mllp HOST:PORT [--mllp-tls-cert FILE --mllp-tls-key FILE]]\n"
    "                       [--db-replica URL] [--no-deliver]\n"
    "                       [--training-db URL | --no-training]\n"
    "                       [--training-reset-at HH:MM]\n"
    "                       [--metrics-token TOKEN] [--log-format text|json]\n"
    "                       [--backup-dir DIR --backup-every DURATION\n"
    "                        [--backup-keep N] [--backup-key FILE]\n"
    "                        [--backup-max-age DURATION]]\n"
    "       stagewise serve --read-only --db URL [--listen HOST:PORT] …\n"
    "\n"
    "Serves the web app, /api and /fhir over HTTP (and HL7 v2 over MLLP with\n"
    "--mllp) until SIGTERM or SIGINT, then finishes the requests and messages in\n"
    "flight and closes the database cleanly. Charges queued for the practice-\n"
    "management system are delivered while it serves.\n"
    "\n"
    "  --config FILE            read options from FILE, one 'key = value' a line\n"
    "                           (a key is an option below without '--'); the\n"
    "                           command line overrides it (default:\n"
    "                           $STAGEWISE_CONFIG; docs/commands/serve.md)\n"
    "  --db URL                 sqlite:PATH or postgresql://… (default: $STAGEWISE_DB,\n"
    "                           else sqlite:stagewise.db); run 'stagewise init' first\n"
    "  --listen HOST:PORT       address to listen on (default 127.0.0.1:8080;\n"
    "                           port 0 picks a free port; [::1]:8080 for IPv6)\n"
    "  --threads N              HTTP worker threads (default 16)\n"
    "  --request-timeout SECONDS  a request must arrive completely within this\n"
    "                           time or it is answered 408 (default 30)\n"
    "  --idle-timeout SECONDS   close a connection that starts no request for\n"
    "                           this long (default 30)\n"
    "  --session-idle DURATION  end a sign-in session unused for this long\n"
    "                           (default 15m; at most 24h)\n"
    "  --session-max DURATION   end every session this long after sign-in\n"
    "                           (default 12h; at most 720h)\n"
    "  --lockout DURATION       how long an account stays locked after 5 failed\n"
    "                           sign-ins in a row (default 15m; at most 24h)\n"
    "  --session-idle-minutes N, --session-max-hours N, --lockout-minutes N\n"
    "                           the same three in whole minutes or hours\n"
    "  --tls-cert FILE          serve HTTPS with this PEM certificate (chain)\n"
    "  --tls-key FILE           and this PEM private key (docs/tls.md)\n"
    "  --trust-proxy ADDR[,ADDR]  reverse proxies (IP addresses) whose\n"
    "                           X-Forwarded-For and X-Forwarded-Proto are believed;\n"
    "                           from anyone else those headers are ignored\n"
    "  --web DIR                the web app's files (index.html, static/); default:\n"
    "                           the web/ directory of the source tree it was built\n"
    "                           from, or PREFIX/share/stagewise/web once installed\n"
    "  --courses DIR            the training courses (*.json, docs/training.md);\n"
    "                           default: the courses/ directory of the source tree,\n"
    "                           or PREFIX/share/stagewise/courses once installed\n"
    "  --mllp HOST:PORT         also receive HL7 v2 messages from the practice-\n"
    "                           management system over MLLP (port 0 picks a free\n"
    "                           port); only addresses in a practice's peer list\n"
    "                           ('stagewise interface peer --allow') may connect\n"
    "  --mllp-tls-cert FILE     MLLP over TLS with this PEM certificate (chain)\n"
    "  --mllp-tls-key FILE      and this PEM private key\n"
    "  --no-deliver             do not send the HL7 outbox to the practice-management\n"
    "                           system: for every server but one when several share\n"
    "                           a database (docs/scaling.md)\n"
    "  --db-replica URL         a PostgreSQL hot standby of --db: FHIR searches and\n"
    "                           adoption reports read there (the primary when it is\n"
    "                           down); docs/store.md\n"
    "  --training-db URL        the training environment's database, served under\n"
    "                           /training/ (default: derived from --db: sqlite:PATH\n"
    "                           -> sqlite:PATH-training; PostgreSQL -> its schema\n"
    "                           \"training\"); created and migrated when missing\n"
    "  --no-training            serve no training environment\n"
    "  --training-reset-at HH:MM  reset the training environment every day at\n"
    "                           this time (UTC), as 'stagewise training reset'\n"
    "                           does (default: never)\n"
    "  --metrics-token TOKEN    GET /metrics requires 'Authorization: Bearer TOKEN'\n"
    "                           (16 to 256 letters, digits or -._~+/=); without\n"
    "                           it, /metrics answers clients on this machine only\n"
    "  --log-format text|json   log lines as text (default) or one JSON object\n"
    "                           per line\n"
    "  --read-only              serve a downtime copy (a restored backup): every\n"
    "                           change is refused; no training environment, HL7,\n"
    "                           adoption worker or backups (docs/operations.md)\n"
    "  --backup-dir DIR         back up the database (as 'stagewise backup') into\n"
    "                           DIR/<UTC time>/ while serving (docs/operations.md)\n"
    "  --backup-every DURATION  how often: 45s, 30m, 6h, 1d, or a bare number of hours\n"
    "  --backup-keep N          keep the newest N good backups, delete older ones\n"
    "                           (default 7)\n"
    "  --backup-key FILE        encrypt them with this key ('stagewise backup --new-key')\n"
    "  --backup-max-age DURATION  warn, and set stagewise_backup_overdue, while the\n"
    "                           last good backup is older (default: twice --backup-every)\n"
    "\n"
    "A DURATION is a whole number with a unit: s, m or h (90s, 15m, 12h).\n";

/* While the values of a configuration file are checked: the key and where
 * it is, added to the one sentence of a bad value. */
static char config_where[1200];

/* cli_fail, naming the configuration file's line when one is being read. */
__attribute__((format(printf, 2, 3)))
static int serve_fail(int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cli_fail(code, "%s%s", msg, config_where);
}

/* "90s", "15m", "12h" as seconds, from 1 to max_s. */
static int parse_duration(const char *s, long max_s, int64_t *out)
{
    size_t n = strlen(s);
    if (n < 2)
        return SW_EUSAGE;
    long unit = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60
              : s[n - 1] == 'h' ? 3600 : 0;
    long v;
    if (unit == 0 || !sw_str_to_long(sw_str_make(s, n - 1), 1, max_s / unit, &v))
        return SW_EUSAGE;
    *out = (int64_t)v * unit;
    return SW_OK;
}

/* A whole number of units (the -minutes / -hours spellings) as seconds. */
static int parse_units(const char *s, long unit, long max_s, int64_t *out)
{
    long v;
    if (cli_parse_int(s, 1, max_s / unit, &v) != SW_OK)
        return SW_EUSAGE;
    *out = (int64_t)v * unit;
    return SW_OK;
}

/* The one sentence for a bad session or lockout option. */
static int bad_duration(const char *option, long max_s)
{
    return serve_fail(SW_EUSAGE, "serve: --%s must be a duration such as 90s, "
                    "15m or 2h, from 1 second to %ld hours", option,
                    max_s / 3600);
}

/* Options without a one-letter twin, numbered past any character. */
enum {
    OPT_SESSION_IDLE = 256,
    OPT_SESSION_IDLE_MIN,
    OPT_SESSION_MAX,
    OPT_SESSION_MAX_HOURS,
    OPT_LOCKOUT,
    OPT_LOCKOUT_MIN,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_TRUST_PROXY,
    OPT_WEB,
    OPT_COURSES,
    OPT_MLLP,
    OPT_MLLP_TLS_CERT,
    OPT_MLLP_TLS_KEY,
    OPT_TRAINING_DB,
    OPT_NO_TRAINING,
    OPT_TRAINING_RESET_AT,
    OPT_METRICS_TOKEN,
    OPT_LOG_FORMAT,
    OPT_CONFIG,
    OPT_DB_REPLICA,
    OPT_NO_DELIVER,
    OPT_BACKUP_DIR,
    OPT_BACKUP_EVERY,
    OPT_BACKUP_KEEP,
    OPT_BACKUP_KEY,
    OPT_BACKUP_MAX_AGE,
    OPT_READ_ONLY,
};

/* Splits "a,b" into proxies[] (pointers into a copy in buf); false when
 * an entry is empty or there are too many. */
static bool parse_proxies(const char *arg, char *buf, size_t cap,
                          const char **proxies, size_t *n)
{
    size_t len = strlen(arg);
    if (len == 0 || len >= cap)
        return false;
    memcpy(buf, arg, len + 1);
    for (char *p = buf; p != NULL;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p == '\0' || *n >= SERVER_MAX_TRUSTED_PROXIES)
            return false;
        proxies[(*n)++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return true;
}

static const struct option opts[] = {
    { "db", required_argument, NULL, 'd' },
    { "listen", required_argument, NULL, 'l' },
    { "threads", required_argument, NULL, 't' },
    { "request-timeout", required_argument, NULL, 'r' },
    { "idle-timeout", required_argument, NULL, 'i' },
    { "session-idle", required_argument, NULL, OPT_SESSION_IDLE },
    { "session-idle-minutes", required_argument, NULL, OPT_SESSION_IDLE_MIN },
    { "session-max", required_argument, NULL, OPT_SESSION_MAX },
    { "session-max-hours", required_argument, NULL, OPT_SESSION_MAX_HOURS },
    { "lockout", required_argument, NULL, OPT_LOCKOUT },
    { "lockout-minutes", required_argument, NULL, OPT_LOCKOUT_MIN },
    { "tls-cert", required_argument, NULL, OPT_TLS_CERT },
    { "tls-key", required_argument, NULL, OPT_TLS_KEY },
    { "trust-proxy", required_argument, NULL, OPT_TRUST_PROXY },
    { "web", required_argument, NULL, OPT_WEB },
    { "courses", required_argument, NULL, OPT_COURSES },
    { "mllp", required_argument, NULL, OPT_MLLP },
    { "mllp-tls-cert", required_argument, NULL, OPT_MLLP_TLS_CERT },
    { "mllp-tls-key", required_argument, NULL, OPT_MLLP_TLS_KEY },
    { "training-db", required_argument, NULL, OPT_TRAINING_DB },
    { "no-training", no_argument, NULL, OPT_NO_TRAINING },
    { "training-reset-at", required_argument, NULL, OPT_TRAINING_RESET_AT },
    { "metrics-token", required_argument, NULL, OPT_METRICS_TOKEN },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "db-replica", required_argument, NULL, OPT_DB_REPLICA },
    { "no-deliver", no_argument, NULL, OPT_NO_DELIVER },
    { "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
    { "backup-every", required_argument, NULL, OPT_BACKUP_EVERY },
    { "backup-keep", required_argument, NULL, OPT_BACKUP_KEEP },
    { "backup-key", required_argument, NULL, OPT_BACKUP_KEY },
    { "backup-max-age", required_argument, NULL, OPT_BACKUP_MAX_AGE },
    { "read-only", no_argument, NULL, OPT_READ_ONLY },
    { 0, 0, 0, 0 },
};

/* Parses argv; with check_only stops after the options (each value of a
 * configuration file is checked alone), else serves. */
static int parse_and_serve(int argc, char **argv, bool check_only)
{
    int64_t session_idle = SW_SESSION_IDLE_S, session_max = SW_SESSION_MAX_S;
    int64_t lockout = SW_LOGIN_LOCKOUT_S;
    const char *db = NULL;
    char host[256] = "127.0.0.1";
    int port = 8080;
    long threads = SW_HTTP_DEFAULT_THREADS, timeout = SW_HTTP_REQUEST_TIMEOUT_S;
    long idle = SW_HTTP_IDLE_TIMEOUT_S;
    const char *tls_cert = NULL, *tls_key = NULL, *web = NULL, *courses = NULL;
    char mllp_host[256] = "";
    int mllp_port = 0;
    bool mllp = false;
    const char *mllp_cert = NULL, *mllp_key = NULL;
    static char proxy_text[1024];
    static const char *proxies[SERVER_MAX_TRUSTED_PROXIES];
    size_t nproxies = 0;
    const char *training_db = NULL;
    const char *db_replica = NULL;
    bool no_deliver = false;
    bool no_training = false;
    int training_reset_minute = 0;
    bool training_reset = false;
    const char *metrics_token = NULL;
    bool log_json = false;
    backup_schedule backups = { .dir = NULL };
    long backup_keep = 0;
    bool read_only = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            if (cli_parse_listen(optarg, host, sizeof host, &port) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --listen '%s' is not HOST:PORT "
                                "(for example 127.0.0.1:8080 or [::1]:8080)", optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, SW_HTTP_MAX_THREADS, &threads) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --threads must be a number "
                                "from 1 to %d", SW_HTTP_MAX_THREADS);
            break;
        case 'r':
            if (cli_parse_int(optarg, 1, 3600, &timeout) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --request-timeout must be a "
                                "number of seconds from 1 to 3600");
            break;
        case 'i':
            if (cli_parse_int(optarg, 1, 3600, &idle) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --idle-timeout must be a "
                                "number of seconds from 1 to 3600");
            break;
        case OPT_SESSION_IDLE:
            if (parse_duration(optarg, SW_SESSION_IDLE_MAX_S, &session_idle) != SW_OK)
                return bad_duration("session-idle", SW_SESSION_IDLE_MAX_S);
            break;
        case OPT_SESSION_IDLE_MIN:
            if (parse_units(optarg, 60, SW_SESSION_IDLE_MAX_S, &session_idle) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --session-idle-minutes must "
                                "be a number from 1 to %d", SW_SESSION_IDLE_MAX_S / 60);
            break;
        case OPT_SESSION_MAX:
            if (parse_duration(optarg, SW_SESSION_MAX_MAX_S, &session_max) != SW_OK)
                return bad_duration("session-max", SW_SESSION_MAX_MAX_S);
            break;
        case OPT_SESSION_MAX_HOURS:
            if (parse_units(optarg, 3600, SW_SESSION_MAX_MAX_S, &session_max) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --session-max-hours must be "
                                "a number from 1 to %d", SW_SESSION_MAX_MAX_S / 3600);
            break;
        case OPT_LOCKOUT:
            if (parse_duration(optarg, SW_LOGIN_LOCKOUT_MAX_S, &lockout) != SW_OK)
                return bad_duration("lockout", SW_LOGIN_LOCKOUT_MAX_S);
            break;
        case OPT_LOCKOUT_MIN:
            if (parse_units(optarg, 60, SW_LOGIN_LOCKOUT_MAX_S, &lockout) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --lockout-minutes must be a "
                                "number from 1 to %d", SW_LOGIN_LOCKOUT_MAX_S / 60);
            break;
        case OPT_TLS_CERT:
            tls_cert = optarg;
            break;
        case OPT_TLS_KEY:
            tls_key = optarg;
            break;
        case OPT_TRAINING_DB:
            training_db = optarg;
            break;
        case OPT_DB_REPLICA:
            db_replica = optarg;
            break;
        case OPT_NO_DELIVER:
            no_deliver = true;
            break;
        case OPT_NO_TRAINING:
            no_training = true;
            break;
        case OPT_TRAINING_RESET_AT:
            if (server_nightly_parse(optarg, &training_reset_minute) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --training-reset-at must be a "
                                "time HH:MM from 00:00 to 23:59 (UTC)");
            training_reset = true;
            break;
        case OPT_METRICS_TOKEN:
            if (strlen(optarg) < 16 || strlen(optarg) > 256
                || strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                          "qrstuvwxyz0123456789-._~+/=") != strlen(optarg))
                return serve_fail(SW_EUSAGE, "serve: --metrics-token must be 16 "
                                "to 256 letters, digits or -._~+/=");
            metrics_token = optarg;
            break;
        case OPT_LOG_FORMAT:
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
                return serve_fail(SW_EUSAGE, "serve: --log-format must be text "
                                "or json");
            log_json = strcmp(optarg, "json") == 0;
            break;
        case OPT_CONFIG:
            break;          /* read by run() before the options */
        case OPT_BACKUP_DIR:
            backups.dir = optarg;
            break;
        case OPT_BACKUP_EVERY:
            if (!backup_worker_parse_duration(optarg, &backups.every_ms))
                return serve_fail(SW_EUSAGE, "serve: --backup-every must be a "
                                "duration such as 45s, 30m, 6h or 1d");
            break;
        case OPT_BACKUP_MAX_AGE:
            if (!backup_worker_parse_duration(optarg, &backups.max_age_ms))
                return serve_fail(SW_EUSAGE, "serve: --backup-max-age must be a "
                                "duration such as 30m, 26h or 2d");
            break;
        case OPT_BACKUP_KEEP:
            if (cli_parse_int(optarg, 1, 1000, &backup_keep) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --backup-keep must be a "
                                "number from 1 to 1000");
            backups.keep = (int)backup_keep;
            break;
        case OPT_READ_ONLY:
            read_only = true;
            break;
        case OPT_BACKUP_KEY:
            backups.key_file = optarg;
            break;
        case OPT_WEB:
            web = optarg;
            break;
        case OPT_COURSES:
            courses = optarg;
            break;
        case OPT_MLLP:
            if (cli_parse_listen(optarg, mllp_host, sizeof mllp_host,
                                 &mllp_port) != SW_OK)
                return serve_fail(SW_EUSAGE, "serve: --mllp '%s' is not HOST:PORT "
                                "(for example 0.0.0.0:2575 or 127.0.0.1:0)", optarg);
            mllp = true;
            break;
        case OPT_MLLP_TLS_CERT:
            mllp_cert = optarg;
            break;
        case OPT_MLLP_TLS_KEY:
            mllp_key = optarg;
            break;
        case OPT_TRUST_PROXY:
            nproxies = 0;
            if (!parse_proxies(optarg, proxy_text, sizeof proxy_text, proxies,
                               &nproxies))
                return serve_fail(SW_EUSAGE, "serve: --trust-proxy must be one "
                                "to %d IP addresses separated by commas, such "
                                "as 127.0.0.1 or 10.0.0.5,10.0.0.6",
                                SERVER_MAX_TRUSTED_PROXIES);
            break;
        default:
            return cli_bad_option("serve", argc, argv);
        }
    }
    if (optind < argc)
        return serve_fail(SW_EUSAGE, "serve: unexpected argument '%s'; see "
                        "'stagewise serve --help'", argv[optind]);
    if (check_only)
        return 0;
    if ((mllp_cert == NULL) != (mllp_key == NULL))
        return serve_fail(SW_EUSAGE, "serve: --mllp-tls-cert and --mllp-tls-key "
                        "go together: give the certificate and its private key");
    if (mllp_cert != NULL && !mllp)
        return serve_fail(SW_EUSAGE, "serve: --mllp-tls-cert needs --mllp HOST:PORT");
    if ((backups.dir == NULL) != (backups.every_ms == 0))
        return serve_fail(SW_EUSAGE, "serve: --backup-dir and --backup-every go "
                        "together: where to back up and how often");
    if (backups.dir == NULL && (backups.keep || backups.key_file
                                || backups.max_age_ms))
        return serve_fail(SW_EUSAGE, "serve: --backup-keep, --backup-key and "
                        "--backup-max-age need --backup-dir and --backup-every");
    if (read_only && (mllp || backups.dir || training_db || training_reset))
        return serve_fail(SW_EUSAGE, "serve: --read-only serves a downtime copy "
                        "alone: no --mllp, --backup-dir, --training-db or "
                        "--training-reset-at");
    if (training_reset && no_training)
        return serve_fail(SW_EUSAGE, "serve: --training-reset-at resets the training "
                        "environment, which --no-training does not serve");
    if ((tls_cert == NULL) != (tls_key == NULL))
        return serve_fail(SW_EUSAGE, "serve: --tls-cert and --tls-key go "
                        "together: give the certificate and its private key");
    serve_options so = {
        .db_url = cli_db_url(db),
        .host = host,
        .port = port,
        .threads = (int)threads,
        .request_timeout_s = (int)timeout,
        .idle_timeout_s = (int)idle,
        .session_idle_s = session_idle,
        .session_max_s = session_max,
        .lockout_s = lockout,
        .tls_cert_path = tls_cert,
        .tls_key_path = tls_key,
        .trusted_proxies = proxies,
        .ntrusted_proxies = nproxies,
        .web_dir = web,
        .courses_dir = courses,
        .mllp_host = mllp ? mllp_host : NULL,
        .mllp_port = mllp_port,
        .mllp_tls_cert_path = mllp_cert,
        .mllp_tls_key_path = mllp_key,
        .training_db_url = training_db,
        .db_replica_url = db_replica,
        .no_deliver = no_deliver,
        .no_training = no_training,
        .training_reset = training_reset,
        .training_reset_minute = training_reset_minute,
        .metrics_token = metrics_token,
        .log_json = log_json,
        .backups = backups,
        .read_only = read_only,
    };
    sw_err err;
    int rc = server_run(&so, &err);
    return rc == SW_OK ? 0 : cli_fail_err(&err);
}

/* The --config value on the command line, else $STAGEWISE_CONFIG, else NULL. */
static const char *config_path(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    if (path == NULL && (path = getenv("STAGEWISE_CONFIG")) != NULL
        && *path == '\0')
        path = NULL;
    return path;
}

/* With a configuration file its entries go before the command line's own
 * options, so that those override it; each entry is first checked alone so
 * that a bad value is reported with its file and line. */
static int run(int argc, char **argv)
{
    const char *path = config_path(argc, argv);
    if (path == NULL)
        return parse_and_serve(argc, argv, false);
    static const char *const joined[] = { "trust-proxy", NULL };
    static const char *const refused[] = { "config", NULL };
    static cli_config cfg;
    sw_err err;
    if (cli_config_load(path, opts, joined, refused, &cfg, &err) != SW_OK)
        return serve_fail(SW_EUSAGE, "serve: %s", sw_err_text(&err));
    int rc = 0;
    for (int i = 0; i < cfg.n && rc == 0; i++) {
        cli_config_entry *e = &cfg.entries[i];
        char *one[] = { argv[0], e->option, e->value, NULL };
        snprintf(config_where, sizeof config_where, " (key '%s' at %s:%d)",
                 e->option + 2, cfg.path, e->line);
        rc = parse_and_serve(e->value ? 3 : 2, one, true);
    }
    config_where[0] = '\0';
    char **all = NULL;
    if (rc == 0 && (all = calloc((size_t)(2 * cfg.n + argc + 1), sizeof *all)) == NULL)
        rc = serve_fail(SW_ENOMEM, "serve: out of memory reading %s", path);
    if (rc == 0) {
        int n = 0;
        all[n++] = argv[0];
        for (int i = 0; i < cfg.n; i++) {
            all[n++] = cfg.entries[i].option;
            if (cfg.entries[i].value != NULL)
                all[n++] = cfg.entries[i].value;
        }
        for (int i = 1; i < argc; i++)
            all[n++] = argv[i];
        rc = parse_and_serve(n, all, false);
    }
    free(all);
    cli_config_free(&cfg);
    return rc;
}

const cli_command cli_serve = {
    .name = "serve",
    .summary = "serve the web app, /api and /fhir over HTTP or HTTPS",
    .usage = usage,
    .run = run,
};
