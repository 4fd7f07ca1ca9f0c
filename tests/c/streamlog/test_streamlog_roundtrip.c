/* Stream log writer and reader: a round trip of many records (small, empty and big payloads,
 * larger than the reader's buffer), reopening continues the sequence, readers positioned after a
 * sequence number (by scan and by offset hint, a wrong hint falls back to the scan), one writer
 * per log, bad arguments. */
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <pinetl/streamlog.h>

#include "check.h"
#include "slog_util.h"

static char dir[256], path[512];

/* Reads everything from after_seq on; checks every record and returns the count. */
static uint64_t read_all(pinetl_streamlog_reader *r, uint64_t after_seq, size_t big, int *bad) {
    pinetl_streamlog_record rec;
    uint64_t n = 0, expect = after_seq + 1, prev_end = pinetl_streamlog_reader_offset(r);
    int rc;
    while ((rc = pinetl_streamlog_reader_next(&rec, r)) == PINETL_BATCH) {
        /* (before the first record, the offset of a reader opened by a wrong hint is the hint) */
        if (rec.seq != expect || !slog_matches(&rec, big) || (n && rec.offset != prev_end) ||
            rec.arrival_us <= 0)
            (*bad)++;
        prev_end = pinetl_streamlog_reader_offset(r);
        expect++;
        n++;
    }
    if (rc != PINETL_DONE)
        (*bad)++;
    return n;
}

static void test_round_trip_and_reopen(void) {
    snprintf(path, sizeof path, "%s/streams/s-pin/shardId-000000000000.log", dir);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    CHECK_INT(info.records, 0);
    CHECK_INT(info.cut_bytes, 0);
    CHECK(info.cut_reason == NULL);
    CHECK_INT(pinetl_streamlog_last_seq(log), 0);
    /* Batches of 1..50 records. */
    uint64_t seq = 1;
    for (size_t n = 1; n <= 50; n++) {
        CHECK_INT(slog_append(log, seq, n, 0), 0);
        seq += n;
    }
    CHECK_INT(pinetl_streamlog_last_seq(log), seq - 1);
    CHECK_INT(pinetl_streamlog_sync(log), PINETL_OK);
    /* An empty append moves nothing. */
    uint64_t first = 0;
    CHECK_INT(pinetl_streamlog_append(&first, log, NULL, 0), PINETL_OK);
    CHECK_INT(first, seq);
    /* A second writer is refused while this one is open. */
    pinetl_streamlog *other = NULL;
    CHECK_INT(pinetl_streamlog_open(&other, path, 0), PINETL_EIO);
    CHECK(strstr(pinetl_error_last(), "another writer") != NULL);
    uint64_t size = pinetl_streamlog_size(log);
    pinetl_streamlog_free(log);

    pinetl_streamlog_reader *r = NULL;
    int bad = 0;
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 0), PINETL_OK);
    CHECK_INT(read_all(r, 0, 0, &bad), seq - 1);
    CHECK_INT(bad, 0);
    CHECK_INT(pinetl_streamlog_reader_offset(r), size);
    uint64_t behind = 99;
    CHECK_INT(pinetl_streamlog_reader_behind(&behind, r), PINETL_OK);
    CHECK_INT(behind, 0);

    /* Reopen: nothing cut, the sequence continues. */
    CHECK_INT(pinetl_streamlog_open(&log, path, PINETL_STREAMLOG_NOCREATE), PINETL_OK);
    pinetl_streamlog_recovery_info(&info, log);
    CHECK_INT(info.records, seq - 1);
    CHECK_INT(info.first_seq, 1);
    CHECK_INT(info.size, size);
    CHECK_INT(info.cut_bytes, 0);
    CHECK_INT(pinetl_streamlog_last_seq(log), seq - 1);
    CHECK_INT(slog_append(log, seq, 10, 0), 0);
    seq += 10;
    /* The open reader tails what was appended. */
    CHECK_INT(pinetl_streamlog_reader_behind(&behind, r), PINETL_OK);
    CHECK(behind > 0);
    CHECK_INT(read_all(r, seq - 11, 0, &bad), 10);
    CHECK_INT(bad, 0);
    CHECK_INT(pinetl_streamlog_reader_seq(r), seq - 1);
    pinetl_streamlog_reader_free(r);
    pinetl_streamlog_free(log);
}

