/* test_backup_schedule.c - scheduled backups from `stagewise serve
 * --backup-dir DIR --backup-every DURATION --backup-keep N`
 * (docs/operations.md "Scheduled backups"), on either store: the server
 * backs up on its own, each good backup is recorded in ops_record, only
 * the newest N stay (a leftover from a failed run goes too), a kept
 * backup restores, and bad options are refused before serving. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "testapi.h"
#include "testdb.h"

static int64_t good_backups(const char *url)
{
    return sw_test_count_at(url, "SELECT COUNT(*) FROM ops_record "
                                 "WHERE kind = 'backup' AND ok = 1");
}

/* The entries of dir that are not dot files; the newest (by name) in
 * newest when it is given. */
static int entries(const char *dir, char *newest, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    if (newest)
        newest[0] = '\0';
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        n++;
        if (newest && strcmp(de->d_name, newest) > 0)
            snprintf(newest, cap, "%s", de->d_name);
    }
    closedir(d);
    return n;
}

static void the_server_backs_up_and_keeps_the_newest(void **state)
{
    (void)state;
    char *tmp = sw_test_tmpdir();
    char dir[4096], stale[4200];
    snprintf(dir, sizeof dir, "%s/backups", tmp);
    assert_int_equal(mkdir(dir, 0700), 0);
    /* What a failed run long ago left behind: no manifest. */
    snprintf(stale, sizeof stale, "%s/20000101T000000Z", dir);
    assert_int_equal(mkdir(stale, 0700), 0);

    sw_test_env e;
    assert_int_equal(sw_test_env_prepare(&e), 0);
    const char *extra[] = { "--backup-dir", dir, "--backup-every", "1s",
                            "--backup-keep", "2", NULL };
    assert_int_equal(sw_test_env_serve(&e, extra), 0);
    /* The server still serves while it backs up. */
    sw_test_patient(&e, "bs-p1", "Ana", "Schedule", "1980-02-03");

    /* Three good backups recorded, and only two kept. Polled, not timed:
     * the loop ends when both hold or after a minute. */
    int64_t good = 0;
    int kept = -1;
    for (int i = 0; i < 600; i++) {
        good = good_backups(e.db);
        kept = entries(dir, NULL, 0);
        if (good >= 3 && kept == 2)
            break;
        usleep(100 * 1000);
    }
    assert_true(good >= 3);
    assert_int_equal(kept, 2);
    struct stat st;
    assert_int_not_equal(stat(stale, &st), 0);

    char *log = sw_test_server_log(&e.srv);
    assert_non_null(strstr(log, "scheduled backup: "));
    assert_non_null(strstr(log, "(keeping the newest 2)"));
    free(log);
    assert_int_equal(sw_test_env_stop(&e), 0);

    /* The newest kept backup restores: its files and manifest verify. */
    char newest[256], path[4400];
    entries(dir, newest, sizeof newest);
    snprintf(path, sizeof path, "%s/%s", dir, newest);
    char *fresh = sw_test_fresh_db();
    const char *restore[] = { "restore", path, "--db", fresh, NULL };
    free(sw_test_expect_run(0, restore, NULL));
    free(fresh);
    free(tmp);
}

static void bad_schedules_are_refused(void **state)
{
    (void)state;
    const char *bad_every[] = { "serve", "--backup-dir", "/tmp/x",
                                "--backup-every", "5x", NULL };
    free(sw_test_expect_run(2, bad_every, "--backup-every"));
    const char *alone[] = { "serve", "--backup-dir", "/tmp/x", NULL };
    free(sw_test_expect_run(2, alone, "--backup-every"));
    const char *keep_alone[] = { "serve", "--backup-keep", "3", NULL };
    free(sw_test_expect_run(2, keep_alone, "--backup-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_server_backs_up_and_keeps_the_newest),
        cmocka_unit_test(bad_schedules_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
