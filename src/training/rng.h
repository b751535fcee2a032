/* rng.h - the training generator's own small deterministic PRNG
 * (splitmix64): the same seed gives the same sequence on every platform,
 * which is what makes a training population reproducible. Not for
 * anything secret. */
#ifndef SW_TRAINING_RNG_H
#define SW_TRAINING_RNG_H

#include <stdint.h>

typedef struct training_rng {
    uint64_t state;
} training_rng;

void training_rng_seed(training_rng *r, uint64_t seed);
uint64_t training_rng_next(training_rng *r);
/* Uniform in [0, n); n 0 gives 0. */
int training_rng_pick(training_rng *r, int n);
/* Uniform in [lo, hi]. */
int training_rng_range(training_rng *r, int lo, int hi);
/* True with probability percent/100. */
int training_rng_chance(training_rng *r, int percent);
/* A value around mean: the average of three uniform draws in
 * [mean - spread, mean + spread] (a cheap bell shape). */
double training_rng_near(training_rng *r, double mean, double spread);

#endif
