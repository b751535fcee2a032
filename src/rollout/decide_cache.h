/* decide_cache.h - the rollout decision tables of a running server, one
 * per practice, keyed by plan version (docs/rollout.md "Enforcement",
 * "Caching").
 *
 * A table (decide.h) is built from the practice's current plan and its
 * per-user overrides the first time a practice asks. After that:
 *   - the current plan version is re-read at most once a second, and the
 *     table rebuilt when it moved: a plan change made by another process
 *     (the command line) is enforced within a second;
 *   - every plan or override write in this process calls
 *     rollout_cache_bump: the next request rebuilds, and for one second
 *     every request re-reads the version, so a write still committing
 *     when the bump happened is seen as soon as it commits.
 * Per request the cost is a mutex and a look-up in a dozen rows, plus one
 * small query a second per practice.
 *
 * Thread-safe (one mutex). Answers' strings are copied into the caller's
 * arena. */
#ifndef SW_ROLLOUT_DECIDE_CACHE_H
#define SW_ROLLOUT_DECIDE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/errors.h"
#include "rollout/decide.h"
#include "store/store.h"

#define ROLLOUT_CACHE_PRACTICES 64     /* practices kept at once */
#define ROLLOUT_CACHE_RECHECK_MS 1000  /* re-read the version this often */

typedef struct rollout_cache rollout_cache;

rollout_cache *rollout_cache_create(void);
void rollout_cache_destroy(rollout_cache *c);   /* NULL accepted */

/* The plan or the overrides of practice_id changed (or are changing). */
void rollout_cache_bump(rollout_cache *c, int64_t practice_id);

/* The decisions for modules[0..n) and user u into out[0..n), strings in
 * a. A store failure is returned (err says why): callers fail closed. */
int rollout_cache_decide(rollout_cache *c, sw_store *s, sw_arena *a,
                         int64_t practice_id, const rollout_user *u,
                         const char *const *modules, size_t n,
                         rollout_answer *out, sw_err *err);

/* The plan version of the table practice_id's decisions came from (0: no
 * plan), as of the last rollout_cache_decide; -1 when none was made. */
int64_t rollout_cache_version(rollout_cache *c, int64_t practice_id);

#endif
