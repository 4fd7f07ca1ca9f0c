/* `pinetl stream`, exactly once across kill -9: a writer process appends to four shard logs
 * (three streams, pin with two shards; bad records and repeated inds included) while the consumer
 * is killed with SIGKILL at random moments (at least 20 times, with random micro-batch sizes);
 * the writer too is killed now and then and restarted (a torn tail, cut on its restart). After
 * each kill the warehouse must hold exactly what its committed positions say (rows, with the
 * right version of each ind, and rejects). At the end, the resumed warehouse must equal the one
 * of a single uninterrupted run over the same logs: no duplicate, no gap.
 *
 * Environment: PINETL_EXE (the pinetl program), STREAM_TEST_WRITER (stream_test_writer),
 * STREAM_KILLS (kills, default 24). */
#include <pinetl/pinetl.h>

#include "check.h"
#include "slog_util.h"
#include "stream_test_util.h"

enum { TOTAL = 3000 };

static const char *exe, *writer_exe;
static char dir[256], landing[512], db[512], db_ref[512];

static pid_t start_writer(void) {
    char total[32];
    snprintf(total, sizeof total, "%d", TOTAL);
    char *argv[] = {(char *)writer_exe, landing, total, (char *)"400", (char *)"25", NULL};
    return st_spawn(argv);
}

static void test_kill_loop(void) {
    int kills = getenv("STREAM_KILLS") ? atoi(getenv("STREAM_KILLS")) : 24;
    if (kills < 20)
        kills = 20;
    pid_t writer = start_writer();
    CHECK(writer > 0);
    unsigned seed = (unsigned)time(NULL);
    fprintf(stderr, "seed %u\n", seed);
    srand(seed);
    int writer_kills = 0, bad_checks = 0, mid_stream = 0;
    uint64_t pos[3][2], last_total = 0;
    for (int k = 0; k < kills; k++) {
        static const char *const sizes[] = {"1", "7", "50", "400"};
        static const char *const times[] = {"0", "5", "30"};
        char *argv[] = {(char *)exe,
                        (char *)"stream",
                        (char *)"--landing",
                        landing,
                        (char *)"--db",
                        db,
                        (char *)"--batch-records",
                        (char *)sizes[rand() % 4],
                        (char *)"--batch-ms",
                        (char *)times[rand() % 3],
                        (char *)"--poll-ms",
                        (char *)"2",
                        (char *)"--quiet",
                        NULL};
        pid_t c = st_spawn(argv);
        CHECK(c > 0);
        st_sleep_ms(30 + rand() % 300);
        if (k % 5 == 2 && writer > 0) {
            kill(writer, SIGKILL);
            int ws = st_wait(writer);
            writer = -1;
            if (ws == 128 + SIGKILL) {
                writer_kills++;
                writer = start_writer(); /* recovers the torn tail, continues */
            }
        }
        kill(c, SIGKILL);
        int status = st_wait(c);
        if (status != 128 + SIGKILL)
            fprintf(stderr, "consumer ended with %d before the kill\n", status);
        CHECK_INT(status, 128 + SIGKILL);
        int diffs = st_check_db(db, pos);
        if (diffs)
            fprintf(stderr, "after kill %d: %d differences\n", k + 1, diffs);
        bad_checks += diffs != 0;
        uint64_t total = pos[0][0] + pos[0][1] + pos[1][0] + pos[2][0];
        if (total > last_total && total < 4u * TOTAL)
            mid_stream++;
        last_total = total;
    }
    CHECK_INT(bad_checks, 0);
    fprintf(stderr, "%d consumer kills (%d with progress mid-stream), %d writer kills\n", kills,
            mid_stream, writer_kills);
    CHECK(mid_stream >= 5); /* the kills did land while records were flowing */
    if (writer > 0)
        CHECK_INT(st_wait(writer), 0);
    /* The writer finished (a last run completes it if it was killed at the very end). */
    char total[32];
    snprintf(total, sizeof total, "%d", TOTAL);
    char *finish[] = {(char *)writer_exe, landing, total, NULL};
    CHECK_INT(st_run(finish), 0);

    /* Resume to the end, and compare with a single uninterrupted run. */
    char *resume[] = {
        (char *)exe, (char *)"stream",       (char *)"--landing", landing, (char *)"--db",
        db,          (char *)"--until-idle", (char *)"--quiet",   NULL};
    CHECK_INT(st_run(resume), 0);
    char *once[] = {
        (char *)exe, (char *)"stream",       (char *)"--landing", landing, (char *)"--db",
        db_ref,      (char *)"--until-idle", (char *)"--quiet",   NULL};
    CHECK_INT(st_run(once), 0);
    CHECK_INT(st_check_db(db, pos), 0);
    CHECK_INT(pos[0][0], TOTAL);
    CHECK_INT(pos[0][1], TOTAL);
    CHECK_INT(pos[1][0], TOTAL);
    CHECK_INT(pos[2][0], TOTAL);
    CHECK_INT(st_check_db(db_ref, NULL), 0);
    CHECK_INT(st_compare_dbs(db, db_ref), 0);
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
    snprintf(db, sizeof db, "%s/killed.db", dir);
    snprintf(db_ref, sizeof db_ref, "%s/once.db", dir);
    RUN(test_kill_loop);
    if (!check_failures)
        slog_rmtree(dir);
    else
        fprintf(stderr, "kept %s\n", dir);
    return check_done();
}
