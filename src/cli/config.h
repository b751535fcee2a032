/* config.h - the configuration file of `stagewise serve --config FILE`
 * (docs/commands/serve.md "Configuration file").
 *
 * One `key = value` per line; blank lines and lines whose first non-blank
 * character is '#' are ignored. Every key is the name of a long option of
 * the command without its "--"; a flag (an option without a value) takes
 * true or false. The file is turned into option entries that the command
 * puts before its own arguments, so the command line overrides the file
 * and every value is checked by the same code as on the command line. */
#ifndef SW_CLI_CONFIG_H
#define SW_CLI_CONFIG_H

#include <getopt.h>
#include <stdbool.h>

#include "core/errors.h"

/* The longest line and the most entries a file may hold. */
#define CLI_CONFIG_MAX_LINE    4096
#define CLI_CONFIG_MAX_ENTRIES 128

typedef struct cli_config_entry {
    char *option;    /* "--key" */
    char *value;     /* NULL for a flag set to true */
    int   line;      /* where the key was (the first line for joined keys) */
} cli_config_entry;

typedef struct cli_config {
    char             path[1024];
    cli_config_entry entries[CLI_CONFIG_MAX_ENTRIES];
    int              n;
} cli_config;

/* Reads path against the options opts (ending with a zero row). A key given
 * twice keeps the later value, except the keys in joined (NULL-terminated,
 * may be NULL) whose values are joined with commas in file order. A key
 * named in refused (e.g. "config") is not accepted. SW_EUSAGE with
 * "PATH:LINE: ..." naming the key for a bad line or unknown key; SW_EIO
 * when the file cannot be read. */
int cli_config_load(const char *path, const struct option *opts,
                    const char *const *joined, const char *const *refused,
                    cli_config *out, sw_err *err);
void cli_config_free(cli_config *c);

#endif
