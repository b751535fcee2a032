/* cmd_interface_queue.c - `stagewise interface queue`: the outbound queue
 * to the practice-management system at the command line (src/hl7/outbox.h,
 * docs/commands/interface.md "queue"): every message with its status,
 * attempts and the reason it is in the work queue, and --resend SEQ to
 * rebuild a rejected or invalid message from the current records once the
 * cause is fixed. It lists patient ids, never names. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cmd_interface.h"
#include "core/arena.h"
#include "core/clock.h"
#include "hl7/outbox.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise interface queue [--db URL] [--practice N] [--status S]\n"
    "       stagewise interface queue [--db URL] [--practice N] --resend SEQ\n"
    "\n"
    "Lists the messages queued for the practice-management system, newest\n"
    "first: sequence number, control id (MSH-10), kind, status, attempts,\n"
    "when it was queued, the patient id, and the reason of a rejected or\n"
    "invalid one. --resend rebuilds a rejected or invalid message from the\n"
    "current records (after the code or NPI was fixed) as a new message\n"
    "with a new control id.\n"
    "\n"
    "  --db URL       the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N   the practice (default 1)\n"
    "  --status S     only pending, acked, rejected, invalid or resent\n"
    "  --resend SEQ   resend message SEQ\n";

struct options {
    const char *db;
    long        practice;
    const char *status;
    long        resend;     /* 0: list */
};

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "status", required_argument, NULL, 's' },
        { "resend", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->practice = 1;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'p':
            if ((rc = cli_parse_practice("interface queue", optarg,
                                         &o->practice)) != 0)
                return rc;
            break;
        case 's':
            if (!hl7_outbox_status_known(optarg))
                return cli_fail(SW_EUSAGE, "interface queue: --status must be "
                                "pending, acked, rejected, invalid or resent");
            o->status = optarg;
            break;
        case 'r':
            if (cli_parse_int(optarg, 1, 0x7fffffffffffL, &o->resend) != SW_OK)
                return cli_fail(SW_EUSAGE, "interface queue: --resend takes a "
                                "message's sequence number (SEQ in the list)");
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: return cli_bad_option("interface queue", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "interface queue: unexpected argument '%s'; "
                        "see 'stagewise interface --help'", argv[optind]);
    if (o->resend && o->status)
        return cli_fail(SW_EUSAGE, "interface queue: --resend and --status do "
                        "not go together");
    return 0;
}

struct list_ctx {
    sw_arena          *a;
    int64_t            practice_id;
    hl7_outbox_filter  filter;
    hl7_outbox_row    *rows;
    size_t             n;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    return hl7_outbox_list(tx, c->a, c->practice_id, &c->filter, &c->rows, &c->n);
}

static void print_rows(const struct list_ctx *c)
{
    printf("%-6s  %-20s  %-6s  %-8s  %8s  %-20s  %-36s  %s\n", "SEQ",
           "CONTROL ID", "KIND", "STATUS", "ATTEMPTS", "QUEUED", "PATIENT",
           "REASON");
    for (size_t i = 0; i < c->n; i++) {
        const hl7_outbox_row *r = &c->rows[i];
        char when[SW_TIME_ISO_MAX];
        sw_time_iso(r->created_at, when);
        when[19] = 'Z';
        when[20] = '\0';
        printf("%-6" PRId64 "  %-20s  %-6s  %-8s  %8" PRId64 "  %-20s  %-36s  %s\n",
               r->seq, r->control_id, r->kind, r->status, r->attempts, when,
               r->patient_id, r->last_error[0] ? r->last_error : "-");
    }
    printf("\n%zu message%s.\n", c->n, c->n == 1 ? "" : "s");
}

struct resend_ctx {
    sw_arena      *a;
    int64_t        practice_id, seq;
    hl7_outbox_row row;
};

static int resend_fn(store_tx *tx, void *arg)
{
    struct resend_ctx *c = arg;
    hl7_outbox_row old;
    int64_t made = 0;
    int rc = hl7_outbox_get(tx, c->a, c->practice_id, c->seq, &old);
    if (rc == SW_OK)
        rc = hl7_outbox_resend(tx, c->practice_id, c->seq, sw_now_wall_ms(), &made);
    if (rc == SW_OK)
        rc = hl7_outbox_get(tx, c->a, c->practice_id, made, &c->row);
    if (rc == SW_OK) {
        audit_who who;
        audit_cli_who(&who, c->practice_id);
        char detail[64];
        snprintf(detail, sizeof detail, "message %" PRId64 " as %" PRId64,
                 c->seq, made);
        audit_entry e = { .who = &who, .action = AUDIT_UPDATE,
                          .feature = "charge_capture.resend",
                          .patient_id = old.patient_id, .res_type = "",
                          .res_id = "", .outcome = AUDIT_SUCCESS,
                          .detail = detail };
        rc = audit_append(tx, &e);
    }
    return rc;
}

static int run(sw_store *s, const struct options *o, sw_arena *a)
{
    sw_err err;
    if (o->resend) {
        struct resend_ctx c = { .a = a, .practice_id = o->practice,
                                .seq = o->resend };
        int rc = store_write(s, resend_fn, &c, &err);
        if (rc != SW_OK)
            return cli_fail(rc, "interface queue: %s", sw_err_text(&err));
        printf("Message %ld is queued again as %" PRId64 " (control id %s): %s%s%s\n",
               o->resend, c.row.seq, c.row.control_id, c.row.status,
               c.row.last_error[0] ? ": " : "", c.row.last_error);
        return 0;
    }
    struct list_ctx c = { .a = a, .practice_id = o->practice,
                          .filter = { .status = o->status } };
    int rc = store_read(s, list_fn, &c, &err);
    if (rc != SW_OK)
        return cli_fail(rc, "interface queue: %s", sw_err_text(&err));
    print_rows(&c);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_fail(SW_EIO, "interface queue: could not write the list to "
                        "standard output");
    return 0;
}

int cli_interface_queue(int argc, char **argv)
{
    struct options o;
    int status = parse(argc, argv, &o);
    if (status != 0)
        return status < 0 ? 0 : status;
    sw_store *s;
    if ((status = cli_open_store(o.db, 1, &s)) != 0)
        return status;
    sw_arena *a = sw_arena_create(256u << 20);
    status = a ? run(s, &o, a) : cli_fail(SW_ENOMEM, "interface queue: out of memory");
    sw_arena_destroy(a);
    store_close(s);
    return status;
}
