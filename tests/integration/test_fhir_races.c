/* test_fhir_races.c - many clients writing the same resources at once,
 * over HTTP, on each store.
 *
 * What a clinic relies on when two people save the same chart: with
 * If-Match exactly one writer wins each version and the rest get 412
 * (never two "successful" saves of the same version); without it every save
 * lands as its own version, none lost; a conditional create (If-None-Exist)
 * raced by many clients creates exactly one resource. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"
#include "testserver.h"

#define CLIENTS 16


static long put(sw_test_env *f, const char *path, const char *if_match,
                const char *body, char *etag, size_t cap)
{
    char im[96];
    const char *headers[4] = { f->auth, "Content-Type: application/fhir+json", NULL, NULL };
    if (if_match) {
        snprintf(im, sizeof im, "If-Match: %s", if_match);
        headers[2] = im;
    }
    sw_http_result r;
    if (sw_http(&f->srv, "PUT", path, headers, body, strlen(body), &r) != 0)
        return -1;
    long status = r.status;
    if (etag && !sw_http_header(&r, "ETag", etag, cap))
        etag[0] = '\0';
    sw_http_result_free(&r);
    return status;
}

struct race {
    sw_test_env *f;
    int             round;
    char            if_match[64];
    _Atomic int     ok, precondition, other;
    _Atomic int     next;
};

static void *if_match_writer(void *arg)
{
    struct race *r = arg;
    int me = atomic_fetch_add(&r->next, 1);
    char body[256];
    /* Content unique to this writer and round: identical content would be
     * a no-op update, which succeeds without making a version. */
    snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"race-1\","
             "\"name\":[{\"family\":\"Writer%d-%d\"}]}", me, r->round);
    long status = put(r->f, "/fhir/Patient/race-1", r->if_match, body, NULL, 0);
    if (status == 200)
        atomic_fetch_add(&r->ok, 1);
    else if (status == 412)
        atomic_fetch_add(&r->precondition, 1);
    else
        atomic_fetch_add(&r->other, 1);
    return NULL;
}

static void run_clients(void *(*fn)(void *), void *arg)
{
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, fn, arg), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
}

/* Sixteen clients save the same version at once, five times over: each
 * time one wins and fifteen are told someone else saved first. */
static void if_match_has_one_winner(void **state)
{
    sw_test_env *f = *state;
    char etag[64];
    assert_int_equal(put(f, "/fhir/Patient/race-1", NULL,
                         "{\"resourceType\":\"Patient\",\"id\":\"race-1\"}",
                         etag, sizeof etag), 201);
    for (int round = 0; round < 5; round++) {
        struct race r = { .f = f, .round = round };
        snprintf(r.if_match, sizeof r.if_match, "%s", etag);
        run_clients(if_match_writer, &r);
        assert_int_equal(atomic_load(&r.other), 0);
        assert_int_equal(atomic_load(&r.ok), 1);
        assert_int_equal(atomic_load(&r.precondition), CLIENTS - 1);
        sw_http_result res;
        const char *headers[] = { f->auth, NULL };
        assert_int_equal(sw_http(&f->srv, "GET", "/fhir/Patient/race-1", headers,
                                 NULL, 0, &res), 0);
        assert_non_null(sw_http_header(&res, "ETag", etag, sizeof etag));
        char want[32];
        snprintf(want, sizeof want, "W/\"%d\"", round + 2);
        assert_string_equal(etag, want);
        sw_http_result_free(&res);
    }
}

static void *plain_writer(void *arg)
{
    struct race *r = arg;
    int me = atomic_fetch_add(&r->next, 1);
    for (int i = 0; i < 10; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"resourceType\":\"Patient\",\"id\":\"race-2\","
                 "\"name\":[{\"family\":\"W%d-%d\"}]}", me, i);
        long status = put(r->f, "/fhir/Patient/race-2", NULL, body, NULL, 0);
        if (status == 200 || status == 201)
            atomic_fetch_add(&r->ok, 1);
        else
            atomic_fetch_add(&r->other, 1);
    }
    return NULL;
}

/* Without If-Match, concurrent saves all land: 160 distinct contents make
 * 160 versions (plus the first), and history has every one. */
static void saves_without_if_match_all_land(void **state)
{
    sw_test_env *f = *state;
    assert_int_equal(put(f, "/fhir/Patient/race-2", NULL,
                         "{\"resourceType\":\"Patient\",\"id\":\"race-2\"}",
                         NULL, 0), 201);
    struct race r = { .f = f };
    run_clients(plain_writer, &r);
    assert_int_equal(atomic_load(&r.other), 0);
    assert_int_equal(atomic_load(&r.ok), CLIENTS * 10);
    sw_http_result res;
    const char *headers[] = { f->auth, NULL };
    assert_int_equal(sw_http(&f->srv, "GET", "/fhir/Patient/race-2/_history?_count=1",
                             headers, NULL, 0, &res), 0);
    char want[32];
    snprintf(want, sizeof want, "\"total\":%d", CLIENTS * 10 + 1);
    assert_non_null(strstr(res.body, want));
    sw_http_result_free(&res);
}

static void *conditional_creator(void *arg)
{
    struct race *r = arg;
    const char *headers[] = {
        r->f->auth, "Content-Type: application/fhir+json",
        "If-None-Exist: identifier=http://example.org/mrn|RACE-7", NULL,
    };
    const char body[] = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                        "\"http://example.org/mrn\",\"value\":\"RACE-7\"}]}";
    sw_http_result res;
    if (sw_http(&r->f->srv, "POST", "/fhir/Patient", headers, body,
                sizeof body - 1, &res) != 0)
        res.status = -1;
    if (res.status == 201)
        atomic_fetch_add(&r->ok, 1);
    else if (res.status == 200)
        atomic_fetch_add(&r->precondition, 1);
    else
        atomic_fetch_add(&r->other, 1);
    sw_http_result_free(&res);
    return NULL;
}

/* Sixteen clients register the same patient at once with If-None-Exist:
 * one creates it, fifteen find it, and there is one such patient. */
static void conditional_create_makes_one(void **state)
{
    sw_test_env *f = *state;
    struct race r = { .f = f };
    run_clients(conditional_creator, &r);
    assert_int_equal(atomic_load(&r.other), 0);
    assert_int_equal(atomic_load(&r.ok), 1);
    assert_int_equal(atomic_load(&r.precondition), CLIENTS - 1);
    const char *headers[] = { f->auth, NULL };
    sw_http_result res;
    assert_int_equal(sw_http(&f->srv, "GET",
                             "/fhir/Patient?identifier=http://example.org/mrn|RACE-7",
                             headers, NULL, 0, &res), 0);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "\"total\":1"));
    sw_http_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(if_match_has_one_winner, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(saves_without_if_match_all_land, sw_test_env_setup, sw_test_env_teardown),
        cmocka_unit_test_setup_teardown(conditional_create_makes_one, sw_test_env_setup, sw_test_env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
