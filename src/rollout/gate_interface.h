/* gate_interface.h - the data of a stage's interface gate: the practice's
 * latest run of the go-live interface test suite (hl7/suite.h), read by
 * gates_data (gates.c). */
#ifndef SW_ROLLOUT_GATE_INTERFACE_H
#define SW_ROLLOUT_GATE_INTERFACE_H

#include "rollout/gates.h"

/* GATE_PASSED when the latest run passed every scenario, GATE_FAILED
 * naming the scenarios that failed, GATE_NO_DATA when the suite never ran
 * for the practice. SW_OK, or a store error. */
int gate_interface_data(sw_store *store, int64_t practice_id, gate_data *out,
                        sw_err *err);

#endif
