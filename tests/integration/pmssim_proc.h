/* pmssim_proc.h - `stagewise pms-sim` as a process of a test: started
 * with ports 0, its ports read from its ready line, its control interface
 * spoken to with sw_http (ctl is an sw_test_server whose base is the
 * control URL), stopped with SIGTERM. Used by test_pms_sim.c and
 * test_interface_suite.c. */
#ifndef SW_TEST_PMSSIM_PROC_H
#define SW_TEST_PMSSIM_PROC_H

#include <jansson.h>
#include <sys/types.h>

#include "testserver.h"

typedef struct sw_test_pmssim {
    pid_t          pid;
    int            mllp_port;
    sw_test_server ctl;          /* base: http://127.0.0.1:CONTROL_PORT */
    char           log_path[4096];
} sw_test_pmssim;

/* Starts `stagewise pms-sim --listen 127.0.0.1:0 --control 127.0.0.1:0
 * EXTRA…`; 0, or -1 with its log printed. */
int sw_test_pmssim_start(sw_test_pmssim *p, const char *const *extra);
/* SIGTERM and the exit status (-1 if it had to be killed). */
int sw_test_pmssim_stop(sw_test_pmssim *p);
/* One control request; the status, and the answer parsed when it is JSON
 * (*out NULL otherwise; may be NULL to ignore). -1 on a transport error. */
long sw_test_pmssim_call(sw_test_pmssim *p, const char *method,
                         const char *path, const char *body, json_t **out);

#endif
