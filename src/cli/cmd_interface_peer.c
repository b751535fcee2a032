/* cmd_interface_peer.c - `stagewise interface peer`: shows or sets the
 * practice-management system a practice exchanges HL7 v2 with (hl7/peer.h,
 * docs/commands/interface.md): the addresses its connections may come
 * from, where outbound messages go, our MSH-4 facility name and the
 * processing id. A change is written with its audit entry (a permission
 * change: who may send the EHR messages) in one transaction; a running
 * server picks it up within seconds. */
#include "cli.h"
#include "cmd_interface.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "hl7/peer.h"
#include "store/store.h"

struct options {
    const char *db;
    int64_t     practice_id;
    const char *allow, *send_to, *processing_id, *facility;
    bool        show;
};

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "allow", required_argument, NULL, 'a' },
        { "send-to", required_argument, NULL, 's' },
        { "processing-id", required_argument, NULL, 'i' },
        { "facility", required_argument, NULL, 'f' },
        { "show", no_argument, NULL, 'w' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->practice_id = 1;
    opterr = 0;
    optind = 1;
    long v;
    int c, rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'p':
            if ((rc = cli_parse_practice("interface peer", optarg, &v)) != 0)
                return rc;
            o->practice_id = v;
            break;
        case 'a': o->allow = optarg; break;
        case 's': o->send_to = optarg; break;
        case 'i': o->processing_id = optarg; break;
        case 'f': o->facility = optarg; break;
        case 'w': o->show = true; break;
        default: return cli_bad_option("interface peer", argc, argv);
        }
    }
    if (optind != argc)
        return cli_fail(SW_EUSAGE, "interface peer: '%s' is not an option; see "
                        "'stagewise interface --help'", argv[optind]);
    return 0;
}

/* Applies the options to p; 0, or the exit status after saying why. */
static int apply(const struct options *o, hl7_peer *p, char *changed, size_t cap)
{
    sw_err err;
    size_t n = 0;
    changed[0] = '\0';
#define CHANGED(name) n += (size_t)snprintf(changed + n, cap - n, "%s" name, n ? "," : "")
    if (o->allow) {
        if (hl7_peer_parse_addresses(p, o->allow, &err) != SW_OK)
            return cli_fail(SW_EUSAGE, "interface peer: --allow: %s", err.msg);
        CHANGED("allow");
    }
    if (o->send_to) {
        if (strcmp(o->send_to, "none") == 0) {
            p->send_host[0] = '\0';
            p->send_port = 0;
        } else if (cli_parse_listen(o->send_to, p->send_host, sizeof p->send_host,
                                    &p->send_port) != SW_OK || p->send_port == 0) {
            return cli_fail(SW_EUSAGE, "interface peer: --send-to must be "
                            "HOST:PORT (or [IPV6]:PORT) with a port from 1, or "
                            "'none'");
        }
        CHANGED("send-to");
    }
    if (o->processing_id) {
        if (strcmp(o->processing_id, "P") != 0 && strcmp(o->processing_id, "T") != 0)
            return cli_fail(SW_EUSAGE, "interface peer: --processing-id is P "
                            "(production) or T (test)");
        snprintf(p->processing_id, sizeof p->processing_id, "%s", o->processing_id);
        CHANGED("processing-id");
    }
    if (o->facility) {
        size_t len = strlen(o->facility);
        if (len >= sizeof p->facility || strpbrk(o->facility, "|^~\\&\r\n"))
            return cli_fail(SW_EUSAGE, "interface peer: --facility is at most "
                            "%zu characters without any of | ^ ~ \\ &",
                            sizeof p->facility - 1);
        snprintf(p->facility, sizeof p->facility, "%s", o->facility);
        CHANGED("facility");
    }
#undef CHANGED
    return 0;
}

struct change {
    const struct options *o;
    hl7_peer              peer;
    char                  changed[80];
    bool                  found;
    int                   status;    /* a usage error found inside */
};

static int practice_exists(store_tx *tx, int64_t id, bool *yes)
{
    int64_t n = 0;
    int rc = store_query_int64(tx, &n, "SELECT COUNT(*) FROM practice WHERE "
                               "practice_id = ?", "i", id);
    *yes = n > 0;
    return rc;
}

