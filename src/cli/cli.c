/* cli.c - dispatching `stagewise COMMAND` and what every command shares:
 * the database URL, the error sentence, option parsing helpers.
 * A new command is one file and one row in the table below. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "core/str.h"
#include "store/store.h"

static const cli_command *const commands[] = {
    &cli_init,
    &cli_serve,
    &cli_import,
    &cli_export,
    &cli_audit,
    &cli_user,
    &cli_plan,
    &cli_modules,
    &cli_interface,
    &cli_pms_sim,
    &cli_superusers,
    &cli_training,
    &cli_adoption,
    &cli_backup,
    &cli_restore,
    &cli_downtime_check,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fputs("Usage: stagewise COMMAND [options]\n\n"
          "Stagewise is an EHR server for ambulatory practices that manages its\n"
          "own go-live.\n\nCommands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nRun 'stagewise COMMAND --help' for a command's options.\n"
          "The database is --db URL, else $STAGEWISE_DB, else sqlite:stagewise.db.\n",
          out);
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0
        || strcmp(name, "help") == 0) {
        print_help(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        puts("stagewise " SW_VERSION);
        return 0;
    }
    if (auth_crypto_init() != SW_OK)
        return cli_fail(SW_EINTERNAL, "the cryptography library did not start");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i]->name, name) != 0)
            continue;
        for (int a = 2; a < argc; a++) {
            if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                fputs(commands[i]->usage, stdout);
                return 0;
            }
        }
        return commands[i]->run(argc - 1, argv + 1);
    }
    return cli_fail(SW_EUSAGE, "unknown command '%s'; run 'stagewise --help' "
                    "for the list", name);
}

const char *cli_db_url(const char *flag)
{
    if (flag != NULL)
        return flag;
    const char *env = getenv("STAGEWISE_DB");
    if (env != NULL && env[0] != '\0')
        return env;
    return "sqlite:stagewise.db";
}

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stagewise: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return sw_code_exit_status(code);
}

int cli_fail_err(const sw_err *err)
{
    return cli_fail(err->code, "%s", sw_err_text(err));
}

int cli_open_store(const char *flag, int connections, sw_store **out)
{
    sw_err err;
    /* An operator's export or verify may read for minutes; the read
     * budget protects a server's readers from one request, not this. */
    store_options so = { .create = false, .connections = connections,
                         .read_budget_ms = -1 };
    *out = NULL;
    if (store_open(cli_db_url(flag), &so, out, &err) != SW_OK)
        return cli_fail_err(&err);
    if (store_schema_check(*out, &err) != SW_OK) {
        store_close(*out);
        *out = NULL;
        return cli_fail_err(&err);
    }
    return 0;
}

int cli_bad_option(const char *command, int argc, char **argv)
{
    const char *what = optind - 1 >= 1 && optind - 1 < argc ? argv[optind - 1] : "?";
    return cli_fail(SW_EUSAGE, "%s: '%s' is not an option of this command, or "
                    "lacks its value; see 'stagewise %s --help'", command, what,
                    command);
}

int cli_parse_int(const char *s, long min, long max, long *out)
{
    return sw_str_to_long(sw_str_of(s), min, max, out) ? SW_OK : SW_EUSAGE;
}

int cli_parse_practice(const char *command, const char *s, long *out)
{
    if (cli_parse_int(s, 1, 0x7fffffffL, out) != SW_OK)
        return cli_fail(SW_EUSAGE, "%s: --practice must be a practice number",
                        command);
    return 0;
}

int cli_parse_listen(const char *s, char *host, size_t host_cap, int *port)
{
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return SW_EUSAGE;
        snprintf(host, host_cap, "%.*s", (int)(close - s - 1), s + 1);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
            return SW_EUSAGE;
        snprintf(host, host_cap, "%.*s", (int)(colon - s), s);
    }
    if (host[0] == '\0')
        return SW_EUSAGE;
    long p;
    if (cli_parse_int(colon + 1, 0, 65535, &p) != SW_OK)
        return SW_EUSAGE;
    *port = (int)p;
    return SW_OK;
}
