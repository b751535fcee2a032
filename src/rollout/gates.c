/* gates.c - the gate data interface (see gates.h). Every source answers
 * "no data" until the training, adoption and HL7 work fill in theirs: one
 * case each below. */
#include "gates.h"

#include <stdio.h>

const char *gate_state_name(gate_state s)
{
    switch (s) {
    case GATE_PASSED:  return "passed";
    case GATE_FAILED:  return "failed";
    case GATE_NO_DATA: return "no_data";
    }
    return "";
}

static void no_data(gate_data *out, const char *what)
{
    out->state = GATE_NO_DATA;
    out->percent = -1;
    snprintf(out->detail, sizeof out->detail, "No data yet: %s.", what);
}

int gates_data(sw_store *store, int64_t practice_id, const sw_plan *p,
               const plan_stage *s, const plan_gate *g, gate_data *out,
               sw_err *err)
{
    (void)store; (void)practice_id; (void)p; (void)s; (void)err;
    switch (g->kind) {
    case PLAN_GATE_TRAINING:
        no_data(out, "training completion is not recorded until the "
                "training environment exists");
        break;
    case PLAN_GATE_PROFICIENCY:
        no_data(out, "proficiency checks are not recorded until the "
                "training environment exists");
        break;
    case PLAN_GATE_BENCHMARKS:
        no_data(out, "adoption benchmarks are not measured yet");
        break;
    case PLAN_GATE_INTERFACE:
        no_data(out, "no interface test suite has run against the "
                "practice-management system");
        break;
    default:
        no_data(out, "this gate has no data source");
        break;
    }
    return SW_OK;
}