static void test_positioned_readers(void) {
    /* The log of the previous test: 1285 records. */
    uint64_t last = 50 * 51 / 2 + 10;
    int bad = 0;
    uint64_t offsets[64];
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 0), PINETL_OK);
    pinetl_streamlog_record rec;
    for (uint64_t s = 1; s <= 63; s++) {
        CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
        offsets[s] = pinetl_streamlog_reader_offset(r);
    }
    pinetl_streamlog_reader_free(r);
    uint64_t positions[] = {0, 1, 2, 17, 63, last - 1, last};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        uint64_t p = positions[i];
        CHECK_INT(pinetl_streamlog_reader_open(&r, path, p), PINETL_OK);
        CHECK_INT(pinetl_streamlog_reader_seq(r), p);
        CHECK_INT(read_all(r, p, 0, &bad), last - p);
        pinetl_streamlog_reader_free(r);
    }
    CHECK_INT(bad, 0);
    /* Right hints, wrong hints (inside a record, at another record, past the end). */
    uint64_t hints[][2] = {{17, offsets[17]}, {63, offsets[63]}, {17, offsets[17] + 5},
                           {17, offsets[20]}, {17, 1u << 30},    {17, 0}};
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        CHECK_INT(pinetl_streamlog_reader_open_at(&r, path, hints[i][0], hints[i][1]), PINETL_OK);
        int bad_before = bad;
        uint64_t n = read_all(r, hints[i][0], 0, &bad);
        if (n != last - hints[i][0] || bad != bad_before)
            fprintf(stderr, "hint %zu: %llu records\n", i, (unsigned long long)n);
        CHECK_INT(n, last - hints[i][0]);
        pinetl_streamlog_reader_free(r);
    }
    CHECK_INT(bad, 0);
    /* A position beyond the log's end is an error, a missing file is not found. */
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, last + 1), PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "before the position") != NULL);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope.log", dir);
    CHECK_INT(pinetl_streamlog_reader_open(&r, missing, 0), PINETL_ENOTFOUND);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, missing, PINETL_STREAMLOG_NOCREATE), PINETL_ENOTFOUND);
}

