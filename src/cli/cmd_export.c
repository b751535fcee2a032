/* cmd_export.c - `stagewise export [--type T]… DIR`: the practice's current
 * resources as NDJSON, one file per type (src/fhir/export.h). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "fhir/export.h"
#include "store/store.h"

#define MAX_TYPES 64

static const char usage[] =
    "Usage: stagewise export [--db URL] [--practice N] [--type TYPE]... DIR\n"
    "\n"
    "Writes the current (not deleted) resources of the practice to DIR, one\n"
    "NDJSON file per resource type (DIR/Patient.ndjson, ...), each resource\n"
    "on one line exactly as stored. DIR is created if needed.\n"
    "\n"
    "  --db URL        the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N    the practice to export (default 1)\n"
    "  --type TYPE     only this resource type (repeatable; default: all)\n";

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "type", required_argument, NULL, 't' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL;
    const char *types[MAX_TYPES];
    size_t ntypes = 0;
    long practice = 1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p':
            if (cli_parse_int(optarg, 1, 0x7fffffffL, &practice) != SW_OK)
                return cli_fail(SW_EUSAGE, "export: --practice must be a practice number");
            break;
        case 't':
            if (ntypes == MAX_TYPES)
                return cli_fail(SW_EUSAGE, "export: at most %d --type options", MAX_TYPES);
            types[ntypes++] = optarg;
            break;
        default: return cli_bad_option("export", argc, argv);
        }
    }
    if (optind != argc - 1)
        return cli_fail(SW_EUSAGE, "export: name one directory to write to; see "
                        "'stagewise export --help'");
    sw_err err;
    sw_store *s;
    int status = cli_open_store(db, 1, &s);
    if (status != 0)
        return status;
    int64_t total = 0;
    audit_who who;
    audit_cli_who(&who, practice);
    int rc = fhir_export_audit(s, practice, types, ntypes, &who,
                               "bulk export to NDJSON files", NULL, &err);
    if (rc != SW_OK) {
        store_close(s);
        return cli_fail_err(&err);
    }
    rc = fhir_export(s, practice, types, ntypes, argv[optind], NULL, NULL,
                         &total, &err);
    store_close(s);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    printf("Exported %lld resources to %s.\n", (long long)total, argv[optind]);
    return 0;
}

const cli_command cli_export = {
    .name = "export",
    .summary = "write the practice's resources as NDJSON files",
    .usage = usage,
    .run = run,
};
