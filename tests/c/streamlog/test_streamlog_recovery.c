/* Recovery: a log whose last record is torn at every byte offset, a corrupted CRC (in the payload
 * and in the header), a bad magic, a garbage tail. Damage inside the log is skipped and
 * quarantined, never cut: every later record is kept and readers report the skipped range. An
 * invalid tail is quarantined and cut; when it could have held a record, the sequence moves past
 * every number it could have held (sequence numbers are never handed out twice) and a new
 * epoch starts. Readers never return invalid records, wait at a torn tail and continue with
 * what the recovered writer appends there; a log cut below a reader's position is reported. */
#include <fcntl.h>
#include <sys/stat.h>

#include <pinetl/streamlog.h>

#include "check.h"
#include "slog_util.h"

static char dir[256], path[512], copy[600];

static long file_size(const char *p) {
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

static int copy_file(const char *from, const char *to, long len) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int rc = in && out ? 0 : -1;
    char buf[65536];
    while (!rc && len > 0) {
        size_t want = len > (long)sizeof buf ? sizeof buf : (size_t)len;
        size_t n = fread(buf, 1, want, in);
        if (n == 0 || fwrite(buf, 1, n, out) != n)
            rc = -1;
        len -= (long)n;
    }
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

static int poke(const char *p, long at, unsigned char xor_mask) {
    int fd = open(p, O_RDWR);
    unsigned char c = 0;
    int rc = fd >= 0 && pread(fd, &c, 1, at) == 1 ? 0 : -1;
    c ^= xor_mask;
    if (!rc && pwrite(fd, &c, 1, at) != 1)
        rc = -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

static uint64_t skipped_records; /* sequence numbers hidden by the ranges count_valid skipped */

/* Reads copy from the start; returns the count of valid records (all checked: increasing
 * sequence numbers, each record's payload that of its number). */
static uint64_t count_valid(const char *p, int *bad) {
    pinetl_streamlog_reader *r = NULL;
    skipped_records = 0;
    if (pinetl_streamlog_reader_open(&r, p, 0)) {
        (*bad)++;
        return 0;
    }
    pinetl_streamlog_record rec;
    uint64_t n = 0, last = 0;
    int rc;
    while ((rc = pinetl_streamlog_reader_next(&rec, r)) == PINETL_BATCH ||
           rc == PINETL_STREAMLOG_SKIPPED) {
        if (rc == PINETL_STREAMLOG_SKIPPED) {
            pinetl_streamlog_bad_range range;
            pinetl_streamlog_reader_bad_range(&range, r);
            if (range.first_seq != last + 1)
                (*bad)++;
            skipped_records += range.last_seq + 1 - range.first_seq;
            last = range.last_seq;
            continue;
        }
        n++;
        if (rec.seq <= last || !slog_matches(&rec, 0))
            (*bad)++;
        last = rec.seq;
    }
    if (rc != PINETL_DONE)
        (*bad)++;
    pinetl_streamlog_reader_free(r);
    return n;
}

enum { IDENTITY_FRAME = 72 };

static long record_end[64];

/* Opens copy as a writer, checks what recovery reports (want_last: the last sequence number
 * before a cut; want_size: the end of the valid frames), appends one record and checks it reads.
 * A cut of 32 bytes or more moves the sequence past what it could have held and appends an
 * identity frame. */
static void check_recovery(uint64_t want_records, uint64_t want_last, long want_size, long cut,
                           const char *reason, int *bad) {
    pinetl_streamlog *log = NULL;
    if (pinetl_streamlog_open(&log, copy, 0)) {
        (*bad)++;
        return;
    }
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    int jumped = cut >= PINETL_STREAMLOG_HEADER_SIZE;
    uint64_t skip = jumped ? (uint64_t)cut / PINETL_STREAMLOG_HEADER_SIZE + 1 : 0;
    if (jumped)
        want_size += IDENTITY_FRAME;
    int ok = info.records == want_records && info.size == (uint64_t)want_size &&
             info.cut_bytes == (uint64_t)cut && info.skipped_seqs == skip &&
             info.epoch == (jumped ? 2u : 1u) &&
             (reason ? info.cut_reason && !strcmp(info.cut_reason, reason) : !info.cut_reason) &&
             pinetl_streamlog_last_seq(log) == want_last + skip && file_size(copy) == want_size;
    /* What was cut is kept in a quarantine file beside the log. */
    if (cut) {
        char q[700];
        snprintf(q, sizeof q, "%s.quarantine.1.%ld", copy, want_size - (jumped ? 72 : 0));
        ok = ok && file_size(q) == cut;
        unlink(q);
    }
    if (!ok) {
        fprintf(stderr,
                "recovery: %llu records, size %llu, cut %llu (%s); wanted %llu, %ld, %ld "
                "(%s)\n",
                (unsigned long long)info.records, (unsigned long long)info.size,
                (unsigned long long)info.cut_bytes, info.cut_reason ? info.cut_reason : "-",
                (unsigned long long)want_records, want_size, cut, reason ? reason : "-");
        (*bad)++;
    }
    if (slog_append(log, pinetl_streamlog_last_seq(log) + 1, 1, 0))
        (*bad)++;
    pinetl_streamlog_free(log);
    if (count_valid(copy, bad) != want_records + 1)
        (*bad)++;
}

/* Opens copy as a writer that finds one bad range inside (kept, quarantined, not cut). */
static void check_skipped(uint64_t want_records, uint64_t range_at, uint64_t range_len,
                          uint64_t hidden, int *bad) {
    pinetl_streamlog *log = NULL;
    if (pinetl_streamlog_open(&log, copy, 0)) {
        (*bad)++;
        return;
    }
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    char q[700];
    snprintf(q, sizeof q, "%s.quarantine.1.%llu", copy, (unsigned long long)range_at);
    int ok = info.records == want_records && info.cut_bytes == 0 && info.bad_ranges == 1 &&
             info.bad_bytes == range_len && info.bad_records == hidden &&
             pinetl_streamlog_last_seq(log) == 40 && file_size(copy) == record_end[40] &&
             file_size(q) == (long)range_len;
    if (!ok) {
        fprintf(stderr, "skipped: %llu records, %llu ranges of %llu bytes hiding %llu, cut %llu\n",
                (unsigned long long)info.records, (unsigned long long)info.bad_ranges,
                (unsigned long long)info.bad_bytes, (unsigned long long)info.bad_records,
                (unsigned long long)info.cut_bytes);
        (*bad)++;
    }
    unlink(q);
    if (slog_append(log, 41, 1, 0))
        (*bad)++;
    pinetl_streamlog_free(log);
    if (count_valid(copy, bad) != want_records + 1 || skipped_records != hidden)
        (*bad)++;
}

static void test_setup(void) {
    snprintf(path, sizeof path, "%s/shardId-000000000000.log", dir);
    snprintf(copy, sizeof copy, "%s/copy", dir);
    CHECK_INT(mkdir(copy, 0777), 0);
    snprintf(copy, sizeof copy, "%s/copy/shardId-000000000000.log", dir);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    record_end[0] = (long)pinetl_streamlog_size(log); /* the identity frame */
    CHECK_INT(record_end[0], IDENTITY_FRAME);
    for (uint64_t s = 1; s <= 40; s++) {
        CHECK_INT(slog_append(log, s, 1, 0), 0);
        record_end[s] = (long)pinetl_streamlog_size(log);
    }
    CHECK_INT(pinetl_streamlog_sync(log), PINETL_OK);
    pinetl_streamlog_free(log);
    CHECK_INT(file_size(path), record_end[40]);
    /* Record 40 must have a payload, so its tear points cover key and payload. */
    CHECK(record_end[40] - record_end[39] > PINETL_STREAMLOG_HEADER_SIZE + 2);
}

static void test_torn_tail_every_offset(void) {
    long start = record_end[39], end = record_end[40];
    int bad = 0;
    for (long at = start; at < end; at++) {
        int bad_before = bad;
        CHECK_INT(copy_file(path, copy, at), 0);
        /* A reader stops before the torn record. */
        CHECK_INT(count_valid(copy, &bad), 39);
        check_recovery(39, 39, start, at - start, at == start ? NULL : "torn record", &bad);
        if (bad != bad_before)
            fprintf(stderr, "torn at byte %ld (record starts at %ld)\n", at, start);
    }
    CHECK_INT(bad, 0);
    fprintf(stderr, "torn tails checked: %ld\n", end - start);
}

static void test_bad_crc_inside_loses_one_record(void) {
    int bad = 0;
    /* A flipped bit in a payload byte, the sequence field, the length of the key, the CRC: the
     * one record is skipped and quarantined, the 39 others (16 of them after it) are kept. */
    long at[] = {record_end[24] - 1, record_end[24] + 9, record_end[24] + 24, record_end[24] + 29};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        CHECK_INT(copy_file(path, copy, record_end[40]), 0);
        CHECK_INT(poke(copy, at[i], 0x10), 0);
        uint64_t hit = at[i] < record_end[24] ? 24 : 25;
        CHECK_INT(count_valid(copy, &bad), 39);
        CHECK_INT(skipped_records, 1);
        check_skipped(39, (uint64_t)record_end[hit - 1],
                      (uint64_t)(record_end[hit] - record_end[hit - 1]), 1, &bad);
    }
    CHECK_INT(bad, 0);
}

static void test_bad_magic_and_garbage(void) {
    int bad = 0;
    /* A broken magic in the middle: that record is skipped, nothing is cut. */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    CHECK_INT(poke(copy, record_end[10] + 1, 0xff), 0);
    check_skipped(39, (uint64_t)record_end[10], (uint64_t)(record_end[11] - record_end[10]), 1,
                  &bad);
    /* Zeros after the last record (an extended file whose data never made it to disk). */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    FILE *f = fopen(copy, "ab");
    static const char zeros[4096] = {0};
    CHECK(f && fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros && fclose(f) == 0);
    check_recovery(40, 40, record_end[40], sizeof zeros, "bad magic", &bad);
    /* A changed epoch field (covered by the CRC): that record is skipped. */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    CHECK_INT(poke(copy, record_end[30] + 26, 0x01), 0);
    check_skipped(39, (uint64_t)record_end[30], (uint64_t)(record_end[31] - record_end[30]), 1,
                  &bad);
    /* Three records overwritten with zeros: skipped together, three sequence numbers hidden. */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    int fd = open(copy, O_WRONLY);
    CHECK(fd >= 0 && pwrite(fd, zeros, (size_t)(record_end[8] - record_end[5]), record_end[5]) ==
                         (ssize_t)(record_end[8] - record_end[5]));
    if (fd >= 0)
        close(fd);
    check_skipped(37, (uint64_t)record_end[5], (uint64_t)(record_end[8] - record_end[5]), 3, &bad);
    /* A header-sized tail of random bytes. */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    f = fopen(copy, "ab");
    CHECK(f && fwrite("PSL1garbage-garbage-garbage-garb", 1, 32, f) == 32 && fclose(f) == 0);
    check_recovery(40, 40, record_end[40], 32, "bad header", &bad);
    CHECK_INT(bad, 0);
}

static void test_damaged_last_record_is_kept_and_reported(void) {
    /* A flipped bit in the last record (written whole, then damaged): kept in place as a bad
     * range hiding sequence number 40, not cut; the next record is 41. */
    int bad = 0;
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    CHECK_INT(poke(copy, record_end[40] - 1, 0x04), 0);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, copy, 0), PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    CHECK_INT(info.cut_bytes, 0);
    CHECK_INT(info.bad_ranges, 1);
    CHECK_INT(info.bad_records, 1);
    CHECK_INT(pinetl_streamlog_last_seq(log), 40);
    CHECK_INT(slog_append(log, 41, 1, 0), 0);
    pinetl_streamlog_free(log);
    CHECK_INT(count_valid(copy, &bad), 40);
    CHECK_INT(skipped_records, 1);
    CHECK_INT(bad, 0);
    char q[700];
    snprintf(q, sizeof q, "%s.quarantine.1.%ld", copy, record_end[39]);
    CHECK_INT(file_size(q), record_end[40] - record_end[39]);
    unlink(q);
}

