/* cmd_serve.c - `stagewise serve`: parse options, then run the server. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

#include "core/limits.h"
#include "server/serve.h"

static const char usage[] =
    "Usage: stagewise serve [--db URL] [--listen HOST:PORT] [--threads N]\n"
    "                       [--request-timeout SECONDS] [--idle-timeout SECONDS]\n"
    "\n"
    "Serves the web app, /api and /fhir over HTTP until SIGTERM or SIGINT, then\n"
    "finishes the requests in flight and closes the database cleanly.\n"
    "\n"
    "  --db URL                 sqlite:PATH or postgresql://… (default: $STAGEWISE_DB,\n"
    "                           else sqlite:stagewise.db); run 'stagewise init' first\n"
    "  --listen HOST:PORT       address to listen on (default 127.0.0.1:8080;\n"
    "                           port 0 picks a free port; [::1]:8080 for IPv6)\n"
    "  --threads N              HTTP worker threads (default 16)\n"
    "  --request-timeout SECONDS  a request must arrive completely within this\n"
    "                           time or it is answered 408 (default 30)\n"
    "  --idle-timeout SECONDS   close a connection that starts no request for\n"
    "                           this long (default 30)\n";

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "listen", required_argument, NULL, 'l' },
        { "threads", required_argument, NULL, 't' },
        { "request-timeout", required_argument, NULL, 'r' },
        { "idle-timeout", required_argument, NULL, 'i' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL;
    char host[256] = "127.0.0.1";
    int port = 8080;
    long threads = SW_HTTP_DEFAULT_THREADS, timeout = SW_HTTP_REQUEST_TIMEOUT_S;
    long idle = SW_HTTP_IDLE_TIMEOUT_S;
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
                return cli_fail(SW_EUSAGE, "serve: --listen '%s' is not HOST:PORT "
                                "(for example 127.0.0.1:8080 or [::1]:8080)", optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, SW_HTTP_MAX_THREADS, &threads) != SW_OK)
                return cli_fail(SW_EUSAGE, "serve: --threads must be a number "
                                "from 1 to %d", SW_HTTP_MAX_THREADS);
            break;
        case 'r':
            if (cli_parse_int(optarg, 1, 3600, &timeout) != SW_OK)
                return cli_fail(SW_EUSAGE, "serve: --request-timeout must be a "
                                "number of seconds from 1 to 3600");
            break;
        case 'i':
            if (cli_parse_int(optarg, 1, 3600, &idle) != SW_OK)
                return cli_fail(SW_EUSAGE, "serve: --idle-timeout must be a "
                                "number of seconds from 1 to 3600");
            break;
        default:
            return cli_bad_option("serve", argc, argv);
        }
    }
    if (optind < argc)
        return cli_fail(SW_EUSAGE, "serve: unexpected argument '%s'; see "
                        "'stagewise serve --help'", argv[optind]);
    serve_options so = {
        .db_url = cli_db_url(db),
        .host = host,
        .port = port,
        .threads = (int)threads,
        .request_timeout_s = (int)timeout,
        .idle_timeout_s = (int)idle,
    };
    sw_err err;
    int rc = server_run(&so, &err);
    return rc == SW_OK ? 0 : cli_fail_err(&err);
}

const cli_command cli_serve = {
    .name = "serve",
    .summary = "serve the web app, /api and /fhir over HTTP",
    .usage = usage,
    .run = run,
};