static int change_fn(store_tx *tx, void *arg)
{
    struct change *c = arg;
    bool exists;
    int rc = practice_exists(tx, c->o->practice_id, &exists);
    if (rc != SW_OK)
        return rc;
    if (!exists)
        return store_tx_fail(tx, SW_ENOTFOUND, "there is no practice %" PRId64,
                             c->o->practice_id);
    memset(&c->peer, 0, sizeof c->peer);
    rc = hl7_peer_load(tx, c->o->practice_id, &c->peer);
    c->found = rc == SW_OK;
    if (rc == SW_ENOTFOUND) {
        c->peer.practice_id = c->o->practice_id;
        snprintf(c->peer.processing_id, sizeof c->peer.processing_id, "P");
    } else if (rc != SW_OK) {
        return rc;
    }
    if (!(c->o->allow || c->o->send_to || c->o->processing_id || c->o->facility))
        return SW_OK;
    if ((c->status = apply(c->o, &c->peer, c->changed, sizeof c->changed)) != 0)
        return store_tx_fail(tx, SW_EUSAGE, "the options were refused");
    c->peer.updated_at = sw_now_wall_ms();
    if ((rc = hl7_peer_save(tx, &c->peer)) != SW_OK)
        return rc;
    audit_who who;
    audit_cli_who(&who, c->o->practice_id);
    char detail[120];
    snprintf(detail, sizeof detail, "set %s", c->changed);
    audit_entry e = { .who = &who, .action = AUDIT_ACCESS_CHANGE,
                      .feature = "interface.peer", .patient_id = "",
                      .res_type = "", .res_id = "", .outcome = AUDIT_SUCCESS,
                      .detail = detail };
    return audit_append(tx, &e);
}

static void print_peer(const struct change *c)
{
    const hl7_peer *p = &c->peer;
    if (!c->found && !c->changed[0]) {
        printf("Practice %" PRId64 " has no PMS peer yet: no HL7 v2 connection "
               "is accepted for it. Set one with 'stagewise interface peer "
               "--allow ADDRESS'.\n", p->practice_id);
        return;
    }
    printf("practice       %" PRId64 "\n", p->practice_id);
    printf("allow          ");
    for (int i = 0; i < p->naddresses; i++)
        printf("%s%s", i ? "," : "", p->addresses[i]);
    printf("%s\n", p->naddresses ? "" : "(none: no connection is accepted)");
    if (p->send_host[0])
        printf("send-to        %s%s%s:%d\n", strchr(p->send_host, ':') ? "[" : "",
               p->send_host, strchr(p->send_host, ':') ? "]" : "", p->send_port);
    else
        printf("send-to        (none: nothing is sent)\n");
    printf("processing-id  %s\n", p->processing_id[0] ? p->processing_id : "P");
    printf("facility       %s\n", p->facility[0] ? p->facility : "(the practice number)");
    if (p->updated_at) {
        char at[SW_TIME_ISO_MAX];
        sw_time_iso(p->updated_at, at);
        printf("updated        %s\n", at);
    }
}

int cli_interface_peer(int argc, char **argv)
{
    struct options o;
    int status = parse(argc, argv, &o);
    if (status != 0)
        return status;
    sw_store *s;
    /* The options are checked before the transaction (which may run more
     * than once) so that a mistake is reported once and nothing opens. */
    hl7_peer scratch = { 0 };
    char changed[80];
    if ((status = apply(&o, &scratch, changed, sizeof changed)) != 0)
        return status;
    if ((status = cli_open_store(o.db, 1, &s)) != 0)
        return status;
    struct change c = { .o = &o };
    sw_err err;
    int rc = store_write(s, change_fn, &c, &err);
    store_close(s);
    if (c.status != 0)
        return c.status;
    if (rc != SW_OK)
        return cli_fail_err(&err);
    if (c.changed[0])
        printf("The PMS peer of practice %" PRId64 " is set (%s).\n",
               o.practice_id, c.changed);
    print_peer(&c);
    return 0;
}