static void test_reader_past_a_cut_stops(void) {
    /* A reader that returned record 40; the log is then cut inside record 40 and the recovered
     * writer appends new records before the reader looks again: the reader must fail (the log
     * was cut under it), not skip to the new records and not return reused numbers. */
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, copy, 39), PINETL_OK);
    pinetl_streamlog_record rec;
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
    CHECK_INT(rec.seq, 40);
    CHECK_INT(truncate(copy, record_end[39] + 40), 0);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, copy, 0), PINETL_OK);
    CHECK(pinetl_streamlog_last_seq(log) > 40); /* moved on past what the cut bytes held */
    for (int i = 0; i < 5; i++)
        CHECK_INT(slog_append(log, pinetl_streamlog_last_seq(log) + 1, 1, 0), 0);
    pinetl_streamlog_free(log);
    CHECK(file_size(copy) > record_end[40]);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "cut and rewritten") != NULL);
    pinetl_streamlog_reader_free(r);
    /* A reader from the start reads the log whole. */
    int bad = 0;
    CHECK_INT(count_valid(copy, &bad), 44);
    CHECK_INT(bad, 0);
    char q[700];
    snprintf(q, sizeof q, "%s.quarantine.1.%ld", copy, record_end[39]);
    unlink(q);
}

static void test_sequence_gap(void) {
    /* Two logs glued together: the second's records restart at 1. */
    int bad = 0;
    CHECK_INT(copy_file(path, copy, record_end[40]), 0);
    FILE *in = fopen(path, "rb"), *out = fopen(copy, "ab");
    char buf[4096];
    size_t n = in ? fread(buf, 1, (size_t)record_end[2], in) : 0;
    CHECK(out && n == (size_t)record_end[2] && fwrite(buf, 1, n, out) == n);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    /* A reader reports the break (the second log's identity frame) as an error... */
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, copy, 40), PINETL_OK);
    pinetl_streamlog_record rec;
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "identity frame") != NULL);
    pinetl_streamlog_reader_free(r);
    /* ...and the writer cuts it (quarantined), moving the sequence past it. */
    check_recovery(40, 40, record_end[40], record_end[2], "sequence gap", &bad);
    CHECK_INT(bad, 0);
}

