/* pmssim_proc.c - the PMS simulator as a child process of a test (see
 * pmssim_proc.h). */
#include "pmssim_proc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdb.h"

/* The simulator's ready line names both of its ports. */
static bool pmssim_ready(const char *out, void *ctx)
{
    sw_test_pmssim *p = ctx;
    static const char mllp[] = "listening on 127.0.0.1:";
    static const char ctl[] = "control on http://127.0.0.1:";
    const char *a = strstr(out, mllp), *c = strstr(out, ctl);
    if (!a || !c || strchr(c, '\n') == NULL)
        return false;
    p->mllp_port = atoi(a + strlen(mllp));
    p->ctl.port = atoi(c + strlen(ctl));
    snprintf(p->ctl.base, sizeof p->ctl.base, "http://127.0.0.1:%d", p->ctl.port);
    return true;
}

int sw_test_pmssim_start(sw_test_pmssim *p, const char *const *extra)
{
    memset(p, 0, sizeof *p);
    char *dir = sw_test_tmpdir();
    snprintf(p->log_path, sizeof p->log_path, "%s/pms-sim.log", dir);
    free(dir);
    const char *const base[] = { "pms-sim", "--listen", "127.0.0.1:0",
                                 "--control", "127.0.0.1:0", NULL };
    return sw_test_spawn(base, extra, p->log_path, pmssim_ready, p, &p->pid);
}

int sw_test_pmssim_stop(sw_test_pmssim *p)
{
    /* Stopped as the server is: SIGTERM, SIGKILL after 20 s. */
    sw_test_server proc = { .pid = p->pid };
    p->pid = 0;
    return sw_test_server_stop(&proc, SIGTERM, 20);
}

long sw_test_pmssim_call(sw_test_pmssim *p, const char *method,
                         const char *path, const char *body, json_t **out)
{
    if (out)
        *out = NULL;
    const char *headers[] = { "Content-Type: application/json", NULL };
    sw_http_result r;
    if (sw_http(&p->ctl, method, path, body ? headers : NULL, body,
                body ? strlen(body) : 0, &r) != 0)
        return -1;
    if (out)
        *out = json_loads(r.body ? r.body : "", 0, NULL);
    long status = r.status;
    sw_http_result_free(&r);
    return status;
}
