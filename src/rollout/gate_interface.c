/* gate_interface.c - the interface gate's data: whether the practice's
 * latest go-live interface test suite run (table interface_test_run,
 * written by `stagewise interface test`) passed. Only the latest run
 * counts: a failure after a pass means the interface broke since. */
#include "rollout/gate_interface.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "hl7/suite.h"

struct latest_ctx {
    int64_t          practice_id;
    hl7_suite_record run;
    bool             found;
};

static int latest_fn(store_tx *tx, void *arg)
{
    struct latest_ctx *c = arg;
    int rc = hl7_suite_latest(tx, c->practice_id, HL7_SUITE_GO_LIVE, &c->run);
    c->found = rc == SW_OK;
    return rc == SW_ENOTFOUND ? SW_OK : rc;
}

int gate_interface_data(sw_store *store, int64_t practice_id, gate_data *out,
                        sw_err *err)
{
    struct latest_ctx c = { .practice_id = practice_id };
    int rc = store_read(store, latest_fn, &c, err);
    if (rc != SW_OK)
        return rc;
    if (!c.found) {
        out->state = GATE_NO_DATA;
        out->percent = -1;
        snprintf(out->detail, sizeof out->detail, "No data yet: no interface "
                 "test suite has run against the practice-management system.");
        return SW_OK;
    }
    char day[SW_TIME_ISO_MAX];
    sw_time_iso(c.run.finished_at, day);
    out->percent = c.run.total > 0 ? c.run.npassed * 100 / c.run.total : 0;
    if (c.run.passed) {
        out->state = GATE_PASSED;
        snprintf(out->detail, sizeof out->detail, "The go-live interface test "
                 "suite passed %d of %d scenarios on %.10s against %.50s (run by "
                 "%.30s).",
                 c.run.npassed, c.run.total, day, c.run.peer, c.run.run_by);
    } else {
        out->state = GATE_FAILED;
        snprintf(out->detail, sizeof out->detail, "The go-live interface test "
                 "suite failed on %.10s against %.50s: %.80s.", day, c.run.peer,
                 c.run.failed[0] ? c.run.failed : "no scenario ran");
    }
    return SW_OK;
}
