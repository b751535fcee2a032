/* cmd_interface_test.c - `stagewise interface test`: runs the go-live
 * interface test suite (hl7/suite.h) against the practice-management
 * system in test mode or the PMS simulator, prints one line per scenario
 * and a summary, and stores the signed report in the practice's database
 * for the plan's interface gate. Exit 0 when every scenario passed, 1
 * otherwise (or when the suite could not run), 2 for a usage error. */
#include "cli.h"
#include "cmd_interface.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/suite.h"
#include "store/store.h"

struct practice_ctx {
    int64_t id;
    int64_t n;
};

static int practice_fn(store_tx *tx, void *arg)
{
    struct practice_ctx *c = arg;
    return store_query_int64(tx, &c->n, "SELECT COUNT(*) FROM practice WHERE "
                             "practice_id = ?", "i", c->id);
}

int cli_interface_test(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { "peer", required_argument, NULL, 'P' },
        { "peer-control", required_argument, NULL, 'c' },
        { "suite", required_argument, NULL, 's' },
        { "run-by", required_argument, NULL, 'r' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL;
    char peer_host[256] = "";
    long practice = 1;
    hl7_suite_options o = { .suite = HL7_SUITE_GO_LIVE, .out = stdout };
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p':
            if ((rc = cli_parse_practice("interface test", optarg, &practice)) != 0)
                return rc;
            break;
        case 'P':
            if (cli_parse_listen(optarg, peer_host, sizeof peer_host,
                                 &o.peer_port) != SW_OK || o.peer_port == 0)
                return cli_fail(SW_EUSAGE, "interface test: --peer must be "
                                "HOST:PORT of the PMS's MLLP listener, not '%s'",
                                optarg);
            break;
        case 'c':
            if (strncmp(optarg, "http://", 7) != 0)
                return cli_fail(SW_EUSAGE, "interface test: --peer-control must "
                                "be the simulator's http://HOST:PORT, not '%s'",
                                optarg);
            o.peer_control = optarg;
            break;
        case 's':
            if (strcmp(optarg, HL7_SUITE_GO_LIVE) != 0)
                return cli_fail(SW_EUSAGE, "interface test: the only suite is "
                                "'go-live', not '%s'", optarg);
            break;
        case 'r': o.run_by = optarg; break;
        default:  return cli_bad_option("interface test", argc, argv);
        }
    }
    if (optind < argc)
        return cli_fail(SW_EUSAGE, "interface test: unexpected argument '%s'",
                        argv[optind]);
    if (peer_host[0] == '\0')
        return cli_fail(SW_EUSAGE, "interface test: --peer HOST:PORT is required "
                        "(the PMS in test mode, or `stagewise pms-sim`)");
    o.peer_host = peer_host;
    if (o.run_by == NULL) {
        const char *user = getenv("USER");
        o.run_by = user && user[0] ? user : "cli";
    }
    if (strlen(o.run_by) > 120)
        return cli_fail(SW_EUSAGE, "interface test: --run-by is at most 120 bytes");

    /* The real database is opened first: only the report is written to it,
     * and a run whose report cannot be stored is not worth starting. */
    sw_store *s;
    rc = cli_open_store(db, 1, &s);
    if (rc != 0)
        return rc;
    struct practice_ctx pc = { .id = practice };
    sw_err err;
    if (store_read(s, practice_fn, &pc, &err) != SW_OK) {
        store_close(s);
        return cli_fail_err(&err);
    }
    if (pc.n == 0) {
        store_close(s);
        return cli_fail(SW_ENOTFOUND, "interface test: there is no practice %ld",
                        practice);
    }
    signal(SIGPIPE, SIG_IGN);
    printf("Interface test suite %s against %s:%d (processing id T)%s\n",
           o.suite, o.peer_host, o.peer_port,
           o.peer_control ? "" : "; no --peer-control: the suite sends the "
           "PMS's ADT and SIU itself");
    fflush(stdout);
    hl7_suite_result r;
    rc = hl7_suite_run(&o, &r, &err);
    if (rc != SW_OK) {
        store_close(s);
        return cli_fail_err(&err);
    }
    int64_t run_id = 0;
    char digest[65];
    rc = hl7_suite_store(s, practice, &o, &r, &run_id, digest, &err);
    store_close(s);
    printf("Passed %d of %d scenarios against %s:%d.\n", r.passed, r.total,
           o.peer_host, o.peer_port);
    hl7_suite_result_free(&r);
    if (rc != SW_OK)
        return cli_fail(rc, "interface test: the report could not be stored: %s",
                        sw_err_text(&err));
    printf("Report %lld stored for practice %ld (SHA-256 %s).\n",
           (long long)run_id, practice, digest);
    return r.passed == r.total ? 0 : 1;
}
