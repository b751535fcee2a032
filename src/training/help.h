/* help.h - help requests (table help_request in the production store;
 * docs/training.md "Help requests").
 *
 * A user stuck on a module asks for help from the screen they are on; the
 * request reaches every super-user of the module (superusers.h) as one
 * inbox item each (INBOX_HELP, res_type HELP_RES_TYPE, res_id the request
 * number), in the same transaction as the request. It carries the module
 * and the screen, and a text only when the user wrote one: nothing from
 * the chart is copied into it. When one super-user answers, the request
 * is marked answered and every recipient's item is done.
 *
 * Each create and answer is audited (feature HELP_FEATURE; detail the
 * module, never the text). Ownership: strings live in the arena passed
 * in. Workload: a few requests a day per practice. */
#ifndef SW_TRAINING_HELP_H
#define SW_TRAINING_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/arena.h"
#include "core/errors.h"
#include "store/store.h"

#define HELP_FEATURE    "training.help"
#define HELP_RES_TYPE   "HelpRequest"
#define HELP_SCREEN_MAX 200     /* bytes of the screen's name */
#define HELP_TEXT_MAX   2000    /* bytes of the user's own words */
#define HELP_LIST_MAX   200     /* requests listed at most */

/* Creates the request of who on module (a catalog id, checked by the
 * caller) from screen, with text ("" for none), and the super-users'
 * inbox items (the asker's own excluded). *request_id and *recipients get
 * its number and how many inboxes it reached. SW_ECONFLICT when the module
 * has no super-user but the asker (nobody would see it). */
int help_create(sw_store *s, const audit_who *who, const char *module,
                const char *screen, const char *text, int64_t *request_id,
                int64_t *recipients, sw_err *err);

typedef struct help_row {
    int64_t     request_id;
    int64_t     user_id;
    const char *username;        /* who asked */
    const char *display_name;
    const char *module;
    const char *screen;
    const char *text;
    int64_t     created_at_ms;
    int64_t     answered_by;     /* 0: not answered */
    const char *answered_by_username;
    const char *answered_by_name;
    int64_t     answered_at_ms;
    bool        mine;            /* user_id asked it (else it was sent to them) */
} help_row;

/* The requests user_id sent and those sent to them, newest first. */
int help_list(sw_store *s, sw_arena *a, int64_t practice_id, int64_t user_id,
              help_row **rows, size_t *n, sw_err *err);

/* Marks request_id answered by who: allowed to a user it was sent to or a
 * super-user of its module (SW_EFORBIDDEN otherwise; SW_ENOTFOUND when
 * there is no such request). Answering again changes nothing; *row (may be
 * NULL) gets the request as it stands, strings in a. */
int help_answer(sw_store *s, sw_arena *a, const audit_who *who,
                int64_t request_id, help_row *row, sw_err *err);

#endif
