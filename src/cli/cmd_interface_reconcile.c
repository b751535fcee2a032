/* cmd_interface_reconcile.c - `stagewise interface reconcile`: the
 * interface's reconciliation report at the command line (src/hl7/
 * reconcile.h, docs/commands/interface.md): visits signed ↔ charges
 * created ↔ queued ↔ acknowledged by the practice-management system, per
 * day and in total, each discrepancy, and the interface's alerts.
 *
 * Meant for cron as much as for people: the exit status is 0 when the
 * range has no discrepancy and the interface no alert, 1 otherwise (or
 * when the report could not be made), 2 for a usage error. Patients are
 * shown by id; their names (PHI) only with --names, which is then audited
 * as a read by the operator (cli:<login>), like every other command that
 * shows patient data. */
#include "cli.h"
#include "cmd_interface.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/limits.h"
#include "hl7/reconcile.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise interface reconcile [--db URL] [--practice N]\n"
    "         [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]\n"
    "         [--alert-after MINUTES] [--json] [--names]\n"
    "\n"
    "Compares the visits signed in the range (UTC days; default today) with\n"
    "the charges they created, the charges queued for the practice-management\n"
    "system and those it acknowledged. Prints the totals, one line per day,\n"
    "each discrepancy and the interface's alerts.\n"
    "\n"
    "  --db URL              the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N          the practice (default 1)\n"
    "  --date D              one day\n"
    "  --from D --to D       a range of up to 92 days\n"
    "  --alert-after MINUTES alert on a charge unacknowledged, or the PMS\n"
    "                        unreachable, this long (default 15)\n"
    "  --json                the report as GET /api/interface/reconcile answers it\n"
    "  --names               show patients' names (PHI; the read is audited);\n"
    "                        otherwise patients are shown by id\n"
    "\n"
    "Exit status: 0 no discrepancy and no alert; 1 discrepancies or alerts\n"
    "(or the report could not be made); 2 usage error.\n";

struct options {
    const char *db;
    long        practice;
    const char *date, *from, *to;
    long        alert_after;
    bool        json, names;
};

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "date", required_argument, NULL, 'D' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "alert-after", required_argument, NULL, 'a' },
        { "json", no_argument, NULL, 'j' },
        { "names", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->practice = 1;
    o->alert_after = SW_HL7_ALERT_AFTER_MS / 60000;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'p':
            if ((rc = cli_parse_practice("interface reconcile", optarg,
                                         &o->practice)) != 0)
                return rc;
            break;
        case 'D': o->date = optarg; break;
        case 'f': o->from = optarg; break;
        case 't': o->to = optarg; break;
        case 'a':
            if (cli_parse_int(optarg, 1, 7 * 24 * 60, &o->alert_after) != SW_OK)
                return cli_fail(SW_EUSAGE, "interface reconcile: --alert-after "
                                "must be a whole number of minutes from 1 to %d",
                                7 * 24 * 60);
            break;
        case 'j': o->json = true; break;
        case 'n': o->names = true; break;
        case 'h': fputs(usage, stdout); return -1;
        default: return cli_bad_option("interface reconcile", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "interface reconcile: unexpected argument "
                        "'%s'; see 'stagewise interface reconcile --help'",
                        argv[optind]);
    return 0;
}

/* The range from the options into q; 0 or the exit status. */
static int range(const struct options *o, hl7_rec_query *q)
{
    if (o->date && (o->from || o->to))
        return cli_fail(SW_EUSAGE, "interface reconcile: give either --date or "
                        "--from and --to, not both");
    if (o->date) {
        if (!hl7_rec_parse_day(o->date, &q->from_day))
            return cli_fail(SW_EUSAGE, "interface reconcile: --date must be a "
                            "date, such as 2026-11-25");
        q->to_day = q->from_day;
        return 0;
    }
    if (!o->from && !o->to) {
        q->from_day = q->to_day = q->now_ms / (24LL * 3600 * 1000);
        return 0;
    }
    if (!o->from || !o->to)
        return cli_fail(SW_EUSAGE, "interface reconcile: --%s is missing: a range "
                        "needs both --from and --to", o->from ? "to" : "from");
    if (!hl7_rec_parse_day(o->from, &q->from_day))
        return cli_fail(SW_EUSAGE, "interface reconcile: --from must be a date, "
                        "such as 2026-11-25");
    if (!hl7_rec_parse_day(o->to, &q->to_day))
        return cli_fail(SW_EUSAGE, "interface reconcile: --to must be a date, "
                        "such as 2026-11-25");
    if (q->to_day < q->from_day)
        return cli_fail(SW_EUSAGE, "interface reconcile: --to must not be before "
                        "--from");
    if (q->to_day - q->from_day + 1 > HL7_RECONCILE_MAX_DAYS)
        return cli_fail(SW_EUSAGE, "interface reconcile: a report covers at most "
                        "%d days; --to is too far after --from",
                        HL7_RECONCILE_MAX_DAYS);
    return 0;
}

