/* course_int.h - what course.c (files, courses, exercises) and
 * course_checks.c (the checks of an exercise) share. Internal to
 * src/training/. */
#ifndef SW_TRAINING_COURSE_INT_H
#define SW_TRAINING_COURSE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "training/course.h"

/* Copies string member `key` of o into out (cap bytes): required or not,
 * at most cap-1 bytes; path ("exercises[0].") prefixes the member in the
 * sentence. */
int course_get_str(const char *file, const char *path, json_t *o,
                   const char *key, bool required, char *out, size_t cap,
                   sw_err *err);

/* Whether every member of o is one of names (NULL-terminated); otherwise
 * SW_EBADREQUEST with "FILE: PATHKEY is not a member of WHAT" (what: "a
 * course file", "an \"audit\" check"). */
int course_only_members(const char *file, const char *path, json_t *o,
                        const char *const *names, const char *what,
                        sw_err *err);

/* Reads check o of an exercise (path: "exercises[0].checks[1].") into c. */
int course_parse_check(const char *file, const char *path, json_t *o,
                       course_check *c, sw_err *err);

#endif
