/* course.h - training courses as data (docs/training.md "Courses and
 * exercises"): one JSON file per course in the courses/ directory, loaded
 * once at start and never changed while serving.
 *
 * A course belongs to one module of the catalog (rollout/catalog.h). Its
 * id is the module's `course` id ("course-eprescribing"), or for a role
 * variant that id, a dash and a suffix ("course-registration-front-desk"):
 * the go-live gates find a module's courses by that prefix. Each exercise
 * names the checks (check.h) that must all find the trainee's work in the
 * training store; the proficiency check re-runs them all, timed.
 *
 * Ownership: training_courses_load allocates the catalog; the caller frees
 * it with training_courses_free. Everything in it is read-only after. */
#ifndef SW_TRAINING_COURSE_H
#define SW_TRAINING_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errors.h"

#define COURSE_MAX_ROLES      8
#define COURSE_MAX_EXERCISES  5
#define COURSE_MAX_CHECKS     4
#define COURSE_MAX_COURSES    64
#define COURSE_FILE_MAX       (64 * 1024)
#define COURSE_DEFAULT_PASS_MARK   80
#define COURSE_DEFAULT_TIME_LIMIT  20   /* minutes */

typedef enum course_check_kind {
    COURSE_CHECK_AUDIT,              /* the trainee's audit entries */
    COURSE_CHECK_REGISTERED_PATIENT, /* a patient the trainee registered */
    COURSE_CHECK_RECORD,             /* records the trainee wrote */
    COURSE_CHECK_SIGNED_VISIT,       /* a visit the trainee signed */
} course_check_kind;

typedef struct course_check {
    course_check_kind kind;
    char feature[64];       /* audit: "eprescribing.send" */
    char case_id[40];       /* audit, record, signed_visit: the case patient
                               ("" for any patient) */
    char detail[64];        /* audit: text the entry's detail must hold */
    char name_prefix[40];   /* registered_patient: "Trainee" */
    char res_type[32];      /* record: a FHIR type of record_types() */
    char code[128];         /* record: "system|code" or "code"; "" any */
    char status[32];        /* record: the status it must have; "" any */
    int  min;               /* audit, record: how many at least (>= 1) */
    int  min_diagnoses;     /* signed_visit: diagnoses on the visit */
} course_check;

/* The FHIR types a record check may name, and the elements holding their
 * code and status (check.c reads them). */
typedef struct course_record_type {
    const char *type;        /* "Condition" */
    const char *code;        /* element: a CodeableConcept or a list of them */
    const char *status;      /* element: a code or a CodeableConcept */
    bool        status_is_concept;
} course_record_type;

/* The row of type, or NULL when a record check cannot name it. */
const course_record_type *course_record_type_find(const char *type);

typedef struct course_exercise {
    char         id[48];
    char         title[160];
    course_check checks[COURSE_MAX_CHECKS];
    size_t       nchecks;
} course_exercise;

typedef struct training_course {
    char            id[64];
    char            module[32];
    char            title[120];
    char            roles[COURSE_MAX_ROLES][32];   /* role ids; none: all */
    size_t          nroles;
    course_exercise exercises[COURSE_MAX_EXERCISES];
    size_t          nexercises;
    int             pass_mark;            /* percent, 1-100 */
    int             time_limit_minutes;   /* 1-240 */
} training_course;

typedef struct training_courses {
    training_course *items;
    size_t           n;
} training_courses;

/* Parses one course file's text (name for the error sentence); SW_OK, or
 * SW_EBADREQUEST with one sentence naming the file and the member. */
int training_course_parse(const char *name, const char *text,
                          training_course *out, sw_err *err);
/* Every *.json file of dir, sorted by file name; duplicate ids are an
 * error. */
int training_courses_load(const char *dir, training_courses **out, sw_err *err);
void training_courses_free(training_courses *c);
/* The course with this id, or NULL. */
const training_course *training_course_find(const training_courses *c,
                                            const char *id);
/* Whether the course is meant for someone with these roles (comma-
 * separated role ids): a course without roles is for everyone. */
bool training_course_for_roles(const training_course *c, const char *roles);

#endif