static void test_reader_waits_through_recovery(void) {
    /* A reader at a torn tail waits; the writer's recovery cuts the tail and appends new records
     * in its place; the reader continues with those, never with the torn bytes. */
    CHECK_INT(copy_file(path, copy, record_end[39] + 20), 0);
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, copy, 38), PINETL_OK);
    pinetl_streamlog_record rec;
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
    CHECK_INT(rec.seq, 39);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_DONE);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_DONE);
    uint64_t behind = 0;
    CHECK_INT(pinetl_streamlog_reader_behind(&behind, r), PINETL_OK);
    CHECK_INT(behind, 20);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, copy, 0), PINETL_OK);
    /* Different records than the torn one (seq 40 with another payload size). */
    pinetl_streamlog_record one = {0};
    char data[1000];
    memset(data, 'x', sizeof data);
    one.data = data;
    one.data_len = sizeof data;
    uint64_t first = 0;
    CHECK_INT(pinetl_streamlog_append(&first, log, &one, 1), PINETL_OK);
    CHECK_INT(first, 40);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
    CHECK_INT(rec.seq, 40);
    CHECK_INT(rec.data_len, sizeof data);
    CHECK(rec.data_len == sizeof data && memcmp(rec.data, data, sizeof data) == 0);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_DONE);
    pinetl_streamlog_free(log);
    /* A log cut below the reader's position (records it returned are gone) is an error. */
    CHECK_INT(truncate(copy, record_end[20]), 0);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "below the reader's position") != NULL);
    pinetl_streamlog_reader_free(r);
}

int main(void) {
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_setup);
    RUN(test_torn_tail_every_offset);
    RUN(test_bad_crc_inside_loses_one_record);
    RUN(test_bad_magic_and_garbage);
    RUN(test_damaged_last_record_is_kept_and_reported);
    RUN(test_reader_past_a_cut_stops);
    RUN(test_sequence_gap);
    RUN(test_reader_waits_through_recovery);
    slog_rmtree(dir);
    return check_done();
}
