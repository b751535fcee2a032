/* answer.c - the PMS simulator's MLLP side: every message received is
 * logged (received.c) and answered as the current mode says (pmssim.h).
 *
 * Runs on the MLLP server's connection threads. The log and the mode are
 * read and changed under the simulator's lock; the ACK is built and the
 * slow mode's wait is spent outside it, so a slow answer never holds up
 * the control interface or another connection. */
#include "pmssim/pmssim_int.h"

#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "hl7/mllp.h"

bool pmssim_accept(void *ctx, const mllp_peer *peer)
{
    (void)peer;
    pmssim *p = ctx;
    pthread_mutex_lock(&p->lock);
    bool up = p->mode != PMSSIM_DOWN;
    pthread_mutex_unlock(&p->lock);
    return up;
}

/* What to answer, decided under the lock. */
typedef struct verdict {
    const char   *code;      /* AA AE AR; NULL: close without answering */
    const char   *text;      /* MSA-3, or NULL */
    pmssim_errors errors;
    int           slow_ms;
} verdict;

static const char MODE_AE_TEXT[] =
    "the practice-management system simulator rejects every message (mode ae)";
static const char MODE_AR_TEXT[] =
    "the practice-management system is not taking messages now (simulator "
    "mode ar); send it again later";

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Decides and logs, with the lock held. */
static int decide(pmssim *p, const hl7_message *m, const char *msg, size_t len,
                  int64_t now, verdict *v)
{
    pmssim_mode mode = p->mode;
    v->slow_ms = mode == PMSSIM_SLOW ? p->slow_ms : 0;
    if (mode == PMSSIM_DOWN) {          /* went down while connected */
        v->code = NULL;
        return SW_OK;
    }
    const char *control_id = hl7_get(m, "MSH", 1, 10, 1, 1, 1);
    const char *app = hl7_get(m, "MSH", 1, 3, 1, 1, 1);
    const char *fac = hl7_get(m, "MSH", 1, 4, 1, 1, 1);
    char sender[256];
    snprintf(sender, sizeof sender, "%s^%s", app ? app : "", fac ? fac : "");

    pmssim_received *r = pmssim_log_find(&p->log, sender,
                                         control_id ? control_id : "");
    if (r != NULL && r->outcome == PMSSIM_KEPT) {
        /* Kept before (its ACK may have been lost): not posted twice. */
        r->attempts++;
        r->duplicates++;
        v->code = "AA";
        v->text = "duplicate: this control id was received and posted before";
        snprintf(r->answer, sizeof r->answer, "AA");
        pmssim_log_record(&p->log, r->control_id, r->type, msg, len, now);
        return SW_OK;
    }
    if (r == NULL) {
        r = pmssim_log_add(&p->log, m, msg, len, now);
    } else {
        r->attempts++;
        if (pmssim_log_refresh(r, m, msg, len) != SW_OK)
            r = NULL;
    }
    if (r == NULL)
        return SW_ENOMEM;
    pmssim_log_record(&p->log, r->control_id, r->type, msg, len, now);

    if (mode == PMSSIM_AR) {
        v->code = "AR";
        v->text = MODE_AR_TEXT;
        r->outcome = PMSSIM_REFUSED;
    } else if (mode == PMSSIM_AE) {
        v->code = "AE";
        v->text = MODE_AE_TEXT;
        v->errors.n = 1;
        v->errors.items[0] = (hl7_ack_error){ .code = "207",
                                              .text = MODE_AE_TEXT };
        r->outcome = PMSSIM_REJECTED;
    } else {
        pmssim_validate(m, &v->errors);
        if (v->errors.n > 0) {
            v->code = "AE";
            v->text = v->errors.items[0].text;
            r->outcome = PMSSIM_REJECTED;
        } else {
            v->code = "AA";
            r->outcome = PMSSIM_KEPT;
        }
    }
    if (mode == PMSSIM_DROP_ACK)
        v->code = NULL;                 /* kept (or not), never answered */
    snprintf(r->answer, sizeof r->answer, "%s", v->code ? v->code : "");
    return SW_OK;
}

/* Enhanced mode (MSH-15 given) answers with the accept codes. */
static const char *enhanced(const char *code)
{
    return strcmp(code, "AA") == 0 ? "CA" : strcmp(code, "AE") == 0 ? "CE"
                                                                    : "CR";
}

int pmssim_answer(void *ctx, const mllp_peer *peer, const char *msg,
                  size_t len, sw_buf *reply)
{
    (void)peer;
    pmssim *p = ctx;
    int64_t now = sw_now_wall_ms();
    sw_arena *a = sw_arena_create(0);
    if (a == NULL)
        return SW_ENOMEM;
    hl7_message *m = NULL;
    sw_err err;
    int rc = hl7_parse(a, msg, len, &m, &err);
    if (rc != SW_OK) {
        /* Not HL7 we can read: a content error naming what is wrong. */
        hl7_ack_error e = { .code = "102", .text = sw_err_text(&err) };
        rc = hl7_ack_build(NULL, msg, len, "AE", sw_err_text(&err), &e, 1, now,
                           reply);
        sw_arena_destroy(a);
        return rc;
    }

    verdict v = { 0 };
    pthread_mutex_lock(&p->lock);
    rc = decide(p, m, msg, len, now, &v);
    pthread_mutex_unlock(&p->lock);
    if (rc == SW_OK && v.slow_ms > 0)
        sleep_ms(v.slow_ms);
    if (rc == SW_OK && v.code == NULL)
        rc = SW_EIO;                    /* close without a reply */
    if (rc == SW_OK) {
        const char *msh15 = hl7_get(m, "MSH", 1, 15, 1, 1, 1);
        const char *code = msh15 && msh15[0] && msh15 != HL7_NULL_TEXT
                         ? enhanced(v.code) : v.code;
        rc = hl7_ack_build(m, msg, len, code, v.text, v.errors.items,
                           v.errors.n, sw_now_wall_ms(), reply);
    }
    sw_arena_destroy(a);
    return rc;
}
