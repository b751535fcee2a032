/* test_checkpoint.c - SQLite's write-ahead log is copied back into the
 * database file while the store is open (the checkpoint thread), not only
 * when it closes: a server that runs for weeks must not grow its WAL
 * without bound, nor make every read search an ever longer log. */
#include "store_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"

#define ROW_BYTES 3000
#define ROWS_PER_WRITE 1000

static int fill(store_tx *tx, void *arg)
{
    int64_t *next = arg;
    char *payload = malloc(ROW_BYTES);
    ST_CHECK(tx, payload != NULL);
    memset(payload, 'x', ROW_BYTES);
    int rc = SW_OK;
    for (int i = 0; i < ROWS_PER_WRITE && rc == SW_OK; i++)
        rc = store_exec(tx, NULL, "INSERT INTO big (id, payload) VALUES (?, ?)",
                        "is", (*next)++, payload, (size_t)ROW_BYTES);
    free(payload);
    return rc;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

static void test_wal_is_checkpointed_while_open(void **state)
{
    (void)state;
    char *url = NULL;
    sw_store *s = st_open_fresh(&url, 2);
    st_script(s, "CREATE TABLE big (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)");
    const char *path = url + strlen("sqlite:");
    off_t before = file_size(path);
    /* Well past the checkpoint threshold: each write adds about 750 pages. */
    int64_t next = 1;
    int writes = SW_STORE_CHECKPOINT_PAGES / 700 + 4;
    sw_err err;
    for (int i = 0; i < writes; i++)
        st_assert_rc(store_write(s, fill, &next, &err), SW_OK, &err);
    /* The checkpoint runs on its own thread: give it a moment. */
    off_t after = before;
    for (int waited = 0; waited < 10000 && after < before + 8 * 1024 * 1024; waited += 50) {
        usleep(50 * 1000);
        after = file_size(path);
    }
    assert_true(after >= before + 8 * 1024 * 1024);
    assert_int_equal(st_int(s, "SELECT COUNT(*) FROM big"), next - 1);
    store_close(s);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wal_is_checkpointed_while_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
