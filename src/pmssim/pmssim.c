/* pmssim.c - starting and stopping the PMS simulator (pmssim.h): its MLLP
 * listener, its control interface and its record file; the mode names;
 * and sending one message to the EHR as a PMS would (one connection per
 * message, which is what most practice-management systems do). */
#include "pmssim/pmssim_int.h"

#include <errno.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "hl7/mllp.h"
#include "http/http.h"

static const char *const MODE_NAMES[] = {
    [PMSSIM_NORMAL] = "normal", [PMSSIM_AE] = "ae", [PMSSIM_AR] = "ar",
    [PMSSIM_DOWN] = "down", [PMSSIM_DROP_ACK] = "drop-ack",
    [PMSSIM_SLOW] = "slow",
};

const char *pmssim_mode_name(pmssim_mode m)
{
    return (size_t)m < sizeof MODE_NAMES / sizeof MODE_NAMES[0] ? MODE_NAMES[m] : "";
}

int pmssim_mode_parse(const char *name, pmssim_mode *out)
{
    for (size_t i = 0; i < sizeof MODE_NAMES / sizeof MODE_NAMES[0]; i++) {
        if (strcmp(MODE_NAMES[i], name) == 0) {
            *out = (pmssim_mode)i;
            return SW_OK;
        }
    }
    return SW_EINVAL;
}

int pmssim_start(const pmssim_config *cfg, pmssim **out, sw_err *err)
{
    *out = NULL;
    pmssim *p = sw_calloc(1, sizeof *p);
    if (p == NULL)
        return sw_err_set(err, SW_ENOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    p->mode = cfg->mode;
    p->slow_ms = cfg->slow_ms > 0 ? cfg->slow_ms : 2000;
    snprintf(p->ehr_host, sizeof p->ehr_host, "%s",
             cfg->ehr_host ? cfg->ehr_host : "");
    p->ehr_port = cfg->ehr_port;
    snprintf(p->processing_id, sizeof p->processing_id, "%s",
             cfg->processing_id ? cfg->processing_id : "T");
    pmssim_generator_init(&p->gen, cfg->seed, p->processing_id,
                          sw_now_wall_ms());
    int rc;
    if (cfg->record_path != NULL) {
        p->log.record = fopen(cfg->record_path, "a");
        if (p->log.record == NULL) {
            rc = sw_err_set(err, SW_EIO, "cannot open the record file %s: %s",
                            cfg->record_path, strerror(errno));
            goto fail;
        }
    }
    mllp_server_config mc = {
        .host = cfg->listen_host, .port = cfg->listen_port,
        .accept = pmssim_accept, .handler = pmssim_answer, .ctx = p,
    };
    rc = mllp_server_start(&mc, &p->mllp, err);
    if (rc != SW_OK)
        goto fail;
    rc = pmssim_control_start(p, cfg->control_host ? cfg->control_host
                                                   : "127.0.0.1",
                              cfg->control_port, err);
    if (rc != SW_OK)
        goto fail;
    *out = p;
    return SW_OK;
fail:
    pmssim_stop(p);
    return rc;
}

int pmssim_mllp_port(const pmssim *p)
{
    return mllp_server_port(p->mllp);
}

int pmssim_control_port(const pmssim *p)
{
    return http_server_port(p->control);
}

void pmssim_stop(pmssim *p)
{
    if (p == NULL)
        return;
    if (p->control)
        http_server_stop(p->control, 5);
    mllp_server_stop(p->mllp);
    pmssim_log_clear(&p->log);
    sw_free(p->log.items);
    if (p->log.record)
        fclose(p->log.record);
    pthread_mutex_destroy(&p->lock);
    sw_free(p);
}

int pmssim_send(const char *host, int port, const char *msg, size_t len,
                sw_buf *ack, sw_err *err)
{
    mllp_client_config cc = { .host = host, .port = port };
    mllp_client *c;
    int rc = mllp_client_connect(&cc, &c, err);
    if (rc != SW_OK)
        return rc;
    rc = mllp_client_exchange(c, msg, len, ack, err);
    mllp_client_close(c);
    return rc;
}
