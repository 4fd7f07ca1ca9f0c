/* The `pinetl stream` command: --until-idle drains the logs and exits 0 (with --stats-json), a
 * --follow run stops cleanly on SIGTERM (what it read is committed; periodic status lines
 * without a terminal), the two agree once resumed, an empty landing folder is drained at once,
 * and usage errors exit 2.
 *
 * Environment: PINETL_EXE, STREAM_TEST_WRITER (as test_stream_exactly_once). */
#include <fcntl.h>
#include <sys/stat.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "slog_util.h"
#include "stream_test_util.h"

static const char *exe, *writer_exe;
static char dir[256], landing[512], db1[512], db2[512], stats[512], errlog[512];

static pid_t spawn_to(char *const argv[], const char *err_path) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc ? -1 : pid;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_until_idle(void) {
    char *w[] = {(char *)writer_exe, landing, (char *)"500", NULL};
    CHECK_INT(st_run(w), 0);
    char *argv[] = {(char *)exe,
                    (char *)"stream",
                    (char *)"--landing",
                    landing,
                    (char *)"--db",
                    db1,
                    (char *)"--until-idle",
                    (char *)"--batch-records",
                    (char *)"64",
                    (char *)"--stats-json",
                    stats,
                    NULL};
    pid_t pid = spawn_to(argv, errlog);
    CHECK_INT(st_wait(pid), 0);
    const char *err = slurp(errlog);
    CHECK(err && strstr(err, "2000 records committed") && strstr(err, "(drained)"));
    uint64_t pos[3][2];
    CHECK_INT(st_check_db(db1, pos), 0);
    CHECK_INT(pos[0][0] + pos[0][1] + pos[1][0] + pos[2][0], 2000);
    const char *js = slurp(stats);
    CHECK(js && strstr(js, "\"records\": 2000") && strstr(js, "\"shards\": 4") &&
          strstr(js, "\"batches\": 32") && strstr(js, "\"latency_p99_us\": "));
    /* Again: nothing new, nothing done. */
    CHECK_INT(st_wait(spawn_to(argv, errlog)), 0);
    err = slurp(errlog);
    CHECK(err && strstr(err, " 0 records committed"));
}

static void test_sigterm(void) {
    char *w[] = {(char *)writer_exe, landing, (char *)"1500", (char *)"500", NULL};
    pid_t writer = st_spawn(w);
    char *argv[] = {(char *)exe,         (char *)"stream",
                    (char *)"--landing", landing,
                    (char *)"--db",      db2,
                    (char *)"--follow",  (char *)"--progress-interval",
                    (char *)"1",         (char *)"--batch-ms",
                    (char *)"50",        NULL};
    pid_t pid = spawn_to(argv, errlog);
    st_sleep_ms(1600);
    CHECK_INT(kill(pid, SIGTERM), 0);
    CHECK_INT(st_wait(pid), 0);
    const char *err = slurp(errlog);
    CHECK(err && strstr(err, "(stopped by a signal)"));
    /* At least one periodic line before the summary. */
    const char *first = err ? strstr(err, "stream: ") : NULL;
    CHECK(first && strstr(first + 1, "stream: "));
    uint64_t pos[3][2];
    CHECK_INT(st_check_db(db2, pos), 0);
    CHECK(pos[0][0] > 0); /* it had committed records when stopped */
    CHECK_INT(st_wait(writer), 0);
    /* Resumed to the end, it equals a run over the complete logs. */
    char *resume[] = {
        (char *)exe, (char *)"stream",       (char *)"--landing", landing, (char *)"--db",
        db2,         (char *)"--until-idle", (char *)"--quiet",   NULL};
    CHECK_INT(st_run(resume), 0);
    char *more[] = {
        (char *)exe, (char *)"stream",       (char *)"--landing", landing, (char *)"--db",
        db1,         (char *)"--until-idle", (char *)"--quiet",   NULL};
    CHECK_INT(st_run(more), 0);
    CHECK_INT(st_check_db(db2, pos), 0);
    CHECK_INT(pos[2][0], 1500);
    CHECK_INT(st_compare_dbs(db1, db2), 0);
}

static void test_empty_and_usage(void) {
    char empty[600], edb[600];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    snprintf(edb, sizeof edb, "%s/empty.db", dir);
    char *idle[] = {(char *)exe,
                    (char *)"stream",
                    (char *)"--landing",
                    empty,
                    (char *)"--db",
                    edb,
                    (char *)"--until-idle",
                    NULL};
    /* A landing folder that does not exist is an error, not "0 shards" (issue 18, item 8). */
    CHECK_INT(st_wait(spawn_to(idle, errlog)), 1);
    CHECK(strstr(slurp(errlog), "does not exist") != NULL);
    CHECK_INT(mkdir(empty, 0777), 0);
    CHECK_INT(st_wait(spawn_to(idle, errlog)), 0);
    char *no_db[] = {(char *)exe, (char *)"stream", (char *)"--landing", empty, NULL};
    CHECK_INT(st_wait(spawn_to(no_db, errlog)), 2);
    CHECK(strstr(slurp(errlog), "--db is required") != NULL);
    char *bad_map[] = {
        (char *)exe, (char *)"stream",   (char *)"--landing",   empty, (char *)"--db",
        edb,         (char *)"--stream", (char *)"clicks=nope", NULL};
    CHECK_INT(st_wait(spawn_to(bad_map, errlog)), 2);
    CHECK(strstr(slurp(errlog), "NAME=pin|geo|user") != NULL);
    char *bad_n[] = {
        (char *)exe, (char *)"stream",          (char *)"--landing", empty, (char *)"--db",
        edb,         (char *)"--batch-records", (char *)"0",         NULL};
    CHECK_INT(st_wait(spawn_to(bad_n, errlog)), 2);
}

int main(void) {
    exe = getenv("PINETL_EXE");
    writer_exe = getenv("STREAM_TEST_WRITER");
    if (!exe || !writer_exe) {
        fprintf(stderr, "PINETL_EXE and STREAM_TEST_WRITER must name the programs\n");
        return 1;
    }
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(landing, sizeof landing, "%s/landing", dir);
    snprintf(db1, sizeof db1, "%s/one.db", dir);
    snprintf(db2, sizeof db2, "%s/two.db", dir);
    snprintf(stats, sizeof stats, "%s/stats.json", dir);
    snprintf(errlog, sizeof errlog, "%s/stderr.txt", dir);
    RUN(test_until_idle);
    RUN(test_sigterm);
    RUN(test_empty_and_usage);
    if (!check_failures)
        slog_rmtree(dir);
    else
        fprintf(stderr, "kept %s\n", dir);
    return check_done();
}
