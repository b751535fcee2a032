/* gates.h - the data behind a stage's gates that other areas own
 * (docs/rollout.md "Go-live, rollback and gates"): training completion
 * and proficiency (the training work), the previous stage's benchmarks
 * (the adoption work) and the interface test suite (the HL7 work).
 *
 * Each function answers for one stage and one gate of it. Until the area
 * that owns the data fills its function in, it answers GATE_NO_DATA, and
 * a gate with no data BLOCKS go-live: a stage must not go live on data
 * nobody has measured (a forced go-live, with a reason, is the way past).
 * The checklist gate's data is here already (ticks, checklist.h).
 *
 * Ownership: results are plain values. Workload: a few calls per go-live
 * or gate screen. */
#ifndef SW_ROLLOUT_GATES_H
#define SW_ROLLOUT_GATES_H

#include <stdint.h>

#include "core/errors.h"
#include "rollout/plan.h"
#include "store/store.h"

typedef enum gate_state {
    GATE_PASSED,
    GATE_FAILED,
    GATE_NO_DATA,
} gate_state;

typedef struct gate_data {
    gate_state state;
    int        percent;      /* measured share, when there is one; else -1 */
    char       detail[200];  /* what the data says, one sentence */
} gate_data;

/* The data of gate g (training, proficiency, benchmarks, interface) of
 * stage s; SW_OK with out filled, or a store error. */
int gates_data(sw_store *store, int64_t practice_id, const sw_plan *p,
               const plan_stage *s, const plan_gate *g, gate_data *out,
               sw_err *err);

const char *gate_state_name(gate_state s);

#endif
