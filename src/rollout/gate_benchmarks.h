/* gate_benchmarks.h - the data of a stage's benchmarks gate
 * (docs/adoption-metrics.md "Levels", docs/rollout.md): how many people
 * of the previous stage have adopted its modules, read from the
 * adoption_level rows the adoption evaluation keeps (the rollout area
 * reads the table and includes no adoption header). */
#ifndef SW_ROLLOUT_GATE_BENCHMARKS_H
#define SW_ROLLOUT_GATE_BENCHMARKS_H

#include "rollout/gates.h"

/* The share of the cohort of the stage before s in plan p (enabled
 * people, as gate_training counts them) whose level is "adopted" or
 * "proficient" for every module of that stage, against the gate's
 * percent. GATE_NO_DATA when s is the first stage, the previous cohort is
 * empty, or no levels have been recorded for anyone in it yet. */
int gate_benchmarks_data(sw_store *store, int64_t practice_id,
                         const sw_plan *p, const plan_stage *s,
                         const plan_gate *g, gate_data *out, sw_err *err);

#endif
