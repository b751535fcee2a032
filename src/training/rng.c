/* rng.c - splitmix64 (Steele, Lea and Flood): tiny, fast and fully
 * determined by the seed, so generated training data is reproducible. */
#include "training/rng.h"

void training_rng_seed(training_rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t training_rng_next(training_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int training_rng_pick(training_rng *r, int n)
{
    return n <= 0 ? 0 : (int)(training_rng_next(r) % (uint64_t)n);
}

int training_rng_range(training_rng *r, int lo, int hi)
{
    return hi <= lo ? lo : lo + training_rng_pick(r, hi - lo + 1);
}

int training_rng_chance(training_rng *r, int percent)
{
    return training_rng_pick(r, 100) < percent;
}

double training_rng_near(training_rng *r, double mean, double spread)
{
    double sum = 0;
    for (int i = 0; i < 3; i++)
        sum += (double)(training_rng_next(r) >> 11) / 9007199254740992.0;
    return mean + spread * (2.0 * sum / 3.0 - 1.0);
}
