/* decide_bench.c - the per-request cost of the rollout decision
 * (docs/rollout.md "Caching"): rollout_decide on a table built from a
 * staged plan with roles and named-user cohorts and a few overrides, for
 * users inside and outside the cohorts, in a loop.
 *
 *   decide_bench [SECONDS]
 *
 * Prints "decide <ns per decision>" and, for comparison, "authz <ns per
 * check>": the permission check every request already pays
 * (authz_allows), timed the same way in the same process. The rollout
 * decision should cost no more than that (bench/run.sh's "rollout" row);
 * the cache adds one uncontended lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/authz.h"
#include "rollout/catalog.h"
#include "rollout/decide.h"
#include "rollout/plan.h"

static const char PLAN[] =
    "{\"stages\":["
    "{\"id\":\"desk\",\"name\":\"Desk\",\"target_date\":\"2027-01-04\","
    "\"modules\":[\"registration\",\"scheduling\"],\"cohort\":{\"kind\":\"everyone\"},"
    "\"state\":\"live\",\"live_at\":\"2027-01-04T08:00:00Z\"},"
    "{\"id\":\"notes\",\"name\":\"Notes\",\"target_date\":\"2027-02-01\","
    "\"modules\":[\"documentation\",\"problems\",\"allergies\",\"medications\",\"vitals\"],"
    "\"cohort\":{\"kind\":\"roles\",\"roles\":[\"physician\",\"nurse\",\"medical_assistant\"]}},"
    "{\"id\":\"rx\",\"name\":\"Prescribing\",\"target_date\":\"2027-03-01\","
    "\"modules\":[\"eprescribing\",\"orders\",\"results\",\"immunizations\"],"
    "\"cohort\":{\"kind\":\"users\",\"users\":[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\"]}},"
    "{\"id\":\"billing\",\"name\":\"Billing\",\"target_date\":\"2027-04-01\","
    "\"modules\":[\"charge_capture\"],\"cohort\":{\"kind\":\"everyone\"},"
    "\"gates\":[{\"kind\":\"interface_tests\"}]}]}";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    sw_plan *p;
    plan_issues is;
    memset(&is, 0, sizeof is);
    if (plan_from_text(PLAN, strlen(PLAN), &p, &is) != SW_OK) {
        fprintf(stderr, "decide_bench: the plan does not check\n");
        return 1;
    }
    static const rollout_override ov[] = { { 90, "*" }, { 91, "orders" } };
    rollout_inputs in = { .overrides = ov, .noverrides = 2 };
    rollout_table *t = rollout_table_build(p, 1, &in);
    plan_free(p);
    if (t == NULL)
        return 1;
    static const rollout_user users[] = {
        { 1, "a1", "physician" }, { 2, "n2", "nurse" },
        { 3, "d3", "front_desk" }, { 91, "l4", "physician,practice_admin" },
    };
    size_t nmod;
    const catalog_module *cat = catalog_modules(&nmod);
    unsigned long long n = 0, live = 0;
    double start = now(), end = start + secs, t1 = start;
    while (t1 < end) {
        for (int k = 0; k < 10000; k++) {
            rollout_answer a;
            rollout_decide(t, cat[n % nmod].id, &users[(n / nmod) % 4], &a);
            live += a.live;
            n++;
        }
        t1 = now();
    }
    double el = t1 - start;
    printf("decide %.1f\n", el * 1e9 / (double)n);

    /* The permission check, for the same users, over every area. */
    unsigned long long m = 0, allowed = 0;
    start = now();
    end = start + secs;
    t1 = start;
    while (t1 < end) {
        for (int k = 0; k < 10000; k++) {
            allowed += authz_allows(users[(m / AUTHZ_AREA__COUNT) % 4].roles, "",
                                    (authz_area)(m % AUTHZ_AREA__COUNT),
                                    AUTHZ_WRITE);
            m++;
        }
        t1 = now();
    }
    el = t1 - start;
    printf("authz %.1f\n", el * 1e9 / (double)m);
    fprintf(stderr, "decide_bench: %llu of %llu decisions live, %llu of %llu "
            "checks allowed\n", live, n, allowed, m);
    rollout_table_free(t);
    return 0;
}
