/* demo.h - the demo practice that `make run` serves.
 *
 * `stagewise init --demo` marks practice 1 as the demo practice and fills it
 * with staff accounts for each role (and, as Stagewise grows, patients, a
 * rollout plan, training records and activity), so a newcomer can sign in
 * and try every screen. The demo accounts share one published password;
 * never use --demo for a real practice. */
#ifndef SW_DEMO_H
#define SW_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

#define DEMO_PRACTICE_NAME "Riverside Family Medicine (demo)"
#define DEMO_PASSWORD      "stagewise-demo"
#define DEMO_PRACTICE_ID   1

/* Creates what is missing of the demo practice; safe to run again. Prints
 * nothing. */
int  demo_seed(sw_store *s, sw_err *err);
/* The Practitioners the demo's clinician accounts are linked to. */
#define DEMO_PRACTITIONER_RIVERA "demo-rivera"
#define DEMO_PRACTITIONER_CHEN   "demo-chen"
#define DEMO_PRACTITIONER_OSEI   "demo-osei"
#define DEMO_PRACTITIONER_BROOKS "demo-brooks"

/* The service accounts: the practice-management system's interface and
 * the laboratory's. Neither has a password anyone knows, nor an API token
 * once init is done (demo_history.c uses one and revokes it). */
#define DEMO_PMS_USERNAME "pms.interface"
#define DEMO_LAB_USERNAME "lab.interface"

/* The clinical side (demo_clinic.c), each safe to run again: the
 * clinicians' Practitioner records and the demo's own patients with their
 * history (once), and today's clinic booked (when nothing is booked for
 * today yet), so the schedule is never empty on the day someone looks. */
int  demo_seed_clinic(sw_store *s, sw_err *err);
int  demo_book_today(sw_store *s, int64_t now_ms, sw_err *err);
/* The demo accounts, one per line, for the start-up banner. */
void demo_print_logins(FILE *out);

/* Months of the practice's history (demo_history.c): a staged plan, a
 * baseline and ten weeks of clinic days driven through the server's own
 * routes under a simulated clock, ending today (today_ms, the real
 * clock). Once per database: *built says whether it ran now (false: the
 * history was there). *summary (may be NULL) gets one line of what was
 * built. */
int  demo_history_build(sw_store *s, int64_t today_ms, bool *built,
                        char *summary, size_t cap, sw_err *err);

#endif