static void test_big_payloads(void) {
    char big_path[600];
    snprintf(big_path, sizeof big_path, "%s/big/a/b/shardId-000000000001.log", dir);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, big_path, 0), PINETL_OK);
    size_t big = 3u << 20; /* 3 MiB: larger than the reader's 1 MiB buffer */
    CHECK_INT(slog_append(log, 1, 200, big), 0);
    CHECK_INT(slog_append(log, 201, 1, big), 0);
    /* A payload at the limit is accepted, one above is refused and changes nothing. */
    pinetl_streamlog_record rec = {0};
    char *huge = calloc(1, (size_t)PINETL_STREAMLOG_MAX_PAYLOAD + 1);
    CHECK(huge != NULL);
    rec.data = huge;
    rec.data_len = (size_t)PINETL_STREAMLOG_MAX_PAYLOAD + 1;
    CHECK_INT(pinetl_streamlog_append(NULL, log, &rec, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_last_seq(log), 201);
    rec.data_len = PINETL_STREAMLOG_MAX_PAYLOAD;
    rec.arrival_us = 42;
    uint64_t first = 0;
    CHECK_INT(pinetl_streamlog_append(&first, log, &rec, 1), PINETL_OK);
    CHECK_INT(first, 202);
    pinetl_streamlog_free(log);
    pinetl_streamlog_reader *r = NULL;
    int bad = 0;
    CHECK_INT(pinetl_streamlog_reader_open(&r, big_path, 0), PINETL_OK);
    pinetl_streamlog_record got;
    for (uint64_t s = 1; s <= 201; s++) {
        CHECK_INT(pinetl_streamlog_reader_next(&got, r), PINETL_BATCH);
        bad += got.seq != s || !slog_matches(&got, big);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(pinetl_streamlog_reader_next(&got, r), PINETL_BATCH);
    CHECK_INT(got.seq, 202);
    CHECK_INT(got.data_len, PINETL_STREAMLOG_MAX_PAYLOAD);
    CHECK_INT(got.arrival_us, 42);
    CHECK_INT(got.key_len, 0);
    CHECK(got.data_len == (size_t)PINETL_STREAMLOG_MAX_PAYLOAD &&
          memcmp(got.data, huge, got.data_len) == 0);
    CHECK_INT(pinetl_streamlog_reader_next(&got, r), PINETL_DONE);
    pinetl_streamlog_reader_free(r);
    /* Reopening checks the big records too. */
    CHECK_INT(pinetl_streamlog_open(&log, big_path, 0), PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    CHECK_INT(info.records, 202);
    CHECK_INT(info.cut_bytes, 0);
    pinetl_streamlog_free(log);
    free(huge);
}

/* A write that fails half-way (here: the file size limit, as a full disk would) appends nothing:
 * the partly written tail is cut, the sequence does not move, and the next append works. */
static void test_failed_append_leaves_nothing(void) {
    char p[600];
    snprintf(p, sizeof p, "%s/limit/shardId-000000000000.log", dir);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, p, 0), PINETL_OK);
    CHECK_INT(slog_append(log, 1, 10, 0), 0);
    uint64_t size = pinetl_streamlog_size(log);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    CHECK_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)size + 100;
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char data[80];
    memset(data, 'x', sizeof data);
    pinetl_streamlog_record recs[4];
    memset(recs, 0, sizeof recs);
    for (int i = 0; i < 4; i++) {
        recs[i].data = data;
        recs[i].data_len = sizeof data;
    }
    CHECK_INT(pinetl_streamlog_append(NULL, log, recs, 4), PINETL_EIO);
    CHECK(strstr(pinetl_error_last(), "appending to") != NULL);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &old), 0);
    CHECK_INT(pinetl_streamlog_last_seq(log), 10);
    CHECK_INT(pinetl_streamlog_size(log), size);
    struct stat st;
    CHECK(stat(p, &st) == 0 && (uint64_t)st.st_size == size);
    CHECK_INT(slog_append(log, 11, 3, 0), 0);
    pinetl_streamlog_free(log);
    pinetl_streamlog_reader *r = NULL;
    int bad = 0;
    CHECK_INT(pinetl_streamlog_reader_open(&r, p, 0), PINETL_OK);
    CHECK_INT(read_all(r, 0, 0, &bad), 13);
    CHECK_INT(bad, 0);
    pinetl_streamlog_reader_free(r);
}

static void test_bad_arguments(void) {
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, NULL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_open(NULL, path, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_append(NULL, NULL, NULL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_sync(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_reader_next(NULL, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_last_seq(NULL), 0);
    pinetl_streamlog_free(NULL);
    pinetl_streamlog_reader_free(NULL);
    char file_as_dir[600];
    snprintf(file_as_dir, sizeof file_as_dir, "%s/x/shardId-000000000000.log", path);
    CHECK_INT(pinetl_streamlog_open(&log, file_as_dir, 0), PINETL_EIO);
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_record rec = {0};
    rec.key_len = 3; /* and key NULL */
    CHECK_INT(pinetl_streamlog_append(NULL, log, &rec, 1), PINETL_EINVAL);
    pinetl_streamlog_free(log);
}

int main(void) {
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_round_trip_and_reopen);
    RUN(test_positioned_readers);
    RUN(test_big_payloads);
    RUN(test_failed_append_leaves_nothing);
    RUN(test_bad_arguments);
    slog_rmtree(dir);
    return check_done();
}
