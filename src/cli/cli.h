/* cli.h - the command line: one table row and one file per subcommand.
 *
 * `stagewise COMMAND [options]`. Each command parses its own options and
 * returns an exit status: 0 ok, 1 runtime failure, 2 usage error. Errors go
 * to stderr as one sentence prefixed with "stagewise: " naming what was
 * wrong and what to do. */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stddef.h>

#include "core/errors.h"

typedef struct cli_command {
    const char *name;
    const char *summary;     /* one line for `stagewise --help` */
    const char *usage;       /* the whole text of `stagewise NAME --help` */
    int (*run)(int argc, char **argv);
} cli_command;

int cli_main(int argc, char **argv);

/* The database URL: the --db value, else $STAGEWISE_DB, else
 * sqlite:stagewise.db. */
const char *cli_db_url(const char *flag);
/* Prints "stagewise: MESSAGE" and returns the exit status for code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail_err(const sw_err *err);
/* Opens the database of a command that works on an initialized one: the
 * URL from cli_db_url(flag), its schema checked. Returns 0, or the exit
 * status after printing why. */
struct sw_store;
int cli_open_store(const char *flag, int connections, struct sw_store **out);
/* Reports an option getopt did not accept and returns 2. */
int cli_bad_option(const char *command, int argc, char **argv);
/* Parses HOST:PORT or [IPV6]:PORT. */
int cli_parse_listen(const char *s, char *host, size_t host_cap, int *port);
/* Parses a whole number in [min, max]. */
int cli_parse_int(const char *s, long min, long max, long *out);
/* Parses the value of --practice (a practice number, 1 or more) for
 * command; 0, or the exit status after saying what it must be. */
int cli_parse_practice(const char *command, const char *s, long *out);

extern const cli_command cli_serve;
extern const cli_command cli_init;
extern const cli_command cli_import;
extern const cli_command cli_export;
extern const cli_command cli_audit;
extern const cli_command cli_user;
extern const cli_command cli_plan;
extern const cli_command cli_modules;
extern const cli_command cli_interface;
extern const cli_command cli_pms_sim;
extern const cli_command cli_superusers;
extern const cli_command cli_training;
extern const cli_command cli_adoption;
extern const cli_command cli_backup;
extern const cli_command cli_restore;
extern const cli_command cli_downtime_check;

#endif
