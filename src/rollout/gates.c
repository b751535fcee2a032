/* gates.c - the gate data interface (see gates.h): one case per gate kind.
 * The interface gate reads the go-live interface test suite's reports
 * (gate_interface.c), training and proficiency the training records
 * (gate_training.c), benchmarks the adoption levels of the previous
 * stage's cohort (gate_benchmarks.c). */
#include "gates.h"

#include <stdio.h>

#include "rollout/gate_benchmarks.h"
#include "rollout/gate_interface.h"
#include "rollout/gate_training.h"

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
    switch (g->kind) {
    case PLAN_GATE_TRAINING:
        /* training_record rows of the stage's cohort (gate_training.c). */
        return gate_training_data(store, practice_id, s, g, false, out, err);
    case PLAN_GATE_PROFICIENCY:
        return gate_training_data(store, practice_id, s, g, true, out, err);
    case PLAN_GATE_BENCHMARKS:
        /* adoption_level rows of the previous stage's cohort. */
        return gate_benchmarks_data(store, practice_id, p, s, g, out, err);
    case PLAN_GATE_INTERFACE:
        /* The latest go-live interface test suite run (gate_interface.c). */
        return gate_interface_data(store, practice_id, out, err);
    default:
        no_data(out, "this gate has no data source");
        break;
    }
    return SW_OK;
}
