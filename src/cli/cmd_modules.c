/* cmd_modules.c - `stagewise modules [--json]`: the module catalog a plan
 * stages (src/rollout/catalog.c, docs/commands/modules.md), for the
 * implementation lead drafting a plan. It reads no database: the catalog
 * is data in the program, so it answers the same before `init` as after.
 * --json prints the shape of GET /api/modules without "live", which
 * depends on a signed-in user. */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollout/catalog.h"
#include "rollout/catalog_json.h"

static const char usage[] =
    "Usage: stagewise modules [--json]\n"
    "\n"
    "Prints the module catalog: the functions of the EHR that a practice\n"
    "turns on stage by stage, what each needs live first, and what it goes\n"
    "with (splitting those across stages leaves a half-paper workflow).\n"
    "\n"
    "  --json   the whole catalog as JSON: descriptions, the half-paper\n"
    "           workflow of each coupling, training course, core features,\n"
    "           FHIR resource types and /api routes of each module\n";

/* The bytes of one cell of the table, ample for its short lists of ids. */
#define CELL_MAX 160

static void join_needs(const catalog_module *m, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < CATALOG_MAX_LINKS && m->needs[i]; i++)
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s",
                                i ? ", " : "", m->needs[i]);
    if (m->needs_gate && len < cap)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "; " : "",
                                m->needs_gate);
    if (len == 0)
        snprintf(out, cap, "-");
}

static void join_goes_with(const catalog_module *m, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < CATALOG_MAX_LINKS && m->goes_with[i].module; i++)
        len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s",
                                i ? ", " : "", m->goes_with[i].module);
    if (len == 0)
        snprintf(out, cap, "-");
}

static int print_table(void)
{
    size_t n;
    const catalog_module *m = catalog_modules(&n);
    int wid = (int)strlen("MODULE"), wtitle = (int)strlen("TITLE");
    int wneeds = (int)strlen("NEEDS LIVE FIRST");
    char cell[CELL_MAX];
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(m[i].id), t = (int)strlen(m[i].title);
        wid = l > wid ? l : wid;
        wtitle = t > wtitle ? t : wtitle;
        join_needs(&m[i], cell, sizeof cell);
        l = (int)strlen(cell);
        wneeds = l > wneeds ? l : wneeds;
    }
    printf("%-*s  %-*s  %-*s  %s\n", wid, "MODULE", wtitle, "TITLE", wneeds,
           "NEEDS LIVE FIRST", "GOES WITH");
    for (size_t i = 0; i < n; i++) {
        char goes[CELL_MAX];
        join_needs(&m[i], cell, sizeof cell);
        join_goes_with(&m[i], goes, sizeof goes);
        printf("%-*s  %-*s  %-*s  %s\n", wid, m[i].id, wtitle, m[i].title,
               wneeds, cell, goes);
    }
    printf("\n%zu modules. 'stagewise modules --json' adds what each governs "
           "and the\nhalf-paper workflow of each coupling.\n", n);
    return 0;
}

static int print_json(void)
{
    json_t *doc = catalog_json();
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (text == NULL)
        return cli_fail(SW_ENOMEM, "modules: out of memory writing the catalog");
    puts(text);
    free(text);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { 0, 0, 0, 0 },
    };
    bool json = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        default: return cli_bad_option("modules", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "modules: unexpected argument '%s'; see "
                        "'stagewise modules --help'", argv[optind]);
    int status = json ? print_json() : print_table();
    /* A closed pipe or a full disk is a failure, not a silent success. */
    if (status == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        return cli_fail(SW_EIO, "modules: could not write the catalog to "
                        "standard output");
    return status;
}

const cli_command cli_modules = {
    .name = "modules",
    .summary = "list the modules a plan stages, their prerequisites and couplings",
    .usage = usage,
    .run = run,
};
