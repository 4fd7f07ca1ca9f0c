/* A reader tails a log while a writer appends in another thread (batches of random sizes, some
 * syncs, some big payloads): it gets every record exactly once, in order, byte for byte, and
 * PINETL_DONE only at the current end. Then a second reader opened mid-way by offset hint. */
#include <pthread.h>
#include <time.h>

#include <pinetl/streamlog.h>

#include "check.h"
#include "slog_util.h"

enum { TOTAL = 20000 };
static const size_t BIG = 1u << 20;
static char dir[256], path[512];
static int writer_failed;

static void *writer(void *arg) {
    pinetl_streamlog *log = arg;
    uint64_t seq = 1;
    unsigned x = 7;
    while (seq <= TOTAL) {
        x = x * 1103515245u + 12345u;
        size_t n = 1 + (x >> 16) % 64;
        if (seq + n - 1 > TOTAL)
            n = (size_t)(TOTAL - seq + 1);
        if (slog_append(log, seq, n, BIG)) {
            writer_failed = 1;
            break;
        }
        seq += n;
        if ((x >> 8) % 16 == 0 && pinetl_streamlog_sync(log))
            writer_failed = 1;
        if ((x >> 4) % 8 == 0) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void test_tail_while_appending(void) {
    snprintf(path, sizeof path, "%s/streams/t-geo/shardId-000000000000.log", dir);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 0), PINETL_OK);
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, writer, log), 0);
    uint64_t expect = 1, dones = 0, bad = 0, mid_offset = 0;
    pinetl_streamlog_record rec;
    time_t deadline = time(NULL) + 120;
    while (expect <= TOTAL && time(NULL) < deadline) {
        int rc = pinetl_streamlog_reader_next(&rec, r);
        if (rc == PINETL_DONE) {
            dones++;
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (rc != PINETL_BATCH) {
            fprintf(stderr, "reader: %d %s\n", rc, pinetl_error_last());
            bad++;
            break;
        }
        if (rec.seq != expect || !slog_matches(&rec, BIG))
            bad++;
        if (rec.seq == TOTAL / 2)
            mid_offset = pinetl_streamlog_reader_offset(r);
        expect++;
    }
    pthread_join(t, NULL);
    CHECK_INT(writer_failed, 0);
    CHECK_INT(bad, 0);
    CHECK_INT(expect, TOTAL + 1);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_DONE);
    fprintf(stderr, "tailed %d records, %llu times at the current end\n", TOTAL,
            (unsigned long long)dones);
    CHECK(dones > 0); /* the reader did catch up with the writer */
    pinetl_streamlog_reader_free(r);
    CHECK_INT(pinetl_streamlog_reader_open_at(&r, path, TOTAL / 2, mid_offset), PINETL_OK);
    uint64_t n = 0;
    while (pinetl_streamlog_reader_next(&rec, r) == PINETL_BATCH)
        n += rec.seq == TOTAL / 2 + 1 + n && slog_matches(&rec, BIG);
    CHECK_INT(n, TOTAL / 2);
    pinetl_streamlog_reader_free(r);
    pinetl_streamlog_free(log);
}

int main(void) {
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_tail_while_appending);
    slog_rmtree(dir);
    return check_done();
}
