/* records.c - training records, exercises and assignments in the
 * production store (see records.h). Each change is one transaction. */
#include "training/records.h"

#include <string.h>

#define REC_COLS "user_id, course_id, started_at, completed_at, " \
                 "seconds_spent, proficiency_score, proficiency_pass, " \
                 "proficiency_at, proficiency_start"

static void rec_row(store_stmt *st, sw_arena *a, training_rec *r)
{
    size_t n;
    const char *c = store_col_text(st, 1, &n);
    r->user_id = store_col_int64(st, 0);
    r->course_id = a ? sw_arena_strndup(a, c, n) : NULL;
    r->started_at = store_col_int64(st, 2);
    r->completed_at = store_col_int64(st, 3);
    r->seconds_spent = store_col_int64(st, 4);
    r->proficiency_score = store_col_int64(st, 5);
    r->proficiency_pass = store_col_int64(st, 6) != 0;
    r->proficiency_at = store_col_int64(st, 7);
    r->proficiency_start = store_col_int64(st, 8);
}

/* Prepares sql, whose first three parameters are the practice, the user
 * and the course: the one key of a trainee's course. */
static int prepare_course(store_tx *tx, const char *sql, int64_t pid,
                          int64_t uid, const char *course, store_stmt **st)
{
    int rc = store_prepare(tx, sql, st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(*st, 1, pid);
    store_bind_int64(*st, 2, uid);
    store_bind_cstr(*st, 3, course);
    return SW_OK;
}

/* Prepares a list's sql, whose parameters are the practice and the user
 * twice (user 0 lists every user's rows). */
static int prepare_list(store_tx *tx, const char *sql, int64_t pid,
                        int64_t uid, store_stmt **st)
{
    int rc = store_prepare(tx, sql, st);
    if (rc != SW_OK)
        return rc;
    store_bind_int64(*st, 1, pid);
    store_bind_int64(*st, 2, uid);
    store_bind_int64(*st, 3, uid);
    return SW_OK;
}

/* Makes room for one more row in an arena array of rows of size bytes,
 * doubling it when full (the old copy stays in the arena until it goes). */
static int grow_rows(sw_arena *a, void **rows, size_t n, size_t *cap,
                     size_t size)
{
    if (n < *cap)
        return SW_OK;
    size_t more = *cap ? *cap * 2 : 32;
    void *r = sw_arena_calloc(a, more, size);
    if (r == NULL)
        return SW_ENOMEM;
    if (n)
        memcpy(r, *rows, n * size);
    *rows = r;
    *cap = more;
    return SW_OK;
}

/* Starts the trainee's record of the course unless it exists: starting,
 * progress and a proficiency check each may be the first thing they do. */
static int ensure_record(store_tx *tx, int64_t pid, int64_t uid,
                         const char *course, int64_t now, bool *created)
{
    int64_t have = 0;
    int rc = store_query_int64(tx, &have, "SELECT COUNT(*) FROM training_record"
                               " WHERE practice_id = ? AND user_id = ? AND "
                               "course_id = ?", "iit", pid, uid, course);
    if (rc != SW_OK || have)
        return rc;
    if (created)
        *created = true;
    return store_exec(tx, NULL, "INSERT INTO training_record (practice_id, "
                      "user_id, course_id, started_at) VALUES (?, ?, ?, ?)",
                      "iiti", pid, uid, course, now);
}

struct get_ctx {
    int64_t pid, uid;
    const char *course;
    training_rec *out;
    bool found;
};

static int get_fn(store_tx *tx, void *arg)
{
    struct get_ctx *c = arg;
    store_stmt *st;
    int rc = prepare_course(tx, "SELECT " REC_COLS " FROM training_record "
                            "WHERE practice_id = ? AND user_id = ? AND "
                            "course_id = ?", c->pid, c->uid, c->course, &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    rc = store_step(st, &row);
    if (rc == SW_OK && row) {
        rec_row(st, NULL, c->out);
        c->out->course_id = c->course;
        c->found = true;
    }
    store_finalize(st);
    return rc;
}

int training_rec_get(sw_store *s, int64_t practice_id, int64_t user_id,
                     const char *course_id, training_rec *out, sw_err *err)
{
    struct get_ctx c = { practice_id, user_id, course_id, out, false };
    int rc = store_read(s, get_fn, &c, err);
    if (rc == SW_OK && !c.found)
        return sw_err_set(err, SW_ENOTFOUND, "no training record");
    return rc;
}

struct start_ctx {
    int64_t pid, uid, now;
    const char *course;
    bool created;
};

static int start_fn(store_tx *tx, void *arg)
{
    struct start_ctx *c = arg;
    return ensure_record(tx, c->pid, c->uid, c->course, c->now, &c->created);
}

int training_rec_start(sw_store *s, int64_t practice_id, int64_t user_id,
                       const char *course_id, int64_t now_ms, bool *created,
                       sw_err *err)
{
    struct start_ctx c = { practice_id, user_id, now_ms, course_id, false };
    int rc = store_write(s, start_fn, &c, err);
    if (created)
        *created = c.created;
    return rc;
}

struct done_ctx {
    int64_t pid, uid;
    const char *course;
    char (*ids)[48];
    size_t cap, n;
};

static int done_fn(store_tx *tx, void *arg)
{
    struct done_ctx *c = arg;
    store_stmt *st;
    int rc = prepare_course(tx, "SELECT exercise_id FROM training_exercise "
                            "WHERE practice_id = ? AND user_id = ? AND "
                            "course_id = ?", c->pid, c->uid, c->course, &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row && c->n < c->cap) {
        size_t n;
        const char *id = store_col_text(st, 0, &n);
        if (n < 48) {
            memcpy(c->ids[c->n], id, n);
            c->ids[c->n++][n] = '\0';
        }
    }
    store_finalize(st);
    return rc;
}

int training_rec_done(sw_store *s, int64_t practice_id, int64_t user_id,
                      const char *course_id, char ids[][48], size_t cap,
                      size_t *n, sw_err *err)
{
    struct done_ctx c = { practice_id, user_id, course_id, ids, cap, 0 };
    int rc = store_read(s, done_fn, &c, err);
    *n = c.n;
    return rc;
}

struct progress_ctx {
    int64_t pid, uid, now;
    const char *course;
    const char *const *ids;
    size_t n;
    bool complete;
};

static int progress_fn(store_tx *tx, void *arg)
{
    struct progress_ctx *c = arg;
    int rc = ensure_record(tx, c->pid, c->uid, c->course, c->now, NULL);
    for (size_t i = 0; rc == SW_OK && i < c->n; i++) {
        rc = store_exec(tx, NULL, "INSERT INTO training_exercise (practice_id,"
                        " user_id, course_id, exercise_id, done_at) VALUES "
                        "(?, ?, ?, ?, ?)", "iitti", c->pid, c->uid, c->course,
                        c->ids[i], c->now);
        if (rc == SW_OK)
            rc = store_exec(tx, NULL, "UPDATE training_assignment SET done_at "
                            "= ? WHERE practice_id = ? AND user_id = ? AND "
                            "course_id = ? AND exercise_id = ? AND done_at = 0",
                            "iiitt", c->now, c->pid, c->uid, c->course, c->ids[i]);
    }
    if (rc == SW_OK && c->complete) {
        /* Time spent: from the start to the completion. */
        rc = store_exec(tx, NULL, "UPDATE training_record SET completed_at = ?,"
                        " seconds_spent = (? - started_at) / 1000 WHERE "
                        "practice_id = ? AND user_id = ? AND course_id = ? AND "
                        "completed_at = 0", "iiiit", c->now, c->now, c->pid,
                        c->uid, c->course);
        if (rc == SW_OK)
            rc = store_exec(tx, NULL, "UPDATE training_assignment SET done_at "
                            "= ? WHERE practice_id = ? AND user_id = ? AND "
                            "course_id = ? AND done_at = 0", "iiit", c->now,
                            c->pid, c->uid, c->course);
    }
    return rc;
}

int training_rec_progress(sw_store *s, int64_t practice_id, int64_t user_id,
                          const char *course_id, const char *const *done_ids,
                          size_t ndone, bool complete, int64_t now_ms,
                          sw_err *err)
{
    struct progress_ctx c = { practice_id, user_id, now_ms, course_id,
                              done_ids, ndone, complete };
    return store_write(s, progress_fn, &c, err);
}

struct prof_ctx {
    int64_t pid, uid, now, score;
    const char *course;
    bool finish, passed;
};

static int prof_fn(store_tx *tx, void *arg)
{
    struct prof_ctx *c = arg;
    if (!c->finish) {
        int rc = ensure_record(tx, c->pid, c->uid, c->course, c->now, NULL);
        if (rc != SW_OK)
            return rc;
        return store_exec(tx, NULL, "UPDATE training_record SET "
                          "proficiency_start = ? WHERE practice_id = ? AND "
                          "user_id = ? AND course_id = ?", "iiit", c->now,
                          c->pid, c->uid, c->course);
    }
    return store_exec(tx, NULL, "UPDATE training_record SET proficiency_score "
                      "= ?, proficiency_pass = ?, proficiency_at = ?, "
                      "proficiency_start = 0 WHERE practice_id = ? AND "
                      "user_id = ? AND course_id = ?", "iiiiit", c->score,
                      (int64_t)(c->passed ? 1 : 0), c->now, c->pid, c->uid,
                      c->course);
}

int training_rec_proficiency_start(sw_store *s, int64_t practice_id,
                                   int64_t user_id, const char *course_id,
                                   int64_t now_ms, sw_err *err)
{
    struct prof_ctx c = { practice_id, user_id, now_ms, 0, course_id, false, false };
    return store_write(s, prof_fn, &c, err);
}

int training_rec_proficiency_finish(sw_store *s, int64_t practice_id,
                                    int64_t user_id, const char *course_id,
                                    int score, bool passed, int64_t now_ms,
                                    sw_err *err)
{
    struct prof_ctx c = { practice_id, user_id, now_ms, score, course_id, true, passed };
    return store_write(s, prof_fn, &c, err);
}

struct list_ctx {
    sw_arena *a;
    int64_t pid, uid;
    training_rec *rows;
    training_assign *arows;
    size_t n, cap;
};

static int list_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    store_stmt *st;
    int rc = prepare_list(tx, "SELECT " REC_COLS " FROM training_record "
                          "WHERE practice_id = ? AND (? = 0 OR user_id = ?) "
                          "ORDER BY user_id, course_id", c->pid, c->uid, &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        void *rows = c->rows;
        if ((rc = grow_rows(c->a, &rows, c->n, &c->cap, sizeof *c->rows))
            != SW_OK)
            break;
        c->rows = rows;
        rec_row(st, c->a, &c->rows[c->n++]);
    }
    store_finalize(st);
    return rc;
}

int training_rec_list(sw_store *s, sw_arena *a, int64_t practice_id,
                      int64_t user_id, training_rec **rows, size_t *n,
                      sw_err *err)
{
    struct list_ctx c = { .a = a, .pid = practice_id, .uid = user_id };
    int rc = store_read(s, list_fn, &c, err);
    *rows = c.rows;
    *n = c.n;
    return rc;
}

struct add_ctx {
    int64_t pid, id;
    const training_assign *a;
};

static int add_fn(store_tx *tx, void *arg)
{
    struct add_ctx *c = arg;
    int64_t last = 0;
    int rc = store_query_int64(tx, &last, "SELECT COALESCE(MAX(assignment_id),"
                               " 0) FROM training_assignment WHERE practice_id"
                               " = ?", "i", c->pid);
    if (rc != SW_OK)
        return rc;
    c->id = last + 1;
    const training_assign *a = c->a;
    return store_exec(tx, NULL, "INSERT INTO training_assignment (practice_id,"
                      " assignment_id, user_id, course_id, exercise_id, reason,"
                      " due_date, assigned_by, assigned_at) VALUES (?, ?, ?, "
                      "?, ?, ?, ?, ?, ?)", "iiittttii", c->pid, c->id, a->user_id, a->course_id,
                      a->exercise_id ? a->exercise_id : "", a->reason,
                      a->due_date, a->assigned_by, a->assigned_at);
}

int training_assign_add(sw_store *s, int64_t practice_id,
                        const training_assign *a, int64_t *id, sw_err *err)
{
    struct add_ctx c = { practice_id, 0, a };
    int rc = store_write(s, add_fn, &c, err);
    *id = c.id;
    return rc;
}

static int alist_fn(store_tx *tx, void *arg)
{
    struct list_ctx *c = arg;
    store_stmt *st;
    int rc = prepare_list(tx, "SELECT assignment_id, user_id, course_id, "
                          "exercise_id, reason, due_date, assigned_by, "
                          "assigned_at, done_at FROM training_assignment "
                          "WHERE practice_id = ? AND (? = 0 OR user_id = ?) "
                          "ORDER BY assignment_id DESC", c->pid, c->uid, &st);
    if (rc != SW_OK)
        return rc;
    bool row;
    while ((rc = store_step(st, &row)) == SW_OK && row) {
        void *rows = c->arows;
        if ((rc = grow_rows(c->a, &rows, c->n, &c->cap, sizeof *c->arows))
            != SW_OK)
            break;
        c->arows = rows;
        training_assign *r = &c->arows[c->n++];
        size_t n;
        const char *t;
        r->assignment_id = store_col_int64(st, 0);
        r->user_id = store_col_int64(st, 1);
        t = store_col_text(st, 2, &n);
        r->course_id = sw_arena_strndup(c->a, t, n);
        t = store_col_text(st, 3, &n);
        r->exercise_id = sw_arena_strndup(c->a, t, n);
        t = store_col_text(st, 4, &n);
        r->reason = sw_arena_strndup(c->a, t, n);
        t = store_col_text(st, 5, &n);
        r->due_date = sw_arena_strndup(c->a, t, n);
        r->assigned_by = store_col_int64(st, 6);
        r->assigned_at = store_col_int64(st, 7);
        r->done_at = store_col_int64(st, 8);
        if (!r->course_id || !r->exercise_id || !r->reason || !r->due_date) {
            rc = SW_ENOMEM;
            break;
        }
    }
    store_finalize(st);
    return rc;
}

int training_assign_list(sw_store *s, sw_arena *a, int64_t practice_id,
                         int64_t user_id, training_assign **rows, size_t *n,
                         sw_err *err)
{
    struct list_ctx c = { .a = a, .pid = practice_id, .uid = user_id };
    int rc = store_read(s, alist_fn, &c, err);
    *rows = c.arows;
    *n = c.n;
    return rc;
}