/* With names: the report and one audit entry per visit shown, together. */
struct named {
    const hl7_rec_query *q;
    hl7_rec_report      *r;
};

static int named_fn(store_tx *tx, void *arg)
{
    struct named *c = arg;
    hl7_reconcile_free(c->r);
    c->r = NULL;
    int rc = hl7_reconcile_tx(tx, c->q, &c->r);
    audit_who who;
    audit_cli_who(&who, c->q->practice_id);
    for (size_t i = 0; rc == SW_OK && i < c->r->nvisits; i++) {
        const hl7_rec_visit *v = &c->r->visits[i];
        audit_entry e = {
            .who = &who, .action = AUDIT_READ, .feature = "charge_capture.reconcile",
            .patient_id = v->patient_id, .res_type = "Encounter",
            .res_id = v->encounter_id, .outcome = AUDIT_SUCCESS,
            .detail = "reconciliation",
        };
        rc = audit_append(tx, &e);
    }
    return rc;
}

static void print_totals(const char *lead, const hl7_rec_totals *t)
{
    printf("%s%" PRId64 " visit%s signed, %" PRId64 " charge%s created, %" PRId64
           " queued, %" PRId64 " acknowledged, %" PRId64 " pending, %" PRId64
           " rejected, %" PRId64 " invalid, %" PRId64 " never queued\n", lead,
           t->visits, t->visits == 1 ? "" : "s", t->charges,
           t->charges == 1 ? "" : "s", t->queued, t->acked, t->pending,
           t->rejected, t->invalid, t->not_queued);
}

static const hl7_rec_visit *visit_of(const hl7_rec_report *r, const char *encounter)
{
    for (size_t i = 0; encounter && i < r->nvisits; i++)
        if (strcmp(r->visits[i].encounter_id, encounter) == 0)
            return &r->visits[i];
    return NULL;
}

static void print_text(const hl7_rec_report *r)
{
    char from[11], to[11];
    hl7_rec_format_day(r->query.from_day, from);
    hl7_rec_format_day(r->query.to_day, to);
    if (r->query.from_day == r->query.to_day)
        printf("Interface reconciliation for %s (UTC), practice %" PRId64 "\n",
               from, r->query.practice_id);
    else
        printf("Interface reconciliation from %s to %s (UTC), practice %" PRId64
               "\n", from, to, r->query.practice_id);
    print_totals("Total: ", &r->totals);
    if (r->ndays > 1)
        for (size_t i = 0; i < r->ndays; i++) {
            char day[11], lead[16];
            hl7_rec_format_day(r->days[i].day, day);
            snprintf(lead, sizeof lead, "%s: ", day);
            print_totals(lead, &r->days[i].totals);
        }
    if (r->ndiscrepancies == 0)
        printf("No discrepancies.\n");
    else
        printf("%zu discrepanc%s:\n", r->ndiscrepancies,
               r->ndiscrepancies == 1 ? "y" : "ies");
    for (size_t i = 0; i < r->ndiscrepancies; i++) {
        const hl7_rec_issue *d = &r->discrepancies[i];
        const hl7_rec_visit *v = visit_of(r, d->encounter_id);
        const char *who = v == NULL ? "" : v->patient_name && v->patient_name[0]
                        ? v->patient_name : v->patient_id;
        printf("  %-12s patient %s: %s\n", d->kind, who[0] ? who : "?", d->text);
    }
    for (size_t i = 0; i < r->nalerts; i++)
        printf("ALERT %s: %s\n", r->alerts[i].kind, r->alerts[i].text);
}

int cli_interface_reconcile(int argc, char **argv)
{
    struct options o;
    int status = parse(argc, argv, &o);
    if (status != 0)
        return status < 0 ? 0 : status;
    hl7_rec_query q = { .practice_id = o.practice, .now_ms = sw_now_wall_ms(),
                        .alert_after_ms = (int64_t)o.alert_after * 60000,
                        .names = o.names };
    if ((status = range(&o, &q)) != 0)
        return status;
    sw_store *s;
    if ((status = cli_open_store(o.db, 1, &s)) != 0)
        return status;
    sw_err err;
    hl7_rec_report *r = NULL;
    int rc;
    if (o.names) {
        struct named c = { &q, NULL };
        rc = store_write(s, named_fn, &c, &err);
        r = c.r;
        if (rc != SW_OK) {
            hl7_reconcile_free(r);
            r = NULL;
        }
    } else {
        rc = hl7_reconcile(s, &q, &r, &err);
    }
    store_close(s);
    if (rc != SW_OK)
        return cli_fail_err(&err);
    if (o.json) {
        json_t *doc = hl7_reconcile_json(r);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        if (text == NULL) {
            hl7_reconcile_free(r);
            return cli_fail(SW_ENOMEM, "interface reconcile: out of memory");
        }
        puts(text);
        free(text);
    } else {
        print_text(r);
    }
    int result = r->ndiscrepancies > 0 || r->nalerts > 0 ? 1 : 0;
    hl7_reconcile_free(r);
    return result;
}
