/* cmd_superusers.c - `stagewise superusers list|add|remove`: the super-user
 * roster at the command line (docs/commands/superusers.md,
 * docs/training.md "Super-users"), for the implementation lead setting up
 * a practice before anyone signs in. Changes are audited as the operator
 * (cli:<login>) like every other command that writes; a running server
 * enforces them within a second (its rollout cache re-reads the roster's
 * signature). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "rollout/catalog.h"
#include "store/store.h"
#include "training/superusers.h"

static const char usage[] =
    "Usage: stagewise superusers list [MODULE] [--db URL] [--practice N]\n"
    "       stagewise superusers add MODULE USER [--db URL] [--practice N]\n"
    "       stagewise superusers remove MODULE USER [--db URL] [--practice N]\n"
    "\n"
    "The super-users of each module: colleagues trained deeply who help the\n"
    "rest. They have their module live before their cohort (pilot), appear\n"
    "in the \"who can help?\" directory and receive the module's help\n"
    "requests. MODULE is a module id ('stagewise modules' lists them), USER\n"
    "a username.\n"
    "\n"
    "  --db URL        the database (default $STAGEWISE_DB or\n"
    "                  sqlite:stagewise.db)\n"
    "  --practice N    the practice (default 1)\n"
    "\n"
    "Changes are recorded in the audit trail with you as cli:<login>.\n";

static int run_list(sw_store *s, long practice, const char *module)
{
    sw_arena *a = sw_arena_create(256 * 1024);
    superuser_row *rows = NULL;
    size_t n = 0;
    sw_err err;
    int rc = a ? superuser_list(s, a, practice, module, &rows, &n, &err)
               : sw_err_set(&err, SW_ENOMEM, NULL);
    if (rc != SW_OK) {
        sw_arena_destroy(a);
        return cli_fail_err(&err);
    }
    if (n == 0)
        printf("No super-users%s%s yet: add one with 'stagewise superusers "
               "add MODULE USER'.\n", module ? " of " : "", module ? module : "");
    else
        printf("%-16s  %-24s  %s\n", "MODULE", "USERNAME", "NAME");
    for (size_t i = 0; i < n; i++)
        printf("%-16s  %-24s  %s\n", rows[i].module, rows[i].username,
               rows[i].display_name);
    sw_arena_destroy(a);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_fail(SW_EIO, "superusers: could not write the roster to "
                        "standard output");
    return 0;
}

static int run_change(sw_store *s, long practice, bool add, const char *module,
                      const char *username)
{
    audit_who who;
    audit_cli_who(&who, practice);
    sw_err err;
    bool added = false;
    int rc = add ? superuser_add(s, &who, module, username, &added, &err)
                 : superuser_remove(s, &who, module, username, &err);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    if (!add)
        printf("%s is no longer a super-user of %s.\n", username, module);
    else if (added)
        printf("%s is now a super-user of %s: it is live for them before "
               "their cohort.\n", username, module);
    else
        printf("%s already was a super-user of %s.\n", username, module);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cli_fail(SW_EUSAGE, "superusers: name a subcommand (list, add, "
                        "remove); see 'stagewise superusers --help'");
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { 0, 0, 0, 0 },
    };
    const char *sub = argv[1], *db = NULL;
    long practice = 1;
    /* Options come after the subcommand, which getopt sees as its name. */
    argc--;
    argv++;
    opterr = 0;
    optind = 1;
    int c, status;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p':
            if ((status = cli_parse_practice("superusers", optarg, &practice)) != 0)
                return status;
            break;
        default: return cli_bad_option("superusers", argc, argv);
        }
    }
    char **pos = argv + optind;
    int npos = argc - optind;
    bool list = strcmp(sub, "list") == 0, add = strcmp(sub, "add") == 0;
    if (!list && !add && strcmp(sub, "remove") != 0)
        return cli_fail(SW_EUSAGE, "superusers: unknown subcommand '%s'; it is "
                        "list, add or remove", sub);
    if (list ? npos > 1 : npos != 2)
        return cli_fail(SW_EUSAGE, "superusers %s: %s; see 'stagewise "
                        "superusers --help'", sub, list ? "takes at most a "
                        "module id" : "name a module id and a username");
    if (npos >= 1 && !catalog_is_module(pos[0]))
        return cli_fail(SW_EUSAGE, "superusers %s: '%s' is not a module id; "
                        "'stagewise modules' lists them", sub, pos[0]);
    sw_store *s;
    status = cli_open_store(db, 1, &s);
    if (status != 0)
        return status;
    status = list ? run_list(s, practice, npos ? pos[0] : NULL)
                  : run_change(s, practice, add, pos[0], pos[1]);
    store_close(s);
    return status;
}

const cli_command cli_superusers = {
    .name = "superusers",
    .summary = "list, add and remove the super-users of each module",
    .usage = usage,
    .run = run,
};
